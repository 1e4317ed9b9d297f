/*
 * The record screen: one row, every column with its type and
 * constraints (PK, unique, not null, default, FK -> table.column) and
 * its whole value, wrapped; JSON pretty-printed. Enter on a foreign key
 * opens the referenced record; "b" lists what refers to this record.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "app.h"
#include "display.h"
#include "edit.h"
#include "mem.h"
#include "rowcache.h"
#include "views.h"

#define MAX_VALUE_LINES 500
#define MAX_HEX_LINES   16
#define MAX_REF         16

typedef struct record_line {
    size_t field;
    int header;
    char *text;
    tui_element el;
} record_line;

typedef struct record_view {
    tui_view base;
    const orm_model *m;
    char **eq_cols; /* found by equality ... */
    orm_value *eq_vals;
    size_t neq;
    tui_sort sort; /* ... or by paging key in this order */
    orm_value *key;
    size_t nkey;
    orm_value *values; /* the record, owned */
    size_t field;
    int top_line;
    int page;
    unsigned char *revealed;
    record_line *lines;
    size_t nlines, lines_cap;
    unsigned long commits_seen; /* read again after a commit (edit.c) */
    const tui_display *display; /* the app's: NULL glyph, date format */
} record_view;

/* ---- loading ---- */

static void values_free(orm_value *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        orm_value_clear(&v[i]);
    free(v);
}

static int copy_row(record_view *rv, const orm_value *row)
{
    orm_value *values = tui_calloc(rv->m->ncolumns + 1, sizeof *values);
    if (!values)
        return ORM_ENOMEM;
    for (size_t i = 0; i < rv->m->ncolumns; i++)
        if (orm_value_copy(&values[i], &row[i])) {
            values_free(values, rv->m->ncolumns);
            return ORM_ENOMEM;
        }
    values_free(rv->values, rv->m->ncolumns);
    rv->values = values;
    return 0;
}

/* Run q, keep its first row. ORM_ROW, ORM_DONE or an error. */
static int first_row(record_view *rv, orm_query *q, int keep,
                     orm_value **key_out, size_t *nkey_out)
{
    orm_cursor *c = NULL;
    const orm_value *row;
    int rc = orm_query_cursor(q, &c);
    if (rc)
        return rc;
    rc = orm_cursor_next(c, &row);
    if (rc == ORM_ROW && keep && copy_row(rv, row))
        rc = ORM_ENOMEM;
    if (rc == ORM_ROW && key_out) {
        const orm_value *keys[64];
        size_t n = orm_query_key_width(q);
        orm_value *copy = tui_calloc(n + 1, sizeof *copy);
        if (!copy || n > 64) {
            free(copy);
            rc = ORM_ENOMEM;
        } else {
            orm_query_row_key(q, row, keys);
            for (size_t i = 0; i < n; i++)
                if (orm_value_copy(&copy[i], keys[i]))
                    rc = ORM_ENOMEM;
            *key_out = copy;
            *nkey_out = n;
        }
    }
    orm_cursor_free(c);
    return rc;
}

static int load_by_equality(record_view *rv, tui_app *app)
{
    orm_query *q = NULL;
    int rc = orm_query_new(&q, app->session, rv->m);
    if (rc) { /* no query to hold the detail: the session holds it */
        tui_app_db_error(app, rv->m->table, orm_session_error(app->session));
        return rc;
    }
    for (size_t i = 0; i < rv->neq && rc == 0; i++) {
        const orm_value *v = &rv->eq_vals[i];
        const orm_column *col = orm_model_column(rv->m, rv->eq_cols[i]);
        /* Display copies of blobs and long text are cut: skip them. */
        if (col &&
            (col->type == ORM_BLOB ||
             (v->kind == ORM_VTEXT && v->u.s.len >= TUI_ROWCACHE_TEXT_KEEP)))
            continue;
        if (v->kind == ORM_VNULL)
            rc = orm_query_filter(q, orm_is_null(orm_col(rv->eq_cols[i])));
        else
            rc = orm_query_filter_by(q, rv->eq_cols[i], v);
    }
    orm_query_limit(q, 1);
    if (rc == 0)
        rc = first_row(rv, q, 1, NULL, NULL);
    if (rc < 0)
        tui_app_db_error(app, rv->m->table, orm_query_error(q));
    orm_query_free(q);
    return rc;
}

