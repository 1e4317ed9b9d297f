/*
 * `orb URL filter ...` (saved filters in the state database) and
 * `orb URL export ...` (every matching row as CSV, TSV or JSON, streamed
 * into what --output names (outfile.h), with progress; Ctrl-C, SIGTERM,
 * SIGHUP and SIGPIPE stop it and leave no partial file). See
 * cli_filter.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_filter.h"
#include "cli_msg.h"
#include "export.h"
#include "filter_tree.h"
#include "outfile.h"
#include "orm/sys/buf.h"
#include "state.h"
#include "text.h"

#define FLUSH_BYTES    65536
#define PROGRESS_EVERY 1024 /* rows between looks at the clock */
#define PROGRESS_MS    200

typedef struct fcli {
    orm_db *db;
    const tui_options *opts;
    FILE *out;
    FILE *err;
    const char *command; /* "filter" or "export", for usage errors */
} fcli;

/* ---- messages ---- */

/* The text and a caret under the error's position, below the message. */
static void show_caret(fcli *c, const char *text, size_t pos)
{
    if (!pos || strchr(text, '\n'))
        return;
    int col = tui_ftext_caret_column(text, pos);
    fprintf(c->err, "  %s\n  %*s^\n", text, col, "");
}

/* ---- arguments ---- */

typedef struct opt_spec {
    const char *name;
    const char **value; /* NULL: a flag */
    int *flag;
} opt_spec;

/* Positionals into pos[] (at most maxpos) and options by spec. */
static int parse_args(fcli *c, const char *cmd, int argc, char **argv,
                      int first, const opt_spec *specs, size_t nspecs,
                      const char **pos, size_t *npos, size_t maxpos)
{
    int options = 1;
    *npos = 0;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (options && strcmp(arg, "--") == 0) {
            options = 0;
            continue;
        }
        if (options && arg[0] == '-' && arg[1] == '-') {
            const char *eq = strchr(arg, '=');
            size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
            const opt_spec *s = NULL;
            for (size_t k = 0; k < nspecs; k++)
                if (strlen(specs[k].name) == len &&
                    strncmp(specs[k].name, arg, len) == 0)
                    s = &specs[k];
            if (!s)
                return tui_cli_command_usage_fail(
                    c->err, c->command, "unknown option '%.*s' for %s",
                    (int)len, arg, cmd);
            if (!s->value) {
                if (eq)
                    return tui_cli_command_usage_fail(
                        c->err, c->command, "%s takes no value", s->name);
                *s->flag = 1;
                continue;
            }
            if (eq)
                *s->value = eq + 1;
            else if (i + 1 < argc)
                *s->value = argv[++i];
            else
                return tui_cli_command_usage_fail(c->err, c->command,
                                                  "%s needs a value", s->name);
            if (!**s->value)
                return tui_cli_command_usage_fail(c->err, c->command,
                                                  "%s needs a value", s->name);
            continue;
        }
        if (*npos == maxpos)
            return tui_cli_command_usage_fail(
                c->err, c->command, "too many arguments for %s ('%s')", cmd,
                arg);
        pos[(*npos)++] = arg;
    }
    return 0;
}

/* ---- shared ---- */

static int open_state(fcli *c, tui_state **out)
{
    orm_error e = ORM_ERROR_INIT;
    int rc = tui_state_open(out, c->opts ? c->opts->state_file : NULL,
                            orm_db_url(c->db), &e);
    if (rc)
        tui_cli_fail(c->err, "%s", orm_error_text(&e));
    orm_error_clear(&e);
    return rc ? 1 : 0;
}

static const orm_model *find_model(fcli *c, const char *name)
{
    const orm_model *m = NULL;
    int rc = orm_db_lookup_model(c->db, name, &m);
    if (rc != 0 && rc != ORM_DONE) {
        tui_cli_fail(c->err, "%s", orm_error_text(orm_db_error(c->db)));
        return NULL;
    }
    if (!m) {
        orm_buf names = ORM_BUF_INIT;
        for (size_t i = 0; i < orm_db_model_count(c->db); i++)
            orm_buf_appendf(&names, "%s%s", i ? ", " : "",
                            orm_db_model_at(c->db, i)->table);
        tui_cli_fail(c->err, "no model or table named '%s' (tables: %s)", name,
                     orm_buf_str(&names) ? orm_buf_str(&names) : "");
        orm_buf_free(&names);
    }
    return m;
}

static int state_fail(fcli *c, const orm_error *e)
{
    return tui_cli_fail(c->err, "%s", orm_error_text(e));
}

