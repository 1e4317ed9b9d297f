/*
 * The sample database: tables made by each dialect's own SQL
 * (tests/sample/<dialect>.sql: German, French, Greek and CJK names,
 * duplicates that differ only in case or accent, NULLs, a foreign key, a
 * view; MariaDB columns in utf8mb4_general_ci, utf8mb4_unicode_ci and a
 * latin1_swedish_ci table, a SQLite NOCASE column, a PostgreSQL column in
 * a nondeterministic ICU collation). Run once per dialect
 * (`test_sample sqlite|postgresql|mysql`); every filter must give the
 * rows orb's text rules give, computed here in C with utf8proc over the
 * same rows: exact comparisons by code point, the i-operators folding
 * case with Unicode's simple lowercase and keeping accents.
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

#include <utf8proc.h>

#include "orm/orm.h"
#include "orm/sys/driver.h"
#include "helper_models.h"
#include "helper_servers.h"
#include "internal.h"

#define SAMPLE_NAMES  46
#define SAMPLE_COPIES 60
#define SAMPLE_ROWS   (SAMPLE_NAMES * SAMPLE_COPIES)

static const char *dialect;
static char url[4096];
static char sqlite_dir[] = "/tmp/orb-sample-XXXXXX"; /* SQLite's file */

typedef struct fixture {
    orm_db *db;
    orm_session *s;
    orm_model *person, *latin;
} fixture;

/* The view: no reflection of views needed to read it through a model. */
static const orm_column view_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "name", .type = ORM_STRING, .length = 100},
    {.name = "country", .type = ORM_STRING, .length = 60},
};
static const orm_model View =
    ORM_MODEL("SamplePersonView", "smp_v_person", view_columns);

/* ---- loading the dialect's script ---- */

static void load_script(orm_db *db)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/sample/%s.sql", ORB_SOURCE_DIR,
             dialect);
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    orm_buf stmt = ORM_BUF_INIT;
    char line[4096];
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "--", 2) == 0)
            continue;
        orm_buf_append(&stmt, line);
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
            n--;
        if (n && line[n - 1] == ';') {
            stmt.data[stmt.len - (strlen(line) - n) - 1] = '\0';
            if (db_exec(db, stmt.data))
                fail_msg("%s: %s\n%s", path, orm_error_text(orm_db_error(db)),
                         stmt.data);
            orm_buf_reset(&stmt);
        }
    }
    fclose(fp);
    orm_buf_free(&stmt);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (orm_db_open(&f->db, url, NULL))
        fail_msg("cannot open %s: %s", dialect,
                 f->db ? orm_error_text(orm_db_error(f->db)) : "?");
    load_script(f->db);
    if (orm_db_reflect(f->db, "smp_person", &f->person) ||
        orm_db_reflect(f->db, "smp_person_latin", &f->latin))
        fail_msg("reflect: %s", orm_error_text(orm_db_error(f->db)));
    assert_int_equal(orm_session_new(&f->s, f->db), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    orm_session_free(f->s);
    orm_model_free(f->person);
    orm_model_free(f->latin);
    orm_db_free(f->db);
    free(f);
    return 0;
}

/* ---- orb's text rules, in C ---- */

static char *fold(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 2 + 4), *p = out;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(
            (const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        assert_true(step > 0);
        p += utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)p);
        i += (size_t)step;
    }
    *p = '\0';
    return out;
}

static size_t utf8_len(const char *s)
{
    return s[0] == '\0'                           ? 0
           : ((unsigned char)s[0] & 0xE0) == 0xC0 ? 2
           : ((unsigned char)s[0] & 0xF0) == 0xE0 ? 3
           : ((unsigned char)s[0] & 0xF8) == 0xF0 ? 4
                                                  : 1;
}

/* LIKE: % any run, _ one character, \ escapes; exact otherwise. */
static int like(const char *s, const char *p)
{
    if (*p == '\0')
        return *s == '\0';
    if (*p == '%') {
        for (;;) {
            if (like(s, p + 1))
                return 1;
            if (!*s)
                return 0;
            s += utf8_len(s);
        }
    }
    if (*p == '_')
        return *s && like(s + utf8_len(s), p + 1);
    if (*p == '\\' && p[1])
        p++;
    size_t n = utf8_len(p);
    return strncmp(s, p, n) == 0 && like(s + n, p + n);
}