/* A query in paging order, or an error said (nothing in *out). */
static int key_query(record_view *rv, tui_app *app, orm_query **out)
{
    int rc = orm_query_new(out, app->session, rv->m);
    if (rc) /* no query to hold the detail: the session holds it */
        tui_app_db_error(app, rv->m->table, orm_session_error(app->session));
    else if ((rc = tui_sort_apply(&rv->sort, rv->m, *out, 0)) != 0) {
        tui_app_db_error(app, rv->m->table, orm_query_error(*out));
        orm_query_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The row with this paging key: the one after the row before it. */
static int load_by_key(record_view *rv, tui_app *app)
{
    orm_query *q = NULL;
    orm_value *prev = NULL;
    size_t nprev = 0;
    int rc = key_query(rv, app, &q);
    if (rc)
        return rc;
    if (orm_query_key_width(q) != rv->nkey)
        rc = ORM_EINVALID;
    if (rc == 0)
        rc = orm_query_before(q, rv->key);
    orm_query_limit(q, 1);
    if (rc == 0)
        rc = first_row(rv, q, 0, &prev, &nprev);
    if (rc < 0) {
        tui_app_db_error(app, rv->m->table, orm_query_error(q));
        orm_query_free(q);
        return rc;
    }
    orm_query_free(q);
    q = NULL;
    rc = key_query(rv, app, &q);
    if (rc) {
        values_free(prev, nprev);
        return rc;
    }
    if (prev)
        rc = orm_query_after(q, prev);
    orm_query_limit(q, 1);
    if (rc == 0)
        rc = first_row(rv, q, 1, NULL, NULL);
    if (rc < 0)
        tui_app_db_error(app, rv->m->table, orm_query_error(q));
    values_free(prev, nprev);
    orm_query_free(q);
    return rc;
}

static int load(record_view *rv, tui_app *app)
{
    int rc = rv->key ? load_by_key(rv, app) : load_by_equality(rv, app);
    if (rc == ORM_DONE) {
        orm_buf what = ORM_BUF_INIT;
        for (size_t i = 0; i < rv->neq && i < 4; i++) {
            char *text = orm_value_format(&rv->eq_vals[i], NULL);
            orm_buf_appendf(&what, "%s%s = %s", i ? " and " : "",
                            rv->eq_cols[i], text ? text : "NULL");
            free(text);
        }
        const char *w = orm_buf_str(&what);
        tui_app_error(app, "no %s %s%s", rv->m->table,
                      w && *w ? "where " : "(the row is gone)", w ? w : "");
        orm_buf_free(&what);
    }
    return rc == ORM_ROW ? 0 : rc ? rc : ORM_ENOTFOUND;
}

static int record_open(tui_view *v, tui_app *app)
{
    record_view *rv = (record_view *)v;
    rv->revealed = tui_calloc(rv->m->ncolumns + 1, 1);
    if (!rv->revealed) {
        tui_app_error(app, "out of memory");
        return ORM_ENOMEM;
    }
    rv->commits_seen = tui_edit_commits(app);
    return load(rv, app);
}

/* ---- layout ---- */

static int add_line(record_view *rv, size_t field, int header, const char *text,
                    size_t len, tui_element el)
{
    if (rv->nlines == rv->lines_cap) {
        size_t cap = rv->lines_cap ? rv->lines_cap * 2 : 64;
        record_line *l = tui_realloc(rv->lines, cap * sizeof *l);
        if (!l)
            return ORM_ENOMEM;
        rv->lines = l;
        rv->lines_cap = cap;
    }
    /* No text: the buffer it was made in ran out of memory. */
    char *copy = text ? orm_strndup(text, len) : NULL;
    if (!copy)
        return ORM_ENOMEM;
    rv->lines[rv->nlines++] = (record_line){field, header, copy, el};
    return 0;
}

static void clear_lines(record_view *rv)
{
    for (size_t i = 0; i < rv->nlines; i++)
        free(rv->lines[i].text);
    rv->nlines = 0;
}

typedef struct wrap_state {
    record_view *rv;
    size_t field;
    tui_element el;
    int count;
} wrap_state;

static int wrap_line(const char *text, size_t len, void *payload)
{
    wrap_state *w = payload;
    if (w->count == MAX_VALUE_LINES) {
        add_line(w->rv, w->field, 0, "\xE2\x80\xA6 (more)", 7, TUI_EL_TYPE);
        return 1;
    }
    w->count++;
    return add_line(w->rv, w->field, 0, text, len, w->el);
}

static void type_text(orm_buf *out, const orm_column *col)
{
    orm_buf_append(out, orm_type_name(col->type));
    if (col->type == ORM_STRING && col->length > 0)
        orm_buf_appendf(out, "(%d)", col->length);
    if (col->type == ORM_NUMERIC && col->precision > 0)
        orm_buf_appendf(out, "(%d,%d)", col->precision, col->scale);
}

static void constraints_text(orm_buf *out, const orm_model *m, size_t c)
{
    const orm_column *col = &m->columns[c];
    const char *ref_table = NULL, *cols[MAX_REF], *refs[MAX_REF];
    size_t nref = tui_column_reference(m, c, &ref_table, cols, refs, MAX_REF);
    if (col->flags & ORM_PK)
        orm_buf_append(out, " PK");
    if (col->flags & ORM_UNIQUE)
        orm_buf_append(out, " unique");
    if (!orm_column_nullable(col) && !(col->flags & ORM_PK))
        orm_buf_append(out, " not null");
    if (col->default_value)
        orm_buf_appendf(out, " default=%s", col->default_value);
    else if (col->default_gen)
        orm_buf_appendf(out, " default=%s", col->default_gen);
    else if (col->server_default)
        orm_buf_appendf(out, " default=%s", col->server_default);
    if (col->flags & ORM_SECRET)
        orm_buf_append(out, " secret");
    if (nref) {
        size_t k = 0;
        for (; k < nref; k++)
            if (strcmp(cols[k], col->name) == 0)
                break;
        orm_buf_appendf(out, " FK \xE2\x86\x92 %s.%s", ref_table,
                        k < nref && refs[k] ? refs[k] : "(key)");
    }
}

static void value_lines(record_view *rv, size_t c, int width)
{
    const orm_column *col = &rv->m->columns[c];
    const orm_value *v = &rv->values[c];
    wrap_state w = {rv, c, TUI_EL_DEFAULT, 0};
    orm_buf b = ORM_BUF_INIT;
    tui_element el;
    int right;
    if (v->kind == ORM_VBLOB &&
        (!(col->flags & ORM_SECRET) || rv->revealed[c])) {
        orm_buf_appendf(&b, "<%zu bytes>", v->u.s.len);
        add_line(rv, c, 0, orm_buf_str(&b), b.len, TUI_EL_TYPE);
        const unsigned char *p = (const unsigned char *)v->u.s.ptr;
        for (size_t off = 0; p && off < v->u.s.len; off += 16) {
            if (off / 16 == MAX_HEX_LINES) {
                add_line(rv, c, 0, "\xE2\x80\xA6", 3, TUI_EL_TYPE);
                break;
            }
            orm_buf_reset(&b);
            orm_buf_appendf(&b, "%08zx ", off);
            for (size_t k = off; k < off + 16 && k < v->u.s.len; k++)
                orm_buf_appendf(&b, " %02x", p[k]);
            add_line(rv, c, 0, orm_buf_str(&b), b.len, TUI_EL_DEFAULT);
        }
        orm_buf_free(&b);
        return;
    }
    tui_value_show(&b, &el, &right, col, v, rv->revealed[c], rv->display);
    w.el = el == TUI_EL_NUMBER ? TUI_EL_DEFAULT : el;
    if (col->type == ORM_JSON && el == TUI_EL_DEFAULT && b.len) {
        json_error_t jerr;
        json_t *doc =
            json_loadb(orm_buf_str(&b), b.len, JSON_DECODE_ANY, &jerr);
        char *pretty =
            doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                      JSON_ENCODE_ANY)
                : NULL;
        json_decref(doc);
        if (pretty) {
            orm_buf_reset(&b);
            orm_buf_append(&b, pretty);
            free(pretty);
        }
    }
    const char *s = orm_buf_str(&b);
    if (s)
        tui_text_wrap(s, b.len, width, wrap_line, &w);
    orm_buf_free(&b);
}

#define INDENT 4

static void layout(record_view *rv, int width)
{
    clear_lines(rv);
    for (size_t c = 0; c < rv->m->ncolumns; c++) {
        add_line(rv, c, 1, "", 0, TUI_EL_LABEL);
        value_lines(rv, c, width - INDENT > 1 ? width - INDENT : 1);
    }
}

static int field_first_line(const record_view *rv, size_t field)
{
    for (size_t i = 0; i < rv->nlines; i++)
        if (rv->lines[i].field == field)
            return (int)i;
    return 0;
}

static int field_last_line(const record_view *rv, size_t field)
{
    int last = 0;
    for (size_t i = 0; i < rv->nlines; i++)
        if (rv->lines[i].field == field)
            last = (int)i;
    return last;
}

static void keep_visible(record_view *rv)
{
    int first = field_first_line(rv, rv->field);
    int last = field_last_line(rv, rv->field);
    int page = rv->page > 0 ? rv->page : 1;
    if (last - rv->top_line >= page)
        rv->top_line = last - page + 1;
    if (first < rv->top_line || last - first >= page)
        rv->top_line = first;
    if (rv->top_line < 0)
        rv->top_line = 0;
}

static void draw_header(record_view *rv, tui_screen *scr, int row, size_t c,
                        int name_w)
{
    const orm_column *col = &rv->m->columns[c];
    int cur = c == rv->field;
    orm_buf b = ORM_BUF_INIT;
    if (cur)
        tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_CURSOR);
    int x = tui_screen_put(scr, row, 0, col->name, name_w,
                           cur ? TUI_EL_CURSOR : TUI_EL_LABEL);
    x = x < name_w ? name_w : x;
    type_text(&b, col);
    x += 2;
    x += tui_screen_put(scr, row, x, orm_buf_str(&b), -1,
                        cur ? TUI_EL_CURSOR : TUI_EL_TYPE);
    orm_buf_reset(&b);
    constraints_text(&b, rv->m, c);
    const char *s = orm_buf_str(&b);
    const char *fk = s ? strstr(s, " FK ") : NULL;
    if (s && fk && !cur) {
        x += tui_screen_putn(scr, row, x, s, (size_t)(fk - s), -1,
                             TUI_EL_DEFAULT);
        tui_screen_put(scr, row, x, fk, -1, TUI_EL_FOREIGN_KEY);
    } else if (s) {
        tui_screen_put(scr, row, x, s, -1,
                       cur ? TUI_EL_CURSOR : TUI_EL_DEFAULT);
    }
    orm_buf_free(&b);
}

