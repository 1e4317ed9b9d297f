/*
 * MySQL / MariaDB driver: opening, closing and reconnecting a connection,
 * transactions, and the life of a statement (prepare, execute, fetch,
 * stream, reset, finalize).
 */
#include <sys/socket.h>

#include "mysql_internal.h"

/* Run on every new session, before anything else: binary comparison
 * without trailing-space padding where the server has it (MariaDB),
 * else utf8mb4_bin (MySQL).
 *
 * On MariaDB also wsrep_sync_wait = 1: on a Galera node a read (SELECT,
 * SHOW) and a BEGIN first wait until the node has applied every
 * transaction the cluster committed before it, so a refresh right after
 * another node's commit shows it, and a commit's guards (checked after
 * its BEGIN) compare against it. 1 is enough: the UPDATE, DELETE and
 * INSERT of a commit (2, 4) run after that BEGIN, and waiting again
 * before each would only add latency. Outside a cluster (wsrep off) the
 * setting does nothing; a MariaDB built without Galera does not know
 * it, and gets the next line. */
static const char *const my_session_sql[] = {
    "SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin, "
    "SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "time_zone='+00:00', SESSION wsrep_sync_wait = 1",
    "SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin, "
    "SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "time_zone='+00:00'",
    "SET NAMES utf8mb4 COLLATE utf8mb4_bin, "
    "SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "time_zone='+00:00'"};

/* ---- connections ---- */

/* The session settings with the statement timeout added (one
 * statement, no extra round trip). */
static int my_session_sql_make(my_conn *c)
{
    for (size_t i = 0; i < MY_SESSION_SQL_COUNT; i++) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_append(&b, my_session_sql[i]);
        if (c->statement_timeout_ms > 0)
            orm_buf_appendf(&b, ", SESSION max_statement_time = %ld.%03ld",
                            c->statement_timeout_ms / 1000,
                            c->statement_timeout_ms % 1000);
        if (!(c->session_sql[i] = orm_buf_finish(&b)))
            return ORM_ENOMEM;
    }
    return 0;
}

/* TLS, timeouts (the same options as every dialect: orm/sys/connopt.h)
 * and socket from the URL's query; `charset` is ignored (always
 * utf8mb4), as are parameters meant for other drivers. */
static int my_conn_params(my_conn *c, const orm_url *url,
                          const orm_connect_options *opts, orm_error *err)
{
    orm_conn_params p;
    int rc = orm_conn_params_read(&p, url, err);
    if (rc)
        return rc;
    /* With a CA file the handshake checks the chain; verifying the
     * server's certificate adds its name (and, without a CA file, checks
     * against the system's CAs). */
    c->ssl_disable = p.tls == ORM_TLS_DISABLE;
    c->ssl_enforce = p.tls >= ORM_TLS_REQUIRE;
    c->ssl_verify = p.tls == ORM_TLS_VERIFY_FULL ||
                    (p.tls == ORM_TLS_VERIFY_CA && !p.ca_file);
    if (p.connect_timeout_s > 0)
        c->connect_timeout = (unsigned)p.connect_timeout_s;
    c->statement_timeout_ms = p.statement_timeout_ms
                                  ? p.statement_timeout_ms
                                  : (opts ? opts->statement_timeout_ms : 0);
    if (my_dup(&c->ssl_ca, p.ca_file) || my_dup(&c->ssl_cert, p.cert_file) ||
        my_dup(&c->ssl_key, p.key_file) || my_dup(&c->tls_key, p.tls_key) ||
        my_dup(&c->tls_value, p.tls_value) ||
        my_dup(&c->unix_socket, orm_url_param_get(url, "unix_socket")) ||
        my_session_sql_make(c))
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    c->tls = p;
    c->tls.ca_file = c->ssl_ca;
    c->tls.cert_file = c->ssl_cert;
    c->tls.key_file = c->ssl_key;
    c->tls.tls_key = c->tls_key;
    c->tls.tls_value = c->tls_value;
    return 0;
}

/* A refused connection that libmariadb reports in its own words, said
 * the way every dialect says it; 1 when it was one of those. */