static int saved_expr(fcli *c, tui_state *st, const char *name,
                      const orm_model *m, orm_expr **out)
{
    tui_saved_filter f = {0};
    orm_error e = ORM_ERROR_INIT;
    int status = 0;
    *out = NULL;
    if (tui_state_filter_get(st, name, &f, &e) != 0) {
        status = state_fail(c, &e);
        goto done;
    }
    if (!tui_state_filter_is_for(&f, m) &&
        orm_db_find_model(c->db, f.model) != m) {
        char *key = tui_state_model_key(m);
        status = tui_cli_fail(c->err, "saved filter '%s' is for %s, not %s",
                              name, f.model, key ? key : m->table);
        free(key);
        goto done;
    }
    if (tui_state_filter_parse(&f, m, out, &e) != 0) {
        status = state_fail(c, &e);
        show_caret(c, f.expr, e.position);
        goto done;
    }
    orm_error_clear(&e);
    if (tui_state_filter_touch(st, name, &e) != 0) {
        /* The filter works; only its "last used" could not be kept. */
        fprintf(c->err, "orb: warning: %s\n", orm_error_text(&e));
    }
done:
    tui_saved_filter_clear(&f);
    orm_error_clear(&e);
    return status;
}

int tui_cli_saved_filter_expr(orm_db *db, const tui_options *opts,
                              const char *name, const orm_model *model,
                              orm_expr **out, FILE *err)
{
    fcli c = {db, opts, NULL, err, "filter"};
    tui_state *st = NULL;
    int status = open_state(&c, &st);
    *out = NULL;
    if (status == 0)
        status = saved_expr(&c, st, name, model, out);
    tui_state_free(st);
    return status;
}

/* ---- filter list / save / show / delete / rename ---- */

static void print_padded(FILE *out, const char *s, int width, int last)
{
    fputs(s, out);
    if (!last)
        fprintf(out, "%*s", width - tui_text_widthz(s) + 2, "");
}

static int filter_list(fcli *c, const char *model_name)
{
    tui_state *st = NULL;
    tui_saved_filter *list = NULL;
    size_t n = 0;
    orm_error e = ORM_ERROR_INIT;
    char *key = NULL;
    int status = 0;
    if (model_name) {
        const orm_model *m = find_model(c, model_name);
        if (!m)
            return 1;
        if (!(key = tui_state_model_key(m)))
            return tui_cli_fail(c->err, "out of memory");
    }
    if ((status = open_state(c, &st)) != 0)
        goto done;
    if (tui_state_filter_list(st, key, &list, &n, &e) != 0) {
        status = state_fail(c, &e);
        goto done;
    }
    if (n == 0) {
        fprintf(c->out, "no saved filters%s%s\n", key ? " for " : "",
                key ? key : "");
        goto done;
    }
    int w_name = 4, w_model = 5, w_used = 9;
    for (size_t i = 0; i < n; i++) {
        int w = tui_text_widthz(list[i].name);
        w_name = w > w_name ? w : w_name;
        w = tui_text_widthz(list[i].model);
        w_model = w > w_model ? w : w_model;
        w = list[i].last_used ? tui_text_widthz(list[i].last_used) : 5;
        w_used = w > w_used ? w : w_used;
    }
    print_padded(c->out, "NAME", w_name, 0);
    print_padded(c->out, "MODEL", w_model, 0);
    print_padded(c->out, "LAST USED", w_used, 0);
    print_padded(c->out, "FILTER", 0, 1);
    fputc('\n', c->out);
    for (size_t i = 0; i < n; i++) {
        print_padded(c->out, list[i].name, w_name, 0);
        print_padded(c->out, list[i].model, w_model, 0);
        print_padded(c->out, list[i].last_used ? list[i].last_used : "never",
                     w_used, 0);
        print_padded(c->out, list[i].expr, 0, 1);
        fputc('\n', c->out);
    }
done:
    tui_saved_filters_free(list, n);
    tui_state_free(st);
    orm_error_clear(&e);
    free(key);
    return status;
}

