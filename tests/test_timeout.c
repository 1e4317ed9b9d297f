/*
 * Timeouts from the URL, on the real test servers (and SQLite).
 *
 * - connect_timeout: a socket the test itself listens on and never
 *   answers; orb gives up with "the server did not answer within N s"
 *   (also when MariaDB's TLS probe is the one waiting).
 * - statement_timeout: a view that sleeps (pg_sleep, SLEEP) or counts
 *   for long (SQLite) is cancelled with "statement cancelled after N s",
 *   and the connection goes on working; a commit whose UPDATE waits for
 *   a row another connection holds is cancelled the same way, every
 *   change stays pending and commits once the row is free.
 *
 * - a cancel with the server gone (a proxy that stops passing anything
 *   and never answers a new connection, as a pulled cable): the cancel
 *   gives up after the connect timeout and closes the connection, so the
 *   statement waiting on it returns (the browser's Esc, and quitting
 *   after it, are never stuck behind it); a stream given up halfway on
 *   such a network is freed the same way, not read on for ever (an
 *   export's too, which PostgreSQL reads through COPY).
 *
 * No test measures time: each asserts what the user is told, and the
 * slow statements take far longer than their limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper_net.h"
#include "helper_servers.h"
#include "helper_trips.h"
#include "internal.h"
#include "orm/orm.h"

/* `url` with `query` appended (and host:port replaced when port > 0). */
static char *url_with(const char *url, int port, const char *query)
{
    const char *at = strchr(strstr(url, "://"), '@');
    const char *slash = strchr(at, '/');
    const char *mark = *query ? "?" : "";
    if (port > 0)
        return net_strf("%.*s127.0.0.1:%d%s%s%s", (int)(at + 1 - url), url,
                        port, slash, mark, query);
    return net_strf("%s%s%s", url, mark, query);
}

/* ---- connect timeout ---- */

/* `seconds` in the URL; 0: none given, the documented default of 10 s
 * (orm_db_options.connect_timeout_s) holds. */
static void connect_timeout(const char *dialect, int seconds,
                            const char *tls_query)
{
    const char *base = net_server_url(dialect);
    char *password = net_url_password(base);
    int port;
    int fd = net_listen("127.0.0.1", 16, &port);
    char *query = seconds ? net_strf("connect_timeout=%d%s", seconds, tls_query)
                          : net_strf("%s", *tls_query ? tls_query + 1 : "");
    char *url = url_with(base, port, query);
    char *expect =
        net_strf("cannot connect to 127.0.0.1:%d: the server did not "
                 "answer within %d s (connect_timeout)",
                 port, seconds ? seconds : 10);
    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, url, NULL), ORM_ECONNECT);
    const char *msg = orm_error_text(orm_db_error(db));
    if (strcmp(msg, expect) != 0)
        fail_msg("%s%s: expected \"%s\", got \"%s\"", dialect, tls_query,
                 expect, msg);
    assert_null(strstr(msg, password));
    orm_db_free(db);
    close(fd);
    free(expect);
    free(url);
    free(query);
    free(password);
}

static void test_timeout__connect_postgresql(void **state)
{
    (void)state;
    connect_timeout("postgresql", 2, "");
    connect_timeout("postgresql", 2, "&sslmode=require");
}

static void test_timeout__connect_mysql(void **state)
{
    (void)state;
    connect_timeout("mysql", 2, "");
    /* TLS required: the greeting is read first (drivers/mysql/handshake.c);
     * that wait is the one that runs out. */
    connect_timeout("mysql", 2, "&ssl_mode=REQUIRED");
}

/* No connect_timeout anywhere: a server that never answers is given up
 * after the default 10 s, not waited for without end (libpq's own
 * default). libpq's PGCONNECT_TIMEOUT would be the user's word. */
static void test_timeout__connect_default_postgresql(void **state)
{
    (void)state;
    unsetenv("PGCONNECT_TIMEOUT");
    connect_timeout("postgresql", 0, "");
}

static void test_timeout__connect_default_mysql(void **state)
{
    (void)state;
    connect_timeout("mysql", 0, "");
}

/* ---- statement timeout ---- */

static char *dialect_url(const char *dialect, const char *query)
{
    if (strcmp(dialect, "sqlite") == 0) {
        char *path = net_strf("/tmp/orb-test-timeout-%ld.db", (long)getpid());
        unlink(path);
        char *url = net_strf("sqlite:///%s?%s", path, query);
        free(path);
        return url;
    }
    return url_with(net_server_url(dialect), 0, query);
}

