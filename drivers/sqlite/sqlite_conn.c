/*
 * SQLite driver: opening a file or an in-memory database (with orb_fold),
 * transactions, statements (bind, step, columns as the asked type), and
 * column types for CREATE TABLE.
 */
#include "sqlite_internal.h"

static int sqlite_progress(void *payload);
static int sqlite_busy(void *payload, int count);

/* Is a call of ours that a cancel may stop running, and was it
 * cancelled? (A cancel left over from an earlier call is ignored: a
 * rollback is never stopped.) */
static int sqlite_cancel_asked(sqlite_conn *c)
{
    if (!atomic_load(&c->running) || !atomic_load(&c->cancel))
        return 0;
    c->cancelled = 1;
    return 1;
}

/* ---- connections ---- */

static int sqlite_is_memory(const char *path)
{
    return !path || !*path || strcmp(path, ":memory:") == 0;
}

/* orb_uuid(x): a UUID's canonical text from what another program stored
 * in a UUID column: 16 bytes (uuid.bytes), or text in upper case,
 * without dashes (SQLAlchemy) or in braces; anything else as
 * CAST(x AS TEXT) gives it; NULL stays NULL (ORM_CAP_UUID_CANON). */
static void sqlite_uuid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char canon[ORM_UUID_TEXT_MAX];
    (void)argc;
    int type = sqlite3_value_type(argv[0]);
    if (type == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (type == SQLITE_BLOB && sqlite3_value_bytes(argv[0]) == 16) {
        const unsigned char *bytes = sqlite3_value_blob(argv[0]);
        if (!bytes) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
        orm_uuid_from_bytes(canon, bytes);
        sqlite3_result_text(ctx, canon, 36, SQLITE_TRANSIENT);
        return;
    }
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    if (!text) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (orm_uuid_canon(canon, text, (size_t)n) == 0)
        sqlite3_result_text(ctx, canon, 36, SQLITE_TRANSIENT);
    else
        sqlite3_result_text(ctx, text, n, SQLITE_TRANSIENT);
}

/* orb_fold(x): x with each code point mapped by Unicode's simple
 * lowercase (what PostgreSQL's and MariaDB's lower() do too). Bytes that
 * are not UTF-8 stay as they are; NULL stays NULL. */
static void sqlite_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const unsigned char *s = sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    /* A lowercase letter takes at most 3 bytes for 2 (U+023A -> U+2C65). */
    unsigned char *out = s ? sqlite3_malloc64(n + n / 2 + 4) : NULL;
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            out[len++] = (unsigned char)tolower(s[i++]);
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t step =
            utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (step <= 0) {
            out[len++] = s[i++];
            continue;
        }
        len += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), out + len);
        i += (size_t)step;
    }
    sqlite3_result_text64(ctx, (const char *)out, len, sqlite3_free,
                          SQLITE_UTF8);
}

