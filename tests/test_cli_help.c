/* Tests for `orb --help`, `orb COMMAND --help` and `orb help COMMAND`
 * (tui/cli/cli.c, cli_filter.c, tui/main.c).
 *
 * Each command's help must be exact: it names the command, and the
 * options it lists are exactly the ones the command accepts. That is
 * checked by offering every option any command lists to every command
 * (tui_cli_run with no database only checks the command line): a listed
 * option is accepted, an unlisted one is a usage error. Through the
 * binary, asking for help never opens the database. */
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

#include "helper_run.h"
#include "tui.h"

#define MAX_ARGS    16
#define MAX_OPTIONS 32

/* Each command with arguments that make a valid command line. A command
 * `orb --help` lists but this table lacks fails the test: add it here. */
static const char *const commands[][MAX_ARGS] = {
    {"models"},
    {"schema", "accounts"},
    {"rows", "accounts"},
    {"get", "accounts", "1"},
    {"count", "accounts"},
    {"add", "accounts", "handle=jdoe"},
    {"set", "accounts", "1", "handle=jane"},
    {"delete", "accounts", "1"},
    {"create-all", "models.ini"},
    {"filter", "save", "mine", "accounts", "id = 1"},
    {"export", "accounts", "--format", "csv"},
    {"connections"},
    {"help"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

typedef struct output {
    int status;
    char *out;
    char *err;
} output;

/* tui_cli_run without a database: only the command line is checked. */
static output cli(const char *const *args, size_t nargs)
{
    tui_options opts = {NULL, NULL, NULL, NULL, 0, NULL, 0, NULL};
    char *argv[MAX_ARGS + 2];
    size_t out_len = 0, err_len = 0;
    output o = {0, NULL, NULL};
    FILE *out = open_memstream(&o.out, &out_len);
    FILE *err = open_memstream(&o.err, &err_len);
    assert_non_null(out);
    assert_non_null(err);
    assert_true(nargs <= MAX_ARGS + 2);
    for (size_t i = 0; i < nargs; i++)
        assert_non_null(argv[i] = strdup(args[i]));
    o.status = tui_cli_run(NULL, &opts, (int)nargs, argv, out, err);
    for (size_t i = 0; i < nargs; i++)
        free(argv[i]);
    fclose(out);
    fclose(err);
    return o;
}

static void output_free(output *o)
{
    free(o->out);
    free(o->err);
}

static size_t count_args(const char *const *args)
{
    size_t n = 0;
    while (n < MAX_ARGS && args[n])
        n++;
    return n;
}

/* An option a help text lists: "  --name VALUE   help". */
typedef struct listed {
    char name[32];
    int takes_value;
} listed;

/* The options under "Options:" (up to the next blank line). */
static size_t options_of(const char *help, listed *out, size_t max)
{
    const char *p = strstr(help, "\nOptions:\n");
    size_t n = 0;
    if (!p)
        return 0;
    p += strlen("\nOptions:\n");
    while (*p == ' ' && n < max) {
        const char *name = p + strspn(p, " ");
        size_t len = strcspn(name, " \n");
        assert_true(strncmp(name, "--", 2) == 0);
        assert_true(len < sizeof out[n].name);
        memcpy(out[n].name, name, len);
        out[n].name[len] = '\0';
        /* A value follows after one space; the help after two or more. */
        out[n].takes_value = name[len] == ' ' && name[len + 1] != ' ';
        n++;
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    return n;
}

static output command_help(size_t i)
{
    const char *args[MAX_ARGS + 1];
    size_t n = count_args(commands[i]);
    memcpy(args, commands[i], n * sizeof *args);
    args[n++] = "--help";
    return cli(args, n);
}

static void test_cli_help__every_command_listed_has_help(void **state)
{
    (void)state;
    const char *help_args[] = {"help"};
    output all = cli(help_args, 1);
    assert_int_equal(all.status, 0);
    assert_string_equal(all.err, "");
    /* The commands `orb help` lists are the ones of the table above. */
    const char *p = strstr(all.out, "\nCommands:\n");
    assert_non_null(p);
    p += strlen("\nCommands:\n");
    size_t seen = 0;
    while (*p == ' ') {
        char word[32];
        const char *w = p + strspn(p, " ");
        size_t len = strcspn(w, " \n");
        assert_true(len < sizeof word);
        memcpy(word, w, len);
        word[len] = '\0';
        size_t k = 0;
        while (k < NCOMMANDS && strcmp(commands[k][0], word) != 0)
            k++;
        if (k == NCOMMANDS)
            fail_msg("orb help lists '%s', which this test does not know",
                     word);
        seen++;
        p = strchr(p, '\n') + 1;
    }
    assert_int_equal(seen, NCOMMANDS);
    output_free(&all);

    for (size_t i = 0; i < NCOMMANDS; i++) {
        char usage[96];
        const char *word = commands[i][0];
        output o = command_help(i);
        snprintf(usage, sizeof usage, "usage: orb [OPTIONS] %s%s",
                 strcmp(word, "help") == 0 ? "" : "[URL] ", word);
        assert_int_equal(o.status, 0);
        assert_string_equal(o.err, "");
        if (strncmp(o.out, usage, strlen(usage)) != 0)
            fail_msg("%s --help starts '%.60s', not '%s'", word, o.out, usage);
        /* orb help WORD says the same. */
        const char *args[] = {"help", word};
        output same = cli(args, 2);
        assert_int_equal(same.status, 0);
        assert_string_equal(same.out, o.out);
        output_free(&same);
        output_free(&o);
    }
}

static void test_cli_help__lists_exactly_the_options_accepted(void **state)
{
    (void)state;
    listed per[NCOMMANDS][MAX_OPTIONS];
    size_t nper[NCOMMANDS];
    listed all[MAX_OPTIONS];
    size_t nall = 0;

    for (size_t i = 0; i < NCOMMANDS; i++) {
        output o = command_help(i);
        nper[i] = options_of(o.out, per[i], MAX_OPTIONS);
        for (size_t k = 0; k < nper[i]; k++) {
            size_t j = 0;
            while (j < nall && strcmp(all[j].name, per[i][k].name) != 0)
                j++;
            if (j == nall && nall < MAX_OPTIONS)
                all[nall++] = per[i][k];
        }
        output_free(&o);
    }
    assert_true(nall >= 9); /* rows' seven, --expect, --output, --replace */

    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *word = commands[i][0];
        /* A valid command line as it is. */
        size_t base = count_args(commands[i]);
        output ok = cli(commands[i], base);
        if (ok.status != 0)
            fail_msg("'%s' without options: %s", word, ok.err);
        output_free(&ok);
        for (size_t j = 0; j < nall; j++) {
            const char *args[MAX_ARGS + 2];
            size_t n = base, k = 0;
            memcpy(args, commands[i], base * sizeof *args);
            args[n++] = all[j].name;
            if (all[j].takes_value)
                args[n++] = strcmp(all[j].name, "--format") == 0 ? "csv" : "1";
            while (k < nper[i] && strcmp(per[i][k].name, all[j].name) != 0)
                k++;
            int is_listed = k < nper[i];
            output o = cli(args, n);
            if (is_listed && o.status != 0)
                fail_msg("%s --help lists %s, but %s refuses it: %s", word,
                         all[j].name, word, o.err);
            if (!is_listed && o.status != 2)
                fail_msg("%s takes %s, but %s --help does not list it", word,
                         all[j].name, word);
            output_free(&o);
        }
    }
}

static void test_cli_help__unknown_command_is_a_usage_error(void **state)
{
    (void)state;
    const char *args[] = {"help", "rowz"};
    output o = cli(args, 2);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err, "orb: unknown command 'rowz'; did you mean "
                               "'rows'? (see orb --help)\n");
    output_free(&o);
}

/* Through the binary: a command's --help is answered before connecting,
 * so it works with a database that cannot be reached. */
static void test_cli_help__binary_answers_without_connecting(void **state)
{
    (void)state;
    const char *orb = ORB_BINARY_DIR "/orb";
    const char *argv[] = {orb,      "postgresql://nobody@127.0.0.1:1/none",
                          "rows",   "accounts",
                          "--help", NULL};
    run_result r = run_exec(argv, NULL);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    const char *args[] = {"rows", "accounts", "--help"};
    output o = cli(args, 3);
    assert_string_equal(r.out, o.out);
    output_free(&o);
    run_result_free(&r);

    /* connections is answered by main.c without a database: --help too,
     * and its usage error points there. */
    const char *conn_extra[] = {orb, "connections", "shop", NULL};
    r = run_exec(conn_extra, NULL);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "orb: connections takes no arguments (see orb "
                               "connections --help)\n");
    run_result_free(&r);
    /* connections is answered by main.c without a database: --help too. */
    const char *conn_argv[] = {orb, "connections", "--help", NULL};
    r = run_exec(conn_argv, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_non_null(strstr(r.out, "usage: orb [OPTIONS] [URL] connections"));
    run_result_free(&r);

    const char *help_argv[] = {orb, "help", "export", NULL};
    r = run_exec(help_argv, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_non_null(strstr(r.out, "usage: orb [OPTIONS] [URL] export MODEL"));
    run_result_free(&r);

    /* --help after "--" is an argument, not a question: here the MODEL,
     * and get still needs a KEY. */
    const char *dashes[] = {orb, "get", "--", "--help", NULL};
    r = run_exec(dashes, NULL);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "orb: get needs KEY (see orb get --help)\n");
    run_result_free(&r);
}

/* `orb connections` is answered by main.c without a database; with one
 * open, tui_cli_run lists the same. */
static void test_cli_help__connections_listed_the_same_both_ways(void **state)
{
    (void)state;
    char dir[] = "/tmp/orb-test-help-XXXXXX";
    char path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/orb", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/orb/config", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[connection.shop]\nurl = sqlite:///shop.db\nread_only = true\n"
          "[connection.Bücher]\nurl = postgresql://me@127.0.0.1/b\n",
          f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(setenv("XDG_CONFIG_HOME", dir, 1), 0);
    assert_int_equal(setenv("XDG_CONFIG_DIRS", dir, 1), 0);

    const char *argv[] = {ORB_BINARY_DIR "/orb", "connections", NULL};
    run_result r = run_exec(argv, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_non_null(strstr(r.out, "shop"));
    assert_non_null(strstr(r.out, "Bücher"));

    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, "sqlite://", NULL), 0);
    tui_options opts = {NULL, NULL, NULL, NULL, 0, NULL, 0, NULL};
    char word[] = "connections";
    char *out_text = NULL, *err_text = NULL, *args[] = {word};
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&out_text, &out_len);
    FILE *err = open_memstream(&err_text, &err_len);
    assert_int_equal(tui_cli_run(db, &opts, 1, args, out, err), 0);
    fclose(out);
    fclose(err);
    assert_string_equal(out_text, r.out);
    assert_string_equal(err_text, "");
    free(out_text);
    free(err_text);
    orm_db_free(db);
    run_result_free(&r);
    unlink(path);
    snprintf(path, sizeof path, "%s/orb", dir);
    rmdir(path);
    rmdir(dir);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_CONFIG_DIRS");
}

