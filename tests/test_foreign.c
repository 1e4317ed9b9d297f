/*
 * The "foreign schema" suite: tables that orb did not create, made by each
 * dialect's own SQL (tests/foreign/{sqlite,postgresql,mysql}.sql) the way
 * existing databases are: integer keys without defaults, composite keys,
 * indexes, a view, and the types real schemas use. The code here is the
 * same for every dialect (`test_foreign sqlite|postgresql|mysql`); what
 * differs per dialect is only in the scripts, including the table
 * fs_expect that says, per column of each type family, what orb must show,
 * what a write gives back, and what it must refuse.
 *
 * The network dialects use a database of their own, made by
 * scripts/with-servers.sh: on MariaDB with utf8mb4_general_ci, on
 * PostgreSQL with an ICU collation (de-DE; only the C and C.UTF-8 OS
 * locales exist on the test machines). Its URL comes from
 * ORB_TEST_PG_FOREIGN_URL / ORB_TEST_MYSQL_FOREIGN_URL.
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

#include "app.h"
#include "helper_models.h"
#include "helper_servers.h"
#include "helper_trips.h"
#include "keymap.h"
#include "orm/orm.h"
#include "internal.h"
#include "screen.h"
#include "tui.h"

static const char *dialect;
static char url[4096];

typedef struct fixture {
    orm_db *db;
    orm_session *s;
} fixture;

/* ---- the dialect's own script ---- */

static char *read_script(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/foreign/%s.sql", ORB_SOURCE_DIR,
             dialect);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    orm_buf b = ORM_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        orm_buf_appendn(&b, chunk, n);
    fclose(f);
    char *text = orm_buf_finish(&b);
    assert_non_null(text);
    return text;
}

/* Run the script statement by statement (each ends with ';' at the end of
 * a line; "--" lines are comments) on a connection of its own. */
static void run_script(void)
{
    orm_db *db = NULL;
    if (orm_db_open(&db, url, NULL))
        fail_msg("cannot open %s: %s", dialect,
                 db ? orm_error_text(orm_db_error(db)) : "?");
    char *text = read_script();
    orm_buf stmt = ORM_BUF_INIT;
    char *p = text;
    while (*p) {
        char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!(len >= 2 && p[0] == '-' && p[1] == '-')) {
            orm_buf_appendn(&stmt, p, len);
            orm_buf_appendc(&stmt, '\n');
            if (len && p[len - 1] == ';') {
                if (db_exec(db, orm_buf_str(&stmt)))
                    fail_msg("[%s] %s: %s", dialect, orm_buf_str(&stmt),
                             orm_error_text(orm_db_error(db)));
                orm_buf_reset(&stmt);
            }
        }
        p += len + (end ? 1 : 0);
    }
    orm_buf_free(&stmt);
    free(text);
    orm_db_free(db);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    run_script();
    if (orm_db_open(&f->db, url, NULL))
        fail_msg("cannot open %s", dialect);
    if (orm_db_reflect_all(f->db))
        fail_msg("reflect: %s", orm_error_text(orm_db_error(f->db)));
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
            fail_msg("[%s] %s failed (%s): %s", dialect, #call,                \
                     orm_error_name(rc_),                                      \
                     orm_error_text(orm_session_error(s)));                    \
    } while (0)

static const orm_model *model(fixture *f, const char *table)
{
    const orm_model *m = orm_db_find_model(f->db, table);
    if (!m)
        fail_msg("[%s] %s was not reflected", dialect, table);
    return m;
}

static const orm_column *column(const orm_model *m, const char *name)
{
    const orm_column *c = orm_model_column(m, name);
    if (!c)
        fail_msg("[%s] %s has no column %s", dialect, m->table, name);
    return c;
}

/* The record of `table` whose one-column key is `id`. */
static orm_record *get(fixture *f, const char *table, int64_t id)
{
    orm_record *rec = NULL;
    orm_value key = orm_value_int(id);
    int rc = orm_session_get(f->s, model(f, table), &key, &rec);
    if (rc != ORM_ROW)
        fail_msg("[%s] get %s %lld: %s", dialect, table, (long long)id,
                 orm_error_text(orm_session_error(f->s)));
    return rec;
}

