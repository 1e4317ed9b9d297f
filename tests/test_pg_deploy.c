/* PostgreSQL as users deploy it, started by scripts/with-servers.sh
 * (scripts/servers/pg-deployments.sh): pgbouncer in transaction and in
 * session pooling in front of the test server.
 *
 * Every command runs through the real `orb` binary, as a user's would.
 * Through each pooler the CLI prints exactly what it prints on the server
 * itself; many orb processes at once through transaction pooling (where
 * server connections pass from one client to the next between
 * transactions) all succeed; the browser adds, changes and deletes rows
 * through both. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper_run.h"
#include "helper_servers.h"
#include "helper_tmux.h"
#include "orm/orm.h"
#include "orm/sys/buf.h"

typedef struct fixture {
    char dir[64];
    char models[128];
    char table[64];
    char state[128]; /* saved filters file */
    const char *url; /* the server itself */
    tmux_term term;  /* stopped by teardown, also after a failure */
} fixture;

/* The URL in `variable`, which with-servers.sh sets next to
 * ORB_TEST_PG_URL (skipped with it when there are no servers). */
static const char *deploy_url(const char *variable)
{
    test_server_url("ORB_TEST_PG_URL");
    const char *url = getenv(variable);
    if (!url || !*url)
        fail_msg("%s is not set: run the tests under scripts/with-servers.sh",
                 variable);
    return url;
}

