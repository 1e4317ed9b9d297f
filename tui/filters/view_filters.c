/*
 * The saved filters of a model (`F` on the rows screen): name, filter
 * and when it was last used. Enter applies one to the rows below, e opens
 * it in the builder, and it can be renamed, duplicated or deleted. A
 * saved filter whose column was renamed or dropped since is reported
 * plainly when applied, never ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "filter_views.h"
#include "mem.h"
#include "views.h"

typedef enum filters_ask {
    FASK_NONE,
    FASK_RENAME,
    FASK_DUPLICATE,
    FASK_DELETE
} filters_ask;

typedef struct filters_view {
    tui_view base;
    tui_view *rows; /* borrowed: the rows screen below */
    const orm_model *m;
    char *model_key;
    tui_saved_filter *list;
    size_t n;
    size_t cursor, top;
    int page;
    filters_ask ask;
} filters_view;

static int reload(filters_view *fv, tui_app *app)
{
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    tui_saved_filter *list = NULL;
    size_t n = 0;
    int rc = tui_filter_state_open(app, &st);
    if (rc == 0 &&
        (rc = tui_state_filter_list(st, fv->model_key, &list, &n, &err)) != 0)
        tui_app_error(app, "saved filters: %s", orm_error_text(&err));
    tui_state_free(st);
    orm_error_clear(&err);
    if (rc)
        return rc;
    tui_saved_filters_free(fv->list, fv->n);
    fv->list = list;
    fv->n = n;
    if (fv->cursor >= n)
        fv->cursor = n ? n - 1 : 0;
    return 0;
}

static const tui_saved_filter *selected(const filters_view *fv)
{
    return fv->cursor < fv->n ? &fv->list[fv->cursor] : NULL;
}

/* Run one state change; reload the list after it. */
static unsigned state_change(filters_view *fv, tui_app *app,
                             int (*change)(tui_state *, const char *,
                                           const char *, orm_error *),
                             const char *a, const char *b, const char *done)
{
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    if (tui_filter_state_open(app, &st) != 0)
        return TUI_REDRAW;
    if (change(st, a, b, &err) != 0)
        tui_app_error(app, "%s", orm_error_text(&err));
    else
        tui_app_message(app, "%s", done);
    tui_state_free(st);
    orm_error_clear(&err);
    reload(fv, app);
    return TUI_REDRAW;
}

static int do_rename(tui_state *st, const char *a, const char *b,
                     orm_error *err)
{
    return tui_state_filter_rename(st, a, b, err);
}

static int do_delete(tui_state *st, const char *a, const char *b,
                     orm_error *err)
{
    (void)b;
    return tui_state_filter_delete(st, a, err);
}

/* ---- applying ---- */

static unsigned apply_saved(filters_view *fv, tui_app *app)
{
    const tui_saved_filter *f = selected(fv);
    orm_expr *e = NULL;
    orm_error err = ORM_ERROR_INIT;
    tui_state *st = NULL;
    if (!f)
        return TUI_REDRAW;
    if (tui_state_filter_parse(f, fv->m, &e, &err) != 0) {
        tui_app_error(app, "%s (e opens it in the builder)",
                      orm_error_text(&err));
        orm_error_clear(&err);
        return TUI_REDRAW;
    }
    char *name = orm_strdup(f->name);
    char *text = orm_filter_print(e);
    if (!name || !text ||
        tui_view_rows_set_filter(fv->rows, app, e, text) != 0) {
        if (!name || !text)
            tui_app_error(app, "out of memory");
        orm_expr_free(e);
        free(name);
        free(text);
        return TUI_REDRAW;
    }
    if (tui_filter_state_open(app, &st) == 0) {
        if (tui_state_filter_touch(st, name, &err) != 0 ||
            tui_state_history_add(st, fv->model_key, text, &err) != 0)
            tui_app_error(app, "saved filters: %s", orm_error_text(&err));
        else
            tui_app_message(app, "filter '%s' applied", name);
    }
    tui_state_free(st);
    orm_error_clear(&err);
    orm_expr_free(e);
    free(name);
    free(text);
    return TUI_POP;
}

