/* Tests for orb's command line (tui/main.c, cli.c, open.c, demo.c).
 *
 * Every scenario runs twice: in-process (tui_open_db + tui_cli_run, the
 * way main.c calls them, so valgrind sees the code) and through the real
 * `orb` binary in the build directory (or $ORB_TEST_ORB_BINARY), with
 * stdout, stderr and the exit status compared as exact text. Databases are
 * temporary SQLite files made with `create-all` from a models file written
 * here. The network dialects (ORB_TEST_PG_URL, ORB_TEST_MYSQL_URL, set by
 * scripts/with-servers.sh) must print the same rows as SQLite; without
 * those variables their tests fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "helper_file.h"
#include "helper_run.h"
#include "helper_servers.h"
#include "helper_trips.h"
#include "internal.h"
#include "orm/sys/buf.h"
#include "tui.h"

#define MAX_ARGS 32

static const char models_text[] =
    "[Account]\n"
    "__tablename__ = accounts\n"
    "__repr__ = <Account {handle}>\n"
    "id = Integer primary_key\n"
    "handle = String(50) unique not_null\n"
    "secret_key = String(128) secret default=token_hex(16)\n"
    "note = Text\n"
    "score = Numeric(5,2)\n"
    "active = Boolean\n"
    "\n"
    "[Pair]\n"
    "__tablename__ = pairs\n"
    "a = Integer primary_key\n"
    "b = String(10) primary_key\n"
    "label = Text\n";

typedef enum run_mode { MODE_INPROCESS, MODE_BINARY } run_mode;

static run_mode inprocess = MODE_INPROCESS;
static run_mode binary = MODE_BINARY;

typedef struct fixture {
    run_mode mode;
    char dir[64];
    char url[256];
    char models[512];
    int use_models; /* pass --models */
    int no_url;     /* the demo database */
    int read_only;
    char *old_xdg; /* XDG_DATA_HOME to put back */
    int xdg_changed;
    char net_url[1024]; /* a network table to drop in teardown */
    char net_models[512];
} fixture;

/* ---- running orb ---- */

static const char *orb_binary(void)
{
    const char *path = getenv("ORB_TEST_ORB_BINARY");
    return path && *path ? path : ORB_BINARY_DIR "/orb";
}

/* The global part of the command line the fixture stands for. */
static size_t global_args(const fixture *f, const char **argv)
{
    size_t n = 0;
    if (f->use_models) {
        argv[n++] = "--models";
        argv[n++] = f->models;
    }
    if (f->read_only)
        argv[n++] = "--read-only";
    if (!f->no_url)
        argv[n++] = f->url;
    return n;
}

static run_result run_binary(const fixture *f, const char *const *args,
                             size_t nargs)
{
    const char *argv[MAX_ARGS + 8];
    size_t n = 0;

    if (access(orb_binary(), X_OK) != 0)
        fail_msg("%s is not built (cmake --build ... --target orb)",
                 orb_binary());
    argv[n++] = orb_binary();
    n += global_args(f, argv + n);
    for (size_t i = 0; i < nargs; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_exec(argv, NULL);
}

/* What main.c does, minus the option parsing the fixture stands for. */
static run_result run_inprocess(const fixture *f, const char *const *args,
                                size_t nargs)
{
    tui_options opts = {f->no_url ? NULL : f->url,
                        f->use_models ? f->models : NULL,
                        NULL,
                        NULL,
                        f->read_only,
                        getenv("ORB_PASSWORD"),
                        nargs > 0 && strcmp(args[0], "create-all") == 0,
                        NULL};
    char *argv[MAX_ARGS];
    char *out_text = NULL, *err_text = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&out_text, &out_len);
    FILE *err = open_memstream(&err_text, &err_len);
    run_result r = {0, NULL, NULL};

    assert_non_null(out);
    assert_non_null(err);
    for (size_t i = 0; i < nargs; i++)
        argv[i] = strdup(args[i]);
    opts.one_model = tui_cli_one_model((int)nargs, argv);
    r.status = tui_cli_run(NULL, &opts, (int)nargs, argv, out, err);
    if (r.status == 0 && nargs > 0 && strcmp(args[0], "help") != 0) {
        orm_db *db = NULL;
        r.status = tui_open_db(&db, &opts, err);
        if (r.status == 0)
            r.status = tui_cli_run(db, &opts, (int)nargs, argv, out, err);
        orm_db_free(db);
    }
    for (size_t i = 0; i < nargs; i++)
        free(argv[i]);
    fclose(out);
    fclose(err);
    r.out = out_text;
    r.err = err_text;
    return r;
}

static run_result orb_argv(const fixture *f, const char *const *args,
                           size_t nargs)
{
    return f->mode == MODE_BINARY ? run_binary(f, args, nargs)
                                  : run_inprocess(f, args, nargs);
}

/* orb(f, "rows", "accounts", NULL) */
static run_result orb(const fixture *f, ...)
{
    const char *args[MAX_ARGS];
    size_t n = 0;
    va_list ap;
    va_start(ap, f);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        assert_true(n < MAX_ARGS);
        args[n++] = a;
    }
    va_end(ap);
    return orb_argv(f, args, n);
}

#define ORB(f, ...) orb((f), __VA_ARGS__, (const char *)NULL)

/* Run and compare everything. */
#define EXPECT(f, want_status, want_out, want_err, ...)                        \
    do {                                                                       \
        run_result r_ = ORB(f, __VA_ARGS__);                                   \
        assert_string_equal(r_.err, (want_err));                               \
        assert_string_equal(r_.out, (want_out));                               \
        assert_int_equal(r_.status, (want_status));                            \
        run_result_free(&r_);                                                  \
    } while (0)

/* ---- fixtures ---- */

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    struct stat st;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    const run_mode *mode = *state;
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->mode = *mode;
    snprintf(f->dir, sizeof f->dir, "/tmp/orb-test-cli-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->url, sizeof f->url, "sqlite:///%s/t.db", f->dir);
    snprintf(f->models, sizeof f->models, "%s/models.ini", f->dir);
    file_write(f->models, models_text);
    f->use_models = 1;
    *state = f;
    EXPECT(f, 0, "accounts: created\npairs: created\n", "", "create-all",
           f->models);
    return 0;
}

static void drop_network_table(fixture *f)
{
    orm_db *db = NULL;
    orm_modelfile *mf = NULL;
    orm_error e = ORM_ERROR_INIT;
    if (!f->net_url[0])
        return;
    if (orm_db_open(&db, f->net_url, NULL) == 0 &&
        orm_modelfile_load(&mf, f->net_models, &e) == 0 && mf->nmodels)
        orm_db_drop_table(db, mf->models[0]);
    orm_modelfile_free(mf);
    orm_db_free(db);
    orm_error_clear(&e);
    f->net_url[0] = '\0';
}

static int teardown(void **state)
{
    fixture *f = *state;
    drop_network_table(f);
    if (f->xdg_changed) {
        if (f->old_xdg)
            setenv("XDG_DATA_HOME", f->old_xdg, 1);
        else
            unsetenv("XDG_DATA_HOME");
        free(f->old_xdg);
    }
    remove_tree(f->dir);
    free(f);
    return 0;
}

/* Four accounts with the awkward cases: a comma and quotes, an empty
 * string, NULL, wide characters. */
static void add_sample(const fixture *f)
{
    EXPECT(f, 0, "1\n", "", "add", "accounts", "handle=jdoe", "note=hello",
           "score=1.5", "active=yes");
    EXPECT(f, 0, "2\n", "", "add", "accounts", "handle=日本語",
           "note=a,b \"c\"", "active:=false");
    EXPECT(f, 0, "3\n", "", "add", "accounts", "handle=🦊fox",
           "note=", "score:=12");
    EXPECT(f, 0, "4\n", "", "add", "accounts", "handle=x");
}

static const char sample_table[] =
    "id  handle  secret_key  note     score  active\n"
    "--  ------  ----------  -------  -----  ------\n"
    " 1  jdoe    ***         hello     1.50  true\n"
    " 2  日本語  ***         a,b \"c\"   NULL  false\n"
    " 3  🦊fox   ***                  12.00  NULL\n"
    " 4  x       ***         NULL      NULL  NULL\n";

static const char sample_csv[] = "id,handle,secret_key,note,score,active\r\n"
                                 "1,jdoe,***,hello,1.50,true\r\n"
                                 "2,日本語,***,\"a,b \"\"c\"\"\",,false\r\n"
                                 "3,🦊fox,***,\"\",12.00,\r\n"
                                 "4,x,***,,,\r\n";

static const char sample_json[] =
    "[\n"
    "  {\"id\": 1, \"handle\": \"jdoe\", \"secret_key\": \"***\", "
    "\"note\": \"hello\", \"score\": \"1.50\", \"active\": true},\n"
    "  {\"id\": 2, \"handle\": \"日本語\", \"secret_key\": \"***\", "
    "\"note\": \"a,b \\\"c\\\"\", \"score\": null, \"active\": false},\n"
    "  {\"id\": 3, \"handle\": \"🦊fox\", \"secret_key\": \"***\", "
    "\"note\": \"\", \"score\": \"12.00\", \"active\": null},\n"
    "  {\"id\": 4, \"handle\": \"x\", \"secret_key\": \"***\", "
    "\"note\": null, \"score\": null, \"active\": null}\n"
    "]\n";

static const char sample_tsv[] = "id\thandle\tsecret_key\tnote\tscore\tactive\n"
                                 "1\tjdoe\t***\thello\t1.50\ttrue\n"
                                 "2\t日本語\t***\ta,b \"c\"\t\\N\tfalse\n"
                                 "3\t🦊fox\t***\t\t12.00\t\\N\n"
                                 "4\tx\t***\t\\N\t\\N\t\\N\n";

/* ---- the tests ---- */

static void test_cli__create_all_reports_created_then_exists(void **state)
{
    fixture *f = *state;
    EXPECT(f, 0, "accounts: exists\npairs: exists\n", "", "create-all",
           f->models);
}

