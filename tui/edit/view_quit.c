/*
 * The question asked when quitting with pending changes: "3 pending
 * changes: write (w), discard (d) or cancel (Esc)?" on the status line,
 * over the screen it was asked from. Write opens the review and quits
 * once everything is written; discard forgets the changes and quits.
 * The same question comes before switching to another database
 * (switch.c): then the review, or the discard, leads to the prompt for
 * it instead of quitting.
 */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "mem.h"
#include "views.h"

typedef struct quit_view {
    tui_view base;
    int switching; /* asked before switching, not quitting */
} quit_view;

/* The question's keys (d discards), then browsing's (w writes, Esc). */
static const tui_scope quit_scopes[] = {TUI_SCOPE_QUESTION, TUI_SCOPE_BROWSE,
                                        TUI_SCOPE_GLOBAL};

/* The screen under the question. */
static tui_view *below(const tui_app *app)
{
    return app->depth >= 2 ? app->stack[app->depth - 2] : NULL;
}

static void quit_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                      int height)
{
    tui_view *under = below(app);
    (void)v;
    if (under && under->ops->draw)
        under->ops->draw(under, app, scr, top, height);
}

static void quit_title(tui_view *v, tui_app *app, orm_buf *out)
{
    tui_view *under = below(app);
    (void)v;
    if (under && under->ops->title)
        under->ops->title(under, app, out);
}

static void first_key(const tui_app *app, tui_action a, orm_buf *out)
{
    for (size_t i = 0; i < app->keymap.count; i++)
        if (app->keymap.bindings[i].action == a) {
            char name[32];
            tui_key_name(app->keymap.bindings[i].key, name, sizeof name);
            orm_buf_append(out, name);
            return;
        }
    orm_buf_append(out, "unbound");
}

static void quit_status(tui_view *v, tui_app *app, orm_buf *out)
{
    size_t n = orm_session_pending_count(app->session);
    const quit_view *qv = (const quit_view *)v;
    orm_buf_appendf(out, "%zu pending change%s: write (", n, n == 1 ? "" : "s");
    first_key(app, TUI_ACT_WRITE, out);
    orm_buf_append(out, "), discard (");
    first_key(app, TUI_ACT_DISCARD, out);
    orm_buf_append(out, ") or cancel (");
    first_key(app, TUI_ACT_FORM_CANCEL, out);
    orm_buf_append(out,
                   qv->switching ? ") before opening another database?" : ")?");
}

static unsigned quit_key(tui_view *v, tui_app *app, int key)
{
    tui_view *review = NULL;
    const quit_view *qv = (const quit_view *)v;
    if (key == TUI_KEY_RESIZE || key == TUI_KEY_INTERRUPT)
        return TUI_UNHANDLED;
    tui_action a = tui_keymap_lookup_in(&app->keymap, quit_scopes, key);
    switch (a) {
    case TUI_ACT_WRITE:
        if (tui_view_review_new(&review, app,
                                qv->switching ? TUI_REVIEW_THEN_SWITCH
                                              : TUI_REVIEW_THEN_QUIT) != 0) {
            tui_app_error(app, "out of memory");
            return TUI_REDRAW;
        }
        app->pushed = review;
        return TUI_POP | TUI_PUSH;
    case TUI_ACT_DISCARD:
        orm_session_rollback(app->session);
        if (!qv->switching)
            return TUI_QUIT;
        tui_switch_ask(app);
        return TUI_POP;
    case TUI_ACT_FORM_CANCEL:
    case TUI_ACT_BACK:
        tui_app_message(app, "not %s: your changes are still pending",
                        qv->switching ? "switching" : "quitting");
        return TUI_POP;
    default:
        return TUI_REDRAW; /* answer the question first */
    }
}

static unsigned quit_handle(tui_view *v, tui_app *app, tui_action a)
{
    (void)v;
    (void)app;
    (void)a;
    return TUI_REDRAW;
}

static void quit_close(tui_view *v)
{
    free(v);
}

static const tui_view_ops quit_ops = {
    .name = "quit",
    .kind = TUI_VIEW_QUIT,
    .draw = quit_draw,
    .title = quit_title,
    .status = quit_status,
    .handle = quit_handle,
    .key = quit_key,
    .scopes = quit_scopes,
    .close = quit_close,
};

int tui_view_quit_new(tui_view **out, tui_app *app, int switching)
{
    quit_view *qv = tui_calloc(1, sizeof *qv);
    (void)app;
    *out = NULL;
    if (!qv)
        return ORM_ENOMEM;
    qv->base.ops = &quit_ops;
    qv->switching = switching;
    *out = &qv->base;
    return 0;
}
