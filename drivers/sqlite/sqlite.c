/*
 * The SQLite driver: orm_driver_sqlite.
 *
 * Connections open a file (or an in-memory database) with foreign keys
 * on, a busy timeout (what lets two programs share a file),
 * case-sensitive LIKE and the function orb_fold (Unicode lowercase, for
 * the filters' i-operators; SQLite's lower() folds ASCII only). A file's
 * journal mode is left as found: switching it to WAL is persistent and
 * locks out users who may only read the file. A missing file is created
 * unless the options say it must exist; the URL's ?mode=ro|rw|rwc (as in
 * SQLite's URIs) overrides both. Statements are prepared persistent
 * because the core caches and reuses them.
 *
 * Binding borrows the caller's bytes (SQLITE_STATIC): the core keeps a
 * bound value alive until step returns ORM_DONE or the statement is
 * reset. So reset (and the first bind after an execution) also clears
 * all bindings, and stepping a finished statement keeps answering
 * ORM_DONE instead of re-running it: no execution ever reads a value the
 * core may already have freed.
 *
 * Values come back in the kind the column's orm_type travels as when the
 * stored value converts cleanly (SQLite columns may hold anything), and
 * in their natural kind otherwise. Numbers read as text (Numeric) are
 * plain decimals formatted into a per-column slot of the statement.
 *
 * Reflection reads the pragma table-valued functions with bound names.
 * A column declared without a type reflects as Text (SQLite stores what
 * it is given there; Text shows numbers and text alike when browsing,
 * blobs stay blobs).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <sqlite3.h>
#include <utf8proc.h>

#include "orm/sys/driver.h"
#include "orm/sys/number.h"

#define SQLITE_DEFAULT_BUSY_MS 5000
/* Room for a number's text (orm_double_text, orm_int_text). */
#define SQLITE_NUM_SLOT ORM_DOUBLE_TEXT_MAX

typedef struct sqlite_conn {
    orm_conn base;
    sqlite3 *db;
    char *path; /* NULL: in-memory */
    int busy_timeout_ms;
    int create; /* a missing file is created */
} sqlite_conn;

typedef struct sqlite_stmt {
    orm_stmt base;
    sqlite3_stmt *stmt;
    int started;      /* stepped since the last reset */
    int done;         /* reached SQLITE_DONE */
    int failed;       /* the last step failed */
    int have_changes; /* `changes` describes the last execution */
    int bound;        /* a parameter was bound since bindings were cleared */
    int64_t changes;
    int64_t total_before; /* sqlite3_total_changes64 when it started */
    int64_t last_id;
    char (*num)[SQLITE_NUM_SLOT]; /* one text slot per result column */
    size_t num_cap;
} sqlite_stmt;

static void sqlite_free_const(const void *p)
{
    free((void *)(uintptr_t)p);
}

/* ---- errors ---- */

static int sqlite_code_map(int ext)
{
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
        return ORM_EUNIQUE;
    case SQLITE_CONSTRAINT_NOTNULL:
        return ORM_ENOTNULL;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return ORM_EFOREIGNKEY;
    case SQLITE_CONSTRAINT_CHECK:
        return ORM_ECHECK;
    case SQLITE_CONSTRAINT_DATATYPE:
        return ORM_ETYPE;
    default:
        break;
    }
    switch (ext & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ORM_EBUSY;
    case SQLITE_READONLY:
        return ORM_EREADONLY;
    case SQLITE_NOMEM:
        return ORM_ENOMEM;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
        return ORM_EIO;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
        return ORM_EINVALID;
    default:
        return ORM_EERROR;
    }
}

/* Does `table` have a column `column`? Used to split "t.c" correctly
 * when a name itself contains a dot. */
static int sqlite_has_column(sqlite3 *db, const char *table, const char *column)
{
    return sqlite3_table_column_metadata(db, NULL, table, column, NULL, NULL,
                                         NULL, NULL, NULL) == SQLITE_OK;
}

/*
 * "t.a, t.b" (after "UNIQUE constraint failed: ") → table t, column a.
 * Tries every split until the schema confirms one; falls back to the
 * first dot and the first ", ".
 */
