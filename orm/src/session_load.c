/*
 * Loading into the session: a row read from the database becomes the one
 * record for its key (or refreshes it), records attached as if loaded,
 * the identity map filled after a bulk load, and get / refresh / fetch
 * current / rebase of one record by key.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "session_state.h"
#include "alloc.h"

/* A NEW record that was deleted before commit has no pending index and
 * state DELETED with nothing in the database: recognise it. */
int session_never_written(const orm_record *rec)
{
    return rec->state == ORM_RECORD_DELETED && rec->pending_index < 0;
}

/* Make the record for a row just read (`row`: the model's columns, read
 * from the driver, borrowed or owned; `bytes`: the size of their text and
 * blobs, each NUL-terminated), or refresh the clean record the identity
 * map already has for its key. A new record holds its loaded text and
 * blobs in its own slab block. */
static int load_impl(orm_session *s, const orm_model *model,
                     const orm_value *row, const orm_value *stored,
                     size_t bytes, const orm_value *rowid,
                     const uint64_t *key_hashed, int defer, orm_record **out)
{
    const int *pk;
    const orm_value *key[ORM_MAX_KEY];
    size_t n = session_pk(s, model, &pk);
    if (n > ORM_MAX_KEY)
        n = 0;
    for (size_t i = 0; i < n; i++)
        key[i] = &row[pk[i]];
    if (n == 0 && rowid && rowid->kind != ORM_VNULL) {
        key[0] = rowid;
        n = 1;
    }
    uint64_t hash = key_hashed ? *key_hashed
                    : n        ? identity_hash(model, key, n)
                               : 0;
    size_t slot = 0;
    if (n && !defer && identity_reserve(&s->map, 1))
        return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    long found = n && !defer ? identity_probe(&s->map, model, key, n, hash,
                                              session_key_of, s, &slot)
                             : -1;
    if (found >= 0) {
        orm_record *rec = s->map.slots[found].rec;
        if (rec->state == ORM_RECORD_CLEAN) {
            /* Unchanged: show what the database holds now. Undo entries
             * may point into the old values: a clean record has nothing
             * to undo anyway. */
            session_undo_forget(s, rec);
            for (size_t i = 0; i < model->ncolumns; i++) {
                orm_value b = ORM_VALUE_NULL_INIT;
                if (record_stored_set(rec, i, stored ? &stored[i] : NULL))
                    return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
                if (orm_value_copy(&b, &row[i]))
                    return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
                orm_value_clear(&rec->values[i]);
                orm_value_clear(&rec->original[i]);
                rec->original[i] = b;
                record_alias(rec, i);
            }
        }
        *out = rec;
        return 0;
    }
    char *storage;
    orm_record *rec = NULL;
    int rc = record_new_loaded(&rec, &s->slab, model, bytes, &storage);
    if (rc)
        return orm_error_set(&s->err, rc, "out of memory");
    orm_value *original = rec->original; /* values share it */
    for (size_t i = 0, ncols = model->ncolumns; i < ncols; i++) {
        orm_value v = row[i];
        if (v.kind == ORM_VTEXT || v.kind == ORM_VBLOB) {
            size_t len = v.u.s.len;
            if (len)
                memcpy(storage, v.u.s.ptr, len);
            storage[len] = '\0';
            v.u.s.ptr = storage;
            storage += len + 1;
        }
        v.owned = 0; /* the bytes live and die with the record */
        original[i] = v;
    }
    for (size_t i = 0; stored && i < model->ncolumns; i++) {
        if (record_stored_set(rec, i, &stored[i])) {
            record_destroy(rec);
            return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
        }
    }
    if (rowid && orm_value_copy(&rec->rowid, rowid)) {
        record_destroy(rec);
        return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    }
    rec->state = ORM_RECORD_CLEAN;
    rec->map_hash = hash;
    rec->in_identity = n != 0; /* deferred: session_map_loaded puts it in */
    if (n && !defer) /* where the probe stopped: nothing touched it since */
        identity_put_at(&s->map, slot, hash, rec);
    session_link_record(s, rec);
    *out = rec;
    return 0;
}

