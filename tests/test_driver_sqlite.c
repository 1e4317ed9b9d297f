/*
 * Tests for the SQLite driver table (drivers/sqlite/sqlite.c), called
 * directly: connecting (files, memory, read-only, not-a-database),
 * statements and every value kind and column type, row counts and keys,
 * reset and reuse, error mapping, locking between two connections, DDL
 * type names, reflection and row-count estimates.
 */
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

#include <sqlite3.h>

#include "orm/sys/driver.h"

#define DRV (&orm_driver_sqlite)

typedef struct fixture {
    char dir[64];
    char path[128]; /* dir/test.db */
    orm_conn *conn; /* writable connection to `path` */
} fixture;

/* ---- helpers ---- */

static int conn_open(orm_conn **out, const char *path, int read_only,
                     int busy_ms, orm_error *err)
{
    char database[256];
    orm_url url = {0};
    orm_connect_options opts = {0};

    if (path) {
        snprintf(database, sizeof database, "%s", path);
        url.database = database;
    }
    opts.read_only = read_only;
    opts.busy_timeout_ms = busy_ms;
    return DRV->connect(out, &url, &opts, err);
}

static orm_conn *conn_open_ok(const char *path, int read_only, int busy_ms)
{
    orm_conn *conn = NULL;
    orm_error err = ORM_ERROR_INIT;
    int rc = conn_open(&conn, path, read_only, busy_ms, &err);
    if (rc != 0)
        fail_msg("connect '%s' failed: %s", path ? path : "(memory)",
                 orm_error_text(&err));
    orm_error_clear(&err);
    return conn;
}

static void exec_ok(orm_conn *conn, const char *sql)
{
    int rc = DRV->exec(conn, sql);
    if (rc != 0)
        fail_msg("exec '%s' failed (%d): %s", sql, rc,
                 orm_error_text(&conn->err));
}

static orm_stmt *prepare_ok(orm_conn *conn, const char *sql, size_t nparams)
{
    orm_stmt *st = NULL;
    int rc = DRV->prepare(conn, sql, nparams, 0, &st);
    if (rc != 0)
        fail_msg("prepare '%s' failed (%d): %s", sql, rc,
                 orm_error_text(&conn->err));
    return st;
}

static void step_expect(orm_stmt *st, int want)
{
    int rc = DRV->step(st);
    if (rc != want)
        fail_msg("step '%s': got %d, want %d (%s)", st->sql, rc, want,
                 orm_error_text(&st->conn->err));
}

static void bind_ok(orm_stmt *st, size_t index, orm_value v)
{
    int rc = DRV->bind(st, index, &v, ORM_TYPE_COUNT);
    if (rc != 0)
        fail_msg("bind %zu failed: %s", index, orm_error_text(&st->conn->err));
}

/* First column of the only row as `type`; an owned copy. */
static orm_value query_value(orm_conn *conn, const char *sql, orm_type type)
{
    orm_value got = ORM_VALUE_NULL_INIT, copy = ORM_VALUE_NULL_INIT;
    orm_stmt *st = prepare_ok(conn, sql, 0);
    step_expect(st, ORM_ROW);
    assert_int_equal(DRV->column(st, 0, type, &got), 0);
    assert_int_equal(orm_value_copy(&copy, &got), 0);
    step_expect(st, ORM_DONE);
    DRV->finalize(st);
    return copy;
}

/* What the core makes of `sql`'s value read as `type` (the driver's
 * value, normalized for a column of that type), after checking that the
 * driver kept text written into a number or boolean column as text: the
 * lost-update guards compare what is stored. */
static orm_value query_read(orm_conn *conn, const char *sql, orm_type type)
{
    orm_value v = query_value(conn, sql, type);
    orm_column col = {.name = "c", .type = type};
    if (strstr(sql, "SELECT '"))
        assert_int_equal(v.kind, ORM_VTEXT);
    assert_int_equal(orm_value_normalize(&v, &col), 0);
    return v;
}

static int64_t query_int(orm_conn *conn, const char *sql)
{
    orm_value v = query_value(conn, sql, ORM_BIGINT);
    assert_int_equal(v.kind, ORM_VINT);
    return v.u.i;
}

/* Read `sql`'s value as `type` and check kind and text form. */
static void assert_reads_text(orm_conn *conn, const char *sql, orm_type type,
                              const char *want)
{
    orm_value v = query_value(conn, sql, type);
    if (v.kind != ORM_VTEXT)
        fail_msg("%s as %s: kind %d, want text '%s'", sql, orm_type_name(type),
                 (int)v.kind, want);
    assert_int_equal(v.u.s.len, strlen(want));
    assert_memory_equal(v.u.s.ptr, want, v.u.s.len);
    orm_value_clear(&v);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/orb-sqlite-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
    f->conn = conn_open_ok(f->path, 0, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    DRV->close(f->conn);
    remove_dir(f->dir);
    free(f);
    return 0;
}

static const orm_column *column_named(const orm_model *m, const char *name)
{
    const orm_column *col = orm_model_column(m, name);
    if (!col)
        fail_msg("model %s has no column '%s'", m->table, name);
    return col;
}

static orm_model *reflect_ok(orm_conn *conn, const char *table)
{
    orm_model *m = NULL;
    int rc = DRV->reflect_table(conn, NULL, table, &m);
    if (rc != 0)
        fail_msg("reflect '%s' failed (%d): %s", table, rc,
                 orm_error_text(&conn->err));
    return m;
}

/* ---- the table itself ---- */

static void test_driver_sqlite__table_describes_dialect(void **state)
{
    (void)state;
    assert_int_equal(DRV->version, ORM_DRIVER_VERSION);
    assert_string_equal(DRV->name, "sqlite");
    assert_int_equal(DRV->caps,
                     ORM_CAP_RETURNING | ORM_CAP_LAST_INSERT_ID |
                         ORM_CAP_NULLS_ORDER | ORM_CAP_MULTIROW_INSERT |
                         ORM_CAP_DECIMAL_TEXT | ORM_CAP_TEXT_CANDIDATES |
                         ORM_CAP_UUID_CANON);
    assert_int_equal(DRV->placeholder, ORM_PLACEHOLDER_QMARK);
    assert_int_equal(DRV->ident_quote, '"');
    assert_int_equal(DRV->backslash_escapes, 0);
    assert_string_equal(DRV->like_op, "LIKE");
    assert_string_equal(DRV->table_options, "");
    assert_string_equal(DRV->rowid_column, "rowid");
    assert_string_equal(DRV->text_cast, "TEXT");
    assert_string_equal(DRV->insert_defaults, " DEFAULT VALUES");
    assert_string_equal(DRV->text_exact.after, " COLLATE BINARY");
    assert_string_equal(DRV->text_fold.before, "orb_fold(");
}

/* ---- connecting ---- */

static void
test_driver_sqlite__memory_forms_are_separate_databases(void **state)
{
    static const char *const forms[] = {NULL, "", ":memory:"};
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        orm_conn *a = conn_open_ok(forms[i], 0, 0);
        orm_conn *b = conn_open_ok(forms[i], 0, 0);
        exec_ok(a, "CREATE TABLE only_here (x)");
        assert_int_equal(query_int(a, "SELECT count(*) FROM sqlite_master"), 1);
        assert_int_equal(query_int(b, "SELECT count(*) FROM sqlite_master"), 0);
        DRV->close(a);
        DRV->close(b);
    }
    DRV->close(NULL);
}

static void
test_driver_sqlite__file_keeps_rows_and_its_journal_mode(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE t (x INTEGER)");
    exec_ok(f->conn, "INSERT INTO t VALUES (7)");
    /* A new file keeps SQLite's default: WAL would be for good, and a
     * user who may only read the file could not open it any more. */
    orm_value mode = query_value(f->conn, "PRAGMA journal_mode", ORM_TEXT);
    assert_string_equal(mode.u.s.ptr, "delete");
    orm_value_clear(&mode);
    DRV->close(f->conn);

    f->conn = conn_open_ok(f->path, 0, 0);
    assert_int_equal(query_int(f->conn, "SELECT x FROM t"), 7);
    assert_int_equal(query_int(f->conn, "PRAGMA foreign_keys"), 1);
    assert_int_equal(DRV->ping(f->conn), 0);
    DRV->close(f->conn);

    /* What the file's owner chose stays (WAL is the one mode kept in the
     * file itself). */
    static const char *const modes[] = {"wal"};
    for (size_t i = 0; i < 1; i++) {
        sqlite3 *raw = NULL;
        char sql[64];
        assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
        snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", modes[i]);
        assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        for (int read_only = 0; read_only <= 1; read_only++) {
            f->conn = conn_open_ok(f->path, read_only, 0);
            mode = query_value(f->conn, "PRAGMA journal_mode", ORM_TEXT);
            assert_string_equal(mode.u.s.ptr, modes[i]);
            orm_value_clear(&mode);
            DRV->close(f->conn);
        }
    }
    f->conn = conn_open_ok(f->path, 0, 0);
}

