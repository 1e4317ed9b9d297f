/*
 * The filter builder (view_builder.c): drawing. The filter in the filter
 * language and how many rows match on top, then the tree as indented
 * lines, the list being chosen from, or the value being typed with what
 * is wrong with it; the keys that work now at the bottom.
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "view_builder.h"

/* ---- drawing ---- */

typedef struct wrap_state {
    tui_screen *scr;
    int row, col, rows_left;
    tui_element el;
} wrap_state;

static int wrap_line(const char *text, size_t len, void *payload)
{
    wrap_state *w = payload;
    if (w->rows_left <= 0)
        return 1;
    tui_screen_putn(w->scr, w->row++, w->col, text, len, -1, w->el);
    w->rows_left--;
    return 0;
}

/* Text wrapped at (row, col) on at most `max` lines; returns lines. */
static int put_wrapped(tui_screen *scr, int row, int col, const char *text,
                       int max, tui_element el)
{
    wrap_state w = {scr, row, col, max, el};
    int width = scr->cols - col;
    if (width < 1 || max < 1)
        return 0;
    tui_text_wrap(text, strlen(text), width, wrap_line, &w);
    return w.row - row ? w.row - row : 1;
}

static void keep_visible(size_t cursor, size_t *top, int page)
{
    size_t p = page > 0 ? (size_t)page : 1;
    if (cursor < *top)
        *top = cursor;
    if (cursor >= *top + p)
        *top = cursor - p + 1;
}

static void draw_tree(builder_view *bv, tui_app *app, tui_screen *scr, int y,
                      int height)
{
    size_t lines = tui_ftree_line_count(bv->tree);
    (void)app;
    bv->page = height;
    keep_visible(bv->cursor, &bv->top, height);
    for (int i = 0; i < height; i++) {
        size_t line = bv->top + (size_t)i;
        int depth = 0;
        tui_fnode *n;
        orm_buf b = ORM_BUF_INIT;
        if (line >= lines)
            break;
        n = tui_ftree_line(bv->tree, line, &depth);
        int cur = line == bv->cursor;
        tui_element el = cur           ? TUI_EL_CURSOR
                         : n->is_group ? TUI_EL_LABEL
                                       : TUI_EL_DEFAULT;
        if (cur)
            tui_screen_fill(scr, y + i, 0, scr->cols, TUI_EL_CURSOR);
        orm_buf_appendf(&b, "%*s", 2 * depth + 1, "");
        tui_fnode_describe(n, bv->m, &bv->today, &b);
        if (orm_buf_str(&b)) {
            orm_buf fitted = ORM_BUF_INIT;
            tui_text_fit(&fitted, b.data, b.len, scr->cols);
            tui_screen_put(scr, y + i, 0, orm_buf_str(&fitted), -1, el);
            orm_buf_free(&fitted);
        }
        orm_buf_free(&b);
    }
}

static void pick_heading(const builder_view *bv, orm_buf *out)
{
    switch (bv->mode) {
    case MODE_COLUMN:
        orm_buf_append(out,
                       bv->editing ? "Change the column" : "Which column?");
        break;
    case MODE_OP:
        orm_buf_appendf(out, "How must %s match?",
                        bv->m->columns[bv->col].name);
        break;
    default:
        orm_buf_append(out, "Filters applied before (Enter loads one):");
    }
    if (bv->mode != MODE_HISTORY)
        orm_buf_append(out, " (Enter picks, Esc goes back)");
}

/* The type of a column, and where a key leads, for the column list. */
static void column_note(const orm_column *col, orm_buf *out)
{
    orm_buf_append(out, orm_type_name(col->type));
    if (col->type == ORM_STRING && col->length)
        orm_buf_appendf(out, "(%d)", col->length);
    if (col->ref_table)
        orm_buf_appendf(out, " \xE2\x86\x92 %s", col->ref_table);
}

