/*
 * The rows screen's columns and sort keys, driven with keys on the
 * in-memory screen: hiding and showing columns (remembered per model
 * for the session), fitted, full and set widths, widths that stay put
 * while paging, freezing, jumping to a column by name with completion,
 * first and last column, a wider screen bringing back columns scrolled
 * off, rebinding, and sorting by several columns with the cursor kept on
 * its row. Copying a cell and rows (y, Y): what the terminal's clipboard
 * (OSC 52) and a desktop clipboard program receive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "columns.h"
#include "test_tui_fixture.h"

#define LONG_CITY "Llanfairpwllgwyngyll-gogerychwyrndrobwll-Ünïcode"

/* Many columns, a long comment, a non-ASCII column name, ties and
 * NULLs in score. */
static const orm_column wide_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "city", .type = ORM_STRING, .length = 80},
    {.name = "Größe", .type = ORM_INTEGER},
    {.name = "comment", .type = ORM_TEXT},
    {.name = "score", .type = ORM_INTEGER},
    {.name = "c01", .type = ORM_INTEGER},
    {.name = "c02", .type = ORM_INTEGER},
    {.name = "c03", .type = ORM_INTEGER},
    {.name = "c04", .type = ORM_INTEGER},
    {.name = "c05", .type = ORM_INTEGER},
    {.name = "c06", .type = ORM_INTEGER},
    {.name = "c07", .type = ORM_INTEGER},
    {.name = "c08", .type = ORM_INTEGER},
    {.name = "c09", .type = ORM_INTEGER},
    {.name = "c10", .type = ORM_INTEGER},
    {.name = "c11", .type = ORM_INTEGER},
    {.name = "cLast", .type = ORM_INTEGER},
};
static const orm_model Wide = ORM_MODEL("Wide", "wides", wide_columns);

/* Two columns and a text longer than 40 cells. */
static const orm_column memo_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "text", .type = ORM_STRING, .length = 200},
};
static const orm_model Memo = ORM_MODEL("Memo", "memos", memo_columns);

#define MEMO_TEXT                                                              \
    "Ein ziemlich langer Text über Größen, der mehr als vierzig Zellen "    \
    "braucht (ÆØÅ)"

/* A tab, a newline, a backslash and non-ASCII inside one value. */
#define MEMO_TABS     "Zeile 1\n\tZeile 2 \xC3\x86\xC3\x98\xC3\x85 \\ Ende"
#define MEMO_TABS_TSV "Zeile 1\\n\\tZeile 2 \xC3\x86\xC3\x98\xC3\x85 \\\\ Ende"

static void fill_wide(tui_fixture *fx)
{
    orm_session *s = NULL;
    static const char *const cities[] = {"Zürich", "berlin", "Åre", "Oslo",
                                         "kyiv"};
    fx_check(orm_db_register(fx->db, &Wide), fx->db, "register");
    fx_check(orm_db_register(fx->db, &Memo), fx->db, "register");
    fx_check(orm_db_create_all(fx->db), fx->db, "create_all");
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    for (int i = 1; i <= 30; i++) {
        orm_record *rec;
        orm_record_new(&rec, &Wide);
        fx_set(rec, "id", orm_value_int(i));
        /* The long city is on the second page only. */
        fx_set(rec, "city",
               orm_value_text(i == 25 ? LONG_CITY : cities[i % 5]));
        fx_set(rec, "Größe", orm_value_int(i % 4));
        fx_set(rec, "comment",
               orm_value_text(i == 1 ? "Ein Kommentar, der viel länger ist "
                                       "als vierzig Zellen: ENDE-DES-TEXTS"
                                     : "kurz"));
        fx_set(rec, "score",
               i % 5 == 0 ? orm_value_null() : orm_value_int(i % 3));
        for (int c = 5; c < 17; c++)
            fx_set(rec, wide_columns[c].name, orm_value_int(1000 + c));
        orm_session_add(s, rec);
    }
    orm_record *memo;
    orm_record_new(&memo, &Memo);
    fx_set(memo, "id", orm_value_int(1));
    fx_set(memo, "text", orm_value_text(MEMO_TEXT));
    orm_session_add(s, memo);
    orm_record_new(&memo, &Memo);
    fx_set(memo, "id", orm_value_int(2));
    fx_set(memo, "text", orm_value_text(MEMO_TABS));
    orm_session_add(s, memo);
    fx_commit(fx, s);
    orm_session_free(s);
}

