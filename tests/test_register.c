/*
 * An outside driver added with orm_driver_register: "litefile", a small
 * file-backed driver written here against orm/sys/driver.h and the
 * public headers only, over the sqlite3 library (as a program's own
 * driver would be). The ORM opens its URLs, creates a table, inserts and
 * queries rows through it; a table of the wrong version, a name taken or
 * a missing function is refused with a message saying which.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <orm/orm.h>
#include <orm/sys/driver.h>

/* ---- the driver ---- */

typedef struct lite_conn {
    orm_conn base;
    sqlite3 *db;
} lite_conn;

typedef struct lite_stmt {
    orm_stmt base;
    sqlite3_stmt *st;
    int64_t changes, last_id;
} lite_stmt;

static const orm_driver litefile;

static int lite_fail(orm_conn *conn, sqlite3 *db, int src)
{
    int code = ORM_EERROR;
    if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = ORM_EUNIQUE;
    else if (src == SQLITE_CONSTRAINT_NOTNULL)
        code = ORM_ENOTNULL;
    else if (src == SQLITE_BUSY)
        code = ORM_EBUSY;
    int rc = orm_conn_error(conn, code, "%s", sqlite3_errmsg(db));
    conn->err.native_code = src;
    return rc;
}

static int lite_connect(orm_conn **out, const orm_url *url,
                        const orm_connect_options *opts, orm_error *err)
{
    lite_conn *c = calloc(1, sizeof *c);
    if (!c)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    const char *path = url->database ? url->database : ":memory:";
    int flags = opts->read_only ? SQLITE_OPEN_READONLY
                                : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        orm_error_set(err, ORM_ECONNECT, "litefile: cannot open %s: %s", path,
                      c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close_v2(c->db);
        free(c);
        return ORM_ECONNECT;
    }
    sqlite3_extended_result_codes(c->db, 1);
    c->base.driver = &litefile;
    c->base.read_only = opts->read_only;
    *out = &c->base;
    return 0;
}

static void lite_close(orm_conn *conn)
{
    lite_conn *c = (lite_conn *)conn;
    sqlite3_close_v2(c->db);
    orm_error_clear(&conn->err);
    free(c);
}

/* Calls of lite_cancel, to see which tables the core reads it from. */
static int lite_cancels;

static int lite_cancel(orm_conn *conn, orm_error *err)
{
    lite_conn *c = (lite_conn *)conn;
    (void)err;
    lite_cancels++;
    sqlite3_interrupt(c->db);
    return 0;
}

static int lite_exec(orm_conn *conn, const char *sql)
{
    lite_conn *c = (lite_conn *)conn;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : lite_fail(conn, c->db, rc);
}

static int lite_begin(orm_conn *conn)
{
    return lite_exec(conn, "BEGIN");
}

/* Calls of lite_execute_batch. SQLite has no round trips to save: the
 * statements run at their step, as execute_batch allows. */
static int lite_batches;

static int lite_execute_batch(orm_conn *conn, orm_stmt *const *stmts, size_t n,
                              unsigned flags)
{
    (void)stmts;
    (void)n;
    lite_batches++;
    return flags & ORM_BATCH_BEGIN ? lite_begin(conn) : 0;
}

/* Calls of lite_execute_rows, which answers as a server without bulk
 * execution (a MySQL server) does: it cannot, and nothing was sent. */
static int lite_rows_calls;

static int lite_execute_rows(orm_stmt *st, const orm_value *values,
                             const unsigned char *defaults,
                             const orm_type *types, size_t nrows,
                             int64_t *matched)
{
    (void)values;
    (void)defaults;
    (void)types;
    (void)nrows;
    lite_rows_calls++;
    *matched = 0;
    return orm_conn_error(st->conn, ORM_EUNSUPPORTED,
                          "this server runs no statement for many rows");
}

static int lite_commit(orm_conn *conn)
{
    return lite_exec(conn, "COMMIT");
}

static int lite_rollback(orm_conn *conn)
{
    return lite_exec(conn, "ROLLBACK");
}

