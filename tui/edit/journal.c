/*
 * The recovery journal's file (journal.h): its name (a hash of the URL
 * without password), the slot lock, the file written atomically and
 * durably, reading a journal back (a bad one is set aside, never
 * deleted) and the offer at start. What goes into the file and how it
 * is restored: journal_json.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "journal_file.h"
#include "mem.h"
#include "paths.h"
#include "views.h"

#define JOURNAL_SLOTS 16

/* ---- names ---- */

/* FNV-1a: short, stable file names; the URL inside decides. */
static unsigned long long url_hash(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The URL that names the database: no password, and a SQLite file by
 * its absolute path (a relative one means another file elsewhere). NULL
 * with *memory set for a database in memory. */
static char *journal_url(const char *url, int *memory, orm_error *err)
{
    orm_url *u = NULL;
    char *text = NULL;
    *memory = 0;
    if (orm_url_parse(&u, url, err) != 0)
        return NULL;
    if (strcmp(u->dialect, "sqlite") == 0) {
        if (!u->database || !*u->database ||
            strcmp(u->database, ":memory:") == 0 ||
            strncmp(u->database, "file::memory:", 13) == 0) {
            *memory = 1;
            orm_url_free(u);
            return NULL;
        }
        if (u->database[0] != '/') {
            char *abs = realpath(u->database, NULL);
            if (abs) {
                free(u->database);
                u->database = abs;
            }
        }
    }
    if (orm_url_set_password(u, NULL) == 0)
        text = orm_url_format(u, 1);
    orm_url_free(u);
    if (!text)
        orm_error_set(err, ORM_ENOMEM, "out of memory");
    return text;
}

/* ---- the slot lock ---- */

static int lock_slot(const char *lock_path)
{
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        close(fd);
        return -2;
    }
    return fd;
}

int tui_journal_open(tui_journal **out, const char *dir, const char *url,
                     orm_error *err)
{
    tui_journal *j = NULL;
    char *state = NULL;
    int memory = 0, rc = 0;
    *out = NULL;
    char *key = journal_url(url, &memory, err);
    if (!key)
        return memory ? 0 : err ? err->code : ORM_EINVALID;
    if (!dir) {
        if ((rc = tui_state_dir(&state, err)) != 0)
            goto done;
        dir = state;
    } else if ((rc = tui_make_dirs(dir, err)) != 0) {
        goto done;
    }
    j = tui_calloc(1, sizeof *j);
    if (!j || !(j->dir = orm_strdup(dir))) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    j->url = key;
    key = NULL;
    j->lock_fd = -1;
    j->limit = TUI_JOURNAL_MAX;
    unsigned long long h = url_hash(j->url);
    for (int slot = 1; slot <= JOURNAL_SLOTS && j->lock_fd < 0; slot++) {
        orm_buf name = ORM_BUF_INIT, lock = ORM_BUF_INIT;
        orm_buf_appendf(&name, "%s/%016llx", dir, h);
        if (slot > 1)
            orm_buf_appendf(&name, "-%d", slot);
        orm_buf_appendf(&lock, "%s.lock", orm_buf_str(&name));
        orm_buf_append(&name, ".json");
        if (!orm_buf_str(&name) || !orm_buf_str(&lock)) {
            orm_buf_free(&name);
            orm_buf_free(&lock);
            rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
            goto done;
        }
        int fd = lock_slot(orm_buf_str(&lock));
        if (fd == -1) {
            rc = orm_error_set(err, ORM_EIO, "cannot open '%s': %s",
                               orm_buf_str(&lock), strerror(errno));
            orm_buf_free(&name);
            orm_buf_free(&lock);
            goto done;
        }
        if (fd >= 0) {
            j->lock_fd = fd;
            j->path = orm_buf_finish(&name);
        }
        orm_buf_free(&name);
        orm_buf_free(&lock);
    }
    if (j->lock_fd < 0) {
        rc = orm_error_set(err, ORM_EIO,
                           "%d other orb programs have this database open: "
                           "no recovery journal for this one",
                           JOURNAL_SLOTS);
        goto done;
    }
    if (!j->path) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    j->exists = access(j->path, F_OK) == 0;
    *out = j;
    j = NULL;
done:
    free(key);
    free(state);
    tui_journal_free(j);
    return rc;
}

void tui_journal_free(tui_journal *j)
{
    if (!j)
        return;
    if (j->lock_fd >= 0)
        close(j->lock_fd);
    json_decref(j->loaded);
    free(j->dir);
    free(j->url);
    free(j->path);
    free(j->written);
    free(j->synced_form);
    free(j);
}

const char *tui_journal_path(const tui_journal *j)
{
    return j->path;
}

int tui_journal_waiting(const tui_journal *j)
{
    return j && j->waiting;
}

/* ---- files ---- */

