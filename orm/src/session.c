/*
 * The session: identity map, pending changes with undo, and commit — one
 * transaction, inserts parents-first, updates and deletes guarded by the
 * values the user saw, rollback that keeps everything pending on failure.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "session_state.h"
#include "alloc.h"

/* ---- keys and the identity map (the map itself: identity.c) ---- */

/* Primary key columns of a model, remembered for the last model asked
 * about (a load of many rows asks once per row). */
size_t session_pk(orm_session *s, const orm_model *m, const int **pk)
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
size_t session_record_key(orm_session *s, const orm_record *rec,
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
size_t session_key_of(void *ctx, const orm_record *rec, const orm_value **key)
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

static int pending_grow(orm_session *s)
{
    size_t cap = s->pending_cap ? s->pending_cap * 2 : 16;
    orm_record **p = orm_realloc(s->pending, cap * sizeof *p);
    if (!p)
        return ORM_ENOMEM;
    s->pending = p;
    s->pending_cap = cap;
    return 0;
}

static int pending_add(orm_session *s, orm_record *rec)
{
    if (rec->pending_index >= 0)
        return 0;
    if (s->npending == s->pending_cap && pending_grow(s) != 0)
        return ORM_ENOMEM;
    rec->pending_index = (int)s->npending;
    s->pending[s->npending++] = rec;
    return 0;
}

void session_pending_remove(orm_session *s, orm_record *rec)
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
int session_settle_state(orm_session *s, orm_record *rec)
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

void session_changed(orm_session *s)
{
    s->generation++;
}

unsigned long orm_session_generation(const orm_session *s)
{
    return s->generation;
}

static int undo_push(orm_session *s, undo_entry e)
{
    e.group = s->group;
    s->generation++;
    if (s->nundo == s->undo_cap) {
        size_t cap = s->undo_cap ? s->undo_cap * 2 : 32;
        undo_entry *u = orm_realloc(s->undo, cap * sizeof *u);
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
void session_undo_forget(orm_session *s, const orm_record *rec)
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
    undo_entry e = {UNDO_SET, rec, col, *old, old_changed, rec->state, 0};
    int rc = undo_push(s, e);
    if (rc)
        return rc;
    if (s->failed == rec) /* changed since: no longer known to fail */
        s->failed = NULL;
    if ((rc = session_settle_state(s, rec)) != 0) {
        s->nundo--;
        return rc;
    }
    return 0;
}

/* ---- lifetime ---- */

int orm_session_new(orm_session **out, orm_db *db)
{
    orm_session *s = orm_calloc(1, sizeof *s);
    *out = NULL;
    if (!s) /* no session to hold the message: the database has it */
        return orm_error_set(&db->err, ORM_ENOMEM,
                             "out of memory: cannot make a session");
    s->db = db;
    *out = s;
    return 0;
}

void session_link_record(orm_session *s, orm_record *rec)
{
    rec->session = s;
    rec->prev_all = NULL;
    rec->next_all = s->all;
    if (s->all)
        s->all->prev_all = rec;
    s->all = rec;
}

void session_unlink_record(orm_session *s, orm_record *rec)
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
    s->generation++;
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
        UNDO_ADD, rec, 0, ORM_VALUE_NULL_INIT, 0, ORM_RECORD_TRANSIENT, 0};
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
    undo_entry e = {UNDO_DELETE, rec, 0, ORM_VALUE_NULL_INIT, 0, rec->state, 0};
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

void orm_session_group_begin(orm_session *s)
{
    s->group = ++s->groups;
}

void orm_session_group_end(orm_session *s)
{
    s->group = 0;
}

static int undo_one(orm_session *s);

int orm_session_undo(orm_session *s)
{
    if (s->nundo == 0)
        return ORM_DONE;
    s->generation++;
    /* A group goes back whole, latest change first. */
    unsigned long group = s->undo[s->nundo - 1].group;
    int rc = 0;
    do
        rc = undo_one(s);
    while (rc == 0 && group && s->nundo &&
           s->undo[s->nundo - 1].group == group);
    return rc;
}

static int undo_one(orm_session *s)
{
    /* Undoing can put a record back on the pending list: make room first,
     * so that running out of memory leaves the change and its undo entry
     * as they were. */
    if (s->npending == s->pending_cap && pending_grow(s) != 0)
        return orm_error_set(&s->err, ORM_ENOMEM,
                             "out of memory: nothing was undone");
    undo_entry e = s->undo[--s->nundo];
    if (s->failed == e.rec)
        s->failed = NULL;
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
    s->generation++;
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
    s->generation++;
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
    char *copy_shape = orm_malloc(len ? len : 1);
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
    s->generation++;
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
            /* A column orb wrote holds what orb wrote. */
            if (rec->changed[c] ||
                !orm_value_equal(&rec->values[c], &rec->original[c]))
                record_stored_set(rec, c, NULL);
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
