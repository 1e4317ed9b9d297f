/*
 * The form screen: one line per column with its label, an input box,
 * a String(n) counter and what the model says about it (type, key,
 * unique, required, default, foreign key, secret), and the problem with
 * what was typed right under it. Keys come through the keymap with the
 * form's own actions first; letters are always typed. Saving puts the
 * record into the session (nothing is written to the database here).
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "form.h"
#include "mem.h"
#include "views.h"

#define MAX_REF 16
#define BULLET  "\xE2\x80\xA2" /* • */
#define CROSS   "\xE2\x9C\x97" /* ✗ */
#define POINTER "\xE2\x80\xBA" /* › */
#define ARROW   "\xE2\x86\x92" /* → */
#define DOT     " \xC2\xB7 "   /* · */

typedef struct form_view {
    tui_view base;
    const orm_model *m;
    orm_record *rec; /* NULL: a new record */
    tui_form form;
    char *failure; /* a commit error with no field to show it at */
    int from_failure;
    int asking; /* "discard changes? y/n" */
    int top;    /* first body line shown */
    int page;
    /* Foreign keys: the text last looked up per field, what it found. */
    char **fk_text;
    char **fk_found;
    unsigned char *fk_missing;
    /* The field the picker open above fills, and the referenced
     * column its key comes from. */
    size_t pick_field;
    const orm_column *pick_ref;
    /* A bulk edit (bulk.c): the rows it sets, and whether it still asks
     * "edit all N rows?" before anything can be typed. */
    tui_bulk *bulk;
    int confirm;
} form_view;

/* A form reads its own keys (letters type); its question y/n/Esc. */
static const tui_scope form_scopes[] = {TUI_SCOPE_FORM, TUI_SCOPE_GLOBAL};
static const tui_scope answer_scopes[] = {TUI_SCOPE_QUESTION, TUI_SCOPE_FORM,
                                          TUI_SCOPE_GLOBAL};

/* ---- what a field is ---- */

static void type_text(orm_buf *out, const orm_column *col)
{
    orm_buf_append(out, orm_type_name(col->type));
    if (col->type == ORM_STRING && col->length > 0)
        orm_buf_appendf(out, "(%d)", col->length);
    if (col->type == ORM_NUMERIC && col->precision > 0)
        orm_buf_appendf(out, "(%d,%d)", col->precision, col->scale);
}

/* The referenced table and column of field i, or 0. */
static size_t reference(const form_view *fv, size_t i, const char **table,
                        const char **column)
{
    const char *cols[MAX_REF], *refs[MAX_REF];
    size_t col = fv->form.fields[i].col;
    size_t n = tui_column_reference(fv->m, col, table, cols, refs, MAX_REF);
    for (size_t k = 0; k < n; k++)
        if (strcmp(cols[k], fv->m->columns[col].name) == 0) {
            *column = refs[k];
            return 1;
        }
    return 0;
}

static void about_text(orm_buf *out, const form_view *fv, size_t i)
{
    const orm_column *col = tui_form_column(&fv->form, i);
    const char *table = NULL, *column = NULL;
    type_text(out, col);
    if (col->flags & ORM_PK)
        orm_buf_append(out, " key");
    if (col->flags & ORM_UNIQUE)
        orm_buf_append(out, " unique");
    if (tui_form_required(&fv->form, i))
        orm_buf_append(out, " required");
    else if (orm_column_nullable(col))
        orm_buf_append(out, " nullable");
    if (col->flags & ORM_SECRET)
        orm_buf_append(out, " secret");
    if (!fv->form.is_new && tui_form_default_text(&fv->form, i))
        orm_buf_appendf(out, " default %s",
                        tui_form_default_text(&fv->form, i));
    if (reference(fv, i, &table, &column))
        orm_buf_appendf(out, " FK " ARROW " %s.%s", table,
                        column ? column : "(key)");
    if (col->type == ORM_DATETIMETZ)
        orm_buf_append(out, " (zone: Z or +HH:MM)");
    if (col->nchoices) {
        orm_buf_append(out,
                       col->flags & ORM_CHOICE_SET ? " set of " : " one of ");
        for (size_t k = 0; k < col->nchoices; k++)
            orm_buf_appendf(out, "%s%s", k ? "," : "", col->choices[k]);
    }
    if (col->read_only)
        orm_buf_appendf(out, " read-only: %s", col->read_only);
}

/* ---- foreign keys: what the typed key refers to ---- */

/* Field i's text when its foreign key is to be looked up for it (it
 * changed since the last look), else NULL. */
