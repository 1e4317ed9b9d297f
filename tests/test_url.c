/* Tests for connection URLs (orm/src/url.c): parsing SQLAlchemy forms,
 * error messages that never show the password, formatting and round
 * trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "orm/url.h"

/* Parse text that must be valid. */
static orm_url *parse_ok(const char *text)
{
    orm_url *url = NULL;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_url_parse(&url, text, &err);
    if (rc != 0)
        fail_msg("parsing '%s' failed: %s", text, orm_error_text(&err));
    orm_error_clear(&err);
    return url;
}

/* Parse text that must fail; returns the message (owned). */
static char *parse_fail(const char *text, size_t *position)
{
    orm_url *url = NULL;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_url_parse(&url, text, &err);
    assert_int_equal(rc, ORM_EINVALID);
    assert_null(url);
    assert_int_equal(err.code, ORM_EINVALID);
    assert_non_null(err.message);
    char *message = strdup(err.message);
    if (position)
        *position = err.position;
    orm_error_clear(&err);
    return message;
}

static void assert_fails_with(const char *text, const char *expected)
{
    char *message = parse_fail(text, NULL);
    assert_string_equal(message, expected);
    free(message);
}

static void assert_str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

static void test_url__sqlite_relative_path(void **state)
{
    (void)state;
    orm_url *url = parse_ok("sqlite:///relative.db");
    assert_string_equal(url->dialect, "sqlite");
    assert_null(url->driver);
    assert_string_equal(url->database, "relative.db");
    assert_null(url->host);
    assert_null(url->user);
    assert_null(url->password);
    assert_int_equal(url->port, 0);
    assert_int_equal(url->nparams, 0);
    orm_url_free(url);
}

static void test_url__sqlite_absolute_path(void **state)
{
    (void)state;
    orm_url *url = parse_ok("sqlite:////abs/path.db");
    assert_string_equal(url->database, "/abs/path.db");
    orm_url_free(url);
    url = parse_ok("sqlite:///sub/dir/x.db");
    assert_string_equal(url->database, "sub/dir/x.db");
    orm_url_free(url);
}

static void test_url__sqlite_memory_forms_all_give_memory(void **state)
{
    (void)state;
    const char *forms[] = {"sqlite://", "sqlite:///",
                           "sqlite:///:memory:", "SQLite://"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        orm_url *url = parse_ok(forms[i]);
        assert_string_equal(url->dialect, "sqlite");
        assert_string_equal(url->database, ":memory:");
        orm_url_free(url);
    }
}

static void test_url__sqlite_path_is_percent_decoded(void **state)
{
    (void)state;
    orm_url *url = parse_ok("sqlite:///my%20data%3F.db?mode=ro");
    assert_string_equal(url->database, "my data?.db");
    assert_string_equal(orm_url_param_get(url, "mode"), "ro");
    orm_url_free(url);
}

static void test_url__sqlite_rejects_host_and_user(void **state)
{
    (void)state;
    assert_fails_with("sqlite://relative.db",
                      "sqlite URLs have no host: use sqlite:///path");
    assert_fails_with("sqlite://user:pw@host/x.db",
                      "sqlite URLs have no host: use sqlite:///path");
}

static void test_url__postgresql_all_parts(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql://scott:tiger@db.example.com:5433/shop"
                            "?sslmode=require&application_name=orb");
    assert_string_equal(url->dialect, "postgresql");
    assert_null(url->driver);
    assert_string_equal(url->user, "scott");
    assert_string_equal(url->password, "tiger");
    assert_string_equal(url->host, "db.example.com");
    assert_int_equal(url->port, 5433);
    assert_string_equal(url->database, "shop");
    assert_int_equal(url->nparams, 2);
    assert_string_equal(url->params[0].key, "sslmode");
    assert_string_equal(url->params[1].key, "application_name");
    assert_string_equal(orm_url_param_get(url, "sslmode"), "require");
    assert_string_equal(orm_url_param_get(url, "application_name"), "orb");
    assert_null(orm_url_param_get(url, "missing"));
    orm_url_free(url);
}

static void test_url__missing_parts_stay_null(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql://");
    assert_null(url->user);
    assert_null(url->password);
    assert_null(url->host);
    assert_int_equal(url->port, 0);
    assert_null(url->database);
    orm_url_free(url);

    url = parse_ok("postgresql:///shop");
    assert_null(url->host);
    assert_string_equal(url->database, "shop");
    orm_url_free(url);

    url = parse_ok("postgresql://alice@localhost");
    assert_string_equal(url->user, "alice");
    assert_null(url->password);
    assert_string_equal(url->host, "localhost");
    assert_null(url->database);
    orm_url_free(url);

    url = parse_ok("postgresql://localhost:/db");
    assert_int_equal(url->port, 0);
    orm_url_free(url);
}

