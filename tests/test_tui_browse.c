/*
 * The browser driven with keys on an 80x24 in-memory screen over a
 * SQLite database made through the ORM: models list and narrowing, rows
 * with paging, sort and search, the record screen, following foreign
 * keys and back, help, resizing, NULL versus empty text, wide text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_tui_fixture.h"

static int setup(void **state)
{
    tui_fixture *fx = calloc(1, sizeof *fx);
    fx_open_db(fx, 200);
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

static void
test_models__lists_every_model_with_counts_after_first_draw(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 24, 80);
    /* The first screen is drawn before any count runs. */
    int row = fx_row_of(fx, "Customer");
    assert_true(row > 0);
    char *line = fx_line(fx, row);
    assert_non_null(strstr(line, "\xE2\x80\xA6"));
    free(line);
    tui_app_settle(fx->app);
    tui_app_draw(fx->app);
    fx_assert_shows(fx, "Customer");
    fx_assert_shows(fx, "Order");
    fx_assert_shows(fx, "Log");
    line = fx_line(fx, fx_row_of(fx, "Item"));
    assert_non_null(strstr(line, "200"));
    assert_non_null(strstr(line, "items"));
    assert_non_null(strstr(line, "3")); /* columns */
    free(line);
    line = fx_line(fx, fx_row_of(fx, "Customer"));
    assert_non_null(strstr(line, " 5 "));
    assert_non_null(strstr(line, " 8")); /* 8 columns */
    free(line);
}

/* A table another program drops after the list was read is marked "no
 * table" and every other model still gets its count, without an error:
 * the models screen on a live database where tables come and go. */
static void
test_models__a_dropped_table_is_marked_and_others_counted(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 24, 80);
    orm_db *other = NULL;
    assert_int_equal(orm_db_open(&other, fx->url, NULL), 0);
    assert_int_equal(orm_db_drop_table(other, &FxLog), 0);
    orm_db_free(other);
    tui_app_settle(fx->app);
    tui_app_draw(fx->app);
    char *line = fx_line(fx, fx_row_of(fx, "Log"));
    if (!strstr(line, "no table"))
        fx_dump_fail(fx, "Log is not marked on", line);
    free(line);
    line = fx_line(fx, fx_row_of(fx, "Item"));
    assert_non_null(strstr(line, "200"));
    free(line);
    line = fx_line(fx, fx_row_of(fx, "Customer"));
    assert_non_null(strstr(line, " 5 "));
    free(line);
    line = fx_line(fx, fx->scr->rows - 1);
    assert_null(strstr(line, "logs"));
    free(line);
}

static void test_models__slash_narrows_as_you_type(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 24, 80);
    fx_send(fx, "/or");
    fx_assert_shows(fx, "Order");
    fx_assert_not_shows(fx, "Customer");
    fx_assert_not_shows(fx, "Item ");
    fx_send(fx, "<Backspace><Backspace>it");
    fx_assert_shows(fx, "Item");
    fx_assert_not_shows(fx, "Order");
    fx_send(fx, "<Esc>");
    fx_assert_shows(fx, "Order");
    fx_assert_shows(fx, "Customer");
}

static void test_models__typing_an_unbound_letter_starts_narrowing(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 24, 80);
    fx_send(fx, "cus"); /* c is bound to nothing on the models screen */
    fx_assert_shows(fx, "narrow: cus");
    fx_assert_shows(fx, "Customer");
    fx_assert_not_shows(fx, "Order");
    fx_send(fx, "<Enter>"); /* the one match opens */
    fx_assert_shows(fx, "Customer (customers)");
    fx_assert_shows(fx, "row 1 of 5");
}

static void test_models__q_quits(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 24, 80);
    fx_send(fx, "q");
    assert_true(tui_app_done(fx->app));
    assert_int_equal(fx->app->exit_status, 0);
}

/* Esc never quits: not on the models screen, not twice out of a prompt
 * (the first closes the prompt), not from a screen opened on top; q
 * still quits from the models screen. */