static int filter_save(fcli *c, const char *name, const char *model_name,
                       const char *text, int replace)
{
    const orm_model *m = find_model(c, model_name);
    orm_expr *e = NULL;
    orm_error err = ORM_ERROR_INIT;
    tui_state *st = NULL;
    char *printed = NULL, *key = NULL;
    int status = 0;
    if (!m)
        return 1;
    if (orm_filter_parse(&e, text, m, &err) != 0) {
        status = tui_cli_fail(c->err, "filter save: %s", orm_error_text(&err));
        show_caret(c, text, err.position);
        goto done;
    }
    printed = orm_filter_print(e);
    key = tui_state_model_key(m);
    if (!printed || !key) {
        status = tui_cli_fail(c->err, "out of memory");
        goto done;
    }
    if ((status = open_state(c, &st)) != 0)
        goto done;
    if (tui_state_filter_save(st, name, key, printed, replace, &err) != 0) {
        if (err.code == ORM_EUNIQUE)
            status = tui_cli_fail(c->err, "%s (use --replace to overwrite it)",
                                  orm_error_text(&err));
        else
            status = state_fail(c, &err);
        goto done;
    }
    fprintf(c->out, "saved '%s' for %s: %s\n", name, key, printed);
done:
    orm_expr_free(e);
    orm_error_clear(&err);
    tui_state_free(st);
    free(printed);
    free(key);
    return status;
}

static int filter_show(fcli *c, const char *name)
{
    tui_state *st = NULL;
    tui_saved_filter f = {0};
    orm_error e = ORM_ERROR_INIT;
    int status = open_state(c, &st);
    if (status == 0 && tui_state_filter_get(st, name, &f, &e) != 0)
        status = state_fail(c, &e);
    if (status == 0)
        fprintf(c->out, "name: %s\nmodel: %s\nfilter: %s\nlast used: %s\n",
                f.name, f.model, f.expr, f.last_used ? f.last_used : "never");
    tui_saved_filter_clear(&f);
    tui_state_free(st);
    orm_error_clear(&e);
    return status;
}

static int filter_delete(fcli *c, const char *name)
{
    tui_state *st = NULL;
    orm_error e = ORM_ERROR_INIT;
    int status = open_state(c, &st);
    if (status == 0 && tui_state_filter_delete(st, name, &e) != 0)
        status = state_fail(c, &e);
    if (status == 0)
        fprintf(c->out, "deleted '%s'\n", name);
    tui_state_free(st);
    orm_error_clear(&e);
    return status;
}

static int filter_rename(fcli *c, const char *old_name, const char *new_name)
{
    tui_state *st = NULL;
    orm_error e = ORM_ERROR_INIT;
    int status = open_state(c, &st);
    if (status == 0 && tui_state_filter_rename(st, old_name, new_name, &e) != 0)
        status = state_fail(c, &e);
    if (status == 0)
        fprintf(c->out, "renamed '%s' to '%s'\n", old_name, new_name);
    tui_state_free(st);
    orm_error_clear(&e);
    return status;
}

static const struct {
    const char *word;
    size_t min, max;
    const char *synopsis;
} filter_commands[] = {
    {"list", 0, 1, "filter list [MODEL]"},
    {"save", 3, 3, "filter save NAME MODEL EXPR [--replace]"},
    {"show", 1, 1, "filter show NAME"},
    {"delete", 1, 1, "filter delete NAME"},
    {"rename", 2, 2, "filter rename OLD NEW"},
};
#define NFILTER_COMMANDS (sizeof filter_commands / sizeof filter_commands[0])

/* filter's options (of save). */
static const char *const filter_option_names[] = {"--replace"};

void tui_cli_filter_words(tui_cli_word_fn fn, void *payload)
{
    for (size_t i = 0; i < NFILTER_COMMANDS; i++)
        fn(TUI_WORD_SUBCOMMAND, "filter", filter_commands[i].word, 0, payload);
    for (size_t i = 0;
         i < sizeof filter_option_names / sizeof filter_option_names[0]; i++)
        fn(TUI_WORD_OPTION, "filter", filter_option_names[i], 0, payload);
}

void tui_cli_filter_help(FILE *out)
{
    for (size_t i = 0; i < NFILTER_COMMANDS; i++)
        fprintf(out, "%s orb [OPTIONS] [URL] %s\n",
                i ? "      " : "usage:", filter_commands[i].synopsis);
    fputs("\nSaved filters: named filters for a model, kept in the state\n"
          "database (--state FILE) under the database's URL.\n"
          "\nOptions:\n"
          "  --replace           save: overwrite a filter of the same name\n",
          out);
}

