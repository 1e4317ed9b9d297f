/*
 * Every user action, once: its name (as written in the config's [keys]
 * section), its default keys and its help text. The keymap, the config
 * reader and the help screen are all generated from this table, so the
 * help can never drift from what the keys do.
 *
 * Keys are written as in the config: a character ("j", "?"), or a name
 * (Up Down Left Right PgUp PgDn Home End Enter Esc Tab Space Backspace
 * Delete Insert F1..F12), or C-x for Ctrl-x. Separated by spaces.
 *
 * A key may stand for two actions on different screens: the form, the
 * review and conflict screens and questions look up their own actions
 * first (edit.c tui_edit_lookup), every other screen the first action.
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
    X(ADD, "add", "a", "Add a record to this model (a form)")                  \
    X(EDIT, "edit", "e", "Edit the record in a form")                          \
    X(DELETE, "delete", "d", "Delete the record, or every marked one")         \
    X(MARK, "mark", "m", "Mark the row; d then deletes every marked row")      \
    X(UNDO, "undo", "u", "Undo the last pending change, one at a time")        \
    X(WRITE, "write", "w", "Review pending changes, then write them all")      \
    X(FORM_NEXT, "form-next", "Tab Down", "Form: next field")                  \
    X(FORM_PREV, "form-prev", "BackTab Up", "Form: previous field")            \
    X(FORM_LEFT, "form-left", "Left", "Form: cursor one character left")       \
    X(FORM_RIGHT, "form-right", "Right", "Form: cursor one character right")   \
    X(FORM_HOME, "form-home", "Home C-a",                                      \
      "Form: cursor to the start of the field")                                \
    X(FORM_END, "form-end", "End", "Form: cursor to the end of the field")     \
    X(FORM_BACKSPACE, "form-backspace", "Backspace",                           \
      "Form: delete the character before the cursor")                          \
    X(FORM_DELETE, "form-delete", "Delete C-d",                                \
      "Form: delete the character under the cursor")                           \
    X(FORM_CLEAR, "form-clear", "C-u",                                         \
      "Form: empty the field (empty text, not NULL)")                          \
    X(FORM_NULL, "form-null", "C-n",                                           \
      "Form: set the field to NULL (or its default)")                          \
    X(FORM_EDITOR, "form-editor", "C-e",                                       \
      "Form: edit the field in $VISUAL / $EDITOR")                             \
    X(FORM_PICK, "form-pick", "C-p Enter",                                     \
      "Form: pick the referenced row (foreign keys)")                          \
    X(FORM_REVEAL, "form-reveal", "C-r", "Form: show or mask a secret field")  \
    X(FORM_SAVE, "form-save", "C-s F2",                                        \
      "Form: save into the session (w writes)")                                \
    X(FORM_CANCEL, "form-cancel", "Esc",                                       \
      "Form: cancel (asks when something was typed)")                          \
    X(ANSWER_YES, "yes", "y", "Answer yes; commit on the review screen")       \
    X(ANSWER_NO, "no", "n", "Answer no")                                       \
    X(DROP_CHANGE, "drop-change", "x",                                         \
      "Review: drop the change under the cursor")                              \
    X(DISCARD, "discard", "d", "Quitting: discard every pending change")       \
    X(RELOAD_REAPPLY, "reload-reapply", "r",                                   \
      "Conflict: reload the row and re-apply my edit")                         \
    X(OVERWRITE, "overwrite", "o", "Conflict: write my values over theirs")    \
    X(KEEP_EDITING, "keep-editing", "k", "Conflict: back to the form")         \
    X(FILTER, "filter", "f", "Rows: open the filter builder")                  \
    X(SAVED_FILTERS, "saved-filters", "F",                                     \
      "Rows: saved filters (apply, edit, rename...)")                          \
    X(CLEAR_FILTER, "clear-filter", "C",                                       \
      "Rows: clear the filter (builder: all of it)")                           \
    X(FILTER_APPLY, "filter-apply", "Enter",                                   \
      "Builder: apply the filter to the rows")                                 \
    X(FILTER_ADD, "filter-add", "a", "Builder: add a condition")               \
    X(FILTER_GROUP, "filter-group", "A", "Builder: add an and/or group")       \
    X(FILTER_EDIT, "filter-edit", "e",                                         \
      "Builder: change column, operator or value")                             \
    X(FILTER_DELETE, "filter-delete", "d",                                     \
      "Builder: delete the condition or group")                                \
    X(FILTER_JOIN, "filter-and-or", "o",                                       \
      "Builder: switch the group: and / or")                                   \
    X(FILTER_NOT, "filter-not", "!", "Builder: negate the condition or group") \
    X(FILTER_CASE, "filter-case", "~",                                         \
      "Builder: ignore case in text matches, or not")                          \
    X(FILTER_MOVE_UP, "filter-up", "K", "Builder: move the line up")           \
    X(FILTER_MOVE_DOWN, "filter-down", "J", "Builder: move the line down")     \
    X(FILTER_TEXT, "filter-text", ":",                                         \
      "Builder: type or paste the filter as text")                             \
    X(FILTER_SAVE, "filter-save", "s",                                         \
      "Builder: save the filter under a name")                                 \
    X(FILTER_HISTORY, "filter-history", "C-r",                                 \
      "Builder: pick a filter applied before")                                 \
    X(FILTER_RENAME, "filter-rename", "r", "Saved filters: rename")            \
    X(FILTER_DUPLICATE, "filter-copy", "D", "Saved filters: duplicate")

#define TUI_ACTION_ENUM(e, name, keys, help) TUI_ACT_##e,
typedef enum tui_action {
    TUI_ACT_NONE = -1,
    TUI_ACTIONS(TUI_ACTION_ENUM) TUI_ACTION_COUNT
} tui_action;
#undef TUI_ACTION_ENUM

#endif
