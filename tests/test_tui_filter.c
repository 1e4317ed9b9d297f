/*
 * The filter builder and saved filters, driven with keys on an in-memory
 * screen over a SQLite database: build `handle contains 'doe' or
 * id > 10`, see the count, apply it (status line), clear it; type text
 * with an error and see the caret; operators per column type; negate,
 * group and move; relative dates; save, list, rename, duplicate, delete;
 * history; saved filters across restarts; a saved filter whose column
 * was dropped; SQL injection attempts that match literally; foreign
 * keys picked from the referenced rows (one row, several marked rows,
 * a key of two columns).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "filter_tree.h"
#include "filter_views.h"
#include "test_tui_fixture.h"

static const orm_column acct_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle", .type = ORM_STRING, .length = 50},
    {.name = "active", .type = ORM_BOOLEAN},
    {.name = "born", .type = ORM_DATE},
    {.name = "created", .type = ORM_DATETIME},
    {.name = "balance", .type = ORM_NUMERIC, .precision = 10, .scale = 2},
    {.name = "customer_id",
     .type = ORM_INTEGER,
     .ref_table = "customers",
     .ref_column = "id"},
    {.name = "secret_key",
     .type = ORM_STRING,
     .length = 40,
     .flags = ORM_SECRET},
};
static const orm_model Acct = ORM_MODEL("Account", "accounts", acct_columns);

#define NACCOUNTS 15

typedef struct ffx {
    tui_fixture fx;
    char state_path[128];
} ffx;

static const char *handle_of(int id)
{
    static char buf[32];
    switch (id) {
    case 1:
        return "jdoe";
    case 2:
        return "alice";
    case 3:
        return "bob";
    case 4:
        return "doemaster";
    case 5:
        return "carol";
    case 6:
        return "JDOE2";
    default:
        snprintf(buf, sizeof buf, "user%02d", id);
        return buf;
    }
}

static void add_account(tui_fixture *fx, orm_session *s, int id,
                        const char *handle)
{
    orm_record *rec = NULL;
    char born[16];
    snprintf(born, sizeof born, "2000-01-%02d", 1 + (id - 1) % 28);
    fx_check(orm_record_new(&rec, &Acct), fx->db, "record");
    fx_set(rec, "id", orm_value_int(id));
    fx_set(rec, "handle", orm_value_text(handle));
    fx_set(rec, "active", orm_value_bool(id % 2));
    fx_set(rec, "born", orm_value_text(born));
    fx_set(rec, "created", orm_value_text("2024-01-31 10:00:00"));
    fx_set(rec, "balance", orm_value_text("1.50"));
    fx_set(rec, "customer_id", orm_value_int(1 + id % 3));
    fx_set(rec, "secret_key", orm_value_text("s3cret"));
    fx_check(orm_session_add(s, rec), fx->db, "add");
}

static void open_fixture(ffx *f, long items)
{
    orm_session *s = NULL;
    fx_open_db(&f->fx, items);
    fx_check(orm_db_register(f->fx.db, &Acct), f->fx.db, "register");
    fx_check(orm_db_create_all(f->fx.db), f->fx.db, "create");
    fx_check(orm_session_new(&s, f->fx.db), f->fx.db, "session");
    for (int id = 1; id <= NACCOUNTS; id++)
        add_account(&f->fx, s, id, handle_of(id));
    fx_commit(&f->fx, s);
    orm_session_free(s);
    snprintf(f->state_path, sizeof f->state_path, "%s/state.db", f->fx.dir);
    f->fx.opts.state_file = f->state_path;
}

static int setup(void **state)
{
    ffx *f = calloc(1, sizeof *f);
    open_fixture(f, 200);
    *state = f;
    return 0;
}

static int setup_big(void **state)
{
    ffx *f = calloc(1, sizeof *f);
    open_fixture(f, 2000);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ffx *f = *state;
    fx_close(&f->fx);
    free(f);
    return 0;
}

/* The app on the rows of a table. */
static tui_fixture *open_table(void **state, const char *table)
{
    ffx *f = *state;
    tui_fixture *fx = &f->fx;
    char keys[64];
    fx_start(fx, 24, 100);
    snprintf(keys, sizeof keys, "/%s<Enter>", table);
    fx_send(fx, keys);
    if (strcmp(tui_app_top(fx->app)->ops->name, "rows") != 0)
        fx_dump_fail(fx, "rows screen not open for", table);
    return fx;
}

static tui_fixture *open_accounts(void **state)
{
    return open_table(state, "accounts");
}

/* The last screen line (the status line). */
static void assert_status_has(tui_fixture *fx, const char *text)
{
    char *line = fx_line(fx, fx->scr->rows - 1);
    int found = line && strstr(line, text) != NULL;
    free(line);
    if (!found)
        fx_dump_fail(fx, "status line lacks", text);
}

static void assert_status_lacks(tui_fixture *fx, const char *text)
{
    char *line = fx_line(fx, fx->scr->rows - 1);
    int found = line && strstr(line, text) != NULL;
    free(line);
    if (found)
        fx_dump_fail(fx, "status line shows", text);
}

/* In the builder: add `column op value` by choosing from the lists
 * with letters and Enter (value NULL: the operator takes none). */
static void add_condition(tui_fixture *fx, const char *column_keys,
                          const char *op_keys, const char *value)
{
    char keys[256];
    snprintf(keys, sizeof keys, "a%s<Enter>%s<Enter>", column_keys, op_keys);
    fx_send(fx, keys);
    if (value) {
        fx_send(fx, value);
        fx_send(fx, "<Enter>");
    }
}

/* ------------------------------------------------------------------ */

