/*
 * Commit: turn the session's pending records into INSERT, UPDATE and
 * DELETE statements, run them in one transaction, and on failure roll back
 * and keep everything pending with an error that names the record, the
 * column and the reason in plain words. The same code renders the plan
 * (the review screen's SQL with bound values) without running it.
 * Statements shared by many records are built in flush_batch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flush.h"
#include "alloc.h"

/* ---- order ---- */

/* Depth of a model among the models in play (parents have lower
 * ranks). `models` holds each distinct model once. */
static int model_rank(const orm_model *m, const orm_model **models, size_t n,
                      int depth)
{
    int rank = 0;
    if (depth > 16)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (models[i] != m && model_refers_to(m, models[i])) {
            int r = 1 + model_rank(models[i], models, n, depth + 1);
            if (r > rank)
                rank = r;
        }
    }
    return rank;
}

/* Ranks are at most 17 (model_rank stops at depth 16). */
#define RANK_SLOTS 32

/* Sort position: inserts and updates parents first, deletes children
 * first; ties keep the order the changes were made in. */
static size_t planned_bucket(const planned *p)
{
    int rank = p->rank < RANK_SLOTS ? p->rank : RANK_SLOTS - 1;
    return (size_t)p->phase * RANK_SLOTS +
           (size_t)(p->phase == FLUSH_DELETE ? RANK_SLOTS - 1 - rank : rank);
}

/* A stable counting sort: O(n) for a commit of any size. */
static int planned_sort(planned *plan, size_t n)
{
    size_t start[3 * RANK_SLOTS + 1] = {0};
    planned *sorted = orm_malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return ORM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        start[planned_bucket(&plan[i]) + 1]++;
    for (size_t b = 1; b <= 3 * RANK_SLOTS; b++)
        start[b] += start[b - 1];
    for (size_t i = 0; i < n; i++)
        sorted[start[planned_bucket(&plan[i])]++] = plan[i];
    memcpy(plan, sorted, n * sizeof *plan);
    free(sorted);
    return 0;
}

static planned *commit_order(orm_session *s, size_t *count)
{
    size_t n, nmodels = 0, cap = 8;
    orm_record **recs = session_pending_array(s, &n);
    planned *plan = orm_malloc((n ? n : 1) * sizeof *plan);
    const orm_model **models = orm_malloc(cap * sizeof *models);
    int *ranks = NULL;
    if (!plan || !models)
        goto fail;
    /* One pass over the records (a commit of 100k inserts must not walk
     * them more often than needed): each gets its phase and, for now, the
     * index of its model. Ranks are per model, computed once. */
    for (size_t i = 0; i < n; i++) {
        orm_record *r = recs[i];
        size_t j = 0;
        while (j < nmodels && models[j] != r->model)
            j++;
        if (j == nmodels) {
            if (nmodels == cap) {
                const orm_model **grown =
                    orm_realloc(models, 2 * cap * sizeof *models);
                if (!grown)
                    goto fail;
                models = grown;
                cap *= 2;
            }
            models[nmodels++] = r->model;
        }
        plan[i].rec = r;
        plan[i].phase = r->state == ORM_RECORD_NEW     ? FLUSH_INSERT
                        : r->state == ORM_RECORD_DIRTY ? FLUSH_UPDATE
                                                       : FLUSH_DELETE;
        plan[i].rank = (int)j;
    }
    if (!(ranks = orm_malloc((nmodels ? nmodels : 1) * sizeof *ranks)))
        goto fail;
    for (size_t j = 0; j < nmodels; j++)
        ranks[j] = model_rank(models[j], models, nmodels, 0);
    for (size_t i = 0; i < n; i++)
        plan[i].rank = ranks[plan[i].rank];
    free(models);
    free(ranks);
    if (planned_sort(plan, n)) {
        free(plan);
        return NULL;
    }
    *count = n;
    return plan;

fail:
    free(plan);
    free(models);
    free(ranks);
    return NULL;
}

/* ---- running or describing one statement ---- */

static void plan_append(flush_ctx *f, const sql_builder *sb)
{
    orm_buf *b = f->plan;
    orm_buf_append(b, orm_buf_str(&sb->text));
    orm_buf_append(b, ";\n");
    if (!sb->nparams)
        return;
    orm_buf_append(b, "-- [");
    for (size_t i = 0; i < sb->nparams; i++) {
        const orm_value *v = &sb->params[i];
        if (i)
            orm_buf_append(b, ", ");
        if (sb->masked[i] && v->kind != ORM_VNULL) {
            orm_buf_append(b, "'***'");
            continue;
        }
        char *text = orm_value_format(v, NULL);
        if (!text)
            orm_buf_append(b, "NULL");
        else if (v->kind == ORM_VTEXT || v->kind == ORM_VBLOB) {
            orm_buf_appendc(b, '\'');
            for (const char *p = text; *p; p++) {
                if (*p == '\'')
                    orm_buf_appendc(b, '\'');
                if (*p == '\r' && p[1] == '\n')
                    continue; /* CR LF: one line break */
                /* One statement a line: a line break in a value is drawn
                 * as the browser's grid draws it. */
                if (*p == '\n')
                    orm_buf_append(b, "\xE2\x86\xB5"); /* ↵ */
                else
                    orm_buf_appendc(b, *p);
            }
            orm_buf_appendc(b, '\'');
        } else
            orm_buf_append(b, text);
        free(text);
    }
    orm_buf_append(b, "]\n");
}

