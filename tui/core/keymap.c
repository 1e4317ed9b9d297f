/*
 * Key bindings from the action table, looked up per scope, rebinding
 * within a scope, and key names.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "keymap.h"
#include "orm/error.h"
#include "screen.h"

#define ACTION_NAME(e, name, scope, keys, help)  name,
#define ACTION_KEYS(e, name, scope, keys, help)  keys,
#define ACTION_HELP(e, name, scope, keys, help)  help,
#define ACTION_SCOPE(e, name, scope, keys, help) TUI_SCOPE_##scope,
#define SCOPE_TITLE(e, title)                    title,
static const char *const action_names[] = {TUI_ACTIONS(ACTION_NAME)};
static const char *const action_keys[] = {TUI_ACTIONS(ACTION_KEYS)};
static const char *const action_help[] = {TUI_ACTIONS(ACTION_HELP)};
static const tui_scope action_scopes[] = {TUI_ACTIONS(ACTION_SCOPE)};
static const char *const scope_titles[] = {TUI_SCOPES(SCOPE_TITLE)};
#undef ACTION_NAME
#undef ACTION_KEYS
#undef ACTION_HELP
#undef ACTION_SCOPE
#undef SCOPE_TITLE

/* What a browsing screen reads; also the chain behind NULL. */
static const tui_scope browse_scopes[] = {TUI_SCOPE_BROWSE, TUI_SCOPE_GLOBAL};

static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"Up", TUI_KEY_UP},
    {"Down", TUI_KEY_DOWN},
    {"Left", TUI_KEY_LEFT},
    {"Right", TUI_KEY_RIGHT},
    {"PgUp", TUI_KEY_PGUP},
    {"PgDn", TUI_KEY_PGDN},
    {"PageUp", TUI_KEY_PGUP},
    {"PageDown", TUI_KEY_PGDN},
    {"Home", TUI_KEY_HOME},
    {"End", TUI_KEY_END},
    {"Enter", TUI_KEY_ENTER},
    {"Return", TUI_KEY_ENTER},
    {"Esc", TUI_KEY_ESC},
    {"Escape", TUI_KEY_ESC},
    {"Tab", TUI_KEY_TAB},
    {"BackTab", TUI_KEY_BTAB},
    {"Space", ' '},
    {"Backspace", TUI_KEY_BACKSPACE},
    {"Delete", TUI_KEY_DELETE},
    {"Del", TUI_KEY_DELETE},
    {"Insert", TUI_KEY_INSERT},
    {"Resize", TUI_KEY_RESIZE},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *tui_action_name(tui_action a)
{
    return a >= 0 && a < TUI_ACTION_COUNT ? action_names[a] : "none";
}

const char *tui_action_help(tui_action a)
{
    return a >= 0 && a < TUI_ACTION_COUNT ? action_help[a] : "";
}

const char *tui_action_default_keys(tui_action a)
{
    return a >= 0 && a < TUI_ACTION_COUNT ? action_keys[a] : "";
}

tui_scope tui_action_scope(tui_action a)
{
    return a >= 0 && a < TUI_ACTION_COUNT ? action_scopes[a] : TUI_SCOPE_GLOBAL;
}

const char *tui_scope_title(tui_scope s)
{
    return s >= 0 && s < TUI_SCOPE_COUNT ? scope_titles[s] : "";
}

tui_action tui_action_parse(const char *name)
{
    for (int i = 0; i < TUI_ACTION_COUNT; i++)
        if (strcasecmp(name, action_names[i]) == 0)
            return (tui_action)i;
    return TUI_ACT_NONE;
}