static const char *fk_wanted(const form_view *fv, size_t i)
{
    const tui_form_field *fd = &fv->form.fields[i];
    const char *table = NULL, *column = NULL;
    const char *text = orm_buf_str(&fd->text);
    if (fd->is_null || fd->error || !text || !*text ||
        !reference(fv, i, &table, &column))
        return NULL;
    if (fv->fk_text[i] && strcmp(fv->fk_text[i], text) == 0)
        return NULL;
    return text;
}

/* What field i's typed key refers to, looked up between keys (the
 * form's background work, form_idle): ORM_ECANCELLED when a key
 * stopped it (looked up again later), else 0. */
static int fk_lookup(form_view *fv, tui_app *app, size_t i)
{
    const tui_form_field *fd = &fv->form.fields[i];
    const char *table = NULL, *column = NULL;
    const char *text = orm_buf_str(&fd->text);
    orm_value v = ORM_VALUE_NULL_INIT;
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row;
    orm_buf found = ORM_BUF_INIT;
    int rc = 0;
    if (!fk_wanted(fv, i) || !reference(fv, i, &table, &column))
        return 0;
    free(fv->fk_text[i]);
    free(fv->fk_found[i]);
    fv->fk_text[i] = orm_strdup(text);
    fv->fk_found[i] = NULL;
    fv->fk_missing[i] = 0;
    const orm_model *target = tui_edit_find_model(app, table);
    if (!target)
        return 0;
    if (!column) {
        int pk[1];
        if (orm_model_pk(target, pk, 1) != 1)
            return 0;
        column = target->columns[pk[0]].name;
    }
    const orm_column *ref = orm_model_column(target, column);
    if (!ref || orm_value_parse(&v, ref, text, NULL) != 0)
        goto done;
    if (orm_query_new(&q, app->session, target) != 0 ||
        orm_query_filter_by(q, column, &v) != 0)
        goto done;
    orm_query_limit(q, 1);
    if ((rc = orm_query_cursor(q, &c)) != 0)
        goto done;
    rc = orm_cursor_next(c, &row);
    if (rc == ORM_ROW) {
        tui_edit_repr(&found, target, row);
        fv->fk_found[i] = orm_buf_finish(&found);
    } else if (rc == ORM_DONE) {
        orm_buf_appendf(&found, "no %s row with %s = %s", target->table, column,
                        text);
        fv->fk_found[i] = orm_buf_finish(&found);
        fv->fk_missing[i] = 1;
    }
done:
    if (rc == ORM_ECANCELLED) { /* looked up again later */
        free(fv->fk_text[i]);
        fv->fk_text[i] = NULL;
    }
    orm_buf_free(&found);
    orm_cursor_free(c);
    orm_query_free(q);
    orm_value_clear(&v);
    return rc == ORM_ECANCELLED ? rc : 0;
}

/* The foreign keys typed, one look-up a step (tui_view_ops.idle): keys
 * are typed meanwhile, and a key stops a look-up under way. */
static unsigned form_idle(tui_view *v, tui_app *app, int *more)
{
    form_view *fv = (form_view *)v;
    *more = 0;
    for (size_t i = 0; i < fv->form.nfields; i++) {
        if (!fk_wanted(fv, i))
            continue;
        *more = 1;
        return fk_lookup(fv, app, i) == ORM_ECANCELLED ? TUI_DONE : TUI_REDRAW;
    }
    return TUI_DONE;
}

/* ---- layout ---- */

/* Body lines: 0 is the heading, then each field and its error. */
typedef struct form_line {
    size_t field;
    int error; /* the error line under the field */
} form_line;

static size_t lines_of(const form_view *fv, form_line *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < fv->form.nfields && n < max; i++) {
        out[n++] = (form_line){i, 0};
        if (fv->form.fields[i].error && n < max)
            out[n++] = (form_line){i, 1};
    }
    return n;
}

/* The input box: text from `skip` so the cursor stays in view, the
 * cursor cell highlighted when `cursor` >= 0 (a byte offset). */
