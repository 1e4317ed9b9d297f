/*
 * Editing records in the browser, driven with keys on an in-memory
 * screen over a temporary SQLite database: the create and edit forms
 * (model facts, validation as you type, NULL versus empty, secrets,
 * wide characters, $EDITOR), pending changes in the grid, undo, marks,
 * the review screen, commit and every kind of failure with its retry
 * (unique, not null, foreign key through the picker), conflicts with a
 * change made through a second connection, quitting with pending
 * changes, --read-only, and a table without a primary key. The key flow
 * runs again on PostgreSQL and MariaDB (ORB_TEST_PG_URL and
 * ORB_TEST_MYSQL_URL from scripts/with-servers.sh; they fail when unset).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "edit.h"
#include "form.h"
#include "helper_file.h"
#include "helper_servers.h"
#include "internal.h"
#include "test_tui_fixture.h"

#define POINTER "\xE2\x80\xBA" /* › in front of the current field */

typedef struct edit_fx {
    tui_fixture fx;
    char prefix[48]; /* table name prefix ("" on SQLite) */
    char models[2048];
    const orm_model *account, *post, *log, *tag;
} edit_fx;

/* ---- the database ---- */

static void models_text(edit_fx *e, int strict_tag)
{
    const char *p = e->prefix;
    snprintf(e->models, sizeof e->models,
             "[Account]\n__tablename__ = %saccounts\n"
             "__repr__ = <Account {handle}>\n"
             "id = Integer primary_key\n"
             "handle = String(50) unique not_null\n"
             "secret_key = String(128) secret default=token_hex(16)\n"
             "bio = Text\n"
             "profile = JSON\n"
             "balance = Numeric(10,2)\n"
             "active = Boolean\n"
             "born = Date\n"
             "seen = DateTimeTZ\n"
             "\n[Post]\n__tablename__ = %sposts\n__repr__ = <Post {title}>\n"
             "id = Integer primary_key\n"
             "account_id = Integer not_null references=%saccounts.id\n"
             "title = String(200) not_null\n"
             "published = Boolean not_null default=false\n"
             "\n[Log]\n__tablename__ = %slogs\n"
             "message = Text\nlevel = Integer\n"
             "\n[Tag]\n__tablename__ = %stags\n"
             "id = Integer primary_key\nname = String(30)%s\n",
             p, p, p, p, p, strict_tag ? " not_null" : "");
}

/* Register the models of the text on `db`; the app's ones go to `e`. */
static void register_models(edit_fx *e, orm_db *db, int keep)
{
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    if (orm_modelfile_parse(&mf, e->models, "models", &err) != 0)
        fail_msg("models: %s", orm_error_text(&err));
    for (size_t i = 0; i < mf->nmodels; i++) {
        orm_model *m = mf->models[i];
        mf->models[i] = NULL;
        fx_check(orm_db_register(db, m), db, "register");
        if (!keep)
            continue;
        if (strcmp(m->name, "Account") == 0)
            e->account = m;
        else if (strcmp(m->name, "Post") == 0)
            e->post = m;
        else if (strcmp(m->name, "Log") == 0)
            e->log = m;
        else if (strcmp(m->name, "Tag") == 0)
            e->tag = m;
    }
    orm_modelfile_free(mf);
    orm_error_clear(&err);
}

static void seed(edit_fx *e)
{
    orm_session *s = NULL;
    orm_record *rec;
    static const char *const handles[] = {"alice", "bob", "chlo\xC3\xA9"};
    fx_check(orm_session_new(&s, e->fx.db), e->fx.db, "session");
    for (int i = 0; i < 3; i++) {
        orm_record_new(&rec, e->account);
        fx_set(rec, "handle", orm_value_text(handles[i]));
        fx_set(rec, "bio", orm_value_text("hello"));
        fx_set(rec, "balance", orm_value_text("1.50"));
        orm_session_add(s, rec);
        fx_commit(&e->fx, s); /* one at a time: ids 1, 2, 3 */
    }
    orm_record_new(&rec, e->post);
    fx_set(rec, "account_id", orm_value_int(1));
    fx_set(rec, "title", orm_value_text("Hello world"));
    orm_session_add(s, rec);
    static const char *const logs[] = {"first", "second", "third"};
    for (int i = 0; i < 3; i++) {
        orm_record_new(&rec, e->log);
        fx_set(rec, "message", orm_value_text(logs[i]));
        fx_set(rec, "level", orm_value_int(i + 1));
        orm_session_add(s, rec);
    }
    fx_commit(&e->fx, s);
    orm_session_free(s);
}

static void drop_tables(edit_fx *e, orm_db *db)
{
    if (e->post)
        orm_db_drop_table(db, e->post);
    if (e->account)
        orm_db_drop_table(db, e->account);
    if (e->log)
        orm_db_drop_table(db, e->log);
    if (e->tag)
        orm_db_drop_table(db, e->tag);
}

/* Open `url` (NULL: a new SQLite file), create and fill the tables. */
static void edit_open(edit_fx *e, const char *url)
{
    memset(e, 0, sizeof *e);
    snprintf(e->fx.dir, sizeof e->fx.dir, "/tmp/orb-edit-test-XXXXXX");
    if (!mkdtemp(e->fx.dir))
        fail_msg("mkdtemp failed");
    if (url) {
        snprintf(e->fx.url, sizeof e->fx.url, "%s", url);
        snprintf(e->prefix, sizeof e->prefix, "orb_edit_%ld_%ld_",
                 (long)getpid(), (long)time(NULL) % 100000);
    } else {
        snprintf(e->fx.url, sizeof e->fx.url, "sqlite:///%s/edit.db",
                 e->fx.dir);
    }
    fx_check(orm_db_open(&e->fx.db, e->fx.url, NULL), e->fx.db, "open");
    /* The tags table says NOT NULL; the app's model does not, so only
     * the database can refuse a NULL name. */
    {
        orm_db *strict = NULL;
        edit_fx tmp;
        memset(&tmp, 0, sizeof tmp);
        snprintf(tmp.prefix, sizeof tmp.prefix, "%s", e->prefix);
        models_text(&tmp, 1);
        fx_check(orm_db_open(&strict, e->fx.url, NULL), strict, "open");
        register_models(&tmp, strict, 1);
        drop_tables(&tmp, strict); /* leftovers of a killed run */
        fx_check(orm_db_create_table(strict, tmp.tag), strict, "tags");
        orm_db_free(strict);
    }
    models_text(e, 0);
    register_models(e, e->fx.db, 1);
    fx_check(orm_db_create_all(e->fx.db), e->fx.db, "create_all");
    seed(e);
}

static void edit_close(edit_fx *e)
{
    if (strncmp(e->fx.url, "sqlite", 6) != 0) {
        tui_app_free(e->fx.app);
        e->fx.app = NULL;
        drop_tables(e, e->fx.db);
    }
    fx_close(&e->fx);
}

static int setup(void **state)
{
    edit_fx *e = calloc(1, sizeof *e);
    edit_open(e, NULL);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    edit_fx *e = *state;
    edit_close(e);
    free(e);
    return 0;
}

/* ---- reading the database behind the app ---- */

/* A column of the one row matching `where`, as text ("NULL" for NULL);
 * owned. */
static char *db_value(edit_fx *e, const orm_model *m, const char *where,
                      const char *column)
{
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record *rec = NULL;
    char *text = NULL;
    fx_check(orm_session_new(&s, e->fx.db), e->fx.db, "session");
    orm_query_new(&q, s, m);
    orm_query_where(q, where);
    if (orm_query_one(q, &rec) != ORM_ROW)
        fail_msg("no one row where %s: %s", where,
                 orm_error_text(orm_query_error(q)));
    const orm_value *v = orm_record_get(rec, column);
    text = v->kind == ORM_VNULL
               ? strdup("NULL")
               : orm_value_format(v, orm_model_column(m, column));
    orm_query_free(q);
    orm_session_free(s);
    return text;
}

static void assert_db_value(edit_fx *e, const orm_model *m, const char *where,
                            const char *column, const char *expect)
{
    char *got = db_value(e, m, where, column);
    if (strcmp(got, expect) != 0)
        fail_msg("%s where %s: [%s], expected [%s]", column, where, got,
                 expect);
    free(got);
}

/* ---- driving the app ---- */

static void start(edit_fx *e)
{
    fx_start(&e->fx, 30, 110);
}

static void open_rows(edit_fx *e, const char *model)
{
    char keys[64];
    snprintf(keys, sizeof keys, "/%s<Enter>", model);
    fx_send(&e->fx, keys);
    if (strcmp(tui_app_top(e->fx.app)->ops->name, "rows") != 0)
        fx_dump_fail(&e->fx, "rows screen not open for", model);
}

/* The label on a form line ("handle"), after the pointer column. */
static int line_is_field(const char *line, const char *name)
{
    size_t skip = strncmp(line, POINTER, 3) == 0 ? 3 : 1;
    size_t n = strlen(name);
    if (strlen(line) < skip + 1 + n)
        return 0;
    return strncmp(line + skip + 1, name, n) == 0 && line[skip + 1 + n] == ' ';
}

static int field_row(edit_fx *e, const char *name)
{
    for (int r = 2; r < e->fx.scr->rows - 1; r++) {
        char *line = fx_line(&e->fx, r);
        int hit = line && line_is_field(line, name);
        free(line);
        if (hit)
            return r;
    }
    return -1;
}

static int is_current(edit_fx *e, const char *name)
{
    int r = field_row(e, name);
    if (r < 0)
        return 0;
    char *line = fx_line(&e->fx, r);
    int cur = strncmp(line, POINTER, 3) == 0;
    free(line);
    return cur;
}

/* Tab to the field named `name`. */
static void go_field(edit_fx *e, const char *name)
{
    for (int i = 0; i < 40; i++) {
        if (is_current(e, name))
            return;
        fx_send(&e->fx, "<Tab>");
    }
    fx_dump_fail(&e->fx, "no field", name);
}

/* What the input box of a field shows (trailing spaces dropped). */
static char *box_of(edit_fx *e, const char *name)
{
    int r = field_row(e, name);
    if (r < 0)
        fx_dump_fail(&e->fx, "no field line", name);
    char *line = fx_line(&e->fx, r);
    char *open = strchr(line, '[');
    char *close = open ? strrchr(open, ']') : NULL;
    if (!open || !close)
        fx_dump_fail(&e->fx, "no box on the line of", name);
    *close = '\0';
    size_t n = strlen(open + 1);
    while (n > 0 && open[n] == ' ')
        open[n--] = '\0';
    char *text = strdup(open + 1);
    free(line);
    return text;
}

