/*
 * Tests for typed text <-> value conversion (orm/src/convert.c): what a
 * user may type into each kind of field, the exact message shown when it
 * is wrong, display formatting, checks before sending, read-back
 * normalization per dialect, and default generators.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orm/model.h"
#include "orm/sys/buf.h"
#include "orm/sys/datetime.h"

/* A column of `type`, named after the field a form would show. */
static orm_column column(orm_type type)
{
    orm_column col;
    memset(&col, 0, sizeof col);
    col.name = "field";
    col.type = type;
    return col;
}

static orm_column string_column(int length)
{
    orm_column col = column(ORM_STRING);
    col.length = length;
    return col;
}

static orm_column numeric_column(int precision, int scale)
{
    orm_column col = column(ORM_NUMERIC);
    col.precision = precision;
    col.scale = scale;
    return col;
}

/*
 * Parse `text` for `col` and return what a user would see: the formatted
 * value on success, "error: <message>" on failure (after checking that
 * the failure is ORM_ETYPE and names the column). Static buffer.
 */
static const char *parsed(const orm_column *col, const char *text)
{
    static char shown[1024];
    orm_value v = ORM_VALUE_NULL_INIT;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_value_parse(&v, col, text, &err);
    if (rc == 0) {
        char *s = orm_value_format(&v, col);
        assert_non_null(s);
        assert_int_equal(v.kind, orm_type_kind(col->type));
        snprintf(shown, sizeof shown, "%s", s);
        free(s);
    } else {
        assert_int_equal(rc, ORM_ETYPE);
        assert_int_equal(err.code, ORM_ETYPE);
        assert_non_null(err.column);
        assert_string_equal(err.column, col->name);
        assert_int_equal(v.kind, ORM_VNULL);
        snprintf(shown, sizeof shown, "error: %s", err.message);
    }
    orm_value_clear(&v);
    orm_error_clear(&err);
    return shown;
}

/* orm_value_check's message, or "ok". Static buffer. */
static const char *checked(const orm_value *v, const orm_column *col)
{
    static char shown[512];
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_value_check(v, col, &err);
    if (rc == 0) {
        snprintf(shown, sizeof shown, "ok");
    } else {
        assert_non_null(err.column);
        assert_string_equal(err.column, col->name);
        snprintf(shown, sizeof shown, "%s: %s", orm_error_name(rc),
                 err.message);
    }
    orm_error_clear(&err);
    return shown;
}

static int is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* ---- exact text with a kind (orm_value_from_text) ---- */

/* format(v, NULL) then from_text(kind) gives v back, to the bit. */
static void assert_reads_back(orm_value v)
{
    orm_error err = ORM_ERROR_INIT;
    orm_value got;
    char *text = orm_value_format(&v, NULL);
    size_t len = text ? strlen(text) : 0;
    if (v.kind == ORM_VTEXT) /* NUL bytes: the format stops at one */
        len = v.u.s.len;
    if (orm_value_from_text(&got, v.kind,
                            v.kind == ORM_VTEXT ? v.u.s.ptr : text, len,
                            &err) != 0)
        fail_msg("'%s' does not read back: %s", text ? text : "NULL",
                 orm_error_text(&err));
    assert_int_equal(got.kind, v.kind);
    if (v.kind == ORM_VFLOAT && isnan(v.u.f))
        assert_true(isnan(got.u.f));
    else if (v.kind == ORM_VFLOAT)
        assert_memory_equal(&got.u.f, &v.u.f, sizeof v.u.f); /* -0 too */
    else if (!orm_value_equal(&got, &v))
        fail_msg("'%s' reads back as another value", text ? text : "NULL");
    free(text);
    orm_value_clear(&got);
    orm_error_clear(&err);
}

static void test_value__from_text_reads_every_kind_back_exactly(void **state)
{
    (void)state;
    assert_reads_back(orm_value_null());
    assert_reads_back(orm_value_int(INT64_MIN));
    assert_reads_back(orm_value_int(INT64_MAX));
    assert_reads_back(orm_value_int(0));
    assert_reads_back(orm_value_float(0.1 + 0.2));
    assert_reads_back(orm_value_float(-0.0));
    assert_reads_back(orm_value_float(5e-324));
    assert_reads_back(orm_value_float(1.7976931348623157e308));
    assert_reads_back(orm_value_float(HUGE_VAL));
    assert_reads_back(orm_value_float(-HUGE_VAL));
    assert_reads_back(orm_value_float(NAN));
    assert_reads_back(orm_value_bool(1));
    assert_reads_back(orm_value_bool(0));
    assert_reads_back(orm_value_text(""));
    assert_reads_back(orm_value_text("  Stra\xC3\x9F"
                                     "e \xE6\x97\xA5 \\x41  "));
    assert_reads_back(orm_value_textn("a\0b", 3));
    assert_reads_back(orm_value_blob("", 0));
    assert_reads_back(orm_value_blob("\0\xFF\x80z", 4));
}

static void test_value__from_text_refuses_text_of_another_kind(void **state)
{
    (void)state;
    orm_error err = ORM_ERROR_INIT;
    orm_value v;
    assert_int_equal(orm_value_from_text(&v, ORM_VINT, "12x", 3, &err),
                     ORM_ETYPE);
    assert_non_null(strstr(orm_error_text(&err), "12x"));
    assert_int_equal(
        orm_value_from_text(&v, ORM_VINT, "9223372036854775808", 19, &err),
        ORM_ETYPE);
    assert_int_equal(orm_value_from_text(&v, ORM_VFLOAT, "", 0, &err),
                     ORM_ETYPE);
    assert_int_equal(orm_value_from_text(&v, ORM_VBOOL, "yes", 3, &err),
                     ORM_ETYPE);
    assert_int_equal(orm_value_from_text(&v, ORM_VBLOB, "\\x4", 3, &err),
                     ORM_ETYPE);
    assert_int_equal(orm_value_from_text(&v, ORM_VBLOB, "ab", 2, &err),
                     ORM_ETYPE);
    assert_int_equal(v.kind, ORM_VNULL);
    orm_error_clear(&err);
}

/* ---- integers ---- */

static void
test_value__integer_accepts_sign_spaces_and_leading_zeros(void **state)
{
    (void)state;
    orm_column col = column(ORM_INTEGER);
    assert_string_equal(parsed(&col, "42"), "42");
    assert_string_equal(parsed(&col, " -42 "), "-42");
    assert_string_equal(parsed(&col, "+7"), "7");
    assert_string_equal(parsed(&col, "007"), "7");
    assert_string_equal(parsed(&col, "-0"), "0");
}

static void test_value__integer_accepts_its_bounds(void **state)
{
    (void)state;
    orm_column col = column(ORM_INTEGER);
    assert_string_equal(parsed(&col, "2147483647"), "2147483647");
    assert_string_equal(parsed(&col, "-2147483648"), "-2147483648");
}

static void test_value__integer_one_past_bounds_is_out_of_range(void **state)
{
    (void)state;
    orm_column col = column(ORM_INTEGER);
    assert_string_equal(parsed(&col, "2147483648"),
                        "error: out of range for Integer "
                        "(-2147483648 to 2147483647)");
    assert_string_equal(parsed(&col, "-2147483649"),
                        "error: out of range for Integer "
                        "(-2147483648 to 2147483647)");
}

static void test_value__smallint_is_16_bit(void **state)
{
    (void)state;
    orm_column col = column(ORM_SMALLINT);
    assert_string_equal(parsed(&col, "32767"), "32767");
    assert_string_equal(parsed(&col, "-32768"), "-32768");
    assert_string_equal(parsed(&col, "32768"),
                        "error: out of range for SmallInteger "
                        "(-32768 to 32767)");
    assert_string_equal(parsed(&col, "-32769"),
                        "error: out of range for SmallInteger "
                        "(-32768 to 32767)");
}

static void test_value__bigint_is_64_bit_and_overflow_is_reported(void **state)
{
    (void)state;
    orm_column col = column(ORM_BIGINT);
    const char *msg = "error: out of range for BigInteger "
                      "(-9223372036854775808 to 9223372036854775807)";
    assert_string_equal(parsed(&col, "9223372036854775807"),
                        "9223372036854775807");
    assert_string_equal(parsed(&col, "-9223372036854775808"),
                        "-9223372036854775808");
    assert_string_equal(parsed(&col, "9223372036854775808"), msg);
    assert_string_equal(parsed(&col, "-9223372036854775809"), msg);
    assert_string_equal(parsed(&col, "99999999999999999999999999"), msg);
}

