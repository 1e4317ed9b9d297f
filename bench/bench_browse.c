/*
 * bench_browse: how browsing a big table scales. For SQLite tables of
 * 10k, 1M and 10M rows (chosen by argument) it measures, through the very
 * row cache the rows screen uses (tui/core/rowcache.c and its sort keys,
 * sort.c, compiled in here since benchmarks link only the orm library):
 *
 *   first screen   a sorted first page (40 rows + margin)
 *   page down x100, page up x100   keyset paging in that sort
 *   count          the row count the screen makes after its first draw
 *   last page      the jump to the end (order reversed, LIMIT)
 *   goto middle    ":N" to the middle row (an OFFSET query: grows with N)
 *   middle pages   page down x100 then up x100 from the middle
 *   goto unindexed ":N" to the middle row sorted by an unindexed column
 *                  (price): the one OFFSET query the rows screen sends
 *   search         a search no row matches (note contains "zzz"), sorted
 *                  by price: the whole table read, run to its end
 *   search stopped the same search stopped after 50 ms with
 *                  orm_db_cancel from another thread, as Esc does:
 *                  milliseconds from the cancel to the call's return
 *   open, counting the first screen opened while the row count runs in
 *                  the background, as Enter on the models screen right
 *                  after it shows: the key cancels the count first (ms
 *                  from the key to the first page); "count + open" is
 *                  the same without cancelling (the count first)
 *   summary        the `i` key's column summary (orm_query_summary, top
 *                  100) of grp (10 values, no index) and of label (every
 *                  value distinct, indexed), each also as a multiple of
 *                  the count measured in the same process
 *   peak RSS       getrusage ru_maxrss of a process that did only this
 *
 * and prints each against the 10k table. The data is generated with
 * sqlite3 directly (a recursive CTE in one transaction), since generation
 * is not what is measured; files are kept in --dir and reused when their
 * row count matches, so a second run skips the ~30 s of a 10M table.
 *
 *   bench_browse [--dir DIR] [--regen] [SIZE...]   SIZE: 10k 1m 10m 250000
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../tui/core/mem.c"
#include "../tui/core/rowcache.c"
#include "../tui/core/sort.c"

#define PAGE      40
#define PAGES     100
#define MAX_SIZES 8

static const orm_column bench_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "label", .type = ORM_STRING, .length = 40, .flags = ORM_INDEX},
    {.name = "grp", .type = ORM_INTEGER},
    {.name = "price", .type = ORM_FLOAT},
    {.name = "note", .type = ORM_TEXT},
};
static const orm_model BenchItem =
    ORM_MODEL("BenchItem", "bench_items", bench_columns);

typedef struct result {
    double first_ms, down_ms, up_ms, count_ms, last_ms;
    double goto_ms, mid_down_ms;
    double goto_unindexed_ms, search_ms, search_cancel_ms;
    double open_counting_ms, count_then_open_ms;
    int search_cancelled;
    double sum_grp_ms, sum_label_ms;
    long rss_kb;
    long cache_peak;
    long long total;
    int ok;
} result;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int parse_size(const char *s, long long *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v <= 0)
        return -1;
    if (*end == 'k' || *end == 'K')
        v *= 1e3, end++;
    else if (*end == 'm' || *end == 'M')
        v *= 1e6, end++;
    if (*end)
        return -1;
    *out = (long long)v;
    return 0;
}

static long long rows_in(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT max(id) FROM bench_items", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Fast generation with sqlite3 itself. */
static int generate(const char *path, long long n)
{
    sqlite3 *db = NULL;
    char sql[1024];
    char *err = NULL;
    double t0 = now_ms();
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    snprintf(sql, sizeof sql,
             "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
             "CREATE TABLE bench_items (id INTEGER PRIMARY KEY,"
             " label VARCHAR(40), grp INTEGER, price REAL, note TEXT);"
             "BEGIN;"
             "INSERT INTO bench_items (id, label, grp, price, note)"
             " WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
             "  FROM c WHERE x < %lld)"
             " SELECT x, printf('item-%%09d', (x * 7919) %% %lld),"
             "  x %% 100, x * 0.01, 'note for row ' || x FROM c;"
             "COMMIT;"
             "CREATE INDEX ix_bench_items_label ON bench_items (label);",
             n, n);
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "bench_browse: generating %s: %s\n", path,
                err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
    fprintf(stderr, "generated %lld rows in %.1f s\n", n,
            (now_ms() - t0) / 1e3);
    return rc == SQLITE_OK ? 0 : -1;
}

