/*
 * latency_probe: the in-process jobs of the latency bench (run.sh runs
 * it; bench/README.md). Each job prints one line per measured step,
 *
 *   STEP<TAB>MILLISECONDS
 *
 * and the shell script turns milliseconds into round trips. Jobs:
 *
 *   rtt URL              median of 21 one-statement round trips through
 *                        the client library (SELECT 1), after connecting
 *   connect URL          orb: orm_db_open; raw: the client library's connect
 *   browse URL TABLE     orb's browser on the in-memory screen (the one the
 *                        TUI tests use): open (connect and read the schema),
 *                        models screen, Enter on TABLE (the first model):
 *                        the first screen, its count, then 100 PageDown
 *   commit URL TABLE N   load N rows (id <= N), change a column of each,
 *                        commit; load and commit timed apart
 *   mixed URL TABLE N    one commit of N updates (id <= N), N deletes (the
 *                        N greatest ids) and N inserts of given keys (above
 *                        them): the table keeps its size from run to run
 *   raw-browse URL TABLE the same screens the minimal way: connect, first
 *                        page, 100 keyset pages of the same height
 *   raw-commit URL TABLE N  N UPDATEs in one transaction, sent at once:
 *                        libpq pipeline mode; MariaDB one multi-statement
 *
 * Orb jobs go through the same calls as the orb program (tui_open_db,
 * tui_app_*); raw jobs use libpq / the MySQL client API directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <mysql.h>

#include "app.h"
#include "keymap.h"
#include "orm/orm.h"
#include "screen.h"
#include "tui.h"

#define PAGES     100
#define SCREEN_H  40
#define SCREEN_W  120
#define PAGE_ROWS (SCREEN_H - 3) /* title, header and status lines */

/* A point in time and the round trips counted on the wire by then
 * (nfq_delay's count file, named by LATENCY_COUNT_FILE; 0 without). */
typedef struct mark {
    double ms;
    long long trips;
} mark;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static mark mark_now(void)
{
    mark m = {now_ms(), 0};
    const char *path = getenv("LATENCY_COUNT_FILE");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f) {
        if (fscanf(f, "%lld", &m.trips) != 1)
            m.trips = 0;
        fclose(f);
    }
    return m;
}

/* STEP, its milliseconds and round trips from `from` to `to`. */
static void report(const char *step, mark from, mark to)
{
    printf("%s\t%.2f\t%lld\n", step, to.ms - from.ms, to.trips - from.trips);
    fflush(stdout);
}

static int die(const char *what, const char *why)
{
    fprintf(stderr, "latency_probe: %s: %s\n", what, why ? why : "failed");
    exit(1);
}

static int is_pg(const char *url)
{
    return strncmp(url, "postgres", 8) == 0;
}

/* ---- the raw client libraries ---- */

static PGconn *pg_open(const char *url)
{
    PGconn *pg = PQconnectdb(url);
    if (PQstatus(pg) != CONNECTION_OK)
        die("PQconnectdb", PQerrorMessage(pg));
    return pg;
}

static void pg_run(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        die(sql, PQerrorMessage(pg));
    PQclear(res);
}

static MYSQL *my_open(const char *url)
{
    orm_url *u = NULL;
    orm_error e = ORM_ERROR_INIT;
    if (orm_url_parse(&u, url, &e) != 0)
        die("URL", orm_error_text(&e));
    MYSQL *my = mysql_init(NULL);
    if (!my)
        die("mysql_init", "out of memory");
    mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(my, u->host, u->user, u->password, u->database,
                            (unsigned)u->port, NULL, CLIENT_MULTI_STATEMENTS))
        die("mysql_real_connect", mysql_error(my));
    orm_url_free(u);
    return my;
}

static void my_run(MYSQL *my, const char *sql)
{
    if (mysql_query(my, sql) != 0)
        die(sql, mysql_error(my));
    do {
        MYSQL_RES *res = mysql_store_result(my);
        mysql_free_result(res);
    } while (mysql_next_result(my) == 0);
}

