/*
 * The rows screen's window onto a table: at most `capacity` rows in
 * memory whatever the table size, moved with keyset paging (rows after
 * the last key held, rows before the first) in the current order and
 * filter, so that scrolling anywhere in a ten-million-row table costs a
 * page-sized indexed query. Jumps: the first page, the last page (the
 * order reversed, then reversed back in memory) and a row number
 * (OFFSET). Tables without any key (MySQL without a primary key) page
 * by OFFSET.
 *
 * Rows are addressed by their position in the result (0-based). A
 * position is exact when the window was reached from the start or from
 * an exact count; after a jump to the end with only an estimated count it
 * is approximate until the start is seen, and then positions move by
 * tui_rowcache_take_shift().
 *
 * Only reads, through orm_query (cursor rows are copied, never loaded
 * into the session). Text longer than a screen needs is cut; blobs keep
 * only their length.
 */
#ifndef TUI_ROWCACHE_H
#define TUI_ROWCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "orm/orm.h"
#include "sort.h"

typedef struct tui_rowcache tui_rowcache;

/* Bytes of a text value kept for display. */
#define TUI_ROWCACHE_TEXT_KEEP 1024

int tui_rowcache_new(tui_rowcache **out, orm_session *s, const orm_model *model,
                     size_t capacity);
void tui_rowcache_free(tui_rowcache *rc);
/* Errors of the last call that failed (borrowed). */
const orm_error *tui_rowcache_error(const tui_rowcache *rc);

/* At least 2 rows. Takes effect at the next fetch. */
void tui_rowcache_set_capacity(tui_rowcache *rc, size_t capacity);
size_t tui_rowcache_capacity(const tui_rowcache *rc);
/* Read at least `rows` rows in each query that fills or moves the window
 * (0: only what the caller asks for, plus slack); the window grows by
 * as many rows to hold them. Takes effect at the next fetch. */
void tui_rowcache_set_batch(tui_rowcache *rc, size_t rows);

/* Order by the sort keys (none: the key order). Empties the window. */
int tui_rowcache_set_sort(tui_rowcache *rc, const tui_sort *sort);
/* Order by one column (-1: none, the key order). Empties the window. */
int tui_rowcache_set_order(tui_rowcache *rc, int column, int descending);
/* AND this condition (copied; NULL: none). Empties the window and
 * forgets the total. */
int tui_rowcache_set_filter(tui_rowcache *rc, const orm_expr *filter);

/* Start over in another order, and with another filter (copied; NULL:
 * none) unless `keep_filter`: set_filter, set_sort and seek_first (or,
 * with `pk`, seek_record, *at the row's position; a row that is gone
 * gives the first rows and *at = -1) in one, except that when it fails
 * (a cancelled query) the window, filter, order and total stay as they
 * were. */
int tui_rowcache_restart(tui_rowcache *rc, const orm_expr *filter,
                         int keep_filter, const tui_sort *sort, size_t n,
                         const orm_value *pk, int64_t *at);

/* Fill the window with the first / last `n` rows, or `n` rows from a
 * position (an OFFSET query; past the end gives the last rows). The
 * first rows and a position replace the window only once read: when the
 * query fails (a cancel) the rows held stay. */
int tui_rowcache_seek_first(tui_rowcache *rc, size_t n);
int tui_rowcache_seek_last(tui_rowcache *rc, size_t n);
int tui_rowcache_seek_offset(tui_rowcache *rc, int64_t offset, size_t n);
/*
 * Fill the window with about `n` rows around the row whose primary key
 * values are `pk`, in the current order and filter, that row in the
 * middle, and set *out to its position (one COUNT query). ORM_ENOTFOUND
 * when no such row matches, ORM_EUNSUPPORTED without a primary key; the
 * window is left as it was then.
 */
int tui_rowcache_seek_record(tui_rowcache *rc, const orm_value *pk, size_t n,
                             int64_t *out);
/*
 * Make rows [from, from + n) present where they exist, paging forward
 * or backward from the rows held and evicting from the other side.
 * `from` must be within a capacity of the window (jumps use seek).
 */
int tui_rowcache_ensure(tui_rowcache *rc, int64_t from, size_t n);
/* Read the rows held again from the database, keeping the position. */
int tui_rowcache_reload(tui_rowcache *rc);
/* Count the result: exact with a filter, else an estimate may do. */
int tui_rowcache_count(tui_rowcache *rc);

/* The model's column values of a row held, or NULL. */
const orm_value *tui_rowcache_row(const tui_rowcache *rc, int64_t index);
/* Its paging key (tui_rowcache_key_width values), or NULL. */
const orm_value *tui_rowcache_key(const tui_rowcache *rc, int64_t index);
size_t tui_rowcache_key_width(const tui_rowcache *rc);
int64_t tui_rowcache_start(const tui_rowcache *rc);
size_t tui_rowcache_held(const tui_rowcache *rc);
/* The most rows ever held at once (for tests and the benchmark). */
size_t tui_rowcache_peak(const tui_rowcache *rc);
/* Queries run so far. */
size_t tui_rowcache_queries(const tui_rowcache *rc);
/* Is the first / last row of the result in the window? */
int tui_rowcache_at_start(const tui_rowcache *rc);
int tui_rowcache_at_end(const tui_rowcache *rc);
/* Are positions exact? */
int tui_rowcache_position_exact(const tui_rowcache *rc);
/* The total: 0 unknown, else 1 with *out and *exact. */
int tui_rowcache_total(const tui_rowcache *rc, int64_t *out, int *exact);
/* How far positions moved since the last call (see above). */
int64_t tui_rowcache_take_shift(tui_rowcache *rc);
/* 1 when paging by key, 0 when by OFFSET (no key at all). */
int tui_rowcache_keyset(const tui_rowcache *rc);

#endif
