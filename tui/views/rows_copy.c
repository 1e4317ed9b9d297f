/*
 * The text y and Y copy (rows_copy.h), written with the export's TSV
 * rules so that a copied row and an exported one read alike.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "rows_copy.h"

int tui_copy_cell(orm_buf *out, const orm_column *col, const orm_value *v)
{
    char *text;
    if (v->kind == ORM_VNULL)
        return ORM_EINVALID;
    if (v->kind == ORM_VTEXT) {
        orm_buf_appendn(out, v->u.s.len ? v->u.s.ptr : "", v->u.s.len);
        return out->failed ? ORM_ENOMEM : 0;
    }
    if (!(text = orm_value_format(v, col)))
        return ORM_ENOMEM;
    orm_buf_append(out, text);
    free(text);
    return out->failed ? ORM_ENOMEM : 0;
}

void tui_copy_header(orm_buf *out, const tui_copy_columns *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const char *name = c->m->columns[c->cols[i]].name;
        orm_value v = orm_value_text(name);
        if (i)
            orm_buf_appendc(out, '\t');
        tui_export_value(out, TUI_EXPORT_TSV, &v, NULL, 0);
    }
    orm_buf_appendc(out, '\n');
}

void tui_copy_row(orm_buf *out, const tui_copy_columns *c, const orm_value *row)
{
    for (size_t i = 0; i < c->n; i++) {
        size_t col = c->cols[i];
        if (i)
            orm_buf_appendc(out, '\t');
        tui_export_value(out, TUI_EXPORT_TSV, &row[col], &c->m->columns[col],
                         c->revealed[col]);
    }
    orm_buf_appendc(out, '\n');
}