static void draw_box(tui_screen *scr, int row, int x, int width,
                     const char *text, size_t len, long cursor, tui_element el)
{
    size_t skip = 0;
    int cw = cursor >= 0 ? tui_text_width(text, (size_t)cursor) : 0;
    int shift = 0;
    tui_screen_fill(scr, row, x, width, el);
    while (cursor >= 0 && cw - shift > width - 1 && skip < len) {
        char g[TUI_GRAPHEME_MAX];
        int gw;
        size_t n = tui_text_next(g, &gw, text + skip, len - skip);
        if (n == 0)
            break;
        skip += n;
        shift += gw;
    }
    tui_screen_putn(scr, row, x, text + skip, len - skip, width, el);
    if (cursor < 0)
        return;
    int at = x + cw - shift;
    int cell_w = 1;
    if ((size_t)cursor < len) {
        char g[TUI_GRAPHEME_MAX];
        tui_text_next(g, &cell_w, text + cursor, len - (size_t)cursor);
        if (cell_w < 1)
            cell_w = 1;
    }
    if (at >= x && at + cell_w <= x + width)
        tui_screen_paint(scr, row, at, cell_w, TUI_EL_CURSOR_CELL);
}

static void draw_field(form_view *fv, tui_screen *scr, int row, size_t i,
                       int name_w, int box_w)
{
    tui_form *f = &fv->form;
    tui_form_field *fd = &f->fields[i];
    const orm_column *col = tui_form_column(f, i);
    int current = i == f->current;
    int x = 2;
    orm_buf b = ORM_BUF_INIT;
    if (current)
        tui_screen_put(scr, row, 0, POINTER, 1, TUI_EL_CURSOR_CELL);
    tui_screen_put(scr, row, x, col->name, name_w,
                   fd->error ? TUI_EL_ERROR : TUI_EL_LABEL);
    x += name_w + 1;
    tui_screen_put(scr, row, x, "[", 1, TUI_EL_SEPARATOR);
    x += 1;
    tui_element box_el = current ? TUI_EL_PROMPT : TUI_EL_DEFAULT;
    const char *dflt = tui_form_default_text(f, i);
    if (f->bulk && !fd->touched) {
        tui_screen_fill(scr, row, x, box_w, box_el);
        tui_screen_put(scr, row, x, fd->locked ? "" : "unchanged", box_w,
                       TUI_EL_TYPE);
        if (current)
            tui_screen_paint(scr, row, x, 1, TUI_EL_CURSOR_CELL);
    } else if (fd->is_null && f->is_new && !fd->touched && dflt) {
        tui_screen_fill(scr, row, x, box_w, box_el);
        tui_screen_put(scr, row, x, dflt, box_w, TUI_EL_TYPE);
        if (current)
            tui_screen_paint(scr, row, x, 1, TUI_EL_CURSOR_CELL);
    } else if (fd->is_null &&
               !(f->is_new && !fd->touched && tui_form_required(f, i))) {
        tui_screen_fill(scr, row, x, box_w, box_el);
        tui_screen_put(scr, row, x, "NULL", box_w, TUI_EL_NULL_VALUE);
        if (current)
            tui_screen_paint(scr, row, x, 1, TUI_EL_CURSOR_CELL);
    } else if ((col->flags & ORM_SECRET) && !fd->revealed) {
        size_t chars = tui_form_chars(f, i), before = 0;
        for (size_t k = 0; k < fd->cursor && k < fd->text.len; k++)
            before += ((unsigned char)fd->text.data[k] & 0xC0) != 0x80;
        for (size_t k = 0; k < chars; k++)
            orm_buf_append(&b, BULLET);
        const char *s = orm_buf_str(&b);
        draw_box(scr, row, x, box_w, s ? s : "", s ? b.len : 0,
                 current ? (long)(before * 3) : -1, box_el);
        orm_buf_reset(&b);
    } else {
        const char *s = orm_buf_str(&fd->text);
        draw_box(scr, row, x, box_w, s ? s : "", s ? fd->text.len : 0,
                 current ? (long)fd->cursor : -1,
                 fd->locked ? TUI_EL_KEY_COLUMN : box_el);
    }
    x += box_w;
    tui_screen_put(scr, row, x, "]", 1, TUI_EL_SEPARATOR);
    x += 2;
    if (col->type == ORM_STRING && col->length > 0) {
        size_t chars = tui_form_chars(f, i);
        orm_buf_appendf(&b, "%zu/%d", chars, col->length);
        x += tui_screen_put(scr, row, x, orm_buf_str(&b), -1,
                            chars > (size_t)col->length ? TUI_EL_ERROR
                                                        : TUI_EL_TYPE);
        x += 1;
        orm_buf_reset(&b);
    }
    const char *typed = orm_buf_str(&fd->text);
    if (fv->fk_found[i] && !fd->is_null && !fd->error && typed &&
        fv->fk_text[i] && strcmp(fv->fk_text[i], typed) == 0) {
        orm_buf_append(&b, ARROW " ");
        orm_buf_append(&b, fv->fk_found[i]);
        x += tui_screen_put(scr, row, x, orm_buf_str(&b), -1,
                            fv->fk_missing[i] ? TUI_EL_ERROR
                                              : TUI_EL_FOREIGN_KEY);
        x += 1;
        orm_buf_reset(&b);
    }
    about_text(&b, fv, i);
    if (x < scr->cols)
        tui_screen_put(scr, row, x, orm_buf_str(&b), -1, TUI_EL_TYPE);
    orm_buf_free(&b);
}

