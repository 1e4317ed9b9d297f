/*
 * Inside a commit (flush.c, flush_batch.c, flush_failure.c): the state of
 * one commit, the plan of its statements, and what these files use to
 * build and run them.
 */
#ifndef ORM_FLUSH_H
#define ORM_FLUSH_H

#include "internal.h"

/* What a commit does to one record. The values are the order the commit
 * runs them in (commit_order sorts by them). */
typedef enum flush_phase {
    FLUSH_INSERT,
    FLUSH_UPDATE,
    FLUSH_DELETE
} flush_phase;

/* For a statement's `returning` argument: the statement reads nothing
 * back (else flush_use_returning says whether it has RETURNING). */
#define FLUSH_NO_RETURNING 0

/* A statement that failed: kept from before the rollback, when what it
 * is about can still be asked of the database, until the message is
 * written after it (flush_failure.c). */
typedef struct flush_failure {
    orm_record *rec; /* NULL: nothing failed */
    int rc;
    flush_phase phase;
    orm_error err; /* the driver's detail */
    size_t ncols;  /* columns of rec's model it is about */
    int cols[ORM_MAX_KEY];
    int still_referenced;    /* a foreign key: rec is the referenced side */
    const char *other_table; /* referenced, or referencing, table */
    size_t nother;
    const char *other_cols[ORM_MAX_KEY];
} flush_failure;

/* A statement collected for the driver's execute_batch, with what it
 * was for: order[0..k) of the commit; batch, a statement shared by them
 * (else k is 1). */
typedef struct flush_sent {
    db_stmt st;
    const struct planned *order;
    size_t k;
    int batch;
    int returning;
} flush_sent;

typedef struct flush_ctx {
    orm_session *s;
    orm_db *db;
    orm_buf *plan; /* non-NULL: describe instead of running */
    /* The INSERT, UPDATE or DELETE of the previous record, kept prepared
     * while the next one has the same shape (stmt_shape): then only its
     * values are bound, no SQL text is built. */
    unsigned char *kept_shape, *shape_scratch;
    size_t kept_len, shape_cap;
    db_stmt kept_st;
    /* What each pending insert held before the commit, by pending index
     * (see flush()): a failed commit puts it back. */
    struct saved_values *saved;
    flush_failure failure;
    /* Collecting (the driver has execute_batch): each statement is only
     * acquired and bound, into `sent`, and flush_run runs them all in one
     * go and then reads their results in order. `current`, `current_k`
     * and `current_batch` say what the statement being built is for. */
    int collect;
    flush_sent *sent;
    size_t nsent, sent_cap;
    const struct planned *current;
    size_t current_k;
    int current_batch;
    /* The run of records whose shared statement failed or matched fewer
     * rows than it had (batch_failed), and the driver's error then. */
    const struct planned *batch_at;
    size_t batch_k;
    orm_error batch_err;
} flush_ctx;

typedef struct planned {
    orm_record *rec;
    flush_phase phase;
    int rank;
} planned;

typedef enum guard_kind {
    GUARD_NONE,   /* the key alone */
    GUARD_UPDATE, /* key + the changed columns' loaded values (or version) */
    GUARD_DELETE  /* key + every loaded value but blobs (or version) */
} guard_kind;

/* ---- flush.c ---- */

/* Does an INSERT of `rec` write column i? */
int flush_insert_includes(const orm_record *rec, size_t i);
/* Does an INSERT of `rec` need RETURNING to learn what the database set? */
int flush_use_returning(const orm_driver *drv, const orm_record *rec);
/* The model's optimistic-lock column, or -1. */
int flush_version_column(const orm_model *m);
/* The row as the user loaded it: key, then the guard's columns, joined
 * with AND (no WHERE). */
void flush_row_match(sql_builder *sb, const orm_record *rec, guard_kind g);
/* Run the statement `sb` built (or, for the plan, describe it);
 * *matched: rows matched; a RETURNING row goes into rec. */
int flush_statement(flush_ctx *f, sql_builder *sb, orm_record *rec,
                    int returning, int64_t *matched);
/* Collecting: keep the acquired, bound statement `st` (taken: *st is
 * emptied) for the batch. */
int flush_collect(flush_ctx *f, db_stmt *st, int returning);
/* Give column c of an inserted record the value the database returned. */
void flush_store_value(flush_ctx *f, orm_record *rec, size_t c, orm_value v);

/* The INSERT, UPDATE or DELETE each of order[0..k) (one phase, one
 * shape: flush_batch_size) would run alone, as one text with null-safe
 * guards, run for all of them by the driver's execute_rows. *matched:
 * rows matched by them all. ORM_EUNSUPPORTED with nothing sent when the
 * server cannot (db_can_execute_rows is then 0). */
int flush_rows(flush_ctx *f, const planned *order, size_t k, int64_t *matched);

/* ---- flush_failure.c: what a failed statement was about ---- */

/* Before the rollback: keep the error and find out what needs the
 * failed transaction to be found out. */
void flush_describe_failure(flush_ctx *f, orm_record *rec, int rc,
                            flush_phase phase);
/* After the rollback: name what is still unknown through the driver,
 * then write the message and hand it to the session. */
void flush_report_failure(flush_ctx *f);
/*
 * A commit that lost to another transaction (a deadlock, a serialization
 * failure, a Galera node's certification), met a lock held too long or a
 * cluster node not taking queries: the driver says which in plain words
 * (err->message). The database undid the whole transaction, so it is no
 * record's fault and committing again is the retry, which only the user
 * starts.
 */
void flush_append_busy(orm_buf *msg, const orm_error *err);

/* ---- flush_batch.c: statements shared by many records ---- */

/* How many statements' worth of work from order[i] on go into one. */
size_t flush_batch_size(flush_ctx *f, const planned *order, size_t i, size_t n);
int flush_insert_batch(flush_ctx *f, const planned *order, size_t k);
/* Read what the executed multi-row INSERT `st` gave back (keys,
 * RETURNING rows) into order[0..k). */
int flush_insert_batch_read(flush_ctx *f, const planned *order, size_t k,
                            db_stmt *st, int returning);
/* Can order[0] share one statement text with the records like it that
 * follow, run once for each of them (the driver's execute_rows)? */
int flush_rows_possible(flush_ctx *f, const planned *order);
/* *matched below k: one of them changed under us (the caller reruns them
 * one by one to name it). */
int flush_update_batch(flush_ctx *f, const planned *order, size_t k,
                       int64_t *matched);
int flush_delete_batch(flush_ctx *f, const planned *order, size_t k,
                       int64_t *matched);

#endif
