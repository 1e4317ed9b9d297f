/*
 * The pending changes in the browser (edit.h, edit_state.h): how they
 * look in the grid (values shown over the rows read, cell colours, the
 * gutter), the pending summary and status line, a repr from plain
 * values, commit with its failure routing, undo with a message saying
 * what was undone, and the quit question.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "edit_state.h"
#include "form.h"
#include "mem.h"
#include "views.h"

#define DOT " \xC2\xB7 "     /* · */
#define BAR " \xE2\x94\x82 " /* │ */

void tui_edit_overlay(const orm_record *rec, const orm_value *row,
                      orm_value *shown, size_t ncolumns)
{
    for (size_t c = 0; c < ncolumns; c++) {
        shown[c] = rec ? *orm_record_value(rec, c) : row[c];
        shown[c].owned = 0;
    }
}

tui_element tui_edit_cell_element(const orm_record *rec, size_t col)
{
    if (!rec)
        return TUI_EL_DEFAULT;
    switch (orm_record_state_of(rec)) {
    case ORM_RECORD_NEW:
        return TUI_EL_PENDING_ADD;
    case ORM_RECORD_DELETED:
        return TUI_EL_PENDING_DELETE;
    case ORM_RECORD_DIRTY:
        return orm_record_changed(rec, col) ? TUI_EL_PENDING_CHANGE
                                            : TUI_EL_DEFAULT;
    default:
        return TUI_EL_DEFAULT;
    }
}

const char *tui_edit_gutter(const orm_record *rec, int marked)
{
    if (rec) {
        switch (orm_record_state_of(rec)) {
        case ORM_RECORD_NEW:
            return "+";
        case ORM_RECORD_DIRTY:
            return "~";
        case ORM_RECORD_DELETED:
            return "-";
        default:
            break;
        }
    }
    return marked ? "*" : " ";
}

/* "1,234" */
static const char *count_text(char *buf, size_t size, size_t n)
{
    tui_text_count(buf, size, (long long)n, 0);
    return buf;
}

/* "1 add, 2 changes": what the pending list holds, by kind. */
static void pending_kinds(const orm_session *s, orm_buf *out)
{
    char text[40];
    size_t n = orm_session_pending_count(s), add = 0, change = 0, del = 0;
    const char *sep = "";
    for (size_t i = 0; i < n; i++) {
        orm_record_state st = orm_record_state_of(orm_session_pending_at(s, i));
        add += st == ORM_RECORD_NEW;
        change += st == ORM_RECORD_DIRTY;
        del += st == ORM_RECORD_DELETED;
    }
    if (add) {
        orm_buf_appendf(out, "%s%s add%s", sep,
                        count_text(text, sizeof text, add),
                        add == 1 ? "" : "s");
        sep = ", ";
    }
    if (change) {
        orm_buf_appendf(out, "%s%s change%s", sep,
                        count_text(text, sizeof text, change),
                        change == 1 ? "" : "s");
        sep = ", ";
    }
    if (del)
        orm_buf_appendf(out, "%s%s delete%s", sep,
                        count_text(text, sizeof text, del),
                        del == 1 ? "" : "s");
}

void tui_edit_pending_summary(const orm_session *s, orm_buf *out)
{
    size_t n = orm_session_pending_count(s);
    char text[40];
    if (!n)
        return;
    orm_buf_appendf(out, "%s pending: ", count_text(text, sizeof text, n));
    pending_kinds(s, out);
}

void tui_edit_status(const tui_app *app, const orm_model *m, orm_buf *out)
{
    size_t marked = m ? edit_marks_of(app->edit, m) : 0;
    if (tui_edit_read_only(app)) {
        orm_buf_append(out, BAR "read-only");
        if (orm_db_read_only_reason(app->db))
            orm_buf_appendf(out, " (%s)", orm_db_read_only_reason(app->db));
        return;
    }
    if (orm_session_pending_count(app->session)) {
        orm_buf_append(out, BAR);
        tui_edit_pending_summary(app->session, out);
    }
    if (marked)
        orm_buf_appendf(out, BAR "%zu marked", marked);
}

unsigned long tui_edit_commits(const tui_app *app)
{
    return app->edit ? app->edit->commits : 0;
}

/* ---- repr from plain values ---- */

static void append_shown(orm_buf *out, const orm_column *col,
                         const orm_value *v)
{
    if (v->kind == ORM_VNULL) {
        orm_buf_append(out, "NULL");
    } else if (col->flags & ORM_SECRET) {
        orm_buf_append(out, "***");
    } else if (v->kind == ORM_VTEXT && orm_type_kind(col->type) == ORM_VTEXT) {
        orm_buf_appendn(out, v->u.s.len ? v->u.s.ptr : "",
                        tui_text_unpadded_len(col, v->u.s.ptr, v->u.s.len));
    } else {
        char *text = orm_value_format(v, col);
        orm_buf_append(out, text ? text : "?");
        free(text);
    }
}

