/*
 * Tables in several schemas (PostgreSQL), databases (MariaDB) or attached
 * databases (SQLite): a foreign key into another schema, and a table of
 * the same name in the current schema and in another one ("Mixed Täble"
 * in both). The parent a foreign key names is the one it points at,
 * never the current schema's table of the same name; both tables are
 * models of their own, read and written apart.
 *
 * The other schema is named `Orb "Schä.ma` (a quote, a dot, non-ASCII)
 * on PostgreSQL and SQLite; on MariaDB it is the test servers' second
 * database (scripts/with-servers.sh grants the test user two). SQLite's
 * foreign keys cannot cross databases: there the parent of an attached
 * database's table is in that database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_servers.h"
#include "internal.h"
#include "orm/orm.h"

#define OTHER_SCHEMA "Orb \"Sch\xC3\xA4.ma"
#define MIXED                                                                  \
    "Mixed T\xC3\xA4"                                                          \
    "ble"
#define ORDER_NAME "Bestellung \xC3\x96"

typedef struct xs {
    const char *dialect;
    char url[4096];
    char other[256]; /* the other schema / database */
    char dir[48];    /* temporary files (SQLite, the state database) */
} xs;

static void xs_exec(orm_db *db, const xs *x, const char *sql)
{
    if (db_exec(db, sql))
        fail_msg("[%s] %s: %s", x->dialect, sql,
                 orm_error_text(orm_db_error(db)));
}

/* The database name in a URL (MariaDB's databases). */
static void url_database(const char *url, char *out, size_t size)
{
    orm_url *parsed = NULL;
    orm_error e = ORM_ERROR_INIT;
    assert_int_equal(orm_url_parse(&parsed, url, &e), 0);
    snprintf(out, size, "%s", parsed->database);
    orm_url_free(parsed);
}

/* The tables: "Mixed Täble" in both schemas with a row 1 each that tells
 * them apart, xs_orders in the current schema pointing at the other's
 * (not on SQLite), and "Bestellung Ö" in the other schema pointing at
 * its own schema's table (`here`) and at the current one's (`home`, not
 * on SQLite). */
