/*
 * Editing glue: read-only refusal, key lookup by screen, finding the
 * session record behind a grid row, and marks. How pending changes look
 * in the grid, the pending summary, commit, undo and the quit question
 * are in edit_pending.c.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "edit_state.h"
#include "form.h"
#include "mem.h"
#include "views.h"

static void mark_clear(mark *mk)
{
    for (size_t i = 0; i < mk->n; i++)
        orm_value_clear(&mk->key[i]);
    mk->n = 0;
}

void tui_edit_free(tui_edit *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nmarks; i++)
        mark_clear(&e->marks[i]);
    free(e->marks);
    free(e);
}

tui_edit *edit_state(tui_app *app)
{
    if (!app->edit)
        app->edit = tui_calloc(1, sizeof *app->edit);
    return app->edit;
}

/* ---- read-only and keys ---- */

int tui_edit_read_only(const tui_app *app)
{
    return (app->opts && app->opts->read_only) || orm_db_read_only(app->db);
}

static int editing_action(tui_action a)
{
    switch (a) {
    case TUI_ACT_ADD:
    case TUI_ACT_EDIT:
    case TUI_ACT_DELETE:
    case TUI_ACT_MARK:
    case TUI_ACT_BULK_EDIT:
    case TUI_ACT_UNDO:
    case TUI_ACT_WRITE:
        return 1;
    default:
        return 0;
    }
}

/* Is a form or the conflict screen open under the top screen (help)? It
 * holds a record that undo or a commit must not pull away. */
static int form_underneath(const tui_app *app)
{
    for (size_t i = 0; i + 1 < app->depth; i++) {
        tui_view_kind kind = app->stack[i]->ops->kind;
        if (kind == TUI_VIEW_FORM || kind == TUI_VIEW_CONFLICT ||
            kind == TUI_VIEW_PICKER)
            return 1;
    }
    return 0;
}

int tui_edit_refused(tui_app *app, tui_action a)
{
    if (!editing_action(a))
        return 0;
    if (form_underneath(app)) {
        tui_app_error(app, "finish the form first: save it or cancel it");
        return 1;
    }
    if (!tui_edit_read_only(app))
        return 0;
    if (app->opts && app->opts->read_only)
        tui_app_error(app, "read-only: editing is off (started with "
                           "--read-only)");
    else if (orm_db_read_only_reason(app->db))
        tui_app_error(app, "read-only: editing is off (%s)",
                      orm_db_read_only_reason(app->db));
    else
        tui_app_error(app, "read-only: editing is off (the database is "
                           "open read-only)");
    return 1;
}

tui_action tui_edit_lookup(const tui_app *app, int key,
                           const tui_action *prefer, size_t n)
{
    const tui_keymap *km = &app->keymap;
    /* The earlier in `prefer`, the stronger the claim on a key. */
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < km->count; i++)
            if (km->bindings[i].key == key &&
                km->bindings[i].action == prefer[k])
                return prefer[k];
    return tui_keymap_lookup(km, key);
}

/* Push a view now (the app's own push is for handler results). */
int edit_push_now(tui_app *app, tui_view *v)
{
    if (app->depth == TUI_STACK_MAX) {
        tui_app_error(app, "too many screens open: go back first");
        v->ops->close(v);
        return ORM_EINVALID;
    }
    if (v->ops->open && v->ops->open(v, app) != 0) {
        v->ops->close(v);
        return ORM_EINVALID;
    }
    app->stack[app->depth++] = v;
    return 0;
}

/* `v` is read here, after the call that made it (rc) has returned: in
 * push(app, &v, make(&v, ...)) the order in which C evaluates arguments
 * does not matter, as it would for a `tui_view *` argument (clang reads
 * it first, before make() has set it, and the screen never opened). */
static unsigned push(tui_app *app, tui_view *const *v, int rc)
{
    if (rc) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = *v;
    return TUI_PUSH;
}

