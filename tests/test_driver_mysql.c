/*
 * The MySQL / MariaDB driver table, called directly against a real server
 * (ORB_TEST_MYSQL_URL, set by scripts/with-servers.sh; the tests fail when
 * it is missing). The test user owns one database shared with other test
 * programs, so every table here carries a per-process prefix and the
 * fixture drops exactly those.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_servers.h"
#include "orm/sys/driver.h"
#include "orm/url.h"

static const orm_driver *const drv = &orm_driver_mysql;

typedef struct my_fixture {
    orm_url *url;
    orm_conn *conn;
    char prefix[32]; /* every table of this process starts with it */
} my_fixture;

/* ---- helpers ---- */

static orm_url *url_from_env(void)
{
    const char *text = getenv("ORB_TEST_MYSQL_URL");
    orm_error err = ORM_ERROR_INIT;
    orm_url *url = NULL;
    if (!text || !*text)
        fail_msg("ORB_TEST_MYSQL_URL is not set: run the tests under "
                 "scripts/with-servers.sh");
    if (orm_url_parse(&url, text, &err))
        fail_msg("ORB_TEST_MYSQL_URL does not parse: %s", orm_error_text(&err));
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
        fail_msg("connect failed (%s): %s", orm_error_name(rc),
                 orm_error_text(&err));
    return conn;
}

static void exec_ok(orm_conn *conn, const char *sql)
{
    int rc = drv->exec(conn, sql);
    if (rc)
        fail_msg("exec failed (%s): %s\n  SQL: %s", orm_error_name(rc),
                 orm_error_text(&conn->err), sql);
}

/* printf into a buffer the caller frees. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static char *
sqlf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    char *sql = malloc((size_t)n + 1);
    assert_non_null(sql);
    va_start(ap, fmt);
    vsnprintf(sql, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return sql;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
execf_ok(orm_conn *conn, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    exec_ok(conn, sql);
}

/* Run a statement expected to fail; returns the code. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
execf_fails(orm_conn *conn, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    int rc = drv->exec(conn, sql);
    if (rc >= 0)
        fail_msg("expected a failure from: %s", sql);
    return rc;
}

static orm_stmt *prepare_ok(orm_conn *conn, const char *sql, size_t nparams,
                            unsigned flags)
{
    orm_stmt *st = NULL;
    int rc = drv->prepare(conn, sql, nparams, flags, &st);
    if (rc)
        fail_msg("prepare failed (%s): %s\n  SQL: %s", orm_error_name(rc),
                 orm_error_text(&conn->err), sql);
    return st;
}

static void bind_ok(orm_stmt *st, size_t i, orm_value v, orm_type type)
{
    int rc = drv->bind(st, i, &v, type);
    if (rc)
        fail_msg("bind %zu failed: %s", i, orm_error_text(&st->conn->err));
}

static void step_row(orm_stmt *st)
{
    int rc = drv->step(st);
    if (rc != ORM_ROW)
        fail_msg("expected a row, got %s: %s", orm_error_name(rc),
                 orm_error_text(&st->conn->err));
}

static void step_done(orm_stmt *st)
{
    int rc = drv->step(st);
    if (rc != ORM_DONE)
        fail_msg("expected done, got %s: %s", orm_error_name(rc),
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

static void assert_query_text(orm_conn *conn, const char *sql,
                              const char *expected)
{
    orm_stmt *st = prepare_ok(conn, sql, 0, 0);
    orm_value v;
    step_row(st);
    assert_int_equal(drv->column(st, 0, ORM_TEXT, &v), 0);
    assert_int_equal(v.kind, ORM_VTEXT);
    if (v.u.s.len != strlen(expected) || memcmp(v.u.s.ptr, expected, v.u.s.len))
        fail_msg("%s: expected \"%s\", got \"%.*s\"", sql, expected,
                 (int)v.u.s.len, v.u.s.ptr);
    drv->finalize(st);
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

/* The DDL type of a column as the driver writes it. */
static char *type_sql(orm_type type, int length, int precision, int scale,
                      int autoinc)
{
    orm_column col = {.name = "c",
                      .type = type,
                      .length = length,
                      .precision = precision,
                      .scale = scale};
    orm_buf b = ORM_BUF_INIT;
    drv->column_type_sql(&b, &col, autoinc);
    char *text = orm_buf_finish(&b);
    assert_non_null(text);
    return text;
}

static void assert_type_sql(orm_type type, int length, int precision, int scale,
                            int autoinc, const char *expected)
{
    char *text = type_sql(type, length, precision, scale, autoinc);
    assert_string_equal(text, expected);
    free(text);
}

/* Drop every table of this process (children first does not matter
 * with foreign key checks off). */
static void drop_own_tables(my_fixture *fx)
{
    char *sql = sqlf("SELECT TABLE_NAME, TABLE_TYPE = 'VIEW' "
                     "FROM information_schema.TABLES "
                     "WHERE TABLE_SCHEMA = DATABASE() "
                     "AND TABLE_NAME LIKE '%s!_%%' ESCAPE '!'",
                     fx->prefix);
    orm_stmt *st = prepare_ok(fx->conn, sql, 0, 0);
    orm_value name, view;
    free(sql);
    exec_ok(fx->conn, "SET FOREIGN_KEY_CHECKS = 0");
    while (drv->step(st) == ORM_ROW) {
        assert_int_equal(drv->column(st, 0, ORM_TEXT, &name), 0);
        assert_int_equal(drv->column(st, 1, ORM_BOOLEAN, &view), 0);
        /* The stored rows stay readable while other statements run. */
        execf_ok(fx->conn, "DROP %s IF EXISTS `%.*s`",
                 view.u.b ? "VIEW" : "TABLE", (int)name.u.s.len, name.u.s.ptr);
    }
    drv->finalize(st);
    exec_ok(fx->conn, "SET FOREIGN_KEY_CHECKS = 1");
}

static int setup(void **state)
{
    my_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    *state = fx;
    fx->url = url_from_env();
    fx->conn = connect_ok(fx->url, 0);
    snprintf(fx->prefix, sizeof fx->prefix, "drvmy%ld", (long)getpid());
    drop_own_tables(fx);
    return 0;
}

static int teardown(void **state)
{
    my_fixture *fx = *state;
    if (!fx)
        return 0;
    if (fx->conn) {
        if (drv->ping(fx->conn) == ORM_ECONNLOST)
            assert_int_equal(drv->reconnect(fx->conn), 0);
        drv->rollback(fx->conn);
        drop_own_tables(fx);
        drv->close(fx->conn);
    }
    orm_url_free(fx->url);
    free(fx);
    return 0;
}

/* ---- the table itself ---- */

