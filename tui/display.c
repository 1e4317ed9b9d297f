/*
 * Values as screen text, and what a column refers to.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"

int tui_column_right_aligned(const orm_column *col)
{
    switch (col->type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
    case ORM_FLOAT:
    case ORM_NUMERIC:
    case ORM_BOOLEAN:
        return 1;
    default:
        return 0;
    }
}

int tui_column_is_text(const orm_column *col)
{
    return col->type == ORM_STRING || col->type == ORM_TEXT;
}

void tui_value_show(orm_buf *out, tui_element *el, int *right,
                    const orm_column *col, const orm_value *v, int revealed)
{
    *right = 0;
    *el = TUI_EL_DEFAULT;
    if (!v || v->kind == ORM_VNULL) {
        orm_buf_append(out, "NULL");
        *el = TUI_EL_NULL_VALUE;
        return;
    }
    if (col && (col->flags & ORM_SECRET) && !revealed) {
        orm_buf_append(out, TUI_SECRET_MASK);
        *el = TUI_EL_SECRET;
        return;
    }
    if (v->kind == ORM_VBLOB) {
        orm_buf_appendf(out, "<%zu bytes>", v->u.s.len);
        *el = TUI_EL_TYPE;
        return;
    }
    if (v->kind == ORM_VTEXT &&
        (!col || orm_type_kind(col->type) == ORM_VTEXT)) {
        orm_buf_appendn(out, v->u.s.len ? v->u.s.ptr : "", v->u.s.len);
    } else {
        char *text = orm_value_format(v, col);
        orm_buf_append(out, text ? text : "?");
        free(text);
    }
    if (col && tui_column_right_aligned(col)) {
        *right = 1;
        *el = TUI_EL_NUMBER;
    }
}

size_t tui_column_reference(const orm_model *m, size_t col,
                            const char **ref_table, const char **columns,
                            const char **ref_columns, size_t max)
{
    const orm_column *c = &m->columns[col];
    if (max == 0)
        return 0;
    if (c->ref_table) {
        *ref_table = c->ref_table;
        columns[0] = c->name;
        ref_columns[0] = c->ref_column;
        return 1;
    }
    for (size_t i = 0; i < m->nforeign_keys; i++) {
        const orm_foreign_key *fk = &m->foreign_keys[i];
        int has = 0;
        for (size_t k = 0; k < fk->ncolumns; k++)
            has |= strcmp(fk->columns[k], c->name) == 0;
        if (!has || fk->ncolumns > max)
            continue;
        *ref_table = fk->ref_table;
        for (size_t k = 0; k < fk->ncolumns; k++) {
            columns[k] = fk->columns[k];
            ref_columns[k] = fk->ref_columns ? fk->ref_columns[k] : NULL;
        }
        return fk->ncolumns;
    }
    return 0;
}
