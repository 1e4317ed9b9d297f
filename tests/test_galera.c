/*
 * orb on a MariaDB Galera cluster: three nodes on loopback, started by
 * ctest's fixture `galera` (scripts/servers/galera.sh) under
 * scripts/with-servers.sh, whose ORB_TEST_GALERA_URLS names them.
 *
 * - browsing on one node shows what another node wrote, once refreshed;
 * - concurrent writers on all three nodes, each a guarded
 *   read-modify-write through the session, lose no update.
 *
 * Reads that must see every commit already made anywhere use a causal
 * read (wsrep_sync_wait) on the test's own checking connections; the
 * browsing test instead polls, as a user refreshing would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper_servers.h"
#include "internal.h"
#include "orm/orm.h"

#define NODES 3
static char node_url[NODES][1024];

static const orm_column item_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK | ORM_NO_AUTOINC},
    {.name = "label", .type = ORM_STRING, .length = 60},
    {.name = "qty", .type = ORM_INTEGER},
};
static const orm_model Item = ORM_MODEL("Item", "gal_items", item_columns);

static const orm_column counter_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK | ORM_NO_AUTOINC},
    {.name = "n", .type = ORM_INTEGER, .flags = ORM_NOT_NULL},
};
static const orm_model Counter =
    ORM_MODEL("Counter", "gal_counters", counter_columns);

/* ---- helpers ---- */

static void read_urls(void)
{
    const char *urls = test_server_url("ORB_TEST_GALERA_URLS");
    const char *p = urls;
    for (int i = 0; i < NODES; i++) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0 || n >= sizeof node_url[i])
            fail_msg("ORB_TEST_GALERA_URLS needs %d URLs: '%s'", NODES, urls);
        memcpy(node_url[i], p, n);
        node_url[i][n] = '\0';
        p += n;
    }
}

static orm_db *open_node(int node)
{
    orm_db *db = NULL;
    if (orm_db_open(&db, node_url[node], NULL) != 0)
        fail_msg("cannot open node %d: %s", node + 1,
                 db ? orm_error_text(orm_db_error(db)) : "?");
    assert_int_equal(orm_db_register(db, &Item), 0);
    assert_int_equal(orm_db_register(db, &Counter), 0);
    return db;
}

/* A checking connection: its reads wait until this node has applied
 * every commit the cluster made before them (a causal read). */
static orm_db *open_causal(int node)
{
    orm_db *db = open_node(node);
    if (db_exec(db, "SET SESSION wsrep_sync_wait = 1") != 0)
        fail_msg("wsrep_sync_wait: %s", orm_error_text(orm_db_error(db)));
    return db;
}

#define CHECK(s, call)                                                         \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ < 0)                                                           \
            fail_msg("%s failed (%s): %s", #call, orm_error_name(rc_),         \
                     orm_error_text(orm_session_error(s)));                    \
    } while (0)

static void set_text(orm_record *rec, const char *col, const char *text)
{
    orm_error err = ORM_ERROR_INIT;
    orm_value v = orm_value_text(text);
    if (orm_record_set(rec, col, &v, &err) != 0)
        fail_msg("set %s: %s", col, orm_error_text(&err));
    orm_error_clear(&err);
}

static void set_int(orm_record *rec, const char *col, int64_t n)
{
    orm_error err = ORM_ERROR_INIT;
    orm_value v = orm_value_int(n);
    if (orm_record_set(rec, col, &v, &err) != 0)
        fail_msg("set %s: %s", col, orm_error_text(&err));
    orm_error_clear(&err);
}

static const char *text_of(const orm_record *rec, const char *col)
{
    const orm_value *v = orm_record_get(rec, col);
    assert_non_null(v);
    assert_int_equal(v->kind, ORM_VTEXT);
    return v->u.s.ptr;
}

/* The record with this key as the database holds it now, pending
 * changes to it dropped (ORM_DONE: no such row). */
