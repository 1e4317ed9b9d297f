/*
 * The app: the view stack, key dispatch, the prompt, the title and
 * status lines, background work between keys, and tui_app_run, the
 * event loop on a real terminal.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <utf8proc.h>

#include "app.h"
#include "columns.h"
#include "edit.h"
#include "jobs.h"
#include "journal.h"
#include "mem.h"
#include "paths.h"
#include "views.h"

#define IDLE_POLL_MS 0
#define WAIT_MS      1000
#define SETTLE_MAX   100000

/* ---- messages ---- */

/* The message kept for the messages screen: a repeat of the newest one
 * counts there, others push the oldest out. */
static void recent_keep(tui_app *app, const char *text, int error)
{
    struct tui_recent *newest =
        app->recent_count
            ? &app->recent[(app->recent_next + TUI_MESSAGES_KEPT - 1) %
                           TUI_MESSAGES_KEPT]
            : NULL;
    char *copy;
    if (!text || !*text)
        return;
    if (newest && newest->error == error && strcmp(newest->text, text) == 0) {
        newest->repeats++;
        return;
    }
    if (!(copy = orm_strdup(text)))
        return; /* out of memory: the status line still shows it */
    struct tui_recent *slot = &app->recent[app->recent_next];
    free(slot->text);
    *slot = (struct tui_recent){copy, error, 1};
    app->recent_next = (app->recent_next + 1) % TUI_MESSAGES_KEPT;
    if (app->recent_count < TUI_MESSAGES_KEPT)
        app->recent_count++;
}

const char *tui_app_recent(const tui_app *app, size_t i, int *error,
                           unsigned *repeats)
{
    if (i >= app->recent_count)
        return NULL;
    const struct tui_recent *r =
        &app->recent[(app->recent_next + TUI_MESSAGES_KEPT - 1 - i) %
                     TUI_MESSAGES_KEPT];
    if (error)
        *error = r->error;
    if (repeats)
        *repeats = r->repeats;
    return r->text;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 0)))
#endif
static void
set_message(tui_app *app, int error, const char *fmt, va_list ap)
{
    orm_buf_reset(&app->message);
    orm_buf_vappendf(&app->message, fmt, ap);
    app->message_error = error;
    recent_keep(app, orm_buf_str(&app->message), error);
}

void tui_app_message(tui_app *app, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(app, 0, fmt, ap);
    va_end(ap);
}

void tui_app_error(tui_app *app, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(app, 1, fmt, ap);
    va_end(ap);
}

void tui_app_db_error(tui_app *app, const char *what, const orm_error *err)
{
    tui_app_error(app, "%s: %s", what, orm_error_text(err));
}

/* ---- views ---- */

tui_view *tui_app_top(const tui_app *app)
{
    return app->depth ? app->stack[app->depth - 1] : NULL;
}

int tui_app_body_height(const tui_app *app)
{
    int h = app->screen->rows - 2;
    return h < 1 ? 1 : h;
}

int tui_list_move(size_t *cursor, size_t n, size_t page, tui_action a)
{
    size_t last = n ? n - 1 : 0, at = *cursor;
    switch (a) {
    case TUI_ACT_MOVE_UP:
        at = at > 0 ? at - 1 : 0;
        break;
    case TUI_ACT_MOVE_DOWN:
        if (at < last)
            at++;
        break;
    case TUI_ACT_PAGE_UP:
        at = at > page ? at - page : 0;
        break;
    case TUI_ACT_PAGE_DOWN:
        at = at + page < last ? at + page : last;
        break;
    case TUI_ACT_FIRST:
        at = 0;
        break;
    case TUI_ACT_LAST:
        at = last;
        break;
    default:
        return 0;
    }
    *cursor = at;
    return 1;
}

