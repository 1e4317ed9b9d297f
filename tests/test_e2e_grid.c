/*
 * End to end: the rows screen's column and sort keys in the real `orb`
 * in a real terminal (a private tmux server): hide a column, see it
 * stay hidden when the model is opened again, show it again; sort by two
 * columns, read the header's marks and the order, keep the cursor's row;
 * copy a cell and a row through OSC 52 into tmux's paste buffer.
 * Polls for text, never sleeps a fixed time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "helper_tmux.h"
#include "test_tui_fixture.h"

typedef struct e2e {
    tui_fixture fx;
    tmux_term term;
} e2e;

static int setup(void **state)
{
    e2e *e = calloc(1, sizeof *e);
    char command[512];
    fx_open_db(&e->fx, 500);
    tmux_init(&e->term, e->fx.dir);
    /* orb reflects the tables itself: close the fixture's handle. */
    orm_db_free(e->fx.db);
    e->fx.db = NULL;
    snprintf(command, sizeof command, "%s/orb %s", ORB_BINARY_DIR, e->fx.url);
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

/* Line `n` (0-based) of the window. */
static char *screen_line(const tmux_term *t, int n)
{
    char *s = tmux_screen(t);
    char *line = s;
    for (int i = 0; line && i < n; i++) {
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    char *copy = orm_strdup(line ? line : "");
    char *nl = copy ? strchr(copy, '\n') : NULL;
    if (nl)
        *nl = '\0';
    free(s);
    return copy;
}

static void test_e2e_grid__hidden_column_stays_hidden_until_shown(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ customers Enter");
    tmux_wait_for(t, "row 1 of 5");
    tmux_wait_for(t, "Alice@example.org");
    tmux_keys(t, "l l -"); /* email */
    tmux_wait_for(t, "email hidden");
    tmux_wait_gone(t, "Alice@example.org");
    tmux_wait_for(t, "1 hidden");
    /* Back to the models and in again: still hidden. */
    tmux_keys(t, "q");
    tmux_wait_for(t, "narrow: customers");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "row 1 of 5");
    tmux_wait_for(t, "1 hidden");
    tmux_wait_for(t, "Chlo\xC3\xA9"); /* the rows are drawn */
    char *s = tmux_screen(t);
    if (strstr(s, "Alice@example.org"))
        fail_msg("email shows again:\n%s", s);
    free(s);
    tmux_keys(t, "+");
    tmux_wait_for(t, "Alice@example.org");
    tmux_wait_gone(t, "1 hidden");
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

/* items: grp is id % 10; among grp 0, item-00560 (id 240) has the
 * smallest label and item-96510 (id 290) the largest. */
static void test_e2e_grid__two_sort_keys_with_marks_and_cursor(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ items Enter");
    tmux_wait_for(t, "row 1 of 500");
    tmux_keys(t, "j l l S"); /* on id 2: grp, first key */
    tmux_wait_for(t, "sort: grp \xE2\x86\x91");
    /* The cursor stayed on id 2, the first of grp 2 after the 100
     * rows of grp 0 and 1. */
    tmux_wait_for(t, "row 101 of 500");
    tmux_keys(t, "h S"); /* label, second key */
    tmux_wait_for(t, "sort: grp \xE2\x86\x91, label \xE2\x86\x91");
    tmux_wait_for(t, "grp\xE2\x96\xB2"
                     "1");
    tmux_wait_for(t, "label\xE2\x96\xB2"
                     "2");
    tmux_keys(t, "g");
    tmux_wait_for(t, "row 1 of 500");
    char *first = screen_line(t, 2);
    if (!strstr(first, "item-00560") || atoi(first) != 240)
        fail_msg("first row after grp, label: [%s]", first);
    free(first);
    tmux_keys(t, "S"); /* label descending */
    tmux_wait_for(t, "label\xE2\x96\xBC"
                     "2");
    tmux_keys(t, "g");
    tmux_wait_for(t, "row 1 of 500");
    tmux_wait_for(t, "item-96510");
    first = screen_line(t, 2);
    if (atoi(first) != 290)
        fail_msg("first row after grp, label desc: [%s]", first);
    free(first);
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

/* Poll tmux's newest paste buffer until it is `want`. */
static void wait_for_buffer(const tmux_term *t, const char *want)
{
    char *got = NULL;
    for (int waited = 0; waited < TMUX_WAIT_MS; waited += 20) {
        free(got);
        got = tmux_capture(t, "show-buffer");
        if (got && strcmp(got, want) == 0) {
            free(got);
            return;
        }
        tmux_nap_ms(20);
    }
    fail_msg("tmux's buffer is [%s], not [%s]", got ? got : "(none)", want);
}

static void test_e2e_grid__y_copies_through_osc52_into_tmux(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    char *set = tmux_capture(t, "set -g set-clipboard on");
    free(set);
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ customers Enter");
    tmux_wait_for(t, "row 1 of 5");
    tmux_keys(t, "j j l y"); /* Chloé's name */
    tmux_wait_for(t, "copied name (6 bytes)");
    wait_for_buffer(t, "Chlo\xC3\xA9");
    tmux_keys(t, "Y");
    tmux_wait_for(t, "copied 1 row");
    char *row = NULL;
    for (int waited = 0; waited < TMUX_WAIT_MS; waited += 20) {
        free(row);
        row = tmux_capture(t, "show-buffer");
        if (row && strncmp(row, "id\tname\temail\t", 15) == 0)
            break;
        tmux_nap_ms(20);
    }
    /* orb reflects the table: secret_key is no secret column here. */
    if (!row || !strstr(row, "\n3\tChlo\xC3\xA9\tChlo\xC3\xA9@example.org\t"
                             "hunter2-secret\ttrue\t3.00\t"))
        fail_msg("the row copied: [%s]", row ? row : "(none)");
    free(row);
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

/* orders: note alternates 'express' and 'gift wrap' over 8 rows. */
static void test_e2e_grid__equals_and_hash_narrow_the_rows(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ orders Enter");
    tmux_wait_for(t, "row 1 of 8");
    tmux_keys(t, "$ =");
    tmux_wait_for(t, "where note = 'express' added");
    tmux_wait_for(t, "row 1 of 4");
    tmux_wait_gone(t, "gift wrap");
    tmux_keys(t, "C");
    tmux_wait_for(t, "row 1 of 8");
    tmux_type(t, "#"); /* a shell comment as a key name */
    tmux_wait_for(t, "where note != 'express' added");
    tmux_wait_for(t, "row 1 of 4");
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

/* items: grp is id % 10, fifty rows each. */
static void test_e2e_grid__i_summarizes_and_enter_narrows(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ items Enter");
    tmux_wait_for(t, "row 1 of 500");
    tmux_keys(t, "$ i");
    tmux_wait_for(t, "items.grp: summary");
    tmux_wait_for(t, "500 rows \xC2\xB7 0 NULL \xC2\xB7 10 distinct");
    tmux_wait_for(t, "50   10.0%  0");
    tmux_keys(t, "j j Enter"); /* grp 2 */
    tmux_wait_for(t, "where grp = 2 added");
    tmux_wait_for(t, "row 1 of 50");
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_e2e_grid__hidden_column_stays_hidden_until_shown, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_grid__two_sort_keys_with_marks_and_cursor, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_grid__y_copies_through_osc52_into_tmux, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_grid__equals_and_hash_narrow_the_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_grid__i_summarizes_and_enter_narrows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