static void make_tables(orm_db *db, const xs *x)
{
    char sql[2048];
    if (strcmp(x->dialect, "sqlite") == 0) {
        snprintf(sql, sizeof sql,
                 "ATTACH DATABASE '%s/other.db' AS \"Orb \"\"Sch\xC3\xA4.ma\"",
                 x->dir);
        xs_exec(db, x, sql);
    } else if (strcmp(x->dialect, "postgresql") == 0) {
        xs_exec(db, x,
                "DROP SCHEMA IF EXISTS \"Orb \"\"Sch\xC3\xA4.ma\" CASCADE");
        xs_exec(db, x, "DROP TABLE IF EXISTS xs_orders, \"" MIXED "\"");
        xs_exec(db, x, "CREATE SCHEMA \"Orb \"\"Sch\xC3\xA4.ma\"");
    } else {
        xs_exec(db, x, "DROP TABLE IF EXISTS xs_orders");
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS `%s`.`" ORDER_NAME "`",
                 x->other);
        xs_exec(db, x, sql);
        xs_exec(db, x, "DROP TABLE IF EXISTS `" MIXED "`");
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS `%s`.`" MIXED "`",
                 x->other);
        xs_exec(db, x, sql);
    }
    int my = strcmp(x->dialect, "mysql") == 0;
    const char *q = my ? "`" : "\"";
    char other[300];
    if (my)
        snprintf(other, sizeof other, "`%s`", x->other);
    else
        snprintf(other, sizeof other, "\"Orb \"\"Sch\xC3\xA4.ma\"");
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s" MIXED "%s (id integer PRIMARY KEY,"
             " %sN\xC3\xA4me%s text)",
             q, q, q, q);
    xs_exec(db, x, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s" MIXED "%s VALUES (1, 'Current \xC3\x9Cnit')", q,
             q);
    xs_exec(db, x, sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.%s" MIXED "%s (id integer PRIMARY KEY,"
             " %sN\xC3\xA4me%s text)",
             other, q, q, q, q);
    xs_exec(db, x, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s.%s" MIXED "%s VALUES (1, 'Zo\xC3\xAB Other'),"
             " (2, '\xC3\x96laf Other')",
             other, q, q);
    xs_exec(db, x, sql);
    if (strcmp(x->dialect, "sqlite") == 0) {
        /* A foreign key's parent is in its own table's database. */
        snprintf(sql, sizeof sql,
                 "CREATE TABLE %s.\"" ORDER_NAME "\" (id integer PRIMARY KEY,"
                 " here integer REFERENCES \"" MIXED "\" (id))",
                 other);
        xs_exec(db, x, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s.\"" ORDER_NAME "\" VALUES (20, 2)", other);
        xs_exec(db, x, sql);
        return;
    }
    snprintf(sql, sizeof sql,
             "CREATE TABLE xs_orders (id integer PRIMARY KEY, customer_id"
             " integer, FOREIGN KEY (customer_id) REFERENCES %s.%s" MIXED
             "%s (id))",
             other, q, q);
    xs_exec(db, x, sql);
    xs_exec(db, x, "INSERT INTO xs_orders VALUES (10, 1)");
    /* The current schema by its name. */
    char current[256];
    if (my)
        url_database(x->url, current, sizeof current);
    else
        snprintf(current, sizeof current, "public");
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.%s" ORDER_NAME "%s (id integer PRIMARY KEY,"
             " here integer, home integer,"
             " FOREIGN KEY (here) REFERENCES %s.%s" MIXED "%s (id),"
             " FOREIGN KEY (home) REFERENCES %s%s%s.%s" MIXED "%s (id))",
             other, q, q, other, q, q, q, current, q, q, q);
    xs_exec(db, x, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s.%s" ORDER_NAME "%s VALUES (20, 2, 1)", other, q,
             q);
    xs_exec(db, x, sql);
}

static void drop_tables(const xs *x)
{
    orm_db *db = NULL;
    char sql[512];
    if (strcmp(x->dialect, "sqlite") == 0)
        return; /* the files go with the folder */
    assert_int_equal(orm_db_open(&db, x->url, NULL), 0);
    if (strcmp(x->dialect, "postgresql") == 0) {
        xs_exec(db, x, "DROP SCHEMA \"Orb \"\"Sch\xC3\xA4.ma\" CASCADE");
        xs_exec(db, x, "DROP TABLE xs_orders, \"" MIXED "\"");
    } else {
        xs_exec(db, x, "DROP TABLE xs_orders");
        snprintf(sql, sizeof sql, "DROP TABLE `%s`.`" ORDER_NAME "`", x->other);
        xs_exec(db, x, sql);
        xs_exec(db, x, "DROP TABLE `" MIXED "`");
        snprintf(sql, sizeof sql, "DROP TABLE `%s`.`" MIXED "`", x->other);
        xs_exec(db, x, sql);
    }
    orm_db_free(db);
}

static int setup(void **state)
{
    xs *x = *state;
    snprintf(x->dir, sizeof x->dir, "/tmp/orb-xschema-XXXXXX");
    if (!mkdtemp(x->dir))
        fail_msg("mkdtemp failed");
    if (strcmp(x->dialect, "sqlite") == 0) {
        snprintf(x->url, sizeof x->url, "sqlite:///%s/main.db", x->dir);
        snprintf(x->other, sizeof x->other, "%s", OTHER_SCHEMA);
    } else if (strcmp(x->dialect, "postgresql") == 0) {
        snprintf(x->url, sizeof x->url, "%s",
                 test_server_url("ORB_TEST_PG_URL"));
        snprintf(x->other, sizeof x->other, "%s", OTHER_SCHEMA);
    } else {
        snprintf(x->url, sizeof x->url, "%s",
                 test_server_url("ORB_TEST_MYSQL_URL"));
        url_database(test_server_url("ORB_TEST_MYSQL_FOREIGN_URL"), x->other,
                     sizeof x->other);
    }
    return 0;
}

