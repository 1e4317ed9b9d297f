/*
 * orb on a MariaDB Galera cluster: three nodes on loopback, started by
 * ctest's fixture `galera` (scripts/servers/galera.sh) under
 * scripts/with-servers.sh, whose ORB_TEST_GALERA_URLS names them.
 *
 * - browsing on one node shows what another node wrote at the first
 *   refresh after its commit (orb's reads are causal: wsrep_sync_wait);
 * - a commit that loses certification to a concurrent commit on another
 *   node keeps every pending change, says so in plain words and is tried
 *   again only when the user commits again (then, if the other node
 *   changed the same values, the guard reports a conflict);
 * - a node that does not take queries (WSREP not ready) says so and
 *   keeps the changes;
 * - concurrent writers on all three nodes, each a guarded
 *   read-modify-write through the session, lose no update.
 *
 * orb sets wsrep_sync_wait = 1 on its own connections; the test's
 * checking connections ask for it again (open_causal) so that what they
 * check does not rest on what they test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper_run.h"
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

static int64_t int_of(const orm_record *rec, const char *col)
{
    const orm_value *v = orm_record_get(rec, col);
    assert_non_null(v);
    assert_int_equal(v->kind, ORM_VINT);
    return v->u.i;
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
    int rc = db_stmt_step(db, &st);
    if (rc == ORM_ROW && db_stmt_column(db, &st, 0, &col, &v) == 0 &&
        v.kind == ORM_VINT)
        out = v.u.i;
    else if (rc < 0)
        fail_msg("%s: %s", sql, orm_error_text(orm_db_error(db)));
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

    /* The browser's first refresh after the commit shows it: its reads
     * wait until node 1 has applied what the cluster committed before
     * them (without that, node 1 may not have applied it yet). */
    assert_int_equal(scalar(db1, "SELECT @@session.wsrep_sync_wait"), 1);
    assert_int_equal(item_count(browser), 3);
    assert_string_equal(text_of(must_get(browser, &Item, 1), "label"),
                        "ÄPFEL aus Knoten 2");
    assert_string_equal(text_of(must_get(browser, &Item, 3), "label"),
                        "Çà et là");
    orm_session_free(writer);
    orm_session_free(browser);
    orm_db_free(db2);
    orm_db_free(db1);
}

/* ---- a commit that loses certification ---- */

/*
 * Node 1's session opens its transaction (orm_session_begin), reads both
 * items, changes their labels, and its transaction writes item 1 (the
 * row lock and the write-set key are node 1's from then on). Node 2 then
 * commits a change to item 1 (`column` = `value`): it is certified first.
 * Node 1's commit must lose whichever way Galera gets there, without any
 * lock wait: when node 1 applies node 2's write set before the commit,
 * that brute-force aborts node 1's open transaction; when the commit
 * comes first, its write set, which saw nothing of node 2's and writes
 * the same row, fails certification. Either is MariaDB's error 1213.
 * Returns node 1's commit status with the sessions and connections in *r
 * for the test to go on with.
 */
typedef struct race {
    orm_db *db1, *db2;
    orm_session *a, *b;
    orm_record *a1, *a2;
    int rc;
} race;

static void race_lose(race *r, const char *column, const char *value)
{
    r->db1 = open_node(0);
    r->db2 = open_causal(1);
    assert_int_equal(orm_session_new(&r->a, r->db1), 0);
    assert_int_equal(orm_session_new(&r->b, r->db2), 0);
    CHECK(r->a, orm_session_begin(r->a));
    r->a1 = must_get(r->a, &Item, 1);
    r->a2 = must_get(r->a, &Item, 2);
    set_text(r->a1, "label", "Äpfel, von Knoten 1");
    set_text(r->a2, "label", "Birnen, von Knoten 1");
    /* A real change (not qty = qty): the transaction is a writer of item
     * 1 in Galera's eyes. It is never committed: the transaction loses,
     * and the assertions below would see the +100 if it did not. */
    if (db_exec(r->db1, "UPDATE gal_items SET qty = qty + 100 WHERE id = 1"))
        fail_msg("node 1's write: %s", orm_error_text(orm_db_error(r->db1)));

    orm_record *b1 = must_get(r->b, &Item, 1);
    if (strcmp(column, "qty") == 0)
        set_int(b1, column, atoi(value));
    else
        set_text(b1, column, value);
    CHECK(r->b, orm_session_commit(r->b));

    r->rc = orm_session_commit(r->a);
    /* Node 1 has applied node 2's commit once a causal read returns. */
    orm_db *causal1 = open_causal(0);
    assert_int_equal(scalar(causal1, "SELECT COUNT(*) FROM gal_items"), 2);
    orm_db_free(causal1);
}