static void
test_cli__rows_table_aligns_unicode_and_keeps_null_apart(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, sample_table, "", "rows", "accounts");
}

static void test_cli__rows_csv_quotes_and_tells_null_from_empty(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, sample_csv, "", "rows", "accounts", "--format", "csv");
}

static void test_cli__rows_json_types_values(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, sample_json, "", "rows", "accounts", "--format=json");
    EXPECT(f, 0, "[]\n", "", "rows", "accounts", "--format", "json", "--where",
           "id > 100");
}

static void test_cli__rows_tsv_escapes_and_marks_null(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, sample_tsv, "", "rows", "accounts", "--format", "tsv");
    EXPECT(f, 0, "5\n", "", "add", "accounts", "handle=esc",
           "note=tab\there\nnew\\line");
    EXPECT(f, 0,
           "id\thandle\tsecret_key\tnote\tscore\tactive\n"
           "5\tesc\t***\ttab\\there\\nnew\\\\line\t\\N\t\\N\n",
           "", "rows", "accounts", "--format", "tsv", "--where", "id = 5");
    /* The table format keeps the value on one line. */
    EXPECT(f, 0,
           "id  handle  secret_key  note                 score  active\n"
           "--  ------  ----------  -------------------  -----  ------\n"
           " 5  esc     ***         tab\\there\\nnew\\line   NULL  NULL\n",
           "", "rows", "accounts", "--where", "id = 5");
}

static void test_cli__secrets_masked_unless_revealed(void **state)
{
    fixture *f = *state;
    add_sample(f);
    run_result r = ORB(f, "rows", "accounts", "--format", "csv", "--reveal",
                       "--limit", "1");
    assert_int_equal(r.status, 0);
    /* token_hex(16): 32 lower-case hex digits. */
    const char *p = strstr(r.out, "\r\n1,jdoe,");
    assert_non_null(p);
    p += strlen("\r\n1,jdoe,");
    assert_int_equal(strspn(p, "0123456789abcdef"), 32);
    assert_int_equal(p[32], ',');
    run_result_free(&r);
    r = ORB(f, "get", "accounts", "1", "--reveal");
    assert_int_equal(r.status, 0);
    p = strstr(r.out, "secret_key: ");
    assert_non_null(p);
    assert_int_equal(strspn(p + 12, "0123456789abcdef"), 32);
    run_result_free(&r);
}

static void test_cli__rows_where_order_limit_offset(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, "a,b,label\r\n", "", "rows", "pairs", "--format", "csv");
    EXPECT(f, 0,
           "id,handle,secret_key,note,score,active\r\n"
           "4,x,***,,,\r\n"
           "1,jdoe,***,hello,1.50,true\r\n",
           "", "rows", "accounts", "--format", "csv", "--where",
           "handle like '%doe%' or id = 4", "--order", "-id");
    EXPECT(f, 0,
           "id,handle,secret_key,note,score,active\r\n"
           "4,x,***,,,\r\n"
           "1,jdoe,***,hello,1.50,true\r\n",
           "", "rows", "accounts", "--format", "csv", "--order",
           "score,-handle", "--limit", "2", "--offset", "1");
}

static void test_cli__rows_table_truncates_long_values(void **state)
{
    fixture *f = *state;
    EXPECT(f, 0, "1\n", "", "add", "accounts", "handle=long",
           "note=0123456789012345678901234567890123456789abc");
    EXPECT(f, 0,
           "id  handle  secret_key  note                                    "
           "  score  active\n"
           "--  ------  ----------  ----------------------------------------"
           "  -----  ------\n"
           " 1  long    ***         012345678901234567890123456789012345678…"
           "   NULL  NULL\n",
           "", "rows", "accounts", "--format", "table");
}

static void test_cli__get_prints_column_value_lines(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0,
           "id: 2\nhandle: 日本語\nsecret_key: ***\nnote: a,b \"c\"\n"
           "score: NULL\nactive: false\n",
           "", "get", "Account", "2");
    EXPECT(f, 1, "", "orb: accounts: no row with id 42\n", "get", "accounts",
           "42");
    EXPECT(f, 1, "", "orb: id: expected a whole number\n", "get", "accounts",
           "abc");
}

static void test_cli__composite_key_in_key_order(void **state)
{
    fixture *f = *state;
    EXPECT(f, 0, "7,b1\n", "", "add", "pairs", "a=7", "b=b1", "label=one");
    EXPECT(f, 0, "7,b2\n", "", "add", "pairs", "a=7", "b=b2");
    EXPECT(f, 0, "a: 7\nb: b1\nlabel: one\n", "", "get", "pairs", "7,b1");
    EXPECT(f, 1, "", "orb: pairs: no row with a 7, b b3\n", "get", "pairs",
           "7,b3");
    EXPECT(f, 2, "",
           "orb: the key of pairs has 2 columns (a, b): write them "
           "comma-separated (see orb get --help)\n",
           "get", "pairs", "7");
    EXPECT(f, 0, "", "", "delete", "pairs", "7,b1", "7,b2");
    EXPECT(f, 0, "0\n", "", "count", "pairs");
}

static void test_cli__count_with_and_without_where(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, "4\n", "", "count", "accounts");
    EXPECT(f, 0, "2\n", "", "count", "accounts", "--where",
           "note is null or note = ''");
    EXPECT(f, 1, "",
           "orb: --where: unknown column 'nte' at 1 (did you mean 'note'?)\n",
           "count", "accounts", "--where", "nte is null");
}

static void test_cli__set_changes_only_what_is_named(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, "", "", "set", "accounts", "1", "handle=jane_doe",
           "score=2.25", "--expect", "handle=jdoe");
    EXPECT(f, 0,
           "id: 1\nhandle: jane_doe\nsecret_key: ***\nnote: hello\n"
           "score: 2.25\nactive: true\n",
           "", "get", "accounts", "1");
}

static void test_cli__set_expect_mismatch_changes_nothing(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 1, "", "orb: accounts 1: handle is \"jdoe\", expected \"y\"\n",
           "set", "accounts", "1", "note=changed", "--expect", "handle=y");
    EXPECT(f, 1, "", "orb: accounts 4: note is NULL, expected \"\"\n", "set",
           "accounts", "4", "note=changed", "--expect", "note=");
    EXPECT(f, 0, sample_table, "", "rows", "accounts");
    EXPECT(f, 0, "", "", "set", "accounts", "4", "note=changed", "--expect",
           "note:=null", "--expect", "score:=null");
}

/* set --where: every matching row in one UPDATE, how many printed;
 * --expect-count refuses with nothing written when the count differs. */
static void test_cli__set_where_updates_every_matching_row(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 1, "",
           "orb: 2 rows match, not 3 (--expect-count): nothing was changed\n",
           "set", "accounts", "--where", "note is null or note = ''",
           "note=Grüße ÜBER", "--expect-count", "3");
    EXPECT(f, 0, sample_table, "", "rows", "accounts");
    EXPECT(f, 0, "2\n", "", "set", "accounts", "--where",
           "note is null or note = ''", "note=Grüße ÜBER", "score:=2.5",
           "--expect-count", "2");
    EXPECT(f, 0, "2\n", "", "set", "accounts", "--where",
           "note icontains 'grüße über'", "active:=true");
    EXPECT(f, 0, "0\n", "", "set", "accounts", "--where", "id > 100",
           "note=none");
    EXPECT(f, 0,
           "id,handle,secret_key,note,score,active\r\n"
           "1,jdoe,***,hello,1.50,true\r\n"
           "2,日本語,***,\"a,b \"\"c\"\"\",,false\r\n"
           "3,🦊fox,***,Grüße ÜBER,2.50,true\r\n"
           "4,x,***,Grüße ÜBER,2.50,true\r\n",
           "", "rows", "accounts", "--format", "csv");
    /* A value that does not fit, a unique column taken: nothing moves. */
    EXPECT(f, 1, "", "orb: score: too many digits for Numeric(5,2)\n", "set",
           "accounts", "--where", "id > 2", "score=1234.5");
    EXPECT(f, 1, "", "orb: Account.handle: \"jdoe\" is already taken\n", "set",
           "accounts", "--where", "id > 2", "handle=jdoe");
    EXPECT(f, 0, "1\n", "", "count", "accounts", "--where", "handle = 'jdoe'");
    EXPECT(f, 2, "",
           "orb: --expect-count goes with --where or --filter (see orb "
           "set --help)\n",
           "set", "accounts", "1", "note=x", "--expect-count", "1");
    EXPECT(f, 2, "",
           "orb: --expect checks one row (set MODEL KEY); with --where use "
           "--expect-count N (see orb set --help)\n",
           "set", "accounts", "--where", "id = 1", "note=x", "--expect",
           "handle=jdoe");
    EXPECT(f, 2, "", "orb: set needs COL=VALUE (see orb set --help)\n", "set",
           "accounts", "--where", "id = 1");
    EXPECT(f, 2, "",
           "orb: set needs KEY (or --where EXPR) (see orb set --help)\n", "set",
           "accounts");
}

static void
test_cli__colon_equals_null_is_null_equals_null_is_text(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0, "", "", "set", "accounts", "1", "note:=null");
    EXPECT(f, 0, "", "", "set", "accounts", "2", "note=null");
    EXPECT(f, 0, "id,handle,secret_key,note,score,active\r\n", "", "rows",
           "accounts", "--format", "csv", "--limit", "0");
    EXPECT(f, 0,
           "id,handle,secret_key,note,score,active\r\n"
           "1,jdoe,***,,1.50,true\r\n"
           "2,日本語,***,null,,false\r\n",
           "", "rows", "accounts", "--format", "csv", "--where", "id <= 2");
    EXPECT(f, 0, "1\n", "", "count", "accounts", "--where", "note = 'null'");
}

