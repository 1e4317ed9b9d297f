/*
 * Switching the connection without leaving orb (the switch-connection
 * key): a prompt takes another URL or a named connection of the config
 * (@NAME, Tab completes the names), which is opened as orb opens its
 * first one (tui_open_db: models file, reflection). Pending changes are
 * written or discarded first: the key asks as Q does (view_quit.c), and
 * writing goes through the review, after which the prompt comes.
 *
 * Only a database that opened replaces the current one, so a bad URL
 * or a failed connect leaves everything as it was, with the reason on
 * the status line. Then every screen closes (their models and records
 * belong to the old database), the session, marks and hidden columns
 * start afresh, the models screen opens, and the recovery journal
 * follows the new URL (offering what an earlier run left there).
 *
 * A password typed in the URL is shown as *** while typing and never
 * appears in a message. The first database stays open until orb exits
 * (main.c owns it); one opened here is closed as soon as the next switch
 * replaces it, under app->db_lock, so that a cancel from another thread
 * (tui_app_cancel) meets the one database in use or waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "edit.h"
#include "journal.h"
#include "views.h"

#include "columns.h"

/* "scheme://user:***@host/db?password=***": `text` with any password
 * covered, as typed so far (it may be unfinished). */
void tui_switch_shown(orm_buf *out, const char *text)
{
    const char *auth = strstr(text, "://");
    const char *at = NULL, *colon = NULL, *end;
    if (!auth) {
        orm_buf_append(out, text);
        return;
    }
    auth += 3;
    end = auth + strcspn(auth, "/?#");
    for (const char *p = auth; p < end; p++)
        if (*p == '@')
            at = p; /* the last one: a password may hold '@' */
    /* Still typing the password: everything after user: until '/'. */
    for (const char *p = auth; p < (at ? at : end); p++)
        if (*p == ':') {
            colon = p;
            break;
        }
    if (colon && !at && *end == '\0') {
        /* "user:sec" being typed, or "host:port" without a user: a
         * port is digits only. */
        int digits = colon[1] != '\0';
        for (const char *p = colon + 1; *p; p++)
            digits = digits && *p >= '0' && *p <= '9';
        if (digits)
            colon = NULL;
    }
    if (colon && (at || *end == '\0')) {
        orm_buf_appendn(out, text, (size_t)(colon + 1 - text));
        orm_buf_append(out, "***");
        orm_buf_append(out, at ? at : end);
    } else {
        orm_buf_appendn(out, text, (size_t)(end - text));
        orm_buf_append(out, end);
    }
    /* ?password=...: covered up to the next & or #. */
    char *shown = orm_buf_str(out) ? orm_strdup(orm_buf_str(out)) : NULL;
    char *param = shown ? strstr(shown, "password=") : NULL;
    if (param) {
        size_t from = (size_t)(param - shown) + strlen("password=");
        size_t len = strcspn(shown + from, "&#");
        orm_buf_reset(out);
        orm_buf_appendn(out, shown, from);
        orm_buf_append(out, len ? "***" : "");
        orm_buf_append(out, shown + from + len);
    }
    free(shown);
}

/* The open's error lines, without "orb: " and joined. */
static void reason_of(orm_buf *out, const char *lines)
{
    for (const char *p = lines; p && *p;) {
        size_t len = strcspn(p, "\n");
        const char *line = p;
        if (len >= 5 && strncmp(line, "orb: ", 5) == 0) {
            line += 5;
            len -= 5;
        }
        if (len) {
            if (out->len)
                orm_buf_append(out, "; ");
            orm_buf_appendn(out, line, len);
        }
        p = line + len;
        if (*p == '\n')
            p++;
    }
}

/* The password part of a URL as typed (NULL: none), to keep it out of
 * messages. Owned. */
