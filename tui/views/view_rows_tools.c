/*
 * The rows screen's tools (view_rows.h): the column keys (hide, widths,
 * freeze, jump by name), copying a cell or rows, the quick filters, the
 * column summary and bulk edit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clipboard.h"
#include "edit.h"
#include "filter_views.h"
#include "mem.h"
#include "rows_copy.h"
#include "view_rows.h"
#include "views.h"

/* ---- columns (columns.c) ---- */

static void remember_columns(rows_view *rv, tui_app *app)
{
    if (tui_columns_remember(&app->columns_memo, &rv->cols) != 0)
        tui_app_error(app, "out of memory: hidden columns not remembered");
}

/* The keys that change the columns; TUI_UNHANDLED for the others. */
unsigned rows_column_action(rows_view *rv, tui_app *app, tui_action a)
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
        int full = rows_widest(rv, c, tui_rowcache_start(rv->cache),
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
unsigned rows_column_prompt(rows_view *rv, tui_app *app, const char *text,
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
unsigned rows_copy_cell(rows_view *rv, tui_app *app)
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
unsigned rows_copy_rows(rows_view *rv, tui_app *app)
{
    tui_copy_columns cc = {rv->m, NULL, 0, rv->revealed};
    size_t *cols = tui_calloc(rv->cols.n ? rv->cols.n : 1, sizeof *cols);
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
unsigned rows_quick_filter(rows_view *rv, tui_app *app, int differs)
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
unsigned rows_open_summary(rows_view *rv, tui_app *app)
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

/* D: the row under the cursor (its full values, pending changes
 * included, read through the session) into a create form (edit.c). */
unsigned rows_duplicate(rows_view *rv, tui_app *app)
{
    orm_record *rec = NULL;
    const orm_value *row;
    if (rv->strip_cursor >= 0) {
        rec = tui_edit_new_at(app, rv->m, (size_t)rv->strip_cursor);
    } else if ((row = tui_rowcache_row(rv->cache, rv->cursor))) {
        int rc =
            tui_edit_row_record(app, rv->m, row,
                                tui_rowcache_keyset(rv->cache)
                                    ? tui_rowcache_key(rv->cache, rv->cursor)
                                    : NULL,
                                tui_rowcache_key_width(rv->cache), &rec);
        if (rc == ORM_EUNSUPPORTED) {
            tui_app_error(app,
                          "nothing identifies this row of %s: it "
                          "cannot be read whole to duplicate it",
                          rv->m->name);
            return TUI_REDRAW;
        }
        if (rc)
            return TUI_REDRAW;
    }
    if (!rec) {
        tui_app_message(app, "no row here");
        return TUI_REDRAW;
    }
    return tui_edit_duplicate(app, rec);
}

/* E: the marked rows, else every row the grid shows (its filter and
 * search). */
unsigned rows_bulk_edit(rows_view *rv, tui_app *app)
{
    orm_expr *filter = rows_combined_filter(rv);
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
