/*
 * The PostgreSQL driver (libpq): orm_driver_postgresql.
 *
 * Every statement is the unnamed one: Parse, Bind, Describe, Execute and
 * Sync leave in one message (PQexecParams / PQsendQueryParams), so a
 * query costs one round trip and leaves nothing behind on the server.
 * That is also what a transaction pooler (pgbouncer in transaction mode)
 * needs: a named statement lives on one server connection, and the next
 * execute may be sent to another ("prepared statement ... already
 * exists" / "does not exist"). What a named one would save is the
 * server's parse and plan of a short statement, microseconds next to a
 * round trip; the core already keeps the statement objects (SQL text and
 * parameter buffers) per shape. The parameter type OIDs come from the
 * bound values' type hints. Values travel as text, blobs in binary
 * (bytea keeps NUL bytes), results come back as text and are decoded by
 * column OID.
 *
 * The session settings the decoding relies on are checked against what
 * the server reported at login (ParameterStatus) and only those that
 * differ are SET, all in one round trip: none on a server already set up
 * that way. Those a pooler does not carry from one server connection to
 * the next are not relied on: bytea is decoded from hex or escape
 * output, and floats come back exact from PostgreSQL 12 on whatever
 * extra_float_digits says (> 0 by default; older servers get a SET).
 *
 * A streamed statement (ORM_STMT_STREAM) uses single-row mode and owns
 * the connection until it is read to the end or reset; anything else run
 * meanwhile gets ORM_EBUSY. A lost connection (PQstatus CONNECTION_BAD or
 * a 57P0x / 08xxx error) is ORM_ECONNLOST; reconnect resets the PGconn
 * and bumps a generation counter so that a stream of the old session is
 * never read on the new one.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

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

typedef struct pg_conn {
    orm_conn base;
    PGconn *pg;
    unsigned generation;       /* bumped by reconnect */
    int asked_read_only;       /* the caller asked for read-only */
    pg_stmt *streaming;        /* statement owning the connection, or NULL */
    long statement_timeout_ms; /* 0: none */
    /* Cancelling from another thread (pg_cancel): `running` is set while
     * a call a cancel may stop waits for the server; `cancel` is the
     * connection's PGcancel. Both only under cancel_lock. */
    pthread_mutex_t cancel_lock;
    PGcancel *cancel;
    int running;
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
    PG_STMT_DONE       /* finished (ORM_DONE returned) */
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
};

/* ---- messages and errors ---- */

/* Append `msg` without libpq's "ERROR:  " prefix, on one line: a line
 * break becomes "; " after a line that ends without punctuation (libpq
 * writes sentences one per line), else a space; trimmed. */
static void pg_message_append(orm_buf *b, const char *msg)
{
    if (!msg)
        return;
    if (!strncmp(msg, "ERROR:  ", 8) || !strncmp(msg, "FATAL:  ", 8))
        msg += 8;
    int pending_space = 0;
    for (const char *p = msg; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            pending_space = 1;
            continue;
        }
        if (pending_space && b->len > 0 && p[0] != ' ') {
            char last = b->data[b->len - 1];
            if (last != '.' && last != ':' && last != ';' && last != ',')
                orm_buf_appendc(b, ';');
            orm_buf_appendc(b, ' ');
        }
        pending_space = 0;
        orm_buf_appendc(b, *p);
    }
    while (b->len > 0 && !b->failed && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
}

/* Replace every occurrence of `secret` in the buffer by "***". */
static void pg_redact(orm_buf *b, const char *secret)
{
    if (!secret || !*secret || b->failed || b->len == 0)
        return;
    size_t n = strlen(secret);
    if (!strstr(b->data, secret))
        return;
    orm_buf clean = ORM_BUF_INIT;
    const char *p = b->data;
    const char *hit;
    while ((hit = strstr(p, secret))) {
        orm_buf_appendn(&clean, p, (size_t)(hit - p));
        orm_buf_append(&clean, "***");
        p = hit + n;
    }
    orm_buf_append(&clean, p);
    orm_buf_free(b);
    *b = clean;
}

/* Set `err` to `code` with prefix + cleaned `raw`, never showing the
 * passwords given. Returns code. */
static int pg_error_set(orm_error *err, int code, const char *prefix,
                        const char *raw, const char *secret1,
                        const char *secret2)
{
    orm_buf b = ORM_BUF_INIT;
    if (prefix)
        orm_buf_append(&b, prefix);
    pg_message_append(&b, raw);
    if (b.len == 0)
        orm_buf_append(&b, orm_strerror(code));
    pg_redact(&b, secret1);
    pg_redact(&b, secret2);
    const char *text = orm_buf_str(&b);
    orm_error_set(err, code, "%s", text ? text : orm_strerror(code));
    orm_buf_free(&b);
    return code;
}

static const char *pg_password(const pg_conn *pgc)
{
    return pgc->pg ? PQpass(pgc->pg) : NULL;
}

static int pg_lost(pg_conn *pgc, const char *why)
{
    if (!why || !*why)
        why = pgc->pg ? PQerrorMessage(pgc->pg) : NULL;
    if (!why || !*why)
        why = "the server closed the connection";
    return pg_error_set(&pgc->base.err, ORM_ECONNLOST, "connection lost: ", why,
                        pg_password(pgc), NULL);
}

static int pg_sqlstate_code(const char *state)
{
    if (!state || strlen(state) != 5)
        return ORM_EERROR;
    if (!strcmp(state, "23505"))
        return ORM_EUNIQUE;
    if (!strcmp(state, "23502"))
        return ORM_ENOTNULL;
    if (!strcmp(state, "23503"))
        return ORM_EFOREIGNKEY;
    if (!strcmp(state, "23514"))
        return ORM_ECHECK;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
        !strcmp(state, "55P03"))
        return ORM_EBUSY;
    if (!strcmp(state, "57P01") || !strcmp(state, "57P02") ||
        !strcmp(state, "57P03") || !strncmp(state, "08", 2))
        return ORM_ECONNLOST;
    if (!strcmp(state, "25006"))
        return ORM_EREADONLY;
    if (!strncmp(state, "28", 2))
        return ORM_EAUTH;
    if (!strncmp(state, "22", 2))
        return ORM_ETYPE;
    return ORM_EERROR;
}

static int pg_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/*
 * The column names of a DETAIL like `Key (a, "B c")=(1, x) already
 * exists.`, unquoted and joined with ", ". Only the names: the values
 * after '=' are user data and never copied. NULL when the key is an
 * expression or the text has another shape.
 */
static char *pg_detail_key_columns(const char *detail)
{
    orm_buf names = ORM_BUF_INIT;
    if (!detail || strncmp(detail, "Key (", 5))
        return NULL;
    const char *p = detail + 5;
    for (;;) {
        if (names.len)
            orm_buf_append(&names, ", ");
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p)
                    goto fail;
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                orm_buf_appendc(&names, *p);
            }
            p++;
        } else {
            const char *start = p;
            while (pg_ident_char((unsigned char)*p))
                p++;
            if (p == start)
                goto fail;
            orm_buf_appendn(&names, start, (size_t)(p - start));
        }
        if (!strncmp(p, ")=(", 3))
            return orm_buf_finish(&names);
        if (strncmp(p, ", ", 2))
            goto fail;
        p += 2;
    }
fail:
    orm_buf_free(&names);
    return NULL;
}

/* Fill conn->err from a failed result (NULL: from the connection). */
/* A statement that lost to another transaction (serialization failure,
 * deadlock) or met its lock, in plain words, the server's own in
 * parentheses; the session adds that nothing was written. */
static void pg_busy_set(pg_conn *pgc, const char *state, const char *primary)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, strcmp(state, "55P03") == 0
                           ? "another transaction holds a lock on these rows"
                           : "another transaction changed these rows at the "
                             "same time");
    if (primary && *primary) {
        orm_buf_append(&b, " (");
        pg_message_append(&b, primary);
        orm_buf_append(&b, ")");
    }
    pg_redact(&b, pg_password(pgc));
    const char *text = orm_buf_str(&b);
    orm_error_set(&pgc->base.err, ORM_EBUSY, "%s",
                  text ? text : orm_strerror(ORM_EBUSY));
    orm_buf_free(&b);
}