static void test_builder__keys_build_count_apply_status_and_clear(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_assert_shows(fx, "row 1 of 15");
    fx_send(fx, "f");
    assert_string_equal(fx_top_name(fx), "filter-builder");
    fx_assert_shows(fx, "filter: (none: every row)");
    fx_assert_shows(fx, "matches: 15 rows");

    /* handle (second column), contains (third operator), doe */
    add_condition(fx, "j", "jj", "doe");
    /* Text matches ignore case unless told (JDOE2 matches too), as the
     * line says; ~ makes it exact. */
    fx_assert_shows(fx, "filter: handle icontains 'doe'");
    fx_assert_shows(fx, "handle contains 'doe'  (ignoring case)");
    fx_assert_shows(fx, "matches: 3 rows");
    fx_send(fx, "j~");
    fx_assert_shows(fx, "filter: handle contains 'doe'");
    fx_assert_shows(fx, "handle contains 'doe'  (exact case)");
    fx_assert_shows(fx, "matches: 2 rows");
    /* id (first column), > (fifth operator), 10 */
    add_condition(fx, "", "jjjj", "10");
    fx_assert_shows(fx, "filter: handle contains 'doe' and id > 10");
    fx_assert_shows(fx, "matches: 0 rows");
    fx_send(fx, "o"); /* the group becomes or */
    fx_assert_shows(fx, "filter: handle contains 'doe' or id > 10");
    fx_assert_shows(fx, "any of (or)");
    fx_assert_shows(fx, "matches: 7 rows");

    fx_send(fx, "<Enter>");
    assert_string_equal(fx_top_name(fx), "rows");
    assert_status_has(fx, "row 1 of 7");
    assert_status_has(fx, "where handle contains 'doe' or id > 10");
    fx_assert_shows(fx, "doemaster");
    fx_assert_not_shows(fx, "alice");

    fx_send(fx, "C");
    assert_status_has(fx, "row 1 of 15");
    assert_status_lacks(fx, "where");
    fx_assert_shows(fx, "alice");

    /* f again starts from the rows' filter. */
    fx_send(fx, "f");
    fx_assert_shows(fx, "(none: every row)");
    fx_send(fx, "q");
    assert_string_equal(fx_top_name(fx), "rows");
}

static void test_builder__opens_with_the_active_filter(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f");
    add_condition(fx, "", "jjjj", "12");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "where id > 12");
    fx_send(fx, "f");
    fx_assert_shows(fx, "filter: id > 12");
    fx_assert_shows(fx, "matches: 3 rows");
    /* Esc leaves without applying anything. */
    add_condition(fx, "j", "", "alice");
    fx_send(fx, "<Esc>");
    assert_string_equal(fx_top_name(fx), "rows");
    assert_status_has(fx, "where id > 12");
    assert_status_has(fx, "row 1 of 3");
}

static void
test_builder__text_error_shows_a_caret_under_the_position(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f:");
    assert_status_has(fx, "filter: ");
    fx_send(fx, "handle contans 'doe'");
    int row = fx_row_of(fx, "handle contans 'doe'");
    assert_true(row > 0);
    /* The caret is under the 8th character, the text starts at 2. */
    char *caret = fx_line(fx, row + 1);
    assert_string_equal(caret, "         ^");
    free(caret);
    fx_assert_shows(fx, "unknown operator 'contans' at 8");
    fx_assert_shows(fx, "did you mean 'contains'?");

    /* Enter keeps the editor open with the text and the error. */
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "filter: handle contans 'doe'");
    fx_assert_shows(fx, "unknown operator 'contans' at 8");

    fx_send(fx, "<C-u>hndle = 'x'");
    fx_assert_shows(fx, "unknown column 'hndle' at 1");
    row = fx_row_of(fx, "hndle = 'x'");
    caret = fx_line(fx, row + 1);
    assert_string_equal(caret, "  ^");
    free(caret);

    fx_send(fx, "<C-u>handle icontains 'DOE' or id between 14 and 20"
                "<Enter>");
    fx_assert_shows(fx, "filter: handle icontains 'DOE' or id between 14 "
                        "and 20");
    fx_assert_shows(fx, "handle contains 'DOE'  (ignoring case)");
    fx_assert_shows(fx, "id between 14 and 20");
    fx_assert_shows(fx, "matches: 5 rows");
}

static void test_builder__operators_offered_fit_the_column_type(void **state)
{
    tui_fixture *fx = open_accounts(state);
    tui_fop ops[TUI_FOP_COUNT];
    orm_buf labels = ORM_BUF_INIT;
    static const struct {
        const char *column;
        const char *expect;
    } cases[] = {
        {"handle", "equals|not equal|contains|not contains|starts with|"
                   "ends with|like|in list|empty|not empty|"},
        {"id", "=|\xE2\x89\xA0|<|\xE2\x89\xA4|>|\xE2\x89\xA5|between|in "
               "list|empty|not empty|"},
        {"balance", "=|\xE2\x89\xA0|<|\xE2\x89\xA4|>|\xE2\x89\xA5|between|"
                    "in list|empty|not empty|"},
        {"active", "is true|is false|empty|not empty|"},
        {"born", "on|before|after|between|today|last 7 days|this month|"
                 "empty|not empty|"},
        {"created", "on|before|after|between|today|last 7 days|"
                    "this month|empty|not empty|"},
        {"customer_id", "equals|not equal|in list|empty|not empty|"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const orm_column *col = orm_model_column(&Acct, cases[i].column);
        size_t n = tui_fop_choices(col, ops, TUI_FOP_COUNT);
        orm_buf_reset(&labels);
        for (size_t k = 0; k < n; k++)
            orm_buf_appendf(&labels, "%s|", tui_fop_label(ops[k], col));
        assert_string_equal(orm_buf_str(&labels), cases[i].expect);
    }
    orm_buf_free(&labels);

    /* The chooser on screen offers the same: active (third column). */
    fx_send(fx, "fajj<Enter>");
    fx_assert_shows(fx, "How must active match?");
    fx_assert_shows(fx, "is true");
    fx_assert_shows(fx, "is false");
    fx_assert_not_shows(fx, "contains");
    fx_send(fx, "<Enter>"); /* is true: no value to type */
    fx_assert_shows(fx, "filter: active = true");
    fx_assert_shows(fx, "matches: 8 rows");
    /* A letter jumps to the column that starts with it. */
    fx_send(fx, "ab<Enter>");
    fx_assert_shows(fx, "How must born match?");
    fx_send(fx, "<Esc>");
    fx_assert_shows(fx, "Which column?");
    fx_send(fx, "<Esc>");
    fx_assert_shows(fx, "filter: active = true");
}

static void
test_builder__typed_values_are_checked_like_form_fields(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "fa<Enter>jjjj<Enter>");
    assert_status_has(fx, "value: ");
    fx_send(fx, "ten<Enter>");
    fx_assert_shows(fx, "id: expected a whole number");
    assert_status_has(fx, "value: ten");
    fx_send(fx, "<C-u>10<Enter>");
    fx_assert_shows(fx, "filter: id > 10");

    /* A key of another table is one of its rows, picked: a typed key
     * searches them, and one that names no row cannot be picked. */
    fx_send(fx, "ajjjjjj<Enter><Enter>");
    assert_string_equal(fx_top_name(fx), "picker");
    fx_send(fx, "99");
    fx_assert_shows(fx, "(no matching rows)");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "no row to pick");
    assert_string_equal(fx_top_name(fx), "picker");
    fx_send(fx, "<C-u>2<Enter>");
    fx_assert_shows(fx, "filter: id > 10 and customer_id = 2");

    /* In list and between. */
    fx_send(fx, "dd");
    fx_send(fx, "aj<Enter>jjjjjjj<Enter>");
    assert_status_has(fx, "values: ");
    fx_send(fx, "alice, 'b,c', bob<Enter>");
    fx_assert_shows(fx, "filter: handle in ('alice', 'b,c', 'bob')");
    fx_assert_shows(fx, "matches: 2 rows");
    fx_send(fx, "a<Enter>jjjjjj<Enter>");
    assert_status_has(fx, "from: ");
    fx_send(fx, "2<Enter>");
    assert_status_has(fx, "to: ");
    fx_send(fx, "3<Enter>");
    fx_assert_shows(fx, "and id between 2 and 3");
    fx_assert_shows(fx, "matches: 2 rows");
    /* Esc at a value steps back to the operator; Esc twice more
     * leaves the filter as it was. */
    fx_send(fx, "a<Enter><Enter><Esc>");
    fx_assert_shows(fx, "How must id match?");
    fx_send(fx, "<Esc><Esc>");
    fx_assert_shows(fx, "condition not changed");
    fx_assert_shows(fx, "matches: 2 rows");
}

