/*
 * The orb program: `orb [OPTIONS] [URL|@NAME] [COMMAND ARGS...]`.
 *
 * Reads the global options and the URL (the first argument with "://", or
 * a named connection of the config, config.c; `orb connections` lists them),
 * gets the password from ORB_PASSWORD or a no-echo prompt, opens the
 * database (tui_open_db) and then either runs one command (tui_cli_run)
 * or the browser (tui_app_run). A command line is checked before any
 * connection is made, so a typo never waits for a network timeout.
 * Exit status: 0 success, 1 database or validation error, 2 usage error.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli_msg.h"
#include "config.h"
#include "mem.h"
#include "tui.h"

#define PASSWORD_MAX 1024

/* The terminal state a Ctrl-C during the password prompt must restore.
 * A signal handler can reach nothing else, hence file scope. */
static int prompt_fd = -1;
static struct termios prompt_saved;

static void prompt_interrupted(int sig)
{
    if (prompt_fd >= 0)
        tcsetattr(prompt_fd, TCSAFLUSH, &prompt_saved);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Read a password from the terminal with echo off into `out`. */
static int read_password(char *out, size_t size, const char *url)
{
    struct sigaction sa, old_int, old_term;
    struct termios quiet;
    size_t n = 0;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    int status = 0;

    if (fd < 0) {
        fprintf(stderr, "orb: --password-prompt needs a terminal; set "
                        "ORB_PASSWORD instead\n");
        return 2;
    }
    if (tcgetattr(fd, &prompt_saved) != 0) {
        fprintf(stderr, "orb: --password-prompt needs a terminal; set "
                        "ORB_PASSWORD instead\n");
        close(fd);
        return 2;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = prompt_interrupted;
    sigemptyset(&sa.sa_mask);
    prompt_fd = fd;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    quiet = prompt_saved;
    quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK | ECHONL);
    quiet.c_lflag |= ICANON;
    /* Echo goes off before the prompt shows: nothing typed after the
     * prompt can be echoed. */
    tcsetattr(fd, TCSAFLUSH, &quiet);
    dprintf(fd, "Password for %s: ", url);
    for (;;) {
        char ch;
        ssize_t got = read(fd, &ch, 1);
        if (got <= 0 || ch == '\n' || ch == '\r')
            break;
        if (n + 1 >= size) {
            status = 2;
            continue; /* keep reading to the end of the line */
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    tcsetattr(fd, TCSAFLUSH, &prompt_saved);
    dprintf(fd, "\n");
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    prompt_fd = -1;
    close(fd);
    if (status)
        fprintf(stderr, "orb: the password is too long\n");
    return status;
}

/* Overwrite memory that held a password (memset may be optimized away). */
static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    while (n--)
        *v++ = 0;
}

/* The URL without its password, for the prompt. */
static char *url_for_prompt(const char *url)
{
    orm_url *parsed = NULL;
    orm_error e = ORM_ERROR_INIT;
    char *text = NULL;
    if (url && orm_url_parse(&parsed, url, &e) == 0) {
        orm_url_set_password(parsed, NULL);
        text = orm_url_format(parsed, 1);
    }
    orm_url_free(parsed);
    orm_error_clear(&e);
    return text;
}

/* The option's name only: "--password=x" must not be echoed whole. */
static int unknown_option(const char *arg, size_t len)
{
    fprintf(stderr, "orb: unknown option '%.*s' (see orb --help)\n", (int)len,
            arg);
    return 2;
}

/* Options of the commands, which belong after the command word. */
static int is_command_option(const char *arg, size_t len)
{
    static const char *const names[] = {
        "--where",  "--order",  "--limit",  "--offset", "--format",
        "--reveal", "--expect", "--filter", "--output", "--replace"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && strncmp(names[i], arg, len) == 0)
            return 1;
    return 0;
}

static const struct global_option {
    const char *name;
    int takes_value;
} global_options[] = {
#define GLOBAL_OPTION(name, value) {name, value},
    TUI_GLOBAL_OPTIONS(GLOBAL_OPTION)
#undef GLOBAL_OPTION
};

/* The global option `arg` names (up to `len`), or NULL. */
static const struct global_option *find_global_option(const char *arg,
                                                      size_t len)
{
    for (size_t i = 0; i < sizeof global_options / sizeof global_options[0];
         i++)
        if (strlen(global_options[i].name) == len &&
            strncmp(global_options[i].name, arg, len) == 0)
            return &global_options[i];
    return NULL;
}

/* One global option at argv[*i]; 0, or the exit status to stop with
 * (-1 for a clean stop after --help / --version). */
static int parse_option(tui_options *opts, int *prompt, int argc, char **argv,
                        int *i)
{
    char help_word[] = "help";
    char *help[] = {help_word};
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const char **target = NULL;
    const struct global_option *known = find_global_option(arg, len);

    if (!known && strcmp(arg, "-h") != 0) {
        if (is_command_option(arg, len)) {
            fprintf(stderr,
                    "orb: %.*s goes after the command, as in "
                    "orb URL rows MODEL %.*s ... (see orb --help)\n",
                    (int)len, arg, (int)len, arg);
            return 2;
        }
        return unknown_option(arg, len);
    }
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        tui_cli_run(NULL, opts, 1, help, stdout, stderr);
        return -1;
    }
    if (strcmp(arg, "--version") == 0) {
        printf("orb %s\ndialects:", orm_version());
        for (size_t d = 0; d < orm_dialect_count(); d++)
            printf(" %s", orm_dialect_name(d));
        printf("\n");
        return -1;
    }
    if (strcmp(arg, "--read-only") == 0) {
        opts->read_only = 1;
        return 0;
    }
    if (strcmp(arg, "--password-prompt") == 0) {
        *prompt = 1;
        return 0;
    }
    if (strcmp(known->name, "--models") == 0)
        target = &opts->models_file;
    else if (strcmp(known->name, "--theme") == 0)
        target = &opts->theme;
    else if (strcmp(known->name, "--state") == 0)
        target = &opts->state_file;
    if (!target)
        return unknown_option(arg, len); /* --read-only=x, --help=x */
    if (eq) {
        *target = eq + 1;
    } else if (*i + 1 < argc) {
        *target = argv[++*i];
    } else {
        fprintf(stderr, "orb: %s needs a value (see orb --help)\n", arg);
        return 2;
    }
    if (!**target) {
        fprintf(stderr, "orb: %.*s needs a value (see orb --help)\n", (int)len,
                arg);
        return 2;
    }
    return 0;
}

/* Cover `len` bytes at `p` with '*'. */
static void cover(char *p, size_t len)
{
    memset(p, '*', len);
}

/* A URL on the command line stays readable in `ps` and /proc for the
 * whole session: each argument that holds a password (user:PASSWORD@ or
 * a password= parameter) is replaced by a private copy, and the original,
 * which is what `ps` shows, has the password covered. */
static void hide_passwords(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i], *copy = NULL;
        char *auth = strstr(arg, "://");
        if (!auth)
            continue;
        auth += 3;
        size_t authority = strcspn(auth, "/?#");
        char *at = NULL;
        for (size_t k = 0; k < authority; k++)
            if (auth[k] == '@')
                at = auth + k; /* the last one: the host comes after it */
        char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        char *param = strstr(auth + authority, "password=");
        if (param && param[-1] != '?' && param[-1] != '&')
            param = NULL;
        if ((!colon || colon + 1 == at) && !param)
            continue;
        if (!(copy = tui_strdup(arg)))
            continue; /* shown as it was rather than lost */
        argv[i] = copy;
        if (colon && colon + 1 < at)
            cover(colon + 1, (size_t)(at - colon - 1));
        if (param) {
            param += strlen("password=");
            cover(param, strcspn(param, "&#"));
        }
    }
}