static int sqlite_error_parse_names(sqlite_conn *c, const char *list)
{
    size_t len = strlen(list);
    const char *first_dot = strchr(list, '.');
    char *table = NULL, *column = NULL;
    int rc = 0;

    if (!first_dot)
        return 0;
    for (const char *dot = first_dot; dot && !column;
         dot = strchr(dot + 1, '.')) {
        free(table);
        if (!(table = orm_strndup(list, (size_t)(dot - list))))
            return ORM_ENOMEM;
        const char *end = dot + 1;
        for (;;) {
            const char *sep = strstr(end, ", ");
            const char *stop = sep ? sep : list + len;
            char *cand = orm_strndup(dot + 1, (size_t)(stop - dot - 1));
            if (!cand) {
                rc = ORM_ENOMEM;
                goto done;
            }
            if (c->db && sqlite_has_column(c->db, table, cand)) {
                column = cand;
                break;
            }
            free(cand);
            if (!sep)
                break;
            end = sep + 2;
        }
    }
    if (!column) {
        free(table);
        if (!(table = orm_strndup(list, (size_t)(first_dot - list)))) {
            rc = ORM_ENOMEM;
            goto done;
        }
        const char *sep = strstr(first_dot + 1, ", ");
        size_t n = sep ? (size_t)(sep - first_dot - 1) : strlen(first_dot + 1);
        if (!(column = orm_strndup(first_dot + 1, n))) {
            rc = ORM_ENOMEM;
            goto done;
        }
    }
    /* Every column of the key, "a, b", when each is "table.column". */
    {
        orm_buf all = ORM_BUF_INIT;
        size_t tlen = strlen(table);
        int whole = 1;
        for (const char *p = list; *p && whole;) {
            const char *sep = strstr(p, ", ");
            size_t n = sep ? (size_t)(sep - p) : strlen(p);
            whole =
                n > tlen + 1 && strncmp(p, table, tlen) == 0 && p[tlen] == '.';
            if (whole) {
                if (all.len)
                    orm_buf_append(&all, ", ");
                orm_buf_appendn(&all, p + tlen + 1, n - tlen - 1);
            }
            p += n + (sep ? 2 : 0);
        }
        if (whole && all.len && !all.failed) {
            free(column);
            column = orm_buf_finish(&all);
        } else {
            orm_buf_free(&all);
        }
    }
    if (orm_error_set_table(&c->base.err, table) ||
        orm_error_set_column(&c->base.err, column))
        rc = ORM_ENOMEM;
done:
    free(table);
    free(column);
    return rc;
}

/* Fill table / column / constraint from SQLite's constraint messages. */
static void sqlite_error_parse(sqlite_conn *c, int ext, const char *msg)
{
    static const char *const prefixes[] = {
        "UNIQUE constraint failed: ",
        "NOT NULL constraint failed: ",
    };
    static const char check_prefix[] = "CHECK constraint failed: ";
    static const char index_prefix[] = "index '";
    static const char datatype_mid[] = " column ";

    if ((ext & 0xff) != SQLITE_CONSTRAINT || !msg)
        return;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(msg, prefixes[i], n) != 0)
            continue;
        const char *rest = msg + n;
        size_t in = sizeof index_prefix - 1;
        if (strncmp(rest, index_prefix, in) == 0) {
            /* A unique index on expressions names only itself. */
            const char *end = strrchr(rest + in, '\'');
            char *name =
                end ? orm_strndup(rest + in, (size_t)(end - rest - in)) : NULL;
            if (name)
                orm_error_set_constraint(&c->base.err, name);
            free(name);
            return;
        }
        sqlite_error_parse_names(c, rest);
        return;
    }
    if (strncmp(msg, check_prefix, sizeof check_prefix - 1) == 0) {
        orm_error_set_constraint(&c->base.err, msg + sizeof check_prefix - 1);
        return;
    }
    if (ext == SQLITE_CONSTRAINT_DATATYPE) {
        /* "cannot store TEXT value in INTEGER column t.c" */
        const char *mid = strstr(msg, datatype_mid);
        if (mid)
            sqlite_error_parse_names(c, mid + sizeof datatype_mid - 1);
    }
}

/* Set conn->err from the connection's last SQLite error. */
static int sqlite_error(sqlite_conn *c)
{
    int ext = c->db ? sqlite3_extended_errcode(c->db) : SQLITE_ERROR;
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(ext);
    int code = sqlite_code_map(ext);
    int offset = c->db ? sqlite3_error_offset(c->db) : -1;

    orm_conn_error(&c->base, code, "%s", msg);
    c->base.err.native_code = ext;
    if (offset >= 0)
        c->base.err.position = (size_t)offset + 1;
    /* Parse our copy: looking names up replaces SQLite's message. */
    sqlite_error_parse(c, ext, c->base.err.message);
    return code;
}

/* ---- connections ---- */

static int sqlite_is_memory(const char *path)
{
    return !path || !*path || strcmp(path, ":memory:") == 0;
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
    sqlite3_busy_timeout(db, c->busy_timeout_ms);
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

static int sqlite_connect(orm_conn **out, const orm_url *url,
                          const orm_connect_options *opts, orm_error *err)
{
    sqlite_conn *c = calloc(1, sizeof *c);
    const char *database = url ? url->database : NULL;
    int rc = ORM_ENOMEM;

    *out = NULL;
    if (!c) {
        orm_error_set(err, rc, "out of memory opening a SQLite database");
        goto done;
    }
    c->base.driver = &orm_driver_sqlite;
    c->base.read_only = opts ? opts->read_only : 0;
    c->busy_timeout_ms = opts && opts->busy_timeout_ms > 0
                             ? opts->busy_timeout_ms
                             : SQLITE_DEFAULT_BUSY_MS;
    c->create = !(opts && opts->must_exist);
    if ((rc = sqlite_url_mode(c, url, err)) != 0)
        goto done;
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
        free(c->path);
        free(c);
    }
    return rc;
}

static void sqlite_close(orm_conn *conn)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    if (!c)
        return;
    sqlite3_close_v2(c->db);
    orm_error_clear(&c->base.err);
    free(c->path);
    free(c);
}

static int sqlite_reconnect(orm_conn *conn)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_close_v2(c->db);
    c->db = NULL;
    return sqlite_open_db(c, &c->base.err);
}

static int sqlite_exec(orm_conn *conn, const char *sql)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sqlite_error(c);
    return 0;
}