static void race_free(race *r)
{
    orm_session_free(r->b);
    orm_session_free(r->a);
    orm_db_free(r->db2);
    orm_db_free(r->db1);
}

static void assert_lost_certification(race *r)
{
    const char *msg = orm_error_text(orm_session_error(r->a));
    if (r->rc != ORM_EBUSY)
        fail_msg("commit gave %s: %s", orm_error_name(r->rc), msg);
    if (!strstr(msg, "another node changed these rows at the same time; "
                     "nothing was written; your changes are kept — commit "
                     "again to retry"))
        fail_msg("unclear message: %s", msg);
    /* Every pending change is kept, as it was. */
    assert_int_equal(orm_session_pending_count(r->a), 2);
    assert_int_equal(orm_record_state_of(r->a1), ORM_RECORD_DIRTY);
    assert_string_equal(text_of(r->a1, "label"), "Äpfel, von Knoten 1");
    assert_string_equal(text_of(r->a2, "label"), "Birnen, von Knoten 1");
    /* Nothing of it reached the database, and nothing retried it. */
    assert_string_equal(text_of(must_get(r->b, &Item, 2), "label"), "Birnen");
}

static void
test_galera__lost_certification_keeps_changes_until_asked(void **state)
{
    (void)state;
    race r = {0};
    race_lose(&r, "qty", "10");
    assert_lost_certification(&r);
    orm_record *b1 = must_get(r.b, &Item, 1);
    assert_string_equal(text_of(b1, "label"), "Äpfel");
    assert_int_equal(int_of(b1, "qty"), 10);

    /* The user commits again: node 2 changed another column, so the
     * guards hold and both changes are kept. */
    CHECK(r.a, orm_session_commit(r.a));
    assert_int_equal(orm_session_pending_count(r.a), 0);
    b1 = must_get(r.b, &Item, 1);
    assert_string_equal(text_of(b1, "label"), "Äpfel, von Knoten 1");
    assert_int_equal(int_of(b1, "qty"), 10);
    assert_string_equal(text_of(must_get(r.b, &Item, 2), "label"),
                        "Birnen, von Knoten 1");
    race_free(&r);
}

static void
test_galera__lost_certification_then_changed_rows_is_a_conflict(void **state)
{
    (void)state;
    race r = {0};
    race_lose(&r, "label", "Äpfel, von Knoten 2");
    assert_lost_certification(&r);

    /* Committing again finds the value the user saw replaced: the
     * conflict (and its screen) takes over, still nothing written. */
    int rc = orm_session_commit(r.a);
    if (rc != ORM_ECONFLICT)
        fail_msg("second commit gave %s: %s", orm_error_name(rc),
                 orm_error_text(orm_session_error(r.a)));
    assert_ptr_equal(orm_session_failed_record(r.a), r.a1);
    assert_int_equal(orm_session_pending_count(r.a), 2);
    assert_string_equal(text_of(must_get(r.b, &Item, 1), "label"),
                        "Äpfel, von Knoten 2");
    assert_string_equal(text_of(must_get(r.b, &Item, 2), "label"), "Birnen");
    race_free(&r);
}

/* ---- a node that refuses queries ---- */

static void test_galera__node_refusing_queries_keeps_changes(void **state)
{
    (void)state;
    orm_db *db3 = open_node(2), *admin = open_node(2), *check = open_causal(0);
    orm_session *s = NULL;
    assert_int_equal(orm_session_new(&s, db3), 0);
    orm_record *rec = NULL;
    double deadline = now_s() + POLL_DEADLINE_S;
    while (get_fresh(s, &Item, 1, &rec) != ORM_ROW) {
        if (now_s() > deadline)
            fail_msg("node 3 never showed item 1");
        pause_ms(20);
    }
    set_text(rec, "label", "Äpfel über Knoten 3");

    /* What a node answers while it is joining, desynchronised or cut
     * off from the cluster's primary component. */
    if (db_exec(admin, "SET GLOBAL wsrep_reject_queries = ALL") != 0)
        fail_msg("reject: %s", orm_error_text(orm_db_error(admin)));
    int rc = orm_session_commit(s);
    const char *msg = orm_error_text(orm_session_error(s));
    if (rc != ORM_EBUSY)
        fail_msg("commit gave %s: %s", orm_error_name(rc), msg);
    if (!strstr(msg, "this node of the cluster is not taking queries") ||
        !strstr(msg, "nothing was written; your changes are kept — commit "
                     "again to retry"))
        fail_msg("unclear message: %s", msg);
    assert_int_equal(orm_session_pending_count(s), 1);
    assert_string_equal(text_of(rec, "label"), "Äpfel über Knoten 3");

    if (db_exec(admin, "SET GLOBAL wsrep_reject_queries = NONE") != 0)
        fail_msg("accept: %s", orm_error_text(orm_db_error(admin)));
    CHECK(s, orm_session_commit(s));
    orm_session *cs = NULL;
    assert_int_equal(orm_session_new(&cs, check), 0);
    assert_string_equal(text_of(must_get(cs, &Item, 1), "label"),
                        "Äpfel über Knoten 3");
    orm_session_free(cs);
    orm_session_free(s);
    orm_db_free(check);
    orm_db_free(admin);
    orm_db_free(db3);
}

