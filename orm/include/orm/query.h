/**
 * @file
 * Queries over one model: filter, order, limit, keyset paging, count,
 * first / one / all, and a streaming cursor.
 *
 *     orm_query *q;
 *     orm_query_new(&q, session, &Account);
 *     orm_query_filter(q, orm_like(orm_col("handle"), orm_str("%doe%")));
 *     orm_query_order_by(q, "id", 0);
 *     orm_record **rows; size_t n;
 *     orm_query_all(q, &rows, &n);   // records owned by the session
 *     free(rows);
 *     orm_query_free(q);
 *
 * Every value is a bound parameter; identifiers are quoted by the dialect.
 * Every failure of a query call (building it, as orm_query_filter and
 * orm_query_order_by, or running it) is on orm_query_error(q) and on the
 * session's orm_session_error(); a cursor's on orm_cursor_error(c), the
 * query's and the session's.
 */
#ifndef ORM_QUERY_H
#define ORM_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "orm/api.h"
#include "orm/expr.h"
#include "orm/session.h"

/** A query (opaque). */
typedef struct orm_query orm_query;
/** A streaming cursor over a query's rows (opaque). */
typedef struct orm_cursor orm_cursor;

/** A query of `model`'s rows through session `s`. ORM_ENOMEM (on the
 * session's error) when there is no memory for it. */
ORM_API int orm_query_new(orm_query **out, orm_session *s,
                          const orm_model *model);
/** Free a query. Accepts NULL. */
ORM_API void orm_query_free(orm_query *q);
/** Detail of the query's last failure (borrowed). */
ORM_API const orm_error *orm_query_error(const orm_query *q);

/** AND a condition (takes ownership). A NULL expr (a builder out of
 * memory) is ORM_ENOMEM now and again when the query runs. Columns are
 * checked against the model when run. */
ORM_API int orm_query_filter(orm_query *q, orm_expr *e);
/** AND column = value (value copied). */
ORM_API int orm_query_filter_by(orm_query *q, const char *column,
                                const orm_value *v);
/** Parse filter-language text and AND it (ORM_EPARSE with position). */
ORM_API int orm_query_where(orm_query *q, const char *text);

/** Append an ORDER BY column. The primary key is always added last as a
 * tie-breaker so that the order is total. NULLs sort first ascending and
 * last descending on every dialect. ORM_EINVALID for a column the model
 * does not have (the error names it) or a ninth order column. */
ORM_API int orm_query_order_by(orm_query *q, const char *column,
                               int descending);
/** At most `limit` rows; a negative limit means none. */
ORM_API void orm_query_limit(orm_query *q, int64_t limit);
/** Skip the first `offset` rows. */
ORM_API void orm_query_offset(orm_query *q, int64_t offset);

/**
 * Keyset paging: only rows strictly after (or before) the row whose
 * order-by values followed by its primary key values are `key` (as many
 * values as orm_query_key_width). Rows before are returned in reverse
 * order (nearest first) so that a view can fetch the page above it.
 */
ORM_API int orm_query_after(orm_query *q, const orm_value *key);
/** Keyset paging: the rows before `key`, nearest first (see
 * orm_query_after()). */
ORM_API int orm_query_before(orm_query *q, const orm_value *key);
/** Number of values in a key: the order-by columns, then the primary key. */
ORM_API size_t orm_query_key_width(const orm_query *q);
/** The key of a result row (for after/before): `out` receives
 * orm_query_key_width borrowed values. */
ORM_API int orm_query_row_key(const orm_query *q, const orm_value *row,
                              const orm_value **out);

