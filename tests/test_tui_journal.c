/*
 * The recovery journal, driven with keys on an in-memory screen over a
 * temporary SQLite database: pending adds, changes and deletes are in
 * the journal (mode 0600, directory 0700) before the screen shows them;
 * an app freed without writing (a crash) leaves it, and the next app on
 * the same database offers the changes back: y makes them pending with
 * the values they were loaded with (a row changed meanwhile goes to the
 * conflict screen), n asks again and then drops them. Values of every
 * kind come back exactly; the text of an open form (a new record, or
 * one being edited) comes back in its form; another database's journal
 * is not offered; a damaged journal, or one larger than orb reads, is
 * set aside with a message naming it (and changes too large for a
 * journal are said, not written); undo, discard and a successful write remove
 * the journal; SIGHUP and SIGTERM leave it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "edit.h"
#include "helper_file.h"
#include "journal.h"
#include "journal_file.h"
#include "test_tui_fixture.h"

typedef struct journal_fx {
    tui_fixture fx;
    char state_dir[128];
} journal_fx;

static int setup(void **state)
{
    journal_fx *j = calloc(1, sizeof *j);
    fx_open_db(&j->fx, 20);
    snprintf(j->state_dir, sizeof j->state_dir, "%s/state/orb", j->fx.dir);
    *state = j;
    return 0;
}

static int teardown(void **state)
{
    journal_fx *j = *state;
    fx_close(&j->fx);
    free(j);
    return 0;
}

/* An app with its journal, as orb starts one. */
static void start(journal_fx *j)
{
    fx_start(&j->fx, 30, 120);
    tui_app_journal(j->fx.app, j->state_dir);
    tui_app_draw(j->fx.app);
}

/* What a crash, kill -9 or power loss does to the app: it is gone
 * without writing or discarding anything. A new connection, as a new
 * process would have, takes the database's place. */
static void crash(journal_fx *j)
{
    tui_app_free(j->fx.app);
    j->fx.app = NULL;
    j->fx.scr->ops->free(j->fx.scr);
    j->fx.scr = NULL;
    orm_db_free(j->fx.db);
    j->fx.db = NULL;
    fx_check(orm_db_open(&j->fx.db, j->fx.url, NULL), j->fx.db, "open");
    fx_check(orm_db_register(j->fx.db, &FxCustomer), j->fx.db, "register");
    fx_check(orm_db_register(j->fx.db, &FxOrder), j->fx.db, "register");
    fx_check(orm_db_register(j->fx.db, &FxItem), j->fx.db, "register");
    fx_check(orm_db_register(j->fx.db, &FxLog), j->fx.db, "register");
    fx_check(orm_db_register(j->fx.db, &FxNote), j->fx.db, "register");
}