/* Connect with URL parameters (`key`=`value`, or none) and must_exist. */
static int conn_open_mode(orm_conn **out, const char *path, const char *mode,
                          int must_exist, orm_error *err)
{
    char database[256], key[] = "mode", value[16];
    orm_url_param param = {key, value};
    orm_url url = {0};
    orm_connect_options opts = {0};

    snprintf(database, sizeof database, "%s", path);
    url.database = database;
    if (mode) {
        snprintf(value, sizeof value, "%s", mode);
        url.params = &param;
        url.nparams = 1;
    }
    opts.must_exist = must_exist;
    return DRV->connect(out, &url, &opts, err);
}

static void
test_driver_sqlite__missing_file_is_created_only_when_asked(void **state)
{
    fixture *f = *state;
    char path[192];
    orm_conn *conn = NULL;
    orm_error err = ORM_ERROR_INIT;

    snprintf(path, sizeof path, "%s/typo.db", f->dir);
    /* must_exist, and ?mode=rw, say so and leave no file behind */
    assert_int_equal(conn_open_mode(&conn, path, NULL, 1, &err), ORM_ENOTFOUND);
    assert_null(conn);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "does not exist"));
    orm_error_clear(&err);
    assert_int_equal(conn_open_mode(&conn, path, "rw", 0, &err), ORM_ENOTFOUND);
    orm_error_clear(&err);
    assert_int_equal(conn_open_mode(&conn, path, "ro", 0, &err), ORM_ENOTFOUND);
    orm_error_clear(&err);
    assert_int_equal(access(path, F_OK), -1);

    /* an unknown mode is refused */
    assert_int_equal(conn_open_mode(&conn, path, "rwx", 0, &err), ORM_EINVALID);
    assert_non_null(strstr(err.message, "'rwx'"));
    orm_error_clear(&err);
    assert_int_equal(access(path, F_OK), -1);

    /* ?mode=rwc creates it even when the options say it must exist */
    assert_int_equal(conn_open_mode(&conn, path, "rwc", 1, &err), 0);
    assert_int_equal(conn->read_only, 0);
    exec_ok(conn, "CREATE TABLE t (x)");
    exec_ok(conn, "INSERT INTO t VALUES (1)");
    DRV->close(conn);
    assert_int_equal(access(path, F_OK), 0);

    /* ?mode=ro reads and refuses to write */
    assert_int_equal(conn_open_mode(&conn, path, "ro", 0, &err), 0);
    assert_int_equal(conn->read_only, 1);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t"), 1);
    assert_int_equal(DRV->exec(conn, "INSERT INTO t VALUES (2)"),
                     ORM_EREADONLY);
    DRV->close(conn);

    /* an existing file opens with must_exist */
    assert_int_equal(conn_open_mode(&conn, path, NULL, 1, &err), 0);
    DRV->close(conn);
}

static void test_driver_sqlite__not_a_database_names_the_file(void **state)
{
    fixture *f = *state;
    char path[192];
    orm_conn *conn = NULL;
    orm_error err = ORM_ERROR_INIT;

    snprintf(path, sizeof path, "%s/notes.txt", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 100; i++)
        fputs("these are my notes, not a database\n", fp);
    fclose(fp);

    assert_int_equal(conn_open(&conn, path, 0, 0, &err), ORM_ECONNECT);
    assert_null(conn);
    assert_int_equal(err.code, ORM_ECONNECT);
    assert_int_equal(err.native_code, SQLITE_NOTADB);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "not a database"));
    orm_error_clear(&err);

    /* read-only too */
    assert_int_equal(conn_open(&conn, path, 1, 0, &err), ORM_ECONNECT);
    assert_non_null(strstr(err.message, path));
    orm_error_clear(&err);
}

static void test_driver_sqlite__unopenable_paths_fail_to_connect(void **state)
{
    fixture *f = *state;
    char path[192];
    orm_conn *conn = NULL;
    orm_error err = ORM_ERROR_INIT;

    snprintf(path, sizeof path, "%s/no/such/dir/x.db", f->dir);
    assert_int_equal(conn_open(&conn, path, 0, 0, &err), ORM_ECONNECT);
    assert_non_null(strstr(err.message, path));
    orm_error_clear(&err);

    /* read-only never creates a file, and says it is not there */
    snprintf(path, sizeof path, "%s/absent.db", f->dir);
    assert_int_equal(conn_open(&conn, path, 1, 0, &err), ORM_ENOTFOUND);
    assert_non_null(strstr(err.message, path));
    assert_int_equal(access(path, F_OK), -1);
    orm_error_clear(&err);
}

static void test_driver_sqlite__read_only_refuses_writes(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE t (x INTEGER)");
    exec_ok(f->conn, "INSERT INTO t VALUES (1)");
    DRV->close(f->conn);
    f->conn = NULL;

    orm_conn *ro = conn_open_ok(f->path, 1, 0);
    assert_int_equal(ro->read_only, 1);
    assert_int_equal(query_int(ro, "SELECT count(*) FROM t"), 1);

    assert_int_equal(DRV->exec(ro, "INSERT INTO t VALUES (2)"), ORM_EREADONLY);
    assert_int_equal(ro->err.code, ORM_EREADONLY);
    assert_int_equal(ro->err.native_code & 0xff, SQLITE_READONLY);

    orm_stmt *st = prepare_ok(ro, "UPDATE t SET x = ?", 1);
    bind_ok(st, 0, orm_value_int(5));
    assert_int_equal(DRV->step(st), ORM_EREADONLY);
    DRV->finalize(st);

    assert_int_equal(DRV->exec(ro, "CREATE TABLE u (y)"), ORM_EREADONLY);
    /* reading inside a transaction still works */
    assert_int_equal(DRV->begin(ro), 0);
    assert_int_equal(query_int(ro, "SELECT x FROM t"), 1);
    assert_int_equal(DRV->commit(ro), 0);
    DRV->close(ro);

    f->conn = conn_open_ok(f->path, 0, 0);
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM t"), 1);
}

static void test_driver_sqlite__reconnect_reopens_the_same_file(void **state)
{
    fixture *f = *state;
    orm_conn *before = f->conn;
    exec_ok(f->conn, "CREATE TABLE t (x)");
    exec_ok(f->conn, "INSERT INTO t VALUES ('kept')");
    assert_int_equal(DRV->reconnect(f->conn), 0);
    assert_ptr_equal(f->conn, before);
    assert_int_equal(DRV->ping(f->conn), 0);
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM t"), 1);
    assert_int_equal(query_int(f->conn, "PRAGMA foreign_keys"), 1);
}

static void test_driver_sqlite__like_is_case_sensitive(void **state)
{
    fixture *f = *state;
    assert_int_equal(query_int(f->conn, "SELECT 'Apple' LIKE 'a%'"), 0);
    assert_int_equal(query_int(f->conn, "SELECT 'Apple' LIKE 'A%'"), 1);
    assert_int_equal(query_int(f->conn, "SELECT '50%' LIKE '50!%' ESCAPE '!'"),
                     1);
    assert_int_equal(query_int(f->conn, "SELECT '500' LIKE '50!%' ESCAPE '!'"),
                     0);
    assert_int_equal(DRV->reconnect(f->conn), 0);
    assert_int_equal(query_int(f->conn, "SELECT 'Apple' LIKE 'a%'"), 0);
}

/* ---- values ---- */

static void test_driver_sqlite__every_value_kind_round_trips(void **state)
{
    fixture *f = *state;
    static const unsigned char bytes[] = {0, 1, 0, 255, 'x'};
    orm_value in[] = {
        orm_value_null(),
        orm_value_int(INT64_MIN),
        orm_value_int(INT64_MAX),
        orm_value_float(-2.5e-300),
        orm_value_bool(1),
        orm_value_text("plain text"),
        orm_value_blob(bytes, sizeof bytes),
    };
    const orm_value_kind natural[] = {ORM_VNULL,  ORM_VINT, ORM_VINT,
                                      ORM_VFLOAT, ORM_VINT, ORM_VTEXT,
                                      ORM_VBLOB};
    size_t n = sizeof in / sizeof in[0];

    exec_ok(f->conn, "CREATE TABLE v (i INTEGER PRIMARY KEY, x)");
    orm_stmt *ins =
        prepare_ok(f->conn, "INSERT INTO v (i, x) VALUES (?, ?)", 2);
    for (size_t i = 0; i < n; i++) {
        bind_ok(ins, 0, orm_value_int((int64_t)i));
        bind_ok(ins, 1, in[i]);
        step_expect(ins, ORM_DONE);
        assert_int_equal(DRV->reset(ins), 0);
    }
    DRV->finalize(ins);

    orm_stmt *sel = prepare_ok(f->conn, "SELECT x FROM v ORDER BY i", 0);
    assert_int_equal(DRV->column_count(sel), 1);
    for (size_t i = 0; i < n; i++) {
        orm_value got;
        step_expect(sel, ORM_ROW);
        assert_int_equal(DRV->column(sel, 0, ORM_TYPE_COUNT, &got), 0);
        assert_int_equal(got.kind, natural[i]);
        assert_int_equal(got.owned, 0);
        if (in[i].kind == ORM_VBOOL)
            assert_int_equal(got.u.i, 1);
        else
            assert_true(orm_value_equal(&got, &in[i]));
    }
    step_expect(sel, ORM_DONE);
    DRV->finalize(sel);
}

