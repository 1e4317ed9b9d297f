/*
 * The filter builder (view_builder.c): picking the rows a foreign key
 * refers to. A foreign key column with =, != or "in list" takes its
 * values from the row picker (views.h) instead of typed keys; a key of
 * several columns becomes an and-group of its columns (an or-group of
 * those for a list, a negated one for !=).
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "view_builder.h"

/* ---- picking the rows a key refers to ---- */

/* The foreign key column `col` belongs to, when its rows can be picked:
 * the referenced model is known and has every referenced column. */
int builder_fk_resolve(const builder_view *bv, tui_app *app, size_t col,
                       fk_pick *out)
{
    const char *table = NULL, *refs[TUI_PICKER_MAX_KEY];
    int pk[TUI_PICKER_MAX_KEY];
    size_t npk = 0;
    size_t n = tui_column_reference(bv->m, col, &table, out->cols, refs,
                                    TUI_PICKER_MAX_KEY);
    if (n == 0 || !(out->target = tui_edit_find_model(app, table)))
        return 0;
    for (size_t k = 0; k < n; k++) {
        int at;
        if (refs[k]) {
            at = orm_model_column_index(out->target, refs[k]);
        } else {
            /* The referenced primary key, column for column. */
            if (k == 0)
                npk = orm_model_pk(out->target, pk, TUI_PICKER_MAX_KEY);
            if (npk != n)
                return 0;
            at = pk[k];
        }
        if (at < 0 || orm_model_column_index(bv->m, out->cols[k]) < 0)
            return 0;
        out->refs[k] = (size_t)at;
    }
    out->n = n;
    return 1;
}

/* An and-group of `key column = value`, one per column of the key. */
static tui_fnode *key_group(builder_view *bv, const orm_value *keys)
{
    tui_fnode *g = tui_fnode_new_group(ORM_OP_AND);
    for (size_t k = 0; g && k < bv->fk.n; k++) {
        tui_fnode *c =
            tui_fnode_new_condition(bv->fk.cols[k], TUI_FOP_EQ, &keys[k], 1, 0);
        if (!c || tui_ftree_insert(bv->tree, g, c) != 0) {
            tui_fnode_free(g);
            return NULL;
        }
    }
    return g;
}

/* The node for rows picked on a key of several columns. */
static tui_fnode *composite_node(builder_view *bv, const orm_value *keys,
                                 size_t nrows)
{
    tui_fnode *any;
    if (bv->op != TUI_FOP_IN || nrows == 1) {
        tui_fnode *g = key_group(bv, keys);
        if (g)
            g->negated = bv->op == TUI_FOP_NE;
        return g;
    }
    if (!(any = tui_fnode_new_group(ORM_OP_OR)))
        return NULL;
    for (size_t r = 0; r < nrows; r++) {
        tui_fnode *g = key_group(bv, &keys[r * bv->fk.n]);
        if (!g || tui_ftree_insert(bv->tree, any, g) != 0) {
            tui_fnode_free(any);
            return NULL;
        }
    }
    return any;
}

/* Is `g` a group the picker made for the key (not the root)? */
static int is_key_group(const tui_fnode *g, const fk_pick *fk)
{
    if (!g || !g->parent || !g->is_group || g->join != ORM_OP_AND ||
        g->nkids != fk->n)
        return 0;
    for (size_t k = 0; k < fk->n; k++) {
        const tui_fnode *c = g->kids[k];
        if (c->is_group || c->negated || c->op != TUI_FOP_EQ ||
            c->nvalues != 1 || strcmp(c->column, fk->cols[k]) != 0)
            return 0;
    }
    return 1;
}

/* What picked rows replace when a condition is edited: the condition,
 * or the key group (and the or-group of key groups) it sits in. */
static tui_fnode *replaced_node(builder_view *bv)
{
    tui_fnode *n = bv->editing;
    tui_fnode *p;
    if (!n || bv->fk.n < 2 || !is_key_group(n->parent, &bv->fk))
        return n;
    n = n->parent;
    p = n->parent;
    if (!p->parent || p->join != ORM_OP_OR || p->negated)
        return n;
    for (size_t i = 0; i < p->nkids; i++)
        if (!is_key_group(p->kids[i], &bv->fk))
            return n;
    return p;
}

/* Put `node` where `old` is (old is freed). */
static int replace_node(builder_view *bv, tui_fnode *old, tui_fnode *node)
{
    tui_fnode *p = old->parent;
    size_t at = 0;
    while (at < p->nkids && p->kids[at] != old)
        at++;
    int rc = tui_ftree_insert(bv->tree, p, node); /* last in p */
    if (rc)
        return rc;
    for (size_t i = p->nkids - 1; i > at + 1; i--)
        tui_ftree_move(bv->tree, node, -1);
    tui_ftree_delete(bv->tree, old);
    return 0;
}

