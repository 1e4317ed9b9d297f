/*
 * The rows screen: a grid of one model's rows over the row cache. Key
 * columns (and those the user freezes) stay at the left while the others
 * scroll sideways; which columns show and how wide is columns.c's; NULL,
 * secrets, blobs and numbers are drawn as display.c says. Sort by one or
 * more columns (sort.c) keeping the cursor's row, quick search over the
 * text columns, jump to a row number or a column, and a count of the
 * rows made between keys after the first screen.
 *
 * This file holds the screen itself (loading, keys, prompts, the filter
 * builder's way in); drawing, searching and the grid's tools are in
 * view_rows_*.c (view_rows.h).
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "edit.h"
#include "filter_views.h"
#include "fk_labels.h"
#include "mem.h"
#include "rowcache.h"
#include "view_rows.h"
#include "views.h"

/* ---- loading ---- */

size_t rows_window(const rows_view *rv)
{
    size_t page = rv->page > 0 ? (size_t)rv->page : 1;
    return page + page / 2;
}

void rows_set_capacity(rows_view *rv)
{
    size_t cap = 3 * (size_t)(rv->page > 0 ? rv->page : 1);
    tui_rowcache_set_capacity(rv->cache,
                              cap < MIN_CAPACITY ? MIN_CAPACITY : cap);
}

void rows_apply_shift(rows_view *rv)
{
    int64_t d = tui_rowcache_take_shift(rv->cache);
    rv->cursor += d;
    rv->top += d;
    if (rv->cursor < 0)
        rv->cursor = 0;
    if (rv->top < 0)
        rv->top = 0;
}

int rows_report(rows_view *rv, tui_app *app, int rc)
{
    if (rc)
        tui_app_db_error(app, rv->m->table, tui_rowcache_error(rv->cache));
    return rc;
}

/* The last row position, or -1 when not known yet. */
static int64_t last_row(const rows_view *rv)
{
    int64_t total;
    int exact;
    if (tui_rowcache_at_end(rv->cache))
        return tui_rowcache_start(rv->cache) +
               (int64_t)tui_rowcache_held(rv->cache) - 1;
    if (tui_rowcache_total(rv->cache, &total, &exact) && exact &&
        tui_rowcache_position_exact(rv->cache))
        return total - 1;
    return -1;
}

/* Rows [top, top + page) present; cursor and top inside what exists. */
int rows_sync(rows_view *rv, tui_app *app)
{
    int page = rv->page > 0 ? rv->page : 1;
    int rc;
    if (rv->top < 0)
        rv->top = 0;
    rc = tui_rowcache_ensure(rv->cache, rv->top, (size_t)page);
    rows_apply_shift(rv);
    if (rc)
        return rows_report(rv, app, rc);
    int64_t last = last_row(rv);
    if (last >= 0 && rv->cursor > last)
        rv->cursor = last;
    if (rv->cursor < 0)
        rv->cursor = 0;
    if (!tui_rowcache_row(rv->cache, rv->cursor) &&
        tui_rowcache_held(rv->cache)) {
        /* Beyond what exists: the last row held. */
        rv->cursor = tui_rowcache_start(rv->cache) +
                     (int64_t)tui_rowcache_held(rv->cache) - 1;
    }
    if (rv->cursor < rv->top)
        rv->top = rv->cursor;
    if (rv->cursor >= rv->top + page)
        rv->top = rv->cursor - page + 1;
    if (last >= 0 && rv->top > 0 && rv->top + page > last + 1) {
        /* Do not leave the end of the table half way up the screen. */
        rv->top = last + 1 - page > 0 ? last + 1 - page : 0;
        rc = tui_rowcache_ensure(rv->cache, rv->top, (size_t)page);
        rows_apply_shift(rv);
        if (rc)
            return rows_report(rv, app, rc);
    }
    return 0;
}