int tui_key_parse(const char *name)
{
    size_t len = strlen(name);
    utf8proc_int32_t cp;
    if (len == 0)
        return -1;
    /* One character stands for itself. */
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)name,
                                          (utf8proc_ssize_t)len, &cp);
    if (n > 0 && (size_t)n == len && cp >= 32 && cp != 127)
        return cp;
    for (size_t i = 0; i < NELEM(key_names); i++)
        if (strcasecmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    if ((name[0] == 'F' || name[0] == 'f') && len <= 3) {
        int v = 0;
        for (size_t i = 1; i < len; i++) {
            if (name[i] < '0' || name[i] > '9')
                return -1;
            v = v * 10 + (name[i] - '0');
        }
        if (v >= 1 && v <= 12)
            return TUI_KEY_F1 + v - 1;
        return -1;
    }
    /* C-x, Ctrl-x, ^X */
    const char *ch = NULL;
    if (len == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-')
        ch = name + 2;
    else if (len == 6 && strncasecmp(name, "Ctrl-", 5) == 0)
        ch = name + 5;
    else if (len == 2 && name[0] == '^')
        ch = name + 1;
    if (ch) {
        char c = *ch;
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 1;
        if (c >= 'A' && c <= 'Z')
            return c - 'A' + 1;
    }
    return -1;
}

void tui_key_name(int key, char *out, size_t size)
{
    for (size_t i = 0; i < NELEM(key_names); i++) {
        if (key_names[i].key == key) {
            snprintf(out, size, "%s", key_names[i].name);
            return;
        }
    }
    if (key >= TUI_KEY_F1 && key <= TUI_KEY_F12) {
        snprintf(out, size, "F%d", key - TUI_KEY_F1 + 1);
    } else if (key >= 1 && key <= 26) {
        snprintf(out, size, "C-%c", 'a' + key - 1);
    } else if (key > 32 && key < TUI_KEY_SPECIAL) {
        utf8proc_uint8_t buf[8];
        utf8proc_ssize_t n = utf8proc_encode_char(key, buf);
        snprintf(out, size, "%.*s", (int)n, (const char *)buf);
    } else {
        snprintf(out, size, "?");
    }
}

#define KEYS_MAX 16

/* Parse a key list into codes; the bad name goes to `bad`. */
static int parse_keys(const char *keys, int *codes, size_t *n, char *bad,
                      size_t size)
{
    const char *p = keys;
    *n = 0;
    while (*p) {
        char name[32];
        size_t len = 0;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        while (p[len] && p[len] != ' ' && p[len] != '\t' &&
               !(p[len] == ',' && len > 0))
            len++;
        if (len >= sizeof name || *n == KEYS_MAX) {
            snprintf(bad, size, "%.*s", (int)(len < 24 ? len : 24), p);
            return ORM_EPARSE;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        int code = tui_key_parse(name);
        if (code < 0) {
            snprintf(bad, size, "%s", name);
            return ORM_EPARSE;
        }
        codes[(*n)++] = code;
        p += len;
    }
    return 0;
}

/* Does binding a key to an action of scope `to` take it from an action
 * of scope `from`? Within a scope, and between a scope and global. */
static int takes_from(tui_scope to, tui_scope from)
{
    return to == from || to == TUI_SCOPE_GLOBAL || from == TUI_SCOPE_GLOBAL;
}

/* Drop the bindings of `key` that an action of scope `to` takes. */
static void unbind_key(tui_keymap *km, int key, tui_scope to)
{
    size_t j = 0;
    for (size_t i = 0; i < km->count; i++)
        if (km->bindings[i].key != key ||
            !takes_from(to, action_scopes[km->bindings[i].action]))
            km->bindings[j++] = km->bindings[i];
    km->count = j;
}

static void unbind_action(tui_keymap *km, tui_action action)
{
    size_t j = 0;
    for (size_t i = 0; i < km->count; i++)
        if (km->bindings[i].action != action)
            km->bindings[j++] = km->bindings[i];
    km->count = j;
}

int tui_keymap_bind(tui_keymap *km, tui_action action, const char *keys,
                    char *bad, size_t size)
{
    int codes[KEYS_MAX];
    size_t n;
    int rc = parse_keys(keys, codes, &n, bad, size);
    if (rc)
        return rc;
    unbind_action(km, action);
    for (size_t i = 0; i < n; i++) {
        unbind_key(km, codes[i], action_scopes[action]);
        if (km->count < TUI_KEYMAP_MAX)
            km->bindings[km->count++] = (tui_binding){codes[i], action};
    }
    km->rebound[action] = 1;
    return 0;
}

int tui_keymap_clashes(const tui_keymap *km, tui_action action,
                       const char *keys, orm_buf *out)
{
    int codes[KEYS_MAX];
    size_t n;
    char bad[32];
    int found = 0;
    tui_scope to = action_scopes[action];
    if (parse_keys(keys, codes, &n, bad, sizeof bad))
        return 0;
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < km->count; i++) {
            tui_action other = km->bindings[i].action;
            tui_scope from = action_scopes[other];
            char name[32];
            if (km->bindings[i].key != codes[k] || other == action ||
                !km->rebound[other] || !takes_from(to, from))
                continue;
            tui_key_name(codes[k], name, sizeof name);
            if (found++)
                orm_buf_append(out, "; ");
            if (to == from)
                orm_buf_appendf(out,
                                "key '%s' bound twice in %s: %s takes "
                                "it from %s",
                                name, scope_titles[to], action_names[action],
                                action_names[other]);
            else
                orm_buf_appendf(out,
                                "key '%s' bound twice: %s (%s) takes "
                                "it from %s (%s)",
                                name, action_names[action], scope_titles[to],
                                action_names[other], scope_titles[from]);
        }
    }
    return found;
}

