/*
 * Statements shared by many records of a commit, on the dialects where a
 * round trip costs (ORM_CAP_ROUND_TRIPS): multi-row INSERTs (keys back by
 * RETURNING or from the first generated id), and UPDATE/DELETE batches
 * guarded row by row — joined against a VALUES list on PostgreSQL,
 * CASE/OR elsewhere. Where the driver runs one statement for many rows
 * (execute_rows: MariaDB's bulk execution), every run of records of one
 * shape is one such statement instead (flush_rows in flush.c), however
 * long. A batch that fails on a constraint or matches fewer rows than it
 * should is rerun row by row by flush.c, so that the error names the
 * record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flush.h"

/* ---- batched updates and deletes (network dialects) ---- */

/* Can this pending update or delete share a statement with others? */
static int batchable(const orm_record *rec, flush_phase phase)
{
    const orm_model *m = rec->model;
    int pk[ORM_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY);
    if (npk == 0 || npk > ORM_MAX_KEY || flush_version_column(m) >= 0)
        return 0;
    for (size_t c = 0; phase == FLUSH_UPDATE && c < m->ncolumns; c++)
        if (rec->changed[c] &&
            ((m->columns[c].flags & ORM_PK) || m->columns[c].type == ORM_JSON))
            return 0; /* CASE cannot carry an untyped JSON parameter */
    return 1;
}

static int same_changes(const orm_record *a, const orm_record *b)
{
    if (a->model != b->model)
        return 0;
    return memcmp(a->changed, b->changed, a->model->ncolumns) == 0;
}

/* One UPDATE for k records with the same changed columns:
 *   SET c = CASE WHEN <key 1> THEN ? ... END, ...
 *   WHERE (<key 1 and guard 1>) OR (<key 2 and guard 2>) ...
 * `matched` below k means one of them changed under us: the caller reruns
 * them one by one to name it. */
/* ---- the same, joined against a list of rows (ORM_CAP_JOIN_VALUES) ----
 *
 *   UPDATE t AS "orb_t" SET c = "orb_v"."n0", ...
 *   FROM (VALUES (key, new values, guard values), ...) AS "orb_v"(...)
 *   WHERE "orb_t".id = "orb_v"."k0" AND "orb_t".g IS NOT DISTINCT FROM
 *         "orb_v"."g0" ...
 * and DELETE FROM t AS "orb_t" USING (VALUES ...) likewise. One text for
 * every batch of the same size and columns, NULL guards included. */

#define JOIN_TARGET "orb_t"
#define JOIN_ROWS   "orb_v"

/* Is column c of the model a guard column for this kind of change? */
static int join_guarded(const orm_record *first, size_t c, guard_kind g)
{
    const orm_column *col = &first->model->columns[c];
    if (col->flags & ORM_PK)
        return 0;
    return g == GUARD_UPDATE ? first->changed[c] != 0
                             : col->type != ORM_BLOB && !col->read_only;
}

/* A name in the VALUES alias list: k (key), n (new value), g (guard). */
static void join_name(sql_builder *sb, char kind, size_t i)
{
    char name[32];
    snprintf(name, sizeof name, "%c%zu", kind, i);
    sql_ident(sb, name);
}

static void join_rows_ref(sql_builder *sb, char kind, size_t i)
{
    sql_ident(sb, JOIN_ROWS);
    sql_raw(sb, ".");
    join_name(sb, kind, i);
}

/* (VALUES (...), ...) AS "orb_v"(k0, n0, g0, ...) and the join condition
 * after `where_word`. */