/* What one pending insert held before the commit. The values are
 * shallow copies: they borrow the record's bytes until the commit
 * replaces a value, and then own the old bytes (owned set) so that a
 * failed commit can put them back. */
typedef struct saved_values {
    orm_record *rec;
    orm_value *values;
} saved_values;

static int same_bytes(const orm_value *a, const orm_value *b)
{
    return (a->kind == ORM_VTEXT || a->kind == ORM_VBLOB) &&
           a->kind == b->kind && a->u.s.ptr == b->u.s.ptr;
}

/* Give column c of an inserted record the value the database returned
 * (taking `v`). The old bytes go to the commit's save while it still
 * borrows them, else they are freed. */
void flush_store_value(flush_ctx *f, orm_record *rec, size_t c, orm_value v)
{
    orm_value *old = &rec->values[c];
    saved_values *sv = f->saved && rec->pending_index >= 0
                           ? &f->saved[rec->pending_index]
                           : NULL;
    orm_value *save = sv && sv->values ? &sv->values[c] : NULL;
    if (save && !save->owned && same_bytes(save, old))
        save->owned = old->owned; /* the save keeps them alive now */
    else
        orm_value_clear(old);
    *old = v;
}

int flush_collect(flush_ctx *f, db_stmt *st, int returning)
{
    if (f->nsent == f->sent_cap) {
        size_t cap = f->sent_cap ? 2 * f->sent_cap : 16;
        flush_sent *grown = orm_realloc(f->sent, cap * sizeof *grown);
        if (!grown) {
            db_stmt_release(f->db, st);
            return orm_error_set(&f->db->err, ORM_ENOMEM, "out of memory");
        }
        f->sent = grown;
        f->sent_cap = cap;
    }
    f->sent[f->nsent++] = (flush_sent){*st, f->current, f->current_k,
                                       f->current_batch, returning};
    st->stmt = NULL;
    st->cache_index = -1;
    return 0;
}

/* Step an acquired, bound statement. *matched receives rows matched; a
 * RETURNING row is stored into rec->values, a generated key too. */
static int run_stmt(flush_ctx *f, db_stmt *st, orm_record *rec, int returning,
                    int64_t *matched)
{
    orm_db *db = f->db;
    int rc = db_stmt_step(db, st);
    if (rc == ORM_ROW && returning) {
        const orm_model *m = rec->model;
        for (size_t i = 0; i < m->ncolumns && rc == ORM_ROW; i++) {
            orm_value v = ORM_VALUE_NULL_INIT, copy = ORM_VALUE_NULL_INIT;
            int crc = db_stmt_column(db, st, i, &m->columns[i], &v);
            if (crc == 0 && (crc = orm_value_copy(&copy, &v)) == 0)
                flush_store_value(f, rec, i, copy);
            orm_value_clear(&v);
            if (crc)
                rc = crc;
        }
        if (rc == ORM_ROW)
            rc = db_stmt_step(db, st);
        *matched = 1;
    } else if (rc == ORM_DONE) {
        *matched = db->driver->rows_matched(st->stmt);
        if (!returning && rec && rec->state == ORM_RECORD_NEW) {
            /* Generated key without RETURNING. */
            int pk[ORM_MAX_KEY];
            size_t npk = orm_model_pk(rec->model, pk, ORM_MAX_KEY);
            for (size_t i = 0; i < npk && i < ORM_MAX_KEY; i++) {
                const orm_column *c = &rec->model->columns[pk[i]];
                int64_t id;
                if (rec->values[pk[i]].kind == ORM_VNULL &&
                    orm_column_is_autoinc(rec->model, c) &&
                    db->driver->last_insert_id(st->stmt, &id) == 0)
                    rec->values[pk[i]] = orm_value_int(id);
            }
        }
    }
    if (rc == ORM_DONE || rc == ORM_ROW)
        rc = 0;
    return rc;
}

int flush_statement(flush_ctx *f, sql_builder *sb, orm_record *rec,
                    int returning, int64_t *matched)
{
    if (!sql_ok(sb))
        return orm_error_set(&f->db->err, ORM_ENOMEM, "out of memory");
    if (f->plan) {
        plan_append(f, sb);
        *matched = 1;
        return 0;
    }
    orm_db *db = f->db;
    db_stmt st = {NULL, -1};
    int rc = db_stmt_acquire(db, orm_buf_str(&sb->text), sb->nparams, 0, &st);
    if (rc == 0)
        rc = db_stmt_bind(db, &st, sb->params, sb->types, sb->nparams);
    if (rc == 0 && f->collect) {
        /* Checked when it has run (flush_read_sent). */
        *matched = (int64_t)f->current_k;
        return flush_collect(f, &st, returning);
    }
    if (rc == 0)
        rc = run_stmt(f, &st, rec, returning, matched);
    db_stmt_release(db, &st);
    return rc;
}