orm_expr *rows_combined_filter(const rows_view *rv)
{
    if (rv->base_filter && rv->search)
        return orm_and(orm_expr_copy(rv->base_filter),
                       orm_expr_copy(rv->search));
    if (rv->base_filter)
        return orm_expr_copy(rv->base_filter);
    if (rv->search)
        return orm_expr_copy(rv->search);
    return NULL;
}

/* Start over from the first row with the current order and filter.
 * When that fails the rows shown stay, with the cursor where it was:
 * the caller puts back the search, filter or order it changed. */
int rows_reload_first(rows_view *rv, tui_app *app)
{
    orm_expr *filter = rows_combined_filter(rv);
    int rc;
    if ((rv->base_filter || rv->search) && !filter) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    rc = tui_rowcache_restart(rv->cache, filter, 0, &rv->sort, rows_window(rv),
                              NULL, NULL);
    orm_expr_free(filter);
    tui_rowcache_take_shift(rv->cache);
    if (rc == 0) {
        rv->cursor = rv->top = 0;
        rv->count_pending = 1;
    }
    return rows_report(rv, app, rc);
}

int rows_load_labels(rows_view *rv, tui_app *app)
{
    const orm_value *rows[512];
    size_t n = 0;
    int page = rv->page > 0 ? rv->page : 1;
    /* The rows on the screen, or the first ones before it is laid out. */
    int64_t from = tui_rowcache_held(rv->cache) && rv->page <= 0
                       ? tui_rowcache_start(rv->cache)
                       : rv->top;
    size_t want = rv->page > 0 ? (size_t)page : tui_rowcache_held(rv->cache);
    for (size_t i = 0; i < want && n < 512; i++) {
        const orm_value *row = tui_rowcache_row(rv->cache, from + (int64_t)i);
        if (!row)
            break;
        rows[n++] = row;
    }
    if (!tui_fk_labels_missing(rv->labels, rows, n))
        return 0;
    int rc = tui_fk_labels_load(rv->labels, app->session, rows, n);
    if (rc && rc != ORM_ECANCELLED)
        tui_app_db_error(app, rv->m->table, orm_session_error(app->session));
    return rc;
}

void rows_prepare(tui_view *v, tui_app *app, int height)
{
    rows_view *rv = (rows_view *)v;
    if (tui_edit_commits(app) != rv->commits_seen) {
        /* Written: read the rows again where they are. */
        int rc = tui_rowcache_reload(rv->cache);
        rows_apply_shift(rv);
        if (rc == ORM_ECANCELLED) /* read again at the next key */
            return;
        rv->commits_seen = tui_edit_commits(app);
        rv->labels_pending = 1;
        if (rows_report(rv, app, rc) == 0)
            rv->count_pending = 1;
        rv->sync_pending = 1;
    }
    int page = rows_layout(rv, app, height);
    if (page != rv->page || rv->sync_pending) {
        rv->page = page;
        rows_set_capacity(rv);
        rv->sync_pending = rows_sync(rv, app) == ORM_ECANCELLED;
        rv->labels_pending = 1;
    }
}

static int rows_open(tui_view *v, tui_app *app)
{
    rows_view *rv = (rows_view *)v;
    const orm_model *m = rv->m;
    int rc;

    rv->page = tui_app_body_height(app) - 1;
    rv->revealed = tui_calloc(m->ncolumns + 1, 1);
    rv->shown = tui_calloc(m->ncolumns + 1, sizeof *rv->shown);
    rv->strip_cursor = -1;
    rv->commits_seen = tui_edit_commits(app);
    if (!rv->revealed || !rv->shown || tui_columns_init(&rv->cols, m) != 0) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    tui_columns_recall(app->columns_memo, &rv->cols);
    rc = tui_rowcache_new(&rv->cache, app->session, m,
                          3 * (size_t)(rv->page > 0 ? rv->page : 1));
    if (rc) {
        tui_app_db_error(app, m->table, orm_session_error(app->session));
        return rc;
    }
    rows_set_capacity(rv);
    tui_rowcache_set_batch(rv->cache, app->config.page_size);
    rc = rows_reload_first(rv, app);
    if (rc)
        return rc;
    /* The first screen's labels before it is drawn: its columns are
     * measured with them once (columns.h). */
    if (tui_fk_labels_new(&rv->labels, app->db, m) != 0) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    rows_load_labels(rv, app);
    if (m->is_view)
        tui_app_message(app, "a view: read-only, paging by offset");
    else if (!tui_rowcache_keyset(rv->cache))
        tui_app_message(app, "no primary key: read-only, paging by offset");
    return 0;
}

