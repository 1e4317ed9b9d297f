/*
 * The MySQL / MariaDB driver's shared internals (mysql.c has the overview
 * and the driver table): connection and statement state, the native error
 * numbers it maps, and the functions one file of the driver calls in
 * another.
 */
#ifndef ORB_DRIVERS_MYSQL_INTERNAL_H
#define ORB_DRIVERS_MYSQL_INTERNAL_H

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>

#include "alloc.h"
#include "orm/sys/connopt.h"
#include "orm/sys/datetime.h"
#include "orm/sys/driver.h"
#include "orm/sys/number.h"

#include "handshake.h"

/* Client authentication plugins that never send the password itself:
 * what a connection without required TLS may use. */
#define MY_SAFE_AUTH_PLUGINS                                                   \
    "mysql_native_password,client_ed25519,caching_sha2_password,"              \
    "sha256_password,auth_gssapi_client"

/* Native error numbers the driver maps (server ER_* and client CR_*). */
enum {
    MY_ER_ACCESS_DENIED_DB = 1044,
    MY_ER_UNKNOWN_COM_ERROR = 1047, /* also a Galera node not taking queries */
    MY_ER_UNKNOWN_COLLATION = 1273,
    MY_ER_UNKNOWN_TABLE = 1109, /* information_schema table missing */
    MY_ER_UNKNOWN_SYSTEM_VARIABLE = 1193,
    MY_ER_ACCESS_DENIED = 1045,
    MY_ER_BAD_NULL = 1048,
    MY_ER_SERVER_SHUTDOWN = 1053,
    MY_ER_QUERY_INTERRUPTED = 1317, /* KILL QUERY (my_cancel) */
    MY_ER_DUP_ENTRY = 1062,
    MY_ER_LOCK_WAIT_TIMEOUT = 1205,
    MY_ER_LOCK_DEADLOCK = 1213,
    MY_ER_NO_REFERENCED_ROW = 1216,
    MY_ER_ROW_IS_REFERENCED = 1217,
    MY_ER_OUT_OF_RANGE = 1264,
    MY_ER_DATA_TRUNCATED = 1265,
    MY_ER_WRONG_VALUE = 1292,
    MY_ER_NO_DEFAULT = 1364,
    MY_ER_WRONG_VALUE_FOR_FIELD = 1366,
    MY_ER_DATA_TOO_LONG = 1406,
    MY_ER_ROW_IS_REFERENCED_2 = 1451,
    MY_ER_NO_REFERENCED_ROW_2 = 1452,
    MY_ER_DUP_ENTRY_WITH_KEY = 1586,
    MY_ER_NUMERIC_OUT_OF_RANGE = 1690,
    MY_ER_ACCESS_DENIED_NO_PASSWORD = 1698,
    MY_ER_READ_ONLY_TRANSACTION = 1792,
    MY_ER_CONNECTION_KILLED = 1927,
    MY_ER_CHECK_VIOLATED = 3819,    /* MySQL 8 */
    MY_ER_CONSTRAINT_FAILED = 4025, /* MariaDB */
    MY_ER_CLIENT_TIMEOUT = 4031,    /* MySQL 8; a trigger error on MariaDB */
    MY_CR_CONNECTION_ERROR = 2002,
    MY_CR_CONN_HOST_ERROR = 2003,
    MY_CR_UNKNOWN_HOST = 2005,
    MY_CR_SERVER_GONE = 2006,
    MY_CR_SERVER_LOST = 2013,
    MY_CR_SERVER_LOST_EXTENDED = 2055,
    MY_CR_SSL_CONNECTION_ERROR = 2026,
    MY_ER_STATEMENT_TIMEOUT = 1969
};

#define MY_TEXT_MIN   64   /* first buffer for a text or blob column */
#define MY_TEXT_START 1024 /* ... at most; grown for longer values */
#define MY_SCRATCH    ORM_DOUBLE_TEXT_MAX   /* numbers, zoned timestamps */
#define MY_TZ_TEXT    ORM_DATETIME_TEXT_MAX /* DATETIMETZ in UTC */

