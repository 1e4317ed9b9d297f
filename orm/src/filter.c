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
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "orm/expr.h"
#include "orm/sys/buf.h"
#include "orm/sys/datetime.h"
#include "orm/sys/number.h"
#include "orm/sys/suggest.h"
#include "util.h"

/* Parentheses and 'not' deeper than this are refused, so hostile input
 * cannot exhaust the stack (here or in the recursive tree functions). */
#define FILTER_MAX_DEPTH 200

/* Longest token text quoted back in a message. */
#define FILTER_SHOW_MAX 40

/* ---------------------------------------------------------------------
 * Keywords
 */

enum filter_kw {
    KW_NONE,
    KW_AND,
    KW_OR,
    KW_NOT,
    KW_IN,
    KW_BETWEEN,
    KW_IS,
    KW_NULL,
    KW_TRUE,
    KW_FALSE,
    KW_TEXTOP /* like, ilike, contains, ... (see `op`) */
};

static const struct filter_keyword {
    const char *word;
    enum filter_kw kw;
    orm_op op;
} filter_keywords[] = {
    {"and", KW_AND, ORM_OP_AND},
    {"or", KW_OR, ORM_OP_OR},
    {"not", KW_NOT, ORM_OP_NOT},
    {"in", KW_IN, ORM_OP_IN},
    {"between", KW_BETWEEN, ORM_OP_BETWEEN},
    {"is", KW_IS, ORM_OP_IS_NULL},
    {"null", KW_NULL, ORM_OP_COUNT},
    {"true", KW_TRUE, ORM_OP_COUNT},
    {"false", KW_FALSE, ORM_OP_COUNT},
    {"like", KW_TEXTOP, ORM_OP_LIKE},
    {"ilike", KW_TEXTOP, ORM_OP_ILIKE},
    {"contains", KW_TEXTOP, ORM_OP_CONTAINS},
    {"icontains", KW_TEXTOP, ORM_OP_ICONTAINS},
    {"startswith", KW_TEXTOP, ORM_OP_STARTSWITH},
    {"istartswith", KW_TEXTOP, ORM_OP_ISTARTSWITH},
    {"endswith", KW_TEXTOP, ORM_OP_ENDSWITH},
    {"iendswith", KW_TEXTOP, ORM_OP_IENDSWITH},
};

#define FILTER_NKEYWORDS (sizeof filter_keywords / sizeof filter_keywords[0])

static int filter_ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int filter_is_ident_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int filter_is_ident_char(int c)
{
    return filter_is_ident_start(c) || is_digit(c);
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Case-insensitive comparison of s[0..n) with a lower-case word. */
static int filter_word_is(const char *s, size_t n, const char *word)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!word[i] || filter_ascii_lower((unsigned char)s[i]) != word[i])
            return 0;
    return word[i] == '\0';
}

static const struct filter_keyword *filter_keyword_find(const char *s, size_t n)
{
    for (size_t i = 0; i < FILTER_NKEYWORDS; i++)
        if (filter_word_is(s, n, filter_keywords[i].word))
            return &filter_keywords[i];
    return NULL;
}

static int filter_is_text_op(orm_op op)
{
    return op >= ORM_OP_LIKE && op <= ORM_OP_IENDSWITH;
}

/* ---------------------------------------------------------------------
 * Small text helpers: UTF-8
 */

/* Length of the valid UTF-8 sequence at s (avail bytes left) and its code
 * point in *cp, 0 if invalid: no overlongs, surrogates or code points past
 * U+10FFFF. */
static size_t filter_utf8_next(const unsigned char *s, size_t avail,
                               unsigned *cp)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)avail, &c);
    if (n <= 0)
        return 0;
    *cp = (unsigned)c;
    return (size_t)n;
}