static void raw_run(void *conn, int pg, const char *sql)
{
    if (pg)
        pg_run(conn, sql);
    else
        my_run(conn, sql);
}

static void *raw_open(const char *url)
{
    return is_pg(url) ? (void *)pg_open(url) : (void *)my_open(url);
}

static void raw_close(void *conn, int pg)
{
    if (pg)
        PQfinish(conn);
    else
        mysql_close(conn);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void job_rtt(const char *url)
{
    int pg = is_pg(url);
    void *conn = raw_open(url);
    double t[21];
    for (int i = 0; i < 21; i++) {
        double t0 = now_ms();
        raw_run(conn, pg, "SELECT 1");
        t[i] = now_ms() - t0;
    }
    qsort(t, 21, sizeof t[0], cmp_double);
    report("rtt", (mark){0, 0}, (mark){t[10], 0});
    raw_close(conn, pg);
}

static void job_raw_connect(const char *url)
{
    int pg = is_pg(url);
    mark t0 = mark_now();
    void *conn = raw_open(url);
    report("connect", t0, mark_now());
    raw_close(conn, pg);
}

static void job_raw_browse(const char *url, const char *table)
{
    int pg = is_pg(url);
    char sql[256];
    mark t0 = mark_now();
    void *conn = raw_open(url);
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id LIMIT %d", table,
             PAGE_ROWS);
    raw_run(conn, pg, sql);
    report("first-screen", t0, mark_now());
    t0 = mark_now();
    for (int i = 1; i <= PAGES; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT * FROM %s WHERE id > %d ORDER BY id LIMIT %d", table,
                 i * PAGE_ROWS, PAGE_ROWS);
        raw_run(conn, pg, sql);
    }
    report("pages", t0, mark_now());
    raw_close(conn, pg);
}

static void job_raw_commit(const char *url, const char *table, int n)
{
    int pg = is_pg(url);
    void *conn = raw_open(url);
    char sql[256];
    mark t0 = mark_now();
    if (pg) {
        PGconn *c = conn;
        if (!PQenterPipelineMode(c))
            die("PQenterPipelineMode", PQerrorMessage(c));
        PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
        for (int i = 1; i <= n; i++) {
            char id[16];
            const char *params[1] = {id};
            snprintf(id, sizeof id, "%d", i);
            snprintf(sql, sizeof sql,
                     "UPDATE %s SET grp = grp + 1 WHERE id = $1", table);
            if (!PQsendQueryParams(c, sql, 1, NULL, params, NULL, NULL, 0))
                die("PQsendQueryParams", PQerrorMessage(c));
        }
        PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
        PQpipelineSync(c);
        for (int i = 0; i < n + 2; i++) {
            PGresult *res = PQgetResult(c);
            if (PQresultStatus(res) != PGRES_COMMAND_OK)
                die("pipelined UPDATE", PQerrorMessage(c));
            PQclear(res);
            PQclear(PQgetResult(c)); /* the NULL after each result */
        }
        PGresult *sync = PQgetResult(c);
        if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
            die("pipeline sync", PQerrorMessage(c));
        PQclear(sync);
        PQexitPipelineMode(c);
    } else {
        size_t cap = (size_t)n * 96 + 64, len = 0;
        char *text = malloc(cap);
        if (!text)
            die("malloc", "out of memory");
        len += (size_t)snprintf(text + len, cap - len, "BEGIN;");
        for (int i = 1; i <= n; i++)
            len += (size_t)snprintf(
                text + len, cap - len,
                "UPDATE %s SET grp = grp + 1 WHERE id = %d;", table, i);
        snprintf(text + len, cap - len, "COMMIT");
        my_run(conn, text);
        free(text);
    }
    report("commit", t0, mark_now());
    raw_close(conn, pg);
}

/* ---- orb ---- */

static void job_connect(const char *url)
{
    orm_db *db = NULL;
    mark t0 = mark_now();
    if (orm_db_open(&db, url, NULL) != 0)
        die("orm_db_open", db ? orm_error_text(orm_db_error(db)) : NULL);
    report("connect", t0, mark_now());
    orm_db_free(db);
}

