/*
 * The rows screen's row cache on a 10,000-row SQLite table: keyset
 * paging forward and backward across page boundaries shows the right
 * rows in every order, memory stays within the capacity whatever the
 * table size, jumps to the last page and to a row number land where
 * they should, tables without a primary key page by rowid, and filters
 * and counts agree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "orm/sys/driver.h"
#include "test_tui_fixture.h"

#define ITEMS    10000
#define CAPACITY 60
#define PAGE     20

static tui_fixture *shared;

static int group_setup(void **state)
{
    shared = calloc(1, sizeof *shared);
    fx_open_db(shared, ITEMS);
    *state = shared;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_close(shared);
    free(shared);
    return 0;
}

typedef struct cache_case {
    orm_session *s;
    tui_rowcache *rc;
} cache_case;

static tui_rowcache *cache_new(void **state, cache_case *cc, const orm_model *m)
{
    tui_fixture *fx = *state;
    assert_int_equal(orm_session_new(&cc->s, fx->db), 0);
    assert_int_equal(tui_rowcache_new(&cc->rc, cc->s, m, CAPACITY), 0);
    return cc->rc;
}

static void cache_free(cache_case *cc)
{
    tui_rowcache_free(cc->rc);
    orm_session_free(cc->s);
}

static int64_t id_at(tui_rowcache *rc, int64_t pos)
{
    const orm_value *row = tui_rowcache_row(rc, pos);
    if (!row)
        fail_msg("row %lld is not held (window %lld+%zu)", (long long)pos,
                 (long long)tui_rowcache_start(rc), tui_rowcache_held(rc));
    assert_int_equal(row[0].kind, ORM_VINT);
    return row[0].u.i;
}

static void must(tui_rowcache *rc, int code)
{
    if (code)
        fail_msg("row cache: %s", orm_error_text(tui_rowcache_error(rc)));
}

static void
test_rowcache__pages_forward_through_10k_rows_within_capacity(void **state)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxItem);
    must(rc, tui_rowcache_seek_first(rc, PAGE));
    for (int64_t top = 0; top < ITEMS; top += PAGE / 2) {
        must(rc, tui_rowcache_ensure(rc, top, PAGE));
        assert_true(tui_rowcache_held(rc) <= CAPACITY);
        for (int64_t k = top; k < top + PAGE && k < ITEMS; k++)
            assert_int_equal(id_at(rc, k), k + 1);
    }
    assert_true(tui_rowcache_at_end(rc));
    assert_null(tui_rowcache_row(rc, ITEMS));
    assert_true(tui_rowcache_peak(rc) <= CAPACITY);
    /* Paging is by key: about one query per page, not per row. */
    assert_true(tui_rowcache_queries(rc) < ITEMS / PAGE * 2);
    cache_free(&cc);
}

static void test_rowcache__pages_backward_from_the_last_page(void **state)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxItem);
    must(rc, tui_rowcache_seek_last(rc, PAGE));
    assert_int_equal(tui_rowcache_start(rc), ITEMS - PAGE);
    assert_true(tui_rowcache_position_exact(rc));
    assert_int_equal(id_at(rc, ITEMS - 1), ITEMS);
    for (int64_t top = ITEMS - PAGE; top >= 0; top -= 7) {
        must(rc, tui_rowcache_ensure(rc, top, PAGE));
        assert_true(tui_rowcache_held(rc) <= CAPACITY);
        assert_int_equal(id_at(rc, top), top + 1);
        assert_int_equal(id_at(rc, top + PAGE - 1), top + PAGE);
    }
    must(rc, tui_rowcache_ensure(rc, 0, PAGE));
    assert_true(tui_rowcache_at_start(rc));
    assert_int_equal(id_at(rc, 0), 1);
    assert_true(tui_rowcache_peak(rc) <= CAPACITY);
    cache_free(&cc);
}