static void form_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                      int height)
{
    form_view *fv = (form_view *)v;
    (void)app;
    tui_form *f = &fv->form;
    size_t max = 2 * f->nfields + 1;
    form_line *lines = tui_calloc(max, sizeof *lines);
    int name_w = 4, head = 1;
    if (!lines)
        return;
    size_t n = lines_of(fv, lines, max);
    for (size_t i = 0; i < f->nfields; i++) {
        int w = tui_text_widthz(tui_form_column(f, i)->name);
        if (w > name_w)
            name_w = w;
    }
    if (name_w > scr->cols / 4)
        name_w = scr->cols / 4;
    int box_w = scr->cols * 2 / 5;
    if (box_w < 8)
        box_w = 8;
    /* The heading: what this form does, or why the commit failed. */
    if (fv->failure) {
        tui_screen_fill(scr, top, 0, scr->cols, TUI_EL_ERROR);
        orm_buf b = ORM_BUF_INIT;
        orm_buf_appendf(&b, CROSS " not written: %s", fv->failure);
        tui_screen_put(scr, top, 0, orm_buf_str(&b), -1, TUI_EL_ERROR);
        orm_buf_free(&b);
    } else if (fv->bulk) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_appendf(&b,
                        "Bulk edit of %s: the fields you type are set on "
                        "every one, the others stay unchanged",
                        tui_bulk_what(fv->bulk));
        tui_screen_put(scr, top, 0, orm_buf_str(&b), -1,
                       fv->confirm ? TUI_EL_ERROR : TUI_EL_TYPE);
        orm_buf_free(&b);
    } else if (fv->from_failure) {
        tui_screen_put(scr, top, 0,
                       "Fix the marked field and save (nothing was "
                       "written; every change is kept)",
                       -1, TUI_EL_ERROR);
    } else {
        tui_screen_put(scr, top, 0,
                       f->is_new ? "New record: fields left alone get "
                                   "their default"
                                 : "Edit: saving keeps the change pending "
                                   "until w writes it",
                       -1, TUI_EL_TYPE);
    }
    fv->page = height - head;
    /* Keep the current field and its error line in view. */
    int first = 0, last = 0;
    for (size_t k = 0; k < n; k++)
        if (lines[k].field == f->current) {
            if (!lines[k].error)
                first = (int)k;
            last = (int)k;
        }
    if (last - fv->top >= fv->page)
        fv->top = last - fv->page + 1;
    if (first < fv->top)
        fv->top = first;
    if (fv->top < 0)
        fv->top = 0;
    for (int line = 0; line < fv->page; line++) {
        size_t k = (size_t)(fv->top + line);
        int row = top + head + line;
        if (k >= n)
            break;
        if (!lines[k].error) {
            draw_field(fv, scr, row, lines[k].field, name_w, box_w);
        } else {
            orm_buf b = ORM_BUF_INIT;
            orm_buf_appendf(&b, CROSS " %s", f->fields[lines[k].field].error);
            tui_screen_put(scr, row, 2 + name_w + 2, orm_buf_str(&b), -1,
                           TUI_EL_ERROR);
            orm_buf_free(&b);
        }
    }
    free(lines);
}

static void form_title(tui_view *v, tui_app *app, orm_buf *out)
{
    form_view *fv = (form_view *)v;
    (void)app;
    tui_model_title(out, fv->m);
    orm_buf_append(out, DOT);
    if (fv->bulk) {
        orm_buf_appendf(out, "bulk edit of %s", tui_bulk_what(fv->bulk));
        return;
    }
    if (!fv->rec) {
        orm_buf_append(out, "new record");
        return;
    }
    char *repr = orm_record_repr(fv->rec);
    orm_buf_appendf(out, "%s %s",
                    orm_record_state_of(fv->rec) == ORM_RECORD_NEW ? "edit new"
                                                                   : "edit",
                    repr ? repr : "record");
    free(repr);
}