static void test_models__esc_never_quits_only_q_does(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 24, 80);
    fx_send(fx, "<Esc>");
    assert_false(tui_app_done(fx->app));
    fx_assert_shows(fx, "q quits orb");
    fx_send(fx, "/Ord<Esc><Esc>");
    assert_false(tui_app_done(fx->app));
    fx_assert_shows(fx, "Customer");
    fx_send(fx, "cus<Esc><Esc><Esc>"); /* narrowed: Esc clears it first */
    assert_false(tui_app_done(fx->app));
    fx_assert_shows(fx, "Order");
    /* From the rows: Esc goes back to the models, and no further. */
    fx_send(fx, "/Item<Enter>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "rows");
    fx_send(fx, "<Esc>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "models");
    fx_send(fx, "<Esc><Esc>"); /* the narrowing to Item, then nothing */
    assert_false(tui_app_done(fx->app));
    fx_assert_shows(fx, "q quits orb");
    fx_send(fx, "q");
    assert_true(tui_app_done(fx->app));
    assert_int_equal(fx->app->exit_status, 0);
}

/* The display column where `text` starts on a row, or -1. */
static int col_of(tui_fixture *fx, int row, const char *text)
{
    size_t n = strlen(text);
    for (int c = 0; c < fx->scr->cols; c++) {
        orm_buf b = ORM_BUF_INIT;
        for (int k = c; k < fx->scr->cols && b.len < n; k++) {
            const tui_cell *cell = tui_screen_cell(fx->scr, row, k);
            if (cell->width)
                orm_buf_append(&b, cell->text);
        }
        int hit = b.data && strncmp(b.data, text, n) == 0 &&
                  tui_screen_cell(fx->scr, row, c)->width != 0;
        orm_buf_free(&b);
        if (hit)
            return c;
    }
    return -1;
}

static void open_model(tui_fixture *fx, const char *name)
{
    char keys[64];
    fx_start(fx, 24, 80);
    snprintf(keys, sizeof keys, "/%s<Enter>", name);
    fx_send(fx, keys);
    if (strcmp(tui_app_top(fx->app)->ops->name, "rows") != 0)
        fx_dump_fail(fx, "rows screen not open for", name);
}

static void test_rows__enter_opens_rows_with_status(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    fx_assert_shows(fx, "item-07919"); /* id 1 */
    fx_assert_shows(fx, "row 1 of 200");
    /* Editing is on unless orb was started with --read-only. */
    fx_assert_not_shows(fx, "read-only");
    char *title = fx_line(fx, 0);
    assert_non_null(strstr(title, "Item (items)"));
    free(title);
    /* Header line with the key column first. */
    char *header = fx_line(fx, 1);
    assert_true(strstr(header, "id") < strstr(header, "label"));
    free(header);
}

static void test_rows__page_down_and_up_show_the_right_rows(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    int page = fx->scr->rows - 3; /* title, header, status */
    fx_send(fx, "<PgDn><PgDn><PgDn>");
    char label[32], status[64];
    fx_item_label(label, sizeof label, 3 * page + 1);
    fx_assert_shows(fx, label);
    snprintf(status, sizeof status, "row %d of 200", 3 * page + 1);
    fx_assert_shows(fx, status);
    fx_send(fx, "<PgUp>");
    fx_item_label(label, sizeof label, 2 * page + 1);
    assert_int_equal(fx_row_of(fx, label), 2); /* first data line */
    fx_send(fx, "G");
    fx_assert_shows(fx, "row 200 of 200");
    fx_item_label(label, sizeof label, 200);
    assert_int_equal(fx_row_of(fx, label), fx->scr->rows - 2);
    fx_send(fx, "g");
    fx_assert_shows(fx, "row 1 of 200");
    fx_send(fx, "jjj");
    fx_assert_shows(fx, "row 4 of 200");
}

static void test_rows__colon_jumps_to_a_row_number(void **state)
{
    tui_fixture *fx = *state;
    char label[32];
    open_model(fx, "Item");
    fx_send(fx, ":150<Enter>");
    fx_assert_shows(fx, "row 150 of 200");
    fx_item_label(label, sizeof label, 150);
    fx_assert_shows(fx, label);
    fx_send(fx, ":9999<Enter>");
    fx_assert_shows(fx, "row 200 of 200");
}

static void test_rows__sort_toggles_asc_desc_off(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    fx_send(fx, "s"); /* on id */
    fx_assert_shows(fx, "sort: id \xE2\x86\x91");
    fx_send(fx, "s");
    fx_assert_shows(fx, "sort: id \xE2\x86\x93");
    /* The cursor stays on its row (id 1), now the last. */
    fx_assert_shows(fx, "row 200 of 200");
    char label[32];
    fx_send(fx, "g");
    fx_item_label(label, sizeof label, 200);
    assert_int_equal(fx_row_of(fx, label), 2);
    fx_send(fx, "s");
    fx_assert_not_shows(fx, "sort:");
    fx_assert_shows(fx, "row 200 of 200"); /* still on id 200 */
    fx_send(fx, "g");
    fx_item_label(label, sizeof label, 1);
    assert_int_equal(fx_row_of(fx, label), 2);
    /* Sorting by label, then paging by key in that order. */
    fx_send(fx, "lsg<PgDn>");
    fx_assert_shows(fx, "sort: label \xE2\x86\x91");
    fx_assert_shows(fx, "row 22 of 200");
}

static void test_rows__search_matches_all_words_case_insensitively(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Order");
    fx_send(fx, "/GIFT wrap<Enter>");
    fx_assert_shows(fx, "search: GIFT wrap");
    fx_assert_shows(fx, "gift wrap");
    fx_assert_not_shows(fx, "express");
    fx_assert_shows(fx, "of 4");
    fx_send(fx, "/gift express<Enter>");
    fx_assert_shows(fx, "(no matching rows)");
    fx_send(fx, "/<C-u><Enter>");
    fx_assert_not_shows(fx, "search:");
    fx_assert_shows(fx, "express");
}

/* Notes 10..69; the title of ids 12, 40 and 66 holds "Größe" in
 * another case each. */
static void add_find_notes(tui_fixture *fx)
{
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    for (int i = 10; i < 70; i++) {
        char title[40];
        orm_record *rec;
        snprintf(title, sizeof title, "%s %d",
                 i == 12   ? "GRÖSSE Größe"
                 : i == 40 ? "die größe"
                 : i == 66 ? "GRÖßE!"
                           : "andere",
                 i);
        orm_record_new(&rec, &FxNote);
        fx_set(rec, "id", orm_value_int(i));
        fx_set(rec, "title", orm_value_text(title));
        fx_set(rec, "n", orm_value_int(i));
        orm_session_add(s, rec);
    }
    fx_commit(fx, s);
    orm_session_free(s);
}

/* The id in the cursor's line (the first column), or -1. */
static long cursor_id(tui_fixture *fx)
{
    for (int r = 2; r < fx->scr->rows - 1; r++) { /* under the header */
        const tui_cell *cell = &fx->scr->cells[r * fx->scr->cols + 2];
        if (cell->element != TUI_EL_CURSOR &&
            cell->element != TUI_EL_CURSOR_CELL)
            continue;
        char *line = fx_line(fx, r);
        long id = strtol(line, NULL, 10);
        free(line);
        return id;
    }
    return -1;
}

/* n and N step through the rows matching the search in the current
 * order, without narrowing them, across pages; / still narrows, and n
 * then stops narrowing on the same row; Esc ends the search, and only
 * then goes back. */
static void test_rows__n_and_shift_n_step_through_matches(void **state)
{
    tui_fixture *fx = *state;
    add_find_notes(fx);
    open_model(fx, "Note");
    fx_assert_shows(fx, "row 1 of 64");
    fx_send(fx, "n");
    fx_assert_shows(fx, "no search: / starts one");
    fx_send(fx, "/größe<Enter>"); /* narrows, as always */
    fx_assert_shows(fx, "search: größe");
    fx_assert_shows(fx, "row 1 of 3");
    fx_send(fx, "n"); /* all rows again, the cursor on id 12, then 40 */
    fx_assert_not_shows(fx, "search: größe");
    fx_assert_shows(fx, "find: größe");
    fx_assert_shows(fx, "row 35 of 64");
    assert_int_equal(cursor_id(fx), 40);
    fx_send(fx, "n");
    fx_assert_shows(fx, "row 61 of 64");
    assert_int_equal(cursor_id(fx), 66);
    fx_send(fx, "n");
    fx_assert_shows(fx, "no match for 'größe' below this row");
    assert_int_equal(cursor_id(fx), 66);
    fx_send(fx, "NN");
    fx_assert_shows(fx, "row 7 of 64");
    assert_int_equal(cursor_id(fx), 12);
    fx_send(fx, "N");
    fx_assert_shows(fx, "no match for 'größe' above this row");
    /* In the current order: id descending. */
    fx_send(fx, "ss");
    fx_assert_shows(fx, "sort: id \xE2\x86\x93");
    fx_send(fx, "gn");
    assert_int_equal(cursor_id(fx), 66);
    fx_send(fx, "n");
    assert_int_equal(cursor_id(fx), 40);
    /* Esc ends the search, the rows stay; Esc again goes back. */
    fx_send(fx, "<Esc>");
    fx_assert_shows(fx, "search cleared");
    fx_assert_not_shows(fx, "find:");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "rows");
    assert_int_equal(cursor_id(fx), 40);
    fx_send(fx, "/andere 59<Enter>");
    fx_assert_shows(fx, "row 1 of 1");
    fx_send(fx, "<Esc>"); /* narrowing ends on the same row */
    fx_assert_shows(fx, "of 64");
    assert_int_equal(cursor_id(fx), 59);
    fx_send(fx, "<Esc>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "models");
}

/* n reads the match and the rows around it, never the rows between:
 * the window stays within its capacity. */
static void test_rows__n_jumps_far_with_bounded_memory(void **state)
{
    tui_fixture *fx = *state;
    char label[32];
    open_model(fx, "Item");
    fx_item_label(label, sizeof label, 150);
    char keys[64];
    snprintf(keys, sizeof keys, "/%s<Enter>n", label + 5);
    fx_send(fx, keys);
    fx_assert_shows(fx, "row 150 of 200");
    assert_int_equal(cursor_id(fx), 150);
    tui_rowcache *cache = tui_view_rows_cache(tui_app_top(fx->app));
    assert_true(tui_rowcache_peak(cache) <= tui_rowcache_capacity(cache));
}

/* A message wider than the screen wraps over the lines above the
 * status line, so that it can be read in full; the next key clears it. */
static void test_app__a_long_message_is_shown_in_full(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 12, 40);
    fx_send(fx, "/Log<Enter>");
    fx_send(fx, "/line 0<Enter>n");
    fx_assert_shows(fx, "Log has no primary key: the search can");
    fx_assert_shows(fx, "only narrow the rows");
    fx_send(fx, "j");
    fx_assert_not_shows(fx, "only narrow the rows");
    fx_assert_shows(fx, "search: line 0");
}

