/*
 * The review screen: every pending change (kind, the record's repr, the
 * changed columns old -> new, secrets masked) and then the exact SQL the
 * commit will run with its bound values (orm_session_plan). The change
 * under the cursor can be dropped (x) or edited (e); y or Enter commits
 * everything in one transaction, Esc goes back with nothing written.
 * When the commit fails nothing is half-written and every change stays:
 * the failing record is marked here and its form (or the conflict
 * screen) opens so it can be fixed and written again.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "views.h"

#define ARROW " \xE2\x86\x92 " /* → */
#define CROSS "\xE2\x9C\x97"   /* ✗ */

typedef struct review_line {
    long change; /* pending index, -1 for other lines */
    int head;    /* the change's first line */
    char *text;
    tui_element el;
} review_line;

typedef struct review_view {
    tui_view base;
    int quit_after;
    size_t cursor; /* pending index */
    int top;
    int page;
    review_line *lines;
    size_t nlines, cap;
} review_view;

/* Its own keys (x drops), browsing's (e edits, u undoes, Enter and w
 * commit), then the questions' (y commits). */
static const tui_scope review_scopes[] = {TUI_SCOPE_REVIEW, TUI_SCOPE_BROWSE,
                                          TUI_SCOPE_QUESTION, TUI_SCOPE_GLOBAL};

/* ---- layout ---- */

static void clear_lines(review_view *rv)
{
    for (size_t i = 0; i < rv->nlines; i++)
        free(rv->lines[i].text);
    rv->nlines = 0;
}

static void add_line(review_view *rv, long change, int head, tui_element el,
                     orm_buf *text)
{
    char *copy = orm_buf_finish(text);
    if (!copy)
        return;
    if (rv->nlines == rv->cap) {
        size_t cap = rv->cap ? 2 * rv->cap : 64;
        review_line *l = realloc(rv->lines, cap * sizeof *l);
        if (!l) {
            free(copy);
            return;
        }
        rv->lines = l;
        rv->cap = cap;
    }
    rv->lines[rv->nlines++] = (review_line){change, head, copy, el};
}

static void show_value(orm_buf *out, const orm_column *col, const orm_value *v)
{
    if (v->kind == ORM_VNULL) {
        orm_buf_append(out, "NULL");
        return;
    }
    if (col->flags & ORM_SECRET) {
        orm_buf_append(out, TUI_SECRET_MASK);
        return;
    }
    orm_buf shown = ORM_BUF_INIT;
    tui_element el;
    int right;
    /* As written: the config's NULL glyph and date format are not used. */
    tui_value_show(&shown, &el, &right, col, v, 1, NULL);
    const char *s = orm_buf_str(&shown);
    if (col->type == ORM_STRING || col->type == ORM_TEXT) {
        orm_buf_append(out, "\"");
        tui_text_fit(out, s ? s : "", s ? shown.len : 0, 60);
        orm_buf_append(out, "\"");
    } else {
        tui_text_fit(out, s ? s : "", s ? shown.len : 0, 60);
    }
    orm_buf_free(&shown);
}

static void layout_change(review_view *rv, tui_app *app, size_t i)
{
    orm_session *s = app->session;
    orm_record *rec = orm_session_pending_at(s, i);
    const orm_model *m = orm_record_model(rec);
    orm_record_state st = orm_record_state_of(rec);
    int failed = rec == orm_session_failed_record(s);
    const orm_error *err = orm_session_error(s);
    const char *bad_col = failed ? err->column : NULL;
    orm_buf b = ORM_BUF_INIT;
    char *repr = orm_record_repr(rec);
    tui_element el = st == ORM_RECORD_NEW       ? TUI_EL_PENDING_ADD
                     : st == ORM_RECORD_DELETED ? TUI_EL_PENDING_DELETE
                                                : TUI_EL_PENDING_CHANGE;
    orm_buf_appendf(&b, "%s %-7s %s (%s)",
                    st == ORM_RECORD_NEW       ? "+"
                    : st == ORM_RECORD_DELETED ? "-"
                                               : "~",
                    st == ORM_RECORD_NEW       ? "add"
                    : st == ORM_RECORD_DELETED ? "delete"
                                               : "change",
                    repr ? repr : m->name, m->table);
    free(repr);
    if (failed)
        orm_buf_appendf(&b, "  " CROSS " %s", orm_error_text(err));
    add_line(rv, (long)i, 1, failed ? TUI_EL_ERROR : el, &b);
    if (st == ORM_RECORD_DELETED)
        return;
    for (size_t c = 0; c < m->ncolumns; c++) {
        const orm_column *col = &m->columns[c];
        const orm_value *now = orm_record_value(rec, c);
        int bad = bad_col && strcmp(bad_col, col->name) == 0;
        if (st == ORM_RECORD_NEW) {
            if (now->kind == ORM_VNULL && !bad) {
                if (!orm_column_is_autoinc(m, col) && !col->server_default)
                    continue;
                orm_buf_appendf(&b, "    %s: auto", col->name);
                add_line(rv, (long)i, 0, TUI_EL_TYPE, &b);
                continue;
            }
            orm_buf_appendf(&b, "    %s: ", col->name);
            show_value(&b, col, now);
        } else {
            if (!orm_record_changed(rec, c) && !bad)
                continue;
            orm_buf_appendf(&b, "    %s: ", col->name);
            show_value(&b, col, orm_record_original(rec, c));
            orm_buf_append(&b, ARROW);
            show_value(&b, col, now);
        }
        if (bad)
            orm_buf_append(&b, "   " CROSS " here");
        add_line(rv, (long)i, 0, bad ? TUI_EL_ERROR : TUI_EL_DEFAULT, &b);
    }
}

