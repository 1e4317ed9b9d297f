/*
 * The conformance suite: one set of behaviours, run unchanged against
 * SQLite, PostgreSQL and MariaDB (`test_conformance sqlite|postgresql|
 * mysql`). The network dialects take their URLs from ORB_TEST_PG_URL and
 * ORB_TEST_MYSQL_URL (scripts/with-servers.sh sets them); without them the
 * run fails rather than skipping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helper_locale.h"
#include "helper_servers.h"
#include "helper_trips.h"
#include "internal.h"
#include "orm/orm.h"

static const char *dialect;
static char url[4096];

/* ---- models ---- */

static const orm_column account_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle",
     .type = ORM_STRING,
     .length = 50,
     .flags = ORM_UNIQUE | ORM_NOT_NULL},
    {.name = "secret_key",
     .type = ORM_STRING,
     .length = 128,
     .flags = ORM_SECRET,
     .default_gen = "token_hex(16)"},
    {.name = "note", .type = ORM_TEXT},
    {.name = "score", .type = ORM_INTEGER},
};
static const orm_model Account =
    ORM_MODEL("Account", "conf_accounts", account_columns);

static const orm_column post_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "account_id",
     .type = ORM_INTEGER,
     .flags = ORM_NOT_NULL | ORM_INDEX,
     .ref_table = "conf_accounts",
     .ref_column = "id"},
    {.name = "title", .type = ORM_STRING, .length = 200},
};
static const orm_model Post = ORM_MODEL("Post", "conf_posts", post_columns);

static const orm_column pair_columns[] = {
    {.name = "region", .type = ORM_STRING, .length = 20, .flags = ORM_PK},
    {.name = "code", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "label", .type = ORM_STRING, .length = 100},
};
static const orm_model Pair = ORM_MODEL("Pair", "conf_pairs", pair_columns);

static const char *const child_cols[] = {"pair_region", "pair_code"};
static const char *const child_refs[] = {"region", "code"};
static const orm_foreign_key child_fks[] = {
    {NULL, 2, child_cols, "conf_pairs", child_refs}};
/* The same key without naming the referenced columns: the primary key. */
static const orm_foreign_key child2_fks[] = {
    {NULL, 2, child_cols, "conf_pairs", NULL}};
static const orm_column child_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "pair_region", .type = ORM_STRING, .length = 20},
    {.name = "pair_code", .type = ORM_INTEGER},
};
static const orm_model Child = {.name = "Child",
                                .table = "conf_children",
                                .columns = child_columns,
                                .ncolumns = 3,
                                .foreign_keys = child_fks,
                                .nforeign_keys = 1};

static const orm_model Child2 = {.name = "Child2",
                                 .table = "conf_children2",
                                 .columns = child_columns,
                                 .ncolumns = 3,
                                 .foreign_keys = child2_fks,
                                 .nforeign_keys = 1};

static const orm_column typed_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "flag", .type = ORM_BOOLEAN},
    {.name = "big", .type = ORM_BIGINT},
    {.name = "ratio", .type = ORM_FLOAT},
    {.name = "price", .type = ORM_NUMERIC, .precision = 10, .scale = 2},
    {.name = "exact", .type = ORM_NUMERIC, .precision = 30, .scale = 10},
    {.name = "day", .type = ORM_DATE},
    {.name = "at", .type = ORM_DATETIME},
    {.name = "at_tz", .type = ORM_DATETIMETZ},
    {.name = "clock", .type = ORM_TIME},
    {.name = "doc", .type = ORM_JSON},
    {.name = "uid", .type = ORM_UUID},
    {.name = "data", .type = ORM_BLOB},
    {.name = "body", .type = ORM_TEXT},
};
static const orm_model Typed = ORM_MODEL("Typed", "conf_typed", typed_columns);

/* Odd identifiers: quoting must hold. */
static const orm_column odd_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "odd name", .type = ORM_STRING, .length = 40},
    {.name = "we\"ird`col", .type = ORM_STRING, .length = 40},
    {.name = "select", .type = ORM_INTEGER},
};
static const orm_model Odd = ORM_MODEL("Odd", "conf odd\"table", odd_columns);

/* The same table as Account, but this model does not know that handle is
 * NOT NULL: the database must be the one to refuse. */
static const orm_column loose_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle", .type = ORM_STRING, .length = 50},
    {.name = "secret_key", .type = ORM_STRING, .length = 128},
    {.name = "note", .type = ORM_TEXT},
    {.name = "score", .type = ORM_INTEGER},
};
static const orm_model Loose =
    ORM_MODEL("Loose", "conf_accounts", loose_columns);

static const orm_model *const all_models[] = {&Account, &Post,  &Pair, &Child,
                                              &Child2,  &Typed, &Odd};

/* ---- helpers ---- */

typedef struct fixture {
    orm_db *db;
    orm_session *s;
} fixture;

static orm_db *open_db(void)
{
    orm_db *db = NULL;
    int rc = orm_db_open(&db, url, NULL);
    if (rc)
        fail_msg("cannot open %s database: %s", dialect,
                 db ? orm_error_text(orm_db_error(db)) : "?");
    for (size_t i = 0; i < sizeof all_models / sizeof all_models[0]; i++)
        assert_int_equal(orm_db_register(db, all_models[i]), 0);
    return db;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->db = open_db();
    int rc = orm_db_drop_all(f->db);
    if (rc)
        fail_msg("drop_all: %s", orm_error_text(orm_db_error(f->db)));
    rc = orm_db_create_all(f->db);
    if (rc)
        fail_msg("create_all: %s", orm_error_text(orm_db_error(f->db)));
    assert_int_equal(orm_session_new(&f->s, f->db), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    orm_session_free(f->s);
    orm_db_free(f->db);
    free(f);
    return 0;
}

#define CHECK(s, call)                                                         \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ < 0)                                                           \
            fail_msg("%s failed (%s): %s", #call, orm_error_name(rc_),         \
                     orm_error_text(orm_session_error(s)));                    \
    } while (0)

static orm_record *add_account(fixture *f, const char *handle, const char *note,
                               int score)
{
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_new(&rec, &Account), 0);
    if (handle)
        assert_int_equal(orm_record_set_text(rec, "handle", handle, &err), 0);
    if (note) {
        orm_value v = orm_value_text(note);
        assert_int_equal(orm_record_set(rec, "note", &v, &err), 0);
    }
    if (score >= 0) {
        orm_value v = orm_value_int(score);
        assert_int_equal(orm_record_set(rec, "score", &v, &err), 0);
    }
    CHECK(f->s, orm_session_add(f->s, rec));
    orm_error_clear(&err);
    return rec;
}

static int64_t id_of(const orm_record *rec)
{
    const orm_value *v = orm_record_get(rec, "id");
    assert_non_null(v);
    assert_int_equal(v->kind, ORM_VINT);
    return v->u.i;
}

static const char *text_of(const orm_record *rec, const char *col)
{
    const orm_value *v = orm_record_get(rec, col);
    assert_non_null(v);
    if (v->kind == ORM_VNULL)
        return NULL;
    assert_int_equal(v->kind, ORM_VTEXT);
    return v->u.s.ptr;
}

/* Handles matching a filter, sorted by id, joined with spaces. */
static char *handles_where(fixture *f, const char *where)
{
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    orm_buf b = ORM_BUF_INIT;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    if (where && orm_query_where(q, where) != 0)
        fail_msg("where %s: %s", where, orm_error_text(orm_query_error(q)));
    assert_int_equal(orm_query_order_by(q, "id", 0), 0);
    if (orm_query_all(q, &rows, &n) != 0)
        fail_msg("query %s: %s", where ? where : "",
                 orm_error_text(orm_query_error(q)));
    for (size_t i = 0; i < n; i++) {
        if (i)
            orm_buf_appendc(&b, ' ');
        orm_buf_append(&b, text_of(rows[i], "handle"));
    }
    free(rows);
    orm_query_free(q);
    return orm_buf_finish(&b);
}

static void assert_handles(fixture *f, const char *where, const char *want)
{
    char *got = handles_where(f, where);
    if (strcmp(got, want) != 0)
        fail_msg("[%s] where %s:\n  got  '%s'\n  want '%s'", dialect,
                 where ? where : "(none)", got, want);
    free(got);
}

static int64_t count_where(fixture *f, const orm_model *m, const char *where)
{
    orm_query *q = NULL;
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, f->s, m), 0);
    if (where)
        assert_int_equal(orm_query_where(q, where), 0);
    if (orm_query_count(q, &n))
        fail_msg("count: %s", orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    return n;
}

/* ---- the seed's flow ---- */

static void test_seed_flow(void **state)
{
    fixture *f = *state;
    orm_record *jdoe = add_account(f, "jdoe", NULL, -1);
    CHECK(f->s, orm_session_commit(f->s));
    int64_t id = id_of(jdoe);
    assert_true(id > 0);
    /* The generated secret: token_hex(16) is 32 hex characters. */
    assert_int_equal(strlen(text_of(jdoe, "secret_key")), 32);

    orm_session *s2 = NULL;
    orm_record *got = NULL;
    orm_value key = orm_value_int(id);
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_session_get(s2, &Account, &key, &got), ORM_ROW);
    assert_string_equal(text_of(got, "handle"), "jdoe");

    orm_query *q = NULL;
    orm_value h = orm_value_text("jdoe");
    assert_int_equal(orm_query_new(&q, s2, &Account), 0);
    assert_int_equal(orm_query_filter_by(q, "handle", &h), 0);
    assert_int_equal(orm_query_first(q, &got), ORM_ROW);
    assert_int_equal(id_of(got), id);
    orm_query_free(q);

    add_account(f, "alice", NULL, -1);
    add_account(f, "bob", NULL, -1);
    add_account(f, "admin", NULL, -1);
    CHECK(f->s, orm_session_commit(f->s));
    assert_handles(f, "handle like '%doe%'", "jdoe");
    assert_handles(f, "handle = 'alice' or handle = 'bob'", "alice bob");
    assert_handles(f, "handle != 'admin' and id > 1", "alice bob");

    /* Update through the session, commit, read back elsewhere. */
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(jdoe, "handle", "jane_doe", &err), 0);
    assert_int_equal(orm_session_pending_count(f->s), 1);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(orm_session_refresh(s2, got), 0);
    assert_string_equal(text_of(got, "handle"), "jane_doe");

    CHECK(f->s, orm_session_delete(f->s, jdoe));
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, "handle = 'jane_doe'"), 0);
    orm_session_free(s2);
    orm_error_clear(&err);
}

/* ---- operators ---- */

static void seed_operator_rows(fixture *f)
{
    add_account(f, "alice", "likes 100% cotton", 10);
    add_account(f, "Bob", "", 20);
    add_account(f, "carol_x", NULL, 30);
    add_account(f, "dave", "under_score", -1);
    add_account(f, "日本語ユーザー", "こんにちは 🎉", 50);
    add_account(f, "emoji🎉fan", "party 🎉 time", 60);
    CHECK(f->s, orm_session_commit(f->s));
}

static void test_every_operator(void **state)
{
    fixture *f = *state;
    seed_operator_rows(f);
    assert_handles(f, "score = 20", "Bob");
    assert_handles(f, "score != 20", "alice carol_x 日本語ユーザー emoji🎉fan");
    assert_handles(f, "score < 30", "alice Bob");
    assert_handles(f, "score <= 30", "alice Bob carol_x");
    assert_handles(f, "score > 30", "日本語ユーザー emoji🎉fan");
    assert_handles(f, "score >= 50", "日本語ユーザー emoji🎉fan");
    assert_handles(f, "score between 20 and 50", "Bob carol_x 日本語ユーザー");
    assert_handles(f, "score in (10, 30, 99)", "alice carol_x");
    assert_handles(f, "not (score in (10, 30))",
                   "Bob 日本語ユーザー emoji🎉fan");
    assert_handles(f, "score is null", "dave");
    assert_handles(f, "score is not null and score < 15", "alice");
    /* like is case-sensitive everywhere; ilike is not. */
    assert_handles(f, "handle like 'b%'", "");
    assert_handles(f, "handle like 'B%'", "Bob");
    assert_handles(f, "handle ilike 'b%'", "Bob");
    assert_handles(f, "handle like '_ave'", "dave");
    /* contains/startswith/endswith match % and _ literally. */
    assert_handles(f, "note contains '100%'", "alice");
    assert_handles(f, "note contains '_'", "dave");
    assert_handles(f, "handle contains '_'", "carol_x");
    assert_handles(f, "handle startswith 'car'", "carol_x");
    assert_handles(f, "handle endswith 'fan'", "emoji🎉fan");
    assert_handles(f, "handle icontains 'BOB'", "Bob");
    assert_handles(f, "handle contains 'BOB'", "");
    assert_handles(f, "handle istartswith 'ALI'", "alice");
    assert_handles(f, "handle iendswith 'X'", "carol_x");
    assert_handles(f, "note contains '🎉'", "日本語ユーザー emoji🎉fan");
    assert_handles(f, "handle contains '本語'", "日本語ユーザー");
    assert_handles(f, "(score < 15 or score > 55) and not (handle = 'alice')",
                   "emoji🎉fan");
}

/* The i-operators fold non-ASCII case alike on every dialect ("Ärger"
 * and "ärger" match each other; accents stay: "Arger" does not), the
 * exact ones keep it (what the filter builder's case toggle switches
 * between). */
static void test_ignoring_case_folds_non_ascii(void **state)
{
    fixture *f = *state;
    add_account(f, "Ärger", NULL, 1);
    add_account(f, "ärgerlich", NULL, 2);
    add_account(f, "großÄRGER", NULL, 3);
    add_account(f, "Arger", NULL, 4);
    CHECK(f->s, orm_session_commit(f->s));
    assert_handles(f, "handle icontains 'äRGER'", "Ärger ärgerlich großÄRGER");
    assert_handles(f, "handle contains 'ärger'", "ärgerlich");
    assert_handles(f, "handle istartswith 'ÄR'", "Ärger ärgerlich");
    assert_handles(f, "handle startswith 'Är'", "Ärger");
    assert_handles(f, "handle iendswith 'Ärger'", "Ärger großÄRGER");
    assert_handles(f, "handle endswith 'ÄRGER'", "großÄRGER");
    assert_handles(f, "handle ilike 'ä%'", "Ärger ärgerlich");
    assert_handles(f, "not (handle icontains 'ÄRGER')", "Arger");
}

static void test_null_is_not_empty(void **state)
{
    fixture *f = *state;
    seed_operator_rows(f);
    assert_handles(f, "note is null", "carol_x");
    assert_handles(f, "note = ''", "Bob");
    assert_handles(f, "note is not null and note != ''",
                   "alice dave 日本語ユーザー emoji🎉fan");
    orm_value key = orm_value_int(2);
    orm_record *bob = NULL;
    orm_session *s2 = NULL;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_session_get(s2, &Account, &key, &bob), ORM_ROW);
    assert_int_equal(orm_record_get(bob, "note")->kind, ORM_VTEXT);
    assert_int_equal(orm_record_get(bob, "note")->u.s.len, 0);
    orm_session_free(s2);
}

static void test_injection_is_literal(void **state)
{
    fixture *f = *state;
    const char *evil[] = {"'; DROP TABLE conf_accounts; --", "a'b\"c",
                          "back\\slash\\", "100%_match", "`tick`"};
    for (size_t i = 0; i < 5; i++)
        add_account(f, evil[i], evil[i], (int)i);
    CHECK(f->s, orm_session_commit(f->s));
    for (size_t i = 0; i < 5; i++) {
        orm_query *q = NULL;
        orm_record *got = NULL;
        orm_value v = orm_value_text(evil[i]);
        assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
        assert_int_equal(orm_query_filter_by(q, "note", &v), 0);
        assert_int_equal(orm_query_one(q, &got), ORM_ROW);
        assert_string_equal(text_of(got, "handle"), evil[i]);
        orm_query_free(q);
        q = NULL;
        assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
        assert_int_equal(orm_query_filter(q, orm_contains(orm_col("handle"),
                                                          orm_str(evil[i]))),
                         0);
        assert_int_equal(orm_query_one(q, &got), ORM_ROW);
        orm_query_free(q);
    }
    assert_int_equal(count_where(f, &Account, NULL), 5);
    /* A column name that is not in the model is refused, never pasted. */
    orm_query *q = NULL;
    int64_t n;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    orm_query_filter(q, orm_eq(orm_col("id = 1 OR 1"), orm_int(1)));
    assert_true(orm_query_count(q, &n) < 0);
    orm_query_free(q);
}

static void test_odd_identifiers_are_quoted(void **state)
{
    fixture *f = *state;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_new(&rec, &Odd), 0);
    assert_int_equal(orm_record_set_text(rec, "odd name", "x y", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "we\"ird`col", "q", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "select", "7", &err), 0);
    CHECK(f->s, orm_session_add(f->s, rec));
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Odd, "\"odd name\" = 'x y'"), 1);
    assert_int_equal(count_where(f, &Odd, "\"select\" = 7"), 1);
    assert_int_equal(orm_record_set_text(rec, "we\"ird`col", "r", &err), 0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Odd, "\"we\"\"ird`col\" = 'r'"), 1);
    orm_error_clear(&err);
}

/* ---- values ---- */

static void test_types_round_trip(void **state)
{
    fixture *f = *state;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    static const struct {
        const char *col, *in, *out;
    } cases[] = {
        {"flag", "true", "true"},
        {"big", "9007199254740993", "9007199254740993"},
        {"ratio", "0.1", "0.1"},
        {"price", "12.5", "12.50"},
        {"exact", "12345678901234567890.0123456789",
         "12345678901234567890.0123456789"},
        {"day", "2024-02-29", "2024-02-29"},
        {"at", "2024-01-31T10:20:30.5", "2024-01-31 10:20:30.5"},
        {"at_tz", "2024-01-31 12:00:00+00:00", "2024-01-31 12:00:00+00:00"},
        {"clock", "23:59:58", "23:59:58"},
        {"doc", "{\"b\": [1, 2], \"a\": null}", "{\"b\": [1, 2], \"a\": null}"},
        {"uid", "123E4567-E89B-12D3-A456-426614174000",
         "123e4567-e89b-12d3-a456-426614174000"},
        {"body", "line1\nline2\ttab 日本 🎉", "line1\nline2\ttab 日本 🎉"},
    };
    size_t ncases = sizeof cases / sizeof cases[0];
    assert_int_equal(orm_record_new(&rec, &Typed), 0);
    for (size_t i = 0; i < ncases; i++)
        if (orm_record_set_text(rec, cases[i].col, cases[i].in, &err))
            fail_msg("%s: %s", cases[i].col, orm_error_text(&err));
    /* 1 MB of bytes including NULs. */
    size_t blob_len = 1 << 20;
    unsigned char *blob = malloc(blob_len);
    for (size_t i = 0; i < blob_len; i++)
        blob[i] = (unsigned char)((i * 7) & 0xff);
    orm_value b = orm_value_blob(blob, blob_len);
    assert_int_equal(orm_record_set(rec, "data", &b, &err), 0);
    CHECK(f->s, orm_session_add(f->s, rec));
    CHECK(f->s, orm_session_commit(f->s));

    orm_session *s2 = NULL;
    orm_record *got = NULL;
    orm_value key = orm_value_int(id_of(rec));
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_session_get(s2, &Typed, &key, &got), ORM_ROW);
    for (size_t i = 0; i < ncases; i++) {
        const orm_column *c = orm_model_column(&Typed, cases[i].col);
        char *text = orm_value_format(orm_record_get(got, cases[i].col), c);
        if (!text || strcmp(text, cases[i].out) != 0)
            fail_msg("[%s] %s: got '%s', want '%s'", dialect, cases[i].col,
                     text ? text : "NULL", cases[i].out);
        free(text);
    }
    const orm_value *data = orm_record_get(got, "data");
    assert_int_equal(data->kind, ORM_VBLOB);
    assert_int_equal(data->u.s.len, blob_len);
    assert_memory_equal(data->u.s.ptr, blob, blob_len);
    assert_int_equal(orm_record_get(got, "flag")->kind, ORM_VBOOL);
    /* Typed comparisons in filters. */
    orm_query *q = NULL;
    assert_int_equal(orm_query_new(&q, s2, &Typed), 0);
    assert_int_equal(orm_query_where(q, "day > '2024-01-01' and price < 13 "
                                        "and flag = true"),
                     0);
    int64_t n = 0;
    assert_int_equal(orm_query_count(q, &n), 0);
    assert_int_equal(n, 1);
    orm_query_free(q);
    free(blob);
    orm_session_free(s2);
    orm_error_clear(&err);
}

/* Shared UPDATE and DELETE statements guard with every type, NULLs among
 * them; one row changed by someone else makes the batch a conflict that
 * names that row. */