static void test_driver_sqlite__booleans_bind_as_integers(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE b (i INTEGER PRIMARY KEY, flag BOOLEAN)");
    orm_stmt *ins = prepare_ok(f->conn, "INSERT INTO b (flag) VALUES (?)", 1);
    orm_value yes = orm_value_bool(1), no = orm_value_bool(0);
    assert_int_equal(DRV->bind(ins, 0, &yes, ORM_BOOLEAN), 0);
    step_expect(ins, ORM_DONE);
    assert_int_equal(DRV->bind(ins, 0, &no, ORM_BOOLEAN), 0);
    step_expect(ins, ORM_DONE);
    DRV->finalize(ins);

    orm_value t = query_value(f->conn,
                              "SELECT typeof(flag) || flag FROM b "
                              "WHERE i = 1",
                              ORM_TEXT);
    assert_string_equal(t.u.s.ptr, "integer1");
    orm_value_clear(&t);
    orm_value v =
        query_value(f->conn, "SELECT flag FROM b WHERE i = 2", ORM_BOOLEAN);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 0);
    v = query_read(f->conn, "SELECT 7", ORM_BOOLEAN);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);
    v = query_read(f->conn, "SELECT 'true'", ORM_BOOLEAN);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);
    v = query_read(f->conn, "SELECT '0'", ORM_BOOLEAN);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 0);
}

static void
test_driver_sqlite__numeric_reads_as_exact_decimal_text(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE n (id INTEGER PRIMARY KEY, "
                     "amount NUMERIC(10, 2))");
    /* NUMERIC affinity stores these as INTEGER, REAL and TEXT */
    exec_ok(f->conn, "INSERT INTO n VALUES (1, '12'), (2, '12.50'), "
                     "(3, 'n/a'), (4, 0.1), (5, -0.000001), (6, 1e20), "
                     "(7, 123456.789), (8, -9223372036854775808)");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 1", ORM_NUMERIC,
                      "12");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 2", ORM_NUMERIC,
                      "12.5");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 3", ORM_NUMERIC,
                      "n/a");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 4", ORM_NUMERIC,
                      "0.1");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 5", ORM_NUMERIC,
                      "-0.000001");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 6", ORM_NUMERIC,
                      "100000000000000000000");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 7", ORM_NUMERIC,
                      "123456.789");
    assert_reads_text(f->conn, "SELECT amount FROM n WHERE id = 8", ORM_NUMERIC,
                      "-9223372036854775808");
    /* a double that needs 17 digits still reads back exactly */
    assert_reads_text(f->conn, "SELECT 0.30000000000000004", ORM_NUMERIC,
                      "0.30000000000000004");
    /* huge ones keep an exponent, and still read back exactly */
    orm_value x = query_value(f->conn, "SELECT 1e300", ORM_NUMERIC);
    orm_value d = query_value(f->conn, "SELECT 1e300", ORM_FLOAT);
    assert_int_equal(x.kind, ORM_VTEXT);
    assert_non_null(strchr(x.u.s.ptr, 'e'));
    assert_true(strtod(x.u.s.ptr, NULL) == d.u.f);
    orm_value_clear(&x);
}

static void
test_driver_sqlite__two_numeric_columns_keep_their_text(void **state)
{
    fixture *f = *state;
    orm_stmt *st = prepare_ok(f->conn, "SELECT 1.25, 42, 'x'", 0);
    orm_value a, b, c;
    step_expect(st, ORM_ROW);
    assert_int_equal(DRV->column(st, 0, ORM_NUMERIC, &a), 0);
    assert_int_equal(DRV->column(st, 1, ORM_NUMERIC, &b), 0);
    assert_int_equal(DRV->column(st, 2, ORM_NUMERIC, &c), 0);
    assert_string_equal(a.u.s.ptr, "1.25");
    assert_string_equal(b.u.s.ptr, "42");
    assert_memory_equal(c.u.s.ptr, "x", 1);
    assert_int_equal(DRV->column(st, 3, ORM_NUMERIC, &c), ORM_EINVALID);
    DRV->finalize(st);
}

static void test_driver_sqlite__columns_convert_to_their_type_kind(void **state)
{
    fixture *f = *state;
    orm_value v;

    /* FLOAT from integer storage */
    v = query_value(f->conn, "SELECT 3", ORM_FLOAT);
    assert_int_equal(v.kind, ORM_VFLOAT);
    assert_true(v.u.f == 3.0);
    v = query_read(f->conn, "SELECT '2.5'", ORM_FLOAT);
    assert_int_equal(v.kind, ORM_VFLOAT);
    assert_true(v.u.f == 2.5);
    /* INTEGER from text and whole reals */
    v = query_read(f->conn, "SELECT '-42'", ORM_INTEGER);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, -42);
    v = query_value(f->conn, "SELECT 8.0", ORM_BIGINT);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 8);
    /* what cannot convert comes back in its own kind */
    v = query_value(f->conn, "SELECT 'forty-two'", ORM_INTEGER);
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "forty-two");
    orm_value_clear(&v);
    v = query_value(f->conn, "SELECT '99999999999999999999'", ORM_BIGINT);
    assert_int_equal(v.kind, ORM_VTEXT);
    orm_value_clear(&v);
    v = query_value(f->conn, "SELECT 2.5", ORM_SMALLINT);
    assert_int_equal(v.kind, ORM_VFLOAT);
    v = query_value(f->conn, "SELECT x'00ff'", ORM_INTEGER);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, 2);
    orm_value_clear(&v);
    v = query_value(f->conn, "SELECT 'abc'", ORM_FLOAT);
    assert_int_equal(v.kind, ORM_VTEXT);
    orm_value_clear(&v);
    /* text-kind types read numbers as text */
    assert_reads_text(f->conn, "SELECT 20240102", ORM_DATE, "20240102");
    assert_reads_text(f->conn, "SELECT 1.5", ORM_TEXT, "1.5");
    assert_reads_text(f->conn, "SELECT '2024-01-02 03:04:05+02:00'",
                      ORM_DATETIMETZ, "2024-01-02 03:04:05+02:00");
    /* text read as a blob keeps its bytes */
    v = query_value(f->conn, "SELECT 'bytes'", ORM_BLOB);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, 5);
    assert_memory_equal(v.u.s.ptr, "bytes", 5);
    orm_value_clear(&v);
    /* NULL is NULL whatever the type */
    for (int t = 0; t <= ORM_TYPE_COUNT; t++) {
        v = query_value(f->conn, "SELECT NULL", (orm_type)t);
        assert_int_equal(v.kind, ORM_VNULL);
    }
}

static void
test_driver_sqlite__megabyte_blob_with_nuls_round_trips(void **state)
{
    fixture *f = *state;
    size_t len = 1024 * 1024;
    unsigned char *data = malloc(len);
    assert_non_null(data);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i % 7 == 0 ? 0 : (i * 31) & 0xff);

    exec_ok(f->conn, "CREATE TABLE files (id INTEGER PRIMARY KEY, "
                     "body BLOB)");
    orm_stmt *ins =
        prepare_ok(f->conn, "INSERT INTO files (body) VALUES (?)", 1);
    orm_value v = orm_value_blob(data, len);
    assert_int_equal(DRV->bind(ins, 0, &v, ORM_BLOB), 0);
    step_expect(ins, ORM_DONE);
    DRV->finalize(ins);

    orm_stmt *sel =
        prepare_ok(f->conn, "SELECT body, length(body) FROM files", 0);
    orm_value got;
    step_expect(sel, ORM_ROW);
    assert_int_equal(DRV->column(sel, 0, ORM_BLOB, &got), 0);
    assert_int_equal(got.kind, ORM_VBLOB);
    assert_int_equal(got.u.s.len, len);
    assert_memory_equal(got.u.s.ptr, data, len);
    assert_int_equal(DRV->column(sel, 1, ORM_BIGINT, &got), 0);
    assert_int_equal(got.u.i, (int64_t)len);
    DRV->finalize(sel);
    free(data);
}

