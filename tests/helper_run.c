/*
 * Running other programs from tests: fork + exec with the output in
 * temporary files (exact stdout, stderr and exit status), and shell
 * commands through popen()/system().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper_run.h"
#include "orm/sys/buf.h"

char *run_fd_read(int fd)
{
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    ssize_t n;
    assert_non_null(text);
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, text + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2) {
            cap *= 2;
            text = realloc(text, cap);
            assert_non_null(text);
        }
    }
    text[len] = '\0';
    return text;
}

run_result run_exec(const char *const *argv, const char *cwd)
{
    char out_path[] = "/tmp/orb-run-out-XXXXXX";
    char err_path[] = "/tmp/orb-run-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path), wstatus;
    run_result r = {0, NULL, NULL};
    size_t nargs = 0;

    assert_true(out_fd >= 0 && err_fd >= 0);
    unlink(out_path);
    unlink(err_path);
    while (argv[nargs])
        nargs++;
    assert_true(nargs > 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* execv wants writable strings: copies, in the child only. */
        char **copy = calloc(nargs + 1, sizeof *copy);
        int null_fd = open("/dev/null", O_RDONLY);
        setsid();
        if (!copy || null_fd < 0 || dup2(null_fd, 0) < 0 ||
            dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0 ||
            (cwd && chdir(cwd) != 0))
            _exit(126);
        for (size_t i = 0; i < nargs; i++)
            copy[i] = strdup(argv[i]);
        execv(copy[0], copy);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    r.status =
        WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    r.out = run_fd_read(out_fd);
    r.err = run_fd_read(err_fd);
    close(out_fd);
    close(err_fd);
    return r;
}

void run_result_free(run_result *r)
{
    if (!r)
        return;
    free(r->out);
    free(r->err);
}

char *run_shell_output(const char *cmd, int *status)
{
    orm_buf out = ORM_BUF_INIT;
    FILE *p = popen(cmd, "r");
    if (p) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
            orm_buf_appendn(&out, chunk, n);
        *status = pclose(p);
    } else {
        *status = -1;
    }
    orm_buf_append(&out, "");
    return orm_buf_finish(&out);
}

int run_shellf(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}
