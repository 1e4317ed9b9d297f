/*
 * orb's command line: one job per run (models, schema, rows, get, count,
 * add, set, delete, create-all, help), written for scripts as much as for
 * people. Every read and write goes through the ORM's queries and session,
 * so validation, guarded updates and error messages are the same as in
 * the browser.
 *
 * Errors are one line on `err` starting with "orb: "; the status is 0, 1
 * (database or validation error) or 2 (usage error). Rows are streamed
 * with a cursor; only the table format keeps up to CLI_WIDTH_ROWS rows to
 * size its columns. Secret columns print as *** unless --reveal is given.
 *
 * With a NULL db, tui_cli_run only checks the command line (and runs
 * `help`), so main.c can reject a usage error before connecting.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "cli_filter.h"
#include "cli_msg.h"
#include "config.h"
#include "display.h"
#include "export.h"
#include "orm/sys/buf.h"
#include "orm/sys/suggest.h"
#include "text.h"
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
    OPT_OWN = 1u << 8
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
    X(set, "set", "MODEL KEY COL=VALUE", 3, -1, OPT_EXPECT,                    \
      "set MODEL KEY COL=VALUE...", "update a row [--expect COL=VALUE]...")    \
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
    X(OPT_FILTER, "--filter", "NAME", "a saved filter (ANDed with --where)")

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
    const char *filter; /* --filter NAME: a saved filter */
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
} cli;

#define CLI_DECLARE(fn, word, names, min, max, opts, synopsis, help)           \
    static int cli_##fn(cli *c);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

typedef struct cli_command {
    const char *word;
    const char *names;
    int min, max;
    unsigned options;
    const char *synopsis;
    const char *help;
    int (*run)(cli *c);
} cli_command;

static const cli_command commands[] = {
#define CLI_ENTRY(fn, word, names, min, max, opts, synopsis, help)             \
    {word, names, min, max, opts, synopsis, help, cli_##fn},
    CLI_COMMANDS(CLI_ENTRY)
#undef CLI_ENTRY
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct cli_option {
    unsigned flag;
    const char *name;
    const char *value; /* what it takes, NULL for nothing */
    const char *help;
} options[] = {
#define CLI_OPTION_ENTRY(flag, name, value, help) {flag, name, value, help},
    CLI_OPTIONS(CLI_OPTION_ENTRY)
#undef CLI_OPTION_ENTRY
};
#define NOPTIONS (sizeof options / sizeof options[0])

/* ---- messages ---- */

/* "orb: column: message" when the error names a column its message
 * does not ("Account.handle: ..." does). */
static int fail_error(cli *c, const orm_error *e)
{
    if (e->column && e->message && !strstr(e->message, e->column))
        return tui_cli_fail(c->err, "%s: %s", e->column, e->message);
    return tui_cli_fail(c->err, "%s", orm_error_text(e));
}

static int no_such_column(cli *c, const orm_model *m, const char *name)
{
    orm_suggestion sg = {name, NULL, 0};
    for (size_t i = 0; i < m->ncolumns; i++)
        orm_suggest(&sg, m->columns[i].name);
    if (sg.best)
        return tui_cli_fail(c->err,
                            "%s has no column '%s' (did you mean '%s'?)",
                            m->table, name, sg.best);
    return tui_cli_fail(c->err, "%s has no column '%s'", m->table, name);
}

/* ---- text for people: escapes, display width, truncation ---- */

/* Append `s` with control characters escaped and invalid UTF-8 replaced,
 * so that one value stays on one line of a terminal. */
static void append_visible(orm_buf *b, const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len =
            utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) {
            orm_buf_append(b, "\xef\xbf\xbd"); /* U+FFFD */
            i++;
            continue;
        }
        if (cp == '\n')
            orm_buf_append(b, "\\n");
        else if (cp == '\t')
            orm_buf_append(b, "\\t");
        else if (cp == '\r')
            orm_buf_append(b, "\\r");
        else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            orm_buf_appendf(b, "\\x%02x", (unsigned)cp);
        else
            orm_buf_appendn(b, s + i, (size_t)len);
        i += (size_t)len;
    }
}

/* Append `s` cut to `width` cells (ending in "…" when cut), padded to
 * exactly `width` unless `last`; right-aligned when `right`. Widths are
 * the terminal UI's (text.c). */
static void append_cell(orm_buf *b, const char *s, size_t width, int right,
                        int last)
{
    size_t len = strlen(s);
    size_t w = (size_t)tui_text_width(s, len);
    if (w > width) {
        size_t used = (size_t)tui_text_fit(b, s, len, (int)width);
        for (; used < width && !last; used++)
            orm_buf_appendc(b, ' ');
        return;
    }
    if (right)
        for (size_t i = w; i < width; i++)
            orm_buf_appendc(b, ' ');
    orm_buf_append(b, s);
    if (!right && !last)
        for (size_t i = w; i < width; i++)
            orm_buf_appendc(b, ' ');
}

static int is_secret_hidden(const cli *c, const orm_column *col)
{
    return (col->flags & ORM_SECRET) && !c->a.reveal;
}

/* A value as one line of text for a table or `get`: NULL, ***, or the
 * value with control characters escaped; a text that would read as NULL
 * in double quotes, as the browser shows it. Owned; NULL on no memory. */
static char *cell_text(const cli *c, const orm_value *v, const orm_column *col)
{
    if (is_secret_hidden(c, col))
        return orm_strdup("***");
    if (v->kind == ORM_VNULL)
        return orm_strdup("NULL");
    char *raw = orm_value_format(v, col);
    if (!raw)
        return NULL;
    orm_buf b = ORM_BUF_INIT, quoted = ORM_BUF_INIT;
    size_t len = strlen(raw);
    if (v->kind == ORM_VTEXT && tui_column_is_text(col) &&
        tui_text_needs_quotes(raw, len)) {
        tui_text_append_quoted(&quoted, raw, len);
        append_visible(&b, orm_buf_str(&quoted), quoted.len);
    } else {
        append_visible(&b, raw, len);
    }
    orm_buf_free(&quoted);
    free(raw);
    return orm_buf_finish(&b);
}