static void test_driver_sqlite__empty_text_and_blob_are_not_null(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE e (t TEXT, b BLOB)");
    orm_stmt *ins = prepare_ok(f->conn, "INSERT INTO e VALUES (?, ?)", 2);
    orm_value t = orm_value_textn(NULL, 0), b = orm_value_blob(NULL, 0);
    assert_int_equal(DRV->bind(ins, 0, &t, ORM_TEXT), 0);
    assert_int_equal(DRV->bind(ins, 1, &b, ORM_BLOB), 0);
    step_expect(ins, ORM_DONE);
    DRV->finalize(ins);
    assert_reads_text(f->conn,
                      "SELECT typeof(t) || '/' || typeof(b) "
                      "FROM e",
                      ORM_TEXT, "text/blob");
    orm_value v = query_value(f->conn, "SELECT b FROM e", ORM_BLOB);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, 0);
    orm_value_clear(&v);
}

static void test_driver_sqlite__unicode_text_is_byte_exact(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {
        "数据库浏览器",          /* CJK */
        "emoji 😀🎉 and flags 🇯🇵", /* astral plane, ZWJ-free pairs */
        "e\xcc\x81 vs \xc3\xa9", /* combining vs precomposed */
        "Ünïcödé, ÅÄÖ, Ελληνικά, русский, עברית",
    };
    exec_ok(f->conn, "CREATE TABLE u (id INTEGER PRIMARY KEY, s TEXT)");
    orm_stmt *ins = prepare_ok(f->conn, "INSERT INTO u (s) VALUES (?)", 1);
    for (size_t i = 0; i < 4; i++) {
        bind_ok(ins, 0, orm_value_text(texts[i]));
        step_expect(ins, ORM_DONE);
    }
    DRV->finalize(ins);

    orm_stmt *sel = prepare_ok(f->conn,
                               "SELECT s, length(s) FROM u "
                               "ORDER BY id",
                               0);
    for (size_t i = 0; i < 4; i++) {
        orm_value got;
        step_expect(sel, ORM_ROW);
        assert_int_equal(DRV->column(sel, 0, ORM_TEXT, &got), 0);
        assert_int_equal(got.kind, ORM_VTEXT);
        assert_int_equal(got.u.s.len, strlen(texts[i]));
        assert_memory_equal(got.u.s.ptr, texts[i], got.u.s.len);
    }
    DRV->finalize(sel);
    /* SQLite counts characters, not bytes */
    assert_int_equal(query_int(f->conn, "SELECT length(s) FROM u "
                                        "WHERE id = 1"),
                     6);
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM u "
                                        "WHERE s LIKE '%😀%'"),
                     1);
}

/* ---- counts and keys ---- */

static void test_driver_sqlite__rows_matched_counts_matched_rows(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE r (id INTEGER PRIMARY KEY, x)");
    exec_ok(f->conn, "INSERT INTO r (x) VALUES (1), (1), (1), (2)");

    /* values that do not change still count as matched */
    orm_stmt *up = prepare_ok(f->conn, "UPDATE r SET x = x WHERE x = ?", 1);
    bind_ok(up, 0, orm_value_int(1));
    step_expect(up, ORM_DONE);
    assert_int_equal(DRV->rows_matched(up), 3);
    bind_ok(up, 0, orm_value_int(99));
    step_expect(up, ORM_DONE);
    assert_int_equal(DRV->rows_matched(up), 0);
    DRV->finalize(up);

    /* DDL and SELECT after DML report none, not the old count */
    orm_stmt *ddl = prepare_ok(f->conn, "CREATE TABLE other (y)", 0);
    step_expect(ddl, ORM_DONE);
    assert_int_equal(DRV->rows_matched(ddl), 0);
    DRV->finalize(ddl);
    orm_stmt *sel = prepare_ok(f->conn, "SELECT * FROM r", 0);
    while (DRV->step(sel) == ORM_ROW)
        ;
    assert_int_equal(DRV->rows_matched(sel), 0);
    DRV->finalize(sel);

    orm_stmt *del = prepare_ok(f->conn,
                               "DELETE FROM r WHERE x = 1 "
                               "RETURNING id",
                               0);
    int rows = 0;
    while (DRV->step(del) == ORM_ROW)
        rows++;
    assert_int_equal(rows, 3);
    assert_int_equal(DRV->rows_matched(del), 3);
    DRV->finalize(del);
}

static void test_driver_sqlite__last_insert_id_gives_generated_key(void **state)
{
    fixture *f = *state;
    int64_t id = 0;
    exec_ok(f->conn, "CREATE TABLE k (id INTEGER PRIMARY KEY, "
                     "name TEXT UNIQUE)");
    exec_ok(f->conn, "INSERT INTO k VALUES (41, 'first')");

    orm_stmt *ins = prepare_ok(f->conn, "INSERT INTO k (name) VALUES (?)", 1);
    assert_int_equal(DRV->last_insert_id(ins, &id), ORM_EINVALID);
    bind_ok(ins, 0, orm_value_text("second"));
    step_expect(ins, ORM_DONE);
    assert_int_equal(DRV->last_insert_id(ins, &id), 0);
    assert_int_equal(id, 42);
    assert_int_equal(DRV->rows_matched(ins), 1);
    DRV->finalize(ins);

    /* an insert that adds nothing has no key to give */
    orm_stmt *ign = prepare_ok(f->conn,
                               "INSERT INTO k (name) VALUES (?) "
                               "ON CONFLICT DO NOTHING",
                               1);
    bind_ok(ign, 0, orm_value_text("second"));
    step_expect(ign, ORM_DONE);
    assert_int_equal(DRV->last_insert_id(ign, &id), ORM_ENOTFOUND);
    DRV->finalize(ign);

    orm_stmt *ret = prepare_ok(f->conn,
                               "INSERT INTO k (name) VALUES (?) "
                               "RETURNING id, name",
                               1);
    bind_ok(ret, 0, orm_value_text("third"));
    step_expect(ret, ORM_ROW);
    orm_value got;
    assert_int_equal(DRV->column(ret, 0, ORM_INTEGER, &got), 0);
    assert_int_equal(got.u.i, 43);
    assert_int_equal(DRV->last_insert_id(ret, &id), 0);
    assert_int_equal(id, 43);
    step_expect(ret, ORM_DONE);
    assert_int_equal(DRV->rows_matched(ret), 1);
    DRV->finalize(ret);
}

static void test_driver_sqlite__reset_allows_reexecution(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE q (id INTEGER PRIMARY KEY, s TEXT)");
    orm_stmt *ins = prepare_ok(f->conn, "INSERT INTO q (s) VALUES (?)", 1);
    for (int i = 0; i < 3; i++) {
        char text[16];
        snprintf(text, sizeof text, "row %d", i);
        bind_ok(ins, 0, orm_value_text(text));
        step_expect(ins, ORM_DONE);
        /* a finished statement is not silently run again */
        step_expect(ins, ORM_DONE);
        assert_int_equal(DRV->reset(ins), 0);
    }
    /* binding again after DONE, without reset, starts a new execution */
    bind_ok(ins, 0, orm_value_text("row 3"));
    step_expect(ins, ORM_DONE);
    bind_ok(ins, 0, orm_value_text("row 4"));
    step_expect(ins, ORM_DONE);
    DRV->finalize(ins);
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM q"), 5);
    assert_reads_text(f->conn, "SELECT group_concat(s, ',') FROM q", ORM_TEXT,
                      "row 0,row 1,row 2,row 3,row 4");

    /* reset drops unread rows and starts over */
    orm_stmt *sel = prepare_ok(f->conn,
                               "SELECT s FROM q WHERE id > ? "
                               "ORDER BY id",
                               1);
    orm_value got;
    bind_ok(sel, 0, orm_value_int(0));
    step_expect(sel, ORM_ROW);
    step_expect(sel, ORM_ROW);
    assert_int_equal(DRV->reset(sel), 0);
    bind_ok(sel, 0, orm_value_int(3));
    step_expect(sel, ORM_ROW);
    assert_int_equal(DRV->column(sel, 0, ORM_TEXT, &got), 0);
    assert_memory_equal(got.u.s.ptr, "row 3", 5);
    step_expect(sel, ORM_ROW);
    step_expect(sel, ORM_DONE);
    DRV->finalize(sel);
}

