/*
 * The session: identity map, pending changes with undo, and commit — one
 * transaction, inserts parents-first, updates and deletes guarded by the
 * values the user saw, rollback that keeps everything pending on failure.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef enum undo_kind { UNDO_SET, UNDO_ADD, UNDO_DELETE } undo_kind;

typedef struct undo_entry {
    undo_kind kind;
    orm_record *rec;
    size_t col;
    orm_value old;
    int old_changed;
    orm_record_state old_state;
} undo_entry;

#define SESSION_SQL_CACHE 8

struct orm_session {
    orm_db *db;
    orm_error err;
    orm_record *all;  /* every record the session owns */
    identity_map map; /* one record per key (identity.c) */
    orm_record **pending;
    size_t npending, pending_cap;
    undo_entry *undo;
    size_t nundo, undo_cap;
    orm_record *failed;
    /* Query SQL by shape (query.c): repeated queries skip the text. */
    struct {
        char *shape;
        size_t len;
        char *sql;
    } sql_cache[SESSION_SQL_CACHE];
    size_t sql_cache_next;
    /* Primary key columns of the last model looked up (session_pk). */
    const orm_model *pk_model;
    const orm_column *pk_columns;
    size_t pk_ncolumns, npk;
    int pk[ORM_MAX_KEY];
    int began;        /* orm_session_begin opened the database's transaction */
    orm_buf shape;    /* scratch for query shapes (query.c) */
    record_slab slab; /* where loaded records are carved from */
};

/* ---- keys and the identity map (the map itself: identity.c) ---- */

/* Primary key columns of a model, remembered for the last model asked
 * about (a load of many rows asks once per row). */
static size_t session_pk(orm_session *s, const orm_model *m, const int **pk)
{
    if (s->pk_model != m || s->pk_columns != m->columns ||
        s->pk_ncolumns != m->ncolumns) {
        s->npk = orm_model_pk(m, s->pk, ORM_MAX_KEY);
        s->pk_model = m;
        s->pk_columns = m->columns;
        s->pk_ncolumns = m->ncolumns;
    }
    *pk = s->pk;
    return s->npk;
}

/* Key values of a record (pk, else rowid). Returns the count. */
static size_t session_record_key(orm_session *s, const orm_record *rec,
                                 const orm_value **key)
{
    const int *pk;
    size_t n = session_pk(s, rec->model, &pk);
    if (n == 0 || n > ORM_MAX_KEY) {
        key[0] = &rec->rowid;
        return rec->rowid.kind == ORM_VNULL ? 0 : 1;
    }
    for (size_t i = 0; i < n; i++)
        key[i] = rec->state == ORM_RECORD_NEW ? &rec->values[pk[i]]
                                              : &rec->original[pk[i]];
    return n;
}

/* The identity map's way to a record's key. */
static size_t session_key_of(void *ctx, const orm_record *rec,
                             const orm_value **key)
{
    return session_record_key(ctx, rec, key);
}

static int map_insert(orm_session *s, orm_record *rec)
{
    const orm_value *key[ORM_MAX_KEY];
    size_t n = session_record_key(s, rec, key);
    if (n == 0)
        return 0;
    if (identity_reserve(&s->map, 1))
        return ORM_ENOMEM;
    rec->map_hash = identity_hash(rec->model, key, n);
    rec->in_identity = 1;
    identity_put(&s->map, rec->map_hash, rec);
    return 0;
}

static void map_remove(orm_session *s, orm_record *rec)
{
    if (rec->in_identity && identity_remove(&s->map, rec, rec->map_hash))
        rec->in_identity = 0;
}

/* ---- pending list ---- */

static int pending_add(orm_session *s, orm_record *rec)
{
    if (rec->pending_index >= 0)
        return 0;
    if (s->npending == s->pending_cap) {
        size_t cap = s->pending_cap ? s->pending_cap * 2 : 16;
        orm_record **p = realloc(s->pending, cap * sizeof *p);
        if (!p)
            return ORM_ENOMEM;
        s->pending = p;
        s->pending_cap = cap;
    }
    rec->pending_index = (int)s->npending;
    s->pending[s->npending++] = rec;
    return 0;
}