static void test_batched_changes_guard_every_type(void **state)
{
    fixture *f = *state;
    enum { N = 40 };
    static const char *const cols[] = {"flag",  "big", "ratio", "price",
                                       "exact", "day", "at",    "at_tz",
                                       "clock", "doc", "uid",   "body"};
    static const char *const vals[] = {"true",
                                       "9007199254740993",
                                       "0.1",
                                       "12.5",
                                       "12345678901234567890.0123456789",
                                       "2024-02-29",
                                       "2024-01-31T10:20:30.5",
                                       "2024-01-31 12:00:00+00:00",
                                       "23:59:58",
                                       "{\"b\": [1, 2], \"a\": null}",
                                       "123E4567-E89B-12D3-A456-426614174000",
                                       "日本 🎉"};
    orm_record *recs[N];
    orm_error err = ORM_ERROR_INIT;
    for (int r = 0; r < N; r++) {
        assert_int_equal(orm_record_new(&recs[r], &Typed), 0);
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
            if ((r + (int)c) % 3 && /* every column NULL in some rows */
                orm_record_set_text(recs[r], cols[c], vals[c], &err))
                fail_msg("%s: %s", cols[c], orm_error_text(&err));
        CHECK(f->s, orm_session_add(f->s, recs[r]));
    }
    CHECK(f->s, orm_session_commit(f->s));
    /* Reload them all, as a program would, and change one column. */
    orm_session_free(f->s);
    assert_int_equal(orm_session_new(&f->s, f->db), 0);
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_new(&q, f->s, &Typed), 0);
    assert_int_equal(orm_query_order_by(q, "id", 0), 0);
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    orm_query_free(q);
    assert_int_equal(n, N);
    for (size_t r = 0; r < n; r++)
        assert_int_equal(orm_record_set_text(rows[r], "body", "changed", &err),
                         0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Typed, "body = 'changed'"), N);
    /* Someone else edits the document of row 7: deleting all is a
     * conflict on that row, and nothing is deleted. */
    orm_db *other_db = open_db();
    orm_session *other = NULL;
    orm_record *theirs = NULL;
    orm_value key = orm_value_int(id_of(rows[7]));
    assert_int_equal(orm_session_new(&other, other_db), 0);
    assert_int_equal(orm_session_get(other, &Typed, &key, &theirs), ORM_ROW);
    assert_int_equal(orm_record_set_text(theirs, "doc", "[3]", &err), 0);
    CHECK(other, orm_session_commit(other));
    for (size_t r = 0; r < n; r++)
        CHECK(f->s, orm_session_delete(f->s, rows[r]));
    assert_int_equal(orm_session_commit(f->s), ORM_ECONFLICT);
    assert_ptr_equal(orm_session_failed_record(f->s), rows[7]);
    assert_int_equal(count_where(f, &Typed, NULL), N);
    assert_int_equal(orm_session_rebase(f->s, rows[7]), 0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Typed, NULL), 0);
    free(rows);
    orm_session_free(other);
    orm_db_free(other_db);
    orm_error_clear(&err);
}

/* ---- keys ---- */

static void test_composite_keys(void **state)
{
    fixture *f = *state;
    orm_error err = ORM_ERROR_INIT;
    const char *regions[] = {"eu", "us"};
    for (int r = 0; r < 2; r++)
        for (int c = 1; c <= 3; c++) {
            orm_record *rec = NULL;
            char label[32];
            snprintf(label, sizeof label, "%s-%d", regions[r], c);
            assert_int_equal(orm_record_new(&rec, &Pair), 0);
            assert_int_equal(
                orm_record_set_text(rec, "region", regions[r], &err), 0);
            orm_value code = orm_value_int(c);
            assert_int_equal(orm_record_set(rec, "code", &code, &err), 0);
            assert_int_equal(orm_record_set_text(rec, "label", label, &err), 0);
            CHECK(f->s, orm_session_add(f->s, rec));
        }
    CHECK(f->s, orm_session_commit(f->s));
    orm_session *s2 = NULL;
    orm_record *got = NULL;
    orm_value key[2] = {orm_value_text("us"), orm_value_int(2)};
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_session_get(s2, &Pair, key, &got), ORM_ROW);
    assert_string_equal(text_of(got, "label"), "us-2");
    assert_int_equal(orm_record_set_text(got, "label", "changed", &err), 0);
    CHECK(s2, orm_session_commit(s2));
    assert_int_equal(count_where(f, &Pair, "label = 'changed'"), 1);
    assert_int_equal(count_where(f, &Pair, "label = 'eu-2'"), 1);
    /* Composite foreign key. */
    orm_record *child = NULL;
    assert_int_equal(orm_record_new(&child, &Child), 0);
    assert_int_equal(orm_record_set_text(child, "pair_region", "eu", &err), 0);
    assert_int_equal(orm_record_set_text(child, "pair_code", "9", &err), 0);
    CHECK(s2, orm_session_add(s2, child));
    assert_int_equal(orm_session_commit(s2), ORM_EFOREIGNKEY);
    assert_int_equal(orm_record_set_text(child, "pair_code", "3", &err), 0);
    CHECK(s2, orm_session_commit(s2));
    CHECK(s2, orm_session_delete(s2, got));
    CHECK(s2, orm_session_commit(s2));
    assert_int_equal(count_where(f, &Pair, NULL), 5);
    orm_session_free(s2);
    orm_error_clear(&err);
}

/* ---- constraint violations and retry ---- */

static void test_unique_violation_keeps_pending_and_retry_works(void **state)
{
    fixture *f = *state;
    add_account(f, "jdoe", NULL, 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_record *ok = add_account(f, "fresh", NULL, 2);
    orm_record *dup = add_account(f, "jdoe", "typed by the user", 3);
    assert_int_equal(orm_session_commit(f->s), ORM_EUNIQUE);
    const orm_error *err = orm_session_error(f->s);
    assert_non_null(err->column);
    assert_string_equal(err->column, "handle");
    assert_string_equal(err->message,
                        "Account.handle: \"jdoe\" is already taken");
    assert_ptr_equal(orm_session_failed_record(f->s), dup);
    /* Nothing was written, everything is still pending. */
    assert_int_equal(orm_session_pending_count(f->s), 2);
    assert_int_equal(count_where(f, &Account, NULL), 1);
    assert_string_equal(text_of(dup, "note"), "typed by the user");
    assert_int_equal(orm_record_get(ok, "id")->kind, ORM_VNULL);
    /* `ok` was written before the failure (and given the row's values
     * back where the dialect returns them): it holds what it held. */
    assert_string_equal(text_of(ok, "handle"), "fresh");
    /* Fix one value, commit again. */
    orm_error e = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(dup, "handle", "jdoe2", &e), 0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, NULL), 3);
    assert_true(id_of(ok) > 0 && id_of(dup) > 0);
    orm_error_clear(&e);
}

static void test_not_null_violation_from_database(void **state)
{
    fixture *f = *state;
    orm_session *s2 = NULL;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_record_new(&rec, &Loose), 0);
    assert_int_equal(orm_record_set_text(rec, "note", "no handle", &err), 0);
    CHECK(s2, orm_session_add(s2, rec));
    assert_int_equal(orm_session_commit(s2), ORM_ENOTNULL);
    assert_string_equal(orm_session_error(s2)->column, "handle");
    assert_string_equal(orm_session_error(s2)->message,
                        "Loose.handle: a value is required (not NULL)");
    assert_int_equal(orm_session_pending_count(s2), 1);
    assert_int_equal(orm_record_set_text(rec, "handle", "given", &err), 0);
    CHECK(s2, orm_session_commit(s2));
    assert_int_equal(count_where(f, &Account, "handle = 'given'"), 1);
    orm_session_free(s2);
    orm_error_clear(&err);
}

static void test_foreign_keys(void **state)
{
    fixture *f = *state;
    orm_record *owner = add_account(f, "owner", NULL, 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_record *post = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_new(&post, &Post), 0);
    orm_value missing = orm_value_int(9999);
    assert_int_equal(orm_record_set(post, "account_id", &missing, &err), 0);
    assert_int_equal(orm_record_set_text(post, "title", "hello", &err), 0);
    CHECK(f->s, orm_session_add(f->s, post));
    assert_int_equal(orm_session_commit(f->s), ORM_EFOREIGNKEY);
    assert_string_equal(orm_session_error(f->s)->column, "account_id");
    assert_string_equal(orm_session_error(f->s)->message,
                        "Post.account_id: 9999 does not exist in "
                        "conf_accounts (id)");
    orm_value real = orm_value_int(id_of(owner));
    assert_int_equal(orm_record_set(post, "account_id", &real, &err), 0);
    CHECK(f->s, orm_session_commit(f->s));
    /* Deleting a referenced parent fails and keeps the delete pending. */
    CHECK(f->s, orm_session_delete(f->s, owner));
    assert_int_equal(orm_session_commit(f->s), ORM_EFOREIGNKEY);
    assert_int_equal(orm_session_pending_count(f->s), 1);
    /* Delete child and parent together: the child goes first. */
    CHECK(f->s, orm_session_delete(f->s, post));
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, NULL), 0);
    orm_error_clear(&err);
}

/* A program that registers a model again, or a new one for the same
 * table, keeps every record it made: the model they point at stays
 * valid until orm_db_free (AddressSanitizer sees any use after free). */
static void test_replacing_a_model_keeps_its_records_valid(void **state)
{
    fixture *f = *state;
    orm_model *first = NULL, *second = NULL;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_model_copy(&first, &Account), 0);
    assert_int_equal(orm_db_register(f->db, first), 0);
    assert_int_equal(orm_record_new(&rec, first), 0);
    assert_int_equal(orm_record_set_text(rec, "handle", "Zoë", &err), 0);
    CHECK(f->s, orm_session_add(f->s, rec));
    CHECK(f->s, orm_session_commit(f->s));

    assert_int_equal(orm_model_copy(&second, &Account), 0);
    assert_int_equal(orm_db_register(f->db, second), 0);
    assert_ptr_equal(orm_db_find_model(f->db, "conf_accounts"), second);
    /* The record of the replaced model still edits and commits. */
    assert_int_equal(orm_record_set_text(rec, "note", "ÄÖÜ mixed Case", &err),
                     0);
    CHECK(f->s, orm_session_commit(f->s));
    char *repr = orm_record_repr(rec);
    assert_non_null(repr);
    free(repr);

    /* Registering the same model again changes nothing. */
    assert_int_equal(orm_db_register(f->db, second), 0);
    assert_int_equal(orm_db_register(f->db, first), 0);
    assert_ptr_equal(orm_db_find_model(f->db, "conf_accounts"), first);
    assert_int_equal(orm_db_register(f->db, first), 0);
    assert_ptr_equal(orm_db_find_model(f->db, "conf_accounts"), first);
    assert_int_equal(count_where(f, first, "note = 'ÄÖÜ mixed Case'"), 1);
    assert_int_equal(count_where(f, second, "handle = 'Zoë'"), 1);
    orm_error_clear(&err);
}

/* Every constraint error names the model, the column(s) and the value;
 * a foreign key names the referenced table, "still referenced" the
 * referencing one. The same words on every dialect, whatever the
 * database's own message says (SQLite names no column of a foreign key,
 * MariaDB only the index of a unique key). */
static void expect_failure(fixture *f, int code, const char *column,
                           const char *message)
{
    int rc = orm_session_commit(f->s);
    const orm_error *err = orm_session_error(f->s);
    if (rc != code || strcmp(orm_error_text(err), message) != 0 ||
        !err->column || strcmp(err->column, column) != 0)
        fail_msg("[%s] got %s, column %s:\n  %s\nwant %s, column %s:\n  %s",
                 dialect, orm_error_name(rc),
                 err->column ? err->column : "(none)", orm_error_text(err),
                 orm_error_name(code), column, message);
    assert_non_null(orm_session_failed_record(f->s));
    orm_session_rollback(f->s);
}

static orm_record *new_record(fixture *f, const orm_model *m)
{
    orm_record *rec = NULL;
    assert_int_equal(orm_record_new(&rec, m), 0);
    CHECK(f->s, orm_session_add(f->s, rec));
    return rec;
}

static void put(orm_record *rec, const char *col, orm_value v)
{
    orm_error err = ORM_ERROR_INIT;
    if (orm_record_set(rec, col, &v, &err) != 0)
        fail_msg("set %s: %s", col, orm_error_text(&err));
    orm_error_clear(&err);
}

static void test_constraint_errors_name_model_column_value(void **state)
{
    fixture *f = *state;
    char want[256];
    /* A table made by the dialect's own SQL: a named check and a unique
     * key whose name is not its column's. */
    db_exec(f->db, "DROP TABLE IF EXISTS conf_checked");
    if (db_exec(f->db, "CREATE TABLE conf_checked (id INTEGER PRIMARY KEY, "
                       "score INTEGER, email VARCHAR(100), "
                       "CONSTRAINT conf_score_positive CHECK (score >= 0), "
                       "CONSTRAINT uq_mail_address UNIQUE (email))") != 0)
        fail_msg("create: %s", orm_error_text(orm_db_error(f->db)));
    orm_model *checked = NULL;
    if (orm_db_reflect(f->db, "conf_checked", &checked) != 0)
        fail_msg("reflect: %s", orm_error_text(orm_db_error(f->db)));
    assert_int_equal(orm_model_set_name(checked, "Checked"), 0);
    assert_int_equal(orm_db_register(f->db, checked), 0);

    orm_record *owner = add_account(f, "Zoë Ärger", NULL, 1);
    orm_record *pair = new_record(f, &Pair);
    put(pair, "region", orm_value_text("Süd"));
    put(pair, "code", orm_value_int(7));
    orm_record *first = new_record(f, checked);
    put(first, "id", orm_value_int(1));
    put(first, "email", orm_value_text("ÉVE@example.org"));
    CHECK(f->s, orm_session_commit(f->s));
    orm_record *post = new_record(f, &Post);
    put(post, "account_id", orm_value_int(id_of(owner)));
    put(post, "title", orm_value_text("Grüße"));
    CHECK(f->s, orm_session_commit(f->s));

    /* unique, one column */
    add_account(f, "Zoë Ärger", NULL, 2);
    expect_failure(f, ORM_EUNIQUE, "handle",
                   "Account.handle: \"Zoë Ärger\" is already taken");
    /* primary key of two columns */
    orm_record *again = new_record(f, &Pair);
    put(again, "region", orm_value_text("Süd"));
    put(again, "code", orm_value_int(7));
    expect_failure(f, ORM_EUNIQUE, "region",
                   "Pair.(region, code): (\"Süd\", 7) is already taken");
    /* a unique key named apart from its column */
    orm_record *dup = new_record(f, checked);
    put(dup, "id", orm_value_int(2));
    put(dup, "email", orm_value_text("ÉVE@example.org"));
    expect_failure(f, ORM_EUNIQUE, "email",
                   "Checked.email: \"ÉVE@example.org\" is already taken");
    /* a named check constraint */
    orm_record *negative = new_record(f, checked);
    put(negative, "id", orm_value_int(3));
    put(negative, "score", orm_value_int(-5));
    expect_failure(f, ORM_ECHECK, "score",
                   "Checked.score: -5 is not allowed by check constraint "
                   "conf_score_positive");
    /* not null, refused by the database */
    orm_record *loose = new_record(f, &Loose);
    put(loose, "note", orm_value_text("no handle"));
    expect_failure(f, ORM_ENOTNULL, "handle",
                   "Loose.handle: a value is required (not NULL)");
    /* a foreign key on insert, on update, and of two columns */
    orm_record *orphan = new_record(f, &Post);
    put(orphan, "account_id", orm_value_int(9999));
    expect_failure(f, ORM_EFOREIGNKEY, "account_id",
                   "Post.account_id: 9999 does not exist in conf_accounts "
                   "(id)");
    put(post, "account_id", orm_value_int(8888));
    expect_failure(f, ORM_EFOREIGNKEY, "account_id",
                   "Post.account_id: 8888 does not exist in conf_accounts "
                   "(id)");
    orm_record *child = new_record(f, &Child);
    put(child, "pair_region", orm_value_text("Süd"));
    put(child, "pair_code", orm_value_int(99));
    expect_failure(f, ORM_EFOREIGNKEY, "pair_region",
                   "Child.(pair_region, pair_code): (\"Süd\", 99) does not "
                   "exist in conf_pairs (region, code)");
    /* still referenced: the parent deleted, or its key changed */
    snprintf(want, sizeof want,
             "Account.id: %lld is still referenced by conf_posts "
             "(account_id); delete or change those first",
             (long long)id_of(owner));
    CHECK(f->s, orm_session_delete(f->s, owner));
    expect_failure(f, ORM_EFOREIGNKEY, "id", want);
    put(owner, "id", orm_value_int(5555));
    expect_failure(f, ORM_EFOREIGNKEY, "id", want);
    assert_int_equal(count_where(f, &Account, NULL), 1);
    assert_int_equal(count_where(f, &Post, NULL), 1);
    db_exec(f->db, "DROP TABLE conf_checked");
}

static void test_parent_and_child_added_together(void **state)
{
    fixture *f = *state;
    orm_error err = ORM_ERROR_INIT;
    /* The child is added first; commit must insert the parent first. We
     * give the parent an explicit id so the child can name it. */
    orm_record *post = NULL, *owner = NULL;
    assert_int_equal(orm_record_new(&post, &Post), 0);
    orm_value pid = orm_value_int(77);
    assert_int_equal(orm_record_set(post, "account_id", &pid, &err), 0);
    CHECK(f->s, orm_session_add(f->s, post));
    assert_int_equal(orm_record_new(&owner, &Account), 0);
    assert_int_equal(orm_record_set(owner, "id", &pid, &err), 0);
    assert_int_equal(orm_record_set_text(owner, "handle", "parent", &err), 0);
    CHECK(f->s, orm_session_add(f->s, owner));
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Post, "account_id = 77"), 1);
    orm_error_clear(&err);
}

/* Many inserts in one commit (batched where the dialect allows): every
 * record gets the key of its own row, and a violation in the middle of a
 * batch still names the right record. */
static void test_many_inserts_get_their_own_keys(void **state)
{
    fixture *f = *state;
    enum { N = 1200 };
    orm_record *recs[N];
    char handle[32];
    for (int i = 0; i < N; i++) {
        snprintf(handle, sizeof handle, "bulk%05d", i);
        recs[i] = add_account(f, handle, NULL, i);
    }
    CHECK(f->s, orm_session_commit(f->s));
    orm_session *s2 = NULL;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    for (int i = 0; i < N; i += 97) {
        orm_record *got = NULL;
        orm_value key = orm_value_int(id_of(recs[i]));
        assert_int_equal(orm_session_get(s2, &Account, &key, &got), ORM_ROW);
        snprintf(handle, sizeof handle, "bulk%05d", i);
        assert_string_equal(text_of(got, "handle"), handle);
    }
    orm_session_free(s2);
    for (int i = 0; i < 300; i++) {
        snprintf(handle, sizeof handle, "more%05d", i);
        recs[i] = add_account(f, i == 150 ? "bulk00007" : handle, NULL, i);
    }
    assert_int_equal(orm_session_commit(f->s), ORM_EUNIQUE);
    assert_ptr_equal(orm_session_failed_record(f->s), recs[150]);
    assert_string_equal(orm_session_error(f->s)->message,
                        "Account.handle: \"bulk00007\" is already taken");
    assert_int_equal(orm_record_get(recs[0], "id")->kind, ORM_VNULL);
    /* Records of the batches before the failure, and after the rerun row
     * by row, hold their own values again. */
    for (int i = 0; i < 300; i += 37) {
        snprintf(handle, sizeof handle, "more%05d", i);
        assert_string_equal(text_of(recs[i], "handle"),
                            i == 150 ? "bulk00007" : handle);
    }
    assert_int_equal(count_where(f, &Account, NULL), N);
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(recs[150], "handle", "fixed", &err),
                     0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, NULL), N + 300);
    orm_error_clear(&err);
}

/* Many updates and deletes in one commit (shared statements on the
 * network dialects): all applied, and a row changed behind our back in
 * the middle is still the one the conflict names. */
static void test_many_updates_and_deletes(void **state)
{
    fixture *f = *state;
    enum { N = 450 };
    orm_record *recs[N];
    char text[32];
    orm_error err = ORM_ERROR_INIT;
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof text, "row%04d", i);
        recs[i] = add_account(f, text, i % 3 ? "n" : NULL, i);
    }
    CHECK(f->s, orm_session_commit(f->s));
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof text, "upd%04d", i);
        assert_int_equal(orm_record_set_text(recs[i], "note", text, &err), 0);
    }
    /* Someone else changes row 300's note first. */
    orm_db *other_db = open_db();
    orm_session *other = NULL;
    orm_record *theirs = NULL;
    orm_value key = orm_value_int(id_of(recs[300]));
    assert_int_equal(orm_session_new(&other, other_db), 0);
    assert_int_equal(orm_session_get(other, &Account, &key, &theirs), ORM_ROW);
    assert_int_equal(orm_record_set_text(theirs, "note", "theirs", &err), 0);
    CHECK(other, orm_session_commit(other));
    assert_int_equal(orm_session_commit(f->s), ORM_ECONFLICT);
    assert_ptr_equal(orm_session_failed_record(f->s), recs[300]);
    assert_int_equal(count_where(f, &Account, "note startswith 'upd'"), 0);
    assert_int_equal(orm_session_rebase(f->s, recs[300]), 0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, "note startswith 'upd'"), N);
    assert_int_equal(count_where(f, &Account, "note = 'upd0123'"), 1);
    for (int i = 0; i < N; i += 2)
        CHECK(f->s, orm_session_delete(f->s, recs[i]));
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, NULL), N / 2);
    assert_int_equal(count_where(f, &Account, "note = 'upd0123'"), 1);
    assert_int_equal(count_where(f, &Account, "note = 'upd0124'"), 0);
    orm_session_free(other);
    orm_db_free(other_db);
    orm_error_clear(&err);
}