static void test_driver_sqlite__reset_forgets_borrowed_bindings(void **state)
{
    fixture *f = *state;
    char *text = strdup("short-lived");
    assert_non_null(text);
    orm_stmt *st = prepare_ok(f->conn, "SELECT ? IS NULL", 1);
    bind_ok(st, 0, orm_value_text(text));
    step_expect(st, ORM_ROW);
    assert_int_equal(DRV->reset(st), 0);
    free(text); /* the core may free a value after reset */
    step_expect(st, ORM_ROW);
    orm_value got;
    assert_int_equal(DRV->column(st, 0, ORM_INTEGER, &got), 0);
    assert_int_equal(got.u.i, 1);
    DRV->finalize(st);
}

static void test_driver_sqlite__failed_step_needs_reset(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE d (x UNIQUE)");
    orm_stmt *ins = prepare_ok(f->conn, "INSERT INTO d VALUES (?)", 1);
    bind_ok(ins, 0, orm_value_int(1));
    step_expect(ins, ORM_DONE);
    assert_int_equal(DRV->reset(ins), 0);
    bind_ok(ins, 0, orm_value_int(1));
    assert_int_equal(DRV->step(ins), ORM_EUNIQUE);
    assert_int_equal(DRV->rows_matched(ins), -1);
    assert_int_equal(DRV->step(ins), ORM_EINVALID);
    assert_int_equal(DRV->reset(ins), 0);
    bind_ok(ins, 0, orm_value_int(2));
    step_expect(ins, ORM_DONE);
    DRV->finalize(ins);
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM d"), 2);
}

/* ---- errors ---- */

static void
test_driver_sqlite__constraint_errors_name_table_and_column(void **state)
{
    fixture *f = *state;
    orm_error *err = &f->conn->err;
    exec_ok(f->conn, "CREATE TABLE accounts ("
                     " id INTEGER PRIMARY KEY,"
                     " handle VARCHAR(50) NOT NULL UNIQUE,"
                     " a INTEGER, b INTEGER,"
                     " age INTEGER CONSTRAINT adult CHECK (age >= 18),"
                     " UNIQUE (a, b))");
    exec_ok(f->conn, "INSERT INTO accounts VALUES (1, 'ann', 1, 2, 30)");

    assert_int_equal(DRV->exec(f->conn, "INSERT INTO accounts (handle) "
                                        "VALUES ('ann')"),
                     ORM_EUNIQUE);
    assert_int_equal(err->code, ORM_EUNIQUE);
    assert_int_equal(err->native_code, SQLITE_CONSTRAINT_UNIQUE);
    assert_string_equal(err->table, "accounts");
    assert_string_equal(err->column, "handle");
    assert_string_equal(err->message,
                        "UNIQUE constraint failed: accounts.handle");

    assert_int_equal(DRV->exec(f->conn, "INSERT INTO accounts "
                                        "(handle, a, b) VALUES ('bo', 1, 2)"),
                     ORM_EUNIQUE);
    assert_string_equal(err->table, "accounts");
    /* every column of the key, joined as the PostgreSQL driver does */
    assert_string_equal(err->column, "a, b");

    assert_int_equal(DRV->exec(f->conn, "INSERT INTO accounts (id, handle) "
                                        "VALUES (1, 'cy')"),
                     ORM_EUNIQUE);
    assert_int_equal(err->native_code, SQLITE_CONSTRAINT_PRIMARYKEY);
    assert_string_equal(err->column, "id");

    assert_int_equal(DRV->exec(f->conn, "INSERT INTO accounts (handle) "
                                        "VALUES (NULL)"),
                     ORM_ENOTNULL);
    assert_int_equal(err->native_code, SQLITE_CONSTRAINT_NOTNULL);
    assert_string_equal(err->table, "accounts");
    assert_string_equal(err->column, "handle");

    assert_int_equal(DRV->exec(f->conn, "INSERT INTO accounts "
                                        "(handle, age) VALUES ('kid', 9)"),
                     ORM_ECHECK);
    assert_int_equal(err->native_code, SQLITE_CONSTRAINT_CHECK);
    assert_string_equal(err->constraint, "adult");
}

static void
test_driver_sqlite__dotted_names_split_where_schema_agrees(void **state)
{
    fixture *f = *state;
    orm_error *err = &f->conn->err;
    exec_ok(f->conn, "CREATE TABLE \"v1.2\" (\"a.b\" UNIQUE, c UNIQUE)");
    exec_ok(f->conn, "INSERT INTO \"v1.2\" VALUES (1, 1)");
    assert_int_equal(DRV->exec(f->conn, "INSERT INTO \"v1.2\" VALUES (1, 2)"),
                     ORM_EUNIQUE);
    assert_string_equal(err->table, "v1.2");
    assert_string_equal(err->column, "a.b");
    assert_int_equal(DRV->exec(f->conn, "INSERT INTO \"v1.2\" VALUES (2, 1)"),
                     ORM_EUNIQUE);
    assert_string_equal(err->table, "v1.2");
    assert_string_equal(err->column, "c");
}

static void test_driver_sqlite__foreign_keys_are_enforced(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE parent (id INTEGER PRIMARY KEY)");
    exec_ok(f->conn, "CREATE TABLE child (id INTEGER PRIMARY KEY, "
                     "parent_id INTEGER REFERENCES parent (id))");
    exec_ok(f->conn, "INSERT INTO parent VALUES (1)");
    exec_ok(f->conn, "INSERT INTO child VALUES (1, 1)");
    assert_int_equal(DRV->exec(f->conn, "INSERT INTO child VALUES (2, 5)"),
                     ORM_EFOREIGNKEY);
    assert_int_equal(f->conn->err.native_code, SQLITE_CONSTRAINT_FOREIGNKEY);
    assert_int_equal(DRV->exec(f->conn, "DELETE FROM parent"), ORM_EFOREIGNKEY);
}

static void test_driver_sqlite__other_errors_map_and_keep_message(void **state)
{
    fixture *f = *state;
    orm_error *err = &f->conn->err;
    orm_stmt *st = NULL;

    assert_int_equal(DRV->prepare(f->conn, "SELECT * FROM missing", 0, 0, &st),
                     ORM_EERROR);
    assert_null(st);
    assert_string_equal(err->message, "no such table: missing");
    assert_int_equal(err->native_code, SQLITE_ERROR);

    /* SQLite points at the offending token (1-based here) */
    assert_int_equal(DRV->prepare(f->conn, "SELECT 1 +* 2", 0, 0, &st),
                     ORM_EERROR);
    assert_string_equal(err->message, "near \"*\": syntax error");
    assert_int_equal(err->position, 11);
    assert_int_equal(DRV->prepare(f->conn, "SELECT nocol", 0, 0, &st),
                     ORM_EERROR);
    assert_int_equal(err->position, 8);

    exec_ok(f->conn, "CREATE TABLE s (n INTEGER) STRICT");
    assert_int_equal(DRV->exec(f->conn, "INSERT INTO s VALUES ('x')"),
                     ORM_ETYPE);
    assert_string_equal(err->table, "s");
    assert_string_equal(err->column, "n");
}

static void
test_driver_sqlite__prepare_takes_exactly_one_statement(void **state)
{
    fixture *f = *state;
    orm_stmt *st = NULL;
    assert_int_equal(DRV->prepare(f->conn, "SELECT 1; SELECT 2", 0, 0, &st),
                     ORM_EINVALID);
    assert_null(st);
    assert_int_equal(DRV->prepare(f->conn, "  -- nothing\n", 0, 0, &st),
                     ORM_EINVALID);
    assert_int_equal(DRV->prepare(f->conn, "SELECT ?, ?", 1, 0, &st),
                     ORM_EINVALID);
    assert_non_null(strstr(f->conn->err.message, "2 parameters"));
    st = prepare_ok(f->conn, "SELECT 1; -- trailing comment\n", 0);
    assert_string_equal(st->sql, "SELECT 1;");
    orm_value v = orm_value_int(1);
    assert_int_equal(DRV->bind(st, 0, &v, ORM_INTEGER), ORM_EINVALID);
    DRV->finalize(st);
    DRV->finalize(NULL);
}

static void
test_driver_sqlite__writer_lock_gives_busy_after_timeout(void **state)
{
    fixture *f = *state;
    orm_conn *other = conn_open_ok(f->path, 0, 50);
    exec_ok(f->conn, "CREATE TABLE w (x)");
    assert_int_equal(DRV->begin(f->conn), 0);
    exec_ok(f->conn, "INSERT INTO w VALUES (1)");

    /* a reader still reads, and sees the committed state */
    assert_int_equal(query_int(other, "SELECT count(*) FROM w"), 0);
    assert_int_equal(DRV->begin(other), ORM_EBUSY);
    assert_int_equal(other->err.code, ORM_EBUSY);
    assert_int_equal(other->err.native_code & 0xff, SQLITE_BUSY);
    assert_int_equal(DRV->exec(other, "INSERT INTO w VALUES (2)"), ORM_EBUSY);

    assert_int_equal(DRV->commit(f->conn), 0);
    assert_int_equal(DRV->begin(other), 0);
    exec_ok(other, "INSERT INTO w VALUES (2)");
    assert_int_equal(DRV->commit(other), 0);
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM w"), 2);
    DRV->close(other);
}