/* Open c->db from c->path and the options; errors go to `err`. */
static int sqlite_open_db(sqlite_conn *c, orm_error *err)
{
    const char *shown = c->path ? c->path : ":memory:";
    int flags = c->base.read_only ? SQLITE_OPEN_READONLY
                : c->create || !c->path
                    ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                    : SQLITE_OPEN_READWRITE;
    struct stat st;
    /* An orm_db is used by one thread at a time: SQLite's own locking
     * of every call is not needed. */
    flags |= SQLITE_OPEN_NOMUTEX;
    sqlite3 *db = NULL;
    int rc, code = 0;

    /* SQLite says only "unable to open database file": a path that names
     * nothing gets a message saying so. */
    if (c->path && !(flags & SQLITE_OPEN_CREATE) && stat(c->path, &st) != 0 &&
        errno == ENOENT)
        return orm_error_set(err, ORM_ENOTFOUND,
                             "the SQLite database file '%s' does not exist",
                             shown);
    rc = sqlite3_open_v2(shown, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        code = rc == SQLITE_NOMEM ? ORM_ENOMEM : ORM_ECONNECT;
        orm_error_set(err, code, "cannot open SQLite database '%s': %s", shown,
                      db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        if (err)
            err->native_code = db ? sqlite3_extended_errcode(db) : rc;
        goto done;
    }
    sqlite3_extended_result_codes(db, 1);
    /* Our own busy wait and progress handler: both also obey a cancel. */
    sqlite3_busy_handler(db, sqlite_busy, c);
    sqlite3_progress_handler(db, SQLITE_PROGRESS_STEPS, sqlite_progress, c);
    /* Reading the schema is what finds a file that is not a database. */
    rc = sqlite3_exec(db,
                      "SELECT count(*) FROM sqlite_master;"
                      "PRAGMA foreign_keys=ON;"
                      "PRAGMA case_sensitive_like=ON;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int ext = sqlite3_extended_errcode(db);
        switch (ext & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            code = ORM_EBUSY;
            break;
        case SQLITE_NOMEM:
            code = ORM_ENOMEM;
            break;
        default:
            code = ORM_ECONNECT;
            break;
        }
        orm_error_set(err, code, "cannot open SQLite database '%s': %s", shown,
                      sqlite3_errmsg(db));
        if (err)
            err->native_code = ext;
        goto done;
    }
    rc = sqlite3_create_function_v2(db, "orb_fold", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                        SQLITE_INNOCUOUS,
                                    NULL, sqlite_fold, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "orb_uuid", 1,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                            SQLITE_INNOCUOUS,
                                        NULL, sqlite_uuid, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        code = rc == SQLITE_NOMEM ? ORM_ENOMEM : ORM_ECONNECT;
        orm_error_set(err, code, "cannot open SQLite database '%s': %s", shown,
                      sqlite3_errmsg(db));
        goto done;
    }
    c->db = db;
    db = NULL;
done:
    sqlite3_close_v2(db);
    return code;
}

/* A cancel, and the statement timeout: interrupt a step of ours past its
 * deadline. */
static int sqlite_progress(void *payload)
{
    sqlite_conn *c = payload;
    struct timespec now;
    if (sqlite_cancel_asked(c))
        return 1;
    if (!c->armed)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > c->deadline.tv_sec ||
        (now.tv_sec == c->deadline.tv_sec &&
         now.tv_nsec >= c->deadline.tv_nsec)) {
        c->timed_out = 1;
        return 1;
    }
    return 0;
}

/* Waiting for another connection's lock: sleep in short steps (as
 * sqlite3_busy_timeout does) until busy_timeout_ms have passed, or at
 * once when cancelled. */
static int sqlite_busy(void *payload, int count)
{
    static const int delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50};
    sqlite_conn *c = payload;
    const int ndelays = (int)(sizeof delays / sizeof delays[0]);
    long waited = 0;
    if (sqlite_cancel_asked(c))
        return 0;
    for (int i = 0; i < count; i++)
        waited += i < ndelays ? delays[i] : delays[ndelays - 1];
    int delay = count < ndelays ? delays[count] : delays[ndelays - 1];
    if (waited >= c->busy_timeout_ms)
        return 0;
    if (waited + delay > c->busy_timeout_ms)
        delay = (int)(c->busy_timeout_ms - waited);
    /* A cancel must not wait out a long step: sleep at most 10 ms. */
    for (int slept = 0; slept < delay; slept += 10) {
        int ms = delay - slept < 10 ? delay - slept : 10;
        struct timespec ts = {0, ms * 1000000L};
        nanosleep(&ts, NULL);
        if (sqlite_cancel_asked(c))
            return 0;
    }
    return 1;
}

/* Enter and leave a call a cancel may stop. */
static void sqlite_run_begin(sqlite_conn *c)
{
    c->cancelled = 0;
    pthread_mutex_lock(&c->cancel_lock);
    atomic_store(&c->cancel, 0);
    atomic_store(&c->running, 1);
    pthread_mutex_unlock(&c->cancel_lock);
}

