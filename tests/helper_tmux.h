/*
 * Test helpers (compiled into every test program) for the end-to-end
 * tests: the real `orb` in a real pseudo-terminal, a private tmux server
 * with one window `t`, typed at like a person. Waits poll the screen for
 * text and fail the running cmocka test after TMUX_WAIT_MS, never sleep
 * a fixed time, so a slow machine is only slower.
 */
#ifndef HELPER_TMUX_H
#define HELPER_TMUX_H

#define TMUX_WAIT_MS 10000

typedef struct tmux_term {
    char sock[128];      /* the private server's socket */
    char exit_file[128]; /* the shell writes the program's exit status */
} tmux_term;

/* Socket and exit file inside `dir` (a test's temporary directory). */
void tmux_init(tmux_term *t, const char *dir);

/* Start the server: a width x 30 window whose shell runs `command` (shell
 * text, double quotes escaped) with LANG=C.UTF-8, TERM=tmux-256color and
 * HOME = XDG_CONFIG_HOME = XDG_DATA_HOME = XDG_STATE_HOME = `home`, so no
 * user settings (nor ~/.terminfo, ~/.my.cnf) leak in and no journal leaks
 * out;
 * then writes the exit status to t->exit_file and stays, so the last
 * screen can still be read. A stale exit file is removed first. */
void tmux_start(const tmux_term *t, int width, const char *home,
                const char *command);
/* Kill the server and everything in it; quiet if it is already gone. */
void tmux_stop(const tmux_term *t);

/* The output of `tmux -S SOCK what`; the caller frees it. */
char *tmux_capture(const tmux_term *t, const char *what);
/* The visible text of the window; the caller frees it. */
char *tmux_screen(const tmux_term *t);

/* Wait until the screen shows `text` / no longer shows it. */
void tmux_wait_for(const tmux_term *t, const char *text);
void tmux_wait_gone(const tmux_term *t, const char *text);
/* Wait for the exit status the shell writes after the program. */
int tmux_wait_exit(const tmux_term *t);

/* Key names as tmux send-keys reads them: "j Enter", "C-c", "PgDn". */
void tmux_keys(const tmux_term *t, const char *keys);
/* Literal text, typed (no key names; no single quotes in it). */
void tmux_type(const tmux_term *t, const char *text);
void tmux_resize(const tmux_term *t, int width, int height);

void tmux_nap_ms(long ms);

#endif