static char *password_of(const char *text)
{
    orm_buf shown = ORM_BUF_INIT;
    char *pw = NULL;
    tui_switch_shown(&shown, text);
    const char *s = orm_buf_str(&shown);
    const char *stars = s ? strstr(s, "***") : NULL;
    if (stars) {
        /* The same place in the text: what the stars stand for. */
        size_t at = (size_t)(stars - s);
        size_t tail = strlen(stars + 3);
        size_t len = strlen(text);
        if (len >= at + tail)
            pw = orm_strndup(text + at, len - at - tail);
    }
    orm_buf_free(&shown);
    return pw;
}

/* `text` with every `secret` (3 characters or more) as ***. */
static void scrub(orm_buf *out, const char *text, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    for (const char *p = text; p && *p;) {
        const char *hit = n >= 3 ? strstr(p, secret) : NULL;
        if (!hit) {
            orm_buf_append(out, p);
            break;
        }
        orm_buf_appendn(out, p, (size_t)(hit - p));
        orm_buf_append(out, "***");
        p = hit + n;
    }
}

/* Ask for the URL (the prompt is the app's, whatever screen is on top);
 * what was typed at a failed try comes back to be fixed. */
void tui_switch_ask(tui_app *app)
{
    app->switching = 1;
    tui_app_prompt(app, TUI_PROMPT_URL, "open: ", app->switch_typed);
}

unsigned tui_app_switch(tui_app *app)
{
    tui_view *question = NULL;
    if (orm_session_pending_count(app->session) == 0) {
        tui_switch_ask(app);
        return TUI_REDRAW;
    }
    /* Written or discarded first, as quitting asks. */
    if (tui_view_quit_new(&question, app, 1) != 0) {
        tui_app_error(app, "cannot ask about the pending changes (out of "
                           "memory): write or undo them first");
        return TUI_REDRAW;
    }
    app->pushed = question;
    return TUI_PUSH;
}

/* The connection names that start with `text` (after an '@'): Tab puts
 * the only one, or the longest common start. */
static void complete(tui_app *app, const char *text)
{
    const char *typed = text[0] == '@' ? text + 1 : text;
    size_t n = strlen(typed), common = 0, found = 0;
    const char *first = NULL;
    orm_buf b = ORM_BUF_INIT, names = ORM_BUF_INIT;
    if (strstr(text, "://"))
        return;
    for (size_t i = 0; i < app->config.nconnections; i++) {
        const char *name = app->config.connections[i].name;
        if (strncmp(name, typed, n) != 0)
            continue;
        if (!first) {
            first = name;
            common = strlen(name);
        } else {
            size_t k = 0;
            while (k < common && first[k] == name[k])
                k++;
            common = k;
        }
        orm_buf_appendf(&names, "%s@%s", found ? " " : "", name);
        found++;
    }
    if (!found) {
        tui_app_error(app,
                      "no named connection starts with '%s' (the "
                      "config's [connection.NAME] sections)",
                      typed);
    } else {
        orm_buf_appendf(&b, "@%.*s", (int)common, first);
        tui_app_prompt(app, TUI_PROMPT_URL, "open: ", orm_buf_str(&b));
        if (found > 1)
            tui_app_message(app, "%s", orm_buf_str(&names));
    }
    orm_buf_free(&b);
    orm_buf_free(&names);
}

/* tui_options.opening: the database being opened, known to a cancel
 * (tui_app_cancel) while its tables are read; NULL once it failed. */
static void opening(orm_db *db, void *payload)
{
    tui_app *app = payload;
    pthread_mutex_lock(&app->db_lock);
    app->opening_db = db;
    pthread_mutex_unlock(&app->db_lock);
}

/* Everything that belonged to the old database goes; the new one takes
 * its place and the first screen opens on it. */
