/*
 * orb's filter language: the parser (text -> orm_expr tree, checked and
 * typed against a model when one is given), the single-literal parser the
 * CLI uses for COL:=LITERAL, and the printer (tree -> canonical text).
 *
 * The parser is recursive descent over tokens lexed on demand, so the
 * first (leftmost) mistake is the one reported. Every error carries the
 * 1-based character position of the offending token in err->position and
 * ends its message with " at N", optionally followed by a hint in
 * parentheses ("did you mean 'like'?"). People type these filters in the
 * CLI, the TUI's filter builder and saved filters, so the messages say
 * what was expected, what was found and, where we can guess, the fix.
 *
 * Grammar (keywords case-insensitive):
 *
 *   filter    := or
 *   or        := and ('or' and)*
 *   and       := not ('and' not)*
 *   not       := 'not' not | '(' or ')' | predicate
 *   predicate := column cmp literal
 *              | column ['not'] textop literal
 *              | column ['not'] 'in' '(' literal (',' literal)* ')'
 *              | column ['not'] 'between' literal 'and' literal
 *              | column 'is' ['not'] 'null'
 *   cmp       := '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
 *   textop    := like | ilike | [i]contains | [i]startswith | [i]endswith
 *   column    := [A-Za-z_][A-Za-z0-9_]* (not a keyword) | "double ""quoted"""
 *   literal   := 'single ''quoted''' | integer | decimal | true | false
 *              | null
 */

#include "filter_parse.h"
#include "alloc.h"

/* ---------------------------------------------------------------------
 * Columns
 */

static int column_is_text(const orm_column *col)
{
    return col->type == ORM_STRING || col->type == ORM_TEXT ||
           col->type == ORM_JSON || col->type == ORM_UUID;
}

/* A column name as the printer writes it: bare when it can be. */
void filter_append_ident(orm_buf *b, const char *name)
{
    size_t n = strlen(name);
    int bare = n > 0 && filter_is_ident_start((unsigned char)name[0]) &&
               !filter_keyword_find(name, n);
    for (size_t i = 1; bare && i < n; i++)
        bare = filter_is_ident_char((unsigned char)name[i]);
    if (bare) {
        orm_buf_append(b, name);
        return;
    }
    orm_buf_appendc(b, '"');
    for (const char *s = name; *s; s++) {
        if (*s == '"')
            orm_buf_appendc(b, '"');
        orm_buf_appendc(b, *s);
    }
    orm_buf_appendc(b, '"');
}

/* Hint for an unknown column: the closest name, else the short list. */
static int unknown_column(filter_parser *p, const char *name, size_t pos)
{
    const orm_model *m = p->model;
    orm_suggestion sg = {name, NULL, 0};

    for (size_t i = 0; i < m->ncolumns; i++)
        orm_suggest(&sg, m->columns[i].name);
    orm_buf hint = ORM_BUF_INIT;
    if (sg.best)
        orm_buf_appendf(&hint, "did you mean '%s'?", sg.best);
    else if (m->ncolumns > 0 && m->ncolumns <= 12) {
        orm_buf_append(&hint, "columns: ");
        for (size_t i = 0; i < m->ncolumns; i++) {
            if (i)
                orm_buf_append(&hint, ", ");
            filter_append_ident(&hint, m->columns[i].name);
        }
    }
    if (hint.failed) {
        orm_buf_free(&hint);
        return filter_nomem(p);
    }
    int shown = orm_error_quote_len(name);
    int rc = filter_fail_hint(p, ORM_EPARSE, pos, orm_buf_str(&hint),
                              "unknown column '%.*s%s'", shown, name,
                              name[shown] ? "\xE2\x80\xA6" : "");
    orm_buf_free(&hint);
    if (rc != ORM_ENOMEM && orm_error_set_column(p->err, name) != 0)
        rc = ORM_ENOMEM;
    return rc;
}

/*
 * Find a model column. Quoted names match exactly; a bare name also
 * matches a column differing only in letter case when exactly one does
 * (bare SQL identifiers are case-insensitive, and `Handle = 'x'` should
 * just work).
 */
