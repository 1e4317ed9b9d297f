/* Where orb keeps its files: XDG data and config directories. */
#ifndef TUI_PATHS_H
#define TUI_PATHS_H

#include "orm/error.h"

/*
 * The path of `file` inside orb's data directory ($XDG_DATA_HOME/orb, or
 * ~/.local/share/orb when unset or relative), creating the directories
 * (mode 0700) when missing. Owned string in *out.
 */
int tui_data_path(char **out, const char *file, orm_error *err);

/* $XDG_CONFIG_HOME/orb, else $HOME/.config/orb; owned, NULL if neither
 * variable is set. */
char *tui_config_dir(void);

/* Create every missing directory of `dir` (mode 0700). */
int tui_make_dirs(const char *dir, orm_error *err);

#endif