static int setup(void **state)
{
    tui_fixture *fx = calloc(1, sizeof *fx);
    fx_open_db(fx, 200);
    fill_wide(fx);
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

static void open_model(tui_fixture *fx, const char *name)
{
    char keys[64];
    snprintf(keys, sizeof keys, "/<C-u>%s<Enter>", name);
    fx_send(fx, keys);
    if (strcmp(tui_app_top(fx->app)->ops->name, "rows") != 0)
        fx_dump_fail(fx, "rows screen not open for", name);
}

static void start_on(tui_fixture *fx, const char *model, int rows, int cols)
{
    fx_start(fx, rows, cols);
    open_model(fx, model);
}

/* The header's text under the cursor (the current column's name). */
static char *current_column(tui_fixture *fx)
{
    static char name[64];
    size_t n = 0;
    for (int c = 0; c < fx->scr->cols; c++) {
        const tui_cell *cell = tui_screen_cell(fx->scr, 1, c);
        if (cell->element != TUI_EL_CURSOR_CELL || !cell->width)
            continue;
        size_t len = strlen(cell->text);
        if (n + len < sizeof name && (n || cell->text[0] != ' ')) {
            memcpy(name + n, cell->text, len);
            n += len;
        }
    }
    while (n && name[n - 1] == ' ')
        n--;
    name[n] = '\0';
    return name;
}

static void assert_current(tui_fixture *fx, const char *name)
{
    if (strcmp(current_column(fx), name) != 0)
        fx_dump_fail(fx, "the current column is not", name);
}

/* Where `text` starts on the header line, or -1. */
static int header_x(tui_fixture *fx, const char *text)
{
    char *line = fx_line(fx, 1);
    char *at = strstr(line, text);
    int x = -1;
    if (at) {
        x = 0;
        for (int c = 0; c < fx->scr->cols; c++) {
            const tui_cell *cell = tui_screen_cell(fx->scr, 1, c);
            if (!cell->width)
                continue;
            size_t before = 0;
            for (int k = 0; k < c; k++)
                if (tui_screen_cell(fx->scr, 1, k)->width)
                    before += strlen(tui_screen_cell(fx->scr, 1, k)->text);
            if (before == (size_t)(at - line)) {
                x = c;
                break;
            }
        }
    }
    free(line);
    return x;
}

static void test_grid__minus_hides_plus_shows_remembered_per_model(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    fx_send(fx, "l");
    assert_current(fx, "city");
    fx_send(fx, "-");
    fx_assert_not_shows(fx, "Zürich");
    assert_true(header_x(fx, "city") < 0);
    assert_current(fx, "Größe"); /* the cursor moves on */
    fx_assert_shows(fx, "1 hidden");
    /* Back to the models and in again: still hidden this session. */
    fx_send(fx, "q");
    open_model(fx, "Wide");
    fx_assert_not_shows(fx, "Zürich");
    fx_assert_shows(fx, "1 hidden");
    /* Another model is not touched. */
    fx_send(fx, "q");
    open_model(fx, "Memo");
    fx_assert_not_shows(fx, "hidden");
    fx_send(fx, "q");
    open_model(fx, "Wide");
    fx_send(fx, "+");
    fx_assert_shows(fx, "Zürich");
    fx_assert_not_shows(fx, "1 hidden");
    fx_send(fx, "q");
    open_model(fx, "Wide");
    fx_assert_shows(fx, "Zürich");
}

static void test_grid__the_last_shown_column_cannot_be_hidden(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Memo", 24, 80);
    fx_send(fx, "-");
    fx_assert_shows(fx, "1 hidden");
    fx_send(fx, "-");
    fx_assert_shows(fx, "text is the last column shown");
    fx_assert_shows(fx, "Ein ziemlich");
}

/* With few columns the screen's room is used: no 40-cell cap. */
static void test_grid__columns_are_not_capped_when_there_is_room(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Memo", 24, 120);
    fx_assert_shows(fx, MEMO_TEXT);
}

static void test_grid__underscore_full_width_and_back(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    fx_assert_not_shows(fx, "ENDE-DES-TEXTS"); /* held to 40 cells */
    fx_send(fx, "lll");
    assert_current(fx, "comment");
    fx_send(fx, "_");
    fx_assert_shows(fx, "ENDE-DES-TEXTS");
    fx_send(fx, "_");
    fx_assert_not_shows(fx, "ENDE-DES-TEXTS");
}

static void test_grid__angle_brackets_narrow_and_widen(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    int x = header_x(fx, "Größe");
    assert_true(x > 0);
    fx_send(fx, "l>");
    assert_int_equal(header_x(fx, "Größe"), x + TUI_COLUMNS_STEP);
    fx_send(fx, "<");
    fx_send(fx, "<");
    assert_int_equal(header_x(fx, "Größe"), x - TUI_COLUMNS_STEP);
}

static void test_grid__widths_do_not_shift_while_paging(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    int x = header_x(fx, "Größe");
    assert_true(x > 0);
    fx_send(fx, "<PgDn>");
    fx_assert_shows(fx, "Llanf\xE2\x80\xA6"); /* cut to the width it had */
    assert_int_equal(header_x(fx, "Größe"), x);
    fx_send(fx, "<PgUp>");
    assert_int_equal(header_x(fx, "Größe"), x);
}

static void test_grid__bang_freezes_columns_beside_the_key(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    fx_send(fx, "l!");
    fx_assert_shows(fx, "columns frozen up to city");
    fx_send(fx, "$");
    assert_current(fx, "cLast");
    /* Scrolled to the end, city is still beside the key column. */
    assert_true(header_x(fx, "city") >= 0);
    assert_true(header_x(fx, "city") < header_x(fx, "cLast"));
    assert_true(header_x(fx, "comment") < 0);
    fx_send(fx, "0l!");
    fx_assert_shows(fx, "only the key columns are frozen");
    fx_send(fx, "$");
    assert_true(header_x(fx, "city") < 0);
    fx_send(fx, "0!");
    fx_assert_shows(fx, "id is a key column");
}

static void test_grid__zero_and_dollar_first_and_last_column(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    assert_true(header_x(fx, "cLast") < 0);
    fx_send(fx, "$");
    assert_current(fx, "cLast");
    assert_true(header_x(fx, "cLast") > 0);
    fx_send(fx, "0");
    assert_current(fx, "id");
    assert_true(header_x(fx, "city") > 0);
}

static void test_grid__c_jumps_to_a_column_with_completion(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    fx_send(fx, "ccom<Enter>");
    assert_current(fx, "comment");
    /* Tab completes, case folded, non-ASCII too. */
    fx_send(fx, "cgrö<Tab>");
    fx_assert_shows(fx, "column: Größe");
    fx_send(fx, "<Enter>");
    assert_current(fx, "Größe");
    /* Tab with nothing to add steps through the names that fit. */
    fx_send(fx, "cc<Tab>");
    fx_assert_shows(fx, "column: city");
    fx_send(fx, "<Esc>cc0<Tab>");
    fx_assert_shows(fx, "column: c01");
    fx_send(fx, "<Tab>");
    fx_assert_shows(fx, "column: c02");
    fx_send(fx, "<Enter>");
    assert_current(fx, "c02");
    /* Esc goes back where the cursor was. */
    fx_send(fx, "ccity<Esc>");
    assert_current(fx, "c02");
    fx_send(fx, "cnowhere<Enter>");
    fx_assert_shows(fx, "no column 'nowhere' in Wide");
    assert_current(fx, "c02");
    /* A hidden column is shown again. */
    fx_send(fx, "0l-");
    fx_assert_shows(fx, "1 hidden");
    fx_send(fx, "cCITY<Enter>");
    assert_current(fx, "city");
    fx_assert_not_shows(fx, "1 hidden");
}

static void test_grid__a_wider_screen_brings_back_columns(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    fx_send(fx, "$");
    assert_true(header_x(fx, "city") < 0);
    assert_int_equal(tui_screen_mem_set_size(fx->scr, 24, 250), 0);
    fx_send(fx, "<Resize>");
    assert_current(fx, "cLast");
    assert_true(header_x(fx, "city") > 0);
    assert_true(header_x(fx, "c01") > 0);
}

static void test_grid__column_keys_can_be_rebound(void **state)
{
    tui_fixture *fx = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/config", fx->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[keys]\nhide-column = x\nlast-column = L\n", f);
    fclose(f);
    start_on(fx, "Wide", 24, 80);
    fx_send(fx, "l-");
    fx_assert_shows(fx, "Zürich");
    fx_send(fx, "x");
    fx_assert_not_shows(fx, "Zürich");
    fx_assert_shows(fx, "city hidden (+ shows all)");
    fx_send(fx, "L");
    assert_current(fx, "cLast");
}

