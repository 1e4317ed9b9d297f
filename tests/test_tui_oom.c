/*
 * Out of memory in the browser: a key-fed workload on the in-memory
 * screen over a SQLite database (start, the models list, the rows
 * screen, a column summary, an edit form, undo, the form again, review,
 * commit, the filter builder, clearing the filter) runs once for every
 * N with the Nth allocation failing, the program's (tui/core/mem.h) or
 * the core's (orm/src/alloc.h), counted as one sequence. A run stops at
 * the key group during which the allocation failed, and checks: the
 * failure is said (an error on the status line, or "out of memory" where
 * the screen shows a problem of its own); no pending change is
 * lost (only a commit or an undo may lower the pending count, and a
 * commit that lowered it wrote the change); text typed into a form is
 * still there, in the form or pending; and, after the app is freed,
 * nothing leaked (LeakSanitizer checks at exit in the ASan build: some
 * 3700 runs are too many for valgrind). A failure that said nothing must
 * leave no trace: the workload then goes on and ends as without it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <sys/stat.h>

#include "alloc.h"
#include "mem.h"
#include "test_tui_fixture.h"

/* ---- the hook: count allocations of both layers, fail the Nth ---- */

static struct {
    long count;   /* allocations so far in this run */
    long fail_at; /* fail this one (1-based); 0: none */
    int failed;   /* did it? */
    long at;      /* which one failed */
    const char *file;
    int line;
} oom;

static int oom_hook(size_t size, const char *file, int line, void *payload)
{
    (void)size;
    (void)payload;
    oom.count++;
    if (oom.fail_at && oom.count == oom.fail_at) {
        oom.failed = 1;
        oom.at = oom.count;
        oom.file = file;
        oom.line = line;
        return 1;
    }
    return 0;
}

static void hooks_set(int on)
{
    orm_alloc_hook_set(on ? oom_hook : NULL, NULL);
    tui_mem_hook_set(on ? oom_hook : NULL, NULL);
}

/* ---- the workload ---- */

typedef enum step_kind { STEP_KEYS, STEP_UNDO, STEP_COMMIT } step_kind;

typedef struct step {
    const char *keys;
    step_kind kind;
} step;

/* The first customer's name becomes this (Alice before). */
#define NEW_NAME "Zoë Å"

static const step steps[] = {
    {"/Cu<Enter>", STEP_KEYS},
    {"i", STEP_KEYS}, /* the summary of the current column */
    {"<Esc>", STEP_KEYS},
    {"e", STEP_KEYS},
    {"<C-u>Zoë", STEP_KEYS},
    {"<C-s>", STEP_KEYS},
    {"u", STEP_UNDO},
    {"e", STEP_KEYS},
    {"<C-u>" NEW_NAME, STEP_KEYS},
    {"<C-s>", STEP_KEYS},
    {"w", STEP_KEYS},
    {"y", STEP_COMMIT},
    {"f", STEP_KEYS},
    {"aj<Enter>jj<Enter>", STEP_KEYS}, /* name contains */
    {"ng<Enter>", STEP_KEYS},
    {"<Enter>", STEP_KEYS},
    {"C", STEP_KEYS},
};

static size_t pending_of(tui_app *app)
{
    return app->session ? orm_session_pending_count(app->session) : 0;
}

/* The name of customer 1 in the database, through a connection of its
 * own, not counted. */
static int db_has_new_name(tui_fixture *fx)
{
    orm_db *db = NULL;
    orm_session *s = NULL;
    orm_query *q = NULL;
    int64_t n = -1;
    hooks_set(0);
    fx_check(orm_db_open(&db, fx->url, NULL), db, "open");
    fx_check(orm_db_register(db, &FxCustomer), db, "register");
    fx_check(orm_session_new(&s, db), db, "session");
    fx_check(orm_query_new(&q, s, &FxCustomer), db, "query");
    fx_check(orm_query_where(q, "id = 1 and name = '" NEW_NAME "'"), db,
             "where");
    fx_check(orm_query_count(q, &n), db, "count");
    orm_query_free(q);
    orm_session_free(s);
    orm_db_free(db);
    hooks_set(1);
    return n == 1;
}

/* Did the app say so: an error on the status line, or "out of memory"
 * where the screen shows a problem of its own (the filter builder's
 * prompt line, a form field)? */
static int said(tui_fixture *fx)
{
    tui_app_draw(fx->app);
    return fx->app->message_error ||
           tui_screen_find(fx->scr, "out of memory") >= 0;
}

/* Fail showing where the allocation failed and the screen. */
static void fail_at_site(tui_fixture *fx, const char *why)
{
    char where[512];
    snprintf(where, sizeof where, "allocation %ld at %s:%d", oom.at,
             oom.file ? oom.file : "?", oom.line);
    fx_dump_fail(fx, why, where);
}

/* What must hold after a key group during which an allocation failed. */
static void check_failed_step(tui_fixture *fx, const step *st,
                              size_t pending_before)
{
    tui_app *app = fx->app;
    size_t pending = pending_of(app);

    oom.fail_at = 0; /* checking, nothing fails */
    tui_app_draw(app);
    switch (st->kind) {
    case STEP_COMMIT:
        if (pending != pending_before && !(pending == 0 && db_has_new_name(fx)))
            fail_msg("a commit that ran out of memory at %s:%d lost %zu "
                     "pending changes",
                     oom.file, oom.line, pending_before - pending);
        break;
    case STEP_UNDO:
        if (pending != pending_before && pending + 1 != pending_before)
            fail_msg("an undo at %s:%d dropped %zu pending changes", oom.file,
                     oom.line, pending_before - pending);
        break;
    case STEP_KEYS:
        if (pending < pending_before)
            fail_msg("keys [%s] that ran out of memory at %s:%d lost %zu "
                     "pending changes",
                     st->keys, oom.file, oom.line, pending_before - pending);
        break;
    }
    /* Text typed into a form and saved is in the form or pending. */
    if (st == &steps[5] || st == &steps[9]) {
        if (fx_row_of(fx, "Zoë") < 0)
            fail_at_site(fx, "the typed name is gone after running out of "
                             "memory");
    }
}