static void test_failed_commit_writes_nothing(void **state)
{
    fixture *f = *state;
    add_account(f, "taken", NULL, 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_record *a = add_account(f, "new1", NULL, 2);
    orm_record *b = add_account(f, "new2", NULL, 3);
    add_account(f, "taken", NULL, 4);
    orm_error err = ORM_ERROR_INIT;
    orm_record *existing = NULL;
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_get(f->s, &Account, &key, &existing), ORM_ROW);
    assert_int_equal(orm_record_set_text(existing, "note", "edited", &err), 0);
    assert_int_equal(orm_session_commit(f->s), ORM_EUNIQUE);
    assert_int_equal(count_where(f, &Account, NULL), 1);
    assert_int_equal(count_where(f, &Account, "note = 'edited'"), 0);
    assert_int_equal(orm_record_get(a, "id")->kind, ORM_VNULL);
    assert_int_equal(orm_record_get(b, "id")->kind, ORM_VNULL);
    assert_string_equal(text_of(a, "handle"), "new1");
    assert_string_equal(text_of(b, "handle"), "new2");
    assert_int_equal(orm_session_pending_count(f->s), 4);
    assert_string_equal(text_of(existing, "note"), "edited");
    orm_error_clear(&err);
}

/* ---- lost updates ---- */

/* A connection that gives up waiting for a lock soon: SQLite's busy
 * timeout, the servers' lock timeouts. */
static orm_db *open_impatient_db(void)
{
    orm_open_options opts = ORM_OPEN_OPTIONS_INIT;
    orm_db *db = NULL;
    opts.busy_timeout_ms = 50;
    if (orm_db_open(&db, url, &opts) != 0)
        fail_msg("cannot open %s database: %s", dialect,
                 db ? orm_error_text(orm_db_error(db)) : "?");
    for (size_t i = 0; i < sizeof all_models / sizeof all_models[0]; i++)
        assert_int_equal(orm_db_register(db, all_models[i]), 0);
    const char *sql = strcmp(dialect, "postgresql") == 0
                          ? "SET lock_timeout = '200ms'"
                      : strcmp(dialect, "mysql") == 0
                          ? "SET SESSION innodb_lock_wait_timeout = 1"
                          : NULL;
    if (sql && db_exec(db, sql) != 0)
        fail_msg("%s: %s", sql, orm_error_text(orm_db_error(db)));
    return db;
}

/* A commit that waits too long for a lock another transaction holds:
 * every dialect says so in the same words, keeps the change, writes
 * nothing and does not try again by itself; the user's next commit,
 * once the lock is gone, goes through. */
static void test_commit_meeting_a_held_lock_keeps_changes(void **state)
{
    fixture *f = *state;
    orm_record *rec = add_account(f, "Verschluss", "vorher", 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_db *db = open_impatient_db(), *holder = open_db();
    orm_session *s = NULL;
    orm_record *mine = NULL;
    orm_value key = orm_value_int(id_of(rec));
    orm_error err = ORM_ERROR_INIT;
    char sql[128];
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_session_get(s, &Account, &key, &mine), ORM_ROW);
    assert_int_equal(orm_record_set_text(mine, "note", "Größe ÄNDERN", &err),
                     0);

    snprintf(sql, sizeof sql,
             "UPDATE conf_accounts SET score = score WHERE id = %lld",
             (long long)id_of(rec));
    if (db_begin(holder) != 0 || db_exec(holder, sql) != 0)
        fail_msg("holder: %s", orm_error_text(orm_db_error(holder)));
    int rc = orm_session_commit(s);
    /* The lock goes before anything is checked: a failed check must not
     * leave it to block the tables' teardown. */
    assert_int_equal(db_rollback(holder), 0);
    const char *msg = orm_error_text(orm_session_error(s));
    if (rc != ORM_EBUSY)
        fail_msg("[%s] commit gave %s: %s", dialect, orm_error_name(rc), msg);
    if (strncmp(msg, "another ", 8) != 0 ||
        !strstr(msg, "; nothing was written; your changes are kept — commit "
                     "again to retry"))
        fail_msg("[%s] unclear message: %s", dialect, msg);
    assert_int_equal(orm_session_pending_count(s), 1);
    assert_string_equal(text_of(mine, "note"), "Größe ÄNDERN");
    assert_int_equal(count_where(f, &Account, "note = 'vorher'"), 1);

    CHECK(s, orm_session_commit(s));
    assert_int_equal(count_where(f, &Account, "note = 'Größe ÄNDERN'"), 1);
    orm_error_clear(&err);
    orm_session_free(s);
    orm_db_free(holder);
    orm_db_free(db);
}

static void test_concurrent_update_is_a_conflict(void **state)
{
    fixture *f = *state;
    orm_record *mine = add_account(f, "shared", "v1", 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_db *other_db = open_db();
    orm_session *other = NULL;
    orm_record *theirs = NULL;
    orm_value key = orm_value_int(id_of(mine));
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_session_new(&other, other_db), 0);
    assert_int_equal(orm_session_get(other, &Account, &key, &theirs), ORM_ROW);
    assert_int_equal(orm_record_set_text(theirs, "note", "theirs", &err), 0);
    CHECK(other, orm_session_commit(other));
    assert_int_equal(orm_record_set_text(mine, "note", "mine", &err), 0);
    assert_int_equal(orm_session_commit(f->s), ORM_ECONFLICT);
    assert_int_equal(orm_session_pending_count(f->s), 1);
    assert_int_equal(count_where(f, &Account, "note = 'theirs'"), 1);
    /* Writing the same value again still counts as matched (MySQL needs
     * CLIENT_FOUND_ROWS for this). */
    assert_int_equal(orm_record_set_text(theirs, "score", "1", &err), 0);
    assert_int_equal(orm_session_pending_count(other), 0);
    assert_int_equal(orm_record_set_text(theirs, "note", "theirs2", &err), 0);
    CHECK(other, orm_session_commit(other));
    /* The conflict screen shows what the database holds now. */
    orm_value *current = NULL;
    assert_int_equal(orm_session_fetch_current(f->s, mine, &current), 0);
    assert_string_equal(current[3].u.s.ptr, "theirs2");
    for (size_t i = 0; i < Account.ncolumns; i++)
        orm_value_clear(&current[i]);
    free(current);
    /* Reload and re-apply my edit: the user's value survives. */
    assert_int_equal(orm_session_rebase(f->s, mine), 0);
    assert_string_equal(text_of(mine, "note"), "mine");
    assert_int_equal(orm_session_pending_count(f->s), 1);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, "note = 'mine'"), 1);
    /* A delete of a row someone changed is a conflict too. */
    assert_int_equal(orm_session_refresh(other, theirs), 0);
    assert_int_equal(orm_record_set_text(theirs, "score", "5", &err), 0);
    CHECK(other, orm_session_commit(other));
    CHECK(f->s, orm_session_delete(f->s, mine));
    assert_int_equal(orm_session_commit(f->s), ORM_ECONFLICT);
    assert_int_equal(count_where(f, &Account, NULL), 1);
    orm_session_free(other);
    orm_db_free(other_db);
    orm_error_clear(&err);
}

/* Loaded values saved as text with their kind (orm_value_format, then
 * orm_value_from_text: the browser's recovery journal) and attached to
 * a new session guard its UPDATE and DELETE as a load would: they match
 * the stored row for every type, and a row changed meanwhile is a
 * conflict. */
static orm_value *saved_row(const orm_record *rec)
{
    const orm_model *m = orm_record_model(rec);
    orm_value *row = calloc(m->ncolumns, sizeof *row);
    orm_error err = ORM_ERROR_INIT;
    for (size_t c = 0; c < m->ncolumns; c++) {
        const orm_value *v = orm_record_original(rec, c);
        char *text = orm_value_format(v, NULL);
        if (orm_value_from_text(&row[c], v->kind, text, text ? strlen(text) : 0,
                                &err) != 0)
            fail_msg("[%s] %s: %s", dialect, m->columns[c].name,
                     orm_error_text(&err));
        if (v->kind == ORM_VBLOB || v->kind == ORM_VTEXT) /* NUL bytes */
            assert_int_equal(row[c].u.s.len, v->u.s.len);
        if (!orm_value_equal(&row[c], v))
            fail_msg("[%s] %s does not read back", dialect, m->columns[c].name);
        free(text);
    }
    return row;
}

static void free_row(orm_value *row, size_t n)
{
    for (size_t c = 0; c < n; c++)
        orm_value_clear(&row[c]);
    free(row);
}

static void test_attached_values_guard_like_loaded_ones(void **state)
{
    fixture *f = *state;
    orm_record *rec = NULL, *got = NULL, *attached = NULL;
    orm_error err = ORM_ERROR_INIT;
    static const struct {
        const char *col, *in;
    } cases[] = {
        {"flag", "false"},
        {"big", "-9007199254740993"},
        {"ratio", "0.30000000000000004"},
        {"price", "-0.05"},
        {"exact", "12345678901234567890.0123456789"},
        {"day", "1999-12-31"},
        {"at", "2024-01-31 10:20:30.123456"},
        {"at_tz", "2024-01-31 12:00:00+05:30"},
        {"clock", "00:00:01"},
        {"doc", "{\"\u00e9\": [1, \"\xC3\xA9\"]}"},
        {"uid", "123e4567-e89b-12d3-a456-426614174000"},
        {"body", "MiXeD \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89"},
    };
    assert_int_equal(orm_record_new(&rec, &Typed), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (orm_record_set_text(rec, cases[i].col, cases[i].in, &err))
            fail_msg("%s: %s", cases[i].col, orm_error_text(&err));
    orm_value blob = orm_value_blob("\0\xFFz\0", 4);
    assert_int_equal(orm_record_set(rec, "data", &blob, &err), 0);
    CHECK(f->s, orm_session_add(f->s, rec));
    CHECK(f->s, orm_session_commit(f->s));
    orm_value key = orm_value_int(id_of(rec));

    /* Loaded in one session, saved, attached in another: it writes. */
    orm_session *s2 = NULL, *s3 = NULL, *s4 = NULL;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_session_get(s2, &Typed, &key, &got), ORM_ROW);
    orm_value *row = saved_row(got);
    orm_session_free(s2);
    assert_int_equal(orm_session_new(&s3, f->db), 0);
    CHECK(s3, orm_session_attach(s3, &Typed, row, NULL, NULL, &attached));
    assert_int_equal(orm_record_state_of(attached), ORM_RECORD_CLEAN);
    assert_int_equal(orm_record_set_text(attached, "body", "first", &err), 0);
    assert_int_equal(orm_session_pending_count(s3), 1);
    CHECK(s3, orm_session_commit(s3));
    assert_int_equal(count_where(f, &Typed, "body = 'first'"), 1);
    /* The same saved values are stale now: a conflict, nothing written. */
    assert_int_equal(orm_session_new(&s4, f->db), 0);
    CHECK(s4, orm_session_attach(s4, &Typed, row, NULL, NULL, &attached));
    assert_int_equal(orm_record_set_text(attached, "body", "second", &err), 0);
    assert_int_equal(orm_session_commit(s4), ORM_ECONFLICT);
    assert_int_equal(orm_session_pending_count(s4), 1);
    CHECK(s4, orm_session_rollback(s4));
    CHECK(s4, orm_session_delete(s4, attached));
    assert_int_equal(orm_session_commit(s4), ORM_ECONFLICT);
    assert_int_equal(count_where(f, &Typed, "body = 'first'"), 1);
    /* A record the session holds with pending changes is not replaced. */
    orm_record *again = NULL;
    assert_int_equal(orm_session_attach(s4, &Typed, row, NULL, NULL, &again),
                     ORM_EINVALID);
    free_row(row, Typed.ncolumns);
    /* Saved fresh, a delete goes through. */
    orm_session_free(s4);
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_session_get(s2, &Typed, &key, &got), ORM_ROW);
    row = saved_row(got);
    orm_session_free(s2);
    assert_int_equal(orm_session_new(&s4, f->db), 0);
    CHECK(s4, orm_session_attach(s4, &Typed, row, NULL, NULL, &attached));
    CHECK(s4, orm_session_delete(s4, attached));
    CHECK(s4, orm_session_commit(s4));
    assert_int_equal(count_where(f, &Typed, NULL), 0);
    free_row(row, Typed.ncolumns);
    orm_session_free(s3);
    orm_session_free(s4);
    orm_error_clear(&err);
}

/* ---- an explicit transaction ---- */

/* Handles in the table as another connection sees them. */
static char *handles_seen_by_other(void)
{
    fixture other = {open_db(), NULL};
    assert_int_equal(orm_session_new(&other.s, other.db), 0);
    char *got = handles_where(&other, NULL);
    orm_session_free(other.s);
    orm_db_free(other.db);
    return got;
}

static void assert_other_sees(const char *want)
{
    char *got = handles_seen_by_other();
    if (strcmp(got, want) != 0)
        fail_msg("[%s] another connection sees '%s', want '%s'", dialect, got,
                 want);
    free(got);
}

static void test_begin_reads_and_writes_in_one_transaction(void **state)
{
    fixture *f = *state;
    orm_error err = ORM_ERROR_INIT;
    orm_record *t1 = add_account(f, "t1", "loaded", 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_session_expunge(f->s, t1);

    /* Reads and the commit share one transaction; commit ends it. */
    CHECK(f->s, orm_session_begin(f->s));
    assert_int_equal(orm_session_begin(f->s), ORM_EINVALID);
    orm_record *got = NULL;
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_get(f->s, &Account, &key, &got), ORM_ROW);
    assert_string_equal(text_of(got, "note"), "loaded");
    assert_int_equal(orm_record_set_text(got, "note", "edited", &err), 0);
    CHECK(f->s, orm_session_undo(f->s));
    assert_string_equal(text_of(got, "note"), "loaded");
    assert_int_equal(orm_record_set_text(got, "note", "edited", &err), 0);
    add_account(f, "t2", NULL, 2);
    CHECK(f->s, orm_session_commit(f->s));
    assert_other_sees("t1 t2");
    assert_int_equal(count_where(f, &Account, "note = 'edited'"), 1);

    /* Rollback ends it and writes nothing. */
    CHECK(f->s, orm_session_begin(f->s));
    add_account(f, "t3", NULL, 3);
    CHECK(f->s, orm_session_rollback(f->s));
    assert_other_sees("t1 t2");

    /* A failed commit ends it, keeps every change, and a retry works. */
    CHECK(f->s, orm_session_begin(f->s));
    orm_record *dup = add_account(f, "t1", NULL, 4);
    assert_int_equal(orm_session_commit(f->s), ORM_EUNIQUE);
    assert_int_equal(orm_session_pending_count(f->s), 1);
    assert_other_sees("t1 t2");
    CHECK(f->s, orm_session_begin(f->s));
    assert_int_equal(orm_record_set_text(dup, "handle", "t4", &err), 0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_other_sees("t1 t2 t4");

    /* A commit with nothing pending ends a read-only transaction. */
    CHECK(f->s, orm_session_begin(f->s));
    assert_int_equal(count_where(f, &Account, NULL), 3);
    CHECK(f->s, orm_session_commit(f->s));
    CHECK(f->s, orm_session_begin(f->s));
    CHECK(f->s, orm_session_commit(f->s));
    orm_error_clear(&err);
}

/* ---- undo, rollback ---- */

static void test_undo_and_rollback(void **state)
{
    fixture *f = *state;
    orm_record *rec = add_account(f, "u1", "original", 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(rec, "note", "a", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "note", "b", &err), 0);
    assert_int_equal(orm_session_pending_count(f->s), 1);
    assert_int_equal(orm_session_undo(f->s), 0);
    assert_string_equal(text_of(rec, "note"), "a");
    assert_int_equal(orm_session_undo(f->s), 0);
    assert_string_equal(text_of(rec, "note"), "original");
    assert_int_equal(orm_record_state_of(rec), ORM_RECORD_CLEAN);
    assert_int_equal(orm_session_pending_count(f->s), 0);
    assert_int_equal(orm_session_undo(f->s), ORM_DONE);

    CHECK(f->s, orm_session_delete(f->s, rec));
    add_account(f, "u2", NULL, 2);
    assert_int_equal(orm_session_pending_count(f->s), 2);
    assert_int_equal(orm_session_undo(f->s), 0); /* the add */
    assert_int_equal(orm_session_undo(f->s), 0); /* the delete */
    assert_int_equal(orm_record_state_of(rec), ORM_RECORD_CLEAN);
    assert_int_equal(orm_session_pending_count(f->s), 0);

    assert_int_equal(orm_record_set_text(rec, "note", "c", &err), 0);
    add_account(f, "u3", NULL, 3);
    assert_int_equal(orm_session_rollback(f->s), 0);
    assert_int_equal(orm_session_pending_count(f->s), 0);
    assert_string_equal(text_of(rec, "note"), "original");
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, NULL), 1);
    orm_error_clear(&err);
}

/* A group of changes to many records (the browser's bulk edit) is one
 * undo step; what came before it stays. */
static void test_undo_group_takes_back_every_change_at_once(void **state)
{
    fixture *f = *state;
    orm_record *a = add_account(f, "Grüße", "ä", 1);
    orm_record *b = add_account(f, "MiXed", "b", 2);
    CHECK(f->s, orm_session_commit(f->s));
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(a, "handle", "before", &err), 0);
    orm_session_group_begin(f->s);
    assert_int_equal(orm_record_set_text(a, "note", "Ünïcode", &err), 0);
    assert_int_equal(orm_record_set_text(b, "note", "Ünïcode", &err), 0);
    assert_int_equal(orm_record_set_text(b, "score", "7", &err), 0);
    orm_session_group_end(f->s);
    assert_int_equal(orm_session_pending_count(f->s), 2);
    assert_int_equal(orm_session_undo(f->s), 0);
    assert_string_equal(text_of(a, "note"), "ä");
    assert_string_equal(text_of(b, "note"), "b");
    assert_string_equal(text_of(a, "handle"), "before");
    assert_int_equal(orm_record_state_of(b), ORM_RECORD_CLEAN);
    assert_int_equal(orm_session_pending_count(f->s), 1);
    assert_int_equal(orm_session_undo(f->s), 0);
    assert_string_equal(text_of(a, "handle"), "Grüße");
    assert_int_equal(orm_session_undo(f->s), ORM_DONE);
    orm_error_clear(&err);
}

/* query.update: one UPDATE of every matching row, bound values, the
 * number matched (a row that already held the value counts too), and
 * inside orm_session_begin a rollback leaves nothing written. */
static void test_query_update_sets_every_matching_row(void **state)
{
    fixture *f = *state;
    add_account(f, "Ärger", "x", 1);
    add_account(f, "MiXed", "Ünïcode", 2);
    add_account(f, "plain", NULL, 3);
    CHECK(f->s, orm_session_commit(f->s));
    orm_query *q = NULL;
    const char *cols[] = {"note", "score"};
    orm_value vals[] = {orm_value_text("Ünïcode"), orm_value_int(9)};
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(orm_query_where(q, "handle ilike 'm%' or score >= 3"), 0);
    CHECK(f->s, orm_session_begin(f->s));
    assert_int_equal(orm_query_update(q, cols, vals, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(orm_session_rollback(f->s), 0);
    assert_int_equal(count_where(f, &Account, "score = 9"), 0);
    assert_int_equal(orm_query_update(q, cols, vals, 2, &n), 0);
    assert_int_equal(n, 2); /* MiXed already had the note */
    assert_int_equal(count_where(f, &Account, "note = 'Ünïcode' and score = 9"),
                     2);
    assert_int_equal(
        count_where(f, &Account, "handle = 'Ärger' and note = 'x'"), 1);
    /* What does not fit is refused before anything runs. */
    const char *bad[] = {"handle"};
    orm_value null = orm_value_null();
    assert_int_equal(orm_query_update(q, bad, &null, 1, &n), ORM_ENOTNULL);
    assert_string_equal(orm_query_error(q)->column, "handle");
    const char *nope[] = {"nope"};
    assert_int_equal(orm_query_update(q, nope, vals, 1, &n), ORM_EINVALID);
    orm_query_limit(q, 1);
    assert_int_equal(orm_query_update(q, cols, vals, 2, &n), ORM_EINVALID);
    orm_query_free(q);
    orm_value_clear(&vals[0]);
}

/* Inside orm_session_begin, a commit whose shared statement (a run of
 * updates of one shape) matches fewer rows than it has fails whole: the
 * failed attempt rolled back the caller's transaction, so rerunning the
 * updates row by row (to name the record) would commit them in a new
 * transaction without what the caller's transaction wrote before. Here
 * the caller's own write is what the guard of one update trips on, so a
 * rerun after the rollback would succeed. */
static void test_begin_batch_mismatch_commits_nothing(void **state)
{
    fixture *f = *state;
    orm_error err = ORM_ERROR_INIT;
    orm_record *a = add_account(f, "Ärger", "alt", 1);
    orm_record *b = add_account(f, "MiXed", "alt", 2);
    add_account(f, "plain", NULL, 3);
    CHECK(f->s, orm_session_commit(f->s));

    CHECK(f->s, orm_session_begin(f->s));
    orm_query *q = NULL;
    const char *score[] = {"score"}, *note[] = {"note"};
    orm_value nine = orm_value_int(9), by_hand = orm_value_text("von Hand");
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(orm_query_where(q, "handle = 'plain'"), 0);
    assert_int_equal(orm_query_update(q, score, &nine, 1, &n), 0);
    assert_int_equal(n, 1);
    orm_query_free(q);
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(orm_query_where(q, "handle = 'MiXed'"), 0);
    assert_int_equal(orm_query_update(q, note, &by_hand, 1, &n), 0);
    orm_query_free(q);
    assert_int_equal(orm_record_set_text(a, "note", "Neu für Ärger", &err), 0);
    assert_int_equal(orm_record_set_text(b, "note", "Neu für MiXed", &err), 0);

    int rc = orm_session_commit(f->s);
    if (rc != ORM_ECONFLICT)
        fail_msg("commit gave %s: %s", orm_error_name(rc),
                 orm_error_text(orm_session_error(f->s)));
    /* Nothing of the transaction is written, every change is kept. */
    assert_int_equal(count_where(f, &Account, "score = 9"), 0);
    assert_int_equal(count_where(f, &Account, "note = 'alt'"), 2);
    assert_int_equal(orm_session_pending_count(f->s), 2);
    assert_string_equal(text_of(a, "note"), "Neu für Ärger");
    assert_string_equal(text_of(b, "note"), "Neu für MiXed");
    const char *msg = orm_error_text(orm_session_error(f->s));
    if (!strstr(msg, "was changed or deleted by someone else since it was "
                     "loaded"))
        fail_msg("unclear message: %s", msg);

    /* The session's transaction is known ended: a commit now is its own
     * transaction, and the guards hold again. */
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, "note like 'Neu für %'"), 2);
    orm_value_clear(&by_hand);
    orm_error_clear(&err);
}