static int get_fresh(orm_session *s, const orm_model *m, int64_t id,
                     orm_record **out)
{
    orm_value key = orm_value_int(id);
    int rc = orm_session_get(s, m, &key, out);
    if (rc != ORM_ROW)
        return rc;
    rc = orm_session_refresh(s, *out);
    return rc == 0 ? ORM_ROW : rc == ORM_ENOTFOUND ? ORM_DONE : rc;
}

static orm_record *must_get(orm_session *s, const orm_model *m, int64_t id)
{
    orm_record *rec = NULL;
    int rc = get_fresh(s, m, id, &rec);
    if (rc != ORM_ROW)
        fail_msg("%s %lld: %s", m->name, (long long)id,
                 rc == ORM_DONE ? "no such row"
                                : orm_error_text(orm_session_error(s)));
    return rec;
}

/* One integer from SQL the test writes (information_schema, status). */
static int64_t scalar(orm_db *db, const char *sql)
{
    static const orm_column col = {.name = "v", .type = ORM_BIGINT};
    db_stmt st;
    orm_value v = orm_value_null();
    int64_t out = -1;
    if (db_stmt_acquire(db, sql, 0, 0, &st) != 0)
        fail_msg("%s: %s", sql, orm_error_text(orm_db_error(db)));
    if (db_stmt_step(db, &st) == ORM_ROW &&
        db_stmt_column(db, &st, 0, &col, &v) == 0 && v.kind == ORM_VINT)
        out = v.u.i;
    orm_value_clear(&v);
    db_stmt_release(db, &st);
    return out;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls give up after this long: only a broken cluster takes it. */
#define POLL_DEADLINE_S 60.0

/* Fresh tables (DDL runs on every node in the same order), two items. */
static int setup(void **state)
{
    (void)state;
    read_urls();
    orm_db *db = open_node(0);
    orm_session *s = NULL;
    if (orm_db_drop_all(db) != 0 || orm_db_create_all(db) != 0)
        fail_msg("tables: %s", orm_error_text(orm_db_error(db)));
    assert_int_equal(orm_session_new(&s, db), 0);
    static const char *const labels[] = {"Äpfel", "Birnen"};
    for (int i = 0; i < 2; i++) {
        orm_record *rec = NULL;
        assert_int_equal(orm_record_new(&rec, &Item), 0);
        set_int(rec, "id", i + 1);
        set_text(rec, "label", labels[i]);
        set_int(rec, "qty", i + 1);
        CHECK(s, orm_session_add(s, rec));
    }
    orm_record *c = NULL;
    assert_int_equal(orm_record_new(&c, &Counter), 0);
    set_int(c, "id", 1);
    set_int(c, "n", 0);
    CHECK(s, orm_session_add(s, c));
    CHECK(s, orm_session_commit(s));
    orm_session_free(s);
    orm_db_free(db);
    return 0;
}

/* Every node takes queries again, whatever a failed test left. */
static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NODES; i++) {
        orm_db *db = NULL;
        if (orm_db_open(&db, node_url[i], NULL) == 0)
            db_exec(db, "SET GLOBAL wsrep_reject_queries = NONE");
        orm_db_free(db);
    }
    return 0;
}

/* ---- browsing one node while another writes ---- */

static int64_t item_count(orm_session *s)
{
    orm_query *q = NULL;
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, s, &Item), 0);
    if (orm_query_count(q, &n) != 0)
        fail_msg("count: %s", orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    return n;
}