/* A column of a record as text (NULL for SQL NULL), owned. */
static char *shown(const orm_record *rec, const char *col)
{
    const orm_model *m = orm_record_model(rec);
    return orm_value_format(orm_record_get(rec, col), column(m, col));
}

static void assert_shown(const orm_record *rec, const char *col,
                         const char *want)
{
    char *got = shown(rec, col);
    if (!got != !want || (got && strcmp(got, want) != 0))
        fail_msg("[%s] %s.%s shows '%s', want '%s'", dialect,
                 orm_record_model(rec)->table, col, got ? got : "(null)",
                 want ? want : "(null)");
    free(got);
}

/* A fresh session's view of the database. */
static void renew_session(fixture *f)
{
    orm_session_free(f->s);
    f->s = NULL;
    assert_int_equal(orm_session_new(&f->s, f->db), 0);
}

static int64_t count_where(fixture *f, const char *table, const char *where)
{
    orm_query *q = NULL;
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, f->s, model(f, table)), 0);
    if (where && orm_query_where(q, where))
        fail_msg("[%s] where %s: %s", dialect, where,
                 orm_error_text(orm_query_error(q)));
    if (orm_query_count(q, &n))
        fail_msg("[%s] count %s: %s", dialect, table,
                 orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    return n;
}

/* ---- keys ---- */

/* Composite keys: get, change, add and delete by both columns. */
static void composite_key_round_trip(fixture *f)
{
    orm_session *s = f->s;
    const orm_model *pt = model(f, "fs_playlist_track");
    int pk[4];
    assert_int_equal(orm_model_pk(pt, pk, 4), 2);
    orm_value key[2] = {orm_value_int(1), orm_value_int(12)};
    orm_record *rec = NULL;
    assert_int_equal(orm_session_get(s, pt, key, &rec), ORM_ROW);
    assert_shown(rec, "position", "2");
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(rec, "position", "5", &err), 0);
    orm_record *added = NULL;
    assert_int_equal(orm_record_new(&added, pt), 0);
    assert_int_equal(orm_record_set_text(added, "playlist_id", "2", &err), 0);
    assert_int_equal(orm_record_set_text(added, "track_id", "14", &err), 0);
    assert_int_equal(orm_record_set_text(added, "position", "2", &err), 0);
    CHECK(s, orm_session_add(s, added));
    orm_value gone[2] = {orm_value_int(2), orm_value_int(10)};
    orm_record *del = NULL;
    assert_int_equal(orm_session_get(s, pt, gone, &del), ORM_ROW);
    CHECK(s, orm_session_delete(s, del));
    CHECK(s, orm_session_commit(s));

    renew_session(f);
    assert_int_equal(orm_session_get(f->s, pt, key, &rec), ORM_ROW);
    assert_shown(rec, "position", "5");
    orm_value added_key[2] = {orm_value_int(2), orm_value_int(14)};
    assert_int_equal(orm_session_get(f->s, pt, added_key, &rec), ORM_ROW);
    assert_int_equal(orm_session_get(f->s, pt, gone, &rec), ORM_DONE);
    assert_int_equal(count_where(f, "fs_playlist_track", NULL), 3);
    orm_error_clear(&err);
}

/* Non-ASCII text through get, set and delete on a table orb did not make. */
static void text_round_trips(fixture *f)
{
    orm_error err = ORM_ERROR_INIT;
    orm_record *rec = get(f, "fs_artist", 3);
    assert_shown(rec, "name", "björk");
    assert_int_equal(
        orm_record_set_text(rec, "name", "Björk Guðmundsdóttir", &err), 0);
    orm_record *gone = get(f, "fs_artist", 2);
    CHECK(f->s, orm_session_delete(f->s, gone));
    CHECK(f->s, orm_session_commit(f->s));
    renew_session(f);
    assert_shown(get(f, "fs_artist", 3), "name", "Björk Guðmundsdóttir");
    orm_record *none = NULL;
    orm_value key = orm_value_int(2);
    assert_int_equal(orm_session_get(f->s, model(f, "fs_artist"), &key, &none),
                     ORM_DONE);
    assert_int_equal(count_where(f, "fs_artist", "name = 'Ελπίδα'"), 1);
    orm_error_clear(&err);
}

/* An integer key with no default, identity or sequence is the user's to
 * give: it is not reported generated, and an insert without it is refused
 * as "a value is required" before anything reaches the database. A key
 * the database does generate still is. */