static int check(tui_rowcache *rc, int code, const char *what)
{
    if (code)
        fprintf(stderr, "bench_browse: %s: %s\n", what,
                orm_error_text(tui_rowcache_error(rc)));
    return code;
}

/* A row cache call on a thread of its own, for another thread to
 * cancel. */
typedef struct bench_call {
    tui_rowcache *rc;
    const orm_expr *filter;
    tui_sort sort;
    size_t n;
    int count; /* tui_rowcache_count instead of a restart */
    int code;
    volatile double ended_ms; /* set by the thread when it returns */
} bench_call;

static void *bench_call_run(void *payload)
{
    bench_call *c = payload;
    c->code = c->count ? tui_rowcache_count(c->rc)
                       : tui_rowcache_restart(c->rc, c->filter, 0, &c->sort,
                                              c->n, NULL, NULL);
    c->ended_ms = now_ms();
    return NULL;
}

/* Start `c`, wait `after_ms`, then cancel every 5 ms (as the browser
 * repeats it) until it returns: ms from the first cancel to the
 * return. */
static double cancel_after(orm_db *db, bench_call *c, double after_ms)
{
    pthread_t thread;
    struct timespec nap = {0, 5 * 1000000L};
    double t0 = now_ms(), cancel_at;
    if (pthread_create(&thread, NULL, bench_call_run, c))
        return -1;
    while (now_ms() - t0 < after_ms)
        nanosleep(&nap, NULL);
    cancel_at = now_ms();
    while (!c->ended_ms) {
        orm_db_cancel(db, NULL);
        nanosleep(&nap, NULL);
    }
    pthread_join(thread, NULL);
    return c->ended_ms - cancel_at;
}

/* The cancel phases (see the top of the file). */
static int measure_cancel(orm_db *db, orm_session *s, result *r)
{
    tui_rowcache *rc = NULL, *counter = NULL;
    orm_session *s2 = NULL;
    tui_sort by_price = {.n = 1, .keys = {{3, 0}}};
    tui_sort by_label = {.n = 1, .keys = {{1, 0}}};
    orm_expr *search = orm_like(orm_col("note"), orm_str("%zzz%"));
    int64_t total = 0;
    int exact = 0, code = -1;
    double t;
    if (tui_rowcache_new(&rc, s, &BenchItem, 3 * PAGE) || !search)
        goto done;
    t = now_ms();
    if (check(rc,
              tui_rowcache_restart(rc, NULL, 0, &by_price, PAGE, NULL, NULL),
              "sort by price") ||
        check(rc, tui_rowcache_count(rc), "count"))
        goto done;
    tui_rowcache_total(rc, &total, &exact);
    t = now_ms();
    if (check(rc, tui_rowcache_seek_offset(rc, total / 2, PAGE),
              "goto unindexed"))
        goto done;
    r->goto_unindexed_ms = now_ms() - t;

    t = now_ms();
    if (check(rc,
              tui_rowcache_restart(rc, search, 0, &by_price, PAGE, NULL, NULL),
              "search"))
        goto done;
    r->search_ms = now_ms() - t;
    if (check(rc,
              tui_rowcache_restart(rc, NULL, 0, &by_price, PAGE, NULL, NULL),
              "search cleared"))
        goto done;
    bench_call call = {.rc = rc, .filter = search, .sort = by_price, .n = PAGE};
    r->search_cancel_ms = cancel_after(db, &call, 50);
    r->search_cancelled = call.code == ORM_ECANCELLED;
    if (call.code && call.code != ORM_ECANCELLED) {
        check(rc, call.code, "search cancelled");
        goto done;
    }

    /* Enter on the models screen while its count runs. */
    if (orm_session_new(&s2, db) ||
        tui_rowcache_new(&counter, s2, &BenchItem, 3 * PAGE))
        goto done;
    t = now_ms();
    if (check(counter, tui_rowcache_count(counter), "count") ||
        check(rc,
              tui_rowcache_restart(rc, NULL, 0, &by_label, PAGE, NULL, NULL),
              "open"))
        goto done;
    r->count_then_open_ms = now_ms() - t;
    bench_call count = {.rc = counter, .count = 1};
    pthread_t thread;
    if (pthread_create(&thread, NULL, bench_call_run, &count))
        goto done;
    struct timespec nap = {0, 2 * 1000000L};
    nanosleep(&nap, NULL); /* the models screen is on: a key comes */
    t = now_ms();
    while (count.ended_ms == 0) {
        orm_db_cancel(db, NULL);
        nanosleep(&nap, NULL);
    }
    pthread_join(thread, NULL);
    if (check(rc,
              tui_rowcache_restart(rc, NULL, 0, &by_label, PAGE, NULL, NULL),
              "open"))
        goto done;
    r->open_counting_ms = now_ms() - t;
    code = 0;
done:
    orm_expr_free(search);
    tui_rowcache_free(counter);
    orm_session_free(s2);
    tui_rowcache_free(rc);
    return code;
}