static int lite_prepare(orm_conn *conn, const char *sql, size_t nparams,
                        unsigned flags, orm_stmt **out)
{
    lite_conn *c = (lite_conn *)conn;
    lite_stmt *st = calloc(1, sizeof *st);
    (void)nparams;
    (void)flags;
    if (!st)
        return orm_conn_error(conn, ORM_ENOMEM, "out of memory");
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &st->st, NULL);
    if (rc != SQLITE_OK) {
        free(st);
        return lite_fail(conn, c->db, rc);
    }
    st->base.conn = conn;
    st->base.sql = sqlite3_sql(st->st);
    *out = &st->base;
    return 0;
}

static int lite_bind(orm_stmt *base, size_t index, const orm_value *v,
                     orm_type type)
{
    lite_stmt *st = (lite_stmt *)base;
    int i = (int)index + 1, rc;
    (void)type;
    switch (v->kind) {
    case ORM_VINT:
        rc = sqlite3_bind_int64(st->st, i, v->u.i);
        break;
    case ORM_VFLOAT:
        rc = sqlite3_bind_double(st->st, i, v->u.f);
        break;
    case ORM_VBOOL:
        rc = sqlite3_bind_int(st->st, i, v->u.b != 0);
        break;
    case ORM_VTEXT:
        rc = sqlite3_bind_text64(st->st, i, v->u.s.ptr, v->u.s.len,
                                 SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    case ORM_VBLOB:
        rc = sqlite3_bind_blob64(st->st, i, v->u.s.ptr, v->u.s.len,
                                 SQLITE_TRANSIENT);
        break;
    default:
        rc = sqlite3_bind_null(st->st, i);
    }
    sqlite3 *db = ((lite_conn *)base->conn)->db;
    return rc == SQLITE_OK ? 0 : lite_fail(base->conn, db, rc);
}

static int lite_step(orm_stmt *base)
{
    lite_stmt *st = (lite_stmt *)base;
    sqlite3 *db = ((lite_conn *)base->conn)->db;
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW)
        return ORM_ROW;
    if (rc == SQLITE_DONE) {
        st->changes = sqlite3_changes64(db);
        st->last_id = sqlite3_last_insert_rowid(db);
        return ORM_DONE;
    }
    return lite_fail(base->conn, db, rc);
}

static size_t lite_column_count(orm_stmt *base)
{
    return (size_t)sqlite3_column_count(((lite_stmt *)base)->st);
}

static int lite_column(orm_stmt *base, size_t index, orm_type type,
                       orm_value *out)
{
    sqlite3_stmt *st = ((lite_stmt *)base)->st;
    int i = (int)index;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        *out = type == ORM_BOOLEAN
                   ? orm_value_bool(sqlite3_column_int64(st, i) != 0)
                   : orm_value_int(sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        *out = orm_value_float(sqlite3_column_double(st, i));
        break;
    case SQLITE_TEXT:
        *out = orm_value_textn((const char *)sqlite3_column_text(st, i),
                               (size_t)sqlite3_column_bytes(st, i));
        break;
    case SQLITE_BLOB:
        *out = orm_value_blob(sqlite3_column_blob(st, i),
                              (size_t)sqlite3_column_bytes(st, i));
        break;
    default:
        *out = orm_value_null();
    }
    return 0;
}

static int64_t lite_rows_matched(orm_stmt *base)
{
    return ((lite_stmt *)base)->changes;
}

static int lite_last_insert_id(orm_stmt *base, int64_t *out)
{
    *out = ((lite_stmt *)base)->last_id;
    return 0;
}

static int lite_reset(orm_stmt *base)
{
    sqlite3_stmt *st = ((lite_stmt *)base)->st;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return 0;
}

static void lite_finalize(orm_stmt *base)
{
    if (!base)
        return;
    sqlite3_finalize(((lite_stmt *)base)->st);
    free(base);
}

static void lite_column_type_sql(orm_buf *out, const orm_column *col,
                                 int autoinc)
{
    (void)autoinc; /* INTEGER PRIMARY KEY is the rowid: generated */
    switch (col->type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
    case ORM_BOOLEAN:
        orm_buf_append(out, "INTEGER");
        break;
    case ORM_FLOAT:
        orm_buf_append(out, "REAL");
        break;
    case ORM_BLOB:
        orm_buf_append(out, "BLOB");
        break;
    default:
        orm_buf_append(out, "TEXT");
    }
}