static unsigned edit_saved(filters_view *fv, tui_app *app)
{
    const tui_saved_filter *f = selected(fv);
    tui_view *b = NULL;
    if (!f)
        return TUI_REDRAW;
    if (tui_view_builder_new(&b, app, fv->rows, f->expr, f->name) != 0) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    /* The builder takes this screen's place, over the rows. */
    app->pushed = b;
    return TUI_POP | TUI_PUSH;
}

/* ---- keys and prompts ---- */

/* Its own keys (r renames, D copies), the builder's (e edits, d
 * deletes, Enter applies), then browsing's (moving, q/Esc back). */
static const tui_scope filters_scopes[] = {TUI_SCOPE_FILTERS, TUI_SCOPE_BUILDER,
                                           TUI_SCOPE_BROWSE, TUI_SCOPE_GLOBAL};

/* The actions this screen answers; other keys pass on. */
static const tui_action list_keys[] = {
    TUI_ACT_OPEN,          TUI_ACT_FILTER_APPLY,  TUI_ACT_FILTER_EDIT,
    TUI_ACT_FILTER_DELETE, TUI_ACT_FILTER_RENAME, TUI_ACT_FILTER_DUPLICATE,
    TUI_ACT_BACK,          TUI_ACT_MOVE_UP,       TUI_ACT_MOVE_DOWN,
    TUI_ACT_PAGE_UP,       TUI_ACT_PAGE_DOWN,     TUI_ACT_FIRST,
    TUI_ACT_LAST};