/* ---- the three statements ---- */

int flush_insert_includes(const orm_record *rec, size_t i)
{
    const orm_column *c = &rec->model->columns[i];
    if (c->read_only) /* generated: the database writes it */
        return 0;
    if (rec->values[i].kind != ORM_VNULL)
        return 1;
    if (!rec->changed[i])
        return 0;
    /* NULL set on purpose: written, unless the database fills it in. */
    return !orm_column_is_autoinc(rec->model, c) && !c->server_default;
}

/* Does the database fill in column i of this insert (a server default,
 * a generated column)? Its value is read back after the INSERT. */
static int flush_filled_by_db(const orm_model *m, const orm_record *rec,
                              size_t i)
{
    return (m->columns[i].server_default || m->columns[i].read_only) &&
           !flush_insert_includes(rec, i);
}

/* RETURNING when the database fills in more than the key, or cannot
 * report the key otherwise. (SQLite materializes RETURNING rows in a
 * temporary table: last_insert_rowid is far cheaper when it suffices.) */
int flush_use_returning(const orm_driver *drv, const orm_record *rec)
{
    const orm_model *m = rec->model;
    if (!(drv->caps & ORM_CAP_RETURNING))
        return 0;
    if (!(drv->caps & ORM_CAP_LAST_INSERT_ID))
        return 1;
    for (size_t i = 0; i < m->ncolumns; i++)
        if (flush_filled_by_db(m, rec, i))
            return 1;
    return 0;
}

/* ---- kept statements ---- */

static void kept_forget(flush_ctx *f)
{
    db_stmt_release(f->db, &f->kept_st);
    f->kept_len = 0;
}

/* A shape's first byte: the phase, and whether it has RETURNING. */
#define SHAPE_RETURNING 0x4
/* A shape's byte per column of an UPDATE or DELETE: the column is set,
 * its loaded value is NULL. */
#define SHAPE_COLUMN_SET      0x1
#define SHAPE_COLUMN_WAS_NULL 0x2

/* What a statement's text depends on: the phase, RETURNING, the model,
 * and per column whether an INSERT names it, or whether an UPDATE sets
 * it and whether its loaded value is NULL (IS NULL rather than = ?).
 * Made in f->shape_scratch; returns its length, 0 when out of memory. */
static size_t stmt_shape(flush_ctx *f, const orm_record *rec, flush_phase phase,
                         int returning)
{
    const orm_model *m = rec->model;
    size_t len = 1 + sizeof m + m->ncolumns;
    if (f->shape_cap < len) {
        unsigned char *scratch = orm_realloc(f->shape_scratch, len);
        if (scratch)
            f->shape_scratch = scratch;
        unsigned char *kept = orm_realloc(f->kept_shape, len);
        if (kept)
            f->kept_shape = kept;
        if (!scratch || !kept)
            return 0;
        f->shape_cap = len;
    }
    unsigned char *p = f->shape_scratch;
    *p++ = (unsigned char)(phase | (returning ? SHAPE_RETURNING : 0));
    memcpy(p, &m, sizeof m);
    p += sizeof m;
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (phase == FLUSH_INSERT)
            *p++ = (unsigned char)flush_insert_includes(rec, i);
        else
            *p++ = (unsigned char)((phase == FLUSH_UPDATE && rec->changed[i]
                                        ? SHAPE_COLUMN_SET
                                        : 0) |
                                   (rec->original[i].kind == ORM_VNULL
                                        ? SHAPE_COLUMN_WAS_NULL
                                        : 0));
    }
    return len;
}

/* Does the kept statement have this shape? Then the builder need only
 * collect the parameters. */
static int kept_fits(const flush_ctx *f, size_t len)
{
    return len && !f->plan && f->kept_st.stmt && f->kept_len == len &&
           memcmp(f->kept_shape, f->shape_scratch, len) == 0;
}

/* Run a statement: on the kept one when `kept` (sb holds only the
 * parameters), else from sb's text, then kept for the next record of the
 * same shape. */
static int run_kept(flush_ctx *f, sql_builder *sb, orm_record *rec,
                    int returning, int kept, size_t shape_len, int64_t *matched)
{
    orm_db *db = f->db;
    int rc;
    if (!sql_ok(sb))
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    if (f->plan || f->collect || (!kept && !shape_len))
        return flush_statement(f, sb, rec, returning, matched);
    if (kept) {
        db->driver->reset(f->kept_st.stmt);
    } else {
        kept_forget(f);
        rc = db_stmt_acquire(db, orm_buf_str(&sb->text), sb->nparams, 0,
                             &f->kept_st);
        if (rc)
            return rc;
        memcpy(f->kept_shape, f->shape_scratch, shape_len);
        f->kept_len = shape_len;
    }
    rc = db_stmt_bind(db, &f->kept_st, sb->params, sb->types, sb->nparams);
    if (rc == 0)
        rc = run_stmt(f, &f->kept_st, rec, returning, matched);
    return rc;
}