static int is_numeric_type(orm_type t)
{
    return t == ORM_INTEGER || t == ORM_BIGINT || t == ORM_SMALLINT ||
           t == ORM_FLOAT || t == ORM_NUMERIC;
}

/* ---- a table of text cells ---- */

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

static int grid_init(grid *g, size_t ncols)
{
    memset(g, 0, sizeof *g);
    g->ncols = ncols;
    g->widths = calloc(ncols ? ncols : 1, sizeof *g->widths);
    g->right = calloc(ncols ? ncols : 1, 1);
    return g->widths && g->right ? 0 : ORM_ENOMEM;
}

static void grid_clear_rows(grid *g)
{
    for (size_t i = 0; i < g->nrows * g->ncols; i++)
        free(g->cells[i]);
    g->nrows = 0;
}

static void grid_free(grid *g)
{
    if (g->cells)
        grid_clear_rows(g);
    free(g->cells);
    free(g->widths);
    free(g->right);
}

/* Add a row; takes ownership of the strings (NULL marks no memory). */
static void grid_add(grid *g, char **row)
{
    if (g->nrows == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 32;
        char **cells = realloc(g->cells, cap * g->ncols * sizeof *cells);
        if (!cells) {
            for (size_t i = 0; i < g->ncols; i++)
                free(row[i]);
            g->failed = 1;
            return;
        }
        g->cells = cells;
        g->cap = cap;
    }
    for (size_t i = 0; i < g->ncols; i++) {
        char *cell = row[i];
        if (!cell) {
            g->failed = 1;
            cell = orm_strdup("");
        }
        g->cells[g->nrows * g->ncols + i] = cell;
        size_t w = cell && !g->frozen ? (size_t)tui_text_widthz(cell) : 0;
        if (w > CLI_MAX_WIDTH)
            w = CLI_MAX_WIDTH;
        if (w > g->widths[i])
            g->widths[i] = w;
    }
    g->nrows++;
}

static void grid_print_row(const grid *g, FILE *out, char *const *row)
{
    orm_buf line = ORM_BUF_INIT;
    for (size_t i = 0; i < g->ncols; i++) {
        if (i)
            orm_buf_append(&line, "  ");
        append_cell(&line, row[i] ? row[i] : "", g->widths[i], g->right[i],
                    i + 1 == g->ncols);
    }
    /* Right-aligned last columns are padded; trailing blanks never help. */
    while (line.len && line.data[line.len - 1] == ' ')
        line.data[--line.len] = '\0';
    fprintf(out, "%s\n", orm_buf_str(&line) ? orm_buf_str(&line) : "");
    orm_buf_free(&line);
}

/* Rows 1.. are data; row 0 is the header, underlined. */
static void grid_print(grid *g, FILE *out, int header)
{
    for (size_t r = 0; r < g->nrows; r++) {
        grid_print_row(g, out, &g->cells[r * g->ncols]);
        if (r == 0 && header) {
            orm_buf line = ORM_BUF_INIT;
            for (size_t i = 0; i < g->ncols; i++) {
                if (i)
                    orm_buf_append(&line, "  ");
                for (size_t w = 0; w < g->widths[i]; w++)
                    orm_buf_appendc(&line, '-');
            }
            fprintf(out, "%s\n", orm_buf_str(&line) ? orm_buf_str(&line) : "");
            orm_buf_free(&line);
        }
    }
}

static char *text_of_int(int64_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)i);
    return orm_strdup(buf);
}

/* ---- looking things up ---- */

static const orm_model *find_model(cli *c, const char *name)
{
    const orm_model *m = orm_db_find_model(c->db, name);
    if (m)
        return m;
    orm_suggestion sg = {name, NULL, 0};
    for (size_t i = 0; i < orm_db_model_count(c->db); i++) {
        orm_suggest(&sg, orm_db_model_at(c->db, i)->table);
        orm_suggest(&sg, orm_db_model_at(c->db, i)->name);
    }
    if (sg.best)
        tui_cli_fail(c->err, "no model or table '%s' (did you mean '%s'?)",
                     name, sg.best);
    else
        tui_cli_fail(c->err, "no model or table '%s'", name);
    return NULL;
}

/* add, set and delete on a view: say why not before anything else. */
static int refuse_read_only(cli *c, const orm_model *m, const char *what)
{
    if (!m->read_only)
        return 0;
    return tui_cli_fail(c->err, "cannot %s %s: %s is %s", what, m->table,
                        m->table, m->read_only);
}

static int ensure_session(cli *c)
{
    if (c->s)
        return 0;
    if (orm_session_new(&c->s, c->db) != 0)
        return tui_cli_fail(c->err, "out of memory");
    return 0;
}

/* Parse KEY ("42", or "12,3" for a two-column key) into pk values. */
static int parse_key(cli *c, const orm_model *m, const char *text,
                     orm_value *out, size_t *nout)
{
    int pk[CLI_MAX_KEY];
    size_t n = orm_model_pk(m, pk, CLI_MAX_KEY);
    orm_error e = ORM_ERROR_INIT;
    char *copy = NULL;
    int status = 0;

    *nout = 0;
    if (n == 0)
        return tui_cli_fail(c->err,
                            "%s has no primary key: use rows --where instead",
                            m->table);
    if (n > CLI_MAX_KEY)
        return tui_cli_fail(c->err, "%s: the primary key has too many columns",
                            m->table);
    if (!(copy = orm_strdup(text)))
        return tui_cli_fail(c->err, "out of memory");
    char *part = copy;
    for (size_t i = 0; i < n; i++) {
        char *comma = i + 1 < n ? strchr(part, ',') : NULL;
        if (i + 1 < n && !comma) {
            orm_buf names = ORM_BUF_INIT;
            for (size_t j = 0; j < n; j++)
                orm_buf_appendf(&names, "%s%s", j ? ", " : "",
                                m->columns[pk[j]].name);
            status =
                tui_cli_usage_fail(c->err,
                                   "the key of %s has %zu columns (%s): write "
                                   "them comma-separated",
                                   m->table, n, orm_buf_str(&names));
            orm_buf_free(&names);
            goto done;
        }
        if (comma)
            *comma = '\0';
        if (orm_value_parse(&out[i], &m->columns[pk[i]], part, &e) != 0) {
            if (!e.column)
                orm_error_set_column(&e, m->columns[pk[i]].name);
            status = fail_error(c, &e);
            goto done;
        }
        *nout = i + 1;
        part = comma ? comma + 1 : part;
    }
done:
    if (status) {
        for (size_t i = 0; i < *nout; i++)
            orm_value_clear(&out[i]);
        *nout = 0;
    }
    orm_error_clear(&e);
    free(copy);
    return status;
}

