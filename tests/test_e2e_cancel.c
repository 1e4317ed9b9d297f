/*
 * End to end on SQLite, PostgreSQL and MariaDB: the real `orb` in a real
 * pseudo-terminal (a private tmux server), opening a model whose query
 * runs for a minute or more. The status line shows that it works, Esc
 * stops it, the models screen stays usable on the same connection (the
 * next model opens), and Ctrl-C during such a query quits at once (with
 * nothing pending). Polls for text, never sleeps a fixed time; every
 * wait is bounded by TMUX_WAIT_MS, far below the query's minute.
 *
 * The slow model is a view. On the servers, which other tests share, it
 * is slow only for a session whose statement timeout is 600 s (what orb
 * is started with here): a function the view calls sleeps a second per
 * row then, and returns at once for everyone else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_servers.h"
#include "helper_tmux.h"
#include "orm/orm.h"

typedef struct e2e {
    char dir[64];
    char url[4096];
    char fast[64], slow[64], wait[64]; /* table, view, function */
    const char *dialect;
    orm_db *db;
    tmux_term term;
} e2e;

static void exec_sql(e2e *e, const char *sql)
{
    if (orm_db_execute(e->db, sql, NULL, 0, NULL) != 0)
        fail_msg("[%s] %s: %s", e->dialect, sql,
                 orm_error_text(orm_db_error(e->db)));
}

static void drop_objects(e2e *e)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP VIEW IF EXISTS %s", e->slow);
    orm_db_execute(e->db, sql, NULL, 0, NULL);
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", e->fast);
    orm_db_execute(e->db, sql, NULL, 0, NULL);
    if (strcmp(e->dialect, "sqlite") != 0) {
        snprintf(sql, sizeof sql, "DROP FUNCTION IF EXISTS %s", e->wait);
        orm_db_execute(e->db, sql, NULL, 0, NULL);
    }
}

/* The fast table (two rows, typed as a person would) and the slow view. */
static void make_objects(e2e *e)
{
    char sql[1024];
    int pg = strcmp(e->dialect, "postgresql") == 0;
    drop_objects(e);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s (id INTEGER PRIMARY KEY, label VARCHAR(40))",
             e->fast);
    exec_sql(e, sql);
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, label) VALUES (%s, %s)",
             e->fast, pg ? "$1" : "?", pg ? "$2" : "?");
    const char *labels[] = {"Grüße aus Köln", "ÉCOLE mixed Case"};
    for (int i = 0; i < 2; i++) {
        orm_value params[2] = {orm_value_int(i + 1), orm_value_text(labels[i])};
        if (orm_db_execute(e->db, sql, params, 2, NULL) != 0)
            fail_msg("[%s] insert: %s", e->dialect,
                     orm_error_text(orm_db_error(e->db)));
    }
    if (strcmp(e->dialect, "sqlite") == 0) {
        /* Two billion steps: minutes. */
        snprintf(sql, sizeof sql,
                 "CREATE VIEW %s AS WITH RECURSIVE c(n) AS (SELECT 1 UNION "
                 "ALL SELECT n + 1 FROM c WHERE n < 2000000000) SELECT n AS "
                 "id, 'Zeile ' || n AS label FROM c WHERE n %% 1999999999 = 0",
                 e->slow);
        exec_sql(e, sql);
        /* As many rows as grow_limit says: 40, or minutes' worth. */
        exec_sql(e, "CREATE TABLE grow_limit (lim INTEGER)");
        exec_sql(e, "INSERT INTO grow_limit VALUES (40)");
        exec_sql(e, "CREATE VIEW grow_rows AS WITH RECURSIVE c(x) AS "
                    "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
                    "(SELECT lim FROM grow_limit)) SELECT printf('%02d', x) "
                    "AS n, printf('Zeile %02d', x) AS label FROM c");
        return;
    }
    if (pg)
        snprintf(sql, sizeof sql,
                 "CREATE FUNCTION %s() RETURNS boolean LANGUAGE plpgsql "
                 "VOLATILE AS $$ BEGIN IF current_setting('statement_timeout')"
                 "::interval >= interval '600 s' THEN PERFORM pg_sleep(1); "
                 "END IF; RETURN true; END $$",
                 e->wait);
    else
        snprintf(sql, sizeof sql,
                 "CREATE FUNCTION %s() RETURNS INT NOT DETERMINISTIC "
                 "RETURN IF(@@max_statement_time >= 600, SLEEP(1), 0)",
                 e->wait);
    exec_sql(e, sql);
    if (pg)
        snprintf(sql, sizeof sql,
                 "CREATE VIEW %s AS SELECT g AS id, 'Zeile ' || g AS label "
                 "FROM generate_series(1, 100) AS g WHERE %s()",
                 e->slow, e->wait);
    else
        snprintf(sql, sizeof sql,
                 "CREATE VIEW %s AS SELECT seq AS id, CONCAT('Zeile ', seq) "
                 "AS label FROM seq_1_to_100 WHERE %s() = 0",
                 e->slow, e->wait);
    exec_sql(e, sql);
}

