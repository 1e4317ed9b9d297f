/*
 * The command line (cli.c): values as text for people (control
 * characters escaped, secrets hidden, widths in terminal cells) and the
 * table format, whose columns are sized from the first CLI_WIDTH_ROWS
 * rows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "cli.h"
#include "display.h"
#include "mem.h"
#include "text.h"

/* ---- text for people: escapes, display width, truncation ---- */

/* Append `s` with control and bidi characters escaped and invalid UTF-8
 * replaced, so that one value stays on one line of a terminal. */
void cli_append_visible(orm_buf *b, const char *s, size_t n)
{
    tui_text_append_terminal(b, s, n, 0);
}

/* Append `s` cut to `width` cells (ending in "…" when cut), padded to
 * exactly `width` unless `last`; right-aligned when `right`. Widths are
 * the terminal UI's (text.c). */
static void append_cell(orm_buf *b, const char *s, size_t width, int right,
                        int last)
{
    size_t len = strlen(s);
    size_t w = (size_t)tui_text_width(s, len);
    if (w > width) {
        size_t used = (size_t)tui_text_fit(b, s, len, (int)width);
        for (; used < width && !last; used++)
            orm_buf_appendc(b, ' ');
        return;
    }
    if (right)
        for (size_t i = w; i < width; i++)
            orm_buf_appendc(b, ' ');
    orm_buf_append(b, s);
    if (!right && !last)
        for (size_t i = w; i < width; i++)
            orm_buf_appendc(b, ' ');
}

int cli_is_secret_hidden(const cli *c, const orm_column *col)
{
    return (col->flags & ORM_SECRET) && !c->a.reveal;
}

/* A value as one line of text for a table or `get`: NULL, ***, or the
 * value with control characters escaped; a text that would read as NULL
 * in double quotes, as the browser shows it. Owned; NULL on no memory. */
char *cli_cell_text(const cli *c, const orm_value *v, const orm_column *col)
{
    if (cli_is_secret_hidden(c, col))
        return orm_strdup("***");
    if (v->kind == ORM_VNULL)
        return orm_strdup("NULL");
    char *raw = orm_value_format(v, col);
    if (!raw)
        return NULL;
    orm_buf b = ORM_BUF_INIT, quoted = ORM_BUF_INIT;
    size_t len = strlen(raw);
    if (v->kind == ORM_VTEXT && tui_column_is_text(col) &&
        tui_text_needs_quotes(raw, len)) {
        tui_text_append_quoted(&quoted, raw, len);
        cli_append_visible(&b, orm_buf_str(&quoted), quoted.len);
    } else {
        cli_append_visible(&b, raw, len);
    }
    orm_buf_free(&quoted);
    free(raw);
    return orm_buf_finish(&b);
}

int cli_is_numeric_type(orm_type t)
{
    return t == ORM_INTEGER || t == ORM_BIGINT || t == ORM_SMALLINT ||
           t == ORM_FLOAT || t == ORM_NUMERIC;
}

/* ---- a table of text cells ---- */

int cli_grid_init(grid *g, size_t ncols)
{
    memset(g, 0, sizeof *g);
    g->ncols = ncols;
    g->widths = tui_calloc(ncols ? ncols : 1, sizeof *g->widths);
    g->right = tui_calloc(ncols ? ncols : 1, 1);
    return g->widths && g->right ? 0 : ORM_ENOMEM;
}

void cli_grid_clear_rows(grid *g)
{
    for (size_t i = 0; i < g->nrows * g->ncols; i++)
        free(g->cells[i]);
    g->nrows = 0;
}

void cli_grid_free(grid *g)
{
    if (g->cells)
        cli_grid_clear_rows(g);
    free(g->cells);
    free(g->widths);
    free(g->right);
}

/* Add a row; takes ownership of the strings (NULL marks no memory). */
void cli_grid_add(grid *g, char **row)
{
    if (g->nrows == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 32;
        char **cells = tui_realloc(g->cells, cap * g->ncols * sizeof *cells);
        if (!cells) {
            for (size_t i = 0; i < g->ncols; i++)
                free(row[i]);
            g->failed = 1;
            return;
        }
        g->cells = cells;
        g->cap = cap;
    }
    for (size_t i = 0; i < g->ncols; i++) {
        char *cell = row[i];
        if (!cell) {
            g->failed = 1;
            cell = orm_strdup("");
        }
        g->cells[g->nrows * g->ncols + i] = cell;
        size_t w = cell && !g->frozen ? (size_t)tui_text_widthz(cell) : 0;
        if (w > CLI_MAX_WIDTH)
            w = CLI_MAX_WIDTH;
        if (w > g->widths[i])
            g->widths[i] = w;
    }
    g->nrows++;
}

static void grid_print_row(const grid *g, FILE *out, char *const *row)
{
    orm_buf line = ORM_BUF_INIT;
    for (size_t i = 0; i < g->ncols; i++) {
        if (i)
            orm_buf_append(&line, "  ");
        append_cell(&line, row[i] ? row[i] : "", g->widths[i], g->right[i],
                    i + 1 == g->ncols);
    }
    /* Right-aligned last columns are padded; trailing blanks never help. */
    while (line.len && line.data[line.len - 1] == ' ')
        line.data[--line.len] = '\0';
    fprintf(out, "%s\n", orm_buf_str(&line) ? orm_buf_str(&line) : "");
    orm_buf_free(&line);
}

/* Rows 1.. are data; row 0 is the header, underlined. */
void cli_grid_print(grid *g, FILE *out, int header)
{
    for (size_t r = 0; r < g->nrows; r++) {
        grid_print_row(g, out, &g->cells[r * g->ncols]);
        if (r == 0 && header) {
            orm_buf line = ORM_BUF_INIT;
            for (size_t i = 0; i < g->ncols; i++) {
                if (i)
                    orm_buf_append(&line, "  ");
                for (size_t w = 0; w < g->widths[i]; w++)
                    orm_buf_appendc(&line, '-');
            }
            fprintf(out, "%s\n", orm_buf_str(&line) ? orm_buf_str(&line) : "");
            orm_buf_free(&line);
        }
    }
}

char *cli_text_of_int(int64_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)i);
    return orm_strdup(buf);
}
