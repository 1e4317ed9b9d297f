/* Tests for the models file (orm/src/modelfile.c): declarations become
 * models, every problem is reported with its line, good parts still
 * load. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orm/modelfile.h"

/* Parse text; expect `want_rc`; returns the models file. */
static orm_modelfile *parse(const char *text, int want_rc)
{
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_modelfile_parse(&mf, text, "models.ini", &err);
    if (rc != want_rc) {
        char *problems = mf ? orm_modelfile_problems_text(mf) : NULL;
        fail_msg("rc %d (want %d): %s\n%s", rc, want_rc, orm_error_text(&err),
                 problems ? problems : "");
    }
    assert_non_null(mf);
    orm_error_clear(&err);
    return mf;
}

static void assert_problems(const orm_modelfile *mf, const char *expected)
{
    char *text = orm_modelfile_problems_text(mf);
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

static const orm_model *find_model(const orm_modelfile *mf, const char *name)
{
    for (size_t i = 0; i < mf->nmodels; i++)
        if (strcmp(mf->models[i]->name, name) == 0)
            return mf->models[i];
    fail_msg("model '%s' not loaded", name);
    return NULL;
}

static const orm_column *find_column(const orm_model *m, const char *name)
{
    const orm_column *col = orm_model_column(m, name);
    if (!col)
        fail_msg("column '%s' missing from '%s'", name, m->name);
    return col;
}

static void assert_str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

/* The column must be exactly this (strings compared, NULL = absent). */
static void assert_column(const orm_column *c, const orm_column *want)
{
    assert_string_equal(c->name, want->name);
    assert_int_equal(c->type, want->type);
    assert_int_equal(c->length, want->length);
    assert_int_equal(c->precision, want->precision);
    assert_int_equal(c->scale, want->scale);
    assert_int_equal(c->flags, want->flags);
    assert_str_or_null(c->default_value, want->default_value);
    assert_str_or_null(c->default_gen, want->default_gen);
    assert_str_or_null(c->server_default, want->server_default);
    assert_str_or_null(c->ref_table, want->ref_table);
    assert_str_or_null(c->ref_column, want->ref_column);
    assert_null(c->native_type);
}

static const char header_example[] =
    "[Account]\n"
    "__tablename__ = accounts\n"
    "__repr__ = <Account {handle}>\n"
    "id = Integer primary_key\n"
    "handle = String(50) unique not_null\n"
    "secret_key = String(128) secret default=token_hex(16)\n"
    "owner_id = Integer references=accounts.id index\n";

static void test_modelfile__seed_account_parses_exactly(void **state)
{
    (void)state;
    orm_modelfile *mf = parse(header_example, 0);
    assert_int_equal(mf->nproblems, 0);
    assert_int_equal(mf->nmodels, 1);
    const orm_model *m = mf->models[0];
    assert_string_equal(m->name, "Account");
    assert_string_equal(m->table, "accounts");
    assert_string_equal(m->repr, "<Account {handle}>");
    assert_null(m->schema);
    assert_null(m->version_column);
    assert_int_equal(m->nuniques, 0);
    assert_int_equal(m->nforeign_keys, 0);
    assert_int_equal(m->ncolumns, 4);
    const orm_column want[] = {
        {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
        {.name = "handle",
         .type = ORM_STRING,
         .length = 50,
         .flags = ORM_UNIQUE | ORM_NOT_NULL},
        {.name = "secret_key",
         .type = ORM_STRING,
         .length = 128,
         .flags = ORM_SECRET,
         .default_gen = "token_hex(16)"},
        {.name = "owner_id",
         .type = ORM_INTEGER,
         .flags = ORM_INDEX,
         .ref_table = "accounts",
         .ref_column = "id"},
    };
    for (size_t i = 0; i < 4; i++)
        assert_column(&m->columns[i], &want[i]);
    assert_true(orm_column_is_autoinc(m, &m->columns[0]));
    orm_modelfile_free(mf);
}

static void
test_modelfile__example_file_loads_three_related_models(void **state)
{
    (void)state;
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    int rc =
        orm_modelfile_load(&mf, ORB_SOURCE_DIR "/examples/models.ini", &err);
    if (rc) {
        char *text = mf ? orm_modelfile_problems_text(mf) : NULL;
        fail_msg("%s\n%s", orm_error_text(&err), text ? text : "");
    }
    assert_int_equal(mf->nproblems, 0);
    assert_int_equal(mf->nmodels, 3);
    assert_string_equal(mf->models[0]->name, "Account");
    assert_string_equal(mf->models[1]->name, "Post");
    assert_string_equal(mf->models[2]->name, "Comment");

    const orm_model *account = find_model(mf, "Account");
    assert_int_equal(account->ncolumns, 3);
    assert_string_equal(find_column(account, "secret_key")->default_gen,
                        "token_hex(16)");
    assert_true(find_column(account, "secret_key")->flags & ORM_SECRET);

    const orm_model *post = find_model(mf, "Post");
    assert_string_equal(post->table, "posts");
    assert_string_equal(post->version_column, "version");
    const orm_column *owner = find_column(post, "account_id");
    assert_string_equal(owner->ref_table, "accounts");
    assert_string_equal(owner->ref_column, "id");
    assert_string_equal(find_column(post, "created")->default_gen, "now()");
    assert_string_equal(find_column(post, "published")->default_value, "false");
    assert_int_equal(find_column(post, "title")->length, 200);
    assert_int_equal(find_column(post, "body")->type, ORM_TEXT);

    const orm_model *comment = find_model(mf, "Comment");
    assert_string_equal(comment->table, "comments");
    assert_string_equal(find_column(comment, "post_id")->ref_table, "posts");
    orm_modelfile_free(mf);
    orm_error_clear(&err);
}

static void test_modelfile__every_option(void **state)
{
    (void)state;
    orm_modelfile *mf =
        parse("[Thing]\n"
              "id = BigInteger primary_key no_autoincrement\n"
              "code = String(20) unique index not_null\n"
              "note = Text nullable default='text with spaces'\n"
              "quote = Text default='it''s'\n"
              "empty = Text default=''\n"
              "count = Integer default=12\n"
              "delta = Integer default=-3\n"
              "ratio = Float default=1.5\n"
              "price = Numeric(10, 2) default=9.95\n"
              "flag = Boolean default=true\n"
              "off = Boolean default=FALSE\n"
              "maybe = Integer default=null\n"
              "token = String(64) secret default=token_hex(16)\n"
              "uid = Uuid default=uuid4()\n"
              "made = DateTime default=now()\n"
              "day = Date default=today()\n"
              "seq = Integer autoincrement\n"
              "state = String(10) server_default='draft' not_null\n"
              "stamp = DateTime server_default=CURRENT_TIMESTAMP\n"
              "utc = DateTime server_default=now() at time zone 'utc' index\n"
              "owner = Integer references=public.accounts.id\n",
              0);
    const orm_model *m = find_model(mf, "Thing");
    assert_int_equal(m->ncolumns, 21);
    assert_int_equal(find_column(m, "id")->flags, ORM_PK | ORM_NO_AUTOINC);
    assert_false(orm_column_is_autoinc(m, find_column(m, "id")));
    assert_int_equal(find_column(m, "code")->flags,
                     ORM_UNIQUE | ORM_INDEX | ORM_NOT_NULL);
    assert_int_equal(find_column(m, "note")->flags, 0);
    assert_string_equal(find_column(m, "note")->default_value,
                        "text with spaces");
    assert_string_equal(find_column(m, "quote")->default_value, "it's");
    assert_string_equal(find_column(m, "empty")->default_value, "");
    assert_string_equal(find_column(m, "count")->default_value, "12");
    assert_string_equal(find_column(m, "delta")->default_value, "-3");
    assert_string_equal(find_column(m, "ratio")->default_value, "1.5");
    assert_int_equal(find_column(m, "price")->precision, 10);
    assert_int_equal(find_column(m, "price")->scale, 2);
    assert_string_equal(find_column(m, "price")->default_value, "9.95");
    assert_string_equal(find_column(m, "flag")->default_value, "true");
    assert_string_equal(find_column(m, "off")->default_value, "FALSE");
    assert_null(find_column(m, "maybe")->default_value);
    assert_null(find_column(m, "maybe")->default_gen);
    assert_int_equal(find_column(m, "token")->flags, ORM_SECRET);
    assert_string_equal(find_column(m, "token")->default_gen, "token_hex(16)");
    assert_string_equal(find_column(m, "uid")->default_gen, "uuid4()");
    assert_string_equal(find_column(m, "made")->default_gen, "now()");
    assert_string_equal(find_column(m, "day")->default_gen, "today()");
    assert_int_equal(find_column(m, "seq")->flags, ORM_AUTOINC);
    assert_string_equal(find_column(m, "state")->server_default, "'draft'");
    assert_int_equal(find_column(m, "state")->flags, ORM_NOT_NULL);
    assert_string_equal(find_column(m, "stamp")->server_default,
                        "CURRENT_TIMESTAMP");
    assert_string_equal(find_column(m, "utc")->server_default,
                        "now() at time zone 'utc'");
    assert_int_equal(find_column(m, "utc")->flags, ORM_INDEX);
    assert_string_equal(find_column(m, "owner")->ref_table, "public.accounts");
    assert_string_equal(find_column(m, "owner")->ref_column, "id");
    orm_modelfile_free(mf);
}

static void test_modelfile__model_keys(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("[OrderLine]\n"
                              "__schema__ = sales\n"
                              "__unique__ = order_id, position\n"
                              "__unique__ = sku\n"
                              "__version__ = rev\n"
                              "order_id = Integer not_null\n"
                              "position = SmallInteger not_null\n"
                              "sku = String(12)\n"
                              "rev = Integer not_null default=1\n",
                              0);
    const orm_model *m = find_model(mf, "OrderLine");
    /* Without __tablename__ the table is the class name lowercased. */
    assert_string_equal(m->table, "orderline");
    assert_string_equal(m->schema, "sales");
    assert_null(m->repr);
    assert_string_equal(m->version_column, "rev");
    assert_int_equal(m->nuniques, 2);
    assert_int_equal(m->uniques[0].ncolumns, 2);
    assert_string_equal(m->uniques[0].columns[0], "order_id");
    assert_string_equal(m->uniques[0].columns[1], "position");
    assert_int_equal(m->uniques[1].ncolumns, 1);
    assert_string_equal(m->uniques[1].columns[0], "sku");
    int pk[2];
    assert_int_equal(orm_model_pk(m, pk, 2), 0);
    orm_modelfile_free(mf);
}

static void test_modelfile__composite_primary_key(void **state)
{
    (void)state;
    orm_modelfile *mf =
        parse("[PostTag]\n"
              "__tablename__ = post_tags\n"
              "post_id = Integer primary_key references=posts.id\n"
              "tag_id = Integer primary_key references=tags.id\n",
              0);
    const orm_model *m = find_model(mf, "PostTag");
    int pk[4];
    assert_int_equal(orm_model_pk(m, pk, 4), 2);
    assert_int_equal(pk[0], 0);
    assert_int_equal(pk[1], 1);
    /* Autoincrement is only implied for a single-column key. */
    assert_false(orm_column_is_autoinc(m, &m->columns[0]));
    orm_modelfile_free(mf);
}

static void test_modelfile__layout_comments_and_line_endings(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("\xEF\xBB\xBF; a comment\r\n"
                              "# another\r\n"
                              "\r\n"
                              "  [ Account ]   ; trailing comment\r\n"
                              "    id = Integer primary_key ; the key\r\n"
                              "\thandle: String(50)\r\n"
                              "    note = Text\n"
                              "[Tag]\n"
                              "id = Integer primary_key",
                              0);
    assert_int_equal(mf->nmodels, 2);
    const orm_model *m = find_model(mf, "Account");
    /* Indented lines are columns of their own, not continuations. */
    assert_int_equal(m->ncolumns, 3);
    assert_int_equal(find_column(m, "id")->flags, ORM_PK);
    assert_int_equal(find_column(m, "handle")->length, 50);
    assert_int_equal(find_model(mf, "Tag")->ncolumns, 1);
    orm_modelfile_free(mf);
}

static void test_modelfile__each_problem_has_its_line_and_message(void **state)
{
    (void)state;
    orm_modelfile *mf =
        parse("orphan = Integer\n"                        /* 1 */
              "[Account]\n"                               /* 2 */
              "id = Integer primary_key\n"                /* 3 */
              "handle = Strin(50)\n"                      /* 4 */
              "email = String(80) uniqe\n"                /* 5 */
              "id = Integer\n"                            /* 6 */
              "owner = Integer references=accounts\n"     /* 7 */
              "age = Integer default='abc'\n"             /* 8 */
              "code = String(20) default=token_hex(16)\n" /* 9 */
              "name String(20)\n"                         /* 10 */
              "__version__ = rev\n"                       /* 11 */
              "__unique__ = handle, nick\n"               /* 12 */
              "[Empty]\n"                                 /* 13 */
              "__tablename__ = nothing\n"                 /* 14 */
              "[Account]\n"                               /* 15 */
              "id = Integer\n",                           /* 16 */
              ORM_EPARSE);
    assert_problems(
        mf,
        "models.ini:1: column 'orphan' before any [Model] section\n"
        "models.ini:4: unknown type 'Strin' (known: Integer, BigInteger, "
        "SmallInteger, String(n), Text, Boolean, Float, Numeric(p,s), Date, "
        "Time, DateTime, DateTimeTZ, LargeBinary, JSON, Uuid)\n"
        "models.ini:5: unknown option 'uniqe' (did you mean 'unique'?)\n"
        "models.ini:6: duplicate column 'id' (first declared at line 3)\n"
        "models.ini:7: references=accounts needs TABLE.COLUMN (e.g. "
        "references=accounts.id)\n"
        "models.ini:8: default 'abc' does not fit column 'age' (Integer): "
        "expected a whole number\n"
        "models.ini:9: default token_hex(16) does not fit column 'code' "
        "(String(20)): at most 20 characters (got 32)\n"
        "models.ini:10: missing '=' (expected 'name = Type [options]')\n"
        "models.ini:11: __version__ names missing column 'rev'\n"
        "models.ini:12: __unique__ names missing column 'nick'\n"
        "models.ini:13: model 'Empty' has no columns\n"
        "models.ini:15: duplicate model 'Account' (first declared at "
        "line 2)");
    assert_int_equal(mf->nproblems, 12);
    assert_int_equal(mf->problems[0].line, 1);
    assert_string_equal(mf->problems[0].path, "models.ini");
    /* Account keeps its valid columns; the second [Account] is ignored. */
    assert_int_equal(mf->nmodels, 1);
    const orm_model *m = find_model(mf, "Account");
    assert_int_equal(m->ncolumns, 1);
    assert_string_equal(m->columns[0].name, "id");
    assert_int_equal(m->columns[0].flags, ORM_PK);
    assert_null(m->version_column);
    assert_int_equal(m->nuniques, 0);
    orm_modelfile_free(mf);
}

static void test_modelfile__default_checks(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("[T]\n"
                              "id = Integer primary_key\n"
                              "a = Integer default=now()\n"
                              "b = Text default=foo()\n"
                              "c = Integer not_null default=null\n"
                              "d = Text default=hello\n"
                              "e = Boolean default='maybe'\n"
                              "f = Text default='x ; y'\n"
                              "g = Text default='a'b\n"
                              "h = Text default=1 default=2\n"
                              "i = String(5) default='toolong'\n",
                              ORM_EPARSE);
    assert_problems(
        mf,
        "models.ini:3: default now() does not fit column 'a' (Integer): "
        "expected a whole number\n"
        "models.ini:4: unknown default generator 'foo()' (known: "
        "token_hex(N), uuid4(), now(), today())\n"
        "models.ini:5: default null on column 'c', which is not nullable\n"
        "models.ini:6: default=hello is not a literal (quote text: "
        "default='hello')\n"
        "models.ini:7: default 'maybe' does not fit column 'e' (Boolean): "
        "expected true or false\n"
        "models.ini:8: unterminated quote in default='x (note: ' ;' starts a "
        "comment)\n"
        "models.ini:9: text after the closing quote in default='a'b\n"
        "models.ini:10: option 'default' given twice\n"
        "models.ini:11: default 'toolong' does not fit column 'i' "
        "(String(5)): at most 5 characters (got 7)");
    assert_int_equal(find_model(mf, "T")->ncolumns, 1);
    orm_modelfile_free(mf);
}

static void test_modelfile__option_and_key_mistakes(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("[T]\n"
                              "id = Integer primary_key\n"
                              "a = Integer unique=true\n"
                              "b = Integer references\n"
                              "c = Integer frobnicate\n"
                              "d = Integer not_null nullable\n"
                              "e = Integer primary_key nullable\n"
                              "f = Integer autoincrement no_autoincrement\n"
                              "g = Integer # a comment\n"
                              "h =\n"
                              "first name = Text\n"
                              "__tablenme__ = t\n"
                              "__tablename__ = t\n"
                              "__tablename__ = u\n"
                              "__color__ = red\n"
                              "__unique__ = id,\n"
                              "= Integer\n"
                              "j = Numeric(2, 5)\n",
                              ORM_EPARSE);
    assert_problems(
        mf, "models.ini:3: option 'unique' takes no value\n"
            "models.ini:4: option 'references' needs a value (references=...)\n"
            "models.ini:5: unknown option 'frobnicate' (known: primary_key, "
            "unique, not_null, nullable, index, secret, autoincrement, "
            "no_autoincrement, default=, server_default=, references=)\n"
            "models.ini:6: column 'd' is both not_null and nullable\n"
            "models.ini:7: primary key column 'e' cannot be nullable\n"
            "models.ini:8: column 'f' is both autoincrement and "
            "no_autoincrement\n"
            "models.ini:9: '#' starts a comment only at the start of a line "
            "(use ' ;' after a value)\n"
            "models.ini:10: column 'h' needs a type (e.g. h = Integer)\n"
            "models.ini:11: column name 'first name' may only have letters, "
            "digits and '_'\n"
            "models.ini:12: unknown model key '__tablenme__' (did you mean "
            "'__tablename__'?)\n"
            "models.ini:14: __tablename__ given twice (first at line 13)\n"
            "models.ini:15: unknown model key '__color__' (known: "
            "__tablename__, __repr__, __schema__, __version__, __unique__)\n"
            "models.ini:16: __unique__ needs column names separated by ','\n"
            "models.ini:17: missing column name before '='\n"
            "models.ini:18: Numeric scale 5 exceeds precision 2");
    const orm_model *m = find_model(mf, "T");
    assert_string_equal(m->table, "t");
    assert_int_equal(m->ncolumns, 1);
    orm_modelfile_free(mf);
}

static void test_modelfile__bad_headers_skip_their_keys(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("[Good]\n"
                              "id = Integer primary_key\n"
                              "[Bad\n"
                              "x = Integer\n"
                              "[Two Words]\n"
                              "y = Integer\n"
                              "[]\n"
                              "[Junk] more\n"
                              "[Also]\n"
                              "id = Integer primary_key\n",
                              ORM_EPARSE);
    assert_problems(mf, "models.ini:3: missing ']' after the model name\n"
                        "models.ini:5: model name 'Two Words' may only have "
                        "letters, digits and '_'\n"
                        "models.ini:7: empty model name in '[]'\n"
                        "models.ini:8: unexpected text after ']'");
    assert_int_equal(mf->nmodels, 2);
    /* Keys under a broken header do not land in the model before it. */
    assert_int_equal(find_model(mf, "Good")->ncolumns, 1);
    assert_int_equal(find_model(mf, "Also")->ncolumns, 1);
    orm_modelfile_free(mf);
}

static void test_modelfile__mixed_file_keeps_good_sections(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("[Account]\n"
                              "id = Integer primary_key\n"
                              "handle = String(50) unique not_null\n"
                              "[Broken]\n"
                              "id = Intgr primary_key\n"
                              "[Post]\n"
                              "id = Integer primary_key\n"
                              "account_id = Integer references=accounts.id\n"
                              "title = String(200) uniqe\n"
                              "body = Text\n",
                              ORM_EPARSE);
    assert_problems(mf,
                    "models.ini:5: unknown type 'Intgr' (known: Integer, "
                    "BigInteger, SmallInteger, String(n), Text, Boolean, "
                    "Float, Numeric(p,s), Date, Time, DateTime, DateTimeTZ, "
                    "LargeBinary, JSON, Uuid)\n"
                    "models.ini:9: unknown option 'uniqe' (did you mean "
                    "'unique'?)");
    /* Broken lost its only column (already reported): no second problem,
     * no model. */
    assert_int_equal(mf->nmodels, 2);
    assert_int_equal(find_model(mf, "Account")->ncolumns, 2);
    const orm_model *post = find_model(mf, "Post");
    assert_int_equal(post->ncolumns, 3);
    assert_null(orm_model_column(post, "title"));
    assert_non_null(orm_model_column(post, "body"));
    orm_modelfile_free(mf);
}

static void test_modelfile__dropped_column_does_not_cascade(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("[T]\n"
                              "id = Integer primary_key\n"
                              "rev = Integr\n"
                              "__version__ = rev\n"
                              "__unique__ = id, rev\n"
                              "rev = Integer\n",
                              ORM_EPARSE);
    char *text = orm_modelfile_problems_text(mf);
    assert_int_equal(mf->nproblems, 2);
    assert_non_null(strstr(text, "models.ini:3: unknown type 'Integr'"));
    assert_non_null(strstr(text, "models.ini:6: duplicate column 'rev' "
                                 "(first declared at line 3)"));
    free(text);
    orm_modelfile_free(mf);
}

static void test_modelfile__long_line_is_reported_not_split(void **state)
{
    (void)state;
    char text[1024];
    char pad[400];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    snprintf(text, sizeof text,
             "[T]\n"
             "id = Integer primary_key\n"
             "note = Text server_default='%s'\n"
             "other = Text\n",
             pad);
    orm_modelfile *mf = parse(text, ORM_EPARSE);
    assert_int_equal(mf->nproblems, 1);
    assert_int_equal(mf->problems[0].line, 3);
    assert_non_null(strstr(mf->problems[0].message, "line is longer than"));
    const orm_model *m = find_model(mf, "T");
    assert_int_equal(m->ncolumns, 2);
    assert_non_null(orm_model_column(m, "other"));
    orm_modelfile_free(mf);
}

static void test_modelfile__missing_file_is_an_io_error(void **state)
{
    (void)state;
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_modelfile_load(&mf, "/nonexistent/x.ini", &err),
                     ORM_EIO);
    assert_null(mf);
    /* the system's reason, in the language of the environment's locale */
    char want[256];
    snprintf(want, sizeof want,
             "cannot read models file '/nonexistent/x.ini': %s",
             strerror(ENOENT));
    assert_string_equal(err.message, want);
    orm_error_clear(&err);
    assert_int_equal(orm_modelfile_load(&mf, "/", &err), ORM_EIO);
    assert_null(mf);
    snprintf(want, sizeof want, "cannot read models file '/': %s",
             strerror(EISDIR));
    assert_string_equal(err.message, want);
    orm_error_clear(&err);
}

static void test_modelfile__load_reports_the_path(void **state)
{
    (void)state;
    char path[] = "/tmp/orb-modelfile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("[A]\nid = Integer primary_key\nx = Integer uniqe\n", f);
    fclose(f);
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_modelfile_load(&mf, path, &err), ORM_EPARSE);
    assert_int_equal(err.code, ORM_EPARSE);
    char expected[256];
    snprintf(expected, sizeof expected,
             "%s:3: unknown option 'uniqe' (did you mean 'unique'?)", path);
    assert_problems(mf, expected);
    assert_int_equal(mf->nmodels, 1);
    orm_modelfile_free(mf);
    orm_error_clear(&err);
    remove(path);
}

