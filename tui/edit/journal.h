/*
 * The recovery journal: the browser's pending changes (adds, changes and
 * deletes, each with the values it was loaded with, which the commit's
 * lost-update guards need) and the text of an open form, kept in a file
 * so that a crash, kill -9, a closed terminal or a power loss loses
 * nothing. One journal per database, in $XDG_STATE_HOME/orb/ (directory
 * 0700, file 0600), named by a hash of the URL without its password and
 * holding that URL. It is JSON (jansson); every value is saved with its
 * kind as orm_value_format gives it and read back with
 * orm_value_from_text, so it returns exactly as loaded.
 *
 * The file is rewritten (temporary file, fsync, rename, fsync of the
 * directory) after every key that changed what is pending, before the
 * screen shows it, and removed when nothing is pending any more (a
 * successful write, a discard, undo of the last change). Freeing the
 * journal keeps the file: that is what a crash leaves, and what the next
 * start on the same database offers back.
 *
 * Two browsers on one database: each holds a lock on its slot (an fcntl
 * lock on NAME.lock; the first journal is NAME.json, others NAME-2.json
 * and so on), so neither overwrites nor offers the other's live journal.
 */
#ifndef TUI_JOURNAL_H
#define TUI_JOURNAL_H

#include <stddef.h>
#include <time.h>

#include "app.h"

typedef struct tui_journal tui_journal;

/*
 * The largest journal orb writes or reads back. A journal holds every
 * pending change with the values it was loaded with: a bulk edit's
 * 10,000 rows of wide text run to tens of MiB. A file larger than this
 * (one that grew without end, or is not a journal) is not read into
 * memory but set aside, and pending changes that would need more are
 * not journaled (the browser says so).
 */
#define TUI_JOURNAL_MAX ((size_t)256 * 1024 * 1024)

/* What a journal left by an earlier run holds. */
typedef struct tui_journal_found {
    size_t changes; /* pending changes */
    size_t adds, updates, deletes;
    int has_form;        /* the text of an open form */
    char form_table[64]; /* the form's table */
    time_t saved;        /* when it was last written */
} tui_journal_found;

/*
 * The journal of the database at `url` (its password is left out) in
 * `dir` (NULL: tui_state_dir()), holding the first free slot's lock.
 * Databases in memory have nothing to recover: *out is NULL and 0 is
 * returned. ORM_EIO with a message when the directory or lock file
 * cannot be made.
 */
int tui_journal_open(tui_journal **out, const char *dir, const char *url,
                     orm_error *err);
/* Release the lock; the file stays. Accepts NULL. */
void tui_journal_free(tui_journal *j);
/* The journal file's path (borrowed). */
const char *tui_journal_path(const tui_journal *j);

/*
 * Read what an earlier run left in this slot: 1 with *found filled when
 * there is something to offer, 0 when there is no journal. A file that
 * cannot be read as a journal of this database, or is larger than
 * TUI_JOURNAL_MAX, is renamed aside (never deleted) and ORM_EPARSE
 * returned with a message naming both files; the journal is then empty
 * and usable. ORM_ENOMEM when there is no memory to read it: the file
 * is left as it is, and must not be written over.
 */
int tui_journal_check(tui_journal *j, tui_journal_found *found, orm_error *err);

/*
 * Make the journal's changes pending in the app's session again, each
 * with the values it was loaded with; *form gets the form screen it held
 * with the text as typed (to push; NULL when there was none). On failure
 * nothing is restored (the session is rolled back), the file is renamed
 * aside and the message names the change and where the file went (a
 * form that cannot be reopened leaves the changes restored).
 */
int tui_journal_restore(tui_journal *j, tui_app *app, tui_view **form,
                        orm_error *err);
/* Drop the journal an earlier run left (the user said so, twice). */
int tui_journal_discard(tui_journal *j, orm_error *err);

/*
 * Bring the file up to date with the app: written when what is pending
 * (or the open form's text) differs from what it holds, removed when
 * nothing is. Does nothing while an earlier run's journal waits for an
 * answer (tui_journal_check found one; restore or discard ends that).
 */
int tui_journal_sync(tui_journal *j, tui_app *app, orm_error *err);

/* orb ends normally (the user quit): drop the journal when nothing is
 * pending (the text of a form left open goes with it). */
void tui_journal_finish(tui_journal *j, tui_app *app);

/* Is an earlier run's journal waiting for the user's answer? */
int tui_journal_waiting(const tui_journal *j);

/*
 * Give the app a journal in `dir` (NULL: tui_state_dir()) in place of
 * the one it had (tui_app_journal). When an earlier run on this database
 * left changes there, returns the screen that offers them back, to push;
 * else NULL. Problems are said on the status line; the app works without
 * a journal (app->journal NULL) when it cannot have one.
 */
tui_view *tui_journal_start(tui_app *app, const char *dir);

#endif
