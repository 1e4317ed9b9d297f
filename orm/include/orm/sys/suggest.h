/**
 * @file
 * "Did you mean ...?": the one edit distance and the one rule for how far
 * a typo may be from the word that was meant, used by the filter
 * language, the models file and the orb program's commands and config.
 */
#ifndef ORM_SYS_SUGGEST_H
#define ORM_SYS_SUGGEST_H

#include <stddef.h>

#include "orm/api.h"

/**
 * Edits from `a` to `b` (optimal string alignment: a swap of neighbours
 * is one edit, so "ture" is one edit from "true"), ASCII
 * case-insensitive; (size_t)-1 when either word is longer than 64 bytes.
 */
ORM_API size_t orm_edit_distance(const char *a, const char *b);

/**
 * The closest known word that is a plausible typo of `typed`: start with
 * {typed, NULL, 0}, offer each known word to orm_suggest(), then read
 * `best` (NULL when none is close). A typo is at most 1 edit from a word
 * of 3 or 4 letters, 2 from one of up to 8, 3 beyond (counting the longer
 * of the two words); words of 1 or 2 letters must match but for case.
 */
typedef struct orm_suggestion {
    const char *typed; /**< what was typed (borrowed) */
    const char *best;  /**< the closest plausible known word, or NULL */
    size_t distance;   /**< its distance from `typed` */
} orm_suggestion;

/** Offer a known word (borrowed as long as `best` is read). */
ORM_API void orm_suggest(orm_suggestion *sg, const char *known);

#endif
