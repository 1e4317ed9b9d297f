/*
 * The command line's saved filters and export, called in-process
 * (tui_cli_filter_run, tui_cli_export_run, tui_cli_saved_filter_expr)
 * with output captured in memory: save / show / list / rename / delete,
 * the expression checked against the model before saving, a dropped
 * column reported plainly, exact CSV / TSV / JSON text, --where and
 * --filter ANDed, --output through a temporary file, 100k rows in
 * bounded memory, Ctrl-C, SIGTERM with the server gone mid-export (a
 * proxy that stops passing anything), SQL injection attempts, no
 * password in the state file, and the same saved filter giving the same rows on
 * SQLite, PostgreSQL and MariaDB (ORB_TEST_PG_URL / ORB_TEST_MYSQL_URL: the
 * test fails when they are unset).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_filter.h"
#include "helper_file.h"
#include "helper_run.h"
#include "helper_servers.h"
#include "helper_trips.h"
#include "orm/orm.h"
#include "orm/sys/buf.h"
#include "state.h"

/* The accounts of every dialect (table name set per test). */
static const orm_column acct_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle", .type = ORM_STRING, .length = 50},
    {.name = "active", .type = ORM_BOOLEAN},
    {.name = "balance", .type = ORM_NUMERIC, .precision = 10, .scale = 2},
    {.name = "born", .type = ORM_DATE},
    {.name = "note", .type = ORM_TEXT},
    {.name = "secret_key",
     .type = ORM_STRING,
     .length = 40,
     .flags = ORM_SECRET},
};
static const orm_model Acct = ORM_MODEL("Account", "accounts", acct_columns);
static const orm_model NetAcct =
    ORM_MODEL("FltAccount", "flt_accounts", acct_columns);

static const orm_column small_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "name", .type = ORM_STRING, .length = 40},
    {.name = "note", .type = ORM_TEXT},
    {.name = "active", .type = ORM_BOOLEAN},
    {.name = "price", .type = ORM_NUMERIC, .precision = 10, .scale = 2},
    {.name = "ratio", .type = ORM_FLOAT},
    {.name = "data", .type = ORM_BLOB},
    {.name = "secret_key",
     .type = ORM_STRING,
     .length = 40,
     .flags = ORM_SECRET},
};
static const orm_model Small = ORM_MODEL("Small", "small", small_columns);

static const orm_column big_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "label", .type = ORM_STRING, .length = 40},
    {.name = "n", .type = ORM_INTEGER},
    {.name = "payload", .type = ORM_TEXT},
};
static const orm_model Big = ORM_MODEL("Big", "big", big_columns);

#define NACCOUNTS 15
#define BIG_ROWS  100000

typedef struct fixture {
    char dir[64];
    char url[160];
    char state[160];
    orm_db *db;
    tui_options opts;
    /* captured output of the last run */
    char *out, *err;
    size_t out_len, err_len;
} fixture;

static void check(int rc, orm_db *db, const char *what)
{
    if (rc < 0)
        fail_msg("%s: %s", what, db ? orm_error_text(orm_db_error(db)) : "");
}

static void set(orm_record *rec, const char *col, orm_value v)
{
    orm_error err = ORM_ERROR_INIT;
    if (orm_record_set(rec, col, &v, &err) != 0)
        fail_msg("set %s: %s", col, orm_error_text(&err));
    orm_error_clear(&err);
}

static const char *handle_of(int id, char *buf, size_t size)
{
    static const char *const names[] = {"jdoe",      "alice", "bob",
                                        "doemaster", "carol", "JDOE2"};
    if (id >= 1 && id <= 6)
        return names[id - 1];
    snprintf(buf, size, "user%02d", id);
    return buf;
}

static void fill_accounts(orm_db *db, const orm_model *m)
{
    orm_session *s = NULL;
    check(orm_session_new(&s, db), db, "session");
    for (int id = 1; id <= NACCOUNTS; id++) {
        orm_record *rec = NULL;
        char buf[32], born[16];
        snprintf(born, sizeof born, "1990-02-%02d", id);
        check(orm_record_new(&rec, m), db, "record");
        set(rec, "id", orm_value_int(id));
        set(rec, "handle", orm_value_text(handle_of(id, buf, sizeof buf)));
        set(rec, "active", orm_value_bool(id % 2));
        set(rec, "balance", orm_value_text(id % 3 ? "10.50" : "0.00"));
        set(rec, "born", orm_value_text(born));
        set(rec, "note",
            id % 4 ? orm_value_text(id % 5 ? "n" : "") : orm_value_null());
        set(rec, "secret_key", orm_value_text("s3cret"));
        check(orm_session_add(s, rec), db, "add");
    }
    if (orm_session_commit(s) != 0)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    orm_session_free(s);
}

