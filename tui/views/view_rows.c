/*
 * The rows screen: a grid of one model's rows over the row cache. Key
 * columns (and those the user freezes) stay at the left while the others
 * scroll sideways; which columns show and how wide is columns.c's; NULL,
 * secrets, blobs and numbers are drawn as display.c says. Sort by one or
 * more columns (sort.c) keeping the cursor's row, quick search over the
 * text columns, jump to a row number or a column, and a count of the
 * rows made between keys after the first screen.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clipboard.h"
#include "columns.h"
#include "display.h"
#include "edit.h"
#include "filter_views.h"
#include "rowcache.h"
#include "rows_copy.h"
#include "views.h"

#define MIN_CAPACITY 30
#define SEPARATOR    "\xE2\x94\x82" /* │ */

typedef struct rows_view {
    tui_view base;
    const orm_model *m;
    tui_rowcache *cache;
    orm_expr *base_filter;
    char *base_text;
    orm_expr *search;
    char *search_text;
    tui_sort sort;
    int64_t cursor, top;
    tui_columns cols;
    size_t col_before; /* the current column when `c` was pressed */
    orm_buf col_stem;  /* what Tab completes in the column prompt */
    unsigned char *revealed;
    int page;
    int count_pending;
    /* Editing (edit.c): pending new rows shown above the grid and the
     * cursor among them (-1: in the grid), a gutter for pending marks,
     * the pending record and mark of the line being drawn, commits
     * seen (the rows are read again after one). */
    int strip, strip_cursor;
    const orm_record *line_rec;
    const char *line_mark;
    orm_value *shown;
    unsigned long commits_seen;
    const tui_display *display; /* the app's: NULL glyph, date format */
} rows_view;

/* ---- loading ---- */

static size_t window_rows(const rows_view *rv)
{
    size_t page = rv->page > 0 ? (size_t)rv->page : 1;
    return page + page / 2;
}

static void set_capacity(rows_view *rv)
{
    size_t cap = 3 * (size_t)(rv->page > 0 ? rv->page : 1);
    tui_rowcache_set_capacity(rv->cache,
                              cap < MIN_CAPACITY ? MIN_CAPACITY : cap);
}

static void apply_shift(rows_view *rv)
{
    int64_t d = tui_rowcache_take_shift(rv->cache);
    rv->cursor += d;
    rv->top += d;
    if (rv->cursor < 0)
        rv->cursor = 0;
    if (rv->top < 0)
        rv->top = 0;
}

static int report(rows_view *rv, tui_app *app, int rc)
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
static int sync(rows_view *rv, tui_app *app)
{
    int page = rv->page > 0 ? rv->page : 1;
    int rc;
    if (rv->top < 0)
        rv->top = 0;
    rc = tui_rowcache_ensure(rv->cache, rv->top, (size_t)page);
    apply_shift(rv);
    if (rc)
        return report(rv, app, rc);
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
        apply_shift(rv);
        if (rc)
            return report(rv, app, rc);
    }
    return 0;
}

static orm_expr *combined_filter(const rows_view *rv)
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
static int reload_first(rows_view *rv, tui_app *app)
{
    orm_expr *filter = combined_filter(rv);
    int rc;
    if ((rv->base_filter || rv->search) && !filter) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    rc = tui_rowcache_restart(rv->cache, filter, 0, &rv->sort, window_rows(rv),
                              NULL, NULL);
    orm_expr_free(filter);
    tui_rowcache_take_shift(rv->cache);
    if (rc == 0) {
        rv->cursor = rv->top = 0;
        rv->count_pending = 1;
    }
    return report(rv, app, rc);
}

static int rows_open(tui_view *v, tui_app *app)
{
    rows_view *rv = (rows_view *)v;
    const orm_model *m = rv->m;
    int rc;

    rv->page = tui_app_body_height(app) - 1;
    rv->revealed = calloc(m->ncolumns + 1, 1);
    rv->shown = calloc(m->ncolumns + 1, sizeof *rv->shown);
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
    set_capacity(rv);
    tui_rowcache_set_batch(rv->cache, app->config.page_size);
    rc = reload_first(rv, app);
    if (rc)
        return rc;
    if (m->is_view)
        tui_app_message(app, "a view: read-only, paging by offset");
    else if (!tui_rowcache_keyset(rv->cache))
        tui_app_message(app, "no primary key: read-only, paging by offset");
    return 0;
}

/* ---- drawing ---- */

