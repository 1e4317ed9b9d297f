/*
 * The command line's error lines, shared by cli.c and cli_filter.c so
 * every command words its failures the same way: one line on `err`
 * starting with "orb: ", and the exit status scripts rely on.
 */
#ifndef TUI_CLI_MSG_H
#define TUI_CLI_MSG_H

#include <stddef.h>
#include <stdio.h>

/* "orb: MESSAGE\n" on `err`; returns 1, the status of a database or
 * validation error, so a command can `return tui_cli_fail(...)`. */
int tui_cli_fail(FILE *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* "orb: MESSAGE (see orb --help)\n" on `err`; returns 2, the status of a
 * usage error. */
int tui_cli_usage_fail(FILE *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Keeps the closest candidate that is a plausible typo of `typed`, for
 * "did you mean" hints: start with {typed, NULL, 0}, offer each known
 * word to tui_suggest, then read `best` (NULL when none is close). */
typedef struct tui_suggestion {
    const char *typed;
    const char *best;
    size_t distance;
} tui_suggestion;

void tui_suggest(tui_suggestion *sg, const char *candidate);

#endif