static void record_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                        int height)
{
    record_view *rv = (record_view *)v;
    int name_w = 4;
    (void)app;
    rv->page = height;
    for (size_t c = 0; c < rv->m->ncolumns; c++) {
        int w = tui_text_widthz(rv->m->columns[c].name);
        if (w > name_w)
            name_w = w;
    }
    if (name_w > scr->cols / 3)
        name_w = scr->cols / 3;
    if (tui_edit_commits(app) != rv->commits_seen) {
        rv->commits_seen = tui_edit_commits(app);
        load(rv, app);
    }
    /* A pending change shows over the values read. */
    orm_record *pending =
        tui_edit_pending_for(app, rv->m, rv->values, rv->key, rv->nkey);
    orm_value *loaded = rv->values;
    orm_value *shown =
        pending ? tui_calloc(rv->m->ncolumns + 1, sizeof *shown) : NULL;
    if (shown) {
        tui_edit_overlay(pending, rv->values, shown, rv->m->ncolumns);
        rv->values = shown;
    }
    layout(rv, scr->cols);
    rv->values = loaded;
    free(shown);
    for (size_t i = 0; pending && i < rv->nlines; i++) {
        tui_element el = tui_edit_cell_element(pending, rv->lines[i].field);
        if (!rv->lines[i].header && el != TUI_EL_DEFAULT)
            rv->lines[i].el = el;
    }
    keep_visible(rv);
    for (int line = 0; line < height; line++) {
        size_t i = (size_t)(rv->top_line + line);
        if (i >= rv->nlines)
            break;
        const record_line *l = &rv->lines[i];
        if (l->header)
            draw_header(rv, scr, top + line, l->field, name_w);
        else
            tui_screen_put(scr, top + line, INDENT, l->text, -1, l->el);
    }
}