static int pg_result_error(pg_conn *pgc, const PGresult *res)
{
    orm_error *err = &pgc->base.err;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary =
        res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int code = pg_sqlstate_code(state);

    if (!primary || !*primary)
        primary = res ? PQresultErrorMessage(res) : NULL;
    if (!primary || !*primary)
        primary = PQerrorMessage(pgc->pg);
    if (code == ORM_ECONNLOST || PQstatus(pgc->pg) == CONNECTION_BAD)
        code = pg_lost(pgc, primary);
    else if (state && !strcmp(state, "57014") && pgc->statement_timeout_ms &&
             strstr(primary, "statement timeout"))
        code = orm_statement_timeout_failure(err, pgc->statement_timeout_ms);
    else if (state && !strcmp(state, "57014")) /* pg_cancel */
        code = orm_error_set(err, ORM_ECANCELLED, "statement cancelled");
    else if (code == ORM_EBUSY)
        pg_busy_set(pgc, state, primary);
    else
        pg_error_set(err, code, NULL, primary, pg_password(pgc), NULL);
    if (state && strlen(state) == 5)
        memcpy(err->sqlstate, state, 6);
    if (!res || code == ORM_ECONNLOST)
        return code;

    int rc = 0;
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
    const char *column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    char *key_columns = NULL;
    if (!column && (code == ORM_EUNIQUE ||
                    (code == ORM_EFOREIGNKEY && detail &&
                     strstr(detail, " is not present in table ")))) {
        key_columns = pg_detail_key_columns(detail);
        column = key_columns;
    }
    rc |= orm_error_set_constraint(err, constraint);
    rc |= orm_error_set_table(err, table);
    rc |= orm_error_set_column(err, column);
    free(key_columns);
    return rc ? ORM_ENOMEM : code;
}

/* 0 when the connection can run something for `st` (NULL: not a
 * statement); ORM_ECONNLOST or ORM_EBUSY otherwise. */
static int pg_ready(pg_conn *pgc, const pg_stmt *st)
{
    if (!pgc->pg || PQstatus(pgc->pg) == CONNECTION_BAD)
        return pg_lost(pgc, NULL);
    if (pgc->streaming && pgc->streaming != st)
        return orm_conn_error(
            &pgc->base, ORM_EBUSY,
            "another statement is still streaming its rows on this "
            "connection: read it to the end or reset it first");
    return 0;
}

/* ---- connections ---- */

static void pg_notice_ignore(void *payload, const char *message)
{
    (void)payload;
    (void)message;
}

/* Does the server's reported `name` start with one of `accepted` (a
 * NULL-terminated list)? Exact match unless the entry ends in ','. */
static int pg_status_is(PGconn *pg, const char *name,
                        const char *const *accepted)
{
    const char *value = PQparameterStatus(pg, name);
    if (!value)
        return 0;
    for (; *accepted; accepted++) {
        size_t n = strlen(*accepted);
        if ((*accepted)[n - 1] == ',' ? !strncmp(value, *accepted, n)
                                      : !strcmp(value, *accepted))
            return 1;
    }
    return 0;
}

/*
 * The session settings the core relies on, on a fresh connection: only
 * those the server did not already report as wanted are SET, in one
 * round trip (none when nothing differs). Any zone without an offset
 * prints timestamptz the same; DateStyle's field order only matters for
 * input, and orb sends ISO dates.
 */
static int pg_session_setup(pg_conn *pgc)
{
    static const char *const utc[] = {"UTC",     "Etc/UTC",  "Etc/UCT",   "UCT",
                                      "Zulu",    "Etc/Zulu", "Universal", "GMT",
                                      "Etc/GMT", NULL};
    static const char *const iso[] = {"ISO,", NULL};
    static const char *const postgres[] = {"postgres", NULL};
    static const char *const on[] = {"on", NULL};
    PGconn *pg = pgc->pg;
    orm_buf sql = ORM_BUF_INIT;
    int rc = 0;

    PQsetNoticeProcessor(pg, pg_notice_ignore, NULL);
    /* Writes the server will refuse are refused before they are typed.
     * in_hot_standby is reported from PostgreSQL 14 on; an older standby
     * refuses the write itself (25006, ORM_EREADONLY). */
    pgc->base.read_only = pgc->asked_read_only;
    pgc->base.read_only_reason = NULL;
    if (pg_status_is(pg, "in_hot_standby", on))
        pgc->base.read_only_reason = "the server is a hot standby";
    else if (!pgc->asked_read_only &&
             pg_status_is(pg, "default_transaction_read_only", on))
        pgc->base.read_only_reason =
            "the server is set read-only (default_transaction_read_only)";
    if (pgc->base.read_only_reason)
        pgc->base.read_only = 1;
    if (!pg_status_is(pg, "TimeZone", utc))
        orm_buf_append(&sql, "SET TimeZone = 'UTC';");
    if (!pg_status_is(pg, "DateStyle", iso))
        orm_buf_append(&sql, "SET DateStyle = 'ISO, YMD';");
    if (!pg_status_is(pg, "IntervalStyle", postgres))
        orm_buf_append(&sql, "SET IntervalStyle = 'postgres';");
    if (!pg_status_is(pg, "standard_conforming_strings", on))
        orm_buf_append(&sql, "SET standard_conforming_strings = on;");
    /* Shortest exact float text is the default from 12 on. */
    if (PQserverVersion(pg) < 120000)
        orm_buf_append(&sql, "SET extra_float_digits = 3;");
    if (pgc->asked_read_only &&
        !pg_status_is(pg, "default_transaction_read_only", on))
        orm_buf_append(&sql, "SET default_transaction_read_only = on;");
    if (pgc->statement_timeout_ms > 0)
        orm_buf_appendf(&sql, "SET statement_timeout = %ld;",
                        pgc->statement_timeout_ms);
    if (sql.failed)
        rc = orm_conn_error(&pgc->base, ORM_ENOMEM, "%s", "out of memory");
    else if (sql.len) {
        PGresult *res = PQexec(pg, orm_buf_str(&sql));
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_result_error(pgc, res);
        PQclear(res);
    }
    orm_buf_free(&sql);
    return rc;
}

/* libpq's words for a TLS certificate it refused. */
static orm_tls_failure pg_tls_failure(const char *msg)
{
    if (strstr(msg, "does not match host name"))
        return ORM_TLS_FAIL_HOST;
    if (strstr(msg, "certificate verify failed"))
        return ORM_TLS_FAIL_CA;
    if (strstr(msg, "SSL") || strstr(msg, "certificate"))
        return ORM_TLS_FAIL_OTHER;
    return (orm_tls_failure)-1;
}