static int insert_read_back(flush_ctx *f, orm_record *rec);

/* The INSERT of rec (its text unless sb->params_only). */
static void insert_build(sql_builder *sb, const orm_record *rec, int returning)
{
    const orm_model *m = rec->model;
    const orm_driver *drv = sb->driver;
    size_t ncols = 0;
    sql_raw(sb, "INSERT INTO ");
    sql_table(sb, m);
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (!flush_insert_includes(rec, i))
            continue;
        sql_raw(sb, ncols++ ? ", " : " (");
        sql_ident(sb, m->columns[i].name);
    }
    if (ncols) {
        sql_raw(sb, ") VALUES (");
        ncols = 0;
        for (size_t i = 0; i < m->ncolumns; i++) {
            if (!flush_insert_includes(rec, i))
                continue;
            if (ncols++)
                sql_raw(sb, ", ");
            sb->mask_next = (m->columns[i].flags & ORM_SECRET) != 0;
            sql_param(sb, &rec->values[i], m->columns[i].type);
        }
        sql_raw(sb, ")");
    } else {
        /* Every column comes from the database. */
        sql_raw(sb, drv->insert_defaults);
    }
    if (returning) {
        sql_raw(sb, " RETURNING ");
        for (size_t i = 0; i < m->ncolumns; i++) {
            if (i)
                sql_raw(sb, ", ");
            sql_ident(sb, m->columns[i].name);
        }
    }
}

static int flush_insert(flush_ctx *f, orm_record *rec)
{
    int returning = flush_use_returning(f->db->driver, rec);
    int64_t matched = 0;
    size_t shape_len = stmt_shape(f, rec, FLUSH_INSERT, returning);
    int kept = kept_fits(f, shape_len);
    sql_builder sb;
    sql_init(&sb, f->db->driver);
    sb.params_only = kept;
    insert_build(&sb, rec, returning);
    int rc = run_kept(f, &sb, rec, returning, kept, shape_len, &matched);
    sql_free(&sb);
    if (rc || returning || f->plan || f->collect)
        return rc;
    return insert_read_back(f, rec);
}

/* After an INSERT without RETURNING: read back what the database filled
 * in (server defaults, generated columns). */
static int insert_read_back(flush_ctx *f, orm_record *rec)
{
    const orm_model *m = rec->model;
    int rc;
    int needs_reload = 0;
    for (size_t i = 0; i < m->ncolumns; i++)
        if (flush_filled_by_db(m, rec, i))
            needs_reload = 1;
    if (!needs_reload)
        return 0;
    int pk[ORM_MAX_KEY];
    const orm_value *key[ORM_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY);
    if (npk == 0 || npk > ORM_MAX_KEY)
        return 0;
    for (size_t i = 0; i < npk; i++)
        key[i] = &rec->values[pk[i]];
    orm_value *row = orm_calloc(m->ncolumns, sizeof *row);
    orm_value rowid = ORM_VALUE_NULL_INIT;
    if (!row)
        return orm_error_set(&f->db->err, ORM_ENOMEM, "out of memory");
    rc = session_select_row(f->s, m, key, npk, 0, row, NULL, &rowid);
    if (rc == ORM_ROW) {
        for (size_t i = 0; i < m->ncolumns; i++) {
            flush_store_value(f, rec, i, row[i]);
            row[i] = orm_value_null();
        }
        rc = 0;
    } else if (rc == ORM_DONE) {
        rc = 0;
    }
    for (size_t i = 0; i < m->ncolumns; i++)
        orm_value_clear(&row[i]);
    orm_value_clear(&rowid);
    free(row);
    return rc;
}

int flush_version_column(const orm_model *m)
{
    if (!m->version_column)
        return -1;
    int v = orm_model_column_index(m, m->version_column);
    if (v >= 0 && orm_type_kind(m->columns[v].type) != ORM_VINT)
        return -1;
    return v;
}

void flush_row_match(sql_builder *sb, const orm_record *rec, guard_kind g)
{
    const orm_model *m = rec->model;
    int version = flush_version_column(m);
    int pk[ORM_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY);
    int null_safe = sb->null_safe;
    sb->null_safe = 0; /* a key is never NULL: = finds it by its index */
    if (npk == 0 || npk > ORM_MAX_KEY) {
        sql_raw(sb, sb->driver->rowid_column);
        sql_raw(sb, " = ");
        sql_param(sb, &rec->rowid, ORM_TYPE_COUNT);
    } else {
        for (size_t i = 0; i < npk; i++) {
            if (i)
                sql_raw(sb, " AND ");
            sql_match(sb, &m->columns[pk[i]], record_guard_value(rec, pk[i]));
        }
    }
    sb->null_safe = null_safe;
    for (size_t i = 0; g != GUARD_NONE && i < m->ncolumns; i++) {
        const orm_column *c = &m->columns[i];
        if (c->flags & ORM_PK)
            continue;
        if (version >= 0        ? (int)i != version
            : g == GUARD_UPDATE ? !rec->changed[i]
                                : c->type == ORM_BLOB || c->read_only)
            continue;
        sql_raw(sb, " AND ");
        sql_match(sb, c, record_guard_value(rec, i));
    }
}