/* Counts in the status line and in messages are grouped alike,
 * whatever the locale (the de_DE twin runs this too). */
static void test_rows__counts_are_grouped_alike(void **state)
{
    tui_fixture *fx = *state;
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    for (long i = 201; i <= 1500; i++) {
        char label[32];
        orm_record *rec;
        fx_item_label(label, sizeof label, i);
        orm_record_new(&rec, &FxItem);
        fx_set(rec, "id", orm_value_int(i));
        fx_set(rec, "label", orm_value_text(label));
        fx_set(rec, "grp", orm_value_int(i % 10));
        orm_session_add(s, rec);
    }
    fx_commit(fx, s);
    orm_session_free(s);
    open_model(fx, "Item");
    fx_send(fx, ":99999<Enter>");
    fx_assert_shows(fx, "only 1,500 rows");
    fx_assert_shows(fx, "row 1,500 of 1,500");
    fx_send(fx, "llgi"); /* grp's summary */
    fx_assert_shows(fx, "1,500 rows \xC2\xB7 0 NULL \xC2\xB7 10 distinct");
    fx_assert_shows(fx, "       150   10.0%  ");
}

/* A foreign key's cell shows the referenced row's label (its first text
 * column) beside the id, which stays right-aligned, read for the whole screen
 * at once; NULL shows none; rows paged to later get theirs between keys. */
