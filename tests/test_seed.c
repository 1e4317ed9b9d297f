/* Tests for examples/seed.c: the Flask-SQLAlchemy tutorial in C must print
 * exactly the same results on SQLite, PostgreSQL and MySQL/MariaDB, and
 * again on a second run (it starts by dropping its table). The network
 * dialects come from ORB_TEST_PG_URL / ORB_TEST_MYSQL_URL (set by
 * scripts/with-servers.sh); without them those tests fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_run.h"
#include "helper_servers.h"

#define SEED_BINARY ORB_BINARY_DIR "/seed"

static const char expected[] =
    "create_all: accounts\n"
    "add + commit: new_user.id = 1\n"
    "secret_key: 32 hex characters\n"
    "query.get(1): <Account jdoe>\n"
    "filter_by(handle='jdoe').first(): <Account jdoe>\n"
    "filter(handle.like('%doe%')).all(): [<Account jdoe>]\n"
    "add + commit: 12 more accounts, last id 13\n"
    "filter(or_(handle == 'alice', handle == 'bob')).all(): "
    "[<Account alice>, <Account bob>]\n"
    "filter(and_(handle != 'admin', id > 10)).all(): "
    "[<Account user11>, <Account user13>]\n"
    "filter(not_(handle.like('user%'))).all(): "
    "[<Account jdoe>, <Account alice>, <Account bob>, <Account admin>]\n"
    "where \"handle != 'admin' and id > 10\": "
    "[<Account user11>, <Account user13>]\n"
    "update + commit: <Account jane_doe>\n"
    "filter_by(handle='jdoe').first(): None\n"
    "delete + commit: <Account jane_doe>\n"
    "filter_by(handle='jane_doe').first(): None\n"
    "query.count(): 12\n";

/* Run the seed binary with `url` (NULL: none) in directory `cwd`. */
static run_result run_seed(const char *url, const char *cwd)
{
    const char *argv[] = {SEED_BINARY, url, NULL};
    if (access(SEED_BINARY, X_OK) != 0)
        fail_msg("%s is not built (cmake --build ... --target seed)",
                 SEED_BINARY);
    return run_exec(argv, cwd);
}

static void assert_seed_output(const char *url, const char *cwd)
{
    run_result r = run_seed(url, cwd);
    if (r.status != 0)
        fail_msg("seed exited with %d: %s", r.status, r.err);
    assert_string_equal(r.err, "");
    assert_string_equal(r.out, expected);
    run_result_free(&r);
}

/* A temp directory with everything in it removed afterwards. */
static char *temp_dir(void)
{
    char *dir = strdup("/tmp/orb-test-seed-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
    free(dir);
}

static const char *network_url(const char *variable)
{
    return test_server_url(variable);
}

static void test_seed__sqlite_prints_every_tutorial_step(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char url[4200];
    snprintf(url, sizeof url, "sqlite:///%s/app.db", dir);
    assert_seed_output(url, "/");
    remove_dir(dir);
}

static void test_seed__second_run_starts_from_a_clean_table(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char url[4200];
    snprintf(url, sizeof url, "sqlite:///%s/app.db", dir);
    assert_seed_output(url, "/");
    assert_seed_output(url, "/");
    remove_dir(dir);
}

static void test_seed__default_url_is_app_data_db_in_cwd(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char path[4200];
    assert_seed_output(NULL, dir);
    snprintf(path, sizeof path, "%s/app_data.db", dir);
    assert_int_equal(access(path, F_OK), 0);
    remove_dir(dir);
}

static void test_seed__bad_url_fails_with_a_message(void **state)
{
    (void)state;
    run_result r = run_seed("nosuchdb://x/y", "/");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "seed: open: "));
    run_result_free(&r);
}

static void test_seed__postgresql_prints_the_same(void **state)
{
    (void)state;
    const char *url = network_url("ORB_TEST_PG_URL");
    assert_seed_output(url, "/");
    assert_seed_output(url, "/");
}

static void test_seed__mysql_prints_the_same(void **state)
{
    (void)state;
    const char *url = network_url("ORB_TEST_MYSQL_URL");
    assert_seed_output(url, "/");
    assert_seed_output(url, "/");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed__sqlite_prints_every_tutorial_step),
        cmocka_unit_test(test_seed__second_run_starts_from_a_clean_table),
        cmocka_unit_test(test_seed__default_url_is_app_data_db_in_cwd),
        cmocka_unit_test(test_seed__bad_url_fails_with_a_message),
        cmocka_unit_test(test_seed__postgresql_prints_the_same),
        cmocka_unit_test(test_seed__mysql_prints_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