/* The expected order of items by label (then id), either way. */
static int64_t *sorted_ids(int desc)
{
    int64_t *ids = calloc(ITEMS, sizeof *ids);
    char(*labels)[16] = calloc(ITEMS + 1, sizeof *labels);
    assert_non_null(ids);
    assert_non_null(labels);
    for (long i = 1; i <= ITEMS; i++) {
        fx_item_label(labels[i], sizeof labels[i], i);
        ids[i - 1] = i;
    }
    /* Insertion sort would be slow: a simple merge-free approach is a
     * qsort over (label, id) pairs kept in a struct array. */
    typedef struct pair {
        char label[16];
        int64_t id;
    } pair;
    pair *p = calloc(ITEMS, sizeof *p);
    assert_non_null(p);
    for (long i = 0; i < ITEMS; i++) {
        memcpy(p[i].label, labels[ids[i]], 16);
        p[i].id = ids[i];
    }
    for (long gap = ITEMS / 2; gap > 0; gap /= 2) /* shell sort */
        for (long i = gap; i < ITEMS; i++)
            for (long j = i; j >= gap; j -= gap) {
                int c = strcmp(p[j - gap].label, p[j].label);
                if (c == 0)
                    c = p[j - gap].id < p[j].id ? -1 : 1;
                if (desc)
                    c = -c;
                if (c <= 0)
                    break;
                pair t = p[j];
                p[j] = p[j - gap];
                p[j - gap] = t;
            }
    for (long i = 0; i < ITEMS; i++)
        ids[i] = p[i].id;
    free(p);
    free(labels);
    return ids;
}

static void check_sorted_walk(void **state, int desc)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxItem);
    int64_t *want = sorted_ids(desc);
    must(rc, tui_rowcache_set_order(rc, 1, desc));
    must(rc, tui_rowcache_seek_first(rc, PAGE));
    for (int64_t top = 0; top + PAGE <= ITEMS; top += PAGE) {
        must(rc, tui_rowcache_ensure(rc, top, PAGE));
        assert_int_equal(id_at(rc, top), want[top]);
        assert_int_equal(id_at(rc, top + PAGE - 1), want[top + PAGE - 1]);
    }
    /* And back up from the last page. */
    must(rc, tui_rowcache_seek_last(rc, PAGE));
    assert_int_equal(id_at(rc, ITEMS - 1), want[ITEMS - 1]);
    for (int64_t top = ITEMS - PAGE; top > ITEMS - 2000; top -= PAGE) {
        must(rc, tui_rowcache_ensure(rc, top, PAGE));
        assert_int_equal(id_at(rc, top), want[top]);
    }
    assert_true(tui_rowcache_peak(rc) <= CAPACITY);
    free(want);
    cache_free(&cc);
}

static void test_rowcache__keyset_paging_follows_an_ascending_sort(void **state)
{
    check_sorted_walk(state, 0);
}

static void test_rowcache__keyset_paging_follows_a_descending_sort(void **state)
{
    check_sorted_walk(state, 1);
}

static void test_rowcache__seek_offset_lands_on_the_row_number(void **state)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxItem);
    must(rc, tui_rowcache_seek_offset(rc, 5000, PAGE));
    assert_int_equal(tui_rowcache_start(rc), 5000);
    assert_int_equal(id_at(rc, 5000), 5001);
    /* Then keyset paging from there, both ways. */
    must(rc, tui_rowcache_ensure(rc, 4990, PAGE));
    assert_int_equal(id_at(rc, 4990), 4991);
    must(rc, tui_rowcache_ensure(rc, 5100, PAGE));
    assert_int_equal(id_at(rc, 5119), 5120);
    /* Past the end gives the last rows. */
    must(rc, tui_rowcache_seek_offset(rc, ITEMS + 50, PAGE));
    assert_true(tui_rowcache_at_end(rc));
    assert_int_equal(id_at(rc, ITEMS - 1), ITEMS);
    cache_free(&cc);
}