static void sqlite_run_end(sqlite_conn *c)
{
    pthread_mutex_lock(&c->cancel_lock);
    if (atomic_load(&c->cancel))
        c->cancelled = 1;
    atomic_store(&c->running, 0);
    atomic_store(&c->cancel, 0);
    pthread_mutex_unlock(&c->cancel_lock);
}

/* The flag stops the virtual machine at its next progress callback and
 * a busy wait at its next look; sqlite3_interrupt also stops the work
 * one instruction does at length (COUNT(*) walking a whole b-tree). The
 * lock keeps the connection from being closed or reopened meanwhile. */
int sqlite_cancel(orm_conn *conn, orm_error *err)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    (void)err; /* setting a flag cannot fail */
    pthread_mutex_lock(&c->cancel_lock);
    if (atomic_load(&c->running)) {
        atomic_store(&c->cancel, 1);
        sqlite3_interrupt(c->db);
    }
    pthread_mutex_unlock(&c->cancel_lock);
    return 0;
}

/* ?mode=ro (read-only), rw (the file must exist), rwc (created when
 * missing), as SQLite's own URIs spell them. */
static int sqlite_url_mode(sqlite_conn *c, const orm_url *url, orm_error *err)
{
    const char *mode = url ? orm_url_param_get(url, "mode") : NULL;
    if (!mode)
        return 0;
    if (strcmp(mode, "ro") == 0)
        c->base.read_only = 1;
    else if (strcmp(mode, "rw") == 0)
        c->create = 0;
    else if (strcmp(mode, "rwc") == 0)
        c->create = 1;
    else
        return orm_error_set(err, ORM_EINVALID,
                             "unknown SQLite mode '%s' in the URL (ro, rw or "
                             "rwc)",
                             mode);
    return 0;
}

int sqlite_connect(orm_conn **out, const orm_url *url,
                   const orm_connect_options *opts, orm_error *err)
{
    sqlite_conn *c = orm_calloc(1, sizeof *c);
    const char *database = url ? url->database : NULL;
    int rc = ORM_ENOMEM;

    *out = NULL;
    if (!c) {
        orm_error_set(err, rc, "out of memory opening a SQLite database");
        goto done;
    }
    c->base.driver = &orm_driver_sqlite;
    c->base.read_only = opts ? opts->read_only : 0;
    pthread_mutex_init(&c->cancel_lock, NULL);
    c->busy_timeout_ms = opts && opts->busy_timeout_ms > 0
                             ? opts->busy_timeout_ms
                             : SQLITE_DEFAULT_BUSY_MS;
    c->create = !(opts && opts->must_exist);
    if ((rc = sqlite_url_mode(c, url, err)) != 0)
        goto done;
    orm_conn_params params;
    if ((rc = orm_conn_params_read(&params, url, err)) != 0)
        goto done;
    c->statement_timeout_ms = params.statement_timeout_ms
                                  ? params.statement_timeout_ms
                                  : (opts ? opts->statement_timeout_ms : 0);
    rc = ORM_ENOMEM;
    if (!sqlite_is_memory(database) && !(c->path = orm_strdup(database))) {
        orm_error_set(err, rc, "out of memory opening a SQLite database");
        goto done;
    }
    if ((rc = sqlite_open_db(c, err)) != 0)
        goto done;
    *out = &c->base;
    c = NULL;
done:
    if (c) {
        pthread_mutex_destroy(&c->cancel_lock);
        free(c->path);
        free(c);
    }
    return rc;
}

void sqlite_close(orm_conn *conn)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    if (!c)
        return;
    pthread_mutex_destroy(&c->cancel_lock);
    sqlite3_close_v2(c->db);
    orm_error_clear(&c->base.err);
    free(c->path);
    free(c);
}

int sqlite_reconnect(orm_conn *conn)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    pthread_mutex_lock(&c->cancel_lock); /* sqlite_cancel reads c->db */
    sqlite3_close_v2(c->db);
    c->db = NULL;
    int rc = sqlite_open_db(c, &c->base.err);
    pthread_mutex_unlock(&c->cancel_lock);
    return rc;
}

