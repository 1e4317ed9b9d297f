/**
 * @file
 * Numbers as text, the same in every locale: the one place where the
 * core and the drivers turn doubles and integers into text and back.
 *
 * A library cannot choose its host program's locale: under
 * LC_NUMERIC=de_DE strtod reads "7.75" as 7 and printf writes "9,95".
 * These functions always read and write '.', whatever setlocale() or
 * uselocale() the program chose, and are safe to call from any thread.
 * Integers become text with orm_int_text() (sys/buf.h).
 */
#ifndef ORM_SYS_NUMBER_H
#define ORM_SYS_NUMBER_H

#include <stddef.h>
#include <stdint.h>

#include "orm/api.h"

#include "orm/error.h"

/** Room for orm_double_text()'s output, NUL included, in every style. */
#define ORM_DOUBLE_TEXT_MAX 64

/** How orm_double_text() lays out its digits. */
typedef enum orm_double_style {
    /** Like printf's %g: positional for 1e-4 <= |d| < 1e15 ("0.1",
     * "123456.789", "2"), else with an exponent ("1e+300", "1.25e-07"). */
    ORM_DOUBLE_SHORT = 0,
    /** As SHORT, but a whole number keeps a ".0" ("2.0"), so that the
     * text reads back as a decimal and not as an integer. */
    ORM_DOUBLE_DECIMAL = 1,
    /** Positional unless the decimal exponent passes +-40 ("0.00001",
     * "100000000000000000000"), and zero without a sign: ordinary decimal
     * text for NUMERIC. */
    ORM_DOUBLE_PLAIN = 2
} orm_double_style;

/**
 * The shortest text that reads back as exactly `d` (the fewest significant
 * digits that strtod turns into the same double), written into `out`,
 * which has room for ORM_DOUBLE_TEXT_MAX bytes. Not-a-number is "nan",
 * infinities "inf" and "-inf" (a driver spells them as its database
 * wants). Returns the length.
 */
ORM_API size_t orm_double_text(char *out, double d, orm_double_style style);

/**
 * orm_double_text() for a value that a single-precision column (float4,
 * MariaDB FLOAT) holds: the shortest text that reads back as the same
 * float, "0.1" rather than the 0.10000000149011612 its double shows.
 */
ORM_API size_t orm_float32_text(char *out, double f, orm_double_style style);

/**
 * `d` with exactly `decimals` (0 to 30) fraction digits, rounded, like
 * printf's %.*f, into out[size]. Returns the length, or 0 when `out` is too
 * small or `decimals` is out of range (then out holds "").
 */
ORM_API size_t orm_double_fixed(char *out, size_t size, double d, int decimals);

/**
 * The double written in exactly the `n` bytes at `s` (no spaces, no NUL),
 * in strtod's syntax with '.' ("7.75", "-1e-300", "inf", "NaN"), into
 * *out. Returns 0; 1 when it is too large for a double (*out is then
 * +-inf); ORM_ETYPE when the bytes are not one number; ORM_ENOMEM. A value
 * below the smallest double reads as the nearest one (0 or a subnormal).
 */
ORM_API int orm_double_parse(double *out, const char *s, size_t n);

/**
 * The integer written in exactly the `n` bytes at `s`, an optional sign
 * and decimal digits and nothing else, into *out. Returns 0; 1 when it
 * does not fit 64 bits; ORM_ETYPE when the bytes are not an integer.
 */
ORM_API int orm_int_parse(int64_t *out, const char *s, size_t n);

/** The value of one hexadecimal digit (0-9, a-f, A-F), or -1. */
ORM_API int orm_hex_digit(int c);

#endif
