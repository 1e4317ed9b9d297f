/*
 * Keys per scope: each screen reads its own scope first, then the scopes
 * it borrows, then the global one; rebinding a key in one scope (in the
 * config) leaves the other screens their keys; a key the config binds
 * twice in one scope is reported as path:line; the help screen lists the
 * actions under a heading per scope. The end-to-end tests drive the app
 * on an in-memory screen over the SQLite fixture with a config file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "helper_file.h"
#include "keymap.h"
#include "test_tui_fixture.h"

static const tui_scope builder_chain[] = {TUI_SCOPE_BUILDER, TUI_SCOPE_BROWSE,
                                          TUI_SCOPE_GLOBAL};
static const tui_scope form_chain[] = {TUI_SCOPE_FORM, TUI_SCOPE_GLOBAL};
static const tui_scope conflict_chain[] = {TUI_SCOPE_CONFLICT, TUI_SCOPE_REVIEW,
                                           TUI_SCOPE_QUESTION, TUI_SCOPE_BROWSE,
                                           TUI_SCOPE_GLOBAL};
static const tui_scope review_chain[] = {TUI_SCOPE_REVIEW, TUI_SCOPE_BROWSE,
                                         TUI_SCOPE_QUESTION, TUI_SCOPE_GLOBAL};

/* ---- the keymap alone ---- */

static void test_keymap__default_keys_are_bound_once_per_scope(void **state)
{
    tui_keymap km;
    (void)state;
    tui_keymap_default(&km);
    for (size_t i = 0; i < km.count; i++) {
        for (size_t j = i + 1; j < km.count; j++) {
            tui_binding a = km.bindings[i], b = km.bindings[j];
            if (a.key == b.key &&
                tui_action_scope(a.action) == tui_action_scope(b.action))
                fail_msg("%s and %s share a key in %s",
                         tui_action_name(a.action), tui_action_name(b.action),
                         tui_scope_title(tui_action_scope(a.action)));
        }
    }
    /* Every scope has a heading and at least one action. */
    for (int s = 0; s < TUI_SCOPE_COUNT; s++) {
        int n = 0;
        assert_true(strlen(tui_scope_title((tui_scope)s)) > 3);
        for (int a = 0; a < TUI_ACTION_COUNT; a++)
            n += tui_action_scope((tui_action)a) == (tui_scope)s;
        if (n == 0)
            fail_msg("scope %s has no action", tui_scope_title((tui_scope)s));
    }
}

static void test_keymap__a_screen_reads_its_own_scope_first(void **state)
{
    tui_keymap km;
    (void)state;
    tui_keymap_default(&km);
    /* One key, one action per scope. */
    assert_int_equal(tui_keymap_get(&km, TUI_SCOPE_BROWSE, 's'), TUI_ACT_SORT);
    assert_int_equal(tui_keymap_get(&km, TUI_SCOPE_BUILDER, 's'),
                     TUI_ACT_FILTER_SAVE);
    assert_int_equal(tui_keymap_get(&km, TUI_SCOPE_FORM, 's'), TUI_ACT_NONE);
    /* The browsing screens (NULL), and a builder that borrows movement
     * from browsing. */
    assert_int_equal(tui_keymap_lookup_in(&km, NULL, 's'), TUI_ACT_SORT);
    assert_int_equal(tui_keymap_lookup(&km, 's'), TUI_ACT_SORT);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 's'),
                     TUI_ACT_FILTER_SAVE);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 'j'),
                     TUI_ACT_MOVE_DOWN);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, TUI_KEY_ENTER),
                     TUI_ACT_FILTER_APPLY);
    /* The form's Enter picks and its Down goes to the next field. */
    assert_int_equal(tui_keymap_lookup_in(&km, form_chain, TUI_KEY_ENTER),
                     TUI_ACT_FORM_PICK);
    assert_int_equal(tui_keymap_lookup_in(&km, form_chain, TUI_KEY_DOWN),
                     TUI_ACT_FORM_NEXT);
    assert_int_equal(tui_keymap_lookup_in(&km, form_chain, 'j'), TUI_ACT_NONE);
    /* The conflict screen: k keeps editing, d discards, Up still moves. */
    assert_int_equal(tui_keymap_lookup_in(&km, conflict_chain, 'k'),
                     TUI_ACT_KEEP_EDITING);
    assert_int_equal(tui_keymap_lookup_in(&km, conflict_chain, 'd'),
                     TUI_ACT_DISCARD);
    assert_int_equal(tui_keymap_lookup_in(&km, conflict_chain, TUI_KEY_UP),
                     TUI_ACT_MOVE_UP);
    /* Global keys work on every screen. */
    assert_int_equal(tui_keymap_lookup_in(&km, form_chain, '?'), TUI_ACT_HELP);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 'Q'),
                     TUI_ACT_QUIT);
    /* Another screen's key is nothing on the browsing screens. */
    assert_int_equal(tui_keymap_lookup(&km, 'y'), TUI_ACT_NONE);
    assert_int_equal(tui_keymap_lookup(&km, 14 /* C-n */), TUI_ACT_NONE);
}

