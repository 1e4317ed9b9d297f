/*
 * Queries: SELECT with filters, a total order (the primary key breaks
 * ties), LIMIT/OFFSET, keyset paging in either direction, COUNT, and a
 * streaming cursor. Results become session records (all/first/one) or
 * stay plain rows (cursor) so that browsing a huge table keeps memory flat.
 * The SQL of the SELECT and its keyset bound is rendered in query_sql.c.
 */
#include <stdlib.h>
#include <string.h>

#include "flush.h"
#include "internal.h"
#include "query_state.h"
#include "alloc.h"

struct orm_cursor {
    orm_query *q; /* NULL for a cursor over the program's own SQL */
    orm_db *db;
    orm_error err; /* detail of its last failure (also on q and the session) */
    sql_builder sb;
    db_stmt st;
    orm_value *row;
    size_t width; /* model columns (+1 rowid) */
    int done;
};

static int fail(orm_query *q, int rc)
{
    if (q->err.code != rc)
        orm_error_copy(&q->err, &q->db->err);
    if (q->err.code != rc)
        orm_error_set(&q->err, rc, "%s", orm_strerror(rc));
    session_fail(q->s, &q->err);
    return rc;
}

static void compute_key(orm_query *q)
{
    int pk[ORM_MAX_KEY];
    size_t npk = orm_model_pk(q->model, pk, ORM_MAX_KEY);
    q->nkey = 0;
    for (size_t i = 0; i < q->norder; i++)
        q->key[q->nkey++] = q->order[i];
    if (npk == 0 || npk > ORM_MAX_KEY) {
        if (q->use_rowid) {
            q->key[q->nkey++] = (query_order){-1, 0};
            return;
        }
        /* A view (or a MariaDB table) without a key: nothing identifies
         * a row, so no keyset bound can say where a page ends. The rows
         * are ordered by the user's columns and then every other column
         * that can be compared, which makes OFFSET pages repeatable. */
        q->keyless = 1;
        const orm_model *m = q->model;
        for (size_t c = 0; c < m->ncolumns; c++) {
            int seen = 0;
            for (size_t j = 0; j < q->norder; j++)
                seen |= q->order[j].col == (int)c;
            if (!seen && q->nkey < sizeof q->key / sizeof q->key[0] &&
                m->columns[c].type != ORM_JSON &&
                m->columns[c].type != ORM_BLOB && !m->columns[c].read_only)
                q->key[q->nkey++] = (query_order){(int)c, 0};
        }
        return;
    }
    for (size_t i = 0; i < npk; i++) {
        int seen = 0;
        for (size_t j = 0; j < q->norder; j++)
            seen |= q->order[j].col == pk[i];
        if (!seen)
            q->key[q->nkey++] = (query_order){pk[i], 0};
    }
}

int orm_query_new(orm_query **out, orm_session *s, const orm_model *model)
{
    /* malloc and an initializer: calloc costs several times as much for
     * a struct this size, and a lookup makes a query per call. */
    orm_query *q = orm_malloc(sizeof *q);
    *out = NULL;
    if (!q) /* no query to hold the detail: the session holds it */
        return orm_error_set(session_err(s), ORM_ENOMEM, "out of memory");
    *q = (orm_query){.s = s,
                     .db = orm_session_db(s),
                     .model = model,
                     .err = ORM_ERROR_INIT,
                     .limit = -1};
    q->filters = q->first_filters;
    q->filters_cap = sizeof q->first_filters / sizeof *q->first_filters;
    int pk[ORM_MAX_KEY];
    q->use_rowid = orm_model_pk(model, pk, ORM_MAX_KEY) == 0 &&
                   q->db->driver->rowid_column != NULL && !model->is_view;
    compute_key(q);
    *out = q;
    return 0;
}

