/*
 * The app: the state of the interactive browser, separate from any
 * terminal. A stack of views (models -> rows -> record, help on top of
 * any), the one session, the keymap, the theme, the status message and
 * the prompt. Keys go in (tui_app_key), cells come out (tui_app_draw
 * into whatever screen the app was given), and background work (row
 * counts) runs in small steps between keys (tui_app_idle). Tests drive
 * an app on the in-memory screen; tui_app_run drives one on ncurses.
 *
 * Views are tables of functions (tig's view_ops): each view file fills a
 * tui_view_ops and embeds tui_view first in its state. The screens are
 * made through views.h.
 */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <pthread.h>
#include <stddef.h>

#include "actions.h"
#include "config.h"
#include "display.h"
#include "keymap.h"
#include "orm/orm.h"
#include "orm/sys/buf.h"
#include "screen.h"
#include "theme.h"
#include "tui.h"

/* What a handler asks the app to do next (a bitmask). */
enum {
    TUI_DONE = 0,
    TUI_REDRAW = 1u << 0,
    TUI_PUSH = 1u << 1, /* open and push app->pushed */
    TUI_POP = 1u << 2,
    TUI_QUIT = 1u << 3,
    TUI_UNHANDLED = 1u << 4 /* the app's default applies */
};

/* Status messages kept for the messages screen (tui_app_recent). */
#define TUI_MESSAGES_KEPT 50

/* The smallest terminal the screens are laid out for. */
#define TUI_MIN_COLS  40
#define TUI_MIN_ROWS  10
#define TUI_STACK_MAX 32

/* Prompts on the status line. */
typedef enum tui_prompt_kind {
    TUI_PROMPT_NONE,
    TUI_PROMPT_SEARCH,
    TUI_PROMPT_GOTO,
    TUI_PROMPT_NARROW,
    TUI_PROMPT_COLUMN,
    TUI_PROMPT_URL /* a database URL: its password shown as *** */
} tui_prompt_kind;

typedef struct tui_app tui_app;
typedef struct tui_view tui_view;

/* Which screen a view is, for the places that must know: help does not
 * open over help, undo leaves a form's record alone, the quit question
 * is not asked twice. */
typedef enum tui_view_kind {
    TUI_VIEW_MODELS,
    TUI_VIEW_ROWS,
    TUI_VIEW_RECORD,
    TUI_VIEW_BACKREFS,
    TUI_VIEW_HELP,
    TUI_VIEW_PICKER,
    TUI_VIEW_FORM,
    TUI_VIEW_REVIEW,
    TUI_VIEW_CONFLICT,
    TUI_VIEW_QUIT,
    TUI_VIEW_RECOVER,
    TUI_VIEW_BUILDER,
    TUI_VIEW_FILTERS,
    TUI_VIEW_SUMMARY,
    TUI_VIEW_MESSAGES
} tui_view_kind;

