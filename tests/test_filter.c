/*
 * Tests for the filter language (orm/src/filter.c): canonical printing,
 * round trips, error codes/positions/messages, typed conversion against a
 * model, precedence, between-and, nesting limits and the single-literal
 * parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orm/expr.h"

static const orm_column account_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle", .type = ORM_STRING, .length = 50},
    {.name = "active", .type = ORM_BOOLEAN},
    {.name = "price", .type = ORM_NUMERIC, .precision = 10, .scale = 2},
    {.name = "born", .type = ORM_DATE},
    {.name = "created", .type = ORM_DATETIME},
    {.name = "note", .type = ORM_TEXT},
    {.name = "odd name", .type = ORM_STRING, .length = 20},
};
static const orm_model Account =
    ORM_MODEL("Account", "accounts", account_columns);

/* Parse or fail the test, showing the parser's message. */
static orm_expr *parse_ok(const char *text, const orm_model *model)
{
    orm_expr *e = NULL;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_filter_parse(&e, text, model, &err);
    if (rc != 0)
        fail_msg("parse of [%s] failed: %s", text, orm_error_text(&err));
    orm_error_clear(&err);
    assert_non_null(e);
    return e;
}

static char *print_ok(const orm_expr *e)
{
    char *text = orm_filter_print(e);
    assert_non_null(text);
    return text;
}

/* parse(print(parse(x))) equals parse(x), and printing is stable. */
static void check_round_trip(const char *input, const orm_model *model)
{
    orm_expr *first = parse_ok(input, model);
    char *printed = print_ok(first);
    orm_expr *second = parse_ok(printed, model);
    if (!orm_expr_equal(first, second))
        fail_msg("[%s] printed as [%s] parses to a different tree", input,
                 printed);
    char *again = print_ok(second);
    assert_string_equal(printed, again);
    free(again);
    free(printed);
    orm_expr_free(second);
    orm_expr_free(first);
}

/* ------------------------------------------------------------------ */

static const struct {
    const char *input;
    const char *canonical;
} good[] = {
    {"handle = 'alice'", "handle = 'alice'"},
    {"handle=='alice'", "handle = 'alice'"},
    {"id <> 5", "id != 5"},
    {"id != 5", "id != 5"},
    {"id<5", "id < 5"},
    {"id <= 5", "id <= 5"},
    {"id >5", "id > 5"},
    {"id >= 5", "id >= 5"},
    {"a = 1 or b = 2 and c = 3", "a = 1 or b = 2 and c = 3"},
    {"(a = 1 or b = 2) and c = 3", "(a = 1 or b = 2) and c = 3"},
    {"a = 1 and (b = 2 or c = 3)", "a = 1 and (b = 2 or c = 3)"},
    {"(a = 1 and b = 2) or c = 3", "a = 1 and b = 2 or c = 3"},
    {"(a = 1 and b = 2) and c = 3", "a = 1 and b = 2 and c = 3"},
    {"a = 1 or (b = 2 or c = 3)", "a = 1 or b = 2 or c = 3"},
    {"((((a = 1))))", "a = 1"},
    {"not a = 1", "not (a = 1)"},
    {"not (a = 1)", "not (a = 1)"},
    {"not a is null", "not (a is null)"},
    {"not not a = 1", "not (not (a = 1))"},
    {"not (a = 1 or b = 2)", "not (a = 1 or b = 2)"},
    {"not a = 1 and b = 2", "not (a = 1) and b = 2"},
    {"NOT (A = 1) AND B = 2", "not (A = 1) and B = 2"},
    {"a is null", "a is null"},
    {"a IS NOT NULL", "a is not null"},
    {"note is null or note = ''", "note is null or note = ''"},
    {"id in (1,2,3)", "id in (1, 2, 3)"},
    {"id IN ( 'x' )", "id in ('x')"},
    {"id not in (1, 2)", "id not in (1, 2)"},
    {"not (id in (1, 2))", "id not in (1, 2)"},
    {"id between 10 and 20", "id between 10 and 20"},
    {"id BETWEEN 1 AND 2 AND flag = TRUE",
     "id between 1 and 2 and flag = true"},
    {"id not between 1 and 2", "id not between 1 and 2"},
    {"handle like '%doe%'", "handle like '%doe%'"},
    {"handle ILIKE 'A\\_%'", "handle ilike 'A\\_%'"},
    {"handle not like 'x%'", "handle not like 'x%'"},
    {"handle contains 'doe'", "handle contains 'doe'"},
    {"handle Icontains 'doe'", "handle icontains 'doe'"},
    {"handle startswith 'j'", "handle startswith 'j'"},
    {"handle istartswith 'j'", "handle istartswith 'j'"},
    {"handle endswith 'z'", "handle endswith 'z'"},
    {"handle iendswith 'z'", "handle iendswith 'z'"},
    {"handle contains 12", "handle contains '12'"},
    {"price < 9.95", "price < 9.95"},
    {"price < .5", "price < 0.5"},
    {"price < 5.", "price < 5.0"},
    {"price = 1.0", "price = 1.0"},
    {"price = 0.1", "price = 0.1"},
    {"x = 1e3", "x = 1000.0"},
    {"x = 2.5E-3", "x = 0.0025"},
    {"x = 1.5e10", "x = 15000000000.0"},
    {"x = 1e22", "x = 1e+22"},
    {"x = 1.25e-7", "x = 1.25e-07"},
    {"x = 123456.789", "x = 123456.789"},
    {"x = 0.30000000000000004", "x = 0.30000000000000004"},
    {"x = -5", "x = -5"},
    {"x = -0.25", "x = -0.25"},
    {"x = 9223372036854775807", "x = 9223372036854775807"},
    {"x = -9223372036854775808", "x = -9223372036854775808"},
    {"flag = false", "flag = false"},
    {"\"odd name\" startswith 'j'", "\"odd name\" startswith 'j'"},
    {"\"select\" = 1", "select = 1"}, /* not a keyword here */
    {"\"Between\" = 1", "\"Between\" = 1"},
    {"\"IN\" = 1", "\"IN\" = 1"},
    {"\"a\"\"b\" = 1", "\"a\"\"b\" = 1"},
    {"\"plain_2\" = 1", "plain_2 = 1"},
    {"\"2x\" = 1", "\"2x\" = 1"},
    {"\"café\" = 1", "\"café\" = 1"},
    {"name = 'it''s'", "name = 'it''s'"},
    {"name = ''''", "name = ''''"},
    {"name = 'café ☕ 日本語 🎉'", "name = 'café ☕ 日本語 🎉'"},
    {"name = 'a\\b'", "name = 'a\\b'"},
    {"name = 'line1\nline2'", "name = 'line1\nline2'"},
    {"name = '\"quoted\"'", "name = '\"quoted\"'"},
    {"name = 'and or not'", "name = 'and or not'"},
    {"handle = '''; DROP TABLE accounts; --'",
     "handle = '''; DROP TABLE accounts; --'"},
    {"\ta = 1\n\tOR\r\n b = 2  ", "a = 1 or b = 2"},
    {"Handle = 1", "Handle = 1"},
    {"_x = 1", "_x = 1"},
};

