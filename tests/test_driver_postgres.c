/*
 * The PostgreSQL driver table, called directly against a real server
 * (ORB_TEST_PG_URL, set by scripts/with-servers.sh; the tests fail when it
 * is missing). Each test works in its own schemas, dropped afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_servers.h"
#include "helper_trips.h"
#include "orm/sys/driver.h"
#include "orm/url.h"
/* The driver's own COPY decoding, tested by hand too. */
#include "../drivers/postgres/postgres_internal.h"

static const orm_driver *const drv = &orm_driver_postgresql;

typedef struct pg_fixture {
    orm_url *url;
    orm_conn *conn;
    char schema[64]; /* on the search path */
    char other[64];  /* a second schema, off the path unless a test says */
} pg_fixture;

/* ---- helpers ---- */

static orm_url *url_from_env(void)
{
    const char *text = getenv("ORB_TEST_PG_URL");
    orm_error err = ORM_ERROR_INIT;
    orm_url *url = NULL;
    if (!text || !*text)
        fail_msg("ORB_TEST_PG_URL is not set: run the tests under "
                 "scripts/with-servers.sh");
    if (orm_url_parse(&url, text, &err))
        fail_msg("ORB_TEST_PG_URL does not parse: %s", orm_error_text(&err));
    return url;
}

static orm_conn *connect_ok(const orm_url *url, int read_only)
{
    orm_connect_options opts = {.read_only = read_only,
                                .connect_timeout_s = 10};
    orm_error err = ORM_ERROR_INIT;
    orm_conn *conn = NULL;
    int rc = drv->connect(&conn, url, &opts, &err);
    if (rc)
        fail_msg("connect failed (%d): %s", rc, orm_error_text(&err));
    return conn;
}