/* The widest value of model column `c` among rows [from, from + n). */
static int widest(const rows_view *rv, size_t c, int64_t from, size_t n)
{
    int widest = 0;
    for (size_t line = 0; line < n; line++) {
        const orm_value *row =
            tui_rowcache_row(rv->cache, from + (int64_t)line);
        if (!row)
            break;
        orm_buf b = ORM_BUF_INIT;
        tui_element el;
        int right;
        tui_value_show(&b, &el, &right, &rv->m->columns[c], &row[c],
                       rv->revealed[c], rv->display);
        const char *s = orm_buf_str(&b);
        int w = s ? tui_text_width(s, b.len) : 0;
        if (w > widest)
            widest = w;
        orm_buf_free(&b);
    }
    return widest;
}

/* Natural widths, once, from the first screen with rows (columns.h):
 * paging never moves the columns. */
static void measure(rows_view *rv)
{
    for (size_t c = 0; c < rv->m->ncolumns; c++) {
        char mark[16];
        tui_sort_mark(&rv->sort, (int)c, mark, sizeof mark);
        tui_columns_set_header(&rv->cols, c,
                               tui_text_widthz(rv->m->columns[c].name) +
                                   tui_text_widthz(mark));
    }
    if (tui_rowcache_held(rv->cache) == 0)
        return;
    for (size_t c = 0; c < rv->m->ncolumns; c++)
        if (!tui_columns_measured(&rv->cols, c))
            tui_columns_set_natural(
                &rv->cols, c,
                widest(rv, c, rv->top, rv->page > 0 ? (size_t)rv->page : 1));
}

static void draw_value(const rows_view *rv, tui_screen *scr, int row, int x,
                       int width, const orm_column *col, const orm_value *v,
                       int revealed, tui_element override, int key)
{
    orm_buf b = ORM_BUF_INIT, fitted = ORM_BUF_INIT;
    tui_element el;
    int right;
    tui_value_show(&b, &el, &right, col, v, revealed, rv->display);
    const char *s = orm_buf_str(&b);
    int w = tui_text_fit(&fitted, s ? s : "", s ? b.len : 0, width);
    if (override != TUI_EL_DEFAULT)
        el = override;
    else if (key && el != TUI_EL_NULL_VALUE && el != TUI_EL_SECRET)
        el = TUI_EL_KEY_COLUMN;
    tui_screen_put(scr, row, right ? x + width - w : x, orm_buf_str(&fitted),
                   width, el);
    orm_buf_free(&b);
    orm_buf_free(&fitted);
}

/* A column's name in the header, with its sort mark (▲1) kept whole. */
static void draw_header_cell(rows_view *rv, tui_screen *scr, int row, int x,
                             int width, size_t c, int current)
{
    const orm_column *col = &rv->m->columns[c];
    char mark[16];
    orm_buf fitted = ORM_BUF_INIT;
    tui_sort_mark(&rv->sort, (int)c, mark, sizeof mark);
    int mw = tui_text_widthz(mark);
    if (mw >= width)
        mw = 0;
    int w = tui_text_fit(&fitted, col->name, strlen(col->name), width - mw);
    if (mw)
        orm_buf_append(&fitted, mark);
    w += mw;
    int right = tui_column_right_aligned(col);
    tui_element el = current ? TUI_EL_CURSOR_CELL : TUI_EL_HEADER;
    if (current)
        tui_screen_fill(scr, row, x, width, el);
    tui_screen_put(scr, row, right ? x + width - w : x, orm_buf_str(&fitted),
                   width, el);
    orm_buf_free(&fitted);
}

/* Draw column order[i] at x on one line; returns the next x. */
static int draw_column(rows_view *rv, tui_screen *scr, int row, int x, size_t i,
                       const orm_value *values, int header, int cursor_line)
{
    size_t c = rv->cols.order[i];
    const orm_column *col = &rv->m->columns[c];
    int width = rv->cols.width[c];
    int key = i < rv->cols.nkeys;
    int current = i == rv->cols.cur;
    if (rv->cols.hidden[c])
        return x;
    if (x + width > scr->cols)
        width = scr->cols - x;
    if (width <= 0)
        return scr->cols;
    if (header) {
        draw_header_cell(rv, scr, row, x, width, c, current);
    } else {
        tui_element over = tui_edit_cell_element(rv->line_rec, c);
        if (cursor_line)
            over = current ? TUI_EL_CURSOR_CELL : TUI_EL_CURSOR;
        if (cursor_line)
            tui_screen_fill(scr, row, x, width, over);
        if (key && rv->line_rec && values[c].kind == ORM_VNULL &&
            orm_record_state_of(rv->line_rec) == ORM_RECORD_NEW)
            tui_screen_put(scr, row, x, "new", width,
                           cursor_line ? over : TUI_EL_PENDING_ADD);
        else
            draw_value(rv, scr, row, x, width, col, &values[c], rv->revealed[c],
                       over, key);
    }
    return x + width + 1;
}