static int setup_dialect(void **state, const char *dialect)
{
    /* ORB_TEST_SKIP_SERVERS=1: the test skips itself on a NULL state (a
     * skip() here would count as a failed setup). */
    if (strcmp(dialect, "sqlite") != 0 && test_servers_skipped(dialect)) {
        *state = NULL;
        return 0;
    }
    e2e *e = calloc(1, sizeof *e);
    char command[4608];
    e->dialect = dialect;
    snprintf(e->dir, sizeof e->dir, "/tmp/orb-e2e-cancel-XXXXXX");
    if (!mkdtemp(e->dir))
        fail_msg("mkdtemp");
    *state = e;
    if (strcmp(dialect, "sqlite") == 0) {
        snprintf(e->url, sizeof e->url, "sqlite:///%s/cancel.db", e->dir);
    } else {
        const char *server = test_server_url(strcmp(dialect, "postgresql") == 0
                                                 ? "ORB_TEST_PG_URL"
                                                 : "ORB_TEST_MYSQL_URL");
        snprintf(e->url, sizeof e->url, "%s", server);
    }
    /* Names of this run: other programs share the servers. */
    snprintf(e->fast, sizeof e->fast, "cancel_fast_%ld", (long)getpid());
    snprintf(e->slow, sizeof e->slow, "cancel_slow_%ld", (long)getpid());
    snprintf(e->wait, sizeof e->wait, "cancel_wait_%ld", (long)getpid());
    if (orm_db_open(&e->db, e->url, NULL) != 0)
        fail_msg("[%s] open: %s", dialect, orm_error_text(orm_db_error(e->db)));
    make_objects(e);
    tmux_init(&e->term, e->dir);
    snprintf(command, sizeof command, "%s/orb '%s%cstatement_timeout=600s'",
             ORB_BINARY_DIR, e->url, strchr(e->url, '?') ? '&' : '?');
    tmux_start(&e->term, 100, e->dir, command);
    return 0;
}

static int setup_sqlite(void **state)
{
    return setup_dialect(state, "sqlite");
}

static int setup_postgresql(void **state)
{
    return setup_dialect(state, "postgresql");
}

static int setup_mysql(void **state)
{
    return setup_dialect(state, "mysql");
}

static int teardown(void **state)
{
    e2e *e = *state;
    char cmd[128];
    if (!e)
        return 0;
    tmux_stop(&e->term);
    if (e->db) {
        drop_objects(e);
        orm_db_free(e->db);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", e->dir);
    free(e);
    return 0;
}

/* Narrow the models screen to `name`: the one model left opens. */
static void open_model(e2e *e, const char *name)
{
    tmux_keys(&e->term, "/ C-u");
    tmux_type(&e->term, name);
    tmux_keys(&e->term, "Enter");
}

static void test_e2e_cancel__esc_stops_a_long_query(void **state)
{
    e2e *e = *state;
    if (!e)
        skip();
    tmux_term *t = &e->term;
    tmux_wait_for(t, e->slow);
    /* The slow model's query runs: the status line says so. */
    open_model(e, e->slow);
    tmux_wait_for(t, "Esc cancels");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "cancelled");
    tmux_wait_gone(t, "Esc cancels");
    char *screen = tmux_screen(t);
    if (!strstr(screen, "Models"))
        fail_msg("[%s] not back on the models screen:\n%s", e->dialect, screen);
    free(screen);
    /* The same connection answers: the next model opens. */
    open_model(e, e->fast);
    tmux_wait_for(t, "Grüße aus Köln");
    tmux_wait_for(t, "ÉCOLE mixed Case");
    /* Ctrl-C while the slow query runs: nothing is pending, so orb
     * quits, without waiting for the query. */
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "Models");
    open_model(e, e->slow);
    tmux_wait_for(t, "Esc cancels");
    tmux_keys(t, "C-c");
    assert_int_equal(tmux_wait_exit(t), 128 + SIGINT);
}

static void test_e2e_cancel__esc_stops_a_long_query_sqlite(void **state)
{
    test_e2e_cancel__esc_stops_a_long_query(state);
}

static void test_e2e_cancel__esc_stops_a_long_query_postgresql(void **state)
{
    test_e2e_cancel__esc_stops_a_long_query(state);
}

static void test_e2e_cancel__esc_stops_a_long_query_mysql(void **state)
{
    test_e2e_cancel__esc_stops_a_long_query(state);
}

/* The terminal grows while the rows became slow (SQLite: a private
 * file): the rows the bigger screen needs are read as the resize's work,
 * with the indicator, and Esc stops it; the rows read before stay, and
 * the next key reads the rest. */
static void
test_e2e_cancel__esc_stops_the_rows_a_resize_needs_sqlite(void **state)
{
    e2e *e = *state;
    tmux_term *t = &e->term;
    tmux_wait_for(t, e->slow);
    tmux_resize(t, 100, 12);
    open_model(e, "grow_rows");
    tmux_wait_for(t, "Zeile 09");
    exec_sql(e, "UPDATE grow_limit SET lim = 2000000000");
    tmux_resize(t, 100, 40);
    tmux_wait_for(t, "Esc cancels");
    tmux_keys(t, "Escape");
    tmux_wait_for(t, "cancelled");
    char *screen = tmux_screen(t);
    if (!strstr(screen, "Zeile 09") || strstr(screen, "Zeile 25"))
        fail_msg("not the rows read before:\n%s", screen);
    free(screen);
    exec_sql(e, "UPDATE grow_limit SET lim = 40");
    tmux_keys(t, "j");
    tmux_wait_for(t, "Zeile 25");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_e2e_cancel__esc_stops_a_long_query_sqlite, setup_sqlite,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_cancel__esc_stops_the_rows_a_resize_needs_sqlite,
            setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_cancel__esc_stops_a_long_query_postgresql,
            setup_postgresql, teardown),
        cmocka_unit_test_setup_teardown(
            test_e2e_cancel__esc_stops_a_long_query_mysql, setup_mysql,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