int session_load_row(orm_session *s, const orm_model *m, db_stmt *st,
                     int with_rowid, int defer, orm_record **out)
{
    enum { ON_STACK = 16 };
    orm_db *db = s->db;
    const size_t n = m->ncolumns;
    orm_value stack[ON_STACK], rowid = ORM_VALUE_NULL_INIT;
    orm_value *row = n <= ON_STACK ? stack : orm_calloc(n, sizeof *row);
    /* The database's own form of the few values normalizing changed. */
    orm_value *stored = NULL, one_stored;
    size_t read = 0, bytes = 0;
    int rc = 0, owned = 0;
    if (!row)
        return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    /* The key's hash as soon as its columns are read, and a prefetch of
     * its identity-map slot: in a map of 100k records that slot is a
     * cache miss, and reading the other columns hides it. (Should the
     * map grow in load_impl, the prefetch was only a wasted hint.) */
    const int *pk;
    size_t npk = session_pk(s, m, &pk), last_pk = (size_t)-1;
    uint64_t hash;
    int hashed = 0;
    if (npk && npk <= ORM_MAX_KEY) {
        last_pk = 0;
        for (size_t i = 0; i < npk; i++)
            if ((size_t)pk[i] > last_pk)
                last_pk = (size_t)pk[i];
    }
    /* Borrowed values as the driver hands them out; only a normalized
     * one may own bytes. */
    for (; read < n; read++) {
        orm_value *v = &row[read];
        if ((rc = db_stmt_column_stored(db, st, read, &m->columns[read], v,
                                        &one_stored)) != 0)
            break;
        owned |= v->owned;
        if (one_stored.kind != ORM_VNULL && !stored &&
            !(stored = orm_calloc(n, sizeof *stored))) {
            orm_value_clear(&one_stored);
            rc = orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
            read++;
            break;
        }
        if (stored)
            stored[read] = one_stored;
        if (v->kind == ORM_VTEXT || v->kind == ORM_VBLOB)
            bytes += v->u.s.len + 1;
        if (read == last_pk) {
            const orm_value *key[ORM_MAX_KEY];
            for (size_t i = 0; i < npk; i++)
                key[i] = &row[pk[i]];
            hash = identity_hash(m, key, npk);
            hashed = 1;
            if (!defer)
                identity_prefetch(&s->map, hash);
        }
    }
    if (rc == 0 && with_rowid)
        rc = db_stmt_column(db, st, n, NULL, &rowid);
    if (rc == 0)
        rc = load_impl(s, m, row, stored, bytes, with_rowid ? &rowid : NULL,
                       hashed ? &hash : NULL, defer, out);
    else
        rc = session_fail(s, &db->err);
    for (size_t i = 0; owned && i < read; i++)
        if (row[i].owned)
            orm_value_clear(&row[i]);
    orm_value_clear(&rowid);
    for (size_t i = 0; stored && i < n; i++)
        orm_value_clear(&stored[i]);
    free(stored);
    if (row != stack)
        free(row);
    return rc;
}

int orm_session_attach(orm_session *s, const orm_model *model,
                       const orm_value *loaded, const orm_value *stored,
                       const orm_value *rowid, orm_record **out)
{
    session_changed(s);
    size_t bytes = 0;
    *out = NULL;
    for (size_t i = 0; i < model->ncolumns; i++)
        if (loaded[i].kind == ORM_VTEXT || loaded[i].kind == ORM_VBLOB)
            bytes += loaded[i].u.s.len + 1;
    const int *pk;
    int keyless = session_pk(s, model, &pk) == 0;
    orm_record *rec = NULL;
    int rc =
        load_impl(s, model, loaded, stored, bytes,
                  keyless && rowid && rowid->kind != ORM_VNULL ? rowid : NULL,
                  NULL, 0, &rec);
    if (rc)
        return rc;
    if (rec->state != ORM_RECORD_CLEAN) {
        char *repr = orm_record_repr(rec);
        rc = orm_error_set(&s->err, ORM_EINVALID,
                           "%s already has pending changes in this session",
                           repr ? repr : model->table);
        free(repr);
        return rc;
    }
    *out = rec;
    return 0;
}