/* The gutter mark's colour: the kind of pending change. */
static tui_element mark_element(const char *mark)
{
    switch (mark[0]) {
    case '+':
        return TUI_EL_PENDING_ADD;
    case '~':
        return TUI_EL_PENDING_CHANGE;
    case '-':
        return TUI_EL_PENDING_DELETE;
    default:
        return TUI_EL_HELP_KEY;
    }
}

static void draw_line(rows_view *rv, tui_screen *scr, int row,
                      const orm_value *values, int header, int cursor_line)
{
    const tui_columns *cols = &rv->cols;
    int x = cols->gutter;
    if (cursor_line)
        tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_CURSOR);
    if (cols->gutter && !header && rv->line_mark)
        tui_screen_put(scr, row, 0, rv->line_mark, 1,
                       cursor_line ? TUI_EL_CURSOR
                                   : mark_element(rv->line_mark));
    for (size_t i = 0; i < cols->nfrozen && x < scr->cols; i++)
        x = draw_column(rv, scr, row, x, i, values, header, cursor_line);
    if (x > cols->gutter && x < scr->cols) {
        tui_screen_put(scr, row, x, SEPARATOR, 1,
                       cursor_line ? TUI_EL_CURSOR : TUI_EL_SEPARATOR);
        x += 2;
    }
    for (size_t i = cols->hscroll; i < cols->n && x < scr->cols; i++)
        x = draw_column(rv, scr, row, x, i, values, header, cursor_line);
}

static void rows_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                      int height)
{
    rows_view *rv = (rows_view *)v;
    int strip_max = height / 3 > 1 ? height / 3 : 1;
    size_t nnew = tui_edit_new_count(app, rv->m);
    rv->strip = nnew < (size_t)strip_max ? (int)nnew : strip_max;
    if (rv->strip_cursor >= rv->strip)
        rv->strip_cursor = rv->strip - 1;
    rv->cols.gutter = tui_edit_model_busy(app, rv->m) ? 2 : 0;
    if (tui_edit_commits(app) != rv->commits_seen) {
        /* Written: read the rows again where they are. */
        rv->commits_seen = tui_edit_commits(app);
        int rc = tui_rowcache_reload(rv->cache);
        apply_shift(rv);
        if (report(rv, app, rc) == 0)
            rv->count_pending = 1;
        rv->page = 0; /* sync below */
    }
    int page = height - 1 - rv->strip > 0 ? height - 1 - rv->strip : 1;
    if (page != rv->page) {
        rv->page = page;
        set_capacity(rv);
        sync(rv, app);
    }
    measure(rv);
    tui_columns_fit(&rv->cols, scr->cols);
    tui_screen_fill(scr, top, 0, scr->cols, TUI_EL_HEADER);
    draw_line(rv, scr, top, NULL, 1, 0);
    /* Pending new records, above the rows read from the database. */
    for (int i = 0; i < rv->strip; i++) {
        orm_record *rec = tui_edit_new_at(app, rv->m, (size_t)i);
        if (!rec)
            break;
        tui_edit_overlay(rec, NULL, rv->shown, rv->m->ncolumns);
        rv->line_rec = rec;
        rv->line_mark = "+";
        draw_line(rv, scr, top + 1 + i, rv->shown, 0, rv->strip_cursor == i);
    }
    rv->line_rec = NULL;
    rv->line_mark = NULL;
    top += rv->strip;
    if (tui_rowcache_held(rv->cache) == 0) {
        tui_screen_put(scr, top + 1, 0,
                       rv->search || rv->base_filter ? "(no matching rows)"
                                                     : "(no rows)",
                       -1, TUI_EL_NULL_VALUE);
        return;
    }
    for (int line = 0; line < page; line++) {
        const orm_value *row = tui_rowcache_row(rv->cache, rv->top + line);
        const orm_value *key = tui_rowcache_keyset(rv->cache)
                                   ? tui_rowcache_key(rv->cache, rv->top + line)
                                   : NULL;
        size_t nkey = tui_rowcache_key_width(rv->cache);
        if (!row)
            break;
        rv->line_rec = tui_edit_pending_for(app, rv->m, row, key, nkey);
        rv->line_mark = tui_edit_gutter(
            rv->line_rec, tui_edit_is_marked(app, rv->m, row, key, nkey));
        if (rv->line_rec) {
            tui_edit_overlay(rv->line_rec, row, rv->shown, rv->m->ncolumns);
            row = rv->shown;
        }
        draw_line(rv, scr, top + 1 + line, row, 0,
                  rv->strip_cursor < 0 && rv->top + line == rv->cursor);
    }
    rv->line_rec = NULL;
    rv->line_mark = NULL;
}

