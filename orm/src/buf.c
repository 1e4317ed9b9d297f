/* Growable text buffer used to build SQL and messages. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "orm/error.h"
#include "orm/sys/buf.h"
#include "alloc.h"

static int buf_reserve(orm_buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256; /* most SQL fits at once */
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *data = orm_realloc(b->data, cap);
    if (!data) {
        b->failed = 1;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

void orm_buf_appendn(orm_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

size_t orm_int_text(char *out, int64_t v)
{
    char digits[ORM_INT_TEXT_MAX];
    /* Work on the magnitude as unsigned: INT64_MIN has no positive twin. */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0, len = 0;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = digits[--n];
    out[len] = '\0';
    return len;
}

void orm_buf_append_int(orm_buf *b, int64_t v)
{
    char text[ORM_INT_TEXT_MAX];
    orm_buf_appendn(b, text, orm_int_text(text, v));
}

void orm_buf_append(orm_buf *b, const char *s)
{
    orm_buf_appendn(b, s, strlen(s));
}

void orm_buf_appendc(orm_buf *b, char c)
{
    orm_buf_appendn(b, &c, 1);
}

void orm_buf_vappendf(orm_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (buf_reserve(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void orm_buf_appendf(orm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    orm_buf_vappendf(b, fmt, ap);
    va_end(ap);
}

void orm_buf_reset(orm_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

void orm_buf_free(orm_buf *b)
{
    free(b->data);
    *b = (orm_buf)ORM_BUF_INIT;
}

const char *orm_buf_str(const orm_buf *b)
{
    if (b->failed)
        return NULL;
    return b->data ? b->data : "";
}

char *orm_buf_finish(orm_buf *b)
{
    char *out;
    if (b->failed) {
        orm_buf_free(b);
        return NULL;
    }
    out = b->data ? b->data : orm_strdup("");
    *b = (orm_buf)ORM_BUF_INIT;
    return out;
}

int orm_buf_read_file(orm_buf *b, const char *path, size_t limit)
{
    FILE *f = fopen(path, "rb");
    size_t start = b->len, n;
    char chunk[4096];
    int rc = 0;
    if (!f)
        return ORM_EIO;
    /* A regular file's size says at once that it is too large. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (uintmax_t)st.st_size > limit)
        rc = ORM_EINVALID;
    /* Otherwise one byte past the limit tells a file of exactly `limit`
     * bytes from a longer one. */
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b->len - start + n > limit) {
            rc = ORM_EINVALID;
            break;
        }
        orm_buf_appendn(b, chunk, n);
        if (b->failed) {
            rc = ORM_ENOMEM;
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = ORM_EIO;
    int saved = errno;
    fclose(f);
    errno = saved;
    if (rc == 0 && !orm_buf_str(b))
        rc = ORM_ENOMEM;
    if (rc == ORM_EINVALID) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
    }
    return rc;
}

char *orm_strndup(const char *s, size_t n)
{
    char *p = orm_malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *orm_strdup(const char *s)
{
    return s ? orm_strndup(s, strlen(s)) : NULL;
}
