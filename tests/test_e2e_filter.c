/*
 * End to end, the real `orb` binary in a private tmux server with
 * --state pointing at a temporary file: build `handle icontains 'doe' or
 * id > 10` with keys, see the count, save it, apply it, quit; start orb
 * again and apply the saved filter from F; and on the command line
 * `orb URL rows accounts --filter NAME` prints the same rows as
 * `--where` with the same text. Polls for text, never sleeps a fixed
 * time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "helper_run.h"
#include "helper_tmux.h"
#include "test_tui_fixture.h"

#define NACCOUNTS 15

static const orm_column acct_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle", .type = ORM_STRING, .length = 50},
    {.name = "active", .type = ORM_BOOLEAN},
};
static const orm_model Acct = ORM_MODEL("Account", "accounts", acct_columns);

typedef struct e2e {
    tui_fixture fx;
    tmux_term term;
    char state[128];
    int runs;
} e2e;

/* orb in a new tmux server (the previous one, if any, is gone). */
static void start_orb(e2e *e)
{
    char command[512];
    /* A new socket each time: a server that was just told to stop may
     * still hold the old one. */
    snprintf(e->term.sock, sizeof e->term.sock, "%s/tmux%d.sock", e->fx.dir,
             e->runs++);
    snprintf(command, sizeof command, "%s/orb --state %s %s", ORB_BINARY_DIR,
             e->state, e->fx.url);
    tmux_start(&e->term, 100, e->fx.dir, command);
}

static int setup(void **state)
{
    e2e *e = calloc(1, sizeof *e);
    orm_session *s = NULL;
    fx_open_db(&e->fx, 50);
    fx_check(orm_db_register(e->fx.db, &Acct), e->fx.db, "register");
    fx_check(orm_db_create_all(e->fx.db), e->fx.db, "create");
    fx_check(orm_session_new(&s, e->fx.db), e->fx.db, "session");
    for (int id = 1; id <= NACCOUNTS; id++) {
        static const char *const names[] = {"jdoe", "alice", "bob", "doemaster",
                                            "carol"};
        char handle[32];
        orm_record *rec = NULL;
        if (id <= 5)
            snprintf(handle, sizeof handle, "%s", names[id - 1]);
        else
            snprintf(handle, sizeof handle, "user%02d", id);
        fx_check(orm_record_new(&rec, &Acct), e->fx.db, "record");
        fx_set(rec, "id", orm_value_int(id));
        fx_set(rec, "handle", orm_value_text(handle));
        fx_set(rec, "active", orm_value_bool(id % 2));
        fx_check(orm_session_add(s, rec), e->fx.db, "add");
    }
    fx_commit(&e->fx, s);
    orm_session_free(s);
    /* orb reflects the tables itself: close the fixture's handle. */
    orm_db_free(e->fx.db);
    e->fx.db = NULL;
    tmux_init(&e->term, e->fx.dir);
    snprintf(e->state, sizeof e->state, "%s/filters.db", e->fx.dir);
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

static void test_e2e__build_save_quit_restart_apply_from_saved(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    start_orb(e);
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ accounts Enter");
    tmux_wait_for(t, "row 1 of 15");
    tmux_keys(t, "f");
    tmux_wait_for(t, "matches: 15 rows");
    /* handle contains doe */
    tmux_keys(t, "a j Enter");
    tmux_wait_for(t, "How must handle match?");
    tmux_keys(t, "j j Enter");
    tmux_wait_for(t, "value: ");
    tmux_type(t, "doe");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "matches: 2 rows");
    /* id > 10, then the group becomes or */
    tmux_keys(t, "a Enter");
    tmux_wait_for(t, "How must id match?");
    tmux_keys(t, "j j j j Enter");
    tmux_wait_for(t, "value: ");
    tmux_type(t, "10");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "filter: handle icontains 'doe' and id > 10");
    tmux_keys(t, "o");
    tmux_wait_for(t, "filter: handle icontains 'doe' or id > 10");
    tmux_wait_for(t, "matches: 7 rows");
    tmux_keys(t, "s");
    tmux_wait_for(t, "save as: ");
    tmux_type(t, "does");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "saved as 'does'");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "where handle icontains 'doe' or id > 10");
    tmux_wait_for(t, "row 1 of 7");
    tmux_keys(t, "q q q"); /* rows, the narrowing, the models */
    assert_int_equal(tmux_wait_exit(t), 0);
    tmux_stop(t);

    /* A new orb, the same state file. */
    start_orb(e);
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ accounts Enter");
    tmux_wait_for(t, "row 1 of 15");
    tmux_keys(t, "F");
    tmux_wait_for(t, "Saved filters of accounts");
    tmux_wait_for(t, "does");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "where handle icontains 'doe' or id > 10");
    tmux_wait_for(t, "row 1 of 7");
    tmux_wait_for(t, "doemaster");
    /* Saving under the same name asks; y replaces it. */
    tmux_keys(t, "f");
    tmux_wait_for(t, "filter: handle icontains 'doe' or id > 10");
    tmux_keys(t, "o s");
    tmux_wait_for(t, "save as: ");
    tmux_type(t, "does");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "replace? y/n: ");
    tmux_type(t, "y");
    tmux_keys(t, "Enter");
    tmux_wait_for(t, "saved as 'does'");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "row 1 of 7");
    tmux_keys(t, "F");
    tmux_wait_for(t, "handle icontains 'doe' and id > 10");
    tmux_keys(t, "q");
    tmux_wait_for(t, "row 1 of 7");
    tmux_keys(t, "C");
    tmux_wait_for(t, "row 1 of 15");
    tmux_keys(t, "q q q"); /* rows, the narrowing, the models */
    assert_int_equal(tmux_wait_exit(t), 0);
}