static void record_title(tui_view *v, tui_app *app, orm_buf *out)
{
    record_view *rv = (record_view *)v;
    tui_model_title(out, rv->m);
    orm_buf_appendf(out, " record \xC2\xB7 %s", orm_db_url(app->db));
}

static void record_status(tui_view *v, tui_app *app, orm_buf *out)
{
    record_view *rv = (record_view *)v;
    const char *ref_table = NULL, *cols[MAX_REF], *refs[MAX_REF];
    (void)app;
    orm_buf_appendf(out, "%s \xE2\x94\x82 %s (%zu of %zu)", rv->m->name,
                    rv->m->columns[rv->field].name, rv->field + 1,
                    rv->m->ncolumns);
    if (tui_column_reference(rv->m, rv->field, &ref_table, cols, refs, MAX_REF))
        orm_buf_appendf(out, " \xE2\x94\x82 Enter: open %s", ref_table);
    orm_buf_append(out, " \xE2\x94\x82 b: what refers here");
    tui_edit_status(app, rv->m, out);
}

/* ---- actions ---- */

static unsigned follow(record_view *rv, tui_app *app)
{
    const char *ref_table = NULL, *cols[MAX_REF], *refs[MAX_REF];
    size_t n =
        tui_column_reference(rv->m, rv->field, &ref_table, cols, refs, MAX_REF);
    const char *names[MAX_REF];
    orm_value values[MAX_REF];
    tui_view *next = NULL;
    if (n == 0) {
        tui_app_message(app, "%s is not a foreign key",
                        rv->m->columns[rv->field].name);
        return TUI_REDRAW;
    }
    const orm_model *target = NULL;
    int found = orm_db_lookup_table(app->db, ref_table, &target);
    if (found < 0) {
        tui_app_db_error(app, ref_table, orm_db_error(app->db));
        return TUI_REDRAW;
    }
    if (!target) {
        tui_app_error(app, "no model for table %s", ref_table);
        return TUI_REDRAW;
    }
    int pk[MAX_REF];
    size_t npk = orm_model_pk(target, pk, MAX_REF);
    for (size_t i = 0; i < n; i++) {
        int c = orm_model_column_index(rv->m, cols[i]);
        names[i] = refs[i]   ? refs[i]
                   : i < npk ? target->columns[pk[i]].name
                             : NULL;
        if (c < 0 || !names[i]) {
            tui_app_error(app, "cannot follow %s", cols[i]);
            return TUI_REDRAW;
        }
        values[i] = rv->values[c];
        if (values[i].kind == ORM_VNULL) {
            tui_app_message(app, "%s is NULL: it refers to nothing", cols[i]);
            return TUI_REDRAW;
        }
    }
    if (tui_view_record_new(&next, app, target, names, values, n)) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = next;
    return TUI_PUSH;
}