/* The text "NULL" never looks like NULL: get and the table quote it (as
 * the browser does), CSV leaves NULL empty, JSON writes null, TSV \N. */
static void test_cli__text_null_is_told_apart_from_null(void **state)
{
    fixture *f = *state;
    EXPECT(f, 0, "1\n", "", "add", "accounts", "handle=NULL", "note=null");
    EXPECT(f, 0, "2\n", "", "add", "accounts", "handle=\"Zoë\" Null",
           "note:=null");
    EXPECT(f, 0, "3\n", "", "add", "accounts", "handle=NULLé", "note=Null");
    EXPECT(f, 0,
           "id: 1\nhandle: \"NULL\"\nsecret_key: ***\nnote: \"null\"\n"
           "score: NULL\nactive: NULL\n",
           "", "get", "accounts", "1");
    EXPECT(f, 0,
           "id  handle          secret_key  note    score  active\n"
           "--  --------------  ----------  ------  -----  ------\n"
           " 1  \"NULL\"          ***         \"null\"   NULL  NULL\n"
           " 2  \"\"\"Zoë\"\" Null\"  ***         NULL     NULL  NULL\n"
           " 3  NULLé           ***         \"Null\"   NULL  NULL\n",
           "", "rows", "accounts");
    EXPECT(f, 0,
           "id,handle,secret_key,note,score,active\r\n"
           "1,NULL,***,null,,\r\n2,\"\"\"Zoë\"\" Null\",***,,,\r\n"
           "3,NULLé,***,Null,,\r\n",
           "", "rows", "accounts", "--format", "csv");
    EXPECT(f, 0,
           "id\thandle\tsecret_key\tnote\tscore\tactive\n"
           "1\tNULL\t***\tnull\t\\N\t\\N\n"
           "2\t\"Zoë\" Null\t***\t\\N\t\\N\t\\N\n"
           "3\tNULLé\t***\tNull\t\\N\t\\N\n",
           "", "rows", "accounts", "--format", "tsv");
    EXPECT(f, 0,
           "[\n  {\"id\": 1, \"handle\": \"NULL\", \"secret_key\": \"***\", "
           "\"note\": \"null\", \"score\": null, \"active\": null},\n"
           "  {\"id\": 2, \"handle\": \"\\\"Zoë\\\" Null\", \"secret_key\": "
           "\"***\", \"note\": null, \"score\": null, \"active\": null},\n"
           "  {\"id\": 3, \"handle\": \"NULLé\", \"secret_key\": \"***\", "
           "\"note\": \"Null\", \"score\": null, \"active\": null}\n]\n",
           "", "rows", "accounts", "--format", "json");
}

static void
test_cli__unique_violation_names_column_changes_nothing(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 1, "", "orb: Account.handle: \"jdoe\" is already taken\n", "add",
           "accounts", "handle=jdoe", "note=dup");
    EXPECT(f, 1, "", "orb: Account.handle: \"jdoe\" is already taken\n", "set",
           "accounts", "4", "handle=jdoe");
    EXPECT(f, 0, sample_table, "", "rows", "accounts");
}

static void test_cli__validation_errors_name_the_column(void **state)
{
    fixture *f = *state;
    char handle[60];
    memset(handle, 'a', 51);
    handle[51] = '\0';
    char arg[70];
    snprintf(arg, sizeof arg, "handle=%s", handle);
    EXPECT(f, 1, "", "orb: handle: at most 50 characters (got 51)\n", "add",
           "accounts", arg);
    EXPECT(f, 1, "", "orb: score: expected a decimal number like 12.34\n",
           "add", "accounts", "handle=z", "score=abc");
    EXPECT(f, 1, "", "orb: Account.handle: a value is required (not NULL)\n",
           "add", "accounts", "note=x");
    EXPECT(f, 0, "0\n", "", "count", "accounts");
}

static void test_cli__unknown_column_suggests_the_right_one(void **state)
{
    fixture *f = *state;
    EXPECT(f, 1, "",
           "orb: accounts has no column 'hndle' (did you mean 'handle'?)\n",
           "add", "accounts", "hndle=x");
    EXPECT(f, 1, "",
           "orb: accounts has no column 'hndle' (did you mean 'handle'?)\n",
           "rows", "accounts", "--order", "-hndle");
    EXPECT(f, 1, "", "orb: accounts has no column 'zzzzzz'\n", "add",
           "accounts", "zzzzzz=1");
}

static void test_cli__unknown_model_suggests_the_right_one(void **state)
{
    fixture *f = *state;
    EXPECT(f, 1, "",
           "orb: no model or table 'acounts' (did you mean 'accounts'?)\n",
           "rows", "acounts");
    EXPECT(f, 1, "", "orb: no model or table 'nothing_like_it'\n", "count",
           "nothing_like_it");
    EXPECT(f, 0, "0\n", "", "count", "ACCOUNT");
}

static void test_cli__delete_is_one_transaction(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 1, "", "orb: accounts: no row with id 99\n", "delete", "accounts",
           "1", "99");
    EXPECT(f, 0, "4\n", "", "count", "accounts");
    EXPECT(f, 0, "", "", "delete", "accounts", "1", "3");
    EXPECT(f, 0,
           "id,handle,secret_key,note,score,active\r\n"
           "2,日本語,***,\"a,b \"\"c\"\"\",,false\r\n"
           "4,x,***,,,\r\n",
           "", "rows", "accounts", "--format", "csv");
}

static void test_cli__usage_errors_exit_2(void **state)
{
    fixture *f = *state;
    EXPECT(f, 2, "",
           "orb: unknown command 'rowz'; did you mean 'rows'? (see orb "
           "--help)\n",
           "rowz", "accounts");
    EXPECT(f, 2, "", "orb: rows needs MODEL (see orb rows --help)\n", "rows");
    EXPECT(f, 2, "", "orb: set needs COL=VALUE (see orb set --help)\n", "set",
           "accounts", "1");
    EXPECT(f, 2, "",
           "orb: --limit wants a whole number of rows, got 'ten' (see orb "
           "rows --help)\n",
           "rows", "accounts", "--limit", "ten");
    EXPECT(f, 2, "",
           "orb: --limit wants a whole number of rows, got '-1' (see orb "
           "rows --help)\n",
           "rows", "accounts", "--limit=-1");
    EXPECT(f, 2, "",
           "orb: unknown format 'xml': use table, csv, tsv or json (see orb "
           "rows --help)\n",
           "rows", "accounts", "--format", "xml");
    EXPECT(f, 2, "",
           "orb: unknown option '--limt' for rows; did you mean '--limit'? "
           "(see orb rows --help)\n",
           "rows", "accounts", "--limt", "3");
    EXPECT(f, 2, "", "orb: get does not take --where (see orb get --help)\n",
           "get", "accounts", "1", "--where", "id = 1");
    EXPECT(f, 2, "", "orb: --where needs a value (see orb rows --help)\n",
           "rows", "accounts", "--where");
    EXPECT(f, 2, "",
           "orb: too many arguments for get: '2' (see orb get --help)\n", "get",
           "accounts", "1", "2");
    EXPECT(f, 2, "",
           "orb: expected COL=VALUE or COL:=LITERAL, got 'handle' (see orb "
           "add --help)\n",
           "add", "accounts", "handle");
    EXPECT(f, 2, "",
           "orb: --order wants COL[,-COL], got '-' (see orb rows --help)\n",
           "rows", "accounts", "--order", "-");
    EXPECT(f, 2, "",
           "orb: unknown filter command 'lst': use list, save, show, delete "
           "or rename (see orb filter --help)\n",
           "filter", "lst");
    EXPECT(f, 2, "",
           "orb: export needs --format csv, tsv or json (see orb export "
           "--help)\n",
           "export", "accounts");
}

static void test_cli__schema_describes_columns(void **state)
{
    fixture *f = *state;
    EXPECT(f, 0,
           "column      type          key  unique  nullable  default        "
           "references  notes\n"
           "----------  ------------  ---  ------  --------  -------------  "
           "----------  -------------\n"
           "id          Integer       PK   no      no                       "
           "            autoincrement\n"
           "handle      String(50)         yes     no\n"
           "secret_key  String(128)        no      yes       token_hex(16)  "
           "            secret\n"
           "note        Text               no      yes\n"
           "score       Numeric(5,2)       no      yes\n"
           "active      Boolean            no      yes\n",
           "", "schema", "Account");
}

/* SQL run on the fixture's database the way someone else made it. */
static void exec_sql(const fixture *f, const char *sql)
{
    orm_db *db = NULL;
    assert_int_equal(orm_db_open(&db, f->url, NULL), 0);
    if (db_exec(db, sql))
        fail_msg("%s: %s", sql, orm_error_text(orm_db_error(db)));
    orm_db_free(db);
}

/* A command on one table reads that table's schema only (each table's
 * costs a few round trips on a network): a view elsewhere that can no
 * longer be read (its table dropped under it) does not stop it, whether
 * the models file declares the table or not. Commands on every table
 * still read them all and say what is wrong. */
static void test_cli__command_on_one_table_reads_only_its_schema(void **state)
{
    fixture *f = *state;
    add_sample(f);
    exec_sql(f, "CREATE TABLE Läden (id INTEGER PRIMARY KEY, name TEXT)");
    exec_sql(f, "INSERT INTO Läden VALUES (7, 'Zoë Éclair')");
    exec_sql(f, "CREATE TABLE gone (id INTEGER PRIMARY KEY)");
    exec_sql(f, "CREATE VIEW broken AS SELECT id FROM gone");
    exec_sql(f, "DROP TABLE gone");
    EXPECT(f, 0, "id: 7\nname: Zoë Éclair\n", "", "get", "Läden", "7");
    EXPECT(f, 0, "1\n", "", "count", "Läden");
    EXPECT(f, 0, "id,name\r\n7,Zoë Éclair\r\n", "", "rows", "Läden", "--format",
           "csv");
    EXPECT(f, 0, "4\n", "", "count", "accounts");
    run_result r = ORB(f, "models");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "gone"));
    run_result_free(&r);
}