int tui_cli_filter_run(orm_db *db, const tui_options *opts, int argc,
                       char **argv, FILE *out, FILE *err)
{
    fcli c = {db, opts, out, err, "filter"};
    const char *pos[4];
    size_t npos = 0, which = NFILTER_COMMANDS;
    int replace = 0, status;
    const opt_spec specs[] = {{filter_option_names[0], NULL, &replace}};

    if (argc < 2)
        return tui_cli_command_usage_fail(
            c.err, c.command,
            "filter needs a command: list, save, show, delete "
            "or rename");
    for (size_t i = 0; i < NFILTER_COMMANDS; i++)
        if (strcmp(argv[1], filter_commands[i].word) == 0)
            which = i;
    if (which == NFILTER_COMMANDS)
        return tui_cli_command_usage_fail(
            c.err, c.command,
            "unknown filter command '%s': use list, save, show, "
            "delete or rename",
            argv[1]);
    status = parse_args(&c, "filter", argc, argv, 2, specs,
                        strcmp(argv[1], "save") == 0 ? 1 : 0, pos, &npos,
                        filter_commands[which].max);
    if (status)
        return status;
    if (npos < filter_commands[which].min)
        return tui_cli_command_usage_fail(c.err, c.command, "usage: orb URL %s",
                                          filter_commands[which].synopsis);
    if (!db)
        return 0;
    switch (which) {
    case 0:
        return filter_list(&c, npos ? pos[0] : NULL);
    case 1:
        return filter_save(&c, pos[0], pos[1], pos[2], replace);
    case 2:
        return filter_show(&c, pos[0]);
    case 3:
        return filter_delete(&c, pos[0]);
    default:
        return filter_rename(&c, pos[0], pos[1]);
    }
}

/* ---- export ---- */

/* The signal that stopped the export (0 while none has): Ctrl-C, kill,
 * a closed terminal or SSH connection, a reader gone from the pipe. */
static volatile sig_atomic_t export_interrupted;
/* The database of the running export, whose connection the handler shuts
 * down: the export is over, and a read waiting on a server (libpq waits
 * on through signals) or a network that is gone must not keep the
 * program from exiting. Nothing is cancelled: the server sees the
 * connection closed. */
static orm_db *volatile export_db;
static const int export_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define NSIGNALS (sizeof export_signals / sizeof export_signals[0])

static void on_interrupt(int sig)
{
    export_interrupted = sig;
    orm_db_abort(export_db);
}

typedef struct export_job {
    fcli *c;
    const orm_model *m;
    tui_export_format format;
    int reveal;
    const char *output;
    tui_outfile dest; /* --output */
    FILE *file;       /* where rows go */
    int progress;     /* err is a terminal */
    int64_t estimate;
    int have_estimate;
    size_t rows;
    struct timespec last;
} export_job;

static long elapsed_ms(const struct timespec *from, const struct timespec *to)
{
    return (long)(to->tv_sec - from->tv_sec) * 1000 +
           (to->tv_nsec - from->tv_nsec) / 1000000;
}

static void show_progress(export_job *j, int final)
{
    char done[40], total[40];
    tui_text_count(done, sizeof done, (long long)j->rows, 0);
    fprintf(j->c->err, "\r\033[Kexported %s rows", done);
    if (j->have_estimate && j->estimate > 0 && !final) {
        long long pct = (long long)j->rows * 100 / j->estimate;
        tui_text_count(total, sizeof total, (long long)j->estimate, 1);
        fprintf(j->c->err, " (%lld%% of %s)", pct > 99 ? 99 : pct, total);
    }
    if (final)
        fputc('\n', j->c->err);
    fflush(j->c->err);
}

static int write_out(export_job *j, orm_buf *b)
{
    if (b->failed)
        return tui_cli_fail(j->c->err, "out of memory");
    if (b->len && tui_export_write(j->file, b->data, b->len) != b->len) {
        if (export_interrupted) /* e.g. EPIPE after SIGPIPE */
            return 128 + export_interrupted;
        return tui_cli_fail(j->c->err, "cannot write %s: %s",
                            j->output ? j->output : "the output",
                            strerror(errno));
    }
    orm_buf_reset(b);
    return 0;
}