static void join_values(sql_builder *sb, const planned *order, size_t k,
                        guard_kind g, const char *where_word)
{
    const orm_model *m = order[0].rec->model;
    const orm_record *first = order[0].rec;
    int pk[ORM_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY), nn = 0, ng = 0;
    sql_raw(sb, " (VALUES ");
    for (size_t r = 0; r < k; r++) {
        const orm_record *rec = order[r].rec;
        size_t n = 0;
        sql_raw(sb, r ? ", (" : "(");
        for (size_t i = 0; i < npk; i++, n++) {
            const orm_column *col = &m->columns[pk[i]];
            sql_raw(sb, n ? ", " : "");
            sql_param(sb, record_guard_value(rec, pk[i]),
                      sql_match_type(sb, col));
        }
        for (size_t c = 0; g == GUARD_UPDATE && c < m->ncolumns; c++) {
            if (!first->changed[c])
                continue;
            sql_raw(sb, n++ ? ", " : "");
            sb->mask_next = (m->columns[c].flags & ORM_SECRET) != 0;
            sql_param(sb, &rec->values[c], m->columns[c].type);
        }
        for (size_t c = 0; c < m->ncolumns; c++) {
            if (!join_guarded(first, c, g))
                continue;
            sql_raw(sb, n++ ? ", " : "");
            sb->mask_next = (m->columns[c].flags & ORM_SECRET) != 0;
            sql_param(sb, record_guard_value(rec, c),
                      sql_match_type(sb, &m->columns[c]));
        }
        sql_raw(sb, ")");
    }
    sql_raw(sb, ") AS ");
    sql_ident(sb, JOIN_ROWS);
    sql_raw(sb, " (");
    for (size_t i = 0; i < npk; i++) {
        sql_raw(sb, i ? ", " : "");
        join_name(sb, 'k', i);
    }
    for (size_t c = 0; g == GUARD_UPDATE && c < m->ncolumns; c++)
        if (first->changed[c]) {
            sql_raw(sb, ", ");
            join_name(sb, 'n', nn++);
        }
    for (size_t c = 0; c < m->ncolumns; c++)
        if (join_guarded(first, c, g)) {
            sql_raw(sb, ", ");
            join_name(sb, 'g', ng++);
        }
    sql_raw(sb, ") ");
    sql_raw(sb, where_word);
    for (size_t i = 0; i < npk; i++) {
        sql_raw(sb, i ? " AND " : " ");
        sql_column_compared_of(sb, JOIN_TARGET, &m->columns[pk[i]]);
        sql_raw(sb, " = ");
        join_rows_ref(sb, 'k', i);
    }
    ng = 0;
    for (size_t c = 0; c < m->ncolumns; c++) {
        if (!join_guarded(first, c, g))
            continue;
        sql_raw(sb, " AND ");
        sql_column_compared_of(sb, JOIN_TARGET, &m->columns[c]);
        sql_raw(sb, " IS NOT DISTINCT FROM ");
        join_rows_ref(sb, 'g', ng++);
    }
}

static int flush_update_join(flush_ctx *f, const planned *order, size_t k,
                             int64_t *matched)
{
    const orm_model *m = order[0].rec->model;
    size_t n = 0;
    sql_builder sb;
    sql_init(&sb, f->db->driver);
    sql_raw(&sb, "UPDATE ");
    sql_table(&sb, m);
    sql_raw(&sb, " AS ");
    sql_ident(&sb, JOIN_TARGET);
    for (size_t c = 0; c < m->ncolumns; c++) {
        if (!order[0].rec->changed[c])
            continue;
        sql_raw(&sb, n ? ", " : " SET ");
        sql_ident(&sb, m->columns[c].name);
        sql_raw(&sb, " = ");
        join_rows_ref(&sb, 'n', n++);
    }
    sql_raw(&sb, " FROM");
    join_values(&sb, order, k, GUARD_UPDATE, "WHERE");
    int rc = flush_statement(f, &sb, NULL, FLUSH_NO_RETURNING, matched);
    sql_free(&sb);
    return rc;
}