static void key_values_clear(orm_value *key, size_t n)
{
    for (size_t i = 0; i < n; i++)
        orm_value_clear(&key[i]);
}

/* "id 42" or "post_id 12, tag_id 3", for messages. Owned. */
static char *key_words(const orm_model *m, const orm_value *key)
{
    int pk[CLI_MAX_KEY];
    size_t n = orm_model_pk(m, pk, CLI_MAX_KEY);
    orm_buf b = ORM_BUF_INIT;
    for (size_t i = 0; i < n && i < CLI_MAX_KEY; i++) {
        char *v = orm_value_format(&key[i], &m->columns[pk[i]]);
        orm_buf_appendf(&b, "%s%s %s", i ? ", " : "", m->columns[pk[i]].name,
                        v ? v : "NULL");
        free(v);
    }
    return orm_buf_finish(&b);
}

/* The key of a record as KEY is typed ("42", "12,3"). Owned. */
static char *key_text(const orm_record *rec)
{
    const orm_model *m = orm_record_model(rec);
    int pk[CLI_MAX_KEY];
    size_t n = orm_model_pk(m, pk, CLI_MAX_KEY);
    orm_buf b = ORM_BUF_INIT;
    for (size_t i = 0; i < n && i < CLI_MAX_KEY; i++) {
        char *v = orm_value_format(orm_record_value(rec, (size_t)pk[i]),
                                   &m->columns[pk[i]]);
        orm_buf_appendf(&b, "%s%s", i ? "," : "", v ? v : "NULL");
        free(v);
    }
    orm_buf_append(&b, "");
    return orm_buf_finish(&b);
}

/* Load the row with KEY into the session: 0 and *out, or the exit status
 * after saying that it is missing (1) or that the key is bad (1 or 2). */
static int load_row(cli *c, const orm_model *m, const char *text,
                    orm_record **out)
{
    orm_value key[CLI_MAX_KEY];
    size_t n = 0;
    int status = parse_key(c, m, text, key, &n);
    *out = NULL;
    if (status)
        return status;
    if ((status = ensure_session(c)) != 0)
        goto done;
    int rc = orm_session_get(c->s, m, key, out);
    if (rc == ORM_DONE) {
        char *words = key_words(m, key);
        status = tui_cli_fail(c->err, "%s: no row with %s", m->table,
                              words ? words : text);
        free(words);
    } else if (rc != ORM_ROW) {
        status = fail_error(c, orm_session_error(c->s));
    }
done:
    key_values_clear(key, n);
    return status;
}

/* COL=VALUE (text by the column type) or COL:=LITERAL (filter literal). */
static int parse_assignment(cli *c, const orm_model *m, const char *arg,
                            const orm_column **col, orm_value *out)
{
    const char *eq = strchr(arg, '=');
    orm_error e = ORM_ERROR_INIT;
    char name[256];
    int literal, rc, status = 0;

    *out = orm_value_null();
    if (!eq || eq == arg)
        return tui_cli_usage_fail(
            c->err, "expected COL=VALUE or COL:=LITERAL, got '%s'", arg);
    literal = eq > arg + 1 && eq[-1] == ':';
    size_t n = (size_t)(eq - arg) - (size_t)literal;
    if (n >= sizeof name)
        return tui_cli_fail(c->err, "%s has no column '%.40s...'", m->table,
                            arg);
    memcpy(name, arg, n);
    name[n] = '\0';
    *col = orm_model_column(m, name);
    if (!*col)
        return no_such_column(c, m, name);
    if (literal)
        rc = orm_filter_parse_literal(out, eq + 1, *col, &e);
    else
        rc = orm_value_parse(out, *col, eq + 1, &e);
    if (rc) {
        if (!e.column)
            orm_error_set_column(&e, name);
        status = fail_error(c, &e);
    }
    orm_error_clear(&e);
    return status;
}

static int set_assignments(cli *c, orm_record *rec, const char *const *args,
                           size_t n)
{
    const orm_model *m = orm_record_model(rec);
    for (size_t i = 0; i < n; i++) {
        const orm_column *col = NULL;
        orm_value v;
        orm_error e = ORM_ERROR_INIT;
        int status = parse_assignment(c, m, args[i], &col, &v);
        if (status)
            return status;
        if (orm_record_set(rec, col->name, &v, &e) != 0) {
            if (!e.column)
                orm_error_set_column(&e, col->name);
            status = fail_error(c, &e);
        }
        orm_value_clear(&v);
        orm_error_clear(&e);
        if (status)
            return status;
    }
    return 0;
}

static int commit(cli *c)
{
    if (orm_session_commit(c->s) != 0)
        return tui_cli_fail(c->err, "%s",
                            orm_error_text(orm_session_error(c->s)));
    return 0;
}

/* ---- models, schema ---- */

static int cli_models(cli *c)
{
    grid g;
    int status = 0;
    if (grid_init(&g, 4))
        return tui_cli_fail(c->err, "out of memory");
    g.right[2] = g.right[3] = 1;
    char *header[4] = {orm_strdup("model"), orm_strdup("table"),
                       orm_strdup("columns"), orm_strdup("rows")};
    grid_add(&g, header);
    for (size_t i = 0; i < orm_db_model_count(c->db); i++) {
        const orm_model *m = orm_db_model_at(c->db, i);
        int64_t count = 0;
        int exact = 1;
        char *rows;
        if (orm_db_count(c->db, m, 1, &count, &exact) != 0) {
            rows = orm_strdup("?");
            status = tui_cli_fail(c->err, "%s: %s", m->table,
                                  orm_error_text(orm_db_error(c->db)));
        } else {
            char buf[32];
            snprintf(buf, sizeof buf, "%s%lld", exact ? "" : "~",
                     (long long)count);
            rows = orm_strdup(buf);
        }
        orm_buf table = ORM_BUF_INIT;
        if (m->schema)
            orm_buf_appendf(&table, "%s.", m->schema);
        orm_buf_append(&table, m->table);
        if (m->is_view)
            orm_buf_append(&table, " (view)");
        char *row[4] = {orm_strdup(m->name), orm_buf_finish(&table),
                        text_of_int((int64_t)m->ncolumns), rows};
        grid_add(&g, row);
    }
    if (g.failed)
        status = tui_cli_fail(c->err, "out of memory");
    else
        grid_print(&g, c->out, 1);
    grid_free(&g);
    return status;
}

