/*
 * What the filter screens (the builder, view_builder.c, over the tree of
 * filter_tree.h, and the saved filters, view_filters.c; opened through
 * views.h) offer the rows screen, and the state database they share.
 */
#ifndef TUI_FILTER_VIEWS_H
#define TUI_FILTER_VIEWS_H

#include "app.h"
#include "state.h"

/* What the rows screen does with `f` (builder), `F` (saved filters) and
 * the clear-filter key. */
unsigned tui_filter_rows_action(tui_view *rows, tui_app *app, tui_action a);

/*
 * `=` and `#` on the rows screen (and Enter in a column's summary):
 * narrow the rows to those whose `col` equals `value` (`differs` 0; NULL
 * gives `col is null`) or differs from it (`differs` 1: `col != value`,
 * or `col is not null`), one more condition ANDed to the active filter,
 * which the builder shows and saves like any other. Says on the status
 * line what was added.
 */
unsigned tui_filter_rows_quick(tui_view *rows, tui_app *app,
                               const orm_column *col, const orm_value *value,
                               int differs);

/*
 * Open the state database for the app's database (--state FILE, else
 * the default place). On failure says why on the status line.
 */
int tui_filter_state_open(tui_app *app, tui_state **out);

#endif