/* The same for inserts sharing one statement that fail on a unique key
 * the caller's own write took in its transaction (orm_session_begin):
 * after the rollback a rerun would find the key free again and commit
 * the inserts without the caller's write. */
static void test_begin_batch_insert_failure_commits_nothing(void **state)
{
    fixture *f = *state;
    add_account(f, "plain", NULL, 1);
    CHECK(f->s, orm_session_commit(f->s));

    CHECK(f->s, orm_session_begin(f->s));
    orm_query *q = NULL;
    const char *handle[] = {"handle"};
    orm_value taken = orm_value_text("Zwö");
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(orm_query_where(q, "handle = 'plain'"), 0);
    assert_int_equal(orm_query_update(q, handle, &taken, 1, &n), 0);
    assert_int_equal(n, 1);
    orm_query_free(q);
    add_account(f, "Éins", "Ä", 2);
    add_account(f, "Zwö", "b", 3);
    add_account(f, "Drei", "c", 4);

    int rc = orm_session_commit(f->s);
    if (rc != ORM_EUNIQUE)
        fail_msg("commit gave %s: %s", orm_error_name(rc),
                 orm_error_text(orm_session_error(f->s)));
    assert_int_equal(count_where(f, &Account, NULL), 1);
    assert_int_equal(count_where(f, &Account, "handle = 'plain'"), 1);
    assert_int_equal(orm_session_pending_count(f->s), 3);

    /* Out of the caller's transaction the key is free: the commit is its
     * own transaction and writes them all. */
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, NULL), 4);
    orm_value_clear(&taken);
}

/* The generation moves with every change to what is pending and stays
 * while only reads happen (the browser's journal relies on both). */
static void test_session_generation_moves_with_pending_changes(void **state)
{
    fixture *f = *state;
    orm_record *rec = add_account(f, "Gen\xC3\xA9ration", "a", 1);
    unsigned long g = orm_session_generation(f->s);
    CHECK(f->s, orm_session_commit(f->s));
    assert_true(orm_session_generation(f->s) != g);
    g = orm_session_generation(f->s);
    assert_int_equal(count_where(f, &Account, NULL), 1);
    orm_record *again = NULL;
    orm_value key = *orm_record_get(rec, "id");
    assert_int_equal(orm_session_get(f->s, &Account, &key, &again), ORM_ROW);
    assert_int_equal(orm_session_generation(f->s), g); /* reads: the same */
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(rec, "note", "\xC3\x9C", &err), 0);
    assert_true(orm_session_generation(f->s) != g);
    g = orm_session_generation(f->s);
    assert_int_equal(orm_session_undo(f->s), 0);
    assert_true(orm_session_generation(f->s) != g);
    g = orm_session_generation(f->s);
    assert_int_equal(orm_record_set_text(rec, "note", "b", &err), 0);
    g = orm_session_generation(f->s);
    assert_int_equal(orm_session_rebase(f->s, rec), 0);
    assert_true(orm_session_generation(f->s) != g);
    g = orm_session_generation(f->s);
    assert_int_equal(orm_session_rollback(f->s), 0);
    assert_true(orm_session_generation(f->s) != g);
    orm_error_clear(&err);
}

static void test_plan_shows_sql_with_masked_secrets(void **state)
{
    fixture *f = *state;
    orm_record *rec = add_account(f, "planned", NULL, 1);
    (void)rec;
    char *plan = NULL;
    assert_int_equal(orm_session_plan(f->s, &plan), 0);
    assert_non_null(strstr(plan, "INSERT INTO"));
    assert_non_null(strstr(plan, "'planned'"));
    assert_non_null(strstr(plan, "'***'"));
    assert_int_equal(orm_session_pending_count(f->s), 1);
    assert_int_equal(count_where(f, &Account, NULL), 0);
    free(plan);
}

/* ---- queries ---- */

static void test_first_one_count(void **state)
{
    fixture *f = *state;
    seed_operator_rows(f);
    orm_query *q = NULL;
    orm_record *rec = NULL;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(orm_query_where(q, "score > 1000"), 0);
    assert_int_equal(orm_query_first(q, &rec), ORM_DONE);
    assert_int_equal(orm_query_one(q, &rec), ORM_ENOTFOUND);
    orm_query_free(q);
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(orm_query_where(q, "score > 10"), 0);
    assert_int_equal(orm_query_one(q, &rec), ORM_EMULTIPLE);
    orm_query_order_by(q, "score", 1);
    assert_int_equal(orm_query_first(q, &rec), ORM_ROW);
    assert_string_equal(text_of(rec, "handle"), "emoji🎉fan");
    orm_query_limit(q, 2);
    orm_query_offset(q, 1);
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(text_of(rows[0], "handle"), "日本語ユーザー");
    assert_string_equal(text_of(rows[1], "handle"), "carol_x");
    free(rows);
    orm_query_free(q);
    /* The identity map gives the same record for the same key. */
    orm_record *a = NULL, *b = NULL;
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_get(f->s, &Account, &key, &a), ORM_ROW);
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(orm_query_where(q, "id = 1"), 0);
    assert_int_equal(orm_query_first(q, &b), ORM_ROW);
    assert_ptr_equal(a, b);
    orm_query_free(q);
}

/* Counting every model at once (the models screen, `orb models`) gives
 * what counting each one gives: small tables exactly, names quoted. */
static void test_count_many_matches_count_each(void **state)
{
    fixture *f = *state;
    enum { MAX = 32 };
    const orm_model *models[MAX];
    int64_t counts[MAX];
    int exact[MAX];
    size_t n = sizeof all_models / sizeof all_models[0];
    seed_operator_rows(f);
    assert_true(n <= MAX);
    for (size_t i = 0; i < n; i++)
        models[i] = all_models[i];
    if (orm_db_count_many(f->db, models, n, counts, exact) != 0)
        fail_msg("count_many: %s", orm_error_text(orm_db_error(f->db)));
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t one = -1;
        int one_exact = 0;
        assert_int_equal(orm_db_count(f->db, models[i], 1, &one, &one_exact),
                         0);
        assert_int_equal(counts[i], one);
        assert_int_equal(exact[i], one_exact);
        total += one;
    }
    assert_true(total > 0);
}

/* A table dropped by someone else after its model was read (the models
 * screen and `orb models` on a live database) is no failure: it counts
 * -1 and every other table is still counted. Odd's quoted name must
 * hold in the check too. */
static void test_count_many_skips_a_dropped_table(void **state)
{
    fixture *f = *state;
    enum { MAX = 32 };
    const orm_model *models[MAX];
    int64_t counts[MAX];
    int exact[MAX];
    size_t n = sizeof all_models / sizeof all_models[0];
    seed_operator_rows(f);
    for (size_t i = 0; i < n; i++)
        models[i] = all_models[i];
    if (orm_db_drop_table(f->db, &Odd) != 0)
        fail_msg("drop: %s", orm_error_text(orm_db_error(f->db)));
    if (orm_db_count_many(f->db, models, n, counts, exact) != 0)
        fail_msg("count_many: %s", orm_error_text(orm_db_error(f->db)));
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (models[i] == &Odd) {
            assert_int_equal(counts[i], -1);
            continue;
        }
        int64_t one = -1;
        int one_exact = 0;
        assert_int_equal(orm_db_count(f->db, models[i], 1, &one, &one_exact),
                         0);
        assert_int_equal(counts[i], one);
        assert_int_equal(exact[i], one_exact);
        total += one;
    }
    assert_true(total > 0);
}

/* Building a query reports to the session as running it does: a bad
 * order column or a filter a builder could not make is on the query's
 * error and on the session's, whichever the program reads. */
static void test_query_building_errors_reach_the_session(void **state)
{
    fixture *f = *state;
    orm_session *s = NULL;
    orm_query *q = NULL;
    assert_int_equal(orm_session_new(&s, f->db), 0);
    assert_int_equal(orm_query_new(&q, s, &Account), 0);
    assert_int_equal(orm_query_order_by(q, "Scöre", 0), ORM_EINVALID);
    assert_int_equal(orm_session_error(s)->code, ORM_EINVALID);
    assert_non_null(strstr(orm_error_text(orm_last_error(s)), "'Scöre'"));
    assert_string_equal(orm_session_error(s)->column, "Scöre");
    assert_string_equal(orm_error_text(orm_last_error(q)),
                        orm_error_text(orm_session_error(s)));
    orm_query_free(q);

    const char *order[] = {"id",     "handle", "note",  "score",     "id",
                           "handle", "note",   "score", "secret_key"};
    assert_int_equal(orm_query_new(&q, s, &Account), 0);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(orm_query_order_by(q, order[i], 0), 0);
    assert_int_equal(orm_query_order_by(q, order[8], 0), ORM_EINVALID);
    assert_non_null(strstr(orm_session_error(s)->message, "order columns"));
    orm_query_free(q);

    /* A builder out of memory gives NULL: the filter fails at once and
     * the query when run, both on the session. */
    assert_int_equal(orm_query_new(&q, s, &Account), 0);
    assert_int_equal(orm_query_filter(q, NULL), ORM_ENOMEM);
    assert_int_equal(orm_session_error(s)->code, ORM_ENOMEM);
    orm_query_order_by(q, "Nöte", 1);
    assert_int_equal(orm_session_error(s)->code, ORM_EINVALID);
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_all(q, &rows, &n), ORM_ENOMEM);
    assert_int_equal(orm_session_error(s)->code, ORM_ENOMEM);
    orm_query_free(q);
    orm_session_free(s);
}

/* Not found: a lookup where nothing is an answer (get, first) returns
 * ORM_DONE with *out NULL and leaves the error alone; a call that needs
 * the row (one, refresh, fetch_current, rebase) fails with ORM_ENOTFOUND
 * and names it. */