int tui_scroll_move(int *top, int lines, int page, tui_action a)
{
    switch (a) {
    case TUI_ACT_MOVE_UP:
        (*top)--;
        break;
    case TUI_ACT_MOVE_DOWN:
        (*top)++;
        break;
    case TUI_ACT_PAGE_UP:
        *top -= page;
        break;
    case TUI_ACT_PAGE_DOWN:
        *top += page;
        break;
    case TUI_ACT_FIRST:
        *top = 0;
        break;
    case TUI_ACT_LAST:
        *top = lines; /* the draw stops at the last page */
        break;
    default:
        return 0;
    }
    if (*top < 0)
        *top = 0;
    return 1;
}

static void view_close(tui_view *v)
{
    if (v && v->ops->close)
        v->ops->close(v);
}

static void push_pending(tui_app *app)
{
    tui_view *v = app->pushed;
    app->pushed = NULL;
    if (!v)
        return;
    if (app->depth == TUI_STACK_MAX) {
        tui_app_error(app, "too many screens open: go back first");
        view_close(v);
        return;
    }
    if (v->ops->open && v->ops->open(v, app) != 0) {
        view_close(v);
        return;
    }
    app->stack[app->depth++] = v;
}

void tui_app_close_views(tui_app *app)
{
    while (app->depth)
        view_close(app->stack[--app->depth]);
    view_close(app->pushed);
    app->pushed = NULL;
}

static void pop(tui_app *app)
{
    if (!app->depth)
        return;
    view_close(app->stack[--app->depth]);
    if (!app->depth)
        app->done = 1;
}

static void apply(tui_app *app, unsigned result)
{
    if (result & TUI_POP)
        pop(app);
    if (result & TUI_PUSH)
        push_pending(app);
    if ((result & TUI_QUIT) && !tui_edit_confirm_quit(app))
        app->done = 1;
}

static void prepare(tui_app *app);

/* ---- setup ---- */

static char *themes_in(const char *dir)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_appendf(&b, "%s/themes", dir);
    return orm_buf_finish(&b);
}

/* The theme named by --theme or the config: the user's themes in
 * config_dir/themes first, then each data directory's themes
 * (tui_data_dirs). Not found: a problem naming where orb looked. */
static void load_theme(tui_app *app, orm_buf *problems)
{
    const char *name =
        app->opts && app->opts->theme ? app->opts->theme : app->config.theme;
    char **data_dirs = NULL, **dirs = NULL;
    size_t n = 0;
    orm_error err = ORM_ERROR_INIT;
    if (!name)
        return;
    if (tui_data_dirs(&data_dirs, &err) != 0) {
        orm_buf_appendf(problems, "theme '%s': %s\n", name,
                        orm_error_text(&err));
        orm_error_clear(&err);
        return;
    }
    while (data_dirs[n])
        n++;
    /* An allocation failure ends the list early: fewer places to look. */
    if ((dirs = tui_calloc(n + 2, sizeof *dirs)) != NULL) {
        size_t k = 0;
        if (app->config_dir)
            dirs[k++] = themes_in(app->config_dir);
        for (size_t i = 0; i < n && (k == 0 || dirs[k - 1]); i++)
            dirs[k++] = themes_in(data_dirs[i]);
    }
    char *path = tui_theme_find(name, (const char *const *)dirs);
    if (path) {
        tui_theme_load_file(&app->theme, path, problems);
    } else {
        /* A theme from the config file names its line. */
        if (name == app->config.theme && app->config.theme_where)
            orm_buf_appendf(problems, "%s: ", app->config.theme_where);
        orm_buf_appendf(problems, "theme '%s' not found in", name);
        for (size_t i = 0; dirs && dirs[i]; i++)
            orm_buf_appendf(problems, "%s %s", i ? "," : "", dirs[i]);
        orm_buf_appendc(problems, '\n');
    }
    free(path);
    tui_dirs_free(dirs);
    tui_dirs_free(data_dirs);
}

/* Problems found at start: the first one and how many more on the status
 * line; all of them at the top of the help screen. */
static void report_problems(tui_app *app, const orm_buf *problems)
{
    const char *text = orm_buf_str(problems);
    size_t n = 0;
    if (!text || !*text)
        return;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    const char *nl = strchr(text, '\n');
    int len = nl ? (int)(nl - text) : (int)strlen(text);
    app->start_problems = orm_strdup(text);
    if (n > 1 && app->start_problems)
        tui_app_error(app, "%.*s (and %zu more: ? lists them)", len, text,
                      n - 1);
    else if (n > 1)
        tui_app_error(app, "%.*s (and %zu more)", len, text, n - 1);
    else
        tui_app_error(app, "%.*s", len, text);
}