static void rows_title(tui_view *v, tui_app *app, orm_buf *out)
{
    rows_view *rv = (rows_view *)v;
    orm_buf_appendf(out, "%s (%s) \xC2\xB7 %s", rv->m->name, rv->m->table,
                    orm_db_url(app->db));
}

static void rows_status(tui_view *v, tui_app *app, orm_buf *out)
{
    rows_view *rv = (rows_view *)v;
    char pos[40], total_text[40];
    int64_t total;
    int exact;
    (void)app;
    orm_buf_append(out, rv->m->name);
    if (tui_rowcache_held(rv->cache) == 0) {
        orm_buf_append(out, " \xE2\x94\x82 no rows");
    } else {
        tui_text_count(pos, sizeof pos, (long long)rv->cursor + 1,
                       !tui_rowcache_position_exact(rv->cache));
        if (pos[0] == '~') /* positions read best in full */
            snprintf(pos, sizeof pos, "~%lld", (long long)rv->cursor + 1);
        if (tui_rowcache_total(rv->cache, &total, &exact))
            tui_text_count(total_text, sizeof total_text, (long long)total,
                           !exact);
        else
            snprintf(total_text, sizeof total_text, "\xE2\x80\xA6");
        orm_buf_appendf(out, " \xE2\x94\x82 row %s of %s", pos, total_text);
    }
    if (rv->sort.n) {
        orm_buf_append(out, " \xE2\x94\x82 sort: ");
        tui_sort_describe(&rv->sort, rv->m, out);
    }
    size_t hidden = tui_columns_hidden_count(&rv->cols);
    if (hidden)
        orm_buf_appendf(out, " \xE2\x94\x82 %zu hidden", hidden);
    if (rv->base_text)
        orm_buf_appendf(out, " \xE2\x94\x82 where %s", rv->base_text);
    if (rv->search_text)
        orm_buf_appendf(out, " \xE2\x94\x82 search: %s", rv->search_text);
    tui_edit_status(app, rv->m, out);
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
        const char **names = calloc(m->ncolumns + 1, sizeof *names);
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
    app->pushed = rec;
    return TUI_PUSH;
}

/* Sort in a new order, keeping the cursor on its row, on the same
 * screen line, where it can: the row is found again by its primary key
 * (a row without one, or gone, leaves the cursor on the first row). */
static void resort(rows_view *rv, tui_app *app, const tui_sort *sort)
{
    int pk[16];
    size_t npk = orm_model_pk(rv->m, pk, 16), nkeep = 0;
    orm_value keep[16];
    const orm_value *row =
        rv->strip_cursor < 0 ? tui_rowcache_row(rv->cache, rv->cursor) : NULL;
    int64_t line = rv->cursor - rv->top, at = -1;
    tui_sort before = rv->sort;
    if (row && npk <= 16 && tui_rowcache_keyset(rv->cache))
        for (; nkeep < npk; nkeep++)
            if (orm_value_copy(&keep[nkeep], &row[pk[nkeep]]))
                break;
    /* One step: when it fails (Esc), the rows in the old order stay. */
    rv->sort = *sort;
    int rc =
        tui_rowcache_restart(rv->cache, NULL, 1, &rv->sort, window_rows(rv),
                             npk > 0 && nkeep == npk ? keep : NULL, &at);
    tui_rowcache_take_shift(rv->cache);
    for (size_t i = 0; i < nkeep; i++)
        orm_value_clear(&keep[i]);
    if (rc != 0) {
        rv->sort = before;
        report(rv, app, rc);
        return;
    }
    if (at < 0) { /* the row is gone (or has no key): the first rows */
        rv->cursor = rv->top = 0;
        return;
    }
    rv->cursor = at;
    rv->top = at - line > 0 ? at - line : 0;
    sync(rv, app);
}

/* `s` (add 0) and `S` (add 1) on the current column. */
static unsigned sort_key(rows_view *rv, tui_app *app, int add)
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
        orm_expr **alts = calloc(ntext, sizeof *alts);
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

static unsigned do_search(rows_view *rv, tui_app *app, const char *text)
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
    if (reload_first(rv, app) != 0) { /* the rows of the old search stay */
        orm_expr_free(rv->search);
        free(rv->search_text);
        rv->search = old;
        rv->search_text = old_text;
        return TUI_REDRAW;
    }
    orm_expr_free(old);
    free(old_text);
    return TUI_REDRAW;
}

