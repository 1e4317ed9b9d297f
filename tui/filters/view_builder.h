/*
 * The filter builder's insides, shared by its files only: view_builder.c
 * (the screen: keys, prompts, counting, applying and saving),
 * view_builder_pick.c (picking the rows a foreign key refers to) and
 * view_builder_draw.c (drawing). Everything else opens the builder
 * through views.h.
 */
#ifndef TUI_VIEW_BUILDER_H
#define TUI_VIEW_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "filter_tree.h"
#include "views.h"

#define COUNT_CAP        1000 /* the quick count stops here */
#define HISTORY_SHOWN    20
#define FILTER_LINES_MAX 3

typedef enum builder_mode {
    MODE_TREE,
    MODE_COLUMN, /* choosing the column of a condition */
    MODE_OP,     /* choosing its operator */
    MODE_HISTORY /* choosing a filter applied before */
} builder_mode;

typedef enum builder_ask {
    ASK_NONE,
    ASK_VALUE,
    ASK_LOW, /* between: the first value */
    ASK_HIGH,
    ASK_LIST,
    ASK_TEXT, /* the whole filter as text */
    ASK_SAVE,
    ASK_REPLACE, /* save over the saved filter of that name? y/n */
    ASK_SWAP     /* between's bounds reversed: swap them? y/n */
} builder_ask;

/* A foreign key a picker fills: this model's columns and the
 * referenced model's columns (indexes) they take their values from. */
typedef struct fk_pick {
    const orm_model *target;
    size_t n;
    const char *cols[TUI_PICKER_MAX_KEY];
    size_t refs[TUI_PICKER_MAX_KEY];
} fk_pick;

typedef enum count_state {
    COUNT_PENDING,
    COUNT_EXACT,
    COUNT_ESTIMATE,
    COUNT_MORE, /* more than COUNT_CAP, the full count is next */
    COUNT_FAILED
} count_state;

typedef struct builder_view {
    tui_view base;
    tui_view *rows; /* the rows screen below (borrowed) */
    const orm_model *m;
    tui_ftree *tree;
    tui_date today;
    char *text; /* the tree in the filter language */
    size_t cursor, top;
    int page;
    builder_mode mode;
    size_t pick, pick_top;
    /* The condition being made (editing NULL) or changed. */
    tui_fnode *editing;
    size_t col;
    tui_fop ops[TUI_FOP_COUNT];
    size_t nops;
    tui_fop op;
    fk_pick fk; /* while a picker is open above */
    orm_value low;
    orm_value high;  /* ASK_SWAP: the second bound, after the first */
    char *draft[2];  /* the value(s) typed for the condition being made,
                        kept when Esc steps back to the operator */
    char *save_name; /* ASK_REPLACE: the name that is taken */
    builder_ask ask;
    char *ask_text;  /* what is typed at the prompt now */
    char *ask_error; /* what is wrong with it, or NULL */
    size_t ask_pos;  /* ASK_TEXT: where (1-based character), or 0 */
    char *saved_name;
    char *initial;
    char **history;
    size_t nhistory;
    count_state count_state;
    int count_step; /* 0 nothing to do, 1 quick, 2 full */
    int64_t count;
    char *count_error;
} builder_view;

/* ---- view_builder.c ---- */

/* Replace the string in *slot with a copy of `text` (NULL: none). */
void builder_set_str(char **slot, const char *text);
/* The prompt is answered or given up: what it asked for goes. */
void builder_end_ask(builder_view *bv);
/* Ask for `what` on the prompt line, `initial` typed in. */
void builder_start_ask(builder_view *bv, tui_app *app, builder_ask what,
                       const char *label, const char *initial);
tui_fnode *builder_current(const builder_view *bv);
const orm_column *builder_column_at(const builder_view *bv, size_t i);
/* The first key bound to an action, as its name. */
void builder_first_key(const tui_app *app, tui_action a, char *out,
                       size_t size);
/* The tree changed: new text, count again. */
void builder_changed(builder_view *bv);
/* The condition being made (bv->col, bv->op) gets `values` (copied):
 * a new one goes into the tree, an edited one changes in place. */
unsigned builder_finish_condition(builder_view *bv, tui_app *app,
                                  const orm_value *values, size_t n);
/* The lines of the list shown while choosing (columns, operators,
 * history) and line i's text. */
size_t builder_pick_count(const builder_view *bv);
const char *builder_pick_label(const builder_view *bv, size_t i);

/* ---- view_builder_apply.c ---- */

/* tui_view_ops' idle: the count, a step at a time between keys. */
unsigned builder_idle(tui_view *v, tui_app *app, int *more);
/* How many rows match, as the top line says it: still counting, more
 * than the quick count's cap, the count or an estimate, or why counting
 * failed. */
void builder_count_text(const builder_view *bv, orm_buf *out);
unsigned builder_apply_filter(builder_view *bv, tui_app *app);
/* Save under `name`; a name already taken is replaced only when the
 * user said so (replace), else asked about. */
unsigned builder_save_filter(builder_view *bv, tui_app *app, const char *name,
                             int replace);
/* The list of filters applied to this model before, to choose from. */
unsigned builder_open_history(builder_view *bv, tui_app *app);

/* ---- view_builder_pick.c ---- */

int builder_fk_resolve(const builder_view *bv, tui_app *app, size_t col,
                       fk_pick *out);
unsigned builder_open_picker(builder_view *bv, tui_app *app);

/* ---- view_builder_draw.c: tui_view_ops' draw, title and status ---- */

void builder_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                  int height);
void builder_title(tui_view *v, tui_app *app, orm_buf *out);
void builder_status(tui_view *v, tui_app *app, orm_buf *out);

#endif