/* my_session_sql's lines: MariaDB, MariaDB without Galera, MySQL. */
#define MY_SESSION_SQL_COUNT 3

struct my_stmt;

typedef struct my_conn {
    orm_conn base;
    MYSQL *mysql;             /* NULL once lost (or before a reconnect) */
    unsigned generation;      /* bumped by every reconnect */
    struct my_stmt *stream;   /* streaming statement with rows unread */
    struct my_stmt *live;     /* prepared statements, for close() */
    struct my_stmt *deferred; /* finalized while a stream was open */
    int is_mariadb;
    int galera; /* Galera node? 0 not asked yet (my_fail_*), 1 no, 2 yes */
    int no_check_constraints; /* no information_schema.CHECK_CONSTRAINTS */

    /* Connection parameters, kept for reconnect. */
    char *host;
    char *user;
    char *password;
    char *database;
    char *unix_socket;
    char *ssl_ca;
    char *ssl_cert;
    char *ssl_key;
    unsigned port;
    unsigned connect_timeout;
    int ssl_enforce;
    int ssl_verify;
    int ssl_disable;
    orm_conn_params tls; /* TLS settings as given, for messages (its
                            strings point at the copies above or at
                            tls_key / tls_value) */
    char *tls_key;       /* "ssl_mode" (the key the URL used) ... */
    char *tls_value;     /* ... and its value */
    long statement_timeout_ms;
    char *session_sql[MY_SESSION_SQL_COUNT]; /* my_session_sql with
                                                max_statement_time */
    /* Cancelling from another thread (my_cancel): `running` is set while
     * a call a cancel may stop waits for the server, `thread_id` is the
     * server's id of this connection. Both only under cancel_lock. */
    pthread_mutex_t cancel_lock;
    int running;
    unsigned long thread_id;
    /* my_abort's, read and written from a signal handler and from a
     * cancelling thread (lock-free atomics: safe in both): the socket
     * (-1: none) and whether it was shut down. */
    atomic_int sock;
    atomic_int aborted;
    /* The watch of a stream given up halfway (my_stream_give_up): one
     * thread per connection, started at the first give-up, stopped by
     * close. All under watch_lock. */
    pthread_mutex_t watch_lock;
    pthread_cond_t watch_cond; /* on CLOCK_MONOTONIC; broadcast only */
    pthread_t watch;
    int watch_started;           /* the thread runs (and lock, cond exist) */
    int watch_state;             /* MY_WATCH_IDLE, _READING, _STOP */
    int watch_sleeping;          /* waiting for a give-up, without a time */
    int watch_cancelling;        /* my_cancel on its way from the watch */
    unsigned watch_seq;          /* bumped by each give-up */
    struct timespec watch_until; /* the reading's deadline */
} my_conn;

enum { MY_WATCH_IDLE, MY_WATCH_READING, MY_WATCH_STOP };

/* A parameter's value as libmariadb reads it at execute. */
typedef struct my_param {
    my_bool is_null;
    signed char tiny;
    long long ll;
    double dbl;
    char tz_text[MY_TZ_TEXT];
} my_param;

typedef enum my_fetch {
    MY_FETCH_INT,
    MY_FETCH_DOUBLE,
    MY_FETCH_TEXT
} my_fetch_kind;

/* One result column: where fetch puts it and the kind it naturally is. */
typedef struct my_col {
    my_fetch_kind fetch;
    orm_value_kind natural;
    int big_unsigned; /* BIGINT UNSIGNED: ll holds the raw bits */
    long long ll;
    double dbl;
    char *buf;
    unsigned long cap; /* buf holds cap bytes plus a NUL */
    unsigned long length;
    my_bool is_null;
    my_bool error;
    char scratch[MY_SCRATCH];
} my_col;

typedef enum my_state {
    MY_NEED_EXEC, /* execute on the next step */
    MY_ROWS,      /* a result is open */
    MY_DONE       /* finished; step keeps saying ORM_DONE */
} my_state;

