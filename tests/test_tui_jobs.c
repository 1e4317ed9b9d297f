/*
 * Keys on the worker thread (tui/core/jobs.c): while a cancel travels to
 * the server (PostgreSQL's PQcancel connects, MariaDB's KILL QUERY logs
 * in), the terminal loop keeps reading keys and drawing. The database is
 * the TUI fixture's SQLite file with a slow view; its driver is SQLite's
 * with a cancel that takes as long as the loop needs to read the
 * terminal five more times (at most 10 s), then interrupts the query. A
 * loop that waited for the cancel would read nothing meanwhile.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "internal.h"
#include "jobs.h"
#include "test_tui_fixture.h"

static orm_driver slow_cancel_driver;
static tui_screen_ops counting_ops;
static const tui_screen_ops *mem_ops;
static atomic_long reads;  /* the loop's looks at the terminal */
static atomic_int cancels; /* cancels that arrived */
static atomic_int stalled; /* a cancel saw the loop stop reading */
static int esc_given;

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The terminal: Esc at the first look, then nothing. */
static int counting_read(tui_screen *scr, int timeout_ms, tui_event *out)
{
    (void)scr;
    atomic_fetch_add(&reads, 1);
    if (!esc_given) {
        esc_given = 1;
        memset(out, 0, sizeof *out);
        out->key = TUI_KEY_ESC;
        return 1;
    }
    pause_ms(timeout_ms > 0 ? timeout_ms : 1);
    return 0;
}

/* The first cancel (Esc's, while the view is read) travels until the
 * loop has looked at the terminal five more times; the repeats that
 * follow it until the work returns go straight through. */
static int slow_cancel(orm_conn *conn, orm_error *err)
{
    if (atomic_fetch_add(&cancels, 1) == 0) {
        long start = atomic_load(&reads);
        for (int i = 0; i < 10000 && atomic_load(&reads) < start + 5; i++)
            pause_ms(1);
        if (atomic_load(&reads) < start + 5)
            atomic_store(&stalled, 1);
    }
    return orm_driver_sqlite.cancel(conn, err);
}

static void test_jobs__the_loop_reads_keys_while_a_cancel_travels(void **state)
{
    (void)state;
    tui_fixture fx;
    orm_model *slow = NULL;
    fx_open_db(&fx, 20);
    /* Slow once slow_limit says so: the models screen counts it first. */
    fx_check(orm_db_execute(fx.db, "CREATE TABLE slow_limit (lim INTEGER)",
                            NULL, 0, NULL),
             fx.db, "table");
    fx_check(orm_db_execute(fx.db, "INSERT INTO slow_limit VALUES (1)", NULL, 0,
                            NULL),
             fx.db, "insert");
    fx_check(orm_db_execute(fx.db,
                            "CREATE VIEW slow_count AS WITH RECURSIVE "
                            "c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                            "WHERE x < (SELECT lim FROM slow_limit)) "
                            "SELECT count(*) AS n, 'Zählung' AS label FROM c",
                            NULL, 0, NULL),
             fx.db, "view");
    fx_check(orm_db_reflect(fx.db, "slow_count", &slow), fx.db, "reflect");
    fx_check(orm_db_register(fx.db, slow), fx.db, "register");
    slow_cancel_driver = *fx.db->driver;
    slow_cancel_driver.cancel = slow_cancel;
    fx.db->driver = &slow_cancel_driver;
    fx_start(&fx, 30, 120);
    mem_ops = fx.scr->ops;
    counting_ops = *mem_ops;
    counting_ops.read = counting_read;
    fx.scr->ops = &counting_ops;

    fx_send(&fx, "/slow_count");
    fx_check(orm_db_execute(fx.db, "UPDATE slow_limit SET lim = 1000000000",
                            NULL, 0, NULL),
             fx.db, "slow");
    tui_jobs *jobs = NULL;
    assert_int_equal(tui_jobs_new(&jobs), 0);
    tui_event enter = {.key = TUI_KEY_ENTER};
    tui_jobs_key(jobs, fx.app, &enter); /* opens the view: Esc stops it */
    tui_jobs_free(jobs);

    assert_true(atomic_load(&cancels) >= 1);
    if (atomic_load(&stalled))
        fail_msg("the terminal loop read nothing while a cancel was on "
                 "its way");
    tui_app_draw(fx.app);
    fx_assert_shows(&fx, "cancelled: the screen is as it was before");
    fx.scr->ops = mem_ops;
    fx_close(&fx);
}

/* ---- the loop's thread never waits for the database ----
 *
 * The driver below is SQLite's with a step that notes every statement
 * run on the loop's thread (the test's own) while the test watches: a
 * draw, or a key kept on that thread. Such a statement would freeze the
 * terminal with Esc unread; the guard stops it (cancelling until it
 * returns) so that the test fails instead of hanging. */