static unsigned filters_handle(tui_view *v, tui_app *app, tui_action a)
{
    filters_view *fv = (filters_view *)v;
    const tui_saved_filter *f = selected(fv);
    long page = fv->page > 1 ? fv->page : 1;
    orm_buf b = ORM_BUF_INIT;
    if (tui_list_move(&fv->cursor, fv->n, (size_t)page, a))
        return TUI_REDRAW;
    switch (a) {
    case TUI_ACT_OPEN:
    case TUI_ACT_FILTER_APPLY:
        return apply_saved(fv, app);
    case TUI_ACT_FILTER_EDIT:
        return edit_saved(fv, app);
    case TUI_ACT_BACK:
        return TUI_POP;
    default:
        break;
    }
    if (!f)
        return a == TUI_ACT_FILTER_DELETE || a == TUI_ACT_FILTER_RENAME ||
                       a == TUI_ACT_FILTER_DUPLICATE
                   ? TUI_REDRAW
                   : TUI_UNHANDLED;
    switch (a) {
    case TUI_ACT_FILTER_RENAME:
        fv->ask = FASK_RENAME;
        tui_app_prompt(app, TUI_PROMPT_SEARCH, "rename to: ", f->name);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_DUPLICATE:
        fv->ask = FASK_DUPLICATE;
        orm_buf_appendf(&b, "%s copy", f->name);
        tui_app_prompt(app, TUI_PROMPT_SEARCH,
                       "copy as: ", orm_buf_str(&b) ? orm_buf_str(&b) : "");
        orm_buf_free(&b);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_DELETE:
        fv->ask = FASK_DELETE;
        tui_app_prompt(app, TUI_PROMPT_SEARCH, "delete? y/n: ", NULL);
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
}

static unsigned filters_key(tui_view *v, tui_app *app, int key)
{
    size_t n = sizeof list_keys / sizeof list_keys[0];
    tui_action a = tui_keymap_lookup_in(&app->keymap, filters_scopes, key);
    for (size_t i = 0; i < n; i++) {
        if (list_keys[i] == a) {
            unsigned r = filters_handle(v, app, a);
            return r & TUI_UNHANDLED ? TUI_REDRAW : r;
        }
    }
    return TUI_UNHANDLED;
}

static unsigned filters_prompt(tui_view *v, tui_app *app, tui_prompt_kind kind,
                               const char *text, int done)
{
    filters_view *fv = (filters_view *)v;
    const tui_saved_filter *f = selected(fv);
    filters_ask what = fv->ask;
    unsigned r = TUI_REDRAW;
    char *name = NULL, *answer = NULL;
    (void)kind;
    if (done == 0)
        return TUI_REDRAW;
    fv->ask = FASK_NONE;
    if (done < 0 || !f)
        return TUI_REDRAW;
    /* Copies: the prompt's text and the list change below. */
    name = orm_strdup(f->name);
    answer = orm_strdup(text);
    if (!name || !answer) {
        tui_app_error(app, "out of memory");
        goto done;
    }
    if (what == FASK_DELETE) {
        if (answer[0] == 'y' || answer[0] == 'Y') {
            orm_buf msg = ORM_BUF_INIT;
            orm_buf_appendf(&msg, "deleted '%s'", name);
            r = state_change(fv, app, do_delete, name, NULL,
                             orm_buf_str(&msg) ? orm_buf_str(&msg) : "deleted");
            orm_buf_free(&msg);
        } else {
            tui_app_message(app, "not deleted");
        }
    } else if (!answer[0]) {
        tui_app_error(app, "a saved filter needs a name");
    } else if (what == FASK_RENAME) {
        orm_buf msg = ORM_BUF_INIT;
        orm_buf_appendf(&msg, "renamed to '%s'", answer);
        r = state_change(fv, app, do_rename, name, answer,
                         orm_buf_str(&msg) ? orm_buf_str(&msg) : "renamed");
        orm_buf_free(&msg);
    } else if (what == FASK_DUPLICATE) {
        tui_state *st = NULL;
        orm_error err = ORM_ERROR_INIT;
        if (tui_filter_state_open(app, &st) == 0) {
            if (tui_state_filter_save(st, answer, f->model, f->expr, 0, &err) !=
                0)
                tui_app_error(app, "%s", orm_error_text(&err));
            else
                tui_app_message(app, "copied as '%s'", answer);
        }
        tui_state_free(st);
        orm_error_clear(&err);
        reload(fv, app);
        for (size_t i = 0; i < fv->n; i++)
            if (strcmp(fv->list[i].name, answer) == 0)
                fv->cursor = i;
    }
done:
    free(name);
    free(answer);
    return r;
}

/* ---- drawing ---- */

static void filters_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                         int height)
{
    filters_view *fv = (filters_view *)v;
    int name_w = 4, used_w = 19;
    (void)app;
    fv->page = height - 1;
    size_t page = fv->page > 0 ? (size_t)fv->page : 1;
    if (fv->cursor < fv->top)
        fv->top = fv->cursor;
    if (fv->cursor >= fv->top + page)
        fv->top = fv->cursor - page + 1;
    for (size_t i = 0; i < fv->n; i++) {
        int w = tui_text_widthz(fv->list[i].name);
        if (w > name_w)
            name_w = w < scr->cols / 4 ? w : scr->cols / 4;
    }
    int x_used = scr->cols - used_w, x_expr = name_w + 2;
    int expr_w = x_used - x_expr - 2;
    tui_screen_fill(scr, top, 0, scr->cols, TUI_EL_HEADER);
    tui_screen_put(scr, top, 0, "Name", name_w, TUI_EL_HEADER);
    tui_screen_put(scr, top, x_expr, "Filter", expr_w, TUI_EL_HEADER);
    tui_screen_put(scr, top, x_used, "Last used", used_w, TUI_EL_HEADER);
    if (fv->n == 0) {
        tui_screen_put(scr, top + 1, 0,
                       "(no saved filters for this model: f builds one, "
                       "s in the builder saves it)",
                       -1, TUI_EL_NULL_VALUE);
        return;
    }
    for (size_t line = 0; line < page; line++) {
        size_t i = fv->top + line;
        int row = top + 1 + (int)line;
        orm_buf fitted = ORM_BUF_INIT;
        if (i >= fv->n)
            break;
        const tui_saved_filter *f = &fv->list[i];
        int cur = i == fv->cursor;
        tui_element el = cur ? TUI_EL_CURSOR : TUI_EL_DEFAULT;
        if (cur)
            tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_CURSOR);
        tui_text_fit(&fitted, f->name, strlen(f->name), name_w);
        tui_screen_put(scr, row, 0, orm_buf_str(&fitted), name_w,
                       cur ? el : TUI_EL_LABEL);
        orm_buf_reset(&fitted);
        tui_text_fit(&fitted, f->expr, strlen(f->expr), expr_w);
        tui_screen_put(scr, row, x_expr, orm_buf_str(&fitted), expr_w, el);
        tui_screen_put(scr, row, x_used, f->last_used ? f->last_used : "never",
                       used_w, cur ? el : TUI_EL_NULL_VALUE);
        orm_buf_free(&fitted);
    }
}

