/*
 * Fault injection: a driver that wraps SQLite and fails its Nth call
 * (prepare, bind, step, begin, commit), the way SQLite's test_vfs fails
 * the Nth I/O. For every N that lands inside a commit, the commit must
 * fail cleanly: the database unchanged, every pending change kept with the
 * caller's values, and a second commit without faults must succeed.
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

#include "orm/orm.h"
#include "internal.h"

static const orm_column account_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle",
     .type = ORM_STRING,
     .length = 50,
     .flags = ORM_UNIQUE | ORM_NOT_NULL},
    {.name = "note", .type = ORM_TEXT},
};
static const orm_model Account =
    ORM_MODEL("Account", "accounts", account_columns);

/* ---- the faulty driver ---- */

static long calls;   /* counted calls so far */
static long fail_at; /* fail this call (1-based); 0 = never */
static int fail_code = ORM_EIO;
static orm_driver faulty;

static int fault_now(orm_conn *conn)
{
    if (fail_at && ++calls == fail_at)
        return orm_conn_error(conn, fail_code, "injected fault at call %ld",
                              calls);
    return 0;
}

static int faulty_prepare(orm_conn *conn, const char *sql, size_t n,
                          unsigned flags, orm_stmt **out)
{
    int rc = fault_now(conn);
    return rc ? rc : orm_driver_sqlite.prepare(conn, sql, n, flags, out);
}

static int faulty_bind(orm_stmt *st, size_t i, const orm_value *v, orm_type t)
{
    int rc = fault_now(st->conn);
    return rc ? rc : orm_driver_sqlite.bind(st, i, v, t);
}

static int faulty_step(orm_stmt *st)
{
    int rc = fault_now(st->conn);
    return rc ? rc : orm_driver_sqlite.step(st);
}

static int faulty_begin(orm_conn *conn)
{
    int rc = fault_now(conn);
    return rc ? rc : orm_driver_sqlite.begin(conn);
}

static int faulty_commit(orm_conn *conn)
{
    int rc = fault_now(conn);
    return rc ? rc : orm_driver_sqlite.commit(conn);
}

static char path[256];
static char url[300];

static orm_db *open_plain(void)
{
    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(orm_db_register(db, &Account), 0);
    return db;
}

/* Rows as "id:handle:note;" in id order. */
static char *dump(void)
{
    orm_db *db = open_plain();
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row;
    orm_buf b = ORM_BUF_INIT;
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_query_new(&q, s, &Account), 0);
    assert_int_equal(orm_query_cursor(q, &c), 0);
    while (orm_cursor_next(c, &row) == ORM_ROW)
        orm_buf_appendf(&b, "%lld:%s:%s;", (long long)row[0].u.i,
                        row[1].u.s.ptr,
                        row[2].kind == ORM_VNULL ? "NULL" : row[2].u.s.ptr);
    orm_cursor_free(c);
    orm_query_free(q);
    orm_session_free(s);
    orm_db_free(db);
    return orm_buf_finish(&b);
}

static void reset_database(void)
{
    orm_db *db = open_plain();
    orm_session *s = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_db_drop_all(db), 0);
    assert_int_equal(orm_db_create_all(db), 0);
    assert_int_equal(orm_session_new(&s, db), 0);
    const char *handles[] = {"keep", "change", "remove"};
    for (int i = 0; i < 3; i++) {
        orm_record *rec = NULL;
        assert_int_equal(orm_record_new(&rec, &Account), 0);
        assert_int_equal(orm_record_set_text(rec, "handle", handles[i], &err),
                         0);
        assert_int_equal(orm_session_add(s, rec), 0);
    }
    assert_int_equal(orm_session_commit(s), 0);
    orm_session_free(s);
    orm_db_free(db);
}

/* Make the same pending work every time: 2 inserts, 1 update, 1 delete. */
static void make_pending(orm_session *s, orm_record **added)
{
    orm_error err = ORM_ERROR_INIT;
    orm_record *rec = NULL;
    for (int i = 0; i < 2; i++) {
        char handle[16];
        snprintf(handle, sizeof handle, "new%d", i);
        assert_int_equal(orm_record_new(&added[i], &Account), 0);
        assert_int_equal(orm_record_set_text(added[i], "handle", handle, &err),
                         0);
        assert_int_equal(orm_session_add(s, added[i]), 0);
    }
    orm_value key = orm_value_int(2);
    assert_int_equal(orm_session_get(s, &Account, &key, &rec), ORM_ROW);
    assert_int_equal(orm_record_set_text(rec, "note", "edited", &err), 0);
    key = orm_value_int(3);
    assert_int_equal(orm_session_get(s, &Account, &key, &rec), ORM_ROW);
    assert_int_equal(orm_session_delete(s, rec), 0);
}

