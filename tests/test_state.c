/*
 * orb's state database: saved filters and history survive restarts (a
 * reopen), are kept per database URL, and bad names give clear errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "state.h"

static char path[256];

static tui_state *open_state(const char *db_url)
{
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    if (tui_state_open(&st, path, db_url, &err))
        fail_msg("open: %s", orm_error_text(&err));
    orm_error_clear(&err);
    return st;
}

static void test_state__saved_filter_survives_restart(void **state)
{
    (void)state;
    orm_error err = ORM_ERROR_INIT;
    tui_state *st = open_state("sqlite:///shop.db");
    assert_int_equal(tui_state_filter_save(st, "does", "accounts",
                                           "handle contains 'doe' or id > 10",
                                           0, &err),
                     0);
    tui_state_free(st);

    st = open_state("sqlite:///shop.db");
    tui_saved_filter f;
    assert_int_equal(tui_state_filter_get(st, "does", &f, &err), 0);
    assert_string_equal(f.model, "accounts");
    assert_string_equal(f.expr, "handle contains 'doe' or id > 10");
    assert_null(f.last_used);
    tui_saved_filter_clear(&f);
    assert_int_equal(tui_state_filter_touch(st, "does", &err), 0);
    assert_int_equal(tui_state_filter_get(st, "does", &f, &err), 0);
    assert_non_null(f.last_used);
    tui_saved_filter_clear(&f);
    tui_state_free(st);
    orm_error_clear(&err);
}

static void test_state__names_are_per_database(void **state)
{
    (void)state;
    orm_error err = ORM_ERROR_INIT;
    tui_state *a = open_state("postgresql://me@host/a");
    tui_state *b = open_state("postgresql://me@host/b");
    assert_int_equal(
        tui_state_filter_save(a, "big", "orders", "total > 100", 0, &err), 0);
    tui_saved_filter f;
    assert_int_equal(tui_state_filter_get(b, "big", &f, &err), ORM_ENOTFOUND);
    assert_string_equal(err.message, "no saved filter named 'big'");
    assert_int_equal(
        tui_state_filter_save(b, "big", "orders", "total > 5", 0, &err), 0);
    tui_state_free(a);
    tui_state_free(b);
    orm_error_clear(&err);
}

static void test_state__duplicate_rename_delete(void **state)
{
    (void)state;
    orm_error err = ORM_ERROR_INIT;
    tui_state *st = open_state("sqlite:///dup.db");
    assert_int_equal(tui_state_filter_save(st, "one", "t", "id = 1", 0, &err),
                     0);
    assert_int_equal(tui_state_filter_save(st, "two", "t", "id = 2", 0, &err),
                     0);
    assert_int_equal(tui_state_filter_save(st, "one", "t", "id = 3", 0, &err),
                     ORM_EUNIQUE);
    assert_string_equal(err.message, "a filter named 'one' already exists");
    assert_int_equal(tui_state_filter_save(st, "one", "t", "id = 3", 1, &err),
                     0);
    assert_int_equal(tui_state_filter_rename(st, "one", "two", &err),
                     ORM_EUNIQUE);
    assert_string_equal(err.message, "a filter named 'two' already exists");
    assert_int_equal(tui_state_filter_rename(st, "one", "uno", &err), 0);
    tui_saved_filter *list = NULL;
    size_t n = 0;
    assert_int_equal(tui_state_filter_list(st, "t", &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "two");
    assert_string_equal(list[1].name, "uno");
    assert_string_equal(list[1].expr, "id = 3");
    tui_saved_filters_free(list, n);
    assert_int_equal(tui_state_filter_delete(st, "uno", &err), 0);
    assert_int_equal(tui_state_filter_delete(st, "uno", &err), ORM_ENOTFOUND);
    assert_int_equal(tui_state_filter_list(st, NULL, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    tui_saved_filters_free(list, n);
    tui_state_free(st);
    orm_error_clear(&err);
}

static void test_state__history_is_recent_first_without_repeats(void **state)
{
    (void)state;
    orm_error err = ORM_ERROR_INIT;
    tui_state *st = open_state("sqlite:///hist.db");
    const char *exprs[] = {"id = 1", "id = 2", "id = 1", "id = 3"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(tui_state_history_add(st, "t", exprs[i], &err), 0);
    char **list = NULL;
    size_t n = 0;
    assert_int_equal(tui_state_history_list(st, "t", 10, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0], "id = 3");
    assert_string_equal(list[1], "id = 1");
    assert_string_equal(list[2], "id = 2");
    tui_strings_free(list, n);
    assert_int_equal(tui_state_history_list(st, "other", 10, &list, &n, &err),
                     0);
    assert_int_equal(n, 0);
    tui_strings_free(list, n);
    tui_state_free(st);
    orm_error_clear(&err);
}

static void test_state__unwritable_location_names_the_file(void **state)
{
    (void)state;
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_true(tui_state_open(&st, "/proc/orb-no/state.db", "x", &err) < 0);
    assert_null(st);
    assert_non_null(strstr(err.message, "/proc/orb-no/state.db"));
    orm_error_clear(&err);
}

static mode_t mode_of(const char *file)
{
    struct stat st;
    if (stat(file, &st) != 0)
        fail_msg("stat %s", file);
    return st.st_mode & 07777;
}

/* Saved filters can tell much about the data: the state file and its
 * folder are the user's alone, also under a lax umask, also when an
 * older orb left them readable by all. */
