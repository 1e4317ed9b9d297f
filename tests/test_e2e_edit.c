/*
 * End to end: editing with the real `orb` binary in a real terminal (a
 * private tmux server), typed at like a person: add jdoe through the
 * form, see the pending row, write it and see it in the grid; rename it
 * to a handle that exists, read the unique violation with the input
 * kept, fix it and write; delete a row, undo the delete, delete it
 * again and write; quit. Checks the database behind orb after each
 * write. Polls for text, never sleeps a fixed time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "helper_run.h"
#include "helper_tmux.h"
#include "test_tui_fixture.h"

static const char models_ini[] =
    "[Account]\n"
    "__tablename__ = accounts\n"
    "__repr__ = <Account {handle}>\n"
    "id = Integer primary_key\n"
    "handle = String(50) unique not_null\n"
    "secret_key = String(128) secret default=token_hex(16)\n"
    "bio = Text\n";

typedef struct e2e {
    char dir[64];
    char url[160];
    char models[128];
    tmux_term term;
    orm_db *db;
    const orm_model *account;
} e2e;

static int64_t count(e2e *e, const char *where)
{
    return fx_count(e->db, e->account, where);
}

/* orb on the test's database in the terminal, as its one window, with
 * `env` ("NAME=value ...", or "") set for it alone. */
static void start_orb(e2e *e, const char *env)
{
    char command[768];
    snprintf(command, sizeof command, "%s %s/orb --models %s %s", env,
             ORB_BINARY_DIR, e->models, e->url);
    tmux_start(&e->term, 110, e->dir, command);
}

/* The database and the models file, without orb. */
static int setup_db(void **state)
{
    e2e *e = calloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/orb-e2e-edit-XXXXXX");
    if (!mkdtemp(e->dir))
        fail_msg("mkdtemp failed");
    snprintf(e->url, sizeof e->url, "sqlite:///%s/edit.db", e->dir);
    snprintf(e->models, sizeof e->models, "%s/models.ini", e->dir);
    tmux_init(&e->term, e->dir);
    FILE *f = fopen(e->models, "w");
    assert_non_null(f);
    fputs(models_ini, f);
    fclose(f);
    /* The database, made and filled through the ORM. */
    fx_seed_handles(&e->db, &e->account, e->url, models_ini);
    *state = e;
    return 0;
}

static int setup(void **state)
{
    setup_db(state);
    start_orb(*state, "");
    return 0;
}

