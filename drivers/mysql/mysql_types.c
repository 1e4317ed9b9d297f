/*
 * MySQL / MariaDB driver: values in and out: binding parameters (zoned
 * timestamps to UTC), result buffers by column type, a column as the
 * asked type (UTC DATETIME read back with its zone), and column types for
 * CREATE TABLE.
 */
#include "mysql_internal.h"

/*
 * A zoned timestamp (canonical DATETIMETZ text, orm/sys/datetime.h) →
 * the same instant in UTC without a zone ("YYYY-MM-DD HH:MM:SS[.fff]"),
 * since DATETIME has no zone and the session runs in UTC. Returns 1 when
 * converted, 0 when there is no zone or the text does not parse (then it
 * is bound as is and the server judges it).
 */
int my_tz_to_utc(const char *s, size_t n, char *out)
{
    orm_datetime dt;
    if (orm_datetime_parse(&dt, s, n, ORM_DATETIMETZ) != ORM_DATETIME_OK)
        return 0;
    orm_datetime_to_utc(&dt);
    orm_datetime_text(out, &dt);
    return 1;
}

int my_bind(orm_stmt *base, size_t index, const orm_value *v, orm_type type)
{
    my_stmt *st = (my_stmt *)base;
    MYSQL_BIND *b;
    my_param *p;

    if (index >= st->nparams)
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "parameter %zu out of range (%zu)", index,
                              st->nparams);
    b = &st->params[index];
    p = &st->values[index];
    memset(b, 0, sizeof *b);
    p->is_null = 0;
    b->is_null = &p->is_null;
    switch (v->kind) {
    case ORM_VNULL:
        b->buffer_type = MYSQL_TYPE_NULL;
        p->is_null = 1;
        break;
    case ORM_VINT:
        p->ll = (long long)v->u.i;
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &p->ll;
        break;
    case ORM_VFLOAT:
        p->dbl = v->u.f;
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &p->dbl;
        break;
    case ORM_VBOOL:
        p->tiny = v->u.b ? 1 : 0;
        b->buffer_type = MYSQL_TYPE_TINY;
        b->buffer = &p->tiny;
        break;
    case ORM_VTEXT:
        /* Numeric, date, JSON and UUID text too: the server converts. */
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = my_unconst(v->u.s.ptr ? v->u.s.ptr : "");
        b->buffer_length = (unsigned long)v->u.s.len;
        if (type == ORM_DATETIMETZ &&
            my_tz_to_utc(v->u.s.ptr, v->u.s.len, p->tz_text)) {
            b->buffer = p->tz_text;
            b->buffer_length = (unsigned long)strlen(p->tz_text);
        }
        break;
    case ORM_VBLOB:
        b->buffer_type = MYSQL_TYPE_BLOB;
        b->buffer = my_unconst(v->u.s.ptr ? v->u.s.ptr : "");
        b->buffer_length = (unsigned long)v->u.s.len;
        break;
    default:
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "parameter %zu has an unknown kind", index);
    }
    st->state = MY_NEED_EXEC;
    st->have_row = 0;
    return 0;
}

/* Is a field of this type text/bytes (as opposed to a number or date)? */
static int my_field_is_string(enum enum_field_types t)
{
    switch (t) {
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
        return 1;
    default:
        return 0;
    }
}

/* Point the result bindings at each column's storage, after execute
 * (a result's column types may change between executions). */
