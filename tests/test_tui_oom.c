/*
 * Out of memory in the browser: key-fed workloads on the in-memory
 * screen over a SQLite database run once for every N with the Nth
 * allocation failing, the program's (tui/core/mem.h) or the core's
 * (orm/src/alloc.h), counted as one sequence. Five workloads, each a
 * sweep over its own allocations: "browse" (start, the models list, the
 * rows screen, a column summary, an edit form, undo, the form again,
 * review, commit, the filter builder, clearing the filter), "recover"
 * (an earlier run's recovery journal offered at start and restored, the
 * conflict screen), "screens" (the record view, back-references, help,
 * the messages screen), "picker" (the foreign key picker, the quit
 * question) and
 * "filters" (saving a filter, applying it from the saved filters). A run
 * stops at the key group during which the allocation failed, and checks: the
 * failure is said (an error on the status line, or "out of memory" where
 * the screen shows a problem of its own, or an error said during the
 * group that a later key of it took off the status line); nothing
 * restored from the journal nor written is lost (it is pending, or
 * still in the journal's file); no pending change is
 * lost (only a commit or an undo may lower the pending count, and a
 * commit that lowered it wrote the change); text typed into a form is
 * still there, in the form or pending; and, after the app is freed,
 * nothing leaked (LeakSanitizer checks at exit in the ASan build: some
 * 12,000 runs are too many for valgrind). Without a fault each key group
 * ends on the screen it is meant to. A failure that said nothing must
 * leave no trace: the workload then goes on and ends as without it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <sys/stat.h>
#include <time.h>

#include "alloc.h"
#include "journal.h"
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

typedef enum step_kind {
    STEP_KEYS,
    STEP_UNDO,
    STEP_COMMIT,
    STEP_RESTORE /* y on the offer of a journal: restored, or still offered */
} step_kind;

typedef struct step {
    const char *keys;
    step_kind kind;
    const char *top; /* the screen on top after it, without a fault */
    int typed;       /* "Zoë" was typed into a form and saved */
} step;

/* The first customer's name becomes this (Alice before). */
#define NEW_NAME "Zoë Å"

static const step steps[] = {
    {"/Cu<Enter>", STEP_KEYS, "rows", 0},
    {"i", STEP_KEYS, "summary", 0}, /* the summary of the current column */
    {"<Esc>", STEP_KEYS, "rows", 0},
    {"e", STEP_KEYS, "form", 0},
    {"<C-u>Zoë", STEP_KEYS, "form", 0},
    {"<C-s>", STEP_KEYS, "rows", 1},
    {"u", STEP_UNDO, "rows", 0},
    {"e", STEP_KEYS, "form", 0},
    {"<C-u>" NEW_NAME, STEP_KEYS, "form", 0},
    {"<C-s>", STEP_KEYS, "rows", 1},
    {"w", STEP_KEYS, "review", 0},
    {"y", STEP_COMMIT, "rows", 0},
    {"f", STEP_KEYS, "filter-builder", 0},
    {"aj<Enter>jj<Enter>", STEP_KEYS, "filter-builder", 0}, /* name contains */
    {"ng<Enter>", STEP_KEYS, "filter-builder", 0},
    {"<Enter>", STEP_KEYS, "rows", 0},
    {"C", STEP_KEYS, "rows", 0},
};

/*
 * The "recover" workload: an earlier run left the first customer renamed
 * to NEW_NAME in its recovery journal, and someone renamed her since.
 * Start offers the journal back; y restores it; the write meets the
 * conflict screen, r reloads and re-applies the edit, y writes it.
 */
static const step steps_recover[] = {
    {"y", STEP_RESTORE, "models", 0}, {"/Cu<Enter>", STEP_KEYS, "rows", 0},
    {"w", STEP_KEYS, "review", 0},    {"y", STEP_COMMIT, "conflict", 0},
    {"r", STEP_KEYS, "review", 0},    {"y", STEP_COMMIT, "rows", 0},
};

/*
 * The "screens" workload: the record view (and its next row),
 * back-references, help and the messages screen are looked at.
 */
static const step steps_screens[] = {
    {"/Cu<Enter>", STEP_KEYS, "rows", 0}, {"<Enter>", STEP_KEYS, "record", 0},
    {"j", STEP_KEYS, "record", 0}, /* the next row: Bob */
    {"b", STEP_KEYS, "backrefs", 0},      {"q", STEP_KEYS, "record", 0},
    {"q", STEP_KEYS, "rows", 0},          {"?", STEP_KEYS, "help", 0},
    {"q", STEP_KEYS, "rows", 0},          {"<C-g>", STEP_KEYS, "messages", 0},
    {"q", STEP_KEYS, "rows", 0},
};