typedef struct tui_view_ops {
    const char *name;
    tui_view_kind kind;
    /* Load what the first screen needs; nonzero keeps the view from
     * being pushed (after setting a message). */
    int (*open)(tui_view *v, tui_app *app);
    /* Read what the next draw shows for a body of `height` lines (the
     * rows a new screen size needs, rows again after a commit). Runs
     * after every key, as part of the key's work: on a terminal that is
     * the worker thread, where Esc cancels it (jobs.h). The draw itself
     * never asks the database: it shows what is held. May be NULL. */
    void (*prepare)(tui_view *v, tui_app *app, int height);
    /* Draw the body, screen rows [top, top + height), from what is held
     * (never a query: it runs on the terminal's thread). */
    void (*draw)(tui_view *v, tui_app *app, tui_screen *scr, int top,
                 int height);
    /* Title bar and status line text. */
    void (*title)(tui_view *v, tui_app *app, orm_buf *out);
    void (*status)(tui_view *v, tui_app *app, orm_buf *out);
    unsigned (*handle)(tui_view *v, tui_app *app, tui_action action);
    /* The prompt's text changed (done 0), was submitted (1) or
     * cancelled (-1), or Tab asks to complete it (2: the view may set
     * new text with tui_app_prompt). May be NULL. */
    unsigned (*prompt)(tui_view *v, tui_app *app, tui_prompt_kind kind,
                       const char *text, int done);
    /* A click on body line `line` at screen column `col`. May be NULL. */
    unsigned (*click)(tui_view *v, tui_app *app, int line, int col, int twice);
    /* One step of background work; *more says whether work is left.
     * May be NULL. */
    unsigned (*idle)(tui_view *v, tui_app *app, int *more);
    /* A printable key no action is bound to (the models screen starts
     * narrowing with it). May be NULL. */
    unsigned (*type)(tui_view *v, tui_app *app, int key);
    void (*close)(tui_view *v);
    /* Every key before the keymap sees it (forms type letters that are
     * bound elsewhere); TUI_UNHANDLED passes it on. May be NULL. */
    unsigned (*key)(tui_view *v, tui_app *app, int key);
    /* 1 when `key` hands the terminal to another program ($EDITOR): on
     * a terminal it then runs on the loop's thread, which owns curses,
     * instead of the worker (jobs.h). May be NULL (never). */
    int (*takes_terminal)(tui_view *v, tui_app *app, int key);
    /* Whose keys this screen reads: its own scope first, then the ones
     * it borrows, ending with TUI_SCOPE_GLOBAL (tui_keymap_lookup_in).
     * NULL: a browsing screen. */
    const tui_scope *scopes;
} tui_view_ops;

struct tui_view {
    const tui_view_ops *ops;
};

struct tui_app {
    /* The database. The key's thread reads it freely; it is replaced
     * (switch.c) and cancelled from another thread (tui_app_cancel)
     * only under db_lock. */
    orm_db *db;
    pthread_mutex_t db_lock;
    orm_db *opening_db; /* a switch's, while its tables are read: a
                           cancel reaches it too (under db_lock) */
    orm_session *session;
    const tui_options *opts;
    tui_screen *screen;
    tui_theme theme;
    tui_keymap keymap;
    tui_config config;
    tui_display display; /* [ui] null and date_format (config's strings) */
    char *config_dir;
    tui_view *stack[TUI_STACK_MAX];
    size_t depth;
    tui_view *pushed; /* set by a handler returning TUI_PUSH */
    orm_buf message;
    int message_error;
    /* The last TUI_MESSAGES_KEPT messages, a ring (tui_app_recent). */
    struct tui_recent {
        char *text;
        int error;
        unsigned repeats; /* said again right after: 1 + how often */
    } recent[TUI_MESSAGES_KEPT];
    size_t recent_next, recent_count;
    tui_prompt_kind prompt;
    char prompt_label[16];
    orm_buf prompt_text;
    int done;
    int exit_status;
    char *start_problems;        /* config/theme problems at start, one a line;
                                    the help screen lists them (owned) */
    struct tui_edit *edit;       /* editing state (edit.c), NULL until used */
    struct tui_journal *journal; /* recovery journal (journal.c), or NULL */
    struct tui_columns_memo *columns_memo; /* hidden columns (columns.c) */
    /* Switching the database (switch.c): the prompt is the switch's
     * while `switching`; a database opened there (own_db) is the app's,
     * the first one main.c's; the options it was opened with (strings
     * owned); what was typed at a failed try; where the journal lives
     * (journal_dir, NULL: the state directory) once tui_app_journal was
     * called. */
    int switching;
    orm_db *own_db;
    tui_options switched;
    char *switch_url, *switch_models, *switch_typed;
    int journaling;
    char *journal_dir;
    int cli_read_only; /* --read-only: every database opened read-only */
};

/*
 * Make an app on `screen` (borrowed): reads the config files (the
 * system-wide ones, then the one in `config_dir`, NULL: $XDG_CONFIG_HOME/
 * orb; see config.h) and the theme (opts->theme, else the
 * config's), reporting bad lines on the status line. `opts` may be NULL.
 */
int tui_app_new(tui_app **out, orm_db *db, const tui_options *opts,
                tui_screen *screen, const char *config_dir);
