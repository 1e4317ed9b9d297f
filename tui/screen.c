/*
 * The grid of cells shared by every screen backend: drawing text by
 * grapheme with wide characters taking two cells, and reading it back
 * as text (for tests and the in-memory screen).
 */
#include <stdlib.h>
#include <string.h>

#include "orm/error.h"
#include "screen.h"

int tui_screen_resize(tui_screen *scr, int rows, int cols)
{
    tui_cell *cells;
    if (rows < 1)
        rows = 1;
    if (cols < 1)
        cols = 1;
    cells = calloc((size_t)rows * (size_t)cols, sizeof *cells);
    if (!cells)
        return ORM_ENOMEM;
    free(scr->cells);
    scr->cells = cells;
    scr->rows = rows;
    scr->cols = cols;
    tui_screen_clear(scr);
    return 0;
}

void tui_screen_release(tui_screen *scr)
{
    if (!scr)
        return;
    free(scr->cells);
    scr->cells = NULL;
}

void tui_screen_clear(tui_screen *scr)
{
    for (int r = 0; r < scr->rows; r++)
        tui_screen_fill(scr, r, 0, scr->cols, TUI_EL_DEFAULT);
}

static tui_cell *cell_at(tui_screen *scr, int row, int col)
{
    if (!scr->cells || row < 0 || col < 0 || row >= scr->rows ||
        col >= scr->cols)
        return NULL;
    return &scr->cells[(size_t)row * (size_t)scr->cols + (size_t)col];
}

const tui_cell *tui_screen_cell(const tui_screen *scr, int row, int col)
{
    if (!scr->cells || row < 0 || col < 0 || row >= scr->rows ||
        col >= scr->cols)
        return NULL;
    return &scr->cells[(size_t)row * (size_t)scr->cols + (size_t)col];
}

/* Overwriting half of a wide cell leaves the other half a space. */
static void break_wide(tui_screen *scr, int row, int col)
{
    tui_cell *c = cell_at(scr, row, col);
    if (!c)
        return;
    if (c->width == 0 && col > 0) {
        tui_cell *left = cell_at(scr, row, col - 1);
        if (left && left->width == 2) {
            memcpy(left->text, " ", 2);
            left->width = 1;
        }
    } else if (c->width == 2) {
        tui_cell *right = cell_at(scr, row, col + 1);
        if (right) {
            memcpy(right->text, " ", 2);
            right->width = 1;
        }
    }
}

static void set_cell(tui_screen *scr, int row, int col, const char *g,
                     int width, tui_element el)
{
    tui_cell *c = cell_at(scr, row, col);
    size_t n = strlen(g);
    if (!c)
        return;
    break_wide(scr, row, col);
    if (width == 2)
        break_wide(scr, row, col + 1);
    if (n >= sizeof c->text)
        n = sizeof c->text - 1;
    memcpy(c->text, g, n);
    c->text[n] = '\0';
    c->width = (unsigned char)width;
    c->element = (unsigned char)el;
    if (width == 2) {
        tui_cell *right = cell_at(scr, row, col + 1);
        if (right) {
            right->text[0] = '\0';
            right->width = 0;
            right->element = (unsigned char)el;
        }
    }
}

int tui_screen_putn(tui_screen *scr, int row, int col, const char *text,
                    size_t len, int max_width, tui_element el)
{
    char g[TUI_GRAPHEME_MAX];
    int used = 0, w;
    size_t at = 0;
    if (row < 0 || row >= scr->rows || col >= scr->cols || !text)
        return 0;
    if (max_width < 0 || col + max_width > scr->cols)
        max_width = scr->cols - col;
    while (at < len && used < max_width) {
        at += tui_text_next(g, &w, text + at, len - at);
        if (w == 0)
            continue;
        if (used + w > max_width) {
            set_cell(scr, row, col + used, " ", 1, el);
            used++;
            break;
        }
        if (col + used >= 0)
            set_cell(scr, row, col + used, g, w, el);
        used += w;
    }
    return used;
}

int tui_screen_put(tui_screen *scr, int row, int col, const char *text,
                   int max_width, tui_element el)
{
    return text ? tui_screen_putn(scr, row, col, text, strlen(text), max_width,
                                  el)
                : 0;
}

void tui_screen_fill(tui_screen *scr, int row, int col, int width,
                     tui_element el)
{
    for (int i = 0; i < width; i++)
        set_cell(scr, row, col + i, " ", 1, el);
}

void tui_screen_paint(tui_screen *scr, int row, int col, int width,
                      tui_element el)
{
    for (int i = 0; i < width; i++) {
        tui_cell *c = cell_at(scr, row, col + i);
        if (c)
            c->element = (unsigned char)el;
    }
}

static void append_line(orm_buf *b, const tui_screen *scr, int row)
{
    size_t mark = b->len;
    size_t keep = b->len;
    for (int c = 0; c < scr->cols; c++) {
        const tui_cell *cell = tui_screen_cell(scr, row, c);
        if (cell->width == 0)
            continue;
        orm_buf_append(b, cell->text);
        if (strcmp(cell->text, " ") != 0)
            keep = b->len;
    }
    /* Drop trailing spaces. */
    if (!b->failed && b->len > keep && b->len > mark) {
        b->len = keep;
        b->data[b->len] = '\0';
    }
}

char *tui_screen_line(const tui_screen *scr, int row)
{
    orm_buf b = ORM_BUF_INIT;
    if (row >= 0 && row < scr->rows)
        append_line(&b, scr, row);
    orm_buf_append(&b, "");
    if (!b.data)
        return orm_strdup("");
    return orm_buf_finish(&b);
}

int tui_screen_find(const tui_screen *scr, const char *text)
{
    for (int r = 0; r < scr->rows; r++) {
        char *line = tui_screen_line(scr, r);
        int found = line && strstr(line, text) != NULL;
        free(line);
        if (found)
            return r;
    }
    return -1;
}

char *tui_screen_text(const tui_screen *scr)
{
    orm_buf b = ORM_BUF_INIT;
    for (int r = 0; r < scr->rows; r++) {
        append_line(&b, scr, r);
        orm_buf_appendc(&b, '\n');
    }
    return orm_buf_finish(&b);
}
