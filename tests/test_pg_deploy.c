/* PostgreSQL as users deploy it, started by scripts/with-servers.sh
 * (scripts/servers/pg-deployments.sh): pgbouncer in transaction and in
 * session pooling in front of the test server.
 *
 * Every command runs through the real `orb` binary, as a user's would.
 * Through each pooler the CLI prints exactly what it prints on the server
 * itself; many orb processes at once through transaction pooling (where
 * server connections pass from one client to the next between
 * transactions) all succeed; the browser adds, changes and deletes rows
 * through both.
 *
 * A hot standby (a streaming replica) is browsed and filtered; orb says
 * up front that it is read-only and refuses every write before anything
 * is typed. A URL listing both servers reaches the one libpq's
 * target_session_attrs asks for.
 *
 * A server restarted in the middle of a session: the next read reconnects
 * and shows its rows, pending changes stay and commit; while the server
 * is down a commit says so and keeps them. A primary that stops while its
 * replica is promoted (a failover) likewise: the URL lists both, and the
 * next action reaches the promoted one. */
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

#include "helper_file.h"
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
    int failover;    /* a failover standby was made: remove it, restart */
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
    file_write(f->models, text);
    tmux_init(&f->term, f->dir);
    *state = f;
    return 0;
}

static void failover_cleanup(fixture *f);

static int teardown(void **state)
{
    fixture *f = *state;
    tmux_stop(&f->term);
    failover_cleanup(f);
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

/* Make the fixture's table on the primary with three rows, and wait until
 * the standby has replayed them (polling, not sleeping a fixed time). */
static void table_on_primary_and_standby(fixture *f, const char *standby)
{
    f->url = test_server_url("ORB_TEST_PG_URL");
    drop_table(f, f->url);
    run_result r = orb_run(f, f->url, ARGS("create-all", f->models));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    const char *handles[] = {"handle=Zoë", "handle=bob", "handle=Émile"};
    for (size_t i = 0; i < 3; i++) {
        r = orb_run(f, f->url, ARGS("add", "Item", handles[i]));
        assert_int_equal(r.status, 0);
        run_result_free(&r);
    }
    for (int tries = 0;; tries++) {
        r = orb_run(f, standby, ARGS("count", "Item"));
        int done = r.status == 0 && strcmp(r.out, "3\n") == 0;
        run_result_free(&r);
        if (done)
            break;
        if (tries == 400)
            fail_msg("the standby did not replay the rows");
        tmux_nap_ms(50);
    }
}

static void expect_refused(const fixture *f, const char *url,
                           const char *const *args, const char *message)
{
    run_result r = orb_run(f, url, args);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, message);
    run_result_free(&r);
}

#define STANDBY_REASON "read-only (the server is a hot standby)"

