/*
 * The row picker (views.h): rows of a model to choose from, each shown
 * as the model's repr ("<Account jdoe>") or its key and first text
 * columns. Typing searches the text columns (and the key columns, when
 * a key is typed); the list pages through a row cache with keyset
 * paging, so a huge table is never read whole. Enter hands the chosen
 * row's key columns to the opener's hook; in a picker of several rows
 * the mark key marks rows first (a "*" before them, the count on the
 * status line) and Enter hands back every marked row.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "display.h"
#include "edit.h"
#include "mem.h"
#include "rowcache.h"
#include "views.h"

#define MIN_CAPACITY 30

typedef struct picker_view {
    tui_view base;
    tui_picker_hook hook;
    const orm_model *m;
    size_t key_cols[TUI_PICKER_MAX_KEY];
    size_t nkey;
    int multiple;
    char *purpose;
    /* The marked rows' key columns, nkey values a row, in marking
     * order (owned copies: the row cache moves on). */
    orm_value *marked;
    size_t nmarked, marked_cap;
    tui_rowcache *cache;
    orm_value *current; /* open on this row (nkey values), or NULL */
    orm_buf search;
    int64_t cursor, top;
    int page;
    int count_pending; /* count the matches between keys */
    int sync_pending;  /* picker_prepare was cancelled: read again */
} picker_view;

static const tui_action picker_actions[] = {
    TUI_ACT_MOVE_UP,        TUI_ACT_MOVE_DOWN,  TUI_ACT_PAGE_UP,
    TUI_ACT_PAGE_DOWN,      TUI_ACT_OPEN,       TUI_ACT_FORM_CANCEL,
    TUI_ACT_FORM_BACKSPACE, TUI_ACT_FORM_CLEAR, TUI_ACT_PICK_MARK};
#define NPICKER_SINGLE (sizeof picker_actions / sizeof picker_actions[0] - 1)

static int is_key_col(const picker_view *pv, size_t c)
{
    for (size_t k = 0; k < pv->nkey; k++)
        if (pv->key_cols[k] == c)
            return 1;
    return 0;
}

/* ---- marks ---- */

/* Where the row with these key columns is among the marked, or -1. */
static long marked_at(const picker_view *pv, const orm_value *row)
{
    for (size_t r = 0; r < pv->nmarked; r++) {
        size_t k = 0;
        while (k < pv->nkey && orm_value_equal(&pv->marked[r * pv->nkey + k],
                                               &row[pv->key_cols[k]]))
            k++;
        if (k == pv->nkey)
            return (long)r;
    }
    return -1;
}

/* Mark a row: its key values are values[cols[k]] (a whole row) or,
 * with cols NULL, values[k]. */
static int mark_add(picker_view *pv, const orm_value *values,
                    const size_t *cols)
{
    if (pv->nmarked == pv->marked_cap) {
        size_t cap = pv->marked_cap ? 2 * pv->marked_cap : 8;
        orm_value *grown =
            tui_realloc(pv->marked, cap * pv->nkey * sizeof *grown);
        if (!grown)
            return ORM_ENOMEM;
        pv->marked = grown;
        pv->marked_cap = cap;
    }
    orm_value *slot = &pv->marked[pv->nmarked * pv->nkey];
    for (size_t k = 0; k < pv->nkey; k++) {
        const orm_value *v = cols ? &values[cols[k]] : &values[k];
        if (orm_value_copy(&slot[k], v) != 0) {
            while (k--)
                orm_value_clear(&slot[k]);
            return ORM_ENOMEM;
        }
    }
    pv->nmarked++;
    return 0;
}

static void mark_remove(picker_view *pv, size_t r)
{
    orm_value *slot = &pv->marked[r * pv->nkey];
    for (size_t k = 0; k < pv->nkey; k++)
        orm_value_clear(&slot[k]);
    memmove(slot, slot + pv->nkey,
            (pv->nmarked - r - 1) * pv->nkey * sizeof *slot);
    pv->nmarked--;
}