static void clear_bound(orm_query *q)
{
    if (q->bound) {
        for (size_t i = 0; i < q->nkey; i++)
            orm_value_clear(&q->bound[i]);
        free(q->bound);
        q->bound = NULL;
    }
    q->direction = 0;
}

void orm_query_free(orm_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nfilters; i++)
        orm_expr_free(q->filters[i]);
    if (q->filters != q->first_filters)
        free(q->filters);
    clear_bound(q);
    orm_error_clear(&q->err);
    free(q);
}

const orm_error *orm_query_error(const orm_query *q)
{
    return &q->err;
}

int orm_query_filter(orm_query *q, orm_expr *e)
{
    if (!e) {
        q->filter_nomem = 1;
        return fail(q, orm_error_set(&q->err, ORM_ENOMEM, "out of memory"));
    }
    if (q->nfilters == q->filters_cap) {
        size_t cap = 2 * q->filters_cap;
        orm_expr **f = q->filters == q->first_filters
                           ? orm_malloc(cap * sizeof *f)
                           : orm_realloc(q->filters, cap * sizeof *f);
        if (!f) {
            orm_expr_free(e);
            q->filter_nomem = 1;
            return fail(q, orm_error_set(&q->err, ORM_ENOMEM, "out of memory"));
        }
        if (q->filters == q->first_filters)
            memcpy(f, q->first_filters, sizeof q->first_filters);
        q->filters = f;
        q->filters_cap = cap;
    }
    q->filters[q->nfilters++] = e;
    return 0;
}

int orm_query_filter_by(orm_query *q, const char *column, const orm_value *v)
{
    return orm_query_filter(q, orm_eq(orm_col(column), orm_val(v)));
}

int orm_query_where(orm_query *q, const char *text)
{
    orm_expr *e = NULL;
    int rc = orm_filter_parse(&e, text, q->model, &q->err);
    if (rc) {
        session_fail(q->s, &q->err);
        return rc;
    }
    return orm_query_filter(q, e);
}

int orm_query_order_by(orm_query *q, const char *column, int descending)
{
    int col = orm_model_column_index(q->model, column);
    if (col < 0) {
        int shown = orm_error_quote_len(column);
        orm_error_set(&q->err, ORM_EINVALID, "unknown column '%.*s%s' in %s",
                      shown, column, column[shown] ? "\xE2\x80\xA6" : "",
                      q->model->table);
        orm_error_set_column(&q->err, column);
        return fail(q, ORM_EINVALID);
    }
    if (q->norder == QUERY_MAX_ORDER)
        return fail(q,
                    orm_error_set(&q->err, ORM_EINVALID,
                                  "at most %d order columns", QUERY_MAX_ORDER));
    clear_bound(q);
    q->order[q->norder++] = (query_order){col, descending != 0};
    compute_key(q);
    return 0;
}

void orm_query_limit(orm_query *q, int64_t limit)
{
    q->limit = limit;
}

void orm_query_offset(orm_query *q, int64_t offset)
{
    q->offset = offset < 0 ? 0 : offset;
}

size_t orm_query_key_width(const orm_query *q)
{
    return q->keyless ? 0 : q->nkey;
}

static int set_bound(orm_query *q, const orm_value *key, int direction)
{
    clear_bound(q);
    if (q->nkey == 0 || q->keyless)
        return fail(q,
                    orm_error_set(&q->err, ORM_EUNSUPPORTED,
                                  "%s has no key to page by", q->model->table));
    q->bound = orm_calloc(q->nkey, sizeof *q->bound);
    if (!q->bound)
        return fail(q, orm_error_set(&q->err, ORM_ENOMEM, "out of memory"));
    for (size_t i = 0; i < q->nkey; i++)
        if (orm_value_copy(&q->bound[i], &key[i])) {
            clear_bound(q);
            return fail(q, orm_error_set(&q->err, ORM_ENOMEM, "out of memory"));
        }
    q->direction = direction;
    return 0;
}

