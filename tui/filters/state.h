/*
 * orb's own state: saved filters and filter history, kept in a small
 * SQLite database ($XDG_DATA_HOME/orb/state.db, or --state FILE) and
 * written through orb's own ORM. Everything is keyed by the database it
 * belongs to, identified by its URL without the password.
 */
#ifndef TUI_STATE_H
#define TUI_STATE_H

#include <stddef.h>

#include "orm/orm.h"

typedef struct tui_state tui_state;

typedef struct tui_saved_filter {
    char *name;
    char *model;
    char *expr;
    char *last_used; /* "YYYY-MM-DD HH:MM:SS" or NULL when never used */
} tui_saved_filter;

/*
 * Open (creating when missing) the state database at `path`, or at the
 * default location when `path` is NULL, for the database `db_url`
 * (already without password). Errors name the file.
 */
int tui_state_open(tui_state **out, const char *path, const char *db_url,
                   orm_error *err);
void tui_state_free(tui_state *st);
/* The state file's path (borrowed). */
const char *tui_state_path(const tui_state *st);

/* Save under a name (unique per database). `replace` = 0 refuses an
 * existing name with ORM_EUNIQUE ("a filter named 'x' already exists"). */
int tui_state_filter_save(tui_state *st, const char *name, const char *model,
                          const char *expr, int replace, orm_error *err);
/* ORM_ENOTFOUND with "no saved filter named 'x'" when missing. */
int tui_state_filter_get(tui_state *st, const char *name, tui_saved_filter *out,
                         orm_error *err);
/* Saved filters of one model (NULL: all), by name. */
int tui_state_filter_list(tui_state *st, const char *model,
                          tui_saved_filter **out, size_t *count,
                          orm_error *err);
int tui_state_filter_delete(tui_state *st, const char *name, orm_error *err);
int tui_state_filter_rename(tui_state *st, const char *old_name,
                            const char *new_name, orm_error *err);
/* Record that a saved filter was applied now. */
int tui_state_filter_touch(tui_state *st, const char *name, orm_error *err);

/*
 * How a model is named in the state: its table ("schema.table" when it
 * has a schema, as orm_name_join writes it: "Odd.Schema"."t"), which stays the
 * same whether the model was declared or reflected. Owned string; NULL when out
 * of memory.
 */
char *tui_state_model_key(const orm_model *model);
/* Is the saved filter for this model? */
int tui_state_filter_is_for(const tui_saved_filter *f, const orm_model *model);
/*
 * Parse a saved filter against a model. A column renamed or dropped
 * since it was saved is reported plainly, never ignored: ORM_EPARSE /
 * ORM_ETYPE with "saved filter 'x': unknown column 'hndle' at 1" and
 * the position. *out is owned by the caller.
 */
int tui_state_filter_parse(const tui_saved_filter *f, const orm_model *model,
                           orm_expr **out, orm_error *err);

/* Filter history: the last `limit` distinct filters applied to a model,
 * most recent first. Adding an expression already in the history moves
 * it to the front. */
int tui_state_history_add(tui_state *st, const char *model, const char *expr,
                          orm_error *err);
int tui_state_history_list(tui_state *st, const char *model, size_t limit,
                           char ***out, size_t *count, orm_error *err);

void tui_saved_filter_clear(tui_saved_filter *f);
void tui_saved_filters_free(tui_saved_filter *list, size_t count);
void tui_strings_free(char **list, size_t count);

#endif