/* The first key column of the row that is NULL, or NULL. */
static const orm_column *null_key(const picker_view *pv, const orm_value *row)
{
    for (size_t k = 0; k < pv->nkey; k++)
        if (orm_value_is_null(&row[pv->key_cols[k]]))
            return &pv->m->columns[pv->key_cols[k]];
    return NULL;
}

/* ---- loading ---- */

static int report(picker_view *pv, tui_app *app, int rc)
{
    if (rc)
        tui_app_db_error(app, pv->m->table, tui_rowcache_error(pv->cache));
    return rc;
}

/* Every word typed in some text column (or equal to the key). */
static orm_expr *search_expr(const picker_view *pv, const char *text)
{
    const orm_model *m = pv->m;
    orm_expr *all = NULL;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = 0;
        while (p[len] && p[len] != ' ')
            len++;
        if (!len)
            break;
        char *word = orm_strndup(p, len);
        orm_expr *any = NULL;
        if (!word)
            goto nomem;
        for (size_t c = 0; c < m->ncolumns; c++) {
            const orm_column *col = &m->columns[c];
            orm_expr *e = NULL;
            orm_value v = ORM_VALUE_NULL_INIT;
            if (tui_column_is_text(col) && !(col->flags & ORM_SECRET)) {
                orm_expr *args[2] = {orm_col(col->name), orm_str(word)};
                /* Takes the arguments, and frees them when it fails. */
                e = orm_expr_op(ORM_OP_ICONTAINS, args, 2);
            } else if (is_key_col(pv, c) &&
                       orm_value_parse(&v, col, word, NULL) == 0) {
                e = orm_eq(orm_col(col->name), orm_val(&v));
            } else {
                orm_value_clear(&v);
                continue;
            }
            orm_value_clear(&v);
            if (!e) {
                free(word);
                orm_expr_free(any);
                goto nomem;
            }
            any = any ? orm_or(any, e) : e;
            if (!any) {
                free(word);
                goto nomem;
            }
        }
        free(word);
        if (!any) /* nothing can match this word: a key is never NULL */
            any = orm_is_null(orm_col(m->columns[pv->key_cols[0]].name));
        all = all ? orm_and(all, any) : any;
        if (!all)
            return NULL;
        p += len;
    }
    return all;
nomem:
    orm_expr_free(all);
    return NULL;
}

static int reload(picker_view *pv, tui_app *app)
{
    const char *text = orm_buf_str(&pv->search);
    orm_expr *filter = text && *text ? search_expr(pv, text) : NULL;
    int rc;
    if (text && *text && !filter) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    rc = tui_rowcache_set_filter(pv->cache, filter);
    orm_expr_free(filter);
    if (rc == 0)
        rc = tui_rowcache_seek_first(pv->cache,
                                     (size_t)(pv->page > 0 ? pv->page : 1));
    tui_rowcache_take_shift(pv->cache);
    pv->cursor = pv->top = 0;
    pv->count_pending = 1;
    return report(pv, app, rc);
}

/* Rows [top, top + page) present; cursor inside what exists. Returns
 * what the row cache said. */
static int sync(picker_view *pv, tui_app *app)
{
    int page = pv->page > 0 ? pv->page : 1;
    if (pv->cursor < 0)
        pv->cursor = 0;
    if (pv->cursor < pv->top)
        pv->top = pv->cursor;
    if (pv->cursor >= pv->top + page)
        pv->top = pv->cursor - page + 1;
    int rc = tui_rowcache_ensure(pv->cache, pv->top, (size_t)page);
    int64_t shift = tui_rowcache_take_shift(pv->cache);
    pv->top += shift;
    pv->cursor += shift;
    if (report(pv, app, rc))
        return rc;
    while (pv->cursor > 0 && !tui_rowcache_row(pv->cache, pv->cursor))
        pv->cursor--;
    if (pv->cursor < pv->top)
        pv->top = pv->cursor;
    return 0;
}