static void draw_pick(builder_view *bv, tui_screen *scr, int y, int height)
{
    orm_buf head = ORM_BUF_INIT;
    size_t count = builder_pick_count(bv);
    int name_w = 8;
    pick_heading(bv, &head);
    tui_screen_put(scr, y, 0, orm_buf_str(&head) ? orm_buf_str(&head) : "", -1,
                   TUI_EL_HEADER);
    orm_buf_free(&head);
    height--;
    bv->page = height;
    keep_visible(bv->pick, &bv->pick_top, height);
    for (size_t i = 0; i < count; i++) {
        int w = tui_text_widthz(builder_pick_label(bv, i));
        if (w > name_w)
            name_w = w < 30 ? w : 30;
    }
    for (int i = 0; i < height; i++) {
        size_t k = bv->pick_top + (size_t)i;
        int row = y + 1 + i;
        if (k >= count)
            break;
        int cur = k == bv->pick;
        tui_element el = cur ? TUI_EL_CURSOR : TUI_EL_DEFAULT;
        if (cur)
            tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_CURSOR);
        tui_screen_put(scr, row, 2, builder_pick_label(bv, k),
                       bv->mode == MODE_HISTORY ? -1 : name_w, el);
        if (bv->mode == MODE_COLUMN) {
            orm_buf note = ORM_BUF_INIT;
            column_note(&bv->m->columns[k], &note);
            tui_screen_put(scr, row, name_w + 4,
                           orm_buf_str(&note) ? orm_buf_str(&note) : "", -1,
                           cur ? el : TUI_EL_TYPE);
            orm_buf_free(&note);
        }
    }
}

static int is_date_column(const orm_column *col)
{
    return col->type == ORM_DATE || col->type == ORM_DATETIME ||
           col->type == ORM_DATETIMETZ;
}

static void draw_ask(builder_view *bv, tui_screen *scr, int y, int height)
{
    orm_buf head = ORM_BUF_INIT;
    const orm_column *col = builder_column_at(bv, bv->col);
    if (height < 1)
        return;
    switch (bv->ask) {
    case ASK_TEXT:
        orm_buf_append(&head, "Type the filter (Enter reads it, Esc "
                              "cancels):");
        break;
    case ASK_SAVE:
        orm_buf_appendf(&head,
                        "Save this filter of %s as (Enter saves, "
                        "Esc cancels):",
                        bv->m->name);
        break;
    case ASK_REPLACE:
        orm_buf_appendf(&head,
                        "Replace the saved filter '%s'? (y replaces "
                        "it, n picks another name)",
                        bv->save_name ? bv->save_name : "");
        break;
    case ASK_SWAP:
        orm_buf_appendf(&head,
                        "%s between: swap the values? (y swaps, n "
                        "types the second again)",
                        col->name);
        break;
    case ASK_LIST:
        orm_buf_appendf(&head,
                        "%s %s: values separated by commas, "
                        "'quoted' to keep commas",
                        col->name, tui_fop_label(bv->op, col));
        break;
    case ASK_LOW:
    case ASK_HIGH:
        orm_buf_appendf(&head, "%s between: the %s value", col->name,
                        bv->ask == ASK_LOW ? "first" : "second");
        break;
    default:
        orm_buf_appendf(&head,
                        "%s %s: type the value (Enter; Esc goes back to "
                        "the operator)",
                        col->name, tui_fop_label(bv->op, col));
    }
    int typing_value = bv->ask == ASK_VALUE || bv->ask == ASK_LOW ||
                       bv->ask == ASK_HIGH || bv->ask == ASK_LIST;
    if (typing_value && col->ref_table)
        orm_buf_appendf(&head, " \xE2\x80\x94 a key of %s (type it)",
                        col->ref_table);
    if (typing_value && is_date_column(col))
        orm_buf_append(&head, " \xE2\x80\x94 YYYY-MM-DD");
    y += put_wrapped(scr, y, 0, orm_buf_str(&head) ? orm_buf_str(&head) : "", 2,
                     TUI_EL_HEADER);
    orm_buf_free(&head);
    if (bv->ask == ASK_TEXT && bv->ask_text) {
        /* The text once more, with a caret under the error. */
        tui_screen_put(scr, y, 2, bv->ask_text, -1, TUI_EL_DEFAULT);
        y++;
        if (bv->ask_error && bv->ask_pos) {
            int at = 2 + tui_ftext_caret_column(bv->ask_text, bv->ask_pos);
            if (at >= scr->cols)
                at = scr->cols - 1;
            tui_screen_put(scr, y, at, "^", 1, TUI_EL_ERROR);
            y++;
        }
    }
    if (bv->ask_error)
        put_wrapped(scr, y, 2, bv->ask_error, 3, TUI_EL_ERROR);
    else if (bv->ask == ASK_TEXT)
        tui_screen_put(scr, y, 2, "(reads fine)", -1, TUI_EL_NULL_VALUE);
}

