/*
 * The rows screen's column layout (columns.h): order, hidden and frozen
 * columns, widths, the cursor and the sideways scroll, name completion,
 * and the session's memory of hidden columns per model.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "columns.h"
#include "mem.h"
#include "text.h"

#define SEPARATOR_CELLS 2 /* "│ " after the frozen columns */

int tui_columns_init(tui_columns *c, const orm_model *m)
{
    int pk[16];
    size_t npk = orm_model_pk(m, pk, 16), k = 0;
    memset(c, 0, sizeof *c);
    c->m = m;
    c->n = m->ncolumns;
    c->order = tui_calloc(c->n + 1, sizeof *c->order);
    c->hidden = tui_calloc(c->n + 1, 1);
    c->mode = tui_calloc(c->n + 1, 1);
    c->natural = tui_calloc(c->n + 1, sizeof *c->natural);
    c->own = tui_calloc(c->n + 1, sizeof *c->own);
    c->width = tui_calloc(c->n + 1, sizeof *c->width);
    c->header = tui_calloc(c->n + 1, sizeof *c->header);
    if (!c->order || !c->hidden || !c->mode || !c->natural || !c->own ||
        !c->width || !c->header) {
        tui_columns_clear(c);
        return ORM_ENOMEM;
    }
    for (size_t i = 0; i < npk && i < 16; i++)
        c->order[k++] = (size_t)pk[i];
    c->nkeys = c->nfrozen = k;
    for (size_t i = 0; i < c->n; i++) {
        int key = 0;
        for (size_t j = 0; j < c->nkeys; j++)
            key |= c->order[j] == i;
        if (!key)
            c->order[k++] = i;
    }
    for (size_t i = 0; i < c->n; i++) {
        c->width[i] = TUI_COLUMNS_MIN_WIDTH;
        c->header[i] = tui_text_widthz(m->columns[i].name);
    }
    c->hscroll = c->nfrozen;
    return 0;
}

void tui_columns_clear(tui_columns *c)
{
    free(c->order);
    free(c->hidden);
    free(c->mode);
    free(c->natural);
    free(c->own);
    free(c->width);
    free(c->header);
    memset(c, 0, sizeof *c);
}

size_t tui_columns_current(const tui_columns *c)
{
    return c->order[c->cur];
}

int tui_columns_frozen(const tui_columns *c, size_t i)
{
    return i < c->nfrozen;
}

static int shown(const tui_columns *c, size_t i)
{
    return i < c->n && !c->hidden[c->order[i]];
}

/* ---- widths ---- */

int tui_columns_measured(const tui_columns *c, size_t col)
{
    return c->natural[col] > 0;
}

void tui_columns_set_natural(tui_columns *c, size_t col, int width)
{
    c->natural[col] = width < 1 ? 1 : width;
}

void tui_columns_set_header(tui_columns *c, size_t col, int width)
{
    c->header[col] = width;
}

/* The values' width (none measured yet: 0), the header's, the least. */
static int natural(const tui_columns *c, size_t col)
{
    int w = c->natural[col] > c->header[col] ? c->natural[col] : c->header[col];
    return w > TUI_COLUMNS_MIN_WIDTH ? w : TUI_COLUMNS_MIN_WIDTH;
}

/* Cells of the frozen part, the separator included. */
static int frozen_cells(const tui_columns *c)
{
    int x = c->gutter, any = 0;
    for (size_t i = 0; i < c->nfrozen; i++)
        if (shown(c, i)) {
            x += c->width[c->order[i]] + 1;
            any = 1;
        }
    return any ? x + SEPARATOR_CELLS - 1 : x;
}

/* The widest a column may be drawn: the room beside the frozen part. */
static int room(const tui_columns *c, int cols, size_t i)
{
    int r = i < c->nfrozen ? cols - c->gutter : cols - frozen_cells(c);
    return r < 1 ? 1 : r;
}

