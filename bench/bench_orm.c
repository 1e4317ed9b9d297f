/*
 * bench_orm: the seed workload, timed twice in one process — once through
 * orb's public ORM API, once through the database's own C API (sqlite3,
 * libpq, the MySQL client API) written the fastest way that API allows —
 * and a per-phase table of both times and their ratio. A second mode
 * (--stream-rows M) fills a table with M rows and streams it through the
 * ORM cursor to show that memory stays flat. bench/README.md explains the
 * phases, the options and how to read the numbers.
 *
 * Layout: options and the phase table; the ORM side; the raw side of each
 * dialect behind one small table of functions (raw_ops); the runner that
 * repeats phases, takes medians and prints; the streaming mode; main.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>

#include "orm/orm.h"

#include "bench_common.h"

/* Per-phase callgrind dumps (--callgrind) when valgrind's header is here;
 * the macros do nothing outside valgrind. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif

#define BENCH_DEFAULT_URL  "sqlite:////tmp/bench.db"
#define BENCH_DEFAULT_PATH "/tmp/bench.db"
#define BENCH_ORM_TABLE    "bench_orm_accounts"
#define BENCH_RAW_TABLE    "bench_raw_accounts"
#define BENCH_OPS          10000
/* Statements per libpq pipeline sync / rows per MySQL multi-row INSERT. */
#define BENCH_BATCH 1000
/* Sample the resident set every this many streamed rows. */
#define BENCH_RSS_EVERY 65536
#define BENCH_ERR_MAX   512

/* ---- the model: the seed's Account ---- */

static const orm_column account_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle",
     .type = ORM_STRING,
     .length = 50,
     .flags = ORM_UNIQUE | ORM_NOT_NULL},
    {.name = "secret_key",
     .type = ORM_STRING,
     .length = 128,
     .flags = ORM_SECRET,
     .default_gen = "token_hex(16)"},
};

/* Both tables have the seed's columns; the raw one only lends its DDL. */
static const orm_model orm_account =
    ORM_MODEL("Account", BENCH_ORM_TABLE, account_columns);
static const orm_model raw_account =
    ORM_MODEL("RawAccount", BENCH_RAW_TABLE, account_columns);

/* ---- phases ---- */

/* X(enum, name, needs rows inserted first) */
#define BENCH_PHASES(X)                                                        \
    X(CREATE, "create", 0)                                                     \
    X(INSERT, "insert", 0)                                                     \
    X(GET, "get", 1)                                                           \
    X(FILTER_BY, "filter_by", 1)                                               \
    X(LIKE, "like", 1)                                                         \
    X(OR, "or", 1)                                                             \
    X(AND, "and", 1)                                                           \
    X(UPDATE, "update", 1)                                                     \
    X(DELETE, "delete", 1)                                                     \
    X(STREAM, "stream", 1)

#define BENCH_PHASE_ENUM(e, name, setup) PH_##e,
typedef enum bench_phase {
    BENCH_PHASES(BENCH_PHASE_ENUM) PH_COUNT
} bench_phase;
#undef BENCH_PHASE_ENUM

#define BENCH_PHASE_NAME(e, name, setup) name,
static const char *const phase_names[] = {BENCH_PHASES(BENCH_PHASE_NAME)};
#undef BENCH_PHASE_NAME

#define BENCH_PHASE_SETUP(e, name, setup) setup,
static const int phase_needs_rows[] = {BENCH_PHASES(BENCH_PHASE_SETUP)};
#undef BENCH_PHASE_SETUP

typedef enum bench_side { SIDE_ORM, SIDE_RAW, SIDE_COUNT } bench_side;

typedef struct bench_config {
    const char *url;
    long long nrows;
    long long ops;
    long long repeat;
    long long stream_rows; /* > 0: the streaming mode */
    int phase;             /* -1 = all */
    int sides;             /* bit per bench_side */
    int tsv;
    int verbose;
    int callgrind;
} bench_config;

/* What one phase is asked to do. */
typedef struct bench_work {
    size_t nrows; /* rows to insert */
    size_t nkeys; /* keys per keyed phase */
    const int64_t *keys[PH_COUNT];
    bench_hex *hex;
    int sample_rss; /* stream: watch the resident set */
} bench_work;

/* What one phase did: both sides must agree on rows and sums. */
typedef struct bench_sum {
    int64_t rows;    /* rows read, or rows written */
    int64_t id_sum;  /* of rows read */
    int64_t len_sum; /* handle + secret_key lengths of rows read */
    double commit_s; /* ORM: time spent in orm_session_commit */
    double load_s;   /* ORM: time spent loading the rows to change */
    long rss_start_kib, rss_max_kib;
} bench_sum;

static void sum_row(bench_sum *sum, int64_t id, size_t handle_len,
                    size_t secret_len)
{
    sum->rows++;
    sum->id_sum += id;
    sum->len_sum += (int64_t)(handle_len + secret_len);
}

static void sample_rss(bench_sum *sum, const bench_work *w)
{
    if (!w->sample_rss || sum->rows % BENCH_RSS_EVERY)
        return;
    long now = bench_rss_now_kib();
    if (now > sum->rss_max_kib)
        sum->rss_max_kib = now;
}

/* The parameters of the read and write phases, as both sides bind them:
 * at most two per statement, integers or text. */
typedef struct bench_param {
    int is_text;
    int64_t i;
    const char *s;
    size_t len;
} bench_param;

typedef struct bench_job {
    const bench_work *w;
    bench_phase phase;
    char text[2][64]; /* storage for text parameters */
} bench_job;

static size_t job_count(const bench_job *j)
{
    switch (j->phase) {
    case PH_INSERT:
        return j->w->nrows;
    case PH_GET:
    case PH_FILTER_BY:
    case PH_UPDATE:
    case PH_DELETE:
        return j->w->nkeys;
    default:
        return 1;
    }
}

static void param_text(bench_job *j, bench_param *p, int slot, int len)
{
    p->is_text = 1;
    p->s = j->text[slot];
    p->len = len > 0 ? (size_t)len : 0;
}

static void param_int(bench_param *p, int64_t v)
{
    p->is_text = 0;
    p->i = v;
}

/* The parameters of execution `i` of the job's statement. 0 or -1 (no
 * random bytes). */
static int job_fill(bench_job *j, size_t i, bench_param *p)
{
    const int64_t *keys = j->w->keys[j->phase];
    int n;
    switch (j->phase) {
    case PH_INSERT:
        n = snprintf(j->text[0], sizeof j->text[0], "user%07zu", i + 1);
        param_text(j, &p[0], 0, n);
        if (bench_hex_token(j->w->hex, j->text[1], 16))
            return -1;
        param_text(j, &p[1], 1, 32);
        return 0;
    case PH_GET:
    case PH_DELETE:
        param_int(&p[0], keys[i]);
        return 0;
    case PH_FILTER_BY:
        n = snprintf(j->text[0], sizeof j->text[0], "user%07" PRId64, keys[i]);
        param_text(j, &p[0], 0, n);
        return 0;
    case PH_UPDATE:
        n = snprintf(j->text[0], sizeof j->text[0], "upd%07" PRId64, keys[i]);
        param_text(j, &p[0], 0, n);
        param_int(&p[1], keys[i]);
        return 0;
    case PH_LIKE:
        n = snprintf(j->text[0], sizeof j->text[0], "%%99%%");
        param_text(j, &p[0], 0, n);
        return 0;
    case PH_OR:
        n = snprintf(j->text[0], sizeof j->text[0], "user0000001");
        param_text(j, &p[0], 0, n);
        n = snprintf(j->text[1], sizeof j->text[1], "user0000002");
        param_text(j, &p[1], 1, n);
        return 0;
    case PH_AND:
        n = snprintf(j->text[0], sizeof j->text[0], "admin");
        param_text(j, &p[0], 0, n);
        param_int(&p[1], 10);
        return 0;
    default:
        return 0;
    }
}

/* The raw statements, written as a person would write them by hand.
 * `dollar`: PostgreSQL's $n placeholders instead of ?. */
