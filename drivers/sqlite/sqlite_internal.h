/*
 * The SQLite driver's shared internals (sqlite.c has the overview and the
 * driver table): connection and statement state, and the functions one
 * file of the driver calls in another.
 */
#ifndef ORB_DRIVERS_SQLITE_INTERNAL_H
#define ORB_DRIVERS_SQLITE_INTERNAL_H

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>
#include <utf8proc.h>

#include "alloc.h"
#include "orm/sys/connopt.h"
#include "orm/sys/driver.h"
#include "orm/sys/number.h"
#include "orm/sys/uuid.h"

#define SQLITE_DEFAULT_BUSY_MS 5000
/* Virtual machine steps between looks at the clock (a few µs). */
#define SQLITE_PROGRESS_STEPS 1000
/* Room for a number's text (orm_double_text, orm_int_text). */
#define SQLITE_NUM_SLOT ORM_DOUBLE_TEXT_MAX

typedef struct sqlite_conn {
    orm_conn base;
    sqlite3 *db;
    char *path; /* NULL: in-memory */
    int busy_timeout_ms;
    int create;                /* a missing file is created */
    long statement_timeout_ms; /* 0: none */
    int armed;                 /* a step of ours runs: `deadline` holds */
    int timed_out;             /* the progress handler stopped it */
    struct timespec deadline;
    /* Cancelling (sqlite_cancel, from another thread): `running` is set
     * while a step, exec, begin or commit of ours runs; a cancel then
     * sets `cancel`, which the progress and busy handlers read; the
     * handler that obeys sets `cancelled` for the error mapping. */
    atomic_int running;
    atomic_int cancel;
    int cancelled;
    pthread_mutex_t cancel_lock; /* sqlite_cancel vs. the running flag */
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

/* ---- sqlite_error.c ---- */

int sqlite_error(sqlite_conn *c);

/* ---- sqlite_conn.c ---- */

int sqlite_connect(orm_conn **out, const orm_url *url,
                   const orm_connect_options *opts, orm_error *err);
void sqlite_close(orm_conn *conn);
int sqlite_reconnect(orm_conn *conn);
int sqlite_exec(orm_conn *conn, const char *sql);
int sqlite_ping(orm_conn *conn);
int sqlite_begin(orm_conn *conn);
int sqlite_commit(orm_conn *conn);
int sqlite_rollback(orm_conn *conn);
int sqlite_prepare(orm_conn *conn, const char *sql, size_t nparams,
                   unsigned flags, orm_stmt **out);
int sqlite_bind(orm_stmt *base, size_t index, const orm_value *v,
                orm_type type);
int sqlite_step(orm_stmt *base);
size_t sqlite_column_count(orm_stmt *base);
int sqlite_column(orm_stmt *base, size_t index, orm_type type, orm_value *out);
int64_t sqlite_rows_matched(orm_stmt *base);
int sqlite_last_insert_id(orm_stmt *base, int64_t *out);
int sqlite_reset(orm_stmt *base);
int sqlite_cancel(orm_conn *conn, orm_error *err);
void sqlite_finalize(orm_stmt *base);
void sqlite_column_type_sql(orm_buf *out, const orm_column *col, int autoinc);

/* ---- sqlite_reflect.c ---- */

int sqlite_list_tables(orm_conn *conn, char ***out, size_t *count);
int sqlite_reflect_table(orm_conn *conn, const char *schema, const char *table,
                         orm_model **out);
int sqlite_estimate_count(orm_conn *conn, const char *schema, const char *table,
                          int64_t *out);
int sqlite_constraint_columns(orm_conn *conn, const char *schema,
                              const char *table, const char *name, char ***out,
                              size_t *count);

#endif