static void test_rows__foreign_keys_show_the_referenced_label(void **state)
{
    tui_fixture *fx = *state;
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    for (int i = 0; i < 40; i++) { /* orders 200..239, customers 1..5 */
        orm_record *rec;
        orm_record_new(&rec, &FxOrder);
        fx_set(rec, "id", orm_value_int(200 + i));
        fx_set(rec, "customer_id", orm_value_int(1 + i % 5));
        fx_set(rec, "note", orm_value_text("bulk"));
        orm_session_add(s, rec);
    }
    fx_commit(fx, s);
    orm_session_free(s);
    open_model(fx, "Order");
    char *line = fx_line(fx, fx_row_of(fx, " 100 "));
    if (!strstr(line, " Alice ") || !strstr(line, " 1  10.5 "))
        fx_dump_fail(fx, "no label for customer 1 in", line);
    free(line);
    line = fx_line(fx, fx_row_of(fx, " 102 "));
    if (!strstr(line, " Chlo\xC3\xA9 ") || !strstr(line, " 3  31.5 "))
        fx_dump_fail(fx, "no label for customer 3 in", line);
    free(line);
    line = fx_line(fx, fx_row_of(fx, " 107 "));
    if (strstr(line, "Alice") || strstr(line, "Bob"))
        fx_dump_fail(fx, "a label beside NULL in", line);
    free(line);
    /* The customer column stays as wide as the first screen made it. */
    fx_send(fx, "G");
    line = fx_line(fx, fx_row_of(fx, " 239 "));
    if (!strstr(line, " Eve ") || !strstr(line, " 5  NULL "))
        fx_dump_fail(fx, "no label for customer 5 in", line);
    free(line);
}

