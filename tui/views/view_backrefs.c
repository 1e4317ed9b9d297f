/*
 * What refers to a record: every model with a foreign key pointing at
 * the record's model, as a list; Enter opens that model's rows filtered
 * to the rows referring to this record. Beside each, how many rows refer
 * to the record and how many the table has (the catalog's estimate on a
 * large table, orm_db_count), counted between keys after the first
 * screen: one model a step, stopped by any key and started again.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "display.h"
#include "mem.h"
#include "views.h"

#define MAX_REF 16

typedef struct backref {
    const orm_model *model;
    orm_expr *filter;
    char *text;  /* "orders.customer_id = 5" */
    char *where; /* "customer_id = 5" */
    int counted; /* 0 not yet, 1 done, -1 failed */
    int64_t referring, total;
    int total_exact;
} backref;

typedef struct backrefs_view {
    tui_view base;
    const orm_model *target;
    const orm_value *values; /* the record, borrowed while opening */
    backref *refs;
    size_t nrefs, cap;
    size_t cursor, top;
    int page;
} backrefs_view;

static int add_ref(backrefs_view *bv, const orm_model *m, const char **cols,
                   const char **refs, size_t n)
{
    const orm_model *t = bv->target;
    int pk[MAX_REF];
    size_t npk = orm_model_pk(t, pk, MAX_REF);
    orm_expr *filter = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *ref = refs[i]   ? refs[i]
                          : i < npk ? t->columns[pk[i]].name
                                    : NULL;
        int c = ref ? orm_model_column_index(t, ref) : -1;
        if (c < 0) {
            orm_expr_free(filter);
            return 0; /* not followable: leave it out */
        }
        orm_expr *eq = orm_eq(orm_col(cols[i]), orm_val(&bv->values[c]));
        filter = filter ? orm_and(filter, eq) : eq;
        if (!filter)
            return ORM_ENOMEM;
    }
    if (bv->nrefs == bv->cap) {
        size_t cap = bv->cap ? bv->cap * 2 : 8;
        backref *r = tui_realloc(bv->refs, cap * sizeof *r);
        if (!r) {
            orm_expr_free(filter);
            return ORM_ENOMEM;
        }
        bv->refs = r;
        bv->cap = cap;
    }
    backref *r = &bv->refs[bv->nrefs];
    memset(r, 0, sizeof *r);
    r->model = m;
    r->filter = filter;
    r->where = orm_filter_print(filter);
    orm_buf b = ORM_BUF_INIT;
    tui_model_title(&b, m);
    orm_buf_appendf(&b, " where %s", r->where ? r->where : "?");
    r->text = orm_buf_finish(&b);
    bv->nrefs++;
    return r->text && r->where ? 0 : ORM_ENOMEM;
}

static int backrefs_open(tui_view *v, tui_app *app)
{
    backrefs_view *bv = (backrefs_view *)v;
    size_t n = orm_db_model_count(app->db);
    for (size_t i = 0; i < n; i++) {
        const orm_model *m = orm_db_model_at(app->db, i);
        for (size_t c = 0; c < m->ncolumns; c++) {
            const char *table = NULL, *cols[MAX_REF], *refs[MAX_REF];
            size_t k = tui_column_reference(m, c, &table, cols, refs, MAX_REF);
            /* A multi-column key is listed once, at its first column. */
            if (!k || strcmp(cols[0], m->columns[c].name) != 0 ||
                orm_db_find_table(app->db, table) != bv->target)
                continue;
            if (add_ref(bv, m, cols, refs, k)) {
                tui_app_error(app, "out of memory");
                return ORM_ENOMEM;
            }
        }
    }
    bv->values = NULL; /* borrowed only while opening */
    if (bv->nrefs == 0) {
        tui_app_message(app, "nothing refers to %s", bv->target->name);
        return ORM_ENOTFOUND;
    }
    return 0;
}

/* "3 of 8 rows", "3 of ~1.2M rows" (an estimated total), "… rows"
 * before the count. */
static void count_text(const backref *r, orm_buf *out)
{
    char referring[32], total[32];
    if (r->counted == 0) {
        orm_buf_append(out, "\xE2\x80\xA6 rows");
        return;
    }
    if (r->counted < 0) {
        orm_buf_append(out, "not counted");
        return;
    }
    tui_text_count(referring, sizeof referring, (long long)r->referring, 0);
    tui_text_count(total, sizeof total, (long long)r->total, !r->total_exact);
    orm_buf_appendf(out, "%s of %s row%s", referring, total,
                    r->total == 1 && r->total_exact ? "" : "s");
}

/* One model's counts a step: the table's (estimated when large), then
 * the rows referring to the record (exact). */
static unsigned backrefs_idle(tui_view *v, tui_app *app, int *more)
{
    backrefs_view *bv = (backrefs_view *)v;
    backref *r = NULL;
    orm_query *q = NULL;
    *more = 0;
    for (size_t i = 0; i < bv->nrefs && !r; i++)
        if (!bv->refs[i].counted)
            r = &bv->refs[i];
    if (!r)
        return TUI_DONE;
    int rc = orm_db_count(app->db, r->model, 1, &r->total, &r->total_exact);
    const orm_error *err = orm_db_error(app->db);
    if (rc == 0) {
        err = orm_session_error(app->session);
        rc = orm_query_new(&q, app->session, r->model);
    }
    if (rc == 0)
        rc = orm_query_filter(q, orm_expr_copy(r->filter));
    if (rc == 0)
        rc = orm_query_count(q, &r->referring);
    orm_query_free(q);
    if (rc == ORM_ECANCELLED) { /* a key stopped it: counted again later */
        *more = 1;
        return TUI_DONE;
    }
    r->counted = rc ? -1 : 1;
    if (rc)
        tui_app_db_error(app, r->model->table, err);
    for (size_t i = 0; i < bv->nrefs; i++)
        *more |= !bv->refs[i].counted;
    return TUI_REDRAW;
}