static int my_connect_failure(const my_conn *c, MYSQL *m, orm_error *err)
{
    unsigned native = mysql_errno(m);
    const char *msg = mysql_error(m);
    if (native == MY_CR_SSL_CONNECTION_ERROR) {
        /* The certificate is checked before the login goes out. */
        orm_tls_failure why =
            strstr(msg, "Validation of SSL server certificate failed")
                ? ORM_TLS_FAIL_HOST
            : strstr(msg, "certificate") ? ORM_TLS_FAIL_CA
                                         : ORM_TLS_FAIL_OTHER;
        orm_conn_tls_failure(err, &c->tls, why, c->host, (int)c->port, msg);
    } else if (native == MY_CR_SERVER_LOST &&
               strstr(msg, "system error: 110")) {
        orm_conn_timeout_failure(err, c->host, (int)c->port,
                                 (int)c->connect_timeout);
    } else {
        return 0;
    }
    err->native_code = (long)native;
    return 1;
}

/* Log in with the saved parameters (which only a connect sets, so
 * my_cancel may log in from another thread): *out is a new connection
 * whose session is not set up yet. A `short_lived` one (my_cancel's)
 * waits for the server at most the connect timeout at every step, not
 * only while connecting. */
static int my_login(const my_conn *c, MYSQL **out, int short_lived,
                    orm_error *err)
{
    MYSQL *m = mysql_init(NULL);
    my_bool off = 0, on = 1;
    unsigned timeout = c->connect_timeout;
    int rc = 0;

    *out = NULL;
    if (!m)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    /* TLS required: refuse a server that does not offer it before
     * libmariadb sends the login (see handshake.h). A local socket needs
     * no such look: nobody sits between. */
    my_tls_offer offer = MY_TLS_UNKNOWN;
    if (c->ssl_enforce && !c->unix_socket && c->host &&
        strcmp(c->host, "localhost") != 0)
        offer = my_server_tls_offer(c->host, c->port, timeout);
    if (offer == MY_TLS_NOT_OFFERED) {
        rc = orm_error_set(err, ORM_ECONNECT,
                           "cannot connect: TLS is required (ssl_mode) but "
                           "the server does not offer it; nothing was sent");
        goto done;
    }
    if (offer == MY_TLS_NO_ANSWER) {
        rc = orm_conn_timeout_failure(err, c->host, (int)c->port, (int)timeout);
        goto done;
    }
    /* Without required TLS, never hand the password over in clear text
     * (mysql_clear_password, the PAM dialog), whoever asks for it. */
    if (!c->ssl_enforce)
        mysql_optionsv(m, MARIADB_OPT_RESTRICTED_AUTH, MY_SAFE_AUTH_PLUGINS);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    if (short_lived) {
        mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
        mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    }
    /* We notice a lost connection ourselves and reconnect in place. */
    mysql_options(m, MYSQL_OPT_RECONNECT, &off);
    mysql_options(m, MYSQL_REPORT_DATA_TRUNCATION, &on);
    if (c->ssl_enforce)
        mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &on);
    if (c->ssl_verify)
        mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    /* Any certificate file turns TLS on in libmariadb: not when disabled. */
    if (c->ssl_ca && !c->ssl_disable)
        mysql_options(m, MYSQL_OPT_SSL_CA, c->ssl_ca);
    if (c->ssl_cert && !c->ssl_disable)
        mysql_options(m, MYSQL_OPT_SSL_CERT, c->ssl_cert);
    if (c->ssl_key && !c->ssl_disable)
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
        if (my_connect_failure(c, m, err)) {
            rc = ORM_ECONNECT;
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
    *out = m;
    m = NULL;
done:
    if (m)
        mysql_close(m);
    return rc;
}

