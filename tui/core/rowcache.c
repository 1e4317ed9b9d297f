/*
 * The bounded window of rows behind the rows screen: keyset paging in
 * both directions, jumps to the first and last page and to a position,
 * counting, and eviction that keeps at most `capacity` rows held.
 */
#include <stdlib.h>
#include <string.h>

#include "rowcache.h"
#include "mem.h"

enum { TOTAL_UNKNOWN, TOTAL_ESTIMATE, TOTAL_EXACT };

struct tui_rowcache {
    orm_session *s;
    const orm_model *m;
    size_t ncol, nkey;
    int keyset;      /* rows have keys to page by */
    int can_reverse; /* a primary key: the order can be reversed */
    tui_sort sort;
    orm_expr *filter;
    orm_value **rows; /* held rows: ncol display values, then nkey keys */
    size_t held, rows_cap;
    size_t capacity; /* base_capacity + batch */
    size_t base_capacity, batch;
    size_t last_n;
    int64_t start;
    int approx;
    int at_start, at_end;
    int64_t total;
    int total_state;
    int64_t shift;
    size_t peak, queries;
    orm_error err;
};

/* ---- rows ---- */

static void row_free(const tui_rowcache *rc, orm_value *row)
{
    if (!row)
        return;
    for (size_t i = 0; i < rc->ncol + rc->nkey; i++)
        orm_value_clear(&row[i]);
    free(row);
}

static void rows_free(const tui_rowcache *rc, orm_value **rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        row_free(rc, rows[i]);
    free(rows);
}

/* A display copy: long text cut at a character boundary, blobs as
 * their length only (a borrowed value with no bytes). */
static int copy_display(orm_value *out, const orm_value *v)
{
    if (v->kind == ORM_VBLOB) {
        *out = orm_value_blob(NULL, v->u.s.len);
        return 0;
    }
    if (v->kind == ORM_VTEXT && v->u.s.len > TUI_ROWCACHE_TEXT_KEEP) {
        size_t n = TUI_ROWCACHE_TEXT_KEEP;
        while (n > 0 && ((unsigned char)v->u.s.ptr[n] & 0xC0) == 0x80)
            n--;
        return orm_value_text_dup(out, v->u.s.ptr, n);
    }
    return orm_value_copy(out, v);
}

static int row_copy(tui_rowcache *rc, orm_query *q, const orm_value *src,
                    orm_value **out)
{
    const orm_value *keys[64];
    orm_value *row = tui_calloc(rc->ncol + rc->nkey + 1, sizeof *row);
    if (!row)
        return ORM_ENOMEM;
    for (size_t i = 0; i < rc->ncol; i++)
        if (copy_display(&row[i], &src[i]))
            goto nomem;
    if (rc->nkey) {
        orm_query_row_key(q, src, keys);
        for (size_t i = 0; i < rc->nkey; i++)
            if (orm_value_copy(&row[rc->ncol + i], keys[i]))
                goto nomem;
    }
    *out = row;
    return 0;
nomem:
    row_free(rc, row);
    return ORM_ENOMEM;
}

static void clear_window(tui_rowcache *rc)
{
    for (size_t i = 0; i < rc->held; i++)
        row_free(rc, rc->rows[i]);
    rc->held = 0;
    rc->start = 0;
    rc->approx = 0;
    rc->at_start = rc->at_end = 0;
}

static int reserve(tui_rowcache *rc, size_t n)
{
    if (n <= rc->rows_cap)
        return 0;
    orm_value **rows = tui_realloc(rc->rows, n * sizeof *rows);
    if (!rows)
        return ORM_ENOMEM;
    rc->rows = rows;
    rc->rows_cap = n;
    return 0;
}

static void note_peak(tui_rowcache *rc)
{
    if (rc->held > rc->peak)
        rc->peak = rc->held;
    if (rc->start == 0 && !rc->approx)
        rc->at_start = 1;
    /* Having seen both ends from an exact start, the total is known. */
    if (rc->at_end && !rc->approx) {
        rc->total = rc->start + (int64_t)rc->held;
        rc->total_state = TOTAL_EXACT;
    }
}

