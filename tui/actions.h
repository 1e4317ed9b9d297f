/*
 * Every user action, once: its name (as written in the config's [keys]
 * section), its default keys and its help text. The keymap, the config
 * reader and the help screen are all generated from this table, so the
 * help can never drift from what the keys do.
 *
 * Keys are written as in the config: a character ("j", "?"), or a name
 * (Up Down Left Right PgUp PgDn Home End Enter Esc Tab Space Backspace
 * Delete Insert F1..F12), or C-x for Ctrl-x. Separated by spaces.
 */
#ifndef TUI_ACTIONS_H
#define TUI_ACTIONS_H

/* X(enum, name, default keys, help text) */
#define TUI_ACTIONS(X)                                                         \
    X(MOVE_UP, "move-up", "Up k", "Move the cursor up one line")               \
    X(MOVE_DOWN, "move-down", "Down j", "Move the cursor down one line")       \
    X(MOVE_LEFT, "move-left", "Left h", "Move to the previous column")         \
    X(MOVE_RIGHT, "move-right", "Right l", "Move to the next column")          \
    X(PAGE_UP, "page-up", "PgUp C-b", "Scroll up one screen")                  \
    X(PAGE_DOWN, "page-down", "PgDn C-f Space", "Scroll down one screen")      \
    X(FIRST, "first", "g Home", "Go to the first row")                         \
    X(LAST, "last", "G End", "Go to the last row")                             \
    X(OPEN, "open", "Enter", "Open: model -> rows -> record; follow a key")    \
    X(BACK, "back", "q Esc", "Go back (quit on the models screen)")            \
    X(QUIT, "quit", "Q", "Quit orb")                                           \
    X(HELP, "help", "? F1", "Show this help")                                  \
    X(SORT, "sort", "s", "Sort by the current column: asc, desc, off")         \
    X(SEARCH, "search", "/", "Search text columns for words (narrow models)")  \
    X(GOTO_ROW, "goto-row", ":", "Jump to a row number")                       \
    X(REFRESH, "refresh", "r", "Reload from the database")                     \
    X(REVEAL, "reveal", "R", "Show or mask the current secret column")         \
    X(BACKREFS, "backrefs", "b", "Rows of other models that refer here")       \
    X(REDRAW, "redraw", "C-l", "Redraw the screen")                            \
    X(ADD, "add", "a", "Add a record (not available yet)")                     \
    X(EDIT, "edit", "e", "Edit the record (not available yet)")                \
    X(DELETE, "delete", "d", "Delete the record (not available yet)")          \
    X(UNDO, "undo", "u", "Undo the last change (not available yet)")           \
    X(WRITE, "write", "w", "Write pending changes (not available yet)")        \
    X(FILTER, "filter", "f", "Filter rows (not available yet)")                \
    X(FILTER_BUILDER, "filter-builder", "F",                                   \
      "Build a filter step by step (not available yet)")

#define TUI_ACTION_ENUM(e, name, keys, help) TUI_ACT_##e,
typedef enum tui_action {
    TUI_ACT_NONE = -1,
    TUI_ACTIONS(TUI_ACTION_ENUM) TUI_ACTION_COUNT
} tui_action;
#undef TUI_ACTION_ENUM

#endif