static void test_grid__shift_s_adds_sort_keys_shown_in_header(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    fx_send(fx, "ccity<Enter>s");
    fx_send(fx, "cscore<Enter>S");
    fx_assert_shows(fx, "sort: city \xE2\x86\x91, score \xE2\x86\x91");
    fx_send(fx, "S");
    fx_assert_shows(fx, "sort: city \xE2\x86\x91, score \xE2\x86\x93");
    fx_assert_shows(fx, "score\xE2\x96\xBC"
                        "2");
    fx_send(fx, "S");
    fx_assert_shows(fx, "sort: city \xE2\x86\x91");
    fx_assert_not_shows(fx, ", score");
    /* s makes one column the only key again. */
    fx_send(fx, "S");
    fx_send(fx, "cGröße<Enter>S");
    fx_assert_shows(fx, "\xE2\x96\xB2"
                        "3");
    fx_send(fx, "s");
    fx_assert_shows(fx, "sort: Größe \xE2\x86\x91");
    fx_assert_not_shows(fx, "city \xE2\x86\x91");
    fx_assert_not_shows(fx, "\xE2\x96\xB2"
                            "1");
}

/* score ascending (NULLs first), then Größe: the rows with no score
 * (5, 10, 15, 20, 25, 30) by Größe (i % 4), ties by id. */