static void assert_box(edit_fx *e, const char *name, const char *expect)
{
    char *got = box_of(e, name);
    if (strcmp(got, expect) != 0) {
        char why[256];
        snprintf(why, sizeof why, "box of %s is [%s], expected", name, got);
        free(got);
        fx_dump_fail(&e->fx, why, expect);
    }
    free(got);
}

/* The element of the cell where `text` starts on the row showing it. */
static tui_element element_at(edit_fx *e, const char *text)
{
    int row = fx_row_of(&e->fx, text);
    if (row < 0)
        fx_dump_fail(&e->fx, "screen lacks", text);
    char *line = fx_line(&e->fx, row);
    const char *at = strstr(line, text);
    /* Count the cells before it. */
    int col = 0;
    for (int c = 0; c < e->fx.scr->cols; c++) {
        const tui_cell *cell = tui_screen_cell(e->fx.scr, row, c);
        if (!cell->width)
            continue;
        orm_buf b = ORM_BUF_INIT;
        for (int k = 0; k < c; k++) {
            const tui_cell *kc = tui_screen_cell(e->fx.scr, row, k);
            if (kc->width)
                orm_buf_append(&b, kc->text);
        }
        size_t before = b.len;
        orm_buf_free(&b);
        if (before >= (size_t)(at - line)) {
            col = c;
            break;
        }
    }
    free(line);
    return (tui_element)tui_screen_cell(e->fx.scr, row, col)->element;
}

/* ---- create, edit, delete, undo ---- */

static void test_form__shows_what_the_model_says_about_each_field(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "a");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "new record");
    /* The cursor starts on the first field to type: not the auto key. */
    assert_true(is_current(e, "handle"));
    assert_box(e, "id", "auto");
    assert_box(e, "secret_key", "token_hex(16)");
    assert_box(e, "bio", "NULL");
    char *line = fx_line(&e->fx, field_row(e, "handle"));
    assert_non_null(strstr(line, "0/50"));
    assert_non_null(strstr(line, "String(50)"));
    assert_non_null(strstr(line, "unique"));
    assert_non_null(strstr(line, "required"));
    free(line);
    line = fx_line(&e->fx, field_row(e, "secret_key"));
    assert_non_null(strstr(line, "secret"));
    free(line);
    line = fx_line(&e->fx, field_row(e, "balance"));
    assert_non_null(strstr(line, "Numeric(10,2)"));
    free(line);
    line = fx_line(&e->fx, field_row(e, "seen"));
    assert_non_null(strstr(line, "DateTimeTZ"));
    assert_non_null(strstr(line, "zone"));
    free(line);
    go_field(e, "seen");
    fx_send(&e->fx, "2024-01-31 13:45"); /* no zone yet */
    line = fx_line(&e->fx, field_row(e, "seen") + 1);
    assert_non_null(strstr(line, "\xE2\x9C\x97"));
    free(line);
    fx_send(&e->fx, "+02:00");
    line = fx_line(&e->fx, field_row(e, "seen") + 1);
    assert_null(strstr(line, "\xE2\x9C\x97")); /* no problem left */
    free(line);
    fx_send(&e->fx, "<C-u>");
    assert_int_equal(element_at(e, "token_hex(16)"), TUI_EL_TYPE);
    /* The form's keys are on the status line, from the keymap. */
    fx_assert_shows(&e->fx, "C-s save");
    fx_send(&e->fx, "<Esc>y");
    fx_assert_top(&e->fx, "rows");
    fx_send(&e->fx, "a<Esc>"); /* nothing typed: no question */
    fx_assert_top(&e->fx, "rows");
}

static void test_add__pending_row_in_grid_then_commit_writes_it(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe<C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "added <Account jdoe>");
    fx_assert_shows(&e->fx, "1 pending: 1 add");
    /* Above the rows read from the database, marked new. */
    int row = fx_row_of(&e->fx, "jdoe");
    assert_true(row >= 0 && row < fx_row_of(&e->fx, "alice"));
    char *line = fx_line(&e->fx, row);
    assert_non_null(strstr(line, "+"));
    assert_non_null(strstr(line, "new"));
    free(line);
    assert_int_equal(element_at(e, "jdoe"), TUI_EL_PENDING_ADD);
    /* Nothing is written yet. */
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'jdoe'"), 0);
    fx_send(&e->fx, "w");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx, "+ add");
    fx_assert_shows(&e->fx, "<Account jdoe>");
    fx_assert_shows(&e->fx, "INSERT INTO");
    fx_assert_shows(&e->fx, "'***'"); /* the secret in the SQL */
    fx_send(&e->fx, "y");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "written: 1 add");
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'jdoe'"), 1);
    /* The generated default was applied. */
    char *key = db_value(e, e->account, "handle = 'jdoe'", "secret_key");
    assert_int_equal(strlen(key), 32);
    free(key);
    /* Read again: the row is in the grid, no longer pending. */
    fx_send(&e->fx, "G");
    line = fx_line(&e->fx, fx_row_of(&e->fx, "jdoe"));
    assert_null(strstr(line, "new"));
    free(line);
    fx_assert_not_shows(&e->fx, "pending");
}

static void test_edit__changed_cell_shows_and_status_counts(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "edit <Account alice>");
    assert_box(e, "handle", "alice");
    fx_send(&e->fx, "<C-u>alicia<C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "changed <Account alicia> (1 field, pending)");
    fx_assert_shows(&e->fx, "1 pending: 1 change");
    char *line = fx_line(&e->fx, fx_row_of(&e->fx, "alicia"));
    assert_non_null(strstr(line, "~"));
    free(line);
    fx_send(&e->fx, "j"); /* off the cursor line to see the colours */
    assert_int_equal(element_at(e, "alicia"), TUI_EL_PENDING_CHANGE);
    assert_db_value(e, e->account, "id = 1", "handle", "alice");
    /* The record screen shows the pending value too. */
    fx_send(&e->fx, "k<Enter>");
    fx_assert_shows(&e->fx, "alicia");
    fx_assert_shows(&e->fx, "1 pending: 1 change");
}

static void test_delete__marks_row_and_undo_brings_it_back(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "jd");
    fx_assert_shows(&e->fx, "<Account bob>: delete pending");
    fx_assert_shows(&e->fx, "1 pending: 1 delete");
    fx_send(&e->fx, "k");
    assert_int_equal(element_at(e, "bob"), TUI_EL_PENDING_DELETE);
    char *line = fx_line(&e->fx, fx_row_of(&e->fx, "bob"));
    assert_true(strncmp(line, "-", 1) == 0);
    free(line);
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "undone: delete of <Account bob>");
    fx_assert_not_shows(&e->fx, "pending");
    assert_int_equal(element_at(e, "bob"), TUI_EL_DEFAULT);
}

static void
test_undo__one_change_at_a_time_back_to_the_loaded_state(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>alicia<C-s>");
    fx_send(&e->fx, "ajdoe<C-s>");
    fx_send(&e->fx, "jd");
    fx_assert_shows(&e->fx, "3 pending: 1 add, 1 change, 1 delete");
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "undone: delete of <Account bob>");
    fx_assert_shows(&e->fx, "2 pending: 1 add, 1 change");
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "undone: add of <Account jdoe>");
    fx_assert_not_shows(&e->fx, "\xE2\x94\x82 jdoe"); /* not in the grid */
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "undone: handle of <Account alice> (back to "
                            "alice");
    fx_assert_not_shows(&e->fx, "alicia");
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "nothing to undo");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
}

static void test_mark__d_deletes_every_marked_row(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "mm");
    fx_assert_shows(&e->fx, "2 marked");
    char *line = fx_line(&e->fx, fx_row_of(&e->fx, "alice"));
    assert_true(strncmp(line, "*", 1) == 0);
    free(line);
    fx_send(&e->fx, "d");
    fx_assert_shows(&e->fx, "2 marked rows: delete pending");
    fx_assert_shows(&e->fx, "2 pending: 2 deletes");
    /* alice still has a post: the database refuses, nothing is deleted,
     * the review says which change failed and why. */
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx, "still referenced");
    char *failed = fx_line(&e->fx, fx_row_of(&e->fx, "<Account alice>"));
    assert_non_null(strstr(failed, "\xE2\x9C\x97"));
    free(failed);
    assert_int_equal(fx_count(e->fx.db, e->account, NULL), 3);
    fx_send(&e->fx, "x"); /* the cursor is on alice's delete */
    fx_send(&e->fx, "y");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->account, NULL), 2);
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'alice'"), 1);
}

/* With thousands of pending changes a key on the review costs what is
 * on screen: only the changes in view are laid out, the SQL is made
 * once it scrolls into view (and kept); the right change is still the
 * one under the cursor, dropped by x. */
static void test_review__keys_cost_what_is_on_screen(void **state)
{
    edit_fx *e = *state;
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t nrows = 0, laid = 0, plans = 0;
    fx_check(orm_session_new(&s, e->fx.db), e->fx.db, "session");
    for (int i = 0; i < 2000; i++) {
        char handle[32];
        orm_record *rec = NULL;
        snprintf(handle, sizeof handle, "u%04d", i);
        orm_record_new(&rec, e->account);
        fx_set(rec, "handle", orm_value_text(handle));
        orm_session_add(s, rec);
    }
    fx_commit(&e->fx, s);
    orm_session_free(s);
    start(e);
    fx_check(orm_query_new(&q, e->fx.app->session, e->account), e->fx.db,
             "query");
    assert_int_equal(orm_query_order_by(q, "id", 0), 0);
    assert_int_equal(orm_query_all(q, &rows, &nrows), 0);
    for (size_t i = 0; i < nrows; i++)
        fx_set(rows[i], "bio", orm_value_text("Ärger im Büro"));
    free(rows);
    orm_query_free(q);
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 2003);
    open_rows(e, "Account");
    fx_send(&e->fx, "w");
    fx_assert_top(&e->fx, "review");
    tui_view *review = tui_app_top(e->fx.app);
    tui_view_review_work(review, &laid, &plans);
    assert_true(laid > 0 && laid <= 30);
    assert_int_equal(plans, 0);
    fx_assert_shows(&e->fx, "~ change  <Account alice>");
    fx_assert_shows(&e->fx, "bio: \"hello\" \xE2\x86\x92 \"Ärger im Büro\"");
    for (int i = 0; i < 40; i++)
        fx_send(&e->fx, "j");
    tui_view_review_work(review, &laid, &plans);
    assert_true(laid > 0 && laid <= 30);
    assert_int_equal(plans, 0);
    int row = fx_row_of(&e->fx, "<Account u0037>");
    assert_true(row > 0);
    assert_int_equal(e->fx.scr->cells[row * e->fx.scr->cols].element,
                     TUI_EL_CURSOR);
    /* The end: the SQL, made once. */
    fx_send(&e->fx, "G");
    fx_assert_shows(&e->fx, "-- [");
    fx_send(&e->fx, "kkk<PgUp>");
    tui_view_review_work(review, &laid, &plans);
    assert_int_equal(plans, 1);
    assert_true(laid <= 30);
    /* x drops the change under the cursor, and the SQL is made again. */
    fx_send(&e->fx, "G");
    fx_send(&e->fx, "x");
    fx_assert_shows(&e->fx, "dropped the change of <Account u1999>");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 2002);
    tui_view_review_work(review, &laid, &plans);
    assert_int_equal(plans, 2);
}

