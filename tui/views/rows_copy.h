/*
 * What y and Y put on the clipboard (clipboard.h) from the rows screen.
 *
 * A cell is its value's own text, untouched: non-ASCII, tabs and
 * newlines inside it arrive as they are (NULL is refused, so that it
 * cannot be confused with the empty text). Rows are TSV as `orb export
 * --format tsv` writes it (export.h): a header line of the column names,
 * one line per row, LF-terminated, fields separated by a tab; inside a
 * field a tab, newline, CR and backslash are written \t \n \r \\, and
 * NULL is \N (PostgreSQL's COPY text format; spreadsheets paste one row
 * per line). Only the columns shown on the screen, in its order. A
 * secret column is *** unless revealed (R).
 */
#ifndef TUI_ROWS_COPY_H
#define TUI_ROWS_COPY_H

#include <stddef.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"

/* The columns copied: model column indexes in screen order, and which
 * secret columns are revealed (m->ncolumns flags). */
typedef struct tui_copy_columns {
    const orm_model *m;
    const size_t *cols;
    size_t n;
    const unsigned char *revealed;
} tui_copy_columns;

/* A cell's text, appended to `out`. ORM_EINVALID for NULL. */
int tui_copy_cell(orm_buf *out, const orm_column *col, const orm_value *v);
/* The TSV header line. */
void tui_copy_header(orm_buf *out, const tui_copy_columns *c);
/* One TSV line of `row` (m->ncolumns values). */
void tui_copy_row(orm_buf *out, const tui_copy_columns *c,
                  const orm_value *row);

#endif