static long pg_ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - start->tv_sec) * 1000 +
           (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Classify a failed connection attempt that began at `start` (`p` NULL
 * on reconnect: the settings are libpq's then). */
static int pg_connect_error(PGconn *pg, orm_error *err, const char *password,
                            const orm_conn_params *p,
                            const struct timespec *start)
{
    const char *msg = pg ? PQerrorMessage(pg) : NULL;
    int code = ORM_ECONNECT;
    if (!pg)
        return orm_error_set(err, ORM_ENOMEM, "%s",
                             "out of memory connecting to PostgreSQL");
    const char *host = PQhost(pg);
    int port = PQport(pg) ? atoi(PQport(pg)) : 0;
    orm_tls_failure tls = pg_tls_failure(msg);
    if ((int)tls >= 0) {
        orm_conn_params none = {0};
        /* libpq checks certificates before the startup packet: nothing
         * of the login has gone out. Its "connection to server at ...
         * failed:" is said already. */
        const char *why = strstr(msg, "failed: ");
        why = why ? why + 8 : msg;
        orm_conn_tls_failure(err, p ? p : &none, tls, host, port, why);
        char *text = orm_strdup(err->message);
        if (!text)
            return orm_error_set(err, ORM_ENOMEM, "out of memory");
        pg_error_set(err, ORM_ECONNECT, NULL, text, password, PQpass(pg));
        free(text);
        return ORM_ECONNECT;
    }
    /* A timeout is told by the clock: libpq's words for it are
     * translated under LC_MESSAGES. It waits at least 2 s. */
    const char *t = NULL;
    PQconninfoOption *info = PQconninfo(pg);
    for (PQconninfoOption *o = info; o && o->keyword; o++)
        if (!strcmp(o->keyword, "connect_timeout"))
            t = o->val;
    int wait_s = t && atoi(t) > 0 ? (atoi(t) < 2 ? 2 : atoi(t)) : 0;
    PQconninfoFree(info);
    if (wait_s > 0 && (strstr(msg, "timeout expired") ||
                       pg_ms_since(start) >= wait_s * 1000L - 50))
        return orm_conn_timeout_failure(err, host, port, wait_s);
    if (strstr(msg, "invalid connection option") ||
        strstr(msg, "invalid sslmode value") ||
        strstr(msg, "invalid integer value"))
        code = ORM_EINVALID;
    else if (PQconnectionNeedsPassword(pg) ||
             strstr(msg, "authentication failed") ||
             strstr(msg, "no password supplied") ||
             strstr(msg, "no pg_hba.conf entry") ||
             (strstr(msg, "role \"") && strstr(msg, "\" does not exist")))
        code = ORM_EAUTH;
    return pg_error_set(err, code, NULL, msg, password, PQpass(pg));
}

/* libpq's sslmode for an orb TLS mode. */
static const char *pg_sslmode(orm_tls_mode mode)
{
    static const char *const names[] = {
        [ORM_TLS_DISABLE] = "disable",
        [ORM_TLS_ALLOW] = "allow",
        [ORM_TLS_PREFER] = "prefer",
        [ORM_TLS_REQUIRE] = "require",
        [ORM_TLS_VERIFY_CA] = "verify-ca",
        [ORM_TLS_VERIFY_FULL] = "verify-full",
    };
    return mode > ORM_TLS_UNSET && mode <= ORM_TLS_VERIFY_FULL ? names[mode]
                                                               : NULL;
}

static int pg_connect(orm_conn **out, const orm_url *url,
                      const orm_connect_options *opts, orm_error *err)
{
    enum { FIXED = 13 };
    size_t cap = FIXED + (url ? url->nparams : 0) + 1;
    const char **keys = calloc(cap, sizeof *keys);
    const char **vals = calloc(cap, sizeof *vals);
    pg_conn *pgc = calloc(1, sizeof *pgc);
    orm_conn_params cp;
    char port[16];
    char timeout[16];
    size_t n = 0;
    int rc = ORM_ENOMEM;

    *out = NULL;
    if (!keys || !vals || !pgc) {
        orm_error_set(err, rc, "%s", "out of memory");
        goto done;
    }
    /* TLS and timeouts as every dialect reads them (orm/sys/connopt.h). */
    if ((rc = orm_conn_params_read(&cp, url, err)))
        goto done;
    rc = ORM_ENOMEM;
    const char *tls[][2] = {{"sslmode", pg_sslmode(cp.tls)},
                            {"sslrootcert", cp.ca_file},
                            {"sslcert", cp.cert_file},
                            {"sslkey", cp.key_file}};
    for (size_t i = 0; i < 4; i++) {
        if (tls[i][1]) {
            keys[n] = tls[i][0];
            vals[n++] = tls[i][1];
        }
    }
    /* Set with the session settings (not as a startup option, which
     * poolers such as pgbouncer refuse). */
    pgc->statement_timeout_ms = cp.statement_timeout_ms
                                    ? cp.statement_timeout_ms
                                    : (opts ? opts->statement_timeout_ms : 0);
    if (url) {
        const char *fixed[][2] = {{"host", url->host},
                                  {"user", url->user},
                                  {"password", url->password},
                                  {"dbname", url->database}};
        for (size_t i = 0; i < 4; i++) {
            if (fixed[i][1]) {
                keys[n] = fixed[i][0];
                vals[n++] = fixed[i][1];
            }
        }
        if (url->port > 0) {
            snprintf(port, sizeof port, "%d", url->port);
            keys[n] = "port";
            vals[n++] = port;
        }
    }
    /* libpq's own default is to wait without end: orb's is
     * ORM_CONNECT_TIMEOUT_DEFAULT_S, unless the user set libpq's
     * PGCONNECT_TIMEOUT. */
    int wait_s = cp.connect_timeout_s;
    if (wait_s <= 0 && opts)
        wait_s = opts->connect_timeout_s;
    if (wait_s <= 0 && !getenv("PGCONNECT_TIMEOUT"))
        wait_s = ORM_CONNECT_TIMEOUT_DEFAULT_S;
    if (wait_s > 0) {
        snprintf(timeout, sizeof timeout, "%d", wait_s);
        keys[n] = "connect_timeout";
        vals[n++] = timeout;
    }
    keys[n] = "fallback_application_name";
    vals[n++] = "orb";
    /* Query parameters come after the URL parts so ?host=/run/... works
     * as in libpq's own URLs; libpq rejects the ones it does not know. */
    for (size_t i = 0; url && i < url->nparams; i++) {
        if (!strcmp(url->params[i].key, "client_encoding") ||
            orm_conn_param_is_known(url->params[i].key))
            continue;
        keys[n] = url->params[i].key;
        vals[n++] = url->params[i].value;
    }
    keys[n] = "client_encoding";
    vals[n++] = "UTF8";
    keys[n] = NULL;
    vals[n] = NULL;

    pgc->base.driver = &orm_driver_postgresql;
    pgc->asked_read_only = opts ? opts->read_only : 0;
    pgc->base.read_only = pgc->asked_read_only;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pgc->pg = PQconnectdbParams(keys, vals, 0);
    if (!pgc->pg || PQstatus(pgc->pg) != CONNECTION_OK) {
        rc = pg_connect_error(pgc->pg, err, url ? url->password : NULL, &cp,
                              &start);
        goto done;
    }
    if ((rc = pg_session_setup(pgc))) {
        orm_error_copy(err, &pgc->base.err);
        goto done;
    }
    pthread_mutex_init(&pgc->cancel_lock, NULL);
    pgc->cancel = PQgetCancel(pgc->pg);
    *out = &pgc->base;
    pgc = NULL;
    rc = 0;
done:
    if (pgc) {
        orm_error_clear(&pgc->base.err);
        PQfinish(pgc->pg);
        free(pgc);
    }
    free(keys);
    free(vals);
    return rc;
}

static void pg_close(orm_conn *conn)
{
    pg_conn *pgc = (pg_conn *)conn;
    if (!pgc)
        return;
    PQfreeCancel(pgc->cancel);
    pthread_mutex_destroy(&pgc->cancel_lock);
    PQfinish(pgc->pg);
    orm_error_clear(&pgc->base.err);
    free(pgc);
}

/* ---- cancelling from another thread ---- */

/* The new server process of a reconnected connection. */
static void pg_cancel_renew(pg_conn *pgc)
{
    pthread_mutex_lock(&pgc->cancel_lock);
    PQfreeCancel(pgc->cancel);
    pgc->cancel = PQgetCancel(pgc->pg);
    pthread_mutex_unlock(&pgc->cancel_lock);
}

/* Enter (1) and leave (0) a call a cancel may stop. */
static void pg_running(pg_conn *pgc, int running)
{
    pthread_mutex_lock(&pgc->cancel_lock);
    pgc->running = running;
    pthread_mutex_unlock(&pgc->cancel_lock);
}

/* PQcancel is thread-safe: it sends the request on a connection of its
 * own. The server stops the statement with SQLSTATE 57014 (mapped to
 * ORM_ECANCELLED); a request arriving while the connection is idle is
 * ignored by the server. */
static int pg_cancel(orm_conn *conn, orm_error *err)
{
    pg_conn *pgc = (pg_conn *)conn;
    char why[256] = "";
    int rc = 0;
    pthread_mutex_lock(&pgc->cancel_lock);
    if (pgc->running && pgc->cancel &&
        !PQcancel(pgc->cancel, why, (int)sizeof why))
        rc = orm_error_set(err, ORM_ECONNECT, "cannot cancel the statement: %s",
                           why);
    pthread_mutex_unlock(&pgc->cancel_lock);
    return rc;
}

static int pg_reconnect(orm_conn *conn)
{
    pg_conn *pgc = (pg_conn *)conn;
    pgc->generation++;
    pgc->streaming = NULL;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    PQreset(pgc->pg);
    pg_cancel_renew(pgc);
    if (PQstatus(pgc->pg) != CONNECTION_OK)
        return pg_connect_error(pgc->pg, &pgc->base.err, NULL, NULL, &start);
    return pg_session_setup(pgc);
}

/* Run simple-protocol SQL; 0 or a mapped error. A cancel may stop it
 * unless it is a ROLLBACK. */
static int pg_run(pg_conn *pgc, const char *sql, PGresult **out)
{
    int rc = pg_ready(pgc, NULL);
    int cancellable = strcmp(sql, "ROLLBACK") != 0;
    if (rc)
        return rc;
    if (cancellable)
        pg_running(pgc, 1);
    PGresult *res = PQexec(pgc->pg, sql);
    if (cancellable)
        pg_running(pgc, 0);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
        status != PGRES_EMPTY_QUERY) {
        rc = pg_result_error(pgc, res);
        PQclear(res);
        return rc;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}

static int pg_ping(orm_conn *conn)
{
    return pg_run((pg_conn *)conn, "", NULL);
}

static int pg_exec(orm_conn *conn, const char *sql)
{
    return pg_run((pg_conn *)conn, sql, NULL);
}

/* Nothing open on the connection that a new one would lose: no
 * transaction, no stream. */
static int pg_idle(pg_conn *pgc)
{
    return pgc->pg && !pgc->streaming &&
           PQtransactionStatus(pgc->pg) == PQTRANS_IDLE;
}

/*
 * A server that restarted or failed over since the last statement is
 * noticed only when the next one fails. A read sent while nothing was
 * open (`was_idle`) changed nothing on the server, so the caller sends it
 * once more on a new connection: the first refresh after a restart shows
 * its rows instead of an error. A commit's BEGIN is not sent again: the
 * commit says the connection was lost and keeps every change, as on every
 * dialect, and the next commit reconnects. 1 when reconnected; 0 with
 * the error in place (ORM_ECONNLOST, saying whether reconnecting failed).
 * Statements are unnamed, so nothing needs preparing again.
 */
static int pg_retry_after_loss(pg_conn *pgc, int rc, int was_idle)
{
    if (rc != ORM_ECONNLOST || !was_idle)
        return 0;
    if (pg_reconnect(&pgc->base) == 0)
        return 1;
    orm_buf why = ORM_BUF_INIT;
    orm_buf_append(&why, "the server closed the connection and reconnecting "
                         "failed: ");
    orm_buf_append(&why, orm_error_text(&pgc->base.err));
    pg_error_set(&pgc->base.err, ORM_ECONNLOST,
                 "connection lost: ", orm_buf_str(&why), pg_password(pgc),
                 NULL);
    orm_buf_free(&why);
    return 0;
}

static int pg_begin(orm_conn *conn)
{
    return pg_run((pg_conn *)conn, "BEGIN", NULL);
}

static int pg_commit(orm_conn *conn)
{
    pg_conn *pgc = (pg_conn *)conn;
    PGresult *res = NULL;
    int rc = pg_run(pgc, "COMMIT", &res);
    /* COMMIT of a failed transaction "succeeds" as a rollback. */
    if (!rc && !strcmp(PQcmdStatus(res), "ROLLBACK"))
        rc = orm_conn_error(conn, ORM_EERROR, "%s",
                            "the transaction failed earlier and was rolled "
                            "back instead of committed");
    PQclear(res);
    return rc;
}

static int pg_rollback(orm_conn *conn)
{
    return pg_run((pg_conn *)conn, "ROLLBACK", NULL);
}

/* ---- statements ---- */

static int pg_prepare(orm_conn *conn, const char *sql, size_t nparams,
                      unsigned flags, orm_stmt **out)
{
    pg_stmt *st = calloc(1, sizeof *st);
    *out = NULL;
    if (!st || nparams > INT_MAX)
        goto fail;
    st->base.conn = conn;
    st->nparams = nparams;
    st->flags = flags;
    st->sql = orm_strdup(sql);
    st->base.sql = st->sql;
    if (!st->sql)
        goto fail;
    if (nparams) {
        st->params = calloc(nparams, sizeof *st->params);
        st->oids = calloc(nparams, sizeof *st->oids);
        st->values = calloc(nparams, sizeof *st->values);
        st->lengths = calloc(nparams, sizeof *st->lengths);
        st->formats = calloc(nparams, sizeof *st->formats);
        if (!st->params || !st->oids || !st->values || !st->lengths ||
            !st->formats)
            goto fail;
    }
    *out = &st->base;
    return 0;
fail:
    if (st) {
        free(st->sql);
        free(st->params);
        free(st->oids);
        free(st->values);
        free(st->lengths);
        free(st->formats);
        free(st);
    }
    if (nparams > INT_MAX)
        return orm_conn_error(conn, ORM_EINVALID, "%s", "too many parameters");
    return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
}

/* The parameter type a value needs for a column type hint. 0 lets the
 * server infer it from the context, which is right for text (varchar,
 * enum and domain columns all accept an untyped literal) and for JSON
 * (`jsonb_col = $1::json` has no operator). */
static Oid pg_hint_oid(orm_type type, orm_value_kind kind)
{
    if (kind == ORM_VBLOB)
        return PG_OID_BYTEA;
    switch (type) {
    case ORM_INTEGER:
        return PG_OID_INT4;
    case ORM_BIGINT:
        return PG_OID_INT8;
    case ORM_SMALLINT:
        return PG_OID_INT2;
    case ORM_BOOLEAN:
        return PG_OID_BOOL;
    case ORM_FLOAT:
        return PG_OID_FLOAT8;
    case ORM_NUMERIC:
        return PG_OID_NUMERIC;
    case ORM_DATE:
        return PG_OID_DATE;
    case ORM_TIME:
        return PG_OID_TIME;
    case ORM_DATETIME:
        return PG_OID_TIMESTAMP;
    case ORM_DATETIMETZ:
        return PG_OID_TIMESTAMPTZ;
    case ORM_BLOB:
        return PG_OID_BYTEA;
    case ORM_UUID:
        return PG_OID_UUID;
    case ORM_STRING:
    case ORM_TEXT:
    case ORM_JSON:
        return 0;
    default:
        return kind == ORM_VBOOL ? PG_OID_BOOL : 0;
    }
}

/* Shortest text that reads back as the same double, with PostgreSQL's
 * names for the values that are not numbers. */
static void pg_format_double(char *buf, double f)
{
    if (isnan(f))
        snprintf(buf, ORM_DOUBLE_TEXT_MAX, "NaN");
    else if (isinf(f))
        snprintf(buf, ORM_DOUBLE_TEXT_MAX, "%s",
                 f > 0 ? "Infinity" : "-Infinity");
    else
        orm_double_text(buf, f, ORM_DOUBLE_SHORT);
}

static int pg_is_int_type(orm_type type)
{
    return type == ORM_INTEGER || type == ORM_BIGINT || type == ORM_SMALLINT;
}

static int pg_bind(orm_stmt *stmt, size_t index, const orm_value *v,
                   orm_type type)
{
    pg_stmt *st = (pg_stmt *)stmt;
    orm_conn *conn = stmt->conn;
    char num[ORM_DOUBLE_TEXT_MAX];
    const char *bytes = NULL;
    size_t len = 0;
    int format = 0;

    if (index >= st->nparams)
        return orm_conn_error(conn, ORM_EINVALID,
                              "parameter %zu out of range (statement has %zu)",
                              index + 1, st->nparams);
    pg_param *p = &st->params[index];
    orm_value_kind kind = v ? v->kind : ORM_VNULL;
    switch (kind) {
    case ORM_VNULL:
        break;
    case ORM_VINT:
        orm_int_text(num, v->u.i);
        bytes = num;
        break;
    case ORM_VFLOAT:
        pg_format_double(num, v->u.f);
        bytes = num;
        break;
    case ORM_VBOOL:
        if (pg_is_int_type(type))
            bytes = v->u.b ? "1" : "0";
        else
            bytes = v->u.b ? "t" : "f";
        break;
    case ORM_VTEXT:
        if (v->u.s.len && memchr(v->u.s.ptr, '\0', v->u.s.len))
            return orm_conn_error(conn, ORM_ETYPE,
                                  "parameter %zu: text contains a NUL byte",
                                  index + 1);
        bytes = v->u.s.ptr ? v->u.s.ptr : "";
        len = v->u.s.len;
        break;
    case ORM_VBLOB:
        bytes = v->u.s.ptr ? v->u.s.ptr : "";
        len = v->u.s.len;
        format = 1;
        break;
    }
    if (bytes && kind != ORM_VTEXT && kind != ORM_VBLOB)
        len = strlen(bytes);
    if (len > INT_MAX - 1)
        return orm_conn_error(conn, ORM_EINVALID,
                              "parameter %zu: value too large", index + 1);
    char *copy = NULL;
    if (bytes) {
        copy = malloc(len + 1);
        if (!copy)
            return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
        if (len)
            memcpy(copy, bytes, len);
        copy[len] = '\0';
    }
    free(p->data);
    p->data = copy;
    p->length = (int)len;
    p->format = format;
    p->oid = pg_hint_oid(type, kind);
    return 0;
}

static void pg_scratch_clear(pg_stmt *st)
{
    for (size_t i = 0; i < st->nscratch; i++) {
        if (st->scratch[i])
            PQfreemem(st->scratch[i]);
        st->scratch[i] = NULL;
        st->scratch_len[i] = 0;
    }
}

static void pg_result_drop(pg_stmt *st)
{
    pg_scratch_clear(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = 0;
    st->nrows = 0;
}

static int64_t pg_cmd_tuples(PGresult *res)
{
    const char *text = res ? PQcmdTuples(res) : "";
    char *end = NULL;
    if (!text || !*text)
        return 0;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    return (errno || *end) ? 0 : (int64_t)n;
}

/* A statement worth cancelling on reset: a plain read outside a
 * transaction (cancelling a write, or anything inside a transaction,
 * would undo work or abort the caller's transaction). */
static int pg_stmt_cancellable(const pg_stmt *st, PGconn *pg)
{
    const char *p = st->sql;
    if (PQtransactionStatus(pg) != PQTRANS_IDLE)
        return 0;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '(')
        p++;
    return !strncmp(p, "SELECT", 6) || !strncmp(p, "select", 6);
}

/* Next result of a stream: ORM_ROW, ORM_DONE or an error. The stream
 * always ends with PQgetResult returning NULL. */
static int pg_stream_next(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    pg_result_drop(st);
    pg_running(pgc, 1);
    PGresult *res = PQgetResult(pgc->pg);
    pg_running(pgc, 0);
    if (res && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
        st->res = res;
        st->nrows = 1;
        return ORM_ROW;
    }
    int rc = ORM_DONE;
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        st->matched = pg_cmd_tuples(res);
        st->res = res; /* keeps column_count answering */
    } else {
        rc = pg_result_error(pgc, res);
        PQclear(res);
    }
    PGresult *extra;
    while ((extra = PQgetResult(pgc->pg)))
        PQclear(extra);
    pgc->streaming = NULL;
    st->state = PG_STMT_DONE;
    return rc;
}

static int pg_stmt_send(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    int rc = pg_ready(pgc, st);
    if (rc)
        return rc;
    for (size_t i = 0; i < st->nparams; i++) {
        st->oids[i] = st->params[i].oid;
        st->values[i] = st->params[i].data;
        st->lengths[i] = st->params[i].length;
        st->formats[i] = st->params[i].format;
    }
    st->matched = 0;
    if (st->flags & ORM_STMT_STREAM) {
        st->may_cancel = pg_stmt_cancellable(st, pgc->pg);
        if (!PQsendQueryParams(pgc->pg, st->sql, (int)st->nparams, st->oids,
                               st->values, st->lengths, st->formats, 0))
            return pg_result_error(pgc, NULL);
        PQsetSingleRowMode(pgc->pg);
        pgc->streaming = st;
        st->generation = pgc->generation;
        st->state = PG_STMT_STREAMING;
        return pg_stream_next(st);
    }
    pg_running(pgc, 1);
    PGresult *res = PQexecParams(pgc->pg, st->sql, (int)st->nparams, st->oids,
                                 st->values, st->lengths, st->formats, 0);
    pg_running(pgc, 0);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        rc = pg_result_error(pgc, res);
        PQclear(res);
        return rc;
    }
    st->res = res;
    st->matched = pg_cmd_tuples(res);
    st->nrows = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    st->row = 0;
    st->state = st->nrows > 0 ? PG_STMT_ROWS : PG_STMT_DONE;
    return st->nrows > 0 ? ORM_ROW : ORM_DONE;
}