static char *type_text(const orm_column *col)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, orm_type_name(col->type));
    if (col->type == ORM_STRING && col->length > 0)
        orm_buf_appendf(&b, "(%d)", col->length);
    else if (col->type == ORM_NUMERIC && col->precision > 0)
        orm_buf_appendf(&b, "(%d,%d)", col->precision, col->scale);
    return orm_buf_finish(&b);
}

static char *default_text(const orm_column *col)
{
    if (col->default_gen)
        return orm_strdup(col->default_gen);
    if (col->default_value)
        return orm_strdup(col->default_value);
    if (col->server_default) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_appendf(&b, "server: %s", col->server_default);
        return orm_buf_finish(&b);
    }
    return orm_strdup("");
}

static char *notes_text(const orm_model *m, const orm_column *col)
{
    orm_buf b = ORM_BUF_INIT;
    const char *sep = "";
    if (orm_column_is_autoinc(m, col)) {
        orm_buf_append(&b, "autoincrement");
        sep = ", ";
    }
    if (col->flags & ORM_SECRET) {
        orm_buf_appendf(&b, "%ssecret", sep);
        sep = ", ";
    }
    if (col->flags & ORM_INDEX) {
        orm_buf_appendf(&b, "%sindex", sep);
        sep = ", ";
    }
    if (m->version_column && strcmp(m->version_column, col->name) == 0) {
        orm_buf_appendf(&b, "%sversion", sep);
        sep = ", ";
    }
    if (col->nchoices) {
        orm_buf_appendf(&b, "%s%s ", sep,
                        col->flags & ORM_CHOICE_SET ? "set of" : "one of");
        for (size_t i = 0; i < col->nchoices; i++)
            orm_buf_appendf(&b, "%s'%s'", i ? ", " : "", col->choices[i]);
        sep = ", ";
    }
    if (col->read_only)
        orm_buf_appendf(&b, "%sread-only: %s", sep, col->read_only);
    orm_buf_append(&b, "");
    return orm_buf_finish(&b);
}

static void append_names(orm_buf *b, const char *const *names, size_t n)
{
    orm_buf_appendc(b, '(');
    for (size_t i = 0; i < n; i++)
        orm_buf_appendf(b, "%s%s", i ? ", " : "", names[i]);
    orm_buf_appendc(b, ')');
}

static int cli_schema(cli *c)
{
    static const char *const heads[] = {"column",     "type",     "key",
                                        "unique",     "nullable", "default",
                                        "references", "notes"};
    const orm_model *m = find_model(c, c->a.pos[0]);
    grid g;
    if (!m)
        return 1;
    if (grid_init(&g, 8))
        return tui_cli_fail(c->err, "out of memory");
    char *header[8];
    for (size_t i = 0; i < 8; i++)
        header[i] = orm_strdup(heads[i]);
    grid_add(&g, header);
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *col = &m->columns[i];
        orm_buf ref = ORM_BUF_INIT;
        if (col->ref_table) /* no column: the referenced primary key */
            orm_buf_appendf(&ref, "%s%s%s", col->ref_table,
                            col->ref_column ? "." : "",
                            col->ref_column ? col->ref_column : "");
        orm_buf_append(&ref, "");
        char *row[8] = {orm_strdup(col->name),
                        type_text(col),
                        orm_strdup(col->flags & ORM_PK ? "PK" : ""),
                        orm_strdup(col->flags & ORM_UNIQUE ? "yes" : "no"),
                        orm_strdup(orm_column_nullable(col) ? "yes" : "no"),
                        default_text(col),
                        orm_buf_finish(&ref),
                        notes_text(m, col)};
        grid_add(&g, row);
    }
    if (g.failed) {
        grid_free(&g);
        return tui_cli_fail(c->err, "out of memory");
    }
    grid_print(&g, c->out, 1);
    grid_free(&g);
    if (m->read_only)
        fprintf(c->out, "read-only: %s is %s\n", m->table, m->read_only);
    for (size_t i = 0; i < m->nuniques; i++) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_append(&b, "unique ");
        append_names(&b, m->uniques[i].columns, m->uniques[i].ncolumns);
        fprintf(c->out, "%s\n", orm_buf_str(&b) ? orm_buf_str(&b) : "");
        orm_buf_free(&b);
    }
    for (size_t i = 0; i < m->nforeign_keys; i++) {
        const orm_foreign_key *fk = &m->foreign_keys[i];
        orm_buf b = ORM_BUF_INIT;
        orm_buf_append(&b, "foreign key ");
        append_names(&b, fk->columns, fk->ncolumns);
        orm_buf_appendf(&b, " references %s ", fk->ref_table);
        append_names(&b, fk->ref_columns, fk->ncolumns);
        fprintf(c->out, "%s\n", orm_buf_str(&b) ? orm_buf_str(&b) : "");
        orm_buf_free(&b);
    }
    return 0;
}

/* ---- rows: the formats (CSV, TSV, JSON are export.c's) ---- */

static tui_export_format export_format(const cli *c)
{
    return c->a.format == FMT_CSV   ? TUI_EXPORT_CSV
           : c->a.format == FMT_TSV ? TUI_EXPORT_TSV
                                    : TUI_EXPORT_JSON;
}

