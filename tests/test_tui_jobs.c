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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs__the_loop_reads_keys_while_a_cancel_travels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