static void test_filter__good_inputs_print_canonically(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        orm_expr *e = parse_ok(good[i].input, NULL);
        char *printed = print_ok(e);
        if (strcmp(printed, good[i].canonical) != 0)
            fail_msg("[%s] printed [%s], expected [%s]", good[i].input, printed,
                     good[i].canonical);
        free(printed);
        orm_expr_free(e);
    }
}

static void test_filter__print_then_parse_gives_equal_tree(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        check_round_trip(good[i].input, NULL);
}

/* ------------------------------------------------------------------ */

static const struct {
    const char *input;
    int code;
    size_t position;
    const char *message;
} bad[] = {
    {"", ORM_EPARSE, 0, "empty filter"},
    {"  \n\t ", ORM_EPARSE, 0, "empty filter"},
    {"handle = 'abc", ORM_EPARSE, 10, "unterminated string starting at 10"},
    {"handle =", ORM_EPARSE, 9, "expected a value after '=' at 9"},
    {"handle = ", ORM_EPARSE, 10, "expected a value after '=' at 10"},
    {"handle <> ", ORM_EPARSE, 11, "expected a value after '<>' at 11"},
    {"a = 1)", ORM_EPARSE, 6, "unexpected ')' at 6 (no '(' to close)"},
    {"(a = 1) and b = 2)", ORM_EPARSE, 18,
     "unexpected ')' at 18 (no '(' to close)"},
    {"handle lik 'x'", ORM_EPARSE, 8,
     "unknown operator 'lik' at 8 (did you mean 'like'?)"},
    {"handle containz 'x'", ORM_EPARSE, 8,
     "unknown operator 'containz' at 8 (did you mean 'contains'?)"},
    {"id eq 1", ORM_EPARSE, 4,
     "unknown operator 'eq' at 4 (did you mean "
     "'='?)"},
    {"id frobnicate 1", ORM_EPARSE, 4,
     "unknown operator 'frobnicate' at 4 (operators: = != < <= > >= like "
     "ilike contains startswith endswith in between is null)"},
    {"a => 1", ORM_EPARSE, 3,
     "unknown operator '=>' at 3 (did you mean "
     "'>='?)"},
    {"a = null", ORM_EPARSE, 5,
     "'= null' is never true at 5 (use 'is null' instead)"},
    {"a != null", ORM_EPARSE, 6,
     "'!= null' is never true at 6 (use 'is not null' instead)"},
    {"a < NULL", ORM_EPARSE, 5,
     "null cannot be used with '<' at 5 (test for null with 'is null')"},
    {"id in (1, null)", ORM_EPARSE, 11,
     "null cannot be used with 'in' at 11 (test for null with 'is null')"},
    {"a = b", ORM_EPARSE, 5,
     "expected a value after '=', found 'b' at 5 (text needs single "
     "quotes: 'b'; comparing two columns is not supported)"},
    {"a = \"b\"", ORM_EPARSE, 5,
     "expected a value after '=', found the column name \"b\" at 5 (double "
     "quotes name a column; text uses single quotes: 'b')"},
    {"flag = ture", ORM_EPARSE, 8,
     "expected a value after '=', found 'ture' at 8 (did you mean true?)"},
    {"a = and", ORM_EPARSE, 5, "expected a value after '=', found 'and' at 5"},
    {"1 = a", ORM_EPARSE, 1,
     "expected a column name, found the value '1' at 1 (a condition starts "
     "with a column, as in: id = 1)"},
    {"'x' = a", ORM_EPARSE, 1,
     "expected a column name, found the value 'x' at 1 (a condition starts "
     "with a column, as in: id = 1)"},
    {"and = 1", ORM_EPARSE, 1, "expected a column name, found 'and' at 1"},
    {"in = 1", ORM_EPARSE, 1,
     "expected a column name, found 'in' at 1 (a column with that name must "
     "be double-quoted: \"in\")"},
    {"(a = 1", ORM_EPARSE, 1, "unclosed '(' at 1 (add ')' to close it)"},
    {"(a = 1 b = 2)", ORM_EPARSE, 8,
     "expected ')' to close the '(' at 1, found 'b' at 8 (missing 'and' or "
     "'or'?)"},
    {"a = 1 b = 2", ORM_EPARSE, 7,
     "unexpected 'b' at 7 (missing 'and' or "
     "'or'?)"},
    {"a = 'x' 'y'", ORM_EPARSE, 9, "unexpected 'y' at 9"},
    {"a = 1 and", ORM_EPARSE, 10, "expected a condition after 'and' at 10"},
    {"a = 1 or ", ORM_EPARSE, 10, "expected a condition after 'or' at 10"},
    {"not", ORM_EPARSE, 4, "expected a condition after 'not' at 4"},
    {"()", ORM_EPARSE, 2, "expected a condition inside '()' at 2"},
    {"(", ORM_EPARSE, 2, "expected a condition after '(' at 2"},
    {"a = 1 and (b = 1 or", ORM_EPARSE, 20,
     "expected a condition after 'or' at 20"},
    {"a = 1 or not", ORM_EPARSE, 13, "expected a condition after 'not' at 13"},
    {"a = 1 or )", ORM_EPARSE, 10, "expected a column name, found ')' at 10"},
    {"a", ORM_EPARSE, 2, "expected an operator after 'a' at 2"},
    {"a 'x'", ORM_EPARSE, 3,
     "expected an operator after 'a', found 'x' at 3 (operators: = != < <= "
     "> >= like contains in between is null)"},
    {"id between 1 or 2", ORM_EPARSE, 14,
     "expected 'and' after the first value of 'between', found 'or' at 14 "
     "(write: between 1 and 10)"},
    {"id between 1", ORM_EPARSE, 13,
     "expected 'and' after the first value of 'between' at 13 (write: "
     "between 1 and 10)"},
    {"id between 1 and", ORM_EPARSE, 17,
     "expected a value after 'between ... and' at 17"},
    {"id in 1", ORM_EPARSE, 7,
     "expected '(' after 'in', found '1' at 7 (write the values in "
     "parentheses: in (1, 2))"},
    {"id in ()", ORM_EPARSE, 8, "'in' needs at least one value at 8"},
    {"id in (1, 2", ORM_EPARSE, 12,
     "expected ',' or ')' in the 'in' list at 12"},
    {"id in (1 2)", ORM_EPARSE, 10,
     "expected ',' or ')' in the 'in' list, found '2' at 10"},
    {"id in (1,)", ORM_EPARSE, 10,
     "expected a value after ',', found ')' at 10"},
    {"a is 5", ORM_EPARSE, 6,
     "expected 'null' or 'not null' after 'is', found '5' at 6 ('is' only "
     "tests for null; compare values with =)"},
    {"a is not", ORM_EPARSE, 9,
     "expected 'null' after 'is not' at 9 ('is' only tests for null; "
     "compare values with =)"},
    {"a not = 1", ORM_EPARSE, 7,
     "expected 'in', 'between', 'like' or another text operator after "
     "'not', found '=' at 7 (write: not (a = 1))"},
    {"a not is null", ORM_EPARSE, 7,
     "expected 'in', 'between', 'like' or another text operator after "
     "'not', found 'is' at 7 (did you mean 'is not null'?)"},
    {"x = 99999999999999999999", ORM_EPARSE, 5,
     "99999999999999999999 is out of range for a 64-bit integer at 5"},
    {"x = 1e999", ORM_EPARSE, 5, "1e999 is out of range at 5"},
    {"x = 12abc", ORM_EPARSE, 5, "invalid number '12abc' at 5"},
    {"x = 1.2.3", ORM_EPARSE, 5, "invalid number '1.2.3' at 5"},
    {"a = 1; drop table x", ORM_EPARSE, 6,
     "unexpected character ';' at 6 (a filter is a single condition; join "
     "conditions with 'and' or 'or')"},
    {"a = 1 && b = 2", ORM_EPARSE, 7,
     "unexpected character '&' at 7 (use "
     "'and')"},
    {"a = 1 || b = 2", ORM_EPARSE, 7,
     "unexpected character '|' at 7 (use "
     "'or')"},
    {"t.a = 1", ORM_EPARSE, 2,
     "unexpected character '.' at 2 (write the column name alone, without "
     "a table)"},
    {"`a` = 1", ORM_EPARSE, 1,
     "unexpected character '`' at 1 (column names are quoted with double "
     "quotes: \"name\")"},
    {"a ~ 1", ORM_EPARSE, 3, "unexpected character '~' at 3"},
    {"a = 1\x01", ORM_EPARSE, 6, "unexpected control character U+0001 at 6"},
    {"é = 1", ORM_EPARSE, 1,
     "a name with non-ASCII letters must be quoted at 1 (write it in double "
     "quotes: \"é\")"},
    {"a = 1 → 2", ORM_EPARSE, 7, "unexpected character '→' (U+2192) at 7"},
    {"b≠2", ORM_EPARSE, 2, "unexpected character '≠' (U+2260) at 2"},
    {"naïve = 1", ORM_EPARSE, 1,
     "a name with non-ASCII letters must be quoted at 1 (write it in double "
     "quotes: \"naïve\")"},
    {"a = 'x'\xc2\xa0", ORM_EPARSE, 8,
     "unexpected character '\xc2\xa0' (U+00A0) at 8"},
    {"a = '\xff'", ORM_EPARSE, 6, "invalid UTF-8 at 6"},
    {"é = '\xc0\xaf'", ORM_EPARSE, 6, "invalid UTF-8 at 6"},
    {"café = 1", ORM_EPARSE, 1,
     "a name with non-ASCII letters must be quoted at 1 (write it in double "
     "quotes: \"café\")"},
    {"名前 = 'x'", ORM_EPARSE, 1,
     "a name with non-ASCII letters must be quoted at 1 (write it in double "
     "quotes: \"名前\")"},
    {"\"\" = 1", ORM_EPARSE, 1, "empty column name \"\" at 1"},
    {"\"abc = 1", ORM_EPARSE, 1, "unterminated column name starting at 1"},
    /* positions count characters, not bytes: é and ☕ are one each */
    {"name = 'é' and x = 'abc", ORM_EPARSE, 20,
     "unterminated string starting at 20"},
    {"n = '☕☕' or x = = 1", ORM_EPARSE, 17,
     "expected a value after '=', found '=' at 17"},
    {"a = 'this string is much longer than forty characters' 'x'", ORM_EPARSE,
     56, "unexpected 'x' at 56"},
    {"a = 1 or 'this string is much longer than forty characters'", ORM_EPARSE,
     10,
     "expected a column name, found the value 'this string is much longer "
     "than forty c...' at 10 (a condition starts with a column, as in: "
     "id = 1)"},
};