/* contains, starts with, ends with ignore case by default, Unicode-wide
 * ('ärger' finds "Ärger"), and say so; ~ makes one exact; like stays
 * exact. */
static void test_builder__text_matches_ignore_case_by_default(void **state)
{
    ffx *f = *state;
    tui_fixture *fx = &f->fx;
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    add_account(fx, s, 40, "Ärger im Büro");
    add_account(fx, s, 41, "ärger zu Hause");
    add_account(fx, s, 42, "kein ÄRGER");
    fx_commit(fx, s);
    orm_session_free(s);
    open_accounts(state);

    fx_send(fx, "f");
    add_condition(fx, "j", "jj", "ärger"); /* contains */
    fx_assert_shows(fx, "filter: handle icontains 'ärger'");
    fx_assert_shows(fx, "handle contains 'ärger'  (ignoring case)");
    fx_assert_shows(fx, "matches: 3 rows");
    fx_send(fx, "j~");
    fx_assert_shows(fx, "filter: handle contains 'ärger'");
    fx_assert_shows(fx, "(exact case)");
    fx_assert_shows(fx, "matches: 1 row");
    fx_send(fx, "~");
    fx_assert_shows(fx, "matches: 3 rows");

    fx_send(fx, "C");
    add_condition(fx, "j", "jjjj", "ÄRGER"); /* starts with */
    fx_assert_shows(fx, "filter: handle istartswith 'ÄRGER'");
    fx_assert_shows(fx, "matches: 2 rows");
    fx_send(fx, "C");
    add_condition(fx, "j", "jjjjj", "büro"); /* ends with */
    fx_assert_shows(fx, "filter: handle iendswith 'büro'");
    fx_assert_shows(fx, "matches: 1 row");
    fx_send(fx, "C");
    add_condition(fx, "j", "jjj", "ÄRGER"); /* not contains */
    fx_assert_shows(fx, "filter: handle not icontains 'ÄRGER'");
    fx_assert_shows(fx, "matches: 15 rows");
    /* like is the user's own pattern: exact unless ~. */
    fx_send(fx, "C");
    add_condition(fx, "j", "jjjjjj", "%rger%");
    fx_assert_shows(fx, "filter: handle like '%rger%'");
    fx_assert_shows(fx, "matches: 2 rows");
    /* Edited from equals to contains, a condition takes the default. */
    fx_send(fx, "C");
    add_condition(fx, "j", "", "kein ÄRGER");
    fx_assert_shows(fx, "filter: handle = 'kein ÄRGER'");
    fx_send(fx, "je<Enter>jj<Enter><C-u>ärger<Enter>");
    fx_assert_shows(fx, "filter: handle icontains 'ärger'");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "row 1 of 3");
}

static void test_builder__negate_group_move_and_edit(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f");
    add_condition(fx, "j", "jj", "doe"); /* handle icontains 'doe' */
    fx_send(fx, "~");                    /* exact: handle contains */
    fx_send(fx, "A");                    /* a group after it: or */
    fx_assert_shows(fx, "any of (or)  (empty)");
    add_condition(fx, "", "jjjj", "13"); /* inside: id > 13 */
    add_condition(fx, "", "jjj", "2");   /* inside: id <= 2 */
    fx_assert_shows(fx, "filter: handle contains 'doe' and (id > 13 or "
                        "id <= 2)");
    fx_assert_shows(fx, "matches: 1 row");
    fx_send(fx, "k!"); /* negate id > 13 */
    fx_assert_shows(fx, "not (id > 13)");
    fx_assert_shows(fx, "filter: handle contains 'doe' and (not (id > 13) "
                        "or id <= 2)");
    fx_send(fx, "!k!"); /* un-negate, negate the group */
    fx_assert_shows(fx, "filter: handle contains 'doe' and not (id > 13 or "
                        "id <= 2)");
    fx_assert_shows(fx, "matches: 1 row");
    fx_send(fx, "!");

    /* Move id <= 2 up within the group, then out of it, then down past
     * the group. */
    fx_send(fx, "jjK");
    fx_assert_shows(fx, "filter: handle contains 'doe' and (id <= 2 or "
                        "id > 13)");
    fx_send(fx, "K");
    fx_assert_shows(fx, "filter: handle contains 'doe' and id <= 2 and "
                        "id > 13");
    fx_send(fx, "J");
    fx_assert_shows(fx, "filter: handle contains 'doe' and id > 13 and "
                        "id <= 2");
    /* Edit: e on a condition goes through column, operator, value. */
    fx_send(fx, "e<Enter><Enter><C-u>1<Enter>");
    fx_assert_shows(fx, "filter: handle contains 'doe' and id > 13 and "
                        "id <= 1");
    /* Ignore case on a text match, not on a number or a group. */
    fx_send(fx, "~");
    fx_assert_shows(fx, "ignoring case works on text matches");
    fx_send(fx, "g~");
    fx_assert_shows(fx, "ignoring case works on text matches");
    fx_send(fx, "j~");
    fx_assert_shows(fx, "filter: handle icontains 'doe' and id > 13");
    /* Delete the group with what it holds. */
    fx_send(fx, "jd");
    fx_assert_shows(fx, "filter: handle icontains 'doe' and id <= 1");
    fx_assert_shows(fx, "matches: 1 row");
}

