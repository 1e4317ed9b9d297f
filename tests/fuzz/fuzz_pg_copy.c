/* PostgreSQL's COPY text format as the driver reads an export's rows
 * (pg_copy_split, then the driver's column reader, postgres_copy.c and
 * postgres.c). The first byte picks the number of columns and their
 * types; each input is used twice:
 * - as a row from the server: arbitrary bytes, decoded in place in a
 *   buffer of exactly the row and the NUL libpq puts after it (ASan sees
 *   any read or write past it). The columns must be what a plain
 *   decoder, written apart from the driver's from COPY's rules, makes
 *   of the same bytes: the same NULLs, bytes and count (or the same
 *   refusal); each column NUL-terminated inside the row; read as text,
 *   the same bytes again;
 * - as values (a kind byte, then the value's bytes): text, bytea,
 *   int8, bool, float8 and NULL written as the server's output functions
 *   and COPY TO write them, escapes and all, then decoded and read as
 *   their column types: every value comes back equal. */
#include <math.h>

#include "fuzz.h"
#include "orm/orm.h"
#include "orm/sys/driver.h"
#include "postgres_internal.h"

#define MAX_COLS 8

static const orm_driver *const drv = &orm_driver_postgresql;

/* ---- the plain decoder ---- */

static int octal(int c)
{
    return c >= '0' && c <= '7';
}

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The row `in` of `n` bytes as COPY FROM reads it: one newline at the
 * end is the row's; fields part at tabs that no backslash escapes; a
 * field that is \N alone is NULL; a backslash makes \b \f \n \r \t \v
 * the control character, 1-3 octal digits a byte (modulo 256), x and
 * 1-2 hex digits a byte, a backslash at the end itself, and any other
 * character itself. Decoded bytes go to `out` (n bytes at most), field
 * f at out + start[f] for len[f] bytes (start[f] = -1: NULL). Returns
 * the number of fields, or -1 when it is not `want`. */
static int plain_decode(const unsigned char *in, size_t n, size_t want,
                        unsigned char *out, long *start, size_t *len)
{
    size_t i = 0, o = 0, f = 0;
    if (n && in[n - 1] == '\n')
        n--;
    if (want == 0)
        return n == 0 ? 0 : -1;
    for (;;) {
        if (f == want)
            return -1;
        if (n - i >= 2 && in[i] == '\\' && in[i + 1] == 'N' &&
            (i + 2 == n || in[i + 2] == '\t')) {
            start[f] = -1;
            len[f++] = 0;
            i += 2;
        } else {
            start[f] = (long)o;
            while (i < n && in[i] != '\t') {
                unsigned char c = in[i++];
                if (c != '\\') {
                    out[o++] = c;
                    continue;
                }
                if (i == n) {
                    out[o++] = '\\';
                    continue;
                }
                c = in[i++];
                const char *letters = "bfnrtv", *controls = "\b\f\n\r\t\v";
                const char *l = c ? strchr(letters, c) : NULL;
                if (l) {
                    out[o++] = (unsigned char)controls[l - letters];
                } else if (octal(c)) {
                    unsigned v = (unsigned)(c - '0');
                    for (int k = 0; k < 2 && i < n && octal(in[i]); k++)
                        v = v * 8 + (unsigned)(in[i++] - '0');
                    out[o++] = (unsigned char)(v & 0xff);
                } else if (c == 'x' && i < n && hex(in[i]) >= 0) {
                    unsigned v = (unsigned)hex(in[i++]);
                    if (i < n && hex(in[i]) >= 0)
                        v = v * 16 + (unsigned)hex(in[i++]);
                    out[o++] = (unsigned char)v;
                } else {
                    out[o++] = c;
                }
            }
            len[f] = o - (size_t)start[f];
            f++;
        }
        if (i == n)
            break;
        i++; /* the tab */
    }
    return f == want ? (int)f : -1;
}

/* ---- a statement holding one COPY row, as pg_copy_next leaves it ---- */

typedef struct copy_row {
    pg_conn *conn;
    pg_stmt *st;
} copy_row;

static void *must(void *p)
{
    if (!p)
        abort();
    return p;
}

