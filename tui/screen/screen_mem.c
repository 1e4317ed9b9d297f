/*
 * An in-memory terminal for tests: the grid is the screen, input comes
 * from a queue the test fills, and a resize is a call. Nothing here
 * touches a real terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "orm/error.h"
#include "screen.h"

typedef struct mem_screen {
    tui_screen base;
    tui_event *queue;
    size_t head, count, cap;
    int refreshes;
    char *clipboard; /* what the last clipboard() put there */
    size_t clipboard_len;
} mem_screen;

static int mem_refresh(tui_screen *scr)
{
    ((mem_screen *)scr)->refreshes++;
    return 0;
}

static int mem_read(tui_screen *scr, int timeout_ms, tui_event *out)
{
    mem_screen *m = (mem_screen *)scr;
    (void)timeout_ms;
    if (m->head == m->count) {
        m->head = m->count = 0;
        return 0;
    }
    *out = m->queue[m->head++];
    return 1;
}

static void mem_set_theme(tui_screen *scr, const tui_theme *theme)
{
    (void)scr;
    (void)theme;
}

static void mem_free(tui_screen *scr)
{
    mem_screen *m = (mem_screen *)scr;
    if (!m)
        return;
    tui_screen_release(scr);
    free(m->queue);
    free(m->clipboard);
    free(m);
}

/* The terminal's clipboard: kept for the test to read. */
static int mem_clipboard(tui_screen *scr, const char *text, size_t len)
{
    mem_screen *m = (mem_screen *)scr;
    char *copy = tui_malloc(len + 1);
    if (!copy)
        return ORM_ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    free(m->clipboard);
    m->clipboard = copy;
    m->clipboard_len = len;
    return 0;
}

static const tui_screen_ops mem_ops = {
    .refresh = mem_refresh,
    .read = mem_read,
    .set_theme = mem_set_theme,
    .free = mem_free,
    .clipboard = mem_clipboard,
};

int tui_screen_mem_new(tui_screen **out, int rows, int cols)
{
    mem_screen *m = tui_calloc(1, sizeof *m);
    *out = NULL;
    if (!m)
        return ORM_ENOMEM;
    m->base.ops = &mem_ops;
    if (tui_screen_resize(&m->base, rows, cols)) {
        free(m);
        return ORM_ENOMEM;
    }
    *out = &m->base;
    return 0;
}

int tui_screen_mem_push(tui_screen *scr, const tui_event *ev)
{
    mem_screen *m = (mem_screen *)scr;
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        tui_event *q = tui_realloc(m->queue, cap * sizeof *q);
        if (!q)
            return ORM_ENOMEM;
        m->queue = q;
        m->cap = cap;
    }
    m->queue[m->count++] = *ev;
    return 0;
}

int tui_screen_mem_set_size(tui_screen *scr, int rows, int cols)
{
    tui_event ev = {.key = TUI_KEY_RESIZE};
    int rc = tui_screen_resize(scr, rows, cols);
    return rc ? rc : tui_screen_mem_push(scr, &ev);
}

int tui_screen_mem_refreshes(const tui_screen *scr)
{
    return ((const mem_screen *)scr)->refreshes;
}

const char *tui_screen_mem_clipboard(const tui_screen *scr, size_t *len)
{
    const mem_screen *m = (const mem_screen *)scr;
    if (len)
        *len = m->clipboard_len;
    return m->clipboard;
}