static void test_review__drop_one_change_then_commit_the_rest(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe<C-s>jd");
    fx_send(&e->fx, "w");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx, "- delete  <Account bob>");
    fx_assert_shows(&e->fx, "DELETE FROM");
    fx_send(&e->fx, "x"); /* the cursor is on the first change: the add */
    fx_assert_shows(&e->fx, "dropped the add of <Account jdoe>");
    fx_assert_not_shows(&e->fx, "INSERT INTO");
    fx_send(&e->fx, "<Enter>");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'bob'"), 0);
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'jdoe'"), 0);
    assert_int_equal(fx_count(e->fx.db, e->account, NULL), 2);
}

static void
test_review__shows_old_and_new_values_with_secrets_masked(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>alicia");
    go_field(e, "secret_key");
    fx_send(&e->fx, "<C-u>hunter2<C-s>w");
    fx_assert_shows(&e->fx, "~ change  <Account alicia>");
    fx_assert_shows(&e->fx, "handle: \"alice\" \xE2\x86\x92 \"alicia\"");
    fx_assert_shows(&e->fx, "secret_key: " TUI_SECRET_MASK
                            " \xE2\x86\x92 " TUI_SECRET_MASK);
    fx_assert_not_shows(&e->fx, "hunter2");
    fx_assert_shows(&e->fx, "UPDATE");
    fx_send(&e->fx, "<Esc>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "1 pending: 1 change");
}

/* ---- failures and retries ---- */

static void
test_commit__unique_violation_opens_form_at_field_and_retry_works(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "je<C-u>alice<C-s>wy");
    /* Nothing written, the form of bob open at handle, with the reason. */
    fx_assert_top(&e->fx, "form");
    assert_true(is_current(e, "handle"));
    fx_assert_shows(&e->fx, "handle: \"alice\" is already taken");
    assert_box(e, "handle", "alice");
    int row = field_row(e, "handle");
    assert_int_equal(tui_screen_cell(e->fx.scr, row + 1, 20)->element,
                     TUI_EL_ERROR);
    assert_db_value(e, e->account, "id = 2", "handle", "bob");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 1);
    /* Fix and write again. */
    fx_send(&e->fx, "<C-u>bobby<C-s>");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx, "\"bob\" \xE2\x86\x92 \"bobby\"");
    fx_send(&e->fx, "y");
    fx_assert_top(&e->fx, "rows");
    assert_db_value(e, e->account, "id = 2", "handle", "bobby");
}

/* Once the field at fault is fixed, the review no longer marks it. */
static void test_review__error_goes_once_its_field_is_fixed(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "je<C-u>alice<C-s>wy");
    fx_assert_top(&e->fx, "form");
    fx_send(&e->fx, "<C-u>B\xC3\xB6"
                    "b_UX<C-s>");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx, "\"bob\" \xE2\x86\x92 \"B\xC3\xB6"
                            "b_UX\"");
    fx_assert_not_shows(&e->fx, "\xE2\x9C\x97"); /* ✗ */
    fx_assert_not_shows(&e->fx, "already taken");
}

/* A value over several lines stays on one line of the review, its
 * newlines drawn as the grid draws them (↵), in the SQL's values too. */
static void test_review__multi_line_values_keep_the_layout(void **state)
{
    edit_fx *e = *state;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    start(e);
    open_rows(e, "Account");
    orm_value key = orm_value_int(1);
    assert_int_equal(
        orm_session_get(e->fx.app->session, e->account, &key, &rec), ORM_ROW);
    assert_int_equal(
        orm_record_set_text(rec, "bio", "Zeile eins\nZWEI \xC3\xBC", &err), 0);
    fx_send(&e->fx, "w");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx,
                    "\"hello\" \xE2\x86\x92 \"Zeile eins\xE2\x86\xB5ZWEI "
                    "\xC3\xBC\"");
    fx_assert_shows(&e->fx, "'Zeile eins\xE2\x86\xB5ZWEI \xC3\xBC'");
    for (int r = 0; r < e->fx.scr->rows; r++) {
        char *line = fx_line(&e->fx, r);
        if (strncmp(line, "ZWEI", 4) == 0 || strstr(line, "  ZWEI"))
            fx_dump_fail(&e->fx, "a value's second line on a line of its own",
                         line);
        free(line);
    }
    orm_error_clear(&err);
}

static void
test_commit__not_null_from_the_database_is_fixed_in_the_form(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Tag");
    /* The model allows NULL; the table does not. */
    fx_send(&e->fx, "a<C-n><C-s>");
    fx_assert_shows(&e->fx, "1 pending: 1 add");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "form");
    assert_true(is_current(e, "name"));
    fx_assert_shows(&e->fx, "name: a value is required");
    assert_int_equal(fx_count(e->fx.db, e->tag, NULL), 0);
    fx_send(&e->fx, "urgent<C-s>y");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->tag, "name = 'urgent'"), 1);
}

static void test_commit__foreign_key_failure_fixed_with_the_picker(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Post");
    fx_send(&e->fx, "a");
    assert_true(is_current(e, "account_id"));
    fx_send(&e->fx, "99");
    /* The form says what the key refers to, before any commit. */
    fx_assert_shows(&e->fx, "no accounts row with id = 99");
    go_field(e, "title");
    fx_send(&e->fx, "Orphan<C-s>wy");
    fx_assert_top(&e->fx, "form");
    assert_true(is_current(e, "account_id"));
    fx_assert_shows(&e->fx, "account_id");
    assert_int_equal(fx_count(e->fx.db, e->post, NULL), 1);
    /* Ctrl-P: a searchable list of accounts. */
    fx_send(&e->fx, "<C-p>");
    fx_assert_top(&e->fx, "picker");
    fx_assert_shows(&e->fx, "<Account alice>");
    fx_assert_shows(&e->fx, "<Account bob>");
    fx_send(&e->fx, "bo");
    fx_assert_shows(&e->fx, "<Account bob>");
    fx_assert_not_shows(&e->fx, "<Account alice>");
    fx_send(&e->fx, "<Enter>");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "account_id", "2");
    fx_assert_shows(&e->fx, "\xE2\x86\x92 <Account bob>");
    fx_send(&e->fx, "<C-s>y");
    fx_assert_top(&e->fx, "rows");
    assert_db_value(e, e->post, "title = 'Orphan'", "account_id", "2");
}

/* A model with two foreign keys, made for one test: SQLite does not say
 * which key failed, orb asks the referenced tables. */
static const orm_model *add_review_model(edit_fx *e)
{
    char text[512];
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    snprintf(text, sizeof text,
             "[Review]\n__tablename__ = %sreviews\n"
             "id = Integer primary_key\n"
             "post_id = Integer not_null references=%sposts.id\n"
             "account_id = Integer not_null references=%saccounts.id\n"
             "note = Text\n",
             e->prefix, e->prefix, e->prefix);
    if (orm_modelfile_parse(&mf, text, "models", &err) != 0)
        fail_msg("models: %s", orm_error_text(&err));
    orm_model *m = mf->models[0];
    mf->models[0] = NULL;
    orm_modelfile_free(mf);
    fx_check(orm_db_register(e->fx.db, m), e->fx.db, "register");
    fx_check(orm_db_create_table(e->fx.db, m), e->fx.db, "reviews");
    return m;
}

static void
test_commit__foreign_key_failure_puts_the_cursor_on_its_column(void **state)
{
    edit_fx *e = *state;
    const orm_model *review = add_review_model(e);
    start(e);
    open_rows(e, "Review");
    fx_send(&e->fx, "a");
    go_field(e, "post_id");
    fx_send(&e->fx, "1");
    go_field(e, "account_id");
    fx_send(&e->fx, "99");
    go_field(e, "note");
    fx_send(&e->fx, "Grüße<C-s>wy");
    /* The form opens at the key that points nowhere, not the first. */
    fx_assert_top(&e->fx, "form");
    assert_true(is_current(e, "account_id"));
    fx_assert_shows(&e->fx, "Review.account_id: 99 does not exist in "
                            "accounts (id)");
    assert_int_equal(fx_count(e->fx.db, review, NULL), 0);
    /* Saved as it is, the review marks the same field. */
    fx_send(&e->fx, "<C-s>");
    fx_assert_top(&e->fx, "review");
    char *line = fx_line(&e->fx, fx_row_of(&e->fx, "    account_id: 99"));
    assert_non_null(strstr(line, "\xE2\x9C\x97 here"));
    free(line);
    line = fx_line(&e->fx, fx_row_of(&e->fx, "    post_id: 1"));
    assert_null(strstr(line, "\xE2\x9C\x97"));
    free(line);
    /* Fixed, it is written. */
    fx_send(&e->fx, "y");
    fx_assert_top(&e->fx, "form");
    assert_true(is_current(e, "account_id"));
    fx_send(&e->fx, "<C-u>2<C-s>y");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, review, "account_id = 2"), 1);
}

static void test_picker__enter_on_a_foreign_key_opens_it(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Post");
    fx_send(&e->fx, "a<Enter>");
    fx_assert_top(&e->fx, "picker");
    fx_send(&e->fx, "<Down><Enter>"); /* the second account */
    assert_box(e, "account_id", "2");
    fx_send(&e->fx, "<Tab>My title<C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "My title");
}

static void test_picker__pages_a_large_table_and_searches_it(void **state)
{
    edit_fx *e = *state;
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, e->fx.db), e->fx.db, "session");
    for (int i = 0; i < 300; i++) {
        char handle[32];
        orm_record *rec = NULL;
        snprintf(handle, sizeof handle, "user%03d", i);
        orm_record_new(&rec, e->account);
        fx_set(rec, "handle", orm_value_text(handle));
        orm_session_add(s, rec);
    }
    fx_commit(&e->fx, s);
    orm_session_free(s);
    start(e);
    open_rows(e, "Post");
    fx_send(&e->fx, "a<C-p>");
    fx_assert_top(&e->fx, "picker");
    fx_assert_shows(&e->fx, "303 rows");
    fx_assert_not_shows(&e->fx, "<Account user100>");
    for (int i = 0; i < 5; i++)
        fx_send(&e->fx, "<PgDn>");
    fx_assert_not_shows(&e->fx, "<Account alice>");
    fx_assert_shows(&e->fx, "<Account user1");
    fx_send(&e->fx, "<PgUp><PgUp><PgUp><PgUp><PgUp><PgUp>");
    fx_assert_shows(&e->fx, "<Account alice>");
    fx_send(&e->fx, "user299");
    fx_assert_shows(&e->fx, "<Account user299>");
    fx_assert_not_shows(&e->fx, "<Account user298>");
    fx_send(&e->fx, "<Enter>");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "account_id", "303");
}

