/*
 * Typed conversion of numbers: integers in their column's range, floats
 * (single precision too), booleans, decimals to their declared precision
 * and scale, and the canonical form of numbers, booleans and UUIDs a
 * database gives back (orm_value_normalize).
 */
#include <math.h>
#include <strings.h>

#include "convert.h"

/* ---- integers and floats ---- */

void convert_int_range(orm_type type, int64_t *lo, int64_t *hi)
{
    switch (type) {
    case ORM_SMALLINT:
        *lo = INT16_MIN;
        *hi = INT16_MAX;
        break;
    case ORM_INTEGER:
        *lo = INT32_MIN;
        *hi = INT32_MAX;
        break;
    default:
        *lo = INT64_MIN;
        *hi = INT64_MAX;
        break;
    }
}

int convert_range_error(orm_error *err, const orm_column *col)
{
    int64_t lo, hi;
    convert_int_range(col->type, &lo, &hi);
    return convert_type_error(err, col, "out of range for %s (%lld to %lld)",
                              orm_type_name(col->type), (long long)lo,
                              (long long)hi);
}

int convert_parse_int(const orm_column *col, const char *s, size_t n,
                      int64_t *out, orm_error *err)
{
    int rc = orm_int_parse(out, s, n);
    if (rc == 1)
        return convert_range_error(err, col);
    if (rc)
        return convert_expected_error(err, col);
    int64_t lo, hi;
    convert_int_range(col->type, &lo, &hi);
    if (*out < lo || *out > hi)
        return convert_range_error(err, col);
    return 0;
}

/* Typed input is decimal notation only: digits with an optional point
 * and exponent. strtod also reads hexadecimal (0x10 is 16), "nan" and
 * "inf", which no one typing a number means, and which the databases
 * keep apart (SQLite stores NaN as NULL). Sets *nonzero when a mantissa
 * digit is not 0. */
static int float_decimal_syntax(const char *s, size_t n, int *nonzero)
{
    size_t i = 0, digits = 0, exp_digits = 0;
    *nonzero = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && convert_is_digit(s[i]); i++, digits++)
        *nonzero |= s[i] != '0';
    if (i < n && s[i] == '.')
        for (i++; i < n && convert_is_digit(s[i]); i++, digits++)
            *nonzero |= s[i] != '0';
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && convert_is_digit(s[i]); i++)
            exp_digits++;
        if (exp_digits == 0)
            return 0;
    }
    return i == n;
}