static void test_grid__two_sort_keys_order_the_rows(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 80);
    fx_send(fx, "cscore<Enter>S");
    fx_send(fx, "cGröße<Enter>S");
    fx_assert_shows(fx, "score\xE2\x96\xB2"
                        "1");
    fx_assert_shows(fx, "Gr\xC3\xB6\xC3\x9F"
                        "e\xE2\x96\xB2"
                        "2");
    fx_send(fx, "g");
    static const int want[] = {20, 5, 25, 10, 30, 15};
    for (int i = 0; i < 6; i++) {
        char *line = fx_line(fx, 2 + i);
        int id = atoi(line);
        free(line);
        if (id != want[i])
            fx_dump_fail(fx, "rows out of order", "score, Größe");
    }
    /* Paging to the end and back keeps the order. */
    fx_send(fx, "G");
    fx_assert_shows(fx, "row 30 of 30");
    fx_send(fx, "g");
    char *line = fx_line(fx, 2);
    assert_int_equal(atoi(line), 20);
    free(line);
}

static void test_grid__sorting_keeps_the_cursor_on_its_row(void **state)
{
    tui_fixture *fx = *state;
    char label[32];
    start_on(fx, "Item", 24, 80);
    fx_send(fx, "jjjj"); /* id 5, fifth line */
    fx_assert_shows(fx, "row 5 of 200");
    fx_send(fx, "ls");
    /* item-39595 is the 80th label. */
    fx_assert_shows(fx, "row 80 of 200");
    fx_item_label(label, sizeof label, 5);
    assert_int_equal(fx_row_of(fx, label), 2 + 4);
    /* Descending: the same row, wherever it now is. */
    fx_send(fx, "s");
    fx_assert_shows(fx, "row 121 of 200");
    assert_int_equal(fx_row_of(fx, label), 2 + 4);
    /* A second key keeps it too. */
    fx_send(fx, "lS");
    fx_assert_shows(fx, "row 121 of 200");
}

/* ---- copy ---- */

/* What the in-memory terminal's clipboard holds ("" when nothing). */
static const char *clipboard(tui_fixture *fx)
{
    const char *text = tui_screen_mem_clipboard(fx->scr, NULL);
    return text ? text : "";
}