static void test_filter__bad_inputs_give_code_position_and_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        orm_expr *e = (orm_expr *)&e; /* must be reset to NULL */
        orm_error err = ORM_ERROR_INIT;
        int rc = orm_filter_parse(&e, bad[i].input, NULL, &err);
        if (rc != bad[i].code || err.code != bad[i].code)
            fail_msg("[%s]: code %d, expected %d (%s)", bad[i].input, rc,
                     bad[i].code, orm_error_text(&err));
        if (!err.message || strcmp(err.message, bad[i].message) != 0)
            fail_msg("[%s]: message\n  [%s]\nexpected\n  [%s]", bad[i].input,
                     err.message ? err.message : "(null)", bad[i].message);
        if (err.position != bad[i].position)
            fail_msg("[%s]: position %zu, expected %zu", bad[i].input,
                     err.position, bad[i].position);
        assert_null(e);
        orm_error_clear(&err);
    }
}

static void test_filter__null_arguments_are_invalid(void **state)
{
    (void)state;
    orm_expr *e = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_filter_parse(&e, NULL, NULL, &err), ORM_EINVALID);
    assert_null(e);
    orm_error_clear(&err);
    assert_int_equal(orm_filter_parse(NULL, "a = 1", NULL, &err), ORM_EINVALID);
    orm_error_clear(&err);
    /* a NULL error is allowed: only the code comes back */
    assert_int_equal(orm_filter_parse(&e, "a = ", NULL, NULL), ORM_EPARSE);
    assert_null(e);
}