static void test_driver__ddl_types_and_capabilities(void **state)
{
    (void)state;
    assert_int_equal(drv->version, ORM_DRIVER_VERSION);
    assert_string_equal(drv->name, "mysql");
    assert_true(drv->caps & ORM_CAP_LAST_INSERT_ID);
    assert_true(drv->caps & ORM_CAP_MULTIROW_INSERT);
    assert_false(drv->caps & ORM_CAP_NULLS_ORDER);
    assert_int_equal(drv->placeholder, ORM_PLACEHOLDER_QMARK);
    assert_int_equal(drv->ident_quote, '`');
    assert_int_equal(drv->backslash_escapes, 1);
    assert_null(drv->rowid_column);
    assert_non_null(strstr(drv->table_options, "utf8mb4"));

    assert_type_sql(ORM_INTEGER, 0, 0, 0, 0, "INT");
    assert_type_sql(ORM_INTEGER, 0, 0, 0, 1, "INT AUTO_INCREMENT");
    assert_type_sql(ORM_BIGINT, 0, 0, 0, 1, "BIGINT AUTO_INCREMENT");
    assert_type_sql(ORM_SMALLINT, 0, 0, 0, 0, "SMALLINT");
    assert_type_sql(ORM_STRING, 50, 0, 0, 0, "VARCHAR(50)");
    assert_type_sql(ORM_STRING, 0, 0, 0, 0, "VARCHAR(255)");
    assert_type_sql(ORM_TEXT, 0, 0, 0, 0, "LONGTEXT");
    assert_type_sql(ORM_BOOLEAN, 0, 0, 0, 0, "BOOLEAN");
    assert_type_sql(ORM_FLOAT, 0, 0, 0, 0, "DOUBLE");
    assert_type_sql(ORM_NUMERIC, 0, 10, 2, 0, "DECIMAL(10,2)");
    assert_type_sql(ORM_NUMERIC, 0, 0, 0, 0, "DECIMAL(65,30)");
    assert_type_sql(ORM_DATE, 0, 0, 0, 0, "DATE");
    assert_type_sql(ORM_TIME, 0, 0, 0, 0, "TIME(6)");
    assert_type_sql(ORM_DATETIME, 0, 0, 0, 0, "DATETIME(6)");
    assert_type_sql(ORM_DATETIMETZ, 0, 0, 0, 0, "DATETIME(6)");
    assert_type_sql(ORM_BLOB, 0, 0, 0, 0, "LONGBLOB");
    assert_type_sql(ORM_JSON, 0, 0, 0, 0, "JSON");
    assert_type_sql(ORM_UUID, 0, 0, 0, 0, "UUID");
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
    assert_int_equal(err.native_code, 1045);
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

static void test_connect__bad_ssl_mode_is_refused(void **state)
{
    (void)state;
    orm_url *url = url_from_env();
    orm_error err = ORM_ERROR_INIT;
    orm_conn *conn = NULL;
    orm_url_param *params = calloc(2, sizeof *params);
    assert_non_null(params);
    params[0].key = strdup("charset"); /* accepted, always utf8mb4 */
    params[0].value = strdup("latin1");
    params[1].key = strdup("ssl_mode");
    params[1].value = strdup("sometimes");
    url->params = params;
    url->nparams = 2;

    assert_int_equal(drv->connect(&conn, url, NULL, &err), ORM_EINVALID);
    assert_null(conn);
    assert_non_null(strstr(err.message, "ssl_mode"));
    orm_error_clear(&err);

    free(params[1].value);
    params[1].value = strdup("DISABLED");
    conn = connect_ok(url, 0);
    assert_query_text(conn, "SELECT @@character_set_client", "utf8mb4");
    drv->close(conn);

    /* REQUIRED means encrypted or no connection at all. */
    free(params[1].value);
    params[1].value = strdup("REQUIRED");
    conn = NULL;
    int rc = drv->connect(&conn, url, NULL, &err);
    if (rc == 0) {
        orm_stmt *st = prepare_ok(conn,
                                  "SHOW SESSION STATUS LIKE "
                                  "'Ssl_cipher'",
                                  0, 0);
        orm_value v;
        step_row(st);
        assert_int_equal(drv->column(st, 1, ORM_TEXT, &v), 0);
        assert_true(v.kind == ORM_VTEXT && v.u.s.len > 0);
        drv->finalize(st);
        drv->close(conn);
    } else {
        assert_int_equal(rc, ORM_ECONNECT);
        assert_null(conn);
        assert_non_null(strstr(err.message, "TLS"));
        orm_error_clear(&err);
    }
    orm_url_free(url);
}

static void test_connect__session_is_utc_utf8mb4_and_strict(void **state)
{
    my_fixture *fx = *state;
    assert_query_text(fx->conn, "SELECT @@session.time_zone", "+00:00");
    assert_query_text(fx->conn, "SELECT @@character_set_client", "utf8mb4");
    assert_query_text(fx->conn, "SELECT @@character_set_results", "utf8mb4");
    assert_query_text(fx->conn, "SELECT @@collation_connection",
                      "utf8mb4_nopad_bin");
    assert_int_equal(query_int(fx->conn, "SELECT LOCATE('STRICT_ALL_TABLES',"
                                         " @@session.sql_mode) > 0"),
                     1);
    assert_int_equal(query_int(fx->conn, "SELECT @@session.tx_read_only"), 0);
    assert_int_equal(drv->ping(fx->conn), 0);
}

/* ---- values ---- */

enum {
    COL_I,
    COL_BI,
    COL_SI,
    COL_S,
    COL_TX,
    COL_B,
    COL_F,
    COL_N,
    COL_D,
    COL_T,
    COL_TS,
    COL_TZ,
    COL_BLOB,
    COL_J,
    COL_U,
    NCOLS
};

static const orm_type value_types[NCOLS] = {
    ORM_INTEGER,  ORM_BIGINT,     ORM_SMALLINT, ORM_STRING, ORM_TEXT,
    ORM_BOOLEAN,  ORM_FLOAT,      ORM_NUMERIC,  ORM_DATE,   ORM_TIME,
    ORM_DATETIME, ORM_DATETIMETZ, ORM_BLOB,     ORM_JSON,   ORM_UUID};

static const char *const value_names[NCOLS] = {"i",  "bi", "si", "s", "tx",
                                               "b",  "f",  "n",  "d", "t",
                                               "ts", "tz", "bl", "j", "u"};

/* CREATE TABLE prefix_vals with every type, through column_type_sql and
 * table_options, as the core would write it. */
static void create_vals_table(my_fixture *fx)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_appendf(&b, "CREATE TABLE `%s_vals` (id INT PRIMARY KEY",
                    fx->prefix);
    for (size_t i = 0; i < NCOLS; i++) {
        orm_column col = {.name = value_names[i], .type = value_types[i]};
        if (value_types[i] == ORM_STRING)
            col.length = 50;
        if (value_types[i] == ORM_NUMERIC) {
            col.precision = 40;
            col.scale = 9;
        }
        orm_buf_appendf(&b, ", `%s` ", value_names[i]);
        drv->column_type_sql(&b, &col, 0);
    }
    orm_buf_append(&b, ")");
    orm_buf_append(&b, drv->table_options);
    char *sql = orm_buf_finish(&b);
    assert_non_null(sql);
    exec_ok(fx->conn, sql);
    free(sql);
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
    my_fixture *fx = *state;
    const size_t blob_len = 1024 * 1024;
    unsigned char *blob = make_blob(blob_len);
    const char *unicode = "日本語のテキスト 🎉🚀 café ñ 中文 𝄞";
    const char *json = "{\"b\": 1,  \"a\":[1, 2]}";
    char *text_long = malloc(200001);
    orm_value in[NCOLS];
    orm_value v;

    assert_non_null(text_long);
    for (size_t i = 0; i < 200000; i++)
        text_long[i] = (char)('a' + i % 26);
    text_long[200000] = '\0';
    memcpy(text_long, "😀", 4);
    create_vals_table(fx);

    in[COL_I] = orm_value_int(2147483647);
    in[COL_BI] = orm_value_int(INT64_MAX);
    in[COL_SI] = orm_value_int(-32768);
    in[COL_S] = orm_value_text(unicode);
    in[COL_TX] = orm_value_text(text_long);
    in[COL_B] = orm_value_bool(1);
    in[COL_F] = orm_value_float(0.1);
    in[COL_N] = orm_value_text("12345678901234567890.123456789");
    in[COL_D] = orm_value_text("2024-02-29");
    in[COL_T] = orm_value_text("23:59:58.123456");
    in[COL_TS] = orm_value_text("2024-01-31 10:00:00.5");
    in[COL_TZ] = orm_value_text("2024-01-31 12:00:00+02:00");
    in[COL_BLOB] = orm_value_blob(blob, blob_len);
    in[COL_J] = orm_value_text(json);
    in[COL_U] = orm_value_text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");

    char *insert = sqlf("INSERT INTO `%s_vals` (id, i, bi, si, s, tx, b, f, "
                        "n, d, t, ts, tz, bl, j, u) VALUES (?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        fx->prefix);
    orm_stmt *st = prepare_ok(fx->conn, insert, NCOLS + 1, 0);
    bind_ok(st, 0, orm_value_int(1), ORM_INTEGER);
    for (size_t i = 0; i < NCOLS; i++)
        bind_ok(st, i + 1, in[i], value_types[i]);
    step_done(st);
    assert_int_equal(drv->rows_matched(st), 1);
    /* Same statement again, all NULL. */
    assert_int_equal(drv->reset(st), 0);
    bind_ok(st, 0, orm_value_int(2), ORM_INTEGER);
    for (size_t i = 0; i < NCOLS; i++)
        bind_ok(st, i + 1, orm_value_null(), value_types[i]);
    step_done(st);
    drv->finalize(st);
    free(insert);

    char *select = sqlf("SELECT i, bi, si, s, tx, b, f, n, d, t, ts, tz, bl, "
                        "j, u FROM `%s_vals` WHERE id = ?",
                        fx->prefix);
    st = prepare_ok(fx->conn, select, 1, 0);
    bind_ok(st, 0, orm_value_int(1), ORM_INTEGER);
    step_row(st);
    assert_int_equal(drv->column_count(st), NCOLS);
    assert_int_equal(drv->column(st, COL_I, ORM_INTEGER, &v), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 2147483647);
    assert_int_equal(drv->column(st, COL_BI, ORM_BIGINT, &v), 0);
    assert_true(v.u.i == INT64_MAX);
    assert_int_equal(drv->column(st, COL_SI, ORM_SMALLINT, &v), 0);
    assert_int_equal(v.u.i, -32768);
    column_text_equal(st, COL_S, ORM_STRING, unicode);
    column_text_equal(st, COL_TX, ORM_TEXT, text_long);
    assert_int_equal(drv->column(st, COL_B, ORM_BOOLEAN, &v), 0);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);
    assert_int_equal(drv->column(st, COL_F, ORM_FLOAT, &v), 0);
    assert_int_equal(v.kind, ORM_VFLOAT);
    assert_true(v.u.f == 0.1);
    column_text_equal(st, COL_N, ORM_NUMERIC, "12345678901234567890.123456789");
    column_text_equal(st, COL_D, ORM_DATE, "2024-02-29");
    column_text_equal(st, COL_T, ORM_TIME, "23:59:58.123456");
    column_text_equal(st, COL_TS, ORM_DATETIME, "2024-01-31 10:00:00.500000");
    /* Stored as UTC; read back with the offset spelled out. */
    column_text_equal(st, COL_TZ, ORM_DATETIMETZ,
                      "2024-01-31 10:00:00.000000+00:00");
    assert_int_equal(drv->column(st, COL_BLOB, ORM_BLOB, &v), 0);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, blob_len);
    assert_memory_equal(v.u.s.ptr, blob, blob_len);
    /* MariaDB keeps JSON text as written; UUIDs come back lower case. */
    column_text_equal(st, COL_J, ORM_JSON, json);
    column_text_equal(st, COL_U, ORM_UUID,
                      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    step_done(st);

    assert_int_equal(drv->reset(st), 0);
    bind_ok(st, 0, orm_value_int(2), ORM_INTEGER);
    step_row(st);
    for (size_t i = 0; i < NCOLS; i++)
        column_is_null(st, i, value_types[i]);
    step_done(st);
    drv->finalize(st);
    free(select);
    free(text_long);
    free(blob);
}