/* ---- queries ---- */

static int fail_from(tui_rowcache *rc, const orm_query *q, int code)
{
    const orm_error *e = q ? orm_query_error(q) : NULL;
    if (e && e->code)
        orm_error_copy(&rc->err, e);
    else
        orm_error_set(&rc->err, code, "%s", orm_strerror(code));
    return code;
}

static int make_query(tui_rowcache *rc, int reverse, orm_query **out)
{
    orm_query *q = NULL;
    int rc_ = orm_query_new(&q, rc->s, rc->m);
    *out = NULL;
    if (rc_)
        return fail_from(rc, NULL, rc_);
    if (rc->filter) {
        rc_ = orm_query_filter(q, orm_expr_copy(rc->filter));
        if (rc_)
            goto failed;
    }
    rc_ = tui_sort_apply(&rc->sort, rc->m, q, reverse);
    if (rc_)
        goto failed;
    if (reverse) {
        int pk[16];
        size_t npk = orm_model_pk(rc->m, pk, 16);
        for (size_t i = 0; i < npk && i < 16; i++) {
            if (tui_sort_position(&rc->sort, pk[i], NULL))
                continue;
            rc_ = orm_query_order_by(q, rc->m->columns[pk[i]].name, 1);
            if (rc_)
                goto failed;
        }
    }
    *out = q;
    return 0;
failed:
    fail_from(rc, q, rc_);
    orm_query_free(q);
    return rc_;
}

/* Run a query and copy its rows, in the query's order. */
static int run(tui_rowcache *rc, orm_query *q, orm_value ***out, size_t *n)
{
    orm_cursor *c = NULL;
    orm_value **rows = NULL;
    const orm_value *row;
    size_t count = 0, cap = 0;
    int code;

    *out = NULL;
    *n = 0;
    rc->queries++;
    code = orm_query_cursor(q, &c);
    if (code)
        return fail_from(rc, q, code);
    while ((code = orm_cursor_next(c, &row)) == ORM_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            orm_value **r = tui_realloc(rows, ncap * sizeof *r);
            if (!r) {
                code = ORM_ENOMEM;
                break;
            }
            rows = r;
            cap = ncap;
        }
        code = row_copy(rc, q, row, &rows[count]);
        if (code)
            break;
        count++;
    }
    orm_cursor_free(c);
    if (code != ORM_DONE) {
        rows_free(rc, rows, count);
        if (code == ORM_ENOMEM)
            return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
        return fail_from(rc, q, code);
    }
    *out = rows;
    *n = count;
    return 0;
}

static const orm_value *row_key(const tui_rowcache *rc, size_t i)
{
    return rc->rows[i] + rc->ncol;
}

/* Drop `n` rows from the front (1) or the back (0). */
static void evict(tui_rowcache *rc, size_t n, int front)
{
    if (n > rc->held)
        n = rc->held;
    if (front) {
        for (size_t i = 0; i < n; i++)
            row_free(rc, rc->rows[i]);
        memmove(rc->rows, rc->rows + n, (rc->held - n) * sizeof *rc->rows);
        rc->start += (int64_t)n;
        if (n)
            rc->at_start = 0;
    } else {
        for (size_t i = rc->held - n; i < rc->held; i++)
            row_free(rc, rc->rows[i]);
        if (n)
            rc->at_end = 0;
    }
    rc->held -= n;
}

/*
 * The ORM's keyset condition names the bound value once per comparison
 * ("a > ? OR (a = ? AND id > ?)"), and with two placeholders SQLite no
 * longer sees one range: it scans the index from its end, so a page deep
 * in a big sorted table cost a scan of the table (~180 ms a page at 1M
 * rows). A redundant bound on the first key column ("a >= ?") restores
 * the index seek. Walking toward smaller values of a nullable column the
 * NULL rows also lie ahead, and "a <= ?" would drop them: such a page is
 * the non-NULL rows first and, when they run out, the NULL rows.
 */