const orm_column *filter_column_find(const orm_model *m, const char *name,
                                     int quoted)
{
    const orm_column *found = orm_model_column(m, name);
    if (found || quoted)
        return found;
    for (size_t i = 0; i < m->ncolumns; i++) {
        const char *c = m->columns[i].name;
        size_t k = 0;
        while (c[k] && filter_ascii_lower((unsigned char)c[k]) ==
                           filter_ascii_lower((unsigned char)name[k]))
            k++;
        if (c[k] == '\0' && name[k] == '\0') {
            if (found)
                return NULL; /* ambiguous */
            found = &m->columns[i];
        }
    }
    return found;
}

/* ---------------------------------------------------------------------
 * Parser
 */

static int parse_or(filter_parser *p, const char *after, orm_expr **out);

static int enter(filter_parser *p, size_t pos)
{
    if (++p->depth > FILTER_MAX_DEPTH)
        return filter_fail_hint(
            p, ORM_EPARSE, pos, "simplify the parentheses",
            "filter nested too deeply (more than %d levels)", FILTER_MAX_DEPTH);
    return 0;
}

/* Wrap a finished node, setting its position; frees args on failure. */
static int build(filter_parser *p, orm_op op, orm_expr **args, size_t n,
                 size_t pos, orm_expr **out)
{
    *out = orm_expr_op(op, args, n);
    if (!*out)
        return filter_nomem(p);
    if ((*out)->kind == ORM_EXPR_OP && (*out)->op == op && !(*out)->pos)
        (*out)->pos = pos;
    return 0;
}

static const orm_op operator_words[] = {
    ORM_OP_LIKE,       ORM_OP_ILIKE,       ORM_OP_CONTAINS, ORM_OP_ICONTAINS,
    ORM_OP_STARTSWITH, ORM_OP_ISTARTSWITH, ORM_OP_ENDSWITH, ORM_OP_IENDSWITH,
    ORM_OP_IN,         ORM_OP_BETWEEN,
};

/* A bare word where an operator belongs: suggest the closest one. */
static int unknown_operator(filter_parser *p)
{
    static const struct {
        const char *typed;
        const char *meant;
    } aliases[] = {
        {"eq", "="},         {"equals", "="},       {"ne", "!="},
        {"lt", "<"},         {"le", "<="},          {"gt", ">"},
        {"ge", ">="},        {"isnull", "is null"}, {"notnull", "is not null"},
        {"has", "contains"}, {"matches", "like"},   {"regexp", "like"},
        {"glob", "like"},
    };
    const char *word = p->tok.text;
    const char *best = NULL;
    char hint[96];

    for (size_t i = 0; i < ORM_ARRAY_LEN(aliases); i++)
        if (filter_word_is(word, strlen(word), aliases[i].typed))
            best = aliases[i].meant;
    if (!best) {
        orm_suggestion sg = {word, NULL, 0};
        for (size_t i = 0; i < ORM_ARRAY_LEN(operator_words); i++)
            orm_suggest(&sg, orm_op_text(operator_words[i]));
        best = sg.best;
    }
    if (best)
        snprintf(hint, sizeof hint, "did you mean '%s'?", best);
    else
        snprintf(hint, sizeof hint,
                 "operators: = != < <= > >= like ilike contains startswith "
                 "endswith in between is null");
    char shown[SHOW_SIZE];
    return filter_fail_hint(p, ORM_EPARSE, p->tok.pos, hint,
                            "unknown operator %s",
                            filter_show_token(p, shown, sizeof shown));
}

