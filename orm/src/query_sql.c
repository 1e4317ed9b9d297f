/*
 * A query's SQL (query_state.h): the total order's key columns, the
 * keyset bound (rows after or before a key, in either direction, NULLs
 * where the dialect sorts them), the WHERE, and the SELECT with its
 * ORDER BY and LIMIT/OFFSET, rendered once per shape of query and
 * reused from the session's cache. Running it: query.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "query_state.h"

/* ---- SQL ---- */

static void key_column(sql_builder *sb, const orm_query *q,
                       const query_order *k)
{
    if (k->col < 0)
        sql_raw(sb, sb->driver->rowid_column);
    else
        sql_column_ordered(sb, &q->model->columns[k->col]);
}

static int key_nullable(const orm_query *q, const query_order *k)
{
    return k->col >= 0 && orm_column_nullable(&q->model->columns[k->col]);
}

static void key_param(sql_builder *sb, const orm_query *q, const query_order *k,
                      const orm_value *v)
{
    if (k->col < 0)
        sql_param(sb, v, ORM_TYPE_COUNT);
    else
        sql_param_ordered(sb, &q->model->columns[k->col], v);
}

/*
 * Rows strictly beyond the bound in the (possibly reversed) order, column
 * by column: later_i OR (equal_i AND rest). NULLs sort first ascending and
 * last descending.
 */
static void keyset(sql_builder *sb, const orm_query *q, size_t i, int reverse)
{
    const query_order *k = &q->key[i];
    const orm_value *v = &q->bound[i];
    int desc = k->desc ^ reverse;
    /* In effective order, NULLs come first iff the column is ascending in
     * the user's order and we walk forward, or descending and reversed. */
    int nulls_first = !k->desc ^ reverse;
    int last = i + 1 == q->nkey;
    int nullable = key_nullable(q, k);
    sql_raw(sb, "(");
    if (v->kind == ORM_VNULL) {
        /* later: the non-NULLs if NULLs come first, else nothing */
        if (nulls_first) {
            key_column(sb, q, k);
            sql_raw(sb, " IS NOT NULL");
        } else {
            sql_raw(sb, "1 = 0");
        }
        if (!last) {
            sql_raw(sb, " OR (");
            key_column(sb, q, k);
            sql_raw(sb, " IS NULL AND ");
            keyset(sb, q, i + 1, reverse);
            sql_raw(sb, ")");
        }
    } else {
        key_column(sb, q, k);
        sql_raw(sb, desc ? " < " : " > ");
        key_param(sb, q, k, v);
        if (nullable && !nulls_first) {
            sql_raw(sb, " OR ");
            key_column(sb, q, k);
            sql_raw(sb, " IS NULL");
        }
        if (!last) {
            sql_raw(sb, " OR (");
            key_column(sb, q, k);
            sql_raw(sb, " = ");
            key_param(sb, q, k, v);
            sql_raw(sb, " AND ");
            keyset(sb, q, i + 1, reverse);
            sql_raw(sb, ")");
        }
    }
    sql_raw(sb, ")");
}

/* A bound on the first key column alone, implied by the keyset
 * condition, so that the database can seek an index instead of scanning
 * it (the OR form hides the range from SQLite's planner). Only where it
 * is exact: the bound value is not NULL and NULLs do not come next. */
static void keyset_seek_bound(sql_builder *sb, const orm_query *q, int reverse)
{
    const query_order *k = &q->key[0];
    const orm_value *v = &q->bound[0];
    int nulls_first = !k->desc ^ reverse;
    if (v->kind == ORM_VNULL || (key_nullable(q, k) && !nulls_first))
        return;
    key_column(sb, q, k);
    sql_raw(sb, (k->desc ^ reverse) ? " <= " : " >= ");
    key_param(sb, q, k, v);
    sql_raw(sb, " AND ");
}

int query_where_clause(sql_builder *sb, orm_query *q, int with_keyset)
{
    size_t n = 0;
    if (q->filter_nomem)
        return orm_error_set(&q->err, ORM_ENOMEM, "out of memory");
    for (size_t i = 0; i < q->nfilters; i++) {
        sql_raw(sb, n++ ? " AND " : " WHERE ");
        int rc = sql_expr(sb, q->model, q->filters[i], &q->err);
        if (rc)
            return rc;
    }
    if (with_keyset && q->direction) {
        sql_raw(sb, n++ ? " AND " : " WHERE ");
        keyset_seek_bound(sb, q, q->direction < 0);
        keyset(sb, q, 0, q->direction < 0);
    }
    return 0;
}

/* ---- the shape of a query: what its SQL text depends on ---- */

static void shape_bytes(orm_buf *b, const void *p, size_t n)
{
    orm_buf_appendn(b, p, n);
}

static void shape_expr(orm_buf *b, const orm_expr *e, int depth)
{
    if (!e || depth > 400) {
        orm_buf_appendc(b, 'x');
        return;
    }
    unsigned char head[3] = {(unsigned char)e->kind, (unsigned char)e->op, 0};
    if (e->kind == ORM_EXPR_VALUE)
        head[2] = (unsigned char)e->value.kind; /* NULL renders IS NULL */
    shape_bytes(b, head, sizeof head);
    if (e->kind == ORM_EXPR_COLUMN)
        shape_bytes(b, e->column, strlen(e->column) + 1);
    shape_bytes(b, &e->nargs, sizeof e->nargs);
    for (size_t i = 0; i < e->nargs; i++)
        shape_expr(b, e->args[i], depth + 1);
}

/* Everything the SELECT text depends on, but not the values bound into
 * it: two queries with equal shapes render the same text. */