static char *journal_path(journal_fx *j)
{
    assert_non_null(j->fx.app->journal);
    return strdup(tui_journal_path(j->fx.app->journal));
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A record of the database as it is now, through its own session. */
static char *db_text(journal_fx *j, const orm_model *m, int64_t id,
                     const char *column)
{
    orm_session *s = NULL;
    orm_record *rec = NULL;
    orm_value key = orm_value_int(id);
    char *text = NULL;
    fx_check(orm_session_new(&s, j->fx.db), j->fx.db, "session");
    int rc = orm_session_get(s, m, &key, &rec);
    if (rc == ORM_DONE)
        text = strdup("(gone)");
    else if (rc != ORM_ROW)
        fail_msg("get: %s", orm_error_text(orm_session_error(s)));
    else if (orm_record_get(rec, column)->kind == ORM_VNULL)
        text = strdup("NULL");
    else
        text = orm_value_format(orm_record_get(rec, column),
                                orm_model_column(m, column));
    orm_session_free(s);
    return text;
}

static void assert_db(journal_fx *j, const orm_model *m, int64_t id,
                      const char *column, const char *expect)
{
    char *got = db_text(j, m, id, column);
    if (strcmp(got, expect) != 0)
        fail_msg("%s %lld %s: [%s], expected [%s]", m->table, (long long)id,
                 column, got, expect);
    free(got);
}

/* One change of each kind on customers: Alice renamed, Dmitri deleted,
 * a new customer added. */
static void three_changes(journal_fx *j)
{
    fx_send(&j->fx, "/Customer<Enter>");
    fx_assert_top(&j->fx, "rows");
    fx_send(&j->fx, "e<C-u>\xC3\x85lice \xC3\x9Cn\xC3\xAF"
                    "code<C-s>");
    fx_send(&j->fx, "jjjd");
    fx_send(&j->fx, "aZo\xC3\xAB<C-s>");
    fx_assert_shows(&j->fx, "3 pending: 1 add, 1 change, 1 delete");
}

static void
test_journal__changes_survive_a_crash_and_y_restores_them(void **state)
{
    journal_fx *j = *state;
    struct stat st;
    start(j);
    char *path = journal_path(j);
    assert_false(file_exists(path)); /* nothing pending, no journal */
    three_changes(j);
    /* Written before the screen showed them, for this user only. */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(j->state_dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char *text = file_read(path);
    assert_non_null(strstr(text, j->fx.url + strlen("sqlite:///")));
    free(text);
    crash(j);
    assert_db(j, &FxCustomer, 1, "name", "Alice"); /* nothing written */
    assert_int_equal(fx_count(j->fx.db, &FxCustomer, NULL), 5);

    start(j);
    fx_assert_top(&j->fx, "recover");
    fx_assert_shows(&j->fx, "Found 3 unsaved changes (1 add, 1 change, "
                            "1 delete) from ");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 0);
    fx_send(&j->fx, "y");
    fx_assert_top(&j->fx, "models");
    fx_assert_shows(&j->fx, "restored: 3 pending: 1 add, 1 change, 1 delete");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 3);
    assert_true(file_exists(path)); /* still kept: still pending */
    /* The grid shows them as before; w writes them. */
    fx_send(&j->fx, "/Customer<Enter>");
    fx_assert_shows(&j->fx, "~    1 \xE2\x94\x82 \xC3\x85li");
    fx_assert_shows(&j->fx, "-    4 \xE2\x94\x82 Dmitri");
    fx_assert_shows(&j->fx, "+ new  \xE2\x94\x82 Zo\xC3\xAB");
    fx_send(&j->fx, "wy");
    fx_assert_shows(&j->fx, "written: 1 add, 1 change, 1 delete");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 0);
    assert_false(file_exists(path)); /* written: nothing to recover */
    assert_db(j, &FxCustomer, 1, "name",
              "\xC3\x85lice \xC3\x9Cn\xC3\xAF"
              "code");
    assert_db(j, &FxCustomer, 1, "email", "Alice@example.org");
    assert_db(j, &FxCustomer, 4, "name", "(gone)");
    assert_db(j, &FxCustomer, 6, "name", "Zo\xC3\xAB");
    free(path);
}

static void test_journal__n_asks_again_then_discards(void **state)
{
    journal_fx *j = *state;
    start(j);
    char *path = journal_path(j);
    three_changes(j);
    crash(j);
    start(j);
    fx_assert_top(&j->fx, "recover");
    fx_send(&j->fx, "n");
    fx_assert_shows(&j->fx, "Discard them for good?");
    fx_send(&j->fx, "n"); /* no: back to the offer */
    fx_assert_not_shows(&j->fx, "Discard them for good?");
    assert_true(file_exists(path));
    fx_send(&j->fx, "x"); /* nothing else works until answered */
    fx_assert_top(&j->fx, "recover");
    fx_send(&j->fx, "ny");
    fx_assert_top(&j->fx, "models");
    fx_assert_shows(&j->fx, "discarded 3 unsaved changes");
    assert_false(file_exists(path));
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 0);
    assert_db(j, &FxCustomer, 1, "name", "Alice");
    crash(j);
    start(j);
    fx_assert_top(&j->fx, "models"); /* nothing offered twice */
    free(path);
}

static void test_journal__q_quits_and_offers_again_next_time(void **state)
{
    journal_fx *j = *state;
    start(j);
    three_changes(j);
    char *path = journal_path(j);
    char *before = file_read(path);
    crash(j);
    start(j);
    fx_send(&j->fx, "q");
    assert_true(tui_app_done(j->fx.app));
    char *after = file_read(path);
    assert_string_equal(before, after); /* untouched */
    crash(j);
    start(j);
    fx_assert_top(&j->fx, "recover");
    free(before);
    free(after);
    free(path);
}