static void test_state__file_and_folder_are_private(void **state)
{
    (void)state;
    char home[] = "/tmp/orb-state-home-XXXXXX", dir[512], file[600];
    assert_non_null(mkdtemp(home));
    snprintf(dir, sizeof dir, "%s/orb", home);
    snprintf(file, sizeof file, "%s/state.db", dir);
    mode_t old_umask = umask(022);
    const char *old_xdg = getenv("XDG_DATA_HOME");
    char *saved_xdg = old_xdg ? strdup(old_xdg) : NULL;
    setenv("XDG_DATA_HOME", home, 1);
    orm_error err = ORM_ERROR_INIT;
    tui_state *st = NULL;

    /* A fresh start: both made private. */
    assert_int_equal(tui_state_open(&st, NULL, "sqlite:///ü.db", &err), 0);
    assert_int_equal(tui_state_filter_save(st, "Größe", "t", "id > 1", 0, &err),
                     0);
    tui_state_free(st);
    assert_int_equal(mode_of(dir), 0700);
    assert_int_equal(mode_of(file), 0600);

    /* Left readable by an older orb: narrowed, the saved filter kept. */
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(chmod(file, 0644), 0);
    assert_int_equal(tui_state_open(&st, NULL, "sqlite:///ü.db", &err), 0);
    tui_saved_filter f;
    assert_int_equal(tui_state_filter_get(st, "Größe", &f, &err), 0);
    assert_string_equal(f.expr, "id > 1");
    tui_saved_filter_clear(&f);
    tui_state_free(st);
    assert_int_equal(mode_of(dir), 0700);
    assert_int_equal(mode_of(file), 0600);

    /* A file named with --state-file is made private too. */
    char named[600];
    snprintf(named, sizeof named, "%s/Named.db", home);
    assert_int_equal(tui_state_open(&st, named, "sqlite:///ü.db", &err), 0);
    tui_state_free(st);
    assert_int_equal(mode_of(named), 0600);

    /* Not a regular file: refused by name. */
    assert_true(tui_state_open(&st, home, "x", &err) < 0);
    assert_null(st);
    assert_non_null(strstr(err.message, home));

    if (saved_xdg)
        setenv("XDG_DATA_HOME", saved_xdg, 1);
    else
        unsetenv("XDG_DATA_HOME");
    free(saved_xdg);
    umask(old_umask);
    unlink(named);
    unlink(file);
    rmdir(dir);
    rmdir(home);
    orm_error_clear(&err);
}

int main(void)
{
    char dir[] = "/tmp/orb-state-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/state.db", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state__saved_filter_survives_restart),
        cmocka_unit_test(test_state__names_are_per_database),
        cmocka_unit_test(test_state__duplicate_rename_delete),
        cmocka_unit_test(test_state__history_is_recent_first_without_repeats),
        cmocka_unit_test(test_state__unwritable_location_names_the_file),
        cmocka_unit_test(test_state__file_and_folder_are_private),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
