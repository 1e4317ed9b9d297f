/*
 * The command line's insides, shared by its files only: cli.c (the
 * commands table, help, reading the arguments, looking rows up),
 * cli_table.c (values as text and the table format), cli_schema.c
 * (models, schema), cli_rows.c (rows, get, count) and cli_write.c (add,
 * set, delete, create-all). The program runs it through tui_cli_run
 * (tui.h).
 */
#ifndef TUI_CLI_H
#define TUI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"
#include "tui.h"

#define CLI_WIDTH_ROWS 1000 /* rows buffered to size table columns */
#define CLI_MAX_WIDTH  40   /* widest table column, in terminal cells */
#define CLI_MAX_KEY    8

/* ---- the commands, their arguments and help: one table ---- */

enum {
    OPT_WHERE = 1u << 0,
    OPT_ORDER = 1u << 1,
    OPT_LIMIT = 1u << 2,
    OPT_OFFSET = 1u << 3,
    OPT_FORMAT = 1u << 4,
    OPT_REVEAL = 1u << 5,
    OPT_EXPECT = 1u << 6,
    OPT_FILTER = 1u << 7,
    /* The command reads its own arguments (cli_filter.c). */
    OPT_OWN = 1u << 8,
    OPT_EXPECT_COUNT = 1u << 9
};
#define OPT_ROWS                                                               \
    (OPT_WHERE | OPT_ORDER | OPT_LIMIT | OPT_OFFSET | OPT_FORMAT |             \
     OPT_REVEAL | OPT_FILTER)

/* X(function suffix, word, positional names, min, max (-1 any), options,
 *   synopsis for help, one line of help) */
#define CLI_COMMANDS(X)                                                        \
    X(models, "models", "", 0, 0, 0, "models",                                 \
      "models and tables with row counts (~ estimated)")                       \
    X(schema, "schema", "MODEL", 1, 1, 0, "schema MODEL",                      \
      "columns: type, key, nullable, default, references")                     \
    X(rows, "rows", "MODEL", 1, 1, OPT_ROWS, "rows MODEL [ROW OPTIONS]",       \
      "rows as a table, CSV, TSV or JSON")                                     \
    X(get, "get", "MODEL KEY", 2, 2, OPT_REVEAL, "get MODEL KEY [--reveal]",   \
      "one row as \"column: value\" lines")                                    \
    X(count, "count", "MODEL", 1, 1, OPT_WHERE | OPT_FILTER,                   \
      "count MODEL [--where EXPR]", "how many rows (--where, --filter)")       \
    X(add, "add", "MODEL COL=VALUE", 1, -1, 0, "add MODEL COL=VALUE...",       \
      "insert a row and print its key")                                        \
    X(set, "set", "MODEL KEY COL=VALUE", 1, -1,                                \
      OPT_EXPECT | OPT_WHERE | OPT_FILTER | OPT_EXPECT_COUNT,                  \
      "set MODEL KEY COL=VALUE...",                                            \
      "update a row, or every row --where matches")                            \
    X(delete, "delete", "MODEL KEY", 2, -1, 0, "delete MODEL KEY...",          \
      "delete rows, all in one transaction")                                   \
    X(create_all, "create-all", "MODELS_FILE", 1, 1, 0,                        \
      "create-all MODELS_FILE", "create the tables a models file declares")    \
    X(filter, "filter", "", 0, -1, OPT_OWN, "filter list|save|show|...",       \
      "saved filters (see below)")                                             \
    X(export, "export", "", 0, -1, OPT_OWN, "export MODEL --format F ...",     \
      "every matching row to CSV, TSV or JSON")                                \
    X(connections, "connections", "", 0, 0, 0, "connections",                  \
      "the config's named connections (orb @NAME)")                            \
    X(help, "help", "COMMAND", 0, 1, 0, "help [COMMAND]",                      \
      "this text, or one command's")