int orm_query_after(orm_query *q, const orm_value *key)
{
    return set_bound(q, key, 1);
}

int orm_query_before(orm_query *q, const orm_value *key)
{
    return set_bound(q, key, -1);
}

int orm_query_row_key(const orm_query *q, const orm_value *row,
                      const orm_value **out)
{
    for (size_t i = 0; i < q->nkey; i++)
        out[i] =
            q->key[i].col < 0 ? &row[q->model->ncolumns] : &row[q->key[i].col];
    return 0;
}

/* ---- the query's parts for other statements (internal.h) ---- */

orm_db *query_db(const orm_query *q)
{
    return q->db;
}

const orm_model *query_model(const orm_query *q)
{
    return q->model;
}

orm_error *query_err(orm_query *q)
{
    return &q->err;
}

int query_fail(orm_query *q, int rc)
{
    return fail(q, rc);
}

int query_where(sql_builder *sb, orm_query *q, const orm_column *not_null)
{
    int rc = query_where_clause(sb, q, 0);
    if (rc == 0 && not_null) {
        sql_raw(sb, q->nfilters ? " AND " : " WHERE ");
        sql_ident(sb, not_null->name);
        sql_raw(sb, " IS NOT NULL");
    }
    return rc;
}

int orm_query_sql(orm_query *q, char **sql, orm_value **params, size_t *nparams)
{
    sql_builder sb;
    const char *text;
    int rc = query_build_select(&sb, q, q->limit, &text);
    *sql = NULL;
    *params = NULL;
    *nparams = 0;
    if (rc == 0) {
        orm_value *copy = orm_calloc(sb.nparams ? sb.nparams : 1, sizeof *copy);
        for (size_t i = 0; copy && i < sb.nparams; i++)
            if (orm_value_copy(&copy[i], &sb.params[i]))
                rc = ORM_ENOMEM;
        *sql = orm_strdup(text);
        if (!copy || !*sql || rc) {
            orm_query_params_free(copy, sb.nparams);
            free(*sql);
            *sql = NULL;
            rc = orm_error_set(&q->err, ORM_ENOMEM, "out of memory");
        } else {
            *params = copy;
            *nparams = sb.nparams;
        }
    }
    sql_free(&sb);
    return rc ? fail(q, rc) : 0;
}

void orm_query_params_free(orm_value *params, size_t n)
{
    if (!params)
        return;
    for (size_t i = 0; i < n; i++)
        orm_value_clear(&params[i]);
    free(params);
}

/* ---- running ---- */

/* Build, prepare and bind the SELECT. */
static int select_open(orm_query *q, int64_t limit, unsigned flags,
                       sql_builder *sb, db_stmt *st)
{
    orm_error_clear(&q->err);
    const char *sql;
    int rc = query_build_select(sb, q, limit, &sql);
    if (rc == 0)
        rc = db_stmt_acquire(q->db, sql, sb->nparams, flags, st);
    if (rc == 0)
        rc = db_stmt_bind(q->db, st, sb->params, sb->types, sb->nparams);
    return rc;
}

static int cursor_open(orm_query *q, int64_t limit, unsigned flags,
                       orm_cursor **out)
{
    orm_cursor *c = orm_calloc(1, sizeof *c);
    int rc;
    if (!c)
        return fail(q, orm_error_set(&q->err, ORM_ENOMEM, "out of memory"));
    c->q = q;
    c->db = q->db;
    c->st.cache_index = -1;
    c->width = q->model->ncolumns + (q->use_rowid ? 1 : 0);
    c->row = orm_calloc(c->width ? c->width : 1, sizeof *c->row);
    if (!c->row) {
        free(c);
        return fail(q, orm_error_set(&q->err, ORM_ENOMEM, "out of memory"));
    }
    rc = select_open(q, limit, flags, &c->sb, &c->st);
    if (rc) {
        orm_cursor_free(c);
        return fail(q, rc);
    }
    *out = c;
    return 0;
}

