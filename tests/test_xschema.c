/*
 * Tables in several schemas (PostgreSQL), databases (MariaDB) or attached
 * databases (SQLite): a foreign key into another schema, and a table of
 * the same name in the current schema and in another one ("Mixed Täble"
 * in both). The parent a foreign key names is the one it points at,
 * never the current schema's table of the same name; both tables are
 * models of their own, read and written apart; the browser follows such
 * a key (Enter, the form's picker, what refers to a row) to the right
 * table, and a saved filter on the other schema's table stays its own.
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
#include <sys/stat.h>
#include <unistd.h>

#include "helper_servers.h"
#include "internal.h"
#include "test_tui_fixture.h"
#include "tui.h"

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
    } else if (test_servers_skipped(x->dialect)) {
        /* ORB_TEST_SKIP_SERVERS=1: each test skips itself (a skip()
         * here would count as a failed setup). */
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

/* ---- the browser ---- */

static void start_browser(tui_fixture *fx, const xs *x)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "%s/config", x->dir);
    assert_int_equal(mkdir(fx->dir, 0700), 0);
    fx->opts.url = x->url;
    assert_int_equal(tui_open_db(&fx->db, &fx->opts, stderr), 0);
    fx_start(fx, 24, 100);
}

static void stop_browser(tui_fixture *fx)
{
    tui_app_free(fx->app);
    fx->scr->ops->free(fx->scr);
    orm_db_free(fx->db);
}

static const char *top_name(tui_fixture *fx)
{
    return tui_app_top(fx->app)->ops->name;
}

/* Enter on the key into the other schema opens the other schema's row;
 * b on it lists the child; the form's picker lists the other schema's
 * rows and the key picked is written. */
static void
test_xschema__browser_follows_a_key_into_another_schema(void **state)
{
    xs *x = *state;
    tui_fixture fx;
    if (skip_without_servers(x) || strcmp(x->dialect, "sqlite") == 0)
        skip(); /* SQLite's keys stay in their database */
    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, x->url, NULL), 0);
    make_tables(db, x);
    orm_db_free(db);
    start_browser(&fx, x);

    fx_send(&fx, "/xs_orders<Enter>");
    if (strcmp(top_name(&fx), "rows") != 0)
        fx_dump_fail(&fx, "rows screen not open for", "xs_orders");
    fx_send(&fx, "<Enter>"); /* order 10 */
    fx_assert_shows(&fx, "customer_id");
    fx_send(&fx, "j<Enter>");
    if (strcmp(top_name(&fx), "record") != 0)
        fx_dump_fail(&fx, "record screen not open for", MIXED);
    fx_assert_shows(&fx, "Zo\xC3\xAB Other");
    fx_assert_not_shows(&fx, "Current \xC3\x9Cnit");
    /* The title names the table with its schema: the current schema has
     * a table of the same name. */
    char *qualified = orm_name_join(x->other, MIXED);
    char title[300];
    assert_non_null(qualified);
    snprintf(title, sizeof title, "(%s) record", qualified);
    free(qualified);
    fx_assert_shows(&fx, title);
    /* What refers to the other schema's row: the order. */
    fx_send(&fx, "b");
    fx_assert_shows(&fx, "xs_orders (xs_orders) where customer_id = 1");
    fx_send(&fx, "qq");
    fx_assert_shows(&fx, "customer_id");

    /* The form's picker: the other schema's rows. */
    fx_send(&fx, "e<C-p>"); /* the form opens at the record's field */
    if (strcmp(top_name(&fx), "picker") != 0)
        fx_dump_fail(&fx, "picker not open for", "customer_id");
    fx_assert_shows(&fx, "\xC3\x96laf Other");
    fx_assert_not_shows(&fx, "Current \xC3\x9Cnit");
    fx_send(&fx, "\xC3\x96laf<Enter>");
    if (strcmp(top_name(&fx), "form") != 0)
        fx_dump_fail(&fx, "form not back after picking", "2");
    fx_assert_shows(&fx, "\xE2\x86\x92 <" MIXED " id=2> \xC3\x96laf Other");
    fx_send(&fx, "<C-s>wy"); /* save, then write */
    fx_assert_shows(&fx, "customer_id  Integer FK");
    stop_browser(&fx);

    /* Written: order 10 refers to the other schema's row 2. */
    assert_int_equal(orm_db_open(&db, x->url, NULL), 0);
    orm_session *s = NULL;
    orm_query *q = NULL;
    int64_t n = -1;
    assert_int_equal(orm_db_reflect_all(db), 0);
    const orm_model *orders = orm_db_find_table(db, "xs_orders");
    assert_non_null(orders);
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_query_new(&q, s, orders), 0);
    assert_int_equal(orm_query_where(q, "id = 10 and customer_id = 2"), 0);
    assert_int_equal(orm_query_count(q, &n), 0);
    assert_int_equal(n, 1);
    orm_query_free(q);
    orm_session_free(s);
    orm_db_free(db);
    drop_tables(x);
}

