/*
 * Small helpers the benchmarks share: a monotonic clock, a seeded PRNG
 * and the distinct random keys drawn from it, a buffered source of random
 * hex tokens, resident-set-size probes, medians and number parsing.
 *
 * Every bench/NAME.c is its own executable (CMakeLists globs them), so the
 * helpers live here as static inline functions rather than in a second
 * .c file that would become a program of its own.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: the same seed gives the same keys on every run and side. */
typedef struct bench_rng {
    uint64_t state;
} bench_rng;

static inline uint64_t bench_rng_next(bench_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A uniform integer in [0, bound) (bound > 0), without modulo bias. */
static inline uint64_t bench_rng_below(bench_rng *r, uint64_t bound)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do
        x = bench_rng_next(r);
    while (x >= limit);
    return x % bound;
}

/*
 * `count` distinct keys from 1..nrows in random order (a partial
 * Fisher-Yates shuffle), so that no lookup can hit an identity map or a
 * cache warmed by an earlier key. Owned array (free()), NULL when out of
 * memory. count must not exceed nrows.
 */
static inline int64_t *bench_keys_make(size_t nrows, size_t count,
                                       uint64_t seed)
{
    int64_t *all = malloc((nrows ? nrows : 1) * sizeof *all);
    bench_rng rng = {seed};
    if (!all)
        return NULL;
    for (size_t i = 0; i < nrows; i++)
        all[i] = (int64_t)i + 1;
    for (size_t i = 0; i < count && i + 1 < nrows; i++) {
        size_t j = i + (size_t)bench_rng_below(&rng, nrows - i);
        int64_t t = all[i];
        all[i] = all[j];
        all[j] = t;
    }
    return all;
}

/*
 * Random hex tokens the way a careful raw program makes them: random
 * bytes fetched from the kernel in large blocks, not one system call per
 * token.
 */
typedef struct bench_hex {
    unsigned char pool[4096];
    size_t used;
} bench_hex;

static inline void bench_hex_init(bench_hex *h)
{
    h->used = sizeof h->pool;
}

/* Write 2*nbytes hex digits and a NUL to out. 0, or -1 if the kernel
 * gives no random bytes. nbytes <= sizeof pool. */
static inline int bench_hex_token(bench_hex *h, char *out, size_t nbytes)
{
    static const char digits[] = "0123456789abcdef";
    if (h->used + nbytes > sizeof h->pool) {
        size_t got = 0;
        while (got < sizeof h->pool) {
            ssize_t n = getrandom(h->pool + got, sizeof h->pool - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return -1;
            got += (size_t)n;
        }
        h->used = 0;
    }
    for (size_t i = 0; i < nbytes; i++) {
        unsigned char b = h->pool[h->used++];
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 15];
    }
    out[2 * nbytes] = '\0';
    return 0;
}

/* Resident set size now, in KiB (0 if /proc is unreadable). */
static inline long bench_rss_now_kib(void)
{
    long pages_total = 0, pages_resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2)
        pages_resident = 0;
    fclose(f);
    return pages_resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Peak resident set size of the process so far, in KiB (getrusage). */
static inline long bench_rss_peak_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return ru.ru_maxrss;
}

static inline int bench_double_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Median of n values (sorts them in place); negative when n is 0. */
static inline double bench_median(double *v, size_t n)
{
    if (n == 0)
        return -1.0;
    qsort(v, n, sizeof *v, bench_double_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* A whole number >= min from a command-line argument; accepts a k/M
 * suffix (1M = 1000000). 0 or -1. */
static inline int bench_parse_count(long long *out, const char *text,
                                    long long min)
{
    char *end = NULL;
    long long v;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || end == text)
        return -1;
    if (*end == 'k' || *end == 'K') {
        v *= 1000;
        end++;
    } else if (*end == 'm' || *end == 'M') {
        v *= 1000000;
        end++;
    }
    if (*end || v < min)
        return -1;
    *out = v;
    return 0;
}

#endif
