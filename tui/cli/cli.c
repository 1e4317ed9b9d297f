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
 *
 * This file has the commands table, help, reading the arguments and
 * looking rows up; the commands live in cli_schema.c (models, schema),
 * cli_rows.c (rows, get, count) and cli_write.c (add, set, delete,
 * create-all), values as text and the table format in cli_table.c, what
 * they share in cli.h; filter and export are cli_filter.c's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "cli.h"
#include "cli_filter.h"
#include "cli_msg.h"
#include "config.h"
#include "display.h"
#include "export.h"
#include "mem.h"
#include "orm/sys/buf.h"
#include "orm/sys/suggest.h"
#include "text.h"
#include "tui.h"

/* ---- the commands table (its X-macros are in cli.h) ---- */

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
int cli_fail_error(cli *c, const orm_error *e)
{
    if (e->column && e->message && !strstr(e->message, e->column))
        return tui_cli_fail(c->err, "%s: %s", e->column, e->message);
    return tui_cli_fail(c->err, "%s", orm_error_text(e));
}

int cli_no_such_column(cli *c, const orm_model *m, const char *name)
{
    orm_suggestion sg = {name, NULL, 0};
    for (size_t i = 0; i < m->ncolumns; i++)
        orm_suggest(&sg, m->columns[i].name);
    int shown = orm_error_quote_len(name);
    const char *cut = name[shown] ? "\xE2\x80\xA6" : "";
    if (sg.best)
        return tui_cli_fail(c->err,
                            "%s has no column '%.*s%s' (did you mean '%s'?)",
                            m->table, shown, name, cut, sg.best);
    return tui_cli_fail(c->err, "%s has no column '%.*s%s'", m->table, shown,
                        name, cut);
}

/* ---- looking things up ---- */

const orm_model *cli_find_model(cli *c, const char *name)
{
    const orm_model *m = NULL;
    int rc = orm_db_lookup_model(c->db, name, &m);
    if (rc == 0)
        return m;
    if (rc != ORM_DONE) {
        cli_fail_error(c, orm_db_error(c->db));
        return NULL;
    }
    /* Of "schema.table", the table: its plain name finds it. */
    char *schema = NULL, *table = NULL;
    if (orm_name_split(name, &schema, &table)) {
        tui_cli_fail(c->err, "out of memory");
        return NULL;
    }
    orm_suggestion sg = {schema ? table : name, NULL, 0};
    for (size_t i = 0; i < orm_db_model_count(c->db); i++) {
        orm_suggest(&sg, orm_db_model_at(c->db, i)->table);
        orm_suggest(&sg, orm_db_model_at(c->db, i)->name);
    }
    if (sg.best)
        tui_cli_fail(c->err, "no model or table '%s' (did you mean '%s'?)",
                     name, sg.best);
    else
        tui_cli_fail(c->err, "no model or table '%s'", name);
    free(schema);
    free(table);
    return NULL;
}

/* add, set and delete on a view or on a server that refuses writes (a
 * hot standby): say why not before anything else. */
int cli_refuse_read_only(cli *c, const orm_model *m, const char *what)
{
    if (orm_db_read_only_reason(c->db))
        return tui_cli_fail(c->err, "cannot %s %s: read-only (%s)", what,
                            m->table, orm_db_read_only_reason(c->db));
    if (!m->read_only)
        return 0;
    return tui_cli_fail(c->err, "cannot %s %s: %s is %s", what, m->table,
                        m->table, m->read_only);
}

