/*
 * The MySQL / MariaDB driver, on libmariadb (Connector/C, the MySQL client
 * API). Exports orm_driver_mysql.
 *
 * Statements use the binary protocol (mysql_stmt_*). Results are stored
 * client-side so other statements can run while rows are read, except for
 * ORM_STMT_STREAM statements, whose rows come from the server as they are
 * fetched: while such a stream is unread the connection is busy and any
 * other statement fails with ORM_EBUSY (the protocol cannot interleave).
 *
 * Every session is set up alike: utf8mb4 with binary, no-pad collation,
 * strict SQL mode, UTC, and READ ONLY transactions when asked. A lost
 * connection is closed at once (statements can then only be finalized,
 * which libmariadb turns into freeing memory); reconnect opens a fresh
 * handle with the same parameters and bumps a generation counter so that
 * statements of the old handle never touch the new one.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>

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
    MY_ER_UNKNOWN_COLLATION = 1273,
    MY_ER_ACCESS_DENIED = 1045,
    MY_ER_BAD_NULL = 1048,
    MY_ER_SERVER_SHUTDOWN = 1053,
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
    MY_CR_SERVER_LOST_EXTENDED = 2055
};

#define MY_DEFAULT_TIMEOUT_S 10
#define MY_TEXT_MIN          64   /* first buffer for a text or blob column */
#define MY_TEXT_START        1024 /* ... at most; grown for longer values */
#define MY_SCRATCH           ORM_DOUBLE_TEXT_MAX /* numbers, zoned timestamps */
#define MY_TZ_TEXT           ORM_DATETIME_TEXT_MAX /* DATETIMETZ in UTC */

/* Run on every new session, before anything else: binary comparison
 * without trailing-space padding where the server has it (MariaDB),
 * else utf8mb4_bin (MySQL). */
static const char *const my_session_sql[] = {
    "SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin, "
    "SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "time_zone='+00:00'",
    "SET NAMES utf8mb4 COLLATE utf8mb4_bin, "
    "SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "time_zone='+00:00'"};

struct my_stmt;

typedef struct my_conn {
    orm_conn base;
    MYSQL *mysql;             /* NULL once lost (or before a reconnect) */
    unsigned generation;      /* bumped by every reconnect */
    struct my_stmt *stream;   /* streaming statement with rows unread */
    struct my_stmt *live;     /* prepared statements, for close() */
    struct my_stmt *deferred; /* finalized while a stream was open */
    int is_mariadb;

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
} my_conn;

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

const orm_driver orm_driver_mysql;

/* ---- small helpers ---- */

static void *my_unconst(const void *p)
{
    return (void *)(uintptr_t)p;
}

/* Forget a secret: the compiler may not drop stores through volatile. */
static void my_secret_free(char *s)
{
    if (!s)
        return;
    for (volatile char *p = s; *p; p++)
        *p = '\0';
    free(s);
}

/* *out = a copy of `s` (NULL stays NULL). 0, or -1 without memory. */
static int my_dup(char **out, const char *s)
{
    *out = NULL;
    if (s && !(*out = orm_strdup(s)))
        return -1;
    return 0;
}

/* Last occurrence of `needle` in `s`, or NULL. */
static const char *my_strrstr(const char *s, const char *needle)
{
    const char *found = NULL;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        found = p;
    return found;
}

/*
 * The text after `open` up to the next `close` (owned), searching for
 * the first or (last = 1) the last `open`. NULL when absent or no memory.
 */
static char *my_between(const char *s, const char *open, const char *close,
                        int last)
{
    const char *p = last ? my_strrstr(s, open) : strstr(s, open);
    if (!p)
        return NULL;
    p += strlen(open);
    const char *end = strstr(p, close);
    if (!end || end == p)
        return NULL;
    return orm_strndup(p, (size_t)(end - p));
}

/* Append `msg` with every occurrence of `secret` replaced by "***". */
static void my_append_scrubbed(orm_buf *b, const char *msg, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n == 0) {
        orm_buf_append(b, msg);
        return;
    }
    for (const char *hit; (hit = strstr(msg, secret)); msg = hit + n) {
        orm_buf_appendn(b, msg, (size_t)(hit - msg));
        orm_buf_append(b, "***");
    }
    orm_buf_append(b, msg);
}

/* ---- errors ---- */

static int my_code_map(const my_conn *c, unsigned native)
{
    switch (native) {
    case MY_ER_DUP_ENTRY:
    case MY_ER_DUP_ENTRY_WITH_KEY:
        return ORM_EUNIQUE;
    case MY_ER_BAD_NULL:
    case MY_ER_NO_DEFAULT:
        return ORM_ENOTNULL;
    case MY_ER_ROW_IS_REFERENCED_2:
    case MY_ER_NO_REFERENCED_ROW_2:
    case MY_ER_ROW_IS_REFERENCED:
    case MY_ER_NO_REFERENCED_ROW:
        return ORM_EFOREIGNKEY;
    case MY_ER_CHECK_VIOLATED:
    case MY_ER_CONSTRAINT_FAILED:
        return ORM_ECHECK;
    case MY_ER_LOCK_DEADLOCK:
    case MY_ER_LOCK_WAIT_TIMEOUT:
        return ORM_EBUSY;
    case MY_CR_SERVER_GONE:
    case MY_CR_SERVER_LOST:
    case MY_CR_SERVER_LOST_EXTENDED:
    case MY_ER_CONNECTION_KILLED:
    case MY_ER_SERVER_SHUTDOWN:
        return ORM_ECONNLOST;
    case MY_ER_CLIENT_TIMEOUT:
        return c && c->is_mariadb ? ORM_EERROR : ORM_ECONNLOST;
    case MY_ER_READ_ONLY_TRANSACTION:
        return ORM_EREADONLY;
    case MY_ER_DATA_TOO_LONG:
    case MY_ER_OUT_OF_RANGE:
    case MY_ER_DATA_TRUNCATED:
    case MY_ER_WRONG_VALUE:
    case MY_ER_WRONG_VALUE_FOR_FIELD:
    case MY_ER_NUMERIC_OUT_OF_RANGE:
        return ORM_ETYPE;
    case MY_ER_ACCESS_DENIED:
    case MY_ER_ACCESS_DENIED_DB:
    case MY_ER_ACCESS_DENIED_NO_PASSWORD:
        return ORM_EAUTH;
    case MY_CR_CONNECTION_ERROR:
    case MY_CR_CONN_HOST_ERROR:
    case MY_CR_UNKNOWN_HOST:
        return ORM_ECONNECT;
    default:
        return ORM_EERROR;
    }
}

/*
 * The column a type error names: "for column 'x'" (MySQL) or
 * "for column `db`.`table`.`x`" (MariaDB). Owned, or NULL.
 */
static char *my_type_error_column(const char *msg)
{
    const char *p = my_strrstr(msg, "for column ");
    if (!p)
        return NULL;
    p += strlen("for column ");
    if (*p == '\'')
        return my_between(p, "'", "'", 0);
    if (*p != '`')
        return NULL;
    /* The last of the `a`.`b`.`c` segments. */
    const char *name = p;
    while (*p == '`') {
        const char *end = strchr(p + 1, '`');
        if (!end)
            return NULL;
        name = p + 1;
        p = end + 1;
        if (*p != '.')
            return orm_strndup(name, (size_t)(end - name));
        p++;
    }
    return NULL;
}

/*
 * Fill `err` from a native error. Messages that would carry the offending
 * value (duplicate keys, bad values: possibly secrets) are rewritten
 * without it; the password never appears. `connecting` maps everything
 * but authentication to ORM_ECONNECT.
 */