/* Run the statement; a read outside a transaction survives a server
 * restart (pg_retry_after_loss). */
static int pg_stmt_execute(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    int was_idle = pg_idle(pgc) && pg_stmt_cancellable(st, pgc->pg);
    int rc = pg_stmt_send(st);
    if (pg_retry_after_loss(pgc, rc, was_idle))
        rc = pg_stmt_send(st);
    return rc;
}

static int pg_step(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    pg_conn *pgc = (pg_conn *)stmt->conn;
    switch (st->state) {
    case PG_STMT_READY:
        return pg_stmt_execute(st);
    case PG_STMT_ROWS:
        pg_scratch_clear(st);
        if (++st->row < st->nrows)
            return ORM_ROW;
        st->state = PG_STMT_DONE;
        return ORM_DONE;
    case PG_STMT_STREAMING:
        if (st->generation != pgc->generation || pgc->streaming != st)
            return pg_lost(pgc, "the statement belongs to an earlier "
                                "connection");
        return pg_stream_next(st);
    case PG_STMT_DONE:
        break;
    }
    return ORM_DONE;
}

static size_t pg_column_count(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    return st->res ? (size_t)PQnfields(st->res) : 0;
}

static orm_value_kind pg_natural_kind(Oid oid)
{
    switch (oid) {
    case PG_OID_BOOL:
        return ORM_VBOOL;
    case PG_OID_INT2:
    case PG_OID_INT4:
    case PG_OID_INT8:
    case PG_OID_OID:
        return ORM_VINT;
    case PG_OID_FLOAT4:
    case PG_OID_FLOAT8:
        return ORM_VFLOAT;
    case PG_OID_BYTEA:
        return ORM_VBLOB;
    default:
        return ORM_VTEXT;
    }
}

