/* Tests for orb's config files and named connections (tui/core/config.c,
 * tui/core/paths.c, tui/main.c) and for passwords kept outside orb: libpq's
 * password file and the MySQL option files (drivers/mysql).
 *
 * The command-line tests run the real `orb` binary with HOME and the XDG
 * variables pointing into a temporary directory and compare stdout,
 * stderr and the exit status as exact text. The server tests use the
 * with-servers.sh databases (ORB_TEST_PG_URL, ORB_TEST_MYSQL_URL) through
 * URLs without a password; without those variables they fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "helper_file.h"
#include "helper_net.h"
#include "helper_run.h"
#include "helper_servers.h"
#include "helper_tmux.h"
#include "orm/url.h"
#include "rowcache.h"
#include "tui.h"
#include "views.h"

#define MAX_ARGS 16

typedef struct fixture {
    char dir[64];
    char home[128];
    char user_config[192]; /* $HOME/.config/orb/config */
    char system_dir[128];  /* $XDG_CONFIG_DIRS (one directory) */
    char system_config[192];
    tmux_term term; /* a browser test's terminal, stopped in teardown */
    int term_started;
} fixture;

static const char models_text[] =
    "[Account]\n"
    "__tablename__ = accounts\n"
    "__repr__ = <Account {Handle}>\n"
    "id = Integer primary_key\n"
    "Handle = String(50) unique not_null\n"
    "secret_key = String(32) secret default=token_hex(16)\n";

/* ---- files and running orb ---- */

/* mkdir `base` + `rest`; fine when it exists. */
static void make_dir(const char *base, const char *rest)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s", base, rest);
    assert_true(mkdir(path, 0700) == 0 || access(path, F_OK) == 0);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/orb-config-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->home, sizeof f->home, "%s/home", f->dir);
    make_dir(f->home, "");
    make_dir(f->home, "/.config");
    make_dir(f->home, "/.config/orb");
    snprintf(f->user_config, sizeof f->user_config, "%s/.config/orb/config",
             f->home);
    snprintf(f->system_dir, sizeof f->system_dir, "%s/xdg", f->dir);
    make_dir(f->system_dir, "");
    make_dir(f->system_dir, "/orb");
    snprintf(f->system_config, sizeof f->system_config, "%s/orb/config",
             f->system_dir);
    /* orb (a child) inherits these: nothing of the real user leaks in. */
    setenv("HOME", f->home, 1);
    setenv("XDG_CONFIG_DIRS", f->system_dir, 1);
    unsetenv("XDG_CONFIG_HOME");
    setenv("XDG_DATA_HOME", f->dir, 1);
    unsetenv("ORB_PASSWORD");
    unsetenv("PGPASSWORD");
    unsetenv("PGPASSFILE");
    unsetenv("MYSQL_HOME");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    /* Also after a failed assertion: no tmux server is left behind. */
    if (f->term_started)
        tmux_stop(&f->term);
    run_shellf("rm -rf '%s'", f->dir);
    free(f);
    return 0;
}

static const char *orb_binary(void)
{
    const char *path = getenv("ORB_TEST_ORB_BINARY");
    return path && *path ? path : ORB_BINARY_DIR "/orb";
}