/* The operand list of IN: '(' literal (',' literal)* ')'. */
static int parse_in_list(filter_parser *p, const orm_column *col,
                         orm_expr *column, size_t op_pos, orm_expr **out)
{
    orm_expr **args = NULL;
    size_t n = 0, cap = 0;
    char shown[SHOW_SIZE];
    int rc;

    args = orm_malloc(4 * sizeof *args);
    if (!args) {
        orm_expr_free(column);
        return filter_nomem(p);
    }
    cap = 4;
    args[n++] = column;
    if (p->tok.kind != TOK_LPAREN) {
        if (p->tok.kind == TOK_END)
            rc = filter_fail_hint(p, ORM_EPARSE, p->tok.pos,
                                  "write the values in parentheses: in (1, 2)",
                                  "expected '(' after 'in'");
        else
            rc = filter_fail_hint(p, ORM_EPARSE, p->tok.pos,
                                  "write the values in parentheses: in (1, 2)",
                                  "expected '(' after 'in', found %s",
                                  filter_show_token(p, shown, sizeof shown));
        goto done;
    }
    if ((rc = filter_lex_next(p)) != 0)
        goto done;
    if (p->tok.kind == TOK_RPAREN) {
        rc = fail(p, ORM_EPARSE, p->tok.pos, "'in' needs at least one value");
        goto done;
    }
    const char *after = "'('";
    for (;;) {
        orm_expr *v = NULL;
        if (n == cap) {
            orm_expr **grown = orm_realloc(args, 2 * cap * sizeof *args);
            if (!grown) {
                rc = filter_nomem(p);
                goto done;
            }
            args = grown;
            cap *= 2;
        }
        if ((rc = filter_parse_value(p, col, ORM_OP_IN, "in", after, &v)) != 0)
            goto done;
        args[n++] = v;
        if (p->tok.kind == TOK_COMMA) {
            after = "','";
            if ((rc = filter_lex_next(p)) != 0)
                goto done;
            continue;
        }
        if (p->tok.kind == TOK_RPAREN)
            break;
        if (p->tok.kind == TOK_END)
            rc = fail(p, ORM_EPARSE, p->tok.pos,
                      "expected ',' or ')' in the 'in' list");
        else
            rc = fail(p, ORM_EPARSE, p->tok.pos,
                      "expected ',' or ')' in the 'in' list, found %s",
                      filter_show_token(p, shown, sizeof shown));
        goto done;
    }
    if ((rc = filter_lex_next(p)) != 0)
        goto done;
    rc = build(p, ORM_OP_IN, args, n, op_pos, out);
    n = 0;

done:
    for (size_t i = 0; i < n; i++)
        orm_expr_free(args[i]);
    free(args);
    return rc;
}

