/*
 * TLS with certificate checks, on the real test servers.
 *
 * scripts/with-servers.sh turns TLS on in both servers with a certificate
 * for 127.0.0.1/localhost signed by a CA made for the run
 * (ORB_TEST_TLS_CA); ORB_TEST_TLS_OTHER_CA is a CA that signed nothing of
 * ours. The same URL options work on PostgreSQL and MariaDB, in libpq's
 * spelling (sslmode=verify-full&sslrootcert=) and MySQL's
 * (ssl_mode=VERIFY_IDENTITY&ssl_ca=):
 * - with the right CA, a table is made, a row committed and read back,
 *   and the server itself says the session is encrypted;
 * - with another CA, or through a relay on 127.0.0.2 (a name the
 *   certificate does not carry), the connection is refused with one
 *   message saying what failed, the host and the CA file, and never the
 *   password.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper_net.h"
#include "helper_servers.h"
#include "internal.h"
#include "orm/orm.h"
#include "orm/sys/connopt.h"

/* libpq's and MySQL's spellings of "check the certificate and the host
 * name against this CA"; each works on both dialects. */
static const char *const verify_full[] = {
    "sslmode=verify-full&sslrootcert=",
    "ssl_mode=VERIFY_IDENTITY&ssl_ca=",
};

static const char *env_file(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        fail_msg("%s is not set: run under scripts/with-servers.sh", name);
    return v;
}

/* `url` with host:port replaced and `query` appended. */
static char *url_with(const char *url, const char *host, int port,
                      const char *query)
{
    const char *at = strchr(strstr(url, "://"), '@');
    const char *slash = strchr(at, '/');
    char *out = NULL;
    char where[64] = "";
    if (host)
        snprintf(where, sizeof where, "%s:%d", host, port);
    assert_true((out = net_strf("%.*s%s%s?%s", (int)(at + 1 - url), url,
                                host ? where : "", host ? slash : at + 1,
                                query)) != NULL);
    return out;
}

static int url_port(const char *url)
{
    const char *at = strchr(strstr(url, "://"), '@');
    const char *colon = strchr(at, ':');
    assert_non_null(colon);
    return atoi(colon + 1);
}

/* ---- a TCP relay on 127.0.0.2 to the real server ---- */

typedef struct relay {
    int listen_fd;
    int port;
    int target_port;
    atomic_int stop;
    pthread_t thread;
} relay;

static void relay_pump(int a, int b, const atomic_int *stop)
{
    char buf[16384];
    while (!atomic_load(stop)) {
        struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
        if (poll(p, 2, 100) < 0)
            return;
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = read(p[i].fd, buf, sizeof buf);
            if (r <= 0)
                return;
            if (write(p[1 - i].fd, buf, (size_t)r) != r)
                return;
        }
    }
}

static void *relay_run(void *arg)
{
    relay *r = arg;
    while (!atomic_load(&r->stop)) {
        struct pollfd p = {r->listen_fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int client = accept(r->listen_fd, NULL, NULL);
        if (client < 0)
            continue;
        int server = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in to = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)r->target_port)};
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (server >= 0 &&
            connect(server, (struct sockaddr *)&to, sizeof to) == 0)
            relay_pump(client, server, &r->stop);
        if (server >= 0)
            close(server);
        close(client);
    }
    return NULL;
}

/* Listen on 127.0.0.2 (any 127/8 address is this machine) and forward
 * each connection to 127.0.0.1:target_port. */
static void relay_start(relay *r, int target_port)
{
    memset(r, 0, sizeof *r);
    r->target_port = target_port;
    r->listen_fd = net_listen("127.0.0.2", 8, &r->port);
    assert_int_equal(pthread_create(&r->thread, NULL, relay_run, r), 0);
}

static void relay_stop(relay *r)
{
    atomic_store(&r->stop, 1);
    pthread_join(r->thread, NULL);
    close(r->listen_fd);
}

/* ---- tests ---- */

static const orm_column note_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "body", .type = ORM_STRING, .length = 80},
};
static const orm_model Note = {.name = "TlsNote",
                               .table = "tls_notes",
                               .columns = note_columns,
                               .ncolumns = 2};

/* What the server says about this session's encryption, read through a
 * view the way orb reads any table. */