static void test_builder__relative_dates_compile_to_concrete_dates(void **state)
{
    (void)state;
    tui_ftree *t = NULL;
    tui_date today = {2024, 3, 1};
    assert_int_equal(tui_ftree_new(&t, &Acct), 0);
    tui_fnode *a =
        tui_fnode_new_condition("created", TUI_FOP_TODAY, NULL, 0, 0);
    tui_fnode *b =
        tui_fnode_new_condition("born", TUI_FOP_LAST_7_DAYS, NULL, 0, 0);
    tui_fnode *c =
        tui_fnode_new_condition("born", TUI_FOP_THIS_MONTH, NULL, 0, 0);
    assert_int_equal(tui_ftree_insert(t, NULL, a), 0);
    assert_int_equal(tui_ftree_insert(t, NULL, b), 0);
    assert_int_equal(tui_ftree_insert(t, NULL, c), 0);
    char *text = tui_ftree_text(t, &today);
    assert_string_equal(text, "created between '2024-03-01 00:00:00' and "
                              "'2024-03-01 23:59:59.999999' and born between "
                              "'2024-02-24' and '2024-03-01' and born between "
                              "'2024-03-01' and '2024-03-31'");
    free(text);
    orm_buf b2 = ORM_BUF_INIT;
    tui_fnode_describe(b, &Acct, &today, &b2);
    assert_string_equal(orm_buf_str(&b2),
                        "born last 7 days  (2024-02-24 to 2024-03-01, "
                        "dates computed when applied)");
    orm_buf_free(&b2);
    /* A day typed for a timestamp column means the whole day. */
    orm_value v;
    orm_error err = ORM_ERROR_INIT;
    const orm_column *created = orm_model_column(&Acct, "created");
    assert_int_equal(
        tui_fvalue_parse(&v, created, TUI_FOP_ON, "2024-01-31", &err), 0);
    tui_ftree_clear(t);
    assert_int_equal(
        tui_ftree_insert(
            t, NULL, tui_fnode_new_condition("created", TUI_FOP_ON, &v, 1, 0)),
        0);
    orm_value_clear(&v);
    text = tui_ftree_text(t, &today);
    assert_string_equal(text, "created between '2024-01-31 00:00:00' and "
                              "'2024-01-31 23:59:59.999999'");
    free(text);
    tui_ftree_free(t);
}

static void test_builder__date_operators_on_screen(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "fab<Enter>jjjjj<Enter>"); /* born, last 7 days */
    fx_assert_shows(fx, "born last 7 days");
    fx_assert_shows(fx, "dates computed when applied");
    fx_assert_shows(fx, "matches: 0 rows");
    fx_send(fx, "ab<Enter>j<Enter>2000-01-03<Enter>"); /* before */
    fx_assert_shows(fx, "born before '2000-01-03'");
    fx_send(fx, "o");
    fx_assert_shows(fx, "matches: 2 rows");
    fx_send(fx, "ac<Enter><Enter>2024-01-31<Enter>"); /* created on */
    fx_assert_shows(fx, "created on '2024-01-31'");
    fx_assert_shows(fx, "'2024-01-31 00:00:00' and");
    fx_assert_shows(fx, "'2024-01-31 23:59:59.999999'");
    fx_assert_shows(fx, "matches: 15 rows");
}

static void test_builder__count_is_made_between_keys(void **state)
{
    ffx *f = *state;
    tui_fixture *fx = open_accounts(state);
    (void)f;
    fx_send(fx, "f");
    /* Type one key without letting background work run. */
    tui_event ev = {.key = 'o'};
    fx_send(fx, ":id > 2<Enter>");
    tui_app_key(fx->app, &ev);
    tui_app_draw(fx->app);
    fx_assert_shows(fx, "matches: counting\xE2\x80\xA6");
    tui_app_settle(fx->app);
    tui_app_draw(fx->app);
    fx_assert_shows(fx, "matches: 13 rows");
}

static void test_builder__large_results_count_in_two_steps(void **state)
{
    tui_fixture *fx = open_table(state, "items");
    fx_send(fx, "f:grp != 3<Enter>");
    /* One idle step: the quick count stops at 1,000. */
    tui_event ev = {.key = 'o'};
    tui_app_key(fx->app, &ev);
    tui_app_idle(fx->app);
    tui_app_draw(fx->app);
    fx_assert_shows(fx, "matches: more than 1,000 (counting\xE2\x80\xA6)");
    tui_app_settle(fx->app);
    tui_app_draw(fx->app);
    fx_assert_shows(fx, "matches: 1,800 rows");
    /* Applied: paging is by key, forward and back. */
    fx_send(fx, "<Enter>");
    struct tui_rowcache *rc = tui_view_rows_cache(tui_app_top(fx->app));
    assert_non_null(rc);
    assert_true(tui_rowcache_keyset(rc));
    assert_status_has(fx, "row 1 of 1,800");
    fx_send(fx, "<PgDn><PgDn><PgDn><PgUp>");
    assert_status_has(fx, "row 43 of 1,800"); /* pages of 21 rows */
    fx_send(fx, "G");
    assert_status_has(fx, "row 1,800 of 1,800");
    fx_assert_shows(fx, "item-");
}