/* The measurement, in a process of its own so ru_maxrss is its own. */
static void measure(const char *path, result *r)
{
    char url[600];
    orm_db *db = NULL;
    orm_session *s = NULL;
    tui_rowcache *rc = NULL;
    size_t window = PAGE + PAGE / 2;
    double t;
    int64_t top = 0;
    int exact = 0;
    int64_t total = 0;

    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "sqlite:///%s", path);
    if (orm_db_open(&db, url, NULL) || orm_db_register(db, &BenchItem) ||
        orm_session_new(&s, db)) {
        fprintf(stderr, "bench_browse: cannot open %s\n", path);
        goto done;
    }
    /* First screen: what the rows screen does when sorted by label. */
    t = now_ms();
    if (tui_rowcache_new(&rc, s, &BenchItem, 3 * PAGE) ||
        check(rc, tui_rowcache_set_order(rc, 1, 0), "order") ||
        check(rc, tui_rowcache_seek_first(rc, window), "first page"))
        goto done;
    r->first_ms = now_ms() - t;

    t = now_ms();
    for (int i = 0; i < PAGES; i++) {
        top += PAGE;
        if (check(rc, tui_rowcache_ensure(rc, top, PAGE), "page down"))
            goto done;
    }
    r->down_ms = now_ms() - t;

    t = now_ms();
    for (int i = 0; i < PAGES; i++) {
        top -= PAGE;
        if (check(rc, tui_rowcache_ensure(rc, top, PAGE), "page up"))
            goto done;
    }
    r->up_ms = now_ms() - t;

    t = now_ms();
    if (check(rc, tui_rowcache_count(rc), "count"))
        goto done;
    r->count_ms = now_ms() - t;
    tui_rowcache_total(rc, &total, &exact);
    r->total = (long long)total;

    t = now_ms();
    if (check(rc, tui_rowcache_seek_last(rc, window), "last page"))
        goto done;
    r->last_ms = now_ms() - t;
    if (!tui_rowcache_at_end(rc) ||
        tui_rowcache_start(rc) + (int64_t)tui_rowcache_held(rc) != total) {
        fprintf(stderr, "bench_browse: last page is not at the end\n");
        goto done;
    }

    t = now_ms();
    if (check(rc, tui_rowcache_seek_offset(rc, total / 2, window), "goto"))
        goto done;
    r->goto_ms = now_ms() - t;
    top = total / 2;
    t = now_ms();
    for (int i = 0; i < PAGES; i++) {
        top += PAGE;
        if (check(rc, tui_rowcache_ensure(rc, top, PAGE), "page down"))
            goto done;
    }
    for (int i = 0; i < PAGES; i++) {
        top -= PAGE;
        if (check(rc, tui_rowcache_ensure(rc, top, PAGE), "page up"))
            goto done;
    }
    r->mid_down_ms = now_ms() - t;
    for (int k = 0; k < 2; k++) {
        orm_query *q = NULL;
        orm_column_summary sum;
        t = now_ms();
        if (orm_query_new(&q, s, &BenchItem) ||
            orm_query_summary(q, k ? "label" : "grp", 100, &sum)) {
            fprintf(stderr, "bench_browse: summary: %s\n",
                    q ? orm_error_text(orm_query_error(q)) : "out of memory");
            orm_query_free(q);
            goto done;
        }
        *(k ? &r->sum_label_ms : &r->sum_grp_ms) = now_ms() - t;
        orm_column_summary_clear(&sum);
        orm_query_free(q);
    }
    r->cache_peak = (long)tui_rowcache_peak(rc);
    if (measure_cancel(db, s, r))
        goto done;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r->rss_kb = ru.ru_maxrss;
    r->ok = 1;
