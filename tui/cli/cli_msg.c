/*
 * The command line's "orb: " error lines and their exit statuses. See
 * cli_msg.h.
 */
#include <stdarg.h>
#include <stdio.h>

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

int tui_cli_command_usage_fail(FILE *err, const char *command, const char *fmt,
                               ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("orb: ", err);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fprintf(err, " (see orb %s --help)\n", command);
    return 2;
}
