/*
 * The session's own state, shared by session.c (pending list, undo,
 * transaction, rollback) and session_load.c (rows into records, the
 * identity map, get and refresh).
 */
#ifndef ORB_SESSION_STATE_H
#define ORB_SESSION_STATE_H

#include "internal.h"

typedef enum undo_kind { UNDO_SET, UNDO_ADD, UNDO_DELETE } undo_kind;

typedef struct undo_entry {
    undo_kind kind;
    orm_record *rec;
    size_t col;
    orm_value old;
    int old_changed;
    orm_record_state old_state;
    unsigned long group; /* orm_session_group_begin's group, 0: none */
} undo_entry;

#define SESSION_SQL_CACHE 8

struct orm_session {
    orm_db *db;
    orm_error err;
    orm_record *all;  /* every record the session owns */
    identity_map map; /* one record per key (identity.c) */
    orm_record **pending;
    size_t npending, pending_cap;
    undo_entry *undo;
    size_t nundo, undo_cap;
    unsigned long group, groups; /* the open undo group (0: none), made */
    unsigned long generation;    /* orm_session_generation */
    orm_record *failed;
    /* Query SQL by shape (query.c): repeated queries skip the text. */
    struct {
        char *shape;
        size_t len;
        char *sql;
    } sql_cache[SESSION_SQL_CACHE];
    size_t sql_cache_next;
    /* Primary key columns of the last model looked up (session_pk). */
    const orm_model *pk_model;
    const orm_column *pk_columns;
    size_t pk_ncolumns, npk;
    int pk[ORM_MAX_KEY];
    int began;        /* orm_session_begin opened the database's transaction */
    orm_buf shape;    /* scratch for query shapes (query.c) */
    record_slab slab; /* where loaded records are carved from */
};

/* ---- session.c ---- */

size_t session_pk(orm_session *s, const orm_model *m, const int **pk);
size_t session_record_key(orm_session *s, const orm_record *rec,
                          const orm_value **key);
size_t session_key_of(void *ctx, const orm_record *rec, const orm_value **key);
void session_pending_remove(orm_session *s, orm_record *rec);
int session_settle_state(orm_session *s, orm_record *rec);
void session_undo_forget(orm_session *s, const orm_record *rec);
void session_link_record(orm_session *s, orm_record *rec);
void session_unlink_record(orm_session *s, orm_record *rec);

/* ---- session_load.c ---- */

int session_never_written(const orm_record *rec);

#endif
