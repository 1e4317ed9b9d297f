/*
 * A query's own state, shared by query.c (the query object: filters,
 * order, paging bounds; running it, counting, updating) and query_sql.c
 * (its SQL: the WHERE with the keyset bound, the SELECT and its shape).
 */
#ifndef ORB_QUERY_STATE_H
#define ORB_QUERY_STATE_H

#include "internal.h"

#define QUERY_MAX_ORDER 8
#define QUERY_NO_LIMIT  INT64_MAX

typedef struct query_order {
    int col; /* column index, or -1 for the rowid */
    int desc;
} query_order;

struct orm_query {
    orm_session *s;
    orm_db *db;
    const orm_model *model;
    orm_error err;
    orm_expr **filters; /* first_filters until there are more */
    size_t nfilters, filters_cap;
    orm_expr *first_filters[4];
    int filter_nomem;
    query_order order[QUERY_MAX_ORDER];
    size_t norder; /* user's order columns */
    query_order key[QUERY_MAX_ORDER + ORM_MAX_KEY];
    size_t nkey; /* user's order + key columns */
    int64_t limit, offset;
    orm_value *bound; /* keyset values (owned) */
    int direction;    /* 0 none, 1 after, -1 before */
    int use_rowid;
    int keyless; /* no key, no row id: ordered by every column, no keyset */
};

/* " WHERE " and the query's filters, with the keyset bound when
 * `with_keyset` and one is set. */
int query_where_clause(sql_builder *sb, orm_query *q, int with_keyset);
/* The SELECT: rendered once per shape; later the same shape only
 * collects its parameters and reuses the text. *sql is the text: the
 * session's cached copy (valid until the session caches another) or the
 * builder's. */
int query_build_select(sql_builder *sb, orm_query *q, int64_t limit,
                       const char **sql);

#endif
