/*
 * The conflict screen: the commit found that someone else changed (or
 * deleted) a row since it was loaded, so nothing was written. Per column
 * it shows the value as loaded, as the database holds it now, and the
 * user's own, and offers: reload and re-apply my edit (rebase, then back
 * to the review), overwrite (rebase and commit at once), or keep editing
 * (the form). A row deleted by someone else can only be dropped or left.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "mem.h"
#include "views.h"

#define CROSS "\xE2\x9C\x97" /* ✗ */

typedef struct conflict_view {
    tui_view base;
    orm_record *rec;
    orm_value *current; /* the row now, or NULL when it is gone */
    int gone;
    int top;
} conflict_view;

/* Its own keys (r, o, k), the review's (x drops), the questions' (d
 * discards), then browsing's (q/Esc back, scrolling). */
static const tui_scope conflict_scopes[] = {
    TUI_SCOPE_CONFLICT, TUI_SCOPE_REVIEW, TUI_SCOPE_QUESTION, TUI_SCOPE_BROWSE,
    TUI_SCOPE_GLOBAL};

static void free_current(conflict_view *cv)
{
    if (!cv->current)
        return;
    for (size_t c = 0; c < orm_record_model(cv->rec)->ncolumns; c++)
        orm_value_clear(&cv->current[c]);
    free(cv->current);
    cv->current = NULL;
}

static int conflict_open(tui_view *v, tui_app *app)
{
    conflict_view *cv = (conflict_view *)v;
    int rc = orm_session_fetch_current(app->session, cv->rec, &cv->current);
    if (rc == ORM_ENOTFOUND) {
        cv->gone = 1;
        return 0;
    }
    if (rc) {
        tui_app_db_error(app, "conflict", orm_session_error(app->session));
        return rc;
    }
    return 0;
}

static void cell(orm_buf *out, const tui_app *app, const orm_column *col,
                 const orm_value *v)
{
    tui_element el;
    int right;
    tui_value_show(out, &el, &right, col, v, 0, &app->display);
}

/* "r reload ..." with the keys bound now: the first key of each. */
static void hint(const tui_app *app, orm_buf *out, tui_action a,
                 const char *what)
{
    for (size_t i = 0; i < app->keymap.count; i++)
        if (app->keymap.bindings[i].action == a) {
            char name[32];
            tui_key_name(app->keymap.bindings[i].key, name, sizeof name);
            orm_buf_appendf(out, "%s%s %s", out->len ? " \xC2\xB7 " : "", name,
                            what);
            return;
        }
}

/* The screen's keys, on its last line as the other screens have them. */
static void draw_keys(const conflict_view *cv, const tui_app *app,
                      tui_screen *scr, int row)
{
    orm_buf b = ORM_BUF_INIT;
    if (cv->gone) {
        hint(app, &b, TUI_ACT_DROP_CHANGE, "drop my change");
        hint(app, &b, TUI_ACT_BACK, "back");
    } else {
        hint(app, &b, TUI_ACT_RELOAD_REAPPLY, "reload and re-apply my edit");
        hint(app, &b, TUI_ACT_OVERWRITE, "overwrite theirs");
        hint(app, &b, TUI_ACT_KEEP_EDITING, "keep editing");
    }
    hint(app, &b, TUI_ACT_HELP, "help");
    tui_screen_put(scr, row, 0, orm_buf_str(&b) ? orm_buf_str(&b) : "", -1,
                   TUI_EL_HELP_KEY);
    orm_buf_free(&b);
}