static int stream_rows(export_job *j, orm_query *q)
{
    orm_cursor *cur = NULL;
    orm_buf b = ORM_BUF_INIT;
    const orm_value *row;
    int rc = ORM_DONE, status = 0;
    /* Every row, front to back: PostgreSQL may send them as COPY. */
    if (orm_query_cursor_bulk(q, &cur) != 0)
        return tui_cli_fail(j->c->err, "%s: %s", j->m->table,
                            orm_error_text(orm_query_error(q)));
    tui_export_header(&b, j->format, j->m);
    clock_gettime(CLOCK_MONOTONIC, &j->last);
    if (j->progress)
        show_progress(j, 0);
    while (!export_interrupted &&
           (rc = orm_cursor_next(cur, &row)) == ORM_ROW) {
        tui_export_row(&b, j->format, j->m, row, j->reveal, j->rows++);
        if ((b.len > FLUSH_BYTES || b.failed) &&
            (status = write_out(j, &b)) != 0)
            goto done;
        if (j->progress && j->rows % PROGRESS_EVERY == 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (elapsed_ms(&j->last, &now) >= PROGRESS_MS) {
                j->last = now;
                show_progress(j, 0);
            }
        }
    }
    if (export_interrupted) {
        status = 128 + export_interrupted;
        goto done;
    }
    if (rc != ORM_DONE) {
        status = tui_cli_fail(j->c->err, "%s: %s", j->m->table,
                              orm_error_text(orm_query_error(q)));
        goto done;
    }
    tui_export_end(&b, j->format, j->rows);
    status = write_out(j, &b);
    if (status == 0 && j->file == j->c->out && fflush(j->file) != 0)
        status = tui_cli_fail(j->c->err, "cannot write the output: %s",
                              strerror(errno));
    if (status == 0 && j->progress)
        show_progress(j, 1);
done:
    orm_cursor_free(cur);
    orm_buf_free(&b);
    return status;
}

/* The format from --format, else from the output's extension. */
static int pick_format(fcli *c, const char *format, const char *output,
                       tui_export_format *out)
{
    if (format) {
        if (tui_export_format_parse(out, format) != 0)
            return tui_cli_command_usage_fail(
                c->err, c->command, "unknown format '%s': use csv, tsv or json",
                format);
        return 0;
    }
    const char *dot = output ? strrchr(output, '.') : NULL;
    if (dot && !strchr(dot, '/') && tui_export_format_parse(out, dot + 1) == 0)
        return 0;
    return tui_cli_command_usage_fail(c->err, c->command,
                                      "export needs --format csv, tsv or json");
}

static int order_by_key(fcli *c, orm_query *q, const orm_model *m)
{
    int pk[16];
    size_t npk = orm_model_pk(m, pk, 16);
    for (size_t i = 0; i < npk && i < 16; i++)
        if (orm_query_order_by(q, m->columns[pk[i]].name, 0) != 0)
            return tui_cli_fail(c->err, "%s",
                                orm_error_text(orm_query_error(q)));
    return 0;
}

static int run_export(fcli *c, const char *model_name, const char *where,
                      const char *filter, tui_export_format format,
                      const char *output, int reveal)
{
    export_job j = {0};
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_expr *saved = NULL;
    struct sigaction sa, old[NSIGNALS];
    int status = 0, handled[NSIGNALS] = {0};

    j.c = c;
    j.format = format;
    j.reveal = reveal;
    j.output = output;
    j.file = c->out;
    if (!(j.m = find_model(c, model_name)))
        return 1;
    if (filter) {
        tui_state *st = NULL;
        if ((status = open_state(c, &st)) == 0)
            status = saved_expr(c, st, filter, j.m, &saved);
        tui_state_free(st);
        if (status)
            return status;
    }
    if (orm_session_new(&s, c->db) != 0 || orm_query_new(&q, s, j.m) != 0) {
        status = tui_cli_fail(c->err, "out of memory");
        goto done;
    }
    if (saved && orm_query_filter(q, saved) != 0) {
        saved = NULL; /* the query owns it even when it fails */
        status = tui_cli_fail(c->err, "%s", orm_error_text(orm_query_error(q)));
        goto done;
    }
    saved = NULL;
    if (where && orm_query_where(q, where) != 0) {
        status = tui_cli_fail(c->err, "--where: %s",
                              orm_error_text(orm_query_error(q)));
        show_caret(c, where, orm_query_error(q)->position);
        goto done;
    }
    if ((status = order_by_key(c, q, j.m)) != 0)
        goto done;
    j.progress = isatty(fileno(c->err));
    if (j.progress) {
        int exact = 1;
        if (!where && !filter)
            j.have_estimate =
                orm_db_count(c->db, j.m, 1, &j.estimate, &exact) == 0;
        else
            j.have_estimate = orm_query_count(q, &j.estimate) == 0;
    }
    /* A signal from here on stops the export cleanly (the handlers come
     * first, so the temporary file never outlives one). */
    export_interrupted = 0;
    export_db = c->db;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSIGNALS; i++)
        handled[i] = sigaction(export_signals[i], &sa, &old[i]) == 0;
    if (output) {
        orm_buf msg = ORM_BUF_INIT;
        if (tui_outfile_open(&j.dest, output, c->out, &msg) != 0) {
            status = tui_cli_fail(c->err, "%s", orm_buf_str(&msg));
            orm_buf_free(&msg);
            goto done;
        }
        j.file = j.dest.file;
    }
    status = stream_rows(&j, q);
    if (output) {
        orm_buf msg = ORM_BUF_INIT;
        if (tui_outfile_finish(&j.dest, status == 0, &msg) != 0 && !status)
            status = tui_cli_fail(c->err, "%s", orm_buf_str(&msg));
        orm_buf_free(&msg);
    }
    if (status > 128 && export_interrupted != SIGPIPE) {
        /* (After SIGPIPE nobody is reading: say nothing.) */
        if (j.progress)
            fputc('\n', c->err);
        tui_cli_fail(c->err, "%s%s%s%s",
                     export_interrupted == SIGINT ? "interrupted"
                     : export_interrupted == SIGHUP
                         ? "stopped: the terminal was closed"
                         : "stopped by a signal",
                     output ? ": " : "", output ? output : "",
                     output ? " was not written" : "");
    }
