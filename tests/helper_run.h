/*
 * Test helpers (compiled into every test program) that run another
 * program and keep what it printed: a child whose stdout and stderr go
 * to temporary files, or a shell command read through a pipe. They fail
 * the running cmocka test when the machine refuses (no fork, no temp
 * file), so a test never compares against output that was not taken.
 */
#ifndef HELPER_RUN_H
#define HELPER_RUN_H

typedef struct run_result {
    int status; /* exit status, or 128 + signal */
    char *out;
    char *err;
} run_result;

/* All of `fd` from its start, NUL-terminated; the caller frees it. The
 * descriptor stays open. */
char *run_fd_read(int fd);

/* Run argv[0] (a path, no $PATH search) with the NULL-terminated argv,
 * in directory `cwd` (NULL: this one), stdin from /dev/null and in a new
 * session, so a prompt for a password can never hang the test. Waits for
 * it; free the result with run_result_free. */
run_result run_exec(const char *const *argv, const char *cwd);

void run_result_free(run_result *r);

/* Run `cmd` with /bin/sh and return its stdout (never NULL unless out of
 * memory); *status is what pclose() says, -1 when it did not start. */
char *run_shell_output(const char *cmd, int *status);

/* Run the shell command made from `fmt`; what system() returns. The
 * command is cut at 1023 bytes. */
int run_shellf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