void tui_keymap_default(tui_keymap *km)
{
    char bad[32];
    km->count = 0;
    memset(km->rebound, 0, sizeof km->rebound);
    for (int i = 0; i < TUI_ACTION_COUNT; i++) {
        int codes[KEYS_MAX];
        size_t n;
        if (parse_keys(action_keys[i], codes, &n, bad, sizeof bad))
            continue;
        for (size_t k = 0; k < n && km->count < TUI_KEYMAP_MAX; k++)
            km->bindings[km->count++] = (tui_binding){codes[k], (tui_action)i};
    }
}

tui_action tui_keymap_get(const tui_keymap *km, tui_scope scope, int key)
{
    for (size_t i = 0; i < km->count; i++)
        if (km->bindings[i].key == key &&
            action_scopes[km->bindings[i].action] == scope)
            return km->bindings[i].action;
    return TUI_ACT_NONE;
}

tui_action tui_keymap_lookup_exact(const tui_keymap *km,
                                   const tui_scope *scopes, int key)
{
    if (!scopes)
        scopes = browse_scopes;
    /* The list ends with global; no list is longer than every scope. */
    for (int i = 0; i < TUI_SCOPE_COUNT; i++) {
        tui_action a = tui_keymap_get(km, scopes[i], key);
        if (a != TUI_ACT_NONE)
            return a;
        if (scopes[i] == TUI_SCOPE_GLOBAL)
            break;
    }
    return TUI_ACT_NONE;
}

tui_action tui_keymap_lookup_in(const tui_keymap *km, const tui_scope *scopes,
                                int key)
{
    tui_action a = tui_keymap_lookup_exact(km, scopes, key);
    return a == TUI_ACT_CANCEL ? TUI_ACT_BACK : a;
}

tui_action tui_keymap_lookup(const tui_keymap *km, int key)
{
    return tui_keymap_lookup_in(km, browse_scopes, key);
}

void tui_keymap_describe(const tui_keymap *km, tui_action action, orm_buf *out)
{
    int first = 1;
    for (size_t i = 0; i < km->count; i++) {
        char name[32];
        if (km->bindings[i].action != action)
            continue;
        tui_key_name(km->bindings[i].key, name, sizeof name);
        if (!first)
            orm_buf_append(out, " ");
        orm_buf_append(out, name);
        first = 0;
    }
}