static void
test_driver_sqlite__transactions_cover_ddl_and_savepoints(void **state)
{
    fixture *f = *state;
    assert_int_equal(DRV->begin(f->conn), 0);
    exec_ok(f->conn, "CREATE TABLE gone (x)");
    assert_int_equal(DRV->rollback(f->conn), 0);
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM sqlite_master"),
                     0);
    /* nothing to roll back is not an error */
    assert_int_equal(DRV->rollback(f->conn), 0);

    exec_ok(f->conn, "CREATE TABLE t (x)");
    assert_int_equal(DRV->begin(f->conn), 0);
    exec_ok(f->conn, "INSERT INTO t VALUES (1)");
    exec_ok(f->conn, "SAVEPOINT sp1");
    exec_ok(f->conn, "INSERT INTO t VALUES (2)");
    exec_ok(f->conn, "ROLLBACK TO SAVEPOINT sp1");
    exec_ok(f->conn, "RELEASE SAVEPOINT sp1");
    assert_int_equal(DRV->commit(f->conn), 0);
    assert_int_equal(query_int(f->conn, "SELECT sum(x) FROM t"), 1);
    assert_int_equal(DRV->commit(f->conn), ORM_EERROR);
}

static void
test_driver_sqlite__nulls_order_and_multirow_insert_work(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE o (x)");
    exec_ok(f->conn, "INSERT INTO o VALUES (2), (NULL), (1)");
    assert_reads_text(f->conn,
                      "SELECT group_concat(coalesce(x, 'n'), '') "
                      "FROM (SELECT x FROM o ORDER BY x NULLS LAST)",
                      ORM_TEXT, "12n");
    assert_reads_text(f->conn,
                      "SELECT group_concat(coalesce(x, 'n'), '') FROM "
                      "(SELECT x FROM o ORDER BY x DESC NULLS FIRST)",
                      ORM_TEXT, "n21");
}

/* ---- DDL types ---- */

static char *type_sql(orm_column col, int autoinc)
{
    orm_buf b = ORM_BUF_INIT;
    DRV->column_type_sql(&b, &col, autoinc);
    return orm_buf_finish(&b);
}

