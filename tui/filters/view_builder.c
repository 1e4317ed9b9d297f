/*
 * The filter builder (`f` on the rows screen): the filter as indented
 * lines of conditions and and/or groups, edited in place; above them the
 * filter in the filter language and how many rows match (counted between
 * keys, a quick capped count first). Adding or changing a condition goes
 * column -> operator (only those that fit the column's type) -> typed
 * value(s) checked as a form checks them. `:` edits the whole filter as
 * text with a caret under any error; `s` saves it, history recalls
 * what was applied before, Enter applies it to the rows below.
 *
 * The tree itself lives in filter_tree.c; this file turns keys into
 * edits, view_builder_draw.c draws it, view_builder_apply.c counts the
 * matching rows, applies and saves the filter (their shared state:
 * view_builder.h). What the rows screen does with f, F and the
 * clear-filter key is in filter_views.c.
 *
 * A foreign key column with =, != or "in list" takes its values from
 * the row picker the forms use (views.h; view_builder_pick.c) instead
 * of typed keys: one row for = and !=, marked rows for the list. A key
 * of several columns becomes an and-group of its columns (an or-group
 * of those for a list, a negated one for !=).
 */
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "edit.h"
#include "filter_tree.h"
#include "filter_views.h"
#include "mem.h"
#include "view_builder.h"
#include "views.h"

/* ---- small helpers ---- */

static int in_list(tui_action a, const tui_action *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == a)
            return 1;
    return 0;
}

void builder_set_str(char **slot, const char *text)
{
    free(*slot);
    *slot = text ? orm_strdup(text) : NULL;
}

tui_fnode *builder_current(const builder_view *bv)
{
    tui_fnode *n = tui_ftree_line(bv->tree, bv->cursor, NULL);
    return n ? n : bv->tree->root;
}

const orm_column *builder_column_at(const builder_view *bv, size_t i)
{
    return i < bv->m->ncolumns ? &bv->m->columns[i] : NULL;
}

/* The first key bound to an action, as its name. */
void builder_first_key(const tui_app *app, tui_action a, char *out, size_t size)
{
    orm_buf b = ORM_BUF_INIT;
    tui_keymap_describe(&app->keymap, a, &b);
    const char *s = orm_buf_str(&b);
    size_t n = s ? strcspn(s, " ") : 0;
    snprintf(out, size, "%.*s", (int)n, s ? s : "");
    orm_buf_free(&b);
}

/* The tree changed: new text, count again. */
void builder_changed(builder_view *bv)
{
    free(bv->text);
    bv->text = tui_ftree_text(bv->tree, &bv->today);
    bv->count_state = COUNT_PENDING;
    bv->count_step = 1;
    free(bv->count_error);
    bv->count_error = NULL;
    size_t lines = tui_ftree_line_count(bv->tree);
    if (bv->cursor >= lines)
        bv->cursor = lines ? lines - 1 : 0;
}

void builder_end_ask(builder_view *bv)
{
    bv->ask = ASK_NONE;
    builder_set_str(&bv->ask_text, NULL);
    builder_set_str(&bv->ask_error, NULL);
    bv->ask_pos = 0;
    orm_value_clear(&bv->low);
    orm_value_clear(&bv->high);
    builder_set_str(&bv->save_name, NULL);
}

/* The condition being made is done with (made or given up): what was
 * typed for it goes. */
static void drop_drafts(builder_view *bv)
{
    builder_set_str(&bv->draft[0], NULL);
    builder_set_str(&bv->draft[1], NULL);
}

void builder_start_ask(builder_view *bv, tui_app *app, builder_ask what,
                       const char *label, const char *initial)
{
    bv->ask = what;
    builder_set_str(&bv->ask_text, initial ? initial : "");
    builder_set_str(&bv->ask_error, NULL);
    bv->ask_pos = 0;
    tui_app_prompt(app, TUI_PROMPT_SEARCH, label, initial);
}

/* Ask again with the same text after an error (the text is copied
 * first: it may live in the prompt's own buffer). */