/* Turn "handle,-id" into order_by calls. */
static int apply_order(cli *c, orm_query *q, const orm_model *m)
{
    const char *p = c->a.order;
    while (*p) {
        char name[256];
        int desc = 0;
        size_t n;
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        if (*p == '-' || *p == '+')
            desc = *p++ == '-';
        n = strcspn(p, ",");
        while (n && p[n - 1] == ' ')
            n--;
        if (n == 0 || n >= sizeof name)
            return tui_cli_usage_fail(
                c->err, "--order wants COL[,-COL], got '%s'", c->a.order);
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        while (*p == ' ')
            p++;
        if (!orm_model_column(m, name))
            return no_such_column(c, m, name);
        if (orm_query_order_by(q, name, desc) != 0)
            return fail_error(c, orm_query_error(q));
    }
    return 0;
}

/* A query over MODEL with --where, --order, --limit, --offset applied. */
static int make_query(cli *c, const orm_model *m, orm_query **out)
{
    orm_query *q = NULL;
    int status = 0;
    *out = NULL;
    if ((status = ensure_session(c)) != 0)
        return status;
    if (orm_query_new(&q, c->s, m) != 0)
        return tui_cli_fail(c->err, "out of memory");
    if (c->a.where && orm_query_where(q, c->a.where) != 0) {
        status = tui_cli_fail(c->err, "--where: %s",
                              orm_error_text(orm_query_error(q)));
        goto done;
    }
    if (c->a.filter) {
        orm_expr *saved = NULL;
        if (tui_cli_saved_filter_expr(c->db, c->opts, c->a.filter, m, &saved,
                                      c->err) != 0) {
            status = 1;
            goto done;
        }
        if (orm_query_filter(q, saved) != 0) {
            status = tui_cli_fail(c->err, "out of memory");
            goto done;
        }
    }
    if (c->a.order && (status = apply_order(c, q, m)) != 0)
        goto done;
    if (c->a.limit >= 0)
        orm_query_limit(q, c->a.limit);
    if (c->a.offset > 0)
        orm_query_offset(q, c->a.offset);
done:
    if (status)
        orm_query_free(q);
    else
        *out = q;
    return status;
}

static char **table_row(const cli *c, const orm_model *m, const orm_value *row)
{
    char **cells = calloc(m->ncolumns ? m->ncolumns : 1, sizeof *cells);
    for (size_t i = 0; cells && i < m->ncolumns; i++)
        cells[i] = cell_text(c, &row[i], &m->columns[i]);
    return cells;
}

static int cli_rows(cli *c)
{
    const orm_model *m = find_model(c, c->a.pos[0]);
    orm_query *q = NULL;
    orm_cursor *cur = NULL;
    orm_buf b = ORM_BUF_INIT;
    const orm_value *row;
    grid g = {0};
    int status, rc, first = 1;
    size_t nrows = 0;

    if (!m)
        return 1;
    if ((status = make_query(c, m, &q)) != 0)
        return status;
    if (orm_query_cursor(q, &cur) != 0) {
        status = fail_error(c, orm_query_error(q));
        goto done;
    }
    if (c->a.format == FMT_TABLE) {
        if (grid_init(&g, m->ncolumns)) {
            status = tui_cli_fail(c->err, "out of memory");
            goto done;
        }
        char **header = calloc(m->ncolumns ? m->ncolumns : 1, sizeof *header);
        for (size_t i = 0; header && i < m->ncolumns; i++) {
            header[i] = orm_strdup(m->columns[i].name);
            g.right[i] = (unsigned char)is_numeric_type(m->columns[i].type);
        }
        if (header)
            grid_add(&g, header);
        else
            g.failed = 1;
        free(header);
    } else {
        tui_export_header(&b, export_format(c), m);
    }
    while ((rc = orm_cursor_next(cur, &row)) == ORM_ROW) {
        nrows++;
        if (c->a.format != FMT_TABLE) {
            tui_export_row(&b, export_format(c), m, row, c->a.reveal,
                           nrows - 1);
        } else {
            char **cells = table_row(c, m, row);
            if (!cells) {
                g.failed = 1;
                break;
            }
            grid_add(&g, cells);
            free(cells);
            /* Widths are settled: print and keep streaming with them. */
            if (g.nrows > CLI_WIDTH_ROWS) {
                grid_print(&g, c->out, first);
                grid_clear_rows(&g);
                g.frozen = 1;
                first = 0;
            }
        }
        if (b.failed || g.failed)
            break;
        if (b.len > 65536) {
            fputs(orm_buf_str(&b), c->out);
            orm_buf_reset(&b);
        }
    }
    if (b.failed || g.failed) {
        status = tui_cli_fail(c->err, "out of memory");
        goto done;
    }
    if (rc != ORM_DONE) {
        fputs(orm_buf_str(&b), c->out);
        status = fail_error(c, orm_query_error(q));
        goto done;
    }
    if (c->a.format == FMT_TABLE)
        grid_print(&g, c->out, first);
    else
        tui_export_end(&b, export_format(c), nrows);
    if (b.failed)
        status = tui_cli_fail(c->err, "out of memory");
    else
        fputs(orm_buf_str(&b), c->out);
done:
    orm_cursor_free(cur);
    orm_query_free(q);
    orm_buf_free(&b);
    if (g.widths)
        grid_free(&g);
    return status;
}

/* ---- get, count ---- */

static int cli_get(cli *c)
{
    const orm_model *m = find_model(c, c->a.pos[0]);
    orm_record *rec = NULL;
    int status;
    if (!m)
        return 1;
    if ((status = load_row(c, m, c->a.pos[1], &rec)) != 0)
        return status;
    for (size_t i = 0; i < m->ncolumns; i++) {
        char *text = cell_text(c, orm_record_value(rec, i), &m->columns[i]);
        if (!text)
            return tui_cli_fail(c->err, "out of memory");
        fprintf(c->out, "%s: %s\n", m->columns[i].name, text);
        free(text);
    }
    return 0;
}

static int cli_count(cli *c)
{
    const orm_model *m = find_model(c, c->a.pos[0]);
    orm_query *q = NULL;
    int64_t n = 0;
    int status;
    if (!m)
        return 1;
    if ((status = make_query(c, m, &q)) != 0)
        return status;
    if (orm_query_count(q, &n) != 0)
        status = fail_error(c, orm_query_error(q));
    else
        fprintf(c->out, "%lld\n", (long long)n);
    orm_query_free(q);
    return status;
}

