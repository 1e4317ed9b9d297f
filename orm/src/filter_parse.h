/*
 * The filter language's shared internals (filter.c has the overview and
 * the grammar): keywords, tokens, the parser state the lexer
 * (filter_lex.c), the literal reader (filter_literal.c) and the parser
 * (filter.c) share, and the error helpers they all report through.
 */
#ifndef ORB_FILTER_PARSE_H
#define ORB_FILTER_PARSE_H

#include <stdarg.h>
#include <stddef.h>

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

/*
 * Set the error: "<message> at <pos>" then " (<hint>)" when a hint is
 * given. Returns the code, or ORM_ENOMEM when the message cannot be built.
 */
int filter_fail_hint(filter_parser *p, int code, size_t pos, const char *hint,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#define fail(p, code, pos, ...)                                                \
    filter_fail_hint((p), (code), (pos), NULL, __VA_ARGS__)

#define SHOW_SIZE (FILTER_SHOW_MAX * 2 + 16)

enum lit_kind { LIT_TEXT, LIT_INT, LIT_DECIMAL, LIT_TRUE, LIT_FALSE, LIT_NULL };

typedef struct filter_literal {
    enum lit_kind kind;
    char *text; /* owned: the string, the number as written, "true" */
    size_t pos;
} filter_literal;

/* ---- filter.c ---- */

void filter_append_ident(orm_buf *b, const char *name);
const orm_column *filter_column_find(const orm_model *m, const char *name,
                                     int quoted);

/* ---- filter_lex.c ---- */

int filter_ascii_lower(int c);
int filter_is_ident_start(int c);
int filter_is_ident_char(int c);
int filter_word_is(const char *s, size_t n, const char *word);
const struct filter_keyword *filter_keyword_find(const char *s, size_t n);
int filter_is_text_op(orm_op op);
size_t filter_utf8_next(const unsigned char *s, size_t avail, unsigned *cp);
size_t filter_char_pos(filter_parser *p, size_t byte);
int filter_nomem(filter_parser *p);
void filter_show_source(char *out, size_t size, const char *s, size_t n,
                        int quote);
const char *filter_show_token(filter_parser *p, char *out, size_t size);
char *filter_decimal_normalize(const char *text);
int filter_lex_next(filter_parser *p);
int filter_tok_is_kw(const filter_parser *p, enum filter_kw kw);
char *filter_tok_take_text(filter_parser *p);

/* ---- filter_literal.c ---- */

void filter_literal_clear(filter_literal *lit);
int filter_read_literal(filter_parser *p, filter_literal *lit,
                        const char *after);
int filter_literal_value(filter_parser *p, filter_literal *lit,
                         const orm_column *col, int textop, orm_value *out);
int filter_parse_value(filter_parser *p, const orm_column *col, orm_op op,
                       const char *spelled, const char *after, orm_expr **out);

#endif