static void
test_keymap__rebinding_in_one_scope_leaves_others_alone(void **state)
{
    tui_keymap km;
    char bad[32];
    (void)state;
    tui_keymap_default(&km);
    /* filter-save = x: the review keeps x for dropping a change. */
    assert_int_equal(
        tui_keymap_bind(&km, TUI_ACT_FILTER_SAVE, "x", bad, sizeof bad), 0);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 'x'),
                     TUI_ACT_FILTER_SAVE);
    assert_int_equal(tui_keymap_lookup_in(&km, review_chain, 'x'),
                     TUI_ACT_DROP_CHANGE);
    /* s no longer saves; in the builder it falls through to browsing. */
    assert_int_equal(tui_keymap_get(&km, TUI_SCOPE_BUILDER, 's'), TUI_ACT_NONE);
    assert_int_equal(tui_keymap_lookup(&km, 's'), TUI_ACT_SORT);
    /* move-up = o: the conflict screen and the builder keep their o. */
    assert_int_equal(
        tui_keymap_bind(&km, TUI_ACT_MOVE_UP, "Up o", bad, sizeof bad), 0);
    assert_int_equal(tui_keymap_lookup(&km, 'o'), TUI_ACT_MOVE_UP);
    assert_int_equal(tui_keymap_lookup(&km, 'k'), TUI_ACT_NONE);
    assert_int_equal(tui_keymap_lookup_in(&km, conflict_chain, 'o'),
                     TUI_ACT_OVERWRITE);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 'o'),
                     TUI_ACT_FILTER_JOIN);
    /* The conflict screen's k never was browsing's. */
    assert_int_equal(tui_keymap_lookup_in(&km, conflict_chain, 'k'),
                     TUI_ACT_KEEP_EDITING);
}

static void test_keymap__a_global_key_is_taken_from_every_scope(void **state)
{
    tui_keymap km;
    char bad[32];
    (void)state;
    tui_keymap_default(&km);
    /* help = ? s: s is help everywhere now, sort and filter-save lose it. */
    assert_int_equal(tui_keymap_bind(&km, TUI_ACT_HELP, "? s", bad, sizeof bad),
                     0);
    assert_int_equal(tui_keymap_lookup(&km, 's'), TUI_ACT_HELP);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 's'),
                     TUI_ACT_HELP);
    /* A scope's key taken from a global action: filter-save = Q leaves
     * quit without Q (Q would otherwise quit from the builder). */
    assert_int_equal(
        tui_keymap_bind(&km, TUI_ACT_FILTER_SAVE, "Q", bad, sizeof bad), 0);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 'Q'),
                     TUI_ACT_FILTER_SAVE);
    assert_int_equal(tui_keymap_lookup(&km, 'Q'), TUI_ACT_NONE);
    orm_buf b = ORM_BUF_INIT;
    tui_keymap_describe(&km, TUI_ACT_QUIT, &b);
    assert_string_equal(orm_buf_str(&b), "");
    orm_buf_free(&b);
}

/* ---- the config ---- */

