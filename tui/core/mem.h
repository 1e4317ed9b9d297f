/*
 * Every allocation of the orb program goes through tui_malloc,
 * tui_calloc, tui_realloc and tui_strdup (what they return is released
 * with free()), as the core's go through orm_malloc (orm/src/alloc.h): a
 * test can install a hook that makes any one of them fail, as if memory
 * ran out. tests/test_tui_oom.c fails the Nth allocation, the program's
 * or the core's, for every N across a key-fed workload and checks that
 * each failure is shown, leaks nothing and loses no pending change or
 * typed text. The hook is for tests only, one global, set while no other
 * thread runs; it lives in the program, not in liborb.
 */
#ifndef TUI_MEM_H
#define TUI_MEM_H

#include <stddef.h>

/* Called before each allocation with its size and the place in the
 * source that asks; non-zero makes the allocation fail. */
typedef int (*tui_mem_hook)(size_t size, const char *file, int line,
                            void *payload);
/* Install `hook` (NULL: none, the default). */
void tui_mem_hook_set(tui_mem_hook hook, void *payload);

void *tui_mem_malloc(size_t size, const char *file, int line);
void *tui_mem_calloc(size_t count, size_t size, const char *file, int line);
void *tui_mem_realloc(void *ptr, size_t size, const char *file, int line);
char *tui_mem_strdup(const char *s, const char *file, int line);

#define tui_malloc(size) tui_mem_malloc((size), __FILE__, __LINE__)
#define tui_calloc(count, size)                                                \
    tui_mem_calloc((count), (size), __FILE__, __LINE__)
#define tui_realloc(ptr, size)                                                 \
    tui_mem_realloc((ptr), (size), __FILE__, __LINE__)
#define tui_strdup(s) tui_mem_strdup((s), __FILE__, __LINE__)

#endif