static int my_error_fill(const my_conn *c, orm_error *err, unsigned native,
                         const char *sqlstate, const char *msg, int connecting)
{
    int code = my_code_map(c, native);
    const char *secret = c ? c->password : NULL;
    orm_buf text = ORM_BUF_INIT;
    char *name = NULL;

    if (!msg)
        msg = "";
    if (connecting && code != ORM_EAUTH)
        code = ORM_ECONNECT;
    orm_error_clear(err);
    err->code = code;
    err->native_code = (long)native;
    if (sqlstate && strlen(sqlstate) == 5 && strcmp(sqlstate, "00000") != 0)
        memcpy(err->sqlstate, sqlstate, 6);

    switch (code) {
    case ORM_EUNIQUE:
        name = my_between(msg, "for key '", "'", 1);
        if (name && c && !c->is_mariadb && strchr(name, '.')) {
            /* MySQL 8 writes 'table.key'. */
            char *key = orm_strdup(strchr(name, '.') + 1);
            free(name);
            name = key;
        }
        orm_error_set_constraint(err, name);
        if (name)
            orm_buf_appendf(&text, "duplicate value for key '%s'", name);
        else
            orm_buf_append(&text, "duplicate value for a unique key");
        break;
    case ORM_ENOTNULL:
        if (native == MY_ER_BAD_NULL) {
            name = my_between(msg, "Column '", "'", 0);
            orm_buf_appendf(&text, "column '%s' cannot be null",
                            name ? name : "?");
        } else {
            name = my_between(msg, "Field '", "'", 0);
            orm_buf_appendf(&text, "column '%s' needs a value (no default)",
                            name ? name : "?");
        }
        orm_error_set_column(err, name);
        break;
    case ORM_EFOREIGNKEY: {
        char *cols = my_between(msg, "FOREIGN KEY (`", "`)", 0);
        char *table = my_between(msg, "fails (`", "`,", 0);
        name = my_between(msg, "CONSTRAINT `", "`", 0);
        orm_error_set_constraint(err, name);
        if (cols) {
            /* "a`, `b" → "a, b", as the other drivers join names. */
            orm_buf joined = ORM_BUF_INIT;
            for (const char *p = cols, *sep; *p; p = sep + 4) {
                sep = strstr(p, "`, `");
                orm_buf_appendn(&joined, p,
                                sep ? (size_t)(sep - p) : strlen(p));
                if (!sep)
                    break;
                orm_buf_append(&joined, ", ");
            }
            orm_error_set_column(err, orm_buf_str(&joined));
            orm_buf_free(&joined);
        }
        if (table) {
            /* "db`.`child": the part after the schema */
            const char *dot = strstr(table, "`.`");
            orm_error_set_table(err, dot ? dot + 3 : table);
        }
        free(cols);
        free(table);
        my_append_scrubbed(&text, msg, secret);
        break;
    }
    case ORM_ECHECK:
        name = native == MY_ER_CONSTRAINT_FAILED
                   ? my_between(msg, "CONSTRAINT `", "`", 0)
                   : my_between(msg, "onstraint '", "'", 0);
        orm_error_set_constraint(err, name);
        if (name && strchr(name, '.')) {
            /* MariaDB names a column-level check "table.column". */
            orm_error_set_column(err, strchr(name, '.') + 1);
        }
        my_append_scrubbed(&text, msg, secret);
        break;
    case ORM_ETYPE: {
        /* "Incorrect integer value: 'abc' for column ..." → the part
         * before the value, and the column. */
        size_t keep = strcspn(msg, ":");
        const char *for_col = strstr(msg, " for column");
        if (for_col && (size_t)(for_col - msg) < keep)
            keep = (size_t)(for_col - msg);
        name = my_type_error_column(msg);
        orm_error_set_column(err, name);
        orm_buf_appendn(&text, msg, keep);
        if (name)
            orm_buf_appendf(&text, " for column '%s'", name);
        break;
    }
    case ORM_ECONNLOST:
        orm_buf_append(&text, "connection lost: ");
        my_append_scrubbed(&text, msg, secret);
        break;
    case ORM_ECONNECT:
        orm_buf_append(&text, "cannot connect: ");
        my_append_scrubbed(&text, msg, secret);
        break;
    default:
        my_append_scrubbed(&text, msg, secret);
        break;
    }
    free(name);
    err->message = orm_buf_finish(&text);
    return code;
}

static void my_deferred_close(my_conn *c)
{
    while (c->deferred) {
        my_stmt *st = c->deferred;
        c->deferred = st->next;
        mysql_stmt_close(st->handle);
        free(st);
    }
}

/*
 * The connection is gone: close the handle now. libmariadb then detaches
 * its statements, so finalizing them later only frees memory.
 */
static void my_conn_drop(my_conn *c)
{
    if (c->mysql)
        mysql_close(c->mysql);
    c->mysql = NULL;
    c->stream = NULL;
    my_deferred_close(c);
}

static int my_fail_mysql(my_conn *c)
{
    int rc = my_error_fill(c, &c->base.err, mysql_errno(c->mysql),
                           mysql_sqlstate(c->mysql), mysql_error(c->mysql), 0);
    if (rc == ORM_ECONNLOST)
        my_conn_drop(c);
    return rc;
}

static int my_fail_stmt(my_stmt *st)
{
    my_conn *c = st->owner;
    int rc;
    /* Some failures (a stream cut off while fetching) are recorded on
     * the connection only. */
    if (mysql_stmt_errno(st->handle) == 0 && c->mysql &&
        mysql_errno(c->mysql) != 0)
        return my_fail_mysql(c);
    rc = my_error_fill(c, &c->base.err, mysql_stmt_errno(st->handle),
                       mysql_stmt_sqlstate(st->handle),
                       mysql_stmt_error(st->handle), 0);
    if (rc == ORM_ECONNLOST)
        my_conn_drop(c);
    return rc;
}

static int my_nomem(orm_conn *conn)
{
    return orm_conn_error(conn, ORM_ENOMEM, "out of memory");
}

/* Can a new command go to the server now? (`self` may hold the stream.) */
static int my_conn_ready(my_conn *c, const my_stmt *self)
{
    if (!c->mysql)
        return orm_conn_error(&c->base, ORM_ECONNLOST,
                              "connection lost: reconnect before using it");
    if (c->stream && c->stream != self)
        return orm_conn_error(&c->base, ORM_EBUSY,
                              "a streamed result is still being read on "
                              "this connection; read it to the end or "
                              "reset its statement first");
    return 0;
}

/* ---- connections ---- */

static int my_truthy(const char *v)
{
    return strcasecmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
           strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0 ||
           strcasecmp(v, "require") == 0 || strcasecmp(v, "required") == 0;
}

/* TLS and socket settings from the URL's query; `charset` is ignored
 * (always utf8mb4), as are parameters meant for other drivers. */
static int my_conn_params(my_conn *c, const orm_url *url, orm_error *err)
{
    const char *v;

    if ((v = orm_url_param_get(url, "ssl")) && my_truthy(v))
        c->ssl_enforce = 1;
    if ((v = orm_url_param_get(url, "ssl_mode"))) {
        if (strcasecmp(v, "disabled") == 0 || strcasecmp(v, "preferred") == 0)
            c->ssl_enforce = 0;
        else if (strcasecmp(v, "required") == 0)
            c->ssl_enforce = 1;
        else if (strcasecmp(v, "verify_ca") == 0 ||
                 strcasecmp(v, "verify_identity") == 0)
            c->ssl_enforce = c->ssl_verify = 1;
        else
            return orm_error_set(err, ORM_EINVALID,
                                 "unknown ssl_mode '%s' (use DISABLED, "
                                 "PREFERRED, REQUIRED, VERIFY_CA or "
                                 "VERIFY_IDENTITY)",
                                 v);
    }
    if (my_dup(&c->ssl_ca, orm_url_param_get(url, "ssl_ca")) ||
        my_dup(&c->ssl_cert, orm_url_param_get(url, "ssl_cert")) ||
        my_dup(&c->ssl_key, orm_url_param_get(url, "ssl_key")) ||
        my_dup(&c->unix_socket, orm_url_param_get(url, "unix_socket")))
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    return 0;
}

/* Open c->mysql from the saved parameters and set the session up. */
static int my_conn_open(my_conn *c, orm_error *err)
{
    MYSQL *m = mysql_init(NULL);
    my_bool off = 0, on = 1;
    unsigned timeout = c->connect_timeout;
    int rc = 0;

    if (!m)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    /* TLS required: refuse a server that does not offer it before
     * libmariadb sends the login (see handshake.h). A local socket needs
     * no such look: nobody sits between. */
    if (c->ssl_enforce && !c->unix_socket && c->host &&
        strcmp(c->host, "localhost") != 0 &&
        my_server_tls_offer(c->host, c->port, timeout) == MY_TLS_NOT_OFFERED) {
        rc = orm_error_set(err, ORM_ECONNECT,
                           "cannot connect: TLS is required (ssl_mode) but "
                           "the server does not offer it; nothing was sent");
        goto done;
    }
    /* Without required TLS, never hand the password over in clear text
     * (mysql_clear_password, the PAM dialog), whoever asks for it. */
    if (!c->ssl_enforce)
        mysql_optionsv(m, MARIADB_OPT_RESTRICTED_AUTH, MY_SAFE_AUTH_PLUGINS);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    /* We notice a lost connection ourselves and reconnect in place. */
    mysql_options(m, MYSQL_OPT_RECONNECT, &off);
    mysql_options(m, MYSQL_REPORT_DATA_TRUNCATION, &on);
    if (c->ssl_enforce)
        mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &on);
    if (c->ssl_verify)
        mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    if (c->ssl_ca)
        mysql_options(m, MYSQL_OPT_SSL_CA, c->ssl_ca);
    if (c->ssl_cert)
        mysql_options(m, MYSQL_OPT_SSL_CERT, c->ssl_cert);
    if (c->ssl_key)
        mysql_options(m, MYSQL_OPT_SSL_KEY, c->ssl_key);
    /* The option files (/etc/my.cnf, /etc/mysql/my.cnf, ~/.my.cnf), groups
     * [client], [client-server], [client-mariadb] and [orb], as the
     * mariadb client reads them: a password kept in ~/.my.cnf works. They
     * are read inside mysql_real_connect, where the URL's host, user,
     * password, database, port and socket (its arguments) win over them. */
    mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, "orb");
    /* CLIENT_FOUND_ROWS: an UPDATE writing the same value still counts
     * the row as matched. */
    if (!mysql_real_connect(m, c->host, c->user, c->password, c->database,
                            c->port, c->unix_socket,
                            CLIENT_FOUND_ROWS | CLIENT_MULTI_RESULTS)) {
        if (mysql_errno(m) == CR_PLUGIN_NOT_ALLOWED && !c->ssl_enforce) {
            rc = orm_error_set(err, ORM_ECONNECT,
                               "cannot connect: the server asks for the "
                               "password in clear text on a connection "
                               "without TLS; refused (use ssl_mode=REQUIRED "
                               "or VERIFY_IDENTITY for such accounts)");
            goto done;
        }
        rc = my_error_fill(c, err, mysql_errno(m), mysql_sqlstate(m),
                           mysql_error(m), 1);
        goto done;
    }
    /* libmariadb 3.3 quietly stays in plain text when the server has no
     * TLS unless certificates are verified too. */
    /* What the option files may have changed and orb relies on. */
    mysql_options(m, MYSQL_OPT_RECONNECT, &off);
    mysql_options(m, MYSQL_REPORT_DATA_TRUNCATION, &on);
    if (c->ssl_enforce && !mysql_get_ssl_cipher(m)) {
        rc = orm_error_set(err, ORM_ECONNECT,
                           "cannot connect: TLS is required (ssl_mode) but "
                           "the server does not offer it");
        goto done;
    }
    for (size_t i = 0; i < sizeof my_session_sql / sizeof my_session_sql[0];
         i++) {
        if (mysql_query(m, my_session_sql[i]) == 0 ||
            mysql_errno(m) != MY_ER_UNKNOWN_COLLATION)
            break;
    }
    if (mysql_errno(m) ||
        (c->base.read_only &&
         mysql_query(m, "SET SESSION TRANSACTION READ ONLY"))) {
        rc = my_error_fill(c, err, mysql_errno(m), mysql_sqlstate(m),
                           mysql_error(m), 1);
        goto done;
    }
    c->is_mariadb = strstr(mysql_get_server_info(m), "MariaDB") != NULL;
    c->mysql = m;
    m = NULL;