static void fill_small(orm_db *db)
{
    orm_session *s = NULL;
    orm_record *rec = NULL;
    check(orm_session_new(&s, db), db, "session");
    check(orm_record_new(&rec, &Small), db, "record");
    set(rec, "id", orm_value_int(1));
    set(rec, "name", orm_value_text("plain"));
    set(rec, "note", orm_value_null());
    set(rec, "active", orm_value_bool(1));
    set(rec, "price", orm_value_text("1.50"));
    set(rec, "ratio", orm_value_float(0.25));
    set(rec, "data", orm_value_blob("\x01\xff", 2));
    set(rec, "secret_key", orm_value_text("k1"));
    orm_session_add(s, rec);
    check(orm_record_new(&rec, &Small), db, "record");
    set(rec, "id", orm_value_int(2));
    set(rec, "name", orm_value_text("a,b \"q\""));
    set(rec, "note", orm_value_text(""));
    set(rec, "active", orm_value_bool(0));
    set(rec, "price", orm_value_null());
    set(rec, "ratio", orm_value_null());
    set(rec, "data", orm_value_null());
    set(rec, "secret_key", orm_value_text("k2"));
    orm_session_add(s, rec);
    check(orm_record_new(&rec, &Small), db, "record");
    set(rec, "id", orm_value_int(3));
    set(rec, "name", orm_value_text("tab\there\nnew \\ caf\xC3\xA9"));
    set(rec, "note", orm_value_text("x"));
    set(rec, "active", orm_value_null());
    set(rec, "price", orm_value_text("-10.00"));
    set(rec, "ratio", orm_value_float(-3.5));
    set(rec, "data", orm_value_blob("", 0));
    set(rec, "secret_key", orm_value_null());
    orm_session_add(s, rec);
    if (orm_session_commit(s) != 0)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    orm_session_free(s);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/orb-filter-cli-XXXXXX");
    if (!mkdtemp(f->dir))
        fail_msg("mkdtemp failed");
    snprintf(f->url, sizeof f->url, "sqlite:///%s/test.db", f->dir);
    snprintf(f->state, sizeof f->state, "%s/state.db", f->dir);
    check(orm_db_open(&f->db, f->url, NULL), f->db, "open");
    check(orm_db_register(f->db, &Acct), f->db, "register");
    check(orm_db_register(f->db, &Small), f->db, "register");
    check(orm_db_create_all(f->db), f->db, "create");
    fill_accounts(f->db, &Acct);
    fill_small(f->db);
    f->opts.url = f->url;
    f->opts.state_file = f->state;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    orm_db_free(f->db);
    free(f->out);
    free(f->err);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

typedef int (*cli_fn)(orm_db *, const tui_options *, int, char **, FILE *,
                      FILE *);

/* Run a command with up to 15 words; output in f->out / f->err. */
static int run_words(fixture *f, orm_db *db, cli_fn fn, const char *words)
{
    char *copy = strdup(words), *argv[16];
    int argc = 0;
    /* Words are separated by '|' so that they can hold spaces. */
    for (char *p = copy; p && argc < 15;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        argv[argc++] = p;
        p = bar ? bar + 1 : NULL;
    }
    argv[argc] = NULL;
    free(f->out);
    free(f->err);
    f->out = f->err = NULL;
    FILE *out = open_memstream(&f->out, &f->out_len);
    FILE *err = open_memstream(&f->err, &f->err_len);
    int status = fn(db, &f->opts, argc, argv, out, err);
    fclose(out);
    fclose(err);
    free(copy);
    return status;
}

static int filter_cmd(fixture *f, const char *words)
{
    return run_words(f, f->db, tui_cli_filter_run, words);
}

static int export_cmd(fixture *f, const char *words)
{
    return run_words(f, f->db, tui_cli_export_run, words);
}

static void expect(fixture *f, int status, int want)
{
    if (status != want)
        fail_msg("status %d, wanted %d; stdout:\n%s\nstderr:\n%s", status, want,
                 f->out, f->err);
}

static void assert_contains(const char *text, const char *part)
{
    if (!text || !strstr(text, part))
        fail_msg("[%s] lacks [%s]", text ? text : "(null)", part);
}

/* ------------------------------------------------------------------ */

static void test_filter__save_show_list_rename_delete(void **state)
{
    fixture *f = *state;
    expect(f,
           filter_cmd(f, "filter|save|does|accounts|handle contains "
                         "'doe' or id > 10"),
           0);
    assert_contains(f->out, "saved 'does' for accounts: handle contains "
                            "'doe' or id > 10");
    expect(f, filter_cmd(f, "filter|save|big|Account|id>12"), 0);
    expect(f, filter_cmd(f, "filter|show|big"), 0);
    assert_string_equal(f->out, "name: big\nmodel: accounts\nfilter: id > "
                                "12\nlast used: never\n");
    expect(f, filter_cmd(f, "filter|list"), 0);
    assert_string_equal(f->out,
                        "NAME  MODEL     LAST USED  FILTER\n"
                        "big   accounts  never      id > 12\n"
                        "does  accounts  never      handle contains 'doe' "
                        "or id > 10\n");
    expect(f, filter_cmd(f, "filter|list|small"), 0);
    assert_string_equal(f->out, "no saved filters for small\n");
    /* The same name again needs --replace. */
    expect(f, filter_cmd(f, "filter|save|big|accounts|id > 13"), 1);
    assert_contains(f->err, "orb: a filter named 'big' already exists (use "
                            "--replace");
    expect(f, filter_cmd(f, "filter|save|big|accounts|id > 13|--replace"), 0);
    expect(f, filter_cmd(f, "filter|rename|big|large"), 0);
    assert_string_equal(f->out, "renamed 'big' to 'large'\n");
    expect(f, filter_cmd(f, "filter|show|big"), 1);
    assert_string_equal(f->err, "orb: no saved filter named 'big'\n");
    expect(f, filter_cmd(f, "filter|rename|large|does"), 1);
    assert_contains(f->err, "a filter named 'does' already exists");
    expect(f, filter_cmd(f, "filter|delete|large"), 0);
    assert_string_equal(f->out, "deleted 'large'\n");
    expect(f, filter_cmd(f, "filter|delete|large"), 1);
    expect(f, filter_cmd(f, "filter|list|accounts"), 0);
    assert_null(strstr(f->out, "large"));
    assert_contains(f->out, "does");
}

static void test_filter__expr_is_checked_against_the_model_first(void **state)
{
    fixture *f = *state;
    expect(f, filter_cmd(f, "filter|save|x|accounts|hndle contains 'doe'"), 1);
    assert_string_equal(f->err,
                        "orb: filter save: unknown column 'hndle' at 1 (did "
                        "you mean 'handle'?)\n"
                        "  hndle contains 'doe'\n"
                        "  ^\n");
    expect(f, filter_cmd(f, "filter|save|x|accounts|id > 'many'"), 1);
    assert_contains(f->err, "orb: filter save: ");
    assert_contains(f->err, "  id > 'many'\n       ^\n");
    expect(f, filter_cmd(f, "filter|save|x|nosuch|id > 1"), 1);
    assert_contains(f->err, "orb: no model or table named 'nosuch'");
    expect(f, filter_cmd(f, "filter|list"), 0);
    assert_string_equal(f->out, "no saved filters\n");
}

static void test_filter__usage_errors_exit_2_before_connecting(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "filter",          "filter|frob",         "filter|save|a|b",
        "filter|show",     "filter|show|a|b",     "filter|list|--replace",
        "filter|rename|a", "filter|delete|a|--x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* A NULL database: only the command line is checked. */
        int status = run_words(f, NULL, tui_cli_filter_run, bad[i]);
        if (status != 2)
            fail_msg("[%s] gave %d: %s", bad[i], status, f->err);
        assert_contains(f->err, "orb: ");
    }
    expect(f, run_words(f, NULL, tui_cli_filter_run, "filter|list"), 0);
    assert_string_equal(f->err, "");
    static const char *const bad_export[] = {
        "export",
        "export|accounts",
        "export|accounts|--format|xml",
        "export|accounts|--format",
        "export|accounts|--format=csv|--bogus",
        "export|a|b|--format|csv",
    };
    for (size_t i = 0; i < sizeof bad_export / sizeof bad_export[0]; i++) {
        int status = run_words(f, NULL, tui_cli_export_run, bad_export[i]);
        if (status != 2)
            fail_msg("[%s] gave %d: %s", bad_export[i], status, f->err);
    }
    expect(f,
           run_words(f, NULL, tui_cli_export_run,
                     "export|accounts|--output|x.json"),
           0);
}

