/*
 * orb's config files (INI, read with inih): the system-wide defaults,
 * $XDG_CONFIG_DIRS/orb/config (/etc/xdg/orb/config), then the user's,
 * $XDG_CONFIG_HOME/orb/config; a later file's setting wins.
 *
 *     [keys]
 *     move-down = j Down      ; an action's keys, replacing its defaults
 *     [ui]
 *     theme = light           ; a theme name or path
 *     null = ∅                ; how NULL looks (default NULL)
 *     date_format = %d.%m.%Y  ; dates (strftime; default 2024-01-31)
 *     confirm_write = false   ; w writes without the review screen
 *     page_size = 500         ; rows read per query while browsing
 *     [connection.shop]       ; `orb @shop`
 *     url = postgresql://me@db.example/shop
 *     models = ~/shop/models.ini
 *     read_only = true
 *     connect_timeout = 5     ; as the URL options of the same names,
 *     statement_timeout = 30s ; which win when the URL gives them too
 *
 * Quitting with pending changes always asks: no setting drops them.
 * A key given to an action moves to it from the other actions of the
 * same scope (screen) only: `sort = o` leaves the conflict screen its o.
 * A connection's URL must not hold a password (it comes from the prompt,
 * ORB_PASSWORD, ~/.pgpass or ~/.my.cnf); its models path may start with
 * ~/ and is otherwise relative to the config file, and so is a SQLite
 * URL's relative path (sqlite:///shop.db is the file next to the config). Bad
 * lines, unknown settings and a key bound twice in one scope are reported as
 * "path:line: message" and the rest is still loaded.
 */
#ifndef TUI_CONFIG_H
#define TUI_CONFIG_H

#include <stdio.h>

#include "keymap.h"
#include "orm/sys/buf.h"
#include "paths.h"

/* [ui] page_size's largest value: the window holds about that many rows
 * more, each up to a screen's worth of text per column. */
#define TUI_PAGE_SIZE_MAX      10000
#define TUI_PAGE_SIZE_MAX_TEXT "10000"

/* A [connection.NAME] section. */
typedef struct tui_connection {
    char *name;         /* NAME, owned */
    char *url;          /* as written, owned; NULL when missing or refused
                           (problem told) */
    char *resolved_url; /* url with a relative SQLite path made relative to
                           the config file's directory, owned */
    char *models; /* models file, ~ and relative paths resolved; or NULL */
    int read_only;
    char *connect_timeout;   /* as written (checked), or NULL */
    char *statement_timeout; /* as written (checked), or NULL */
    char *open_url; /* url with the timeouts the URL does not give itself,
                       made by tui_config_use_connection; owned */
    char *where;    /* "path:line" of the section header, owned */
} tui_connection;

typedef struct tui_config {
    char *theme;          /* [ui] theme, owned, or NULL */
    char *theme_where;    /* "path:line" of that setting, owned */
    char *null_text;      /* [ui] null: how NULL looks, owned, or NULL */
    char *date_format;    /* [ui] date_format (strftime), owned, or NULL */
    int write_unreviewed; /* [ui] confirm_write = false: w writes at once */
    size_t page_size;     /* [ui] page_size: rows a browsing query reads at
                             least (0: what the screen needs) */
    tui_connection *connections; /* in the order first defined */
    size_t nconnections;
} tui_config;

/* clang-format off */
#define TUI_CONFIG_INIT {NULL, NULL, NULL, NULL, 0, 0, NULL, 0}
/* clang-format on */

/*
 * Read `path` into `cfg` and `km` (NULL: [keys] is skipped). A missing
 * file is not a problem. Problems are appended to `problems`
 * ("path:line: message\n"); returns their count.
 */
int tui_config_load(tui_config *cfg, tui_keymap *km, const char *path,
                    orm_buf *problems);

/*
 * What tui_config_load does with the file's bytes once read: `len` bytes
 * of `text` (a NUL inside ends its line), problems named as in `path`.
 * Returns the problem count.
 */
int tui_config_parse(tui_config *cfg, tui_keymap *km, const char *text,
                     size_t len, const char *path, orm_buf *problems);

/*
 * Read every config file in order: $XDG_CONFIG_DIRS/orb/config (the
 * least important directory first) and then `user_dir`/config
 * (`user_dir` NULL: tui_config_dir()). Returns the problem count.
 */
int tui_config_load_all(tui_config *cfg, tui_keymap *km, const char *user_dir,
                        orm_buf *problems);

void tui_config_clear(tui_config *cfg);

/* The connection called `name`, or NULL (borrowed). */
const tui_connection *tui_config_connection(const tui_config *cfg,
                                            const char *name);

/*
 * `orb connections`: one line per named connection, "NAME  URL", with
 * "read-only" and "models PATH" after it when set. URLs never hold a
 * password. Returns the exit status (0).
 */
int tui_config_connections_print(const tui_config *cfg, FILE *out);

/*
 * The command line's use of the config: read every config file (without
 * [keys]) into `cfg`, then, when `name` is not NULL (`orb @NAME`), point
 * `opts` at that connection: its URL, its models file unless --models
 * gave one, and read-only when either asks. The strings stay in `cfg`.
 * The URL gets the connection's connect_timeout and statement_timeout
 * unless it gives them itself. Problems in the files go to `err` when
 * `report` is set or the name cannot be used. Returns 0, or 2 (usage error)
 * after one "orb: " line on `err`: an unknown name (with the closest one) or a
 * connection without a usable url.
 */
struct tui_options;
int tui_config_use_connection(tui_config *cfg, struct tui_options *opts,
                              const char *name, int report, FILE *err);
/* The second half of tui_config_use_connection, on a config already
 * read: point `opts` at connection `name` (the same return values and
 * messages). The browser's switch-connection key uses it. */
int tui_config_point_at(tui_config *cfg, struct tui_options *opts,
                        const char *name, FILE *err);

#endif