void journal_size_text(char *out, size_t size, size_t bytes)
{
    if (bytes >= 1024 * 1024)
        snprintf(out, size, "%zu MiB", bytes / (1024 * 1024));
    else
        snprintf(out, size, "%zu bytes", bytes);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Write `text` to the journal: a temporary file (0600), fsync, rename
 * over the journal, fsync the directory. */
int journal_write_file(tui_journal *j, const char *text, orm_error *err)
{
    orm_buf tmp = ORM_BUF_INIT;
    size_t len = strlen(text), done = 0;
    int rc = 0;
    orm_buf_appendf(&tmp, "%s.tmp", j->path);
    const char *tmp_path = orm_buf_str(&tmp);
    if (!tmp_path)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    /* The slot's lock makes the temporary name ours alone. */
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = orm_error_set(err, ORM_EIO, "cannot write '%s': %s", tmp_path,
                           strerror(errno));
        goto done;
    }
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (done < len || fsync(fd) != 0) {
        rc = orm_error_set(err, ORM_EIO, "cannot write '%s': %s", tmp_path,
                           strerror(errno ? errno : EIO));
        close(fd);
        unlink(tmp_path);
        goto done;
    }
    if (close(fd) != 0 || rename(tmp_path, j->path) != 0) {
        rc = orm_error_set(err, ORM_EIO, "cannot write '%s': %s", j->path,
                           strerror(errno));
        unlink(tmp_path);
        goto done;
    }
    if (fsync_dir(j->dir) != 0)
        rc = orm_error_set(err, ORM_EIO, "cannot sync '%s': %s", j->dir,
                           strerror(errno));
    j->exists = 1;
done:
    orm_buf_free(&tmp);
    return rc;
}

int journal_remove_file(tui_journal *j, orm_error *err)
{
    if (unlink(j->path) != 0 && errno != ENOENT)
        return orm_error_set(err, ORM_EIO, "cannot remove '%s': %s", j->path,
                             strerror(errno));
    j->exists = 0;
    fsync_dir(j->dir);
    return 0;
}

/* Rename the journal aside as PATH.bad-YYYYmmdd-HHMMSS (a number added
 * when that exists); the new name goes to *aside (owned). */
int journal_set_aside(tui_journal *j, const char *why, char **aside)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    *aside = NULL;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int n = 0; n < 100; n++) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_appendf(&b, "%s.%s-%s", j->path, why, stamp);
        if (n)
            orm_buf_appendf(&b, "-%d", n);
        const char *p = orm_buf_str(&b);
        if (!p)
            return ORM_ENOMEM;
        if (access(p, F_OK) != 0 && rename(j->path, p) == 0) {
            *aside = orm_buf_finish(&b);
            j->exists = 0;
            j->synced = 0;
            fsync_dir(j->dir);
            return 0;
        }
        orm_buf_free(&b);
    }
    return ORM_EIO;
}

/* ---- reading a journal back ---- */

/* Check the shape of a loaded journal; counts go to *found. */
static int check_doc(const tui_journal *j, json_t *doc,
                     tui_journal_found *found, orm_error *err)
{
    json_t *version = json_object_get(doc, "orb_journal");
    json_t *url = json_object_get(doc, "url");
    json_t *changes = json_object_get(doc, "changes");
    json_t *saved = json_object_get(doc, "saved");
    size_t i;
    json_t *c;
    memset(found, 0, sizeof *found);
    if (!json_is_object(doc) || !json_is_integer(version))
        return orm_error_set(err, ORM_EPARSE, "not an orb journal");
    if (json_integer_value(version) != JOURNAL_VERSION)
        return orm_error_set(
            err, ORM_EPARSE, "journal version %lld (this orb reads %d)",
            (long long)json_integer_value(version), JOURNAL_VERSION);
    if (!json_is_string(url) || strcmp(json_string_value(url), j->url) != 0)
        return orm_error_set(
            err, ORM_EPARSE, "it belongs to another database (%s)",
            json_is_string(url) ? json_string_value(url) : "no URL");
    if (!json_is_array(changes))
        return orm_error_set(err, ORM_EPARSE, "no list of changes");
    json_array_foreach(changes, i, c)
    {
        const char *action = json_string_value(json_object_get(c, "action"));
        const char *table = json_string_value(json_object_get(c, "table"));
        json_t *values = json_object_get(c, "values");
        json_t *loaded = json_object_get(c, "loaded");
        if (!action || !table || !json_is_object(values))
            return orm_error_set(err, ORM_EPARSE,
                                 "change %zu: action, table or values "
                                 "missing",
                                 i + 1);
        if (strcmp(action, "add") == 0) {
            found->adds++;
        } else if (strcmp(action, "change") == 0 ||
                   strcmp(action, "delete") == 0) {
            if (!json_is_object(loaded))
                return orm_error_set(err, ORM_EPARSE,
                                     "change %zu: the loaded values are "
                                     "missing",
                                     i + 1);
            if (action[0] == 'c')
                found->updates++;
            else
                found->deletes++;
        } else {
            return orm_error_set(err, ORM_EPARSE,
                                 "change %zu: unknown action '%s'", i + 1,
                                 action);
        }
    }
    found->changes = json_array_size(changes);
    found->saved =
        json_is_integer(saved) ? (time_t)json_integer_value(saved) : 0;
    json_t *form = json_object_get(doc, "form");
    if (form) {
        const char *table = json_string_value(json_object_get(form, "table"));
        json_t *change = json_object_get(form, "change");
        if (!table || !json_is_object(json_object_get(form, "fields")))
            return orm_error_set(err, ORM_EPARSE,
                                 "the form's table or fields are missing");
        if (change &&
            (!json_is_integer(change) || json_integer_value(change) < 0 ||
             (size_t)json_integer_value(change) >= found->changes))
            return orm_error_set(err, ORM_EPARSE,
                                 "the form edits change %lld, which is not "
                                 "in the journal",
                                 (long long)json_integer_value(change));
        found->has_form = 1;
        snprintf(found->form_table, sizeof found->form_table, "%s", table);
    }
    return 0;
}