static void layout(review_view *rv, tui_app *app)
{
    orm_session *s = app->session;
    size_t n = orm_session_pending_count(s);
    orm_buf b = ORM_BUF_INIT;
    char *plan = NULL;
    clear_lines(rv);
    for (size_t i = 0; i < n; i++)
        layout_change(rv, app, i);
    orm_buf_append(&b, "");
    add_line(rv, -1, 0, TUI_EL_DEFAULT, &b);
    orm_buf_append(&b, "SQL, in one transaction:");
    add_line(rv, -1, 0, TUI_EL_HEADER, &b);
    if (orm_session_plan(s, &plan) != 0) {
        orm_buf_appendf(&b, "  (cannot show the SQL: %s)",
                        orm_error_text(orm_session_error(s)));
        add_line(rv, -1, 0, TUI_EL_ERROR, &b);
        return;
    }
    for (const char *p = plan; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        orm_buf_append(&b, "  ");
        orm_buf_appendn(&b, p, len);
        add_line(rv, -1, 0,
                 len >= 2 && p[0] == '-' && p[1] == '-' ? TUI_EL_TYPE
                                                        : TUI_EL_DEFAULT,
                 &b);
        p += len + (nl ? 1 : 0);
    }
    free(plan);
}

/* ---- drawing ---- */

static void keep_visible(review_view *rv)
{
    int first = -1;
    for (size_t i = 0; i < rv->nlines; i++)
        if (rv->lines[i].head && rv->lines[i].change == (long)rv->cursor) {
            first = (int)i;
            break;
        }
    if (first < 0)
        return;
    int last = first;
    while ((size_t)last + 1 < rv->nlines &&
           rv->lines[last + 1].change == (long)rv->cursor)
        last++;
    if (last - rv->top >= rv->page)
        rv->top = last - rv->page + 1;
    if (first < rv->top)
        rv->top = first;
}

static void review_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                        int height)
{
    review_view *rv = (review_view *)v;
    size_t n = orm_session_pending_count(app->session);
    if (rv->cursor >= n)
        rv->cursor = n ? n - 1 : 0;
    rv->page = height;
    layout(rv, app);
    keep_visible(rv);
    int max_top = (int)rv->nlines - rv->page;
    if (rv->top > max_top)
        rv->top = max_top;
    if (rv->top < 0)
        rv->top = 0;
    for (int line = 0; line < height; line++) {
        size_t i = (size_t)(rv->top + line);
        if (i >= rv->nlines)
            break;
        const review_line *l = &rv->lines[i];
        int cur = l->head && l->change == (long)rv->cursor;
        if (cur)
            tui_screen_fill(scr, top + line, 0, scr->cols, TUI_EL_CURSOR);
        tui_screen_put(scr, top + line, 0, l->text, -1,
                       cur ? TUI_EL_CURSOR : l->el);
    }
}

static void review_title(tui_view *v, tui_app *app, orm_buf *out)
{
    (void)v;
    orm_buf_append(out, "review \xC2\xB7 ");
    tui_edit_pending_summary(app->session, out);
    orm_buf_appendf(out, " \xC2\xB7 %s", orm_db_url(app->db));
}

static void review_status(tui_view *v, tui_app *app, orm_buf *out)
{
    (void)v;
    (void)app;
    orm_buf_append(out, "y/Enter write all \xC2\xB7 x drop this change "
                        "\xC2\xB7 e edit \xC2\xB7 Esc back");
}

/* ---- actions ---- */

static unsigned commit(review_view *rv, tui_app *app)
{
    unsigned result = TUI_REDRAW;
    if (tui_edit_commit(app, &result) == 0)
        return TUI_POP | (rv->quit_after ? TUI_QUIT : 0);
    return result;
}

static unsigned drop(review_view *rv, tui_app *app)
{
    orm_record *rec = orm_session_pending_at(app->session, rv->cursor);
    if (!rec)
        return TUI_REDRAW;
    char *repr = orm_record_repr(rec);
    orm_record_state st = orm_record_state_of(rec);
    orm_session_revert(app->session, rec);
    tui_app_message(app, "dropped the %s of %s",
                    st == ORM_RECORD_NEW       ? "add"
                    : st == ORM_RECORD_DELETED ? "delete"
                                               : "change",
                    repr ? repr : "a record");
    free(repr);
    if (orm_session_pending_count(app->session) == 0)
        return TUI_POP;
    return TUI_REDRAW;
}

