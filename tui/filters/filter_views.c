/*
 * What the filter screens offer the rows screen (filter_views.h): f opens
 * the builder, F the saved filters, the clear-filter key and the quick
 * filters (=, #); and the state database the filter screens share.
 */
#include <stdlib.h>
#include <string.h>

#include "filter_views.h"
#include "mem.h"
#include "views.h"

/* ---- the state database ---- */

int tui_filter_state_open(tui_app *app, tui_state **out)
{
    orm_error err = ORM_ERROR_INIT;
    int rc = tui_state_open(out, app->opts ? app->opts->state_file : NULL,
                            orm_db_url(app->db), &err);
    if (rc)
        tui_app_error(app, "%s", orm_error_text(&err));
    orm_error_clear(&err);
    return rc;
}

/* ---- the rows screen's f, F and clear ---- */

unsigned tui_filter_rows_action(tui_view *rows, tui_app *app, tui_action a)
{
    tui_view *v = NULL;
    int rc;
    switch (a) {
    case TUI_ACT_FILTER:
        rc = tui_view_builder_new(&v, app, rows, NULL, NULL);
        break;
    case TUI_ACT_SAVED_FILTERS:
        rc = tui_view_filters_new(&v, app, rows);
        break;
    case TUI_ACT_CLEAR_FILTER:
        if (!tui_view_rows_filter(rows)) {
            tui_app_message(app, "no filter to clear");
            return TUI_REDRAW;
        }
        if (tui_view_rows_set_filter(rows, app, NULL, NULL) == 0)
            tui_app_message(app, "filter cleared");
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
    if (rc) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = v;
    return TUI_PUSH;
}

/* ---- quick filters: = and # ---- */

/* `filter` AND `cond` (both taken), flat: a top-level and-group gets
 * one more member, so the builder shows one list of conditions. */
static orm_expr *and_flat(orm_expr *filter, orm_expr *cond)
{
    if (!filter || !cond) {
        orm_expr_free(filter);
        return cond;
    }
    if (filter->kind != ORM_EXPR_OP || filter->op != ORM_OP_AND)
        return orm_and(filter, cond);
    orm_expr **args = tui_calloc(filter->nargs + 1, sizeof *args);
    if (!args) {
        orm_expr_free(filter);
        orm_expr_free(cond);
        return NULL;
    }
    for (size_t i = 0; i < filter->nargs; i++)
        args[i] = orm_expr_copy(filter->args[i]);
    args[filter->nargs] = cond;
    orm_expr *all = orm_expr_op(ORM_OP_AND, args, filter->nargs + 1);
    free(args);
    orm_expr_free(filter);
    return all;
}

unsigned tui_filter_rows_quick(tui_view *rows, tui_app *app,
                               const orm_column *col, const orm_value *value,
                               int differs)
{
    const orm_expr *active = tui_view_rows_filter(rows);
    orm_expr *cond, *filter = NULL;
    char *cond_text = NULL, *text = NULL;
    if (col->type == ORM_BLOB) {
        tui_app_error(app, "%s is a blob column: it cannot be filtered on",
                      col->name);
        return TUI_REDRAW;
    }
    if (value->kind == ORM_VNULL)
        cond = differs ? orm_is_not_null(orm_col(col->name))
                       : orm_is_null(orm_col(col->name));
    else
        cond = differs ? orm_ne(orm_col(col->name), orm_val(value))
                       : orm_eq(orm_col(col->name), orm_val(value));
    if (cond)
        cond_text = orm_filter_print(cond);
    filter = and_flat(active ? orm_expr_copy(active) : NULL, cond);
    if (filter)
        text = orm_filter_print(filter);
    if (!cond_text || !text) {
        tui_app_error(app, "out of memory");
    } else if (tui_view_rows_set_filter(rows, app, filter, text) == 0) {
        tui_app_message(app, "where %s added (f edits, C clears)", cond_text);
    }
    orm_expr_free(filter);
    free(cond_text);
    free(text);
    return TUI_REDRAW;
}