static void test_e2e__rows_with_a_saved_filter_match_where(void **state)
{
    e2e *e = *state;
    char cmd[1024];
    int status = 0;
    snprintf(cmd, sizeof cmd,
             "%s/orb --state %s %s filter save does accounts "
             "\"handle contains 'doe' or id > 10\" 2>&1",
             ORB_BINARY_DIR, e->state, e->fx.url);
    char *saved = run_shell_output(cmd, &status);
    if (status != 0)
        fail_msg("filter save failed (%d): %s", status, saved);
    free(saved);
    snprintf(cmd, sizeof cmd,
             "%s/orb --state %s %s rows accounts --filter does 2>&1",
             ORB_BINARY_DIR, e->state, e->fx.url);
    char *by_name = run_shell_output(cmd, &status);
    if (status != 0)
        fail_msg("rows --filter failed (%d): %s", status, by_name);
    snprintf(cmd, sizeof cmd,
             "%s/orb %s rows accounts --where \"handle contains 'doe' or "
             "id > 10\" 2>&1",
             ORB_BINARY_DIR, e->fx.url);
    char *by_where = run_shell_output(cmd, &status);
    assert_int_equal(status, 0);
    assert_string_equal(by_name, by_where);
    assert_non_null(strstr(by_name, "doemaster"));
    assert_null(strstr(by_name, "alice"));
    free(by_name);
    free(by_where);
    /* Both together are ANDed. */
    snprintf(cmd, sizeof cmd,
             "%s/orb --state %s %s rows accounts --filter does --where "
             "\"active = false\" --format csv 2>&1",
             ORB_BINARY_DIR, e->state, e->fx.url);
    char *both = run_shell_output(cmd, &status);
    if (status != 0)
        fail_msg("rows --filter --where failed (%d): %s", status, both);
    assert_string_equal(both, "id,handle,active\r\n"
                              "4,doemaster,false\r\n"
                              "12,user12,false\r\n"
                              "14,user14,false\r\n");
    free(both);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_e2e__build_save_quit_restart_apply_from_saved, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e__rows_with_a_saved_filter_match_where, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