static void test_saved__save_list_rename_duplicate_delete_apply(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "F");
    assert_string_equal(fx_top_name(fx), "saved-filters");
    fx_assert_shows(fx, "no saved filters for this model");
    fx_send(fx, "qf");
    fx_send(fx, "s");
    fx_assert_shows(fx, "nothing to save");
    add_condition(fx, "j", "jj", "doe");
    fx_send(fx, "s");
    assert_status_has(fx, "save as: ");
    fx_send(fx, "does<Enter>");
    fx_assert_shows(fx, "saved as 'does'");
    fx_assert_shows(fx, "saved as 'does'"); /* title too */
    /* The same name again asks before replacing; n keeps the saved one
     * and asks for another name. */
    fx_send(fx, "<Esc>f:id > 10<Enter>sdoes<Enter>");
    fx_assert_shows(fx, "a filter named 'does' already exists");
    fx_assert_shows(fx, "Replace the saved filter 'does'?");
    assert_status_has(fx, "replace? y/n: ");
    fx_send(fx, "n<Enter>");
    assert_status_has(fx, "save as: does");
    fx_assert_shows(fx, "not replaced: type another name");
    fx_send(fx, "<C-u>big<Enter><Esc>");

    fx_send(fx, "F");
    fx_assert_shows(fx, "2 saved filters");
    fx_assert_shows(fx, "handle icontains 'doe'");
    fx_assert_shows(fx, "id > 10");
    fx_assert_shows(fx, "never");
    /* Sorted by name: big, does. Rename does. */
    fx_send(fx, "jr");
    assert_status_has(fx, "rename to: does");
    fx_send(fx, "<C-u>mine<Enter>");
    fx_assert_shows(fx, "renamed to 'mine'");
    fx_assert_not_shows(fx, "does ");
    /* Duplicate mine. */
    fx_send(fx, "GD");
    assert_status_has(fx, "copy as: mine copy");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "copied as 'mine copy'");
    fx_assert_shows(fx, "3 saved filters");
    /* Delete the copy, after asking. */
    fx_send(fx, "dn<Enter>");
    fx_assert_shows(fx, "not deleted");
    fx_send(fx, "dy<Enter>");
    fx_assert_shows(fx, "deleted 'mine copy'");
    fx_assert_shows(fx, "2 saved filters");
    /* Apply mine. */
    fx_send(fx, "G<Enter>");
    assert_string_equal(fx_top_name(fx), "rows");
    assert_status_has(fx, "where handle icontains 'doe'");
    assert_status_has(fx, "row 1 of 3");
    fx_send(fx, "F");
    char *line = fx_line(fx, fx_row_of(fx, "mine"));
    assert_null(strstr(line, "never"));
    assert_non_null(strstr(line, "20")); /* a date */
    free(line);
    /* e opens it in the builder; s saves it back under its name. */
    fx_send(fx, "Ge");
    assert_string_equal(fx_top_name(fx), "filter-builder");
    fx_assert_shows(fx, "saved as 'mine'");
    add_condition(fx, "", "jjjj", "3");
    fx_send(fx, "s<Enter>");
    assert_status_has(fx, "replace? y/n: ");
    fx_send(fx, "y<Enter>");
    fx_assert_shows(fx, "saved as 'mine'");
    fx_send(fx, "<Esc>");
    assert_string_equal(fx_top_name(fx), "rows");
    fx_send(fx, "F");
    fx_assert_shows(fx, "handle icontains 'doe' and id > 3");
}

static void test_saved__history_offers_applied_filters(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f<C-r>");
    fx_assert_shows(fx, "no filter applied to Account yet");
    fx_send(fx, ":id > 13<Enter><Enter>");
    fx_send(fx, "f:<C-u>handle = 'bob'<Enter><Enter>");
    assert_status_has(fx, "where handle = 'bob'");
    fx_send(fx, "f<C-r>");
    fx_assert_shows(fx, "Filters applied before");
    /* Most recent first. */
    int bob = fx_row_of(fx, "  handle = 'bob'");
    int id = fx_row_of(fx, "  id > 13");
    assert_true(bob > 0 && id > bob);
    fx_send(fx, "j<Enter>");
    fx_assert_shows(fx, "filter: id > 13");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "where id > 13");
}

static void test_saved__survive_a_restart(void **state)
{
    ffx *f = *state;
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f:handle contains 'doe' or id > 10<Enter>skeep<Enter>");
    fx_assert_shows(fx, "saved as 'keep'");
    tui_app_free(fx->app);
    fx->app = NULL;
    fx->scr->ops->free(fx->scr);
    fx->scr = NULL;

    /* A new program on the same state file. */
    fx_start(fx, 24, 100);
    fx_send(fx, "/accounts<Enter>F");
    fx_assert_shows(fx, "keep");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "where handle contains 'doe' or id > 10");
    assert_status_has(fx, "row 1 of 7");
    (void)f;
}

static void test_saved__a_dropped_column_is_reported_plainly(void **state)
{
    ffx *f = *state;
    tui_state *st = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(
        tui_state_open(&st, f->state_path, orm_db_url(f->fx.db), &err), 0);
    assert_int_equal(tui_state_filter_save(st, "old", "accounts",
                                           "hndle contains 'x'", 0, &err),
                     0);
    tui_state_free(st);
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f:id > 13<Enter><Enter>F<Enter>");
    fx_assert_shows(fx, "saved filter 'old': unknown column 'hndle' at 1");
    assert_string_equal(fx_top_name(fx), "saved-filters");
    fx_send(fx, "q");
    assert_status_has(fx, "where id > 13"); /* unchanged */
    /* e opens its text with the error, to fix it. */
    fx_send(fx, "Fe");
    assert_status_has(fx, "filter: hndle contains 'x'");
    fx_assert_shows(fx, "unknown column 'hndle' at 1");
    fx_send(fx, "<C-u>handle contains 'x'<Enter>s<Enter>");
    fx_assert_shows(fx, "saved as 'old'");
    orm_error_clear(&err);
}

/* The accounts table and the rows in it are as they were. */
static void assert_schema_and_data_intact(tui_fixture *fx, int64_t want)
{
    int exists = 0;
    int64_t n = -1;
    int exact = 0;
    assert_int_equal(orm_db_table_exists(fx->db, "accounts", &exists), 0);
    assert_true(exists);
    assert_int_equal(orm_db_count(fx->db, &Acct, 0, &n, &exact), 0);
    assert_int_equal(n, want);
}