int tui_app_new(tui_app **out, orm_db *db, const tui_options *opts,
                tui_screen *screen, const char *config_dir)
{
    orm_buf problems = ORM_BUF_INIT;
    tui_app *app = tui_calloc(1, sizeof *app);
    int rc;
    *out = NULL;
    if (!app)
        return ORM_ENOMEM;
    app->db = db;
    app->opts = opts;
    app->cli_read_only = opts && opts->read_only;
    app->screen = screen;
    if (pthread_mutex_init(&app->db_lock, NULL) != 0) {
        free(app);
        return ORM_ENOMEM;
    }
    rc = orm_session_new(&app->session, db);
    if (rc) {
        pthread_mutex_destroy(&app->db_lock);
        free(app);
        return rc;
    }
    tui_keymap_default(&app->keymap);
    tui_theme_default(&app->theme);
    app->config_dir = config_dir ? orm_strdup(config_dir) : tui_config_dir();
    tui_config_load_all(&app->config, &app->keymap, app->config_dir, &problems);
    app->display.null_text = app->config.null_text;
    app->display.date_format = app->config.date_format;
    load_theme(app, &problems);
    if (screen->ops->set_theme)
        screen->ops->set_theme(screen, &app->theme);
    report_problems(app, &problems);
    orm_buf_free(&problems);
    *out = app;
    return 0;
}

void tui_app_free(tui_app *app)
{
    if (!app)
        return;
    while (app->depth)
        view_close(app->stack[--app->depth]);
    view_close(app->pushed);
    tui_edit_free(app->edit);
    tui_journal_free(app->journal); /* the file stays: nothing was said */
    tui_columns_memo_free(app->columns_memo);
    orm_session_free(app->session);
    orm_db_free(app->own_db);
    pthread_mutex_destroy(&app->db_lock);
    free(app->switch_url);
    free(app->switch_models);
    free(app->switch_typed);
    free(app->journal_dir);
    tui_config_clear(&app->config);
    free(app->config_dir);
    free(app->start_problems);
    orm_buf_free(&app->message);
    orm_buf_free(&app->prompt_text);
    for (size_t i = 0; i < TUI_MESSAGES_KEPT; i++)
        free(app->recent[i].text);
    free(app);
}

int tui_app_start(tui_app *app)
{
    tui_view *v = NULL;
    int rc = tui_view_models_new(&v, app);
    if (rc)
        return rc;
    app->pushed = v;
    push_pending(app);
    prepare(app);
    return app->depth ? 0 : ORM_EERROR;
}

void tui_app_journal(tui_app *app, const char *dir)
{
    tui_view *offer;
    if (dir != app->journal_dir) { /* kept for the next database */
        free(app->journal_dir);
        app->journal_dir = dir ? orm_strdup(dir) : NULL;
    }
    app->journaling = 1;
    offer = tui_journal_start(app, dir);
    if (offer) {
        app->pushed = offer;
        push_pending(app);
    }
}

/* After every key: the journal holds what is pending before the screen
 * shows it. */
static void journal_sync(tui_app *app)
{
    orm_error err = ORM_ERROR_INIT;
    if (app->journal && tui_journal_sync(app->journal, app, &err) != 0)
        tui_app_error(app,
                      "recovery journal: %s (the changes are pending but "
                      "would not survive a crash)",
                      orm_error_text(&err));
    orm_error_clear(&err);
}

int tui_app_cancel(tui_app *app)
{
    pthread_mutex_lock(&app->db_lock);
    int rc = orm_db_cancel(app->db, NULL);
    if (app->opening_db)
        orm_db_cancel(app->opening_db, NULL);
    pthread_mutex_unlock(&app->db_lock);
    return rc;
}

int tui_app_done(const tui_app *app)
{
    return app->done;
}

