/* Tests for orb's man page (docs/orb.1.in + docs/mangen.c -> build/orb.1).
 *
 * The page must render without a single groff warning, and it must
 * cover what the program has: every action of tui/core/actions.h with its
 * keys and help, every theme element, every command `orb help` lists
 * and every option that `orb --help` or a command's --help names. The
 * page is rendered to plain text once, wide enough that nothing is
 * hyphenated, with runs of blanks squeezed to one space. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_run.h"
#include "keymap.h"
#include "theme.h"
#include "tui.h"

#define MAN_PAGE ORB_BINARY_DIR "/orb.1"

static char *page; /* the rendered page, blanks squeezed */
static char *raw;  /* the rendered page as groff wrote it */

/* Runs of spaces, tabs and newlines become one space. */
static char *squeeze(const char *text, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    assert_non_null(out);
    for (size_t i = 0; i < len; i++) {
        if (isspace((unsigned char)text[i])) {
            if (o != out && o[-1] != ' ')
                *o++ = ' ';
        } else {
            *o++ = text[i];
        }
    }
    *o = '\0';
    return out;
}

static int setup(void **state)
{
    int status = 0;
    (void)state;
    /* Wide lines and no hyphenation: words stay whole. */
    raw = run_shell_output("groff -man -Tascii -rLL=400n -rHY=0 -P-cbou "
                           "'" MAN_PAGE "' 2>/dev/null",
                           &status);
    if (status != 0 || !raw || !*raw)
        fail_msg("cannot render %s with groff (status %d)", MAN_PAGE, status);
    page = squeeze(raw, strlen(raw));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(page);
    free(raw);
    return 0;
}

/* The text of one section, squeezed: from its heading (a line of its
 * own, not indented) to the next heading. */
static char *section(const char *heading)
{
    size_t hlen = strlen(heading);
    const char *start = NULL;
    for (const char *line = raw; line && *line;) {
        const char *next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (!start && strncmp(line, heading, hlen) == 0 && line[hlen] == '\n') {
            start = next;
        } else if (start && isupper((unsigned char)*line)) {
            return squeeze(start, (size_t)(line - start));
        }
        line = next;
    }
    if (!start)
        fail_msg("the man page has no section %s", heading);
    return squeeze(start, strlen(start));
}

static void test_manpage__renders_without_warnings(void **state)
{
    (void)state;
    int status = 0;
    char *err =
        run_shell_output("groff -man -ww -z '" MAN_PAGE "' 2>&1", &status);
    assert_non_null(err);
    if (status != 0 || *err)
        fail_msg("groff -man -ww warns about %s:\n%s", MAN_PAGE, err);
    free(err);
    err = run_shell_output(
        "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '" MAN_PAGE
        "' 2>&1 >/dev/null",
        &status);
    assert_non_null(err);
    if (status != 0 || *err)
        fail_msg("man --warnings -l %s:\n%s", MAN_PAGE, err);
    free(err);
}

/* "Up k" as the page writes it: "Up, k". */
static void keys_as_listed(const char *keys, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = keys; *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (!len)
            break;
        n += (size_t)snprintf(out + n, size - n, "%s%.*s", n ? ", " : "",
                              (int)len, p);
        assert_true(n < size);
        p += len;
    }
}

static void test_manpage__lists_every_action_with_keys_and_help(void **state)
{
    (void)state;
    char *keys_section = section("KEYS");
    for (int a = 0; a < TUI_ACTION_COUNT; a++) {
        char keys[128], want[512];
        keys_as_listed(tui_action_default_keys((tui_action)a), keys,
                       sizeof keys);
        snprintf(want, sizeof want, " %s (%s) %s.", keys,
                 tui_action_name((tui_action)a),
                 tui_action_help((tui_action)a));
        if (!strstr(keys_section, want))
            fail_msg("KEYS lacks '%s'", want);
    }
    for (int s = 0; s < TUI_SCOPE_COUNT; s++) {
        char want[64];
        snprintf(want, sizeof want, " %s ", tui_scope_title((tui_scope)s));
        if (!strstr(keys_section, want))
            fail_msg("KEYS has no heading '%s'", want);
    }
    free(keys_section);
}

