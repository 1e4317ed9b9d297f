/*
 * Reading the config files with inih. inih does not pass line numbers
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

#include "cli_msg.h"
#include "config.h"
#include "display.h"
#include "mem.h"
#include "orm/sys/connopt.h"
#include "orm/sys/suggest.h"
#include "orm/url.h"
#include "text.h"
#include "tui.h"

#define CONNECTION_PREFIX     "connection."
#define CONNECTION_PREFIX_LEN (sizeof CONNECTION_PREFIX - 1)

typedef struct config_reader {
    const char *text; /* the whole file, read at once (bounded) */
    size_t len, pos;
    const char *path;
    int line;
    int section_line; /* the line of the last section header */
    tui_config *cfg;
    tui_keymap *km;
    orm_buf *problems;
    int count;
    /* Connections this file has (re)defined: a later file's section
     * replaces an earlier file's whole, it does not merge with it. */
    unsigned char *fresh;
    size_t nfresh;
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
        r->section_line = r->line;
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
    /* As fgets would: up to a newline (kept) or num - 1 bytes. */
    if (r->pos >= r->len || num < 2)
        return NULL;
    const char *p = r->text + r->pos;
    size_t left = r->len - r->pos, n = 0;
    while (n < left && n < (size_t)num - 1 && p[n] != '\n')
        n++;
    if (n < left && n < (size_t)num - 1)
        n++; /* the newline */
    memcpy(str, p, n);
    str[n] = '\0';
    r->pos += n;
    r->line++;
    check_line(r, str);
    return str;
}

/* ---- [connection.NAME] ---- */

static void connection_clear(tui_connection *c);

/* Names are typed after '@' on the command line: no spaces, no '@'. */
static int connection_name_ok(const char *name)
{
    if (!*name)
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= ' ' || *p == '@' || *p == 0x7f)
            return 0;
    return 1;
}

/* The connection `name` as this file defines it: found, or added; one an
 * earlier file defined starts over. NULL when out of memory. */
static tui_connection *connection_for(config_reader *r, const char *name)
{
    tui_config *cfg = r->cfg;
    size_t i = 0;
    while (i < cfg->nconnections && strcmp(cfg->connections[i].name, name))
        i++;
    if (i == cfg->nconnections) {
        tui_connection *grown = tui_realloc(
            cfg->connections, (cfg->nconnections + 1) * sizeof *grown);
        if (!grown)
            return NULL;
        cfg->connections = grown;
        memset(&grown[i], 0, sizeof grown[i]);
        if (!(grown[i].name = orm_strdup(name)))
            return NULL;
        cfg->nconnections++;
    }
    if (i >= r->nfresh) {
        unsigned char *grown = tui_realloc(r->fresh, i + 1);
        if (!grown)
            return NULL;
        memset(grown + r->nfresh, 0, i + 1 - r->nfresh);
        r->fresh = grown;
        r->nfresh = i + 1;
    }
    tui_connection *c = &cfg->connections[i];
    if (!r->fresh[i]) {
        char *keep = c->name;
        c->name = NULL;
        connection_clear(c);
        c->name = keep;
        orm_buf where = ORM_BUF_INIT;
        orm_buf_appendf(&where, "%s:%d", r->path, r->section_line);
        if (!(c->where = orm_buf_finish(&where)))
            return NULL;
        r->fresh[i] = 1;
    }
    return c;
}

static char *connection_path(const config_reader *r, const char *value);

/* A SQLite file named by a relative path: the path made relative to the
 * config file's directory, as a models path is (the URL rewritten). 0, or
 * -1 when out of memory. */
static int sqlite_path_from_config(const config_reader *r, orm_url *url,
                                   char **text)
{
    if (strcmp(url->dialect, "sqlite") != 0 || !url->database ||
        !*url->database || url->database[0] == '/' ||
        strcmp(url->database, ":memory:") == 0)
        return 0;
    char *path = connection_path(r, url->database);
    if (!path)
        return -1;
    free(url->database);
    url->database = path;
    char *formatted = orm_url_format(url, 0);
    if (!formatted)
        return -1;
    free(*text);
    *text = formatted;
    return 0;
}

/* A URL without password, copied, and in *resolved the URL to open (a
 * relative SQLite path resolved); NULL with the problem reported. */
