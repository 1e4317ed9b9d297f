/* The core's allocations and the test hook that can fail them (alloc.h). */
#include <stdlib.h>

#include "alloc.h"

static orm_alloc_hook alloc_hook;
static void *alloc_payload;

void orm_alloc_hook_set(orm_alloc_hook hook, void *payload)
{
    alloc_hook = hook;
    alloc_payload = payload;
}

static int alloc_fails(size_t size, const char *file, int line)
{
    return alloc_hook && alloc_hook(size, file, line, alloc_payload);
}

void *orm_alloc_malloc(size_t size, const char *file, int line)
{
    return alloc_fails(size, file, line) ? NULL : malloc(size);
}

void *orm_alloc_calloc(size_t count, size_t size, const char *file, int line)
{
    return alloc_fails(count * size, file, line) ? NULL : calloc(count, size);
}

void *orm_alloc_realloc(void *ptr, size_t size, const char *file, int line)
{
    return alloc_fails(size, file, line) ? NULL : realloc(ptr, size);
}
