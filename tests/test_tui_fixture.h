/*
 * Shared setup for the TUI tests (included by tests/test_tui_*.c): a
 * temporary SQLite database with customers, orders (a foreign key to
 * customers), items (many rows), logs (no primary key) and notes (NULL,
 * empty, wide text), created and filled through the ORM; an app on the
 * in-memory screen; helpers to read the screen.
 */
#ifndef TEST_TUI_FIXTURE_H
#define TEST_TUI_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "display.h"
#include "orm/orm.h"
#include "rowcache.h"
#include "screen.h"
#include "views.h"

static const orm_column fx_customer_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "name", .type = ORM_STRING, .length = 50, .flags = ORM_NOT_NULL},
    {.name = "email", .type = ORM_STRING, .length = 100, .flags = ORM_UNIQUE},
    {.name = "secret_key",
     .type = ORM_STRING,
     .length = 64,
     .flags = ORM_SECRET},
    {.name = "active", .type = ORM_BOOLEAN},
    {.name = "balance", .type = ORM_NUMERIC, .precision = 10, .scale = 2},
    {.name = "data", .type = ORM_JSON},
    {.name = "avatar", .type = ORM_BLOB},
};
static const orm_model FxCustomer =
    ORM_MODEL("Customer", "customers", fx_customer_columns);

static const orm_column fx_order_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "customer_id",
     .type = ORM_INTEGER,
     .ref_table = "customers",
     .ref_column = "id"},
    {.name = "total", .type = ORM_FLOAT},
    {.name = "note", .type = ORM_STRING, .length = 80},
};
static const orm_model FxOrder = ORM_MODEL("Order", "orders", fx_order_columns);

static const orm_column fx_item_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "label", .type = ORM_STRING, .length = 40},
    {.name = "grp", .type = ORM_INTEGER},
};
static const orm_model FxItem = ORM_MODEL("Item", "items", fx_item_columns);

static const orm_column fx_log_columns[] = {
    {.name = "message", .type = ORM_TEXT},
    {.name = "level", .type = ORM_INTEGER},
};
static const orm_model FxLog = ORM_MODEL("Log", "logs", fx_log_columns);

static const orm_column fx_note_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "title", .type = ORM_STRING, .length = 40},
    {.name = "body", .type = ORM_TEXT},
    {.name = "n", .type = ORM_INTEGER},
};
static const orm_model FxNote = ORM_MODEL("Note", "notes", fx_note_columns);

typedef struct tui_fixture {
    char dir[64];
    char url[160];
    char state[96]; /* the state database (opts.state_file), in dir */
    orm_db *db;
    tui_screen *scr;
    tui_app *app;
    tui_options opts;
} tui_fixture;

static inline void fx_check(int rc, orm_db *db, const char *what)
{
    if (rc < 0)
        fail_msg("%s: %s", what, db ? orm_error_text(orm_db_error(db)) : "");
}

static inline void fx_set(orm_record *rec, const char *col, orm_value v)
{
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_record_set(rec, col, &v, &err);
    if (rc)
        fail_msg("set %s: %s", col, orm_error_text(&err));
    orm_error_clear(&err);
}

