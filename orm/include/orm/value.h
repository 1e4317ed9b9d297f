/**
 * @file
 * Values: what a column holds.
 *
 * NULL is its own kind, never the empty string. Integers are 64-bit.
 * Numeric, date, time, JSON and UUID travel as TEXT in their canonical
 * form (decimal text stays exact; it is never a double). Text is UTF-8
 * with an explicit length; blobs keep embedded NUL bytes.
 *
 * A value either owns its bytes (`owned` set: made by orm_value_copy or
 * the *_dup constructors, released by orm_value_clear) or borrows them
 * (made by orm_value_text/blob, or handed out by a driver until the next
 * step). orm_value_clear on a borrowed value only resets it.
 */
#ifndef ORM_VALUE_H
#define ORM_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "orm/api.h"

/** What a value holds, and so which member of orm_value::u is set. */
typedef enum orm_value_kind {
    ORM_VNULL = 0, /**< SQL NULL */
    ORM_VINT,      /**< u.i */
    ORM_VFLOAT,    /**< u.f */
    ORM_VBOOL,     /**< u.b, 0 or 1 */
    ORM_VTEXT,     /**< u.s, UTF-8, ptr is NUL-terminated when owned */
    ORM_VBLOB      /**< u.s, any bytes */
} orm_value_kind;

/** A value: a kind and its content, owned or borrowed (see the file). */
typedef struct orm_value {
    orm_value_kind kind; /**< which member of u is set */
    int owned;           /**< 1 when u.s.ptr belongs to the value */
    /** The content, by kind. */
    union {
        int64_t i; /**< ORM_VINT */
        double f;  /**< ORM_VFLOAT */
        int b;     /**< ORM_VBOOL */
        /** ORM_VTEXT, ORM_VBLOB: bytes and their length. */
        struct {
            char *ptr;  /**< the bytes */
            size_t len; /**< their length, without a terminating NUL */
        } s;
    } u; /**< the content */
} orm_value;

/** A NULL value as an initializer. */
/* clang-format off */
#define ORM_VALUE_NULL_INIT {ORM_VNULL, 0, {0}}
/* clang-format on */

/** @{ */
/** Constructors. The borrowed ones (text, textn, blob) keep pointing at
 * `text` / `data`. */
ORM_API orm_value orm_value_null(void);
ORM_API orm_value orm_value_int(int64_t i);
ORM_API orm_value orm_value_float(double f);
ORM_API orm_value orm_value_bool(int b);
ORM_API orm_value orm_value_text(const char *text);
ORM_API orm_value orm_value_textn(const char *text, size_t len);
ORM_API orm_value orm_value_blob(const void *data, size_t len);
/** @} */

/** @{ */
/** Owning constructors: 0 or ORM_ENOMEM. `out` owns the copy. */
ORM_API int orm_value_text_dup(orm_value *out, const char *text, size_t len);
ORM_API int orm_value_blob_dup(orm_value *out, const void *data, size_t len);
/** @} */

/** Deep copy; `out` owns the result (text is NUL-terminated). */
ORM_API int orm_value_copy(orm_value *out, const orm_value *src);

/** Release owned bytes and set to NULL. Accepts NULL. */
ORM_API void orm_value_clear(orm_value *v);

/** Exact equality (kind and content; NULL equals NULL). */
ORM_API int orm_value_equal(const orm_value *a, const orm_value *b);

/** Is it SQL NULL? */
#define orm_value_is_null(v) ((v)->kind == ORM_VNULL)

#endif