static void test_filter__saved_filter_for_rows(void **state)
{
    fixture *f = *state;
    orm_expr *e = NULL;
    char *err = NULL;
    size_t err_len = 0;
    expect(f,
           filter_cmd(f, "filter|save|does|accounts|handle contains "
                         "'doe' or id > 10"),
           0);
    FILE *ef = open_memstream(&err, &err_len);
    assert_int_equal(
        tui_cli_saved_filter_expr(f->db, &f->opts, "does", &Acct, &e, ef), 0);
    fflush(ef);
    assert_string_equal(err, "");
    char *text = orm_filter_print(e);
    assert_string_equal(text, "handle contains 'doe' or id > 10");
    free(text);
    orm_expr_free(e);
    e = NULL;
    /* Marked as used. */
    expect(f, filter_cmd(f, "filter|show|does"), 0);
    assert_null(strstr(f->out, "never"));
    /* Another model's filter, a missing one. */
    assert_int_equal(
        tui_cli_saved_filter_expr(f->db, &f->opts, "does", &Small, &e, ef), 1);
    assert_null(e);
    assert_int_equal(
        tui_cli_saved_filter_expr(f->db, &f->opts, "nope", &Acct, &e, ef), 1);
    fclose(ef);
    assert_contains(err, "orb: saved filter 'does' is for accounts, not "
                         "small\n");
    assert_contains(err, "orb: no saved filter named 'nope'\n");
    free(err);
}

static void test_filter__a_dropped_column_is_reported_plainly(void **state)
{
    fixture *f = *state;
    tui_state *st = NULL;
    orm_error e = ORM_ERROR_INIT;
    /* Saved when accounts still had a column "nick". */
    assert_int_equal(tui_state_open(&st, f->state, orm_db_url(f->db), &e), 0);
    assert_int_equal(tui_state_filter_save(st, "x", "accounts",
                                           "nick = 'jd' or id > 10", 0, &e),
                     0);
    tui_state_free(st);
    expect(f, export_cmd(f, "export|accounts|--filter|x|--format|csv"), 1);
    assert_string_equal(f->err,
                        "orb: saved filter 'x': unknown column 'nick' at 1 "
                        "(columns: id, handle, active, balance, born, note, "
                        "secret_key)\n"
                        "  nick = 'jd' or id > 10\n"
                        "  ^\n");
    assert_string_equal(f->out, "");
    orm_error_clear(&e);
}

static void test_export__exact_csv_tsv_json_for_a_small_table(void **state)
{
    fixture *f = *state;
    expect(f, export_cmd(f, "export|small|--format|csv"), 0);
    assert_string_equal(f->out,
                        "id,name,note,active,price,ratio,data,secret_key\r\n"
                        "1,plain,,true,1.50,0.25,\\x01ff,***\r\n"
                        "2,\"a,b \"\"q\"\"\",\"\",false,,,,***\r\n"
                        "3,\"tab\there\nnew \\ caf\xC3\xA9\",x,,-10.00,-3.5,"
                        "\\x,***\r\n");
    assert_string_equal(f->err, "");
    expect(f, export_cmd(f, "export|small|--format=tsv|--reveal"), 0);
    assert_string_equal(f->out,
                        "id\tname\tnote\tactive\tprice\tratio\tdata\t"
                        "secret_key\n"
                        "1\tplain\t\\N\ttrue\t1.50\t0.25\t\\\\x01ff\tk1\n"
                        "2\ta,b \"q\"\t\tfalse\t\\N\t\\N\t\\N\tk2\n"
                        "3\ttab\\there\\nnew \\\\ caf\xC3\xA9\tx\t\\N\t-10.00"
                        "\t-3.5\t\\\\x\t\\N\n");
    expect(f, export_cmd(f, "export|small|--format|json"), 0);
    assert_string_equal(
        f->out,
        "[\n"
        "  {\"id\": 1, \"name\": \"plain\", \"note\": null, \"active\": true, "
        "\"price\": \"1.50\", \"ratio\": 0.25, \"data\": \"\\\\x01ff\", "
        "\"secret_key\": \"***\"},\n"
        "  {\"id\": 2, \"name\": \"a,b \\\"q\\\"\", \"note\": \"\", "
        "\"active\": false, \"price\": null, \"ratio\": null, \"data\": "
        "null, \"secret_key\": \"***\"},\n"
        "  {\"id\": 3, \"name\": \"tab\\there\\nnew \\\\ caf\xC3\xA9\", "
        "\"note\": \"x\", \"active\": null, \"price\": \"-10.00\", "
        "\"ratio\": -3.5, \"data\": \"\\\\x\", \"secret_key\": \"***\"}\n"
        "]\n");
    /* No rows: an empty array, a header alone. */
    expect(f, export_cmd(f, "export|small|--where|id > 99|--format|json"), 0);
    assert_string_equal(f->out, "[]\n");
    expect(f, export_cmd(f, "export|small|--where|id > 99|--format|csv"), 0);
    assert_string_equal(f->out,
                        "id,name,note,active,price,ratio,data,secret_key\r\n");
}

/* Numbers at their edges, a single-precision float, and text with every
 * byte CSV quotes or TSV escapes, in all three formats. */
static const orm_column edge_columns[] = {
    {.name = "id", .type = ORM_BIGINT, .flags = ORM_PK | ORM_NO_AUTOINC},
    {.name = "f", .type = ORM_FLOAT},
    {.name = "f32", .type = ORM_FLOAT, .precision = 24},
    {.name = "b", .type = ORM_BOOLEAN},
    {.name = "t", .type = ORM_TEXT},
};
static const orm_model Edge = ORM_MODEL("Edge", "edge", edge_columns);

static void test_export__edges_of_numbers_and_text(void **state)
{
    fixture *f = *state;
    orm_session *s = NULL;
    struct {
        int64_t id;
        double f, f32;
        int b;
        const char *t;
    } rows[] = {
        {-9223372036854775807LL - 1, INFINITY, 0.1, 1, "cr\r,\"Ünd\""},
        {9223372036854775807LL, -INFINITY, -2.5, 0, "\\\tß\n"},
        {0, 1e300, 0, -1, ""},
    };
    check(orm_db_register(f->db, &Edge), f->db, "register");
    check(orm_db_create_table(f->db, &Edge), f->db, "create");
    check(orm_session_new(&s, f->db), f->db, "session");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        orm_record *rec = NULL;
        check(orm_record_new(&rec, &Edge), f->db, "record");
        set(rec, "id", orm_value_int(rows[i].id));
        set(rec, "f", orm_value_float(rows[i].f));
        set(rec, "f32",
            i == 2 ? orm_value_null() : orm_value_float(rows[i].f32));
        set(rec, "b",
            rows[i].b < 0 ? orm_value_null() : orm_value_bool(rows[i].b));
        set(rec, "t", orm_value_text(rows[i].t));
        check(orm_session_add(s, rec), f->db, "add");
    }
    if (orm_session_commit(s) != 0)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    orm_session_free(s);
    expect(f, export_cmd(f, "export|edge|--format|csv"), 0);
    assert_string_equal(f->out, "id,f,f32,b,t\r\n"
                                "-9223372036854775808,inf,0.1,true,"
                                "\"cr\r,\"\"\xC3\x9Cnd\"\"\"\r\n"
                                "0,1e+300,,,\"\"\r\n"
                                "9223372036854775807,-inf,-2.5,false,"
                                "\"\\\t\xC3\x9F\n\"\r\n");
    expect(f, export_cmd(f, "export|edge|--format|tsv"), 0);
    assert_string_equal(f->out, "id\tf\tf32\tb\tt\n"
                                "-9223372036854775808\tinf\t0.1\ttrue\t"
                                "cr\\r,\"\xC3\x9Cnd\"\n"
                                "0\t1e+300\t\\N\t\\N\t\n"
                                "9223372036854775807\t-inf\t-2.5\tfalse\t"
                                "\\\\\\t\xC3\x9F\\n\n");
    expect(f, export_cmd(f, "export|edge|--format|json"), 0);
    assert_string_equal(
        f->out, "[\n"
                "  {\"id\": -9223372036854775808, \"f\": null, \"f32\": 0.1, "
                "\"b\": true, \"t\": \"cr\\r,\\\"\xC3\x9Cnd\\\"\"},\n"
                "  {\"id\": 0, \"f\": 1e+300, \"f32\": null, \"b\": null, "
                "\"t\": \"\"},\n"
                "  {\"id\": 9223372036854775807, \"f\": null, \"f32\": -2.5, "
                "\"b\": false, \"t\": \"\\\\\\t\xC3\x9F\\n\"}\n"
                "]\n");
}

