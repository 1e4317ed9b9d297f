/*
 * The TUI's building blocks without a database: display width of wide
 * text, cutting with an ellipsis, wrapping, counts for people, key names
 * and rebinding, theme files and config files with bad lines reported
 * as path:line and the rest kept, and theme lookup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "display.h"
#include "edit.h"
#include "helper_file.h"
#include "keymap.h"
#include "screen.h"
#include "text.h"
#include "theme.h"

static void test_text__cjk_and_emoji_are_two_columns_wide(void **state)
{
    (void)state;
    assert_int_equal(tui_text_widthz("abc"), 3);
    assert_int_equal(tui_text_widthz("\xE6\xBC\xA2\xE5\xAD\x97"), 4);
    assert_int_equal(tui_text_widthz("\xF0\x9F\x98\x80"), 2);
    /* e + combining acute is one column */
    assert_int_equal(tui_text_widthz("e\xCC\x81"), 1);
    /* a newline is drawn as one visible sign, never moves the cursor */
    assert_int_equal(tui_text_widthz("a\nb"), 3);
    /* invalid UTF-8 shows as a replacement character */
    assert_int_equal(tui_text_widthz("a\xFF"), 2);
}

static void
test_text__fit_cuts_with_an_ellipsis_on_whole_characters(void **state)
{
    orm_buf b = ORM_BUF_INIT;
    (void)state;
    assert_int_equal(tui_text_fit(&b, "hello", 5, 5), 5);
    assert_string_equal(orm_buf_str(&b), "hello");
    orm_buf_reset(&b);
    assert_int_equal(tui_text_fit(&b, "hello world", 11, 6), 6);
    assert_string_equal(orm_buf_str(&b), "hello\xE2\x80\xA6");
    orm_buf_reset(&b);
    /* a wide character never gets cut in half */
    const char *cjk = "\xE6\xBC\xA2\xE5\xAD\x97\xE6\xBC\xA2";
    int w = tui_text_fit(&b, cjk, strlen(cjk), 4);
    assert_true(w <= 4);
    assert_string_equal(orm_buf_str(&b), "\xE6\xBC\xA2\xE2\x80\xA6");
    orm_buf_free(&b);
}

static int collect(const char *text, size_t len, void *payload)
{
    orm_buf *b = payload;
    orm_buf_appendn(b, text, len);
    orm_buf_append(b, "|");
    return 0;
}

static void test_text__wrap_keeps_words_and_newlines(void **state)
{
    orm_buf b = ORM_BUF_INIT;
    const char *s = "the quick brown fox\njumps";
    (void)state;
    tui_text_wrap(s, strlen(s), 10, collect, &b);
    assert_string_equal(orm_buf_str(&b), "the quick|brown fox|jumps|");
    orm_buf_reset(&b);
    tui_text_wrap("abcdefghijkl", 12, 5, collect, &b);
    assert_string_equal(orm_buf_str(&b), "abcde|fghij|kl|");
    orm_buf_free(&b);
}

static void test_text__counts_read_well(void **state)
{
    char out[32];
    (void)state;
    tui_text_count(out, sizeof out, 1234567, 0);
    assert_string_equal(out, "1,234,567");
    tui_text_count(out, sizeof out, 1200000, 1);
    assert_string_equal(out, "~1.2M");
    tui_text_count(out, sizeof out, 45000, 1);
    assert_string_equal(out, "~45K");
    tui_text_count(out, sizeof out, 12, 0);
    assert_string_equal(out, "12");
}

static void test_text__narrowing_ignores_case(void **state)
{
    (void)state;
    assert_true(tui_text_contains("Customer", "tom"));
    assert_true(tui_text_contains("ÉCOLE", "éco"));
    assert_false(tui_text_contains("Order", "item"));
}

static void test_keymap__names_parse_both_ways(void **state)
{
    char name[32];
    (void)state;
    assert_int_equal(tui_key_parse("j"), 'j');
    assert_int_equal(tui_key_parse("PgDn"), TUI_KEY_PGDN);
    assert_int_equal(tui_key_parse("pagedown"), TUI_KEY_PGDN);
    assert_int_equal(tui_key_parse("C-f"), 6);
    assert_int_equal(tui_key_parse("F5"), TUI_KEY_F1 + 4);
    assert_int_equal(tui_key_parse("\xC3\xA9"), 0xE9);
    assert_int_equal(tui_key_parse("Nope"), -1);
    tui_key_name(TUI_KEY_HOME, name, sizeof name);
    assert_string_equal(name, "Home");
    tui_key_name(2, name, sizeof name);
    assert_string_equal(name, "C-b");
}

