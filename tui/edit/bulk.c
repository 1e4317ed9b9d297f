/*
 * Bulk edit (E on the rows screen): the same columns set on many rows.
 * With marks, the marked rows; without, every row the grid's filter
 * matches, counted first and asked about in the form. The form
 * (view_form.c in bulk mode, form.c) says which columns to set; the
 * others stay as each row has them. Saving reads each row again, so
 * the values it is loaded with are what the database holds now, and
 * sets the columns in the session: every row becomes an ordinary
 * pending update, guarded on commit like any edit (a row changed
 * meanwhile is a conflict), listed on the review screen, kept in the
 * recovery journal, and taken back by one undo (a session undo group).
 * At most TUI_BULK_MAX rows (edit.h says why).
 */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "form.h"
#include "mem.h"
#include "text.h"
#include "views.h"

struct tui_bulk {
    const orm_model *m;
    orm_expr *filter; /* without marks: the grid's filter (NULL: all) */
    orm_value *keys;  /* with marks: nrows * nkey values */
    size_t nkey, nrows;
    size_t count;
    char *what;
    char *described; /* without marks: what the count was shown with */
};

void tui_bulk_free(tui_bulk *b)
{
    if (!b)
        return;
    orm_expr_free(b->filter);
    for (size_t i = 0; b->keys && i < b->nrows * b->nkey; i++)
        orm_value_clear(&b->keys[i]);
    free(b->keys);
    free(b->what);
    free(b->described);
    free(b);
}

const orm_value *tui_bulk_keys(const tui_bulk *b, size_t *nrows, size_t *nkey)
{
    *nrows = b->nrows;
    *nkey = b->nkey;
    return b->keys;
}

const orm_expr *tui_bulk_filter(const tui_bulk *b)
{
    return b->filter;
}

const char *tui_bulk_described(const tui_bulk *b)
{
    return b->described;
}

const orm_model *tui_bulk_model(const tui_bulk *b)
{
    return b->m;
}

size_t tui_bulk_count(const tui_bulk *b)
{
    return b->count;
}

const char *tui_bulk_what(const tui_bulk *b)
{
    return b->what;
}

int tui_bulk_asks(const tui_bulk *b)
{
    return b->keys == NULL;
}

static void say_count(orm_buf *out, size_t n)
{
    char text[40];
    tui_text_count(text, sizeof text, (long long)n, 0);
    orm_buf_appendf(out, "%s row%s", text, n == 1 ? "" : "s");
}

/* A bulk of the marked rows of `m`. */
static int from_marks(tui_bulk *b, tui_app *app, size_t nmarks)
{
    orm_buf what = ORM_BUF_INIT;
    size_t n = 0;
    tui_edit_mark_key(app, b->m, 0, &n);
    b->nkey = n;
    b->keys = tui_calloc(nmarks * n + 1, sizeof *b->keys);
    if (!b->keys)
        return ORM_ENOMEM;
    for (size_t i = 0; i < nmarks; i++) {
        size_t k = 0;
        const orm_value *key = tui_edit_mark_key(app, b->m, i, &k);
        if (!key || k != n)
            return ORM_EINVALID;
        for (size_t c = 0; c < n; c++)
            if (orm_value_copy(&b->keys[b->nrows * n + c], &key[c]))
                return ORM_ENOMEM;
        b->nrows++;
    }
    b->count = nmarks;
    say_count(&what, nmarks);
    orm_buf_append(&what, " marked");
    b->what = orm_buf_finish(&what);
    return b->what ? 0 : ORM_ENOMEM;
}

/* Count the rows of `m` that `filter` matches. */
static int count_matching(tui_app *app, const orm_model *m,
                          const orm_expr *filter, int64_t *out)
{
    orm_query *q = NULL;
    int rc = orm_query_new(&q, app->session, m);
    if (rc == 0 && filter) {
        orm_expr *copy = orm_expr_copy(filter);
        rc = copy ? orm_query_filter(q, copy) : ORM_ENOMEM;
    }
    if (rc == 0)
        rc = orm_query_count(q, out);
    if (rc)
        tui_app_db_error(app, m->table,
                         q ? orm_query_error(q)
                           : orm_session_error(app->session));
    orm_query_free(q);
    return rc;
}

/* Every row `filter` matches (NULL: all), counted now: ORM_ENOTFOUND
 * when none, ORM_EINVALID when more than TUI_BULK_MAX (said in `err`). */