/* Run `sql`; a cancel may stop it when `cancellable`. */
static int sqlite_run(sqlite_conn *c, const char *sql, int cancellable)
{
    int rc = 0;
    if (cancellable)
        sqlite_run_begin(c);
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        rc = sqlite_error(c);
    if (cancellable)
        sqlite_run_end(c);
    return rc;
}

int sqlite_exec(orm_conn *conn, const char *sql)
{
    return sqlite_run((sqlite_conn *)conn, sql, 1);
}

int sqlite_ping(orm_conn *conn)
{
    return sqlite_run((sqlite_conn *)conn, "SELECT 1", 0);
}

int sqlite_begin(orm_conn *conn)
{
    /* IMMEDIATE takes the write lock up front, so two writers never
     * deadlock upgrading read locks; a read-only connection cannot. */
    return sqlite_exec(conn, conn->read_only ? "BEGIN" : "BEGIN IMMEDIATE");
}

int sqlite_commit(orm_conn *conn)
{
    return sqlite_exec(conn, "COMMIT");
}

int sqlite_rollback(orm_conn *conn)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    /* SQLite rolls back by itself after some errors (busy, full, I/O):
     * the transaction is gone either way. */
    if (sqlite3_get_autocommit(c->db))
        return 0;
    return sqlite_run(c, "ROLLBACK", 0);
}

/* ---- statements ---- */

/* Is there anything but blanks and comments left to compile? */
static int sqlite_tail_has_statement(sqlite_conn *c, const char *tail)
{
    sqlite3_stmt *extra = NULL;
    const char *p = tail;

    while (*p && (isspace((unsigned char)*p) || *p == ';'))
        p++;
    if (!*p)
        return 0;
    if (sqlite3_prepare_v2(c->db, p, -1, &extra, NULL) != SQLITE_OK)
        return 1;
    int found = extra != NULL;
    sqlite3_finalize(extra);
    return found;
}

int sqlite_prepare(orm_conn *conn, const char *sql, size_t nparams,
                   unsigned flags, orm_stmt **out)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_stmt *stmt = NULL;
    sqlite_stmt *st = NULL;
    const char *tail = NULL;
    int rc;

    (void)flags; /* SQLite always streams */
    *out = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                           &tail) != SQLITE_OK) {
        rc = sqlite_error(c);
        goto done;
    }
    if (!stmt) {
        rc = orm_conn_error(conn, ORM_EINVALID, "empty SQL statement");
        goto done;
    }
    if (tail && sqlite_tail_has_statement(c, tail)) {
        rc = orm_conn_error(conn, ORM_EINVALID,
                            "only one SQL statement can be prepared at a "
                            "time");
        goto done;
    }
    if ((size_t)sqlite3_bind_parameter_count(stmt) != nparams) {
        rc = orm_conn_error(conn, ORM_EINVALID,
                            "statement has %d parameters, %zu expected",
                            sqlite3_bind_parameter_count(stmt), nparams);
        goto done;
    }
    if (!(st = orm_calloc(1, sizeof *st))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    st->base.conn = conn;
    st->base.sql = sqlite3_sql(stmt);
    st->stmt = stmt;
    stmt = NULL;
    *out = &st->base;
    rc = 0;
done:
    sqlite3_finalize(stmt);
    return rc;
}

/*
 * Rows the execution that just ended touched. sqlite3_changes64 keeps
 * its old value across statements that are not INSERT/UPDATE/DELETE
 * (DDL, SELECT): the total counter tells whether this one changed any.
 */
static int64_t sqlite_stmt_changes(const sqlite_stmt *st, const sqlite_conn *c)
{
    if (sqlite3_total_changes64(c->db) == st->total_before)
        return 0;
    return sqlite3_changes64(c->db);
}

/* Back to the ready state, remembering the row count of the execution
 * that ends here, and dropping the borrowed bindings. */
/* Bindings go when the statement is rewound or reset: they may point at
 * the caller's freed data. (Clearing what is already clear costs a call
 * per parameter: the flag skips it.) */
