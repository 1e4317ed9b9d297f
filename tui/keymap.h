/*
 * The keymap: which key runs which action. It starts from the defaults
 * in actions.h; the config can rebind an action's keys. Also key names
 * both ways ("PgDn" <-> TUI_KEY_PGDN) for the config and the help.
 */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H

#include <stddef.h>

#include "actions.h"
#include "orm/sys/buf.h"

#define TUI_KEYMAP_MAX 256

typedef struct tui_binding {
    int key;
    tui_action action;
} tui_binding;

typedef struct tui_keymap {
    tui_binding bindings[TUI_KEYMAP_MAX];
    size_t count;
} tui_keymap;

const char *tui_action_name(tui_action a);
const char *tui_action_help(tui_action a);
const char *tui_action_default_keys(tui_action a);
/* TUI_ACT_NONE when unknown. */
tui_action tui_action_parse(const char *name);

/* The defaults from actions.h. */
void tui_keymap_default(tui_keymap *km);
/* TUI_ACT_NONE when the key is not bound. */
tui_action tui_keymap_lookup(const tui_keymap *km, int key);
/*
 * Bind `keys` (space-separated key names) to an action, replacing its
 * keys; a key bound to another action moves here. Returns 0, or
 * ORM_EPARSE with the bad key name in `bad` (size bytes) and nothing
 * changed.
 */
int tui_keymap_bind(tui_keymap *km, tui_action action, const char *keys,
                    char *bad, size_t size);
/* The keys of an action as names joined by ", " (appended to out). */
void tui_keymap_describe(const tui_keymap *km, tui_action action, orm_buf *out);

/* A key name to a key code, or -1. */
int tui_key_parse(const char *name);
/* A key code as its name (into out, at least 16 bytes). */
void tui_key_name(int key, char *out, size_t size);

#endif