/* ---- actions ---- */

static unsigned open_record(rows_view *rv, tui_app *app)
{
    const orm_model *m = rv->m;
    const orm_value *row = tui_rowcache_row(rv->cache, rv->cursor);
    tui_view *rec = NULL;
    int pk[16];
    size_t npk = orm_model_pk(m, pk, 16);
    int rc;
    if (!row)
        return TUI_DONE;
    if (npk > 0 && npk <= 16) {
        const char *names[16];
        orm_value values[16];
        for (size_t i = 0; i < npk; i++) {
            names[i] = m->columns[pk[i]].name;
            values[i] = row[pk[i]];
        }
        rc = tui_view_record_new(&rec, app, m, names, values, npk);
    } else if (tui_rowcache_keyset(rv->cache)) {
        rc = tui_view_record_new_by_key(&rec, app, m, &rv->sort,
                                        tui_rowcache_key(rv->cache, rv->cursor),
                                        tui_rowcache_key_width(rv->cache));
    } else {
        /* No key at all: every column identifies the row. */
        const char **names = tui_calloc(m->ncolumns + 1, sizeof *names);
        if (!names) {
            tui_app_error(app, "out of memory");
            return TUI_REDRAW;
        }
        for (size_t i = 0; i < m->ncolumns; i++)
            names[i] = m->columns[i].name;
        rc = tui_view_record_new(&rec, app, m, names, row, m->ncolumns);
        free(names);
    }
    if (rc) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    /* On the grid's column: on a foreign key, Enter again follows it. */
    tui_view_record_set_field(rec, tui_columns_current(&rv->cols));
    app->pushed = rec;
    return TUI_PUSH;
}

static unsigned rows_action(tui_view *v, tui_app *app, tui_action a);

/* Any key may show other rows: their labels are read between keys. */
static unsigned rows_handle(tui_view *v, tui_app *app, tui_action a)
{
    ((rows_view *)v)->labels_pending = 1;
    return rows_action(v, app, a);
}

