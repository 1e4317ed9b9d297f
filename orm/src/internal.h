/*
 * Internal structures shared by the core's files: the database handle with
 * its statement cache, SQL building with bound parameters, and the hooks
 * between the session, its records and queries.
 */
#ifndef ORM_INTERNAL_H
#define ORM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "orm/db.h"
#include "orm/expr.h"
#include "orm/query.h"
#include "orm/record.h"
#include "orm/session.h"
#include "orm/sys/buf.h"
#include "orm/sys/driver.h"

/* ---- hashing: identity-map keys, statement texts ---- */

/* Fold 8 bytes at a time with a 64-bit mixer: an integer key or a
 * statement text costs a few instructions per word, not a byte loop. */
static inline uint64_t orm_hash_mix(uint64_t h, uint64_t x)
{
    h ^= x;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static inline uint64_t orm_hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t word;
    for (; n >= 8; n -= 8, p += 8) {
        memcpy(&word, p, 8);
        h = orm_hash_mix(h, word);
    }
    word = 0;
    memcpy(&word, p, n);
    return orm_hash_mix(h, word ^ ((uint64_t)n << 56));
}

/* ---- the identity map (identity.c) ---- */

/* A slot keeps the key hash beside the record (NULL: free). */
typedef struct map_slot {
    uint64_t hash;
    orm_record *rec;
} map_slot;

typedef struct identity_map {
    map_slot *slots;
    size_t cap, count; /* cap: 0 or a power of two; count <= cap / 2 */
} identity_map;

/* A record's key values (the session's: primary key, else rowid); the
 * count, 0 when it has none. */
typedef size_t (*identity_key_fn)(void *ctx, const orm_record *rec,
                                  const orm_value **key);

/* A record loaded for later placement: its key hash, its place in the
 * result (session_map_loaded). */
typedef struct loaded_key {
    uint64_t hash;
    size_t index;
} loaded_key;

uint64_t identity_hash(const orm_model *m, const orm_value *const *key,
                       size_t n);
/* The slot holding the record with this key, or -1 and in *empty the
 * free slot where it belongs (the map must have room). */
long identity_probe(const identity_map *map, const orm_model *m,
                    const orm_value *const *key, size_t n, uint64_t hash,
                    identity_key_fn key_of, void *ctx, size_t *empty);
/* The same for any map, empty or not; no free slot. */
long identity_find(const identity_map *map, const orm_model *m,
                   const orm_value *const *key, size_t n, uint64_t hash,
                   identity_key_fn key_of, void *ctx);
/* Ask the CPU for the slot a probe for `hash` starts at. */
void identity_prefetch(const identity_map *map, uint64_t hash);
/* Room for `extra` more records. */
int identity_reserve(identity_map *map, size_t extra);
/* Put a record in a map with room: where its hash leads, or in the free
 * slot identity_probe gave. */
void identity_put(identity_map *map, uint64_t hash, orm_record *rec);
void identity_put_at(identity_map *map, size_t slot, uint64_t hash,
                     orm_record *rec);
/* Put a record in a map with room, unless one with its key is there:
 * then that one is returned and nothing changes. */
orm_record *identity_put_new(identity_map *map, uint64_t hash, orm_record *rec,
                             identity_key_fn key_of, void *ctx);
/* Take a record out (put in under `hash`); 1 if it was there. */
int identity_remove(identity_map *map, const orm_record *rec, uint64_t hash);
/* order[] = 0..nkeys-1 sorted by the slot each hash leads to, so that
 * placing them walks the map once from start to end. */
int identity_slot_order(const identity_map *map, const loaded_key *keys,
                        size_t nkeys, size_t *order);
void identity_free(identity_map *map);

/* ---- database and statements (db.c) ---- */

typedef struct db_cached_stmt {
    char *sql;
    uint64_t hash; /* of sql, compared before the text */
    orm_stmt *stmt;
    int busy; /* handed out and not released yet */
    uint64_t last_use;
} db_cached_stmt;

struct orm_db {
    const orm_driver *driver;
    orm_conn *conn;
    orm_url *url;
    char *url_text; /* without password */
    orm_error err;
    int read_only;
    int lost; /* connection lost: reconnect before the next statement */
    int in_transaction;
    int rows_unsupported; /* execute_rows said this server cannot */

    const orm_model **models;
    unsigned char *model_owned;
    size_t nmodels, models_cap;
    /* Owned models another one replaced: records, queries and sessions
     * may still point at them, so they live until orm_db_free. */
    orm_model **replaced;
    size_t nreplaced;
    /* The schema (database) unqualified names mean, once a table asked
     * for in it by name came back as one of it (db_models.c), or NULL:
     * until then a model without a schema is the only current one. */
    char *current_schema;