static void
test_journal__row_changed_meanwhile_goes_to_the_conflict_screen(void **state)
{
    journal_fx *j = *state;
    start(j);
    fx_send(&j->fx, "/Customer<Enter>");
    fx_send(&j->fx, "e<C-u>Alicia<C-s>");
    crash(j);
    /* Someone else changes Alice while orb is down. */
    {
        orm_session *s = NULL;
        orm_record *rec = NULL;
        orm_value key = orm_value_int(1);
        fx_check(orm_session_new(&s, j->fx.db), j->fx.db, "session");
        assert_int_equal(orm_session_get(s, &FxCustomer, &key, &rec), ORM_ROW);
        fx_set(rec, "name", orm_value_text("Alice B."));
        fx_commit(&j->fx, s);
        orm_session_free(s);
    }
    start(j);
    fx_send(&j->fx, "y");
    fx_send(&j->fx, "wy");
    fx_assert_top(&j->fx, "conflict");
    assert_db(j, &FxCustomer, 1, "name", "Alice B."); /* not overwritten */
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 1);
}

/* Every kind of value, loaded and changed, comes back exactly. */
static void test_journal__values_round_trip_exactly(void **state)
{
    journal_fx *j = *state;
    orm_error err = ORM_ERROR_INIT;
    start(j);
    orm_session *s = j->fx.app->session;
    orm_record *rec = NULL, *note = NULL, *order = NULL, *log = NULL;
    orm_value key = orm_value_int(1);
    assert_int_equal(orm_session_get(s, &FxCustomer, &key, &rec), ORM_ROW);
    fx_set(rec, "name", orm_value_text("\xE6\xBC\xA2\xE5\xAD\x97 MiXeD"));
    fx_set(rec, "email", orm_value_null());
    fx_set(rec, "active", orm_value_bool(1));
    fx_set(rec, "balance", orm_value_text("-12345678.90"));
    fx_set(rec, "data", orm_value_text("{\"k\": \"\xC3\xA9\\t\"}"));
    fx_set(rec, "avatar", orm_value_blob("\x00\xFF\x00zz", 5));
    key = orm_value_int(2); /* "empty body" */
    assert_int_equal(orm_session_get(s, &FxNote, &key, &note), ORM_ROW);
    fx_set(note, "title", orm_value_text(""));
    fx_set(note, "body", orm_value_null());
    key = orm_value_int(100);
    assert_int_equal(orm_session_get(s, &FxOrder, &key, &order), ORM_ROW);
    fx_set(order, "total", orm_value_float(0.1 + 0.2));
    fx_set(order, "note", orm_value_text("\xF0\x9F\x98\x80"));
    /* A table without a primary key: found again by its row id. */
    {
        orm_query *q = NULL;
        orm_query_new(&q, s, &FxLog);
        orm_query_where(q, "message = 'log line 07'");
        assert_int_equal(orm_query_one(q, &log), ORM_ROW);
        orm_query_free(q);
        fx_set(log, "level", orm_value_int(INT32_MIN));
    }
    /* Snapshot of what is pending, to compare after the crash. */
    const orm_record *recs[] = {rec, note, order, log};
    const orm_model *models[] = {&FxCustomer, &FxNote, &FxOrder, &FxLog};
    orm_value saved[4][2][8];
    orm_value rowid = ORM_VALUE_NULL_INIT;
    memset(saved, 0, sizeof saved);
    for (int r = 0; r < 4; r++)
        for (size_t c = 0; c < models[r]->ncolumns; c++) {
            orm_value_copy(&saved[r][0][c], orm_record_value(recs[r], c));
            orm_value_copy(&saved[r][1][c], orm_record_original(recs[r], c));
        }
    orm_value_copy(&rowid, orm_record_rowid(log));
    assert_int_not_equal(rowid.kind, ORM_VNULL);
    fx_send(&j->fx, "<Resize>"); /* any key brings the journal up to date */
    crash(j);
    start(j);
    fx_send(&j->fx, "y");
    s = j->fx.app->session;
    assert_int_equal(orm_session_pending_count(s), 4);
    for (int r = 0; r < 4; r++) {
        const orm_record *got = orm_session_pending_at(s, (size_t)r);
        assert_int_equal(orm_record_state_of(got), ORM_RECORD_DIRTY);
        assert_ptr_equal(orm_record_model(got)->table, models[r]->table);
        for (size_t c = 0; c < models[r]->ncolumns; c++) {
            if (!orm_value_equal(orm_record_value(got, c), &saved[r][0][c]))
                fail_msg("%s.%s: value differs", models[r]->table,
                         models[r]->columns[c].name);
            if (!orm_value_equal(orm_record_original(got, c), &saved[r][1][c]))
                fail_msg("%s.%s: loaded value differs", models[r]->table,
                         models[r]->columns[c].name);
            assert_int_equal(
                orm_record_changed(got, c),
                !orm_value_equal(&saved[r][0][c], &saved[r][1][c]));
            orm_value_clear(&saved[r][0][c]);
            orm_value_clear(&saved[r][1][c]);
        }
    }
    assert_true(orm_value_equal(orm_record_rowid(orm_session_pending_at(s, 3)),
                                &rowid));
    orm_value_clear(&rowid);
    /* And they write: the log row is the one that was changed. */
    fx_send(&j->fx, "wy");
    assert_int_equal(orm_session_pending_count(s), 0);
    {
        orm_session *check = NULL;
        orm_query *q = NULL;
        orm_record *got = NULL;
        fx_check(orm_session_new(&check, j->fx.db), j->fx.db, "session");
        orm_query_new(&q, check, &FxLog);
        orm_query_where(q, "message = 'log line 07'");
        assert_int_equal(orm_query_one(q, &got), ORM_ROW);
        assert_int_equal(orm_record_get(got, "level")->u.i, INT32_MIN);
        orm_query_free(q);
        orm_session_free(check);
    }
    assert_db(j, &FxOrder, 100, "note", "\xF0\x9F\x98\x80");
    assert_db(j, &FxNote, 2, "body", "NULL");
    assert_db(j, &FxNote, 2, "title", "");
    assert_db(j, &FxCustomer, 1, "avatar", "\\x00ff007a7a");
    orm_error_clear(&err);
}

