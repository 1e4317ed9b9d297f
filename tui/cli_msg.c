/*
 * The command line's "orb: " error lines and their exit statuses, and
 * "did you mean" suggestions. See cli_msg.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli_msg.h"

/* "orb: ", the message, then `tail` (which ends the line). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 0)))
#endif
static void
message_write(FILE *err, const char *tail, const char *fmt, va_list ap)
{
    fputs("orb: ", err);
    vfprintf(err, fmt, ap);
    fputs(tail, err);
}

int tui_cli_fail(FILE *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message_write(err, "\n", fmt, ap);
    va_end(ap);
    return 1;
}

int tui_cli_usage_fail(FILE *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message_write(err, " (see orb --help)\n", fmt, ap);
    va_end(ap);
    return 2;
}

/* Levenshtein distance, ASCII case-insensitive; SIZE_MAX when long. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[65];
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = (a[i - 1] | 0x20) != (b[j - 1] | 0x20);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void tui_suggest(tui_suggestion *sg, const char *candidate)
{
    size_t len = strlen(sg->typed);
    size_t budget = len <= 2 ? 1 : len <= 5 ? 2 : 3;
    size_t d = edit_distance(sg->typed, candidate);
    if (d <= budget && (!sg->best || d < sg->distance)) {
        sg->best = candidate;
        sg->distance = d;
    }
}