/**
 * Set columns on every row the query's filters match, in one statement
 * (SQLAlchemy's `query.update({...})`): `UPDATE table SET c = ?, ...
 * WHERE filters`, every value bound. `columns` and `values` name `n`
 * columns and their new values, each checked against its column first
 * (ORM_ETYPE, ORM_EREADONLY, ORM_EINVALID for an unknown column; the
 * error names it). A version column is incremented. *out gets how many
 * rows matched (a row that already held the values counts too). The
 * statement runs inside the transaction orm_session_begin opened (so
 * the caller can look at *out and roll back), else on its own. Records
 * the session holds are not changed: refresh them to see the new
 * values. ORM_EINVALID when the query has a limit, offset or keyset
 * bound.
 */
ORM_API int orm_query_update(orm_query *q, const char *const *columns,
                             const orm_value *values, size_t n, int64_t *out);
/** Number of rows the filters match (limit, offset and keyset bounds
 * do not apply). */
ORM_API int orm_query_count(orm_query *q, int64_t *out);
/** The position of the row whose key is `key` (orm_query_after()): how
 * many rows the filters match before it in the query's order (limit,
 * offset and the query's own keyset bound do not apply). The row itself
 * need not exist. */
ORM_API int orm_query_position(orm_query *q, const orm_value *key,
                               int64_t *out);
/** One value of a column and how many rows have it. */
typedef struct orm_value_count {
    orm_value value; /**< owned */
    int64_t count;   /**< rows with this value */
} orm_value_count;

/** What orm_query_summary() finds out about one column. */
typedef struct orm_column_summary {
    int64_t rows;     /**< rows the filters match */
    int64_t nulls;    /**< of them, those NULL in the column */
    int64_t distinct; /**< distinct non-NULL values (counted exactly) */
    orm_value min;    /**< the smallest value (NULL when every one is) */
    orm_value max;    /**< the largest value */
    /** The most frequent non-NULL values, most rows first, a tie in
     * order of value; `ntop` of them (owned, orm_column_summary_clear). */
    orm_value_count *top;
    size_t ntop; /**< entries in top */
} orm_column_summary;

/**
 * Summarize `column` over the rows the query's filters match (its order,
 * limit, offset and keyset bound do not apply), computed by the database
 * in two statements whatever the number of rows: COUNT, COUNT(DISTINCT),
 * MIN and MAX, then GROUP BY with a LIMIT for the `top` most frequent
 * values (0: none). Text is grouped and ordered exactly, by code point,
 * on every dialect whatever the column's collation (as the filters' =
 * and < compare): 'Oslo' and 'oslo' are two values, and ties in the
 * counts come in the same order everywhere. *out is zeroed first and
 * owned by the caller (orm_column_summary_clear). ORM_EINVALID for an
 * unknown or a blob column (the error says which); failures are on
 * orm_query_error() and the session's error.
 */
ORM_API int orm_query_summary(orm_query *q, const char *column, size_t top,
                              orm_column_summary *out);
/** Free what a summary owns and zero it. Accepts NULL. */
ORM_API void orm_column_summary_clear(orm_column_summary *s);

/** ORM_ROW and *out, or ORM_DONE when no row matches. */
ORM_API int orm_query_first(orm_query *q, orm_record **out);
/** Exactly one row: ORM_ROW, ORM_ENOTFOUND, or ORM_EMULTIPLE. */
ORM_API int orm_query_one(orm_query *q, orm_record **out);
/** All rows as session records. *out is a malloc'd array (free() it; the
 * records belong to the session). */
ORM_API int orm_query_all(orm_query *q, orm_record ***out, size_t *count);

/**
 * @name One call: a query made, run and freed
 * As the tutorial's `Account.query.filter_by(handle='jdoe').first()` and
 * `Account.query.filter(...).all()`: each builds a query of `model`'s rows
 * in the primary key's order, runs it and frees it. The filter is taken
 * (freed even on failure); a NULL filter, what a builder out of memory
 * gives, is ORM_ENOMEM. Records belong to the session; failures are on
 * orm_session_error().
 * @{
 */
/** `filter(filter).first()`: ORM_ROW and *out, or ORM_DONE and *out NULL
 * when no row matches (None). */