/* ---- the prompt ---- */

void tui_app_prompt(tui_app *app, tui_prompt_kind kind, const char *label,
                    const char *initial)
{
    app->prompt = kind;
    snprintf(app->prompt_label, sizeof app->prompt_label, "%s", label);
    orm_buf_reset(&app->prompt_text);
    orm_buf_append(&app->prompt_text, initial ? initial : "");
    if (app->prompt_text.failed) { /* an empty prompt, said why */
        orm_buf_reset(&app->prompt_text);
        tui_app_error(app, "out of memory: the prompt starts empty");
    }
}

static void prompt_notify(tui_app *app, int done)
{
    tui_view *v = tui_app_top(app);
    tui_prompt_kind kind = app->prompt;
    const char *text = orm_buf_str(&app->prompt_text);
    if (done == 1 || done == -1)
        app->prompt = TUI_PROMPT_NONE;
    if (app->switching) { /* the prompt is the switch's (switch.c) */
        apply(app, tui_switch_prompt(app, text ? text : "", done));
        return;
    }
    if (v && v->ops->prompt)
        apply(app, v->ops->prompt(v, app, kind, text ? text : "", done));
}

static void prompt_key(tui_app *app, int key)
{
    orm_buf *t = &app->prompt_text;
    if (key == TUI_KEY_ENTER) {
        prompt_notify(app, 1);
    } else if (key == TUI_KEY_ESC) {
        prompt_notify(app, -1);
    } else if (key == TUI_KEY_BACKSPACE) {
        if (t->len == 0) {
            prompt_notify(app, -1);
            return;
        }
        size_t n = t->len - 1;
        while (n > 0 && ((unsigned char)t->data[n] & 0xC0) == 0x80)
            n--;
        t->len = n;
        t->data[n] = '\0';
        prompt_notify(app, 0);
    } else if (key == TUI_KEY_TAB) {
        prompt_notify(app, 2); /* complete */
    } else if (key == 21) {    /* C-u */
        orm_buf_reset(t);
        orm_buf_append(t, "");
        prompt_notify(app, 0);
    } else if (key >= 32 && key < TUI_KEY_SPECIAL && key != 127) {
        utf8proc_uint8_t buf[8];
        utf8proc_ssize_t n = utf8proc_encode_char(key, buf);
        if (n > 0)
            orm_buf_appendn(t, (const char *)buf, (size_t)n);
        if (t->failed) { /* what was typed before stays */
            t->failed = 0;
            tui_app_error(app, "out of memory: the key was not typed");
            return;
        }
        prompt_notify(app, 0);
    }
}

/* ---- keys ---- */

static void run_action(tui_app *app, tui_action a)
{
    tui_view *v = tui_app_top(app);
    unsigned result = TUI_UNHANDLED;
    if (tui_edit_refused(app, a))
        return;
    if (a == TUI_ACT_QUIT) {
        if (!tui_edit_confirm_quit(app))
            app->done = 1;
        return;
    }
    if (a == TUI_ACT_SWITCH_CONNECTION) {
        apply(app, tui_app_switch(app));
        return;
    }
    if (a == TUI_ACT_HELP && v && v->ops->kind != TUI_VIEW_HELP) {
        tui_view *help = NULL;
        if (tui_view_help_new(&help, app) == 0) {
            app->pushed = help;
            push_pending(app);
        } else {
            tui_app_error(app, "out of memory");
        }
        return;
    }
    if (v && v->ops->handle)
        result = v->ops->handle(v, app, a);
    if (a == TUI_ACT_CANCEL && (result & TUI_UNHANDLED)) {
        /* Esc is back, except that it never quits: a second Esc out of
         * a prompt must not end orb (q and Q quit). */
        a = TUI_ACT_BACK;
        result =
            v && v->ops->handle ? v->ops->handle(v, app, a) : TUI_UNHANDLED;
        if ((result & TUI_QUIT) ||
            ((result & (TUI_UNHANDLED | TUI_POP)) && app->depth <= 1)) {
            orm_buf keys = ORM_BUF_INIT;
            tui_keymap_describe(&app->keymap, TUI_ACT_BACK, &keys);
            tui_app_message(app, "%s quits orb",
                            keys.len ? orm_buf_str(&keys) : "back");
            orm_buf_free(&keys);
            return;
        }
    }
    if (result & TUI_UNHANDLED) {
        if (a == TUI_ACT_BACK)
            result |= TUI_POP;
        else
            result = tui_edit_unhandled(app, a);
    }
    apply(app, result);
}