/* The UPDATE of rec (its text unless sb->params_only): SET its changed
 * columns (the version column on by one), WHERE the row as loaded. 0 when
 * it has nothing to set. */
static size_t update_build(sql_builder *sb, const orm_record *rec)
{
    const orm_model *m = rec->model;
    int version = flush_version_column(m);
    size_t n = 0;
    sql_raw(sb, "UPDATE ");
    sql_table(sb, m);
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (!rec->changed[i] || (int)i == version)
            continue;
        sql_raw(sb, n++ ? ", " : " SET ");
        sql_ident(sb, m->columns[i].name);
        sql_raw(sb, " = ");
        sb->mask_next = (m->columns[i].flags & ORM_SECRET) != 0;
        sql_param(sb, &rec->values[i], m->columns[i].type);
    }
    if (version >= 0) {
        sql_raw(sb, n++ ? ", " : " SET ");
        sql_ident(sb, m->columns[version].name);
        sql_raw(sb, " = ");
        sql_ident(sb, m->columns[version].name);
        sql_raw(sb, " + 1");
    }
    if (n == 0)
        return 0;
    /* Guard: the values the user saw are still there. */
    sql_raw(sb, " WHERE ");
    flush_row_match(sb, rec, GUARD_UPDATE);
    return n;
}

static int flush_update(flush_ctx *f, orm_record *rec)
{
    int64_t matched = 0;
    size_t shape_len = stmt_shape(f, rec, FLUSH_UPDATE, FLUSH_NO_RETURNING);
    int kept = kept_fits(f, shape_len);
    sql_builder sb;
    sql_init(&sb, f->db->driver);
    sb.params_only = kept;
    if (update_build(&sb, rec) == 0) {
        sql_free(&sb);
        return 0;
    }
    int rc =
        run_kept(f, &sb, rec, FLUSH_NO_RETURNING, kept, shape_len, &matched);
    sql_free(&sb);
    if (rc == 0 && matched == 0)
        rc = ORM_ECONFLICT;
    return rc;
}

/* The DELETE of rec (its text unless sb->params_only), WHERE the row as
 * loaded. */
static void delete_build(sql_builder *sb, const orm_record *rec)
{
    sql_raw(sb, "DELETE FROM ");
    sql_table(sb, rec->model);
    sql_raw(sb, " WHERE ");
    flush_row_match(sb, rec, GUARD_DELETE);
}

static int flush_delete(flush_ctx *f, orm_record *rec)
{
    int64_t matched = 0;
    size_t shape_len = stmt_shape(f, rec, FLUSH_DELETE, FLUSH_NO_RETURNING);
    int kept = kept_fits(f, shape_len);
    sql_builder sb;
    sql_init(&sb, f->db->driver);
    sb.params_only = kept;
    delete_build(&sb, rec);
    int rc =
        run_kept(f, &sb, rec, FLUSH_NO_RETURNING, kept, shape_len, &matched);
    sql_free(&sb);
    if (rc == 0 && matched == 0)
        rc = ORM_ECONFLICT;
    return rc;
}

/* The INSERT of many rows of one model, one text for them all: every
 * column the database does not generate is named; a row that would not
 * name one (flush_insert_includes: NULL, left to the column's default)
 * has defaults[] set for it. */
static void insert_rows_build(sql_builder *sb, const orm_record *rec,
                              orm_buf *defaults)
{
    const orm_model *m = rec->model;
    size_t ncols = 0;
    sql_raw(sb, "INSERT INTO ");
    sql_table(sb, m);
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (m->columns[i].read_only)
            continue;
        sql_raw(sb, ncols++ ? ", " : " (");
        sql_ident(sb, m->columns[i].name);
    }
    sql_raw(sb, ") VALUES (");
    ncols = 0;
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (m->columns[i].read_only)
            continue;
        if (ncols++)
            sql_raw(sb, ", ");
        sql_param(sb, &rec->values[i], m->columns[i].type);
        orm_buf_appendc(defaults, (char)!flush_insert_includes(rec, i));
    }
    sql_raw(sb, ")");
}

int flush_rows(flush_ctx *f, const planned *order, size_t k, int64_t *matched)
{
    orm_db *db = f->db;
    flush_phase phase = order[0].phase;
    db_stmt st = {NULL, -1};
    orm_buf defaults = ORM_BUF_INIT;
    size_t per_row = 0;
    int rc = 0;
    sql_builder sb;
    sql_init(&sb, db->driver);
    sb.null_safe = 1;
    for (size_t r = 0; r < k; r++) {
        const orm_record *rec = order[r].rec;
        sb.params_only = r > 0; /* the text is the first row's */
        if (phase == FLUSH_INSERT) {
            insert_rows_build(&sb, rec, &defaults);
        } else if (phase == FLUSH_DELETE) {
            delete_build(&sb, rec);
        } else if (update_build(&sb, rec) == 0) {
            sql_free(&sb);
            *matched = (int64_t)k; /* nothing to set in any of them */
            return 0;
        }
        if (r == 0)
            per_row = sb.nparams;
    }
    if (!sql_ok(&sb) || defaults.failed)
        rc = orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    else if (per_row == 0 || sb.nparams != per_row * k)
        /* flush_batch_size gives rows of one shape: a bug if not. */
        rc = orm_error_set(&db->err, ORM_EINVALID,
                           "the rows of one statement differ in shape");
    if (rc == 0)
        rc = db_stmt_acquire(db, orm_buf_str(&sb.text), per_row, 0, &st);
    if (rc == 0)
        rc = db_execute_rows(
            db, &st, sb.params,
            phase == FLUSH_INSERT ? (const unsigned char *)defaults.data : NULL,
            sb.types, k, matched);
    db_stmt_release(db, &st);
    orm_buf_free(&defaults);
    sql_free(&sb);
    return rc;
}

