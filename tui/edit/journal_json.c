/*
 * The recovery journal's content (journal_file.h): the pending changes
 * as JSON, written through journal.c after each key that changed them,
 * and making a journal's changes pending again through the public
 * session API (orm_session_attach with the loaded values, then the same
 * sets and deletes).
 *
 * The file:
 *   {"orb_journal": 1, "url": "...", "saved": 1765012345,
 *    "saved_text": "2026-12-06 08:50:12 UTC",
 *    "changes": [
 *      {"action": "add", "table": "accounts",
 *       "values": {"handle": {"text": "jdoe"}, ...}},
 *      {"action": "change", "table": "accounts",
 *       "loaded": {"id": {"int": "1"}, ...every column...},
 *       "stored": {"seen": {"text": "2024-01-01T10:00:00"}},
 *       "values": {"handle": {"text": "jane"}}},
 *      {"action": "delete", "table": "posts", "loaded": {...},
 *       "rowid": {"int": "7"}}]}
 * A value is null or {KIND: TEXT}: KIND int, float, bool, text, blob
 * and TEXT what orm_value_format gives; text that is not UTF-8 is
 * {"text_bytes": "\x..."}. "values" holds the changed columns;
 * "stored" (optional) the columns the database holds in another form
 * than loaded (orm_record_stored), which the restored guards compare.
 * An open form with something typed in it adds
 *   "form": {"table": "accounts", "change": 0 | "loaded": {...},
 *            "current": "handle", "fields": {"handle": {"text": "jd"}}}
 * ("change": the pending change it edits; "loaded": a record without
 * one; neither: a new record; a field null: NULL was chosen). A bulk
 * edit's form has "bulk" instead: {"keys": [[key values], ...]} for
 * marked rows, or {"where": "filter text" | null, "described": "..."}
 * for the rows a filter matches (counted again when restored).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "edit.h"
#include "form.h"
#include "journal_file.h"
#include "mem.h"
#include "views.h"

/* ---- values ---- */

static const char *const kind_names[] = {
    [ORM_VINT] = "int",   [ORM_VFLOAT] = "float", [ORM_VBOOL] = "bool",
    [ORM_VTEXT] = "text", [ORM_VBLOB] = "blob",
};

static json_t *value_json(const orm_value *v)
{
    if (v->kind == ORM_VNULL)
        return json_null();
    if (v->kind < ORM_VINT || v->kind > ORM_VBLOB)
        return NULL;
    json_t *text = NULL;
    const char *kind = kind_names[v->kind];
    if (v->kind == ORM_VTEXT) {
        text = json_stringn(v->u.s.len ? v->u.s.ptr : "", v->u.s.len);
        if (!text) { /* not UTF-8: its bytes, as a blob shows them */
            orm_value bytes = orm_value_blob(v->u.s.ptr, v->u.s.len);
            char *hex = orm_value_format(&bytes, NULL);
            text = hex ? json_string(hex) : NULL;
            free(hex);
            kind = "text_bytes";
        }
    } else {
        char *formatted = orm_value_format(v, NULL);
        text = formatted ? json_string(formatted) : NULL;
        free(formatted);
    }
    json_t *obj = text ? json_object() : NULL;
    if (!obj || json_object_set_new(obj, kind, text) != 0) {
        json_decref(obj);
        json_decref(text);
        return NULL;
    }
    return obj;
}