/* The "picker" workload: an order's customer is picked in the picker,
 * the quit question is asked and cancelled, the change undone. */
static const step steps_picker[] = {
    {"/Or<Enter>", STEP_KEYS, "rows", 0},
    {"e", STEP_KEYS, "form", 0},
    {"<C-p>", STEP_KEYS, "picker", 0},
    {"Chloé<Enter>", STEP_KEYS, "form", 0},
    {"<C-s>", STEP_KEYS, "rows", 0},
    {"Q", STEP_KEYS, "quit", 0},
    {"<Esc>", STEP_KEYS, "rows", 0},
    {"u", STEP_UNDO, "rows", 0},
};

/* The "filters" workload: a filter saved, and applied from the saved
 * filters. */
static const step steps_filters[] = {
    {"/Or<Enter>", STEP_KEYS, "rows", 0},
    {"f:note = 'gift wrap'<Enter>", STEP_KEYS, "filter-builder", 0},
    {"sZoë f<Enter>", STEP_KEYS, "filter-builder", 0},
    {"<Esc>", STEP_KEYS, "rows", 0},
    {"F", STEP_KEYS, "saved-filters", 0},
    {"<Enter>", STEP_KEYS, "rows", 0},
    {"C", STEP_KEYS, "rows", 0},
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

/* Where the app's recent messages stood before a key group. */
typedef struct said_mark {
    size_t next;      /* the ring's next slot */
    unsigned repeats; /* how often the newest was said */
} said_mark;

static said_mark said_mark_of(tui_app *app)
{
    said_mark m = {app->recent_next, 0};
    tui_app_recent(app, 0, NULL, &m.repeats);
    return m;
}

/* Did the app say so: an error on the status line, or "out of memory"
 * where the screen shows a problem of its own (the filter builder's
 * prompt line, a form field)? Or an error said since `mark` that a later
 * key of the group took off the status line (the messages screen keeps
 * it)? */
static int said(tui_fixture *fx, const said_mark *mark)
{
    tui_app *app = fx->app;
    tui_app_draw(app);
    if (app->message_error || tui_screen_find(fx->scr, "out of memory") >= 0)
        return 1;
    if (!mark)
        return 0;
    size_t added =
        (app->recent_next + TUI_MESSAGES_KEPT - mark->next) % TUI_MESSAGES_KEPT;
    int error;
    unsigned repeats;
    for (size_t i = 0; i <= added; i++)
        if (tui_app_recent(app, i, &error, &repeats) && error &&
            (i < added || repeats != mark->repeats))
            return 1;
    return 0;
}

/* Fail showing where the allocation failed and the screen. */
static void fail_at_site(tui_fixture *fx, const char *why)
{
    char where[512];
    snprintf(where, sizeof where, "allocation %ld at %s:%d", oom.at,
             oom.file ? oom.file : "?", oom.line);
    fx_dump_fail(fx, why, where);
}

/* The journal an earlier run left, in this run's folder ("": none). */
static char journal_file[256];

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
    case STEP_RESTORE: /* restored, or still offered */
        if (pending != pending_before + 1 &&
            !(app->journal && tui_journal_waiting(app->journal)))
            fail_at_site(fx, "the journal's changes are neither pending nor "
                             "offered after running out of memory");
        break;
    case STEP_KEYS:
        if (pending < pending_before)
            fail_msg("keys [%s] that ran out of memory at %s:%d lost %zu "
                     "pending changes",
                     st->keys, oom.file, oom.line, pending_before - pending);
        break;
    }
    /* The journal's change not yet written is pending or still in its
     * file, to be offered at the next start. */
    if (journal_file[0] && pending == 0 && access(journal_file, F_OK) != 0 &&
        !db_has_new_name(fx))
        fail_at_site(fx, "the journal's change is gone after running out "
                         "of memory");
    /* Text typed into a form and saved is in the form or pending. */
    if (st->typed) {
        if (fx_row_of(fx, "Zoë") < 0)
            fail_at_site(fx, "the typed name is gone after running out of "
                             "memory");
    }
}

/* The databases runs start from, made once by the fixture: as filled,
 * and for the second workload with the first customer renamed after an
 * earlier run journaled its edit (template_journal, which names the
 * folder template_dir). */
static orm_buf template_db = ORM_BUF_INIT;
static orm_buf template_db2 = ORM_BUF_INIT;
static orm_buf template_journal = ORM_BUF_INIT;
static char template_dir[64];

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