static int from_filter(tui_bulk *b, tui_app *app, const orm_expr *filter,
                       const char *described, orm_error *err)
{
    int64_t count = 0;
    orm_buf what = ORM_BUF_INIT;
    if (count_matching(app, b->m, filter, &count) != 0)
        return orm_error_set(err, ORM_EERROR, "%s",
                             app->message.len ? orm_buf_str(&app->message)
                                              : "cannot count the rows");
    if (count == 0)
        return orm_error_set(err, ORM_ENOTFOUND, "no rows to edit%s",
                             filter ? ": none match the filter" : "");
    if (count > TUI_BULK_MAX) {
        char n[40], limit[40];
        tui_text_count(n, sizeof n, (long long)count, 0);
        tui_text_count(limit, sizeof limit, TUI_BULK_MAX, 0);
        return orm_error_set(err, ORM_EINVALID,
                             "%s rows match: a bulk edit takes at most %s "
                             "(mark rows, narrow the filter, or use orb URL "
                             "set %s --where ...)",
                             n, limit, b->m->table);
    }
    if ((filter && !(b->filter = orm_expr_copy(filter))) ||
        (described && !(b->described = orm_strdup(described))))
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    b->count = (size_t)count;
    say_count(&what, b->count);
    if (described && *described)
        orm_buf_appendf(&what, " %s", described);
    b->what = orm_buf_finish(&what);
    return b->what ? 0 : orm_error_set(err, ORM_ENOMEM, "out of memory");
}