typedef struct sample_filter {
    const char *column;
    orm_op op;
    const char *v[3]; /* values (in: up to three) */
} sample_filter;

static int ends_with(const char *s, const char *t)
{
    size_t n = strlen(s), m = strlen(t);
    return n >= m && strcmp(s + n - m, t) == 0;
}

static int rule_matches(const sample_filter *f, const char *v)
{
    if (f->op == ORM_OP_IS_NULL)
        return v == NULL;
    if (!v)
        return 0;
    int insensitive = f->op == ORM_OP_ILIKE || f->op == ORM_OP_ICONTAINS ||
                      f->op == ORM_OP_ISTARTSWITH || f->op == ORM_OP_IENDSWITH;
    char *s = insensitive ? fold(v) : strdup(v);
    char *a = insensitive ? fold(f->v[0]) : strdup(f->v[0]);
    int r = 0;
    switch (f->op) {
    case ORM_OP_EQ:
        r = strcmp(s, a) == 0;
        break;
    case ORM_OP_NE:
        r = strcmp(s, a) != 0;
        break;
    case ORM_OP_LT:
        r = strcmp(s, a) < 0;
        break;
    case ORM_OP_LE:
        r = strcmp(s, a) <= 0;
        break;
    case ORM_OP_GT:
        r = strcmp(s, a) > 0;
        break;
    case ORM_OP_GE:
        r = strcmp(s, a) >= 0;
        break;
    case ORM_OP_BETWEEN:
        r = strcmp(s, a) >= 0 && strcmp(s, f->v[1]) <= 0;
        break;
    case ORM_OP_IN:
        r = strcmp(s, a) == 0 || (f->v[1] && strcmp(s, f->v[1]) == 0) ||
            (f->v[2] && strcmp(s, f->v[2]) == 0);
        break;
    case ORM_OP_LIKE:
    case ORM_OP_ILIKE:
        r = like(s, a);
        break;
    case ORM_OP_CONTAINS:
    case ORM_OP_ICONTAINS:
        r = strstr(s, a) != NULL;
        break;
    case ORM_OP_STARTSWITH:
    case ORM_OP_ISTARTSWITH:
        r = strncmp(s, a, strlen(a)) == 0;
        break;
    case ORM_OP_ENDSWITH:
    case ORM_OP_IENDSWITH:
        r = ends_with(s, a);
        break;
    default:
        fail_msg("no rule for %s", orm_op_text(f->op));
    }
    free(s);
    free(a);
    return r;
}

static void filter_text(char *out, size_t size, const sample_filter *f)
{
    if (f->op == ORM_OP_IS_NULL)
        snprintf(out, size, "%s is null", f->column);
    else if (f->op == ORM_OP_BETWEEN)
        snprintf(out, size, "%s between '%s' and '%s'", f->column, f->v[0],
                 f->v[1]);
    else if (f->op == ORM_OP_IN && f->v[2])
        snprintf(out, size, "%s in ('%s', '%s', '%s')", f->column, f->v[0],
                 f->v[1], f->v[2]);
    else if (f->op == ORM_OP_IN)
        snprintf(out, size, "%s in ('%s', '%s')", f->column, f->v[0], f->v[1]);
    else
        snprintf(out, size, "%s %s '%s'", f->column, orm_op_text(f->op),
                 f->v[0]);
}