/* Whole number from text; "12.000" counts, "12.5" does not. */
static int pg_parse_int(const char *text, size_t len, int64_t *out)
{
    if (orm_int_parse(out, text, len) == 0)
        return 0;
    const char *dot = memchr(text, '.', len);
    if (!dot)
        return -1;
    for (const char *p = dot + 1; p < text + len; p++)
        if (*p != '0')
            return -1;
    return orm_int_parse(out, text, (size_t)(dot - text)) ? -1 : 0;
}

static int pg_parse_bool(const char *text, int *out)
{
    static const char *const yes[] = {"t", "true", "1", "y", "yes", "on"};
    static const char *const no[] = {"f", "false", "0", "n", "no", "off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcmp(text, yes[i]) || !strcmp(text, no[i])) {
            *out = !strcmp(text, yes[i]);
            return 0;
        }
    }
    return -1;
}

static int pg_column(orm_stmt *stmt, size_t index, orm_type type,
                     orm_value *out)
{
    pg_stmt *st = (pg_stmt *)stmt;
    orm_conn *conn = stmt->conn;
    int row = st->state == PG_STMT_STREAMING ? 0 : st->row;

    *out = orm_value_null();
    if (!st->res || row >= PQntuples(st->res) ||
        (st->state != PG_STMT_ROWS && st->state != PG_STMT_STREAMING))
        return orm_conn_error(conn, ORM_EINVALID, "%s",
                              "no current row to read");
    if (index >= (size_t)PQnfields(st->res))
        return orm_conn_error(conn, ORM_EINVALID,
                              "column %zu out of range (result has %d)",
                              index + 1, PQnfields(st->res));
    int col = (int)index;
    if (PQgetisnull(st->res, row, col))
        return 0;
    const char *text = PQgetvalue(st->res, row, col);
    size_t len = (size_t)PQgetlength(st->res, row, col);
    orm_value_kind kind = type < ORM_TYPE_COUNT
                              ? orm_type_kind(type)
                              : pg_natural_kind(PQftype(st->res, col));
    /* Text needs no look at the server's type; the rest does (booleans
     * read as numbers, bytea). */
    Oid oid =
        kind == ORM_VTEXT || kind == ORM_VNULL ? 0 : PQftype(st->res, col);

    switch (kind) {
    case ORM_VNULL:
    case ORM_VTEXT:
        *out = orm_value_textn(text, len);
        return 0;
    case ORM_VBOOL: {
        int b = 0;
        if (pg_parse_bool(text, &b))
            goto mismatch;
        *out = orm_value_bool(b);
        return 0;
    }
    case ORM_VINT: {
        int64_t i = 0;
        if (oid == PG_OID_BOOL)
            i = text[0] == 't';
        else if (pg_parse_int(text, len, &i))
            goto mismatch;
        *out = orm_value_int(i);
        return 0;
    }
    case ORM_VFLOAT: {
        double f = text[0] == 't';
        if (oid != PG_OID_BOOL && orm_double_parse(&f, text, len))
            goto mismatch;
        *out = orm_value_float(f);
        return 0;
    }
    case ORM_VBLOB:
        if (oid != PG_OID_BYTEA) {
            *out = orm_value_blob(text, len);
            return 0;
        }
        if (!st->scratch || st->nscratch < (size_t)PQnfields(st->res)) {
            size_t n = (size_t)PQnfields(st->res);
            pg_scratch_clear(st);
            free(st->scratch);
            free(st->scratch_len);
            st->nscratch = 0;
            st->scratch = calloc(n, sizeof *st->scratch);
            st->scratch_len = calloc(n, sizeof *st->scratch_len);
            if (!st->scratch || !st->scratch_len)
                return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
            st->nscratch = n;
        }
        if (!st->scratch[index]) {
            st->scratch[index] = PQunescapeBytea((const unsigned char *)text,
                                                 &st->scratch_len[index]);
            if (!st->scratch[index])
                return orm_conn_error(conn, ORM_ENOMEM, "%s",
                                      "out of memory decoding bytea");
        }
        *out = orm_value_blob(st->scratch[index], st->scratch_len[index]);
        return 0;
    }
mismatch:
    return orm_conn_error(
        conn, ORM_ETYPE, "column %zu: cannot read \"%.40s\" as %s", index + 1,
        text, type < ORM_TYPE_COUNT ? orm_type_name(type) : "its type");
}

static int64_t pg_rows_matched(orm_stmt *stmt)
{
    return ((pg_stmt *)stmt)->matched;
}

static int pg_last_insert_id(orm_stmt *stmt, int64_t *out)
{
    *out = 0;
    return orm_conn_error(stmt->conn, ORM_EUNSUPPORTED, "%s",
                          "PostgreSQL reports generated keys through "
                          "INSERT ... RETURNING");
}

static int pg_reset(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    pg_conn *pgc = (pg_conn *)stmt->conn;
    if (st->state == PG_STMT_STREAMING && pgc->streaming == st &&
        st->generation == pgc->generation) {
        /* Cancel a plain read; otherwise read the rest and drop it. */
        if (st->may_cancel && PQstatus(pgc->pg) == CONNECTION_OK) {
            PGcancel *cancel = PQgetCancel(pgc->pg);
            char errbuf[256];
            if (cancel) {
                PQcancel(cancel, errbuf, (int)sizeof errbuf);
                PQfreeCancel(cancel);
            }
        }
        PGresult *res;
        while ((res = PQgetResult(pgc->pg)))
            PQclear(res);
        pgc->streaming = NULL;
    }
    pg_result_drop(st);
    st->state = PG_STMT_READY;
    st->matched = 0;
    return 0;
}