static const char *first_key_column(const tui_rowcache *rc, int *desc)
{
    int pk[16];
    if (rc->sort.n) {
        *desc = rc->sort.keys[0].desc;
        return rc->m->columns[rc->sort.keys[0].col].name;
    }
    *desc = 0;
    return orm_model_pk(rc->m, pk, 16) > 0 ? rc->m->columns[pk[0]].name : NULL;
}

/* One keyset query past `key`, with `extra` ANDed (taken). */
static int run_keyset(tui_rowcache *rc, int backward, const orm_value *key,
                      orm_expr *extra, size_t want, orm_value ***out, size_t *n)
{
    orm_query *q = NULL;
    int code = make_query(rc, 0, &q);
    if (code) {
        orm_expr_free(extra);
        return code;
    }
    code = backward ? orm_query_before(q, key) : orm_query_after(q, key);
    if (code == 0 && extra)
        code = orm_query_filter(q, extra);
    else
        orm_expr_free(extra);
    if (code == 0) {
        orm_query_limit(q, (int64_t)want);
        code = run(rc, q, out, n);
    } else {
        fail_from(rc, q, code);
    }
    orm_query_free(q);
    return code;
}

/* Rows past `key` (nearest first), `want` at most. The query seeks the
 * first key column's index by itself (a bound on that column beside the
 * keyset condition), except where NULLs come next: there the non-NULL
 * rows are read up to a bound given here, then the NULLs. */
static int run_past(tui_rowcache *rc, int backward, const orm_value *key,
                    size_t want, orm_value ***out, size_t *n)
{
    int desc = 0;
    const char *col = first_key_column(rc, &desc);
    orm_value **a = NULL, **b = NULL;
    size_t na = 0, nb = 0;
    int code;
    int toward_smaller = desc ^ backward;
    int nullable = rc->sort.n &&
                   orm_column_nullable(&rc->m->columns[rc->sort.keys[0].col]);
    if (!col || key[0].kind == ORM_VNULL || !toward_smaller || !nullable)
        return run_keyset(rc, backward, key, NULL, want, out, n);
    code = run_keyset(rc, backward, key, orm_le(orm_col(col), orm_val(&key[0])),
                      want, &a, &na);
    if (code)
        return code;
    if (na < want) {
        code = run_keyset(rc, backward, key, orm_is_null(orm_col(col)),
                          want - na, &b, &nb);
        if (code) {
            rows_free(rc, a, na);
            return code;
        }
    }
    if (nb) {
        orm_value **all = tui_realloc(a, (na + nb) * sizeof *all);
        if (!all) {
            rows_free(rc, a, na);
            rows_free(rc, b, nb);
            return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
        }
        memcpy(all + na, b, nb * sizeof *b);
        a = all;
    }
    free(b);
    *out = a;
    *n = na + nb;
    return 0;
}

/* The rows after the window (keyset) or at the next offset, in order;
 * with no rows held, the first rows. */
static int query_forward(tui_rowcache *rc, size_t want, orm_value ***out,
                         size_t *n)
{
    orm_query *q = NULL;
    int code;
    if (rc->keyset && rc->held)
        return run_past(rc, 0, row_key(rc, rc->held - 1), want, out, n);
    code = make_query(rc, 0, &q);
    if (code)
        return code;
    if (!rc->keyset)
        orm_query_offset(q, rc->start + (int64_t)rc->held);
    orm_query_limit(q, (int64_t)want);
    code = run(rc, q, out, n);
    orm_query_free(q);
    return code;
}

static int fetch_forward(tui_rowcache *rc, size_t want)
{
    orm_value **got = NULL;
    size_t n = 0;
    int code = query_forward(rc, want, &got, &n);
    if (code)
        return code;
    if (rc->held + n > rc->capacity)
        evict(rc, rc->held + n - rc->capacity, 1);
    if (reserve(rc, rc->held + n)) {
        rows_free(rc, got, n);
        return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
    }
    if (n) /* got is NULL when nothing matched */
        memcpy(rc->rows + rc->held, got, n * sizeof *got);
    rc->held += n;
    free(got);
    if (n < want)
        rc->at_end = 1;
    note_peak(rc);
    return 0;
}