/* The first key bound to an action, as its name. */
static void key_of(const tui_app *app, tui_action a, orm_buf *out)
{
    for (size_t i = 0; i < app->keymap.count; i++)
        if (app->keymap.bindings[i].action == a) {
            char name[32];
            tui_key_name(app->keymap.bindings[i].key, name, sizeof name);
            orm_buf_append(out, name);
            return;
        }
    orm_buf_append(out, "(unbound)");
}

static void hint(const tui_app *app, orm_buf *out, tui_action a,
                 const char *what)
{
    if (out->len)
        orm_buf_append(out, DOT);
    key_of(app, a, out);
    orm_buf_appendf(out, " %s", what);
}

static void form_status(tui_view *v, tui_app *app, orm_buf *out)
{
    form_view *fv = (form_view *)v;
    tui_form *f = &fv->form;
    if (fv->confirm) {
        orm_buf_appendf(out, "edit all %s? ", tui_bulk_what(fv->bulk));
        key_of(app, TUI_ACT_ANSWER_YES, out);
        orm_buf_append(out, "/");
        key_of(app, TUI_ACT_ANSWER_NO, out);
        return;
    }
    if (fv->asking) {
        orm_buf_append(out, "discard changes? ");
        key_of(app, TUI_ACT_ANSWER_YES, out);
        orm_buf_append(out, "/");
        key_of(app, TUI_ACT_ANSWER_NO, out);
        return;
    }
    const orm_column *col = tui_form_column(f, f->current);
    const char *table = NULL, *column = NULL;
    hint(app, out, TUI_ACT_FORM_SAVE, "save");
    hint(app, out, TUI_ACT_FORM_CANCEL, "cancel");
    hint(app, out, TUI_ACT_FORM_NEXT, "next");
    if (reference(fv, f->current, &table, &column))
        hint(app, out, TUI_ACT_FORM_PICK, "pick");
    if (col->flags & ORM_SECRET)
        hint(app, out, TUI_ACT_FORM_REVEAL, "reveal");
    if (col->type == ORM_BOOLEAN)
        orm_buf_append(out, DOT "Space toggles");
    if (orm_column_nullable(col))
        hint(app, out, TUI_ACT_FORM_NULL, "NULL");
    if (f->bulk)
        hint(app, out, TUI_ACT_FORM_KEEP, "unchanged");
    hint(app, out, TUI_ACT_FORM_EDITOR, "editor");
}

/* ---- actions ---- */

static unsigned save(form_view *fv, tui_app *app)
{
    orm_error err = ORM_ERROR_INIT;
    orm_record *added = NULL;
    size_t changed = 0, bad = 0;
    if (fv->bulk) {
        bad = fv->form.current;
        if (tui_bulk_apply(fv->bulk, app, &fv->form, &bad) != 0) {
            fv->form.current = bad;
            return TUI_REDRAW;
        }
        return TUI_POP;
    }
    int rc = tui_form_save(&fv->form, app->session, fv->rec, &added, &changed,
                           &bad, &err);
    if (rc) {
        fv->form.current = bad;
        tui_app_error(app, "not saved: %s", orm_error_text(&err));
        orm_error_clear(&err);
        return TUI_REDRAW;
    }
    orm_error_clear(&err);
    orm_record *rec = added ? added : fv->rec;
    char *repr = orm_record_repr(rec);
    const char *what = repr ? repr : fv->m->name;
    if (added)
        tui_app_message(app, "added %s (pending)", what);
    else if (changed == 0)
        tui_app_message(app, "no changes to %s", what);
    else if (fv->from_failure)
        tui_app_message(app, "saved %s: y writes again", what);
    else
        tui_app_message(app, "changed %s (%zu field%s, pending)", what, changed,
                        changed == 1 ? "" : "s");
    free(repr);
    return TUI_POP;
}

/* The picker's hook: the chosen row's key goes into the field, as if
 * typed. */
static int picked(tui_app *app, const orm_value *keys, size_t nkey,
                  size_t nrows, void *payload)
{
    form_view *fv = payload;
    size_t field = fv->pick_field;
    char *text = NULL;
    (void)nkey;
    if (nrows != 1 || field >= fv->form.nfields)
        return 0;
    if (!(text = orm_value_format(&keys[0], fv->pick_ref))) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    if (tui_form_set_text(&fv->form, field, text, strlen(text)) != 0)
        tui_app_error(app, "out of memory");
    else
        tui_app_message(app, "%s = %s", tui_form_column(&fv->form, field)->name,
                        text);
    free(text);
    return 0;
}