static void assert_session_encrypted(orm_db *db, const char *dialect)
{
    const char *view =
        strcmp(dialect, "postgresql") == 0
            ? "CREATE VIEW tls_session AS SELECT CAST(ssl AS text) AS "
              "encrypted FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
            : "CREATE VIEW tls_session AS SELECT VARIABLE_VALUE <> '' AS "
              "encrypted FROM information_schema.SESSION_STATUS WHERE "
              "VARIABLE_NAME = 'SSL_CIPHER'";
    orm_model *model = NULL;
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record *row = NULL;
    db_exec(db, "DROP VIEW IF EXISTS tls_session");
    assert_int_equal(db_exec(db, view), 0);
    assert_int_equal(orm_db_reflect(db, "tls_session", &model), 0);
    assert_int_equal(orm_db_register(db, model), 0);
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_query_new(&q, s, model), 0);
    assert_int_equal(orm_query_first(q, &row), ORM_ROW);
    const orm_value *v = orm_record_get(row, "encrypted");
    assert_non_null(v);
    if (v->kind == ORM_VTEXT)
        assert_true(v->u.s.len > 0 &&
                    (v->u.s.ptr[0] == 't' || v->u.s.ptr[0] == '1'));
    else if (v->kind == ORM_VBOOL)
        assert_true(v->u.b);
    else
        assert_int_equal(v->u.i, 1);
    orm_query_free(q);
    orm_session_free(s);
    assert_int_equal(db_exec(db, "DROP VIEW tls_session"), 0);
}

static void verify_full_browses_and_commits(const char *dialect)
{
    const char *base = net_server_url(dialect);
    const char *ca = env_file("ORB_TEST_TLS_CA");
    for (size_t i = 0; i < sizeof verify_full / sizeof verify_full[0]; i++) {
        char *query = NULL, *url;
        orm_db *db = NULL;
        orm_session *s = NULL;
        orm_record *rec = NULL;
        orm_error err = ORM_ERROR_INIT;
        assert_true((query = net_strf("%s%s", verify_full[i], ca)) != NULL);
        url = url_with(base, NULL, 0, query);
        if (orm_db_open(&db, url, NULL) != 0)
            fail_msg("%s with %s: %s", dialect, verify_full[i],
                     orm_error_text(orm_db_error(db)));
        assert_session_encrypted(db, dialect);
        assert_int_equal(orm_db_register(db, &Note), 0);
        orm_db_drop_table(db, &Note);
        assert_int_equal(orm_db_create_table(db, &Note), 0);
        assert_int_equal(orm_session_new(&s, db), 0);
        assert_int_equal(orm_record_new(&rec, &Note), 0);
        assert_int_equal(orm_record_set_text(rec, "id", "1", &err), 0);
        assert_int_equal(
            orm_record_set_text(rec, "body", "Grüße über TLS, ÉCOLE", &err), 0);
        assert_int_equal(orm_session_add(s, rec), 0);
        if (orm_session_commit(s) != 0)
            fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
        orm_session_free(s);

        /* Read back on a session of its own: from the server. */
        orm_query *q = NULL;
        orm_record *row = NULL;
        assert_int_equal(orm_session_new(&s, db), 0);
        assert_int_equal(orm_query_new(&q, s, &Note), 0);
        assert_int_equal(orm_query_where(q, "id = 1"), 0);
        assert_int_equal(orm_query_one(q, &row), ORM_ROW);
        const orm_value *body = orm_record_get(row, "body");
        assert_int_equal(body->kind, ORM_VTEXT);
        assert_memory_equal(body->u.s.ptr, "Grüße über TLS, ÉCOLE",
                            strlen("Grüße über TLS, ÉCOLE"));
        orm_query_free(q);
        orm_session_free(s);
        assert_int_equal(orm_db_drop_table(db, &Note), 0);
        orm_db_free(db);
        free(url);
        free(query);
    }
}

static void test_tls__verify_full_postgresql(void **state)
{
    (void)state;
    verify_full_browses_and_commits("postgresql");
}

static void test_tls__verify_full_mysql(void **state)
{
    (void)state;
    verify_full_browses_and_commits("mysql");
}

/* Open `url`, expect a refusal, and check its message holds each of
 * `needles` and not the password. */
static void expect_refused(const char *url, const char *password,
                           const char *const *needles, size_t nneedles)
{
    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, url, NULL), ORM_ECONNECT);
    const char *msg = orm_error_text(orm_db_error(db));
    for (size_t i = 0; i < nneedles; i++)
        if (!strstr(msg, needles[i]))
            fail_msg("'%s' missing from: %s", needles[i], msg);
    if (strstr(msg, password))
        fail_msg("the password is in the message: %s", msg);
    orm_db_free(db);
}

