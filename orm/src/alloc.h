/*
 * Every allocation the core and its drivers make goes through orm_malloc,
 * orm_calloc and orm_realloc (what they return is released with free();
 * the client libraries' own allocations do not come here). A test can
 * install a hook that makes any one of them fail, as if memory ran out:
 * tests/test_oom.c fails the Nth allocation for every N across a
 * workload and checks that each failure is an error, leaks nothing and
 * loses no pending change (curl's torture mode, SQLite's test_malloc.c).
 * The hook is for tests only: it is not part of the public API, and it
 * is one global, set while no other thread uses the library.
 */
#ifndef ORM_ALLOC_H
#define ORM_ALLOC_H

#include <stddef.h>

/* Called before each allocation with its size and the place in the
 * source that asks; non-zero makes the allocation fail. */
typedef int (*orm_alloc_hook)(size_t size, const char *file, int line,
                              void *payload);
/* Install `hook` (NULL: none, the default). */
void orm_alloc_hook_set(orm_alloc_hook hook, void *payload);

void *orm_alloc_malloc(size_t size, const char *file, int line);
void *orm_alloc_calloc(size_t count, size_t size, const char *file, int line);
void *orm_alloc_realloc(void *ptr, size_t size, const char *file, int line);

#define orm_malloc(size) orm_alloc_malloc((size), __FILE__, __LINE__)
#define orm_calloc(count, size)                                                \
    orm_alloc_calloc((count), (size), __FILE__, __LINE__)
#define orm_realloc(ptr, size)                                                 \
    orm_alloc_realloc((ptr), (size), __FILE__, __LINE__)

#endif