/* A row another program wrote in a form orb would not (SQLite keeps a
 * boolean as the text 'true', an amount as '7.5'): changed and restored
 * after a crash, its guards still compare what the database holds, so it
 * writes instead of going to the conflict screen. */
static void test_journal__restored_guards_compare_what_is_stored(void **state)
{
    journal_fx *j = *state;
    start(j);
    fx_check(orm_db_execute(j->fx.db,
                            "UPDATE customers SET active = 'true', "
                            "balance = '7.5' WHERE id = 2",
                            NULL, 0, NULL),
             j->fx.db, "update");
    orm_session *s = j->fx.app->session;
    orm_record *rec = NULL;
    orm_value key = orm_value_int(2);
    assert_int_equal(orm_session_get(s, &FxCustomer, &key, &rec), ORM_ROW);
    fx_set(rec, "active", orm_value_bool(0));
    fx_set(rec, "balance", orm_value_text("8.25"));
    fx_send(&j->fx, "<Resize>"); /* any key brings the journal up to date */
    crash(j);
    start(j);
    fx_send(&j->fx, "y");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 1);
    fx_send(&j->fx, "wy");
    fx_assert_shows(&j->fx, "written: 1 change");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 0);
    assert_db(j, &FxCustomer, 2, "balance", "8.25");
    assert_db(j, &FxCustomer, 2, "active", "false");
}

static void test_journal__another_database_is_not_offered(void **state)
{
    journal_fx *j = *state;
    start(j);
    three_changes(j);
    char *path = journal_path(j);
    crash(j);
    /* A second database, the same state directory. */
    tui_fixture other;
    fx_open_db(&other, 5);
    fx_start(&other, 30, 120);
    tui_app_journal(other.app, j->state_dir);
    tui_app_draw(other.app);
    assert_string_equal(tui_app_top(other.app)->ops->name, "models");
    assert_string_not_equal(tui_journal_path(other.app->journal), path);
    fx_close(&other);
    assert_true(file_exists(path));
    start(j);
    fx_assert_top(&j->fx, "recover");
    free(path);
}