static int sqlite_ping(orm_conn *conn)
{
    return sqlite_exec(conn, "SELECT 1");
}

static int sqlite_begin(orm_conn *conn)
{
    /* IMMEDIATE takes the write lock up front, so two writers never
     * deadlock upgrading read locks; a read-only connection cannot. */
    return sqlite_exec(conn, conn->read_only ? "BEGIN" : "BEGIN IMMEDIATE");
}

static int sqlite_commit(orm_conn *conn)
{
    return sqlite_exec(conn, "COMMIT");
}

static int sqlite_rollback(orm_conn *conn)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    /* SQLite rolls back by itself after some errors (busy, full, I/O):
     * the transaction is gone either way. */
    if (sqlite3_get_autocommit(c->db))
        return 0;
    return sqlite_exec(conn, "ROLLBACK");
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

static int sqlite_prepare(orm_conn *conn, const char *sql, size_t nparams,
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
    if (!(st = calloc(1, sizeof *st))) {
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

static int sqlite_bind(orm_stmt *base, size_t index, const orm_value *v,
                       orm_type type)
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

static int sqlite_step(orm_stmt *base)
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
    rc = sqlite3_step(st->stmt);
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
    return sqlite_error(c);
}

static size_t sqlite_column_count(orm_stmt *base)
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
        char(*slots)[SQLITE_NUM_SLOT] = realloc(st->num, n * sizeof *slots);
        if (!slots)
            return NULL;
        st->num = slots;
        st->num_cap = n;
    }
    return st->num[index];
}

static int sqlite_column(orm_stmt *base, size_t index, orm_type type,
                         orm_value *out)
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
        } else if (want == ORM_VBOOL) {
            *out = orm_value_bool(v != 0);
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
        const unsigned char *text = sqlite3_value_text(val);
        size_t len = (size_t)sqlite3_value_bytes(val);
        int64_t iv;
        double fv;
        if (!text)
            return orm_conn_error(base->conn, ORM_ENOMEM, "out of memory");
        if (want == ORM_VINT &&
            orm_int_parse(&iv, (const char *)text, len) == 0) {
            *out = orm_value_int(iv);
        } else if (want == ORM_VFLOAT &&
                   orm_double_parse(&fv, (const char *)text, len) == 0) {
            *out = orm_value_float(fv);
        } else if (want == ORM_VBOOL &&
                   orm_int_parse(&iv, (const char *)text, len) == 0) {
            *out = orm_value_bool(iv != 0);
        } else if (want == ORM_VBOOL &&
                   (strcasecmp((const char *)text, "true") == 0 ||
                    strcasecmp((const char *)text, "false") == 0)) {
            *out = orm_value_bool(text[0] == 't' || text[0] == 'T');
        } else if (want == ORM_VBLOB) {
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

static int64_t sqlite_rows_matched(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    /* SQLite publishes the count when the statement finishes; a
     * RETURNING statement still handing out rows has none yet. */
    return st->have_changes ? st->changes : -1;
}

static int sqlite_last_insert_id(orm_stmt *base, int64_t *out)
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

static int sqlite_reset(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    sqlite_stmt_rewind(st);
    /* Bindings go even when nothing ran: they may point at freed data. */
    sqlite_forget_bindings(st);
    return 0;
}

static void sqlite_finalize(orm_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    if (!st)
        return;
    sqlite3_finalize(st->stmt);
    free(st->num);
    free(st);
}

/* ---- DDL ---- */

static void sqlite_column_type_sql(orm_buf *out, const orm_column *col,
                                   int autoinc)
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

/* ---- reflection ---- */

static const struct {
    const char *name;
    orm_type type;
} sqlite_decl_types[] = {
    {"INTEGER", ORM_INTEGER},
    {"INT", ORM_INTEGER},
    {"INT4", ORM_INTEGER},
    {"MEDIUMINT", ORM_INTEGER},
    {"BIGINT", ORM_BIGINT},
    {"INT8", ORM_BIGINT},
    {"UNSIGNED BIG INT", ORM_BIGINT},
    {"SMALLINT", ORM_SMALLINT},
    {"INT2", ORM_SMALLINT},
    {"TINYINT", ORM_SMALLINT},
    {"VARCHAR", ORM_STRING},
    {"CHAR", ORM_STRING},
    {"CHARACTER", ORM_STRING},
    {"NVARCHAR", ORM_STRING},
    {"NCHAR", ORM_STRING},
    {"VARYING CHARACTER", ORM_STRING},
    {"CHARACTER VARYING", ORM_STRING},
    {"NATIVE CHARACTER", ORM_STRING},
    {"TEXT", ORM_TEXT},
    {"CLOB", ORM_TEXT},
    {"REAL", ORM_FLOAT},
    {"DOUBLE", ORM_FLOAT},
    {"DOUBLE PRECISION", ORM_FLOAT},
    {"FLOAT", ORM_FLOAT},
    {"NUMERIC", ORM_NUMERIC},
    {"DECIMAL", ORM_NUMERIC},
    {"DECIMAL TEXT", ORM_NUMERIC},
    {"BOOLEAN", ORM_BOOLEAN},
    {"BOOL", ORM_BOOLEAN},
    {"DATE", ORM_DATE},
    {"TIME", ORM_TIME},
    {"DATETIME", ORM_DATETIME},
    {"TIMESTAMP", ORM_DATETIME},
    {"TIMESTAMP WITHOUT TIME ZONE", ORM_DATETIME},
    {"TIMESTAMPTZ", ORM_DATETIMETZ},
    {"TIMESTAMP WITH TIME ZONE", ORM_DATETIMETZ},
    {"BLOB", ORM_BLOB},
    {"JSON", ORM_JSON},
    {"UUID", ORM_UUID},
};

/*
 * Declared type → orm_type, length, precision and scale. Words are
 * matched case-insensitively with blanks collapsed; a trailing UNSIGNED
 * is ignored; anything unknown is Text.
 */
static void sqlite_decl_parse(orm_column *col, const char *decl)
{
    char base[64];
    size_t n = 0;
    const char *p = decl;
    int args[2] = {0, 0};
    int nargs = 0;

    col->type = ORM_TEXT;
    while (*p && *p != '(') {
        if (isspace((unsigned char)*p)) {
            if (n > 0 && base[n - 1] != ' ' && n < sizeof base - 1)
                base[n++] = ' ';
        } else if (n < sizeof base - 1) {
            base[n++] = (char)toupper((unsigned char)*p);
        } else {
            return; /* too long to be a type we know */
        }
        p++;
    }
    while (n > 0 && base[n - 1] == ' ')
        n--;
    base[n] = '\0';
    if (n > 9 && strcmp(base + n - 9, " UNSIGNED") == 0)
        base[n - 9] = '\0';
    if (*p == '(') {
        char *end = NULL;
        p++;
        for (nargs = 0; nargs < 2;) {
            while (isspace((unsigned char)*p))
                p++;
            long v = strtol(p, &end, 10);
            if (end == p || v < 0 || v > 1000000000) {
                nargs = 0;
                break;
            }
            args[nargs++] = (int)v;
            p = end;
            while (isspace((unsigned char)*p))
                p++;
            if (*p != ',')
                break;
            p++;
        }
    }
    for (size_t i = 0;
         i < sizeof sqlite_decl_types / sizeof sqlite_decl_types[0]; i++) {
        if (strcmp(base, sqlite_decl_types[i].name) != 0)
            continue;
        col->type = sqlite_decl_types[i].type;
        if (col->type == ORM_STRING && nargs >= 1)
            col->length = args[0];
        if (col->type == ORM_NUMERIC && nargs >= 1) {
            col->precision = args[0];
            col->scale = nargs >= 2 ? args[1] : 0;
        }
        return;
    }
}

/* A column SQLite gives no affinity (no declared type, or an unknown one
 * naming BLOB): it keeps each value's own kind, so 42 and '42' differ. */
static int sqlite_decl_untyped(const char *decl, orm_type mapped)
{
    if (!*decl)
        return 1;
    if (mapped != ORM_TEXT)
        return 0;
    for (const char *p = decl; *p; p++)
        if (strncasecmp(p, "BLOB", 4) == 0)
            return 1;
    return 0;
}

/* Prepare a reflection query whose ?1 is a name and ?2 the schema. */
static int sqlite_refl_prepare(sqlite_conn *c, const char *sql,
                               const char *name, const char *schema,
                               sqlite3_stmt **out)
{
    sqlite3_stmt *stmt = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sqlite_error(c);
    if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) != SQLITE_OK ||
        (schema &&
         sqlite3_bind_text(stmt, 2, schema, -1, SQLITE_STATIC) != SQLITE_OK)) {
        int rc = sqlite_error(c);
        sqlite3_finalize(stmt);
        return rc;
    }
    *out = stmt;
    return 0;
}

