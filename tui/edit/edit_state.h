/*
 * The editing state, shared by edit.c (keys, rows and records, marks)
 * and edit_pending.c (how pending changes look, the pending summary,
 * commit, undo, the quit question). Everything else uses edit.h.
 */
#ifndef TUI_EDIT_STATE_H
#define TUI_EDIT_STATE_H

#include <stddef.h>

#include "edit.h"

typedef struct mark {
    const orm_model *m;
    orm_value key[TUI_EDIT_MAX_KEY];
    size_t n;
} mark;

struct tui_edit {
    unsigned long commits;
    mark *marks;
    size_t nmarks, marks_cap;
};

/* The app's editing state, made on first use (NULL when out of memory). */
tui_edit *edit_state(tui_app *app);
/* Push a view now (the app's own push is for handler results). */
int edit_push_now(tui_app *app, tui_view *v);
/* How many rows of `m` are marked. */
size_t edit_marks_of(const tui_edit *e, const orm_model *m);

#endif