static void test_grid__y_copies_the_cell_as_it_is(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Memo", 24, 120);
    fx_send(fx, "jl");
    assert_current(fx, "text");
    fx_send(fx, "y");
    assert_string_equal(clipboard(fx), MEMO_TABS);
    fx_assert_shows(fx, "copied text (30 bytes) (OSC 52)");
    /* A number, and a non-ASCII text. */
    fx_send(fx, "q");
    open_model(fx, "Wide");
    fx_send(fx, "y");
    assert_string_equal(clipboard(fx), "1");
    fx_send(fx, "jl");
    assert_current(fx, "city");
    fx_send(fx, "y");
    assert_string_equal(clipboard(fx), "Åre");
}

/* The row cache keeps only the start of a long text and no blob bytes:
 * the copy reads the whole value. */
static void test_grid__y_copies_long_text_and_blobs_whole(void **state)
{
    tui_fixture *fx = *state;
    orm_session *s = NULL;
    orm_record *rec;
    char *text = malloc(3001);
    assert_non_null(text);
    for (int i = 0; i < 1000; i++)
        memcpy(text + 3 * i,
               i == 999 ? "END"
                        : "\xC3\xA4"
                          "b",
               3);
    text[3000] = '\0';
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    orm_record_new(&rec, &FxNote);
    fx_set(rec, "id", orm_value_int(5));
    fx_set(rec, "body", orm_value_text(text));
    orm_session_add(s, rec);
    fx_commit(fx, s);
    orm_session_free(s);
    start_on(fx, "Note", 24, 120);
    fx_send(fx, "Gcbody<Enter>y");
    assert_string_equal(clipboard(fx), text);
    free(text);
    fx_send(fx, "q");
    open_model(fx, "Customer");
    fx_send(fx, "cavatar<Enter>y");
    assert_string_equal(clipboard(fx), "\\x010203");
}

static void test_grid__y_on_null_copies_nothing(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 120);
    fx_send(fx, "y"); /* id 1 */
    fx_send(fx, "cscore<Enter>:5<Enter>y");
    assert_current(fx, "score");
    fx_assert_shows(fx, "score is NULL: nothing copied");
    assert_string_equal(clipboard(fx), "1");
}

static void test_grid__shift_y_copies_the_row_as_tsv(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Memo", 24, 120);
    fx_send(fx, "jY");
    assert_string_equal(clipboard(fx), "id\ttext\n2\t" MEMO_TABS_TSV "\n");
    fx_assert_shows(fx, "copied 1 row (OSC 52)");
    /* Hidden columns are left out; the screen's order is kept. */
    fx_send(fx, "-Y");
    assert_string_equal(clipboard(fx), "text\n" MEMO_TABS_TSV "\n");
}

static void test_grid__shift_y_copies_the_marked_rows(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 120);
    fx_send(fx, "m");  /* id 1, the cursor moves on */
    fx_send(fx, "jm"); /* id 3 */
    fx_assert_shows(fx, "2 marked");
    for (int i = 0; i < 15; i++)
        fx_send(fx, "$-");
    fx_send(fx, "Y");
    assert_string_equal(clipboard(fx), "id\tcity\n1\tberlin\n3\tOslo\n");
    fx_assert_shows(fx, "copied 2 marked rows (OSC 52)");
}

static void test_grid__secrets_are_copied_only_after_reveal(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Customer", 24, 120);
    fx_send(fx, "csecret_key<Enter>");
    assert_current(fx, "secret_key");
    fx_send(fx, "y");
    fx_assert_shows(fx, "secret_key is secret: reveal it first (R)");
    assert_string_equal(clipboard(fx), "");
    fx_send(fx, "Y");
    assert_non_null(strstr(clipboard(fx), "\t***\t"));
    assert_null(strstr(clipboard(fx), "hunter2"));
    fx_assert_shows(fx, "secrets as ***");
    fx_send(fx, "Ry");
    assert_string_equal(clipboard(fx), "hunter2-secret");
    fx_send(fx, "Y");
    assert_non_null(strstr(clipboard(fx), "\thunter2-secret\t"));
}

/* A fake clipboard program in the fixture's folder, first on PATH,
 * with $DISPLAY set as on a desktop. */