static int fetch_backward(tui_rowcache *rc, size_t want)
{
    orm_value **got = NULL;
    size_t n = 0;
    int64_t off = 0;
    int code;
    if (!rc->keyset) {
        if ((int64_t)want > rc->start)
            want = (size_t)rc->start;
        off = rc->start - (int64_t)want;
    }
    if (want == 0) {
        rc->at_start = 1;
        return 0;
    }
    if (rc->keyset) {
        code = run_past(rc, 1, row_key(rc, 0), want, &got, &n);
    } else {
        orm_query *q = NULL;
        code = make_query(rc, 0, &q);
        if (code)
            return code;
        orm_query_offset(q, off);
        orm_query_limit(q, (int64_t)want);
        code = run(rc, q, &got, &n);
        orm_query_free(q);
    }
    if (code)
        return code;
    if (rc->held + n > rc->capacity)
        evict(rc, rc->held + n - rc->capacity, 0);
    if (reserve(rc, rc->held + n)) {
        rows_free(rc, got, n);
        return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
    }
    memmove(rc->rows + n, rc->rows, rc->held * sizeof *rc->rows);
    for (size_t i = 0; i < n; i++) /* keyset rows come nearest first */
        rc->rows[i] = rc->keyset ? got[n - 1 - i] : got[i];
    rc->held += n;
    free(got);
    rc->start -= (int64_t)n;
    if (!rc->keyset ? off == 0 : n < want)
        rc->at_start = 1;
    if (rc->at_start && rc->start != 0) {
        /* The start is here: positions were approximate (or rows came
         * and went); make them exact. */
        rc->shift -= rc->start;
        rc->start = 0;
        rc->approx = 0;
    }
    note_peak(rc);
    return 0;
}

/* ---- public ---- */

static int probe_key(tui_rowcache *rc)
{
    orm_query *q = NULL;
    int code = make_query(rc, 0, &q);
    if (code)
        return code;
    rc->nkey = orm_query_key_width(q);
    orm_query_free(q);
    if (rc->nkey > 64)
        return orm_error_set(&rc->err, ORM_EUNSUPPORTED, "key too wide");
    rc->keyset = rc->nkey > 0;
    return 0;
}

int tui_rowcache_new(tui_rowcache **out, orm_session *s, const orm_model *model,
                     size_t capacity)
{
    int pk[16];
    tui_rowcache *rc = tui_calloc(1, sizeof *rc);
    *out = NULL;
    if (!rc)
        return ORM_ENOMEM;
    rc->s = s;
    rc->m = model;
    rc->ncol = model->ncolumns;
    rc->capacity = rc->base_capacity = capacity < 2 ? 2 : capacity;
    rc->last_n = rc->capacity / 3 ? rc->capacity / 3 : 1;
    rc->can_reverse = orm_model_pk(model, pk, 16) > 0;
    int code = probe_key(rc);
    if (code) {
        tui_rowcache_free(rc);
        return code;
    }
    *out = rc;
    return 0;
}

void tui_rowcache_free(tui_rowcache *rc)
{
    if (!rc)
        return;
    clear_window(rc);
    free(rc->rows);
    orm_expr_free(rc->filter);
    orm_error_clear(&rc->err);
    free(rc);
}

const orm_error *tui_rowcache_error(const tui_rowcache *rc)
{
    return &rc->err;
}

void tui_rowcache_set_capacity(tui_rowcache *rc, size_t capacity)
{
    rc->base_capacity = capacity < 2 ? 2 : capacity;
    rc->capacity = rc->base_capacity + rc->batch;
}

void tui_rowcache_set_batch(tui_rowcache *rc, size_t rows)
{
    rc->batch = rows;
    rc->capacity = rc->base_capacity + rc->batch;
}

/* Rows one query reads when `n` are wanted: at least a batch, at most
 * what the window holds. */
static size_t fetch_size(const tui_rowcache *rc, size_t n)
{
    if (n < rc->batch)
        n = rc->batch;
    return n > rc->capacity ? rc->capacity : n;
}

size_t tui_rowcache_capacity(const tui_rowcache *rc)
{
    return rc->capacity;
}