int orm_query_cursor(orm_query *q, orm_cursor **out)
{
    return cursor_open(q, q->limit, ORM_STMT_STREAM, out);
}

int orm_query_cursor_bulk(orm_query *q, orm_cursor **out)
{
    return cursor_open(q, q->limit, ORM_STMT_STREAM | ORM_STMT_BULK, out);
}

/* A cursor's failure: on the query and its session (fail), or on the
 * database for the program's own SQL, and on the cursor. */
static int cursor_fail(orm_cursor *c, int rc)
{
    const orm_error *from = &c->db->err;
    if (c->q) {
        fail(c->q, rc);
        from = &c->q->err;
    }
    if (from->code != rc || orm_error_copy(&c->err, from))
        orm_error_set(&c->err, rc, "%s", orm_strerror(rc));
    return rc;
}

static void clear_row(orm_cursor *c)
{
    for (size_t i = 0; i < c->width; i++)
        orm_value_clear(&c->row[i]);
}

int orm_cursor_next(orm_cursor *c, const orm_value **row)
{
    const orm_model *m = c->q ? c->q->model : NULL;
    clear_row(c);
    if (c->done)
        return ORM_DONE;
    int rc = db_stmt_step(c->db, &c->st);
    if (rc == ORM_DONE) {
        c->done = 1;
        db_stmt_release(c->db, &c->st);
        return ORM_DONE;
    }
    if (rc != ORM_ROW)
        return cursor_fail(c, rc);
    if (!c->row) { /* the program's SQL: its width is known now */
        c->width = c->db->driver->column_count(c->st.stmt);
        c->row = orm_calloc(c->width ? c->width : 1, sizeof *c->row);
        if (!c->row)
            return cursor_fail(
                c, orm_error_set(&c->db->err, ORM_ENOMEM, "out of memory"));
    }
    for (size_t i = 0; i < c->width; i++) {
        const orm_column *col = m && i < m->ncolumns ? &m->columns[i] : NULL;
        rc = db_stmt_column(c->db, &c->st, i, col, &c->row[i]);
        if (rc)
            return cursor_fail(c, rc);
    }
    *row = c->row;
    return ORM_ROW;
}

void orm_cursor_free(orm_cursor *c)
{
    if (!c)
        return;
    clear_row(c);
    db_stmt_release(c->db, &c->st);
    sql_free(&c->sb);
    free(c->row);
    orm_error_clear(&c->err);
    free(c);
}

const orm_error *orm_cursor_error(const orm_cursor *c)
{
    return &c->err;
}

size_t orm_cursor_width(const orm_cursor *c)
{
    return c->width;
}

/* ---- the program's own SQL ---- */

