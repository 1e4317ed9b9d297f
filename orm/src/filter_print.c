/*
 * The filter language's printer: an expression tree back to canonical
 * filter text (orm_filter_print), parenthesised only where needed.
 */
#include "filter_parse.h"

/* ---------------------------------------------------------------------
 * Printer
 */

static void append_quoted(orm_buf *b, const char *s, size_t n)
{
    orm_buf_appendc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0')
            continue; /* cannot live in a C string: dropped */
        if (s[i] == '\'')
            orm_buf_appendc(b, '\'');
        orm_buf_appendc(b, s[i]);
    }
    orm_buf_appendc(b, '\'');
}

static void append_value(orm_buf *b, const orm_value *v)
{
    static const char hex[] = "0123456789abcdef";
    char num[ORM_DOUBLE_TEXT_MAX];

    switch (v->kind) {
    case ORM_VNULL:
        orm_buf_append(b, "null");
        return;
    case ORM_VINT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        orm_buf_append(b, num);
        return;
    case ORM_VFLOAT:
        if (!isfinite(v->u.f)) {
            /* no literal spells these; text lets a Float column read it */
            orm_buf_append(b, isnan(v->u.f) ? "'nan'"
                              : v->u.f > 0  ? "'inf'"
                                            : "'-inf'");
            return;
        }
        orm_double_text(num, v->u.f, ORM_DOUBLE_DECIMAL);
        orm_buf_append(b, num);
        return;
    case ORM_VBOOL:
        orm_buf_append(b, v->u.b ? "true" : "false");
        return;
    case ORM_VTEXT:
        append_quoted(b, v->u.s.ptr ? v->u.s.ptr : "", v->u.s.len);
        return;
    case ORM_VBLOB:
        orm_buf_append(b, "'\\x");
        for (size_t i = 0; i < v->u.s.len; i++) {
            unsigned char c = (unsigned char)v->u.s.ptr[i];
            orm_buf_appendc(b, hex[c >> 4]);
            orm_buf_appendc(b, hex[c & 15]);
        }
        orm_buf_appendc(b, '\'');
        return;
    }
}

/* Binding strength when printing: lower binds looser. */
enum { PREC_OR = 1, PREC_AND = 2, PREC_NOT = 3, PREC_ATOM = 4 };

static int not_is_infix(const orm_expr *e)
{
    const orm_expr *inner;
    if (e->op != ORM_OP_NOT || e->nargs != 1)
        return 0;
    inner = e->args[0];
    return inner->kind == ORM_EXPR_OP &&
           (inner->op == ORM_OP_IN || inner->op == ORM_OP_BETWEEN ||
            filter_is_text_op(inner->op)) &&
           inner->nargs >= 1;
}

static int print_prec(const orm_expr *e)
{
    if (e->kind != ORM_EXPR_OP)
        return PREC_ATOM;
    if (e->op == ORM_OP_OR)
        return PREC_OR;
    if (e->op == ORM_OP_AND)
        return PREC_AND;
    if (e->op == ORM_OP_NOT && !not_is_infix(e))
        return PREC_NOT;
    return PREC_ATOM;
}

static void print_expr(orm_buf *b, const orm_expr *e, int min_prec);

/* An operand of a predicate: column, value or a parenthesized tree. */
static void print_operand(orm_buf *b, const orm_expr *e)
{
    if (!e) {
        orm_buf_append(b, "?");
        return;
    }
    switch (e->kind) {
    case ORM_EXPR_COLUMN:
        filter_append_ident(b, e->column ? e->column : "");
        return;
    case ORM_EXPR_VALUE:
        append_value(b, &e->value);
        return;
    case ORM_EXPR_OP:
        orm_buf_appendc(b, '(');
        print_expr(b, e, 0);
        orm_buf_appendc(b, ')');
        return;
    }
}

static const orm_expr *arg(const orm_expr *e, size_t i)
{
    return i < e->nargs ? e->args[i] : NULL;
}

/* A predicate, with " not" after the column when `negated`. */
static void print_predicate(orm_buf *b, const orm_expr *e, int negated)
{
    const char *neg = negated ? " not" : "";

    switch (e->op) {
    case ORM_OP_IN:
        print_operand(b, arg(e, 0));
        orm_buf_appendf(b, "%s in (", neg);
        for (size_t i = 1; i < e->nargs; i++) {
            if (i > 1)
                orm_buf_append(b, ", ");
            print_operand(b, e->args[i]);
        }
        orm_buf_appendc(b, ')');
        return;
    case ORM_OP_BETWEEN:
        print_operand(b, arg(e, 0));
        orm_buf_appendf(b, "%s between ", neg);
        print_operand(b, arg(e, 1));
        orm_buf_append(b, " and ");
        print_operand(b, arg(e, 2));
        return;
    case ORM_OP_IS_NULL:
    case ORM_OP_IS_NOT_NULL:
        print_operand(b, arg(e, 0));
        orm_buf_appendf(b, " %s", orm_op_text(e->op));
        return;
    case ORM_OP_EQ:
    case ORM_OP_NE: {
        const orm_expr *v = arg(e, 1);
        if (v && v->kind == ORM_EXPR_VALUE && v->value.kind == ORM_VNULL) {
            /* as SQLAlchemy's col == None: the only reading that parses */
            print_operand(b, arg(e, 0));
            orm_buf_append(b, e->op == ORM_OP_EQ ? " is null" : " is not null");
            return;
        }
        break;
    }
    default:
        break;
    }
    print_operand(b, arg(e, 0));
    orm_buf_appendf(b, "%s %s ", neg, orm_op_text(e->op));
    print_operand(b, arg(e, 1));
}

static void print_expr(orm_buf *b, const orm_expr *e, int min_prec)
{
    int prec = print_prec(e);
    int paren = prec < min_prec;

    if (paren)
        orm_buf_appendc(b, '(');
    if (e->kind != ORM_EXPR_OP) {
        print_operand(b, e);
    } else if (e->op == ORM_OP_AND || e->op == ORM_OP_OR) {
        for (size_t i = 0; i < e->nargs; i++) {
            if (i)
                orm_buf_append(b, e->op == ORM_OP_AND ? " and " : " or ");
            print_expr(b, e->args[i], prec + 1);
        }
    } else if (e->op == ORM_OP_NOT) {
        if (not_is_infix(e)) {
            print_predicate(b, e->args[0], 1);
        } else {
            orm_buf_append(b, "not (");
            if (e->nargs)
                print_expr(b, e->args[0], 0);
            orm_buf_appendc(b, ')');
        }
    } else {
        print_predicate(b, e, 0);
    }
    if (paren)
        orm_buf_appendc(b, ')');
}

char *orm_filter_print(const orm_expr *e)
{
    orm_buf b = ORM_BUF_INIT;
    if (!e)
        return NULL;
    print_expr(&b, e, 0);
    char *text = orm_buf_finish(&b);
    orm_buf_free(&b);
    return text;
}
