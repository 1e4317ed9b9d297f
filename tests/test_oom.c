/*
 * Out of memory: a workload of the ORM on SQLite (open, create, add,
 * load, filter, edit, undo, commit, delete, a column summary, an update
 * of every matching row, reflection, read rows out as an export does;
 * then a schema orb did not make, written in SQL and filled by bound
 * statements, listed, reflected, edited, and commits the database
 * refuses: a unique key, a check named only by its constraint) runs
 * once for every N with the Nth allocation of the core or the SQLite
 * driver failing
 * (orm/src/alloc.h; curl's torture mode, SQLite's test_malloc.c). Each
 * failure must be an error (a negative code with a message), lose no
 * pending change (a commit that ran out of memory keeps everything
 * pending and succeeds when tried again; an edit or an undo that ran out
 * of memory changes nothing), and leak nothing: the heap in use after
 * each run is what it was before (under ASan, LeakSanitizer checks at
 * exit; scripts/valgrind-tests.sh runs this program under valgrind).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "internal.h"
#include "orm/orm.h"

static const orm_column account_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle",
     .type = ORM_STRING,
     .length = 50,
     .flags = ORM_UNIQUE | ORM_NOT_NULL},
    {.name = "note", .type = ORM_TEXT},
    {.name = "score", .type = ORM_FLOAT},
    {.name = "seen", .type = ORM_DATETIME},
};
static const orm_model Account =
    ORM_MODEL("Account", "oom_accounts", account_columns);

/* ---- the hook: count allocations, fail the Nth ---- */

enum { MAX_SITES = 2048 };
typedef struct site {
    const char *file;
    int line;
} site;

static struct {
    long count;   /* allocations so far in this run */
    long fail_at; /* fail this one (1-based); 0: none */
    int failed;   /* did it? */
    site where;   /* and where */
    int paused;   /* checking what the workload did: not counted */
    site sites[MAX_SITES];
    size_t nsites;
} oom;

static int oom_hook(size_t size, const char *file, int line, void *payload)
{
    (void)size;
    (void)payload;
    if (oom.paused)
        return 0;
    oom.count++;
    size_t i = 0;
    while (i < oom.nsites &&
           !(oom.sites[i].line == line && strcmp(oom.sites[i].file, file) == 0))
        i++;
    if (i == oom.nsites && oom.nsites < MAX_SITES)
        oom.sites[oom.nsites++] = (site){file, line};
    if (oom.fail_at && oom.count == oom.fail_at) {
        oom.failed = 1;
        oom.where = (site){file, line};
        return 1;
    }
    return 0;
}

/* ---- the workload ---- */

/* A database of its own for each run, in memory. */
static const char url[] = "sqlite://";

/* A call that may fail only through the injected allocation. */
#define MAY_FAIL(call)                                                         \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ < 0) {                                                         \
            if (!oom.failed)                                                   \
                fail_msg("%s failed without a fault (%s)", #call,              \
                         orm_error_name(rc_));                                 \
            goto done;                                                         \
        }                                                                      \
    } while (0)

static int64_t count_where(orm_session *s, const char *where)
{
    orm_query *q = NULL;
    int64_t n = -1;
    oom.paused = 1; /* checking, not under test */
    assert_int_equal(orm_query_new(&q, s, &Account), 0);
    if (where)
        assert_int_equal(orm_query_where(q, where), 0);
    assert_int_equal(orm_query_count(q, &n), 0);
    orm_query_free(q);
    oom.paused = 0;
    return n;
}

/* Commit; when it ran out of memory, everything is still pending with
 * the values set, and a commit without faults writes it. */
static int commit_keeps_pending(orm_session *s, orm_record *rec,
                                const char *note)
{
    size_t pending = orm_session_pending_count(s);
    int rc = orm_session_commit(s);
    if (rc == 0)
        return 0;
    assert_true(oom.failed);
    assert_true(rc < 0);
    assert_true(strlen(orm_error_text(orm_session_error(s))) > 0);
    assert_int_equal(orm_session_pending_count(s), pending);
    if (rec && note) {
        const orm_value *v = orm_record_get(rec, "note");
        assert_int_equal(v->kind, ORM_VTEXT);
        assert_string_equal(v->u.s.ptr, note);
    }
    oom.fail_at = 0;
    if (orm_session_commit(s) != 0)
        fail_msg("the commit after running out of memory failed: %s",
                 orm_error_text(orm_session_error(s)));
    assert_int_equal(orm_session_pending_count(s), 0);
    return rc;
}