static void test_url__dialect_aliases_are_normalized(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgres://u@h/d");
    assert_string_equal(url->dialect, "postgresql");
    orm_url_free(url);
    url = parse_ok("mariadb://u@h:3307/d");
    assert_string_equal(url->dialect, "mysql");
    assert_int_equal(url->port, 3307);
    orm_url_free(url);
    url = parse_ok("mysql://u@h/d");
    assert_string_equal(url->dialect, "mysql");
    orm_url_free(url);
}

static void test_url__driver_part_is_kept_apart(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql+psycopg2://u:p@h/d");
    assert_string_equal(url->dialect, "postgresql");
    assert_string_equal(url->driver, "psycopg2");
    orm_url_free(url);
    url = parse_ok("mysql+pymysql://u@h/d");
    assert_string_equal(url->dialect, "mysql");
    assert_string_equal(url->driver, "pymysql");
    orm_url_free(url);
    url = parse_ok("sqlite+pysqlite:///x.db");
    assert_string_equal(url->dialect, "sqlite");
    assert_string_equal(url->driver, "pysqlite");
    assert_string_equal(url->database, "x.db");
    orm_url_free(url);
}

static void test_url__ipv6_host_loses_brackets(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql://u@[::1]:5432/d");
    assert_string_equal(url->host, "::1");
    assert_int_equal(url->port, 5432);
    orm_url_free(url);
    url = parse_ok("mysql://[fe80::1%25eth0]/d");
    assert_string_equal(url->host, "fe80::1%eth0");
    assert_int_equal(url->port, 0);
    orm_url_free(url);
}

static void test_url__parts_are_percent_decoded(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql://us%40er:p%3Aa%40s%2Fs@h%2Dx/"
                            "my%20db?opt%3D1=a%26b");
    assert_string_equal(url->user, "us@er");
    assert_string_equal(url->password, "p:a@s/s");
    assert_string_equal(url->host, "h-x");
    assert_string_equal(url->database, "my db");
    assert_string_equal(orm_url_param_get(url, "opt=1"), "a&b");
    orm_url_free(url);
}

static void test_url__last_at_sign_ends_userinfo(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql://bob:p@ss@w:rd@host:5432/db");
    assert_string_equal(url->user, "bob");
    assert_string_equal(url->password, "p@ss@w:rd");
    assert_string_equal(url->host, "host");
    assert_int_equal(url->port, 5432);
    assert_string_equal(url->database, "db");
    orm_url_free(url);
}

static void test_url__empty_password_is_present(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql://bob:@host/db");
    assert_string_equal(url->user, "bob");
    assert_non_null(url->password);
    assert_string_equal(url->password, "");
    orm_url_free(url);
}

static void test_url__query_without_value_and_empty_pieces(void **state)
{
    (void)state;
    orm_url *url = parse_ok("mysql://h/d?ssl&&charset=utf8mb4&");
    assert_int_equal(url->nparams, 2);
    assert_string_equal(orm_url_param_get(url, "ssl"), "");
    assert_string_equal(orm_url_param_get(url, "charset"), "utf8mb4");
    orm_url_free(url);
}

static void test_url__surrounding_blanks_are_ignored(void **state)
{
    (void)state;
    orm_url *url = parse_ok("  postgresql://h/d\n");
    assert_string_equal(url->host, "h");
    assert_string_equal(url->database, "d");
    orm_url_free(url);
}

static void test_url__unknown_dialect_is_named(void **state)
{
    (void)state;
    assert_fails_with("oracle://scott:tiger@h/d",
                      "unknown database 'oracle' in URL (known: sqlite, "
                      "postgresql, mysql, mariadb)");
    assert_fails_with("oracle+cx://h/d",
                      "unknown database 'oracle' in URL (known: sqlite, "
                      "postgresql, mysql, mariadb)");
}

static void test_url__malformed_urls_say_what_is_wrong(void **state)
{
    (void)state;
    size_t pos = 0;
    assert_fails_with("localhost/shop",
                      "missing '://' in URL (expected e.g. "
                      "sqlite:///file.db or postgresql://user@host/dbname)");
    assert_fails_with("", "the URL is empty");
    assert_fails_with("://h/d", "no database before '://' in URL (known: "
                                "sqlite, postgresql, mysql, mariadb)");
    assert_fails_with("+x://h/d", "no database before '+' in URL (known: "
                                  "sqlite, postgresql, mysql, mariadb)");
    assert_fails_with("postgresql+://h/d",
                      "expected dialect+driver at character 11");
    assert_fails_with("postgresql://u@localhost:abc/d",
                      "port 'abc' is not a number");
    assert_fails_with("postgresql://u@localhost:70000/d",
                      "port 70000 out of range (1-65535)");
    assert_fails_with("postgresql://u@localhost:0/d",
                      "port 0 out of range (1-65535)");
    assert_fails_with("postgresql://u@[::1/d",
                      "unclosed '[' in host at character 16");
    assert_fails_with("postgresql://u@[::1]x/d",
                      "unexpected text after ']' at character 21");
    assert_fails_with("mysql://h/d?=v", "empty parameter name at "
                                        "character 13");
    char *message = parse_fail("postgresql://h/my%zzdb", &pos);
    assert_string_equal(message, "bad %-escape at character 18");
    assert_int_equal(pos, 18);
    free(message);
    assert_fails_with("postgresql://h/db%4", "bad %-escape at character 18");
    assert_fails_with("postgresql://h/db%00x", "bad %-escape at character 18");
}

