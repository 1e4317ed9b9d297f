/**
 * @file
 * The session: a unit of work, as in SQLAlchemy.
 *
 * add / delete / attribute changes are pending until commit. The identity
 * map holds one record per primary key. Commit flushes every pending
 * insert, update and delete in ONE transaction (inserts parents before
 * children, deletes children before parents), fetches generated keys, and
 * guards each UPDATE and DELETE with the values the user saw: a statement
 * that matches no row is a conflict (ORM_ECONFLICT), never a silent
 * overwrite. On any failure the transaction is rolled back and every
 * pending change and every value the caller set is kept; the error names
 * the record, constraint and column where the database says so, so the
 * caller can fix one value and commit again.
 */
#ifndef ORM_SESSION_H
#define ORM_SESSION_H

#include <stddef.h>

#include "orm/api.h"
#include "orm/db.h"
#include "orm/record.h"

/** A session (opaque). */
typedef struct orm_session orm_session;

/** A new session on `db`; it must not outlive the database. */
ORM_API int orm_session_new(orm_session **out, orm_db *db);
/** Frees the session and every record it holds. Accepts NULL. */
ORM_API void orm_session_free(orm_session *s);

/** The session's database (borrowed). */
ORM_API orm_db *orm_session_db(const orm_session *s);
/** Detail of the session's last failure (borrowed). */
ORM_API const orm_error *orm_session_error(const orm_session *s);

/** Take ownership of a transient record; it becomes NEW. Defaults
 * (default_value, default_gen) fill columns the caller left unset. */
ORM_API int orm_session_add(orm_session *s, orm_record *rec);
/** Mark a loaded record for deletion; a NEW record is simply dropped. */
ORM_API int orm_session_delete(orm_session *s, orm_record *rec);

/** A record by primary key: from the identity map, else from the database.
 * `pk` holds one value per primary key column. ORM_ROW with *out set
 * (owned by the session), ORM_DONE when there is no such row. */
ORM_API int orm_session_get(orm_session *s, const orm_model *model,
                            const orm_value *pk, orm_record **out);

/**
 * Put a record into the session as if it had just been read: `loaded`
 * holds model->ncolumns values (copied) and becomes what the record was
 * loaded with, `stored` (may be NULL) per column the value as the
 * database holds it where that differs (orm_record_stored; an SQL NULL
 * entry: as loaded), `rowid` (may be NULL) the row id of a table without a
 * primary key (see orm_record_rowid). Changes made to it afterwards
 * (orm_record_set, orm_session_delete) are guarded on commit by what is
 * stored, exactly as for a record read then: a row changed meanwhile
 * is ORM_ECONFLICT. This is how saved pending changes are made pending
 * again (the browser's recovery journal). Nothing is read from the
 * database. A record the session already holds for that key takes the
 * values when it is unchanged; ORM_EINVALID when it has pending changes.
 * *out is owned by the session.
 */
ORM_API int orm_session_attach(orm_session *s, const orm_model *model,
                               const orm_value *loaded, const orm_value *stored,
                               const orm_value *rowid, orm_record **out);

/**
 * Open a transaction now, as SQLAlchemy's `session.begin()`: the gets and
 * queries that follow read inside it, and the next commit writes in it
 * and ends it (rollback ends it too). Many small reads run faster so, and
 * see one consistent state. Without it each read stands alone and commit
 * opens its own transaction. On SQLite the database is reserved for this
 * connection's writes until the end. ORM_EINVALID when a transaction is
 * already open on the database.
 */
ORM_API int orm_session_begin(orm_session *s);
/** Write every pending change in one transaction (see the file): 0, or
 * an error with every change still pending. */
ORM_API int orm_session_commit(orm_session *s);
/** Forget pending changes: NEW records are dropped, DIRTY/DELETED ones go
 * back to their loaded values; an open orm_session_begin transaction is
 * rolled back. */
ORM_API int orm_session_rollback(orm_session *s);
/** Reload a record's values from the database (pending changes to it are
 * discarded). ORM_ENOTFOUND if the row is gone. */
ORM_API int orm_session_refresh(orm_session *s, orm_record *rec);

/**
 * After a conflict: read the row as the database holds it now into
 * `current` (model->ncolumns owned values; free each with orm_value_clear,
 * then the array) without touching the record. ORM_ENOTFOUND when the row
 * is gone.
 */
ORM_API int orm_session_fetch_current(orm_session *s, orm_record *rec,
                                      orm_value **current);
/**
 * Rebase a conflicted record on what the database holds now: the loaded
 * values become the current row, the user's changed values stay, so the
 * next commit applies the user's edit over the other change ("reload and
 * re-apply" / "overwrite"). ORM_ENOTFOUND when the row is gone (then the
 * record stays as it was).
 */
ORM_API int orm_session_rebase(orm_session *s, orm_record *rec);

/** Undo the most recent pending change (a set, add or delete), one at a
 * time back to the loaded state. ORM_DONE when nothing is left to undo. */
ORM_API int orm_session_undo(orm_session *s);
/**
 * Group the changes that follow (sets, adds, deletes), until
 * orm_session_group_end, so that one orm_session_undo takes them all
 * back: a change made to many records at once (the browser's bulk edit)
 * is one step for the user. Groups do not nest; a begin while a group is
 * open starts a new one.
 */
ORM_API void orm_session_group_begin(orm_session *s);
/** End the group orm_session_group_begin opened. */
ORM_API void orm_session_group_end(orm_session *s);
/** Drop every pending change of one record (review screen "x"). */
ORM_API int orm_session_revert(orm_session *s, orm_record *rec);
/** Remove a record from the session (its pending change is dropped). */
ORM_API void orm_session_expunge(orm_session *s, orm_record *rec);

/**
 * A number that changes whenever the pending changes may have: a value
 * set, a record added, deleted, undone, reverted, expunged, refreshed,
 * rebased or attached, a commit or a rollback. While it stays the same
 * a program can skip work it does over every pending change (the
 * browser rewrites its recovery journal only then).
 */
ORM_API unsigned long orm_session_generation(const orm_session *s);
/** Number of pending records. */
ORM_API size_t orm_session_pending_count(const orm_session *s);
/** Pending record number `i`, in commit order (borrowed). */
ORM_API orm_record *orm_session_pending_at(const orm_session *s, size_t i);

/** The record that made the last commit fail, or NULL (also once that
 * record has been changed or its change undone since). */
ORM_API orm_record *orm_session_failed_record(const orm_session *s);

/**
 * The statements commit would run, one per change and per line, with
 * bound values shown after each as "-- [1, 'jdoe']"; secret columns
 * masked as '***', and a line break inside a value shown as U+21B5 (↵),
 * so that each statement keeps to its line. On PostgreSQL and MariaDB the
 * commit sends changes of one shape together (one statement joined
 * against their values, a multi-row INSERT, or MariaDB's bulk execution
 * of the one-row statement, whose guards compare with `<=>`); each row
 * is written and guarded as its line here says.
 * Owned string.
 */
ORM_API int orm_session_plan(orm_session *s, char **out);

#endif