static void pg_finalize(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    if (!st)
        return;
    pg_reset(stmt);
    for (size_t i = 0; i < st->nparams; i++)
        free(st->params[i].data);
    free(st->params);
    free(st->oids);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->scratch);
    free(st->scratch_len);
    free(st->sql);
    free(st);
}

/* ---- DDL types ---- */

static void pg_column_type_sql(orm_buf *out, const orm_column *col, int autoinc)
{
    switch (col->type) {
    case ORM_INTEGER:
        orm_buf_append(out, autoinc ? "SERIAL" : "INTEGER");
        break;
    case ORM_BIGINT:
        orm_buf_append(out, autoinc ? "BIGSERIAL" : "BIGINT");
        break;
    case ORM_SMALLINT:
        orm_buf_append(out, autoinc ? "SMALLSERIAL" : "SMALLINT");
        break;
    case ORM_STRING:
        if (col->length > 0)
            orm_buf_appendf(out, "VARCHAR(%d)", col->length);
        else
            orm_buf_append(out, "VARCHAR");
        break;
    case ORM_TEXT:
        orm_buf_append(out, "TEXT");
        break;
    case ORM_BOOLEAN:
        orm_buf_append(out, "BOOLEAN");
        break;
    case ORM_FLOAT:
        orm_buf_append(out, "DOUBLE PRECISION");
        break;
    case ORM_NUMERIC:
        if (col->precision > 0)
            orm_buf_appendf(out, "NUMERIC(%d, %d)", col->precision, col->scale);
        else
            orm_buf_append(out, "NUMERIC");
        break;
    case ORM_DATE:
        orm_buf_append(out, "DATE");
        break;
    case ORM_TIME:
        orm_buf_append(out, "TIME");
        break;
    case ORM_DATETIME:
        orm_buf_append(out, "TIMESTAMP");
        break;
    case ORM_DATETIMETZ:
        orm_buf_append(out, "TIMESTAMP WITH TIME ZONE");
        break;
    case ORM_BLOB:
        orm_buf_append(out, "BYTEA");
        break;
    case ORM_JSON:
        /* json, not jsonb: it keeps the text as written, as the other
         * dialects do. */
        orm_buf_append(out, "JSON");
        break;
    case ORM_UUID:
        orm_buf_append(out, "UUID");
        break;
    default:
        orm_buf_append(out, "TEXT");
        break;
    }
}

/* ---- catalog queries ---- */

/* Run a catalog query with text parameters (NULL allowed). */
static int pg_query(pg_conn *pgc, const char *sql, int nparams,
                    const char *const *params, PGresult **out)
{
    int rc = pg_ready(pgc, NULL);
    *out = NULL;
    if (rc)
        return rc;
    PGresult *res =
        PQexecParams(pgc->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(pgc, res);
        PQclear(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int pg_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    static const char sql[] =
        "SELECT name FROM (SELECT CASE WHEN n.nspname = current_schema()"
        " THEN c.relname::text ELSE n.nspname || '.' || c.relname END AS name"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition"
        " AND n.nspname = ANY (current_schemas(false))"
        " AND n.nspname NOT IN ('pg_catalog', 'information_schema')) t"
        " ORDER BY name COLLATE \"C\"";
    pg_conn *pgc = (pg_conn *)conn;
    PGresult *res = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = pg_query(pgc, sql, 0, NULL, &res)))
        return rc;
    size_t rows = (size_t)PQntuples(res);
    names = calloc(rows ? rows : 1, sizeof *names);
    if (!names)
        goto nomem;
    for (; n < rows; n++)
        if (!(names[n] = orm_strdup(PQgetvalue(res, (int)n, 0))))
            goto nomem;
    PQclear(res);
    *out = names;
    *count = rows;
    return 0;
nomem:
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    PQclear(res);
    return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
}

/*
 * Find a table: oid, its schema, whether that is current_schema(), and
 * its name.
 * A NULL schema goes through the search path; a "schema.table" name as
 * list_tables gives it is split when no table has the literal name.
 */
static int pg_table_lookup(pg_conn *pgc, const char *schema, const char *table,
                           PGresult **out)
{
    static const char sql[] =
        "SELECT c.oid, n.nspname, n.nspname = current_schema(), c.relname,"
        " c.relkind IN ('v', 'm')"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.oid ="
        " CASE WHEN $1::text IS NULL THEN to_regclass(quote_ident($2))"
        " ELSE to_regclass(quote_ident($1) || '.' || quote_ident($2)) END";
    const char *params[2] = {schema, table};
    char *split = NULL;
    int rc = pg_query(pgc, sql, 2, params, out);
    if (rc || PQntuples(*out) > 0)
        return rc;
    const char *dot = schema ? NULL : strchr(table, '.');
    if (dot && (split = orm_strndup(table, (size_t)(dot - table)))) {
        PQclear(*out);
        params[0] = split;
        params[1] = dot + 1;
        rc = pg_query(pgc, sql, 2, params, out);
        free(split);
        if (rc || PQntuples(*out) > 0)
            return rc;
    }
    PQclear(*out);
    *out = NULL;
    return orm_conn_error(&pgc->base, ORM_ENOTFOUND, "no table \"%s%s%s\"",
                          schema ? schema : "", schema ? "." : "", table);
}

/* orm_type (and length / precision) of a built-in type by OID; any
 * other type travels as text in the type's own syntax. */
static orm_type pg_type_map(Oid oid, int typmod, orm_column *col)
{
    switch (oid) {
    case PG_OID_INT2:
        return ORM_SMALLINT;
    case PG_OID_INT4:
        return ORM_INTEGER;
    case PG_OID_INT8:
        return ORM_BIGINT;
    case PG_OID_VARCHAR:
    case PG_OID_BPCHAR:
        col->length = typmod >= 4 ? typmod - 4 : 0;
        return ORM_STRING;
    case PG_OID_TEXT:
        return ORM_TEXT;
    case PG_OID_BOOL:
        return ORM_BOOLEAN;
    case PG_OID_FLOAT4:
        col->precision = 24; /* single precision: shown as a float4 */
        return ORM_FLOAT;
    case PG_OID_FLOAT8:
        return ORM_FLOAT;
    case PG_OID_NUMERIC:
        if (typmod >= 4) {
            col->precision = ((typmod - 4) >> 16) & 0xffff;
            col->scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
        }
        return ORM_NUMERIC;
    case PG_OID_DATE:
        return ORM_DATE;
    case PG_OID_TIME:
        return ORM_TIME;
    case PG_OID_TIMESTAMP:
        return ORM_DATETIME;
    case PG_OID_TIMESTAMPTZ:
        return ORM_DATETIMETZ;
    case PG_OID_BYTEA:
        return ORM_BLOB;
    case PG_OID_JSON:
    case PG_OID_JSONB:
        return ORM_JSON;
    case PG_OID_UUID:
        return ORM_UUID;
    default:
        return ORM_TEXT;
    }
}

static int pg_text_int(const char *text)
{
    int64_t v = 0;
    if (pg_parse_int(text, strlen(text), &v) || v < INT_MIN || v > INT_MAX)
        return 0;
    return (int)v;
}

/* Columns: name, type as written, base type OID (through domains),
 * typmod, not null, default expression (none for generated columns),
 * identity, generation expression, enum labels (joined by \x1f), and
 * whether the base type can be compared with = (a default btree
 * operator class: xml, point or json have none). */
static const char pg_columns_sql[] =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
    " bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,"
    " a.attnotnull, CASE WHEN a.attgenerated = '' THEN"
    " pg_get_expr(d.adbin, d.adrelid) END, a.attidentity,"
    " CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,"
    " (SELECT string_agg(e.enumlabel, E'\\x1f' ORDER BY e.enumsortorder)"
    " FROM pg_enum e WHERE e.enumtypid = bt.oid),"
    " EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am"
    " ON am.oid = oc.opcmethod WHERE am.amname = 'btree' AND oc.opcdefault"
    " AND oc.opcintype IN (bt.oid, CASE WHEN bt.typcategory = 'A'"
    " THEN 'anyarray'::regtype END, CASE WHEN bt.typtype = 'e'"
    " THEN 'anyenum'::regtype END, CASE WHEN bt.typtype = 'r'"
    " THEN 'anyrange'::regtype END, CASE WHEN bt.typcategory = 'S'"
    " THEN 'text'::regtype END)),"
    " (SELECT co.collname FROM pg_collation co"
    " WHERE co.oid = a.attcollation)"
    " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
    " JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd'"
    " THEN t.typbasetype ELSE a.atttypid END"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid"
    " AND d.adnum = a.attnum"
    " WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY a.attnum";

