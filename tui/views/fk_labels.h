/*
 * The rows screen's foreign-key labels: beside a foreign key's value the
 * referenced row's label (the model's repr, else its first text column),
 * read for every value on the screen at once, one query per foreign-key
 * column (WHERE key IN (...)), never one per row. The labels read are
 * kept for the values on the screens around (at most
 * TUI_FK_LABELS_KEEP per column, dropped whole when more are needed).
 */
#ifndef TUI_FK_LABELS_H
#define TUI_FK_LABELS_H

#include <stddef.h>

#include "orm/orm.h"

#define TUI_FK_LABELS_KEEP 512

typedef struct tui_fk_labels tui_fk_labels;

/* The single-column foreign keys of `m` whose referenced model (one of
 * `db`'s) has a label. ORM_ENOMEM. */
int tui_fk_labels_new(tui_fk_labels **out, orm_db *db, const orm_model *m);
void tui_fk_labels_free(tui_fk_labels *l);

/* Does model column `col` show labels? */
int tui_fk_labels_has(const tui_fk_labels *l, size_t col);
/* The label read for value `v` of column `col` (borrowed until the next
 * load), or NULL: not read yet, NULL, or no such row. */
const char *tui_fk_labels_get(const tui_fk_labels *l, size_t col,
                              const orm_value *v);
/* 1 when a value of these `n` rows (model column values) has not been
 * looked up yet. */
int tui_fk_labels_missing(const tui_fk_labels *l, const orm_value *const *rows,
                          size_t n);
/* Look up every value of these rows not looked up yet: one query per
 * foreign-key column. 0, or an error (on the session; ORM_ECANCELLED
 * when Esc or a key stopped it, nothing lost). */
int tui_fk_labels_load(tui_fk_labels *l, orm_session *s,
                       const orm_value *const *rows, size_t n);

#endif