int main(int argc, char **argv)
{
    tui_options opts = {NULL, NULL, NULL, NULL, 0, NULL, 0, NULL};
    char password[PASSWORD_MAX];
    int prompt = 0, i, status = 0;
    const char *connection = NULL; /* orb @NAME */
    orm_db *db = NULL;

    hide_passwords(argc, argv);

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] == '-' && arg[1] != '\0') {
            status = parse_option(&opts, &prompt, argc, argv, &i);
            if (status)
                return status < 0 ? 0 : status;
            continue;
        }
        if (!opts.url && !connection && strstr(arg, "://")) {
            opts.url = arg;
            continue;
        }
        if (!opts.url && !connection && arg[0] == '@') {
            connection = arg + 1;
            continue;
        }
        break;
    }
    int cmd_argc = argc - i;
    char **cmd_argv = argv + i;
    int listing = cmd_argc > 0 && strcmp(cmd_argv[0], "connections") == 0 &&
                  !tui_cli_is_help(cmd_argc, cmd_argv);
    if (listing && cmd_argc > 1)
        return tui_cli_command_usage_fail(stderr, "connections",
                                          "connections takes no arguments");
    if (connection || listing) {
        /* The config's strings stay alive until exit, as opts does. */
        static tui_config config = TUI_CONFIG_INIT;
        status = tui_config_use_connection(&config, &opts, connection,
                                           cmd_argc > 0, stderr);
        if (status || listing) {
            if (!status)
                tui_config_connections_print(&config, stdout);
            tui_config_clear(&config);
            return status;
        }
    }
    /* Only create-all makes a SQLite file that is not there. */
    opts.create = cmd_argc > 0 && strcmp(cmd_argv[0], "create-all") == 0;
    if (cmd_argc > 0) {
        /* Check the command line before connecting anywhere. */
        status = tui_cli_run(NULL, &opts, cmd_argc, cmd_argv, stdout, stderr);
        if (status || tui_cli_is_help(cmd_argc, cmd_argv))
            return status;
    }
    if (prompt) {
        char *shown = url_for_prompt(opts.url);
        status = read_password(password, sizeof password,
                               shown ? shown : "the database");
        free(shown);
        if (status)
            return status;
        opts.password = password;
    } else {
        opts.password = getenv("ORB_PASSWORD");
    }
    opts.one_model = tui_cli_one_model(cmd_argc, cmd_argv);
    status = tui_open_db(&db, &opts, stderr);
    /* The connection holds the password now. */
    if (prompt)
        wipe(password, sizeof password);
    opts.password = NULL;
    if (status)
        return status;
    if (cmd_argc > 0)
        status = tui_cli_run(db, &opts, cmd_argc, cmd_argv, stdout, stderr);
    else
        status = tui_app_run(db, &opts);
    orm_db_free(db);
    return status;
}