static void test_manpage__lists_every_theme_element(void **state)
{
    (void)state;
    char *themes = section("THEMES");
    for (int e = 0; e < TUI_ELEMENT_COUNT; e++) {
        char want[64];
        snprintf(want, sizeof want, " %s%s", tui_element_name((tui_element)e),
                 e + 1 < TUI_ELEMENT_COUNT ? "," : ".");
        if (!strstr(themes, want))
            fail_msg("THEMES does not list the element '%s'", want);
    }
    free(themes);
}

/* What tui_cli_run prints for these words, without a database. */
static char *cli_output(int argc, const char *const *args)
{
    tui_options opts = {NULL, NULL, NULL, NULL, 0, NULL, 0, NULL};
    char *argv[4], *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    FILE *err = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_non_null(err);
    for (int i = 0; i < argc; i++)
        assert_non_null(argv[i] = strdup(args[i]));
    assert_int_equal(tui_cli_run(NULL, &opts, argc, argv, out, err), 0);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    fclose(out);
    fclose(err);
    return text;
}

/* Every "--option" a help text names appears in `where`. */
static void check_options(const char *help, const char *where,
                          const char *whose)
{
    for (const char *p = strstr(help, "--"); p; p = strstr(p, "--")) {
        char want[40];
        size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
        if (len > 2 && len < sizeof want - 1) {
            snprintf(want, sizeof want, "%.*s", (int)len, p);
            if (!strstr(where, want))
                fail_msg("the man page lacks %s, which %s names", want, whose);
        }
        p += len;
    }
}

static void test_manpage__lists_every_command_and_option(void **state)
{
    (void)state;
    const char *help_args[] = {"help"};
    char *help = cli_output(1, help_args);
    char *commands = section("COMMANDS");
    char *options = section("OPTIONS");
    const char *p = strstr(help, "\nCommands:\n");
    size_t n = 0;

    assert_non_null(p);
    p += strlen("\nCommands:\n");
    while (*p == ' ') {
        char word[32], want[40];
        const char *w = p + strspn(p, " ");
        size_t len = strcspn(w, " \n");
        assert_true(len < sizeof word);
        memcpy(word, w, len);
        word[len] = '\0';
        /* Each command starts an entry: " rows MODEL", " filter list". */
        snprintf(want, sizeof want, " %s ", word);
        if (!strstr(commands, want))
            fail_msg("COMMANDS does not describe '%s'", word);
        const char *args[] = {word, "--help"};
        char *own = cli_output(2, args);
        check_options(own, page, own);
        free(own);
        n++;
        p = strchr(p, '\n') + 1;
    }
    assert_true(n >= 12);
    /* The global options of `orb --help` are under OPTIONS. */
    const char *global = strstr(help, "\nOptions:\n");
    const char *end = strstr(help, "\nCommands:\n");
    assert_non_null(global);
    char *global_part = strndup(global, (size_t)(end - global));
    assert_non_null(global_part);
    check_options(global_part, options, "orb --help");
    check_options(help, page, "orb --help");
    free(global_part);
    free(options);
    free(commands);
    free(help);
}

static void test_manpage__has_every_section(void **state)
{
    (void)state;
    static const char *const needed[] = {
        "NAME",        "SYNOPSIS",        "DESCRIPTION",
        "URLS",        "OPTIONS",         "COMMANDS",
        "KEYS",        "CONFIGURATION",   "THEMES",
        "MODELS FILE", "FILTER LANGUAGE", "FILES",
        "ENVIRONMENT", "EXIT STATUS",     "EXAMPLES"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        free(section(needed[i]));
    assert_non_null(strstr(page, "orb " ORM_VERSION_STRING));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manpage__renders_without_warnings),
        cmocka_unit_test(test_manpage__has_every_section),
        cmocka_unit_test(test_manpage__lists_every_action_with_keys_and_help),
        cmocka_unit_test(test_manpage__lists_every_theme_element),
        cmocka_unit_test(test_manpage__lists_every_command_and_option),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
