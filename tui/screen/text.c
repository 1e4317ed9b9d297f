/*
 * Display width, cutting and wrapping of UTF-8 text by grapheme, with
 * utf8proc; counts for people ("1,234", "~1.2M").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "orm/sys/number.h"
#include "text.h"

#define REPLACEMENT   "\xEF\xBF\xBD" /* U+FFFD */
#define ELLIPSIS      "\xE2\x80\xA6" /* U+2026 */
#define RETURN_SIGN   "\xE2\x86\xB5" /* U+21B5, drawn for a newline */
#define DOTTED_CIRCLE "\xE2\x97\x8C" /* U+25CC, the base of a lone mark */
#define CR_SIGN       "\xE2\x90\x8D" /* U+240D, drawn for a lone CR */
#define ZWJ           0x200D

/* One code point: its value (or -1 when the bytes are invalid) and
 * length in bytes (at least 1). */
static size_t decode(const char *s, size_t len, utf8proc_int32_t *cp)
{
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)len, cp);
    if (n <= 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)n;
}

static int is_control(utf8proc_int32_t cp)
{
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_CC;
}

static void set_out(char *out, const char *text)
{
    size_t n = strlen(text);
    memcpy(out, text, n + 1);
}

size_t tui_text_next(char *out, int *width, const char *s, size_t len)
{
    utf8proc_int32_t cp, next;
    utf8proc_int32_t state = 0;
    size_t used, n, kept;

    out[0] = '\0';
    *width = 0;
    if (len == 0)
        return 0;
    used = decode(s, len, &cp);
    if (cp < 0) {
        set_out(out, REPLACEMENT);
        *width = 1;
        return used;
    }
    if (is_control(cp)) {
        /* Every control character takes a cell: one drawn as nothing
         * would let its neighbours join into one character. */
        *width = 1;
        if (cp == '\r' && used < len && s[used] == '\n') {
            set_out(out, RETURN_SIGN); /* CR LF: one newline */
            return used + 1;
        }
        set_out(out, cp == '\n'   ? RETURN_SIGN
                     : cp == '\t' ? " "
                     : cp == '\r' ? CR_SIGN
                                  : REPLACEMENT);
        return used;
    }
    kept = 0;
    if (!utf8proc_grapheme_break('A', cp)) {
        /* It joins what precedes it (a combining mark, a joiner) but
         * starts a cluster here (at the start, after a control character
         * or an invalid byte): drawn bare it would join the cell before,
         * and the width counted here would not be the width shown. It
         * sits on a dotted circle, or is replaced where even that would
         * not hold it. */
        if (utf8proc_grapheme_break(0x25CC, cp)) {
            set_out(out, REPLACEMENT);
            *width = 1;
            return used;
        }
        memcpy(out, DOTTED_CIRCLE, sizeof DOTTED_CIRCLE - 1);
        kept = sizeof DOTTED_CIRCLE - 1;
        *width = 1;
    } else {
        *width = utf8proc_charwidth(cp);
        if (*width < 0)
            *width = 0;
    }
    memcpy(out + kept, s, used);
    kept += used;
    /* Extend over the rest of the grapheme cluster. */
    utf8proc_grapheme_break_stateful(0, cp, &state);
    while (used < len) {
        n = decode(s + used, len - used, &next);
        if (next < 0 || is_control(next) ||
            utf8proc_grapheme_break_stateful(cp, next, &state))
            break;
        if (next == 0xFE0F && *width == 1)
            *width = 2; /* emoji presentation selector */
        if (kept + n < TUI_GRAPHEME_MAX) {
            memcpy(out + kept, s + used, n);
            kept += n;
        }
        used += n;
        cp = next;
    }
    out[kept] = '\0';
    if (!utf8proc_grapheme_break(cp, 'A')) {
        /* It ends with what joins the next character (a prepended mark)
         * though the next one is not part of it: drawn bare it would join
         * the cell after. */
        set_out(out, REPLACEMENT);
        *width = 1;
        return used;
    }
    /* Joiners left at the end joined nothing here; drawn, one could
     * join the next character. (Every one of them: two in a row end a
     * cluster too.) */
    while (cp == ZWJ && kept >= 3 &&
           strcmp(out + kept - 3, "\xE2\x80\x8D") == 0)
        out[kept -= 3] = '\0';
    if (*width > 2)
        *width = 2;
    if (*width == 0) {
        /* Invisible format characters (zero-width space, bidi controls,
         * a byte-order mark) are shown: they take a cell, so that what is
         * around them cannot join, and a user sees they are there. */
        set_out(out, REPLACEMENT);
        *width = 1;
    }
    return used;
}

int tui_text_width(const char *s, size_t len)
{
    char g[TUI_GRAPHEME_MAX];
    int total = 0, w;
    size_t at = 0;
    while (at < len) {
        at += tui_text_next(g, &w, s + at, len - at);
        total += w;
    }
    return total;
}

int tui_text_widthz(const char *s)
{
    return s ? tui_text_width(s, strlen(s)) : 0;
}