/* A view is listed as one, and add, set and delete say it is read-only
 * and why; a generated column is shown, and a write to it refused. */
static void test_cli__views_and_generated_columns_are_read_only(void **state)
{
    fixture *f = *state;
    add_sample(f);
    exec_sql(f, "CREATE VIEW v_acc AS SELECT handle, note FROM accounts");
    exec_sql(f, "CREATE TABLE lines (id INT PRIMARY KEY, qty INT,"
                " twice INT GENERATED ALWAYS AS (qty * 2))");
    run_result r = ORB(f, "models");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, " v_acc (view) "));
    assert_null(strstr(r.out, "accounts (view)"));
    run_result_free(&r);
    /* Browsed, filtered, counted and exported like a table (in the order
     * of its columns: a view has no key). */
    EXPECT(f, 0, "handle,note\r\njdoe,hello\r\nx,\r\n", "", "rows", "v_acc",
           "--where", "handle = 'jdoe' or handle = 'x'", "--format", "csv");
    EXPECT(f, 0, "2\n", "", "count", "v_acc", "--where",
           "note is not null and handle != 'jdoe'");
    char out[600];
    snprintf(out, sizeof out, "%s/v.json", f->dir);
    EXPECT(f, 0, "", "", "export", "v_acc", "--where", "handle = '日本語'",
           "--format", "json", "--output", out);
    FILE *fp = fopen(out, "r");
    char json[256] = "";
    assert_non_null(fp);
    assert_true(fread(json, 1, sizeof json - 1, fp) > 0);
    fclose(fp);
    assert_non_null(strstr(json, "\"note\": \"a,b \\\"c\\\"\""));
#define VIEW_REASON                                                            \
    "v_acc is a view: it has no primary key to find a row by, so orb only "    \
    "reads it\n"
    EXPECT(f, 1, "", "orb: cannot add to v_acc: " VIEW_REASON, "add", "v_acc",
           "handle=Zoë");
    EXPECT(f, 1, "", "orb: cannot change v_acc: " VIEW_REASON, "set", "v_acc",
           "1", "note=x");
    EXPECT(f, 1, "", "orb: cannot delete from v_acc: " VIEW_REASON, "delete",
           "v_acc", "1");
#undef VIEW_REASON
    EXPECT(f, 0, "1\n", "", "add", "lines", "id=1", "qty=21");
    EXPECT(f, 1, "",
           "orb: twice cannot be changed: generated by the database\n", "set",
           "lines", "1", "twice=5");
    r = ORB(f, "get", "lines", "1");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "42"));
    run_result_free(&r);
    r = ORB(f, "schema", "lines");
    assert_non_null(strstr(r.out, "read-only: generated by the database"));
    run_result_free(&r);
}

static void test_cli__models_lists_tables_with_counts(void **state)
{
    fixture *f = *state;
    add_sample(f);
    EXPECT(f, 0,
           "model    table     columns  rows\n"
           "-------  --------  -------  ----\n"
           "Account  accounts        6     4\n"
           "Pair     pairs           3     0\n",
           "", "models");
}

/* A table dropped by another program after orb read it (here: a models
 * file's model whose table is gone) is marked, every other table is
 * counted, and the command succeeds: `orb models` on a live database
 * where tables come and go. */
static void test_cli__models_marks_a_dropped_table(void **state)
{
    fixture *f = *state;
    add_sample(f);
    exec_sql(f, "DROP TABLE pairs");
    EXPECT(f, 0,
           "model    table     columns      rows\n"
           "-------  --------  -------  --------\n"
           "Account  accounts        6         4\n"
           "Pair     pairs           3  no table\n",
           "", "models");
}

static void test_cli__reflected_tables_work_without_models_file(void **state)
{
    fixture *f = *state;
    add_sample(f);
    f->use_models = 0;
    /* Reflection knows no secrets: the values show. */
    run_result r =
        ORB(f, "rows", "accounts", "--format", "csv", "--limit", "1");
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "***"));
    assert_non_null(strstr(r.out, "1,jdoe,"));
    run_result_free(&r);
    EXPECT(f, 0, "4\n", "", "count", "accounts");
}

/* A models file with problems is an error (exit 2) that names every
 * problem by its line, not warnings before going on without the models
 * it left out; one that cannot be read, or is far too large
 * (/dev/zero), is named too. */
static void test_cli__models_file_problems_are_an_error(void **state)
{
    fixture *f = *state;
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.ini", f->dir);
    file_write(bad, "[Account]\n"
                    "__tablename__ = accounts\n"
                    "id = Integer primary_key\n"
                    "handle = Strang(50)\n"
                    "[Größe\n"
                    "größe = Integer\n");
    snprintf(f->models, sizeof f->models, "%s", bad);
    run_result r = ORB(f, "count", "accounts");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    char line[320];
    snprintf(line, sizeof line, "%s:4: ", bad);
    assert_memory_equal(r.err, line, strlen(line));
    snprintf(line, sizeof line, "\n%s:5: ", bad);
    assert_non_null(strstr(r.err, line));
    assert_non_null(strstr(r.err, "problems in models file"));
    run_result_free(&r);
    snprintf(f->models, sizeof f->models, "%s/missing.ini", f->dir);
    r = ORB(f, "count", "accounts");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "missing.ini"));
    run_result_free(&r);
    snprintf(f->models, sizeof f->models, "/dev/zero");
    r = ORB(f, "count", "accounts");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "orb: models file '/dev/zero' is larger than 1 "
                               "MiB: not read\n");
    run_result_free(&r);
}

/* A column name of 100 kB in a command gets an error that quotes only
 * its start (64 bytes, whole characters) and says it was cut. */
static void test_cli__unknown_column_errors_quote_a_bounded_name(void **state)
{
    fixture *f = *state;
    enum { LONG = 100000 };
    char *name = malloc(LONG + 1), *arg = malloc(LONG + 16);
    char *quoted = malloc(LONG + 16);
    assert_non_null(name);
    for (size_t i = 0; i < LONG; i += 2)
        memcpy(name + i, "\xC3\xB6", 2); /* ö, cut in the middle at 64 */
    name[LONG] = '\0';
    snprintf(arg, LONG + 16, "%s=1", name);
    snprintf(quoted, LONG + 16, "\"%s\" = 1", name);
    const char *cases[][3] = {
        {"add", "accounts", arg},
        {"rows", "accounts", "--order"},
        {"rows", "accounts", "--where"},
    };
    for (size_t k = 0; k < 3; k++) {
        run_result r =
            k == 0   ? ORB(f, cases[k][0], cases[k][1], cases[k][2])
            : k == 1 ? ORB(f, cases[k][0], cases[k][1], cases[k][2], name)
                     : ORB(f, cases[k][0], cases[k][1], cases[k][2], quoted);
        assert_int_not_equal(r.status, 0);
        assert_string_equal(r.out, "");
        if (strlen(r.err) > 400)
            fail_msg("case %zu: a message of %zu bytes: %.200s", k,
                     strlen(r.err), r.err);
        assert_non_null(strstr(r.err, "\xE2\x80\xA6'")); /* … then the quote */
        assert_non_null(strstr(r.err, "\xC3\xB6\xC3\xB6\xE2\x80\xA6"));
        run_result_free(&r);
    }
    free(name);
    free(arg);
    free(quoted);
}

/* A one-shot command that cannot write (the table is locked by another
 * program) says nothing was written and to run it again: it has no
 * session left to keep the change in, unlike the browser. */
static void test_cli__failed_commit_says_what_is_true(void **state)
{
    fixture *f = *state;
    add_sample(f);
    orm_db *holder = NULL;
    assert_int_equal(orm_db_open(&holder, f->url, NULL), 0);
    assert_int_equal(orm_db_execute(holder, "BEGIN IMMEDIATE", NULL, 0, NULL),
                     0);
    run_result r = ORB(f, "set", "accounts", "1", "note=Größe");
    assert_int_equal(orm_db_execute(holder, "ROLLBACK", NULL, 0, NULL), 0);
    orm_db_free(holder);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    if (!strstr(r.err, "; nothing was written; run the command again\n") ||
        strstr(r.err, "kept") || strstr(r.err, "commit again"))
        fail_msg("untrue or unclear: %s", r.err);
    run_result_free(&r);
    EXPECT(f, 0, "1\n", "", "count", "accounts", "--where", "note = 'hello'");
}

static void test_cli__read_only_refuses_changes(void **state)
{
    fixture *f = *state;
    add_sample(f);
    f->read_only = 1;
    run_result r = ORB(f, "delete", "accounts", "1");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "read-only"));
    run_result_free(&r);
    EXPECT(f, 0, "4\n", "", "count", "accounts");
}

static void test_cli__missing_sqlite_file_is_not_created(void **state)
{
    fixture *f = *state;
    char path[128], want[512];
    snprintf(path, sizeof path, "%s/typo.db", f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:///%s", path);
    snprintf(want, sizeof want,
             "orb: cannot open %s: the SQLite database file '%s' does not "
             "exist (create-all creates a database, as does ?mode=rwc in "
             "the URL)\n",
             f->url, path);
    EXPECT(f, 1, "", want, "models");
    EXPECT(f, 1, "", want, "rows", "accounts");
    EXPECT(f, 1, "", want, "add", "accounts", "handle=jdoe");
    f->read_only = 1;
    EXPECT(f, 1, "", want, "count", "accounts");
    f->read_only = 0;
    assert_int_equal(access(path, F_OK), -1);

    /* A URL that asks for it creates the file; so does create-all. */
    snprintf(f->url, sizeof f->url, "sqlite:///%s?mode=rwc", path);
    f->use_models = 0;
    EXPECT(f, 0, "model  table  columns  rows\n-----  -----  -------  ----\n",
           "", "models");
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/new.db", f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:///%s", path);
    f->use_models = 1;
    EXPECT(f, 0, "accounts: created\npairs: created\n", "", "create-all",
           f->models);
    EXPECT(f, 0, "0\n", "", "count", "accounts");
}