static void
test_rowcache__table_without_primary_key_pages_by_rowid(void **state)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxLog);
    tui_rowcache_set_capacity(rc, 10);
    assert_true(tui_rowcache_keyset(rc)); /* SQLite: the rowid */
    must(rc, tui_rowcache_seek_first(rc, 4));
    for (int64_t top = 0; top + 4 <= 30; top += 3) {
        must(rc, tui_rowcache_ensure(rc, top, 4));
        const orm_value *row = tui_rowcache_row(rc, top);
        char want[32];
        snprintf(want, sizeof want, "log line %02d", (int)top);
        assert_non_null(row);
        assert_string_equal(row[0].u.s.ptr, want);
        assert_true(tui_rowcache_held(rc) <= 10);
    }
    must(rc, tui_rowcache_seek_last(rc, 4));
    assert_int_equal(tui_rowcache_start(rc), 26);
    must(rc, tui_rowcache_ensure(rc, 10, 4));
    assert_string_equal(tui_rowcache_row(rc, 10)[0].u.s.ptr, "log line 10");
    cache_free(&cc);
}

static void test_rowcache__filter_and_count_agree(void **state)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxItem);
    orm_expr *f = orm_eq(orm_col("grp"), orm_int(3));
    int64_t total = 0;
    int exact = 0;
    must(rc, tui_rowcache_set_filter(rc, f));
    orm_expr_free(f);
    must(rc, tui_rowcache_count(rc));
    assert_int_equal(tui_rowcache_total(rc, &total, &exact), 1);
    assert_true(exact);
    assert_int_equal(total, ITEMS / 10);
    must(rc, tui_rowcache_seek_first(rc, PAGE));
    for (int64_t top = 0; top < total; top += PAGE) {
        must(rc, tui_rowcache_ensure(rc, top, PAGE));
        assert_int_equal(id_at(rc, top), top * 10 + 3);
    }
    cache_free(&cc);
}

/* A new filter and order that fails (as a cancelled query does) leaves
 * the rows, the filter, the order and the total as they were. */
static void test_rowcache__failed_restart_keeps_what_was_shown(void **state)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxItem);
    orm_expr *f = orm_eq(orm_col("grp"), orm_int(3));
    orm_expr *bad = orm_eq(orm_col("no_such_column"), orm_str("Grüße"));
    tui_sort by_id_desc = {.n = 1, .keys = {{0, 1}}};
    tui_sort none = {.n = 0};
    int64_t total = 0, at = 0;
    int exact = 0;
    must(rc, tui_rowcache_restart(rc, f, 0, &none, PAGE, NULL, NULL));
    must(rc, tui_rowcache_count(rc));
    assert_int_equal(id_at(rc, 0), 3);
    assert_int_not_equal(
        tui_rowcache_restart(rc, bad, 0, &by_id_desc, PAGE, NULL, &at), 0);
    assert_non_null(
        strstr(orm_error_text(tui_rowcache_error(rc)), "no_such_column"));
    assert_int_equal(tui_rowcache_held(rc), PAGE);
    assert_int_equal(id_at(rc, 0), 3);
    assert_int_equal(id_at(rc, 1), 13);
    assert_int_equal(tui_rowcache_total(rc, &total, &exact), 1);
    assert_int_equal(total, ITEMS / 10);
    /* Paging goes on in the old filter and order. */
    must(rc, tui_rowcache_ensure(rc, PAGE, PAGE));
    assert_int_equal(id_at(rc, PAGE), PAGE * 10 + 3);
    /* The same order with the filter kept: the total stays known. */
    must(rc, tui_rowcache_restart(rc, NULL, 1, &by_id_desc, PAGE, NULL, NULL));
    assert_int_equal(id_at(rc, 0), ITEMS - 7);
    assert_int_equal(tui_rowcache_total(rc, &total, &exact), 1);
    orm_expr_free(f);
    orm_expr_free(bad);
    cache_free(&cc);
}