static unsigned pick(form_view *fv, tui_app *app, int by_enter)
{
    tui_form *f = &fv->form;
    const char *table = NULL, *column = NULL;
    tui_view *picker = NULL;
    if (!reference(fv, f->current, &table, &column)) {
        if (by_enter) {
            tui_form_next(f, 1);
            return TUI_REDRAW;
        }
        tui_app_message(app, "%s is not a foreign key: nothing to pick",
                        tui_form_column(f, f->current)->name);
        return TUI_REDRAW;
    }
    if (f->fields[f->current].locked) {
        tui_form_check(f, f->current);
        tui_app_error(app, "%s", tui_form_locked_reason(f, f->current));
        return TUI_REDRAW;
    }
    const orm_model *target = tui_edit_find_model(app, table);
    int ref = -1;
    if (target && column) {
        ref = orm_model_column_index(target, column);
    } else if (target) {
        int pk[1];
        if (orm_model_pk(target, pk, 1) == 1)
            ref = pk[0];
    }
    if (!target || ref < 0) {
        tui_app_error(app, "no model for %s: type the key", table);
        return TUI_REDRAW;
    }
    tui_picker_options opts = {.model = target,
                               .key_columns = {(size_t)ref},
                               .nkey = 1,
                               .hook = {.picked = picked, .payload = fv}};
    /* The picker opens on the row the field refers to now. */
    const tui_form_field *fd = &f->fields[f->current];
    const char *now = fd->is_null ? NULL : orm_buf_str(&fd->text);
    orm_value current = ORM_VALUE_NULL_INIT;
    orm_error err = ORM_ERROR_INIT;
    if (now && *now &&
        orm_value_parse(&current, &target->columns[ref], now, &err) == 0)
        opts.current = &current;
    orm_error_clear(&err);
    fv->pick_field = f->current;
    fv->pick_ref = &target->columns[ref];
    int rc = tui_view_picker_new(&picker, app, &opts);
    orm_value_clear(&current);
    if (rc != 0) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = picker;
    return TUI_PUSH;
}

static unsigned edit_externally(form_view *fv, tui_app *app)
{
    tui_form *f = &fv->form;
    tui_form_field *fd = tui_form_current(f);
    const orm_column *col = tui_form_column(f, f->current);
    orm_error err = ORM_ERROR_INIT;
    char *text = NULL;
    if (fd->locked) {
        tui_app_error(app, "%s", tui_form_locked_reason(f, f->current));
        return TUI_REDRAW;
    }
    const char *now = fd->is_null ? "" : orm_buf_str(&fd->text);
    int rc =
        tui_editor_run(app, now ? now : "", fd->is_null ? 0 : fd->text.len,
                       col->type == ORM_JSON ? ".json" : ".txt", &text, &err);
    if (rc) {
        tui_app_error(app, "%s", orm_error_text(&err));
    } else if (tui_form_set_text(f, f->current, text, strlen(text)) != 0) {
        tui_app_error(app, "out of memory");
    } else {
        tui_app_message(app, "%s: edited in the editor%s", col->name,
                        fd->error ? " (see the problem below it)" : "");
    }
    free(text);
    orm_error_clear(&err);
    return TUI_REDRAW;
}

static unsigned cancel(form_view *fv, tui_app *app)
{
    if (tui_form_touched(&fv->form)) {
        fv->asking = 1;
        return TUI_REDRAW;
    }
    tui_app_message(app, "cancelled: nothing changed");
    return TUI_POP;
}

static int printable(int key)
{
    return key >= 32 && key < TUI_KEY_SPECIAL && key != 127;
}

static unsigned answer(form_view *fv, tui_app *app, int key)
{
    tui_action a = tui_keymap_lookup_in(&app->keymap, answer_scopes, key);
    if (fv->confirm) {
        if (a == TUI_ACT_ANSWER_YES) {
            fv->confirm = 0;
            return TUI_REDRAW;
        }
        if (a == TUI_ACT_HELP || a == TUI_ACT_REDRAW)
            return TUI_UNHANDLED;
        tui_app_message(app, "cancelled: nothing changed");
        return TUI_POP;
    }
    if (a == TUI_ACT_ANSWER_YES) {
        tui_app_message(app, "discarded what was typed");
        return TUI_POP;
    }
    if (a == TUI_ACT_ANSWER_NO || a == TUI_ACT_FORM_CANCEL)
        fv->asking = 0;
    return TUI_REDRAW;
}

