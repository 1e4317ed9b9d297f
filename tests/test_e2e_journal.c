/*
 * End to end: the recovery journal with the real `orb` in a real
 * terminal (a private tmux server). Pending changes are made, then orb
 * is killed with SIGKILL (nothing can run: only what was on disk before
 * the screen showed the change survives), or its terminal is closed
 * (SIGHUP, as when an SSH connection drops). The next orb on the same
 * database says what it found, y restores the changes, w writes them,
 * and the database behind orb has them. Polls for text, never sleeps a
 * fixed time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>

#include "helper_run.h"
#include "helper_tmux.h"
#include "test_tui_fixture.h"

static const char models_ini[] = "[Account]\n"
                                 "__tablename__ = accounts\n"
                                 "__repr__ = <Account {handle}>\n"
                                 "id = Integer primary_key\n"
                                 "handle = String(50) unique not_null\n"
                                 "bio = Text\n";

typedef struct e2e {
    char dir[64];
    char url[160];
    char models[128];
    char command[512];
    tmux_term runs[3]; /* one tmux server per orb run, each its own
                          socket: a server just killed may linger */
    orm_db *db;
    const orm_model *account;
} e2e;

static int64_t count(e2e *e, const char *where)
{
    return fx_count(e->db, e->account, where);
}

static int setup(void **state)
{
    e2e *e = calloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/orb-e2e-journal-XXXXXX");
    if (!mkdtemp(e->dir))
        fail_msg("mkdtemp failed");
    snprintf(e->url, sizeof e->url, "sqlite:///%s/journal.db", e->dir);
    snprintf(e->models, sizeof e->models, "%s/models.ini", e->dir);
    for (int i = 0; i < 3; i++) {
        char run[96];
        snprintf(run, sizeof run, "%s/run%d", e->dir, i);
        if (mkdir(run, 0700) != 0)
            fail_msg("mkdir %s failed", run);
        tmux_init(&e->runs[i], run);
    }
    FILE *f = fopen(e->models, "w");
    assert_non_null(f);
    fputs(models_ini, f);
    fclose(f);
    fx_seed_handles(&e->db, &e->account, e->url, models_ini);
    snprintf(e->command, sizeof e->command, "%s/orb --models %s %s",
             ORB_BINARY_DIR, e->models, e->url);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    e2e *e = *state;
    char cmd[160];
    for (int i = 0; i < 3; i++)
        tmux_stop(&e->runs[i]);
    orm_db_free(e->db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", e->dir);
    free(e);
    return 0;
}

/* The orb process: the one child of the pane's shell. */
static long orb_pid(const tmux_term *t)
{
    char *out = tmux_capture(t, "display -p -t t '#{pane_pid}'");
    long shell = out ? strtol(out, NULL, 10) : 0;
    free(out);
    if (shell <= 0)
        fail_msg("no pane process");
    char path[96];
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", shell, shell);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f || fscanf(f, "%ld", &pid) != 1)
        fail_msg("no child of the pane's shell %ld", shell);
    fclose(f);
    return pid;
}

/* Start orb, open accounts, rename alice and add zoë: two pending
 * changes on the screen. */
static void make_changes(e2e *e)
{
    tmux_term *t = &e->runs[0];
    tmux_start(t, 110, e->dir, e->command);
    tmux_wait_for(t, "Models");
    tmux_keys(t, "/ Account Enter");
    tmux_wait_for(t, "row 1 of 3");
    tmux_keys(t, "e");
    tmux_wait_for(t, "edit <Account alice>");
    tmux_keys(t, "C-u");
    tmux_type(t, "Al\xC3\xAF"
                 "ce_\xC3\x9C");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "1 pending: 1 change");
    tmux_keys(t, "a");
    tmux_wait_for(t, "new record");
    tmux_type(t, "zo\xC3\xAB");
    tmux_keys(t, "C-s");
    tmux_wait_for(t, "2 pending: 1 add, 1 change");
}

/* Start orb again: it offers the changes; y, then w and y write them. */
static void restore_and_write(e2e *e)
{
    tmux_term *t = &e->runs[1];
    tmux_start(t, 110, e->dir, e->command);
    tmux_wait_for(t, "Found 2 unsaved changes (1 add, 1 change) from");
    assert_int_equal(count(e, NULL), 3); /* nothing written yet */
    tmux_keys(t, "y");
    tmux_wait_for(t, "restored: 2 pending: 1 add, 1 change");
    tmux_keys(t, "w");
    tmux_wait_for(t, "UPDATE");
    tmux_keys(t, "y");
    tmux_wait_for(t, "written: 1 add, 1 change");
    assert_int_equal(count(e, "handle = 'Al\xC3\xAF"
                              "ce_\xC3\x9C'"),
                     1);
    assert_int_equal(count(e, "handle = 'zo\xC3\xAB'"), 1);
    assert_int_equal(count(e, "handle = 'alice'"), 0);
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
    /* Written: nothing is offered again. */
    t = &e->runs[2];
    tmux_start(t, 110, e->dir, e->command);
    tmux_wait_for(t, "Models");
    tmux_keys(t, "Q");
    assert_int_equal(tmux_wait_exit(t), 0);
}

static void test_e2e_journal__kill_9_then_restore_and_write(void **state)
{
    e2e *e = *state;
    make_changes(e);
    assert_int_equal(kill((pid_t)orb_pid(&e->runs[0]), SIGKILL), 0);
    assert_int_equal(tmux_wait_exit(&e->runs[0]), 128 + SIGKILL);
    restore_and_write(e);
}

static void test_e2e_journal__closed_terminal_then_restore(void **state)
{
    e2e *e = *state;
    make_changes(e);
    /* The terminal goes away: SIGHUP, as when an SSH connection drops. */
    assert_int_equal(kill((pid_t)orb_pid(&e->runs[0]), SIGHUP), 0);
    assert_int_equal(tmux_wait_exit(&e->runs[0]), 128 + SIGHUP);
    restore_and_write(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_e2e_journal__kill_9_then_restore_and_write, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_journal__closed_terminal_then_restore, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