static void test_rowcache__reload_keeps_the_position(void **state)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxItem);
    must(rc, tui_rowcache_seek_offset(rc, 700, PAGE));
    must(rc, tui_rowcache_reload(rc));
    assert_int_equal(tui_rowcache_start(rc), 700);
    assert_int_equal(id_at(rc, 700), 701);
    assert_int_equal(id_at(rc, 719), 720);
    cache_free(&cc);
}

static void test_rowcache__long_text_and_blobs_are_kept_small(void **state)
{
    tui_fixture *fx = *state;
    cache_case cc;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    char *big = malloc(100001);
    assert_non_null(big);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    assert_int_equal(orm_session_new(&s, fx->db), 0);
    orm_record_new(&rec, &FxNote);
    fx_set(rec, "id", orm_value_int(99));
    fx_set(rec, "body", orm_value_text(big));
    orm_session_add(s, rec);
    fx_commit(fx, s);
    orm_session_free(s);
    free(big);
    tui_rowcache *rc = cache_new(state, &cc, &FxNote);
    must(rc, tui_rowcache_seek_last(rc, 1));
    const orm_value *row = tui_rowcache_row(rc, tui_rowcache_start(rc));
    assert_non_null(row);
    assert_int_equal(row[0].u.i, 99);
    assert_true(row[2].u.s.len <= TUI_ROWCACHE_TEXT_KEEP);
    cache_free(&cc);
}

/* Orders by customer_id (nullable, repeated): NULLs first ascending,
 * last descending, ties by id; walked a row at a time both ways with a
 * tiny window so that every step crosses a page. */
static void walk_orders(void **state, int desc, const int64_t *want)
{
    cache_case cc;
    tui_rowcache *rc = cache_new(state, &cc, &FxOrder);
    tui_rowcache_set_capacity(rc, 3);
    must(rc, tui_rowcache_set_order(rc, 1, desc));
    must(rc, tui_rowcache_seek_first(rc, 2));
    for (int64_t i = 0; i < 8; i++) {
        must(rc, tui_rowcache_ensure(rc, i, 1));
        if (id_at(rc, i) != want[i])
            fail_msg("forward %s: row %lld is %lld, want %lld",
                     desc ? "desc" : "asc", (long long)i,
                     (long long)id_at(rc, i), (long long)want[i]);
    }
    must(rc, tui_rowcache_seek_last(rc, 2));
    for (int64_t i = 7; i >= 0; i--) {
        must(rc, tui_rowcache_ensure(rc, i, 1));
        if (id_at(rc, i) != want[i])
            fail_msg("backward %s: row %lld is %lld, want %lld",
                     desc ? "desc" : "asc", (long long)i,
                     (long long)id_at(rc, i), (long long)want[i]);
    }
    assert_true(tui_rowcache_at_start(rc));
    assert_true(tui_rowcache_peak(rc) <= 3);
    cache_free(&cc);
}

static void test_rowcache__nullable_sort_column_pages_both_ways(void **state)
{
    static const int64_t asc[8] = {107, 100, 103, 106, 101, 104, 102, 105};
    static const int64_t desc[8] = {102, 105, 101, 104, 100, 103, 106, 107};
    walk_orders(state, 0, asc);
    walk_orders(state, 1, desc);
}

/* ---- the SQL a page costs ---- */

/* The SQLite driver under another name, keeping the text of every
 * statement prepared through it. */
static orm_driver traced;
static char traced_sql[64][1024];
static size_t traced_n;

static int traced_prepare(orm_conn *conn, const char *sql, size_t nparams,
                          unsigned flags, orm_stmt **out)
{
    if (traced_n < sizeof traced_sql / sizeof traced_sql[0])
        snprintf(traced_sql[traced_n++], sizeof traced_sql[0], "%s", sql);
    return orm_driver_sqlite.prepare(conn, sql, nparams, flags, out);
}

static size_t count_of(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, part)) != NULL; p++)
        n++;
    return n;
}

/* Walk a table by `column` (-1: its primary key) both ways, a row at a
 * time with a window of 3 so that every step is a page query, and check
 * each query's WHERE: at most one bound on the first key column to seek
 * by, never the same condition twice; by the primary key, always one. */
