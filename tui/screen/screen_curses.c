/*
 * The terminal backend: the only file that talks to ncurses. It turns
 * the cell grid into wide-character curses calls with each element's
 * colour pair and attributes (256 colours, 8 colours or none), reads
 * keys, the mouse and resizes, and restores the terminal on exit, on
 * SIGINT/SIGTERM/SIGHUP (the loop is told once per signal: Ctrl-C with
 * pending changes asks, the others leave normally) and on a
 * crash (SIGSEGV/SIGABRT/SIGBUS/SIGFPE: endwin, then the signal again).
 *
 * The two file-level variables are the only state a signal handler can
 * reach; they describe the process's one terminal, not the app.
 */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <utf8proc.h>

#include "mem.h"
#include "orm/error.h"
#include "orm/sys/buf.h"
#include "screen.h"

static volatile sig_atomic_t pending_signal;
static volatile sig_atomic_t curses_active;

typedef struct curses_screen {
    tui_screen base;
    SCREEN *term;
    attr_t attrs[TUI_ELEMENT_COUNT];
    short pairs[TUI_ELEMENT_COUNT];
    tui_theme theme;
    struct sigaction old[8];
} curses_screen;

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int fatal_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE};

static void on_quit_signal(int sig)
{
    pending_signal = sig;
}

static void on_fatal_signal(int sig)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(curses_screen *c)
{
    struct sigaction sa;
    size_t k = 0;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit_signal; /* no SA_RESTART: wake the read */
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        sigaction(quit_signals[i], &sa, &c->old[k++]);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &sa, &c->old[k++]);
}

static void restore_signals(curses_screen *c)
{
    size_t k = 0;
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        sigaction(quit_signals[i], &c->old[k++], NULL);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &c->old[k++], NULL);
}

static attr_t attrs_of(unsigned a)
{
    attr_t out = A_NORMAL;
    if (a & TUI_ATTR_BOLD)
        out |= A_BOLD;
    if (a & TUI_ATTR_DIM)
        out |= A_DIM;
    if (a & TUI_ATTR_REVERSE)
        out |= A_REVERSE;
    if (a & TUI_ATTR_UNDERLINE)
        out |= A_UNDERLINE;
    if (a & TUI_ATTR_ITALIC)
        out |= A_ITALIC;
    if (a & TUI_ATTR_BLINK)
        out |= A_BLINK;
    if (a & TUI_ATTR_STANDOUT)
        out |= A_STANDOUT;
    return out;
}

static void apply_theme(curses_screen *c)
{
    const char *no_color = getenv("NO_COLOR");
    int colors = c->theme.use_color && !(no_color && *no_color) && has_colors();
    if (colors && start_color() == ERR)
        colors = 0;
    if (colors)
        use_default_colors();
    for (int i = 0; i < TUI_ELEMENT_COUNT; i++) {
        const tui_style *s = &c->theme.styles[i];
        c->attrs[i] = attrs_of(s->attrs);
        c->pairs[i] = 0;
        if (!colors || COLORS < 8 || i + 1 >= COLOR_PAIRS) {
            /* Without colours, a background colour becomes reverse
             * video so the cursor and bars stay visible. */
            if (s->bg >= 0)
                c->attrs[i] |= A_REVERSE;
            continue;
        }
        short fg = s->fg, bg = s->bg;
        if (COLORS < 256) {
            fg = tui_color_to_8(fg);
            bg = tui_color_to_8(bg);
        }
        if (fg >= COLORS)
            fg = -1;
        if (bg >= COLORS)
            bg = -1;
        if (init_pair((short)(i + 1), fg, bg) != ERR)
            c->pairs[i] = (short)(i + 1);
    }
}

/* Ctrl-S and Ctrl-Q are keys (save in a form), not XON/XOFF. The
 * terminal mode curses saved at start is restored by endwin. */
static void flow_control_off(void)
{
    struct termios t;
    if (tcgetattr(STDIN_FILENO, &t) != 0)
        return;
    t.c_iflag &= (tcflag_t) ~(IXON | IXOFF);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
        def_prog_mode(); /* what curses restores after a suspend */
}

static void curses_set_theme(tui_screen *scr, const tui_theme *theme)
{
    curses_screen *c = (curses_screen *)scr;
    c->theme = *theme;
    apply_theme(c);
}

/* One grapheme's UTF-8 as the wide characters a cchar_t holds. */
static void to_wide(wchar_t *out, size_t max, const char *text)
{
    size_t n = 0, len = strlen(text), at = 0;
    while (at < len && n + 1 < max) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)text + at,
                             (utf8proc_ssize_t)(len - at), &cp);
        if (k <= 0) {
            cp = 0xFFFD;
            k = 1;
        }
        out[n++] = (wchar_t)cp;
        at += (size_t)k;
    }
    if (n == 0)
        out[n++] = L' ';
    out[n] = L'\0';
}