static void test_keymap__rebinding_moves_a_key_and_keeps_others(void **state)
{
    tui_keymap km;
    char bad[32];
    (void)state;
    tui_keymap_default(&km);
    assert_int_equal(tui_keymap_lookup(&km, 'j'), TUI_ACT_MOVE_DOWN);
    assert_int_equal(tui_keymap_bind(&km, TUI_ACT_SORT, "j o", bad, sizeof bad),
                     0);
    assert_int_equal(tui_keymap_lookup(&km, 'j'), TUI_ACT_SORT);
    assert_int_equal(tui_keymap_lookup(&km, 'o'), TUI_ACT_SORT);
    /* Sort left 's', free on the browsing screens; the filter builder
     * keeps it for saving, the conflict screen its 'o'. */
    assert_int_equal(tui_keymap_lookup(&km, 's'), TUI_ACT_NONE);
    assert_int_equal(tui_keymap_get(&km, TUI_SCOPE_BUILDER, 's'),
                     TUI_ACT_FILTER_SAVE);
    assert_int_equal(tui_keymap_get(&km, TUI_SCOPE_CONFLICT, 'o'),
                     TUI_ACT_OVERWRITE);
    assert_int_equal(tui_keymap_lookup(&km, TUI_KEY_DOWN), TUI_ACT_MOVE_DOWN);
    assert_int_equal(
        tui_keymap_bind(&km, TUI_ACT_SORT, "x Bogus", bad, sizeof bad),
        ORM_EPARSE);
    assert_string_equal(bad, "Bogus");
    assert_int_equal(tui_keymap_lookup(&km, 'o'), TUI_ACT_SORT);
}

static void test_keymap__every_action_has_default_keys_and_help(void **state)
{
    tui_keymap km;
    (void)state;
    tui_keymap_default(&km);
    for (int a = 0; a < TUI_ACTION_COUNT; a++) {
        orm_buf b = ORM_BUF_INIT;
        tui_keymap_describe(&km, (tui_action)a, &b);
        if (!orm_buf_str(&b) || !*orm_buf_str(&b))
            fail_msg("%s has no key", tui_action_name((tui_action)a));
        assert_true(strlen(tui_action_help((tui_action)a)) > 5);
        assert_int_equal(tui_action_parse(tui_action_name((tui_action)a)), a);
        orm_buf_free(&b);
    }
}

static void test_theme__bad_lines_are_reported_and_good_lines_kept(void **state)
{
    tui_theme theme;
    orm_buf problems = ORM_BUF_INIT;
    (void)state;
    tui_theme_default(&theme);
    int n = tui_theme_parse(&theme,
                            "# a theme\n"
                            "color title red blue bold\n"
                            "color title purpel blue\n"
                            "color nosuch red blue\n"
                            "colour null red blue\n"
                            "color null green default blod\n"
                            "color null color200 #000000 underline\n",
                            "my.theme", &problems);
    assert_int_equal(n, 4);
    const char *p = orm_buf_str(&problems);
    assert_non_null(strstr(p, "my.theme:3: unknown colour 'purpel'"));
    assert_non_null(strstr(p, "my.theme:4: unknown element 'nosuch'"));
    assert_non_null(strstr(p, "my.theme:5: unknown command 'colour'"));
    assert_non_null(strstr(p, "my.theme:6: unknown attribute 'blod'"));
    assert_int_equal(theme.styles[TUI_EL_TITLE].fg, 1);
    assert_int_equal(theme.styles[TUI_EL_TITLE].bg, 4);
    assert_int_equal(theme.styles[TUI_EL_TITLE].attrs, TUI_ATTR_BOLD);
    assert_int_equal(theme.styles[TUI_EL_NULL_VALUE].fg, 200);
    assert_int_equal(theme.styles[TUI_EL_NULL_VALUE].bg, 16);
    orm_buf_free(&problems);
}