/* A statement in the COPY state whose result has columns of `oids`, the
 * current row `row` (malloc'd, n bytes and a NUL: the statement takes
 * it) split and decoded; what pg_copy_split returned in *rc. */
static copy_row row_open(const Oid *oids, size_t ncols, char *row, size_t n,
                         int *rc)
{
    copy_row r;
    r.conn = must(calloc(1, sizeof *r.conn));
    r.conn->base.driver = drv;
    r.st = must(calloc(1, sizeof *r.st));
    r.st->base.conn = &r.conn->base;
    r.st->state = PG_STMT_COPY;
    r.st->res = must(PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK));
    PGresAttDesc attrs[MAX_COLS];
    char name[] = "c";
    memset(attrs, 0, sizeof attrs);
    for (size_t i = 0; i < ncols; i++) {
        attrs[i].name = name;
        attrs[i].typid = oids[i];
        attrs[i].typlen = -1;
        attrs[i].atttypmod = -1;
    }
    if (!PQsetResultAttrs(r.st->res, (int)ncols, attrs))
        abort();
    r.st->copy_text = must(calloc(ncols + 1, sizeof *r.st->copy_text));
    r.st->copy_len = must(calloc(ncols + 1, sizeof *r.st->copy_len));
    r.st->ncopy = r.st->ncopy_cap = ncols;
    r.st->copy_row = row;
    *rc = pg_copy_split(r.st, row, n);
    return r;
}

static void row_close(copy_row *r)
{
    drv->finalize(&r->st->base);
    orm_error_clear(&r->conn->base.err);
    free(r->conn);
}

/* A copy of `data` with the NUL libpq puts after a row. */
static char *row_bytes(const void *data, size_t n)
{
    char *row = must(malloc(n + 1));
    memcpy(row, data, n);
    row[n] = '\0';
    return row;
}

/* ---- arbitrary bytes as a row ---- */

/* Column types to read raw columns as, and the server types they have. */
static const struct {
    orm_type type;
    Oid oid;
} raw_types[] = {
    {ORM_TEXT, PG_OID_TEXT},        {ORM_INTEGER, PG_OID_INT8},
    {ORM_BOOLEAN, PG_OID_BOOL},     {ORM_FLOAT, PG_OID_FLOAT8},
    {ORM_BLOB, PG_OID_BYTEA},       {ORM_NUMERIC, PG_OID_NUMERIC},
    {ORM_INTEGER, PG_OID_BOOL},     {ORM_FLOAT, PG_OID_BOOL},
    {ORM_BLOB, PG_OID_TEXT},        {ORM_TYPE_COUNT, PG_OID_INT4},
    {ORM_TYPE_COUNT, PG_OID_BYTEA}, {ORM_TYPE_COUNT, PG_OID_JSON},
};
#define RAW_TYPES (sizeof raw_types / sizeof raw_types[0])