int my_results_bind(my_stmt *st)
{
    unsigned n = mysql_stmt_field_count(st->handle);
    MYSQL_FIELD *fields = mariadb_stmt_fetch_fields(st->handle);

    if (n > st->cols_cap) {
        MYSQL_BIND *results = orm_realloc(st->results, n * sizeof *results);
        if (!results)
            return my_nomem(st->base.conn);
        st->results = results;
        my_col *cols = orm_realloc(st->cols, n * sizeof *cols);
        if (!cols)
            return my_nomem(st->base.conn);
        memset(cols + st->cols_cap, 0, (n - st->cols_cap) * sizeof *cols);
        st->cols = cols;
        st->cols_cap = n;
    }
    st->ncols = n;
    if (!n)
        return 0;
    if (!fields)
        return orm_conn_error(st->base.conn, ORM_EERROR,
                              "result has no column metadata");
    for (unsigned i = 0; i < n; i++) {
        const MYSQL_FIELD *f = &fields[i];
        MYSQL_BIND *b = &st->results[i];
        my_col *col = &st->cols[i];

        memset(b, 0, sizeof *b);
        b->is_null = &col->is_null;
        b->length = &col->length;
        b->error = &col->error;
        col->big_unsigned = 0;
        switch (f->type) {
        case MYSQL_TYPE_TINY:
        case MYSQL_TYPE_SHORT:
        case MYSQL_TYPE_INT24:
        case MYSQL_TYPE_LONG:
        case MYSQL_TYPE_LONGLONG:
        case MYSQL_TYPE_YEAR:
            col->fetch = MY_FETCH_INT;
            /* BOOLEAN is TINYINT(1). */
            col->natural = f->type == MYSQL_TYPE_TINY && f->length == 1
                               ? ORM_VBOOL
                               : ORM_VINT;
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &col->ll;
            b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
            col->big_unsigned =
                f->type == MYSQL_TYPE_LONGLONG && b->is_unsigned;
            break;
        case MYSQL_TYPE_FLOAT:
        case MYSQL_TYPE_DOUBLE:
            col->fetch = MY_FETCH_DOUBLE;
            col->natural = ORM_VFLOAT;
            b->buffer_type = MYSQL_TYPE_DOUBLE;
            b->buffer = &col->dbl;
            break;
        default: {
            /* Text, bytes, DECIMAL (exact text), dates and times
             * (formatted by libmariadb), JSON, UUID, ENUM ... */
            int binary = (my_field_is_string(f->type) && f->charsetnr == 63) ||
                         f->type == MYSQL_TYPE_GEOMETRY ||
                         f->type == MYSQL_TYPE_BIT;
            col->fetch = MY_FETCH_TEXT;
            col->natural = binary ? ORM_VBLOB : ORM_VTEXT;
            if (!col->buf) {
                unsigned long cap = f->length;
                if (cap < MY_TEXT_MIN)
                    cap = MY_TEXT_MIN;
                if (cap > MY_TEXT_START)
                    cap = MY_TEXT_START;
                if (!(col->buf = orm_malloc(cap + 1)))
                    return my_nomem(st->base.conn);
                col->cap = cap;
            }
            b->buffer_type = binary ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
            b->buffer = col->buf;
            b->buffer_length = col->cap;
            break;
        }
        }
    }
    if (mysql_stmt_bind_result(st->handle, st->results))
        return my_fail_stmt(st);
    return 0;
}

/* Does timestamp text carry a zone after its date part? */
static int my_has_zone(const char *s, size_t n)
{
    for (size_t i = 10; i < n; i++)
        if (s[i] == '+' || s[i] == '-' || s[i] == 'Z' || s[i] == 'z')
            return 1;
    return 0;
}

