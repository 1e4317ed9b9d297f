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

#include <time.h>

#include "test_tui_fixture.h"

#define WAIT_MS 10000

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
    char sock[128];
    char exit_file[128];
    orm_db *db;
    const orm_model *account;
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

static char *screen(e2e *e)
{
    char cmd[300];
    orm_buf out = ORM_BUF_INIT;
    snprintf(cmd, sizeof cmd, "tmux -S %s capture-pane -p -t t 2>/dev/null",
             e->sock);
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

/* Literal text, typed. */
static void type(e2e *e, const char *text)
{
    assert_int_equal(
        run_quiet("tmux -S %s send-keys -t t -l '%s'", e->sock, text), 0);
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

static int64_t count(e2e *e, const char *where)
{
    orm_session *s = NULL;
    orm_query *q = NULL;
    int64_t n = -1;
    fx_check(orm_session_new(&s, e->db), e->db, "session");
    orm_query_new(&q, s, e->account);
    if (where && orm_query_where(q, where) != 0)
        fail_msg("where %s: %s", where, orm_error_text(orm_query_error(q)));
    if (orm_query_count(q, &n) != 0)
        fail_msg("count: %s", orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    orm_session_free(s);
    return n;
}

static int setup(void **state)
{
    e2e *e = calloc(1, sizeof *e);
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    orm_session *s = NULL;
    snprintf(e->dir, sizeof e->dir, "/tmp/orb-e2e-edit-XXXXXX");
    if (!mkdtemp(e->dir))
        fail_msg("mkdtemp failed");
    snprintf(e->url, sizeof e->url, "sqlite:///%s/edit.db", e->dir);
    snprintf(e->models, sizeof e->models, "%s/models.ini", e->dir);
    snprintf(e->sock, sizeof e->sock, "%s/tmux.sock", e->dir);
    snprintf(e->exit_file, sizeof e->exit_file, "%s/exit", e->dir);
    FILE *f = fopen(e->models, "w");
    assert_non_null(f);
    fputs(models_ini, f);
    fclose(f);
    /* The database, made and filled through the ORM. */
    fx_check(orm_db_open(&e->db, e->url, NULL), e->db, "open");
    if (orm_modelfile_parse(&mf, models_ini, "models", &err) != 0)
        fail_msg("models: %s", orm_error_text(&err));
    e->account = mf->models[0];
    mf->models[0] = NULL;
    orm_modelfile_free(mf);
    fx_check(orm_db_register(e->db, e->account), e->db, "register");
    fx_check(orm_db_create_all(e->db), e->db, "create_all");
    fx_check(orm_session_new(&s, e->db), e->db, "session");
    static const char *const handles[] = {"alice", "bob", "carol"};
    for (int i = 0; i < 3; i++) {
        orm_record *rec = NULL;
        orm_record_new(&rec, e->account);
        fx_set(rec, "handle", orm_value_text(handles[i]));
        orm_session_add(s, rec);
        if (orm_session_commit(s) != 0)
            fail_msg("seed: %s", orm_error_text(orm_session_error(s)));
    }
    orm_session_free(s);
    if (run_quiet("tmux -S %s -f /dev/null new-session -d -s t -x 110 "
                  "-y 30 -e LANG=C.UTF-8 -e TERM=tmux-256color "
                  "-e XDG_CONFIG_HOME=%s -e XDG_DATA_HOME=%s "
                  "\"%s/orb --models %s %s; echo \\$? > %s; sleep 600\"",
                  e->sock, e->dir, e->dir, ORB_BINARY_DIR, e->models, e->url,
                  e->exit_file) != 0)
        fail_msg("cannot start tmux");
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    e2e *e = *state;
    char cmd[160];
    run_quiet("tmux -S %s kill-server >/dev/null 2>&1", e->sock);
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
    wait_for(e, "Models");
    keys(e, "/ Account Enter");
    wait_for(e, "row 1 of 3");

    /* Add jdoe through the form: pending, in the grid, then written. */
    keys(e, "a");
    wait_for(e, "new record");
    wait_for(e, "token_hex(16)");
    type(e, "jdoe");
    wait_for(e, "4/50");
    keys(e, "C-s");
    wait_for(e, "1 pending: 1 add");
    wait_for(e, "jdoe");
    assert_int_equal(count(e, "handle = 'jdoe'"), 0);
    keys(e, "w");
    wait_for(e, "INSERT INTO");
    keys(e, "y");
    wait_for(e, "written: 1 pending: 1 add");
    wait_for(e, "row 1 of 4");
    assert_int_equal(count(e, "handle = 'jdoe'"), 1);

    /* Rename jdoe to alice: the database refuses, the form says why and
     * keeps what was typed; fixed, it is written. */
    keys(e, "G e");
    wait_for(e, "edit <Account jdoe>");
    keys(e, "C-u");
    type(e, "alice");
    keys(e, "C-s");
    wait_for(e, "1 pending: 1 change");
    keys(e, "w");
    wait_for(e, "UPDATE");
    keys(e, "y");
    wait_for(e, "handle: \"alice\" is already taken");
    wait_for(e, "[alice ");
    assert_int_equal(count(e, "handle = 'jdoe'"), 1);
    keys(e, "C-u");
    type(e, "jdoe2");
    keys(e, "F2");
    wait_for(e, "\"jdoe\" \xE2\x86\x92 \"jdoe2\"");
    keys(e, "y");
    wait_for(e, "written: 1 pending: 1 change");
    assert_int_equal(count(e, "handle = 'jdoe2'"), 1);

    /* Delete bob, undo, delete again, write. */
    keys(e, "g j d");
    wait_for(e, "<Account bob>: delete pending");
    keys(e, "u");
    wait_for(e, "undone: delete of <Account bob>");
    keys(e, "d");
    wait_for(e, "1 pending: 1 delete");
    keys(e, "w");
    wait_for(e, "DELETE FROM");
    keys(e, "y");
    wait_for(e, "written: 1 pending: 1 delete");
    assert_int_equal(count(e, "handle = 'bob'"), 0);
    assert_int_equal(count(e, NULL), 3);

    /* Nothing pending: q leaves without a question. */
    keys(e, "q q q");
    assert_int_equal(wait_exit(e), 0);
}

static void test_e2e_edit__quit_with_pending_changes_asks(void **state)
{
    e2e *e = *state;
    wait_for(e, "Models");
    keys(e, "/ Account Enter");
    wait_for(e, "row 1 of 3");
    keys(e, "a");
    wait_for(e, "new record");
    type(e, "zed");
    keys(e, "C-s");
    wait_for(e, "1 pending: 1 add");
    keys(e, "Q");
    wait_for(e, "1 pending change: write (w), discard (d) or cancel (Esc)?");
    keys(e, "w");
    wait_for(e, "INSERT INTO");
    keys(e, "y");
    assert_int_equal(wait_exit(e), 0);
    assert_int_equal(count(e, "handle = 'zed'"), 1);
}

/* Ctrl-E hands the terminal to $VISUAL and takes it back. */
static void
test_e2e_edit__ctrl_e_runs_the_editor_and_restores_the_screen(void **state)
{
    e2e *e = *state;
    char script[128];
    snprintf(script, sizeof script, "%s/ed.sh", e->dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\nprintf 'IN-THE-EDITOR\\n'\n"
          "read line < /dev/tty\n"
          "printf 'written by the editor\\n' > \"$1\"\n",
          f);
    fclose(f);
    assert_int_equal(run_quiet("chmod 700 %s", script), 0);
    /* A second orb in a new window (it becomes the one shown), with
     * $VISUAL set; the first one is left alone. */
    wait_for(e, "Models");
    assert_int_equal(run_quiet("tmux -S %s new-window -t t: -e VISUAL=%s "
                               "\"%s/orb --models %s %s; sleep 600\"",
                               e->sock, script, ORB_BINARY_DIR, e->models,
                               e->url),
                     0);
    wait_for(e, "Models");
    keys(e, "/ Account Enter");
    wait_for(e, "row 1 of 3");
    keys(e, "e Tab Tab");
    wait_for(e, "edit <Account alice>");
    keys(e, "C-e");
    wait_for(e, "IN-THE-EDITOR");
    keys(e, "Enter");
    wait_for(e, "bio: edited in the editor");
    wait_for(e, "[written by the editor");
    wait_for(e, "edit <Account alice>");
    keys(e, "C-s");
    wait_for(e, "1 pending: 1 change");
    keys(e, "w y");
    wait_for(e, "written: 1 pending: 1 change");
    assert_int_equal(count(e, "bio = 'written by the editor'"), 1);
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
            test_e2e_edit__ctrl_e_runs_the_editor_and_restores_the_screen,
            setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