static unsigned rows_action(tui_view *v, tui_app *app, tui_action a)
{
    rows_view *rv = (rows_view *)v;
    int page = rv->page > 0 ? rv->page : 1;
    int rc;
    if (rv->strip_cursor >= 0 &&
        (a == TUI_ACT_PAGE_UP || a == TUI_ACT_PAGE_DOWN || a == TUI_ACT_FIRST ||
         a == TUI_ACT_LAST))
        rv->strip_cursor = -1;
    switch (a) {
    case TUI_ACT_MOVE_UP:
        /* Up from the first row reaches the pending new rows. */
        if (rv->strip_cursor > 0)
            rv->strip_cursor--;
        else if (rv->strip_cursor < 0 && rv->cursor == 0 && rv->strip > 0)
            rv->strip_cursor = rv->strip - 1;
        else if (rv->strip_cursor < 0)
            return rows_move(rv, app, -1, 0);
        return TUI_REDRAW;
    case TUI_ACT_MOVE_DOWN:
        if (rv->strip_cursor < 0)
            return rows_move(rv, app, 1, 0);
        if (++rv->strip_cursor >= rv->strip)
            rv->strip_cursor = -1;
        return TUI_REDRAW;
    case TUI_ACT_ADD:
        return tui_edit_add(app, rv->m);
    case TUI_ACT_EDIT:
    case TUI_ACT_DELETE:
    case TUI_ACT_MARK: {
        if (rv->strip_cursor >= 0)
            return tui_edit_new_row(
                app, a, tui_edit_new_at(app, rv->m, (size_t)rv->strip_cursor));
        unsigned r =
            tui_edit_row(app, a, rv->m, tui_rowcache_row(rv->cache, rv->cursor),
                         tui_rowcache_keyset(rv->cache)
                             ? tui_rowcache_key(rv->cache, rv->cursor)
                             : NULL,
                         tui_rowcache_key_width(rv->cache));
        if (a == TUI_ACT_MARK)
            rows_move(rv, app, 1, 0);
        return r;
    }
    case TUI_ACT_BULK_EDIT:
        return rows_bulk_edit(rv, app);
    case TUI_ACT_DUPLICATE:
        return rows_duplicate(rv, app);
    case TUI_ACT_PAGE_UP:
        return rows_move(rv, app, -page, 1);
    case TUI_ACT_PAGE_DOWN:
        return rows_move(rv, app, page, 1);
    case TUI_ACT_FIRST:
        rc = tui_rowcache_seek_first(rv->cache, rows_window(rv));
        tui_rowcache_take_shift(rv->cache);
        rv->cursor = rv->top = 0;
        rows_report(rv, app, rc);
        return TUI_REDRAW;
    case TUI_ACT_LAST:
        rc = tui_rowcache_seek_last(rv->cache, rows_window(rv));
        tui_rowcache_take_shift(rv->cache);
        if (rows_report(rv, app, rc) == 0 && tui_rowcache_held(rv->cache)) {
            rv->cursor = tui_rowcache_start(rv->cache) +
                         (int64_t)tui_rowcache_held(rv->cache) - 1;
            rv->top = rv->cursor - page + 1 > 0 ? rv->cursor - page + 1 : 0;
            rows_sync(rv, app);
        }
        return TUI_REDRAW;
    case TUI_ACT_OPEN:
        if (rv->strip_cursor >= 0)
            return tui_edit_new_row(
                app, TUI_ACT_EDIT,
                tui_edit_new_at(app, rv->m, (size_t)rv->strip_cursor));
        return open_record(rv, app);
    case TUI_ACT_SORT:
    case TUI_ACT_SORT_ADD:
        return rows_sort_key(rv, app, a == TUI_ACT_SORT_ADD);
    case TUI_ACT_SEARCH:
        tui_app_prompt(app, TUI_PROMPT_SEARCH, "/",
                       rv->search_text ? rv->search_text : rv->find_text);
        return TUI_REDRAW;
    case TUI_ACT_SEARCH_NEXT:
    case TUI_ACT_SEARCH_PREV:
        return rows_find(rv, app, a == TUI_ACT_SEARCH_PREV);
    case TUI_ACT_CANCEL:
        return rows_search_clear(rv, app);
    case TUI_ACT_GOTO_ROW:
        tui_app_prompt(app, TUI_PROMPT_GOTO, "row: ", NULL);
        return TUI_REDRAW;
    case TUI_ACT_REFRESH:
        rc = tui_rowcache_reload(rv->cache);
        rows_apply_shift(rv);
        if (rows_report(rv, app, rc) == 0) {
            rows_sync(rv, app);
            rv->count_pending = 1;
            tui_app_message(app, "reloaded");
        }
        return TUI_REDRAW;
    case TUI_ACT_REVEAL: {
        size_t c = tui_columns_current(&rv->cols);
        if (!(rv->m->columns[c].flags & ORM_SECRET)) {
            tui_app_message(app, "%s is not a secret column",
                            rv->m->columns[c].name);
            return TUI_REDRAW;
        }
        rv->revealed[c] = !rv->revealed[c];
        /* The values are another width now. */
        tui_columns_set_natural(&rv->cols, c,
                                rows_widest(rv, c, rv->top, (size_t)page));
        return TUI_REDRAW;
    }
    case TUI_ACT_BACKREFS:
        tui_app_message(app, "open a record (Enter) to list what refers "
                             "to it");
        return TUI_REDRAW;
    case TUI_ACT_FILTER:
    case TUI_ACT_SAVED_FILTERS:
    case TUI_ACT_CLEAR_FILTER:
        return tui_filter_rows_action(v, app, a); /* view_builder.c */
    case TUI_ACT_COPY_CELL:
        return rows_copy_cell(rv, app);
    case TUI_ACT_COPY_ROW:
        return rows_copy_rows(rv, app);
    case TUI_ACT_COLUMN_SUMMARY:
        return rows_open_summary(rv, app);
    case TUI_ACT_FILTER_EQUAL:
    case TUI_ACT_FILTER_NOT_EQUAL:
        return rows_quick_filter(rv, app, a == TUI_ACT_FILTER_NOT_EQUAL);
    default:
        return rows_column_action(rv, app, a);
    }
}