/* Every text operator, exact and folded, on non-ASCII and mixed case. */
static const sample_filter filters[] = {
    {"name", ORM_OP_EQ, {"Müller"}},
    {"name", ORM_OP_EQ, {"müller"}},
    {"name", ORM_OP_EQ, {"LOVE"}},
    {"name", ORM_OP_EQ, {"a"}},
    {"name", ORM_OP_EQ, {"a "}},
    {"name", ORM_OP_EQ, {"Á"}},
    {"name", ORM_OP_EQ, {"東京"}},
    {"name", ORM_OP_EQ, {"ΣΟΦΊΑ"}},
    {"name", ORM_OP_NE, {"Müller"}},
    {"name", ORM_OP_IN, {"Love", "a", "東京"}},
    {"name", ORM_OP_IN, {"love", "Strasse"}},
    {"name", ORM_OP_LIKE, {"M_ller"}},
    {"name", ORM_OP_LIKE, {"%ü%"}},
    {"name", ORM_OP_LIKE, {"a\\_b"}},
    {"name", ORM_OP_ILIKE, {"m%LLER"}},
    {"name", ORM_OP_CONTAINS, {"ü"}},
    {"name", ORM_OP_CONTAINS, {"Ü"}},
    {"name", ORM_OP_CONTAINS, {"%"}},
    {"name", ORM_OP_CONTAINS, {"_"}},
    {"name", ORM_OP_CONTAINS, {"京"}},
    {"name", ORM_OP_ICONTAINS, {"ü"}},
    {"name", ORM_OP_ICONTAINS, {"Ü"}},
    {"name", ORM_OP_ICONTAINS, {"é"}},
    {"name", ORM_OP_ICONTAINS, {"É"}},
    {"name", ORM_OP_ICONTAINS, {"ß"}},
    {"name", ORM_OP_ICONTAINS, {"σοφ"}},
    {"name", ORM_OP_ICONTAINS, {"ΣΟΦ"}},
    {"name", ORM_OP_ICONTAINS, {"I"}},
    {"name", ORM_OP_ICONTAINS, {"ÆRØ"}},
    {"name", ORM_OP_STARTSWITH, {"É"}},
    {"name", ORM_OP_STARTSWITH, {"Mü"}},
    {"name", ORM_OP_ISTARTSWITH, {"é"}},
    {"name", ORM_OP_ISTARTSWITH, {"αλέ"}},
    {"name", ORM_OP_ENDSWITH, {"E"}},
    {"name", ORM_OP_ENDSWITH, {"a"}},
    {"name", ORM_OP_IENDSWITH, {"E"}},
    {"name", ORM_OP_IENDSWITH, {"ΟΣ"}},
    {"name", ORM_OP_LT, {"M"}},
    {"name", ORM_OP_LE, {"a"}},
    {"name", ORM_OP_GT, {"Á"}},
    {"name", ORM_OP_GE, {"a"}},
    {"name", ORM_OP_BETWEEN, {"A", "Z"}},
    {"name", ORM_OP_BETWEEN, {"a", "zz"}},
    {"name", ORM_OP_IS_NULL, {NULL}},
    {"city", ORM_OP_EQ, {"München"}},
    {"city", ORM_OP_EQ, {"paris"}},
    {"city", ORM_OP_NE, {"Paris"}},
    {"city", ORM_OP_IN, {"Paris", "MÜNCHEN"}},
    {"city", ORM_OP_LIKE, {"M%"}},
    {"city", ORM_OP_ICONTAINS, {"münchen"}},
    {"city", ORM_OP_ICONTAINS, {"ΑΘΉΝΑ"}},
    {"city", ORM_OP_STARTSWITH, {"Mü"}},
    {"city", ORM_OP_LT, {"P"}},
    {"city", ORM_OP_IS_NULL, {NULL}},
};

/* The text of column `col` in every row of the model's table. */
static char **column_values(fixture *f, const orm_model *m, const char *col,
                            size_t *count)
{
    int at = orm_model_column_index(m, col);
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row;
    size_t n = 0;
    char **values = calloc(SAMPLE_ROWS, sizeof *values);
    assert_int_equal(orm_query_new(&q, f->s, m), 0);
    if (orm_query_cursor(q, &c))
        fail_msg("%s: %s", m->table, orm_error_text(orm_query_error(q)));
    while (orm_cursor_next(c, &row) == ORM_ROW) {
        assert_true(n < SAMPLE_ROWS);
        values[n++] = row[at].kind == ORM_VNULL
                          ? NULL
                          : strndup(row[at].u.s.ptr, row[at].u.s.len);
    }
    orm_cursor_free(c);
    orm_query_free(q);
    *count = n;
    return values;
}