static void
test_config__a_key_bound_twice_in_a_scope_names_the_line(void **state)
{
    char dir[] = "/tmp/orb-tui-keys-XXXXXX";
    char path[160], want[256];
    tui_config cfg = TUI_CONFIG_INIT;
    tui_keymap km;
    orm_buf problems = ORM_BUF_INIT;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/config", dir);
    file_write(path, "[keys]\n"
                     "sort = o\n"
                     "filter-save = o\n" /* another scope: fine */
                     "refresh = o p\n"   /* line 4: o was sort's */
                     "help = ? p\n");    /* line 5: p was refresh's */
    tui_keymap_default(&km);
    int n = tui_config_load(&cfg, &km, path, &problems);
    const char *p = orm_buf_str(&problems);
    assert_int_equal(n, 2);
    snprintf(want, sizeof want,
             "%s:4: key 'o' bound twice in Browsing: refresh takes it "
             "from sort\n",
             path);
    if (!strstr(p, want))
        fail_msg("expected [%s] in [%s]", want, p);
    snprintf(want, sizeof want,
             "%s:5: key 'p' bound twice: help (Everywhere) takes it from "
             "refresh (Browsing)\n",
             path);
    if (!strstr(p, want))
        fail_msg("expected [%s] in [%s]", want, p);
    /* The later line wins, and only in its scope. */
    assert_int_equal(tui_keymap_lookup(&km, 'o'), TUI_ACT_REFRESH);
    assert_int_equal(tui_keymap_lookup_in(&km, builder_chain, 'o'),
                     TUI_ACT_FILTER_SAVE);
    assert_int_equal(tui_keymap_lookup(&km, 'p'), TUI_ACT_HELP);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
    unlink(path);
    rmdir(dir);
}

static void test_config__taking_a_default_key_is_no_problem(void **state)
{
    char dir[] = "/tmp/orb-tui-keys-XXXXXX";
    char path[160];
    tui_config cfg = TUI_CONFIG_INIT;
    tui_keymap km;
    orm_buf problems = ORM_BUF_INIT;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/config", dir);
    /* j and k are browsing's by default, r refresh's: rebinding is what
     * the section is for. */
    file_write(path, "[keys]\n"
                     "sort = j\n"
                     "filter-save = k\n"
                     "overwrite = r\n"
                     "sort = j o\n"); /* an action again: its own keys */
    tui_keymap_default(&km);
    assert_int_equal(tui_config_load(&cfg, &km, path, &problems), 0);
    assert_int_equal(problems.len, 0);
    assert_int_equal(tui_keymap_lookup(&km, 'j'), TUI_ACT_SORT);
    assert_int_equal(tui_keymap_lookup(&km, 'k'), TUI_ACT_MOVE_UP);
    assert_int_equal(tui_keymap_lookup_in(&km, conflict_chain, 'r'),
                     TUI_ACT_OVERWRITE);
    assert_int_equal(tui_keymap_get(&km, TUI_SCOPE_CONFLICT, 'r'),
                     TUI_ACT_OVERWRITE);
    assert_int_equal(tui_keymap_lookup(&km, 'r'), TUI_ACT_REFRESH);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
    unlink(path);
    rmdir(dir);
}

/* ---- the app, with a config ---- */

static int setup(void **state)
{
    tui_fixture *fx = calloc(1, sizeof *fx);
    fx_open_db(fx, 20);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    tui_fixture *fx = *state;
    fx_close(fx);
    free(fx);
    return 0;
}

static void start_with_keys(tui_fixture *fx, const char *keys, int rows,
                            int cols)
{
    char path[160];
    snprintf(path, sizeof path, "%s/config", fx->dir);
    file_write(path, keys);
    fx_start(fx, rows, cols);
}

static void open_items(tui_fixture *fx)
{
    fx_send(fx, "/Item<Enter>");
    if (strcmp(tui_app_top(fx->app)->ops->name, "rows") != 0)
        fx_dump_fail(fx, "rows screen not open for", "Item");
}

static void test_keys__sort_on_o_leaves_s_saving_in_the_builder(void **state)
{
    tui_fixture *fx = *state;
    start_with_keys(fx, "[keys]\nsort = o\n", 24, 80);
    open_items(fx);
    fx_send(fx, "s");
    fx_assert_not_shows(fx, "sort:");
    fx_send(fx, "o");
    fx_assert_shows(fx, "sort: id \xE2\x86\x91");
    fx_send(fx, "f");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "filter-builder");
    fx_send(fx, "s");
    fx_assert_shows(fx, "nothing to save");
    /* and o still switches the builder's group to or. */
    fx_assert_not_shows(fx, "any of (or)");
    fx_send(fx, "o");
    fx_assert_shows(fx, "any of (or)");
}