static int raw_sql(char *out, size_t cap, bench_phase ph, const char *table,
                   int dollar, size_t *nparams)
{
    const char *p1 = dollar ? "$1" : "?", *p2 = dollar ? "$2" : "?";
    static const char cols[] = "SELECT id, handle, secret_key FROM ";
    int n;
    *nparams = 0;
    switch (ph) {
    case PH_INSERT:
        n = snprintf(out, cap,
                     "INSERT INTO %s (handle, secret_key) VALUES (%s, %s)",
                     table, p1, p2);
        *nparams = 2;
        break;
    case PH_GET:
        n = snprintf(out, cap, "%s%s WHERE id = %s", cols, table, p1);
        *nparams = 1;
        break;
    case PH_FILTER_BY:
        n = snprintf(out, cap, "%s%s WHERE handle = %s", cols, table, p1);
        *nparams = 1;
        break;
    case PH_LIKE:
        n = snprintf(out, cap, "%s%s WHERE handle LIKE %s", cols, table, p1);
        *nparams = 1;
        break;
    case PH_OR:
        n = snprintf(out, cap, "%s%s WHERE handle = %s OR handle = %s", cols,
                     table, p1, p2);
        *nparams = 2;
        break;
    case PH_AND:
        n = snprintf(out, cap, "%s%s WHERE handle <> %s AND id > %s", cols,
                     table, p1, p2);
        *nparams = 2;
        break;
    case PH_UPDATE:
        n = snprintf(out, cap, "UPDATE %s SET handle = %s WHERE id = %s", table,
                     p1, p2);
        *nparams = 2;
        break;
    case PH_DELETE:
        n = snprintf(out, cap, "DELETE FROM %s WHERE id = %s", table, p1);
        *nparams = 1;
        break;
    case PH_STREAM:
        n = snprintf(out, cap, "%s%s", cols, table);
        break;
    default:
        return -1;
    }
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int phase_is_write(bench_phase ph)
{
    return ph == PH_INSERT || ph == PH_UPDATE || ph == PH_DELETE;
}

/* ======================== the ORM side ======================== */

typedef struct orm_side {
    orm_db *db;
    char err[BENCH_ERR_MAX];
} orm_side;

static int orm_fail(orm_side *o, const char *what, const orm_error *e)
{
    snprintf(o->err, sizeof o->err, "%s: %s", what, orm_error_text(e));
    return -1;
}

static void orm_sum_record(bench_sum *sum, const orm_record *rec)
{
    const orm_value *id = orm_record_value(rec, 0);
    const orm_value *handle = orm_record_value(rec, 1);
    const orm_value *secret = orm_record_value(rec, 2);
    sum_row(sum, id->kind == ORM_VINT ? id->u.i : 0,
            handle->kind == ORM_VTEXT ? handle->u.s.len : 0,
            secret->kind == ORM_VTEXT ? secret->u.s.len : 0);
}

static int orm_insert(orm_side *o, orm_session *s, const bench_work *w,
                      bench_sum *sum)
{
    orm_error err = ORM_ERROR_INIT;
    char handle[32];
    int rc = 0;
    for (size_t i = 0; i < w->nrows && rc == 0; i++) {
        orm_record *rec = NULL;
        orm_value v;
        int n = snprintf(handle, sizeof handle, "user%07zu", i + 1);
        v = orm_value_textn(handle, n > 0 ? (size_t)n : 0);
        if ((rc = orm_record_new(&rec, &orm_account)) != 0) {
            snprintf(o->err, sizeof o->err, "orm_record_new: %s",
                     orm_strerror(rc));
            break;
        }
        if ((rc = orm_record_set(rec, "handle", &v, &err)) != 0) {
            orm_fail(o, "orm_record_set", &err);
            orm_record_free(rec);
            break;
        }
        if ((rc = orm_session_add(s, rec)) != 0) {
            orm_fail(o, "orm_session_add", orm_session_error(s));
            orm_record_free(rec);
            break;
        }
    }
    if (rc == 0) {
        double t0 = bench_now();
        rc = orm_session_commit(s);
        sum->commit_s = bench_now() - t0;
        if (rc)
            orm_fail(o, "commit", orm_session_error(s));
        else
            sum->rows = (int64_t)w->nrows;
    }
    orm_error_clear(&err);
    return rc ? -1 : 0;
}

/* Load the rows an update or delete will touch with a few
 * `id in (...)` queries, as an ORM user changing 10,000 known rows
 * would: the gets that follow are identity-map hits, not round trips. */
static int orm_prefetch(orm_side *o, orm_session *s, const int64_t *keys,
                        size_t nkeys)
{
    enum { CHUNK = 500 };
    for (size_t i = 0; i < nkeys; i += CHUNK) {
        size_t n = nkeys - i < CHUNK ? nkeys - i : CHUNK;
        orm_expr *values[CHUNK];
        orm_query *q = NULL;
        orm_record **rows = NULL;
        size_t nrows = 0;
        for (size_t j = 0; j < n; j++)
            values[j] = orm_int(keys[i + j]);
        int rc = orm_query_new(&q, s, &orm_account);
        if (rc == 0)
            rc = orm_query_filter(q, orm_in(orm_col("id"), values, n));
        if (rc == 0)
            rc = orm_query_all(q, &rows, &nrows);
        if (rc)
            orm_fail(o, "prefetch", orm_query_error(q));
        free(rows);
        orm_query_free(q);
        if (rc)
            return rc;
    }
    return 0;
}

/* get, update (get + set), delete (get + delete); one commit. */
static int orm_by_key(orm_side *o, orm_session *s, bench_phase ph,
                      const bench_work *w, bench_sum *sum)
{
    orm_error err = ORM_ERROR_INIT;
    char handle[32];
    int rc = 0;
    double t_load = bench_now();
    if (ph != PH_GET && orm_prefetch(o, s, w->keys[ph], w->nkeys) != 0)
        return -1;
    if (ph != PH_GET)
        sum->load_s = bench_now() - t_load;
    for (size_t i = 0; i < w->nkeys && rc == 0; i++) {
        int64_t key = w->keys[ph][i];
        orm_value pk = orm_value_int(key);
        orm_record *rec = NULL;
        rc = orm_session_get(s, &orm_account, &pk, &rec);
        if (rc == ORM_DONE) {
            rc = 0;
            continue;
        }
        if (rc != ORM_ROW) {
            orm_fail(o, "orm_session_get", orm_session_error(s));
            break;
        }
        rc = 0;
        if (ph == PH_GET) {
            orm_sum_record(sum, rec);
        } else if (ph == PH_UPDATE) {
            int n = snprintf(handle, sizeof handle, "upd%07" PRId64, key);
            orm_value v = orm_value_textn(handle, n > 0 ? (size_t)n : 0);
            if ((rc = orm_record_set(rec, "handle", &v, &err)) != 0)
                orm_fail(o, "orm_record_set", &err);
            sum->rows++;
        } else {
            if ((rc = orm_session_delete(s, rec)) != 0)
                orm_fail(o, "orm_session_delete", orm_session_error(s));
            sum->rows++;
        }
    }
    if (rc == 0 && ph != PH_GET) {
        double t0 = bench_now();
        rc = orm_session_commit(s);
        sum->commit_s = bench_now() - t0;
        if (rc)
            orm_fail(o, "commit", orm_session_error(s));
    }
    orm_error_clear(&err);
    return rc ? -1 : 0;
}

static int orm_filter_by(orm_side *o, orm_session *s, const bench_work *w,
                         bench_sum *sum)
{
    char handle[32];
    int rc = 0;
    for (size_t i = 0; i < w->nkeys && rc == 0; i++) {
        orm_query *q = NULL;
        orm_record *rec = NULL;
        int n = snprintf(handle, sizeof handle, "user%07" PRId64,
                         w->keys[PH_FILTER_BY][i]);
        orm_value v = orm_value_textn(handle, n > 0 ? (size_t)n : 0);
        if ((rc = orm_query_new(&q, s, &orm_account)) != 0) {
            snprintf(o->err, sizeof o->err, "orm_query_new: %s",
                     orm_strerror(rc));
            break;
        }
        rc = orm_query_filter_by(q, "handle", &v);
        if (rc == 0)
            rc = orm_query_first(q, &rec);
        if (rc == ORM_ROW)
            orm_sum_record(sum, rec);
        if (rc == ORM_ROW || rc == ORM_DONE)
            rc = 0;
        else
            orm_fail(o, "filter_by().first()", orm_query_error(q));
        orm_query_free(q);
    }
    return rc ? -1 : 0;
}

/* The seed's filter(...).all() queries. */
static orm_expr *orm_phase_expr(bench_phase ph)
{
    switch (ph) {
    case PH_LIKE:
        return orm_like(orm_col("handle"), orm_str("%99%"));
    case PH_OR:
        return orm_or(orm_eq(orm_col("handle"), orm_str("user0000001")),
                      orm_eq(orm_col("handle"), orm_str("user0000002")));
    case PH_AND:
        return orm_and(orm_ne(orm_col("handle"), orm_str("admin")),
                       orm_gt(orm_col("id"), orm_int(10)));
    default:
        return NULL;
    }
}

static int orm_all(orm_side *o, orm_session *s, bench_phase ph, bench_sum *sum,
                   int verbose)
{
    orm_query *q = NULL;
    orm_record **recs = NULL;
    size_t n = 0;
    int rc = orm_query_new(&q, s, &orm_account);
    if (rc) {
        snprintf(o->err, sizeof o->err, "orm_query_new: %s", orm_strerror(rc));
        return -1;
    }
    rc = orm_query_filter(q, orm_phase_expr(ph));
    if (rc == 0 && verbose) {
        char *sql = NULL;
        orm_value *params = NULL;
        size_t nparams = 0;
        if (orm_query_sql(q, &sql, &params, &nparams) == 0)
            fprintf(stderr, "  orm %s: %s\n", phase_names[ph], sql);
        free(sql);
        orm_query_params_free(params, nparams);
    }
    if (rc == 0)
        rc = orm_query_all(q, &recs, &n);
    if (rc)
        orm_fail(o, "filter().all()", orm_query_error(q));
    for (size_t i = 0; i < n; i++)
        orm_sum_record(sum, recs[i]);
    free(recs);
    orm_query_free(q);
    return rc ? -1 : 0;
}

static int orm_stream(orm_side *o, orm_session *s, const bench_work *w,
                      bench_sum *sum)
{
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row;
    int rc = orm_query_new(&q, s, &orm_account);
    if (rc) {
        snprintf(o->err, sizeof o->err, "orm_query_new: %s", orm_strerror(rc));
        return -1;
    }
    sum->rss_start_kib = sum->rss_max_kib = bench_rss_now_kib();
    rc = orm_query_cursor(q, &c);
    while (rc == 0 && (rc = orm_cursor_next(c, &row)) == ORM_ROW) {
        sum_row(sum, row[0].kind == ORM_VINT ? row[0].u.i : 0,
                row[1].kind == ORM_VTEXT ? row[1].u.s.len : 0,
                row[2].kind == ORM_VTEXT ? row[2].u.s.len : 0);
        sample_rss(sum, w);
        rc = 0;
    }
    if (rc != ORM_DONE)
        orm_fail(o, "cursor", orm_query_error(q));
    if (w->sample_rss) {
        long now = bench_rss_now_kib();
        if (now > sum->rss_max_kib)
            sum->rss_max_kib = now;
    }
    orm_cursor_free(c);
    orm_query_free(q);
    return rc == ORM_DONE ? 0 : -1;
}

/* One phase through the ORM, each in a fresh session (freeing it is part
 * of the time: a program pays for it too). */
static int orm_phase(orm_side *o, bench_phase ph, const bench_work *w,
                     bench_sum *sum, int verbose)
{
    orm_session *s = NULL;
    int rc;
    if (ph == PH_CREATE) {
        if (orm_db_create_all(o->db) != 0)
            return orm_fail(o, "create_all", orm_db_error(o->db));
        return 0;
    }
    if (orm_session_new(&s, o->db) != 0) {
        snprintf(o->err, sizeof o->err, "orm_session_new: out of memory");
        return -1;
    }
    /* One transaction per phase, as on the raw side: reads share it, and
     * the write phases' commit ends it. */
    if (orm_session_begin(s) != 0) {
        orm_fail(o, "orm_session_begin", orm_session_error(s));
        orm_session_free(s);
        return -1;
    }
    switch (ph) {
    case PH_INSERT:
        rc = orm_insert(o, s, w, sum);
        break;
    case PH_GET:
    case PH_UPDATE:
    case PH_DELETE:
        rc = orm_by_key(o, s, ph, w, sum);
        break;
    case PH_FILTER_BY:
        rc = orm_filter_by(o, s, w, sum);
        break;
    case PH_LIKE:
    case PH_OR:
    case PH_AND:
        rc = orm_all(o, s, ph, sum, verbose);
        break;
    case PH_STREAM:
        rc = orm_stream(o, s, w, sum);
        break;
    default:
        rc = -1;
    }
    if (rc == 0 && !phase_is_write(ph) && orm_session_commit(s) != 0)
        rc = orm_fail(o, "commit", orm_session_error(s));
    orm_session_free(s);
    return rc;
}

/* ======================== the raw side ======================== */

/*
 * One dialect's raw C API. Every phase prepares its statement once and
 * runs it in one transaction. `table` lets the runner fill the ORM's
 * table too (setup for --phase, and the streaming mode).
 */
typedef struct raw_ops {
    const char *dialect;
    int (*open)(void **out, const orm_url *url, char *err);
    void (*close)(void *conn);
    /* Statements without parameters or results, ";\n"-separated. */
    int (*exec)(void *conn, const char *sql);
    int (*run)(void *conn, bench_job *job, const char *table, bench_sum *sum);
    const char *(*error)(void *conn);
} raw_ops;

/* ---- SQLite ---- */

typedef struct raw_sqlite {
    sqlite3 *db;
    char err[BENCH_ERR_MAX];
} raw_sqlite;

static int rs_fail(raw_sqlite *c, const char *what)
{
    snprintf(c->err, sizeof c->err, "%s: %s", what, sqlite3_errmsg(c->db));
    return -1;
}

static int rs_open(void **out, const orm_url *url, char *err)
{
    raw_sqlite *c = calloc(1, sizeof *c);
    const char *path = url->database;
    *out = NULL;
    if (!c) {
        snprintf(err, BENCH_ERR_MAX, "out of memory");
        return -1;
    }
    if (!path || !*path || strcmp(path, ":memory:") == 0) {
        snprintf(err, BENCH_ERR_MAX,
                 "an in-memory SQLite database cannot be shared by the two "
                 "sides: name a file");
        free(c);
        return -1;
    }
    /* The settings orb's driver uses, so both sides run the same engine. */
    if (sqlite3_open_v2(path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(c->db, 5000) != SQLITE_OK ||
        sqlite3_exec(c->db,
                     "PRAGMA foreign_keys=ON; PRAGMA case_sensitive_like=ON; "
                     "PRAGMA journal_mode=WAL;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, BENCH_ERR_MAX, "sqlite3_open %s: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close_v2(c->db);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

static void rs_close(void *conn)
{
    raw_sqlite *c = conn;
    if (!c)
        return;
    sqlite3_close_v2(c->db);
    free(c);
}

static int rs_exec(void *conn, const char *sql)
{
    raw_sqlite *c = conn;
    return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : rs_fail(c, "exec");
}

static const char *rs_error(void *conn)
{
    return ((raw_sqlite *)conn)->err;
}

static int rs_run(void *conn, bench_job *job, const char *table, bench_sum *sum)
{
    raw_sqlite *c = conn;
    sqlite3_stmt *st = NULL;
    char sql[256];
    size_t nparams, count = job_count(job);
    int write = phase_is_write(job->phase);
    bench_param p[2];
    int rc = -1;

    if (raw_sql(sql, sizeof sql, job->phase, table, 0, &nparams))
        return -1;
    if (rs_exec(c, write ? "BEGIN IMMEDIATE" : "BEGIN"))
        return -1;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rs_fail(c, "prepare");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        int step;
        if (job_fill(job, i, p)) {
            snprintf(c->err, sizeof c->err, "no random bytes");
            goto done;
        }
        for (size_t k = 0; k < nparams; k++) {
            int brc = p[k].is_text
                          ? sqlite3_bind_text(st, (int)k + 1, p[k].s,
                                              (int)p[k].len, SQLITE_STATIC)
                          : sqlite3_bind_int64(st, (int)k + 1, p[k].i);
            if (brc != SQLITE_OK) {
                rs_fail(c, "bind");
                goto done;
            }
        }
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            /* Read every column as a program would: text pointers and
             * lengths (bytes after text, as SQLite recommends). */
            int64_t id = sqlite3_column_int64(st, 0);
            const unsigned char *handle = sqlite3_column_text(st, 1);
            size_t handle_len = (size_t)sqlite3_column_bytes(st, 1);
            const unsigned char *secret = sqlite3_column_text(st, 2);
            size_t secret_len = (size_t)sqlite3_column_bytes(st, 2);
            sum_row(sum, id, handle ? handle_len : 0, secret ? secret_len : 0);
        }
        if (step != SQLITE_DONE) {
            rs_fail(c, "step");
            goto done;
        }
        if (write)
            sum->rows += sqlite3_changes(c->db);
        sqlite3_reset(st);
    }
    rc = 0;
done:
    sqlite3_finalize(st);
    if (rc == 0 && rs_exec(c, "COMMIT"))
        rc = -1;
    if (rc)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static const raw_ops raw_sqlite_ops = {
    .dialect = "sqlite",
    .open = rs_open,
    .close = rs_close,
    .exec = rs_exec,
    .run = rs_run,
    .error = rs_error,
};

/* ---- PostgreSQL ---- */

typedef struct raw_pg {
    PGconn *pg;
    char err[BENCH_ERR_MAX];
} raw_pg;

static int rp_fail(raw_pg *c, const char *what, const PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : "";
    if (!msg || !*msg)
        msg = PQerrorMessage(c->pg);
    snprintf(c->err, sizeof c->err, "%s: %s", what, msg);
    /* libpq messages end in a newline. */
    size_t n = strlen(c->err);
    if (n && c->err[n - 1] == '\n')
        c->err[n - 1] = '\0';
    return -1;
}

/* DROP TABLE IF EXISTS would print a NOTICE in the middle of the table. */
static void rp_ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int rp_open(void **out, const orm_url *url, char *err)
{
    raw_pg *c = calloc(1, sizeof *c);
    const char *keys[32], *vals[32];
    char port[16];
    size_t n = 0;
    *out = NULL;
    if (!c) {
        snprintf(err, BENCH_ERR_MAX, "out of memory");
        return -1;
    }
    const char *fixed[][2] = {{"host", url->host},
                              {"user", url->user},
                              {"password", url->password},
                              {"dbname", url->database}};
    for (size_t i = 0; i < 4; i++)
        if (fixed[i][1]) {
            keys[n] = fixed[i][0];
            vals[n++] = fixed[i][1];
        }
    if (url->port > 0) {
        snprintf(port, sizeof port, "%d", url->port);
        keys[n] = "port";
        vals[n++] = port;
    }
    for (size_t i = 0; i < url->nparams && n < 28; i++) {
        keys[n] = url->params[i].key;
        vals[n++] = url->params[i].value;
    }
    keys[n] = "client_encoding";
    vals[n++] = "UTF8";
    keys[n] = NULL;
    vals[n] = NULL;
    c->pg = PQconnectdbParams(keys, vals, 0);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        /* libpq's connection messages never include the password. */
        snprintf(err, BENCH_ERR_MAX, "PQconnectdbParams: %s",
                 c->pg ? PQerrorMessage(c->pg) : "out of memory");
        PQfinish(c->pg);
        free(c);
        return -1;
    }
    PQsetNoticeProcessor(c->pg, rp_ignore_notice, NULL);
    *out = c;
    return 0;
}

static void rp_close(void *conn)
{
    raw_pg *c = conn;
    if (!c)
        return;
    PQfinish(c->pg);
    free(c);
}

static int rp_exec(void *conn, const char *sql)
{
    raw_pg *c = conn;
    PGresult *res = PQexec(c->pg, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
             PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        rp_fail(c, "exec", res);
    PQclear(res);
    return ok ? 0 : -1;
}

static const char *rp_error(void *conn)
{
    return ((raw_pg *)conn)->err;
}

/* Text parameters for libpq: integers are printed into `ibuf`. */
static void rp_values(const bench_param *p, size_t n, char ibuf[][24],
                      const char **values, int *lengths)
{
    for (size_t k = 0; k < n; k++) {
        if (p[k].is_text) {
            values[k] = p[k].s;
            lengths[k] = (int)p[k].len;
        } else {
            int len = snprintf(ibuf[k], 24, "%" PRId64, p[k].i);
            values[k] = ibuf[k];
            lengths[k] = len;
        }
    }
}

static void rp_sum_rows(const PGresult *res, bench_sum *sum)
{
    int rows = PQntuples(res);
    for (int r = 0; r < rows; r++) {
        sum_row(sum, strtoll(PQgetvalue(res, r, 0), NULL, 10),
                (size_t)PQgetlength(res, r, 1), (size_t)PQgetlength(res, r, 2));
    }
}

/* Read pipeline results until `target` syncs have come back. */
static int rp_drain(raw_pg *c, int *syncs, int target, bench_sum *sum,
                    int *failed)
{
    while (*syncs < target) {
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            if (PQstatus(c->pg) != CONNECTION_OK)
                return rp_fail(c, "pipeline", NULL);
            continue;
        }
        switch (PQresultStatus(res)) {
        case PGRES_COMMAND_OK: {
            const char *tuples = PQcmdTuples(res);
            if (*tuples)
                sum->rows += strtoll(tuples, NULL, 10);
            break;
        }
        case PGRES_PIPELINE_SYNC:
            (*syncs)++;
            break;
        case PGRES_PIPELINE_ABORTED:
            break;
        default:
            if (!*failed)
                rp_fail(c, "pipeline", res);
            *failed = 1;
        }
        PQclear(res);
    }
    return 0;
}

/* Writes in pipeline mode: one transaction, a sync every BENCH_BATCH
 * statements, and the results of one batch read while the next is on
 * its way, so neither side's socket buffer can fill up and stall. */
static int rp_write(raw_pg *c, bench_job *job, const char *sql, size_t nparams,
                    bench_sum *sum)
{
    size_t count = job_count(job);
    bench_param p[2];
    char ibuf[2][24];
    const char *values[2];
    int lengths[2];
    int sent = 0, syncs = 0, failed = 0, rc = -1;
    PGresult *res = PQprepare(c->pg, "bench_w", sql, (int)nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rp_fail(c, "prepare", res);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    if (!PQenterPipelineMode(c->pg)) {
        rp_fail(c, "PQenterPipelineMode", NULL);
        goto deallocate;
    }
    if (!PQsendQueryParams(c->pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0))
        goto fail;
    for (size_t i = 0; i < count; i++) {
        if (job_fill(job, i, p)) {
            snprintf(c->err, sizeof c->err, "no random bytes");
            goto fail;
        }
        rp_values(p, nparams, ibuf, values, lengths);
        if (!PQsendQueryPrepared(c->pg, "bench_w", (int)nparams, values,
                                 lengths, NULL, 0))
            goto fail;
        if ((i + 1) % BENCH_BATCH == 0) {
            if (!PQpipelineSync(c->pg))
                goto fail;
            sent++;
            if (sent >= 2 && rp_drain(c, &syncs, sent - 1, sum, &failed))
                goto exit_pipeline;
        }
    }
    if (!PQsendQueryParams(c->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
        !PQpipelineSync(c->pg))
        goto fail;
    sent++;
    if (rp_drain(c, &syncs, sent, sum, &failed))
        goto exit_pipeline;
    rc = failed ? -1 : 0;
    goto exit_pipeline;
fail:
    rp_fail(c, "pipeline send", NULL);
    /* Whatever was queued comes back (aborted) before we can leave. */
    if (PQpipelineSync(c->pg)) {
        sent++;
        rp_drain(c, &syncs, sent, sum, &failed);
    }
exit_pipeline:
    PQexitPipelineMode(c->pg);
    if (rc)
        PQclear(PQexec(c->pg, "ROLLBACK"));
deallocate:
    PQclear(PQexec(c->pg, "DEALLOCATE bench_w"));
    return rc;
}

/* Streaming: single-row mode, one row in memory at a time. */
static int rp_stream(raw_pg *c, const char *sql, bench_sum *sum)
{
    int rc = 0;
    PGresult *res;
    if (!PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0))
        return rp_fail(c, "send", NULL);
    if (!PQsetSingleRowMode(c->pg))
        rc = rp_fail(c, "PQsetSingleRowMode", NULL);
    while ((res = PQgetResult(c->pg)) != NULL) {
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_SINGLE_TUPLE)
            rp_sum_rows(res, sum);
        else if (status != PGRES_TUPLES_OK && rc == 0)
            rc = rp_fail(c, "stream", res);
        PQclear(res);
    }
    return rc;
}

static int rp_run(void *conn, bench_job *job, const char *table, bench_sum *sum)
{
    raw_pg *c = conn;
    char sql[256];
    size_t nparams, count = job_count(job);
    bench_param p[2];
    char ibuf[2][24];
    const char *values[2];
    int lengths[2];
    int rc = -1;
    PGresult *res;

    if (raw_sql(sql, sizeof sql, job->phase, table, 1, &nparams))
        return -1;
    if (phase_is_write(job->phase))
        return rp_write(c, job, sql, nparams, sum);
    if (rp_exec(c, "BEGIN"))
        return -1;
    if (job->phase == PH_STREAM) {
        rc = rp_stream(c, sql, sum);
        goto done;
    }
    res = PQprepare(c->pg, "bench_r", sql, (int)nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rp_fail(c, "prepare", res);
        PQclear(res);
        goto done;
    }
    PQclear(res);
    for (size_t i = 0; i < count; i++) {
        job_fill(job, i, p);
        rp_values(p, nparams, ibuf, values, lengths);
        res = PQexecPrepared(c->pg, "bench_r", (int)nparams, values, lengths,
                             NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            rp_fail(c, "execute", res);
            PQclear(res);
            goto done;
        }
        rp_sum_rows(res, sum);
        PQclear(res);
    }
    rc = 0;
done:
    if (rc == 0 && rp_exec(c, "COMMIT"))
        rc = -1;
    if (rc)
        PQclear(PQexec(c->pg, "ROLLBACK"));
    PQclear(PQexec(c->pg, "DEALLOCATE ALL"));
    return rc;
}

static const raw_ops raw_pg_ops = {
    .dialect = "postgresql",
    .open = rp_open,
    .close = rp_close,
    .exec = rp_exec,
    .run = rp_run,
    .error = rp_error,
};

/* ---- MySQL / MariaDB ---- */

typedef struct raw_my {
    MYSQL *my;
    char err[BENCH_ERR_MAX];
} raw_my;

static int rm_fail(raw_my *c, const char *what, MYSQL_STMT *st)
{
    snprintf(c->err, sizeof c->err, "%s: %s", what,
             st ? mysql_stmt_error(st) : mysql_error(c->my));
    return -1;
}

static int rm_open(void **out, const orm_url *url, char *err)
{
    raw_my *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c || !(c->my = mysql_init(NULL))) {
        snprintf(err, BENCH_ERR_MAX, "out of memory");
        free(c);
        return -1;
    }
    mysql_options(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(c->my, url->host, url->user, url->password,
                            url->database, (unsigned)url->port, NULL, 0) ||
        mysql_query(c->my, "SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin")) {
        /* The server's messages name the user, never the password. */
        snprintf(err, BENCH_ERR_MAX, "mysql_real_connect: %s",
                 mysql_error(c->my));
        mysql_close(c->my);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

static void rm_close(void *conn)
{
    raw_my *c = conn;
    if (!c)
        return;
    mysql_close(c->my);
    free(c);
}

/* MySQL runs one statement per call: split at ";\n". */
static int rm_exec(void *conn, const char *sql)
{
    raw_my *c = conn;
    const char *p = sql;
    while (*p) {
        const char *end = strstr(p, ";\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len && mysql_real_query(c->my, p, (unsigned long)len))
            return rm_fail(c, "exec", NULL);
        p += len + (end ? 2 : 0);
    }
    return 0;
}

static const char *rm_error(void *conn)
{
    return ((raw_my *)conn)->err;
}

/* Parameter bindings pointing at the job's parameters. */
typedef struct rm_params {
    MYSQL_BIND bind[2];
    unsigned long length[2];
    long long ival[2];
} rm_params;

static void rm_params_set(rm_params *mp, const bench_param *p, size_t n)
{
    memset(mp->bind, 0, sizeof mp->bind);
    for (size_t k = 0; k < n; k++) {
        MYSQL_BIND *b = &mp->bind[k];
        if (p[k].is_text) {
            b->buffer_type = MYSQL_TYPE_STRING;
            b->buffer = (void *)(uintptr_t)p[k].s;
            mp->length[k] = (unsigned long)p[k].len;
            b->buffer_length = mp->length[k];
            b->length = &mp->length[k];
        } else {
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            mp->ival[k] = p[k].i;
            b->buffer = &mp->ival[k];
        }
    }
}

/* "INSERT INTO t (handle, secret_key) VALUES (?, ?), ..." for `rows`
 * rows; owned text or NULL. */
static char *rm_insert_sql(const char *table, size_t rows, size_t *len)
{
    static const char row_text[] = ", (?, ?)";
    char head[128];
    int n = snprintf(head, sizeof head,
                     "INSERT INTO %s (handle, secret_key) VALUES ", table);
    size_t cap, at;
    char *sql;
    if (n < 0 || (size_t)n >= sizeof head || rows == 0)
        return NULL;
    cap = (size_t)n + rows * (sizeof row_text - 1) + 1;
    if (!(sql = malloc(cap)))
        return NULL;
    memcpy(sql, head, (size_t)n);
    at = (size_t)n;
    for (size_t r = 0; r < rows; r++) {
        /* The first row goes without the leading ", ". */
        const char *piece = r ? row_text : row_text + 2;
        size_t plen = r ? sizeof row_text - 1 : sizeof row_text - 3;
        memcpy(sql + at, piece, plen);
        at += plen;
    }
    sql[at] = '\0';
    *len = at;
    return sql;
}

/* Multi-row INSERT: BENCH_BATCH rows per execution of one prepared
 * statement (a second one for the remainder). */
static int rm_insert(raw_my *c, bench_job *job, const char *table,
                     bench_sum *sum)
{
    size_t count = job_count(job);
    size_t rows_per = count < BENCH_BATCH ? count : BENCH_BATCH;
    MYSQL_STMT *st = NULL;
    MYSQL_BIND *bind = calloc(2 * (rows_per ? rows_per : 1), sizeof *bind);
    unsigned long *length =
        calloc(2 * (rows_per ? rows_per : 1), sizeof *length);
    char(*text)[40] = calloc(2 * (rows_per ? rows_per : 1), sizeof *text);
    size_t st_rows = 0;
    int rc = -1;
    char *sql = NULL;
    size_t sql_len = 0;
    bench_param p[2];

    if (!bind || !length || !text) {
        snprintf(c->err, sizeof c->err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count;) {
        size_t rows = count - i < rows_per ? count - i : rows_per;
        if (rows != st_rows) {
            if (st)
                mysql_stmt_close(st);
            st = NULL;
            free(sql);
            sql = rm_insert_sql(table, rows, &sql_len);
            if (!sql || !(st = mysql_stmt_init(c->my))) {
                snprintf(c->err, sizeof c->err, "out of memory");
                goto done;
            }
            if (mysql_stmt_prepare(st, sql, (unsigned long)sql_len)) {
                rm_fail(c, "prepare", st);
                goto done;
            }
            for (size_t k = 0; k < 2 * rows; k++) {
                memset(&bind[k], 0, sizeof bind[k]);
                bind[k].buffer_type = MYSQL_TYPE_STRING;
                bind[k].buffer = text[k];
                bind[k].buffer_length = sizeof text[k];
                bind[k].length = &length[k];
            }
            if (mysql_stmt_bind_param(st, bind)) {
                rm_fail(c, "bind", st);
                goto done;
            }
            st_rows = rows;
        }
        for (size_t r = 0; r < rows; r++) {
            if (job_fill(job, i + r, p)) {
                snprintf(c->err, sizeof c->err, "no random bytes");
                goto done;
            }
            for (size_t k = 0; k < 2; k++) {
                memcpy(text[2 * r + k], p[k].s, p[k].len);
                length[2 * r + k] = (unsigned long)p[k].len;
            }
        }
        if (mysql_stmt_execute(st)) {
            rm_fail(c, "execute", st);
            goto done;
        }
        sum->rows += (int64_t)mysql_stmt_affected_rows(st);
        i += rows;
    }
    rc = 0;
done:
    if (st)
        mysql_stmt_close(st);
    free(sql);
    free(bind);
    free(length);
    free(text);
    return rc;
}

static int rm_run(void *conn, bench_job *job, const char *table, bench_sum *sum)
{
    raw_my *c = conn;
    char sql[256];
    size_t nparams, count = job_count(job);
    bench_param p[2];
    rm_params mp;
    MYSQL_STMT *st = NULL;
    MYSQL_BIND result[3];
    long long id = 0;
    char handle[256], secret[1024];
    unsigned long handle_len = 0, secret_len = 0;
    int rc = -1;

    if (raw_sql(sql, sizeof sql, job->phase, table, 0, &nparams))
        return -1;
    if (mysql_query(c->my, "START TRANSACTION"))
        return rm_fail(c, "begin", NULL);
    if (job->phase == PH_INSERT) {
        rc = rm_insert(c, job, table, sum);
        goto done;
    }
    if (!(st = mysql_stmt_init(c->my))) {
        snprintf(c->err, sizeof c->err, "out of memory");
        goto done;
    }
    if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql))) {
        rm_fail(c, "prepare", st);
        goto done;
    }
    memset(result, 0, sizeof result);
    result[0].buffer_type = MYSQL_TYPE_LONGLONG;
    result[0].buffer = &id;
    result[1].buffer_type = MYSQL_TYPE_STRING;
    result[1].buffer = handle;
    result[1].buffer_length = sizeof handle;
    result[1].length = &handle_len;
    result[2].buffer_type = MYSQL_TYPE_STRING;
    result[2].buffer = secret;
    result[2].buffer_length = sizeof secret;
    result[2].length = &secret_len;
    if (mysql_stmt_field_count(st) == 3 && mysql_stmt_bind_result(st, result)) {
        rm_fail(c, "bind result", st);
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        int fetch;
        job_fill(job, i, p);
        rm_params_set(&mp, p, nparams);
        if (nparams && mysql_stmt_bind_param(st, mp.bind)) {
            rm_fail(c, "bind", st);
            goto done;
        }
        if (mysql_stmt_execute(st)) {
            rm_fail(c, "execute", st);
            goto done;
        }
        if (mysql_stmt_field_count(st) == 0) {
            sum->rows += (int64_t)mysql_stmt_affected_rows(st);
            continue;
        }
        /* Unbuffered: rows come off the socket as they are fetched. */
        while ((fetch = mysql_stmt_fetch(st)) == 0) {
            sum_row(sum, id, handle_len, secret_len);
        }
        if (fetch != MYSQL_NO_DATA) {
            rm_fail(c, "fetch", st);
            goto done;
        }
    }
    rc = 0;
done:
    if (st)
        mysql_stmt_close(st);
    if (mysql_query(c->my, rc == 0 ? "COMMIT" : "ROLLBACK") && rc == 0)
        rc = rm_fail(c, "commit", NULL);
    return rc;
}

static const raw_ops raw_my_ops = {
    .dialect = "mysql",
    .open = rm_open,
    .close = rm_close,
    .exec = rm_exec,
    .run = rm_run,
    .error = rm_error,
};

/* ======================== the runner ======================== */

typedef struct bench_ctx {
    bench_config cfg;
    orm_side orm;
    const raw_ops *raw;
    void *raw_conn;
    char *ddl[SIDE_COUNT]; /* CREATE TABLE text for each side's table */
    bench_work work;
    bench_hex hex;
    int64_t *keys[PH_COUNT];
    /* times[phase][side][repetition] */
    double *times[PH_COUNT][SIDE_COUNT];
    bench_sum sums[PH_COUNT][SIDE_COUNT];
    int ran[PH_COUNT];
} bench_ctx;

static const char *const side_tables[SIDE_COUNT] = {BENCH_ORM_TABLE,
                                                    BENCH_RAW_TABLE};
static const char *const side_names[SIDE_COUNT] = {"orm", "raw"};

static void callgrind_zero(const bench_ctx *x)
{
#ifdef BENCH_HAVE_CALLGRIND
    if (x->cfg.callgrind)
        CALLGRIND_ZERO_STATS;
#else
    (void)x;
#endif
}

static void callgrind_dump(const bench_ctx *x, bench_side side, bench_phase ph)
{
#ifdef BENCH_HAVE_CALLGRIND
    char label[64];
    if (!x->cfg.callgrind)
        return;
    snprintf(label, sizeof label, "%s %s", side_names[side], phase_names[ph]);
    CALLGRIND_DUMP_STATS_AT(label);
#else
    (void)x;
    (void)side;
    (void)ph;
#endif
}

static int drop_tables(bench_ctx *x)
{
    for (int side = 0; side < SIDE_COUNT; side++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", side_tables[side]);
        if (x->raw->exec(x->raw_conn, sql)) {
            fprintf(stderr, "bench_orm: drop: %s\n",
                    x->raw->error(x->raw_conn));
            return -1;
        }
    }
    return 0;
}

/* Create and fill one side's table through the raw API: the setup for a
 * single --phase and for --stream-rows, not timed. */
/* After a bulk load PostgreSQL plans from empty statistics until
 * autovacuum analyzes the table (a seq scan for `id IN (500 keys)`: 9 ms
 * instead of 2). A table in use has statistics, so refresh them, untimed,
 * for whichever side just filled its table. */
static int refresh_stats(bench_ctx *x, bench_side side)
{
    char sql[128];
    if (strcmp(x->raw->dialect, "postgresql") != 0)
        return 0;
    snprintf(sql, sizeof sql, "ANALYZE %s", side_tables[side]);
    if (x->raw->exec(x->raw_conn, sql)) {
        fprintf(stderr, "bench_orm: %s: %s\n", sql, x->raw->error(x->raw_conn));
        return -1;
    }
    return 0;
}

static int raw_setup(bench_ctx *x, bench_side side, int fill)
{
    bench_job job = {.w = &x->work, .phase = PH_INSERT};
    bench_sum sum = {0};
    if (x->raw->exec(x->raw_conn, x->ddl[side]) ||
        (fill && x->raw->run(x->raw_conn, &job, side_tables[side], &sum))) {
        fprintf(stderr, "bench_orm: setup of %s: %s\n", side_tables[side],
                x->raw->error(x->raw_conn));
        return -1;
    }
    return fill ? refresh_stats(x, side) : 0;
}

static int run_side_phase(bench_ctx *x, bench_side side, bench_phase ph,
                          size_t rep)
{
    bench_sum sum = {0};
    bench_job job = {.w = &x->work, .phase = ph};
    double t0, t;
    int rc;
    callgrind_zero(x);
    t0 = bench_now();
    if (side == SIDE_ORM)
        rc = orm_phase(&x->orm, ph, &x->work, &sum, x->cfg.verbose);
    else if (ph == PH_CREATE)
        rc = x->raw->exec(x->raw_conn, x->ddl[SIDE_RAW]);
    else
        rc = x->raw->run(x->raw_conn, &job, BENCH_RAW_TABLE, &sum);
    t = bench_now() - t0;
    callgrind_dump(x, side, ph);
    if (rc) {
        fprintf(stderr, "bench_orm: %s %s: %s\n", side_names[side],
                phase_names[ph],
                side == SIDE_ORM ? x->orm.err : x->raw->error(x->raw_conn));
        return -1;
    }
    x->times[ph][side][rep] = t;
    x->sums[ph][side] = sum;
    if (ph == PH_INSERT && refresh_stats(x, side))
        return -1;
    if (x->cfg.verbose) {
        fprintf(stderr, "  %s %-9s %9.4f s  rows %" PRId64, side_names[side],
                phase_names[ph], t, sum.rows);
        if (sum.load_s > 0)
            fprintf(stderr, "  (loading the rows %.4f s)", sum.load_s);
        if (sum.commit_s > 0)
            fprintf(stderr, "  (commit %.4f s, before it %.4f s)", sum.commit_s,
                    t - sum.commit_s);
        fputc('\n', stderr);
    }
    return 0;
}

static int run_once(bench_ctx *x, size_t rep)
{
    const bench_config *cfg = &x->cfg;
    if (drop_tables(x))
        return -1;
    /* Alternate which side goes first so that neither always gets the
     * warmer caches. */
    bench_side order[2] = {SIDE_ORM, SIDE_RAW};
    if (rep % 2) {
        order[0] = SIDE_RAW;
        order[1] = SIDE_ORM;
    }
    if (cfg->phase >= 0 && cfg->phase != PH_CREATE) {
        for (int side = 0; side < SIDE_COUNT; side++)
            if ((cfg->sides & (1 << side)) &&
                raw_setup(x, (bench_side)side, phase_needs_rows[cfg->phase]))
                return -1;
    }
    for (int ph = 0; ph < PH_COUNT; ph++) {
        if (cfg->phase >= 0 && ph != cfg->phase)
            continue;
        for (int k = 0; k < 2; k++)
            if ((cfg->sides & (1 << order[k])) &&
                run_side_phase(x, order[k], (bench_phase)ph, rep))
                return -1;
        x->ran[ph] = 1;
    }
    return 0;
}

static void fmt_seconds(char *out, size_t cap, double s)
{
    if (s < 0)
        snprintf(out, cap, "-");
    else
        snprintf(out, cap, "%.4f", s);
}

static void fmt_ratio(char *out, size_t cap, double orm, double raw)
{
    if (orm < 0 || raw <= 0)
        snprintf(out, cap, "-");
    else
        snprintf(out, cap, "%.2f", orm / raw);
}

static void check_sums(const bench_ctx *x, bench_phase ph)
{
    const bench_sum *o = &x->sums[ph][SIDE_ORM], *r = &x->sums[ph][SIDE_RAW];
    if (x->cfg.sides != 3)
        return;
    /* The secret keys are random on each side: compare ids and counts;
     * handle lengths agree too, as the handles are the same. */
    if (o->rows != r->rows || o->id_sum != r->id_sum)
        fprintf(stderr,
                "bench_orm: warning: %s: the sides disagree (orm %" PRId64
                " rows, id sum %" PRId64 "; raw %" PRId64
                " rows, id sum %" PRId64 ")\n",
                phase_names[ph], o->rows, o->id_sum, r->rows, r->id_sum);
}

static void print_results(bench_ctx *x, const char *dialect)
{
    const bench_config *cfg = &x->cfg;
    double total[SIDE_COUNT] = {0, 0};
    int have[SIDE_COUNT] = {0, 0};
    char a[32], b[32], c[32];
    long peak = bench_rss_peak_kib();
    const bench_sum *st = &x->sums[PH_STREAM][SIDE_ORM];

    if (cfg->tsv)
        printf("phase\trows\torm_s\traw_s\tratio\n");
    else {
        printf("orb bench_orm: %s (%s), N=%lld, ops=%zu, median of %lld\n\n",
               orm_db_url(x->orm.db), dialect, cfg->nrows, x->work.nkeys,
               cfg->repeat);
        printf("| %-9s | %8s | %9s | %9s | %7s |\n", "phase", "rows", "orm s",
               "raw s", "ratio");
        printf("|-----------|----------|-----------|-----------|---------|\n");
    }
    for (int ph = 0; ph < PH_COUNT; ph++) {
        double med[SIDE_COUNT] = {-1, -1};
        if (!x->ran[ph])
            continue;
        for (int side = 0; side < SIDE_COUNT; side++) {
            if (!(cfg->sides & (1 << side)))
                continue;
            med[side] = bench_median(x->times[ph][side], (size_t)cfg->repeat);
            total[side] += med[side];
            have[side] = 1;
        }
        check_sums(x, (bench_phase)ph);
        int64_t rows = x->sums[ph][cfg->sides & 1 ? SIDE_ORM : SIDE_RAW].rows;
        fmt_seconds(a, sizeof a, med[SIDE_ORM]);
        fmt_seconds(b, sizeof b, med[SIDE_RAW]);
        fmt_ratio(c, sizeof c, med[SIDE_ORM], med[SIDE_RAW]);
        if (cfg->tsv)
            printf("%s\t%" PRId64 "\t%s\t%s\t%s\n", phase_names[ph], rows, a, b,
                   c);
        else
            printf("| %-9s | %8" PRId64 " | %9s | %9s | %7s |\n",
                   phase_names[ph], rows, a, b, c);
    }
    fmt_seconds(a, sizeof a, have[SIDE_ORM] ? total[SIDE_ORM] : -1);
    fmt_seconds(b, sizeof b, have[SIDE_RAW] ? total[SIDE_RAW] : -1);
    fmt_ratio(c, sizeof c, have[SIDE_ORM] ? total[SIDE_ORM] : -1,
              have[SIDE_RAW] ? total[SIDE_RAW] : -1);
    if (cfg->tsv) {
        printf("total\t\t%s\t%s\t%s\n", a, b, c);
        printf("# dialect=%s n=%lld ops=%zu repeat=%lld peak_rss_kib=%ld",
               dialect, cfg->nrows, x->work.nkeys, cfg->repeat, peak);
        if (x->ran[PH_STREAM] && (cfg->sides & 1))
            printf(" orm_stream_rss_start_kib=%ld orm_stream_rss_max_kib=%ld",
                   st->rss_start_kib, st->rss_max_kib);
        printf("\n");
        return;
    }
    printf("| %-9s | %8s | %9s | %9s | %7s |\n\n", "total", "", a, b, c);
    printf("peak RSS of the process (getrusage): %.1f MiB\n", peak / 1024.0);
    if (x->ran[PH_STREAM] && (cfg->sides & 1))
        printf("RSS during the ORM stream: %.1f MiB at start, %.1f MiB at "
               "most\n",
               st->rss_start_kib / 1024.0, st->rss_max_kib / 1024.0);
}

/* ---- --stream-rows: memory stays flat while streaming ---- */

static int stream_mode(bench_ctx *x, const char *dialect)
{
    const bench_config *cfg = &x->cfg;
    bench_sum orm_sum = {0}, raw_sum = {0};
    bench_job job = {.w = &x->work, .phase = PH_STREAM};
    double t0, fill_s, orm_s = -1, raw_s = -1;
    long peak_before, peak_after;
    char a[32], b[32], c[32];

    if (drop_tables(x))
        return -1;
    t0 = bench_now();
    if (raw_setup(x, SIDE_ORM, 1))
        return -1;
    fill_s = bench_now() - t0;
    if (cfg->verbose)
        fprintf(stderr, "  raw insert of %lld rows: %.2f s\n", cfg->stream_rows,
                fill_s);
    x->work.sample_rss = 1;
    peak_before = bench_rss_peak_kib();
    if (cfg->sides & 1) {
        t0 = bench_now();
        if (orm_phase(&x->orm, PH_STREAM, &x->work, &orm_sum, 0)) {
            fprintf(stderr, "bench_orm: orm stream: %s\n", x->orm.err);
            return -1;
        }
        orm_s = bench_now() - t0;
    }
    peak_after = bench_rss_peak_kib();
    if (cfg->sides & 2) {
        t0 = bench_now();
        if (x->raw->run(x->raw_conn, &job, BENCH_ORM_TABLE, &raw_sum)) {
            fprintf(stderr, "bench_orm: raw stream: %s\n",
                    x->raw->error(x->raw_conn));
            return -1;
        }
        raw_s = bench_now() - t0;
    }
    fmt_seconds(a, sizeof a, orm_s);
    fmt_seconds(b, sizeof b, raw_s);
    fmt_ratio(c, sizeof c, orm_s, raw_s);
    if (cfg->tsv) {
        printf("rows\torm_s\traw_s\tratio\trss_start_kib\trss_max_kib\t"
               "peak_before_kib\tpeak_after_kib\n");
        printf("%lld\t%s\t%s\t%s\t%ld\t%ld\t%ld\t%ld\n", cfg->stream_rows, a, b,
               c, orm_sum.rss_start_kib, orm_sum.rss_max_kib, peak_before,
               peak_after);
        return 0;
    }
    printf("orb bench_orm --stream-rows: %s (%s), %lld rows (filled raw in "
           "%.1f s)\n\n",
           orm_db_url(x->orm.db), dialect, cfg->stream_rows, fill_s);
    printf("| %10s | %9s | %9s | %7s | %13s | %13s | %15s |\n", "rows", "orm s",
           "raw s", "ratio", "RSS start MiB", "RSS max MiB", "peak RSS MiB");
    printf("|------------|-----------|-----------|---------|---------------|"
           "---------------|-----------------|\n");
    printf("| %10" PRId64 " | %9s | %9s | %7s | %13.1f | %13.1f | "
           "%6.1f → %6.1f |\n",
           (cfg->sides & 1) ? orm_sum.rows : raw_sum.rows, a, b, c,
           orm_sum.rss_start_kib / 1024.0, orm_sum.rss_max_kib / 1024.0,
           peak_before / 1024.0, peak_after / 1024.0);
    if ((cfg->sides & 3) == 3 && orm_sum.rows != raw_sum.rows)
        fprintf(stderr,
                "bench_orm: warning: orm streamed %" PRId64
                " rows, raw %" PRId64 "\n",
                orm_sum.rows, raw_sum.rows);
    return 0;
}

/* ======================== main ======================== */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_orm [--url URL] [-n N] [--ops K] [--repeat K]\n"
            "                 [--phase NAME] [--side orm|raw|both] [--tsv]\n"
            "                 [--stream-rows M] [--callgrind] [--verbose]\n"
            "\n"
            "  --url URL        database (default %s)\n"
            "  -n N             rows to insert (default 100000; 1M, 10k ok)\n"
            "  --ops K          keys for get/filter_by/update/delete "
            "(default %d)\n"
            "  --repeat K       run each phase K times, report the median\n"
            "  --phase NAME     only this phase (after an untimed raw "
            "setup):\n"
            "                   create insert get filter_by like or and "
            "update\n"
            "                   delete stream\n"
            "  --side S         orm, raw or both (default both)\n"
            "  --tsv            tab-separated output\n"
            "  --stream-rows M  fill M rows (raw) and stream them through "
            "the\n"
            "                   ORM cursor: time and resident memory\n"
            "  --callgrind      under valgrind --tool=callgrind, dump the "
            "counts\n"
            "                   of each side and phase separately\n"
            "  --verbose        per-run times, commit share, ORM SQL on "
            "stderr\n",
            BENCH_DEFAULT_URL, BENCH_OPS);
}

static int parse_args(bench_config *cfg, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(arg, "--url") && val) {
            cfg->url = val;
        } else if ((!strcmp(arg, "-n") || !strcmp(arg, "--rows")) && val) {
            if (bench_parse_count(&cfg->nrows, val, 1))
                goto bad;
        } else if (!strcmp(arg, "--ops") && val) {
            if (bench_parse_count(&cfg->ops, val, 1))
                goto bad;
        } else if (!strcmp(arg, "--repeat") && val) {
            if (bench_parse_count(&cfg->repeat, val, 1))
                goto bad;
        } else if (!strcmp(arg, "--stream-rows") && val) {
            if (bench_parse_count(&cfg->stream_rows, val, 1))
                goto bad;
        } else if (!strcmp(arg, "--phase") && val) {
            cfg->phase = -1;
            for (int ph = 0; ph < PH_COUNT; ph++)
                if (!strcmp(val, phase_names[ph]))
                    cfg->phase = ph;
            if (cfg->phase < 0)
                goto bad;
        } else if (!strcmp(arg, "--side") && val) {
            if (!strcmp(val, "orm"))
                cfg->sides = 1;
            else if (!strcmp(val, "raw"))
                cfg->sides = 2;
            else if (!strcmp(val, "both"))
                cfg->sides = 3;
            else
                goto bad;
        } else {
            takes = 0;
            if (!strcmp(arg, "--tsv"))
                cfg->tsv = 1;
            else if (!strcmp(arg, "--verbose") || !strcmp(arg, "-v"))
                cfg->verbose = 1;
            else if (!strcmp(arg, "--callgrind"))
                cfg->callgrind = 1;
            else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
                usage(stdout);
                exit(0);
            } else {
                fprintf(stderr,
                        "bench_orm: unknown or incomplete option "
                        "'%s'\n",
                        arg);
                usage(stderr);
                return -1;
            }
        }
        i += takes;
        continue;
    bad:
        fprintf(stderr, "bench_orm: bad value for %s: '%s'\n", arg, val);
        return -1;
    }
    return 0;
}

