/*
 * Rows as CSV, TSV or JSON text, for `orb URL export` and any other
 * command that writes rows for another program (cli.c's `rows --format`
 * can share these). Everything is appended to an orm_buf a row at a
 * time, so a caller streams rows and flushes the buffer as it goes.
 *
 *   csv   RFC 4180: header line, CRLF, fields quoted when they hold a
 *         comma, quote, CR or LF; NULL is an empty unquoted field and the
 *         empty string is "".
 *   tsv   header line, LF; tab, newline, CR and backslash escaped as
 *         \t \n \r \\; NULL is \N.
 *   json  an array of objects; NULL is null, integers, floats and
 *         booleans are JSON numbers and literals, Numeric (exact
 *         decimals), dates and text are strings, blobs "\\x0102...".
 * Secret columns are "***" unless `reveal`.
 */
#ifndef TUI_EXPORT_H
#define TUI_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"

typedef enum tui_export_format {
    TUI_EXPORT_CSV,
    TUI_EXPORT_TSV,
    TUI_EXPORT_JSON
} tui_export_format;

/* "csv", "tsv", "json" (any case); ORM_EINVALID for anything else. */
int tui_export_format_parse(tui_export_format *out, const char *name);

/* The header line (nothing for JSON). */
void tui_export_header(orm_buf *b, tui_export_format f, const orm_model *m);
/* One row: model->ncolumns values. `index` is the 0-based row number
 * (JSON puts the array's opening bracket before row 0). */
void tui_export_row(orm_buf *b, tui_export_format f, const orm_model *m,
                    const orm_value *row, int reveal, size_t index);
/* What follows the last row, given how many rows there were. */
void tui_export_end(orm_buf *b, tui_export_format f, size_t nrows);
/* Write `n` bytes of rows to `f`: byte for byte to a file or pipe; to a
 * terminal with control and bidi characters made visible
 * (tui_text_append_terminal), so that a value cannot drive the terminal
 * (ESC, BEL) or reorder what it shows (U+202E). Returns `n`, or 0 when
 * it could not write it all. */
size_t tui_export_write(FILE *f, const char *s, size_t n);

/* One value alone, as it appears inside a row. */
void tui_export_value(orm_buf *b, tui_export_format f, const orm_value *v,
                      const orm_column *col, int reveal);

#endif