int convert_parse_float(const orm_column *col, const char *s, size_t n,
                        double *out, orm_error *err)
{
    int nonzero;
    if (!float_decimal_syntax(s, n, &nonzero)) {
        const char *p = s + (n && (*s == '+' || *s == '-'));
        size_t left = n - (size_t)(p - s);
        if ((left == 3 && strncasecmp(p, "nan", 3) == 0) ||
            (left == 3 && strncasecmp(p, "inf", 3) == 0) ||
            (left == 8 && strncasecmp(p, "infinity", 8) == 0))
            return convert_type_error(err, col,
                                      "expected a finite number (NaN and "
                                      "infinity cannot be stored)");
        if (left > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
            return convert_type_error(err, col,
                                      "expected a decimal number, not "
                                      "hexadecimal");
        return convert_expected_error(err, col);
    }
    int rc = orm_double_parse(out, s, n);
    if (rc == ORM_ENOMEM)
        return convert_nomem(err);
    if (rc < 0)
        return convert_expected_error(err, col);
    /* Too large, or so close to zero that it would be stored as 0. */
    int float32 = convert_col_is_float32(col);
    if (rc == 1 || (float32 && isinf((float)*out)) ||
        (nonzero && (*out == 0 || (float32 && (float)*out == 0))))
        return convert_type_error(err, col, "out of range for %s",
                                  orm_type_name(col->type));
    return 0;
}

/* A single-precision Float column (float4, MySQL FLOAT). */
int convert_col_is_float32(const orm_column *col)
{
    return col && col->type == ORM_FLOAT && col->precision > 0 &&
           col->precision <= 24;
}

/* ---- booleans ---- */

/* 1 true, 0 false, -1 not a boolean word. */
int convert_bool_scan(const char *s, size_t n)
{
    static const char *const truths[] = {"true", "yes", "on", "t", "y", "1"};
    static const char *const lies[] = {"false", "no", "off", "f", "n", "0"};
    for (size_t i = 0; i < ORM_ARRAY_LEN(truths); i++) {
        if (strlen(truths[i]) == n && strncasecmp(truths[i], s, n) == 0)
            return 1;
        if (strlen(lies[i]) == n && strncasecmp(lies[i], s, n) == 0)
            return 0;
    }
    return -1;
}

/* ---- decimals ---- */

enum { NUM_OK = 0, NUM_SYNTAX, NUM_SCALE, NUM_DIGITS, NUM_NOMEM };

static int numeric_declared(const orm_column *col)
{
    return col->precision > 0 || col->scale > 0;
}

/*
 * Canonical decimal text into `out`: no leading zeros, no "-0", exactly
 * `scale` decimals when the column declares precision or scale (more
 * decimals are NUM_SCALE unless they are zeros: never rounded), else
 * without trailing fraction zeros. `check_digits` also enforces p - s
 * integer digits (normalize must not reject what a database holds).
 */
int convert_numeric_canon(orm_buf *out, const orm_column *col, const char *s,
                          size_t n, int check_digits)
{
    size_t i = 0;
    int negative = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        negative = s[i++] == '-';
    size_t int_start = i;
    while (i < n && convert_is_digit(s[i]))
        i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && s[i] == '.') {
        frac_start = ++i;
        while (i < n && convert_is_digit(s[i]))
            i++;
        frac_end = i;
    }
    if (i != n || (int_end == int_start && frac_end == frac_start))
        return NUM_SYNTAX;
    while (int_start < int_end && s[int_start] == '0')
        int_start++;

    size_t pad = 0;
    if (numeric_declared(col)) {
        size_t scale = col->scale > 0 ? (size_t)col->scale : 0;
        if (frac_end - frac_start > scale) {
            for (size_t k = frac_start + scale; k < frac_end; k++)
                if (s[k] != '0')
                    return NUM_SCALE;
            frac_end = frac_start + scale;
        }
        pad = scale - (frac_end - frac_start);
    } else {
        while (frac_end > frac_start && s[frac_end - 1] == '0')
            frac_end--;
    }
    if (check_digits && col->precision > 0 &&
        (long)(int_end - int_start) > (long)col->precision - col->scale)
        return NUM_DIGITS;

    int nonzero = 0;
    for (size_t k = int_start; k < frac_end; k++)
        if (s[k] >= '1' && s[k] <= '9')
            nonzero = 1;
    if (negative && nonzero)
        orm_buf_appendc(out, '-');
    if (int_end > int_start)
        orm_buf_appendn(out, s + int_start, int_end - int_start);
    else
        orm_buf_appendc(out, '0');
    if (frac_end > frac_start || pad) {
        orm_buf_appendc(out, '.');
        orm_buf_appendn(out, s + frac_start, frac_end - frac_start);
        for (size_t k = 0; k < pad; k++)
            orm_buf_appendc(out, '0');
    }
    return out->failed ? NUM_NOMEM : NUM_OK;
}

int convert_numeric_error(orm_error *err, const orm_column *col, int status)
{
    switch (status) {
    case NUM_NOMEM:
        return convert_nomem(err);
    case NUM_SCALE:
        if (col->scale <= 0)
            return convert_type_error(err, col, "expected a whole number");
        return convert_type_error(err, col, "at most %d decimal place%s",
                                  col->scale, col->scale == 1 ? "" : "s");
    case NUM_DIGITS:
        if (col->scale > 0)
            return convert_type_error(err, col, "too many digits for %s(%d,%d)",
                                      orm_type_name(col->type), col->precision,
                                      col->scale);
        return convert_type_error(err, col, "too many digits for %s(%d)",
                                  orm_type_name(col->type), col->precision);
    default:
        return convert_expected_error(err, col);
    }
}

/* ---- normalizing what a database gave back ---- */

