/**
 * @file
 * Records: one row of a model, as the session tracks it.
 *
 * A record made with orm_record_new belongs to the caller until it is
 * passed to orm_session_add; from then on (and for every record that a
 * query or get returns) it belongs to the session, and pointers to it
 * stay valid until the session expunges it or is freed.
 */
#ifndef ORM_RECORD_H
#define ORM_RECORD_H

#include <stddef.h>

#include "orm/api.h"
#include "orm/error.h"
#include "orm/model.h"
#include "orm/value.h"

/** A record (opaque). */
typedef struct orm_record orm_record;

/** Where a record is in its life. */
typedef enum orm_record_state {
    ORM_RECORD_TRANSIENT, /**< made, not added */
    ORM_RECORD_NEW,       /**< added, insert pending */
    ORM_RECORD_CLEAN,     /**< loaded, unchanged */
    ORM_RECORD_DIRTY,     /**< loaded, update pending */
    ORM_RECORD_DELETED,   /**< delete pending */
    ORM_RECORD_GONE       /**< deleted and committed */
} orm_record_state;

/** A transient record of `model`, every column NULL, owned by the caller
 * until orm_session_add(). */
ORM_API int orm_record_new(orm_record **out, const orm_model *model);
/** Frees a transient record. Records owned by a session are freed by it;
 * calling this on them does nothing. Accepts NULL. */
ORM_API void orm_record_free(orm_record *rec);

/** The record's model (borrowed). */
ORM_API const orm_model *orm_record_model(const orm_record *rec);
/** The record's state. */
ORM_API orm_record_state orm_record_state_of(const orm_record *rec);

/** @{ */
/** Current value (pending if changed) by column index or name. Borrowed;
 * NULL for an unknown column. */
ORM_API const orm_value *orm_record_value(const orm_record *rec, size_t col);
ORM_API const orm_value *orm_record_get(const orm_record *rec,
                                        const char *column);
/** @} */
/**
 * @name Typed getters
 * A column's current value (pending if changed) as a C type, as
 * `user.id` reads in Python: 0 with *out set, ORM_EINVALID when the
 * model has no such column, ORM_ETYPE when the value is not of that kind
 * (*out is left alone then). SQL NULL is ORM_ETYPE for the number and
 * boolean getters (orm_value_is_null(orm_record_get(...)) tells it) and
 * a NULL *out for orm_record_get_text().
 * @{
 */
/** An integer column's value (Integer, BigInteger, SmallInteger). */
ORM_API int orm_record_get_int(const orm_record *rec, const char *column,
                               int64_t *out);
/** A Float column's value; also an integer's, or a Numeric's decimal
 * text, as the nearest double. */
ORM_API int orm_record_get_double(const orm_record *rec, const char *column,
                                  double *out);
/** A Boolean column's value: 0 or 1. */
ORM_API int orm_record_get_bool(const orm_record *rec, const char *column,
                                int *out);
/** A value that travels as text (String, Text, Numeric, dates and times,
 * JSON, UUID: orm_type_kind()), NUL-terminated and borrowed like
 * orm_record_get()'s value: valid until the record changes or goes.
 * Text holding NUL bytes ends at the first; orm_record_get() has its
 * length. */
ORM_API int orm_record_get_text(const orm_record *rec, const char *column,
                                const char **out);
/** @} */

/** The value as loaded from the database (before pending changes). */
ORM_API const orm_value *orm_record_original(const orm_record *rec, size_t col);
/** The value as the database holds it, which the lost-update guards
 * compare: orm_record_original()'s, unless normalizing changed it (a
 * SQLite date written with a 'T', an upper-case UUID, a boolean stored as
 * 'true'). Borrowed. What orm_session_attach() takes back as `stored`. */
ORM_API const orm_value *orm_record_stored(const orm_record *rec, size_t col);
/** Has the column a pending change? */
ORM_API int orm_record_changed(const orm_record *rec, size_t col);
/** The hidden row id that identifies a record of a table without a
 * primary key (SQLite's rowid), as loaded; a NULL value for every other
 * record (borrowed). */
ORM_API const orm_value *orm_record_rowid(const orm_record *rec);

/**
 * Set a column (the value is copied). Checked against the column
 * (orm_value_check) unless it is NULL for a generated column; errors
 * (ORM_ETYPE, ORM_EINVALID) go to `err` and leave the record unchanged.
 * Setting the loaded value again clears the change.
 */
ORM_API int orm_record_set(orm_record *rec, const char *column,
                           const orm_value *v, orm_error *err);
/** orm_record_set() by column index. */
ORM_API int orm_record_set_at(orm_record *rec, size_t col, const orm_value *v,
                              orm_error *err);
/** Typed input: orm_value_parse then orm_record_set. */
ORM_API int orm_record_set_text(orm_record *rec, const char *column,
                                const char *text, orm_error *err);

/** repr as the model declares it ("<Account jdoe>"), else
 * "<Model pk=...>". Owned string. Secret columns print as "***". */
ORM_API char *orm_record_repr(const orm_record *rec);

#endif