static const raw_ops *raw_for(const char *dialect)
{
    if (!strcmp(dialect, "sqlite"))
        return &raw_sqlite_ops;
    if (!strcmp(dialect, "postgresql"))
        return &raw_pg_ops;
    if (!strcmp(dialect, "mysql"))
        return &raw_my_ops;
    return NULL;
}

static int ctx_open(bench_ctx *x)
{
    const bench_config *cfg = &x->cfg;
    orm_error err = ORM_ERROR_INIT;
    orm_url *url = NULL;
    char raw_err[BENCH_ERR_MAX] = "";
    int rc = -1;

    if (strcmp(cfg->url, BENCH_DEFAULT_URL) == 0) {
        /* Our own default file: start from an empty database. */
        static const char *const suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            char path[64];
            snprintf(path, sizeof path, "%s%s", BENCH_DEFAULT_PATH,
                     suffixes[i]);
            remove(path);
        }
    }
    if (orm_db_open(&x->orm.db, cfg->url, NULL) != 0) {
        fprintf(stderr, "bench_orm: cannot open the database: %s\n",
                x->orm.db ? orm_error_text(orm_db_error(x->orm.db))
                          : "out of memory");
        goto done;
    }
    if (orm_db_register(x->orm.db, &orm_account) != 0 ||
        orm_db_create_sql(x->orm.db, &orm_account, &x->ddl[SIDE_ORM]) != 0 ||
        orm_db_create_sql(x->orm.db, &raw_account, &x->ddl[SIDE_RAW]) != 0) {
        fprintf(stderr, "bench_orm: %s\n",
                orm_error_text(orm_db_error(x->orm.db)));
        goto done;
    }
    x->raw = raw_for(orm_db_dialect(x->orm.db));
    if (!x->raw) {
        fprintf(stderr, "bench_orm: no raw side for dialect %s\n",
                orm_db_dialect(x->orm.db));
        goto done;
    }
    if (orm_url_parse(&url, cfg->url, &err) != 0) {
        fprintf(stderr, "bench_orm: %s\n", orm_error_text(&err));
        goto done;
    }
    if (x->raw->open(&x->raw_conn, url, raw_err)) {
        fprintf(stderr, "bench_orm: raw side: %s\n", raw_err);
        goto done;
    }
    if (cfg->verbose)
        fprintf(stderr, "  DDL: %s", x->ddl[SIDE_ORM]);
    rc = 0;