static unsigned goto_row(rows_view *rv, tui_app *app, const char *text)
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
    int rc = tui_rowcache_seek_offset(rv->cache, from, window_rows(rv));
    tui_rowcache_take_shift(rv->cache);
    if (report(rv, app, rc))
        return TUI_REDRAW;
    rv->cursor = want;
    rv->top = tui_rowcache_start(rv->cache);
    sync(rv, app);
    if (rv->cursor < want)
        tui_app_message(app, "only %lld rows", (long long)rv->cursor + 1);
    return TUI_REDRAW;
}

static unsigned move_rows(rows_view *rv, tui_app *app, int64_t delta,
                          int scroll)
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
    sync(rv, app);
    return TUI_REDRAW;
}

/* ---- columns (columns.c) ---- */

static void remember_columns(rows_view *rv, tui_app *app)
{
    if (tui_columns_remember(&app->columns_memo, &rv->cols) != 0)
        tui_app_error(app, "out of memory: hidden columns not remembered");
}

/* The keys that change the columns; TUI_UNHANDLED for the others. */
static unsigned column_action(rows_view *rv, tui_app *app, tui_action a)
{
    tui_columns *cols = &rv->cols;
    size_t c = tui_columns_current(cols);
    const char *name = rv->m->columns[c].name;
    int screen = app->screen->cols;
    switch (a) {
    case TUI_ACT_MOVE_LEFT:
        tui_columns_move(cols, -1);
        return TUI_REDRAW;
    case TUI_ACT_MOVE_RIGHT:
        tui_columns_move(cols, 1);
        return TUI_REDRAW;
    case TUI_ACT_FIRST_COLUMN:
        tui_columns_first(cols);
        return TUI_REDRAW;
    case TUI_ACT_LAST_COLUMN:
        tui_columns_last(cols);
        return TUI_REDRAW;
    case TUI_ACT_HIDE_COLUMN: {
        if (tui_columns_hide(cols) != 0) {
            tui_app_error(app, "%s is the last column shown", name);
            return TUI_REDRAW;
        }
        remember_columns(rv, app);
        orm_buf keys = ORM_BUF_INIT;
        tui_keymap_describe(&app->keymap, TUI_ACT_SHOW_COLUMNS, &keys);
        tui_app_message(app, "%s hidden (%s shows all)", name,
                        keys.len ? orm_buf_str(&keys) : "show-columns");
        orm_buf_free(&keys);
        return TUI_REDRAW;
    }
    case TUI_ACT_SHOW_COLUMNS: {
        size_t n = tui_columns_show_all(cols);
        remember_columns(rv, app);
        if (n)
            tui_app_message(app, "every column shown (%zu were hidden)", n);
        else
            tui_app_message(app, "no column is hidden");
        return TUI_REDRAW;
    }
    case TUI_ACT_COLUMN_WIDTH: {
        int full = widest(rv, c, tui_rowcache_start(rv->cache),
                          tui_rowcache_held(rv->cache));
        int title = cols->header[c];
        tui_columns_toggle_full(cols, full > title ? full : title);
        return TUI_REDRAW;
    }
    case TUI_ACT_NARROW_COLUMN:
    case TUI_ACT_WIDEN_COLUMN:
        tui_columns_resize(cols,
                           a == TUI_ACT_NARROW_COLUMN ? -TUI_COLUMNS_STEP
                                                      : TUI_COLUMNS_STEP,
                           screen);
        return TUI_REDRAW;
    case TUI_ACT_FREEZE_COLUMNS: {
        int rc = tui_columns_freeze(cols);
        if (rc < 0)
            tui_app_error(app, "%s is a key column: always frozen", name);
        else if (rc == 0)
            tui_app_message(app, "only the key columns are frozen");
        else
            tui_app_message(app, "columns frozen up to %s", name);
        return TUI_REDRAW;
    }
    case TUI_ACT_GOTO_COLUMN:
        rv->col_before = cols->cur;
        orm_buf_reset(&rv->col_stem);
        tui_app_prompt(app, TUI_PROMPT_COLUMN, "column: ", NULL);
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
}

/* The screen index of model column `col`. */
static size_t order_of(const rows_view *rv, size_t col)
{
    for (size_t i = 0; i < rv->cols.n; i++)
        if (rv->cols.order[i] == col)
            return i;
    return rv->cols.cur;
}

/* The `c` prompt: the cursor follows the name as it is typed, Tab
 * completes it (again: the next name that fits), Enter goes there (a
 * hidden column is shown again), Esc goes back. */
static unsigned column_prompt(rows_view *rv, tui_app *app, const char *text,
                              int done)
{
    tui_columns *cols = &rv->cols;
    if (done == -1) {
        cols->cur = rv->col_before;
        return TUI_REDRAW;
    }
    if (done == 2) { /* Tab */
        orm_buf out = ORM_BUF_INIT;
        const char *stem = orm_buf_str(&rv->col_stem);
        const char *next = NULL;
        size_t n = stem && *stem ? 1 : tui_columns_complete(cols, text, &out);
        if (n == 0) {
            orm_buf_free(&out);
            tui_app_error(app, "no column of %s starts with '%s'", rv->m->name,
                          text);
            return TUI_REDRAW;
        }
        if (stem && *stem) {
            next = tui_columns_next_match(cols, stem, text);
        } else if (strcmp(orm_buf_str(&out), text) != 0) {
            next = orm_buf_str(&out);
        } else { /* nothing to add: step through the names that fit */
            orm_buf_append(&rv->col_stem, text);
            next = tui_columns_next_match(cols, text, text);
        }
        if (next) {
            char *copy = orm_strdup(next);
            if (copy)
                tui_app_prompt(app, TUI_PROMPT_COLUMN, "column: ", copy);
            free(copy);
        }
        orm_buf_free(&out);
        text = orm_buf_str(&app->prompt_text);
    } else if (done == 0) {
        orm_buf_reset(&rv->col_stem);
    }
    int col = tui_columns_find(cols, text ? text : "");
    const char *first = text ? tui_columns_next_match(cols, text, "") : NULL;
    if (col < 0 && first)
        col = orm_model_column_index(rv->m, first);
    if (done == 1 && col < 0) {
        cols->cur = rv->col_before;
        tui_app_error(app, "no column '%s' in %s", text, rv->m->name);
    } else if (done == 1 && cols->hidden[col]) {
        tui_columns_go(cols, (size_t)col);
        remember_columns(rv, app);
        tui_app_message(app, "%s shown again", rv->m->columns[col].name);
    } else if (col >= 0 && !cols->hidden[col]) {
        cols->cur = order_of(rv, (size_t)col);
    }
    return TUI_REDRAW;
}

/* ---- copy (rows_copy.h, clipboard.h) ---- */

/* The full values of the row under the cursor as drawn (pending changes
 * over the row read), read again through the session: the row cache
 * cuts long text and keeps no blob bytes. A row nothing identifies
 * gives the cache's values. NULL after saying why. */
static const orm_value *cursor_values(rows_view *rv, tui_app *app)
{
    const orm_value *row, *key = NULL;
    orm_record *rec = NULL;
    if (rv->strip_cursor >= 0)
        rec = tui_edit_new_at(app, rv->m, (size_t)rv->strip_cursor);
    else if (!(row = tui_rowcache_row(rv->cache, rv->cursor))) {
        tui_app_message(app, "no row here");
        return NULL;
    } else {
        if (tui_rowcache_keyset(rv->cache))
            key = tui_rowcache_key(rv->cache, rv->cursor);
        int rc = tui_edit_row_record(app, rv->m, row, key,
                                     tui_rowcache_key_width(rv->cache), &rec);
        if (rc == ORM_EUNSUPPORTED)
            return row;
        if (rc)
            return NULL;
    }
    if (!rec) {
        tui_app_message(app, "no row here");
        return NULL;
    }
    for (size_t c = 0; c < rv->m->ncolumns; c++)
        rv->shown[c] = *orm_record_value(rec, c);
    return rv->shown;
}

/* Put `text` on the clipboard and say what was copied where. */
static void copy_out(tui_app *app, const orm_buf *text, const char *what)
{
    orm_buf how = ORM_BUF_INIT;
    if (text->failed) {
        tui_app_error(app, "out of memory");
        return;
    }
    int rc = tui_clipboard_copy(app->screen, text->len ? text->data : "",
                                text->len, &how);
    if (rc == ORM_ENOMEM)
        tui_app_error(app, "out of memory");
    else if (rc)
        tui_app_error(app, "%s not copied: %s", what, orm_buf_str(&how));
    else
        tui_app_message(app, "copied %s (%s)", what, orm_buf_str(&how));
    orm_buf_free(&how);
}

/* y: the current cell's value as it is. */
static unsigned copy_cell(rows_view *rv, tui_app *app)
{
    size_t c = tui_columns_current(&rv->cols);
    const orm_column *col = &rv->m->columns[c];
    orm_buf text = ORM_BUF_INIT;
    char what[160];
    if ((col->flags & ORM_SECRET) && !rv->revealed[c]) {
        orm_buf keys = ORM_BUF_INIT;
        tui_keymap_describe(&app->keymap, TUI_ACT_REVEAL, &keys);
        tui_app_error(app, "%s is secret: reveal it first (%s)", col->name,
                      keys.len ? orm_buf_str(&keys) : "reveal");
        orm_buf_free(&keys);
        return TUI_REDRAW;
    }
    const orm_value *row = cursor_values(rv, app);
    if (!row)
        return TUI_REDRAW;
    int rc = tui_copy_cell(&text, col, &row[c]);
    if (rc == ORM_EINVALID)
        tui_app_error(app, "%s is NULL: nothing copied", col->name);
    else if (rc)
        tui_app_error(app, "out of memory");
    else {
        snprintf(what, sizeof what, "%s (%zu bytes)", col->name, text.len);
        copy_out(app, &text, what);
    }
    orm_buf_free(&text);
    return TUI_REDRAW;
}

/* Y: the marked rows of this model, else the current row, as TSV. */
static unsigned copy_rows(rows_view *rv, tui_app *app)
{
    tui_copy_columns cc = {rv->m, NULL, 0, rv->revealed};
    size_t *cols = calloc(rv->cols.n ? rv->cols.n : 1, sizeof *cols);
    orm_record **marked = NULL;
    size_t nmarked = 0, gone = 0, secrets = 0;
    orm_buf text = ORM_BUF_INIT;
    char what[96];
    if (!cols) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    for (size_t i = 0; i < rv->cols.n; i++) {
        size_t c = rv->cols.order[i];
        if (rv->cols.hidden[c])
            continue;
        cols[cc.n++] = c;
        secrets += (rv->m->columns[c].flags & ORM_SECRET) && !rv->revealed[c];
    }
    cc.cols = cols;
    int rc = tui_edit_marked_records(app, rv->m, &marked, &nmarked, &gone);
    if (rc) {
        tui_app_db_error(app, rv->m->table, orm_session_error(app->session));
        goto done;
    }
    tui_copy_header(&text, &cc);
    if (nmarked || gone) {
        orm_value *row = rv->shown;
        for (size_t r = 0; r < nmarked; r++) {
            for (size_t c = 0; c < rv->m->ncolumns; c++)
                row[c] = *orm_record_value(marked[r], c);
            tui_copy_row(&text, &cc, row);
        }
        snprintf(what, sizeof what, "%zu marked row%s", nmarked,
                 nmarked == 1 ? "" : "s");
        if (gone)
            snprintf(what + strlen(what), sizeof what - strlen(what),
                     " (%zu gone)", gone);
    } else {
        const orm_value *row = cursor_values(rv, app);
        if (!row)
            goto done;
        tui_copy_row(&text, &cc, row);
        snprintf(what, sizeof what, "1 row");
    }
    if (secrets)
        snprintf(what + strlen(what), sizeof what - strlen(what),
                 ", secrets as ***");
    copy_out(app, &text, what);
done:
    orm_buf_free(&text);
    free(marked);
    free(cols);
    return TUI_REDRAW;
}

/* = and #: the current cell's value, whole, as a condition
 * (filter_views.c). A secret is used only once revealed. */
static unsigned quick_filter(rows_view *rv, tui_app *app, int differs)
{
    size_t c = tui_columns_current(&rv->cols);
    const orm_column *col = &rv->m->columns[c];
    if ((col->flags & ORM_SECRET) && !rv->revealed[c]) {
        tui_app_error(app, "%s is secret: reveal it first", col->name);
        return TUI_REDRAW;
    }
    const orm_value *row = cursor_values(rv, app);
    if (!row)
        return TUI_REDRAW;
    return tui_filter_rows_quick(&rv->base, app, col, &row[c], differs);
}

/* i: the current column's summary (view_summary.c). */
static unsigned open_summary(rows_view *rv, tui_app *app)
{
    size_t c = tui_columns_current(&rv->cols);
    const orm_column *col = &rv->m->columns[c];
    tui_view *v = NULL;
    if ((col->flags & ORM_SECRET) && !rv->revealed[c]) {
        tui_app_error(app, "%s is secret: reveal it first", col->name);
        return TUI_REDRAW;
    }
    if (col->type == ORM_BLOB) {
        tui_app_error(app, "%s is a blob column: no summary", col->name);
        return TUI_REDRAW;
    }
    if (tui_view_summary_new(&v, app, &rv->base, c)) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = v;
    return TUI_PUSH;
}

/* E: the marked rows, else every row the grid shows (its filter and
 * search). */
static unsigned bulk_edit(rows_view *rv, tui_app *app)
{
    orm_expr *filter = combined_filter(rv);
    orm_buf what = ORM_BUF_INIT;
    if (rv->base_text)
        orm_buf_appendf(&what, "where %s", rv->base_text);
    if (rv->search_text)
        orm_buf_appendf(&what, "%ssearch: %s", what.len ? ", " : "",
                        rv->search_text);
    unsigned r = tui_edit_bulk(app, rv->m, filter, orm_buf_str(&what));
    orm_buf_free(&what);
    orm_expr_free(filter);
    return r;
}

static unsigned rows_handle(tui_view *v, tui_app *app, tui_action a)
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
            return move_rows(rv, app, -1, 0);
        return TUI_REDRAW;
    case TUI_ACT_MOVE_DOWN:
        if (rv->strip_cursor < 0)
            return move_rows(rv, app, 1, 0);
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
            move_rows(rv, app, 1, 0);
        return r;
    }
    case TUI_ACT_BULK_EDIT:
        return bulk_edit(rv, app);
    case TUI_ACT_PAGE_UP:
        return move_rows(rv, app, -page, 1);
    case TUI_ACT_PAGE_DOWN:
        return move_rows(rv, app, page, 1);
    case TUI_ACT_FIRST:
        rc = tui_rowcache_seek_first(rv->cache, window_rows(rv));
        tui_rowcache_take_shift(rv->cache);
        rv->cursor = rv->top = 0;
        report(rv, app, rc);
        return TUI_REDRAW;
    case TUI_ACT_LAST:
        rc = tui_rowcache_seek_last(rv->cache, window_rows(rv));
        tui_rowcache_take_shift(rv->cache);
        if (report(rv, app, rc) == 0 && tui_rowcache_held(rv->cache)) {
            rv->cursor = tui_rowcache_start(rv->cache) +
                         (int64_t)tui_rowcache_held(rv->cache) - 1;
            rv->top = rv->cursor - page + 1 > 0 ? rv->cursor - page + 1 : 0;
            sync(rv, app);
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
        return sort_key(rv, app, a == TUI_ACT_SORT_ADD);
    case TUI_ACT_SEARCH:
        tui_app_prompt(app, TUI_PROMPT_SEARCH, "/", rv->search_text);
        return TUI_REDRAW;
    case TUI_ACT_GOTO_ROW:
        tui_app_prompt(app, TUI_PROMPT_GOTO, "row: ", NULL);
        return TUI_REDRAW;
    case TUI_ACT_REFRESH:
        rc = tui_rowcache_reload(rv->cache);
        apply_shift(rv);
        if (report(rv, app, rc) == 0) {
            sync(rv, app);
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
                                widest(rv, c, rv->top, (size_t)page));
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
        return copy_cell(rv, app);
    case TUI_ACT_COPY_ROW:
        return copy_rows(rv, app);
    case TUI_ACT_COLUMN_SUMMARY:
        return open_summary(rv, app);
    case TUI_ACT_FILTER_EQUAL:
    case TUI_ACT_FILTER_NOT_EQUAL:
        return quick_filter(rv, app, a == TUI_ACT_FILTER_NOT_EQUAL);
    default:
        return column_action(rv, app, a);
    }
}

