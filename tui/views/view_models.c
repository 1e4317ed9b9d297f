/*
 * The models screen: every model the database knows, with its row count
 * (counted after the first screen is shown, all in one go, else one
 * model at a time between keys; "~" marks an estimate), column count,
 * class and table name. "/" narrows the list as you type.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "edit.h"
#include "mem.h"
#include "views.h"

enum {
    COUNT_PENDING,
    COUNT_ESTIMATE,
    COUNT_EXACT,
    COUNT_FAILED,
    COUNT_NO_TABLE /* dropped since it was listed, or never created */
};

typedef struct models_view {
    tui_view base;
    size_t nmodels;
    int64_t *counts;
    unsigned char *count_state;
    size_t next_count;
    size_t *visible; /* model indexes passing the narrowing */
    size_t nvisible;
    char *narrow;
    size_t cursor, top;
    int page;
    int batch_failed; /* counting all at once failed: one at a time */
} models_view;

static const orm_model *model_at(tui_app *app, size_t i)
{
    return orm_db_model_at(app->db, i);
}

/* The table as the user names it ("schema.table" outside the current
 * schema, so that two tables of one name in two schemas are told
 * apart); a view says so. */
static void table_text(orm_buf *out, const orm_model *m)
{
    char *name = orm_name_join(m->schema, m->table);
    if (!name) {
        out->failed = 1;
        return;
    }
    orm_buf_appendf(out, "%s%s", name, m->is_view ? " (view)" : "");
    free(name);
}

static void refilter(models_view *mv, tui_app *app)
{
    size_t keep = mv->nvisible ? mv->visible[mv->cursor] : 0;
    mv->nvisible = 0;
    for (size_t i = 0; i < mv->nmodels; i++) {
        const orm_model *m = model_at(app, i);
        if (!mv->narrow || tui_text_contains(m->name, mv->narrow) ||
            tui_text_contains(m->table, mv->narrow))
            mv->visible[mv->nvisible++] = i;
    }
    mv->cursor = 0;
    for (size_t i = 0; i < mv->nvisible; i++)
        if (mv->visible[i] == keep)
            mv->cursor = i;
    mv->top = 0;
}

static int models_open(tui_view *v, tui_app *app)
{
    models_view *mv = (models_view *)v;
    mv->nmodels = orm_db_model_count(app->db);
    size_t n = mv->nmodels ? mv->nmodels : 1;
    mv->counts = tui_calloc(n, sizeof *mv->counts);
    mv->count_state = tui_calloc(n, sizeof *mv->count_state);
    mv->visible = tui_calloc(n, sizeof *mv->visible);
    if (!mv->counts || !mv->count_state || !mv->visible) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    refilter(mv, app);
    if (mv->nmodels == 0 && app->message.len == 0) /* keep start problems */
        tui_app_message(app, "no tables in this database");
    return 0;
}

static void keep_visible(models_view *mv)
{
    int page = mv->page > 0 ? mv->page : 1;
    if (mv->cursor < mv->top)
        mv->top = mv->cursor;
    if (mv->cursor >= mv->top + (size_t)page)
        mv->top = mv->cursor - (size_t)page + 1;
}

static void count_text(const models_view *mv, size_t i, char *out, size_t size)
{
    switch (mv->count_state[i]) {
    case COUNT_PENDING:
        snprintf(out, size, "\xE2\x80\xA6"); /* … */
        break;
    case COUNT_FAILED:
        snprintf(out, size, "?");
        break;
    case COUNT_NO_TABLE:
        snprintf(out, size, "no table");
        break;
    default:
        tui_text_count(out, size, (long long)mv->counts[i],
                       mv->count_state[i] == COUNT_ESTIMATE);
    }
}

static int clamp_width(int w, int lo, int hi)
{
    return w < lo ? lo : w > hi ? hi : w;
}