/* ---- add, set, delete ---- */

static int cli_add(cli *c)
{
    const orm_model *m = find_model(c, c->a.pos[0]);
    orm_record *rec = NULL;
    int status;
    if (!m)
        return 1;
    if ((status = refuse_read_only(c, m, "add to")) != 0 ||
        (status = ensure_session(c)) != 0)
        return status;
    if (orm_record_new(&rec, m) != 0)
        return tui_cli_fail(c->err, "out of memory");
    status = set_assignments(c, rec, c->a.pos + 1, c->a.npos - 1);
    if (status) {
        orm_record_free(rec);
        return status;
    }
    if (orm_session_add(c->s, rec) != 0) {
        orm_record_free(rec);
        return fail_error(c, orm_session_error(c->s));
    }
    if ((status = commit(c)) != 0)
        return status;
    int pk[CLI_MAX_KEY];
    if (orm_model_pk(m, pk, CLI_MAX_KEY) > 0) {
        char *key = key_text(rec);
        if (!key)
            return tui_cli_fail(c->err, "out of memory");
        fprintf(c->out, "%s\n", key);
        free(key);
    }
    return 0;
}

/* How a value reads in a message: "text" quoted, others bare. Owned. */
static char *quoted_value(const orm_value *v, const orm_column *col)
{
    orm_buf b = ORM_BUF_INIT;
    char *text = orm_value_format(v, col);
    if (!text)
        orm_buf_append(&b, "NULL");
    else if (v->kind == ORM_VTEXT) {
        orm_buf_appendc(&b, '"');
        append_visible(&b, text, strlen(text));
        orm_buf_appendc(&b, '"');
    } else
        append_visible(&b, text, strlen(text));
    free(text);
    return orm_buf_finish(&b);
}

static int check_expected(cli *c, orm_record *rec)
{
    const orm_model *m = orm_record_model(rec);
    for (size_t i = 0; i < c->a.nexpect; i++) {
        const orm_column *col = NULL;
        orm_value want;
        int status = parse_assignment(c, m, c->a.expect[i], &col, &want);
        if (status)
            return status;
        const orm_value *have = orm_record_get(rec, col->name);
        if (!orm_value_equal(have, &want)) {
            char *key = key_text(rec);
            if (is_secret_hidden(c, col)) {
                status = tui_cli_fail(
                    c->err, "%s %s: %s does not hold the expected value",
                    m->table, key ? key : "?", col->name);
            } else {
                char *h = quoted_value(have, col);
                char *w = quoted_value(&want, col);
                status = tui_cli_fail(c->err, "%s %s: %s is %s, expected %s",
                                      m->table, key ? key : "?", col->name,
                                      h ? h : "?", w ? w : "?");
                free(h);
                free(w);
            }
            free(key);
        }
        orm_value_clear(&want);
        if (status)
            return status;
    }
    return 0;
}

static int cli_set(cli *c)
{
    const orm_model *m = find_model(c, c->a.pos[0]);
    orm_record *rec = NULL;
    int status;
    if (!m)
        return 1;
    if ((status = refuse_read_only(c, m, "change")) != 0 ||
        (status = load_row(c, m, c->a.pos[1], &rec)) != 0)
        return status;
    if ((status = check_expected(c, rec)) != 0)
        return status;
    status = set_assignments(c, rec, c->a.pos + 2, c->a.npos - 2);
    if (status)
        return status;
    return commit(c);
}

static int cli_delete(cli *c)
{
    const orm_model *m = find_model(c, c->a.pos[0]);
    int status;
    if (!m)
        return 1;
    if ((status = refuse_read_only(c, m, "delete from")) != 0)
        return status;
    for (size_t i = 1; i < c->a.npos; i++) {
        orm_record *rec = NULL;
        if ((status = load_row(c, m, c->a.pos[i], &rec)) != 0)
            return status;
        if (orm_session_delete(c->s, rec) != 0)
            return fail_error(c, orm_session_error(c->s));
    }
    return commit(c);
}

/* ---- create-all ---- */

static int cli_create_all(cli *c)
{
    const char *path = c->a.pos[0];
    orm_modelfile *mf = NULL;
    orm_error e = ORM_ERROR_INIT;
    unsigned char *existed = NULL;
    const orm_model **mine = NULL;
    size_t nmine = 0;
    int status = 0;
    int rc = orm_modelfile_load(&mf, path, &e);

    if (rc == ORM_EIO || (rc && !mf)) {
        status = rc == ORM_EIO ? 2 : 1;
        tui_cli_fail(c->err, "%s", orm_error_text(&e));
        goto done;
    }
    if (mf->nproblems) {
        char *text = orm_modelfile_problems_text(mf);
        fprintf(c->err, "%s\n", text ? text : "orb: out of memory");
        free(text);
        status = 1;
    }
    existed = calloc(mf->nmodels + 1, 1);
    mine = calloc(mf->nmodels + 1, sizeof *mine);
    if (!existed || !mine) {
        status = tui_cli_fail(c->err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < mf->nmodels; i++) {
        orm_model *m = mf->models[i];
        int exists = 0;
        if (!m)
            continue;
        orm_buf name = ORM_BUF_INIT;
        if (m->schema)
            orm_buf_appendf(&name, "%s.", m->schema);
        orm_buf_append(&name, m->table);
        rc = name.failed
                 ? ORM_ENOMEM
                 : orm_db_table_exists(c->db, orm_buf_str(&name), &exists);
        orm_buf_free(&name);
        if (rc) {
            status = tui_cli_fail(c->err, "%s: %s", m->table,
                                  orm_error_text(orm_db_error(c->db)));
            goto done;
        }
        mf->models[i] = NULL;
        if (orm_db_register(c->db, m) != 0) {
            orm_model_free(m);
            status = tui_cli_fail(c->err, "out of memory");
            goto done;
        }
        existed[nmine] = (unsigned char)exists;
        mine[nmine++] = m;
    }
    if (orm_db_create_all(c->db) != 0) {
        status =
            tui_cli_fail(c->err, "%s", orm_error_text(orm_db_error(c->db)));
        goto done;
    }
    for (size_t i = 0; i < nmine; i++)
        fprintf(c->out, "%s: %s\n", mine[i]->table,
                existed[i] ? "exists" : "created");
done:
    free(existed);
    free(mine);
    orm_modelfile_free(mf);
    orm_error_clear(&e);
    return status;
}

/* ---- help ---- */

/* The options in `flags`, one a line, from the options table. */
static void print_options(FILE *out, unsigned flags)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        char left[32];
        if (!(flags & options[i].flag))
            continue;
        snprintf(left, sizeof left, "%s%s%s", options[i].name,
                 options[i].value ? " " : "",
                 options[i].value ? options[i].value : "");
        fprintf(out, "  %-18s  %s\n", left, options[i].help);
    }
}