typedef struct my_stmt {
    orm_stmt base;
    my_conn *owner;      /* NULL after the connection was closed */
    unsigned generation; /* owner->generation at prepare */
    MYSQL_STMT *handle;
    unsigned flags;
    int direct; /* not prepared yet: the first execute prepares it too */
    my_state state;
    int have_row;
    my_ulonglong stored_rows; /* rows of a stored result ... */
    my_ulonglong fetched;     /* ... and how many were read */
    size_t nparams;
    MYSQL_BIND *params;
    my_param *values;
    size_t ncols, cols_cap;
    MYSQL_BIND *results;
    my_col *cols;
    struct my_stmt *prev, *next; /* owner->live, or owner->deferred */
} my_stmt;

/* ---- mysql_error.c ---- */

void *my_unconst(const void *p);
void my_secret_free(char *s);
int my_dup(char **out, const char *s);
int my_error_fill(const my_conn *c, orm_error *err, unsigned native,
                  const char *sqlstate, const char *msg, int connecting);
void my_deferred_close(my_conn *c);
void my_conn_drop(my_conn *c);
int my_fail_mysql(my_conn *c);
int my_fail_stmt(my_stmt *st);
int my_fail_rolled_back(my_conn *c);
int my_nomem(orm_conn *conn);
int my_conn_ready(my_conn *c, const my_stmt *self);

/* ---- mysql_conn.c ---- */

int my_connect(orm_conn **out, const orm_url *url,
               const orm_connect_options *opts, orm_error *err);
void my_close(orm_conn *conn);
int my_cancel(orm_conn *conn, orm_error *err);
void my_abort(orm_conn *conn);
int my_reconnect(orm_conn *conn);
int my_ping(orm_conn *conn);
int my_exec(orm_conn *conn, const char *sql);
int my_begin(orm_conn *conn);
int my_commit(orm_conn *conn);
int my_rollback(orm_conn *conn);
int my_prepare(orm_conn *conn, const char *sql, size_t nparams, unsigned flags,
               orm_stmt **out);
int my_step(orm_stmt *base);
size_t my_column_count(orm_stmt *base);
int64_t my_rows_matched(orm_stmt *base);
int my_last_insert_id(orm_stmt *base, int64_t *out);
int my_reset(orm_stmt *base);
void my_finalize(orm_stmt *base);
/* Enter (1) and leave (0) a call a cancel may stop. */
void my_running(my_conn *c, int running);
/* Is the statement still attached to the handle it was prepared on? */
int my_stmt_current(const my_stmt *st);

/* ---- mysql_types.c ---- */

/* A zoned timestamp's text as the same instant in UTC without a zone
 * into `out` (MY_TZ_TEXT): 1 done, 0 no zone or no timestamp. */
int my_tz_to_utc(const char *s, size_t n, char *out);
int my_bind(orm_stmt *base, size_t index, const orm_value *v, orm_type type);
int my_results_bind(my_stmt *st);
int my_column(orm_stmt *base, size_t index, orm_type type, orm_value *out);
void my_column_type_sql(orm_buf *out, const orm_column *col, int autoinc);

/* ---- mysql_rows.c ---- */

int my_execute_rows(orm_stmt *base, const orm_value *values,
                    const unsigned char *defaults, const orm_type *types,
                    size_t nrows, int64_t *matched);

/* ---- mysql_reflect.c ---- */

int my_list_tables(orm_conn *conn, char ***out, size_t *count);
int my_reflect_all(orm_conn *conn, orm_model ***out, size_t *count);
int my_reflect_table(orm_conn *conn, const char *schema, const char *table,
                     orm_model **out);
int my_estimate_count(orm_conn *conn, const char *schema, const char *table,
                      int64_t *out);
int my_estimate_counts(orm_conn *conn, const char *const *schemas,
                       const char *const *tables, size_t n, int64_t *out);
int my_text_column(const orm_column *col, orm_buf *before, orm_buf *after);
int my_constraint_columns(orm_conn *conn, const char *schema, const char *table,
                          const char *name, char ***out, size_t *count);

#endif