static const char *const foreign_sql[] = {
    "CREATE TABLE \"oom_Artist\" (artist_id INT NOT NULL PRIMARY KEY, "
    "name NVARCHAR(120) NOT NULL, code VARCHAR(10) UNIQUE, "
    "kind TEXT NOT NULL DEFAULT 'Gruppe' "
    "CONSTRAINT oom_kind CHECK (kind IN ('Solo', 'Gruppe')))",
    "CREATE INDEX oom_artist_name ON \"oom_Artist\" (name)",
    "CREATE TABLE oom_track (track_id INT PRIMARY KEY, "
    "artist_id INT NOT NULL REFERENCES \"oom_Artist\", "
    "title VARCHAR(200) NOT NULL, qty INT, price DECIMAL(10,2), "
    "total DECIMAL(12,2) GENERATED ALWAYS AS (qty * price) STORED, "
    "UNIQUE (artist_id, title))",
    "CREATE TABLE oom_pair (artist_id INT NOT NULL, title TEXT NOT NULL, "
    "position INT, PRIMARY KEY (artist_id, title), "
    "FOREIGN KEY (artist_id, title) REFERENCES oom_track (artist_id, title)) "
    "WITHOUT ROWID",
};

/* One run. Stops at the first failure once what must hold is checked. */
static void workload(void)
{
    orm_db *db = NULL;
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record **rows = NULL, *rec = NULL;
    orm_cursor *cur = NULL;
    orm_query *sq = NULL;
    orm_column_summary sum = {0};
    orm_model *reflected = NULL;
    orm_error err = ORM_ERROR_INIT;
    size_t n = 0, ntables = 0;
    char *text = NULL;
    char **tables = NULL;

    int rc = orm_db_open(&db, url, NULL);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        goto done;
    }
    MAY_FAIL(orm_db_register(db, &Account));
    MAY_FAIL(orm_db_create_all(db));
    rc = orm_session_new(&s, db);
    if (rc) { /* the message is on the database */
        assert_true(oom.failed && rc == ORM_ENOMEM);
        assert_null(s);
        assert_int_equal(orm_db_error(db)->code, ORM_ENOMEM);
        goto done;
    }

    /* Add three accounts. */
    const char *handles[] = {"anna", "Ärger", "anton"};
    for (int i = 0; i < 3; i++) {
        MAY_FAIL(orm_record_new(&rec, &Account));
        if (orm_record_set_text(rec, "handle", handles[i], &err) != 0 ||
            orm_record_set_text(rec, "note", "Grüße 🎉", &err) != 0 ||
            orm_record_set_text(rec, "score", "1.5", &err) != 0 ||
            orm_record_set_text(rec, "seen", "2024-01-02 03:04:05", &err)) {
            assert_true(oom.failed);
            orm_record_free(rec);
            goto done;
        }
        rc = orm_session_add(s, rec);
        if (rc) {
            assert_true(oom.failed && rc < 0);
            orm_record_free(rec);
            goto done;
        }
    }
    rec = NULL;
    if (commit_keeps_pending(s, NULL, NULL))
        goto done;
    assert_int_equal(count_where(s, NULL), 3);

    /* Filter and load in a new session. */
    orm_session_free(s);
    s = NULL;
    MAY_FAIL(orm_session_new(&s, db));
    MAY_FAIL(orm_query_new(&q, s, &Account));
    MAY_FAIL(orm_query_where(q, "handle like 'an%' and score > 1"));
    MAY_FAIL(orm_query_order_by(q, "handle", 1));
    MAY_FAIL(orm_query_all(q, &rows, &n));
    assert_int_equal(n, 2);
    rec = rows[0];

    /* Edit, undo, edit again: a failed edit changes nothing. */
    rc = orm_record_set_text(rec, "note", "erste Änderung", &err);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        assert_string_equal(orm_record_get(rec, "note")->u.s.ptr, "Grüße 🎉");
        assert_int_equal(orm_session_pending_count(s), 0);
        goto done;
    }
    rc = orm_record_set_text(rec, "note", "zweite Änderung", &err);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        assert_string_equal(orm_record_get(rec, "note")->u.s.ptr,
                            "erste Änderung");
        assert_int_equal(orm_session_pending_count(s), 1);
        goto done;
    }
    rc = orm_session_undo(s);
    if (rc < 0) {
        assert_true(oom.failed);
        assert_string_equal(orm_record_get(rec, "note")->u.s.ptr,
                            "zweite Änderung");
        assert_int_equal(orm_session_pending_count(s), 1);
        goto done;
    }
    assert_string_equal(orm_record_get(rec, "note")->u.s.ptr, "erste Änderung");
    if (commit_keeps_pending(s, rec, "erste Änderung"))
        goto done;
    assert_int_equal(count_where(s, "note = 'erste Änderung'"), 1);

    /* Delete one. */
    MAY_FAIL(orm_session_delete(s, rows[1]));
    if (commit_keeps_pending(s, NULL, NULL))
        goto done;
    assert_int_equal(count_where(s, NULL), 2);

    /* The column summary the rows screen's `i` shows: anna and Ärger
     * are left, each once. */
    MAY_FAIL(orm_query_new(&sq, s, &Account));
    MAY_FAIL(orm_query_summary(sq, "handle", 5, &sum));
    assert_int_equal(sum.rows, 2);
    assert_int_equal(sum.ntop, 2);
    orm_column_summary_clear(&sum);

    /* Update every matching row in one statement (bulk edit, CLI `set
     * --where`). It runs on its own, so once it has run a failure after
     * it cannot undo it: either way, a retry without faults leaves the
     * one matching row set, and the other untouched. */
    MAY_FAIL(orm_query_where(sq, "handle like 'an%'"));
    const char *set_columns[] = {"score"};
    orm_value set_values[] = {orm_value_float(2.5)};
    int64_t matched = -1;
    rc = orm_query_update(sq, set_columns, set_values, 1, &matched);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        assert_true(strlen(orm_error_text(orm_session_error(s))) > 0);
        oom.fail_at = 0;
        assert_int_equal(
            orm_query_update(sq, set_columns, set_values, 1, &matched), 0);
    }
    assert_int_equal(matched, 1);
    assert_int_equal(count_where(s, "score = 2.5"), 1);
    if (rc)
        goto done;

    /* Reflect the table as orb does for a database it did not create. */
    MAY_FAIL(orm_db_reflect(db, "oom_accounts", &reflected));
    assert_int_equal(reflected->ncolumns, Account.ncolumns);

    /* Read every row out, as an export does. */
    orm_query_free(q);
    q = NULL;
    MAY_FAIL(orm_query_new(&q, s, &Account));
    MAY_FAIL(orm_query_cursor(q, &cur));
    const orm_value *row = NULL;
    while ((rc = orm_cursor_next(cur, &row)) == ORM_ROW) {
        for (size_t c = 0; c < Account.ncolumns; c++) {
            text = orm_value_format(&row[c], &Account.columns[c]);
            if (!text && row[c].kind != ORM_VNULL) {
                assert_true(oom.failed);
                goto done;
            }
            free(text);
            text = NULL;
        }
    }
    if (rc < 0) {
        assert_true(oom.failed);
        goto done;
    }
    orm_cursor_free(cur);
    cur = NULL;

    /* A schema orb did not make, written in SQLite's own SQL, filled by
     * bound statements, then listed and reflected as orb does when it
     * opens such a database (the SQLite driver's catalog reads: keys,
     * foreign keys of one and two columns, defaults, generated columns,
     * WITHOUT ROWID). */
    for (size_t i = 0; i < sizeof foreign_sql / sizeof *foreign_sql; i++)
        MAY_FAIL(orm_db_execute(db, foreign_sql[i], NULL, 0, NULL));
    orm_value artist[] = {orm_value_int(1), orm_value_text("Björk"),
                          orm_value_text("BJ")};
    MAY_FAIL(orm_db_execute(db,
                            "INSERT INTO \"oom_Artist\" (artist_id, name, "
                            "code) VALUES (?, ?, ?)",
                            artist, 3, NULL));
    orm_value track[] = {orm_value_int(7), orm_value_int(1),
                         orm_value_text("Jóga"), orm_value_int(3),
                         orm_value_float(1.25)};
    MAY_FAIL(orm_db_execute(db,
                            "INSERT INTO oom_track (track_id, artist_id, "
                            "title, qty, price) VALUES (?, ?, ?, ?, ?)",
                            track, 5, NULL));
    MAY_FAIL(orm_db_list_tables(db, &tables, &ntables));
    assert_int_equal(ntables, 4);
    MAY_FAIL(orm_db_reflect_all(db));
    const orm_model *Track = orm_db_find_model(db, "oom_track");
    const orm_model *Artist = orm_db_find_model(db, "oom_Artist");
    assert_non_null(Track);
    assert_non_null(Artist);
    assert_non_null(orm_db_find_model(db, "oom_pair"));

    /* Load the reflected track, edit it, commit. */
    orm_session_free(s);
    s = NULL;
    free(rows);
    rows = NULL;
    MAY_FAIL(orm_session_new(&s, db));
    orm_query_free(q);
    q = NULL;
    MAY_FAIL(orm_query_new(&q, s, Track));
    MAY_FAIL(orm_query_all(q, &rows, &n));
    assert_int_equal(n, 1);
    rc = orm_record_set_text(rows[0], "title", "Jóga (Ä)", &err);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        assert_string_equal(orm_record_get(rows[0], "title")->u.s.ptr, "Jóga");
        goto done;
    }
    if (commit_keeps_pending(s, NULL, NULL))
        goto done;

    /* An error from the database: a second artist with a code already
     * taken. The commit fails (out of memory or the unique key, never
     * success), the new artist stays pending. */
    MAY_FAIL(orm_record_new(&rec, Artist));
    if (orm_record_set_text(rec, "artist_id", "2", &err) != 0 ||
        orm_record_set_text(rec, "name", "Ärzte", &err) != 0 ||
        orm_record_set_text(rec, "code", "BJ", &err) != 0) {
        assert_true(oom.failed);
        orm_record_free(rec);
        rec = NULL;
        goto done;
    }
    rc = orm_session_add(s, rec);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        orm_record_free(rec);
        rec = NULL;
        goto done;
    }
    rc = orm_session_commit(s);
    assert_true(rc < 0);
    assert_int_equal(orm_session_pending_count(s), 1);
    assert_true(strlen(orm_error_text(orm_session_error(s))) > 0);
    if (rc != ORM_EUNIQUE) {
        assert_true(oom.failed);
        assert_int_equal(rc, ORM_ENOMEM);
    } else if (!oom.failed) {
        assert_non_null(orm_session_error(s)->column);
        assert_string_equal(orm_session_error(s)->column, "code");
    }
    /* Another: the code is free now, but the kind breaks a check that
     * SQLite names by its constraint only; the driver finds its column. */
    rc = orm_record_set_text(rec, "code", "ÄR", &err);
    if (rc == 0)
        rc = orm_record_set_text(rec, "kind", "Band", &err);
    if (rc) {
        assert_true(oom.failed && rc < 0);
        assert_int_equal(orm_session_pending_count(s), 1);
        goto done;
    }
    rc = orm_session_commit(s);
    assert_true(rc < 0);
    assert_int_equal(orm_session_pending_count(s), 1);
    assert_true(strlen(orm_error_text(orm_session_error(s))) > 0);
    if (rc != ORM_ECHECK) {
        assert_true(oom.failed);
        assert_int_equal(rc, ORM_ENOMEM);
    } else if (!oom.failed) {
        assert_non_null(orm_session_error(s)->column);
        assert_string_equal(orm_session_error(s)->column, "kind");
    }
    orm_session_expunge(s, rec);
    rec = NULL;
