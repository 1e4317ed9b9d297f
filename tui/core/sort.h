/*
 * The rows screen's order: up to TUI_SORT_MAX columns, each ascending or
 * descending, the first key first (the primary key breaks the remaining
 * ties, query.c). `s` makes the current column the only key and turns
 * it asc, desc, off; `S` adds it as the next key and turns that key asc,
 * desc, off without touching the others. The header marks each key
 * with its direction and, from two keys on, its position (▲1 ▼2).
 */
#ifndef TUI_SORT_H
#define TUI_SORT_H

#include <stddef.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"

#define TUI_SORT_MAX 8 /* query.c's order columns */

typedef struct tui_sort_key {
    int col; /* model column */
    int desc;
} tui_sort_key;

typedef struct tui_sort {
    tui_sort_key keys[TUI_SORT_MAX];
    size_t n;
} tui_sort;

/* `s`: by `col` alone, ascending; when it already is the only key,
 * ascending becomes descending and descending no order at all. */
void tui_sort_toggle(tui_sort *s, int col);
/* `S`: `col` becomes the next key, ascending; a key already there turns
 * descending, then is removed (the keys after it move up). Returns 0,
 * or ORM_EINVALID when TUI_SORT_MAX keys are taken. */
int tui_sort_add(tui_sort *s, int col);
/* The 1-based position of `col` among the keys (and its direction in
 * *desc), or 0 when it is none of them. */
size_t tui_sort_position(const tui_sort *s, int col, int *desc);
/* The header's mark for `col` into out: "▲" or "▼", followed by the
 * position when there are several keys; "" when it is no key. */
void tui_sort_mark(const tui_sort *s, int col, char *out, size_t size);
/* "label ↑, grp ↓" for the status line (appended). */
void tui_sort_describe(const tui_sort *s, const orm_model *m, orm_buf *out);
/* ORDER BY the keys, each reversed when `reverse` is set. */
int tui_sort_apply(const tui_sort *s, const orm_model *m, orm_query *q,
                   int reverse);

#endif
