/*
 * The orb program's entry points, shared by main.c, the command line
 * (cli.c), the demo database (demo.c) and the terminal UI (app.c).
 */
#ifndef TUI_TUI_H
#define TUI_TUI_H

#include <stdio.h>

#include "orm/orm.h"

/* Options common to every way of running orb. */
typedef struct tui_options {
    const char *url;         /* NULL: the demo database */
    const char *models_file; /* --models FILE, or NULL */
    const char *theme;       /* --theme NAME|PATH, or NULL */
    const char *state_file;  /* --state FILE, or NULL */
    int read_only;           /* --read-only */
    const char *password;    /* from --password-prompt or ORB_PASSWORD;
                                overrides the URL's; never printed */
    int create;              /* create a missing SQLite file (create-all) */
    const char *one_model;   /* a command that reads one model: its name;
                                tui_open_db reads only that table's schema */
} tui_options;

/*
 * Open the database the options name (the demo database when url is NULL,
 * creating it on first run), load the models file and reflect the rest.
 * With opts->one_model, a name the models file does not declare is
 * reflected alone (a few schema queries instead of a few per table);
 * when no table has exactly that name, every table is, as without it, so
 * the command can match names in any case and suggest one.
 * On failure prints one clear line to `err` ("orb: ...") and returns the
 * exit status (1 database error, 2 usage error); *out is NULL then.
 */
int tui_open_db(orm_db **out, const tui_options *opts, FILE *err);
/* tui_open_db, telling `opening` of the database once it is connected,
 * before its tables are read, and NULL before a database that failed is
 * freed: the browser's switch cancels that reading with Esc. */
int tui_open_db_watched(orm_db **out, const tui_options *opts, FILE *err,
                        void (*opening)(orm_db *db, void *payload),
                        void *payload);

/* The demo database: its URL ($XDG_DATA_HOME/orb/demo.db), created with
 * sample data when missing. Owned string in *out. */
int tui_demo_ensure(char **out, orm_error *err);

/* Register the demo database's declared models (repr, secret flags). */
int tui_demo_register(orm_db *db);

/* The global options, before the URL: X(name, takes a value). main.c
 * accepts only these; bash completion is generated from this table and
 * the command line's (tui_cli_words). */
#define TUI_GLOBAL_OPTIONS(X)                                                  \
    X("--models", 1)                                                           \
    X("--theme", 1)                                                            \
    X("--state", 1)                                                            \
    X("--read-only", 0)                                                        \
    X("--password-prompt", 0)                                                  \
    X("--help", 0)                                                             \
    X("--version", 0)

typedef enum tui_cli_word_kind {
    TUI_WORD_COMMAND,       /* a command: word */
    TUI_WORD_GLOBAL_OPTION, /* a global option: word */
    TUI_WORD_OPTION,        /* an option of `command`: word */
    TUI_WORD_SUBCOMMAND     /* a word after `command` (filter save): word */
} tui_cli_word_kind;

/* Each word of the command line, from the tables its reader uses, in
 * their order: `command` is NULL for commands and global options;
 * `takes_value` says whether an option takes a value. For the bash
 * completion generator (completions/gen_completion.c). */
typedef void (*tui_cli_word_fn)(tui_cli_word_kind kind, const char *command,
                                const char *word, int takes_value,
                                void *payload);
void tui_cli_words(tui_cli_word_fn fn, void *payload);

/* Run one command-line job (argv starts at the command word, e.g.
 * "rows"). Returns the exit status: 0, 1 (database or validation error),
 * 2 (usage error). Output goes to `out`, errors to `err`. With a NULL db
 * only the command line is checked (and `help` runs). */
int tui_cli_run(orm_db *db, const tui_options *opts, int argc, char **argv,
                FILE *out, FILE *err);

/* Does the command line (argv starts at the command word) ask for help:
 * `help ...` or a --help among the command's words? tui_cli_run then
 * prints it, and main.c stops there without connecting. */
int tui_cli_is_help(int argc, char **argv);

/* The model a command line (argv starts at the command word) only reads,
 * e.g. "items" of `rows items --limit 5`, or NULL when the command writes,
 * needs every model or names none (see tui_options.one_model). */
const char *tui_cli_one_model(int argc, char **argv);

/* The interactive browser on a terminal. Returns the exit status. */
int tui_app_run(orm_db *db, const tui_options *opts);

#endif