static void
test_galera__browse_on_one_node_shows_writes_of_another(void **state)
{
    (void)state;
    orm_db *db1 = open_node(0), *db2 = open_causal(1);
    orm_session *browser = NULL, *writer = NULL;
    assert_int_equal(orm_session_new(&browser, db1), 0);
    assert_int_equal(orm_session_new(&writer, db2), 0);

    orm_record *seen = must_get(browser, &Item, 1);
    assert_string_equal(text_of(seen, "label"), "Äpfel");
    assert_int_equal(item_count(browser), 2);

    orm_record *w = must_get(writer, &Item, 1);
    set_text(w, "label", "ÄPFEL aus Knoten 2");
    orm_record *added = NULL;
    assert_int_equal(orm_record_new(&added, &Item), 0);
    set_int(added, "id", 3);
    set_text(added, "label", "Çà et là");
    set_int(added, "qty", 3);
    CHECK(writer, orm_session_add(writer, added));
    CHECK(writer, orm_session_commit(writer));

    /* The browser refreshes, as a user pressing the key again would,
     * until node 1 has applied node 2's commit. */
    double deadline = now_s() + POLL_DEADLINE_S;
    while (item_count(browser) < 3 ||
           strcmp(text_of(must_get(browser, &Item, 1), "label"),
                  "ÄPFEL aus Knoten 2") != 0) {
        if (now_s() > deadline)
            fail_msg("node 1 never showed node 2's commit");
        pause_ms(20);
    }
    assert_string_equal(text_of(must_get(browser, &Item, 3), "label"),
                        "Çà et là");
    orm_session_free(writer);
    orm_session_free(browser);
    orm_db_free(db2);
    orm_db_free(db1);
}

/* ---- concurrent writers on every node ---- */

#define WRITERS    6
#define INCREMENTS 15

/*
 * One writer process: INCREMENTS guarded read-modify-write increments of
 * the counter through its own session on `node`, each retried (re-read)
 * when the guard or certification refuses it. Exits with the number of
 * successful commits; 255 on an unexpected error.
 */
static void writer(int node, int id)
{
    orm_db *db = NULL;
    orm_session *s = NULL;
    int done = 0, refused = 0;
    if (orm_db_open(&db, node_url[node], NULL) != 0 ||
        orm_db_register(db, &Counter) != 0 || orm_session_new(&s, db) != 0)
        _exit(255);
    for (int attempt = 0; done < INCREMENTS && attempt < 100 * INCREMENTS;
         attempt++) {
        orm_record *c = NULL;
        if (get_fresh(s, &Counter, 1, &c) != ORM_ROW)
            _exit(255);
        orm_value next = orm_value_int(orm_record_get(c, "n")->u.i + 1);
        if (orm_record_set(c, "n", &next, NULL) != 0)
            _exit(255);
        int rc = orm_session_commit(s);
        if (rc == 0) {
            done++;
        } else if (rc == ORM_ECONFLICT || rc == ORM_EBUSY) {
            refused++;
        } else {
            fprintf(stderr, "writer %d: %s\n", id,
                    orm_error_text(orm_session_error(s)));
            _exit(255);
        }
    }
    fprintf(stderr, "writer %d on node %d: %d commits, %d refused\n", id,
            node + 1, done, refused);
    fflush(stderr);
    _exit(done);
}

static void
test_galera__concurrent_writers_on_all_nodes_lose_no_update(void **state)
{
    (void)state;
    pid_t pids[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            writer(i % NODES, i);
    }
    int64_t committed = 0;
    for (int i = 0; i < WRITERS; i++) {
        int status = 0;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
            ;
        assert_true(WIFEXITED(status));
        assert_int_not_equal(WEXITSTATUS(status), 255);
        committed += WEXITSTATUS(status);
    }
    assert_int_equal(committed, WRITERS * INCREMENTS);
    /* Every node, once caught up, holds every increment. */
    for (int node = 0; node < NODES; node++) {
        orm_db *db = open_causal(node);
        assert_int_equal(scalar(db, "SELECT n FROM gal_counters WHERE id = 1"),
                         committed);
        orm_db_free(db);
    }
}

int main(void)
{
    if (test_servers_skipped("test_galera"))
        return TEST_SERVERS_SKIPPED;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_galera__browse_on_one_node_shows_writes_of_another, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_galera__concurrent_writers_on_all_nodes_lose_no_update, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
