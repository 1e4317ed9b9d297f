/*
 * The review screen: every pending change (kind, the record's repr, the
 * changed columns old -> new, secrets masked) and then the SQL the
 * commit will run for each change with its bound values
 * (orm_session_plan; on a network server changes of one shape go out
 * together, each row written and guarded as its line says). The change
 * under the cursor can be dropped (x) or edited (e); y or Enter commits
 * everything in one transaction, Esc goes back with nothing written.
 * When the commit fails nothing is half-written and every change stays:
 * the failing record is marked here and its form (or the conflict
 * screen) opens so it can be fixed and written again.
 *
 * A key costs what is on screen, not what is pending: how many lines
 * each change takes is counted once per change of the session
 * (orm_session_generation), cheaply (no text made); only the changes
 * in view are laid out as text at each draw, and the SQL is made when
 * it scrolls into view and kept until the pending changes change.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "mem.h"
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
    int then;      /* once written: TUI_REVIEW_THEN_* or 0 */
    size_t cursor; /* pending index */
    int top;       /* the first line shown */
    int page;
    /* Counted for the session's generation `counted_gen` (and its failed
     * record): change i takes lines [first[i], first[i + 1]). */
    int counted;
    unsigned long counted_gen;
    const orm_record *counted_failed;
    size_t nchanges;
    size_t *first;
    /* The SQL lines after the changes (a blank, the heading, the plan),
     * made when they come into view; planned: made for counted_gen. */
    int planned;
    review_line *plan;
    size_t nplan, plan_cap;
    size_t laid_out, plans; /* tui_view_review_work */
    /* Scratch: the lines of the changes being drawn. */
    review_line *lines;
    size_t nlines, cap;
} review_view;

/* Its own keys (x drops), browsing's (e edits, u undoes, Enter and w
 * commit), then the questions' (y commits). */
static const tui_scope review_scopes[] = {TUI_SCOPE_REVIEW, TUI_SCOPE_BROWSE,
                                          TUI_SCOPE_QUESTION, TUI_SCOPE_GLOBAL};

/* ---- layout ---- */

static void clear_list(review_line *lines, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free(lines[i].text);
    *n = 0;
}

static void clear_lines(review_view *rv)
{
    clear_list(rv->lines, &rv->nlines);
}

/* Append a line to a list; a failed allocation leaves the line out
 * (and counts it short: the draw shows what there is). */
static void list_add(review_line **lines, size_t *n, size_t *cap, long change,
                     int head, tui_element el, orm_buf *text)
{
    char *copy = orm_buf_finish(text);
    if (!copy)
        return;
    if (*n == *cap) {
        size_t grown = *cap ? 2 * *cap : 64;
        review_line *l = tui_realloc(*lines, grown * sizeof *l);
        if (!l) {
            free(copy);
            return;
        }
        *lines = l;
        *cap = grown;
    }
    (*lines)[(*n)++] = (review_line){change, head, copy, el};
}

static void add_line(review_view *rv, long change, int head, tui_element el,
                     orm_buf *text)
{
    list_add(&rv->lines, &rv->nlines, &rv->cap, change, head, el, text);
}

