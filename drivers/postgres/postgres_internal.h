/*
 * The PostgreSQL driver's shared internals (postgres.c has the overview,
 * the statements and the driver table): connection and statement state,
 * the type OIDs it decodes, and the functions one file of the driver calls
 * in another.
 */
#ifndef ORB_DRIVERS_POSTGRES_INTERNAL_H
#define ORB_DRIVERS_POSTGRES_INTERNAL_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "alloc.h"
#include "orm/sys/connopt.h"
#include "orm/sys/driver.h"
#include "orm/sys/number.h"

/* Built-in type OIDs (catalog/pg_type_d.h is a server header). */
#define PG_OID_BOOL        16
#define PG_OID_BYTEA       17
#define PG_OID_INT8        20
#define PG_OID_INT2        21
#define PG_OID_INT4        23
#define PG_OID_TEXT        25
#define PG_OID_OID         26
#define PG_OID_JSON        114
#define PG_OID_FLOAT4      700
#define PG_OID_FLOAT8      701
#define PG_OID_BPCHAR      1042
#define PG_OID_VARCHAR     1043
#define PG_OID_DATE        1082
#define PG_OID_TIME        1083
#define PG_OID_TIMESTAMP   1114
#define PG_OID_TIMESTAMPTZ 1184
#define PG_OID_NUMERIC     1700
#define PG_OID_UUID        2950
#define PG_OID_JSONB       3802

typedef struct pg_stmt pg_stmt;
typedef struct pg_cancel_handle pg_cancel_handle; /* postgres_conn.c */

typedef struct pg_conn {
    orm_conn base;
    PGconn *pg;
    unsigned generation;       /* bumped by reconnect */
    int asked_read_only;       /* the caller asked for read-only */
    pg_stmt *streaming;        /* statement owning the connection, or NULL */
    long statement_timeout_ms; /* 0: none */
    /* A stream set single-row mode since the last pipeline
     * (pg_pipeline_enter). */
    int single_row_left;
    /* Cancelling from another thread (pg_cancel): `running` is set while
     * a call a cancel may stop waits for the server; `cancel` is the
     * connection's PGcancel. Both only under cancel_lock. A cancel waits
     * `cancel_wait_s` for the server (the connect timeout). */
    pthread_mutex_t cancel_lock;
    pg_cancel_handle *cancel;
    int running;
    int cancel_wait_s;
    /* pg_abort's, read and written from a signal handler and from a
     * cancelling thread (lock-free atomics: safe in both): the socket
     * (-1: none) and whether it was shut down. */
    atomic_int sock;
    atomic_int aborted;
} pg_conn;

typedef struct pg_param {
    char *data; /* owned text (NUL-terminated) or bytes; NULL = SQL NULL */
    int length;
    int format; /* 0 text, 1 binary */
    Oid oid;    /* the type this value needs, 0 = the server infers */
} pg_param;

enum pg_stmt_state {
    PG_STMT_READY,     /* bound, not executed */
    PG_STMT_ROWS,      /* buffered result, `row` is current */
    PG_STMT_STREAMING, /* single-row mode in progress */
    PG_STMT_DONE,      /* finished (ORM_DONE returned) */
    PG_STMT_BATCHED,   /* run by pg_execute_batch, `res` not stepped yet */
    PG_STMT_COPY       /* COPY TO STDOUT in progress (postgres_copy.c) */
};

struct pg_stmt {
    orm_stmt base;
    char *sql;
    size_t nparams;
    unsigned flags;
    pg_param *params;
    Oid *oids; /* parameter types sent with each execute */
    const char **values;
    int *lengths;
    int *formats;
    unsigned generation; /* connection generation it streams on */
    enum pg_stmt_state state;
    int may_cancel; /* reset may cancel the stream (read, no transaction) */
    PGresult *res;
    int row;
    int nrows;
    int64_t matched;
    unsigned char **scratch; /* decoded bytea per column, this row */
    size_t *scratch_len;
    size_t nscratch;
    /* A bulk read through COPY (postgres_copy.c): the COPY's SQL (NULL:
     * the statement streams as a query), the current row as libpq gave
     * it, decoded in place, and where each of its `ncopy` columns starts
     * (NULL for SQL NULL) and how long it is. `res` holds the columns'
     * types. */
    char *copy_sql;
    char *copy_row;
    char **copy_text;
    size_t *copy_len;
    size_t ncopy, ncopy_cap;
};

/* postgres_error.c: messages and errors */
int pg_error_set(orm_error *err, int code, const char *prefix, const char *raw,
                 const char *secret1, const char *secret2);
const char *pg_password(const pg_conn *pgc);
int pg_lost(pg_conn *pgc, const char *why);
int pg_result_error(pg_conn *pgc, const PGresult *res);
int pg_ready(pg_conn *pgc, const pg_stmt *st);
/* PQenterPipelineMode, and after a stream an empty query first (see
 * postgres_conn.c), whose result pg_pipeline_skip_reset reads when
 * *reset says one was sent. Both: 0, or the failure (detail on pgc). */
int pg_pipeline_enter(pg_conn *pgc, int *reset);
int pg_pipeline_skip_reset(pg_conn *pgc, int reset);

/* postgres_conn.c: connections, cancel, transactions */
int pg_connect(orm_conn **out, const orm_url *url,
               const orm_connect_options *opts, orm_error *err);
void pg_close(orm_conn *conn);
void pg_running(pg_conn *pgc, int running);
int pg_cancel(orm_conn *conn, orm_error *err);
void pg_abort(orm_conn *conn);
void pg_cancel_own(pg_conn *pgc);
int pg_reconnect(orm_conn *conn);
int pg_ping(orm_conn *conn);
int pg_exec(orm_conn *conn, const char *sql);
int pg_idle(pg_conn *pgc);
int pg_retry_after_loss(pg_conn *pgc, int rc, int was_idle);
int pg_begin(orm_conn *conn);
int pg_commit(orm_conn *conn);
int pg_rollback(orm_conn *conn);

/* postgres.c: statements */
int pg_parse_int(const char *text, size_t len, int64_t *out);

/* postgres_copy.c: bulk reads through COPY TO STDOUT */
int pg_copy_prepare(pg_stmt *st);
int pg_copy_start(pg_stmt *st);
int pg_copy_next(pg_stmt *st);
int pg_copy_split(pg_stmt *st, char *row, size_t n);
void pg_copy_row_drop(pg_stmt *st);
void pg_copy_give_up(pg_stmt *st);

/* postgres_reflect.c: DDL types and catalog queries */
void pg_column_type_sql(orm_buf *out, const orm_column *col, int autoinc);
int pg_list_tables(orm_conn *conn, char ***out, size_t *count);
int pg_reflect_all(orm_conn *conn, orm_model ***out, size_t *count);
int pg_reflect_table(orm_conn *conn, const char *schema, const char *table,
                     orm_model **out);
int pg_estimate_count(orm_conn *conn, const char *schema, const char *table,
                      int64_t *out);
int pg_estimate_counts(orm_conn *conn, const char *const *schemas,
                       const char *const *tables, size_t n, int64_t *out);
int pg_text_column(const orm_column *col, orm_buf *before, orm_buf *after);
int pg_constraint_columns(orm_conn *conn, const char *schema, const char *table,
                          const char *name, char ***out, size_t *count);

#endif