done:
    if (m)
        mysql_close(m);
    return rc;
}

static void my_conn_free(my_conn *c)
{
    if (!c)
        return;
    free(c->host);
    free(c->user);
    my_secret_free(c->password);
    free(c->database);
    free(c->unix_socket);
    free(c->ssl_ca);
    free(c->ssl_cert);
    free(c->ssl_key);
    orm_error_clear(&c->base.err);
    free(c);
}

static int my_connect(orm_conn **out, const orm_url *url,
                      const orm_connect_options *opts, orm_error *err)
{
    my_conn *c = calloc(1, sizeof *c);
    int rc;

    *out = NULL;
    if (!c)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    c->base.driver = &orm_driver_mysql;
    c->base.read_only = opts ? opts->read_only : 0;
    c->connect_timeout = opts && opts->connect_timeout_s > 0
                             ? (unsigned)opts->connect_timeout_s
                             : MY_DEFAULT_TIMEOUT_S;
    c->port = url->port > 0 ? (unsigned)url->port : 0;
    if (my_dup(&c->host, url->host) || my_dup(&c->user, url->user) ||
        my_dup(&c->password, url->password) ||
        my_dup(&c->database, url->database)) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = my_conn_params(c, url, err)))
        goto done;
    rc = my_conn_open(c, err);
done:
    if (rc) {
        my_conn_free(c);
        return rc;
    }
    *out = &c->base;
    return 0;
}

static void my_close(orm_conn *conn)
{
    my_conn *c = (my_conn *)conn;
    if (!c)
        return;
    /* Statements not finalized yet outlive us: detach them. */
    for (my_stmt *st = c->live, *next; st; st = next) {
        next = st->next;
        st->owner = NULL;
        st->prev = st->next = NULL;
    }
    c->live = NULL;
    my_conn_drop(c);
    my_conn_free(c);
}

static int my_reconnect(orm_conn *conn)
{
    my_conn *c = (my_conn *)conn;
    my_conn_drop(c);
    c->generation++;
    return my_conn_open(c, &c->base.err);
}

static int my_ping(orm_conn *conn)
{
    my_conn *c = (my_conn *)conn;
    int rc = my_conn_ready(c, NULL);
    if (rc)
        return rc;
    if (mysql_ping(c->mysql)) {
        rc = my_fail_mysql(c);
        /* Whatever the reason, the connection does not answer. */
        return rc == ORM_EBUSY ? rc : ORM_ECONNLOST;
    }
    return 0;
}

static int my_exec(orm_conn *conn, const char *sql)
{
    my_conn *c = (my_conn *)conn;
    int rc = my_conn_ready(c, NULL);
    int more;

    if (rc)
        return rc;
    if (mysql_real_query(c->mysql, sql, (unsigned long)strlen(sql)))
        return my_fail_mysql(c);
    /* Drop any rows (and further results) the text produced. */
    do {
        MYSQL_RES *res = mysql_store_result(c->mysql);
        if (res)
            mysql_free_result(res);
        else if (mysql_field_count(c->mysql))
            return my_fail_mysql(c);
        more = mysql_next_result(c->mysql);
        if (more > 0)
            return my_fail_mysql(c);
    } while (more == 0);
    return 0;
}

static int my_begin(orm_conn *conn)
{
    return my_exec(conn, "START TRANSACTION");
}

static int my_commit(orm_conn *conn)
{
    return my_exec(conn, "COMMIT");
}

static int my_rollback(orm_conn *conn)
{
    return my_exec(conn, "ROLLBACK");
}

/* ---- statements ---- */

static void my_stmt_unlink(my_stmt *st)
{
    if (st->prev)
        st->prev->next = st->next;
    else if (st->owner && st->owner->live == st)
        st->owner->live = st->next;
    if (st->next)
        st->next->prev = st->prev;
    st->prev = st->next = NULL;
}

static void my_stmt_free_buffers(my_stmt *st)
{
    for (size_t i = 0; i < st->cols_cap; i++)
        free(st->cols[i].buf);
    free(st->cols);
    free(st->results);
    free(st->params);
    free(st->values);
    free(my_unconst(st->base.sql));
    st->cols = NULL;
    st->results = NULL;
    st->params = NULL;
    st->values = NULL;
    st->base.sql = NULL;
}

/* Unbind every parameter: the values bound before may be gone. */
static void my_params_clear(my_stmt *st)
{
    for (size_t i = 0; i < st->nparams; i++) {
        memset(&st->params[i], 0, sizeof st->params[i]);
        st->params[i].buffer_type = MYSQL_TYPE_NULL;
        st->values[i].is_null = 1;
        st->params[i].is_null = &st->values[i].is_null;
    }
}

static void my_finalize(orm_stmt *base);

static int my_prepare(orm_conn *conn, const char *sql, size_t nparams,
                      unsigned flags, orm_stmt **out)
{
    my_conn *c = (my_conn *)conn;
    my_stmt *st = NULL;
    int rc = my_conn_ready(c, NULL);

    *out = NULL;
    if (rc)
        return rc;
    st = calloc(1, sizeof *st);
    if (!st)
        return my_nomem(conn);
    st->base.conn = conn;
    st->owner = c;
    st->generation = c->generation;
    st->flags = flags;
    st->nparams = nparams;
    if (!(st->base.sql = orm_strdup(sql)) ||
        (nparams && (!(st->params = calloc(nparams, sizeof *st->params)) ||
                     !(st->values = calloc(nparams, sizeof *st->values)))) ||
        !(st->handle = mysql_stmt_init(c->mysql))) {
        rc = my_nomem(conn);
        goto done;
    }
    /* Linked before anything can fail, so finalize sees a normal stmt. */
    st->next = c->live;
    if (c->live)
        c->live->prev = st;
    c->live = st;
    if (mysql_stmt_prepare(st->handle, sql, (unsigned long)strlen(sql))) {
        rc = my_fail_stmt(st);
        goto done;
    }
    if (mysql_stmt_param_count(st->handle) != nparams) {
        rc = orm_conn_error(conn, ORM_EINVALID,
                            "statement has %lu placeholders, expected %zu",
                            mysql_stmt_param_count(st->handle), nparams);
        goto done;
    }
    my_params_clear(st);
    st->state = MY_NEED_EXEC;
done:
    if (rc) {
        my_finalize(&st->base);
        return rc;
    }
    *out = &st->base;
    return 0;
}

/* Is the statement still attached to the handle it was prepared on? */
static int my_stmt_current(const my_stmt *st)
{
    return st->owner && st->owner->mysql &&
           st->generation == st->owner->generation;
}

/*
 * A zoned timestamp (canonical DATETIMETZ text, orm/sys/datetime.h) →
 * the same instant in UTC without a zone ("YYYY-MM-DD HH:MM:SS[.fff]"),
 * since DATETIME has no zone and the session runs in UTC. Returns 1 when
 * converted, 0 when there is no zone or the text does not parse (then it
 * is bound as is and the server judges it).
 */
static int my_tz_to_utc(const char *s, size_t n, char *out)
{
    orm_datetime dt;
    if (orm_datetime_parse(&dt, s, n, ORM_DATETIMETZ) != ORM_DATETIME_OK)
        return 0;
    orm_datetime_to_utc(&dt);
    orm_datetime_text(out, &dt);
    return 1;
}

