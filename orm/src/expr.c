/*
 * Expression trees: the leaf and operator builders, deep copy, free and
 * structural equality, plus the operator table (spelling and arity).
 *
 * Builders take ownership of their arguments and give NULL when any
 * argument is NULL or an allocation fails, freeing everything they were
 * given, so callers can nest builders and check the result once. AND/OR
 * absorb children of the same operator (AND(AND(a, b), c) is AND(a, b, c))
 * so that a tree has one shape however it was grouped, and prints stably.
 */
#include <stdlib.h>
#include <string.h>

#include "orm/expr.h"
#include "orm/sys/buf.h"
#include "alloc.h"

#define OP_TEXT(e, text, n)  text,
#define OP_ARITY(e, text, n) n,
static const char *const op_texts[] = {ORM_OPS(OP_TEXT)};
static const int op_arities[] = {ORM_OPS(OP_ARITY)};
#undef OP_TEXT
#undef OP_ARITY

const char *orm_op_text(orm_op op)
{
    if ((unsigned)op >= ORM_OP_COUNT)
        return "?";
    return op_texts[op];
}

int orm_op_arity(orm_op op)
{
    if ((unsigned)op >= ORM_OP_COUNT)
        return 0;
    return op_arities[op];
}

/* A node and, right after it, `extra` bytes for what it holds: its
 * column name, its value's text or its argument array. One allocation per
 * node; orm_expr_free frees only what does not live there. */
static orm_expr *expr_alloc(orm_expr_kind kind, size_t extra)
{
    orm_expr *e = orm_malloc(sizeof *e + extra);
    if (!e)
        return NULL;
    *e = (orm_expr){.kind = kind, .op = ORM_OP_COUNT};
    e->value = orm_value_null();
    return e;
}

static void *inline_area(orm_expr *e)
{
    return e + 1;
}

void orm_expr_free(orm_expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nargs; i++)
        orm_expr_free(e->args[i]);
    if ((void *)e->args != inline_area(e))
        free(e->args);
    if ((void *)e->column != inline_area(e))
        free(e->column);
    orm_value_clear(&e->value);
    free(e);
}

orm_expr *orm_col(const char *name)
{
    if (!name)
        return NULL;
    size_t len = strlen(name) + 1;
    orm_expr *e = expr_alloc(ORM_EXPR_COLUMN, len);
    if (!e)
        return NULL;
    e->column = memcpy(inline_area(e), name, len);
    return e;
}

orm_expr *orm_val(const orm_value *v)
{
    if (!v)
        return NULL;
    int bytes = v->kind == ORM_VTEXT || v->kind == ORM_VBLOB;
    size_t len = bytes ? v->u.s.len : 0;
    orm_expr *e = expr_alloc(ORM_EXPR_VALUE, bytes ? len + 1 : 0);
    if (!e)
        return NULL;
    e->value = *v;
    e->value.owned = 0;
    if (bytes) { /* the text lives in the node, NUL-terminated */
        char *text = inline_area(e);
        if (len)
            memcpy(text, v->u.s.ptr, len);
        text[len] = '\0';
        e->value.u.s.ptr = text;
    }
    return e;
}

orm_expr *orm_str(const char *text)
{
    if (!text)
        return NULL;
    orm_value v = orm_value_text(text);
    return orm_val(&v);
}

orm_expr *orm_int(int64_t i)
{
    orm_value v = orm_value_int(i);
    return orm_val(&v);
}

orm_expr *orm_null(void)
{
    orm_value v = orm_value_null();
    return orm_val(&v);
}

static void free_args(orm_expr **args, size_t n)
{
    for (size_t i = 0; args && i < n; i++)
        orm_expr_free(args[i]);
}

/* Does the operator accept `n` operands? */
static int arity_ok(orm_op op, size_t n)
{
    int arity = orm_op_arity(op);
    if (arity > 0)
        return n == (size_t)arity;
    if (op == ORM_OP_IN)
        return n >= 1; /* the column, then zero or more values */
    return n >= 1;     /* AND / OR */
}

/* How many slots an AND/OR node needs once same-op children are absorbed. */
static size_t flat_count(orm_op op, orm_expr **args, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (args[i]->kind == ORM_EXPR_OP && args[i]->op == op)
            total += args[i]->nargs;
        else
            total++;
    }
    return total;
}

orm_expr *orm_expr_op(orm_op op, orm_expr **args, size_t n)
{
    orm_expr *e = NULL;
    int logic = op == ORM_OP_AND || op == ORM_OP_OR;

    if ((unsigned)op >= ORM_OP_COUNT || (n && !args) || !arity_ok(op, n))
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (!args[i])
            goto fail;
    if (logic && n == 1)
        return args[0]; /* AND of one condition is that condition */

    size_t total = logic ? flat_count(op, args, n) : n;
    e = expr_alloc(ORM_EXPR_OP, total * sizeof *e->args);
    if (!e)
        goto fail;
    e->op = op;
    e->args = inline_area(e);
    for (size_t i = 0; i < n; i++) {
        orm_expr *child = args[i];
        if (logic && child->kind == ORM_EXPR_OP && child->op == op) {
            memcpy(e->args + e->nargs, child->args,
                   child->nargs * sizeof *child->args);
            e->nargs += child->nargs;
            child->nargs = 0; /* its children now belong to e */
            orm_expr_free(child);
        } else {
            e->args[e->nargs++] = child;
        }
    }
    return e;

fail:
    free_args(args, n);
    free(e);
    return NULL;
}