static unsigned rows_prompt(tui_view *v, tui_app *app, tui_prompt_kind kind,
                            const char *text, int done)
{
    rows_view *rv = (rows_view *)v;
    if (kind == TUI_PROMPT_COLUMN)
        return column_prompt(rv, app, text, done);
    if (done != 1)
        return TUI_REDRAW;
    if (kind == TUI_PROMPT_SEARCH)
        return do_search(rv, app, text);
    if (kind == TUI_PROMPT_GOTO)
        return goto_row(rv, app, text);
    return TUI_DONE;
}

static unsigned rows_click(tui_view *v, tui_app *app, int line, int col,
                           int twice)
{
    rows_view *rv = (rows_view *)v;
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
    if (!rv->count_pending)
        return TUI_DONE;
    rv->count_pending = 0;
    int rc = tui_rowcache_count(rv->cache);
    apply_shift(rv);
    if (rc == ORM_ECANCELLED) { /* a key stopped it: counted again later */
        rv->count_pending = 1;
        *more = 1;
        return TUI_DONE;
    }
    if (rc)
        report(rv, app, rc);
    return TUI_REDRAW;
}

static void rows_close(tui_view *v)
{
    rows_view *rv = (rows_view *)v;
    if (!rv)
        return;
    tui_rowcache_free(rv->cache);
    orm_expr_free(rv->base_filter);
    orm_expr_free(rv->search);
    free(rv->base_text);
    free(rv->search_text);
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
    int rc = reload_first(rv, app);
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
    rows_view *rv = calloc(1, sizeof *rv);
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