int tui_rowcache_set_sort(tui_rowcache *rc, const tui_sort *sort)
{
    for (size_t i = 0; i < sort->n; i++)
        if (sort->keys[i].col < 0 || sort->keys[i].col >= (int)rc->ncol)
            return orm_error_set(&rc->err, ORM_EINVALID, "no column %d",
                                 sort->keys[i].col);
    clear_window(rc);
    rc->nkey = 0; /* rows held are gone: their key width may change */
    rc->sort = *sort;
    return probe_key(rc);
}

int tui_rowcache_set_order(tui_rowcache *rc, int column, int descending)
{
    tui_sort sort = {.n = 0};
    if (column >= 0)
        sort.keys[sort.n++] = (tui_sort_key){column, descending != 0};
    return tui_rowcache_set_sort(rc, &sort);
}

int tui_rowcache_set_filter(tui_rowcache *rc, const orm_expr *filter)
{
    orm_expr *copy = NULL;
    if (filter) {
        copy = orm_expr_copy(filter);
        if (!copy)
            return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
    }
    clear_window(rc);
    orm_expr_free(rc->filter);
    rc->filter = copy;
    rc->total_state = TOTAL_UNKNOWN;
    return 0;
}

/* The rows are read before the window is emptied: a query that fails
 * (a cancelled one) leaves the rows shown as they were. */
/* At most n rows from the start (reverse: from the end, last first),
 * after `offset` rows when it is not negative. */
static int read_rows(tui_rowcache *rc, int reverse, int64_t offset, size_t n,
                     orm_value ***got, size_t *count)
{
    orm_query *q = NULL;
    int code = make_query(rc, reverse, &q);
    if (code)
        return code;
    if (offset >= 0)
        orm_query_offset(q, offset);
    orm_query_limit(q, (int64_t)n);
    code = run(rc, q, got, count);
    orm_query_free(q);
    return code;
}

/* The window becomes `got` (taken; reversed: it came last first). */
static int replace_window(tui_rowcache *rc, orm_value **got, size_t count,
                          int reversed)
{
    clear_window(rc);
    if (reserve(rc, count)) {
        rows_free(rc, got, count);
        return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < count; i++) /* got is NULL when nothing matched */
        rc->rows[i] = got[reversed ? count - 1 - i : i];
    free(got);
    rc->held = count;
    return 0;
}

int tui_rowcache_seek_first(tui_rowcache *rc, size_t n)
{
    orm_value **got = NULL;
    size_t count = 0;
    int code;
    n = fetch_size(rc, n);
    rc->last_n = n;
    code = read_rows(rc, 0, -1, n, &got, &count);
    if (code == 0)
        code = replace_window(rc, got, count, 0);
    if (code)
        return code;
    rc->at_start = 1;
    rc->at_end = count < n;
    note_peak(rc);
    return 0;
}

int tui_rowcache_restart(tui_rowcache *rc, const orm_expr *filter,
                         int keep_filter, const tui_sort *sort, size_t n,
                         const orm_value *pk, int64_t *at)
{
    tui_rowcache before = *rc;
    orm_expr *copy = NULL;
    int code;
    for (size_t i = 0; i < sort->n; i++)
        if (sort->keys[i].col < 0 || sort->keys[i].col >= (int)rc->ncol)
            return orm_error_set(&rc->err, ORM_EINVALID, "no column %d",
                                 sort->keys[i].col);
    if (keep_filter)
        filter = rc->filter;
    if (filter && !(copy = orm_expr_copy(filter)))
        return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
    /* The new rows go into a window of their own. */
    rc->rows = NULL;
    rc->rows_cap = 0;
    rc->held = 0;
    clear_window(rc);
    rc->filter = copy;
    if (!keep_filter)
        rc->total_state = TOTAL_UNKNOWN;
    rc->sort = *sort;
    rc->nkey = 0;
    code = probe_key(rc);
    if (code == 0 && pk) {
        code = tui_rowcache_seek_record(rc, pk, n, at);
        if (code == ORM_ENOTFOUND || code == ORM_EUNSUPPORTED) {
            orm_error_clear(&rc->err);
            pk = NULL;
            code = 0;
        }
    }
    if (code == 0 && !pk) {
        if (at)
            *at = -1;
        code = tui_rowcache_seek_first(rc, n);
    }
    if (code) {
        orm_error err = rc->err; /* the failure's detail is the current */
        size_t queries = rc->queries, peak = rc->peak;
        clear_window(rc);
        free(rc->rows);
        orm_expr_free(rc->filter);
        *rc = before;
        rc->err = err;
        rc->queries = queries;
        rc->peak = peak;
        return code;
    }
    /* Old rows are freed with the key width they were made with. */
    rows_free(&before, before.rows, before.held);
    orm_expr_free(before.filter);
    return 0;
}