/* The picker's hook: the picked keys become the condition. */
static int rows_picked(tui_app *app, const orm_value *keys, size_t nkey,
                       size_t nrows, void *payload)
{
    builder_view *bv = payload;
    tui_fnode *node, *old;
    int rc;
    if (nkey != bv->fk.n || nrows == 0)
        return 0;
    if (bv->fk.n == 1) {
        builder_finish_condition(bv, app, keys,
                                 bv->op == TUI_FOP_IN ? nrows : 1);
    } else {
        old = replaced_node(bv);
        node = composite_node(bv, keys, nrows);
        if (!node)
            rc = ORM_ENOMEM;
        else if (old)
            rc = replace_node(bv, old, node);
        else
            rc = tui_ftree_insert(bv->tree, builder_current(bv), node);
        if (rc == 0)
            bv->cursor = tui_ftree_line_of(bv->tree, node);
        else
            tui_app_error(app, "out of memory");
        bv->mode = MODE_TREE;
        bv->editing = NULL;
        builder_changed(bv);
        if (rc)
            return 0;
    }
    if (!app->message_error)
        tui_app_message(app, "%zu row%s of %s picked", nrows,
                        nrows == 1 ? "" : "s", bv->fk.target->table);
    return 0;
}

static void pick_cancelled(tui_app *app, void *payload)
{
    builder_view *bv = payload;
    bv->mode = MODE_TREE;
    bv->editing = NULL;
    tui_app_message(app, "condition not changed");
}

/* Column names: "customer_id", or "(year, no)" for several. */
static void append_names(orm_buf *out, const char *const *names, size_t n)
{
    if (n > 1)
        orm_buf_append(out, "(");
    for (size_t k = 0; k < n; k++)
        orm_buf_appendf(out, "%s%s", k ? ", " : "", names[k]);
    if (n > 1)
        orm_buf_append(out, ")");
}

/* "Enter: customer_id = its id", "Tab marks, Enter: (a, b) in their
 * (x, y)" */
static void pick_purpose(const builder_view *bv, tui_app *app, orm_buf *out)
{
    const fk_pick *fk = &bv->fk;
    const char *refs[TUI_PICKER_MAX_KEY];
    int many = bv->op == TUI_FOP_IN;
    const char *op = many ? "in" : bv->op == TUI_FOP_NE ? "!=" : "=";
    if (many) {
        char mark[32];
        builder_first_key(app, TUI_ACT_PICK_MARK, mark, sizeof mark);
        orm_buf_appendf(out, "%s marks, ", mark);
    }
    orm_buf_append(out, "Enter: ");
    append_names(out, fk->cols, fk->n);
    orm_buf_appendf(out, " %s %s ", op, many ? "their" : "its");
    for (size_t k = 0; k < fk->n; k++)
        refs[k] = fk->target->columns[fk->refs[k]].name;
    append_names(out, refs, fk->n);
}

/* Open the picker for the condition being made: bv->col, bv->op. */
unsigned builder_open_picker(builder_view *bv, tui_app *app)
{
    const orm_column *col = builder_column_at(bv, bv->col);
    const tui_fnode *n = bv->editing;
    tui_picker_options opts = {.model = bv->fk.target,
                               .nkey = bv->fk.n,
                               .multiple = bv->op == TUI_FOP_IN,
                               .hook = {.picked = rows_picked,
                                        .cancelled = pick_cancelled,
                                        .payload = bv}};
    orm_buf purpose = ORM_BUF_INIT;
    tui_view *picker = NULL;
    int rc;
    for (size_t k = 0; k < bv->fk.n; k++)
        opts.key_columns[k] = bv->fk.refs[k];
    /* Changing a list: its keys start marked. */
    if (n && bv->op == TUI_FOP_IN && n->op == TUI_FOP_IN && bv->fk.n == 1 &&
        strcmp(n->column, col->name) == 0) {
        opts.marked = n->values;
        opts.nmarked = n->nvalues;
    }
    /* Changing = or != on one column: open on the row it names. */
    if (n && !n->is_group && bv->fk.n == 1 && n->nvalues == 1 &&
        (n->op == TUI_FOP_EQ || n->op == TUI_FOP_NE) &&
        strcmp(n->column, col->name) == 0)
        opts.current = n->values;
    pick_purpose(bv, app, &purpose);
    opts.purpose = orm_buf_str(&purpose);
    rc = opts.purpose ? tui_view_picker_new(&picker, app, &opts) : ORM_ENOMEM;
    orm_buf_free(&purpose);
    bv->mode = MODE_TREE; /* what the builder is back in after the picker */
    if (rc) {
        bv->editing = NULL;
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = picker;
    return TUI_PUSH;
}