static void test_standby__cli_reads_and_refuses_every_write(void **state)
{
    fixture *f = *state;
    const char *standby = deploy_url("ORB_TEST_PG_STANDBY_URL");
    table_on_primary_and_standby(f, standby);

    run_result r = orb_run(f, standby,
                           ARGS("rows", "Item", "--where", "handle ilike 'é%'",
                                "--format", "csv"));
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "id,handle,note,score,active\r\n"
                               "3,Émile,,,\r\n");
    run_result_free(&r);
    r = orb_run(f, standby, ARGS("get", "Item", "1"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Zoë"));
    run_result_free(&r);

    char want[256];
    snprintf(want, sizeof want, "orb: cannot add to %s: " STANDBY_REASON "\n",
             f->table);
    expect_refused(f, standby, ARGS("add", "Item", "handle=x"), want);
    snprintf(want, sizeof want, "orb: cannot change %s: " STANDBY_REASON "\n",
             f->table);
    expect_refused(f, standby, ARGS("set", "Item", "1", "note=x"), want);
    snprintf(want, sizeof want,
             "orb: cannot delete from %s: " STANDBY_REASON "\n", f->table);
    expect_refused(f, standby, ARGS("delete", "Item", "1"), want);
    r = orb_run(f, f->url, ARGS("count", "Item"));
    assert_string_equal(r.out, "3\n");
    run_result_free(&r);
}

static void test_standby__browser_says_read_only_and_refuses_edits(void **state)
{
    fixture *f = *state;
    const char *standby = deploy_url("ORB_TEST_PG_STANDBY_URL");
    table_on_primary_and_standby(f, standby);

    tmux_term *term = &f->term;
    char command[1024];
    snprintf(command, sizeof command, "%s --models %s --state %s '%s'",
             orb_binary(), f->models, f->state, standby);
    tmux_start(term, 110, f->dir, command);
    tmux_wait_for(term, STANDBY_REASON);
    tmux_keys(term, "/ Item Enter");
    tmux_wait_for(term, "row 1 of 3");
    tmux_wait_for(term, STANDBY_REASON);
    const char *keys[] = {"a", "e", "d"};
    for (size_t i = 0; i < 3; i++) {
        tmux_keys(term, keys[i]);
        tmux_wait_for(term, "read-only: editing is off (the server is a "
                            "hot standby)");
        char *screen = tmux_screen(term);
        assert_null(strstr(screen, "new record"));
        assert_null(strstr(screen, "edit <Item"));
        assert_null(strstr(screen, "pending"));
        free(screen);
    }
    tmux_keys(term, "s / Émile Enter");
    tmux_wait_for(term, "search: Émile");
    tmux_wait_for(term, "row 1 of 1");
    tmux_keys(term, "q");
    tmux_wait_for(term, "Models");
    tmux_keys(term, "q q");
    assert_int_equal(tmux_wait_exit(term), 0);
    tmux_stop(term);
}

/* ORB_TEST_PG_HOSTS_URL lists the standby first, then the primary. */
static void test_hosts__target_session_attrs_pick_the_server(void **state)
{
    fixture *f = *state;
    const char *standby = deploy_url("ORB_TEST_PG_STANDBY_URL");
    const char *hosts = deploy_url("ORB_TEST_PG_HOSTS_URL");
    char url[1024], want[256];
    table_on_primary_and_standby(f, standby);
    snprintf(want, sizeof want, "orb: cannot add to %s: " STANDBY_REASON "\n",
             f->table);

    snprintf(url, sizeof url, "%s&target_session_attrs=read-write", hosts);
    run_result r = orb_run(f, url, ARGS("add", "Item", "handle=Ωmega"));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb_run(f, url, ARGS("count", "Item"));
    assert_string_equal(r.out, "4\n");
    run_result_free(&r);

    const char *const others[] = {"read-only", "any", "standby"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(url, sizeof url, "%s&target_session_attrs=%s", hosts,
                 others[i]);
        expect_refused(f, url, ARGS("add", "Item", "handle=x"), want);
        r = orb_run(f, url, ARGS("get", "Item", "1"));
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "Zoë"));
        run_result_free(&r);
    }
}

/* Run pg_ctl ACTION on the restartable server. */
static void server_ctl(const char *action)
{
    const char *ctl = getenv("ORB_TEST_PG_RESTART_CTL");
    if (!ctl || !*ctl)
        fail_msg("ORB_TEST_PG_RESTART_CTL is not set: run the tests under "
                 "scripts/with-servers.sh");
    assert_int_equal(run_shellf("%s %s", ctl, action), 0);
}

static int64_t count_rows(orm_session *s, const orm_model *m)
{
    orm_query *q = NULL;
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, s, m), 0);
    int rc = orm_query_count(q, &n);
    if (rc)
        fail_msg("count failed: %s", orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    return n;
}

