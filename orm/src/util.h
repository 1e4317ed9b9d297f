/* Small internal helpers shared by the core's files. */
#ifndef ORM_UTIL_H
#define ORM_UTIL_H

#include <stdint.h>
#include <stdlib.h>

/* Free memory held through a pointer-to-const (owned run-time data). */
static inline void orm_free_const(const void *p)
{
    free((void *)(uintptr_t)p);
}

#define ORM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