/* ---- concurrent writers on every node ---- */

#define WRITERS    6
#define INCREMENTS 15

/*
 * One writer process: INCREMENTS guarded read-modify-write increments of
 * the counter through its own session on `node`, each retried (re-read)
 * when the guard or certification refuses it, and a read retried when the
 * cluster answers with a transient error (ORM_EBUSY: a deadlock, a lock
 * or causal-read wait timed out, the node not ready). Exits with the
 * number of successful commits, or 255 after writing why to `report`
 * (a pipe the test reads: the failure shows in the test's message).
 */
static void writer(int node, int id, int report)
{
    orm_db *db = NULL;
    orm_session *s = NULL;
    int done = 0, refused = 0, retried_reads = 0;
    const char *step = "open";
    if (orm_db_open(&db, node_url[node], NULL) != 0 ||
        orm_db_register(db, &Counter) != 0 || orm_session_new(&s, db) != 0)
        goto failed;
    for (int attempt = 0; done < INCREMENTS && attempt < 100 * INCREMENTS;
         attempt++) {
        orm_record *c = NULL;
        int rc = get_fresh(s, &Counter, 1, &c);
        if (rc == ORM_EBUSY) {
            retried_reads++;
            continue;
        }
        step = "read";
        if (rc != ORM_ROW)
            goto failed;
        const orm_value *n = orm_record_get(c, "n");
        step = "read a counter without a number";
        if (!n || n->kind != ORM_VINT)
            goto failed;
        orm_value next = orm_value_int(n->u.i + 1);
        step = "set";
        if (orm_record_set(c, "n", &next, NULL) != 0)
            goto failed;
        rc = orm_session_commit(s);
        step = "commit";
        if (rc == 0)
            done++;
        else if (rc == ORM_ECONFLICT || rc == ORM_EBUSY)
            refused++;
        else
            goto failed;
    }
    dprintf(report,
            "writer %d on node %d: %d commits, %d refused, %d reads "
            "retried\n",
            id, node + 1, done, refused, retried_reads);
    _exit(done);
failed:
    dprintf(report, "writer %d on node %d failed at %s after %d commits: %s\n",
            id, node + 1, step, done,
            s    ? orm_error_text(orm_session_error(s))
            : db ? orm_error_text(orm_db_error(db))
                 : "cannot open");
    _exit(255);
}

static void
test_galera__concurrent_writers_on_all_nodes_lose_no_update(void **state)
{
    (void)state;
    pid_t pids[WRITERS];
    int reports[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(fds[0]);
            writer(i % NODES, i, fds[1]);
        }
        close(fds[1]);
        reports[i] = fds[0];
    }
    int64_t committed = 0;
    orm_buf text = ORM_BUF_INIT;
    int failed = 0;
    for (int i = 0; i < WRITERS; i++) {
        int status = 0;
        char *report = run_fd_read(reports[i]);
        close(reports[i]);
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
            ;
        orm_buf_append(&text, report);
        if (!WIFEXITED(status) || WEXITSTATUS(status) == 255) {
            failed = 1;
            if (!WIFEXITED(status))
                orm_buf_appendf(&text, "writer %d: killed by signal %d\n", i,
                                WTERMSIG(status));
        } else {
            committed += WEXITSTATUS(status);
        }
        free(report);
    }
    fputs(orm_buf_str(&text) ? orm_buf_str(&text) : "", stderr);
    if (failed)
        fail_msg("a writer failed:\n%s", orm_buf_str(&text));
    orm_buf_free(&text);
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
            test_galera__lost_certification_keeps_changes_until_asked, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_galera__lost_certification_then_changed_rows_is_a_conflict,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_galera__node_refusing_queries_keeps_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_galera__concurrent_writers_on_all_nodes_lose_no_update, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