static void test_not_found_is_done_for_lookups_enotfound_for_needs(void **state)
{
    fixture *f = *state;
    orm_record *gone = add_account(f, "Zoë", NULL, 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_value key = orm_value_int(id_of(gone));

    orm_session *s = NULL, *other = NULL;
    orm_record *rec = &(orm_record){0}, *loaded = NULL;
    orm_query *q = NULL;
    assert_int_equal(orm_session_new(&s, f->db), 0);
    assert_int_equal(orm_session_get(s, &Account, &key, &loaded), ORM_ROW);
    /* Someone else deletes the row. */
    assert_int_equal(orm_session_new(&other, f->db), 0);
    assert_int_equal(orm_session_get(other, &Account, &key, &rec), ORM_ROW);
    CHECK(other, orm_session_delete(other, rec));
    CHECK(other, orm_session_commit(other));

    orm_session *fresh = NULL;
    assert_int_equal(orm_session_new(&fresh, f->db), 0);
    assert_int_equal(orm_session_get(fresh, &Account, &key, &rec), ORM_DONE);
    assert_null(rec);
    assert_int_equal(orm_session_error(fresh)->code, ORM_OK);
    assert_int_equal(orm_query_new(&q, fresh, &Account), 0);
    assert_int_equal(orm_query_where(q, "handle = 'Zoë'"), 0);
    rec = &(orm_record){0};
    assert_int_equal(orm_query_first(q, &rec), ORM_DONE);
    assert_null(rec);
    assert_int_equal(orm_session_error(fresh)->code, ORM_OK);
    assert_int_equal(orm_query_one(q, &rec), ORM_ENOTFOUND);
    assert_non_null(strstr(orm_session_error(fresh)->message, "no "));
    orm_query_free(q);
    orm_session_free(fresh);

    orm_value *current = NULL;
    assert_int_equal(orm_session_fetch_current(s, loaded, &current),
                     ORM_ENOTFOUND);
    assert_null(current);
    assert_non_null(
        strstr(orm_session_error(s)->message, "deleted by someone else"));
    assert_int_equal(orm_session_rebase(s, loaded), ORM_ENOTFOUND);
    assert_int_equal(orm_session_refresh(s, loaded), ORM_ENOTFOUND);
    assert_int_equal(orm_session_error(s)->code, ORM_ENOTFOUND);
    assert_non_null(strstr(orm_session_error(s)->message, "no longer exists"));
    orm_session_free(other);
    orm_session_free(s);
}

/* ---- conveniences: typed getters, one-call queries, the program's SQL ---- */

/* user.id, user.handle: each getter gives its C type, NULL stays NULL,
 * and a wrong kind or column is an error, on every dialect. */
static void test_typed_getters_read_each_kind(void **state)
{
    fixture *f = *state;
    orm_record *rec = add_account(f, "Zoë Ünal", NULL, 7);
    orm_record *typed = new_record(f, &Typed);
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(typed, "flag", "true", &err), 0);
    assert_int_equal(orm_record_set_text(typed, "ratio", "-2.5", &err), 0);
    assert_int_equal(orm_record_set_text(typed, "price", "1234.5", &err), 0);
    assert_int_equal(orm_record_set_text(typed, "day", "2024-02-29", &err), 0);
    assert_int_equal(
        orm_record_set_text(typed, "big", "-9007199254740993", &err), 0);
    CHECK(f->s, orm_session_commit(f->s));

    /* Read back in a session of their own: values as loaded. */
    orm_session *s = NULL;
    orm_value key = orm_value_int(id_of(rec));
    assert_int_equal(orm_session_new(&s, f->db), 0);
    assert_int_equal(orm_session_get(s, &Account, &key, &rec), ORM_ROW);
    key = orm_value_int(id_of(typed));
    assert_int_equal(orm_session_get(s, &Typed, &key, &typed), ORM_ROW);

    int64_t i = -1;
    double d = 0;
    int b = -1;
    const char *text = "unset";
    assert_int_equal(orm_record_get_int(rec, "score", &i), 0);
    assert_int_equal(i, 7);
    assert_int_equal(orm_record_get_text(rec, "handle", &text), 0);
    assert_string_equal(text, "Zoë Ünal");
    assert_int_equal(orm_record_get_text(rec, "note", &text), 0);
    assert_null(text); /* NULL is None */
    assert_int_equal(orm_record_get_int(rec, "note", &i), ORM_ETYPE);
    assert_int_equal(i, 7); /* left alone */
    assert_int_equal(orm_record_get_int(rec, "handle", &i), ORM_ETYPE);
    assert_int_equal(orm_record_get_int(rec, "Score", &i), ORM_EINVALID);
    assert_int_equal(orm_record_get_text(rec, "score", &text), ORM_ETYPE);
    assert_int_equal(orm_record_get_double(rec, "score", &d), 0);
    assert_true(d == 7.0);

    assert_int_equal(orm_record_get_bool(typed, "flag", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(orm_record_get_int(typed, "big", &i), 0);
    assert_true(i == -9007199254740993LL);
    assert_int_equal(orm_record_get_double(typed, "ratio", &d), 0);
    assert_true(d == -2.5);
    assert_int_equal(orm_record_get_double(typed, "price", &d), 0);
    assert_true(d == 1234.5);
    assert_int_equal(orm_record_get_text(typed, "price", &text), 0);
    assert_string_equal(text, "1234.50");
    assert_int_equal(orm_record_get_text(typed, "day", &text), 0);
    assert_string_equal(text, "2024-02-29");
    assert_int_equal(orm_record_get_double(typed, "day", &d), ORM_ETYPE);
    assert_int_equal(orm_record_get_bool(typed, "big", &b), ORM_ETYPE);
    assert_int_equal(orm_record_get_bool(typed, "clock", &b), ORM_ETYPE);

    /* A pending change is what the getters see. */
    assert_int_equal(orm_record_set_text(rec, "handle", "ÄÖÜ", &err), 0);
    assert_int_equal(orm_record_get_text(rec, "handle", &text), 0);
    assert_string_equal(text, "ÄÖÜ");
    orm_session_free(s);
    orm_error_clear(&err);
}

/* filter_by(...).first(), filter(...).first(), filter(...).all() in one
 * call each; finding nothing is ORM_DONE; failures are on the session. */
static void test_one_call_first_and_all(void **state)
{
    fixture *f = *state;
    seed_operator_rows(f);
    orm_session *s = NULL;
    orm_record *rec = NULL, **rows = NULL;
    size_t n = 99;
    assert_int_equal(orm_session_new(&s, f->db), 0);

    orm_value v = orm_value_text("日本語ユーザー");
    assert_int_equal(orm_session_first_by(s, &Account, "handle", &v, &rec),
                     ORM_ROW);
    assert_string_equal(text_of(rec, "note"), "こんにちは 🎉");
    v = orm_value_text("bob"); /* the row is "Bob": exact on every dialect */
    assert_int_equal(orm_session_first_by(s, &Account, "handle", &v, &rec),
                     ORM_DONE);
    assert_null(rec);
    assert_int_equal(orm_session_first(s, &Account,
                                       orm_gt(orm_col("score"), orm_int(25)),
                                       &rec),
                     ORM_ROW);
    assert_string_equal(text_of(rec, "handle"), "carol_x");

    /* not_: the handles without an 'a', in key order */
    assert_int_equal(
        orm_session_all(s, &Account,
                        orm_not(orm_like(orm_col("handle"), orm_str("%a%"))),
                        &rows, &n),
        0);
    assert_int_equal(n, 2);
    assert_string_equal(text_of(rows[0], "handle"), "Bob");
    assert_string_equal(text_of(rows[1], "handle"), "日本語ユーザー");
    free(rows);
    assert_int_equal(orm_session_all(s, &Account,
                                     orm_eq(orm_col("handle"), orm_str("x")),
                                     &rows, &n),
                     0);
    assert_int_equal(n, 0);
    free(rows);

    /* A builder out of memory (NULL), a column the model lacks. */
    rows = (orm_record **)&rec;
    assert_int_equal(orm_session_all(s, &Account, NULL, &rows, &n), ORM_ENOMEM);
    assert_null(rows);
    assert_int_equal(n, 0);
    assert_int_equal(orm_session_error(s)->code, ORM_ENOMEM);
    assert_int_equal(orm_session_first_by(s, &Account, "Händle", &v, &rec),
                     ORM_EINVALID);
    assert_null(rec);
    assert_non_null(strstr(orm_session_error(s)->message, "Händle"));
    orm_session_free(s);
}

/* The dialect's placeholder number `i` (1-based). */
static const char *placeholder(int i)
{
    static char buf[8][8];
    if (strcmp(dialect, "postgresql") != 0)
        return "?";
    snprintf(buf[i % 8], sizeof buf[0], "$%d", i);
    return buf[i % 8];
}

/* The escape hatch: the program's own SQL with every value bound, rows
 * matched, rows read through a cursor, errors on the database. */
static void test_own_sql_binds_every_value(void **state)
{
    fixture *f = *state;
    char sql[512];
    const char *evil = "O'Brien\"; DROP TABLE conf_accounts; --";
    orm_value params[4] = {orm_value_text(evil), orm_value_text("Grüße 🎉 ÄÖÜ"),
                           orm_value_int(5), orm_value_null()};
    int64_t rows = -1;
    snprintf(sql, sizeof sql,
             "INSERT INTO conf_accounts (handle, note, score, secret_key) "
             "VALUES (%s, %s, %s, %s)",
             placeholder(1), placeholder(2), placeholder(3), placeholder(4));
    if (orm_db_execute(f->db, sql, params, 4, &rows) != 0)
        fail_msg("[%s] %s: %s", dialect, sql,
                 orm_error_text(orm_last_error(f->db)));
    assert_int_equal(rows, 1);
    add_account(f, "second", NULL, 9);
    add_account(f, "third", NULL, 1);
    CHECK(f->s, orm_session_commit(f->s));

    /* The ORM sees the row, byte for byte. */
    orm_record *rec = NULL;
    assert_int_equal(
        orm_session_first_by(f->s, &Account, "handle", &params[0], &rec),
        ORM_ROW);
    assert_string_equal(text_of(rec, "note"), "Grüße 🎉 ÄÖÜ");

    orm_value bump[2] = {orm_value_int(10), orm_value_int(5)};
    snprintf(sql, sizeof sql,
             "UPDATE conf_accounts SET score = score + %s WHERE score >= %s",
             placeholder(1), placeholder(2));
    assert_int_equal(orm_db_execute(f->db, sql, bump, 2, &rows), 0);
    assert_int_equal(rows, 2);
    assert_int_equal(orm_db_execute(f->db, sql, bump, 2, NULL), 0);

    orm_cursor *c = NULL;
    const orm_value *row = NULL;
    orm_value min = orm_value_int(20);
    snprintf(sql, sizeof sql,
             "SELECT handle, score FROM conf_accounts WHERE score > %s "
             "ORDER BY id",
             placeholder(1));
    if (orm_db_cursor(&c, f->db, sql, &min, 1) != 0)
        fail_msg("[%s] %s: %s", dialect, sql,
                 orm_error_text(orm_last_error(f->db)));
    assert_int_equal(orm_cursor_width(c), 0); /* known at the first row */
    assert_int_equal(orm_cursor_next(c, &row), ORM_ROW);
    assert_int_equal(orm_cursor_width(c), 2);
    assert_int_equal(row[0].kind, ORM_VTEXT);
    assert_string_equal(row[0].u.s.ptr, evil);
    assert_int_equal(row[1].kind, ORM_VINT);
    assert_int_equal(row[1].u.i, 25);
    assert_int_equal(orm_cursor_next(c, &row), ORM_ROW);
    assert_string_equal(row[0].u.s.ptr, "second");
    assert_int_equal(row[1].u.i, 29);
    assert_int_equal(orm_cursor_next(c, &row), ORM_DONE);
    orm_cursor_free(c);

    /* Errors are the database's, on the database handle. */
    int rc = orm_db_execute(f->db, "SELEC 1", NULL, 0, NULL);
    assert_true(rc < 0);
    assert_int_equal(orm_last_error(f->db)->code, rc);
    assert_true(strlen(orm_error_text(orm_db_error(f->db))) > 0);
    c = NULL;
    rc = orm_db_cursor(&c, f->db, "SELECT nosuch FROM conf_accounts", NULL, 0);
    if (rc == 0) { /* a driver may only find out when it runs */
        rc = orm_cursor_next(c, &row);
        assert_int_equal(orm_last_error(c)->code, rc);
        orm_cursor_free(c);
    } else {
        assert_null(c);
    }
    assert_true(rc < 0);
    assert_int_equal(orm_last_error(f->db)->code, rc);
    assert_int_equal(orm_db_execute(f->db, NULL, NULL, 0, NULL), ORM_EINVALID);
    /* The table is still there. */
    assert_int_equal(count_where(f, &Account, NULL), 3);
}

/* Rows another program wrote hold values in forms orb would not write:
 * a real (float4) of 0.1, SQLite text dates with a 'T' or with
 * milliseconds, an upper-case UUID, a boolean stored as 'true'. The
 * lost-update guards compare the values as the database holds them, so
 * such rows can be changed and deleted; a row changed meanwhile is still
 * a conflict. */
static void stored_exec(fixture *f, const char *sql)
{
    if (orm_db_execute(f->db, sql, NULL, 0, NULL) != 0)
        fail_msg("[%s] %s: %s", dialect, sql,
                 orm_error_text(orm_last_error(f->db)));
}

static orm_record *stored_row(fixture *f, const orm_model *m, int64_t id)
{
    orm_record *rec = NULL;
    orm_value key = orm_value_int(id);
    assert_int_equal(orm_session_get(f->s, m, &key, &rec), ORM_ROW);
    return rec;
}

static void stored_set(fixture *f, orm_record *rec, const char *col,
                       const char *text)
{
    orm_error err = ORM_ERROR_INIT;
    if (orm_record_set_text(rec, col, text, &err) != 0)
        fail_msg("[%s] %s = %s: %s", dialect, col, text, orm_error_text(&err));
    orm_error_clear(&err);
    (void)f;
}

static void test_values_other_programs_wrote_can_be_changed(void **state)
{
    fixture *f = *state;
    int sqlite = strcmp(dialect, "sqlite") == 0;
    int pg = strcmp(dialect, "postgresql") == 0;
    stored_exec(f, "DROP TABLE IF EXISTS conf_stored");
    stored_exec(f, pg ? "CREATE TABLE conf_stored (id INTEGER PRIMARY KEY, "
                        "f4 REAL, at TIMESTAMP(3), uid UUID, flag BOOLEAN, "
                        "note VARCHAR(40))"
                   : sqlite
                       ? "CREATE TABLE conf_stored (id INTEGER PRIMARY KEY, "
                         "f4 REAL, at DATETIME, uid UUID, flag BOOLEAN, "
                         "note VARCHAR(40))"
                       : "CREATE TABLE conf_stored (id INTEGER PRIMARY KEY, "
                         "f4 FLOAT, at DATETIME(3), uid UUID, flag BOOLEAN, "
                         "note VARCHAR(40))");
    /* As another program writes them: SQLite keeps the text as given. */
    const char *yes = sqlite ? "'true'" : "TRUE";
    const char *at[] = {"2024-01-01T10:00:00", "2024-01-01 10:00:00.000",
                        "2024-01-01T10:00:00.500"};
    for (int id = 1; id <= 3; id++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO conf_stored VALUES (%d, 0.1, '%s', "
                 "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD38%04X', %s, 'Grüße %d')",
                 id, at[id - 1], id, yes, id);
        stored_exec(f, sql);
    }
    orm_model *m = NULL;
    if (orm_db_reflect(f->db, "conf_stored", &m) != 0)
        fail_msg("[%s] reflect: %s", dialect,
                 orm_error_text(orm_db_error(f->db)));
    assert_int_equal(orm_db_register(f->db, m), 0);

    /* Each odd value changed: its guard matches what is stored. */
    for (int id = 1; id <= 3; id++) {
        orm_record *rec = stored_row(f, m, id);
        stored_set(f, rec, "f4", "0.2");
        stored_set(f, rec, "at", "2025-03-04 05:06:07");
        stored_set(f, rec, "uid", "B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
        stored_set(f, rec, "flag", "false");
        int rc = orm_session_commit(f->s);
        if (rc != 0)
            fail_msg("[%s] update of row %d: %s", dialect, id,
                     orm_error_text(orm_session_error(f->s)));
    }
    assert_int_equal(count_where(f, m, "flag = false and f4 < 0.3"), 3);

    /* Rows left as the other program wrote them are deleted (a delete
     * guards every column). */
    for (int id = 4; id <= 6; id++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO conf_stored VALUES (%d, 0.1, '%s', "
                 "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD38%04X', %s, 'Ünï %d')",
                 id, at[id - 4], id, yes, id);
        stored_exec(f, sql);
        orm_record *rec = stored_row(f, m, id);
        CHECK(f->s, orm_session_delete(f->s, rec));
        int rc = orm_session_commit(f->s);
        if (rc != 0)
            fail_msg("[%s] delete of row %d: %s", dialect, id,
                     orm_error_text(orm_session_error(f->s)));
    }
    assert_int_equal(count_where(f, m, NULL), 3);

    /* The guard still sees a change made meanwhile. */
    orm_record *rec = stored_row(f, m, 1);
    stored_exec(f, "UPDATE conf_stored SET f4 = 0.5 WHERE id = 1");
    CHECK(f->s, orm_session_delete(f->s, rec));
    assert_int_equal(orm_session_commit(f->s), ORM_ECONFLICT);
    assert_int_equal(orm_session_pending_count(f->s), 1);
    orm_session_rollback(f->s);
    stored_exec(f, "DROP TABLE conf_stored");
}

/* A table keyed by UUIDs another program wrote, one of them in upper
 * case (SQLite keeps text as given; PostgreSQL and MariaDB store the uuid
 * type). A key in either case finds its row, = and IN filters match it,
 * rows come in the canonical text's order (a page after a key too), and
 * the upper-case row is changed, refreshed and deleted like any other. */
static void test_uuid_keys_in_any_case_are_one_key(void **state)
{
    fixture *f = *state;
    stored_exec(f, "DROP TABLE IF EXISTS conf_uuid");
    stored_exec(f, "CREATE TABLE conf_uuid (id UUID PRIMARY KEY, "
                   "name VARCHAR(40))");
    stored_exec(f, "INSERT INTO conf_uuid VALUES "
                   "('B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'Ärger'), "
                   "('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'anna'), "
                   "('90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'Zoë')");
    orm_model *m = NULL;
    if (orm_db_reflect(f->db, "conf_uuid", &m) != 0)
        fail_msg("[%s] reflect: %s", dialect,
                 orm_error_text(orm_db_error(f->db)));
    assert_int_equal(orm_db_register(f->db, m), 0);
    assert_int_equal(m->columns[0].type, ORM_UUID);

    const char *upper = "B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11";
    const char *lower = "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    orm_record *rec = NULL;
    orm_value key = orm_value_text(upper);
    assert_int_equal(orm_session_get(f->s, m, &key, &rec), ORM_ROW);
    assert_string_equal(orm_record_get(rec, "name")->u.s.ptr, "Ärger");
    orm_session_expunge(f->s, rec);
    key = orm_value_text(lower);
    rec = NULL;
    assert_int_equal(orm_session_get(f->s, m, &key, &rec), ORM_ROW);
    assert_int_equal(
        count_where(f, m, "id = 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"), 1);
    assert_int_equal(
        count_where(f, m,
                    "id in ('B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', "
                    "'90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')"),
        2);
    assert_int_equal(
        count_where(f, m, "id != 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"), 2);

    /* The canonical order, and the page after the first key. */
    const char *order[] = {"Zoë", "anna", "Ärger"};
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_new(&q, f->s, m), 0);
    assert_int_equal(orm_query_order_by(q, "id", 0), 0);
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(orm_record_get(rows[i], "name")->u.s.ptr, order[i]);
    orm_value first[2] = {
        orm_value_text("90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        orm_value_text("90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")};
    free(rows);
    rows = NULL;
    assert_int_equal(orm_query_after(q, first), 0);
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(orm_record_get(rows[0], "name")->u.s.ptr, "anna");
    free(rows);
    orm_query_free(q);

    /* Changed, refreshed, deleted. */
    stored_set(f, rec, "name", "Ärger über Öl");
    if (orm_session_commit(f->s) != 0)
        fail_msg("[%s] update: %s", dialect,
                 orm_error_text(orm_session_error(f->s)));
    assert_int_equal(orm_session_refresh(f->s, rec), 0);
    assert_string_equal(orm_record_get(rec, "name")->u.s.ptr, "Ärger über Öl");
    CHECK(f->s, orm_session_delete(f->s, rec));
    if (orm_session_commit(f->s) != 0)
        fail_msg("[%s] delete: %s", dialect,
                 orm_error_text(orm_session_error(f->s)));
    assert_int_equal(count_where(f, m, NULL), 2);
    stored_exec(f, "DROP TABLE conf_uuid");
}

/* UUIDs another program wrote in another form: 32 hex digits without
 * dashes (SQLAlchemy's Uuid where there is no uuid type), upper case,
 * and on SQLite 16 bytes (Python's uuid.bytes, Rust's sqlx). Each reads
 * as its canonical text, is found by key in any case, by =, in and
 * startswith and in keyset order, and its row can be changed (the
 * guards compare what is stored) and deleted. The servers' uuid types
 * store the text forms as they store any other. */
static void test_uuids_written_in_other_forms_are_found(void **state)
{
    fixture *f = *state;
    int sqlite = strcmp(dialect, "sqlite") == 0;
    stored_exec(f, "DROP TABLE IF EXISTS conf_uuid_forms");
    stored_exec(f, "CREATE TABLE conf_uuid_forms (id UUID PRIMARY KEY, "
                   "ref UUID, name VARCHAR(40))");
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO conf_uuid_forms VALUES "
             "(%s, 'A0EEBC999C0B4EF8BB6D6BB9BD380A11', '\xC3\x84rger'), "
             "('a0eebc999c0b4ef8bb6d6bb9bd380a11', NULL, 'anna'), "
             "('90EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', %s, 'Zo\xC3\xAB')",
             sqlite ? "X'b0eebc999c0b4ef8bb6d6bb9bd380a11'"
                    : "'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
             sqlite ? "X'c0eebc999c0b4ef8bb6d6bb9bd380a11'"
                    : "'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'");
    stored_exec(f, sql);
    orm_model *m = NULL;
    if (orm_db_reflect(f->db, "conf_uuid_forms", &m) != 0)
        fail_msg("[%s] reflect: %s", dialect,
                 orm_error_text(orm_db_error(f->db)));
    assert_int_equal(orm_db_register(f->db, m), 0);

    static const char *const keys[][2] = {
        {"b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "\xC3\x84rger"},
        {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "anna"},
        {"90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "Zo\xC3\xAB"},
    };
    orm_record *rec = NULL;
    for (size_t i = 0; i < 3; i++) {
        orm_value key = orm_value_text(keys[i][0]);
        rec = NULL;
        if (orm_session_get(f->s, m, &key, &rec) != ORM_ROW)
            fail_msg("[%s] get %s: %s", dialect, keys[i][0],
                     orm_error_text(orm_session_error(f->s)));
        assert_string_equal(orm_record_get(rec, "id")->u.s.ptr, keys[i][0]);
        assert_string_equal(orm_record_get(rec, "name")->u.s.ptr, keys[i][1]);
        orm_session_expunge(f->s, rec);
    }
    orm_value upper = orm_value_text("B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
    orm_record *bytes_row = NULL;
    assert_int_equal(orm_session_get(f->s, m, &upper, &bytes_row), ORM_ROW);
    assert_string_equal(orm_record_get(bytes_row, "ref")->u.s.ptr,
                        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assert_int_equal(
        count_where(f, m, "id = 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"), 1);
    assert_int_equal(
        count_where(f, m,
                    "id in ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', "
                    "'90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')"),
        2);
    assert_int_equal(
        count_where(f, m, "ref = 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"), 1);
    assert_int_equal(count_where(f, m, "id startswith 'b0eebc99-'"), 1);

    /* The canonical order, and the page after the first key. */
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_new(&q, f->s, m), 0);
    assert_int_equal(orm_query_order_by(q, "id", 0), 0);
    orm_value first[2] = {
        orm_value_text("90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        orm_value_text("90eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")};
    assert_int_equal(orm_query_after(q, first), 0);
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(orm_record_get(rows[0], "name")->u.s.ptr, "anna");
    assert_string_equal(orm_record_get(rows[1], "name")->u.s.ptr,
                        "\xC3\x84rger");
    free(rows);
    orm_query_free(q);

    /* Changed (the guards hold the stored forms), refreshed, deleted. */
    stored_set(f, bytes_row, "name",
               "\xC3\x84rger \xC3\xBC"
               "ber \xC3\x96l");
    if (orm_session_commit(f->s) != 0)
        fail_msg("[%s] update: %s", dialect,
                 orm_error_text(orm_session_error(f->s)));
    assert_int_equal(orm_session_refresh(f->s, bytes_row), 0);
    assert_string_equal(orm_record_get(bytes_row, "name")->u.s.ptr,
                        "\xC3\x84rger \xC3\xBC"
                        "ber \xC3\x96l");
    orm_value zoe_key = orm_value_text(keys[2][0]);
    orm_record *zoe = NULL;
    assert_int_equal(orm_session_get(f->s, m, &zoe_key, &zoe), ORM_ROW);
    stored_set(f, zoe, "name", "Zo\xC3\xAB Z\xC3\xBCrich");
    if (orm_session_commit(f->s) != 0)
        fail_msg("[%s] update by a UUID guard: %s", dialect,
                 orm_error_text(orm_session_error(f->s)));
    CHECK(f->s, orm_session_delete(f->s, bytes_row));
    if (orm_session_commit(f->s) != 0)
        fail_msg("[%s] delete: %s", dialect,
                 orm_error_text(orm_session_error(f->s)));
    assert_int_equal(count_where(f, m, NULL), 2);
    assert_int_equal(count_where(f, m, "name = 'Zo\xC3\xAB Z\xC3\xBCrich'"), 1);
    stored_exec(f, "DROP TABLE conf_uuid_forms");
}

/* Many rows loaded at once share memory blocks in the session: records
 * kept while their neighbours are expunged stay whole, can be changed,
 * written and refreshed, and a later load finds them again. A row with a
 * large text (its own block) behaves the same. */
static void test_kept_records_outlive_expunged_neighbours(void **state)
{
    fixture *f = *state;
    enum { N = 1500, KEEP = 250 };
    char handle[32];
    orm_error err = ORM_ERROR_INIT;
    for (int i = 0; i < N; i++) {
        snprintf(handle, sizeof handle, "slab%05d", i);
        add_account(f, handle, i % 2 ? "odd" : NULL, i);
    }
    char *big = malloc(20001);
    assert_non_null(big);
    memset(big, 'b', 20000);
    big[20000] = '\0';
    add_account(f, "big", big, -1);
    CHECK(f->s, orm_session_commit(f->s));

    orm_session *s2 = NULL;
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_query_new(&q, s2, &Account), 0);
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    orm_query_free(q);
    assert_int_equal(n, N + 1);
    orm_record *kept[N / KEEP + 2];
    size_t nkept = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % KEEP == 7 || i == N)
            kept[nkept++] = rows[i];
        else
            orm_session_expunge(s2, rows[i]);
    }
    free(rows);
    for (size_t k = 0; k < nkept; k++) {
        const char *h = text_of(kept[k], "handle");
        if (strcmp(h, "big") == 0) {
            assert_int_equal(strlen(text_of(kept[k], "note")), 20000);
        } else {
            int i = atoi(h + 4);
            assert_true(i % 2 ? strcmp(text_of(kept[k], "note"), "odd") == 0
                              : text_of(kept[k], "note") == NULL);
        }
        assert_int_equal(orm_record_set_text(kept[k], "note", "kept", &err), 0);
    }
    CHECK(s2, orm_session_commit(s2));
    assert_int_equal(count_where(f, &Account, "note = 'kept'"), (int)nkept);
    CHECK(s2, orm_session_refresh(s2, kept[0]));
    assert_string_equal(text_of(kept[0], "note"), "kept");
    /* Loading again gives the kept records back, not copies. */
    assert_int_equal(orm_query_new(&q, s2, &Account), 0);
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    orm_query_free(q);
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nkept; k++)
            found += rows[i] == kept[k];
    assert_int_equal(found, nkept);
    free(rows);
    orm_session_free(s2);
    free(big);
    orm_error_clear(&err);
}

/* A loaded record edited, undone, edited, written, edited again, rolled
 * back and refreshed: at each step it shows what it should, and what
 * was written is in the database. (A loaded record's values share its
 * loaded ones until its first change; this walks every turn of that.) */
static void test_loaded_record_edit_write_edit_again(void **state)
{
    fixture *f = *state;
    orm_error err = ORM_ERROR_INIT;
    add_account(f, "walk", "n0", 5);
    CHECK(f->s, orm_session_commit(f->s));
    orm_session *s2 = NULL;
    orm_record *rec = NULL;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_get(s2, &Account, &key, &rec), ORM_ROW);
    assert_string_equal(text_of(rec, "note"), "n0");
    assert_int_equal(orm_record_set_text(rec, "note", "n1", &err), 0);
    assert_string_equal(text_of(rec, "note"), "n1");
    CHECK(s2, orm_session_undo(s2));
    assert_string_equal(text_of(rec, "note"), "n0");
    assert_int_equal(orm_session_pending_count(s2), 0);
    assert_int_equal(orm_record_set_text(rec, "note", "n2", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "score", "6", &err), 0);
    CHECK(s2, orm_session_commit(s2));
    assert_string_equal(text_of(rec, "note"), "n2");
    assert_int_equal(orm_record_get(rec, "score")->u.i, 6);
    assert_int_equal(count_where(f, &Account, "note = 'n2' and score = 6"), 1);
    assert_int_equal(orm_record_set_text(rec, "note", "n3", &err), 0);
    CHECK(s2, orm_session_rollback(s2));
    assert_string_equal(text_of(rec, "note"), "n2");
    assert_int_equal(orm_record_set_text(rec, "note", "n4", &err), 0);
    CHECK(s2, orm_session_refresh(s2, rec));
    assert_string_equal(text_of(rec, "note"), "n2");
    assert_int_equal(orm_session_pending_count(s2), 0);
    assert_int_equal(orm_record_set_text(rec, "note", "n5", &err), 0);
    CHECK(s2, orm_session_commit(s2));
    assert_int_equal(count_where(f, &Account, "note = 'n5'"), 1);
    assert_string_equal(text_of(rec, "note"), "n5");
    orm_session_free(s2);
    orm_error_clear(&err);
}

/* The SQL of a query as orm_query_sql renders it (params freed). */
static char *query_text(orm_query *q)
{
    char *sql = NULL;
    orm_value *params = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_sql(q, &sql, &params, &n), 0);
    orm_query_params_free(params, n);
    return sql;
}

/* A lookup by a unique key has no ORDER BY to sort its one row; every
 * other query keeps its total order. */
static void test_unique_lookup_is_not_sorted(void **state)
{
    fixture *f = *state;
    seed_operator_rows(f);
    struct {
        const char *where;
        int sorted;
    } cases[] = {
        {"handle = 'carol_x'", 0},
        {"id = 2", 0},
        {"score > 0 and handle = 'carol_x'", 0},
        {"handle = 'carol_x' or handle = 'emoji🎉fan'", 1},
        {"note = 'x'", 1},
        {"handle != 'carol_x'", 1},
        {"handle is null", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_query *q = NULL;
        assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
        assert_int_equal(orm_query_where(q, cases[i].where), 0);
        char *sql = query_text(q);
        if (cases[i].sorted != (strstr(sql, "ORDER BY") != NULL))
            fail_msg("%s: %s", cases[i].where, sql);
        free(sql);
        orm_query_free(q);
    }
    /* The lookup still finds its row; an OR of two keys comes in key
     * order; a keyset page after a key is sorted even by a unique key. */
    orm_query *q = NULL;
    orm_record *rec = NULL;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    orm_value carol = orm_value_text("carol_x");
    assert_int_equal(orm_query_filter_by(q, "handle", &carol), 0);
    assert_int_equal(orm_query_first(q, &rec), ORM_ROW);
    assert_string_equal(text_of(rec, "handle"), "carol_x");
    orm_value key = orm_value_int(0);
    assert_int_equal(orm_query_after(q, &key), 0);
    char *sql = query_text(q);
    assert_non_null(strstr(sql, "ORDER BY"));
    free(sql);
    orm_query_free(q);
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    assert_int_equal(
        orm_query_where(q, "handle = 'emoji🎉fan' or handle = 'carol_x'"), 0);
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_true(id_of(rows[0]) < id_of(rows[1]));
    free(rows);
    orm_query_free(q);
}

/* One query shape run again with other values (its SQL text is reused):
 * every run sees its own values, NULL included. */
static void test_repeated_query_shapes_bind_their_own_values(void **state)
{
    fixture *f = *state;
    seed_operator_rows(f);
    static const struct {
        const char *note; /* NULL: filter note = NULL (is null) */
        const char *want;
    } cases[] = {{"", "Bob"},       {NULL, "carol_x"}, {"under_score", "dave"},
                 {NULL, "carol_x"}, {"nothing", ""},   {"", "Bob"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_query *q = NULL;
        orm_record **rows = NULL;
        size_t n = 0;
        orm_value v =
            cases[i].note ? orm_value_text(cases[i].note) : orm_value_null();
        assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
        assert_int_equal(orm_query_filter_by(q, "note", &v), 0);
        assert_int_equal(orm_query_all(q, &rows, &n), 0);
        assert_int_equal(n, cases[i].want[0] ? 1 : 0);
        if (n)
            assert_string_equal(text_of(rows[0], "handle"), cases[i].want);
        free(rows);
        orm_query_free(q);
    }
    /* IN lists of different lengths. */
    for (int len = 1; len <= 4; len++) {
        orm_expr *values[4];
        orm_query *q = NULL;
        int64_t n = 0;
        for (int i = 0; i < len; i++)
            values[i] = orm_int(10 * (i + 1));
        assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
        assert_int_equal(
            orm_query_filter(q, orm_in(orm_col("score"), values, (size_t)len)),
            0);
        assert_int_equal(orm_query_count(q, &n), 0);
        assert_int_equal(n, len < 4 ? len : 3); /* no score 40 */
        orm_query_free(q);
    }
}

/* Walk every page forward and backward in an order of one or more
 * columns and compare with the whole result read at once; each row's
 * position (orm_query_position) is its index in that result. */
static void check_paging_keys(fixture *f, const char *const *cols,
                              const int *descs, size_t ncols)
{
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row;
    int64_t all_ids[200];
    size_t total = 0;
    char col[128] = "";
    int desc = descs[0];
    for (size_t i = 0; i < ncols; i++)
        snprintf(col + strlen(col), sizeof col - strlen(col), "%s%s%s",
                 i ? ", " : "", cols[i], i && descs[i] ? " desc" : "");
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    for (size_t i = 0; i < ncols; i++)
        assert_int_equal(orm_query_order_by(q, cols[i], descs[i]), 0);
    assert_int_equal(orm_query_cursor(q, &c), 0);
    while (orm_cursor_next(c, &row) == ORM_ROW)
        all_ids[total++] = row[0].u.i;
    orm_cursor_free(c);
    assert_int_equal(total, 100);

    size_t width = orm_query_key_width(q);
    orm_value *key = calloc(width, sizeof *key);
    int64_t seen[200];
    size_t nseen = 0;
    int have_key = 0;
    for (;;) {
        orm_query_limit(q, 7);
        if (have_key)
            assert_int_equal(orm_query_after(q, key), 0);
        assert_int_equal(orm_query_cursor(q, &c), 0);
        size_t got = 0;
        while (orm_cursor_next(c, &row) == ORM_ROW) {
            const orm_value *k[32];
            seen[nseen++] = row[0].u.i;
            orm_query_row_key(q, row, k);
            for (size_t i = 0; i < width; i++) {
                orm_value_clear(&key[i]);
                orm_value_copy(&key[i], k[i]);
            }
            got++;
        }
        if (got) { /* the last row read: its position is its index */
            orm_query *pq = NULL;
            int64_t at = -1;
            assert_int_equal(orm_query_new(&pq, f->s, &Account), 0);
            for (size_t i = 0; i < ncols; i++)
                orm_query_order_by(pq, cols[i], descs[i]);
            if (orm_query_position(pq, key, &at) != 0)
                fail_msg("[%s] position: %s", dialect,
                         orm_error_text(orm_query_error(pq)));
            if (at != (int64_t)nseen - 1)
                fail_msg("[%s] order by %s%s: row %zu has position %lld",
                         dialect, col, desc ? " desc" : "", nseen - 1,
                         (long long)at);
            orm_query_free(pq);
        }
        orm_cursor_free(c);
        have_key = 1;
        if (got == 0)
            break;
    }
    assert_int_equal(nseen, total);
    for (size_t i = 0; i < total; i++)
        if (seen[i] != all_ids[i])
            fail_msg("[%s] order by %s%s: forward page row %zu is %lld, "
                     "want %lld",
                     dialect, col, desc ? " desc" : "", i, (long long)seen[i],
                     (long long)all_ids[i]);
    /* Backward from the last row: nearest first. */
    size_t back = total - 1;
    for (;;) {
        orm_query_limit(q, 9);
        assert_int_equal(orm_query_before(q, key), 0);
        assert_int_equal(orm_query_cursor(q, &c), 0);
        size_t got = 0;
        while (orm_cursor_next(c, &row) == ORM_ROW) {
            const orm_value *k[32];
            assert_true(back > 0);
            back--;
            if (row[0].u.i != all_ids[back])
                fail_msg("[%s] order by %s%s: backward row %zu is %lld, "
                         "want %lld",
                         dialect, col, desc ? " desc" : "", back,
                         (long long)row[0].u.i, (long long)all_ids[back]);
            orm_query_row_key(q, row, k);
            for (size_t i = 0; i < width; i++) {
                orm_value_clear(&key[i]);
                orm_value_copy(&key[i], k[i]);
            }
            got++;
        }
        orm_cursor_free(c);
        if (got == 0)
            break;
    }
    assert_int_equal(back, 0);
    for (size_t i = 0; i < width; i++)
        orm_value_clear(&key[i]);
    free(key);
    orm_query_free(q);
}

static void check_paging(fixture *f, const char *col, int desc)
{
    check_paging_keys(f, &col, &desc, 1);
}

static void test_keyset_paging_with_nulls_and_ties(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 100; i++) {
        char handle[32], note[32];
        snprintf(handle, sizeof handle, "user%03d", i);
        snprintf(note, sizeof note, "n%d", i % 7);
        add_account(f, handle, i % 5 == 0 ? NULL : note,
                    i % 3 == 0 ? -1 : i % 10);
    }
    CHECK(f->s, orm_session_commit(f->s));
    check_paging(f, "id", 0);
    check_paging(f, "id", 1);
    check_paging(f, "score", 0);
    check_paging(f, "score", 1);
    check_paging(f, "note", 0);
    check_paging(f, "note", 1);
}

/* Two sort columns, both with ties and NULLs, every direction: pages
 * forward and back and each row's position agree with the whole
 * result. The notes mix case and accents. */
static void test_keyset_paging_two_keys_with_nulls_and_ties(void **state)
{
    fixture *f = *state;
    static const char *const notes[] = {"Émile", "emile", "Zoë", "zoe",
                                        "ßtraße"};
    for (int i = 0; i < 100; i++) {
        char handle[32];
        snprintf(handle, sizeof handle, "two%03d", i);
        add_account(f, handle, i % 6 == 0 ? NULL : notes[i % 5],
                    i % 4 == 0 ? -1 : i % 3);
    }
    CHECK(f->s, orm_session_commit(f->s));
    static const char *const cols[] = {"score", "note"};
    for (int d = 0; d < 4; d++) {
        int descs[2] = {d & 1, (d >> 1) & 1};
        check_paging_keys(f, cols, descs, 2);
    }
    static const char *const rcols[] = {"note", "score"};
    for (int d = 0; d < 4; d++) {
        int descs[2] = {d & 1, (d >> 1) & 1};
        check_paging_keys(f, rcols, descs, 2);
    }
}

static void test_cursor_streams_many_rows(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 5000; i++) {
        char handle[32];
        snprintf(handle, sizeof handle, "s%05d", i);
        add_account(f, handle, NULL, i);
    }
    CHECK(f->s, orm_session_commit(f->s));
    orm_session *s2 = NULL;
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row;
    int64_t n = 0, sum = 0;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    assert_int_equal(orm_query_new(&q, s2, &Account), 0);
    assert_int_equal(orm_query_cursor(q, &c), 0);
    while (orm_cursor_next(c, &row) == ORM_ROW) {
        n++;
        sum += row[4].u.i;
    }
    orm_cursor_free(c);
    orm_query_free(q);
    assert_int_equal(n, 5000);
    assert_int_equal(sum, 4999 * 5000 / 2);
    /* Streaming does not fill the session. */
    assert_int_equal(orm_session_pending_count(s2), 0);
    orm_session_free(s2);
}

/* ---- reflection ---- */

static const orm_column *find_col(const orm_model *m, const char *name)
{
    const orm_column *c = orm_model_column(m, name);
    if (!c)
        fail_msg("[%s] reflected %s has no column %s", dialect, m->table, name);
    return c;
}

static void test_create_all_reads_back_by_reflection(void **state)
{
    fixture *f = *state;
    orm_model *m = NULL;
    if (orm_db_reflect(f->db, "conf_accounts", &m))
        fail_msg("reflect: %s", orm_error_text(orm_db_error(f->db)));
    assert_int_equal(m->ncolumns, 5);
    const orm_column *id = find_col(m, "id");
    assert_true(id->flags & ORM_PK);
    assert_true(orm_column_is_autoinc(m, id));
    const orm_column *handle = find_col(m, "handle");
    assert_int_equal(handle->type, ORM_STRING);
    assert_int_equal(handle->length, 50);
    assert_true(handle->flags & ORM_NOT_NULL);
    assert_true(handle->flags & ORM_UNIQUE);
    assert_int_equal(find_col(m, "secret_key")->type, ORM_STRING);
    assert_true(orm_column_nullable(find_col(m, "note")));
    orm_model_free(m);

    m = NULL;
    assert_int_equal(orm_db_reflect(f->db, "conf_posts", &m), 0);
    const orm_column *fk = find_col(m, "account_id");
    assert_non_null(fk->ref_table);
    assert_string_equal(fk->ref_table, "conf_accounts");
    assert_string_equal(fk->ref_column, "id");
    orm_model_free(m);

    m = NULL;
    assert_int_equal(orm_db_reflect(f->db, "conf_pairs", &m), 0);
    int pk[4];
    assert_int_equal(orm_model_pk(m, pk, 4), 2);
    assert_string_equal(m->columns[pk[0]].name, "region");
    assert_string_equal(m->columns[pk[1]].name, "code");
    orm_model_free(m);

    m = NULL;
    assert_int_equal(orm_db_reflect(f->db, "conf_children", &m), 0);
    assert_int_equal(m->nforeign_keys, 1);
    assert_int_equal(m->foreign_keys[0].ncolumns, 2);
    assert_string_equal(m->foreign_keys[0].ref_table, "conf_pairs");
    assert_string_equal(m->foreign_keys[0].columns[0], "pair_region");
    assert_string_equal(m->foreign_keys[0].ref_columns[1], "code");
    orm_model_free(m);

    /* Declared without referenced columns: they are the primary key. */
    m = NULL;
    assert_int_equal(orm_db_reflect(f->db, "conf_children2", &m), 0);
    assert_int_equal(m->nforeign_keys, 1);
    assert_string_equal(m->foreign_keys[0].ref_columns[0], "region");
    assert_string_equal(m->foreign_keys[0].ref_columns[1], "code");
    orm_model_free(m);

    m = NULL;
    assert_int_equal(orm_db_reflect(f->db, "conf_typed", &m), 0);
    static const struct {
        const char *col;
        orm_type type;
    } types[] = {{"flag", ORM_BOOLEAN}, {"big", ORM_BIGINT},
                 {"ratio", ORM_FLOAT},  {"price", ORM_NUMERIC},
                 {"day", ORM_DATE},     {"at", ORM_DATETIME},
                 {"clock", ORM_TIME},   {"uid", ORM_UUID},
                 {"data", ORM_BLOB},    {"body", ORM_TEXT}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (find_col(m, types[i].col)->type != types[i].type)
            fail_msg("[%s] reflected %s is %s, want %s", dialect, types[i].col,
                     orm_type_name(find_col(m, types[i].col)->type),
                     orm_type_name(types[i].type));
    assert_int_equal(find_col(m, "price")->precision, 10);
    assert_int_equal(find_col(m, "price")->scale, 2);
    orm_model_free(m);

    m = NULL;
    assert_int_equal(orm_db_reflect(f->db, "no_such_table", &m), ORM_ENOTFOUND);
}

/* A table whose rows repeat what the model calls its key (the database
 * has no such constraint): one record per key, whether the rows are the
 * session's first or it already holds some. */
static const orm_column loose_key_columns[] = {
    {.name = "k", .type = ORM_INTEGER, .flags = ORM_PK | ORM_NO_AUTOINC},
    {.name = "label", .type = ORM_STRING, .length = 20},
};
static const orm_model LooseKey =
    ORM_MODEL("LooseKey", "loose_keys", loose_key_columns);

static void test_repeated_keys_are_one_record(void **state)
{
    fixture *f = *state;
    db_exec(f->db, "DROP TABLE IF EXISTS loose_keys");
    if (db_exec(f->db, "CREATE TABLE loose_keys (k INTEGER, "
                       "label VARCHAR(20))") ||
        db_exec(f->db, "INSERT INTO loose_keys (k, label) VALUES (1, 'one'), "
                       "(2, 'two'), (1, 'uno'), (3, 'three'), (2, 'dos')"))
        fail_msg("setup: %s", orm_error_text(orm_db_error(f->db)));
    orm_session *s2 = NULL;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    for (int pass = 0; pass < 2; pass++) {
        orm_query *q = NULL;
        orm_record **rows = NULL;
        size_t n = 0;
        assert_int_equal(orm_query_new(&q, s2, &LooseKey), 0);
        assert_int_equal(orm_query_all(q, &rows, &n), 0);
        orm_query_free(q);
        assert_int_equal(n, 5); /* ordered by k: 1 1 2 2 3 */
        assert_ptr_equal(rows[0], rows[1]);
        assert_ptr_equal(rows[2], rows[3]);
        assert_true(rows[1] != rows[2] && rows[3] != rows[4]);
        assert_int_equal(orm_record_get(rows[0], "k")->u.i, 1);
        assert_int_equal(orm_record_get(rows[2], "k")->u.i, 2);
        assert_int_equal(orm_record_get(rows[4], "k")->u.i, 3);
        orm_record *got = NULL;
        orm_value key = orm_value_int(2);
        assert_int_equal(orm_session_get(s2, &LooseKey, &key, &got), ORM_ROW);
        assert_ptr_equal(got, rows[2]);
        free(rows);
    }
    orm_session_free(s2);
    db_exec(f->db, "DROP TABLE loose_keys");
}

static void test_reflects_tables_it_did_not_create(void **state)
{
    fixture *f = *state;
    db_exec(f->db, "DROP TABLE IF EXISTS hand_made");
    if (db_exec(f->db, "CREATE TABLE hand_made (code VARCHAR(10) NOT NULL, "
                       "qty INTEGER, label VARCHAR(40) DEFAULT 'none', "
                       "PRIMARY KEY (code))"))
        fail_msg("create: %s", orm_error_text(orm_db_error(f->db)));
    assert_int_equal(db_exec(f->db, "INSERT INTO hand_made (code, qty) "
                                    "VALUES ('a1', 5)"),
                     0);
    if (orm_db_reflect_all(f->db))
        fail_msg("[%s] reflect_all: %s", dialect,
                 orm_error_text(orm_db_error(f->db)));
    const orm_model *m = orm_db_find_model(f->db, "hand_made");
    assert_non_null(m);
    const orm_column *code = find_col(m, "code");
    assert_int_equal(code->type, ORM_STRING);
    assert_true(code->flags & ORM_PK);
    assert_false(orm_column_is_autoinc(m, code));
    assert_non_null(find_col(m, "label")->server_default);
    /* Browse and edit it through the ORM. */
    orm_record *rec = NULL;
    orm_value key = orm_value_text("a1");
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_session_get(f->s, m, &key, &rec), ORM_ROW);
    assert_string_equal(text_of(rec, "label"), "none");
    assert_int_equal(orm_record_set_text(rec, "qty", "6", &err), 0);
    CHECK(f->s, orm_session_commit(f->s));
    orm_record *added = NULL;
    assert_int_equal(orm_record_new(&added, m), 0);
    assert_int_equal(orm_record_set_text(added, "code", "b2", &err), 0);
    CHECK(f->s, orm_session_add(f->s, added));
    CHECK(f->s, orm_session_commit(f->s));
    /* The server default came back into the record. */
    assert_string_equal(text_of(added, "label"), "none");
    assert_int_equal(count_where(f, m, "qty = 6"), 1);
    db_exec(f->db, "DROP TABLE hand_made");
    orm_error_clear(&err);
}

/* ---- lost connection ---- */

/* The first column of a one-row result as an integer (booleans as 0/1),
 * through the public escape hatch. */
static int64_t raw_int(orm_db *db, const char *sql)
{
    orm_cursor *c = NULL;
    const orm_value *v = NULL;
    int64_t out = -1;
    if (orm_db_cursor(&c, db, sql, NULL, 0) == 0 &&
        orm_cursor_next(c, &v) == ORM_ROW)
        out = v[0].kind == ORM_VINT    ? v[0].u.i
              : v[0].kind == ORM_VBOOL ? v[0].u.b
                                       : -1;
    orm_cursor_free(c);
    return out;
}

static void test_lost_connection_keeps_changes_and_reconnects(void **state)
{
    fixture *f = *state;
    char sql[128];
    if (strcmp(dialect, "sqlite") == 0) {
        /* An embedded database has no connection to lose; the fault
         * injection test (test_fault) covers failures mid-commit. */
        print_message("[sqlite] no server connection to kill\n");
        return;
    }
    add_account(f, "before", NULL, 1);
    CHECK(f->s, orm_session_commit(f->s));
    int pg = strcmp(dialect, "postgresql") == 0;
    int64_t pid = raw_int(f->db, pg ? "SELECT pg_backend_pid()"
                                    : "SELECT CONNECTION_ID()");
    assert_true(pid > 0);
    orm_db *killer = open_db();
    snprintf(sql, sizeof sql,
             pg ? "SELECT pg_terminate_backend(%lld)" : "KILL %lld",
             (long long)pid);
    if (pg)
        assert_int_equal(raw_int(killer, sql), 1);
    else
        assert_int_equal(db_exec(killer, sql), 0);
    orm_db_free(killer);
    usleep(100000);
    orm_record *pending = add_account(f, "after", "keep me", 2);
    assert_int_equal(orm_session_commit(f->s), ORM_ECONNLOST);
    assert_non_null(
        strstr(orm_session_error(f->s)->message, "connection lost"));
    assert_int_equal(orm_session_pending_count(f->s), 1);
    assert_string_equal(text_of(pending, "note"), "keep me");
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, NULL), 2);
}

