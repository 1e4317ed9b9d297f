/*
 * Where orb keeps its files, by the XDG base directory rules, in one
 * place: config in $XDG_CONFIG_HOME/orb (~/.config/orb) over the
 * system-wide $XDG_CONFIG_DIRS/orb (/etc/xdg/orb); data (the state
 * database with saved filters and filter history, the demo database) in
 * $XDG_DATA_HOME/orb (~/.local/share/orb); shipped data (themes) also in
 * the install's share/orb and $XDG_DATA_DIRS/orb; state (recovery
 * journals) in $XDG_STATE_HOME/orb (~/.local/state/orb). Relative values
 * are ignored, as the rules say.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "orm/sys/buf.h"
#include "paths.h"

#ifndef ORB_DATA_FROM_BINDIR
#define ORB_DATA_FROM_BINDIR "../share/orb"
#endif

int tui_make_dirs(const char *dir, orm_error *err)
{
    char *path = orm_strdup(dir);
    int rc = 0;
    if (!path)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            rc = orm_error_set(err, ORM_EIO, "cannot create directory '%s': %s",
                               path, strerror(errno));
            break;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(path);
    return rc;
}

int tui_data_path(char **out, const char *file, orm_error *err)
{
    const char *data_home = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    orm_buf dir = ORM_BUF_INIT;
    *out = NULL;
    /* The XDG spec says relative values are to be ignored. */
    if (data_home && data_home[0] == '/')
        orm_buf_appendf(&dir, "%s/orb", data_home);
    else if (home && *home)
        orm_buf_appendf(&dir, "%s/.local/share/orb", home);
    else
        return orm_error_set(err, ORM_EINVALID,
                             "neither XDG_DATA_HOME nor HOME is set: cannot "
                             "find orb's data directory");
    const char *d = orm_buf_str(&dir);
    int rc = d ? tui_make_dirs(d, err)
               : orm_error_set(err, ORM_ENOMEM, "out of memory");
    if (rc == 0) {
        orm_buf_appendf(&dir, "/%s", file);
        if (!(*out = orm_buf_finish(&dir)))
            rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
    }
    orm_buf_free(&dir);
    return rc;
}

int tui_state_dir(char **out, orm_error *err)
{
    const char *state_home = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    orm_buf dir = ORM_BUF_INIT;
    *out = NULL;
    if (state_home && state_home[0] == '/')
        orm_buf_appendf(&dir, "%s/orb", state_home);
    else if (home && *home)
        orm_buf_appendf(&dir, "%s/.local/state/orb", home);
    else
        return orm_error_set(err, ORM_EINVALID,
                             "neither XDG_STATE_HOME nor HOME is set: cannot "
                             "find orb's state directory");
    const char *d = orm_buf_str(&dir);
    int rc = d ? tui_make_dirs(d, err)
               : orm_error_set(err, ORM_ENOMEM, "out of memory");
    if (rc == 0 && !(*out = orm_buf_finish(&dir)))
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
    orm_buf_free(&dir);
    return rc;
}

char *tui_config_dir(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    orm_buf b = ORM_BUF_INIT;
    if (xdg && xdg[0] == '/')
        orm_buf_appendf(&b, "%s/orb", xdg);
    else if (home && *home)
        orm_buf_appendf(&b, "%s/.config/orb", home);
    else
        return NULL;
    return orm_buf_finish(&b);
}

/* Append `dir` to the list; 0, or -1 when out of memory. */
static int dirs_add(char ***dirs, size_t *n, char *dir)
{
    char **grown = dir ? tui_realloc(*dirs, (*n + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(dir);
        return -1;
    }
    grown[(*n)++] = dir;
    *dirs = grown;
    return 0;
}

int tui_config_dirs(char ***out, size_t *n, const char *user_dir)
{
    const char *system = getenv("XDG_CONFIG_DIRS");
    char **dirs = NULL;
    size_t count = 0;
    int rc = 0;
    if (!system || !*system)
        system = "/etc/xdg";
    /* The list is most important first; read it the other way round so
     * the more important file's settings come later and win. */
    for (const char *end = system + strlen(system); rc == 0 && end > system;) {
        const char *start = end;
        while (start > system && start[-1] != ':')
            start--;
        if (start[0] == '/' && end > start) {
            orm_buf b = ORM_BUF_INIT;
            orm_buf_appendf(&b, "%.*s/orb", (int)(end - start), start);
            rc = dirs_add(&dirs, &count, orm_buf_finish(&b));
        }
        end = start > system ? start - 1 : start;
    }
    if (rc == 0) {
        char *user = user_dir ? orm_strdup(user_dir) : tui_config_dir();
        if (user || user_dir)
            rc = dirs_add(&dirs, &count, user);
    }
    if (rc != 0) {
        for (size_t i = 0; i < count; i++)
            free(dirs[i]);
        free(dirs);
        return ORM_ENOMEM;
    }
    *out = dirs;
    *n = count;
    return 0;
}

/* The directory of the running program (from /proc/self/exe), or NULL. */
static char *exe_dir(void)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0 || (size_t)n >= sizeof path - 1)
        return NULL;
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return orm_strdup(path[0] ? path : "/");
}

/* Append the text of `b` to a NULL-terminated list. */
static int dirs_push(char ***dirs, size_t *n, orm_buf *b)
{
    char *dir = orm_buf_finish(b);
    char **grown = dir ? tui_realloc(*dirs, (*n + 2) * sizeof **dirs) : NULL;
    if (!grown) {
        free(dir);
        return ORM_ENOMEM;
    }
    grown[(*n)++] = dir;
    grown[*n] = NULL;
    *dirs = grown;
    return 0;
}

int tui_data_dirs(char ***out, orm_error *err)
{
    const char *data_home = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    const char *data_dirs = getenv("XDG_DATA_DIRS");
    char *bin = exe_dir();
    char **dirs = tui_calloc(1, sizeof *dirs);
    size_t n = 0;
    orm_buf b = ORM_BUF_INIT;
    int rc = dirs ? 0 : ORM_ENOMEM;

    /* The XDG spec says relative values are to be ignored. */
    if (rc == 0 && data_home && data_home[0] == '/') {
        orm_buf_appendf(&b, "%s/orb", data_home);
        rc = dirs_push(&dirs, &n, &b);
    } else if (rc == 0 && home && *home) {
        orm_buf_appendf(&b, "%s/.local/share/orb", home);
        rc = dirs_push(&dirs, &n, &b);
    }
    if (rc == 0 && bin) {
        orm_buf_appendf(&b, "%s/%s", bin, ORB_DATA_FROM_BINDIR);
        rc = dirs_push(&dirs, &n, &b);
    }
    if (!data_dirs || !*data_dirs)
        data_dirs = "/usr/local/share:/usr/share";
    for (const char *p = data_dirs; rc == 0 && *p;) {
        size_t len = strcspn(p, ":");
        if (p[0] == '/') {
            orm_buf_appendf(&b, "%.*s/orb", (int)len, p);
            rc = dirs_push(&dirs, &n, &b);
        }
        p += len + (p[len] == ':');
    }
    /* A build tree: build/orb next to build/themes. */
    if (rc == 0 && bin) {
        orm_buf_append(&b, bin);
        rc = dirs_push(&dirs, &n, &b);
    }
    orm_buf_free(&b);
    free(bin);
    if (rc) {
        tui_dirs_free(dirs);
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    }
    *out = dirs;
    return 0;
}

void tui_dirs_free(char **dirs)
{
    if (!dirs)
        return;
    for (char **d = dirs; *d; d++)
        free(*d);
    free(dirs);
}
