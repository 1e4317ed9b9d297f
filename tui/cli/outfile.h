/*
 * Writing into the file the user named (`export --output FILE`) without
 * surprising them:
 *
 *   "-"                 standard output.
 *   a symbolic link     followed: the file it points to is written and
 *                       the link stays a link.
 *   a FIFO, a device    written directly (`/dev/null` stays a device,
 *   or a socket         a FIFO's reader gets the rows).
 *   a regular file,     written to a temporary file beside it that
 *   or nothing yet      replaces it at the end (a reader never sees half
 *                       an export, a failed one leaves the old file),
 *                       with the old file's mode and owner.
 *   a regular file that cannot be replaced without changing it (owned
 *   by someone else, or with other hard links): written to a temporary
 *   file first, then copied into the file itself at the end.
 *
 * The temporary file never outlives a failure: tui_outfile_finish removes
 * it, so callers stop at a signal and finish with ok = 0.
 */
#ifndef TUI_OUTFILE_H
#define TUI_OUTFILE_H

#include <stdio.h>

#include "orm/sys/buf.h"

typedef struct tui_outfile {
    FILE *file;       /* where to write */
    const char *name; /* as the user gave it, for messages */
    char *target;     /* the file finally written (symlinks resolved) */
    char *temp;       /* the temporary file, or NULL when writing directly */
    int copy;         /* at the end copy temp into target instead of renaming */
    int direct;       /* file was opened here on target (FIFO, device) */
} tui_outfile;

#define TUI_OUTFILE_INIT                                                       \
    {                                                                          \
        NULL, NULL, NULL, NULL, 0, 0                                           \
    }

/* Opens `name` for writing as above; `out` is standard output for "-".
 * On failure appends a message naming the file to `err` (no trailing
 * newline) and returns -1, with nothing left on disk. */
int tui_outfile_open(tui_outfile *o, const char *name, FILE *out, orm_buf *err);

/* Puts the output in place (ok) or throws the temporary file away
 * (!ok), and closes what open opened. Returns -1 with a message in `err`
 * when the output could not be completed; 0 otherwise. Safe to call
 * twice and on a tui_outfile that was never opened. */
int tui_outfile_finish(tui_outfile *o, int ok, orm_buf *err);

#endif
