/*
 * The database handle: opening a URL through the right driver, the
 * per-connection statement cache, reconnecting after a lost connection,
 * transactions, and the program's own SQL. The registry of models
 * (declared, from a models file, reflected) and counting their rows are
 * in db_models.c.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "orm/sys/number.h"
#include "orm/version.h"
#include "util.h"
#include "alloc.h"

#define DB_CACHE_MAX 128

/* The drivers compiled in (CMake defines ORB_HAVE_<DIALECT> for each one
 * whose client library was found; it refuses to build with none). */
static const orm_driver *const drivers[] = {
#ifdef ORB_HAVE_SQLITE
    &orm_driver_sqlite,
#endif
#ifdef ORB_HAVE_POSTGRESQL
    &orm_driver_postgresql,
#endif
#ifdef ORB_HAVE_MYSQL
    &orm_driver_mysql,
#endif
};

/* Drivers the program added with orm_driver_register, after the built-in
 * ones. The list only grows, so a driver found stays valid; the lock
 * keeps a registration from racing an open in another thread. */
static const orm_driver **added;
static size_t nadded, added_cap;
static pthread_mutex_t added_lock = PTHREAD_MUTEX_INITIALIZER;

size_t orm_dialect_count(void)
{
    pthread_mutex_lock(&added_lock);
    size_t n = ORM_ARRAY_LEN(drivers) + nadded;
    pthread_mutex_unlock(&added_lock);
    return n;
}

const char *orm_dialect_name(size_t i)
{
    const char *name = NULL;
    if (i < ORM_ARRAY_LEN(drivers))
        return drivers[i]->name;
    pthread_mutex_lock(&added_lock);
    if (i - ORM_ARRAY_LEN(drivers) < nadded)
        name = added[i - ORM_ARRAY_LEN(drivers)]->name;
    pthread_mutex_unlock(&added_lock);
    return name;
}

/* find_driver with added_lock held. */
static const orm_driver *find_driver_locked(const char *name, size_t n)
{
    for (size_t i = 0; i < ORM_ARRAY_LEN(drivers); i++)
        if (strlen(drivers[i]->name) == n &&
            strncasecmp(drivers[i]->name, name, n) == 0)
            return drivers[i];
    for (size_t i = 0; i < nadded; i++)
        if (strlen(added[i]->name) == n &&
            strncasecmp(added[i]->name, name, n) == 0)
            return added[i];
    return NULL;
}

const orm_driver *db_driver_find(const char *name, size_t n)
{
    pthread_mutex_lock(&added_lock);
    const orm_driver *found = find_driver_locked(name, n);
    pthread_mutex_unlock(&added_lock);
    return found;
}

void db_driver_names_added(orm_buf *out)
{
    pthread_mutex_lock(&added_lock);
    for (size_t i = 0; i < nadded; i++)
        orm_buf_appendf(out, ", %s", added[i]->name);
    pthread_mutex_unlock(&added_lock);
}

/* What a driver table must hold: the functions the core calls without
 * asking (reconnect, ping, list_tables, estimate_count, text_column and
 * constraint_columns may be NULL) and the SQL it writes with. */