/* Rows of `model` in `db` that `where` (filter text; NULL: all) keeps. */
static inline int64_t fx_count(orm_db *db, const orm_model *model,
                               const char *where)
{
    orm_session *s = NULL;
    orm_query *q = NULL;
    int64_t n = -1;
    fx_check(orm_session_new(&s, db), db, "session");
    orm_query_new(&q, s, model);
    if (where && orm_query_where(q, where) != 0)
        fail_msg("where %s: %s", where, orm_error_text(orm_query_error(q)));
    if (orm_query_count(q, &n) != 0)
        fail_msg("count: %s", orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    orm_session_free(s);
    return n;
}

/* The database at `url`, made through the ORM: the first model of
 * `models_ini` (returned in *model; the caller frees it), its table, and
 * alice, bob and carol as its handles, each committed alone. */
static inline void fx_seed_handles(orm_db **db, const orm_model **model,
                                   const char *url, const char *models_ini)
{
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    orm_session *s = NULL;
    fx_check(orm_db_open(db, url, NULL), *db, "open");
    if (orm_modelfile_parse(&mf, models_ini, "models", &err) != 0)
        fail_msg("models: %s", orm_error_text(&err));
    *model = mf->models[0];
    mf->models[0] = NULL;
    orm_modelfile_free(mf);
    fx_check(orm_db_register(*db, *model), *db, "register");
    fx_check(orm_db_create_all(*db), *db, "create_all");
    fx_check(orm_session_new(&s, *db), *db, "session");
    static const char *const handles[] = {"alice", "bob", "carol"};
    for (int i = 0; i < 3; i++) {
        orm_record *rec = NULL;
        orm_record_new(&rec, *model);
        fx_set(rec, "handle", orm_value_text(handles[i]));
        orm_session_add(s, rec);
        if (orm_session_commit(s) != 0)
            fail_msg("seed: %s", orm_error_text(orm_session_error(s)));
    }
    orm_session_free(s);
}

static inline void fx_commit(tui_fixture *fx, orm_session *s)
{
    int rc = orm_session_commit(s);
    if (rc)
        fail_msg("commit: %s", orm_error_text(orm_session_error(s)));
    (void)fx;
}

/* Item labels sort differently from ids: label of id i. */
static inline void fx_item_label(char *out, size_t size, long i)
{
    snprintf(out, size, "item-%05ld", (i * 7919) % 100000);
}

static inline void fx_fill(tui_fixture *fx, long items)
{
    orm_session *s = NULL;
    orm_record *rec;
    fx_check(orm_session_new(&s, fx->db), fx->db, "session");
    static const char *const names[] = {"Alice", "Bob", "Chloé", "Dmitri",
                                        "Eve"};
    for (int i = 0; i < 5; i++) {
        char email[64];
        snprintf(email, sizeof email, "%s@example.org", names[i]);
        orm_record_new(&rec, &FxCustomer);
        fx_set(rec, "id", orm_value_int(i + 1));
        fx_set(rec, "name", orm_value_text(names[i]));
        fx_set(rec, "email", i == 4 ? orm_value_null() : orm_value_text(email));
        fx_set(rec, "secret_key", orm_value_text("hunter2-secret"));
        fx_set(rec, "active", orm_value_bool(i % 2 == 0));
        fx_set(rec, "balance", orm_value_text(i == 0 ? "12.50" : "3.00"));
        fx_set(rec, "data",
               orm_value_text("{\"tags\":[\"a\",\"b\"],\"level\":3}"));
        fx_set(rec, "avatar", orm_value_blob("\x01\x02\x03", 3));
        orm_session_add(s, rec);
    }
    for (int i = 0; i < 8; i++) {
        orm_record_new(&rec, &FxOrder);
        fx_set(rec, "id", orm_value_int(100 + i));
        fx_set(rec, "customer_id",
               i == 7 ? orm_value_null() : orm_value_int(1 + i % 3));
        fx_set(rec, "total", orm_value_float(10.5 * (i + 1)));
        fx_set(rec, "note", orm_value_text(i % 2 ? "gift wrap" : "express"));
        orm_session_add(s, rec);
    }
    for (int i = 0; i < 30; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "log line %02d", i);
        orm_record_new(&rec, &FxLog);
        fx_set(rec, "message", orm_value_text(msg));
        fx_set(rec, "level", orm_value_int(i % 4));
        orm_session_add(s, rec);
    }
    {
        static const char *const titles[] = {"null body", "empty body", "wide",
                                             "emoji"};
        static const char *const bodies[] = {NULL, "", "漢字テスト",
                                             "\xF0\x9F\x98\x80 smile"};
        for (int i = 0; i < 4; i++) {
            orm_record_new(&rec, &FxNote);
            fx_set(rec, "id", orm_value_int(i + 1));
            fx_set(rec, "title", orm_value_text(titles[i]));
            fx_set(rec, "body",
                   bodies[i] ? orm_value_text(bodies[i]) : orm_value_null());
            fx_set(rec, "n", orm_value_int(7000 + i));
            orm_session_add(s, rec);
        }
    }
    fx_commit(fx, s);
    for (long i = 1; i <= items; i++) {
        char label[32];
        fx_item_label(label, sizeof label, i);
        orm_record_new(&rec, &FxItem);
        fx_set(rec, "id", orm_value_int(i));
        fx_set(rec, "label", orm_value_text(label));
        fx_set(rec, "grp", orm_value_int(i % 10));
        orm_session_add(s, rec);
        if (i % 2000 == 0) {
            fx_commit(fx, s);
            orm_session_free(s);
            fx_check(orm_session_new(&s, fx->db), fx->db, "session");
        }
    }
    fx_commit(fx, s);
    orm_session_free(s);
}