int tui_text_fit(orm_buf *out, const char *s, size_t len, int max_width)
{
    char g[TUI_GRAPHEME_MAX];
    int w, used = 0, cut_used = -1;
    size_t at = 0, cut = out->len;
    if (max_width <= 0)
        return 0;
    /* One pass that stops at the first character past the width: a long
     * value shown in a narrow cell costs what is shown, not its length.
     * `cut` is where the text ends when it needs the ellipsis. */
    while (at < len) {
        at += tui_text_next(g, &w, s + at, len - at);
        if (cut_used < 0 && used + w > max_width - 1) {
            cut = out->len;
            cut_used = used;
        }
        if (used + w > max_width) {
            if (out->data) {
                out->len = cut;
                out->data[cut] = '\0';
            }
            orm_buf_append(out, ELLIPSIS);
            return cut_used + 1;
        }
        orm_buf_append(out, g);
        used += w;
    }
    return used;
}

/* Wrap one paragraph (no newline inside). */
static int wrap_paragraph(const char *s, size_t len, int width,
                          int (*line)(const char *, size_t, void *),
                          void *payload)
{
    char g[TUI_GRAPHEME_MAX];
    size_t start = 0, at = 0, space_end = 0, space_at = 0;
    int used = 0, w, rc;

    if (len == 0)
        return line(s, 0, payload);
    while (at < len) {
        size_t n = tui_text_next(g, &w, s + at, len - at);
        if (used + w > width && at > start) {
            size_t end = at, next = at;
            if (space_end > start) {
                end = space_at;
                next = space_end;
            }
            rc = line(s + start, end - start, payload);
            if (rc)
                return rc;
            start = next;
            space_end = space_at = start;
            used = tui_text_width(s + start, at - start);
            continue;
        }
        if (s[at] == ' ') {
            space_at = at;
            space_end = at + n;
        }
        used += w;
        at += n;
    }
    return line(s + start, len - start, payload);
}

int tui_text_wrap(const char *s, size_t len, int width,
                  int (*line)(const char *text, size_t len, void *payload),
                  void *payload)
{
    size_t start = 0;
    if (width < 1)
        width = 1;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            size_t end = i; /* a CR LF line ends like a LF line */
            if (i < len && end > start && s[end - 1] == '\r')
                end--;
            int rc =
                wrap_paragraph(s + start, end - start, width, line, payload);
            if (rc)
                return rc;
            start = i + 1;
        }
    }
    return 0;
}

static char *fold(const char *s)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_CASEFOLD |
                                          UTF8PROC_COMPOSE | UTF8PROC_IGNORE);
    if (n < 0)
        return NULL;
    return (char *)out;
}

int tui_text_contains(const char *haystack, const char *needle)
{
    char *h, *n;
    int found;
    if (!needle || !*needle)
        return 1;
    h = fold(haystack ? haystack : "");
    n = fold(needle);
    if (!h || !n) /* invalid UTF-8: compare bytes */
        found = strstr(haystack ? haystack : "", needle) != NULL;
    else
        found = strstr(h, n) != NULL;
    free(h);
    free(n);
    return found;
}

void tui_text_count(char *out, size_t size, long long n, int estimate)
{
    static const char suffix[] = "KMGT";
    if (estimate && n >= 1000) {
        double v = (double)n;
        int i = -1;
        while (v >= 999.95 && i < 3) {
            v /= 1000.0;
            i++;
        }
        /* '.' whatever the host program's LC_NUMERIC, as in values */
        char digits[ORM_DOUBLE_TEXT_MAX];
        orm_double_fixed(digits, sizeof digits, v, v < 9.95 ? 1 : 0);
        snprintf(out, size, "~%s%c", digits, suffix[i]);
        return;
    }
    char digits[32];
    char grouped[48];
    size_t nd, g = 0;
    int neg = n < 0;
    snprintf(digits, sizeof digits, "%lld", neg ? -n : n);
    nd = strlen(digits);
    if (neg)
        grouped[g++] = '-';
    for (size_t i = 0; i < nd; i++) {
        if (i && (nd - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    snprintf(out, size, "%s%s", estimate ? "~" : "", grouped);
}

int tui_text_is_control(int32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x061c ||
           cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

void tui_text_append_terminal(orm_buf *b, const char *s, size_t n,
                              int keep_layout)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len =
            utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) {
            orm_buf_append(b, "\xef\xbf\xbd"); /* U+FFFD */
            i++;
            continue;
        }
        if ((cp == '\n' || cp == '\t') && keep_layout)
            orm_buf_appendc(b, (char)cp);
        else if (cp == '\n')
            orm_buf_append(b, "\\n");
        else if (cp == '\t')
            orm_buf_append(b, "\\t");
        else if (cp == '\r')
            orm_buf_append(b, "\\r");
        else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            orm_buf_appendf(b, "\\x%02x", (unsigned)cp);
        else if (tui_text_is_control(cp))
            orm_buf_appendf(b, "\\u%04x", (unsigned)cp);
        else
            orm_buf_appendn(b, s + i, (size_t)len);
        i += (size_t)len;
    }
}
