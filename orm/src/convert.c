/*
 * Text <-> value conversion by column type.
 *
 * What a user typed becomes a value here (orm_value_parse), values become
 * display text here (orm_value_format), values are checked before they go
 * to a database (orm_value_check) and canonicalized when they come back
 * (orm_value_normalize), and default generators run here
 * (orm_default_generate). The command line and the TUI's forms both show
 * these messages next to a field, so they are plain words without the
 * column name (err->column carries it).
 */

#include "convert.h"
#include "alloc.h"

/* ---- errors ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 0)))
#endif
static int
column_errorv(orm_error *err, int code, const orm_column *col, const char *fmt,
              va_list ap)
{
    if (!err)
        return code;
    orm_error_setv(err, code, fmt, ap);
    if (!err->message || orm_error_set_column(err, col ? col->name : NULL))
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    return code;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int
convert_type_error(orm_error *err, const orm_column *col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = column_errorv(err, ORM_ETYPE, col, fmt, ap);
    va_end(ap);
    return rc;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
column_error(orm_error *err, int code, const orm_column *col, const char *fmt,
             ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = column_errorv(err, code, col, fmt, ap);
    va_end(ap);
    return rc;
}

int convert_nomem(orm_error *err)
{
    return orm_error_set(err, ORM_ENOMEM, "out of memory");
}

/* What a field of this type wants, for input of the wrong shape. */
static const char *type_expected(orm_type type)
{
    switch (type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
        return "expected a whole number";
    case ORM_FLOAT:
        return "expected a number like 12.5";
    case ORM_NUMERIC:
        return "expected a decimal number like 12.34";
    case ORM_BOOLEAN:
        return "expected true or false";
    case ORM_DATE:
        return "expected a date like 2024-01-31";
    case ORM_TIME:
        return "expected a time like 13:45 or 13:45:30";
    case ORM_DATETIME:
        return "expected a date and time like 2024-01-31 13:45";
    case ORM_DATETIMETZ:
        return "expected a date, time and zone like 2024-01-31 13:45+02:00";
    case ORM_UUID:
        return "expected a UUID like 123e4567-e89b-12d3-a456-426614174000";
    case ORM_JSON:
        return "expected JSON text";
    case ORM_BLOB:
        return "expected binary data";
    default:
        return "expected text";
    }
}

int convert_expected_error(orm_error *err, const orm_column *col)
{
    return convert_type_error(err, col, "%s", type_expected(col->type));
}

/* ---- small text helpers ---- */

int convert_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

int convert_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

void convert_trim(const char **s, size_t *n)
{
    while (*n && convert_is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && convert_is_space((*s)[*n - 1]))
        (*n)--;
}

/* Replace a value's content with `n` bytes of text (owned), unless it
 * already holds exactly that text. Frees the old bytes only if owned. */
int convert_value_set_text(orm_value *v, const char *s, size_t n)
{
    if (v->kind == ORM_VTEXT && v->u.s.len == n &&
        (n == 0 || memcmp(v->u.s.ptr, s, n) == 0))
        return 0;
    orm_value fresh;
    if (orm_value_text_dup(&fresh, s, n))
        return ORM_ENOMEM;
    orm_value_clear(v);
    *v = fresh;
    return 0;
}

void convert_value_set_scalar(orm_value *v, orm_value scalar)
{
    orm_value_clear(v);
    *v = scalar;
}

/* ---- UTF-8 ---- */

enum { UTF8_OK = 0, UTF8_INVALID = -1, UTF8_NUL = -2 };

