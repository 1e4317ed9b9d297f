/*
 * The rows screen's sort keys (sort.h): the list, the keys that change
 * it, and how it reads in the header, the status line and a query.
 */
#include <stdio.h>
#include <string.h>

#include "sort.h"

#define UP_TRIANGLE   "\xE2\x96\xB2" /* ▲ */
#define DOWN_TRIANGLE "\xE2\x96\xBC" /* ▼ */
#define UP_ARROW      "\xE2\x86\x91" /* ↑ */
#define DOWN_ARROW    "\xE2\x86\x93" /* ↓ */

static size_t find(const tui_sort *s, int col)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->keys[i].col == col)
            return i + 1;
    return 0;
}

void tui_sort_toggle(tui_sort *s, int col)
{
    if (s->n == 1 && s->keys[0].col == col) {
        if (!s->keys[0].desc)
            s->keys[0].desc = 1;
        else
            s->n = 0;
        return;
    }
    s->keys[0] = (tui_sort_key){col, 0};
    s->n = 1;
}

int tui_sort_add(tui_sort *s, int col)
{
    size_t at = find(s, col);
    if (at == 0) {
        if (s->n == TUI_SORT_MAX)
            return ORM_EINVALID;
        s->keys[s->n++] = (tui_sort_key){col, 0};
        return 0;
    }
    tui_sort_key *k = &s->keys[at - 1];
    if (!k->desc) {
        k->desc = 1;
        return 0;
    }
    memmove(k, k + 1, (s->n - at) * sizeof *k);
    s->n--;
    return 0;
}

size_t tui_sort_position(const tui_sort *s, int col, int *desc)
{
    size_t at = find(s, col);
    if (at && desc)
        *desc = s->keys[at - 1].desc;
    return at;
}

void tui_sort_mark(const tui_sort *s, int col, char *out, size_t size)
{
    int desc = 0;
    size_t at = tui_sort_position(s, col, &desc);
    if (size == 0)
        return;
    out[0] = '\0';
    if (!at)
        return;
    if (s->n > 1)
        snprintf(out, size, "%s%zu", desc ? DOWN_TRIANGLE : UP_TRIANGLE, at);
    else
        snprintf(out, size, "%s", desc ? DOWN_TRIANGLE : UP_TRIANGLE);
}

void tui_sort_describe(const tui_sort *s, const orm_model *m, orm_buf *out)
{
    for (size_t i = 0; i < s->n; i++)
        orm_buf_appendf(out, "%s%s %s", i ? ", " : "",
                        m->columns[s->keys[i].col].name,
                        s->keys[i].desc ? DOWN_ARROW : UP_ARROW);
}

int tui_sort_apply(const tui_sort *s, const orm_model *m, orm_query *q,
                   int reverse)
{
    for (size_t i = 0; i < s->n; i++) {
        int rc = orm_query_order_by(q, m->columns[s->keys[i].col].name,
                                    s->keys[i].desc ^ (reverse != 0));
        if (rc)
            return rc;
    }
    return 0;
}