static void sqlite_file_remove(const char *dialect)
{
    if (strcmp(dialect, "sqlite") == 0) {
        char *path = net_strf("/tmp/orb-test-timeout-%ld.db", (long)getpid());
        unlink(path);
        free(path);
    }
}

/* A view that takes far longer than half a second on each dialect. */
static const char *slow_view(const char *dialect)
{
    if (strcmp(dialect, "postgresql") == 0)
        return "CREATE VIEW tmo_slow AS SELECT 1 AS n FROM pg_sleep(10)";
    if (strcmp(dialect, "mysql") == 0)
        return "CREATE VIEW tmo_slow AS SELECT SLEEP(10) AS n";
    return "CREATE VIEW tmo_slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION "
           "ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) "
           "AS n FROM c";
}

static const orm_column item_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK | ORM_NO_AUTOINC},
    {.name = "name", .type = ORM_STRING, .length = 40},
};
static const orm_model Item = {.name = "TmoItem",
                               .table = "tmo_items",
                               .columns = item_columns,
                               .ncolumns = 2};

static void slow_view_cancelled(const char *dialect)
{
    char *url = dialect_url(dialect, "statement_timeout=500ms");
    orm_db *db = NULL;
    orm_model *model = NULL;
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record *row = NULL;
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("%s: %s", dialect, orm_error_text(orm_db_error(db)));
    db_exec(db, "DROP VIEW IF EXISTS tmo_slow");
    assert_int_equal(db_exec(db, slow_view(dialect)), 0);
    assert_int_equal(orm_db_reflect(db, "tmo_slow", &model), 0);
    assert_int_equal(orm_db_register(db, model), 0);
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_query_new(&q, s, model), 0);
    assert_int_equal(orm_query_first(q, &row), ORM_ETIMEOUT);
    assert_string_equal(orm_error_text(orm_query_error(q)),
                        "statement cancelled after 0.5 s (statement_timeout)");
    orm_query_free(q);

    /* The connection goes on: a table is made, filled and read. */
    orm_error err = ORM_ERROR_INIT;
    orm_record *rec = NULL;
    assert_int_equal(db_exec(db, "DROP VIEW tmo_slow"), 0);
    assert_int_equal(orm_db_register(db, &Item), 0);
    orm_db_drop_table(db, &Item);
    assert_int_equal(orm_db_create_table(db, &Item), 0);
    assert_int_equal(orm_record_new(&rec, &Item), 0);
    assert_int_equal(orm_record_set_text(rec, "id", "1", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "name", "Ünïcode Ok", &err), 0);
    assert_int_equal(orm_session_add(s, rec), 0);
    if (orm_session_commit(s) != 0)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    assert_int_equal(orm_query_new(&q, s, &Item), 0);
    assert_int_equal(orm_query_first(q, &row), ORM_ROW);
    orm_query_free(q);
    assert_int_equal(orm_db_drop_table(db, &Item), 0);
    orm_session_free(s);
    orm_db_free(db);
    sqlite_file_remove(dialect);
    free(url);
}

static void test_timeout__statement_postgresql(void **state)
{
    (void)state;
    slow_view_cancelled("postgresql");
}

static void test_timeout__statement_mysql(void **state)
{
    (void)state;
    slow_view_cancelled("mysql");
}

static void test_timeout__statement_sqlite(void **state)
{
    (void)state;
    slow_view_cancelled("sqlite");
}