static char *connection_url(config_reader *r, const char *name,
                            const char *value, char **resolved)
{
    orm_url *url = NULL;
    orm_error e = ORM_ERROR_INIT;
    char *copy = NULL;
    orm_buf msg = ORM_BUF_INIT;
    if (orm_url_parse(&url, value, &e) != 0) {
        orm_buf_appendf(&msg, "connection '%s': invalid URL: %s", name,
                        orm_error_text(&e));
        report(r, orm_buf_str(&msg) ? orm_buf_str(&msg) : "out of memory",
               NULL);
    } else if (url->password || orm_url_param_get(url, "password")) {
        orm_buf_appendf(&msg,
                        "connection '%s': the URL holds a password; keep "
                        "it out of the config (orb asks with "
                        "--password-prompt, or reads ORB_PASSWORD, "
                        "~/.pgpass, ~/.my.cnf)",
                        name);
        report(r, orm_buf_str(&msg) ? orm_buf_str(&msg) : "out of memory",
               NULL);
    } else if (!(copy = orm_strdup(value)) ||
               !(*resolved = orm_strdup(value)) ||
               sqlite_path_from_config(r, url, resolved) != 0) {
        report(r, "out of memory", NULL);
        free(copy);
        copy = NULL;
    }
    orm_buf_free(&msg);
    orm_url_free(url);
    orm_error_clear(&e);
    return copy;
}

/* `value` with a leading ~/ made $HOME/, and a relative path made
 * relative to the config file's directory. Owned; NULL: out of memory. */
static char *connection_path(const config_reader *r, const char *value)
{
    const char *home = getenv("HOME");
    orm_buf b = ORM_BUF_INIT;
    if (value[0] == '~' && (value[1] == '/' || !value[1]) && home && *home) {
        orm_buf_appendf(&b, "%s%s", home, value + 1);
    } else if (value[0] != '/') {
        const char *slash = strrchr(r->path, '/');
        if (slash)
            orm_buf_appendn(&b, r->path, (size_t)(slash - r->path) + 1);
        orm_buf_append(&b, value);
    } else {
        orm_buf_append(&b, value);
    }
    return orm_buf_finish(&b);
}

/* true/false in the spellings INI files use; -1 for anything else. */
static int parse_bool(const char *value)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(value, yes[i]) == 0)
            return 1;
        if (strcasecmp(value, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* A whole number of rows, 1 to TUI_PAGE_SIZE_MAX; -1 for anything else
 * (signs, spaces inside, units, overflow). */
static int parse_rows(const char *value, size_t *out)
{
    size_t rows = 0;
    if (!*value)
        return -1;
    for (const char *p = value; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        rows = rows * 10 + (size_t)(*p - '0');
        if (rows > TUI_PAGE_SIZE_MAX)
            return -1;
    }
    if (rows == 0)
        return -1;
    *out = rows;
    return 0;
}

/* An unknown setting, with the closest known one when it looks like a
 * typo of it. */
static void report_unknown(config_reader *r, const char *what, const char *name,
                           const char *const *known, size_t nknown)
{
    orm_suggestion sg = {name, NULL, 0};
    orm_buf msg = ORM_BUF_INIT;
    for (size_t i = 0; i < nknown; i++)
        orm_suggest(&sg, known[i]);
    orm_buf_appendf(&msg, "%s '%s'", what, name);
    if (sg.best)
        orm_buf_appendf(&msg, " (did you mean '%s'?)", sg.best);
    report(r, orm_buf_str(&msg) ? orm_buf_str(&msg) : "out of memory", NULL);
    orm_buf_free(&msg);
}

/* `text` percent-encoded except for letters, digits and "._-~": safe as
 * a URL query value. */
static void append_query_value(orm_buf *b, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("._-~", *p))
            orm_buf_appendc(b, (char)*p);
        else
            orm_buf_appendf(b, "%%%02X", *p);
    }
}

/* A connect_timeout or statement_timeout value as the URL option reads
 * it (orm/sys/connopt.h): copied, or NULL with the problem reported. */