static void take(tui_app *app, orm_db *db, const tui_options *opts)
{
    orm_session *session = NULL;
    if (orm_session_new(&session, db) != 0) {
        opening(NULL, app);
        orm_db_free(db);
        tui_app_error(app, "out of memory: still on %s", orm_db_url(app->db));
        return;
    }
    /* Nothing is pending (written or discarded first): the old journal
     * is removed, a new one follows the new URL. */
    tui_journal_finish(app->journal, app);
    tui_journal_free(app->journal);
    app->journal = NULL;
    tui_app_close_views(app);
    tui_edit_free(app->edit);
    app->edit = NULL;
    tui_columns_memo_free(app->columns_memo);
    app->columns_memo = NULL;
    orm_session_free(app->session);
    app->session = session;
    /* A cancel on its way to the old database (tui_app_cancel) holds the
     * lock until it was sent: the old one is freed after it, the next
     * meets the new one. */
    pthread_mutex_lock(&app->db_lock);
    orm_db *left = app->own_db;
    app->own_db = db;
    app->db = db;
    app->opening_db = NULL;
    pthread_mutex_unlock(&app->db_lock);
    orm_db_free(left);
    app->switched = *opts;
    app->opts = &app->switched;
    if (tui_app_start(app) != 0)
        return;
    tui_app_message(app, "now on %s", orm_db_url(db));
    if (app->journaling)
        tui_app_journal(app, app->journal_dir);
}

unsigned tui_switch_prompt(tui_app *app, const char *text, int done)
{
    tui_options opts = {0};
    orm_buf why = ORM_BUF_INIT;
    char *typed = NULL, *lines = NULL;
    size_t size = 0;
    FILE *err = NULL;
    orm_db *db = NULL;
    if (done == 0)
        return TUI_REDRAW;
    if (done == 2) {
        complete(app, text);
        return TUI_REDRAW;
    }
    app->switching = 0;
    if (done < 0) {
        tui_app_message(app, "still on %s", orm_db_url(app->db));
        return TUI_REDRAW;
    }
    if (!(typed = orm_strdup(text)) || !(err = open_memstream(&lines, &size))) {
        free(typed);
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    if (app->opts) {
        opts.theme = app->opts->theme;
        opts.state_file = app->opts->state_file;
    }
    opts.read_only = app->cli_read_only; /* --read-only holds for all */
    int status = 0;
    const char *name = typed[0] == '@' ? typed + 1 : NULL;
    if (!name && !strstr(typed, "://") && *typed &&
        tui_config_connection(&app->config, typed))
        name = typed;
    if (!*typed) {
        fputs("orb: type a URL (sqlite:///file.db, postgresql://user@host/db) "
              "or @NAME of a named connection\n",
              err);
        status = 2;
    } else if (name) {
        status = tui_config_point_at(&app->config, &opts, name, err);
    } else if (!strstr(typed, "://")) {
        fprintf(err,
                "orb: '%s' is neither a URL (scheme://...) nor a named "
                "connection (Tab completes @NAME)\n",
                typed);
        status = 2;
    } else {
        opts.url = typed;
    }
    if (status == 0)
        status = tui_open_db_watched(&db, &opts, err, opening, app);
    fclose(err);
    if (status == 0 && db) {
        free(app->switch_typed);
        app->switch_typed = NULL;
        char *url = orm_strdup(opts.url);
        char *models = opts.models_file ? orm_strdup(opts.models_file) : NULL;
        free(app->switch_url);
        free(app->switch_models);
        app->switch_url = url;
        app->switch_models = models;
        opts.url = url;
        opts.models_file = models;
        take(app, db, &opts);
    } else {
        /* The reason on the status line, nothing changed; the next key
         * brings back what was typed to fix it. */
        char *secret = password_of(typed);
        orm_buf clean = ORM_BUF_INIT;
        reason_of(&why, lines);
        scrub(&clean, orm_buf_str(&why) ? orm_buf_str(&why) : "cannot open it",
              secret);
        tui_app_error(app, "not switched: %s",
                      orm_buf_str(&clean) ? orm_buf_str(&clean) : "");
        orm_buf_free(&clean);
        free(secret);
        free(app->switch_typed);
        app->switch_typed = typed;
        typed = NULL;
    }
    orm_buf_free(&why);
    free(lines);
    free(typed);
    return TUI_REDRAW;
}
