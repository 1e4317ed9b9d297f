/*
 * What every fuzz target shares: the libFuzzer entry point's prototype,
 * a NUL-terminated copy of the input, and an abort that names the broken
 * property (a crash is how a fuzzer reports). Each fuzz_NAME.c feeds one
 * parser of outside input; built with clang and -DORB_FUZZ=ON they are
 * libFuzzer programs, otherwise replay.c runs them over their corpus
 * (tests/fuzz/corpus/NAME/) as an ordinary test.
 */
#ifndef ORB_FUZZ_H
#define ORB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (cut at its first NUL, as a C caller sees it).
 * The caller frees it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A property that must hold for every input. */
#define FUZZ_ASSERT(cond, ...)                                                 \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif
