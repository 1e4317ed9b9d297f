/* Where orb keeps its files: XDG data and config directories. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "orm/sys/buf.h"
#include "paths.h"

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

char *tui_config_dir(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    orm_buf b = ORM_BUF_INIT;
    if (xdg && *xdg)
        orm_buf_appendf(&b, "%s/orb", xdg);
    else if (home && *home)
        orm_buf_appendf(&b, "%s/.config/orb", home);
    else
        return NULL;
    return orm_buf_finish(&b);
}