static void ask_again(builder_view *bv, tui_app *app, const char *label,
                      const char *text, const char *error, size_t pos)
{
    char *keep = orm_strdup(text);
    char *why = orm_strdup(error);
    builder_ask what = bv->ask;
    tui_app_prompt(app, TUI_PROMPT_SEARCH, label, keep ? keep : "");
    bv->ask = what;
    free(bv->ask_text);
    bv->ask_text = keep;
    free(bv->ask_error);
    bv->ask_error = why;
    bv->ask_pos = pos;
}

/* ---- making a condition ---- */

static void start_condition(builder_view *bv, tui_fnode *editing)
{
    drop_drafts(bv);
    bv->op = TUI_FOP_COUNT; /* none chosen yet */
    bv->editing = editing;
    bv->mode = MODE_COLUMN;
    bv->pick = bv->pick_top = 0;
    if (editing) {
        int i = orm_model_column_index(bv->m, editing->column);
        if (i >= 0)
            bv->pick = (size_t)i;
    }
}

static void choose_column(builder_view *bv)
{
    const orm_column *col = builder_column_at(bv, bv->pick);
    /* Back on the column it had (Esc stepped back): its operator again. */
    tui_fop again = bv->col == bv->pick ? bv->op : TUI_FOP_COUNT;
    bv->col = bv->pick;
    bv->nops = tui_fop_choices(col, bv->ops, TUI_FOP_COUNT);
    bv->mode = MODE_OP;
    bv->pick = bv->pick_top = 0;
    if (again == TUI_FOP_COUNT && bv->editing &&
        strcmp(bv->editing->column, col->name) == 0)
        again = bv->editing->op;
    for (size_t i = 0; i < bv->nops; i++)
        if (bv->ops[i] == again)
            bv->pick = i;
}

/* The value the condition being edited had, to type over. */
static char *old_value_text(const builder_view *bv, size_t i)
{
    const tui_fnode *n = bv->editing;
    const orm_column *col = builder_column_at(bv, bv->col);
    if (i < 2 && bv->draft[i]) /* typed before Esc stepped back */
        return orm_strdup(bv->draft[i]);
    if (!n || strcmp(n->column, col->name) != 0 || i >= n->nvalues ||
        tui_fop_values(n->op) != tui_fop_values(bv->op))
        return NULL;
    if (tui_fop_values(bv->op) < 0)
        return tui_fvalues_text(n->values, n->nvalues, col);
    return tui_fvalue_text(&n->values[i], col);
}

unsigned builder_finish_condition(builder_view *bv, tui_app *app,
                                  const orm_value *values, size_t n)
{
    const orm_column *col = builder_column_at(bv, bv->col);
    int rc;
    if (bv->editing) {
        /* A text match keeps its case choice; one that becomes a text
         * match takes the operator's default. */
        int icase = tui_fop_has_case(bv->editing->op)
                        ? bv->editing->icase && tui_fop_has_case(bv->op)
                        : tui_fop_default_icase(bv->op);
        rc = tui_fnode_set(bv->editing, col->name, bv->op, values, n, icase);
        if (rc == 0)
            bv->cursor = tui_ftree_line_of(bv->tree, bv->editing);
    } else {
        tui_fnode *node = tui_fnode_new_condition(
            col->name, bv->op, values, n, tui_fop_default_icase(bv->op));
        rc = node ? tui_ftree_insert(bv->tree, builder_current(bv), node)
                  : ORM_ENOMEM;
        if (rc == 0)
            bv->cursor = tui_ftree_line_of(bv->tree, node);
    }
    bv->mode = MODE_TREE;
    bv->editing = NULL;
    builder_end_ask(bv);
    drop_drafts(bv);
    if (rc)
        tui_app_error(app, "out of memory");
    builder_changed(bv);
    return TUI_REDRAW;
}

