/*
 * Writes orb's bash completion: the hand-written script
 * completions/orb.bash.in with the words of the command line filled in
 * from the tables orb itself reads them by (tui_cli_words: the commands
 * table and its options in tui/cli/cli.h, the global options in tui.h,
 * filter's and export's own in tui/cli/cli_filter.c), so that a command
 * or an option cannot be added without being completed.
 *
 *     gen_completion TEMPLATE OUTPUT THEME...
 *
 * A template line that is exactly "# @ORB_WORDS@" becomes shell variables
 * and functions:
 *     _orb_commands        every command
 *     _orb_global_opts     every global option
 *     _orb_global_value    the global options that take a value
 *     _orb_value_opts      every command option that takes a value
 *     _orb_themes          the theme names given on the command line
 *     _orb_command_opts C  prints command C's options
 *     _orb_subcommands C   prints the words after C (filter's)
 * CMake builds and runs this at build time (build/orb.bash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orm/sys/buf.h"
#include "tui.h"

typedef struct words {
    orm_buf commands, global, global_value, value;
    /* "command\tword" lines, in table order */
    orm_buf options, subcommands;
} words;

/* Append `word` to a space-separated list unless it is there. */
static void add_word(orm_buf *list, const char *word)
{
    const char *s = orm_buf_str(list);
    size_t n = strlen(word);
    for (const char *p = s; p && (p = strstr(p, word)) != NULL; p += n)
        if ((p == s || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return;
    if (list->len)
        orm_buf_appendc(list, ' ');
    orm_buf_append(list, word);
}

static void collect(tui_cli_word_kind kind, const char *command,
                    const char *word, int takes_value, void *payload)
{
    words *w = payload;
    switch (kind) {
    case TUI_WORD_COMMAND:
        add_word(&w->commands, word);
        break;
    case TUI_WORD_GLOBAL_OPTION:
        add_word(&w->global, word);
        if (takes_value)
            add_word(&w->global_value, word);
        break;
    case TUI_WORD_OPTION:
        orm_buf_appendf(&w->options, "%s\t%s\n", command, word);
        if (takes_value)
            add_word(&w->value, word);
        break;
    case TUI_WORD_SUBCOMMAND:
        orm_buf_appendf(&w->subcommands, "%s\t%s\n", command, word);
        break;
    }
}

/* A shell function printing, for its first argument, the words of the
 * "command\tword" lines that name it (a command's lines are together). */
static void write_function(FILE *out, const char *name, const orm_buf *lines)
{
    const char *s = orm_buf_str(lines);
    const char *current = NULL;
    size_t current_len = 0;
    fprintf(out, "%s() {\n  case $1 in\n", name);
    while (s && *s) {
        const char *tab = strchr(s, '\t');
        const char *nl = strchr(tab, '\n');
        size_t n = (size_t)(tab - s);
        if (current && n == current_len && strncmp(s, current, n) == 0) {
            fputc(' ', out);
        } else {
            if (current)
                fputs("' ;;\n", out);
            fprintf(out, "    %.*s) echo '", (int)n, s);
            current = s;
            current_len = n;
        }
        fprintf(out, "%.*s", (int)(nl - tab - 1), tab + 1);
        s = nl + 1;
    }
    if (current)
        fputs("' ;;\n", out);
    fputs("  esac\n}\n", out);
}

static void write_words(FILE *out, words *w, int nthemes, char **themes)
{
    fputs("# Generated from orb's own tables (completions/gen_completion.c)."
          "\n",
          out);
    fprintf(out, "_orb_commands='%s'\n", orm_buf_str(&w->commands));
    fprintf(out, "_orb_global_opts='%s'\n", orm_buf_str(&w->global));
    fprintf(out, "_orb_global_value='%s'\n", orm_buf_str(&w->global_value));
    fprintf(out, "_orb_value_opts='%s'\n", orm_buf_str(&w->value));
    fputs("_orb_themes='", out);
    for (int i = 0; i < nthemes; i++)
        fprintf(out, "%s%s", i ? " " : "", themes[i]);
    fputs("'\n", out);
    write_function(out, "_orb_command_opts", &w->options);
    write_function(out, "_orb_subcommands", &w->subcommands);
}

int main(int argc, char **argv)
{
    words w = {ORM_BUF_INIT, ORM_BUF_INIT, ORM_BUF_INIT,
               ORM_BUF_INIT, ORM_BUF_INIT, ORM_BUF_INIT};
    char line[4096];
    int status = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: gen_completion TEMPLATE OUTPUT THEME...\n");
        return 2;
    }
    tui_cli_words(collect, &w);
    if (!orm_buf_str(&w.commands) || !orm_buf_str(&w.global) ||
        !orm_buf_str(&w.options) || !orm_buf_str(&w.subcommands)) {
        fprintf(stderr, "gen_completion: out of memory or no words\n");
        return 1;
    }
    FILE *in = fopen(argv[1], "r");
    FILE *out = fopen(argv[2], "w");
    if (!in || !out) {
        perror(!in ? argv[1] : argv[2]);
        return 1;
    }
    int filled = 0;
    while (fgets(line, sizeof line, in)) {
        if (strcmp(line, "# @ORB_WORDS@\n") == 0) {
            write_words(out, &w, argc - 3, argv + 3);
            filled = 1;
        } else {
            fputs(line, out);
        }
    }
    if (!filled) {
        fprintf(stderr, "gen_completion: %s has no '# @ORB_WORDS@' line\n",
                argv[1]);
        status = 1;
    }
    if (ferror(in) || fclose(out) != 0) {
        perror(argv[2]);
        status = 1;
    }
    fclose(in);
    orm_buf_free(&w.commands);
    orm_buf_free(&w.global);
    orm_buf_free(&w.global_value);
    orm_buf_free(&w.value);
    orm_buf_free(&w.options);
    orm_buf_free(&w.subcommands);
    if (status)
        remove(argv[2]);
    return status;
}
