/*
 * The filter builder's model: an editable tree of conditions (column,
 * operator, values) inside AND / OR groups, each negatable, kept apart
 * from any drawing so that it can be tested and reused. The tree turns
 * into an orm_expr (and so into the filter language) and back.
 *
 * Operators are the builder's, not the ORM's: they are offered per column
 * type as Flask-Admin offers them (text: contains, starts with...;
 * numbers: < <= ...; booleans: is true...; dates: on, before, today...),
 * and some of them ("not contains", "today", "last 7 days", "this month",
 * "on" for a timestamp) compile to more than one ORM operator. Relative
 * dates are computed when the tree is compiled, from the `today` given,
 * so the filter language always holds concrete dates.
 */
#ifndef TUI_FILTER_TREE_H
#define TUI_FILTER_TREE_H

#include <stddef.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"

/* X(enum, label, values: 0, 1, 2 or -1 for a list) */
#define TUI_FOPS(X)                                                            \
    X(EQ, "equals", 1)                                                         \
    X(NE, "not equal", 1)                                                      \
    X(LT, "<", 1)                                                              \
    X(LE, "\xE2\x89\xA4", 1)                                                   \
    X(GT, ">", 1)                                                              \
    X(GE, "\xE2\x89\xA5", 1)                                                   \
    X(CONTAINS, "contains", 1)                                                 \
    X(NOT_CONTAINS, "not contains", 1)                                         \
    X(STARTSWITH, "starts with", 1)                                            \
    X(ENDSWITH, "ends with", 1)                                                \
    X(LIKE, "like", 1)                                                         \
    X(IN, "in list", -1)                                                       \
    X(BETWEEN, "between", 2)                                                   \
    X(IS_NULL, "empty", 0)                                                     \
    X(NOT_NULL, "not empty", 0)                                                \
    X(IS_TRUE, "is true", 0)                                                   \
    X(IS_FALSE, "is false", 0)                                                 \
    X(ON, "on", 1)                                                             \
    X(BEFORE, "before", 1)                                                     \
    X(AFTER, "after", 1)                                                       \
    X(TODAY, "today", 0)                                                       \
    X(LAST_7_DAYS, "last 7 days", 0)                                           \
    X(THIS_MONTH, "this month", 0)

#define TUI_FOP_ENUM(e, label, n) TUI_FOP_##e,
typedef enum tui_fop { TUI_FOPS(TUI_FOP_ENUM) TUI_FOP_COUNT } tui_fop;
#undef TUI_FOP_ENUM

/* A calendar day (local time). */
typedef struct tui_date {
    int year, month, day;
} tui_date;

/* Today in local time. */
void tui_date_today(tui_date *out);

typedef struct tui_fnode tui_fnode;
struct tui_fnode {
    tui_fnode *parent; /* NULL for the root */
    int negated;
    int is_group;
    /* A group: ORM_OP_AND or ORM_OP_OR over its children. */
    orm_op join;
    tui_fnode **kids;
    size_t nkids;
    /* A condition. */
    char *column;
    tui_fop op;
    int icase; /* case-insensitive text match */
    orm_value *values;
    size_t nvalues;
};

/* The root is always a group; an empty root means "no filter". */
typedef struct tui_ftree {
    const orm_model *model; /* borrowed */
    tui_fnode *root;
} tui_ftree;

int tui_ftree_new(tui_ftree **out, const orm_model *model);
void tui_ftree_free(tui_ftree *t);
/* Remove every condition (the root becomes an empty AND group). */
void tui_ftree_clear(tui_ftree *t);
/* Is there any condition at all? */
int tui_ftree_empty(const tui_ftree *t);

/*
 * Replace the tree with the conditions of `e` (NULL: empty). Every tree
 * orm_filter_parse makes against the model can be loaded; ORM_EINVALID
 * for a node the builder has no form for (a column the model lacks).
 */
int tui_ftree_load(tui_ftree *t, const orm_expr *e, orm_error *err);
/*
 * Parse filter-language text against the model and load it; on error the
 * tree is unchanged and `err` has the parser's message and position.
 */
int tui_ftree_parse(tui_ftree *t, const char *text, orm_error *err);

/*
 * The tree as an expression, relative dates computed from `today`
 * (NULL: the local date now). *out is NULL for an empty tree; owned.
 */
int tui_ftree_compile(const tui_ftree *t, const tui_date *today,
                      orm_expr **out);
/* The filter language for the tree ("" when empty). Owned; NULL on
 * allocation failure. */
char *tui_ftree_text(const tui_ftree *t, const tui_date *today);