static unsigned form_key(tui_view *v, tui_app *app, int key)
{
    form_view *fv = (form_view *)v;
    tui_form *f = &fv->form;
    const char *why = NULL;
    if (key == TUI_KEY_MOUSE || key == TUI_KEY_RESIZE ||
        key == TUI_KEY_INTERRUPT)
        return TUI_UNHANDLED;
    if (fv->asking || fv->confirm)
        return answer(fv, app, key);
    if (printable(key)) {
        const orm_column *col = tui_form_column(f, f->current);
        int rc = key == ' ' && col->type == ORM_BOOLEAN
                     ? tui_form_toggle(f)
                     : tui_form_insert_char(f, key);
        if (rc == ORM_EINVALID && tui_form_current(f)->error)
            tui_app_error(app, "%s", tui_form_current(f)->error);
        return TUI_REDRAW;
    }
    tui_action a = tui_keymap_lookup_in(&app->keymap, form_scopes, key);
    switch (a) {
    case TUI_ACT_FORM_NEXT:
        tui_form_next(f, 1);
        break;
    case TUI_ACT_FORM_PREV:
        tui_form_next(f, -1);
        break;
    case TUI_ACT_FORM_LEFT:
        tui_form_move_cursor(f, TUI_FORM_LEFT);
        break;
    case TUI_ACT_FORM_RIGHT:
        tui_form_move_cursor(f, TUI_FORM_RIGHT);
        break;
    case TUI_ACT_FORM_HOME:
        tui_form_move_cursor(f, TUI_FORM_HOME);
        break;
    case TUI_ACT_FORM_END:
        tui_form_move_cursor(f, TUI_FORM_END);
        break;
    case TUI_ACT_FORM_BACKSPACE:
        tui_form_erase(f, 0);
        break;
    case TUI_ACT_FORM_DELETE:
        tui_form_erase(f, 1);
        break;
    case TUI_ACT_FORM_CLEAR:
        tui_form_empty(f);
        break;
    case TUI_ACT_FORM_NULL:
        if (tui_form_set_null(f, &why) != 0)
            tui_app_error(app, "%s %s", tui_form_column(f, f->current)->name,
                          why);
        break;
    case TUI_ACT_FORM_KEEP:
        if (tui_form_keep(f) != 0)
            tui_app_message(app, "only a bulk edit (E) leaves fields "
                                 "unchanged: C-u empties, Esc cancels");
        break;
    case TUI_ACT_FORM_EDITOR:
        return edit_externally(fv, app);
    case TUI_ACT_FORM_PICK:
        return pick(fv, app, key == TUI_KEY_ENTER);
    case TUI_ACT_FORM_REVEAL: {
        tui_form_field *fd = tui_form_current(f);
        if (!(tui_form_column(f, f->current)->flags & ORM_SECRET))
            tui_app_message(app, "%s is not a secret field",
                            tui_form_column(f, f->current)->name);
        else
            fd->revealed = !fd->revealed;
        break;
    }
    case TUI_ACT_FORM_SAVE:
        return save(fv, app);
    case TUI_ACT_FORM_CANCEL:
        return cancel(fv, app);
    case TUI_ACT_HELP:
    case TUI_ACT_REDRAW:
        return TUI_UNHANDLED;
    case TUI_ACT_QUIT:
        tui_app_message(app, "save the form or cancel it first");
        break;
    default:
        break;
    }
    return TUI_REDRAW;
}

/* Only the editor key takes the terminal: every other key of a form
 * runs as any key does, cancellable (jobs.h). */
static int form_takes_terminal(tui_view *v, tui_app *app, int key)
{
    const form_view *fv = (const form_view *)v;
    return !fv->asking && !fv->confirm && !printable(key) &&
           tui_keymap_lookup_in(&app->keymap, form_scopes, key) ==
               TUI_ACT_FORM_EDITOR;
}

static unsigned form_handle(tui_view *v, tui_app *app, tui_action a)
{
    (void)v;
    (void)app;
    (void)a;
    return TUI_REDRAW; /* keys arrive through form_key */
}

static unsigned form_click(tui_view *v, tui_app *app, int line, int col,
                           int twice)
{
    form_view *fv = (form_view *)v;
    size_t max = 2 * fv->form.nfields + 1;
    form_line *lines = tui_calloc(max, sizeof *lines);
    (void)app;
    (void)col;
    (void)twice;
    if (!lines)
        return TUI_DONE;
    size_t n = lines_of(fv, lines, max);
    long k = fv->top + line - 1;
    if (line >= 1 && k >= 0 && (size_t)k < n)
        fv->form.current = lines[k].field;
    free(lines);
    return TUI_REDRAW;
}