static void test_theme__shipped_themes_load_without_problems(void **state)
{
    static const char *const names[] = {"default", "light", "high-contrast",
                                        "monochrome"};
    static const char *const themes_dirs[] = {ORB_SOURCE_DIR "/themes", NULL};
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        tui_theme theme;
        orm_buf problems = ORM_BUF_INIT;
        char *path = tui_theme_find(names[i], themes_dirs);
        if (!path)
            fail_msg("theme %s not found", names[i]);
        tui_theme_default(&theme);
        if (tui_theme_load_file(&theme, path, &problems) != 0)
            fail_msg("%s", orm_buf_str(&problems));
        if (strcmp(names[i], "monochrome") == 0)
            assert_false(theme.use_color);
        free(path);
        orm_buf_free(&problems);
    }
}

static void test_theme__palette_falls_back_to_eight_colours(void **state)
{
    (void)state;
    assert_int_equal(tui_color_to_8(-1), -1);
    assert_int_equal(tui_color_to_8(3), 3);
    assert_int_equal(tui_color_to_8(9), 1);
    assert_int_equal(tui_color_to_8(196), 1); /* bright red */
    assert_int_equal(tui_color_to_8(21), 4);  /* blue */
    assert_int_equal(tui_color_to_8(233), 0); /* dark grey */
    assert_int_equal(tui_color_to_8(254), 7); /* light grey */
}

/* A folder with a config file (and a user theme). */
static void test_config__bad_lines_reported_rest_loaded(void **state)
{
    char dir[] = "/tmp/orb-tui-config-XXXXXX";
    char path[128];
    tui_config cfg = TUI_CONFIG_INIT;
    tui_keymap km;
    orm_buf problems = ORM_BUF_INIT;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/config", dir);
    file_write(path, "[keys]\n"
                     "move-down = n\n"
                     "fly = x\n"
                     "sort = Bogus\n"
                     "just words\n"
                     "[ui]\n"
                     "theme = light\n"
                     "colour = 3\n"
                     "[other]\n"
                     "a = b\n");
    tui_keymap_default(&km);
    int n = tui_config_load(&cfg, &km, path, &problems);
    const char *p = orm_buf_str(&problems);
    assert_int_equal(n, 5);
    char want[200];
    snprintf(want, sizeof want, "%s:3: unknown action 'fly'", path);
    assert_non_null(strstr(p, want));
    snprintf(want, sizeof want, "%s:4: unknown key 'Bogus'", path);
    assert_non_null(strstr(p, want));
    snprintf(want, sizeof want, "%s:5: expected 'name = value'", path);
    assert_non_null(strstr(p, want));
    snprintf(want, sizeof want, "%s:8: unknown setting 'colour'", path);
    assert_non_null(strstr(p, want));
    snprintf(want, sizeof want, "%s:10: unknown section 'other'", path);
    assert_non_null(strstr(p, want));
    assert_int_equal(tui_keymap_lookup(&km, 'n'), TUI_ACT_MOVE_DOWN);
    assert_int_equal(tui_keymap_lookup(&km, 'j'), TUI_ACT_NONE);
    assert_int_equal(tui_keymap_lookup(&km, 's'), TUI_ACT_SORT);
    assert_string_equal(cfg.theme, "light");
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
    unlink(path);
    rmdir(dir);
}

static void test_config__missing_file_is_fine(void **state)
{
    tui_config cfg = TUI_CONFIG_INIT;
    tui_keymap km;
    orm_buf problems = ORM_BUF_INIT;
    (void)state;
    tui_keymap_default(&km);
    assert_int_equal(
        tui_config_load(&cfg, &km, "/nonexistent/orb/config", &problems), 0);
    assert_null(cfg.theme);
    orm_buf_free(&problems);
}

