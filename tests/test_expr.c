/*
 * Tests for expression trees (orm/src/expr.c): builders and their
 * ownership rules, NULL propagation, AND/OR flattening, copy, equality
 * and the operator table. Run under valgrind to catch leaks on the
 * failure paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "orm/expr.h"

static void test_expr__leaves_hold_what_they_were_given(void **state)
{
    (void)state;
    orm_expr *c = orm_col("handle");
    assert_non_null(c);
    assert_int_equal(c->kind, ORM_EXPR_COLUMN);
    assert_string_equal(c->column, "handle");
    assert_int_equal(c->nargs, 0);
    orm_expr_free(c);

    orm_expr *i = orm_int(-42);
    assert_int_equal(i->kind, ORM_EXPR_VALUE);
    assert_int_equal(i->value.kind, ORM_VINT);
    assert_int_equal(i->value.u.i, -42);
    orm_expr_free(i);

    orm_expr *n = orm_null();
    assert_int_equal(n->value.kind, ORM_VNULL);
    orm_expr_free(n);
}

static void test_expr__val_and_str_copy_the_bytes(void **state)
{
    (void)state;
    char text[] = "alice";
    orm_value borrowed = orm_value_text(text);
    orm_expr *v = orm_val(&borrowed);
    orm_expr *s = orm_str(text);
    text[0] = 'X'; /* the caller's buffer changes afterwards */
    assert_string_equal(v->value.u.s.ptr, "alice");
    assert_string_equal(s->value.u.s.ptr, "alice");
    assert_int_equal(v->value.u.s.len, 5);
    /* The copy lives in the node itself, not in the caller's buffer. */
    assert_ptr_not_equal(v->value.u.s.ptr, text);
    assert_ptr_not_equal(s->value.u.s.ptr, text);
    orm_expr_free(v);
    orm_expr_free(s);
}

static void test_expr__null_argument_gives_null_and_frees_the_rest(void **state)
{
    (void)state;
    /* valgrind proves the surviving arguments are freed */
    assert_null(orm_eq(orm_col("a"), NULL));
    assert_null(orm_eq(NULL, orm_int(1)));
    assert_null(orm_between(orm_col("a"), orm_int(1), NULL));
    assert_null(orm_and(orm_eq(orm_col("a"), orm_int(1)), NULL));
    assert_null(orm_or(NULL, orm_eq(orm_col("a"), orm_int(1))));
    assert_null(orm_not(NULL));
    assert_null(orm_is_null(NULL));
    assert_null(orm_col(NULL));
    assert_null(orm_str(NULL));
    assert_null(orm_val(NULL));

    orm_expr *values[3] = {orm_int(1), NULL, orm_int(3)};
    assert_null(orm_in(orm_col("id"), values, 3));
    orm_expr *more[2] = {orm_int(1), orm_int(2)};
    assert_null(orm_in(NULL, more, 2));

    /* a NULL deep inside a whole tree surfaces at the top, once */
    orm_expr *e = orm_or(orm_and(orm_eq(orm_col("a"), orm_int(1)),
                                 orm_like(orm_col("b"), orm_str(NULL))),
                         orm_is_null(orm_col("c")));
    assert_null(e);
}

static void test_expr__in_takes_the_nodes_not_the_array(void **state)
{
    (void)state;
    orm_expr **values = malloc(3 * sizeof *values);
    assert_non_null(values);
    values[0] = orm_int(1);
    values[1] = orm_int(2);
    values[2] = orm_int(3);
    orm_expr *e = orm_in(orm_col("id"), values, 3);
    free(values); /* the caller keeps the array */
    assert_non_null(e);
    assert_int_equal(e->op, ORM_OP_IN);
    assert_int_equal(e->nargs, 4);
    assert_string_equal(e->args[0]->column, "id");
    assert_int_equal(e->args[3]->value.u.i, 3);
    orm_expr_free(e);
}