/* What follows 'column [not]': the operator and its values. */
static int parse_operator(filter_parser *p, const orm_column *col,
                          orm_expr *column, int negated, orm_expr **out)
{
    filter_token *t = &p->tok;
    size_t op_pos = t->pos;
    char spelled[SHOW_SIZE];
    char after[SHOW_SIZE + 4];
    char shown[SHOW_SIZE];
    orm_expr *a = NULL, *b = NULL;
    int rc;

    *out = NULL;
    filter_show_source(spelled, sizeof spelled, p->text + t->start,
                       t->end - t->start, 0);
    snprintf(after, sizeof after, "'%s'", spelled);

    if (t->kind == TOK_CMP && !negated) {
        orm_op op = t->op;
        if ((rc = filter_lex_next(p)) != 0)
            goto fail;
        if ((rc = filter_parse_value(p, col, op, spelled, after, &a)) != 0)
            goto fail;
        orm_expr *args[2] = {column, a};
        return build(p, op, args, 2, op_pos, out);
    }
    if (t->kind == TOK_IDENT && t->kw == KW_TEXTOP) {
        orm_op op = t->op;
        if (col && !column_is_text(col)) {
            rc =
                fail(p, ORM_ETYPE, op_pos, "%s needs a text column; '%s' is %s",
                     orm_op_text(op), col->name, orm_type_name(col->type));
            if (rc != ORM_ENOMEM &&
                orm_error_set_column(p->err, col->name) != 0)
                rc = ORM_ENOMEM;
            goto fail;
        }
        if ((rc = filter_lex_next(p)) != 0)
            goto fail;
        if ((rc = filter_parse_value(p, col, op, orm_op_text(op), after, &a)) !=
            0)
            goto fail;
        orm_expr *args[2] = {column, a};
        return build(p, op, args, 2, op_pos, out);
    }
    if (t->kind == TOK_IDENT && t->kw == KW_IN) {
        if ((rc = filter_lex_next(p)) != 0)
            goto fail;
        return parse_in_list(p, col, column, op_pos, out);
    }
    if (t->kind == TOK_IDENT && t->kw == KW_BETWEEN) {
        if ((rc = filter_lex_next(p)) != 0)
            goto fail;
        rc = filter_parse_value(p, col, ORM_OP_BETWEEN, "between", "'between'",
                                &a);
        if (rc != 0)
            goto fail;
        if (!filter_tok_is_kw(p, KW_AND)) {
            const char *hint = "write: between 1 and 10";
            if (t->kind == TOK_END)
                rc = filter_fail_hint(p, ORM_EPARSE, t->pos, hint,
                                      "expected 'and' after the first value of "
                                      "'between'");
            else
                rc =
                    filter_fail_hint(p, ORM_EPARSE, t->pos, hint,
                                     "expected 'and' after the first value of "
                                     "'between', found %s",
                                     filter_show_token(p, shown, sizeof shown));
            goto fail;
        }
        if ((rc = filter_lex_next(p)) != 0)
            goto fail;
        rc = filter_parse_value(p, col, ORM_OP_BETWEEN, "between",
                                "'between ... and'", &b);
        if (rc != 0)
            goto fail;
        orm_expr *args[3] = {column, a, b};
        return build(p, ORM_OP_BETWEEN, args, 3, op_pos, out);
    }
    if (t->kind == TOK_IDENT && t->kw == KW_IS && !negated) {
        orm_op op = ORM_OP_IS_NULL;
        if ((rc = filter_lex_next(p)) != 0)
            goto fail;
        if (filter_tok_is_kw(p, KW_NOT)) {
            op = ORM_OP_IS_NOT_NULL;
            if ((rc = filter_lex_next(p)) != 0)
                goto fail;
        }
        if (!filter_tok_is_kw(p, KW_NULL)) {
            const char *want = op == ORM_OP_IS_NULL
                                   ? "expected 'null' or 'not null' after 'is'"
                                   : "expected 'null' after 'is not'";
            const char *hint = "'is' only tests for null; compare values "
                               "with =";
            if (t->kind == TOK_END)
                rc = filter_fail_hint(p, ORM_EPARSE, t->pos, hint, "%s", want);
            else
                rc = filter_fail_hint(
                    p, ORM_EPARSE, t->pos, hint, "%s, found %s", want,
                    filter_show_token(p, shown, sizeof shown));
            goto fail;
        }
        if ((rc = filter_lex_next(p)) != 0)
            goto fail;
        return build(p, op, &column, 1, op_pos, out);
    }

    /* nothing valid here: say what was expected */
    if (negated) {
        const char *hint = filter_tok_is_kw(p, KW_IS)
                               ? "did you mean 'is not null'?"
                           : t->kind == TOK_CMP ? "write: not (a = 1)"
                                                : NULL;
        if (t->kind == TOK_END)
            rc = filter_fail_hint(
                p, ORM_EPARSE, t->pos, hint,
                "expected 'in', 'between', 'like' or another text "
                "operator after 'not'");
        else
            rc = filter_fail_hint(
                p, ORM_EPARSE, t->pos, hint,
                "expected 'in', 'between', 'like' or another text "
                "operator after 'not', found %s",
                filter_show_token(p, shown, sizeof shown));
        goto fail;
    }
    if (t->kind == TOK_IDENT && t->kw == KW_NONE) {
        rc = unknown_operator(p);
        goto fail;
    }
    if (t->kind == TOK_END)
        rc = fail(p, ORM_EPARSE, t->pos, "expected an operator after '%s'",
                  column->column);
    else
        rc = filter_fail_hint(
            p, ORM_EPARSE, t->pos,
            t->kind == TOK_IDENT || t->kind == TOK_STRING ||
                    t->kind == TOK_INT || t->kind == TOK_DECIMAL
                ? "operators: = != < <= > >= like contains in "
                  "between is null"
                : NULL,
            "expected an operator after '%s', found %s", column->column,
            filter_show_token(p, shown, sizeof shown));

fail:
    orm_expr_free(column);
    orm_expr_free(a);
    orm_expr_free(b);
    return rc;
}