static unsigned rows_prompt(tui_view *v, tui_app *app, tui_prompt_kind kind,
                            const char *text, int done)
{
    rows_view *rv = (rows_view *)v;
    rv->labels_pending = 1;
    if (kind == TUI_PROMPT_COLUMN)
        return rows_column_prompt(rv, app, text, done);
    if (done != 1)
        return TUI_REDRAW;
    if (kind == TUI_PROMPT_SEARCH)
        return rows_search(rv, app, text);
    if (kind == TUI_PROMPT_GOTO)
        return rows_goto(rv, app, text);
    return TUI_DONE;
}

static unsigned rows_click(tui_view *v, tui_app *app, int line, int col,
                           int twice)
{
    rows_view *rv = (rows_view *)v;
    rv->labels_pending = 1;
    /* Which column was hit. */
    for (size_t i = 0; i < rv->cols.n; i++) {
        int x = tui_columns_x(&rv->cols, i, app->screen->cols);
        if (x >= 0 && col >= x && col < x + rv->cols.width[rv->cols.order[i]])
            rv->cols.cur = i;
    }
    if (line < 1)
        return TUI_REDRAW;
    if (line - 1 < rv->strip) { /* a pending new row */
        rv->strip_cursor = line - 1;
        return twice ? tui_edit_new_row(
                           app, TUI_ACT_EDIT,
                           tui_edit_new_at(app, rv->m, (size_t)(line - 1)))
                     : TUI_REDRAW;
    }
    rv->strip_cursor = -1;
    int64_t row = rv->top + line - 1 - rv->strip;
    if (!tui_rowcache_row(rv->cache, row))
        return TUI_REDRAW;
    rv->cursor = row;
    return twice ? open_record(rv, app) : TUI_REDRAW;
}

static unsigned rows_idle(tui_view *v, tui_app *app, int *more)
{
    rows_view *rv = (rows_view *)v;
    *more = 0;
    if (rv->labels_pending) { /* the screen's labels, then the count */
        int rc = rows_load_labels(rv, app);
        *more = 1;
        if (rc == ORM_ECANCELLED) /* a key stopped it: read again later */
            return TUI_DONE;
        rv->labels_pending = 0;
        return TUI_REDRAW;
    }
    if (!rv->count_pending)
        return TUI_DONE;
    rv->count_pending = 0;
    int rc = tui_rowcache_count(rv->cache);
    rows_apply_shift(rv);
    if (rc == ORM_ECANCELLED) { /* a key stopped it: counted again later */
        rv->count_pending = 1;
        *more = 1;
        return TUI_DONE;
    }
    if (rc)
        rows_report(rv, app, rc);
    return TUI_REDRAW;
}