static void fit_widths(tui_columns *c, int cols)
{
    int need = 0, any_frozen = 0; /* the gutter comes and goes: not here */
    for (size_t i = 0; i < c->n; i++) {
        size_t col = c->order[i];
        if (!shown(c, i))
            continue;
        need +=
            (c->mode[col] == TUI_WIDTH_FIT ? natural(c, col) : c->own[col]) + 1;
        any_frozen |= i < c->nfrozen;
    }
    if (any_frozen)
        need += SEPARATOR_CELLS - 1;
    int cap = cols / 2;
    if (cap > TUI_COLUMNS_CAP)
        cap = TUI_COLUMNS_CAP;
    if (cap < TUI_COLUMNS_MIN_WIDTH)
        cap = TUI_COLUMNS_MIN_WIDTH;
    int fits = need - 1 <= cols, left = cols - (need - 1);
    /* Held to the cap, the columns give back what they lose... */
    for (size_t col = 0; col < c->n && !fits; col++)
        if (!c->hidden[col] && c->mode[col] == TUI_WIDTH_FIT &&
            natural(c, col) > cap)
            left += natural(c, col) - cap;
    /* ...and take back what room there is, left to right. */
    for (size_t i = 0; i < c->n; i++) {
        size_t col = c->order[i];
        if (c->mode[col] != TUI_WIDTH_FIT)
            continue;
        int w = natural(c, col);
        if (!fits && w > cap) {
            int more = left > w - cap ? w - cap : left > 0 ? left : 0;
            left -= more;
            w = cap + more;
        }
        c->width[col] = w;
    }
    for (size_t i = 0; i < c->n; i++) {
        size_t col = c->order[i];
        if (c->mode[col] != TUI_WIDTH_FIT) {
            int r = room(c, cols, i);
            c->width[col] = c->own[col] < r ? c->own[col] : r;
        }
    }
}

/* The cells of the scrolled columns [from, to] (shown ones), with the
 * gaps between them. */
static int span(const tui_columns *c, size_t from, size_t to)
{
    int x = 0, any = 0;
    for (size_t i = from; i <= to && i < c->n; i++)
        if (shown(c, i)) {
            x += c->width[c->order[i]] + 1;
            any = 1;
        }
    return any ? x - 1 : 0;
}

static size_t last_shown(const tui_columns *c)
{
    for (size_t i = c->n; i-- > 0;)
        if (shown(c, i))
            return i;
    return 0;
}

void tui_columns_fit(tui_columns *c, int cols)
{
    fit_widths(c, cols);
    int avail = cols - frozen_cells(c);
    if (c->hscroll < c->nfrozen)
        c->hscroll = c->nfrozen;
    if (c->cur >= c->nfrozen) {
        /* The current column in view. */
        if (c->cur < c->hscroll)
            c->hscroll = c->cur;
        while (c->hscroll < c->cur && span(c, c->hscroll, c->cur) > avail)
            c->hscroll++;
    }
    /* Columns scrolled off on the left come back while all from there
     * to the last one fit (a wider screen, a hidden or narrowed column). */
    size_t last = last_shown(c);
    while (c->hscroll > c->nfrozen && span(c, c->hscroll - 1, last) <= avail)
        c->hscroll--;
}

int tui_columns_x(const tui_columns *c, size_t i, int cols)
{
    int x = c->gutter;
    if (!shown(c, i) || (i >= c->nfrozen && i < c->hscroll))
        return -1;
    for (size_t k = 0; k < c->nfrozen; k++) {
        if (k == i)
            return x < cols ? x : -1;
        if (shown(c, k))
            x += c->width[c->order[k]] + 1;
    }
    if (x != c->gutter)
        x += SEPARATOR_CELLS - 1;
    for (size_t k = c->hscroll; k < c->n; k++) {
        if (k == i)
            return x < cols ? x : -1;
        if (shown(c, k))
            x += c->width[c->order[k]] + 1;
    }
    return -1;
}

/* ---- the cursor ---- */

void tui_columns_move(tui_columns *c, int delta)
{
    size_t i = c->cur;
    while (delta > 0 && i + 1 < c->n) {
        i++;
        if (shown(c, i)) {
            c->cur = i;
            delta--;
        }
    }
    while (delta < 0 && i > 0) {
        i--;
        if (shown(c, i)) {
            c->cur = i;
            delta++;
        }
    }
    if (c->cur < c->nfrozen) /* back at the keys: the rest from the start */
        c->hscroll = c->nfrozen;
}