int session_map_empty(const orm_session *s)
{
    return s->map.count == 0;
}

int session_map_loaded(orm_session *s, orm_record **recs,
                       const loaded_key *keys, size_t nkeys)
{
    size_t *order = orm_malloc((nkeys ? nkeys : 1) * sizeof *order);
    int sorted = order && identity_reserve(&s->map, nkeys) == 0 &&
                 identity_slot_order(&s->map, keys, nkeys, order) == 0;
    int rc = 0;
    for (size_t j = 0; j < nkeys; j++) {
        const loaded_key *k = &keys[sorted ? order[j] : j];
        orm_record **slot = &recs[k->index], *kept;
        if (!sorted && identity_reserve(&s->map, 1)) {
            /* Out of memory: what cannot be placed leaves the session. */
            (*slot)->in_identity = 0;
            orm_session_expunge(s, *slot);
            *slot = NULL;
            rc = ORM_ENOMEM;
        } else if ((kept = identity_put_new(&s->map, k->hash, *slot,
                                            session_key_of, s)) != NULL) {
            /* The same key twice in one result: the second gives way (a
             * load without deferring would have refreshed the first). */
            (*slot)->in_identity = 0;
            session_unlink_record(s, *slot);
            record_destroy(*slot);
            *slot = kept;
        }
    }
    free(order);
    return rc ? orm_error_set(&s->err, ORM_ENOMEM, "out of memory") : 0;
}

/* ---- get / refresh ---- */

/* Run the SELECT of one row by key (pk values, or the rowid when
 * `by_rowid`); on ORM_ROW `st` is on that row, and the caller releases
 * it. Also says whether the rowid is selected after the columns. */