static const char *orb_binary(void)
{
    const char *path = getenv("ORB_TEST_ORB_BINARY");
    return path && *path ? path : ORB_BINARY_DIR "/orb";
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Drop the fixture's table through `url` (quietly: it may not exist). */
static void drop_table(const fixture *f, const char *url)
{
    orm_db *db = NULL;
    orm_modelfile *mf = NULL;
    orm_error e = ORM_ERROR_INIT;
    if (orm_db_open(&db, url, NULL) == 0 &&
        orm_modelfile_load(&mf, f->models, &e) == 0 && mf->nmodels)
        orm_db_drop_table(db, mf->models[0]);
    orm_modelfile_free(mf);
    orm_db_free(db);
    orm_error_clear(&e);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/orb-pgdeploy-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->table, sizeof f->table, "orb_deploy_%ld_%ld", (long)getpid(),
             (long)time(NULL) % 100000);
    snprintf(f->models, sizeof f->models, "%s/models.ini", f->dir);
    snprintf(f->state, sizeof f->state, "%s/state.db", f->dir);
    char text[512];
    snprintf(text, sizeof text,
             "[Item]\n__tablename__ = %s\nid = Integer primary_key\n"
             "handle = String(50) unique not_null\nnote = Text\n"
             "score = Numeric(5,2)\nactive = Boolean\n",
             f->table);
    write_file(f->models, text);
    tmux_init(&f->term, f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tmux_stop(&f->term);
    if (f->url)
        drop_table(f, f->url);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    run_shellf("%s", cmd);
    free(f);
    return 0;
}

/* orb --models FILE --state FILE URL ARGS... */
static run_result orb_run(const fixture *f, const char *url,
                          const char *const *args)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = orb_binary();
    argv[n++] = "--models";
    argv[n++] = f->models;
    argv[n++] = "--state";
    argv[n++] = f->state;
    argv[n++] = url;
    for (; *args && n < 31; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    return run_exec(argv, NULL);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Every command of the CLI once, its status and output in one text. The
 * statuses are in the text, so a refusal shows in the comparison too. */
static char *cli_flow(const fixture *f, const char *url)
{
    const char *const *const steps[] = {
        ARGS("create-all", "MODELS"),
        ARGS("schema", "Item"),
        ARGS("add", "Item", "handle=Jdoe", "note=hello", "score=1.5",
             "active=yes"),
        ARGS("add", "Item", "handle=日本語", "note=a,b \"c\"", "active:=false"),
        ARGS("add", "Item", "handle=🦊Fox", "note=Ärger", "score:=12"),
        ARGS("add", "Item", "handle=Jdoe"),
        ARGS("rows", "Item"),
        ARGS("rows", "Item", "--format", "json", "--order", "-handle"),
        ARGS("rows", "Item", "--where", "handle ilike '%fox%'"),
        ARGS("get", "Item", "2"),
        ARGS("set", "Item", "2", "note:=null", "--expect", "handle=日本語"),
        ARGS("set", "Item", "2", "note=x", "--expect", "handle=other"),
        ARGS("count", "Item", "--where", "note is null"),
        ARGS("filter", "save", "Item", "foxes", "handle like '🦊%'"),
        ARGS("filter", "list"),
        ARGS("count", "Item", "--filter", "foxes"),
        ARGS("export", "Item", "--format", "csv"),
        ARGS("delete", "Item", "1", "3"),
        ARGS("rows", "Item", "--format", "tsv"),
        ARGS("count", "Item")};
    orm_buf text = ORM_BUF_INIT;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const char *args[16];
        size_t n = 0;
        for (const char *const *a = steps[i]; *a; a++)
            args[n++] = strcmp(*a, "MODELS") ? *a : f->models;
        args[n] = NULL;
        run_result r = orb_run(f, url, args);
        orm_buf_appendf(&text, "$ %s %s\n[%d]\n%s%s", args[0],
                        n > 1 ? args[1] : "", r.status, r.out, r.err);
        run_result_free(&r);
    }
    /* The models screen lists every table of the database (other tests'
     * too): only ours is looked for. */
    run_result r = orb_run(f, url, ARGS("models"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, f->table));
    run_result_free(&r);
    char *out = orm_buf_finish(&text);
    assert_non_null(out);
    return out;
}

/* The flow through the pooler prints what it prints on the server. */
static void pooler_matches_server(fixture *f, const char *variable)
{
    const char *pooled = deploy_url(variable);
    f->url = test_server_url("ORB_TEST_PG_URL");
    drop_table(f, f->url);
    char *direct_text = cli_flow(f, f->url);
    drop_table(f, f->url);
    remove(f->state);
    char *pooled_text = cli_flow(f, pooled);
    assert_string_equal(pooled_text, direct_text);
    /* The flow checks itself: what failed was meant to. */
    assert_non_null(strstr(direct_text, "$ add Item\n[1]\norb: Item.handle: "
                                        "\"Jdoe\" is already taken\n"));
    assert_non_null(strstr(direct_text, "$ count Item\n[0]\n1\n"));
    assert_null(strstr(direct_text, "prepared statement"));
    free(direct_text);
    free(pooled_text);
}

static void test_pgbouncer__cli_through_transaction_pooling(void **state)
{
    pooler_matches_server(*state, "ORB_TEST_PGBOUNCER_TX_URL");
}

static void test_pgbouncer__cli_through_session_pooling(void **state)
{
    pooler_matches_server(*state, "ORB_TEST_PGBOUNCER_SESSION_URL");
}

enum { WORKERS = 6, ROUNDS = 5 };

/* One orb process after another, as a script would run them: each
 * worker reads, counts, lists and changes its own row. Returns how many
 * commands failed, each printed. */
static int worker(const fixture *f, const char *url, int key)
{
    char key_text[16], note[64];
    int failures = 0;
    snprintf(key_text, sizeof key_text, "%d", key);
    for (int round = 0; round < ROUNDS; round++) {
        snprintf(note, sizeof note, "note=Runde %d ✓", round);
        const char *const *jobs[] = {
            ARGS("get", "Item", key_text),
            ARGS("count", "Item", "--where", "handle like 'w%'"),
            ARGS("rows", "Item", "--limit", "40", "--order", "-id"),
            ARGS("set", "Item", key_text, note)};
        for (size_t j = 0; j < sizeof jobs / sizeof jobs[0]; j++) {
            run_result r = orb_run(f, url, jobs[j]);
            if (r.status != 0) {
                failures++;
                fprintf(stderr, "worker %d: orb %s failed [%d]: %s", key,
                        jobs[j][0], r.status, r.err);
            }
            run_result_free(&r);
        }
    }
    return failures;
}

static void
test_pgbouncer__many_processes_through_transaction_pooling(void **state)
{
    fixture *f = *state;
    const char *url = deploy_url("ORB_TEST_PGBOUNCER_TX_URL");
    f->url = test_server_url("ORB_TEST_PG_URL");
    drop_table(f, f->url);
    run_result r = orb_run(f, url, ARGS("create-all", f->models));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    for (int i = 1; i <= WORKERS; i++) {
        char handle[32];
        snprintf(handle, sizeof handle, "handle=w%d", i);
        r = orb_run(f, url, ARGS("add", "Item", handle));
        assert_int_equal(r.status, 0);
        run_result_free(&r);
    }

    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            _exit(worker(f, url, i + 1) ? 1 : 0);
    }
    int failed = 0;
    for (int i = 0; i < WORKERS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    assert_int_equal(failed, 0);

    /* Every worker's last change is there. */
    for (int i = 1; i <= WORKERS; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", i);
        r = orb_run(f, url, ARGS("get", "Item", key));
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "Runde 4 ✓"));
        run_result_free(&r);
    }
}