static unsigned choose_op(builder_view *bv, tui_app *app)
{
    char *old;
    bv->op = bv->ops[bv->pick];
    if ((bv->op == TUI_FOP_EQ || bv->op == TUI_FOP_NE ||
         bv->op == TUI_FOP_IN) &&
        builder_fk_resolve(bv, app, bv->col, &bv->fk))
        return builder_open_picker(bv, app);
    switch (tui_fop_values(bv->op)) {
    case 0:
        return builder_finish_condition(bv, app, NULL, 0);
    case 1:
        old = old_value_text(bv, 0);
        builder_start_ask(bv, app, ASK_VALUE, "value: ", old);
        break;
    case 2:
        old = old_value_text(bv, 0);
        builder_start_ask(bv, app, ASK_LOW, "from: ", old);
        break;
    default:
        old = old_value_text(bv, 0);
        builder_start_ask(bv, app, ASK_LIST, "values: ", old);
    }
    free(old);
    return TUI_REDRAW;
}

/* A value typed at a value prompt: checked, then the next step. */
static unsigned submit_value(builder_view *bv, tui_app *app, const char *text,
                             const char *label)
{
    const orm_column *col = builder_column_at(bv, bv->col);
    orm_error err = ORM_ERROR_INIT;
    orm_buf why = ORM_BUF_INIT;
    orm_value v = ORM_VALUE_NULL_INIT;
    orm_value *list = NULL;
    size_t n = 0;
    int is_list = bv->ask == ASK_LIST;
    int rc = is_list ? tui_fvalues_parse(&list, &n, col, text, &err)
                     : tui_fvalue_parse(&v, col, bv->op, text, &err);
    const orm_value *values = is_list ? list : &v;
    size_t nvalues = is_list ? n : 1;
    if (rc)
        orm_buf_appendf(&why, "%s: %s", col->name, orm_error_text(&err));
    if (rc) {
        ask_again(bv, app, label, text, orm_buf_str(&why), 0);
    } else if (bv->ask == ASK_LOW) {
        char *old = old_value_text(bv, 1);
        builder_set_str(&bv->draft[0], text);
        orm_value_clear(&bv->low);
        bv->low = v; /* moved */
        v = orm_value_null();
        builder_start_ask(bv, app, ASK_HIGH, "to: ", old);
        free(old);
    } else if (bv->ask == ASK_HIGH && tui_fvalues_reversed(&bv->low, &v, col)) {
        /* Nothing lies between them: say so, offer to swap. */
        char *a = tui_fvalue_text(&bv->low, col);
        char *b = tui_fvalue_text(&v, col);
        builder_set_str(&bv->draft[1], text);
        orm_value_clear(&bv->high);
        bv->high = v; /* moved */
        v = orm_value_null();
        builder_start_ask(bv, app, ASK_SWAP, "swap? y/n: ", NULL);
        orm_buf_appendf(&why,
                        "%s between %s and %s matches nothing: the first "
                        "value is after the second",
                        col->name, a ? a : "?", b ? b : "?");
        builder_set_str(&bv->ask_error, orm_buf_str(&why));
        free(a);
        free(b);
    } else if (bv->ask == ASK_HIGH) {
        orm_value both[2] = {bv->low, v};
        /* copies, then clears low */
        builder_finish_condition(bv, app, both, 2);
    } else {
        builder_finish_condition(bv, app, values, nvalues);
    }
    orm_value_clear(&v);
    tui_fvalues_free(list, n);
    orm_buf_free(&why);
    orm_error_clear(&err);
    return TUI_REDRAW;
}

/* ---- the text editor ---- */

static void check_text(builder_view *bv, const char *text)
{
    tui_ftree *probe = NULL;
    orm_error err = ORM_ERROR_INIT;
    builder_set_str(&bv->ask_text, text);
    builder_set_str(&bv->ask_error, NULL);
    bv->ask_pos = 0;
    if (tui_ftree_new(&probe, bv->m) == 0 &&
        tui_ftree_parse(probe, text, &err) != 0) {
        builder_set_str(&bv->ask_error, orm_error_text(&err));
        bv->ask_pos = err.position;
    }
    tui_ftree_free(probe);
    orm_error_clear(&err);
}

static unsigned submit_text(builder_view *bv, tui_app *app, const char *text)
{
    orm_error err = ORM_ERROR_INIT;
    if (tui_ftree_parse(bv->tree, text, &err) != 0) {
        ask_again(bv, app, "filter: ", text, orm_error_text(&err),
                  err.position);
    } else {
        builder_end_ask(bv);
        bv->cursor = 0;
        builder_changed(bv);
    }
    orm_error_clear(&err);
    return TUI_REDRAW;
}