static void wrong_ca_refused(const char *dialect)
{
    const char *base = net_server_url(dialect);
    const char *other = env_file("ORB_TEST_TLS_OTHER_CA");
    char *password = net_url_password(base);
    for (size_t i = 0; i < sizeof verify_full / sizeof verify_full[0]; i++) {
        char *query = NULL, *where = NULL, *ca_says = NULL;
        assert_true((query = net_strf("%s%s", verify_full[i], other)) != NULL);
        assert_true((where = net_strf("cannot connect to 127.0.0.1:%d",
                                      url_port(base))) != NULL);
        assert_true(
            (ca_says = net_strf("the server's TLS certificate is not signed by "
                                "the CA in %s",
                                other)) != NULL);
        char *url = url_with(base, NULL, 0, query);
        const char *needles[] = {where, ca_says, "the login was not sent"};
        expect_refused(url, password, needles, 3);
        free(url);
        free(ca_says);
        free(where);
        free(query);
    }
    free(password);
}

static void test_tls__wrong_ca_refused_postgresql(void **state)
{
    (void)state;
    wrong_ca_refused("postgresql");
}

static void test_tls__wrong_ca_refused_mysql(void **state)
{
    (void)state;
    wrong_ca_refused("mysql");
}

static void wrong_host_refused(const char *dialect)
{
    const char *base = net_server_url(dialect);
    const char *ca = env_file("ORB_TEST_TLS_CA");
    char *password = net_url_password(base);
    relay r;
    relay_start(&r, url_port(base));
    for (size_t i = 0; i < sizeof verify_full / sizeof verify_full[0]; i++) {
        char *query = NULL, *where = NULL, *ca_says = NULL;
        assert_true((query = net_strf("%s%s", verify_full[i], ca)) != NULL);
        assert_true((where = net_strf("cannot connect to 127.0.0.2:%d",
                                      r.port)) != NULL);
        assert_true((ca_says = net_strf("(CA file: %s)", ca)) != NULL);
        char *url = url_with(base, "127.0.0.2", r.port, query);
        const char *needles[] = {
            where,
            "the server's TLS certificate is not made out to host name "
            "127.0.0.2",
            ca_says, "the login was not sent"};
        expect_refused(url, password, needles, 4);
        free(url);
        free(ca_says);
        free(where);
        free(query);
    }
    relay_stop(&r);
    free(password);
}

static void test_tls__wrong_host_refused_postgresql(void **state)
{
    (void)state;
    wrong_host_refused("postgresql");
}

static void test_tls__wrong_host_refused_mysql(void **state)
{
    (void)state;
    wrong_host_refused("mysql");
}

/* verify-ca checks the chain but not the name: through the relay it
 * connects (so what refuses above is the host name, not the relay), and
 * the session is encrypted. */
static void relay_passes_verify_ca(const char *dialect)
{
    static const char *const verify_ca[] = {
        "sslmode=verify-ca&sslrootcert=",
        "ssl_mode=VERIFY_CA&ssl_ca=",
    };
    const char *base = net_server_url(dialect);
    relay r;
    relay_start(&r, url_port(base));
    for (size_t i = 0; i < sizeof verify_ca / sizeof verify_ca[0]; i++) {
        char *query = NULL;
        orm_db *db = NULL;
        assert_true((query = net_strf("%s%s", verify_ca[i],
                                      env_file("ORB_TEST_TLS_CA"))) != NULL);
        char *url = url_with(base, "127.0.0.2", r.port, query);
        if (orm_db_open(&db, url, NULL) != 0)
            fail_msg("%s with %s: %s", dialect, verify_ca[i],
                     orm_error_text(orm_db_error(db)));
        assert_session_encrypted(db, dialect);
        orm_db_free(db);
        free(url);
        free(query);
    }
    relay_stop(&r);
}

static void test_tls__verify_ca_ignores_host_postgresql(void **state)
{
    (void)state;
    relay_passes_verify_ca("postgresql");
}

static void test_tls__verify_ca_ignores_host_mysql(void **state)
{
    (void)state;
    relay_passes_verify_ca("mysql");
}

/* ---- the options themselves (no server) ---- */