static int normalize_numeric(orm_value *v, const orm_column *col)
{
    char digits[400];
    const char *s;
    size_t n;

    if (v->kind == ORM_VINT) {
        snprintf(digits, sizeof digits, "%lld", (long long)v->u.i);
    } else if (v->kind == ORM_VFLOAT) {
        if (!isfinite(v->u.f))
            return 0;
        if (numeric_declared(col) && col->scale >= 0 && col->scale <= 30)
            orm_double_fixed(digits, sizeof digits, v->u.f, col->scale);
        else
            orm_double_text(digits, v->u.f, ORM_DOUBLE_SHORT);
    } else if (v->kind != ORM_VTEXT) {
        return 0;
    }
    if (v->kind == ORM_VTEXT) {
        s = v->u.s.ptr;
        n = v->u.s.len;
    } else {
        s = digits;
        n = strlen(digits);
    }
    orm_buf canon = ORM_BUF_INIT;
    int status = convert_numeric_canon(&canon, col, s, n, 0);
    int rc = 0;
    if (status == NUM_NOMEM)
        rc = ORM_ENOMEM;
    else if (status == NUM_OK)
        rc = convert_value_set_text(v, canon.data, canon.len);
    orm_buf_free(&canon);
    return rc;
}

static int normalize_int(orm_value *v)
{
    int64_t i;
    if (v->kind != ORM_VTEXT)
        return 0;
    const char *s = v->u.s.ptr;
    size_t n = v->u.s.len;
    convert_trim(&s, &n);
    if (orm_int_parse(&i, s, n) == 0)
        convert_value_set_scalar(v, orm_value_int(i));
    return 0;
}

static int normalize_float(orm_value *v, const orm_column *col)
{
    double f;
    if (v->kind == ORM_VFLOAT && convert_col_is_float32(col)) {
        /* PostgreSQL writes a float4 as its shortest text (0.1): the
         * value the column holds is the float, 0.10000000149011612. */
        v->u.f = (double)(float)v->u.f;
        return 0;
    }
    if (v->kind == ORM_VINT) {
        convert_value_set_scalar(v, orm_value_float((double)v->u.i));
        return 0;
    }
    if (v->kind != ORM_VTEXT)
        return 0;
    const char *s = v->u.s.ptr;
    size_t n = v->u.s.len;
    convert_trim(&s, &n);
    if (n == 0)
        return 0;
    int rc = orm_double_parse(&f, s, n);
    if (rc == ORM_ENOMEM)
        return rc;
    if (rc == 0)
        convert_value_set_scalar(v, orm_value_float(f));
    return 0;
}

static int normalize_bool(orm_value *v)
{
    if (v->kind == ORM_VINT) {
        convert_value_set_scalar(v, orm_value_bool(v->u.i != 0));
    } else if (v->kind == ORM_VTEXT) {
        const char *s = v->u.s.ptr;
        size_t n = v->u.s.len;
        convert_trim(&s, &n);
        int b = convert_bool_scan(s, n);
        if (b >= 0)
            convert_value_set_scalar(v, orm_value_bool(b));
    }
    return 0;
}

static int normalize_uuid(orm_value *v)
{
    char canon[37];
    if (v->kind == ORM_VBLOB && v->u.s.len == 16) {
        orm_uuid_from_bytes(canon, (const unsigned char *)v->u.s.ptr);
        return convert_value_set_text(v, canon, 36);
    }
    if (v->kind != ORM_VTEXT)
        return 0;
    const char *s = v->u.s.ptr;
    size_t n = v->u.s.len;
    convert_trim(&s, &n);
    if (orm_uuid_canon(canon, s, n))
        return 0;
    return convert_value_set_text(v, canon, 36);
}

int orm_value_normalize(orm_value *v, const orm_column *col)
{
    /* The same test lets the row loops skip the call (internal.h). */
    if (!v || !col || !value_needs_normalize(v, col))
        return 0;
    switch (col->type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
        return normalize_int(v);
    case ORM_FLOAT:
        return normalize_float(v, col);
    case ORM_BOOLEAN:
        return normalize_bool(v);
    case ORM_NUMERIC:
        return normalize_numeric(v, col);
    case ORM_UUID:
        return normalize_uuid(v);
    case ORM_DATE:
    case ORM_TIME:
    case ORM_DATETIME:
    case ORM_DATETIMETZ: {
        char canon[ORM_DATETIME_TEXT_MAX];
        if (v->kind != ORM_VTEXT)
            return 0;
        const char *s = v->u.s.ptr;
        size_t n = v->u.s.len;
        convert_trim(&s, &n);
        if (convert_parse_temporal(col, s, n, canon, NULL))
            return 0;
        return convert_value_set_text(v, canon, strlen(canon));
    }
    default:
        return 0;
    }
}