void tui_edit_repr(orm_buf *out, const orm_model *m, const orm_value *values)
{
    if (m->repr) {
        for (const char *p = m->repr; *p; p++) {
            const char *close = *p == '{' ? strchr(p, '}') : NULL;
            char name[128];
            size_t n = close ? (size_t)(close - p - 1) : 0;
            int i = -1;
            if (close && n < sizeof name) {
                memcpy(name, p + 1, n);
                name[n] = '\0';
                i = orm_model_column_index(m, name);
            }
            if (i < 0) {
                orm_buf_appendc(out, *p);
                continue;
            }
            append_shown(out, &m->columns[i], &values[i]);
            p = close;
        }
        return;
    }
    int pk[TUI_EDIT_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, TUI_EDIT_MAX_KEY), texts = 0;
    orm_buf_appendf(out, "<%s", m->name);
    for (size_t i = 0; i < npk && i < TUI_EDIT_MAX_KEY; i++) {
        orm_buf_appendf(out, " %s=", m->columns[pk[i]].name);
        append_shown(out, &m->columns[pk[i]], &values[pk[i]]);
    }
    orm_buf_append(out, ">");
    for (size_t c = 0; c < m->ncolumns && texts < 2; c++) {
        const orm_column *col = &m->columns[c];
        if (!tui_column_is_text(col) || (col->flags & ORM_SECRET) ||
            (col->flags & ORM_PK))
            continue;
        orm_buf_append(out, texts++ ? DOT : " ");
        append_shown(out, col, &values[c]);
    }
}

/* ---- writing ---- */

int tui_edit_commit(tui_app *app, unsigned *result)
{
    orm_session *s = app->session;
    orm_buf summary = ORM_BUF_INIT;
    tui_view *v = NULL;
    int rc;
    pending_kinds(s, &summary); /* what is written, said before it is */
    rc = orm_session_commit(s);
    if (rc == 0) {
        tui_edit *e = edit_state(app);
        if (e)
            e->commits++;
        const char *text = orm_buf_str(&summary);
        tui_app_message(app, "written: %s", text && *text ? text : "nothing");
        orm_buf_free(&summary);
        *result = TUI_REDRAW;
        return 0;
    }
    orm_buf_free(&summary);
    const orm_error *err = orm_session_error(s);
    orm_record *failed = orm_session_failed_record(s);
    *result = TUI_REDRAW;
    if (rc == ORM_ECONFLICT && failed) {
        /* The conflict screen says what happened; its keys stay in view
         * (a long message would cover them until the next key). */
        if (tui_view_conflict_new(&v, app, failed) == 0) {
            app->pushed = v;
            *result = TUI_PUSH;
        } else {
            tui_app_error(app, "not written: %s", orm_error_text(err));
        }
        return rc;
    }
    /* A value the database refused: fix it in the record's form. (A
     * busy or lost connection is not the record's fault: try again.) */
    int value_refused = rc == ORM_EUNIQUE || rc == ORM_ENOTNULL ||
                        rc == ORM_EFOREIGNKEY || rc == ORM_ECHECK ||
                        rc == ORM_ETYPE;
    if (failed && value_refused &&
        orm_record_state_of(failed) != ORM_RECORD_DELETED) {
        orm_error copy = ORM_ERROR_INIT;
        orm_error_copy(&copy, err);
        tui_app_error(app, "not written (nothing was): %s",
                      orm_error_text(&copy));
        if (tui_view_form_new(&v, app, orm_record_model(failed), failed,
                              &copy) == 0) {
            app->pushed = v;
            *result = TUI_PUSH;
        }
        orm_error_clear(&copy);
        return rc;
    }
    /* Said once: the session's message for a busy database or a lost
     * connection ends in the same news ("; nothing was written; your
     * changes are kept — commit again ..."), which is left out here. */
    const char *text = orm_error_text(err);
    const char *told = strstr(text, "; nothing was written");
    tui_app_error(app,
                  "not written (every change is kept; y tries again): %.*s",
                  told ? (int)(told - text) : (int)strlen(text), text);
    return rc;
}

/* ---- undo ---- */

typedef struct snap {
    orm_record *rec;
    orm_record_state st;
    char *repr;
    orm_value *values;
    size_t ncolumns; /* the record may be gone when the snap is freed */
} snap;

static void snaps_free(snap *sn, size_t n)
{
    for (size_t i = 0; sn && i < n; i++) {
        free(sn[i].repr);
        for (size_t c = 0; sn[i].values && c < sn[i].ncolumns; c++)
            orm_value_clear(&sn[i].values[c]);
        free(sn[i].values);
    }
    free(sn);
}

/* The pending records with copies of their values. */
static snap *snapshot(orm_session *s, size_t *count)
{
    size_t n = orm_session_pending_count(s);
    snap *sn = tui_calloc(n + 1, sizeof *sn);
    *count = 0;
    if (!sn)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        orm_record *rec = orm_session_pending_at(s, i);
        const orm_model *m = orm_record_model(rec);
        sn[i].rec = rec;
        sn[i].st = orm_record_state_of(rec);
        sn[i].repr = orm_record_repr(rec);
        sn[i].values = tui_calloc(m->ncolumns + 1, sizeof *sn[i].values);
        sn[i].ncolumns = m->ncolumns;
        *count = i + 1;
        if (!sn[i].values) {
            snaps_free(sn, *count);
            return NULL;
        }
        for (size_t c = 0; c < m->ncolumns; c++)
            orm_value_copy(&sn[i].values[c], orm_record_value(rec, c));
    }
    return sn;
}