/* SQLite's own lower() folds ASCII only: the search must fold the
 * rest of Unicode too, and keep accents apart. */
static void test_rows__search_folds_unicode_case_keeps_accents(void **state)
{
    tui_fixture *fx = *state;
    static const char *const titles[] = {"über", "ÜBER", "Über", "uber",
                                         "ΣΟΦΊΑ"};
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    for (int i = 0; i < 5; i++) {
        orm_record *rec;
        orm_record_new(&rec, &FxNote);
        fx_set(rec, "id", orm_value_int(10 + i));
        fx_set(rec, "title", orm_value_text(titles[i]));
        fx_set(rec, "n", orm_value_int(i));
        orm_session_add(s, rec);
    }
    fx_commit(fx, s);
    orm_session_free(s);
    open_model(fx, "Note");
    fx_send(fx, "/ÜBER<Enter>");
    fx_assert_shows(fx, "row 1 of 3");
    fx_assert_not_shows(fx, "uber");
    fx_send(fx, "/<C-u>über<Enter>");
    fx_assert_shows(fx, "row 1 of 3");
    fx_send(fx, "/<C-u>σοφία<Enter>");
    fx_assert_shows(fx, "row 1 of 1");
    fx_assert_shows(fx, "ΣΟΦΊΑ");
    fx_send(fx, "/<C-u>CHLOÉ<Enter>"); /* no note has it */
    fx_assert_shows(fx, "(no matching rows)");
}

static void test_rows__null_is_drawn_apart_from_empty_text(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Note");
    fx_send(fx, "G"); /* the cursor line is drawn in its own colours */
    int null_row = fx_row_of(fx, "null body");
    int empty_row = fx_row_of(fx, "empty body");
    assert_true(null_row > 0 && empty_row > 0);
    int c = col_of(fx, null_row, "NULL");
    assert_true(c > 0);
    assert_int_equal(tui_screen_cell(fx->scr, null_row, c)->element,
                     TUI_EL_NULL_VALUE);
    char *line = fx_line(fx, empty_row);
    assert_null(strstr(line, "NULL"));
    free(line);
}

static void test_rows__wide_text_keeps_columns_aligned(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Note");
    int rows[4] = {fx_row_of(fx, "null body"), fx_row_of(fx, "empty body"),
                   fx_row_of(fx, "wide"), fx_row_of(fx, "emoji")};
    const char *n[4] = {"7000", "7001", "7002", "7003"};
    int want = col_of(fx, rows[0], n[0]);
    assert_true(want > 0);
    for (int i = 1; i < 4; i++)
        assert_int_equal(col_of(fx, rows[i], n[i]), want);
    /* The CJK text takes two cells a character. */
    int c = col_of(fx, rows[2], "\xE6\xBC\xA2");
    assert_int_equal(tui_screen_cell(fx->scr, rows[2], c)->width, 2);
}

