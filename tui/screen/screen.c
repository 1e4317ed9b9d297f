/*
 * The grid of cells shared by every screen backend: drawing text by
 * grapheme with wide characters taking two cells, and reading it back
 * as text (for tests and the in-memory screen).
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "orm/error.h"
#include "screen.h"

int tui_screen_resize(tui_screen *scr, int rows, int cols)
{
    tui_cell *cells;
    if (rows < 1)
        rows = 1;
    if (cols < 1)
        cols = 1;
    cells = tui_calloc((size_t)rows * (size_t)cols, sizeof *cells);
    if (!cells)
        return ORM_ENOMEM;
    free(scr->cells);
    scr->cells = cells;
    scr->rows = rows;
    scr->cols = cols;
    tui_screen_clear(scr);
    return 0;
}

int tui_key_from_sequence(const char *seq, size_t n)
{
    static const int letters[][2] = {
        {'A', TUI_KEY_UP},     {'B', TUI_KEY_DOWN},  {'C', TUI_KEY_RIGHT},
        {'D', TUI_KEY_LEFT},   {'H', TUI_KEY_HOME},  {'F', TUI_KEY_END},
        {'Z', TUI_KEY_BTAB},   {'P', TUI_KEY_F1},    {'Q', TUI_KEY_F1 + 1},
        {'R', TUI_KEY_F1 + 2}, {'S', TUI_KEY_F1 + 3}};
    /* "[n~" (vt220): n as these keys; modifiers after ';' are dropped. */
    static const int tilde[][2] = {
        {1, TUI_KEY_HOME},     {2, TUI_KEY_INSERT},  {3, TUI_KEY_DELETE},
        {4, TUI_KEY_END},      {5, TUI_KEY_PGUP},    {6, TUI_KEY_PGDN},
        {7, TUI_KEY_HOME},     {8, TUI_KEY_END},     {11, TUI_KEY_F1},
        {12, TUI_KEY_F1 + 1},  {13, TUI_KEY_F1 + 2}, {14, TUI_KEY_F1 + 3},
        {15, TUI_KEY_F1 + 4},  {17, TUI_KEY_F1 + 5}, {18, TUI_KEY_F1 + 6},
        {19, TUI_KEY_F1 + 7},  {20, TUI_KEY_F1 + 8}, {21, TUI_KEY_F1 + 9},
        {23, TUI_KEY_F1 + 10}, {24, TUI_KEY_F1 + 11}};
    if (n < 2 || (seq[0] != '[' && seq[0] != 'O'))
        return TUI_KEY_NONE;
    char final = seq[n - 1];
    /* Between the introducer and the final byte: digits and ';' only. */
    for (size_t i = 1; i + 1 < n; i++)
        if (!((seq[i] >= '0' && seq[i] <= '9') || seq[i] == ';'))
            return TUI_KEY_NONE;
    if (final == '~' && seq[0] == '[') {
        int number = 0;
        for (size_t i = 1; i + 1 < n && seq[i] != ';' && number < 100; i++)
            number = number * 10 + (seq[i] - '0');
        for (size_t i = 0; i < sizeof tilde / sizeof tilde[0]; i++)
            if (tilde[i][0] == number)
                return tilde[i][1];
        return TUI_KEY_NONE;
    }
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (letters[i][0] == final)
            return letters[i][1];
    return TUI_KEY_NONE;
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