/* The browser through a pooler: open the table, add a row, change one,
 * delete one, each written with w + y, then the rows as the server has
 * them. */
static void browser_through(fixture *f, const char *variable)
{
    const char *url = deploy_url(variable);
    f->url = test_server_url("ORB_TEST_PG_URL");
    drop_table(f, f->url);
    run_result r = orb_run(f, url, ARGS("create-all", f->models));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb_run(f, url, ARGS("add", "Item", "handle=Zoë"));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb_run(f, url, ARGS("add", "Item", "handle=Bob"));
    assert_int_equal(r.status, 0);
    run_result_free(&r);

    tmux_term *term = &f->term;
    char command[1024];
    snprintf(command, sizeof command, "%s --models %s --state %s '%s'",
             orb_binary(), f->models, f->state, url);
    tmux_start(term, 110, f->dir, command);
    tmux_wait_for(term, "Models");
    tmux_keys(term, "/ Item Enter");
    tmux_wait_for(term, "row 1 of 2");
    tmux_wait_for(term, "Zoë");

    tmux_keys(term, "a");
    tmux_wait_for(term, "new record");
    tmux_type(term, "Émile");
    tmux_keys(term, "C-s");
    tmux_wait_for(term, "1 pending: 1 add");
    tmux_keys(term, "w");
    tmux_wait_for(term, "INSERT INTO");
    tmux_keys(term, "y");
    tmux_wait_for(term, "written: 1 add");
    tmux_wait_for(term, "row 1 of 3");

    tmux_keys(term, "g e");
    tmux_wait_for(term, "edit <Item");
    tmux_keys(term, "C-u");
    tmux_type(term, "Zoé Ω");
    tmux_keys(term, "C-s");
    tmux_wait_for(term, "1 pending: 1 change");
    tmux_keys(term, "w");
    tmux_wait_for(term, "UPDATE");
    tmux_keys(term, "y");
    tmux_wait_for(term, "written: 1 change");

    tmux_keys(term, "j d");
    tmux_wait_for(term, "1 pending: 1 delete");
    tmux_keys(term, "w");
    tmux_wait_for(term, "DELETE");
    tmux_keys(term, "y");
    tmux_wait_for(term, "written: 1 delete");
    tmux_wait_for(term, " of 2 ");
    tmux_keys(term, "q");
    tmux_wait_for(term, "Models");
    tmux_keys(term, "q q"); /* the narrowing to Item, then orb */
    assert_int_equal(tmux_wait_exit(term), 0);
    tmux_stop(term);

    r = orb_run(f, f->url,
                ARGS("rows", "Item", "--format", "csv", "--order", "id"));
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "id,handle,note,score,active\r\n"
                               "1,Zoé Ω,,,\r\n"
                               "3,Émile,,,\r\n");
    run_result_free(&r);
}

static void test_pgbouncer__browser_through_transaction_pooling(void **state)
{
    browser_through(*state, "ORB_TEST_PGBOUNCER_TX_URL");
}

static void test_pgbouncer__browser_through_session_pooling(void **state)
{
    browser_through(*state, "ORB_TEST_PGBOUNCER_SESSION_URL");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_pgbouncer__cli_through_transaction_pooling),
        T(test_pgbouncer__cli_through_session_pooling),
        T(test_pgbouncer__many_processes_through_transaction_pooling),
        T(test_pgbouncer__browser_through_transaction_pooling),
        T(test_pgbouncer__browser_through_session_pooling),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
