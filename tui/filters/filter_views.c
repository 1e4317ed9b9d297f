/*
 * What the filter screens offer the rows screen (filter_views.h): f opens
 * the builder, F the saved filters, and the clear-filter key; and the
 * state database the filter screens share.
 */
#include "filter_views.h"
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
