/*
 * The rows screen's sorting, searching and jumping (view_rows.h): a new
 * order keeping the cursor's row, a search over the text columns that
 * narrows the rows, the next and previous match without narrowing (n,
 * N), a row number, and moving the cursor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "mem.h"
#include "view_rows.h"

/* Read the rows again from `filter` (copied; keep_filter: the one they
 * have) in `sort`, keeping the cursor on its row, on the same screen
 * line, where it can: the row is found again by its primary key (a row
 * without one, or gone, leaves the cursor on the first row). One step:
 * when it fails (Esc), the rows shown stay and the error is said. */
static int restart_keeping(rows_view *rv, tui_app *app, const orm_expr *filter,
                           int keep_filter, const tui_sort *sort)
{
    int pk[16];
    size_t npk = orm_model_pk(rv->m, pk, 16), nkeep = 0;
    orm_value keep[16];
    const orm_value *row =
        rv->strip_cursor < 0 ? tui_rowcache_row(rv->cache, rv->cursor) : NULL;
    int64_t line = rv->cursor - rv->top, at = -1;
    if (row && npk <= 16 && tui_rowcache_keyset(rv->cache))
        for (; nkeep < npk; nkeep++)
            if (orm_value_copy(&keep[nkeep], &row[pk[nkeep]]))
                break;
    int rc = tui_rowcache_restart(rv->cache, filter, keep_filter, sort,
                                  rows_window(rv),
                                  npk > 0 && nkeep == npk ? keep : NULL, &at);
    tui_rowcache_take_shift(rv->cache);
    for (size_t i = 0; i < nkeep; i++)
        orm_value_clear(&keep[i]);
    if (rc != 0)
        return rows_report(rv, app, rc);
    rv->count_pending |= !keep_filter;
    if (at < 0) { /* the row is gone (or has no key): the first rows */
        rv->cursor = rv->top = 0;
        return 0;
    }
    rv->cursor = at;
    rv->top = at - line > 0 ? at - line : 0;
    rows_sync(rv, app);
    return 0;
}

/* Sort in a new order, keeping the cursor on its row. */
static void resort(rows_view *rv, tui_app *app, const tui_sort *sort)
{
    tui_sort before = rv->sort;
    rv->sort = *sort;
    if (restart_keeping(rv, app, NULL, 1, &rv->sort) != 0)
        rv->sort = before;
}

/* `s` (add 0) and `S` (add 1) on the current column. */
unsigned rows_sort_key(rows_view *rv, tui_app *app, int add)
{
    int c = (int)tui_columns_current(&rv->cols);
    tui_sort sort = rv->sort;
    if (rv->m->columns[c].type == ORM_BLOB) {
        tui_app_error(app, "%s: cannot sort by a blob column",
                      rv->m->columns[c].name);
        return TUI_REDRAW;
    }
    if (!add)
        tui_sort_toggle(&sort, c);
    else if (tui_sort_add(&sort, c) != 0) {
        tui_app_error(app, "at most %d sort columns", TUI_SORT_MAX);
        return TUI_REDRAW;
    }
    resort(rv, app, &sort);
    return TUI_REDRAW;
}

/* Words typed -> every word in some text column, case-insensitively. */
static orm_expr *search_expr(const orm_model *m, const char *text,
                             int *no_columns)
{
    orm_expr *words[32];
    size_t nwords = 0;
    const char *p = text;
    *no_columns = 0;
    size_t ntext = 0;
    for (size_t c = 0; c < m->ncolumns; c++)
        ntext += tui_column_is_text(&m->columns[c]) &&
                 !(m->columns[c].flags & ORM_SECRET);
    if (ntext == 0) {
        *no_columns = 1;
        return NULL;
    }
    while (*p && nwords < 32) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t len = 0;
        while (p[len] && p[len] != ' ' && p[len] != '\t')
            len++;
        orm_expr **alts = tui_calloc(ntext, sizeof *alts);
        char *word = orm_strndup(p, len);
        size_t n = 0;
        if (!alts || !word) {
            free(alts);
            free(word);
            goto nomem;
        }
        for (size_t c = 0; c < m->ncolumns; c++) {
            if (!tui_column_is_text(&m->columns[c]) ||
                (m->columns[c].flags & ORM_SECRET))
                continue;
            orm_expr *args[2] = {orm_col(m->columns[c].name), orm_str(word)};
            if (!args[0] || !args[1]) {
                orm_expr_free(args[0]);
                orm_expr_free(args[1]);
                alts[n++] = NULL;
                continue;
            }
            alts[n++] = orm_expr_op(ORM_OP_ICONTAINS, args, 2);
        }
        free(word);
        words[nwords] = orm_expr_op(ORM_OP_OR, alts, n);
        free(alts);
        if (!words[nwords])
            goto nomem;
        nwords++;
        p += len;
    }
    if (nwords == 0)
        return NULL;
    return orm_expr_op(ORM_OP_AND, words, nwords);
