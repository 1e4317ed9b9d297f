/*
 * The models file's column lines: "name = Type(args) option ...": the
 * type and its arguments, options and their values, defaults checked
 * against the type, references, and the orm_column they become.
 */
#include "modelfile_read.h"
#include "alloc.h"

static const char *const mf_options[] = {
    "primary_key", "unique",         "not_null",      "nullable",
    "index",       "secret",         "autoincrement", "no_autoincrement",
    "default",     "server_default", "references",
};
#define MF_NOPTIONS     (sizeof mf_options / sizeof mf_options[0])
#define MF_FIRST_VALUED 8 /* options from here on take "=value" */

/* ---- columns ---- */

/* What one column line declares, before it becomes an orm_column. */
typedef struct mf_coldef {
    orm_column col;
    char *type_text;
    char *default_value;
    char *default_gen;
    char *server_default;
    char *ref_table;
    char *ref_column;
    int default_null;
    int nullable;
    int ok;
} mf_coldef;

static void mf_coldef_clear(mf_coldef *def)
{
    free(def->type_text);
    free(def->default_value);
    free(def->default_gen);
    free(def->server_default);
    free(def->ref_table);
    free(def->ref_column);
}

/* One option token: up to a blank outside single quotes. Returns 0, or -1
 * when a quote is left open. */
static int mf_next_token(const char **p, const char **start, const char **end)
{
    const char *s = *p;
    int quoted = 0;
    while (isspace((unsigned char)*s))
        s++;
    *start = s;
    while (*s && (quoted || !isspace((unsigned char)*s))) {
        if (*s == '\'')
            quoted = !quoted;
        s++;
    }
    *end = s;
    *p = s;
    return quoted ? -1 : 0;
}

/* Is [s, e) an option name, with or without "=value"? */
static int mf_token_is_option(const char *s, const char *e)
{
    const char *eq = memchr(s, '=', (size_t)(e - s));
    return mf_find(s, (size_t)((eq ? eq : e) - s), mf_options, MF_NOPTIONS) >=
           0;
}

static int mf_is_number(const char *s)
{
    const char *p = s;
    int digits = 0;
    if (*p == '-' || *p == '+')
        p++;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits = 1;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits = 1;
        }
    }
    if (digits && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return digits && *p == '\0';
}

/* Does a value made from `text` fit the column? Reports when not. */
static void mf_check_fit(mf_ctx *ctx, mf_coldef *def, const char *shown,
                         const char *text)
{
    orm_value v = ORM_VALUE_NULL_INIT;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_value_parse(&v, &def->col, text, &err);
    if (rc == ORM_ENOMEM)
        ctx->nomem = 1;
    else if (rc)
        mf_problem(ctx, ctx->lineno,
                   "default %s does not fit column '%s' (%s): %s", shown,
                   def->col.name, def->type_text, orm_error_text(&err));
    if (rc)
        def->ok = 0;
    orm_value_clear(&v);
    orm_error_clear(&err);
}

/* default=LITERAL: 'text' ('' for a quote), numbers, true, false, null,
 * or a generator such as token_hex(16). */
static void mf_default(mf_ctx *ctx, mf_coldef *def, const char *s,
                       const char *e)
{
    size_t n = (size_t)(e - s);
    char *text = orm_strndup(s, n);
    if (!text)
        goto nomem;
    if (*s == '\'') {
        char *dst = text;
        const char *p = s + 1;
        for (; p < e; p++) {
            if (*p == '\'' && p + 1 < e && p[1] == '\'')
                *dst++ = *p++;
            else if (*p == '\'')
                break;
            else
                *dst++ = *p;
        }
        *dst = '\0';
        if (p + 1 != e) {
            mf_problem(ctx, ctx->lineno,
                       "text after the closing quote in default=%.*s", (int)n,
                       s);
            def->ok = 0;
            goto done;
        }
        def->default_value = text;
        text = NULL;
    } else if (strcasecmp(text, "null") == 0) {
        def->default_null = 1;
    } else if (strcasecmp(text, "true") == 0 ||
               strcasecmp(text, "false") == 0 || mf_is_number(text)) {
        def->default_value = text;
        text = NULL;
    } else if (n > 2 && e[-1] == ')' && memchr(s, '(', n)) {
        def->default_gen = text;
        text = NULL;
    } else {
        mf_problem(ctx, ctx->lineno,
                   "default=%s is not a literal (quote text: "
                   "default='%s')",
                   text, text);
        def->ok = 0;
    }
    goto done;
nomem:
    ctx->nomem = 1;
done:
    free(text);
}

/* references=TABLE.COLUMN (the last '.' splits, so a schema may lead). */
static void mf_references(mf_ctx *ctx, mf_coldef *def, const char *s,
                          const char *e)
{
    const char *dot = NULL;
    for (const char *p = s; p < e; p++)
        if (*p == '.')
            dot = p;
    if (!dot || dot == s || dot + 1 == e) {
        mf_problem(ctx, ctx->lineno,
                   "references=%.*s needs TABLE.COLUMN (e.g. "
                   "references=accounts.id)",
                   (int)(e - s), s);
        def->ok = 0;
        return;
    }
    if (!(def->ref_table = orm_strndup(s, (size_t)(dot - s))) ||
        !(def->ref_column = orm_strndup(dot + 1, (size_t)(e - dot - 1))))
        ctx->nomem = 1;
}