static int my_bind(orm_stmt *base, size_t index, const orm_value *v,
                   orm_type type)
{
    my_stmt *st = (my_stmt *)base;
    MYSQL_BIND *b;
    my_param *p;

    if (index >= st->nparams)
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "parameter %zu out of range (%zu)", index,
                              st->nparams);
    b = &st->params[index];
    p = &st->values[index];
    memset(b, 0, sizeof *b);
    p->is_null = 0;
    b->is_null = &p->is_null;
    switch (v->kind) {
    case ORM_VNULL:
        b->buffer_type = MYSQL_TYPE_NULL;
        p->is_null = 1;
        break;
    case ORM_VINT:
        p->ll = (long long)v->u.i;
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &p->ll;
        break;
    case ORM_VFLOAT:
        p->dbl = v->u.f;
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &p->dbl;
        break;
    case ORM_VBOOL:
        p->tiny = v->u.b ? 1 : 0;
        b->buffer_type = MYSQL_TYPE_TINY;
        b->buffer = &p->tiny;
        break;
    case ORM_VTEXT:
        /* Numeric, date, JSON and UUID text too: the server converts. */
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = my_unconst(v->u.s.ptr ? v->u.s.ptr : "");
        b->buffer_length = (unsigned long)v->u.s.len;
        if (type == ORM_DATETIMETZ &&
            my_tz_to_utc(v->u.s.ptr, v->u.s.len, p->tz_text)) {
            b->buffer = p->tz_text;
            b->buffer_length = (unsigned long)strlen(p->tz_text);
        }
        break;
    case ORM_VBLOB:
        b->buffer_type = MYSQL_TYPE_BLOB;
        b->buffer = my_unconst(v->u.s.ptr ? v->u.s.ptr : "");
        b->buffer_length = (unsigned long)v->u.s.len;
        break;
    default:
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "parameter %zu has an unknown kind", index);
    }
    st->state = MY_NEED_EXEC;
    st->have_row = 0;
    return 0;
}

/* Is a field of this type text/bytes (as opposed to a number or date)? */
static int my_field_is_string(enum enum_field_types t)
{
    switch (t) {
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
        return 1;
    default:
        return 0;
    }
}

/* Point the result bindings at each column's storage, after execute
 * (a result's column types may change between executions). */
static int my_results_bind(my_stmt *st)
{
    unsigned n = mysql_stmt_field_count(st->handle);
    MYSQL_FIELD *fields = mariadb_stmt_fetch_fields(st->handle);

    if (n > st->cols_cap) {
        MYSQL_BIND *results = realloc(st->results, n * sizeof *results);
        if (!results)
            return my_nomem(st->base.conn);
        st->results = results;
        my_col *cols = realloc(st->cols, n * sizeof *cols);
        if (!cols)
            return my_nomem(st->base.conn);
        memset(cols + st->cols_cap, 0, (n - st->cols_cap) * sizeof *cols);
        st->cols = cols;
        st->cols_cap = n;
    }
    st->ncols = n;
    if (!n)
        return 0;
    if (!fields)
        return orm_conn_error(st->base.conn, ORM_EERROR,
                              "result has no column metadata");
    for (unsigned i = 0; i < n; i++) {
        const MYSQL_FIELD *f = &fields[i];
        MYSQL_BIND *b = &st->results[i];
        my_col *col = &st->cols[i];

        memset(b, 0, sizeof *b);
        b->is_null = &col->is_null;
        b->length = &col->length;
        b->error = &col->error;
        col->big_unsigned = 0;
        switch (f->type) {
        case MYSQL_TYPE_TINY:
        case MYSQL_TYPE_SHORT:
        case MYSQL_TYPE_INT24:
        case MYSQL_TYPE_LONG:
        case MYSQL_TYPE_LONGLONG:
        case MYSQL_TYPE_YEAR:
            col->fetch = MY_FETCH_INT;
            /* BOOLEAN is TINYINT(1). */
            col->natural = f->type == MYSQL_TYPE_TINY && f->length == 1
                               ? ORM_VBOOL
                               : ORM_VINT;
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &col->ll;
            b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
            col->big_unsigned =
                f->type == MYSQL_TYPE_LONGLONG && b->is_unsigned;
            break;
        case MYSQL_TYPE_FLOAT:
        case MYSQL_TYPE_DOUBLE:
            col->fetch = MY_FETCH_DOUBLE;
            col->natural = ORM_VFLOAT;
            b->buffer_type = MYSQL_TYPE_DOUBLE;
            b->buffer = &col->dbl;
            break;
        default: {
            /* Text, bytes, DECIMAL (exact text), dates and times
             * (formatted by libmariadb), JSON, UUID, ENUM ... */
            int binary = (my_field_is_string(f->type) && f->charsetnr == 63) ||
                         f->type == MYSQL_TYPE_GEOMETRY ||
                         f->type == MYSQL_TYPE_BIT;
            col->fetch = MY_FETCH_TEXT;
            col->natural = binary ? ORM_VBLOB : ORM_VTEXT;
            if (!col->buf) {
                unsigned long cap = f->length;
                if (cap < MY_TEXT_MIN)
                    cap = MY_TEXT_MIN;
                if (cap > MY_TEXT_START)
                    cap = MY_TEXT_START;
                if (!(col->buf = malloc(cap + 1)))
                    return my_nomem(st->base.conn);
                col->cap = cap;
            }
            b->buffer_type = binary ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
            b->buffer = col->buf;
            b->buffer_length = col->cap;
            break;
        }
        }
    }
    if (mysql_stmt_bind_result(st->handle, st->results))
        return my_fail_stmt(st);
    return 0;
}

static int my_execute(my_stmt *st)
{
    my_conn *c = st->owner;
    int rc = my_conn_ready(c, st);

    if (rc)
        return rc;
    if (c->stream == st)
        c->stream = NULL; /* execute flushes our unread rows */
    if (st->nparams && mysql_stmt_bind_param(st->handle, st->params))
        return my_fail_stmt(st);
    if (mysql_stmt_execute(st->handle))
        return my_fail_stmt(st);
    if (mysql_stmt_field_count(st->handle) == 0) {
        st->ncols = 0;
        st->state = MY_DONE;
        return 0;
    }
    if ((rc = my_results_bind(st)))
        goto fail;
    if (st->flags & ORM_STMT_STREAM) {
        c->stream = st;
    } else {
        if (mysql_stmt_store_result(st->handle))
            return my_fail_stmt(st);
        st->stored_rows = mysql_stmt_num_rows(st->handle);
        st->fetched = 0;
    }
    st->state = MY_ROWS;
    return 0;
fail:
    /* Leave the connection usable: drop the result we cannot read. */
    if (c->mysql)
        mysql_stmt_free_result(st->handle);
    st->state = MY_DONE;
    return rc;
}

/* The stream (if it was ours) is over: run the finalizations it held up. */
static void my_stream_end(my_stmt *st)
{
    my_conn *c = st->owner;
    if (c && c->stream == st) {
        c->stream = NULL;
        my_deferred_close(c);
    }
}

/* Fetch the next row; values longer than their buffers are fetched
 * whole into grown buffers, which later rows then use. */
static int my_fetch(my_stmt *st)
{
    int rc, rebind = 0;

    /* The end of a stored result is known without asking libmariadb,
     * which would mark the connection idle even while another
     * statement's stream is open on it. */
    if (!(st->flags & ORM_STMT_STREAM) && st->fetched >= st->stored_rows) {
        st->state = MY_DONE;
        return ORM_DONE;
    }
    st->fetched++;
    rc = mysql_stmt_fetch(st->handle);

    if (rc == MYSQL_NO_DATA) {
        st->state = MY_DONE;
        my_stream_end(st);
        return ORM_DONE;
    }
    if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) {
        st->state = MY_DONE;
        rc = my_fail_stmt(st);
        my_stream_end(st);
        return rc;
    }
    for (size_t i = 0; i < st->ncols; i++) {
        my_col *col = &st->cols[i];
        if (col->fetch != MY_FETCH_TEXT || col->is_null)
            continue;
        if (col->length > col->cap) {
            char *buf = malloc((size_t)col->length + 1);
            MYSQL_BIND whole;
            unsigned long got = 0;
            my_bool is_null = 0, error = 0;
            if (!buf)
                return my_nomem(st->base.conn);
            free(col->buf);
            col->buf = buf;
            col->cap = col->length;
            memset(&whole, 0, sizeof whole);
            whole.buffer_type = st->results[i].buffer_type;
            whole.buffer = col->buf;
            whole.buffer_length = col->cap;
            whole.length = &got;
            whole.is_null = &is_null;
            whole.error = &error;
            if (mysql_stmt_fetch_column(st->handle, &whole, (unsigned)i, 0))
                return my_fail_stmt(st);
            st->results[i].buffer = col->buf;
            st->results[i].buffer_length = col->cap;
            rebind = 1;
        }
        col->buf[col->length < col->cap ? col->length : col->cap] = '\0';
    }
    /* After all fetch_column calls: rebinding forgets the row position. */
    if (rebind && mysql_stmt_bind_result(st->handle, st->results))
        return my_fail_stmt(st);
    st->have_row = 1;
    return ORM_ROW;
}

static int my_step(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    int rc;

    st->have_row = 0;
    if (!st->owner)
        return ORM_EINVALID; /* its connection is closed: no error slot */
    if (!my_stmt_current(st))
        return orm_conn_error(base->conn, ORM_ECONNLOST,
                              "connection lost: prepare the statement again");
    if (st->state == MY_NEED_EXEC && (rc = my_execute(st)) < 0)
        return rc;
    if (st->state == MY_DONE)
        return ORM_DONE;
    return my_fetch(st);
}