static orm_driver guard_driver;
static pthread_t loop_thread;
static atomic_int watching;
static atomic_int loop_statements;
static atomic_int step_over;
static orm_db *guarded_db;

static void *keep_cancelling(void *payload)
{
    (void)payload;
    while (!atomic_load(&step_over)) {
        orm_db_cancel(guarded_db, NULL);
        pause_ms(1);
    }
    return NULL;
}

static int guard_step(orm_stmt *st)
{
    pthread_t stopper;
    if (!atomic_load(&watching) || !pthread_equal(pthread_self(), loop_thread))
        return orm_driver_sqlite.step(st);
    atomic_fetch_add(&loop_statements, 1);
    atomic_store(&step_over, 0);
    int started = pthread_create(&stopper, NULL, keep_cancelling, NULL) == 0;
    int rc = orm_driver_sqlite.step(st);
    atomic_store(&step_over, 1);
    if (started)
        pthread_join(stopper, NULL);
    return rc;
}

/* A view of `lim` rows ("Zeile 01", ...), where lim is slow_limit's: with
 * a billion, any page of it (ordered by every column: a view pages by
 * offset) takes until it is cancelled. */
static void slow_rows_open(tui_fixture *fx, int rows, int cols)
{
    orm_model *slow = NULL;
    fx_open_db(fx, 20);
    fx_check(orm_db_execute(fx->db, "CREATE TABLE slow_limit (lim INTEGER)",
                            NULL, 0, NULL),
             fx->db, "table");
    fx_check(orm_db_execute(fx->db, "INSERT INTO slow_limit VALUES (40)", NULL,
                            0, NULL),
             fx->db, "insert");
    fx_check(orm_db_execute(fx->db,
                            "CREATE VIEW slow_rows AS WITH RECURSIVE "
                            "c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                            "WHERE x < (SELECT lim FROM slow_limit)) "
                            "SELECT printf('%02d', x) AS n, "
                            "printf('Zeile %02d', x) AS label FROM c",
                            NULL, 0, NULL),
             fx->db, "view");
    fx_check(orm_db_reflect(fx->db, "slow_rows", &slow), fx->db, "reflect");
    fx_check(orm_db_register(fx->db, slow), fx->db, "register");
    guard_driver = *fx->db->driver;
    guard_driver.step = guard_step;
    fx->db->driver = &guard_driver;
    guarded_db = fx->db;
    loop_thread = pthread_self();
    atomic_store(&loop_statements, 0);
    fx_start(fx, rows, cols);
    mem_ops = fx->scr->ops;
    counting_ops = *mem_ops;
    counting_ops.read = counting_read;
    fx->scr->ops = &counting_ops;
}

static void slow_limit_set(tui_fixture *fx, const char *lim)
{
    char sql[80];
    snprintf(sql, sizeof sql, "UPDATE slow_limit SET lim = %s", lim);
    fx_check(orm_db_execute(fx->db, sql, NULL, 0, NULL), fx->db, "limit");
}

/* One key as the terminal loop handles it: on the worker, Esc read from
 * the terminal at the first look (esc 1) or nothing read (esc 0); then
 * the screen drawn on this thread, watched. */
static void loop_key(tui_fixture *fx, int key, int esc)
{
    tui_jobs *jobs = NULL;
    tui_event ev = {.key = key};
    esc_given = !esc;
    atomic_store(&watching, 1);
    assert_int_equal(tui_jobs_new(&jobs), 0);
    tui_jobs_key(jobs, fx->app, &ev);
    tui_jobs_free(jobs);
    tui_app_draw(fx->app);
    atomic_store(&watching, 0);
    if (atomic_load(&loop_statements))
        fx_dump_fail(fx, "the loop's thread ran a statement (Esc unread)", "");
}

static void test_jobs__esc_stops_the_rows_a_bigger_screen_needs(void **state)
{
    (void)state;
    tui_fixture fx;
    slow_rows_open(&fx, 12, 100);
    fx_send(&fx, "/slow_rows<Enter>");
    fx_assert_shows(&fx, "Zeile 09");
    fx_assert_not_shows(&fx, "Zeile 25");

    /* The terminal grows while the table became slow: the rows the
     * bigger screen needs are read as the resize's work, Esc stops it
     * and the rows read before stay on the screen. */
    slow_limit_set(&fx, "1000000000");
    assert_int_equal(tui_screen_resize(fx.scr, 30, 100), 0);
    loop_key(&fx, TUI_KEY_RESIZE, 1);
    fx_assert_shows(&fx, "cancelled: the screen is as it was before");
    fx_assert_shows(&fx, "Zeile 09");
    fx_assert_not_shows(&fx, "Zeile 25");

    /* Still usable: the next key reads them. */
    slow_limit_set(&fx, "40");
    loop_key(&fx, 'j', 0);
    fx_assert_shows(&fx, "Zeile 25");
    fx_assert_not_shows(&fx, "cancelled");
    fx.scr->ops = mem_ops;
    fx_close(&fx);
}

