/*
 * The filter builder's tree (filter_tree.c) to and from orm_expr: a
 * filter loads into the tree when it is one the builder can show,
 * the tree compiles into an expression (relative days against `today`)
 * and prints in the filter language.
 */
#include <stdlib.h>
#include <string.h>

#include "filter_tree_internal.h"
#include "mem.h"

/* ---- from an expression ---- */

static int load_error(orm_error *err, const orm_expr *e, const char *what)
{
    if (e && e->pos)
        return orm_error_set(err, ORM_EINVALID, "%s at %zu", what, e->pos);
    return orm_error_set(err, ORM_EINVALID, "%s", what);
}

static tui_fop condition_op(const orm_expr *e, const orm_column *col,
                            int *icase)
{
    int day = col && col->type == ORM_DATE;
    *icase = 0;
    switch (e->op) {
    case ORM_OP_EQ:
        if (col && col->type == ORM_BOOLEAN && e->nargs == 2 &&
            e->args[1]->value.kind == ORM_VBOOL)
            return e->args[1]->value.u.b ? TUI_FOP_IS_TRUE : TUI_FOP_IS_FALSE;
        return day ? TUI_FOP_ON : TUI_FOP_EQ;
    case ORM_OP_NE:
        return TUI_FOP_NE;
    case ORM_OP_LT:
        return day ? TUI_FOP_BEFORE : TUI_FOP_LT;
    case ORM_OP_LE:
        return TUI_FOP_LE;
    case ORM_OP_GT:
        return day ? TUI_FOP_AFTER : TUI_FOP_GT;
    case ORM_OP_GE:
        return TUI_FOP_GE;
    case ORM_OP_ILIKE:
        *icase = 1;
        return TUI_FOP_LIKE;
    case ORM_OP_LIKE:
        return TUI_FOP_LIKE;
    case ORM_OP_ICONTAINS:
        *icase = 1;
        return TUI_FOP_CONTAINS;
    case ORM_OP_CONTAINS:
        return TUI_FOP_CONTAINS;
    case ORM_OP_ISTARTSWITH:
        *icase = 1;
        return TUI_FOP_STARTSWITH;
    case ORM_OP_STARTSWITH:
        return TUI_FOP_STARTSWITH;
    case ORM_OP_IENDSWITH:
        *icase = 1;
        return TUI_FOP_ENDSWITH;
    case ORM_OP_ENDSWITH:
        return TUI_FOP_ENDSWITH;
    case ORM_OP_IN:
        return TUI_FOP_IN;
    case ORM_OP_BETWEEN:
        return TUI_FOP_BETWEEN;
    case ORM_OP_IS_NULL:
        return TUI_FOP_IS_NULL;
    case ORM_OP_IS_NOT_NULL:
        return TUI_FOP_NOT_NULL;
    default:
        return TUI_FOP_COUNT;
    }
}

static int load_node(const tui_ftree *t, const orm_expr *e, tui_fnode **out,
                     orm_error *err)
{
    int rc = 0;
    *out = NULL;
    if (!e || e->kind != ORM_EXPR_OP)
        return load_error(err, e, "expected a condition");
    if (e->op == ORM_OP_NOT) {
        tui_fnode *kid = NULL;
        if (e->nargs != 1)
            return load_error(err, e, "'not' takes one condition");
        if ((rc = load_node(t, e->args[0], &kid, err)) != 0)
            return rc;
        kid->negated = !kid->negated;
        if (!kid->is_group && kid->negated && kid->op == TUI_FOP_CONTAINS) {
            kid->op = TUI_FOP_NOT_CONTAINS;
            kid->negated = 0;
        }
        *out = kid;
        return 0;
    }
    if (e->op == ORM_OP_AND || e->op == ORM_OP_OR) {
        tui_fnode *g = tui_fnode_new_group(e->op);
        if (!g)
            return orm_error_set(err, ORM_ENOMEM, "out of memory");
        for (size_t i = 0; i < e->nargs && rc == 0; i++) {
            tui_fnode *kid = NULL;
            if ((rc = load_node(t, e->args[i], &kid, err)) == 0 &&
                (rc = ftree_kid_insert(g, g->nkids, kid)) != 0) {
                tui_fnode_free(kid);
                orm_error_set(err, rc, "out of memory");
            }
        }
        if (rc) {
            tui_fnode_free(g);
            return rc;
        }
        *out = g;
        return 0;
    }
    if (e->nargs < 1 || e->args[0]->kind != ORM_EXPR_COLUMN)
        return load_error(err, e, "a condition starts with a column");
    const char *name = e->args[0]->column;
    const orm_column *col = t->model ? orm_model_column(t->model, name) : NULL;
    if (t->model && !col) {
        orm_buf msg = ORM_BUF_INIT;
        orm_buf_appendf(&msg, "unknown column '%s'", name);
        rc = load_error(err, e->args[0],
                        orm_buf_str(&msg) ? orm_buf_str(&msg)
                                          : "unknown column");
        orm_buf_free(&msg);
        return rc;
    }
    int icase;
    tui_fop op = condition_op(e, col, &icase);
    if (op == TUI_FOP_COUNT)
        return load_error(err, e, "unsupported operator");
    size_t nvalues = e->nargs - 1;
    orm_value *values = nvalues ? tui_calloc(nvalues, sizeof *values) : NULL;
    if (nvalues && !values)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    for (size_t i = 0; i < nvalues; i++) {
        if (e->args[i + 1]->kind != ORM_EXPR_VALUE) {
            free(values); /* borrowed copies only */
            return load_error(err, e->args[i + 1], "expected a value");
        }
        values[i] = e->args[i + 1]->value; /* borrowed: copied below */
    }
    if (op == TUI_FOP_IS_TRUE || op == TUI_FOP_IS_FALSE)
        nvalues = 0;
    *out = tui_fnode_new_condition(name, op, values, nvalues, icase);
    free(values); /* the borrowed copies only */
    if (!*out)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    return 0;
}