static size_t my_column_count(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    if (st->state == MY_NEED_EXEC || (st->state == MY_DONE && !st->ncols))
        return mysql_stmt_field_count(st->handle);
    return st->ncols;
}

/* Does timestamp text carry a zone after its date part? */
static int my_has_zone(const char *s, size_t n)
{
    for (size_t i = 10; i < n; i++)
        if (s[i] == '+' || s[i] == '-' || s[i] == 'Z' || s[i] == 'z')
            return 1;
    return 0;
}

static int my_column(orm_stmt *base, size_t index, orm_type type,
                     orm_value *out)
{
    my_stmt *st = (my_stmt *)base;
    my_col *col;
    orm_value_kind want;
    int64_t iv;
    double fv;

    *out = orm_value_null();
    if (!st->have_row)
        return orm_conn_error(base->conn, ORM_EINVALID, "no current row");
    if (index >= st->ncols)
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "column %zu out of range (%zu)", index,
                              st->ncols);
    col = &st->cols[index];
    if (col->is_null)
        return 0;
    want = type == ORM_TYPE_COUNT ? col->natural : orm_type_kind(type);

    if (col->fetch == MY_FETCH_INT) {
        int overflow = col->big_unsigned && col->ll < 0;
        if (want == ORM_VTEXT || want == ORM_VBLOB || overflow) {
            if (overflow)
                snprintf(col->scratch, sizeof col->scratch, "%llu",
                         (unsigned long long)col->ll);
            else
                snprintf(col->scratch, sizeof col->scratch, "%lld", col->ll);
            if (overflow && want != ORM_VTEXT && type != ORM_TYPE_COUNT)
                return orm_conn_error(base->conn, ORM_ETYPE,
                                      "column %zu: %s does not fit a "
                                      "64-bit integer",
                                      index, col->scratch);
            *out = want == ORM_VBLOB && !overflow
                       ? orm_value_blob(col->scratch, strlen(col->scratch))
                       : orm_value_text(col->scratch);
        } else if (want == ORM_VFLOAT) {
            *out = orm_value_float((double)col->ll);
        } else if (want == ORM_VBOOL) {
            *out = orm_value_bool(col->ll != 0);
        } else {
            *out = orm_value_int((int64_t)col->ll);
        }
        return 0;
    }
    if (col->fetch == MY_FETCH_DOUBLE) {
        double d = col->dbl;
        if (want == ORM_VINT) {
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
                  d == (double)(int64_t)d)) {
                orm_double_text(col->scratch, d, ORM_DOUBLE_SHORT);
                return orm_conn_error(base->conn, ORM_ETYPE,
                                      "column %zu: %s is not a whole "
                                      "number",
                                      index, col->scratch);
            }
            *out = orm_value_int((int64_t)d);
        } else if (want == ORM_VBOOL) {
            *out = orm_value_bool(d != 0.0);
        } else if (want == ORM_VTEXT || want == ORM_VBLOB) {
            orm_double_text(col->scratch, d, ORM_DOUBLE_SHORT);
            *out = want == ORM_VBLOB
                       ? orm_value_blob(col->scratch, strlen(col->scratch))
                       : orm_value_text(col->scratch);
        } else {
            *out = orm_value_float(d);
        }
        return 0;
    }

    /* Text or bytes. */
    const char *text = col->buf;
    size_t len = col->length < col->cap ? col->length : col->cap;
    switch (want) {
    case ORM_VINT:
        if (orm_int_parse(&iv, text, len))
            return orm_conn_error(base->conn, ORM_ETYPE,
                                  "column %zu is not a whole number", index);
        *out = orm_value_int(iv);
        return 0;
    case ORM_VFLOAT:
        if (orm_double_parse(&fv, text, len))
            return orm_conn_error(base->conn, ORM_ETYPE,
                                  "column %zu is not a number", index);
        *out = orm_value_float(fv);
        return 0;
    case ORM_VBOOL:
        if (orm_int_parse(&iv, text, len) == 0)
            *out = orm_value_bool(iv != 0);
        else if (len == 4 && strncasecmp(text, "true", 4) == 0)
            *out = orm_value_bool(1);
        else if (len == 5 && strncasecmp(text, "false", 5) == 0)
            *out = orm_value_bool(0);
        else
            return orm_conn_error(base->conn, ORM_ETYPE,
                                  "column %zu is not a boolean", index);
        return 0;
    case ORM_VBLOB:
        *out = orm_value_blob(text, len);
        return 0;
    default:
        /* DATETIME holds UTC (the session zone): say so for DateTimeTZ. */
        if (type == ORM_DATETIMETZ && len >= 10 && !my_has_zone(text, len) &&
            len + sizeof "+00:00" <= sizeof col->scratch) {
            memcpy(col->scratch, text, len);
            memcpy(col->scratch + len, "+00:00", sizeof "+00:00");
            *out = orm_value_textn(col->scratch, len + 6);
            return 0;
        }
        *out = orm_value_textn(text, len);
        return 0;
    }
}

static int64_t my_rows_matched(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    my_ulonglong n = mysql_stmt_affected_rows(st->handle);
    if (n == (my_ulonglong)-1 || n > (my_ulonglong)INT64_MAX)
        return -1;
    return (int64_t)n;
}

static int my_last_insert_id(orm_stmt *base, int64_t *out)
{
    my_stmt *st = (my_stmt *)base;
    my_ulonglong id = mysql_stmt_insert_id(st->handle);
    if (id == 0)
        return orm_conn_error(base->conn, ORM_ENOTFOUND,
                              "the statement generated no key");
    if (id > (my_ulonglong)INT64_MAX)
        return orm_conn_error(base->conn, ORM_ETYPE,
                              "generated key does not fit 64 bits");
    *out = (int64_t)id;
    return 0;
}

static int my_reset(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    my_conn *c = st->owner;
    int was_stream = c && c->stream == st;

    st->state = MY_NEED_EXEC;
    st->have_row = 0;
    my_params_clear(st);
    if (!my_stmt_current(st))
        return 0;
    /* With another statement's stream open, libmariadb would read (and
     * lose) that stream's rows: leave our stored rows to the next
     * execute, which frees them. */
    if (c->stream && !was_stream)
        return 0;
    /* Reads what is left of our stream; a failure there shows on the
     * next command. */
    mysql_stmt_free_result(st->handle);
    my_stream_end(st);
    return 0;
}

static void my_finalize(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    my_conn *c;

    if (!st)
        return;
    c = st->owner;
    my_stmt_unlink(st);
    if (c && c->stream == st) {
        /* Closing reads the rest of the stream first. */
        mysql_stmt_close(st->handle);
        st->handle = NULL;
        my_stream_end(st);
    } else if (c && c->stream && st->handle && my_stmt_current(st)) {
        /* Closing now would read another statement's stream: later. */
        my_stmt_free_buffers(st);
        st->next = c->deferred;
        c->deferred = st;
        return;
    }
    if (st->handle)
        mysql_stmt_close(st->handle);
    my_stmt_free_buffers(st);
    free(st);
}

/* ---- DDL ---- */

static void my_column_type_sql(orm_buf *out, const orm_column *col, int autoinc)
{
    switch (col->type) {
    case ORM_INTEGER:
        orm_buf_append(out, "INT");
        break;
    case ORM_BIGINT:
        orm_buf_append(out, "BIGINT");
        break;
    case ORM_SMALLINT:
        orm_buf_append(out, "SMALLINT");
        break;
    case ORM_STRING:
        orm_buf_appendf(out, "VARCHAR(%d)",
                        col->length > 0 ? col->length : 255);
        break;
    case ORM_BOOLEAN:
        orm_buf_append(out, "BOOLEAN");
        break;
    case ORM_FLOAT:
        orm_buf_append(out, "DOUBLE");
        break;
    case ORM_NUMERIC:
        if (col->precision > 0)
            orm_buf_appendf(out, "DECIMAL(%d,%d)", col->precision,
                            col->scale > 0 ? col->scale : 0);
        else
            orm_buf_append(out, "DECIMAL(65,30)");
        break;
    case ORM_DATE:
        orm_buf_append(out, "DATE");
        break;
    case ORM_TIME:
        orm_buf_append(out, "TIME(6)");
        break;
    case ORM_DATETIME:
    case ORM_DATETIMETZ: /* stored as UTC */
        orm_buf_append(out, "DATETIME(6)");
        break;
    case ORM_BLOB:
        orm_buf_append(out, "LONGBLOB");
        break;
    case ORM_JSON:
        orm_buf_append(out, "JSON");
        break;
    case ORM_UUID:
        orm_buf_append(out, "UUID");
        break;
    case ORM_TEXT:
    default:
        orm_buf_append(out, "LONGTEXT");
        break;
    }
    if (autoinc && (col->type == ORM_INTEGER || col->type == ORM_BIGINT ||
                    col->type == ORM_SMALLINT))
        orm_buf_append(out, " AUTO_INCREMENT");
}

/* ---- reflection ---- */

/* Rows of a catalog query as owned strings (NULL for SQL NULL). */
typedef struct my_rows {
    char **cells; /* row r, column j: cells[r * ncols + j] */
    size_t nrows, ncols, cap;
} my_rows;

static void my_rows_free(my_rows *r)
{
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    r->cells = NULL;
    r->nrows = r->cap = 0;
}