static void form_close(tui_view *v)
{
    form_view *fv = (form_view *)v;
    if (!fv)
        return;
    for (size_t i = 0; i < fv->form.nfields; i++) {
        if (fv->fk_text) /* NULL when the form could not be made */
            free(fv->fk_text[i]);
        if (fv->fk_found)
            free(fv->fk_found[i]);
    }
    free(fv->fk_text);
    free(fv->fk_found);
    free(fv->fk_missing);
    tui_form_clear(&fv->form);
    tui_bulk_free(fv->bulk);
    free(fv->failure);
    free(fv);
}

static const tui_view_ops form_ops = {
    .name = "form",
    .kind = TUI_VIEW_FORM,
    .draw = form_draw,
    .title = form_title,
    .status = form_status,
    .handle = form_handle,
    .click = form_click,
    .key = form_key,
    .takes_terminal = form_takes_terminal,
    .idle = form_idle,
    .scopes = form_scopes,
    .close = form_close,
};

tui_form *tui_view_form_state(tui_view *v, orm_record **rec)
{
    if (!v || v->ops != &form_ops)
        return NULL;
    form_view *fv = (form_view *)v;
    if (fv->bulk)
        return NULL; /* no one record's form: the journal leaves it */
    if (rec)
        *rec = fv->rec;
    return &fv->form;
}

tui_form *tui_view_form_bulk_state(tui_view *v, const tui_bulk **bulk)
{
    if (!v || v->ops != &form_ops || !((form_view *)v)->bulk)
        return NULL;
    form_view *fv = (form_view *)v;
    *bulk = fv->bulk;
    return &fv->form;
}

int tui_view_form_new(tui_view **out, tui_app *app, const orm_model *m,
                      orm_record *rec, const orm_error *failure)
{
    form_view *fv = tui_calloc(1, sizeof *fv);
    (void)app;
    *out = NULL;
    if (!fv)
        return ORM_ENOMEM;
    fv->base.ops = &form_ops;
    fv->m = m;
    fv->rec = rec;
    if (tui_form_init(&fv->form, m, rec) != 0) {
        free(fv);
        return ORM_ENOMEM;
    }
    fv->fk_text = tui_calloc(m->ncolumns + 1, sizeof *fv->fk_text);
    fv->fk_found = tui_calloc(m->ncolumns + 1, sizeof *fv->fk_found);
    fv->fk_missing = tui_calloc(m->ncolumns + 1, 1);
    if (!fv->fk_text || !fv->fk_found || !fv->fk_missing) {
        form_close(&fv->base);
        return ORM_ENOMEM;
    }
    if (failure) {
        int at =
            failure->column ? orm_model_column_index(m, failure->column) : -1;
        fv->from_failure = 1;
        if (at >= 0) {
            fv->form.current = (size_t)at;
            tui_form_set_error(&fv->form, (size_t)at, orm_error_text(failure));
        } else {
            fv->failure = orm_strdup(orm_error_text(failure));
            if (!fv->failure) {
                form_close(&fv->base);
                return ORM_ENOMEM;
            }
        }
    }
    *out = &fv->base;
    return 0;
}

int tui_view_form_bulk_new(tui_view **out, tui_app *app, tui_bulk *bulk)
{
    const orm_model *m = tui_bulk_model(bulk);
    form_view *fv = tui_calloc(1, sizeof *fv);
    (void)app;
    *out = NULL;
    if (!fv)
        return ORM_ENOMEM;
    fv->base.ops = &form_ops;
    fv->m = m;
    if (tui_form_init_bulk(&fv->form, m, tui_bulk_count(bulk) > 1) != 0) {
        free(fv);
        return ORM_ENOMEM;
    }
    fv->fk_text = tui_calloc(m->ncolumns + 1, sizeof *fv->fk_text);
    fv->fk_found = tui_calloc(m->ncolumns + 1, sizeof *fv->fk_found);
    fv->fk_missing = tui_calloc(m->ncolumns + 1, 1);
    if (!fv->fk_text || !fv->fk_found || !fv->fk_missing) {
        form_close(&fv->base);
        return ORM_ENOMEM;
    }
    fv->bulk = bulk; /* ours from here on */
    fv->confirm = tui_bulk_asks(bulk);
    *out = &fv->base;
    return 0;
}