static void sqlite_forget_bindings(sqlite_stmt *st)
{
    if (st->bound) {
        sqlite3_clear_bindings(st->stmt);
        st->bound = 0;
    }
}

static void sqlite_stmt_rewind(sqlite_stmt *st)
{
    sqlite_conn *c = (sqlite_conn *)st->base.conn;
    if (!st->started)
        return;
    sqlite3_reset(st->stmt);
    if (!st->done && !st->failed) {
        st->changes = sqlite_stmt_changes(st, c);
        st->have_changes = 1;
    }
    sqlite_forget_bindings(st);
    st->started = 0;
    st->done = 0;
    st->failed = 0;
}

int sqlite_bind(orm_stmt *base, size_t index, const orm_value *v, orm_type type)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    sqlite_conn *c = (sqlite_conn *)base->conn;
    int pos, rc;

    (void)type; /* SQLite's column affinity does the converting */
    if (index >= (size_t)sqlite3_bind_parameter_count(st->stmt))
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "parameter %zu out of range (statement has "
                              "%d)",
                              index + 1,
                              sqlite3_bind_parameter_count(st->stmt));
    sqlite_stmt_rewind(st);
    st->bound = 1;
    pos = (int)index + 1;
    switch (v ? v->kind : ORM_VNULL) {
    case ORM_VNULL:
        rc = sqlite3_bind_null(st->stmt, pos);
        break;
    case ORM_VINT:
        rc = sqlite3_bind_int64(st->stmt, pos, v->u.i);
        break;
    case ORM_VFLOAT:
        rc = sqlite3_bind_double(st->stmt, pos, v->u.f);
        break;
    case ORM_VBOOL:
        rc = sqlite3_bind_int(st->stmt, pos, v->u.b ? 1 : 0);
        break;
    case ORM_VTEXT:
        /* A NULL pointer would bind SQL NULL; empty text is not NULL. */
        rc = sqlite3_bind_text64(st->stmt, pos, v->u.s.ptr ? v->u.s.ptr : "",
                                 v->u.s.len, SQLITE_STATIC, SQLITE_UTF8);
        break;
    case ORM_VBLOB:
        if (v->u.s.len == 0)
            rc = sqlite3_bind_zeroblob(st->stmt, pos, 0);
        else
            rc = sqlite3_bind_blob64(st->stmt, pos, v->u.s.ptr, v->u.s.len,
                                     SQLITE_STATIC);
        break;
    default:
        return orm_conn_error(base->conn, ORM_EINVALID, "unknown value kind %d",
                              (int)v->kind);
    }
    return rc == SQLITE_OK ? 0 : sqlite_error(c);
}

int sqlite_step(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    sqlite_conn *c = (sqlite_conn *)base->conn;
    int rc;

    if (st->done)
        return ORM_DONE;
    if (st->failed)
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "statement failed; reset it before running it "
                              "again");
    if (!st->started) {
        st->have_changes = 0;
        st->changes = 0;
        st->total_before = sqlite3_total_changes64(c->db);
    }
    st->started = 1;
    if (c->statement_timeout_ms > 0) {
        clock_gettime(CLOCK_MONOTONIC, &c->deadline);
        c->deadline.tv_sec += c->statement_timeout_ms / 1000;
        c->deadline.tv_nsec += (c->statement_timeout_ms % 1000) * 1000000L;
        if (c->deadline.tv_nsec >= 1000000000L) {
            c->deadline.tv_sec++;
            c->deadline.tv_nsec -= 1000000000L;
        }
        c->armed = 1;
        c->timed_out = 0;
    }
    sqlite_run_begin(c);
    rc = sqlite3_step(st->stmt);
    sqlite_run_end(c);
    c->armed = 0;
    if (!sqlite3_stmt_readonly(st->stmt))
        st->last_id = sqlite3_last_insert_rowid(c->db);
    if (rc == SQLITE_ROW)
        return ORM_ROW;
    if (rc == SQLITE_DONE) {
        st->done = 1;
        st->have_changes = 1;
        st->changes = sqlite_stmt_changes(st, c);
        return ORM_DONE;
    }
    st->failed = 1;
    if ((rc & 0xff) == SQLITE_INTERRUPT && c->timed_out && !c->cancelled) {
        orm_statement_timeout_failure(&c->base.err, c->statement_timeout_ms);
        c->base.err.native_code = rc;
        return ORM_ETIMEOUT;
    }
    return sqlite_error(c);
}