/* "a add  A group ..." from the keys bound now. */
static void hints_text(tui_app *app, orm_buf *b)
{
    static const struct {
        tui_action a;
        const char *what;
    } hints[] = {
        {TUI_ACT_FILTER_ADD, "add"},     {TUI_ACT_FILTER_GROUP, "group"},
        {TUI_ACT_FILTER_EDIT, "edit"},   {TUI_ACT_FILTER_DELETE, "delete"},
        {TUI_ACT_FILTER_JOIN, "and/or"}, {TUI_ACT_FILTER_NOT, "not"},
        {TUI_ACT_FILTER_MOVE_UP, "up"},  {TUI_ACT_FILTER_MOVE_DOWN, "down"},
        {TUI_ACT_FILTER_CASE, "case"},   {TUI_ACT_FILTER_TEXT, "text"},
        {TUI_ACT_FILTER_SAVE, "save"},   {TUI_ACT_FILTER_HISTORY, "history"},
        {TUI_ACT_CLEAR_FILTER, "clear"}, {TUI_ACT_FILTER_APPLY, "apply"},
        {TUI_ACT_BACK, "back"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        char key[32];
        builder_first_key(app, hints[i].a, key, sizeof key);
        if (key[0])
            orm_buf_appendf(b, "%s%s %s", b->len ? "  " : "", key,
                            hints[i].what);
    }
}

static int count_line(const char *text, size_t len, void *payload)
{
    (void)text;
    (void)len;
    (*(int *)payload)++;
    return 0;
}

void builder_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                  int height)
{
    builder_view *bv = (builder_view *)v;
    orm_buf b = ORM_BUF_INIT, hints = ORM_BUF_INIT;
    int y = top, bottom = top + height;
    int hint_lines = 0;

    tui_screen_put(scr, y, 0, "filter: ", -1, TUI_EL_LABEL);
    if (bv->text && *bv->text)
        y += put_wrapped(scr, y, 8, bv->text, FILTER_LINES_MAX, TUI_EL_DEFAULT);
    else
        tui_screen_put(scr, y++, 8, "(none: every row)", -1, TUI_EL_NULL_VALUE);
    tui_screen_put(scr, y, 0, "matches: ", -1, TUI_EL_LABEL);
    builder_count_text(bv, &b);
    tui_screen_put(scr, y++, 9, orm_buf_str(&b) ? orm_buf_str(&b) : "", -1,
                   bv->count_state == COUNT_FAILED ? TUI_EL_ERROR
                                                   : TUI_EL_DEFAULT);
    orm_buf_free(&b);
    y++;
    if (bv->ask != ASK_NONE) {
        draw_ask(bv, scr, y, bottom - y);
        return;
    }
    if (bv->mode != MODE_TREE) {
        draw_pick(bv, scr, y, bottom - y);
        return;
    }
    hints_text(app, &hints);
    if (orm_buf_str(&hints))
        tui_text_wrap(hints.data, hints.len, scr->cols, count_line,
                      &hint_lines);
    if (hint_lines > 3)
        hint_lines = 3;
    if (bottom - y - hint_lines - 1 < 2)
        hint_lines = 0;
    draw_tree(bv, app, scr, y, bottom - y - (hint_lines ? hint_lines + 1 : 0));
    if (hint_lines)
        put_wrapped(scr, bottom - hint_lines, 0, hints.data, hint_lines,
                    TUI_EL_HELP_KEY);
    orm_buf_free(&hints);
}

void builder_title(tui_view *v, tui_app *app, orm_buf *out)
{
    builder_view *bv = (builder_view *)v;
    (void)app;
    orm_buf_appendf(out, "Filter %s (%s)", bv->m->name, bv->m->table);
    if (bv->saved_name)
        orm_buf_appendf(out, " \xC2\xB7 saved as '%s'", bv->saved_name);
}

void builder_status(tui_view *v, tui_app *app, orm_buf *out)
{
    builder_view *bv = (builder_view *)v;
    size_t n = tui_ftree_conditions(bv->tree);
    char apply[32], back[32];
    builder_first_key(app, TUI_ACT_FILTER_APPLY, apply, sizeof apply);
    builder_first_key(app, TUI_ACT_BACK, back, sizeof back);
    orm_buf_appendf(out,
                    "filter builder \xE2\x94\x82 %zu condition%s "
                    "\xE2\x94\x82 %s applies \xE2\x94\x82 %s leaves",
                    n, n == 1 ? "" : "s", apply, back);
}
