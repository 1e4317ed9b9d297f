/**
 * @file
 * ORM_API, the mark of the public API's functions.
 *
 * The shared library is built with hidden visibility, so only what carries
 * this mark is exported from liborb.so; everything else stays internal to
 * it. In the static library the mark changes nothing.
 */
#ifndef ORM_API_H
#define ORM_API_H

#if defined(__GNUC__)
/** Exported from the shared library (default visibility). */
#define ORM_API __attribute__((visibility("default")))
#else
#define ORM_API
#endif

#endif