static int teardown(void **state)
{
    e2e *e = *state;
    char cmd[160];
    tmux_stop(&e->term);
    orm_db_free(e->db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", e->dir);
    free(e);
    return 0;
}

static void
test_e2e_edit__add_fix_unique_violation_delete_undo_write(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");

    /* Add jdoe through the form: pending, in the grid, then written. */
    tmux_keys(t, "a");
    tmux_wait_for(t, "new record");
    tmux_wait_for(t, "token_hex(16)");
    tmux_type(t, "jdoe");
    tmux_wait_for(t, "4/50");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 add");
    tmux_wait_for(t, "jdoe");
    assert_int_equal(count(e, "handle = 'jdoe'"), 0);
    tmux_keys(t, "w");
    tmux_wait_for(t, "INSERT INTO");
    tmux_keys(t, "y");
    tmux_wait_for(t, "written: 1 add");
    tmux_wait_for(t, "row 1 of 4");
    assert_int_equal(count(e, "handle = 'jdoe'"), 1);

    /* Rename jdoe to alice: the database refuses, the form says why and
     * keeps what was typed; fixed, it is written. */
    tmux_keys(t, "G e");
    tmux_wait_for(t, "edit <Account jdoe>");
    tmux_keys(t, "C-u");
    tmux_type(t, "alice");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 change");
    tmux_keys(t, "w");
    tmux_wait_for(t, "UPDATE");
    tmux_keys(t, "y");
    tmux_wait_for(t, "handle: \"alice\" is already taken");
    tmux_wait_for(t, "[alice ");
    assert_int_equal(count(e, "handle = 'jdoe'"), 1);
    tmux_keys(t, "C-u");
    tmux_type(t, "jdoe2");
    tmux_keys(t, "F2");
    tmux_wait_for(t, "\"jdoe\" \xE2\x86\x92 \"jdoe2\"");
    tmux_keys(t, "y");
    tmux_wait_for(t, "written: 1 change");
    assert_int_equal(count(e, "handle = 'jdoe2'"), 1);

    /* Delete bob, undo, delete again, write. */
    tmux_keys(t, "g j d");
    tmux_wait_for(t, "<Account bob>: delete pending");
    tmux_keys(t, "u");
    tmux_wait_for(t, "undone: delete of <Account bob>");
    tmux_keys(t, "d");
    tmux_wait_for(t, "1 pending: 1 delete");
    tmux_keys(t, "w");
    tmux_wait_for(t, "DELETE FROM");
    tmux_keys(t, "y");
    tmux_wait_for(t, "written: 1 delete");
    assert_int_equal(count(e, "handle = 'bob'"), 0);
    assert_int_equal(count(e, NULL), 3);

    /* Nothing pending: q leaves without a question. */
    tmux_keys(t, "q q q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

static void test_e2e_edit__quit_with_pending_changes_asks(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "a");
    tmux_wait_for(t, "new record");
    tmux_type(t, "zed");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 add");
    tmux_keys(t, "Q");
    tmux_wait_for(t,
                  "1 pending change: write (w), discard (d) or cancel (Esc)?");
    tmux_keys(t, "w");
    tmux_wait_for(t, "INSERT INTO");
    tmux_keys(t, "y");
    assert_int_equal(tmux_wait_exit(t), 0);
    assert_int_equal(count(e, "handle = 'zed'"), 1);
}

/* Ctrl-C in a real terminal (SIGINT) asks as Q does while a change is
 * pending, again after the question was cancelled; with nothing pending
 * it quits with 130. */
static void test_e2e_edit__ctrl_c_with_pending_changes_asks(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "a");
    tmux_wait_for(t, "new record");
    tmux_type(t, "zed");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 add");
    tmux_keys(t, "C-c");
    tmux_wait_for(t,
                  "1 pending change: write (w), discard (d) or cancel (Esc)?");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "not quitting");
    tmux_keys(t, "C-c");
    tmux_wait_for(t, "discard (d)");
    tmux_keys(t, "d");
    assert_int_equal(tmux_wait_exit(t), 0);
    assert_int_equal(count(e, "handle = 'zed'"), 0);
}

static void test_e2e_edit__ctrl_c_with_nothing_pending_quits(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "C-c");
    assert_int_equal(tmux_wait_exit(t), 130);
}

/* Ctrl-E hands the terminal to $VISUAL and takes it back. */
static void
test_e2e_edit__ctrl_e_runs_the_editor_and_restores_the_screen(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    char script[128];
    snprintf(script, sizeof script, "%s/ed.sh", e->dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\nprintf 'IN-THE-EDITOR\\n'\n"
          "read line < /dev/tty\n"
          "printf 'written by the editor\\n' > \"$1\"\n",
          f);
    fclose(f);
    assert_int_equal(run_shellf("chmod 700 %s", script), 0);
    /* orb with $VISUAL set, the terminal's one program (a second orb in
     * a second window left the first one on a screen that also says
     * "Models", where keys and waits could land). */
    char env[192];
    snprintf(env, sizeof env, "VISUAL=%s", script);
    start_orb(e, env);
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "e Tab Tab");
    tmux_wait_for(t, "edit <Account alice>");
    tmux_keys(t, "C-e");
    tmux_wait_for(t, "IN-THE-EDITOR");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "bio: edited in the editor");
    tmux_wait_for(t, "[written by the editor");
    tmux_wait_for(t, "edit <Account alice>");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 change");
    tmux_keys(t, "w y");
    tmux_wait_for(t, "written: 1 change");
    assert_int_equal(count(e, "bio = 'written by the editor'"), 1);
}

/* Under a TERM for another terminal (common over SSH), Home and End
 * arrive as sequences curses does not know: the form still moves the
 * cursor, and does not take them for Esc. */