/* A form shows what a typed foreign key refers to: looked up between
 * keys, never by the draw. */
static void test_jobs__a_form_draw_asks_the_database_nothing(void **state)
{
    (void)state;
    tui_fixture fx;
    tui_event two = {.key = '2'};
    slow_rows_open(&fx, 24, 120);
    fx_send(&fx, "/orders<Enter>a");
    tui_app_key(fx.app, &two); /* customer_id 2 */
    atomic_store(&watching, 1);
    tui_app_draw(fx.app);
    atomic_store(&watching, 0);
    if (atomic_load(&loop_statements))
        fx_dump_fail(&fx, "the form's draw ran a statement", "");
    tui_app_settle(fx.app);
    tui_app_draw(fx.app);
    fx_assert_shows(&fx, "Bob");
    fx.scr->ops = mem_ops;
    fx_close(&fx);
}

/* The draw after `key` (a name or one character) and after the
 * background work that follows it runs no statement. */
static void watched_key(tui_fixture *fx, const char *key)
{
    tui_event ev = {.key = strlen(key) == 1 ? key[0] : tui_key_parse(key)};
    assert_true(ev.key > 0);
    tui_app_key(fx->app, &ev);
    for (int settled = 0; settled < 2; settled++) {
        atomic_store(&watching, 1);
        tui_app_draw(fx->app);
        atomic_store(&watching, 0);
        if (atomic_load(&loop_statements))
            fx_dump_fail(fx, "a draw ran a statement, after the key", key);
        tui_app_settle(fx->app);
    }
}

/* Every screen's draw shows what is held: the rows, a record, what
 * refers to it, a summary, the builder, the saved filters, help, the
 * messages, and the rows again at another size. */
static void test_jobs__no_screen_draw_asks_the_database(void **state)
{
    (void)state;
    tui_fixture fx;
    static const char *const keys[] = {
        "/",     "C-u",    "c",     "u",   "s",   "t",   "Enter", "j",
        "Enter", "b",      "Enter", "q",   "q",   "q",   "i",     "q",
        "f",     "Esc",    "F",     "Esc", "G",   "?",   "q",     "C-g",
        "q",     "Resize", "g",     "q",   "/",   "C-u", "o",     "r",
        "d",     "Enter",  "a",     "2",   "C-p", "Esc", "Esc",   "y"};
    slow_rows_open(&fx, 24, 120);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(keys[i], "Resize") == 0)
            assert_int_equal(tui_screen_resize(fx.scr, 40, 90), 0);
        watched_key(&fx, keys[i]);
    }
    fx.scr->ops = mem_ops;
    fx_close(&fx);
}

/* A form's keys run as every key does (only $EDITOR's stays on the
 * loop's thread): Esc stops the picker's first read over a slow table,
 * and the form is left as it was, still taking keys. */
static void test_jobs__esc_stops_a_form_key_that_reads(void **state)
{
    (void)state;
    tui_fixture fx;
    orm_model *picks = NULL;
    slow_rows_open(&fx, 24, 120);
    fx_check(orm_db_execute(fx.db,
                            "CREATE TABLE picks (id INTEGER PRIMARY KEY, "
                            "n TEXT REFERENCES slow_rows (n))",
                            NULL, 0, NULL),
             fx.db, "picks");
    fx_check(orm_db_reflect(fx.db, "picks", &picks), fx.db, "reflect");
    fx_check(orm_db_register(fx.db, picks), fx.db, "register");
    tui_app_close_views(fx.app); /* the models screen again, with picks */
    fx_check(tui_app_start(fx.app), NULL, "start");
    fx_send(&fx, "/picks<Enter>a");
    fx_assert_shows(&fx, "FK \xE2\x86\x92 slow_rows.n");
    tui_event editor = {.key = tui_key_parse("C-e")};
    tui_event enter = {.key = TUI_KEY_ENTER};
    assert_true(tui_app_key_takes_terminal(fx.app, &editor));
    assert_false(tui_app_key_takes_terminal(fx.app, &enter));
    slow_limit_set(&fx, "1000000000");
    loop_key(&fx, TUI_KEY_ENTER, 1); /* the picker: Esc stops its read */
    fx_assert_shows(&fx, "cancelled: the screen is as it was before");
    fx_assert_shows(&fx, "FK \xE2\x86\x92 slow_rows.n");
    loop_key(&fx, '7', 0);
    fx_assert_shows(&fx, "[7");
    fx.scr->ops = mem_ops;
    fx_close(&fx);
}