static void
test_foreign__keys_without_default_are_given_by_the_user(void **state)
{
    fixture *f = *state;
    orm_session *s = f->s;
    const orm_model *artist = model(f, "fs_artist");
    const orm_model *pt = model(f, "fs_playlist_track");
    const orm_model *genre = model(f, "fs_genre");
    assert_false(orm_column_is_autoinc(artist, column(artist, "artist_id")));
    assert_false(orm_column_is_autoinc(pt, column(pt, "playlist_id")));
    assert_true(orm_column_is_autoinc(genre, column(genre, "genre_id")));

    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_new(&rec, artist), 0);
    assert_int_equal(orm_record_set_text(rec, "name", "Ümlaut Ünion", &err), 0);
    CHECK(s, orm_session_add(s, rec));
    int rc = orm_session_commit(s);
    assert_int_equal(rc, ORM_ENOTNULL);
    const orm_error *e = orm_session_error(s);
    assert_non_null(e->column);
    assert_string_equal(e->column, "artist_id");
    assert_non_null(strstr(e->message, "a value is required"));
    assert_int_equal(orm_session_pending_count(s), 1);
    /* Given a key, the same record goes in. */
    assert_int_equal(orm_record_set_text(rec, "artist_id", "7", &err), 0);
    CHECK(s, orm_session_commit(s));
    renew_session(f);
    assert_shown(get(f, "fs_artist", 7), "name", "Ümlaut Ünion");

    /* The generated key is still filled in by the database. */
    orm_record *g = NULL;
    assert_int_equal(orm_record_new(&g, genre), 0);
    assert_int_equal(orm_record_set_text(g, "name", "Électro", &err), 0);
    CHECK(f->s, orm_session_add(f->s, g));
    CHECK(f->s, orm_session_commit(f->s));
    assert_shown(g, "genre_id", "2");
    orm_error_clear(&err);

    /* Keys of more than one column, and text beyond ASCII, through get,
     * set, add and delete. */
    composite_key_round_trip(f);
    text_round_trips(f);
}

/* ---- indexes ---- */

/* One-column indexes are reflected on every dialect, as SQLite always
 * did: a plain index as ORM_INDEX, a unique index as ORM_UNIQUE. */
static void test_foreign__indexes_are_reflected(void **state)
{
    fixture *f = *state;
    const orm_model *artist = model(f, "fs_artist");
    assert_true(column(artist, "name")->flags & ORM_INDEX);
    assert_false(column(artist, "name")->flags & ORM_UNIQUE);
    assert_true(column(artist, "code")->flags & ORM_UNIQUE);
    assert_false(column(artist, "country")->flags & (ORM_INDEX | ORM_UNIQUE));
}

/* ---- views ---- */

/* A view is listed, marked as a view, browsable (filter, count, pages in
 * a repeatable order), and refuses add, change and delete with a reason
 * that says why. */