static void mf_unknown_option(mf_ctx *ctx, mf_coldef *def, const char *s,
                              size_t n)
{
    char *word = orm_strndup(s, n);
    if (!word) {
        ctx->nomem = 1;
        return;
    }
    const char *hint = mf_suggest(word, mf_options, MF_NOPTIONS);
    if (hint)
        mf_problem(ctx, ctx->lineno, "unknown option '%s' (did you mean '%s'?)",
                   word, hint);
    else
        mf_problem(ctx, ctx->lineno,
                   "unknown option '%s' (known: primary_key, unique, "
                   "not_null, nullable, index, secret, autoincrement, "
                   "no_autoincrement, default=, server_default=, "
                   "references=)",
                   word);
    def->ok = 0;
    free(word);
}

/* Options after the type. */
static void mf_options_parse(mf_ctx *ctx, mf_coldef *def, const char *p)
{
    static const unsigned flags[] = {ORM_PK,      ORM_UNIQUE,    ORM_NOT_NULL,
                                     0,           ORM_INDEX,     ORM_SECRET,
                                     ORM_AUTOINC, ORM_NO_AUTOINC};
    const char *s, *e;
    while (!ctx->nomem) {
        if (mf_next_token(&p, &s, &e) != 0) {
            int in_comment = 0;
            for (size_t i = 1; i < ctx->line_len; i++)
                if (ctx->line[i] == ';' &&
                    isspace((unsigned char)ctx->line[i - 1]))
                    in_comment = 1;
            mf_problem(ctx, ctx->lineno, "unterminated quote in %s%s", s,
                       in_comment ? " (note: ' ;' starts a comment)" : "");
            def->ok = 0;
            return;
        }
        if (s == e)
            return;
        if (*s == '#') {
            mf_problem(ctx, ctx->lineno,
                       "'#' starts a comment only at the start of a line "
                       "(use ' ;' after a value)");
            def->ok = 0;
            return;
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        size_t name_len = (size_t)((eq ? eq : e) - s);
        int opt = mf_find(s, name_len, mf_options, MF_NOPTIONS);
        if (opt < 0) {
            mf_unknown_option(ctx, def, s, name_len);
            continue;
        }
        if (opt < MF_FIRST_VALUED) {
            if (eq) {
                mf_problem(ctx, ctx->lineno, "option '%s' takes no value",
                           mf_options[opt]);
                def->ok = 0;
            } else if (opt == 3) {
                def->nullable = 1;
            } else {
                def->col.flags |= flags[opt];
            }
            continue;
        }
        if (!eq || eq + 1 == e) {
            mf_problem(ctx, ctx->lineno, "option '%s' needs a value (%s=...)",
                       mf_options[opt], mf_options[opt]);
            def->ok = 0;
            continue;
        }
        int twice =
            (opt == 8 &&
             (def->default_value || def->default_gen || def->default_null)) ||
            (opt == 9 && def->server_default) || (opt == 10 && def->ref_table);
        if (twice) {
            mf_problem(ctx, ctx->lineno, "option '%s' given twice",
                       mf_options[opt]);
            def->ok = 0;
            continue;
        }
        if (opt == 8) {
            mf_default(ctx, def, eq + 1, e);
        } else if (opt == 10) {
            mf_references(ctx, def, eq + 1, e);
        } else {
            /* server_default is SQL text up to the next option. */
            const char *sql = eq + 1, *sql_end = e, *q = p;
            for (;;) {
                const char *ts, *te;
                const char *before = q;
                if (mf_next_token(&q, &ts, &te) != 0 || ts == te ||
                    mf_token_is_option(ts, te)) {
                    p = before;
                    break;
                }
                sql_end = te;
                p = q;
            }
            def->server_default = orm_strndup(sql, (size_t)(sql_end - sql));
            if (!def->server_default)
                ctx->nomem = 1;
        }
    }
}

/* Checks that need the whole line. */
static void mf_column_check(mf_ctx *ctx, mf_coldef *def)
{
    orm_column *col = &def->col;
    if (def->nullable && (col->flags & ORM_NOT_NULL)) {
        mf_problem(ctx, ctx->lineno,
                   "column '%s' is both not_null and nullable", col->name);
        def->ok = 0;
    }
    if (def->nullable && (col->flags & ORM_PK)) {
        mf_problem(ctx, ctx->lineno,
                   "primary key column '%s' cannot be nullable", col->name);
        def->ok = 0;
    }
    if ((col->flags & ORM_AUTOINC) && (col->flags & ORM_NO_AUTOINC)) {
        mf_problem(ctx, ctx->lineno,
                   "column '%s' is both autoincrement and no_autoincrement",
                   col->name);
        def->ok = 0;
    }
    if (def->default_null && !orm_column_nullable(col)) {
        mf_problem(ctx, ctx->lineno,
                   "default null on column '%s', which is not nullable",
                   col->name);
        def->ok = 0;
    }
    if (def->default_value) {
        orm_buf shown = ORM_BUF_INIT;
        orm_buf_appendf(&shown, "'%s'", def->default_value);
        if (!orm_buf_str(&shown))
            ctx->nomem = 1;
        else
            mf_check_fit(ctx, def, orm_buf_str(&shown), def->default_value);
        orm_buf_free(&shown);
    }
    if (def->default_gen) {
        /* Run the generator once: it tells whether it exists, and what
         * it makes must fit the column (token_hex(16) in String(20)). */
        orm_value v = ORM_VALUE_NULL_INIT;
        orm_error err = ORM_ERROR_INIT;
        int rc = orm_default_generate(&v, def->default_gen, &err);
        if (rc == ORM_ENOMEM) {
            ctx->nomem = 1;
        } else if (rc) {
            mf_problem(ctx, ctx->lineno, "%s", orm_error_text(&err));
            def->ok = 0;
        } else if (v.kind == ORM_VTEXT) {
            char *text = orm_strndup(v.u.s.ptr, v.u.s.len);
            if (!text)
                ctx->nomem = 1;
            else
                mf_check_fit(ctx, def, def->default_gen, text);
            free(text);
        }
        orm_value_clear(&v);
        orm_error_clear(&err);
    }
}

/* Add a column (kept) or remember it as dropped, with its line. */
static void mf_column_store(mf_ctx *ctx, mf_coldef *def)
{
    mf_section *sec = &ctx->sec;
    if (!def->ok) {
        if (mf_add_mark(&sec->dropped, &sec->ndropped, def->col.name,
                        ctx->lineno))
            ctx->nomem = 1;
        return;
    }
    def->col.default_value = def->default_value;
    def->col.default_gen = def->default_gen;
    def->col.server_default = def->server_default;
    def->col.ref_table = def->ref_table;
    def->col.ref_column = def->ref_column;
    size_t n = sec->scratch->ncolumns;
    if (n == sec->column_lines_cap) {
        size_t cap = n ? n * 2 : 8;
        int *grown = orm_realloc(sec->column_lines, cap * sizeof *grown);
        if (!grown) {
            ctx->nomem = 1;
            return;
        }
        sec->column_lines = grown;
        sec->column_lines_cap = cap;
    }
    if (orm_model_add_column(sec->scratch, &def->col)) {
        ctx->nomem = 1;
        return;
    }
    sec->column_lines[n] = ctx->lineno;
}

/* NAME = TYPE [options...] */
void mf_column(mf_ctx *ctx, const char *name, const char *value)
{
    mf_section *sec = &ctx->sec;
    mf_coldef def;
    memset(&def, 0, sizeof def);
    def.col.name = name;
    def.ok = 1;
    int index = orm_model_column_index(sec->scratch, name);
    const mf_mark *dropped = mf_find_mark(sec->dropped, sec->ndropped, name);
    if (index >= 0 || dropped) {
        mf_problem(ctx, ctx->lineno,
                   "duplicate column '%s' (first declared at line %d)", name,
                   index >= 0 ? sec->column_lines[index] : dropped->line);
        return;
    }
    if (!mf_is_identifier(name)) {
        mf_problem(ctx, ctx->lineno,
                   "column name '%s' may only have letters, digits and '_'",
                   name);
        def.ok = 0;
        goto store;
    }
    /* The type runs to the first blank outside its parentheses, so
     * "Numeric(10, 2)" is one type. */
    const char *p = value;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    const char *q = p;
    while (isspace((unsigned char)*q))
        q++;
    if (*q == '(') {
        const char *close = strchr(q, ')');
        p = close ? close + 1 : q + strlen(q);
    }
    if (p == value) {
        mf_problem(ctx, ctx->lineno,
                   "column '%s' needs a type (e.g. %s = Integer)", name, name);
        def.ok = 0;
        goto store;
    }
    if (!(def.type_text = orm_strndup(value, (size_t)(p - value))))
        goto nomem;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_type_parse(def.type_text, &def.col, &err);
    if (rc == ORM_ENOMEM) {
        orm_error_clear(&err);
        goto nomem;
    }
    if (rc) {
        mf_problem(ctx, ctx->lineno, "%s", orm_error_text(&err));
        def.ok = 0;
    }
    orm_error_clear(&err);
    mf_options_parse(ctx, &def, p);
    if (rc == 0 && def.ok && !ctx->nomem)
        mf_column_check(ctx, &def);
store:
    if (!ctx->nomem)
        mf_column_store(ctx, &def);
    mf_coldef_clear(&def);
    return;
nomem:
    ctx->nomem = 1;
    mf_coldef_clear(&def);
}