static void test_rows__secret_is_masked_until_revealed(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Customer");
    fx_assert_shows(fx, TUI_SECRET_MASK);
    fx_assert_not_shows(fx, "hunter2");
    fx_send(fx, "lllR");
    fx_assert_shows(fx, "hunter2");
    fx_send(fx, "R");
    fx_assert_not_shows(fx, "hunter2");
}

static void test_record__shows_columns_constraints_and_values(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Customer");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "Customer (customers) record");
    int r = fx_row_of(fx, "id ");
    char *line = fx_line(fx, r);
    assert_non_null(strstr(line, "Integer"));
    assert_non_null(strstr(line, "PK"));
    free(line);
    fx_assert_shows(fx, "String(50) not null");
    fx_assert_shows(fx, "String(100) unique");
    fx_assert_shows(fx, "Alice@example.org");
    fx_assert_shows(fx, "\"tags\": ["); /* JSON pretty-printed */
    fx_assert_shows(fx, TUI_SECRET_MASK);
    fx_send(fx, "G");
    fx_assert_shows(fx, "<3 bytes>");
}

static void test_record__enter_follows_a_foreign_key_and_q_returns(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Order");
    fx_send(fx, "j<Enter>"); /* order 101, customer 2 */
    fx_assert_shows(fx, "FK \xE2\x86\x92 customers.id");
    fx_send(fx, "j<Enter>");
    fx_assert_shows(fx, "Customer (customers) record");
    fx_assert_shows(fx, "Bob@example.org");
    fx_send(fx, "q");
    fx_assert_shows(fx, "Order (orders) record");
    fx_send(fx, "q");
    fx_assert_shows(fx, "row 2 of 8");
}

static void test_record__null_foreign_key_says_so(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Order");
    fx_send(fx, "G<Enter>j<Enter>");
    fx_assert_shows(fx, "customer_id is NULL");
    fx_assert_shows(fx, "Order (orders) record");
}

static void test_record__b_lists_referring_rows_and_opens_them(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Customer");
    fx_send(fx, "<Enter>b");
    fx_assert_shows(fx, "Order (orders) where customer_id = 1");
    fx_assert_shows(fx, "3 of 8 rows"); /* counted between keys */
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "where customer_id = 1");
    fx_assert_shows(fx, "of 3");
    fx_assert_not_shows(fx, " 101 ");
}

static void test_help__lists_every_action_with_its_keys(void **state)
{
    tui_fixture *fx = *state;
    fx_start(fx, 24, 80);
    fx_send(fx, "?");
    fx_assert_shows(fx, "Help");
    orm_buf seen = ORM_BUF_INIT;
    /* Page through the whole help, however long the table grows. */
    for (int i = 0; i < 2 * TUI_ACTION_COUNT; i++) {
        char *text = tui_screen_text(fx->scr);
        orm_buf_append(&seen, text);
        free(text);
        fx_send(fx, "<PgDn>");
    }
    for (int a = 0; a < TUI_ACTION_COUNT; a++) {
        if (!strstr(orm_buf_str(&seen), tui_action_name((tui_action)a)))
            fail_msg("help lacks %s", tui_action_name((tui_action)a));
        if (!strstr(orm_buf_str(&seen), tui_action_help((tui_action)a)))
            fail_msg("help lacks the text of %s",
                     tui_action_name((tui_action)a));
    }
    assert_non_null(strstr(orm_buf_str(&seen), "PgDn C-f Space"));
    orm_buf_free(&seen);
    fx_send(fx, "q");
    fx_assert_shows(fx, "Models");
}

