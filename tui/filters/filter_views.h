/*
 * The screens for filtering the rows: the filter builder
 * (view_builder.c, over the tree of filter_tree.h) and the list of saved
 * filters (view_filters.c), and what the rows screen offers them: its
 * model, its filter, and a way to set the filter (view_rows.c).
 */
#ifndef TUI_FILTER_VIEWS_H
#define TUI_FILTER_VIEWS_H

#include "app.h"
#include "state.h"

/*
 * The builder over the rows screen `rows` (borrowed: it stays below the
 * builder). It starts from `text` when given (a saved filter to edit,
 * whose name is `saved_name`, may be NULL), else from the rows' filter.
 * Text that no longer parses opens in the text editor with the error.
 */
int tui_view_builder_new(tui_view **out, tui_app *app, tui_view *rows,
                         const char *text, const char *saved_name);
/* The saved filters of the rows' model, to apply, rename, edit,
 * duplicate or delete. */
int tui_view_filters_new(tui_view **out, tui_app *app, tui_view *rows);

/* What the rows screen does with `f` (builder), `F` (saved filters) and
 * the clear-filter key. */
unsigned tui_filter_rows_action(tui_view *rows, tui_app *app, tui_action a);

/*
 * Open the state database for the app's database (--state FILE, else
 * the default place). On failure says why on the status line.
 */
int tui_filter_state_open(tui_app *app, tui_state **out);

/* ---- in view_rows.c ---- */

/* Replace the rows' filter (copied; NULL: none) described as `text` on
 * the status line, and read from the first row again. */
int tui_view_rows_set_filter(tui_view *v, tui_app *app, const orm_expr *filter,
                             const char *text);
/* The rows' model and active filter (NULL: none), borrowed; NULL when
 * `v` is not a rows screen. */
const orm_model *tui_view_rows_model(const tui_view *v);
const orm_expr *tui_view_rows_filter(const tui_view *v);

#endif