/* Read `text`'s options into *p (its strings then point into freed
 * memory: check them with `expect_ca`). */
static void read_params(const char *text, orm_conn_params *p, int expect_rc,
                        const char *message_part, const char *expect_ca)
{
    orm_url *url = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_url_parse(&url, text, &err), 0);
    assert_int_equal(orm_conn_params_read(p, url, &err), expect_rc);
    if (expect_ca)
        assert_string_equal(p->ca_file, expect_ca);
    if (message_part && !strstr(orm_error_text(&err), message_part))
        fail_msg("'%s' missing from: %s", message_part, orm_error_text(&err));
    orm_error_clear(&err);
    orm_url_free(url);
}

static void test_conn_params__spellings_mean_the_same(void **state)
{
    static const char *const urls[] = {
        "postgresql://u@h/d?sslmode=verify-full&sslrootcert=/ca.pem",
        "postgresql://u@h/d?ssl_mode=VERIFY_IDENTITY&ssl_ca=/ca.pem",
        "mysql://u@h/d?ssl_mode=verify_identity&ssl_ca=/ca.pem",
        "mariadb://u@h/d?sslmode=Verify-Full&sslrootcert=/ca.pem",
        ("mysql://u@h/d?ssl_mode=VERIFY_IDENTITY&sslmode=verify-full"
         "&ssl_ca=/ca.pem&sslrootcert=/ca.pem"), /* one element */
    };
    (void)state;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        orm_conn_params p;
        read_params(urls[i], &p, 0, NULL, "/ca.pem");
        assert_int_equal(p.tls, ORM_TLS_VERIFY_FULL);
    }
    orm_conn_params p;
    read_params("mysql://u@h/d?ssl=true", &p, 0, NULL, NULL);
    assert_int_equal(p.tls, ORM_TLS_REQUIRE);
    read_params("mysql://u@h/d?ssl", &p, 0, NULL, NULL);
    assert_int_equal(p.tls, ORM_TLS_UNSET);
    read_params("postgresql://u@h/d?connect_timeout=7&statement_timeout=1.5s",
                &p, 0, NULL, NULL);
    assert_int_equal(p.connect_timeout_s, 7);
    assert_int_equal(p.statement_timeout_ms, 1500);
    read_params("postgresql://u@h/d?statement_timeout=250", &p, 0, NULL, NULL);
    assert_int_equal(p.statement_timeout_ms, 250);
    read_params("postgresql://u@h/d?statement_timeout=2min", &p, 0, NULL, NULL);
    assert_int_equal(p.statement_timeout_ms, 120000);
}

static void test_conn_params__bad_values_say_which(void **state)
{
    orm_conn_params p;
    (void)state;
    read_params("mysql://u@h/d?ssl_mode=VERIFY_EVERYTHING", &p, ORM_EINVALID,
                "unknown ssl_mode 'VERIFY_EVERYTHING'", NULL);
    read_params("postgresql://u@h/d?sslmode=require&ssl_mode=VERIFY_IDENTITY",
                &p, ORM_EINVALID,
                "sslmode=require and ssl_mode=VERIFY_IDENTITY in the URL "
                "disagree",
                NULL);
    read_params("postgresql://u@h/d?sslrootcert=/a.pem&ssl_ca=/b.pem", &p,
                ORM_EINVALID, "sslrootcert=/a.pem and ssl_ca=/b.pem", NULL);
    read_params("postgresql://u@h/d?connect_timeout=soon", &p, ORM_EINVALID,
                "connect_timeout 'soon'", NULL);
    read_params("mysql://u@h/d?statement_timeout=3h", &p, ORM_EINVALID,
                "statement_timeout '3h' in the URL is not a time", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_params__spellings_mean_the_same),
        cmocka_unit_test(test_conn_params__bad_values_say_which),
        cmocka_unit_test(test_tls__verify_full_postgresql),
        cmocka_unit_test(test_tls__verify_full_mysql),
        cmocka_unit_test(test_tls__wrong_ca_refused_postgresql),
        cmocka_unit_test(test_tls__wrong_ca_refused_mysql),
        cmocka_unit_test(test_tls__wrong_host_refused_postgresql),
        cmocka_unit_test(test_tls__wrong_host_refused_mysql),
        cmocka_unit_test(test_tls__verify_ca_ignores_host_postgresql),
        cmocka_unit_test(test_tls__verify_ca_ignores_host_mysql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