static int driver_incomplete(const orm_driver *d, orm_error *err)
{
    static const char optional[] =
        "only reconnect, ping, list_tables, estimate_count, text_column "
        "and constraint_columns may be NULL";
#define DRIVER_NEEDS(field)                                                    \
    if (!d->field)                                                             \
        return orm_error_set(err, ORM_EINVALID,                                \
                             "driver '%s' has no " #field                      \
                             " function (orm_driver::" #field "); %s",         \
                             d->name, optional);
    DRIVER_NEEDS(connect)
    DRIVER_NEEDS(close)
    DRIVER_NEEDS(exec)
    DRIVER_NEEDS(begin)
    DRIVER_NEEDS(commit)
    DRIVER_NEEDS(rollback)
    DRIVER_NEEDS(prepare)
    DRIVER_NEEDS(bind)
    DRIVER_NEEDS(step)
    DRIVER_NEEDS(column_count)
    DRIVER_NEEDS(column)
    DRIVER_NEEDS(rows_matched)
    DRIVER_NEEDS(last_insert_id)
    DRIVER_NEEDS(reset)
    DRIVER_NEEDS(finalize)
    DRIVER_NEEDS(column_type_sql)
    DRIVER_NEEDS(reflect_table)
#undef DRIVER_NEEDS
    const struct {
        const char *field, *text;
    } sql[] = {
        {"like_op", d->like_op},
        {"table_options", d->table_options},
        {"text_cast", d->text_cast},
        {"insert_defaults", d->insert_defaults},
        {"text_exact.before", d->text_exact.before},
        {"text_exact.after", d->text_exact.after},
        {"text_order.before", d->text_order.before},
        {"text_order.after", d->text_order.after},
        {"text_fold.before", d->text_fold.before},
        {"text_fold.after", d->text_fold.after},
    };
    for (size_t i = 0; i < ORM_ARRAY_LEN(sql); i++)
        if (!sql[i].text)
            return orm_error_set(err, ORM_EINVALID,
                                 "driver '%s' has no %s (SQL the core "
                                 "writes; \"\" for none)",
                                 d->name, sql[i].field);
    if (d->placeholder != ORM_PLACEHOLDER_QMARK &&
        d->placeholder != ORM_PLACEHOLDER_DOLLAR)
        return orm_error_set(err, ORM_EINVALID,
                             "driver '%s' has an unknown placeholder style %d",
                             d->name, (int)d->placeholder);
    if (!d->ident_quote)
        return orm_error_set(err, ORM_EINVALID,
                             "driver '%s' has no ident_quote", d->name);
    if (d->version >= 7 && d->execute_rows && !d->null_safe_equal)
        return orm_error_set(err, ORM_EINVALID,
                             "driver '%s' has execute_rows but no "
                             "null_safe_equal (the guards it runs need it)",
                             d->name);
    return 0;
}

int orm_driver_register(const orm_driver *driver, orm_error *err)
{
    int rc = 0;
    if (!driver || !driver->name)
        return orm_error_set(err, ORM_EINVALID,
                             "orm_driver_register: no driver given%s",
                             driver ? " (its name is NULL)" : "");
    const char *name = driver->name;
    if (driver->version < ORM_DRIVER_MIN_VERSION ||
        driver->version > ORM_DRIVER_VERSION) {
        if (ORM_DRIVER_MIN_VERSION == ORM_DRIVER_VERSION)
            return orm_error_set(
                err, ORM_EINVALID,
                "driver '%s' is a version %d driver table; this orb library "
                "reads version %d (ORM_DRIVER_VERSION): rebuild the driver "
                "against its orm/sys/driver.h",
                name, driver->version, ORM_DRIVER_VERSION);
        return orm_error_set(
            err, ORM_EINVALID,
            "driver '%s' is a version %d driver table; this "
            "orb library reads version %d to version %d: rebuild "
            "the driver against its orm/sys/driver.h",
            name, driver->version, ORM_DRIVER_MIN_VERSION, ORM_DRIVER_VERSION);
    }
    size_t n = strlen(name);
    int valid = n > 0 && n <= 32 && isalpha((unsigned char)name[0]);
    for (size_t i = 0; valid && i < n; i++)
        valid =
            isalnum((unsigned char)name[i]) || name[i] == '_' || name[i] == '-';
    if (!valid)
        return orm_error_set(err, ORM_EINVALID,
                             "driver name '%s' must be letters, digits, '_' "
                             "and '-', starting with a letter, at most 32 "
                             "(it is the URL's scheme)",
                             name);
    if ((rc = driver_incomplete(driver, err)) != 0)
        return rc;
    pthread_mutex_lock(&added_lock);
    for (size_t i = 0; i < nadded; i++)
        if (added[i] == driver)
            goto done; /* registered already: nothing changes */
    if (url_dialect_known(name, n) || find_driver_locked(name, n)) {
        rc = orm_error_set(err, ORM_EINVALID,
                           "driver name '%s' is taken (a URL scheme orb "
                           "knows, or a driver registered before)",
                           name);
        goto done;
    }
    if (nadded == added_cap) {
        size_t cap = added_cap ? added_cap * 2 : 4;
        const orm_driver **more = orm_realloc(added, cap * sizeof *more);
        if (!more) {
            rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
            goto done;
        }
        added = more;
        added_cap = cap;
    }
    added[nadded++] = driver;
done:
    pthread_mutex_unlock(&added_lock);
    return rc;
}