static void mouse_event(tui_app *app, const tui_event *ev)
{
    tui_view *v = tui_app_top(app);
    if (!v)
        return;
    if (ev->mouse == TUI_MOUSE_WHEEL_UP || ev->mouse == TUI_MOUSE_WHEEL_DOWN) {
        tui_action a = ev->mouse == TUI_MOUSE_WHEEL_UP ? TUI_ACT_MOVE_UP
                                                       : TUI_ACT_MOVE_DOWN;
        for (int i = 0; i < 3 && !app->done; i++)
            run_action(app, a);
        return;
    }
    if (ev->row < 1 || ev->row > tui_app_body_height(app))
        return;
    if (v->ops->click)
        apply(app, v->ops->click(v, app, ev->row - 1, ev->col,
                                 ev->mouse == TUI_MOUSE_DOUBLE_CLICK));
}

static void key_dispatch(tui_app *app, const tui_event *ev);

static void open_messages(tui_app *app)
{
    tui_view *v = tui_app_top(app);
    tui_view *messages = NULL;
    if (v && v->ops->kind == TUI_VIEW_MESSAGES) {
        pop(app);
        return;
    }
    if (tui_view_messages_new(&messages, app) != 0) {
        tui_app_error(app, "out of memory");
        return;
    }
    app->pushed = messages;
    push_pending(app);
}

/* The top screen reads what its next draw shows (tui_view_ops.prepare),
 * as part of the key's work: the draw asks the database for nothing. */
static void prepare(tui_app *app)
{
    tui_view *v = tui_app_top(app);
    if (v && v->ops->prepare && !app->done)
        v->ops->prepare(v, app, tui_app_body_height(app));
}

void tui_app_key(tui_app *app, const tui_event *ev)
{
    key_dispatch(app, ev);
    prepare(app);
    journal_sync(app);
}

static void key_dispatch(tui_app *app, const tui_event *ev)
{
    if (app->done)
        return;
    if (ev->key == TUI_KEY_INTERRUPT) {
        /* Ctrl-C asks as Q does when changes are pending (a prompt
         * being typed is closed first); SIGTERM and SIGHUP, and Ctrl-C
         * with nothing pending, end the loop. */
        if (ev->signal == SIGINT &&
            orm_session_pending_count(app->session) > 0) {
            if (app->prompt != TUI_PROMPT_NONE)
                prompt_notify(app, -1);
            orm_buf_reset(&app->message);
            app->message_error = 0;
            tui_edit_confirm_quit(app);
            return;
        }
        app->exit_status = 128 + ev->signal;
        app->done = 1;
        return;
    }
    if (ev->key == TUI_KEY_RESIZE)
        return; /* the next draw lays out for the new size */
    orm_buf_reset(&app->message);
    app->message_error = 0;
    if (app->prompt != TUI_PROMPT_NONE) {
        prompt_key(app, ev->key);
        return;
    }
    if (ev->key == TUI_KEY_MOUSE) {
        mouse_event(app, ev);
        return;
    }
    tui_view *top = tui_app_top(app);
    if (tui_keymap_get(&app->keymap, TUI_SCOPE_GLOBAL, ev->key) ==
        TUI_ACT_MESSAGES) {
        /* On every screen, before its own keys (a form's, a question's):
         * the recent messages, in full. Again: back. */
        open_messages(app);
        return;
    }
    if (top && top->ops->key) {
        unsigned result = top->ops->key(top, app, ev->key);
        if (!(result & TUI_UNHANDLED)) {
            apply(app, result);
            return;
        }
    }
    tui_action a = tui_keymap_lookup_exact(
        &app->keymap, top ? top->ops->scopes : NULL, ev->key);
    if (a == TUI_ACT_REDRAW && app->screen->ops->invalidate)
        app->screen->ops->invalidate(app->screen);
    else if (a != TUI_ACT_NONE && a != TUI_ACT_REDRAW)
        run_action(app, a);
    else if (a == TUI_ACT_NONE && ev->key > 32 && ev->key < TUI_KEY_SPECIAL &&
             ev->key != 127) {
        tui_view *v = tui_app_top(app);
        if (v && v->ops->type)
            apply(app, v->ops->type(v, app, ev->key));
    }
}

