/*
 * Every user action, once: its name (as written in the config's [keys]
 * section), its scope, its default keys and its help text. The keymap,
 * the config reader and the help screen are all generated from this
 * table, so the help can never drift from what the keys do.
 *
 * Keys are written as in the config: a character ("j", "?"), or a name
 * (Up Down Left Right PgUp PgDn Home End Enter Esc Tab Space Backspace
 * Delete Insert F1..F12), or C-x for Ctrl-x. Separated by spaces.
 *
 * A scope is the screen (or kind of screen) whose keys an action is one
 * of. Screens reuse keys (s sorts the rows and saves in the filter
 * builder), so a key is bound once per scope: each screen looks a key
 * up in its own scope first, then in the scopes it borrows from (most
 * borrow browsing's movement keys), then in the global one (keymap.h).
 * Rebinding a key in one scope leaves the other scopes alone.
 */
#ifndef TUI_ACTIONS_H
#define TUI_ACTIONS_H

/* X(enum, heading on the help screen), in the help's order */
#define TUI_SCOPES(X)                                                          \
    X(BROWSE, "Browsing")                                                      \
    X(BUILDER, "Filter builder")                                               \
    X(FILTERS, "Saved filters")                                                \
    X(ROWS, "Rows")                                                            \
    X(FORM, "Forms")                                                           \
    X(QUESTION, "Questions")                                                   \
    X(REVIEW, "Reviewing changes")                                             \
    X(CONFLICT, "Write conflicts")                                             \
    X(GLOBAL, "Everywhere")

#define TUI_SCOPE_ENUM(e, title) TUI_SCOPE_##e,
typedef enum tui_scope { TUI_SCOPES(TUI_SCOPE_ENUM) TUI_SCOPE_COUNT } tui_scope;
#undef TUI_SCOPE_ENUM