/* ------------------------------------------------------------------ */

static const orm_expr *arg(const orm_expr *e, size_t i)
{
    assert_int_equal(e->kind, ORM_EXPR_OP);
    assert_true(i < e->nargs);
    return e->args[i];
}

static void assert_cmp(const orm_expr *e, orm_op op, const char *column)
{
    assert_int_equal(e->kind, ORM_EXPR_OP);
    assert_int_equal(e->op, op);
    assert_int_equal(arg(e, 0)->kind, ORM_EXPR_COLUMN);
    assert_string_equal(arg(e, 0)->column, column);
}

static void test_filter__and_binds_tighter_than_or(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("a = 1 or b = 2 and c = 3", NULL);
    assert_int_equal(e->op, ORM_OP_OR);
    assert_int_equal(e->nargs, 2);
    assert_cmp(arg(e, 0), ORM_OP_EQ, "a");
    assert_int_equal(arg(e, 1)->op, ORM_OP_AND);
    assert_cmp(arg(arg(e, 1), 0), ORM_OP_EQ, "b");
    assert_cmp(arg(arg(e, 1), 1), ORM_OP_EQ, "c");
    orm_expr_free(e);

    e = parse_ok("a = 1 and b = 2 or c = 3", NULL);
    assert_int_equal(e->op, ORM_OP_OR);
    assert_int_equal(arg(e, 0)->op, ORM_OP_AND);
    assert_cmp(arg(e, 1), ORM_OP_EQ, "c");
    orm_expr_free(e);
}

static void test_filter__not_binds_tighter_than_and(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("not a = 1 and b = 2", NULL);
    assert_int_equal(e->op, ORM_OP_AND);
    assert_int_equal(arg(e, 0)->op, ORM_OP_NOT);
    assert_cmp(arg(arg(e, 0), 0), ORM_OP_EQ, "a");
    assert_cmp(arg(e, 1), ORM_OP_EQ, "b");
    orm_expr_free(e);

    e = parse_ok("not (a = 1 and b = 2)", NULL);
    assert_int_equal(e->op, ORM_OP_NOT);
    assert_int_equal(arg(e, 0)->op, ORM_OP_AND);
    orm_expr_free(e);
}