static void
test_e2e_edit__keys_curses_does_not_know_move_in_a_form(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    start_orb(e, "TERM=xterm-256color");
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "e");
    tmux_wait_for(t, "edit <Account alice>");
    tmux_keys(t, "Home");
    tmux_type(t, "X");
    tmux_keys(t, "End");
    tmux_type(t, "Y");
    tmux_wait_for(t, "[XaliceY ");
    tmux_wait_for(t, "edit <Account alice>");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 change");
}

/* Bulk edit: two rows marked, E, one column typed, reviewed, undone
 * whole, done again and written in one transaction; then every row the
 * search shows, after the count and a question. */
static void test_e2e_edit__bulk_edit_review_undo_write(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "m m");
    tmux_wait_for(t, "2 marked");
    tmux_keys(t, "E");
    tmux_wait_for(t, "Bulk edit of 2 rows marked");
    tmux_keys(t, "Tab"); /* secret_key -> bio */
    tmux_type(t, "Gr\xC3\xBC\xC3\x9F"
                 "e AUS K\xC3\xB6ln");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "bio set on 2 rows");
    tmux_wait_for(t, "2 pending: 2 changes");
    tmux_keys(t, "u");
    tmux_wait_gone(t, "pending");
    tmux_keys(t, "g m m E");
    tmux_wait_for(t, "Bulk edit of 2 rows marked");
    tmux_keys(t, "Tab");
    tmux_type(t, "Gr\xC3\xBC\xC3\x9F"
                 "e AUS K\xC3\xB6ln");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "2 pending: 2 changes");
    tmux_keys(t, "w");
    tmux_wait_for(t, "change  <Account bob>");
    tmux_wait_for(t, "UPDATE");
    assert_int_equal(count(e, "bio is not null"), 0);
    tmux_keys(t, "y");
    tmux_wait_for(t, "written: 2 changes");
    assert_int_equal(count(e, "bio = 'Gr\xC3\xBC\xC3\x9F"
                              "e AUS K\xC3\xB6ln'"),
                     2);
    assert_int_equal(count(e, "handle = 'carol' and bio is null"), 1);

    /* No marks: every row the search shows, counted and asked first. */
    tmux_keys(t, "/");
    tmux_type(t, "CAROL");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "row 1 of 1");
    tmux_keys(t, "E");
    tmux_wait_for(t, "edit all 1 row search: CAROL? y/n");
    tmux_keys(t, "y");
    tmux_wait_for(t, "[unchanged"); /* one row: handle may change too */
    tmux_keys(t, "Tab Tab");
    tmux_type(t, "\xC3\xA9t\xC3\xA9");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "bio set on 1 row");
    tmux_keys(t, "w");
    tmux_wait_for(t, "UPDATE");
    tmux_keys(t, "y");
    tmux_wait_for(t, "written: 1 change");
    assert_int_equal(count(e, "handle = 'carol' and bio = '\xC3\xA9t\xC3\xA9'"),
                     1);
}

/* D duplicates bob into a create form; the copied handle is refused at
 * the commit, a new one (non-ASCII) is written with bob's other values. */
static void test_e2e_edit__duplicate_a_row_and_write_it(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "j D");
    tmux_wait_for(t, "new record");
    tmux_wait_for(t, "[bob ");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 add");
    tmux_keys(t, "w");
    tmux_wait_for(t, "INSERT INTO");
    tmux_keys(t, "y");
    tmux_wait_for(t, "handle: \"bob\" is already taken");
    tmux_keys(t, "C-u");
    tmux_type(t, "B\xC3\xB6"
                 "b Zwei");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "INSERT INTO");
    tmux_keys(t, "y");
    tmux_wait_for(t, "written: 1 add");
    tmux_wait_for(t, "row 2 of 4");
    assert_int_equal(count(e, "handle = 'B\xC3\xB6"
                              "b Zwei'"),
                     1);
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__add_fix_unique_violation_delete_undo_write, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__quit_with_pending_changes_asks, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__bulk_edit_review_undo_write, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__duplicate_a_row_and_write_it, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__ctrl_c_with_pending_changes_asks, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__ctrl_c_with_nothing_pending_quits, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__ctrl_e_runs_the_editor_and_restores_the_screen,
            setup_db, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_edit__keys_curses_does_not_know_move_in_a_form, setup_db,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
