/*
 * Driving a private tmux server for the end-to-end tests: start and
 * stop it, send keys, read the screen, wait for text and for the exit
 * status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper_run.h"
#include "helper_tmux.h"

void tmux_init(tmux_term *t, const char *dir)
{
    snprintf(t->sock, sizeof t->sock, "%s/tmux.sock", dir);
    snprintf(t->exit_file, sizeof t->exit_file, "%s/exit", dir);
}

void tmux_start(const tmux_term *t, int width, const char *home,
                const char *command)
{
    remove(t->exit_file);
    if (run_shellf("tmux -S %s -f /dev/null new-session -d -s t -x %d "
                   "-y 30 -e LANG=C.UTF-8 -e TERM=tmux-256color "
                   "-e HOME=%s -e XDG_CONFIG_HOME=%s -e XDG_DATA_HOME=%s "
                   "-e XDG_STATE_HOME=%s "
                   "\"%s; echo \\$? > %s; sleep 600\"",
                   t->sock, width, home, home, home, home, command,
                   t->exit_file) != 0)
        fail_msg("cannot start tmux");
}

void tmux_stop(const tmux_term *t)
{
    run_shellf("tmux -S %s kill-server >/dev/null 2>&1", t->sock);
}

char *tmux_capture(const tmux_term *t, const char *what)
{
    char cmd[300];
    int status;
    snprintf(cmd, sizeof cmd, "tmux -S %s %s 2>/dev/null", t->sock, what);
    return run_shell_output(cmd, &status);
}

char *tmux_screen(const tmux_term *t)
{
    return tmux_capture(t, "capture-pane -p -t t");
}

void tmux_nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Poll until the screen does (`want` 1) or does not (0) show `text`. */
static int screen_wait(const tmux_term *t, const char *text, int want)
{
    for (int waited = 0; waited < TMUX_WAIT_MS; waited += 20) {
        char *s = tmux_screen(t);
        int found = s && strstr(s, text) != NULL;
        free(s);
        if (found == want)
            return 1;
        tmux_nap_ms(20);
    }
    return 0;
}

void tmux_wait_for(const tmux_term *t, const char *text)
{
    if (screen_wait(t, text, 1))
        return;
    /* Which windows there are and what runs in them says whose screen
     * this is when it is not the expected one. */
    char *windows = tmux_capture(
        t, "list-windows -a -F '#{window_index}#{?window_active,*,} "
           "#{pane_current_command} dead=#{pane_dead}'");
    char *s = tmux_screen(t);
    fail_msg("timed out waiting for [%s]; windows:\n%sscreen:\n%s", text,
             windows, s);
    free(windows);
    free(s);
}

void tmux_wait_gone(const tmux_term *t, const char *text)
{
    if (!screen_wait(t, text, 0))
        fail_msg("[%s] stayed on the screen", text);
}

int tmux_wait_exit(const tmux_term *t)
{
    for (int waited = 0; waited < TMUX_WAIT_MS; waited += 20) {
        FILE *f = fopen(t->exit_file, "r");
        int status = -1;
        if (f) {
            if (fscanf(f, "%d", &status) != 1)
                status = -1;
            fclose(f);
        }
        if (status >= 0)
            return status;
        tmux_nap_ms(20);
    }
    char *s = tmux_screen(t);
    fail_msg("orb did not exit; screen:\n%s", s);
    free(s);
    return -1;
}

void tmux_keys(const tmux_term *t, const char *keys)
{
    assert_int_equal(run_shellf("tmux -S %s send-keys -t t %s", t->sock, keys),
                     0);
}

void tmux_type(const tmux_term *t, const char *text)
{
    assert_int_equal(
        run_shellf("tmux -S %s send-keys -t t -l '%s'", t->sock, text), 0);
}

void tmux_resize(const tmux_term *t, int width, int height)
{
    assert_int_equal(run_shellf("tmux -S %s resize-window -t t -x %d -y %d",
                                t->sock, width, height),
                     0);
}