static int select_by_key(orm_session *s, const orm_model *m,
                         const orm_value *const *key, size_t nkey, int by_rowid,
                         db_stmt *st, int *with_rowid)
{
    orm_db *db = s->db;
    const orm_driver *drv = db->driver;
    sql_builder sb;
    const int *pk;
    int want_rowid =
        session_pk(s, m, &pk) == 0 && drv->rowid_column && !m->is_view;
    int rc;
    *with_rowid = want_rowid;
    /* The text depends on the model, rowid or key, and which key values
     * are NULL (IS NULL has no parameter): a run of gets builds it once
     * and then only binds. */
    unsigned char shape[4 + sizeof m + ORM_MAX_KEY];
    size_t shape_len = 0;
    memcpy(shape, "get", 3);
    memcpy(shape + 3, &m, sizeof m);
    shape[3 + sizeof m] = (unsigned char)by_rowid;
    if (nkey <= ORM_MAX_KEY) {
        shape_len = 4 + sizeof m + nkey;
        for (size_t i = 0; i < nkey; i++)
            shape[4 + sizeof m + i] = key[i]->kind == ORM_VNULL;
    }
    const char *cached =
        shape_len ? session_sql_cached(s, shape, shape_len) : NULL;
    sql_init(&sb, drv);
    sb.params_only = cached != NULL;
    if (!cached) {
        sql_raw(&sb, "SELECT ");
        for (size_t i = 0; i < m->ncolumns; i++) {
            if (i)
                sql_raw(&sb, ", ");
            sql_ident(&sb, m->columns[i].name);
        }
        if (want_rowid) {
            sql_raw(&sb, ", ");
            sql_raw(&sb, drv->rowid_column);
        }
        sql_raw(&sb, " FROM ");
        sql_table(&sb, m);
        sql_raw(&sb, " WHERE ");
    }
    if (by_rowid) {
        sql_raw(&sb, drv->rowid_column);
        sql_raw(&sb, " = ");
        sql_param(&sb, key[0], ORM_TYPE_COUNT);
    } else {
        for (size_t i = 0; i < nkey; i++) {
            if (i)
                sql_raw(&sb, " AND ");
            sql_match(&sb, &m->columns[pk[i]], key[i]);
        }
    }
    if (!sql_ok(&sb)) {
        rc = orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    const char *sql = cached ? cached : orm_buf_str(&sb.text);
    if (!cached && shape_len)
        session_sql_remember(s, shape, shape_len, sql);
    rc = db_stmt_acquire(db, sql, sb.nparams, 0, st);
    if (rc == 0)
        rc = db_stmt_bind(db, st, sb.params, sb.types, sb.nparams);
    if (rc == 0)
        rc = db_stmt_step(db, st);
    if (rc < 0 && rc != ORM_ENOMEM)
        session_fail(s, &db->err);
done:
    sql_free(&sb);
    return rc;
}

int session_select_row(orm_session *s, const orm_model *m,
                       const orm_value *const *key, size_t nkey, int by_rowid,
                       orm_value *row, orm_value *stored, orm_value *rowid)
{
    orm_db *db = s->db;
    db_stmt st = {NULL, -1};
    int with_rowid;
    int rc = select_by_key(s, m, key, nkey, by_rowid, &st, &with_rowid);
    /* The model's columns, then the rowid when it was selected. */
    for (size_t i = 0; i < m->ncolumns + (size_t)with_rowid && rc == ORM_ROW;
         i++) {
        int is_rowid = i == m->ncolumns;
        orm_value v = ORM_VALUE_NULL_INIT, raw = ORM_VALUE_NULL_INIT;
        int crc = is_rowid ? db_stmt_column(db, &st, i, NULL, &v)
                           : db_stmt_column_stored(db, &st, i, &m->columns[i],
                                                   &v, &raw);
        if (crc == 0)
            crc = orm_value_copy(is_rowid ? rowid : &row[i], &v);
        if (crc == 0 && stored && !is_rowid)
            stored[i] = raw; /* taken */
        else
            orm_value_clear(&raw);
        orm_value_clear(&v);
        if (crc)
            rc = crc == ORM_ENOMEM
                     ? orm_error_set(&s->err, crc, "out of memory")
                     : session_fail(s, &db->err);
    }
    db_stmt_release(db, &st);
    return rc;
}

int orm_session_get(orm_session *s, const orm_model *model,
                    const orm_value *pk_values, orm_record **out)
{
    const int *pk;
    const orm_value *key[ORM_MAX_KEY];
    size_t n = session_pk(s, model, &pk);
    int by_rowid = 0, with_rowid;
    *out = NULL;
    if (n > ORM_MAX_KEY)
        return orm_error_set(&s->err, ORM_EUNSUPPORTED,
                             "%s: primary key has too many columns",
                             model->table);
    if (n == 0) {
        if (!s->db->driver->rowid_column || model->is_view)
            return orm_error_set(&s->err, ORM_EUNSUPPORTED,
                                 "%s has no primary key", model->table);
        n = 1;
        by_rowid = 1;
    }
    for (size_t i = 0; i < n; i++)
        key[i] = &pk_values[i];
    long found = identity_find(&s->map, model, key, n,
                               identity_hash(model, key, n), session_key_of, s);
    if (found >= 0) {
        *out = s->map.slots[found].rec;
        return ORM_ROW;
    }
    db_stmt st = {NULL, -1};
    int rc = select_by_key(s, model, key, n, by_rowid, &st, &with_rowid);
    if (rc == ORM_ROW) {
        rc = session_load_row(s, model, &st, with_rowid, 0, out);
        if (rc == 0)
            rc = ORM_ROW;
    }
    db_stmt_release(s->db, &st);
    return rc;
}

int orm_session_refresh(orm_session *s, orm_record *rec)
{
    session_changed(s);
    const orm_model *m = rec->model;
    const orm_value *key[ORM_MAX_KEY];
    const int *pk;
    size_t n = session_record_key(s, rec, key);
    int by_rowid = session_pk(s, m, &pk) == 0;
    if (rec->session != s || n == 0 || rec->state == ORM_RECORD_NEW)
        return orm_error_set(&s->err, ORM_EINVALID,
                             "only records stored in the database can be "
                             "refreshed");
    orm_value *row = orm_calloc(2 * m->ncolumns + 1, sizeof *row);
    orm_value rowid = ORM_VALUE_NULL_INIT;
    if (!row)
        return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    orm_value *stored = row + m->ncolumns;
    int rc = session_select_row(s, m, key, n, by_rowid, row, stored, &rowid);
    if (rc == ORM_DONE) {
        char *repr = orm_record_repr(rec);
        rc = orm_error_set(&s->err, ORM_ENOTFOUND,
                           "%s no longer exists in the database",
                           repr ? repr : m->table);
        free(repr);
    } else if (rc == ORM_ROW) {
        for (size_t i = 0; rc == ORM_ROW && i < m->ncolumns; i++)
            if (record_stored_set(rec, i, &stored[i]))
                rc = orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    }
    if (rc == ORM_ROW) {
        session_undo_forget(s, rec);
        session_pending_remove(s, rec);
        for (size_t i = 0; i < m->ncolumns; i++) {
            orm_value_clear(&rec->values[i]);
            orm_value_clear(&rec->original[i]);
            rec->original[i] = row[i];
            row[i] = orm_value_null();
            rec->changed[i] = 0;
            record_alias(rec, i);
        }
        rec->state = ORM_RECORD_CLEAN;
        rc = 0;
    }
    for (size_t i = 0; i < 2 * m->ncolumns; i++)
        orm_value_clear(&row[i]);
    orm_value_clear(&rowid);
    free(row);
    return rc;
}

/* The row as the database holds it now, normalized; with `stored`, also
 * the database's own form of the values normalizing changed, after them
 * in the same array (current[ncolumns + i]). */
static int fetch_current(orm_session *s, orm_record *rec, orm_value **current,
                         int stored)
{
    const orm_model *m = rec->model;
    const orm_value *key[ORM_MAX_KEY];
    const int *pk;
    size_t n = session_record_key(s, rec, key);
    int by_rowid = session_pk(s, m, &pk) == 0;
    *current = NULL;
    if (rec->session != s || n == 0 || rec->state == ORM_RECORD_NEW)
        return orm_error_set(&s->err, ORM_EINVALID,
                             "only records stored in the database have a "
                             "current row");
    size_t width = stored ? 2 * m->ncolumns : m->ncolumns;
    orm_value *row = orm_calloc(width + 1, sizeof *row);
    orm_value rowid = ORM_VALUE_NULL_INIT;
    if (!row)
        return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    int rc = session_select_row(s, m, key, n, by_rowid, row,
                                stored ? row + m->ncolumns : NULL, &rowid);
    orm_value_clear(&rowid);
    if (rc == ORM_ROW) {
        *current = row;
        return 0;
    }
    for (size_t i = 0; i < width; i++)
        orm_value_clear(&row[i]);
    free(row);
    if (rc == ORM_DONE) {
        char *repr = orm_record_repr(rec);
        rc = orm_error_set(&s->err, ORM_ENOTFOUND,
                           "%s was deleted by someone else",
                           repr ? repr : m->table);
        free(repr);
    }
    return rc;
}

int orm_session_fetch_current(orm_session *s, orm_record *rec,
                              orm_value **current)
{
    return fetch_current(s, rec, current, 0);
}

int orm_session_rebase(orm_session *s, orm_record *rec)
{
    session_changed(s);
    orm_value *current = NULL;
    size_t n = rec->model->ncolumns;
    int rc = fetch_current(s, rec, &current, 1);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (record_stored_set(rec, i, &current[n + i]))
            rc = orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        orm_value_clear(&current[n + i]);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            orm_value_clear(&current[i]);
        free(current);
        return rc;
    }
    /* Undo entries may point into the old loaded values. */
    session_undo_forget(s, rec);
    for (size_t i = 0; i < rec->model->ncolumns; i++) {
        orm_value_clear(&rec->original[i]);
        rec->original[i] = current[i];
        if (!rec->changed[i]) {
            record_alias(rec, i);
        } else {
            rec->changed[i] =
                !orm_value_equal(&rec->values[i], &rec->original[i]);
        }
    }
    free(current);
    if (s->failed == rec)
        s->failed = NULL;
    return session_settle_state(s, rec);
}
