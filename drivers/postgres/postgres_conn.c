/*
 * The PostgreSQL driver's connections: connect and session setup, cancel
 * from another thread, reconnect, and transactions.
 */
#include <stdatomic.h>
#include <sys/socket.h>

#include "postgres_internal.h"

/* ---- connections ---- */

/* The connection's PGcancel, shared with the cancel requests on their
 * way (pg_cancel_call): the last to let go frees it. */
struct pg_cancel_handle {
    PGcancel *cancel;
    atomic_int refs;
};

static pg_cancel_handle *pg_cancel_handle_new(PGconn *pg)
{
    pg_cancel_handle *h = orm_malloc(sizeof *h);
    if (h && !(h->cancel = PQgetCancel(pg))) {
        free(h);
        h = NULL;
    }
    if (h)
        atomic_init(&h->refs, 1);
    return h;
}

static pg_cancel_handle *pg_cancel_handle_keep(pg_cancel_handle *h)
{
    if (h)
        atomic_fetch_add(&h->refs, 1);
    return h;
}

static void pg_cancel_handle_drop(pg_cancel_handle *h)
{
    if (h && atomic_fetch_sub(&h->refs, 1) == 1) {
        PQfreeCancel(h->cancel);
        free(h);
    }
}

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

int pg_connect(orm_conn **out, const orm_url *url,
               const orm_connect_options *opts, orm_error *err)
{
    enum { FIXED = 13 };
    size_t cap = FIXED + (url ? url->nparams : 0) + 1;
    const char **keys = orm_calloc(cap, sizeof *keys);
    const char **vals = orm_calloc(cap, sizeof *vals);
    pg_conn *pgc = orm_calloc(1, sizeof *pgc);
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
    pgc->sock = -1;
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
    pgc->cancel = pg_cancel_handle_new(pgc->pg);
    if (wait_s <= 0 && getenv("PGCONNECT_TIMEOUT"))
        wait_s = atoi(getenv("PGCONNECT_TIMEOUT"));
    pgc->cancel_wait_s = wait_s > 0 ? wait_s : ORM_CONNECT_TIMEOUT_DEFAULT_S;
    pgc->sock = PQsocket(pgc->pg);
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

void pg_close(orm_conn *conn)
{
    pg_conn *pgc = (pg_conn *)conn;
    if (!pgc)
        return;
    pg_cancel_handle_drop(pgc->cancel);
    pthread_mutex_destroy(&pgc->cancel_lock);
    PQfinish(pgc->pg);
    orm_error_clear(&pgc->base.err);
    free(pgc);
}

/* ---- cancelling from another thread ---- */

/* The new server process of a reconnected connection. */
static void pg_cancel_renew(pg_conn *pgc)
{
    pg_cancel_handle *fresh = pg_cancel_handle_new(pgc->pg), *old;
    pthread_mutex_lock(&pgc->cancel_lock);
    old = pgc->cancel;
    pgc->cancel = fresh;
    pthread_mutex_unlock(&pgc->cancel_lock);
    pg_cancel_handle_drop(old);
}

/* Enter (1) and leave (0) a call a cancel may stop. */
void pg_running(pg_conn *pgc, int running)
{
    pthread_mutex_lock(&pgc->cancel_lock);
    pgc->running = running;
    pthread_mutex_unlock(&pgc->cancel_lock);
}

/* A cancel request on its way (pg_cancel): the thread sending it and the
 * caller waiting for it share it, and the last to let go frees it, so a
 * request that outlives its wait (a connect to a host that drops
 * packets takes minutes) outlives the connection too. */
typedef struct pg_cancel_call {
    pg_cancel_handle *handle;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs, done, ok;
    char why[256];
} pg_cancel_call;

static void pg_cancel_call_drop(pg_cancel_call *call)
{
    pthread_mutex_lock(&call->lock);
    int last = --call->refs == 0;
    pthread_mutex_unlock(&call->lock);
    if (!last)
        return;
    pg_cancel_handle_drop(call->handle);
    pthread_cond_destroy(&call->cond);
    pthread_mutex_destroy(&call->lock);
    free(call);
}

static void *pg_cancel_send(void *payload)
{
    pg_cancel_call *call = payload;
    char why[sizeof call->why] = "";
    int ok = PQcancel(call->handle->cancel, why, (int)sizeof why);
    pthread_mutex_lock(&call->lock);
    call->ok = ok;
    memcpy(call->why, why, sizeof why);
    call->done = 1;
    pthread_cond_signal(&call->cond);
    pthread_mutex_unlock(&call->lock);
    pg_cancel_call_drop(call);
    return NULL;
}

/* Send the request on a thread of its own and wait for it at most
 * `wait_s`: 1 sent (or failed: *ok, `why`), 0 still on its way. */
static int pg_cancel_call_run(pg_cancel_handle *handle, int wait_s, int *ok,
                              char *why, size_t size)
{
    pg_cancel_call *call = orm_calloc(1, sizeof *call);
    pthread_t thread;
    struct timespec until;
    if (!call) {
        pg_cancel_handle_drop(handle);
        snprintf(why, size, "out of memory");
        *ok = 0;
        return 1;
    }
    call->handle = handle;
    call->refs = 2;
    pthread_mutex_init(&call->lock, NULL);
    pthread_cond_init(&call->cond, NULL);
    if (pthread_create(&thread, NULL, pg_cancel_send, call) != 0)
        pg_cancel_send(call); /* no thread: here, unbounded, as before */
    else
        pthread_detach(thread);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_s;
    pthread_mutex_lock(&call->lock);
    while (!call->done &&
           pthread_cond_timedwait(&call->cond, &call->lock, &until) == 0)
        ;
    int done = call->done;
    *ok = call->ok;
    snprintf(why, size, "%s", call->why);
    pthread_mutex_unlock(&call->lock);
    pg_cancel_call_drop(call);
    return done;
}

/* Cancel what the connection runs, from its own thread (pg_reset, giving
 * up a stream): at most the connect timeout, as pg_cancel; a server that
 * does not take it in that time is gone and the connection is shut down
 * (pg_abort), so nothing more is waited for. */
void pg_cancel_own(pg_conn *pgc)
{
    char why[256];
    int ok;
    pthread_mutex_lock(&pgc->cancel_lock);
    pg_cancel_handle *handle = pg_cancel_handle_keep(pgc->cancel);
    int wait_s = pgc->cancel_wait_s;
    pthread_mutex_unlock(&pgc->cancel_lock);
    if (handle && !pg_cancel_call_run(handle, wait_s, &ok, why, sizeof why))
        pg_abort(&pgc->base);
}

/*
 * PQcancel sends the request on a connection of its own, and waits
 * without end for it (libpq 15 has no timeout there): here it waits at
 * most the connect timeout, on a thread of its own, and without the
 * lock, so that the call it cancels can return meanwhile. The server
 * stops the statement with SQLSTATE 57014 (mapped to ORM_ECANCELLED); a
 * request arriving while the connection is idle is ignored by the
 * server. A server that does not take the request in that time is gone
 * (a network that drops packets, a host that is down): the connection is
 * shut down (pg_abort), so the call waiting on it returns ORM_ECONNLOST
 * and the next one reconnects, instead of waiting until TCP gives up.
 */
int pg_cancel(orm_conn *conn, orm_error *err)
{
    pg_conn *pgc = (pg_conn *)conn;
    char why[256] = "";
    int ok = 1;
    pthread_mutex_lock(&pgc->cancel_lock);
    pg_cancel_handle *handle = pgc->running && !pgc->aborted
                                   ? pg_cancel_handle_keep(pgc->cancel)
                                   : NULL;
    unsigned generation = pgc->generation;
    int wait_s = pgc->cancel_wait_s;
    pthread_mutex_unlock(&pgc->cancel_lock);
    if (!handle)
        return 0;
    if (pg_cancel_call_run(handle, wait_s, &ok, why, sizeof why))
        return ok ? 0
                  : orm_error_set(err, ORM_ECONNECT,
                                  "cannot cancel the statement: %s", why);
    pthread_mutex_lock(&pgc->cancel_lock);
    /* Still the same call on the same connection: `running` keeps the
     * connection's thread from reconnecting until the lock is let go. */
    if (pgc->running && pgc->generation == generation)
        pg_abort(conn);
    pthread_mutex_unlock(&pgc->cancel_lock);
    return orm_error_set(err, ORM_ECONNLOST,
                         "the server did not take the cancel within %d s: "
                         "the connection was closed",
                         wait_s);
}

/* Async-signal-safe (driver.h): the socket shut down, so that libpq's
 * waits (which retry after EINTR) see the end of the connection; the
 * flag keeps pg_reset from cancelling or reading on. */
void pg_abort(orm_conn *conn)
{
    pg_conn *pgc = (pg_conn *)conn;
    int fd = pgc->sock;
    pgc->aborted = 1;
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
}

int pg_reconnect(orm_conn *conn)
{
    pg_conn *pgc = (pg_conn *)conn;
    pgc->generation++;
    pgc->streaming = NULL;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pgc->sock = -1;
    PQreset(pgc->pg);
    pgc->sock = PQsocket(pgc->pg);
    pgc->aborted = 0;
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

int pg_ping(orm_conn *conn)
{
    return pg_run((pg_conn *)conn, "", NULL);
}

int pg_exec(orm_conn *conn, const char *sql)
{
    return pg_run((pg_conn *)conn, sql, NULL);
}

/* Nothing open on the connection that a new one would lose: no
 * transaction, no stream. */
int pg_idle(pg_conn *pgc)
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
int pg_retry_after_loss(pg_conn *pgc, int rc, int was_idle)
{
    if (rc != ORM_ECONNLOST || !was_idle || pgc->aborted)
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

int pg_begin(orm_conn *conn)
{
    return pg_run((pg_conn *)conn, "BEGIN", NULL);
}

int pg_commit(orm_conn *conn)
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

int pg_rollback(orm_conn *conn)
{
    return pg_run((pg_conn *)conn, "ROLLBACK", NULL);
}

/*
 * libpq 15 leaves single-row mode set after a streamed query until the
 * next query sent outside a pipeline, and a pipeline's first query takes
 * it: its rows come back one result each, which the pipeline's readers
 * take for a failure (seen reflecting a table after the browser read a
 * page). After a stream a pipeline therefore begins with an empty query,
 * which has no rows to split; its results are read and dropped by
 * pg_pipeline_skip_reset, which returns its failure, if any.
 */
int pg_pipeline_enter(pg_conn *pgc, int *reset)
{
    *reset = 0;
    if (!PQenterPipelineMode(pgc->pg))
        return pg_result_error(pgc, NULL);
    if (pgc->single_row_left) {
        if (!PQsendQueryParams(pgc->pg, "", 0, NULL, NULL, NULL, NULL, 0))
            return pg_lost(pgc, PQstatus(pgc->pg) == CONNECTION_BAD
                                    ? NULL
                                    : PQerrorMessage(pgc->pg));
        pgc->single_row_left = 0;
        *reset = 1;
    }
    return 0;
}

int pg_pipeline_skip_reset(pg_conn *pgc, int reset)
{
    PGresult *res;
    int rc = 0;
    if (!reset)
        return 0;
    while ((res = PQgetResult(pgc->pg))) {
        /* Its failure is the pipeline's (a connection lost meanwhile). */
        if (rc == 0 && PQresultStatus(res) != PGRES_EMPTY_QUERY)
            rc = pg_result_error(pgc, res);
        PQclear(res);
    }
    return rc;
}