done:
    if (tables) {
        for (size_t i = 0; i < ntables; i++)
            free(tables[i]);
        free(tables);
    }
    free(text);
    orm_model_free(reflected);
    orm_column_summary_clear(&sum);
    orm_query_free(sq);
    orm_cursor_free(cur);
    free(rows);
    orm_query_free(q);
    orm_session_free(s);
    orm_db_free(db);
    orm_error_clear(&err);
}

static void test_oom__every_allocation_failure_is_an_error(void **state)
{
    (void)state;
    orm_alloc_hook_set(oom_hook, NULL);
    /* A run without faults first: SQLite's and the C library's one-time
     * allocations are made, and the count of allocations is known. */
    oom.fail_at = 0;
    workload();
    oom.count = 0;
    workload();
    long total = oom.count;
    long n;
    for (n = 1;; n++) {
        oom.count = 0;
        oom.fail_at = n;
        oom.failed = 0;
        workload();
        if (!oom.failed)
            break;
    }
    orm_alloc_hook_set(NULL, NULL);
    if (n - 1 != total)
        fail_msg("the workload made %ld allocations, but stopped failing "
                 "after %ld",
                 total, n - 1);
    printf("oom: failed each of %ld allocations of the workload in turn, "
           "from %zu places in the source\n",
           n - 1, oom.nsites);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom__every_allocation_failure_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