static unsigned open_review(tui_app *app)
{
    tui_view *v = NULL;
    if (orm_session_pending_count(app->session) == 0) {
        tui_app_message(app, "nothing to write: no pending changes");
        return TUI_REDRAW;
    }
    if (app->config.write_unreviewed) {
        unsigned result = TUI_REDRAW;
        tui_edit_commit(app, &result); /* failures keep every change */
        return result;
    }
    return push(app, &v, tui_view_review_new(&v, app, 0));
}

unsigned tui_edit_unhandled(tui_app *app, tui_action a)
{
    switch (a) {
    case TUI_ACT_UNDO:
        return tui_edit_undo(app);
    case TUI_ACT_WRITE:
        return open_review(app);
    case TUI_ACT_ADD:
        tui_app_message(app, "open a model's rows to add a record");
        return TUI_REDRAW;
    case TUI_ACT_EDIT:
    case TUI_ACT_DELETE:
    case TUI_ACT_MARK:
        tui_app_message(app, "open a model's rows or a record to %s it",
                        tui_action_name(a));
        return TUI_REDRAW;
    case TUI_ACT_BULK_EDIT:
        tui_app_message(app, "open a model's rows to edit many at once");
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
}

/* ---- rows and records ---- */

const orm_model *tui_edit_find_model(const tui_app *app, const char *table)
{
    const orm_model *m = NULL;
    return orm_db_lookup_table(app->db, table, &m) == 0 ? m : NULL;
}

/* What identifies a row: its primary key values, else its row id (the
 * last value of the paging key). 0 when nothing does. */
static size_t row_ident(const orm_model *m, const orm_value *row,
                        const orm_value *key, size_t nkey,
                        const orm_value **out)
{
    int pk[TUI_EDIT_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, TUI_EDIT_MAX_KEY);
    if (npk > TUI_EDIT_MAX_KEY)
        return 0;
    for (size_t i = 0; i < npk; i++)
        out[i] = &row[pk[i]];
    if (npk)
        return npk;
    if (key && nkey) {
        out[0] = &key[nkey - 1];
        return 1;
    }
    return 0;
}

static void say_repr(orm_buf *out, const orm_record *rec)
{
    char *repr = orm_record_repr(rec);
    orm_buf_append(out, repr ? repr : orm_record_model(rec)->name);
    free(repr);
}

/* The session record of a grid row, read fresh when unchanged. */
static int row_record(tui_app *app, const orm_model *m, const orm_value *row,
                      const orm_value *key, size_t nkey, orm_record **out)
{
    const orm_value *id[TUI_EDIT_MAX_KEY];
    orm_value values[TUI_EDIT_MAX_KEY];
    size_t n = row_ident(m, row, key, nkey, id);
    orm_record *rec = NULL;
    int rc;
    *out = NULL;
    if (!row) {
        tui_app_message(app, "no row here");
        return ORM_ENOTFOUND;
    }
    if (n == 0) {
        tui_app_error(app,
                      "%s has no primary key and %s has no row id: "
                      "editing is off for this table",
                      m->table, orm_db_dialect(app->db));
        return ORM_EUNSUPPORTED;
    }
    for (size_t i = 0; i < n; i++)
        values[i] = *id[i];
    rc = orm_session_get(app->session, m, values, &rec);
    if (rc == ORM_ROW && orm_record_state_of(rec) == ORM_RECORD_CLEAN) {
        rc = orm_session_refresh(app->session, rec);
        if (rc == 0)
            rc = ORM_ROW;
    }
    if (rc == ORM_DONE || rc == ORM_ENOTFOUND) {
        tui_app_error(app,
                      "the row is gone from %s (deleted by someone "
                      "else?): r reloads",
                      m->table);
        return ORM_ENOTFOUND;
    }
    if (rc < 0) {
        tui_app_db_error(app, m->table, orm_session_error(app->session));
        return rc;
    }
    *out = rec;
    return 0;
}

int tui_edit_row_record(tui_app *app, const orm_model *m, const orm_value *row,
                        const orm_value *key, size_t nkey, orm_record **out)
{
    const orm_value *id[TUI_EDIT_MAX_KEY];
    *out = NULL;
    if (row && row_ident(m, row, key, nkey, id) == 0)
        return ORM_EUNSUPPORTED;
    return row_record(app, m, row, key, nkey, out);
}

/* A view (or another read-only model) takes no edits: say why. */
static int model_refused(tui_app *app, const orm_model *m)
{
    if (!m->read_only)
        return 0;
    tui_app_error(app, "read-only: %s is %s", m->table, m->read_only);
    return 1;
}

unsigned tui_edit_add(tui_app *app, const orm_model *m)
{
    tui_view *v = NULL;
    if (model_refused(app, m))
        return TUI_REDRAW;
    return push(app, &v, tui_view_form_new(&v, app, m, NULL, NULL));
}

unsigned tui_edit_duplicate(tui_app *app, const orm_record *src)
{
    tui_view *v = NULL;
    const orm_model *m = orm_record_model(src);
    if (model_refused(app, m))
        return TUI_REDRAW;
    orm_record *none = NULL;
    int rc = tui_view_form_new(&v, app, m, NULL, NULL);
    if (rc == 0) {
        tui_form *f = tui_view_form_state(v, &none);
        tui_form_clear(f);
        rc = tui_form_init_copy(f, m, src);
        if (rc) { /* the form is cleared: the view closes as it is */
            v->ops->close(v);
            v = NULL;
        }
    }
    return push(app, &v, rc);
}

static unsigned edit_record(tui_app *app, orm_record *rec)
{
    tui_view *v = NULL;
    if (orm_record_state_of(rec) == ORM_RECORD_DELETED) {
        tui_app_message(app, "marked for deletion: u undoes that first");
        return TUI_REDRAW;
    }
    return push(app, &v,
                tui_view_form_new(&v, app, orm_record_model(rec), rec, NULL));
}

static unsigned delete_record(tui_app *app, orm_record *rec, int quiet)
{
    orm_buf what = ORM_BUF_INIT;
    orm_record_state st = orm_record_state_of(rec);
    say_repr(&what, rec);
    if (st == ORM_RECORD_DELETED) {
        if (!quiet)
            tui_app_message(app,
                            "%s is already marked for deletion (u "
                            "undoes)",
                            orm_buf_str(&what));
    } else if (orm_session_delete(app->session, rec) != 0) {
        tui_app_db_error(app, "delete", orm_session_error(app->session));
    } else if (!quiet) {
        if (st == ORM_RECORD_NEW)
            tui_app_message(app, "dropped new %s (u brings it back)",
                            orm_buf_str(&what));
        else
            tui_app_message(app, "%s: delete pending (u undoes)",
                            orm_buf_str(&what));
    }
    orm_buf_free(&what);
    return TUI_REDRAW;
}

static long find_mark(const tui_edit *e, const orm_model *m,
                      const orm_value *const *id, size_t n)
{
    for (size_t i = 0; e && i < e->nmarks; i++) {
        const mark *mk = &e->marks[i];
        int same = mk->m == m && mk->n == n;
        for (size_t k = 0; same && k < n; k++)
            same = orm_value_equal(&mk->key[k], id[k]);
        if (same)
            return (long)i;
    }
    return -1;
}

size_t edit_marks_of(const tui_edit *e, const orm_model *m)
{
    size_t n = 0;
    for (size_t i = 0; e && i < e->nmarks; i++)
        n += e->marks[i].m == m;
    return n;
}

static unsigned toggle_mark(tui_app *app, const orm_model *m,
                            const orm_value *row, const orm_value *key,
                            size_t nkey)
{
    tui_edit *e = edit_state(app);
    const orm_value *id[TUI_EDIT_MAX_KEY];
    size_t n = row ? row_ident(m, row, key, nkey, id) : 0;
    if (!e) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    if (n == 0) {
        tui_app_error(app, "%s: rows without a key cannot be marked", m->table);
        return TUI_REDRAW;
    }
    long at = find_mark(e, m, id, n);
    if (at >= 0) {
        mark_clear(&e->marks[at]);
        e->marks[at] = e->marks[--e->nmarks];
    } else {
        if (e->nmarks == e->marks_cap) {
            size_t cap = e->marks_cap ? 2 * e->marks_cap : 16;
            mark *mk = tui_realloc(e->marks, cap * sizeof *mk);
            if (!mk) {
                tui_app_error(app, "out of memory");
                return TUI_REDRAW;
            }
            e->marks = mk;
            e->marks_cap = cap;
        }
        mark *mk = &e->marks[e->nmarks];
        memset(mk, 0, sizeof *mk);
        mk->m = m;
        for (; mk->n < n; mk->n++)
            if (orm_value_copy(&mk->key[mk->n], id[mk->n])) {
                mark_clear(mk);
                tui_app_error(app, "out of memory");
                return TUI_REDRAW;
            }
        e->nmarks++;
    }
    size_t count = edit_marks_of(e, m);
    tui_app_message(app, "%zu marked (d deletes them, E edits them)", count);
    return TUI_REDRAW;
}

static unsigned delete_marked(tui_app *app, const orm_model *m)
{
    tui_edit *e = app->edit;
    size_t done = 0, failed = 0;
    for (size_t i = 0; i < e->nmarks;) {
        mark *mk = &e->marks[i];
        orm_record *rec = NULL;
        if (mk->m != m) {
            i++;
            continue;
        }
        int rc = orm_session_get(app->session, m, mk->key, &rec);
        if (rc == ORM_ROW && orm_record_state_of(rec) != ORM_RECORD_DELETED &&
            orm_session_delete(app->session, rec) == 0)
            done++;
        else if (rc != ORM_ROW)
            failed++;
        mark_clear(mk);
        e->marks[i] = e->marks[--e->nmarks];
    }
    if (failed)
        tui_app_error(app, "%zu marked row%s to delete; %zu not found", done,
                      done == 1 ? "" : "s", failed);
    else
        tui_app_message(app, "%zu marked row%s: delete pending", done,
                        done == 1 ? "" : "s");
    return TUI_REDRAW;
}

size_t tui_edit_mark_count(const tui_app *app, const orm_model *m)
{
    return edit_marks_of(app->edit, m);
}

const orm_value *tui_edit_mark_key(const tui_app *app, const orm_model *m,
                                   size_t i, size_t *n)
{
    const tui_edit *e = app->edit;
    for (size_t k = 0; e && k < e->nmarks; k++) {
        if (e->marks[k].m != m || i-- > 0)
            continue;
        *n = e->marks[k].n;
        return e->marks[k].key;
    }
    *n = 0;
    return NULL;
}

void tui_edit_marks_clear(tui_app *app, const orm_model *m)
{
    tui_edit *e = app->edit;
    for (size_t i = 0; e && i < e->nmarks;) {
        if (e->marks[i].m != m) {
            i++;
            continue;
        }
        mark_clear(&e->marks[i]);
        e->marks[i] = e->marks[--e->nmarks];
    }
}

unsigned tui_edit_row(tui_app *app, tui_action a, const orm_model *m,
                      const orm_value *row, const orm_value *key, size_t nkey)
{
    orm_record *rec = NULL;
    if (model_refused(app, m))
        return TUI_REDRAW;
    if (a == TUI_ACT_MARK)
        return toggle_mark(app, m, row, key, nkey);
    if (a == TUI_ACT_DELETE && edit_marks_of(app->edit, m) > 0)
        return delete_marked(app, m);
    if (row_record(app, m, row, key, nkey, &rec) != 0)
        return TUI_REDRAW;
    if (a == TUI_ACT_DELETE)
        return delete_record(app, rec, 0);
    return edit_record(app, rec);
}

size_t tui_edit_new_count(const tui_app *app, const orm_model *m)
{
    size_t n = orm_session_pending_count(app->session), count = 0;
    for (size_t i = 0; i < n; i++) {
        orm_record *rec = orm_session_pending_at(app->session, i);
        count += orm_record_model(rec) == m &&
                 orm_record_state_of(rec) == ORM_RECORD_NEW;
    }
    return count;
}

orm_record *tui_edit_new_at(const tui_app *app, const orm_model *m, size_t at)
{
    size_t n = orm_session_pending_count(app->session), count = 0;
    for (size_t i = 0; i < n; i++) {
        orm_record *rec = orm_session_pending_at(app->session, i);
        if (orm_record_model(rec) != m ||
            orm_record_state_of(rec) != ORM_RECORD_NEW)
            continue;
        if (count++ == at)
            return rec;
    }
    return NULL;
}

unsigned tui_edit_new_row(tui_app *app, tui_action a, orm_record *rec)
{
    if (!rec)
        return TUI_REDRAW;
    if (a == TUI_ACT_DELETE)
        return delete_record(app, rec, 0);
    if (a == TUI_ACT_MARK) {
        tui_app_message(app, "new records are not marked: d drops one");
        return TUI_REDRAW;
    }
    return edit_record(app, rec);
}

/* Does a pending record stand for this grid row? */
static int same_row(const orm_record *rec, const orm_model *m,
                    const orm_value *row, const orm_value *key, size_t nkey)
{
    int pk[TUI_EDIT_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, TUI_EDIT_MAX_KEY);
    (void)key;
    (void)nkey;
    if (npk > TUI_EDIT_MAX_KEY)
        return 0;
    for (size_t i = 0; i < npk; i++)
        if (!orm_value_equal(orm_record_original(rec, (size_t)pk[i]),
                             &row[pk[i]]))
            return 0;
    if (npk)
        return 1;
    /* No key: every value as loaded (the grid cuts long text and keeps
     * only the length of blobs, so those are not compared). */
    for (size_t c = 0; c < m->ncolumns; c++) {
        const orm_value *v = &row[c];
        if (v->kind == ORM_VBLOB ||
            (v->kind == ORM_VTEXT && v->u.s.len >= 1024))
            continue;
        if (!orm_value_equal(orm_record_original(rec, c), v))
            return 0;
    }
    return 1;
}

orm_record *tui_edit_pending_for(const tui_app *app, const orm_model *m,
                                 const orm_value *row, const orm_value *key,
                                 size_t nkey)
{
    size_t n = orm_session_pending_count(app->session);
    for (size_t i = 0; row && i < n; i++) {
        orm_record *rec = orm_session_pending_at(app->session, i);
        orm_record_state st = orm_record_state_of(rec);
        if (orm_record_model(rec) != m ||
            (st != ORM_RECORD_DIRTY && st != ORM_RECORD_DELETED))
            continue;
        if (same_row(rec, m, row, key, nkey))
            return rec;
    }
    return NULL;
}

int tui_edit_is_marked(const tui_app *app, const orm_model *m,
                       const orm_value *row, const orm_value *key, size_t nkey)
{
    const orm_value *id[TUI_EDIT_MAX_KEY];
    size_t n;
    if (!app->edit || !app->edit->nmarks || !row)
        return 0;
    n = row_ident(m, row, key, nkey, id);
    return n && find_mark(app->edit, m, id, n) >= 0;
}

int tui_edit_marked_records(tui_app *app, const orm_model *m, orm_record ***out,
                            size_t *count, size_t *gone)
{
    const tui_edit *e = app->edit;
    size_t n = edit_marks_of(e, m);
    *out = NULL;
    *count = *gone = 0;
    if (n == 0)
        return 0;
    if (!(*out = tui_calloc(n, sizeof **out)))
        return ORM_ENOMEM;
    for (size_t i = 0; i < e->nmarks; i++) {
        const mark *mk = &e->marks[i];
        orm_record *rec = NULL;
        if (mk->m != m)
            continue;
        int rc = orm_session_get(app->session, m, mk->key, &rec);
        if (rc == ORM_ROW)
            (*out)[(*count)++] = rec;
        else if (rc == ORM_DONE || rc == ORM_ENOTFOUND)
            (*gone)++;
        else {
            free(*out);
            *out = NULL;
            *count = 0;
            return rc;
        }
    }
    return 0;
}

int tui_edit_model_busy(const tui_app *app, const orm_model *m)
{
    size_t n = orm_session_pending_count(app->session);
    for (size_t i = 0; i < n; i++)
        if (orm_record_model(orm_session_pending_at(app->session, i)) == m)
            return 1;
    return edit_marks_of(app->edit, m) > 0;
}