/* A dialect the URL parser knows whose driver was left out of this build:
 * say so, and which ones are there. */
static int no_driver(orm_db *db)
{
    orm_buf built = ORM_BUF_INIT;
    for (size_t i = 0; i < ORM_ARRAY_LEN(drivers); i++)
        orm_buf_appendf(&built, "%s%s", i ? ", " : "", drivers[i]->name);
    db_driver_names_added(&built);
    if (!orm_buf_str(&built))
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    orm_error_set(&db->err, ORM_EUNSUPPORTED,
                  "this build of the orb library has no %s driver (its "
                  "client library was missing at build time); drivers built "
                  "in: %s",
                  db->url->dialect, orm_buf_str(&built));
    orm_buf_free(&built);
    return ORM_EUNSUPPORTED;
}

int db_fail(orm_db *db, int rc)
{
    if (rc >= 0)
        return rc;
    if (db->conn && db->conn->err.code == rc)
        orm_error_copy(&db->err, &db->conn->err);
    else if (db->err.code != rc)
        orm_error_set(&db->err, rc, "%s", orm_strerror(rc));
    if (rc == ORM_ECONNLOST) {
        db->lost = 1;
        db->in_transaction = 0;
    }
    return rc;
}

static void cache_clear(orm_db *db)
{
    for (size_t i = 0; i < db->ncache; i++) {
        if (db->cache[i].stmt)
            db->driver->finalize(db->cache[i].stmt);
        free(db->cache[i].sql);
    }
    db->ncache = 0;
}

int db_ensure_connected(orm_db *db)
{
    if (!db->lost)
        return 0;
    cache_clear(db);
    if (!db->driver->reconnect) /* the driver cannot: it stays lost */
        return orm_error_set(&db->err, ORM_ECONNLOST,
                             "connection lost, and the %s driver cannot "
                             "reconnect",
                             db->driver->name);
    int rc = db->driver->reconnect(db->conn);
    if (rc < 0) {
        db_fail(db, rc == ORM_ECONNLOST ? rc : ORM_ECONNLOST);
        db->lost = 1;
        return ORM_ECONNLOST;
    }
    db->lost = 0;
    db->in_transaction = 0;
    return 0;
}

static uint64_t sql_hash(const char *sql)
{
    return orm_hash_bytes(1469598103934665603ull, sql, strlen(sql));
}

int db_stmt_acquire(orm_db *db, const char *sql, size_t nparams, unsigned flags,
                    db_stmt *out)
{
    int rc = db_ensure_connected(db);
    uint64_t hash = sql_hash(sql);
    if (rc)
        return rc;
    out->stmt = NULL;
    out->cache_index = -1;
    for (size_t i = 0; i < db->ncache; i++) {
        db_cached_stmt *c = &db->cache[i];
        if (!c->busy && c->hash == hash && strcmp(c->sql, sql) == 0) {
            c->busy = 1;
            c->last_use = ++db->use_clock;
            out->stmt = c->stmt;
            out->cache_index = (long)i;
            return 0;
        }
    }
    orm_stmt *st = NULL;
    rc = db->driver->prepare(db->conn, sql, nparams, flags | ORM_STMT_DEFER,
                             &st);
    if (rc < 0)
        return db_fail(db, rc);
    /* Streams and statements beyond the cache size stay uncached. */
    if (flags & ORM_STMT_STREAM) {
        out->stmt = st;
        return 0;
    }
    if (db->ncache == DB_CACHE_MAX) {
        /* Evict the least recently used idle statement. */
        size_t victim = db->ncache;
        for (size_t i = 0; i < db->ncache; i++)
            if (!db->cache[i].busy &&
                (victim == db->ncache ||
                 db->cache[i].last_use < db->cache[victim].last_use))
                victim = i;
        if (victim == db->ncache) {
            out->stmt = st;
            return 0;
        }
        db->driver->finalize(db->cache[victim].stmt);
        free(db->cache[victim].sql);
        db->cache[victim] = db->cache[--db->ncache];
    }
    if (db->ncache == db->cache_cap) {
        size_t cap = db->cache_cap ? db->cache_cap * 2 : 16;
        db_cached_stmt *cache = orm_realloc(db->cache, cap * sizeof *cache);
        if (!cache) {
            db->driver->finalize(st);
            return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
        }
        db->cache = cache;
        db->cache_cap = cap;
    }
    char *copy = orm_strdup(sql);
    if (!copy) {
        db->driver->finalize(st);
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    }
    db->cache[db->ncache] =
        (db_cached_stmt){copy, hash, st, 1, ++db->use_clock};
    out->stmt = st;
    out->cache_index = (long)db->ncache++;
    return 0;
}