static int count_exact(tui_rowcache *rc)
{
    orm_query *q = NULL;
    int64_t n = 0;
    int code = make_query(rc, 0, &q);
    if (code)
        return code;
    rc->queries++;
    code = orm_query_count(q, &n);
    if (code)
        fail_from(rc, q, code);
    orm_query_free(q);
    if (code)
        return code;
    rc->total = n;
    rc->total_state = TOTAL_EXACT;
    return 0;
}

int tui_rowcache_seek_last(tui_rowcache *rc, size_t n)
{
    orm_value **got = NULL;
    size_t count = 0;
    int code;
    n = fetch_size(rc, n);
    rc->last_n = n;
    if (!rc->keyset || !rc->can_reverse) {
        /* No order to reverse: count, then an OFFSET. */
        code = count_exact(rc);
        if (code)
            return code;
        return tui_rowcache_seek_offset(
            rc, rc->total > (int64_t)n ? rc->total - (int64_t)n : 0, n);
    }
    code = read_rows(rc, 1, -1, n, &got, &count);
    if (code == 0)
        code = replace_window(rc, got, count, 1);
    if (code)
        return code;
    rc->at_end = 1;
    rc->at_start = count < n;
    if (!rc->at_start && rc->total_state == TOTAL_UNKNOWN)
        tui_rowcache_count(rc); /* an error leaves the total unknown */
    if (rc->at_start) {
        rc->start = 0;
    } else if (rc->total_state != TOTAL_UNKNOWN) {
        rc->start = rc->total > (int64_t)count ? rc->total - (int64_t)count : 0;
        rc->approx = rc->total_state != TOTAL_EXACT;
    } else {
        rc->start = 0;
        rc->approx = 1;
    }
    note_peak(rc);
    return 0;
}

int tui_rowcache_seek_offset(tui_rowcache *rc, int64_t offset, size_t n)
{
    orm_value **got = NULL;
    size_t count = 0;
    int code;
    n = fetch_size(rc, n);
    if (offset < 0)
        offset = 0;
    rc->last_n = n;
    code = read_rows(rc, 0, offset, n, &got, &count);
    if (code)
        return code;
    if (count == 0 && offset > 0) {
        /* Past the end: the last rows instead. */
        free(got);
        if (rc->keyset && rc->can_reverse)
            return tui_rowcache_seek_last(rc, n);
        return tui_rowcache_seek_offset(
            rc, offset > (int64_t)n ? offset - (int64_t)n : 0, n);
    }
    code = replace_window(rc, got, count, 0);
    if (code)
        return code;
    rc->start = offset;
    rc->at_start = offset == 0;
    rc->at_end = count < n;
    note_peak(rc);
    return 0;
}

/* The row with primary key `pk` read in the current order (none: no
 * rows) and its position there. */
static int find_record(tui_rowcache *rc, const orm_value *pk,
                       orm_value ***found, size_t *nfound, int64_t *pos)
{
    int pkc[16];
    size_t npk = orm_model_pk(rc->m, pkc, 16);
    orm_query *q = NULL;
    int code = make_query(rc, 0, &q);
    if (code)
        return code;
    for (size_t i = 0; i < npk && code == 0; i++)
        code = orm_query_filter_by(q, rc->m->columns[pkc[i]].name, &pk[i]);
    orm_query_limit(q, 1);
    code = code ? fail_from(rc, q, code) : run(rc, q, found, nfound);
    orm_query_free(q);
    if (code || *nfound == 0)
        return code;
    code = make_query(rc, 0, &q);
    if (code == 0) {
        rc->queries++;
        code = orm_query_position(q, (*found)[0] + rc->ncol, pos);
        if (code)
            fail_from(rc, q, code);
        orm_query_free(q);
    }
    return code;
}

