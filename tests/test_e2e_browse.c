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
#include <time.h>

#include "test_tui_fixture.h"

#define WAIT_MS 10000

typedef struct e2e {
    tui_fixture fx;
    char sock[128];
    char exit_file[128];
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

static char *capture(e2e *e, const char *what)
{
    char cmd[300];
    orm_buf out = ORM_BUF_INIT;
    snprintf(cmd, sizeof cmd, "tmux -S %s %s 2>/dev/null", e->sock, what);
    FILE *p = popen(cmd, "r");
    if (p) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
            orm_buf_appendn(&out, chunk, n);
        pclose(p);
    }
    orm_buf_append(&out, "");
    return orm_buf_finish(&out);
}

static char *screen(e2e *e)
{
    return capture(e, "capture-pane -p -t t");
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Poll the screen until it contains `text`. */
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

static void wait_gone(e2e *e, const char *text)
{
    for (int waited = 0; waited < WAIT_MS; waited += 20) {
        char *s = screen(e);
        int found = s && strstr(s, text) != NULL;
        free(s);
        if (!found)
            return;
        nap_ms(20);
    }
    fail_msg("[%s] stayed on the screen", text);
}

static void keys(e2e *e, const char *k)
{
    assert_int_equal(run_quiet("tmux -S %s send-keys -t t %s", e->sock, k),
                     0);
}

/* Wait for the shell after orb to write the exit status. */
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

static void assert_terminal_restored(e2e *e)
{
    char *alt = capture(e, "display-message -p -t t '#{alternate_on}'");
    assert_non_null(alt);
    if (alt[0] != '0')
        fail_msg("still on the alternate screen (%s)", alt);
    free(alt);
    char *s = screen(e);
    if (!strstr(s, "BEFORE-ORB"))
        fail_msg("the shell's screen was not given back:\n%s", s);
    free(s);
}

static int setup(void **state)
{
    e2e *e = calloc(1, sizeof *e);
    fx_open_db(&e->fx, 500);
    snprintf(e->sock, sizeof e->sock, "%s/tmux.sock", e->fx.dir);
    snprintf(e->exit_file, sizeof e->exit_file, "%s/exit", e->fx.dir);
    /* orb reflects the tables itself: close the fixture's handle. */
    orm_db_free(e->fx.db);
    e->fx.db = NULL;
    if (run_quiet("tmux -S %s -f /dev/null new-session -d -s t -x 100 "
                  "-y 30 -e LANG=C.UTF-8 -e TERM=tmux-256color "
                  "-e XDG_CONFIG_HOME=%s -e XDG_DATA_HOME=%s "
                  "\"printf 'BEFORE-ORB\\n'; %s/orb %s; "
                  "echo \\$? > %s; sleep 600\"",
                  e->sock, e->fx.dir, e->fx.dir, ORB_BINARY_DIR, e->fx.url,
                  e->exit_file) != 0)
        fail_msg("cannot start tmux");
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    e2e *e = *state;
    run_quiet("tmux -S %s kill-server >/dev/null 2>&1", e->sock);
    fx_close(&e->fx);
    free(e);
    return 0;
}

static void test_e2e__browse_sort_search_follow_resize_help_quit(
    void **state)
{
    e2e *e = *state;
    wait_for(e, "Models");
    wait_for(e, "500"); /* the items count, made after the first screen */
    keys(e, "/ items Enter");
    wait_for(e, "row 1 of 500");
    wait_for(e, "item-07919");
    keys(e, "PgDn");
    wait_for(e, "row 28 of 500");
    keys(e, "G");
    wait_for(e, "row 500 of 500");
    keys(e, "g s");
    wait_for(e, "sort: id \xE2\x86\x91");
    keys(e, "s");
    wait_for(e, "sort: id \xE2\x86\x93");
    wait_for(e, "item-59500"); /* id 500 first */
    keys(e, "s / 07919 Enter");
    wait_for(e, "search: 07919");
    wait_for(e, "row 1 of 1");
    keys(e, "Enter");
    wait_for(e, "items) record");
    wait_for(e, "item-07919");
    keys(e, "q q q");
    wait_gone(e, "search: 07919");
    wait_for(e, "Models");
    keys(e, "/ orders Enter");
    wait_for(e, "row 1 of 8");
    keys(e, "j Enter");
    wait_for(e, "orders) record");
    keys(e, "j Enter");
    wait_for(e, "customers) record");
    wait_for(e, "Bob");
    keys(e, "q");
    wait_for(e, "orders) record");
    assert_int_equal(run_quiet("tmux -S %s resize-window -t t -x 40 -y 10",
                               e->sock),
                     0);
    wait_for(e, "customer_id");
    assert_int_equal(run_quiet("tmux -S %s resize-window -t t -x 30 -y 8",
                               e->sock),
                     0);
    wait_for(e, "terminal too small");
    assert_int_equal(run_quiet("tmux -S %s resize-window -t t -x 100 -y 30",
                               e->sock),
                     0);
    wait_for(e, "orders) record");
    keys(e, "?");
    wait_for(e, "What it does");
    wait_for(e, "move-down");
    keys(e, "q q q");
    wait_for(e, "narrow: orders");
    keys(e, "q"); /* clears the narrowing */
    wait_for(e, "5 of 5 models");
    keys(e, "q");
    assert_int_equal(wait_exit(e), 0);
    assert_terminal_restored(e);
}

static void test_e2e__ctrl_c_restores_the_terminal(void **state)
{
    e2e *e = *state;
    wait_for(e, "Models");
    keys(e, "Enter");
    wait_for(e, "row 1 of");
    keys(e, "C-c");
    assert_int_equal(wait_exit(e), 128 + SIGINT);
    assert_terminal_restored(e);
}

/* Send a signal to orb: the one child of the pane's shell. */
static void signal_orb(e2e *e, int sig)
{
    char *text = capture(e, "display-message -p -t t '#{pane_pid}'");
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
    wait_for(e, "Models");
    signal_orb(e, SIGTERM);
    assert_int_equal(wait_exit(e), 128 + SIGTERM);
    assert_terminal_restored(e);
}

static void test_e2e__crash_restores_the_terminal(void **state)
{
    e2e *e = *state;
    wait_for(e, "Models");
    signal_orb(e, SIGSEGV);
    assert_int_equal(wait_exit(e), 128 + SIGSEGV);
    assert_terminal_restored(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_e2e__browse_sort_search_follow_resize_help_quit, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_e2e__ctrl_c_restores_the_terminal,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e__sigterm_restores_the_terminal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e__crash_restores_the_terminal,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
