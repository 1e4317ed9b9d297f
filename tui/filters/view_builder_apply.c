/*
 * The filter builder's filter put to use (view_builder.h): how many
 * rows it matches (a quick capped count first, then the full count or
 * an estimate, between keys), applying it to the rows screen below,
 * saving it by name and the history of filters applied before.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "filter_tree.h"
#include "filter_views.h"
#include "view_builder.h"
#include "views.h"

/* ---- counting ---- */

/* A count that a key stopped (ORM_ECANCELLED: keys win over background
 * work, jobs.h) stays pending and runs again after the key. */
static void count_failed(builder_view *bv, const orm_error *err, int *more)
{
    if (err && err->code == ORM_ECANCELLED) {
        *more = 1;
        return;
    }
    bv->count_state = COUNT_FAILED;
    bv->count_step = 0;
    builder_set_str(&bv->count_error, orm_error_text(err));
}

unsigned builder_idle(tui_view *v, tui_app *app, int *more)
{
    builder_view *bv = (builder_view *)v;
    orm_expr *e = NULL;
    orm_query *q = NULL;
    *more = 0;
    if (!bv->count_step)
        return TUI_DONE;
    if (tui_ftree_compile(bv->tree, &bv->today, &e) != 0) {
        orm_error err = ORM_ERROR_INIT;
        orm_error_set(&err, ORM_ENOMEM, "out of memory");
        count_failed(bv, &err, more);
        orm_error_clear(&err);
        return TUI_REDRAW;
    }
    if (!e) {
        /* No filter: the table's count, an estimate when it is big. */
        int exact = 1;
        if (orm_db_count(app->db, bv->m, 1, &bv->count, &exact) != 0) {
            count_failed(bv, orm_db_error(app->db), more);
        } else {
            bv->count_state = exact ? COUNT_EXACT : COUNT_ESTIMATE;
            bv->count_step = 0;
        }
        return TUI_REDRAW;
    }
    if (orm_query_new(&q, app->session, bv->m) != 0) {
        orm_expr_free(e);
        count_failed(bv, orm_session_error(app->session), more);
        return TUI_REDRAW;
    }
    orm_query_filter(q, e);
    if (bv->count_step == 1) {
        /* Quick: read at most COUNT_CAP + 1 rows. */
        orm_cursor *cur = NULL;
        const orm_value *row;
        int64_t n = 0;
        int rc;
        orm_query_limit(q, COUNT_CAP + 1);
        rc = orm_query_cursor(q, &cur);
        if (rc == 0)
            while ((rc = orm_cursor_next(cur, &row)) == ORM_ROW)
                n++;
        orm_cursor_free(cur);
        if (rc != ORM_DONE) {
            count_failed(bv, orm_query_error(q), more);
        } else if (n <= COUNT_CAP) {
            bv->count = n;
            bv->count_state = COUNT_EXACT;
            bv->count_step = 0;
        } else {
            bv->count = COUNT_CAP;
            bv->count_state = COUNT_MORE;
            bv->count_step = 2;
            *more = 1;
        }
    } else {
        if (orm_query_count(q, &bv->count) != 0) {
            count_failed(bv, orm_query_error(q), more);
        } else {
            bv->count_state = COUNT_EXACT;
            bv->count_step = 0;
        }
    }
    orm_query_free(q);
    return TUI_REDRAW;
}

void builder_count_text(const builder_view *bv, orm_buf *out)
{
    char n[40];
    switch (bv->count_state) {
    case COUNT_PENDING:
        orm_buf_append(out, "counting\xE2\x80\xA6");
        break;
    case COUNT_MORE:
        tui_text_count(n, sizeof n, (long long)bv->count, 0);
        orm_buf_appendf(out, "more than %s (counting\xE2\x80\xA6)", n);
        break;
    case COUNT_FAILED:
        orm_buf_appendf(out, "? (%s)",
                        bv->count_error ? bv->count_error : "count failed");
        break;
    default:
        tui_text_count(n, sizeof n, (long long)bv->count,
                       bv->count_state == COUNT_ESTIMATE);
        orm_buf_appendf(out, "%s row%s", n, bv->count == 1 ? "" : "s");
        if (bv->count_state == COUNT_ESTIMATE)
            orm_buf_append(out, " (estimate)");
    }
}

