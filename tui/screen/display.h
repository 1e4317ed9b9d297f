/*
 * How one value looks on screen, the same on the rows and record
 * screens and in the command line's tables: NULL as a dim "NULL" or the
 * config's glyph (never confused with the empty string), a String or Text
 * value that reads like NULL in double quotes ("NULL" in any case, and
 * any text starting with a double quote, inner quotes doubled), dates in
 * the config's date format, secrets masked until revealed, blobs as
 * "<N bytes>", numbers and booleans right-aligned.
 */
#ifndef TUI_DISPLAY_H
#define TUI_DISPLAY_H

#include <time.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"
#include "theme.h"

#define TUI_SECRET_MASK                                                        \
    "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"

/* The config's [ui] choices of how values look (strings borrowed). */
typedef struct tui_display {
    const char *null_text;   /* NULL's text; NULL: "NULL" */
    const char *date_format; /* strftime format of a date (DATE, and the
                                date of DATETIME[TZ]); NULL: 2024-01-31 */
} tui_display;

/* strftime with the user's format (the config's date_format) into `out`
 * (a scratch buffer when NULL); the length written, 0 when nothing fits
 * or the format gives nothing. */
#define TUI_DATE_MAX 128
size_t tui_date_format(char *out, size_t size, const char *format,
                       const struct tm *tm);

/* Append the text of `v` to `out`; *el gets its element (TUI_EL_DEFAULT
 * for plain text) and *right whether it aligns right. `disp` may be NULL
 * (the defaults). */
void tui_value_show(orm_buf *out, tui_element *el, int *right,
                    const orm_column *col, const orm_value *v, int revealed,
                    const tui_display *disp);

/* Is this text shown in quotes, to tell it from NULL? ("NULL" in any
 * case, or text that starts with a double quote.) */
int tui_text_needs_quotes(const char *s, size_t len);
/* Append `s` in double quotes, inner double quotes doubled. */
void tui_text_append_quoted(orm_buf *out, const char *s, size_t len);

/* Numbers and booleans align right. */
int tui_column_right_aligned(const orm_column *col);
/* Is the column searched by quick search (String, Text)? */
int tui_column_is_text(const orm_column *col);
/* The length of `v`'s text without the blanks a fixed-width CHAR(n)
 * column pads it with (PostgreSQL `character(20)`): labels and reprs
 * leave them out, as they are not part of the value the user wrote. */
size_t tui_text_unpadded_len(const orm_column *col, const char *s, size_t len);

/*
 * The foreign key a column belongs to: a single-column reference
 * (column->ref_table) or a multi-column one listing it. Fills the
 * columns and referenced columns (borrowed; a NULL referenced column
 * means the referenced model's primary key) and returns their count,
 * 0 when the column refers to nothing.
 */
size_t tui_column_reference(const orm_model *m, size_t col,
                            const char **ref_table, const char **columns,
                            const char **ref_columns, size_t max);

#endif
