/**
 * @file
 * A growable byte buffer for building SQL text and messages. After an
 * allocation failure the buffer remembers it (`failed`), further appends
 * do nothing, and orm_buf_finish returns NULL, so a caller can append many
 * pieces and check once.
 */
#ifndef ORM_SYS_BUF_H
#define ORM_SYS_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "orm/api.h"

/** A growable byte buffer; start from ORM_BUF_INIT. */
typedef struct orm_buf {
    char *data; /**< always NUL-terminated when len > 0 */
    size_t len; /**< bytes used, without the NUL */
    size_t cap; /**< bytes allocated */
    int failed; /**< an allocation failed; appends do nothing */
} orm_buf;

/** An empty buffer. */
/* clang-format off */
#define ORM_BUF_INIT {NULL, 0, 0, 0}
/* clang-format on */

/** @{ */
/** Append a string, `n` bytes, a character, printf-formatted text. */
ORM_API void orm_buf_append(orm_buf *b, const char *s);
ORM_API void orm_buf_appendn(orm_buf *b, const char *s, size_t n);
ORM_API void orm_buf_appendc(orm_buf *b, char c);
ORM_API void orm_buf_appendf(orm_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
ORM_API void orm_buf_vappendf(orm_buf *b, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;
/** @} */
/** Room orm_int_text() needs: a sign, 19 digits and the NUL. */
#define ORM_INT_TEXT_MAX 21
/** Decimal text of v into out (room for ORM_INT_TEXT_MAX bytes, NUL
 * included); returns its length. Without printf: parameters and
 * placeholders are written per row. */
ORM_API size_t orm_int_text(char *out, int64_t v);
/** Append the decimal text of v. */
ORM_API void orm_buf_append_int(orm_buf *b, int64_t v);
/** len = 0, keeps memory, clears failed. */
ORM_API void orm_buf_reset(orm_buf *b);
/** Free the memory and reset to ORM_BUF_INIT. */
ORM_API void orm_buf_free(orm_buf *b);
/** The text, "" when empty; NULL after a failed allocation. Borrowed. */
ORM_API const char *orm_buf_str(const orm_buf *b);
/** Hand the text to the caller (free()); NULL after a failure. The buffer
 * is left empty. */
ORM_API char *orm_buf_finish(orm_buf *b);

/** The most orb reads of a file people write by hand (models, config,
 * theme): such files are kilobytes; anything larger (`/dev/zero`, a
 * database named by mistake) is refused rather than read without end. */
#define ORM_TEXT_FILE_MAX (1024 * 1024)

/**
 * Append the bytes of the file at `path` to `b` (NUL-terminated), reading
 * at most `limit` bytes. Returns 0; ORM_EIO when it cannot be opened or
 * read (errno says why); ORM_EINVALID when it holds more than `limit`
 * bytes (`b` is left as it was); ORM_ENOMEM.
 */
ORM_API int orm_buf_read_file(orm_buf *b, const char *path, size_t limit);

/** @{ */
/** Small string helpers that set nothing on failure but return NULL. */
ORM_API char *orm_strdup(const char *s);
ORM_API char *orm_strndup(const char *s, size_t n);
/** @} */

#endif