/* Open on the row whose key columns hold `current`: its primary key
 * read with one query, then the window around it (the row in the
 * middle). A value no row has leaves the cursor on the first row. */
static void seek_current(picker_view *pv, tui_app *app)
{
    int pkc[TUI_PICKER_MAX_KEY];
    size_t npk = orm_model_pk(pv->m, pkc, TUI_PICKER_MAX_KEY);
    orm_value pk[TUI_PICKER_MAX_KEY];
    orm_expr *where = NULL;
    orm_query *q = NULL;
    orm_cursor *cur = NULL;
    const orm_value *row = NULL;
    size_t copied = 0;
    int64_t at = 0;
    int page = pv->page > 0 ? pv->page : 1;
    if (!pv->current || npk == 0)
        return;
    for (size_t k = 0; k < pv->nkey; k++) {
        orm_expr *e = orm_eq(orm_col(pv->m->columns[pv->key_cols[k]].name),
                             orm_val(&pv->current[k]));
        where = where ? orm_and(where, e) : e;
    }
    if (orm_query_new(&q, app->session, pv->m) != 0) {
        orm_expr_free(where);
        return;
    }
    orm_query_filter(q, where);
    orm_query_limit(q, 1);
    if (orm_query_cursor(q, &cur) == 0 && orm_cursor_next(cur, &row) == ORM_ROW)
        for (; copied < npk; copied++)
            if (orm_value_copy(&pk[copied], &row[pkc[copied]]) != 0)
                break;
    orm_cursor_free(cur);
    orm_query_free(q);
    if (copied == npk &&
        tui_rowcache_seek_record(pv->cache, pk, (size_t)page, &at) == 0) {
        tui_rowcache_take_shift(pv->cache);
        pv->cursor = at;
        pv->top = at > page / 2 ? at - page / 2 : 0;
    }
    for (size_t k = 0; k < copied; k++)
        orm_value_clear(&pk[k]);
}

static int picker_open(tui_view *v, tui_app *app)
{
    picker_view *pv = (picker_view *)v;
    int rc;
    pv->page = tui_app_body_height(app) - 1;
    rc = tui_rowcache_new(&pv->cache, app->session, pv->m, MIN_CAPACITY);
    if (rc) {
        tui_app_error(app, "out of memory");
        return rc;
    }
    tui_rowcache_set_batch(pv->cache, app->config.page_size);
    rc = tui_rowcache_set_order(pv->cache, -1, 0);
    if (rc || (rc = reload(pv, app)) != 0)
        return report(pv, app, rc);
    seek_current(pv, app);
    return 0;
}

/* ---- drawing ---- */

/* The rows a new screen size needs, read before the draw (as part of a
 * key's work: cancellable), which shows only what is held. */
static void picker_prepare(tui_view *v, tui_app *app, int height)
{
    picker_view *pv = (picker_view *)v;
    int page = height - 1 > 0 ? height - 1 : 1;
    if (page != pv->page || pv->sync_pending) {
        pv->page = page;
        size_t cap = 3 * (size_t)page;
        tui_rowcache_set_capacity(pv->cache,
                                  cap < MIN_CAPACITY ? MIN_CAPACITY : cap);
        pv->sync_pending = sync(pv, app) == ORM_ECANCELLED;
    }
}

