/*
 * CSV, TSV and JSON text for rows: field quoting and escaping, NULLs,
 * secrets, and the few lines around the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <utf8proc.h>

#include "export.h"
#include "text.h"

int tui_export_format_parse(tui_export_format *out, const char *name)
{
    if (strcasecmp(name, "csv") == 0)
        *out = TUI_EXPORT_CSV;
    else if (strcasecmp(name, "tsv") == 0)
        *out = TUI_EXPORT_TSV;
    else if (strcasecmp(name, "json") == 0)
        *out = TUI_EXPORT_JSON;
    else
        return ORM_EINVALID;
    return 0;
}

/* The bytes that make a CSV field quoted (bit 1) and the ones TSV
 * escapes (bit 2). An export renders millions of fields: each byte is
 * looked at once and the rest copied in runs. */
static const unsigned char special[256] = {
    ['\t'] = 2, ['\n'] = 3, ['\r'] = 3, ['\\'] = 2, [','] = 1, ['"'] = 1,
};

static void csv_field(orm_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && !(special[(unsigned char)s[i]] & 1))
        i++;
    if (i == n && n) {
        orm_buf_appendn(b, s, n);
        return;
    }
    /* Quoted, each '"' doubled. */
    orm_buf_appendc(b, '"');
    for (const char *end = s + n, *q; s < end; s = q + 1) {
        if (!(q = memchr(s, '"', (size_t)(end - s)))) {
            orm_buf_appendn(b, s, (size_t)(end - s));
            break;
        }
        orm_buf_appendn(b, s, (size_t)(q - s + 1));
        orm_buf_appendc(b, '"');
    }
    orm_buf_appendc(b, '"');
}

static void tsv_field(orm_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(special[(unsigned char)s[i]] & 2))
            continue;
        orm_buf_appendn(b, s + run, i - run);
        run = i + 1;
        switch (s[i]) {
        case '\t':
            orm_buf_appendn(b, "\\t", 2);
            break;
        case '\n':
            orm_buf_appendn(b, "\\n", 2);
            break;
        case '\r':
            orm_buf_appendn(b, "\\r", 2);
            break;
        default:
            orm_buf_appendn(b, "\\\\", 2);
        }
    }
    orm_buf_appendn(b, s + run, n - run);
}

/* A JSON string: valid UTF-8 out whatever comes in. */
static void json_string(orm_buf *b, const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    orm_buf_appendc(b, '"');
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len =
            utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) {
            orm_buf_append(b, "\\ufffd");
            i++;
            continue;
        }
        switch (cp) {
        case '"':
            orm_buf_append(b, "\\\"");
            break;
        case '\\':
            orm_buf_append(b, "\\\\");
            break;
        case '\n':
            orm_buf_append(b, "\\n");
            break;
        case '\r':
            orm_buf_append(b, "\\r");
            break;
        case '\t':
            orm_buf_append(b, "\\t");
            break;
        default:
            if (cp < 0x20)
                orm_buf_appendf(b, "\\u%04x", (unsigned)cp);
            else
                orm_buf_appendn(b, s + i, (size_t)len);
        }
        i += (size_t)len;
    }
    orm_buf_appendc(b, '"');
}

static void field(orm_buf *b, tui_export_format f, const char *s, size_t n)
{
    if (f == TUI_EXPORT_CSV)
        csv_field(b, s, n);
    else if (f == TUI_EXPORT_TSV)
        tsv_field(b, s, n);
    else
        json_string(b, s, n);
}

void tui_export_value(orm_buf *b, tui_export_format f, const orm_value *v,
                      const orm_column *col, int reveal)
{
    int hidden = col && (col->flags & ORM_SECRET) && !reveal;
    char *text = NULL, num[ORM_VALUE_TEXT_MAX];
    size_t n;
    if (hidden) {
        field(b, f, "***", 3);
        return;
    }
    switch (v->kind) {
    case ORM_VNULL:
        orm_buf_append(b, f == TUI_EXPORT_TSV    ? "\\N"
                          : f == TUI_EXPORT_JSON ? "null"
                                                 : "");
        return;
    case ORM_VTEXT:
        /* The bytes themselves: text with an embedded NUL stays whole. */
        field(b, f, v->u.s.len ? v->u.s.ptr : "", v->u.s.len);
        return;
    default:
        break;
    }
    /* Numbers and booleans as orm_value_format gives them, without an
     * allocation each (the bytes are the same: the export tests). */
    if ((n = orm_value_format_into(num, v, col)) > 0) {
        if (f != TUI_EXPORT_JSON)
            field(b, f, num, n);
        else if (v->kind == ORM_VFLOAT &&
                 (memchr(num, 'n', n) || memchr(num, 'i', n)))
            orm_buf_appendn(b, "null", 4); /* nan, inf: as below */
        else
            orm_buf_appendn(b, num, n);
        return;
    }
    if (!(text = orm_value_format(v, col))) {
        b->failed = 1;
        return;
    }
    if (f != TUI_EXPORT_JSON || v->kind == ORM_VBLOB)
        field(b, f, text, strlen(text));
    else if (v->kind == ORM_VFLOAT && (strchr(text, 'n') || strchr(text, 'i')))
        orm_buf_append(b, "null"); /* nan, inf: JSON has no spelling */
    else
        orm_buf_append(b, text); /* integers, floats, true/false */
    free(text);
}

void tui_export_header(orm_buf *b, tui_export_format f, const orm_model *m)
{
    if (f == TUI_EXPORT_JSON)
        return;
    for (size_t i = 0; i < m->ncolumns; i++) {
        const char *name = m->columns[i].name;
        if (i)
            orm_buf_appendc(b, f == TUI_EXPORT_CSV ? ',' : '\t');
        field(b, f, name, strlen(name));
    }
    orm_buf_append(b, f == TUI_EXPORT_CSV ? "\r\n" : "\n");
}

void tui_export_row(orm_buf *b, tui_export_format f, const orm_model *m,
                    const orm_value *row, int reveal, size_t index)
{
    if (f == TUI_EXPORT_JSON) {
        orm_buf_append(b, index == 0 ? "[\n  {" : ",\n  {");
        for (size_t i = 0; i < m->ncolumns; i++) {
            const char *name = m->columns[i].name;
            if (i)
                orm_buf_append(b, ", ");
            json_string(b, name, strlen(name));
            orm_buf_append(b, ": ");
            tui_export_value(b, f, &row[i], &m->columns[i], reveal);
        }
        orm_buf_appendc(b, '}');
        return;
    }
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (i)
            orm_buf_appendc(b, f == TUI_EXPORT_CSV ? ',' : '\t');
        tui_export_value(b, f, &row[i], &m->columns[i], reveal);
    }
    if (f == TUI_EXPORT_CSV)
        orm_buf_appendn(b, "\r\n", 2);
    else
        orm_buf_appendc(b, '\n');
}

void tui_export_end(orm_buf *b, tui_export_format f, size_t nrows)
{
    if (f == TUI_EXPORT_JSON)
        orm_buf_append(b, nrows ? "\n]\n" : "[]\n");
}

size_t tui_export_write(FILE *f, const char *s, size_t n)
{
    if (n == 0) /* fwrite of nothing still wants a buffer */
        return 0;
    if (!isatty(fileno(f)))
        return fwrite(s, 1, n, f);
    orm_buf safe = ORM_BUF_INIT;
    tui_text_append_terminal(&safe, s, n, 1);
    size_t wrote = safe.failed ? 0 : fwrite(safe.data, 1, safe.len, f);
    int whole = !safe.failed && wrote == safe.len;
    orm_buf_free(&safe);
    return whole ? n : 0;
}