static int said_yes(const char *answer)
{
    return answer[0] == 'y' || answer[0] == 'Y';
}

/* Esc at a prompt goes back one step and loses nothing: a value typed
 * for the condition is kept for when it is asked again (the operator
 * chooser shows, Esc there goes to the column, once more to the tree);
 * the second value of a between goes back to the first. */
static unsigned step_back(builder_view *bv, tui_app *app, const char *text)
{
    switch (bv->ask) {
    case ASK_VALUE:
    case ASK_LOW:
    case ASK_LIST:
        builder_set_str(&bv->draft[0], text);
        builder_end_ask(bv);
        bv->mode = MODE_OP; /* the operator still chosen */
        tui_app_message(app, "back to the operator (what you typed is "
                             "kept); Esc again: the column");
        return TUI_REDRAW;
    case ASK_HIGH:
    case ASK_SWAP: {
        char *low = NULL;
        if (bv->ask == ASK_HIGH)
            builder_set_str(&bv->draft[1], text);
        builder_end_ask(bv);
        low = old_value_text(bv, 0);
        builder_start_ask(bv, app, ASK_LOW, "from: ", low);
        free(low);
        return TUI_REDRAW;
    }
    case ASK_REPLACE: {
        char *name = bv->save_name ? orm_strdup(bv->save_name) : NULL;
        builder_end_ask(bv);
        builder_start_ask(bv, app, ASK_SAVE, "save as: ", name);
        free(name);
        return TUI_REDRAW;
    }
    default:
        builder_end_ask(bv);
        return TUI_REDRAW;
    }
}

static unsigned answer_replace(builder_view *bv, tui_app *app, const char *text)
{
    char *name = bv->save_name ? orm_strdup(bv->save_name) : NULL;
    unsigned r = TUI_REDRAW;
    if (!name) {
        builder_end_ask(bv);
        tui_app_error(app, "out of memory");
        return r;
    }
    if (said_yes(text)) {
        r = builder_save_filter(bv, app, name, 1);
    } else {
        builder_end_ask(bv);
        builder_start_ask(bv, app, ASK_SAVE, "save as: ", name);
        builder_set_str(&bv->ask_error, "not replaced: type another name");
    }
    free(name);
    return r;
}

static unsigned answer_swap(builder_view *bv, tui_app *app, const char *text)
{
    if (said_yes(text)) {
        orm_value both[2] = {bv->high, bv->low};
        return builder_finish_condition(bv, app, both, 2);
    }
    /* n: the second value again, as typed. */
    orm_value_clear(&bv->high);
    char *high = old_value_text(bv, 1);
    builder_start_ask(bv, app, ASK_HIGH, "to: ", high);
    free(high);
    return TUI_REDRAW;
}

static unsigned builder_prompt(tui_view *v, tui_app *app, tui_prompt_kind kind,
                               const char *text, int done)
{
    builder_view *bv = (builder_view *)v;
    static const char *const labels[] = {[ASK_VALUE] = "value: ",
                                         [ASK_LOW] = "from: ",
                                         [ASK_HIGH] = "to: ",
                                         [ASK_LIST] = "values: ",
                                         [ASK_TEXT] = "filter: ",
                                         [ASK_SAVE] = "save as: ",
                                         [ASK_REPLACE] = "replace? y/n: ",
                                         [ASK_SWAP] = "swap? y/n: "};
    (void)kind;
    if (bv->ask == ASK_NONE)
        return TUI_REDRAW;
    if (done < 0)
        return step_back(bv, app, text);
    if (done == 0) {
        if (bv->ask == ASK_TEXT) {
            check_text(bv, text);
        } else {
            builder_set_str(&bv->ask_text, text);
            builder_set_str(&bv->ask_error, NULL);
        }
        return TUI_REDRAW;
    }
    switch (bv->ask) {
    case ASK_TEXT:
        return submit_text(bv, app, text);
    case ASK_REPLACE:
        return answer_replace(bv, app, text);
    case ASK_SWAP:
        return answer_swap(bv, app, text);
    case ASK_SAVE: {
        char *name = orm_strdup(text);
        unsigned r;
        if (!name || !*name) {
            ask_again(bv, app, labels[ASK_SAVE], "",
                      "a saved filter needs a name", 0);
            free(name);
            return TUI_REDRAW;
        }
        r = builder_save_filter(bv, app, name, 0);
        free(name);
        return r;
    }
    default:
        return submit_value(bv, app, text, labels[bv->ask]);
    }
}

