/*
 * Editing records in the browser: what the rows and record screens, the
 * app and the editing screens share. Changes go into the app's session
 * only (add, set, delete) and stay pending until the review screen
 * commits them in one transaction; the grid shows them over the rows it
 * read (pending rows by kind, changed cells, new rows above the grid).
 *
 * The editing screens, opened through views.h: the form (view_form.c,
 * field state in form.c), the foreign-key picker (view_picker.c), the
 * review of pending changes (view_review.c), the conflict screen
 * (view_conflict.c) and the question asked when quitting with pending
 * changes (view_quit.c).
 */
#ifndef TUI_EDIT_H
#define TUI_EDIT_H

#include <stddef.h>

#include "app.h"

typedef struct tui_edit tui_edit;
struct tui_form;

/* The most key columns a row is identified by. */
#define TUI_EDIT_MAX_KEY 16

void tui_edit_free(tui_edit *e);

/*
 * Is `a` an editing action (add, edit, delete, mark, undo, write) while
 * editing is off (--read-only, or a read-only database)? Then says so on
 * the status line and returns 1.
 */
int tui_edit_refused(tui_app *app, tui_action a);
/* Is editing off? (Says nothing.) */
int tui_edit_read_only(const tui_app *app);

/*
 * The action bound to `key`, preferring the `n` actions of `prefer`,
 * else browsing's (tui_keymap_lookup). For a screen whose keys follow no
 * one order of scopes (the picker takes browsing's Up and Enter but the
 * form's Esc and Backspace); the others look keys up with their scopes
 * (tui_keymap_lookup_in, tui_view_ops.scopes).
 */
tui_action tui_edit_lookup(const tui_app *app, int key,
                           const tui_action *prefer, size_t n);

/* An editing action no screen handled: u and w work anywhere, the others
 * say where they work. TUI_UNHANDLED for other actions. */
unsigned tui_edit_unhandled(tui_app *app, tui_action a);

/* ---- the rows and record screens ---- */

/* `a`: a create form for `m`. */
unsigned tui_edit_add(tui_app *app, const orm_model *m);
/* Duplicate: a create form for a new record of `src`'s model holding
 * its values (tui_form_init_copy), saved as a pending insert. */
unsigned tui_edit_duplicate(tui_app *app, const orm_record *src);
/*
 * EDIT, DELETE or MARK on a row the screen shows: `row` holds the
 * model's columns, `key` the paging key (its last value is the row id
 * of a table without a primary key; NULL when there is none).
 */
unsigned tui_edit_row(tui_app *app, tui_action a, const orm_model *m,
                      const orm_value *row, const orm_value *key, size_t nkey);
/* Pending new records of `m` (shown above the grid), in the order they
 * were added. */
size_t tui_edit_new_count(const tui_app *app, const orm_model *m);
orm_record *tui_edit_new_at(const tui_app *app, const orm_model *m, size_t i);
/* EDIT, DELETE or OPEN on one of them. */
unsigned tui_edit_new_row(tui_app *app, tui_action a, orm_record *rec);

/* The pending (changed or deleted) record a grid row stands for, or
 * NULL. */
orm_record *tui_edit_pending_for(const tui_app *app, const orm_model *m,
                                 const orm_value *row, const orm_value *key,
                                 size_t nkey);
int tui_edit_is_marked(const tui_app *app, const orm_model *m,
                       const orm_value *row, const orm_value *key, size_t nkey);
/* The session record of a grid row, with its full values (the row cache
 * cuts long text and keeps no blob bytes): read fresh unless it has
 * pending changes. 0 with *out; ORM_EUNSUPPORTED, saying nothing, when
 * nothing identifies the row (no primary key, no row id); another error
 * after saying why on the status line. */
int tui_edit_row_record(tui_app *app, const orm_model *m, const orm_value *row,
                        const orm_value *key, size_t nkey, orm_record **out);
/* The records of the rows of `m` that are marked, read through the
 * session (pending values show), in the order the marks are kept: *out
 * is a malloc'd array of *count records (the session's; NULL for none),
 * *gone counts marked rows no longer found. 0 or ORM_ENOMEM / a
 * database error (on the session). */
int tui_edit_marked_records(tui_app *app, const orm_model *m, orm_record ***out,
                            size_t *count, size_t *gone);
/* Has `m` pending changes or marks (the grid then shows a gutter)? */
int tui_edit_model_busy(const tui_app *app, const orm_model *m);
/* `shown` (m->ncolumns values) gets the row with the record's pending
 * values over it (borrowed copies: valid until the session changes). */
void tui_edit_overlay(const orm_record *rec, const orm_value *row,
                      orm_value *shown, size_t ncolumns);
/* The element of a cell of a pending record (TUI_EL_DEFAULT: as usual). */
tui_element tui_edit_cell_element(const orm_record *rec, size_t col);
/* The gutter mark of a grid line: "+" new, "~" changed, "-" deleted,
 * "*" marked, " " nothing. */
const char *tui_edit_gutter(const orm_record *rec, int marked);
/* Status line: " │ 3 pending: 1 add, 1 change, 1 delete", marks of `m`
 * (may be NULL), or " │ read-only". */