/* The help lists the filter language's text operators, exact and
 * case-ignoring alike. */
static void test_cli_help__lists_exact_and_ignoring_case_operators(void **state)
{
    (void)state;
    static const char *const words[] = {
        "like",       "ilike",       "contains", "icontains",
        "startswith", "istartswith", "endswith", "iendswith"};
    const char *help_args[] = {"help"};
    output all = cli(help_args, 1);
    assert_int_equal(all.status, 0);
    const char *p = strstr(all.out, "EXPR, the filter language");
    assert_non_null(p);
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t len = strlen(words[i]);
        const char *at = p;
        /* As a word of its own: "contains" inside "icontains" is not. */
        while ((at = strstr(at, words[i])) != NULL &&
               !(strchr(" \n", at[-1]) && strchr(" \n;.", at[len])))
            at += len;
        if (!at)
            fail_msg("orb --help lacks the operator '%s'", words[i]);
    }
    output_free(&all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_help__every_command_listed_has_help),
        cmocka_unit_test(test_cli_help__lists_exactly_the_options_accepted),
        cmocka_unit_test(test_cli_help__unknown_command_is_a_usage_error),
        cmocka_unit_test(test_cli_help__binary_answers_without_connecting),
        cmocka_unit_test(
            test_cli_help__lists_exact_and_ignoring_case_operators),
        cmocka_unit_test(test_cli_help__connections_listed_the_same_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
