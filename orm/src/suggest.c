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

/*
 * The distance from a to b when it is at most `max`, else some value
 * above `max`. A row's smallest entry is at least the smaller of the
 * row before's and the one before that plus one (a swap reaches back two
 * rows), so once the last row exceeds `max` and the one before reaches
 * it, every later row, and the distance, exceeds `max` too: the rest is
 * not computed. Words longer than 64 bytes are (size_t)-1 away.
 */
static size_t distance_within(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t rows[3][65];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    size_t prev_min = 0, prev2_min = 0;

    if (la > 64 || lb > 64)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        if (prev_min > max && prev2_min >= max)
            return max + 1;
        int ca = ascii_lower((unsigned char)a[i - 1]);
        size_t row_min = cur[0] = i;
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
            if (best < row_min)
                row_min = best;
        }
        prev2_min = prev_min;
        prev_min = row_min;
        size_t *spare = prev2;
        prev2 = prev;
        prev = cur;
        cur = spare;
    }
    return prev[lb];
}

size_t orm_edit_distance(const char *a, const char *b)
{
    return distance_within(a, b, (size_t)-2);
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
    size_t budget = typo_budget(len > known_len ? len : known_len);
    /* Only a closer word than the best so far counts; the difference in
     * length alone is that many edits. */
    if (sg->best && sg->distance == 0)
        return;
    if (sg->best && sg->distance <= budget)
        budget = sg->distance - 1;
    if ((len > known_len ? len - known_len : known_len - len) > budget)
        return;
    size_t d = distance_within(sg->typed, known, budget);
    if (d <= budget) {
        sg->best = known;
        sg->distance = d;
    }
}