void db_stmt_release(orm_db *db, db_stmt *st)
{
    if (!st->stmt)
        return;
    /* An eviction moves the last entry into the evicted one's place: a
     * statement held meanwhile (a commit's batch holds many) may have
     * moved. */
    if (st->cache_index >= 0 && ((size_t)st->cache_index >= db->ncache ||
                                 db->cache[st->cache_index].stmt != st->stmt))
        for (size_t i = 0; i < db->ncache; i++)
            if (db->cache[i].stmt == st->stmt)
                st->cache_index = (long)i;
    if (st->cache_index >= 0 && (size_t)st->cache_index < db->ncache &&
        db->cache[st->cache_index].stmt == st->stmt) {
        if (!db->lost)
            db->driver->reset(st->stmt);
        db->cache[st->cache_index].busy = 0;
    } else {
        db->driver->finalize(st->stmt);
    }
    st->stmt = NULL;
    st->cache_index = -1;
}

int db_stmt_bind(orm_db *db, db_stmt *st, const orm_value *params,
                 const orm_type *types, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = db->driver->bind(st->stmt, i, &params[i],
                                  types ? types[i] : ORM_TYPE_COUNT);
        if (rc < 0)
            return db_fail(db, rc);
    }
    return 0;
}

int db_stmt_step(orm_db *db, db_stmt *st)
{
    int rc = db->driver->step(st->stmt);
    return rc < 0 ? db_fail(db, rc) : rc;
}

int db_stmt_column(orm_db *db, db_stmt *st, size_t i, const orm_column *col,
                   orm_value *out)
{
    int rc =
        db->driver->column(st->stmt, i, col ? col->type : ORM_TYPE_COUNT, out);
    if (rc < 0)
        return db_fail(db, rc);
    if (col && value_needs_normalize(out, col) &&
        (rc = orm_value_normalize(out, col)) < 0)
        return orm_error_set(&db->err, rc, "out of memory");
    return 0;
}

/* Would a guard binding the normalized value `norm` miss the raw one the
 * database gave? Text and blobs by their bytes; an integer read as a
 * boolean or a float, or a number read as a decimal's text, by its
 * number; a float4 rounded to what the column holds is that value. */
static int stored_differs(const orm_value *raw, const orm_value *norm)
{
    double d;
    if ((raw->kind == ORM_VINT || raw->kind == ORM_VFLOAT) &&
        norm->kind == ORM_VTEXT) {
        double want = raw->kind == ORM_VINT ? (double)raw->u.i : raw->u.f;
        return orm_double_parse(&d, norm->u.s.ptr, norm->u.s.len) != 0 ||
               d != want;
    }
    if (raw->kind == ORM_VINT && norm->kind == ORM_VBOOL)
        return raw->u.i != 0 && raw->u.i != 1;
    if (raw->kind == ORM_VINT && norm->kind == ORM_VFLOAT)
        return !(norm->u.f >= -0x1p63 && norm->u.f < 0x1p63 &&
                 (int64_t)norm->u.f == raw->u.i);
    if (raw->kind == ORM_VFLOAT && norm->kind == ORM_VFLOAT)
        return 0;
    return !orm_value_equal(raw, norm);
}

int db_stmt_column_stored(orm_db *db, db_stmt *st, size_t i,
                          const orm_column *col, orm_value *out,
                          orm_value *stored)
{
    *stored = orm_value_null();
    int rc = db->driver->column(st->stmt, i, col->type, out);
    if (rc < 0)
        return db_fail(db, rc);
    if (!value_needs_normalize(out, col))
        return 0;
    /* Normalize a borrowed view, so the raw value outlives it. */
    orm_value raw = *out;
    out->owned = 0;
    if ((rc = orm_value_normalize(out, col)) < 0) {
        *out = orm_value_null();
        orm_value_clear(&raw);
        return orm_error_set(&db->err, rc, "out of memory");
    }
    int same_bytes = (out->kind == ORM_VTEXT || out->kind == ORM_VBLOB) &&
                     out->kind == raw.kind && out->u.s.ptr == raw.u.s.ptr;
    if (stored_differs(&raw, out)) {
        if (raw.owned) {
            *stored = raw;
        } else if (orm_value_copy(stored, &raw)) {
            orm_value_clear(out);
            return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
        }
    } else if (raw.owned) {
        if (same_bytes)
            out->owned = 1;
        else
            orm_value_clear(&raw);
    }
    return 0;
}