/* A database with `items` rows in items; saved filters and filter
 * history go to a state database in the fixture's folder, never the
 * user's ($XDG_DATA_HOME/orb/state.db). */
static inline void fx_open_db(tui_fixture *fx, long items)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/orb-tui-test-XXXXXX");
    if (!mkdtemp(fx->dir))
        fail_msg("mkdtemp failed");
    snprintf(fx->url, sizeof fx->url, "sqlite:///%s/test.db", fx->dir);
    snprintf(fx->state, sizeof fx->state, "%s/state.db", fx->dir);
    fx->opts.state_file = fx->state;
    fx_check(orm_db_open(&fx->db, fx->url, NULL), fx->db, "open");
    fx_check(orm_db_register(fx->db, &FxCustomer), fx->db, "register");
    fx_check(orm_db_register(fx->db, &FxOrder), fx->db, "register");
    fx_check(orm_db_register(fx->db, &FxItem), fx->db, "register");
    fx_check(orm_db_register(fx->db, &FxLog), fx->db, "register");
    fx_check(orm_db_register(fx->db, &FxNote), fx->db, "register");
    fx_check(orm_db_create_all(fx->db), fx->db, "create_all");
    fx_fill(fx, items);
}

/* The app on an in-memory screen of rows x cols, config read from the
 * fixture's folder (no user config leaks in). */
static inline void fx_start(tui_fixture *fx, int rows, int cols)
{
    fx_check(tui_screen_mem_new(&fx->scr, rows, cols), NULL, "screen");
    fx_check(tui_app_new(&fx->app, fx->db, &fx->opts, fx->scr, fx->dir), NULL,
             "app");
    fx_check(tui_app_start(fx->app), NULL, "start");
    tui_app_draw(fx->app);
}

static inline void fx_close(tui_fixture *fx)
{
    char cmd[128];
    tui_app_free(fx->app);
    if (fx->scr)
        fx->scr->ops->free(fx->scr);
    orm_db_free(fx->db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx->dir);
}

static inline void fx_send(tui_fixture *fx, const char *keys)
{
    assert_int_equal(tui_app_send(fx->app, keys), 0);
}

/* Fail showing the whole screen. */
static inline void fx_dump_fail(tui_fixture *fx, const char *why,
                                const char *text)
{
    char *screen = tui_screen_text(fx->scr);
    fail_msg("%s [%s]; screen:\n%s", why, text, screen ? screen : "?");
    free(screen);
}

static inline int fx_row_of(tui_fixture *fx, const char *text)
{
    return tui_screen_find(fx->scr, text);
}

static inline void fx_assert_shows(tui_fixture *fx, const char *text)
{
    if (tui_screen_find(fx->scr, text) < 0)
        fx_dump_fail(fx, "screen lacks", text);
}

static inline void fx_assert_not_shows(tui_fixture *fx, const char *text)
{
    if (tui_screen_find(fx->scr, text) >= 0)
        fx_dump_fail(fx, "screen shows", text);
}

/* The name of the screen on top ("(none)" when there is none). */
static inline const char *fx_top_name(tui_fixture *fx)
{
    tui_view *v = tui_app_top(fx->app);
    return v ? v->ops->name : "(none)";
}

static inline void fx_assert_top(tui_fixture *fx, const char *name)
{
    if (strcmp(fx_top_name(fx), name) != 0)
        fx_dump_fail(fx, "expected the screen", name);
}

/* A line of the screen (owned by a static buffer until the next call
 * of the same test). */
static inline char *fx_line(tui_fixture *fx, int row)
{
    return tui_screen_line(fx->scr, row);
}

#endif
