/*
 * Foreign-key labels for the rows screen (fk_labels.h): per column a
 * small table of value -> label, filled by one IN query for the values
 * of a screen.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "fk_labels.h"
#include "mem.h"

typedef struct label_entry {
    orm_value key;
    char *label; /* NULL: no such row, or no label */
} label_entry;

typedef struct fk_column {
    size_t col;           /* this model's column */
    const orm_model *ref; /* the referenced model */
    int ref_col;          /* its referenced column */
    int label_col;        /* its label column, -1: the repr */
    label_entry *entries;
    size_t n;
} fk_column;

struct tui_fk_labels {
    fk_column *cols;
    size_t n;
};

/* The first text column that is no key and no secret, or -1. */
static int label_column(const orm_model *m)
{
    for (size_t c = 0; c < m->ncolumns; c++) {
        const orm_column *col = &m->columns[c];
        if (tui_column_is_text(col) && !(col->flags & (ORM_PK | ORM_SECRET)))
            return (int)c;
    }
    return -1;
}

int tui_fk_labels_new(tui_fk_labels **out, orm_db *db, const orm_model *m)
{
    tui_fk_labels *l = tui_calloc(1, sizeof *l);
    *out = NULL;
    if (!l || !(l->cols = tui_calloc(m->ncolumns + 1, sizeof *l->cols))) {
        free(l);
        return ORM_ENOMEM;
    }
    for (size_t c = 0; c < m->ncolumns; c++) {
        const char *table = NULL, *cols[2], *refs[2];
        if (tui_column_reference(m, c, &table, cols, refs, 2) != 1)
            continue; /* none, or a key over several columns */
        const orm_model *ref = NULL;
        if (orm_db_lookup_table(db, table, &ref) != 0)
            continue; /* no such table: no labels */
        int pk[2];
        int ref_col = refs[0] ? orm_model_column_index(ref, refs[0])
                      : orm_model_pk(ref, pk, 2) == 1 ? pk[0]
                                                      : -1;
        int label = ref->repr ? -1 : label_column(ref);
        if (ref_col < 0 || (!ref->repr && label < 0))
            continue;
        fk_column *fc = &l->cols[l->n++];
        fc->col = c;
        fc->ref = ref;
        fc->ref_col = ref_col;
        fc->label_col = label;
    }
    *out = l;
    return 0;
}

static void entries_clear(fk_column *fc)
{
    for (size_t i = 0; i < fc->n; i++) {
        orm_value_clear(&fc->entries[i].key);
        free(fc->entries[i].label);
    }
    free(fc->entries);
    fc->entries = NULL;
    fc->n = 0;
}

void tui_fk_labels_free(tui_fk_labels *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        entries_clear(&l->cols[i]);
    free(l->cols);
    free(l);
}

static const fk_column *column_of(const tui_fk_labels *l, size_t col)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (l->cols[i].col == col)
            return &l->cols[i];
    return NULL;
}

int tui_fk_labels_has(const tui_fk_labels *l, size_t col)
{
    return column_of(l, col) != NULL;
}

static const label_entry *entry_of(const fk_column *fc, const orm_value *v)
{
    for (size_t i = 0; i < fc->n; i++)
        if (orm_value_equal(&fc->entries[i].key, v))
            return &fc->entries[i];
    return NULL;
}

const char *tui_fk_labels_get(const tui_fk_labels *l, size_t col,
                              const orm_value *v)
{
    const fk_column *fc = column_of(l, col);
    const label_entry *e = fc && v->kind != ORM_VNULL ? entry_of(fc, v) : NULL;
    return e ? e->label : NULL;
}

int tui_fk_labels_missing(const tui_fk_labels *l, const orm_value *const *rows,
                          size_t n)
{
    for (size_t i = 0; l && i < l->n; i++)
        for (size_t r = 0; r < n; r++) {
            const orm_value *v = &rows[r][l->cols[i].col];
            if (v->kind != ORM_VNULL && !entry_of(&l->cols[i], v))
                return 1;
        }
    return 0;
}

