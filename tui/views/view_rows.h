/*
 * The rows screen's insides, shared by its files only: view_rows.c (the
 * screen: loading, keys, prompts, the filter builder's way in),
 * view_rows_draw.c (the grid, title and status line),
 * view_rows_search.c (sorting, searching, jumping to a row) and
 * view_rows_tools.c (the column keys, copying, quick filters, the
 * column summary and bulk edit). Everything else opens the rows screen
 * through views.h.
 */
#ifndef TUI_VIEW_ROWS_H
#define TUI_VIEW_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "columns.h"
#include "display.h"
#include "rowcache.h"
#include "sort.h"

#define MIN_CAPACITY 30
#define SEPARATOR    "\xE2\x94\x82" /* │ */

typedef struct rows_view {
    tui_view base;
    const orm_model *m;
    tui_rowcache *cache;
    orm_expr *base_filter;
    char *base_text;
    orm_expr *search; /* narrowing the rows (/) ... */
    char *search_text;
    orm_expr *find; /* ... or not, stepped through with n and N */
    char *find_text;
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
    const tui_display *display;   /* the app's: NULL glyph, date format */
    struct tui_fk_labels *labels; /* beside foreign keys (fk_labels.h) */
    int labels_pending; /* the screen may show values without labels */
    int sync_pending;   /* rows_prepare was cancelled: read them again */
} rows_view;

/* ---- loading (view_rows.c) ---- */

/* Rows to read at once: a screen and a half. */
size_t rows_window(const rows_view *rv);
void rows_set_capacity(rows_view *rv);
/* Follow the row cache when it moved its window (tui_rowcache_take_shift). */
void rows_apply_shift(rows_view *rv);
/* Say what failed (when rc is nonzero); returns rc. */
int rows_report(rows_view *rv, tui_app *app, int rc);
/* Rows [top, top + page) present; cursor and top inside what exists. */
int rows_sync(rows_view *rv, tui_app *app);
/* The filter and the search together (a new expression), or NULL. */
orm_expr *rows_combined_filter(const rows_view *rv);
/* Start over from the first row with the current order and filter;
 * when that fails the rows shown stay. */
int rows_reload_first(rows_view *rv, tui_app *app);

/* Read the labels of the foreign keys on the screen (fk_labels.h) when
 * some are missing: one query per foreign-key column. */
int rows_load_labels(rows_view *rv, tui_app *app);
/* Read what the next draw shows (tui_view_ops.prepare): the rows again
 * after a commit, the rows a new screen size needs. */
void rows_prepare(tui_view *v, tui_app *app, int height);

/* ---- drawing (view_rows_draw.c) ---- */

/* Lines of rows on a body of `height` lines (the pending new rows above
 * them take some: rv->strip). */
int rows_layout(rows_view *rv, tui_app *app, int height);
/* The widest value of model column `c` among rows [from, from + n). */
int rows_widest(const rows_view *rv, size_t c, int64_t from, size_t n);
void rows_draw(tui_view *v, tui_app *app, tui_screen *scr, int top, int height);
void rows_title(tui_view *v, tui_app *app, orm_buf *out);
void rows_status(tui_view *v, tui_app *app, orm_buf *out);

/* ---- sorting, searching, jumping (view_rows_search.c) ---- */

/* `s` (add 0) and `S` (add 1) on the current column. */
unsigned rows_sort_key(rows_view *rv, tui_app *app, int add);
/* The `/` prompt submitted: only the rows with every word. */
unsigned rows_search(rows_view *rv, tui_app *app, const char *text);
/* n (backward 0) and N (1): the next / previous row matching the
 * search in the current order, without narrowing the rows. */
unsigned rows_find(rows_view *rv, tui_app *app, int backward);
/* Esc: the search ends; TUI_UNHANDLED when there is none. */
unsigned rows_search_clear(rows_view *rv, tui_app *app);
/* The `:` prompt submitted: the row with that number. */
unsigned rows_goto(rows_view *rv, tui_app *app, const char *text);
/* Move the cursor by `delta` rows (scroll: the screen with it). */
unsigned rows_move(rows_view *rv, tui_app *app, int64_t delta, int scroll);

/* ---- columns, copy, quick filters, summary, bulk edit
 *      (view_rows_tools.c) ---- */

/* The keys that change the columns; TUI_UNHANDLED for the others. */
unsigned rows_column_action(rows_view *rv, tui_app *app, tui_action a);
/* The `c` prompt (see tui_view_ops.prompt's `done`). */
unsigned rows_column_prompt(rows_view *rv, tui_app *app, const char *text,
                            int done);
unsigned rows_copy_cell(rows_view *rv, tui_app *app);
unsigned rows_copy_rows(rows_view *rv, tui_app *app);
unsigned rows_quick_filter(rows_view *rv, tui_app *app, int differs);
unsigned rows_open_summary(rows_view *rv, tui_app *app);
unsigned rows_bulk_edit(rows_view *rv, tui_app *app);
/* D: a form for a new record holding the current row's values. */
unsigned rows_duplicate(rows_view *rv, tui_app *app);

#endif