static int sqlite_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_stmt *stmt = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name FROM sqlite_master "
                           "WHERE type IN ('table', 'view') "
                           "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' "
                           "ORDER BY name",
                           -1, &stmt, NULL) != SQLITE_OK) {
        rc = sqlite_error(c);
        goto done;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n + 1 >= cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
                goto done;
            }
            names = grown;
            cap = ncap;
        }
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        if (!(names[n] = orm_strdup(name ? name : ""))) {
            rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
            goto done;
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(c);
        goto done;
    }
    if (!names && !(names = calloc(1, sizeof *names))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    *out = names;
    *count = n;
    names = NULL;
    rc = 0;
done:
    if (names) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Columns gathered before they go into the model. */
typedef struct sqlite_refl {
    sqlite_conn *c;
    const char *schema;
    orm_column *cols;
    int *pk_order; /* table_info's pk position, 0 = not in the key */
    size_t ncols;
    int has_pk_index; /* the key is an index, so not the rowid */
} sqlite_refl;

static void sqlite_refl_free(sqlite_refl *r)
{
    for (size_t i = 0; i < r->ncols; i++) {
        sqlite_free_const(r->cols[i].name);
        sqlite_free_const(r->cols[i].native_type);
        sqlite_free_const(r->cols[i].server_default);
        sqlite_free_const(r->cols[i].ref_table);
        sqlite_free_const(r->cols[i].ref_column);
        sqlite_free_const(r->cols[i].read_only);
    }
    free(r->cols);
    free(r->pk_order);
}

static int sqlite_refl_find(const sqlite_refl *r, const char *name)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

#define SQLITE_GENERATED_READ_ONLY "generated by the database"
#define SQLITE_VIEW_READ_ONLY                                                  \
    "a view: it has no primary key to find a row by, so orb only reads it"

static int sqlite_refl_columns(sqlite_refl *r, const char *table)
{
    sqlite_conn *c = r->c;
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0;
    int rc;

    /* hidden 1 marks a virtual table's hidden columns; generated
     * columns (2, 3) are real columns a person wants to see. */
    rc = sqlite_refl_prepare(c,
                             "SELECT name, type, \"notnull\", dflt_value, pk, "
                             "hidden FROM pragma_table_xinfo(?1, ?2) "
                             "WHERE hidden <> 1 ORDER BY cid",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (r->ncols == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            orm_column *cols = realloc(r->cols, ncap * sizeof *cols);
            if (!cols) {
                rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            r->cols = cols;
            int *order = realloc(r->pk_order, ncap * sizeof *order);
            if (!order) {
                rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            r->pk_order = order;
            cap = ncap;
        }
        orm_column *col = &r->cols[r->ncols];
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        const char *decl = (const char *)sqlite3_column_text(stmt, 1);
        const char *dflt = (const char *)sqlite3_column_text(stmt, 3);
        memset(col, 0, sizeof *col);
        r->pk_order[r->ncols] = sqlite3_column_int(stmt, 4);
        r->ncols++;
        col->name = orm_strdup(name ? name : "");
        col->native_type = orm_strdup(decl ? decl : "");
        if (dflt)
            col->server_default = orm_strdup(dflt);
        if (!col->name || !col->native_type || (dflt && !col->server_default)) {
            rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
        sqlite_decl_parse(col, decl ? decl : "");
        if (sqlite_decl_untyped(decl ? decl : "", col->type))
            col->flags |= ORM_UNTYPED;
        if (sqlite3_column_int(stmt, 2))
            col->flags |= ORM_NOT_NULL;
        if (r->pk_order[r->ncols - 1] > 0)
            col->flags |= ORM_PK;
        /* hidden 2 and 3: GENERATED ALWAYS AS (...) VIRTUAL / STORED. */
        if (sqlite3_column_int(stmt, 5) >= 2 &&
            !(col->read_only = orm_strdup(SQLITE_GENERATED_READ_ONLY))) {
            rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(c);
        goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(stmt);
    return rc;
}

/* Names of an index's columns; *count 0 when it covers an expression. */
static int sqlite_refl_index_columns(sqlite_refl *r, const char *index,
                                     const char ***out, size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    const char **names = NULL;
    size_t n = 0, cap = 0;
    int expression = 0;
    int rc;

    *out = NULL;
    *count = 0;
    rc = sqlite_refl_prepare(r->c,
                             "SELECT name FROM pragma_index_info(?1, ?2) "
                             "ORDER BY seqno",
                             index, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        int at = name ? sqlite_refl_find(r, name) : -1;
        if (at < 0) {
            expression = 1;
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            const char **grown = realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            names = grown;
            cap = ncap;
        }
        /* Borrow the model's copy: it outlives this query. */
        names[n++] = r->cols[at].name;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    rc = 0;
    if (!expression) {
        *out = names;
        *count = n;
        names = NULL;
    }
done:
    free(names);
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_refl_indexes(sqlite_refl *r, const char *table,
                               orm_model *model)
{
    sqlite3_stmt *stmt = NULL;
    const char **names = NULL;
    size_t n = 0;
    int rc;

    rc = sqlite_refl_prepare(r->c,
                             "SELECT name, \"unique\", origin, partial "
                             "FROM pragma_index_list(?1, ?2) ORDER BY seq "
                             "DESC",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *index = (const char *)sqlite3_column_text(stmt, 0);
        int unique = sqlite3_column_int(stmt, 1);
        const char *origin = (const char *)sqlite3_column_text(stmt, 2);
        int partial = sqlite3_column_int(stmt, 3);

        if (origin && strcmp(origin, "pk") == 0) {
            r->has_pk_index = 1;
            continue;
        }
        if (!index || partial)
            continue;
        free(names);
        names = NULL;
        if ((rc = sqlite_refl_index_columns(r, index, &names, &n)) != 0)
            goto done;
        if (n == 1) {
            int at = sqlite_refl_find(r, names[0]);
            r->cols[at].flags |= unique ? ORM_UNIQUE : ORM_INDEX;
        } else if (n > 1 && unique) {
            /* A UNIQUE constraint's index has a made-up name; one made
             * with CREATE UNIQUE INDEX keeps its own. */
            int named = origin && strcmp(origin, "c") == 0;
            rc = orm_model_add_unique(model, named ? index : NULL, n, names);
            if (rc) {
                rc = orm_conn_error(&r->c->base, rc, "out of memory");
                goto done;
            }
        }
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    rc = 0;
done:
    free(names);
    sqlite3_finalize(stmt);
    return rc;
}

/* The primary key columns of `table`, in key order (for a foreign key
 * that names only its parent table). */
static int sqlite_refl_parent_pk(sqlite_refl *r, const char *table, char ***out,
                                 size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *count = 0;
    rc = sqlite_refl_prepare(r->c,
                             "SELECT name FROM pragma_table_info(?1, ?2) "
                             "WHERE pk > 0 ORDER BY pk",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            char **grown = realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            names = grown;
            cap = ncap;
        }
        if (!(names[n] = orm_strdup(name ? name : ""))) {
            rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    *out = names;
    *count = n;
    names = NULL;
    rc = 0;
done:
    if (names) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* One foreign key gathered from consecutive foreign_key_list rows. */
typedef struct sqlite_refl_fk {
    char *ref_table;
    char **from;
    char **to; /* entries may be NULL: "the parent's primary key" */
    size_t n, cap;
} sqlite_refl_fk;

static void sqlite_refl_fk_clear(sqlite_refl_fk *fk)
{
    for (size_t i = 0; i < fk->n; i++) {
        free(fk->from[i]);
        free(fk->to[i]);
    }
    free(fk->from);
    free(fk->to);
    free(fk->ref_table);
    memset(fk, 0, sizeof *fk);
}

static int sqlite_refl_fk_push(sqlite_refl_fk *fk, const char *from,
                               const char *to)
{
    if (fk->n == fk->cap) {
        size_t ncap = fk->cap ? fk->cap * 2 : 4;
        char **f = realloc(fk->from, ncap * sizeof *f);
        if (!f)
            return ORM_ENOMEM;
        fk->from = f;
        char **t = realloc(fk->to, ncap * sizeof *t);
        if (!t)
            return ORM_ENOMEM;
        fk->to = t;
        fk->cap = ncap;
    }
    fk->from[fk->n] = orm_strdup(from);
    fk->to[fk->n] = to ? orm_strdup(to) : NULL;
    fk->n++;
    if (!fk->from[fk->n - 1] || (to && !fk->to[fk->n - 1]))
        return ORM_ENOMEM;
    return 0;
}

/* Put a finished foreign key on its column or into the model. */
static int sqlite_refl_fk_store(sqlite_refl *r, sqlite_refl_fk *fk,
                                orm_model *model)
{
    char **pk = NULL;
    size_t npk = 0;
    int rc = 0;

    if (fk->n == 0)
        return 0;
    if (!fk->to[0]) {
        /* REFERENCES parent: the parent's primary key, in key order. */
        if ((rc = sqlite_refl_parent_pk(r, fk->ref_table, &pk, &npk)) != 0)
            goto done;
        if (npk == fk->n) {
            for (size_t i = 0; i < npk; i++) {
                free(fk->to[i]);
                fk->to[i] = pk[i];
                pk[i] = NULL;
            }
        }
    }
    if (fk->n == 1) {
        int at = sqlite_refl_find(r, fk->from[0]);
        if (at >= 0 && !r->cols[at].ref_table) {
            orm_column *col = &r->cols[at];
            col->ref_table = orm_strdup(fk->ref_table);
            if (fk->to[0])
                col->ref_column = orm_strdup(fk->to[0]);
            if (!col->ref_table || (fk->to[0] && !col->ref_column))
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
        }
        goto done;
    }
    for (size_t i = 0; i < fk->n; i++)
        if (!fk->to[i])
            goto done; /* a key SQLite itself would call a mismatch */
    rc = orm_model_add_foreign_key(model, NULL, fk->n,
                                   (const char *const *)fk->from, fk->ref_table,
                                   (const char *const *)fk->to);
    if (rc)
        rc = orm_conn_error(&r->c->base, rc, "out of memory");
done:
    if (pk) {
        for (size_t i = 0; i < npk; i++)
            free(pk[i]);
        free(pk);
    }
    return rc;
}

static int sqlite_refl_foreign_keys(sqlite_refl *r, const char *table,
                                    orm_model *model)
{
    sqlite3_stmt *stmt = NULL;
    sqlite_refl_fk fk = {0};
    int current = -1;
    int rc;

    rc = sqlite_refl_prepare(r->c,
                             "SELECT id, \"table\", \"from\", \"to\" "
                             "FROM pragma_foreign_key_list(?1, ?2) "
                             "ORDER BY id, seq",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int id = sqlite3_column_int(stmt, 0);
        const char *parent = (const char *)sqlite3_column_text(stmt, 1);
        const char *from = (const char *)sqlite3_column_text(stmt, 2);
        const char *to = (const char *)sqlite3_column_text(stmt, 3);

        if (id != current) {
            if ((rc = sqlite_refl_fk_store(r, &fk, model)) != 0)
                goto done;
            sqlite_refl_fk_clear(&fk);
            current = id;
            if (!(fk.ref_table = orm_strdup(parent ? parent : ""))) {
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
        }
        if (sqlite_refl_fk_push(&fk, from ? from : "", to)) {
            rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    rc = sqlite_refl_fk_store(r, &fk, model);
done:
    sqlite_refl_fk_clear(&fk);
    sqlite3_finalize(stmt);
    return rc;
}

/* 1 when `table` is a view, 0 when not, or an error. */
static int sqlite_refl_is_view(sqlite_refl *r, const char *table)
{
    sqlite3_stmt *stmt = NULL;
    orm_buf sql = ORM_BUF_INIT;
    int rc;

    /* The schema can only be named in SQL text: quote it. */
    orm_buf_append(&sql, "SELECT type = 'view' FROM ");
    if (r->schema) {
        orm_buf_appendc(&sql, '"');
        for (const char *p = r->schema; *p; p++) {
            if (*p == '"')
                orm_buf_appendc(&sql, '"');
            orm_buf_appendc(&sql, *p);
        }
        orm_buf_append(&sql, "\".");
    }
    orm_buf_append(&sql, "sqlite_master WHERE name = ?1");
    if (!orm_buf_str(&sql))
        return orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
    rc = sqlite_refl_prepare(r->c, orm_buf_str(&sql), table, NULL, &stmt);
    orm_buf_free(&sql);
    if (rc)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        rc = sqlite3_column_int(stmt, 0);
    else if (rc == SQLITE_DONE)
        rc = 0;
    else
        rc = sqlite_error(r->c);
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_reflect_table(orm_conn *conn, const char *schema,
                                const char *table, orm_model **out)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite_refl r = {c, schema, NULL, NULL, 0, 0};
    orm_model *model = NULL;
    int rc;

    *out = NULL;
    if (!table)
        return orm_conn_error(conn, ORM_EINVALID, "no table name given");
    if ((rc = orm_model_new(&model, NULL, table)) != 0 ||
        (schema && (rc = orm_model_set_schema(model, schema)) != 0)) {
        rc = orm_conn_error(conn, rc, "out of memory");
        goto done;
    }
    if ((rc = sqlite_refl_columns(&r, table)) != 0) {
        const char *msg = conn->err.message;
        if (schema && msg && strncmp(msg, "unknown database", 16) == 0) {
            rc = ORM_ENOTFOUND;
            conn->err.code = rc;
        }
        goto done;
    }
    if (r.ncols == 0) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no table named '%s'%s%s",
                            table, schema ? " in schema " : "",
                            schema ? schema : "");
        orm_error_set_table(&conn->err, table);
        goto done;
    }
    if ((rc = sqlite_refl_indexes(&r, table, model)) != 0 ||
        (rc = sqlite_refl_foreign_keys(&r, table, model)) != 0)
        goto done;

    /* A single INTEGER key on a rowid table is the rowid: generated. */
    size_t npk = 0;
    int pk_at = -1;
    for (size_t i = 0; i < r.ncols; i++) {
        if (r.pk_order[i] > 0) {
            npk++;
            pk_at = (int)i;
        }
    }
    if (npk == 1 && !r.has_pk_index &&
        strcasecmp(r.cols[pk_at].native_type, "INTEGER") == 0)
        r.cols[pk_at].flags |= ORM_AUTOINC;
    else if (npk == 1) /* INT PRIMARY KEY, WITHOUT ROWID: no value made */
        r.cols[pk_at].flags |= ORM_NO_AUTOINC;
    if ((rc = sqlite_refl_is_view(&r, table)) < 0)
        goto done;
    if (rc == 1) {
        model->is_view = 1;
        if ((rc = orm_model_set_read_only(model, SQLITE_VIEW_READ_ONLY))) {
            rc = orm_conn_error(conn, rc, "out of memory");
            goto done;
        }
    }
    rc = 0;

    for (size_t i = 0; i < r.ncols; i++) {
        if ((rc = orm_model_add_column(model, &r.cols[i])) != 0) {
            rc = orm_conn_error(conn, rc, "out of memory");
            goto done;
        }
    }
    *out = model;
    model = NULL;
done:
    sqlite_refl_free(&r);
    orm_model_free(model);
    return rc;
}

static int sqlite_estimate_count(orm_conn *conn, const char *schema,
                                 const char *table, int64_t *out)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_stmt *stmt = NULL;
    orm_buf sql = ORM_BUF_INIT;
    int64_t best = -1;
    int rc;

    *out = 0;
    /* The schema can only be named in SQL text: quote it. */
    orm_buf_append(&sql, "SELECT stat FROM ");
    if (schema) {
        orm_buf_appendc(&sql, '"');
        for (const char *p = schema; *p; p++) {
            if (*p == '"')
                orm_buf_appendc(&sql, '"');
            orm_buf_appendc(&sql, *p);
        }
        orm_buf_append(&sql, "\".");
    }
    orm_buf_append(&sql, "sqlite_stat1 WHERE tbl = ?1");
    if (!orm_buf_str(&sql)) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    if (sqlite3_prepare_v2(c->db, orm_buf_str(&sql), -1, &stmt, NULL) !=
        SQLITE_OK) {
        /* No sqlite_stat1: ANALYZE never ran. */
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED,
                            "no row-count estimate for '%s' (ANALYZE has "
                            "not been run)",
                            table);
        goto done;
    }
    sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *stat = (const char *)sqlite3_column_text(stmt, 0);
        char *end = NULL;
        long long v = stat ? strtoll(stat, &end, 10) : -1;
        if (stat && end != stat && v > best)
            best = v;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(c);
        goto done;
    }
    if (best < 0) {
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED,
                            "no row-count estimate for '%s' (ANALYZE has "
                            "not covered it)",
                            table);
        goto done;
    }
    *out = best;
    rc = 0;
done:
    sqlite3_finalize(stmt);
    orm_buf_free(&sql);
    return rc;
}

static int sqlite_ident_char(unsigned char ch)
{
    return ch == '_' || ch >= 0x80 || isalnum(ch);
}

/* Does `word` stand in `text` as a whole identifier (any case)? */
static const char *sqlite_find_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *q = text; n && *q; q++)
        if (strncasecmp(q, word, n) == 0 &&
            (q == text || !sqlite_ident_char((unsigned char)q[-1])) &&
            !sqlite_ident_char((unsigned char)q[n]))
            return q;
    return NULL;
}

/* The expression of CONSTRAINT `name` CHECK (...) in a CREATE TABLE
 * text, owned; NULL when there is none. */
static char *sqlite_check_expression(const char *text, const char *name)
{
    for (const char *q = text; (q = sqlite_find_word(q, name)); q++) {
        const char *s = q + strlen(name);
        if (*s == '"' || *s == '`' || *s == ']' || *s == '\'')
            s++;
        while (isspace((unsigned char)*s))
            s++;
        if (strncasecmp(s, "CHECK", 5) != 0)
            continue;
        s += 5;
        while (isspace((unsigned char)*s))
            s++;
        if (*s != '(')
            continue;
        int depth = 1;
        const char *e = ++s;
        for (; *e && depth; e++)
            depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
        return depth ? NULL : orm_strndup(s, (size_t)(e - 1 - s));
    }
    return NULL;
}

static int sqlite_names_push(orm_conn *conn, char ***names, size_t *n,
                             const unsigned char *name)
{
    char **grown = realloc(*names, (*n + 1) * sizeof *grown);
    if (!grown)
        return orm_conn_error(conn, ORM_ENOMEM, "out of memory");
    *names = grown;
    if (!(grown[*n] = orm_strdup(name ? (const char *)name : "")))
        return orm_conn_error(conn, ORM_ENOMEM, "out of memory");
    (*n)++;
    return 0;
}

/* The columns of index `name`, or of check constraint `name` of `table`
 * (those its expression names): SQLite's check errors name only the
 * constraint. */
static int sqlite_constraint_columns(orm_conn *conn, const char *schema,
                                     const char *table, const char *name,
                                     char ***out, size_t *count)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_stmt *stmt = NULL;
    char **names = NULL, *expr = NULL;
    size_t n = 0;
    int rc;

    (void)schema;
    *out = NULL;
    *count = 0;
    if ((rc = sqlite_refl_prepare(c, "SELECT name FROM pragma_index_info(?1)",
                                  name, NULL, &stmt)))
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if ((rc = sqlite_names_push(conn, &names, &n,
                                    sqlite3_column_text(stmt, 0))))
            goto done;
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (n) {
        rc = 0;
        goto done;
    }
    if ((rc = sqlite_refl_prepare(c,
                                  "SELECT sql FROM sqlite_master "
                                  "WHERE type = 'table' AND name = ?1",
                                  table, NULL, &stmt)))
        goto done;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        expr = sqlite_check_expression(
            (const char *)sqlite3_column_text(stmt, 0), name);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (!expr) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no constraint '%s' on '%s'",
                            name, table);
        goto done;
    }
    if ((rc = sqlite_refl_prepare(c, "SELECT name FROM pragma_table_info(?1)",
                                  table, NULL, &stmt)))
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const unsigned char *col = sqlite3_column_text(stmt, 0);
        if (col && sqlite_find_word(expr, (const char *)col) &&
            (rc = sqlite_names_push(conn, &names, &n, col)))
            goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(stmt);
    free(expr);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    *out = names;
    *count = n;
    return 0;
}

const orm_driver orm_driver_sqlite = {
    .version = ORM_DRIVER_VERSION,
    .name = "sqlite",
    .caps = ORM_CAP_RETURNING | ORM_CAP_LAST_INSERT_ID | ORM_CAP_NULLS_ORDER |
            ORM_CAP_TRANSACTIONAL_DDL | ORM_CAP_MULTIROW_INSERT |
            ORM_CAP_SAVEPOINT | ORM_CAP_DECIMAL_TEXT | ORM_CAP_TEXT_CANDIDATES,
    .placeholder = ORM_PLACEHOLDER_QMARK,
    .ident_quote = '"',
    .backslash_escapes = 0,
    .like_op = "LIKE",
    .table_options = "",
    .rowid_column = "rowid",
    .connect = sqlite_connect,
    .close = sqlite_close,
    .reconnect = sqlite_reconnect,
    .ping = sqlite_ping,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .prepare = sqlite_prepare,
    .bind = sqlite_bind,
    .step = sqlite_step,
    .column_count = sqlite_column_count,
    .column = sqlite_column,
    .rows_matched = sqlite_rows_matched,
    .last_insert_id = sqlite_last_insert_id,
    .reset = sqlite_reset,
    .finalize = sqlite_finalize,
    .column_type_sql = sqlite_column_type_sql,
    .list_tables = sqlite_list_tables,
    .reflect_table = sqlite_reflect_table,
    .estimate_count = sqlite_estimate_count,
    .text_cast = "TEXT",
    .insert_defaults = " DEFAULT VALUES",
    /* BINARY whatever the column declares (NOCASE, RTRIM). LIKE is
     * case-sensitive on every connection and ignores collations. */
    .text_exact = {"", " COLLATE BINARY"},
    .text_order = {"", " COLLATE BINARY"},
    .text_fold = {"orb_fold(", ")"},
    .text_column = NULL,
    .constraint_columns = sqlite_constraint_columns,
};