static void exec_ok(orm_conn *conn, const char *sql)
{
    int rc = drv->exec(conn, sql);
    if (rc)
        fail_msg("exec failed (%s): %s\n  SQL: %s", orm_error_name(rc),
                 orm_error_text(&conn->err), sql);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
execf_ok(orm_conn *conn, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    exec_ok(conn, sql);
}

static orm_stmt *prepare_ok(orm_conn *conn, const char *sql, size_t nparams,
                            unsigned flags)
{
    orm_stmt *st = NULL;
    int rc = drv->prepare(conn, sql, nparams, flags, &st);
    if (rc)
        fail_msg("prepare failed: %s", orm_error_text(&conn->err));
    return st;
}

static int step(orm_stmt *st)
{
    return drv->step(st);
}

static void step_row(orm_stmt *st)
{
    int rc = drv->step(st);
    if (rc != ORM_ROW)
        fail_msg("expected a row, got %s: %s", orm_error_name(rc),
                 orm_error_text(&st->conn->err));
}

/* First column of the first row as an integer. */
static int64_t query_int(orm_conn *conn, const char *sql)
{
    orm_stmt *st = prepare_ok(conn, sql, 0, 0);
    orm_value v;
    step_row(st);
    assert_int_equal(drv->column(st, 0, ORM_BIGINT, &v), 0);
    assert_int_equal(v.kind, ORM_VINT);
    drv->finalize(st);
    return v.u.i;
}

/* First column of the first row as text, copied. */
static char *query_text(orm_conn *conn, const char *sql)
{
    orm_stmt *st = prepare_ok(conn, sql, 0, 0);
    orm_value v;
    step_row(st);
    assert_int_equal(drv->column(st, 0, ORM_TEXT, &v), 0);
    assert_int_equal(v.kind, ORM_VTEXT);
    char *copy = strndup(v.u.s.ptr, v.u.s.len);
    drv->finalize(st);
    assert_non_null(copy);
    return copy;
}

static void assert_query_text(orm_conn *conn, const char *sql,
                              const char *expected)
{
    char *text = query_text(conn, sql);
    assert_string_equal(text, expected);
    free(text);
}

/* The session's time zone and date output are what the core relies on:
 * timestamptz in UTC, dates and intervals in ISO/postgres form. Which
 * zone name the server reports ("UTC", "Etc/UTC") does not matter. */
static void assert_session_utc_iso(orm_conn *conn)
{
    assert_query_text(conn,
                      "SELECT '2024-06-01 12:00:00+02'::timestamptz::text",
                      "2024-06-01 10:00:00+00");
    assert_query_text(conn, "SELECT '2024-06-01'::date::text", "2024-06-01");
    assert_query_text(conn, "SELECT '1 day 02:03:04'::interval::text",
                      "1 day 02:03:04");
}

/* Run one parameterless statement expected to fail; returns the code. */
static int exec_fails(orm_conn *conn, const char *sql)
{
    int rc = drv->exec(conn, sql);
    assert_true(rc < 0);
    return rc;
}

static void column_text_equal(orm_stmt *st, size_t i, orm_type type,
                              const char *expected)
{
    orm_value v;
    int rc = drv->column(st, i, type, &v);
    if (rc)
        fail_msg("column %zu: %s", i, orm_error_text(&st->conn->err));
    assert_int_equal(v.kind, ORM_VTEXT);
    if (v.u.s.len != strlen(expected) || memcmp(v.u.s.ptr, expected, v.u.s.len))
        fail_msg("column %zu: expected \"%s\", got \"%.*s\"", i, expected,
                 (int)v.u.s.len, v.u.s.ptr);
}

static void column_is_null(orm_stmt *st, size_t i, orm_type type)
{
    orm_value v;
    assert_int_equal(drv->column(st, i, type, &v), 0);
    assert_int_equal(v.kind, ORM_VNULL);
}

static int setup(void **state)
{
    pg_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    *state = fx;
    fx->url = url_from_env();
    fx->conn = connect_ok(fx->url, 0);
    snprintf(fx->schema, sizeof fx->schema, "orb_drvpg_%ld", (long)getpid());
    snprintf(fx->other, sizeof fx->other, "orb_drvpg_%ld_other",
             (long)getpid());
    execf_ok(fx->conn, "DROP SCHEMA IF EXISTS %s CASCADE", fx->schema);
    execf_ok(fx->conn, "DROP SCHEMA IF EXISTS %s CASCADE", fx->other);
    execf_ok(fx->conn, "CREATE SCHEMA %s", fx->schema);
    execf_ok(fx->conn, "CREATE SCHEMA %s", fx->other);
    execf_ok(fx->conn, "SET search_path = %s", fx->schema);
    return 0;
}

static int teardown(void **state)
{
    pg_fixture *fx = *state;
    if (!fx)
        return 0;
    if (fx->conn) {
        if (drv->ping(fx->conn) == ORM_ECONNLOST)
            drv->reconnect(fx->conn);
        drv->rollback(fx->conn);
        execf_ok(fx->conn, "DROP SCHEMA IF EXISTS %s CASCADE", fx->schema);
        execf_ok(fx->conn, "DROP SCHEMA IF EXISTS %s CASCADE", fx->other);
        drv->close(fx->conn);
    }
    orm_url_free(fx->url);
    free(fx);
    return 0;
}

/* ---- connecting ---- */

static void
test_connect__wrong_password_is_auth_error_without_password(void **state)
{
    (void)state;
    static const char wrong[] = "Wr0ng-Secret-Pa55word";
    orm_url *url = url_from_env();
    char *right = url->password ? strdup(url->password) : NULL;
    orm_error err = ORM_ERROR_INIT;
    orm_conn *conn = NULL;

    assert_int_equal(orm_url_set_password(url, wrong), 0);
    assert_int_equal(drv->connect(&conn, url, NULL, &err), ORM_EAUTH);
    assert_null(conn);
    assert_int_equal(err.code, ORM_EAUTH);
    assert_non_null(err.message);
    assert_null(strstr(err.message, wrong));
    if (right)
        assert_null(strstr(err.message, right));
    orm_error_clear(&err);
    free(right);
    orm_url_free(url);
}

static void test_connect__closed_port_is_connect_error(void **state)
{
    (void)state;
    orm_url *url = url_from_env();
    orm_connect_options opts = {.connect_timeout_s = 5};
    orm_error err = ORM_ERROR_INIT;
    orm_conn *conn = NULL;

    free(url->host);
    url->host = strdup("127.0.0.1");
    url->port = 1;
    assert_int_equal(drv->connect(&conn, url, &opts, &err), ORM_ECONNECT);
    assert_null(conn);
    assert_non_null(err.message);
    if (url->password)
        assert_null(strstr(err.message, url->password));
    orm_error_clear(&err);
    orm_url_free(url);
}

static void test_connect__url_params_reach_libpq(void **state)
{
    (void)state;
    orm_url *url = url_from_env();
    orm_error err = ORM_ERROR_INIT;
    orm_conn *conn = NULL;
    orm_url_param *params = calloc(2, sizeof *params);
    assert_non_null(params);
    params[0].key = strdup("application_name");
    params[0].value = strdup("orb-test-app");
    params[1].key = strdup("sslmode");
    params[1].value = strdup("disable");
    url->params = params;
    url->nparams = 2;

    conn = connect_ok(url, 0);
    assert_query_text(conn, "SHOW application_name", "orb-test-app");
    drv->close(conn);

    /* An option libpq does not know is refused by libpq. */
    free(params[1].key);
    params[1].key = strdup("no_such_libpq_option");
    conn = NULL;
    assert_true(drv->connect(&conn, url, NULL, &err) < 0);
    assert_null(conn);
    assert_non_null(strstr(err.message, "no_such_libpq_option"));
    orm_error_clear(&err);
    orm_url_free(url);
}

static void test_connect__session_is_utc_utf8_and_named_orb(void **state)
{
    pg_fixture *fx = *state;
    assert_session_utc_iso(fx->conn);
    assert_query_text(fx->conn, "SHOW client_encoding", "UTF8");
    assert_query_text(fx->conn, "SHOW application_name", "orb");
    assert_query_text(fx->conn, "SHOW standard_conforming_strings", "on");
    assert_query_text(fx->conn, "SHOW default_transaction_read_only", "off");
}

/* A server whose own settings differ (here through the startup options
 * a DBA's postgresql.conf would give) still gives orb UTC and ISO. */
static void test_connect__other_server_settings_are_set_for_orb(void **state)
{
    (void)state;
    const char *base = getenv("ORB_TEST_PG_URL");
    char text[1024];
    orm_url *url = NULL;
    orm_error err = ORM_ERROR_INIT;
    snprintf(text, sizeof text,
             "%s?options=-c%%20TimeZone%%3DEurope%%2FBerlin%%20-c%%20"
             "DateStyle%%3DGerman%%20-c%%20IntervalStyle%%3Diso_8601",
             base);
    if (orm_url_parse(&url, text, &err))
        fail_msg("URL does not parse: %s", orm_error_text(&err));
    orm_conn *conn = connect_ok(url, 1);
    assert_session_utc_iso(conn);
    assert_query_text(conn, "SHOW default_transaction_read_only", "on");
    drv->close(conn);
    orm_url_free(url);
}

/* ---- values ---- */

enum {
    COL_I,
    COL_BI,
    COL_SI,
    COL_F,
    COL_B,
    COL_N,
    COL_N2,
    COL_D,
    COL_T,
    COL_TS,
    COL_TZ,
    COL_BLOB,
    COL_J,
    COL_JB,
    COL_U,
    COL_S,
    COL_TX,
    COL_E,
    NCOLS
};

static const orm_type round_trip_types[NCOLS] = {
    ORM_INTEGER,    ORM_BIGINT,  ORM_SMALLINT, ORM_FLOAT, ORM_BOOLEAN,
    ORM_NUMERIC,    ORM_NUMERIC, ORM_DATE,     ORM_TIME,  ORM_DATETIME,
    ORM_DATETIMETZ, ORM_BLOB,    ORM_JSON,     ORM_JSON,  ORM_UUID,
    ORM_STRING,     ORM_TEXT,    ORM_TEXT};

static const char round_trip_insert[] =
    "INSERT INTO vals (id, i, bi, si, f, b, n, n2, d, t, ts, tz, blob, j, jb,"
    " u, s, tx, e) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
    " $12, $13, $14, $15, $16, $17, $18, $19)";
static const char round_trip_select[] =
    "SELECT i, bi, si, f, b, n, n2, d, t, ts, tz, blob, j, jb, u, s, tx, e"
    " FROM vals WHERE id = $1";

static void create_vals_table(orm_conn *conn)
{
    exec_ok(conn, "CREATE TYPE mood AS ENUM ('sad', 'happy')");
    exec_ok(conn, "CREATE TABLE vals (id int PRIMARY KEY, i int, bi bigint,"
                  " si smallint, f double precision, b boolean, n numeric,"
                  " n2 numeric(10, 2), d date, t time, ts timestamp,"
                  " tz timestamptz, blob bytea, j json, jb jsonb, u uuid,"
                  " s varchar(50), tx text, e mood)");
}

static unsigned char *make_blob(size_t len)
{
    unsigned char *blob = malloc(len);
    assert_non_null(blob);
    for (size_t i = 0; i < len; i++)
        blob[i] = (unsigned char)(i % 3 == 0 ? 0 : (i * 7) % 256);
    return blob;
}

static void test_types__every_type_round_trips(void **state)
{
    pg_fixture *fx = *state;
    const size_t blob_len = 1024 * 1024;
    unsigned char *blob = make_blob(blob_len);
    const char *unicode = "日本語のテキスト 🎉🚀 café ñ 中文";
    orm_value in[NCOLS];
    orm_value v;

    create_vals_table(fx->conn);
    in[COL_I] = orm_value_int(2147483647);
    in[COL_BI] = orm_value_int(INT64_MAX);
    in[COL_SI] = orm_value_int(-32768);
    in[COL_F] = orm_value_float(0.1);
    in[COL_B] = orm_value_bool(1);
    in[COL_N] = orm_value_text("12345678901234567890.123456789");
    in[COL_N2] = orm_value_text("-99999999.99");
    in[COL_D] = orm_value_text("2024-01-31");
    in[COL_T] = orm_value_text("10:11:12.5");
    in[COL_TS] = orm_value_text("2024-01-31 10:00:00.123456");
    in[COL_TZ] = orm_value_text("2024-01-31 12:00:00+02");
    in[COL_BLOB] = orm_value_blob(blob, blob_len);
    in[COL_J] = orm_value_text("{\"b\": 1,  \"a\": [1, 2]}");
    in[COL_JB] = orm_value_text("{\"b\": 1, \"a\": \"🎉\"}");
    in[COL_U] = orm_value_text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
    in[COL_S] = orm_value_text(unicode);
    in[COL_TX] = orm_value_text(unicode);
    in[COL_E] = orm_value_text("happy");

    /* Row 1 with values, row 2 all NULL through the same statement. */
    orm_stmt *ins = prepare_ok(fx->conn, round_trip_insert, NCOLS + 1, 0);
    for (int row = 1; row <= 2; row++) {
        orm_value id = orm_value_int(row);
        orm_value null = orm_value_null();
        assert_int_equal(drv->bind(ins, 0, &id, ORM_INTEGER), 0);
        for (size_t c = 0; c < NCOLS; c++)
            assert_int_equal(drv->bind(ins, c + 1, row == 1 ? &in[c] : &null,
                                       round_trip_types[c]),
                             0);
        if (step(ins) != ORM_DONE)
            fail_msg("insert: %s", orm_error_text(&fx->conn->err));
        assert_int_equal(drv->rows_matched(ins), 1);
        assert_int_equal(drv->reset(ins), 0);
    }
    drv->finalize(ins);

    orm_stmt *sel = prepare_ok(fx->conn, round_trip_select, 1, 0);
    orm_value id = orm_value_int(1);
    assert_int_equal(drv->bind(sel, 0, &id, ORM_INTEGER), 0);
    step_row(sel);
    assert_int_equal(drv->column_count(sel), NCOLS);
    assert_int_equal(drv->column(sel, COL_I, ORM_INTEGER, &v), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 2147483647);
    assert_int_equal(drv->column(sel, COL_BI, ORM_BIGINT, &v), 0);
    assert_true(v.u.i == INT64_MAX);
    assert_int_equal(drv->column(sel, COL_SI, ORM_SMALLINT, &v), 0);
    assert_int_equal(v.u.i, -32768);
    assert_int_equal(drv->column(sel, COL_F, ORM_FLOAT, &v), 0);
    assert_int_equal(v.kind, ORM_VFLOAT);
    assert_true(v.u.f == 0.1);
    assert_int_equal(drv->column(sel, COL_B, ORM_BOOLEAN, &v), 0);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);
    column_text_equal(sel, COL_N, ORM_NUMERIC,
                      "12345678901234567890.123456789");
    column_text_equal(sel, COL_N2, ORM_NUMERIC, "-99999999.99");
    column_text_equal(sel, COL_D, ORM_DATE, "2024-01-31");
    column_text_equal(sel, COL_T, ORM_TIME, "10:11:12.5");
    column_text_equal(sel, COL_TS, ORM_DATETIME, "2024-01-31 10:00:00.123456");
    column_text_equal(sel, COL_TZ, ORM_DATETIMETZ, "2024-01-31 10:00:00+00");
    assert_int_equal(drv->column(sel, COL_BLOB, ORM_BLOB, &v), 0);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, blob_len);
    assert_memory_equal(v.u.s.ptr, blob, blob_len);
    /* json keeps the text as written; jsonb normalizes it. */
    column_text_equal(sel, COL_J, ORM_JSON, "{\"b\": 1,  \"a\": [1, 2]}");
    column_text_equal(sel, COL_JB, ORM_JSON, "{\"a\": \"🎉\", \"b\": 1}");
    column_text_equal(sel, COL_U, ORM_UUID,
                      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    column_text_equal(sel, COL_S, ORM_STRING, unicode);
    column_text_equal(sel, COL_TX, ORM_TEXT, unicode);
    column_text_equal(sel, COL_E, ORM_TEXT, "happy");
    assert_int_equal(step(sel), ORM_DONE);

    assert_int_equal(drv->reset(sel), 0);
    id = orm_value_int(2);
    assert_int_equal(drv->bind(sel, 0, &id, ORM_INTEGER), 0);
    step_row(sel);
    for (size_t c = 0; c < NCOLS; c++)
        column_is_null(sel, c, round_trip_types[c]);
    assert_int_equal(step(sel), ORM_DONE);
    drv->finalize(sel);
    free(blob);
}