static void test_modelfile__empty_text_and_null_arguments(void **state)
{
    (void)state;
    orm_modelfile *mf = parse("", 0);
    assert_int_equal(mf->nmodels, 0);
    assert_int_equal(mf->nproblems, 0);
    assert_problems(mf, "");
    orm_modelfile_free(mf);
    assert_int_equal(orm_modelfile_parse(&mf, NULL, "x", NULL), ORM_EINVALID);
    assert_int_equal(orm_modelfile_load(&mf, NULL, NULL), ORM_EINVALID);
    orm_modelfile_free(NULL);
}

static void test_modelfile__models_can_be_taken_out(void **state)
{
    (void)state;
    orm_modelfile *mf = parse(header_example, 0);
    orm_model *taken = mf->models[0];
    mf->models[0] = NULL;
    orm_modelfile_free(mf);
    assert_string_equal(taken->table, "accounts");
    orm_model_free(taken);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modelfile__seed_account_parses_exactly),
        cmocka_unit_test(
            test_modelfile__example_file_loads_three_related_models),
        cmocka_unit_test(test_modelfile__every_option),
        cmocka_unit_test(test_modelfile__model_keys),
        cmocka_unit_test(test_modelfile__composite_primary_key),
        cmocka_unit_test(test_modelfile__layout_comments_and_line_endings),
        cmocka_unit_test(test_modelfile__each_problem_has_its_line_and_message),
        cmocka_unit_test(test_modelfile__default_checks),
        cmocka_unit_test(test_modelfile__option_and_key_mistakes),
        cmocka_unit_test(test_modelfile__bad_headers_skip_their_keys),
        cmocka_unit_test(test_modelfile__mixed_file_keeps_good_sections),
        cmocka_unit_test(test_modelfile__dropped_column_does_not_cascade),
        cmocka_unit_test(test_modelfile__long_line_is_reported_not_split),
        cmocka_unit_test(test_modelfile__missing_file_is_an_io_error),
        cmocka_unit_test(test_modelfile__load_reports_the_path),
        cmocka_unit_test(test_modelfile__empty_text_and_null_arguments),
        cmocka_unit_test(test_modelfile__models_can_be_taken_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