static void test_app__resize_to_40x10_still_browses(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    assert_int_equal(tui_screen_mem_set_size(fx->scr, 10, 40), 0);
    fx_send(fx, "<Resize>");
    fx_assert_shows(fx, "item-07919");
    fx_assert_shows(fx, "row 1 of 200");
    fx_send(fx, "<PgDn>");
    fx_assert_shows(fx, "row 8 of 200"); /* 7 rows a page */
    fx_assert_not_shows(fx, "too small");
}

static void test_app__below_40x10_says_too_small(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    assert_int_equal(tui_screen_mem_set_size(fx->scr, 8, 30), 0);
    fx_send(fx, "<Resize>");
    fx_assert_shows(fx, "terminal too small");
    fx_assert_shows(fx, "40\xC3\x97"
                        "10");
    assert_int_equal(tui_screen_mem_set_size(fx->scr, 24, 80), 0);
    fx_send(fx, "<Resize>");
    fx_assert_shows(fx, "row 1 of 200");
}

static void test_app__no_key_is_left_unimplemented(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    /* Each editing and filtering key opens its screen (left with Esc)
     * or acts; none is a placeholder. */
    static const char *const keys[] = {"a<Esc>", "e<Esc>", "d",     "u",
                                       "w<Esc>", "f<Esc>", "F<Esc>"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        fx_send(fx, keys[i]);
        fx_assert_not_shows(fx, "not available");
    }
    for (int a = 0; a < TUI_ACTION_COUNT; a++)
        if (strstr(tui_action_help((tui_action)a), "not available"))
            fail_msg("%s is still a placeholder",
                     tui_action_name((tui_action)a));
}

/* The messages key (C-g) shows the recent messages, newest first and in
 * full, errors marked, on any screen (a form's too, which types letters);
 * it is rebindable, and closes again. */