int cli_ensure_session(cli *c)
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
            status = tui_cli_command_usage_fail(
                c->err, c->command,
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
            status = cli_fail_error(c, &e);
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
char *cli_key_text(const orm_record *rec)
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
int cli_load_row(cli *c, const orm_model *m, const char *text, orm_record **out)
{
    orm_value key[CLI_MAX_KEY];
    size_t n = 0;
    int status = parse_key(c, m, text, key, &n);
    *out = NULL;
    if (status)
        return status;
    if ((status = cli_ensure_session(c)) != 0)
        goto done;
    int rc = orm_session_get(c->s, m, key, out);
    if (rc == ORM_DONE) {
        char *words = key_words(m, key);
        status = tui_cli_fail(c->err, "%s: no row with %s", m->table,
                              words ? words : text);
        free(words);
    } else if (rc != ORM_ROW) {
        status = cli_fail_error(c, orm_session_error(c->s));
    }
done:
    key_values_clear(key, n);
    return status;
}

/* COL=VALUE (text by the column type) or COL:=LITERAL (filter literal). */
int cli_parse_assignment(cli *c, const orm_model *m, const char *arg,
                         const orm_column **col, orm_value *out)
{
    const char *eq = strchr(arg, '=');
    orm_error e = ORM_ERROR_INIT;
    char name[256];
    int literal, rc, status = 0;

    *out = orm_value_null();
    if (!eq || eq == arg)
        return tui_cli_command_usage_fail(
            c->err, c->command, "expected COL=VALUE or COL:=LITERAL, got '%s'",
            arg);
    literal = eq > arg + 1 && eq[-1] == ':';
    size_t n = (size_t)(eq - arg) - (size_t)literal;
    if (n >= sizeof name)
        return cli_no_such_column(c, m, arg);
    memcpy(name, arg, n);
    name[n] = '\0';
    *col = orm_model_column(m, name);
    if (!*col)
        return cli_no_such_column(c, m, name);
    if (literal)
        rc = orm_filter_parse_literal(out, eq + 1, *col, &e);
    else
        rc = orm_value_parse(out, *col, eq + 1, &e);
    if (rc) {
        if (!e.column)
            orm_error_set_column(&e, name);
        status = cli_fail_error(c, &e);
    }
    orm_error_clear(&e);
    return status;
}

int cli_set_assignments(cli *c, orm_record *rec, const char *const *args,
                        size_t n)
{
    const orm_model *m = orm_record_model(rec);
    for (size_t i = 0; i < n; i++) {
        const orm_column *col = NULL;
        orm_value v;
        orm_error e = ORM_ERROR_INIT;
        int status = cli_parse_assignment(c, m, args[i], &col, &v);
        if (status)
            return status;
        if (orm_record_set(rec, col->name, &v, &e) != 0) {
            if (!e.column)
                orm_error_set_column(&e, col->name);
            status = cli_fail_error(c, &e);
        }
        orm_value_clear(&v);
        orm_error_clear(&e);
        if (status)
            return status;
    }
    return 0;
}

int cli_commit(cli *c)
{
    if (orm_session_commit(c->s) == 0)
        return 0;
    /* The session keeps what it could not write and says "commit again";
     * this process ends now and keeps nothing: say what is true here. */
    const char *msg = orm_error_text(orm_session_error(c->s));
    const char *kept = strstr(msg, "your changes are kept");
    if (kept)
        return tui_cli_fail(c->err, "%.*srun the command again",
                            (int)(kept - msg), msg);
    return tui_cli_fail(c->err, "%s", msg);
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
        "EXPR, the filter language: COL = != < <= > >= VALUE,\n"
        "COL in (V, ...), COL between A and B, COL is [not] null, not,\n"
        "and, or, ( ). Text, exact case and accents: like contains\n"
        "startswith endswith; ignoring case (Unicode, accents kept): ilike\n"
        "icontains istartswith iendswith. The browser's filter builder\n"
        "ignores case in contains / starts with / ends with unless ~.\n"
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
        "  orb sqlite:///app.db set accounts --where \"handle like 'test_%'\" "
        "note:=null --expect-count 3\n"
        "  orb sqlite:///app.db delete accounts 1 2 3\n"
        "  ORB_PASSWORD=... orb postgresql://me@db.example/app models\n"
        "  orb --models models.ini sqlite:///new.db create-all models.ini\n"
        "\n"
        "Exit status: 0 success, 1 database or validation error, 2 usage "
        "error.\n",
        out);
}

/* `filter` and `export` read their own arguments (cli_filter.c). */
int cli_filter(cli *c)
{
    return tui_cli_filter_run(c->db, c->opts, c->argc, c->argv, c->out, c->err);
}

int cli_export(cli *c)
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
int cli_connections(cli *c)
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

int cli_help(cli *c)
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