static void draw_cell(tui_screen *scr, int row, int col, const char *text,
                      int width, int right, tui_element el)
{
    orm_buf b = ORM_BUF_INIT;
    int w = tui_text_fit(&b, text, strlen(text), width);
    tui_screen_put(scr, row, right ? col + width - w : col, orm_buf_str(&b),
                   width, el);
    orm_buf_free(&b);
}

static void models_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                        int height)
{
    models_view *mv = (models_view *)v;
    int name_w = 5, table_w = 5;
    const int rows_w = 12, cols_w = 7;
    mv->page = height - 1;
    keep_visible(mv);
    for (size_t i = 0; i < mv->nvisible; i++) {
        const orm_model *m = model_at(app, mv->visible[i]);
        orm_buf table = ORM_BUF_INIT;
        table_text(&table, m);
        name_w = clamp_width(tui_text_widthz(m->name), name_w, 30);
        table_w = clamp_width(
            tui_text_widthz(orm_buf_str(&table) ? orm_buf_str(&table) : ""),
            table_w, 30);
        orm_buf_free(&table);
    }
    /* Give the names what the numbers leave. */
    int room = scr->cols - rows_w - cols_w - 4;
    if (name_w + table_w > room) {
        name_w = room / 2 > 4 ? room / 2 : 4;
        table_w = room - name_w > 4 ? room - name_w : 4;
    }
    int x_table = name_w + 1, x_rows = x_table + table_w + 1,
        x_cols = x_rows + rows_w + 1;
    tui_screen_fill(scr, top, 0, scr->cols, TUI_EL_HEADER);
    draw_cell(scr, top, 0, "Model", name_w, 0, TUI_EL_HEADER);
    draw_cell(scr, top, x_table, "Table", table_w, 0, TUI_EL_HEADER);
    draw_cell(scr, top, x_rows, "Rows", rows_w, 1, TUI_EL_HEADER);
    draw_cell(scr, top, x_cols, "Columns", cols_w, 1, TUI_EL_HEADER);
    for (int line = 0; line < mv->page; line++) {
        size_t i = mv->top + (size_t)line;
        int row = top + 1 + line;
        char count[32], ncols[32];
        if (i >= mv->nvisible)
            break;
        const orm_model *m = model_at(app, mv->visible[i]);
        int cur = i == mv->cursor;
        tui_element el = cur ? TUI_EL_CURSOR : TUI_EL_DEFAULT;
        if (cur)
            tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_CURSOR);
        count_text(mv, mv->visible[i], count, sizeof count);
        snprintf(ncols, sizeof ncols, "%zu", m->ncolumns);
        draw_cell(scr, row, 0, m->name, name_w, 0, el);
        orm_buf table = ORM_BUF_INIT;
        table_text(&table, m);
        draw_cell(scr, row, x_table,
                  orm_buf_str(&table) ? orm_buf_str(&table) : m->table, table_w,
                  0, cur ? el : TUI_EL_TYPE);
        orm_buf_free(&table);
        draw_cell(scr, row, x_rows, count, rows_w, 1, cur ? el : TUI_EL_NUMBER);
        draw_cell(scr, row, x_cols, ncols, cols_w, 1, cur ? el : TUI_EL_NUMBER);
    }
    if (mv->nvisible == 0)
        tui_screen_put(scr, top + 1, 0,
                       mv->narrow ? "(no model matches)" : "(no models)", -1,
                       TUI_EL_NULL_VALUE);
}

static void models_title(tui_view *v, tui_app *app, orm_buf *out)
{
    (void)v;
    orm_buf_append(out, "Models \xC2\xB7 ");
    orm_buf_append(out, orm_db_url(app->db));
}

static void models_status(tui_view *v, tui_app *app, orm_buf *out)
{
    models_view *mv = (models_view *)v;
    (void)app;
    orm_buf_appendf(out, "%zu of %zu models", mv->nvisible, mv->nmodels);
    if (mv->narrow)
        orm_buf_appendf(out, " \xE2\x94\x82 narrow: %s", mv->narrow);
    tui_edit_status(app, NULL, out); /* pending changes, or read-only */
    orm_buf_append(out, " \xE2\x94\x82 ? help");
}

