/*
 * Themes: the compiled-in default, parsing tig-like "color" lines over a
 * theme with "path:line: message" problems, finding a theme by name, and
 * mapping palette colours down to 8 colours.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "orm/error.h"
#include "orm/sys/number.h"
#include "orm/sys/suggest.h"
#include "theme.h"

/* The same lines as themes/default.theme: the program looks right even
 * when the themes folder is missing. */
static const char default_theme_text[] =
    "color default        default  default\n"
    "color title          white    color24   bold\n"
    "color status         white    color238\n"
    "color header         yellow   default   bold\n"
    "color cursor         black    cyan\n"
    "color cursor-cell    black    yellow    bold\n"
    "color null           color244 default   dim\n"
    "color key-column     cyan     default   bold\n"
    "color number         default  default\n"
    "color secret         magenta  default\n"
    "color label          green    default   bold\n"
    "color type           color244 default\n"
    "color foreign-key    blue     default   underline\n"
    "color separator      color240 default\n"
    "color prompt         white    color238  bold\n"
    "color help-key       yellow   default   bold\n"
    "color error          white    red       bold\n"
    "color message        black    green\n"
    "color pending-add    green    default\n"
    "color pending-change yellow   default\n"
    "color pending-delete red      default\n";

#define ELEMENT_NAME(e, name) name,
static const char *const element_names[] = {TUI_ELEMENTS(ELEMENT_NAME)};
#undef ELEMENT_NAME

static const char *const basic_colors[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};