static int64_t count_where(fixture *f, const orm_model *m, const char *where)
{
    orm_query *q = NULL;
    int64_t n = -1;
    assert_int_equal(orm_query_new(&q, f->s, m), 0);
    if (orm_query_where(q, where) || orm_query_count(q, &n))
        fail_msg("[%s] %s where %s: %s", dialect, m->table, where,
                 orm_error_text(orm_query_error(q)));
    orm_query_free(q);
    return n;
}

static void check_filters(fixture *f, const orm_model *m, size_t want_rows)
{
    size_t nname, ncity = 0;
    char **names = column_values(f, m, "name", &nname);
    int has_city = orm_model_column(m, "city") != NULL;
    char **cities = has_city ? column_values(f, m, "city", &ncity) : NULL;
    assert_int_equal(nname, want_rows);
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
        const sample_filter *flt = &filters[i];
        int on_city = strcmp(flt->column, "city") == 0;
        if (on_city && !has_city)
            continue;
        char where[256];
        filter_text(where, sizeof where, flt);
        int64_t want = 0;
        for (size_t r = 0; r < nname; r++)
            want += rule_matches(flt, on_city ? cities[r] : names[r]);
        int64_t got = count_where(f, m, where);
        if (got != want)
            fail_msg("[%s] %s where %s: %lld rows, orb's rules give %lld",
                     dialect, m->table, where, (long long)got, (long long)want);
    }
    for (size_t r = 0; r < nname; r++)
        free(names[r]);
    for (size_t r = 0; r < ncity; r++)
        free(cities[r]);
    free(names);
    free(cities);
}

static void test_sample__filters_follow_orbs_text_rules(void **state)
{
    fixture *f = *state;
    /* The same data everywhere, and what the rules say of a few filters
     * (the oracle checked by hand once). */
    assert_int_equal(count_where(f, f->person, "id > 0"), SAMPLE_ROWS);
    assert_int_equal(count_where(f, f->person, "name = 'Müller'"), 60);
    assert_int_equal(count_where(f, f->person, "name icontains 'Ü'"), 360);
    assert_int_equal(count_where(f, f->person, "name icontains 'é'"), 300);
    assert_int_equal(count_where(f, f->person, "name icontains 'σοφ'"), 180);
    check_filters(f, f->person, SAMPLE_ROWS);
}

static void test_sample__latin1_table_follows_the_same_rules(void **state)
{
    fixture *f = *state;
    /* Greek on a latin1 column matches nothing, and is no error. */
    assert_int_equal(count_where(f, f->latin, "name = 'Σοφία'"), 0);
    check_filters(f, f->latin, 30 * SAMPLE_COPIES);
}

static void test_sample__view_follows_the_same_rules(void **state)
{
    fixture *f = *state;
    /* People whose name or country is NULL are not in the join. */
    assert_int_equal(count_where(f, &View, "name icontains 'ü'"), 360);
    check_filters(f, &View, 37 * SAMPLE_COPIES);
}

/* ---- keyset paging through a column full of ties ---- */