done:
    tui_outfile_finish(&j.dest, 0, NULL);
    for (size_t i = 0; i < NSIGNALS; i++)
        if (handled[i])
            sigaction(export_signals[i], &old[i], NULL);
    export_db = NULL;
    orm_expr_free(saved);
    orm_query_free(q);
    orm_session_free(s);
    return status;
}

/* export's options, in the order of the specs below, with their help. */
static const struct {
    const char *name;
    const char *value;
    const char *help;
} export_options[] = {
    {"--where", "EXPR", "only rows that match EXPR"},
    {"--filter", "NAME", "a saved filter (ANDed with --where)"},
    {"--format", "FORMAT", "csv, tsv or json (else --output's extension)"},
    {"--output", "FILE", "write FILE, whole or not at all (-: stdout)"},
    {"--reveal", NULL, "show secret columns instead of ***"},
};
#define NEXPORT_OPTIONS (sizeof export_options / sizeof export_options[0])

void tui_cli_export_words(tui_cli_word_fn fn, void *payload)
{
    for (size_t i = 0; i < NEXPORT_OPTIONS; i++)
        fn(TUI_WORD_OPTION, "export", export_options[i].name,
           export_options[i].value != NULL, payload);
}

void tui_cli_export_help(FILE *out)
{
    fputs("usage: orb [OPTIONS] [URL] export MODEL --format csv|tsv|json\n"
          "              [--where EXPR] [--filter NAME] [--output FILE] "
          "[--reveal]\n"
          "\nEvery matching row to CSV, TSV or JSON, streamed in key order.\n"
          "\nOptions:\n",
          out);
    for (size_t i = 0; i < NEXPORT_OPTIONS; i++) {
        char left[32];
        snprintf(left, sizeof left, "%s%s%s", export_options[i].name,
                 export_options[i].value ? " " : "",
                 export_options[i].value ? export_options[i].value : "");
        fprintf(out, "  %-18s  %s\n", left, export_options[i].help);
    }
}

int tui_cli_export_run(orm_db *db, const tui_options *opts, int argc,
                       char **argv, FILE *out, FILE *err)
{
    fcli c = {db, opts, out, err, "export"};
    const char *pos[1];
    const char *where = NULL, *filter = NULL, *format = NULL, *output = NULL;
    int reveal = 0;
    size_t npos = 0;
    tui_export_format f;
    const opt_spec specs[] = {
        {export_options[0].name, &where, NULL},
        {export_options[1].name, &filter, NULL},
        {export_options[2].name, &format, NULL},
        {export_options[3].name, &output, NULL},
        {export_options[4].name, NULL, &reveal},
    };
    int status = parse_args(&c, "export", argc, argv, 1, specs,
                            sizeof specs / sizeof specs[0], pos, &npos, 1);
    if (status)
        return status;
    if (npos < 1)
        return tui_cli_command_usage_fail(
            c.err, c.command,
            "usage: orb URL export MODEL [--where EXPR] "
            "[--filter NAME] --format csv|tsv|json "
            "[--output FILE] [--reveal]");
    if ((status = pick_format(&c, format, output, &f)) != 0)
        return status;
    if (!db)
        return 0;
    return run_export(&c, pos[0], where, filter, f, output, reveal);
}