done:
    orm_url_free(url);
    orm_error_clear(&err);
    return rc;
}

static int ctx_prepare_work(bench_ctx *x)
{
    const bench_config *cfg = &x->cfg;
    size_t nrows = (size_t)(cfg->stream_rows ? cfg->stream_rows : cfg->nrows);
    size_t nkeys = (size_t)cfg->ops < nrows ? (size_t)cfg->ops : nrows;
    static const bench_phase keyed[] = {PH_GET, PH_FILTER_BY, PH_UPDATE,
                                        PH_DELETE};
    bench_hex_init(&x->hex);
    x->work.nrows = nrows;
    x->work.nkeys = nkeys;
    x->work.hex = &x->hex;
    if (cfg->stream_rows)
        return 0;
    for (size_t i = 0; i < sizeof keyed / sizeof keyed[0]; i++) {
        bench_phase ph = keyed[i];
        /* A seed per phase: --phase X draws the keys of a full run. */
        x->keys[ph] = bench_keys_make(nrows, nkeys, 0x0bbe4c4ull + ph);
        if (!x->keys[ph])
            return -1;
        x->work.keys[ph] = x->keys[ph];
    }
    for (int ph = 0; ph < PH_COUNT; ph++)
        for (int side = 0; side < SIDE_COUNT; side++) {
            x->times[ph][side] = calloc((size_t)cfg->repeat, sizeof(double));
            if (!x->times[ph][side])
                return -1;
        }
    return 0;
}