int tui_rowcache_seek_record(tui_rowcache *rc, const orm_value *pk, size_t n,
                             int64_t *out)
{
    int pkc[16];
    orm_value **found = NULL, **before = NULL, **after = NULL;
    size_t nfound = 0, nbefore = 0, nafter = 0;
    int64_t pos = 0;
    int code;
    n = fetch_size(rc, n);
    if (n == 0)
        n = 1;
    if (!rc->keyset || orm_model_pk(rc->m, pkc, 16) == 0)
        return orm_error_set(&rc->err, ORM_EUNSUPPORTED,
                             "%s has no primary key", rc->m->table);
    code = find_record(rc, pk, &found, &nfound, &pos);
    if (code == 0 && nfound == 0)
        code = orm_error_set(&rc->err, ORM_ENOTFOUND, "the row is gone");
    const orm_value *key = code ? NULL : found[0] + rc->ncol;
    size_t want_before = (n - 1) / 2, want_after = n - 1 - want_before;
    if (code == 0 && want_before)
        code = run_past(rc, 1, key, want_before, &before, &nbefore);
    if (code == 0 && want_after)
        code = run_past(rc, 0, key, want_after, &after, &nafter);
    if (code == 0 && reserve(rc, rc->held + nbefore + 1 + nafter))
        code = orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
    if (code) {
        rows_free(rc, found, nfound);
        rows_free(rc, before, nbefore);
        rows_free(rc, after, nafter);
        return code;
    }
    clear_window(rc);
    for (size_t i = 0; i < nbefore; i++) /* they come nearest first */
        rc->rows[i] = before[nbefore - 1 - i];
    rc->rows[nbefore] = found[0];
    if (nafter)
        memcpy(rc->rows + nbefore + 1, after, nafter * sizeof *after);
    free(found);
    free(before);
    free(after);
    rc->held = nbefore + 1 + nafter;
    rc->last_n = n;
    rc->at_start = want_before ? nbefore < want_before : pos == 0;
    rc->at_end = want_after ? nafter < want_after : 0;
    /* Rows that came or went between the count and the pages move the
     * start; the start seen is position 0 whatever was counted. */
    rc->start =
        rc->at_start || pos < (int64_t)nbefore ? 0 : pos - (int64_t)nbefore;
    if (rc->start == 0)
        rc->at_start = 1;
    note_peak(rc);
    *out = rc->start + (int64_t)nbefore;
    return 0;
}

int tui_rowcache_ensure(tui_rowcache *rc, int64_t from, size_t n)
{
    int code = 0;
    if (n > rc->capacity)
        n = rc->capacity;
    if (from < 0)
        from = 0;
    if (rc->held == 0) {
        if (rc->at_start && rc->at_end)
            return 0; /* known to be empty */
        return from == 0 ? tui_rowcache_seek_first(rc, n)
                         : tui_rowcache_seek_offset(rc, from, n);
    }
    int64_t end = rc->start + (int64_t)rc->held;
    size_t slack = (rc->capacity - n) / 2;
    if (from < rc->start && !rc->at_start) {
        int64_t need = rc->start - from;
        if (need > (int64_t)rc->capacity)
            return tui_rowcache_seek_offset(rc, from, n);
        size_t want = fetch_size(rc, (size_t)need + slack);
        int64_t shift_before = rc->shift;
        code = fetch_backward(rc, want);
        if (code)
            return code;
        from += rc->shift - shift_before; /* positions may have moved */
        end = rc->start + (int64_t)rc->held;
    }
    if (from + (int64_t)n > end && !rc->at_end) {
        int64_t need = from + (int64_t)n - end;
        if (need > (int64_t)rc->capacity)
            return tui_rowcache_seek_offset(rc, from, n);
        size_t want = fetch_size(rc, (size_t)need + slack);
        code = fetch_forward(rc, want);
    }
    return code;
}

