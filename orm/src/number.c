/*
 * Numbers as text in every locale (orm/sys/number.h).
 *
 * strtod and snprintf follow the calling thread's LC_NUMERIC. Around each
 * call this file switches the thread to the one C locale object
 * (c_locale.h) and back.
 *
 * Shortest text: for a normal double, the %.15g text is the shortest when
 * any text of 15 digits or fewer reads back as it (15 digits are
 * DBL_DIG, so every such text is its own double); otherwise 16, otherwise
 * 17 digits, which always read back. A subnormal has fewer significant
 * bits, so there every precision from 1 is tried. A single-precision value
 * (a float4 column's) likewise from 6 to 9 digits, 6 being FLT_DIG.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "orm/sys/number.h"
#include "alloc.h"

/* The shortest %g text ("1234.56", "1e-300") that reads back as finite
 * `d`. %g rather than %e: strtod reads "1234.56" faster than
 * "1.23456000000000e+03". */
static int shortest_g(char *text, size_t size, double d, int float32)
{
    locale_t saved = orm_c_locale_enter();
    int prec, last = float32 ? 9 : 17;
    if (float32)
        prec = fabsf((float)d) < FLT_MIN ? 1 : 6;
    else
        prec = fabs(d) < DBL_MIN ? 1 : 15;
    for (; prec < last; prec++) {
        snprintf(text, size, "%.*g", prec, d);
        double back = strtod(text, NULL);
        if (float32 ? (float)back == (float)d : back == d)
            break;
    }
    if (prec == last)
        snprintf(text, size, "%.*g", last, d);
    orm_c_locale_leave(saved);
    return prec;
}

static size_t put_exponent(char *out, size_t pos, int exp10)
{
    unsigned mag = (unsigned)(exp10 < 0 ? -exp10 : exp10);
    out[pos++] = 'e';
    out[pos++] = exp10 < 0 ? '-' : '+';
    if (mag >= 100)
        out[pos++] = (char)('0' + mag / 100);
    out[pos++] = (char)('0' + mag / 10 % 10);
    out[pos++] = (char)('0' + mag % 10);
    return pos;
}

static size_t shortest_text(char *out, double d, orm_double_style style,
                            int float32)
{
    if (isnan(d))
        return (size_t)snprintf(out, ORM_DOUBLE_TEXT_MAX, "nan");
    if (isinf(d))
        return (size_t)snprintf(out, ORM_DOUBLE_TEXT_MAX, "%s",
                                d < 0 ? "-inf" : "inf");

    /* The significant digits and the decimal exponent of the first. */
    char text[40], digits[24];
    size_t nd = 0, pos = 0, before_point = 0, leading_zeros = 0;
    int seen_point = 0, exp10 = 0;
    int prec = shortest_g(text, sizeof text, d, float32);
    if (prec == 15 && style != ORM_DOUBLE_PLAIN) {
        /* %.15g lays out digits as SHORT does (an exponent outside
         * 1e-4 <= |d| < 1e15): most numbers need nothing more. */
        size_t len = strlen(text);
        memcpy(out, text, len + 1);
        if (style == ORM_DOUBLE_DECIMAL && !strpbrk(out, ".e")) {
            memcpy(out + len, ".0", 3);
            len += 2;
        }
        return len;
    }
    const char *p = text;
    int negative = *p == '-';
    if (negative)
        p++;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.') {
            seen_point = 1;
        } else if (nd == 0 && *p == '0') {
            leading_zeros++;
            before_point += !seen_point;
        } else if (nd < sizeof digits - 1) {
            digits[nd++] = *p;
            before_point += !seen_point;
        }
    }
    if (*p == 'e') {
        int exp_negative = *++p == '-';
        for (p++; *p >= '0' && *p <= '9'; p++)
            exp10 = exp10 * 10 + (*p - '0');
        if (exp_negative)
            exp10 = -exp10;
    }
    if (nd == 0) { /* zero */
        digits[nd++] = '0';
        leading_zeros = 0;
        before_point = 1;
    }
    exp10 += (int)before_point - (int)leading_zeros - 1;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;

    int plain = style == ORM_DOUBLE_PLAIN ? exp10 >= -40 && exp10 <= 40
                                          : exp10 >= -4 && exp10 < 15;
    /* NUMERIC text has no negative zero */
    if (negative && !(style == ORM_DOUBLE_PLAIN && d == 0))
        out[pos++] = '-';
    if (!plain) {
        out[pos++] = digits[0];
        if (nd > 1) {
            out[pos++] = '.';
            memcpy(out + pos, digits + 1, nd - 1);
            pos += nd - 1;
        }
        pos = put_exponent(out, pos, exp10);
    } else if (exp10 < 0) {
        out[pos++] = '0';
        out[pos++] = '.';
        for (int i = 0; i < -exp10 - 1; i++)
            out[pos++] = '0';
        memcpy(out + pos, digits, nd);
        pos += nd;
    } else {
        for (int i = 0; i <= exp10; i++)
            out[pos++] = (size_t)i < nd ? digits[i] : '0';
        if (nd > (size_t)exp10 + 1) {
            out[pos++] = '.';
            memcpy(out + pos, digits + exp10 + 1, nd - (size_t)exp10 - 1);
            pos += nd - (size_t)exp10 - 1;
        } else if (style == ORM_DOUBLE_DECIMAL) {
            out[pos++] = '.';
            out[pos++] = '0';
        }
    }
    out[pos] = '\0';
    return pos;
}