void tui_edit_status(const tui_app *app, const orm_model *m, orm_buf *out);
/* Counts commits, so that screens know when to read their rows again. */
unsigned long tui_edit_commits(const tui_app *app);

/* "3 pending: 1 add, 1 change, 1 delete" (nothing when none). */
void tui_edit_pending_summary(const orm_session *s, orm_buf *out);
/* A row as the model's repr template shows it ("<Account jdoe>"), else
 * its key and first text columns; secrets as "***". */
void tui_edit_repr(orm_buf *out, const orm_model *m, const orm_value *values);
/* The model a foreign key's table name refers to (orm_db_lookup_table:
 * reflected when it lives in a schema not read yet), or NULL. */
const orm_model *tui_edit_find_model(const tui_app *app, const char *table);

/* Marks of `m`: how many, and the key of mark i (*n values, borrowed;
 * NULL past the end). */
size_t tui_edit_mark_count(const tui_app *app, const orm_model *m);
const orm_value *tui_edit_mark_key(const tui_app *app, const orm_model *m,
                                   size_t i, size_t *n);
/* Forget the marks of `m`. */
void tui_edit_marks_clear(tui_app *app, const orm_model *m);

/* ---- bulk edit (bulk.c) ---- */

/*
 * The most rows one bulk edit changes. Each becomes a pending update
 * held in memory with the values it was loaded with (its lost-update
 * guard), written to the recovery journal after every key that changes
 * what is pending, and listed on the review screen: 10,000 rows of a
 * dozen columns is a few megabytes and a journal write of a few tens
 * of milliseconds, a million would not be. More rows than this are
 * refused with a message pointing to `orb URL set MODEL --where`, which
 * changes them with one UPDATE (orm_query_update).
 */
#define TUI_BULK_MAX 10000

typedef struct tui_bulk tui_bulk;

/*
 * E on the rows screen of `m`: with marks, a bulk form for the marked
 * rows; without, for every row `filter` matches (NULL: all rows),
 * described as `described` (may be NULL), after counting them (the form
 * asks before anything can be typed).
 */
unsigned tui_edit_bulk(tui_app *app, const orm_model *m, const orm_expr *filter,
                       const char *described);
/* What a bulk form edits: the model, how many rows, described ("3
 * marked rows", "1,234 rows where ..."), and whether it asks first. */
const orm_model *tui_bulk_model(const tui_bulk *b);
size_t tui_bulk_count(const tui_bulk *b);
const char *tui_bulk_what(const tui_bulk *b);
int tui_bulk_asks(const tui_bulk *b);
/*
 * Set the bulk form's chosen fields on every row: each row is read
 * again (its loaded values become its guard), changed in the session
 * as one undo step, and the marks are cleared. 0 with a message, or an
 * error said on the status line (*bad: the field to fix, when a field
 * is the cause); nothing changes then.
 */
int tui_bulk_apply(tui_bulk *b, tui_app *app, struct tui_form *f, size_t *bad);
void tui_bulk_free(tui_bulk *b);
/* What a bulk edit stands for, for the recovery journal: the marked
 * rows' keys (nrows of nkey values; NULL without marks), else the
 * filter (NULL: every row) and the words the count was shown with. */
const orm_value *tui_bulk_keys(const tui_bulk *b, size_t *nrows, size_t *nkey);
const orm_expr *tui_bulk_filter(const tui_bulk *b);
const char *tui_bulk_described(const tui_bulk *b);
/* A bulk edit again from what the journal kept: the keys' rows, or every
 * row the filter matches (counted again). *out is owned; 0, or an error
 * in `err` (no rows now, too many, out of memory). */
int tui_bulk_restore(tui_bulk **out, tui_app *app, const orm_model *m,
                     const orm_value *keys, size_t nrows, size_t nkey,
                     const orm_expr *filter, const char *described,
                     orm_error *err);

/* ---- writing ---- */

/*
 * Commit the session. On success bumps the commit count and returns 0
 * with a message; on failure pushes what lets the user fix it (the
 * conflict screen, or the form of the failing record with the error at
 * its field) through app->pushed and returns the ORM code; *result gets
 * the handler result to return.
 */
int tui_edit_commit(tui_app *app, unsigned *result);
/* Undo the last pending change and say what it was. */
unsigned tui_edit_undo(tui_app *app);

/* Called by app.c when a screen asks to quit: with pending changes it
 * opens the question (write, discard, cancel) and returns 1 — also when
 * the question cannot be shown (a message says why): quitting would drop
 * the changes. */
int tui_edit_confirm_quit(tui_app *app);

/*
 * Edit text in $VISUAL, else $EDITOR, else vi, through a temporary file
 * (mode 0600, removed afterwards; `suffix` such as ".json" lets the
 * editor pick a syntax). The terminal is handed to the editor and taken
 * back. *out gets the new text (owned), without the one newline editors
 * add at the end. ORM_EIO with a message when the editor failed (the
 * text is then unchanged).
 */
int tui_editor_run(tui_app *app, const char *text, size_t len,
                   const char *suffix, char **out, orm_error *err);

#endif