static void test_types__natural_kinds_follow_column_types(void **state)
{
    my_fixture *fx = *state;
    orm_value v;
    orm_stmt *st = prepare_ok(fx->conn,
                              "SELECT CAST(1 AS SIGNED), TRUE = TRUE, "
                              "2.5e0, "
                              "CAST('1.50' AS DECIMAL(5,2)), "
                              "CAST('2024-01-02' AS DATE), "
                              "CAST(X'00FF' AS BINARY), 'text', NULL, "
                              "18446744073709551615",
                              0, 0);
    step_row(st);
    assert_int_equal(drv->column(st, 0, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(drv->column(st, 1, ORM_BOOLEAN, &v), 0);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);
    assert_int_equal(drv->column(st, 2, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VFLOAT);
    assert_true(v.u.f == 2.5);
    column_text_equal(st, 2, ORM_TEXT, "2.5");
    column_text_equal(st, 3, ORM_TYPE_COUNT, "1.50");
    column_text_equal(st, 4, ORM_TYPE_COUNT, "2024-01-02");
    assert_int_equal(drv->column(st, 5, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, 2);
    assert_memory_equal(v.u.s.ptr, "\x00\xff", 2);
    column_text_equal(st, 6, ORM_TYPE_COUNT, "text");
    column_is_null(st, 7, ORM_TYPE_COUNT);
    /* Above INT64_MAX: text, never a wrapped number. */
    column_text_equal(st, 8, ORM_TYPE_COUNT, "18446744073709551615");
    assert_int_equal(drv->column(st, 8, ORM_BIGINT, &v), ORM_ETYPE);
    step_done(st);
    drv->finalize(st);

    /* A BOOLEAN column (TINYINT(1)) is a boolean by nature. */
    execf_ok(fx->conn, "CREATE TABLE `%s_flags` (b BOOLEAN, n TINYINT)%s",
             fx->prefix, drv->table_options);
    execf_ok(fx->conn, "INSERT INTO `%s_flags` VALUES (1, 7)", fx->prefix);
    char *sql = sqlf("SELECT b, n FROM `%s_flags`", fx->prefix);
    st = prepare_ok(fx->conn, sql, 0, 0);
    step_row(st);
    assert_int_equal(drv->column(st, 0, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(drv->column(st, 1, ORM_TYPE_COUNT, &v), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 7);
    drv->finalize(st);
    free(sql);
}

static void test_types__datetimetz_offsets_are_stored_as_utc(void **state)
{
    my_fixture *fx = *state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"2024-03-01 01:00:00+02:00", "2024-02-29 23:00:00.000000+00:00"},
        {"2024-12-31T23:30:00.25-05:30", "2025-01-01 05:00:00.250000+00:00"},
        {"2024-06-01 12:00:00Z", "2024-06-01 12:00:00.000000+00:00"},
        {"2024-06-01 12:00:00", "2024-06-01 12:00:00.000000+00:00"},
        {"2000-01-01 00:00:00+0100", "1999-12-31 23:00:00.000000+00:00"},
    };
    execf_ok(fx->conn,
             "CREATE TABLE `%s_tz` (id INT PRIMARY KEY, "
             "at DATETIME(6))%s",
             fx->prefix, drv->table_options);
    char *ins = sqlf("INSERT INTO `%s_tz` VALUES (?, ?)", fx->prefix);
    char *sel = sqlf("SELECT at FROM `%s_tz` WHERE id = ?", fx->prefix);
    orm_stmt *in = prepare_ok(fx->conn, ins, 2, 0);
    orm_stmt *out = prepare_ok(fx->conn, sel, 1, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bind_ok(in, 0, orm_value_int((int64_t)i), ORM_INTEGER);
        bind_ok(in, 1, orm_value_text(cases[i].in), ORM_DATETIMETZ);
        step_done(in);
        assert_int_equal(drv->reset(in), 0);
        bind_ok(out, 0, orm_value_int((int64_t)i), ORM_INTEGER);
        step_row(out);
        column_text_equal(out, 0, ORM_DATETIMETZ, cases[i].out);
        assert_int_equal(drv->reset(out), 0);
    }
    drv->finalize(in);
    drv->finalize(out);
    free(ins);
    free(sel);
}

static void test_types__long_values_grow_buffers_row_by_row(void **state)
{
    my_fixture *fx = *state;
    static const size_t sizes[] = {10, 5000, 3, 70000, 0, 70001};
    const size_t n = sizeof sizes / sizeof sizes[0];
    char *text = malloc(70002);
    assert_non_null(text);
    memset(text, 'x', 70001);
    text[70001] = '\0';

    execf_ok(fx->conn,
             "CREATE TABLE `%s_long` (id INT PRIMARY KEY, "
             "tx LONGTEXT)%s",
             fx->prefix, drv->table_options);
    char *ins = sqlf("INSERT INTO `%s_long` VALUES (?, ?)", fx->prefix);
    orm_stmt *st = prepare_ok(fx->conn, ins, 2, 0);
    for (size_t i = 0; i < n; i++) {
        bind_ok(st, 0, orm_value_int((int64_t)i), ORM_INTEGER);
        bind_ok(st, 1, orm_value_textn(text, sizes[i]), ORM_TEXT);
        step_done(st);
        drv->reset(st);
    }
    drv->finalize(st);
    free(ins);

    char *sel = sqlf("SELECT tx FROM `%s_long` ORDER BY id", fx->prefix);
    for (unsigned flags = 0; flags <= ORM_STMT_STREAM;
         flags += ORM_STMT_STREAM) {
        st = prepare_ok(fx->conn, sel, 0, flags);
        for (size_t i = 0; i < n; i++) {
            orm_value v;
            step_row(st);
            assert_int_equal(drv->column(st, 0, ORM_TEXT, &v), 0);
            assert_int_equal(v.u.s.len, sizes[i]);
            assert_memory_equal(v.u.s.ptr, text, sizes[i]);
        }
        step_done(st);
        drv->finalize(st);
    }
    free(sel);
    free(text);
}

/* ---- statements ---- */

static void test_stmt__update_same_value_counts_as_matched(void **state)
{
    my_fixture *fx = *state;
    int64_t id = 0;
    execf_ok(fx->conn,
             "CREATE TABLE `%s_acc` (id INT AUTO_INCREMENT "
             "PRIMARY KEY, v VARCHAR(20))%s",
             fx->prefix, drv->table_options);

    char *sql = sqlf("INSERT INTO `%s_acc` (v) VALUES (?)", fx->prefix);
    orm_stmt *st = prepare_ok(fx->conn, sql, 1, 0);
    free(sql);
    bind_ok(st, 0, orm_value_text("same"), ORM_STRING);
    step_done(st);
    assert_int_equal(drv->last_insert_id(st, &id), 0);
    assert_int_equal(id, 1);
    drv->reset(st);
    bind_ok(st, 0, orm_value_text("other"), ORM_STRING);
    step_done(st);
    assert_int_equal(drv->last_insert_id(st, &id), 0);
    assert_int_equal(id, 2);
    drv->finalize(st);

    sql = sqlf("INSERT INTO `%s_acc` (v) VALUES (?), (?)", fx->prefix);
    st = prepare_ok(fx->conn, sql, 2, 0);
    free(sql);
    bind_ok(st, 0, orm_value_text("m1"), ORM_STRING);
    bind_ok(st, 1, orm_value_text("m2"), ORM_STRING);
    step_done(st);
    assert_int_equal(drv->rows_matched(st), 2);
    assert_int_equal(drv->last_insert_id(st, &id), 0);
    assert_int_equal(id, 3); /* the first of the two */
    drv->finalize(st);

    sql = sqlf("UPDATE `%s_acc` SET v = ? WHERE id = ?", fx->prefix);
    st = prepare_ok(fx->conn, sql, 2, 0);
    free(sql);
    bind_ok(st, 0, orm_value_text("same"), ORM_STRING);
    bind_ok(st, 1, orm_value_int(1), ORM_INTEGER);
    step_done(st);
    assert_int_equal(drv->rows_matched(st), 1);
    drv->reset(st);
    bind_ok(st, 0, orm_value_text("x"), ORM_STRING);
    bind_ok(st, 1, orm_value_int(99), ORM_INTEGER);
    step_done(st);
    assert_int_equal(drv->rows_matched(st), 0);
    /* An UPDATE generates no key. */
    assert_int_equal(drv->last_insert_id(st, &id), ORM_ENOTFOUND);
    drv->finalize(st);
}

static void test_stmt__wrong_placeholder_count_is_invalid(void **state)
{
    my_fixture *fx = *state;
    orm_stmt *st = NULL;
    assert_int_equal(drv->prepare(fx->conn, "SELECT ?, ?", 1, 0, &st),
                     ORM_EINVALID);
    assert_null(st);
    st = prepare_ok(fx->conn, "SELECT ?", 1, 0);
    orm_value v = orm_value_int(1);
    assert_int_equal(drv->bind(st, 1, &v, ORM_INTEGER), ORM_EINVALID);
    drv->finalize(st);
    /* A syntax error is a plain database error with the server's words. */
    assert_int_equal(drv->prepare(fx->conn, "SELEC 1", 0, 0, &st), ORM_EERROR);
    assert_int_equal(fx->conn->err.native_code, 1064);
    assert_non_null(strstr(fx->conn->err.message, "syntax"));
}

static void test_like__binary_is_case_sensitive_lower_is_not(void **state)
{
    my_fixture *fx = *state;
    execf_ok(fx->conn,
             "CREATE TABLE `%s_words` (id INT PRIMARY KEY, "
             "w VARCHAR(50), ci VARCHAR(50) COLLATE "
             "utf8mb4_unicode_ci)%s",
             fx->prefix, drv->table_options);
    execf_ok(fx->conn,
             "INSERT INTO `%s_words` VALUES (1, 'Ecole', 'Ecole'), "
             "(2, 'école', 'école'), (3, 'ÉCOLE', 'ÉCOLE'), "
             "(4, '50%% off', '50%% off'), (5, '50 off', '50 off')",
             fx->prefix);
    static const struct {
        const char *expr;
        const char *pattern;
        int64_t count;
    } cases[] = {
        {"w %s ? ESCAPE '!'", "Ecole", 1},
        {"w %s ? ESCAPE '!'", "ÉC%", 1},
        {"ci %s ? ESCAPE '!'", "ÉC%", 1},
        {"ci %s ? ESCAPE '!'", "école", 1},
        {"w %s ? ESCAPE '!'", "50!% off", 1},
        {"w %s ? ESCAPE '!'", "50!_off", 0},
        {"lower(w) LIKE lower(?) ESCAPE '!'", "ÉCOLE", 2},
        {"lower(w) LIKE lower(?) ESCAPE '!'", "%E", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* The formats are the literals of cases[] above. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        char *where = sqlf(cases[i].expr, drv->like_op);
#pragma GCC diagnostic pop
        char *sql =
            sqlf("SELECT COUNT(*) FROM `%s_words` WHERE %s", fx->prefix, where);
        orm_stmt *st = prepare_ok(fx->conn, sql, 1, 0);
        orm_value v;
        bind_ok(st, 0, orm_value_text(cases[i].pattern), ORM_TEXT);
        step_row(st);
        assert_int_equal(drv->column(st, 0, ORM_BIGINT, &v), 0);
        if (v.u.i != cases[i].count)
            fail_msg("%s with '%s': %lld rows, expected %lld", sql,
                     cases[i].pattern, (long long)v.u.i,
                     (long long)cases[i].count);
        drv->finalize(st);
        free(sql);
        free(where);
    }
}

static void test_collation__equality_and_unique_are_exact(void **state)
{
    my_fixture *fx = *state;
    execf_ok(fx->conn, "CREATE TABLE `%s_names` (n VARCHAR(20) UNIQUE)%s",
             fx->prefix, drv->table_options);
    /* Case and trailing spaces both count (no PAD SPACE). */
    execf_ok(fx->conn, "INSERT INTO `%s_names` VALUES ('a'), ('A'), ('a ')",
             fx->prefix);
    char *sql =
        sqlf("SELECT COUNT(*) FROM `%s_names` WHERE n = 'a'", fx->prefix);
    assert_int_equal(query_int(fx->conn, sql), 1);
    free(sql);
    assert_int_equal(execf_fails(fx->conn,
                                 "INSERT INTO `%s_names` VALUES ('a ')",
                                 fx->prefix),
                     ORM_EUNIQUE);
}

/* ---- errors ---- */

static void test_errors__constraints_map_with_names(void **state)
{
    my_fixture *fx = *state;
    const orm_error *err = &fx->conn->err;
    const char *p = fx->prefix;

    execf_ok(fx->conn,
             "CREATE TABLE `%s_parent` (id INT PRIMARY KEY, "
             "handle VARCHAR(10) NOT NULL, "
             "qty INT CHECK (qty >= 0), "
             "CONSTRAINT `uq_%s_handle` UNIQUE (handle))%s",
             p, p, drv->table_options);
    execf_ok(fx->conn,
             "CREATE TABLE `%s_child` (id INT PRIMARY KEY, "
             "pid INT NOT NULL, "
             "CONSTRAINT `fk_%s_pid` FOREIGN KEY (pid) "
             "REFERENCES `%s_parent` (id))%s",
             p, p, p, drv->table_options);
    execf_ok(fx->conn, "INSERT INTO `%s_parent` VALUES (1, 'TopSecret9', 1)",
             p);

    assert_int_equal(execf_fails(fx->conn,
                                 "INSERT INTO `%s_parent` VALUES "
                                 "(2, 'TopSecret9', 1)",
                                 p),
                     ORM_EUNIQUE);
    assert_int_equal(err->native_code, 1062);
    assert_string_equal(err->sqlstate, "23000");
    assert_non_null(err->constraint);
    assert_true(strncmp(err->constraint, "uq_", 3) == 0);
    assert_non_null(strstr(err->message, err->constraint));
    /* The duplicated value may be a secret: never in the message. */
    assert_null(strstr(err->message, "TopSecret9"));

    assert_int_equal(execf_fails(fx->conn,
                                 "INSERT INTO `%s_parent` VALUES "
                                 "(3, NULL, 1)",
                                 p),
                     ORM_ENOTNULL);
    assert_int_equal(err->native_code, 1048);
    assert_string_equal(err->column, "handle");
    assert_int_equal(execf_fails(fx->conn,
                                 "INSERT INTO `%s_parent` (id) "
                                 "VALUES (3)",
                                 p),
                     ORM_ENOTNULL);
    assert_int_equal(err->native_code, 1364);
    assert_string_equal(err->column, "handle");

    assert_int_equal(execf_fails(fx->conn,
                                 "INSERT INTO `%s_child` VALUES "
                                 "(1, 42)",
                                 p),
                     ORM_EFOREIGNKEY);
    assert_int_equal(err->native_code, 1452);
    assert_non_null(err->constraint);
    assert_true(strncmp(err->constraint, "fk_", 3) == 0);
    assert_string_equal(err->column, "pid");
    assert_non_null(err->table);
    assert_non_null(strstr(err->table, "_child"));
    execf_ok(fx->conn, "INSERT INTO `%s_child` VALUES (1, 1)", p);
    assert_int_equal(execf_fails(fx->conn, "DELETE FROM `%s_parent`", p),
                     ORM_EFOREIGNKEY);
    assert_int_equal(err->native_code, 1451);
    assert_true(strncmp(err->constraint, "fk_", 3) == 0);

    assert_int_equal(
        execf_fails(fx->conn, "UPDATE `%s_parent` SET qty = -1", p),
        ORM_ECHECK);
    assert_int_equal(err->native_code, 4025);
    assert_non_null(err->constraint);

    /* Too long, out of range, wrong value: a type error naming the
     * column, without the value. */
    assert_int_equal(execf_fails(fx->conn,
                                 "UPDATE `%s_parent` SET "
                                 "handle = 'HiddenValue123'",
                                 p),
                     ORM_ETYPE);
    assert_int_equal(err->native_code, 1406);
    assert_string_equal(err->column, "handle");
    assert_null(strstr(err->message, "HiddenValue123"));
    assert_int_equal(execf_fails(fx->conn,
                                 "UPDATE `%s_parent` SET "
                                 "qty = 'HiddenValue'",
                                 p),
                     ORM_ETYPE);
    assert_string_equal(err->column, "qty");
    assert_null(strstr(err->message, "HiddenValue"));
    assert_non_null(strstr(err->message, "qty"));
    assert_int_equal(execf_fails(fx->conn,
                                 "UPDATE `%s_parent` SET "
                                 "qty = 99999999999",
                                 p),
                     ORM_ETYPE);
    assert_string_equal(err->column, "qty");
}

static void test_errors__lock_wait_timeout_is_busy(void **state)
{
    my_fixture *fx = *state;
    execf_ok(fx->conn, "CREATE TABLE `%s_lock` (id INT PRIMARY KEY, v INT)%s",
             fx->prefix, drv->table_options);
    execf_ok(fx->conn, "INSERT INTO `%s_lock` VALUES (1, 0)", fx->prefix);
    orm_conn *holder = connect_ok(fx->url, 0);
    assert_int_equal(drv->begin(holder), 0);
    execf_ok(holder, "UPDATE `%s_lock` SET v = 1 WHERE id = 1", fx->prefix);

    exec_ok(fx->conn, "SET SESSION innodb_lock_wait_timeout = 1");
    assert_int_equal(execf_fails(fx->conn,
                                 "UPDATE `%s_lock` SET v = 2 WHERE id = 1",
                                 fx->prefix),
                     ORM_EBUSY);
    assert_int_equal(fx->conn->err.native_code, 1205);
    assert_int_equal(drv->rollback(holder), 0);
    drv->close(holder);
    execf_ok(fx->conn, "UPDATE `%s_lock` SET v = 2 WHERE id = 1", fx->prefix);
}

static void test_tx__error_inside_transaction_then_rollback(void **state)
{
    my_fixture *fx = *state;
    execf_ok(fx->conn, "CREATE TABLE `%s_tx` (id INT PRIMARY KEY)%s",
             fx->prefix, drv->table_options);
    assert_int_equal(drv->begin(fx->conn), 0);
    execf_ok(fx->conn, "INSERT INTO `%s_tx` VALUES (1)", fx->prefix);
    exec_ok(fx->conn, "SAVEPOINT sp1");
    execf_ok(fx->conn, "INSERT INTO `%s_tx` VALUES (2)", fx->prefix);
    exec_ok(fx->conn, "ROLLBACK TO SAVEPOINT sp1");
    assert_int_equal(
        execf_fails(fx->conn, "INSERT INTO `%s_tx` VALUES (1)", fx->prefix),
        ORM_EUNIQUE);
    assert_int_equal(drv->rollback(fx->conn), 0);
    char *sql = sqlf("SELECT COUNT(*) FROM `%s_tx`", fx->prefix);
    assert_int_equal(query_int(fx->conn, sql), 0);

    /* And the connection carries on normally. */
    assert_int_equal(drv->begin(fx->conn), 0);
    execf_ok(fx->conn, "INSERT INTO `%s_tx` VALUES (7)", fx->prefix);
    assert_int_equal(drv->commit(fx->conn), 0);
    assert_int_equal(query_int(fx->conn, sql), 1);
    free(sql);
}

/* Bulk execution (execute_rows) that fails on a row, on a duplicate key
 * and on a lock held by another connection: the statement and the
 * connection stay usable, and the same statement's next bulk writes its
 * rows. */
static void bulk_rows(orm_stmt *st, const orm_value *rows, size_t nrows,
                      int expect, int64_t expect_matched)
{
    static const orm_type types[2] = {ORM_INTEGER, ORM_TEXT};
    int64_t matched = -1;
    int rc = drv->execute_rows(st, rows, NULL, types, nrows, &matched);
    if (rc != expect)
        fail_msg("bulk gave %s, expected %s: %s", orm_error_name(rc),
                 orm_error_name(expect), orm_error_text(&st->conn->err));
    if (expect == 0)
        assert_int_equal(matched, expect_matched);
}

typedef struct waiter {
    orm_conn *conn;
    char *sql;
    int rc;
} waiter;

static void *waiter_main(void *arg)
{
    waiter *w = arg;
    w->rc = drv->exec(w->conn, w->sql) < 0 ? -1 : 0;
    return NULL;
}

static void test_bulk__failed_row_leaves_statement_usable(void **state)
{
    my_fixture *fx = *state;
    execf_ok(fx->conn,
             "CREATE TABLE `%s_bulk` (id INT PRIMARY KEY, v VARCHAR(20))%s",
             fx->prefix, drv->table_options);
    char *ins = sqlf("INSERT INTO `%s_bulk` (id, v) VALUES (?, ?)", fx->prefix);
    char *upd = sqlf("UPDATE `%s_bulk` SET v = ? WHERE id = ?", fx->prefix);
    char *count = sqlf("SELECT COUNT(*) FROM `%s_bulk`", fx->prefix);
    orm_stmt *st = prepare_ok(fx->conn, ins, 2, ORM_STMT_DEFER);
    orm_stmt *up = prepare_ok(fx->conn, upd, 2, ORM_STMT_DEFER);

    /* A duplicate key in the second row: nothing of the statement stays. */
    orm_value dup[4] = {orm_value_int(1), orm_value_text("Äpfel"),
                        orm_value_int(1), orm_value_text("ÄPFEL")};
    assert_int_equal(drv->begin(fx->conn), 0);
    bulk_rows(st, dup, 2, ORM_EUNIQUE, 0);
    assert_int_equal(drv->rollback(fx->conn), 0);
    drv->reset(st);
    orm_value ok[4] = {orm_value_int(1), orm_value_text("Äpfel"),
                       orm_value_int(2), orm_value_text("Birnen")};
    assert_int_equal(drv->begin(fx->conn), 0);
    bulk_rows(st, ok, 2, 0, 2);
    assert_int_equal(drv->commit(fx->conn), 0);
    assert_int_equal(query_int(fx->conn, count), 2);

    /* A row another connection holds: the bulk gives up waiting. */
    orm_conn *holder = connect_ok(fx->url, 0);
    assert_int_equal(drv->begin(holder), 0);
    execf_ok(holder, "UPDATE `%s_bulk` SET v = 'gesperrt' WHERE id = 2",
             fx->prefix);
    exec_ok(fx->conn, "SET SESSION innodb_lock_wait_timeout = 1");
    orm_value set[4] = {orm_value_text("äpfel, neu"), orm_value_int(1),
                        orm_value_text("birnen, neu"), orm_value_int(2)};
    static const orm_type up_types[2] = {ORM_TEXT, ORM_INTEGER};
    int64_t matched = -1;
    assert_int_equal(drv->begin(fx->conn), 0);
    assert_int_equal(drv->execute_rows(up, set, NULL, up_types, 2, &matched),
                     ORM_EBUSY);
    assert_int_equal(drv->rollback(fx->conn), 0);
    drv->reset(up);
    assert_int_equal(drv->rollback(holder), 0);
    drv->close(holder);
    assert_int_equal(drv->begin(fx->conn), 0);
    int rc = drv->execute_rows(up, set, NULL, up_types, 2, &matched);
    if (rc)
        fail_msg("bulk after a lock wait gave %s: %s", orm_error_name(rc),
                 orm_error_text(&fx->conn->err));
    assert_int_equal(matched, 2);
    assert_int_equal(drv->commit(fx->conn), 0);
    char *sql = sqlf("SELECT v FROM `%s_bulk` WHERE id = 2", fx->prefix);
    assert_query_text(fx->conn, sql, "birnen, neu");
    free(sql);

    /* A deadlock: another connection that changed more rows holds item 2
     * and waits for item 1, which the bulk's transaction holds; InnoDB
     * rolls back the lighter transaction, the bulk's (whichever of the
     * two starts waiting first). */
    char *fill = sqlf("INSERT INTO `%s_bulk` (id, v) SELECT seq, 'Füllung' "
                      "FROM seq_10_to_60",
                      fx->prefix);
    exec_ok(fx->conn, fill);
    free(fill);
    holder = connect_ok(fx->url, 0);
    assert_int_equal(drv->begin(holder), 0);
    execf_ok(holder, "UPDATE `%s_bulk` SET v = 'Schwer' WHERE id >= 2",
             fx->prefix);
    assert_int_equal(drv->begin(fx->conn), 0);
    execf_ok(fx->conn, "UPDATE `%s_bulk` SET v = 'Leicht' WHERE id = 1",
             fx->prefix);
    waiter w = {
        holder,
        sqlf("UPDATE `%s_bulk` SET v = 'Schwer' WHERE id = 1", fx->prefix), -1};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, waiter_main, &w), 0);
    orm_value again[4] = {orm_value_text("Äpfel, zum 3."), orm_value_int(1),
                          orm_value_text("Birnen, zum 3."), orm_value_int(2)};
    rc = drv->execute_rows(up, again, NULL, up_types, 2, &matched);
    if (rc != ORM_EBUSY || fx->conn->err.native_code != 1213)
        fail_msg("the deadlock's victim gave %s: %s", orm_error_name(rc),
                 orm_error_text(&fx->conn->err));
    drv->rollback(fx->conn);
    drv->reset(up);
    pthread_join(thread, NULL);
    assert_int_equal(w.rc, 0);
    free(w.sql);
    assert_int_equal(drv->rollback(holder), 0);
    drv->close(holder);
    assert_int_equal(drv->begin(fx->conn), 0);
    rc = drv->execute_rows(up, again, NULL, up_types, 2, &matched);
    if (rc)
        fail_msg("bulk after a deadlock gave %s: %s", orm_error_name(rc),
                 orm_error_text(&fx->conn->err));
    assert_int_equal(matched, 2);
    assert_int_equal(drv->commit(fx->conn), 0);
    sql = sqlf("SELECT v FROM `%s_bulk` WHERE id = 1", fx->prefix);
    assert_query_text(fx->conn, sql, "Äpfel, zum 3.");
    free(sql);
    drv->finalize(up);
    drv->finalize(st);
    free(ins);
    free(upd);
    free(count);
}

/* A statement prepared with its first execute (ORM_STMT_DEFER, as the
 * core prepares them) whose PREPARE fails: here its table does not exist
 * yet; a Galera node answers the PREPARE itself with the deadlock that
 * aborted the transaction. Its next run, bulk or one row, prepares it
 * again instead of executing a statement libmariadb never prepared. */
static void test_bulk__refused_prepare_prepares_again(void **state)
{
    my_fixture *fx = *state;
    static const orm_type types[2] = {ORM_INTEGER, ORM_TEXT};
    char *ins =
        sqlf("INSERT INTO `%s_later` (id, v) VALUES (?, ?)", fx->prefix);
    orm_stmt *bulk = prepare_ok(fx->conn, ins, 2, ORM_STMT_DEFER);
    orm_stmt *one = prepare_ok(fx->conn, ins, 2, ORM_STMT_DEFER);
    orm_value rows[4] = {orm_value_int(1), orm_value_text("Äpfel"),
                         orm_value_int(2), orm_value_text("BIRNEN")};
    int64_t matched = -1;
    assert_true(drv->execute_rows(bulk, rows, NULL, types, 2, &matched) < 0);
    assert_int_equal(fx->conn->err.native_code, 1146); /* no such table */
    drv->reset(bulk);
    bind_ok(one, 0, orm_value_int(3), ORM_INTEGER);
    bind_ok(one, 1, orm_value_text("Quitten"), ORM_TEXT);
    assert_true(drv->step(one) < 0);
    assert_int_equal(fx->conn->err.native_code, 1146);
    drv->reset(one);

    execf_ok(fx->conn,
             "CREATE TABLE `%s_later` (id INT PRIMARY KEY, v VARCHAR(20))%s",
             fx->prefix, drv->table_options);
    int rc = drv->execute_rows(bulk, rows, NULL, types, 2, &matched);
    if (rc)
        fail_msg("bulk after a refused prepare gave %s: %s", orm_error_name(rc),
                 orm_error_text(&fx->conn->err));
    assert_int_equal(matched, 2);
    bind_ok(one, 0, orm_value_int(3), ORM_INTEGER);
    bind_ok(one, 1, orm_value_text("Quitten"), ORM_TEXT);
    rc = drv->step(one);
    if (rc != ORM_DONE)
        fail_msg("row after a refused prepare gave %s: %s", orm_error_name(rc),
                 orm_error_text(&fx->conn->err));
    char *count = sqlf("SELECT COUNT(*) FROM `%s_later`", fx->prefix);
    assert_int_equal(query_int(fx->conn, count), 3);
    free(count);
    drv->finalize(one);
    drv->finalize(bulk);
    free(ins);
}

/* ---- streaming ---- */

static const char hundred_k_sql[] =
    "SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n "
    "FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL "
    "SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
    "UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a, "
    "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL "
    "SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
    "UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b, "
    "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL "
    "SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
    "UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c, "
    "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL "
    "SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
    "UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e, "
    "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL "
    "SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
    "UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) f";

static void test_stream__hundred_thousand_rows_one_at_a_time(void **state)
{
    my_fixture *fx = *state;
    orm_stmt *other = prepare_ok(fx->conn, "SELECT 1 UNION ALL SELECT 2", 0, 0);
    orm_stmt *idle = prepare_ok(fx->conn, "SELECT 3", 0, 0);
    orm_stmt *st = prepare_ok(fx->conn, hundred_k_sql, 0, ORM_STMT_STREAM);
    orm_stmt *refused = NULL;
    int64_t count = 0, sum = 0;
    orm_value v;
    int rc;

    /* A buffered result read before the stream opens stays readable. */
    step_row(other);
    while ((rc = drv->step(st)) == ORM_ROW) {
        assert_int_equal(drv->column(st, 0, ORM_BIGINT, &v), 0);
        sum += v.u.i;
        if (++count == 10) {
            /* Meanwhile the connection is busy, with a clear reason. */
            assert_int_equal(drv->prepare(fx->conn, "SELECT 1", 0, 0, &refused),
                             ORM_EBUSY);
            assert_null(refused);
            assert_non_null(strstr(fx->conn->err.message, "stream"));
            assert_int_equal(drv->exec(fx->conn, "DO 1"), ORM_EBUSY);
            assert_int_equal(drv->step(idle), ORM_EBUSY);
            /* ... but buffered rows, resets and finalizes of other
             * statements leave the stream alone. */
            step_row(other);
            assert_int_equal(drv->reset(other), 0);
            drv->finalize(idle);
        }
    }
    assert_int_equal(rc, ORM_DONE);
    assert_int_equal(count, 100000);
    assert_true(sum == (int64_t)99999 * 100000 / 2);
    drv->finalize(st);
    drv->finalize(other);
    assert_int_equal(query_int(fx->conn, "SELECT 41 + 1"), 42);
}

static void test_stream__reset_midway_frees_the_connection(void **state)
{
    my_fixture *fx = *state;
    orm_stmt *other = prepare_ok(fx->conn, "SELECT 1", 0, 0);
    step_row(other);
    orm_stmt *st = prepare_ok(fx->conn, hundred_k_sql, 0, ORM_STMT_STREAM);
    for (int i = 0; i < 10; i++)
        step_row(st);
    /* A buffered result read to its end meanwhile does not disturb the
     * stream, nor the reset that reads the rest of it. */
    step_done(other);
    drv->finalize(other);
    step_row(st);
    assert_int_equal(drv->reset(st), 0);
    assert_int_equal(query_int(fx->conn, "SELECT 5"), 5);
    /* And it runs again from the start. */
    step_row(st);
    assert_int_equal(drv->column_count(st), 1);
    drv->finalize(st); /* unread rows: finalize drains them */
    assert_int_equal(query_int(fx->conn, "SELECT 6"), 6);
}

/* ---- lost connections ---- */

static void kill_connection(const orm_url *url, int64_t id)
{
    orm_conn *killer = connect_ok(url, 0);
    orm_stmt *st = prepare_ok(killer, "KILL ?", 1, 0);
    bind_ok(st, 0, orm_value_int(id), ORM_BIGINT);
    step_done(st);
    drv->finalize(st);
    drv->close(killer);
}

static void test_connlost__killed_connection_then_reconnect(void **state)
{
    my_fixture *fx = *state;
    int64_t id = query_int(fx->conn, "SELECT CONNECTION_ID()");
    orm_stmt *before = prepare_ok(fx->conn, "SELECT 1", 0, 0);
    orm_stmt *st = NULL;

    kill_connection(fx->url, id);
    int rc = drv->prepare(fx->conn, "SELECT 2", 0, 0, &st);
    assert_int_equal(rc, ORM_ECONNLOST);
    assert_null(st);
    assert_non_null(fx->conn->err.message);
    assert_true(strncmp(fx->conn->err.message, "connection lost: ", 17) == 0);
    /* Until reconnect, everything says so; nothing crashes. */
    assert_int_equal(drv->step(before), ORM_ECONNLOST);
    assert_int_equal(drv->exec(fx->conn, "DO 1"), ORM_ECONNLOST);
    assert_int_equal(drv->ping(fx->conn), ORM_ECONNLOST);

    assert_int_equal(drv->reconnect(fx->conn), 0);
    assert_true(query_int(fx->conn, "SELECT CONNECTION_ID()") != id);
    assert_query_text(fx->conn, "SELECT @@session.time_zone", "+00:00");
    /* A statement of the old connection stays dead, and finalizing it
     * leaves the new one alone. */
    assert_int_equal(drv->step(before), ORM_ECONNLOST);
    drv->finalize(before);
    assert_int_equal(query_int(fx->conn, "SELECT 3"), 3);
}

static void test_connlost__killed_during_stream(void **state)
{
    my_fixture *fx = *state;
    int64_t id = query_int(fx->conn, "SELECT CONNECTION_ID()");
    orm_stmt *st = prepare_ok(fx->conn, hundred_k_sql, 0, ORM_STMT_STREAM);
    int rc;

    step_row(st);
    kill_connection(fx->url, id);
    /* Rows already in the socket may still arrive; then the stream or,
     * if it got all its rows first, the next command says it. */
    while ((rc = drv->step(st)) == ORM_ROW)
        ;
    if (rc == ORM_DONE)
        rc = drv->exec(fx->conn, "DO 1");
    if (rc != ORM_ECONNLOST)
        fail_msg("expected CONNLOST, got %s (%ld): %s", orm_error_name(rc),
                 fx->conn->err.native_code, orm_error_text(&fx->conn->err));
    assert_true(strncmp(fx->conn->err.message, "connection lost: ", 17) == 0);
    assert_int_equal(drv->exec(fx->conn, "DO 1"), ORM_ECONNLOST);
    drv->finalize(st);
    assert_int_equal(drv->reconnect(fx->conn), 0);
    assert_int_equal(query_int(fx->conn, "SELECT 4"), 4);
}

/* ---- read-only ---- */

static void test_readonly__writes_are_refused(void **state)
{
    my_fixture *fx = *state;
    execf_ok(fx->conn, "CREATE TABLE `%s_ro` (id INT PRIMARY KEY)%s",
             fx->prefix, drv->table_options);
    execf_ok(fx->conn, "INSERT INTO `%s_ro` VALUES (1)", fx->prefix);

    orm_conn *ro = connect_ok(fx->url, 1);
    assert_int_equal(
        execf_fails(ro, "INSERT INTO `%s_ro` VALUES (2)", fx->prefix),
        ORM_EREADONLY);
    assert_int_equal(ro->err.native_code, 1792);
    assert_int_equal(
        execf_fails(ro, "CREATE TABLE `%s_ro2` (id INT)", fx->prefix),
        ORM_EREADONLY);
    assert_int_equal(drv->begin(ro), 0);
    assert_int_equal(execf_fails(ro, "DELETE FROM `%s_ro`", fx->prefix),
                     ORM_EREADONLY);
    assert_int_equal(drv->rollback(ro), 0);
    char *sql = sqlf("SELECT COUNT(*) FROM `%s_ro`", fx->prefix);
    assert_int_equal(query_int(ro, sql), 1);
    free(sql);
    /* Read-only survives a reconnect. */
    assert_int_equal(drv->reconnect(ro), 0);
    assert_int_equal(
        execf_fails(ro, "INSERT INTO `%s_ro` VALUES (3)", fx->prefix),
        ORM_EREADONLY);
    drv->close(ro);
}

/* ---- reflection ---- */

static const orm_column *find_col(const orm_model *m, const char *name)
{
    const orm_column *c = orm_model_column(m, name);
    if (!c)
        fail_msg("no column '%s' in reflected '%s'", name, m->table);
    return c;
}

static void test_reflect__keys_defaults_and_types(void **state)
{
    my_fixture *fx = *state;
    const char *p = fx->prefix;
    orm_model *m = NULL;
    char name[64];

    execf_ok(fx->conn,
             "CREATE TABLE `%s_parent` (a INT NOT NULL, b VARCHAR(10) NOT "
             "NULL, code CHAR(3), x INT, y INT, PRIMARY KEY (b, a), "
             "UNIQUE KEY (code), CONSTRAINT uq_xy UNIQUE (y, x))%s",
             p, drv->table_options);
    execf_ok(fx->conn, "CREATE TABLE `%s_other` (id INT PRIMARY KEY)%s", p,
             drv->table_options);
    execf_ok(fx->conn,
             "CREATE TABLE `%s_child` (id BIGINT AUTO_INCREMENT PRIMARY "
             "KEY, pb VARCHAR(10), pa INT, "
             "other_id INT REFERENCES `%s_other` (id), "
             "label VARCHAR(20) NOT NULL DEFAULT 'it''s', "
             "n INT DEFAULT 0, maybe INT DEFAULT NULL, "
             "created DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6), "
             "flag BOOLEAN NOT NULL DEFAULT 1, small TINYINT, "
             "price DECIMAL(10,2), ratio DOUBLE, body TEXT, data JSON, "
             "u UUID, bin VARBINARY(16), day DATE, at TIME, "
             "mood ENUM('sad','happy') DEFAULT 'happy', "
             "CONSTRAINT fk_pair FOREIGN KEY (pb, pa) "
             "REFERENCES `%s_parent` (b, a))%s",
             p, p, p, drv->table_options);

    snprintf(name, sizeof name, "%s_parent", p);
    assert_int_equal(drv->reflect_table(fx->conn, NULL, name, &m), 0);
    assert_string_equal(m->table, name);
    assert_int_equal(m->ncolumns, 5);
    assert_string_equal(m->columns[0].name, "a");
    assert_string_equal(m->columns[1].name, "b");
    assert_true(find_col(m, "a")->flags & ORM_PK);
    assert_true(find_col(m, "b")->flags & ORM_PK);
    assert_int_equal(find_col(m, "b")->type, ORM_STRING);
    assert_int_equal(find_col(m, "b")->length, 10);
    assert_false(find_col(m, "code")->flags & ORM_PK);
    assert_true(find_col(m, "code")->flags & ORM_UNIQUE);
    assert_false(find_col(m, "code")->flags & ORM_NOT_NULL);
    assert_int_equal(m->nuniques, 1);
    assert_string_equal(m->uniques[0].name, "uq_xy");
    assert_int_equal(m->uniques[0].ncolumns, 2);
    assert_string_equal(m->uniques[0].columns[0], "y");
    assert_string_equal(m->uniques[0].columns[1], "x");
    orm_model_free(m);

    snprintf(name, sizeof name, "%s_child", p);
    assert_int_equal(drv->reflect_table(fx->conn, NULL, name, &m), 0);
    const orm_column *c = find_col(m, "id");
    assert_int_equal(c->type, ORM_BIGINT);
    assert_true(c->flags & ORM_PK);
    assert_true(c->flags & ORM_AUTOINC);
    c = find_col(m, "other_id");
    assert_non_null(c->ref_table);
    snprintf(name, sizeof name, "%s_other", p);
    assert_string_equal(c->ref_table, name);
    assert_string_equal(c->ref_column, "id");
    assert_string_equal(find_col(m, "label")->server_default, "'it''s'");
    assert_true(find_col(m, "label")->flags & ORM_NOT_NULL);
    assert_string_equal(find_col(m, "n")->server_default, "0");
    assert_null(find_col(m, "maybe")->server_default);
    assert_null(find_col(m, "body")->server_default);
    assert_string_equal(find_col(m, "created")->server_default,
                        "current_timestamp(6)");
    assert_int_equal(find_col(m, "created")->type, ORM_DATETIME);
    assert_int_equal(find_col(m, "flag")->type, ORM_BOOLEAN);
    assert_string_equal(find_col(m, "flag")->server_default, "1");
    assert_int_equal(find_col(m, "small")->type, ORM_SMALLINT);
    c = find_col(m, "price");
    assert_int_equal(c->type, ORM_NUMERIC);
    assert_int_equal(c->precision, 10);
    assert_int_equal(c->scale, 2);
    assert_int_equal(find_col(m, "ratio")->type, ORM_FLOAT);
    assert_int_equal(find_col(m, "body")->type, ORM_TEXT);
    assert_int_equal(find_col(m, "data")->type, ORM_JSON);
    assert_int_equal(find_col(m, "u")->type, ORM_UUID);
    assert_int_equal(find_col(m, "bin")->type, ORM_BLOB);
    assert_int_equal(find_col(m, "day")->type, ORM_DATE);
    assert_int_equal(find_col(m, "at")->type, ORM_TIME);
    c = find_col(m, "mood");
    assert_int_equal(c->type, ORM_TEXT);
    assert_string_equal(c->native_type, "enum('sad','happy')");
    assert_string_equal(c->server_default, "'happy'");
    /* The composite foreign key, in key order. */
    assert_int_equal(m->nforeign_keys, 1);
    const orm_foreign_key *fk = &m->foreign_keys[0];
    assert_string_equal(fk->name, "fk_pair");
    assert_int_equal(fk->ncolumns, 2);
    assert_string_equal(fk->columns[0], "pb");
    assert_string_equal(fk->columns[1], "pa");
    assert_string_equal(fk->ref_columns[0], "b");
    assert_string_equal(fk->ref_columns[1], "a");
    snprintf(name, sizeof name, "%s_parent", p);
    assert_string_equal(fk->ref_table, name);
    assert_null(find_col(m, "pb")->ref_table);
    orm_model_free(m);

    /* A plain integer key is not generated by the database. */
    snprintf(name, sizeof name, "%s_other", p);
    assert_int_equal(drv->reflect_table(fx->conn, NULL, name, &m), 0);
    assert_true(find_col(m, "id")->flags & ORM_NO_AUTOINC);
    assert_false(orm_column_is_autoinc(m, find_col(m, "id")));
    orm_model_free(m);
}

static void test_reflect__missing_tables_list_and_estimate(void **state)
{
    my_fixture *fx = *state;
    orm_model *m = NULL;
    char **names = NULL;
    size_t count = 0;
    int64_t estimate = -1;
    char name[64], upper[64];

    snprintf(name, sizeof name, "%s_b", fx->prefix);
    execf_ok(fx->conn, "CREATE TABLE `%s_b` (id INT PRIMARY KEY)%s", fx->prefix,
             drv->table_options);
    execf_ok(fx->conn, "CREATE TABLE `%s_a` (id INT PRIMARY KEY)%s", fx->prefix,
             drv->table_options);
    execf_ok(fx->conn, "CREATE VIEW `%s_v` AS SELECT 1 AS one", fx->prefix);
    execf_ok(fx->conn, "INSERT INTO `%s_b` VALUES (1), (2), (3)", fx->prefix);

    assert_int_equal(drv->reflect_table(fx->conn, NULL, "no_such_table_x", &m),
                     ORM_ENOTFOUND);
    assert_null(m);
    /* Names are exact: another case is another table. */
    snprintf(upper, sizeof upper, "%s_B", fx->prefix);
    assert_int_equal(drv->reflect_table(fx->conn, NULL, upper, &m),
                     ORM_ENOTFOUND);
    /* The database given explicitly: the current one's table, which
     * comes back without a schema (driver.h; the core keeps the name). */
    char *db = fx->url->database;
    assert_int_equal(drv->reflect_table(fx->conn, db, name, &m), 0);
    assert_null(m->schema);
    assert_string_equal(m->table, name);
    orm_model_free(m);
    m = NULL;
    assert_int_equal(drv->reflect_table(fx->conn, "no_such_db_x", name, &m),
                     ORM_ENOTFOUND);

    assert_int_equal(drv->list_tables(fx->conn, &names, &count), 0);
    size_t at_a = count, at_b = count, at_v = count;
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            assert_true(strcmp(names[i - 1], names[i]) < 0);
        if (strncmp(names[i], fx->prefix, strlen(fx->prefix)) == 0) {
            const char *rest = names[i] + strlen(fx->prefix);
            if (strcmp(rest, "_a") == 0)
                at_a = i;
            if (strcmp(rest, "_b") == 0)
                at_b = i;
            if (strcmp(rest, "_v") == 0)
                at_v = i;
        }
    }
    /* Views are listed with the tables (reflection marks them). */
    assert_true(at_a < at_b && at_b < at_v && at_v < count);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);

    execf_ok(fx->conn, "ANALYZE TABLE `%s_b`", fx->prefix);
    assert_int_equal(drv->estimate_count(fx->conn, NULL, name, &estimate), 0);
    assert_true(estimate >= 0 && estimate <= 10);
    assert_int_equal(
        drv->estimate_count(fx->conn, NULL, "no_such_table_x", &estimate),
        ORM_ENOTFOUND);
}