static void page_through(fixture *f, int desc, int backward)
{
    orm_query *q = NULL;
    orm_cursor *c = NULL;
    const orm_value *row;
    int64_t *order = calloc(SAMPLE_ROWS, sizeof *order);
    unsigned char *seen = calloc(SAMPLE_COPIES * 100, 1);
    size_t total = 0;
    assert_int_equal(orm_query_new(&q, f->s, f->person), 0);
    assert_int_equal(orm_query_order_by(q, "name", desc), 0);
    assert_int_equal(orm_query_cursor(q, &c), 0);
    while (orm_cursor_next(c, &row) == ORM_ROW)
        order[total++] = row[0].u.i;
    orm_cursor_free(c);
    assert_int_equal(total, SAMPLE_ROWS);

    size_t width = orm_query_key_width(q);
    orm_value *key = calloc(width, sizeof *key);
    size_t at = backward ? total : 0, pages = 0;
    if (backward) {
        /* Start beyond the last row: its key, then page backwards. */
        orm_query_limit(q, 1);
        orm_query_offset(q, (int64_t)total - 1);
        assert_int_equal(orm_query_cursor(q, &c), 0);
        assert_int_equal(orm_cursor_next(c, &row), ORM_ROW);
        const orm_value *k[16];
        orm_query_row_key(q, row, k);
        for (size_t i = 0; i < width; i++)
            orm_value_copy(&key[i], k[i]);
        orm_cursor_free(c);
        orm_query_offset(q, 0);
        seen[order[--at]] = 1;
    }
    for (int have_key = backward;; pages++) {
        orm_query_limit(q, 37);
        if (have_key)
            assert_int_equal(backward ? orm_query_before(q, key)
                                      : orm_query_after(q, key),
                             0);
        if (orm_query_cursor(q, &c))
            fail_msg("[%s] page: %s", dialect,
                     orm_error_text(orm_query_error(q)));
        size_t got = 0;
        while (orm_cursor_next(c, &row) == ORM_ROW) {
            const orm_value *k[16];
            int64_t id = row[0].u.i;
            size_t want_at = backward ? at - 1 : at;
            if ((backward && at == 0) || (!backward && at == total) ||
                order[want_at] != id)
                fail_msg("[%s] name%s %s, page %zu: row %zu is %lld, the "
                         "full order has %lld there",
                         dialect, desc ? " desc" : "",
                         backward ? "backwards" : "forwards", pages, want_at,
                         (long long)id, (long long)order[want_at]);
            at = backward ? at - 1 : at + 1;
            if (id < 0 || id >= SAMPLE_COPIES * 100 || seen[id]++)
                fail_msg("[%s] row %lld came twice", dialect, (long long)id);
            orm_query_row_key(q, row, k);
            for (size_t i = 0; i < width; i++) {
                orm_value_clear(&key[i]);
                orm_value_copy(&key[i], k[i]);
            }
            got++;
        }
        orm_cursor_free(c);
        have_key = 1;
        if (got == 0)
            break;
    }
    assert_int_equal(at, backward ? 0 : total);
    for (size_t i = 0; i < width; i++)
        orm_value_clear(&key[i]);
    free(key);
    free(order);
    free(seen);
    orm_query_free(q);
}

static void test_sample__keyset_pages_never_skip_or_repeat_ties(void **state)
{
    fixture *f = *state;
    page_through(f, 0, 0);
    page_through(f, 1, 0);
    page_through(f, 0, 1);
    page_through(f, 1, 1);
}

/* ---- an exact comparison still uses the column's index ---- */

/* The plan of the query, as the database explains it, one text. */
static char *explain(fixture *f, const orm_model *m, const char *where)
{
    orm_query *q = NULL;
    char *sql = NULL;
    orm_value *params = NULL;
    size_t nparams = 0;
    assert_int_equal(orm_query_new(&q, f->s, m), 0);
    assert_int_equal(orm_query_where(q, where), 0);
    assert_int_equal(orm_query_sql(q, &sql, &params, &nparams), 0);
    orm_buf text = ORM_BUF_INIT;
    orm_buf_append(&text, strcmp(dialect, "sqlite") == 0 ? "EXPLAIN QUERY PLAN "
                                                         : "EXPLAIN ");
    orm_buf_append(&text, sql);
    const orm_driver *drv = f->db->driver;
    orm_stmt *st = NULL;
    if (drv->prepare(f->db->conn, text.data, nparams, 0, &st))
        fail_msg("[%s] %s: %s", dialect, text.data, f->db->conn->err.message);
    for (size_t i = 0; i < nparams; i++)
        assert_int_equal(drv->bind(st, i, &params[i], ORM_TYPE_COUNT), 0);
    orm_buf plan = ORM_BUF_INIT;
    while (drv->step(st) == ORM_ROW) {
        for (size_t i = 0; i < drv->column_count(st); i++) {
            orm_value v;
            assert_int_equal(drv->column(st, i, ORM_TYPE_COUNT, &v), 0);
            if (v.kind == ORM_VTEXT)
                orm_buf_appendn(&plan, v.u.s.ptr, v.u.s.len);
            orm_buf_appendc(&plan, '|');
        }
        orm_buf_appendc(&plan, '\n');
    }
    drv->finalize(st);
    orm_buf_free(&text);
    free(sql);
    orm_query_params_free(params, nparams);
    orm_query_free(q);
    return orm_buf_finish(&plan);
}