void tui_columns_first(tui_columns *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (shown(c, i)) {
            c->cur = i;
            break;
        }
    c->hscroll = c->nfrozen;
}

void tui_columns_last(tui_columns *c)
{
    c->cur = last_shown(c);
}

void tui_columns_go(tui_columns *c, size_t col)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->order[i] == col) {
            c->hidden[col] = 0;
            c->cur = i;
        }
}

/* ---- hiding, freezing, widths ---- */

size_t tui_columns_hidden_count(const tui_columns *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += c->hidden[i];
    return n;
}

int tui_columns_hide(tui_columns *c)
{
    if (tui_columns_hidden_count(c) + 1 >= c->n)
        return ORM_EINVALID;
    c->hidden[c->order[c->cur]] = 1;
    size_t at = c->cur;
    tui_columns_move(c, 1);
    if (c->cur == at)
        tui_columns_move(c, -1);
    return 0;
}

size_t tui_columns_show_all(tui_columns *c)
{
    size_t n = tui_columns_hidden_count(c);
    memset(c->hidden, 0, c->n);
    return n;
}

int tui_columns_freeze(tui_columns *c)
{
    if (c->cur < c->nkeys)
        return ORM_EINVALID;
    if (c->cur < c->nfrozen) {
        c->nfrozen = c->nkeys;
        c->hscroll = c->nfrozen;
        return 0;
    }
    c->nfrozen = c->cur + 1;
    c->hscroll = c->nfrozen;
    return 1;
}

void tui_columns_toggle_full(tui_columns *c, int full)
{
    size_t col = c->order[c->cur];
    if (c->mode[col] == TUI_WIDTH_FIT) {
        c->mode[col] = TUI_WIDTH_FULL;
        c->own[col] = full < 1 ? 1 : full;
    } else {
        c->mode[col] = TUI_WIDTH_FIT;
    }
}

void tui_columns_resize(tui_columns *c, int delta, int cols)
{
    size_t col = c->order[c->cur];
    int w = c->width[col] + delta;
    int r = room(c, cols, c->cur);
    c->mode[col] = TUI_WIDTH_SET;
    c->own[col] = w < 1 ? 1 : w > r ? r : w;
}

/* ---- names ---- */

/* Does `name` start with `prefix`, case folded? The length of the
 * prefix in `name`'s bytes, or -1. */
static long starts_with(const char *name, const char *prefix)
{
    const utf8proc_uint8_t *a = (const utf8proc_uint8_t *)name;
    const utf8proc_uint8_t *b = (const utf8proc_uint8_t *)prefix;
    long at = 0;
    while (*b) {
        utf8proc_int32_t ca, cb;
        utf8proc_ssize_t na = utf8proc_iterate(a, -1, &ca);
        utf8proc_ssize_t nb = utf8proc_iterate(b, -1, &cb);
        if (na <= 0 || nb <= 0 || utf8proc_tolower(ca) != utf8proc_tolower(cb))
            return -1;
        a += na;
        b += nb;
        at += na;
    }
    return at;
}

static int same_name(const char *a, const char *b)
{
    long n = starts_with(a, b);
    return n >= 0 && a[n] == '\0';
}

size_t tui_columns_complete(const tui_columns *c, const char *prefix,
                            orm_buf *out)
{
    const char *first = NULL;
    size_t common = 0, count = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *name = c->m->columns[c->order[i]].name;
        if (starts_with(name, prefix) < 0)
            continue;
        if (!first) {
            first = name;
            common = strlen(name);
        } else {
            /* Shared bytes, cut back to a character boundary. */
            size_t k = 0;
            while (k < common && first[k] == name[k])
                k++;
            while (k > 0 && ((unsigned char)first[k] & 0xC0) == 0x80)
                k--;
            common = k;
        }
        count++;
    }
    orm_buf_reset(out);
    if (first && strlen(prefix) <= common)
        orm_buf_appendn(out, first, common);
    else
        orm_buf_append(out, prefix);
    return count;
}

