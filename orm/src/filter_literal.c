/*
 * The filter language's literals: reading one ('text', numbers, true,
 * false, null), hints for a bare word that was meant as one, and the
 * value it becomes for a column of a given type.
 */
#include "filter_parse.h"
#include "alloc.h"

/* ---------------------------------------------------------------------
 * Literals and values
 */

void filter_literal_clear(filter_literal *lit)
{
    free(lit->text);
    lit->text = NULL;
}

/* Hint for a bare word where a value belongs. */
static void bare_word_hint(filter_parser *p, const char *word, int in_filter,
                           char *hint, size_t size)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t len = strlen(word);
        /* stricter than a name's typo: a short word is more likely
         * text without its quotes */
        if (len >= 3 && orm_edit_distance(word, words[i]) <= 1) {
            snprintf(hint, size, "did you mean %s?", words[i]);
            return;
        }
    }
    int is_column = p->model && filter_column_find(p->model, word, 0);
    if (is_column)
        snprintf(hint, size,
                 "comparing two columns is not supported; for text write "
                 "'%.*s'",
                 FILTER_SHOW_MAX, word);
    else if (p->model || !in_filter)
        snprintf(hint, size, "text needs single quotes: '%.*s'",
                 FILTER_SHOW_MAX, word);
    else
        snprintf(hint, size,
                 "text needs single quotes: '%.*s'; comparing two columns "
                 "is not supported",
                 FILTER_SHOW_MAX, word);
}

/*
 * Read one literal token into `lit`. `after` names what came before it
 * for the message ("'='", "'between'"). Null is returned as LIT_NULL;
 * callers decide whether it is allowed.
 */
int filter_read_literal(filter_parser *p, filter_literal *lit,
                        const char *after)
{
    filter_token *t = &p->tok;
    char shown[SHOW_SIZE];
    char hint[SHOW_SIZE * 2 + 96] = "";
    char ctx[SHOW_SIZE + 16] = "";

    if (after)
        snprintf(ctx, sizeof ctx, " after %s", after);
    lit->pos = t->pos;
    lit->text = NULL;
    switch (t->kind) {
    case TOK_STRING:
        lit->kind = LIT_TEXT;
        break;
    case TOK_INT:
        lit->kind = LIT_INT;
        break;
    case TOK_DECIMAL:
        lit->kind = LIT_DECIMAL;
        break;
    case TOK_IDENT:
        if (t->kw == KW_TRUE || t->kw == KW_FALSE) {
            lit->kind = t->kw == KW_TRUE ? LIT_TRUE : LIT_FALSE;
            lit->text = orm_strdup(t->kw == KW_TRUE ? "true" : "false");
            if (!lit->text)
                return filter_nomem(p);
            return filter_lex_next(p);
        }
        if (t->kw == KW_NULL) {
            lit->kind = LIT_NULL;
            return filter_lex_next(p);
        }
        if (t->kw == KW_NONE) {
            bare_word_hint(p, t->text, after != NULL, hint, sizeof hint);
            return filter_fail_hint(p, ORM_EPARSE, t->pos, hint,
                                    "expected a value%s, found %s", ctx,
                                    filter_show_token(p, shown, sizeof shown));
        }
        return fail(p, ORM_EPARSE, t->pos, "expected a value%s, found %s", ctx,
                    filter_show_token(p, shown, sizeof shown));
    case TOK_QIDENT:
        snprintf(hint, sizeof hint,
                 "double quotes name a column; text uses single quotes: "
                 "'%.*s'",
                 FILTER_SHOW_MAX, t->text);
        return filter_fail_hint(p, ORM_EPARSE, t->pos, hint,
                                "expected a value%s, found the column name %s",
                                ctx, filter_show_token(p, shown, sizeof shown));
    case TOK_END:
        return fail(p, ORM_EPARSE, t->pos, "expected a value%s", ctx);
    default:
        return fail(p, ORM_EPARSE, t->pos, "expected a value%s, found %s", ctx,
                    filter_show_token(p, shown, sizeof shown));
    }
    lit->text = filter_tok_take_text(p);
    return filter_lex_next(p);
}