/* The picker opens on the row the field refers to now: Enter right
 * away keeps it (it was the first row before). */
static void test_picker__opens_at_the_current_value(void **state)
{
    edit_fx *e = *state;
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, e->fx.db), e->fx.db, "session");
    for (int i = 0; i < 300; i++) {
        char handle[32];
        orm_record *rec = NULL;
        snprintf(handle, sizeof handle, "Ärger%03d", i);
        orm_record_new(&rec, e->account);
        fx_set(rec, "handle", orm_value_text(handle));
        orm_session_add(s, rec);
    }
    fx_commit(&e->fx, s);
    orm_session_free(s);
    start(e);
    open_rows(e, "Post");
    fx_send(&e->fx, "a250<C-p>");
    fx_assert_top(&e->fx, "picker");
    fx_assert_shows(&e->fx, "<Account Ärger246>");
    fx_assert_not_shows(&e->fx, "<Account alice>");
    fx_send(&e->fx, "<Enter>");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "account_id", "250");
    /* One row down from there. */
    fx_send(&e->fx, "<C-p><Down><Enter>");
    assert_box(e, "account_id", "251");
    /* A value no row has: the first row. */
    fx_send(&e->fx, "<C-u>9999<C-p>");
    fx_assert_top(&e->fx, "picker");
    fx_assert_shows(&e->fx, "<Account alice>");
    fx_send(&e->fx, "<Esc>");
    fx_assert_top(&e->fx, "form");
}

/* F1 in a form opens the help at the form's keys (it opened at the
 * top, the browsing keys, before); q goes back to the form as it was. */
static void test_form__f1_opens_help_at_the_form_keys(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>Ärger<F1>");
    fx_assert_top(&e->fx, "help");
    fx_assert_shows(&e->fx, "Forms");
    fx_assert_shows(&e->fx, "Form: save into the session");
    fx_assert_not_shows(&e->fx, "Move the cursor up one line");
    fx_send(&e->fx, "q");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "handle", "Ärger");
    /* From the rows screen, the help starts at the top as before. */
    fx_send(&e->fx, "<Esc>y?");
    fx_assert_top(&e->fx, "help");
    fx_assert_shows(&e->fx, "Move the cursor up one line");
}

/* A date-time field takes a plain date as the filters do: its midnight
 * (local midnight, with the local zone on that day, for a zoned one);
 * a day that does not exist is still refused with the date's words. */