int tui_bulk_restore(tui_bulk **out, tui_app *app, const orm_model *m,
                     const orm_value *keys, size_t nrows, size_t nkey,
                     const orm_expr *filter, const char *described,
                     orm_error *err)
{
    tui_bulk *b = tui_calloc(1, sizeof *b);
    orm_buf what = ORM_BUF_INIT;
    int rc = 0;
    *out = NULL;
    if (!b)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    b->m = m;
    if (!keys) {
        rc = from_filter(b, app, filter, described, err);
    } else if (!(b->keys = tui_calloc(nrows * nkey + 1, sizeof *b->keys))) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
    } else {
        b->nkey = nkey;
        for (; b->nrows < nrows && rc == 0; b->nrows++)
            for (size_t c = 0; c < nkey && rc == 0; c++)
                if (orm_value_copy(&b->keys[b->nrows * nkey + c],
                                   &keys[b->nrows * nkey + c]))
                    rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        b->count = nrows;
        say_count(&what, nrows);
        orm_buf_append(&what, " marked");
        if (rc == 0 && !(b->what = orm_buf_finish(&what)))
            rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        orm_buf_free(&what);
    }
    if (rc) {
        tui_bulk_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

unsigned tui_edit_bulk(tui_app *app, const orm_model *m, const orm_expr *filter,
                       const char *described)
{
    tui_bulk *b = tui_calloc(1, sizeof *b);
    size_t nmarks = tui_edit_mark_count(app, m);
    tui_view *v = NULL;
    int rc = 0;
    if (!b) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    b->m = m;
    if (m->read_only) {
        tui_app_error(app, "read-only: %s is %s", m->table, m->read_only);
        goto fail;
    }
    if (nmarks) {
        rc = from_marks(b, app, nmarks);
    } else {
        orm_error err = ORM_ERROR_INIT;
        rc = from_filter(b, app, filter, described, &err);
        if (rc == ORM_ENOTFOUND)
            tui_app_message(app, "%s", orm_error_text(&err));
        else if (rc && rc != ORM_ENOMEM)
            tui_app_error(app, "%s", orm_error_text(&err));
        orm_error_clear(&err);
        if (rc && rc != ORM_ENOMEM)
            goto fail;
    }
    if (rc == 0)
        rc = tui_view_form_bulk_new(&v, app, b);
    if (rc == 0) {
        app->pushed = v;
        return TUI_PUSH;
    }
    tui_app_error(app, "out of memory");
fail:
    tui_bulk_free(b);
    return TUI_REDRAW;
}

/* ---- saving ---- */

/* Read the rows again into the session (clean records take what the
 * database holds now; rows with pending changes keep theirs). *out is
 * owned by the caller, the records by the session. */
static int load_rows(tui_bulk *b, tui_app *app, orm_record ***out, size_t *n,
                     size_t *missing)
{
    orm_session *s = app->session;
    *out = NULL;
    *n = *missing = 0;
    if (!b->keys) {
        orm_query *q = NULL;
        int rc = orm_query_new(&q, s, b->m);
        if (rc == 0 && b->filter) {
            orm_expr *copy = orm_expr_copy(b->filter);
            rc = copy ? orm_query_filter(q, copy) : ORM_ENOMEM;
        }
        if (rc == 0) {
            orm_query_limit(q, TUI_BULK_MAX + 1);
            rc = orm_query_all(q, out, n);
        }
        if (rc)
            tui_app_db_error(app, b->m->table,
                             q ? orm_query_error(q) : orm_session_error(s));
        orm_query_free(q);
        if (rc == 0 && *n > TUI_BULK_MAX) {
            char limit[40];
            tui_text_count(limit, sizeof limit, TUI_BULK_MAX, 0);
            tui_app_error(app,
                          "more than %s rows match now: nothing changed "
                          "(narrow the filter)",
                          limit);
            rc = ORM_EINVALID;
        }
        return rc;
    }
    orm_record **recs = tui_calloc(b->nrows + 1, sizeof *recs);
    if (!recs) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    for (size_t i = 0; i < b->nrows; i++) {
        orm_record *rec = NULL;
        int rc = orm_session_get(s, b->m, &b->keys[i * b->nkey], &rec);
        if (rc == ORM_ROW && orm_record_state_of(rec) == ORM_RECORD_CLEAN &&
            orm_session_refresh(s, rec) != 0)
            rc = ORM_DONE;
        if (rc == ORM_ROW) {
            recs[(*n)++] = rec;
        } else if (rc == ORM_DONE || rc == ORM_ENOTFOUND) {
            (*missing)++;
        } else {
            tui_app_db_error(app, b->m->table, orm_session_error(s));
            free(recs);
            return rc;
        }
    }
    *out = recs;
    return 0;
}

/* Can the commit find this row again? (A key, or a row id.) */
static int identified(const orm_record *rec)
{
    int pk[1];
    return orm_model_pk(orm_record_model(rec), pk, 1) > 0 ||
           orm_record_rowid(rec)->kind != ORM_VNULL;
}

int tui_bulk_apply(tui_bulk *b, tui_app *app, tui_form *f, size_t *bad)
{
    const orm_model *m = b->m;
    size_t ncols = m->ncolumns, nrecs = 0, missing = 0;
    size_t changed = 0, same = 0, deleted = 0, sets = 0;
    orm_value *values = tui_calloc(ncols + 1, sizeof *values);
    unsigned char *set = tui_calloc(ncols + 1, 1);
    orm_record **recs = NULL;
    orm_error err = ORM_ERROR_INIT;
    orm_buf names = ORM_BUF_INIT;
    int rc = 0;
    if (!values || !set) {
        rc = ORM_ENOMEM;
        tui_app_error(app, "out of memory");
        goto done;
    }
    rc = tui_form_bulk_values(f, values, set, bad, &err);
    if (rc) {
        tui_app_error(app, "not saved: %s", orm_error_text(&err));
        goto done;
    }
    for (size_t i = 0; i < ncols; i++)
        if (set[i])
            orm_buf_appendf(&names, "%s%s", names.len ? ", " : "",
                            m->columns[f->fields[i].col].name);
    if (!names.len) {
        tui_app_message(app, "nothing to set: type into the fields to change "
                             "(the others stay as they are)");
        rc = ORM_EINVALID;
        goto done;
    }
    if ((rc = load_rows(b, app, &recs, &nrecs, &missing)) != 0)
        goto done;
    for (size_t r = 0; r < nrecs; r++)
        if (!identified(recs[r])) {
            tui_app_error(app,
                          "%s has no primary key and %s has no row id: "
                          "editing is off for this table",
                          m->table, orm_db_dialect(app->db));
            rc = ORM_EUNSUPPORTED;
            goto done;
        }
    /* Every value was checked above: what fails now is memory, and then
     * the group is taken back whole. */
    orm_session_group_begin(app->session);
    for (size_t r = 0; r < nrecs && rc == 0; r++) {
        orm_record *rec = recs[r];
        size_t here = 0;
        if (orm_record_state_of(rec) == ORM_RECORD_DELETED) {
            deleted++;
            continue;
        }
        for (size_t i = 0; i < ncols && rc == 0; i++) {
            size_t c = f->fields[i].col;
            if (!set[i] ||
                orm_value_equal(orm_record_value(rec, c), &values[i]))
                continue;
            rc = orm_record_set_at(rec, c, &values[i], &err);
            if (rc == 0) {
                here++;
                sets++;
            }
        }
        if (here)
            changed++;
        else
            same++;
    }
    orm_session_group_end(app->session);
    if (rc) {
        if (sets)
            orm_session_undo(app->session);
        tui_app_error(app, "not saved (nothing changed): %s",
                      orm_error_text(&err));
        goto done;
    }
    tui_edit_marks_clear(app, m);
    orm_buf msg = ORM_BUF_INIT;
    orm_buf_appendf(&msg, "%s set on ", orm_buf_str(&names));
    say_count(&msg, changed);
    orm_buf_append(&msg, " (pending: u takes it back, w reviews)");
    if (same) {
        orm_buf_append(&msg, "; ");
        say_count(&msg, same);
        orm_buf_appendf(&msg, " already had %s", same == 1 ? "it" : "them");
    }
    if (deleted) {
        orm_buf_append(&msg, "; ");
        say_count(&msg, deleted);
        orm_buf_append(&msg, " marked for deletion left alone");
    }
    if (missing) {
        orm_buf_append(&msg, "; ");
        say_count(&msg, missing);
        orm_buf_appendf(&msg, " gone from %s", m->table);
    }
    tui_app_message(app, "%s",
                    msg.failed ? "out of memory" : orm_buf_str(&msg));
    orm_buf_free(&msg);
done:
    for (size_t i = 0; values && i < ncols; i++)
        orm_value_clear(&values[i]);
    free(values);
    free(set);
    free(recs);
    orm_buf_free(&names);
    orm_error_clear(&err);
    return rc;
}