static void test_foreign__views_are_listed_browsed_and_read_only(void **state)
{
    fixture *f = *state;
    char **names = NULL;
    size_t n = 0, found = 0;
    assert_int_equal(orm_db_list_tables(f->db, &names, &n), 0);
    for (size_t i = 0; i < n; i++) {
        found += strcmp(names[i], "v_track") == 0;
        free(names[i]);
    }
    free(names);
    assert_int_equal(found, 1);

    const orm_model *v = model(f, "v_track");
    assert_true(v->is_view);
    assert_non_null(v->read_only);
    assert_non_null(strstr(v->read_only, "view"));
    assert_int_equal(count_where(f, "v_track", NULL), 5);
    assert_int_equal(count_where(f, "v_track", "artist = 'Die Ärzte'"), 2);
    assert_int_equal(count_where(f, "v_track", "title icontains 'SCHREI'"), 1);

    /* Pages of two, by OFFSET (a view has no key for keyset paging), in
     * the order of seconds: every row once, none twice. */
    orm_buf seen = ORM_BUF_INIT;
    for (int64_t off = 0;; off += 2) {
        orm_query *q = NULL;
        orm_cursor *c = NULL;
        const orm_value *row;
        assert_int_equal(orm_query_new(&q, f->s, v), 0);
        assert_int_equal(orm_query_order_by(q, "seconds", 0), 0);
        assert_int_equal(orm_query_key_width(q), 0);
        orm_query_offset(q, off);
        orm_query_limit(q, 2);
        if (orm_query_cursor(q, &c))
            fail_msg("[%s] view page: %s", dialect,
                     orm_error_text(orm_query_error(q)));
        int got = 0;
        while (orm_cursor_next(c, &row) == ORM_ROW) {
            char *id = orm_value_format(&row[0], &v->columns[0]);
            orm_buf_appendf(&seen, "%s ", id);
            free(id);
            got++;
        }
        orm_cursor_free(c);
        orm_query_free(q);
        if (got < 2)
            break;
    }
    /* NULL seconds first, then 224 < 245 < 268 < 305. */
    assert_string_equal(orm_buf_str(&seen), "13 14 10 11 12 ");
    orm_buf_free(&seen);

    /* Read: yes. Write: no, with the reason. */
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t nrows = 0;
    assert_int_equal(orm_query_new(&q, f->s, v), 0);
    assert_int_equal(orm_query_where(q, "track_id = 12"), 0);
    assert_int_equal(orm_query_all(q, &rows, &nrows), 0);
    assert_int_equal(nrows, 1);
    assert_shown(rows[0], "artist", "björk");
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_set_text(rows[0], "title", "x", &err),
                     ORM_EREADONLY);
    assert_non_null(strstr(err.message, "view"));
    assert_int_equal(orm_session_delete(f->s, rows[0]), ORM_EREADONLY);
    assert_non_null(strstr(orm_session_error(f->s)->message, "view"));
    free(rows);
    orm_query_free(q);
    orm_record *rec = NULL;
    assert_int_equal(orm_record_new(&rec, v), 0);
    assert_int_equal(orm_session_add(f->s, rec), ORM_EREADONLY);
    assert_non_null(strstr(orm_session_error(f->s)->message, "v_track"));
    orm_record_free(rec);
    assert_int_equal(orm_session_pending_count(f->s), 0);
    orm_value key = orm_value_int(12);
    assert_int_equal(orm_session_get(f->s, v, &key, &rec), ORM_EUNSUPPORTED);
    orm_error_clear(&err);
}

/* ---- types ---- */

typedef struct expect {
    char *tbl, *col, *shown, *input, *after, *refused;
} expect;

/* What fs_expect asks of one column: the row-1 value shows as `shown`;
 * with `input`, writing it and reading back shows `after`; without, the
 * column is read-only with a reason and a write is refused; `refused` is
 * a value the column's choices do not allow. */
static void check_expect(fixture *f, const expect *x)
{
    const orm_model *m = model(f, x->tbl);
    const orm_column *c = column(m, x->col);
    orm_error err = ORM_ERROR_INIT;
    orm_record *rec = get(f, x->tbl, 1);
    assert_shown(rec, x->col, x->shown);
    if (!x->input) {
        if (!c->read_only)
            fail_msg("[%s] %s.%s (%s) should be read-only", dialect, x->tbl,
                     x->col, c->native_type ? c->native_type : "?");
        assert_true(strlen(c->read_only) > 10);
        int rc =
            orm_record_set_text(rec, x->col, x->shown ? x->shown : "", &err);
        assert_int_equal(rc, ORM_EREADONLY);
        assert_non_null(strstr(err.message, c->read_only));
        orm_error_clear(&err);
        return;
    }
    if (c->read_only)
        fail_msg("[%s] %s.%s is read-only: %s", dialect, x->tbl, x->col,
                 c->read_only);
    if (x->refused) {
        int rc = orm_record_set_text(rec, x->col, x->refused, &err);
        if (rc != ORM_ETYPE)
            fail_msg("[%s] %s.%s took '%s'", dialect, x->tbl, x->col,
                     x->refused);
        assert_non_null(strstr(err.message, "is not one of"));
        orm_error_clear(&err);
    }
    if (orm_record_set_text(rec, x->col, x->input, &err))
        fail_msg("[%s] %s.%s = '%s': %s", dialect, x->tbl, x->col, x->input,
                 orm_error_text(&err));
    if (orm_session_commit(f->s))
        fail_msg("[%s] commit %s.%s = '%s': %s", dialect, x->tbl, x->col,
                 x->input, orm_error_text(orm_session_error(f->s)));
    renew_session(f);
    rec = get(f, x->tbl, 1);
    assert_shown(rec, x->col, x->after);
    orm_error_clear(&err);
}