static void test_value__integer_rejects_anything_but_digits(void **state)
{
    (void)state;
    orm_column col = column(ORM_INTEGER);
    const char *bad[] = {"12.5", "1e3", "abc", "12abc", "- 1",
                         "0x10", "+",   "1 2", "--1",   "1,000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(parsed(&col, bad[i]),
                            "error: expected a whole number");
}

/* ---- empty text and NULL ---- */

static void test_value__empty_text_is_required_for_non_text_types(void **state)
{
    (void)state;
    const orm_type types[] = {ORM_INTEGER,    ORM_BIGINT, ORM_SMALLINT,
                              ORM_BOOLEAN,    ORM_FLOAT,  ORM_NUMERIC,
                              ORM_DATE,       ORM_TIME,   ORM_DATETIME,
                              ORM_DATETIMETZ, ORM_JSON,   ORM_UUID};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        orm_column col = column(types[i]);
        assert_string_equal(parsed(&col, ""),
                            "error: a value is required (use NULL for none)");
        assert_string_equal(parsed(&col, "   "),
                            "error: a value is required (use NULL for none)");
    }
}

static void test_value__empty_text_is_a_value_not_null(void **state)
{
    (void)state;
    const orm_type types[] = {ORM_STRING, ORM_TEXT, ORM_BLOB};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        orm_column col = column(types[i]);
        orm_value v = ORM_VALUE_NULL_INIT;
        assert_int_equal(orm_value_parse(&v, &col, "", NULL), 0);
        assert_int_equal(v.kind, orm_type_kind(types[i]));
        assert_int_equal(v.u.s.len, 0);
        assert_false(orm_value_is_null(&v));
        orm_value_clear(&v);
    }
}

static void test_value__text_keeps_surrounding_spaces(void **state)
{
    (void)state;
    orm_column col = column(ORM_TEXT);
    assert_string_equal(parsed(&col, "  two words  "), "  two words  ");
}

/* ---- floats ---- */

static void test_value__float_accepts_decimals_and_exponents(void **state)
{
    (void)state;
    orm_column col = column(ORM_FLOAT);
    assert_string_equal(parsed(&col, "1.5"), "1.5");
    assert_string_equal(parsed(&col, " -2.25e3 "), "-2250");
    assert_string_equal(parsed(&col, "0.1"), "0.1");
    assert_string_equal(parsed(&col, ".5"), "0.5");
    assert_string_equal(parsed(&col, "5."), "5");
    assert_string_equal(parsed(&col, "+1E-3"), "0.001");
    assert_string_equal(parsed(&col, "0e-400"), "0");
    assert_string_equal(parsed(&col, "5e-324"), "5e-324");
}

/* NaN and infinity are not numbers anyone types, and the databases keep
 * them apart (SQLite stores NaN as NULL); 0x10 is not a decimal number;
 * a value too close to zero to store is out of range, not 0. */
static void test_value__float_refuses_nan_inf_hex_and_underflow(void **state)
{
    (void)state;
    orm_column col = column(ORM_FLOAT);
    orm_column real = {.name = "größe", .type = ORM_FLOAT, .precision = 24};
    const char *finite =
        "error: expected a finite number (NaN and infinity cannot be stored)";
    assert_string_equal(parsed(&col, "nan"), finite);
    assert_string_equal(parsed(&col, "NaN"), finite);
    assert_string_equal(parsed(&col, "inf"), finite);
    assert_string_equal(parsed(&col, "-Infinity"), finite);
    assert_string_equal(parsed(&col, "0x10"),
                        "error: expected a decimal number, not hexadecimal");
    assert_string_equal(parsed(&col, "1e"),
                        "error: expected a number like 12.5");
    assert_string_equal(parsed(&col, "."),
                        "error: expected a number like 12.5");
    assert_string_equal(parsed(&col, "1e-400"),
                        "error: out of range for Float");
    assert_string_equal(parsed(&col, "-1e-400"),
                        "error: out of range for Float");
    assert_string_equal(parsed(&real, "1e-50"),
                        "error: out of range for Float");
    assert_string_equal(parsed(&real, "1e39"), "error: out of range for Float");
    assert_string_equal(parsed(&real, "0.5"), "0.5");
}

static void test_value__float_rejects_trailing_junk(void **state)
{
    (void)state;
    orm_column col = column(ORM_FLOAT);
    assert_string_equal(parsed(&col, "1.5x"),
                        "error: expected a number like 12.5");
    assert_string_equal(parsed(&col, "one"),
                        "error: expected a number like 12.5");
    assert_string_equal(parsed(&col, "1.5 2"),
                        "error: expected a number like 12.5");
    /* A comma-decimal habit (45,6) is told the form that works. */
    assert_string_equal(parsed(&col, "45,6"),
                        "error: expected a number like 12.5");
}

static void test_value__float_overflow_is_out_of_range(void **state)
{
    (void)state;
    orm_column col = column(ORM_FLOAT);
    assert_string_equal(parsed(&col, "1e999"), "error: out of range for Float");
}

/* ---- decimals ---- */

static void test_value__numeric_pads_to_declared_scale(void **state)
{
    (void)state;
    orm_column col = numeric_column(10, 2);
    assert_string_equal(parsed(&col, "12.5"), "12.50");
    assert_string_equal(parsed(&col, "7"), "7.00");
    assert_string_equal(parsed(&col, ".5"), "0.50");
    assert_string_equal(parsed(&col, "5."), "5.00");
    assert_string_equal(parsed(&col, " +3.1 "), "3.10");
}

static void
test_value__numeric_drops_leading_zeros_and_negative_zero(void **state)
{
    (void)state;
    orm_column scaled = numeric_column(10, 2);
    orm_column plain = numeric_column(0, 0);
    assert_string_equal(parsed(&scaled, "007.50"), "7.50");
    assert_string_equal(parsed(&scaled, "-0"), "0.00");
    assert_string_equal(parsed(&scaled, "-0.00"), "0.00");
    assert_string_equal(parsed(&scaled, "-000.10"), "-0.10");
    assert_string_equal(parsed(&plain, "-0"), "0");
    assert_string_equal(parsed(&plain, "000"), "0");
}

static void test_value__numeric_never_rounds_extra_decimals(void **state)
{
    (void)state;
    orm_column two = numeric_column(10, 2);
    orm_column one = numeric_column(10, 1);
    orm_column none = numeric_column(10, 0);
    assert_string_equal(parsed(&two, "1.234"),
                        "error: at most 2 decimal places");
    assert_string_equal(parsed(&two, "1.005"),
                        "error: at most 2 decimal places");
    assert_string_equal(parsed(&one, "1.25"), "error: at most 1 decimal place");
    assert_string_equal(parsed(&none, "1.5"), "error: expected a whole number");
}

static void test_value__numeric_extra_zero_decimals_lose_nothing(void **state)
{
    (void)state;
    orm_column col = numeric_column(10, 2);
    assert_string_equal(parsed(&col, "1.500"), "1.50");
    assert_string_equal(parsed(&col, "3.000000"), "3.00");
}

static void test_value__numeric_limits_integer_digits_to_p_minus_s(void **state)
{
    (void)state;
    orm_column col = numeric_column(10, 2);
    orm_column whole = numeric_column(3, 0);
    assert_string_equal(parsed(&col, "12345678.99"), "12345678.99");
    assert_string_equal(parsed(&col, "-12345678"), "-12345678.00");
    assert_string_equal(parsed(&col, "123456789"),
                        "error: too many digits for Numeric(10,2)");
    assert_string_equal(parsed(&col, "000012345678.5"), "12345678.50");
    assert_string_equal(parsed(&whole, "999"), "999");
    assert_string_equal(parsed(&whole, "1000"),
                        "error: too many digits for Numeric(3)");
}

static void test_value__numeric_is_exact_beyond_double_precision(void **state)
{
    (void)state;
    orm_column col = numeric_column(30, 5);
    assert_string_equal(parsed(&col, "12345678901234567890.12345"),
                        "12345678901234567890.12345");
    assert_string_equal(parsed(&col, "-12345678901234567890.1"),
                        "-12345678901234567890.10000");
}

static void
test_value__numeric_without_precision_trims_trailing_zeros(void **state)
{
    (void)state;
    orm_column col = numeric_column(0, 0);
    assert_string_equal(parsed(&col, "1.2300"), "1.23");
    assert_string_equal(parsed(&col, "5.000"), "5");
    assert_string_equal(parsed(&col, "-0.0"), "0");
    assert_string_equal(parsed(&col, "0.000123"), "0.000123");
    assert_string_equal(parsed(&col, "123456789012345678901234567890"),
                        "123456789012345678901234567890");
}