/* Keys, one row per column in key order: name, kind (p/u/f/i), column,
 * referenced column, referenced table (schema-qualified when it lives in
 * another schema than this table), position. Unique indexes that back no
 * constraint count as unique constraints; other plain indexes are kind
 * i (a one-column one marks its column indexed, as on SQLite). */
static const char pg_keys_sql[] =
    "SELECT con.conname::text, con.contype::text, a.attname::text,"
    " fa.attname::text,"
    " CASE WHEN fc.relnamespace = c.relnamespace THEN fc.relname::text"
    " ELSE fn.nspname || '.' || fc.relname END, k.ord"
    " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid"
    " CROSS JOIN LATERAL unnest(con.conkey, con.confkey)"
    " WITH ORDINALITY AS k(attnum, fattnum, ord)"
    " JOIN pg_attribute a ON a.attrelid = con.conrelid"
    " AND a.attnum = k.attnum"
    " LEFT JOIN pg_attribute fa ON fa.attrelid = con.confrelid"
    " AND fa.attnum = k.fattnum"
    " LEFT JOIN pg_class fc ON fc.oid = con.confrelid"
    " LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace"
    " WHERE con.conrelid = $1::oid AND con.contype IN ('p', 'u', 'f')"
    " UNION ALL"
    " SELECT ic.relname::text, 'u', a.attname::text, NULL, NULL, k.ord"
    " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY"
    " AS k(attnum, ord)"
    " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
    " WHERE i.indrelid = $1::oid AND i.indisunique AND NOT i.indisprimary"
    " AND i.indpred IS NULL AND i.indexprs IS NULL"
    " AND k.ord <= i.indnkeyatts"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint x"
    " WHERE x.conindid = i.indexrelid)"
    " UNION ALL"
    " SELECT ic.relname::text, 'i', a.attname::text, NULL, NULL, k.ord"
    " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY"
    " AS k(attnum, ord)"
    " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
    " WHERE i.indrelid = $1::oid AND NOT i.indisunique"
    " AND i.indpred IS NULL AND i.indexprs IS NULL"
    " AND k.ord <= i.indnkeyatts"
    " ORDER BY 2, 1, 6";

/* End (exclusive) of the key group starting at row `start`. */
static int pg_key_group_end(const PGresult *keys, int start)
{
    int end = start + 1;
    int rows = PQntuples(keys);
    while (end < rows &&
           !strcmp(PQgetvalue(keys, end, 0), PQgetvalue(keys, start, 0)) &&
           !strcmp(PQgetvalue(keys, end, 1), PQgetvalue(keys, start, 1)))
        end++;
    return end;
}

static int pg_column_find(const orm_column *cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cols[i].name, name))
            return (int)i;
    return -1;
}

/* Why a view is read-only (each dialect says the same). */
#define PG_VIEW_READ_ONLY                                                      \
    "a view: it has no primary key to find a row by, so orb only reads it"

/* What a column carries beyond its type, owned until the model copies it. */
typedef struct pg_col_extra {
    char *read_only;
    char *labels; /* enum labels, split in place */
    const char **choices;
} pg_col_extra;

static void pg_col_extra_free(pg_col_extra *x)
{
    free(x->read_only);
    free(x->labels);
    free(x->choices);
}

/* Generated columns and types without = are read-only; enum labels are
 * the column's choices. */
static int pg_column_extras(orm_column *c, const PGresult *columns, int r,
                            pg_col_extra *x)
{
    orm_buf b = ORM_BUF_INIT;
    if (!PQgetisnull(columns, r, 7)) {
        orm_buf_appendf(&b, "generated by the database from %s",
                        PQgetvalue(columns, r, 7));
    } else if (c->type == ORM_TEXT && strcmp(PQgetvalue(columns, r, 9), "t")) {
        orm_buf_appendf(&b,
                        "type %s has no equality operator: orb could not "
                        "tell whether someone else changed it",
                        c->native_type);
    }
    if (b.len || b.failed) {
        if (!(x->read_only = orm_buf_finish(&b)))
            return ORM_ENOMEM;
        c->read_only = x->read_only;
    }
    if (!PQgetisnull(columns, r, 8)) {
        size_t n = 1;
        if (!(x->labels = orm_strdup(PQgetvalue(columns, r, 8))))
            return ORM_ENOMEM;
        for (const char *p = x->labels; *p; p++)
            n += *p == '\x1f';
        if (!(x->choices = calloc(n, sizeof *x->choices)))
            return ORM_ENOMEM;
        char *p = x->labels;
        for (size_t k = 0; k < n; k++) {
            x->choices[k] = p;
            char *sep = strchr(p, '\x1f');
            if (sep) {
                *sep = '\0';
                p = sep + 1;
            }
        }
        c->choices = x->choices;
        c->nchoices = n;
    }
    return 0;
}

static int pg_reflect_table(orm_conn *conn, const char *schema,
                            const char *table, orm_model **out)
{
    pg_conn *pgc = (pg_conn *)conn;
    PGresult *found = NULL, *columns = NULL, *keys = NULL;
    orm_column *cols = NULL;
    const char **names = NULL, **refs = NULL;
    pg_col_extra *extras = NULL;
    orm_model *model = NULL;
    int rc;

    *out = NULL;
    if ((rc = pg_table_lookup(pgc, schema, table, &found)))
        goto done;
    const char *params[1] = {PQgetvalue(found, 0, 0)};
    if ((rc = pg_query(pgc, pg_columns_sql, 1, params, &columns)) ||
        (rc = pg_query(pgc, pg_keys_sql, 1, params, &keys)))
        goto done;

    size_t ncols = (size_t)PQntuples(columns);
    size_t nkeys = (size_t)PQntuples(keys);
    rc = ORM_ENOMEM;
    cols = calloc(ncols ? ncols : 1, sizeof *cols);
    names = calloc(nkeys ? nkeys : 1, sizeof *names);
    refs = calloc(nkeys ? nkeys : 1, sizeof *refs);
    extras = calloc(ncols ? ncols : 1, sizeof *extras);
    if (!cols || !names || !refs || !extras)
        goto done;
    for (size_t i = 0; i < ncols; i++) {
        int r = (int)i;
        orm_column *c = &cols[i];
        const char *def =
            PQgetisnull(columns, r, 5) ? NULL : PQgetvalue(columns, r, 5);
        Oid base = (Oid)pg_text_int(PQgetvalue(columns, r, 2));
        c->name = PQgetvalue(columns, r, 0);
        c->native_type = PQgetvalue(columns, r, 1);
        c->type = pg_type_map(base, pg_text_int(PQgetvalue(columns, r, 3)), c);
        if (!PQgetisnull(columns, r, 10))
            c->collation = PQgetvalue(columns, r, 10);
        if (!strcmp(PQgetvalue(columns, r, 4), "t"))
            c->flags |= ORM_NOT_NULL;
        /* Only identity and sequence defaults generate a key: an integer
         * key without one needs a value from the user. */
        if (PQgetvalue(columns, r, 6)[0] ||
            (def && !strncmp(def, "nextval(", 8)))
            c->flags |= ORM_AUTOINC;
        else {
            c->flags |= ORM_NO_AUTOINC;
            c->server_default = def;
        }
        if ((rc = pg_column_extras(c, columns, r, &extras[i])))
            goto done;
    }
    /* Pass 1: flags and single-column references on the columns. */
    for (int g = 0, end; g < (int)nkeys; g = end) {
        end = pg_key_group_end(keys, g);
        char kind = PQgetvalue(keys, g, 1)[0];
        for (int r = g; r < end; r++) {
            int ci = pg_column_find(cols, ncols, PQgetvalue(keys, r, 2));
            if (ci < 0)
                continue;
            if (kind == 'p')
                cols[ci].flags |= ORM_PK | ORM_NOT_NULL;
            else if (kind == 'u' && end - g == 1)
                cols[ci].flags |= ORM_UNIQUE;
            else if (kind == 'i' && end - g == 1)
                cols[ci].flags |= ORM_INDEX;
            else if (kind == 'f' && end - g == 1 && !cols[ci].ref_table) {
                cols[ci].ref_table = PQgetvalue(keys, r, 4);
                cols[ci].ref_column = PQgetvalue(keys, r, 3);
            }
        }
    }
    const char *relname = PQgetvalue(found, 0, 3);
    if ((rc = orm_model_new(&model, relname, relname)))
        goto done;
    if (schema || strcmp(PQgetvalue(found, 0, 2), "t"))
        if ((rc = orm_model_set_schema(model, PQgetvalue(found, 0, 1))))
            goto done;
    if (!strcmp(PQgetvalue(found, 0, 4), "t")) {
        model->is_view = 1;
        if ((rc = orm_model_set_read_only(model, PG_VIEW_READ_ONLY)))
            goto done;
    }
    for (size_t i = 0; i < ncols; i++)
        if ((rc = orm_model_add_column(model, &cols[i])))
            goto done;
    /* Pass 2: every foreign key, multi-column unique constraints. */
    for (int g = 0, end; g < (int)nkeys; g = end) {
        end = pg_key_group_end(keys, g);
        char kind = PQgetvalue(keys, g, 1)[0];
        size_t n = (size_t)(end - g);
        for (size_t k = 0; k < n; k++) {
            names[k] = PQgetvalue(keys, g + (int)k, 2);
            refs[k] = PQgetvalue(keys, g + (int)k, 3);
        }
        if (kind == 'f')
            rc = orm_model_add_foreign_key(model, PQgetvalue(keys, g, 0), n,
                                           names, PQgetvalue(keys, g, 4), refs);
        else if (kind == 'u' && n > 1)
            rc = orm_model_add_unique(model, PQgetvalue(keys, g, 0), n, names);
        if (rc)
            goto done;
    }
    *out = model;
    model = NULL;
    rc = 0;
done:
    if (rc == ORM_ENOMEM)
        orm_conn_error(conn, rc, "%s", "out of memory");
    orm_model_free(model);
    free(cols);
    free(names);
    free(refs);
    for (size_t i = 0; extras && i < (size_t)PQntuples(columns); i++)
        pg_col_extra_free(&extras[i]);
    free(extras);
    PQclear(found);
    PQclear(columns);
    PQclear(keys);
    return rc;
}

