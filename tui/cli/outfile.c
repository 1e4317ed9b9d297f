/*
 * Writing into the file the user named: symlinks followed, FIFOs and
 * devices written directly, regular files replaced atomically with their
 * mode and owner kept (or copied into when replacing would change them).
 * See outfile.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "mem.h"

#define MAX_LINKS 40 /* as the kernel's own limit on a path's links */

static int fail(orm_buf *err, const char *name, int code)
{
    orm_buf_appendf(err, "cannot write %s: %s", name, strerror(code));
    return -1;
}

/* `path` with every symbolic link of its last component followed (the
 * target need not exist yet). A new string, or NULL with errno set. */
static char *resolve_links(const char *path)
{
    char *cur = tui_strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        char link[PATH_MAX];
        ssize_t n;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur; /* not there (yet) or not a link: this one */
        if (hops == MAX_LINKS) {
            free(cur);
            errno = ELOOP;
            return NULL;
        }
        if ((n = readlink(cur, link, sizeof link - 1)) < 0) {
            free(cur);
            return NULL;
        }
        link[n] = '\0';
        orm_buf next = ORM_BUF_INIT;
        const char *slash = strrchr(cur, '/');
        if (link[0] != '/' && slash) /* relative to the link's directory */
            orm_buf_appendn(&next, cur, (size_t)(slash - cur + 1));
        orm_buf_append(&next, link);
        free(cur);
        if (!(cur = orm_buf_finish(&next)))
            errno = ENOMEM;
    }
    return NULL;
}

/* A new temporary file in `dir` ("" for the current directory) named
 * after `base`; its descriptor, or -1 with errno set. */
static int make_temp(tui_outfile *o, const char *dir, size_t dirlen,
                     const char *base)
{
    orm_buf path = ORM_BUF_INIT;
    if (dirlen)
        orm_buf_appendf(&path, "%.*s/", (int)dirlen, dir);
    orm_buf_appendf(&path, ".%s.orb-XXXXXX", base);
    if (!(o->temp = orm_buf_finish(&path))) {
        errno = ENOMEM;
        return -1;
    }
    int fd = mkstemp(o->temp);
    if (fd < 0) {
        int saved = errno;
        free(o->temp);
        o->temp = NULL;
        errno = saved;
    }
    return fd;
}

/* A private temporary file for the copy case, where the target's own
 * directory cannot take one. */
static int make_spare_temp(tui_outfile *o, const char *base)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    return make_temp(o, tmp, strlen(tmp), base);
}

/* The regular file (or the new file) at o->target: a temporary file that
 * replaces it, or one that is copied into it. */
static int open_replacement(tui_outfile *o, const char *name,
                            const struct stat *old, orm_buf *err)
{
    const char *slash = strrchr(o->target, '/');
    const char *base = slash ? slash + 1 : o->target;
    size_t dirlen = slash ? (size_t)(slash - o->target) : 0;
    if (slash && dirlen == 0)
        dirlen = 1; /* a file in "/" */
    /* Another hard link would keep the old contents after a rename. */
    o->copy = old && old->st_nlink > 1;
    int fd = make_temp(o, o->target, dirlen, base);
    if (fd < 0 && old && (errno == EACCES || errno == EROFS)) {
        /* The directory takes no new file, but the file may be written. */
        if (access(o->target, W_OK) != 0)
            return fail(err, name, errno);
        o->copy = 1;
        fd = make_spare_temp(o, base);
    }
    if (fd < 0)
        return fail(err, name, errno);
    if (!o->copy) {
        int code = 0;
        if (old) {
            if (fchmod(fd, old->st_mode & 07777) != 0)
                code = errno;
            else if (fchown(fd, old->st_uid, old->st_gid) != 0)
                o->copy = 1; /* not ours to give away: copy into it */
        } else {
            mode_t mask = umask(0);
            umask(mask);
            if (fchmod(fd, 0666 & ~mask) != 0)
                code = errno;
        }
        if (code) {
            close(fd);
            unlink(o->temp);
            return fail(err, name, code);
        }
    }
    if (o->copy && access(o->target, W_OK) != 0) {
        int code = errno;
        close(fd);
        unlink(o->temp);
        return fail(err, name, code);
    }
    if (!(o->file = fdopen(fd, "w"))) {
        int code = errno;
        close(fd);
        unlink(o->temp);
        return fail(err, name, code);
    }
    return 0;
}

int tui_outfile_open(tui_outfile *o, const char *name, FILE *out, orm_buf *err)
{
    struct stat st;
    *o = (tui_outfile)TUI_OUTFILE_INIT;
    if (strcmp(name, "-") == 0) {
        o->file = out;
        return 0;
    }
    o->name = name;
    if (!(o->target = resolve_links(name)))
        return fail(err, name, errno);
    int rc;
    if (stat(o->target, &st) != 0) {
        if (errno != ENOENT)
            rc = fail(err, name, errno);
        else
            rc = open_replacement(o, name, NULL, err);
    } else if (S_ISDIR(st.st_mode)) {
        rc = fail(err, name, EISDIR);
    } else if (S_ISREG(st.st_mode)) {
        rc = open_replacement(o, name, &st, err);
    } else {
        /* A FIFO or a device: what the user named gets the rows. */
        int fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || !(o->file = fdopen(fd, "w"))) {
            int code = errno;
            if (fd >= 0)
                close(fd);
            rc = fail(err, name, code);
        } else {
            o->direct = 1;
            rc = 0;
        }
    }
    if (rc != 0) {
        free(o->temp);
        free(o->target);
        *o = (tui_outfile)TUI_OUTFILE_INIT;
    }
    return rc;
}

/* The temporary file's bytes into the target itself. */
static int copy_into_target(tui_outfile *o)
{
    char chunk[65536];
    ssize_t n;
    int in = open(o->temp, O_RDONLY | O_CLOEXEC), code = 0;
    int out = open(o->target, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
    if (in < 0 || out < 0)
        code = errno;
    while (!code && (n = read(in, chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno != EINTR)
                code = errno;
            continue;
        }
        for (ssize_t done = 0; !code && done < n;) {
            ssize_t w = write(out, chunk + done, (size_t)(n - done));
            if (w < 0 && errno != EINTR)
                code = errno;
            else if (w > 0)
                done += w;
        }
    }
    if (!code && fsync(out) != 0)
        code = errno;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && !code)
        code = errno;
    return code;
}

int tui_outfile_finish(tui_outfile *o, int ok, orm_buf *err)
{
    int code = 0;
    if (!o->target) /* standard output, or never opened */
        return 0;
    if (ok && fflush(o->file) != 0)
        code = errno;
    if (ok && !code && ferror(o->file))
        code = EIO;
    if (ok && !code && o->temp && fsync(fileno(o->file)) != 0)
        code = errno;
    if (fclose(o->file) != 0 && ok && !code)
        code = errno;
    o->file = NULL;
    if (ok && !code && o->temp)
        code = o->copy ? copy_into_target(o)
                       : (rename(o->temp, o->target) == 0 ? 0 : errno);
    if (o->temp && (o->copy || !ok || code))
        unlink(o->temp);
    if (ok && code)
        fail(err, o->name, code);
    free(o->temp);
    free(o->target);
    *o = (tui_outfile)TUI_OUTFILE_INIT;
    return ok && code ? -1 : 0;
}