size_t orm_double_text(char *out, double d, orm_double_style style)
{
    return shortest_text(out, d, style, 0);
}

size_t orm_float32_text(char *out, double f, orm_double_style style)
{
    return shortest_text(out, f, style, 1);
}

size_t orm_double_fixed(char *out, size_t size, double d, int decimals)
{
    if (size == 0)
        return 0;
    out[0] = '\0';
    if (decimals < 0 || decimals > 30)
        return 0;
    locale_t saved = orm_c_locale_enter();
    int len = snprintf(out, size, "%.*f", decimals, d);
    orm_c_locale_leave(saved);
    if (len < 0 || (size_t)len >= size) {
        out[0] = '\0';
        return 0;
    }
    return (size_t)len;
}

int orm_double_parse(double *out, const char *s, size_t n)
{
    char small[64];
    char *copy = small;
    /* strtod would skip leading spaces and stop at a NUL */
    if (n == 0 || s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r') ||
        memchr(s, '\0', n))
        return ORM_ETYPE;
    if (n >= sizeof small && !(copy = orm_malloc(n + 1)))
        return ORM_ENOMEM;
    memcpy(copy, s, n);
    copy[n] = '\0';

    char *end = NULL;
    locale_t saved = orm_c_locale_enter();
    errno = 0;
    double v = strtod(copy, &end);
    int overflow = errno == ERANGE && isinf(v);
    orm_c_locale_leave(saved);
    int rc = end != copy + n ? ORM_ETYPE : overflow ? 1 : 0;
    if (copy != small)
        free(copy);
    if (rc != ORM_ETYPE)
        *out = v;
    return rc;
}

int orm_int_parse(int64_t *out, const char *s, size_t n)
{
    size_t i = 0;
    int negative = 0;
    if (n && (s[0] == '-' || s[0] == '+'))
        negative = s[i++] == '-';
    if (i == n)
        return ORM_ETYPE;
    const size_t first = i;
    /* The magnitude as unsigned: INT64_MIN has no positive twin. Up to
     * 18 digits cannot overflow and need no check per digit. */
    const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
    uint64_t v = 0;
    int overflow = 0;
    for (; i < n; i++) {
        unsigned digit = (unsigned)(unsigned char)s[i] - '0';
        if (digit > 9)
            return ORM_ETYPE;
        if (i - first >= 18 && v > (limit - digit) / 10)
            overflow = 1;
        else
            v = v * 10 + digit;
    }
    if (overflow)
        return 1;
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int orm_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
