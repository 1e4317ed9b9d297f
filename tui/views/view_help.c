/*
 * The help screen: every action of actions.h with the keys bound to it
 * now (defaults or the user's) and its help text, grouped by scope under
 * a heading per screen ("Browsing", "Forms", "Filter builder"), since a
 * key means different things on different screens. Generated from the
 * same table as the keymap, so it lists exactly what the keys do. Any
 * problems the config and theme files had at start come first, in full
 * (the status line had room for one).
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "mem.h"
#include "views.h"

typedef struct help_view {
    tui_view base;
    int top;
    int page;
    int lines;   /* lines drawn below the heading, at the last draw */
    int open_at; /* the scope to show first (the keys of the screen help
                    was opened from), or -1; done at the first draw */
} help_view;

/* A line of the help: a scope's heading (action NONE), an action, or a
 * blank line between scopes (scope -1). */
typedef struct help_line {
    int scope;
    tui_action action;
} help_line;

#define HELP_LINES_MAX (TUI_ACTION_COUNT + 2 * TUI_SCOPE_COUNT)

/* The lines in order: scopes as in actions.h, each scope's actions in
 * table order. Returns how many. */
static int help_layout(help_line *lines)
{
    int n = 0;
    for (int s = 0; s < TUI_SCOPE_COUNT; s++) {
        int heading = 0;
        for (int a = 0; a < TUI_ACTION_COUNT; a++) {
            if (tui_action_scope((tui_action)a) != (tui_scope)s)
                continue;
            if (!heading) {
                if (n > 0)
                    lines[n++] = (help_line){-1, TUI_ACT_NONE};
                lines[n++] = (help_line){s, TUI_ACT_NONE};
                heading = 1;
            }
            lines[n++] = (help_line){s, (tui_action)a};
        }
    }
    return n;
}

/* Line `k` (from 0) of the problems text, at screen row `row`. */
static void put_problem(tui_screen *scr, int row, const char *text, int k)
{
    for (; k > 0 && text; k--) {
        text = strchr(text, '\n');
        if (text)
            text++;
    }
    if (!text)
        return;
    const char *nl = strchr(text, '\n');
    char *line = orm_strndup(text, nl ? (size_t)(nl - text) : strlen(text));
    if (line)
        tui_screen_put(scr, row, 0, line, -1, TUI_EL_ERROR);
    free(line);
}