static void add_plan_line(review_view *rv, tui_element el, orm_buf *text)
{
    list_add(&rv->plan, &rv->nplan, &rv->plan_cap, -1, 0, el, text);
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

/* Does column c of a pending record get a line, and is it the column
 * the failed commit named? */
static int column_shown(const orm_record *rec, orm_record_state st, size_t c,
                        const char *bad_col, int *bad)
{
    const orm_model *m = orm_record_model(rec);
    const orm_column *col = &m->columns[c];
    *bad = bad_col && strcmp(bad_col, col->name) == 0;
    if (*bad)
        return 1;
    if (st == ORM_RECORD_NEW)
        return orm_record_value(rec, c)->kind != ORM_VNULL ||
               orm_column_is_autoinc(m, col) || col->server_default;
    return orm_record_changed(rec, c);
}

/* How many lines change i takes, without making them. */
static size_t change_lines(tui_app *app, size_t i)
{
    orm_session *s = app->session;
    orm_record *rec = orm_session_pending_at(s, i);
    orm_record_state st = orm_record_state_of(rec);
    const char *bad_col = rec == orm_session_failed_record(s)
                              ? orm_session_error(s)->column
                              : NULL;
    size_t n = 1, ncols = orm_record_model(rec)->ncolumns;
    int bad;
    if (st == ORM_RECORD_DELETED)
        return n;
    for (size_t c = 0; c < ncols; c++)
        n += (size_t)column_shown(rec, st, c, bad_col, &bad);
    return n;
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
        int bad;
        /* The same choice change_lines counted. */
        if (!column_shown(rec, st, c, bad_col, &bad))
            continue;
        if (st == ORM_RECORD_NEW) {
            if (now->kind == ORM_VNULL && !bad) {
                orm_buf_appendf(&b, "    %s: auto", col->name);
                add_line(rv, (long)i, 0, TUI_EL_TYPE, &b);
                continue;
            }
            orm_buf_appendf(&b, "    %s: ", col->name);
            show_value(&b, col, now);
        } else {
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

/* Count every change's lines again when the pending changes changed
 * since the last count; the SQL is made again when next in view. */
static void count_lines(review_view *rv, tui_app *app)
{
    orm_session *s = app->session;
    unsigned long gen = orm_session_generation(s);
    const orm_record *failed = orm_session_failed_record(s);
    size_t n = orm_session_pending_count(s);
    if (rv->counted && rv->counted_gen == gen && rv->counted_failed == failed &&
        rv->nchanges == n)
        return;
    size_t *first = tui_realloc(rv->first, (n + 1) * sizeof *first);
    if (!first) {
        tui_app_error(app, "out of memory");
        return;
    }
    rv->first = first;
    first[0] = 0;
    for (size_t i = 0; i < n; i++)
        first[i + 1] = first[i] + change_lines(app, i);
    rv->nchanges = n;
    rv->counted = 1;
    rv->counted_gen = gen;
    rv->counted_failed = failed;
    rv->planned = 0;
    clear_list(rv->plan, &rv->nplan);
}

/* The SQL part: a blank line, its heading and the plan. */
static void make_plan(review_view *rv, tui_app *app)
{
    orm_session *s = app->session;
    orm_buf b = ORM_BUF_INIT;
    char *plan = NULL;
    if (rv->planned)
        return;
    rv->planned = 1;
    rv->plans++;
    clear_list(rv->plan, &rv->nplan);
    orm_buf_append(&b, "");
    add_plan_line(rv, TUI_EL_DEFAULT, &b);
    orm_buf_append(&b, "SQL, in one transaction:");
    add_plan_line(rv, TUI_EL_HEADER, &b);
    if (orm_session_plan(s, &plan) != 0) {
        orm_buf_appendf(&b, "  (cannot show the SQL: %s)",
                        orm_error_text(orm_session_error(s)));
        add_plan_line(rv, TUI_EL_ERROR, &b);
        return;
    }
    for (const char *p = plan; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        orm_buf_append(&b, "  ");
        orm_buf_appendn(&b, p, len);
        add_plan_line(rv,
                      len >= 2 && p[0] == '-' && p[1] == '-' ? TUI_EL_TYPE
                                                             : TUI_EL_DEFAULT,
                      &b);
        p += len + (nl ? 1 : 0);
    }
    free(plan);
}

/* Lines of the changes. */
static int change_total(const review_view *rv)
{
    return rv->first ? (int)rv->first[rv->nchanges] : 0;
}

/* Every line, the SQL's made when `top` reaches them. */
static int total_lines(review_view *rv, tui_app *app, int top)
{
    if (top + rv->page > change_total(rv))
        make_plan(rv, app);
    return change_total(rv) + (rv->planned ? (int)rv->nplan : 2);
}

/* The change that line `line` (< change_total) belongs to. */
static size_t change_at_line(const review_view *rv, size_t line)
{
    size_t lo = 0, hi = rv->nchanges;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (rv->first[mid] <= line)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ---- drawing ---- */

static void keep_visible(review_view *rv)
{
    if (!rv->first || rv->cursor >= rv->nchanges)
        return;
    int first = (int)rv->first[rv->cursor];
    int last = (int)rv->first[rv->cursor + 1] - 1;
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
    count_lines(rv, app);
    keep_visible(rv);
    int max_top = total_lines(rv, app, rv->top) - rv->page;
    if (rv->top > max_top)
        rv->top = max_top;
    if (rv->top < 0)
        rv->top = 0;
    total_lines(rv, app, rv->top); /* the SQL, if now in view */
    int changes = change_total(rv);
    long laid = -1; /* the change whose lines rv->lines holds */
    rv->laid_out = 0;
    for (int line = 0; line < height; line++) {
        int i = rv->top + line;
        const review_line *l = NULL;
        if (i < changes) {
            size_t c = change_at_line(rv, (size_t)i);
            if ((long)c != laid) {
                clear_lines(rv);
                layout_change(rv, app, c);
                laid = (long)c;
                rv->laid_out++;
            }
            size_t k = (size_t)i - rv->first[c];
            if (k < rv->nlines)
                l = &rv->lines[k];
        } else if ((size_t)(i - changes) < rv->nplan) {
            l = &rv->plan[i - changes];
        }
        if (!l)
            continue;
        int cur = l->head && l->change == (long)rv->cursor;
        if (cur)
            tui_screen_fill(scr, top + line, 0, scr->cols, TUI_EL_CURSOR);
        tui_screen_put(scr, top + line, 0, l->text, -1,
                       cur ? TUI_EL_CURSOR : l->el);
    }
    clear_lines(rv);
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

/* Everything written (or nothing left): back, then what was asked. */
static unsigned done(review_view *rv, tui_app *app)
{
    if (rv->then == TUI_REVIEW_THEN_SWITCH)
        tui_switch_ask(app);
    return TUI_POP | (rv->then == TUI_REVIEW_THEN_QUIT ? TUI_QUIT : 0);
}

static unsigned commit(review_view *rv, tui_app *app)
{
    unsigned result = TUI_REDRAW;
    if (tui_edit_commit(app, &result) == 0)
        return done(rv, app);
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
        rv->top = INT32_MAX / 2; /* the draw stops at the last page */
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
    int i = rv->top + line;
    (void)app;
    (void)col;
    (void)twice;
    if (i >= 0 && i < change_total(rv))
        rv->cursor = change_at_line(rv, (size_t)i);
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
    return done(rv, app);
}

static void review_close(tui_view *v)
{
    review_view *rv = (review_view *)v;
    if (!rv)
        return;
    clear_lines(rv);
    free(rv->lines);
    clear_list(rv->plan, &rv->nplan);
    free(rv->plan);
    free(rv->first);
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

int tui_view_review_new(tui_view **out, tui_app *app, int then)
{
    review_view *rv = tui_calloc(1, sizeof *rv);
    (void)app;
    *out = NULL;
    if (!rv)
        return ORM_ENOMEM;
    rv->base.ops = &review_ops;
    rv->then = then;
    *out = &rv->base;
    return 0;
}

void tui_view_review_work(const tui_view *review, size_t *laid_out,
                          size_t *plans)
{
    const review_view *rv = (const review_view *)review;
    *laid_out = rv->laid_out;
    *plans = rv->plans;
}