static void test_expr__and_or_flatten_same_operator_children(void **state)
{
    (void)state;
    orm_expr *a = orm_eq(orm_col("a"), orm_int(1));
    orm_expr *b = orm_eq(orm_col("b"), orm_int(2));
    orm_expr *c = orm_eq(orm_col("c"), orm_int(3));
    orm_expr *d = orm_eq(orm_col("d"), orm_int(4));
    orm_expr *e = orm_and(orm_and(a, b), orm_and(c, d));
    assert_non_null(e);
    assert_int_equal(e->op, ORM_OP_AND);
    assert_int_equal(e->nargs, 4);
    assert_string_equal(e->args[0]->args[0]->column, "a");
    assert_string_equal(e->args[3]->args[0]->column, "d");

    char *text = orm_filter_print(e);
    assert_string_equal(text, "a = 1 and b = 2 and c = 3 and d = 4");
    free(text);
    orm_expr_free(e);
}

static void test_expr__and_keeps_or_children_whole(void **state)
{
    (void)state;
    orm_expr *e = orm_and(orm_or(orm_eq(orm_col("a"), orm_int(1)),
                                 orm_eq(orm_col("b"), orm_int(2))),
                          orm_eq(orm_col("c"), orm_int(3)));
    assert_int_equal(e->op, ORM_OP_AND);
    assert_int_equal(e->nargs, 2);
    assert_int_equal(e->args[0]->op, ORM_OP_OR);
    char *text = orm_filter_print(e);
    assert_string_equal(text, "(a = 1 or b = 2) and c = 3");
    free(text);
    orm_expr_free(e);
}

static void test_expr__copy_is_deep_and_equal(void **state)
{
    (void)state;
    orm_expr *values[2] = {orm_str("x"), orm_str("y")};
    orm_expr *e =
        orm_or(orm_not(orm_in(orm_col("handle"), values, 2)),
               orm_and(orm_between(orm_col("id"), orm_int(1), orm_int(9)),
                       orm_is_not_null(orm_col("note"))));
    assert_non_null(e);
    e->pos = 3;
    orm_expr *copy = orm_expr_copy(e);
    assert_non_null(copy);
    assert_true(orm_expr_equal(e, copy));
    assert_int_equal(copy->pos, 3);
    /* nothing is shared */
    assert_ptr_not_equal(copy->args[0], e->args[0]);
    assert_ptr_not_equal(copy->args[0]->args[0]->args[1]->value.u.s.ptr,
                         e->args[0]->args[0]->args[1]->value.u.s.ptr);
    orm_expr_free(e);
    char *text = orm_filter_print(copy);
    assert_string_equal(text, "handle not in ('x', 'y') or "
                              "id between 1 and 9 and note is not null");
    free(text);
    orm_expr_free(copy);
    assert_null(orm_expr_copy(NULL));
}

static void test_expr__equal_compares_everything_but_position(void **state)
{
    (void)state;
    orm_expr *a = orm_eq(orm_col("a"), orm_int(1));
    orm_expr *same = orm_eq(orm_col("a"), orm_int(1));
    orm_expr *other_col = orm_eq(orm_col("b"), orm_int(1));
    orm_expr *other_op = orm_ne(orm_col("a"), orm_int(1));
    orm_expr *other_val = orm_eq(orm_col("a"), orm_int(2));
    orm_expr *other_kind = orm_eq(orm_col("a"), orm_str("1"));
    same->pos = 99;
    assert_true(orm_expr_equal(a, same));
    assert_false(orm_expr_equal(a, other_col));
    assert_false(orm_expr_equal(a, other_op));
    assert_false(orm_expr_equal(a, other_val));
    assert_false(orm_expr_equal(a, other_kind));
    assert_false(orm_expr_equal(a, NULL));
    assert_true(orm_expr_equal(NULL, NULL));
    orm_expr_free(a);
    orm_expr_free(same);
    orm_expr_free(other_col);
    orm_expr_free(other_op);
    orm_expr_free(other_val);
    orm_expr_free(other_kind);
}