static void test_app__messages_key_recalls_what_was_said(void **state)
{
    tui_fixture *fx = *state;
    char bad[80];
    open_model(fx, "Customer");
    fx_send(fx, "b");             /* a message */
    fx_send(fx, ":zwölf<Enter>"); /* an error */
    fx_assert_shows(fx, "not a row number: zwölf");
    fx_send(fx, "j"); /* gone from the status line */
    fx_assert_not_shows(fx, "not a row number");
    fx_send(fx, "<C-g>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "messages");
    int error_row = fx_row_of(fx, "\xE2\x9C\x97 not a row number: zwölf");
    int info_row = fx_row_of(fx, "open a record (Enter) to list what refers");
    if (error_row < 1 || info_row <= error_row)
        fx_dump_fail(fx, "not newest first with the error marked", "");
    fx_send(fx, "<C-g>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "rows");
    fx_assert_not_shows(fx, "not a row number");

    /* A message too long for the status line is read in full, wrapped;
     * the same one again counts. */
    fx_send(fx, ":einhundertdreiundzwanzigtausendvierhundertsechsundfünfzig "
                "und noch viel mehr Text bis zum ENDE<Enter>j");
    fx_assert_not_shows(fx, "ENDE");
    fx_send(fx, ":x<Enter>:x<Enter><C-g>");
    fx_assert_shows(fx, "not a row number: x (\xC3\x97"
                        "2)");
    fx_assert_shows(fx, "Text bis zum ENDE");
    fx_send(fx, "q");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "rows");

    /* In a form, where letters are typed: the form stays as it was. */
    fx_send(fx, "aÉlise<C-g>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "messages");
    fx_send(fx, "<Esc>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "form");
    fx_assert_shows(fx, "Élise");

    /* Rebound: the new key opens it, the old one no longer does. */
    assert_int_equal(tui_keymap_bind(&fx->app->keymap, TUI_ACT_MESSAGES, "F5",
                                     bad, sizeof bad),
                     0);
    fx_send(fx, "<C-g>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "form");
    fx_send(fx, "<F5>");
    assert_string_equal(tui_app_top(fx->app)->ops->name, "messages");
}

static void test_app__database_error_shows_and_app_keeps_running(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Order");
    orm_db *other = NULL;
    assert_int_equal(orm_db_open(&other, fx->url, NULL), 0);
    assert_int_equal(orm_db_drop_table(other, &FxOrder), 0);
    orm_db_free(other);
    fx_send(fx, "r");
    int status = fx->scr->rows - 1;
    char *line = fx_line(fx, status);
    if (!strstr(line, "orders"))
        fx_dump_fail(fx, "no error about orders on", line);
    free(line);
    assert_false(tui_app_done(fx->app));
    fx_send(fx, "q");
    fx_assert_shows(fx, "Models");
}

static void test_app__mouse_click_selects_and_wheel_scrolls(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    tui_event click = {
        .key = TUI_KEY_MOUSE, .mouse = TUI_MOUSE_CLICK, .row = 6, .col = 2};
    tui_app_key(fx->app, &click);
    tui_app_draw(fx->app);
    fx_assert_shows(fx, "row 5 of 200");
    tui_event wheel = {.key = TUI_KEY_MOUSE, .mouse = TUI_MOUSE_WHEEL_DOWN};
    tui_app_key(fx->app, &wheel);
    tui_app_draw(fx->app);
    fx_assert_shows(fx, "row 8 of 200");
}

static void test_app__interrupt_ends_the_loop(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Item");
    tui_event ev = {.key = TUI_KEY_INTERRUPT, .signal = 15};
    tui_app_key(fx->app, &ev);
    assert_true(tui_app_done(fx->app));
    assert_int_equal(fx->app->exit_status, 128 + 15);
}

static void test_app__no_primary_key_table_is_browsable(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Log");
    fx_assert_shows(fx, "log line 00");
    fx_send(fx, "G");
    fx_assert_shows(fx, "log line 29");
    fx_send(fx, "g<Enter>");
    fx_assert_shows(fx, "Log (logs) record");
    fx_assert_shows(fx, "log line 00");
}

/* NULL in a number column ends where the numbers end. */
static void test_rows__null_is_right_aligned_in_number_columns(void **state)
{
    tui_fixture *fx = *state;
    open_model(fx, "Order");
    fx_send(fx, "G");
    int null_row = fx_row_of(fx, " 107 ");
    int one_row = fx_row_of(fx, " 100 ");
    if (null_row < 0 || one_row < 0)
        fx_dump_fail(fx, "no rows", "100 and 107");
    char *with_null = fx_line(fx, null_row);
    char *with_one = fx_line(fx, fx_row_of(fx, " 103 "));
    /* customer_id of 103 is 1: its last digit and NULL's L line up. */
    const char *l = strstr(with_null, "NULL");
    assert_non_null(l);
    size_t end = (size_t)(l - with_null) + 3;
    assert_true(end < strlen(with_one));
    assert_int_equal(with_one[end], '1');
    assert_int_equal(with_one[end - 1], ' ');
    free(with_null);
    free(with_one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_rows__null_is_right_aligned_in_number_columns, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_models__lists_every_model_with_counts_after_first_draw, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_models__a_dropped_table_is_marked_and_others_counted, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_models__slash_narrows_as_you_type,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_models__typing_an_unbound_letter_starts_narrowing, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_models__q_quits, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_models__esc_never_quits_only_q_does, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows__enter_opens_rows_with_status,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__page_down_and_up_show_the_right_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows__colon_jumps_to_a_row_number,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows__sort_toggles_asc_desc_off,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__search_matches_all_words_case_insensitively, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__search_folds_unicode_case_keeps_accents, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__n_and_shift_n_step_through_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__n_jumps_far_with_bounded_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_app__a_long_message_is_shown_in_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows__counts_are_grouped_alike,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__foreign_keys_show_the_referenced_label, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__null_is_drawn_apart_from_empty_text, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__wide_text_keeps_columns_aligned, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows__secret_is_masked_until_revealed, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_record__shows_columns_constraints_and_values, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_record__enter_follows_a_foreign_key_and_q_returns, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_record__null_foreign_key_says_so,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_record__b_lists_referring_rows_and_opens_them, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_help__lists_every_action_with_its_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app__resize_to_40x10_still_browses,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_app__below_40x10_says_too_small,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_app__no_key_is_left_unimplemented,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_app__messages_key_recalls_what_was_said, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_app__database_error_shows_and_app_keeps_running, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_app__mouse_click_selects_and_wheel_scrolls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app__interrupt_ends_the_loop,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_app__no_primary_key_table_is_browsable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