/* The values of these rows in column fc->col not looked up yet, each
 * once, as entries (label NULL) appended to fc; returns how many. */
static int add_wanted(fk_column *fc, const orm_value *const *rows, size_t n,
                      size_t *added)
{
    *added = 0;
    if (fc->n + n > TUI_FK_LABELS_KEEP)
        entries_clear(fc); /* a screen's worth at a time, never more */
    label_entry *grown =
        tui_realloc(fc->entries, (fc->n + n + 1) * sizeof *grown);
    if (!grown)
        return ORM_ENOMEM;
    fc->entries = grown;
    for (size_t r = 0; r < n; r++) {
        const orm_value *v = &rows[r][fc->col];
        if (v->kind == ORM_VNULL || entry_of(fc, v))
            continue;
        label_entry *e = &fc->entries[fc->n];
        e->label = NULL;
        if (orm_value_copy(&e->key, v))
            return ORM_ENOMEM;
        fc->n++;
        (*added)++;
    }
    return 0;
}

/* The label of a referenced row as the screen shows it. */
static char *make_label(const fk_column *fc, const orm_value *row)
{
    orm_buf b = ORM_BUF_INIT;
    if (fc->label_col < 0) {
        tui_edit_repr(&b, fc->ref, row);
    } else {
        const orm_column *col = &fc->ref->columns[fc->label_col];
        orm_value shown = row[fc->label_col]; /* shallow: not cleared */
        tui_element el;
        int right;
        if (shown.kind == ORM_VTEXT)
            shown.u.s.len =
                tui_text_unpadded_len(col, shown.u.s.ptr, shown.u.s.len);
        tui_value_show(&b, &el, &right, col, &shown, 0, NULL);
    }
    return orm_buf_finish(&b);
}

static int load_column(fk_column *fc, orm_session *s,
                       const orm_value *const *rows, size_t n)
{
    size_t first = fc->n, added = 0;
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    orm_expr **values = NULL;
    int rc = add_wanted(fc, rows, n, &added);
    if (rc || added == 0)
        return rc;
    first = fc->n - added;
    values = tui_calloc(added, sizeof *values);
    if (!values)
        return ORM_ENOMEM;
    for (size_t i = 0; i < added; i++)
        values[i] = orm_val(&fc->entries[first + i].key);
    rc = orm_query_new(&q, s, fc->ref);
    if (rc == 0)
        rc = orm_query_filter(
            q,
            orm_in(orm_col(fc->ref->columns[fc->ref_col].name), values, added));
    else
        for (size_t i = 0; i < added; i++)
            orm_expr_free(values[i]);
    free(values);
    if (rc == 0)
        rc = orm_query_cursor(q, &c);
    const orm_value *row;
    while (rc == 0 && (rc = orm_cursor_next(c, &row)) == ORM_ROW) {
        rc = 0;
        for (size_t i = first; i < fc->n; i++) {
            label_entry *e = &fc->entries[i];
            if (e->label || !orm_value_equal(&e->key, &row[fc->ref_col]))
                continue;
            if (!(e->label = make_label(fc, row)))
                rc = ORM_ENOMEM;
            break;
        }
    }
    if (rc == ORM_DONE)
        rc = 0;
    orm_cursor_free(c);
    orm_query_free(q);
    if (rc) { /* looked up again next time */
        for (size_t i = first; i < fc->n; i++) {
            orm_value_clear(&fc->entries[i].key);
            free(fc->entries[i].label);
        }
        fc->n = first;
    }
    return rc;
}

int tui_fk_labels_load(tui_fk_labels *l, orm_session *s,
                       const orm_value *const *rows, size_t n)
{
    for (size_t i = 0; l && i < l->n; i++) {
        int rc = load_column(&l->cols[i], s, rows, n);
        if (rc)
            return rc;
    }
    return 0;
}
