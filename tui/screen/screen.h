/*
 * The screen: a grid of cells (a grapheme and a theme element each) that
 * views draw into, and a backend that shows the grid and reads input.
 * Two backends: screen_curses.c (the only file that talks to ncurses)
 * and screen_mem.c (an in-memory terminal for tests: keys are queued,
 * the grid is read back as text).
 */
#ifndef TUI_SCREEN_H
#define TUI_SCREEN_H

#include <stddef.h>

#include "text.h"
#include "theme.h"

/* Keys: Unicode code points for characters, these above for the rest. */
enum {
    TUI_KEY_NONE = 0, /* Ctrl-A is 1 ... Ctrl-Z is 26 */
    TUI_KEY_TAB = 9,
    TUI_KEY_ENTER = 13,
    TUI_KEY_ESC = 27,
    TUI_KEY_BACKSPACE = 127,
    TUI_KEY_SPECIAL = 0x110000,
    TUI_KEY_UP,
    TUI_KEY_DOWN,
    TUI_KEY_LEFT,
    TUI_KEY_RIGHT,
    TUI_KEY_PGUP,
    TUI_KEY_PGDN,
    TUI_KEY_HOME,
    TUI_KEY_END,
    TUI_KEY_INSERT,
    TUI_KEY_DELETE,
    TUI_KEY_BTAB,
    TUI_KEY_F1,
    TUI_KEY_F12 = TUI_KEY_F1 + 11,
    TUI_KEY_RESIZE,    /* the terminal changed size */
    TUI_KEY_MOUSE,     /* see tui_event.mouse */
    TUI_KEY_INTERRUPT, /* SIGINT, SIGTERM or SIGHUP arrived */
    TUI_KEY_LIMIT
};

typedef enum tui_mouse {
    TUI_MOUSE_NONE,
    TUI_MOUSE_CLICK,
    TUI_MOUSE_DOUBLE_CLICK,
    TUI_MOUSE_WHEEL_UP,
    TUI_MOUSE_WHEEL_DOWN
} tui_mouse;

typedef struct tui_event {
    int key;
    tui_mouse mouse; /* for TUI_KEY_MOUSE */
    int row, col;    /* where the mouse event happened */
    int signal;      /* for TUI_KEY_INTERRUPT */
} tui_event;

typedef struct tui_cell {
    char text[TUI_GRAPHEME_MAX]; /* "" for the right half of a wide one */
    unsigned char width;         /* 1 or 2; 0 for a continuation */
    unsigned char element;       /* tui_element */
} tui_cell;

typedef struct tui_screen tui_screen;

typedef struct tui_screen_ops {
    /* Show the grid on the terminal. */
    int (*refresh)(tui_screen *scr);
    /*
     * Wait up to timeout_ms (-1: forever, 0: poll) for input. Returns 1
     * with *out set, 0 on timeout. A resize updates rows/cols before
     * returning TUI_KEY_RESIZE.
     */
    int (*read)(tui_screen *scr, int timeout_ms, tui_event *out);
    /* A theme to show the elements with (copied). */
    void (*set_theme)(tui_screen *scr, const tui_theme *theme);
    void (*free)(tui_screen *scr);
    /* Repaint everything at the next refresh (C-l). May be NULL. */
    void (*invalidate)(tui_screen *scr);
    /* Hand the terminal to another program ($EDITOR) and take it back
     * (the next refresh repaints everything). May be NULL (the memory
     * screen has no terminal). */
    void (*suspend)(tui_screen *scr);
    void (*resume)(tui_screen *scr);
    /* Put `len` bytes on the terminal's clipboard (OSC 52: the terminal,
     * or tmux with set-clipboard on, keeps them; works over SSH). 0, or
     * ORM_ENOMEM / ORM_EIO. May be NULL. */
    int (*clipboard)(tui_screen *scr, const char *text, size_t len);
} tui_screen_ops;

/* Backends embed this first. */
struct tui_screen {
    const tui_screen_ops *ops;
    int rows, cols;
    tui_cell *cells; /* rows * cols */
};

/* Grid size (cells are cleared). 0 or ORM_ENOMEM. */
int tui_screen_resize(tui_screen *scr, int rows, int cols);
/* The key an escape sequence stands for when curses does not know it
 * (TERM names another terminal than the one in use, as often over SSH
 * or in tmux): `seq` is what followed ESC, e.g. "[4~", "OF", "[1;5C".
 * TUI_KEY_NONE when it is no key we know. */
int tui_key_from_sequence(const char *seq, size_t n);
void tui_screen_clear(tui_screen *scr);
void tui_screen_release(tui_screen *scr); /* frees the cells only */

/*
 * Draw UTF-8 text at (row, col), at most `max_width` columns (-1: to the
 * right edge), one grapheme per cell; a wide grapheme that would cross
 * the limit is drawn as a space. Returns the columns used.
 */
int tui_screen_put(tui_screen *scr, int row, int col, const char *text,
                   int max_width, tui_element el);
/* Same for text with a length (need not be NUL-terminated). */
int tui_screen_putn(tui_screen *scr, int row, int col, const char *text,
                    size_t len, int max_width, tui_element el);
/* Spaces of an element over [col, col+width). */
void tui_screen_fill(tui_screen *scr, int row, int col, int width,
                     tui_element el);
/* Change the element of cells without changing their text. */
void tui_screen_paint(tui_screen *scr, int row, int col, int width,
                      tui_element el);

const tui_cell *tui_screen_cell(const tui_screen *scr, int row, int col);
/* A line as UTF-8 text, trailing spaces removed (owned, free()). */
char *tui_screen_line(const tui_screen *scr, int row);
/* The first row whose text contains `text`, or -1. */
int tui_screen_find(const tui_screen *scr, const char *text);
/* The whole grid as text, one line per row (owned). */
char *tui_screen_text(const tui_screen *scr);

/* Backends. */
int tui_screen_curses_new(tui_screen **out, const tui_theme *theme);
/* Restore the terminal if the curses screen is active (safe to call
 * more than once). */
void tui_screen_curses_end(tui_screen *scr);

int tui_screen_mem_new(tui_screen **out, int rows, int cols);
/* Queue input for read(). */
int tui_screen_mem_push(tui_screen *scr, const tui_event *ev);
/* Change the size now and queue TUI_KEY_RESIZE. */
int tui_screen_mem_set_size(tui_screen *scr, int rows, int cols);
/* How many times refresh() was called. */
int tui_screen_mem_refreshes(const tui_screen *scr);
/* What the last clipboard() call put on the clipboard (NULL: none yet),
 * and its length; borrowed. */
const char *tui_screen_mem_clipboard(const tui_screen *scr, size_t *len);

#endif
