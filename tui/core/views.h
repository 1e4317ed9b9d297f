/*
 * The screens, opened through this one header. Each screen file
 * (view_*.c in tui/views/, tui/edit/, tui/filters/) fills a tui_view_ops
 * (app.h) and exports only what is declared here: the functions that
 * make it, to push through app->pushed and TUI_PUSH, and the few things
 * other parts ask of an open rows or form screen. Screens, the edit flow
 * (edit.h) and the app open one another through these and never include
 * another screen's file; a view's kind (tui_view_ops.kind) says which
 * screen it is. scripts/check_rooms.sh keeps it so.
 */
#ifndef TUI_VIEWS_H
#define TUI_VIEWS_H

#include <stddef.h>

#include "app.h"
#include "sort.h"

struct tui_form;
struct tui_rowcache;
typedef struct tui_bulk tui_bulk;                   /* edit.h */
typedef struct tui_journal_found tui_journal_found; /* journal.h */

/* ---- browsing (tui/views/) ---- */

/* The first screen: every model, narrowed as one types. */
int tui_view_models_new(tui_view **out, tui_app *app);
/* Rows of `model`, optionally only those matching `filter` (copied),
 * described as `filter_text` in the status line. */
int tui_view_rows_new(tui_view **out, tui_app *app, const orm_model *model,
                      const orm_expr *filter, const char *filter_text);
/* One record found by column equality: columns[i] = values[i]. */
int tui_view_record_new(tui_view **out, tui_app *app, const orm_model *model,
                        const char *const *columns, const orm_value *values,
                        size_t n);
/* One record found by its paging key in an order (the rows screen's
 * sort keys), for tables without a primary key. */
int tui_view_record_new_by_key(tui_view **out, tui_app *app,
                               const orm_model *model, const tui_sort *sort,
                               const orm_value *key, size_t nkey);
/* Put a record screen's cursor on model column `field` (the rows
 * screen opens a record on its current column, so that Enter on a
 * foreign key's cell is one Enter from following it). */
void tui_view_record_set_field(tui_view *v, size_t field);
int tui_view_help_new(tui_view **out, tui_app *app);
/* The recent status messages, newest first, in full (tui_app_recent). */
int tui_view_messages_new(tui_view **out, tui_app *app);
/* The models whose foreign keys point at `model`, rows referring to the
 * record with `values` (the model's columns). */
int tui_view_backrefs_new(tui_view **out, tui_app *app, const orm_model *model,
                          const orm_value *values);

/* The summary of column `column` of the rows screen `rows` (borrowed:
 * it stays below) under its active filter; Enter narrows those rows to
 * a value. */
int tui_view_summary_new(tui_view **out, tui_app *app, tui_view *rows,
                         size_t column);

/* What others ask of a rows screen; NULL (or an error) when `v` is not
 * one. */
/* The row cache (for tests). */
struct tui_rowcache *tui_view_rows_cache(const tui_view *v);
/* Replace the rows' filter (copied; NULL: none) described as `text` on
 * the status line, and read from the first row again. */
int tui_view_rows_set_filter(tui_view *v, tui_app *app, const orm_expr *filter,
                             const char *text);
/* The rows' model and active filter (NULL: none), borrowed. */
const orm_model *tui_view_rows_model(const tui_view *v);
const orm_expr *tui_view_rows_filter(const tui_view *v);
/* The search narrowing the rows (`/`) and its text in *text (may be
 * NULL), borrowed; NULL when none narrows them. */
const orm_expr *tui_view_rows_search(const tui_view *v, const char **text);

/* ---- the row picker (tui/views/view_picker.c) ---- */

/*
 * Rows of a model to choose from, each shown as the model's repr,
 * searched as one types and paged by key so that a huge table is never
 * read whole. The picker knows nothing of who opened it: the opener
 * says which columns of a chosen row it wants and gets them through a
 * hook. The form puts a referenced key into a field; the filter builder
 * makes a condition of one key, or an in-list of several marked rows.
 */

/* The most columns a picked row hands back (a composite key). */
#define TUI_PICKER_MAX_KEY 16

/*
 * What the picker does with the rows chosen. The payload is borrowed:
 * it is normally the view under the picker, which outlives it.
 */
typedef struct tui_picker_hook {
    /*
     * Rows were chosen: `keys` holds, row after row, the `nkey` values
     * of the wanted columns of each of the `nrows` rows
     * (keys[r * nkey + k]), borrowed for the call. Return 0 and the
     * picker closes; nonzero keeps it open (the hook has said why on
     * the status line).
     */
    int (*picked)(tui_app *app, const orm_value *keys, size_t nkey,
                  size_t nrows, void *payload);
    /* Esc: the picker closes with nothing chosen. May be NULL. */
    void (*cancelled)(tui_app *app, void *payload);
    void *payload;
} tui_picker_hook;