static void test_value__numeric_rejects_exponents_and_junk(void **state)
{
    (void)state;
    orm_column col = numeric_column(10, 2);
    const char *bad[] = {"1e5", "1.2.3", "abc",   ".",    "-",
                         "+.",  "1,5",   "12 34", "0x10", "NaN"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(parsed(&col, bad[i]),
                            "error: expected a decimal number like 12.34");
}

/* ---- booleans ---- */

static void test_value__boolean_accepts_common_words_in_any_case(void **state)
{
    (void)state;
    orm_column col = column(ORM_BOOLEAN);
    const char *truths[] = {"true", "TRUE", "yes", "On",
                            "t",    "Y",    "1",   " true "};
    const char *lies[] = {"false", "False", "no", "OFF", "f", "n", "0"};
    for (size_t i = 0; i < sizeof truths / sizeof truths[0]; i++)
        assert_string_equal(parsed(&col, truths[i]), "true");
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++)
        assert_string_equal(parsed(&col, lies[i]), "false");
}

static void test_value__boolean_rejects_other_words(void **state)
{
    (void)state;
    orm_column col = column(ORM_BOOLEAN);
    const char *bad[] = {"maybe", "2", "yess", "tr", "-1", "nope"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(parsed(&col, bad[i]),
                            "error: expected true or false");
}

/* ---- dates and times ---- */

static void
test_value__date_accepts_real_dates_including_leap_days(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATE);
    assert_string_equal(parsed(&col, "2024-01-31"), "2024-01-31");
    assert_string_equal(parsed(&col, " 2024-02-29 "), "2024-02-29");
    assert_string_equal(parsed(&col, "2000-02-29"), "2000-02-29");
    assert_string_equal(parsed(&col, "0001-01-01"), "0001-01-01");
    assert_string_equal(parsed(&col, "9999-12-31"), "9999-12-31");
}

static void test_value__date_rejects_days_the_month_lacks(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATE);
    assert_string_equal(parsed(&col, "2023-02-29"),
                        "error: day must be 01 to 28 for 2023-02");
    assert_string_equal(parsed(&col, "1900-02-29"),
                        "error: day must be 01 to 28 for 1900-02");
    assert_string_equal(parsed(&col, "2024-04-31"),
                        "error: day must be 01 to 30 for 2024-04");
    assert_string_equal(parsed(&col, "2024-01-00"),
                        "error: day must be 01 to 31 for 2024-01");
    assert_string_equal(parsed(&col, "2024-13-01"),
                        "error: month must be 01 to 12");
    assert_string_equal(parsed(&col, "0000-01-01"),
                        "error: year must be 0001 to 9999");
}

static void test_value__date_rejects_other_shapes(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATE);
    const char *bad[] = {"24-01-31",   "2024/01/31",          "2024-1-5",
                         "31.01.2024", "2024-01-31 10:00:00", "today",
                         "2024-01-31x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(parsed(&col, bad[i]),
                            "error: expected a date like 2024-01-31");
}

static void test_value__time_gets_seconds_and_a_trimmed_fraction(void **state)
{
    (void)state;
    orm_column col = column(ORM_TIME);
    assert_string_equal(parsed(&col, "13:45"), "13:45:00");
    assert_string_equal(parsed(&col, "13:45:30"), "13:45:30");
    assert_string_equal(parsed(&col, "13:45:30.120"), "13:45:30.12");
    assert_string_equal(parsed(&col, "13:45:30.000000"), "13:45:30");
    assert_string_equal(parsed(&col, "00:00:00.000001"), "00:00:00.000001");
}

static void test_value__time_rejects_impossible_times(void **state)
{
    (void)state;
    orm_column col = column(ORM_TIME);
    assert_string_equal(parsed(&col, "24:00"), "error: hour must be 00 to 23");
    assert_string_equal(parsed(&col, "13:60"),
                        "error: minutes must be 00 to 59");
    assert_string_equal(parsed(&col, "13:45:61"),
                        "error: seconds must be 00 to 59");
    assert_string_equal(parsed(&col, "13:45:30.1234567"),
                        "error: at most 6 decimal places for seconds");
    assert_string_equal(parsed(&col, "1:45"),
                        "error: expected a time like 13:45 or 13:45:30");
    assert_string_equal(parsed(&col, "13:45:30."),
                        "error: expected a time like 13:45 or 13:45:30");
    assert_string_equal(parsed(&col, "13h45"),
                        "error: expected a time like 13:45 or 13:45:30");
}

static void
test_value__datetime_canonical_form_uses_space_and_seconds(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATETIME);
    assert_string_equal(parsed(&col, "2024-01-31T13:45"),
                        "2024-01-31 13:45:00");
    assert_string_equal(parsed(&col, "2024-01-31 13:45:30"),
                        "2024-01-31 13:45:30");
    assert_string_equal(parsed(&col, "2024-01-31 13:45:30.500000"),
                        "2024-01-31 13:45:30.5");
    assert_string_equal(parsed(&col, "2024-02-29t00:00:00.000"),
                        "2024-02-29 00:00:00");
}

static void test_value__datetime_rejects_missing_time_and_zones(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATETIME);
    assert_string_equal(parsed(&col, "2024-01-31"),
                        "error: expected a date and time like "
                        "2024-01-31 13:45");
    assert_string_equal(parsed(&col, "2024-01-31 13:45Z"),
                        "error: no time zone allowed here (the column is "
                        "DateTime, not DateTimeTZ)");
    assert_string_equal(parsed(&col, "2024-01-31 13:45+02:00"),
                        "error: no time zone allowed here (the column is "
                        "DateTime, not DateTimeTZ)");
    assert_string_equal(parsed(&col, "2023-02-29 10:00"),
                        "error: day must be 01 to 28 for 2023-02");
    assert_string_equal(parsed(&col, "2024-01-31 25:00"),
                        "error: hour must be 00 to 23");
}

/* What a person types: a plain date for a timestamp is its midnight
 * (the local zone's, on that day, for a zoned one); everything else as
 * orm_value_parse reads it. */
static void test_value__input_plain_date_is_midnight(void **state)
{
    (void)state;
    static const struct {
        orm_type type;
        const char *text, *want;
    } cases[] = {
        {ORM_DATETIME, "2024-01-31", "2024-01-31 00:00:00"},
        {ORM_DATETIME, "2024-01-31 13:45", "2024-01-31 13:45:00"},
        {ORM_DATETIMETZ, "2024-01-31", "2024-01-31 00:00:00+01:00"},
        {ORM_DATETIMETZ, "2024-07-01", "2024-07-01 00:00:00+02:00"},
        {ORM_DATETIMETZ, "2024-07-01 10:00Z", "2024-07-01 10:00:00+00:00"},
        {ORM_DATETIME, "2023-02-29", "error: day must be 01 to 28 for 2023-02"},
        {ORM_DATETIME, "Ärger",
         "error: expected a date and time like "
         "2024-01-31 13:45"},
        {ORM_DATE, "2024-01-31", "2024-01-31"},
    };
    char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        orm_column col = column(cases[i].type);
        orm_value v = ORM_VALUE_NULL_INIT;
        orm_error err = ORM_ERROR_INIT;
        char shown[256];
        if (orm_value_parse_input(&v, &col, cases[i].text, &err) == 0) {
            char *s = orm_value_format(&v, &col);
            snprintf(shown, sizeof shown, "%s", s ? s : "?");
            free(s);
        } else {
            snprintf(shown, sizeof shown, "error: %s", err.message);
        }
        if (strcmp(shown, cases[i].want) != 0)
            fail_msg("%s: got [%s], want [%s]", cases[i].text, shown,
                     cases[i].want);
        orm_value_clear(&v);
        orm_error_clear(&err);
    }
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(tz);
}

static void test_value__datetimetz_canonical_zone_is_plus_hh_mm(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATETIMETZ);
    assert_string_equal(parsed(&col, "2024-01-31T13:45:00Z"),
                        "2024-01-31 13:45:00+00:00");
    assert_string_equal(parsed(&col, "2024-01-31 13:45+05"),
                        "2024-01-31 13:45:00+05:00");
    assert_string_equal(parsed(&col, "2024-01-31 13:45:00+0530"),
                        "2024-01-31 13:45:00+05:30");
    assert_string_equal(parsed(&col, "2024-01-31 13:45:00.250-03:00"),
                        "2024-01-31 13:45:00.25-03:00");
    assert_string_equal(parsed(&col, "2024-01-31 13:45:00-00:00"),
                        "2024-01-31 13:45:00+00:00");
    assert_string_equal(parsed(&col, "2024-01-31 13:45 +02:00"),
                        "2024-01-31 13:45:00+02:00");
}