static void test_filter__chains_flatten_into_one_node(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("a = 1 and (b = 2 and c = 3) and d = 4", NULL);
    assert_int_equal(e->op, ORM_OP_AND);
    assert_int_equal(e->nargs, 4);
    orm_expr_free(e);
}

static void test_filter__keywords_are_case_insensitive(void **state)
{
    (void)state;
    orm_expr *lower = parse_ok(
        "not a in (1) and b between 1 and 2 or c is not null and d like 'x' "
        "and e = true",
        NULL);
    orm_expr *upper = parse_ok(
        "NOT a IN (1) AND b BETWEEN 1 AND 2 OR c IS NOT NULL AND d LIKE 'x' "
        "AND e = TRUE",
        NULL);
    orm_expr *mixed = parse_ok(
        "Not a In (1) aNd b BeTwEeN 1 And 2 oR c Is NoT NuLl aND d LiKe 'x' "
        "AnD e = True",
        NULL);
    assert_true(orm_expr_equal(lower, upper));
    assert_true(orm_expr_equal(lower, mixed));
    orm_expr_free(lower);
    orm_expr_free(upper);
    orm_expr_free(mixed);
}

static void test_filter__and_inside_between_is_not_logical_and(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("x between 1 and 2 and y = 3", NULL);
    assert_int_equal(e->op, ORM_OP_AND);
    assert_int_equal(e->nargs, 2);
    const orm_expr *between = arg(e, 0);
    assert_cmp(between, ORM_OP_BETWEEN, "x");
    assert_int_equal(between->nargs, 3);
    assert_int_equal(arg(between, 1)->value.u.i, 1);
    assert_int_equal(arg(between, 2)->value.u.i, 2);
    assert_cmp(arg(e, 1), ORM_OP_EQ, "y");
    orm_expr_free(e);

    e = parse_ok("x between 1 and 2 or y between 'a' and 'b'", NULL);
    assert_int_equal(e->op, ORM_OP_OR);
    assert_cmp(arg(e, 0), ORM_OP_BETWEEN, "x");
    assert_cmp(arg(e, 1), ORM_OP_BETWEEN, "y");
    orm_expr_free(e);

    e = parse_ok("a = 1 and x between 1 and 2 and y = 3", NULL);
    assert_int_equal(e->op, ORM_OP_AND);
    assert_int_equal(e->nargs, 3);
    assert_cmp(arg(e, 1), ORM_OP_BETWEEN, "x");
    orm_expr_free(e);
}

static void test_filter__not_in_is_not_of_in(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("id not in (1, 2)", NULL);
    assert_int_equal(e->op, ORM_OP_NOT);
    assert_cmp(arg(e, 0), ORM_OP_IN, "id");
    assert_int_equal(arg(e, 0)->nargs, 3);
    orm_expr *f = parse_ok("not id in (1, 2)", NULL);
    assert_true(orm_expr_equal(e, f));
    orm_expr_free(e);
    orm_expr_free(f);
}

static void test_filter__literals_keep_natural_kinds_without_model(void **state)
{
    (void)state;
    orm_expr *e = parse_ok(
        "a = 12 and b = 1.5 and c = true and d = 'x' and e = '12'", NULL);
    assert_int_equal(arg(arg(e, 0), 1)->value.kind, ORM_VINT);
    assert_int_equal(arg(arg(e, 0), 1)->value.u.i, 12);
    assert_int_equal(arg(arg(e, 1), 1)->value.kind, ORM_VFLOAT);
    assert_true(arg(arg(e, 1), 1)->value.u.f == 1.5);
    assert_int_equal(arg(arg(e, 2), 1)->value.kind, ORM_VBOOL);
    assert_int_equal(arg(arg(e, 2), 1)->value.u.b, 1);
    assert_int_equal(arg(arg(e, 3), 1)->value.kind, ORM_VTEXT);
    assert_int_equal(arg(arg(e, 4), 1)->value.kind, ORM_VTEXT);
    assert_string_equal(arg(arg(e, 4), 1)->value.u.s.ptr, "12");
    orm_expr_free(e);
}

static void test_filter__injection_text_is_one_string_value(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("handle = '''; DROP TABLE accounts; --'", NULL);
    assert_cmp(e, ORM_OP_EQ, "handle");
    assert_int_equal(e->nargs, 2);
    const orm_expr *v = arg(e, 1);
    assert_int_equal(v->kind, ORM_EXPR_VALUE);
    assert_int_equal(v->value.kind, ORM_VTEXT);
    assert_string_equal(v->value.u.s.ptr, "'; DROP TABLE accounts; --");
    assert_int_equal(v->value.u.s.len, strlen("'; DROP TABLE accounts; --"));
    orm_expr_free(e);

    e = parse_ok("note = 'a'' or ''1''=''1'", NULL);
    assert_cmp(e, ORM_OP_EQ, "note");
    assert_string_equal(arg(e, 1)->value.u.s.ptr, "a' or '1'='1");
    orm_expr_free(e);
}

static void test_filter__nodes_remember_their_positions(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("\"é\" = 1 and \"b\" in ('x', 'y')", NULL);
    assert_int_equal(e->pos, 9);         /* the 'and' */
    assert_int_equal(arg(e, 0)->pos, 5); /* '=' */
    assert_int_equal(arg(arg(e, 0), 0)->pos, 1);
    assert_int_equal(arg(arg(e, 0), 1)->pos, 7);
    assert_int_equal(arg(e, 1)->pos, 17); /* 'in' */
    assert_int_equal(arg(arg(e, 1), 2)->pos, 26);
    orm_expr_free(e);
}