typedef struct tui_picker_options {
    const orm_model *model; /* whose rows (borrowed) */
    /* The columns a chosen row hands back (a row with NULL in any of
     * them cannot be chosen); they are also searched when a key is
     * typed. */
    size_t key_columns[TUI_PICKER_MAX_KEY];
    size_t nkey;
    /* 0: Enter chooses the row under the cursor. 1: the mark key marks
     * rows and Enter hands back every marked row (the cursor row when
     * none is marked). */
    int multiple;
    /* Rows marked when the picker opens: `nmarked` rows of `nkey`
     * values (copied). May be NULL. */
    const orm_value *marked;
    size_t nmarked;
    /* The value the field holds now: `nkey` values of the key columns
     * (copied); the picker opens with its cursor on that row. NULL, or
     * a value no row has: on the first row. */
    const orm_value *current;
    /* The title after the model's name: what Enter does (copied). NULL:
     * "Enter puts its <first key column>". */
    const char *purpose;
    tui_picker_hook hook;
} tui_picker_options;

/*
 * A picker over `opts->model`, to push (app->pushed, TUI_PUSH). It
 * copies what it needs from `opts`. ORM_ENOMEM, or ORM_EINVALID when
 * no key column is given or one is out of range.
 */
int tui_view_picker_new(tui_view **out, tui_app *app,
                        const tui_picker_options *opts);

/* ---- editing (tui/edit/) ---- */

/*
 * A form for `rec` (a session record, changed in place on save) or, with
 * rec NULL, for a new record of `m`. `failure` (may be NULL) is a commit
 * error to show at its column, with the cursor there.
 */
int tui_view_form_new(tui_view **out, tui_app *app, const orm_model *m,
                      orm_record *rec, const orm_error *failure);
/* A bulk form (tui_edit_bulk) over the rows `bulk` stands for; it takes
 * `bulk` on success. */
int tui_view_form_bulk_new(tui_view **out, tui_app *app, tui_bulk *bulk);
/* The fields of a form screen and the record it edits (NULL: a new one),
 * or NULL when `v` is not a form (the recovery journal keeps what was
 * typed). */
struct tui_form *tui_view_form_state(tui_view *v, orm_record **rec);
/* The same for a bulk form: its state and the rows it sets (borrowed);
 * NULL when `v` is not one. */
struct tui_form *tui_view_form_bulk_state(tui_view *v, const tui_bulk **bulk);
/* Every pending change and the SQL; `then`, once written: 0 stay,
 * TUI_REVIEW_THEN_QUIT quit, TUI_REVIEW_THEN_SWITCH ask for the database
 * to switch to (switch.c). */
enum { TUI_REVIEW_THEN_QUIT = 1, TUI_REVIEW_THEN_SWITCH = 2 };
int tui_view_review_new(tui_view **out, tui_app *app, int then);
/* How many changes the review laid out as text at its last draw (those
 * in view), and how many times it made the SQL: what a key costs there,
 * for the tests. */
void tui_view_review_work(const tui_view *review, size_t *laid_out,
                          size_t *plans);
/* The conflict of `rec` (the commit said ORM_ECONFLICT). */
int tui_view_conflict_new(tui_view **out, tui_app *app, orm_record *rec);
/* "3 pending changes: write (w), discard (d) or cancel (Esc)?" before
 * quitting, or (`switching`) before opening another database. */
int tui_view_quit_new(tui_view **out, tui_app *app, int switching);
/* The screen that offers an earlier run's changes back (journal.h):
 * y restores them, n discards them after asking again, q quits. */
int tui_view_recover_new(tui_view **out, const tui_journal_found *found);

/* ---- filtering (tui/filters/) ---- */

/*
 * The builder over the rows screen `rows` (borrowed: it stays below the
 * builder). It starts from `text` when given (a saved filter to edit,
 * whose name is `saved_name`, may be NULL), else from the rows' filter.
 * Text that no longer parses opens in the text editor with the error.
 */
int tui_view_builder_new(tui_view **out, tui_app *app, tui_view *rows,
                         const char *text, const char *saved_name);
/* The saved filters of the rows' model, to apply, rename, edit,
 * duplicate or delete. */
int tui_view_filters_new(tui_view **out, tui_app *app, tui_view *rows);

#endif
