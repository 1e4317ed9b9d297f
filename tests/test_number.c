/*
 * Tests for numbers as text (orm/src/number.c): the shortest text that
 * reads back exactly, its three layouts, strict parsing of doubles and
 * integers, all under a comma-decimal locale a host program may choose.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_locale.h"
#include "orm/sys/number.h"

/* Each test runs in the German locale and puts the previous one back. */
static int comma_locale(void **state)
{
    *state = helper_locale_comma();
    return 0;
}

static int restore_locale(void **state)
{
    helper_locale_restore(*state);
    return 0;
}

static void test_number__shortest_text_in_each_style(void **state)
{
    (void)state;
    static const struct {
        double d;
        const char *shortest, *decimal, *plain;
    } cases[] = {
        {7.75, "7.75", "7.75", "7.75"},
        {9.95, "9.95", "9.95", "9.95"},
        {-0.1, "-0.1", "-0.1", "-0.1"},
        {2.0, "2", "2.0", "2"},
        {0.0, "0", "0.0", "0"},
        {-0.0, "-0", "-0.0", "0"},
        {1.0 / 3.0, "0.3333333333333333", "0.3333333333333333",
         "0.3333333333333333"},
        {0.30000000000000004, "0.30000000000000004", "0.30000000000000004",
         "0.30000000000000004"},
        {123456.789, "123456.789", "123456.789", "123456.789"},
        {0.0001, "0.0001", "0.0001", "0.0001"},
        {0.00001, "1e-05", "1e-05", "0.00001"},
        {1.5e10, "15000000000", "15000000000.0", "15000000000"},
        {1e15, "1e+15", "1e+15", "1000000000000000"},
        {1e22, "1e+22", "1e+22", "10000000000000000000000"},
        {1.25e-7, "1.25e-07", "1.25e-07", "0.000000125"},
        {1e-300, "1e-300", "1e-300", "1e-300"},
        {-1.5e300, "-1.5e+300", "-1.5e+300", "-1.5e+300"},
        {5e-324, "5e-324", "5e-324", "5e-324"},
        {DBL_MAX, "1.7976931348623157e+308", "1.7976931348623157e+308",
         "1.7976931348623157e+308"},
        {INFINITY, "inf", "inf", "inf"},
        {-INFINITY, "-inf", "-inf", "-inf"},
        {NAN, "nan", "nan", "nan"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[ORM_DOUBLE_TEXT_MAX];
        size_t len = orm_double_text(out, cases[i].d, ORM_DOUBLE_SHORT);
        assert_string_equal(out, cases[i].shortest);
        assert_int_equal(len, strlen(out));
        orm_double_text(out, cases[i].d, ORM_DOUBLE_DECIMAL);
        assert_string_equal(out, cases[i].decimal);
        orm_double_text(out, cases[i].d, ORM_DOUBLE_PLAIN);
        assert_string_equal(out, cases[i].plain);
    }
}

/* Doubles from every binade, normal and subnormal: each text reads back
 * as the same double, and no shorter precision would. */
static void test_number__every_text_reads_back_exactly(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d))
            continue;
        for (int style = ORM_DOUBLE_SHORT; style <= ORM_DOUBLE_PLAIN; style++) {
            char out[ORM_DOUBLE_TEXT_MAX];
            double back = 0;
            size_t len = orm_double_text(out, d, (orm_double_style)style);
            assert_true(len < ORM_DOUBLE_TEXT_MAX);
            assert_null(strchr(out, ','));
            assert_int_equal(orm_double_parse(&back, out, len), 0);
            if (back != d)
                fail_msg("%a became '%s', read back as %a", d, out, back);
        }
        /* shortest: one significant digit fewer does not read back */
        char out[ORM_DOUBLE_TEXT_MAX], fewer[40];
        orm_double_text(out, d, ORM_DOUBLE_SHORT);
        int digits = 0;
        for (const char *p = out; *p && *p != 'e'; p++)
            digits += *p >= '0' && *p <= '9';
        if (digits > 1 && fabs(d) >= DBL_MIN) {
            snprintf(fewer, sizeof fewer, "%.*e", digits - 2, d);
            setlocale(LC_NUMERIC, "C");
            double shorter = strtod(fewer, NULL);
            setlocale(LC_NUMERIC, "de_DE.UTF-8");
            if (shorter == d)
                fail_msg("%s is not the shortest for %a (%s is)", out, d,
                         fewer);
        }
    }
}