/*
 * Lines as the builder shows them: the root first, then every node in
 * order, children indented one level deeper. NULL past the end.
 */
size_t tui_ftree_line_count(const tui_ftree *t);
tui_fnode *tui_ftree_line(const tui_ftree *t, size_t index, int *depth);
/* The line of a node, or (size_t)-1. */
size_t tui_ftree_line_of(const tui_ftree *t, const tui_fnode *node);
/* How many conditions the tree holds. */
size_t tui_ftree_conditions(const tui_ftree *t);

/* New nodes (values are copied). NULL when out of memory. */
tui_fnode *tui_fnode_new_group(orm_op join);
tui_fnode *tui_fnode_new_condition(const char *column, tui_fop op,
                                   const orm_value *values, size_t n,
                                   int icase);
void tui_fnode_free(tui_fnode *n);
/* Change a condition in place (values copied; negation kept). */
int tui_fnode_set(tui_fnode *n, const char *column, tui_fop op,
                  const orm_value *values, size_t nvalues, int icase);

/*
 * Insert `node` (taking ownership): as the last child of `at` when `at`
 * is a group, else right after `at` among its siblings. 0 or
 * ORM_ENOMEM (then `node` is freed).
 */
int tui_ftree_insert(tui_ftree *t, tui_fnode *at, tui_fnode *node);
/* Delete a node and its children; the root is emptied instead. */
void tui_ftree_delete(tui_ftree *t, tui_fnode *node);
/*
 * Move a node one place up (dir < 0) or down among its siblings; at the
 * first / last place of a group it leaves the group, placed just before
 * / after it. Returns 1 when it moved, 0 when it could not.
 */
int tui_ftree_move(tui_ftree *t, tui_fnode *node, int dir);
/* Switch a group between AND and OR. */
void tui_fnode_toggle_join(tui_fnode *group);
/* Turn case-insensitive matching on or off; ORM_EINVALID when the
 * operator is not a text match (contains, starts/ends with, like). */
int tui_fnode_toggle_case(tui_fnode *n);

/* ---- operators by column type ---- */

/* The operators that fit a column, in the order a chooser offers them.
 * Returns how many (at most `max` are written). */
size_t tui_fop_choices(const orm_column *col, tui_fop *out, size_t max);
/* Does the operator fit the column? */
int tui_fop_fits(tui_fop op, const orm_column *col);
/* How the operator reads for a column ("equals" for text, "=" for a
 * number). */
const char *tui_fop_label(tui_fop op, const orm_column *col);
/* 0, 1, 2, or -1 for a list of values. */
int tui_fop_values(tui_fop op);
/* Today, last 7 days, this month. */
int tui_fop_relative(tui_fop op);
/* Can it match case-insensitively? */
int tui_fop_has_case(tui_fop op);
/* Does a new condition with it ignore case unless toggled? (contains,
 * not contains, starts with, ends with: yes; like: no.) */
int tui_fop_default_icase(tui_fop op);

/*
 * A value as the user typed it, for an operator on a column: checked
 * with orm_value_parse (plain messages: "expected a whole number");
 * date operators on timestamp columns take a day (YYYY-MM-DD) or a
 * timestamp. `out` owns the value.
 */
int tui_fvalue_parse(orm_value *out, const orm_column *col, tui_fop op,
                     const char *text, orm_error *err);
/* Is `low` after `high` in the order the database compares them in
 * (numbers, days and instants, text by code point)? A between with such
 * bounds matches nothing. */
int tui_fvalues_reversed(const orm_value *low, const orm_value *high,
                         const orm_column *col);
/* A list: values separated by commas; 'single quotes' keep commas and
 * spaces ('' is a quote). *out is an owned array (tui_fvalues_free). */
int tui_fvalues_parse(orm_value **out, size_t *count, const orm_column *col,
                      const char *text, orm_error *err);
void tui_fvalues_free(orm_value *values, size_t n);
/* A value as text to edit again (the inverse of tui_fvalue_parse); a
 * list as tui_fvalues_parse reads it. Owned. */
char *tui_fvalue_text(const orm_value *v, const orm_column *col);
char *tui_fvalues_text(const orm_value *values, size_t n,
                       const orm_column *col);

/* The display column (0-based) of a 1-based character position in
 * filter text, to put a caret under an error. */
int tui_ftext_caret_column(const char *text, size_t pos);

/*
 * One line describing a node: "handle contains 'doe'", "any of (or)",
 * "not (id > 10)", "created today (2024-05-01, computed when applied)".
 */
void tui_fnode_describe(const tui_fnode *n, const orm_model *model,
                        const tui_date *today, orm_buf *out);

#endif
