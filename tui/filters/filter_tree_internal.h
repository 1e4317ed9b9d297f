/*
 * The filter builder's tree, its insides shared by filter_tree.c (nodes,
 * editing, operators, dates, values, describing) and filter_expr.c (the
 * tree to and from orm_expr). Others use filter_tree.h.
 */
#ifndef TUI_FILTER_TREE_INTERNAL_H
#define TUI_FILTER_TREE_INTERNAL_H

#include "filter_tree.h"

/* Does the column hold a timestamp (a day is then a range of times)? */
int ftree_is_timestamp(const orm_column *col);
/* The day `days` after `d` (normalized through mktime at noon). */
void ftree_date_add(tui_date *out, const tui_date *d, int days);
/* The first and last day of the month `d` is in. */
void ftree_month_bounds(const tui_date *d, tui_date *first, tui_date *last);
/* A plain day value ("2024-01-31") in `v`? */
int ftree_value_day(const orm_value *v, tui_date *out);
/* A value for the start (end = 0) or end (end = 1) of a day, typed for
 * the column: the day itself for a DATE, a timestamp for the others. */
orm_expr *ftree_day_value(const orm_column *col, const tui_date *d, int end);
/* Put `kid` at place `at` among the children of `group`. */
int ftree_kid_insert(tui_fnode *group, size_t at, tui_fnode *kid);

#endif