/* A commit waiting for a row another connection holds. */
static void commit_cancelled_keeps_pending(const char *dialect)
{
    char *url = dialect_url(dialect, "statement_timeout=0.5s");
    char *plain = dialect_url(dialect, "connect_timeout=10");
    orm_db *db = NULL, *holder = NULL;
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("%s: %s", dialect, orm_error_text(orm_db_error(db)));
    assert_int_equal(orm_db_open(&holder, plain, NULL), 0);
    assert_int_equal(orm_db_register(db, &Item), 0);
    orm_db_drop_table(db, &Item);
    assert_int_equal(orm_db_create_table(db, &Item), 0);
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_record_new(&rec, &Item), 0);
    assert_int_equal(orm_record_set_text(rec, "id", "1", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "name", "Zoë", &err), 0);
    assert_int_equal(orm_session_add(s, rec), 0);
    assert_int_equal(orm_session_commit(s), 0);

    /* Someone else holds the row. */
    assert_int_equal(db_begin(holder), 0);
    assert_int_equal(
        db_exec(holder, "UPDATE tmo_items SET name = 'held' WHERE id = 1"), 0);

    assert_int_equal(orm_record_set_text(rec, "name", "Ærøskøbing", &err), 0);
    assert_int_equal(orm_session_commit(s), ORM_ETIMEOUT);
    assert_string_equal(orm_error_text(orm_session_error(s)),
                        "<TmoItem id=1>: statement cancelled after 0.5 s "
                        "(statement_timeout)");
    assert_int_equal(orm_session_pending_count(s), 1);
    const orm_value *name = orm_record_get(rec, "name");
    assert_int_equal(name->kind, ORM_VTEXT);
    assert_memory_equal(name->u.s.ptr, "Ærøskøbing", strlen("Ærøskøbing"));

    /* Once the row is free, the same pending change commits. */
    assert_int_equal(db_rollback(holder), 0);
    if (orm_session_commit(s) != 0)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    assert_int_equal(orm_session_pending_count(s), 0);
    orm_session_free(s);
    orm_record *row = NULL;
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_query_new(&q, s, &Item), 0);
    assert_int_equal(orm_query_first(q, &row), ORM_ROW);
    name = orm_record_get(row, "name");
    assert_memory_equal(name->u.s.ptr, "Ærøskøbing", strlen("Ærøskøbing"));
    orm_query_free(q);
    assert_int_equal(orm_db_drop_table(db, &Item), 0);
    orm_session_free(s);
    orm_db_free(holder);
    orm_db_free(db);
    free(plain);
    free(url);
}

static void test_timeout__commit_keeps_pending_postgresql(void **state)
{
    (void)state;
    commit_cancelled_keeps_pending("postgresql");
}

static void test_timeout__commit_keeps_pending_mysql(void **state)
{
    (void)state;
    commit_cancelled_keeps_pending("mysql");
}

/* ---- a cancel with the server gone ---- */

typedef struct sleeper {
    orm_db *db;
    const char *sql;
    int rc;
    atomic_int done;
} sleeper;

static void *sleeper_main(void *payload)
{
    sleeper *s = payload;
    s->rc = db_exec(s->db, s->sql);
    atomic_store(&s->done, 1);
    return NULL;
}

/* Esc as the browser sends it: orm_db_cancel every 50 ms until the call
 * returns; the last failure's code and message are kept. */
typedef struct canceller {
    sleeper *work;
    int rc;
    char message[256];
} canceller;