static const char *my_cell(const my_rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

/* Run `sql` with text parameters and collect `ncols` columns as text. */
static int my_query(my_conn *c, const char *sql, const char *const *params,
                    size_t nparams, size_t ncols, my_rows *out)
{
    orm_stmt *st = NULL;
    orm_value v;
    int rc;

    out->cells = NULL;
    out->nrows = out->cap = 0;
    out->ncols = ncols;
    if ((rc = my_prepare(&c->base, sql, nparams, 0, &st)))
        return rc;
    for (size_t i = 0; i < nparams; i++) {
        v = params[i] ? orm_value_text(params[i]) : orm_value_null();
        if ((rc = my_bind(st, i, &v, ORM_TEXT)))
            goto done;
    }
    while ((rc = my_step(st)) == ORM_ROW) {
        if (out->nrows == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 16;
            char **cells = realloc(out->cells, cap * ncols * sizeof *cells);
            if (!cells) {
                rc = my_nomem(&c->base);
                goto done;
            }
            out->cells = cells;
            out->cap = cap;
        }
        char **row = out->cells + out->nrows * ncols;
        for (size_t j = 0; j < ncols; j++)
            row[j] = NULL;
        out->nrows++;
        for (size_t j = 0; j < ncols; j++) {
            if ((rc = my_column(st, j, ORM_TEXT, &v)))
                goto done;
            if (v.kind != ORM_VNULL &&
                !(row[j] = orm_strndup(v.u.s.ptr, v.u.s.len))) {
                rc = my_nomem(&c->base);
                goto done;
            }
        }
    }
    if (rc == ORM_DONE)
        rc = 0;
done:
    my_finalize(st);
    if (rc)
        my_rows_free(out);
    return rc;
}

/* `schema`, or the current database; owned. */
static int my_schema_resolve(my_conn *c, const char *schema, char **out)
{
    my_rows r;
    int rc;

    *out = NULL;
    if (schema) {
        if (!(*out = orm_strdup(schema)))
            return my_nomem(&c->base);
        return 0;
    }
    if ((rc = my_query(c, "SELECT DATABASE()", NULL, 0, 1, &r)))
        return rc;
    if (r.nrows == 1) {
        *out = r.cells[0]; /* NULL when no database is selected */
        r.cells[0] = NULL;
    }
    my_rows_free(&r);
    if (!*out)
        return orm_conn_error(&c->base, ORM_ENOTFOUND, "no database selected");
    return 0;
}

static int my_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    my_conn *c = (my_conn *)conn;
    my_rows r;
    char **names;
    int rc;

    *out = NULL;
    *count = 0;
    rc = my_query(c,
                  "SELECT TABLE_NAME FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = DATABASE() "
                  "AND TABLE_TYPE IN ('BASE TABLE', 'VIEW') "
                  "ORDER BY BINARY TABLE_NAME",
                  NULL, 0, 1, &r);
    if (rc)
        return rc;
    if (!(names = calloc(r.nrows ? r.nrows : 1, sizeof *names))) {
        my_rows_free(&r);
        return my_nomem(conn);
    }
    for (size_t i = 0; i < r.nrows; i++) {
        names[i] = r.cells[i];
        r.cells[i] = NULL;
    }
    *out = names;
    *count = r.nrows;
    my_rows_free(&r);
    return 0;
}

/* Map information_schema's type description onto an orm_column. */
static void my_type_from_catalog(orm_column *col, const char *data_type,
                                 const char *column_type,
                                 const char *char_length, const char *precision,
                                 const char *scale)
{
    static const struct {
        const char *name;
        orm_type type;
    } simple[] = {
        {"int", ORM_INTEGER},        {"integer", ORM_INTEGER},
        {"mediumint", ORM_INTEGER},  {"bigint", ORM_BIGINT},
        {"smallint", ORM_SMALLINT},  {"text", ORM_TEXT},
        {"tinytext", ORM_TEXT},      {"mediumtext", ORM_TEXT},
        {"longtext", ORM_TEXT},      {"double", ORM_FLOAT},
        {"real", ORM_FLOAT},         {"year", ORM_SMALLINT},
        {"bit", ORM_BLOB},           {"date", ORM_DATE},
        {"time", ORM_TIME},          {"datetime", ORM_DATETIME},
        {"timestamp", ORM_DATETIME}, {"blob", ORM_BLOB},
        {"tinyblob", ORM_BLOB},      {"mediumblob", ORM_BLOB},
        {"longblob", ORM_BLOB},      {"varbinary", ORM_BLOB},
        {"binary", ORM_BLOB},        {"json", ORM_JSON},
        {"uuid", ORM_UUID},
    };
    col->type = ORM_TEXT;
    if (!data_type)
        return;
    if (strcasecmp(data_type, "float") == 0) {
        col->type = ORM_FLOAT;
        col->precision = 24; /* FLOAT is single precision */
        return;
    }
    if (strcasecmp(data_type, "tinyint") == 0) {
        col->type = column_type && strcasecmp(column_type, "tinyint(1)") == 0
                        ? ORM_BOOLEAN
                        : ORM_SMALLINT;
        return;
    }
    if (strcasecmp(data_type, "varchar") == 0 ||
        strcasecmp(data_type, "char") == 0) {
        col->type = ORM_STRING;
        col->length = char_length ? (int)strtol(char_length, NULL, 10) : 0;
        return;
    }
    if (strcasecmp(data_type, "decimal") == 0 ||
        strcasecmp(data_type, "numeric") == 0) {
        col->type = ORM_NUMERIC;
        col->precision = precision ? (int)strtol(precision, NULL, 10) : 0;
        col->scale = scale ? (int)strtol(scale, NULL, 10) : 0;
        return;
    }
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcasecmp(data_type, simple[i].name) == 0) {
            col->type = simple[i].type;
            return;
        }
    }
}

/* Is `clause` exactly json_valid(`name`) (MariaDB's JSON columns)? */
static int my_is_json_check(const char *clause, const char *name)
{
    static const char head[] = "json_valid(`";
    size_t n = strlen(head);
    if (!clause || strncasecmp(clause, head, n) != 0)
        return 0;
    clause += n;
    for (; *name; name++) {
        if (*clause++ != *name)
            return 0;
        if (*name == '`' && *clause++ != '`')
            return 0;
    }
    return strcmp(clause, "`)") == 0;
}

/*
 * COLUMN_DEFAULT as SQL to write after DEFAULT, owned, or NULL for none.
 * MariaDB already gives SQL ('abc', 0, current_timestamp(6), "NULL");
 * MySQL gives literals bare and expressions marked DEFAULT_GENERATED.
 */
static int my_default_sql(const my_conn *c, const char *value,
                          const char *extra, orm_type type, char **out)
{
    orm_buf b = ORM_BUF_INIT;
    *out = NULL;
    if (!value || (c->is_mariadb && strcmp(value, "NULL") == 0))
        return 0;
    if (c->is_mariadb || (extra && strstr(extra, "DEFAULT_GENERATED")) ||
        (orm_type_kind(type) != ORM_VTEXT && type != ORM_BLOB) ||
        type == ORM_NUMERIC) {
        *out = orm_strdup(value);
        return *out ? 0 : -1;
    }
    orm_buf_appendc(&b, '\'');
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            orm_buf_appendc(&b, *p);
        orm_buf_appendc(&b, *p);
    }
    orm_buf_appendc(&b, '\'');
    *out = orm_buf_finish(&b);
    return *out ? 0 : -1;
}

enum {
    MY_COL_NAME,
    MY_COL_TYPE,
    MY_COL_DATA_TYPE,
    MY_COL_NULLABLE,
    MY_COL_DEFAULT,
    MY_COL_EXTRA,
    MY_COL_CHAR_LENGTH,
    MY_COL_PRECISION,
    MY_COL_SCALE,
    MY_COL_GENERATION,
    MY_COL_COLLATION,
    MY_COL_COUNT
};

enum {
    MY_KEY_NAME,
    MY_KEY_TYPE,
    MY_KEY_COLUMN,
    MY_KEY_REF_TABLE,
    MY_KEY_REF_COLUMN,
    MY_KEY_COUNT
};