/* The literal with its natural kind: int, float, bool, text, null. */
static int literal_natural(filter_parser *p, filter_literal *lit,
                           orm_value *out)
{
    switch (lit->kind) {
    case LIT_NULL:
        *out = orm_value_null();
        return 0;
    case LIT_TRUE:
    case LIT_FALSE:
        *out = orm_value_bool(lit->kind == LIT_TRUE);
        return 0;
    case LIT_TEXT:
        out->kind = ORM_VTEXT;
        out->owned = 1;
        out->u.s.len = strlen(lit->text);
        out->u.s.ptr = lit->text;
        lit->text = NULL;
        return 0;
    case LIT_INT: {
        int64_t i = 0;
        if (orm_int_parse(&i, lit->text, strlen(lit->text)))
            return fail(p, ORM_EPARSE, lit->pos,
                        "%s is out of range for a 64-bit integer", lit->text);
        *out = orm_value_int(i);
        return 0;
    }
    case LIT_DECIMAL: {
        double d = 0;
        int rc = orm_double_parse(&d, lit->text, strlen(lit->text));
        if (rc == ORM_ENOMEM)
            return filter_nomem(p);
        if (rc || !isfinite(d))
            return fail(p, ORM_EPARSE, lit->pos, "%s is out of range",
                        lit->text);
        *out = orm_value_float(d);
        return 0;
    }
    }
    return fail(p, ORM_EINVALID, lit->pos, "bad literal");
}

/*
 * The literal as a value of `col` (orm_value_parse does the checking), or
 * its natural kind without a column. `textop`: the value is a pattern or
 * fragment for a text operator, always text.
 */
int filter_literal_value(filter_parser *p, filter_literal *lit,
                         const orm_column *col, int textop, orm_value *out)
{
    *out = orm_value_null();
    if (lit->kind == LIT_NULL)
        return 0;
    if (textop) {
        lit->kind = LIT_TEXT;
        return literal_natural(p, lit, out);
    }
    if (!col)
        return literal_natural(p, lit, out);

    if (lit->kind == LIT_DECIMAL) {
        char *normal = filter_decimal_normalize(lit->text);
        if (!normal)
            return filter_nomem(p);
        free(lit->text);
        lit->text = normal;
    }
    orm_error conv = ORM_ERROR_INIT;
    /* '2024-01-31' against a timestamp means its midnight */
    int rc = orm_value_parse_input(out, col, lit->text, &conv);
    if (rc == 0) {
        orm_error_clear(&conv);
        return 0;
    }
    orm_value_clear(out);
    if (rc == ORM_ENOMEM) {
        orm_error_clear(&conv);
        return filter_nomem(p);
    }
    /* convert's message may already start with the column's name */
    const char *why = orm_error_text(&conv);
    size_t nlen = strlen(col->name);
    if (strncmp(why, col->name, nlen) == 0 && why[nlen] == ':') {
        why += nlen + 1;
        while (*why == ' ')
            why++;
    }
    rc = fail(p, ORM_ETYPE, lit->pos, "%s: %s", col->name, why);
    orm_error_clear(&conv);
    if (rc != ORM_ENOMEM && orm_error_set_column(p->err, col->name) != 0)
        rc = ORM_ENOMEM;
    return rc;
}

/* Null where only values make sense: point to 'is null'. */
static int null_misuse(filter_parser *p, size_t pos, orm_op op,
                       const char *spelled)
{
    if (op == ORM_OP_EQ)
        return filter_fail_hint(p, ORM_EPARSE, pos, "use 'is null' instead",
                                "'%s null' is never true", spelled);
    if (op == ORM_OP_NE)
        return filter_fail_hint(p, ORM_EPARSE, pos, "use 'is not null' instead",
                                "'%s null' is never true", spelled);
    return filter_fail_hint(p, ORM_EPARSE, pos, "test for null with 'is null'",
                            "null cannot be used with '%s'", spelled);
}

/* Read a literal and make it a value node for the column. */
int filter_parse_value(filter_parser *p, const orm_column *col, orm_op op,
                       const char *spelled, const char *after, orm_expr **out)
{
    filter_literal lit;
    orm_value v;
    int rc;

    *out = NULL;
    if ((rc = filter_read_literal(p, &lit, after)) != 0) {
        filter_literal_clear(&lit);
        return rc;
    }
    if (lit.kind == LIT_NULL)
        return null_misuse(p, lit.pos, op, spelled);
    rc = filter_literal_value(p, &lit, col, filter_is_text_op(op), &v);
    filter_literal_clear(&lit);
    if (rc != 0)
        return rc;
    orm_expr *e = orm_calloc(1, sizeof *e);
    if (!e) {
        orm_value_clear(&v);
        return filter_nomem(p);
    }
    e->kind = ORM_EXPR_VALUE;
    e->op = ORM_OP_COUNT;
    e->value = v;
    e->pos = lit.pos;
    *out = e;
    return 0;
}