int orm_db_cursor(orm_cursor **out, orm_db *db, const char *sql,
                  const orm_value *params, size_t nparams)
{
    orm_cursor *c;
    int rc;
    *out = NULL;
    if (!sql || (nparams && !params))
        return orm_error_set(&db->err, ORM_EINVALID,
                             "orm_db_cursor: no SQL or no parameters given");
    if (!(c = orm_calloc(1, sizeof *c)))
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    c->db = db;
    c->st.cache_index = -1;
    sql_init(&c->sb, db->driver);
    rc = db_stmt_acquire(db, sql, nparams, ORM_STMT_STREAM, &c->st);
    if (rc == 0)
        rc = db_stmt_bind(db, &c->st, params, NULL, nparams);
    if (rc) {
        orm_cursor_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Run with a limit and load the rows as records, straight from the
 * statement (no row copy in between): into `fixed` (room for `limit`
 * records) when given, else into an array grown at *out. */
static int load(orm_query *q, int64_t limit, orm_record **fixed,
                orm_record ***out, size_t *count)
{
    sql_builder sb;
    db_stmt st = {NULL, -1};
    orm_record **recs = fixed;
    loaded_key *keys = NULL; /* of the records loaded with `defer` */
    size_t n = 0, nkeys = 0, cap = fixed ? (size_t)limit : 0;
    /* Many rows into an empty identity map: placed in it at the end. */
    int defer = !fixed && session_map_empty(q->s);
    int rc = select_open(q, limit, 0, &sb, &st);
    while (rc == 0 && (rc = db_stmt_step(q->db, &st)) == ORM_ROW) {
        orm_record *rec;
        if (n == cap && fixed) {
            rc = ORM_DONE; /* the LIMIT was `limit`: nothing more */
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            orm_record **r = orm_realloc(recs, ncap * sizeof *r);
            loaded_key *k =
                r && defer ? orm_realloc(keys, ncap * sizeof *k) : NULL;
            if (r)
                recs = r;
            if (k)
                keys = k;
            if (!r || (defer && !k)) {
                rc = orm_error_set(&q->err, ORM_ENOMEM, "out of memory");
                break;
            }
            cap = ncap;
        }
        rc = session_load_row(q->s, q->model, &st, q->use_rowid, defer, &rec);
        if (rc)
            break;
        if (defer && rec->in_identity)
            keys[nkeys++] = (loaded_key){rec->map_hash, n};
        recs[n++] = rec;
    }
    db_stmt_release(q->db, &st);
    sql_free(&sb);
    if (nkeys) { /* also after a failure: they are the session's */
        int mrc = session_map_loaded(q->s, recs, keys, nkeys);
        if (rc == ORM_DONE && mrc)
            rc = mrc;
    }
    free(keys);
    if (rc != ORM_DONE) {
        if (recs != fixed)
            free(recs);
        return rc < 0 ? fail(q, rc) : rc;
    }
    *count = n;
    if (out)
        *out = recs;
    return 0;
}

int orm_query_all(orm_query *q, orm_record ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    return load(q, q->limit, NULL, out, count);
}

int orm_query_first(orm_query *q, orm_record **out)
{
    orm_record *recs[1];
    size_t n = 0;
    int rc = load(q, 1, recs, NULL, &n);
    *out = NULL;
    if (rc)
        return rc;
    if (n)
        *out = recs[0];
    return n ? ORM_ROW : ORM_DONE;
}

int orm_query_one(orm_query *q, orm_record **out)
{
    orm_record *recs[2];
    size_t n = 0;
    int rc = load(q, 2, recs, NULL, &n);
    *out = NULL;
    if (rc)
        return rc;
    if (n == 1)
        *out = recs[0];
    if (n == 0)
        return fail(q, orm_error_set(&q->err, ORM_ENOTFOUND, "no %s matches",
                                     q->model->table));
    if (n > 1)
        return fail(q,
                    orm_error_set(&q->err, ORM_EMULTIPLE,
                                  "more than one %s matches", q->model->table));
    return ORM_ROW;
}

/* ---- one call: a query made, run and freed ---- */

/* filter(...).first() when `first`, else filter(...).all(). */
static int run_once(orm_session *s, const orm_model *model, orm_expr *filter,
                    orm_record **first, orm_record ***all, size_t *count)
{
    orm_query *q = NULL;
    int rc = orm_query_new(&q, s, model);
    if (rc) {
        orm_expr_free(filter);
        return rc;
    }
    rc = orm_query_filter(q, filter);
    if (rc == 0)
        rc = first ? orm_query_first(q, first) : orm_query_all(q, all, count);
    orm_query_free(q);
    return rc;
}

int orm_session_first(orm_session *s, const orm_model *model, orm_expr *filter,
                      orm_record **out)
{
    *out = NULL;
    return run_once(s, model, filter, out, NULL, NULL);
}

int orm_session_first_by(orm_session *s, const orm_model *model,
                         const char *column, const orm_value *v,
                         orm_record **out)
{
    *out = NULL;
    return run_once(s, model, orm_eq(orm_col(column), orm_val(v)), out, NULL,
                    NULL);
}

int orm_session_all(orm_session *s, const orm_model *model, orm_expr *filter,
                    orm_record ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    return run_once(s, model, filter, NULL, out, count);
}

/* COUNT(*) of the filters' rows, within the keyset bound or not. */
static int count_rows(orm_query *q, int with_keyset, int64_t *out)
{
    sql_builder sb;
    db_stmt st = {NULL, -1};
    orm_value v = ORM_VALUE_NULL_INIT;
    orm_error_clear(&q->err);
    sql_init(&sb, q->db->driver);
    sql_raw(&sb, "SELECT COUNT(*) FROM ");
    sql_table(&sb, q->model);
    int rc = query_where_clause(&sb, q, with_keyset);
    if (rc == 0 && !sql_ok(&sb))
        rc = orm_error_set(&q->err, ORM_ENOMEM, "out of memory");
    if (rc == 0)
        rc = db_stmt_acquire(q->db, orm_buf_str(&sb.text), sb.nparams, 0, &st);
    if (rc == 0)
        rc = db_stmt_bind(q->db, &st, sb.params, sb.types, sb.nparams);
    if (rc == 0 && (rc = db_stmt_step(q->db, &st)) == ORM_ROW)
        rc = db_stmt_column(q->db, &st, 0, NULL, &v);
    if (rc == 0)
        *out = v.kind == ORM_VINT ? v.u.i : 0;
    orm_value_clear(&v);
    db_stmt_release(q->db, &st);
    sql_free(&sb);
    if (rc == ORM_DONE)
        rc = 0;
    return rc ? fail(q, rc) : 0;
}

int orm_query_count(orm_query *q, int64_t *out)
{
    return count_rows(q, 0, out);
}

/* The columns an update sets: known, writable, each once, and their
 * values fit them. *cols gets them in order. */
static int update_columns(orm_query *q, const char *const *columns,
                          const orm_value *values, size_t n,
                          const orm_column **cols)
{
    const orm_model *m = q->model;
    for (size_t i = 0; i < n; i++) {
        const orm_column *c =
            columns[i] ? orm_model_column(m, columns[i]) : NULL;
        if (!c) {
            orm_error_set(&q->err, ORM_EINVALID, "%s has no column '%s'",
                          m->table, columns[i] ? columns[i] : "(null)");
            orm_error_set_column(&q->err, columns[i]);
            return ORM_EINVALID;
        }
        for (size_t k = 0; k < i; k++)
            if (cols[k] == c) {
                orm_error_set(&q->err, ORM_EINVALID, "%s is set twice",
                              c->name);
                orm_error_set_column(&q->err, c->name);
                return ORM_EINVALID;
            }
        if (c->read_only) {
            orm_error_set(&q->err, ORM_EREADONLY, "%s cannot be changed: %s",
                          c->name, c->read_only);
            orm_error_set_column(&q->err, c->name);
            return ORM_EREADONLY;
        }
        int rc = orm_value_check(&values[i], c, &q->err);
        if (rc) {
            if (!q->err.column)
                orm_error_set_column(&q->err, c->name);
            return rc;
        }
        cols[i] = c;
    }
    return 0;
}

/* A unique column the update set, refused by the database: said as a
 * commit says it ("Account.handle: \"jdoe\" is already taken"). */
static void update_explain(orm_query *q, const orm_column *const *cols,
                           const orm_value *values, size_t n)
{
    const orm_error *err = &q->db->err;
    if (err->code != ORM_EUNIQUE || !err->column)
        return;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cols[i]->name, err->column) != 0 ||
            (cols[i]->flags & ORM_SECRET))
            continue;
        char *text = orm_value_format(&values[i], cols[i]);
        if (!text)
            return;
        orm_error_set(&q->err, ORM_EUNIQUE,
                      values[i].kind == ORM_VTEXT
                          ? "%s.%s: \"%s\" is already taken"
                          : "%s.%s: %s is already taken",
                      q->model->name, cols[i]->name, text);
        orm_error_set_column(&q->err, cols[i]->name);
        free(text);
        return;
    }
}