static void *canceller_main(void *payload)
{
    canceller *c = payload;
    while (!atomic_load(&c->work->done)) {
        orm_error err = ORM_ERROR_INIT;
        int rc = orm_db_cancel(c->work->db, &err);
        if (rc) {
            c->rc = rc;
            snprintf(c->message, sizeof c->message, "%s", orm_error_text(&err));
        }
        orm_error_clear(&err);
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void cancel_with_the_server_gone(const char *dialect)
{
    char *url = dialect_url(dialect, "connect_timeout=2");
    char *proxied = NULL;
    test_trips *net = test_trips_start(url, &proxied);
    orm_db *db = NULL;
    if (orm_db_open(&db, proxied, NULL) != 0)
        fail_msg("%s: %s", dialect, orm_error_text(orm_db_error(db)));
    test_trips_cut_after(net, 0);
    sleeper work = {.db = db,
                    .sql = strcmp(dialect, "postgresql") == 0
                               ? "SELECT pg_sleep(60)"
                               : "SELECT SLEEP(60)"};
    canceller cancel = {.work = &work};
    pthread_t worker, cancelling;
    atomic_init(&work.done, 0);
    assert_int_equal(pthread_create(&worker, NULL, sleeper_main, &work), 0);
    assert_int_equal(pthread_create(&cancelling, NULL, canceller_main, &cancel),
                     0);
    /* The statement and the cancels wait on a network that is gone: the
     * statement returns once a cancel has waited the connect timeout
     * (2 s), far within 30. */
    for (int i = 0; i < 3000 && !atomic_load(&work.done); i++) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    if (!atomic_load(&work.done))
        fail_msg("%s: the statement did not return within 30 s of Esc with "
                 "the server gone",
                 dialect);
    pthread_join(worker, NULL);
    pthread_join(cancelling, NULL);
    assert_int_equal(work.rc, ORM_ECONNLOST);
    assert_int_equal(cancel.rc, ORM_ECONNLOST);
    assert_string_equal(cancel.message,
                        "the server did not take the cancel within 2 s: the "
                        "connection was closed");
    orm_db_free(db);
    test_trips_stop(net);
    free(proxied);
    free(url);
}

static void test_timeout__cancel_with_the_server_gone_postgresql(void **state)
{
    (void)state;
    cancel_with_the_server_gone("postgresql");
}

static void test_timeout__cancel_with_the_server_gone_mysql(void **state)
{
    (void)state;
    cancel_with_the_server_gone("mysql");
}

/* A stream given up halfway (a cursor freed after its first row, as the
 * browser's count or a page does) with the server gone: the cancel that
 * stops the rest (PostgreSQL's at once, MariaDB's once the rest has not
 * come within the connect timeout) waits the connect timeout, then the
 * connection is shut down instead of read on, and freeing returns. */
typedef struct freer {
    orm_cursor *cursor;
    atomic_int done;
} freer;

static void *freer_main(void *payload)
{
    freer *f = payload;
    orm_cursor_free(f->cursor);
    atomic_store(&f->done, 1);
    return NULL;
}

/* Free `cur` on a thread of its own: 1 when that returned within 30 s
 * (far more than the 2 s connect timeout the tests give), else 0 and the
 * thread is left waiting. */
static int cursor_freed(orm_cursor *cur)
{
    /* Its own: a thread left waiting keeps using it. */
    freer *work = calloc(1, sizeof *work);
    pthread_t thread;
    assert_non_null(work);
    work->cursor = cur;
    atomic_init(&work->done, 0);
    assert_int_equal(pthread_create(&thread, NULL, freer_main, work), 0);
    for (int i = 0; i < 3000 && !atomic_load(&work->done); i++) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    if (!atomic_load(&work->done))
        return 0;
    pthread_join(thread, NULL);
    free(work);
    return 1;
}

/* 20000 rows of about 400 bytes each. */
static const char *big_table(const char *dialect)
{
    if (strcmp(dialect, "postgresql") == 0)
        return "CREATE TABLE tmo_big AS SELECT x AS id, "
               "repeat('Zoë ' || x, 40) AS payload "
               "FROM generate_series(1, 20000) x";
    return "CREATE TABLE tmo_big AS SELECT seq AS id, "
           "REPEAT(CONCAT('Zoë ', seq), 40) AS payload FROM seq_1_to_20000";
}

/* tmo_big as a model, for a query's cursor. */
static const orm_column tmo_big_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "payload", .type = ORM_TEXT},
};
static const orm_model TmoBig = ORM_MODEL("TmoBig", "tmo_big", tmo_big_columns);

/* `bulk`: the rows are an export's (orm_query_cursor_bulk: PostgreSQL's
 * COPY), else the program's own SELECT's. */
static void stream_given_up_with_the_server_gone(const char *dialect, int bulk)
{
    char *url = dialect_url(dialect, "connect_timeout=2");
    char *proxied = NULL;
    orm_db *direct = NULL, *db = NULL;
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_cursor *cur = NULL;
    const orm_value *row;
    assert_int_equal(orm_db_open(&direct, url, NULL), 0);
    db_exec(direct, "DROP TABLE IF EXISTS tmo_big");
    assert_int_equal(db_exec(direct, big_table(dialect)), 0);
    test_trips *net = test_trips_start(url, &proxied);
    /* Logging in is a few KiB; the 8 MB of rows are cut after 64 KiB. */
    test_trips_cut_after(net, 64 * 1024);
    if (orm_db_open(&db, proxied, NULL) != 0)
        fail_msg("%s: %s", dialect, orm_error_text(orm_db_error(db)));
    if (bulk) {
        assert_int_equal(orm_db_register(db, &TmoBig), 0);
        assert_int_equal(orm_session_new(&s, db), 0);
        assert_int_equal(orm_query_new(&q, s, &TmoBig), 0);
        assert_int_equal(orm_query_cursor_bulk(q, &cur), 0);
    } else {
        assert_int_equal(
            orm_db_cursor(&cur, db, "SELECT id, payload FROM tmo_big", NULL, 0),
            0);
    }
    assert_int_equal(orm_cursor_next(cur, &row), ORM_ROW);
    for (int i = 0; i < 3000 && !test_trips_cut(net); i++) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    assert_true(test_trips_cut(net));
    if (!cursor_freed(cur))
        fail_msg("%s: freeing a stream did not return within 30 s with the "
                 "server gone",
                 dialect);
    /* The connection is known lost: the next call says so. */
    assert_int_equal(db_exec(db, "SELECT 1"), ORM_ECONNLOST);
    orm_query_free(q);
    orm_session_free(s);
    orm_db_free(db);
    test_trips_stop(net);
    assert_int_equal(db_exec(direct, "DROP TABLE tmo_big"), 0);
    orm_db_free(direct);
    free(proxied);
    free(url);
}