static void test_keys__filter_save_on_x_leaves_x_dropping_changes(void **state)
{
    tui_fixture *fx = *state;
    start_with_keys(fx, "[keys]\nfilter-save = x\n", 24, 80);
    open_items(fx);
    fx_send(fx, "f");
    fx_send(fx, "x");
    fx_assert_shows(fx, "nothing to save");
    fx_send(fx, "<Esc>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "rows");
    /* s still sorts the rows. */
    fx_send(fx, "s");
    fx_assert_shows(fx, "sort: id \xE2\x86\x91");
    /* x still drops a change on the review screen. */
    fx_send(fx, "dw");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "review");
    fx_send(fx, "x");
    fx_assert_shows(fx, "dropped the delete");
}

/* The row whose whole text is `text`, or -1. */
static int row_exactly(tui_fixture *fx, const char *text)
{
    for (int r = 0; r < fx->scr->rows; r++) {
        char *line = fx_line(fx, r);
        int same = line && strcmp(line, text) == 0;
        free(line);
        if (same)
            return r;
    }
    return -1;
}

static void test_help__lists_actions_under_a_heading_per_scope(void **state)
{
    tui_fixture *fx = *state;
    /* Tall enough for the whole help on one page. */
    start_with_keys(fx, "[keys]\nfilter-save = x\n",
                    TUI_ACTION_COUNT + 2 * TUI_SCOPE_COUNT + 4, 120);
    fx_send(fx, "?");
    fx_assert_shows(fx, "Help");
    int last = -1;
    for (int s = 0; s < TUI_SCOPE_COUNT; s++) {
        int row = row_exactly(fx, tui_scope_title((tui_scope)s));
        if (row < 0)
            fx_dump_fail(fx, "no heading", tui_scope_title((tui_scope)s));
        if (row <= last)
            fx_dump_fail(fx, "heading out of order",
                         tui_scope_title((tui_scope)s));
        last = row;
    }
    /* Each action under its scope's heading, before the next one. */
    for (int a = 0; a < TUI_ACTION_COUNT; a++) {
        tui_scope s = tui_action_scope((tui_action)a);
        int row = fx_row_of(fx, tui_action_help((tui_action)a));
        int head = row_exactly(fx, tui_scope_title(s));
        int next = s + 1 < TUI_SCOPE_COUNT
                       ? row_exactly(fx, tui_scope_title((tui_scope)(s + 1)))
                       : fx->scr->rows;
        if (row <= head || row >= next)
            fx_dump_fail(fx, "not under its heading",
                         tui_action_name((tui_action)a));
    }
    /* The keys bound now: x saves a filter, s still sorts. */
    char *line =
        fx_line(fx, fx_row_of(fx, tui_action_help(TUI_ACT_FILTER_SAVE)));
    assert_true(strncmp(line, "x ", 2) == 0);
    free(line);
    line = fx_line(fx, fx_row_of(fx, tui_action_help(TUI_ACT_SORT)));
    assert_true(strncmp(line, "s ", 2) == 0);
    free(line);
}

/* Escape sequences curses does not know (TERM for another terminal)
 * still read as the keys they stand for; anything else is no key. */
static void test_keys__unknown_escape_sequences_read_as_their_keys(void **state)
{
    (void)state;
    static const struct {
        const char *seq;
        int key;
    } cases[] = {
        {"[4~", TUI_KEY_END},     {"[1~", TUI_KEY_HOME},
        {"[7~", TUI_KEY_HOME},    {"[8~", TUI_KEY_END},
        {"OF", TUI_KEY_END},      {"OH", TUI_KEY_HOME},
        {"[F", TUI_KEY_END},      {"[H", TUI_KEY_HOME},
        {"[A", TUI_KEY_UP},       {"OB", TUI_KEY_DOWN},
        {"[1;5C", TUI_KEY_RIGHT}, {"[D", TUI_KEY_LEFT},
        {"[5~", TUI_KEY_PGUP},    {"[6;2~", TUI_KEY_PGDN},
        {"[3~", TUI_KEY_DELETE},  {"[2~", TUI_KEY_INSERT},
        {"[Z", TUI_KEY_BTAB},     {"OP", TUI_KEY_F1},
        {"[15~", TUI_KEY_F1 + 4}, {"[24~", TUI_KEY_F12},
        {"[99~", TUI_KEY_NONE},   {"[", TUI_KEY_NONE},
        {"[1x2~", TUI_KEY_NONE},  {"Xq", TUI_KEY_NONE},
        {"[200~", TUI_KEY_NONE},  {"[M", TUI_KEY_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = tui_key_from_sequence(cases[i].seq, strlen(cases[i].seq));
        if (got != cases[i].key)
            fail_msg("ESC %s: %d, want %d", cases[i].seq, got, cases[i].key);
    }
}
/* Esc and q are two actions: Esc (cancel) never quits, q (back) quits
 * from the models screen; either can be rebound like any other. */
static void test_keys__cancel_and_back_rebound(void **state)
{
    tui_fixture *fx = *state;
    start_with_keys(fx, "[keys]\ncancel = z\nback = x\n", 24, 80);
    open_items(fx);
    fx_send(fx, "z");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "models");
    fx_send(fx, "zz"); /* the narrowing to Item, then nothing to clear */
    assert_false(tui_app_done(fx->app));
    fx_assert_shows(fx, "x quits orb");
    fx_send(fx, "q"); /* q is back's no longer: it starts narrowing */
    assert_false(tui_app_done(fx->app));
    fx_send(fx, "<C-u><Esc>x");
    assert_true(tui_app_done(fx->app));
}