static void picker_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                        int height)
{
    picker_view *pv = (picker_view *)v;
    orm_buf b = ORM_BUF_INIT;
    int page = height - 1 > 0 ? height - 1 : 1;
    (void)app;
    if (pv->cursor >= pv->top + page) /* fewer lines than were read */
        pv->top = pv->cursor - page + 1;
    const char *s = orm_buf_str(&pv->search);
    tui_screen_fill(scr, top, 0, scr->cols, TUI_EL_PROMPT);
    orm_buf_appendf(&b, "search: %s\xE2\x96\x8F", s ? s : "");
    tui_screen_put(scr, top, 0, orm_buf_str(&b), -1, TUI_EL_PROMPT);
    orm_buf_free(&b);
    if (tui_rowcache_held(pv->cache) == 0) {
        tui_screen_put(scr, top + 1, 2,
                       s && *s ? "(no matching rows)" : "(no rows)", -1,
                       TUI_EL_NULL_VALUE);
        return;
    }
    for (int line = 0; line < page; line++) {
        const orm_value *row = tui_rowcache_row(pv->cache, pv->top + line);
        int cur = pv->top + line == pv->cursor;
        if (!row)
            break;
        orm_buf text = ORM_BUF_INIT;
        tui_edit_repr(&text, pv->m, row);
        if (cur)
            tui_screen_fill(scr, top + 1 + line, 0, scr->cols, TUI_EL_CURSOR);
        if (pv->multiple && marked_at(pv, row) >= 0)
            tui_screen_put(scr, top + 1 + line, 0, "*", 1,
                           cur ? TUI_EL_CURSOR : TUI_EL_HELP_KEY);
        tui_screen_put(scr, top + 1 + line, 2, orm_buf_str(&text), -1,
                       cur ? TUI_EL_CURSOR : TUI_EL_DEFAULT);
        orm_buf_free(&text);
    }
}

static void picker_title(tui_view *v, tui_app *app, orm_buf *out)
{
    picker_view *pv = (picker_view *)v;
    (void)app;
    orm_buf_appendf(out, "pick %s (%s) \xC2\xB7 ", pv->m->name, pv->m->table);
    if (pv->purpose)
        orm_buf_append(out, pv->purpose);
    else
        orm_buf_appendf(out, "Enter puts its %s",
                        pv->m->columns[pv->key_cols[0]].name);
}

/* The first key bound to an action, as its name. */
static void first_key(const tui_app *app, tui_action a, orm_buf *out)
{
    orm_buf all = ORM_BUF_INIT;
    tui_keymap_describe(&app->keymap, a, &all);
    const char *s = orm_buf_str(&all);
    if (s && *s)
        orm_buf_appendn(out, s, strcspn(s, " ,"));
    else
        orm_buf_append(out, "(unbound)");
    orm_buf_free(&all);
}

static void picker_status(tui_view *v, tui_app *app, orm_buf *out)
{
    picker_view *pv = (picker_view *)v;
    int64_t total;
    int exact;
    if (tui_rowcache_total(pv->cache, &total, &exact)) {
        char text[40];
        tui_text_count(text, sizeof text, (long long)total, !exact);
        orm_buf_appendf(out, "%s row%s \xE2\x94\x82 ", text,
                        total == 1 ? "" : "s");
    }
    if (!pv->multiple) {
        orm_buf_append(out, "type to search \xC2\xB7 Enter picks \xC2\xB7 "
                            "Esc back");
        return;
    }
    orm_buf_appendf(out, "%zu marked \xE2\x94\x82 type to search \xC2\xB7 ",
                    pv->nmarked);
    first_key(app, TUI_ACT_PICK_MARK, out);
    orm_buf_append(out, pv->nmarked ? " marks \xC2\xB7 Enter picks the marked "
                                      "\xC2\xB7 Esc back"
                                    : " marks \xC2\xB7 Enter picks \xC2\xB7 "
                                      "Esc back");
}

/* ---- keys ---- */

/* Hand rows to the hook: `keys` holds nrows rows of nkey values. */
static unsigned hand_back(picker_view *pv, tui_app *app, const orm_value *keys,
                          size_t nrows)
{
    if (pv->hook.picked &&
        pv->hook.picked(app, keys, pv->nkey, nrows, pv->hook.payload) != 0)
        return TUI_REDRAW;
    return TUI_POP;
}