/* `orb COMMAND --help`: its usage, what it does, its options. */
static void print_command_help(FILE *out, const cli_command *cmd)
{
    if (cmd->run == cli_filter) {
        tui_cli_filter_help(out);
        return;
    }
    if (cmd->run == cli_export) {
        tui_cli_export_help(out);
        return;
    }
    fprintf(out, "usage: orb [OPTIONS] %s%s\n\n%s\n",
            cmd->run == cli_help ? "" : "[URL] ", cmd->synopsis, cmd->help);
    if (cmd->options) {
        fputs("\nOptions:\n", out);
        print_options(out, cmd->options);
    }
}

static void print_help(FILE *out)
{
    fputs("usage: orb [OPTIONS] [URL] [COMMAND ARGS...]\n"
          "\n"
          "Browse and edit a database in the terminal, or run one command.\n"
          "Without a URL orb opens its demo database; without a COMMAND it\n"
          "starts the browser.\n"
          "\n"
          "URL:\n"
          "  sqlite:///relative.db   sqlite:////absolute/path.db\n"
          "  postgresql://user@host:port/dbname   mysql://user@host/dbname\n"
          "  @NAME   a [connection.NAME] of the config (orb connections)\n"
          "\n"
          "Options:\n"
          "  --models FILE       models file (INI): repr, secrets, keys\n"
          "  --theme NAME        colour theme of the browser\n"
          "  --state FILE        where saved filters and history are kept\n"
          "  --read-only         open the database read-only\n"
          "  --password-prompt   ask for the password (no echo); the\n"
          "                      password may also come from ORB_PASSWORD\n"
          "  --help              this text\n"
          "  --version           the version of orb\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-28s %s\n", commands[i].synopsis, commands[i].help);
    fputs("\nRow options:\n", out);
    print_options(out, OPT_ROWS);
    fputs(
        "\n"
        "Saved filters and export:\n"
        "  filter list [MODEL]            filter show NAME\n"
        "  filter save NAME MODEL EXPR [--replace]\n"
        "  filter delete NAME             filter rename OLD NEW\n"
        "  export MODEL [--where EXPR] [--filter NAME] --format csv|tsv|json\n"
        "         [--output FILE] [--reveal]\n"
        "\n"
        "MODEL is a model (class) name or a table name. KEY is the\n"
        "primary key, comma-separated when it has several columns.\n"
        "COL=VALUE converts text by the column's type; COL:=LITERAL takes\n"
        "a filter literal ('text', 12, true, null): note:=null sets NULL,\n"
        "note=null sets the text \"null\".\n"
        "\n"
        "orb COMMAND --help (or orb help COMMAND) tells one command's\n"
        "arguments and options.\n"
        "\n"
        "Examples:\n"
        "  orb\n"
        "  orb sqlite:///app.db\n"
        "  orb sqlite:///app.db rows accounts --where \"handle like "
        "'%doe%'\"\n"
        "  orb sqlite:///app.db rows accounts --order -id --limit 10 "
        "--format csv\n"
        "  orb sqlite:///app.db add accounts handle=jdoe\n"
        "  orb sqlite:///app.db set accounts 1 handle=jane_doe "
        "--expect handle=jdoe\n"
        "  orb sqlite:///app.db delete accounts 1 2 3\n"
        "  ORB_PASSWORD=... orb postgresql://me@db.example/app models\n"
        "  orb --models models.ini sqlite:///new.db create-all models.ini\n"
        "\n"
        "Exit status: 0 success, 1 database or validation error, 2 usage "
        "error.\n",
        out);
}

/* `filter` and `export` read their own arguments (cli_filter.c). */
static int cli_filter(cli *c)
{
    return tui_cli_filter_run(c->db, c->opts, c->argc, c->argv, c->out, c->err);
}

static int cli_export(cli *c)
{
    return tui_cli_export_run(c->db, c->opts, c->argc, c->argv, c->out, c->err);
}

static const cli_command *find_command(const char *word)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(word, commands[i].word) == 0)
            return &commands[i];
    return NULL;
}

static int unknown_command(cli *c, const char *word)
{
    orm_suggestion sg = {word, NULL, 0};
    for (size_t i = 0; i < NCOMMANDS; i++)
        orm_suggest(&sg, commands[i].word);
    if (sg.best)
        return tui_cli_usage_fail(
            c->err, "unknown command '%s'; did you mean '%s'?", word, sg.best);
    /* Never echo what may be a mistyped URL: it may hold a password. */
    if (strchr(word, ':') || strchr(word, '@'))
        return tui_cli_usage_fail(c->err,
                                  "expected a command, got something like a "
                                  "URL (one URL, with \"://\", comes first)");
    if (strchr(word, '.') || strchr(word, '/'))
        return tui_cli_usage_fail(c->err,
                                  "unknown command '%s' (a database is named "
                                  "by a URL such as sqlite:///%s)",
                                  word, word);
    return tui_cli_usage_fail(c->err, "unknown command '%s'", word);
}

/* main.c lists them without opening a database; this is the same
 * listing for a caller that has one open. */
static int cli_connections(cli *c)
{
    tui_config cfg = TUI_CONFIG_INIT;
    orm_buf problems = ORM_BUF_INIT;
    tui_config_load_all(&cfg, NULL, NULL, &problems);
    if (problems.len)
        fputs(orm_buf_str(&problems) ? orm_buf_str(&problems)
                                     : "orb: out of memory\n",
              c->err);
    int status = tui_config_connections_print(&cfg, c->out);
    orm_buf_free(&problems);
    tui_config_clear(&cfg);
    return status;
}

