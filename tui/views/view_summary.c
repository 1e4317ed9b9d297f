/*
 * A column's summary over the rows screen's active filter and search
 * (`i`): how many rows, NULLs and distinct values, the smallest and the
 * largest, and the most frequent values with their counts, all computed
 * by the database (orm_query_summary: two statements whatever the
 * table's size; Esc cancels them). Enter on a value (or on NULL)
 * narrows the rows below to it, as `=` does, and goes back to them.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "display.h"
#include "filter_views.h"
#include "mem.h"
#include "views.h"

#define SUMMARY_TOP 100 /* most frequent values listed */
#define HEAD_LINES  3   /* totals, min/max, column titles */

typedef struct summary_view {
    tui_view base;
    tui_view *rows; /* borrowed: stays below */
    const orm_model *m;
    size_t col;
    orm_column_summary sum;
    int with_null; /* a NULL line after the values */
    size_t cursor, top;
    int page;
    const tui_display *display;
} summary_view;

/* Lines to choose from: the values, then NULL when some are. */
static size_t entries(const summary_view *sv)
{
    return sv->sum.ntop + (sv->with_null ? 1 : 0);
}

static int summary_open(tui_view *v, tui_app *app)
{
    summary_view *sv = (summary_view *)v;
    const orm_expr *filter = tui_view_rows_filter(sv->rows);
    const orm_expr *search = tui_view_rows_search(sv->rows, NULL);
    orm_query *q = NULL;
    /* The rows as the screen below shows them: its filter and search.
     * The statements run on the key's worker, so Esc cancels them
     * (jobs.h) and the rows screen stays. */
    int rc = orm_query_new(&q, app->session, sv->m);
    if (rc == 0 && filter)
        rc = orm_query_filter(q, orm_expr_copy(filter));
    if (rc == 0 && search)
        rc = orm_query_filter(q, orm_expr_copy(search));
    if (rc == 0)
        rc = orm_query_summary(q, sv->m->columns[sv->col].name, SUMMARY_TOP,
                               &sv->sum);
    if (rc)
        tui_app_db_error(app, sv->m->table, orm_session_error(app->session));
    orm_query_free(q);
    sv->with_null = sv->sum.nulls > 0;
    return rc;
}

/* A value as the grid shows it, fitted into `width` cells at x. */
static void put_value(summary_view *sv, tui_screen *scr, int row, int x,
                      int width, const orm_value *v, tui_element over)
{
    orm_buf shown = ORM_BUF_INIT, fitted = ORM_BUF_INIT;
    tui_element el;
    int right;
    tui_value_show(&shown, &el, &right, &sv->m->columns[sv->col], v, 1,
                   sv->display);
    const char *s = orm_buf_str(&shown);
    tui_text_fit(&fitted, s ? s : "", s ? shown.len : 0, width);
    tui_screen_put(scr, row, x, orm_buf_str(&fitted), width,
                   over != TUI_EL_DEFAULT ? over : el);
    orm_buf_free(&shown);
    orm_buf_free(&fitted);
}

static void summary_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                         int height)
{
    summary_view *sv = (summary_view *)v;
    const orm_column_summary *s = &sv->sum;
    char line[160];
    (void)app;
    sv->page = height - HEAD_LINES > 0 ? height - HEAD_LINES : 1;
    if (sv->cursor < sv->top)
        sv->top = sv->cursor;
    if (sv->cursor >= sv->top + (size_t)sv->page)
        sv->top = sv->cursor - (size_t)sv->page + 1;
    char rows[32], nulls[32], distinct[32];
    tui_text_count(rows, sizeof rows, (long long)s->rows, 0);
    tui_text_count(nulls, sizeof nulls, (long long)s->nulls, 0);
    tui_text_count(distinct, sizeof distinct, (long long)s->distinct, 0);
    snprintf(line, sizeof line, "%s rows \xC2\xB7 %s NULL \xC2\xB7 %s distinct",
             rows, nulls, distinct);
    tui_screen_put(scr, top, 0, line, -1, TUI_EL_DEFAULT);
    int half = scr->cols / 2 - 5 > 4 ? scr->cols / 2 - 5 : 4;
    tui_screen_put(scr, top + 1, 0, "min", -1, TUI_EL_HELP_KEY);
    put_value(sv, scr, top + 1, 4, half, &s->min, TUI_EL_DEFAULT);
    tui_screen_put(scr, top + 1, half + 5, "max", -1, TUI_EL_HELP_KEY);
    put_value(sv, scr, top + 1, half + 9, scr->cols - half - 9, &s->max,
              TUI_EL_DEFAULT);
    tui_screen_fill(scr, top + 2, 0, scr->cols, TUI_EL_HEADER);
    tui_screen_put(scr, top + 2, 0, "      rows   share  value", -1,
                   TUI_EL_HEADER);
    for (int i = 0; i < sv->page; i++) {
        size_t at = sv->top + (size_t)i;
        int row = top + HEAD_LINES + i;
        if (at >= entries(sv))
            break;
        int null_line = at == s->ntop;
        int64_t n = null_line ? s->nulls : s->top[at].count;
        orm_value null = ORM_VALUE_NULL_INIT;
        tui_element over = at == sv->cursor ? TUI_EL_CURSOR : TUI_EL_DEFAULT;
        if (over == TUI_EL_CURSOR)
            tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_CURSOR);
        /* The share in tenths of a percent, by integer arithmetic: a
         * point whatever LC_NUMERIC says, as everywhere in orb. */
        long long tenths =
            s->rows ? (long long)((n * 1000 + s->rows / 2) / s->rows) : 0;
        char count[32];
        tui_text_count(count, sizeof count, (long long)n, 0);
        snprintf(line, sizeof line, "%10s %4lld.%lld%%  ", count, tenths / 10,
                 tenths % 10);
        int x = tui_screen_put(scr, row, 0, line, -1, over);
        put_value(sv, scr, row, x, scr->cols - x,
                  null_line ? &null : &s->top[at].value, over);
    }
}

