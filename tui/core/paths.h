/* Where orb keeps its files: XDG data and config directories (paths.c). */
#ifndef TUI_PATHS_H
#define TUI_PATHS_H

#include <stddef.h>

#include "orm/error.h"

/*
 * The path of `file` inside orb's data directory ($XDG_DATA_HOME/orb, or
 * ~/.local/share/orb when unset or relative), creating the directories
 * (mode 0700) when missing. Owned string in *out.
 */
int tui_data_path(char **out, const char *file, orm_error *err);

/*
 * orb's state directory ($XDG_STATE_HOME/orb, or ~/.local/state/orb when
 * unset or relative: the recovery journals), created (mode 0700) when
 * missing. Owned string in *out.
 */
int tui_state_dir(char **out, orm_error *err);

/* $XDG_CONFIG_HOME/orb, else $HOME/.config/orb; owned, NULL if neither
 * variable is set. */
char *tui_config_dir(void);

/*
 * The directories orb reads config files from, in reading order: each of
 * $XDG_CONFIG_DIRS (default /etc/xdg) + "/orb", least important first,
 * then `user_dir` (NULL: tui_config_dir(), left out when that is NULL).
 * The owned array and strings go to *out (free each, then the array).
 */
int tui_config_dirs(char ***out, size_t *n, const char *user_dir);

/*
 * Where orb's data files (themes) may be, most important first: a
 * NULL-terminated array of owned directory names (tui_dirs_free):
 *   $XDG_DATA_HOME/orb (~/.local/share/orb when unset or relative);
 *   the install's own share/orb, found from the running program
 *   (/proc/self/exe, then ../share/orb), so an install can be moved;
 *   DIR/orb for each DIR of $XDG_DATA_DIRS (/usr/local/share:/usr/share);
 *   the program's own directory, where a build tree keeps a copy of the
 *   themes (build/themes).
 * Directories need not exist. Only ORM_ENOMEM can fail.
 */
int tui_data_dirs(char ***out, orm_error *err);
void tui_dirs_free(char **dirs);

/* Create every missing directory of `dir` (mode 0700). */
int tui_make_dirs(const char *dir, orm_error *err);

#endif