static void test_export__where_and_filter_are_anded(void **state)
{
    fixture *f = *state;
    expect(f,
           filter_cmd(f, "filter|save|does|accounts|handle contains "
                         "'doe' or id > 10"),
           0);
    expect(f, export_cmd(f, "export|accounts|--filter|does|--format|csv"), 0);
    assert_string_equal(f->out,
                        "id,handle,active,balance,born,note,secret_key\r\n"
                        "1,jdoe,true,10.50,1990-02-01,n,***\r\n"
                        "4,doemaster,false,10.50,1990-02-04,,***\r\n"
                        "11,user11,true,10.50,1990-02-11,n,***\r\n"
                        "12,user12,false,0.00,1990-02-12,,***\r\n"
                        "13,user13,true,10.50,1990-02-13,n,***\r\n"
                        "14,user14,false,10.50,1990-02-14,n,***\r\n"
                        "15,user15,true,0.00,1990-02-15,\"\",***\r\n");
    expect(f,
           export_cmd(f, "export|accounts|--filter|does|--where|active "
                         "= false|--format|csv"),
           0);
    assert_string_equal(f->out,
                        "id,handle,active,balance,born,note,secret_key\r\n"
                        "4,doemaster,false,10.50,1990-02-04,,***\r\n"
                        "12,user12,false,0.00,1990-02-12,,***\r\n"
                        "14,user14,false,10.50,1990-02-14,n,***\r\n");
    expect(f, export_cmd(f, "export|accounts|--where|id >|--format|csv"), 1);
    assert_contains(f->err, "orb: --where: ");
    assert_contains(f->err, "  id >\n");
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
    closedir(d);
    return n;
}

/* No export's temporary file (".NAME.orb-XXXXXX") is left in `dir`. */
static void assert_no_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".orb-"))
            fail_msg("%s/%s was left behind", dir, e->d_name);
    closedir(d);
}

static void test_export__output_file_replaced_whole(void **state)
{
    fixture *f = *state;
    char out_dir[128], out[160], words[256];
    snprintf(out_dir, sizeof out_dir, "%s/out", f->dir);
    assert_int_equal(mkdir(out_dir, 0700), 0);
    snprintf(out, sizeof out, "%s/accounts.json", out_dir);
    FILE *old = fopen(out, "w");
    fputs("old contents", old);
    fclose(old);
    /* The format comes from the extension. */
    snprintf(words, sizeof words, "export|accounts|--where|id <= 2|--output|%s",
             out);
    expect(f, export_cmd(f, words), 0);
    assert_string_equal(f->out, "");
    assert_string_equal(f->err, ""); /* not a terminal: no progress */
    char *text = file_read(out);
    assert_string_equal(text,
                        "[\n  {\"id\": 1, \"handle\": \"jdoe\", \"active\": "
                        "true, \"balance\": \"10.50\", \"born\": "
                        "\"1990-02-01\", \"note\": \"n\", \"secret_key\": "
                        "\"***\"},\n  {\"id\": 2, \"handle\": \"alice\", "
                        "\"active\": false, \"balance\": \"10.50\", "
                        "\"born\": \"1990-02-02\", \"note\": \"n\", "
                        "\"secret_key\": \"***\"}\n]\n");
    free(text);
    assert_int_equal(dir_entries(out_dir), 1); /* no temporary file left */
    /* A failed export leaves the old file alone. */
    snprintf(words, sizeof words,
             "export|accounts|--where|nick = 1|--output|%s", out);
    expect(f, export_cmd(f, words), 1);
    text = file_read(out);
    assert_non_null(strstr(text, "jdoe"));
    free(text);
    assert_int_equal(dir_entries(out_dir), 1);
    /* A directory that does not exist. */
    snprintf(words, sizeof words,
             "export|accounts|--format|csv|--output|%s/nope/x.csv", f->dir);
    expect(f, export_cmd(f, words), 1);
    assert_contains(f->err, "orb: cannot write ");
}

/* 100k rows of ~630 bytes, made by SQLite itself (no ORM memory). */
static void make_big(fixture *f)
{
    sqlite3 *raw = NULL;
    char path[128], *msg = NULL;
    snprintf(path, sizeof path, "%s/test.db", f->dir);
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    int rc = sqlite3_exec(
        raw,
        "CREATE TABLE big (id INTEGER PRIMARY KEY, label VARCHAR(40), "
        "n INTEGER, payload TEXT);"
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 100000) INSERT INTO big SELECT x, 'label-' || x, x * 7, "
        "hex(randomblob(300)) FROM c;",
        NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("make big: %s", msg);
    sqlite3_close(raw);
    check(orm_db_register(f->db, &Big), f->db, "register");
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_export__100k_rows_in_bounded_memory(void **state)
{
    fixture *f = *state;
    char out[160], words[256];
    struct stat st;
    make_big(f);
    snprintf(out, sizeof out, "%s/big.csv", f->dir);
    snprintf(words, sizeof words, "export|big|--format|csv|--output|%s", out);
    long before = max_rss_kb();
    expect(f, export_cmd(f, words), 0);
    long grown = max_rss_kb() - before;
    assert_int_equal(stat(out, &st), 0);
    /* Over 60 MB written... */
    assert_true(st.st_size > 60L * 1000 * 1000);
    /* ...with far less memory than that (the margin leaves room for a
     * leak checker's quarantine of freed blocks, 20 MB by default). */
    if (grown > 32 * 1024)
        fail_msg("peak memory grew by %ld KiB exporting %lld bytes", grown,
                 (long long)st.st_size);
    /* Every row is there, in key order. */
    FILE *fp = fopen(out, "r");
    char line[1024];
    long rows = 0, last = 0;
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp)); /* header */
    while (fgets(line, sizeof line, fp)) {
        long id = strtol(line, NULL, 10);
        if (id != last + 1)
            fail_msg("row %ld after %ld", id, last);
        last = id;
        rows++;
    }
    fclose(fp);
    assert_int_equal(rows, BIG_ROWS);
}