static void test_cli__mode_ro_reads_and_refuses_changes(void **state)
{
    fixture *f = *state;
    char url[sizeof f->url];
    add_sample(f);
    snprintf(url, sizeof url, "%.240s?mode=ro", f->url);
    snprintf(f->url, sizeof f->url, "%s", url);
    EXPECT(f, 0, "4\n", "", "count", "accounts");
    run_result r = ORB(f, "delete", "accounts", "1");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "read-only"));
    run_result_free(&r);
    EXPECT(f, 0, "4\n", "", "count", "accounts");
}

/* Bytes 18 and 19 of a SQLite file say whether it is in WAL mode (2)
 * or uses a rollback journal (1): what opening it left behind. */
static int file_format_version(const char *path)
{
    unsigned char header[20];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(header, 1, sizeof header, fp), sizeof header);
    fclose(fp);
    assert_int_equal(header[18], header[19]);
    return header[18];
}

/* Someone who may only read the file (and not write its directory) can
 * browse it after its owner has used orb on it. As root, permissions do
 * not apply: the reader is then the user nobody. */
static void test_cli__read_only_file_opens_for_another_user(void **state)
{
    fixture *f = *state;
    char path[128], cmd[1024];
    add_sample(f);
    snprintf(path, sizeof path, "%s/t.db", f->dir);
    EXPECT(f, 0, "4\n", "", "count", "accounts");
    assert_int_equal(file_format_version(path), 1);
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(chmod(f->models, 0444), 0);
    assert_int_equal(chmod(f->dir, 0555), 0);
    snprintf(cmd, sizeof cmd, "%s%s --models %s %s count accounts 2>&1",
             geteuid() == 0 ? "runuser -u nobody -- " : "", orb_binary(),
             f->models, f->url);
    int status = 0;
    char *out = run_shell_output(cmd, &status);
    assert_string_equal(out, "4\n");
    assert_int_equal(status, 0);
    free(out);
    assert_int_equal(chmod(f->dir, 0700), 0);
}

static void test_cli__password_never_shown(void **state)
{
    fixture *f = *state;
    static const char *const urls[] = {
        "postgresql://orb:Pw-Never-Shown-42@127.0.0.1:1/nope",
        "mysql://orb:Pw-Never-Shown-42@127.0.0.1:1/nope",
        "postgresql://orb:Pw-Never-Shown-42@127.0.0.1:99999/nope",
        "postgresql://orb:Pw-Never-Shown-42@[::1/nope"};
    f->use_models = 0;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        snprintf(f->url, sizeof f->url, "%s", urls[i]);
        run_result r = ORB(f, "models");
        assert_int_equal(r.status, i < 2 ? 1 : 2);
        assert_null(strstr(r.err, "Pw-Never-Shown-42"));
        assert_null(strstr(r.out, "Pw-Never-Shown-42"));
        if (i < 2)
            assert_non_null(strstr(r.err, ":***@127.0.0.1:1/nope: "));
        run_result_free(&r);
    }
    /* The same password from the environment. */
    setenv("ORB_PASSWORD", "Env-Pw-Never-Shown", 1);
    snprintf(f->url, sizeof f->url, "postgresql://orb@127.0.0.1:1/nope");
    run_result r = ORB(f, "models");
    unsetenv("ORB_PASSWORD");
    assert_int_equal(r.status, 1);
    assert_null(strstr(r.err, "Env-Pw-Never-Shown"));
    assert_non_null(
        strstr(r.err, "orb: cannot open postgresql://orb@127.0.0.1:1/nope: "));
    run_result_free(&r);
}

static void
test_cli__demo_database_made_once_and_the_same_everywhere(void **state)
{
    fixture *f = *state;
    char data[300], file[320];
    const char *old = getenv("XDG_DATA_HOME");
    f->old_xdg = old ? strdup(old) : NULL;
    f->xdg_changed = 1;
    snprintf(data, sizeof data, "%s/data", f->dir);
    setenv("XDG_DATA_HOME", data, 1);
    f->no_url = 1;
    f->use_models = 0;
    EXPECT(f, 0,
           "model    table      columns   rows\n"
           "-------  ---------  -------  -----\n"
           "Account  accounts         3   2000\n"
           "Post     posts            7   5000\n"
           "Comment  comments         5  10000\n"
           "Tag      tags             2     20\n"
           "PostTag  post_tags        2   6000\n",
           "", "models");
    snprintf(file, sizeof file, "%s/orb/demo.db", data);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    snprintf(file, sizeof file, "%s/orb", data);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    /* Only demo.db is left: no temp files. */
    DIR *d = opendir(file);
    struct dirent *e;
    int others = 0;
    while ((e = readdir(d)) != NULL)
        others += e->d_name[0] != '.' && strcmp(e->d_name, "demo.db") != 0;
    closedir(d);
    assert_int_equal(others, 0);
    /* Fixed data from a fixed-seed generator. */
    EXPECT(f, 0,
           "id,handle,secret_key\r\n1,jdoe,***\r\n2,alice,***\r\n"
           "3,bob,***\r\n4,admin,***\r\n",
           "", "rows", "accounts", "--format", "csv", "--limit", "4");
    EXPECT(f, 0,
           "id: 1\naccount_id: 1577\ntitle: Careful plan for the garden\n"
           "body: Backups you have never restored are only hopes. Ça marche "
           "très bien, merci !\npublished: true\n"
           "created: 2023-01-01 02:18:10\nrating: 4.6\n",
           "", "get", "Post", "1");
    run_result r = ORB(f, "count", "comments", "--where", "body is null");
    assert_int_equal(r.status, 0);
    assert_true(strtol(r.out, NULL, 10) > 100);
    run_result_free(&r);
    r = ORB(f, "count", "posts", "--where", "body = ''");
    assert_int_equal(r.status, 0);
    assert_true(strtol(r.out, NULL, 10) > 50);
    run_result_free(&r);
    r = ORB(f, "count", "accounts", "--where",
            "handle contains 'é' or handle contains '日本語'");
    assert_int_equal(r.status, 0);
    assert_true(strtol(r.out, NULL, 10) > 10);
    run_result_free(&r);
}

/* ---- the binary only: what main.c does ---- */

static void test_cli__help_lists_every_command(void **state)
{
    fixture *f = *state;
    static const char *const words[] = {
        "\n  models ",
        "\n  schema MODEL",
        "\n  rows MODEL",
        "\n  get MODEL",
        "\n  count MODEL",
        "\n  add MODEL",
        "\n  set MODEL",
        "\n  delete MODEL",
        "\n  create-all MODELS_FILE",
        "--password-prompt",
        "ORB_PASSWORD",
        "orb sqlite:///app.db rows accounts --where \"handle like '%doe%'\""};
    f->no_url = 1;
    f->use_models = 0;
    run_result r = ORB(f, "--help");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strstr(r.out, words[i]))
            fail_msg("--help does not mention %s", words[i]);
    run_result_free(&r);
    /* The version from CMakeLists.txt, and the drivers built in (all
     * three in a full build, each optional). */
    r = ORB(f, "--version");
    assert_int_equal(r.status, 0);
    assert_string_equal(orm_version(), ORM_VERSION_STRING);
    orm_buf want = ORM_BUF_INIT;
    orm_buf_appendf(&want, "orb %s\ndialects:", ORM_VERSION_STRING);
    for (size_t d = 0; orm_dialect_name(d); d++)
        orm_buf_appendf(&want, " %s", orm_dialect_name(d));
    orm_buf_appendc(&want, '\n');
    assert_string_equal(r.out, orm_buf_str(&want));
    assert_true(orm_dialect_count() >= 1);
    assert_null(orm_dialect_name(orm_dialect_count()));
    orm_buf_free(&want);
    run_result_free(&r);
}

static void test_cli__global_options_and_their_errors(void **state)
{
    fixture *f = *state;
    f->no_url = 1;
    f->use_models = 0;
    EXPECT(f, 2, "", "orb: unknown option '--bogus' (see orb --help)\n",
           "--bogus");
    EXPECT(f, 2, "",
           "orb: --where goes after the command, as in orb URL rows MODEL "
           "--where ... (see orb --help)\n",
           "--where", "x", f->url, "rows", "accounts");
    EXPECT(f, 2, "", "orb: --models needs a value (see orb --help)\n",
           "--models");
    EXPECT(f, 2, "",
           "orb: unknown command 't.db' (a database is named by a URL such "
           "as sqlite:///t.db) (see orb --help)\n",
           "t.db", "models");
    EXPECT(f, 2, "", "orb: unknown option '--password' (see orb --help)\n",
           "--password=Pw-Never-Shown-42");
    EXPECT(f, 2, "",
           "orb: expected a command, got something like a URL (one URL, with "
           "\"://\", comes first) (see orb --help)\n",
           f->url, "postgres:/orb:Pw-Never-Shown-42@host/db", "models");
    /* Options may come after the URL too. */
    EXPECT(f, 0, "0\n", "", f->url, "--models", f->models, "count", "accounts");
    EXPECT(f, 2, "",
           "orb: --password-prompt needs a terminal; set ORB_PASSWORD "
           "instead\n",
           "--password-prompt", "postgresql://orb@127.0.0.1:1/nope", "models");
}

/* The browser with no terminal (a script, a pipe, </dev/null) says it
 * needs one and stops at once, instead of reading end-of-file forever. */
static void test_cli__browser_without_a_terminal_says_so(void **state)
{
    fixture *f = *state;
    char cmd[1024];
    int status = -1;
    /* timeout(1) bounds the test if orb ever loops again. */
    snprintf(cmd, sizeof cmd,
             "timeout 60 %s --models %s %s </dev/null 2>&1 >/dev/null; "
             "echo \"exit $?\"",
             orb_binary(), f->models, f->url);
    char *out = run_shell_output(cmd, &status);
    assert_non_null(strstr(out, "orb: the browser needs a terminal (standard "
                                "input is not one)"));
    assert_non_null(strstr(out, "exit 2"));
    free(out);
}

