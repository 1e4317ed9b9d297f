/*
 * The filter language's lexer: keywords, character classes, tokens read
 * on demand, positions counted in characters, and the error messages that
 * quote the offending source.
 */
#include "filter_parse.h"

/* ---------------------------------------------------------------------
 * Keywords
 */

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

int filter_ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int filter_is_ident_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

int filter_is_ident_char(int c)
{
    return filter_is_ident_start(c) || is_digit(c);
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Case-insensitive comparison of s[0..n) with a lower-case word. */
int filter_word_is(const char *s, size_t n, const char *word)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!word[i] || filter_ascii_lower((unsigned char)s[i]) != word[i])
            return 0;
    return word[i] == '\0';
}

const struct filter_keyword *filter_keyword_find(const char *s, size_t n)
{
    for (size_t i = 0; i < FILTER_NKEYWORDS; i++)
        if (filter_word_is(s, n, filter_keywords[i].word))
            return &filter_keywords[i];
    return NULL;
}

int filter_is_text_op(orm_op op)
{
    return op >= ORM_OP_LIKE && op <= ORM_OP_IENDSWITH;
}

/* ---------------------------------------------------------------------
 * Small text helpers: UTF-8
 */

/* Length of the valid UTF-8 sequence at s (avail bytes left) and its code
 * point in *cp, 0 if invalid: no overlongs, surrogates or code points past
 * U+10FFFF. */
size_t filter_utf8_next(const unsigned char *s, size_t avail, unsigned *cp)
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

/* 1-based character position of a byte offset. Tokens come in order, so
 * counting resumes where the previous call stopped. */
size_t filter_char_pos(filter_parser *p, size_t byte)
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

int filter_nomem(filter_parser *p)
{
    return orm_error_set(p->err, ORM_ENOMEM, "out of memory reading filter");
}

int filter_fail_hint(filter_parser *p, int code, size_t pos, const char *hint,
                     const char *fmt, ...)
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

/*
 * Quote a piece of source text for a message: 'like', '=', or a string
 * token as written ('it''s'). Long text is cut on a character boundary.
 */
void filter_show_source(char *out, size_t size, const char *s, size_t n,
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
const char *filter_show_token(filter_parser *p, char *out, size_t size)
{
    const filter_token *t = &p->tok;
    if (t->kind == TOK_END)
        return "the end of the filter";
    filter_show_source(out, size, p->text + t->start, t->end - t->start,
                       t->kind != TOK_STRING && t->kind != TOK_QIDENT);
    return out;
}

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
char *filter_decimal_normalize(const char *text)
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
int filter_lex_next(filter_parser *p)
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

int filter_tok_is_kw(const filter_parser *p, enum filter_kw kw)
{
    return p->tok.kind == TOK_IDENT && p->tok.kw == kw;
}

/* Hand the token's text to the caller. */
char *filter_tok_take_text(filter_parser *p)
{
    char *text = p->tok.text;
    p->tok.text = NULL;
    return text;
}