static int value_from_json(orm_value *out, const json_t *jv, orm_error *err)
{
    *out = orm_value_null();
    if (json_is_null(jv))
        return 0;
    const char *key;
    json_t *text;
    if (!json_is_object(jv) || json_object_size(jv) != 1)
        return orm_error_set(err, ORM_EPARSE,
                             "a value is null or {kind: text}");
    json_object_foreach((json_t *)(uintptr_t)jv, key, text)
    {
        if (!json_is_string(text))
            return orm_error_set(err, ORM_EPARSE, "a %s value is not text",
                                 key);
        const char *s = json_string_value(text);
        size_t len = json_string_length(text);
        if (strcmp(key, "text_bytes") == 0) {
            int rc = orm_value_from_text(out, ORM_VBLOB, s, len, err);
            if (rc == 0)
                out->kind = ORM_VTEXT; /* the same bytes, as text */
            return rc;
        }
        for (int k = ORM_VINT; k <= ORM_VBLOB; k++)
            if (strcmp(key, kind_names[k]) == 0)
                return orm_value_from_text(out, (orm_value_kind)k, s, len, err);
        return orm_error_set(err, ORM_EPARSE, "unknown kind of value '%s'",
                             key);
    }
    return 0;
}

/* ---- the pending changes as JSON ---- */