static void test_restart__session_reconnects_and_keeps_pending(void **state)
{
    fixture *f = *state;
    const char *url = deploy_url("ORB_TEST_PG_RESTART_URL");
    f->url = url;
    drop_table(f, url);
    run_result r = orb_run(f, url, ARGS("create-all", f->models));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb_run(f, url, ARGS("add", "Item", "handle=Zoë"));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb_run(f, url, ARGS("add", "Item", "handle=bob"));
    assert_int_equal(r.status, 0);
    run_result_free(&r);

    orm_db *db = NULL;
    orm_modelfile *mf = NULL;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(orm_modelfile_load(&mf, f->models, &err), 0);
    const orm_model *m = mf->models[0];
    assert_int_equal(orm_session_new(&s, db), 0);
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_get(s, m, &key, &rec), ORM_ROW);
    assert_int_equal(orm_record_set_text(rec, "handle", "Renée", &err), 0);
    assert_int_equal(orm_session_pending_count(s), 1);

    /* Restarted between two actions: the read after it shows its rows. */
    server_ctl("restart");
    assert_int_equal(count_rows(s, m), 2);
    assert_int_equal(orm_session_pending_count(s), 1);
    /* A commit is not sent again: it says the connection was lost and
     * keeps the change; the next one reconnects and writes it. */
    server_ctl("restart");
    assert_int_equal(orm_session_commit(s), ORM_ECONNLOST);
    assert_non_null(
        strstr(orm_error_text(orm_session_error(s)), "connection lost"));
    assert_int_equal(orm_session_pending_count(s), 1);
    assert_int_equal(orm_session_commit(s), 0);
    assert_int_equal(orm_session_pending_count(s), 0);

    /* Down: the commit says what happened and keeps the change. */
    assert_int_equal(orm_record_set_text(rec, "note", "Ärger ✓", &err), 0);
    server_ctl("stop");
    assert_int_equal(orm_session_commit(s), ORM_ECONNLOST);
    const char *message = orm_error_text(orm_session_error(s));
    assert_non_null(strstr(message, "connection lost: "));
    assert_null(strstr(message, "(null)"));
    assert_int_equal(orm_session_pending_count(s), 1);
    server_ctl("restart"); /* starts it with the options it had */
    if (orm_session_commit(s) != 0)
        fail_msg("commit after the server came back: %s",
                 orm_error_text(orm_session_error(s)));
    assert_int_equal(orm_session_pending_count(s), 0);
    orm_session_free(s);
    orm_db_free(db);
    orm_modelfile_free(mf);
    orm_error_clear(&err);

    r = orb_run(f, url, ARGS("get", "Item", "1"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Renée"));
    assert_non_null(strstr(r.out, "Ärger ✓"));
    run_result_free(&r);
}

/* The browser on a server that restarts under it: the first refresh
 * after the restart reconnects and shows the rows in the same step (not
 * "(no rows)" and an error); an edit made before the server goes down
 * stays pending through a commit that cannot reach it, which says so,
 * and the commit once it is back writes it. */
static void
test_restart__browser_refreshes_and_commits_across_restarts(void **state)
{
    fixture *f = *state;
    const char *url = deploy_url("ORB_TEST_PG_RESTART_URL");
    f->url = url;
    drop_table(f, url);
    run_result r = orb_run(f, url, ARGS("create-all", f->models));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    const char *handles[] = {"handle=Zoë", "handle=bob"};
    for (size_t i = 0; i < 2; i++) {
        r = orb_run(f, url, ARGS("add", "Item", handles[i]));
        assert_int_equal(r.status, 0);
        run_result_free(&r);
    }

    tmux_term *term = &f->term;
    char command[1024];
    snprintf(command, sizeof command, "%s --models %s --state %s '%s'",
             orb_binary(), f->models, f->state, url);
    tmux_start(term, 110, f->dir, command);
    tmux_wait_for(term, "Models");
    tmux_keys(term, "/ Item Enter");
    tmux_wait_for(term, "row 1 of 2");

    server_ctl("restart");
    r = orb_run(f, url, ARGS("add", "Item", "handle=Émile"));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    tmux_keys(term, "r");
    tmux_wait_for(term, "row 1 of 3");
    tmux_wait_for(term, "Émile");
    char *screen = tmux_screen(term);
    assert_null(strstr(screen, "(no rows)"));
    assert_null(strstr(screen, "connection lost"));
    free(screen);

    tmux_keys(term, "g e");
    tmux_wait_for(term, "edit <Item");
    tmux_keys(term, "C-u");
    tmux_type(term, "Renée");
    tmux_keys(term, "C-s");
    tmux_wait_for(term, "1 pending: 1 change");
    server_ctl("stop");
    tmux_keys(term, "w");
    tmux_wait_for(term, "UPDATE");
    tmux_keys(term, "y");
    tmux_wait_for(term, "connection lost");
    tmux_wait_for(term, "1 pending: 1 change");
    server_ctl("restart"); /* starts it with the options it had */
    tmux_keys(term, "y");  /* the review stays open: y tries again */
    tmux_wait_for(term, "written: 1 change");
    tmux_keys(term, "q");
    tmux_wait_for(term, "Models");
    tmux_keys(term, "q q");
    assert_int_equal(tmux_wait_exit(term), 0);
    tmux_stop(term);

    r = orb_run(f, url, ARGS("get", "Item", "1"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Renée"));
    run_result_free(&r);
}

/* ---- failover: a promoted replica mid-session ---- */

/* Run ORB_TEST_PG_FAILOVER ACTION (scripts/servers/pg-failover.sh): a
 * standby of the restartable server of this test's own, which the test
 * may promote; the shared standby of the other tests stays as it is.
 * Returns what it printed (owned). */
static char *failover_ctl(const char *action)
{
    const char *ctl = getenv("ORB_TEST_PG_FAILOVER");
    int status = -1;
    if (!ctl || !*ctl)
        fail_msg("ORB_TEST_PG_FAILOVER is not set: run the tests under "
                 "scripts/with-servers.sh");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s", ctl, action);
    char *out = run_shell_output(cmd, &status);
    if (status != 0)
        fail_msg("pg-failover.sh %s failed (%d): %s", action, status,
                 out ? out : "");
    return out;
}

/* Leave the restartable server as the next test expects it: running,
 * the primary, and no standby of this test's left. */
static void failover_cleanup(fixture *f)
{
    if (!f->failover)
        return;
    f->failover = 0;
    free(failover_ctl("down"));
    server_ctl("restart"); /* starts it again if it was stopped */
}

/* ORB_TEST_PG_RESTART_URL with both servers listed, that one first, and
 * target_session_attrs=read-write: libpq connects to whichever takes
 * writes. */
static void failover_url(char *out, size_t size, const char *primary_url,
                         const char *standby_port)
{
    const char *at = strrchr(primary_url, '@');
    const char *colon = at ? strchr(at, ':') : NULL;
    const char *slash = colon ? strchr(colon, '/') : NULL;
    assert_non_null(slash);
    int host = (int)(colon - at - 1);
    snprintf(out, size,
             "%.*s%s?host=%.*s,%.*s&port=%.*s,%s"
             "&target_session_attrs=read-write",
             (int)(at + 1 - primary_url), primary_url, slash, host, at + 1,
             host, at + 1, (int)(slash - colon - 1), colon + 1, standby_port);
}

/* The same URL with only the standby's port. */
static void standby_only_url(char *out, size_t size, const char *primary_url,
                             const char *standby_port)
{
    const char *at = strrchr(primary_url, '@');
    const char *colon = at ? strchr(at, ':') : NULL;
    const char *slash = colon ? strchr(colon, '/') : NULL;
    assert_non_null(slash);
    snprintf(out, size, "%.*s:%s%s", (int)(colon - primary_url), primary_url,
             standby_port, slash);
}

/* Wait until `url` (the standby) has replayed `rows` rows of the table:
 * polled, at most 60 s. */
static void wait_for_rows(const fixture *f, const char *url, const char *rows)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 3000; i++) {
        run_result r = orb_run(f, url, ARGS("count", "Item"));
        int done = r.status == 0 && strcmp(r.out, rows) == 0;
        run_result_free(&r);
        if (done)
            return;
        nanosleep(&pause, NULL);
    }
    fail_msg("the standby never showed %s rows", rows);
}

/* The primary stops with a change pending on it and its replica is
 * promoted: the commit says the connection was lost and keeps the
 * change; the next action reconnects, through the URL's host list and
 * target_session_attrs=read-write, to the promoted server, which is
 * writable; the commit then writes the change there. */
static void
test_failover__promoted_replica_takes_the_pending_commit(void **state)
{
    fixture *f = *state;
    const char *primary = deploy_url("ORB_TEST_PG_RESTART_URL");
    char url[1024], standby[1024];
    f->url = primary;
    drop_table(f, primary);
    run_result r = orb_run(f, primary, ARGS("create-all", f->models));
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    const char *handles[] = {"handle=Zoë", "handle=bob"};
    for (size_t i = 0; i < 2; i++) {
        r = orb_run(f, primary, ARGS("add", "Item", handles[i]));
        assert_int_equal(r.status, 0);
        run_result_free(&r);
    }
    f->failover = 1;
    char *port = failover_ctl("up");
    port[strcspn(port, "\n")] = '\0';
    failover_url(url, sizeof url, primary, port);
    standby_only_url(standby, sizeof standby, primary, port);
    free(port);
    wait_for_rows(f, standby, "2\n");
    r = orb_run(f, standby, ARGS("add", "Item", "handle=x"));
    assert_int_not_equal(r.status, 0); /* a standby until promoted */
    run_result_free(&r);

    orm_db *db = NULL;
    orm_modelfile *mf = NULL;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_null(orm_db_read_only_reason(db));
    assert_int_equal(orm_modelfile_load(&mf, f->models, &err), 0);
    const orm_model *m = mf->models[0];
    assert_int_equal(orm_session_new(&s, db), 0);
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_get(s, m, &key, &rec), ORM_ROW);
    assert_int_equal(orm_record_set_text(rec, "handle", "Renée", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "note", "Ärger ✓", &err), 0);
    assert_int_equal(orm_session_pending_count(s), 1);

    server_ctl("stop");
    free(failover_ctl("promote"));
    assert_int_equal(orm_session_commit(s), ORM_ECONNLOST);
    const char *message = orm_error_text(orm_session_error(s));
    assert_non_null(strstr(message, "connection lost: "));
    assert_null(strstr(message, "(null)"));
    assert_int_equal(orm_session_pending_count(s), 1);

    /* The next action: a read, on the promoted server. */
    assert_int_equal(count_rows(s, m), 2);
    assert_null(orm_db_read_only_reason(db));
    assert_int_equal(orm_session_pending_count(s), 1);
    if (orm_session_commit(s) != 0)
        fail_msg("commit on the promoted server: %s",
                 orm_error_text(orm_session_error(s)));
    assert_int_equal(orm_session_pending_count(s), 0);
    orm_session_free(s);
    orm_db_free(db);
    orm_modelfile_free(mf);
    orm_error_clear(&err);

    r = orb_run(f, standby, ARGS("get", "Item", "1"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Renée"));
    assert_non_null(strstr(r.out, "Ärger ✓"));
    run_result_free(&r);
}

/* `test_pg_deploy` runs the pooler, standby and host-list tests;
 * `test_pg_deploy restart` the ones that restart the restartable server,
 * which ctest runs under a lock of their own (RESOURCE_LOCK pg_restart):
 * the plain and the de_DE run must not restart it under each other. */
int main(int argc, char **argv)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_pgbouncer__cli_through_transaction_pooling),
        T(test_pgbouncer__cli_through_session_pooling),
        T(test_pgbouncer__many_processes_through_transaction_pooling),
        T(test_pgbouncer__browser_through_transaction_pooling),
        T(test_pgbouncer__browser_through_session_pooling),
        T(test_standby__cli_reads_and_refuses_every_write),
        T(test_standby__browser_says_read_only_and_refuses_edits),
        T(test_hosts__target_session_attrs_pick_the_server),
    };
    const struct CMUnitTest restart_tests[] = {
        T(test_restart__session_reconnects_and_keeps_pending),
        T(test_restart__browser_refreshes_and_commits_across_restarts),
        T(test_failover__promoted_replica_takes_the_pending_commit),
    };
#undef T
    if (argc > 1 && strcmp(argv[1], "restart") == 0)
        return cmocka_run_group_tests_name("pg restart", restart_tests, NULL,
                                           NULL);
    if (argc > 1) {
        fprintf(stderr, "usage: %s [restart]\n", argv[0]);
        return 2;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