/* ------------------------------------------------------------------ */

static char *repeat(const char *piece, size_t n, const char *middle,
                    const char *closing)
{
    size_t lp = strlen(piece), lc = strlen(closing), lm = strlen(middle);
    char *s = malloc(n * (lp + lc) + lm + 1);
    assert_non_null(s);
    char *w = s;
    for (size_t i = 0; i < n; i++, w += lp)
        memcpy(w, piece, lp);
    memcpy(w, middle, lm);
    w += lm;
    for (size_t i = 0; i < n; i++, w += lc)
        memcpy(w, closing, lc);
    *w = '\0';
    return s;
}

static void test_filter__deep_nesting_is_refused_not_crashed(void **state)
{
    (void)state;
    orm_error err = ORM_ERROR_INIT;
    orm_expr *e = NULL;

    char *deep = repeat("(", 1000, "a = 1", ")");
    assert_int_equal(orm_filter_parse(&e, deep, NULL, &err), ORM_EPARSE);
    assert_null(e);
    assert_int_equal(err.position, 201);
    assert_string_equal(err.message,
                        "filter nested too deeply (more than 200 levels) at "
                        "201 (simplify the parentheses)");
    orm_error_clear(&err);
    free(deep);

    deep = repeat("not ", 1000, "a = 1", "");
    assert_int_equal(orm_filter_parse(&e, deep, NULL, &err), ORM_EPARSE);
    assert_int_equal(err.position, 801);
    orm_error_clear(&err);
    free(deep);

    deep = repeat("(", 100000, "", "");
    assert_int_equal(orm_filter_parse(&e, deep, NULL, &err), ORM_EPARSE);
    orm_error_clear(&err);
    free(deep);
}

static void test_filter__nesting_up_to_the_limit_works(void **state)
{
    (void)state;
    char *deep = repeat("(", 200, "a = 1", ")");
    orm_expr *e = parse_ok(deep, NULL);
    orm_expr *plain = parse_ok("a = 1", NULL);
    assert_true(orm_expr_equal(e, plain));
    orm_expr_free(e);
    orm_expr_free(plain);
    free(deep);

    deep = repeat("not (", 100, "a = 1", ")");
    check_round_trip(deep, NULL);
    free(deep);
}

static void test_filter__long_flat_chains_parse(void **state)
{
    (void)state;
    char *chain = repeat("a = 1 or ", 20000, "a = 1", "");
    orm_expr *e = parse_ok(chain, NULL);
    assert_int_equal(e->op, ORM_OP_OR);
    assert_int_equal(e->nargs, 20001);
    char *printed = print_ok(e);
    assert_string_equal(printed, chain);
    free(printed);
    orm_expr_free(e);
    free(chain);
}

/* ------------------------------------------------------------------ */

static orm_value value_of(const char *filter)
{
    orm_expr *e = parse_ok(filter, &Account);
    assert_int_equal(e->kind, ORM_EXPR_OP);
    assert_true(e->nargs >= 2);
    assert_int_equal(e->args[1]->kind, ORM_EXPR_VALUE);
    orm_value v = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_value_copy(&v, &e->args[1]->value), 0);
    orm_expr_free(e);
    return v;
}

static void test_filter__model_converts_literals_by_column_type(void **state)
{
    (void)state;
    orm_value v = value_of("id = 12");
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 12);

    v = value_of("id = '12'");
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 12);

    v = value_of("handle = 12");
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "12");
    orm_value_clear(&v);

    v = value_of("active = true");
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);
    v = value_of("active = 'no'");
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 0);
    v = value_of("active = 1");
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);

    /* Numeric stays exact text, never a double */
    v = value_of("price < 9.95");
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "9.95");
    orm_value_clear(&v);
    v = value_of("price < .5");
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "0.50");
    orm_value_clear(&v);

    v = value_of("born = '2024-01-31'");
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "2024-01-31");
    orm_value_clear(&v);

    /* a date against a timestamp means midnight */
    v = value_of("created > '2024-01-31'");
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "2024-01-31 00:00:00");
    orm_value_clear(&v);
    v = value_of("created > '2024-01-31T13:45'");
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "2024-01-31 13:45:00");
    orm_value_clear(&v);

    /* text operators keep their pattern as text */
    v = value_of("handle like '1%'");
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "1%");
    orm_value_clear(&v);
}

static void test_filter__model_converts_in_and_between_values(void **state)
{
    (void)state;
    orm_expr *e =
        parse_ok("id in (1, '2', 3) and id between '1' and 5", &Account);
    const orm_expr *in = arg(e, 0);
    assert_int_equal(in->nargs, 4);
    for (size_t i = 1; i < 4; i++) {
        assert_int_equal(in->args[i]->value.kind, ORM_VINT);
        assert_int_equal(in->args[i]->value.u.i, (int64_t)i);
    }
    const orm_expr *between = arg(e, 1);
    assert_int_equal(between->args[1]->value.kind, ORM_VINT);
    assert_int_equal(between->args[2]->value.kind, ORM_VINT);
    orm_expr_free(e);
}