ORM_API int orm_session_first(orm_session *s, const orm_model *model,
                              orm_expr *filter, orm_record **out);
/** `filter_by(column=v).first()` (v copied): ORM_ROW and *out, or
 * ORM_DONE and *out NULL when no row matches. */
ORM_API int orm_session_first_by(orm_session *s, const orm_model *model,
                                 const char *column, const orm_value *v,
                                 orm_record **out);
/** `filter(filter).all()`: 0 with *out a malloc'd array of *count records
 * (free() the array, not the records; NULL when there are none). */
ORM_API int orm_session_all(orm_session *s, const orm_model *model,
                            orm_expr *filter, orm_record ***out, size_t *count);
/** @} */

/**
 * Streaming: rows are read one at a time and are NOT added to the session
 * (memory stays flat whatever the result size). orm_cursor_next returns
 * ORM_ROW with *row pointing at model->ncolumns values that stay valid
 * until the next call, ORM_DONE at the end, or an error.
 */
ORM_API int orm_query_cursor(orm_query *q, orm_cursor **out);
/**
 * As orm_query_cursor(), for a caller that reads every row at once, front
 * to back (an export, a dump), not a page of them: the same rows and the
 * same values, which the driver may move in its bulk format. PostgreSQL
 * sends a query without bound values (no filter, or one whose conditions
 * hold no value) as `COPY (SELECT ...) TO STDOUT`, about a fifth fewer
 * bytes on the wire than a query result; with values it streams as
 * orm_query_cursor() does (values are never written into SQL text). Not
 * for a screen's pages: freeing such a cursor early cancels the rest on
 * the server, which costs a connection of its own.
 */
ORM_API int orm_query_cursor_bulk(orm_query *q, orm_cursor **out);
/** The next row of a cursor (see orm_query_cursor()). */
ORM_API int orm_cursor_next(orm_cursor *c, const orm_value **row);
/** Detail of the cursor's last failure (borrowed). */
ORM_API const orm_error *orm_cursor_error(const orm_cursor *c);
/** Number of values in each row: the model's columns (and the row id of a
 * table without a key) for a query's cursor; for orm_db_cursor(), the
 * SELECT's columns, known once orm_cursor_next() has given a row (0
 * before). */
ORM_API size_t orm_cursor_width(const orm_cursor *c);

/**
 * The escape hatch: the program's own SELECT (or any statement that
 * returns rows), with every value a bound parameter, as SQLAlchemy's
 * `session.execute(text(...), params)`. `sql` is written in the
 * database's own dialect, with its placeholders: `?` on SQLite and
 * MariaDB, `$1`, `$2`, ... on PostgreSQL (orm_db_dialect() tells which);
 * `params` holds `nparams` values for them, bound in order (borrowed
 * until the cursor is freed). Never paste a value into `sql`.
 *
 * The rows stream through a cursor as a query's do: orm_cursor_next()
 * gives orm_cursor_width() values per row in the driver's own kinds
 * (integers, floats, text; booleans may come as integers), valid until
 * the next call. Finish or free the cursor before the next statement on
 * this database. It runs inside the transaction of orm_session_begin()
 * when one is open. Failures are on orm_db_error() (and the cursor's).
 * orm_db_execute() runs statements without rows.
 */
ORM_API int orm_db_cursor(orm_cursor **out, orm_db *db, const char *sql,
                          const orm_value *params, size_t nparams);
/** Free a cursor, dropping unread rows. Accepts NULL. */
ORM_API void orm_cursor_free(orm_cursor *c);

/** The SELECT this query runs, with the dialect's placeholders, and the
 * bound values (owned array of owned values; orm_query_params_free). */
ORM_API int orm_query_sql(orm_query *q, char **sql, orm_value **params,
                          size_t *nparams);
/** Free what orm_query_sql() gave in `params`. */
ORM_API void orm_query_params_free(orm_value *params, size_t n);

#endif