    db_cached_stmt *cache;
    size_t ncache, cache_cap;
    uint64_t use_clock;
};

/* A statement handed out by db_stmt_acquire; give it back with
 * db_stmt_release (resets it, or finalizes an uncached one). */
typedef struct db_stmt {
    orm_stmt *stmt;
    long cache_index; /* -1: not cached */
} db_stmt;

/* The driver, built in or registered (orm_driver_register), named by
 * the `n` bytes at `name` in any case; NULL if none. */
const orm_driver *db_driver_find(const char *name, size_t n);
/* ", name" for each registered driver (for "known: ..." messages). */
void db_driver_names_added(orm_buf *out);
/* Is this URL scheme one orb knows itself (url.c)? */
int url_dialect_known(const char *scheme, size_t n);

/* Copy the connection's error to db->err and note a lost connection.
 * Returns rc. */
int db_fail(orm_db *db, int rc);
int db_stmt_acquire(orm_db *db, const char *sql, size_t nparams, unsigned flags,
                    db_stmt *out);
void db_stmt_release(orm_db *db, db_stmt *st);
/* Bind params[i] with types[i] (types may be NULL). */
int db_stmt_bind(orm_db *db, db_stmt *st, const orm_value *params,
                 const orm_type *types, size_t n);
int db_stmt_step(orm_db *db, db_stmt *st);
/* Read column i of the current row into `out`, normalized for `col`
 * (borrowed unless normalization had to change it: then owned). */
int db_stmt_column(orm_db *db, db_stmt *st, size_t i, const orm_column *col,
                   orm_value *out);
/* Column i of a model's column `col`, normalized like db_stmt_column;
 * when normalizing changed what a guard would compare (see
 * orm_record.stored), *stored gets the value as the database gave it
 * (owned), else SQL NULL. */
int db_stmt_column_stored(orm_db *db, db_stmt *st, size_t i,
                          const orm_column *col, orm_value *out,
                          orm_value *stored);
/* Could orm_value_normalize change a value read for `col`? Text and
 * blob columns, and values already of their column's kind, stay as the
 * driver gave them. orm_value_normalize starts with this test, and the
 * row loops use it to skip the call. */
static inline int value_needs_normalize(const orm_value *v,
                                        const orm_column *col)
{
    switch (col->type) {
    case ORM_STRING:
    case ORM_TEXT:
    case ORM_BLOB:
    case ORM_JSON:
        return 0;
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
        return v->kind == ORM_VTEXT;
    case ORM_FLOAT: /* a float4 is rounded to what the column holds */
        return v->kind == ORM_VTEXT || v->kind == ORM_VINT ||
               (v->kind == ORM_VFLOAT && col->precision > 0 &&
                col->precision <= 24);
    case ORM_BOOLEAN:
        return v->kind == ORM_VTEXT || v->kind == ORM_VINT;
    default:
        return v->kind != ORM_VNULL;
    }
}
int db_exec(orm_db *db, const char *sql);
int db_begin(orm_db *db);
/* Does the driver run many statements in one go (execute_batch)? */
int db_can_batch(const orm_db *db);
/* execute_batch on acquired, bound statements, with a BEGIN first when
 * `begin`; then db_stmt_step each in order. Negative: none ran. */
int db_execute_batch(orm_db *db, orm_stmt *const *stmts, size_t n, int begin);
/* Does the driver run one statement for many rows (execute_rows), and
 * has this connection's server not refused it? */
int db_can_execute_rows(const orm_db *db);
/* execute_rows on an acquired statement with nothing bound: `nrows` rows
 * of parameters, row after row (`defaults`: the values an INSERT's column
 * default replaces, or NULL); *matched: rows matched by them all.
 * ORM_EUNSUPPORTED (nothing sent) makes db_can_execute_rows 0 for good. */
int db_execute_rows(orm_db *db, db_stmt *st, const orm_value *values,
                    const unsigned char *defaults, const orm_type *types,
                    size_t nrows, int64_t *matched);
int db_commit(orm_db *db);
int db_rollback(orm_db *db);
/* Reconnect now if the connection was lost. */
int db_ensure_connected(orm_db *db);

/* ---- SQL text with parameters (sql.c) ---- */

#define SQL_INLINE_PARAMS 8