static int flush_delete_join(flush_ctx *f, const planned *order, size_t k,
                             int64_t *matched)
{
    sql_builder sb;
    sql_init(&sb, f->db->driver);
    sql_raw(&sb, "DELETE FROM ");
    sql_table(&sb, order[0].rec->model);
    sql_raw(&sb, " AS ");
    sql_ident(&sb, JOIN_TARGET);
    sql_raw(&sb, " USING");
    join_values(&sb, order, k, GUARD_DELETE, "WHERE");
    int rc = flush_statement(f, &sb, NULL, FLUSH_NO_RETURNING, matched);
    sql_free(&sb);
    return rc;
}

int flush_update_batch(flush_ctx *f, const planned *order, size_t k,
                       int64_t *matched)
{
    const orm_model *m = order[0].rec->model;
    size_t n = 0;
    sql_builder sb;
    if (f->db->driver->caps & ORM_CAP_JOIN_VALUES)
        return flush_update_join(f, order, k, matched);
    sql_init(&sb, f->db->driver);
    sql_raw(&sb, "UPDATE ");
    sql_table(&sb, m);
    for (size_t c = 0; c < m->ncolumns; c++) {
        if (!order[0].rec->changed[c])
            continue;
        sql_raw(&sb, n++ ? ", " : " SET ");
        sql_ident(&sb, m->columns[c].name);
        sql_raw(&sb, " = CASE");
        for (size_t r = 0; r < k; r++) {
            sql_raw(&sb, " WHEN ");
            flush_row_match(&sb, order[r].rec, GUARD_NONE);
            sql_raw(&sb, " THEN ");
            sql_param(&sb, &order[r].rec->values[c], m->columns[c].type);
        }
        sql_raw(&sb, " END");
    }
    sql_raw(&sb, " WHERE ");
    for (size_t r = 0; r < k; r++) {
        sql_raw(&sb, r ? " OR (" : "(");
        flush_row_match(&sb, order[r].rec, GUARD_UPDATE);
        sql_raw(&sb, ")");
    }
    int rc = flush_statement(f, &sb, NULL, FLUSH_NO_RETURNING, matched);
    sql_free(&sb);
    return rc;
}

int flush_delete_batch(flush_ctx *f, const planned *order, size_t k,
                       int64_t *matched)
{
    sql_builder sb;
    if (f->db->driver->caps & ORM_CAP_JOIN_VALUES)
        return flush_delete_join(f, order, k, matched);
    sql_init(&sb, f->db->driver);
    sql_raw(&sb, "DELETE FROM ");
    sql_table(&sb, order[0].rec->model);
    sql_raw(&sb, " WHERE ");
    for (size_t r = 0; r < k; r++) {
        sql_raw(&sb, r ? " OR (" : "(");
        flush_row_match(&sb, order[r].rec, GUARD_DELETE);
        sql_raw(&sb, ")");
    }
    int rc = flush_statement(f, &sb, NULL, FLUSH_NO_RETURNING, matched);
    sql_free(&sb);
    return rc;
}

/* ---- batched inserts ---- */

#define BATCH_MAX_ROWS   500
#define BATCH_MAX_PARAMS 30000

static int same_shape(const orm_record *a, const orm_record *b)
{
    if (a->model != b->model)
        return 0;
    for (size_t c = 0; c < a->model->ncolumns; c++)
        if (flush_insert_includes(a, c) != flush_insert_includes(b, c))
            return 0;
    return 1;
}

#define BATCH_MAX_CHANGES 200

int flush_rows_possible(flush_ctx *f, const planned *order)
{
    const orm_record *rec = order->rec;
    const orm_model *m = rec->model;
    int pk[ORM_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY);
    if (f->plan || f->collect || !db_can_execute_rows(f->db) || npk == 0 ||
        npk > ORM_MAX_KEY)
        return 0;
    if (order->phase == FLUSH_INSERT) {
        /* Nothing comes back: no key to learn, nothing to read back. */
        for (size_t i = 0; i < npk; i++)
            if (!flush_insert_includes(rec, (size_t)pk[i]))
                return 0;
        for (size_t c = 0; c < m->ncolumns; c++)
            if ((m->columns[c].server_default || m->columns[c].read_only) &&
                !flush_insert_includes(rec, c))
                return 0;
        return !flush_use_returning(f->db->driver, rec);
    }
    for (size_t c = 0; order->phase == FLUSH_UPDATE && c < m->ncolumns; c++)
        if (rec->changed[c] && (m->columns[c].flags & ORM_PK))
            return 0;
    return 1;
}