static char *field(const orm_record *rec, const char *col)
{
    const orm_value *v = orm_record_get(rec, col);
    assert_non_null(v);
    if (v->kind == ORM_VNULL)
        return NULL;
    assert_int_equal(v->kind, ORM_VTEXT);
    return orm_strndup(v->u.s.ptr, v->u.s.len);
}

/* Every type family of the dialect's script, as fs_expect describes it. */
static void test_foreign__types_shown_edited_or_read_only(void **state)
{
    fixture *f = *state;
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    assert_int_equal(orm_query_new(&q, f->s, model(f, "fs_expect")), 0);
    assert_int_equal(orm_query_order_by(q, "id", 0), 0);
    assert_int_equal(orm_query_all(q, &rows, &n), 0);
    assert_true(n >= 10);
    expect *all = calloc(n, sizeof *all);
    for (size_t i = 0; i < n; i++) {
        all[i] = (expect){field(rows[i], "tbl"),   field(rows[i], "col"),
                          field(rows[i], "shown"), field(rows[i], "input"),
                          field(rows[i], "after"), field(rows[i], "refused")};
    }
    free(rows);
    orm_query_free(q);
    for (size_t i = 0; i < n; i++)
        check_expect(f, &all[i]);
    /* A delete carries every value it read in its guard: each one must
     * compare equal to what the database holds, whatever its type. */
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(all[i].tbl, all[i - 1].tbl) != 0) {
            CHECK(f->s, orm_session_delete(f->s, get(f, all[i].tbl, 1)));
            if (orm_session_commit(f->s))
                fail_msg("[%s] delete from %s: %s", dialect, all[i].tbl,
                         orm_error_text(orm_session_error(f->s)));
            if (count_where(f, all[i].tbl, "id = 1") != 0)
                fail_msg("[%s] %s row 1 is still there", dialect, all[i].tbl);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(all[i].tbl);
        free(all[i].col);
        free(all[i].shown);
        free(all[i].input);
        free(all[i].after);
        free(all[i].refused);
    }
    free(all);
}

/* A single-precision column shows 0.1 as 0.1, and a filter for the value
 * shown finds its row (the literal is rounded as the column rounds it). */
static void
test_foreign__float_column_shows_and_finds_what_it_holds(void **state)
{
    fixture *f = *state;
    assert_shown(get(f, "fs_float", 1), "f", "0.1");
    assert_int_equal(count_where(f, "fs_float", "f = 0.1"), 1);
    assert_int_equal(count_where(f, "fs_float", "f > 0.1"), 0);
    assert_int_equal(count_where(f, "fs_float", "f between 0.1 and 0.1"), 1);
    assert_int_equal(count_where(f, "fs_float", "d = 0.1"), 1);
}

/* A read-only (generated) column is left out of an INSERT and filled in
 * by the database; a delete of a row with one still finds the row. */
static void test_foreign__generated_column_is_computed_not_written(void **state)
{
    fixture *f = *state;
    orm_session *s = f->s;
    const orm_model *m = model(f, "fs_generated");
    assert_non_null(column(m, "total")->read_only);
    assert_non_null(strstr(column(m, "total")->read_only, "generated"));
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_record_new(&rec, m), 0);
    assert_int_equal(orm_record_set_text(rec, "id", "2", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "qty", "4", &err), 0);
    assert_int_equal(orm_record_set_text(rec, "price", "1.25", &err), 0);
    CHECK(s, orm_session_add(s, rec));
    CHECK(s, orm_session_commit(s));
    /* Read back with the insert, as a server default is. */
    assert_shown(rec, "total", "5.00");
    renew_session(f);
    assert_shown(get(f, "fs_generated", 2), "total", "5.00");
    CHECK(f->s, orm_session_delete(f->s, get(f, "fs_generated", 1)));
    CHECK(f->s, orm_session_commit(f->s));
    assert_int_equal(count_where(f, "fs_generated", NULL), 1);
    orm_error_clear(&err);
}

/* ---- reading every table at once ---- */