static void fake_xclip(tui_fixture *fx, const char *script, char *path,
                       size_t size)
{
    char bin[96], file[128];
    snprintf(bin, sizeof bin, "%s/bin", fx->dir);
    snprintf(file, sizeof file, "%s/xclip", bin);
    assert_int_equal(mkdir(bin, 0700), 0);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", script);
    fclose(f);
    assert_int_equal(chmod(file, 0700), 0);
    snprintf(path, size, "%s:%s", bin, getenv("PATH") ? getenv("PATH") : "");
}

static void test_grid__xclip_gets_the_text_too(void **state)
{
    tui_fixture *fx = *state;
    char path[4096], script[256], got[128], old_path[4096];
    snprintf(got, sizeof got, "%s/got", fx->dir);
    snprintf(script, sizeof script,
             "[ \"$1 $2\" = \"-selection clipboard\" ] && cat > %s", got);
    fake_xclip(fx, script, path, sizeof path);
    snprintf(old_path, sizeof old_path, "%s", getenv("PATH"));
    setenv("PATH", path, 1);
    setenv("DISPLAY", ":42", 1);
    unsetenv("WAYLAND_DISPLAY");
    start_on(fx, "Memo", 24, 120);
    fx_send(fx, "jly");
    setenv("PATH", old_path, 1);
    unsetenv("DISPLAY");
    fx_assert_shows(fx, "copied text (30 bytes) (OSC 52 and xclip)");
    FILE *f = fopen(got, "r");
    char buf[128] = "";
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, MEMO_TABS);
}

/* A clipboard program that never reads nor exits is killed and reaped
 * (TUI_CLIPBOARD_WAIT_MS): the key returns, no zombie stays. */
static void test_grid__a_hanging_clipboard_program_is_killed(void **state)
{
    tui_fixture *fx = *state;
    char path[4096], old_path[4096];
    fake_xclip(fx, "exec /bin/sleep 600", path, sizeof path);
    snprintf(old_path, sizeof old_path, "%s", getenv("PATH"));
    setenv("PATH", path, 1);
    setenv("DISPLAY", ":42", 1);
    start_on(fx, "Memo", 24, 120);
    fx_send(fx, "jY");
    setenv("PATH", old_path, 1);
    unsetenv("DISPLAY");
    fx_assert_shows(fx, "copied 1 row (OSC 52)");
    assert_string_equal(clipboard(fx), "id\ttext\n2\t" MEMO_TABS_TSV "\n");
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void test_grid__copy_keys_can_be_rebound(void **state)
{
    tui_fixture *fx = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/config", fx->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[keys]\ncopy-cell = C-y\ncopy-row = x\n", f);
    fclose(f);
    start_on(fx, "Memo", 24, 120);
    fx_send(fx, "y");
    assert_string_equal(clipboard(fx), "");
    fx_send(fx, "<C-y>");
    assert_string_equal(clipboard(fx), "1");
    fx_send(fx, "x");
    assert_non_null(strstr(clipboard(fx), "id\ttext\n1\t"));
}

/* ---- quick filters ---- */

static void test_grid__equals_narrows_and_adds_to_the_filter(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 160);
    fx_send(fx, "l=");
    fx_assert_shows(fx, "where city = 'berlin' added (f edits, C clears)");
    fx_assert_shows(fx, "row 1 of 6");
    fx_assert_not_shows(fx, "Zürich");
    fx_send(fx, "l="); /* Größe 1 of id 1: ids 1 and 21 */
    fx_assert_shows(fx, "row 1 of 2");
    fx_assert_shows(fx, "where city = 'berlin' and \"Größe\" = 1");
    /* One flat list of conditions in the builder, editable. */
    fx_send(fx, "f");
    fx_assert_shows(fx, "city = 'berlin'");
    fx_assert_shows(fx, "\"Größe\" = 1");
    fx_send(fx, "<Esc>");
}

static void test_grid__hash_narrows_to_other_values(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 160);
    fx_send(fx, "l#");
    fx_assert_shows(fx, "where city != 'berlin' added");
    fx_assert_shows(fx, "row 1 of 24");
    fx_assert_not_shows(fx, "\xE2\x94\x82 berlin"); /* in the grid */
}