static void session_pending_remove(orm_session *s, orm_record *rec)
{
    if (rec->pending_index < 0)
        return;
    size_t i = (size_t)rec->pending_index;
    memmove(&s->pending[i], &s->pending[i + 1],
            (s->npending - i - 1) * sizeof *s->pending);
    s->npending--;
    for (size_t j = i; j < s->npending; j++)
        s->pending[j]->pending_index = (int)j;
    rec->pending_index = -1;
}

/* After a change to a loaded record: CLEAN or DIRTY, pending or not. */
static int session_settle_state(orm_session *s, orm_record *rec)
{
    if (rec->state != ORM_RECORD_CLEAN && rec->state != ORM_RECORD_DIRTY)
        return 0;
    int any = 0;
    for (size_t i = 0; i < rec->model->ncolumns && !any; i++)
        any = rec->changed[i];
    rec->state = any ? ORM_RECORD_DIRTY : ORM_RECORD_CLEAN;
    if (any)
        return pending_add(s, rec);
    session_pending_remove(s, rec);
    return 0;
}

/* ---- undo log ---- */

static int undo_push(orm_session *s, undo_entry e)
{
    if (s->nundo == s->undo_cap) {
        size_t cap = s->undo_cap ? s->undo_cap * 2 : 32;
        undo_entry *u = realloc(s->undo, cap * sizeof *u);
        if (!u)
            return ORM_ENOMEM;
        s->undo = u;
        s->undo_cap = cap;
    }
    s->undo[s->nundo++] = e;
    return 0;
}

static void undo_clear(orm_session *s)
{
    for (size_t i = 0; i < s->nundo; i++)
        orm_value_clear(&s->undo[i].old);
    s->nundo = 0;
}

/* Forget undo entries of one record (it was reverted or expunged). */
static void session_undo_forget(orm_session *s, const orm_record *rec)
{
    size_t w = 0;
    for (size_t i = 0; i < s->nundo; i++) {
        if (s->undo[i].rec == rec)
            orm_value_clear(&s->undo[i].old);
        else
            s->undo[w++] = s->undo[i];
    }
    s->nundo = w;
}

int session_note_set(orm_session *s, orm_record *rec, size_t col,
                     const orm_value *old, int old_changed)
{
    undo_entry e = {UNDO_SET, rec, col, *old, old_changed, rec->state};
    int rc = undo_push(s, e);
    if (rc)
        return rc;
    if ((rc = session_settle_state(s, rec)) != 0) {
        s->nundo--;
        return rc;
    }
    return 0;
}

/* ---- lifetime ---- */

int orm_session_new(orm_session **out, orm_db *db)
{
    orm_session *s = calloc(1, sizeof *s);
    if (!s)
        return ORM_ENOMEM;
    s->db = db;
    *out = s;
    return 0;
}

static void session_link_record(orm_session *s, orm_record *rec)
{
    rec->session = s;
    rec->prev_all = NULL;
    rec->next_all = s->all;
    if (s->all)
        s->all->prev_all = rec;
    s->all = rec;
}

static void session_unlink_record(orm_session *s, orm_record *rec)
{
    if (rec->prev_all)
        rec->prev_all->next_all = rec->next_all;
    else if (s->all == rec)
        s->all = rec->next_all;
    if (rec->next_all)
        rec->next_all->prev_all = rec->prev_all;
    rec->next_all = rec->prev_all = NULL;
}

void orm_session_expunge(orm_session *s, orm_record *rec)
{
    if (!rec || rec->session != s)
        return;
    map_remove(s, rec);
    session_pending_remove(s, rec);
    session_undo_forget(s, rec);
    session_unlink_record(s, rec);
    if (s->failed == rec)
        s->failed = NULL;
    record_destroy(rec);
}