static char *connection_timeout(config_reader *r, const char *key,
                                const char *value)
{
    orm_buf text = ORM_BUF_INIT;
    orm_url *url = NULL;
    orm_error e = ORM_ERROR_INIT;
    orm_conn_params params;
    char *copy = NULL;
    int is_connect = strcasecmp(key, "connect_timeout") == 0;
    orm_buf_appendf(&text, "sqlite://?%s=",
                    is_connect ? "connect_timeout" : "statement_timeout");
    append_query_value(&text, value);
    if (!orm_buf_str(&text)) {
        report(r, "out of memory", NULL);
    } else if (!*value || orm_url_parse(&url, orm_buf_str(&text), &e) != 0 ||
               orm_conn_params_read(&params, url, &e) != 0) {
        report(r,
               is_connect ? "connect_timeout is a whole number of seconds, not"
                          : "statement_timeout is a time like 30s, 1500ms or "
                            "2min (a bare number is milliseconds), not",
               *value ? value : NULL);
    } else if (!(copy = orm_strdup(value))) {
        report(r, "out of memory", NULL);
    }
    orm_url_free(url);
    orm_error_clear(&e);
    orm_buf_free(&text);
    return copy;
}

static int on_connection(config_reader *r, const char *name, const char *key,
                         const char *value)
{
    static const char *const keys[] = {"url", "models", "read_only",
                                       "connect_timeout", "statement_timeout"};
    if (!connection_name_ok(name)) {
        report(r,
               *name ? "a connection name may not contain spaces or '@'"
                     : "missing connection name (write [connection.NAME])",
               *name ? name : NULL);
        return 1;
    }
    tui_connection *c = connection_for(r, name);
    if (!c) {
        report(r, "out of memory", NULL);
        return 1;
    }
    if (strcasecmp(key, "url") == 0) {
        free(c->url);
        free(c->resolved_url);
        c->resolved_url = NULL;
        c->url = connection_url(r, name, value, &c->resolved_url);
        if (!c->url) {
            free(c->resolved_url);
            c->resolved_url = NULL;
        }
    } else if (strcasecmp(key, "models") == 0) {
        free(c->models);
        c->models = NULL;
        if (!*value)
            report(r, "models needs a file name", NULL);
        else if (!(c->models = connection_path(r, value)))
            report(r, "out of memory", NULL);
    } else if (strcasecmp(key, "read_only") == 0) {
        int b = parse_bool(value);
        if (b < 0)
            report(r, "read_only is true or false, not", value);
        else
            c->read_only = b;
    } else if (strcasecmp(key, "connect_timeout") == 0 ||
               strcasecmp(key, "statement_timeout") == 0) {
        char **target = strcasecmp(key, "connect_timeout") == 0
                            ? &c->connect_timeout
                            : &c->statement_timeout;
        char *copy = connection_timeout(r, key, value);
        if (copy) {
            free(*target);
            *target = copy;
        }
    } else {
        report_unknown(r, "unknown setting", key, keys,
                       sizeof keys / sizeof keys[0]);
    }
    return 1;
}

/* What is wrong with a [ui] value, or NULL. */
static const char *ui_value_problem(const char *name, const char *value)
{
    if (strcasecmp(name, "null") == 0 && !*value)
        return "null needs some text: empty would look like an empty string";
    if (strcasecmp(name, "date_format") == 0) {
        struct tm day;
        memset(&day, 0, sizeof day);
        day.tm_year = 124;
        day.tm_mday = 31;
        if (!strchr(value, '%') || tui_date_format(NULL, 0, value, &day) == 0)
            return "date_format is a strftime format like %d.%m.%Y, not";
    }
    return NULL;
}