void tui_cli_words(tui_cli_word_fn fn, void *payload)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        fn(TUI_WORD_COMMAND, NULL, commands[i].word, 0, payload);
#define GLOBAL_WORD(name, value)                                               \
    fn(TUI_WORD_GLOBAL_OPTION, NULL, name, value, payload);
    TUI_GLOBAL_OPTIONS(GLOBAL_WORD)
#undef GLOBAL_WORD
    for (size_t i = 0; i < NCOMMANDS; i++)
        for (size_t k = 0; k < NOPTIONS; k++)
            if (commands[i].options & options[k].flag)
                fn(TUI_WORD_OPTION, commands[i].word, options[k].name,
                   options[k].value != NULL, payload);
    tui_cli_filter_words(fn, payload);
    tui_cli_export_words(fn, payload);
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

const char *tui_cli_one_model(int argc, char **argv)
{
    /* Commands that read the rows or columns of the model named by their
     * first word; a first word that is an option leaves it unknown. */
    static const char *const readers[] = {"rows", "get", "count", "schema",
                                          "export"};
    if (argc < 2 || !argv[0] || !argv[1] || argv[1][0] == '-')
        return NULL;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (strcmp(argv[0], readers[i]) == 0)
            return argv[1];
    return NULL;
}

/* ---- the command line ---- */

static int parse_count(cli *c, const char *option, const char *text,
                       int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v < 0 || text[0] == '+' || text[0] == ' ')
        return tui_cli_command_usage_fail(
            c->err, c->command, "%s wants a whole number of rows, got '%s'",
            option, text);
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
            return tui_cli_command_usage_fail(
                c->err, c->command,
                "unknown option '%.*s' for %s; did you mean "
                "'%s'?",
                (int)len, arg, cmd->word, sg.best);
        return tui_cli_command_usage_fail(c->err, c->command,
                                          "unknown option '%.*s' for %s",
                                          (int)len, arg, cmd->word);
    }
    if (!(cmd->options & opt->flag))
        return tui_cli_command_usage_fail(
            c->err, c->command, "%s does not take %s", cmd->word, opt->name);
    if (opt->value) {
        if (eq)
            value = eq + 1;
        else if (*i + 1 < argc)
            value = argv[++*i];
        else
            return tui_cli_command_usage_fail(c->err, c->command,
                                              "%s needs a value", opt->name);
    } else if (eq) {
        return tui_cli_command_usage_fail(c->err, c->command,
                                          "%s takes no value", opt->name);
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
    case OPT_EXPECT_COUNT:
        return parse_count(c, opt->name, value, &c->a.expect_count);
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
    return tui_cli_command_usage_fail(
        c->err, c->command, "unknown format '%s': use table, csv, tsv or json",
        value);
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
            return tui_cli_command_usage_fail(c->err, c->command,
                                              "too many arguments for %s: '%s'",
                                              cmd->word, arg);
        c->a.pos[c->a.npos++] = arg;
    }
    if (c->a.npos < (size_t)cmd->min) {
        char name[32];
        nth_word(cmd->names, (int)c->a.npos, name, sizeof name);
        return tui_cli_command_usage_fail(c->err, c->command, "%s needs %s",
                                          cmd->word, name);
    }
    return 0;
}

int tui_cli_run(orm_db *db, const tui_options *opts, int argc, char **argv,
                FILE *out, FILE *err)
{
    cli c = {db, opts, out, err, NULL, {0}, 0, NULL, NULL};
    const cli_command *cmd = NULL;
    int status;

    c.a.limit = -1;
    c.a.expect_count = -1;
    if (argc < 1 || !argv[0]) {
        print_help(err);
        return 2;
    }
    if (!(cmd = find_command(argv[0])))
        return unknown_command(&c, argv[0]);
    c.command = cmd->word;
    if (has_help_option(argc, argv)) {
        print_command_help(out, cmd);
        return 0;
    }
    if (cmd->options & OPT_OWN) {
        c.argc = argc;
        c.argv = argv;
        return cmd->run(&c);
    }
    c.a.pos = tui_calloc((size_t)argc, sizeof *c.a.pos);
    c.a.expect = tui_calloc((size_t)argc, sizeof *c.a.expect);
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