/* The tables there are, as the core asks for them. */
static int lite_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    lite_conn *c = (lite_conn *)conn;
    sqlite3_stmt *st = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc = sqlite3_prepare_v2(c->db,
                                "SELECT name FROM sqlite_master WHERE type = "
                                "'table' ORDER BY name",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        char **more = realloc(names, (n + 1) * sizeof *more);
        if (!more)
            break;
        names = more;
        names[n++] = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    *out = names;
    *count = n;
    return rc == SQLITE_OK ? 0 : lite_fail(conn, c->db, rc);
}

/* Does a declared type hold `word`, in any case? */
static int type_has(const char *type, const char *word)
{
    for (size_t n = strlen(word); type && *type; type++)
        if (strncasecmp(type, word, n) == 0)
            return 1;
    return 0;
}

/* Enough reflection for the core to know whether a table exists and
 * what its columns are: names, a type from the declared one, NOT NULL
 * and the primary key. */
static int lite_reflect_table(orm_conn *conn, const char *schema,
                              const char *table, orm_model **out)
{
    lite_conn *c = (lite_conn *)conn;
    sqlite3_stmt *st = NULL;
    orm_model *m = NULL;
    size_t ncolumns = 0;
    (void)schema;
    int rc = sqlite3_prepare_v2(c->db,
                                "SELECT name, type, \"notnull\", pk FROM "
                                "pragma_table_info(?) ORDER BY cid",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return lite_fail(conn, c->db, rc);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    rc = orm_model_new(&m, table, table);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 1);
        orm_column col = {.name = (const char *)sqlite3_column_text(st, 0)};
        col.type = type_has(type, "INT")    ? ORM_INTEGER
                   : type_has(type, "REAL") ? ORM_FLOAT
                   : type_has(type, "BLOB") ? ORM_BLOB
                                            : ORM_TEXT;
        if (sqlite3_column_int(st, 2))
            col.flags |= ORM_NOT_NULL;
        if (sqlite3_column_int(st, 3))
            col.flags |= ORM_PK;
        rc = orm_model_add_column(m, &col);
        ncolumns++;
    }
    sqlite3_finalize(st);
    if (rc == 0 && ncolumns == 0)
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no table '%s'", table);
    else if (rc)
        rc = orm_conn_error(conn, rc, "out of memory");
    if (rc) {
        orm_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

static const orm_driver litefile = {
    .version = ORM_DRIVER_VERSION,
    .name = "litefile",
    .caps = ORM_CAP_LAST_INSERT_ID,
    .placeholder = ORM_PLACEHOLDER_QMARK,
    .ident_quote = '"',
    .like_op = "LIKE",
    .table_options = "",
    .rowid_column = NULL,
    .connect = lite_connect,
    .close = lite_close,
    .reconnect = NULL, /* a file is never lost */
    .ping = NULL,
    .exec = lite_exec,
    .begin = lite_begin,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .prepare = lite_prepare,
    .bind = lite_bind,
    .step = lite_step,
    .column_count = lite_column_count,
    .column = lite_column,
    .rows_matched = lite_rows_matched,
    .last_insert_id = lite_last_insert_id,
    .reset = lite_reset,
    .finalize = lite_finalize,
    .column_type_sql = lite_column_type_sql,
    .list_tables = lite_list_tables,
    .reflect_table = lite_reflect_table,
    .estimate_count = NULL, /* the core counts */
    .text_cast = "TEXT",
    .insert_defaults = " DEFAULT VALUES",
    .text_exact = {"", ""},
    .text_order = {"", ""},
    .text_fold = {"lower(", ")"},
    .estimate_counts = NULL,
    .cancel = lite_cancel,
    .execute_batch = lite_execute_batch,
};

/* ---- tests ---- */

static const orm_column note_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "title",
     .type = ORM_STRING,
     .length = 40,
     .flags = ORM_UNIQUE | ORM_NOT_NULL},
    {.name = "stars", .type = ORM_INTEGER},
};
static const orm_model Note = ORM_MODEL("Note", "notes", note_columns);

static char dir[] = "/tmp/orb-register-XXXXXX";

/* Register litefile once for the whole program (the list only grows). */
static int setup_group(void **state)
{
    orm_error err = ORM_ERROR_INIT;
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    int rc = orm_driver_register(&litefile, &err);
    if (rc)
        fprintf(stderr, "register: %s\n", orm_error_text(&err));
    orm_error_clear(&err);
    return rc;
}