typedef struct sql_builder {
    orm_buf text;
    const orm_driver *driver;
    orm_value *params; /* shallow copies: borrowed bytes */
    orm_type *types;
    unsigned char *masked; /* param belongs to a secret column */
    int mask_next;         /* set before sql_param to mark the next one */
    int params_only;       /* collect parameters, write no text (the text
                              of this shape is cached) */
    int null_safe;         /* sql_match compares with the driver's
                              null_safe_equal, a NULL too */
    size_t nparams, cap;
    int failed;
    struct sql_block *kept; /* text made for params (LIKE patterns) */
    /* The first parameters live here: most statements allocate nothing
     * for them. (So a builder is never copied, only pointed to.) */
    orm_value inline_params[SQL_INLINE_PARAMS];
    orm_type inline_types[SQL_INLINE_PARAMS];
    unsigned char inline_masked[SQL_INLINE_PARAMS];
} sql_builder;

void sql_init(sql_builder *sb, const orm_driver *driver);
void sql_free(sql_builder *sb);
void sql_raw(sql_builder *sb, const char *text);
void sql_ident(sql_builder *sb, const char *name);
void sql_table(sql_builder *sb, const orm_model *model);
/* Append a placeholder and bind `v` (borrowed) with column type `type`. */
void sql_param(sql_builder *sb, const orm_value *v, orm_type type);
/* A string literal for DDL (quotes doubled, backslashes per dialect). */
void sql_string_literal(sql_builder *sb, const char *text);
/* A column reference cast to text where the dialect needs it for text
 * operators and equality (JSON, UUID). */
void sql_column_as_text(sql_builder *sb, const orm_column *col);
/* The same, qualified by a table alias ("a"."col"). */
void sql_column_as_text_of(sql_builder *sb, const char *alias,
                           const orm_column *col);
/* The type a value compared with sql_column_as_text is bound as. */
/* The column where it is compared for equality (a key, =, IN, a guard),
 * and the type its value is bound with (see the UUID note in sql.c). */
void sql_column_compared_of(sql_builder *sb, const char *alias,
                            const orm_column *col);
orm_type sql_match_type(const sql_builder *sb, const orm_column *col);
/* A column as ORDER BY and range comparisons must see it (numerically,
 * for decimals a dialect stores as text). */
void sql_column_ordered(sql_builder *sb, const orm_column *col);
/* A column as a summary groups, counts and ranks its values: text
 * exactly and in code point order (the driver's text_order), JSON and
 * UUID as text, others as ORDER BY sees them. */
void sql_column_grouped(sql_builder *sb, const orm_column *col);
/* Bind a value compared with sql_column_ordered's expression. */
void sql_param_ordered(sql_builder *sb, const orm_column *col,
                       const orm_value *v);
/* Render a filter expression against a model. Errors (unknown column,
 * ORM_EINVALID shapes) go to err. */
int sql_expr(sql_builder *sb, const orm_model *model, const orm_expr *e,
             orm_error *err);
/* `col = ?` or `col IS NULL` for a guard or key match; with
 * sb->null_safe `col <=> ?` (the driver's null_safe_equal) for both. */
void sql_match(sql_builder *sb, const orm_column *col, const orm_value *v);
int sql_ok(const sql_builder *sb);

/* ---- DDL (ddl.c) ---- */

int ddl_create_table_sql(orm_db *db, const orm_model *model, char ***stmts,
                         size_t *count);
void ddl_free_stmts(char **stmts, size_t count);

/* ---- session internals (session.c, session_load.c) ---- */

struct orm_record {
    orm_session *session; /* NULL while transient */
    const orm_model *model;
    orm_record_state state;
    orm_value *values;   /* current (owned, or borrowed from original) */
    orm_value *original; /* as loaded (owned, or in the record's block) */
    /* NULL, or per column the value as the database holds it when that
     * is not what original holds (normalizing changed it: a SQLite date
     * written with a 'T', an upper-case UUID, 'true'); ORM_VNULL where
     * original is what is stored. Owned. The guards compare these. */
    orm_value *stored;
    unsigned char *changed;
    orm_value rowid; /* hidden row id for tables without a primary key */
    int in_identity;
    uint64_t map_hash; /* key hash it was put in the identity map with */
    int pending_index; /* position in the pending list, -1 if none */
    struct orm_record *next_all, *prev_all;
};

/* Free a record whatever its owner (record.c). */
void record_destroy(orm_record *rec);
/* What a lost-update guard compares column `col` with: the value as the
 * database holds it (see orm_record.stored), else the loaded one. */
const orm_value *record_guard_value(const orm_record *rec, size_t col);
/* Remember the database's own form of column `col` (copied), or forget it
 * when `stored` is NULL or SQL NULL. 0 or ORM_ENOMEM (nothing changed). */
int record_stored_set(orm_record *rec, size_t col, const orm_value *stored);
/* Unchanged columns share their bytes with the loaded value: make
 * values[col] such a borrowed alias of original[col], and tell one. */