static void query_shape(orm_buf *b, const orm_query *q, int64_t limit)
{
    unsigned char flags[4] = {(unsigned char)q->use_rowid,
                              (unsigned char)(q->direction + 1),
                              (unsigned char)(limit >= 0 || q->offset > 0),
                              (unsigned char)(q->offset > 0)};
    shape_bytes(b, "select", 6);
    shape_bytes(b, &q->model, sizeof q->model);
    shape_bytes(b, flags, sizeof flags);
    shape_bytes(b, &q->nkey, sizeof q->nkey);
    for (size_t i = 0; i < q->nkey; i++) {
        shape_bytes(b, &q->key[i], sizeof q->key[i]);
        if (q->direction) /* a NULL bound renders differently */
            orm_buf_appendc(b, (char)(q->bound[i].kind == ORM_VNULL));
    }
    shape_bytes(b, &q->nfilters, sizeof q->nfilters);
    for (size_t i = 0; i < q->nfilters; i++)
        shape_expr(b, q->filters[i], 0);
}

static int render_select(sql_builder *sb, orm_query *q, int64_t limit);

/* The SELECT: rendered once per shape; later the same shape only
 * collects its parameters and reuses the text. *sql is the text: the
 * session's cached copy (valid until the session caches another) or the
 * builder's. */
int query_build_select(sql_builder *sb, orm_query *q, int64_t limit,
                       const char **sql)
{
    orm_buf *shape = session_shape_buf(q->s); /* reused, not allocated */
    query_shape(shape, q, limit);
    const char *cached = orm_buf_str(shape)
                             ? session_sql_cached(q->s, shape->data, shape->len)
                             : NULL;
    sql_init(sb, q->db->driver);
    sb->params_only = cached != NULL;
    int rc = render_select(sb, q, limit);
    sb->params_only = 0;
    if (rc == 0 && !cached && orm_buf_str(shape) && sql_ok(sb))
        session_sql_remember(q->s, shape->data, shape->len,
                             orm_buf_str(&sb->text));
    if (rc == 0 && !sql_ok(sb))
        rc = orm_error_set(&q->err, ORM_ENOMEM, "out of memory");
    *sql = cached ? cached : orm_buf_str(&sb->text);
    return rc;
}

/* Does `e`, ANDed into the WHERE clause, allow at most one row? It does
 * when it compares a single-column unique key (or the primary key, when
 * that is one column) for equality with a value. */
static int pins_one_row(const orm_model *m, const orm_expr *e, int depth)
{
    if (!e || e->kind != ORM_EXPR_OP || depth > 64)
        return 0;
    if (e->op == ORM_OP_AND) {
        for (size_t i = 0; i < e->nargs; i++)
            if (pins_one_row(m, e->args[i], depth + 1))
                return 1;
        return 0;
    }
    if (e->op != ORM_OP_EQ || e->nargs != 2 ||
        e->args[0]->kind != ORM_EXPR_COLUMN ||
        e->args[1]->kind != ORM_EXPR_VALUE ||
        e->args[1]->value.kind == ORM_VNULL)
        return 0;
    int col = orm_model_column_index(m, e->args[0]->column);
    int pk[2];
    if (col < 0)
        return 0;
    return (m->columns[col].flags & ORM_UNIQUE) ||
           (orm_model_pk(m, pk, 2) == 1 && pk[0] == col);
}

/* ORDER BY is left out when the filters allow at most one row and no
 * keyset bound needs it: sorting one row is work for nothing (a sort
 * node per lookup on PostgreSQL). */
static int needs_order(const orm_query *q)
{
    if (q->direction)
        return 1;
    for (size_t i = 0; i < q->nfilters; i++)
        if (pins_one_row(q->model, q->filters[i], 0))
            return 0;
    return 1;
}

static int render_select(sql_builder *sb, orm_query *q, int64_t limit)
{
    const orm_model *m = q->model;
    int reverse = q->direction < 0;
    sql_raw(sb, "SELECT ");
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (i)
            sql_raw(sb, ", ");
        sql_ident(sb, m->columns[i].name);
    }
    if (q->use_rowid) {
        sql_raw(sb, ", ");
        sql_raw(sb, sb->driver->rowid_column);
    }
    sql_raw(sb, " FROM ");
    sql_table(sb, m);
    int rc = query_where_clause(sb, q, 1);
    if (rc)
        return rc;
    size_t nkey = needs_order(q) ? q->nkey : 0;
    for (size_t i = 0; i < nkey; i++) {
        const query_order *k = &q->key[i];
        int desc = k->desc ^ reverse;
        sql_raw(sb, i ? ", " : " ORDER BY ");
        key_column(sb, q, k);
        if (desc)
            sql_raw(sb, " DESC");
        if (key_nullable(q, k) && (sb->driver->caps & ORM_CAP_NULLS_ORDER))
            sql_raw(sb, (!k->desc ^ reverse) ? " NULLS FIRST" : " NULLS LAST");
    }
    if (limit >= 0 || q->offset > 0) {
        orm_value lim = orm_value_int(limit >= 0 ? limit : QUERY_NO_LIMIT);
        sql_raw(sb, " LIMIT ");
        sql_param(sb, &lim, ORM_BIGINT);
        if (q->offset > 0) {
            orm_value off = orm_value_int(q->offset);
            sql_raw(sb, " OFFSET ");
            sql_param(sb, &off, ORM_BIGINT);
        }
    }
    return sql_ok(sb) ? 0 : orm_error_set(&q->err, ORM_ENOMEM, "out of memory");
}
