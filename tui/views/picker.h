/*
 * The row picker (view_picker.c): rows of a model to choose from, each
 * shown as the model's repr, searched as one types and paged by key so
 * that a huge table is never read whole. The picker knows nothing of
 * who opened it: the opener says which columns of a chosen row it
 * wants and gets them through a hook. The form puts a referenced key
 * into a field; the filter builder makes a condition of one key, or an
 * in-list of several marked rows.
 */
#ifndef TUI_PICKER_H
#define TUI_PICKER_H

#include <stddef.h>

#include "app.h"

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

#endif