static const snap *find_snap(const snap *sn, size_t n, const orm_record *rec)
{
    for (size_t i = 0; i < n; i++)
        if (sn[i].rec == rec)
            return &sn[i];
    return NULL;
}

/* Say what the undo changed: compare the pending records before and
 * after. */
static void describe_undo(tui_app *app, const snap *before, size_t nb)
{
    orm_session *s = app->session;
    size_t na = orm_session_pending_count(s);
    /* A record that left the pending list: its add or delete, or its only
     * change, was undone. */
    for (size_t i = 0; i < nb; i++) {
        int still = 0;
        for (size_t k = 0; k < na && !still; k++)
            still = orm_session_pending_at(s, k) == before[i].rec;
        if (still)
            continue;
        const char *what = before[i].repr ? before[i].repr : "a record";
        if (before[i].st == ORM_RECORD_NEW) {
            tui_app_message(app, "undone: add of %s", what);
        } else if (before[i].st == ORM_RECORD_DELETED) {
            tui_app_message(app, "undone: delete of %s", what);
        } else {
            /* Still in the session (only NEW records are dropped). */
            const orm_record *rec = before[i].rec;
            const orm_model *m = orm_record_model(rec);
            char *now_repr = orm_record_repr(rec);
            size_t c = 0;
            if (now_repr)
                what = now_repr;
            while (c < m->ncolumns && orm_value_equal(&before[i].values[c],
                                                      orm_record_value(rec, c)))
                c++;
            if (c == m->ncolumns) {
                tui_app_message(app, "undone: change to %s", what);
            } else {
                orm_buf now = ORM_BUF_INIT;
                append_shown(&now, &m->columns[c], orm_record_value(rec, c));
                tui_app_message(app,
                                "undone: %s of %s (back to %s, as "
                                "loaded)",
                                m->columns[c].name, what, orm_buf_str(&now));
                orm_buf_free(&now);
            }
            free(now_repr);
        }
        return;
    }
    for (size_t k = 0; k < na; k++) {
        orm_record *rec = orm_session_pending_at(s, k);
        const snap *b = find_snap(before, nb, rec);
        char *repr = orm_record_repr(rec);
        const char *what = repr ? repr : "a record";
        const orm_model *m = orm_record_model(rec);
        if (!b) {
            if (orm_record_state_of(rec) == ORM_RECORD_NEW)
                tui_app_message(app, "undone: delete of new %s", what);
            else
                tui_app_message(app, "undone: a change to %s", what);
            free(repr);
            return;
        }
        if (b->st != orm_record_state_of(rec)) {
            tui_app_message(app, "undone: delete of %s", what);
            free(repr);
            return;
        }
        for (size_t c = 0; c < m->ncolumns; c++) {
            if (orm_value_equal(&b->values[c], orm_record_value(rec, c)))
                continue;
            orm_buf now = ORM_BUF_INIT;
            append_shown(&now, &m->columns[c], orm_record_value(rec, c));
            tui_app_message(app, "undone: %s of %s (back to %s)",
                            m->columns[c].name, what, orm_buf_str(&now));
            orm_buf_free(&now);
            free(repr);
            return;
        }
        free(repr);
    }
    tui_app_message(app, "undone: one change");
}

unsigned tui_edit_undo(tui_app *app)
{
    size_t nb = 0;
    snap *before = snapshot(app->session, &nb);
    int rc = orm_session_undo(app->session);
    if (rc == ORM_DONE)
        tui_app_message(app, "nothing to undo");
    else if (rc < 0)
        tui_app_error(app, "undo: %s", orm_strerror(rc));
    else if (before && nb > orm_session_pending_count(app->session) + 1) {
        char text[40];
        tui_app_message(
            app, "undone: a bulk edit (%s rows back as loaded)",
            count_text(text, sizeof text,
                       nb - orm_session_pending_count(app->session)));
    } else if (before)
        describe_undo(app, before, nb);
    else
        tui_app_message(app, "undone: one change");
    snaps_free(before, nb);
    return TUI_REDRAW;
}

/* ---- quitting ---- */

int tui_edit_confirm_quit(tui_app *app)
{
    tui_view *top = tui_app_top(app), *v = NULL;
    if (orm_session_pending_count(app->session) == 0)
        return 0;
    if (top && top->ops->kind == TUI_VIEW_QUIT)
        return 0;
    /* Never quit because the question could not be asked: staying
     * keeps the user's work. */
    if (tui_view_quit_new(&v, app, 0) != 0)
        tui_app_error(app, "cannot ask about the pending changes (out of "
                           "memory): write or undo them first");
    else
        edit_push_now(app, v); /* says why when it cannot */
    return 1;
}