static void expect_refused(const orm_driver *drv, const char *words)
{
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_driver_register(drv, &err), ORM_EINVALID);
    assert_int_equal(err.code, ORM_EINVALID);
    if (!strstr(orm_error_text(&err), words))
        fail_msg("expected '%s' in: %s", words, orm_error_text(&err));
    orm_error_clear(&err);
}

static void
test_register__wrong_version_is_refused_with_a_clear_message(void **state)
{
    (void)state;
    orm_driver old = litefile, newer = litefile;
    old.name = "litefile_old";
    old.version = 1;
    expect_refused(&old, "'litefile_old' is a version 1 driver table");
    char words[64];
    snprintf(words, sizeof words, "version %d", ORM_DRIVER_MIN_VERSION);
    expect_refused(&old, words);
    newer.name = "litefile_new";
    newer.version = ORM_DRIVER_VERSION + 1;
    snprintf(words, sizeof words, "version %d driver table",
             ORM_DRIVER_VERSION + 1);
    expect_refused(&newer, words);
    snprintf(words, sizeof words, "version %d", ORM_DRIVER_VERSION);
    expect_refused(&newer, words);
    /* Refused drivers are not known to URLs. */
    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, "litefile_old:///x.db", NULL),
                     ORM_EINVALID);
    assert_non_null(strstr(orm_db_error(db)->message, "unknown database"));
    orm_db_free(db);
}

/* A version 3 table (built before cancel was added) still registers, and
 * the core does not read past its end: orm_db_cancel says the driver
 * cannot cancel. A version 4 table's cancel is called. */
static void
test_register__version_3_table_registers_without_cancel(void **state)
{
    (void)state;
    static orm_driver v3;
    char url[300], path[256];
    orm_db *db = NULL;
    orm_error err = ORM_ERROR_INIT;
    v3 = litefile;
    v3.name = "litefile-v3";
    v3.version = 3;
    if (orm_driver_register(&v3, &err) != 0)
        fail_msg("a version 3 table is refused: %s", orm_error_text(&err));
    snprintf(path, sizeof path, "%s/v3.db", dir);
    snprintf(url, sizeof url, "litefile-v3:///%s", path);
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("open %s: %s", url, orm_error_text(orm_db_error(db)));
    lite_cancels = 0;
    assert_int_equal(orm_db_cancel(db, &err), ORM_EUNSUPPORTED);
    assert_non_null(strstr(orm_error_text(&err), "cannot cancel"));
    assert_int_equal(lite_cancels, 0);
    orm_db_free(db);

    snprintf(url, sizeof url, "litefile:///%s", path);
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(orm_db_cancel(db, &err), 0);
    assert_int_equal(lite_cancels, 1);
    orm_db_free(db);
    orm_error_clear(&err);
    unlink(path);
}

static void
test_register__taken_names_and_missing_functions_are_refused(void **state)
{
    (void)state;
    orm_driver copy = litefile;
    copy.name = "postgres"; /* a URL scheme the parser knows */
    expect_refused(&copy, "'postgres' is taken");
    copy.name = "LiteFile"; /* registered already, in any case */
    expect_refused(&copy, "'LiteFile' is taken");
    copy.name = "lite file";
    expect_refused(&copy, "letters, digits");
    copy.name = "litefile2";
    copy.step = NULL;
    expect_refused(&copy, "'litefile2' has no step function");
    copy = litefile;
    copy.name = "litefile2";
    copy.text_cast = NULL;
    expect_refused(&copy, "no text_cast");
    expect_refused(NULL, "no driver");
    /* The same table again changes nothing. */
    assert_int_equal(orm_driver_register(&litefile, NULL), 0);
}

/* A version 4 table (built before execute_batch was added) commits
 * statement by statement: the core does not read past its end. A
 * version 5 table's execute_batch runs the whole commit at once. */