static int on_entry(void *user, const char *section, const char *name,
                    const char *value)
{
    config_reader *r = user;
    if (strncasecmp(section, CONNECTION_PREFIX, CONNECTION_PREFIX_LEN) == 0)
        return on_connection(r, section + CONNECTION_PREFIX_LEN, name, value);
    if (strcasecmp(section, "keys") == 0) {
        char bad[32];
        if (!r->km)
            return 1;
        tui_action a = tui_action_parse(name);
        if (a == TUI_ACT_NONE) {
            const char *names[TUI_ACTION_COUNT];
            for (int i = 0; i < TUI_ACTION_COUNT; i++)
                names[i] = tui_action_name((tui_action)i);
            report_unknown(r, "unknown action", name, names, TUI_ACTION_COUNT);
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
        char **target = NULL;
        if (strcasecmp(name, "theme") == 0)
            target = &r->cfg->theme;
        else if (strcasecmp(name, "null") == 0)
            target = &r->cfg->null_text;
        else if (strcasecmp(name, "date_format") == 0)
            target = &r->cfg->date_format;
        if (strcasecmp(name, "page_size") == 0) {
            size_t rows = 0;
            if (parse_rows(value, &rows) != 0)
                report(r,
                       "page_size is a number of rows from 1 "
                       "to " TUI_PAGE_SIZE_MAX_TEXT ", not",
                       *value ? value : NULL);
            else
                r->cfg->page_size = rows;
            return 1;
        }
        if (strcasecmp(name, "confirm_write") == 0) {
            int b = parse_bool(value);
            if (b < 0)
                report(r, "confirm_write is true or false, not", value);
            else
                r->cfg->write_unreviewed = !b;
            return 1;
        }
        if (target) {
            const char *bad = ui_value_problem(name, value);
            char *copy = bad ? NULL : orm_strdup(value);
            if (bad)
                report(r, bad, *value ? value : NULL);
            else if (!copy)
                report(r, "out of memory", NULL);
            if (!copy)
                return 1;
            free(*target);
            *target = copy;
            if (target == &r->cfg->theme) {
                orm_buf where = ORM_BUF_INIT;
                orm_buf_appendf(&where, "%s:%d", r->path, r->line);
                free(r->cfg->theme_where);
                r->cfg->theme_where = orm_buf_finish(&where);
            }
            return 1;
        }
        static const char *const ui_keys[] = {"theme", "null", "date_format",
                                              "confirm_write", "page_size"};
        report_unknown(r, "unknown setting", name, ui_keys,
                       sizeof ui_keys / sizeof ui_keys[0]);
        return 1;
    }
    if (!*section)
        report(r, "setting outside a section", name);
    else
        report(r, "unknown section", section);
    return 1;
}

int tui_config_parse(tui_config *cfg, tui_keymap *km, const char *text,
                     size_t len, const char *path, orm_buf *problems)
{
    config_reader r = {text, len, 0, path, 0, 0, cfg, km, problems, 0, NULL, 0};
    ini_parse_stream(read_line, &r, on_entry, &r);
    free(r.fresh);
    return r.count;
}

int tui_config_load(tui_config *cfg, tui_keymap *km, const char *path,
                    orm_buf *problems)
{
    orm_buf text = ORM_BUF_INIT;
    int rc = orm_buf_read_file(&text, path, ORM_TEXT_FILE_MAX);
    if (rc) {
        int why = errno;
        orm_buf_free(&text);
        /* No config file is no problem. */
        if (rc == ORM_EIO && (why == ENOENT || why == ENOTDIR))
            return 0;
        if (rc == ORM_EIO)
            orm_buf_appendf(problems, "%s: cannot read: %s\n", path,
                            strerror(why));
        else if (rc == ORM_EINVALID)
            orm_buf_appendf(problems, "%s: larger than %d MiB: not read\n",
                            path, ORM_TEXT_FILE_MAX / (1024 * 1024));
        else
            orm_buf_appendf(problems, "%s: out of memory\n", path);
        return 1;
    }
    int count =
        tui_config_parse(cfg, km, orm_buf_str(&text), text.len, path, problems);
    orm_buf_free(&text);
    return count;
}

int tui_config_load_all(tui_config *cfg, tui_keymap *km, const char *user_dir,
                        orm_buf *problems)
{
    char **dirs = NULL;
    size_t ndirs = 0;
    int count = 0;
    if (tui_config_dirs(&dirs, &ndirs, user_dir) != 0) {
        orm_buf_append(problems, "orb: out of memory reading the config\n");
        return 1;
    }
    for (size_t i = 0; i < ndirs; i++) {
        orm_buf path = ORM_BUF_INIT;
        orm_buf_appendf(&path, "%s/config", dirs[i]);
        if (orm_buf_str(&path))
            count += tui_config_load(cfg, km, orm_buf_str(&path), problems);
        orm_buf_free(&path);
    }
    for (size_t i = 0; i < ndirs; i++)
        free(dirs[i]);
    free(dirs);
    return count;
}

static void connection_clear(tui_connection *c)
{
    free(c->name);
    free(c->url);
    free(c->resolved_url);
    free(c->open_url);
    free(c->connect_timeout);
    free(c->statement_timeout);
    free(c->models);
    free(c->where);
    memset(c, 0, sizeof *c);
}

void tui_config_clear(tui_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->theme);
    free(cfg->theme_where);
    cfg->theme_where = NULL;
    free(cfg->null_text);
    free(cfg->date_format);
    cfg->theme = cfg->null_text = cfg->date_format = NULL;
    cfg->page_size = 0;
    for (size_t i = 0; i < cfg->nconnections; i++)
        connection_clear(&cfg->connections[i]);
    free(cfg->connections);
    cfg->connections = NULL;
    cfg->nconnections = 0;
}