static void test_form__datetime_takes_a_plain_date_as_midnight(void **state)
{
    edit_fx *e = *state;
    char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e");
    go_field(e, "seen");
    fx_send(&e->fx, "2024-02-30");
    fx_assert_shows(&e->fx, "day must be 01 to 29 for 2024-02");
    fx_send(&e->fx, "<C-u>2024-07-01");
    fx_assert_not_shows(&e->fx, "day must be");
    fx_assert_not_shows(&e->fx, "expected a date and time");
    fx_send(&e->fx, "<Tab><C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_send(&e->fx, "wy");
    char *got = db_value(e, e->account, "id = 1", "seen");
    /* Berlin is two hours east in July: 2024-06-30 22:00 UTC. */
    if (!strstr(got, "2024-07-01 00:00:00+02:00") &&
        !strstr(got, "2024-06-30 22:00:00+00:00"))
        fail_msg("seen is [%s], expected Berlin's midnight of 2024-07-01", got);
    free(got);
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(tz);
}

/* A column with a plain server default shows that default ('' or 0 or
 * CURRENT_TIMESTAMP), as the record screen does; "auto" is for a key
 * the database counts. */
static void test_form__shows_the_real_server_default(void **state)
{
    edit_fx *e = *state;
    orm_model *m = NULL;
    fx_check(orm_db_execute(e->fx.db,
                            "CREATE TABLE notes (id INTEGER PRIMARY KEY "
                            "AUTOINCREMENT, title TEXT NOT NULL DEFAULT '', "
                            "n INTEGER NOT NULL DEFAULT 0, created TEXT "
                            "DEFAULT CURRENT_TIMESTAMP, mood TEXT DEFAULT "
                            "'Ärger')",
                            NULL, 0, NULL),
             e->fx.db, "create notes");
    fx_check(orm_db_execute(e->fx.db, "INSERT INTO notes DEFAULT VALUES", NULL,
                            0, NULL),
             e->fx.db, "insert");
    fx_check(orm_db_reflect(e->fx.db, "notes", &m), e->fx.db, "reflect");
    fx_check(orm_db_register(e->fx.db, m), e->fx.db, "register");
    start(e);
    open_rows(e, "notes");
    fx_send(&e->fx, "e");
    fx_assert_top(&e->fx, "form");
    static const struct {
        const char *field, *shows;
    } cases[] = {{"id", "default auto"},
                 {"title", "default ''"},
                 {"n", "default 0"},
                 {"created", "default CURRENT_TIMESTAMP"},
                 {"mood", "default 'Ärger'"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *line = fx_line(&e->fx, field_row(e, cases[i].field));
        if (!strstr(line, cases[i].shows))
            fx_dump_fail(&e->fx, cases[i].field, cases[i].shows);
        if (i > 0 && strstr(line, "default auto"))
            fx_dump_fail(&e->fx, cases[i].field, "not auto");
        free(line);
    }
    /* A new record: the defaults are shown in the empty boxes. */
    fx_send(&e->fx, "<Esc>a");
    assert_box(e, "n", "0");
    assert_box(e, "mood", "'Ärger'");
}

/* ---- switching the database (O) ---- */

/* A second SQLite file next to the first, with a table of its own. */
static void second_database(edit_fx *e, char *url, size_t size)
{
    orm_db *db = NULL;
    snprintf(url, size, "sqlite:///%s/zweite.db?mode=rwc", e->fx.dir);
    fx_check(orm_db_open(&db, url, NULL), db, "open second");
    fx_check(orm_db_execute(db,
                            "CREATE TABLE buecher (id INTEGER PRIMARY KEY, "
                            "titel TEXT NOT NULL)",
                            NULL, 0, NULL),
             db, "create");
    fx_check(orm_db_execute(db,
                            "INSERT INTO buecher (titel) VALUES "
                            "('\xC3\x84rger im B\xC3\xBCro')",
                            NULL, 0, NULL),
             db, "insert");
    orm_db_free(db);
    snprintf(url, size, "sqlite:///%s/zweite.db", e->fx.dir);
}

static int status_has(edit_fx *e, const char *text)
{
    char *line = fx_line(&e->fx, e->fx.scr->rows - 1);
    int found = line && strstr(line, text);
    free(line);
    return found;
}

static void assert_status(edit_fx *e, const char *text)
{
    if (!status_has(e, text))
        fx_dump_fail(&e->fx, "status line lacks", text);
}

/* O opens another database: pending changes first (written or
 * discarded, asked as Q asks), a bad URL or a failed connect keeps the
 * current one usable and says why, a password never shows, a named
 * connection of the config (Tab completes it) works too. */
static void test_switch__another_database_without_leaving(void **state)
{
    edit_fx *e = *state;
    char second[512], keys[700], config[300];
    FILE *f;
    second_database(e, second, sizeof second);
    snprintf(config, sizeof config, "%s/config", e->fx.dir);
    f = fopen(config, "w");
    assert_non_null(f);
    fprintf(f, "[connection.erste]\nurl = %s\n", e->fx.url);
    fclose(f);
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>alicia<C-s>");
    /* Pending: asked first; Esc stays with everything pending. */
    fx_send(&e->fx, "O");
    fx_assert_top(&e->fx, "quit");
    assert_status(e, "1 pending change: write (w), discard (d) or cancel "
                     "(Esc) before opening another database?");
    fx_send(&e->fx, "<Esc>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "not switching: your changes are still pending");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 1);
    /* w: the review, written, then the prompt. */
    fx_send(&e->fx, "Ow");
    fx_assert_top(&e->fx, "review");
    fx_send(&e->fx, "y");
    assert_status(e, "open: ");
    assert_db_value(e, e->account, "id = 1", "handle", "alicia");
    fx_send(&e->fx, "<Esc>");
    fx_assert_shows(&e->fx, "still on sqlite:///");
    /* d: discarded, then the prompt. */
    fx_send(&e->fx, "e<C-u>bobby<C-s>Od");
    assert_status(e, "open: ");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
    /* Not a URL: said so, nothing changed, and the rows still work. */
    fx_send(&e->fx, "nope<Enter>");
    fx_assert_shows(&e->fx, "not switched: 'nope' is neither a URL");
    fx_assert_top(&e->fx, "rows");
    fx_send(&e->fx, "j");
    fx_assert_shows(&e->fx, "alicia");
    /* What was typed comes back to be fixed. */
    fx_send(&e->fx, "O");
    assert_status(e, "open: nope");
    snprintf(keys, sizeof keys, "<C-u>sqlite:///%s/fehlt.db<Enter>", e->fx.dir);
    fx_send(&e->fx, keys);
    fx_assert_shows(&e->fx, "cannot open");
    fx_assert_top(&e->fx, "rows");
    /* A password is *** on the screen and in the message. */
    fx_send(&e->fx, "O<C-u>postgresql://ich:Geheim\xC3\x9F@127.0.0.1:1/x");
    assert_status(e, "open: postgresql://ich:***@127.0.0.1:1/x");
    fx_assert_not_shows(&e->fx, "Geheim");
    fx_send(&e->fx, "<Enter>");
    fx_assert_shows(&e->fx, "not switched: cannot open postgresql://ich:***@");
    fx_assert_not_shows(&e->fx, "Geheim");
    fx_send(&e->fx, "O");
    fx_assert_not_shows(&e->fx, "Geheim");
    /* The second file: its tables, its rows. */
    snprintf(keys, sizeof keys, "<C-u>%s<Enter>", second);
    fx_send(&e->fx, keys);
    fx_assert_top(&e->fx, "models");
    fx_assert_shows(&e->fx, "zweite.db");
    fx_assert_shows(&e->fx, "buecher");
    fx_assert_not_shows(&e->fx, "accounts");
    fx_send(&e->fx, "/buecher<Enter>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "\xC3\x84rger im B\xC3\xBCro");
    fx_send(&e->fx, "e<C-u>Grüße<C-s>");
    fx_send(&e->fx, "wy");
    /* Back by name, Tab completing it. */
    fx_send(&e->fx, "O<C-u>@er<Tab>");
    assert_status(e, "open: @erste");
    fx_send(&e->fx, "<Enter>");
    fx_assert_top(&e->fx, "models");
    fx_assert_shows(&e->fx, "accounts");
    fx_assert_not_shows(&e->fx, "buecher");
    open_rows(e, "accounts");
    fx_assert_shows(&e->fx, "alicia");
}

/* --read-only holds for a database switched to as well. */
static void test_switch__read_only_holds_for_the_next_database(void **state)
{
    edit_fx *e = *state;
    char second[512], keys[700];
    second_database(e, second, sizeof second);
    e->fx.opts.read_only = 1;
    start(e);
    snprintf(keys, sizeof keys, "O%s<Enter>", second);
    fx_send(&e->fx, keys);
    fx_assert_top(&e->fx, "models");
    fx_send(&e->fx, "/buecher<Enter>");
    fx_assert_top(&e->fx, "rows");
    fx_send(&e->fx, "e");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "read-only");
}

/* ---- typed input ---- */

static void test_form__null_and_empty_text_stay_apart(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e");
    go_field(e, "bio");
    assert_box(e, "bio", "hello");
    fx_send(&e->fx, "<C-u><C-s>wy");
    assert_db_value(e, e->account, "id = 1", "bio", "");
    assert_int_equal(fx_count(e->fx.db, e->account, "bio is null"), 0);
    fx_send(&e->fx, "e");
    go_field(e, "bio");
    assert_box(e, "bio", "");
    fx_send(&e->fx, "<C-n>");
    assert_box(e, "bio", "NULL");
    /* Dim NULL (its first cell is the cursor). */
    assert_int_equal(element_at(e, "ULL "), TUI_EL_NULL_VALUE);
    fx_send(&e->fx, "<C-s>wy");
    assert_int_equal(fx_count(e->fx.db, e->account, "id = 1 and bio is null"),
                     1);
    /* A NOT NULL field refuses NULL. */
    fx_send(&e->fx, "e");
    go_field(e, "handle");
    fx_send(&e->fx, "<C-n>");
    fx_assert_shows(&e->fx, "handle cannot be NULL");
    assert_box(e, "handle", "alice");
}

static void test_form__validates_as_you_type_and_keeps_the_input(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "a");
    go_field(e, "balance");
    fx_send(&e->fx, "12.345");
    fx_assert_shows(&e->fx, "12.345");
    int row = field_row(e, "balance");
    char *err = fx_line(&e->fx, row + 1);
    assert_non_null(strstr(err, "\xE2\x9C\x97"));
    free(err);
    fx_send(&e->fx, "<Backspace>");
    assert_int_equal(field_row(e, "balance") + 1, field_row(e, "active"));
    go_field(e, "born");
    fx_send(&e->fx, "2024-13-01");
    fx_assert_shows(&e->fx, "2024-13-01");
    fx_assert_shows(&e->fx, "month must be 01 to 12");
    fx_send(&e->fx, "<C-u>2024-02-29");
    fx_assert_not_shows(&e->fx, "month must be");
    go_field(e, "active");
    fx_send(&e->fx, " ");
    assert_box(e, "active", "true");
    fx_send(&e->fx, " ");
    assert_box(e, "active", "false");
    go_field(e, "profile");
    fx_send(&e->fx, "{bad");
    fx_assert_shows(&e->fx, "JSON");
    /* Saving refuses, says why and goes to the first bad field; handle
     * (required) is empty, profile is bad: nothing typed is lost. */
    fx_send(&e->fx, "<C-s>");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "not saved");
    assert_true(is_current(e, "handle"));
    fx_assert_shows(&e->fx, "required");
    assert_box(e, "profile", "{bad");
    /* The String(n) counter counts characters. */
    fx_send(&e->fx, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    fx_assert_shows(&e->fx, "51/50");
    fx_assert_shows(&e->fx, "at most 50 characters (got 51)");
    fx_send(&e->fx, "<Backspace>");
    fx_assert_shows(&e->fx, "50/50");
    go_field(e, "profile");
    fx_send(&e->fx, "<C-u>{\"ok\": [1, 2]}<C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_send(&e->fx, "wy");
    assert_db_value(e, e->account, "born = '2024-02-29'", "balance", "12.34");
}

static void
test_form__secret_masked_while_typing_and_revealed_on_request(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe");
    go_field(e, "secret_key");
    fx_send(&e->fx, "hunter2");
    fx_assert_not_shows(&e->fx, "hunter2");
    assert_box(e, "secret_key",
               "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"
               "\xE2\x80\xA2\xE2\x80\xA2");
    fx_send(&e->fx, "<C-r>");
    assert_box(e, "secret_key", "hunter2");
    fx_send(&e->fx, "<C-r>");
    fx_assert_not_shows(&e->fx, "hunter2");
    fx_send(&e->fx, "<C-s>");
    /* Masked in the grid too, until R. */
    fx_assert_not_shows(&e->fx, "hunter2");
    fx_send(&e->fx, "wy");
    assert_db_value(e, e->account, "handle = 'jdoe'", "secret_key", "hunter2");
}

static void test_form__wide_characters_edit_as_whole_characters(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "aa\xE6\xBC\xA2\xE5\xAD\x97\xF0\x9F\x98\x80"
                    "b");
    assert_box(e, "handle",
               "a\xE6\xBC\xA2\xE5\xAD\x97\xF0\x9F\x98\x80"
               "b");
    fx_assert_shows(&e->fx, "5/50");
    /* Left twice: the cursor is before the emoji; Backspace takes 字. */
    fx_send(&e->fx, "<Left><Left><Backspace>");
    assert_box(e, "handle",
               "a\xE6\xBC\xA2\xF0\x9F\x98\x80"
               "b");
    /* Delete takes the whole emoji. */
    fx_send(&e->fx, "<Delete>");
    assert_box(e, "handle",
               "a\xE6\xBC\xA2"
               "b");
    fx_send(&e->fx, "\xE5\xAD\x97<Home>x<End>y");
    assert_box(e, "handle",
               "xa\xE6\xBC\xA2\xE5\xAD\x97"
               "by");
    /* e and a combining accent are one character on screen. */
    fx_send(&e->fx, "e\xCC\x81<Backspace>");
    assert_box(e, "handle",
               "xa\xE6\xBC\xA2\xE5\xAD\x97"
               "by");
    fx_send(&e->fx, "<C-s>wy");
    assert_int_equal(fx_count(e->fx.db, e->account,
                              "handle = 'xa\xE6\xBC\xA2\xE5\xAD\x97"
                              "by'"),
                     1);
}

/* The form's field state on its own: the cursor by grapheme. */
static void test_form_state__cursor_moves_and_deletes_by_grapheme(void **state)
{
    edit_fx *e = *state;
    tui_form f;
    assert_int_equal(tui_form_init(&f, e->account, NULL), 0);
    assert_int_equal(f.current, 1); /* handle, not the auto key */
    const char *flag = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"; /* 🇫🇷 */
    assert_int_equal(tui_form_insert(&f, "a", 1), 0);
    assert_int_equal(tui_form_insert(&f, flag, strlen(flag)), 0);
    assert_int_equal(tui_form_insert_char(&f, 0x4E2D), 0); /* 中 */
    orm_buf all = ORM_BUF_INIT;
    orm_buf_appendf(&all, "a%s\xE4\xB8\xAD", flag);
    assert_int_equal(tui_form_cursor_width(&f, 1),
                     tui_text_widthz(orm_buf_str(&all)));
    orm_buf_free(&all);
    tui_form_move_cursor(&f, TUI_FORM_LEFT);
    tui_form_move_cursor(&f, TUI_FORM_LEFT);
    assert_int_equal(f.fields[1].cursor, 1); /* before the flag */
    assert_int_equal(tui_form_erase(&f, 1), 0);
    assert_string_equal(orm_buf_str(&f.fields[1].text), "a\xE4\xB8\xAD");
    assert_int_equal(tui_form_chars(&f, 1), 2);
    /* NULL is not empty. */
    const char *why = NULL;
    f.current = 3; /* bio */
    assert_int_equal(tui_form_set_null(&f, &why), 0);
    assert_true(f.fields[3].is_null);
    assert_int_equal(tui_form_erase(&f, 0), 0);
    assert_false(f.fields[3].is_null);
    assert_string_equal(orm_buf_str(&f.fields[3].text), "");
    /* Left alone, a generated field keeps its default. */
    assert_true(tui_form_left_alone(&f, 2));
    assert_string_equal(tui_form_default_text(&f, 2), "token_hex(16)");
    assert_string_equal(tui_form_default_text(&f, 0), "auto");
    tui_form_clear(&f);
}

/* ---- $EDITOR ---- */

static void write_script(const char *path, const char *body)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s", body);
    fclose(f);
    assert_int_equal(chmod(path, 0700), 0);
}

static void
test_editor__ctrl_e_edits_the_field_in_visual_and_cleans_up(void **state)
{
    edit_fx *e = *state;
    char script[128], body[1024], seen[160];
    snprintf(script, sizeof script, "%s/edit.sh", e->fx.dir);
    snprintf(seen, sizeof seen, "%s/seen", e->fx.dir);
    snprintf(body, sizeof body,
             "echo \"$1\" > '%s.path'\n"
             "stat -c %%a \"$1\" > '%s.mode'\n"
             "cat \"$1\" > '%s.text'\n"
             "printf '{\"edited\": [1, 2]}\\n' > \"$1\"\n",
             seen, seen, seen);
    write_script(script, body);
    setenv("VISUAL", script, 1);
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e");
    go_field(e, "profile");
    fx_send(&e->fx, "{\"before\": 1}<C-e>");
    assert_box(e, "profile", "{\"edited\": [1, 2]}");
    fx_assert_shows(&e->fx, "profile: edited in the editor");
    /* The editor saw the field, in a private file that is gone now. */
    char path_file[200], mode_file[200], text_file[200];
    snprintf(path_file, sizeof path_file, "%s.path", seen);
    snprintf(mode_file, sizeof mode_file, "%s.mode", seen);
    snprintf(text_file, sizeof text_file, "%s.text", seen);
    char *text = file_read(text_file), *mode = file_read(mode_file);
    char *path = file_read(path_file);
    assert_string_equal(text, "{\"before\": 1}");
    assert_string_equal(mode, "600\n");
    assert_non_null(strstr(path, ".json"));
    path[strlen(path) - 1] = '\0';
    assert_int_not_equal(access(path, F_OK), 0);
    free(text);
    free(mode);
    free(path);
    fx_send(&e->fx, "<C-s>wy");
    assert_db_value(e, e->account, "id = 1", "profile", "{\"edited\": [1, 2]}");
    /* An editor that fails leaves the field as it was. */
    write_script(script, "exit 3\n");
    fx_send(&e->fx, "e");
    go_field(e, "bio");
    fx_send(&e->fx, "<C-e>");
    fx_assert_shows(&e->fx, "exited with status 3");
    assert_box(e, "bio", "hello");
    unsetenv("VISUAL");
}

/* ---- conflicts ---- */

/* Change a row through a second connection, behind the app's back. */
static void change_elsewhere(edit_fx *e, long id, const char *handle)
{
    orm_db *other = NULL;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    edit_fx tmp;
    memset(&tmp, 0, sizeof tmp);
    snprintf(tmp.prefix, sizeof tmp.prefix, "%s", e->prefix);
    models_text(&tmp, 0);
    fx_check(orm_db_open(&other, e->fx.url, NULL), other, "open");
    register_models(&tmp, other, 1);
    fx_check(orm_session_new(&s, other), other, "session");
    orm_value key = orm_value_int(id);
    assert_int_equal(orm_session_get(s, tmp.account, &key, &rec), ORM_ROW);
    if (handle)
        fx_set(rec, "handle", orm_value_text(handle));
    else
        assert_int_equal(orm_session_delete(s, rec), 0);
    fx_commit(&e->fx, s);
    orm_session_free(s);
    orm_db_free(other);
}

/* The database busy (another program holds its write lock): the write
 * fails saying so, nothing is written, every change stays pending, and y
 * writes once the lock is gone. */
static void test_commit__busy_database_keeps_changes_and_y_retries(void **state)
{
    edit_fx *e = *state;
    orm_open_options opts = ORM_OPEN_OPTIONS_INIT;
    opts.busy_timeout_ms = 50; /* the app gives up after 50 ms */
    orm_db_free(e->fx.db);
    fx_check(orm_db_open(&e->fx.db, e->fx.url, &opts), e->fx.db, "open");
    register_models(e, e->fx.db, 1);
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>alicia<C-s>");
    fx_assert_shows(&e->fx, "1 pending: 1 change");
    orm_db *other = NULL;
    orm_session *holder = NULL;
    fx_check(orm_db_open(&other, e->fx.url, NULL), other, "open");
    fx_check(orm_session_new(&holder, other), other, "session");
    assert_int_equal(orm_session_begin(holder), 0); /* takes the lock */
    fx_send(&e->fx, "wy");
    fx_assert_shows(&e->fx, "not written (every change is kept; y tries "
                            "again): ");
    /* Said once, not again at the end in the session's words. */
    fx_assert_not_shows(&e->fx, "changes are kept");
    fx_assert_top(&e->fx, "review");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 1);
    assert_db_value(e, e->account, "id = 1", "handle", "alice");
    assert_int_equal(orm_session_rollback(holder), 0); /* lets it go */
    fx_send(&e->fx, "y");
    fx_assert_shows(&e->fx, "written: 1 change");
    assert_db_value(e, e->account, "id = 1", "handle", "alicia");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
    orm_session_free(holder);
    orm_db_free(other);
}

