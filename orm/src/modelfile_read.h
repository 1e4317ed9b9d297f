/*
 * The models file reader's shared state: what modelfile.c (sections,
 * model keys, libinih glue) and modelfile_column.c (column lines) keep
 * while reading one file, and how both report a problem.
 */
#ifndef ORB_MODELFILE_READ_H
#define ORB_MODELFILE_READ_H

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "orm/modelfile.h"
#include "orm/sys/buf.h"
#include "orm/sys/suggest.h"

#define MF_DEFAULT_NAME "<string>"

/* A model key that takes one value, with the line it came from. */
typedef struct mf_setting {
    char *value;
    int line;
} mf_setting;

typedef struct mf_unique {
    char **columns;
    size_t ncolumns;
    int line;
} mf_unique;

/* A name and the line that declared it (headers, dropped columns). */
typedef struct mf_mark {
    char *name;
    int line;
} mf_mark;

/* The section being read. */
typedef struct mf_section {
    int active; /* keys build a model */
    int skip;   /* keys are ignored (bad or duplicate header) */
    char *name;
    int line;
    orm_model *scratch; /* columns in file order (table set at the end) */
    int *column_lines;
    size_t column_lines_cap;
    mf_mark *dropped; /* columns left out because of a problem */
    size_t ndropped;
    mf_setting tablename, schema, repr, version;
    mf_unique *uniques;
    size_t nuniques;
} mf_section;

typedef struct mf_ctx {
    const char *name; /* path for messages */
    const char *text;
    size_t len;
    size_t pos;
    int lineno;
    const char *line; /* the current line as read (for hints) */
    size_t line_len;
    int key_line;       /* inih must call the handler for this line */
    int handler_called; /* ... and did */
    int nomem;
    mf_section sec;
    mf_mark *headers; /* every model name declared so far */
    size_t nheaders;
    orm_modelfile *mf;
    size_t models_cap;
    size_t problems_cap;
} mf_ctx;

void mf_problem(mf_ctx *ctx, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- modelfile.c ---- */

int mf_is_identifier(const char *s);
const char *mf_suggest(const char *word, const char *const *known, size_t n);
int mf_find(const char *word, size_t n, const char *const *known, size_t count);
int mf_add_mark(mf_mark **marks, size_t *n, const char *name, int line);
const mf_mark *mf_find_mark(const mf_mark *marks, size_t n, const char *name);

/* ---- modelfile_column.c ---- */

void mf_column(mf_ctx *ctx, const char *name, const char *value);

#endif