int tui_app_key_takes_terminal(tui_app *app, const tui_event *ev)
{
    tui_view *top = tui_app_top(app);
    if (app->done || app->prompt != TUI_PROMPT_NONE ||
        ev->key == TUI_KEY_MOUSE || ev->key == TUI_KEY_RESIZE ||
        ev->key == TUI_KEY_INTERRUPT)
        return 0;
    if (top && top->ops->takes_terminal &&
        top->ops->takes_terminal(top, app, ev->key))
        return 1;
    return tui_keymap_lookup_exact(&app->keymap, top ? top->ops->scopes : NULL,
                                   ev->key) == TUI_ACT_REDRAW;
}

int tui_app_idle(tui_app *app)
{
    tui_view *v = tui_app_top(app);
    int more = 0;
    if (!v || !v->ops->idle || app->done)
        return 0;
    apply(app, v->ops->idle(v, app, &more));
    return more;
}

void tui_app_settle(tui_app *app)
{
    for (int i = 0; i < SETTLE_MAX && tui_app_idle(app); i++)
        ;
}

/* ---- drawing ---- */

#define TUI_MESSAGE_LINES_MAX 8

typedef struct line_writer {
    tui_screen *scr;
    int row;
} line_writer;

static int write_line(const char *text, size_t len, void *payload)
{
    line_writer *w = payload;
    if (w->row >= w->scr->rows)
        return 1;
    tui_screen_putn(w->scr, w->row++, 0, text, len, -1, TUI_EL_ERROR);
    return 0;
}

static void draw_too_small(tui_app *app)
{
    char text[64];
    line_writer w = {app->screen, 0};
    snprintf(text, sizeof text, "terminal too small (need %d\xC3\x97%d)",
             TUI_MIN_COLS, TUI_MIN_ROWS);
    tui_text_wrap(text, strlen(text), app->screen->cols, write_line, &w);
}

/* A message wider than the screen, wrapped over the lines above the
 * status line (the body's last lines, until the next key), at most a
 * third of the screen: so a long message is read in full. */
typedef struct message_lines {
    orm_buf lines[TUI_MESSAGE_LINES_MAX];
    size_t n, max;
    int cut; /* more lines than room: the last one ends in "…" */
} message_lines;

static int message_line(const char *text, size_t len, void *payload)
{
    message_lines *ml = payload;
    if (ml->n == ml->max) {
        ml->cut = 1;
        return 1;
    }
    orm_buf_appendn(&ml->lines[ml->n], text, len);
    orm_buf_append(&ml->lines[ml->n], "");
    ml->n++;
    return 0;
}

static void draw_long_message(tui_app *app, const char *msg)
{
    tui_screen *scr = app->screen;
    tui_element el = app->message_error ? TUI_EL_ERROR : TUI_EL_MESSAGE;
    message_lines ml = {0};
    ml.max = (size_t)(scr->rows / 3 > 1 ? scr->rows / 3 : 1);
    if (ml.max > TUI_MESSAGE_LINES_MAX)
        ml.max = TUI_MESSAGE_LINES_MAX;
    tui_text_wrap(msg, strlen(msg), scr->cols, message_line, &ml);
    int row = scr->rows - (int)ml.n;
    for (size_t i = 0; i < ml.n; i++, row++) {
        const char *line = orm_buf_str(&ml.lines[i]);
        orm_buf fitted = ORM_BUF_INIT;
        if (ml.cut && i + 1 == ml.n) { /* say that more was cut */
            orm_buf_append(&ml.lines[i], " \xE2\x80\xA6");
            line = orm_buf_str(&ml.lines[i]);
        }
        tui_text_fit(&fitted, line ? line : "", line ? strlen(line) : 0,
                     scr->cols);
        tui_screen_fill(scr, row, 0, scr->cols, el);
        tui_screen_put(scr, row, 0, orm_buf_str(&fitted), -1, el);
        orm_buf_free(&fitted);
        orm_buf_free(&ml.lines[i]);
    }
}