nomem:
    for (size_t i = 0; i < nwords; i++)
        orm_expr_free(words[i]);
    return NULL;
}

unsigned rows_search(rows_view *rv, tui_app *app, const char *text)
{
    int no_columns = 0;
    orm_expr *e = NULL;
    int blank = 1;
    for (const char *p = text; *p; p++)
        blank &= *p == ' ' || *p == '\t';
    if (!blank) {
        e = search_expr(rv->m, text, &no_columns);
        if (no_columns) {
            tui_app_error(app, "%s has no text columns to search", rv->m->name);
            return TUI_REDRAW;
        }
        if (!e) {
            tui_app_error(app, "out of memory");
            return TUI_REDRAW;
        }
    }
    orm_expr *old = rv->search;
    char *old_text = rv->search_text;
    rv->search = e;
    rv->search_text = e ? orm_strdup(text) : NULL;
    if (rows_reload_first(rv, app) != 0) { /* the rows of the old search stay */
        orm_expr_free(rv->search);
        free(rv->search_text);
        rv->search = old;
        rv->search_text = old_text;
        return TUI_REDRAW;
    }
    orm_expr_free(old);
    free(old_text);
    orm_expr_free(rv->find); /* narrowing now */
    free(rv->find_text);
    rv->find = NULL;
    rv->find_text = NULL;
    return TUI_REDRAW;
}

/* The first row matching the search after (backward: before) the
 * cursor's row in the current order, among the rows the filter shows:
 * one query with a LIMIT of 1 from the cursor's paging key, so that a
 * huge table is never walked. 1 with its primary key values copied into
 * pk_out, 0 when there is none, or a negative error (said). */
static int find_row(rows_view *rv, tui_app *app, int backward,
                    orm_value *pk_out, const int *pk, size_t npk)
{
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row = NULL;
    const orm_value *key =
        rv->strip_cursor < 0 && tui_rowcache_row(rv->cache, rv->cursor)
            ? tui_rowcache_key(rv->cache, rv->cursor)
            : NULL;
    int rc = orm_query_new(&q, app->session, rv->m);
    if (rc)
        goto done;
    if (rv->base_filter)
        rc = orm_query_filter(q, orm_expr_copy(rv->base_filter));
    if (rc == 0)
        rc = orm_query_filter(q, orm_expr_copy(rv->find));
    if (rc == 0)
        rc = tui_sort_apply(&rv->sort, rv->m, q, 0);
    if (rc == 0 && key &&
        orm_query_key_width(q) == tui_rowcache_key_width(rv->cache))
        rc = backward ? orm_query_before(q, key) : orm_query_after(q, key);
    else if (rc == 0 && backward) /* nothing is above the first row */
        goto done;
    orm_query_limit(q, 1);
    if (rc == 0)
        rc = orm_query_cursor(q, &c);
    if (rc == 0)
        rc = orm_cursor_next(c, &row);
    if (rc == ORM_ROW) {
        rc = 1;
        for (size_t i = 0; i < npk; i++)
            if (orm_value_copy(&pk_out[i], &row[pk[i]])) {
                for (size_t k = 0; k < i; k++)
                    orm_value_clear(&pk_out[k]);
                rc = ORM_ENOMEM;
                break;
            }
    } else if (rc == ORM_DONE) {
        rc = 0;
    }
done:
    if (rc < 0)
        tui_app_db_error(app, rv->m->table,
                         c && orm_cursor_error(c)->code ? orm_cursor_error(c)
                         : q                            ? orm_query_error(q)
                             : orm_session_error(app->session));
    orm_cursor_free(c);
    orm_query_free(q);
    return rc;
}

/* n and N: the next (previous) row matching the search, the rows not
 * narrowed. A search that narrows them stops narrowing first (the
 * cursor stays on its row); the match found is read with the rows
 * around it (tui_rowcache_seek_record: its position by one count). */