int tui_ftree_load(tui_ftree *t, const orm_expr *e, orm_error *err)
{
    tui_fnode *node = NULL, *root;
    int rc;
    if (!e) {
        tui_ftree_clear(t);
        return 0;
    }
    if ((rc = load_node(t, e, &node, err)) != 0)
        return rc;
    if (node->is_group) {
        root = node;
    } else {
        root = tui_fnode_new_group(ORM_OP_AND);
        if (!root || ftree_kid_insert(root, 0, node) != 0) {
            tui_fnode_free(root);
            tui_fnode_free(node);
            return orm_error_set(err, ORM_ENOMEM, "out of memory");
        }
    }
    root->parent = NULL;
    tui_fnode_free(t->root);
    t->root = root;
    return 0;
}

int tui_ftree_parse(tui_ftree *t, const char *text, orm_error *err)
{
    orm_expr *e = NULL;
    int blank = 1, rc;
    for (const char *p = text; *p && blank; p++)
        blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
    if (blank) {
        tui_ftree_clear(t);
        return 0;
    }
    if ((rc = orm_filter_parse(&e, text, t->model, err)) != 0)
        return rc;
    rc = tui_ftree_load(t, e, err);
    orm_expr_free(e);
    return rc;
}

/* ---- to an expression ---- */

static orm_expr *op2(orm_op op, orm_expr *a, orm_expr *b)
{
    orm_expr *args[2] = {a, b};
    if (!a || !b) {
        orm_expr_free(a);
        orm_expr_free(b);
        return NULL;
    }
    return orm_expr_op(op, args, 2);
}

static orm_expr *op3(orm_op op, orm_expr *a, orm_expr *b, orm_expr *c)
{
    orm_expr *args[3] = {a, b, c};
    if (!a || !b || !c) {
        orm_expr_free(a);
        orm_expr_free(b);
        orm_expr_free(c);
        return NULL;
    }
    return orm_expr_op(op, args, 3);
}

static orm_expr *value_at(const tui_fnode *n, size_t i)
{
    return i < n->nvalues ? orm_val(&n->values[i]) : orm_null();
}

/* A bound of a date operator: a plain day on a timestamp column becomes
 * the start or end of that day. */
static orm_expr *bound(const tui_fnode *n, const orm_column *col, size_t i,
                       int end)
{
    tui_date d;
    if (i < n->nvalues && ftree_is_timestamp(col) &&
        ftree_value_day(&n->values[i], &d))
        return ftree_day_value(col, &d, end);
    return value_at(n, i);
}

static orm_expr *day_range(const orm_column *col, const tui_date *from,
                           const tui_date *to)
{
    if (!ftree_is_timestamp(col) && from->year == to->year &&
        from->month == to->month && from->day == to->day)
        return op2(ORM_OP_EQ, orm_col(col->name),
                   ftree_day_value(col, from, 0));
    return op3(ORM_OP_BETWEEN, orm_col(col->name),
               ftree_day_value(col, from, 0), ftree_day_value(col, to, 1));
}

static orm_op text_op(tui_fop op, int icase)
{
    switch (op) {
    case TUI_FOP_CONTAINS:
    case TUI_FOP_NOT_CONTAINS:
        return icase ? ORM_OP_ICONTAINS : ORM_OP_CONTAINS;
    case TUI_FOP_STARTSWITH:
        return icase ? ORM_OP_ISTARTSWITH : ORM_OP_STARTSWITH;
    case TUI_FOP_ENDSWITH:
        return icase ? ORM_OP_IENDSWITH : ORM_OP_ENDSWITH;
    default:
        return icase ? ORM_OP_ILIKE : ORM_OP_LIKE;
    }
}