static void draw_status(tui_app *app, tui_view *v)
{
    tui_screen *scr = app->screen;
    int row = scr->rows - 1;
    orm_buf text = ORM_BUF_INIT;
    if (app->prompt != TUI_PROMPT_NONE) {
        tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_PROMPT);
        orm_buf_append(&text, app->prompt_label);
        if (app->prompt == TUI_PROMPT_URL)
            tui_switch_shown(&text, orm_buf_str(&app->prompt_text)
                                        ? orm_buf_str(&app->prompt_text)
                                        : "");
        else
            orm_buf_append(&text, orm_buf_str(&app->prompt_text)
                                      ? orm_buf_str(&app->prompt_text)
                                      : "");
        orm_buf_append(&text, "\xE2\x96\x8F"); /* a thin bar: the caret */
        const char *s = orm_buf_str(&text);
        int w = tui_text_widthz(s);
        /* Keep the end of long input in view. */
        size_t skip = 0;
        while (s && w > scr->cols && s[skip]) {
            char g[TUI_GRAPHEME_MAX];
            int gw;
            skip += tui_text_next(g, &gw, s + skip, strlen(s + skip));
            w -= gw;
        }
        tui_screen_put(scr, row, 0, s ? s + skip : "", -1, TUI_EL_PROMPT);
        orm_buf_free(&text);
        return;
    }
    tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_STATUS);
    if (v && v->ops->status)
        v->ops->status(v, app, &text);
    const char *status = orm_buf_str(&text);
    const char *msg = orm_buf_str(&app->message);
    int status_room = scr->cols;
    if (msg && *msg && tui_text_widthz(msg) > scr->cols) {
        draw_long_message(app, msg);
        orm_buf_free(&text);
        return;
    }
    if (msg && *msg) {
        int mw = tui_text_widthz(msg);
        if (mw > scr->cols)
            mw = scr->cols;
        status_room = scr->cols - mw - 1;
        if (status_room < 12)
            status_room = 0;
        int at = status_room ? scr->cols - mw : 0;
        orm_buf fitted = ORM_BUF_INIT;
        tui_text_fit(&fitted, msg, strlen(msg), scr->cols - at);
        tui_screen_fill(scr, row, at, scr->cols - at,
                        app->message_error ? TUI_EL_ERROR : TUI_EL_MESSAGE);
        tui_screen_put(scr, row, at, orm_buf_str(&fitted), -1,
                       app->message_error ? TUI_EL_ERROR : TUI_EL_MESSAGE);
        orm_buf_free(&fitted);
    }
    if (status && status_room > 0) {
        orm_buf fitted = ORM_BUF_INIT;
        tui_text_fit(&fitted, status, strlen(status), status_room);
        tui_screen_put(scr, row, 0, orm_buf_str(&fitted), status_room,
                       TUI_EL_STATUS);
        orm_buf_free(&fitted);
    }
    orm_buf_free(&text);
}