/* Validate UTF-8 and count code points. Text never holds a NUL. */
static int utf8_count(const char *s, size_t n, size_t *chars)
{
    const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    size_t i = 0, count = 0;
    while (i < n) {
        uint64_t w;
        /* ASCII without NUL, 8 bytes at a time: each byte is one code
         * point and valid. */
        if (n - i >= 8 && (memcpy(&w, s + i, 8), (w & high) == 0) &&
            ((w - ones) & ~w & high) == 0) {
            i += 8;
            count += 8;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c > 0 && c < 0x80) {
            i++;
            count++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(
            (const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (step <= 0)
            return UTF8_INVALID;
        if (cp == 0)
            return UTF8_NUL;
        i += (size_t)step;
        count++;
    }
    if (chars)
        *chars = count;
    return UTF8_OK;
}

/* Code points in the first `bytes` bytes of text already known valid. */
static size_t utf8_prefix_chars(const char *s, size_t n, size_t bytes)
{
    size_t count = 0;
    for (size_t i = 0; i < n && i < bytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

static int utf8_error(orm_error *err, const orm_column *col, int rc)
{
    if (rc == UTF8_NUL)
        return convert_type_error(
            err, col, "contains a NUL character (not allowed in text)");
    return convert_type_error(err, col, "not valid UTF-8");
}

/* ---- dates, times, timestamps ---- */

/* Canonical text of a DATE/TIME/DATETIME/DATETIMETZ (datetime.c) into
 * out[ORM_DATETIME_TEXT_MAX], or the reason it is not one. */
int convert_parse_temporal(const orm_column *col, const char *s, size_t n,
                           char *out, orm_error *err)
{
    orm_datetime dt;
    switch (orm_datetime_parse(&dt, s, n, col->type)) {
    case ORM_DATETIME_OK:
        orm_datetime_text(out, &dt);
        return 0;
    case ORM_DATETIME_YEAR:
        return convert_type_error(err, col, "year must be 0001 to 9999");
    case ORM_DATETIME_MONTH:
        return convert_type_error(err, col, "month must be 01 to 12");
    case ORM_DATETIME_DAY:
        return convert_type_error(
            err, col, "day must be 01 to %d for %04d-%02d",
            orm_days_in_month(dt.year, dt.month), dt.year, dt.month);
    case ORM_DATETIME_HOUR:
        return convert_type_error(err, col, "hour must be 00 to 23");
    case ORM_DATETIME_MINUTE:
        return convert_type_error(err, col, "minutes must be 00 to 59");
    case ORM_DATETIME_SECOND:
        return convert_type_error(err, col, "seconds must be 00 to 59");
    case ORM_DATETIME_FRACTION:
        return convert_type_error(err, col,
                                  "at most 6 decimal places for seconds");
    case ORM_DATETIME_ZONE:
        return convert_type_error(err, col,
                                  "expected a time zone like +02:00 or Z");
    case ORM_DATETIME_ZONE_RANGE:
        return convert_type_error(err, col,
                                  "time zone offset must be -15:59 to +15:59");
    case ORM_DATETIME_ZONE_UNWANTED:
        return convert_type_error(err, col,
                                  "no time zone allowed here (the column is "
                                  "DateTime, not DateTimeTZ)");
    case ORM_DATETIME_ZONE_MISSING:
        return convert_type_error(err, col,
                                  "a time zone is required (add Z or an offset "
                                  "like +02:00)");
    case ORM_DATETIME_SHAPE:
    default:
        return convert_expected_error(err, col);
    }
}

/* ---- UUIDs, JSON, blobs ---- */

int orm_uuid_canon(char *out, const char *s, size_t n)
{
    char hex[32];
    size_t count = 0;
    convert_trim(&s, &n);
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
        s++;
        n -= 2;
    }
    if (n != 32 && n != 36)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int dash_spot = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash_spot) {
            if (s[i] != '-')
                return -1;
            continue;
        }
        int h = orm_hex_digit((unsigned char)(s[i]));
        if (h < 0)
            return -1;
        hex[count++] = "0123456789abcdef"[h];
    }
    size_t o = 0;
    for (size_t i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[o++] = '-';
        out[o++] = hex[i];
    }
    out[o] = '\0';
    return 0;
}

void orm_uuid_from_bytes(char *out, const unsigned char *bytes)
{
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = "0123456789abcdef"[bytes[i] >> 4];
        out[o++] = "0123456789abcdef"[bytes[i] & 15];
    }
    out[o] = '\0';
}

static int check_json(const orm_column *col, const char *s, size_t n,
                      orm_error *err)
{
    json_error_t jerr;
    int rc = utf8_count(s, n, NULL);
    if (rc)
        return utf8_error(err, col, rc);
    /* Integers beyond int64 are valid JSON: read them as reals. */
    json_t *parsed =
        json_loadb(s, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr);
    if (parsed) {
        json_decref(parsed);
        return 0;
    }
    size_t at = utf8_prefix_chars(
        s, n, (size_t)(jerr.position > 0 ? jerr.position : 0));
    if (at == 0)
        at = 1;
    if (json_error_code(&jerr) == json_error_null_character)
        rc =
            convert_type_error(err, col,
                               "invalid JSON: \\u0000 (a NUL character) is not "
                               "allowed at character %zu",
                               at);
    else
        rc = convert_type_error(err, col, "invalid JSON: %s at character %zu",
                                jerr.text, at);
    if (err && rc == ORM_ETYPE)
        err->position = at;
    return rc;
}

/* "\x" and an even number of hex digits are bytes; anything else is
 * taken byte for byte. */
static int parse_blob(orm_value *out, const char *s, size_t n, orm_error *err)
{
    int is_hex = n >= 2 && s[0] == '\\' && s[1] == 'x' && (n - 2) % 2 == 0;
    for (size_t i = 2; is_hex && i < n; i++)
        if (orm_hex_digit((unsigned char)(s[i])) < 0)
            is_hex = 0;
    if (!out)
        return 0;
    if (!is_hex)
        return orm_value_blob_dup(out, s, n) ? convert_nomem(err) : 0;
    size_t len = (n - 2) / 2;
    unsigned char *bytes = orm_malloc(len + 1);
    if (!bytes)
        return convert_nomem(err);
    for (size_t i = 0; i < len; i++)
        bytes[i] =
            (unsigned char)(orm_hex_digit((unsigned char)(s[2 + 2 * i])) * 16 +
                            orm_hex_digit((unsigned char)(s[3 + 2 * i])));
    bytes[len] = '\0';
    out->kind = ORM_VBLOB;
    out->owned = 1;
    out->u.s.ptr = (char *)bytes;
    out->u.s.len = len;
    return 0;
}

/* ---- the shared converter ---- */

int convert_text_out(orm_value *out, const char *s, size_t n, orm_error *err)
{
    if (out && orm_value_text_dup(out, s, n))
        return convert_nomem(err);
    return 0;
}

/*
 * Validate `n` bytes of text for `col` and, when `out` is not NULL, build
 * the canonical owned value. Shared by parse (text typed by a user) and
 * check (a text value about to be sent).
 */
/* Is `s` one of the column's choices (ENUM), or with ORM_CHOICE_SET a
 * comma-separated list of them (SET, "" the empty set)? Exact match:
 * the database's own matching may ignore case, orb's does not. */
static int choice_check(const orm_column *col, const char *s, size_t n,
                        orm_error *err)
{
    int set = (col->flags & ORM_CHOICE_SET) != 0;
    size_t start = 0;
    if (set && n == 0)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && (!set || s[i] != ','))
            continue;
        size_t k = 0;
        for (; k < col->nchoices; k++)
            if (strlen(col->choices[k]) == i - start &&
                memcmp(col->choices[k], s + start, i - start) == 0)
                break;
        if (k == col->nchoices) {
            orm_buf b = ORM_BUF_INIT;
            for (k = 0; k < col->nchoices; k++)
                orm_buf_appendf(&b, "%s'%s'", k ? ", " : "", col->choices[k]);
            int rc = convert_type_error(err, col, "'%.*s' is not one of %s",
                                        (int)(i - start), s + start,
                                        orm_buf_str(&b) ? orm_buf_str(&b) : "");
            orm_buf_free(&b);
            return rc;
        }
        start = i + 1;
    }
    return 0;
}