static void run_faults(int code)
{
    const char *expect_after =
        "1:keep:NULL;2:change:edited;4:new0:NULL;5:new1:NULL;";
    int failures = 0;
    fail_code = code;
    for (long n = 1;; n++) {
        reset_database();
        char *before = dump();
        orm_db *db = open_plain();
        orm_session *s = NULL;
        orm_record *added[2];
        db->driver = &faulty;
        assert_int_equal(orm_session_new(&s, db), 0);
        make_pending(s, added);
        calls = 0;
        fail_at = n;
        int rc = orm_session_commit(s);
        fail_at = 0;
        if (rc == 0) {
            /* n went past the last call: the commit had no fault. */
            char *after = dump();
            assert_string_equal(after, expect_after);
            free(after);
            free(before);
            orm_session_free(s);
            orm_db_free(db);
            break;
        }
        failures++;
        assert_int_equal(rc, code);
        char *now = dump();
        if (strcmp(now, before) != 0)
            fail_msg("fault at call %ld: database changed:\n %s\n %s", n,
                     before, now);
        free(now);
        assert_int_equal(orm_session_pending_count(s), 4);
        assert_int_equal(orm_record_get(added[0], "id")->kind, ORM_VNULL);
        assert_string_equal(orm_record_get(added[1], "handle")->u.s.ptr,
                            "new1");
        assert_int_equal(orm_session_error(s)->code, code);
        /* Without the fault the same session commits everything. */
        if (orm_session_commit(s) != 0)
            fail_msg("retry after fault %ld: %s", n,
                     orm_error_text(orm_session_error(s)));
        char *after = dump();
        assert_string_equal(after, expect_after);
        free(after);
        free(before);
        orm_session_free(s);
        orm_db_free(db);
    }
    assert_true(failures >= 8);
}

static void test_fault__io_error_at_every_call_keeps_everything(void **state)
{
    (void)state;
    run_faults(ORM_EIO);
}

static void test_fault__lost_connection_at_every_call_reconnects(void **state)
{
    (void)state;
    run_faults(ORM_ECONNLOST);
}

/* A load that fails part way (at every call it makes) keeps the rows it
 * read as session records the identity map knows: a later load and gets
 * return those same records, one per key. */
static void
test_fault__load_failing_midway_keeps_one_record_per_key(void **state)
{
    (void)state;
    reset_database();
    int failures = 0;
    for (long n = 1;; n++) {
        orm_db *db = open_plain();
        orm_session *s = NULL;
        orm_query *q = NULL;
        orm_record **rows = NULL;
        size_t count = 0;
        db->driver = &faulty;
        fail_code = ORM_EIO;
        assert_int_equal(orm_session_new(&s, db), 0);
        assert_int_equal(orm_query_new(&q, s, &Account), 0);
        calls = 0;
        fail_at = n;
        int rc = orm_query_all(q, &rows, &count);
        fail_at = 0;
        orm_query_free(q);
        if (rc == 0) {
            assert_int_equal(count, 3);
            free(rows);
            orm_session_free(s);
            orm_db_free(db);
            break;
        }
        failures++;
        assert_int_equal(rc, ORM_EIO);
        assert_null(rows);
        assert_int_equal(orm_query_new(&q, s, &Account), 0);
        assert_int_equal(orm_query_all(q, &rows, &count), 0);
        orm_query_free(q);
        assert_int_equal(count, 3);
        for (size_t i = 0; i < count; i++) {
            orm_record *got = NULL;
            orm_value key = orm_value_int((int64_t)i + 1);
            assert_int_equal(orm_session_get(s, &Account, &key, &got), ORM_ROW);
            assert_ptr_equal(got, rows[i]);
        }
        free(rows);
        orm_session_free(s);
        orm_db_free(db);
    }
    assert_true(failures >= 3); /* prepare, bind, and a step per row */
}

/* A cursor that fails while stepping says why on the cursor, on its
 * query and on its session alike; orm_last_error reads each. */
static void
test_fault__cursor_failure_is_on_cursor_query_and_session(void **state)
{
    (void)state;
    reset_database();
    orm_db *db = open_plain();
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row = NULL;
    db->driver = &faulty;
    fail_code = ORM_EIO;
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_query_new(&q, s, &Account), 0);
    assert_int_equal(orm_query_cursor(q, &c), 0);
    assert_int_equal(orm_cursor_next(c, &row), ORM_ROW);
    calls = 0;
    fail_at = 1; /* the next step */
    assert_int_equal(orm_cursor_next(c, &row), ORM_EIO);
    fail_at = 0;
    const orm_error *errs[] = {orm_last_error(c), orm_cursor_error(c),
                               orm_last_error(q), orm_last_error(s)};
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        assert_int_equal(errs[i]->code, ORM_EIO);
        assert_non_null(strstr(orm_error_text(errs[i]), "injected fault"));
    }
    orm_cursor_free(c);
    orm_query_free(q);
    orm_session_free(s);
    orm_db_free(db);
}

int main(void)
{
    char dir[] = "/tmp/orb-fault-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/fault.db", dir);
    snprintf(url, sizeof url, "sqlite:///%s", path);
    faulty = orm_driver_sqlite;
    faulty.prepare = faulty_prepare;
    faulty.bind = faulty_bind;
    faulty.step = faulty_step;
    faulty.begin = faulty_begin;
    faulty.commit = faulty_commit;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault__io_error_at_every_call_keeps_everything),
        cmocka_unit_test(test_fault__lost_connection_at_every_call_reconnects),
        cmocka_unit_test(
            test_fault__load_failing_midway_keeps_one_record_per_key),
        cmocka_unit_test(
            test_fault__cursor_failure_is_on_cursor_query_and_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
