/*
 * The $VISUAL / $EDITOR round trip for long text and JSON: the text goes
 * into a private temporary file (mode 0600, removed afterwards whatever
 * happens), the terminal is handed to the editor (run through sh, so
 * "code --wait" works, as git runs it) and taken back, and the file is
 * read again. While the editor runs, Ctrl-C belongs to it, not to orb.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edit.h"

#define EDIT_MAX (64u << 20) /* bytes read back at most */

static const char *editor_command(void)
{
    const char *e = getenv("VISUAL");
    if (e && *e)
        return e;
    e = getenv("EDITOR");
    if (e && *e)
        return e;
    return "vi";
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_file(const char *path, char **out, size_t *len)
{
    orm_buf b = ORM_BUF_INIT;
    char chunk[8192];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            orm_buf_free(&b);
            return -1;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > EDIT_MAX) {
            close(fd);
            orm_buf_free(&b);
            errno = EFBIG;
            return -1;
        }
        orm_buf_appendn(&b, chunk, (size_t)n);
    }
    close(fd);
    orm_buf_append(&b, "");
    *len = b.len;
    *out = orm_buf_finish(&b);
    return *out ? 0 : -1;
}

/* Run `command "$path"` through sh and wait for it; SIGINT and SIGQUIT
 * go to the editor only (as system() does). Returns the wait status, or
 * -1. */
static int run_editor(const char *command, const char *path)
{
    struct sigaction ignore, old_int, old_quit;
    int status = -1;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execl("/bin/sh", "sh", "-c", "eval \"$0 \\\"\\$1\\\"\"", command, path,
              (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                status = -1;
                break;
            }
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    return status;
}

int tui_editor_run(tui_app *app, const char *text, size_t len,
                   const char *suffix, char **out, orm_error *err)
{
    const char *dir = getenv("TMPDIR");
    const char *command = editor_command();
    orm_buf path = ORM_BUF_INIT;
    char *result = NULL;
    size_t result_len = 0;
    int fd = -1, rc = 0, status;
    *out = NULL;
    if (!dir || !*dir)
        dir = "/tmp";
    orm_buf_appendf(&path, "%s/orb-edit-XXXXXX%s", dir, suffix ? suffix : "");
    if (!orm_buf_str(&path))
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    fd = mkstemps(path.data, suffix ? (int)strlen(suffix) : 0);
    if (fd < 0) {
        rc = orm_error_set(err, ORM_EIO,
                           "cannot make a temporary file in "
                           "%s: %s",
                           dir, strerror(errno));
        orm_buf_free(&path);
        return rc;
    }
    fchmod(fd, S_IRUSR | S_IWUSR);
    if (write_all(fd, text, len) != 0) {
        rc = orm_error_set(err, ORM_EIO,
                           "cannot write the temporary file: "
                           "%s",
                           strerror(errno));
        close(fd);
        goto done;
    }
    close(fd);
    if (app->screen->ops->suspend)
        app->screen->ops->suspend(app->screen);
    status = run_editor(command, path.data);
    if (app->screen->ops->resume)
        app->screen->ops->resume(app->screen);
    if (status == -1) {
        rc = orm_error_set(err, ORM_EIO, "cannot run the editor (%s): %s",
                           command, strerror(errno));
        goto done;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        rc = orm_error_set(
            err, ORM_EIO, "the editor (%s) %s %d: the field is unchanged",
            command,
            WIFEXITED(status) ? "exited with status" : "was stopped by signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        goto done;
    }
    if (read_file(path.data, &result, &result_len) != 0) {
        rc = orm_error_set(err, ORM_EIO, "cannot read the edited text: %s",
                           strerror(errno));
        goto done;
    }
    /* Editors end the last line; the field did not have that newline. */
    if (result_len > 0 && result[result_len - 1] == '\n' &&
        !(len > 0 && text[len - 1] == '\n')) {
        result[--result_len] = '\0';
        if (result_len > 0 && result[result_len - 1] == '\r')
            result[--result_len] = '\0';
    }
    *out = result;
    result = NULL;
done:
    unlink(path.data);
    free(result);
    orm_buf_free(&path);
    return rc;
}
