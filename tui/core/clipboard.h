/*
 * The clipboard: text copied from the grid (y, Y) goes to the terminal
 * (OSC 52 through the screen: the terminal or tmux keeps it, over SSH
 * too) and, on a desktop, to the clipboard program there: wl-copy when
 * $WAYLAND_DISPLAY is set, xclip when $DISPLAY is. A program that is
 * not installed is skipped; one that does not take the text and exit
 * within TUI_CLIPBOARD_WAIT_MS is killed and reaped, so orb never waits
 * on it longer and leaves no zombie.
 */
#ifndef TUI_CLIPBOARD_H
#define TUI_CLIPBOARD_H

#include <stddef.h>

#include "orm/sys/buf.h"
#include "screen.h"

#define TUI_CLIPBOARD_WAIT_MS 1000

/*
 * Copy `len` bytes of `text`. `how` gets where it went ("OSC 52",
 * "OSC 52 and xclip"), or, when nothing took it, why. 0 when something
 * took it, else ORM_EIO (ORM_ENOMEM without memory).
 */
int tui_clipboard_copy(tui_screen *scr, const char *text, size_t len,
                       orm_buf *how);

#endif