const tui_connection *tui_config_connection(const tui_config *cfg,
                                            const char *name)
{
    for (size_t i = 0; i < cfg->nconnections; i++)
        if (strcmp(cfg->connections[i].name, name) == 0)
            return &cfg->connections[i];
    return NULL;
}

int tui_config_connections_print(const tui_config *cfg, FILE *out)
{
    int width = 0;
    for (size_t i = 0; i < cfg->nconnections; i++) {
        int w = tui_text_widthz(cfg->connections[i].name);
        if (w > width)
            width = w;
    }
    for (size_t i = 0; i < cfg->nconnections; i++) {
        const tui_connection *c = &cfg->connections[i];
        /* Padded by terminal cells, not bytes: names may be UTF-8. */
        fprintf(out, "%s%*s  %s", c->name, width - tui_text_widthz(c->name), "",
                c->url ? c->url : "(no url)");
        if (c->read_only)
            fputs("  read-only", out);
        if (c->models)
            fprintf(out, "  models %s", c->models);
        if (c->connect_timeout)
            fprintf(out, "  connect_timeout %s", c->connect_timeout);
        if (c->statement_timeout)
            fprintf(out, "  statement_timeout %s", c->statement_timeout);
        fputc('\n', out);
    }
    return 0;
}

/* KEY=VALUE appended to `url`'s query unless the URL gives KEY: the
 * URL's own option wins over the config's. */
static void add_option(orm_buf *url, const orm_url *parsed, const char *key,
                       const char *value)
{
    if (!value || orm_url_param_get(parsed, key))
        return;
    const char *text = orm_buf_str(url);
    orm_buf_appendf(url, "%c%s=", text && strchr(text, '?') ? '&' : '?', key);
    append_query_value(url, value);
}

/* c->open_url: the URL with the section's timeouts added. 0, or -1 when
 * out of memory. */
static int connection_open_url(tui_connection *c)
{
    orm_url *parsed = NULL;
    orm_error e = ORM_ERROR_INIT;
    orm_buf b = ORM_BUF_INIT;
    free(c->open_url);
    c->open_url = NULL;
    if (orm_url_parse(&parsed, c->resolved_url, &e) != 0) {
        /* Checked when read: only out of memory gets here. */
        orm_error_clear(&e);
        return -1;
    }
    orm_buf_append(&b, c->resolved_url);
    add_option(&b, parsed, "connect_timeout", c->connect_timeout);
    add_option(&b, parsed, "statement_timeout", c->statement_timeout);
    orm_url_free(parsed);
    c->open_url = orm_buf_finish(&b);
    return c->open_url ? 0 : -1;
}

int tui_config_use_connection(tui_config *cfg, tui_options *opts,
                              const char *name, int report, FILE *err)
{
    orm_buf problems = ORM_BUF_INIT;
    const tui_connection *c = NULL;

    tui_config_load_all(cfg, NULL, NULL, &problems);
    if (name)
        c = tui_config_connection(cfg, name);
    if (report || (name && (!c || !c->url)))
        fputs(orm_buf_str(&problems) ? orm_buf_str(&problems)
                                     : "orb: out of memory\n",
              err);
    orm_buf_free(&problems);
    if (!name)
        return 0;
    return tui_config_point_at(cfg, opts, name, err);
}

int tui_config_point_at(tui_config *cfg, tui_options *opts, const char *name,
                        FILE *err)
{
    const tui_connection *c = tui_config_connection(cfg, name);
    orm_suggestion sg = {name, NULL, 0};
    if (!c) {
        for (size_t i = 0; i < cfg->nconnections; i++)
            orm_suggest(&sg, cfg->connections[i].name);
        if (sg.best)
            fprintf(err,
                    "orb: unknown connection '@%s' (did you mean '@%s'?)\n",
                    name, sg.best);
        else
            fprintf(err,
                    "orb: unknown connection '@%s' (orb connections lists "
                    "the config's [connection.NAME] sections)\n",
                    name);
        return 2;
    }
    if (!c->url) {
        fprintf(err, "orb: connection '@%s' (%s) has no usable url\n", name,
                c->where);
        return 2;
    }
    if (connection_open_url(&cfg->connections[c - cfg->connections]) != 0) {
        fputs("orb: out of memory\n", err);
        return 1;
    }
    opts->url = c->open_url;
    if (!opts->models_file)
        opts->models_file = c->models;
    opts->read_only |= c->read_only;
    return 0;
}