static unsigned choose(picker_view *pv, tui_app *app)
{
    orm_value keys[TUI_PICKER_MAX_KEY];
    const orm_value *row;
    const orm_column *missing;
    if (pv->multiple && pv->nmarked)
        return hand_back(pv, app, pv->marked, pv->nmarked);
    row = tui_rowcache_row(pv->cache, pv->cursor);
    if (!row) {
        tui_app_message(app, "no row to pick");
        return TUI_REDRAW;
    }
    if ((missing = null_key(pv, row))) {
        tui_app_error(app, "that row has no %s", missing->name);
        return TUI_REDRAW;
    }
    for (size_t k = 0; k < pv->nkey; k++)
        keys[k] = row[pv->key_cols[k]]; /* borrowed for the call */
    return hand_back(pv, app, keys, 1);
}

/* Mark or unmark the row under the cursor, then step down. */
static unsigned toggle_mark(picker_view *pv, tui_app *app)
{
    const orm_value *row = tui_rowcache_row(pv->cache, pv->cursor);
    const orm_column *missing;
    long at;
    if (!pv->multiple)
        return TUI_REDRAW; /* one row is picked here */
    if (!row) {
        tui_app_message(app, "no row to mark");
        return TUI_REDRAW;
    }
    if ((missing = null_key(pv, row))) {
        tui_app_error(app, "that row has no %s", missing->name);
        return TUI_REDRAW;
    }
    at = marked_at(pv, row);
    if (at >= 0) {
        mark_remove(pv, (size_t)at);
    } else if (mark_add(pv, row, pv->key_cols) != 0) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    if (tui_rowcache_row(pv->cache, pv->cursor + 1) ||
        !tui_rowcache_at_end(pv->cache))
        pv->cursor++;
    sync(pv, app);
    return TUI_REDRAW;
}

static unsigned picker_key(tui_view *v, tui_app *app, int key)
{
    picker_view *pv = (picker_view *)v;
    int page = pv->page > 0 ? pv->page : 1;
    if (key == TUI_KEY_MOUSE || key == TUI_KEY_RESIZE ||
        key == TUI_KEY_INTERRUPT)
        return TUI_UNHANDLED;
    if (key >= 32 && key < TUI_KEY_SPECIAL && key != 127) {
        utf8proc_uint8_t buf[8];
        utf8proc_ssize_t n = utf8proc_encode_char(key, buf);
        if (n > 0)
            orm_buf_appendn(&pv->search, (const char *)buf, (size_t)n);
        reload(pv, app);
        return TUI_REDRAW;
    }
    tui_action a =
        tui_edit_lookup(app, key, picker_actions,
                        pv->multiple ? NPICKER_SINGLE + 1 : NPICKER_SINGLE);
    switch (a) {
    case TUI_ACT_MOVE_UP:
        pv->cursor--;
        break;
    case TUI_ACT_MOVE_DOWN:
        if (tui_rowcache_row(pv->cache, pv->cursor + 1) ||
            !tui_rowcache_at_end(pv->cache))
            pv->cursor++;
        break;
    case TUI_ACT_PAGE_UP:
        pv->cursor -= page;
        pv->top -= page;
        if (pv->top < 0)
            pv->top = 0;
        break;
    case TUI_ACT_PAGE_DOWN:
        pv->cursor += page;
        pv->top += page;
        break;
    case TUI_ACT_OPEN:
        return choose(pv, app);
    case TUI_ACT_PICK_MARK:
        return toggle_mark(pv, app);
    case TUI_ACT_FORM_CANCEL:
        if (pv->hook.cancelled)
            pv->hook.cancelled(app, pv->hook.payload);
        return TUI_POP;
    case TUI_ACT_FORM_BACKSPACE:
        if (pv->search.len) {
            size_t n = pv->search.len - 1;
            while (n > 0 && ((unsigned char)pv->search.data[n] & 0xC0) == 0x80)
                n--;
            pv->search.len = n;
            pv->search.data[n] = '\0';
            reload(pv, app);
        }
        return TUI_REDRAW;
    case TUI_ACT_FORM_CLEAR:
        orm_buf_reset(&pv->search);
        reload(pv, app);
        return TUI_REDRAW;
    case TUI_ACT_HELP:
    case TUI_ACT_REDRAW:
        return TUI_UNHANDLED;
    default:
        return TUI_REDRAW;
    }
    sync(pv, app);
    return TUI_REDRAW;
}