static int put(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

static json_t *columns_json(const orm_record *rec, int loaded, int changed)
{
    const orm_model *m = orm_record_model(rec);
    json_t *obj = json_object();
    for (size_t c = 0; obj && c < m->ncolumns; c++) {
        if (changed && !orm_record_changed(rec, c))
            continue;
        const orm_value *v =
            loaded ? orm_record_original(rec, c) : orm_record_value(rec, c);
        if (put(obj, m->columns[c].name, value_json(v)) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

/* Put "stored": the columns whose stored form differs from the loaded
 * one; nothing when none does. */
static int put_stored(json_t *obj, const orm_record *rec)
{
    const orm_model *m = orm_record_model(rec);
    json_t *stored = NULL;
    for (size_t c = 0; c < m->ncolumns; c++) {
        const orm_value *v = orm_record_stored(rec, c);
        if (v == orm_record_original(rec, c))
            continue;
        if ((!stored && !(stored = json_object())) ||
            put(stored, m->columns[c].name, value_json(v)) != 0) {
            json_decref(stored);
            return -1;
        }
    }
    return stored ? put(obj, "stored", stored) : 0;
}

static json_t *change_json(const orm_record *rec)
{
    const orm_model *m = orm_record_model(rec);
    orm_record_state st = orm_record_state_of(rec);
    const char *action = st == ORM_RECORD_NEW       ? "add"
                         : st == ORM_RECORD_DIRTY   ? "change"
                         : st == ORM_RECORD_DELETED ? "delete"
                                                    : NULL;
    json_t *obj = action ? json_object() : NULL;
    if (!obj)
        return NULL;
    int bad = put(obj, "action", json_string(action)) != 0 ||
              put(obj, "table", json_string(m->table)) != 0 ||
              (m->schema && put(obj, "schema", json_string(m->schema)) != 0);
    if (!bad && st != ORM_RECORD_NEW) {
        bad = put(obj, "loaded", columns_json(rec, 1, 0)) != 0 ||
              put_stored(obj, rec) != 0;
        const orm_value *rowid = orm_record_rowid(rec);
        if (!bad && rowid->kind != ORM_VNULL)
            bad = put(obj, "rowid", value_json(rowid)) != 0;
    }
    if (!bad)
        bad = put(obj, "values", columns_json(rec, 0, 1)) != 0;
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* What a bulk edit stands for (see the top of the file). */
static json_t *bulk_json(const tui_bulk *b)
{
    size_t nrows = 0, nkey = 0;
    const orm_value *keys = tui_bulk_keys(b, &nrows, &nkey);
    json_t *obj = json_object();
    int bad = !obj;
    if (!bad && keys) {
        json_t *rows = json_array();
        for (size_t r = 0; rows && r < nrows && !bad; r++) {
            json_t *row = json_array();
            for (size_t k = 0; row && k < nkey && !bad; k++)
                bad = json_array_append_new(
                          row, value_json(&keys[r * nkey + k])) != 0;
            bad = bad || !row || json_array_append_new(rows, row) != 0;
        }
        bad = bad || put(obj, "keys", rows) != 0;
    } else if (!bad) {
        const orm_expr *filter = tui_bulk_filter(b);
        char *text = filter ? orm_filter_print(filter) : NULL;
        const char *described = tui_bulk_described(b);
        bad =
            (filter && !text) ||
            put(obj, "where", text ? json_string(text) : json_null()) != 0 ||
            put(obj, "described", json_string(described ? described : "")) != 0;
        free(text);
    }
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* The form `f` editing `rec` (NULL: a new record), or a bulk edit's. */
static json_t *form_json(tui_app *app, const tui_form *f, orm_record *rec,
                         const tui_bulk *bulk)
{
    orm_session *s = app->session;
    const orm_model *m = f->model;
    json_t *obj = json_object(), *fields = json_object();
    int bad = !obj || !fields || put(obj, "table", json_string(m->table)) ||
              (m->schema && put(obj, "schema", json_string(m->schema)));
    if (!bad && bulk)
        bad = put(obj, "bulk", bulk_json(bulk)) != 0;
    if (!bad && rec) {
        size_t n = orm_session_pending_count(s), at = n;
        for (size_t i = 0; i < n && at == n; i++)
            if (orm_session_pending_at(s, i) == rec)
                at = i;
        if (at < n) {
            bad = put(obj, "change", json_integer((json_int_t)at)) != 0;
        } else {
            const orm_value *rowid = orm_record_rowid(rec);
            bad = put(obj, "loaded", columns_json(rec, 1, 0)) != 0 ||
                  put_stored(obj, rec) != 0 ||
                  (rowid->kind != ORM_VNULL &&
                   put(obj, "rowid", value_json(rowid)) != 0);
        }
    }
    for (size_t i = 0; !bad && i < f->nfields; i++) {
        const tui_form_field *fd = &f->fields[i];
        orm_value text =
            fd->is_null ? orm_value_null()
                        : orm_value_textn(fd->text.len ? fd->text.data : "",
                                          fd->text.len);
        if (fd->touched)
            bad = put(fields, m->columns[fd->col].name, value_json(&text));
    }
    if (!bad && f->current < f->nfields)
        bad = put(obj, "current",
                  json_string(m->columns[f->fields[f->current].col].name));
    if (!bad) {
        bad = json_object_set_new(obj, "fields", fields) != 0;
        fields = NULL; /* taken, or freed on failure */
    }
    json_decref(fields);
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* The open form, the top one (a picker may be over it): a record's or a
 * bulk edit's; NULL without one. */
static const tui_form *open_form(tui_app *app, orm_record **rec,
                                 const tui_bulk **bulk)
{
    *rec = NULL;
    *bulk = NULL;
    for (size_t d = app->depth; d-- > 0;) {
        const tui_form *f = tui_view_form_state(app->stack[d], rec);
        if (!f)
            f = tui_view_form_bulk_state(app->stack[d], bulk);
        if (f)
            return f;
    }
    return NULL;
}

/* The app's state as the journal's body (without time); NULL when out of
 * memory. *empty: nothing pending and no form with text. */
static json_t *state_json(const tui_journal *j, tui_app *app, int *empty)
{
    orm_session *s = app->session;
    size_t n = orm_session_pending_count(s);
    json_t *doc = json_object(), *changes = json_array();
    int bad = !doc || !changes;
    *empty = n == 0;
    orm_record *rec = NULL;
    const tui_bulk *bulk = NULL;
    const tui_form *f = bad ? NULL : open_form(app, &rec, &bulk);
    if (f && tui_form_touched(f)) {
        bad = put(doc, "form", form_json(app, f, rec, bulk)) != 0;
        *empty = 0;
    }
    for (size_t i = 0; !bad && i < n; i++) {
        json_t *c = change_json(orm_session_pending_at(s, i));
        bad = !c || json_array_append_new(changes, c) != 0;
    }
    if (!bad) {
        bad = put(doc, "orb_journal", json_integer(JOURNAL_VERSION)) != 0 ||
              put(doc, "url", json_string(j->url)) != 0;
    }
    if (bad || json_object_set_new(doc, "changes", changes) != 0) {
        json_decref(changes);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static int journal_sync(tui_journal *j, tui_app *app, orm_error *err);

/* The open form's part of the journal as text ("" without one); NULL
 * when out of memory. */
static char *form_text(tui_app *app)
{
    orm_record *rec = NULL;
    const tui_bulk *bulk = NULL;
    const tui_form *f = open_form(app, &rec, &bulk);
    if (!f || !tui_form_touched(f))
        return orm_strdup("");
    json_t *form = form_json(app, f, rec, bulk);
    char *text = form ? json_dumps(form, JSON_COMPACT) : NULL;
    json_decref(form);
    return text;
}

int tui_journal_sync(tui_journal *j, tui_app *app, orm_error *err)
{
    if (!j || j->waiting)
        return 0;
    unsigned long generation = orm_session_generation(app->session);
    char *form = form_text(app);
    if (form && j->synced && generation == j->synced_generation &&
        strcmp(form, j->synced_form) == 0) {
        free(form);
        return 0; /* nothing changed since the file was brought up to date */
    }
    j->synced = 0;
    int rc = journal_sync(j, app, err);
    if (rc == 0 && form) {
        free(j->synced_form);
        j->synced_form = form;
        j->synced_generation = generation;
        j->synced = 1;
        form = NULL;
    }
    free(form);
    return rc;
}

/* Write the file when what is pending (or the form's text) differs from
 * what it holds, remove it when nothing is. */
static int journal_sync(tui_journal *j, tui_app *app, orm_error *err)
{
    int empty = 0;
    json_t *doc = state_json(j, app, &empty);
    if (doc && empty) {
        json_decref(doc);
        free(j->written);
        j->written = NULL;
        return j->exists ? journal_remove_file(j, err) : 0;
    }
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    int rc = 0;
    if (!body) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
    } else if (!j->exists || !j->written || strcmp(body, j->written) != 0) {
        /* At most the tree, `body` and the file's text at once: what was
         * written before is not needed any more (a failed write leaves
         * j->written NULL, and the next sync writes again). */
        free(j->written);
        j->written = NULL;
        time_t now = time(NULL);
        char stamp[64];
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
        char *text = NULL;
        if (put(doc, "saved", json_integer((json_int_t)now)) == 0 &&
            put(doc, "saved_text", json_string(stamp)) == 0)
            text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(doc);
        doc = NULL;
        size_t len = text ? strlen(text) : 0;
        char *line = text ? tui_realloc(text, len + 2) : NULL;
        if (!line) {
            rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        } else if (len + 1 > j->limit) {
            /* It could not be read back. */
            char limit[32];
            journal_size_text(limit, sizeof limit, j->limit);
            rc = orm_error_set(err, ORM_EINVALID,
                               "the pending changes need more than the %s a "
                               "journal may hold",
                               limit);
        } else {
            line[len] = '\n';
            line[len + 1] = '\0';
            rc = journal_write_file(j, line, err);
        }
        if (line)
            text = line;
        free(text);
        if (rc == 0) {
            j->written = body;
            body = NULL;
        }
    }
    free(body);
    json_decref(doc);
    return rc;
}

/* The model of a change: by table (and schema when saved), reflected
 * when it is not registered (a table of another schema that a foreign
 * key led to). */
/* The model of a saved change's table; ORM_ENOTFOUND with the message
 * when there is none, ORM_ENOMEM when there was no memory to look. */
static int change_model(tui_app *app, const json_t *c, const orm_model **m,
                        orm_error *err)
{
    const char *table = json_string_value(json_object_get(c, "table"));
    const char *schema = json_string_value(json_object_get(c, "schema"));
    char *name = table ? orm_name_join(schema, table) : NULL;
    int rc = !table  ? ORM_ENOTFOUND
             : !name ? ORM_ENOMEM
                     : orm_db_lookup_table(app->db, name, m);
    free(name);
    if (rc == ORM_ENOMEM)
        return orm_error_set(err, rc, "out of memory");
    if (rc != 0)
        return orm_error_set(err, ORM_ENOTFOUND, "no table %s here now",
                             table ? table : "(none)");
    return 0;
}

static void clear_values(orm_value *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        orm_value_clear(&v[i]);
    free(v);
}

/* Set every column of `values` on `rec`. */
static int set_values(orm_record *rec, const json_t *values, orm_error *err)
{
    const orm_model *m = orm_record_model(rec);
    const char *name;
    json_t *jv;
    json_object_foreach((json_t *)(uintptr_t)values, name, jv)
    {
        int col = orm_model_column_index(m, name);
        orm_value v;
        if (col < 0)
            return orm_error_set(err, ORM_EINVALID, "%s has no column '%s' now",
                                 m->table, name);
        int rc = value_from_json(&v, jv, err);
        if (rc == 0)
            rc = orm_record_set_at(rec, (size_t)col, &v, err);
        orm_value_clear(&v);
        if (rc) {
            if (err && !err->column)
                orm_error_set_column(err, name);
            return rc;
        }
    }
    return 0;
}

static int attach_loaded(tui_app *app, const orm_model *m, const json_t *c,
                         orm_record **rec, orm_error *err);

/* Make one saved change pending again. */
static int restore_change(tui_app *app, const json_t *c, orm_error *err)
{
    const char *action = json_string_value(json_object_get(c, "action"));
    const json_t *values = json_object_get(c, "values");
    const orm_model *m = NULL;
    orm_session *s = app->session;
    orm_record *rec = NULL;
    int rc = change_model(app, c, &m, err);
    if (rc != 0)
        return rc;
    if (strcmp(action, "add") == 0) {
        if ((rc = orm_record_new(&rec, m)) != 0)
            return orm_error_set(err, rc, "out of memory");
        if ((rc = set_values(rec, values, err)) == 0 &&
            (rc = orm_session_add(s, rec)) != 0)
            orm_error_copy(err, orm_session_error(s));
        if (rc)
            orm_record_free(rec);
        return rc;
    }
    /* A change or a delete: the record as it was loaded. */
    if ((rc = attach_loaded(app, m, c, &rec, err)) != 0)
        return rc;
    rc = set_values(rec, values, err);
    if (rc == 0 && strcmp(action, "delete") == 0 &&
        (rc = orm_session_delete(s, rec)) != 0)
        orm_error_copy(err, orm_session_error(s));
    return rc;
}

/* The record `c` holds as loaded ("loaded", every column, and "rowid"),
 * put into the session as if just read. */
static int attach_loaded(tui_app *app, const orm_model *m, const json_t *c,
                         orm_record **rec, orm_error *err)
{
    orm_session *s = app->session;
    const json_t *loaded = json_object_get(c, "loaded");
    const json_t *saved_stored = json_object_get(c, "stored");
    orm_value *row = tui_calloc(2 * m->ncolumns + 1, sizeof *row), rowid;
    orm_value *stored = row ? row + m->ncolumns : NULL;
    int rc = 0;
    rowid = orm_value_null();
    if (!row)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < m->ncolumns; i++) {
        const json_t *jv = json_object_get(loaded, m->columns[i].name);
        if (!jv)
            rc = orm_error_set(err, ORM_EINVALID,
                               "the column %s of %s was not saved (added "
                               "since?)",
                               m->columns[i].name, m->table);
        else
            rc = value_from_json(&row[i], jv, err);
        if (rc == 0 &&
            (jv = json_object_get(saved_stored, m->columns[i].name)) != NULL)
            rc = value_from_json(&stored[i], jv, err);
    }
    if (rc == 0 && json_object_size(loaded) != m->ncolumns)
        rc = orm_error_set(err, ORM_EINVALID,
                           "%s has other columns now than when the changes "
                           "were made",
                           m->table);
    if (rc == 0 && json_object_get(c, "rowid"))
        rc = value_from_json(&rowid, json_object_get(c, "rowid"), err);
    if (rc == 0 &&
        (rc = orm_session_attach(s, m, row, stored, &rowid, rec)) != 0)
        orm_error_copy(err, orm_session_error(s));
    clear_values(row, 2 * m->ncolumns);
    orm_value_clear(&rowid);
    return rc;
}

/* A bulk edit's form again, on the rows it stood for. */
static int restore_bulk(tui_app *app, const orm_model *m, const json_t *bulk,
                        tui_view **out, orm_error *err)
{
    const json_t *rows = json_object_get(bulk, "keys");
    const json_t *where = json_object_get(bulk, "where");
    const char *described =
        json_string_value(json_object_get(bulk, "described"));
    orm_value *keys = NULL;
    orm_expr *filter = NULL;
    tui_bulk *b = NULL;
    size_t nrows = json_array_size(rows), nkey = 0, at = 0;
    int rc = 0;
    if (rows) {
        nkey = json_array_size(json_array_get(rows, 0));
        if (!json_is_array(rows) || nrows == 0 || nkey == 0)
            return orm_error_set(err, ORM_EPARSE,
                                 "the bulk edit's rows are missing");
        if (!(keys = tui_calloc(nrows * nkey, sizeof *keys)))
            return orm_error_set(err, ORM_ENOMEM, "out of memory");
        for (size_t r = 0; r < nrows && rc == 0; r++) {
            const json_t *row = json_array_get(rows, r);
            if (json_array_size(row) != nkey)
                rc = orm_error_set(err, ORM_EPARSE,
                                   "the bulk edit's row %zu has %zu key "
                                   "values, not %zu",
                                   r + 1, json_array_size(row), nkey);
            for (size_t k = 0; k < nkey && rc == 0; k++, at++)
                rc = value_from_json(&keys[at], json_array_get(row, k), err);
        }
    } else if (json_is_string(where)) {
        rc = orm_filter_parse(&filter, json_string_value(where), m, err);
    }
    if (rc == 0)
        rc = tui_bulk_restore(&b, app, m, keys, nrows, nkey, filter, described,
                              err);
    if (rc == 0 && tui_view_form_bulk_new(out, app, b) != 0) {
        tui_bulk_free(b);
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < at; i++)
        orm_value_clear(&keys[i]);
    free(keys);
    orm_expr_free(filter);
    return rc;
}

/* The form of the journal, with the text as typed, on the record it
 * edited: a restored change, a record attached as loaded, or a new one;
 * or a bulk edit's, on its rows. */
static int restore_form(tui_app *app, const json_t *form, tui_view **out,
                        orm_error *err)
{
    const orm_model *m = NULL;
    const json_t *change = json_object_get(form, "change");
    orm_record *rec = NULL;
    tui_view *v = NULL;
    const char *name;
    json_t *jv;
    int rc = change_model(app, form, &m, err);
    if (rc != 0)
        return rc;
    const json_t *bulk = json_object_get(form, "bulk");
    if (bulk) {
        if ((rc = restore_bulk(app, m, bulk, &v, err)) != 0)
            return rc;
    } else if (change) {
        rec = orm_session_pending_at(app->session,
                                     (size_t)json_integer_value(change));
        if (!rec || orm_record_model(rec) != m)
            return orm_error_set(err, ORM_EINVALID,
                                 "the form's record is not among the "
                                 "changes");
    } else if (json_object_get(form, "loaded") &&
               (rc = attach_loaded(app, m, form, &rec, err)) != 0) {
        return rc;
    }
    if (!v && tui_view_form_new(&v, app, m, rec, NULL) != 0)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    const tui_bulk *restored = NULL;
    tui_form *f = bulk ? tui_view_form_bulk_state(v, &restored)
                       : tui_view_form_state(v, NULL);
    json_object_foreach(json_object_get(form, "fields"), name, jv)
    {
        int col = orm_model_column_index(m, name);
        orm_value text;
        if (col < 0 || (size_t)col >= f->nfields) {
            v->ops->close(v);
            return orm_error_set(err, ORM_EINVALID, "%s has no column '%s' now",
                                 m->table, name);
        }
        if ((rc = value_from_json(&text, jv, err)) != 0) {
            v->ops->close(v);
            return rc;
        }
        tui_form_field *fd = &f->fields[col];
        if (text.kind == ORM_VNULL) {
            fd->is_null = 1;
            fd->touched = 1;
            orm_buf_reset(&fd->text);
            tui_form_check(f, (size_t)col);
        } else {
            /* A field locked now keeps its value: nothing typed there
             * can be saved anyway. */
            tui_form_set_text(f, (size_t)col, text.u.s.ptr, text.u.s.len);
        }
        orm_value_clear(&text);
    }
    const char *current = json_string_value(json_object_get(form, "current"));
    int at = current ? orm_model_column_index(m, current) : -1;
    if (at >= 0 && (size_t)at < f->nfields)
        f->current = (size_t)at;
    *out = v;
    return 0;
}

int tui_journal_restore(tui_journal *j, tui_app *app, tui_view **form,
                        orm_error *err)
{
    json_t *changes =
        j && j->loaded ? json_object_get(j->loaded, "changes") : NULL;
    size_t i, n = json_array_size(changes);
    json_t *c;
    int rc = 0;
    *form = NULL;
    if (!j || !j->waiting)
        return 0;
    json_array_foreach(changes, i, c)
    {
        orm_error why = ORM_ERROR_INIT;
        if ((rc = restore_change(app, c, &why)) == 0)
            continue;
        char *aside = NULL;
        orm_session_rollback(app->session);
        if (rc == ORM_ENOMEM) { /* still offered, y tries again */
            orm_error_set(err, rc,
                          "cannot restore change %zu of %zu (%s): %s; "
                          "nothing restored, y tries again",
                          i + 1, n,
                          json_string_value(json_object_get(c, "table")),
                          orm_error_text(&why));
            orm_error_clear(&why);
            return rc;
        }
        /* Set aside, or else left waiting: never written over. */
        int kept = journal_set_aside(j, "unrestored", &aside) != 0;
        orm_error_set(err, rc,
                      "cannot restore change %zu of %zu (%s): %s; the "
                      "journal is kept as %s",
                      i + 1, n, json_string_value(json_object_get(c, "table")),
                      orm_error_text(&why), aside ? aside : j->path);
        free(aside);
        orm_error_clear(&why);
        if (kept)
            return rc;
        break;
    }
    json_t *saved_form = json_object_get(j->loaded, "form");
    if (rc == 0 && saved_form) {
        orm_error why = ORM_ERROR_INIT;
        if ((rc = restore_form(app, saved_form, form, &why)) != 0) {
            /* The changes stay restored; the file keeps the form. */
            char *aside = NULL;
            int kept = journal_set_aside(j, "unrestored", &aside) != 0;
            orm_error_set(
                err, rc,
                "the changes are restored, but not the form of "
                "%s: %s; the journal is kept as %s",
                json_string_value(json_object_get(saved_form, "table")),
                orm_error_text(&why), aside ? aside : j->path);
            free(aside);
            orm_error_clear(&why);
            if (kept)
                return rc;
        }
    }
    json_decref(j->loaded);
    j->loaded = NULL;
    j->waiting = 0;
    free(j->written);
    j->written = NULL;
    j->synced = 0;
    return rc;
}