done:
    tui_rowcache_free(rc);
    orm_session_free(s);
    orm_db_free(db);
}

static int run_child(const char *path, result *r)
{
    int fds[2];
    if (pipe(fds))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        result mine;
        close(fds[0]);
        measure(path, &mine);
        ssize_t w = write(fds[1], &mine, sizeof mine);
        _exit(w == (ssize_t)sizeof mine && mine.ok ? 0 : 1);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], r, sizeof *r);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got == (ssize_t)sizeof *r && r->ok ? 0 : -1;
}

static void size_name(char *out, size_t size, long long n)
{
    if (n >= 1000000 && n % 1000000 == 0)
        snprintf(out, size, "%lldM", n / 1000000);
    else if (n >= 1000 && n % 1000 == 0)
        snprintf(out, size, "%lldk", n / 1000);
    else
        snprintf(out, size, "%lld", n);
}

static void ratio(char *out, size_t size, double v, double base)
{
    if (base > 0)
        snprintf(out, size, "(x%.1f)", v / base);
    else
        snprintf(out, size, " ");
}

int main(int argc, char **argv)
{
    const char *dir = "/tmp";
    int regen = 0;
    long long sizes[MAX_SIZES];
    int nsizes = 0;
    result res[MAX_SIZES];

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--regen") == 0) {
            regen = 1;
        } else if (strcmp(argv[i], "-h") == 0 ||
                   strcmp(argv[i], "--help") == 0) {
            printf("usage: bench_browse [--dir DIR] [--regen] [SIZE...]\n"
                   "SIZE: a row count such as 10k, 1m, 10m "
                   "(default: 10k 1m)\n");
            return 0;
        } else if (nsizes < MAX_SIZES &&
                   parse_size(argv[i], &sizes[nsizes]) == 0) {
            nsizes++;
        } else {
            fprintf(stderr, "bench_browse: bad argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (nsizes == 0) {
        sizes[nsizes++] = 10000;
        sizes[nsizes++] = 1000000;
    }
    /* Ratios are against the 10k table: measure it first, always. */
    if (sizes[0] != 10000) {
        if (nsizes == MAX_SIZES)
            nsizes--;
        memmove(sizes + 1, sizes, (size_t)nsizes * sizeof sizes[0]);
        sizes[0] = 10000;
        nsizes++;
    }
    for (int i = 0; i < nsizes; i++) {
        char path[512], name[32];
        size_name(name, sizeof name, sizes[i]);
        snprintf(path, sizeof path, "%s/orb-bench-browse-%s.db", dir, name);
        if (regen || rows_in(path) != sizes[i])
            if (generate(path, sizes[i]))
                return 1;
        if (run_child(path, &res[i])) {
            fprintf(stderr, "bench_browse: measuring %s failed\n", path);
            return 1;
        }
    }
    printf("bench_browse: SQLite, sorted by an indexed column, page = %d "
           "rows, cache capacity = %d rows\n\n",
           PAGE, 3 * PAGE);
    printf("%-6s %18s %18s %18s %18s %18s %18s %18s %16s %6s\n", "rows",
           "first screen ms", "pg down x100 ms", "pg up x100 ms", "count ms",
           "last page ms", "goto middle ms", "middle pg x200 ms",
           "peak RSS MiB", "cache");
    for (int i = 0; i < nsizes; i++) {
        const result *r = &res[i], *b = &res[0];
        char name[32], r1[16], r2[16], r3[16], r4[16], r5[16], r6[16];
        char r7[16], r8[16];
        size_name(name, sizeof name, sizes[i]);
        ratio(r1, sizeof r1, r->first_ms, b->first_ms);
        ratio(r2, sizeof r2, r->down_ms, b->down_ms);
        ratio(r3, sizeof r3, r->up_ms, b->up_ms);
        ratio(r4, sizeof r4, r->count_ms, b->count_ms);
        ratio(r5, sizeof r5, r->last_ms, b->last_ms);
        ratio(r6, sizeof r6, (double)r->rss_kb, (double)b->rss_kb);
        ratio(r7, sizeof r7, r->goto_ms, b->goto_ms);
        ratio(r8, sizeof r8, r->mid_down_ms, b->mid_down_ms);
        printf("%-6s %9.2f %8s %9.2f %8s %9.2f %8s %9.2f %8s %9.2f %8s "
               "%9.2f %8s %9.2f %8s %7.1f %8s %6ld\n",
               name, r->first_ms, r1, r->down_ms, r2, r->up_ms, r3, r->count_ms,
               r4, r->last_ms, r5, r->goto_ms, r7, r->mid_down_ms, r8,
               (double)r->rss_kb / 1024.0, r6, r->cache_peak);
    }
    printf("\nstopping work (search: note contains \"zzz\", no row "
           "matches, sorted by price, unindexed)\n\n");
    printf("%-6s %18s %18s %22s %18s %18s\n", "rows", "goto unindexed ms",
           "search ms", "search stopped ms", "open, counting ms",
           "count + open ms");
    for (int i = 0; i < nsizes; i++) {
        const result *r = &res[i], *b = &res[0];
        char name[32], r1[16], r2[16], stopped[32];
        size_name(name, sizeof name, sizes[i]);
        ratio(r1, sizeof r1, r->goto_unindexed_ms, b->goto_unindexed_ms);
        ratio(r2, sizeof r2, r->search_ms, b->search_ms);
        if (r->search_cancelled)
            snprintf(stopped, sizeof stopped, "%.2f", r->search_cancel_ms);
        else
            snprintf(stopped, sizeof stopped, "(ended first)");
        printf("%-6s %9.2f %8s %9.2f %8s %22s %18.2f %18.2f\n", name,
               r->goto_unindexed_ms, r1, r->search_ms, r2, stopped,
               r->open_counting_ms, r->count_then_open_ms);
    }
    printf("\n%-6s %18s %14s %18s %14s\n", "rows", "summary grp ms", "/ count",
           "summary label ms", "/ count");
    for (int i = 0; i < nsizes; i++) {
        const result *r = &res[i], *b = &res[0];
        char name[32], r1[16], r2[16];
        size_name(name, sizeof name, sizes[i]);
        ratio(r1, sizeof r1, r->sum_grp_ms, b->sum_grp_ms);
        ratio(r2, sizeof r2, r->sum_label_ms, b->sum_label_ms);
        printf("%-6s %9.2f %8s %13.1fx %9.2f %8s %13.1fx\n", name,
               r->sum_grp_ms, r1,
               r->count_ms > 0 ? r->sum_grp_ms / r->count_ms : 0.0,
               r->sum_label_ms, r2,
               r->count_ms > 0 ? r->sum_label_ms / r->count_ms : 0.0);
    }
    return 0;
}