/* ---- commit and plan ---- */

/* Errors whose record a batch cannot name: rerun without batching. */
static int needs_attribution(int rc)
{
    return rc == ORM_EUNIQUE || rc == ORM_ENOTNULL || rc == ORM_EFOREIGNKEY ||
           rc == ORM_ECHECK || rc == ORM_ETYPE || rc == ORM_EERROR;
}

/* A run of k records sharing one statement failed in a way only a rerun
 * row by row can pin on one of them: keep which run and the error. */
static void batch_failed_at(flush_ctx *f, const planned *at, size_t k,
                            int *batch_failed)
{
    *batch_failed = 1;
    f->batch_at = at;
    f->batch_k = k;
    orm_error_copy(&f->batch_err, &f->db->err);
}

/* A shared statement failed inside the transaction the caller opened with
 * orm_session_begin, which the failed attempt rolled back. A rerun row by
 * row would be a new transaction, committing the changes without what the
 * caller's transaction had written before them: the failure is reported
 * for the run of records instead, with every change kept. */
static int flush_batch_failed_in_transaction(flush_ctx *f, int rc)
{
    const planned *at = f->batch_at;
    const orm_model *m = at->rec->model;
    char *repr = orm_record_repr(at->rec);
    orm_buf msg = ORM_BUF_INIT;
    if (rc == ORM_ECONFLICT)
        orm_buf_appendf(&msg,
                        "one of %zu %s records (from %s on) was changed or "
                        "deleted by someone else since it was loaded",
                        f->batch_k, m->name, repr ? repr : m->table);
    else
        orm_buf_appendf(&msg, "saving %zu %s records (from %s on): %s",
                        f->batch_k, m->name, repr ? repr : m->table,
                        orm_error_text(&f->batch_err));
    /* The session's transaction has ended: a commit now is its own
     * transaction, whose rerun names the record. */
    orm_buf_append(&msg, "; nothing was written and the transaction begun "
                         "with orm_session_begin was rolled back; your "
                         "changes are kept — commit again to have the "
                         "record named");
    free(repr);
    char *text = orm_buf_finish(&msg);
    orm_error *err = &f->batch_err;
    if (text) {
        free(err->message);
        err->message = text;
    }
    err->code = rc;
    orm_error_set_table(err, m->table);
    session_fail(f->s, err);
    return rc;
}

/* The transaction could not start (its BEGIN, alone or at the head of a
 * batch, failed): nothing was written. */
static int flush_begin_failed(flush_ctx *f, int rc)
{
    orm_error *err = session_err(f->s);
    orm_error_copy(err, &f->db->err);
    if (rc == ORM_EBUSY || rc == ORM_ECANCELLED) {
        orm_buf msg = ORM_BUF_INIT;
        if (rc == ORM_EBUSY)
            flush_append_busy(&msg, &f->db->err);
        else
            orm_buf_append(&msg, "commit cancelled; nothing was written, "
                                 "your changes are kept — commit again");
        char *text = orm_buf_finish(&msg);
        if (text) {
            free(err->message);
            err->message = text;
        }
    }
    return rc;
}

/* Give back the collected statements. */
static void sent_release(flush_ctx *f)
{
    for (size_t i = 0; i < f->nsent; i++)
        db_stmt_release(f->db, &f->sent[i].st);
    f->nsent = 0;
}

/* Run the collected statements in one go, after a BEGIN when `begin`.
 * Negative: none ran. */
static int sent_execute(flush_ctx *f, int begin)
{
    orm_stmt *inline_list[16];
    orm_stmt **list =
        f->nsent <= 16 ? inline_list : orm_malloc(f->nsent * sizeof *list);
    if (!list)
        return orm_error_set(&f->db->err, ORM_ENOMEM, "out of memory");
    for (size_t i = 0; i < f->nsent; i++)
        list[i] = f->sent[i].st.stmt;
    int rc = db_execute_batch(f->db, list, f->nsent, begin);
    if (list != inline_list)
        free(list);
    return rc;
}

/* The collected statements have run (execute_batch): read each result in
 * order and check it as running it alone would have (rows matched,
 * keys, RETURNING rows), stopping at the first failure. */