static void test_journal__unreadable_journal_is_set_aside(void **state)
{
    journal_fx *j = *state;
    start(j);
    char *path = journal_path(j);
    crash(j);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"orb_journal\": 1, \"changes\": [tru", f);
    fclose(f);
    start(j);
    fx_assert_top(&j->fx, "models");
    const char *msg = orm_buf_str(&j->fx.app->message);
    assert_non_null(msg);
    if (!strstr(msg, path) || !strstr(msg, "unreadable") ||
        !strstr(msg, "kept as"))
        fail_msg("message: %s", msg);
    assert_false(file_exists(path));
    /* Kept under the name the message gives. */
    const char *kept = strstr(msg, "kept as ") + strlen("kept as ");
    char aside[512];
    snprintf(aside, sizeof aside, "%.*s", (int)strcspn(kept, ","), kept);
    char *text = file_read(aside);
    assert_non_null(text);
    assert_string_equal(text, "{\"orb_journal\": 1, \"changes\": [tru");
    free(text);
    /* orb goes on, journaling as usual. */
    three_changes(j);
    assert_true(file_exists(path));
    free(path);
}

/* A journal larger than orb reads (one that grew without end, or is not
 * a journal) is not read into memory: it is set aside whole, under a
 * name the message gives, and orb goes on journaling. */
static void test_journal__a_journal_too_large_is_set_aside(void **state)
{
    journal_fx *j = *state;
    struct stat st;
    start(j);
    three_changes(j);
    char *path = journal_path(j);
    crash(j);
    /* Past the limit by one byte (a sparse file: nothing is written). */
    assert_int_equal(truncate(path, (off_t)TUI_JOURNAL_MAX + 1), 0);
    start(j);
    fx_assert_top(&j->fx, "models");
    const char *msg = orm_buf_str(&j->fx.app->message);
    assert_non_null(msg);
    if (!strstr(msg, path) || !strstr(msg, "larger than 256 MiB") ||
        !strstr(msg, "kept as"))
        fail_msg("message: %s", msg);
    assert_false(file_exists(path));
    const char *kept = strstr(msg, "kept as ") + strlen("kept as ");
    char aside[512];
    snprintf(aside, sizeof aside, "%.*s", (int)strcspn(kept, ","), kept);
    assert_int_equal(stat(aside, &st), 0);
    assert_int_equal(st.st_size, (off_t)TUI_JOURNAL_MAX + 1);
    unlink(aside);
    three_changes(j);
    assert_true(file_exists(path));
    free(path);
}

/* Pending changes that would make a journal larger than orb reads back
 * are not written (the file could not be restored): the browser says
 * so, and the changes stay pending. */
static void test_journal__changes_too_large_for_a_journal_are_said(void **state)
{
    journal_fx *j = *state;
    start(j);
    char *path = journal_path(j);
    j->fx.app->journal->limit = 200;
    fx_send(&j->fx, "/Customer<Enter>e<C-u>\xC3\x85lice<C-s>");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 1);
    const char *msg = orm_buf_str(&j->fx.app->message);
    if (!msg || !strstr(msg, "need more than the 200 bytes") ||
        !strstr(msg, "would not survive a crash"))
        fail_msg("message: %s", msg ? msg : "(none)");
    assert_false(file_exists(path));
    free(path);
}

static void test_journal__undo_and_discard_remove_it(void **state)
{
    journal_fx *j = *state;
    start(j);
    char *path = journal_path(j);
    fx_send(&j->fx, "/Customer<Enter>e<C-u>Alicia<C-s>");
    assert_true(file_exists(path));
    fx_send(&j->fx, "u");
    assert_false(file_exists(path));
    fx_send(&j->fx, "jd");
    assert_true(file_exists(path));
    fx_send(&j->fx, "Q");
    fx_assert_top(&j->fx, "quit");
    fx_send(&j->fx, "d");
    assert_true(tui_app_done(j->fx.app));
    assert_false(file_exists(path));
    free(path);
}

static void test_journal__sighup_and_sigterm_leave_it(void **state)
{
    journal_fx *j = *state;
    static const int signals[] = {SIGHUP, SIGTERM};
    for (int i = 0; i < 2; i++) {
        start(j);
        if (i == 0)
            fx_send(&j->fx, "/Customer<Enter>e<C-u>Alicia<C-s>");
        else
            fx_send(&j->fx, "y"); /* the first run's, restored */
        char *path = journal_path(j);
        char *before = file_read(path);
        tui_event ev = {0};
        ev.key = TUI_KEY_INTERRUPT;
        ev.signal = signals[i];
        tui_app_key(j->fx.app, &ev);
        assert_true(tui_app_done(j->fx.app));
        assert_int_equal(j->fx.app->exit_status, 128 + signals[i]);
        char *after = file_read(path);
        assert_non_null(after);
        assert_non_null(strstr(after, "Alicia"));
        assert_string_equal(strstr(before, "\"changes\""),
                            strstr(after, "\"changes\""));
        free(before);
        free(after);
        free(path);
        crash(j);
    }
    start(j);
    fx_assert_top(&j->fx, "recover");
}