/* How many records from order[i] on run as one statement for many rows
 * (flush_rows): those of the same phase and shape (inserts: model),
 * however many. */
static size_t rows_batch_size(flush_ctx *f, const planned *order, size_t i,
                              size_t n)
{
    const orm_record *first = order[i].rec;
    flush_phase phase = order[i].phase;
    size_t k = 1;
    while (i + k < n && order[i + k].phase == phase &&
           (phase == FLUSH_INSERT ? first->model == order[i + k].rec->model
                                  : same_changes(first, order[i + k].rec)) &&
           flush_rows_possible(f, &order[i + k]))
        k++;
    return k;
}

/* How many updates or deletes from order[i] on can share a statement. */
static size_t change_batch_size(flush_ctx *f, const planned *order, size_t i,
                                size_t n)
{
    const orm_record *first = order[i].rec;
    flush_phase phase = order[i].phase;
    if (!(f->db->driver->caps & ORM_CAP_ROUND_TRIPS) ||
        !batchable(first, phase))
        return 1;
    size_t k = 1;
    while (i + k < n && k < BATCH_MAX_CHANGES && order[i + k].phase == phase &&
           same_changes(first, order[i + k].rec) &&
           batchable(order[i + k].rec, phase))
        k++;
    return k;
}

size_t flush_batch_size(flush_ctx *f, const planned *order, size_t i, size_t n)
{
    const orm_driver *drv = f->db->driver;
    const orm_record *first = order[i].rec;
    const orm_model *m = first->model;
    size_t ncols = 0;
    if (f->plan)
        return 1;
    if (flush_rows_possible(f, &order[i]))
        return rows_batch_size(f, order, i, n);
    if (order[i].phase != FLUSH_INSERT)
        return change_batch_size(f, order, i, n);
    if (!(drv->caps & ORM_CAP_BATCH_KEYS) ||
        !(drv->caps & ORM_CAP_MULTIROW_INSERT))
        return 1;
    for (size_t c = 0; c < m->ncolumns; c++) {
        if (flush_insert_includes(first, c))
            ncols++;
        /* Without RETURNING, server defaults and generated columns are
         * read back row by row. */
        else if ((m->columns[c].server_default || m->columns[c].read_only) &&
                 !(drv->caps & ORM_CAP_RETURNING))
            return 1;
    }
    if (ncols == 0)
        return 1;
    size_t k = 1;
    while (i + k < n && k < BATCH_MAX_ROWS &&
           (k + 1) * ncols <= BATCH_MAX_PARAMS &&
           order[i + k].phase == FLUSH_INSERT &&
           same_shape(first, order[i + k].rec))
        k++;
    return k;
}