static void backrefs_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                          int height)
{
    backrefs_view *bv = (backrefs_view *)v;
    (void)app;
    bv->page = height - 1 > 0 ? height - 1 : 1;
    if (bv->cursor < bv->top)
        bv->top = bv->cursor;
    if (bv->cursor >= bv->top + (size_t)bv->page)
        bv->top = bv->cursor - (size_t)bv->page + 1;
    tui_screen_fill(scr, top, 0, scr->cols, TUI_EL_HEADER);
    tui_screen_put(scr, top, 0, "Rows that refer to this record", -1,
                   TUI_EL_HEADER);
    for (int line = 0; line < bv->page; line++) {
        size_t i = bv->top + (size_t)line;
        if (i >= bv->nrefs)
            break;
        int cur = i == bv->cursor;
        orm_buf fitted = ORM_BUF_INIT;
        orm_buf count = ORM_BUF_INIT;
        count_text(&bv->refs[i], &count);
        int cw = tui_text_widthz(orm_buf_str(&count));
        int room = scr->cols - cw - 2 > 10 ? scr->cols - cw - 2 : scr->cols;
        tui_text_fit(&fitted, bv->refs[i].text, strlen(bv->refs[i].text), room);
        if (cur)
            tui_screen_fill(scr, top + 1 + line, 0, scr->cols, TUI_EL_CURSOR);
        tui_screen_put(scr, top + 1 + line, 0, orm_buf_str(&fitted), -1,
                       cur ? TUI_EL_CURSOR : TUI_EL_DEFAULT);
        if (room < scr->cols)
            tui_screen_put(scr, top + 1 + line, scr->cols - cw,
                           orm_buf_str(&count), cw,
                           cur ? TUI_EL_CURSOR : TUI_EL_NUMBER);
        orm_buf_free(&count);
        orm_buf_free(&fitted);
    }
}

static void backrefs_title(tui_view *v, tui_app *app, orm_buf *out)
{
    backrefs_view *bv = (backrefs_view *)v;
    orm_buf_appendf(out, "what refers to this %s \xC2\xB7 %s", bv->target->name,
                    orm_db_url(app->db));
}

static void backrefs_status(tui_view *v, tui_app *app, orm_buf *out)
{
    backrefs_view *bv = (backrefs_view *)v;
    (void)app;
    orm_buf_appendf(out,
                    "%zu referring model%s \xE2\x94\x82 Enter: rows "
                    "\xE2\x94\x82 q back",
                    bv->nrefs, bv->nrefs == 1 ? "" : "s");
}

static unsigned open_rows(backrefs_view *bv, tui_app *app)
{
    tui_view *rows = NULL;
    const backref *r = &bv->refs[bv->cursor];
    if (tui_view_rows_new(&rows, app, r->model, r->filter, r->where)) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = rows;
    return TUI_PUSH;
}

static unsigned backrefs_handle(tui_view *v, tui_app *app, tui_action a)
{
    backrefs_view *bv = (backrefs_view *)v;
    /* PgUp and PgDn go to the ends: the list is a page of its own. */
    if (tui_list_move(&bv->cursor, bv->nrefs, bv->nrefs, a))
        return TUI_REDRAW;
    switch (a) {
    case TUI_ACT_OPEN:
        return open_rows(bv, app);
    default:
        return TUI_UNHANDLED;
    }
}

static unsigned backrefs_click(tui_view *v, tui_app *app, int line, int col,
                               int twice)
{
    backrefs_view *bv = (backrefs_view *)v;
    (void)col;
    if (line < 1 || bv->top + (size_t)(line - 1) >= bv->nrefs)
        return TUI_DONE;
    bv->cursor = bv->top + (size_t)(line - 1);
    return twice ? open_rows(bv, app) : TUI_REDRAW;
}

static void backrefs_close(tui_view *v)
{
    backrefs_view *bv = (backrefs_view *)v;
    if (!bv)
        return;
    for (size_t i = 0; i < bv->nrefs; i++) {
        orm_expr_free(bv->refs[i].filter);
        free(bv->refs[i].text);
        free(bv->refs[i].where);
    }
    free(bv->refs);
    free(bv);
}

static const tui_view_ops backrefs_ops = {
    .name = "backrefs",
    .kind = TUI_VIEW_BACKREFS,
    .open = backrefs_open,
    .draw = backrefs_draw,
    .title = backrefs_title,
    .status = backrefs_status,
    .handle = backrefs_handle,
    .click = backrefs_click,
    .idle = backrefs_idle,
    .close = backrefs_close,
};

int tui_view_backrefs_new(tui_view **out, tui_app *app, const orm_model *model,
                          const orm_value *values)
{
    backrefs_view *bv = tui_calloc(1, sizeof *bv);
    (void)app;
    *out = NULL;
    if (!bv)
        return ORM_ENOMEM;
    bv->base.ops = &backrefs_ops;
    bv->target = model;
    bv->values = values;
    *out = &bv->base;
    return 0;
}
