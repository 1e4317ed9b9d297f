/*
 * How one value looks on screen, the same on the rows and record
 * screens: NULL as a dim "NULL" (never confused with the empty string),
 * secrets masked until revealed, blobs as "<N bytes>", numbers and
 * booleans right-aligned.
 */
#ifndef TUI_DISPLAY_H
#define TUI_DISPLAY_H

#include "orm/orm.h"
#include "orm/sys/buf.h"
#include "theme.h"

#define TUI_SECRET_MASK                                                        \
    "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"

/* Append the text of `v` to `out`; *el gets its element (TUI_EL_DEFAULT
 * for plain text) and *right whether it aligns right. */
void tui_value_show(orm_buf *out, tui_element *el, int *right,
                    const orm_column *col, const orm_value *v, int revealed);

/* Numbers and booleans align right. */
int tui_column_right_aligned(const orm_column *col);
/* Is the column searched by quick search (String, Text)? */
int tui_column_is_text(const orm_column *col);

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