static void test_number__single_precision_text(void **state)
{
    (void)state;
    static const struct {
        float f;
        const char *want;
    } cases[] = {
        {0.1f, "0.1"},
        {7.75f, "7.75"},
        {-9.95f, "-9.95"},
        {16777216.0f, "16777216"},
        {1e-30f, "1e-30"},
        {3.4028235e38f, "3.4028235e+38"},
        {1.0f / 3.0f, "0.33333334"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[ORM_DOUBLE_TEXT_MAX];
        double back = 0;
        size_t len =
            orm_float32_text(out, (double)cases[i].f, ORM_DOUBLE_SHORT);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(orm_double_parse(&back, out, len), 0);
        assert_true((float)back == cases[i].f);
    }
}

static void test_number__fixed_decimals(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(orm_double_fixed(out, sizeof out, 9.95, 2), 4);
    assert_string_equal(out, "9.95");
    orm_double_fixed(out, sizeof out, -0.125, 1);
    assert_string_equal(out, "-0.1");
    orm_double_fixed(out, sizeof out, 1234567.5, 0);
    assert_string_equal(out, "1234568");
    assert_int_equal(orm_double_fixed(out, 4, 9.95, 2), 0);
    assert_string_equal(out, "");
    assert_int_equal(orm_double_fixed(out, sizeof out, 1.0, 31), 0);
}

static void test_number__doubles_parse_with_a_point_only(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        double want;
    } cases[] = {
        {"7.75", 0, 7.75},         {"-0.1", 0, -0.1},
        {"+9.95", 0, 9.95},        {".5", 0, 0.5},
        {"1e-300", 0, 1e-300},     {"1E300", 0, 1e300},
        {"Infinity", 0, INFINITY}, {"-inf", 0, -INFINITY},
        {"1e-400", 0, 0.0}, /* below the smallest: the nearest, 0 */
        {"1e400", 1, INFINITY},    {"-1e400", 1, -INFINITY},
        {"7,75", ORM_ETYPE, 0},    {"1.234,5", ORM_ETYPE, 0},
        {"", ORM_ETYPE, 0},        {" 1", ORM_ETYPE, 0},
        {"1 ", ORM_ETYPE, 0},      {"1x", ORM_ETYPE, 0},
        {"zwölf", ORM_ETYPE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double d = -1;
        int rc = orm_double_parse(&d, cases[i].text, strlen(cases[i].text));
        if (rc != cases[i].rc)
            fail_msg("'%s': rc %d, want %d", cases[i].text, rc, cases[i].rc);
        if (rc != ORM_ETYPE && d != cases[i].want)
            fail_msg("'%s' read as %g", cases[i].text, d);
    }
    /* only the given bytes count, and a long text is not cut */
    double d = 0;
    assert_int_equal(orm_double_parse(&d, "12.5abc", 4), 0);
    assert_true(d == 12.5);
    assert_int_equal(orm_double_parse(&d,
                                      "1\0"
                                      "5",
                                      3),
                     ORM_ETYPE);
    char longer[300];
    memset(longer, '0', sizeof longer);
    longer[0] = '0';
    longer[1] = '.';
    longer[sizeof longer - 1] = '5';
    assert_int_equal(orm_double_parse(&d, longer, sizeof longer), 0);
    assert_true(d > 0 && d < 1e-290);
}

static void test_number__integers_to_the_int64_ends(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        int64_t want;
    } cases[] = {
        {"0", 0, 0},
        {"-0", 0, 0},
        {"+42", 0, 42},
        {"123456789012345678", 0, 123456789012345678},
        {"9223372036854775807", 0, INT64_MAX},
        {"-9223372036854775808", 0, INT64_MIN},
        {"000000000000000000000000017", 0, 17},
        {"9223372036854775808", 1, 0},
        {"-9223372036854775809", 1, 0},
        {"99999999999999999999", 1, 0},
        {"", ORM_ETYPE, 0},
        {"-", ORM_ETYPE, 0},
        {"1.0", ORM_ETYPE, 0},
        {"1e3", ORM_ETYPE, 0},
        {" 1", ORM_ETYPE, 0},
        {"１２", ORM_ETYPE, 0}, /* fullwidth digits are not digits here */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = -1;
        int rc = orm_int_parse(&v, cases[i].text, strlen(cases[i].text));
        if (rc != cases[i].rc)
            fail_msg("'%s': rc %d, want %d", cases[i].text, rc, cases[i].rc);
        if (rc == 0 && v != cases[i].want)
            fail_msg("'%s' read as %lld", cases[i].text, (long long)v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name)                                                                \
    cmocka_unit_test_setup_teardown(name, comma_locale, restore_locale)
        T(test_number__shortest_text_in_each_style),
        T(test_number__every_text_reads_back_exactly),
        T(test_number__single_precision_text),
        T(test_number__fixed_decimals),
        T(test_number__doubles_parse_with_a_point_only),
        T(test_number__integers_to_the_int64_ends),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