static void expect_index(fixture *f, const orm_model *m, const char *where,
                         const char *index)
{
    char *plan = explain(f, m, where);
    if (!plan || !strstr(plan, index))
        fail_msg("[%s] %s where %s does not use %s:\n%s", dialect, m->table,
                 where, index, plan ? plan : "(no plan)");
    free(plan);
}

static void test_sample__exact_comparisons_use_the_index(void **state)
{
    fixture *f = *state;
    expect_index(f, f->person, "name = '東京'", "smp_person_name");
    expect_index(f, f->person, "name in ('東京', '北京')", "smp_person_name");
    expect_index(f, f->latin, "name = 'Öztürk'", "smp_person_latin_name");
    /* A prefix: PostgreSQL's LIKE uses a btree index only in the C
     * collation, SQLite's only on a BINARY column (not NOCASE). */
    if (strcmp(dialect, "mysql") == 0)
        expect_index(f, f->person, "name startswith '東'", "smp_person_name");
    if (strcmp(dialect, "postgresql") != 0)
        expect_index(f, f->latin, "name startswith 'Ö'",
                     "smp_person_latin_name");
}

/* ---- column summaries ---- */

typedef struct tally {
    const char *value;
    int64_t count;
} tally;

static int tally_order(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value); /* UTF-8: code point order */
}

/* orm_query_summary against the same rows counted here: exact groups by
 * code point ('Müller' and 'müller' apart whatever the collation), ties
 * ordered by value, min and max by code point. */
static void check_summary(fixture *f, const orm_model *m, const char *col)
{
    size_t n, ndistinct = 0;
    char **values = column_values(f, m, col, &n);
    tally *t = calloc(n ? n : 1, sizeof *t);
    int64_t nulls = 0;
    const char *min = NULL, *max = NULL;
    for (size_t r = 0; r < n; r++) {
        size_t k = 0;
        if (!values[r]) {
            nulls++;
            continue;
        }
        if (!min || strcmp(values[r], min) < 0)
            min = values[r];
        if (!max || strcmp(values[r], max) > 0)
            max = values[r];
        while (k < ndistinct && strcmp(t[k].value, values[r]) != 0)
            k++;
        if (k == ndistinct)
            t[ndistinct++].value = values[r];
        t[k].count++;
    }
    qsort(t, ndistinct, sizeof *t, tally_order);
    orm_query *q = NULL;
    orm_column_summary sum;
    assert_int_equal(orm_query_new(&q, f->s, m), 0);
    if (orm_query_summary(q, col, 8, &sum))
        fail_msg("[%s] %s.%s: %s", dialect, m->table, col,
                 orm_error_text(orm_query_error(q)));
    assert_int_equal(sum.rows, (int64_t)n);
    assert_int_equal(sum.nulls, nulls);
    assert_int_equal(sum.distinct, (int64_t)ndistinct);
    assert_int_equal(sum.ntop, ndistinct < 8 ? ndistinct : 8);
    assert_int_equal(sum.min.kind, ORM_VTEXT);
    assert_int_equal(sum.max.kind, ORM_VTEXT);
    if (strncmp(sum.min.u.s.ptr, min, sum.min.u.s.len) != 0 ||
        strlen(min) != sum.min.u.s.len ||
        strncmp(sum.max.u.s.ptr, max, sum.max.u.s.len) != 0 ||
        strlen(max) != sum.max.u.s.len)
        fail_msg("[%s] %s.%s: min/max [%.*s] [%.*s], want [%s] [%s]", dialect,
                 m->table, col, (int)sum.min.u.s.len, sum.min.u.s.ptr,
                 (int)sum.max.u.s.len, sum.max.u.s.ptr, min, max);
    for (size_t i = 0; i < sum.ntop; i++) {
        const orm_value *v = &sum.top[i].value;
        if (v->kind != ORM_VTEXT || strlen(t[i].value) != v->u.s.len ||
            memcmp(v->u.s.ptr, t[i].value, v->u.s.len) != 0 ||
            sum.top[i].count != t[i].count)
            fail_msg("[%s] %s.%s: top %zu is [%.*s] x%lld, want [%s] x%lld",
                     dialect, m->table, col, i, (int)v->u.s.len, v->u.s.ptr,
                     (long long)sum.top[i].count, t[i].value,
                     (long long)t[i].count);
    }
    orm_column_summary_clear(&sum);
    orm_query_free(q);
    for (size_t r = 0; r < n; r++)
        free(values[r]);
    free(values);
    free(t);
}

