/* Error codes, their messages, and error detail handling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orm/error.h"
#include "orm/sys/buf.h"
#include "orm/sys/driver.h"

#define ORM_ERROR_CASE_MSG(name, value, msg)                                   \
    case value:                                                                \
        return msg;
#define ORM_ERROR_CASE_NAME(name, value, msg)                                  \
    case value:                                                                \
        return #name;

const char *orm_strerror(int code)
{
    switch (code) {
        ORM_ERROR_CODES(ORM_ERROR_CASE_MSG)
    case ORM_ROW:
        return "row available";
    case ORM_DONE:
        return "done";
    default:
        return "unknown error";
    }
}

const char *orm_error_name(int code)
{
    switch (code) {
        ORM_ERROR_CODES(ORM_ERROR_CASE_NAME)
    default:
        return "UNKNOWN";
    }
}

void orm_error_clear(orm_error *err)
{
    if (!err)
        return;
    free(err->table);
    free(err->column);
    free(err->constraint);
    free(err->message);
    *err = (orm_error)ORM_ERROR_INIT;
}

int orm_error_setv(orm_error *err, int code, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    orm_error_clear(err);
    err->code = code;
    if (fmt) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_vappendf(&b, fmt, ap);
        err->message = orm_buf_finish(&b);
    }
    return code;
}

int orm_error_set(orm_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    orm_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

static int replace_string(char **slot, const char *value)
{
    char *copy = NULL;
    if (value && !(copy = orm_strdup(value)))
        return ORM_ENOMEM;
    free(*slot);
    *slot = copy;
    return 0;
}

int orm_error_quote_len(const char *name)
{
    size_t n = 0;
    while (name[n] && n <= ORM_ERROR_QUOTE_MAX)
        n++;
    if (n <= ORM_ERROR_QUOTE_MAX)
        return (int)n;
    n = ORM_ERROR_QUOTE_MAX;
    while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
        n--; /* not inside a character */
    return (int)n;
}

int orm_error_set_column(orm_error *err, const char *column)
{
    return err ? replace_string(&err->column, column) : 0;
}

int orm_error_set_table(orm_error *err, const char *table)
{
    return err ? replace_string(&err->table, table) : 0;
}

int orm_error_set_constraint(orm_error *err, const char *constraint)
{
    return err ? replace_string(&err->constraint, constraint) : 0;
}

int orm_error_copy(orm_error *dst, const orm_error *src)
{
    if (dst == src)
        return 0;
    orm_error_clear(dst);
    dst->code = src->code;
    dst->native_code = src->native_code;
    memcpy(dst->sqlstate, src->sqlstate, sizeof dst->sqlstate);
    dst->position = src->position;
    if (replace_string(&dst->table, src->table) ||
        replace_string(&dst->column, src->column) ||
        replace_string(&dst->constraint, src->constraint) ||
        replace_string(&dst->message, src->message))
        return ORM_ENOMEM;
    return 0;
}

const char *orm_error_text(const orm_error *err)
{
    if (!err)
        return orm_strerror(ORM_EERROR);
    if (err->message && *err->message)
        return err->message;
    return orm_strerror(err->code);
}

int orm_conn_error(orm_conn *conn, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    orm_error_setv(&conn->err, code, fmt, ap);
    va_end(ap);
    return code;
}