void tui_app_draw(tui_app *app)
{
    tui_screen *scr = app->screen;
    tui_view *v = tui_app_top(app);
    orm_buf title = ORM_BUF_INIT;
    tui_screen_clear(scr);
    if (scr->rows < TUI_MIN_ROWS || scr->cols < TUI_MIN_COLS) {
        draw_too_small(app);
        return;
    }
    tui_screen_fill(scr, 0, 0, scr->cols, TUI_EL_TITLE);
    orm_buf_append(&title, "orb");
    if (v && v->ops->title) {
        orm_buf_append(&title, " \xC2\xB7 ");
        v->ops->title(v, app, &title);
    }
    if (orm_buf_str(&title)) {
        orm_buf fitted = ORM_BUF_INIT;
        const char *t = orm_buf_str(&title);
        tui_text_fit(&fitted, t, strlen(t), scr->cols);
        tui_screen_put(scr, 0, 0, orm_buf_str(&fitted), -1, TUI_EL_TITLE);
        orm_buf_free(&fitted);
    }
    orm_buf_free(&title);
    if (v && v->ops->draw)
        v->ops->draw(v, app, scr, 1, scr->rows - 2);
    draw_status(app, v);
}

/* ---- scripted input ---- */

int tui_app_send(tui_app *app, const char *keys)
{
    const char *p = keys;
    while (*p && !app->done) {
        tui_event ev = {0};
        if (*p == '<' && p[1] && p[1] != '>' && strchr(p + 1, '>')) {
            const char *end = strchr(p + 1, '>');
            char name[32];
            size_t len = (size_t)(end - p - 1);
            if (len >= sizeof name)
                return ORM_EINVALID;
            memcpy(name, p + 1, len);
            name[len] = '\0';
            ev.key = tui_key_parse(name);
            if (ev.key < 0)
                return ORM_EINVALID;
            p = end + 1;
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n =
                utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
            if (n <= 0)
                return ORM_EINVALID;
            ev.key = cp;
            p += n;
        }
        tui_app_draw(app); /* views lay out for the screen as drawn */
        tui_app_key(app, &ev);
        tui_app_draw(app);
        tui_app_settle(app);
        tui_app_draw(app);
    }
    return 0;
}

/* ---- the terminal loop ---- */

int tui_app_run(orm_db *db, const tui_options *opts)
{
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    tui_jobs *jobs = NULL;
    tui_theme theme;
    int status = 1, busy = 1;
    tui_theme_default(&theme);
    /* Without a terminal curses would read end-of-file forever. */
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr,
                "orb: the browser needs a terminal (standard %s is "
                "not one); for scripts use a command such as "
                "'orb URL rows MODEL' (see orb --help)\n",
                !isatty(STDIN_FILENO) ? "input" : "output");
        return 2;
    }
    if (tui_screen_curses_new(&scr, &theme) != 0) {
        const char *term = getenv("TERM");
        fprintf(stderr, "orb: cannot use the terminal (TERM=%s)\n",
                term ? term : "unset");
        return 1;
    }
    if (tui_jobs_new(&jobs) != 0 ||
        tui_app_new(&app, db, opts, scr, NULL) != 0 ||
        tui_app_start(app) != 0) {
        const char *msg = app ? orm_buf_str(&app->message) : NULL;
        tui_app_free(app);
        tui_jobs_free(jobs);
        scr->ops->free(scr);
        fprintf(stderr, "orb: %s\n", msg && *msg ? msg : "cannot start");
        return 1;
    }
    tui_app_journal(app, NULL);
    while (!app->done) {
        tui_event ev;
        tui_app_draw(app);
        scr->ops->refresh(scr);
        /* Keys and background work run on a worker thread while this
         * one watches for Esc (jobs.h); keys typed meanwhile come next. */
        if (tui_jobs_next(jobs, &ev) ||
            scr->ops->read(scr, busy ? IDLE_POLL_MS : WAIT_MS, &ev)) {
            tui_jobs_key(jobs, app, &ev);
            busy = 1; /* a key may have started new work */
        } else if (busy) {
            busy = tui_jobs_idle(jobs, app);
        }
    }
    status = app->exit_status;
    if (status == 0) /* quit, not a signal: nothing is pending */
        tui_journal_finish(app->journal, app);
    tui_app_free(app);
    tui_jobs_free(jobs);
    scr->ops->free(scr);
    return status;
}

void tui_model_title(orm_buf *out, const orm_model *m)
{
    char *table = orm_name_join(m->schema, m->table);
    if (!table) {
        out->failed = 1;
        return;
    }
    orm_buf_appendf(out, "%s (%s)", m->name, table);
    free(table);
}
