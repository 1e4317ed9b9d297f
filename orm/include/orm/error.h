/**
 * @file
 * Error codes and error detail.
 *
 * Every fallible function returns int: 0 on success, a negative ORM_E*
 * code on failure, and the positive ORM_ROW / ORM_DONE while stepping
 * through results. The codes and their messages come from one table.
 * Detail (native code, SQLSTATE, constraint, column, message) lives on the
 * object that failed, never in a global:
 *
 * - A call on a handle (orm_db, orm_session, orm_query, orm_cursor) puts
 *   the detail of its failure on that handle; orm_last_error(handle)
 *   reads it for any of them (orm_db_error(), orm_session_error(),
 *   orm_query_error(), orm_cursor_error()). A query's and a cursor's
 *   failures are on their session too, so after any session, query or
 *   cursor call orm_session_error() tells what went wrong. A handle that
 *   cannot be made for lack of memory leaves the detail on the one it was
 *   made from (orm_query_new on the session); orm_db_open leaves *out set
 *   so that orm_db_error() can be read.
 * - A function without a handle (parsing a URL, a filter or a models
 *   file, checking or setting a value, registering a driver) takes an
 *   `orm_error *err` and fills it.
 * - The detail stays until the next failure on the same handle: read it
 *   right after the call that returned a negative code.
 *
 * Not found. A call that looks something up, where finding nothing is an
 * answer and not a failure, returns the positive ORM_DONE with *out set
 * to NULL and leaves the error alone: orm_session_get(),
 * orm_query_first(), orm_session_first(), orm_session_first_by(), and
 * orm_cursor_next() at the end (Python's None). A call that needs the
 * thing to exist fails with ORM_ENOTFOUND and a message naming it:
 * orm_query_one(), orm_session_refresh(), orm_session_fetch_current(),
 * orm_session_rebase() (the row is gone), orm_db_reflect() (no such
 * table), orm_db_open() with must_exist (no such file).
 */
#ifndef ORM_ERROR_H
#define ORM_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "orm/api.h"

/**
 * The error codes as one X-macro table: X(name, value, message). It gives
 * the enum below, orm_strerror() and orm_error_name().
 */
#define ORM_ERROR_CODES(X)                                                     \
    X(OK, 0, "success")                                                        \
    X(ERROR, -1, "database error")                                             \
    X(NOMEM, -2, "out of memory")                                              \
    X(INVALID, -3, "invalid argument")                                         \
    X(PARSE, -4, "syntax error")                                               \
    X(NOTFOUND, -5, "not found")                                               \
    X(UNIQUE, -6, "value already taken (unique constraint)")                   \
    X(NOTNULL, -7, "value required (not-null constraint)")                     \
    X(FOREIGNKEY, -8, "referenced row missing or still referenced")            \
    X(CHECK, -9, "check constraint failed")                                    \
    X(BUSY, -10, "database busy, deadlock or serialization failure")           \
    X(CONNLOST, -11, "connection lost")                                        \
    X(CONFLICT, -12, "row was changed or deleted by someone else")             \
    X(TYPE, -13, "value does not fit the column type")                         \
    X(UNSUPPORTED, -14, "not supported by this database")                      \
    X(READONLY, -15, "database opened read-only")                              \
    X(MULTIPLE, -16, "more than one row matched")                              \
    X(IO, -17, "input/output error")                                           \
    X(AUTH, -18, "authentication failed")                                      \
    X(CONNECT, -19, "cannot connect to the database")                          \
    X(TIMEOUT, -20, "cancelled: took longer than its time limit")              \
    X(CANCELLED, -21, "cancelled on request (orm_db_cancel)")

/** @cond */
#define ORM_ERROR_ENUM(name, value, msg) ORM_E##name = value,
/** @endcond */
/** The ORM_E* codes, ORM_EOK (0) and the negative failures of
 * ORM_ERROR_CODES, e.g. ORM_EUNIQUE. */
typedef enum orm_error_code { ORM_ERROR_CODES(ORM_ERROR_ENUM) } orm_error_code;
#undef ORM_ERROR_ENUM

/** ORM_OK is the spelling for success. */
#define ORM_OK ORM_EOK
/** A stepping function has a row (positive result). */
#define ORM_ROW 1
/** A stepping function has no more rows (positive result). */
#define ORM_DONE 2

/**
 * Detail about the last failure. Strings are owned by the struct and freed
 * by orm_error_clear(). `message` never contains a password.
 */
typedef struct orm_error {
    int code;         /**< ORM_E* */
    long native_code; /**< SQLite extended code, MySQL errno, 0 if none */
    char sqlstate[6]; /**< "23505", "" if unknown */
    char *table;      /**< table involved, or NULL */
    char *column;     /**< column involved, or NULL */
    char *constraint; /**< constraint name, or NULL */
    char *message;    /**< a sentence a person can act on */
    size_t position;  /**< 1-based position in parsed text (0 = none) */
} orm_error;

/** An empty orm_error (code ORM_OK, no strings). */
/* clang-format off */
#define ORM_ERROR_INIT {0, 0, "", NULL, NULL, NULL, NULL, 0}
/* clang-format on */

/** The fixed message for a code ("connection lost"). Never NULL. */
ORM_API const char *orm_strerror(int code);

/** The name of a code without prefix ("UNIQUE"). Never NULL. */
ORM_API const char *orm_error_name(int code);

/** Free the strings and reset to ORM_ERROR_INIT. Accepts NULL. */
ORM_API void orm_error_clear(orm_error *err);

/**
 * Clear `err`, then set code and a printf-formatted message.
 * Returns `code` so callers can `return orm_error_set(...)`.
 * A NULL `err` is allowed (the call only returns code).
 */
ORM_API int orm_error_set(orm_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/** orm_error_set() with a va_list. */
ORM_API int orm_error_setv(orm_error *err, int code, const char *fmt,
                           va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/** @{ */
/** Set one of the detail strings (copies; NULL clears). Returns 0 or
 * ORM_ENOMEM. */
ORM_API int orm_error_set_column(orm_error *err, const char *column);
ORM_API int orm_error_set_table(orm_error *err, const char *table);
ORM_API int orm_error_set_constraint(orm_error *err, const char *constraint);
/** @} */

/** The most bytes of a name (a column someone typed) a message quotes. */
#define ORM_ERROR_QUOTE_MAX 64
/**
 * How many bytes of `name` a message quotes: all of it up to
 * ORM_ERROR_QUOTE_MAX bytes, else that many cut back to a whole UTF-8
 * character, after which the message writes "…". For
 * `"'%.*s%s'", n, name, name[n] ? "…" : ""`; a name of a megabyte must
 * not make a message of a megabyte.
 */
ORM_API int orm_error_quote_len(const char *name);

/** Deep copy `src` into `dst` (dst is cleared first). */
ORM_API int orm_error_copy(orm_error *dst, const orm_error *src);

/** The message if set, else orm_strerror(code). Never NULL. */
ORM_API const char *orm_error_text(const orm_error *err);

#endif