static void test_conflict__reload_and_reapply_my_edit(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>alicia<C-s>");
    change_elsewhere(e, 1, "alice2");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "conflict");
    fx_assert_shows(&e->fx, "was changed in the database since you loaded");
    fx_assert_shows(&e->fx, "database now");
    int row = fx_row_of(&e->fx, "alice2");
    char *line = fx_line(&e->fx, row);
    assert_non_null(strstr(line, "handle"));
    assert_non_null(strstr(line, "alice "));
    assert_non_null(strstr(line, "alicia"));
    free(line);
    assert_db_value(e, e->account, "id = 1", "handle", "alice2");
    /* Its keys on its last line, as the keymap has them. */
    line = fx_line(&e->fx, e->fx.scr->rows - 2);
    assert_non_null(strstr(line, "r reload and re-apply my edit"));
    assert_non_null(strstr(line, "o overwrite theirs"));
    assert_non_null(strstr(line, "k keep editing"));
    assert_non_null(strstr(line, "? help"));
    free(line);
    /* F1: the help opens at the conflict keys. */
    fx_send(&e->fx, "<F1>");
    fx_assert_top(&e->fx, "help");
    fx_assert_shows(&e->fx, "Conflict: write my values over theirs");
    fx_send(&e->fx, "q");
    fx_assert_top(&e->fx, "conflict");
    fx_send(&e->fx, "r");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx, "your edit now applies over the current row");
    fx_assert_shows(&e->fx, "\"alice2\" \xE2\x86\x92 \"alicia\"");
    fx_send(&e->fx, "y");
    fx_assert_top(&e->fx, "rows");
    assert_db_value(e, e->account, "id = 1", "handle", "alicia");
}

static void test_conflict__overwrite_writes_at_once(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>alicia<C-s>");
    change_elsewhere(e, 1, "alice3");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "conflict");
    fx_send(&e->fx, "o");
    fx_assert_top(&e->fx, "rows");
    assert_db_value(e, e->account, "id = 1", "handle", "alicia");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
}

static void test_conflict__keep_editing_goes_back_to_the_form(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "e<C-u>alicia<C-s>");
    change_elsewhere(e, 1, "alice4");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "conflict");
    fx_send(&e->fx, "k");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "handle", "alicia");
}

static void test_conflict__deleted_elsewhere_offers_to_drop(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "jje<C-u>chloe<C-s>");
    change_elsewhere(e, 3, NULL);
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "conflict");
    fx_assert_shows(&e->fx, "was deleted by someone else");
    char *line = fx_line(&e->fx, e->fx.scr->rows - 2);
    assert_non_null(strstr(line, "x drop my change"));
    assert_non_null(strstr(line, "q back"));
    free(line);
    fx_send(&e->fx, "x");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "dropped the change");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
}

/* ---- quitting, read-only, no key ---- */

static void test_quit__with_pending_changes_asks_first(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe<C-s>q");
    fx_assert_top(&e->fx, "models");
    fx_send(&e->fx, "q"); /* clears the narrowing to Account */
    fx_assert_shows(&e->fx, "1 pending: 1 add");
    fx_send(&e->fx, "q");
    assert_false(tui_app_done(e->fx.app));
    fx_assert_shows(&e->fx, "1 pending change: write (w), discard (d) or "
                            "cancel (Esc)?");
    fx_send(&e->fx, "<Esc>");
    assert_false(tui_app_done(e->fx.app));
    fx_assert_shows(&e->fx, "not quitting");
    fx_send(&e->fx, "Q");
    fx_assert_shows(&e->fx, "discard (d)");
    fx_send(&e->fx, "d");
    assert_true(tui_app_done(e->fx.app));
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'jdoe'"), 0);
}

static void test_quit__write_then_quit(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe<C-s>Q");
    fx_send(&e->fx, "w");
    fx_assert_top(&e->fx, "review");
    fx_send(&e->fx, "y");
    assert_true(tui_app_done(e->fx.app));
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'jdoe'"), 1);
}

/* Ctrl-C (SIGINT) as the terminal sends it. */
static void send_ctrl_c(edit_fx *e)
{
    tui_event ev = {.key = TUI_KEY_INTERRUPT, .signal = SIGINT};
    tui_app_key(e->fx.app, &ev);
    tui_app_draw(e->fx.app);
}

static void test_quit__ctrl_c_with_pending_changes_asks_like_q(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe<C-s>");
    send_ctrl_c(e);
    assert_false(tui_app_done(e->fx.app));
    fx_assert_top(&e->fx, "quit");
    fx_assert_shows(&e->fx, "1 pending change: write (w), discard (d) or "
                            "cancel (Esc)?");
    /* A second Ctrl-C keeps asking: it never drops the change. */
    send_ctrl_c(e);
    assert_false(tui_app_done(e->fx.app));
    fx_send(&e->fx, "<Esc>");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 1);
    /* In a form, with what was typed kept under the question. */
    fx_send(&e->fx, "abob");
    fx_assert_top(&e->fx, "form");
    send_ctrl_c(e);
    fx_assert_top(&e->fx, "quit");
    fx_send(&e->fx, "<Esc>");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "handle", "bob");
    /* While a prompt is being typed: the prompt closes, the question
     * comes. */
    fx_send(&e->fx, "<Esc>y/jd");
    send_ctrl_c(e);
    fx_assert_top(&e->fx, "quit");
    fx_send(&e->fx, "d");
    assert_true(tui_app_done(e->fx.app));
    assert_int_equal(e->fx.app->exit_status, 0);
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'jdoe'"), 0);
}

static void test_quit__ctrl_c_with_nothing_pending_quits_at_once(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe");
    send_ctrl_c(e);
    assert_true(tui_app_done(e->fx.app));
    assert_int_equal(e->fx.app->exit_status, 128 + SIGINT);
}

static void test_form__cancel_asks_when_something_was_typed(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajd<Esc>");
    fx_assert_shows(&e->fx, "discard changes? y/n");
    fx_send(&e->fx, "n");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "handle", "jd");
    fx_send(&e->fx, "<Esc>y");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
}

static void test_read_only__every_editing_key_is_refused(void **state)
{
    edit_fx *e = *state;
    e->fx.opts.read_only = 1;
    start(e);
    open_rows(e, "Account");
    fx_assert_shows(&e->fx, "read-only");
    static const char *const keys[] = {"a", "e", "d", "m", "u", "w"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        fx_send(&e->fx, keys[i]);
        fx_assert_shows(&e->fx, "read-only: editing is off (started with "
                                "--read-only)");
        fx_assert_top(&e->fx, "rows");
    }
    fx_send(&e->fx, "<Enter>e");
    fx_assert_top(&e->fx, "record");
    fx_assert_shows(&e->fx, "editing is off");
}