/* The terminal's output: the loop's thread refreshes (also while a
 * key's work runs: the progress indicator), the key's worker may write
 * OSC 52 (a copy) or mark the screen for a full redraw; one at a time. */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static int curses_refresh(tui_screen *scr)
{
    curses_screen *c = (curses_screen *)scr;
    wchar_t wide[CCHARW_MAX + 1];
    cchar_t cc;
    pthread_mutex_lock(&output_lock);
    for (int r = 0; r < scr->rows && r < LINES; r++) {
        for (int col = 0; col < scr->cols && col < COLS; col++) {
            const tui_cell *cell = tui_screen_cell(scr, r, col);
            if (cell->width == 0)
                continue;
            to_wide(wide, sizeof wide / sizeof wide[0], cell->text);
            setcchar(&cc, wide, c->attrs[cell->element],
                     c->pairs[cell->element], NULL);
            mvadd_wch(r, col, &cc);
        }
    }
    wnoutrefresh(stdscr);
    doupdate();
    pthread_mutex_unlock(&output_lock);
    return 0;
}

static int map_key(int code)
{
    switch (code) {
    case KEY_UP:
        return TUI_KEY_UP;
    case KEY_DOWN:
        return TUI_KEY_DOWN;
    case KEY_LEFT:
        return TUI_KEY_LEFT;
    case KEY_RIGHT:
        return TUI_KEY_RIGHT;
    case KEY_PPAGE:
        return TUI_KEY_PGUP;
    case KEY_NPAGE:
        return TUI_KEY_PGDN;
    case KEY_HOME:
        return TUI_KEY_HOME;
    case KEY_END:
        return TUI_KEY_END;
    case KEY_IC:
        return TUI_KEY_INSERT;
    case KEY_DC:
        return TUI_KEY_DELETE;
    case KEY_BTAB:
        return TUI_KEY_BTAB;
    case KEY_ENTER:
        return TUI_KEY_ENTER;
    case KEY_BACKSPACE:
        return TUI_KEY_BACKSPACE;
    case KEY_RESIZE:
        return TUI_KEY_RESIZE;
    case KEY_MOUSE:
        return TUI_KEY_MOUSE;
    default:
        if (code >= KEY_F(1) && code <= KEY_F(12))
            return TUI_KEY_F1 + (code - KEY_F(1));
        return TUI_KEY_NONE;
    }
}

static int read_mouse(tui_event *out)
{
    MEVENT me;
    if (getmouse(&me) != OK)
        return 0;
    out->row = me.y;
    out->col = me.x;
    if (me.bstate & BUTTON4_PRESSED)
        out->mouse = TUI_MOUSE_WHEEL_UP;
#ifdef BUTTON5_PRESSED
    else if (me.bstate & BUTTON5_PRESSED)
        out->mouse = TUI_MOUSE_WHEEL_DOWN;
#endif
    else if (me.bstate & BUTTON1_DOUBLE_CLICKED)
        out->mouse = TUI_MOUSE_DOUBLE_CLICK;
    else if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
        out->mouse = TUI_MOUSE_CLICK;
    else
        return 0;
    return 1;
}

/* After ESC. curses hands out ESC and then the rest of a sequence its
 * terminfo does not know (it waited ESCDELAY for one it knows), so a key
 * like End under a TERM for another terminal would read as Esc and close
 * a form. What is already waiting after the ESC: a "[...x" or "Ox"
 * sequence is decoded (or dropped when it is no key we know); anything
 * else goes back, and the ESC is Esc. */
static int read_escape(tui_event *out)
{
    char seq[16];
    size_t n = 0;
    wint_t c;
    timeout(0);
    int rc = get_wch(&c);
    if (rc == OK && (c == '[' || c == 'O')) {
        seq[n++] = (char)c;
        while (n < sizeof seq && get_wch(&c) == OK && c >= 0x20 && c < 0x7f) {
            seq[n++] = (char)c;
            if (seq[0] == 'O' || (c >= 0x40 && c <= 0x7e))
                break; /* SS3 takes one byte; CSI ends at its final byte */
        }
        out->key = tui_key_from_sequence(seq, n);
        return out->key != TUI_KEY_NONE;
    }
    if (rc == OK)
        unget_wch(c);
    else if (rc == KEY_CODE_YES)
        ungetch((int)c);
    out->key = TUI_KEY_ESC;
    return 1;
}