int db_exec(orm_db *db, const char *sql)
{
    int rc = db_ensure_connected(db);
    if (rc)
        return rc;
    rc = db->driver->exec(db->conn, sql);
    return rc < 0 ? db_fail(db, rc) : 0;
}

int db_begin(orm_db *db)
{
    int rc = db_ensure_connected(db);
    if (rc)
        return rc;
    rc = db->driver->begin(db->conn);
    if (rc < 0)
        return db_fail(db, rc);
    db->in_transaction = 1;
    return 0;
}

int db_can_batch(const orm_db *db)
{
    return db->driver->version >= 5 && db->driver->execute_batch;
}

int db_execute_batch(orm_db *db, orm_stmt *const *stmts, size_t n, int begin)
{
    int rc = db_ensure_connected(db);
    if (rc == 0)
        rc = db->driver->execute_batch(db->conn, stmts, n,
                                       begin ? ORM_BATCH_BEGIN : 0);
    if (rc < 0)
        return db_fail(db, rc);
    if (begin)
        db->in_transaction = 1;
    return 0;
}

int db_can_execute_rows(const orm_db *db)
{
    return db->driver->version >= 7 && db->driver->execute_rows &&
           db->driver->null_safe_equal && !db->rows_unsupported;
}

int db_execute_rows(orm_db *db, db_stmt *st, const orm_value *values,
                    const unsigned char *defaults, const orm_type *types,
                    size_t nrows, int64_t *matched)
{
    int rc = db->driver->execute_rows(st->stmt, values, defaults, types, nrows,
                                      matched);
    if (rc == ORM_EUNSUPPORTED)
        db->rows_unsupported = 1; /* this server cannot: nothing was sent */
    return rc < 0 ? db_fail(db, rc) : 0;
}

int db_commit(orm_db *db)
{
    int rc = db->driver->commit(db->conn);
    db->in_transaction = 0;
    return rc < 0 ? db_fail(db, rc) : 0;
}

int db_rollback(orm_db *db)
{
    db->in_transaction = 0;
    if (db->lost)
        return 0; /* the server rolled back when the connection died */
    int rc = db->driver->rollback(db->conn);
    return rc < 0 ? db_fail(db, rc) : 0;
}

/* ---- the program's own SQL ---- */

int orm_db_execute(orm_db *db, const char *sql, const orm_value *params,
                   size_t nparams, int64_t *rows)
{
    orm_stmt *st = NULL;
    int rc;
    if (rows)
        *rows = 0;
    if (!sql || (nparams && !params))
        return orm_error_set(&db->err, ORM_EINVALID,
                             "orm_db_execute: no SQL or no parameters given");
    if ((rc = db_ensure_connected(db)) != 0)
        return rc;
    /* Not cached: the program's statements are its own business. */
    rc = db->driver->prepare(db->conn, sql, nparams, ORM_STMT_DEFER, &st);
    for (size_t i = 0; rc == 0 && i < nparams; i++)
        rc = db->driver->bind(st, i, &params[i], ORM_TYPE_COUNT);
    while (rc == 0 && (rc = db->driver->step(st)) == ORM_ROW)
        rc = 0; /* rows are dropped */
    if (rc == ORM_DONE) {
        rc = 0;
        if (rows)
            *rows = db->driver->rows_matched(st);
    }
    if (st)
        db->driver->finalize(st);
    return rc < 0 ? db_fail(db, rc) : 0;
}

/* ---- opening ---- */