/* Tables someone else made: a view and a generated column (SQLite). */
static void add_foreign_schema(edit_fx *e)
{
    static const char *const sql[] = {
        "CREATE VIEW v_names AS SELECT handle FROM accounts",
        ("CREATE TABLE lines (id INT PRIMARY KEY, qty INT,"
         " twice INT GENERATED ALWAYS AS (qty * 2))"),
        "INSERT INTO lines (id, qty) VALUES (1, 21)",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        fx_check(db_exec(e->fx.db, sql[i]), e->fx.db, sql[i]);
    fx_check(orm_db_reflect_all(e->fx.db), e->fx.db, "reflect");
}

static void
test_read_only__a_view_refuses_editing_keys_and_says_why(void **state)
{
    edit_fx *e = *state;
    add_foreign_schema(e);
    start(e);
    fx_assert_shows(&e->fx, "v_names (view)");
    open_rows(e, "v_names");
    fx_assert_shows(&e->fx, "a view: read-only, paging by offset");
    static const char *const keys[] = {"a", "e", "d", "m"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        fx_send(&e->fx, keys[i]);
        fx_assert_shows(&e->fx, "read-only: v_names is a view");
        fx_assert_top(&e->fx, "rows");
    }
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
}

static void test_form__generated_column_is_locked_with_its_reason(void **state)
{
    edit_fx *e = *state;
    add_foreign_schema(e);
    start(e);
    open_rows(e, "lines");
    fx_send(&e->fx, "e");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "twice", "42");
    fx_assert_shows(&e->fx, "read-only: generated by the database");
    go_field(e, "twice");
    fx_send(&e->fx, "7");
    fx_assert_shows(&e->fx, "generated by the database");
    assert_box(e, "twice", "42");
    go_field(e, "qty");
    fx_send(&e->fx, "<C-u>5<C-s>wy");
    assert_db_value(e, orm_db_find_model(e->fx.db, "lines"), "id = 1", "twice",
                    "10");
}

static void test_no_key__table_without_primary_key_edits_by_row_id(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Log");
    fx_send(&e->fx, "je");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "message", "second");
    go_field(e, "level");
    fx_send(&e->fx, "<C-u>42<C-s>");
    fx_assert_shows(&e->fx, "1 pending: 1 change");
    fx_send(&e->fx, "wy");
    assert_int_equal(fx_count(e->fx.db, e->log, "level = 42"), 1);
    assert_int_equal(
        fx_count(e->fx.db, e->log, "message = 'second' and level = 42"), 1);
    fx_send(&e->fx, "gd");
    fx_send(&e->fx, "wy");
    assert_int_equal(fx_count(e->fx.db, e->log, NULL), 2);
}

static void test_strip__pending_new_rows_can_be_edited_and_dropped(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe<C-s>");
    fx_send(&e->fx, "k"); /* up from the first row: the new row */
    fx_send(&e->fx, "e");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "edit new <Account jdoe>");
    fx_send(&e->fx, "<C-u>jdoe2<C-s>");
    fx_assert_shows(&e->fx, "jdoe2");
    fx_send(&e->fx, "kd");
    fx_assert_shows(&e->fx, "dropped new <Account jdoe2>");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
}

static void test_record__e_and_d_work_on_the_record_screen(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "j<Enter>");
    fx_assert_top(&e->fx, "record");
    fx_send(&e->fx, "e");
    fx_assert_top(&e->fx, "form");
    go_field(e, "bio");
    fx_send(&e->fx, "<C-u>new bio<C-s>");
    fx_assert_top(&e->fx, "record");
    fx_assert_shows(&e->fx, "new bio");
    fx_assert_shows(&e->fx, "1 pending: 1 change");
    assert_int_equal(element_at(e, "new bio"), TUI_EL_PENDING_CHANGE);
    fx_send(&e->fx, "d");
    fx_assert_shows(&e->fx, "1 pending: 1 delete");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "record");
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'bob'"), 0);
}

static void test_form__help_over_a_form_keeps_editing_keys_away(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "ajdoe<C-s>ax<F1>");
    fx_assert_top(&e->fx, "help");
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "finish the form first");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 1);
    fx_send(&e->fx, "q");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "handle", "x");
}

static void test_help__lists_the_form_keys(void **state)
{
    edit_fx *e = *state;
    start(e);
    fx_send(&e->fx, "?");
    orm_buf seen = ORM_BUF_INIT;
    for (int i = 0; i < 5; i++) {
        char *text = tui_screen_text(e->fx.scr);
        orm_buf_append(&seen, text);
        free(text);
        fx_send(&e->fx, "<PgDn>");
    }
    const char *s = orm_buf_str(&seen);
    assert_non_null(strstr(s, "form-save"));
    assert_non_null(strstr(s, "C-s F2"));
    assert_non_null(strstr(s, "form-null"));
    assert_non_null(strstr(s, "form-editor"));
    assert_non_null(strstr(s, "BackTab Up"));
    assert_non_null(strstr(s, "drop-change"));
    orm_buf_free(&seen);
}

/* ---- the key flow, on every dialect ---- */

/* ---- bulk edit (E) ---- */

#define BIO_NEW                                                                \
    "Gr\xC3\xBC\xC3\x9F"                                                       \
    "e, \xC3\x9Cn\xC3\xAF"                                                     \
    "Code" /* Grüße, ÜnïCode */

static void test_bulk__marked_rows_get_only_the_typed_columns(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "mm");
    fx_assert_shows(&e->fx, "2 marked");
    fx_send(&e->fx, "E");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "Bulk edit of 2 rows marked");
    assert_box(e, "bio", "unchanged");
    assert_box(e, "balance", "unchanged");
    /* A unique column cannot take one value on two rows. */
    go_field(e, "handle");
    fx_send(&e->fx, "x");
    fx_assert_shows(&e->fx, "unique: one value cannot go to every row");
    go_field(e, "bio");
    fx_send(&e->fx, BIO_NEW);
    go_field(e, "balance");
    fx_send(&e->fx, "7");
    fx_send(&e->fx, "<C-k>"); /* balance: unchanged after all */
    assert_box(e, "balance", "unchanged");
    fx_send(&e->fx, "<C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "bio set on 2 rows");
    fx_assert_shows(&e->fx, "2 pending: 2 changes");
    fx_assert_not_shows(&e->fx, "marked");
    assert_int_equal(fx_count(e->fx.db, e->account, "bio = 'hello'"), 3);
    /* One undo takes the whole bulk edit back. */
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "undone: a bulk edit (2 rows back as loaded)");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
    fx_assert_not_shows(&e->fx, "pending");
    /* Again, reviewed and written in one go. */
    fx_send(&e->fx, "gmmE");
    go_field(e, "bio");
    fx_send(&e->fx, BIO_NEW "<C-s>w");
    fx_assert_top(&e->fx, "review");
    fx_assert_shows(&e->fx, "change  <Account alice>");
    fx_assert_shows(&e->fx, "change  <Account bob>");
    fx_send(&e->fx, "y");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->account, "bio = '" BIO_NEW "'"), 2);
    assert_db_value(e, e->account, "id = 3", "bio", "hello");
    assert_db_value(e, e->account, "id = 1", "balance", "1.50");
    assert_db_value(e, e->account, "id = 2", "handle", "bob");
}

static void
test_bulk__without_marks_counts_the_filtered_rows_and_asks(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    /* Every row: the count first, n leaves nothing changed. */
    fx_send(&e->fx, "E");
    fx_assert_shows(&e->fx, "edit all 3 rows? y/n");
    fx_send(&e->fx, "n");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "cancelled: nothing changed");
    /* Narrowed by a search (mixed case, non-ASCII): only chloé. */
    fx_send(&e->fx, "/CHLO\xC3\x89<Enter>");
    fx_send(&e->fx, "E");
    fx_assert_shows(&e->fx, "edit all 1 row search: CHLO\xC3\x89? y/n");
    fx_send(&e->fx, "y");
    go_field(e, "handle"); /* one row: a unique column may be set */
    fx_send(&e->fx, "Chlo\xC3\xA9_Z");
    go_field(e, "active");
    fx_send(&e->fx, " ");
    fx_send(&e->fx, "<C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "handle, active set on 1 row");
    fx_send(&e->fx, "wy");
    assert_db_value(e, e->account, "id = 3", "handle", "Chlo\xC3\xA9_Z");
    assert_db_value(e, e->account, "id = 3", "active", "true");
    assert_db_value(e, e->account, "id = 1", "active", "NULL");
}

/* Another connection sets the bio of account `id`. */
static void bio_elsewhere(edit_fx *e, long id, const char *bio)
{
    orm_db *other = NULL;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    edit_fx tmp;
    memset(&tmp, 0, sizeof tmp);
    snprintf(tmp.prefix, sizeof tmp.prefix, "%s", e->prefix);
    models_text(&tmp, 0);
    fx_check(orm_db_open(&other, e->fx.url, NULL), other, "open");
    register_models(&tmp, other, 1);
    fx_check(orm_session_new(&s, other), other, "session");
    orm_value key = orm_value_int(id);
    assert_int_equal(orm_session_get(s, tmp.account, &key, &rec), ORM_ROW);
    fx_set(rec, "bio", orm_value_text(bio));
    fx_commit(&e->fx, s);
    orm_session_free(s);
    orm_db_free(other);
}

static void test_bulk__a_row_changed_meanwhile_is_a_conflict(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "Ey");
    go_field(e, "bio");
    fx_send(&e->fx, "bulk<C-s>");
    fx_assert_shows(&e->fx, "3 pending: 3 changes");
    bio_elsewhere(e, 2,
                  "B\xC3\xB6"
                  "b's own");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "conflict");
    fx_assert_shows(&e->fx, "B\xC3\xB6"
                            "b's own");
    assert_int_equal(fx_count(e->fx.db, e->account, "bio = 'bulk'"), 0);
    /* Overwritten on purpose: every row gets the bulk value. */
    fx_send(&e->fx, "o");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->account, "bio = 'bulk'"), 3);
}

static void test_bulk__more_rows_than_the_limit_are_refused(void **state)
{
    edit_fx *e = *state;
    orm_session *s = NULL;
    fx_check(orm_session_new(&s, e->fx.db), e->fx.db, "session");
    fx_check(orm_session_begin(s), e->fx.db, "begin");
    for (int i = 0; i < TUI_BULK_MAX; i++) {
        orm_record *rec = NULL;
        orm_record_new(&rec, e->log);
        fx_set(rec, "message", orm_value_text("M\xC3\xA4ny"));
        fx_set(rec, "level", orm_value_int(7));
        orm_session_add(s, rec);
    }
    fx_commit(&e->fx, s);
    orm_session_free(s);
    start(e);
    open_rows(e, "Log");
    fx_send(&e->fx, "E");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "10,003 rows match: a bulk edit takes at most "
                            "10,000");
    assert_int_equal(orm_session_pending_count(e->fx.app->session), 0);
}

/* D copies the row into a create form: the values set, the key left to
 * the database, a generated secret made anew; saved it is a pending
 * add; the copied unique handle is refused at the commit, at its field,
 * and once changed the copy is written. */