static void file_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A copy of `db` in a folder of its own, in memory when /dev/shm is
 * there (the recovery journal and SQLite sync their files on every
 * change). */
static void fx_open_copy(tui_fixture *fx, const orm_buf *db)
{
    char path[256];
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "%s/orb-tui-oom-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(fx->dir))
        fail_msg("mkdtemp failed");
    snprintf(path, sizeof path, "%s/test.db", fx->dir);
    file_write(path, db->data, db->len);
    snprintf(fx->url, sizeof fx->url, "sqlite:///%s/test.db", fx->dir);
    snprintf(state_path, sizeof state_path, "%s/state.db", fx->dir);
    fx->opts.state_file = state_path;
    fx_check(orm_db_open(&fx->db, fx->url, NULL), fx->db, "open");
    const orm_model *models[] = {&FxCustomer, &FxOrder, &FxItem, &FxLog,
                                 &FxNote};
    for (size_t i = 0; i < 5; i++)
        fx_check(orm_db_register(fx->db, models[i]), fx->db, "register");
}

static void journal_dir(char *out, size_t size, const tui_fixture *fx)
{
    snprintf(out, size, "%s/journal", fx->dir);
}

/* The second workload's start: an app edits the first customer and is
 * gone without writing (what a crash leaves), then someone else renames
 * her. */
static void template2_make(void)
{
    tui_fixture fx;
    char dir[128], path[256];
    orm_session *s = NULL;
    orm_record *rec = NULL;
    orm_value key = orm_value_int(1);
    fx_open_copy(&fx, &template_db);
    journal_dir(dir, sizeof dir, &fx);
    fx_start(&fx, 12, 80);
    tui_app_journal(fx.app, dir);
    fx_send(&fx, "/Cu<Enter>e<C-u>" NEW_NAME "<C-s>");
    assert_int_equal(pending_of(fx.app), 1);
    snprintf(path, sizeof path, "%s", tui_journal_path(fx.app->journal));
    tui_app_free(fx.app);
    fx.app = NULL;
    assert_int_equal(orm_buf_read_file(&template_journal, path, 1 << 24), 0);
    fx_check(orm_session_new(&s, fx.db), fx.db, "session");
    assert_int_equal(orm_session_get(s, &FxCustomer, &key, &rec), ORM_ROW);
    fx_set(rec, "name", orm_value_text("Alice B."));
    fx_commit(&fx, s);
    orm_session_free(s);
    orm_db_free(fx.db);
    fx.db = NULL;
    snprintf(path, sizeof path, "%s/test.db", fx.dir);
    assert_int_equal(orm_buf_read_file(&template_db2, path, 1 << 24), 0);
    snprintf(template_dir, sizeof template_dir, "%s", fx.dir);
    fx_close_copy(&fx);
}

/* The journal template_journal, in this run's folder under the name
 * this run's URL has (the same length: only the folder's name differs). */
static void journal_copy(tui_fixture *fx)
{
    char dir[128];
    tui_journal *j = NULL;
    orm_error err = ORM_ERROR_INIT;
    journal_dir(dir, sizeof dir, fx);
    assert_int_equal(tui_journal_open(&j, dir, fx->url, &err), 0);
    snprintf(journal_file, sizeof journal_file, "%s", tui_journal_path(j));
    tui_journal_free(j);
    orm_error_clear(&err);
    char *text = strndup(template_journal.data, template_journal.len);
    size_t n = strlen(template_dir);
    assert_int_equal(strlen(fx->dir), n);
    for (char *p = text; (p = strstr(p, template_dir)) != NULL; p += n)
        memcpy(p, fx->dir, n);
    file_write(journal_file, text, template_journal.len);
    free(text);
}

/* A workload: its key groups, and what it starts from. */
typedef struct workload_def {
    const char *name;
    const step *steps;
    size_t n;
    const orm_buf *db;
    int journal; /* an earlier run's journal is offered at start */
    int writes;  /* it ends with NEW_NAME written */
} workload_def;

#define STEPS(a) a, sizeof a / sizeof *a

/* Separate sweeps: the cost of one grows as the square of its length. */
static const workload_def workloads[] = {
    {"browse", STEPS(steps), &template_db, 0, 1},
    {"recover", STEPS(steps_recover), &template_db2, 1, 1},
    {"screens", STEPS(steps_screens), &template_db, 0, 0},
    {"picker", STEPS(steps_picker), &template_db, 0, 0},
    {"filters", STEPS(steps_filters), &template_db, 0, 0},
};