/* ---- keys ---- */

static const tui_action tree_keys[] = {
    TUI_ACT_FILTER_APPLY,     TUI_ACT_FILTER_ADD,    TUI_ACT_FILTER_GROUP,
    TUI_ACT_FILTER_EDIT,      TUI_ACT_FILTER_DELETE, TUI_ACT_FILTER_JOIN,
    TUI_ACT_FILTER_NOT,       TUI_ACT_FILTER_CASE,   TUI_ACT_FILTER_MOVE_UP,
    TUI_ACT_FILTER_MOVE_DOWN, TUI_ACT_FILTER_TEXT,   TUI_ACT_FILTER_SAVE,
    TUI_ACT_FILTER_HISTORY,   TUI_ACT_CLEAR_FILTER,  TUI_ACT_BACK,
    TUI_ACT_MOVE_UP,          TUI_ACT_MOVE_DOWN,     TUI_ACT_PAGE_UP,
    TUI_ACT_PAGE_DOWN,        TUI_ACT_FIRST,         TUI_ACT_LAST,
    TUI_ACT_REFRESH};

static const tui_action pick_keys[] = {
    TUI_ACT_OPEN,      TUI_ACT_FILTER_APPLY, TUI_ACT_BACK,
    TUI_ACT_MOVE_UP,   TUI_ACT_MOVE_DOWN,    TUI_ACT_PAGE_UP,
    TUI_ACT_PAGE_DOWN, TUI_ACT_FIRST,        TUI_ACT_LAST};

size_t builder_pick_count(const builder_view *bv)
{
    switch (bv->mode) {
    case MODE_COLUMN:
        return bv->m->ncolumns;
    case MODE_OP:
        return bv->nops;
    case MODE_HISTORY:
        return bv->nhistory;
    default:
        return 0;
    }
}

const char *builder_pick_label(const builder_view *bv, size_t i)
{
    switch (bv->mode) {
    case MODE_COLUMN:
        return bv->m->columns[i].name;
    case MODE_OP:
        return tui_fop_label(bv->ops[i], builder_column_at(bv, bv->col));
    case MODE_HISTORY:
        return bv->history[i];
    default:
        return "";
    }
}

