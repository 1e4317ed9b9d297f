/* The program's allocations and the test hook that can fail them (mem.h). */
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static tui_mem_hook mem_hook;
static void *mem_payload;

void tui_mem_hook_set(tui_mem_hook hook, void *payload)
{
    mem_hook = hook;
    mem_payload = payload;
}

static int mem_fails(size_t size, const char *file, int line)
{
    return mem_hook && mem_hook(size, file, line, mem_payload);
}

void *tui_mem_malloc(size_t size, const char *file, int line)
{
    return mem_fails(size, file, line) ? NULL : malloc(size);
}

void *tui_mem_calloc(size_t count, size_t size, const char *file, int line)
{
    return mem_fails(count * size, file, line) ? NULL : calloc(count, size);
}

void *tui_mem_realloc(void *ptr, size_t size, const char *file, int line)
{
    return mem_fails(size, file, line) ? NULL : realloc(ptr, size);
}

char *tui_mem_strdup(const char *s, const char *file, int line)
{
    size_t n = strlen(s) + 1;
    char *copy = tui_mem_malloc(n, file, line);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}