/* X(enum, name, scope, default keys, help text) */
#define TUI_ACTIONS(X)                                                         \
    X(MOVE_UP, "move-up", BROWSE, "Up k", "Move the cursor up one line")       \
    X(MOVE_DOWN, "move-down", BROWSE, "Down j",                                \
      "Move the cursor down one line")                                         \
    X(MOVE_LEFT, "move-left", BROWSE, "Left h", "Move to the previous column") \
    X(MOVE_RIGHT, "move-right", BROWSE, "Right l", "Move to the next column")  \
    X(PAGE_UP, "page-up", BROWSE, "PgUp C-b", "Scroll up one screen")          \
    X(PAGE_DOWN, "page-down", BROWSE, "PgDn C-f Space",                        \
      "Scroll down one screen")                                                \
    X(FIRST, "first", BROWSE, "g Home", "Go to the first row")                 \
    X(LAST, "last", BROWSE, "G End", "Go to the last row")                     \
    X(OPEN, "open", BROWSE, "Enter",                                           \
      "Open: model -> rows -> record; follow a key")                           \
    X(BACK, "back", BROWSE, "q", "Go back (quit on the models screen)")        \
    X(CANCEL, "cancel", BROWSE, "Esc",                                         \
      "Go back, or clear a search first; never quits")                         \
    X(QUIT, "quit", GLOBAL, "Q", "Quit orb")                                   \
    X(SWITCH_CONNECTION, "switch-db", BROWSE, "O",                             \
      "Open another database: a URL or @NAME")                                 \
    X(HELP, "help", GLOBAL, "? F1", "Show this help")                          \
    X(SORT, "sort", BROWSE, "s", "Sort by the current column: asc, desc, off") \
    X(SORT_ADD, "sort-add", ROWS, "S",                                         \
      "Sort by one more column: asc, desc, off")                               \
    X(HIDE_COLUMN, "hide-column", ROWS, "-", "Hide the current column")        \
    X(SHOW_COLUMNS, "show-columns", ROWS, "+",                                 \
      "Show every hidden column again")                                        \
    X(COLUMN_WIDTH, "column-width", ROWS, "_",                                 \
      "Column at its full width, or fitted again")                             \
    X(NARROW_COLUMN, "narrow-column", ROWS, "<",                               \
      "Make the current column narrower")                                      \
    X(WIDEN_COLUMN, "widen-column", ROWS, ">",                                 \
      "Make the current column wider")                                         \
    X(FREEZE_COLUMNS, "freeze-columns", ROWS, "!",                             \
      "Freeze columns up to this one; again: unfreeze")                        \
    X(GOTO_COLUMN, "goto-column", ROWS, "c",                                   \
      "Jump to a column by name (Tab completes)")                              \
    X(FIRST_COLUMN, "first-column", ROWS, "0", "Go to the first column")       \
    X(LAST_COLUMN, "last-column", ROWS, "$", "Go to the last column")          \
    X(COPY_CELL, "copy-cell", ROWS, "y",                                       \
      "Copy the cell's value to the clipboard")                                \
    X(COPY_ROW, "copy-row", ROWS, "Y", "Copy the row (or marked rows) as TSV") \
    X(FILTER_EQUAL, "filter-equal", ROWS, "=",                                 \
      "Only rows whose column equals this cell")                               \
    X(FILTER_NOT_EQUAL, "filter-not-equal", ROWS, "#",                         \
      "Only rows whose column differs from this cell")                         \
    X(COLUMN_SUMMARY, "column-summary", ROWS, "i",                             \
      "Column summary: top values, NULLs, min/max")                            \
    X(SEARCH, "search", BROWSE, "/",                                           \
      "Search text columns for words (narrow models)")                         \
    X(SEARCH_NEXT, "search-next", ROWS, "n",                                   \
      "Next row matching the search, all rows shown")                          \
    X(SEARCH_PREV, "search-prev", ROWS, "N",                                   \
      "Previous row matching the search, all rows shown")                      \
    X(GOTO_ROW, "goto-row", BROWSE, ":", "Jump to a row number")               \
    X(REFRESH, "refresh", BROWSE, "r", "Reload from the database")             \
    X(REVEAL, "reveal", BROWSE, "R", "Show or mask the current secret column") \
    X(BACKREFS, "backrefs", BROWSE, "b",                                       \
      "Rows of other models that refer here")                                  \
    X(REDRAW, "redraw", GLOBAL, "C-l", "Redraw the screen")                    \
    X(MESSAGES, "messages", GLOBAL, "C-g",                                     \
      "The last 50 messages in full, newest first")                            \
    X(ADD, "add", BROWSE, "a", "Add a record to this model (a form)")          \
    X(EDIT, "edit", BROWSE, "e", "Edit the record in a form")                  \
    X(DELETE, "delete", BROWSE, "d", "Delete the record, or every marked one") \
    X(MARK, "mark", BROWSE, "m",                                               \
      "Mark the row; d then deletes every marked row")                         \
    X(DUPLICATE, "duplicate", ROWS, "D",                                       \
      "Duplicate the row into a new record (a form)")                          \
    X(BULK_EDIT, "bulk-edit", ROWS, "E",                                       \
      "Bulk edit: the marked rows, else every row shown")                      \
    X(UNDO, "undo", BROWSE, "u",                                               \
      "Undo the last pending change, one at a time")                           \
    X(WRITE, "write", BROWSE, "w",                                             \
      "Review pending changes, then write them all")                           \
    X(FORM_NEXT, "form-next", FORM, "Tab Down", "Form: next field")            \
    X(FORM_PREV, "form-prev", FORM, "BackTab Up", "Form: previous field")      \
    X(FORM_LEFT, "form-left", FORM, "Left", "Form: cursor one character left") \
    X(FORM_RIGHT, "form-right", FORM, "Right",                                 \
      "Form: cursor one character right")                                      \
    X(FORM_HOME, "form-home", FORM, "Home C-a",                                \
      "Form: cursor to the start of the field")                                \
    X(FORM_END, "form-end", FORM, "End",                                       \
      "Form: cursor to the end of the field")                                  \
    X(FORM_BACKSPACE, "form-backspace", FORM, "Backspace",                     \
      "Form: delete the character before the cursor")                          \
    X(FORM_DELETE, "form-delete", FORM, "Delete C-d",                          \
      "Form: delete the character under the cursor")                           \
    X(FORM_CLEAR, "form-clear", FORM, "C-u",                                   \
      "Form: empty the field (empty text, not NULL)")                          \
    X(FORM_NULL, "form-null", FORM, "C-n",                                     \
      "Form: set the field to NULL (or its default)")                          \
    X(FORM_KEEP, "form-keep", FORM, "C-k",                                     \
      "Bulk edit: leave the field as each row has it")                         \
    X(FORM_EDITOR, "form-editor", FORM, "C-e",                                 \
      "Form: edit the field in $VISUAL / $EDITOR")                             \
    X(FORM_PICK, "form-pick", FORM, "C-p Enter",                               \
      "Form: pick the referenced row (foreign keys)")                          \
    X(FORM_REVEAL, "form-reveal", FORM, "C-r",                                 \
      "Form: show or mask a secret field")                                     \
    X(FORM_SAVE, "form-save", FORM, "C-s F2",                                  \
      "Form: save into the session (w writes)")                                \
    X(FORM_CANCEL, "form-cancel", FORM, "Esc",                                 \
      "Form: cancel (asks when something was typed)")                          \
    X(ANSWER_YES, "yes", QUESTION, "y",                                        \
      "Answer yes; commit on the review screen")                               \
    X(ANSWER_NO, "no", QUESTION, "n", "Answer no")                             \
    X(DROP_CHANGE, "drop-change", REVIEW, "x",                                 \
      "Review: drop the change under the cursor")                              \
    X(DISCARD, "discard", QUESTION, "d",                                       \
      "Quitting: discard every pending change")                                \
    X(RELOAD_REAPPLY, "reload-reapply", CONFLICT, "r",                         \
      "Conflict: reload the row and re-apply my edit")                         \
    X(OVERWRITE, "overwrite", CONFLICT, "o",                                   \
      "Conflict: write my values over theirs")                                 \
    X(KEEP_EDITING, "keep-editing", CONFLICT, "k",                             \
      "Conflict: back to the form")                                            \
    X(FILTER, "filter", BROWSE, "f", "Rows: open the filter builder")          \
    X(SAVED_FILTERS, "saved-filters", BROWSE, "F",                             \
      "Rows: saved filters (apply, edit, rename...)")                          \
    X(CLEAR_FILTER, "clear-filter", BROWSE, "C",                               \
      "Rows: clear the filter (builder: all of it)")                           \
    X(FILTER_APPLY, "filter-apply", BUILDER, "Enter",                          \
      "Builder: apply the filter to the rows")                                 \
    X(FILTER_ADD, "filter-add", BUILDER, "a", "Builder: add a condition")      \
    X(FILTER_GROUP, "filter-group", BUILDER, "A",                              \
      "Builder: add an and/or group")                                          \
    X(FILTER_EDIT, "filter-edit", BUILDER, "e",                                \
      "Builder: change column, operator or value")                             \
    X(FILTER_DELETE, "filter-delete", BUILDER, "d",                            \
      "Builder: delete the condition or group")                                \
    X(FILTER_JOIN, "filter-and-or", BUILDER, "o",                              \
      "Builder: switch the group: and / or")                                   \
    X(FILTER_NOT, "filter-not", BUILDER, "!",                                  \
      "Builder: negate the condition or group")                                \
    X(FILTER_CASE, "filter-case", BUILDER, "~",                                \
      "Builder: ignore case in text matches, or not")                          \
    X(FILTER_MOVE_UP, "filter-up", BUILDER, "K", "Builder: move the line up")  \
    X(FILTER_MOVE_DOWN, "filter-down", BUILDER, "J",                           \
      "Builder: move the line down")                                           \
    X(FILTER_TEXT, "filter-text", BUILDER, ":",                                \
      "Builder: type or paste the filter as text")                             \
    X(FILTER_SAVE, "filter-save", BUILDER, "s",                                \
      "Builder: save the filter under a name")                                 \
    X(FILTER_HISTORY, "filter-history", BUILDER, "C-r",                        \
      "Builder: pick a filter applied before")                                 \
    X(FILTER_RENAME, "filter-rename", FILTERS, "r", "Saved filters: rename")   \
    X(FILTER_DUPLICATE, "filter-copy", FILTERS, "D",                           \
      "Saved filters: duplicate")                                              \
    X(PICK_MARK, "pick-mark", BUILDER, "Tab",                                  \
      "Builder: mark rows in the picker (in list)")

#define TUI_ACTION_ENUM(e, name, scope, keys, help) TUI_ACT_##e,
typedef enum tui_action {
    TUI_ACT_NONE = -1,
    TUI_ACTIONS(TUI_ACTION_ENUM) TUI_ACTION_COUNT
} tui_action;
#undef TUI_ACTION_ENUM

#endif