static unsigned pick_action(builder_view *bv, tui_app *app, tui_action a)
{
    size_t count = builder_pick_count(bv);
    long page = bv->page > 1 ? bv->page : 1;
    if (tui_list_move(&bv->pick, count, (size_t)page, a))
        return TUI_REDRAW;
    switch (a) {
    case TUI_ACT_BACK:
        if (bv->mode == MODE_OP) {
            bv->mode = MODE_COLUMN;
            bv->pick = bv->col;
        } else {
            if (bv->mode == MODE_COLUMN)
                tui_app_message(app, "condition not changed");
            bv->mode = MODE_TREE;
            bv->editing = NULL;
            drop_drafts(bv);
        }
        return TUI_REDRAW;
    case TUI_ACT_OPEN:
    case TUI_ACT_FILTER_APPLY:
        if (bv->mode == MODE_COLUMN) {
            choose_column(bv);
            return TUI_REDRAW;
        }
        if (bv->mode == MODE_OP)
            return choose_op(bv, app);
        if (bv->mode == MODE_HISTORY && bv->pick < bv->nhistory) {
            orm_error err = ORM_ERROR_INIT;
            bv->mode = MODE_TREE;
            if (tui_ftree_parse(bv->tree, bv->history[bv->pick], &err) != 0)
                tui_app_error(app, "that filter no longer fits %s: %s",
                              bv->m->name, orm_error_text(&err));
            orm_error_clear(&err);
            bv->cursor = 0;
            builder_changed(bv);
        }
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
}

/* A letter in a chooser: the next item starting with it. */
static unsigned pick_jump(builder_view *bv, int key)
{
    size_t count = builder_pick_count(bv);
    int lower = key >= 'A' && key <= 'Z' ? key - 'A' + 'a' : key;
    for (size_t k = 1; k <= count; k++) {
        size_t i = (bv->pick + k) % count;
        int c = (unsigned char)builder_pick_label(bv, i)[0];
        if (c >= 'A' && c <= 'Z')
            c = c - 'A' + 'a';
        if (c == lower) {
            bv->pick = i;
            return TUI_REDRAW;
        }
    }
    return TUI_DONE;
}

static unsigned add_group(builder_view *bv)
{
    tui_fnode *at = builder_current(bv);
    tui_fnode *parent = at->is_group ? at : at->parent;
    orm_op join = parent && parent->join == ORM_OP_AND ? ORM_OP_OR : ORM_OP_AND;
    tui_fnode *g = tui_fnode_new_group(join);
    if (!g || tui_ftree_insert(bv->tree, at, g) != 0)
        return TUI_REDRAW;
    bv->cursor = tui_ftree_line_of(bv->tree, g);
    builder_changed(bv);
    return TUI_REDRAW;
}

static unsigned tree_action(builder_view *bv, tui_app *app, tui_action a)
{
    tui_fnode *node = builder_current(bv);
    size_t lines = tui_ftree_line_count(bv->tree);
    long page = bv->page > 1 ? bv->page : 1;
    if (tui_list_move(&bv->cursor, lines, (size_t)page, a))
        return TUI_REDRAW;
    switch (a) {
    case TUI_ACT_FILTER_APPLY:
    case TUI_ACT_OPEN:
        return builder_apply_filter(bv, app);
    case TUI_ACT_BACK:
        return TUI_POP; /* nothing applied */
    case TUI_ACT_FILTER_ADD:
        start_condition(bv, NULL);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_EDIT:
        if (node->is_group) {
            tui_app_message(app, "a group: o switches and/or, ! negates, "
                                 "a adds a condition in it");
            return TUI_REDRAW;
        }
        start_condition(bv, node);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_DELETE:
        tui_ftree_delete(bv->tree, node);
        builder_changed(bv);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_GROUP:
        return add_group(bv);
    case TUI_ACT_FILTER_JOIN:
        tui_fnode_toggle_join(node->is_group ? node : node->parent);
        builder_changed(bv);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_NOT:
        node->negated = !node->negated;
        builder_changed(bv);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_CASE:
        if (tui_fnode_toggle_case(node) != 0) {
            tui_app_error(app, "ignoring case works on text matches: "
                               "contains, starts with, ends with, like");
            return TUI_REDRAW;
        }
        builder_changed(bv);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_MOVE_UP:
    case TUI_ACT_FILTER_MOVE_DOWN:
        if (tui_ftree_move(bv->tree, node,
                           a == TUI_ACT_FILTER_MOVE_UP ? -1 : 1)) {
            bv->cursor = tui_ftree_line_of(bv->tree, node);
            builder_changed(bv);
        }
        return TUI_REDRAW;
    case TUI_ACT_FILTER_TEXT:
        builder_start_ask(bv, app, ASK_TEXT, "filter: ", bv->text);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_SAVE:
        if (tui_ftree_empty(bv->tree)) {
            tui_app_error(app, "nothing to save: add a condition first");
            return TUI_REDRAW;
        }
        builder_start_ask(bv, app, ASK_SAVE, "save as: ", bv->saved_name);
        return TUI_REDRAW;
    case TUI_ACT_FILTER_HISTORY:
        return builder_open_history(bv, app);
    case TUI_ACT_CLEAR_FILTER:
        tui_ftree_clear(bv->tree);
        bv->cursor = 0;
        builder_changed(bv);
        tui_app_message(app, "no conditions left: Enter shows every row");
        return TUI_REDRAW;
    case TUI_ACT_REFRESH:
        builder_changed(bv);
        return TUI_REDRAW;
    default:
        return TUI_UNHANDLED;
    }
}

static unsigned builder_handle(tui_view *v, tui_app *app, tui_action a)
{
    builder_view *bv = (builder_view *)v;
    if (bv->mode != MODE_TREE)
        return pick_action(bv, app, a);
    return tree_action(bv, app, a);
}

/* Keys first: the builder's own actions win over the global ones that
 * share their keys (s saves here, : edits the text, d deletes). */
static unsigned builder_key(tui_view *v, tui_app *app, int key)
{
    builder_view *bv = (builder_view *)v;
    const tui_action *keys = bv->mode == MODE_TREE ? tree_keys : pick_keys;
    size_t n = bv->mode == MODE_TREE ? sizeof tree_keys / sizeof *tree_keys
                                     : sizeof pick_keys / sizeof *pick_keys;
    tui_action a = tui_edit_lookup(app, key, keys, n);
    if (in_list(a, keys, n)) {
        unsigned r = builder_handle(v, app, a);
        return r & TUI_UNHANDLED ? TUI_REDRAW : r;
    }
    if (bv->mode != MODE_TREE && key > 32 && key < 127)
        return pick_jump(bv, key);
    return TUI_UNHANDLED;
}

/* ---- life ---- */

static int builder_open(tui_view *v, tui_app *app)
{
    builder_view *bv = (builder_view *)v;
    orm_error err = ORM_ERROR_INIT;
    int rc = tui_ftree_new(&bv->tree, bv->m);
    if (rc) {
        tui_app_error(app, "out of memory");
        return rc;
    }
    if (bv->initial) {
        if (tui_ftree_parse(bv->tree, bv->initial, &err) != 0) {
            /* Show it as text with the error: it can be fixed there. */
            char *text = orm_strdup(bv->initial);
            bv->ask = ASK_TEXT;
            ask_again(bv, app, "filter: ", text ? text : "",
                      orm_error_text(&err), err.position);
            free(text);
        }
    } else {
        const orm_expr *f = tui_view_rows_filter(bv->rows);
        if (f && tui_ftree_load(bv->tree, f, &err) != 0) {
            char *text = orm_filter_print(f);
            bv->ask = ASK_TEXT;
            ask_again(bv, app, "filter: ", text ? text : "",
                      orm_error_text(&err), err.position);
            free(text);
        }
    }
    orm_error_clear(&err);
    builder_changed(bv);
    return 0;
}

static void builder_close(tui_view *v)
{
    builder_view *bv = (builder_view *)v;
    if (!bv)
        return;
    tui_ftree_free(bv->tree);
    free(bv->text);
    free(bv->ask_text);
    free(bv->ask_error);
    free(bv->saved_name);
    free(bv->initial);
    free(bv->count_error);
    orm_value_clear(&bv->low);
    orm_value_clear(&bv->high);
    drop_drafts(bv);
    free(bv->save_name);
    tui_strings_free(bv->history, bv->nhistory);
    free(bv);
}

static const tui_view_ops builder_ops = {
    .name = "filter-builder",
    .kind = TUI_VIEW_BUILDER,
    .open = builder_open,
    .draw = builder_draw,
    .title = builder_title,
    .status = builder_status,
    .handle = builder_handle,
    .prompt = builder_prompt,
    .idle = builder_idle,
    .close = builder_close,
    .key = builder_key,
};

int tui_view_builder_new(tui_view **out, tui_app *app, tui_view *rows,
                         const char *text, const char *saved_name)
{
    builder_view *bv = tui_calloc(1, sizeof *bv);
    (void)app;
    *out = NULL;
    if (!bv)
        return ORM_ENOMEM;
    bv->base.ops = &builder_ops;
    bv->rows = rows;
    bv->m = tui_view_rows_model(rows);
    tui_date_today(&bv->today);
    if (!bv->m || (text && !(bv->initial = orm_strdup(text))) ||
        (saved_name && !(bv->saved_name = orm_strdup(saved_name)))) {
        builder_close(&bv->base);
        return bv->m ? ORM_ENOMEM : ORM_EINVALID;
    }
    *out = &bv->base;
    return 0;
}