static void conflict_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                          int height)
{
    conflict_view *cv = (conflict_view *)v;
    const orm_model *m = orm_record_model(cv->rec);
    orm_record_state st = orm_record_state_of(cv->rec);
    orm_buf b = ORM_BUF_INIT;
    char *repr = orm_record_repr(cv->rec);
    int row = top, name_w = 6;
    if (height > 2)
        draw_keys(cv, app, scr, top + height - 1);
    if (cv->gone)
        orm_buf_appendf(&b,
                        CROSS " %s was deleted by someone else: "
                              "nothing was written",
                        repr ? repr : m->table);
    else
        orm_buf_appendf(&b,
                        CROSS " %s was changed in the database since "
                              "you loaded it: nothing was written",
                        repr ? repr : m->table);
    free(repr);
    tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_ERROR);
    tui_screen_put(scr, row++, 0, orm_buf_str(&b), -1, TUI_EL_ERROR);
    orm_buf_reset(&b);
    if (cv->gone) {
        tui_screen_put(scr, ++row, 2,
                       st == ORM_RECORD_DELETED
                           ? "Your delete is moot: x drops it."
                           : "Your change has no row to go to: x drops it, "
                             "Esc goes back.",
                       -1, TUI_EL_DEFAULT);
        orm_buf_free(&b);
        return;
    }
    for (size_t c = 0; c < m->ncolumns; c++) {
        int w = tui_text_widthz(m->columns[c].name);
        if (w > name_w)
            name_w = w;
    }
    if (name_w > scr->cols / 5)
        name_w = scr->cols / 5;
    int col_w = (scr->cols - name_w - 4) / 3;
    int x1 = name_w + 2, x2 = x1 + col_w + 1, x3 = x2 + col_w + 1;
    row++;
    tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_HEADER);
    tui_screen_put(scr, row, 0, "column", name_w, TUI_EL_HEADER);
    tui_screen_put(scr, row, x1, "you loaded", col_w, TUI_EL_HEADER);
    tui_screen_put(scr, row, x2, "database now", col_w, TUI_EL_HEADER);
    tui_screen_put(scr, row, x3,
                   st == ORM_RECORD_DELETED ? "yours (delete)" : "yours", col_w,
                   TUI_EL_HEADER);
    row++;
    int lines = height - (row - top) - 1;
    if (cv->top > (int)m->ncolumns - lines)
        cv->top = (int)m->ncolumns - lines;
    if (cv->top < 0)
        cv->top = 0;
    for (size_t c = (size_t)cv->top; c < m->ncolumns && row < top + height - 1;
         c++, row++) {
        const orm_column *col = &m->columns[c];
        const orm_value *loaded = orm_record_original(cv->rec, c);
        const orm_value *now = &cv->current[c];
        const orm_value *mine = orm_record_value(cv->rec, c);
        int theirs = !orm_value_equal(loaded, now);
        int yours = orm_record_changed(cv->rec, c);
        tui_screen_put(scr, row, 0, col->name, name_w, TUI_EL_LABEL);
        orm_buf_reset(&b);
        cell(&b, app, col, loaded);
        tui_screen_put(scr, row, x1, orm_buf_str(&b), col_w, TUI_EL_DEFAULT);
        orm_buf_reset(&b);
        cell(&b, app, col, now);
        tui_screen_put(scr, row, x2, orm_buf_str(&b), col_w,
                       theirs ? TUI_EL_PENDING_DELETE : TUI_EL_DEFAULT);
        orm_buf_reset(&b);
        if (st == ORM_RECORD_DELETED)
            orm_buf_append(&b, "-");
        else
            cell(&b, app, col, mine);
        tui_screen_put(scr, row, x3, orm_buf_str(&b), col_w,
                       yours ? TUI_EL_PENDING_CHANGE : TUI_EL_DEFAULT);
    }
    orm_buf_free(&b);
}

static void conflict_title(tui_view *v, tui_app *app, orm_buf *out)
{
    conflict_view *cv = (conflict_view *)v;
    (void)app;
    orm_buf_appendf(out, "conflict \xC2\xB7 %s",
                    orm_record_model(cv->rec)->table);
}

static void conflict_status(tui_view *v, tui_app *app, orm_buf *out)
{
    conflict_view *cv = (conflict_view *)v;
    (void)app;
    orm_buf_appendf(out, "conflict \xC2\xB7 nothing written \xC2\xB7 %s",
                    cv->gone ? "the row is gone" : "the row changed");
}

/* ---- actions ---- */

static unsigned rebase(conflict_view *cv, tui_app *app, int then_commit)
{
    orm_session *s = app->session;
    char *repr = orm_record_repr(cv->rec);
    int rc = orm_session_rebase(s, cv->rec);
    unsigned result = TUI_REDRAW;
    if (rc == ORM_ENOTFOUND) {
        free_current(cv);
        cv->gone = 1;
        tui_app_error(app, "%s", orm_error_text(orm_session_error(s)));
        free(repr);
        return TUI_REDRAW;
    }
    if (rc) {
        tui_app_db_error(app, "reload", orm_session_error(s));
        free(repr);
        return TUI_REDRAW;
    }
    if (!then_commit) {
        orm_record_state st = orm_record_state_of(cv->rec);
        if (st == ORM_RECORD_CLEAN)
            tui_app_message(app,
                            "reloaded %s: it already holds your values, "
                            "nothing left to write",
                            repr ? repr : "the row");
        else
            tui_app_message(app,
                            "reloaded %s: your edit now applies over "
                            "the current row (y writes)",
                            repr ? repr : "the row");
        free(repr);
        return TUI_POP;
    }
    free(repr);
    rc = tui_edit_commit(app, &result);
    if (rc == 0)
        return TUI_POP;
    if (result & TUI_PUSH)
        return TUI_POP | TUI_PUSH; /* another failure: its own screen */
    return TUI_REDRAW;
}