static int pg_estimate_count(orm_conn *conn, const char *schema,
                             const char *table, int64_t *out)
{
    static const char sql[] =
        "SELECT reltuples::float8 FROM pg_class WHERE oid = $1::oid";
    pg_conn *pgc = (pg_conn *)conn;
    PGresult *found = NULL, *res = NULL;
    int rc;

    *out = 0;
    if ((rc = pg_table_lookup(pgc, schema, table, &found)))
        goto done;
    const char *params[1] = {PQgetvalue(found, 0, 0)};
    if ((rc = pg_query(pgc, sql, 1, params, &res)))
        goto done;
    double tuples = -1;
    if (PQntuples(res)) {
        const char *text = PQgetvalue(res, 0, 0);
        if (orm_double_parse(&tuples, text, strlen(text)))
            tuples = -1;
    }
    if (tuples < 0) {
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED,
                            "no estimate for \"%s\": never analyzed", table);
        goto done;
    }
    *out = (int64_t)(tuples + 0.5);
done:
    PQclear(found);
    PQclear(res);
    return rc;
}

/* One element of a text[] literal: NULL, or the text double-quoted. */
static void pg_array_element(orm_buf *b, const char *text)
{
    if (!text) {
        orm_buf_append(b, "NULL");
        return;
    }
    orm_buf_appendc(b, '"');
    for (; *text; text++) {
        if (*text == '"' || *text == '\\')
            orm_buf_appendc(b, '\\');
        orm_buf_appendc(b, *text);
    }
    orm_buf_appendc(b, '"');
}

static int pg_estimate_counts(orm_conn *conn, const char *const *schemas,
                              const char *const *tables, size_t n, int64_t *out)
{
    /* The names go as two arrays; each finds its table as
     * pg_table_lookup does, in the order given. */
    static const char sql[] =
        "SELECT c.reltuples::float8 FROM unnest($1::text[], $2::text[])"
        " WITH ORDINALITY AS t(s, n, i) LEFT JOIN pg_class c ON c.oid ="
        " CASE WHEN t.s IS NULL THEN to_regclass(quote_ident(t.n))"
        " ELSE to_regclass(quote_ident(t.s) || '.' || quote_ident(t.n)) END"
        " ORDER BY t.i";
    orm_buf s = ORM_BUF_INIT, t = ORM_BUF_INIT;
    PGresult *res = NULL;
    int rc;

    orm_buf_appendc(&s, '{');
    orm_buf_appendc(&t, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) {
            orm_buf_appendc(&s, ',');
            orm_buf_appendc(&t, ',');
        }
        pg_array_element(&s, schemas[i]);
        pg_array_element(&t, tables[i]);
    }
    orm_buf_appendc(&s, '}');
    orm_buf_appendc(&t, '}');
    const char *params[2] = {orm_buf_str(&s), orm_buf_str(&t)};
    if (!params[0] || !params[1]) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
        goto done;
    }
    if ((rc = pg_query((pg_conn *)conn, sql, 2, params, &res)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        double tuples = -1;
        if ((int)i < PQntuples(res) && !PQgetisnull(res, (int)i, 0)) {
            const char *text = PQgetvalue(res, (int)i, 0);
            if (orm_double_parse(&tuples, text, strlen(text)))
                tuples = -1;
        }
        out[i] = tuples < 0 ? -1 : (int64_t)(tuples + 0.5);
    }
done:
    PQclear(res);
    orm_buf_free(&s);
    orm_buf_free(&t);
    return rc;
}

/* Text for the filters' rules: a column of a collatable type (text,
 * varchar, char; reflection names its collation), or of a model orb was
 * given (no native type). inet, enums and the like compare natively. */
static int pg_text_column(const orm_column *col, orm_buf *before,
                          orm_buf *after)
{
    (void)before;
    (void)after;
    return !col->native_type || col->collation;
}

/* The columns of constraint or index `name` of `table` in key order (a
 * check constraint's conkey lists the columns its expression uses): a
 * check violation names only the constraint. */
static int pg_constraint_columns(orm_conn *conn, const char *schema,
                                 const char *table, const char *name,
                                 char ***out, size_t *count)
{
    static const char sql[] =
        "SELECT attname FROM ("
        "SELECT 0 AS src, k.ord, a.attname FROM pg_constraint con"
        " CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY"
        " AS k(attnum, ord)"
        " JOIN pg_attribute a ON a.attrelid = con.conrelid"
        " AND a.attnum = k.attnum"
        " WHERE con.conrelid = $1::oid AND con.conname = $2"
        " UNION ALL "
        "SELECT 1, k.ord, a.attname FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY"
        " AS k(attnum, ord)"
        " JOIN pg_attribute a ON a.attrelid = x.indrelid"
        " AND a.attnum = k.attnum"
        " WHERE x.indrelid = $1::oid AND i.relname = $2"
        ") s ORDER BY src, ord";
    pg_conn *pgc = (pg_conn *)conn;
    PGresult *found = NULL, *res = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = pg_table_lookup(pgc, schema, table, &found)))
        goto done;
    const char *params[2] = {PQgetvalue(found, 0, 0), name};
    if ((rc = pg_query(pgc, sql, 2, params, &res)))
        goto done;
    int n = PQntuples(res);
    if (n == 0) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND,
                            "no constraint \"%s\" on \"%s\"", name, table);
        goto done;
    }
    if (!(*out = calloc((size_t)n, sizeof **out))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (!((*out)[i] = orm_strdup(PQgetvalue(res, i, 0)))) {
            for (int k = 0; k < i; k++)
                free((*out)[k]);
            free(*out);
            *out = NULL;
            rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    *count = (size_t)n;
done:
    PQclear(found);
    PQclear(res);
    return rc;
}

const orm_driver orm_driver_postgresql = {
    .version = ORM_DRIVER_VERSION,
    .name = "postgresql",
    .caps = ORM_CAP_RETURNING | ORM_CAP_NULLS_ORDER | ORM_CAP_MULTIROW_INSERT |
            ORM_CAP_BATCH_KEYS | ORM_CAP_ROUND_TRIPS | ORM_CAP_JOIN_VALUES |
            ORM_CAP_TEXT_CANDIDATES,
    .placeholder = ORM_PLACEHOLDER_DOLLAR,
    .ident_quote = '"',
    .backslash_escapes = 0,
    .like_op = "LIKE",
    .table_options = "",
    .rowid_column = "ctid",
    .connect = pg_connect,
    .close = pg_close,
    .reconnect = pg_reconnect,
    .ping = pg_ping,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .column_count = pg_column_count,
    .column = pg_column,
    .rows_matched = pg_rows_matched,
    .last_insert_id = pg_last_insert_id,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .column_type_sql = pg_column_type_sql,
    .list_tables = pg_list_tables,
    .reflect_table = pg_reflect_table,
    .estimate_count = pg_estimate_count,
    .text_cast = "TEXT",
    .insert_defaults = " DEFAULT VALUES",
    /* Equality and LIKE are exact in any deterministic collation: the
     * database's default one keeps an index on a default-collated column
     * usable, and turns a nondeterministic column's (whose LIKE would
     * refuse to run) into it. Order: "C" is code point order. lower()
     * follows the database's LC_CTYPE (Unicode in any UTF-8 locale). */
    .text_exact = {"", " COLLATE \"default\""},
    .text_order = {"", " COLLATE \"C\""},
    .text_fold = {"lower(", ")"},
    .text_column = pg_text_column,
    .constraint_columns = pg_constraint_columns,
    .estimate_counts = pg_estimate_counts,
    .cancel = pg_cancel,
};