/* ---- an explicit transaction ---- */

int orm_session_begin(orm_session *s)
{
    if (s->db->in_transaction)
        return orm_error_set(&s->err, ORM_EINVALID,
                             "a transaction is already open on this database");
    int rc = db_begin(s->db);
    if (rc)
        return session_fail(s, &s->db->err);
    s->began = 1;
    return 0;
}

int session_in_transaction(const orm_session *s)
{
    return s->began && s->db->in_transaction;
}

void session_transaction_ended(orm_session *s)
{
    s->began = 0;
}

/* End the transaction orm_session_begin opened, if it is still open. */
static int end_transaction(orm_session *s, int commit)
{
    int rc = 0;
    if (session_in_transaction(s)) {
        rc = commit ? db_commit(s->db) : db_rollback(s->db);
        if (rc)
            session_fail(s, &s->db->err);
    }
    s->began = 0;
    return rc;
}

int session_commit_empty(orm_session *s)
{
    return end_transaction(s, 1);
}

void orm_session_free(orm_session *s)
{
    if (!s)
        return;
    end_transaction(s, 0);
    undo_clear(s);
    while (s->all) {
        orm_record *next = s->all->next_all;
        record_destroy(s->all);
        s->all = next;
    }
    record_slab_release(&s->slab);
    identity_free(&s->map);
    free(s->pending);
    free(s->undo);
    orm_buf_free(&s->shape);
    for (size_t i = 0; i < SESSION_SQL_CACHE; i++) {
        free(s->sql_cache[i].shape);
        free(s->sql_cache[i].sql);
    }
    orm_error_clear(&s->err);
    free(s);
}

orm_db *orm_session_db(const orm_session *s)
{
    return s->db;
}

const orm_error *orm_session_error(const orm_session *s)
{
    return &s->err;
}

orm_error *session_err(orm_session *s)
{
    return &s->err;
}

int session_fail(orm_session *s, const orm_error *err)
{
    orm_error_copy(&s->err, err);
    return err->code;
}

/* ---- add, delete, load ---- */

static int apply_defaults(orm_record *rec, orm_error *err)
{
    const orm_model *m = rec->model;
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *c = &m->columns[i];
        if (rec->changed[i] || rec->values[i].kind != ORM_VNULL)
            continue;
        orm_value v = ORM_VALUE_NULL_INIT;
        int rc = 0;
        if (c->default_gen)
            rc = orm_default_generate(&v, c->default_gen, err);
        else if (c->default_value)
            rc = orm_filter_parse_literal(&v, c->default_value, c, err);
        else
            continue;
        if (rc) {
            orm_error_set_column(err, c->name);
            return rc;
        }
        rec->values[i] = v;
        rec->changed[i] = 1;
    }
    return 0;
}

/* A view (or another read-only model) takes no add or delete. */
static int refuse_read_only(orm_session *s, const orm_model *m)
{
    orm_error_set(&s->err, ORM_EREADONLY, "%s cannot be changed: %s", m->table,
                  m->read_only);
    orm_error_set_table(&s->err, m->table);
    return ORM_EREADONLY;
}

int orm_session_add(orm_session *s, orm_record *rec)
{
    int rc;
    if (rec->session == s && rec->state != ORM_RECORD_TRANSIENT)
        return 0;
    if (rec->session || rec->state != ORM_RECORD_TRANSIENT)
        return orm_error_set(&s->err, ORM_EINVALID,
                             "record already belongs to a session");
    if (rec->model->read_only)
        return refuse_read_only(s, rec->model);
    if ((rc = apply_defaults(rec, &s->err)) != 0)
        return rc;
    undo_entry e = {
        UNDO_ADD, rec, 0, ORM_VALUE_NULL_INIT, 0, ORM_RECORD_TRANSIENT};
    if ((rc = undo_push(s, e)) != 0)
        return orm_error_set(&s->err, rc, "out of memory");
    rec->state = ORM_RECORD_NEW;
    if ((rc = pending_add(s, rec)) != 0) {
        s->nundo--;
        rec->state = ORM_RECORD_TRANSIENT;
        return orm_error_set(&s->err, rc, "out of memory");
    }
    session_link_record(s, rec);
    return 0;
}