/* The database every run starts from, made once by the fixture. */
static orm_buf template_db = ORM_BUF_INIT;

static void template_make(void)
{
    tui_fixture fx;
    char path[256];
    fx_open_db(&fx, 20);
    snprintf(path, sizeof path, "%s/test.db", fx.dir);
    orm_db_free(fx.db);
    fx.db = NULL;
    assert_int_equal(orm_buf_read_file(&template_db, path, 1 << 24), 0);
    fx_close(&fx);
}

static char state_path[128]; /* orb's own state, beside the database */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The app, its screen and database freed, the folder removed. */
static void fx_close_copy(tui_fixture *fx)
{
    tui_app_free(fx->app);
    if (fx->scr)
        fx->scr->ops->free(fx->scr);
    orm_db_free(fx->db);
    if (nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "could not remove %s\n", fx->dir);
}

/* A copy of it in a folder of its own, in memory when /dev/shm is there
 * (the recovery journal and SQLite sync their files on every change). */
static void fx_open_copy(tui_fixture *fx)
{
    char path[256];
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "%s/orb-tui-oom-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(fx->dir))
        fail_msg("mkdtemp failed");
    snprintf(path, sizeof path, "%s/test.db", fx->dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(template_db.data, 1, template_db.len, f),
                     template_db.len);
    assert_int_equal(fclose(f), 0);
    snprintf(fx->url, sizeof fx->url, "sqlite:///%s/test.db", fx->dir);
    snprintf(state_path, sizeof state_path, "%s/state.db", fx->dir);
    fx->opts.state_file = state_path;
    fx_check(orm_db_open(&fx->db, fx->url, NULL), fx->db, "open");
    const orm_model *models[] = {&FxCustomer, &FxOrder, &FxItem, &FxLog,
                                 &FxNote};
    for (size_t i = 0; i < 5; i++)
        fx_check(orm_db_register(fx->db, models[i]), fx->db, "register");
}

/* One run; stops after the first key group that met a failure. */
static void workload(void)
{
    tui_fixture fx;
    hooks_set(0);
    fx_open_copy(&fx);
    hooks_set(1);

    int rc = tui_screen_mem_new(&fx.scr, 12, 80);
    if (rc == 0)
        rc = tui_app_new(&fx.app, fx.db, &fx.opts, fx.scr, fx.dir);
    if (rc == 0)
        rc = tui_app_start(fx.app);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        goto done;
    }
    tui_app_draw(fx.app);
    tui_app_settle(fx.app);
    tui_app_draw(fx.app);
    int silent = 0; /* a failure that said nothing: the outcome must not
                       change */
    if (oom.failed) {
        if (said(&fx))
            goto done;
        silent = 1;
        oom.fail_at = 0;
    }
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        size_t before = pending_of(fx.app);
        tui_app_send(fx.app, steps[i].keys); /* draws after each key */
        tui_app_settle(fx.app);
        if (oom.failed && !silent) {
            if (said(&fx)) {
                check_failed_step(&fx, &steps[i], before);
                goto done;
            }
            silent = 1;
            oom.fail_at = 0;
        }
    }
    /* Without a fault, or after one that said nothing: the edit was
     * written and the filter cleared. */
    if (pending_of(fx.app) != 0 || !db_has_new_name(&fx) ||
        strcmp(tui_app_top(fx.app)->ops->name, "rows") != 0 ||
        fx.app->message_error)
        fail_at_site(&fx, "running out of memory said nothing but changed "
                          "the outcome");
done:
    hooks_set(0);
    fx_close_copy(&fx);
}

static void test_tui_oom__every_allocation_failure_is_shown(void **state)
{
    (void)state;
    template_make();
    /* A run without faults first: one-time allocations are made, and the
     * count of allocations is known. */
    oom.fail_at = 0;
    workload();
    oom.count = 0;
    workload();
    long total = oom.count;
    long n;
    /* TUI_OOM_FROM and TUI_OOM_TO run only those N, to look at one
     * failure under gdb or valgrind; TUI_OOM_STEP=K only every Kth from
     * the first (the sanitized build: each run costs ten times as much
     * there, and every N runs in the ordinary build). */
    const char *from = getenv("TUI_OOM_FROM"), *to = getenv("TUI_OOM_TO");
    const char *stride = getenv("TUI_OOM_STEP");
    long every = stride && atol(stride) > 0 ? atol(stride) : 1, runs = 0;
    for (n = from ? atol(from) : 1;; n += every) {
        oom.count = 0;
        oom.fail_at = n;
        oom.failed = 0;
        oom.file = NULL;
        workload();
        if (!oom.failed)
            break;
        runs++;
        if (to && n >= atol(to))
            break;
    }
    orm_buf_free(&template_db);
    /* The first N that did not fail is past the last allocation. */
    if (!from && !to && (n <= total || n - every >= total + 1))
        fail_msg("the workload made %ld allocations, but stopped failing "
                 "at %ld",
                 total, n);
    printf("tui_oom: failed %ld of the workload's %ld allocations in turn "
           "(every %ld)\n",
           runs, total, every);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tui_oom__every_allocation_failure_is_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