static void rows_close(tui_view *v)
{
    rows_view *rv = (rows_view *)v;
    if (!rv)
        return;
    tui_rowcache_free(rv->cache);
    tui_fk_labels_free(rv->labels);
    orm_expr_free(rv->base_filter);
    orm_expr_free(rv->search);
    orm_expr_free(rv->find);
    free(rv->base_text);
    free(rv->search_text);
    free(rv->find_text);
    tui_columns_clear(&rv->cols);
    orm_buf_free(&rv->col_stem);
    free(rv->revealed);
    free(rv->shown);
    free(rv);
}

/* The rows screen's own keys, then browsing's. */
static const tui_scope rows_scopes[] = {TUI_SCOPE_ROWS, TUI_SCOPE_BROWSE,
                                        TUI_SCOPE_GLOBAL};

static const tui_view_ops rows_ops = {
    .name = "rows",
    .kind = TUI_VIEW_ROWS,
    .scopes = rows_scopes,
    .open = rows_open,
    .prepare = rows_prepare,
    .draw = rows_draw,
    .title = rows_title,
    .status = rows_status,
    .handle = rows_handle,
    .prompt = rows_prompt,
    .click = rows_click,
    .idle = rows_idle,
    .close = rows_close,
};

struct tui_rowcache *tui_view_rows_cache(const tui_view *v)
{
    if (!v || v->ops != &rows_ops)
        return NULL;
    return ((const rows_view *)v)->cache;
}

/* ---- the filter builder's way in (views.h) ---- */

const orm_model *tui_view_rows_model(const tui_view *v)
{
    return v && v->ops == &rows_ops ? ((const rows_view *)v)->m : NULL;
}

const orm_expr *tui_view_rows_filter(const tui_view *v)
{
    return v && v->ops == &rows_ops ? ((const rows_view *)v)->base_filter
                                    : NULL;
}

const orm_expr *tui_view_rows_search(const tui_view *v, const char **text)
{
    const rows_view *rv = (const rows_view *)v;
    if (!v || v->ops != &rows_ops)
        return NULL;
    if (text)
        *text = rv->search_text;
    return rv->search;
}

int tui_view_rows_set_filter(tui_view *v, tui_app *app, const orm_expr *filter,
                             const char *text)
{
    rows_view *rv = (rows_view *)v;
    orm_expr *copy = NULL;
    char *copy_text = NULL;
    if (!v || v->ops != &rows_ops)
        return ORM_EINVALID;
    if (filter) {
        copy = orm_expr_copy(filter);
        copy_text = orm_strdup(text ? text : "");
        if (!copy || !copy_text) {
            orm_expr_free(copy);
            free(copy_text);
            tui_app_error(app, "out of memory");
            return ORM_ENOMEM;
        }
    }
    orm_expr *old = rv->base_filter;
    char *old_text = rv->base_text;
    rv->base_filter = copy;
    rv->base_text = copy_text;
    int rc = rows_reload_first(rv, app);
    if (rc) { /* the rows of the old filter stay */
        orm_expr_free(rv->base_filter);
        free(rv->base_text);
        rv->base_filter = old;
        rv->base_text = old_text;
        return rc;
    }
    orm_expr_free(old);
    free(old_text);
    return 0;
}

int tui_view_rows_new(tui_view **out, tui_app *app, const orm_model *model,
                      const orm_expr *filter, const char *filter_text)
{
    rows_view *rv = tui_calloc(1, sizeof *rv);
    *out = NULL;
    if (!rv)
        return ORM_ENOMEM;
    rv->base.ops = &rows_ops;
    rv->display = &app->display;
    rv->m = model;
    if (filter) {
        rv->base_filter = orm_expr_copy(filter);
        rv->base_text = filter_text ? orm_strdup(filter_text) : NULL;
        if (!rv->base_filter) {
            free(rv);
            return ORM_ENOMEM;
        }
    }
    *out = &rv->base;
    return 0;
}