static void help_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                      int height)
{
    help_view *hv = (help_view *)v;
    help_line lines[HELP_LINES_MAX];
    int nlines = help_layout(lines);
    int keys_w = 12, name_w = 14;
    hv->page = height - 1;
    for (int a = 0; a < TUI_ACTION_COUNT; a++) {
        orm_buf b = ORM_BUF_INIT;
        tui_keymap_describe(&app->keymap, (tui_action)a, &b);
        int w = tui_text_widthz(orm_buf_str(&b));
        if (w > keys_w)
            keys_w = w;
        orm_buf_free(&b);
        w = tui_text_widthz(tui_action_name((tui_action)a));
        if (w > name_w)
            name_w = w;
    }
    if (keys_w > scr->cols / 4)
        keys_w = scr->cols / 4;
    if (name_w > scr->cols / 4)
        name_w = scr->cols / 4;
    /* The problems at start: a heading, a line each, a blank line. */
    int nproblems = 0;
    for (const char *p = app->start_problems; p && *p; p++)
        nproblems += *p == '\n';
    int extra = nproblems ? nproblems + 2 : 0;
    hv->lines = extra + nlines;
    for (int i = 0; hv->open_at >= 0 && i < nlines; i++)
        if (lines[i].scope == hv->open_at && lines[i].action == TUI_ACT_NONE)
            hv->top = extra + i;
    hv->open_at = -1;
    int max_top = hv->lines - hv->page;
    if (hv->top > max_top)
        hv->top = max_top;
    if (hv->top < 0)
        hv->top = 0;
    tui_screen_fill(scr, top, 0, scr->cols, TUI_EL_HEADER);
    tui_screen_put(scr, top, 0, "Keys", keys_w, TUI_EL_HEADER);
    tui_screen_put(scr, top, keys_w + 1, "Action", name_w, TUI_EL_HEADER);
    tui_screen_put(scr, top, keys_w + name_w + 2, "What it does", -1,
                   TUI_EL_HEADER);
    for (int line = 0; line < hv->page; line++) {
        int i = hv->top + line;
        if (i < extra) {
            if (i == 0)
                tui_screen_put(scr, top + 1 + line, 0,
                               "Problems in the config and theme files", -1,
                               TUI_EL_TITLE);
            else if (i <= nproblems)
                put_problem(scr, top + 1 + line, app->start_problems, i - 1);
            continue;
        }
        i -= extra;
        if (i >= nlines)
            break;
        tui_action a = lines[i].action;
        if (lines[i].scope < 0)
            continue;
        if (a == TUI_ACT_NONE) {
            tui_screen_put(scr, top + 1 + line, 0,
                           tui_scope_title((tui_scope)lines[i].scope), -1,
                           TUI_EL_TITLE);
            continue;
        }
        orm_buf b = ORM_BUF_INIT, fitted = ORM_BUF_INIT;
        tui_keymap_describe(&app->keymap, a, &b);
        const char *keys = orm_buf_str(&b);
        if (!keys || !*keys)
            keys = "(unbound)";
        tui_text_fit(&fitted, keys, strlen(keys), keys_w);
        tui_screen_put(scr, top + 1 + line, 0, orm_buf_str(&fitted), keys_w,
                       TUI_EL_HELP_KEY);
        tui_screen_put(scr, top + 1 + line, keys_w + 1, tui_action_name(a),
                       name_w, TUI_EL_LABEL);
        tui_screen_put(scr, top + 1 + line, keys_w + name_w + 2,
                       tui_action_help(a), -1, TUI_EL_DEFAULT);
        orm_buf_free(&b);
        orm_buf_free(&fitted);
    }
}

static void help_title(tui_view *v, tui_app *app, orm_buf *out)
{
    (void)v;
    (void)app;
    orm_buf_append(out, "Help: keys");
}

static void help_status(tui_view *v, tui_app *app, orm_buf *out)
{
    (void)v;
    orm_buf_appendf(out, "%d actions \xE2\x94\x82 keys can be changed in ",
                    (int)TUI_ACTION_COUNT);
    orm_buf_append(out, app->config_dir ? app->config_dir : "~/.config/orb");
    orm_buf_append(out, "/config [keys] \xE2\x94\x82 q back");
}

static unsigned help_handle(tui_view *v, tui_app *app, tui_action a)
{
    help_view *hv = (help_view *)v;
    int page = hv->page > 1 ? hv->page : 1;
    (void)app;
    if (tui_scroll_move(&hv->top, hv->lines, page, a))
        return TUI_REDRAW;
    return a == TUI_ACT_HELP ? TUI_POP : TUI_UNHANDLED;
}

static void help_close(tui_view *v)
{
    free(v);
}

static const tui_view_ops help_ops = {
    .name = "help",
    .kind = TUI_VIEW_HELP,
    .draw = help_draw,
    .title = help_title,
    .status = help_status,
    .handle = help_handle,
    .close = help_close,
};

int tui_view_help_new(tui_view **out, tui_app *app)
{
    help_view *hv = tui_calloc(1, sizeof *hv);
    const tui_view *below = tui_app_top(app);
    *out = NULL;
    if (!hv)
        return ORM_ENOMEM;
    hv->base.ops = &help_ops;
    /* Opened from a screen with keys of its own (a form, a question, a
     * conflict): their heading first. Browsing screens start at the
     * top, where the browsing keys are. */
    tui_scope own =
        below && below->ops->scopes ? below->ops->scopes[0] : TUI_SCOPE_BROWSE;
    hv->open_at = own == TUI_SCOPE_BROWSE || own == TUI_SCOPE_ROWS ||
                          own == TUI_SCOPE_GLOBAL
                      ? -1
                      : (int)own;
    *out = &hv->base;
    return 0;
}