static void test_duplicate__copies_the_row_into_a_create_form(void **state)
{
    edit_fx *e = *state;
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "jjD"); /* chloé */
    fx_assert_top(&e->fx, "form");
    assert_true(is_current(e, "handle"));
    assert_box(e, "handle", "chlo\xC3\xA9");
    assert_box(e, "bio", "hello");
    assert_box(e, "balance", "1.50");
    fx_send(&e->fx, "<C-s>");
    fx_assert_top(&e->fx, "rows");
    fx_assert_shows(&e->fx, "1 pending: 1 add");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "handle: \"chlo\xC3\xA9\" is already taken");
    fx_send(&e->fx, "<C-u>CHLO\xC3\x89 Zwei<C-s>y");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->account, NULL), 4);
    assert_int_equal(fx_count(e->fx.db, e->account,
                              "handle = 'CHLO\xC3\x89 Zwei' and bio = "
                              "'hello' and balance = 1.5 and id = 4"),
                     1);
    /* The secret was made anew, not copied. */
    orm_cursor *c = NULL;
    const orm_value *row = NULL;
    assert_int_equal(orm_db_cursor(&c, e->fx.db,
                                   "SELECT a.secret_key, b.secret_key FROM "
                                   "accounts a, accounts b WHERE a.id = 3 "
                                   "AND b.id = 4",
                                   NULL, 0),
                     0);
    assert_int_equal(orm_cursor_next(c, &row), ORM_ROW);
    assert_int_equal(row[0].kind, ORM_VTEXT);
    assert_int_equal(row[1].kind, ORM_VTEXT);
    assert_false(row[0].u.s.len == row[1].u.s.len &&
                 memcmp(row[0].u.s.ptr, row[1].u.s.ptr, row[0].u.s.len) == 0);
    orm_cursor_free(c);
}

/* D is a key like any other: rebinding moves it. */
static void test_duplicate__key_can_be_rebound(void **state)
{
    edit_fx *e = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/config", e->fx.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[keys]\nduplicate = C-t\n", f);
    fclose(f);
    start(e);
    open_rows(e, "Account");
    fx_send(&e->fx, "D");
    fx_assert_top(&e->fx, "rows");
    fx_send(&e->fx, "<C-t>");
    fx_assert_top(&e->fx, "form");
    assert_box(e, "handle", "alice");
}

static void key_flow(edit_fx *e)
{
    start(e);
    open_rows(e, "Account");
    /* What refers to alice, counted: her one post of one. */
    fx_send(&e->fx, "<Enter>b");
    fx_assert_top(&e->fx, "backrefs");
    fx_assert_shows(&e->fx, "1 of 1 row");
    fx_send(&e->fx, "qq");
    fx_assert_top(&e->fx, "rows");
    /* n and N step through the matches of a search (alice and chloé
     * hold a "c") with every row shown; Esc ends the search. */
    fx_send(&e->fx, "/C<Enter>");
    fx_assert_shows(&e->fx, "row 1 of 2");
    fx_send(&e->fx, "n");
    fx_assert_shows(&e->fx, "find: C");
    fx_assert_shows(&e->fx, "row 3 of 3");
    fx_send(&e->fx, "N");
    fx_assert_shows(&e->fx, "row 1 of 3");
    fx_send(&e->fx, "<Esc>");
    fx_assert_shows(&e->fx, "search cleared");
    fx_assert_top(&e->fx, "rows");
    /* A post's account_id shows the account's repr beside the id. */
    fx_send(&e->fx, "q<C-u><Esc>");
    open_rows(e, "Post");
    fx_assert_shows(&e->fx, "<Account alice> 1");
    fx_send(&e->fx, "q<C-u><Esc>");
    open_rows(e, "Account");
    /* Add jdoe, see it pending, write it. */
    fx_send(&e->fx, "ajdoe<C-s>");
    fx_assert_shows(&e->fx, "1 pending: 1 add");
    fx_send(&e->fx, "wy");
    fx_assert_shows(&e->fx, "written");
    assert_int_equal(fx_count(e->fx.db, e->account, "handle = 'jdoe'"), 1);
    /* Rename bob to alice: unique violation, fixed, written. */
    fx_send(&e->fx, "gje<C-u>alice<C-s>wy");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "handle: \"alice\" is already taken");
    assert_box(e, "handle", "alice");
    fx_send(&e->fx, "<C-u>bobby<C-s>y");
    fx_assert_top(&e->fx, "rows");
    assert_db_value(e, e->account, "id = 2", "handle", "bobby");
    /* Delete, undo the delete, delete again, write. */
    fx_send(&e->fx, "gjjd");
    fx_assert_shows(&e->fx, "1 pending: 1 delete");
    fx_send(&e->fx, "u");
    fx_assert_shows(&e->fx, "undone: delete of");
    fx_send(&e->fx, "dwy");
    assert_int_equal(fx_count(e->fx.db, e->account, NULL), 3);
    /* A conflict through a second connection, reloaded and re-applied. */
    fx_send(&e->fx, "ge<C-u>alicia<C-s>");
    change_elsewhere(e, 1, "alice5");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "conflict");
    fx_send(&e->fx, "ry");
    fx_assert_top(&e->fx, "rows");
    assert_db_value(e, e->account, "id = 1", "handle", "alicia");
    /* Bulk edit of two marked rows, reviewed and written. */
    fx_send(&e->fx, "gmmE");
    go_field(e, "bio");
    fx_send(&e->fx, BIO_NEW "<C-s>");
    fx_assert_shows(&e->fx, "bio set on 2 rows");
    fx_send(&e->fx, "wy");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->account, "bio = '" BIO_NEW "'"), 2);
    assert_int_equal(fx_count(e->fx.db, e->account, NULL), 3);
    /* Duplicate alicia: the copied handle is taken, a new one is not. */
    fx_send(&e->fx, "gD<C-s>wy");
    fx_assert_top(&e->fx, "form");
    fx_assert_shows(&e->fx, "handle: \"alicia\" is already taken");
    fx_send(&e->fx, "<C-u>\xC3\x85licia<C-s>y");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(fx_count(e->fx.db, e->account, NULL), 4);
    assert_int_equal(fx_count(e->fx.db, e->account,
                              "handle = '\xC3\x85licia' and bio = '" BIO_NEW
                              "'"),
                     1);
    /* A table without a primary key: edited by its row id where the
     * database has one (SQLite rowid, PostgreSQL ctid), else refused. */
    fx_send(&e->fx, "qq");
    open_rows(e, "Log");
    fx_send(&e->fx, "je");
    if (strcmp(orm_db_dialect(e->fx.db), "mysql") == 0) {
        fx_assert_top(&e->fx, "rows");
        fx_assert_shows(&e->fx, "no primary key and mysql has no row id");
        return;
    }
    fx_assert_top(&e->fx, "form");
    go_field(e, "level");
    fx_send(&e->fx, "<C-u>42<C-s>wy");
    fx_assert_top(&e->fx, "rows");
    assert_int_equal(
        fx_count(e->fx.db, e->log, "message = 'second' and level = 42"), 1);
    assert_int_equal(fx_count(e->fx.db, e->log, "level = 42"), 1);
}

static void test_flow__sqlite(void **state)
{
    key_flow(*state);
}

static void network_flow(const char *variable)
{
    const char *url = test_server_url(variable);
    edit_fx *e;
    e = calloc(1, sizeof *e);
    edit_open(e, url);
    key_flow(e);
    edit_close(e);
    free(e);
}

static void test_flow__postgresql(void **state)
{
    (void)state;
    network_flow("ORB_TEST_PG_URL");
}

static void test_flow__mysql(void **state)
{
    (void)state;
    network_flow("ORB_TEST_MYSQL_URL");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_duplicate__copies_the_row_into_a_create_form),
        T(test_duplicate__key_can_be_rebound),
        T(test_form__shows_what_the_model_says_about_each_field),
        T(test_add__pending_row_in_grid_then_commit_writes_it),
        T(test_edit__changed_cell_shows_and_status_counts),
        T(test_delete__marks_row_and_undo_brings_it_back),
        T(test_undo__one_change_at_a_time_back_to_the_loaded_state),
        T(test_mark__d_deletes_every_marked_row),
        T(test_review__drop_one_change_then_commit_the_rest),
        T(test_review__keys_cost_what_is_on_screen),
        T(test_review__shows_old_and_new_values_with_secrets_masked),
        T(test_commit__unique_violation_opens_form_at_field_and_retry_works),
        T(test_review__error_goes_once_its_field_is_fixed),
        T(test_review__multi_line_values_keep_the_layout),
        T(test_commit__not_null_from_the_database_is_fixed_in_the_form),
        T(test_commit__foreign_key_failure_fixed_with_the_picker),
        T(test_commit__foreign_key_failure_puts_the_cursor_on_its_column),
        T(test_picker__enter_on_a_foreign_key_opens_it),
        T(test_picker__pages_a_large_table_and_searches_it),
        T(test_picker__opens_at_the_current_value),
        T(test_form__f1_opens_help_at_the_form_keys),
        T(test_switch__another_database_without_leaving),
        T(test_switch__read_only_holds_for_the_next_database),
        T(test_form__shows_the_real_server_default),
        T(test_form__datetime_takes_a_plain_date_as_midnight),
        T(test_form__null_and_empty_text_stay_apart),
        T(test_form__validates_as_you_type_and_keeps_the_input),
        T(test_form__secret_masked_while_typing_and_revealed_on_request),
        T(test_form__wide_characters_edit_as_whole_characters),
        T(test_form_state__cursor_moves_and_deletes_by_grapheme),
        T(test_editor__ctrl_e_edits_the_field_in_visual_and_cleans_up),
        T(test_commit__busy_database_keeps_changes_and_y_retries),
        T(test_conflict__reload_and_reapply_my_edit),
        T(test_conflict__overwrite_writes_at_once),
        T(test_conflict__keep_editing_goes_back_to_the_form),
        T(test_conflict__deleted_elsewhere_offers_to_drop),
        T(test_quit__with_pending_changes_asks_first),
        T(test_quit__write_then_quit),
        T(test_quit__ctrl_c_with_pending_changes_asks_like_q),
        T(test_quit__ctrl_c_with_nothing_pending_quits_at_once),
        T(test_form__cancel_asks_when_something_was_typed),
        T(test_read_only__every_editing_key_is_refused),
        T(test_read_only__a_view_refuses_editing_keys_and_says_why),
        T(test_form__generated_column_is_locked_with_its_reason),
        T(test_no_key__table_without_primary_key_edits_by_row_id),
        T(test_strip__pending_new_rows_can_be_edited_and_dropped),
        T(test_record__e_and_d_work_on_the_record_screen),
        T(test_form__help_over_a_form_keeps_editing_keys_away),
        T(test_help__lists_the_form_keys),
        T(test_bulk__marked_rows_get_only_the_typed_columns),
        T(test_bulk__without_marks_counts_the_filtered_rows_and_asks),
        T(test_bulk__a_row_changed_meanwhile_is_a_conflict),
        T(test_bulk__more_rows_than_the_limit_are_refused),
        T(test_flow__sqlite),
        cmocka_unit_test(test_flow__postgresql),
        cmocka_unit_test(test_flow__mysql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
