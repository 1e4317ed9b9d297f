/*
 * bench_number: what locale-proof number text costs (orm/sys/number.h)
 * against the routines it replaced, on the same doubles and integers:
 *
 *   format   orm_double_text            vs the PostgreSQL driver's old
 *            %.15g/%.16g/%.17g loop (snprintf + strtod, current locale)
 *            and convert.c's old %.15g/%.17g under a locale object made
 *            per number (newlocale + uselocale + freelocale)
 *   parse    orm_double_parse           vs a bare strtod on a copy (the
 *            drivers) and convert.c's copy + locale object per number
 *   integer  orm_int_parse              vs strtoll on a copy (the drivers)
 *
 * Prints nanoseconds per number and new/old ratios (below 1: faster).
 *
 *   bench_number [-n COUNT] [--repeat K]   COUNT numbers (default 200000),
 *                                          median of K runs (default 5)
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "orm/sys/number.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the old routines, as they were, for comparison ---- */

static void old_pg_format(char *buf, size_t size, double f)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, f);
        if (strtod(buf, NULL) == f)
            return;
    }
}

static void old_convert_format(char *buf, size_t size, double f)
{
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t saved = c ? uselocale(c) : (locale_t)0;
    snprintf(buf, size, "%.15g", f);
    if (strtod(buf, NULL) != f)
        snprintf(buf, size, "%.17g", f);
    if (c) {
        uselocale(saved);
        freelocale(c);
    }
}

static int old_driver_parse(const char *s, size_t n, double *out)
{
    char buf[80], *end = NULL;
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    *out = strtod(buf, &end);
    return errno != ERANGE && !*end && end != buf;
}

static int old_convert_parse(const char *s, size_t n, double *out)
{
    char *copy = strndup(s, n), *end = NULL;
    if (!copy)
        return 0;
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t saved = c ? uselocale(c) : (locale_t)0;
    *out = strtod(copy, &end);
    if (c) {
        uselocale(saved);
        freelocale(c);
    }
    int ok = end != copy && !*end;
    free(copy);
    return ok;
}

static int old_int_parse(const char *s, size_t n, int64_t *out)
{
    char buf[32], *end = NULL;
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    *out = (int64_t)v;
    return !errno && !*end;
}

/* ---- runs ---- */

enum {
    FORMAT_NEW,
    FORMAT_PG,
    FORMAT_CONVERT,
    PARSE_NEW,
    PARSE_DRIVER,
    PARSE_CONVERT,
    INT_NEW,
    INT_OLD,
    NCASES
};
static const char *const case_names[] = {
    "format orm_double_text", "format old pg driver", "format old convert.c",
    "parse orm_double_parse", "parse old drivers",    "parse old convert.c",
    "integer orm_int_parse",  "integer old strtoll"};

typedef struct work {
    size_t n;
    double *values;
    char (*texts)[ORM_DOUBLE_TEXT_MAX];
    char (*ints)[24];
} work;

static double run(const work *w, int which, double *sink)
{
    char buf[ORM_DOUBLE_TEXT_MAX];
    double sum = 0, d = 0;
    int64_t i64 = 0;
    double start = now();
    for (size_t i = 0; i < w->n; i++) {
        const char *t = w->texts[i], *it = w->ints[i];
        switch (which) {
        case FORMAT_NEW:
            sum += (double)orm_double_text(buf, w->values[i], ORM_DOUBLE_SHORT);
            break;
        case FORMAT_PG:
            old_pg_format(buf, sizeof buf, w->values[i]);
            sum += buf[0];
            break;
        case FORMAT_CONVERT:
            old_convert_format(buf, sizeof buf, w->values[i]);
            sum += buf[0];
            break;
        case PARSE_NEW:
            orm_double_parse(&d, t, strlen(t));
            sum += d;
            break;
        case PARSE_DRIVER:
            old_driver_parse(t, strlen(t), &d);
            sum += d;
            break;
        case PARSE_CONVERT:
            old_convert_parse(t, strlen(t), &d);
            sum += d;
            break;
        case INT_NEW:
            orm_int_parse(&i64, it, strlen(it));
            sum += (double)i64;
            break;
        case INT_OLD:
            old_int_parse(it, strlen(it), &i64);
            sum += (double)i64;
            break;
        }
    }
    *sink += sum;
    return (now() - start) / (double)w->n * 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t n = 200000;
    int repeat = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = (int)strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: %s [-n COUNT] [--repeat K]\n", argv[0]);
            return 2;
        }
    }
    if (n == 0 || repeat < 1 || repeat > 99)
        return 2;

    /* Prices, measurements and ratios as tables hold them: a mix of
     * two-decimal amounts, short decimals and full-precision doubles. */
    work w = {n, calloc(n, sizeof(double)), calloc(n, sizeof *w.texts),
              calloc(n, sizeof *w.ints)};
    if (!w.values || !w.texts || !w.ints)
        return 1;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        switch (i % 3) {
        case 0:
            w.values[i] = (double)(x % 1000000) / 100.0;
            break;
        case 1:
            w.values[i] = (double)(x % 1000) / 8.0 - 60.0;
            break;
        default:
            w.values[i] = (double)(x >> 11) / 9007199254740992.0 * 1e6;
            break;
        }
        orm_double_text(w.texts[i], w.values[i], ORM_DOUBLE_SHORT);
        snprintf(w.ints[i], sizeof w.ints[i], "%lld",
                 (long long)(x >> (i % 40)) * (i % 2 ? 1 : -1));
    }

    double sink = 0, times[NCASES][99];
    for (int r = 0; r < repeat; r++)
        for (int c = 0; c < NCASES; c++)
            times[c][r] = run(&w, c, &sink);
    double median[NCASES];
    for (int c = 0; c < NCASES; c++) {
        qsort(times[c], (size_t)repeat, sizeof times[c][0], cmp_double);
        median[c] = times[c][repeat / 2];
        printf("%-24s %8.1f ns\n", case_names[c], median[c]);
    }
    printf("ratio format new/old pg driver   %.2f\n",
           median[FORMAT_NEW] / median[FORMAT_PG]);
    printf("ratio format new/old convert.c   %.2f\n",
           median[FORMAT_NEW] / median[FORMAT_CONVERT]);
    printf("ratio parse new/old drivers      %.2f\n",
           median[PARSE_NEW] / median[PARSE_DRIVER]);
    printf("ratio parse new/old convert.c    %.2f\n",
           median[PARSE_NEW] / median[PARSE_CONVERT]);
    printf("ratio integer new/old strtoll    %.2f\n",
           median[INT_NEW] / median[INT_OLD]);
    fprintf(stderr, "(checksum %g)\n", sink);
    free(w.values);
    free(w.texts);
    free(w.ints);
    return 0;
}