int orm_db_open(orm_db **out, const char *url_text,
                const orm_open_options *opts)
{
    orm_open_options defaults = ORM_OPEN_OPTIONS_INIT;
    orm_db *db = orm_calloc(1, sizeof *db);
    int rc;
    *out = NULL;
    if (!db)
        return ORM_ENOMEM;
    *out = db;
    if (!opts)
        opts = &defaults;
    rc = orm_url_parse(&db->url, url_text, &db->err);
    if (rc)
        return rc;
    if (opts->password && (rc = orm_url_set_password(db->url, opts->password)))
        return orm_error_set(&db->err, rc, "out of memory");
    db->url_text = orm_url_format(db->url, 1);
    if (!db->url_text)
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    db->driver = db_driver_find(db->url->dialect, strlen(db->url->dialect));
    if (!db->driver)
        return no_driver(db);
    orm_connect_options copts = {.read_only = opts->read_only,
                                 .busy_timeout_ms = opts->busy_timeout_ms,
                                 .connect_timeout_s = opts->connect_timeout_s};
    if (opts->version >= 2)
        copts.must_exist = opts->must_exist;
    if (opts->version >= 3)
        copts.statement_timeout_ms = opts->statement_timeout_ms;
    rc = db->driver->connect(&db->conn, db->url, &copts, &db->err);
    if (rc < 0) {
        db->conn = NULL;
        if (db->err.code != rc)
            orm_error_set(&db->err, rc, "%s", orm_strerror(rc));
        return rc;
    }
    /* The URL may ask for read-only too (SQLite ?mode=ro), and the
     * server may refuse writes (orm_db_read_only_reason); the latter may
     * change at a reconnect, so only what was asked is kept here. */
    db->read_only = opts->read_only ||
                    (db->conn->read_only && !orm_db_read_only_reason(db));
    return 0;
}

void orm_db_free(orm_db *db)
{
    if (!db)
        return;
    if (db->conn) {
        cache_clear(db);
        db->driver->close(db->conn);
    }
    free(db->cache);
    for (size_t i = 0; i < db->nmodels; i++)
        if (db->model_owned[i])
            orm_model_free((orm_model *)(uintptr_t)db->models[i]);
    free(db->models);
    free(db->model_owned);
    for (size_t i = 0; i < db->nreplaced; i++)
        orm_model_free(db->replaced[i]);
    free(db->replaced);
    free(db->current_schema);
    orm_url_free(db->url);
    free(db->url_text);
    orm_error_clear(&db->err);
    free(db);
}

const orm_error *orm_db_error(const orm_db *db)
{
    return &db->err;
}

const char *orm_db_dialect(const orm_db *db)
{
    return db->driver ? db->driver->name
                      : (db->url ? db->url->dialect : "unknown");
}

const char *orm_db_url(const orm_db *db)
{
    return db->url_text ? db->url_text : "";
}

int orm_db_read_only(const orm_db *db)
{
    return db->read_only || (db->conn && db->conn->read_only);
}

const char *orm_db_read_only_reason(const orm_db *db)
{
    /* Older drivers' connections end before the field. */
    return db->conn && db->driver->version >= 4 ? db->conn->read_only_reason
                                                : NULL;
}

int orm_db_cancel(orm_db *db, orm_error *err)
{
    /* Only fields set once by orm_db_open are read: the other thread
     * owns everything else. conn stays the same pointer across
     * reconnects (the driver reconnects in place). */
    if (!db || !db->driver || !db->conn)
        return orm_error_set(err, ORM_EINVALID,
                             "orm_db_cancel: the database is not open");
    if (db->driver->version < 4 || !db->driver->cancel)
        return orm_error_set(err, ORM_EUNSUPPORTED,
                             "the %s driver cannot cancel a statement",
                             db->driver->name);
    return db->driver->cancel(db->conn, err);
}

void orm_db_abort(orm_db *db)
{
    /* Fields set once by orm_db_open, as orm_db_cancel reads. */
    if (db && db->driver && db->conn && db->driver->version >= 6 &&
        db->driver->abort)
        db->driver->abort(db->conn);
}

int orm_db_ping(orm_db *db)
{
    int rc = db_ensure_connected(db);
    if (rc)
        return rc;
    if (!db->driver->ping) /* nothing to ask: not known to be lost */
        return 0;
    rc = db->driver->ping(db->conn);
    if (rc < 0) {
        db_fail(db, ORM_ECONNLOST);
        return db_ensure_connected(db);
    }
    return 0;
}