static void test_injection__values_and_names_match_literally(void **state)
{
    ffx *f = *state;
    tui_fixture *fx = &f->fx;
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    add_account(fx, s, 40, "it's a \\ 'quote'");
    add_account(fx, s, 41, "'; DROP TABLE accounts; --");
    fx_commit(fx, s);
    orm_session_free(s);
    open_accounts(state);

    fx_send(fx, "faj<Enter><Enter>'; DROP TABLE accounts; --<Enter>");
    fx_assert_shows(fx, "handle = '''; DROP TABLE accounts; --'");
    fx_assert_shows(fx, "matches: 1 row");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "row 1 of 1");
    assert_schema_and_data_intact(fx, NACCOUNTS + 2);

    fx_send(fx, "fCaj<Enter>jj<Enter>%<Enter>"); /* contains '%': none */
    fx_assert_shows(fx, "matches: 0 rows");
    fx_send(fx, "daj<Enter>jj<Enter>\\ '<Enter>"); /* contains "\ '" */
    fx_assert_shows(fx, "matches: 1 row");
    fx_send(fx, "d:handle = 'x'' or ''1''=''1'<Enter>");
    fx_assert_shows(fx, "matches: 0 rows");
    fx_send(fx, "s'; DROP TABLE saved_filters; --<Enter>");
    fx_assert_shows(fx, "saved as ''; DROP TABLE saved_filters; --'");
    fx_send(fx, "<Esc>F");
    fx_assert_shows(fx, "'; DROP TABLE saved_filt");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "where handle = 'x'' or ''1");
    fx_assert_shows(fx, "(no matching rows)");
    assert_schema_and_data_intact(fx, NACCOUNTS + 2);
}

/* ---- foreign keys picked from the referenced rows ---- */

/* Accounts per customer: customer_id is 1 + id % 3. */
#define ACCOUNTS_OF_CUSTOMER 5

/* The builder's "customer_id <op>" chooser: customer_id is the seventh
 * column; equals, not equal and in list are its first operators. */
static void choose_customer_id(tui_fixture *fx, const char *op_keys)
{
    char keys[64];
    snprintf(keys, sizeof keys, "ajjjjjj<Enter>%s<Enter>", op_keys);
    fx_send(fx, keys);
}

static void test_picker__equals_takes_the_key_of_the_picked_row(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f");
    choose_customer_id(fx, "");
    assert_string_equal(fx_top_name(fx), "picker");
    fx_assert_shows(fx, "pick Customer (customers)");
    fx_assert_shows(fx, "Enter: customer_id = its id");
    fx_assert_shows(fx, "Alice");
    fx_assert_shows(fx, "Eve");
    assert_status_has(fx, "5 rows");
    assert_status_lacks(fx, "marked"); /* one row is picked here */
    /* With keys: down to the second row, Enter. */
    fx_send(fx, "<Down><Enter>");
    assert_string_equal(fx_top_name(fx), "filter-builder");
    fx_assert_shows(fx, "filter: customer_id = 2");
    fx_assert_shows(fx, "customer_id equals 2");
    fx_assert_shows(fx, "matches: 5 rows");
    assert_status_has(fx, "1 row of customers picked");

    /* A search narrows the rows; not equal picks one row too. */
    choose_customer_id(fx, "j");
    fx_assert_shows(fx, "Enter: customer_id != its id");
    fx_send(fx, "chlo");
    fx_assert_not_shows(fx, "Alice");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "filter: customer_id = 2 and customer_id != 3");
    fx_assert_shows(fx, "matches: 5 rows");
    /* Changed, the picker opens on the row the condition names: one
     * down from customer 3 is 4. */
    fx_send(fx, "e<Enter><Enter><Down><Enter>");
    fx_assert_shows(fx, "filter: customer_id = 2 and customer_id != 4");
    fx_send(fx, "e<Enter><Enter><Enter>");
    fx_assert_shows(fx, "filter: customer_id = 2 and customer_id != 4");
    fx_send(fx, "e<Enter><Enter><Up><Enter>");
    fx_assert_shows(fx, "filter: customer_id = 2 and customer_id != 3");

    /* Applied, the rows screen has the keys in its filter. */
    fx_send(fx, "<Enter>");
    assert_string_equal(fx_top_name(fx), "rows");
    assert_status_has(fx, "where customer_id = 2 and customer_id != 3");
    assert_status_has(fx, "row 1 of 5");
}

static void test_picker__in_list_is_the_marked_rows(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f");
    choose_customer_id(fx, "jj");
    assert_string_equal(fx_top_name(fx), "picker");
    fx_assert_shows(fx, "Tab marks, Enter: customer_id in their id");
    assert_status_has(fx, "0 marked");
    /* Tab marks the row and steps down: Alice, Bob; skip Chloé; Eve. */
    fx_send(fx, "<Tab><Tab>");
    assert_status_has(fx, "2 marked");
    fx_send(fx, "<Down><Down><Tab>");
    assert_status_has(fx, "3 marked");
    fx_assert_shows(fx, "* <Customer id=1>");
    fx_assert_shows(fx, "* <Customer id=5>");
    fx_assert_not_shows(fx, "* <Customer id=3>");
    /* Tab on a marked row unmarks it (Eve, the last row: the cursor
     * stays); a search keeps the marks. */
    fx_send(fx, "<Tab>");
    assert_status_has(fx, "2 marked");
    fx_send(fx, "dmi<Tab><C-u>");
    assert_status_has(fx, "3 marked");
    fx_assert_shows(fx, "* <Customer id=4>");
    fx_send(fx, "<Enter>");
    assert_string_equal(fx_top_name(fx), "filter-builder");
    fx_assert_shows(fx, "filter: customer_id in (1, 2, 4)");
    fx_assert_shows(fx, "customer_id in list (1, 2, 4)");
    fx_assert_shows(fx, "matches: 10 rows");
    assert_status_has(fx, "3 rows of customers picked");

    /* Changing the list starts from its keys, marked. */
    fx_send(fx, "je<Enter><Enter>");
    assert_string_equal(fx_top_name(fx), "picker");
    assert_status_has(fx, "3 marked");
    fx_assert_shows(fx, "* <Customer id=4>");
    fx_send(fx, "<Tab>"); /* Alice: unmarked */
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "filter: customer_id in (2, 4)");
    fx_assert_shows(fx, "matches: 5 rows");

    /* Enter with nothing marked picks the row under the cursor. */
    fx_send(fx, "d");
    choose_customer_id(fx, "jj");
    fx_send(fx, "<Down><Down><Enter>");
    fx_assert_shows(fx, "filter: customer_id in (3)");
    fx_assert_shows(fx, "matches: 5 rows");
}