int flush_insert_batch(flush_ctx *f, const planned *order, size_t k)
{
    const orm_record *first = order[0].rec;
    const orm_model *m = first->model;
    orm_db *db = f->db;
    const orm_driver *drv = db->driver;
    int returning = flush_use_returning(drv, first);
    db_stmt st = {NULL, -1};
    sql_builder sb;
    size_t ncols = 0;
    int rc;
    /* The text depends on the model, the row count, the columns written
     * and RETURNING: a commit of many batches builds it once. */
    orm_buf *shape = session_shape_buf(f->s);
    orm_buf_appendn(shape, "insert", 6);
    orm_buf_appendn(shape, (const char *)&m, sizeof m);
    orm_buf_appendn(shape, (const char *)&k, sizeof k);
    orm_buf_appendc(shape, (char)returning);
    for (size_t c = 0; c < m->ncolumns; c++)
        orm_buf_appendc(shape, (char)flush_insert_includes(first, c));
    const char *cached = orm_buf_str(shape)
                             ? session_sql_cached(f->s, shape->data, shape->len)
                             : NULL;
    sql_init(&sb, drv);
    sb.params_only = cached != NULL;
    sql_raw(&sb, "INSERT INTO ");
    sql_table(&sb, m);
    for (size_t c = 0; c < m->ncolumns; c++) {
        if (!flush_insert_includes(first, c))
            continue;
        sql_raw(&sb, ncols++ ? ", " : " (");
        sql_ident(&sb, m->columns[c].name);
    }
    sql_raw(&sb, ") VALUES ");
    for (size_t r = 0; r < k; r++) {
        const orm_record *rec = order[r].rec;
        size_t n = 0;
        sql_raw(&sb, r ? ", (" : "(");
        for (size_t c = 0; c < m->ncolumns; c++) {
            if (!flush_insert_includes(first, c))
                continue;
            if (n++)
                sql_raw(&sb, ", ");
            sql_param(&sb, &rec->values[c], m->columns[c].type);
        }
        sql_raw(&sb, ")");
    }
    if (returning) {
        sql_raw(&sb, " RETURNING ");
        for (size_t c = 0; c < m->ncolumns; c++) {
            if (c)
                sql_raw(&sb, ", ");
            sql_ident(&sb, m->columns[c].name);
        }
    }
    if (!sql_ok(&sb)) {
        sql_free(&sb);
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    }
    const char *sql = cached ? cached : orm_buf_str(&sb.text);
    if (!cached && orm_buf_str(shape))
        session_sql_remember(f->s, shape->data, shape->len, sql);
    rc = db_stmt_acquire(db, sql, sb.nparams, 0, &st);
    if (rc == 0)
        rc = db_stmt_bind(db, &st, sb.params, sb.types, sb.nparams);
    sql_free(&sb);
    if (rc == 0 && f->collect)
        return flush_collect(f, &st, returning);
    if (rc == 0)
        rc = flush_insert_batch_read(f, order, k, &st, returning);
    db_stmt_release(db, &st);
    return rc;
}

int flush_insert_batch_read(flush_ctx *f, const planned *order, size_t k,
                            db_stmt *st, int returning)
{
    const orm_record *first = order[0].rec;
    const orm_model *m = first->model;
    orm_db *db = f->db;
    int rc = db_stmt_step(db, st);
    /* RETURNING rows come in VALUES order (ORM_CAP_BATCH_KEYS). */
    for (size_t r = 0; returning && r < k && rc == ORM_ROW; r++) {
        orm_record *rec = order[r].rec;
        for (size_t c = 0; c < m->ncolumns && rc == ORM_ROW; c++) {
            orm_value v = ORM_VALUE_NULL_INIT, copy = ORM_VALUE_NULL_INIT;
            int crc = db_stmt_column(db, st, c, &m->columns[c], &v);
            if (crc == 0 && (crc = orm_value_copy(&copy, &v)) == 0)
                flush_store_value(f, rec, c, copy);
            orm_value_clear(&v);
            if (crc)
                rc = crc;
        }
        if (rc == ORM_ROW)
            rc = db_stmt_step(db, st);
    }
    if (rc == ORM_DONE && !returning) {
        /* The first generated key; the others follow it. */
        int pk[ORM_MAX_KEY];
        size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY);
        int64_t id;
        if (npk == 1 && orm_column_is_autoinc(m, &m->columns[pk[0]]) &&
            !flush_insert_includes(first, (size_t)pk[0]) &&
            db->driver->last_insert_id(st->stmt, &id) == 0)
            for (size_t r = 0; r < k; r++)
                order[r].rec->values[pk[0]] = orm_value_int(id + (int64_t)r);
    }
    return rc == ORM_DONE || rc == ORM_ROW ? 0 : rc;
}