/* ---- applying, saving, history ---- */

static void history_add(tui_app *app, const orm_model *m, const char *text)
{
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    char *key = tui_state_model_key(m);
    if (key && tui_filter_state_open(app, &st) == 0 &&
        tui_state_history_add(st, key, text, &err) != 0)
        tui_app_error(app, "filter history: %s", orm_error_text(&err));
    tui_state_free(st);
    orm_error_clear(&err);
    free(key);
}

unsigned builder_apply_filter(builder_view *bv, tui_app *app)
{
    orm_expr *e = NULL;
    char *text = NULL;
    tui_date today;
    /* Relative dates are fixed now, when the filter is applied. */
    tui_date_today(&today);
    if (tui_ftree_compile(bv->tree, &today, &e) != 0 ||
        (e && !(text = orm_filter_print(e)))) {
        orm_expr_free(e);
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    int rc = tui_view_rows_set_filter(bv->rows, app, e, text);
    if (rc == 0) {
        tui_app_message(app, e ? "filter applied" : "filter cleared");
        if (text)
            history_add(app, bv->m, text);
    }
    orm_expr_free(e);
    free(text);
    return rc == 0 ? TUI_POP : TUI_REDRAW;
}

/* Save under `name`; a name already taken is replaced only when the
 * user said so (replace), else asked about. */
unsigned builder_save_filter(builder_view *bv, tui_app *app, const char *name,
                             int replace)
{
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    char *key = tui_state_model_key(bv->m);
    int rc;
    /* The text is NULL only when there was no memory to make it: never
     * saved as an empty filter. */
    if (!bv->text)
        bv->text = tui_ftree_text(bv->tree, &bv->today);
    if (!key || !bv->text) {
        free(key);
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    if (tui_filter_state_open(app, &st) != 0) {
        free(key);
        builder_end_ask(bv);
        return TUI_REDRAW;
    }
    rc = tui_state_filter_save(st, name, key, bv->text ? bv->text : "", replace,
                               &err);
    if (rc == 0) {
        builder_set_str(&bv->saved_name, name);
        builder_end_ask(bv);
        tui_app_message(app, "saved as '%s' (F lists saved filters)", name);
    } else if (rc == ORM_EUNIQUE) {
        orm_buf why = ORM_BUF_INIT;
        char *taken = orm_strdup(name); /* name may be save_name */
        orm_buf_appendf(&why, "%s: y replaces it, n keeps it",
                        orm_error_text(&err));
        builder_start_ask(bv, app, ASK_REPLACE, "replace? y/n: ", NULL);
        builder_set_str(&bv->ask_error, orm_buf_str(&why));
        free(bv->save_name);
        bv->save_name = taken;
        orm_buf_free(&why);
    } else {
        builder_end_ask(bv);
        tui_app_error(app, "%s", orm_error_text(&err));
    }
    orm_error_clear(&err);
    tui_state_free(st);
    free(key);
    return TUI_REDRAW;
}

unsigned builder_open_history(builder_view *bv, tui_app *app)
{
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    char *key = tui_state_model_key(bv->m);
    tui_strings_free(bv->history, bv->nhistory);
    bv->history = NULL;
    bv->nhistory = 0;
    if (key && tui_filter_state_open(app, &st) == 0 &&
        tui_state_history_list(st, key, HISTORY_SHOWN, &bv->history,
                               &bv->nhistory, &err) != 0)
        tui_app_error(app, "filter history: %s", orm_error_text(&err));
    tui_state_free(st);
    orm_error_clear(&err);
    free(key);
    if (bv->nhistory == 0) {
        if (!app->message_error)
            tui_app_message(app, "no filter applied to %s yet", bv->m->name);
        return TUI_REDRAW;
    }
    bv->mode = MODE_HISTORY;
    bv->pick = bv->pick_top = 0;
    return TUI_REDRAW;
}
