/*
 * Typo suggestions (orm/sys/suggest.h): optimal string alignment distance
 * and the length-based budget of edits a typo may have.
 */
#include <string.h>

#include "orm/sys/suggest.h"

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

size_t orm_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t rows[3][65];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (la > 64 || lb > 64)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        int ca = ascii_lower((unsigned char)a[i - 1]);
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int cb = ascii_lower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == ascii_lower((unsigned char)b[j - 2]) &&
                ascii_lower((unsigned char)a[i - 2]) == cb &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *spare = prev2;
        prev2 = prev;
        prev = cur;
        cur = spare;
    }
    return prev[lb];
}

/* How many edits still count as a typo of a word of this length. */
static size_t typo_budget(size_t len)
{
    if (len <= 2)
        return 0;
    if (len <= 4)
        return 1;
    if (len <= 8)
        return 2;
    return 3;
}

void orm_suggest(orm_suggestion *sg, const char *known)
{
    size_t len = strlen(sg->typed), known_len = strlen(known);
    size_t d = orm_edit_distance(sg->typed, known);
    if (d <= typo_budget(len > known_len ? len : known_len) &&
        (!sg->best || d < sg->distance)) {
        sg->best = known;
        sg->distance = d;
    }
}