/* ---- cancelling from another thread ---- */

/* A second thread cancels, every 20 ms, until the call it stops has
 * returned (a cancel when nothing runs stops nothing: orm_db_cancel). */
typedef struct canceller {
    orm_db *db;
    pthread_t thread;
    pthread_mutex_t lock;
    int finished; /* the call returned */
    int sent;     /* orm_db_cancel calls made */
    int failed;   /* orm_db_cancel's first failure, or 0 */
    char why[256];
} canceller;

static void *canceller_run(void *payload)
{
    canceller *c = payload;
    struct timespec tick = {0, 20 * 1000000L};
    nanosleep(&tick, NULL); /* let the statement start */
    for (;;) {
        pthread_mutex_lock(&c->lock);
        int finished = c->finished;
        pthread_mutex_unlock(&c->lock);
        if (finished)
            break;
        orm_error err = ORM_ERROR_INIT;
        int rc = orm_db_cancel(c->db, &err);
        if (rc && !c->failed) {
            c->failed = rc;
            snprintf(c->why, sizeof c->why, "%s", orm_error_text(&err));
        }
        orm_error_clear(&err);
        c->sent++;
        nanosleep(&tick, NULL);
    }
    return NULL;
}

static void canceller_start(canceller *c, orm_db *db)
{
    memset(c, 0, sizeof *c);
    c->db = db;
    pthread_mutex_init(&c->lock, NULL);
    assert_int_equal(pthread_create(&c->thread, NULL, canceller_run, c), 0);
}