/* orm_db_reflect_all (the fixture's: the driver's catalog queries for
 * every table at once where it has them) gives each listed table the
 * model that reflecting that table alone gives: the view, the odd types,
 * the case-insensitive collations, the table in another schema. */
static void test_foreign__all_tables_at_once_as_one_by_one(void **state)
{
    fixture *f = *state;
    orm_db *db = NULL;
    char **names = NULL;
    size_t n = 0;
    int other_schema = 0;
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(orm_db_list_tables(db, &names, &n), 0);
    assert_int_equal(orm_db_model_count(f->db), n);
    for (size_t i = 0; i < n; i++) {
        const char *table = names[i];
        orm_model *one = NULL;
        if (orm_db_reflect(db, table, &one))
            fail_msg("[%s] reflect %s: %s", dialect, table,
                     orm_error_text(orm_db_error(db)));
        const orm_model *all = orm_db_model_at(f->db, i);
        test_assert_same_model(dialect, table, one, all);
        other_schema += one->schema != NULL;
        orm_model_free(one);
        free(names[i]);
    }
    free(names);
    /* PostgreSQL's fs_other."Fs_Note" is on the search path. */
    assert_int_equal(other_schema, strcmp(dialect, "postgresql") == 0);
    assert_non_null(model(f, "Fs_Note"));
    orm_db_free(db);
}

/* Is the cursor's line the one showing `text`? */
static int cursor_on(const tui_screen *scr, const char *text)
{
    for (int r = 0; r < scr->rows; r++) {
        if (tui_screen_cell(scr, r, 0)->element != TUI_EL_CURSOR)
            continue;
        char *line = tui_screen_line(scr, r);
        int on = line && strstr(line, text);
        free(line);
        return on;
    }
    return 0;
}

static void press(tui_app *app, const char *name)
{
    tui_event ev = {0};
    ev.key = tui_key_parse(name);
    assert_true(ev.key >= 0);
    tui_app_key(app, &ev);
    tui_app_draw(app);
}

/* The browser on a network database counts its round trips on the wire
 * (tests/helper_trips.c): reading every table's schema costs one round
 * trip whatever the number of tables (PostgreSQL's three catalog queries
 * in one message, MariaDB's one query), not a few per table, so opening
 * the browser costs connecting and one more; a table's count two (its
 * estimate, then COUNT(*) of a small table); the models screen's counts
 * two (and a page read ahead); opening a table and its first screen at
 * most two. */