void tui_app_free(tui_app *app);
/* Open the models screen. */
int tui_app_start(tui_app *app);
/*
 * Keep the pending changes in a recovery journal in `dir` (NULL: the
 * state directory), from now on after every key. When an earlier run
 * on this database left changes there, the screen that offers them back
 * opens. Problems (an unreadable journal, set aside) are said on the
 * status line; the app works without a journal when it cannot have one.
 */
void tui_app_journal(tui_app *app, const char *dir);

/* One input event. */
void tui_app_key(tui_app *app, const tui_event *ev);
/* Does handling `ev` use the terminal itself (the top screen's
 * takes_terminal, or the redraw key)? Such a key must run on the
 * thread that owns curses. */
int tui_app_key_takes_terminal(tui_app *app, const tui_event *ev);
/* One step of background work; returns 1 while work is left. */
int tui_app_idle(tui_app *app);
/* Draw everything into the screen's cells (does not refresh). */
void tui_app_draw(tui_app *app);
/* Stop what the database runs now (orm_db_cancel), from any thread: the
 * database in use at that moment, which a switch replaces (and frees)
 * only under app->db_lock, and the one a switch is opening. Returns what
 * orm_db_cancel returned for the one in use. */
int tui_app_cancel(tui_app *app);
/* Has the app finished (quit, or the last view closed)? */
int tui_app_done(const tui_app *app);

/*
 * For tests and scripted use: type `keys`, where <Name> is a named key
 * (<Enter>, <Down>, <C-l>, <Resize>) and anything else is typed as is;
 * after each key the background work is finished and the screen drawn.
 * Returns 0, or ORM_EINVALID for an unknown key name.
 */
int tui_app_send(tui_app *app, const char *keys);
/* Finish all background work (bounded). */
void tui_app_settle(tui_app *app);

/* For views. */
tui_view *tui_app_top(const tui_app *app);
void tui_app_message(tui_app *app, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void tui_app_error(tui_app *app, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Message `i` of the recent ones, newest first (0), or NULL past the
 * last: its text (borrowed), whether it was an error, and how many times
 * it was said in a row. */
const char *tui_app_recent(const tui_app *app, size_t i, int *error,
                           unsigned *repeats);
/* Show a database error: the context and orm_error_text. */
void tui_app_db_error(tui_app *app, const char *what, const orm_error *err);
/* Start a prompt with `label` (e.g. "/") and initial text. */
void tui_app_prompt(tui_app *app, tui_prompt_kind kind, const char *label,
                    const char *initial);
/* Lines the body has on the current screen. */
int tui_app_body_height(const tui_app *app);

/* A list screen's cursor over `n` entries moved by a movement action
 * (up, down, `page` entries up or down, first, last), kept in 0..n-1 (0
 * when empty): 1 when `a` is one of those, else 0 and nothing moved. */
int tui_list_move(size_t *cursor, size_t n, size_t page, tui_action a);
/* A text screen's first line shown, `*top` of `lines`, moved the same
 * way (the draw stops at the last page): 1 when `a` is one of those. */
int tui_scroll_move(int *top, int lines, int page, tui_action a);
/* Close every screen (nothing is shown until tui_app_start). */
void tui_app_close_views(tui_app *app);

/* ---- switching the database (switch.c) ---- */

/* The switch-connection key: ask about pending changes first (a
 * question screen is pushed: TUI_PUSH), else the prompt for the URL. */
unsigned tui_app_switch(tui_app *app);
/* The prompt for the URL or @NAME (after the pending changes went). */
void tui_switch_ask(tui_app *app);
/* The prompt's text changed, was submitted or cancelled (as
 * tui_view_ops.prompt). */
unsigned tui_switch_prompt(tui_app *app, const char *text, int done);
/* A URL as typed with its password as ***. */
void tui_switch_shown(orm_buf *out, const char *text);
/* A model as the screens' titles name it: "name (table)", the table as
 * "schema.table" outside the current schema (orm_name_join), so that
 * two tables of one name in two schemas are told apart. */
void tui_model_title(orm_buf *out, const orm_model *m);

#endif