static int convert_text(orm_value *out, const orm_column *col, const char *s,
                        size_t n, orm_error *err)
{
    int rc;
    size_t chars = 0;

    if (col->type == ORM_STRING || col->type == ORM_TEXT) {
        if ((rc = utf8_count(s, n, &chars)))
            return utf8_error(err, col, rc);
        if (col->nchoices && (rc = choice_check(col, s, n, err)))
            return rc;
        if (col->type == ORM_STRING && col->length > 0 &&
            chars > (size_t)col->length)
            return convert_type_error(
                err, col, "at most %d character%s (got %zu)", col->length,
                col->length == 1 ? "" : "s", chars);
        return convert_text_out(out, s, n, err);
    }
    if (col->type == ORM_BLOB)
        return parse_blob(out, s, n, err);
    if ((unsigned)col->type >= ORM_TYPE_COUNT)
        return convert_text_out(out, s, n, err);

    const char *t = s;
    size_t tn = n;
    convert_trim(&t, &tn);
    if (tn == 0)
        return convert_type_error(err, col, MSG_REQUIRED);

    switch (col->type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT: {
        int64_t i;
        if ((rc = convert_parse_int(col, t, tn, &i, err)))
            return rc;
        if (out)
            *out = orm_value_int(i);
        return 0;
    }
    case ORM_FLOAT: {
        double f;
        if ((rc = convert_parse_float(col, t, tn, &f, err)))
            return rc;
        if (convert_col_is_float32(col)) /* what the column will hold */
            f = (double)(float)f;
        if (out)
            *out = orm_value_float(f);
        return 0;
    }
    case ORM_BOOLEAN: {
        int b = convert_bool_scan(t, tn);
        if (b < 0)
            return convert_expected_error(err, col);
        if (out)
            *out = orm_value_bool(b);
        return 0;
    }
    case ORM_NUMERIC: {
        orm_buf canon = ORM_BUF_INIT;
        int status = convert_numeric_canon(&canon, col, t, tn, 1);
        rc = status ? convert_numeric_error(err, col, status)
                    : convert_text_out(out, canon.data, canon.len, err);
        orm_buf_free(&canon);
        return rc;
    }
    case ORM_DATE:
    case ORM_TIME:
    case ORM_DATETIME:
    case ORM_DATETIMETZ: {
        char canon[ORM_DATETIME_TEXT_MAX];
        if ((rc = convert_parse_temporal(col, t, tn, canon, err)))
            return rc;
        return convert_text_out(out, canon, strlen(canon), err);
    }
    case ORM_UUID: {
        char canon[37];
        if (orm_uuid_canon(canon, t, tn))
            return convert_expected_error(err, col);
        return convert_text_out(out, canon, 36, err);
    }
    case ORM_JSON:
        if ((rc = check_json(col, s, n, err)))
            return rc;
        return convert_text_out(out, s, n, err);
    default:
        return convert_text_out(out, s, n, err);
    }
}