static int flush_read_sent(flush_ctx *f, int *batch_failed)
{
    int rc = 0;
    for (size_t i = 0; i < f->nsent && rc == 0; i++) {
        flush_sent *e = &f->sent[i];
        const planned *p = e->order;
        int64_t matched = 0;
        orm_error_clear(&f->db->err);
        if (e->batch && p->phase == FLUSH_INSERT) {
            rc = flush_insert_batch_read(f, p, e->k, &e->st, e->returning);
        } else {
            rc = run_stmt(f, &e->st, e->batch ? NULL : p->rec, e->returning,
                          &matched);
            if (rc == 0 && p->phase != FLUSH_INSERT &&
                (e->batch ? matched != (int64_t)e->k : matched == 0))
                rc = ORM_ECONFLICT;
            else if (rc == 0 && p->phase == FLUSH_INSERT && !e->returning)
                rc = insert_read_back(f, p->rec);
        }
        if (rc && e->batch && (needs_attribution(rc) || rc == ORM_ECONFLICT))
            batch_failed_at(f, p, e->k, batch_failed);
        else if (rc)
            flush_describe_failure(f, p->rec, rc, p->phase);
    }
    return rc;
}

/* One attempt: BEGIN, every statement, COMMIT (or ROLLBACK on failure).
 * *batch_failed is set when a batched insert failed with an error that
 * needs the failing record named. When the driver runs many statements
 * in one go (execute_batch: a PostgreSQL pipeline), the statements are
 * built and bound first, then BEGIN and all of them go out together and
 * their results are checked before the COMMIT: two round trips for any
 * number of changes. The COMMIT cannot ride along: it must wait until
 * every guard is known to have matched its row. */
static int flush_run(flush_ctx *f, const planned *order, size_t n, int batch,
                     int *batch_failed)
{
    int rc = 0;
    int begin = !f->plan && !session_in_transaction(f->s);
    int unsent = 0; /* collected, and the batch (with its BEGIN) not run */
    *batch_failed = 0;
    f->collect = !f->plan && db_can_batch(f->db);
    if (begin && !f->collect && (rc = db_begin(f->db)) != 0)
        return flush_begin_failed(f, rc);
    for (size_t i = 0; i < n && rc == 0;) {
        size_t k = batch ? flush_batch_size(f, order, i, n) : 1;
        orm_error_clear(&f->db->err);
        f->current = &order[i];
        f->current_k = k;
        f->current_batch = k > 1;
        if (k > 1) {
            int64_t matched = (int64_t)k;
            int rows = flush_rows_possible(f, &order[i]);
            rc = rows ? flush_rows(f, &order[i], k, &matched)
                 : order[i].phase == FLUSH_INSERT
                     ? flush_insert_batch(f, &order[i], k)
                 : order[i].phase == FLUSH_UPDATE
                     ? flush_update_batch(f, &order[i], k, &matched)
                     : flush_delete_batch(f, &order[i], k, &matched);
            if (rows && rc == ORM_EUNSUPPORTED && !db_can_execute_rows(f->db)) {
                /* This server runs no statement for many rows (nothing
                 * was sent): share them as without it. */
                rc = 0;
                continue;
            }
            if (rc == 0 && matched != (int64_t)k)
                rc = ORM_ECONFLICT;
            if (rc && (needs_attribution(rc) || rc == ORM_ECONFLICT))
                batch_failed_at(f, &order[i], k, batch_failed);
            else if (rc)
                flush_describe_failure(f, order[i].rec, rc, order[i].phase);
        } else {
            orm_record *rec = order[i].rec;
            rc = order[i].phase == FLUSH_INSERT   ? flush_insert(f, rec)
                 : order[i].phase == FLUSH_UPDATE ? flush_update(f, rec)
                                                  : flush_delete(f, rec);
            if (rc && !f->plan)
                flush_describe_failure(f, rec, rc, order[i].phase);
        }
        i += k;
    }
    kept_forget(f);
    if (f->plan)
        return rc;
    if (f->collect) {
        f->collect = 0;
        unsent = begin && rc != 0;
        if (rc == 0 && (f->nsent || begin) &&
            (rc = sent_execute(f, begin)) != 0) {
            if (begin) {
                sent_release(f);
                return flush_begin_failed(f, rc);
            }
            flush_describe_failure(f, f->sent[0].order->rec, rc,
                                   f->sent[0].order->phase);
        } else if (rc == 0) {
            rc = flush_read_sent(f, batch_failed);
        }
        sent_release(f);
    }
    if (rc == 0 && (rc = db_commit(f->db)) != 0)
        flush_describe_failure(f, order[n - 1].rec, rc, order[n - 1].phase);
    if (rc && !unsent)
        db_rollback(f->db);
    flush_report_failure(f);
    session_transaction_ended(f->s);
    return rc;
}

/* After a failed attempt: each insert's values as they were before it.
 * A value the attempt replaced comes back from the save, which borrows
 * it again (so a second attempt can replace it again). */
