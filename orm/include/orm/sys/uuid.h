/**
 * @file
 * UUIDs as text: the one canonical form (lower case 8-4-4-4-12) that the
 * core shows and compares, and that a driver without a uuid type gives
 * the database (SQLite's orb_uuid()), from whatever another program
 * stored.
 */
#ifndef ORM_SYS_UUID_H
#define ORM_SYS_UUID_H

#include <stddef.h>

#include "orm/api.h"

/** Room for a UUID's canonical text, NUL included. */
#define ORM_UUID_TEXT_MAX 37

/**
 * The canonical text of the UUID written in the `n` bytes at `s` (dashed,
 * 32 hex digits without dashes, or either in braces; any case; white
 * space around it ignored) into `out`. Returns 0; -1 when `s` is none of these
 * (`out` is then undefined).
 */
ORM_API int orm_uuid_canon(char *out, const char *s, size_t n);

/** The canonical text of a UUID's 16 bytes, in the order RFC 4122
 * writes them (Python's uuid.bytes), into `out`. */
ORM_API void orm_uuid_from_bytes(char *out, const unsigned char *bytes);

#endif