static void canceller_stop(canceller *c)
{
    pthread_mutex_lock(&c->lock);
    c->finished = 1;
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    pthread_mutex_destroy(&c->lock);
    if (c->failed)
        fail_msg("[%s] orm_db_cancel failed (%s): %s", dialect,
                 orm_error_name(c->failed), c->why);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) +
           (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* A statement that runs for a minute or more on each dialect. */
static const char *long_statement(void)
{
    if (strcmp(dialect, "postgresql") == 0)
        return "SELECT pg_sleep(60)";
    if (strcmp(dialect, "mysql") == 0)
        return "SELECT SLEEP(60)";
    /* Two billion rows: minutes of work. */
    return "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
           "WHERE n < 2000000000) SELECT count(*) FROM c";
}

/* A long statement cancelled from a second thread stops within seconds
 * (the bound is generous: the statement would run a minute), fails with
 * ORM_ECANCELLED, and the same connection answers the next query. */
static void
test_cancel_stops_a_long_statement_and_the_connection_answers(void **state)
{
    fixture *f = *state;
    add_account(f, "Abbruch", "Grüße", 7);
    CHECK(f->s, orm_session_commit(f->s));
    canceller c;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    canceller_start(&c, f->db);
    int rc = orm_db_execute(f->db, long_statement(), NULL, 0, NULL);
    double took = seconds_since(&start);
    canceller_stop(&c);
    if (rc != ORM_ECANCELLED)
        fail_msg("[%s] the long statement gave %s: %s", dialect,
                 orm_error_name(rc), orm_error_text(orm_db_error(f->db)));
    if (took > 5.0)
        fail_msg("[%s] the cancel took %.1f s", dialect, took);
    assert_int_equal(orm_db_error(f->db)->code, ORM_ECANCELLED);
    assert_non_null(strstr(orm_error_text(orm_db_error(f->db)), "cancelled"));
    /* The same connection answers, through the ORM and raw SQL. */
    assert_int_equal(raw_int(f->db, "SELECT 40 + 2"), 42);
    assert_int_equal(count_where(f, &Account, "note = 'Grüße'"), 1);
    /* Nothing runs: a cancel now stops nothing later. */
    assert_int_equal(orm_db_cancel(f->db, NULL), 0);
    assert_int_equal(raw_int(f->db, "SELECT 6 * 7"), 42);
}

/* A commit waiting for another transaction's lock, cancelled: nothing
 * written, every pending change kept, and the next commit writes them. */
static void test_cancelled_commit_keeps_every_pending_change(void **state)
{
    fixture *f = *state;
    orm_record *rec = add_account(f, "Wartend", "vorher", 1);
    CHECK(f->s, orm_session_commit(f->s));
    orm_open_options opts = ORM_OPEN_OPTIONS_INIT;
    opts.busy_timeout_ms = 60000; /* SQLite would wait a minute */
    orm_db *db = NULL, *holder = open_db();
    if (orm_db_open(&db, url, &opts) != 0)
        fail_msg("cannot open: %s", orm_error_text(orm_db_error(db)));
    for (size_t i = 0; i < sizeof all_models / sizeof all_models[0]; i++)
        assert_int_equal(orm_db_register(db, all_models[i]), 0);
    orm_session *s = NULL;
    orm_record *mine = NULL, *added = NULL;
    orm_value key = orm_value_int(id_of(rec));
    orm_error err = ORM_ERROR_INIT;
    char sql[128];
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(orm_session_get(s, &Account, &key, &mine), ORM_ROW);
    assert_int_equal(orm_record_set_text(mine, "note", "Größe ÄNDERN", &err),
                     0);
    assert_int_equal(orm_record_new(&added, &Account), 0);
    assert_int_equal(orm_record_set_text(added, "handle", "Neu-Ölig", &err), 0);
    assert_int_equal(orm_session_add(s, added), 0);

    snprintf(sql, sizeof sql,
             "UPDATE conf_accounts SET score = score WHERE id = %lld",
             (long long)id_of(rec));
    if (db_begin(holder) != 0 || db_exec(holder, sql) != 0)
        fail_msg("holder: %s", orm_error_text(orm_db_error(holder)));
    canceller c;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    canceller_start(&c, db);
    int rc = orm_session_commit(s);
    double took = seconds_since(&start);
    canceller_stop(&c);
    assert_int_equal(db_rollback(holder), 0);
    const char *msg = orm_error_text(orm_session_error(s));
    if (rc != ORM_ECANCELLED)
        fail_msg("[%s] commit gave %s: %s", dialect, orm_error_name(rc), msg);
    if (took > 5.0)
        fail_msg("[%s] the cancel took %.1f s", dialect, took);
    if (!strstr(msg, "cancelled") || !strstr(msg, "your changes are kept"))
        fail_msg("[%s] unclear message: %s", dialect, msg);
    assert_int_equal(orm_session_pending_count(s), 2);
    assert_string_equal(text_of(mine, "note"), "Größe ÄNDERN");
    assert_int_equal(count_where(f, &Account, "note = 'vorher'"), 1);
    assert_int_equal(count_where(f, &Account, "handle = 'Neu-Ölig'"), 0);

    CHECK(s, orm_session_commit(s));
    assert_int_equal(orm_session_pending_count(s), 0);
    assert_int_equal(count_where(f, &Account, "note = 'Größe ÄNDERN'"), 1);
    assert_int_equal(count_where(f, &Account, "handle = 'Neu-Ölig'"), 1);
    orm_error_clear(&err);
    orm_session_free(s);
    orm_db_free(holder);
    orm_db_free(db);
}

/* ---- any locale ---- */

/* The same table seen with the number types swapped: a NUMERIC read as
 * Float, a DOUBLE read as Numeric (text), as schemas orb did not write
 * often are. */
static const orm_column swapped_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "ratio", .type = ORM_NUMERIC},
    {.name = "price", .type = ORM_FLOAT},
};
static const orm_model Swapped =
    ORM_MODEL("Swapped", "conf_typed", swapped_columns);

static orm_record **typed_rows(orm_session *s, const orm_model *m,
                               const char *where, size_t *n)
{
    orm_query *q = NULL;
    orm_record **rows = NULL;
    assert_int_equal(orm_query_new(&q, s, m), 0);
    if (where && orm_query_where(q, where) != 0)
        fail_msg("[%s] where %s: %s", dialect, where,
                 orm_error_text(orm_query_error(q)));
    assert_int_equal(orm_query_order_by(q, "id", 0), 0);
    if (orm_query_all(q, &rows, n) != 0)
        fail_msg("[%s] %s: %s", dialect, where ? where : "all rows",
                 orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    return rows;
}

static void assert_ids(orm_session *s, const char *where, const char *want)
{
    size_t n = 0;
    orm_record **rows = typed_rows(s, &Typed, where, &n);
    orm_buf b = ORM_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            orm_buf_appendc(&b, ' ');
        orm_buf_append_int(&b, id_of(rows[i]));
    }
    if (strcmp(orm_buf_str(&b), want) != 0)
        fail_msg("[%s] where %s: got ids '%s', want '%s'", dialect, where,
                 orm_buf_str(&b), want);
    orm_buf_free(&b);
    free(rows);
}

/* A host program may run in any locale (orb's own TUI sets LC_CTYPE):
 * Float and Numeric values, filters with decimals and dates are written,
 * read and compared the same under a comma-decimal German locale. */
static void test_numbers_and_dates_in_a_comma_locale(void **state)
{
    fixture *f = *state;
    static const struct {
        double ratio;
        const char *price, *exact, *day, *at;
    } rows[] = {
        {7.75, "7.75", "7.75", "2024-03-31", "2024-12-24 18:30:00.25"},
        {9.95, "9.95", "7.5", "2024-02-29", "2024-10-27 02:30:00"},
        {-0.1, "-0.10", "-0.1", "1999-12-31", "1999-12-31 23:59:59.999999"},
        {1e-300, "0.01", "0.0000000001", "2000-01-01", "2000-01-01 00:00:00"},
        {1.7976931348623157e308, "12345678.99",
         "12345678901234567890.0123456789", "9999-12-31",
         "2038-01-19 03:14:08"},
        {-123456789.125, "-12345678.99", "-7.25", "0001-01-01",
         "1970-01-01 00:00:00"},
    };
    size_t nrows = sizeof rows / sizeof rows[0];
    char *saved = helper_locale_comma();
    orm_error err = ORM_ERROR_INIT;

    for (size_t i = 0; i < nrows; i++) {
        orm_record *rec = NULL;
        assert_int_equal(orm_record_new(&rec, &Typed), 0);
        orm_value id = orm_value_int((int64_t)i + 1);
        orm_value ratio = orm_value_float(rows[i].ratio);
        assert_int_equal(orm_record_set(rec, "id", &id, &err), 0);
        assert_int_equal(orm_record_set(rec, "ratio", &ratio, &err), 0);
        /* typed as a person would: '.' whatever the locale */
        if (orm_record_set_text(rec, "price", rows[i].price, &err) ||
            orm_record_set_text(rec, "exact", rows[i].exact, &err) ||
            orm_record_set_text(rec, "day", rows[i].day, &err) ||
            orm_record_set_text(rec, "at", rows[i].at, &err))
            fail_msg("[%s] row %zu: %s", dialect, i, orm_error_text(&err));
        CHECK(f->s, orm_session_add(f->s, rec));
    }
    CHECK(f->s, orm_session_commit(f->s));

    orm_session *s2 = NULL;
    assert_int_equal(orm_session_new(&s2, f->db), 0);
    size_t n = 0;
    orm_record **got = typed_rows(s2, &Typed, NULL, &n);
    assert_int_equal(n, nrows);
    for (size_t i = 0; i < n; i++) {
        const orm_value *ratio = orm_record_get(got[i], "ratio");
        assert_int_equal(ratio->kind, ORM_VFLOAT);
        if (ratio->u.f != rows[i].ratio)
            fail_msg("[%s] ratio %.17g read back as %.17g", dialect,
                     rows[i].ratio, ratio->u.f);
        char *price = orm_value_format(orm_record_get(got[i], "price"),
                                       orm_model_column(&Typed, "price"));
        char want_price[32];
        /* Numeric(10,2) keeps two decimals */
        snprintf(want_price, sizeof want_price, "%s%s", rows[i].price,
                 strchr(rows[i].price, '.')[2] ? "" : "0");
        assert_string_equal(price, want_price);
        free(price);
        assert_string_equal(text_of(got[i], "day"), rows[i].day);
        assert_string_equal(text_of(got[i], "at"), rows[i].at);
    }
    free(got);
    char *shown =
        orm_value_format(&(orm_value){.kind = ORM_VFLOAT, .u.f = 9.95},
                         orm_model_column(&Typed, "ratio"));
    assert_string_equal(shown, "9.95");
    free(shown);

    /* filters with decimals and dates */
    assert_ids(s2, "ratio > 9.5", "2 5");
    assert_ids(s2, "ratio = 7.75", "1");
    assert_ids(s2, "ratio < -0.05 and ratio > -1.5", "3");
    assert_ids(s2, "ratio > 0 and ratio < 1e-299", "4");
    assert_ids(s2, "price > 9.5", "2 5");
    assert_ids(s2, "price between 7.5 and 9.95", "1 2");
    assert_ids(s2, "price in (-0.1, 0.01)", "3 4");
    assert_ids(s2, "day > '2024-03-01' and day < '2024-04-01'", "1");
    assert_ids(s2, "at >= '2024-12-24 18:30:00.25' and at < '2025-01-01'", "1");
    assert_ids(s2, "at <= '1999-12-31 23:59:59.999999' and at > '1999-01-01'",
               "3");

    /* keyset paging after a decimal key: rows strictly after 7.5 */
    orm_query *q = NULL;
    orm_value key[2] = {orm_value_text("7.5"), orm_value_int(2)};
    assert_int_equal(orm_query_new(&q, s2, &Typed), 0);
    assert_int_equal(orm_query_order_by(q, "exact", 0), 0);
    assert_int_equal(orm_query_after(q, key), 0);
    orm_record **after = NULL;
    assert_int_equal(orm_query_all(q, &after, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(id_of(after[0]), 1);
    assert_int_equal(id_of(after[1]), 5);
    free(after);
    orm_query_free(q);

    /* the other way round: NUMERIC read as Float, DOUBLE as Numeric */
    orm_session *s3 = NULL;
    assert_int_equal(orm_session_new(&s3, f->db), 0);
    got = typed_rows(s3, &Swapped, "id <= 3", &n);
    assert_int_equal(n, 3);
    static const char *const ratio_text[] = {"7.75", "9.95", "-0.1"};
    static const double price_float[] = {7.75, 9.95, -0.1};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(text_of(got[i], "ratio"), ratio_text[i]);
        const orm_value *price = orm_record_get(got[i], "price");
        assert_int_equal(price->kind, ORM_VFLOAT);
        assert_true(price->u.f == price_float[i]);
    }
    free(got);
    orm_session_free(s3);
    orm_session_free(s2);
    orm_error_clear(&err);
    helper_locale_restore(saved);
}

/* ---- column summaries ---- */

static void test_column_summary(void **state)
{
    fixture *f = *state;
    static const int scores[] = {5, 5, 7, -1, -1, -1, 3, 7, 5};
    char handle[32];
    for (size_t i = 0; i < sizeof scores / sizeof *scores; i++) {
        snprintf(handle, sizeof handle, "sum_%zu", i);
        add_account(f, handle, i % 2 ? "Äpfel" : "äpfel", scores[i]);
    }
    CHECK(f->s, orm_session_commit(f->s));
    orm_query *q = NULL;
    orm_column_summary sum;
    assert_int_equal(orm_query_new(&q, f->s, &Account), 0);
    CHECK(f->s, orm_query_summary(q, "score", 2, &sum));
    assert_int_equal(sum.rows, 9);
    assert_int_equal(sum.nulls, 3);
    assert_int_equal(sum.distinct, 3);
    assert_int_equal(sum.min.kind, ORM_VINT);
    assert_int_equal(sum.min.u.i, 3);
    assert_int_equal(sum.max.u.i, 7);
    /* 5 three times, then 7 twice; 3 is left out by the limit. */
    assert_int_equal(sum.ntop, 2);
    assert_int_equal(sum.top[0].value.u.i, 5);
    assert_int_equal(sum.top[0].count, 3);
    assert_int_equal(sum.top[1].value.u.i, 7);
    assert_int_equal(sum.top[1].count, 2);
    orm_column_summary_clear(&sum);
    /* Text apart by case, under a filter; a tie comes in code point
     * order ('Ä' U+00C4 before 'ä' U+00E4). */
    assert_int_equal(orm_query_where(q, "score = 5 or score = 7"), 0);
    CHECK(f->s, orm_query_summary(q, "note", 10, &sum));
    assert_int_equal(sum.rows, 5);
    assert_int_equal(sum.distinct, 2);
    assert_int_equal(sum.ntop, 2);
    assert_int_equal(sum.top[0].count, 3);
    assert_memory_equal(sum.top[0].value.u.s.ptr, "\xC3\xA4pfel", 6);
    assert_int_equal(sum.top[1].count, 2);
    assert_memory_equal(sum.top[1].value.u.s.ptr, "\xC3\x84pfel", 6);
    assert_memory_equal(sum.min.u.s.ptr, "\xC3\x84pfel", 6);
    assert_memory_equal(sum.max.u.s.ptr, "\xC3\xA4pfel", 6);
    orm_column_summary_clear(&sum);
    /* Nothing matched: zeros and NULL. */
    assert_int_equal(orm_query_where(q, "score = 1000"), 0);
    CHECK(f->s, orm_query_summary(q, "score", 5, &sum));
    assert_int_equal(sum.rows, 0);
    assert_int_equal(sum.ntop, 0);
    assert_int_equal(sum.min.kind, ORM_VNULL);
    orm_column_summary_clear(&sum);
    assert_int_equal(orm_query_summary(q, "no_such", 5, &sum), ORM_EINVALID);
    assert_non_null(strstr(orm_error_text(orm_query_error(q)), "no_such"));
    orm_query_free(q);
}

/* ---- a commit of many mixed changes ---- */

/* Changes that share no statement: inserts and updates alternate their
 * shape (a note or not; the note or the score changed), so each is its
 * own INSERT or UPDATE. On PostgreSQL they still go out together
 * (pipeline mode); everywhere a guard that fails in the middle, or a
 * duplicate key in the middle, undoes all of them, names its record and
 * keeps every change pending. Non-ASCII, mixed-case text throughout. */
enum { MIXED_OLD = 60, MIXED_NEW = 40 };

typedef struct mixed {
    orm_record *old[MIXED_OLD];
    orm_record *added[MIXED_NEW];
} mixed;

static void mixed_load(fixture *f, mixed *mx)
{
    char text[64];
    for (int i = 0; i < MIXED_OLD; i++) {
        snprintf(text, sizeof text, "Straße-%02d", i);
        mx->old[i] = add_account(f, text, i % 2 ? "Übel" : NULL, i);
    }
    CHECK(f->s, orm_session_commit(f->s));
}

/* Updates of old[0..49] (alternating columns), deletes of old[50..59],
 * inserts added[] (alternating shapes). */
static void mixed_change(fixture *f, mixed *mx)
{
    char text[64];
    orm_error err = ORM_ERROR_INIT;
    for (int i = 0; i < 50; i++) {
        if (i % 2) {
            snprintf(text, sizeof text, "Ärger über Öl %d", i);
            assert_int_equal(
                orm_record_set_text(mx->old[i], "note", text, &err), 0);
        } else {
            orm_value v = orm_value_int(1000 + i);
            assert_int_equal(orm_record_set(mx->old[i], "score", &v, &err), 0);
        }
    }
    for (int i = 50; i < MIXED_OLD; i++)
        CHECK(f->s, orm_session_delete(f->s, mx->old[i]));
    for (int i = 0; i < MIXED_NEW; i++) {
        snprintf(text, sizeof text, "NeuÉ-%02d", i);
        mx->added[i] = add_account(f, text, i % 2 ? "ñandú" : NULL, i);
    }
    orm_error_clear(&err);
}

/* Nothing of mixed_change reached the database. */
static void mixed_assert_untouched(fixture *f, const mixed *mx)
{
    assert_int_equal(count_where(f, &Account, NULL), MIXED_OLD);
    assert_int_equal(count_where(f, &Account, "handle startswith 'NeuÉ'"), 0);
    assert_int_equal(count_where(f, &Account, "note startswith 'Ärger'"), 0);
    assert_int_equal(count_where(f, &Account, "score >= 1000"), 0);
    assert_int_equal(orm_session_pending_count(f->s), 50 + 10 + MIXED_NEW);
    for (int i = 0; i < MIXED_NEW; i++)
        assert_int_equal(orm_record_get(mx->added[i], "id")->kind, ORM_VNULL);
}

static void test_mixed_commit_fails_whole_and_names_its_record(void **state)
{
    fixture *f = *state;
    mixed mx;
    orm_error err = ORM_ERROR_INIT;
    mixed_load(f, &mx);
    mixed_change(f, &mx);

    /* Someone else changes row 25's note (mine changes it too). */
    orm_db *other_db = open_db();
    orm_session *other = NULL;
    orm_record *theirs = NULL;
    orm_value key = orm_value_int(id_of(mx.old[25]));
    assert_int_equal(orm_session_new(&other, other_db), 0);
    assert_int_equal(orm_session_get(other, &Account, &key, &theirs), ORM_ROW);
    assert_int_equal(orm_record_set_text(theirs, "note", "Ihre Änderung", &err),
                     0);
    CHECK(other, orm_session_commit(other));
    assert_int_equal(orm_session_commit(f->s), ORM_ECONFLICT);
    assert_ptr_equal(orm_session_failed_record(f->s), mx.old[25]);
    mixed_assert_untouched(f, &mx);
    assert_int_equal(count_where(f, &Account, "note = 'Ihre Änderung'"), 1);
    assert_string_equal(text_of(mx.old[25], "note"), "Ärger über Öl 25");

    /* Take their row and keep my edit; now insert 20 takes a handle that
     * exists (in another case it would be a new one). */
    assert_int_equal(orm_session_rebase(f->s, mx.old[25]), 0);
    assert_int_equal(
        orm_record_set_text(mx.added[20], "handle", "Straße-03", &err), 0);
    assert_int_equal(orm_session_commit(f->s), ORM_EUNIQUE);
    assert_ptr_equal(orm_session_failed_record(f->s), mx.added[20]);
    assert_string_equal(orm_session_error(f->s)->message,
                        "Account.handle: \"Straße-03\" is already taken");
    mixed_assert_untouched(f, &mx);

    /* Fixed, the commit writes everything, each insert with its own key. */
    assert_int_equal(
        orm_record_set_text(mx.added[20], "handle", "STRASSE-03", &err), 0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(orm_session_pending_count(f->s), 0);
    assert_int_equal(count_where(f, &Account, NULL), 50 + MIXED_NEW);
    assert_int_equal(count_where(f, &Account, "note startswith 'Ärger'"), 25);
    assert_int_equal(count_where(f, &Account, "score >= 1000"), 25);
    assert_int_equal(count_where(f, &Account, "note = 'ñandú'"), MIXED_NEW / 2);
    orm_session *check = NULL;
    assert_int_equal(orm_session_new(&check, f->db), 0);
    for (int i = 0; i < MIXED_NEW; i++) {
        orm_record *got = NULL;
        orm_value id = orm_value_int(id_of(mx.added[i]));
        for (int j = 0; j < i; j++)
            assert_true(id_of(mx.added[j]) != id.u.i);
        assert_int_equal(orm_session_get(check, &Account, &id, &got), ORM_ROW);
        assert_string_equal(text_of(got, "handle"),
                            text_of(mx.added[i], "handle"));
        if (i % 2)
            assert_string_equal(text_of(got, "note"), "ñandú");
        else
            assert_null(text_of(got, "note"));
        /* The generated secret came back too. */
        assert_non_null(text_of(mx.added[i], "secret_key"));
    }
    orm_session_free(check);
    orm_session_free(other);
    orm_db_free(other_db);
    orm_error_clear(&err);
}

/* ---- round trips, counted on the wire ---- */

/* A TCP relay between orb and the server that counts round trips: each
 * time the client sends after the server has answered (its first send
 * too). Only what the client waited for is counted; the pipeline's own
 * writes, however many segments, are one. */
typedef struct relay {
    int listen_fd, port;
    char upstream_host[256];
    int upstream_port;
    pthread_t thread;
    pthread_mutex_t lock;
    long round_trips;
} relay;

static int relay_write_all(int fd, const char *p, ssize_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, (size_t)n);
        if (w <= 0)
            return -1;
        p += w;
        n -= w;
    }
    return 0;
}