/* Run orb on the fixture's database with standard output a terminal and
 * return what the terminal got (owned). */
static char *orb_on_terminal(fixture *f, const char *const *args)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    char slave_name[128];
    snprintf(slave_name, sizeof slave_name, "%s", ptsname(master));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setsid();
        int slave = open(slave_name, O_RDWR);
        struct termios raw;
        /* No newline translation: the bytes as orb wrote them. */
        if (slave < 0 || tcgetattr(slave, &raw) != 0)
            _exit(126);
        raw.c_oflag &= ~(tcflag_t)OPOST;
        if (tcsetattr(slave, TCSANOW, &raw) != 0 || dup2(slave, 1) < 0)
            _exit(126);
        char *argv[16];
        int n = 0;
        argv[n++] = strdup(orb_binary());
        argv[n++] = strdup(f->url);
        for (int i = 0; args[i] && n < 15; i++)
            argv[n++] = strdup(args[i]);
        argv[n] = NULL;
        execv(argv[0], argv);
        _exit(127);
    }
    orm_buf got = ORM_BUF_INIT;
    char chunk[4096];
    for (;;) {
        struct pollfd pfd = {master, POLLIN, 0};
        if (poll(&pfd, 1, 10000) <= 0)
            break;
        ssize_t n = read(master, chunk, sizeof chunk);
        if (n <= 0) /* EIO once orb exited and closed the terminal */
            break;
        orm_buf_appendn(&got, chunk, (size_t)n);
    }
    int wstatus;
    pid_t waited = waitpid(pid, &wstatus, 0);
    close(master);
    char *text = orm_buf_finish(&got);
    if (waited != pid || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        free(text); /* a failed assertion leaves by longjmp */
        fail_msg("orb on a terminal did not exit 0");
    }
    assert_non_null(text);
    return text;
}

/* A value holding ESC, BEL and U+202E (right-to-left override) reaches a
 * terminal as visible escapes in every format, so it can neither drive
 * the terminal nor reorder what it shows; written to a file or pipe the
 * bytes stay exactly as stored. */
static void test_cli__terminal_output_escapes_controls_and_bidi(void **state)
{
    fixture *f = *state;
    const char *evil = "\x1b]0;pwned\a\x1b[31mRot\xE2\x80\xAEtxt.exe";
    char arg[128];
    snprintf(arg, sizeof arg, "note=%s", evil);
    EXPECT(f, 0, "1\n", "", "add", "accounts", "handle=Zoë", arg);
    const char *formats[] = {"csv", "tsv", "json", "table"};
    for (size_t i = 0; i < 4; i++) {
        const char *args[] = {"rows", "accounts", "--format", formats[i], NULL};
        char *shown = orb_on_terminal(f, args);
        if (strchr(shown, '\x1b') || strchr(shown, '\a') ||
            strstr(shown, "\xE2\x80\xAE"))
            fail_msg("%s: raw control or bidi bytes reached the terminal",
                     formats[i]);
        const char *want =
            i == 2 ? "\\u001b]0;pwned\\u0007\\u001b[31mRot\\u202etxt.exe"
                   : "\\x1b]0;pwned\\x07\\x1b[31mRot\\u202etxt.exe";
        if (!strstr(shown, want))
            fail_msg("%s: not shown as escapes: %s", formats[i], shown);
        assert_non_null(strstr(shown, "Zoë"));
        free(shown);
    }
    /* To a pipe: byte for byte. */
    run_result r = ORB(f, "rows", "accounts", "--format", "csv");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, evil));
    run_result_free(&r);
}

/* Run orb with a pseudo-terminal as its controlling terminal, answer the
 * password prompt, and return everything the terminal showed. */
static void test_cli__password_prompt_does_not_echo(void **state)
{
    fixture *f = *state;
    const char *secret = "Typed-Pw-Never-Echoed";
    char err_path[] = "/tmp/orb-cli-err-XXXXXX";
    int err_fd = mkstemp(err_path), wstatus;
    char screen[4096];
    size_t shown = 0;
    (void)f;
    assert_true(err_fd >= 0);
    unlink(err_path);
    if (access(orb_binary(), X_OK) != 0)
        fail_msg("%s is not built", orb_binary());
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    char slave_name[128];
    snprintf(slave_name, sizeof slave_name, "%s", ptsname(master));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setsid();
        int slave = open(slave_name, O_RDWR); /* the controlling tty */
        if (slave < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
            dup2(err_fd, 2) < 0)
            _exit(126);
        char *argv[] = {strdup(orb_binary()), strdup("--password-prompt"),
                        strdup("postgresql://orb@127.0.0.1:1/nope"),
                        strdup("models"), NULL};
        execv(argv[0], argv);
        _exit(127);
    }
    /* Wait for the prompt, type, then read until the terminal closes. */
    int typed = 0;
    for (int rounds = 0; rounds < 200; rounds++) {
        struct pollfd pfd = {master, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t n = read(master, screen + shown, sizeof screen - shown - 1);
        if (n <= 0)
            break;
        shown += (size_t)n;
        screen[shown] = '\0';
        if (!typed && strstr(screen, "Password for ")) {
            char line[64];
            snprintf(line, sizeof line, "%s\n", secret);
            assert_int_equal(write(master, line, strlen(line)),
                             (ssize_t)strlen(line));
            typed = 1;
        }
    }
    screen[shown] = '\0';
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    close(master);
    char *err = run_fd_read(err_fd);
    close(err_fd);
    assert_true(typed);
    assert_non_null(
        strstr(screen, "Password for postgresql://orb@127.0.0.1:1/nope: "));
    assert_null(strstr(screen, secret));
    assert_null(strstr(err, secret));
    assert_non_null(strstr(err, "orb: cannot open postgresql://orb"));
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 1);
    free(err);
}

/* ---- the network dialects: the same text as SQLite ---- */

/* Run the add / rows / get / set / delete flow on `f` and return all of
 * its output (owned). */
static char *network_flow(fixture *f, const char *table)
{
    char buf[65536];
    size_t len = 0;
    static const char *const steps[][10] = {
        {"add", "Item", "handle=jdoe", "note=hello", "score=1.5", "active=yes"},
        {"add", "Item", "handle=日本語", "note=a,b \"c\"", "active:=false"},
        {"add", "Item", "handle=🦊fox", "note=", "score:=12"},
        {"add", "Item", "handle=x"},
        {"add", "Item", "handle=jdoe"},
        {"rows", "Item"},
        {"rows", "Item", "--format", "csv"},
        {"rows", "Item", "--format", "json"},
        {"rows", "Item", "--format", "tsv", "--order", "-handle"},
        {"get", "Item", "2"},
        {"set", "Item", "2", "note:=null", "--expect", "handle=日本語"},
        {"count", "Item", "--where", "note is null"},
        {"set", "Item", "--where", "handle in ('日本語', 'x')",
         "note=Grüße ÜBER", "--expect-count", "3"},
        {"set", "Item", "--where", "handle in ('日本語', 'x')",
         "note=Grüße ÜBER", "score:=2.5", "--expect-count", "2"},
        {"set", "Item", "--where", "note icontains 'grüße über'",
         "active:=true"},
        {"rows", "Item", "--format", "csv"},
        {"delete", "Item", "1", "3"},
        {"rows", "Item", "--format", "csv"},
        {"count", "Item"}};
    buf[0] = '\0';
    (void)table;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        size_t n = 0;
        while (n < 10 && steps[i][n])
            n++;
        run_result r = orb_argv(f, steps[i], n);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "$ %s\n[%d]\n%s%s",
                                steps[i][0], r.status, r.out, r.err);
        assert_true(len < sizeof buf);
        run_result_free(&r);
    }
    return strdup(buf);
}

static void network_dialect_matches_sqlite(fixture *f, const char *variable)
{
    const char *url = test_server_url(variable);
    char table[64], text[512], sqlite_models[300];
    snprintf(table, sizeof table, "orb_cli_%ld_%ld", (long)getpid(),
             (long)time(NULL) % 100000);
    snprintf(text, sizeof text,
             "[Item]\n__tablename__ = %s\nid = Integer primary_key\n"
             "handle = String(50) unique not_null\n"
             "secret_key = String(128) secret default=token_hex(16)\n"
             "note = Text\nscore = Numeric(5,2)\nactive = Boolean\n",
             table);
    snprintf(sqlite_models, sizeof sqlite_models, "%s/item.ini", f->dir);
    file_write(sqlite_models, text);

    /* SQLite first. */
    snprintf(f->models, sizeof f->models, "%s", sqlite_models);
    char expect_created[128];
    snprintf(expect_created, sizeof expect_created, "%s: created\n", table);
    EXPECT(f, 0, expect_created, "", "create-all", f->models);
    char *sqlite_text = network_flow(f, table);

    /* Then the server, dropping the table at the end (or in teardown). */
    snprintf(f->net_url, sizeof f->net_url, "%s", url);
    snprintf(f->net_models, sizeof f->net_models, "%s", sqlite_models);
    snprintf(f->url, sizeof f->url, "%s", url);
    drop_network_table(f); /* a leftover of a killed run */
    snprintf(f->net_url, sizeof f->net_url, "%s", url);
    EXPECT(f, 0, expect_created, "", "create-all", f->models);
    char *server_text = network_flow(f, table);
    assert_string_equal(server_text, sqlite_text);
    /* The flow checks itself too: the duplicate failed, the rest held. */
    assert_non_null(strstr(sqlite_text, "orb: Item.handle: \"jdoe\" is "
                                        "already taken\n"));
    assert_non_null(strstr(sqlite_text, "$ count\n[0]\n2\n"));
    free(sqlite_text);
    free(server_text);
    drop_network_table(f);
}