int tui_columns_find(const tui_columns *c, const char *name)
{
    int only = -1;
    size_t starting = 0;
    if (!*name)
        return -1;
    for (size_t i = 0; i < c->n; i++) {
        const char *col = c->m->columns[c->order[i]].name;
        if (same_name(col, name))
            return (int)c->order[i];
        if (starts_with(col, name) >= 0) {
            only = (int)c->order[i];
            starting++;
        }
    }
    return starting == 1 ? only : -1;
}

const char *tui_columns_next_match(const tui_columns *c, const char *prefix,
                                   const char *name)
{
    size_t at = c->n;
    for (size_t i = 0; i < c->n; i++)
        if (same_name(c->m->columns[c->order[i]].name, name))
            at = i;
    for (size_t k = 1; k <= c->n; k++) {
        size_t i = (at == c->n ? k - 1 : at + k) % c->n;
        const char *col = c->m->columns[c->order[i]].name;
        if (starts_with(col, prefix) >= 0)
            return col;
    }
    return NULL;
}

/* ---- the session's memory ---- */

typedef struct memo_entry {
    char *model; /* table, then a newline, then the model's name */
    char **hidden;
    size_t nhidden;
} memo_entry;

struct tui_columns_memo {
    memo_entry *entries;
    size_t n;
};

static char *memo_key(const orm_model *m)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_appendf(&b, "%s\n%s", m->table, m->name);
    return orm_buf_finish(&b);
}

static memo_entry *memo_find(const tui_columns_memo *memo, const char *key)
{
    for (size_t i = 0; memo && i < memo->n; i++)
        if (strcmp(memo->entries[i].model, key) == 0)
            return &memo->entries[i];
    return NULL;
}

static void entry_clear(memo_entry *e)
{
    for (size_t i = 0; i < e->nhidden; i++)
        free(e->hidden[i]);
    free(e->hidden);
    e->hidden = NULL;
    e->nhidden = 0;
}

int tui_columns_remember(tui_columns_memo **memo, const tui_columns *c)
{
    char *key = memo_key(c->m);
    char **hidden = tui_calloc(c->n + 1, sizeof *hidden);
    size_t nhidden = 0;
    if (!key || !hidden)
        goto nomem;
    for (size_t i = 0; i < c->n; i++)
        if (c->hidden[i]) {
            hidden[nhidden] = orm_strdup(c->m->columns[i].name);
            if (!hidden[nhidden++])
                goto nomem;
        }
    if (!*memo && !(*memo = tui_calloc(1, sizeof **memo)))
        goto nomem;
    memo_entry *e = memo_find(*memo, key);
    if (!e) {
        memo_entry *grown =
            tui_realloc((*memo)->entries, ((*memo)->n + 1) * sizeof *grown);
        if (!grown)
            goto nomem;
        (*memo)->entries = grown;
        e = &grown[(*memo)->n++];
        e->model = key;
        key = NULL;
    } else {
        entry_clear(e);
    }
    e->hidden = hidden;
    e->nhidden = nhidden;
    free(key);
    return 0;
nomem:
    for (size_t i = 0; hidden && i < nhidden; i++)
        free(hidden[i]);
    free(hidden);
    free(key);
    return ORM_ENOMEM;
}

void tui_columns_recall(const tui_columns_memo *memo, tui_columns *c)
{
    char *key = memo_key(c->m);
    const memo_entry *e = key ? memo_find(memo, key) : NULL;
    free(key);
    if (!e)
        return;
    for (size_t i = 0; i < e->nhidden; i++) {
        int col = orm_model_column_index(c->m, e->hidden[i]);
        if (col >= 0)
            c->hidden[col] = 1;
    }
    /* Never all of them. */
    if (tui_columns_hidden_count(c) >= c->n)
        tui_columns_show_all(c);
    if (!shown(c, c->cur))
        tui_columns_first(c);
}

void tui_columns_memo_free(tui_columns_memo *memo)
{
    if (!memo)
        return;
    for (size_t i = 0; i < memo->n; i++) {
        entry_clear(&memo->entries[i]);
        free(memo->entries[i].model);
    }
    free(memo->entries);
    free(memo);
}