static orm_expr *compile_condition(const tui_fnode *n, const orm_model *m,
                                   const tui_date *today)
{
    const orm_column *col = m ? orm_model_column(m, n->column) : NULL;
    orm_column bare = {.name = n->column, .type = ORM_DATE};
    const orm_column *dcol = col ? col : &bare;
    orm_expr *c = orm_col(n->column);
    tui_date d, first, last;
    switch (n->op) {
    case TUI_FOP_EQ:
        return op2(ORM_OP_EQ, c, value_at(n, 0));
    case TUI_FOP_NE:
        return op2(ORM_OP_NE, c, value_at(n, 0));
    case TUI_FOP_LT:
        return op2(ORM_OP_LT, c, value_at(n, 0));
    case TUI_FOP_LE:
        return op2(ORM_OP_LE, c, value_at(n, 0));
    case TUI_FOP_GT:
        return op2(ORM_OP_GT, c, value_at(n, 0));
    case TUI_FOP_GE:
        return op2(ORM_OP_GE, c, value_at(n, 0));
    case TUI_FOP_CONTAINS:
    case TUI_FOP_STARTSWITH:
    case TUI_FOP_ENDSWITH:
    case TUI_FOP_LIKE:
        return op2(text_op(n->op, n->icase), c, value_at(n, 0));
    case TUI_FOP_NOT_CONTAINS:
        return orm_not(op2(text_op(n->op, n->icase), c, value_at(n, 0)));
    case TUI_FOP_IN: {
        orm_expr **args = tui_calloc(n->nvalues + 1, sizeof *args);
        int ok = args && c;
        if (args)
            args[0] = c;
        for (size_t i = 0; ok && i < n->nvalues; i++)
            ok = (args[i + 1] = orm_val(&n->values[i])) != NULL;
        if (!ok) {
            for (size_t i = 0; args && i <= n->nvalues; i++)
                orm_expr_free(args[i]);
            if (!args)
                orm_expr_free(c);
            free(args);
            return NULL;
        }
        orm_expr *e = orm_expr_op(ORM_OP_IN, args, n->nvalues + 1);
        free(args);
        return e;
    }
    case TUI_FOP_BETWEEN:
        return op3(ORM_OP_BETWEEN, c, bound(n, col, 0, 0), bound(n, col, 1, 1));
    case TUI_FOP_IS_NULL:
        return orm_is_null(c);
    case TUI_FOP_NOT_NULL:
        return orm_is_not_null(c);
    case TUI_FOP_IS_TRUE:
    case TUI_FOP_IS_FALSE: {
        orm_value b = orm_value_bool(n->op == TUI_FOP_IS_TRUE);
        return op2(ORM_OP_EQ, c, orm_val(&b));
    }
    case TUI_FOP_ON:
        if (n->nvalues && ftree_is_timestamp(col) &&
            ftree_value_day(&n->values[0], &d)) {
            orm_expr_free(c);
            return day_range(col, &d, &d);
        }
        return op2(ORM_OP_EQ, c, value_at(n, 0));
    case TUI_FOP_BEFORE:
        return op2(ORM_OP_LT, c, bound(n, col, 0, 0));
    case TUI_FOP_AFTER:
        return op2(ORM_OP_GT, c, bound(n, col, 0, 1));
    case TUI_FOP_TODAY:
        orm_expr_free(c);
        return day_range(dcol, today, today);
    case TUI_FOP_LAST_7_DAYS:
        orm_expr_free(c);
        ftree_date_add(&d, today, -6);
        return day_range(dcol, &d, today);
    case TUI_FOP_THIS_MONTH:
        orm_expr_free(c);
        ftree_month_bounds(today, &first, &last);
        return day_range(dcol, &first, &last);
    default:
        orm_expr_free(c);
        return NULL;
    }
}

/* *out NULL with 0: the node holds no condition. */
static int compile_node(const tui_fnode *n, const orm_model *m,
                        const tui_date *today, orm_expr **out)
{
    orm_expr *e = NULL;
    *out = NULL;
    if (!n->is_group) {
        if (!(e = compile_condition(n, m, today)))
            return ORM_ENOMEM;
    } else {
        orm_expr **args = tui_calloc(n->nkids ? n->nkids : 1, sizeof *args);
        size_t count = 0;
        if (!args)
            return ORM_ENOMEM;
        for (size_t i = 0; i < n->nkids; i++) {
            orm_expr *kid = NULL;
            if (compile_node(n->kids[i], m, today, &kid) != 0) {
                for (size_t k = 0; k < count; k++)
                    orm_expr_free(args[k]);
                free(args);
                return ORM_ENOMEM;
            }
            if (kid)
                args[count++] = kid;
        }
        if (count == 1)
            e = args[0];
        else if (count > 1 && !(e = orm_expr_op(n->join, args, count))) {
            free(args);
            return ORM_ENOMEM;
        }
        free(args);
        if (!e)
            return 0;
    }
    if (n->negated && !(e = orm_not(e)))
        return ORM_ENOMEM;
    *out = e;
    return 0;
}

int tui_ftree_compile(const tui_ftree *t, const tui_date *today, orm_expr **out)
{
    tui_date now;
    if (!today) {
        tui_date_today(&now);
        today = &now;
    }
    return compile_node(t->root, t->model, today, out);
}

char *tui_ftree_text(const tui_ftree *t, const tui_date *today)
{
    orm_expr *e = NULL;
    char *text;
    if (tui_ftree_compile(t, today, &e) != 0)
        return NULL;
    text = e ? orm_filter_print(e) : orm_strdup("");
    orm_expr_free(e);
    return text;
}
