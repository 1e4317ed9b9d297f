/*
 * Themes: what each screen element looks like, as data. A theme file
 * holds tig-like lines
 *
 *     color <element> <fg> <bg> [attr...]     # comment
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan,
 * white, bright-<name>, colorN / N (0-255) or #rrggbb. Attributes:
 * normal, bold, dim, reverse, underline, italic, blink, standout.
 * Unknown elements, colours or attributes are reported as
 * "path:line: message" and the valid lines are kept.
 */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include "orm/sys/buf.h"

/* X(enum, name in theme files) */
#define TUI_ELEMENTS(X)                                                        \
    X(DEFAULT, "default")                                                      \
    X(TITLE, "title")                                                          \
    X(STATUS, "status")                                                        \
    X(HEADER, "header")                                                        \
    X(CURSOR, "cursor")                                                        \
    X(CURSOR_CELL, "cursor-cell")                                              \
    X(NULL_VALUE, "null")                                                      \
    X(KEY_COLUMN, "key-column")                                                \
    X(NUMBER, "number")                                                        \
    X(SECRET, "secret")                                                        \
    X(LABEL, "label")                                                          \
    X(TYPE, "type")                                                            \
    X(FOREIGN_KEY, "foreign-key")                                              \
    X(SEPARATOR, "separator")                                                  \
    X(PROMPT, "prompt")                                                        \
    X(HELP_KEY, "help-key")                                                    \
    X(ERROR, "error")                                                          \
    X(MESSAGE, "message")                                                      \
    X(PENDING_ADD, "pending-add")                                              \
    X(PENDING_CHANGE, "pending-change")                                        \
    X(PENDING_DELETE, "pending-delete")

#define TUI_ELEMENT_ENUM(e, name) TUI_EL_##e,
typedef enum tui_element {
    TUI_ELEMENTS(TUI_ELEMENT_ENUM) TUI_ELEMENT_COUNT
} tui_element;
#undef TUI_ELEMENT_ENUM

/* Text attributes. */
enum {
    TUI_ATTR_BOLD = 1u << 0,
    TUI_ATTR_DIM = 1u << 1,
    TUI_ATTR_REVERSE = 1u << 2,
    TUI_ATTR_UNDERLINE = 1u << 3,
    TUI_ATTR_ITALIC = 1u << 4,
    TUI_ATTR_BLINK = 1u << 5,
    TUI_ATTR_STANDOUT = 1u << 6
};

/* A colour: -1 the terminal's default, 0-255 the xterm palette. */
typedef struct tui_style {
    short fg, bg;
    unsigned attrs;
} tui_style;

typedef struct tui_theme {
    tui_style styles[TUI_ELEMENT_COUNT];
    int use_color; /* 0: attributes only (NO_COLOR, monochrome) */
} tui_theme;

const char *tui_element_name(tui_element el);
/* -1 when unknown. */
int tui_element_parse(const char *name);

/* The compiled-in default (dark) theme. */
void tui_theme_default(tui_theme *theme);

/*
 * Apply theme text over `theme` (lines it does not mention keep their
 * style). Problems are appended to `problems` as "name:line: message\n".
 * "nocolor" on a line of its own turns colours off (monochrome themes).
 * Returns the number of problems.
 */
int tui_theme_parse(tui_theme *theme, const char *text, const char *name,
                    orm_buf *problems);

/* Read and apply a theme file. A file that cannot be read is one
 * problem ("path: cannot read: reason"). Returns the problem count. */
int tui_theme_load_file(tui_theme *theme, const char *path, orm_buf *problems);

/*
 * Where a theme named on the command line or in the config lives: a
 * path (contains '/' or ends in ".theme") as it is, else NAME.theme in
 * the first of the NULL-terminated `dirs` that has it.
 * Returns an owned path, or NULL when none exists.
 */
char *tui_theme_find(const char *name, const char *const *dirs);

/* The nearest of the 8 basic colours for a palette colour (for
 * terminals without 256 colours). */
short tui_color_to_8(short color);

#endif