static unsigned open_selected(models_view *mv, tui_app *app)
{
    tui_view *rows = NULL;
    if (mv->nvisible == 0)
        return TUI_DONE;
    const orm_model *m = model_at(app, mv->visible[mv->cursor]);
    if (tui_view_rows_new(&rows, app, m, NULL, NULL) != 0) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = rows;
    return TUI_PUSH;
}

static unsigned models_handle(tui_view *v, tui_app *app, tui_action a)
{
    models_view *mv = (models_view *)v;
    size_t page = mv->page > 1 ? (size_t)mv->page : 1;
    if (tui_list_move(&mv->cursor, mv->nvisible, page, a)) {
        keep_visible(mv);
        return TUI_REDRAW;
    }
    switch (a) {
    case TUI_ACT_OPEN:
        return open_selected(mv, app);
    case TUI_ACT_SEARCH:
        tui_app_prompt(app, TUI_PROMPT_NARROW, "narrow: ", mv->narrow);
        break;
    case TUI_ACT_REFRESH:
        memset(mv->count_state, COUNT_PENDING, mv->nmodels);
        mv->next_count = 0;
        break;
    case TUI_ACT_BACK:
        if (mv->narrow) { /* Esc first clears the narrowing */
            free(mv->narrow);
            mv->narrow = NULL;
            refilter(mv, app);
            break;
        }
        return TUI_QUIT;
    default:
        return TUI_UNHANDLED;
    }
    keep_visible(mv);
    return TUI_REDRAW;
}

static unsigned models_prompt(tui_view *v, tui_app *app, tui_prompt_kind kind,
                              const char *text, int done)
{
    models_view *mv = (models_view *)v;
    if (kind != TUI_PROMPT_NARROW)
        return TUI_DONE;
    char *narrow = NULL;
    if (done >= 0 && *text && !(narrow = orm_strdup(text))) {
        tui_app_error(app, "out of memory: the list is narrowed as before");
        return TUI_REDRAW;
    }
    free(mv->narrow);
    mv->narrow = narrow;
    refilter(mv, app);
    if (done == 1 && mv->nvisible == 1)
        return open_selected(mv, app);
    return TUI_REDRAW;
}

/* Typing a letter no key is bound to starts narrowing with it. */
static unsigned models_type(tui_view *v, tui_app *app, int key)
{
    char text[8];
    int n = 0;
    if (key < 0x80) {
        text[n++] = (char)key;
    } else if (key < 0x800) {
        text[n++] = (char)(0xC0 | (key >> 6));
        text[n++] = (char)(0x80 | (key & 0x3F));
    } else if (key < 0x10000) {
        text[n++] = (char)(0xE0 | (key >> 12));
        text[n++] = (char)(0x80 | ((key >> 6) & 0x3F));
        text[n++] = (char)(0x80 | (key & 0x3F));
    } else {
        text[n++] = (char)(0xF0 | (key >> 18));
        text[n++] = (char)(0x80 | ((key >> 12) & 0x3F));
        text[n++] = (char)(0x80 | ((key >> 6) & 0x3F));
        text[n++] = (char)(0x80 | (key & 0x3F));
    }
    text[n] = '\0';
    tui_app_prompt(app, TUI_PROMPT_NARROW, "narrow: ", text);
    return models_prompt(v, app, TUI_PROMPT_NARROW, text, 0);
}

static unsigned models_click(tui_view *v, tui_app *app, int line, int col,
                             int twice)
{
    models_view *mv = (models_view *)v;
    (void)col;
    if (line < 1)
        return TUI_DONE;
    size_t i = mv->top + (size_t)(line - 1);
    if (i >= mv->nvisible)
        return TUI_DONE;
    mv->cursor = i;
    return twice ? open_selected(mv, app) : TUI_REDRAW;
}

/* Count every pending model at once: two round trips on a network
 * instead of one or two per model. 0 when that worked (or when fewer
 * than two were pending, left to the one-at-a-time count). */