static void walk_traced(orm_db *db, const orm_model *m, int column, int desc)
{
    orm_session *s = NULL;
    tui_rowcache *rc = NULL;
    assert_int_equal(orm_session_new(&s, db), 0);
    assert_int_equal(tui_rowcache_new(&rc, s, m, 3), 0);
    if (column >= 0)
        must(rc, tui_rowcache_set_order(rc, column, desc));
    must(rc, tui_rowcache_seek_first(rc, 2));
    for (int64_t i = 0; i < 8; i++)
        must(rc, tui_rowcache_ensure(rc, i, 1));
    must(rc, tui_rowcache_seek_last(rc, 2));
    traced_n = 0; /* the backward walk */
    for (int64_t i = 7; i >= 0; i--)
        must(rc, tui_rowcache_ensure(rc, i, 1));
    size_t pages = 0;
    for (size_t i = 0; i < traced_n; i++) {
        const char *sql = traced_sql[i];
        const char *where = strstr(sql, " WHERE ");
        if (strncmp(sql, "SELECT ", 7) != 0 || !where || strstr(sql, "COUNT("))
            continue;
        size_t bounds = count_of(where, " >= ?") + count_of(where, " <= ?");
        if (bounds > 1 || (column < 0 && bounds != 1))
            fail_msg("%zu bounds to seek by in: %s", bounds, sql);
        pages += bounds;
    }
    assert_true(pages > 0);
    tui_rowcache_free(rc);
    orm_session_free(s);
}

/* The row cache leaves the seekable bound to the query (the keyset's
 * own, orm/src/query_sql.c) instead of adding the same one again, so
 * the page query says `id >= ? AND (id > ?)`, not `id >= ? AND id >= ?
 * AND (id > ?)`; where NULLs come next it still bounds the non-NULL
 * rows itself, the query then having no bound of its own. */
static void test_rowcache__page_query_bounds_its_key_once(void **state)
{
    tui_fixture *fx = *state;
    orm_error err = ORM_ERROR_INIT;
    char url[300];
    orm_db *db = NULL;
    if (!traced.name) {
        traced = orm_driver_sqlite;
        traced.name = "sqltrace";
        traced.prepare = traced_prepare;
        assert_int_equal(orm_driver_register(&traced, &err), 0);
    }
    snprintf(url, sizeof url, "sqltrace:///%s/test.db", fx->dir);
    fx_check(orm_db_open(&db, url, NULL), db, "open traced");
    fx_check(orm_db_register(db, &FxOrder), db, "register");
    walk_traced(db, &FxOrder, -1, 0); /* by id */
    walk_traced(db, &FxOrder, 1, 0);  /* customer_id, NULLs first */
    walk_traced(db, &FxOrder, 1, 1);  /* customer_id desc, NULLs last */
    orm_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_rowcache__pages_forward_through_10k_rows_within_capacity),
        cmocka_unit_test(test_rowcache__pages_backward_from_the_last_page),
        cmocka_unit_test(
            test_rowcache__keyset_paging_follows_an_ascending_sort),
        cmocka_unit_test(
            test_rowcache__keyset_paging_follows_a_descending_sort),
        cmocka_unit_test(test_rowcache__seek_offset_lands_on_the_row_number),
        cmocka_unit_test(
            test_rowcache__table_without_primary_key_pages_by_rowid),
        cmocka_unit_test(test_rowcache__filter_and_count_agree),
        cmocka_unit_test(test_rowcache__nullable_sort_column_pages_both_ways),
        cmocka_unit_test(test_rowcache__reload_keeps_the_position),
        cmocka_unit_test(test_rowcache__failed_restart_keeps_what_was_shown),
        cmocka_unit_test(test_rowcache__long_text_and_blobs_are_kept_small),
        cmocka_unit_test(test_rowcache__page_query_bounds_its_key_once),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