static orm_expr *op2(orm_op op, orm_expr *a, orm_expr *b)
{
    orm_expr *args[2] = {a, b};
    return orm_expr_op(op, args, 2);
}

orm_expr *orm_eq(orm_expr *col, orm_expr *val)
{
    return op2(ORM_OP_EQ, col, val);
}

orm_expr *orm_ne(orm_expr *col, orm_expr *val)
{
    return op2(ORM_OP_NE, col, val);
}

orm_expr *orm_lt(orm_expr *col, orm_expr *val)
{
    return op2(ORM_OP_LT, col, val);
}

orm_expr *orm_le(orm_expr *col, orm_expr *val)
{
    return op2(ORM_OP_LE, col, val);
}

orm_expr *orm_gt(orm_expr *col, orm_expr *val)
{
    return op2(ORM_OP_GT, col, val);
}

orm_expr *orm_ge(orm_expr *col, orm_expr *val)
{
    return op2(ORM_OP_GE, col, val);
}

orm_expr *orm_like(orm_expr *col, orm_expr *pattern)
{
    return op2(ORM_OP_LIKE, col, pattern);
}

orm_expr *orm_ilike(orm_expr *col, orm_expr *pattern)
{
    return op2(ORM_OP_ILIKE, col, pattern);
}

orm_expr *orm_contains(orm_expr *col, orm_expr *text)
{
    return op2(ORM_OP_CONTAINS, col, text);
}

orm_expr *orm_startswith(orm_expr *col, orm_expr *text)
{
    return op2(ORM_OP_STARTSWITH, col, text);
}

orm_expr *orm_endswith(orm_expr *col, orm_expr *text)
{
    return op2(ORM_OP_ENDSWITH, col, text);
}

orm_expr *orm_between(orm_expr *col, orm_expr *low, orm_expr *high)
{
    orm_expr *args[3] = {col, low, high};
    return orm_expr_op(ORM_OP_BETWEEN, args, 3);
}

orm_expr *orm_is_null(orm_expr *col)
{
    return orm_expr_op(ORM_OP_IS_NULL, &col, 1);
}

orm_expr *orm_is_not_null(orm_expr *col)
{
    return orm_expr_op(ORM_OP_IS_NOT_NULL, &col, 1);
}

orm_expr *orm_in(orm_expr *col, orm_expr **values, size_t n)
{
    orm_expr **args = NULL;
    orm_expr *e = NULL;

    if (n && !values)
        goto fail;
    if (n > ((size_t)-1) / sizeof *args - 1)
        goto fail;
    args = orm_malloc((n + 1) * sizeof *args);
    if (!args)
        goto fail;
    args[0] = col;
    if (n)
        memcpy(args + 1, values, n * sizeof *args);
    e = orm_expr_op(ORM_OP_IN, args, n + 1); /* frees the nodes on failure */
    free(args);
    return e;

fail:
    orm_expr_free(col);
    free_args(values, n);
    return NULL;
}

orm_expr *orm_and(orm_expr *a, orm_expr *b)
{
    return op2(ORM_OP_AND, a, b);
}

orm_expr *orm_or(orm_expr *a, orm_expr *b)
{
    return op2(ORM_OP_OR, a, b);
}

orm_expr *orm_not(orm_expr *a)
{
    return orm_expr_op(ORM_OP_NOT, &a, 1);
}

orm_expr *orm_expr_copy(const orm_expr *e)
{
    if (!e)
        return NULL;
    /* The arguments in the node; a column name or value bytes on their
     * own (orm_expr_free frees what is not in the node). */
    orm_expr *copy = expr_alloc(e->kind, e->nargs * sizeof *e->args);
    if (!copy)
        return NULL;
    copy->op = e->op;
    copy->pos = e->pos;
    if (e->column && !(copy->column = orm_strdup(e->column)))
        goto fail;
    if (orm_value_copy(&copy->value, &e->value) != 0)
        goto fail;
    copy->args = e->nargs ? inline_area(copy) : NULL;
    for (size_t i = 0; i < e->nargs; i++) {
        copy->args[i] = orm_expr_copy(e->args[i]);
        copy->nargs = i + 1;
        if (!copy->args[i])
            goto fail;
    }
    return copy;

fail:
    orm_expr_free(copy);
    return NULL;
}

int orm_expr_equal(const orm_expr *a, const orm_expr *b)
{
    if (a == b)
        return 1;
    if (!a || !b || a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case ORM_EXPR_COLUMN:
        return a->column && b->column && strcmp(a->column, b->column) == 0;
    case ORM_EXPR_VALUE:
        return orm_value_equal(&a->value, &b->value);
    case ORM_EXPR_OP:
        if (a->op != b->op || a->nargs != b->nargs)
            return 0;
        for (size_t i = 0; i < a->nargs; i++)
            if (!orm_expr_equal(a->args[i], b->args[i]))
                return 0;
        return 1;
    }
    return 0;
}