int orm_session_delete(orm_session *s, orm_record *rec)
{
    int rc;
    if (rec->session != s)
        return orm_error_set(&s->err, ORM_EINVALID,
                             "record does not belong to this session");
    if (rec->state == ORM_RECORD_DELETED || rec->state == ORM_RECORD_GONE)
        return 0;
    if (rec->model->read_only)
        return refuse_read_only(s, rec->model);
    undo_entry e = {UNDO_DELETE, rec, 0, ORM_VALUE_NULL_INIT, 0, rec->state};
    if ((rc = undo_push(s, e)) != 0)
        return orm_error_set(&s->err, rc, "out of memory");
    if (rec->state == ORM_RECORD_NEW) {
        /* Never written: leave it out of the commit, but keep the record
         * so that undo can bring it back. */
        session_pending_remove(s, rec);
        rec->state = ORM_RECORD_DELETED;
        rec->pending_index = -1;
        return 0;
    }
    rec->state = ORM_RECORD_DELETED;
    if ((rc = pending_add(s, rec)) != 0) {
        s->nundo--;
        rec->state = e.old_state;
        return orm_error_set(&s->err, rc, "out of memory");
    }
    return 0;
}

/* A NEW record that was deleted before commit has no pending index and
 * state DELETED with nothing in the database: recognise it. */
static int session_never_written(const orm_record *rec)
{
    return rec->state == ORM_RECORD_DELETED && rec->pending_index < 0;
}

/* Make the record for a row just read (`row`: the model's columns, read
 * from the driver, borrowed or owned; `bytes`: the size of their text and
 * blobs, each NUL-terminated), or refresh the clean record the identity
 * map already has for its key. A new record holds its loaded text and
 * blobs in its own slab block. */
static int load_impl(orm_session *s, const orm_model *model,
                     const orm_value *row, size_t bytes, const orm_value *rowid,
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
    orm_value *row = n <= ON_STACK ? stack : calloc(n, sizeof *row);
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
        if ((rc = db_stmt_column(db, st, read, &m->columns[read], v)) != 0)
            break;
        owned |= v->owned;
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
        rc = load_impl(s, m, row, bytes, with_rowid ? &rowid : NULL,
                       hashed ? &hash : NULL, defer, out);
    else
        rc = session_fail(s, &db->err);
    for (size_t i = 0; owned && i < read; i++)
        if (row[i].owned)
            orm_value_clear(&row[i]);
    orm_value_clear(&rowid);
    if (row != stack)
        free(row);
    return rc;
}