static void test_cli__postgresql_prints_the_same_rows(void **state)
{
    network_dialect_matches_sqlite(*state, "ORB_TEST_PG_URL");
}

static void test_cli__mysql_prints_the_same_rows(void **state)
{
    network_dialect_matches_sqlite(*state, "ORB_TEST_MYSQL_URL");
}

/* ---- the network dialects: round trips ---- */

/* A command on one table of a network database, its schema read from the
 * server (no models file), costs what connecting costs (measured here on
 * its own; without TLS, whose handshake the proxy may count either way),
 * one round trip for the table's schema and one for the statement,
 * counted on the wire (tests/helper_trips.c); `models` one for every
 * table's schema and two for the counts. */
static void one_table_round_trips(fixture *f, const char *variable,
                                  const char *no_tls)
{
    const char *url = test_server_url(variable);
    char table[64], text[256], models[300], created[128], want_get[128];
    snprintf(table, sizeof table, "orb_trips_%ld_%ld", (long)getpid(),
             (long)time(NULL) % 100000);
    snprintf(text, sizeof text,
             "[Item]\n__tablename__ = %s\nid = Integer primary_key\n"
             "name = String(40) not_null\n",
             table);
    snprintf(models, sizeof models, "%s/trips.ini", f->dir);
    file_write(models, text);
    snprintf(f->models, sizeof f->models, "%s", models);
    snprintf(f->net_url, sizeof f->net_url, "%s", url);
    snprintf(f->net_models, sizeof f->net_models, "%s", models);
    snprintf(f->url, sizeof f->url, "%s", url);
    drop_network_table(f); /* a leftover of a killed run */
    snprintf(f->net_url, sizeof f->net_url, "%s", url);
    snprintf(created, sizeof created, "%s: created\n", table);
    EXPECT(f, 0, created, "", "create-all", f->models);
    EXPECT(f, 0, "1\n", "", "add", "Item", "name=Zoë ÄRGER");
    EXPECT(f, 0, "2\n", "", "add", "Item", "name=東京");

    /* Through the counting proxy, without the models file. */
    char *proxied = NULL, plain[sizeof f->url];
    test_trips *trips = test_trips_start(url, &proxied);
    assert_true(snprintf(plain, sizeof plain, "%s%s%s", proxied,
                         strchr(proxied, '?') ? "&" : "?",
                         no_tls) < (int)sizeof plain);
    orm_db *db = NULL;
    long t0 = test_trips_count(trips);
    assert_int_equal(orm_db_open(&db, plain, NULL), 0);
    orm_db_free(db);
    long connect = test_trips_count(trips) - t0, budget = connect + 2;
    snprintf(f->url, sizeof f->url, "%s", plain);
    f->use_models = 0;
    snprintf(want_get, sizeof want_get, "id: 2\nname: 東京\n");
    static const char *const steps[][4] = {{"get", NULL, "2", NULL},
                                           {"count", NULL, NULL, NULL},
                                           {"rows", NULL, "--limit", "40"}};
    const char *const outs[] = {want_get, "2\n", NULL};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const char *args[4] = {steps[i][0], table, steps[i][2], steps[i][3]};
        size_t n = args[2] ? (args[3] ? 4 : 3) : 2;
        long before = test_trips_count(trips);
        run_result r = orb_argv(f, args, n);
        long trips_taken = test_trips_count(trips) - before;
        printf("[%s] %s: %ld round trips, connecting %ld\n", variable, args[0],
               trips_taken, connect);
        assert_string_equal(r.err, "");
        if (outs[i])
            assert_string_equal(r.out, outs[i]);
        else
            assert_non_null(strstr(r.out, "Zoë ÄRGER"));
        assert_int_equal(r.status, 0);
        run_result_free(&r);
        if (trips_taken > budget)
            fail_msg("%s %s: %ld round trips, budget %ld", variable, args[0],
                     trips_taken, budget);
    }
    /* Every table: the schema of all of them in one round trip, then
     * their estimates and one COUNT(*) of the small ones. */
    long before = test_trips_count(trips);
    run_result r = ORB(f, "models");
    long models_trips = test_trips_count(trips) - before;
    printf("[%s] models: %ld round trips, connecting %ld\n", variable,
           models_trips, connect);
    assert_non_null(strstr(r.out, table));
    run_result_free(&r);
    if (models_trips > connect + 3)
        fail_msg("%s models: %ld round trips, budget %ld", variable,
                 models_trips, connect + 3);
    test_trips_stop(trips);
    free(proxied);
    f->use_models = 1;
    snprintf(f->url, sizeof f->url, "%s", url);
    drop_network_table(f);
}

/* PostgreSQL: the table, its columns and its keys in one pipeline. */
static void test_cli__postgresql_one_table_in_few_round_trips(void **state)
{
    one_table_round_trips(*state, "ORB_TEST_PG_URL", "sslmode=disable");
}

/* MariaDB: the schema in one query, it and the statement each prepared
 * and executed in one round trip. */
static void test_cli__mysql_one_table_in_few_round_trips(void **state)
{
    one_table_round_trips(*state, "ORB_TEST_MYSQL_URL", "ssl_mode=DISABLED");
}

/* ---- names in any script: größe, Straße, 名前 ---- */

/* A models file whose model, table and columns are not ASCII, and the
 * whole add / rows / get / set / filter / delete flow over it; returns
 * all of the output (owned). */
static char *names_flow(fixture *f)
{
    char buf[16384];
    size_t len = 0;
    static const char *const steps[][10] = {
        {"add", "Maß", "größe=12", "Straße=Hauptstraße 5", "名前=東京"},
        {"add", "Maß", "größe=7", "Straße=Rue de l'Été", "名前=Zoë"},
        {"rows", "Maß", "--format", "csv", "--order", "-größe"},
        {"schema", "Maß"},
        {"get", "Maß", "1"},
        {"set", "Maß", "2", "Straße=Öde Gasse", "--expect", "名前=Zoë"},
        {"count", "Maß", "--where",
         "\"größe\" > 10 or \"Straße\" startswith 'Öde'"},
        {"rows", "Maß", "--where", "\"名前\" = 'Zoë'", "--format", "json"},
        {"delete", "Maß", "1"},
        {"rows", "Maß"}};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        size_t n = 0;
        while (n < 10 && steps[i][n])
            n++;
        run_result r = orb_argv(f, steps[i], n);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "$ %s\n[%d]\n%s%s",
                                steps[i][0], r.status, r.out, r.err);
        assert_true(len < sizeof buf);
        run_result_free(&r);
    }
    return strdup(buf);
}

/* The flow on SQLite, and on the server of `variable` (NULL: SQLite
 * only), which must print the same. */