static int my_find_column(const orm_column *cols, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

/*
 * Apply one key (rows [first, end) of `keys`, one constraint) to the
 * columns, or add it to the model when it spans several columns.
 */
static int my_apply_key(orm_model *m, orm_column *cols, size_t ncols,
                        const my_rows *keys, size_t first, size_t end)
{
    const char *name = my_cell(keys, first, MY_KEY_NAME);
    const char *type = my_cell(keys, first, MY_KEY_TYPE);
    size_t n = end - first;
    const char **names = NULL, **refs = NULL;
    int rc = 0;

    if (!type)
        return 0;
    if (strcmp(type, "PRIMARY KEY") == 0) {
        for (size_t r = first; r < end; r++) {
            int i =
                my_find_column(cols, ncols, my_cell(keys, r, MY_KEY_COLUMN));
            if (i >= 0)
                cols[i].flags |= ORM_PK | ORM_NOT_NULL;
        }
        return 0;
    }
    if (n == 1) {
        int i =
            my_find_column(cols, ncols, my_cell(keys, first, MY_KEY_COLUMN));
        if (i < 0)
            return 0;
        if (strcmp(type, "UNIQUE") == 0) {
            cols[i].flags |= ORM_UNIQUE;
        } else if (!cols[i].ref_table &&
                   my_cell(keys, first, MY_KEY_REF_TABLE)) {
            cols[i].ref_table = my_cell(keys, first, MY_KEY_REF_TABLE);
            cols[i].ref_column = my_cell(keys, first, MY_KEY_REF_COLUMN);
        }
        return 0;
    }
    names = calloc(n, sizeof *names);
    refs = calloc(n, sizeof *refs);
    if (!names || !refs) {
        rc = ORM_ENOMEM;
        goto done;
    }
    for (size_t r = first; r < end; r++) {
        names[r - first] = my_cell(keys, r, MY_KEY_COLUMN);
        refs[r - first] = my_cell(keys, r, MY_KEY_REF_COLUMN);
        if (!names[r - first])
            goto done; /* not a plain column list: skip */
    }
    if (strcmp(type, "UNIQUE") == 0) {
        rc = orm_model_add_unique(m, name, n, names);
    } else if (my_cell(keys, first, MY_KEY_REF_TABLE)) {
        for (size_t j = 0; j < n; j++)
            if (!refs[j])
                goto done;
        rc = orm_model_add_foreign_key(
            m, name, n, names, my_cell(keys, first, MY_KEY_REF_TABLE), refs);
    }
done:
    free(names);
    free(refs);
    return rc;
}

#define MY_VIEW_READ_ONLY                                                      \
    "a view: it has no primary key to find a row by, so orb only reads it"

/* What a column carries beyond its type, owned until the model copies it. */
typedef struct my_col_extra {
    char *read_only;
    char *labels; /* ENUM / SET values, unquoted, NUL-separated */
    const char **choices;
} my_col_extra;

static void my_col_extra_free(my_col_extra *x)
{
    free(x->read_only);
    free(x->labels);
    free(x->choices);
}

/* The values of "enum('a','it''s')" or "set(...)", unquoted. */
static int my_parse_choices(orm_column *col, my_col_extra *x)
{
    const char *p = col->native_type ? strchr(col->native_type, '(') : NULL;
    size_t n = 0, at = 0;
    if (!p)
        return 0;
    if (!(x->labels = malloc(strlen(p) + 1)) ||
        !(x->choices = calloc(strlen(p), sizeof *x->choices)))
        return -1;
    for (p++; *p == '\'';) {
        x->choices[n++] = x->labels + at;
        for (p++; *p; p++) {
            if (*p == '\'' && p[1] == '\'')
                p++;
            else if (*p == '\\' && p[1])
                p++;
            else if (*p == '\'')
                break;
            x->labels[at++] = *p;
        }
        x->labels[at++] = '\0';
        if (*p == '\'')
            p++;
        if (*p == ',')
            p++;
    }
    col->choices = x->choices;
    col->nchoices = n;
    return 0;
}

/* Generated columns and BIT are read-only; ENUM and SET have choices. */
static int my_column_extras(orm_column *col, const char *data_type,
                            const char *extra, const char *generation,
                            my_col_extra *x)
{
    orm_buf b = ORM_BUF_INIT;
    if (extra && strstr(extra, "GENERATED"))
        orm_buf_appendf(&b, "generated by the database from %s",
                        generation ? generation : "an expression");
    else if (data_type && strcasecmp(data_type, "bit") == 0)
        orm_buf_appendf(&b,
                        "%s is a bit string: orb shows its bytes and "
                        "cannot write it",
                        col->native_type);
    if (b.len || b.failed) {
        if (!(x->read_only = orm_buf_finish(&b)))
            return -1;
        col->read_only = x->read_only;
    }
    if (data_type && strcasecmp(data_type, "set") == 0)
        col->flags |= ORM_CHOICE_SET;
    if (data_type && (strcasecmp(data_type, "enum") == 0 ||
                      strcasecmp(data_type, "set") == 0))
        return my_parse_choices(col, x);
    return 0;
}

static int my_reflect_table(orm_conn *conn, const char *schema,
                            const char *table, orm_model **out)
{
    my_conn *c = (my_conn *)conn;
    my_rows colr = {0}, checks = {0}, keys = {0}, idx = {0}, kind = {0};
    my_col_extra *extras = NULL;
    orm_column *cols = NULL;
    char **defaults = NULL;
    orm_model *m = NULL;
    char *db = NULL;
    int rc;

    *out = NULL;
    if ((rc = my_schema_resolve(c, schema, &db)))
        return rc;
    const char *const params[] = {db, table, db, table};
    rc = my_query(c,
                  "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, "
                  "COLUMN_DEFAULT, EXTRA, CHARACTER_MAXIMUM_LENGTH, "
                  "NUMERIC_PRECISION, NUMERIC_SCALE, GENERATION_EXPRESSION, "
                  "COLLATION_NAME "
                  "FROM information_schema.COLUMNS "
                  "WHERE TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND TABLE_NAME = ? COLLATE utf8mb4_bin "
                  "ORDER BY ORDINAL_POSITION",
                  params, 2, MY_COL_COUNT, &colr);
    if (rc)
        goto done;
    if (colr.nrows == 0) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no table '%s' in '%s'", table,
                            db);
        goto done;
    }
    /* MariaDB's JSON is LONGTEXT with a json_valid() check. Servers
     * without CHECK_CONSTRAINTS simply have none. */
    rc = my_query(c,
                  "SELECT CHECK_CLAUSE FROM information_schema."
                  "CHECK_CONSTRAINTS "
                  "WHERE CONSTRAINT_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND TABLE_NAME = ? COLLATE utf8mb4_bin",
                  params, 2, 1, &checks);
    if (rc == ORM_EERROR)
        rc = 0;
    if (rc)
        goto done;
    rc = my_query(c,
                  "SELECT tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, "
                  "k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
                  "k.REFERENCED_COLUMN_NAME "
                  "FROM information_schema.TABLE_CONSTRAINTS tc "
                  "JOIN information_schema.KEY_COLUMN_USAGE k "
                  "ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA "
                  "AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
                  "AND k.TABLE_SCHEMA = tc.TABLE_SCHEMA "
                  "AND k.TABLE_NAME = tc.TABLE_NAME "
                  "WHERE tc.TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND tc.TABLE_NAME = ? COLLATE utf8mb4_bin "
                  "AND k.TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND k.TABLE_NAME = ? COLLATE utf8mb4_bin "
                  "AND tc.CONSTRAINT_TYPE IN "
                  "('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') "
                  "ORDER BY tc.CONSTRAINT_TYPE, BINARY tc.CONSTRAINT_NAME, "
                  "k.ORDINAL_POSITION",
                  params, 4, MY_KEY_COUNT, &keys);
    if (rc)
        goto done;
    /* One-column plain indexes mark their column, as on SQLite. */
    rc = my_query(c,
                  "SELECT MAX(COLUMN_NAME) FROM information_schema.STATISTICS "
                  "WHERE TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND TABLE_NAME = ? COLLATE utf8mb4_bin AND NON_UNIQUE = 1 "
                  "GROUP BY INDEX_NAME HAVING COUNT(*) = 1",
                  params, 2, 1, &idx);
    if (rc)
        goto done;
    rc = my_query(c,
                  "SELECT TABLE_TYPE FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND TABLE_NAME = ? COLLATE utf8mb4_bin",
                  params, 2, 1, &kind);
    if (rc)
        goto done;

    cols = calloc(colr.nrows, sizeof *cols);
    defaults = calloc(colr.nrows, sizeof *defaults);
    extras = calloc(colr.nrows, sizeof *extras);
    if (!cols || !defaults || !extras) {
        rc = my_nomem(conn);
        goto done;
    }
    for (size_t r = 0; r < colr.nrows; r++) {
        orm_column *col = &cols[r];
        const char *nullable = my_cell(&colr, r, MY_COL_NULLABLE);
        const char *extra = my_cell(&colr, r, MY_COL_EXTRA);

        col->name = my_cell(&colr, r, MY_COL_NAME);
        col->native_type = my_cell(&colr, r, MY_COL_TYPE);
        col->collation = my_cell(&colr, r, MY_COL_COLLATION);
        my_type_from_catalog(col, my_cell(&colr, r, MY_COL_DATA_TYPE),
                             col->native_type,
                             my_cell(&colr, r, MY_COL_CHAR_LENGTH),
                             my_cell(&colr, r, MY_COL_PRECISION),
                             my_cell(&colr, r, MY_COL_SCALE));
        if (col->type == ORM_TEXT) {
            for (size_t k = 0; k < checks.nrows; k++)
                if (my_is_json_check(my_cell(&checks, k, 0), col->name))
                    col->type = ORM_JSON;
        }
        if (nullable && strcmp(nullable, "NO") == 0)
            col->flags |= ORM_NOT_NULL;
        if (extra && strstr(extra, "auto_increment"))
            col->flags |= ORM_AUTOINC;
        if ((rc = my_column_extras(col, my_cell(&colr, r, MY_COL_DATA_TYPE),
                                   extra, my_cell(&colr, r, MY_COL_GENERATION),
                                   &extras[r]))) {
            rc = my_nomem(conn);
            goto done;
        }
        if (my_default_sql(c, my_cell(&colr, r, MY_COL_DEFAULT), extra,
                           col->type, &defaults[r])) {
            rc = my_nomem(conn);
            goto done;
        }
        col->server_default = defaults[r];
    }
    if ((rc = orm_model_new(&m, table, table)) ||
        (schema && (rc = orm_model_set_schema(m, schema))))
        goto nomem;
    for (size_t first = 0, r = 1; first < keys.nrows; r++) {
        if (r < keys.nrows) {
            const char *a = my_cell(&keys, first, MY_KEY_NAME);
            const char *b = my_cell(&keys, r, MY_KEY_NAME);
            const char *ta = my_cell(&keys, first, MY_KEY_TYPE);
            const char *tb = my_cell(&keys, r, MY_KEY_TYPE);
            if (a && b && ta && tb && strcmp(a, b) == 0 && strcmp(ta, tb) == 0)
                continue;
        }
        if ((rc = my_apply_key(m, cols, colr.nrows, &keys, first, r)))
            goto nomem;
        first = r;
    }
    /* A single integer key without AUTO_INCREMENT is not generated. */
    int npk = 0, pk = -1;
    for (size_t i = 0; i < colr.nrows; i++)
        if (cols[i].flags & ORM_PK) {
            npk++;
            pk = (int)i;
        }
    if (npk == 1 && !(cols[pk].flags & ORM_AUTOINC))
        cols[pk].flags |= ORM_NO_AUTOINC;
    for (size_t k = 0; k < idx.nrows; k++) {
        int i = my_find_column(cols, colr.nrows, my_cell(&idx, k, 0));
        if (i >= 0)
            cols[i].flags |= ORM_INDEX;
    }
    if (kind.nrows == 1 && my_cell(&kind, 0, 0) &&
        strcmp(my_cell(&kind, 0, 0), "VIEW") == 0) {
        m->is_view = 1;
        if (orm_model_set_read_only(m, MY_VIEW_READ_ONLY))
            goto nomem;
    }
    for (size_t i = 0; i < colr.nrows; i++)
        if ((rc = orm_model_add_column(m, &cols[i])))
            goto nomem;
    *out = m;
    m = NULL;
    rc = 0;
    goto done;