int main(void)
{
    if (test_servers_skipped("driver_mysql"))
        return TEST_SERVERS_SKIPPED;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver__ddl_types_and_capabilities),
        cmocka_unit_test(
            test_connect__wrong_password_is_auth_error_without_password),
        cmocka_unit_test(test_connect__closed_port_is_connect_error),
        cmocka_unit_test(test_connect__bad_ssl_mode_is_refused),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_connect__session_is_utc_utf8mb4_and_strict),
        T(test_types__every_type_round_trips),
        T(test_types__natural_kinds_follow_column_types),
        T(test_types__datetimetz_offsets_are_stored_as_utc),
        T(test_types__long_values_grow_buffers_row_by_row),
        T(test_stmt__update_same_value_counts_as_matched),
        T(test_stmt__wrong_placeholder_count_is_invalid),
        T(test_like__binary_is_case_sensitive_lower_is_not),
        T(test_collation__equality_and_unique_are_exact),
        T(test_errors__constraints_map_with_names),
        T(test_errors__lock_wait_timeout_is_busy),
        T(test_tx__error_inside_transaction_then_rollback),
        T(test_bulk__failed_row_leaves_statement_usable),
        T(test_bulk__refused_prepare_prepares_again),
        T(test_stream__hundred_thousand_rows_one_at_a_time),
        T(test_stream__reset_midway_frees_the_connection),
        T(test_connlost__killed_connection_then_reconnect),
        T(test_connlost__killed_during_stream),
        T(test_readonly__writes_are_refused),
        T(test_reflect__keys_defaults_and_types),
        T(test_reflect__missing_tables_list_and_estimate),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