static unsigned edit(review_view *rv, tui_app *app)
{
    orm_record *rec = orm_session_pending_at(app->session, rv->cursor);
    tui_view *form = NULL;
    if (!rec)
        return TUI_REDRAW;
    if (orm_record_state_of(rec) == ORM_RECORD_DELETED) {
        tui_app_message(app, "a delete has nothing to edit: x drops it");
        return TUI_REDRAW;
    }
    if (tui_view_form_new(&form, app, orm_record_model(rec), rec, NULL)) {
        tui_app_error(app, "out of memory");
        return TUI_REDRAW;
    }
    app->pushed = form;
    return TUI_PUSH;
}

static unsigned act(review_view *rv, tui_app *app, tui_action a)
{
    size_t n = orm_session_pending_count(app->session);
    switch (a) {
    case TUI_ACT_ANSWER_YES:
    case TUI_ACT_OPEN:
    case TUI_ACT_WRITE:
        return commit(rv, app);
    case TUI_ACT_DROP_CHANGE:
        return drop(rv, app);
    case TUI_ACT_EDIT:
        return edit(rv, app);
    case TUI_ACT_UNDO: {
        unsigned r = tui_edit_undo(app);
        return orm_session_pending_count(app->session) ? r : r | TUI_POP;
    }
    case TUI_ACT_BACK:
        return TUI_POP;
    case TUI_ACT_MOVE_UP:
        if (rv->cursor > 0)
            rv->cursor--;
        break;
    case TUI_ACT_MOVE_DOWN:
        if (rv->cursor + 1 < n)
            rv->cursor++;
        break;
    case TUI_ACT_PAGE_UP:
        rv->top -= rv->page > 1 ? rv->page - 1 : 1;
        if (rv->top < 0)
            rv->top = 0;
        return TUI_REDRAW;
    case TUI_ACT_PAGE_DOWN:
        rv->top += rv->page > 1 ? rv->page - 1 : 1;
        return TUI_REDRAW;
    case TUI_ACT_FIRST:
        rv->cursor = 0;
        rv->top = 0;
        break;
    case TUI_ACT_LAST:
        rv->cursor = n ? n - 1 : 0;
        rv->top = (int)rv->nlines;
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
    keep_visible(rv);
    return TUI_REDRAW;
}

static unsigned review_key(tui_view *v, tui_app *app, int key)
{
    review_view *rv = (review_view *)v;
    if (key == TUI_KEY_MOUSE || key == TUI_KEY_RESIZE ||
        key == TUI_KEY_INTERRUPT)
        return TUI_UNHANDLED;
    tui_action a = tui_keymap_lookup_in(&app->keymap, review_scopes, key);
    if (a == TUI_ACT_NONE)
        return TUI_REDRAW;
    return act(rv, app, a);
}

static unsigned review_handle(tui_view *v, tui_app *app, tui_action a)
{
    return act((review_view *)v, app, a);
}

static unsigned review_click(tui_view *v, tui_app *app, int line, int col,
                             int twice)
{
    review_view *rv = (review_view *)v;
    size_t i = (size_t)(rv->top + line);
    (void)app;
    (void)col;
    (void)twice;
    if (i < rv->nlines && rv->lines[i].change >= 0)
        rv->cursor = (size_t)rv->lines[i].change;
    return TUI_REDRAW;
}

/* Nothing left to write (dropped, undone, or written from the conflict
 * screen): back to where the review was opened from. */
static unsigned review_idle(tui_view *v, tui_app *app, int *more)
{
    review_view *rv = (review_view *)v;
    *more = 0;
    if (orm_session_pending_count(app->session) > 0)
        return TUI_DONE;
    return TUI_POP | (rv->quit_after ? TUI_QUIT : 0);
}

static void review_close(tui_view *v)
{
    review_view *rv = (review_view *)v;
    if (!rv)
        return;
    clear_lines(rv);
    free(rv->lines);
    free(rv);
}

static const tui_view_ops review_ops = {
    .name = "review",
    .kind = TUI_VIEW_REVIEW,
    .draw = review_draw,
    .title = review_title,
    .status = review_status,
    .handle = review_handle,
    .click = review_click,
    .idle = review_idle,
    .key = review_key,
    .scopes = review_scopes,
    .close = review_close,
};

int tui_view_review_new(tui_view **out, tui_app *app, int quit_after)
{
    review_view *rv = calloc(1, sizeof *rv);
    (void)app;
    *out = NULL;
    if (!rv)
        return ORM_ENOMEM;
    rv->base.ops = &review_ops;
    rv->quit_after = quit_after;
    *out = &rv->base;
    return 0;
}