/* column operator value(s) */
static int parse_predicate(filter_parser *p, const char *after, orm_expr **out)
{
    filter_token *t = &p->tok;
    const orm_column *col = NULL;
    orm_expr *column = NULL;
    char shown[SHOW_SIZE];
    char hint[SHOW_SIZE + 64] = "";
    int rc;

    *out = NULL;
    if (t->kind == TOK_END) {
        if (after)
            return fail(p, ORM_EPARSE, t->pos, "expected a condition after %s",
                        after);
        return fail(p, ORM_EPARSE, t->pos, "expected a condition");
    }
    if (t->kind == TOK_STRING || t->kind == TOK_INT || t->kind == TOK_DECIMAL ||
        (t->kind == TOK_IDENT &&
         (t->kw == KW_TRUE || t->kw == KW_FALSE || t->kw == KW_NULL)))
        return filter_fail_hint(
            p, ORM_EPARSE, t->pos,
            "a condition starts with a column, as in: id = 1",
            "expected a column name, found the value %s",
            filter_show_token(p, shown, sizeof shown));
    if (t->kind == TOK_IDENT && t->kw != KW_NONE) {
        if (t->kw != KW_AND && t->kw != KW_OR && t->kw != KW_NOT)
            snprintf(hint, sizeof hint,
                     "a column with that name must be double-quoted: "
                     "\"%s\"",
                     t->text);
        return filter_fail_hint(p, ORM_EPARSE, t->pos, hint,
                                "expected a column name, found %s",
                                filter_show_token(p, shown, sizeof shown));
    }
    if (t->kind != TOK_IDENT && t->kind != TOK_QIDENT)
        return fail(p, ORM_EPARSE, t->pos, "expected a column name, found %s",
                    filter_show_token(p, shown, sizeof shown));

    if (p->model) {
        col = filter_column_find(p->model, t->text, t->kind == TOK_QIDENT);
        if (!col)
            return unknown_column(p, t->text, t->pos);
        column = orm_col(col->name);
    } else {
        column = orm_col(t->text);
    }
    if (!column)
        return filter_nomem(p);
    column->pos = t->pos;
    if ((rc = filter_lex_next(p)) != 0) {
        orm_expr_free(column);
        return rc;
    }

    if (filter_tok_is_kw(p, KW_NOT)) {
        size_t not_pos = t->pos;
        orm_expr *inner = NULL;
        if ((rc = filter_lex_next(p)) != 0) {
            orm_expr_free(column);
            return rc;
        }
        if ((rc = parse_operator(p, col, column, 1, &inner)) != 0)
            return rc;
        return build(p, ORM_OP_NOT, &inner, 1, not_pos, out);
    }
    return parse_operator(p, col, column, 0, out);
}

/* 'not' not | '(' or ')' | predicate */
static int parse_not(filter_parser *p, const char *after, orm_expr **out)
{
    filter_token *t = &p->tok;
    size_t pos = t->pos;
    char shown[SHOW_SIZE];
    int rc;

    *out = NULL;
    if (filter_tok_is_kw(p, KW_NOT)) {
        orm_expr *inner = NULL;
        if ((rc = enter(p, pos)) != 0 || (rc = filter_lex_next(p)) != 0)
            return rc;
        if ((rc = parse_not(p, "'not'", &inner)) != 0)
            return rc;
        p->depth--;
        return build(p, ORM_OP_NOT, &inner, 1, pos, out);
    }
    if (t->kind == TOK_LPAREN) {
        if ((rc = enter(p, pos)) != 0 || (rc = filter_lex_next(p)) != 0)
            return rc;
        if (t->kind == TOK_RPAREN)
            return fail(p, ORM_EPARSE, t->pos,
                        "expected a condition inside '()'");
        if ((rc = parse_or(p, "'('", out)) != 0)
            return rc;
        if (t->kind != TOK_RPAREN) {
            if (t->kind == TOK_END)
                rc = filter_fail_hint(p, ORM_EPARSE, pos, "add ')' to close it",
                                      "unclosed '('");
            else
                rc = filter_fail_hint(
                    p, ORM_EPARSE, t->pos,
                    t->kind == TOK_IDENT && t->kw == KW_NONE
                        ? "missing 'and' or 'or'?"
                        : NULL,
                    "expected ')' to close the '(' at %zu, found %s", pos,
                    filter_show_token(p, shown, sizeof shown));
            orm_expr_free(*out);
            *out = NULL;
            return rc;
        }
        p->depth--;
        if ((rc = filter_lex_next(p)) != 0) {
            orm_expr_free(*out);
            *out = NULL;
        }
        return rc;
    }
    return parse_predicate(p, after, out);
}

/* One level of AND or OR: operand (kw operand)*. `after` names what
 * came before the first operand, for "expected a condition after ...". */
static int parse_chain(filter_parser *p, enum filter_kw kw, orm_op op,
                       const char *after, orm_expr **out)
{
    orm_expr **args = NULL;
    size_t n = 0, cap = 0, op_pos = 0;
    int rc = 0;

    *out = NULL;
    for (;;) {
        orm_expr *e = NULL;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 4;
            orm_expr **grown = orm_realloc(args, ncap * sizeof *args);
            if (!grown) {
                rc = filter_nomem(p);
                goto done;
            }
            args = grown;
            cap = ncap;
        }
        if (kw == KW_OR)
            rc = parse_chain(p, KW_AND, ORM_OP_AND, after, &e);
        else
            rc = parse_not(p, after, &e);
        if (rc != 0)
            goto done;
        args[n++] = e;
        if (!filter_tok_is_kw(p, kw))
            break;
        if (!op_pos)
            op_pos = p->tok.pos;
        after = kw == KW_AND ? "'and'" : "'or'";
        if ((rc = filter_lex_next(p)) != 0)
            goto done;
    }
    rc = build(p, op, args, n, op_pos, out);
    n = 0;