static void test_sample__summary_follows_orbs_text_rules(void **state)
{
    fixture *f = *state;
    check_summary(f, f->person, "name");
    check_summary(f, f->person, "city");
    check_summary(f, f->latin, "name");
    /* Under a filter: only the rows it matches. */
    orm_query *q = NULL;
    orm_column_summary sum;
    assert_int_equal(orm_query_new(&q, f->s, f->person), 0);
    assert_int_equal(orm_query_where(q, "name = 'M\xC3\xBCller'"), 0);
    assert_int_equal(orm_query_summary(q, "name", 3, &sum), 0);
    assert_int_equal(sum.rows, 60);
    assert_int_equal(sum.distinct, 1);
    assert_int_equal(sum.ntop, 1);
    assert_int_equal(sum.top[0].count, 60);
    orm_column_summary_clear(&sum);
    orm_query_free(q);
}

/* Reading every table at once gives each sample table (the collations,
 * the latin1 table, the view) the model reading it alone gives. Other
 * tests make and drop tables in the same database meanwhile: only the
 * sample's are compared. */
static void test_sample__all_tables_at_once_as_one_by_one(void **state)
{
    fixture *f = *state;
    orm_db *db = NULL;
    size_t compared = 0;
    assert_int_equal(orm_db_open(&db, url, NULL), 0);
    assert_int_equal(orm_db_reflect_all(db), 0);
    for (size_t i = 0; i < orm_db_model_count(db); i++) {
        const orm_model *all = orm_db_model_at(db, i);
        orm_model *one = NULL;
        if (strncmp(all->table, "smp_", 4) != 0)
            continue;
        if (orm_db_reflect(f->db, all->table, &one))
            fail_msg("[%s] reflect %s: %s", dialect, all->table,
                     orm_error_text(orm_db_error(f->db)));
        test_assert_same_model(dialect, all->table, one, all);
        orm_model_free(one);
        compared++;
    }
    assert_true(compared >= 5);
    orm_db_free(db);
}

int main(int argc, char **argv)
{
    dialect = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(dialect, "sqlite") == 0) {
        if (!mkdtemp(sqlite_dir)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(url, sizeof url, "sqlite:///%s/sample.db", sqlite_dir);
    } else {
        int pg = strcmp(dialect, "postgresql") == 0;
        if (test_servers_skipped(argv[0]))
            return TEST_SERVERS_SKIPPED;
        const char *env = getenv(pg ? "ORB_TEST_PG_URL" : "ORB_TEST_MYSQL_URL");
        if (!env || !*env) {
            fprintf(stderr,
                    "sample %s: ORB_TEST_%s_URL is not set; run the tests "
                    "through scripts/with-servers.sh (make check)\n",
                    dialect, pg ? "PG" : "MYSQL");
            return 1;
        }
        snprintf(url, sizeof url, "%s", env);
    }
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_sample__filters_follow_orbs_text_rules),
        T(test_sample__latin1_table_follows_the_same_rules),
        T(test_sample__view_follows_the_same_rules),
        T(test_sample__keyset_pages_never_skip_or_repeat_ties),
        T(test_sample__exact_comparisons_use_the_index),
        T(test_sample__summary_follows_orbs_text_rules),
        T(test_sample__all_tables_at_once_as_one_by_one),
#undef T
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (strcmp(dialect, "sqlite") == 0) {
        static const char *const files[] = {"sample.db", "sample.db-wal",
                                            "sample.db-shm"};
        for (size_t i = 0; i < 3; i++) {
            char path[sizeof sqlite_dir + 32];
            snprintf(path, sizeof path, "%s/%s", sqlite_dir, files[i]);
            unlink(path);
        }
        rmdir(sqlite_dir);
    }
    return failed;
}