int my_column(orm_stmt *base, size_t index, orm_type type, orm_value *out)
{
    my_stmt *st = (my_stmt *)base;
    my_col *col;
    orm_value_kind want;
    int64_t iv;
    double fv;

    *out = orm_value_null();
    if (!st->have_row)
        return orm_conn_error(base->conn, ORM_EINVALID, "no current row");
    if (index >= st->ncols)
        return orm_conn_error(base->conn, ORM_EINVALID,
                              "column %zu out of range (%zu)", index,
                              st->ncols);
    col = &st->cols[index];
    if (col->is_null)
        return 0;
    want = type == ORM_TYPE_COUNT ? col->natural : orm_type_kind(type);

    if (col->fetch == MY_FETCH_INT) {
        int overflow = col->big_unsigned && col->ll < 0;
        if (want == ORM_VTEXT || want == ORM_VBLOB || overflow) {
            if (overflow)
                snprintf(col->scratch, sizeof col->scratch, "%llu",
                         (unsigned long long)col->ll);
            else
                snprintf(col->scratch, sizeof col->scratch, "%lld", col->ll);
            if (overflow && want != ORM_VTEXT && type != ORM_TYPE_COUNT)
                return orm_conn_error(base->conn, ORM_ETYPE,
                                      "column %zu: %s does not fit a "
                                      "64-bit integer",
                                      index, col->scratch);
            *out = want == ORM_VBLOB && !overflow
                       ? orm_value_blob(col->scratch, strlen(col->scratch))
                       : orm_value_text(col->scratch);
        } else if (want == ORM_VFLOAT) {
            *out = orm_value_float((double)col->ll);
        } else if (want == ORM_VBOOL) {
            *out = orm_value_bool(col->ll != 0);
        } else {
            *out = orm_value_int((int64_t)col->ll);
        }
        return 0;
    }
    if (col->fetch == MY_FETCH_DOUBLE) {
        double d = col->dbl;
        if (want == ORM_VINT) {
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
                  d == (double)(int64_t)d)) {
                orm_double_text(col->scratch, d, ORM_DOUBLE_SHORT);
                return orm_conn_error(base->conn, ORM_ETYPE,
                                      "column %zu: %s is not a whole "
                                      "number",
                                      index, col->scratch);
            }
            *out = orm_value_int((int64_t)d);
        } else if (want == ORM_VBOOL) {
            *out = orm_value_bool(d != 0.0);
        } else if (want == ORM_VTEXT || want == ORM_VBLOB) {
            orm_double_text(col->scratch, d, ORM_DOUBLE_SHORT);
            *out = want == ORM_VBLOB
                       ? orm_value_blob(col->scratch, strlen(col->scratch))
                       : orm_value_text(col->scratch);
        } else {
            *out = orm_value_float(d);
        }
        return 0;
    }

    /* Text or bytes. */
    const char *text = col->buf;
    size_t len = col->length < col->cap ? col->length : col->cap;
    switch (want) {
    case ORM_VINT:
        if (orm_int_parse(&iv, text, len))
            return orm_conn_error(base->conn, ORM_ETYPE,
                                  "column %zu is not a whole number", index);
        *out = orm_value_int(iv);
        return 0;
    case ORM_VFLOAT:
        if (orm_double_parse(&fv, text, len))
            return orm_conn_error(base->conn, ORM_ETYPE,
                                  "column %zu is not a number", index);
        *out = orm_value_float(fv);
        return 0;
    case ORM_VBOOL:
        if (orm_int_parse(&iv, text, len) == 0)
            *out = orm_value_bool(iv != 0);
        else if (len == 4 && strncasecmp(text, "true", 4) == 0)
            *out = orm_value_bool(1);
        else if (len == 5 && strncasecmp(text, "false", 5) == 0)
            *out = orm_value_bool(0);
        else
            return orm_conn_error(base->conn, ORM_ETYPE,
                                  "column %zu is not a boolean", index);
        return 0;
    case ORM_VBLOB:
        *out = orm_value_blob(text, len);
        return 0;
    default:
        /* DATETIME holds UTC (the session zone): say so for DateTimeTZ. */
        if (type == ORM_DATETIMETZ && len >= 10 && !my_has_zone(text, len) &&
            len + sizeof "+00:00" <= sizeof col->scratch) {
            memcpy(col->scratch, text, len);
            memcpy(col->scratch + len, "+00:00", sizeof "+00:00");
            *out = orm_value_textn(col->scratch, len + 6);
            return 0;
        }
        *out = orm_value_textn(text, len);
        return 0;
    }
}

/* ---- DDL ---- */

void my_column_type_sql(orm_buf *out, const orm_column *col, int autoinc)
{
    switch (col->type) {
    case ORM_INTEGER:
        orm_buf_append(out, "INT");
        break;
    case ORM_BIGINT:
        orm_buf_append(out, "BIGINT");
        break;
    case ORM_SMALLINT:
        orm_buf_append(out, "SMALLINT");
        break;
    case ORM_STRING:
        orm_buf_appendf(out, "VARCHAR(%d)",
                        col->length > 0 ? col->length : 255);
        break;
    case ORM_BOOLEAN:
        orm_buf_append(out, "BOOLEAN");
        break;
    case ORM_FLOAT:
        orm_buf_append(out, "DOUBLE");
        break;
    case ORM_NUMERIC:
        if (col->precision > 0)
            orm_buf_appendf(out, "DECIMAL(%d,%d)", col->precision,
                            col->scale > 0 ? col->scale : 0);
        else
            orm_buf_append(out, "DECIMAL(65,30)");
        break;
    case ORM_DATE:
        orm_buf_append(out, "DATE");
        break;
    case ORM_TIME:
        orm_buf_append(out, "TIME(6)");
        break;
    case ORM_DATETIME:
    case ORM_DATETIMETZ: /* stored as UTC */
        orm_buf_append(out, "DATETIME(6)");
        break;
    case ORM_BLOB:
        orm_buf_append(out, "LONGBLOB");
        break;
    case ORM_JSON:
        orm_buf_append(out, "JSON");
        break;
    case ORM_UUID:
        orm_buf_append(out, "UUID");
        break;
    case ORM_TEXT:
    default:
        orm_buf_append(out, "LONGTEXT");
        break;
    }
    if (autoinc && (col->type == ORM_INTEGER || col->type == ORM_BIGINT ||
                    col->type == ORM_SMALLINT))
        orm_buf_append(out, " AUTO_INCREMENT");
}