unsigned rows_find(rows_view *rv, tui_app *app, int backward)
{
    int pk[16];
    size_t npk = orm_model_pk(rv->m, pk, 16);
    orm_value found[16];
    if (!rv->search && !rv->find) {
        orm_buf keys = ORM_BUF_INIT;
        tui_keymap_describe(&app->keymap, TUI_ACT_SEARCH, &keys);
        tui_app_message(app, "no search: %s starts one",
                        keys.len ? orm_buf_str(&keys) : "search");
        orm_buf_free(&keys);
        return TUI_REDRAW;
    }
    if (npk == 0 || npk > 16 || !tui_rowcache_keyset(rv->cache)) {
        tui_app_error(app,
                      "%s has no primary key: the search can only "
                      "narrow the rows",
                      rv->m->name);
        return TUI_REDRAW;
    }
    if (rv->search) { /* stop narrowing, on the same row */
        orm_expr *search = rv->search;
        rv->search = NULL;
        if (restart_keeping(rv, app, rv->base_filter, 0, &rv->sort) != 0) {
            rv->search = search;
            return TUI_REDRAW;
        }
        orm_expr_free(rv->find);
        free(rv->find_text);
        rv->find = search;
        rv->find_text = rv->search_text;
        rv->search_text = NULL;
    }
    int rc = find_row(rv, app, backward, found, pk, npk);
    if (rc < 0)
        return TUI_REDRAW;
    if (rc == 0) {
        tui_app_message(app, "no match for '%s' %s this row", rv->find_text,
                        backward ? "above" : "below");
        return TUI_REDRAW;
    }
    int64_t at = -1, line = rv->cursor - rv->top;
    int page = rv->page > 0 ? rv->page : 1;
    rc = tui_rowcache_seek_record(rv->cache, found, rows_window(rv), &at);
    tui_rowcache_take_shift(rv->cache);
    for (size_t i = 0; i < npk; i++)
        orm_value_clear(&found[i]);
    if (rows_report(rv, app, rc))
        return TUI_REDRAW;
    rv->strip_cursor = -1;
    /* On the same screen: only the cursor moves; else the match in the
     * middle of the screen. */
    if (at >= rv->top && at < rv->top + page)
        line = at - rv->top;
    else
        line = page / 2;
    rv->cursor = at;
    rv->top = at - line > 0 ? at - line : 0;
    rows_sync(rv, app);
    return TUI_REDRAW;
}

/* Esc: a search (narrowing or found with n/N) ends, the cursor staying
 * on its row; TUI_UNHANDLED when there is none (Esc goes back). */
unsigned rows_search_clear(rows_view *rv, tui_app *app)
{
    if (rv->search) {
        orm_expr *search = rv->search;
        rv->search = NULL;
        if (restart_keeping(rv, app, rv->base_filter, 0, &rv->sort) != 0) {
            rv->search = search;
            return TUI_REDRAW;
        }
        orm_expr_free(search);
        free(rv->search_text);
        rv->search_text = NULL;
    } else if (rv->find) {
        orm_expr_free(rv->find);
        free(rv->find_text);
        rv->find = NULL;
        rv->find_text = NULL;
    } else {
        return TUI_UNHANDLED;
    }
    tui_app_message(app, "search cleared");
    return TUI_REDRAW;
}

unsigned rows_goto(rows_view *rv, tui_app *app, const char *text)
{
    char *end = NULL;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    if (end == text || !end || *end || errno || n < 1) {
        tui_app_error(app, "not a row number: %s", text);
        return TUI_REDRAW;
    }
    int page = rv->page > 0 ? rv->page : 1;
    int64_t want = (int64_t)n - 1;
    int64_t from = want - page / 2 > 0 ? want - page / 2 : 0;
    int rc = tui_rowcache_seek_offset(rv->cache, from, rows_window(rv));
    tui_rowcache_take_shift(rv->cache);
    if (rows_report(rv, app, rc))
        return TUI_REDRAW;
    rv->cursor = want;
    rv->top = tui_rowcache_start(rv->cache);
    rows_sync(rv, app);
    if (rv->cursor < want) {
        char count[32];
        tui_text_count(count, sizeof count, (long long)rv->cursor + 1, 0);
        tui_app_message(app, "only %s rows", count);
    }
    return TUI_REDRAW;
}

unsigned rows_move(rows_view *rv, tui_app *app, int64_t delta, int scroll)
{
    int64_t cursor = rv->cursor + delta;
    if (cursor < 0)
        cursor = 0;
    if (scroll) {
        rv->top += cursor - rv->cursor;
        if (rv->top < 0)
            rv->top = 0;
    }
    rv->cursor = cursor;
    if (rv->cursor < rv->top)
        rv->top = rv->cursor;
    if (rv->cursor >= rv->top + rv->page)
        rv->top = rv->cursor - rv->page + 1;
    rows_sync(rv, app);
    return TUI_REDRAW;
}