static void assert_type_sql(orm_column col, int autoinc, const char *want)
{
    char *got = type_sql(col, autoinc);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_driver_sqlite__column_type_sql_names(void **state)
{
    (void)state;
    assert_type_sql((orm_column){.type = ORM_INTEGER}, 0, "INTEGER");
    assert_type_sql((orm_column){.type = ORM_BIGINT}, 0, "BIGINT");
    assert_type_sql((orm_column){.type = ORM_SMALLINT}, 0, "SMALLINT");
    assert_type_sql((orm_column){.type = ORM_INTEGER}, 1, "INTEGER");
    assert_type_sql((orm_column){.type = ORM_BIGINT}, 1, "INTEGER");
    assert_type_sql((orm_column){.type = ORM_SMALLINT}, 1, "INTEGER");
    assert_type_sql((orm_column){.type = ORM_STRING, .length = 50}, 0,
                    "VARCHAR(50)");
    assert_type_sql((orm_column){.type = ORM_STRING}, 0, "VARCHAR");
    assert_type_sql((orm_column){.type = ORM_TEXT}, 0, "TEXT");
    assert_type_sql((orm_column){.type = ORM_BOOLEAN}, 0, "BOOLEAN");
    assert_type_sql((orm_column){.type = ORM_FLOAT}, 0, "FLOAT");
    assert_type_sql(
        (orm_column){.type = ORM_NUMERIC, .precision = 10, .scale = 2}, 0,
        "NUMERIC(10, 2)");
    /* Wider or unbounded decimals keep TEXT affinity to stay exact. */
    assert_type_sql((orm_column){.type = ORM_NUMERIC}, 0, "DECIMAL TEXT");
    assert_type_sql(
        (orm_column){.type = ORM_NUMERIC, .precision = 30, .scale = 10}, 0,
        "DECIMAL TEXT(30, 10)");
    assert_type_sql((orm_column){.type = ORM_DATE}, 0, "DATE");
    assert_type_sql((orm_column){.type = ORM_TIME}, 0, "TIME");
    assert_type_sql((orm_column){.type = ORM_DATETIME}, 0, "DATETIME");
    assert_type_sql((orm_column){.type = ORM_DATETIMETZ}, 0, "TIMESTAMPTZ");
    assert_type_sql((orm_column){.type = ORM_BLOB}, 0, "BLOB");
    assert_type_sql((orm_column){.type = ORM_JSON}, 0, "JSON");
    assert_type_sql((orm_column){.type = ORM_UUID}, 0, "UUID");
}

/* Every type the driver writes reflects back as itself. */
static void test_driver_sqlite__declared_types_reflect_back(void **state)
{
    fixture *f = *state;
    orm_buf ddl = ORM_BUF_INIT;
    orm_column cols[ORM_TYPE_COUNT];

    orm_buf_append(&ddl, "CREATE TABLE every (\"id\" INTEGER NOT NULL");
    for (int t = 0; t < ORM_TYPE_COUNT; t++) {
        cols[t] = (orm_column){.type = (orm_type)t};
        if (t == ORM_STRING)
            cols[t].length = 80;
        if (t == ORM_NUMERIC) {
            cols[t].precision = 12;
            cols[t].scale = 3;
        }
        char *sql = type_sql(cols[t], 0);
        orm_buf_appendf(&ddl, ", \"c%d\" %s", t, sql);
        free(sql);
    }
    orm_buf_append(&ddl, ", PRIMARY KEY (\"id\"))");
    exec_ok(f->conn, orm_buf_str(&ddl));
    orm_buf_free(&ddl);

    /* the core's key declaration makes "id" the rowid */
    exec_ok(f->conn, "INSERT INTO every (c0) VALUES (5)");
    assert_int_equal(query_int(f->conn, "SELECT id = rowid FROM every"), 1);

    orm_model *m = reflect_ok(f->conn, "every");
    assert_int_equal(m->ncolumns, ORM_TYPE_COUNT + 1);
    const orm_column *id = column_named(m, "id");
    assert_int_equal(id->type, ORM_INTEGER);
    assert_true(id->flags & ORM_PK);
    assert_true(id->flags & ORM_AUTOINC);
    assert_true(id->flags & ORM_NOT_NULL);
    assert_true(orm_column_is_autoinc(m, id));
    for (int t = 0; t < ORM_TYPE_COUNT; t++) {
        const orm_column *c = &m->columns[t + 1];
        if (c->type != (orm_type)t)
            fail_msg("%s declared %s reflected as %s", orm_type_name(t),
                     c->native_type, orm_type_name(c->type));
        assert_int_equal(c->length, cols[t].length);
        assert_int_equal(c->precision, cols[t].precision);
        assert_int_equal(c->scale, cols[t].scale);
        assert_false(c->flags & (ORM_PK | ORM_NOT_NULL | ORM_AUTOINC));
    }
    assert_string_equal(m->columns[ORM_NUMERIC + 1].native_type,
                        "NUMERIC(12, 3)");
    orm_model_free(m);
}

/* ---- reflection ---- */

static void
test_driver_sqlite__list_tables_sorted_without_internals(void **state)
{
    fixture *f = *state;
    char **names = NULL;
    size_t n = 99;

    assert_int_equal(DRV->list_tables(f->conn, &names, &n), 0);
    assert_int_equal(n, 0);
    free(names);

    exec_ok(f->conn, "CREATE TABLE zebra (id INTEGER PRIMARY KEY "
                     "AUTOINCREMENT)");
    exec_ok(f->conn, "CREATE TABLE \"Apple\" (x)");
    exec_ok(f->conn, "CREATE TABLE mango (x)");
    exec_ok(f->conn, "CREATE INDEX mango_x ON mango (x)");
    exec_ok(f->conn, "CREATE VIEW fruit AS SELECT x FROM mango");
    exec_ok(f->conn, "INSERT INTO zebra DEFAULT VALUES");
    exec_ok(f->conn, "ANALYZE");
    assert_int_equal(query_int(f->conn, "SELECT count(*) FROM sqlite_master "
                                        "WHERE name LIKE 'sqlite!_%' "
                                        "ESCAPE '!'"),
                     2);

    /* Views are listed with the tables (reflection marks them). */
    assert_int_equal(DRV->list_tables(f->conn, &names, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "Apple");
    assert_string_equal(names[1], "fruit");
    assert_string_equal(names[2], "mango");
    assert_string_equal(names[3], "zebra");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void test_driver_sqlite__reflects_keys_uniques_and_defaults(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE region ("
                     " country CHAR(2) NOT NULL,"
                     " code VARCHAR(10) NOT NULL,"
                     " name TEXT,"
                     " PRIMARY KEY (country, code))");
    exec_ok(f->conn, "CREATE TABLE shop ("
                     " id INTEGER PRIMARY KEY,"
                     " handle VARCHAR(40) NOT NULL UNIQUE,"
                     " country CHAR(2) DEFAULT 'SE',"
                     " region_code VARCHAR(10),"
                     " owner_id INTEGER REFERENCES shop (id),"
                     " opened DATETIME DEFAULT CURRENT_TIMESTAMP,"
                     " rating NUMERIC(3, 1) DEFAULT (0.0) NOT NULL,"
                     " city TEXT, street TEXT,"
                     " UNIQUE (city, street),"
                     " FOREIGN KEY (country, region_code)"
                     "  REFERENCES region (country, code))");
    exec_ok(f->conn, "CREATE INDEX shop_city ON shop (city)");
    exec_ok(f->conn, "CREATE UNIQUE INDEX shop_lower ON shop (lower(city))");

    orm_model *m = reflect_ok(f->conn, "shop");
    assert_string_equal(m->table, "shop");
    assert_int_equal(m->ncolumns, 9);
    assert_string_equal(m->columns[0].name, "id");
    assert_string_equal(m->columns[8].name, "street");

    const orm_column *id = column_named(m, "id");
    assert_int_equal(id->flags & (ORM_PK | ORM_AUTOINC), ORM_PK | ORM_AUTOINC);
    const orm_column *handle = column_named(m, "handle");
    assert_int_equal(handle->type, ORM_STRING);
    assert_int_equal(handle->length, 40);
    assert_int_equal(handle->flags & (ORM_UNIQUE | ORM_NOT_NULL),
                     ORM_UNIQUE | ORM_NOT_NULL);
    const orm_column *country = column_named(m, "country");
    assert_string_equal(country->server_default, "'SE'");
    assert_string_equal(country->native_type, "CHAR(2)");
    assert_true(orm_column_nullable(country));
    assert_null(country->ref_table);
    const orm_column *opened = column_named(m, "opened");
    assert_int_equal(opened->type, ORM_DATETIME);
    assert_string_equal(opened->server_default, "CURRENT_TIMESTAMP");
    const orm_column *rating = column_named(m, "rating");
    assert_int_equal(rating->type, ORM_NUMERIC);
    assert_int_equal(rating->precision, 3);
    assert_int_equal(rating->scale, 1);
    assert_string_equal(rating->server_default, "0.0");
    assert_true(rating->flags & ORM_NOT_NULL);
    const orm_column *owner = column_named(m, "owner_id");
    assert_string_equal(owner->ref_table, "shop");
    assert_string_equal(owner->ref_column, "id");
    assert_true(column_named(m, "city")->flags & ORM_INDEX);
    assert_false(column_named(m, "city")->flags & ORM_UNIQUE);
    assert_null(column_named(m, "street")->server_default);

    assert_int_equal(m->nuniques, 1);
    assert_int_equal(m->uniques[0].ncolumns, 2);
    assert_string_equal(m->uniques[0].columns[0], "city");
    assert_string_equal(m->uniques[0].columns[1], "street");

    assert_int_equal(m->nforeign_keys, 1);
    const orm_foreign_key *fk = &m->foreign_keys[0];
    assert_int_equal(fk->ncolumns, 2);
    assert_string_equal(fk->ref_table, "region");
    assert_string_equal(fk->columns[0], "country");
    assert_string_equal(fk->columns[1], "region_code");
    assert_string_equal(fk->ref_columns[0], "country");
    assert_string_equal(fk->ref_columns[1], "code");
    orm_model_free(m);

    m = reflect_ok(f->conn, "region");
    int pk[4];
    assert_int_equal(orm_model_pk(m, pk, 4), 2);
    assert_string_equal(m->columns[pk[0]].name, "country");
    assert_string_equal(m->columns[pk[1]].name, "code");
    assert_false(m->columns[pk[0]].flags & ORM_AUTOINC);
    assert_false(m->columns[2].flags & ORM_PK);
    assert_int_equal(m->nuniques, 0);
    orm_model_free(m);
}

static void
test_driver_sqlite__reflects_implicit_and_composite_refs(void **state)
{
    fixture *f = *state;
    exec_ok(f->conn, "CREATE TABLE pair (x TEXT, y TEXT, "
                     "PRIMARY KEY (y, x))");
    exec_ok(f->conn, "CREATE TABLE one (k TEXT PRIMARY KEY)");
    exec_ok(f->conn, "CREATE TABLE link (id INTEGER PRIMARY KEY,"
                     " a TEXT, b TEXT, k TEXT REFERENCES one,"
                     " FOREIGN KEY (a, b) REFERENCES pair)");
    orm_model *m = reflect_ok(f->conn, "link");
    const orm_column *k = column_named(m, "k");
    assert_string_equal(k->ref_table, "one");
    assert_string_equal(k->ref_column, "k");
    assert_int_equal(m->nforeign_keys, 1);
    /* the parent's key in key order: (y, x) */
    assert_string_equal(m->foreign_keys[0].ref_columns[0], "y");
    assert_string_equal(m->foreign_keys[0].ref_columns[1], "x");
    orm_model_free(m);

    m = reflect_ok(f->conn, "one");
    assert_true(m->columns[0].flags & ORM_PK);
    assert_false(m->columns[0].flags & ORM_AUTOINC);
    orm_model_free(m);
}

static void test_driver_sqlite__reflects_hand_made_odd_types(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *name;
        orm_type type;
        int length, precision, scale;
    } want[] = {
        {"untyped", ORM_TEXT, 0, 0, 0},  {"i", ORM_INTEGER, 0, 0, 0},
        {"u", ORM_INTEGER, 0, 0, 0},     {"big", ORM_BIGINT, 0, 0, 0},
        {"tiny", ORM_SMALLINT, 0, 0, 0}, {"vc", ORM_STRING, 255, 0, 0},
        {"nv", ORM_STRING, 20, 0, 0},    {"cv", ORM_STRING, 30, 0, 0},
        {"ch", ORM_STRING, 0, 0, 0},     {"cl", ORM_TEXT, 0, 0, 0},
        {"dp", ORM_FLOAT, 0, 0, 0},      {"re", ORM_FLOAT, 0, 0, 0},
        {"dec", ORM_NUMERIC, 10, 0, 0},  {"dec2", ORM_NUMERIC, 0, 8, 3},
        {"b", ORM_BOOLEAN, 0, 0, 0},     {"ts", ORM_DATETIME, 0, 0, 0},
        {"tz", ORM_DATETIMETZ, 0, 0, 0}, {"j", ORM_JSON, 0, 0, 0},
        {"g", ORM_UUID, 0, 0, 0},        {"bl", ORM_BLOB, 0, 0, 0},
        {"money", ORM_TEXT, 0, 0, 0},    {"geo", ORM_TEXT, 0, 0, 0},
        {"gen", ORM_INTEGER, 0, 0, 0},
    };
    exec_ok(f->conn, "CREATE TABLE odd (untyped, i int, u INT UNSIGNED,"
                     " big unsigned big int, tiny TinyInt(1),"
                     " vc varchar(255), nv NVARCHAR(20),"
                     " cv character  varying (30), ch CHAR, cl clob,"
                     " dp double precision, re REAL, dec DECIMAL(10),"
                     " dec2 decimal(8,3), b bool, ts timestamp,"
                     " tz TIMESTAMP WITH TIME ZONE, j json, g uuid,"
                     " bl blob, money MONEY(4), geo POINT Z,"
                     " gen INTEGER AS (i * 2))");
    orm_model *m = reflect_ok(f->conn, "odd");
    assert_int_equal(m->ncolumns, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *c = &m->columns[i];
        assert_string_equal(c->name, want[i].name);
        if (c->type != want[i].type)
            fail_msg("%s (%s) reflected as %s, want %s", c->name,
                     c->native_type, orm_type_name(c->type),
                     orm_type_name(want[i].type));
        /* DECIMAL(10) is precision 10, not a length */
        if (c->type == ORM_NUMERIC && want[i].length) {
            assert_int_equal(c->precision, want[i].length);
            assert_int_equal(c->scale, 0);
        } else {
            assert_int_equal(c->length, want[i].length);
            assert_int_equal(c->precision, want[i].precision);
            assert_int_equal(c->scale, want[i].scale);
        }
        /* Only the column without a type holds values of any kind. */
        assert_int_equal(c->flags, i == 0 ? ORM_UNTYPED : 0);
        /* Only the generated column is read-only. */
        assert_int_equal(c->read_only != NULL, strcmp(c->name, "gen") == 0);
    }
    assert_string_equal(column_named(m, "untyped")->native_type, "");
    assert_string_equal(column_named(m, "money")->native_type, "MONEY(4)");
    assert_string_equal(column_named(m, "geo")->native_type, "POINT Z");
    assert_string_equal(column_named(m, "u")->native_type, "INT UNSIGNED");
    orm_model_free(m);

    /* only an INTEGER key of a rowid table is generated */
    exec_ok(f->conn, "CREATE TABLE k1 (id INT PRIMARY KEY)");
    exec_ok(f->conn, "CREATE TABLE k2 (id INTEGER PRIMARY KEY) "
                     "WITHOUT ROWID");
    exec_ok(f->conn, "CREATE TABLE k3 (id integer PRIMARY KEY)");
    m = reflect_ok(f->conn, "k1");
    assert_int_equal(m->columns[0].flags & ORM_AUTOINC, 0);
    assert_false(orm_column_is_autoinc(m, &m->columns[0]));
    orm_model_free(m);
    m = reflect_ok(f->conn, "k2");
    assert_int_equal(m->columns[0].flags & ORM_AUTOINC, 0);
    assert_false(orm_column_is_autoinc(m, &m->columns[0]));
    orm_model_free(m);
    m = reflect_ok(f->conn, "k3");
    assert_true(m->columns[0].flags & ORM_AUTOINC);
    orm_model_free(m);
}

static void
test_driver_sqlite__reflects_names_with_quotes_and_spaces(void **state)
{
    fixture *f = *state;
    const char *table = "we\"ird tab";
    exec_ok(f->conn, "CREATE TABLE \"we\"\"ird tab\" ("
                     " \"k\"\"ey 1\" INTEGER PRIMARY KEY,"
                     " \"it's\" TEXT UNIQUE)");
    exec_ok(f->conn, "CREATE TABLE \"re fs\" (id INTEGER PRIMARY KEY,"
                     " t INTEGER REFERENCES \"we\"\"ird tab\")");
    exec_ok(f->conn, "INSERT INTO \"we\"\"ird tab\" VALUES (1, 'a')");

    orm_model *m = reflect_ok(f->conn, table);
    assert_string_equal(m->table, table);
    assert_int_equal(m->ncolumns, 2);
    assert_string_equal(m->columns[0].name, "k\"ey 1");
    assert_true(m->columns[0].flags & ORM_AUTOINC);
    assert_string_equal(m->columns[1].name, "it's");
    assert_true(m->columns[1].flags & ORM_UNIQUE);
    orm_model_free(m);

    m = reflect_ok(f->conn, "re fs");
    assert_string_equal(m->columns[1].ref_table, table);
    assert_string_equal(m->columns[1].ref_column, "k\"ey 1");
    orm_model_free(m);

    assert_int_equal(DRV->exec(f->conn, "INSERT INTO \"we\"\"ird tab\" "
                                        "VALUES (2, 'a')"),
                     ORM_EUNIQUE);
    assert_string_equal(f->conn->err.table, table);
    assert_string_equal(f->conn->err.column, "it's");

    char **names = NULL;
    size_t n = 0;
    assert_int_equal(DRV->list_tables(f->conn, &names, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "re fs");
    assert_string_equal(names[1], table);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void test_driver_sqlite__reflect_missing_table_is_not_found(void **state)
{
    fixture *f = *state;
    orm_model *m = NULL;
    exec_ok(f->conn, "CREATE TABLE here (x)");
    assert_int_equal(DRV->reflect_table(f->conn, NULL, "nowhere", &m),
                     ORM_ENOTFOUND);
    assert_null(m);
    assert_int_equal(f->conn->err.code, ORM_ENOTFOUND);
    assert_non_null(strstr(f->conn->err.message, "nowhere"));
    assert_int_equal(DRV->reflect_table(f->conn, "nope", "here", &m),
                     ORM_ENOTFOUND);
    /* "main" is the current database: its table comes back without a
     * schema (driver.h; the core keeps the name asked). */
    assert_int_equal(DRV->reflect_table(f->conn, "main", "here", &m), 0);
    assert_null(m->schema);
    assert_int_equal(m->ncolumns, 1);
    orm_model_free(m);
}

static void test_driver_sqlite__estimate_count_needs_analyze(void **state)
{
    fixture *f = *state;
    int64_t n = -1;
    exec_ok(f->conn, "CREATE TABLE plain (x)");
    exec_ok(f->conn, "CREATE TABLE indexed (x)");
    exec_ok(f->conn, "CREATE INDEX indexed_x ON indexed (x)");
    exec_ok(f->conn, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
                     "SELECT i + 1 FROM c WHERE i < 250) "
                     "INSERT INTO plain SELECT i FROM c");
    exec_ok(f->conn, "INSERT INTO indexed SELECT x FROM plain LIMIT 40");

    assert_int_equal(DRV->estimate_count(f->conn, NULL, "plain", &n),
                     ORM_EUNSUPPORTED);
    assert_int_equal(f->conn->err.code, ORM_EUNSUPPORTED);

    exec_ok(f->conn, "ANALYZE");
    assert_int_equal(DRV->estimate_count(f->conn, NULL, "plain", &n), 0);
    assert_int_equal(n, 250);
    assert_int_equal(DRV->estimate_count(f->conn, "main", "indexed", &n), 0);
    assert_int_equal(n, 40);
    exec_ok(f->conn, "CREATE TABLE later (x)");
    assert_int_equal(DRV->estimate_count(f->conn, NULL, "later", &n),
                     ORM_EUNSUPPORTED);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_driver_sqlite__table_describes_dialect),
        T(test_driver_sqlite__memory_forms_are_separate_databases),
        T(test_driver_sqlite__file_keeps_rows_and_its_journal_mode),
        T(test_driver_sqlite__missing_file_is_created_only_when_asked),
        T(test_driver_sqlite__not_a_database_names_the_file),
        T(test_driver_sqlite__unopenable_paths_fail_to_connect),
        T(test_driver_sqlite__read_only_refuses_writes),
        T(test_driver_sqlite__reconnect_reopens_the_same_file),
        T(test_driver_sqlite__like_is_case_sensitive),
        T(test_driver_sqlite__every_value_kind_round_trips),
        T(test_driver_sqlite__booleans_bind_as_integers),
        T(test_driver_sqlite__numeric_reads_as_exact_decimal_text),
        T(test_driver_sqlite__two_numeric_columns_keep_their_text),
        T(test_driver_sqlite__columns_convert_to_their_type_kind),
        T(test_driver_sqlite__megabyte_blob_with_nuls_round_trips),
        T(test_driver_sqlite__empty_text_and_blob_are_not_null),
        T(test_driver_sqlite__unicode_text_is_byte_exact),
        T(test_driver_sqlite__rows_matched_counts_matched_rows),
        T(test_driver_sqlite__last_insert_id_gives_generated_key),
        T(test_driver_sqlite__reset_allows_reexecution),
        T(test_driver_sqlite__reset_forgets_borrowed_bindings),
        T(test_driver_sqlite__failed_step_needs_reset),
        T(test_driver_sqlite__constraint_errors_name_table_and_column),
        T(test_driver_sqlite__dotted_names_split_where_schema_agrees),
        T(test_driver_sqlite__foreign_keys_are_enforced),
        T(test_driver_sqlite__other_errors_map_and_keep_message),
        T(test_driver_sqlite__prepare_takes_exactly_one_statement),
        T(test_driver_sqlite__writer_lock_gives_busy_after_timeout),
        T(test_driver_sqlite__transactions_cover_ddl_and_savepoints),
        T(test_driver_sqlite__nulls_order_and_multirow_insert_work),
        T(test_driver_sqlite__column_type_sql_names),
        T(test_driver_sqlite__declared_types_reflect_back),
        T(test_driver_sqlite__list_tables_sorted_without_internals),
        T(test_driver_sqlite__reflects_keys_uniques_and_defaults),
        T(test_driver_sqlite__reflects_implicit_and_composite_refs),
        T(test_driver_sqlite__reflects_hand_made_odd_types),
        T(test_driver_sqlite__reflects_names_with_quotes_and_spaces),
        T(test_driver_sqlite__reflect_missing_table_is_not_found),
        T(test_driver_sqlite__estimate_count_needs_analyze),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