/* X(flag, option, its value (NULL: none), help) */
#define CLI_OPTIONS(X)                                                         \
    X(OPT_WHERE, "--where", "EXPR", "filter: handle like '%doe%' and id > 10") \
    X(OPT_ORDER, "--order", "COL[,-COL]",                                      \
      "sort by columns, \"-\" for descending")                                 \
    X(OPT_LIMIT, "--limit", "N", "at most N rows")                             \
    X(OPT_OFFSET, "--offset", "N", "skip the first N rows")                    \
    X(OPT_FORMAT, "--format", "FORMAT", "table (default), csv, tsv or json")   \
    X(OPT_REVEAL, "--reveal", NULL, "show secret columns instead of ***")      \
    X(OPT_EXPECT, "--expect", "COL=VALUE",                                     \
      "change nothing unless COL holds VALUE (repeatable)")                    \
    X(OPT_FILTER, "--filter", "NAME", "a saved filter (ANDed with --where)")   \
    X(OPT_EXPECT_COUNT, "--expect-count", "N",                                 \
      "with --where: change nothing unless N rows match")

typedef enum cli_format { FMT_TABLE, FMT_CSV, FMT_TSV, FMT_JSON } cli_format;

typedef struct cli_args {
    const char **pos; /* positional arguments after the command word */
    size_t npos;
    const char **expect; /* --expect COL=VALUE, in order */
    size_t nexpect;
    const char *where;
    const char *order;
    int64_t limit; /* -1: none */
    int64_t offset;
    cli_format format;
    int reveal;
    const char *filter;   /* --filter NAME: a saved filter */
    int64_t expect_count; /* --expect-count N (-1: none) */
} cli_args;

typedef struct cli {
    orm_db *db;
    const tui_options *opts;
    FILE *out;
    FILE *err;
    orm_session *s;
    cli_args a;
    int argc; /* the command's words, for commands that read their own */
    char **argv;
    const char *command; /* its word, for usage errors */
} cli;

#define CLI_DECLARE(fn, word, names, min, max, opts, synopsis, help)           \
    int cli_##fn(cli *c);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* ---- cli.c: messages and looking things up ---- */

/* "orb: column: message" when the error names a column its message
 * does not ("Account.handle: ..." does). */
int cli_fail_error(cli *c, const orm_error *e);
int cli_no_such_column(cli *c, const orm_model *m, const char *name);
const orm_model *cli_find_model(cli *c, const char *name);
/* add, set and delete on a view: say why not before anything else. */
int cli_refuse_read_only(cli *c, const orm_model *m, const char *what);
int cli_ensure_session(cli *c);
/* Load the row with KEY into the session: 0 and *out, or the exit status
 * after saying that it is missing (1) or that the key is bad (1 or 2). */
int cli_load_row(cli *c, const orm_model *m, const char *text,
                 orm_record **out);
/* The key of a record as KEY is typed ("42", "12,3"). Owned. */
char *cli_key_text(const orm_record *rec);
/* COL=VALUE (text by the column type) or COL:=LITERAL (filter literal). */
int cli_parse_assignment(cli *c, const orm_model *m, const char *arg,
                         const orm_column **col, orm_value *out);
int cli_set_assignments(cli *c, orm_record *rec, const char *const *args,
                        size_t n);
int cli_commit(cli *c);

/* ---- cli_rows.c ---- */

/* A query on `m` with --where and --filter (and --order, --limit,
 * --offset when the command takes them): 0 and *out, or the exit
 * status after saying what is wrong. */
int cli_query(cli *c, const orm_model *m, orm_query **out);

/* ---- cli_table.c: text for people, a table of text cells ---- */

typedef struct grid {
    size_t ncols;
    size_t nrows;
    size_t cap;
    char **cells;         /* nrows * ncols owned strings */
    size_t *widths;       /* per column */
    unsigned char *right; /* per column: right-aligned */
    int frozen;           /* widths settled: rows no longer widen them */
    int failed;
} grid;

/* Append `s` with control characters escaped and invalid UTF-8 replaced,
 * so that one value stays on one line of a terminal. */
void cli_append_visible(orm_buf *b, const char *s, size_t n);
int cli_is_secret_hidden(const cli *c, const orm_column *col);
/* A value as one line of text for a table or `get` (owned; NULL on no
 * memory). */
char *cli_cell_text(const cli *c, const orm_value *v, const orm_column *col);
int cli_is_numeric_type(orm_type t);
int cli_grid_init(grid *g, size_t ncols);
void cli_grid_clear_rows(grid *g);
void cli_grid_free(grid *g);
/* Add a row; takes ownership of the strings (NULL marks no memory). */
void cli_grid_add(grid *g, char **row);
/* Rows 1.. are data; row 0 is the header, underlined. */
void cli_grid_print(grid *g, FILE *out, int header);
char *cli_text_of_int(int64_t i);

#endif