static int count_all(models_view *mv, tui_app *app)
{
    size_t n = 0;
    const orm_model **models = tui_calloc(mv->nmodels, sizeof *models);
    size_t *index = tui_calloc(mv->nmodels, sizeof *index);
    int64_t *counts = tui_calloc(mv->nmodels, sizeof *counts);
    int *exact = tui_calloc(mv->nmodels, sizeof *exact);
    int rc = ORM_ENOMEM;
    if (models && index && counts && exact) {
        for (size_t i = 0; i < mv->nmodels; i++) {
            if (mv->count_state[i] != COUNT_PENDING)
                continue;
            index[n] = i;
            models[n++] = model_at(app, i);
        }
        /* One model left is counted as before. */
        rc = n < 2 ? 0 : orm_db_count_many(app->db, models, n, counts, exact);
    }
    for (size_t k = 0; rc == 0 && n >= 2 && k < n; k++) {
        mv->counts[index[k]] = counts[k];
        mv->count_state[index[k]] = counts[k] < 0 ? COUNT_NO_TABLE
                                    : exact[k]    ? COUNT_EXACT
                                                  : COUNT_ESTIMATE;
    }
    free(models);
    free(index);
    free(counts);
    free(exact);
    return rc;
}

static unsigned models_idle(tui_view *v, tui_app *app, int *more)
{
    models_view *mv = (models_view *)v;
    /* All at once; when that fails, one at a time, so the table that
     * fails is named. A key stopped it (ORM_ECANCELLED): again later. */
    int all = mv->batch_failed ? 0 : count_all(mv, app);
    if (all == ORM_ECANCELLED) {
        *more = 1;
        return TUI_DONE;
    }
    if (all != 0)
        mv->batch_failed = 1;
    /* Count the visible models first, in screen order. */
    size_t pick = mv->nmodels;
    for (size_t k = 0; k < mv->nvisible && pick == mv->nmodels; k++)
        if (mv->count_state[mv->visible[k]] == COUNT_PENDING)
            pick = mv->visible[k];
    while (pick == mv->nmodels && mv->next_count < mv->nmodels) {
        if (mv->count_state[mv->next_count] == COUNT_PENDING)
            pick = mv->next_count;
        mv->next_count++;
    }
    if (pick == mv->nmodels) {
        *more = 0;
        return TUI_DONE;
    }
    int64_t n = 0;
    int exact = 1;
    int rc = orm_db_count(app->db, model_at(app, pick), 1, &n, &exact);
    if (rc == ORM_ECANCELLED) { /* a key stopped it: counted again later */
        if (mv->next_count > pick)
            mv->next_count = pick;
    } else if (rc) {
        mv->count_state[pick] = COUNT_FAILED;
        tui_app_db_error(app, model_at(app, pick)->table,
                         orm_db_error(app->db));
    } else {
        mv->counts[pick] = n;
        mv->count_state[pick] = exact ? COUNT_EXACT : COUNT_ESTIMATE;
    }
    *more = 1;
    return TUI_REDRAW;
}

static void models_close(tui_view *v)
{
    models_view *mv = (models_view *)v;
    if (!mv)
        return;
    free(mv->counts);
    free(mv->count_state);
    free(mv->visible);
    free(mv->narrow);
    free(mv);
}

static const tui_view_ops models_ops = {
    .name = "models",
    .kind = TUI_VIEW_MODELS,
    .open = models_open,
    .draw = models_draw,
    .title = models_title,
    .status = models_status,
    .handle = models_handle,
    .prompt = models_prompt,
    .click = models_click,
    .idle = models_idle,
    .type = models_type,
    .close = models_close,
};

int tui_view_models_new(tui_view **out, tui_app *app)
{
    models_view *mv = tui_calloc(1, sizeof *mv);
    (void)app;
    *out = NULL;
    if (!mv)
        return ORM_ENOMEM;
    mv->base.ops = &models_ops;
    *out = &mv->base;
    return 0;
}