static void test_grid__quick_filters_on_null_use_is_null(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 160);
    fx_send(fx, ":5<Enter>cscore<Enter>=");
    fx_assert_shows(fx, "where score is null added");
    fx_assert_shows(fx, "row 1 of 6");
    fx_send(fx, "C");
    fx_send(fx, ":5<Enter>cscore<Enter>#");
    fx_assert_shows(fx, "where score is not null added");
    fx_assert_shows(fx, "row 1 of 24");
}

/* Text matches exactly, whole, even past what the grid keeps of it. */
static void test_grid__equals_on_text_is_exact(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Memo", 24, 160);
    fx_send(fx, "jl=");
    fx_assert_shows(fx, "row 1 of 1");
    fx_assert_shows(fx, "Zeile 1");
    fx_send(fx, "C");
    fx_send(fx, "l#");
    fx_assert_shows(fx, "row 1 of 1");
    fx_assert_shows(fx, "Zeile 1");
}

static void test_grid__quick_filter_keys_can_be_rebound(void **state)
{
    tui_fixture *fx = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/config", fx->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[keys]\nfilter-equal = z\nfilter-not-equal = Z\n", f);
    fclose(f);
    start_on(fx, "Wide", 24, 160);
    fx_send(fx, "l=");
    fx_assert_not_shows(fx, "added");
    fx_send(fx, "z");
    fx_assert_shows(fx, "row 1 of 6");
    fx_send(fx, "CZ");
    fx_assert_shows(fx, "row 1 of 24");
}

/* ---- column summary ---- */

/* city: four values six times each (ties in code point order: 'Oslo'
 * 'berlin' 'kyiv' 'Åre'), Zürich five times, the long city once. */
static void test_grid__i_summarizes_the_column(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 120);
    fx_send(fx, "li");
    fx_assert_shows(fx, "Wide.city: summary");
    fx_assert_shows(fx, "30 rows \xC2\xB7 0 NULL \xC2\xB7 6 distinct");
    fx_assert_shows(fx, "min Llanfair"); /* code point order */
    fx_assert_shows(fx, "max Åre");
    int first = fx_row_of(fx, "6   20.0%  Oslo");
    assert_true(first > 0);
    assert_int_equal(fx_row_of(fx, "6   20.0%  berlin"), first + 1);
    assert_int_equal(fx_row_of(fx, "6   20.0%  kyiv"), first + 2);
    assert_int_equal(fx_row_of(fx, "6   20.0%  Åre"), first + 3);
    assert_int_equal(fx_row_of(fx, "5   16.7%  Zürich"), first + 4);
    assert_int_equal(fx_row_of(fx, "1    3.3%  Llanfair"), first + 5);
    /* Enter narrows the rows to the value. */
    fx_send(fx, "j<Enter>");
    fx_assert_shows(fx, "where city = 'berlin' added");
    fx_assert_shows(fx, "row 1 of 6");
    /* Under the active filter now. */
    fx_send(fx, "li");
    fx_assert_shows(fx, "Wide.Größe: summary");
    fx_assert_shows(fx, "6 rows \xC2\xB7 0 NULL \xC2\xB7 4 distinct");
    fx_assert_shows(fx, "where city = 'berlin'");
}

/* The summary counts the rows the grid shows: a search narrowing them
 * (mixed case, non-ASCII) counts as the filter does; Enter then adds
 * to the filter with the search still on. */
static void test_grid__i_counts_only_the_rows_the_search_shows(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 120);
    fx_send(fx, "/ZÜRICH<Enter>");
    fx_assert_shows(fx, "row 1 of 5");
    fx_send(fx, "cscore<Enter>i");
    fx_assert_shows(fx, "5 rows \xC2\xB7 5 NULL \xC2\xB7 0 distinct");
    fx_assert_shows(fx, "search: ZÜRICH");
    fx_send(fx, "q/<C-u>berlin<Enter>cGröße<Enter>i");
    fx_assert_shows(fx, "6 rows \xC2\xB7 0 NULL \xC2\xB7 4 distinct");
    fx_send(fx, "<Enter>"); /* Größe = 1 */
    fx_assert_shows(fx, "search: berlin");
    fx_assert_shows(fx, "row 1 of 2");
}

