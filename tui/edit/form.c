/*
 * Form field state: text as typed, a cursor by grapheme, NULL apart
 * from empty, validation through orm_value_parse, and saving into the
 * session. Nothing here draws.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "form.h"
#include "mem.h"
#include "text.h"

/* ---- setup ---- */

static int stored(const orm_record *rec)
{
    orm_record_state st = orm_record_state_of(rec);
    return st != ORM_RECORD_NEW && st != ORM_RECORD_TRANSIENT;
}

static int fill_text(tui_form_field *fd, const orm_column *col,
                     const orm_value *v)
{
    orm_buf_reset(&fd->text);
    fd->is_null = !v || v->kind == ORM_VNULL;
    if (fd->is_null) {
        orm_buf_append(&fd->text, "");
    } else if (v->kind == ORM_VTEXT && orm_type_kind(col->type) == ORM_VTEXT) {
        orm_buf_appendn(&fd->text, v->u.s.len ? v->u.s.ptr : "", v->u.s.len);
        orm_buf_append(&fd->text, "");
    } else {
        char *text = orm_value_format(v, col);
        if (!text)
            return ORM_ENOMEM;
        orm_buf_append(&fd->text, text);
        free(text);
    }
    fd->cursor = fd->text.len;
    return fd->text.failed ? ORM_ENOMEM : 0;
}

int tui_form_init(tui_form *f, const orm_model *m, const orm_record *rec)
{
    memset(f, 0, sizeof *f);
    f->model = m;
    f->is_new = rec == NULL;
    f->fields = tui_calloc(m->ncolumns + 1, sizeof *f->fields);
    if (!f->fields)
        return ORM_ENOMEM;
    f->nfields = m->ncolumns;
    for (size_t i = 0; i < m->ncolumns; i++) {
        tui_form_field *fd = &f->fields[i];
        const orm_column *col = &m->columns[i];
        fd->col = i;
        if (fill_text(fd, col, rec ? orm_record_value(rec, i) : NULL)) {
            tui_form_clear(f);
            return ORM_ENOMEM;
        }
        fd->locked =
            (rec && stored(rec) && (col->flags & ORM_PK)) || col->read_only;
    }
    /* Start on the first field there is something to type into. */
    for (size_t i = 0; i < f->nfields; i++) {
        const orm_column *col = &m->columns[i];
        if (!f->fields[i].locked && !orm_column_is_autoinc(m, col)) {
            f->current = i;
            break;
        }
    }
    return 0;
}

int tui_form_init_copy(tui_form *f, const orm_model *m, const orm_record *src)
{
    int rc = tui_form_init(f, m, src);
    if (rc)
        return rc;
    f->is_new = 1;
    for (size_t i = 0; i < f->nfields; i++) {
        tui_form_field *fd = &f->fields[i];
        const orm_column *col = &m->columns[i];
        int fresh =
            (col->flags & ORM_PK) || orm_column_is_autoinc(m, col) ||
            col->default_gen || col->read_only ||
            (m->version_column && strcmp(m->version_column, col->name) == 0);
        fd->locked = col->read_only != NULL;
        fd->touched = !fresh;
        if (fresh && fill_text(fd, col, NULL)) {
            tui_form_clear(f);
            return ORM_ENOMEM;
        }
    }
    f->current = 0;
    for (size_t i = 0; i < f->nfields; i++)
        if (!f->fields[i].locked && !orm_column_is_autoinc(m, &m->columns[i])) {
            f->current = i;
            break;
        }
    return 0;
}

int tui_form_init_bulk(tui_form *f, const orm_model *m, int many)
{
    int rc = tui_form_init(f, m, NULL);
    if (rc)
        return rc;
    f->is_new = 0;
    f->bulk = 1;
    f->current = 0;
    for (size_t i = 0; i < f->nfields; i++) {
        const orm_column *col = &m->columns[i];
        f->fields[i].locked = (col->flags & ORM_PK) || col->read_only ||
                              orm_column_is_autoinc(m, col) ||
                              (many && (col->flags & ORM_UNIQUE));
    }
    for (size_t i = 0; i < f->nfields; i++)
        if (!f->fields[i].locked) {
            f->current = i;
            break;
        }
    return 0;
}

void tui_form_clear(tui_form *f)
{
    if (!f || !f->fields)
        return;
    for (size_t i = 0; i < f->nfields; i++) {
        orm_buf_free(&f->fields[i].text);
        free(f->fields[i].error);
    }
    free(f->fields);
    f->fields = NULL;
    f->nfields = 0;
}