/* One run; stops after the first key group that met a failure. */
static void workload(const workload_def *w)
{
    tui_fixture fx;
    int faultless = !oom.fail_at; /* each screen is checked */
    hooks_set(0);
    fx_open_copy(&fx, w->db);
    journal_file[0] = '\0';
    if (w->journal)
        journal_copy(&fx);
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
    if (w->journal) {
        char dir[128];
        journal_dir(dir, sizeof dir, &fx);
        tui_app_journal(fx.app, dir);
    }
    tui_app_draw(fx.app);
    tui_app_settle(fx.app);
    tui_app_draw(fx.app);
    int silent = 0; /* a failure that said nothing: the outcome must not
                       change */
    if (oom.failed) {
        if (said(&fx, NULL)) {
            oom.fail_at = 0;
            if (journal_file[0] && access(journal_file, F_OK) != 0)
                fail_at_site(&fx, "the journal is gone after running out "
                                  "of memory at start");
            goto done;
        }
        silent = 1;
        oom.fail_at = 0;
    }
    if (faultless && w->journal && strcmp(fx_top_name(&fx), "recover") != 0)
        fx_dump_fail(&fx, "the journal is not offered", w->name);
    for (size_t i = 0; i < w->n; i++) {
        size_t before = pending_of(fx.app);
        said_mark mark = said_mark_of(fx.app);
        tui_app_send(fx.app, w->steps[i].keys); /* draws after each key */
        tui_app_settle(fx.app);
        if (oom.failed && !silent) {
            if (said(&fx, &mark)) {
                check_failed_step(&fx, &w->steps[i], before);
                goto done;
            }
            silent = 1;
            oom.fail_at = 0;
        }
        if (faultless && strcmp(fx_top_name(&fx), w->steps[i].top) != 0)
            fx_dump_fail(&fx, "a key group without a fault ends elsewhere",
                         w->steps[i].keys);
    }
    /* Without a fault, or after one that said nothing: the edit was
     * written (by the workloads that write it) and the filter cleared. */
    if (pending_of(fx.app) != 0 || (w->writes && !db_has_new_name(&fx)) ||
        strcmp(tui_app_top(fx.app)->ops->name, "rows") != 0 ||
        fx.app->message_error)
        fail_at_site(&fx, "running out of memory said nothing but changed "
                          "the outcome");
done:
    hooks_set(0);
    fx_close_copy(&fx);
}

/* Fail each allocation of workload w in turn. */
static void sweep(const workload_def *w)
{
    /* A run without faults first: one-time allocations are made, and the
     * count of allocations is known. */
    oom.fail_at = 0;
    workload(w);
    oom.count = 0;
    workload(w);
    long total = oom.count;
    long n;
    /* TUI_OOM_FROM and TUI_OOM_TO run only those N, to look at one
     * failure under gdb or valgrind; TUI_OOM_STEP=K only every Kth from
     * the first (the sanitized build: each run costs ten times as much
     * there, and every N runs in the ordinary build); TUI_OOM_ONLY=NAME
     * only that workload. */
    const char *from = getenv("TUI_OOM_FROM"), *to = getenv("TUI_OOM_TO");
    const char *stride = getenv("TUI_OOM_STEP");
    long every = stride && atol(stride) > 0 ? atol(stride) : 1, runs = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (n = from ? atol(from) : 1;; n += every) {
        oom.count = 0;
        oom.fail_at = n;
        oom.failed = 0;
        oom.file = NULL;
        workload(w);
        if (!oom.failed)
            break;
        runs++;
        if (to && n >= atol(to))
            break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* The first N that did not fail is past the last allocation. */
    if (!from && !to && (n <= total || n - every >= total + 1))
        fail_msg("the %s workload made %ld allocations, but stopped failing "
                 "at %ld",
                 w->name, total, n);
    printf("tui_oom: failed %ld of the %s workload's %ld allocations in turn "
           "(every %ld) in %.1f s\n",
           runs, w->name, total, every,
           (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

static void test_tui_oom__every_allocation_failure_is_shown(void **state)
{
    (void)state;
    const char *only = getenv("TUI_OOM_ONLY");
    template_make();
    template2_make();
    for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++)
        if (!only || strcmp(only, workloads[i].name) == 0)
            sweep(&workloads[i]);
    orm_buf_free(&template_db);
    orm_buf_free(&template_db2);
    orm_buf_free(&template_journal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tui_oom__every_allocation_failure_is_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