static void test_url__null_arguments_are_refused(void **state)
{
    (void)state;
    orm_url *url = NULL;
    assert_int_equal(orm_url_parse(&url, NULL, NULL), ORM_EINVALID);
    assert_int_equal(orm_url_parse(NULL, "sqlite://", NULL), ORM_EINVALID);
    assert_null(orm_url_param_get(NULL, "x"));
    orm_url_free(NULL);
}

/* The password must not be in the message, however the URL is broken. */
static void assert_message_hides(const char *text, const char *secret)
{
    char *message = parse_fail(text, NULL);
    if (strstr(message, secret))
        fail_msg("message for a URL leaks the password: %s", message);
    free(message);
}

static void test_url__password_never_in_errors(void **state)
{
    (void)state;
    /* The port repeats the password. */
    assert_message_hides("postgresql://u:abc@host:abc/db", "abc");
    /* A numeric password repeated as an out-of-range port. */
    assert_message_hides("postgresql://u:99999@host:99999/db", "99999");
    /* A URL that forgot its host: the password sits where a port goes. */
    assert_message_hides("postgresql://admin:hunter2/db", "hunter2");
    assert_message_hides("postgresql://admin:123456/db", "123456");
    /* An unencoded '/' in the password moves part of it to the port. */
    assert_message_hides("postgresql://admin:pa/ss@host/db", "pa");
    /* A bad escape inside the password. */
    assert_message_hides("postgresql://u:s3cr%zzet@h/db", "s3cr");
    assert_message_hides("postgresql://u:s3cr%zzet@h/db", "et@h");
    /* Errors found later (unknown dialect, sqlite host) don't echo the
     * authority either. */
    assert_message_hides("oracle://u:tiger@h/d", "tiger");
    assert_message_hides("sqlite://u:tiger@h/d", "tiger");
    assert_message_hides("postgresql://u:tiger@[::1/d", "tiger");

    size_t pos = 0;
    char *message = parse_fail("postgresql://u:abc@host:abc/db", &pos);
    assert_string_equal(message, "port is not a number at character 25");
    assert_int_equal(pos, 25);
    free(message);
}

static void test_url__format_redacts_password(void **state)
{
    (void)state;
    orm_url *url =
        parse_ok("postgresql://scott:tiger@localhost:5432/shop?sslmode="
                 "require&password=tiger2");
    char *text = orm_url_format(url, 1);
    assert_string_equal(text, "postgresql://scott:***@localhost:5432/shop"
                              "?sslmode=require&password=***");
    free(text);
    text = orm_url_format(url, 0);
    assert_string_equal(text, "postgresql://scott:tiger@localhost:5432/shop"
                              "?sslmode=require&password=tiger2");
    free(text);
    orm_url_free(url);

    url = parse_ok("postgresql://scott@localhost/shop");
    text = orm_url_format(url, 1);
    assert_string_equal(text, "postgresql://scott@localhost/shop");
    free(text);
    orm_url_free(url);
}

static void test_url__format_sqlite_forms(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"sqlite://", "sqlite://"},
        {"sqlite:///:memory:", "sqlite://"},
        {"sqlite:///relative.db", "sqlite:///relative.db"},
        {"sqlite:////abs/path.db", "sqlite:////abs/path.db"},
        {"sqlite+pysqlite:///a%20b.db?mode=ro",
         "sqlite+pysqlite:///a%20b.db?mode=ro"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_url *url = parse_ok(cases[i].in);
        char *text = orm_url_format(url, 1);
        assert_string_equal(text, cases[i].out);
        free(text);
        orm_url_free(url);
    }
}

static void test_url__format_normalizes_and_encodes(void **state)
{
    (void)state;
    orm_url *url;
    char *text;
    url = parse_ok("mariadb://us%40er:p%40ss@[::1]:3306/my%20db?o=a%26b");
    text = orm_url_format(url, 0);
    assert_string_equal(text,
                        "mysql://us%40er:p%40ss@[::1]:3306/my%20db?o=a%26b");
    free(text);
    orm_url_free(url);
}