static void test_value__datetimetz_without_zone_asks_for_one(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATETIMETZ);
    assert_string_equal(parsed(&col, "2024-01-31 13:45:00"),
                        "error: a time zone is required (add Z or an "
                        "offset like +02:00)");
}

static void test_value__datetimetz_rejects_bad_zones(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATETIMETZ);
    assert_string_equal(parsed(&col, "2024-01-31 13:45+5"),
                        "error: expected a time zone like +02:00 or Z");
    assert_string_equal(parsed(&col, "2024-01-31 13:45+05:3"),
                        "error: expected a time zone like +02:00 or Z");
    assert_string_equal(parsed(&col, "2024-01-31 13:45+16:00"),
                        "error: time zone offset must be -15:59 to +15:59");
    assert_string_equal(parsed(&col, "2024-01-31 13:45+05:60"),
                        "error: time zone offset must be -15:59 to +15:59");
    assert_string_equal(parsed(&col, "2024-01-31 13:45Z junk"),
                        "error: expected a date, time and zone like "
                        "2024-01-31 13:45+02:00");
}

/* ---- strings and UTF-8 ---- */

static void test_value__string_length_limit_message(void **state)
{
    (void)state;
    orm_column col = string_column(50);
    char text[52];
    memset(text, 'a', 51);
    text[51] = '\0';
    assert_string_equal(parsed(&col, text),
                        "error: at most 50 characters (got 51)");
    text[50] = '\0';
    assert_string_equal(parsed(&col, text), text);
}

static void test_value__string_length_counts_characters_not_bytes(void **state)
{
    (void)state;
    orm_column col = string_column(3);
    assert_string_equal(parsed(&col, "日本語"), "日本語");
    assert_string_equal(parsed(&col, "日本語x"),
                        "error: at most 3 characters (got 4)");
    /* three emoji are twelve bytes but three characters */
    assert_string_equal(parsed(&col, "😀😀😀"), "😀😀😀");
    assert_string_equal(parsed(&col, "😀😀😀😀"),
                        "error: at most 3 characters (got 4)");
    /* a skin-tone emoji is two code points */
    assert_string_equal(parsed(&col, "👍🏽👍🏽"),
                        "error: at most 3 characters (got 4)");
}

static void test_value__string_of_one_says_character_singular(void **state)
{
    (void)state;
    orm_column col = string_column(1);
    assert_string_equal(parsed(&col, "é"), "é");
    assert_string_equal(parsed(&col, "ab"),
                        "error: at most 1 character (got 2)");
}

static void test_value__unbounded_string_takes_long_text(void **state)
{
    (void)state;
    orm_column col = string_column(0);
    char *text = malloc(100001);
    assert_non_null(text);
    memset(text, 'x', 100000);
    text[100000] = '\0';
    orm_value v = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_value_parse(&v, &col, text, NULL), 0);
    assert_int_equal(v.u.s.len, 100000);
    orm_value_clear(&v);
    free(text);
}

static void test_value__invalid_utf8_is_rejected_for_text_types(void **state)
{
    (void)state;
    const char *bad[] = {
        "\xff",             /* never valid */
        "abc\xc3",          /* truncated sequence */
        "\xc0\xaf",         /* overlong '/' */
        "\xed\xa0\x80",     /* UTF-16 surrogate */
        "\xf4\x90\x80\x80", /* beyond U+10FFFF */
        "\x80text",         /* stray continuation byte */
    };
    const orm_type types[] = {ORM_STRING, ORM_TEXT, ORM_JSON};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        orm_column col = column(types[t]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            assert_string_equal(parsed(&col, bad[i]), "error: not valid UTF-8");
    }
}

static void test_value__text_value_with_nul_fails_check(void **state)
{
    (void)state;
    orm_column col = column(ORM_TEXT);
    orm_value v = orm_value_textn("a\0b", 3);
    assert_string_equal(checked(&v, &col),
                        "TYPE: contains a NUL character (not allowed in "
                        "text)");
    /* After a long ASCII run too (ASCII is checked 8 bytes at a time). */
    orm_value late = orm_value_textn("abcdefghijklmno\0pq", 18);
    assert_string_equal(checked(&late, &col),
                        "TYPE: contains a NUL character (not allowed in "
                        "text)");
}