static unsigned picker_handle(tui_view *v, tui_app *app, tui_action a)
{
    picker_view *pv = (picker_view *)v;
    if (a == TUI_ACT_MOVE_UP || a == TUI_ACT_MOVE_DOWN) {
        pv->cursor += a == TUI_ACT_MOVE_UP ? -1 : 1;
        sync(pv, app);
    }
    return TUI_REDRAW;
}

static unsigned picker_click(tui_view *v, tui_app *app, int line, int col,
                             int twice)
{
    picker_view *pv = (picker_view *)v;
    (void)col;
    if (line < 1 || !tui_rowcache_row(pv->cache, pv->top + line - 1))
        return TUI_REDRAW;
    pv->cursor = pv->top + line - 1;
    return twice ? choose(pv, app) : TUI_REDRAW;
}

static unsigned picker_idle(tui_view *v, tui_app *app, int *more)
{
    picker_view *pv = (picker_view *)v;
    *more = 0;
    if (!pv->count_pending)
        return TUI_DONE;
    pv->count_pending = 0;
    int rc = tui_rowcache_count(pv->cache);
    int64_t shift = tui_rowcache_take_shift(pv->cache);
    pv->top += shift;
    pv->cursor += shift;
    report(pv, app, rc);
    return TUI_REDRAW;
}

static void picker_close(tui_view *v)
{
    picker_view *pv = (picker_view *)v;
    if (!pv)
        return;
    tui_rowcache_free(pv->cache);
    orm_buf_free(&pv->search);
    for (size_t i = 0; i < pv->nmarked * pv->nkey; i++)
        orm_value_clear(&pv->marked[i]);
    free(pv->marked);
    for (size_t k = 0; pv->current && k < pv->nkey; k++)
        orm_value_clear(&pv->current[k]);
    free(pv->current);
    free(pv->purpose);
    free(pv);
}

static const tui_view_ops picker_ops = {
    .name = "picker",
    .kind = TUI_VIEW_PICKER,
    .open = picker_open,
    .prepare = picker_prepare,
    .draw = picker_draw,
    .title = picker_title,
    .status = picker_status,
    .handle = picker_handle,
    .click = picker_click,
    .idle = picker_idle,
    .key = picker_key,
    .close = picker_close,
};

int tui_view_picker_new(tui_view **out, tui_app *app,
                        const tui_picker_options *opts)
{
    picker_view *pv;
    (void)app;
    *out = NULL;
    if (!opts->model || opts->nkey == 0 || opts->nkey > TUI_PICKER_MAX_KEY)
        return ORM_EINVALID;
    for (size_t k = 0; k < opts->nkey; k++)
        if (opts->key_columns[k] >= opts->model->ncolumns)
            return ORM_EINVALID;
    if (!(pv = tui_calloc(1, sizeof *pv)))
        return ORM_ENOMEM;
    pv->base.ops = &picker_ops;
    pv->hook = opts->hook;
    pv->m = opts->model;
    pv->nkey = opts->nkey;
    memcpy(pv->key_cols, opts->key_columns, opts->nkey * sizeof *pv->key_cols);
    pv->multiple = opts->multiple;
    if (opts->purpose && !(pv->purpose = orm_strdup(opts->purpose)))
        goto nomem;
    for (size_t r = 0; opts->marked && r < opts->nmarked; r++)
        if (mark_add(pv, &opts->marked[r * opts->nkey], NULL) != 0)
            goto nomem;
    if (opts->current) {
        if (!(pv->current = tui_calloc(opts->nkey, sizeof *pv->current)))
            goto nomem;
        for (size_t k = 0; k < opts->nkey; k++)
            if (orm_value_copy(&pv->current[k], &opts->current[k]) != 0)
                goto nomem;
    }
    *out = &pv->base;
    return 0;
nomem:
    picker_close(&pv->base);
    return ORM_ENOMEM;
}