static void test_app__theme_problems_show_on_the_status_line(void **state)
{
    char dir[] = "/tmp/orb-tui-app-XXXXXX";
    char path[160], url[200];
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/themes", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/themes/mine.theme", dir);
    file_write(path, "color title red blue\ncolor title nocolour blue\n");
    snprintf(path, sizeof path, "%s/config", dir);
    file_write(path, "[ui]\ntheme = mine\n");
    snprintf(url, sizeof url, "sqlite:///%s/empty.db", dir);
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(tui_screen_mem_new(&scr, 24, 80), 0);
    assert_int_equal(tui_app_new(&app, db, NULL, scr, dir), 0);
    assert_int_equal(tui_app_start(app), 0);
    tui_app_draw(app);
    char *status = tui_screen_line(scr, 23);
    assert_non_null(strstr(status, "mine.theme:2: unknown colour"));
    free(status);
    assert_int_equal(app->theme.styles[TUI_EL_TITLE].fg, 1);
    /* The message goes with the first key. */
    assert_int_equal(tui_app_send(app, "j"), 0);
    status = tui_screen_line(scr, 23);
    assert_null(strstr(status, "unknown colour"));
    free(status);
    tui_app_free(app);
    scr->ops->free(scr);
    orm_db_free(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_app__theme_option_names_a_missing_theme(void **state)
{
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    tui_options opts = {.theme = "no-such-theme"};
    /* Looked for in no folder of the user's ($XDG_DATA_HOME/orb/themes). */
    const char *old = getenv("XDG_DATA_HOME");
    char *saved = old ? strdup(old) : NULL;
    (void)state;
    assert_int_equal(setenv("XDG_DATA_HOME", "/nonexistent", 1), 0);
    assert_int_equal(orm_db_open(&db, "sqlite://", NULL), 0);
    assert_int_equal(tui_screen_mem_new(&scr, 24, 80), 0);
    assert_int_equal(tui_app_new(&app, db, &opts, scr, "/nonexistent"), 0);
    assert_int_equal(tui_app_start(app), 0);
    tui_app_draw(app);
    assert_true(tui_screen_find(scr, "theme 'no-such-theme' not found") >= 0);
    tui_app_free(app);
    scr->ops->free(scr);
    orm_db_free(db);
    if (saved)
        setenv("XDG_DATA_HOME", saved, 1);
    else
        unsetenv("XDG_DATA_HOME");
    free(saved);
}

static void test_screen__wide_cells_and_overwrites_stay_consistent(void **state)
{
    tui_screen *scr = NULL;
    (void)state;
    assert_int_equal(tui_screen_mem_new(&scr, 2, 6), 0);
    tui_screen_put(scr, 0, 0, "\xE6\xBC\xA2\xE5\xAD\x97xyz", -1,
                   TUI_EL_DEFAULT);
    char *line = tui_screen_line(scr, 0);
    assert_string_equal(line, "\xE6\xBC\xA2\xE5\xAD\x97xy");
    free(line);
    /* Writing over the right half of a wide character blanks it. */
    tui_screen_put(scr, 0, 1, "a", -1, TUI_EL_DEFAULT);
    line = tui_screen_line(scr, 0);
    assert_string_equal(line, " a\xE5\xAD\x97xy");
    free(line);
    /* A wide character that does not fit the last column is a space. */
    tui_screen_put(scr, 1, 5, "\xE6\xBC\xA2", -1, TUI_EL_DEFAULT);
    assert_int_equal(tui_screen_cell(scr, 1, 5)->width, 1);
    scr->ops->free(scr);
}

/* A combining mark with nothing to sit on (at the start, after a
 * control character or an invalid byte) gets a dotted circle: drawn
 * bare it would join what comes before, and the width fitted would not
 * be the width shown (found by fuzz_display). */
static void test_text__lone_marks_keep_their_width_when_shown(void **state)
{
    static const struct {
        const char *text;
        size_t len;
    } cases[] = {
        {"\xCC\x81lin", 5}, /* U+0301 at the start */
        {"a\x01\xE3\x80\xAE"
         "b",
         6},                     /* U+302E after a control */
        {"\xFF\xCC\x81x", 4},    /* after an invalid byte */
        {"\xFF\xE1\x80\xAC", 4}, /* U+102C, a spacing mark */
        {"\xD8\x80\x01"
         "a",
         4}, /* U+0600 before a control */
        {"\xCC\x81 lin\0\0\0\0\xE3\x80\xAE"
         "evi\x81 li\x80\xE2g\x1Bl",
         25},
    };
    (void)state;
    assert_int_equal(tui_text_widthz("\xCC\x81"), 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_buf out = ORM_BUF_INIT;
        int w = tui_text_fit(&out, cases[i].text, cases[i].len, 80);
        if (tui_text_width(out.data, out.len) != w)
            fail_msg("case %zu: fitted %d columns, shown %d", i, w,
                     tui_text_width(out.data, out.len));
        orm_buf_free(&out);
    }
}

/* Characters drawn as nothing would let their neighbours join: a lone
 * CR shows as a sign, CR LF as one newline sign, an invisible format
 * character (here a zero-width space between two halves of a flag and an
 * emoji joined across a CR) takes a cell; wrapping ends CR LF lines like
 * LF lines. */
static void test_text__nothing_is_drawn_as_nothing(void **state)
{
    static const struct {
        const char *text;
        const char *shown;
    } cases[] = {
        {"a\rb", "a\xE2\x90\x8D"
                 "b"},
        {"a\r\nb", "a\xE2\x86\xB5"
                   "b"},
        {"\xF0\x9F\x87\xA9\xE2\x80\x8B\xF0\x9F\x87\xAA",
         "\xF0\x9F\x87\xA9\xEF\xBF\xBD\xF0\x9F\x87\xAA"},
        {"\xF0\x9F\x91\xA9\xE2\x80\x8D\r\xF0\x9F\x91\xA7",
         "\xF0\x9F\x91\xA9\xE2\x90\x8D\xF0\x9F\x91\xA7"},
        /* Two joiners in a row end a cluster: both are left out, or the
         * one kept would join the next emoji (found by fuzz_display). */
        {"\xF0\x9F\x91\xA9\xE2\x80\x8D\xE2\x80\x8D\xF0\x9F\x91\xA9my",
         "\xF0\x9F\x91\xA9\xF0\x9F\x91\xA9my"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_buf out = ORM_BUF_INIT;
        size_t len = strlen(cases[i].text);
        int w = tui_text_fit(&out, cases[i].text, len, 80);
        assert_string_equal(orm_buf_str(&out), cases[i].shown);
        assert_int_equal(tui_text_width(out.data, out.len), w);
        orm_buf_free(&out);
    }
    orm_buf lines = ORM_BUF_INIT;
    tui_text_wrap("one\r\ntwo\r\n", 10, 20, collect, &lines);
    assert_string_equal(orm_buf_str(&lines), "one|two||");
    orm_buf_free(&lines);
}

/* A CHAR(n) column's padding is not part of a label: PostgreSQL gives
 * 'English' in a character(20) column as 'English' and 13 blanks, and
 * the rows screen's foreign-key label and a record's repr showed them
 * between the name and the id. Other text keeps its blanks. */
static void test_text__labels_leave_out_char_padding(void **state)
{
    static const orm_column columns[] = {
        {.name = "language_id", .type = ORM_INTEGER, .flags = ORM_PK},
        {.name = "name",
         .type = ORM_STRING,
         .length = 20,
         .native_type = "character(20)"},
    };
    static const orm_model Language =
        ORM_MODEL("Language", "language", columns);
    const orm_column varchar = {.name = "note",
                                .type = ORM_STRING,
                                .native_type = "character varying(20)"};
    const char *padded = "Übersetzt  ";
    (void)state;
    assert_int_equal(tui_text_unpadded_len(&columns[1], padded, 12), 10);
    assert_int_equal(tui_text_unpadded_len(&varchar, padded, 12), 12);
    orm_value row[2] = {orm_value_int(4),
                        orm_value_text("Deutsch             ")};
    orm_buf out = ORM_BUF_INIT;
    tui_edit_repr(&out, &Language, row);
    assert_string_equal(orm_buf_str(&out), "<Language language_id=4> Deutsch");
    orm_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text__cjk_and_emoji_are_two_columns_wide),
        cmocka_unit_test(
            test_text__fit_cuts_with_an_ellipsis_on_whole_characters),
        cmocka_unit_test(test_text__wrap_keeps_words_and_newlines),
        cmocka_unit_test(test_text__labels_leave_out_char_padding),
        cmocka_unit_test(test_text__counts_read_well),
        cmocka_unit_test(test_text__lone_marks_keep_their_width_when_shown),
        cmocka_unit_test(test_text__nothing_is_drawn_as_nothing),
        cmocka_unit_test(test_text__narrowing_ignores_case),
        cmocka_unit_test(test_keymap__names_parse_both_ways),
        cmocka_unit_test(test_keymap__rebinding_moves_a_key_and_keeps_others),
        cmocka_unit_test(test_keymap__every_action_has_default_keys_and_help),
        cmocka_unit_test(
            test_theme__bad_lines_are_reported_and_good_lines_kept),
        cmocka_unit_test(test_theme__shipped_themes_load_without_problems),
        cmocka_unit_test(test_theme__palette_falls_back_to_eight_colours),
        cmocka_unit_test(test_config__bad_lines_reported_rest_loaded),
        cmocka_unit_test(test_config__missing_file_is_fine),
        cmocka_unit_test(test_app__theme_problems_show_on_the_status_line),
        cmocka_unit_test(test_app__theme_option_names_a_missing_theme),
        cmocka_unit_test(
            test_screen__wide_cells_and_overwrites_stay_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