/* Open c->mysql from the saved parameters and set the session up. */
static int my_conn_open(my_conn *c, orm_error *err)
{
    MYSQL *m = NULL;
    int rc = my_login(c, &m, 0, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof my_session_sql / sizeof my_session_sql[0];
         i++) {
        if (mysql_query(m, c->session_sql[i]) == 0 ||
            (mysql_errno(m) != MY_ER_UNKNOWN_COLLATION &&
             mysql_errno(m) != MY_ER_UNKNOWN_SYSTEM_VARIABLE))
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
    c->galera = 0; /* a reconnect may reach another server */
    c->mysql = m;
    pthread_mutex_lock(&c->cancel_lock);
    c->aborted = 0;
    c->sock = (int)mysql_get_socket(m);
    c->thread_id = mysql_thread_id(m);
    pthread_mutex_unlock(&c->cancel_lock);
    m = NULL;
done:
    if (m)
        mysql_close(m);
    return rc;
}

static void my_watch_stop(my_conn *c);

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
    free(c->tls_key);
    free(c->tls_value);
    for (size_t i = 0; i < MY_SESSION_SQL_COUNT; i++)
        free(c->session_sql[i]);
    my_watch_stop(c);
    pthread_mutex_destroy(&c->cancel_lock);
    orm_error_clear(&c->base.err);
    free(c);
}

int my_connect(orm_conn **out, const orm_url *url,
               const orm_connect_options *opts, orm_error *err)
{
    my_conn *c = orm_calloc(1, sizeof *c);
    int rc;

    *out = NULL;
    if (!c)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    c->base.driver = &orm_driver_mysql;
    c->base.read_only = opts ? opts->read_only : 0;
    c->sock = -1;
    pthread_mutex_init(&c->cancel_lock, NULL);
    c->connect_timeout = opts && opts->connect_timeout_s > 0
                             ? (unsigned)opts->connect_timeout_s
                             : ORM_CONNECT_TIMEOUT_DEFAULT_S;
    c->port = url->port > 0 ? (unsigned)url->port : 0;
    if (my_dup(&c->host, url->host) || my_dup(&c->user, url->user) ||
        my_dup(&c->password, url->password) ||
        my_dup(&c->database, url->database)) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = my_conn_params(c, url, opts, err)))
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

void my_close(orm_conn *conn)
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

int my_reconnect(orm_conn *conn)
{
    my_conn *c = (my_conn *)conn;
    my_conn_drop(c);
    c->generation++;
    return my_conn_open(c, &c->base.err);
}

int my_ping(orm_conn *conn)
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

static int my_exec_text(my_conn *c, const char *sql);

/* Enter (1) and leave (0) a call a cancel may stop. */
void my_running(my_conn *c, int running)
{
    pthread_mutex_lock(&c->cancel_lock);
    c->running = running;
    pthread_mutex_unlock(&c->cancel_lock);
}

/* KILL QUERY on a second connection of the same account stops what this
 * one runs (error 1317, mapped to ORM_ECANCELLED); the lock keeps the
 * call from ending, and the connection from reconnecting to another
 * thread id, while the kill is on its way. A kill that reaches the
 * server after the statement ended is forgotten at the next one. The
 * second connection waits at most the connect timeout at each step; a
 * server that does not answer in that time is gone (a network that
 * drops packets, a host that is down): this connection is shut down
 * (my_abort), so the call waiting on it returns ORM_ECONNLOST and the
 * next one reconnects, instead of waiting without end. */
int my_cancel(orm_conn *conn, orm_error *err)
{
    my_conn *c = (my_conn *)conn;
    MYSQL *killer = NULL;
    MYSQL_STMT *kill = NULL;
    struct timespec start, now;
    int rc = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pthread_mutex_lock(&c->cancel_lock);
    if (!c->running || !c->thread_id || c->aborted)
        goto done;
    if ((rc = my_login(c, &killer, 1, err)))
        goto gone;
    MYSQL_BIND param;
    unsigned long long id = c->thread_id;
    memset(&param, 0, sizeof param);
    param.buffer_type = MYSQL_TYPE_LONGLONG;
    param.is_unsigned = 1;
    param.buffer = &id;
    static const char sql[] = "KILL QUERY ?";
    if (!(kill = mysql_stmt_init(killer)) ||
        mysql_stmt_prepare(kill, sql, sizeof sql - 1) ||
        mysql_stmt_bind_param(kill, &param) || mysql_stmt_execute(kill))
        rc = orm_error_set(err, ORM_EERROR, "cannot cancel the statement: %s",
                           kill ? mysql_stmt_error(kill) : "out of memory");
gone:
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (rc && (now.tv_sec - start.tv_sec) * 1000L +
                      (now.tv_nsec - start.tv_nsec) / 1000000 >=
                  (long)c->connect_timeout * 1000L - 50) {
        my_abort(conn);
        rc = orm_error_set(err, ORM_ECONNLOST,
                           "the server did not take the cancel within %u s: "
                           "the connection was closed",
                           c->connect_timeout);
    }
done:
    pthread_mutex_unlock(&c->cancel_lock);
    if (kill)
        mysql_stmt_close(kill);
    if (killer)
        mysql_close(killer);
    return rc;
}