int orm_value_parse(orm_value *out, const orm_column *col, const char *text,
                    orm_error *err)
{
    if (!out)
        return orm_error_set(err, ORM_EINVALID, "no value to parse into");
    *out = orm_value_null();
    if (!col || !text)
        return orm_error_set(err, ORM_EINVALID, "no column or text to parse");
    return convert_text(out, col, text, strlen(text), err);
}

int orm_value_parse_input(orm_value *out, const orm_column *col,
                          const char *text, orm_error *err)
{
    orm_datetime day;
    char stamp[32];
    int rc = orm_value_parse(out, col, text, err);
    if (rc == 0 || rc == ORM_ENOMEM ||
        (col->type != ORM_DATETIME && col->type != ORM_DATETIMETZ) ||
        orm_datetime_parse(&day, text, strlen(text), ORM_DATE) !=
            ORM_DATETIME_OK)
        return rc;
    /* A plain date against a timestamp means its midnight (local
     * midnight for a zoned one). */
    if (col->type == ORM_DATETIMETZ) {
        int zone = orm_datetime_local_zone(day.year, day.month, day.day, 0);
        int east = zone >= 0 ? zone : -zone;
        snprintf(stamp, sizeof stamp, "%s 00:00:00%c%02d:%02d", text,
                 zone < 0 ? '-' : '+', east / 60, east % 60);
    } else {
        snprintf(stamp, sizeof stamp, "%s 00:00:00", text);
    }
    orm_error retry = ORM_ERROR_INIT;
    orm_value_clear(out);
    int retry_rc = orm_value_parse(out, col, stamp, &retry);
    if (retry_rc == 0 || retry_rc == ORM_ENOMEM) {
        orm_error_clear(err);
        rc = retry_rc;
        if (rc)
            orm_error_set(err, rc, "out of memory");
    } else {
        orm_value_clear(out);
    }
    orm_error_clear(&retry);
    return rc;
}

/* ---- formatting ---- */

static char *format_blob(const unsigned char *bytes, size_t len)
{
    if (len > (SIZE_MAX - 3) / 2)
        return NULL;
    char *text = orm_malloc(2 * len + 3);
    if (!text)
        return NULL;
    text[0] = '\\';
    text[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        text[2 + 2 * i] = "0123456789abcdef"[bytes[i] >> 4];
        text[3 + 2 * i] = "0123456789abcdef"[bytes[i] & 15];
    }
    text[2 * len + 2] = '\0';
    return text;
}

size_t orm_value_format_into(char *out, const orm_value *v,
                             const orm_column *col)
{
    if (!v || (col && v->kind != orm_type_kind(col->type)))
        return 0;
    switch (v->kind) {
    case ORM_VINT:
        return orm_int_text(out, v->u.i);
    case ORM_VFLOAT:
        if (convert_col_is_float32(col) && isfinite(v->u.f))
            return orm_float32_text(out, v->u.f, ORM_DOUBLE_SHORT);
        return orm_double_text(out, v->u.f, ORM_DOUBLE_SHORT);
    case ORM_VBOOL:
        memcpy(out, v->u.b ? "true" : "false", v->u.b ? 5 : 6);
        return v->u.b ? 4 : 5;
    default:
        return 0;
    }
}

static char *format_kind(const orm_value *v)
{
    char buf[ORM_VALUE_TEXT_MAX];
    switch (v->kind) {
    case ORM_VINT:
    case ORM_VFLOAT:
    case ORM_VBOOL:
        return orm_strndup(buf, orm_value_format_into(buf, v, NULL));
    case ORM_VTEXT:
        return orm_strndup(v->u.s.len ? v->u.s.ptr : "", v->u.s.len);
    case ORM_VBLOB:
        return format_blob((const unsigned char *)v->u.s.ptr, v->u.s.len);
    default:
        return NULL;
    }
}