done:
    for (size_t i = 0; i < n; i++)
        orm_expr_free(args[i]);
    free(args);
    return rc;
}

static int parse_or(filter_parser *p, const char *after, orm_expr **out)
{
    return parse_chain(p, KW_OR, ORM_OP_OR, after, out);
}

static int parser_init(filter_parser *p, const char *text,
                       const orm_model *model, orm_error *err)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    p->len = strlen(text);
    p->model = model;
    p->err = err;
    p->tok.op = ORM_OP_COUNT;

    /* reject broken UTF-8 up front, wherever it is */
    for (size_t i = 0; i < p->len;) {
        unsigned cp;
        size_t n =
            filter_utf8_next((const unsigned char *)text + i, p->len - i, &cp);
        if (n == 0)
            return fail(p, ORM_EPARSE, filter_char_pos(p, i), "invalid UTF-8");
        i += n;
    }
    return filter_lex_next(p);
}

int orm_filter_parse(orm_expr **out, const char *text, const orm_model *model,
                     orm_error *err)
{
    filter_parser p;
    orm_expr *e = NULL;
    char shown[SHOW_SIZE];
    int rc;

    if (!out)
        return orm_error_set(err, ORM_EINVALID, "no place for the filter");
    *out = NULL;
    if (!text)
        return orm_error_set(err, ORM_EINVALID, "no filter text");
    if ((rc = parser_init(&p, text, model, err)) != 0)
        goto done;
    if (p.tok.kind == TOK_END) {
        rc = orm_error_set(err, ORM_EPARSE, "empty filter");
        goto done;
    }
    if ((rc = parse_or(&p, NULL, &e)) != 0)
        goto done;
    if (p.tok.kind != TOK_END) {
        const filter_token *t = &p.tok;
        const char *hint = NULL;
        if (t->kind == TOK_IDENT && (t->kw == KW_NONE || t->kw == KW_NOT))
            hint = "missing 'and' or 'or'?";
        else if (t->kind == TOK_QIDENT || t->kind == TOK_LPAREN)
            hint = "missing 'and' or 'or'?";
        else if (t->kind == TOK_RPAREN)
            hint = "no '(' to close";
        else if (t->kind == TOK_CMP)
            hint = "a condition compares one column with a value";
        rc = filter_fail_hint(&p, ORM_EPARSE, t->pos, hint, "unexpected %s",
                              filter_show_token(&p, shown, sizeof shown));
        goto done;
    }
    *out = e;
    e = NULL;

done:
    orm_expr_free(e);
    free(p.tok.text);
    return rc;
}

int orm_filter_parse_literal(orm_value *out, const char *text,
                             const orm_column *col, orm_error *err)
{
    filter_parser p;
    filter_literal lit = {LIT_NULL, NULL, 0};
    char shown[SHOW_SIZE];
    int rc;

    if (!out)
        return orm_error_set(err, ORM_EINVALID, "no place for the value");
    *out = orm_value_null();
    if (!text)
        return orm_error_set(err, ORM_EINVALID, "no value text");
    if ((rc = parser_init(&p, text, NULL, err)) != 0)
        goto done;
    if (p.tok.kind == TOK_END) {
        rc = filter_fail_hint(&p, ORM_EPARSE, p.tok.pos,
                              "write 'text', a number, true, false or null",
                              "expected a value");
        goto done;
    }
    if ((rc = filter_read_literal(&p, &lit, NULL)) != 0)
        goto done;
    if (p.tok.kind != TOK_END) {
        rc = filter_fail_hint(&p, ORM_EPARSE, p.tok.pos,
                              "a single value is expected here",
                              "unexpected %s after the value",
                              filter_show_token(&p, shown, sizeof shown));
        goto done;
    }
    rc = filter_literal_value(&p, &lit, col, 0, out);

done:
    filter_literal_clear(&lit);
    free(p.tok.text);
    return rc;
}