/* Export big.json in a child and send it `sig` once its temporary file
 * has started; the child's exit status. */
static int interrupt_export(fixture *f, int sig, const char *out_dir)
{
    char out[160], words[256];
    snprintf(out, sizeof out, "%s/big.json", out_dir);
    snprintf(words, sizeof words, "export|big|--output|%s", out);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        /* Its own connection; the exit status is the export's. */
        orm_db *db = NULL;
        if (orm_db_open(&db, f->url, NULL) != 0 ||
            orm_db_register(db, &Big) != 0)
            _exit(99);
        int code = run_words(f, db, tui_cli_export_run, words);
        /* Free everything (a leak checker watching the child would
         * otherwise change its exit status). */
        orm_db_free(db);
        orm_db_free(f->db);
        free(f->out);
        free(f->err);
        free(f);
        _exit(code);
    }
    /* Interrupt it once the temporary file has started. */
    int started = 0;
    for (int i = 0; i < 10000 && !started; i++) {
        started = dir_entries(out_dir) > 0;
        if (!started) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    assert_true(started);
    assert_true(child > 1);
    assert_int_equal(kill(child, sig), 0);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (!WIFEXITED(status))
        fail_msg("the export died of signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

static void test_export__ctrl_c_removes_the_partial_file(void **state)
{
    fixture *f = *state;
    char out_dir[128];
    make_big(f);
    snprintf(out_dir, sizeof out_dir, "%s/out", f->dir);
    assert_int_equal(mkdir(out_dir, 0700), 0);
    assert_int_equal(interrupt_export(f, SIGINT, out_dir), 130);
    assert_int_equal(dir_entries(out_dir), 0); /* nothing left behind */
}

/* kill, a closed terminal or SSH connection, a reader gone: each stops
 * the export with 128 + the signal and leaves no hidden file. */
static void
test_export__every_stop_signal_removes_the_partial_file(void **state)
{
    fixture *f = *state;
    static const int sigs[] = {SIGTERM, SIGHUP, SIGPIPE};
    make_big(f);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        char out_dir[128];
        snprintf(out_dir, sizeof out_dir, "%s/out%zu", f->dir, i);
        assert_int_equal(mkdir(out_dir, 0700), 0);
        assert_int_equal(interrupt_export(f, sigs[i], out_dir), 128 + sigs[i]);
        if (dir_entries(out_dir) != 0)
            fail_msg("signal %d left a file behind", sigs[i]);
    }
}

/* A table of 20,000 rows (about 7 MB as CSV) on a test server, made by
 * the server itself; non-ASCII in every label. */
static const orm_column gone_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "label", .type = ORM_STRING, .length = 40},
    {.name = "payload", .type = ORM_TEXT},
};
static const orm_model Gone = ORM_MODEL("Gone", "gone_big", gone_columns);

static void make_gone_big(orm_db *db, int postgres)
{
    orm_db_execute(db, "DROP TABLE IF EXISTS gone_big", NULL, 0, NULL);
    check(orm_db_execute(db,
                         "CREATE TABLE gone_big (id INTEGER PRIMARY KEY, "
                         "label VARCHAR(40), payload TEXT)",
                         NULL, 0, NULL),
          db, "create gone_big");
    check(orm_db_execute(
              db,
              postgres ? "INSERT INTO gone_big SELECT x, 'Zoë-' || x, "
                         "repeat(md5(x::text), 10) FROM generate_series(1, "
                         "20000) x"
                       : "INSERT INTO gone_big SELECT seq, CONCAT('Zoë-', "
                         "seq), REPEAT(MD5(seq), 10) FROM seq_1_to_20000",
              NULL, 0, NULL),
          db, "fill gone_big");
}

/* The network to the server goes away in the middle of an export (a
 * proxy stops passing anything and never answers a new connection, so
 * a cancel's connect would wait for minutes), then SIGTERM comes: the
 * export stops within 10 s, says so, and leaves no partial file. */
static void server_gone_then_sigterm(fixture *f, const char *var)
{
    const char *url = test_server_url(var);
    orm_db *db = NULL;
    char *proxied = NULL, out_dir[128], out[160], words[256];
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("%s: %s", var, orm_error_text(orm_db_error(db)));
    make_gone_big(db, strstr(var, "_PG_") != NULL);
    snprintf(out_dir, sizeof out_dir, "%s/gone", f->dir);
    assert_int_equal(mkdir(out_dir, 0700), 0);
    snprintf(out, sizeof out, "%s/gone.csv", out_dir);
    snprintf(words, sizeof words, "export|gone_big|--output|%s", out);
    test_trips *net = test_trips_start(url, &proxied);
    /* Logging in and the schema are a few KiB: the cut comes in the
     * rows, 7 MB of them. */
    test_trips_cut_after(net, 256 * 1024);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        orm_db *through = NULL;
        if (orm_db_open(&through, proxied, NULL) != 0 ||
            orm_db_register(through, &Gone) != 0)
            _exit(99);
        int code = run_words(f, through, tui_cli_export_run, words);
        orm_db_free(through);
        orm_db_free(db);
        orm_db_free(f->db);
        free(f->out);
        free(f->err);
        free(f);
        free(proxied);
        _exit(code);
    }
    /* Wait for the cut, with the export's temporary file there. */
    int cut = 0, status = 0;
    pid_t done = 0;
    for (int i = 0; i < 60000 && !cut && !done; i++) {
        struct timespec ts = {0, 1000000};
        cut = test_trips_cut(net) && dir_entries(out_dir) > 0;
        if (!cut) {
            done = waitpid(child, &status, WNOHANG);
            nanosleep(&ts, NULL);
        }
    }
    if (!cut) {
        if (!done)
            kill(child, SIGKILL);
        fail_msg("%s: the network was not cut during the export (%s)", var,
                 done ? "it ended" : "60 s");
    }
    assert_int_equal(kill(child, SIGTERM), 0);
    for (int i = 0; i < 10000 && !done; i++) {
        struct timespec ts = {0, 1000000};
        if (!(done = waitpid(child, &status, WNOHANG)))
            nanosleep(&ts, NULL);
    }
    if (!done) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        fail_msg("%s: the export did not stop within 10 s of SIGTERM with "
                 "the server gone",
                 var);
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
    if (dir_entries(out_dir) != 0)
        fail_msg("%s: a partial file was left behind", var);
    test_trips_stop(net);
    free(proxied);
    orm_db_execute(db, "DROP TABLE gone_big", NULL, 0, NULL);
    orm_db_free(db);
}

static void test_export__sigterm_with_the_server_gone_postgresql(void **state)
{
    server_gone_then_sigterm(*state, "ORB_TEST_PG_URL");
}