static void test_url__set_password_replaces_and_removes(void **state)
{
    (void)state;
    orm_url *url = parse_ok("postgresql://bob@h/d");
    assert_int_equal(orm_url_set_password(url, "n:ew@pw"), 0);
    assert_string_equal(url->password, "n:ew@pw");
    char *text = orm_url_format(url, 0);
    assert_string_equal(text, "postgresql://bob:n%3Aew%40pw@h/d");
    free(text);
    text = orm_url_format(url, 1);
    assert_string_equal(text, "postgresql://bob:***@h/d");
    free(text);
    assert_int_equal(orm_url_set_password(url, NULL), 0);
    assert_null(url->password);
    text = orm_url_format(url, 1);
    assert_string_equal(text, "postgresql://bob@h/d");
    free(text);
    assert_int_equal(orm_url_set_password(NULL, "x"), ORM_EINVALID);
    orm_url_free(url);
}

static void assert_same_url(const orm_url *a, const orm_url *b)
{
    assert_string_equal(a->dialect, b->dialect);
    assert_str_or_null(a->driver, b->driver);
    assert_str_or_null(a->user, b->user);
    assert_str_or_null(a->password, b->password);
    assert_str_or_null(a->host, b->host);
    assert_int_equal(a->port, b->port);
    assert_str_or_null(a->database, b->database);
    assert_int_equal(a->nparams, b->nparams);
    for (size_t i = 0; i < a->nparams; i++) {
        assert_string_equal(a->params[i].key, b->params[i].key);
        assert_string_equal(a->params[i].value, b->params[i].value);
    }
}

static void test_url__format_then_parse_round_trips(void **state)
{
    (void)state;
    const char *urls[] = {
        "sqlite://",
        "sqlite:///relative.db",
        "sqlite:////abs/path with space.db",
        "sqlite:///%3Amemory%3A.db",
        "sqlite:///x.db?mode=ro&cache=shared",
        "postgresql://",
        "postgresql:///onlydb",
        "postgresql://:5432/db",
        "postgresql://:secret@host/db",
        "postgresql://user:password@host:5432/dbname?opt=v&opt2=v2",
        "postgres://bob:p@ss@w:rd@host/db",
        ("postgresql+psycopg2://u%2Fx:p%25w%2F%3F%23@[::1]:6543/a%2Fb?"
         "k%3D=v%26=x&k2=%2B+"),
        "mysql+pymysql://u@h/d?charset=utf8mb4&ssl",
        "mariadb://root:@127.0.0.1:3306/test",
        "mysql://h/%E2%9C%93db",
        "postgresql://u:pw@[fe80::1%25eth0]:5432/db",
        "postgresql://bob:@host",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        orm_url *first = parse_ok(urls[i]);
        char *text = orm_url_format(first, 0);
        assert_non_null(text);
        orm_url *second = parse_ok(text);
        assert_same_url(first, second);
        /* Formatting is canonical: a second round gives the same text. */
        char *again = orm_url_format(second, 0);
        assert_string_equal(text, again);
        free(again);
        free(text);
        orm_url_free(second);
        orm_url_free(first);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url__sqlite_relative_path),
        cmocka_unit_test(test_url__sqlite_absolute_path),
        cmocka_unit_test(test_url__sqlite_memory_forms_all_give_memory),
        cmocka_unit_test(test_url__sqlite_path_is_percent_decoded),
        cmocka_unit_test(test_url__sqlite_rejects_host_and_user),
        cmocka_unit_test(test_url__postgresql_all_parts),
        cmocka_unit_test(test_url__missing_parts_stay_null),
        cmocka_unit_test(test_url__dialect_aliases_are_normalized),
        cmocka_unit_test(test_url__driver_part_is_kept_apart),
        cmocka_unit_test(test_url__ipv6_host_loses_brackets),
        cmocka_unit_test(test_url__parts_are_percent_decoded),
        cmocka_unit_test(test_url__last_at_sign_ends_userinfo),
        cmocka_unit_test(test_url__empty_password_is_present),
        cmocka_unit_test(test_url__query_without_value_and_empty_pieces),
        cmocka_unit_test(test_url__surrounding_blanks_are_ignored),
        cmocka_unit_test(test_url__unknown_dialect_is_named),
        cmocka_unit_test(test_url__malformed_urls_say_what_is_wrong),
        cmocka_unit_test(test_url__null_arguments_are_refused),
        cmocka_unit_test(test_url__password_never_in_errors),
        cmocka_unit_test(test_url__format_redacts_password),
        cmocka_unit_test(test_url__format_sqlite_forms),
        cmocka_unit_test(test_url__format_normalizes_and_encodes),
        cmocka_unit_test(test_url__set_password_replaces_and_removes),
        cmocka_unit_test(test_url__format_then_parse_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