/* Every list screen (models, summary, saved filters, the builder, what
 * refers to a row) moves its cursor alike: a page at a time, never past
 * either end, nowhere in an empty list; text screens (help, messages)
 * scroll alike and never above the first line. */
static void test_keymap__lists_move_and_scroll_alike(void **state)
{
    static const struct {
        tui_action a;
        size_t at;
    } steps[] = {
        {TUI_ACT_PAGE_DOWN, 4}, {TUI_ACT_PAGE_DOWN, 8}, {TUI_ACT_PAGE_DOWN, 9},
        {TUI_ACT_MOVE_DOWN, 9}, {TUI_ACT_PAGE_UP, 5},   {TUI_ACT_MOVE_UP, 4},
        {TUI_ACT_FIRST, 0},     {TUI_ACT_MOVE_UP, 0},   {TUI_ACT_PAGE_UP, 0},
        {TUI_ACT_LAST, 9},
    };
    size_t cursor = 0;
    (void)state;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_true(tui_list_move(&cursor, 10, 4, steps[i].a));
        assert_int_equal(cursor, steps[i].at);
    }
    assert_false(tui_list_move(&cursor, 10, 4, TUI_ACT_OPEN));
    assert_int_equal(cursor, 9);
    cursor = 0;
    assert_true(tui_list_move(&cursor, 0, 4, TUI_ACT_LAST));
    assert_true(tui_list_move(&cursor, 0, 4, TUI_ACT_PAGE_DOWN));
    assert_int_equal(cursor, 0);
    int top = 0;
    assert_true(tui_scroll_move(&top, 30, 8, TUI_ACT_PAGE_DOWN));
    assert_int_equal(top, 8);
    assert_true(tui_scroll_move(&top, 30, 8, TUI_ACT_MOVE_DOWN));
    assert_true(tui_scroll_move(&top, 30, 8, TUI_ACT_PAGE_UP));
    assert_int_equal(top, 1);
    assert_true(tui_scroll_move(&top, 30, 8, TUI_ACT_PAGE_UP));
    assert_int_equal(top, 0);
    assert_true(tui_scroll_move(&top, 30, 8, TUI_ACT_LAST));
    assert_int_equal(top, 30);
    assert_false(tui_scroll_move(&top, 30, 8, TUI_ACT_HELP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keymap__default_keys_are_bound_once_per_scope),
        cmocka_unit_test(test_keymap__lists_move_and_scroll_alike),
        cmocka_unit_test(test_keymap__a_screen_reads_its_own_scope_first),
        cmocka_unit_test(
            test_keymap__rebinding_in_one_scope_leaves_others_alone),
        cmocka_unit_test(test_keymap__a_global_key_is_taken_from_every_scope),
        cmocka_unit_test(
            test_config__a_key_bound_twice_in_a_scope_names_the_line),
        cmocka_unit_test(test_config__taking_a_default_key_is_no_problem),
        cmocka_unit_test(
            test_keys__unknown_escape_sequences_read_as_their_keys),
        cmocka_unit_test_setup_teardown(
            test_keys__sort_on_o_leaves_s_saving_in_the_builder, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_keys__filter_save_on_x_leaves_x_dropping_changes, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_help__lists_actions_under_a_heading_per_scope, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_keys__cancel_and_back_rebound,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