/* Async-signal-safe (driver.h): the socket shut down, so that a read
 * waiting on the server ends; libmariadb then reports the connection
 * lost, and reading the rest of a stream ends at once. */
void my_abort(orm_conn *conn)
{
    my_conn *c = (my_conn *)conn;
    int fd = c->sock;
    c->aborted = 1;
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
}

/* Run `sql`, dropping what it returns; a cancel may stop it when
 * `cancellable`. */
static int my_run(my_conn *c, const char *sql, int cancellable)
{
    if (!cancellable)
        return my_exec_text(c, sql);
    my_running(c, 1);
    int rc = my_exec_text(c, sql);
    my_running(c, 0);
    return rc;
}

int my_exec(orm_conn *conn, const char *sql)
{
    return my_run((my_conn *)conn, sql, 1);
}

static int my_exec_text(my_conn *c, const char *sql)
{
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

int my_begin(orm_conn *conn)
{
    return my_exec(conn, "START TRANSACTION");
}

int my_commit(orm_conn *conn)
{
    return my_exec(conn, "COMMIT");
}

int my_rollback(orm_conn *conn)
{
    return my_run((my_conn *)conn, "ROLLBACK", 0);
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

int my_prepare(orm_conn *conn, const char *sql, size_t nparams, unsigned flags,
               orm_stmt **out)
{
    my_conn *c = (my_conn *)conn;
    my_stmt *st = NULL;
    int rc = my_conn_ready(c, NULL);

    *out = NULL;
    if (rc)
        return rc;
    st = orm_calloc(1, sizeof *st);
    if (!st)
        return my_nomem(conn);
    st->base.conn = conn;
    st->owner = c;
    st->generation = c->generation;
    st->flags = flags;
    st->nparams = nparams;
    if (!(st->base.sql = orm_strdup(sql)) ||
        (nparams &&
         (!(st->params = orm_calloc(nparams, sizeof *st->params)) ||
          !(st->values = orm_calloc(nparams, sizeof *st->values)))) ||
        !(st->handle = mysql_stmt_init(c->mysql))) {
        rc = my_nomem(conn);
        goto done;
    }
    /* Linked before anything can fail, so finalize sees a normal stmt. */
    st->next = c->live;
    if (c->live)
        c->live->prev = st;
    c->live = st;
    /* On MariaDB a stream, or a statement whose caller takes preparing
     * errors from its first step, is prepared and executed in one round
     * trip at its first execute (execute-direct); the server keeps it
     * prepared, so each later run of one the core keeps is one execute.
     * Others are prepared now. */
    st->direct = c->is_mariadb &&
                 (flags & (ORM_STMT_STREAM | ORM_STMT_DEFER)) &&
                 mysql_get_server_version(c->mysql) >= 100200;
    if (!st->direct &&
        mysql_stmt_prepare(st->handle, sql, (unsigned long)strlen(sql))) {
        rc = my_fail_stmt(st);
        goto done;
    }
    if (!st->direct && mysql_stmt_param_count(st->handle) != nparams) {
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
int my_stmt_current(const my_stmt *st)
{
    return st->owner && st->owner->mysql &&
           st->generation == st->owner->generation;
}

static int my_execute(my_stmt *st)
{
    my_conn *c = st->owner;
    int rc = my_conn_ready(c, st);

    if (rc)
        return rc;
    if (c->stream == st)
        c->stream = NULL; /* execute flushes our unread rows */
    if (st->direct) {
        /* PREPARE and EXECUTE in one round trip; the parameters are
         * bound by their count, as the statement is not prepared yet. */
        unsigned int n = (unsigned int)st->nparams;
        if (mysql_stmt_attr_set(st->handle, STMT_ATTR_PREBIND_PARAMS, &n) ||
            (n && mysql_stmt_bind_param(st->handle, st->params)) ||
            mariadb_stmt_execute_direct(st->handle, st->base.sql,
                                        strlen(st->base.sql)))
            return my_fail_stmt(st); /* maybe unprepared: direct again */
        st->direct = 0;
        if (mysql_stmt_param_count(st->handle) != st->nparams) {
            rc =
                orm_conn_error(&c->base, ORM_EINVALID,
                               "statement has %lu placeholders, expected %zu",
                               mysql_stmt_param_count(st->handle), st->nparams);
            goto fail;
        }
    } else if ((st->nparams && mysql_stmt_bind_param(st->handle, st->params)) ||
               mysql_stmt_execute(st->handle)) {
        return my_fail_stmt(st);
    }
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

/* A stream given up before its end: libmariadb reads the rest of its rows
 * (mysql_stmt_free_result, mysql_stmt_close) with no read timeout, so a
 * server or network that is gone would hold the reset for ever. While it
 * reads, the connection's watch thread waits the connect timeout; if the
 * rows have not all come by then, it cancels as orm_db_cancel does
 * (my_cancel: KILL QUERY, and the connection shut down when the server
 * does not take that within the connect timeout), so the read ends, with
 * the connection usable or lost.
 *
 * The browser gives a stream up with every page it leaves unread, so a
 * rest that arrives in time must cost next to nothing: the thread is
 * started once per connection and kept; a give-up sets a deadline under
 * the watch's lock and wakes the thread only when it sleeps without one;
 * the end of the read wakes nobody (the thread finds the deadline gone
 * when it comes). A thread per give-up (created and joined each time)
 * made a give-up on loopback 4 times as slow. */
static void *my_watch_main(void *payload)
{
    my_conn *c = payload;
    unsigned fired = 0; /* the give-up last cancelled (0: none yet) */
    pthread_mutex_lock(&c->watch_lock);
    while (c->watch_state != MY_WATCH_STOP) {
        unsigned seq = c->watch_seq;
        if (c->watch_state == MY_WATCH_IDLE || seq == fired) {
            c->watch_sleeping = 1;
            pthread_cond_wait(&c->watch_cond, &c->watch_lock);
            c->watch_sleeping = 0;
            continue;
        }
        struct timespec until = c->watch_until;
        if (pthread_cond_timedwait(&c->watch_cond, &c->watch_lock, &until) !=
                ETIMEDOUT ||
            c->watch_state != MY_WATCH_READING || c->watch_seq != seq)
            continue;
        fired = seq;
        c->watch_cancelling = 1;
        pthread_mutex_unlock(&c->watch_lock);
        orm_error err = ORM_ERROR_INIT;
        my_cancel(&c->base, &err);
        orm_error_clear(&err);
        pthread_mutex_lock(&c->watch_lock);
        c->watch_cancelling = 0;
        pthread_cond_broadcast(&c->watch_cond);
    }
    pthread_mutex_unlock(&c->watch_lock);
    return NULL;
}

/* Start the connection's watch thread if it is not running yet; 0 when
 * it cannot be (the rest is then read unwatched, as before watches). */
static int my_watch_start(my_conn *c)
{
    pthread_condattr_t attr;
    int ok = 0;
    if (c->watch_started)
        return 1;
    if (pthread_condattr_init(&attr))
        return 0;
    if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
        pthread_cond_init(&c->watch_cond, &attr) == 0) {
        pthread_mutex_init(&c->watch_lock, NULL);
        c->watch_state = MY_WATCH_IDLE;
        ok = pthread_create(&c->watch, NULL, my_watch_main, c) == 0;
        if (!ok) {
            pthread_mutex_destroy(&c->watch_lock);
            pthread_cond_destroy(&c->watch_cond);
        }
    }
    pthread_condattr_destroy(&attr);
    c->watch_started = ok;
    return ok;
}

/* Stop and join the watch thread (close). */
static void my_watch_stop(my_conn *c)
{
    if (!c->watch_started)
        return;
    pthread_mutex_lock(&c->watch_lock);
    c->watch_state = MY_WATCH_STOP;
    pthread_cond_broadcast(&c->watch_cond);
    pthread_mutex_unlock(&c->watch_lock);
    pthread_join(c->watch, NULL);
    pthread_mutex_destroy(&c->watch_lock);
    pthread_cond_destroy(&c->watch_cond);
    c->watch_started = 0;
}

/* Give up our open stream: `close` closes the handle too (my_finalize),
 * else only the result is dropped (my_reset). Either reads the rest,
 * watched (above); a failure there shows on the next command. */
static void my_stream_give_up(my_stmt *st, int close)
{
    my_conn *c = st->owner;
    int watched = !c->aborted && my_watch_start(c);
    if (watched) {
        my_running(c, 1);
        pthread_mutex_lock(&c->watch_lock);
        clock_gettime(CLOCK_MONOTONIC, &c->watch_until);
        c->watch_until.tv_sec += (time_t)c->connect_timeout;
        c->watch_seq++;
        c->watch_state = MY_WATCH_READING;
        if (c->watch_sleeping)
            pthread_cond_broadcast(&c->watch_cond);
        pthread_mutex_unlock(&c->watch_lock);
    }
    if (close) {
        mysql_stmt_close(st->handle);
        st->handle = NULL;
    } else {
        mysql_stmt_free_result(st->handle);
    }
    if (watched) {
        /* A cancel the watch has started ends before the call does, so
         * that it cannot reach the next statement (my_cancel's lock). */
        pthread_mutex_lock(&c->watch_lock);
        c->watch_state = MY_WATCH_IDLE;
        while (c->watch_cancelling)
            pthread_cond_wait(&c->watch_cond, &c->watch_lock);
        pthread_mutex_unlock(&c->watch_lock);
        my_running(c, 0);
    }
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
            char *buf = orm_malloc((size_t)col->length + 1);
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

int my_step(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    int rc;

    st->have_row = 0;
    if (!st->owner)
        return ORM_EINVALID; /* its connection is closed: no error slot */
    if (!my_stmt_current(st))
        return orm_conn_error(base->conn, ORM_ECONNLOST,
                              "connection lost: prepare the statement again");
    my_conn *c = st->owner;
    my_running(c, 1);
    if (st->state == MY_NEED_EXEC && (rc = my_execute(st)) < 0)
        goto done;
    rc = st->state == MY_DONE ? ORM_DONE : my_fetch(st);
done:
    my_running(c, 0);
    return rc;
}

size_t my_column_count(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    if (st->state == MY_NEED_EXEC || (st->state == MY_DONE && !st->ncols))
        return mysql_stmt_field_count(st->handle);
    return st->ncols;
}

int64_t my_rows_matched(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    my_ulonglong n = mysql_stmt_affected_rows(st->handle);
    if (n == (my_ulonglong)-1 || n > (my_ulonglong)INT64_MAX)
        return -1;
    return (int64_t)n;
}

int my_last_insert_id(orm_stmt *base, int64_t *out)
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

int my_reset(orm_stmt *base)
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
    if (was_stream)
        my_stream_give_up(st, 0);
    else
        mysql_stmt_free_result(st->handle);
    my_stream_end(st);
    return 0;
}

void my_finalize(orm_stmt *base)
{
    my_stmt *st = (my_stmt *)base;
    my_conn *c;

    if (!st)
        return;
    c = st->owner;
    my_stmt_unlink(st);
    if (c && c->stream == st) {
        my_stream_give_up(st, 1);
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