static void test_grid__i_lists_null_and_enter_narrows_to_it(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Wide", 24, 120);
    fx_send(fx, "cscore<Enter>i");
    fx_assert_shows(fx, "30 rows \xC2\xB7 6 NULL \xC2\xB7 3 distinct");
    fx_send(fx, "G");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "where score is null added");
    fx_assert_shows(fx, "row 1 of 6");
}

static void test_grid__i_refuses_secrets_and_blobs(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Customer", 24, 120);
    fx_send(fx, "csecret_key<Enter>i");
    fx_assert_shows(fx, "secret_key is secret: reveal it first");
    fx_send(fx, "Ri");
    fx_assert_shows(fx, "Customer.secret_key: summary");
    fx_send(fx, "q");
    fx_send(fx, "cavatar<Enter>i");
    fx_assert_shows(fx, "avatar is a blob column: no summary");
}

/* Enter on a foreign key's cell opens the record on that field, a
 * second Enter follows the key; coming back, the record and then the
 * grid are on the same column. */
static void test_grid__enter_on_a_foreign_key_keeps_the_column(void **state)
{
    tui_fixture *fx = *state;
    start_on(fx, "Order", 24, 80);
    fx_send(fx, "jl"); /* order 101, customer 2 */
    assert_current(fx, "customer_id");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "Order (orders) record");
    fx_assert_shows(fx, "customer_id (2 of 4)");
    fx_send(fx, "<Enter>");
    fx_assert_shows(fx, "Customer (customers) record");
    fx_assert_shows(fx, "Bob@example.org");
    fx_send(fx, "q");
    fx_assert_shows(fx, "customer_id (2 of 4)");
    fx_send(fx, "q");
    fx_assert_shows(fx, "row 2 of 8");
    assert_current(fx, "customer_id");
    /* Any column: the record opens on it. */
    fx_send(fx, "l<Enter>");
    fx_assert_shows(fx, "total (3 of 4)");
    fx_send(fx, "<Esc>");
    assert_current(fx, "total");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_grid__minus_hides_plus_shows_remembered_per_model),
        T(test_grid__the_last_shown_column_cannot_be_hidden),
        T(test_grid__columns_are_not_capped_when_there_is_room),
        T(test_grid__underscore_full_width_and_back),
        T(test_grid__angle_brackets_narrow_and_widen),
        T(test_grid__widths_do_not_shift_while_paging),
        T(test_grid__bang_freezes_columns_beside_the_key),
        T(test_grid__zero_and_dollar_first_and_last_column),
        T(test_grid__c_jumps_to_a_column_with_completion),
        T(test_grid__a_wider_screen_brings_back_columns),
        T(test_grid__column_keys_can_be_rebound),
        T(test_grid__shift_s_adds_sort_keys_shown_in_header),
        T(test_grid__two_sort_keys_order_the_rows),
        T(test_grid__sorting_keeps_the_cursor_on_its_row),
        T(test_grid__y_copies_the_cell_as_it_is),
        T(test_grid__y_copies_long_text_and_blobs_whole),
        T(test_grid__y_on_null_copies_nothing),
        T(test_grid__shift_y_copies_the_row_as_tsv),
        T(test_grid__shift_y_copies_the_marked_rows),
        T(test_grid__secrets_are_copied_only_after_reveal),
        T(test_grid__xclip_gets_the_text_too),
        T(test_grid__a_hanging_clipboard_program_is_killed),
        T(test_grid__copy_keys_can_be_rebound),
        T(test_grid__equals_narrows_and_adds_to_the_filter),
        T(test_grid__hash_narrows_to_other_values),
        T(test_grid__quick_filters_on_null_use_is_null),
        T(test_grid__equals_on_text_is_exact),
        T(test_grid__quick_filter_keys_can_be_rebound),
        T(test_grid__i_summarizes_the_column),
        T(test_grid__i_lists_null_and_enter_narrows_to_it),
        T(test_grid__i_counts_only_the_rows_the_search_shows),
        T(test_grid__i_refuses_secrets_and_blobs),
        T(test_grid__enter_on_a_foreign_key_keeps_the_column),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