static void test_picker__esc_keeps_the_condition_unchanged(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f");
    choose_customer_id(fx, "");
    fx_send(fx, "<Down><Enter>");
    fx_assert_shows(fx, "filter: customer_id = 2");
    /* Changing it: the picker opens, Esc leaves it as it was. */
    fx_send(fx, "e<Enter><Enter>");
    assert_string_equal(fx_top_name(fx), "picker");
    fx_send(fx, "<Down><Down>eve<Esc>");
    assert_string_equal(fx_top_name(fx), "filter-builder");
    fx_assert_shows(fx, "condition not changed");
    fx_assert_shows(fx, "filter: customer_id = 2");
    fx_assert_shows(fx, "matches: 5 rows");
    assert_status_has(fx, "1 condition ");
    /* Adding one: Esc adds nothing, even with rows marked. */
    choose_customer_id(fx, "jj");
    fx_send(fx, "<Tab><Tab><Esc>");
    fx_assert_shows(fx, "condition not changed");
    fx_assert_shows(fx, "filter: customer_id = 2");
    assert_status_has(fx, "1 condition ");
    /* The builder still works as before. */
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "where customer_id = 2");
}

/* Shipments refer to batches by two columns (year, no): the batches'
 * primary key. */
static const char *const batch_key_columns[] = {"year", "no"};
static const orm_column batch_columns[] = {
    {.name = "year", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "no", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "label", .type = ORM_STRING, .length = 20},
};
static const char *const ship_fk_columns[] = {"batch_year", "batch_no"};
static const orm_foreign_key ship_fks[] = {
    {.name = "ship_batch",
     .ncolumns = 2,
     .columns = ship_fk_columns,
     .ref_table = "batches",
     .ref_columns = batch_key_columns},
};
static const orm_column ship_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "batch_year", .type = ORM_INTEGER},
    {.name = "batch_no", .type = ORM_INTEGER},
};
static const orm_model Batch = {.name = "Batch",
                                .table = "batches",
                                .columns = batch_columns,
                                .ncolumns = 3};
static const orm_model Ship = {.name = "Shipment",
                               .table = "shipments",
                               .columns = ship_columns,
                               .ncolumns = 3,
                               .foreign_keys = ship_fks,
                               .nforeign_keys = 1};

static int setup_batches(void **state)
{
    static const struct {
        int year, no;
        const char *label;
    } batches[] = {
        {2023, 1, "spring"}, {2023, 2, "autumn"}, {2024, 1, "winter"}};
    /* Shipments 1-6 of batches: 2023/1, 2023/2, 2024/1, 2023/1, 2024/1,
     * 2024/1. */
    static const int ship_batch[] = {0, 1, 2, 0, 2, 2};
    ffx *f;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    setup(state);
    f = *state;
    fx_check(orm_db_register(f->fx.db, &Batch), f->fx.db, "register");
    fx_check(orm_db_register(f->fx.db, &Ship), f->fx.db, "register");
    fx_check(orm_db_create_all(f->fx.db), f->fx.db, "create");
    fx_check(orm_session_new(&s, f->fx.db), f->fx.db, "session");
    for (int i = 0; i < 3; i++) {
        fx_check(orm_record_new(&rec, &Batch), f->fx.db, "record");
        fx_set(rec, "year", orm_value_int(batches[i].year));
        fx_set(rec, "no", orm_value_int(batches[i].no));
        fx_set(rec, "label", orm_value_text(batches[i].label));
        fx_check(orm_session_add(s, rec), f->fx.db, "add");
    }
    for (int i = 0; i < 6; i++) {
        fx_check(orm_record_new(&rec, &Ship), f->fx.db, "record");
        fx_set(rec, "id", orm_value_int(i + 1));
        fx_set(rec, "batch_year", orm_value_int(batches[ship_batch[i]].year));
        fx_set(rec, "batch_no", orm_value_int(batches[ship_batch[i]].no));
        fx_check(orm_session_add(s, rec), f->fx.db, "add");
    }
    fx_commit(&f->fx, s);
    orm_session_free(s);
    return 0;
}

static void test_picker__a_two_column_key_becomes_an_and_group(void **state)
{
    tui_fixture *fx = open_table(state, "shipments");
    /* batch_year (second column), = (first operator). */
    fx_send(fx, "faj<Enter><Enter>");
    assert_string_equal(fx_top_name(fx), "picker");
    fx_assert_shows(fx, "pick Batch (batches)");
    fx_assert_shows(fx, "Enter: (batch_year, batch_no) = its (year, no)");
    fx_send(fx, "autumn<Enter>");
    assert_string_equal(fx_top_name(fx), "filter-builder");
    fx_assert_shows(fx, "filter: batch_year = 2023 and batch_no = 2");
    /* In the tree: a group of the two columns under the root. */
    fx_assert_shows(fx, "   all of (and)");
    fx_assert_shows(fx, "     batch_year = 2023");
    fx_assert_shows(fx, "     batch_no = 2");
    fx_assert_shows(fx, "matches: 1 row");

    /* Changing a column of it replaces the whole key: in list of two
     * batches is an or of and-groups. */
    fx_send(fx, "je<Enter>jjjjjjj<Enter>");
    assert_string_equal(fx_top_name(fx), "picker");
    fx_send(fx, "<Tab><Down><Tab><Enter>");
    fx_assert_shows(fx, "filter: batch_year = 2023 and batch_no = 1 or "
                        "batch_year = 2024 and batch_no = 1");
    fx_assert_shows(fx, "   any of (or)");
    fx_assert_shows(fx, "       batch_year = 2024");
    fx_assert_not_shows(fx, "batch_no = 2");
    fx_assert_shows(fx, "matches: 5 rows");
    assert_status_has(fx, "4 conditions");
    assert_status_has(fx, "2 rows of batches picked");

    /* Not equal: the key group negated. */
    fx_send(fx, "C");
    fx_send(fx, "ajj<Enter>j<Enter>");
    fx_assert_shows(fx, "Enter: (batch_year, batch_no) != its (year, no)");
    fx_send(fx, "winter<Enter>");
    fx_assert_shows(fx, "filter: not (batch_year = 2024 and batch_no = 1)");
    fx_assert_shows(fx, "matches: 3 rows");
}

/* Saving under a taken name never replaces silently: y replaces, n and
 * Esc go back to the name with nothing saved. */
static void test_saved__taken_name_asks_before_replacing(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f:handle = 'Ärger'<Enter>sÄrger-Filter<Enter>");
    fx_assert_shows(fx, "saved as 'Ärger-Filter'");
    fx_send(fx, "<Esc>f:id > 12<Enter>sÄrger-Filter<Enter>");
    assert_status_has(fx, "replace? y/n: ");
    /* Esc: back to the name, nothing replaced. */
    fx_send(fx, "<Esc>");
    assert_status_has(fx, "save as: Ärger-Filter");
    fx_send(fx, "<Esc><Esc>F");
    fx_assert_shows(fx, "handle = 'Ärger'");
    fx_assert_not_shows(fx, "id > 12");
    /* y: replaced. */
    fx_send(fx, "qf:id > 12<Enter>sÄrger-Filter<Enter>y<Enter>");
    fx_assert_shows(fx, "saved as 'Ärger-Filter'");
    fx_send(fx, "<Esc>F");
    fx_assert_shows(fx, "1 saved filter");
    fx_assert_shows(fx, "id > 12");
    fx_assert_not_shows(fx, "handle = 'Ärger'");
}