static void summary_title(tui_view *v, tui_app *app, orm_buf *out)
{
    summary_view *sv = (summary_view *)v;
    orm_buf_appendf(out, "%s.%s: summary \xC2\xB7 %s", sv->m->name,
                    sv->m->columns[sv->col].name, orm_db_url(app->db));
}

static void summary_status(tui_view *v, tui_app *app, orm_buf *out)
{
    summary_view *sv = (summary_view *)v;
    const orm_expr *filter = tui_view_rows_filter(sv->rows);
    const char *search = NULL;
    (void)app;
    orm_buf_appendf(out, "%zu most frequent", sv->sum.ntop);
    if (filter) {
        char *text = orm_filter_print(filter);
        orm_buf_appendf(out, " \xE2\x94\x82 where %s", text ? text : "?");
        free(text);
    }
    if (tui_view_rows_search(sv->rows, &search) && search)
        orm_buf_appendf(out, " \xE2\x94\x82 search: %s", search);
    orm_buf_append(out, " \xE2\x94\x82 Enter: only these rows \xE2\x94\x82 "
                        "q back");
}

/* Enter: the rows below narrowed to the value under the cursor. */
static unsigned narrow(summary_view *sv, tui_app *app)
{
    orm_value null = ORM_VALUE_NULL_INIT;
    if (sv->cursor >= entries(sv))
        return TUI_DONE;
    const orm_value *v =
        sv->cursor == sv->sum.ntop ? &null : &sv->sum.top[sv->cursor].value;
    tui_filter_rows_quick(sv->rows, app, &sv->m->columns[sv->col], v, 0);
    return TUI_POP;
}

static unsigned summary_handle(tui_view *v, tui_app *app, tui_action a)
{
    summary_view *sv = (summary_view *)v;
    size_t n = entries(sv), page = sv->page > 0 ? (size_t)sv->page : 1;
    if (tui_list_move(&sv->cursor, n, page, a))
        return TUI_REDRAW;
    switch (a) {
    case TUI_ACT_OPEN:
        return narrow(sv, app);
    default:
        return TUI_UNHANDLED;
    }
}

static unsigned summary_click(tui_view *v, tui_app *app, int line, int col,
                              int twice)
{
    summary_view *sv = (summary_view *)v;
    (void)col;
    if (line < HEAD_LINES ||
        sv->top + (size_t)(line - HEAD_LINES) >= entries(sv))
        return TUI_DONE;
    sv->cursor = sv->top + (size_t)(line - HEAD_LINES);
    return twice ? narrow(sv, app) : TUI_REDRAW;
}

static void summary_close(tui_view *v)
{
    summary_view *sv = (summary_view *)v;
    if (!sv)
        return;
    orm_column_summary_clear(&sv->sum);
    free(sv);
}

static const tui_view_ops summary_ops = {
    .name = "summary",
    .kind = TUI_VIEW_SUMMARY,
    .open = summary_open,
    .draw = summary_draw,
    .title = summary_title,
    .status = summary_status,
    .handle = summary_handle,
    .click = summary_click,
    .close = summary_close,
};

int tui_view_summary_new(tui_view **out, tui_app *app, tui_view *rows,
                         size_t column)
{
    const orm_model *m = tui_view_rows_model(rows);
    summary_view *sv;
    *out = NULL;
    if (!m || column >= m->ncolumns)
        return ORM_EINVALID;
    if (!(sv = tui_calloc(1, sizeof *sv)))
        return ORM_ENOMEM;
    sv->base.ops = &summary_ops;
    sv->rows = rows;
    sv->m = m;
    sv->col = column;
    sv->display = &app->display;
    *out = &sv->base;
    return 0;
}
