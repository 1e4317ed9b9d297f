/*
 * Values as screen text, and what a column refers to.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "display.h"
#include "orm/sys/datetime.h"

int tui_column_right_aligned(const orm_column *col)
{
    switch (col->type) {
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
    case ORM_FLOAT:
    case ORM_NUMERIC:
    case ORM_BOOLEAN:
        return 1;
    default:
        return 0;
    }
}

int tui_column_is_text(const orm_column *col)
{
    return col->type == ORM_STRING || col->type == ORM_TEXT;
}

size_t tui_text_unpadded_len(const orm_column *col, const char *s, size_t len)
{
    const char *t = col->native_type;
    if (!t ||
        !(strncasecmp(t, "character(", 10) == 0 ||
          strncasecmp(t, "char(", 5) == 0 || strcasecmp(t, "character") == 0 ||
          strcasecmp(t, "bpchar") == 0))
        return len;
    while (len > 0 && s[len - 1] == ' ')
        len--;
    return len;
}

/* Day and month names are the C locale's whatever LC_TIME the host
 * program chose, as orb sets only LC_CTYPE (datetime.h). */
size_t tui_date_format(char *out, size_t size, const char *format,
                       const struct tm *tm)
{
    char scratch[TUI_DATE_MAX];
    if (!out) {
        out = scratch;
        size = sizeof scratch;
    }
    return orm_datetime_strftime(out, size, format, tm);
}

/* A canonical date ("2024-01-31", maybe followed by " 13:45...") in the
 * config's format, the rest as it was; 0 when it is not such a date. */
static int show_date(orm_buf *out, const char *text, size_t len,
                     const char *format)
{
    orm_datetime date;
    struct tm tm;
    char shown[TUI_DATE_MAX];
    if (len < 10 || (len > 10 && text[10] != ' ' && text[10] != 'T') ||
        orm_datetime_parse(&date, text, 10, ORM_DATE) != ORM_DATETIME_OK)
        return 0;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = date.year - 1900;
    tm.tm_mon = date.month - 1;
    tm.tm_mday = date.day;
    /* The weekday and day of the year, for %a, %A, %j and the like. */
    struct tm probe = tm;
    probe.tm_hour = 12;
    probe.tm_isdst = -1;
    if (mktime(&probe) != (time_t)-1) {
        tm.tm_wday = probe.tm_wday;
        tm.tm_yday = probe.tm_yday;
    }
    size_t n = tui_date_format(shown, sizeof shown, format, &tm);
    if (n == 0)
        return 0;
    orm_buf_appendn(out, shown, n);
    orm_buf_appendn(out, text + 10, len - 10);
    return 1;
}

int tui_text_needs_quotes(const char *s, size_t len)
{
    return (len == 4 && strncasecmp(s, "NULL", 4) == 0) ||
           (len > 0 && s[0] == '"');
}

void tui_text_append_quoted(orm_buf *out, const char *s, size_t len)
{
    orm_buf_appendc(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            orm_buf_appendc(out, '"');
        orm_buf_appendc(out, s[i]);
    }
    orm_buf_appendc(out, '"');
}

void tui_value_show(orm_buf *out, tui_element *el, int *right,
                    const orm_column *col, const orm_value *v, int revealed,
                    const tui_display *disp)
{
    *right = 0;
    *el = TUI_EL_DEFAULT;
    if (!v || v->kind == ORM_VNULL) {
        orm_buf_append(out, disp && disp->null_text ? disp->null_text : "NULL");
        *el = TUI_EL_NULL_VALUE;
        /* Where the numbers of its column end, as the other values. */
        *right = col && tui_column_right_aligned(col);
        return;
    }
    if (col && (col->flags & ORM_SECRET) && !revealed) {
        orm_buf_append(out, TUI_SECRET_MASK);
        *el = TUI_EL_SECRET;
        return;
    }
    if (v->kind == ORM_VBLOB) {
        orm_buf_appendf(out, "<%zu bytes>", v->u.s.len);
        *el = TUI_EL_TYPE;
        return;
    }
    int dated = disp && disp->date_format && col &&
                (col->type == ORM_DATE || col->type == ORM_DATETIME ||
                 col->type == ORM_DATETIMETZ);
    if (v->kind == ORM_VTEXT &&
        (!col || orm_type_kind(col->type) == ORM_VTEXT)) {
        const char *text = v->u.s.len ? v->u.s.ptr : "";
        if ((!col || tui_column_is_text(col)) &&
            tui_text_needs_quotes(text, v->u.s.len))
            tui_text_append_quoted(out, text, v->u.s.len);
        else if (!dated || !show_date(out, text, v->u.s.len, disp->date_format))
            orm_buf_appendn(out, text, v->u.s.len);
    } else {
        char *text = orm_value_format(v, col);
        if (!text || !dated ||
            !show_date(out, text, strlen(text), disp->date_format))
            orm_buf_append(out, text ? text : "?");
        free(text);
    }
    if (col && tui_column_right_aligned(col)) {
        *right = 1;
        *el = TUI_EL_NUMBER;
    }
}

size_t tui_column_reference(const orm_model *m, size_t col,
                            const char **ref_table, const char **columns,
                            const char **ref_columns, size_t max)
{
    const orm_column *c = &m->columns[col];
    if (max == 0)
        return 0;
    if (c->ref_table) {
        *ref_table = c->ref_table;
        columns[0] = c->name;
        ref_columns[0] = c->ref_column;
        return 1;
    }
    for (size_t i = 0; i < m->nforeign_keys; i++) {
        const orm_foreign_key *fk = &m->foreign_keys[i];
        int has = 0;
        for (size_t k = 0; k < fk->ncolumns; k++)
            has |= strcmp(fk->columns[k], c->name) == 0;
        if (!has || fk->ncolumns > max)
            continue;
        *ref_table = fk->ref_table;
        for (size_t k = 0; k < fk->ncolumns; k++) {
            columns[k] = fk->columns[k];
            ref_columns[k] = fk->ref_columns ? fk->ref_columns[k] : NULL;
        }
        return fk->ncolumns;
    }
    return 0;
}