static void non_ascii_names(fixture *f, const char *variable)
{
    const char *url = variable ? test_server_url(variable) : NULL;
    char table[64], text[512], models[300], created[128];
    snprintf(table, sizeof table, "maße_%ld_%ld", (long)getpid(),
             (long)time(NULL) % 100000);
    snprintf(text, sizeof text,
             "[Maß]\n__tablename__ = %s\n__repr__ = <Maß {名前}>\n"
             "id = Integer primary_key\n"
             "größe = Integer not_null\n"
             "Straße = String(40)\n"
             "名前 = String(20) unique\n",
             table);
    snprintf(models, sizeof models, "%s/maße.ini", f->dir);
    file_write(models, text);
    snprintf(f->models, sizeof f->models, "%s", models);
    f->use_models = 1;
    snprintf(created, sizeof created, "%s: created\n", table);
    EXPECT(f, 0, created, "", "create-all", f->models);
    char *sqlite_text = names_flow(f);
    /* Every step worked, names and values as written. */
    const char *want[] = {
        "$ add\n[0]\n1\n",
        ("$ rows\n[0]\nid,größe,Straße,名前\r\n1,12,Hauptstraße 5,東京\r\n"
         "2,7,Rue de l'Été,Zoë\r\n"), /* one element */
        "größe: 12\nStraße: Hauptstraße 5\n名前: 東京\n",
        "$ set\n[0]\n",
        "$ count\n[0]\n2\n",
        "\"Straße\": \"Öde Gasse\"",
        "$ delete\n[0]\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(sqlite_text, want[i]))
            fail_msg("[%s] not in:\n%s", want[i], sqlite_text);
    if (url) {
        snprintf(f->net_url, sizeof f->net_url, "%s", url);
        snprintf(f->net_models, sizeof f->net_models, "%s", models);
        snprintf(f->url, sizeof f->url, "%s", url);
        drop_network_table(f); /* a leftover of a killed run */
        snprintf(f->net_url, sizeof f->net_url, "%s", url);
        EXPECT(f, 0, created, "", "create-all", f->models);
        char *server_text = names_flow(f);
        assert_string_equal(server_text, sqlite_text);
        free(server_text);
        drop_network_table(f);
    }
    free(sqlite_text);
}

static void test_cli__non_ascii_names_sqlite(void **state)
{
    non_ascii_names(*state, NULL);
}

static void test_cli__non_ascii_names_postgresql(void **state)
{
    non_ascii_names(*state, "ORB_TEST_PG_URL");
}

static void test_cli__non_ascii_names_mysql(void **state)
{
    non_ascii_names(*state, "ORB_TEST_MYSQL_URL");
}

/* ---- schema.table: a table of the current schema ---- */

/* Commands naming table `table` of the current schema `schema` (which
 * reflection leaves out of a model) as "schema.table", as written and in
 * double quotes, the schema read from the database (no models file):
 * readers (get, count, rows, export, a saved filter) and writers (set,
 * delete), and a name that does not exist, which is said so. */
static void qualified_flow(fixture *f, const char *schema, const char *table)
{
    char raw[256], quoted[256], missing[256], out[600], want[700];
    snprintf(raw, sizeof raw, "%s.%s", schema, table);
    snprintf(quoted, sizeof quoted, "\"%s\".\"%s\"", schema, table);
    snprintf(missing, sizeof missing, "%s.x%s", schema, table);
    snprintf(out, sizeof out, "%s/qualified.csv", f->dir);
    f->use_models = 0;
    EXPECT(f, 0, "id: 1\nNäme: Zoë\n", "", "get", quoted, "1");
    EXPECT(f, 0, "2\n", "", "count", raw);
    EXPECT(f, 0, "id,Näme\r\n1,Zoë\r\n2,東京\r\n", "", "rows", quoted,
           "--format", "csv");
    EXPECT(f, 0, "", "", "export", raw, "--where", "\"Näme\" = '東京'",
           "--format", "csv", "--output", out);
    FILE *fp = fopen(out, "r");
    char csv[256] = "";
    assert_non_null(fp);
    assert_true(fread(csv, 1, sizeof csv - 1, fp) > 0);
    fclose(fp);
    assert_string_equal(csv, "id,Näme\r\n2,東京\r\n");
    snprintf(want, sizeof want, "saved 'zoë' for %s: \"Näme\" = 'Zoë'\n", raw);
    EXPECT(f, 0, want, "", "filter", "save", "zoë", quoted, "\"Näme\" = 'Zoë'");
    EXPECT(f, 0, "id,Näme\r\n1,Zoë\r\n", "", "rows", raw, "--filter", "zoë",
           "--format", "csv");
    EXPECT(f, 0, "", "", "set", quoted, "1", "Näme=Ärger Öl");
    EXPECT(f, 0, "", "", "delete", raw, "2");
    EXPECT(f, 0, "id,Näme\r\n1,Ärger Öl\r\n", "", "rows", raw, "--format",
           "csv");
    snprintf(want, sizeof want,
             "orb: no model or table '%s' (did you mean "
             "'%s'?)\n",
             missing, table);
    EXPECT(f, 1, "", want, "count", missing);
    EXPECT(f, 1, "", want, "set", missing, "1", "Näme=x");
    f->use_models = 1;
}

/* The fixture's state database (saved filters) in its directory. */
static void private_state(fixture *f)
{
    char data[300];
    const char *old = getenv("XDG_DATA_HOME");
    f->old_xdg = old ? strdup(old) : NULL;
    f->xdg_changed = 1;
    snprintf(data, sizeof data, "%s/data", f->dir);
    setenv("XDG_DATA_HOME", data, 1);
}

/* SQLite names its database "main". */
static void test_cli__current_schema_qualified_names_sqlite(void **state)
{
    fixture *f = *state;
    private_state(f);
    exec_sql(f, "CREATE TABLE \"Mixed Täble\" (id INTEGER PRIMARY KEY,"
                " \"Näme\" TEXT)");
    exec_sql(f, "INSERT INTO \"Mixed Täble\" VALUES (1, 'Zoë'), (2, '東京')");
    qualified_flow(f, "main", "Mixed Täble");
}

/* PostgreSQL: a schema of mixed case with a space and a table of mixed
 * case, made current for orb by the URL (libpq's options). */
static void test_cli__current_schema_qualified_names_postgresql(void **state)
{
    fixture *f = *state;
    const char *url = test_server_url("ORB_TEST_PG_URL");
    char schema[64], table[64], sql[512];
    private_state(f);
    snprintf(schema, sizeof schema, "Orb Schäma %ld", (long)getpid());
    snprintf(table, sizeof table, "Mixed Täble");
    snprintf(f->url, sizeof f->url, "%s", url);
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS \"%s\" CASCADE", schema);
    exec_sql(f, sql);
    snprintf(sql, sizeof sql, "CREATE SCHEMA \"%s\"", schema);
    exec_sql(f, sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE \"%s\".\"%s\" (id integer PRIMARY KEY,"
             " \"Näme\" text)",
             schema, table);
    exec_sql(f, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO \"%s\".\"%s\" VALUES (1, 'Zoë'), (2, '東京')", schema,
             table);
    exec_sql(f, sql);
    /* search_path="Orb\ Schäma PID" (a backslash keeps the spaces in
     * libpq's options), percent-encoded. */
    assert_true(snprintf(f->url, sizeof f->url,
                         "%s%soptions=-csearch_path%%3D%%22Orb%%5C%%20Sch"
                         "%%C3%%A4ma%%5C%%20%ld%%22",
                         url, strchr(url, '?') ? "&" : "?",
                         (long)getpid()) < (int)sizeof f->url);
    qualified_flow(f, schema, table);
    snprintf(f->url, sizeof f->url, "%s", url);
    snprintf(sql, sizeof sql, "DROP SCHEMA \"%s\" CASCADE", schema);
    exec_sql(f, sql);
}

/* MariaDB: the test database's own name. */
static void test_cli__current_schema_qualified_names_mysql(void **state)
{
    fixture *f = *state;
    const char *url = test_server_url("ORB_TEST_MYSQL_URL");
    char table[64], sql[512];
    orm_url *parsed = NULL;
    orm_error e = ORM_ERROR_INIT;
    assert_int_equal(orm_url_parse(&parsed, url, &e), 0);
    private_state(f);
    snprintf(table, sizeof table, "Mixed Täble %ld", (long)getpid());
    snprintf(f->url, sizeof f->url, "%s", url);
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS `%s`", table);
    exec_sql(f, sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE `%s` (id int PRIMARY KEY, `Näme` text)", table);
    exec_sql(f, sql);
    snprintf(sql, sizeof sql, "INSERT INTO `%s` VALUES (1, 'Zoë'), (2, '東京')",
             table);
    exec_sql(f, sql);
    qualified_flow(f, parsed->database, table);
    snprintf(sql, sizeof sql, "DROP TABLE `%s`", table);
    exec_sql(f, sql);
    orm_url_free(parsed);
}

#define BOTH(X)                                                                \
    X(test_cli__create_all_reports_created_then_exists)                        \
    X(test_cli__rows_table_aligns_unicode_and_keeps_null_apart)                \
    X(test_cli__rows_csv_quotes_and_tells_null_from_empty)                     \
    X(test_cli__rows_json_types_values)                                        \
    X(test_cli__rows_tsv_escapes_and_marks_null)                               \
    X(test_cli__secrets_masked_unless_revealed)                                \
    X(test_cli__rows_where_order_limit_offset)                                 \
    X(test_cli__rows_table_truncates_long_values)                              \
    X(test_cli__get_prints_column_value_lines)                                 \
    X(test_cli__composite_key_in_key_order)                                    \
    X(test_cli__count_with_and_without_where)                                  \
    X(test_cli__set_changes_only_what_is_named)                                \
    X(test_cli__set_expect_mismatch_changes_nothing)                           \
    X(test_cli__set_where_updates_every_matching_row)                          \
    X(test_cli__colon_equals_null_is_null_equals_null_is_text)                 \
    X(test_cli__text_null_is_told_apart_from_null)                             \
    X(test_cli__unique_violation_names_column_changes_nothing)                 \
    X(test_cli__validation_errors_name_the_column)                             \
    X(test_cli__unknown_column_suggests_the_right_one)                         \
    X(test_cli__unknown_model_suggests_the_right_one)                          \
    X(test_cli__delete_is_one_transaction)                                     \
    X(test_cli__usage_errors_exit_2)                                           \
    X(test_cli__schema_describes_columns)                                      \
    X(test_cli__models_lists_tables_with_counts)                               \
    X(test_cli__models_marks_a_dropped_table)                                  \
    X(test_cli__reflected_tables_work_without_models_file)                     \
    X(test_cli__models_file_problems_are_an_error)                             \
    X(test_cli__unknown_column_errors_quote_a_bounded_name)                    \
    X(test_cli__failed_commit_says_what_is_true)                               \
    X(test_cli__read_only_refuses_changes)                                     \
    X(test_cli__views_and_generated_columns_are_read_only)                     \
    X(test_cli__missing_sqlite_file_is_not_created)                            \
    X(test_cli__mode_ro_reads_and_refuses_changes)                             \
    X(test_cli__command_on_one_table_reads_only_its_schema)                    \
    X(test_cli__password_never_shown)                                          \
    X(test_cli__demo_database_made_once_and_the_same_everywhere)               \
    X(test_cli__postgresql_prints_the_same_rows)                               \
    X(test_cli__mysql_prints_the_same_rows)                                    \
    X(test_cli__postgresql_one_table_in_few_round_trips)                       \
    X(test_cli__mysql_one_table_in_few_round_trips)                            \
    X(test_cli__non_ascii_names_sqlite)                                        \
    X(test_cli__non_ascii_names_postgresql)                                    \
    X(test_cli__non_ascii_names_mysql)                                         \
    X(test_cli__current_schema_qualified_names_sqlite)                         \
    X(test_cli__current_schema_qualified_names_postgresql)                     \
    X(test_cli__current_schema_qualified_names_mysql)

#define BINARY_ONLY(X)                                                         \
    X(test_cli__terminal_output_escapes_controls_and_bidi)                     \
    X(test_cli__help_lists_every_command)                                      \
    X(test_cli__global_options_and_their_errors)                               \
    X(test_cli__browser_without_a_terminal_says_so)                            \
    X(test_cli__password_prompt_does_not_echo)                                 \
    X(test_cli__read_only_file_opens_for_another_user)

#define IN_PROCESS(t)                                                          \
    cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &inprocess),
#define THROUGH_BINARY(t)                                                      \
    cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &binary),

int main(void)
{
    const struct CMUnitTest in_process[] = {BOTH(IN_PROCESS)};
    const struct CMUnitTest through_binary[] = {
        BOTH(THROUGH_BINARY) BINARY_ONLY(THROUGH_BINARY)};
    int failures = 0;
    failures +=
        cmocka_run_group_tests_name("cli in-process", in_process, NULL, NULL);
    failures += cmocka_run_group_tests_name("cli through the orb binary",
                                            through_binary, NULL, NULL);
    return failures;
}