static void test_register__version_4_table_commits_one_by_one(void **state)
{
    (void)state;
    static orm_driver v4;
    const char *const schemes[] = {"litefile-v4", "litefile"};
    char url[300], path[256];
    orm_error err = ORM_ERROR_INIT;
    v4 = litefile;
    v4.name = "litefile-v4";
    v4.version = 4;
    if (orm_driver_register(&v4, &err) != 0)
        fail_msg("a version 4 table is refused: %s", orm_error_text(&err));
    snprintf(path, sizeof path, "%s/v4.db", dir);
    for (int i = 0; i < 2; i++) {
        orm_db *db = NULL;
        orm_session *s = NULL;
        orm_record *rec = NULL;
        char title[40];
        snprintf(url, sizeof url, "%s:///%s", schemes[i], path);
        if (orm_db_open(&db, url, NULL) != 0)
            fail_msg("open %s: %s", url, orm_error_text(orm_db_error(db)));
        assert_int_equal(orm_db_register(db, &Note), 0);
        assert_int_equal(orm_db_create_all(db), 0);
        assert_int_equal(orm_session_new(&s, db), 0);
        snprintf(title, sizeof title, "Über %s", schemes[i]);
        assert_int_equal(orm_record_new(&rec, &Note), 0);
        assert_int_equal(orm_record_set_text(rec, "title", title, &err), 0);
        assert_int_equal(orm_session_add(s, rec), 0);
        lite_batches = 0;
        if (orm_session_commit(s) != 0)
            fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
        assert_int_equal(lite_batches, i);
        int64_t n = 0;
        int exact = 0;
        assert_int_equal(orm_db_count(db, &Note, 0, &n, &exact), 0);
        assert_int_equal(n, i + 1);
        orm_session_free(s);
        orm_db_free(db);
    }
    orm_error_clear(&err);
    unlink(path);
}

/* A version 7 table's execute_rows needs null_safe_equal. When the
 * server refuses to run a statement for many rows (nothing sent), the
 * commit shares its statements as without it, and the connection does
 * not ask again. */
static void test_register__execute_rows_refused_commits_as_before(void **state)
{
    (void)state;
    static orm_driver v7;
    orm_driver bad;
    char url[300], path[256], title[40];
    orm_db *db = NULL;
    orm_session *s = NULL;
    orm_record *recs[5];
    orm_error err = ORM_ERROR_INIT;
    v7 = litefile;
    v7.name = "litefile-rows";
    v7.execute_batch = NULL;
    v7.execute_rows = lite_execute_rows;
    v7.null_safe_equal = " IS ";
    bad = v7;
    bad.name = "litefile-rows2";
    bad.null_safe_equal = NULL;
    expect_refused(&bad, "'litefile-rows2' has execute_rows but no "
                         "null_safe_equal");
    if (orm_driver_register(&v7, &err) != 0)
        fail_msg("a version 7 table is refused: %s", orm_error_text(&err));
    snprintf(path, sizeof path, "%s/rows.db", dir);
    snprintf(url, sizeof url, "litefile-rows:///%s", path);
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("open %s: %s", url, orm_error_text(orm_db_error(db)));
    assert_int_equal(orm_db_register(db, &Note), 0);
    assert_int_equal(orm_db_create_all(db), 0);
    assert_int_equal(orm_session_new(&s, db), 0);
    for (int i = 0; i < 5; i++) {
        orm_value id = orm_value_int(i + 1);
        snprintf(title, sizeof title, "Grüße %d", i);
        assert_int_equal(orm_record_new(&recs[i], &Note), 0);
        assert_int_equal(orm_record_set(recs[i], "id", &id, &err), 0);
        assert_int_equal(orm_record_set_text(recs[i], "title", title, &err), 0);
        assert_int_equal(orm_session_add(s, recs[i]), 0);
    }
    lite_rows_calls = 0;
    if (orm_session_commit(s) != 0)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    assert_int_equal(lite_rows_calls, 1);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 5; i++) {
            snprintf(title, sizeof title, "ÄNDERUNG %d.%d", round, i);
            assert_int_equal(orm_record_set_text(recs[i], "title", title, &err),
                             0);
        }
        if (orm_session_commit(s) != 0)
            fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
        assert_int_equal(orm_session_pending_count(s), 0);
    }
    assert_int_equal(lite_rows_calls, 1);
    orm_record *got = NULL;
    orm_value want = orm_value_text("ÄNDERUNG 1.3");
    assert_int_equal(orm_session_first_by(s, &Note, "title", &want, &got),
                     ORM_ROW);
    assert_int_equal(orm_record_get(got, "id")->u.i, 4);
    orm_session_free(s);
    orm_db_free(db);
    orm_error_clear(&err);
    unlink(path);
}