/* between with the first value after the second warns and offers to
 * swap: y swaps, n asks for the second value again. */
static void test_builder__between_reversed_warns_and_swaps(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "f");
    add_condition(fx, "", "jjjjjj", "12"); /* id between: from 12 */
    assert_status_has(fx, "to: ");
    fx_send(fx, "3<Enter>");
    fx_assert_shows(fx, "id between 12 and 3 matches nothing");
    assert_status_has(fx, "swap? y/n: ");
    fx_send(fx, "n<Enter>");
    assert_status_has(fx, "to: 3");
    fx_send(fx, "<C-u>14<Enter>");
    fx_assert_shows(fx, "filter: id between 12 and 14");
    fx_assert_shows(fx, "matches: 3 rows");
    /* Reversed again, y: swapped. */
    fx_send(fx, "e<Enter><Enter><C-u>9<Enter><C-u>2<Enter>");
    assert_status_has(fx, "swap? y/n: ");
    fx_send(fx, "y<Enter>");
    fx_assert_shows(fx, "filter: id between 2 and 9");
    fx_assert_shows(fx, "matches: 8 rows");
    /* Days on a date column. */
    fx_send(fx, "C");
    add_condition(fx, "jjj", "jjj", "2000-01-20");
    fx_send(fx, "2000-01-03<Enter>");
    fx_assert_shows(fx, "born between 2000-01-20 and 2000-01-03 matches "
                        "nothing");
    fx_send(fx, "y<Enter>");
    fx_assert_shows(fx, "filter: born between '2000-01-03' and '2000-01-20'");
    /* Decimals by value, not as text ('10.5' > '9.75'). */
    fx_send(fx, "C");
    add_condition(fx, "jjjjj", "jjjjjj", "10.5");
    fx_send(fx, "9.75<Enter>");
    assert_status_has(fx, "swap? y/n: ");
    fx_send(fx, "<Esc>"); /* back to the first value */
    assert_status_has(fx, "from: 10.5");
    fx_send(fx, "<C-u>1.25<Enter>");
    assert_status_has(fx, "to: 9.75");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "filter: balance between '1.25' and '9.75'");
    fx_assert_shows(fx, "matches: 15 rows");
}

/* Esc while typing a value steps back a step and loses nothing: the
 * operator chooser shows with the operator chosen, and choosing it
 * again brings back what was typed (both values of a between). */
static void test_builder__esc_at_a_value_keeps_what_was_typed(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "faj<Enter>jj<Enter>");
    assert_status_has(fx, "value: ");
    fx_send(fx, "Ärger im Büro<Esc>");
    fx_assert_shows(fx, "How must handle match?");
    fx_assert_shows(fx, "what you typed is kept");
    assert_string_equal(fx_top_name(fx), "filter-builder");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "value: Ärger im Büro");
    /* Back twice: the column chooser; a value typed there stays. */
    fx_send(fx, "<Esc><Esc>");
    fx_assert_shows(fx, "Which column?");
    fx_send(fx, "<Enter><Enter>");
    assert_status_has(fx, "value: Ärger im Büro");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "filter: handle icontains 'Ärger im Büro'");
    /* between: Esc at the second value goes back to the first, with
     * both kept. */
    fx_send(fx, "a<Enter>jjjjjj<Enter>3<Enter>7<Esc>");
    assert_status_has(fx, "from: 3");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "to: 7");
    fx_send(fx, "<Esc><Esc>");
    fx_assert_shows(fx, "How must id match?");
    fx_send(fx, "<Enter>");
    assert_status_has(fx, "from: 3");
    fx_send(fx, "<Enter><Enter>");
    fx_assert_shows(fx, "and id between 3 and 7");
    /* A new condition starts empty. */
    fx_send(fx, "a<Enter><Enter>");
    assert_status_has(fx, "value: ");
    assert_status_lacks(fx, "value: 3");
}

static void test_help__lists_the_filter_keys(void **state)
{
    tui_fixture *fx = open_accounts(state);
    fx_send(fx, "?");
    for (int i = 0; i < 20 && fx_row_of(fx, "clear-filter") < 0; i++)
        fx_send(fx, "<PgDn>");
    fx_assert_shows(fx, "clear-filter");
    fx_assert_shows(fx, "Rows: clear the filter (builder: all of it)");
    fx_assert_shows(fx, "Builder: save the filter under a name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_builder__keys_build_count_apply_status_and_clear),
        T(test_builder__opens_with_the_active_filter),
        T(test_builder__text_error_shows_a_caret_under_the_position),
        T(test_builder__operators_offered_fit_the_column_type),
        T(test_builder__typed_values_are_checked_like_form_fields),
        T(test_builder__text_matches_ignore_case_by_default),
        T(test_builder__negate_group_move_and_edit),
        T(test_builder__relative_dates_compile_to_concrete_dates),
        T(test_builder__date_operators_on_screen),
        T(test_builder__count_is_made_between_keys),
        cmocka_unit_test_setup_teardown(
            test_builder__large_results_count_in_two_steps, setup_big,
            teardown),
        T(test_saved__save_list_rename_duplicate_delete_apply),
        T(test_saved__history_offers_applied_filters),
        T(test_saved__survive_a_restart),
        T(test_saved__a_dropped_column_is_reported_plainly),
        T(test_injection__values_and_names_match_literally),
        T(test_picker__equals_takes_the_key_of_the_picked_row),
        T(test_picker__in_list_is_the_marked_rows),
        T(test_picker__esc_keeps_the_condition_unchanged),
        cmocka_unit_test_setup_teardown(
            test_picker__a_two_column_key_becomes_an_and_group, setup_batches,
            teardown),
        T(test_saved__taken_name_asks_before_replacing),
        T(test_builder__between_reversed_warns_and_swaps),
        T(test_builder__esc_at_a_value_keeps_what_was_typed),
        T(test_help__lists_the_filter_keys),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