static int curses_read(tui_screen *scr, int timeout_ms, tui_event *out)
{
    wint_t ch;
    memset(out, 0, sizeof *out);
    if (pending_signal) {
        out->key = TUI_KEY_INTERRUPT;
        out->signal = pending_signal;
        pending_signal = 0; /* told once: Ctrl-C may only ask a question */
        return 1;
    }
    timeout(timeout_ms);
    int rc = get_wch(&ch);
    if (pending_signal) {
        out->key = TUI_KEY_INTERRUPT;
        out->signal = pending_signal;
        pending_signal = 0;
        return 1;
    }
    if (rc == ERR)
        return 0;
    if (rc == KEY_CODE_YES) {
        out->key = map_key((int)ch);
        if (out->key == TUI_KEY_RESIZE) {
            if (tui_screen_resize(scr, LINES, COLS))
                return 0;
        } else if (out->key == TUI_KEY_MOUSE) {
            if (!read_mouse(out))
                return 0;
        }
        return out->key != TUI_KEY_NONE;
    }
    if (ch == 27)
        return read_escape(out);
    if (ch == '\n' || ch == '\r')
        out->key = TUI_KEY_ENTER;
    else if (ch == 8 || ch == 127)
        out->key = TUI_KEY_BACKSPACE;
    else
        out->key = (int)ch;
    return 1;
}

void tui_screen_curses_end(tui_screen *scr)
{
    (void)scr;
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
}

static void curses_free(tui_screen *scr)
{
    curses_screen *c = (curses_screen *)scr;
    if (!c)
        return;
    tui_screen_curses_end(scr);
    restore_signals(c);
    if (c->term)
        delscreen(c->term);
    tui_screen_release(scr);
    free(c);
}

static void curses_invalidate(tui_screen *scr)
{
    (void)scr;
    pthread_mutex_lock(&output_lock);
    clearok(curscr, TRUE);
    pthread_mutex_unlock(&output_lock);
}

/* Around $EDITOR: the terminal as the shell had it, then ours again. */
static void curses_suspend(tui_screen *scr)
{
    (void)scr;
    if (!curses_active)
        return;
    def_prog_mode();
    endwin();
    curses_active = 0;
}

static void curses_resume(tui_screen *scr)
{
    (void)scr;
    if (curses_active)
        return;
    reset_prog_mode();
    curses_active = 1;
    clearok(curscr, TRUE);
    refresh();
}

/* OSC 52 carries the text as base64 (RFC 4648, with padding). */
static void base64_append(orm_buf *out, const unsigned char *p, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char quad[4] = {digits[(v >> 18) & 63], digits[(v >> 12) & 63],
                        i + 1 < n ? digits[(v >> 6) & 63] : '=',
                        i + 2 < n ? digits[v & 63] : '='};
        orm_buf_appendn(out, quad, 4);
    }
}

/* "ESC ] 52 ; c ; BASE64 BEL" straight to the terminal, after what
 * curses has buffered: tmux (set-clipboard on) and terminals that allow
 * it put the text on the clipboard, over SSH too. */
static int curses_clipboard(tui_screen *scr, const char *text, size_t len)
{
    orm_buf seq = ORM_BUF_INIT;
    int rc = 0;
    (void)scr;
    orm_buf_append(&seq, "\033]52;c;");
    base64_append(&seq, (const unsigned char *)text, len);
    orm_buf_appendc(&seq, '\a');
    if (seq.failed) {
        orm_buf_free(&seq);
        return ORM_ENOMEM;
    }
    pthread_mutex_lock(&output_lock);
    fflush(stdout);
    for (size_t done = 0; done < seq.len;) {
        ssize_t n = write(STDOUT_FILENO, seq.data + done, seq.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = ORM_EIO;
            break;
        }
        done += (size_t)n;
    }
    pthread_mutex_unlock(&output_lock);
    orm_buf_free(&seq);
    return rc;
}

static const tui_screen_ops curses_ops = {
    .clipboard = curses_clipboard,
    .suspend = curses_suspend,
    .resume = curses_resume,
    .invalidate = curses_invalidate,
    .refresh = curses_refresh,
    .read = curses_read,
    .set_theme = curses_set_theme,
    .free = curses_free,
};

int tui_screen_curses_new(tui_screen **out, const tui_theme *theme)
{
    curses_screen *c = tui_calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return ORM_ENOMEM;
    c->base.ops = &curses_ops;
    /* ncursesw needs the terminal's character encoding (LC_CTYPE) and
     * nothing more: numbers and dates keep the C locale's rules. */
    setlocale(LC_CTYPE, "");
    pending_signal = 0;
    c->term = newterm(NULL, stdout, stdin);
    if (!c->term) {
        free(c);
        return ORM_EIO;
    }
    set_term(c->term);
    curses_active = 1;
    install_signals(c);
    cbreak();
    noecho();
    nonl();
    flow_control_off();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    mousemask(BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                  | BUTTON5_PRESSED
#endif
              ,
              NULL);
    mouseinterval(0);
    c->theme = *theme;
    apply_theme(c);
    if (tui_screen_resize(&c->base, LINES, COLS)) {
        curses_free(&c->base);
        return ORM_ENOMEM;
    }
    *out = &c->base;
    return 0;
}