static void move_field(record_view *rv, long delta)
{
    long f = (long)rv->field + delta;
    long last = (long)rv->m->ncolumns - 1;
    rv->field = (size_t)(f < 0 ? 0 : f > last ? last : f);
}

/* Page by lines; the cursor goes to the first field starting on the new
 * screen. */
static void page_lines(record_view *rv, int delta)
{
    int max_top = (int)rv->nlines - rv->page;
    rv->top_line += delta;
    if (rv->top_line > max_top)
        rv->top_line = max_top;
    if (rv->top_line < 0)
        rv->top_line = 0;
    for (size_t i = (size_t)rv->top_line; i < rv->nlines; i++)
        if (rv->lines[i].header) {
            rv->field = rv->lines[i].field;
            return;
        }
    rv->field = rv->m->ncolumns - 1;
}

static unsigned record_handle(tui_view *v, tui_app *app, tui_action a)
{
    record_view *rv = (record_view *)v;
    tui_view *next = NULL;
    switch (a) {
    case TUI_ACT_MOVE_UP:
    case TUI_ACT_MOVE_LEFT:
        move_field(rv, -1);
        break;
    case TUI_ACT_MOVE_DOWN:
    case TUI_ACT_MOVE_RIGHT:
        move_field(rv, 1);
        break;
    case TUI_ACT_PAGE_UP:
        page_lines(rv, -(rv->page > 1 ? rv->page - 1 : 1));
        return TUI_REDRAW;
    case TUI_ACT_PAGE_DOWN:
        page_lines(rv, rv->page > 1 ? rv->page - 1 : 1);
        return TUI_REDRAW;
    case TUI_ACT_FIRST:
        rv->field = 0;
        break;
    case TUI_ACT_LAST:
        rv->field = rv->m->ncolumns - 1;
        break;
    case TUI_ACT_OPEN:
        return follow(rv, app);
    case TUI_ACT_REVEAL:
        if (!(rv->m->columns[rv->field].flags & ORM_SECRET)) {
            tui_app_message(app, "%s is not a secret column",
                            rv->m->columns[rv->field].name);
            return TUI_REDRAW;
        }
        rv->revealed[rv->field] = !rv->revealed[rv->field];
        return TUI_REDRAW;
    case TUI_ACT_REFRESH:
        if (load(rv, app) == 0)
            tui_app_message(app, "reloaded");
        return TUI_REDRAW;
    case TUI_ACT_EDIT:
    case TUI_ACT_DELETE:
    case TUI_ACT_MARK:
        return tui_edit_row(app, a, rv->m, rv->values, rv->key, rv->nkey);
    case TUI_ACT_BACKREFS:
        if (tui_view_backrefs_new(&next, app, rv->m, rv->values)) {
            tui_app_error(app, "out of memory");
            return TUI_REDRAW;
        }
        app->pushed = next;
        return TUI_PUSH;
    default:
        return TUI_UNHANDLED;
    }
    return TUI_REDRAW;
}

