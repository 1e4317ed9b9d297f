/*
 * A column's summary under a query's filters (orm_query_summary): how
 * many rows, NULLs and distinct values, the smallest and the largest,
 * and the most frequent values with their counts, each computed by the
 * database (COUNT, MIN/MAX, GROUP BY with a LIMIT), two statements in
 * all whatever the table's size.
 *
 * Text is grouped, counted and ranked exactly and in code point order
 * (the driver's text_order, as the filters' < and > compare), so that a
 * case-insensitive collation on MariaDB or PostgreSQL gives the same
 * groups as SQLite: 'Oslo' and 'oslo' are two values everywhere. Ties
 * in the counts are broken by the value, so the top N is the same on
 * every dialect.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "internal.h"

void orm_column_summary_clear(orm_column_summary *s)
{
    if (!s)
        return;
    orm_value_clear(&s->min);
    orm_value_clear(&s->max);
    for (size_t i = 0; i < s->ntop; i++)
        orm_value_clear(&s->top[i].value);
    free(s->top);
    memset(s, 0, sizeof *s);
}

/* A value read from a statement, made the caller's own. */
static int own(orm_value *v)
{
    orm_value copy;
    int rc = orm_value_copy(&copy, v);
    orm_value_clear(v);
    *v = rc ? (orm_value)ORM_VALUE_NULL_INIT : copy;
    return rc;
}

/* Prepare and bind the builder's statement. */
static int run(orm_db *db, sql_builder *sb, db_stmt *st, orm_error *err)
{
    if (!sql_ok(sb))
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    int rc = db_stmt_acquire(db, orm_buf_str(&sb->text), sb->nparams, 0, st);
    if (rc == 0)
        rc = db_stmt_bind(db, st, sb->params, sb->types, sb->nparams);
    return rc;
}

static int64_t int_of(const orm_value *v)
{
    return v->kind == ORM_VINT ? v->u.i : 0;
}

/* COUNT(*), COUNT(col), COUNT(DISTINCT col), MIN, MAX. */
static int totals(orm_query *q, const orm_column *col, orm_column_summary *out)
{
    orm_db *db = query_db(q);
    sql_builder sb;
    db_stmt st = {NULL, -1};
    orm_value v[3] = {ORM_VALUE_NULL_INIT, ORM_VALUE_NULL_INIT,
                      ORM_VALUE_NULL_INIT};
    sql_init(&sb, db->driver);
    sql_raw(&sb, "SELECT COUNT(*), COUNT(");
    sql_ident(&sb, col->name);
    sql_raw(&sb, "), COUNT(DISTINCT ");
    sql_column_grouped(&sb, col);
    sql_raw(&sb, "), MIN(");
    sql_column_grouped(&sb, col);
    sql_raw(&sb, "), MAX(");
    sql_column_grouped(&sb, col);
    sql_raw(&sb, ") FROM ");
    sql_table(&sb, query_model(q));
    int rc = query_where(&sb, q, NULL);
    if (rc == 0)
        rc = run(db, &sb, &st, query_err(q));
    if (rc == 0 && (rc = db_stmt_step(db, &st)) == ORM_ROW) {
        rc = 0;
        for (size_t i = 0; rc == 0 && i < 3; i++)
            rc = db_stmt_column(db, &st, i, NULL, &v[i]);
        if (rc == 0)
            rc = db_stmt_column(db, &st, 3, col, &out->min);
        if (rc == 0 && (rc = own(&out->min)) == 0)
            rc = db_stmt_column(db, &st, 4, col, &out->max);
        if (rc == 0)
            rc = own(&out->max);
    } else if (rc == ORM_DONE) {
        rc = 0;
    }
    if (rc == 0) {
        out->rows = int_of(&v[0]);
        out->nulls = out->rows - int_of(&v[1]);
        out->distinct = int_of(&v[2]);
    }
    for (size_t i = 0; i < 3; i++)
        orm_value_clear(&v[i]);
    db_stmt_release(db, &st);
    sql_free(&sb);
    return rc;
}

/* The `limit` most frequent non-NULL values. */
static int top_values(orm_query *q, const orm_column *col, size_t limit,
                      orm_column_summary *out)
{
    orm_db *db = query_db(q);
    sql_builder sb;
    db_stmt st = {NULL, -1};
    orm_value lim = orm_value_int((int64_t)limit);
    size_t n = 0;
    sql_init(&sb, db->driver);
    sql_raw(&sb, "SELECT ");
    sql_column_grouped(&sb, col);
    sql_raw(&sb, ", COUNT(*) FROM ");
    sql_table(&sb, query_model(q));
    int rc = query_where(&sb, q, col);
    sql_raw(&sb, " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ");
    sql_param(&sb, &lim, ORM_INTEGER);
    if (rc == 0 &&
        !(out->top = orm_calloc(limit ? limit : 1, sizeof *out->top)))
        rc = orm_error_set(query_err(q), ORM_ENOMEM, "out of memory");
    if (rc == 0)
        rc = run(db, &sb, &st, query_err(q));
    while (rc == 0 && n < limit && (rc = db_stmt_step(db, &st)) == ORM_ROW) {
        orm_value count = ORM_VALUE_NULL_INIT;
        orm_value_count *t = &out->top[n];
        rc = db_stmt_column(db, &st, 0, col, &t->value);
        if (rc == 0)
            rc = own(&t->value);
        if (rc == 0)
            rc = db_stmt_column(db, &st, 1, NULL, &count);
        t->count = int_of(&count);
        orm_value_clear(&count);
        out->ntop = ++n;
    }
    if (rc == ORM_DONE || rc == ORM_ROW)
        rc = 0;
    db_stmt_release(db, &st);
    sql_free(&sb);
    return rc;
}

int orm_query_summary(orm_query *q, const char *column, size_t top,
                      orm_column_summary *out)
{
    const orm_model *m = query_model(q);
    const orm_column *col = column ? orm_model_column(m, column) : NULL;
    int rc;
    memset(out, 0, sizeof *out);
    orm_error_clear(query_err(q));
    if (!col)
        return query_fail(q,
                          orm_error_set(query_err(q), ORM_EINVALID,
                                        "unknown column '%s' in %s",
                                        column ? column : "(null)", m->name));
    if (col->type == ORM_BLOB)
        return query_fail(q, orm_error_set(query_err(q), ORM_EINVALID,
                                           "%s.%s is a blob column: its "
                                           "values are not summarized",
                                           m->name, col->name));
    rc = totals(q, col, out);
    if (rc == 0 && top > 0)
        rc = top_values(q, col, top, out);
    if (rc) {
        orm_column_summary_clear(out);
        return query_fail(q, rc);
    }
    return 0;
}