size_t sqlite_column_count(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    int n = sqlite3_column_count(st->stmt);
    return n > 0 ? (size_t)n : 0;
}

/* The text slot for column `index`, valid until the next step/reset. */
static char *sqlite_num_slot(sqlite_stmt *st, size_t index)
{
    size_t n = sqlite_column_count(&st->base);
    if (n > st->num_cap) {
        char(*slots)[SQLITE_NUM_SLOT] = orm_realloc(st->num, n * sizeof *slots);
        if (!slots)
            return NULL;
        st->num = slots;
        st->num_cap = n;
    }
    return st->num[index];
}

int sqlite_column(orm_stmt *base, size_t index, orm_type type, orm_value *out)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    int i = (int)index;
    orm_value_kind want;
    int storage;

    *out = orm_value_null();
    if (index >= sqlite_column_count(base))
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "column %zu out of range", index);
    /* One column lookup, then the value's accessors: each sqlite3_column_*
     * call would look the column up (and enter the connection's mutex)
     * again. The value is "unprotected", which only matters when threads
     * share a connection; the driver opens its connections NOMUTEX, one
     * thread each. */
    sqlite3_value *val = sqlite3_column_value(st->stmt, i);
    storage = sqlite3_value_type(val);
    if (storage == SQLITE_NULL)
        return 0;
    switch (storage) {
    case SQLITE_INTEGER:
        want = ORM_VINT;
        break;
    case SQLITE_FLOAT:
        want = ORM_VFLOAT;
        break;
    case SQLITE_TEXT:
        want = ORM_VTEXT;
        break;
    default:
        want = ORM_VBLOB;
        break;
    }
    if (type != ORM_TYPE_COUNT)
        want = orm_type_kind(type);

    if (storage == SQLITE_INTEGER) {
        int64_t v = sqlite3_value_int64(val);
        if (want == ORM_VFLOAT) {
            *out = orm_value_float((double)v);
        } else if (want == ORM_VBOOL && (v == 0 || v == 1)) {
            *out = orm_value_bool(v == 1);
        } else if (want == ORM_VTEXT) {
            char *slot = sqlite_num_slot(st, index);
            if (!slot)
                return orm_conn_error(base->conn, ORM_ENOMEM, "out of memory");
            snprintf(slot, SQLITE_NUM_SLOT, "%lld", (long long)v);
            *out = orm_value_text(slot);
        } else {
            *out = orm_value_int(v);
        }
        return 0;
    }
    if (storage == SQLITE_FLOAT) {
        double v = sqlite3_value_double(val);
        if (want == ORM_VINT && v >= -9223372036854775808.0 &&
            v < 9223372036854775808.0 && v == (double)(int64_t)v) {
            *out = orm_value_int((int64_t)v);
        } else if (want == ORM_VBOOL) {
            *out = orm_value_bool(v != 0.0);
        } else if (want == ORM_VTEXT) {
            char *slot = sqlite_num_slot(st, index);
            if (!slot)
                return orm_conn_error(base->conn, ORM_ENOMEM, "out of memory");
            orm_double_text(slot, v, ORM_DOUBLE_PLAIN);
            *out = orm_value_text(slot);
        } else {
            *out = orm_value_float(v);
        }
        return 0;
    }
    if (storage == SQLITE_TEXT) {
        /* Text in a number or boolean column ('0.10', 'true', written by
         * another program) stays text: the core reads it as its column's
         * kind and keeps the text for the lost-update guards, which must
         * compare what is stored. An integer other than 0 or 1 in a
         * boolean column stays an integer for the same reason. */
        const unsigned char *text = sqlite3_value_text(val);
        size_t len = (size_t)sqlite3_value_bytes(val);
        if (!text)
            return orm_conn_error(base->conn, ORM_ENOMEM, "out of memory");
        if (want == ORM_VBLOB) {
            *out = orm_value_blob(text, len);
        } else {
            *out = orm_value_textn((const char *)text, len);
        }
        return 0;
    }
    /* Blob storage: bytes stay bytes whatever the column says. */
    const void *data = sqlite3_value_blob(val);
    size_t len = (size_t)sqlite3_value_bytes(val);
    if (!data && len > 0)
        return orm_conn_error(base->conn, ORM_ENOMEM, "out of memory");
    *out = orm_value_blob(data ? data : "", len);
    return 0;
}