static void test_journal__text_of_a_new_records_form_comes_back(void **state)
{
    journal_fx *j = *state;
    start(j);
    char *path = journal_path(j);
    fx_send(&j->fx, "/Customer<Enter>a");
    fx_assert_top(&j->fx, "form");
    assert_false(file_exists(path)); /* nothing typed yet */
    fx_send(&j->fx, "Zo\xC3\xAB dr\xC3\xA4"
                    "ft");
    assert_true(file_exists(path));
    crash(j);
    start(j);
    fx_assert_shows(&j->fx, "Found the text of an open form (customers)");
    fx_send(&j->fx, "y");
    fx_assert_top(&j->fx, "form");
    fx_assert_shows(&j->fx, "[Zo\xC3\xAB dr\xC3\xA4"
                            "ft");
    fx_send(&j->fx, "<C-s>");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 1);
    fx_send(&j->fx, "wy");
    assert_db(j, &FxCustomer, 6, "name",
              "Zo\xC3\xAB dr\xC3\xA4"
              "ft");
    assert_false(file_exists(path));
    free(path);
}

static void
test_journal__edit_form_text_comes_back_with_changes_and_guards(void **state)
{
    journal_fx *j = *state;
    start(j);
    fx_send(&j->fx, "/Customer<Enter>");
    fx_send(&j->fx, "jjjd");            /* a pending delete of Dmitri */
    fx_send(&j->fx, "kkke<C-u>Alicia"); /* Alice's form, not saved */
    fx_assert_top(&j->fx, "form");
    crash(j);
    start(j);
    fx_assert_shows(&j->fx, "Found 1 unsaved change (1 delete) and the "
                            "text of an open form (customers)");
    fx_send(&j->fx, "y");
    fx_assert_top(&j->fx, "form");
    fx_assert_shows(&j->fx, "[Alicia");
    fx_send(&j->fx, "<C-s>");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 2);
    /* Alice was loaded before the crash: changed since, a conflict. */
    {
        orm_session *s = NULL;
        orm_record *rec = NULL;
        orm_value key = orm_value_int(1);
        fx_check(orm_session_new(&s, j->fx.db), j->fx.db, "session");
        assert_int_equal(orm_session_get(s, &FxCustomer, &key, &rec), ORM_ROW);
        fx_set(rec, "name", orm_value_text("Alice B."));
        fx_commit(&j->fx, s);
        orm_session_free(s);
    }
    fx_send(&j->fx, "wy");
    fx_assert_top(&j->fx, "conflict");
    assert_db(j, &FxCustomer, 1, "name", "Alice B.");
}

/* A bulk edit's form is journaled like any form: after a crash its
 * typed text comes back on the same rows (the marked ones, or those the
 * filter matches, counted again), and saving sets only those rows. */