static void
test_value__long_ascii_runs_then_bad_or_wide_characters(void **state)
{
    (void)state;
    orm_column col = column(ORM_TEXT);
    const char *bad[] = {"abcdefghijklmnop\xff", "abcdefgh\xc3",
                         "abcdefghijklmnopqrstuvw\x80x",
                         ("abcdefgh\xed\xa0\x80"
                          "abcdefgh")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(parsed(&col, bad[i]), "error: not valid UTF-8");
    /* Characters, not bytes, around and between the 8-byte steps. */
    orm_column s10 = string_column(10);
    assert_string_equal(parsed(&s10, "abcdefgh\xc3\xa9\xc3\xa9"),
                        "abcdefgh\xc3\xa9\xc3\xa9");
    assert_string_equal(parsed(&s10, "abcdefgh\xc3\xa9\xc3\xa9x"),
                        "error: at most 10 characters (got 11)");
    orm_column s17 = string_column(17);
    assert_string_equal(parsed(&s17, "\xe6\x97\xa5"
                                     "abcdefghijklmnop"),
                        "\xe6\x97\xa5"
                        "abcdefghijklmnop");
    assert_string_equal(parsed(&s17, "\xe6\x97\xa5"
                                     "abcdefghijklmnopq"),
                        "error: at most 17 characters (got 18)");
}

/* ---- JSON ---- */

static void test_value__json_is_kept_exactly_as_typed(void **state)
{
    (void)state;
    orm_column col = column(ORM_JSON);
    const char *typed = " { \"b\": 1,  \"a\" : [1, 2.50] } ";
    assert_string_equal(parsed(&col, typed), typed);
}

static void test_value__json_accepts_any_value(void **state)
{
    (void)state;
    orm_column col = column(ORM_JSON);
    const char *good[] = {"42",
                          "\"text\"",
                          "null",
                          "true",
                          "[]",
                          "-1.5e3",
                          "123456789012345678901234567890",
                          "\"日本\""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_string_equal(parsed(&col, good[i]), good[i]);
}

static void test_value__json_errors_name_reason_and_character(void **state)
{
    (void)state;
    orm_column col = column(ORM_JSON);
    assert_string_equal(parsed(&col, "{} x"),
                        "error: invalid JSON: end of file expected near "
                        "'x' at character 4");
    assert_string_equal(parsed(&col, "{\"a\":1,}"),
                        "error: invalid JSON: string or '}' expected near "
                        "'}' at character 8");
    assert_string_equal(parsed(&col, "[1,2"),
                        "error: invalid JSON: ']' expected near end of "
                        "file at character 4");
    assert_string_equal(parsed(&col, "{'a':1}"),
                        "error: invalid JSON: string or '}' expected near "
                        "''' at character 2");
}

static void test_value__json_error_position_counts_characters(void **state)
{
    (void)state;
    orm_column col = column(ORM_JSON);
    orm_value v = ORM_VALUE_NULL_INIT;
    orm_error err = ORM_ERROR_INIT;
    /* the quote, two 3-byte characters, quote, space, x: x is the 6th */
    assert_int_equal(orm_value_parse(&v, &col, "\"日本\" x", &err), ORM_ETYPE);
    assert_string_equal(err.message, "invalid JSON: end of file expected "
                                     "near 'x' at character 6");
    assert_int_equal(err.position, 6);
    orm_error_clear(&err);
}

/* ---- UUIDs ---- */

static void test_value__uuid_is_canonical_lowercase_with_dashes(void **state)
{
    (void)state;
    orm_column col = column(ORM_UUID);
    const char *canon = "123e4567-e89b-12d3-a456-426614174000";
    const char *inputs[] = {
        "123e4567-e89b-12d3-a456-426614174000",
        "123E4567-E89B-12D3-A456-426614174000",
        "123e4567e89b12d3a456426614174000",
        "{123e4567-e89b-12d3-a456-426614174000}",
        "{123E4567E89B12D3A456426614174000}",
        " 123e4567-e89b-12d3-a456-426614174000 ",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        assert_string_equal(parsed(&col, inputs[i]), canon);
}

static void test_value__uuid_rejects_wrong_shapes(void **state)
{
    (void)state;
    orm_column col = column(ORM_UUID);
    const char *bad[] = {
        "123e4567-e89b-12d3-a456-42661417400",   /* one short */
        "123e4567-e89b-12d3-a456-4266141740000", /* one long */
        "123e4567-e89b-12d3-a456-42661417400g",  /* not hex */
        "123e4567e-89b-12d3-a456-426614174000",  /* dash misplaced */
        "{123e4567-e89b-12d3-a456-426614174000", /* brace unclosed */
        "123e4567_e89b_12d3_a456_426614174000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(parsed(&col, bad[i]),
                            "error: expected a UUID like "
                            "123e4567-e89b-12d3-a456-426614174000");
}

/* ---- blobs ---- */

static void test_value__blob_hex_keeps_nul_bytes_and_round_trips(void **state)
{
    (void)state;
    orm_column col = column(ORM_BLOB);
    orm_value v = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_value_parse(&v, &col, "\\x00FF10", NULL), 0);
    assert_int_equal(v.kind, ORM_VBLOB);
    assert_int_equal(v.u.s.len, 3);
    assert_memory_equal(v.u.s.ptr, "\x00\xff\x10", 3);
    char *text = orm_value_format(&v, &col);
    assert_string_equal(text, "\\x00ff10");

    orm_value again = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_value_parse(&again, &col, text, NULL), 0);
    assert_true(orm_value_equal(&v, &again));
    free(text);
    orm_value_clear(&v);
    orm_value_clear(&again);
}

static void test_value__blob_plain_text_is_taken_byte_for_byte(void **state)
{
    (void)state;
    orm_column col = column(ORM_BLOB);
    assert_string_equal(parsed(&col, "abc"), "\\x616263");
    /* an odd number of digits or a non-hex digit is not hex input */
    assert_string_equal(parsed(&col, "\\x123"), "\\x5c78313233");
    assert_string_equal(parsed(&col, "\\xzz"), "\\x5c787a7a");
    assert_string_equal(parsed(&col, "\\x"), "\\x");
}

/* ---- formatting ---- */

static void test_value__format_null_is_null_not_empty(void **state)
{
    (void)state;
    orm_column col = column(ORM_TEXT);
    orm_value v = orm_value_null();
    assert_null(orm_value_format(&v, &col));
    assert_null(orm_value_format(&v, NULL));
    orm_value empty = orm_value_text("");
    char *text = orm_value_format(&empty, &col);
    assert_non_null(text);
    assert_string_equal(text, "");
    free(text);
}

static void test_value__format_without_column_goes_by_kind(void **state)
{
    (void)state;
    struct {
        orm_value v;
        const char *want;
    } cases[] = {
        {orm_value_int(-9223372036854775807LL - 1), "-9223372036854775808"},
        {orm_value_float(0.1), "0.1"},
        {orm_value_float(1.0 / 3.0), "0.3333333333333333"},
        {orm_value_float(1e300), "1e+300"},
        {orm_value_float(2.0), "2"},
        {orm_value_float(-INFINITY), "-inf"},
        {orm_value_bool(1), "true"},
        {orm_value_bool(0), "false"},
        {orm_value_textn("abcdef", 3), "abc"},
        {orm_value_blob("\x01\xab", 2), "\\x01ab"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = orm_value_format(&cases[i].v, NULL);
        assert_non_null(text);
        assert_string_equal(text, cases[i].want);
        free(text);
    }
}

/* orm_value_format_into writes what orm_value_format returns, for the
 * kinds it takes; the rest (another kind than the column's, text,
 * blobs, NULL) it leaves to orm_value_format. */
static void test_value__format_into_is_format_without_allocating(void **state)
{
    (void)state;
    orm_column f32 = column(ORM_FLOAT);
    f32.precision = 24;
    orm_column any = column(ORM_FLOAT);
    struct {
        orm_value v;
        const orm_column *col;
        const char *want; /* NULL: not taken */
    } cases[] = {
        {orm_value_int(-9223372036854775807LL - 1), NULL,
         "-9223372036854775808"},
        {orm_value_int(9223372036854775807LL), NULL, "9223372036854775807"},
        {orm_value_int(0), NULL, "0"},
        {orm_value_float((double)0.1f), &f32, "0.1"},
        {orm_value_float((double)0.1f), &any, "0.10000000149011612"},
        {orm_value_float(-0.0), NULL, "-0"},
        {orm_value_float(NAN), &f32, "nan"},
        {orm_value_float(-INFINITY), &any, "-inf"},
        {orm_value_float(1e300), NULL, "1e+300"},
        {orm_value_bool(1), NULL, "true"},
        {orm_value_bool(0), NULL, "false"},
        {orm_value_int(1), NULL, "1"},
        {orm_value_null(), NULL, NULL},
        {orm_value_text("Zoë"), NULL, NULL},
        {orm_value_blob("\x01", 1), NULL, NULL},
    };
    orm_column boolean = column(ORM_BOOLEAN);
    char buf[ORM_VALUE_TEXT_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = orm_value_format_into(buf, &cases[i].v, cases[i].col);
        char *text = orm_value_format(&cases[i].v, cases[i].col);
        if (!cases[i].want) {
            assert_int_equal(n, 0);
        } else {
            assert_int_equal(n, strlen(cases[i].want));
            assert_string_equal(buf, cases[i].want);
            assert_string_equal(text, cases[i].want);
        }
        free(text);
    }
    /* An integer in a boolean column is converted first: not taken. */
    orm_value one = orm_value_int(1);
    assert_int_equal(orm_value_format_into(buf, &one, &boolean), 0);
    char *word = orm_value_format(&one, &boolean);
    assert_string_equal(word, "true");
    free(word);
}

/* The one printer of dates and times, for every shape it prints. */
static void test_value__datetime_text_of_every_shape(void **state)
{
    (void)state;
    enum {
        D = ORM_DATETIME_HAS_DATE,
        T = ORM_DATETIME_HAS_TIME,
        Z = ORM_DATETIME_HAS_ZONE
    };
    struct {
        orm_datetime dt;
        const char *want;
    } cases[] = {
        {{2024, 1, 31, 13, 45, 0, "1", 0, D | T}, "2024-01-31 13:45:00.1"},
        {{5, 2, 3, 0, 0, 0, "", 0, D}, "0005-02-03"},
        {{9999, 12, 31, 0, 0, 0, "", 0, D}, "9999-12-31"},
        {{0, 0, 0, 7, 8, 9, "123456", 0, T}, "07:08:09.123456"},
        {{0, 0, 0, 23, 59, 59, "", 0, T}, "23:59:59"},
        {{2024, 2, 29, 0, 0, 0, "05", -570, D | T | Z},
         "2024-02-29 00:00:00.05-09:30"},
        {{1970, 1, 1, 0, 0, 0, "", 0, D | T | Z}, "1970-01-01 00:00:00+00:00"},
        {{2000, 6, 15, 12, 0, 1, "", 959, D | T | Z},
         "2000-06-15 12:00:01+15:59"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[ORM_DATETIME_TEXT_MAX];
        size_t n = orm_datetime_text(text, &cases[i].dt);
        assert_string_equal(text, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
}

static void test_value__format_floats_read_back_exactly(void **state)
{
    (void)state;
    orm_column col = column(ORM_FLOAT);
    const double samples[] = {
        0.1, 1.0 / 3.0, 123456.789, 5e-324, 1.7976931348623157e308, -2.5};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        orm_value v = orm_value_float(samples[i]);
        orm_value back = ORM_VALUE_NULL_INIT;
        char *text = orm_value_format(&v, &col);
        assert_int_equal(orm_value_parse(&back, &col, text, NULL), 0);
        assert_true(back.u.f == samples[i]);
        free(text);
    }
}

static void test_value__format_shows_a_boolean_column_int_as_word(void **state)
{
    (void)state;
    orm_column col = column(ORM_BOOLEAN);
    orm_value v = orm_value_int(1);
    char *text = orm_value_format(&v, &col);
    assert_string_equal(text, "true");
    free(text);
}

static void
test_value__parse_then_format_round_trips_canonical_text(void **state)
{
    (void)state;
    struct {
        orm_column col;
        const char *text;
    } cases[] = {
        {column(ORM_INTEGER), "-123"},
        {column(ORM_BIGINT), "9223372036854775807"},
        {column(ORM_FLOAT), "2.5"},
        {column(ORM_BOOLEAN), "true"},
        {numeric_column(10, 2), "-12.30"},
        {numeric_column(0, 0), "0.001"},
        {column(ORM_DATE), "2024-02-29"},
        {column(ORM_TIME), "23:59:59.999999"},
        {column(ORM_DATETIME), "2024-01-31 13:45:00.1"},
        {column(ORM_DATETIMETZ), "2024-01-31 13:45:00-09:30"},
        {column(ORM_UUID), "00000000-0000-4000-8000-000000000000"},
        {column(ORM_JSON), "{\"a\": [true, null]}"},
        {column(ORM_TEXT), "multi\nline ✓"},
        {column(ORM_BLOB), "\\x00010203"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_value v = ORM_VALUE_NULL_INIT, back = ORM_VALUE_NULL_INIT;
        assert_int_equal(
            orm_value_parse(&v, &cases[i].col, cases[i].text, NULL), 0);
        char *text = orm_value_format(&v, &cases[i].col);
        assert_string_equal(text, cases[i].text);
        assert_int_equal(orm_value_parse(&back, &cases[i].col, text, NULL), 0);
        assert_true(orm_value_equal(&v, &back));
        free(text);
        orm_value_clear(&v);
        orm_value_clear(&back);
    }
}

/* ---- checking before sending ---- */

static void test_value__check_null_on_required_column(void **state)
{
    (void)state;
    orm_column required = column(ORM_STRING);
    orm_column pk = column(ORM_INTEGER);
    orm_column optional = column(ORM_STRING);
    required.flags = ORM_NOT_NULL;
    pk.flags = ORM_PK;
    orm_value null = orm_value_null();
    assert_string_equal(checked(&null, &required),
                        "NOTNULL: a value is required");
    assert_string_equal(checked(&null, &pk), "NOTNULL: a value is required");
    assert_string_equal(checked(&null, &optional), "ok");
}

static void test_value__check_integer_kind_and_range(void **state)
{
    (void)state;
    orm_column small = column(ORM_SMALLINT);
    orm_column big = column(ORM_BIGINT);
    orm_value in_range = orm_value_int(-32768);
    orm_value too_big = orm_value_int(40000);
    orm_value huge = orm_value_int(INT64_MAX);
    orm_value text = orm_value_text("12");
    orm_value real = orm_value_float(1.0);
    assert_string_equal(checked(&in_range, &small), "ok");
    assert_string_equal(checked(&too_big, &small),
                        "TYPE: out of range for SmallInteger "
                        "(-32768 to 32767)");
    assert_string_equal(checked(&huge, &big), "ok");
    assert_string_equal(checked(&text, &small),
                        "TYPE: expected a whole number");
    assert_string_equal(checked(&real, &small),
                        "TYPE: expected a whole number");
}

static void test_value__check_float_and_boolean_accept_integers(void **state)
{
    (void)state;
    orm_column real = column(ORM_FLOAT);
    orm_column flag = column(ORM_BOOLEAN);
    orm_value one = orm_value_int(1), zero = orm_value_int(0);
    orm_value two = orm_value_int(2), word = orm_value_text("true");
    orm_value f = orm_value_float(2.5), b = orm_value_bool(1);
    assert_string_equal(checked(&f, &real), "ok");
    assert_string_equal(checked(&two, &real), "ok");
    assert_string_equal(checked(&word, &real),
                        "TYPE: expected a number like 12.5");
    assert_string_equal(checked(&b, &flag), "ok");
    assert_string_equal(checked(&one, &flag), "ok");
    assert_string_equal(checked(&zero, &flag), "ok");
    assert_string_equal(checked(&two, &flag), "TYPE: expected true or false");
    assert_string_equal(checked(&word, &flag), "TYPE: expected true or false");
}

static void test_value__check_validates_text_content_like_parse(void **state)
{
    (void)state;
    orm_column date = column(ORM_DATE);
    orm_column money = numeric_column(10, 2);
    orm_column handle = string_column(3);
    orm_column json = column(ORM_JSON);
    orm_value bad_date = orm_value_text("2024-02-30");
    orm_value bad_money = orm_value_text("1.999");
    orm_value long_handle = orm_value_text("日本語x");
    orm_value bad_json = orm_value_text("{");
    orm_value good_money = orm_value_text("1.5");
    orm_value number = orm_value_int(5);
    assert_string_equal(checked(&bad_date, &date),
                        "TYPE: day must be 01 to 29 for 2024-02");
    assert_string_equal(checked(&bad_money, &money),
                        "TYPE: at most 2 decimal places");
    assert_string_equal(checked(&good_money, &money), "ok");
    assert_string_equal(checked(&long_handle, &handle),
                        "TYPE: at most 3 characters (got 4)");
    assert_string_equal(checked(&bad_json, &json),
                        "TYPE: invalid JSON: string or '}' expected near "
                        "end of file at character 1");
    assert_string_equal(checked(&number, &date),
                        "TYPE: expected a date like 2024-01-31");
}

static void test_value__check_reads_only_the_value_length(void **state)
{
    (void)state;
    orm_column date = column(ORM_DATE);
    orm_column handle = string_column(2);
    orm_value date_prefix = orm_value_textn("2024-01-31 and more", 10);
    orm_value two_of_three = orm_value_textn("abc", 2);
    assert_string_equal(checked(&date_prefix, &date), "ok");
    assert_string_equal(checked(&two_of_three, &handle), "ok");
}

static void test_value__check_blob_accepts_bytes_and_text(void **state)
{
    (void)state;
    orm_column col = column(ORM_BLOB);
    orm_value bytes = orm_value_blob("\0\1", 2);
    orm_value text = orm_value_text("plain");
    orm_value number = orm_value_int(1);
    assert_string_equal(checked(&bytes, &col), "ok");
    assert_string_equal(checked(&text, &col), "ok");
    assert_string_equal(checked(&number, &col), "TYPE: expected binary data");
}

/* ---- normalizing what each dialect returns ---- */

typedef struct normalize_case {
    const char *what; /* dialect and situation, for failure output */
    orm_column col;
    orm_value in;
    orm_value want;
} normalize_case;

static void test_value__normalize_gives_one_form_for_every_dialect(void **state)
{
    (void)state;
    orm_column money = numeric_column(10, 2);
    orm_column decimal = numeric_column(0, 0);
    const normalize_case cases[] = {
        {"sqlite numeric as text", money, orm_value_text("12.5"),
         orm_value_text("12.50")},
        {"sqlite numeric affinity int", money, orm_value_int(12),
         orm_value_text("12.00")},
        {"sqlite numeric affinity real", money, orm_value_float(12.5),
         orm_value_text("12.50")},
        {"postgres numeric(10,2)", money, orm_value_text("12.50"),
         orm_value_text("12.50")},
        {"extra decimals kept", money, orm_value_text("1.234"),
         orm_value_text("1.234")},
        {"negative zero", money, orm_value_text("-0.00"),
         orm_value_text("0.00")},
        {"unbounded numeric", decimal, orm_value_text("1.2300"),
         orm_value_text("1.23")},
        {"unbounded numeric whole", decimal, orm_value_text("5.000"),
         orm_value_text("5")},
        {"postgres NaN numeric", decimal, orm_value_text("NaN"),
         orm_value_text("NaN")},
        {"sqlite/mysql boolean 1", column(ORM_BOOLEAN), orm_value_int(1),
         orm_value_bool(1)},
        {"sqlite/mysql boolean 0", column(ORM_BOOLEAN), orm_value_int(0),
         orm_value_bool(0)},
        {"postgres text boolean", column(ORM_BOOLEAN), orm_value_text("t"),
         orm_value_bool(1)},
        {"mysql text protocol int", column(ORM_INTEGER), orm_value_text("42"),
         orm_value_int(42)},
        {"mysql text negative", column(ORM_INTEGER), orm_value_text("-7"),
         orm_value_int(-7)},
        {"bigint max as text", column(ORM_BIGINT),
         orm_value_text("9223372036854775807"), orm_value_int(INT64_MAX)},
        {"int text that is not a number", column(ORM_INTEGER),
         orm_value_text("n/a"), orm_value_text("n/a")},
        {"float as text", column(ORM_FLOAT), orm_value_text("1.5"),
         orm_value_float(1.5)},
        {"float as int", column(ORM_FLOAT), orm_value_int(3),
         orm_value_float(3.0)},
        {"postgres float Infinity", column(ORM_FLOAT),
         orm_value_text("Infinity"), orm_value_float(INFINITY)},
        {"iso T separator", column(ORM_DATETIME),
         orm_value_text("2024-01-31T13:45:00"),
         orm_value_text("2024-01-31 13:45:00")},
        {"mysql datetime(6) zeros", column(ORM_DATETIME),
         orm_value_text("2024-01-31 13:45:00.000000"),
         orm_value_text("2024-01-31 13:45:00")},
        {"mysql datetime(6) fraction", column(ORM_DATETIME),
         orm_value_text("2024-01-31 13:45:00.120000"),
         orm_value_text("2024-01-31 13:45:00.12")},
        {"sqlite datetime without seconds", column(ORM_DATETIME),
         orm_value_text("2024-01-31 13:45"),
         orm_value_text("2024-01-31 13:45:00")},
        {"postgres timestamp infinity", column(ORM_DATETIME),
         orm_value_text("infinity"), orm_value_text("infinity")},
        {"postgres timestamptz utc", column(ORM_DATETIMETZ),
         orm_value_text("2024-01-31 13:45:00+00"),
         orm_value_text("2024-01-31 13:45:00+00:00")},
        {"iso Z", column(ORM_DATETIMETZ),
         orm_value_text("2024-01-31T13:45:00Z"),
         orm_value_text("2024-01-31 13:45:00+00:00")},
        {"compact offset", column(ORM_DATETIMETZ),
         orm_value_text("2024-01-31 13:45:00+0530"),
         orm_value_text("2024-01-31 13:45:00+05:30")},
        {"postgres negative hour offset", column(ORM_DATETIMETZ),
         orm_value_text("2024-01-31 13:45:00.5-03"),
         orm_value_text("2024-01-31 13:45:00.5-03:00")},
        {"postgres historic seconds offset", column(ORM_DATETIMETZ),
         orm_value_text("1900-01-01 00:00:00+00:09:21"),
         orm_value_text("1900-01-01 00:00:00+00:09:21")},
        {"mysql time(6)", column(ORM_TIME), orm_value_text("13:45:00.000000"),
         orm_value_text("13:45:00")},
        {"mysql time interval", column(ORM_TIME), orm_value_text("838:59:59"),
         orm_value_text("838:59:59")},
        {"date unchanged", column(ORM_DATE), orm_value_text("2024-01-31"),
         orm_value_text("2024-01-31")},
        {"mysql char(36) uuid", column(ORM_UUID),
         orm_value_text("123E4567-E89B-12D3-A456-426614174000"),
         orm_value_text("123e4567-e89b-12d3-a456-426614174000")},
        {"binary(16) uuid", column(ORM_UUID),
         orm_value_blob("\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66"
                        "\x14\x17\x40\x00",
                        16),
         orm_value_text("123e4567-e89b-12d3-a456-426614174000")},
        {"postgres jsonb unchanged", column(ORM_JSON),
         orm_value_text("{\"a\": 1}"), orm_value_text("{\"a\": 1}")},
        {"text unchanged", column(ORM_TEXT), orm_value_text(" 12.50 "),
         orm_value_text(" 12.50 ")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_value v = cases[i].in;
        assert_int_equal(orm_value_normalize(&v, &cases[i].col), 0);
        if (!orm_value_equal(&v, &cases[i].want)) {
            char *got = orm_value_format(&v, NULL);
            print_error("normalize case '%s': got kind %d '%s'\n",
                        cases[i].what, (int)v.kind, got ? got : "NULL");
            free(got);
            fail();
        }
        orm_value_clear(&v);
    }
}

static void
test_value__normalize_makes_a_changed_borrowed_value_owned(void **state)
{
    (void)state;
    orm_column col = numeric_column(10, 2);
    char driver_buffer[] = "7.5";
    orm_value v = orm_value_text(driver_buffer);
    assert_int_equal(orm_value_normalize(&v, &col), 0);
    assert_true(v.owned);
    assert_ptr_not_equal(v.u.s.ptr, driver_buffer);
    assert_string_equal(v.u.s.ptr, "7.50");
    assert_string_equal(driver_buffer, "7.5");
    orm_value_clear(&v);
}

static void test_value__normalize_leaves_canonical_values_borrowed(void **state)
{
    (void)state;
    orm_column col = numeric_column(10, 2);
    const char *driver_buffer = "7.50";
    orm_value v = orm_value_text(driver_buffer);
    assert_int_equal(orm_value_normalize(&v, &col), 0);
    assert_false(v.owned);
    assert_ptr_equal(v.u.s.ptr, driver_buffer);
}

static void
test_value__normalize_replaces_an_owned_value_without_leaking(void **state)
{
    (void)state;
    orm_column col = column(ORM_DATETIMETZ);
    orm_value v = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_value_text_dup(&v, "2024-01-31T10:00:00Z", 20), 0);
    assert_int_equal(orm_value_normalize(&v, &col), 0);
    assert_string_equal(v.u.s.ptr, "2024-01-31 10:00:00+00:00");
    orm_value_clear(&v);

    orm_column integer = column(ORM_INTEGER);
    assert_int_equal(orm_value_text_dup(&v, "12", 2), 0);
    assert_int_equal(orm_value_normalize(&v, &integer), 0);
    assert_int_equal(v.kind, ORM_VINT);
    assert_int_equal(v.u.i, 12);
}

static void test_value__normalize_reads_only_the_value_length(void **state)
{
    (void)state;
    orm_column col = column(ORM_TIME);
    orm_value v = orm_value_textn("13:45:00.000000 trailing", 15);
    assert_int_equal(orm_value_normalize(&v, &col), 0);
    assert_string_equal(v.u.s.ptr, "13:45:00");
    orm_value_clear(&v);
}

/* ---- default generators ---- */

static void test_value__token_hex_gives_2n_lowercase_hex_chars(void **state)
{
    (void)state;
    const struct {
        const char *gen;
        size_t len;
    } cases[] = {{"token_hex(16)", 32},
                 {"token_hex( 4 )", 8},
                 {"token_hex(1)", 2},
                 {" token_hex (1024) ", 2048}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        orm_value v = ORM_VALUE_NULL_INIT;
        assert_int_equal(orm_default_generate(&v, cases[i].gen, NULL), 0);
        assert_int_equal(v.kind, ORM_VTEXT);
        assert_true(v.owned);
        assert_int_equal(v.u.s.len, cases[i].len);
        assert_int_equal(strlen(v.u.s.ptr), cases[i].len);
        assert_true(is_lower_hex(v.u.s.ptr, v.u.s.len));
        orm_value_clear(&v);
    }
}

static void test_value__token_hex_differs_between_calls(void **state)
{
    (void)state;
    orm_value a = ORM_VALUE_NULL_INIT, b = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_default_generate(&a, "token_hex(16)", NULL), 0);
    assert_int_equal(orm_default_generate(&b, "token_hex(16)", NULL), 0);
    assert_false(orm_value_equal(&a, &b));
    orm_value_clear(&a);
    orm_value_clear(&b);
}

static void test_value__token_hex_rejects_bad_counts(void **state)
{
    (void)state;
    const char *bad[] = {"token_hex(0)", "token_hex(1025)", "token_hex(x)",
                         "token_hex()",  "token_hex(-1)",   "token_hex(99999)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        orm_value v = ORM_VALUE_NULL_INIT;
        orm_error err = ORM_ERROR_INIT;
        assert_int_equal(orm_default_generate(&v, bad[i], &err), ORM_EINVALID);
        assert_non_null(strstr(err.message, "from 1 to 1024"));
        assert_int_equal(v.kind, ORM_VNULL);
        orm_error_clear(&err);
    }
}

static void test_value__uuid4_is_a_canonical_version_4_uuid(void **state)
{
    (void)state;
    orm_column col = column(ORM_UUID);
    orm_value v = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_default_generate(&v, "uuid4( )", NULL), 0);
    assert_int_equal(v.u.s.len, 36);
    assert_int_equal(v.u.s.ptr[14], '4');
    assert_non_null(strchr("89ab", v.u.s.ptr[19]));
    assert_string_equal(parsed(&col, v.u.s.ptr), v.u.s.ptr);
    orm_value_clear(&v);
}

static void test_value__now_and_today_parse_as_their_column_types(void **state)
{
    (void)state;
    orm_column stamp = column(ORM_DATETIME);
    orm_column date = column(ORM_DATE);
    orm_value now = ORM_VALUE_NULL_INIT, today = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_default_generate(&now, "now()", NULL), 0);
    assert_int_equal(orm_default_generate(&today, "today()", NULL), 0);
    /* canonical already: parsing gives the same text back */
    assert_string_equal(parsed(&stamp, now.u.s.ptr), now.u.s.ptr);
    assert_string_equal(parsed(&date, today.u.s.ptr), today.u.s.ptr);
    assert_true(now.u.s.len >= 19 && now.u.s.len <= 26);
    assert_int_equal(today.u.s.len, 10);
    orm_value_clear(&now);
    orm_value_clear(&today);
}

static void test_value__unknown_generator_lists_the_known_ones(void **state)
{
    (void)state;
    const char *bad[] = {"foo()", "uuid4(1)", "now", "random()", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        orm_value v = ORM_VALUE_NULL_INIT;
        orm_error err = ORM_ERROR_INIT;
        char want[200];
        snprintf(want, sizeof want,
                 "unknown default generator '%s' (known: token_hex(N), "
                 "uuid4(), now(), today())",
                 bad[i]);
        assert_int_equal(orm_default_generate(&v, bad[i], &err), ORM_EINVALID);
        assert_string_equal(err.message, want);
        orm_error_clear(&err);
    }
}

/* Secrets never repeat: not in a long run, not in a forked child. */
static void test_value__token_hex_never_repeats_even_after_fork(void **state)
{
    (void)state;
    enum { N = 2000 };
    static char seen[N + 2][33];
    orm_error err = ORM_ERROR_INIT;
    for (int i = 0; i < N + 1; i++) {
        orm_value v = ORM_VALUE_NULL_INIT;
        assert_int_equal(orm_default_generate(&v, "token_hex(16)", &err), 0);
        memcpy(seen[i], v.u.s.ptr, 33);
        orm_value_clear(&v);
    }
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        orm_value v = ORM_VALUE_NULL_INIT;
        if (orm_default_generate(&v, "token_hex(16)", &err) == 0 &&
            write(fds[1], v.u.s.ptr, 33) == 33)
            _exit(0);
        _exit(1);
    }
    int status = 0;
    assert_int_equal(read(fds[0], seen[N + 1], 33), 33);
    waitpid(pid, &status, 0);
    close(fds[0]);
    close(fds[1]);
    assert_int_equal(status, 0);
    orm_value next = ORM_VALUE_NULL_INIT;
    assert_int_equal(orm_default_generate(&next, "token_hex(16)", &err), 0);
    /* The child's token is not the one the parent makes next. */
    assert_string_not_equal(seen[N + 1], next.u.s.ptr);
    orm_value_clear(&next);
    for (int i = 0; i < N + 2; i++)
        for (int j = i + 1; j < N + 2; j++)
            if (strcmp(seen[i], seen[j]) == 0)
                fail_msg("token %d repeats token %d", j, i);
}

/* Integers written without printf (parameters, placeholders) read the
 * same as printf's, down to INT64_MIN. */
static void test_value__int_text_matches_printf(void **state)
{
    (void)state;
    const int64_t cases[] = {
        0,         1,         -1,           9, 10, -10, 9007199254740993LL,
        INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[32], got[ORM_INT_TEXT_MAX];
        snprintf(want, sizeof want, "%lld", (long long)cases[i]);
        assert_int_equal(orm_int_text(got, cases[i]), strlen(want));
        assert_string_equal(got, want);
    }
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, "$");
    orm_buf_append_int(&b, 120);
    assert_string_equal(orm_buf_str(&b), "$120");
    orm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value__token_hex_never_repeats_even_after_fork),
        cmocka_unit_test(
            test_value__integer_accepts_sign_spaces_and_leading_zeros),
        cmocka_unit_test(test_value__from_text_reads_every_kind_back_exactly),
        cmocka_unit_test(test_value__from_text_refuses_text_of_another_kind),
        cmocka_unit_test(test_value__integer_accepts_its_bounds),
        cmocka_unit_test(test_value__int_text_matches_printf),
        cmocka_unit_test(test_value__integer_one_past_bounds_is_out_of_range),
        cmocka_unit_test(test_value__smallint_is_16_bit),
        cmocka_unit_test(test_value__bigint_is_64_bit_and_overflow_is_reported),
        cmocka_unit_test(test_value__integer_rejects_anything_but_digits),
        cmocka_unit_test(test_value__empty_text_is_required_for_non_text_types),
        cmocka_unit_test(test_value__empty_text_is_a_value_not_null),
        cmocka_unit_test(test_value__text_keeps_surrounding_spaces),
        cmocka_unit_test(test_value__float_accepts_decimals_and_exponents),
        cmocka_unit_test(test_value__float_refuses_nan_inf_hex_and_underflow),
        cmocka_unit_test(test_value__float_rejects_trailing_junk),
        cmocka_unit_test(test_value__float_overflow_is_out_of_range),
        cmocka_unit_test(test_value__numeric_pads_to_declared_scale),
        cmocka_unit_test(
            test_value__numeric_drops_leading_zeros_and_negative_zero),
        cmocka_unit_test(test_value__numeric_never_rounds_extra_decimals),
        cmocka_unit_test(test_value__numeric_extra_zero_decimals_lose_nothing),
        cmocka_unit_test(
            test_value__numeric_limits_integer_digits_to_p_minus_s),
        cmocka_unit_test(test_value__numeric_is_exact_beyond_double_precision),
        cmocka_unit_test(
            test_value__numeric_without_precision_trims_trailing_zeros),
        cmocka_unit_test(test_value__numeric_rejects_exponents_and_junk),
        cmocka_unit_test(test_value__boolean_accepts_common_words_in_any_case),
        cmocka_unit_test(test_value__boolean_rejects_other_words),
        cmocka_unit_test(
            test_value__date_accepts_real_dates_including_leap_days),
        cmocka_unit_test(test_value__date_rejects_days_the_month_lacks),
        cmocka_unit_test(test_value__date_rejects_other_shapes),
        cmocka_unit_test(test_value__time_gets_seconds_and_a_trimmed_fraction),
        cmocka_unit_test(test_value__time_rejects_impossible_times),
        cmocka_unit_test(
            test_value__datetime_canonical_form_uses_space_and_seconds),
        cmocka_unit_test(test_value__datetime_rejects_missing_time_and_zones),
        cmocka_unit_test(test_value__input_plain_date_is_midnight),
        cmocka_unit_test(test_value__datetimetz_canonical_zone_is_plus_hh_mm),
        cmocka_unit_test(test_value__datetimetz_without_zone_asks_for_one),
        cmocka_unit_test(test_value__datetimetz_rejects_bad_zones),
        cmocka_unit_test(test_value__string_length_limit_message),
        cmocka_unit_test(test_value__string_length_counts_characters_not_bytes),
        cmocka_unit_test(test_value__string_of_one_says_character_singular),
        cmocka_unit_test(test_value__unbounded_string_takes_long_text),
        cmocka_unit_test(test_value__invalid_utf8_is_rejected_for_text_types),
        cmocka_unit_test(test_value__text_value_with_nul_fails_check),
        cmocka_unit_test(
            test_value__long_ascii_runs_then_bad_or_wide_characters),
        cmocka_unit_test(test_value__json_is_kept_exactly_as_typed),
        cmocka_unit_test(test_value__json_accepts_any_value),
        cmocka_unit_test(test_value__json_errors_name_reason_and_character),
        cmocka_unit_test(test_value__json_error_position_counts_characters),
        cmocka_unit_test(test_value__uuid_is_canonical_lowercase_with_dashes),
        cmocka_unit_test(test_value__uuid_rejects_wrong_shapes),
        cmocka_unit_test(test_value__blob_hex_keeps_nul_bytes_and_round_trips),
        cmocka_unit_test(test_value__blob_plain_text_is_taken_byte_for_byte),
        cmocka_unit_test(test_value__format_null_is_null_not_empty),
        cmocka_unit_test(test_value__format_without_column_goes_by_kind),
        cmocka_unit_test(test_value__format_into_is_format_without_allocating),
        cmocka_unit_test(test_value__datetime_text_of_every_shape),
        cmocka_unit_test(test_value__format_floats_read_back_exactly),
        cmocka_unit_test(test_value__format_shows_a_boolean_column_int_as_word),
        cmocka_unit_test(
            test_value__parse_then_format_round_trips_canonical_text),
        cmocka_unit_test(test_value__check_null_on_required_column),
        cmocka_unit_test(test_value__check_integer_kind_and_range),
        cmocka_unit_test(test_value__check_float_and_boolean_accept_integers),
        cmocka_unit_test(test_value__check_validates_text_content_like_parse),
        cmocka_unit_test(test_value__check_reads_only_the_value_length),
        cmocka_unit_test(test_value__check_blob_accepts_bytes_and_text),
        cmocka_unit_test(
            test_value__normalize_gives_one_form_for_every_dialect),
        cmocka_unit_test(
            test_value__normalize_makes_a_changed_borrowed_value_owned),
        cmocka_unit_test(
            test_value__normalize_leaves_canonical_values_borrowed),
        cmocka_unit_test(
            test_value__normalize_replaces_an_owned_value_without_leaking),
        cmocka_unit_test(test_value__normalize_reads_only_the_value_length),
        cmocka_unit_test(test_value__token_hex_gives_2n_lowercase_hex_chars),
        cmocka_unit_test(test_value__token_hex_differs_between_calls),
        cmocka_unit_test(test_value__token_hex_rejects_bad_counts),
        cmocka_unit_test(test_value__uuid4_is_a_canonical_version_4_uuid),
        cmocka_unit_test(test_value__now_and_today_parse_as_their_column_types),
        cmocka_unit_test(test_value__unknown_generator_lists_the_known_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
