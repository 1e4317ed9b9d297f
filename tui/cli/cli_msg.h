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
 * usage error that belongs to no command (an unknown command or global
 * option). */
int tui_cli_usage_fail(FILE *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* "orb: MESSAGE (see orb COMMAND --help)\n": a usage error of `command`
 * (its word, "rows"), pointing at that command's own help; returns 2. */
int tui_cli_command_usage_fail(FILE *err, const char *command, const char *fmt,
                               ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
