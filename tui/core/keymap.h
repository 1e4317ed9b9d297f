/*
 * The keymap: which key runs which action, per scope (actions.h). It
 * starts from the defaults in actions.h; the config can rebind an
 * action's keys. Also key names both ways ("PgDn" <-> TUI_KEY_PGDN) for
 * the config and the help.
 */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H

#include <stddef.h>

#include "actions.h"
#include "orm/sys/buf.h"

#define TUI_KEYMAP_MAX 256

/* The scope of a binding is its action's (tui_action_scope). */
typedef struct tui_binding {
    int key;
    tui_action action;
} tui_binding;

typedef struct tui_keymap {
    tui_binding bindings[TUI_KEYMAP_MAX];
    size_t count;
    /* Actions whose keys tui_keymap_bind set (the user's, not defaults):
     * taking a key from one of them is a mistake worth reporting. */
    unsigned char rebound[TUI_ACTION_COUNT];
} tui_keymap;

const char *tui_action_name(tui_action a);
const char *tui_action_help(tui_action a);
const char *tui_action_default_keys(tui_action a);
/* TUI_SCOPE_GLOBAL for TUI_ACT_NONE. */
tui_scope tui_action_scope(tui_action a);
/* TUI_ACT_NONE when unknown. */
tui_action tui_action_parse(const char *name);
/* The scope's heading on the help screen ("Filter builder"). */
const char *tui_scope_title(tui_scope s);

/* The defaults from actions.h. */
void tui_keymap_default(tui_keymap *km);
/* The action bound to `key` in exactly `scope`, or TUI_ACT_NONE. */
tui_action tui_keymap_get(const tui_keymap *km, tui_scope scope, int key);
/*
 * The action `key` runs on a screen that reads the keys of `scopes`, its
 * own scope first, then the ones it borrows, in order; the list ends
 * with TUI_SCOPE_GLOBAL, tried last. NULL stands for a browsing screen
 * (browse, then global). TUI_ACT_NONE when no scope binds the key.
 * A key bound to cancel (Esc) reads as back here: only the app's key
 * dispatch tells the two apart (tui_keymap_lookup_exact), so a screen
 * reading keys itself goes back on Esc as it always did.
 */
tui_action tui_keymap_lookup_in(const tui_keymap *km, const tui_scope *scopes,
                                int key);
/* tui_keymap_lookup_in, but cancel stays cancel (Esc never quits). */
tui_action tui_keymap_lookup_exact(const tui_keymap *km,
                                   const tui_scope *scopes, int key);
/* The action of `key` on the browsing screens (browse, then global). */
tui_action tui_keymap_lookup(const tui_keymap *km, int key);
/*
 * Bind `keys` (space-separated key names) to an action, replacing its
 * keys. A key moves here from the other actions of the same scope and
 * from a global action; a global action takes it from every scope (a
 * global key works on every screen). Other scopes keep the key. Returns
 * 0, or ORM_EPARSE with the bad key name in `bad` (size bytes) and
 * nothing changed.
 */
int tui_keymap_bind(tui_keymap *km, tui_action action, const char *keys,
                    char *bad, size_t size);
/*
 * What binding `keys` to `action` would take from actions whose keys
 * tui_keymap_bind set before, that is, a key the user binds twice in
 * one scope (or in a scope and globally): "key 'o' bound twice in
 * Browsing: refresh takes it from sort", one per key, joined by "; ",
 * appended to `out`. Returns how many; 0 also when `keys` does not parse
 * (tui_keymap_bind says why).
 */
int tui_keymap_clashes(const tui_keymap *km, tui_action action,
                       const char *keys, orm_buf *out);
/* The keys of an action as names joined by " " (appended to out). */
void tui_keymap_describe(const tui_keymap *km, tui_action action, orm_buf *out);

/* A key name to a key code, or -1. */
int tui_key_parse(const char *name);
/* A key code as its name (into out, at least 16 bytes). */
void tui_key_name(int key, char *out, size_t size);

#endif