static int teardown(void **state)
{
    xs *x = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", x->dir);
    return 0;
}

static int skip_without_servers(const xs *x)
{
    return strcmp(x->dialect, "sqlite") != 0 &&
           test_servers_skipped(x->dialect);
}

/* Row `id` of `m`: column Näme as text. */
static void assert_name(orm_db *db, const orm_model *m, int64_t id,
                        const char *want)
{
    orm_session *s = NULL;
    orm_record *rec = NULL;
    orm_value key = orm_value_int(id);
    assert_int_equal(orm_session_new(&s, db), 0);
    if (orm_session_get(s, m, &key, &rec) != ORM_ROW)
        fail_msg("get %s %lld: %s", m->table, (long long)id,
                 orm_error_text(orm_session_error(s)));
    const orm_value *v = orm_record_get(rec, "N\xC3\xA4me");
    assert_non_null(v);
    assert_int_equal(v->kind, ORM_VTEXT);
    assert_string_equal(v->u.s.ptr, want);
    orm_session_free(s);
}

/* ---- the ORM ---- */

static void test_xschema__foreign_key_lands_in_its_own_schema(void **state)
{
    xs *x = *state;
    int sqlite = strcmp(x->dialect, "sqlite") == 0;
    orm_db *db = NULL;
    if (skip_without_servers(x))
        skip();
    assert_int_equal(orm_db_open(&db, x->url, NULL), 0);
    make_tables(db, x);
    assert_int_equal(orm_db_reflect_all(db), 0);

    const orm_model *current = orm_db_find_table(db, MIXED);
    assert_non_null(current);
    assert_null(current->schema);
    char *other_name = orm_name_join(x->other, MIXED);
    assert_non_null(other_name);
    if (strcmp(x->dialect, "mysql") != 0) /* quotes around the schema */
        assert_string_equal(other_name, "\"Orb \"\"Sch\xC3\xA4.ma\"." MIXED);
    const orm_model *other = NULL;

    if (!sqlite) {
        /* The current schema's child names its parent in the other. */
        const orm_model *orders = orm_db_find_table(db, "xs_orders");
        assert_non_null(orders);
        const orm_column *fk = orm_model_column(orders, "customer_id");
        assert_non_null(fk);
        assert_non_null(fk->ref_table);
        assert_string_equal(fk->ref_table, other_name);
        assert_int_equal(orm_db_lookup_table(db, fk->ref_table, &other), 0);
        assert_non_null(other);
        assert_ptr_not_equal(other, current);
        assert_string_equal(other->schema, x->other);
        assert_string_equal(other->table, MIXED);
    }
    /* Registering it left the current schema's table where it was. */
    assert_ptr_equal(orm_db_find_table(db, MIXED), current);
    assert_ptr_equal(orm_db_find_model(db, MIXED), current);

    /* The other schema's child: its own schema's parent by a qualified
     * name, the current schema's by a bare one. */
    char *child_name = orm_name_join(x->other, ORDER_NAME);
    const orm_model *child = NULL;
    assert_int_equal(orm_db_lookup_model(db, child_name, &child), 0);
    assert_non_null(child);
    assert_string_equal(child->schema, x->other);
    const orm_column *here = orm_model_column(child, "here");
    assert_non_null(here);
    assert_non_null(here->ref_table);
    assert_string_equal(here->ref_table, other_name);
    const orm_model *parent = NULL;
    assert_int_equal(orm_db_lookup_table(db, here->ref_table, &parent), 0);
    assert_non_null(parent);
    if (other)
        assert_ptr_equal(parent, other);
    other = parent;
    assert_ptr_not_equal(other, current);
    assert_ptr_equal(orm_db_find_model(db, other_name), other);
    if (!sqlite) {
        const orm_column *home = orm_model_column(child, "home");
        assert_non_null(home);
        assert_string_equal(home->ref_table, MIXED);
        assert_int_equal(orm_db_lookup_table(db, home->ref_table, &parent), 0);
        assert_ptr_equal(parent, current);
    }

    /* Both read apart, and a change to one leaves the other alone. */
    assert_name(db, current, 1, "Current \xC3\x9Cnit");
    assert_name(db, other, 1, "Zo\xC3\xAB Other");
    orm_session *s = NULL;
    orm_record *rec = NULL;
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_session_get(s, other, &key, &rec), ORM_ROW);
    assert_int_equal(orm_record_set_text(rec, "N\xC3\xA4me",
                                         "Zo\xC3\xAB \xC3\x84nderung", NULL),
                     0);
    if (orm_session_commit(s))
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    orm_session_free(s);
    assert_name(db, other, 1, "Zo\xC3\xAB \xC3\x84nderung");
    assert_name(db, current, 1, "Current \xC3\x9Cnit");

    free(other_name);
    free(child_name);
    orm_db_free(db);
    drop_tables(x);
}

