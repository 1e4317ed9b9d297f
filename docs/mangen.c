/*
 * Writes orb's man page: the hand-written template docs/orb.1.in with its
 * generated parts filled in, so that the page cannot drift from the code.
 *
 *     mangen TEMPLATE OUTPUT
 *
 * A template line that is exactly
 *     .\" @KEYS@            becomes every action of tui/core/actions.h, by
 *                           scope: its default keys, its name for the
 *                           config's [keys] section, and its help text;
 *     .\" @THEME_ELEMENTS@  becomes the element names of tui/screen/theme.h;
 * and @VERSION@ anywhere becomes ORB_VERSION. CMake builds and runs this
 * at build time (build/orb.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "theme.h"

#ifndef ORB_VERSION
#error "ORB_VERSION must be defined"
#endif

typedef struct action_row {
    const char *name;
    tui_scope scope;
    const char *keys;
    const char *help;
} action_row;

static const action_row actions[] = {
#define ACTION_ROW(e, name, scope, keys, help)                                 \
    {name, TUI_SCOPE_##scope, keys, help},
    TUI_ACTIONS(ACTION_ROW)
#undef ACTION_ROW
};

static const char *const scope_titles[] = {
#define SCOPE_TITLE(e, title) title,
    TUI_SCOPES(SCOPE_TITLE)
#undef SCOPE_TITLE
};

static const char *const element_names[] = {
#define ELEMENT_NAME(e, name) name,
    TUI_ELEMENTS(ELEMENT_NAME)
#undef ELEMENT_NAME
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Text as roff takes it: backslash and minus escaped, and \& in front
 * so that a leading '.' or '\'' is never read as a request. */
static void put_text(FILE *out, const char *s, size_t n)
{
    fputs("\\&", out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            fputs("\\e", out);
        else if (s[i] == '-')
            fputs("\\-", out);
        else
            fputc(s[i], out);
    }
}

/* "PgUp C-b" as "\fBPgUp\fR, \fBC\-b\fR". */
static void put_keys(FILE *out, const char *keys)
{
    const char *p = keys;
    int first = 1;
    while (*p) {
        size_t len;
        p += strspn(p, " ");
        if (!*p)
            break;
        len = strcspn(p, " ");
        fputs(first ? "\\fB" : ", \\fB", out);
        put_text(out, p, len);
        fputs("\\fR", out);
        first = 0;
        p += len;
    }
}

static void put_keys_section(FILE *out)
{
    for (size_t s = 0; s < NELEM(scope_titles); s++) {
        fputs(".SS ", out);
        put_text(out, scope_titles[s], strlen(scope_titles[s]));
        fputc('\n', out);
        for (size_t a = 0; a < NELEM(actions); a++) {
            if (actions[a].scope != (tui_scope)s)
                continue;
            fputs(".TP\n", out);
            put_keys(out, actions[a].keys);
            fputs("  (\\fI", out);
            put_text(out, actions[a].name, strlen(actions[a].name));
            fputs("\\fR)\n", out);
            put_text(out, actions[a].help, strlen(actions[a].help));
            fputs(".\n", out);
        }
    }
}

static void put_elements(FILE *out)
{
    for (size_t i = 0; i < NELEM(element_names); i++) {
        fputs(i ? ",\n\\fB" : "\\fB", out);
        put_text(out, element_names[i], strlen(element_names[i]));
        fputs("\\fR", out);
    }
    fputs(".\n", out);
}

/* A template line with every @VERSION@ replaced. */
static void put_line(FILE *out, const char *line)
{
    const char *at;
    while ((at = strstr(line, "@VERSION@")) != NULL) {
        fwrite(line, 1, (size_t)(at - line), out);
        fputs(ORB_VERSION, out);
        line = at + strlen("@VERSION@");
    }
    fputs(line, out);
}

int main(int argc, char **argv)
{
    char line[4096];
    FILE *in, *out;
    int status = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: mangen TEMPLATE OUTPUT\n");
        return 2;
    }
    if (!(in = fopen(argv[1], "r"))) {
        perror(argv[1]);
        return 1;
    }
    if (!(out = fopen(argv[2], "w"))) {
        perror(argv[2]);
        fclose(in);
        return 1;
    }
    while (fgets(line, sizeof line, in)) {
        if (strcmp(line, ".\\\" @KEYS@\n") == 0)
            put_keys_section(out);
        else if (strcmp(line, ".\\\" @THEME_ELEMENTS@\n") == 0)
            put_elements(out);
        else
            put_line(out, line);
    }
    if (ferror(in)) {
        perror(argv[1]);
        status = 1;
    }
    fclose(in);
    if (fclose(out) != 0) {
        perror(argv[2]);
        status = 1;
    }
    if (status)
        remove(argv[2]);
    return status;
}