static orm_db *orb_open(const char *url, tui_options *opts)
{
    orm_db *db = NULL;
    memset(opts, 0, sizeof *opts);
    opts->url = url;
    if (tui_open_db(&db, opts, stderr) != 0)
        exit(1);
    return db;
}

static void key(tui_app *app, const char *name)
{
    tui_event ev = {0};
    ev.key = tui_key_parse(name);
    if (ev.key < 0)
        die("key", name);
    tui_app_key(app, &ev);
    tui_app_draw(app);
}

static void job_browse(const char *url, const char *table)
{
    tui_options opts;
    tui_screen *scr = NULL;
    tui_app *app = NULL;
    char config_dir[] = "/tmp/orb-latency-XXXXXX";
    if (!mkdtemp(config_dir))
        die("mkdtemp", NULL);

    mark t0 = mark_now();
    orm_db *db = orb_open(url, &opts);
    mark t_open = mark_now();
    report("open", t0, t_open);
    if (tui_screen_mem_new(&scr, SCREEN_H, SCREEN_W) != 0 ||
        tui_app_new(&app, db, &opts, scr, config_dir) != 0 ||
        tui_app_start(app) != 0)
        die("app", NULL);
    tui_app_draw(app);
    mark t_models = mark_now();
    report("models-screen", t_open, t_models);
    tui_app_settle(app);
    tui_app_draw(app);
    mark t_counts = mark_now();
    report("models-counts", t_models, t_counts);
    if (tui_screen_find(scr, table) < 0)
        die("models screen lacks", table);

    mark t1 = mark_now();
    key(app, "Enter");
    mark t_first = mark_now();
    report("first-screen", t1, t_first);
    /* Without the idle work between them (the models' counts). */
    report("first-screen-from-start", (mark){0, 0},
           (mark){(t_first.ms - t1.ms) + (t_models.ms - t0.ms),
                  (t_first.trips - t1.trips) + (t_models.trips - t0.trips)});
    tui_app_settle(app);
    tui_app_draw(app);
    report("table-count", t_first, mark_now());

    mark t2 = mark_now();
    for (int i = 0; i < PAGES; i++) {
        key(app, "PageDown");
        tui_app_settle(app);
    }
    tui_app_draw(app);
    report("pages", t2, mark_now());
    char *text = tui_screen_text(scr);
    if (getenv("LATENCY_PROBE_SCREEN"))
        fprintf(stderr, "%s\n", text ? text : "");
    free(text);
    tui_app_free(app);
    scr->ops->free(scr);
    orm_db_free(db);
    rmdir(config_dir);
}

static void job_commit(const char *url, const char *table, int n)
{
    tui_options opts;
    orm_db *db = orb_open(url, &opts);
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record **recs = NULL;
    size_t count = 0;
    orm_error e = ORM_ERROR_INIT;
    const orm_model *m = orm_db_find_model(db, table);
    if (!m)
        die("no model", table);
    if (orm_session_new(&s, db) != 0)
        die("session", NULL);

    mark t0 = mark_now();
    char where[64];
    snprintf(where, sizeof where, "id <= %d", n);
    if (orm_query_new(&q, s, m) != 0 || orm_query_where(q, where) != 0 ||
        orm_query_all(q, &recs, &count) != 0)
        die("load", q ? orm_error_text(orm_query_error(q)) : NULL);
    report("load", t0, mark_now());
    for (size_t i = 0; i < count; i++) {
        const orm_value *grp = orm_record_get(recs[i], "grp");
        orm_value v = orm_value_int(grp && grp->kind == ORM_VINT ? grp->u.i + 1
                                                                 : (int64_t)i);
        if (orm_record_set(recs[i], "grp", &v, &e) != 0)
            die("set", orm_error_text(&e));
    }
    mark t1 = mark_now();
    if (orm_session_commit(s) != 0)
        die("commit", orm_error_text(orm_session_error(s)));
    report("commit", t1, mark_now());
    free(recs);
    orm_query_free(q);
    orm_session_free(s);
    orm_db_free(db);
}

