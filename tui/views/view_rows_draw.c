/*
 * The rows screen's drawing (view_rows.h): the header with sort marks,
 * the pending new rows above the grid, the rows with the frozen columns
 * left of the separator, the title and the status line.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "edit.h"
#include "fk_labels.h"
#include "view_rows.h"

/* ---- drawing ---- */

/* The widest value of model column `c` among rows [from, from + n). */
int rows_widest(const rows_view *rv, size_t c, int64_t from, size_t n)
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
        const char *label = tui_fk_labels_get(rv->labels, c, &row[c]);
        if (label)
            w += 1 + tui_text_widthz(label);
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
                rows_widest(rv, c, rv->top,
                            rv->page > 0 ? (size_t)rv->page : 1));
}

static void draw_value(const rows_view *rv, tui_screen *scr, int row, int x,
                       int width, const orm_column *col, const orm_value *v,
                       int revealed, tui_element override, int key,
                       const char *label)
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
    if (label && w + 1 < width) {
        /* The referenced row's label before the value, which keeps its
         * alignment (numbers and NULL end where numbers end). */
        orm_buf shown = ORM_BUF_INIT;
        int room = width - w - 1;
        tui_text_fit(&shown, label, strlen(label), room);
        tui_screen_put(
            scr, row, right ? x : x + w + 1, orm_buf_str(&shown), room,
            override != TUI_EL_DEFAULT ? override : TUI_EL_FOREIGN_KEY);
        orm_buf_free(&shown);
    }
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
                       over, key, tui_fk_labels_get(rv->labels, c, &values[c]));
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

int rows_layout(rows_view *rv, tui_app *app, int height)
{
    int strip_max = height / 3 > 1 ? height / 3 : 1;
    size_t nnew = tui_edit_new_count(app, rv->m);
    rv->strip = nnew < (size_t)strip_max ? (int)nnew : strip_max;
    if (rv->strip_cursor >= rv->strip)
        rv->strip_cursor = rv->strip - 1;
    return height - 1 - rv->strip > 0 ? height - 1 - rv->strip : 1;
}

void rows_draw(tui_view *v, tui_app *app, tui_screen *scr, int top, int height)
{
    rows_view *rv = (rows_view *)v;
    rv->cols.gutter = tui_edit_model_busy(app, rv->m) ? 2 : 0;
    /* The rows held (rows_prepare read them): when a cancel left fewer
     * than this size needs, the screen shows fewer, with the cursor. */
    int page = rows_layout(rv, app, height);
    if (rv->cursor >= rv->top + page)
        rv->top = rv->cursor - page + 1;
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

void rows_title(tui_view *v, tui_app *app, orm_buf *out)
{
    rows_view *rv = (rows_view *)v;
    tui_model_title(out, rv->m);
    orm_buf_appendf(out, " \xC2\xB7 %s", orm_db_url(app->db));
}

void rows_status(tui_view *v, tui_app *app, orm_buf *out)
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
        /* Positions read best in full, grouped as every count. */
        int about = !tui_rowcache_position_exact(rv->cache);
        pos[0] = '~';
        tui_text_count(pos + about, sizeof pos - 1, (long long)rv->cursor + 1,
                       0);
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
    if (rv->find_text)
        orm_buf_appendf(out, " \xE2\x94\x82 find: %s", rv->find_text);
    tui_edit_status(app, rv->m, out);
}