static const struct {
    const char *name;
    unsigned attr;
} attr_names[] = {
    {"normal", 0},
    {"bold", TUI_ATTR_BOLD},
    {"dim", TUI_ATTR_DIM},
    {"reverse", TUI_ATTR_REVERSE},
    {"underline", TUI_ATTR_UNDERLINE},
    {"italic", TUI_ATTR_ITALIC},
    {"blink", TUI_ATTR_BLINK},
    {"standout", TUI_ATTR_STANDOUT},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *tui_element_name(tui_element el)
{
    return (size_t)el < NELEM(element_names) ? element_names[el] : "?";
}

int tui_element_parse(const char *name)
{
    for (size_t i = 0; i < NELEM(element_names); i++)
        if (strcasecmp(name, element_names[i]) == 0)
            return (int)i;
    return -1;
}

/* #rrggbb to the nearest colour of the xterm 6x6x6 cube or grey ramp. */
static int color_from_hex(const char *s)
{
    int rgb[3];
    for (int i = 0; i < 3; i++) {
        int hi = orm_hex_digit((unsigned char)(s[1 + 2 * i])),
            lo = orm_hex_digit((unsigned char)(s[2 + 2 * i]));
        if (hi < 0 || lo < 0)
            return -2;
        rgb[i] = hi * 16 + lo;
    }
    if (s[7] != '\0')
        return -2;
    if (rgb[0] == rgb[1] && rgb[1] == rgb[2]) {
        if (rgb[0] < 8)
            return 16;
        if (rgb[0] > 238)
            return 231;
        return 232 + (rgb[0] - 8) / 10;
    }
    int cube[3];
    for (int i = 0; i < 3; i++)
        cube[i] = rgb[i] < 48 ? 0 : rgb[i] < 115 ? 1 : (rgb[i] - 35) / 40;
    return 16 + 36 * cube[0] + 6 * cube[1] + cube[2];
}

/* A colour name: -1 default, 0-255, or -2 when unknown. */
static int color_parse(const char *s)
{
    const char *digits = NULL;
    if (strcasecmp(s, "default") == 0 || strcasecmp(s, "none") == 0)
        return -1;
    for (size_t i = 0; i < NELEM(basic_colors); i++) {
        if (strcasecmp(s, basic_colors[i]) == 0)
            return (int)i;
        if (strncasecmp(s, "bright-", 7) == 0 &&
            strcasecmp(s + 7, basic_colors[i]) == 0)
            return (int)i + 8;
    }
    if (s[0] == '#' && strlen(s) == 7)
        return color_from_hex(s);
    if (strncasecmp(s, "color", 5) == 0)
        digits = s + 5;
    else
        digits = s;
    if (*digits == '\0' || strlen(digits) > 3)
        return -2;
    int v = 0;
    for (const char *p = digits; *p; p++) {
        if (*p < '0' || *p > '9')
            return -2;
        v = v * 10 + (*p - '0');
    }
    return v <= 255 ? v : -2;
}

short tui_color_to_8(short color)
{
    if (color < 0)
        return color;
    if (color < 8)
        return color;
    if (color < 16)
        return (short)(color - 8);
    if (color >= 232) /* grey ramp: dark greys read as black */
        return color < 244 ? 0 : 7;
    int c = color - 16;
    int r = c / 36, g = (c / 6) % 6, b = c % 6;
    int max = r > g ? (r > b ? r : b) : (g > b ? g : b);
    if (max == 0)
        return 0;
    /* Keep the channels near the strongest one. */
    int bits = (r * 2 >= max * 2 - 1 && r >= 2 ? 1 : 0) |
               (g * 2 >= max * 2 - 1 && g >= 2 ? 2 : 0) |
               (b * 2 >= max * 2 - 1 && b >= 2 ? 4 : 0);
    if (bits == 0)
        bits = (r == max ? 1 : 0) | (g == max ? 2 : 0) | (b == max ? 4 : 0);
    return (short)bits; /* 1 red, 2 green, 4 blue: the ANSI layout */
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
problem(orm_buf *problems, const char *name, int line, const char *fmt, ...)
{
    va_list ap;
    if (!problems)
        return;
    orm_buf_appendf(problems, "%s:%d: ", name, line);
    va_start(ap, fmt);
    orm_buf_vappendf(problems, fmt, ap);
    va_end(ap);
    orm_buf_appendc(problems, '\n');
}

/* " (did you mean 'x'?)" when `sg` found a close word, else "". The
 * text lives in `buf`. */
static const char *hint(char *buf, size_t size, const orm_suggestion *sg)
{
    if (!sg->best)
        return "";
    snprintf(buf, size, " (did you mean '%s'?)", sg->best);
    return buf;
}

#define MAX_TOKENS 12

/* Split a line into whitespace-separated tokens, in place; a token that
 * starts with '#' and is not a #rrggbb colour starts a comment. */
static int tokenize(char *line, char **tok)
{
    int n = 0;
    char *p = line;
    while (*p && n < MAX_TOKENS) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            break;
        char *start = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (*p)
            *p++ = '\0';
        if (start[0] == '#' && !(strlen(start) == 7 && n >= 2))
            break;
        tok[n++] = start;
    }
    return n;
}

static int parse_line(tui_theme *theme, char *line, const char *name,
                      int lineno, orm_buf *problems)
{
    char *tok[MAX_TOKENS];
    int n = tokenize(line, tok);
    if (n == 0)
        return 0;
    if (strcasecmp(tok[0], "nocolor") == 0 && n == 1) {
        theme->use_color = 0;
        return 0;
    }
    if (strcasecmp(tok[0], "color") != 0) {
        problem(problems, name, lineno,
                "unknown command '%s' (expected: color <element> <fg> <bg> "
                "[attr...])",
                tok[0]);
        return 1;
    }
    if (n < 4) {
        problem(problems, name, lineno, "%s",
                "expected: color <element> <fg> <bg> [attr...]");
        return 1;
    }
    char said[96];
    int el = tui_element_parse(tok[1]);
    if (el < 0) {
        orm_suggestion sg = {tok[1], NULL, 0};
        for (int i = 0; i < TUI_ELEMENT_COUNT; i++)
            orm_suggest(&sg, tui_element_name((tui_element)i));
        problem(problems, name, lineno, "unknown element '%s'%s", tok[1],
                hint(said, sizeof said, &sg));
        return 1;
    }
    int fg = color_parse(tok[2]), bg = color_parse(tok[3]);
    if (fg < -1 || bg < -1) {
        const char *bad = fg < -1 ? tok[2] : tok[3];
        orm_suggestion sg = {bad, NULL, 0};
        for (size_t i = 0; i < NELEM(basic_colors); i++)
            orm_suggest(&sg, basic_colors[i]);
        orm_suggest(&sg, "default");
        problem(problems, name, lineno, "unknown colour '%s'%s", bad,
                hint(said, sizeof said, &sg));
        return 1;
    }
    unsigned attrs = 0;
    for (int i = 4; i < n; i++) {
        size_t k;
        for (k = 0; k < NELEM(attr_names); k++)
            if (strcasecmp(tok[i], attr_names[k].name) == 0)
                break;
        if (k == NELEM(attr_names)) {
            orm_suggestion sg = {tok[i], NULL, 0};
            for (k = 0; k < NELEM(attr_names); k++)
                orm_suggest(&sg, attr_names[k].name);
            problem(problems, name, lineno, "unknown attribute '%s'%s", tok[i],
                    hint(said, sizeof said, &sg));
            return 1;
        }
        attrs |= attr_names[k].attr;
    }
    theme->styles[el].fg = (short)fg;
    theme->styles[el].bg = (short)bg;
    theme->styles[el].attrs = attrs;
    return 0;
}

int tui_theme_parse(tui_theme *theme, const char *text, const char *name,
                    orm_buf *problems)
{
    int count = 0, lineno = 0;
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char line[512];
        lineno++;
        if (len >= sizeof line) {
            problem(problems, name, lineno, "%s", "line too long");
            count++;
        } else {
            memcpy(line, p, len);
            line[len] = '\0';
            count += parse_line(theme, line, name, lineno, problems);
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    return count;
}

void tui_theme_default(tui_theme *theme)
{
    for (int i = 0; i < TUI_ELEMENT_COUNT; i++)
        theme->styles[i] = (tui_style){-1, -1, 0};
    theme->use_color = 1;
    tui_theme_parse(theme, default_theme_text, "default", NULL);
}

int tui_theme_load_file(tui_theme *theme, const char *path, orm_buf *problems)
{
    orm_buf text = ORM_BUF_INIT;
    int count, rc = orm_buf_read_file(&text, path, ORM_TEXT_FILE_MAX);
    if (rc) {
        if (problems && rc == ORM_EIO)
            orm_buf_appendf(problems, "%s: cannot read: %s\n", path,
                            strerror(errno));
        else if (problems && rc == ORM_EINVALID)
            orm_buf_appendf(problems, "%s: larger than %d MiB: not read\n",
                            path, ORM_TEXT_FILE_MAX / (1024 * 1024));
        else if (problems)
            orm_buf_appendf(problems, "%s: out of memory\n", path);
        orm_buf_free(&text);
        return 1;
    }
    count = tui_theme_parse(theme, orm_buf_str(&text), path, problems);
    orm_buf_free(&text);
    return count;
}

static char *join_theme(const char *dir, const char *name)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_appendf(&b, "%s/%s.theme", dir, name);
    return orm_buf_finish(&b);
}

char *tui_theme_find(const char *name, const char *const *dirs)
{
    size_t len;
    if (!name || !*name)
        return NULL;
    len = strlen(name);
    if (strchr(name, '/') || (len > 6 && strcmp(name + len - 6, ".theme") == 0))
        return access(name, R_OK) == 0 ? orm_strdup(name) : NULL;
    for (; dirs && *dirs; dirs++) {
        char *path = join_theme(*dirs, name);
        if (path && access(path, R_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}