static unsigned keep_editing(conflict_view *cv, tui_app *app)
{
    tui_view *form = NULL;
    if (orm_record_state_of(cv->rec) == ORM_RECORD_DELETED || cv->gone)
        return TUI_POP;
    if (tui_view_form_new(&form, app, orm_record_model(cv->rec), cv->rec,
                          NULL)) {
        tui_app_error(app, "out of memory");
        return TUI_POP;
    }
    tui_app_message(app, "keep editing: save, then w writes (the conflict "
                         "will come back unless you reload)");
    app->pushed = form;
    return TUI_POP | TUI_PUSH;
}

static unsigned drop(conflict_view *cv, tui_app *app)
{
    char *repr = orm_record_repr(cv->rec);
    tui_app_message(app, "dropped the change to %s", repr ? repr : "the row");
    free(repr);
    /* The row is gone: forget the record altogether. */
    orm_session_expunge(app->session, cv->rec);
    cv->rec = NULL;
    return TUI_POP;
}

static unsigned act(conflict_view *cv, tui_app *app, tui_action a)
{
    switch (a) {
    case TUI_ACT_RELOAD_REAPPLY:
    case TUI_ACT_OVERWRITE:
        if (cv->gone) {
            tui_app_message(app, "the row is gone: x drops your change");
            return TUI_REDRAW;
        }
        return rebase(cv, app, a == TUI_ACT_OVERWRITE);
    case TUI_ACT_KEEP_EDITING:
    case TUI_ACT_BACK:
        return keep_editing(cv, app);
    case TUI_ACT_DROP_CHANGE:
    case TUI_ACT_DISCARD:
        if (!cv->gone) {
            tui_app_message(app, "r reloads and re-applies, o overwrites, "
                                 "k keeps editing");
            return TUI_REDRAW;
        }
        return drop(cv, app);
    case TUI_ACT_MOVE_UP:
        cv->top--;
        return TUI_REDRAW;
    case TUI_ACT_MOVE_DOWN:
        cv->top++;
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
}

static unsigned conflict_key(tui_view *v, tui_app *app, int key)
{
    conflict_view *cv = (conflict_view *)v;
    if (key == TUI_KEY_MOUSE || key == TUI_KEY_RESIZE ||
        key == TUI_KEY_INTERRUPT)
        return TUI_UNHANDLED;
    tui_action a = tui_keymap_lookup_in(&app->keymap, conflict_scopes, key);
    unsigned r = act(cv, app, a);
    /* Other keys (help aside) do nothing here. */
    if ((r & TUI_UNHANDLED) && a != TUI_ACT_HELP && a != TUI_ACT_REDRAW)
        return TUI_REDRAW;
    return r;
}

static unsigned conflict_handle(tui_view *v, tui_app *app, tui_action a)
{
    return act((conflict_view *)v, app, a);
}

static void conflict_close(tui_view *v)
{
    conflict_view *cv = (conflict_view *)v;
    if (!cv)
        return;
    if (cv->rec)
        free_current(cv);
    else
        free(cv->current);
    free(cv);
}

static const tui_view_ops conflict_ops = {
    .name = "conflict",
    .kind = TUI_VIEW_CONFLICT,
    .open = conflict_open,
    .draw = conflict_draw,
    .title = conflict_title,
    .status = conflict_status,
    .handle = conflict_handle,
    .key = conflict_key,
    .scopes = conflict_scopes,
    .close = conflict_close,
};

int tui_view_conflict_new(tui_view **out, tui_app *app, orm_record *rec)
{
    conflict_view *cv = tui_calloc(1, sizeof *cv);
    (void)app;
    *out = NULL;
    if (!cv)
        return ORM_ENOMEM;
    cv->base.ops = &conflict_ops;
    cv->rec = rec;
    *out = &cv->base;
    return 0;
}
