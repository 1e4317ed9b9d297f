/*
 * End to end, the real `orb` binary in a private tmux server with
 * --state pointing at a temporary file: build `handle contains 'doe' or
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

#include <time.h>

#include "test_tui_fixture.h"

#define WAIT_MS   10000
#define NACCOUNTS 15

static const orm_column acct_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle", .type = ORM_STRING, .length = 50},
    {.name = "active", .type = ORM_BOOLEAN},
};
static const orm_model Acct = ORM_MODEL("Account", "accounts", acct_columns);

typedef struct e2e {
    tui_fixture fx;
    char sock[128];
    char exit_file[128];
    char state[128];
    int runs;
} e2e;

static int run_quiet(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static int run_quiet(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static char *run_output(const char *cmd, int *status)
{
    orm_buf out = ORM_BUF_INIT;
    FILE *p = popen(cmd, "r");
    if (p) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
            orm_buf_appendn(&out, chunk, n);
        *status = pclose(p);
    } else {
        *status = -1;
    }
    orm_buf_append(&out, "");
    return orm_buf_finish(&out);
}

static char *screen(e2e *e)
{
    char cmd[300];
    int status;
    snprintf(cmd, sizeof cmd, "tmux -S %s capture-pane -p -t t 2>/dev/null",
             e->sock);
    return run_output(cmd, &status);
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void wait_for(e2e *e, const char *text)
{
    for (int waited = 0; waited < WAIT_MS; waited += 20) {
        char *s = screen(e);
        int found = s && strstr(s, text) != NULL;
        free(s);
        if (found)
            return;
        nap_ms(20);
    }
    char *s = screen(e);
    fail_msg("timed out waiting for [%s]; screen:\n%s", text, s);
    free(s);
}

static void keys(e2e *e, const char *k)
{
    assert_int_equal(run_quiet("tmux -S %s send-keys -t t %s", e->sock, k), 0);
}

/* Literal text (no key names). */
static void type(e2e *e, const char *text)
{
    assert_int_equal(
        run_quiet("tmux -S %s send-keys -t t -l \"%s\"", e->sock, text), 0);
}

static int wait_exit(e2e *e)
{
    for (int waited = 0; waited < WAIT_MS; waited += 20) {
        FILE *f = fopen(e->exit_file, "r");
        int status = -1;
        if (f) {
            if (fscanf(f, "%d", &status) != 1)
                status = -1;
            fclose(f);
        }
        if (status >= 0)
            return status;
        nap_ms(20);
    }
    char *s = screen(e);
    fail_msg("orb did not exit; screen:\n%s", s);
    free(s);
    return -1;
}

/* orb in a new tmux server (the previous one, if any, is gone). */
static void start_orb(e2e *e)
{
    /* A new socket each time: a server that was just told to stop may
     * still hold the old one. */
    snprintf(e->sock, sizeof e->sock, "%s/tmux%d.sock", e->fx.dir, e->runs++);
    remove(e->exit_file);
    if (run_quiet("tmux -S %s -f /dev/null new-session -d -s t -x 100 "
                  "-y 30 -e LANG=C.UTF-8 -e TERM=tmux-256color "
                  "-e XDG_CONFIG_HOME=%s -e XDG_DATA_HOME=%s "
                  "\"%s/orb --state %s %s; echo \\$? > %s; sleep 600\"",
                  e->sock, e->fx.dir, e->fx.dir, ORB_BINARY_DIR, e->state,
                  e->fx.url, e->exit_file) != 0)
        fail_msg("cannot start tmux");
}

static void stop_tmux(e2e *e)
{
    run_quiet("tmux -S %s kill-server >/dev/null 2>&1", e->sock);
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
    snprintf(e->sock, sizeof e->sock, "%s/tmux.sock", e->fx.dir);
    snprintf(e->exit_file, sizeof e->exit_file, "%s/exit", e->fx.dir);
    snprintf(e->state, sizeof e->state, "%s/filters.db", e->fx.dir);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    e2e *e = *state;
    stop_tmux(e);
    fx_close(&e->fx);
    free(e);
    return 0;
}

static void test_e2e__build_save_quit_restart_apply_from_saved(void **state)
{
    e2e *e = *state;
    start_orb(e);
    wait_for(e, "Models");
    keys(e, "/ accounts Enter");
    wait_for(e, "row 1 of 15");
    keys(e, "f");
    wait_for(e, "matches: 15 rows");
    /* handle contains doe */
    keys(e, "a j Enter");
    wait_for(e, "How must handle match?");
    keys(e, "j j Enter");
    wait_for(e, "value: ");
    type(e, "doe");
    keys(e, "Enter");
    wait_for(e, "matches: 2 rows");
    /* id > 10, then the group becomes or */
    keys(e, "a Enter");
    wait_for(e, "How must id match?");
    keys(e, "j j j j Enter");
    wait_for(e, "value: ");
    type(e, "10");
    keys(e, "Enter");
    wait_for(e, "filter: handle contains 'doe' and id > 10");
    keys(e, "o");
    wait_for(e, "filter: handle contains 'doe' or id > 10");
    wait_for(e, "matches: 7 rows");
    keys(e, "s");
    wait_for(e, "save as: ");
    type(e, "does");
    keys(e, "Enter");
    wait_for(e, "saved as 'does'");
    keys(e, "Enter");
    wait_for(e, "where handle contains 'doe' or id > 10");
    wait_for(e, "row 1 of 7");
    keys(e, "q q q"); /* rows, the narrowing, the models */
    assert_int_equal(wait_exit(e), 0);
    stop_tmux(e);

    /* A new orb, the same state file. */
    start_orb(e);
    wait_for(e, "Models");
    keys(e, "/ accounts Enter");
    wait_for(e, "row 1 of 15");
    keys(e, "F");
    wait_for(e, "Saved filters of accounts");
    wait_for(e, "does");
    keys(e, "Enter");
    wait_for(e, "where handle contains 'doe' or id > 10");
    wait_for(e, "row 1 of 7");
    wait_for(e, "doemaster");
    keys(e, "C");
    wait_for(e, "row 1 of 15");
    keys(e, "q q q"); /* rows, the narrowing, the models */
    assert_int_equal(wait_exit(e), 0);
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
    char *saved = run_output(cmd, &status);
    if (status != 0)
        fail_msg("filter save failed (%d): %s", status, saved);
    free(saved);
    snprintf(cmd, sizeof cmd,
             "%s/orb --state %s %s rows accounts --filter does 2>&1",
             ORB_BINARY_DIR, e->state, e->fx.url);
    char *by_name = run_output(cmd, &status);
    if (status != 0)
        fail_msg("rows --filter failed (%d): %s", status, by_name);
    snprintf(cmd, sizeof cmd,
             "%s/orb %s rows accounts --where \"handle contains 'doe' or "
             "id > 10\" 2>&1",
             ORB_BINARY_DIR, e->fx.url);
    char *by_where = run_output(cmd, &status);
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
    char *both = run_output(cmd, &status);
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
