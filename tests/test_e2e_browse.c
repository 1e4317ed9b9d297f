/*
 * End to end: the real `orb` binary in a real pseudo-terminal (a private
 * tmux server), typed at like a person: open a prepared SQLite database,
 * open a model, scroll, sort, search, open a record, follow a foreign
 * key, resize, help, quit. Checks the exit status and that the terminal
 * is given back (the alternate screen is left) after q, Ctrl-C, SIGTERM
 * and a crash. Polls for text, never sleeps a fixed time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>

#include "helper_tmux.h"
#include "test_tui_fixture.h"

typedef struct e2e {
    tui_fixture fx;
    tmux_term term;
} e2e;

static void assert_terminal_restored(e2e *e)
{
    char *alt =
        tmux_capture(&e->term, "display-message -p -t t '#{alternate_on}'");
    assert_non_null(alt);
    if (alt[0] != '0')
        fail_msg("still on the alternate screen (%s)", alt);
    free(alt);
    char *s = tmux_screen(&e->term);
    if (!strstr(s, "BEFORE-ORB"))
        fail_msg("the shell's screen was not given back:\n%s", s);
    free(s);
}

static int setup(void **state)
{
    e2e *e = calloc(1, sizeof *e);
    char command[512];
    fx_open_db(&e->fx, 500);
    tmux_init(&e->term, e->fx.dir);
    /* orb reflects the tables itself: close the fixture's handle. */
    orm_db_free(e->fx.db);
    e->fx.db = NULL;
    snprintf(command, sizeof command, "printf 'BEFORE-ORB\\n'; %s/orb %s",
             ORB_BINARY_DIR, e->fx.url);
    tmux_start(&e->term, 100, e->fx.dir, command);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    e2e *e = *state;
    tmux_stop(&e->term);
    fx_close(&e->fx);
    free(e);
    return 0;
}

static void test_e2e__browse_sort_search_follow_resize_help_quit(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_wait_for(t, "500"); /* the items count, made after the first screen */
    tmux_keys(t, "/ items Enter");
    tmux_wait_for(t, "row 1 of 500");
    tmux_wait_for(t, "item-07919");
    tmux_keys(t, "PgDn");
    tmux_wait_for(t, "row 28 of 500");
    tmux_keys(t, "G");
    tmux_wait_for(t, "row 500 of 500");
    tmux_keys(t, "g s");
    tmux_wait_for(t, "sort: id \xE2\x86\x91");
    tmux_keys(t, "s");
    tmux_wait_for(t, "sort: id \xE2\x86\x93");
    tmux_wait_for(t, "row 500 of 500"); /* the cursor stays on id 1 */
    tmux_keys(t, "g");
    tmux_wait_for(t, "item-59500"); /* id 500 first */
    tmux_keys(t, "s / 07919 Enter");
    tmux_wait_for(t, "search: 07919");
    tmux_wait_for(t, "row 1 of 1");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "items) record");
    tmux_wait_for(t, "item-07919");
    tmux_keys(t, "q q q");
    tmux_wait_gone(t, "search: 07919");
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ orders Enter");
    tmux_wait_for(t, "row 1 of 8");
    tmux_keys(t, "j Enter");
    tmux_wait_for(t, "orders) record");
    tmux_keys(t, "j Enter");
    tmux_wait_for(t, "customers) record");
    tmux_wait_for(t, "Bob");
    tmux_keys(t, "q");
    tmux_wait_for(t, "orders) record");
    tmux_resize(t, 40, 10);
    tmux_wait_for(t, "customer_id");
    tmux_resize(t, 30, 8);
    tmux_wait_for(t, "terminal too small");
    tmux_resize(t, 100, 30);
    tmux_wait_for(t, "orders) record");
    tmux_keys(t, "?");
    tmux_wait_for(t, "What it does");
    tmux_wait_for(t, "move-down");
    tmux_keys(t, "q q q");
    tmux_wait_for(t, "narrow: orders");
    tmux_keys(t, "q"); /* clears the narrowing */
    tmux_wait_for(t, "5 of 5 models");
    tmux_keys(t, "q");
    assert_int_equal(tmux_wait_exit(t), 0);
    assert_terminal_restored(e);
}

/* Esc out of the narrowing prompt and Esc again: orb stays (it used to
 * quit); q quits. */
static void test_e2e__esc_twice_out_of_a_prompt_stays(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/");
    tmux_type(t, "ord");
    tmux_wait_for(t, "narrow: ord");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "5 of 5 models");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "q quits orb");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "row 1 of");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "5 of 5 models");
    tmux_keys(t, "q");
    assert_int_equal(tmux_wait_exit(t), 0);
    assert_terminal_restored(e);
}

/* n and N step through the matches of a search among all 500 items
 * (48, 355, 480 hold "112"), across pages; Esc ends the search, then
 * goes back. */