static void test_export__sigterm_with_the_server_gone_mariadb(void **state)
{
    server_gone_then_sigterm(*state, "ORB_TEST_MYSQL_URL");
}

static int is_link(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* --output writes into what the user named: a symlink stays a link and
 * its target gets the rows, an existing file keeps its mode, owner and
 * other hard links, a FIFO's reader and a device get the rows directly,
 * "-" is standard output. */
static void test_export__output_is_written_into_what_was_named(void **state)
{
    fixture *f = *state;
    char path[160], other[160], words[256];
    struct stat st;
    const char *want = "id,name,note,active,price,ratio,data,secret_key\r\n";

    /* A relative symlink in another directory. */
    snprintf(path, sizeof path, "%s/sub", f->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/sub/real.csv", f->dir);
    snprintf(other, sizeof other, "%s/link.csv", f->dir);
    assert_int_equal(symlink("sub/real.csv", other), 0);
    snprintf(words, sizeof words, "export|small|--where|id < 0|--output|%s",
             other);
    expect(f, export_cmd(f, words), 0);
    assert_true(is_link(other));
    char *text = file_read(path);
    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);

    /* A private file of someone else's keeps mode and owner. */
    snprintf(path, sizeof path, "%s/secret.csv", f->dir);
    FILE *fp = fopen(path, "w");
    fputs("old", fp);
    fclose(fp);
    assert_int_equal(chmod(path, 0600), 0);
    int root = geteuid() == 0;
    if (root)
        assert_int_equal(chown(path, 65534, 65534), 0);
    snprintf(words, sizeof words, "export|small|--where|id < 0|--output|%s",
             path);
    expect(f, export_cmd(f, words), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    if (root) {
        assert_int_equal(st.st_uid, 65534);
        assert_int_equal(st.st_gid, 65534);
    }
    text = file_read(path);
    assert_string_equal(text, want);
    free(text);

    /* A second hard link sees the new rows too. */
    snprintf(other, sizeof other, "%s/hard.csv", f->dir);
    assert_int_equal(link(path, other), 0);
    snprintf(words, sizeof words, "export|small|--where|id = 1|--output|%s",
             path);
    expect(f, export_cmd(f, words), 0);
    char *a = file_read(path), *b = file_read(other);
    assert_non_null(strstr(a, "\r\n1,"));
    assert_string_equal(a, b);
    free(a);
    free(b);

    /* A FIFO: its reader gets the rows. */
    snprintf(path, sizeof path, "%s/fifo", f->dir);
    snprintf(other, sizeof other, "%s/from-fifo", f->dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(run_shellf("cat %s > %s.part && mv %s.part %s &", path,
                                other, other, other),
                     0);
    snprintf(words, sizeof words,
             "export|small|--where|id < 0|--format|csv|--output|%s", path);
    expect(f, export_cmd(f, words), 0);
    text = NULL;
    for (int i = 0; i < 10000 && !text; i++) {
        if (!(text = file_read(other))) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));

    /* A device stays a device (a private twin of /dev/null). */
    if (root) {
        snprintf(path, sizeof path, "%s/null", f->dir);
        assert_int_equal(mknod(path, S_IFCHR | 0666, makedev(1, 3)), 0);
        snprintf(words, sizeof words, "export|small|--format|csv|--output|%s",
                 path);
        expect(f, export_cmd(f, words), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    }

    /* "-": standard output. */
    expect(f,
           export_cmd(f, "export|small|--where|id < 0|--format|csv|"
                         "--output|-"),
           0);
    assert_string_equal(f->out, want);
    assert_no_temp_files(f->dir);
    snprintf(path, sizeof path, "%s/sub", f->dir);
    assert_no_temp_files(path);
}

static void test_injection__names_and_values_are_data(void **state)
{
    fixture *f = *state;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    int64_t n = 0;
    int exact = 0, exists = 0;
    check(orm_session_new(&s, f->db), f->db, "session");
    check(orm_record_new(&rec, &Acct), f->db, "record");
    set(rec, "id", orm_value_int(50));
    set(rec, "handle", orm_value_text("'; DROP TABLE accounts; --"));
    orm_session_add(s, rec);
    if (orm_session_commit(s) != 0)
        fail_msg("commit failed");
    orm_session_free(s);

    expect(f,
           filter_cmd(f, "filter|save|'; DROP TABLE saved_filters; "
                         "--|accounts|handle = '''; DROP TABLE accounts; "
                         "--'"),
           0);
    expect(f,
           filter_cmd(f, "filter|save|a\\b\"c'|accounts|handle = "
                         "'\\'' or 1=1 --'"),
           0);
    expect(f, filter_cmd(f, "filter|list"), 0);
    assert_contains(f->out, "'; DROP TABLE saved_filters; --");
    assert_contains(f->out, "a\\b\"c'");
    expect(f,
           export_cmd(f, "export|accounts|--filter|'; DROP TABLE "
                         "saved_filters; --|--format|csv"),
           0);
    assert_string_equal(f->out,
                        "id,handle,active,balance,born,note,secret_key\r\n"
                        "50,'; DROP TABLE accounts; --,,,,,***\r\n");
    expect(f, export_cmd(f, "export|accounts|--filter|a\\b\"c'|--format|csv"),
           0);
    assert_string_equal(f->out,
                        "id,handle,active,balance,born,note,secret_key\r\n");
    /* Not a filter: rejected, nothing runs. */
    expect(f,
           export_cmd(f, "export|accounts|--where|id = 1; DROP TABLE "
                         "accounts|--format|csv"),
           1);
    expect(f,
           filter_cmd(f, "filter|save|y|accounts|id = 1; DELETE FROM "
                         "accounts"),
           1);
    assert_int_equal(orm_db_table_exists(f->db, "accounts", &exists), 0);
    assert_true(exists);
    assert_int_equal(orm_db_count(f->db, &Acct, 0, &n, &exact), 0);
    assert_int_equal(n, NACCOUNTS + 1);
    expect(f, filter_cmd(f, "filter|show|'; DROP TABLE saved_filters; --"), 0);
}

/* ---- other dialects ---- */

static orm_db *open_network(const char *var)
{
    const char *url = test_server_url(var);
    orm_db *db = NULL;
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("%s: %s", var,
                 db ? orm_error_text(orm_db_error(db)) : "cannot open");
    check(orm_db_register(db, &NetAcct), db, "register");
    orm_db_drop_table(db, &NetAcct);
    check(orm_db_create_table(db, &NetAcct), db, "create");
    fill_accounts(db, &NetAcct);
    return db;
}

/* The rows of the saved filter "does" on `db`, as CSV. */
static char *export_does(fixture *f, orm_db *db, const char *table)
{
    char words[256];
    snprintf(words, sizeof words,
             "filter|save|does|%s|handle contains 'doe' or id > 10 or "
             "handle istartswith 'ALI'|--replace",
             table);
    expect(f, run_words(f, db, tui_cli_filter_run, words), 0);
    snprintf(words, sizeof words, "export|%s|--filter|does|--format|csv",
             table);
    expect(f, run_words(f, db, tui_cli_export_run, words), 0);
    return strdup(f->out);
}

static void same_rows_as_sqlite(fixture *f, const char *var)
{
    orm_db *db = open_network(var);
    char *want = export_does(f, f->db, "accounts");
    char *got = export_does(f, db, "flt_accounts");
    assert_non_null(strstr(want, "\r\n2,alice,"));
    assert_string_equal(got, want);
    free(want);
    free(got);
    orm_db_drop_table(db, &NetAcct);
    orm_db_free(db);
}

static void test_dialects__postgresql_gives_the_same_rows(void **state)
{
    same_rows_as_sqlite(*state, "ORB_TEST_PG_URL");
}

static void test_dialects__mariadb_gives_the_same_rows(void **state)
{
    same_rows_as_sqlite(*state, "ORB_TEST_MYSQL_URL");
}

/* ---- PostgreSQL: an export without values reads through COPY ---- */

/* Every kind of PostgreSQL column with values at their edges: the
 * integers' ends, numeric beyond double, -0, 1e300, NaN and infinities,
 * dates and timestamps (with a zone, printed in the session's), an
 * interval, uuid, bytea with NUL and backslash, json as written and
 * jsonb, arrays with NULL and quoting, an enum label with a tab, a
 * domain, inet, text with tab, newline, CR, backslash, control bytes,
 * non-ASCII and mixed case, the text \N beside NULL, '' beside NULL;
 * then rows made by the server so that the bytes on the wire count. */
static const char *const copy_types_sql[] = {
    "DROP TABLE IF EXISTS copy_types",
    "DROP DOMAIN IF EXISTS copy_positive",
    "DROP TYPE IF EXISTS copy_mood",
    "CREATE TYPE copy_mood AS ENUM ('ok', 'Zoë sad', 'tab\there')",
    "CREATE DOMAIN copy_positive AS integer CHECK (VALUE > 0)",
    "CREATE TABLE copy_types (id integer PRIMARY KEY, i2 smallint, "
    "i8 bigint, num numeric(20,6), num_free numeric, f4 real, "
    "f8 double precision, yes boolean, d date, t time, ts timestamp, "
    "tstz timestamptz, iv interval, u uuid, b bytea, j json, jb jsonb, "
    "arr integer[], tarr text[], mood copy_mood, pos copy_positive, "
    "name varchar(40), body text, ch char(3), ip inet)",
    "INSERT INTO copy_types VALUES (1, -32768, -9223372036854775808, "
    "-12345678901234.123456, 0.000000000000000000000000000001, '-0', "
    "'1e300', true, '2024-02-29', '23:59:59.999999', "
    "'1999-12-31 23:59:59.5', '2024-03-10 02:30:00+05:30', "
    "'1 year 2 mons -3 days 04:05:06.7', "
    "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\\x00ff5c090a0d'::bytea, "
    "'{\"a\": \"tab\\there\",  \"\xc3\xbc\": [1, 2.50]}', "
    "'{\"a\": \"Zo\xc3\xab\", \"b\": null}', '{1,NULL,3}', "
    "ARRAY['with space', 'back\\slash', 'quote\"d', NULL, '', "
    "'\xc3\x9cn\xc3\xaf'], "
    "'Zoë sad', 5, 'Mixed Case ÄÖÜ', "
    "E'tab\\there\\nnew\\\\back\\rcr \xc3\xbcn\xc3\xaf', 'ab', "
    "'192.168.0.1/24')",
    "INSERT INTO copy_types (id) VALUES (2)",
    "INSERT INTO copy_types VALUES (3, 0, 0, 0, 'NaN', 'NaN', '-Infinity', "
    "false, 'infinity', '00:00', '-infinity', 'infinity', '0', "
    "'00000000-0000-0000-0000-000000000000', '\\x'::bytea, '\"\"', '[]', "
    "'{}', '{}', 'tab\there', 1, '', E'\\\\N', '', '::1')",
    "INSERT INTO copy_types VALUES (4, 1, 1, 1, 1, '1e-45', '-1e-300', "
    "NULL, '0001-01-01', '12:00', '2000-02-29 12:00:00.000001', "
    "'1970-01-01 00:00:00-12', '-1 days', "
    "'ffffffff-ffff-ffff-ffff-ffffffffffff', '\\x5c4e'::bytea, 'null', "
    "'\"\\\\N\"', '{}', '{\"\\\\N\",NULL}', 'ok', 2, '\\N', "
    "E'\\b\\f\\v\\x01 end \\\\', 'x\ty', '10.0.0.0/8')",
    "INSERT INTO copy_types (id, i8, num, f8, yes, ts, tstz, u, b, tarr, "
    "name, body) SELECT g, g * 1000003, g / 7.0, g / 3.0, g % 2 = 0, "
    "'2020-01-01'::timestamp + g * interval '1 hour 1 second', "
    "'2020-01-01 00:00+01'::timestamptz + g * interval '1 minute', "
    "md5(g::text)::uuid, decode(md5(g::text), 'hex'), "
    "ARRAY['Zoë ' || g, NULL], CASE WHEN g % 5 = 0 THEN '' "
    "WHEN g % 7 = 0 THEN NULL ELSE 'Ünï ' || g END, CASE WHEN g % 3 = 0 "
    "THEN E'a\\tb\\\\c\\nd' || g ELSE 'Row ' || g END "
    "FROM generate_series(5, 2000) g",
};

static void pg_exec_all(orm_db *db, const char *const *sql, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (orm_db_execute(db, sql[i], NULL, 0, NULL) != 0 &&
            strncmp(sql[i], "DROP", 4) != 0)
            fail_msg("%s: %s", sql[i], orm_error_text(orm_db_error(db)));
}

/* An export's output (owned) and the bytes the server sent for it. */
static char *export_counted(fixture *f, orm_db *db, test_trips *net,
                            const char *words, size_t *len, long *bytes)
{
    long before = test_trips_server_bytes(net);
    expect(f, run_words(f, db, tui_cli_export_run, words), 0);
    *bytes = test_trips_server_bytes(net) - before;
    *len = f->out_len;
    char *copy = malloc(f->out_len + 1);
    assert_non_null(copy);
    memcpy(copy, f->out, f->out_len + 1);
    return copy;
}

/* The same export through COPY (no values: no filter) and through a
 * query (a filter with a value that every row matches): the same bytes
 * in every format, and fewer of them on the wire through COPY. */
static void test_export__postgresql_copy_gives_every_type_alike(void **state)
{
    fixture *f = *state;
    const char *url = test_server_url("ORB_TEST_PG_URL");
    char *proxied = NULL;
    orm_db *db = NULL;
    orm_model *m = NULL;
    static const char *const formats[] = {"csv", "tsv", "json"};
    test_trips *net = test_trips_start(url, &proxied);
    if (orm_db_open(&db, proxied, NULL) != 0)
        fail_msg("%s", orm_error_text(orm_db_error(db)));
    pg_exec_all(db, copy_types_sql,
                sizeof copy_types_sql / sizeof copy_types_sql[0]);
    check(orm_db_reflect(db, "copy_types", &m), db, "reflect");
    check(orm_db_register(db, m), db, "register");
    for (size_t i = 0; i < 3; i++) {
        char words[128];
        size_t copy_len, rows_len;
        long copy_bytes, rows_bytes;
        snprintf(words, sizeof words, "export|copy_types|--format|%s",
                 formats[i]);
        char *copy = export_counted(f, db, net, words, &copy_len, &copy_bytes);
        snprintf(words, sizeof words,
                 "export|copy_types|--where|id > 0|--format|%s", formats[i]);
        char *rows = export_counted(f, db, net, words, &rows_len, &rows_bytes);
        if (copy_len != rows_len || memcmp(copy, rows, copy_len) != 0) {
            size_t at = 0;
            while (at < copy_len && at < rows_len && copy[at] == rows[at])
                at++;
            fail_msg("%s: COPY and the query differ at byte %zu:\n"
                     "COPY:  %.200s\nquery: %.200s",
                     formats[i], at, copy + (at > 40 ? at - 40 : 0),
                     rows + (at > 40 ? at - 40 : 0));
        }
        if (copy_bytes >= rows_bytes)
            fail_msg("%s: COPY sent %ld bytes, the query %ld", formats[i],
                     copy_bytes, rows_bytes);
        if (i == 1) { /* a few values as they must read, in TSV */
            assert_contains(copy, "\n1\t-32768\t-9223372036854775808\t"
                                  "-12345678901234.123456\t");
            assert_contains(copy, "\ttab\\there\\nnew\\\\back\\rcr "
                                  "\xc3\xbcn\xc3\xaf\tab \t");
            assert_contains(copy, "\n2\t\\N\t\\N\t");
            assert_contains(copy, "\t\t\\\\N\t   \t::1\n");
        }
        free(copy);
        free(rows);
    }
    orm_db_execute(db, "DROP TABLE copy_types", NULL, 0, NULL);
    orm_db_execute(db, "DROP DOMAIN copy_positive", NULL, 0, NULL);
    orm_db_execute(db, "DROP TYPE copy_mood", NULL, 0, NULL);
    orm_db_free(db); /* and the model it was given */
    test_trips_stop(net);
    free(proxied);
}

/* The bytes on the wire: a query's row carries a 7-byte header and a
 * 4-byte length per column, COPY's a 5-byte header and a tab between
 * columns and a newline: 11 bytes less per row of three columns (the
 * values are the same text), less the one RowDescription COPY adds. */
static void test_export__postgresql_copy_saves_the_row_headers(void **state)
{
    fixture *f = *state;
    enum { NROWS = 20000 };
    const char *url = test_server_url("ORB_TEST_PG_URL");
    char *proxied = NULL;
    orm_db *db = NULL;
    test_trips *net = test_trips_start(url, &proxied);
    size_t copy_len, rows_len;
    long copy_bytes, rows_bytes;
    if (orm_db_open(&db, proxied, NULL) != 0)
        fail_msg("%s", orm_error_text(orm_db_error(db)));
    make_gone_big(db, 1);
    check(orm_db_register(db, &Gone), db, "register");
    char *copy = export_counted(f, db, net, "export|gone_big|--format|csv",
                                &copy_len, &copy_bytes);
    char *rows = export_counted(f, db, net,
                                "export|gone_big|--where|id > 0|--format|csv",
                                &rows_len, &rows_bytes);
    assert_int_equal(copy_len, rows_len);
    assert_memory_equal(copy, rows, copy_len);
    if (rows_bytes - copy_bytes < NROWS * 11L - 1024)
        fail_msg("COPY sent %ld bytes, the query %ld: %ld fewer, not the "
                 "%ld of %d rows' headers",
                 copy_bytes, rows_bytes, rows_bytes - copy_bytes, NROWS * 11L,
                 NROWS);
    free(copy);
    free(rows);
    orm_db_execute(db, "DROP TABLE gone_big", NULL, 0, NULL);
    orm_db_free(db);
    test_trips_stop(net);
    free(proxied);
}

static int has_bytes(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k && i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static void test_state__no_password_is_ever_stored(void **state)
{
    fixture *f = *state;
    const char *url = test_server_url("ORB_TEST_PG_URL");
    orm_url *parsed = NULL;
    orm_error e = ORM_ERROR_INIT;
    assert_int_equal(orm_url_parse(&parsed, url, &e), 0);
    assert_non_null(parsed->password);
    assert_true(strlen(parsed->password) >= 4);
    orm_db *db = open_network("ORB_TEST_PG_URL");
    expect(f,
           run_words(f, db, tui_cli_filter_run,
                     "filter|save|pw|flt_accounts|id > 1"),
           0);
    expect(f, run_words(f, db, tui_cli_filter_run, "filter|list"), 0);
    assert_contains(f->out, "pw");
    char *bytes = NULL;
    FILE *fp = fopen(f->state, "rb");
    orm_buf b = ORM_BUF_INIT;
    char chunk[4096];
    size_t n;
    assert_non_null(fp);
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        orm_buf_appendn(&b, chunk, n);
    fclose(fp);
    bytes = b.data;
    assert_true(b.len > 0);
    /* The database is known by its URL without the password. */
    assert_true(has_bytes(bytes, b.len, orm_db_url(db)));
    assert_false(has_bytes(bytes, b.len, parsed->password));
    orm_buf_free(&b);
    orm_url_free(parsed);
    orm_db_drop_table(db, &NetAcct);
    orm_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_filter__save_show_list_rename_delete),
        T(test_filter__expr_is_checked_against_the_model_first),
        T(test_filter__usage_errors_exit_2_before_connecting),
        T(test_filter__saved_filter_for_rows),
        T(test_filter__a_dropped_column_is_reported_plainly),
        T(test_export__exact_csv_tsv_json_for_a_small_table),
        T(test_export__edges_of_numbers_and_text),
        T(test_export__where_and_filter_are_anded),
        T(test_export__output_file_replaced_whole),
        T(test_export__100k_rows_in_bounded_memory),
        T(test_export__ctrl_c_removes_the_partial_file),
        T(test_export__every_stop_signal_removes_the_partial_file),
        T(test_export__sigterm_with_the_server_gone_postgresql),
        T(test_export__sigterm_with_the_server_gone_mariadb),
        T(test_export__output_is_written_into_what_was_named),
        T(test_injection__names_and_values_are_data),
        T(test_dialects__postgresql_gives_the_same_rows),
        T(test_dialects__mariadb_gives_the_same_rows),
        T(test_export__postgresql_copy_gives_every_type_alike),
        T(test_export__postgresql_copy_saves_the_row_headers),
        T(test_state__no_password_is_ever_stored),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
