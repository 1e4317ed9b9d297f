/*
 * The messages screen: the last status messages (tui_app_recent), newest
 * first, each in full, wrapped to the screen's width, errors marked with
 * ✗. A long message wraps over the screen only until the next key; here
 * it can be read again and scrolled. Opened by the messages key on any
 * screen (app.c), which closes it again, as q and Esc do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "mem.h"
#include "views.h"

#define MARK_ERROR "\xE2\x9C\x97 " /* ✗ */
#define MARK_NONE  "  "
#define INDENT     2

typedef struct messages_view {
    tui_view base;
    int top;   /* first line shown */
    int page;  /* lines on the screen at the last draw */
    int lines; /* lines of all messages at the last draw */
} messages_view;

/* One message's lines, drawn from `row` when they are in view. */
typedef struct wrap_state {
    tui_screen *scr;
    int line;       /* the next line's number among all */
    int first, end; /* lines [first, end) are shown */
    int row;        /* the screen row of line `first` */
    tui_element el;
    const char *mark; /* before the message's first line, then NULL */
} wrap_state;

static int wrap_line(const char *text, size_t len, void *payload)
{
    wrap_state *w = payload;
    if (w->line >= w->first && w->line < w->end) {
        int row = w->row + w->line - w->first;
        if (w->mark)
            tui_screen_put(w->scr, row, 0, w->mark, INDENT, w->el);
        tui_screen_putn(w->scr, row, INDENT, text, len, -1, w->el);
    }
    w->mark = NULL;
    w->line++;
    return 0;
}

/* Message `i` as shown: its text and how often it came in a row.
 * 0 past the last. */
static int message_text(orm_buf *out, const tui_app *app, size_t i, int *error)
{
    unsigned repeats;
    const char *text = tui_app_recent(app, i, error, &repeats);
    if (!text)
        return 0;
    orm_buf_append(out, text);
    if (repeats > 1)
        orm_buf_appendf(out, " (\xC3\x97%u)", repeats); /* (×3) */
    return 1;
}

static void messages_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                          int height)
{
    messages_view *mv = (messages_view *)v;
    int width = scr->cols - INDENT > 1 ? scr->cols - INDENT : 1;
    wrap_state w = {.scr = scr, .row = top};
    mv->page = height > 1 ? height : 1;
    /* Count the lines first, to keep the last page full. */
    w.first = w.end = 0;
    for (size_t i = 0;; i++) {
        orm_buf b = ORM_BUF_INIT;
        int error;
        if (!message_text(&b, app, i, &error))
            break;
        const char *s = orm_buf_str(&b);
        tui_text_wrap(s ? s : "", s ? b.len : 0, width, wrap_line, &w);
        orm_buf_free(&b);
    }
    mv->lines = w.line;
    if (mv->top > mv->lines - mv->page)
        mv->top = mv->lines - mv->page;
    if (mv->top < 0)
        mv->top = 0;
    if (mv->lines == 0) {
        tui_screen_put(scr, top, INDENT, "(no messages yet)", -1,
                       TUI_EL_NULL_VALUE);
        return;
    }
    w.line = 0;
    w.first = mv->top;
    w.end = mv->top + mv->page;
    for (size_t i = 0; w.line < w.end; i++) {
        int error;
        orm_buf b = ORM_BUF_INIT;
        if (!message_text(&b, app, i, &error))
            break;
        w.el = error ? TUI_EL_ERROR : TUI_EL_DEFAULT;
        w.mark = error ? MARK_ERROR : MARK_NONE;
        const char *s = orm_buf_str(&b);
        tui_text_wrap(s ? s : "", s ? b.len : 0, width, wrap_line, &w);
        orm_buf_free(&b);
    }
}

static void messages_title(tui_view *v, tui_app *app, orm_buf *out)
{
    (void)v;
    (void)app;
    orm_buf_append(out, "Messages, newest first");
}

static void messages_status(tui_view *v, tui_app *app, orm_buf *out)
{
    size_t n = 0;
    (void)v;
    while (tui_app_recent(app, n, NULL, NULL))
        n++;
    orm_buf_appendf(out, "%zu message%s (the last %d are kept) \xE2\x94\x82 ",
                    n, n == 1 ? "" : "s", TUI_MESSAGES_KEPT);
    tui_keymap_describe(&app->keymap, TUI_ACT_BACK, out);
    orm_buf_append(out, " back");
}

static unsigned messages_handle(tui_view *v, tui_app *app, tui_action a)
{
    messages_view *mv = (messages_view *)v;
    int page = mv->page > 1 ? mv->page : 1;
    (void)app;
    if (tui_scroll_move(&mv->top, mv->lines, page, a))
        return TUI_REDRAW;
    return a == TUI_ACT_CANCEL ? TUI_POP : TUI_UNHANDLED;
}

static void messages_close(tui_view *v)
{
    free(v);
}

static const tui_view_ops messages_ops = {
    .name = "messages",
    .kind = TUI_VIEW_MESSAGES,
    .draw = messages_draw,
    .title = messages_title,
    .status = messages_status,
    .handle = messages_handle,
    .close = messages_close,
};

int tui_view_messages_new(tui_view **out, tui_app *app)
{
    messages_view *mv = tui_calloc(1, sizeof *mv);
    (void)app;
    *out = NULL;
    if (!mv)
        return ORM_ENOMEM;
    mv->base.ops = &messages_ops;
    *out = &mv->base;
    return 0;
}