static void
test_timeout__stream_given_up_with_the_server_gone_postgresql(void **state)
{
    (void)state;
    stream_given_up_with_the_server_gone("postgresql", 0);
}

static void
test_timeout__copy_given_up_with_the_server_gone_postgresql(void **state)
{
    (void)state;
    stream_given_up_with_the_server_gone("postgresql", 1);
}

static void
test_timeout__stream_given_up_with_the_server_gone_mysql(void **state)
{
    (void)state;
    stream_given_up_with_the_server_gone("mysql", 0);
}

/* A stream given up halfway whose rows come slowly from a server that is
 * there (each row sleeps 2 s, so the rest would take minutes): the rest
 * is cancelled, not waited for (MariaDB: once it has not come within the
 * connect timeout), freeing returns, and the connection goes on working
 * without a reconnect. */
static void stream_given_up_with_a_slow_server(const char *dialect)
{
    char *url = dialect_url(dialect, "connect_timeout=2");
    orm_db *db = NULL;
    orm_cursor *cur = NULL;
    const orm_value *row;
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("%s: %s", dialect, orm_error_text(orm_db_error(db)));
    db_exec(db, "DROP TABLE IF EXISTS tmo_slow_rows");
    assert_int_equal(
        db_exec(db, strcmp(dialect, "postgresql") == 0
                        ? "CREATE TABLE tmo_slow_rows AS SELECT x AS id, "
                          "repeat('Zoë ' || x, 8000) AS payload "
                          "FROM generate_series(1, 100) x"
                        : "CREATE TABLE tmo_slow_rows AS SELECT seq AS id, "
                          "REPEAT(CONCAT('Zoë ', seq), 8000) AS payload "
                          "FROM seq_1_to_100"),
        0);
    assert_int_equal(
        orm_db_cursor(&cur, db,
                      strcmp(dialect, "postgresql") == 0
                          ? "SELECT id, payload, pg_sleep(2) IS NULL AS slept "
                            "FROM tmo_slow_rows"
                          : "SELECT id, payload, SLEEP(2) AS slept "
                            "FROM tmo_slow_rows",
                      NULL, 0),
        0);
    assert_int_equal(orm_cursor_next(cur, &row), ORM_ROW);
    if (!cursor_freed(cur))
        fail_msg("%s: freeing a slow stream did not return within 30 s",
                 dialect);
    /* Not lost: the next call works on the same connection. */
    assert_int_equal(db_exec(db, "SELECT 1"), 0);
    assert_int_equal(db_exec(db, "DROP TABLE tmo_slow_rows"), 0);
    orm_db_free(db);
    free(url);
}

static void
test_timeout__stream_given_up_with_a_slow_server_postgresql(void **state)
{
    (void)state;
    stream_given_up_with_a_slow_server("postgresql");
}

static void test_timeout__stream_given_up_with_a_slow_server_mysql(void **state)
{
    (void)state;
    stream_given_up_with_a_slow_server("mysql");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout__connect_postgresql),
        cmocka_unit_test(test_timeout__connect_mysql),
        cmocka_unit_test(test_timeout__connect_default_postgresql),
        cmocka_unit_test(test_timeout__connect_default_mysql),
        cmocka_unit_test(test_timeout__statement_postgresql),
        cmocka_unit_test(test_timeout__statement_mysql),
        cmocka_unit_test(test_timeout__statement_sqlite),
        cmocka_unit_test(test_timeout__commit_keeps_pending_postgresql),
        cmocka_unit_test(test_timeout__commit_keeps_pending_mysql),
        cmocka_unit_test(test_timeout__cancel_with_the_server_gone_postgresql),
        cmocka_unit_test(test_timeout__cancel_with_the_server_gone_mysql),
        cmocka_unit_test(
            test_timeout__stream_given_up_with_the_server_gone_postgresql),
        cmocka_unit_test(
            test_timeout__stream_given_up_with_the_server_gone_mysql),
        cmocka_unit_test(
            test_timeout__copy_given_up_with_the_server_gone_postgresql),
        cmocka_unit_test(
            test_timeout__stream_given_up_with_a_slow_server_postgresql),
        cmocka_unit_test(
            test_timeout__stream_given_up_with_a_slow_server_mysql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