static void test_filter__model_bare_names_match_any_case(void **state)
{
    (void)state;
    orm_expr *e = parse_ok("HANDLE = 'x' and \"odd name\" = 'y'", &Account);
    assert_string_equal(arg(arg(e, 0), 0)->column, "handle");
    assert_string_equal(arg(arg(e, 1), 0)->column, "odd name");
    orm_expr_free(e);
}

static const struct {
    const char *input;
    int code;
    size_t position;
    const char *message;
} model_bad[] = {
    {"hndle = 'x'", ORM_EPARSE, 1,
     "unknown column 'hndle' at 1 (did you mean 'handle'?)"},
    {"id = 1 and craeted > '2024-01-01'", ORM_EPARSE, 12,
     "unknown column 'craeted' at 12 (did you mean 'created'?)"},
    {"\"Handle\" = 'x'", ORM_EPARSE, 1,
     "unknown column 'Handle' at 1 (did you mean 'handle'?)"},
    {"zzz = 1", ORM_EPARSE, 1,
     "unknown column 'zzz' at 1 (columns: id, handle, active, price, born, "
     "created, note, \"odd name\")"},
    {"id = 'abc'", ORM_ETYPE, 6, "id: expected a whole number at 6"},
    {"id = 1.5", ORM_ETYPE, 6, "id: expected a whole number at 6"},
    {"handle = 'x' and id = 'abc'", ORM_ETYPE, 23,
     "id: expected a whole number at 23"},
    {"id in (1, 'two')", ORM_ETYPE, 11, "id: expected a whole number at 11"},
    {"active = 'maybe'", ORM_ETYPE, 10,
     "active: expected true or false at "
     "10"},
    {"born < 'yesterday'", ORM_ETYPE, 8,
     "born: expected a date like 2024-01-31 at 8"},
    {"id contains '1'", ORM_ETYPE, 4,
     "contains needs a text column; 'id' is Integer at 4"},
    {"price not like '1%'", ORM_ETYPE, 11,
     "like needs a text column; 'price' is Numeric at 11"},
    {"id = handle", ORM_EPARSE, 6,
     "expected a value after '=', found 'handle' at 6 (comparing two "
     "columns is not supported; for text write 'handle')"},
    {"handle = alice", ORM_EPARSE, 10,
     "expected a value after '=', found 'alice' at 10 (text needs single "
     "quotes: 'alice')"},
    {"handle = '123456789012345678901234567890123456789012345678901'",
     ORM_ETYPE, 10, "handle: at most 50 characters (got 51) at 10"},
};

static void test_filter__model_errors_name_column_and_position(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof model_bad / sizeof model_bad[0]; i++) {
        orm_expr *e = NULL;
        orm_error err = ORM_ERROR_INIT;
        int rc = orm_filter_parse(&e, model_bad[i].input, &Account, &err);
        if (rc != model_bad[i].code)
            fail_msg("[%s]: code %d, expected %d (%s)", model_bad[i].input, rc,
                     model_bad[i].code, orm_error_text(&err));
        if (!err.message || strcmp(err.message, model_bad[i].message) != 0)
            fail_msg("[%s]: message\n  [%s]\nexpected\n  [%s]",
                     model_bad[i].input, err.message ? err.message : "(null)",
                     model_bad[i].message);
        assert_int_equal(err.position, model_bad[i].position);
        assert_null(e);
        orm_error_clear(&err);
    }
}

static void test_filter__type_errors_set_the_column(void **state)
{
    (void)state;
    orm_expr *e = NULL;
    orm_error err = ORM_ERROR_INIT;
    assert_int_equal(orm_filter_parse(&e, "id = 'abc'", &Account, &err),
                     ORM_ETYPE);
    assert_non_null(err.column);
    assert_string_equal(err.column, "id");
    orm_error_clear(&err);
}

static void test_filter__model_round_trips(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "id = 12 and handle = 'it''s'",
        "price between 1 and 9.5 or price is null",
        "created > '2024-01-31' and born <= '2024-02-01'",
        "active = 'yes' or active = false",
        "\"odd name\" icontains '%_\"'",
        "not (note like '%x%' or id in (1, 2, 3))",
        "id not in (1) and id not between 5 and 6",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        check_round_trip(inputs[i], &Account);
    /* typed values print quoted and convert back */
    orm_expr *e = parse_ok("price < 9.5 and created > '2024-01-31'", &Account);
    char *printed = print_ok(e);
    assert_string_equal(printed,
                        "price < '9.50' and created > '2024-01-31 00:00:00'");
    free(printed);
    orm_expr_free(e);
}

/* ------------------------------------------------------------------ */

static void test_filter__literal_parses_one_value(void **state)
{
    (void)state;
    orm_value v;
    orm_error err = ORM_ERROR_INIT;

    assert_int_equal(orm_filter_parse_literal(&v, " 'it''s' ", NULL, &err), 0);
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "it's");
    orm_value_clear(&v);

    assert_int_equal(orm_filter_parse_literal(&v, "12", NULL, &err), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 12);

    assert_int_equal(orm_filter_parse_literal(&v, "-1.5", NULL, &err), 0);
    assert_int_equal(v.kind, ORM_VFLOAT);
    assert_true(v.u.f == -1.5);

    assert_int_equal(orm_filter_parse_literal(&v, "TRUE", NULL, &err), 0);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 1);

    assert_int_equal(orm_filter_parse_literal(&v, "false", NULL, &err), 0);
    assert_int_equal(v.kind, ORM_VBOOL);
    assert_int_equal(v.u.b, 0);

    assert_int_equal(orm_filter_parse_literal(&v, "null", NULL, &err), 0);
    assert_int_equal(v.kind, ORM_VNULL);
}