int tui_journal_check(tui_journal *j, tui_journal_found *found, orm_error *err)
{
    json_error_t jerr;
    memset(found, 0, sizeof *found);
    if (!j || !j->exists)
        return 0;
    /* Read with a limit, as every file orb reads: a journal that grew
     * without end must not take the memory. */
    orm_buf text = ORM_BUF_INIT;
    orm_error why = ORM_ERROR_INIT;
    json_t *doc = NULL;
    const char *aside_as = "unreadable";
    char limit[32];
    int rc = orm_buf_read_file(&text, j->path, j->limit);
    if (rc == ORM_ENOMEM) {
        orm_buf_free(&text);
        return orm_error_set(err, ORM_ENOMEM,
                             "out of memory reading recovery journal %s: "
                             "left as it is",
                             j->path);
    }
    if (rc == 0)
        doc = json_loadb(orm_buf_str(&text), text.len, JSON_ALLOW_NUL, &jerr);
    orm_buf_free(&text);
    if (rc == ORM_EINVALID) {
        journal_size_text(limit, sizeof limit, j->limit);
        orm_error_set(&why, ORM_EPARSE, "larger than %s", limit);
        aside_as = "too-large";
    } else if (rc != 0) {
        orm_error_set(&why, ORM_EPARSE, "%s", strerror(errno));
    } else if (!doc) {
        if (jerr.line > 0)
            orm_error_set(&why, ORM_EPARSE, "line %d: %s", jerr.line,
                          jerr.text);
        else
            orm_error_set(&why, ORM_EPARSE, "%s", jerr.text);
    } else {
        check_doc(j, doc, found, &why);
    }
    if (why.code == 0 && found->changes == 0 && !found->has_form) {
        /* Nothing in it (written by hand?): nothing to offer. */
        json_decref(doc);
        orm_error_clear(&why);
        return journal_remove_file(j, err);
    }
    if (why.code != 0) {
        char *aside = NULL;
        json_decref(doc);
        memset(found, 0, sizeof *found);
        if (journal_set_aside(j, aside_as, &aside) != 0)
            rc = orm_error_set(err, ORM_EPARSE,
                               "recovery journal %s is unreadable (%s) and "
                               "could not be renamed: move it away",
                               j->path, orm_error_text(&why));
        else
            rc = orm_error_set(err, ORM_EPARSE,
                               "recovery journal %s is unreadable (%s): "
                               "kept as %s, nothing restored",
                               j->path, orm_error_text(&why), aside);
        free(aside);
        orm_error_clear(&why);
        return rc;
    }
    json_decref(j->loaded);
    j->loaded = doc;
    j->waiting = 1;
    return 1;
}

void tui_journal_finish(tui_journal *j, tui_app *app)
{
    if (j && !j->waiting && j->exists &&
        orm_session_pending_count(app->session) == 0)
        journal_remove_file(j, NULL);
}

int tui_journal_discard(tui_journal *j, orm_error *err)
{
    if (!j)
        return 0;
    json_decref(j->loaded);
    j->loaded = NULL;
    j->waiting = 0;
    free(j->written);
    j->written = NULL;
    j->synced = 0;
    return journal_remove_file(j, err);
}

tui_view *tui_journal_start(tui_app *app, const char *dir)
{
    orm_error err = ORM_ERROR_INIT;
    tui_journal_found found;
    tui_view *v = NULL;
    int rc;
    tui_journal_free(app->journal);
    app->journal = NULL;
    if (tui_journal_open(&app->journal, dir, orm_db_url(app->db), &err) != 0) {
        tui_app_error(app, "no recovery journal: %s", orm_error_text(&err));
    } else if ((rc = tui_journal_check(app->journal, &found, &err)) < 0) {
        if (rc == ORM_ENOMEM) {
            /* The file holds an earlier run's changes: this run must
             * not write over it. */
            tui_journal_free(app->journal);
            app->journal = NULL;
        }
        tui_app_error(app, "%s", orm_error_text(&err));
    } else if (found.changes > 0 || found.has_form) {
        if (tui_view_recover_new(&v, &found) != 0) {
            /* Without the question the journal must not be written
             * over: stop journaling this run. */
            tui_journal_free(app->journal);
            app->journal = NULL;
            v = NULL;
            tui_app_error(app, "out of memory: unsaved changes left in the "
                               "recovery journal");
        }
    }
    orm_error_clear(&err);
    return v;
}