static void test_expr__generic_builder_checks_arity(void **state)
{
    (void)state;
    orm_expr *one[1] = {orm_col("a")};
    assert_null(orm_expr_op(ORM_OP_EQ, one, 1)); /* EQ needs two */
    orm_expr *three[3] = {orm_col("a"), orm_int(1), orm_int(2)};
    assert_null(orm_expr_op(ORM_OP_NOT, three, 3));
    orm_expr *two[2] = {orm_col("a"), orm_int(1)};
    assert_null(orm_expr_op(ORM_OP_COUNT, two, 2));
    assert_null(orm_expr_op(ORM_OP_AND, NULL, 0));

    orm_expr *ok[2] = {orm_col("a"), orm_int(1)};
    orm_expr *e = orm_expr_op(ORM_OP_GE, ok, 2);
    assert_non_null(e);
    assert_int_equal(e->op, ORM_OP_GE);
    orm_expr_free(e);

    /* AND of a single condition is that condition */
    orm_expr *single[1] = {orm_is_null(orm_col("a"))};
    e = orm_expr_op(ORM_OP_AND, single, 1);
    assert_non_null(e);
    assert_int_equal(e->op, ORM_OP_IS_NULL);
    orm_expr_free(e);
}

static void test_expr__op_table_matches_the_language(void **state)
{
    (void)state;
    assert_string_equal(orm_op_text(ORM_OP_EQ), "=");
    assert_string_equal(orm_op_text(ORM_OP_NE), "!=");
    assert_string_equal(orm_op_text(ORM_OP_ISTARTSWITH), "istartswith");
    assert_string_equal(orm_op_text(ORM_OP_IS_NOT_NULL), "is not null");
    assert_string_equal(orm_op_text(ORM_OP_COUNT), "?");
    assert_int_equal(orm_op_arity(ORM_OP_BETWEEN), 3);
    assert_int_equal(orm_op_arity(ORM_OP_IN), -1);
    assert_int_equal(orm_op_arity(ORM_OP_NOT), 1);
    assert_int_equal(orm_op_arity(ORM_OP_LIKE), 2);
    assert_int_equal(orm_op_arity(ORM_OP_COUNT), 0);
}

static void test_expr__every_builder_makes_its_operator(void **state)
{
    (void)state;
    static const struct {
        orm_expr *(*build)(orm_expr *, orm_expr *);
        orm_op op;
        const char *printed;
    } cases[] = {
        {orm_eq, ORM_OP_EQ, "c = 'v'"},
        {orm_ne, ORM_OP_NE, "c != 'v'"},
        {orm_lt, ORM_OP_LT, "c < 'v'"},
        {orm_le, ORM_OP_LE, "c <= 'v'"},
        {orm_gt, ORM_OP_GT, "c > 'v'"},
        {orm_ge, ORM_OP_GE, "c >= 'v'"},
        {orm_like, ORM_OP_LIKE, "c like 'v'"},
        {orm_ilike, ORM_OP_ILIKE, "c ilike 'v'"},
        {orm_contains, ORM_OP_CONTAINS, "c contains 'v'"},
        {orm_startswith, ORM_OP_STARTSWITH, "c startswith 'v'"},
        {orm_endswith, ORM_OP_ENDSWITH, "c endswith 'v'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_expr *e = cases[i].build(orm_col("c"), orm_str("v"));
        assert_non_null(e);
        assert_int_equal(e->op, cases[i].op);
        char *text = orm_filter_print(e);
        assert_string_equal(text, cases[i].printed);
        free(text);
        orm_expr_free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expr__leaves_hold_what_they_were_given),
        cmocka_unit_test(test_expr__val_and_str_copy_the_bytes),
        cmocka_unit_test(
            test_expr__null_argument_gives_null_and_frees_the_rest),
        cmocka_unit_test(test_expr__in_takes_the_nodes_not_the_array),
        cmocka_unit_test(test_expr__and_or_flatten_same_operator_children),
        cmocka_unit_test(test_expr__and_keeps_or_children_whole),
        cmocka_unit_test(test_expr__copy_is_deep_and_equal),
        cmocka_unit_test(test_expr__equal_compares_everything_but_position),
        cmocka_unit_test(test_expr__generic_builder_checks_arity),
        cmocka_unit_test(test_expr__op_table_matches_the_language),
        cmocka_unit_test(test_expr__every_builder_makes_its_operator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