static void
test_register__outside_driver_creates_inserts_and_queries(void **state)
{
    (void)state;
    char url[300], path[256];
    orm_db *db = NULL;
    orm_session *s = NULL;
    orm_record *rec = NULL, *got = NULL;
    orm_error err = ORM_ERROR_INIT;
    snprintf(path, sizeof path, "%s/notes.db", dir);
    snprintf(url, sizeof url, "litefile:///%s", path);
    if (orm_db_open(&db, url, NULL) != 0)
        fail_msg("open %s: %s", url, orm_error_text(orm_db_error(db)));
    assert_string_equal(orm_db_dialect(db), "litefile");
    int listed = 0;
    for (size_t i = 0; orm_dialect_name(i); i++)
        listed |= strcmp(orm_dialect_name(i), "litefile") == 0;
    assert_true(listed);

    assert_int_equal(orm_db_register(db, &Note), 0);
    if (orm_db_create_all(db) != 0)
        fail_msg("create_all: %s", orm_error_text(orm_db_error(db)));
    int exists = 0;
    assert_int_equal(orm_db_table_exists(db, "notes", &exists), 0);
    assert_true(exists);
    assert_int_equal(orm_session_new(&s, db), 0);
    const char *titles[] = {"Grüße aus Köln", "naïve Ünïcode 🎉"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(orm_record_new(&rec, &Note), 0);
        assert_int_equal(orm_record_set_text(rec, "title", titles[i], &err), 0);
        orm_value stars = orm_value_int(4 + i);
        assert_int_equal(orm_record_set(rec, "stars", &stars, &err), 0);
        assert_int_equal(orm_session_add(s, rec), 0);
    }
    if (orm_session_commit(s) != 0)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    int64_t id = 0;
    assert_int_equal(orm_record_get_int(rec, "id", &id), 0);
    assert_int_equal(id, 2); /* the driver's last_insert_id */

    /* A second database handle reads what the first wrote. */
    orm_db *db2 = NULL;
    orm_session *s2 = NULL;
    assert_int_equal(orm_db_open(&db2, url, NULL), 0);
    assert_int_equal(orm_db_register(db2, &Note), 0);
    assert_int_equal(orm_session_new(&s2, db2), 0);
    orm_value title = orm_value_text("naïve Ünïcode 🎉");
    assert_int_equal(orm_session_first_by(s2, &Note, "title", &title, &got),
                     ORM_ROW);
    int64_t stars = 0;
    assert_int_equal(orm_record_get_int(got, "stars", &stars), 0);
    assert_int_equal(stars, 5);
    int64_t n = 0;
    int exact = 0;
    assert_int_equal(orm_db_count(db2, &Note, 1, &n, &exact), 0);
    assert_int_equal(n, 2);
    assert_true(exact); /* no estimate_count: counted */

    /* The driver's errors come through as the core's: a taken title. */
    assert_int_equal(orm_record_new(&rec, &Note), 0);
    assert_int_equal(orm_record_set_text(rec, "title", "Grüße aus Köln", &err),
                     0);
    assert_int_equal(orm_session_add(s2, rec), 0);
    assert_int_equal(orm_session_commit(s2), ORM_EUNIQUE);
    assert_int_equal(orm_session_pending_count(s2), 1);

    orm_session_free(s2);
    orm_db_free(db2);
    orm_session_free(s);
    orm_db_free(db);
    orm_error_clear(&err);
    unlink(path);
}

static int teardown_group(void **state)
{
    (void)state;
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_register__wrong_version_is_refused_with_a_clear_message),
        cmocka_unit_test(
            test_register__taken_names_and_missing_functions_are_refused),
        cmocka_unit_test(
            test_register__version_3_table_registers_without_cancel),
        cmocka_unit_test(test_register__version_4_table_commits_one_by_one),
        cmocka_unit_test(test_register__execute_rows_refused_commits_as_before),
        cmocka_unit_test(
            test_register__outside_driver_creates_inserts_and_queries),
    };
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