nomem:
    rc = my_nomem(conn);
done:
    orm_model_free(m);
    if (defaults)
        for (size_t i = 0; i < colr.nrows; i++)
            free(defaults[i]);
    free(defaults);
    if (extras)
        for (size_t i = 0; i < colr.nrows; i++)
            my_col_extra_free(&extras[i]);
    free(extras);
    free(cols);
    my_rows_free(&idx);
    my_rows_free(&kind);
    my_rows_free(&colr);
    my_rows_free(&checks);
    my_rows_free(&keys);
    free(db);
    return rc;
}

static int my_estimate_count(orm_conn *conn, const char *schema,
                             const char *table, int64_t *out)
{
    my_conn *c = (my_conn *)conn;
    my_rows r = {0};
    char *db = NULL;
    int64_t n;
    int rc;

    if ((rc = my_schema_resolve(c, schema, &db)))
        return rc;
    const char *const params[] = {db, table};
    rc = my_query(c,
                  "SELECT TABLE_ROWS FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND TABLE_NAME = ? COLLATE utf8mb4_bin",
                  params, 2, 1, &r);
    if (rc)
        goto done;
    if (r.nrows == 0)
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no table '%s' in '%s'", table,
                            db);
    else if (!my_cell(&r, 0, 0) ||
             orm_int_parse(&n, my_cell(&r, 0, 0), strlen(my_cell(&r, 0, 0))))
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED, "no row estimate for '%s'",
                            table);
    else
        *out = n;
done:
    my_rows_free(&r);
    free(db);
    return rc;
}

/* Text for the filters' rules: a column with a collation (char,
 * varchar, text, enum, set; reflection names it), or of a model orb was
 * given (no native type). A candidate value goes in the column's own
 * character set and collation: a bare one would be an illegal mix of
 * collations on a latin1 column when it holds other characters (no row
 * can equal those exactly; the converted value finds candidates all the
 * same and the exact comparison drops them). */
static int my_text_column(const orm_column *col, orm_buf *before,
                          orm_buf *after)
{
    const char *coll = col->collation;
    if (!coll)
        return !col->native_type;
    size_t charset = strcspn(coll, "_");
    /* A name from the catalog, written into SQL: letters, digits, _. */
    for (const char *p = coll; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return 1;
    if (charset == 0 || !coll[charset])
        return 1;
    orm_buf_append(before, "CONVERT(");
    orm_buf_append(after, " USING ");
    orm_buf_appendn(after, coll, charset);
    orm_buf_append(after, ") COLLATE ");
    orm_buf_append(after, coll);
    return 1;
}

/* The columns of index or check constraint `name` of `table`: a unique
 * key violation names only its index. */
static int my_constraint_columns(orm_conn *conn, const char *schema,
                                 const char *table, const char *name,
                                 char ***out, size_t *count)
{
    my_conn *c = (my_conn *)conn;
    my_rows r = {0};
    char *db = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = my_schema_resolve(c, schema, &db)))
        return rc;
    const char *const params[] = {db, table, name};
    rc = my_query(c,
                  "SELECT COLUMN_NAME FROM information_schema.STATISTICS "
                  "WHERE TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND TABLE_NAME = ? COLLATE utf8mb4_bin "
                  "AND INDEX_NAME = ? COLLATE utf8mb4_bin "
                  "ORDER BY SEQ_IN_INDEX",
                  params, 3, 1, &r);
    if (rc == 0 && r.nrows == 0) {
        /* A check constraint: the columns its clause names (MariaDB
         * writes them in backquotes). */
        my_rows_free(&r);
        rc = my_query(c,
                      "SELECT c.COLUMN_NAME "
                      "FROM information_schema.CHECK_CONSTRAINTS k "
                      "JOIN information_schema.COLUMNS c "
                      "ON c.TABLE_SCHEMA = k.CONSTRAINT_SCHEMA "
                      "AND c.TABLE_NAME = k.TABLE_NAME "
                      "WHERE k.CONSTRAINT_SCHEMA = ? COLLATE utf8mb4_bin "
                      "AND k.TABLE_NAME = ? COLLATE utf8mb4_bin "
                      "AND k.CONSTRAINT_NAME = ? COLLATE utf8mb4_bin "
                      "AND LOCATE(CONCAT('`', c.COLUMN_NAME, '`'), "
                      "k.CHECK_CLAUSE) > 0 "
                      "ORDER BY c.ORDINAL_POSITION",
                      params, 3, 1, &r);
    }
    if (rc)
        goto done;
    if (r.nrows == 0) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no constraint '%s' on '%s'",
                            name, table);
        goto done;
    }
    if (!(*out = calloc(r.nrows, sizeof **out))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < r.nrows; i++) {
        const char *cell = my_cell(&r, i, 0);
        if (!((*out)[i] = orm_strdup(cell ? cell : ""))) {
            for (size_t k = 0; k < i; k++)
                free((*out)[k]);
            free(*out);
            *out = NULL;
            rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    *count = r.nrows;
done:
    my_rows_free(&r);
    free(db);
    return rc;
}

const orm_driver orm_driver_mysql = {
    .version = ORM_DRIVER_VERSION,
    .name = "mysql",
    /* BATCH_KEYS: InnoDB gives a multi-row insert consecutive ids with
     * innodb_autoinc_lock_mode 0 or 1 (MariaDB's default is 1). */
    .caps = ORM_CAP_LAST_INSERT_ID | ORM_CAP_MULTIROW_INSERT |
            ORM_CAP_SAVEPOINT | ORM_CAP_BATCH_KEYS | ORM_CAP_ROUND_TRIPS |
            ORM_CAP_TEXT_CANDIDATES | ORM_CAP_LIKE_CANDIDATES,
    .placeholder = ORM_PLACEHOLDER_QMARK,
    .ident_quote = '`',
    .backslash_escapes = 1,
    /* Binary comparison whatever the column's collation (LIKE on
     * columns that are not text; text goes through text_exact). */
    .like_op = "LIKE BINARY",
    /* nopad_bin: = and UNIQUE exact in case and trailing spaces, as in
     * the other dialects (utf8mb4_bin pads: 'a' = 'a '). */
    .table_options =
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin",
    .rowid_column = NULL,
    .connect = my_connect,
    .close = my_close,
    .reconnect = my_reconnect,
    .ping = my_ping,
    .exec = my_exec,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
    .prepare = my_prepare,
    .bind = my_bind,
    .step = my_step,
    .column_count = my_column_count,
    .column = my_column,
    .rows_matched = my_rows_matched,
    .last_insert_id = my_last_insert_id,
    .reset = my_reset,
    .finalize = my_finalize,
    .column_type_sql = my_column_type_sql,
    .list_tables = my_list_tables,
    .reflect_table = my_reflect_table,
    .estimate_count = my_estimate_count,
    .text_cast = "CHAR",
    .insert_defaults = " () VALUES ()",
    /* CAST(x AS CHAR) is in the session's collation, utf8mb4_nopad_bin
     * (MySQL: utf8mb4_bin), from any character set: exact, code point
     * order; LOWER folds by its Unicode case table. */
    .text_exact = {"CAST(", " AS CHAR)"},
    .text_order = {"CAST(", " AS CHAR)"},
    .text_fold = {"LOWER(", ")"},
    .text_column = my_text_column,
    .constraint_columns = my_constraint_columns,
};