static void restore_saved(saved_values *saved, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!saved[i].values)
            continue;
        orm_record *rec = saved[i].rec;
        for (size_t c = 0; c < rec->model->ncolumns; c++) {
            orm_value *save = &saved[i].values[c];
            if (same_bytes(save, &rec->values[c]))
                continue; /* never replaced */
            orm_value_clear(&rec->values[c]);
            rec->values[c] = *save;
            save->owned = 0;
        }
    }
}

static int flush(flush_ctx *f)
{
    size_t n = 0;
    planned *order = commit_order(f->s, &n);
    saved_values *saved = NULL;
    orm_value *saved_pool = NULL; /* every saved value, one allocation */
    size_t saved_count = 0;
    int rc = 0, batch_failed = 0;
    if (!order)
        return orm_error_set(session_err(f->s), ORM_ENOMEM, "out of memory");
    if (!f->plan) {
        /* Inserts may change values (keys, RETURNING): keep what they
         * were, to put back if the transaction fails. */
        for (size_t i = 0; i < n; i++)
            if (order[i].phase == FLUSH_INSERT)
                saved_count += order[i].rec->model->ncolumns;
        saved = orm_calloc(n ? n : 1, sizeof *saved);
        saved_pool =
            orm_calloc(saved_count ? saved_count : 1, sizeof *saved_pool);
        if (!saved || !saved_pool) {
            free(saved);
            free(saved_pool);
            free(order);
            return orm_error_set(session_err(f->s), ORM_ENOMEM,
                                 "out of memory");
        }
    }
    for (size_t i = 0, used = 0; saved && i < n; i++) {
        orm_record *rec = order[i].rec;
        if (order[i].phase != FLUSH_INSERT)
            continue;
        saved_values *sv = &saved[rec->pending_index];
        sv->rec = rec;
        sv->values = saved_pool + used;
        used += rec->model->ncolumns;
        for (size_t c = 0; c < rec->model->ncolumns; c++) {
            sv->values[c] = rec->values[c]; /* borrowed: see store_value */
            sv->values[c].owned = 0;
        }
    }
    f->saved = saved;
    /* A transaction the caller opened (orm_session_begin), not the
     * commit's own. */
    int callers = !f->plan && session_in_transaction(f->s);
    rc = flush_run(f, order, n, 1, &batch_failed);
    if (rc && batch_failed && callers) {
        rc = flush_batch_failed_in_transaction(f, rc);
    } else if (rc && batch_failed) {
        /* A batch failed on a constraint: run again row by row so that
         * the error names the record and its column. */
        restore_saved(saved, n);
        rc = flush_run(f, order, n, 0, &batch_failed);
    }
    if (f->plan)
        goto done;
    if (rc) {
        restore_saved(saved, n);
        goto done;
    }
    /* Optimistic-lock columns moved on by one in the database. */
    for (size_t i = 0; i < n; i++) {
        if (order[i].phase != FLUSH_UPDATE)
            continue; /* not an update: leave the record untouched */
        orm_record *rec = order[i].rec;
        int v = flush_version_column(rec->model);
        if (v >= 0 && rec->original[v].kind == ORM_VINT)
            rec->values[v] = orm_value_int(rec->original[v].u.i + 1);
    }
    session_committed(f->s);
done:
    /* The bytes of values the commit replaced, when it succeeded. */
    for (size_t i = 0; i < saved_count; i++)
        orm_value_clear(&saved_pool[i]);
    f->saved = NULL;
    free(saved_pool);
    free(saved);
    free(order);
    return rc;
}

static void flush_ctx_free(flush_ctx *f)
{
    kept_forget(f);
    sent_release(f);
    free(f->sent);
    orm_error_clear(&f->failure.err);
    orm_error_clear(&f->batch_err);
    free(f->kept_shape);
    free(f->shape_scratch);
}

int orm_session_commit(orm_session *s)
{
    session_changed(s); /* a failure puts values back, but may move them */
    orm_db *db = orm_session_db(s);
    flush_ctx f = {.s = s, .db = db, .kept_st = {NULL, -1}};
    int rc;
    size_t n;
    session_pending_array(s, &n);
    if (n == 0)
        return session_commit_empty(s);
    if (orm_db_read_only_reason(db))
        return orm_error_set(session_err(s), ORM_EREADONLY,
                             "read-only (%s): %zu pending change%s not saved",
                             orm_db_read_only_reason(db), n, n == 1 ? "" : "s");
    if (orm_db_read_only(db))
        return orm_error_set(session_err(s), ORM_EREADONLY,
                             "the database is open read-only: %zu pending "
                             "change%s not saved",
                             n, n == 1 ? "" : "s");
    orm_error_clear(session_err(s));
    rc = flush(&f);
    flush_ctx_free(&f);
    return rc;
}

int orm_session_plan(orm_session *s, char **out)
{
    orm_buf plan = ORM_BUF_INIT;
    flush_ctx f = {
        .s = s, .db = orm_session_db(s), .plan = &plan, .kept_st = {NULL, -1}};
    int rc = flush(&f);
    flush_ctx_free(&f);
    if (rc) {
        orm_buf_free(&plan);
        return rc;
    }
    *out = orm_buf_finish(&plan);
    return *out ? 0 : ORM_ENOMEM;
}