int orm_session_attach(orm_session *s, const orm_model *model,
                       const orm_value *loaded, const orm_value *rowid,
                       orm_record **out)
{
    size_t bytes = 0;
    *out = NULL;
    for (size_t i = 0; i < model->ncolumns; i++)
        if (loaded[i].kind == ORM_VTEXT || loaded[i].kind == ORM_VBLOB)
            bytes += loaded[i].u.s.len + 1;
    const int *pk;
    int keyless = session_pk(s, model, &pk) == 0;
    orm_record *rec = NULL;
    int rc =
        load_impl(s, model, loaded, bytes,
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
    size_t *order = malloc((nkeys ? nkeys : 1) * sizeof *order);
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
                       orm_value *row, orm_value *rowid)
{
    orm_db *db = s->db;
    db_stmt st = {NULL, -1};
    int with_rowid;
    int rc = select_by_key(s, m, key, nkey, by_rowid, &st, &with_rowid);
    /* The model's columns, then the rowid when it was selected. */
    for (size_t i = 0; i < m->ncolumns + (size_t)with_rowid && rc == ORM_ROW;
         i++) {
        int is_rowid = i == m->ncolumns;
        orm_value v = ORM_VALUE_NULL_INIT;
        int crc =
            db_stmt_column(db, &st, i, is_rowid ? NULL : &m->columns[i], &v);
        if (crc == 0)
            crc = orm_value_copy(is_rowid ? rowid : &row[i], &v);
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
    const orm_model *m = rec->model;
    const orm_value *key[ORM_MAX_KEY];
    const int *pk;
    size_t n = session_record_key(s, rec, key);
    int by_rowid = session_pk(s, m, &pk) == 0;
    if (rec->session != s || n == 0 || rec->state == ORM_RECORD_NEW)
        return orm_error_set(&s->err, ORM_EINVALID,
                             "only records stored in the database can be "
                             "refreshed");
    orm_value *row = calloc(m->ncolumns + 1, sizeof *row);
    orm_value rowid = ORM_VALUE_NULL_INIT;
    if (!row)
        return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    int rc = session_select_row(s, m, key, n, by_rowid, row, &rowid);
    if (rc == ORM_DONE) {
        char *repr = orm_record_repr(rec);
        rc = orm_error_set(&s->err, ORM_ENOTFOUND,
                           "%s no longer exists in the database",
                           repr ? repr : m->table);
        free(repr);
    } else if (rc == ORM_ROW) {
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
    for (size_t i = 0; i < m->ncolumns; i++)
        orm_value_clear(&row[i]);
    orm_value_clear(&rowid);
    free(row);
    return rc;
}

int orm_session_fetch_current(orm_session *s, orm_record *rec,
                              orm_value **current)
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
    orm_value *row = calloc(m->ncolumns + 1, sizeof *row);
    orm_value rowid = ORM_VALUE_NULL_INIT;
    if (!row)
        return orm_error_set(&s->err, ORM_ENOMEM, "out of memory");
    int rc = session_select_row(s, m, key, n, by_rowid, row, &rowid);
    orm_value_clear(&rowid);
    if (rc == ORM_ROW) {
        *current = row;
        return 0;
    }
    for (size_t i = 0; i < m->ncolumns; i++)
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

int orm_session_rebase(orm_session *s, orm_record *rec)
{
    orm_value *current = NULL;
    int rc = orm_session_fetch_current(s, rec, &current);
    if (rc)
        return rc;
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

/* ---- undo, revert, rollback ---- */

static void revert_values(orm_record *rec)
{
    for (size_t i = 0; i < rec->model->ncolumns; i++) {
        if (!rec->changed[i])
            continue;
        record_alias(rec, i);
        rec->changed[i] = 0;
    }
}

int orm_session_undo(orm_session *s)
{
    if (s->nundo == 0)
        return ORM_DONE;
    undo_entry e = s->undo[--s->nundo];
    orm_record *rec = e.rec;
    switch (e.kind) {
    case UNDO_SET:
        orm_value_clear(&rec->values[e.col]);
        rec->values[e.col] = e.old;
        rec->changed[e.col] = (unsigned char)e.old_changed;
        return session_settle_state(s, rec) ? ORM_ENOMEM : 0;
    case UNDO_ADD:
        rec->state = ORM_RECORD_TRANSIENT;
        orm_session_expunge(s, rec);
        return 0;
    case UNDO_DELETE:
        rec->state = e.old_state;
        if (rec->state == ORM_RECORD_NEW)
            return pending_add(s, rec) ? ORM_ENOMEM : 0;
        session_pending_remove(s, rec);
        rec->state = ORM_RECORD_CLEAN;
        return session_settle_state(s, rec) ? ORM_ENOMEM : 0;
    }
    return 0;
}

int orm_session_revert(orm_session *s, orm_record *rec)
{
    if (rec->session != s)
        return ORM_EINVALID;
    if (rec->state == ORM_RECORD_NEW || session_never_written(rec)) {
        orm_session_expunge(s, rec);
        return 0;
    }
    session_undo_forget(s, rec);
    session_pending_remove(s, rec);
    revert_values(rec);
    if (rec->state != ORM_RECORD_GONE)
        rec->state = ORM_RECORD_CLEAN;
    return 0;
}

int orm_session_rollback(orm_session *s)
{
    orm_record *rec = s->all;
    while (rec) {
        orm_record *next = rec->next_all;
        if (rec->state == ORM_RECORD_NEW || session_never_written(rec)) {
            orm_session_expunge(s, rec);
        } else if (rec->state == ORM_RECORD_DIRTY ||
                   rec->state == ORM_RECORD_DELETED) {
            revert_values(rec);
            rec->state = ORM_RECORD_CLEAN;
            session_pending_remove(s, rec);
        }
        rec = next;
    }
    undo_clear(s);
    s->npending = 0;
    s->failed = NULL;
    orm_error_clear(&s->err);
    return end_transaction(s, 0);
}

size_t orm_session_pending_count(const orm_session *s)
{
    return s->npending;
}

orm_record *orm_session_pending_at(const orm_session *s, size_t i)
{
    return i < s->npending ? s->pending[i] : NULL;
}

orm_record *orm_session_failed_record(const orm_session *s)
{
    return s->failed;
}

orm_buf *session_shape_buf(orm_session *s)
{
    orm_buf_reset(&s->shape);
    return &s->shape;
}

const char *session_sql_cached(orm_session *s, const void *shape, size_t len)
{
    for (size_t i = 0; i < SESSION_SQL_CACHE; i++)
        if (s->sql_cache[i].shape && s->sql_cache[i].len == len &&
            memcmp(s->sql_cache[i].shape, shape, len) == 0)
            return s->sql_cache[i].sql;
    return NULL;
}

void session_sql_remember(orm_session *s, const void *shape, size_t len,
                          const char *sql)
{
    size_t i = s->sql_cache_next++ % SESSION_SQL_CACHE;
    char *copy_shape = malloc(len ? len : 1);
    char *copy_sql = orm_strdup(sql);
    if (!copy_shape || !copy_sql) {
        free(copy_shape);
        free(copy_sql);
        return; /* only a cache */
    }
    memcpy(copy_shape, shape, len);
    free(s->sql_cache[i].shape);
    free(s->sql_cache[i].sql);
    s->sql_cache[i].shape = copy_shape;
    s->sql_cache[i].len = len;
    s->sql_cache[i].sql = copy_sql;
}

/* Hooks for the commit, which lives in flush.c. */
orm_record **session_pending_array(orm_session *s, size_t *n)
{
    *n = s->npending;
    return s->pending;
}

void session_committed(orm_session *s)
{
    for (size_t i = 0; i < s->npending; i++) {
        orm_record *rec = s->pending[i];
        rec->pending_index = -1;
        if (rec->state == ORM_RECORD_DELETED) {
            map_remove(s, rec);
            rec->state = ORM_RECORD_GONE;
            continue;
        }
        /* A changed primary key moves the record in the identity map. */
        int rekey = 0;
        for (size_t c = 0; c < rec->model->ncolumns; c++)
            rekey |= rec->changed[c] && (rec->model->columns[c].flags & ORM_PK);
        if (rekey && rec->state == ORM_RECORD_DIRTY)
            map_remove(s, rec);
        /* The written values become the loaded ones (moved, not copied). */
        for (size_t c = 0; c < rec->model->ncolumns; c++) {
            if (!record_is_alias(rec, c)) {
                orm_value_clear(&rec->original[c]);
                rec->original[c] = rec->values[c];
                rec->values[c] = orm_value_null();
                record_alias(rec, c);
            }
            rec->changed[c] = 0;
        }
        if (rec->state == ORM_RECORD_NEW || rekey)
            map_insert(s, rec);
        record_reshare(rec);
        rec->state = ORM_RECORD_CLEAN;
    }
    s->npending = 0;
    undo_clear(s);
    s->failed = NULL;
    orm_error_clear(&s->err);
}

void session_set_failed(orm_session *s, orm_record *rec)
{
    s->failed = rec;
}