/* Run orb with the NULL-terminated arguments. */
static run_result orb(const char *first, ...)
{
    const char *argv[MAX_ARGS + 2];
    size_t n = 0;
    va_list ap;
    argv[n++] = orb_binary();
    va_start(ap, first);
    for (const char *a = first; a && n <= MAX_ARGS;
         a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return run_exec(argv, NULL);
}

static void assert_run(run_result *r, int status, const char *out,
                       const char *err)
{
    if (r->status != status || strcmp(r->out, out) != 0 ||
        strcmp(r->err, err) != 0)
        fail_msg("expected status %d, stdout [%s], stderr [%s]\n"
                 "got      status %d, stdout [%s], stderr [%s]",
                 status, out, err, r->status, r->out, r->err);
}

/* A SQLite database with the accounts table of models_text. */
static void make_shop(const fixture *f, char *url, size_t size)
{
    char models[256];
    snprintf(models, sizeof models, "%s/models.ini", f->home);
    file_write(models, models_text);
    snprintf(url, size, "sqlite:///%s/shop.db", f->dir);
    run_result r = orb(url, "create-all", models, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
}

/* ---- the command line ---- */

static void test_config__connections_lists_them_without_passwords(void **state)
{
    fixture *f = *state;
    char config[512];
    snprintf(config, sizeof config,
             "[connection.shop]\n"
             "url = postgresql://me@db.example/shop\n"
             "models = ~/shop/models.ini\n"
             "read_only = true\n"
             "\n"
             "[connection.Ünïcode-db]\n"
             "url = sqlite:////tmp/x.db\n"
             "models = rel/models.ini\n");
    file_write(f->user_config, config);
    run_result r = orb("connections", NULL);
    char want[1024];
    snprintf(want, sizeof want,
             "shop        postgresql://me@db.example/shop  read-only  "
             "models %s/shop/models.ini\n"
             "Ünïcode-db  sqlite:////tmp/x.db  models %s/.config/orb/"
             "rel/models.ini\n",
             f->home, f->home);
    assert_run(&r, 0, want, "");
    run_result_free(&r);
}

static void test_config__a_password_in_a_connection_url_is_refused(void **state)
{
    fixture *f = *state;
    file_write(
        f->user_config,
        "[connection.shop]\n"
        "url = postgresql://me:Hunter2Secret@db.example/shop\n"
        "[connection.query]\n"
        "url = postgresql://me@db.example/shop?password=Hunter2Secret\n");
    run_result r = orb("@shop", "models", NULL);
    char want[1024];
    snprintf(want, sizeof want,
             "%s:2: connection 'shop': the URL holds a password; keep it out "
             "of the config (orb asks with --password-prompt, or reads "
             "ORB_PASSWORD, ~/.pgpass, ~/.my.cnf)\n"
             "%s:4: connection 'query': the URL holds a password; keep it "
             "out of the config (orb asks with --password-prompt, or reads "
             "ORB_PASSWORD, ~/.pgpass, ~/.my.cnf)\n"
             "orb: connection '@shop' (%s:1) has no usable url\n",
             f->user_config, f->user_config, f->user_config);
    assert_run(&r, 2, "", want);
    run_result_free(&r);
    /* Nor does the listing show it. */
    r = orb("connections", NULL);
    assert_null(strstr(r.out, "Hunter2"));
    assert_null(strstr(r.err, "Hunter2"));
    run_result_free(&r);
}

static void
test_config__an_unknown_connection_suggests_the_closest(void **state)
{
    fixture *f = *state;
    file_write(f->user_config, "[connection.shop]\n"
                               "url = sqlite:///shop.db\n"
                               "[connection.warehouse]\n"
                               "url = sqlite:///w.db\n");
    run_result r = orb("@shpo", "models", NULL);
    assert_run(&r, 2, "",
               "orb: unknown connection '@shpo' (did you mean '@shop'?)\n");
    run_result_free(&r);
    r = orb("@zzz", NULL);
    assert_run(&r, 2, "",
               "orb: unknown connection '@zzz' (orb connections lists the "
               "config's [connection.NAME] sections)\n");
    run_result_free(&r);
}

static void
test_config__a_named_connection_brings_its_models_and_read_only(void **state)
{
    fixture *f = *state;
    char url[256], config[512];
    make_shop(f, url, sizeof url);
    snprintf(config, sizeof config,
             "[connection.shop]\n"
             "url = %s\n"
             "models = ~/models.ini\n",
             url);
    file_write(f->user_config, config);
    /* The models file applies: token_hex(16) fills the secret, the repr
     * names the record, and the secret is masked. */
    run_result r = orb("@shop", "add", "accounts", "Handle=Zoë", NULL);
    assert_run(&r, 0, "1\n", "");
    run_result_free(&r);
    r = orb("@shop", "rows", "Account", NULL);
    assert_run(&r, 0,
               "id  Handle  secret_key\n"
               "--  ------  ----------\n"
               " 1  Zoë     ***\n",
               "");
    run_result_free(&r);
    r = orb("@shop", "get", "Account", "1", "--reveal", NULL);
    assert_int_equal(r.status, 0);
    const char *key = strstr(r.out, "secret_key: ");
    assert_non_null(key);
    assert_int_equal(strcspn(key + 12, "\n"), 32);
    run_result_free(&r);

    /* read_only = true refuses the write and keeps it unsaved. */
    snprintf(config, sizeof config,
             "[connection.shop]\n"
             "url = %s\n"
             "models = ~/models.ini\n"
             "read_only = yes\n",
             url);
    file_write(f->user_config, config);
    r = orb("@shop", "add", "accounts", "Handle=ÅSA", NULL);
    assert_run(&r, 1, "",
               "orb: the database is open read-only: 1 pending change not "
               "saved\n");
    run_result_free(&r);
    r = orb("@shop", "count", "accounts", NULL);
    assert_run(&r, 0, "1\n", "");
    run_result_free(&r);
}

/* Run orb in the directory `cwd` with the NULL-terminated arguments. */
static run_result orb_in(const char *cwd, const char *first, ...)
{
    const char *argv[MAX_ARGS + 2];
    size_t n = 0;
    va_list ap;
    argv[n++] = orb_binary();
    va_start(ap, first);
    for (const char *a = first; a && n <= MAX_ARGS;
         a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return run_exec(argv, cwd);
}

static void
test_config__a_relative_sqlite_path_is_next_to_the_config(void **state)
{
    fixture *f = *state;
    char url[256], models[256], elsewhere[192];
    /* The files live in the config's directory (one in a subdirectory)... */
    snprintf(models, sizeof models, "%s/models.ini", f->home);
    file_write(models, models_text);
    make_dir(f->home, "/.config/orb/Däten");
    snprintf(url, sizeof url, "sqlite:///%s/.config/orb/Läden.db", f->home);
    run_result r = orb(url, "create-all", models, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    snprintf(url, sizeof url, "sqlite:///%s/.config/orb/Däten/shop.db",
             f->home);
    r = orb(url, "create-all", models, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb(url, "add", "accounts", "Handle=Zoë", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    file_write(f->user_config, "[connection.läden]\n"
                               "url = sqlite:///Läden.db\n"
                               "[connection.shop]\n"
                               "url = sqlite:///Däten/shop.db?mode=ro\n");
    /* ...and orb runs somewhere else, where no such files are. */
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", f->dir);
    make_dir(elsewhere, "");
    r = orb_in(elsewhere, "@läden", "count", "accounts", NULL);
    assert_run(&r, 0, "0\n", "");
    run_result_free(&r);
    r = orb_in(elsewhere, "@shop", "rows", "accounts", "--format", "csv", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Zoë"));
    run_result_free(&r);
    /* Nothing was created where orb ran. */
    assert_int_equal(access("elsewhere/Läden.db", F_OK), -1);
    char stray[256];
    snprintf(stray, sizeof stray, "%s/Läden.db", elsewhere);
    assert_int_equal(access(stray, F_OK), -1);
}

/* A database whose view counts for far longer than any timeout here,
 * in the config's directory. */
static void make_slow_db(const fixture *f)
{
    char url[256];
    orm_db *db = NULL;
    snprintf(url, sizeof url, "sqlite:///%s/.config/orb/Langsam.db?mode=rwc",
             f->home);
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(
        orm_db_execute(db,
                       "CREATE VIEW \"Zählung\" AS WITH RECURSIVE c(x) AS "
                       "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
                       "100000000) SELECT count(*) AS n FROM c",
                       NULL, 0, NULL),
        0);
    orm_db_free(db);
}

static void test_config__connection_statement_timeout(void **state)
{
    fixture *f = *state;
    make_slow_db(f);
    file_write(f->user_config, "[connection.slow]\n"
                               "url = sqlite:///Langsam.db\n"
                               "statement_timeout = 300ms\n");
    run_result r = orb("@slow", "count", "Zählung", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(
        strstr(r.err, "statement cancelled after 0.3 s (statement_timeout)"));
    run_result_free(&r);

    /* The URL's own option wins over the section's. */
    file_write(f->user_config, "[connection.slow]\n"
                               "Statement_Timeout = 10min\n"
                               "url = sqlite:///Langsam.db?statement_timeout=0."
                               "4s\n");
    r = orb("@slow", "count", "Zählung", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(
        strstr(r.err, "statement cancelled after 0.4 s (statement_timeout)"));
    run_result_free(&r);

    /* orb connections shows it. */
    file_write(f->user_config, "[connection.slow]\n"
                               "url = sqlite:///Langsam.db\n"
                               "connect_timeout = 5\n"
                               "statement_timeout = 30s\n");
    r = orb("connections", NULL);
    assert_run(&r, 0,
               "slow  sqlite:///Langsam.db  connect_timeout 5  "
               "statement_timeout 30s\n",
               "");
    run_result_free(&r);
}

static void connect_timeout_from_config(fixture *f, const char *scheme)
{
    char config[512], want[256];
    int port;
    int fd = net_listen("127.0.0.1", 16, &port);
    setenv("ORB_PASSWORD", "unused", 1);
    snprintf(config, sizeof config,
             "[connection.silent]\n"
             "url = %s://orb@127.0.0.1:%d/Läden\n"
             "connect_timeout = 2\n",
             scheme, port);
    file_write(f->user_config, config);
    /* The URL orb opens carries it (checked first: without it, libpq
     * would wait for the silent server for ever). */
    tui_config cfg = TUI_CONFIG_INIT;
    tui_options opts;
    memset(&opts, 0, sizeof opts);
    assert_int_equal(
        tui_config_use_connection(&cfg, &opts, "silent", 1, stderr), 0);
    assert_non_null(strstr(opts.url, "?connect_timeout=2"));
    tui_config_clear(&cfg);

    snprintf(want, sizeof want,
             "cannot connect to 127.0.0.1:%d: the server did not "
             "answer within 2 s (connect_timeout)",
             port);
    run_result r = orb("@silent", "models", NULL);
    if (r.status != 1 || !strstr(r.err, want))
        fail_msg("%s: status %d, stderr [%s]", scheme, r.status, r.err);
    run_result_free(&r);

    /* The URL's own option wins over the section's. */
    snprintf(config, sizeof config,
             "[connection.silent]\n"
             "url = %s://orb@127.0.0.1:%d/Läden?connect_timeout=2\n"
             "connect_timeout = 600\n",
             scheme, port);
    file_write(f->user_config, config);
    r = orb("@silent", "models", NULL);
    if (r.status != 1 || !strstr(r.err, want))
        fail_msg("%s: status %d, stderr [%s]", scheme, r.status, r.err);
    run_result_free(&r);
    close(fd);
    unsetenv("ORB_PASSWORD");
}

static void test_config__connection_connect_timeout(void **state)
{
    connect_timeout_from_config(*state, "postgresql");
    connect_timeout_from_config(*state, "mysql");
}

static void test_config__bad_connection_timeouts_name_the_line(void **state)
{
    fixture *f = *state;
    char want[2048];
    file_write(f->user_config, "[connection.shop]\n"
                               "url = sqlite://\n"
                               "connect_timeout = soon\n"
                               "connect_timeout = -3\n"
                               "connect_timeout =\n"
                               "statement_timeout = 5 hours\n"
                               "statement_timeout = 1s&sslmode=disable\n"
                               "statement_timeout = 1½s\n"
                               "statement_timeout = 2min\n");
    run_result r = orb("connections", NULL);
    snprintf(want, sizeof want,
             "%s:3: connect_timeout is a whole number of seconds, not 'soon'\n"
             "%s:4: connect_timeout is a whole number of seconds, not '-3'\n"
             "%s:5: connect_timeout is a whole number of seconds, not\n"
             "%s:6: statement_timeout is a time like 30s, 1500ms or 2min (a "
             "bare number is milliseconds), not '5 hours'\n"
             "%s:7: statement_timeout is a time like 30s, 1500ms or 2min (a "
             "bare number is milliseconds), not '1s&sslmode=disable'\n"
             "%s:8: statement_timeout is a time like 30s, 1500ms or 2min (a "
             "bare number is milliseconds), not '1½s'\n",
             f->user_config, f->user_config, f->user_config, f->user_config,
             f->user_config, f->user_config);
    /* The good line still holds. */
    assert_run(&r, 0, "shop  sqlite://  statement_timeout 2min\n", want);
    run_result_free(&r);
}

static void test_config__the_users_file_wins_over_the_system_wide(void **state)
{
    fixture *f = *state;
    char second[192], dirs[512];
    /* Two system directories: the first listed is the more important. */
    snprintf(second, sizeof second, "%s/xdg2", f->dir);
    make_dir(second, "");
    make_dir(second, "/orb");
    snprintf(dirs, sizeof dirs, "%s:%s", f->system_dir, second);
    setenv("XDG_CONFIG_DIRS", dirs, 1);
    char path[256];
    snprintf(path, sizeof path, "%s/orb/config", second);
    file_write(path, "[connection.site]\n"
                     "url = sqlite:///least.db\n"
                     "[connection.both]\n"
                     "url = sqlite:///least.db\n"
                     "read_only = true\n");
    file_write(f->system_config, "[connection.site]\n"
                                 "url = sqlite:///system.db\n"
                                 "[connection.both]\n"
                                 "url = sqlite:///system.db\n");
    file_write(f->user_config, "[connection.both]\n"
                               "url = sqlite:///user.db\n");
    run_result r = orb("connections", NULL);
    /* A later file's section replaces the whole connection: read_only
     * from the least important file does not leak into the user's. */
    assert_run(&r, 0,
               "site  sqlite:///system.db\n"
               "both  sqlite:///user.db\n",
               "");
    run_result_free(&r);
}

static void test_config__unknown_settings_are_warned_not_fatal(void **state)
{
    fixture *f = *state;
    char url[256], config[512], want[1024];
    make_shop(f, url, sizeof url);
    snprintf(config, sizeof config,
             "[ui]\n"
             "thme = light\n"
             "[connection.shop]\n"
             "url = %s\n"
             "read_olny = true\n"
             "read_only = maybe\n"
             "[connection.two words]\n"
             "url = sqlite://\n",
             url);
    file_write(f->user_config, config);
    run_result r = orb("@shop", "count", "accounts", NULL);
    snprintf(want, sizeof want,
             "%s:2: unknown setting 'thme' (did you mean 'theme'?)\n"
             "%s:5: unknown setting 'read_olny' (did you mean "
             "'read_only'?)\n"
             "%s:6: read_only is true or false, not 'maybe'\n"
             "%s:8: a connection name may not contain spaces or '@' "
             "'two words'\n",
             f->user_config, f->user_config, f->user_config, f->user_config);
    assert_run(&r, 0, "0\n", want);
    run_result_free(&r);
}

static void
test_config__xdg_config_home_wins_and_relative_is_ignored(void **state)
{
    fixture *f = *state;
    char xdg[192], path[256];
    snprintf(xdg, sizeof xdg, "%s/xdg-home", f->dir);
    make_dir(xdg, "");
    make_dir(xdg, "/orb");
    snprintf(path, sizeof path, "%s/orb/config", xdg);
    file_write(path, "[connection.fromxdg]\nurl = sqlite://\n");
    file_write(f->user_config, "[connection.fromhome]\nurl = sqlite://\n");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    run_result r = orb("connections", NULL);
    assert_run(&r, 0, "fromxdg  sqlite://\n", "");
    run_result_free(&r);
    /* The XDG rules: a relative value is ignored. */
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    r = orb("connections", NULL);
    assert_run(&r, 0, "fromhome  sqlite://\n", "");
    run_result_free(&r);
}

/* ---- the browser ---- */

static void test_config__a_named_connection_opens_in_the_browser(void **state)
{
    fixture *f = *state;
    char url[256], config[512], command[512];
    tmux_term *t = &f->term;
    char models[256];
    make_shop(f, url, sizeof url);
    snprintf(models, sizeof models, "%s/models.ini", f->home);
    run_result r =
        orb("--models", models, url, "add", "accounts", "Handle=Zoë", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    /* tmux_start points XDG_CONFIG_HOME at the fixture's directory. */
    make_dir(f->dir, "/orb");
    snprintf(config, sizeof config,
             "[connection.shop]\n"
             "url = %s\n"
             "models = %s/models.ini\n"
             "read_only = true\n",
             url, f->home);
    char path[256];
    snprintf(path, sizeof path, "%s/orb/config", f->dir);
    file_write(path, config);
    tmux_init(t, f->dir);
    snprintf(command, sizeof command, "%s @shop", orb_binary());
    tmux_start(t, 100, f->dir, command);
    f->term_started = 1;
    tmux_wait_for(t, "Account");
    tmux_keys(t, "Enter");
    /* The models file's repr and secret apply. */
    tmux_wait_for(t, "Zoë");
    char *screen = tmux_screen(t);
    if (!strstr(screen, "\xE2\x80\xA2\xE2\x80\xA2"))
        fail_msg("the secret is not masked:\n%s", screen);
    free(screen);
    tmux_keys(t, "q q");
    int status = tmux_wait_exit(t);
    assert_int_equal(status, 0);
}

/* ---- [ui]: how values look ---- */

/* An app on an in-memory 24x100 screen over a SQLite table with a date,
 * a timestamp and NULLs, reading the config in f->home/.config/orb. */
static void ui_app(fixture *f, orm_db **db, tui_screen **scr, tui_app **app)
{
    char url[256], cfgdir[192], models[256];
    snprintf(url, sizeof url, "sqlite:///%s/dates.db", f->dir);
    snprintf(models, sizeof models, "%s/events.ini", f->dir);
    file_write(models, "[Event]\n"
                       "__tablename__ = events\n"
                       "id = Integer primary_key\n"
                       "Day = Date\n"
                       "At = DateTime\n"
                       "Note = Text\n");
    run_result r = orb(url, "create-all", models, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb(url, "add", "events", "Day=2024-01-31", "At=2024-02-29 13:45:00",
            "Note=Grüße", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    r = orb(url, "add", "events", "Note:=null", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    assert_int_equal(orm_db_open(db, url, NULL), 0);
    assert_int_equal(orm_db_reflect_all(*db), 0);
    assert_int_equal(tui_screen_mem_new(scr, 24, 100), 0);
    snprintf(cfgdir, sizeof cfgdir, "%s/.config/orb", f->home);
    assert_int_equal(tui_app_new(app, *db, NULL, *scr, cfgdir), 0);
    assert_int_equal(tui_app_start(*app), 0);
    assert_int_equal(tui_app_send(*app, "<Enter>"), 0);
}

static void ui_app_free(orm_db *db, tui_screen *scr, tui_app *app)
{
    tui_app_free(app);
    scr->ops->free(scr);
    orm_db_free(db);
}

static void assert_screen_has(tui_screen *scr, const char *text)
{
    if (tui_screen_find(scr, text) < 0) {
        orm_buf all = ORM_BUF_INIT;
        for (int r = 0; r < 24; r++) {
            char *line = tui_screen_line(scr, r);
            orm_buf_appendf(&all, "%s\n", line ? line : "");
            free(line);
        }
        fail_msg("[%s] not on the screen:\n%s", text, orm_buf_str(&all));
    }
}

static void test_config__ui_null_glyph_and_date_format(void **state)
{
    fixture *f = *state;
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    file_write(f->user_config, "[ui]\n"
                               "null = \xE2\x88\x85\n" /* ∅ */
                               "date_format = %d.%m.%Y (%a)\n");
    ui_app(f, &db, &scr, &app);
    assert_screen_has(scr, "31.01.2024 (Wed)");
    /* A timestamp keeps its time after the formatted date. */
    assert_screen_has(scr, "29.02.2024 (Thu) 13:45:00");
    assert_screen_has(scr, "Grüße");
    assert_screen_has(scr, "\xE2\x88\x85");
    assert_true(tui_screen_find(scr, "NULL") < 0);
    assert_true(tui_screen_find(scr, "2024-01-31") < 0);
    /* The record screen shows them the same way. */
    assert_int_equal(tui_app_send(app, "<Enter>"), 0);
    assert_screen_has(scr, "31.01.2024 (Wed)");
    ui_app_free(db, scr, app);
}

static void test_config__ui_defaults_and_bad_values(void **state)
{
    fixture *f = *state;
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    tui_config cfg = TUI_CONFIG_INIT;
    orm_buf problems = ORM_BUF_INIT;
    char want[1024];
    /* A system-wide choice, a user's bad value: the system's stays. */
    file_write(f->system_config, "[ui]\nnull = (null)\n");
    file_write(f->user_config, "[ui]\n"
                               "null =\n"
                               "date_format = dd.mm.yyyy\n");
    assert_int_equal(tui_config_load_all(&cfg, NULL, NULL, &problems), 2);
    snprintf(want, sizeof want,
             "%s:2: null needs some text: empty would look like an empty "
             "string\n"
             "%s:3: date_format is a strftime format like %%d.%%m.%%Y, not "
             "'dd.mm.yyyy'\n",
             f->user_config, f->user_config);
    assert_string_equal(orm_buf_str(&problems), want);
    assert_string_equal(cfg.null_text, "(null)");
    assert_null(cfg.date_format);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);

    ui_app(f, &db, &scr, &app);
    assert_screen_has(scr, "2024-01-31");
    assert_screen_has(scr, "(null)");
    ui_app_free(db, scr, app);
}

/* Change event 1's note inside the app's session (pending). */
static void pending_note(tui_app *app, orm_db *db, const char *note)
{
    const orm_model *m = orm_db_find_model(db, "events");
    orm_value pk = {ORM_VINT, 0, {.i = 1}};
    orm_record *rec = NULL;
    orm_error e = ORM_ERROR_INIT;
    assert_non_null(m);
    assert_int_equal(orm_session_get(app->session, m, &pk, &rec), ORM_ROW);
    assert_int_equal(orm_record_set_text(rec, "Note", note, &e), 0);
}

static void test_config__confirm_write_false_writes_without_review(void **state)
{
    fixture *f = *state;
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    char url[256];
    snprintf(url, sizeof url, "sqlite:///%s/dates.db", f->dir);

    /* By default w shows the review screen and writes nothing yet. */
    ui_app(f, &db, &scr, &app);
    pending_note(app, db, "Änderung");
    assert_int_equal(tui_app_send(app, "w"), 0);
    assert_screen_has(scr, "review");
    run_result r = orb(url, "get", "events", "1", NULL);
    assert_non_null(strstr(r.out, "Note: Grüße"));
    run_result_free(&r);
    ui_app_free(db, scr, app);

    file_write(f->user_config, "[ui]\nconfirm_write = false\n");
    assert_int_equal(run_shellf("rm -f '%s/dates.db'", f->dir), 0);
    ui_app(f, &db, &scr, &app);
    pending_note(app, db, "Änderung");
    assert_int_equal(tui_app_send(app, "w"), 0);
    assert_screen_has(scr, "written: 1 change");
    assert_int_equal(orm_session_pending_count(app->session), 0);
    r = orb(url, "get", "events", "1", NULL);
    assert_non_null(strstr(r.out, "Note: Änderung"));
    run_result_free(&r);
    ui_app_free(db, scr, app);
}

/* A table of 1000 rows, "Größe-0001".."Größe-1000", opened in an app on a
 * 24-line screen with the config `text`; returns its rows screen's cache
 * after paging down through every row with PgDn. */
static void page_through(fixture *f, const char *text, size_t *held_at_open,
                         size_t *queries)
{
    char url[256], cfgdir[192];
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    snprintf(url, sizeof url, "sqlite:///%s/pages.db?mode=rwc", f->dir);
    file_write(f->user_config, text);
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(orm_db_execute(db,
                                    "CREATE TABLE IF NOT EXISTS \"Zeilen\" ("
                                    "id INTEGER PRIMARY KEY, \"Name\" TEXT)",
                                    NULL, 0, NULL),
                     0);
    assert_int_equal(
        orm_db_execute(db, "DELETE FROM \"Zeilen\"", NULL, 0, NULL), 0);
    assert_int_equal(
        orm_db_execute(db,
                       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + "
                       "1 FROM n WHERE i < 1000) INSERT INTO \"Zeilen\" "
                       "SELECT i, printf('Größe-%04d', i) FROM n",
                       NULL, 0, NULL),
        0);
    assert_int_equal(orm_db_reflect_all(db), 0);
    assert_int_equal(tui_screen_mem_new(&scr, 24, 100), 0);
    snprintf(cfgdir, sizeof cfgdir, "%s/.config/orb", f->home);
    assert_int_equal(tui_app_new(&app, db, NULL, scr, cfgdir), 0);
    assert_int_equal(tui_app_start(app), 0);
    assert_int_equal(tui_app_send(app, "<Enter>"), 0);
    assert_string_equal(tui_app_top(app)->ops->name, "rows");
    tui_rowcache *rc = tui_view_rows_cache(tui_app_top(app));
    assert_non_null(rc);
    *held_at_open = tui_rowcache_held(rc);
    size_t before = tui_rowcache_queries(rc);
    for (int i = 0; i < 60; i++)
        assert_int_equal(tui_app_send(app, "<PgDn>"), 0);
    /* Every row came, in order: the last one is on the screen. */
    tui_app_draw(app);
    assert_screen_has(scr, "Größe-1000");
    assert_screen_has(scr, "row 1,000 of 1,000");
    *queries = tui_rowcache_queries(rc) - before;
    ui_app_free(db, scr, app);
}

static void test_config__page_size_is_rows_read_per_query(void **state)
{
    fixture *f = *state;
    size_t held = 0, queries = 0;

    /* Without it, a query reads about what the screen needs. */
    page_through(f, "", &held, &queries);
    assert_true(held < 100);
    assert_true(queries > 10);

    /* page_size = 400: the first query reads 400 rows, and paging down
     * through 1000 rows takes two more (PgDn still moves one screen). */
    page_through(f, "[ui]\npage_size = 400\n", &held, &queries);
    assert_int_equal(held, 400);
    assert_true(queries <= 2);

    /* Fewer rows than a screen shows: the screen is still filled. */
    page_through(f, "[ui]\npage_size = 3\n", &held, &queries);
    assert_true(held >= 21);
}

static void test_config__bad_page_size_names_the_line(void **state)
{
    fixture *f = *state;
    tui_config cfg = TUI_CONFIG_INIT;
    orm_buf problems = ORM_BUF_INIT;
    char want[2048];
    file_write(f->user_config, "[ui]\n"
                               "page_size = 250\n"
                               "page_size = 0\n"
                               "page_size = -5\n"
                               "page_size = 20 rows\n"
                               "page_size = 10001\n"
                               "page_size = ２０\n"
                               "Page_Size =\n");
    assert_int_equal(tui_config_load(&cfg, NULL, f->user_config, &problems), 6);
    snprintf(want, sizeof want,
             "%s:3: page_size is a number of rows from 1 to 10000, not '0'\n"
             "%s:4: page_size is a number of rows from 1 to 10000, not '-5'\n"
             "%s:5: page_size is a number of rows from 1 to 10000, not "
             "'20 rows'\n"
             "%s:6: page_size is a number of rows from 1 to 10000, not "
             "'10001'\n"
             "%s:7: page_size is a number of rows from 1 to 10000, not "
             "'２０'\n"
             "%s:8: page_size is a number of rows from 1 to 10000, not\n",
             f->user_config, f->user_config, f->user_config, f->user_config,
             f->user_config, f->user_config);
    assert_string_equal(orm_buf_str(&problems), want);
    /* The good line still holds. */
    assert_int_equal(cfg.page_size, 250);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
}

static void test_config__a_missing_theme_names_the_config_line(void **state)
{
    fixture *f = *state;
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    char cfgdir[192], want[512];
    file_write(f->user_config, "; mine\n[ui]\ntheme = nøne\n");
    snprintf(cfgdir, sizeof cfgdir, "%s/.config/orb", f->home);
    assert_int_equal(orm_db_open(&db, "sqlite://", NULL), 0);
    assert_int_equal(tui_screen_mem_new(&scr, 24, 100), 0);
    assert_int_equal(tui_app_new(&app, db, NULL, scr, cfgdir), 0);
    assert_int_equal(tui_app_start(app), 0);
    tui_app_draw(app);
    snprintf(want, sizeof want, "%s:3: theme 'nøne' not found", f->user_config);
    assert_screen_has(scr, want);
    ui_app_free(db, scr, app);
}

/* The status line has room for the first problem at start and a count;
 * the help screen lists all of them in full. */
static void test_config__every_problem_at_start_can_be_read(void **state)
{
    fixture *f = *state;
    orm_db *db = NULL;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    char cfgdir[192], want[512];
    file_write(f->user_config, "[ui]\nnul = ∅\nconfirm_write = vielleicht\n"
                               "\n[größe]\nx = 1\n");
    snprintf(cfgdir, sizeof cfgdir, "%s/.config/orb", f->home);
    assert_int_equal(orm_db_open(&db, "sqlite://", NULL), 0);
    assert_int_equal(tui_screen_mem_new(&scr, 24, 200), 0);
    assert_int_equal(tui_app_new(&app, db, NULL, scr, cfgdir), 0);
    assert_int_equal(tui_app_start(app), 0);
    tui_app_draw(app);
    assert_screen_has(scr, "(and 2 more: ? lists them)");
    assert_int_equal(tui_app_send(app, "?"), 0);
    tui_app_draw(app);
    assert_screen_has(scr, "Problems in the config and theme files");
    snprintf(want, sizeof want, "%s:2: unknown setting 'nul'", f->user_config);
    assert_screen_has(scr, want);
    snprintf(want, sizeof want, "%s:3: confirm_write is true or false",
             f->user_config);
    assert_screen_has(scr, want);
    snprintf(want, sizeof want, "%s:6: unknown section 'größe'",
             f->user_config);
    assert_screen_has(scr, want);
    ui_app_free(db, scr, app);
}

static void test_config__typos_in_theme_and_keys_get_a_suggestion(void **state)
{
    fixture *f = *state;
    char theme_path[256], want[2048];
    tui_theme theme;
    tui_keymap km;
    tui_config cfg = TUI_CONFIG_INIT;
    orm_buf problems = ORM_BUF_INIT;
    snprintf(theme_path, sizeof theme_path, "%s/mine.theme", f->dir);
    file_write(theme_path, "color titel red blue\n"
                           "color title rde blue\n"
                           "color title red blue bld\n"
                           "color title red blue bold\n");
    tui_theme_default(&theme);
    assert_int_equal(tui_theme_load_file(&theme, theme_path, &problems), 3);
    snprintf(want, sizeof want,
             "%s:1: unknown element 'titel' (did you mean 'title'?)\n"
             "%s:2: unknown colour 'rde' (did you mean 'red'?)\n"
             "%s:3: unknown attribute 'bld' (did you mean 'bold'?)\n",
             theme_path, theme_path, theme_path);
    assert_string_equal(orm_buf_str(&problems), want);
    /* The valid line still applies. */
    assert_int_equal(theme.styles[TUI_EL_TITLE].fg, 1);
    orm_buf_reset(&problems);

    file_write(f->user_config, "[keys]\nmvoe-down = j\nmove-down = n\n");
    tui_keymap_default(&km);
    assert_int_equal(tui_config_load_all(&cfg, &km, NULL, &problems), 1);
    snprintf(want, sizeof want,
             "%s:2: unknown action 'mvoe-down' (did you mean "
             "'move-down'?)\n",
             f->user_config);
    assert_string_equal(orm_buf_str(&problems), want);
    assert_int_equal(tui_keymap_lookup(&km, 'n'), TUI_ACT_MOVE_DOWN);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
}

/* ---- passwords kept outside orb ---- */

/* The server URL of `var` without its password, and the password. */
static void server_url(const char *var, char *url, size_t size, char *pw,
                       size_t pwsize)
{
    const char *text = test_server_url(var);
    orm_url *u = NULL;
    orm_error e = ORM_ERROR_INIT;
    assert_int_equal(orm_url_parse(&u, text, &e), 0);
    snprintf(pw, pwsize, "%s", u->password ? u->password : "");
    orm_url_set_password(u, NULL);
    char *shown = orm_url_format(u, 0);
    snprintf(url, size, "%s", shown);
    free(shown);
    orm_url_free(u);
}

static void
test_config__postgresql_password_from_the_password_file(void **state)
{
    fixture *f = *state;
    char url[512], pw[256], config[1024], pgpass[256], line[512];
    orm_url *u = NULL;
    orm_error e = ORM_ERROR_INIT;
    server_url("ORB_TEST_PG_URL", url, sizeof url, pw, sizeof pw);
    snprintf(config, sizeof config, "[connection.pg]\nurl = %s\n", url);
    file_write(f->user_config, config);

    run_result r = orb("@pg", "count", "pg_catalog.pg_class", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no password supplied"));
    run_result_free(&r);

    assert_int_equal(orm_url_parse(&u, url, &e), 0);
    snprintf(pgpass, sizeof pgpass, "%s/pgpass", f->dir);
    snprintf(line, sizeof line, "%s:%d:%s:%s:%s\n", u->host, u->port,
             u->database, u->user, pw);
    orm_url_free(u);
    file_write(pgpass, line);
    assert_int_equal(chmod(pgpass, 0600), 0);
    setenv("PGPASSFILE", pgpass, 1);
    r = orb("@pg", "models", NULL);
    if (r.status != 0)
        fail_msg("with PGPASSFILE: status %d, %s", r.status, r.err);
    assert_null(strstr(r.out, pw));
    assert_null(strstr(r.err, pw));
    run_result_free(&r);
    /* The plain URL without a password too. */
    r = orb(url, "models", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
}

static void test_config__mariadb_password_from_my_cnf(void **state)
{
    fixture *f = *state;
    char url[512], pw[256], config[1024], cnf[256], text[512];
    server_url("ORB_TEST_MYSQL_URL", url, sizeof url, pw, sizeof pw);
    snprintf(config, sizeof config, "[connection.maria]\nurl = %s\n", url);
    file_write(f->user_config, config);
    snprintf(cnf, sizeof cnf, "%s/.my.cnf", f->home);

    run_result r = orb("@maria", "models", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "using password: NO"));
    run_result_free(&r);

    /* The [client] group, as the mariadb client reads it. */
    snprintf(text, sizeof text, "[client]\npassword=%s\n", pw);
    file_write(cnf, text);
    assert_int_equal(chmod(cnf, 0600), 0);
    r = orb("@maria", "models", NULL);
    if (r.status != 0)
        fail_msg("with [client]: status %d, %s", r.status, r.err);
    run_result_free(&r);

    /* orb's own group, quoted; another program's group is not read. */
    snprintf(text, sizeof text,
             "[mysqldump]\npassword=wrong\n[orb]\npassword=\"%s\"\n", pw);
    file_write(cnf, text);
    r = orb(url, "models", NULL);
    if (r.status != 0)
        fail_msg("with [orb]: status %d, %s", r.status, r.err);
    run_result_free(&r);
}

static void test_config__mariadb_url_values_win_over_my_cnf(void **state)
{
    fixture *f = *state;
    char url[512], pw[256], cnf[256], text[512], wrong[600];
    orm_url *u = NULL;
    orm_error e = ORM_ERROR_INIT;
    server_url("ORB_TEST_MYSQL_URL", url, sizeof url, pw, sizeof pw);
    snprintf(cnf, sizeof cnf, "%s/.my.cnf", f->home);
    /* The file names a user and database that do not exist: the URL's
     * win, and the file's password is used for the URL's user. */
    snprintf(text, sizeof text,
             "[client]\nuser=nobody_here\ndatabase=no_such_db\n"
             "password=%s\n",
             pw);
    file_write(cnf, text);
    run_result r = orb(url, "models", NULL);
    if (r.status != 0)
        fail_msg("status %d, %s", r.status, r.err);
    run_result_free(&r);
    /* A password in the URL beats the file's. */
    assert_int_equal(orm_url_parse(&u, url, &e), 0);
    orm_url_set_password(u, "not-the-password");
    char *text_url = orm_url_format(u, 0);
    snprintf(wrong, sizeof wrong, "%s", text_url);
    free(text_url);
    orm_url_free(u);
    r = orb(wrong, "models", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "using password: YES"));
    run_result_free(&r);
    /* So does ORB_PASSWORD. */
    setenv("ORB_PASSWORD", "not-the-password", 1);
    r = orb(url, "models", NULL);
    unsetenv("ORB_PASSWORD");
    assert_int_equal(r.status, 1);
    run_result_free(&r);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* A config or theme file far too large (here /dev/zero, which never
 * ends) is refused by name at once, not read without end; a file just
 * under the limit is read. */
static void test_config__files_too_large_are_refused(void **state)
{
    (void)state;
    tui_theme theme;
    tui_keymap km;
    tui_config cfg = TUI_CONFIG_INIT;
    orm_buf problems = ORM_BUF_INIT;
    tui_theme_default(&theme);
    tui_keymap_default(&km);
    assert_int_equal(tui_theme_load_file(&theme, "/dev/zero", &problems), 1);
    assert_int_equal(tui_config_load(&cfg, &km, "/dev/zero", &problems), 1);
    assert_string_equal(orm_buf_str(&problems),
                        "/dev/zero: larger than 1 MiB: not read\n"
                        "/dev/zero: larger than 1 MiB: not read\n");
    orm_buf_reset(&problems);

    char path[] = "/tmp/orb-big-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[ui]\nnull = ∅ leer\n", f);
    for (long n = 0; n < 1024 * 1024 - 100; n += 10)
        fputs("# padding\n", f);
    fclose(f);
    assert_int_equal(tui_config_load(&cfg, &km, path, &problems), 0);
    assert_string_equal(orm_buf_str(&problems), "");
    assert_string_equal(cfg.null_text, "∅ leer");
    unlink(path);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_config__connections_lists_them_without_passwords),
        T(test_config__a_password_in_a_connection_url_is_refused),
        T(test_config__an_unknown_connection_suggests_the_closest),
        T(test_config__a_named_connection_brings_its_models_and_read_only),
        T(test_config__the_users_file_wins_over_the_system_wide),
        T(test_config__unknown_settings_are_warned_not_fatal),
        T(test_config__xdg_config_home_wins_and_relative_is_ignored),
        T(test_config__a_named_connection_opens_in_the_browser),
        T(test_config__ui_null_glyph_and_date_format),
        T(test_config__ui_defaults_and_bad_values),
        T(test_config__confirm_write_false_writes_without_review),
        T(test_config__page_size_is_rows_read_per_query),
        T(test_config__a_relative_sqlite_path_is_next_to_the_config),
        T(test_config__connection_statement_timeout),
        T(test_config__connection_connect_timeout),
        T(test_config__bad_connection_timeouts_name_the_line),
        T(test_config__bad_page_size_names_the_line),
        T(test_config__a_missing_theme_names_the_config_line),
        T(test_config__typos_in_theme_and_keys_get_a_suggestion),
        T(test_config__every_problem_at_start_can_be_read),
        cmocka_unit_test(test_config__files_too_large_are_refused),
        T(test_config__postgresql_password_from_the_password_file),
        T(test_config__mariadb_password_from_my_cnf),
        T(test_config__mariadb_url_values_win_over_my_cnf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