static void ctx_free(bench_ctx *x)
{
    if (x->raw && x->raw_conn)
        x->raw->close(x->raw_conn);
    orm_db_free(x->orm.db);
    for (int side = 0; side < SIDE_COUNT; side++)
        free(x->ddl[side]);
    for (int ph = 0; ph < PH_COUNT; ph++) {
        free(x->keys[ph]);
        for (int side = 0; side < SIDE_COUNT; side++)
            free(x->times[ph][side]);
    }
}

int main(int argc, char **argv)
{
    static bench_ctx ctx;
    bench_ctx *x = &ctx;
    int rc = 1;
    x->cfg = (bench_config){.url = BENCH_DEFAULT_URL,
                            .nrows = 100000,
                            .ops = BENCH_OPS,
                            .repeat = 1,
                            .phase = -1,
                            .sides = 3};
    if (parse_args(&x->cfg, argc, argv))
        return 2;
#ifndef BENCH_HAVE_CALLGRIND
    if (x->cfg.callgrind)
        fprintf(stderr, "bench_orm: built without valgrind/callgrind.h: "
                        "--callgrind does nothing\n");
#endif
    if (ctx_open(x) || ctx_prepare_work(x))
        goto done;
    const char *dialect = orm_db_dialect(x->orm.db);
    if (x->cfg.stream_rows) {
        rc = stream_mode(x, dialect) ? 1 : 0;
        goto done;
    }
    for (size_t rep = 0; rep < (size_t)x->cfg.repeat; rep++) {
        if (x->cfg.verbose)
            fprintf(stderr, "run %zu of %lld\n", rep + 1, x->cfg.repeat);
        if (run_once(x, rep))
            goto done;
    }
    print_results(x, dialect);
    rc = 0;
done:
    if (x->raw_conn)
        drop_tables(x);
    ctx_free(x);
    return rc;
}