char *orm_value_format(const orm_value *v, const orm_column *col)
{
    char buf[ORM_VALUE_TEXT_MAX];
    size_t n;
    if (!v || v->kind == ORM_VNULL)
        return NULL;
    if ((n = orm_value_format_into(buf, v, col)) > 0)
        return orm_strndup(buf, n);
    if (!col || v->kind == orm_type_kind(col->type))
        return format_kind(v);
    /* A value of another kind than its column travels as (an integer
     * from SQLite for a boolean): show it as normalize would make it. */
    orm_value shown = *v;
    shown.owned = 0;
    if (orm_value_normalize(&shown, col) < 0)
        return NULL;
    char *text = format_kind(&shown);
    orm_value_clear(&shown);
    return text;
}

int orm_value_from_text(orm_value *out, orm_value_kind kind, const char *text,
                        size_t len, orm_error *err)
{
    int show = len > 40 ? 40 : (int)len; /* of the text, in messages */
    *out = orm_value_null();
    if (!text && len)
        return orm_error_set(err, ORM_EINVALID, "no text to read");
    if (!text)
        text = "";
    switch (kind) {
    case ORM_VNULL:
        return 0;
    case ORM_VINT: {
        int64_t i;
        if (orm_int_parse(&i, text, len))
            return convert_type_error(err, NULL, "not a whole number: '%.*s'",
                                      show, text);
        *out = orm_value_int(i);
        return 0;
    }
    case ORM_VFLOAT: {
        double f;
        int rc = orm_double_parse(&f, text, len);
        if (rc == ORM_ENOMEM)
            return convert_nomem(err);
        /* 1 (overflow) is fine here: "inf" reads back as infinity. */
        if (rc < 0)
            return convert_type_error(err, NULL, "not a number: '%.*s'", show,
                                      text);
        *out = orm_value_float(f);
        return 0;
    }
    case ORM_VBOOL:
        if (len == 4 && memcmp(text, "true", 4) == 0)
            *out = orm_value_bool(1);
        else if (len == 5 && memcmp(text, "false", 5) == 0)
            *out = orm_value_bool(0);
        else
            return convert_type_error(err, NULL, "not true or false: '%.*s'",
                                      show, text);
        return 0;
    case ORM_VTEXT:
        return convert_text_out(out, text, len, err);
    case ORM_VBLOB: {
        int is_hex =
            len >= 2 && text[0] == '\\' && text[1] == 'x' && (len - 2) % 2 == 0;
        for (size_t i = 2; is_hex && i < len; i++)
            is_hex = orm_hex_digit((unsigned char)(text[i])) >= 0;
        if (!is_hex)
            return convert_type_error(err, NULL,
                                      "bytes are \\x and hex digits, "
                                      "not '%.*s'",
                                      show, text);
        return parse_blob(out, text, len, err);
    }
    }
    return orm_error_set(err, ORM_EINVALID, "unknown value kind %d", (int)kind);
}

/* ---- checking ---- */

int orm_value_check(const orm_value *v, const orm_column *col, orm_error *err)
{
    if (!v || !col)
        return orm_error_set(err, ORM_EINVALID, "no value or column to check");
    if (v->kind == ORM_VNULL) {
        if (orm_column_nullable(col))
            return 0;
        return column_error(err, ORM_ENOTNULL, col, "a value is required");
    }
    switch (col->type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT: {
        int64_t lo, hi;
        if (v->kind != ORM_VINT)
            return convert_expected_error(err, col);
        convert_int_range(col->type, &lo, &hi);
        return v->u.i < lo || v->u.i > hi ? convert_range_error(err, col) : 0;
    }
    case ORM_FLOAT:
        return v->kind == ORM_VFLOAT || v->kind == ORM_VINT
                   ? 0
                   : convert_expected_error(err, col);
    case ORM_BOOLEAN:
        if (v->kind == ORM_VBOOL ||
            (v->kind == ORM_VINT && (v->u.i == 0 || v->u.i == 1)))
            return 0;
        return convert_expected_error(err, col);
    case ORM_BLOB:
        return v->kind == ORM_VBLOB || v->kind == ORM_VTEXT
                   ? 0
                   : convert_expected_error(err, col);
    default:
        if ((unsigned)col->type >= ORM_TYPE_COUNT)
            return 0;
        if (v->kind != ORM_VTEXT)
            return convert_expected_error(err, col);
        return convert_text(NULL, col, v->u.s.len ? v->u.s.ptr : "", v->u.s.len,
                            err);
    }
}
