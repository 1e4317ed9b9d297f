/*
 * The command line's saved filters and export:
 *
 *   orb URL filter list [MODEL]
 *   orb URL filter save NAME MODEL EXPR [--replace]
 *   orb URL filter show NAME
 *   orb URL filter delete NAME
 *   orb URL filter rename OLD NEW
 *   orb URL export MODEL [--where EXPR] [--filter NAME]
 *                  --format csv|tsv|json [--output FILE] [--reveal]
 *   orb URL rows MODEL --filter NAME     (cli.c, through
 *                                         tui_cli_saved_filter_expr)
 *
 * Saved filters live in the state database (--state FILE, else
 * $XDG_DATA_HOME/orb/state.db) under the database URL without password.
 * As in cli.c: errors are one line on `err` starting with "orb: ", the
 * status is 0, 1 (database or validation error) or 2 (usage error); an
 * interrupted export exits 130.
 */
#ifndef TUI_CLI_FILTER_H
#define TUI_CLI_FILTER_H

#include <stdio.h>

#include "orm/orm.h"
#include "tui.h"

/*
 * `filter ...` with argv[0] = "filter". With a NULL db only the command
 * line is checked (0 or 2), so a usage error never waits for a
 * connection.
 */
int tui_cli_filter_run(orm_db *db, const tui_options *opts, int argc,
                       char **argv, FILE *out, FILE *err);

/*
 * `export ...` with argv[0] = "export": streams every matching row
 * through a cursor (memory stays flat), into --output by way of a
 * temporary file next to it that is renamed at the end, or to `out`.
 * Progress on `err` when it is a terminal. Ctrl-C stops it, removes the
 * temporary file and returns 130. A NULL db checks the command line only.
 */
int tui_cli_export_run(orm_db *db, const tui_options *opts, int argc,
                       char **argv, FILE *out, FILE *err);

/* `orb filter --help` and `orb export --help`: usage and options. */
void tui_cli_filter_help(FILE *out);
void tui_cli_export_help(FILE *out);

/* Their subcommands and options, for tui_cli_words. */
void tui_cli_filter_words(tui_cli_word_fn fn, void *payload);
void tui_cli_export_words(tui_cli_word_fn fn, void *payload);

/*
 * The saved filter `name` as an expression for `model` (for
 * `rows MODEL --filter NAME`; AND it with --where). Marks the filter as
 * used. Returns 0 with *out owned by the caller, else prints one "orb: "
 * line to `err` and returns 1 (no such filter, a filter of another
 * model, a column renamed or dropped since it was saved).
 */
int tui_cli_saved_filter_expr(orm_db *db, const tui_options *opts,
                              const char *name, const orm_model *model,
                              orm_expr **out, FILE *err);

#endif