static void test_e2e__n_steps_through_search_matches(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ items Enter");
    tmux_wait_for(t, "row 1 of 500");
    tmux_keys(t, "/");
    tmux_type(t, "112");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "search: 112");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "n");
    tmux_wait_for(t, "find: 112");
    tmux_wait_for(t, "row 355 of 500");
    tmux_wait_for(t, "item-11245");
    tmux_keys(t, "n");
    tmux_wait_for(t, "row 480 of 500");
    tmux_keys(t, "N N");
    tmux_wait_for(t, "row 48 of 500");
    tmux_wait_for(t, "item-80112");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "search cleared");
    tmux_wait_gone(t, "find: 112");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "narrow: items");
    tmux_keys(t, "q q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

/* The orders' customer_id shows each customer's name beside the id,
 * and Enter on that cell opens the order on it, a second Enter the
 * customer. */
static void test_e2e__foreign_key_labels_and_following(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ orders Enter");
    tmux_wait_for(t, "row 1 of 8");
    tmux_wait_for(t, "Chlo\xC3\xA9");
    tmux_wait_for(t, "Alice");
    tmux_keys(t, "l Enter");
    tmux_wait_for(t, "customer_id (2 of 4)");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "customers) record");
    tmux_wait_for(t, "Alice@example.org");
    tmux_keys(t, "q q q");
    tmux_wait_for(t, "narrow: orders");
    tmux_keys(t, "q q"); /* the narrowing, then orb */
    assert_int_equal(tmux_wait_exit(t), 0);
}

static void test_e2e__ctrl_c_restores_the_terminal(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "row 1 of");
    tmux_keys(t, "C-c");
    assert_int_equal(tmux_wait_exit(t), 128 + SIGINT);
    assert_terminal_restored(e);
}

/* Send a signal to orb: the one child of the pane's shell. */
static void signal_orb(e2e *e, int sig)
{
    char *text =
        tmux_capture(&e->term, "display-message -p -t t '#{pane_pid}'");
    long shell = text ? strtol(text, NULL, 10) : 0;
    char cmd[64];
    free(text);
    if (shell <= 1)
        fail_msg("no pane process");
    snprintf(cmd, sizeof cmd, "pgrep -P %ld", shell);
    FILE *p = popen(cmd, "r");
    long orb = 0, extra = 0;
    assert_non_null(p);
    if (fscanf(p, "%ld %ld", &orb, &extra) < 1)
        orb = 0;
    pclose(p);
    if (orb <= 1 || extra != 0)
        fail_msg("expected one orb process under the shell %ld", shell);
    assert_int_equal(kill((pid_t)orb, sig), 0);
}

static void test_e2e__sigterm_restores_the_terminal(void **state)
{
    e2e *e = *state;
    tmux_wait_for(&e->term, "Models");
    signal_orb(e, SIGTERM);
    assert_int_equal(tmux_wait_exit(&e->term), 128 + SIGTERM);
    assert_terminal_restored(e);
}

static void test_e2e__crash_restores_the_terminal(void **state)
{
    e2e *e = *state;
    tmux_wait_for(&e->term, "Models");
    signal_orb(e, SIGSEGV);
    assert_int_equal(tmux_wait_exit(&e->term), 128 + SIGSEGV);
    assert_terminal_restored(e);
}

/* O opens a second SQLite file in the same orb: its tables, its rows;
 * a bad URL first leaves the first database as it was. */
static void test_e2e__switch_to_a_second_sqlite_file(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    char url[512];
    orm_db *db = NULL;
    snprintf(url, sizeof url, "sqlite:///%s/zweite.db?mode=rwc", e->fx.dir);
    fx_check(orm_db_open(&db, url, NULL), db, "open second");
    fx_check(orm_db_execute(db,
                            "CREATE TABLE buecher (id INTEGER PRIMARY KEY, "
                            "titel TEXT NOT NULL)",
                            NULL, 0, NULL),
             db, "create");
    fx_check(orm_db_execute(db,
                            "INSERT INTO buecher (titel) VALUES "
                            "('\xC3\x84rger im B\xC3\xBCro')",
                            NULL, 0, NULL),
             db, "insert");
    orm_db_free(db);
    tmux_wait_for(t, "Models");
    tmux_wait_for(t, "items");
    tmux_keys(t, "O");
    tmux_wait_for(t, "open: ");
    tmux_type(t, "sqlite:///nowhere/fehlt.db");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "not switched: cannot open");
    tmux_keys(t, "/ items Enter");
    tmux_wait_for(t, "row 1 of 500");
    tmux_keys(t, "O C-u");
    tmux_wait_for(t, "open: ");
    snprintf(url, sizeof url, "sqlite:///%s/zweite.db", e->fx.dir);
    tmux_type(t, url);
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "buecher");
    tmux_wait_for(t, "zweite.db");
    tmux_wait_gone(t, "items");
    tmux_keys(t, "/ buecher Enter");
    tmux_wait_for(t, "\xC3\x84rger im B\xC3\xBCro");
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_e2e__browse_sort_search_follow_resize_help_quit, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e__esc_twice_out_of_a_prompt_stays, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e__n_steps_through_search_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e__foreign_key_labels_and_following, setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e__ctrl_c_restores_the_terminal,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e__sigterm_restores_the_terminal,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e__switch_to_a_second_sqlite_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e__crash_restores_the_terminal,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