static int is_letter(unsigned cp)
{
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

/* Letters, combining marks and digits: what a name may continue with. */
static int is_name_char(unsigned cp)
{
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
}

/* ---------------------------------------------------------------------
 * Lexer
 */

enum tok_kind {
    TOK_END,
    TOK_IDENT,   /* bare word: a column or a keyword (see kw) */
    TOK_QIDENT,  /* "double quoted" column name, text unescaped */
    TOK_STRING,  /* 'single quoted', text unescaped */
    TOK_INT,     /* text: digits with optional '-' */
    TOK_DECIMAL, /* text: normalized ("0.5" for ".5") */
    TOK_CMP,     /* = == != <> < <= > >= (see op) */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_COMMA
};

typedef struct filter_token {
    enum tok_kind kind;
    enum filter_kw kw; /* TOK_IDENT: which keyword, or KW_NONE */
    orm_op op;         /* TOK_CMP and text-operator keywords */
    size_t start, end; /* byte range in the text */
    size_t pos;        /* 1-based character position */
    char *text;        /* owned, see tok_kind */
} filter_token;

typedef struct filter_parser {
    const char *text;
    size_t len;
    size_t at; /* lexer's byte offset */
    filter_token tok;
    const orm_model *model; /* NULL: columns unchecked, literals untyped */
    orm_error *err;
    int depth;
    size_t cache_byte; /* character counting resumes from here */
    size_t cache_char;
} filter_parser;

/* 1-based character position of a byte offset. Tokens come in order, so
 * counting resumes where the previous call stopped. */
static size_t filter_char_pos(filter_parser *p, size_t byte)
{
    if (byte < p->cache_byte) {
        p->cache_byte = 0;
        p->cache_char = 0;
    }
    while (p->cache_byte < byte) {
        if (((unsigned char)p->text[p->cache_byte] & 0xC0) != 0x80)
            p->cache_char++;
        p->cache_byte++;
    }
    return p->cache_char + 1;
}

static int filter_nomem(filter_parser *p)
{
    return orm_error_set(p->err, ORM_ENOMEM, "out of memory reading filter");
}

/*
 * Set the error: "<message> at <pos>" then " (<hint>)" when a hint is
 * given. Returns the code, or ORM_ENOMEM when the message cannot be built.
 */
static int filter_fail_hint(filter_parser *p, int code, size_t pos,
                            const char *hint, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static int filter_fail_hint(filter_parser *p, int code, size_t pos,
                            const char *hint, const char *fmt, ...)
{
    orm_buf msg = ORM_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    orm_buf_vappendf(&msg, fmt, ap);
    va_end(ap);
    orm_buf_appendf(&msg, " at %zu", pos);
    if (hint && *hint)
        orm_buf_appendf(&msg, " (%s)", hint);
    if (msg.failed) {
        orm_buf_free(&msg);
        orm_error_set(p->err, ORM_ENOMEM, NULL);
        return ORM_ENOMEM;
    }
    orm_error_set(p->err, code, "%s", orm_buf_str(&msg));
    orm_buf_free(&msg);
    if (p->err && !p->err->message)
        return filter_nomem(p); /* the message itself could not be kept */
    if (p->err)
        p->err->position = pos;
    return code;
}

#define fail(p, code, pos, ...)                                                \
    filter_fail_hint((p), (code), (pos), NULL, __VA_ARGS__)

/*
 * Quote a piece of source text for a message: 'like', '=', or a string
 * token as written ('it''s'). Long text is cut on a character boundary.
 */
static void filter_show_source(char *out, size_t size, const char *s, size_t n,
                               int quote)
{
    size_t cut = n;
    const char *ellipsis = "";

    if (cut > FILTER_SHOW_MAX) {
        cut = FILTER_SHOW_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        ellipsis = "...";
    }
    if (quote)
        snprintf(out, size, "'%.*s%s'", (int)cut, s, ellipsis);
    else if (cut < n && (s[0] == '\'' || s[0] == '"'))
        snprintf(out, size, "%.*s%s%c", (int)cut, s, ellipsis, s[0]);
    else
        snprintf(out, size, "%.*s%s", (int)cut, s, ellipsis);
}

/* The current token as a message shows it ("end of filter" at the end). */
static const char *filter_show_token(filter_parser *p, char *out, size_t size)
{
    const filter_token *t = &p->tok;
    if (t->kind == TOK_END)
        return "the end of the filter";
    filter_show_source(out, size, p->text + t->start, t->end - t->start,
                       t->kind != TOK_STRING && t->kind != TOK_QIDENT);
    return out;
}

#define SHOW_SIZE (FILTER_SHOW_MAX * 2 + 16)

static int lex_unexpected_char(filter_parser *p, size_t start, size_t pos)
{
    const unsigned char *s = (const unsigned char *)p->text + start;
    unsigned cp = 0;
    size_t n = filter_utf8_next(s, p->len - start, &cp);
    const char *hint = NULL;

    if (n == 0)
        return fail(p, ORM_EPARSE, pos, "invalid UTF-8");
    if (n > 1)
        return fail(p, ORM_EPARSE, pos, "unexpected character '%.*s' (U+%04X)",
                    (int)n, (const char *)s, cp);
    if (s[0] < 0x20 || s[0] == 0x7F)
        return fail(p, ORM_EPARSE, pos, "unexpected control character U+%04X",
                    (unsigned)s[0]);
    switch (s[0]) {
    case '&':
        hint = "use 'and'";
        break;
    case '|':
        hint = "use 'or'";
        break;
    case '`':
    case '[':
        hint = "column names are quoted with double quotes: \"name\"";
        break;
    case '.':
        hint = "write the column name alone, without a table";
        break;
    case ';':
        hint = "a filter is a single condition; join conditions with 'and' "
               "or 'or'";
        break;
    default:
        break;
    }
    return filter_fail_hint(p, ORM_EPARSE, pos, hint,
                            "unexpected character '%c'", s[0]);
}

/* A quoted run: 'text' or "name", with the quote doubled inside. */
static int lex_quoted(filter_parser *p, char quote)
{
    filter_token *t = &p->tok;
    orm_buf text = ORM_BUF_INIT;
    size_t i = p->at + 1;

    for (;;) {
        const char *q = memchr(p->text + i, quote, p->len - i);
        if (!q) {
            orm_buf_free(&text);
            if (quote == '\'')
                return fail(p, ORM_EPARSE, t->pos,
                            "unterminated string starting");
            return fail(p, ORM_EPARSE, t->pos,
                        "unterminated column name starting");
        }
        size_t qi = (size_t)(q - p->text);
        orm_buf_appendn(&text, p->text + i, qi - i);
        if (qi + 1 < p->len && p->text[qi + 1] == quote) {
            orm_buf_appendc(&text, quote);
            i = qi + 2;
            continue;
        }
        i = qi + 1;
        break;
    }
    if (text.failed) {
        orm_buf_free(&text);
        return filter_nomem(p);
    }
    t->text = text.len ? orm_buf_finish(&text) : orm_strdup("");
    orm_buf_free(&text);
    if (!t->text)
        return filter_nomem(p);
    t->kind = quote == '\'' ? TOK_STRING : TOK_QIDENT;
    p->at = i;
    t->end = i;
    if (t->kind == TOK_QIDENT && t->text[0] == '\0')
        return fail(p, ORM_EPARSE, t->pos, "empty column name \"\"");
    return 0;
}

/* [-](digits[.digits*] | .digits)[(e|E)[+-]digits], kept as written. */
static int lex_number(filter_parser *p)
{
    filter_token *t = &p->tok;
    const char *s = p->text;
    size_t i = p->at, n = p->len;
    int decimal = 0;

    if (s[i] == '-')
        i++;
    while (i < n && is_digit(s[i]))
        i++;
    if (i < n && s[i] == '.') {
        decimal = 1;
        i++;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && is_digit(s[j])) {
            while (j < n && is_digit(s[j]))
                j++;
            i = j;
            decimal = 1;
        }
    }
    if (i < n && (filter_is_ident_char((unsigned char)s[i]) || s[i] == '.' ||
                  ((unsigned char)s[i] & 0x80))) {
        size_t j = i;
        while (j < n && (filter_is_ident_char((unsigned char)s[j]) ||
                         s[j] == '.' || ((unsigned char)s[j] & 0x80)))
            j++;
        char shown[SHOW_SIZE];
        filter_show_source(shown, sizeof shown, s + p->at, j - p->at, 1);
        return fail(p, ORM_EPARSE, t->pos, "invalid number %s", shown);
    }
    t->text = orm_strndup(s + p->at, i - p->at);
    if (!t->text)
        return filter_nomem(p);
    t->kind = decimal ? TOK_DECIMAL : TOK_INT;
    p->at = i;
    t->end = i;
    return 0;
}

/* A decimal as column conversion expects it: "0.5" for ".5", "5.0" for
 * "5.", "-0.5" for "-.5". Owned string or NULL. */
static char *filter_decimal_normalize(const char *text)
{
    orm_buf b = ORM_BUF_INIT;
    const char *s = text;

    if (*s == '-')
        orm_buf_appendc(&b, *s++);
    if (*s == '.')
        orm_buf_appendc(&b, '0');
    while (*s) {
        orm_buf_appendc(&b, *s);
        if (*s == '.' && !is_digit((unsigned char)s[1]))
            orm_buf_appendc(&b, '0');
        s++;
    }
    char *out = orm_buf_finish(&b);
    orm_buf_free(&b);
    return out;
}

/* A run of = ! < > characters: one of the comparisons, or a mistake. */
static int lex_cmp(filter_parser *p)
{
    static const struct {
        const char *text;
        orm_op op;
    } cmps[] = {
        {"=", ORM_OP_EQ},  {"==", ORM_OP_EQ}, {"!=", ORM_OP_NE},
        {"<>", ORM_OP_NE}, {"<", ORM_OP_LT},  {"<=", ORM_OP_LE},
        {">", ORM_OP_GT},  {">=", ORM_OP_GE},
    };
    static const struct {
        const char *typed;
        const char *meant;
    } typos[] = {
        {"=>", ">="},  {"=<", "<="}, {"!", "!="},  {"===", "="},
        {"!==", "!="}, {"=!", "!="}, {"><", "!="},
    };
    filter_token *t = &p->tok;
    size_t i = p->at;

    while (i < p->len && strchr("=!<>", p->text[i]))
        i++;
    size_t n = i - p->at;
    const char *s = p->text + p->at;
    for (size_t k = 0; k < sizeof cmps / sizeof cmps[0]; k++) {
        if (strlen(cmps[k].text) == n && memcmp(cmps[k].text, s, n) == 0) {
            t->kind = TOK_CMP;
            t->op = cmps[k].op;
            p->at = i;
            t->end = i;
            return 0;
        }
    }
    char hint[32] = "";
    for (size_t k = 0; k < sizeof typos / sizeof typos[0]; k++)
        if (strlen(typos[k].typed) == n && memcmp(typos[k].typed, s, n) == 0)
            snprintf(hint, sizeof hint, "did you mean '%s'?", typos[k].meant);
    char shown[SHOW_SIZE];
    filter_show_source(shown, sizeof shown, s, n, 1);
    return filter_fail_hint(p, ORM_EPARSE, t->pos, hint, "unknown operator %s",
                            shown);
}

static int lex_word(filter_parser *p)
{
    filter_token *t = &p->tok;
    size_t i = p->at;
    int non_ascii = 0;

    while (i < p->len && (filter_is_ident_char((unsigned char)p->text[i]) ||
                          ((unsigned char)p->text[i] & 0x80))) {
        if ((unsigned char)p->text[i] & 0x80) {
            const unsigned char *s = (const unsigned char *)p->text + i;
            unsigned cp = 0;
            size_t n = filter_utf8_next(s, p->len - i, &cp);
            if (n == 0 || !is_name_char(cp))
                break; /* a symbol: reported by the next token */
            non_ascii = 1;
            i += n;
        } else {
            i++;
        }
    }
    if (non_ascii) {
        char name[SHOW_SIZE], hint[SHOW_SIZE + 32];
        filter_show_source(name, sizeof name, p->text + p->at, i - p->at, 0);
        snprintf(hint, sizeof hint, "write it in double quotes: \"%s\"", name);
        return filter_fail_hint(p, ORM_EPARSE, t->pos, hint,
                                "a name with non-ASCII letters must be quoted");
    }
    const struct filter_keyword *k =
        filter_keyword_find(p->text + p->at, i - p->at);
    t->kind = TOK_IDENT;
    t->kw = k ? k->kw : KW_NONE;
    t->op = k ? k->op : ORM_OP_COUNT;
    t->text = orm_strndup(p->text + p->at, i - p->at);
    if (!t->text)
        return filter_nomem(p);
    p->at = i;
    t->end = i;
    return 0;
}

/* Read the next token into p->tok, releasing the previous one. */
static int filter_lex_next(filter_parser *p)
{
    filter_token *t = &p->tok;
    free(t->text);
    memset(t, 0, sizeof *t);
    t->op = ORM_OP_COUNT;

    while (p->at < p->len && is_space((unsigned char)p->text[p->at]))
        p->at++;
    t->start = p->at;
    t->end = p->at;
    t->pos = filter_char_pos(p, p->at);
    if (p->at >= p->len) {
        t->kind = TOK_END;
        return 0;
    }
    unsigned char c = (unsigned char)p->text[p->at];
    unsigned char next =
        p->at + 1 < p->len ? (unsigned char)p->text[p->at + 1] : 0;
    unsigned char next2 =
        p->at + 2 < p->len ? (unsigned char)p->text[p->at + 2] : 0;

    if (c == '\'' || c == '"')
        return lex_quoted(p, (char)c);
    if (is_digit(c) || (c == '.' && is_digit(next)) ||
        (c == '-' && (is_digit(next) || (next == '.' && is_digit(next2)))))
        return lex_number(p);
    if (filter_is_ident_start(c))
        return lex_word(p);
    if (c >= 0x80) {
        /* a word with non-ASCII letters gets its own message */
        const unsigned char *s = (const unsigned char *)p->text + p->at;
        unsigned cp = 0;
        if (filter_utf8_next(s, p->len - p->at, &cp) && is_letter(cp))
            return lex_word(p);
        return lex_unexpected_char(p, p->at, t->pos);
    }
    if (strchr("=!<>", (char)c))
        return lex_cmp(p);
    if (c == '(' || c == ')' || c == ',') {
        t->kind = c == '(' ? TOK_LPAREN : c == ')' ? TOK_RPAREN : TOK_COMMA;
        p->at++;
        t->end = p->at;
        return 0;
    }
    return lex_unexpected_char(p, p->at, t->pos);
}

static int filter_tok_is_kw(const filter_parser *p, enum filter_kw kw)
{
    return p->tok.kind == TOK_IDENT && p->tok.kw == kw;
}

/* Hand the token's text to the caller. */
static char *filter_tok_take_text(filter_parser *p)
{
    char *text = p->tok.text;
    p->tok.text = NULL;
    return text;
}

/* ---------------------------------------------------------------------
 * Columns
 */

static int column_is_text(const orm_column *col)
{
    return col->type == ORM_STRING || col->type == ORM_TEXT ||
           col->type == ORM_JSON || col->type == ORM_UUID;
}

/* A column name as the printer writes it: bare when it can be. */
static void filter_append_ident(orm_buf *b, const char *name)
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
    int rc = filter_fail_hint(p, ORM_EPARSE, pos, orm_buf_str(&hint),
                              "unknown column '%s'", name);
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
static const orm_column *filter_column_find(const orm_model *m,
                                            const char *name, int quoted)
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
 * Literals and values
 */

enum lit_kind { LIT_TEXT, LIT_INT, LIT_DECIMAL, LIT_TRUE, LIT_FALSE, LIT_NULL };

typedef struct filter_literal {
    enum lit_kind kind;
    char *text; /* owned: the string, the number as written, "true" */
    size_t pos;
} filter_literal;

static void filter_literal_clear(filter_literal *lit)
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
static int filter_read_literal(filter_parser *p, filter_literal *lit,
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

static int is_plain_date(const char *s)
{
    orm_datetime day;
    return orm_datetime_parse(&day, s, strlen(s), ORM_DATE) == ORM_DATETIME_OK;
}

/*
 * The literal as a value of `col` (orm_value_parse does the checking), or
 * its natural kind without a column. `textop`: the value is a pattern or
 * fragment for a text operator, always text.
 */
static int filter_literal_value(filter_parser *p, filter_literal *lit,
                                const orm_column *col, int textop,
                                orm_value *out)
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
    int rc = orm_value_parse(out, col, lit->text, &conv);
    if (rc != 0 && rc != ORM_ENOMEM &&
        (col->type == ORM_DATETIME || col->type == ORM_DATETIMETZ) &&
        is_plain_date(lit->text)) {
        /* '2024-01-31' against a timestamp means its midnight */
        char stamp[32];
        snprintf(stamp, sizeof stamp, "%s 00:00:00", lit->text);
        orm_error retry = ORM_ERROR_INIT;
        orm_value_clear(out);
        int retry_rc = orm_value_parse(out, col, stamp, &retry);
        if (retry_rc == 0 || retry_rc == ORM_ENOMEM)
            rc = retry_rc;
        orm_error_clear(&retry);
    }
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
static int filter_parse_value(filter_parser *p, const orm_column *col,
                              orm_op op, const char *spelled, const char *after,
                              orm_expr **out)
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
    orm_expr *e = calloc(1, sizeof *e);
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

    args = malloc(4 * sizeof *args);
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
            orm_expr **grown = realloc(args, 2 * cap * sizeof *args);
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
            orm_expr **grown = realloc(args, ncap * sizeof *args);
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