static void raw_row(unsigned pick, const uint8_t *data, size_t n)
{
    size_t ncols = pick % (MAX_COLS + 1);
    Oid oids[MAX_COLS];
    size_t which[MAX_COLS];
    for (size_t i = 0; i < ncols; i++) {
        which[i] = (pick / (MAX_COLS + 1) + i * 5) % RAW_TYPES;
        oids[i] = raw_types[which[i]].oid;
    }
    unsigned char *plain = must(malloc(n + 1));
    long start[MAX_COLS];
    size_t len[MAX_COLS];
    int want = plain_decode(data, n, ncols, plain, start, len);
    char *row = row_bytes(data, n);
    int rc;
    copy_row r = row_open(oids, ncols, row, n, &rc);
    FUZZ_ASSERT(rc == (want < 0 ? -1 : 0),
                "%zu columns: split says %d, the plain decoder %d", ncols, rc,
                want);
    for (size_t i = 0; rc == 0 && i < ncols; i++) {
        const char *text = r.st->copy_text[i];
        size_t got = r.st->copy_len[i];
        if (start[i] < 0) {
            FUZZ_ASSERT(!text, "column %zu is not NULL", i + 1);
            continue;
        }
        FUZZ_ASSERT(text, "column %zu is NULL", i + 1);
        FUZZ_ASSERT(text >= row && text + got <= row + n,
                    "column %zu (%zu bytes) lies outside the row", i + 1, got);
        FUZZ_ASSERT(text[got] == '\0', "column %zu is not NUL-terminated",
                    i + 1);
        FUZZ_ASSERT(got == len[i] && !memcmp(text, plain + start[i], got),
                    "column %zu decodes to %zu bytes [%.*s], not %zu [%.*s]",
                    i + 1, got, (int)got, text, len[i], (int)len[i],
                    (const char *)plain + start[i]);
        if (i > 0 && r.st->copy_text[i - 1])
            FUZZ_ASSERT(text > r.st->copy_text[i - 1] + r.st->copy_len[i - 1],
                        "column %zu overlaps column %zu", i + 1, i);
    }
    for (size_t i = 0; rc == 0 && i < ncols; i++) {
        orm_value v;
        orm_type type = raw_types[which[i]].type;
        if (drv->column(&r.st->base, i, type, &v) != 0)
            continue;
        if (type == ORM_TEXT && start[i] >= 0)
            FUZZ_ASSERT(v.kind == ORM_VTEXT && v.u.s.len == len[i] &&
                            !memcmp(v.u.s.ptr, plain + start[i], len[i]),
                        "column %zu read as text is other bytes", i + 1);
        if (start[i] < 0)
            FUZZ_ASSERT(v.kind == ORM_VNULL, "NULL column %zu reads as %d",
                        i + 1, (int)v.kind);
        orm_value_clear(&v);
    }
    row_close(&r);
    free(plain);
}

/* ---- values written as the server writes them, read back ---- */

enum { V_NULL, V_TEXT, V_BYTEA, V_INT8, V_BOOL, V_FLOAT8, V_KINDS };

typedef struct wrote {
    int kind;
    const uint8_t *bytes; /* V_TEXT (without NULs, as text has none) and
                             V_BYTEA: the value's bytes */
    size_t len;
    int64_t i;
    double f;
    int b;
} wrote;

/* `s` as COPY TO writes a column's text (CopyAttributeOutText): a
 * backslash doubled; \b \f \n \r \t (the delimiter) and \v as a
 * backslash and a letter; every other byte as it is. */
static void copy_escape(orm_buf *out, const char *s, size_t n)
{
    static const char controls[] = "\\\b\f\n\r\t\v", letters[] = "\\bfnrtv";
    for (size_t k = 0; k < n; k++) {
        const char *c = s[k] ? strchr(controls, s[k]) : NULL;
        if (c) {
            orm_buf_appendc(out, '\\');
            orm_buf_appendc(out, letters[c - controls]);
        } else {
            orm_buf_appendc(out, s[k]);
        }
    }
}

/* The value's text as its type's output function writes it (float8 in
 * shortest form as with extra_float_digits 1; %.17g reads back the same
 * double), bytea in hex. */
static void output_text(orm_buf *out, const wrote *w)
{
    char num[64];
    switch (w->kind) {
    case V_TEXT:
        orm_buf_appendn(out, (const char *)w->bytes, w->len);
        break;
    case V_BYTEA:
        orm_buf_append(out, "\\x");
        for (size_t k = 0; k < w->len; k++)
            orm_buf_appendf(out, "%02x", w->bytes[k]);
        break;
    case V_INT8:
        snprintf(num, sizeof num, "%lld", (long long)w->i);
        orm_buf_append(out, num);
        break;
    case V_BOOL:
        orm_buf_append(out, w->b ? "t" : "f");
        break;
    case V_FLOAT8:
        if (isnan(w->f))
            snprintf(num, sizeof num, "NaN");
        else if (isinf(w->f))
            snprintf(num, sizeof num, "%sInfinity", w->f < 0 ? "-" : "");
        else
            snprintf(num, sizeof num, "%.17g", w->f);
        orm_buf_append(out, num);
        break;
    }
}

static const Oid value_oids[V_KINDS] = {PG_OID_TEXT,  PG_OID_TEXT,
                                        PG_OID_BYTEA, PG_OID_INT8,
                                        PG_OID_BOOL,  PG_OID_FLOAT8};