static void test_journal__bulk_edit_form_text_comes_back(void **state)
{
    journal_fx *j = *state;
    start(j);
    char *path = journal_path(j);
    fx_send(&j->fx, "/Customer<Enter>");
    fx_send(&j->fx, "mjm"); /* Alice and the third customer */
    fx_send(&j->fx, "E");
    fx_assert_top(&j->fx, "form");
    fx_assert_shows(&j->fx, "Bulk edit of 2 rows marked");
    assert_false(file_exists(path));                /* nothing typed yet */
    fx_send(&j->fx, "\xC3\x84rger im B\xC3\xBCro"); /* name */
    if (!file_exists(path))
        fx_dump_fail(&j->fx, "no journal", path);
    crash(j);
    start(j);
    fx_assert_shows(&j->fx, "Found the text of an open form (customers)");
    fx_send(&j->fx, "y");
    fx_assert_top(&j->fx, "form");
    fx_assert_shows(&j->fx, "Bulk edit of 2 rows marked");
    fx_assert_shows(&j->fx, "[\xC3\x84rger im B\xC3\xBCro");
    fx_send(&j->fx, "<C-s>");
    assert_int_equal(orm_session_pending_count(j->fx.app->session), 2);
    fx_send(&j->fx, "wy");
    assert_db(j, &FxCustomer, 1, "name", "\xC3\x84rger im B\xC3\xBCro");
    assert_db(j, &FxCustomer, 3, "name", "\xC3\x84rger im B\xC3\xBCro");
    assert_db(j, &FxCustomer, 2, "name", "Bob");
    assert_false(file_exists(path));

    /* Without marks: the rows the search matches, counted again and
     * asked about again after the restore. */
    fx_send(&j->fx, "/Customer<Enter>/BOB<Enter>E");
    fx_assert_shows(&j->fx, "edit all 1 row");
    fx_send(&j->fx, "yBobby");
    crash(j);
    start(j);
    fx_send(&j->fx, "y");
    fx_assert_top(&j->fx, "form");
    fx_assert_shows(&j->fx, "edit all 1 row");
    fx_send(&j->fx, "y");
    fx_assert_shows(&j->fx, "[Bobby");
    fx_send(&j->fx, "<C-s>wy");
    assert_db(j, &FxCustomer, 2, "name", "Bobby");
    assert_db(j, &FxCustomer, 5, "name", "Eve");
    free(path);
}

static void test_journal__a_cancelled_form_leaves_no_journal(void **state)
{
    journal_fx *j = *state;
    start(j);
    char *path = journal_path(j);
    fx_send(&j->fx, "/Customer<Enter>aDraft");
    assert_true(file_exists(path));
    fx_send(&j->fx, "<Esc>y"); /* cancel, and yes, drop what was typed */
    fx_assert_top(&j->fx, "rows");
    assert_false(file_exists(path));
    free(path);
}

/* Two orb programs on one database: the second does not take the
 * first's journal (neither offering it nor writing over it). */
static void test_journal__a_second_orb_gets_its_own_journal(void **state)
{
    journal_fx *j = *state;
    int ready[2], done[2];
    char first[512] = "";
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(done), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) { /* the first orb: holds its journal until told */
        tui_journal *mine = NULL;
        char byte = 0;
        close(ready[0]);
        close(done[1]); /* so that the test's end, pass or fail, ends it */
        int ok = tui_journal_open(&mine, j->state_dir, j->fx.url, NULL) == 0;
        const char *path = ok && mine ? tui_journal_path(mine) : "";
        FILE *f = fopen(path, "w"); /* its journal, live */
        if (f) {
            fputs("{\"orb_journal\": 1}", f);
            fclose(f);
        }
        if (write(ready[1], path, strlen(path) + 1) < 0 ||
            read(done[0], &byte, 1) < 0)
            ok = 0;
        tui_journal_free(mine);
        _exit(ok ? 0 : 1);
    }
    close(ready[1]);
    close(done[0]);
    assert_true(read(ready[0], first, sizeof first - 1) > 0);
    assert_non_null(strstr(first, ".json"));
    start(j);
    fx_assert_top(&j->fx, "models"); /* the live journal is not offered */
    char *second = journal_path(j);
    assert_string_not_equal(second, first);
    assert_non_null(strstr(second, "-2.json"));
    fx_send(&j->fx, "/Customer<Enter>e<C-u>Alicia<C-s>");
    assert_true(file_exists(second));
    char *text = file_read(first);
    assert_string_equal(text, "{\"orb_journal\": 1}"); /* untouched */
    free(text);
    assert_int_equal(write(done[1], "x", 1), 1);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    close(done[1]);
    unlink(first);
    free(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_journal__changes_survive_a_crash_and_y_restores_them, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__n_asks_again_then_discards, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__q_quits_and_offers_again_next_time, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__row_changed_meanwhile_goes_to_the_conflict_screen,
            setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal__values_round_trip_exactly,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__restored_guards_compare_what_is_stored, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__another_database_is_not_offered, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__unreadable_journal_is_set_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__a_journal_too_large_is_set_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__changes_too_large_for_a_journal_are_said, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__undo_and_discard_remove_it, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__sighup_and_sigterm_leave_it, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__text_of_a_new_records_form_comes_back, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__edit_form_text_comes_back_with_changes_and_guards,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__a_cancelled_form_leaves_no_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__bulk_edit_form_text_comes_back, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_journal__a_second_orb_gets_its_own_journal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