void record_alias(orm_record *rec, size_t col);
int record_is_alias(const orm_record *rec, size_t col);
/* A loaded record's values share its original array (values ==
 * original) until its first change: record_detach gives them an array
 * of their own (aliases of the originals), record_reshare goes back to
 * sharing once every value is an alias again (after a commit). */
int record_detach(orm_record *rec);
void record_reshare(orm_record *rec);

/* Where a session carves its loaded records from (record.c): 64 KiB
 * chunks instead of a malloc per row. A chunk is freed when the last
 * record in it is destroyed and the slab has moved on. */
typedef struct record_slab {
    struct record_chunk *chunk; /* current, NULL before the first record */
    char *next, *end;
} record_slab;
void record_slab_release(record_slab *slab);

/* A record for a loaded row, with `bytes` more bytes in its allocation,
 * at *storage, for the text of its values (values pointing there are
 * borrowed), from `slab` (NULL: its own malloc). Its values share the
 * original array and are not initialised: the caller writes every
 * original value. */
int record_new_loaded(orm_record **out, record_slab *slab,
                      const orm_model *model, size_t bytes, char **storage);
/* Make a record for the current row of `st` (the model's columns, then
 * the rowid when `with_rowid`), or update and return the record the
 * identity map already has for that key. */
int session_load_row(orm_session *s, const orm_model *model, db_stmt *st,
                     int with_rowid, int defer, orm_record **out);
/* A load of many rows into an empty identity map cannot meet a record it
 * already has: with `defer` session_load_row leaves the map alone (a
 * record with a key gets in_identity and map_hash set), and
 * session_map_loaded then puts recs[keys[k].index] in under
 * keys[k].hash, in slot order: one walk through the map instead of a
 * cache miss per row. A row repeating the key of an earlier one gives way
 * to that record, in recs[] too. On ENOMEM the records it could not place
 * are expunged (NULL in recs). */
int session_map_empty(const orm_session *s);
int session_map_loaded(orm_session *s, orm_record **recs,
                       const loaded_key *keys, size_t nkeys);
/* Record an attribute change for undo and pending tracking. */
int session_note_set(orm_session *s, orm_record *rec, size_t col,
                     const orm_value *old, int old_changed);
int session_fail(orm_session *s, const orm_error *err);
/* The pending records, in the order they became pending (flush.c). */
orm_record **session_pending_array(orm_session *s, size_t *n);
/* After a successful commit: everything is clean, keys are in the map. */
void session_committed(orm_session *s);
/* The pending changes may have changed (orm_session_generation). */
void session_changed(orm_session *s);
void session_set_failed(orm_session *s, orm_record *rec);
/* Is the transaction of orm_session_begin open? The commit then writes
 * in it, and tells when it ended it; a commit with nothing pending ends
 * it with COMMIT. */
int session_in_transaction(const orm_session *s);
void session_transaction_ended(orm_session *s);
int session_commit_empty(orm_session *s);
/* An empty buffer for a query's shape, reused by every query. */
orm_buf *session_shape_buf(orm_session *s);
/* SQL text of a query shape seen before in this session (borrowed), or
 * NULL; remember one (copied; a small cache, oldest out). */
const char *session_sql_cached(orm_session *s, const void *shape, size_t len);
void session_sql_remember(orm_session *s, const void *shape, size_t len,
                          const char *sql);
/* Read one row by key (pk values, or the rowid when `by_rowid`) into
 * `row` (owned copies), `stored` when not NULL (per column the database's
 * own form where normalizing changed it, else SQL NULL; owned) and
 * `rowid`: ORM_ROW, ORM_DONE, or an error. */
int session_select_row(orm_session *s, const orm_model *m,
                       const orm_value *const *key, size_t nkey, int by_rowid,
                       orm_value *row, orm_value *stored, orm_value *rowid);
orm_error *session_err(orm_session *s);

/* Single-column foreign keys live on their column (ref_table/ref_column),
 * multi-column ones in model->foreign_keys: make a reflected model so. */
int model_normalize_foreign_keys(orm_model *model);
/* Does model `a` have a foreign key to model `b` (other than itself)? */
int model_refers_to(const orm_model *a, const orm_model *b);

#define ORM_MAX_KEY 16

/* ---- a query's parts, for statements other than its SELECT
 * (query.c; query_summary.c) ---- */

orm_db *query_db(const orm_query *q);
const orm_model *query_model(const orm_query *q);
orm_error *query_err(orm_query *q);
/* Record failure `rc` on the query and its session; returns rc. */
int query_fail(orm_query *q, int rc);
/* " WHERE " and the query's filters (no keyset bound), ANDed with
 * `not_null IS NOT NULL` when that column is given. 0 or an error (on
 * the query's error). */
int query_where(sql_builder *sb, orm_query *q, const orm_column *not_null);

#endif