static void test_types__natural_kinds_follow_column_types(void **state)
{
    pg_fixture *fx = *state;
    orm_value v;
    orm_stmt *st =
        prepare_ok(fx->conn,
                   "SELECT 42::int4, 7::int8, true, 2.5::float8, 1.50::numeric,"
                   " '\\x00ff'::bytea, 'x'::text, NULL::int4",
                   0, 0);
    step_row(st);
    assert_int_equal(drv->column(st, 0, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 42);
    assert_int_equal(drv->column(st, 1, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(drv->column(st, 2, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(drv->column(st, 3, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VFLOAT);
    column_text_equal(st, 4, ORM_TYPE_COUNT, "1.50");
    assert_int_equal(drv->column(st, 5, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, 2);
    assert_memory_equal(v.u.s.ptr, "\x00\xff", 2);
    column_text_equal(st, 6, ORM_TYPE_COUNT, "x");
    column_is_null(st, 7, ORM_TYPE_COUNT);
    /* Text that is not a number is a type error, not garbage. */
    assert_int_equal(drv->column(st, 6, ORM_INTEGER, &v), ORM_ETYPE);
    drv->finalize(st);
}

/* Integers read exactly at every length, the int64 ends included;
 * anything else as an integer is a type error. */
static void test_types__integers_read_exactly(void **state)
{
    pg_fixture *fx = *state;
    static const struct {
        const char *sql;
        int64_t want;
    } cases[] = {
        {"SELECT 0::int8", 0},
        {"SELECT -7::int4", -7},
        {"SELECT 999999999999999999::int8", 999999999999999999},
        {"SELECT -999999999999999999::int8", -999999999999999999},
        {"SELECT 9223372036854775807::int8", INT64_MAX},
        {"SELECT (-9223372036854775807 - 1)::int8", INT64_MIN},
        {"SELECT 12.000::numeric", 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_true(query_int(fx->conn, cases[i].sql) == cases[i].want);
    static const char *const not_integers[] = {
        "SELECT '12a'::text", "SELECT '-'::text", "SELECT ''::text",
        "SELECT '1.5'::text", "SELECT '99999999999999999999'::text"};
    for (size_t i = 0; i < sizeof not_integers / sizeof not_integers[0]; i++) {
        orm_stmt *st = prepare_ok(fx->conn, not_integers[i], 0, 0);
        orm_value v;
        step_row(st);
        if (drv->column(st, 0, ORM_BIGINT, &v) != ORM_ETYPE)
            fail_msg("%s read as an integer", not_integers[i]);
        drv->finalize(st);
    }
}

static void test_types__float_special_values_round_trip(void **state)
{
    pg_fixture *fx = *state;
    const double values[] = {NAN,
                             INFINITY,
                             -INFINITY,
                             -0.0,
                             1e-300,
                             1.7976931348623157e308,
                             3.141592653589793};
    orm_value v;
    orm_stmt *st = prepare_ok(fx->conn, "SELECT $1::float8", 1, 0);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        orm_value in = orm_value_float(values[i]);
        assert_int_equal(drv->bind(st, 0, &in, ORM_FLOAT), 0);
        step_row(st);
        assert_int_equal(drv->column(st, 0, ORM_FLOAT, &v), 0);
        assert_int_equal(v.kind, ORM_VFLOAT);
        if (isnan(values[i]))
            assert_true(isnan(v.u.f));
        else
            assert_true(v.u.f == values[i]);
        assert_int_equal(drv->reset(st), 0);
    }
    drv->finalize(st);
}

static void test_stmt__rebinding_null_then_typed_values(void **state)
{
    pg_fixture *fx = *state;
    orm_value v;
    exec_ok(fx->conn, "CREATE TABLE bin (id int, data bytea, flag boolean)");
    orm_stmt *ins =
        prepare_ok(fx->conn, "INSERT INTO bin VALUES ($1, $2, $3)", 3, 0);
    /* First NULLs without a type hint, then a blob and a bool: the
     * statement must accept the new parameter types. */
    orm_value null = orm_value_null();
    orm_value id = orm_value_int(1);
    assert_int_equal(drv->bind(ins, 0, &id, ORM_TYPE_COUNT), 0);
    assert_int_equal(drv->bind(ins, 1, &null, ORM_TYPE_COUNT), 0);
    assert_int_equal(drv->bind(ins, 2, &null, ORM_TYPE_COUNT), 0);
    assert_int_equal(step(ins), ORM_DONE);
    assert_int_equal(drv->reset(ins), 0);
    orm_value blob = orm_value_blob("a\0b", 3);
    orm_value flag = orm_value_bool(1);
    id = orm_value_int(2);
    assert_int_equal(drv->bind(ins, 0, &id, ORM_TYPE_COUNT), 0);
    assert_int_equal(drv->bind(ins, 1, &blob, ORM_TYPE_COUNT), 0);
    assert_int_equal(drv->bind(ins, 2, &flag, ORM_TYPE_COUNT), 0);
    if (step(ins) != ORM_DONE)
        fail_msg("insert: %s", orm_error_text(&fx->conn->err));
    assert_int_equal(drv->reset(ins), 0);
    /* And NULL again after typed values. */
    id = orm_value_int(3);
    assert_int_equal(drv->bind(ins, 0, &id, ORM_TYPE_COUNT), 0);
    assert_int_equal(drv->bind(ins, 1, &null, ORM_BLOB), 0);
    assert_int_equal(drv->bind(ins, 2, &null, ORM_BOOLEAN), 0);
    assert_int_equal(step(ins), ORM_DONE);
    drv->finalize(ins);

    orm_stmt *sel =
        prepare_ok(fx->conn, "SELECT data, flag FROM bin ORDER BY id", 0, 0);
    step_row(sel);
    column_is_null(sel, 0, ORM_BLOB);
    step_row(sel);
    assert_int_equal(drv->column(sel, 0, ORM_BLOB, &v), 0);
    assert_int_equal(v.u.s.len, 3);
    assert_memory_equal(v.u.s.ptr, "a\0b", 3);
    assert_int_equal(drv->column(sel, 1, ORM_BOOLEAN, &v), 0);
    assert_int_equal(v.u.b, 1);
    step_row(sel);
    column_is_null(sel, 0, ORM_BLOB);
    column_is_null(sel, 1, ORM_BOOLEAN);
    assert_int_equal(step(sel), ORM_DONE);
    drv->finalize(sel);
}

static void test_stmt__rows_matched_and_returning(void **state)
{
    pg_fixture *fx = *state;
    orm_value v;
    int64_t id = 0;
    exec_ok(fx->conn, "CREATE TABLE items (id serial PRIMARY KEY, qty int)");
    orm_stmt *ins = prepare_ok(
        fx->conn, "INSERT INTO items (qty) VALUES ($1) RETURNING id", 1, 0);
    for (int i = 1; i <= 3; i++) {
        orm_value qty = orm_value_int(i);
        assert_int_equal(drv->bind(ins, 0, &qty, ORM_INTEGER), 0);
        step_row(ins);
        assert_int_equal(drv->column(ins, 0, ORM_INTEGER, &v), 0);
        assert_int_equal(v.u.i, i);
        assert_int_equal(step(ins), ORM_DONE);
        assert_int_equal(drv->reset(ins), 0);
    }
    assert_int_equal(drv->last_insert_id(ins, &id), ORM_EUNSUPPORTED);
    drv->finalize(ins);

    orm_stmt *upd = prepare_ok(
        fx->conn, "UPDATE items SET qty = qty WHERE qty >= $1", 1, 0);
    orm_value min = orm_value_int(2);
    assert_int_equal(drv->bind(upd, 0, &min, ORM_INTEGER), 0);
    assert_int_equal(step(upd), ORM_DONE);
    assert_int_equal(drv->rows_matched(upd), 2);
    drv->finalize(upd);
}

/* ---- errors ---- */

static void test_errors__constraints_map_with_names(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    orm_error *err = &conn->err;
    exec_ok(conn, "CREATE TABLE parent (id int PRIMARY KEY)");
    exec_ok(conn, "CREATE TABLE child (id int PRIMARY KEY,"
                  " handle varchar(20) NOT NULL UNIQUE,"
                  " parent_id int REFERENCES parent (id),"
                  " qty int CONSTRAINT qty_positive CHECK (qty > 0),"
                  " x int, \"Y z\" int, UNIQUE (x, \"Y z\"))");
    exec_ok(conn, "INSERT INTO parent VALUES (1)");
    exec_ok(conn, "INSERT INTO child VALUES (1, 'dup-value-xyz', 1, 1, 1, 1)");

    assert_int_equal(exec_fails(conn,
                                "INSERT INTO child (id, handle) VALUES (2, "
                                "'dup-value-xyz')"),
                     ORM_EUNIQUE);
    assert_string_equal(err->sqlstate, "23505");
    assert_string_equal(err->constraint, "child_handle_key");
    assert_string_equal(err->table, "child");
    assert_string_equal(err->column, "handle");
    assert_null(strstr(err->message, "dup-value-xyz"));

    assert_int_equal(exec_fails(conn,
                                "INSERT INTO child (id, handle, x, \"Y z\")"
                                " VALUES (3, 'other', 1, 1)"),
                     ORM_EUNIQUE);
    assert_string_equal(err->column, "x, Y z");

    assert_int_equal(exec_fails(conn, "INSERT INTO child (id) VALUES (4)"),
                     ORM_ENOTNULL);
    assert_string_equal(err->sqlstate, "23502");
    assert_string_equal(err->column, "handle");
    assert_string_equal(err->table, "child");

    assert_int_equal(exec_fails(conn,
                                "INSERT INTO child (id, handle, parent_id)"
                                " VALUES (5, 'h5', 999)"),
                     ORM_EFOREIGNKEY);
    assert_string_equal(err->sqlstate, "23503");
    assert_string_equal(err->constraint, "child_parent_id_fkey");
    assert_string_equal(err->column, "parent_id");
    assert_null(strstr(err->message, "999"));

    assert_int_equal(exec_fails(conn, "DELETE FROM parent"), ORM_EFOREIGNKEY);
    assert_string_equal(err->constraint, "child_parent_id_fkey");

    assert_int_equal(exec_fails(conn, "INSERT INTO child (id, handle, qty)"
                                      " VALUES (6, 'h6', -1)"),
                     ORM_ECHECK);
    assert_string_equal(err->sqlstate, "23514");
    assert_string_equal(err->constraint, "qty_positive");
    assert_string_equal(err->table, "child");

    /* A bad value for a typed parameter is a type error. */
    orm_stmt *st = prepare_ok(
        conn, "INSERT INTO child (id, handle) VALUES ($1, 'h7')", 1, 0);
    orm_value text = orm_value_text("not-a-number");
    assert_int_equal(drv->bind(st, 0, &text, ORM_INTEGER), 0);
    assert_int_equal(step(st), ORM_ETYPE);
    assert_string_equal(err->sqlstate, "22P02");
    drv->finalize(st);

    /* Plain SQL errors stay generic and keep the server's sentence. */
    assert_int_equal(exec_fails(conn, "SELECT * FROM no_such_table"),
                     ORM_EERROR);
    assert_string_equal(err->sqlstate, "42P01");
    assert_non_null(strstr(err->message, "no_such_table"));
}

static void test_tx__error_inside_transaction_then_rollback(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    exec_ok(conn, "CREATE TABLE t (id int PRIMARY KEY)");
    assert_int_equal(drv->begin(conn), 0);
    exec_ok(conn, "INSERT INTO t VALUES (1)");
    assert_int_equal(exec_fails(conn, "INSERT INTO t VALUES (1)"), ORM_EUNIQUE);
    /* The transaction is aborted: statements fail until rollback. */
    orm_stmt *st = prepare_ok(conn, "SELECT count(*) FROM t", 0, 0);
    assert_true(step(st) < 0);
    assert_int_equal(drv->rollback(conn), 0);
    assert_int_equal(drv->reset(st), 0);
    step_row(st);
    orm_value v;
    assert_int_equal(drv->column(st, 0, ORM_BIGINT, &v), 0);
    assert_int_equal(v.u.i, 0);
    drv->finalize(st);
    assert_int_equal(drv->ping(conn), 0);
}

static void test_tx__commit_of_failed_transaction_is_an_error(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    exec_ok(conn, "CREATE TABLE t (id int PRIMARY KEY)");
    assert_int_equal(drv->begin(conn), 0);
    exec_ok(conn, "INSERT INTO t VALUES (1)");
    exec_fails(conn, "INSERT INTO t VALUES (1)");
    assert_true(drv->commit(conn) < 0);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t"), 0);
    /* A good transaction still commits. */
    assert_int_equal(drv->begin(conn), 0);
    exec_ok(conn, "INSERT INTO t VALUES (2)");
    assert_int_equal(drv->commit(conn), 0);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t"), 1);
}

/* ---- streaming ---- */

static void test_stream__hundred_thousand_rows_one_at_a_time(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    orm_value v;
    int64_t count = 0, sum = 0;
    orm_stmt *other = prepare_ok(conn, "SELECT 1", 0, 0);
    orm_stmt *st = prepare_ok(
        conn, "SELECT g, repeat('x', 100) FROM generate_series(1, 100000) g", 0,
        ORM_STMT_STREAM);
    int rc;
    while ((rc = step(st)) == ORM_ROW) {
        assert_int_equal(drv->column(st, 0, ORM_BIGINT, &v), 0);
        sum += v.u.i;
        if (count++ == 0) {
            /* While the stream runs the connection is taken. */
            assert_int_equal(drv->exec(conn, "SELECT 1"), ORM_EBUSY);
            assert_non_null(conn->err.message);
            assert_int_equal(step(other), ORM_EBUSY);
            assert_int_equal(drv->reset(other), 0);
            assert_int_equal(drv->column(st, 1, ORM_TEXT, &v), 0);
            assert_int_equal(v.u.s.len, 100);
        }
    }
    assert_int_equal(rc, ORM_DONE);
    assert_int_equal(count, 100000);
    assert_true(sum == (int64_t)100000 * 100001 / 2);
    assert_int_equal(drv->rows_matched(st), 100000);
    assert_int_equal(step(st), ORM_DONE);
    step_row(other);
    drv->finalize(other);
    drv->finalize(st);
    exec_ok(conn, "SELECT 1");
}

static void test_stream__reset_midway_frees_the_connection(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    /* Far too many rows to read: reset must cancel, not drain. (In the
     * select list generate_series yields row by row; in FROM it would
     * build the whole set first.) */
    orm_stmt *st = prepare_ok(conn, "SELECT generate_series(1, 2000000000)", 0,
                              ORM_STMT_STREAM);
    for (int i = 0; i < 10; i++)
        step_row(st);
    assert_int_equal(drv->reset(st), 0);
    assert_int_equal(query_int(conn, "SELECT 7"), 7);
    /* The statement runs again after reset. */
    step_row(st);
    drv->finalize(st);
    assert_int_equal(query_int(conn, "SELECT 8"), 8);

    /* Inside a transaction the rest is read instead, which keeps the
     * transaction alive. */
    exec_ok(conn, "CREATE TABLE t (id int)");
    assert_int_equal(drv->begin(conn), 0);
    exec_ok(conn, "INSERT INTO t VALUES (1)");
    st = prepare_ok(conn, "SELECT g FROM generate_series(1, 50000) g", 0,
                    ORM_STMT_STREAM);
    step_row(st);
    assert_int_equal(drv->reset(st), 0);
    drv->finalize(st);
    assert_int_equal(drv->commit(conn), 0);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t"), 1);
}

/* A result the server has sent whole, left before its end (a count read
 * for its one row, a short page): reset drops what arrived and sends no
 * cancel, which would open a connection of its own (a round trip and a
 * login's worth of work on the server). A long one is still cancelled. */
static void
test_stream__reset_after_a_whole_result_sends_no_cancel(void **state)
{
    (void)state;
    char *proxied = NULL;
    orm_url *url = NULL;
    orm_error err = ORM_ERROR_INIT;
    test_trips *trips = test_trips_start(getenv("ORB_TEST_PG_URL"), &proxied);
    if (orm_url_parse(&url, proxied, &err))
        fail_msg("proxied URL: %s", orm_error_text(&err));
    orm_conn *conn = connect_ok(url, 0);
    assert_int_equal(test_trips_connections(trips), 1);
    for (int i = 0; i < 3; i++) {
        orm_stmt *st =
            prepare_ok(conn, "SELECT count(*), 'Zählung' FROM pg_class", 0,
                       ORM_STMT_STREAM);
        step_row(st);
        assert_int_equal(drv->reset(st), 0);
        drv->finalize(st);
    }
    assert_int_equal(query_int(conn, "SELECT 7"), 7);
    assert_int_equal(test_trips_connections(trips), 1);
    /* A stream still coming gets its cancel. Its rows trickle after the
     * first thousand: a flood would fill the socket buffers of the proxy,
     * whose one thread then waits to write to this client and cannot
     * pass the cancel's connection on (the cancel gives up after the
     * connect timeout and shuts the connection down). The set is made in
     * a select list, row by row. */
    orm_stmt *st =
        prepare_ok(conn,
                   "SELECT g, CASE WHEN g > 1000 THEN pg_sleep(0.01) END"
                   " FROM (SELECT generate_series(1, 2000000000) AS g) AS s",
                   0, ORM_STMT_STREAM);
    step_row(st);
    assert_int_equal(drv->reset(st), 0);
    drv->finalize(st);
    assert_int_equal(test_trips_connections(trips), 2);
    assert_int_equal(query_int(conn, "SELECT 8"), 8);
    drv->close(conn);
    orm_url_free(url);
    free(proxied);
    test_trips_stop(trips);
}

static void test_stream__error_midway_is_reported(void **state)
{
    pg_fixture *fx = *state;
    orm_stmt *st =
        prepare_ok(fx->conn, "SELECT 1 / (3 - g) FROM generate_series(1, 5) g",
                   0, ORM_STMT_STREAM);
    int rc;
    int rows = 0;
    while ((rc = step(st)) == ORM_ROW)
        rows++;
    assert_int_equal(rows, 2);
    assert_true(rc < 0);
    assert_string_equal(fx->conn->err.sqlstate, "22012");
    drv->finalize(st);
    assert_int_equal(query_int(fx->conn, "SELECT 9"), 9);
}

/* ---- bulk reads through COPY (postgres_copy.c) ---- */

#define BULK (ORM_STMT_STREAM | ORM_STMT_BULK)

static int same_value(const orm_value *a, const orm_value *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case ORM_VNULL:
        return 1;
    case ORM_VINT:
        return a->u.i == b->u.i;
    case ORM_VFLOAT: /* -0 and NaN too */
        return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
    case ORM_VBOOL:
        return a->u.b == b->u.b;
    default:
        return a->u.s.len == b->u.s.len &&
               (!a->u.s.len || !memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len));
    }
}

/* The same SELECT streamed as a query (one connection) and read through
 * COPY (another): every column of every row reads alike in its natural
 * kind, as text, and as the kinds the driver converts to (a boolean as
 * an integer, bytea as a blob), NULL apart from '' and from the text \N;
 * the counts agree. */
static void test_copy__values_read_as_a_stream_reads_them(void **state)
{
    pg_fixture *fx = *state;
    static const char sql[] =
        "SELECT g, g::smallint, (g * 1000003)::bigint, g / 7.0, "
        "CASE g % 4 WHEN 0 THEN '-0'::float8 WHEN 1 THEN 'NaN' "
        "WHEN 2 THEN '1e300' ELSE g / 3.0 END::float8, (g / 3.0)::real, "
        "g % 2 = 0, CASE WHEN g % 5 = 0 THEN NULL "
        "ELSE decode('005c0a09' || md5(g::text), 'hex') END, "
        "CASE g % 6 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN E'\\\\N' "
        "WHEN 3 THEN E'tab\\there\\nnew\\\\back\\rcr \\b\\f\\v\\x01' "
        "ELSE 'Zoë Ünï ' || g END, "
        "'2024-02-29 23:59:59.5+05:30'::timestamptz + g * interval '1 day', "
        "'2000-01-01'::timestamp - g * interval '1 sec', "
        "make_interval(0, g, 0, -g, 0, 0, g / 8.0), "
        "md5(g::text)::uuid, jsonb_build_object('k\te\\y', g, 'Ä', NULL), "
        "ARRAY['a b', NULL, E'\\\\', g::text], '2024-01-01'::date + g "
        "FROM generate_series(1, 60) g";
    static const orm_type typed[] = {ORM_TYPE_COUNT, ORM_TEXT};
    orm_conn *other = connect_ok(fx->url, 0);
    orm_stmt *plain = prepare_ok(fx->conn, sql, 0, ORM_STMT_STREAM);
    orm_stmt *copy = prepare_ok(other, sql, 0, BULK);
    int rc, rows = 0;
    while ((rc = step(plain)) == ORM_ROW) {
        step_row(copy);
        size_t n = drv->column_count(plain);
        assert_int_equal(drv->column_count(copy), n);
        for (size_t i = 0; i < n; i++) {
            for (size_t t = 0; t < 3; t++) {
                orm_type type = t < 2    ? typed[t]
                                : i == 6 ? ORM_INTEGER
                                : i == 7 ? ORM_BLOB
                                         : ORM_TYPE_COUNT;
                orm_value a, b;
                assert_int_equal(drv->column(plain, i, type, &a), 0);
                assert_int_equal(drv->column(copy, i, type, &b), 0);
                if (!same_value(&a, &b))
                    fail_msg("row %d column %zu (%s): the query gives "
                             "\"%.*s\", COPY \"%.*s\"",
                             rows + 1, i,
                             type < ORM_TYPE_COUNT ? orm_type_name(type)
                                                   : "natural",
                             a.kind >= ORM_VTEXT ? (int)a.u.s.len : 0,
                             a.kind >= ORM_VTEXT ? a.u.s.ptr : "",
                             b.kind >= ORM_VTEXT ? (int)b.u.s.len : 0,
                             b.kind >= ORM_VTEXT ? b.u.s.ptr : "");
            }
        }
        rows++;
    }
    assert_int_equal(rc, ORM_DONE);
    assert_int_equal(rows, 60);
    assert_int_equal(step(copy), ORM_DONE);
    assert_int_equal(drv->rows_matched(copy), 60);
    drv->finalize(plain);
    drv->finalize(copy);
    /* A statement with a parameter streams as a query; an error in the
     * query is the query's. */
    copy = prepare_ok(other, "SELECT $1::int + 1", 1, BULK);
    orm_value one = orm_value_int(1);
    assert_int_equal(drv->bind(copy, 0, &one, ORM_INTEGER), 0);
    step_row(copy);
    assert_int_equal(drv->column(copy, 0, ORM_INTEGER, &one), 0);
    assert_int_equal(one.u.i, 2);
    drv->finalize(copy);
    copy = prepare_ok(other, "SELECT nosuch FROM pg_class", 0, BULK);
    assert_true(step(copy) < 0);
    assert_string_equal(other->err.sqlstate, "42703");
    drv->finalize(copy);
    copy = prepare_ok(other, "SELECT 1 / (3 - g) FROM generate_series(1, 5) g",
                      0, BULK);
    while ((rc = step(copy)) == ORM_ROW)
        ;
    assert_true(rc < 0);
    assert_string_equal(other->err.sqlstate, "22012");
    drv->finalize(copy);
    assert_int_equal(query_int(other, "SELECT 9"), 9);
    drv->close(other);
}

/* COPY's text format decoded by hand: every escape COPY FROM reads
 * (the server writes only some of them), \N only as a whole column. */
static void test_copy__text_format_escapes_decode(void **state)
{
    (void)state;
    char row[] = "a\\tb\\nc\\rd\\be\\ff\\vg\\\\h\\101\\7i\\x41\\x4j\\q\t"
                 "\\N\t\t\\\\N\tZo\xc3\xab \\N\n";
    char *text[5];
    size_t len[5];
    pg_stmt st;
    memset(&st, 0, sizeof st);
    st.copy_text = text;
    st.copy_len = len;
    st.ncopy = 5;
    assert_int_equal(pg_copy_split(&st, row, strlen(row)), 0);
    static const char first[] = "a\tb\nc\rd\be\ff\vg\\hA\ai"
                                "A\x04jq";
    assert_int_equal(len[0], sizeof first - 1);
    assert_memory_equal(text[0], first, sizeof first - 1);
    assert_int_equal(text[0][len[0]], '\0');
    assert_null(text[1]);
    assert_non_null(text[2]);
    assert_int_equal(len[2], 0);
    assert_string_equal(text[3], "\\N");
    assert_string_equal(text[4], "Zo\xc3\xab N");
    /* Too few columns and too many are refused. */
    char short_row[] = "1\t2\n";
    assert_int_equal(pg_copy_split(&st, short_row, strlen(short_row)), -1);
    char long_row[] = "1\t2\t3\t4\t5\t6\n";
    assert_int_equal(pg_copy_split(&st, long_row, strlen(long_row)), -1);
}

/* A COPY given up halfway: one whose rows have all arrived is dropped
 * without a cancel; one still coming is cancelled (a connection of its
 * own through the proxy) and its rest read, and the connection works on;
 * inside a transaction the rest is read instead, and the transaction
 * commits. */
static void
test_copy__given_up_halfway_leaves_the_connection_usable(void **state)
{
    (void)state;
    char *proxied = NULL;
    orm_url *url = NULL;
    orm_error err = ORM_ERROR_INIT;
    test_trips *trips = test_trips_start(getenv("ORB_TEST_PG_URL"), &proxied);
    if (orm_url_parse(&url, proxied, &err))
        fail_msg("proxied URL: %s", orm_error_text(&err));
    orm_conn *conn = connect_ok(url, 0);
    /* Read whole, it comes through COPY indeed: 5 bytes a row fewer than
     * a query's rows (a DataRow's header and column count and length
     * against a CopyData's header and newline), less COPY's one more
     * RowDescription. */
    long bytes[2];
    for (int bulk = 0; bulk < 2; bulk++) {
        long before = test_trips_server_bytes(trips);
        orm_stmt *st =
            prepare_ok(conn, "SELECT g FROM generate_series(1, 20000) g", 0,
                       bulk ? BULK : ORM_STMT_STREAM);
        int n = 0;
        while (step(st) == ORM_ROW)
            n++;
        assert_int_equal(n, 20000);
        drv->finalize(st);
        bytes[bulk] = test_trips_server_bytes(trips) - before;
    }
    if (bytes[0] - bytes[1] < 20000 * 5 - 512)
        fail_msg("COPY sent %ld bytes, the query %ld", bytes[1], bytes[0]);
    for (int i = 0; i < 3; i++) {
        orm_stmt *st = prepare_ok(
            conn, "SELECT count(*), 'Zählung' FROM pg_class", 0, BULK);
        step_row(st);
        column_text_equal(st, 1, ORM_TEXT, "Zählung");
        assert_int_equal(drv->reset(st), 0);
        drv->finalize(st);
    }
    assert_int_equal(query_int(conn, "SELECT 7"), 7);
    assert_int_equal(test_trips_connections(trips), 1);
    /* Rows that trickle after the first thousand (see
     * test_stream__reset_after_a_whole_result_sends_no_cancel). */
    orm_stmt *st =
        prepare_ok(conn,
                   "SELECT g, CASE WHEN g > 1000 THEN pg_sleep(0.01) END"
                   " FROM (SELECT generate_series(1, 2000000000) AS g) AS s",
                   0, BULK);
    for (int i = 0; i < 10; i++)
        step_row(st);
    assert_int_equal(drv->reset(st), 0);
    assert_int_equal(test_trips_connections(trips), 2);
    assert_int_equal(query_int(conn, "SELECT 8"), 8);
    /* It runs again after reset. */
    step_row(st);
    column_text_equal(st, 0, ORM_TEXT, "1");
    drv->finalize(st);
    assert_int_equal(test_trips_connections(trips), 3);
    assert_int_equal(query_int(conn, "SELECT 9"), 9);

    exec_ok(conn, "CREATE TEMP TABLE t (id int)");
    assert_int_equal(drv->begin(conn), 0);
    exec_ok(conn, "INSERT INTO t VALUES (1)");
    st = prepare_ok(conn, "SELECT g FROM generate_series(1, 50000) g", 0, BULK);
    step_row(st);
    assert_int_equal(drv->reset(st), 0);
    drv->finalize(st);
    assert_int_equal(drv->commit(conn), 0);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t"), 1);
    assert_int_equal(test_trips_connections(trips), 3);
    drv->close(conn);
    orm_url_free(url);
    free(proxied);
    test_trips_stop(trips);
}

typedef struct canceller {
    orm_conn *conn;
    atomic_int stop;
} canceller;

/* Cancel every 20 ms until told to stop (a cancel while nothing runs
 * does nothing). */
static void *canceller_main(void *payload)
{
    canceller *c = payload;
    while (!atomic_load(&c->stop)) {
        drv->cancel(c->conn, NULL);
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* A cancel from another thread (Esc, orm_db_cancel) stops a COPY as it
 * stops a stream: the step waiting for rows returns ORM_ECANCELLED and
 * the connection works on. */
static void test_copy__cancel_from_another_thread_stops_it(void **state)
{
    pg_fixture *fx = *state;
    canceller c = {.conn = fx->conn};
    pthread_t thread;
    int rc, rows = 0;
    atomic_init(&c.stop, 0);
    /* Rows without end, made one by one (generate_series in a select
     * list: in FROM it would build the whole set before the first). */
    orm_stmt *st = prepare_ok(
        fx->conn,
        "SELECT g, pg_sleep(0.001) IS NULL FROM (SELECT generate_series(1, "
        "2000000000) AS g) AS s",
        0, BULK);
    assert_int_equal(pthread_create(&thread, NULL, canceller_main, &c), 0);
    while ((rc = step(st)) == ORM_ROW)
        rows++;
    atomic_store(&c.stop, 1);
    pthread_join(thread, NULL);
    assert_int_equal(rc, ORM_ECANCELLED);
    drv->finalize(st);
    assert_int_equal(query_int(fx->conn, "SELECT 10"), 10);
}

/* ---- lost connections ---- */

/* Terminate `conn`'s backend from another connection; its pid. */
static int64_t terminate_backend(const pg_fixture *fx, orm_conn *conn)
{
    orm_conn *killer = connect_ok(fx->url, 0);
    int64_t pid = query_int(conn, "SELECT pg_backend_pid()");
    orm_value v;
    /* The timeout form waits until the backend is gone. */
    orm_stmt *kill =
        prepare_ok(killer, "SELECT pg_terminate_backend($1, 10000)", 1, 0);
    orm_value arg = orm_value_int(pid);
    assert_int_equal(drv->bind(kill, 0, &arg, ORM_INTEGER), 0);
    step_row(kill);
    assert_int_equal(drv->column(kill, 0, ORM_BOOLEAN, &v), 0);
    assert_int_equal(v.u.b, 1);
    drv->finalize(kill);
    drv->close(killer);
    return pid;
}

/* Inside a transaction a lost connection is ORM_ECONNLOST (resending
 * would run the statement outside the transaction it belongs to); the
 * connection reconnects when asked. */
static void test_connlost__terminated_backend_then_reconnect(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    orm_stmt *old = prepare_ok(conn, "SELECT 1", 0, 0);
    orm_value v;
    step_row(old);
    assert_int_equal(drv->reset(old), 0);
    assert_int_equal(drv->begin(conn), 0);
    int64_t pid = terminate_backend(fx, conn);

    assert_int_equal(step(old), ORM_ECONNLOST);
    assert_int_equal(conn->err.code, ORM_ECONNLOST);
    assert_non_null(conn->err.message);
    assert_memory_equal(conn->err.message, "connection lost: ", 17);
    assert_int_equal(drv->exec(conn, "SELECT 1"), ORM_ECONNLOST);
    assert_int_equal(drv->ping(conn), ORM_ECONNLOST);
    drv->finalize(old);

    assert_int_equal(drv->reconnect(conn), 0);
    assert_true(query_int(conn, "SELECT pg_backend_pid()") != pid);
    assert_session_utc_iso(conn);
    orm_stmt *fresh = prepare_ok(conn, "SELECT 2", 0, 0);
    step_row(fresh);
    assert_int_equal(drv->column(fresh, 0, ORM_INTEGER, &v), 0);
    assert_int_equal(v.u.i, 2);
    drv->finalize(fresh);
    execf_ok(conn, "SET search_path = %s", fx->schema);
}

/* A read sent while nothing was open that finds the backend gone (a
 * restart, a failover, an idle connection cut) changed nothing on the
 * server: the driver reconnects once and sends it again, so the caller
 * gets its rows, on a new backend. */
static void test_connlost__idle_read_reconnects_once(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    orm_value v;
    orm_stmt *read = prepare_ok(conn, "SELECT pg_backend_pid()", 0, 0);
    step_row(read);
    assert_int_equal(drv->column(read, 0, ORM_BIGINT, &v), 0);
    int64_t before = v.u.i;
    assert_int_equal(drv->reset(read), 0);
    assert_int_equal(terminate_backend(fx, conn), before);
    step_row(read);
    assert_int_equal(drv->column(read, 0, ORM_BIGINT, &v), 0);
    assert_true(v.u.i != before);
    assert_int_equal(drv->reset(read), 0);
    drv->finalize(read);
    assert_session_utc_iso(conn);
    execf_ok(conn, "SET search_path = %s", fx->schema);
}

static void test_connlost__statement_from_before_reconnect_is_safe(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    orm_stmt *old = prepare_ok(conn, "SELECT 5", 0, 0);
    orm_value v;
    step_row(old);
    assert_int_equal(drv->reconnect(conn), 0);
    /* Reset and run again: prepared anew on the new session. */
    assert_int_equal(drv->reset(old), 0);
    step_row(old);
    assert_int_equal(drv->column(old, 0, ORM_INTEGER, &v), 0);
    assert_int_equal(v.u.i, 5);
    drv->finalize(old);
    execf_ok(conn, "SET search_path = %s", fx->schema);
}

/* ---- read-only ---- */

static void test_readonly__writes_are_refused(void **state)
{
    pg_fixture *fx = *state;
    exec_ok(fx->conn, "CREATE TABLE t (id int)");
    exec_ok(fx->conn, "INSERT INTO t VALUES (1)");
    orm_conn *ro = connect_ok(fx->url, 1);
    execf_ok(ro, "SET search_path = %s", fx->schema);
    assert_int_equal(query_int(ro, "SELECT count(*) FROM t"), 1);
    assert_int_equal(exec_fails(ro, "INSERT INTO t VALUES (2)"), ORM_EREADONLY);
    assert_string_equal(ro->err.sqlstate, "25006");
    assert_int_equal(drv->begin(ro), 0);
    assert_int_equal(exec_fails(ro, "DELETE FROM t"), ORM_EREADONLY);
    assert_int_equal(drv->rollback(ro), 0);
    assert_int_equal(exec_fails(ro, "CREATE TABLE t2 (id int)"), ORM_EREADONLY);
    drv->close(ro);
    assert_int_equal(query_int(fx->conn, "SELECT count(*) FROM t"), 1);
}

/* ---- reflection ---- */

static void create_reflect_schema(pg_fixture *fx)
{
    orm_conn *conn = fx->conn;
    exec_ok(conn, "CREATE TYPE mood AS ENUM ('sad', 'happy')");
    exec_ok(conn, "CREATE TABLE parent (a int, b varchar(20),"
                  " name text NOT NULL DEFAULT 'x', PRIMARY KEY (b, a))");
    exec_ok(conn, "CREATE TABLE child (id serial PRIMARY KEY, pa int,"
                  " pb varchar(20), code varchar(10) UNIQUE,"
                  " price numeric(10, 2) DEFAULT 0,"
                  " created timestamptz DEFAULT now(), m mood, tags text[],"
                  " flag boolean NOT NULL DEFAULT true, x int, y int,"
                  " data bytea, doc jsonb, u uuid, f real, c char(3),"
                  " total int GENERATED ALWAYS AS (x + y) STORED,"
                  " UNIQUE (y, x),"
                  " CONSTRAINT child_parent FOREIGN KEY (pb, pa)"
                  " REFERENCES parent (b, a))");
    exec_ok(conn, "CREATE VIEW child_view AS SELECT id FROM child");
    execf_ok(conn,
             "CREATE TABLE %s.gadget (id bigint GENERATED ALWAYS AS "
             "IDENTITY PRIMARY KEY, owner_id int REFERENCES %s.child (id))",
             fx->other, fx->schema);
}

static const orm_column *column_ok(const orm_model *m, const char *name)
{
    const orm_column *c = orm_model_column(m, name);
    if (!c)
        fail_msg("reflected model has no column \"%s\"", name);
    return c;
}

static void test_reflect__keys_defaults_and_types(void **state)
{
    pg_fixture *fx = *state;
    orm_model *m = NULL;
    create_reflect_schema(fx);

    assert_int_equal(drv->reflect_table(fx->conn, NULL, "child", &m), 0);
    assert_string_equal(m->table, "child");
    assert_null(m->schema);
    assert_int_equal(m->ncolumns, 17);

    const orm_column *c = column_ok(m, "id");
    assert_int_equal(c->type, ORM_INTEGER);
    assert_true(c->flags & ORM_PK);
    assert_true(c->flags & ORM_AUTOINC);
    assert_null(c->server_default);
    c = column_ok(m, "code");
    assert_int_equal(c->type, ORM_STRING);
    assert_int_equal(c->length, 10);
    assert_true(c->flags & ORM_UNIQUE);
    assert_false(c->flags & ORM_NOT_NULL);
    c = column_ok(m, "price");
    assert_int_equal(c->type, ORM_NUMERIC);
    assert_int_equal(c->precision, 10);
    assert_int_equal(c->scale, 2);
    assert_non_null(c->server_default);
    assert_non_null(strstr(c->server_default, "0"));
    c = column_ok(m, "created");
    assert_int_equal(c->type, ORM_DATETIMETZ);
    assert_string_equal(c->server_default, "now()");
    c = column_ok(m, "m");
    assert_int_equal(c->type, ORM_TEXT);
    assert_string_equal(c->native_type, "mood");
    c = column_ok(m, "tags");
    assert_int_equal(c->type, ORM_TEXT);
    assert_string_equal(c->native_type, "text[]");
    c = column_ok(m, "flag");
    assert_int_equal(c->type, ORM_BOOLEAN);
    assert_true(c->flags & ORM_NOT_NULL);
    assert_string_equal(c->server_default, "true");
    assert_int_equal(column_ok(m, "data")->type, ORM_BLOB);
    assert_int_equal(column_ok(m, "doc")->type, ORM_JSON);
    assert_int_equal(column_ok(m, "u")->type, ORM_UUID);
    assert_int_equal(column_ok(m, "f")->type, ORM_FLOAT);
    assert_int_equal(column_ok(m, "c")->type, ORM_STRING);
    assert_int_equal(column_ok(m, "c")->length, 3);
    assert_false(column_ok(m, "x")->flags & ORM_UNIQUE);
    /* A generated column has no default to send. */
    assert_null(column_ok(m, "total")->server_default);

    /* Composite keys keep their key order, not the column order. */
    assert_int_equal(m->nuniques, 1);
    assert_int_equal(m->uniques[0].ncolumns, 2);
    assert_string_equal(m->uniques[0].columns[0], "y");
    assert_string_equal(m->uniques[0].columns[1], "x");
    assert_int_equal(m->nforeign_keys, 1);
    const orm_foreign_key *fk = &m->foreign_keys[0];
    assert_string_equal(fk->name, "child_parent");
    assert_string_equal(fk->ref_table, "parent");
    assert_int_equal(fk->ncolumns, 2);
    assert_string_equal(fk->columns[0], "pb");
    assert_string_equal(fk->columns[1], "pa");
    assert_string_equal(fk->ref_columns[0], "b");
    assert_string_equal(fk->ref_columns[1], "a");
    assert_null(column_ok(m, "pa")->ref_table);
    orm_model_free(m);

    assert_int_equal(drv->reflect_table(fx->conn, NULL, "parent", &m), 0);
    assert_true(column_ok(m, "a")->flags & ORM_PK);
    assert_true(column_ok(m, "b")->flags & ORM_PK);
    assert_int_equal(column_ok(m, "b")->length, 20);
    assert_false(column_ok(m, "name")->flags & ORM_PK);
    assert_string_equal(column_ok(m, "name")->server_default, "'x'::text");
    orm_model_free(m);
}

static void test_reflect__other_schema_and_missing_tables(void **state)
{
    pg_fixture *fx = *state;
    orm_model *m = NULL;
    char qualified[160];
    create_reflect_schema(fx);

    assert_int_equal(drv->reflect_table(fx->conn, fx->other, "gadget", &m), 0);
    assert_string_equal(m->schema, fx->other);
    assert_string_equal(m->table, "gadget");
    const orm_column *c = column_ok(m, "id");
    assert_int_equal(c->type, ORM_BIGINT);
    assert_true(c->flags & ORM_PK);
    assert_true(c->flags & ORM_AUTOINC);
    assert_null(c->server_default);
    /* Named as the connection names it (driver.h): the current schema's
     * child is bare, whatever the schema of the table referring to it. */
    c = column_ok(m, "owner_id");
    assert_string_equal(c->ref_table, "child");
    assert_string_equal(c->ref_column, "id");
    assert_int_equal(m->nforeign_keys, 1);
    orm_model_free(m);

    /* "schema.table" as list_tables writes it works without a schema. */
    snprintf(qualified, sizeof qualified, "%s.gadget", fx->other);
    assert_int_equal(drv->reflect_table(fx->conn, NULL, qualified, &m), 0);
    assert_string_equal(m->table, "gadget");
    assert_string_equal(m->schema, fx->other);
    orm_model_free(m);

    m = NULL;
    assert_int_equal(drv->reflect_table(fx->conn, NULL, "gadget", &m),
                     ORM_ENOTFOUND);
    assert_null(m);
    assert_int_equal(drv->reflect_table(fx->conn, NULL, "no_such", &m),
                     ORM_ENOTFOUND);
    assert_int_equal(
        drv->reflect_table(fx->conn, "no_such_schema", "child", &m),
        ORM_ENOTFOUND);
    /* Names are values, never SQL. */
    assert_int_equal(
        drv->reflect_table(fx->conn, NULL, "x'); DROP TABLE child; --", &m),
        ORM_ENOTFOUND);
    assert_int_equal(query_int(fx->conn, "SELECT count(*) FROM child"), 0);
}

static void test_reflect__list_tables_sorted_and_qualified(void **state)
{
    pg_fixture *fx = *state;
    char **names = NULL;
    size_t count = 0;
    char expected[160];
    create_reflect_schema(fx);
    execf_ok(fx->conn, "SET search_path = %s, %s", fx->schema, fx->other);

    /* Views are listed with the tables (reflection marks them). */
    assert_int_equal(drv->list_tables(fx->conn, &names, &count), 0);
    assert_int_equal(count, 4);
    assert_string_equal(names[0], "child");
    assert_string_equal(names[1], "child_view");
    snprintf(expected, sizeof expected, "%s.gadget", fx->other);
    assert_string_equal(names[2], expected);
    assert_string_equal(names[3], "parent");
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static void test_reflect__estimate_count_after_analyze(void **state)
{
    pg_fixture *fx = *state;
    int64_t n = -1;
    exec_ok(fx->conn, "CREATE TABLE big (id int)");
    assert_int_equal(drv->estimate_count(fx->conn, NULL, "big", &n),
                     ORM_EUNSUPPORTED);
    exec_ok(fx->conn,
            "INSERT INTO big SELECT g FROM generate_series(1, 1000) g");
    exec_ok(fx->conn, "ANALYZE big");
    assert_int_equal(drv->estimate_count(fx->conn, fx->schema, "big", &n), 0);
    assert_int_equal(n, 1000);
    assert_int_equal(drv->estimate_count(fx->conn, NULL, "nope", &n),
                     ORM_ENOTFOUND);
}

/* ---- the table itself ---- */

static void assert_type_sql(orm_type type, int length, int precision, int scale,
                            int autoinc, const char *expected)
{
    orm_column col = {.name = "c",
                      .type = type,
                      .length = length,
                      .precision = precision,
                      .scale = scale};
    orm_buf out = ORM_BUF_INIT;
    drv->column_type_sql(&out, &col, autoinc);
    assert_string_equal(orm_buf_str(&out), expected);
    orm_buf_free(&out);
}

/* execute_batch: BEGIN and five statements in one pipeline; each result
 * comes back in order at its step, an error is the statement's own
 * (mapped, with its column), and what follows it did not run. The
 * transaction stays open for the caller's ROLLBACK, which undoes the
 * statements before the error; the connection then runs another batch
 * and plain statements as before. */
static void test_batch__results_in_order_and_the_first_error(void **state)
{
    pg_fixture *fx = *state;
    orm_conn *conn = fx->conn;
    exec_ok(conn, "CREATE TABLE t (id int PRIMARY KEY, name text UNIQUE)");
    exec_ok(conn, "INSERT INTO t VALUES (1, 'Ärger'), (2, 'Öl')");
    static const char *const sql[] = {
        "UPDATE t SET name = $1 WHERE id = $2",
        "INSERT INTO t VALUES ($2, $1) RETURNING id, name",
        "UPDATE t SET name = $1 WHERE id = $2",
        "INSERT INTO t VALUES ($2, $1)",
        "UPDATE t SET name = $1 WHERE id = $2",
    };
    const char *names[] = {"ÄRGER", "Neu-ß", "niemand", "Öl", "ÖL"};
    const int64_t ids[] = {1, 3, 99, 4, 2};
    orm_stmt *st[5];
    for (size_t i = 0; i < 5; i++) {
        orm_value name = orm_value_text(names[i]), id = orm_value_int(ids[i]);
        st[i] = prepare_ok(conn, sql[i], 2, 0);
        assert_int_equal(drv->bind(st[i], 0, &name, ORM_TEXT), 0);
        assert_int_equal(drv->bind(st[i], 1, &id, ORM_INTEGER), 0);
    }
    assert_int_equal(drv->execute_batch(conn, st, 5, ORM_BATCH_BEGIN), 0);
    assert_int_equal(step(st[0]), ORM_DONE);
    assert_int_equal(drv->rows_matched(st[0]), 1);
    step_row(st[1]);
    column_text_equal(st[1], 1, ORM_TEXT, "Neu-ß");
    assert_int_equal(step(st[1]), ORM_DONE);
    assert_int_equal(step(st[2]), ORM_DONE);
    assert_int_equal(drv->rows_matched(st[2]), 0);
    assert_int_equal(step(st[3]), ORM_EUNIQUE);
    assert_string_equal(conn->err.column, "name");
    assert_int_equal(step(st[4]), ORM_EERROR);
    assert_non_null(strstr(conn->err.message, "not run"));
    assert_int_equal(drv->rollback(conn), 0);
    assert_query_text(conn, "SELECT string_agg(name, ',' ORDER BY id) FROM t",
                      "Ärger,Öl");

    /* Again, without BEGIN: the statements commit on their own. */
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(drv->reset(st[i]), 0);
    assert_int_equal(drv->execute_batch(conn, st, 3, 0), 0);
    assert_int_equal(step(st[0]), ORM_DONE);
    step_row(st[1]);
    assert_int_equal(step(st[1]), ORM_DONE);
    assert_int_equal(step(st[2]), ORM_DONE);
    assert_query_text(conn, "SELECT string_agg(name, ',' ORDER BY id) FROM t",
                      "ÄRGER,Öl,Neu-ß");
    for (size_t i = 0; i < 5; i++)
        drv->finalize(st[i]);
}

static void test_driver__ddl_types_and_capabilities(void **state)
{
    (void)state;
    assert_type_sql(ORM_INTEGER, 0, 0, 0, 0, "INTEGER");
    assert_type_sql(ORM_INTEGER, 0, 0, 0, 1, "SERIAL");
    assert_type_sql(ORM_BIGINT, 0, 0, 0, 0, "BIGINT");
    assert_type_sql(ORM_BIGINT, 0, 0, 0, 1, "BIGSERIAL");
    assert_type_sql(ORM_SMALLINT, 0, 0, 0, 0, "SMALLINT");
    assert_type_sql(ORM_SMALLINT, 0, 0, 0, 1, "SMALLSERIAL");
    assert_type_sql(ORM_STRING, 50, 0, 0, 0, "VARCHAR(50)");
    assert_type_sql(ORM_STRING, 0, 0, 0, 0, "VARCHAR");
    assert_type_sql(ORM_TEXT, 0, 0, 0, 0, "TEXT");
    assert_type_sql(ORM_BOOLEAN, 0, 0, 0, 0, "BOOLEAN");
    assert_type_sql(ORM_FLOAT, 0, 0, 0, 0, "DOUBLE PRECISION");
    assert_type_sql(ORM_NUMERIC, 0, 10, 2, 0, "NUMERIC(10, 2)");
    assert_type_sql(ORM_NUMERIC, 0, 0, 0, 0, "NUMERIC");
    assert_type_sql(ORM_DATE, 0, 0, 0, 0, "DATE");
    assert_type_sql(ORM_TIME, 0, 0, 0, 0, "TIME");
    assert_type_sql(ORM_DATETIME, 0, 0, 0, 0, "TIMESTAMP");
    assert_type_sql(ORM_DATETIMETZ, 0, 0, 0, 0, "TIMESTAMP WITH TIME ZONE");
    assert_type_sql(ORM_BLOB, 0, 0, 0, 0, "BYTEA");
    assert_type_sql(ORM_JSON, 0, 0, 0, 0, "JSON");
    assert_type_sql(ORM_UUID, 0, 0, 0, 0, "UUID");

    assert_int_equal(drv->version, ORM_DRIVER_VERSION);
    assert_string_equal(drv->name, "postgresql");
    assert_true(drv->caps & ORM_CAP_RETURNING);
    assert_false(drv->caps & ORM_CAP_LAST_INSERT_ID);
    assert_non_null(drv->execute_batch);
    assert_int_equal(drv->placeholder, ORM_PLACEHOLDER_DOLLAR);
    assert_int_equal(drv->ident_quote, '"');
    assert_int_equal(drv->backslash_escapes, 0);
    assert_string_equal(drv->rowid_column, "ctid");
}

int main(void)
{
    if (test_servers_skipped("driver_postgres"))
        return TEST_SERVERS_SKIPPED;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver__ddl_types_and_capabilities),
        cmocka_unit_test(
            test_connect__wrong_password_is_auth_error_without_password),
        cmocka_unit_test(test_connect__closed_port_is_connect_error),
        cmocka_unit_test(test_connect__url_params_reach_libpq),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_types__integers_read_exactly),
        T(test_connect__session_is_utc_utf8_and_named_orb),
        T(test_connect__other_server_settings_are_set_for_orb),
        T(test_types__every_type_round_trips),
        T(test_types__natural_kinds_follow_column_types),
        T(test_types__float_special_values_round_trip),
        T(test_stmt__rebinding_null_then_typed_values),
        T(test_stmt__rows_matched_and_returning),
        T(test_errors__constraints_map_with_names),
        T(test_tx__error_inside_transaction_then_rollback),
        T(test_tx__commit_of_failed_transaction_is_an_error),
        T(test_batch__results_in_order_and_the_first_error),
        T(test_stream__hundred_thousand_rows_one_at_a_time),
        T(test_stream__reset_midway_frees_the_connection),
        T(test_stream__reset_after_a_whole_result_sends_no_cancel),
        T(test_stream__error_midway_is_reported),
        T(test_copy__values_read_as_a_stream_reads_them),
        T(test_copy__text_format_escapes_decode),
        T(test_copy__given_up_halfway_leaves_the_connection_usable),
        T(test_copy__cancel_from_another_thread_stops_it),
        T(test_connlost__terminated_backend_then_reconnect),
        T(test_connlost__idle_read_reconnects_once),
        T(test_connlost__statement_from_before_reconnect_is_safe),
        T(test_readonly__writes_are_refused),
        T(test_reflect__keys_defaults_and_types),
        T(test_reflect__other_schema_and_missing_tables),
        T(test_reflect__list_tables_sorted_and_qualified),
        T(test_reflect__estimate_count_after_analyze),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