static void
test_foreign__browser_reads_the_schema_in_few_round_trips(void **state)
{
    fixture *f = *state;
    if (strcmp(dialect, "sqlite") == 0)
        skip(); /* no network, no round trips */
    char *proxied = NULL;
    test_trips *trips = test_trips_start(url, &proxied);
    orm_db *db = NULL;
    tui_options opts;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    char config_dir[] = "/tmp/orb-foreign-trips-XXXXXX";
    assert_non_null(mkdtemp(config_dir));

    /* Table by table, as orb did before: for the record. */
    assert_int_equal(orm_db_open(&db, proxied, NULL), 0);
    long t0 = test_trips_count(trips);
    char **names = NULL;
    size_t n = 0;
    assert_int_equal(orm_db_list_tables(db, &names, &n), 0);
    for (size_t i = 0; i < n; i++) {
        orm_model *m = NULL;
        assert_int_equal(orm_db_reflect(db, names[i], &m), 0);
        orm_model_free(m);
        free(names[i]);
    }
    free(names);
    long one_by_one = test_trips_count(trips) - t0;
    orm_db_free(db);
    db = NULL;

    /* The browser: connect, then read the schema. */
    long t1 = test_trips_count(trips);
    assert_int_equal(orm_db_open(&db, proxied, NULL), 0);
    long connect = test_trips_count(trips) - t1;
    t1 = test_trips_count(trips);
    assert_int_equal(orm_db_reflect_all(db), 0);
    long schema = test_trips_count(trips) - t1;
    assert_int_equal(orm_db_model_count(db), n);
    orm_db_free(db);
    db = NULL;
    /* As the browser opens it (tui_open_db): the same. */
    memset(&opts, 0, sizeof opts);
    opts.url = proxied;
    long t4 = test_trips_count(trips);
    assert_int_equal(tui_open_db(&db, &opts, stderr), 0);
    long open = test_trips_count(trips) - t4;
    assert_int_equal(orm_db_model_count(db), n);

    /* A table's count as the rows screen asks it: the estimate, then
     * (a small table) COUNT(*). */
    const orm_model *artist = orm_db_find_model(db, "fs_artist");
    int64_t rows = 0;
    int exact = 0;
    assert_non_null(artist);
    long tc = test_trips_count(trips);
    assert_int_equal(orm_db_count(db, artist, 1, &rows, &exact), 0);
    long count = test_trips_count(trips) - tc;
    assert_true(rows > 0);
    assert_true(exact);

    long t2 = test_trips_count(trips);
    assert_int_equal(tui_screen_mem_new(&scr, 40, 120), 0);
    assert_int_equal(tui_app_new(&app, db, &opts, scr, config_dir), 0);
    assert_int_equal(tui_app_start(app), 0);
    tui_app_draw(app);
    tui_app_settle(app);
    tui_app_draw(app);
    long counts = test_trips_count(trips) - t2;
    assert_true(tui_screen_find(scr, "fs_artist") >= 0);

    /* The cursor onto fs_artist, then open it. */
    for (int i = 0; i < 40 && !cursor_on(scr, "fs_artist"); i++)
        press(app, "Down");
    assert_true(cursor_on(scr, "fs_artist"));
    long t3 = test_trips_count(trips);
    press(app, "Enter");
    long first_screen = test_trips_count(trips) - t3;
    char *text = tui_screen_text(scr);
    printf("[%s] %zu tables: schema one by one %ld round trips, at once %ld; "
           "connect %ld, browser open %ld; a table's count %ld; models "
           "screen with counts %ld; a table's first screen %ld\n",
           dialect, n, one_by_one, schema, connect, open, count, counts,
           first_screen);
    assert_non_null(strstr(text, "Die Ärzte"));
    free(text);

    /* One round trip on both: the protocol's minimum. */
    assert_int_equal(schema, 1);
    assert_int_equal(open, connect + 1);
    assert_true(count <= 2);
    /* The estimates, one COUNT(*) of every small table, and the first
     * page of the table under the cursor, read ahead while idle. */
    assert_true(counts <= 3);
    assert_true(first_screen <= 2);
    (void)f;
    tui_app_free(app);
    scr->ops->free(scr);
    orm_db_free(db);
    rmdir(config_dir);
    test_trips_stop(trips);
    free(proxied);
}

int main(int argc, char **argv)
{
    dialect = argc > 1 ? argv[1] : "sqlite";
    char dir[] = "/tmp/orb-foreign-XXXXXX", file[64] = "";
    if (strcmp(dialect, "sqlite") == 0) {
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(file, sizeof file, "%s/foreign.db", dir);
        snprintf(url, sizeof url, "sqlite:///%s", file);
    } else {
        int pg = strcmp(dialect, "postgresql") == 0;
        if (test_servers_skipped(argv[0]))
            return TEST_SERVERS_SKIPPED;
        const char *env = getenv(pg ? "ORB_TEST_PG_FOREIGN_URL"
                                    : "ORB_TEST_MYSQL_FOREIGN_URL");
        if (!env || !*env) {
            fprintf(stderr,
                    "foreign %s: ORB_TEST_%s_FOREIGN_URL is not set; run the "
                    "tests through scripts/with-servers.sh (make check)\n",
                    dialect, pg ? "PG" : "MYSQL");
            return 1;
        }
        snprintf(url, sizeof url, "%s", env);
    }
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_foreign__keys_without_default_are_given_by_the_user),
        T(test_foreign__indexes_are_reflected),
        T(test_foreign__views_are_listed_browsed_and_read_only),
        T(test_foreign__types_shown_edited_or_read_only),
        T(test_foreign__float_column_shows_and_finds_what_it_holds),
        T(test_foreign__generated_column_is_computed_not_written),
        T(test_foreign__all_tables_at_once_as_one_by_one),
        T(test_foreign__browser_reads_the_schema_in_few_round_trips),
#undef T
    };
    char group[64];
    snprintf(group, sizeof group, "foreign_%s", dialect);
    int failed = cmocka_run_group_tests_name(group, tests, NULL, NULL);
    if (file[0]) { /* the SQLite file and its directory go */
        unlink(file);
        rmdir(dir);
    }
    return failed;
}