static void *relay_run(void *payload)
{
    relay *r = payload;
    int client = accept(r->listen_fd, NULL, NULL);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)r->upstream_port)};
    int answered = 1;
    char buf[65536];
    inet_pton(AF_INET, r->upstream_host, &to.sin_addr);
    if (client < 0 || server < 0 ||
        connect(server, (struct sockaddr *)&to, sizeof to) != 0)
        goto done;
    for (;;) {
        struct pollfd pfd[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (poll(pfd, 2, -1) < 0)
            break;
        if (pfd[0].revents) {
            ssize_t n = read(client, buf, sizeof buf);
            if (n <= 0)
                break;
            pthread_mutex_lock(&r->lock);
            if (answered)
                r->round_trips++;
            answered = 0;
            pthread_mutex_unlock(&r->lock);
            if (relay_write_all(server, buf, n))
                break;
        }
        if (pfd[1].revents) {
            ssize_t n = read(server, buf, sizeof buf);
            if (n <= 0)
                break;
            pthread_mutex_lock(&r->lock);
            answered = 1;
            pthread_mutex_unlock(&r->lock);
            if (relay_write_all(client, buf, n))
                break;
        }
    }
done:
    if (client >= 0)
        close(client);
    if (server >= 0)
        close(server);
    return NULL;
}

static long relay_round_trips(relay *r)
{
    pthread_mutex_lock(&r->lock);
    long n = r->round_trips;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* Start a relay to the server of `url` (scheme://user:pw@host:port/db...)
 * and write the same URL through the relay into `out`. */
static void relay_start(relay *r, const char *server_url, char *out,
                        size_t size)
{
    const char *at = strrchr(server_url, '@');
    assert_non_null(at);
    const char *colon = strchr(at, ':'), *slash = strchr(at, '/');
    assert_true(colon && slash && colon < slash);
    memset(r, 0, sizeof *r);
    snprintf(r->upstream_host, sizeof r->upstream_host, "%.*s",
             (int)(colon - at - 1), at + 1);
    r->upstream_port = atoi(colon + 1);
    pthread_mutex_init(&r->lock, NULL);
    r->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t len = sizeof addr;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    assert_int_equal(bind(r->listen_fd, (struct sockaddr *)&addr, sizeof addr),
                     0);
    assert_int_equal(listen(r->listen_fd, 1), 0);
    assert_int_equal(getsockname(r->listen_fd, (struct sockaddr *)&addr, &len),
                     0);
    r->port = ntohs(addr.sin_port);
    snprintf(out, size, "%.*s@127.0.0.1:%d%s", (int)(at - server_url),
             server_url, r->port, slash);
    assert_int_equal(pthread_create(&r->thread, NULL, relay_run, r), 0);
}

static void relay_stop(relay *r)
{
    pthread_join(r->thread, NULL);
    close(r->listen_fd);
    pthread_mutex_destroy(&r->lock);
}

/* A commit of 100 updates, 20 inserts and 10 deletes, none sharing a
 * statement, costs a fixed number of round trips on PostgreSQL (BEGIN and
 * the statements in one pipeline, then COMMIT), not one per change.
 * MariaDB's client library has no pipeline for statements with bound
 * parameters (see drivers/mysql/mysql.c); SQLite has no network. */
static void test_commit_round_trips_do_not_grow_with_changes(void **state)
{
    fixture *f = *state;
    enum { OLD = 110 };
    orm_record *recs[OLD];
    char text[64], relayed[sizeof url];
    orm_error err = ORM_ERROR_INIT;
    if (strcmp(dialect, "postgresql") != 0)
        return;
    relay r;
    relay_start(&r, url, relayed, sizeof relayed);
    orm_db *db = NULL;
    orm_session *s = NULL;
    if (orm_db_open(&db, relayed, NULL))
        fail_msg("through the relay: %s", orm_error_text(orm_db_error(db)));
    assert_int_equal(orm_db_register(db, &Account), 0);
    assert_int_equal(orm_session_new(&s, db), 0);
    for (int i = 0; i < OLD; i++) {
        snprintf(text, sizeof text, "Zähler-%03d", i);
        assert_int_equal(orm_record_new(&recs[i], &Account), 0);
        assert_int_equal(orm_record_set_text(recs[i], "handle", text, &err), 0);
        CHECK(s, orm_session_add(s, recs[i]));
    }
    CHECK(s, orm_session_commit(s));
    for (int i = 0; i < 100; i++) {
        snprintf(text, sizeof text, "Öffnung %d", i);
        assert_int_equal(orm_record_set_text(recs[i], i % 2 ? "note" : "score",
                                             i % 2 ? text : "7", &err),
                         0);
    }
    for (int i = 100; i < OLD; i++)
        CHECK(s, orm_session_delete(s, recs[i]));
    for (int i = 0; i < 20; i++) {
        orm_record *rec = NULL;
        snprintf(text, sizeof text, "NEU-ß-%02d", i);
        assert_int_equal(orm_record_new(&rec, &Account), 0);
        assert_int_equal(orm_record_set_text(rec, "handle", text, &err), 0);
        if (i % 2)
            assert_int_equal(orm_record_set_text(rec, "note", "é", &err), 0);
        CHECK(s, orm_session_add(s, rec));
    }
    long before = relay_round_trips(&r);
    CHECK(s, orm_session_commit(s));
    long used = relay_round_trips(&r) - before;
    if (used > 4)
        fail_msg("a commit of 130 changes took %ld round trips", used);
    orm_session_free(s);
    orm_db_free(db);
    relay_stop(&r);
    assert_int_equal(count_where(f, &Account, "note startswith 'Öffnung'"), 50);
    assert_int_equal(count_where(f, &Account, "score = 7"), 50);
    assert_int_equal(count_where(f, &Account, NULL), 100 + 20);
    orm_error_clear(&err);
}

/* ---- many rows of one shape: one statement for them all ---- */

/* An account with its key given (so that its insert reads nothing back):
 * note NULL for every third. */
static orm_record *bulk_account(orm_session *s, int64_t id, const char *handle,
                                int i)
{
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    char note[64];
    orm_value key = orm_value_int(id);
    snprintf(note, sizeof note, "Öl-Ärger %d", i);
    assert_int_equal(orm_record_new(&rec, &Account), 0);
    assert_int_equal(orm_record_set(rec, "id", &key, &err), 0);
    assert_int_equal(orm_record_set_text(rec, "handle", handle, &err), 0);
    if (i % 3) {
        orm_value v = orm_value_text(note);
        assert_int_equal(orm_record_set(rec, "note", &v, &err), 0);
    }
    CHECK(s, orm_session_add(s, rec));
    orm_error_clear(&err);
    return rec;
}

/* `n` accounts committed, then `n` of them changed (note and score; every
 * third note set to NULL, every third loaded note NULL), `n` others
 * deleted and `n` new ones added, all in one commit on `s`: the round
 * trips `trips` counted for that commit. Ids from `base`. */
static long bulk_commit_trips(orm_session *s, test_trips *trips, int n,
                              int64_t base)
{
    char handle[64], note[64];
    orm_error err = ORM_ERROR_INIT;
    orm_record **old = calloc((size_t)(2 * n), sizeof *old);
    assert_non_null(old);
    for (int i = 0; i < 2 * n; i++) {
        snprintf(handle, sizeof handle, "Zähler-%lld", (long long)(base + i));
        old[i] = bulk_account(s, base + i, handle, i);
    }
    CHECK(s, orm_session_commit(s));
    for (int i = 0; i < n; i++) {
        snprintf(note, sizeof note, "Größe ÄNDERN %d", i);
        orm_value v = i % 3 == 1 ? orm_value_null() : orm_value_text(note);
        orm_value score = orm_value_int(1000 + i);
        assert_int_equal(orm_record_set(old[i], "note", &v, &err), 0);
        assert_int_equal(orm_record_set(old[i], "score", &score, &err), 0);
    }
    for (int i = n; i < 2 * n; i++)
        CHECK(s, orm_session_delete(s, old[i]));
    for (int i = 0; i < n; i++) {
        snprintf(handle, sizeof handle, "NEU-ß-%lld",
                 (long long)(base + 2 * n + i));
        bulk_account(s, base + 2 * n + i, handle, i);
    }
    long before = test_trips_count(trips);
    CHECK(s, orm_session_commit(s));
    long used = test_trips_count(trips) - before;
    assert_int_equal(orm_session_pending_count(s), 0);
    free(old);
    orm_error_clear(&err);
    return used;
}

/* A commit of many guarded updates, deletes and inserts costs the same
 * round trips for 100 of each as for 1,000: MariaDB runs the statement
 * of one shape for all its rows in one bulk execution (START
 * TRANSACTION, one per shape, COMMIT). A first commit of each shape
 * prepares its statements first: a statement prepared and executed in
 * one go (execute-direct) is one round trip, but the proxy counts two
 * when the server answers the prepare while a long execute is still
 * being written. PostgreSQL's pipeline is held to its budget by
 * test_commit_round_trips_do_not_grow_with_changes (for the same reason:
 * a pipeline this large may be answered while it is written); SQLite has
 * no network. */
static void test_commit_of_many_rows_costs_the_same_round_trips(void **state)
{
    fixture *f = *state;
    if (strcmp(dialect, "mysql") != 0)
        return;
    char *proxied = NULL;
    test_trips *trips = test_trips_start(url, &proxied);
    orm_db *db = NULL;
    orm_session *s = NULL;
    if (orm_db_open(&db, proxied, NULL))
        fail_msg("through the proxy: %s", orm_error_text(orm_db_error(db)));
    assert_int_equal(orm_db_register(db, &Account), 0);
    assert_int_equal(orm_session_new(&s, db), 0);
    bulk_commit_trips(s, trips, 3, 1000000);
    long small = bulk_commit_trips(s, trips, 100, 1);
    long large = bulk_commit_trips(s, trips, 1000, 100000);
    orm_session_free(s);
    orm_db_free(db);
    test_trips_stop(trips);
    free(proxied);
    if (small != large || large > 5)
        fail_msg("a commit of 300 changes took %ld round trips, of 3000 "
                 "%ld (want the same, at most 5)",
                 small, large);
    /* Each run left its n changed rows and its n new ones. */
    assert_int_equal(count_where(f, &Account, "id < 1000000"),
                     2 * 100 + 2 * 1000);
    assert_int_equal(count_where(f, &Account, "score >= 1000 and id < 1000000"),
                     100 + 1000);
    assert_int_equal(
        count_where(f, &Account,
                    "note startswith 'Größe ÄNDERN' and id < 1000000"),
        (100 - 33) + (1000 - 333));
    assert_int_equal(
        count_where(f, &Account,
                    "score >= 1000 and note is null and id < 1000000"),
        33 + 333);
    assert_int_equal(
        count_where(f, &Account, "handle startswith 'NEU-ß-' and id < 1000000"),
        100 + 1000);
    assert_int_equal(count_where(f, &Account,
                                 "id = 100500 and note = "
                                 "'Größe ÄNDERN 500'"),
                     1);
    assert_int_equal(count_where(f, &Account, "id = 101500"), 0);
    assert_int_equal(count_where(f, &Account,
                                 "id = 102500 and note = "
                                 "'Öl-Ärger 500'"),
                     1);
}

/* A run of rows whose values pass what one message carries (MariaDB: a
 * bulk execution goes in several below 1 MiB) still writes every row and
 * checks every guard: 1,200 notes of about 1.9 kB, NULL for every tenth,
 * the first message prepared with its execution, the others not. */
static void test_commit_longer_than_one_message_writes_every_row(void **state)
{
    fixture *f = *state;
    enum { N = 1200 };
    static orm_record *recs[N];
    static char note[2048];
    char handle[64];
    orm_error err = ORM_ERROR_INIT;
    for (int i = 0; i < N; i++) {
        snprintf(handle, sizeof handle, "Lang-%d", i);
        recs[i] = bulk_account(f->s, 1 + i, handle, i);
    }
    CHECK(f->s, orm_session_commit(f->s));
    for (int i = 0; i < N; i++) {
        int n = snprintf(note, sizeof note, "Größe %04d ", i);
        while (n < 1900)
            n += snprintf(note + n, sizeof note - (size_t)n, "äÖü");
        orm_value v = i % 10 == 7 ? orm_value_null() : orm_value_text(note);
        assert_int_equal(orm_record_set(recs[i], "note", &v, &err), 0);
    }
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, &Account, "note startswith 'Größe '"),
                     N - N / 10);
    assert_int_equal(count_where(f, &Account, "note is null"), N / 10);
    assert_int_equal(
        count_where(f, &Account, "note startswith 'Größe 1199 äÖüäÖü'"), 1);
    orm_error_clear(&err);
}

/* A row another connection changed in the middle of 600 updates that
 * share one statement (on MariaDB one bulk execution, whose only answer
 * is the total of rows matched) is found and named by the rerun row by
 * row; nothing is written and every change stays pending. So is an
 * insert whose handle is taken in the middle of 50 sharing one. Then the
 * commit writes everything. */
static void test_conflict_inside_many_rows_names_its_row(void **state)
{
    fixture *f = *state;
    enum { N = 600 };
    orm_record *recs[N + 100], *added[50];
    char handle[64], note[64];
    orm_error err = ORM_ERROR_INIT;
    for (int i = 0; i < N + 100; i++) {
        snprintf(handle, sizeof handle, "Konto-%d", i);
        recs[i] = bulk_account(f->s, 1 + i, handle, i);
    }
    CHECK(f->s, orm_session_commit(f->s));
    for (int i = 0; i < N; i++) {
        snprintf(note, sizeof note, "Mein Wert %d", i);
        orm_value v = i % 3 == 1 ? orm_value_null() : orm_value_text(note);
        assert_int_equal(orm_record_set(recs[i], "note", &v, &err), 0);
    }
    for (int i = N; i < N + 100; i++)
        CHECK(f->s, orm_session_delete(f->s, recs[i]));
    for (int i = 0; i < 50; i++) {
        snprintf(handle, sizeof handle, "Neu-Ü-%d", i);
        added[i] = bulk_account(f->s, 10000 + i, handle, i);
    }
    size_t pending = orm_session_pending_count(f->s);
    assert_int_equal(pending, N + 100 + 50);

    orm_db *other_db = open_db();
    orm_session *other = NULL;
    orm_record *theirs = NULL;
    orm_value key = orm_value_int(1 + 301);
    assert_int_equal(orm_session_new(&other, other_db), 0);
    assert_int_equal(orm_session_get(other, &Account, &key, &theirs), ORM_ROW);
    assert_int_equal(orm_record_set_text(theirs, "note", "Ihre ÄNDERUNG", &err),
                     0);
    CHECK(other, orm_session_commit(other));

    assert_int_equal(orm_session_commit(f->s), ORM_ECONFLICT);
    assert_ptr_equal(orm_session_failed_record(f->s), recs[301]);
    assert_int_equal(orm_session_pending_count(f->s), pending);
    assert_int_equal(count_where(f, &Account, NULL), N + 100);
    assert_int_equal(count_where(f, &Account, "note startswith 'Mein Wert'"),
                     0);
    assert_int_equal(count_where(f, &Account, "handle startswith 'Neu-Ü-'"), 0);
    assert_int_equal(count_where(f, &Account, "note = 'Ihre ÄNDERUNG'"), 1);
    assert_string_equal(text_of(recs[300], "note"), "Mein Wert 300");

    /* Their row taken, my edit kept; now the 26th new account takes a
     * handle that exists, in the middle of the inserts' statement. */
    assert_int_equal(orm_session_rebase(f->s, recs[301]), 0);
    assert_int_equal(orm_record_set_text(added[25], "handle", "Konto-42", &err),
                     0);
    assert_int_equal(orm_session_commit(f->s), ORM_EUNIQUE);
    assert_ptr_equal(orm_session_failed_record(f->s), added[25]);
    assert_string_equal(orm_session_error(f->s)->message,
                        "Account.handle: \"Konto-42\" is already taken");
    assert_int_equal(orm_session_pending_count(f->s), pending);
    assert_int_equal(count_where(f, &Account, NULL), N + 100);
    assert_int_equal(count_where(f, &Account, "note startswith 'Mein Wert'"),
                     0);

    assert_int_equal(
        orm_record_set_text(added[25], "handle", "Neu-Ü-KONTO-42", &err), 0);
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(orm_session_pending_count(f->s), 0);
    assert_int_equal(count_where(f, &Account, NULL), N + 50);
    assert_int_equal(count_where(f, &Account, "note startswith 'Mein Wert'"),
                     N - N / 3);
    assert_int_equal(count_where(f, &Account, "id < 1000 and note is null"),
                     N / 3);
    assert_int_equal(count_where(f, &Account,
                                 "id = 302 and note = "
                                 "'Mein Wert 301'"),
                     0); /* 301 % 3 == 1: mine sets it NULL */
    assert_int_equal(count_where(f, &Account, "id = 302 and note is null"), 1);
    assert_int_equal(count_where(f, &Account, "handle startswith 'Neu-Ü-'"),
                     50);
    orm_session_free(other);
    orm_db_free(other_db);
    orm_error_clear(&err);
}

int main(int argc, char **argv)
{
    const char *env = NULL;
    dialect = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(dialect, "sqlite") == 0) {
        char dir[] = "/tmp/orb-conf-XXXXXX";
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(url, sizeof url, "sqlite:///%s/conformance.db", dir);
    } else {
        if (test_servers_skipped(argv[0]))
            return TEST_SERVERS_SKIPPED;
        env = getenv(strcmp(dialect, "postgresql") == 0 ? "ORB_TEST_PG_URL"
                                                        : "ORB_TEST_MYSQL_URL");
        if (!env || !*env) {
            fprintf(stderr,
                    "conformance %s: ORB_TEST_%s_URL is not set; run the "
                    "tests through scripts/with-servers.sh (make check)\n",
                    dialect,
                    strcmp(dialect, "postgresql") == 0 ? "PG" : "MYSQL");
            return 1;
        }
        snprintf(url, sizeof url, "%s", env);
    }
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_seed_flow),
        T(test_every_operator),
        T(test_ignoring_case_folds_non_ascii),
        T(test_column_summary),
        T(test_null_is_not_empty),
        T(test_injection_is_literal),
        T(test_odd_identifiers_are_quoted),
        T(test_types_round_trip),
        T(test_batched_changes_guard_every_type),
        T(test_composite_keys),
        T(test_unique_violation_keeps_pending_and_retry_works),
        T(test_not_null_violation_from_database),
        T(test_foreign_keys),
        T(test_replacing_a_model_keeps_its_records_valid),
        T(test_constraint_errors_name_model_column_value),
        T(test_parent_and_child_added_together),
        T(test_many_inserts_get_their_own_keys),
        T(test_many_updates_and_deletes),
        T(test_mixed_commit_fails_whole_and_names_its_record),
        T(test_commit_round_trips_do_not_grow_with_changes),
        T(test_commit_of_many_rows_costs_the_same_round_trips),
        T(test_conflict_inside_many_rows_names_its_row),
        T(test_commit_longer_than_one_message_writes_every_row),
        T(test_failed_commit_writes_nothing),
        T(test_concurrent_update_is_a_conflict),
        T(test_commit_meeting_a_held_lock_keeps_changes),
        T(test_attached_values_guard_like_loaded_ones),
        T(test_undo_and_rollback),
        T(test_undo_group_takes_back_every_change_at_once),
        T(test_query_update_sets_every_matching_row),
        T(test_begin_batch_mismatch_commits_nothing),
        T(test_begin_batch_insert_failure_commits_nothing),
        T(test_session_generation_moves_with_pending_changes),
        T(test_begin_reads_and_writes_in_one_transaction),
        T(test_plan_shows_sql_with_masked_secrets),
        T(test_first_one_count),
        T(test_count_many_matches_count_each),
        T(test_count_many_skips_a_dropped_table),
        T(test_query_building_errors_reach_the_session),
        T(test_not_found_is_done_for_lookups_enotfound_for_needs),
        T(test_typed_getters_read_each_kind),
        T(test_one_call_first_and_all),
        T(test_own_sql_binds_every_value),
        T(test_values_other_programs_wrote_can_be_changed),
        T(test_uuid_keys_in_any_case_are_one_key),
        T(test_uuids_written_in_other_forms_are_found),
        T(test_unique_lookup_is_not_sorted),
        T(test_kept_records_outlive_expunged_neighbours),
        T(test_repeated_keys_are_one_record),
        T(test_loaded_record_edit_write_edit_again),
        T(test_repeated_query_shapes_bind_their_own_values),
        T(test_keyset_paging_with_nulls_and_ties),
        T(test_keyset_paging_two_keys_with_nulls_and_ties),
        T(test_cursor_streams_many_rows),
        T(test_create_all_reads_back_by_reflection),
        T(test_reflects_tables_it_did_not_create),
        T(test_lost_connection_keeps_changes_and_reconnects),
        T(test_cancel_stops_a_long_statement_and_the_connection_answers),
        T(test_cancelled_commit_keeps_every_pending_change),
        T(test_numbers_and_dates_in_a_comma_locale),
#undef T
    };
    char group[64];
    snprintf(group, sizeof group, "conformance_%s", dialect);
    return cmocka_run_group_tests_name(group, tests, NULL, NULL);
}