/* ---- saved filters ---- */

static int cli(const xs *x, const char *state_file, char **out_text,
               char **err_text, int argc, const char **args)
{
    tui_options opts = {0};
    size_t out_len = 0, err_len = 0;
    char *argv[8];
    orm_db *db = NULL;
    FILE *out = open_memstream(out_text, &out_len);
    FILE *err = open_memstream(err_text, &err_len);
    opts.url = x->url;
    opts.state_file = state_file;
    for (int i = 0; i < argc; i++)
        argv[i] = strdup(args[i]);
    opts.one_model = tui_cli_one_model(argc, argv);
    int status = tui_open_db(&db, &opts, err);
    if (status == 0)
        status = tui_cli_run(db, &opts, argc, argv, out, err);
    orm_db_free(db);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    fclose(out);
    fclose(err);
    return status;
}

/* A filter saved on the other schema's "Mixed Täble" is kept under that
 * name and found by it, and is not the current schema's table's. */
static void test_xschema__saved_filter_keeps_its_schema(void **state)
{
    xs *x = *state;
    char state_file[128], want[512], *out = NULL, *err = NULL;
    if (skip_without_servers(x) || strcmp(x->dialect, "sqlite") == 0)
        skip(); /* the command line cannot attach a database */
    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, x->url, NULL), 0);
    make_tables(db, x);
    orm_db_free(db);
    snprintf(state_file, sizeof state_file, "%s/state.db", x->dir);
    char *other_name = orm_name_join(x->other, MIXED);

    const char *save[] = {"filter", "save", "zo\xC3\xAB", other_name,
                          "\"N\xC3\xA4me\" = 'Zo\xC3\xAB Other'"};
    int status = cli(x, state_file, &out, &err, 5, save);
    snprintf(want, sizeof want,
             "saved 'zo\xC3\xAB' for %s: \"N\xC3\xA4me\" = 'Zo\xC3\xAB "
             "Other'\n",
             other_name);
    assert_string_equal(err, "");
    assert_string_equal(out, want);
    assert_int_equal(status, 0);
    free(out);
    free(err);

    const char *use[] = {"rows",       other_name, "--filter",
                         "zo\xC3\xAB", "--format", "csv"};
    status = cli(x, state_file, &out, &err, 6, use);
    assert_string_equal(err, "");
    assert_string_equal(out, "id,N\xC3\xA4me\r\n1,Zo\xC3\xAB Other\r\n");
    assert_int_equal(status, 0);
    free(out);
    free(err);

    const char *wrong[] = {"rows", MIXED, "--filter", "zo\xC3\xAB"};
    status = cli(x, state_file, &out, &err, 4, wrong);
    snprintf(want, sizeof want,
             "orb: saved filter 'zo\xC3\xAB' is for %s, not " MIXED "\n",
             other_name);
    assert_string_equal(out, "");
    assert_string_equal(err, want);
    assert_int_equal(status, 1);
    free(out);
    free(err);
    free(other_name);
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
            T(test_xschema__browser_follows_a_key_into_another_schema),
            T(test_xschema__saved_filter_keeps_its_schema),
#undef T
        };
        char group[64];
        snprintf(group, sizeof group, "xschema_%s", dialects[i].dialect);
        failures += _cmocka_run_group_tests(
            group, tests, sizeof tests / sizeof tests[0], NULL, NULL);
    }
    return failures;
}