int tui_rowcache_reload(tui_rowcache *rc)
{
    orm_value **before = NULL, **got = NULL;
    size_t nbefore = 0, n = 0, keep = rc->held ? rc->held : rc->last_n;
    int64_t start = rc->start;
    int approx = rc->approx;
    int code;
    if (rc->held == 0 || rc->at_start)
        return tui_rowcache_seek_first(rc, keep);
    if (!rc->keyset)
        return tui_rowcache_seek_offset(rc, start, keep);
    /* The row just before the window, then the window after it. */
    code = run_past(rc, 1, row_key(rc, 0), 1, &before, &nbefore);
    if (code)
        return code;
    if (nbefore == 0) {
        free(before);
        return tui_rowcache_seek_first(rc, keep);
    }
    code = run_past(rc, 0, before[0] + rc->ncol, keep, &got, &n);
    rows_free(rc, before, nbefore);
    if (code)
        return code;
    clear_window(rc);
    if (reserve(rc, n)) {
        rows_free(rc, got, n);
        return orm_error_set(&rc->err, ORM_ENOMEM, "out of memory");
    }
    memcpy(rc->rows, got, n * sizeof *got);
    free(got);
    rc->held = n;
    rc->start = start;
    rc->approx = approx;
    rc->at_end = n < keep;
    note_peak(rc);
    return 0;
}

int tui_rowcache_count(tui_rowcache *rc)
{
    int64_t n = 0;
    int exact = 1, code;
    if (rc->filter) {
        code = count_exact(rc);
        if (code)
            return code;
    } else {
        orm_db *db = orm_session_db(rc->s);
        rc->queries++;
        code = orm_db_count(db, rc->m, 1, &n, &exact);
        if (code) {
            const orm_error *e = orm_db_error(db);
            if (e && e->code)
                orm_error_copy(&rc->err, e);
            else
                orm_error_set(&rc->err, code, "%s", orm_strerror(code));
            return code;
        }
        rc->total = n;
        rc->total_state = exact ? TOTAL_EXACT : TOTAL_ESTIMATE;
    }
    if (rc->approx && rc->at_end && rc->total_state == TOTAL_EXACT) {
        int64_t start = rc->total - (int64_t)rc->held;
        if (start < 0)
            start = 0;
        rc->shift += start - rc->start;
        rc->start = start;
        rc->approx = 0;
    }
    return 0;
}

const orm_value *tui_rowcache_row(const tui_rowcache *rc, int64_t index)
{
    if (index < rc->start || index >= rc->start + (int64_t)rc->held)
        return NULL;
    return rc->rows[index - rc->start];
}

const orm_value *tui_rowcache_key(const tui_rowcache *rc, int64_t index)
{
    const orm_value *row = tui_rowcache_row(rc, index);
    return row && rc->nkey ? row + rc->ncol : NULL;
}

size_t tui_rowcache_key_width(const tui_rowcache *rc)
{
    return rc->nkey;
}

int64_t tui_rowcache_start(const tui_rowcache *rc)
{
    return rc->start;
}

size_t tui_rowcache_held(const tui_rowcache *rc)
{
    return rc->held;
}

size_t tui_rowcache_peak(const tui_rowcache *rc)
{
    return rc->peak;
}

size_t tui_rowcache_queries(const tui_rowcache *rc)
{
    return rc->queries;
}

int tui_rowcache_at_start(const tui_rowcache *rc)
{
    return rc->at_start;
}

int tui_rowcache_at_end(const tui_rowcache *rc)
{
    return rc->at_end;
}

int tui_rowcache_position_exact(const tui_rowcache *rc)
{
    return !rc->approx;
}

int tui_rowcache_total(const tui_rowcache *rc, int64_t *out, int *exact)
{
    if (rc->total_state == TOTAL_UNKNOWN)
        return 0;
    *out = rc->total;
    *exact = rc->total_state == TOTAL_EXACT;
    return 1;
}

int64_t tui_rowcache_take_shift(tui_rowcache *rc)
{
    int64_t s = rc->shift;
    rc->shift = 0;
    return s;
}

int tui_rowcache_keyset(const tui_rowcache *rc)
{
    return rc->keyset;
}