/* ---- switching the database while a cancel may be on its way ----
 *
 * "closelite": SQLite's driver under another URL scheme, counting its
 * connections closed. */
static orm_driver closelite_driver;
static atomic_int closed;

static void closelite_close(orm_conn *conn)
{
    atomic_fetch_add(&closed, 1);
    orm_driver_sqlite.close(conn);
}

/* A database switched away from is closed at once (a cancel from the
 * loop's thread meets the database in use, under the app's lock), not
 * kept open until the next switch. */
static void test_jobs__a_switch_closes_the_database_it_leaves(void **state)
{
    (void)state;
    tui_fixture fx;
    char keys[300];
    orm_error err = ORM_ERROR_INIT;
    fx_open_db(&fx, 20);
    closelite_driver = orm_driver_sqlite;
    closelite_driver.name = "closelite";
    closelite_driver.close = closelite_close;
    if (orm_driver_register(&closelite_driver, &err) != 0)
        fail_msg("register: %s", orm_error_text(&err));
    fx_start(&fx, 24, 120);
    snprintf(keys, sizeof keys, "Ocloselite://%s<Enter>",
             strstr(fx.url, ":///") + 3);
    fx_send(&fx, keys);
    fx_assert_shows(&fx, "now on closelite:///");
    assert_int_equal(atomic_load(&closed), 0);
    orm_db *first = fx.app->db;
    fx_send(&fx, keys); /* and again: the first switched to is left */
    fx_assert_shows(&fx, "now on closelite:///");
    assert_ptr_not_equal(fx.app->db, first);
    assert_int_equal(atomic_load(&closed), 1);
    fx_send(&fx, "/items<Enter>");
    fx_assert_shows(&fx, "item-07919");
    fx_close(&fx);
}

/* "stallite": SQLite's driver whose listing of the tables waits until
 * it is cancelled (at most 10 s, then fails: the test then fails, it
 * does not hang). */
static orm_driver stallite_driver;
static atomic_int stall_cancelled;

static int stallite_cancel(orm_conn *conn, orm_error *err)
{
    atomic_store(&stall_cancelled, 1);
    return orm_driver_sqlite.cancel(conn, err);
}

static int stallite_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    for (int i = 0; i < 10000 && !atomic_load(&stall_cancelled); i++)
        pause_ms(1);
    (void)out;
    (void)count;
    return orm_conn_error(conn, ORM_ECANCELLED, "statement cancelled");
}

/* Esc while a switch reads the new database's tables stops it: nothing
 * switched, the database before still in use. */
static void test_jobs__esc_stops_a_switch_reading_the_tables(void **state)
{
    (void)state;
    tui_fixture fx;
    char keys[300];
    orm_error err = ORM_ERROR_INIT;
    fx_open_db(&fx, 20);
    stallite_driver = orm_driver_sqlite;
    stallite_driver.name = "stallite";
    stallite_driver.cancel = stallite_cancel;
    stallite_driver.list_tables = stallite_list_tables;
    if (orm_driver_register(&stallite_driver, &err) != 0)
        fail_msg("register: %s", orm_error_text(&err));
    atomic_store(&loop_statements, 0);
    fx_start(&fx, 24, 120);
    mem_ops = fx.scr->ops;
    counting_ops = *mem_ops;
    counting_ops.read = counting_read;
    fx.scr->ops = &counting_ops;
    snprintf(keys, sizeof keys, "Ostallite://%s", strstr(fx.url, ":///") + 3);
    fx_send(&fx, keys);
    loop_key(&fx, TUI_KEY_ENTER, 1);
    assert_true(atomic_load(&stall_cancelled));
    fx_assert_shows(&fx, "cancelled: the screen is as it was before");
    assert_ptr_equal(fx.app->db, fx.db);
    fx_send(&fx, "/items<Enter>");
    fx_assert_shows(&fx, "item-07919");
    fx.scr->ops = mem_ops;
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs__the_loop_reads_keys_while_a_cancel_travels),
        cmocka_unit_test(test_jobs__esc_stops_the_rows_a_bigger_screen_needs),
        cmocka_unit_test(test_jobs__a_form_draw_asks_the_database_nothing),
        cmocka_unit_test(test_jobs__esc_stops_a_form_key_that_reads),
        cmocka_unit_test(test_jobs__no_screen_draw_asks_the_database),
        cmocka_unit_test(test_jobs__a_switch_closes_the_database_it_leaves),
        cmocka_unit_test(test_jobs__esc_stops_a_switch_reading_the_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
