/*
 * The rows screen's columns: their order on the screen (key columns
 * first), which are hidden, which are frozen at the left, how wide each
 * is, the current one and how far the others are scrolled. State only:
 * the rows screen measures values, draws, and calls these for its keys.
 *
 * Widths. A column's natural width is the widest of its name and its
 * values on the first screen of rows, measured once, so paging never
 * moves the columns. When every shown column fits on the screen at its
 * natural width, each gets it; otherwise each is held to half the
 * screen (TUI_COLUMNS_CAP cells at most) and the room left goes back to
 * the held ones, left to right: the fitted width. `_` gives a column its
 * full width (the widest value among the rows read) and back; `<` and
 * `>` give it a width of its own.
 *
 * Hidden columns are remembered per model for the session in a
 * tui_columns_memo (the app keeps one), so a model opened again shows
 * the columns that were shown.
 */
#ifndef TUI_COLUMNS_H
#define TUI_COLUMNS_H

#include <stddef.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"

#define TUI_COLUMNS_MIN_WIDTH 4  /* a fitted width */
#define TUI_COLUMNS_CAP       40 /* a fitted width when room is short */
#define TUI_COLUMNS_STEP      4  /* `<` and `>` */

typedef enum tui_width_mode {
    TUI_WIDTH_FIT,  /* the fitted width */
    TUI_WIDTH_FULL, /* the widest value read (`_`) */
    TUI_WIDTH_SET   /* set with `<` and `>` */
} tui_width_mode;

typedef struct tui_columns {
    const orm_model *m;
    size_t n;              /* the model's columns */
    size_t *order;         /* screen order: key columns first */
    size_t nkeys;          /* key columns at the front of order */
    size_t nfrozen;        /* columns of order frozen at the left */
    size_t cur;            /* the current column, an index into order */
    size_t hscroll;        /* first scrolled column drawn (index into
                              order, at least nfrozen) */
    unsigned char *hidden; /* by model column */
    unsigned char *mode;   /* tui_width_mode, by model column */
    int *natural;          /* by model column; 0: not measured */
    int *header;           /* the header's cells (name, sort mark) */
    int *own;              /* FULL and SET widths, by model column */
    int *width;            /* drawn, by model column (tui_columns_fit) */
    int gutter;            /* cells left of the first column */
} tui_columns;

typedef struct tui_columns_memo tui_columns_memo;

/* Key columns (the primary key) first and frozen, then the others in
 * the model's order. Returns 0 or ORM_ENOMEM. */
int tui_columns_init(tui_columns *c, const orm_model *m);
void tui_columns_clear(tui_columns *c);

/* The model column under the cursor. */
size_t tui_columns_current(const tui_columns *c);
/* Is order[i] drawn frozen at the left? */
int tui_columns_frozen(const tui_columns *c, size_t i);

/* Natural widths: which are still to be measured (0), and the result
 * (at least the header's width and TUI_COLUMNS_MIN_WIDTH). */
int tui_columns_measured(const tui_columns *c, size_t col);
void tui_columns_set_natural(tui_columns *c, size_t col, int width);
/* The cells the header of `col` needs: its name and its sort mark. */
void tui_columns_set_header(tui_columns *c, size_t col, int width);
/* Fitted widths and the scroll for a screen `cols` wide, keeping the
 * current column in view and bringing back columns scrolled off on the
 * left when there is room for them. Call before drawing. */
void tui_columns_fit(tui_columns *c, int cols);
/* Where order[i] starts on the screen, or -1 when it is not drawn. */
int tui_columns_x(const tui_columns *c, size_t i, int cols);

/* Moving the cursor among the shown columns: by `delta` columns, to the
 * first / last, to model column `col` (shown again if hidden). */
void tui_columns_move(tui_columns *c, int delta);
void tui_columns_first(tui_columns *c);
void tui_columns_last(tui_columns *c);
void tui_columns_go(tui_columns *c, size_t col);

/* `-`: hide the current column, the cursor moves to the next shown
 * one. ORM_EINVALID when it is the last one shown. */
int tui_columns_hide(tui_columns *c);
/* Show every column again; returns how many were hidden. */
size_t tui_columns_show_all(tui_columns *c);
size_t tui_columns_hidden_count(const tui_columns *c);
/* `!`: freeze the columns up to the current one beside the key
 * columns (1), or, on a column frozen that way, unfreeze them (0).
 * ORM_EINVALID on a key column, which is always frozen. */
int tui_columns_freeze(tui_columns *c);
/* `_`: the current column between its fitted width and `full`. */
void tui_columns_toggle_full(tui_columns *c, int full);
/* `<` / `>`: the current column TUI_COLUMNS_STEP cells narrower or
 * wider (one cell at least, the screen at most). */
void tui_columns_resize(tui_columns *c, int delta, int cols);

/* Column names starting with `prefix` (case-insensitive), in screen
 * order, hidden ones included: the longest prefix they share into
 * `out`; returns how many match. */
size_t tui_columns_complete(const tui_columns *c, const char *prefix,
                            orm_buf *out);
/* The column whose name is `name` (case-insensitive; else the only one
 * it starts), or -1. */
int tui_columns_find(const tui_columns *c, const char *name);
/* The name after `name` among those starting with `prefix` (wrapping),
 * or NULL when none starts with it. */
const char *tui_columns_next_match(const tui_columns *c, const char *prefix,
                                   const char *name);

/* Remember the hidden columns of c's model for the session (the memo is
 * made on first use) / hide the ones remembered. */
int tui_columns_remember(tui_columns_memo **memo, const tui_columns *c);
void tui_columns_recall(const tui_columns_memo *memo, tui_columns *c);
void tui_columns_memo_free(tui_columns_memo *memo);

#endif