int64_t sqlite_rows_matched(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    /* SQLite publishes the count when the statement finishes; a
     * RETURNING statement still handing out rows has none yet. */
    return st->have_changes ? st->changes : -1;
}

int sqlite_last_insert_id(orm_stmt *base, int64_t *out)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    if (!st->started && !st->have_changes)
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "statement has not been executed");
    if (sqlite3_stmt_readonly(st->stmt) ||
        (st->have_changes && st->changes == 0))
        return orm_conn_error(base->conn, ORM_ENOTFOUND,
                              "the statement inserted no row");
    *out = st->last_id;
    return 0;
}

int sqlite_reset(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    sqlite_stmt_rewind(st);
    /* Bindings go even when nothing ran: they may point at freed data. */
    sqlite_forget_bindings(st);
    return 0;
}

void sqlite_finalize(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    if (!st)
        return;
    sqlite3_finalize(st->stmt);
    free(st->num);
    free(st);
}

/* ---- DDL ---- */

void sqlite_column_type_sql(orm_buf *out, const orm_column *col, int autoinc)
{
    switch (col->type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
        /* Exactly "INTEGER" makes a single primary key the rowid. */
        if (autoinc)
            orm_buf_append(out, "INTEGER");
        else
            orm_buf_append(out, col->type == ORM_INTEGER  ? "INTEGER"
                                : col->type == ORM_BIGINT ? "BIGINT"
                                                          : "SMALLINT");
        break;
    case ORM_STRING:
        if (col->length > 0)
            orm_buf_appendf(out, "VARCHAR(%d)", col->length);
        else
            orm_buf_append(out, "VARCHAR");
        break;
    case ORM_BOOLEAN:
        orm_buf_append(out, "BOOLEAN");
        break;
    case ORM_FLOAT:
        orm_buf_append(out, "FLOAT");
        break;
    case ORM_NUMERIC:
        /* NUMERIC affinity keeps only 15 significant digits: wider or
         * unbounded decimals are stored as text (TEXT affinity) to stay
         * exact; the core compares them numerically (ORM_CAP_DECIMAL_TEXT). */
        if (col->precision > 0 && col->precision <= 15)
            orm_buf_appendf(out, "NUMERIC(%d, %d)", col->precision, col->scale);
        else if (col->precision > 0)
            orm_buf_appendf(out, "DECIMAL TEXT(%d, %d)", col->precision,
                            col->scale);
        else
            orm_buf_append(out, "DECIMAL TEXT");
        break;
    case ORM_DATE:
        orm_buf_append(out, "DATE");
        break;
    case ORM_TIME:
        orm_buf_append(out, "TIME");
        break;
    case ORM_DATETIME:
        orm_buf_append(out, "DATETIME");
        break;
    case ORM_DATETIMETZ:
        orm_buf_append(out, "TIMESTAMPTZ");
        break;
    case ORM_BLOB:
        orm_buf_append(out, "BLOB");
        break;
    case ORM_JSON:
        orm_buf_append(out, "JSON");
        break;
    case ORM_UUID:
        orm_buf_append(out, "UUID");
        break;
    case ORM_TEXT:
    default:
        orm_buf_append(out, "TEXT");
        break;
    }
}