static int cli_help(cli *c)
{
    const cli_command *cmd;
    if (c->a.npos == 0) {
        print_help(c->out);
        return 0;
    }
    if (!(cmd = find_command(c->a.pos[0])))
        return unknown_command(c, c->a.pos[0]);
    print_command_help(c->out, cmd);
    return 0;
}

/* Is --help among the command's words (before a "--")? */
static int has_help_option(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int tui_cli_is_help(int argc, char **argv)
{
    return argc > 0 && argv[0] &&
           (strcmp(argv[0], "help") == 0 || has_help_option(argc, argv));
}

/* ---- the command line ---- */

static int parse_count(cli *c, const char *option, const char *text,
                       int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v < 0 || text[0] == '+' || text[0] == ' ')
        return tui_cli_usage_fail(
            c->err, "%s wants a whole number of rows, got '%s'", option, text);
    *out = (int64_t)v;
    return 0;
}

static int parse_option(cli *c, const cli_command *cmd, int argc, char **argv,
                        int *i)
{
    const char *arg = argv[*i], *value = NULL;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct cli_option *opt = NULL;

    for (size_t k = 0; k < NOPTIONS && !opt; k++)
        if (strlen(options[k].name) == len &&
            strncmp(options[k].name, arg, len) == 0)
            opt = &options[k];
    if (!opt) {
        orm_suggestion sg = {arg, NULL, 0};
        for (size_t k = 0; k < NOPTIONS; k++)
            if (cmd->options & options[k].flag)
                orm_suggest(&sg, options[k].name);
        if (sg.best)
            return tui_cli_usage_fail(
                c->err,
                "unknown option '%.*s' for %s; did you mean "
                "'%s'?",
                (int)len, arg, cmd->word, sg.best);
        return tui_cli_usage_fail(c->err, "unknown option '%.*s' for %s",
                                  (int)len, arg, cmd->word);
    }
    if (!(cmd->options & opt->flag))
        return tui_cli_usage_fail(c->err, "%s does not take %s", cmd->word,
                                  opt->name);
    if (opt->value) {
        if (eq)
            value = eq + 1;
        else if (*i + 1 < argc)
            value = argv[++*i];
        else
            return tui_cli_usage_fail(c->err, "%s needs a value", opt->name);
    } else if (eq) {
        return tui_cli_usage_fail(c->err, "%s takes no value", opt->name);
    }
    switch (opt->flag) {
    case OPT_WHERE:
        c->a.where = value;
        return 0;
    case OPT_ORDER:
        c->a.order = value;
        return 0;
    case OPT_LIMIT:
        return parse_count(c, opt->name, value, &c->a.limit);
    case OPT_OFFSET:
        return parse_count(c, opt->name, value, &c->a.offset);
    case OPT_REVEAL:
        c->a.reveal = 1;
        return 0;
    case OPT_EXPECT:
        c->a.expect[c->a.nexpect++] = value;
        return 0;
    case OPT_FILTER:
        c->a.filter = value;
        return 0;
    default:
        break;
    }
    static const char *const formats[] = {"table", "csv", "tsv", "json"};
    for (size_t k = 0; k < 4; k++) {
        if (strcmp(value, formats[k]) == 0) {
            c->a.format = (cli_format)k;
            return 0;
        }
    }
    return tui_cli_usage_fail(
        c->err, "unknown format '%s': use table, csv, tsv or json", value);
}

/* The n-th word of a space-separated list ("MODEL KEY"). */
static void nth_word(const char *words, int n, char *out, size_t size)
{
    const char *p = words;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, ' ');
        p = p ? p + 1 : NULL;
    }
    if (!p || !*p)
        p = "argument";
    size_t len = strcspn(p, " ");
    if (len >= size)
        len = size - 1;
    memcpy(out, p, len);
    out[len] = '\0';
}

static int parse_args(cli *c, const cli_command *cmd, int argc, char **argv)
{
    int options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (!options_done && strncmp(arg, "--", 2) == 0) {
            int status = parse_option(c, cmd, argc, argv, &i);
            if (status)
                return status;
            continue;
        }
        if (cmd->max >= 0 && c->a.npos == (size_t)cmd->max)
            return tui_cli_usage_fail(c->err, "too many arguments for %s: '%s'",
                                      cmd->word, arg);
        c->a.pos[c->a.npos++] = arg;
    }
    if (c->a.npos < (size_t)cmd->min) {
        char name[32];
        nth_word(cmd->names, (int)c->a.npos, name, sizeof name);
        return tui_cli_usage_fail(c->err, "%s needs %s", cmd->word, name);
    }
    return 0;
}

int tui_cli_run(orm_db *db, const tui_options *opts, int argc, char **argv,
                FILE *out, FILE *err)
{
    cli c = {db, opts, out, err, NULL, {0}, 0, NULL};
    const cli_command *cmd = NULL;
    int status;

    c.a.limit = -1;
    if (argc < 1 || !argv[0]) {
        print_help(err);
        return 2;
    }
    if (!(cmd = find_command(argv[0])))
        return unknown_command(&c, argv[0]);
    if (has_help_option(argc, argv)) {
        print_command_help(out, cmd);
        return 0;
    }
    if (cmd->options & OPT_OWN) {
        c.argc = argc;
        c.argv = argv;
        return cmd->run(&c);
    }
    c.a.pos = calloc((size_t)argc, sizeof *c.a.pos);
    c.a.expect = calloc((size_t)argc, sizeof *c.a.expect);
    if (!c.a.pos || !c.a.expect) {
        status = tui_cli_fail(c.err, "out of memory");
        goto done;
    }
    if ((status = parse_args(&c, cmd, argc, argv)) != 0)
        goto done;
    if (!db && cmd->run != cli_help)
        goto done; /* only checking the command line */
    status = cmd->run(&c);
    if (fflush(out) != 0 || ferror(out))
        status =
            tui_cli_fail(c.err, "cannot write the output: %s", strerror(errno));
done:
    orm_session_free(c.s);
    free(c.a.pos);
    free(c.a.expect);
    return status;
}
