/*
 * The user's config, $XDG_CONFIG_HOME/orb/config (INI, read with inih):
 *
 *     [keys]
 *     move-down = j Down      # an action's keys, replacing its defaults
 *     [ui]
 *     theme = light           # a theme name or path
 *
 * A key given to an action moves to it from the other actions of the
 * same scope (screen) only: `sort = o` leaves the conflict screen its o.
 * Bad lines, and a key bound twice in one scope, are reported as
 * "path:line: message" and the rest is still loaded.
 */
#ifndef TUI_CONFIG_H
#define TUI_CONFIG_H

#include "keymap.h"
#include "paths.h"
#include "orm/sys/buf.h"

typedef struct tui_config {
    char *theme; /* [ui] theme, owned, or NULL */
} tui_config;

/* clang-format off */
#define TUI_CONFIG_INIT {NULL}
/* clang-format on */

/*
 * Read `path` into `cfg` and `km`. A missing file is not a problem.
 * Problems are appended to `problems` ("path:line: message\n"); returns
 * their count.
 */
int tui_config_load(tui_config *cfg, tui_keymap *km, const char *path,
                    orm_buf *problems);
void tui_config_clear(tui_config *cfg);

#endif