/* The records of `q` (its error ends the run). */
static orm_record **mixed_load(orm_query *q, size_t *count)
{
    orm_record **recs = NULL;
    if (orm_query_all(q, &recs, count) != 0)
        die("load", orm_error_text(orm_query_error(q)));
    return recs;
}

static void job_mixed(const char *url, const char *table, int n)
{
    tui_options opts;
    orm_db *db = orb_open(url, &opts);
    orm_session *s = NULL;
    orm_query *upd = NULL, *del = NULL;
    orm_error e = ORM_ERROR_INIT;
    const orm_model *m = orm_db_find_model(db, table);
    char where[64];
    if (!m)
        die("no model", table);
    if (orm_session_new(&s, db) != 0 || orm_query_new(&upd, s, m) != 0 ||
        orm_query_new(&del, s, m) != 0)
        die("session", NULL);
    snprintf(where, sizeof where, "id <= %d", n);
    if (orm_query_where(upd, where) != 0 ||
        orm_query_order_by(del, "id", 1) != 0)
        die("query", NULL);
    orm_query_limit(del, n);
    size_t nupd = 0, ndel = 0;
    orm_record **ups = mixed_load(upd, &nupd);
    orm_record **dels = mixed_load(del, &ndel);
    int64_t top = 0;
    if (ndel == 0 || orm_record_get_int(dels[0], "id", &top) != 0)
        die("load", "no greatest id");
    for (size_t i = 0; i < nupd; i++) {
        int64_t grp = 0;
        orm_record_get_int(ups[i], "grp", &grp);
        orm_value v = orm_value_int(grp + 1);
        if (orm_record_set(ups[i], "grp", &v, &e) != 0)
            die("set", orm_error_text(&e));
    }
    for (size_t i = 0; i < ndel; i++)
        if (orm_session_delete(s, dels[i]) != 0)
            die("delete", orm_error_text(orm_session_error(s)));
    for (int i = 1; i <= n; i++) {
        orm_record *rec = NULL;
        char label[40];
        snprintf(label, sizeof label, "Eintrag-%lld Ü", (long long)top + i);
        orm_value id = orm_value_int(top + i), grp = orm_value_int(i % 10),
                  price = orm_value_float(i * 0.25);
        if (orm_record_new(&rec, m) != 0 ||
            orm_record_set(rec, "id", &id, &e) != 0 ||
            orm_record_set_text(rec, "label", label, &e) != 0 ||
            orm_record_set(rec, "grp", &grp, &e) != 0 ||
            orm_record_set(rec, "price", &price, &e) != 0 ||
            orm_session_add(s, rec) != 0)
            die("insert", orm_error_text(&e));
    }
    mark t0 = mark_now();
    if (orm_session_commit(s) != 0)
        die("commit", orm_error_text(orm_session_error(s)));
    report("mixed", t0, mark_now());
    free(ups);
    free(dels);
    orm_query_free(upd);
    orm_query_free(del);
    orm_session_free(s);
    orm_db_free(db);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr,
                "usage: %s rtt|connect|raw-connect URL\n"
                "       %s browse|raw-browse URL TABLE\n"
                "       %s commit|raw-commit|mixed URL TABLE N\n",
                argv[0], argv[0], argv[0]);
        return 2;
    }
    const char *job = argv[1], *url = argv[2];
    const char *table = argc > 3 ? argv[3] : NULL;
    int n = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 100;
    if (strcmp(job, "rtt") == 0)
        job_rtt(url);
    else if (strcmp(job, "connect") == 0)
        job_connect(url);
    else if (strcmp(job, "raw-connect") == 0)
        job_raw_connect(url);
    else if (strcmp(job, "browse") == 0 && table)
        job_browse(url, table);
    else if (strcmp(job, "raw-browse") == 0 && table)
        job_raw_browse(url, table);
    else if (strcmp(job, "commit") == 0 && table)
        job_commit(url, table, n);
    else if (strcmp(job, "mixed") == 0 && table)
        job_mixed(url, table, n);
    else if (strcmp(job, "raw-commit") == 0 && table)
        job_raw_commit(url, table, n);
    else
        return die("unknown job", job);
    return 0;
}