static const orm_type value_types[V_KINDS] = {
    ORM_TEXT, ORM_TEXT, ORM_BLOB, ORM_INTEGER, ORM_BOOLEAN, ORM_FLOAT};

static void values_row(const uint8_t *data, size_t n)
{
    wrote w[MAX_COLS];
    uint8_t *texts = must(malloc(n + 1));
    size_t ncols = 0, at = 0, used = 0;
    while (at < n && ncols < MAX_COLS) {
        wrote *v = &w[ncols++];
        memset(v, 0, sizeof *v);
        v->kind = data[at++] % V_KINDS;
        size_t want = at < n ? data[at++] % 24 : 0;
        size_t have = want < n - at ? want : n - at;
        const uint8_t *p = data + at;
        at += have;
        uint64_t bits = 0;
        for (size_t k = 0; k < have && k < 8; k++)
            bits |= (uint64_t)p[k] << (8 * k);
        switch (v->kind) {
        case V_TEXT: /* text has no NUL byte */
            v->bytes = texts + used;
            for (size_t k = 0; k < have; k++)
                if (p[k])
                    texts[used++] = p[k];
            v->len = (size_t)(texts + used - v->bytes);
            break;
        case V_BYTEA:
            v->bytes = p;
            v->len = have;
            break;
        case V_INT8:
            v->i = (int64_t)bits;
            break;
        case V_BOOL:
            v->b = (int)(bits & 1);
            break;
        case V_FLOAT8:
            memcpy(&v->f, &bits, sizeof v->f);
            break;
        }
    }
    orm_buf line = ORM_BUF_INIT, text = ORM_BUF_INIT;
    Oid oids[MAX_COLS];
    for (size_t i = 0; i < ncols; i++) {
        oids[i] = value_oids[w[i].kind];
        if (i)
            orm_buf_appendc(&line, '\t');
        if (w[i].kind == V_NULL) {
            orm_buf_append(&line, "\\N");
            continue;
        }
        orm_buf_reset(&text);
        output_text(&text, &w[i]);
        copy_escape(&line, text.data ? text.data : "", text.len);
    }
    orm_buf_appendc(&line, '\n');
    if (line.failed || text.failed)
        abort();
    char *row = row_bytes(line.data, line.len);
    int rc;
    copy_row r = row_open(oids, ncols, row, line.len, &rc);
    FUZZ_ASSERT(rc == 0, "a row of %zu columns is refused: [%s]", ncols,
                line.data);
    for (size_t i = 0; i < ncols; i++) {
        orm_value v;
        int got = drv->column(&r.st->base, i, value_types[w[i].kind], &v);
        FUZZ_ASSERT(got == 0, "column %zu of [%s]: %s", i + 1, line.data,
                    orm_error_text(&r.conn->base.err));
        const wrote *e = &w[i];
        int same = 0;
        switch (e->kind) {
        case V_NULL:
            same = v.kind == ORM_VNULL;
            break;
        case V_TEXT:
        case V_BYTEA:
            same = v.kind == (e->kind == V_TEXT ? ORM_VTEXT : ORM_VBLOB) &&
                   v.u.s.len == e->len &&
                   (!e->len || !memcmp(v.u.s.ptr, e->bytes, e->len));
            break;
        case V_INT8:
            same = v.kind == ORM_VINT && v.u.i == e->i;
            break;
        case V_BOOL:
            same = v.kind == ORM_VBOOL && !v.u.b == !e->b;
            break;
        case V_FLOAT8:
            same = v.kind == ORM_VFLOAT &&
                   (isnan(e->f) ? isnan(v.u.f)
                                : !memcmp(&v.u.f, &e->f, sizeof e->f));
            break;
        }
        FUZZ_ASSERT(same, "column %zu of [%s] reads back as another value",
                    i + 1, line.data);
        orm_value_clear(&v);
    }
    row_close(&r);
    orm_buf_free(&line);
    orm_buf_free(&text);
    free(texts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    raw_row(data[0], data + 1, size - 1);
    values_row(data + 1, size - 1);
    return 0;
}