static void test_filter__literal_converts_by_column(void **state)
{
    (void)state;
    orm_value v;
    orm_error err = ORM_ERROR_INIT;

    assert_int_equal(
        orm_filter_parse_literal(&v, "'12'", &account_columns[0], &err), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 12);

    /* null stays null whatever the column */
    assert_int_equal(
        orm_filter_parse_literal(&v, "NULL", &account_columns[0], &err), 0);
    assert_int_equal(v.kind, ORM_VNULL);

    assert_int_equal(
        orm_filter_parse_literal(&v, "12.5", &account_columns[3], &err), 0);
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "12.50");
    orm_value_clear(&v);

    assert_int_equal(
        orm_filter_parse_literal(&v, "'2024-01-31'", &account_columns[4], &err),
        0);
    assert_int_equal(v.kind, ORM_VTEXT);
    assert_string_equal(v.u.s.ptr, "2024-01-31");
    orm_value_clear(&v);

    assert_int_equal(
        orm_filter_parse_literal(&v, "'abc'", &account_columns[0], &err),
        ORM_ETYPE);
    assert_string_equal(err.message, "id: expected a whole number at 1");
    assert_int_equal(err.position, 1);
    assert_int_equal(v.kind, ORM_VNULL);
    orm_error_clear(&err);
}

static void test_filter__literal_errors(void **state)
{
    (void)state;
    static const struct {
        const char *input;
        size_t position;
        const char *message;
    } cases[] = {
        {"", 1,
         "expected a value at 1 (write 'text', a number, true, false "
         "or null)"},
        {"12 13", 4,
         "unexpected '13' after the value at 4 (a single value "
         "is expected here)"},
        {"alice", 1,
         "expected a value, found 'alice' at 1 (text needs "
         "single quotes: 'alice')"},
        {"'open", 1, "unterminated string starting at 1"},
        {"=", 1, "expected a value, found '=' at 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_value v;
        orm_error err = ORM_ERROR_INIT;
        int rc = orm_filter_parse_literal(&v, cases[i].input, NULL, &err);
        if (rc != ORM_EPARSE || !err.message ||
            strcmp(err.message, cases[i].message) != 0)
            fail_msg("[%s]: rc %d message [%s], expected [%s]", cases[i].input,
                     rc, err.message ? err.message : "(null)",
                     cases[i].message);
        assert_int_equal(err.position, cases[i].position);
        assert_int_equal(v.kind, ORM_VNULL);
        orm_error_clear(&err);
    }
}

/* ------------------------------------------------------------------ */

static void test_filter__prints_built_trees(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {0x00, 0x01, 0xff};
    orm_value blob = orm_value_blob(bytes, sizeof bytes);
    orm_value f = orm_value_float(3.0);
    orm_value tiny = orm_value_float(1e-300);
    orm_expr *e = orm_and(orm_and(orm_eq(orm_col("data"), orm_val(&blob)),
                                  orm_eq(orm_col("f"), orm_val(&f))),
                          orm_or(orm_eq(orm_col("note"), orm_null()),
                                 orm_ne(orm_col("g"), orm_val(&tiny))));
    assert_non_null(e);
    char *printed = print_ok(e);
    assert_string_equal(printed, "data = '\\x0001ff' and f = 3.0 and "
                                 "(note is null or g != 1e-300)");
    free(printed);
    orm_expr_free(e);
    assert_null(orm_filter_print(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter__good_inputs_print_canonically),
        cmocka_unit_test(test_filter__print_then_parse_gives_equal_tree),
        cmocka_unit_test(
            test_filter__bad_inputs_give_code_position_and_message),
        cmocka_unit_test(test_filter__null_arguments_are_invalid),
        cmocka_unit_test(test_filter__and_binds_tighter_than_or),
        cmocka_unit_test(test_filter__not_binds_tighter_than_and),
        cmocka_unit_test(test_filter__chains_flatten_into_one_node),
        cmocka_unit_test(test_filter__keywords_are_case_insensitive),
        cmocka_unit_test(test_filter__and_inside_between_is_not_logical_and),
        cmocka_unit_test(test_filter__not_in_is_not_of_in),
        cmocka_unit_test(
            test_filter__literals_keep_natural_kinds_without_model),
        cmocka_unit_test(test_filter__injection_text_is_one_string_value),
        cmocka_unit_test(test_filter__nodes_remember_their_positions),
        cmocka_unit_test(test_filter__deep_nesting_is_refused_not_crashed),
        cmocka_unit_test(test_filter__nesting_up_to_the_limit_works),
        cmocka_unit_test(test_filter__long_flat_chains_parse),
        cmocka_unit_test(test_filter__model_converts_literals_by_column_type),
        cmocka_unit_test(test_filter__model_converts_in_and_between_values),
        cmocka_unit_test(test_filter__model_bare_names_match_any_case),
        cmocka_unit_test(test_filter__model_errors_name_column_and_position),
        cmocka_unit_test(test_filter__type_errors_set_the_column),
        cmocka_unit_test(test_filter__model_round_trips),
        cmocka_unit_test(test_filter__literal_parses_one_value),
        cmocka_unit_test(test_filter__literal_converts_by_column),
        cmocka_unit_test(test_filter__literal_errors),
        cmocka_unit_test(test_filter__prints_built_trees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
