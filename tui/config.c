/*
 * Reading the user's config with inih. inih does not pass line numbers
 * to the handler, so the reader counts lines and also reports lines that
 * inih would silently skip (no '=' and not a section), and [keys] lines
 * that take a key another line gave an action of the same scope.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "config.h"

typedef struct config_reader {
    FILE *f;
    const char *path;
    int line;
    tui_config *cfg;
    tui_keymap *km;
    orm_buf *problems;
    int count;
} config_reader;

static void report(config_reader *r, const char *what, const char *arg)
{
    orm_buf_appendf(r->problems, "%s:%d: %s", r->path, r->line, what);
    if (arg)
        orm_buf_appendf(r->problems, " '%s'", arg);
    orm_buf_appendc(r->problems, '\n');
    r->count++;
}

/* A line inih would skip without telling: not blank, not a comment, not
 * a section, no '=' or ':'. */
static void check_line(config_reader *r, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || *s == '\n' || *s == '\r' || *s == ';' || *s == '#')
        return;
    if (*s == '[') {
        if (!strchr(s, ']'))
            report(r, "missing ']' in section header", NULL);
        return;
    }
    if (!strchr(s, '=') && !strchr(s, ':'))
        report(r, "expected 'name = value'", NULL);
}

static char *read_line(char *str, int num, void *stream)
{
    config_reader *r = stream;
    char *s = fgets(str, num, r->f);
    if (s) {
        r->line++;
        check_line(r, s);
    }
    return s;
}

static int on_entry(void *user, const char *section, const char *name,
                    const char *value)
{
    config_reader *r = user;
    if (strcasecmp(section, "keys") == 0) {
        char bad[32];
        tui_action a = tui_action_parse(name);
        if (a == TUI_ACT_NONE) {
            report(r, "unknown action", name);
            return 1;
        }
        orm_buf clashes = ORM_BUF_INIT;
        int taken = tui_keymap_clashes(r->km, a, value, &clashes);
        if (tui_keymap_bind(r->km, a, value, bad, sizeof bad))
            report(r, "unknown key", bad);
        else if (taken && orm_buf_str(&clashes))
            report(r, orm_buf_str(&clashes), NULL);
        else if (taken)
            report(r, "out of memory", NULL);
        orm_buf_free(&clashes);
        return 1;
    }
    if (strcasecmp(section, "ui") == 0) {
        if (strcasecmp(name, "theme") == 0) {
            char *copy = orm_strdup(value);
            if (!copy) {
                report(r, "out of memory", NULL);
                return 1;
            }
            free(r->cfg->theme);
            r->cfg->theme = copy;
            return 1;
        }
        report(r, "unknown setting", name);
        return 1;
    }
    if (!*section)
        report(r, "setting outside a section", name);
    else
        report(r, "unknown section", section);
    return 1;
}

int tui_config_load(tui_config *cfg, tui_keymap *km, const char *path,
                    orm_buf *problems)
{
    config_reader r = {NULL, path, 0, cfg, km, problems, 0};
    r.f = fopen(path, "r");
    if (!r.f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        orm_buf_appendf(problems, "%s: cannot read: %s\n", path,
                        strerror(errno));
        return 1;
    }
    ini_parse_stream(read_line, &r, on_entry, &r);
    fclose(r.f);
    return r.count;
}

void tui_config_clear(tui_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->theme);
    cfg->theme = NULL;
}