tui_form_field *tui_form_current(tui_form *f)
{
    return f->nfields ? &f->fields[f->current] : NULL;
}

const orm_column *tui_form_column(const tui_form *f, size_t i)
{
    return &f->model->columns[f->fields[i].col];
}

/* ---- what fills a field ---- */

static int filled_by_db(const tui_form *f, const orm_column *col)
{
    return orm_column_is_autoinc(f->model, col) || col->server_default ||
           col->read_only;
}

static int has_default(const tui_form *f, const orm_column *col)
{
    return filled_by_db(f, col) || col->default_gen || col->default_value;
}

const char *tui_form_default_text(const tui_form *f, size_t i)
{
    const orm_column *col = tui_form_column(f, i);
    if (orm_column_is_autoinc(f->model, col))
        return "auto";
    if (col->default_gen)
        return col->default_gen;
    if (col->default_value)
        return col->default_value;
    /* The database's own default as its schema says it (what the
     * record screen shows): '' or 0 or now(), not "auto", which is for
     * keys the database counts (serial, identity, autoincrement). */
    if (col->server_default)
        return col->server_default;
    return NULL;
}

int tui_form_required(const tui_form *f, size_t i)
{
    const orm_column *col = tui_form_column(f, i);
    return !orm_column_nullable(col) && !has_default(f, col);
}

int tui_form_left_alone(const tui_form *f, size_t i)
{
    return !f->fields[i].touched;
}

/* ---- validation ---- */

void tui_form_set_error(tui_form *f, size_t i, const char *message)
{
    tui_form_field *fd = &f->fields[i];
    free(fd->error);
    fd->error = message ? orm_strdup(message) : NULL;
}

