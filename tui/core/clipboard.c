/*
 * The clipboard (clipboard.h): OSC 52 through the screen, and the
 * desktop's clipboard program fed through a pipe under a deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clipboard.h"
#include "orm/error.h"

extern char **environ;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(long deadline)
{
    long left = deadline - now_ms();
    return left > 0 ? (int)left : 0;
}

/* Write all of `text` into the non-blocking `fd` before `deadline`. */
static int feed(int fd, const char *text, size_t len, long deadline)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1; /* EPIPE: it stopped reading */
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (left_ms(deadline) == 0 || poll(&p, 1, left_ms(deadline)) == 0)
            return -1;
    }
    return 0;
}

/* Wait for `pid` until `deadline`, then kill it; always reaped. 1 when
 * it exited with status 0. */
static int reap(pid_t pid, long deadline)
{
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (r < 0 && errno != EINTR)
            return 0;
        if (left_ms(deadline) == 0)
            break;
        poll(NULL, 0, 5);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

/* Run argv with `text` on its standard input, its output to /dev/null.
 * 1 when it took the text, 0 when it failed or is not installed. */
static int run_helper(char *const argv[], const char *text, size_t len)
{
    int in[2];
    pid_t pid;
    posix_spawn_file_actions_t fa;
    struct sigaction ignore, old_pipe;
    long deadline = now_ms() + TUI_CLIPBOARD_WAIT_MS;
    int ok = 0;
    if (pipe(in) != 0)
        return 0;
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    if (posix_spawn_file_actions_init(&fa) != 0) {
        close(in[0]);
        close(in[1]);
        return 0;
    }
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_addclose(&fa, in[0]);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY,
                                     0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY,
                                     0);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    if (rc != 0) { /* not installed */
        close(in[1]);
        return 0;
    }
    /* A program that quits before reading must not kill orb. */
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old_pipe);
    fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
    ok = feed(in[1], text, len, deadline) == 0;
    close(in[1]);
    sigaction(SIGPIPE, &old_pipe, NULL);
    ok = reap(pid, deadline) && ok;
    return ok;
}

int tui_clipboard_copy(tui_screen *scr, const char *text, size_t len,
                       orm_buf *how)
{
    /* posix_spawnp takes char *const argv[]: writable copies. */
    static char wl_name[] = "wl-copy", xclip_name[] = "xclip",
                selection[] = "-selection", clipboard[] = "clipboard";
    static char *const wl_copy[] = {wl_name, NULL};
    static char *const xclip[] = {xclip_name, selection, clipboard, NULL};
    const char *wayland = getenv("WAYLAND_DISPLAY");
    const char *x11 = getenv("DISPLAY");
    char *const *helper = wayland && *wayland ? wl_copy
                          : x11 && *x11       ? xclip
                                              : NULL;
    int osc = 0, desktop = 0;
    if (scr->ops->clipboard) {
        int rc = scr->ops->clipboard(scr, text, len);
        if (rc == ORM_ENOMEM)
            return rc;
        osc = rc == 0;
    }
    if (helper)
        desktop = run_helper(helper, text, len);
    if (osc && desktop)
        orm_buf_appendf(how, "OSC 52 and %s", helper[0]);
    else if (osc)
        orm_buf_append(how, "OSC 52");
    else if (desktop)
        orm_buf_append(how, helper[0]);
    else if (helper)
        orm_buf_appendf(how, "the terminal took nothing and %s failed",
                        helper[0]);
    else
        orm_buf_append(how, "the terminal took nothing");
    if (how->failed)
        return ORM_ENOMEM;
    return osc || desktop ? 0 : ORM_EIO;
}