int orm_query_update(orm_query *q, const char *const *columns,
                     const orm_value *values, size_t n, int64_t *out)
{
    const orm_model *m = q->model;
    const orm_column **cols = NULL;
    sql_builder sb;
    db_stmt st = {NULL, -1};
    int version = flush_version_column(m), rc;
    *out = 0;
    orm_error_clear(&q->err);
    if (n == 0)
        return fail(q, orm_error_set(&q->err, ORM_EINVALID,
                                     "nothing to set: name a column"));
    if (m->read_only) {
        orm_error_set(&q->err, ORM_EREADONLY, "%s cannot be changed: %s",
                      m->table, m->read_only);
        orm_error_set_table(&q->err, m->table);
        return fail(q, ORM_EREADONLY);
    }
    if (q->limit >= 0 || q->offset > 0 || q->direction)
        return fail(q, orm_error_set(&q->err, ORM_EINVALID,
                                     "an update takes no limit, offset or "
                                     "keyset bound: filter the rows"));
    if (!(cols = orm_calloc(n, sizeof *cols)))
        return fail(q, orm_error_set(&q->err, ORM_ENOMEM, "out of memory"));
    if ((rc = update_columns(q, columns, values, n, cols)) != 0) {
        free(cols);
        return fail(q, rc);
    }
    sql_init(&sb, q->db->driver);
    sql_raw(&sb, "UPDATE ");
    sql_table(&sb, m);
    for (size_t i = 0; i < n; i++) {
        sql_raw(&sb, i ? ", " : " SET ");
        sql_ident(&sb, cols[i]->name);
        sql_raw(&sb, " = ");
        sql_param(&sb, &values[i], cols[i]->type);
        if (version >= 0 && cols[i] == &m->columns[version])
            version = -1; /* set by the caller */
    }
    if (version >= 0) { /* optimistic locks elsewhere see the change */
        sql_raw(&sb, ", ");
        sql_ident(&sb, m->columns[version].name);
        sql_raw(&sb, " = ");
        sql_ident(&sb, m->columns[version].name);
        sql_raw(&sb, " + 1");
    }
    rc = query_where_clause(&sb, q, 0);
    if (rc == 0 && !sql_ok(&sb))
        rc = orm_error_set(&q->err, ORM_ENOMEM, "out of memory");
    if (rc == 0)
        rc = db_stmt_acquire(q->db, orm_buf_str(&sb.text), sb.nparams, 0, &st);
    if (rc == 0)
        rc = db_stmt_bind(q->db, &st, sb.params, sb.types, sb.nparams);
    if (rc == 0 && (rc = db_stmt_step(q->db, &st)) == ORM_DONE)
        rc = 0;
    if (rc == 0)
        *out = q->db->driver->rows_matched(st.stmt);
    else if (rc == ORM_EUNIQUE)
        update_explain(q, cols, values, n);
    else if (rc > 0)
        rc = orm_error_set(&q->err, ORM_EINVALID, "the UPDATE returned rows");
    db_stmt_release(q->db, &st);
    sql_free(&sb);
    free(cols);
    return rc ? fail(q, rc) : 0;
}

int orm_query_position(orm_query *q, const orm_value *key, int64_t *out)
{
    /* The rows before the key are the keyset page before it, unbounded;
     * the query's own bound is put back afterwards. */
    orm_value *bound = q->bound;
    int direction = q->direction;
    q->bound = NULL;
    q->direction = 0;
    int rc = set_bound(q, key, -1);
    if (rc == 0)
        rc = count_rows(q, 1, out);
    else
        rc = fail(q, rc);
    clear_bound(q);
    q->bound = bound;
    q->direction = direction;
    return rc;
}