static void filters_title(tui_view *v, tui_app *app, orm_buf *out)
{
    filters_view *fv = (filters_view *)v;
    (void)app;
    orm_buf_appendf(out, "Saved filters of %s (%s)", fv->m->name, fv->m->table);
}

static void filters_status(tui_view *v, tui_app *app, orm_buf *out)
{
    filters_view *fv = (filters_view *)v;
    static const struct {
        tui_action a;
        const char *what;
    } hints[] = {{TUI_ACT_FILTER_APPLY, "apply"},
                 {TUI_ACT_FILTER_EDIT, "edit"},
                 {TUI_ACT_FILTER_RENAME, "rename"},
                 {TUI_ACT_FILTER_DUPLICATE, "duplicate"},
                 {TUI_ACT_FILTER_DELETE, "delete"}};
    orm_buf_appendf(out, "%zu saved filter%s", fv->n, fv->n == 1 ? "" : "s");
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        orm_buf keys = ORM_BUF_INIT;
        tui_keymap_describe(&app->keymap, hints[i].a, &keys);
        const char *k = orm_buf_str(&keys);
        size_t len = k ? strcspn(k, " ") : 0;
        if (len)
            orm_buf_appendf(out, " \xE2\x94\x82 %.*s %s", (int)len, k,
                            hints[i].what);
        orm_buf_free(&keys);
    }
}

/* ---- life ---- */

static int filters_open(tui_view *v, tui_app *app)
{
    filters_view *fv = (filters_view *)v;
    return reload(fv, app);
}

static void filters_close(tui_view *v)
{
    filters_view *fv = (filters_view *)v;
    if (!fv)
        return;
    tui_saved_filters_free(fv->list, fv->n);
    free(fv->model_key);
    free(fv);
}

static const tui_view_ops filters_ops = {
    .name = "saved-filters",
    .kind = TUI_VIEW_FILTERS,
    .open = filters_open,
    .draw = filters_draw,
    .title = filters_title,
    .status = filters_status,
    .handle = filters_handle,
    .prompt = filters_prompt,
    .close = filters_close,
    .key = filters_key,
    .scopes = filters_scopes,
};

int tui_view_filters_new(tui_view **out, tui_app *app, tui_view *rows)
{
    filters_view *fv = tui_calloc(1, sizeof *fv);
    (void)app;
    *out = NULL;
    if (!fv)
        return ORM_ENOMEM;
    fv->base.ops = &filters_ops;
    fv->rows = rows;
    fv->m = tui_view_rows_model(rows);
    if (!fv->m || !(fv->model_key = tui_state_model_key(fv->m))) {
        int rc = fv->m ? ORM_ENOMEM : ORM_EINVALID;
        free(fv);
        return rc;
    }
    *out = &fv->base;
    return 0;
}