/* A table named with the current schema's name is the current schema's
 * model: "t" and "current.t" are one, "other.t" another. */
static void test_xschema__current_schema_by_name_is_one_model(void **state)
{
    xs *x = *state;
    orm_db *db = NULL;
    char current_schema[256], name[300];
    if (skip_without_servers(x))
        skip();
    if (strcmp(x->dialect, "sqlite") == 0)
        snprintf(current_schema, sizeof current_schema, "main");
    else if (strcmp(x->dialect, "postgresql") == 0)
        snprintf(current_schema, sizeof current_schema, "public");
    else
        url_database(x->url, current_schema, sizeof current_schema);
    assert_int_equal(orm_db_open(&db, x->url, NULL), 0);
    make_tables(db, x);
    assert_int_equal(orm_db_reflect_all(db), 0);
    size_t before = orm_db_model_count(db);
    char *other_name = orm_name_join(x->other, MIXED);
    const orm_model *other = NULL, *named = NULL;
    assert_int_equal(orm_db_lookup_model(db, other_name, &other), 0);
    assert_int_equal(orm_db_model_count(db), before + 1);
    snprintf(name, sizeof name, "%s." MIXED, current_schema);
    assert_int_equal(orm_db_lookup_model(db, name, &named), 0);
    assert_ptr_not_equal(named, other);
    assert_int_equal(orm_db_model_count(db), before + 1);
    assert_ptr_equal(orm_db_find_table(db, MIXED), named);
    assert_ptr_equal(orm_db_find_model(db, MIXED), named);
    assert_ptr_equal(orm_db_find_table(db, other_name), other);
    assert_name(db, named, 1, "Current \xC3\x9Cnit");
    free(other_name);
    orm_db_free(db);
    drop_tables(x);
}

int main(void)
{
    static xs dialects[3] = {
        {.dialect = "sqlite"}, {.dialect = "postgresql"}, {.dialect = "mysql"}};
    int failures = 0;
    for (int i = 0; i < 3; i++) {
        const struct CMUnitTest tests[] = {
#define T(name)                                                                \
    cmocka_unit_test_prestate_setup_teardown(name, setup, teardown,            \
                                             &dialects[i])
            T(test_xschema__foreign_key_lands_in_its_own_schema),
            T(test_xschema__current_schema_by_name_is_one_model),
#undef T
        };
        char group[64];
        snprintf(group, sizeof group, "xschema_%s", dialects[i].dialect);
        failures += _cmocka_run_group_tests(
            group, tests, sizeof tests / sizeof tests[0], NULL, NULL);
    }
    return failures;
}