static unsigned record_click(tui_view *v, tui_app *app, int line, int col,
                             int twice)
{
    record_view *rv = (record_view *)v;
    size_t i = (size_t)(rv->top_line + line);
    (void)col;
    if (i >= rv->nlines)
        return TUI_DONE;
    rv->field = rv->lines[i].field;
    return twice ? follow(rv, app) : TUI_REDRAW;
}

static void record_close(tui_view *v)
{
    record_view *rv = (record_view *)v;
    if (!rv)
        return;
    for (size_t i = 0; i < rv->neq; i++)
        free(rv->eq_cols[i]);
    free(rv->eq_cols);
    values_free(rv->eq_vals, rv->neq);
    values_free(rv->key, rv->nkey);
    values_free(rv->values, rv->m->ncolumns);
    clear_lines(rv);
    free(rv->lines);
    free(rv->revealed);
    free(rv);
}

static const tui_view_ops record_ops = {
    .name = "record",
    .kind = TUI_VIEW_RECORD,
    .open = record_open,
    .draw = record_draw,
    .title = record_title,
    .status = record_status,
    .handle = record_handle,
    .click = record_click,
    .close = record_close,
};

static record_view *record_alloc(const tui_app *app, const orm_model *model)
{
    record_view *rv = tui_calloc(1, sizeof *rv);
    if (!rv)
        return NULL;
    rv->base.ops = &record_ops;
    rv->display = &app->display;
    rv->m = model;
    return rv;
}

int tui_view_record_new(tui_view **out, tui_app *app, const orm_model *model,
                        const char *const *columns, const orm_value *values,
                        size_t n)
{
    record_view *rv = record_alloc(app, model);
    *out = NULL;
    if (!rv)
        return ORM_ENOMEM;
    rv->eq_cols = tui_calloc(n + 1, sizeof *rv->eq_cols);
    rv->eq_vals = tui_calloc(n + 1, sizeof *rv->eq_vals);
    if (!rv->eq_cols || !rv->eq_vals)
        goto nomem;
    for (; rv->neq < n; rv->neq++) {
        rv->eq_cols[rv->neq] = orm_strdup(columns[rv->neq]);
        if (!rv->eq_cols[rv->neq] ||
            orm_value_copy(&rv->eq_vals[rv->neq], &values[rv->neq])) {
            rv->neq++;
            goto nomem;
        }
    }
    *out = &rv->base;
    return 0;
nomem:
    record_close(&rv->base);
    return ORM_ENOMEM;
}

void tui_view_record_set_field(tui_view *v, size_t field)
{
    record_view *rv = (record_view *)v;
    if (v && v->ops == &record_ops && field < rv->m->ncolumns)
        rv->field = field;
}

int tui_view_record_new_by_key(tui_view **out, tui_app *app,
                               const orm_model *model, const tui_sort *sort,
                               const orm_value *key, size_t nkey)
{
    record_view *rv = record_alloc(app, model);
    *out = NULL;
    if (!rv)
        return ORM_ENOMEM;
    rv->sort = *sort;
    rv->key = tui_calloc(nkey + 1, sizeof *rv->key);
    if (!rv->key || !key) {
        record_close(&rv->base);
        return ORM_ENOMEM;
    }
    for (; rv->nkey < nkey; rv->nkey++)
        if (orm_value_copy(&rv->key[rv->nkey], &key[rv->nkey])) {
            rv->nkey++;
            record_close(&rv->base);
            return ORM_ENOMEM;
        }
    *out = &rv->base;
    return 0;
}
