/*
 * A form's fields as state, apart from any drawing: for each column the
 * text as typed (UTF-8), a cursor that moves and deletes by whole
 * characters (graphemes, so CJK, emoji and accents never split), NULL
 * kept apart from empty text, whether the user touched the field, and a
 * validation message in plain words. Validation is the ORM's own
 * (orm_value_parse), run as the user types and again before saving; what
 * was typed is never thrown away because of an error.
 *
 * A field the user leaves alone keeps its value: in a new record that
 * means "the default" (a generator, a literal or the database fills it),
 * so untouched fields are never set.
 */
#ifndef TUI_FORM_H
#define TUI_FORM_H

#include <stddef.h>

#include "orm/orm.h"
#include "orm/sys/buf.h"

typedef struct tui_form_field {
    size_t col;    /* model column */
    orm_buf text;  /* as typed (meaningless while is_null) */
    size_t cursor; /* byte offset into text */
    int is_null;   /* NULL, not the empty string */
    int touched;   /* changed since the form opened */
    int revealed;  /* a secret shown in clear */
    int locked;    /* the key of a stored record: not editable here */
    char *error;   /* what is wrong, in plain words, or NULL */
} tui_form_field;

typedef struct tui_form {
    const orm_model *model;
    int is_new; /* a record not made yet (else: editing a record) */
    int bulk;   /* many rows at once: the touched fields are what is set */
    tui_form_field *fields;
    size_t nfields;
    size_t current;
} tui_form;

/* Cursor moves within the current field. */
typedef enum tui_form_move {
    TUI_FORM_LEFT,
    TUI_FORM_RIGHT,
    TUI_FORM_HOME,
    TUI_FORM_END
} tui_form_move;

/*
 * Fields for every column of `m`, filled from `rec` (its current,
 * possibly pending values) or, with rec NULL, empty for a new record.
 * 0 or ORM_ENOMEM. Free with tui_form_clear.
 */
int tui_form_init(tui_form *f, const orm_model *m, const orm_record *rec);
/*
 * A bulk form for rows of `m` (tui_edit_bulk): every field starts left
 * alone ("unchanged") and only the fields the user types into (or sets
 * to NULL) are set on each row. Keys, read-only columns and, when
 * `many` rows are edited, unique columns are locked. 0 or ORM_ENOMEM.
 */
/*
 * Fields for a new record of `m` holding `src`'s values (duplicating a
 * record): the values are set as if typed, except the primary key (the
 * database numbers an autoincrement one; another is the user's to
 * fill), generated defaults (a new token, uuid or time), the version
 * column and read-only columns, which start as in an empty form. A
 * unique column keeps its value: validation on save says it is taken.
 * 0 or ORM_ENOMEM.
 */
int tui_form_init_copy(tui_form *f, const orm_model *m, const orm_record *src);
int tui_form_init_bulk(tui_form *f, const orm_model *m, int many);
void tui_form_clear(tui_form *f);

tui_form_field *tui_form_current(tui_form *f);
/* Why field i cannot be typed into (a stored key, a read-only column). */
const char *tui_form_locked_reason(const tui_form *f, size_t i);
const orm_column *tui_form_column(const tui_form *f, size_t i);

/* Editing the current field. Each marks it touched and validates it.
 * Return 0, ORM_ENOMEM, or ORM_EINVALID when the field cannot be edited
 * (its error says why). */
int tui_form_insert(tui_form *f, const char *text, size_t len);
int tui_form_insert_char(tui_form *f, int codepoint);
int tui_form_erase(tui_form *f, int forward);
/* Empty text (not NULL). */
int tui_form_empty(tui_form *f);
/* Replace the text of field i (the cursor goes to its end). */
int tui_form_set_text(tui_form *f, size_t i, const char *text, size_t len);
/* Booleans: NULL/false -> true -> false. */
int tui_form_toggle(tui_form *f);
/*
 * Ctrl-N: a nullable field becomes NULL; a field the database or a
 * default fills goes back to that ("auto"); otherwise ORM_EINVALID and
 * *why says why ("handle cannot be NULL: a value is required").
 */
int tui_form_set_null(tui_form *f, const char **why);
void tui_form_move_cursor(tui_form *f, tui_form_move how);
/* Next / previous field, wrapping. */
void tui_form_next(tui_form *f, int delta);

/* Bulk form: the current field goes back to "unchanged". ORM_EINVALID
 * in another form. */
int tui_form_keep(tui_form *f);
/*
 * Bulk form: the value of every field to set, checked. `values` and
 * `set` hold nfields entries (values owned by the caller afterwards;
 * NULL where not set). 0, or ORM_ETYPE with the field's error set and
 * *bad its index.
 */
int tui_form_bulk_values(tui_form *f, orm_value *values, unsigned char *set,
                         size_t *bad, orm_error *err);

/* Display columns from the field's start to its cursor. */
int tui_form_cursor_width(const tui_form *f, size_t i);
/* Characters (code points) typed, for the String(n) counter. */
size_t tui_form_chars(const tui_form *f, size_t i);

/*
 * What fills field i of a new record when it is left alone: "auto"
 * (the database: autoincrement or a server default), the generator
 * ("token_hex(16)") or the default literal ("false"). NULL when nothing
 * does.
 */
const char *tui_form_default_text(const tui_form *f, size_t i);
/* NOT NULL, no default, not generated: a value must be given. */
int tui_form_required(const tui_form *f, size_t i);
/* Does saving leave field i alone (a new record's untouched field)? */
int tui_form_left_alone(const tui_form *f, size_t i);

/* Validate field i (sets or clears its error). 0 or ORM_ETYPE. */
int tui_form_check(tui_form *f, size_t i);
/* Validate every field; returns how many are wrong and the first one in
 * *first (when any). */
size_t tui_form_check_all(tui_form *f, size_t *first);
/* Set field i's error (copied; NULL clears). */
void tui_form_set_error(tui_form *f, size_t i, const char *message);

/* The value field i stands for (owned; NULL when is_null). */
int tui_form_value(const tui_form *f, size_t i, orm_value *out, orm_error *err);
/* Has anything been typed? */
int tui_form_touched(const tui_form *f);

/*
 * Save into the session: a new record is made, filled and added
 * (*added gets it); a record being edited gets every touched field whose
 * value differs. Fields are validated first and nothing changes when one
 * is wrong (ORM_ETYPE, the field's error set, *bad its index). *changed
 * counts columns set. Other failures: the ORM code with `err`.
 */
int tui_form_save(tui_form *f, orm_session *s, orm_record *rec,
                  orm_record **added, size_t *changed, size_t *bad,
                  orm_error *err);

#endif