static int is_text_type(const orm_column *col)
{
    return col->type == ORM_STRING || col->type == ORM_TEXT ||
           col->type == ORM_BLOB;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

int tui_form_value(const tui_form *f, size_t i, orm_value *out, orm_error *err)
{
    const tui_form_field *fd = &f->fields[i];
    const orm_column *col = tui_form_column(f, i);
    *out = orm_value_null();
    if (fd->is_null)
        return 0;
    const char *text = orm_buf_str(&fd->text);
    if (!text)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    if (!is_text_type(col) && blank(text, fd->text.len))
        return orm_error_set(err, ORM_ETYPE, "empty: type a value%s",
                             orm_column_nullable(col) ? " (or Ctrl-N for NULL)"
                                                      : "");
    /* Text with a NUL cannot be typed; anything else parses as the
     * filters read it (a plain date for a timestamp: its midnight). */
    return orm_value_parse_input(out, col, text, err);
}

int tui_form_check(tui_form *f, size_t i)
{
    tui_form_field *fd = &f->fields[i];
    const orm_column *col = tui_form_column(f, i);
    orm_error err = ORM_ERROR_INIT;
    orm_value v = ORM_VALUE_NULL_INIT;
    int rc = 0;
    if (fd->locked)
        goto done;
    if (!fd->touched) {
        if (f->is_new && tui_form_required(f, i)) {
            tui_form_set_error(f, i, "required: type a value");
            return ORM_ETYPE;
        }
        goto done;
    }
    if (fd->is_null) {
        if (!orm_column_nullable(col) && !filled_by_db(f, col)) {
            tui_form_set_error(f, i,
                               "a value is required (NULL is not "
                               "allowed)");
            return ORM_ETYPE;
        }
        goto done;
    }
    rc = tui_form_value(f, i, &v, &err);
    if (rc == 0)
        rc = orm_value_check(&v, col, &err);
    orm_value_clear(&v);
    if (rc) {
        tui_form_set_error(f, i, orm_error_text(&err));
        orm_error_clear(&err);
        return rc == ORM_ENOMEM ? rc : ORM_ETYPE;
    }
done:
    tui_form_set_error(f, i, NULL);
    return 0;
}

size_t tui_form_check_all(tui_form *f, size_t *first)
{
    size_t bad = 0;
    for (size_t i = 0; i < f->nfields; i++) {
        if (tui_form_check(f, i) == 0)
            continue;
        if (bad++ == 0 && first)
            *first = i;
    }
    return bad;
}

int tui_form_touched(const tui_form *f)
{
    for (size_t i = 0; i < f->nfields; i++)
        if (f->fields[i].touched)
            return 1;
    return 0;
}

/* ---- editing ---- */

/* May the current field be typed into? Says why not. */
static int editable(tui_form *f)
{
    tui_form_field *fd = tui_form_current(f);
    if (!fd)
        return 0;
    if (fd->locked) {
        tui_form_set_error(f, f->current,
                           tui_form_locked_reason(f, f->current));
        return 0;
    }
    return 1;
}

const char *tui_form_locked_reason(const tui_form *f, size_t i)
{
    const orm_column *col = tui_form_column(f, i);
    if (col->read_only)
        return col->read_only;
    if (f->bulk && !(col->flags & ORM_PK) && (col->flags & ORM_UNIQUE))
        return "unique: one value cannot go to every row (edit the rows "
               "one at a time)";
    if (f->bulk)
        return "a key is not changed for many rows at once";
    return "the key of a stored record cannot be changed here";
}

/* The field now holds text the user typed. */
static int edited(tui_form *f)
{
    tui_form_field *fd = tui_form_current(f);
    fd->touched = 1;
    if (fd->text.failed)
        return ORM_ENOMEM;
    tui_form_check(f, f->current);
    return 0;
}

/* Typing into NULL starts from empty text. */
static void leave_null(tui_form_field *fd)
{
    if (!fd->is_null)
        return;
    fd->is_null = 0;
    orm_buf_reset(&fd->text);
    orm_buf_append(&fd->text, "");
    fd->cursor = 0;
}

int tui_form_insert(tui_form *f, const char *text, size_t len)
{
    if (!editable(f))
        return ORM_EINVALID;
    tui_form_field *fd = tui_form_current(f);
    leave_null(fd);
    orm_buf *b = &fd->text;
    size_t at = fd->cursor <= b->len ? fd->cursor : b->len;
    size_t tail = b->len - at;
    /* Grow by appending, then move the tail up. */
    orm_buf_appendn(b, text, len);
    if (b->failed)
        return ORM_ENOMEM;
    memmove(b->data + at + len, b->data + at, tail);
    memcpy(b->data + at, text, len);
    b->data[b->len] = '\0';
    fd->cursor = at + len;
    return edited(f);
}

int tui_form_insert_char(tui_form *f, int codepoint)
{
    utf8proc_uint8_t buf[8];
    utf8proc_ssize_t n = utf8proc_encode_char(codepoint, buf);
    if (n <= 0)
        return ORM_EINVALID;
    return tui_form_insert(f, (const char *)buf, (size_t)n);
}

/* The grapheme boundaries around byte `at`: *before (the start of the
 * character before it) and *after (the end of the character at it). */
static void boundaries(const orm_buf *b, size_t at, size_t *before,
                       size_t *after)
{
    const char *s = b->data ? b->data : "";
    size_t pos = 0;
    *before = 0;
    *after = b->len;
    while (pos < b->len) {
        char g[TUI_GRAPHEME_MAX];
        int w;
        size_t n = tui_text_next(g, &w, s + pos, b->len - pos);
        if (n == 0)
            break;
        if (pos < at)
            *before = pos;
        if (pos + n > at) {
            *after = pos + n;
            break;
        }
        pos += n;
    }
}

int tui_form_erase(tui_form *f, int forward)
{
    if (!editable(f))
        return ORM_EINVALID;
    tui_form_field *fd = tui_form_current(f);
    orm_buf *b = &fd->text;
    size_t before, after, from, to;
    if (fd->is_null) {
        /* Deleting in NULL gives empty text. */
        leave_null(fd);
        return edited(f);
    }
    boundaries(b, fd->cursor, &before, &after);
    if (forward) {
        if (fd->cursor >= b->len)
            return 0;
        from = fd->cursor;
        to = after;
    } else {
        if (fd->cursor == 0)
            return 0;
        from = before;
        to = fd->cursor;
    }
    memmove(b->data + from, b->data + to, b->len - to);
    b->len -= to - from;
    b->data[b->len] = '\0';
    fd->cursor = from;
    return edited(f);
}

int tui_form_empty(tui_form *f)
{
    if (!editable(f))
        return ORM_EINVALID;
    tui_form_field *fd = tui_form_current(f);
    fd->is_null = 0;
    orm_buf_reset(&fd->text);
    orm_buf_append(&fd->text, "");
    fd->cursor = 0;
    return edited(f);
}

int tui_form_set_text(tui_form *f, size_t i, const char *text, size_t len)
{
    size_t saved = f->current;
    f->current = i;
    if (!editable(f)) {
        f->current = saved;
        return ORM_EINVALID;
    }
    tui_form_field *fd = &f->fields[i];
    fd->is_null = 0;
    orm_buf_reset(&fd->text);
    orm_buf_appendn(&fd->text, text, len);
    orm_buf_append(&fd->text, "");
    fd->cursor = fd->text.len;
    int rc = edited(f);
    f->current = saved;
    return rc;
}

int tui_form_toggle(tui_form *f)
{
    tui_form_field *fd = tui_form_current(f);
    orm_value v = ORM_VALUE_NULL_INIT;
    int now = 0;
    if (!fd || !editable(f))
        return ORM_EINVALID;
    if (!fd->is_null && orm_value_parse(&v, tui_form_column(f, f->current),
                                        orm_buf_str(&fd->text), NULL) == 0)
        now = v.kind == ORM_VBOOL && v.u.b;
    orm_value_clear(&v);
    const char *next = now ? "false" : "true";
    return tui_form_set_text(f, f->current, next, strlen(next));
}

int tui_form_set_null(tui_form *f, const char **why)
{
    tui_form_field *fd = tui_form_current(f);
    *why = NULL;
    if (!fd || !editable(f)) {
        *why = fd && fd->error ? fd->error : "this field cannot be changed";
        return ORM_EINVALID;
    }
    const orm_column *col = tui_form_column(f, f->current);
    if (f->is_new && has_default(f, col) && !orm_column_nullable(col)) {
        /* Back to what fills it by default. */
        fd->is_null = 1;
        fd->touched = 0;
        orm_buf_reset(&fd->text);
        orm_buf_append(&fd->text, "");
        fd->cursor = 0;
        tui_form_set_error(f, f->current, NULL);
        return 0;
    }
    if (!orm_column_nullable(col)) {
        *why = "cannot be NULL: a value is required (not null)";
        return ORM_EINVALID;
    }
    fd->is_null = 1;
    fd->touched = 1;
    orm_buf_reset(&fd->text);
    orm_buf_append(&fd->text, "");
    fd->cursor = 0;
    tui_form_set_error(f, f->current, NULL);
    return 0;
}

void tui_form_move_cursor(tui_form *f, tui_form_move how)
{
    tui_form_field *fd = tui_form_current(f);
    size_t before, after;
    if (!fd || fd->is_null)
        return;
    switch (how) {
    case TUI_FORM_LEFT:
        if (fd->cursor > 0) {
            boundaries(&fd->text, fd->cursor, &before, &after);
            fd->cursor = before;
        }
        break;
    case TUI_FORM_RIGHT:
        if (fd->cursor < fd->text.len) {
            boundaries(&fd->text, fd->cursor, &before, &after);
            fd->cursor = after;
        }
        break;
    case TUI_FORM_HOME:
        fd->cursor = 0;
        break;
    case TUI_FORM_END:
        fd->cursor = fd->text.len;
        break;
    }
}

void tui_form_next(tui_form *f, int delta)
{
    if (!f->nfields)
        return;
    long n = (long)f->nfields;
    long i = ((long)f->current + delta) % n;
    f->current = (size_t)(i < 0 ? i + n : i);
}

int tui_form_cursor_width(const tui_form *f, size_t i)
{
    const tui_form_field *fd = &f->fields[i];
    if (fd->is_null || !fd->text.data)
        return 0;
    return tui_text_width(fd->text.data, fd->cursor);
}

size_t tui_form_chars(const tui_form *f, size_t i)
{
    const tui_form_field *fd = &f->fields[i];
    size_t n = 0;
    for (size_t k = 0; k < fd->text.len; k++)
        n += ((unsigned char)fd->text.data[k] & 0xC0) != 0x80;
    return fd->is_null ? 0 : n;
}

/* ---- saving ---- */

/* The field of a column name, or -1. */
static long field_of(const tui_form *f, const char *column)
{
    if (!column)
        return -1;
    for (size_t i = 0; i < f->nfields; i++)
        if (strcmp(tui_form_column(f, i)->name, column) == 0)
            return (long)i;
    return -1;
}

/* An error from the ORM at its column's field. */
static int fail_at(tui_form *f, const orm_error *e, int rc, size_t *bad)
{
    long i = field_of(f, e->column);
    if (i >= 0) {
        tui_form_set_error(f, (size_t)i, orm_error_text(e));
        *bad = (size_t)i;
    }
    return rc;
}

static int save_new(tui_form *f, orm_session *s, orm_record **added,
                    size_t *changed, size_t *bad, orm_error *err)
{
    orm_record *rec = NULL;
    int rc = orm_record_new(&rec, f->model);
    if (rc)
        return orm_error_set(err, rc, "out of memory");
    for (size_t i = 0; i < f->nfields && rc == 0; i++) {
        orm_value v = ORM_VALUE_NULL_INIT;
        if (tui_form_left_alone(f, i))
            continue;
        rc = tui_form_value(f, i, &v, err);
        if (rc == 0)
            rc = orm_record_set_at(rec, f->fields[i].col, &v, err);
        orm_value_clear(&v);
        if (rc) {
            if (!err->column)
                orm_error_set_column(err, tui_form_column(f, i)->name);
            fail_at(f, err, rc, bad);
        } else {
            (*changed)++;
        }
    }
    if (rc == 0 && (rc = orm_session_add(s, rec)) != 0) {
        orm_error_copy(err, orm_session_error(s));
        fail_at(f, err, rc, bad);
    }
    if (rc) {
        orm_record_free(rec);
        return rc;
    }
    *added = rec;
    return 0;
}

int tui_form_keep(tui_form *f)
{
    tui_form_field *fd = tui_form_current(f);
    if (!fd || !f->bulk)
        return ORM_EINVALID;
    fd->touched = 0;
    fd->is_null = 1;
    orm_buf_reset(&fd->text);
    orm_buf_append(&fd->text, "");
    fd->cursor = 0;
    tui_form_set_error(f, f->current, NULL);
    return fd->text.failed ? ORM_ENOMEM : 0;
}

int tui_form_bulk_values(tui_form *f, orm_value *values, unsigned char *set,
                         size_t *bad, orm_error *err)
{
    size_t first = 0;
    int rc = 0;
    memset(set, 0, f->nfields);
    if (tui_form_check_all(f, &first) > 0) {
        *bad = first;
        return orm_error_set(err, ORM_ETYPE, "%s: %s",
                             tui_form_column(f, first)->name,
                             f->fields[first].error);
    }
    for (size_t i = 0; i < f->nfields && rc == 0; i++) {
        if (!f->fields[i].touched || f->fields[i].locked)
            continue;
        rc = tui_form_value(f, i, &values[i], err);
        if (rc == 0)
            rc = orm_value_check(&values[i], tui_form_column(f, i), err);
        if (rc) {
            if (!err->column)
                orm_error_set_column(err, tui_form_column(f, i)->name);
            fail_at(f, err, rc, bad);
        } else {
            set[i] = 1;
        }
    }
    return rc;
}

static int save_edit(tui_form *f, orm_record *rec, size_t *changed, size_t *bad,
                     orm_error *err)
{
    orm_value *values = tui_calloc(f->nfields + 1, sizeof *values);
    unsigned char *set = tui_calloc(f->nfields + 1, 1);
    int rc = 0;
    if (!values || !set) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    /* Everything is parsed and checked before the record changes, so a
     * save either applies all the fields or none. */
    for (size_t i = 0; i < f->nfields && rc == 0; i++) {
        const orm_column *col = tui_form_column(f, i);
        size_t c = f->fields[i].col;
        if (tui_form_left_alone(f, i) || f->fields[i].locked)
            continue;
        rc = tui_form_value(f, i, &values[i], err);
        if (rc == 0 && orm_value_equal(&values[i], orm_record_value(rec, c)))
            continue;
        if (rc == 0 && !(values[i].kind == ORM_VNULL && filled_by_db(f, col)))
            rc = orm_value_check(&values[i], col, err);
        if (rc) {
            if (!err->column)
                orm_error_set_column(err, col->name);
            fail_at(f, err, rc, bad);
        } else {
            set[i] = 1;
        }
    }
    for (size_t i = 0; i < f->nfields && rc == 0; i++) {
        if (!set[i])
            continue;
        rc = orm_record_set_at(rec, f->fields[i].col, &values[i], err);
        if (rc)
            fail_at(f, err, rc, bad);
        else
            (*changed)++;
    }
done:
    for (size_t i = 0; values && i < f->nfields; i++)
        orm_value_clear(&values[i]);
    free(values);
    free(set);
    return rc;
}

int tui_form_save(tui_form *f, orm_session *s, orm_record *rec,
                  orm_record **added, size_t *changed, size_t *bad,
                  orm_error *err)
{
    size_t first = 0;
    *added = NULL;
    *changed = 0;
    *bad = f->current;
    if (tui_form_check_all(f, &first) > 0) {
        *bad = first;
        return orm_error_set(err, ORM_ETYPE, "%s: %s",
                             tui_form_column(f, first)->name,
                             f->fields[first].error);
    }
    if (!rec)
        return save_new(f, s, added, changed, bad, err);
    return save_edit(f, rec, changed, bad, err);
}
