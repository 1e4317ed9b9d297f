/*
 * Typed conversion's shared internals: the error helpers and text
 * helpers convert.c (text <-> value, checking), convert_number.c
 * (integers, floats, booleans, decimals, normalizing) and generate.c
 * (default generators) use.
 */
#ifndef ORB_CONVERT_H
#define ORB_CONVERT_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) && defined(__GLIBC__) &&                                \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#include <sys/random.h>
#define ORM_HAVE_GETRANDOM 1
#endif

#include <jansson.h>
#include <utf8proc.h>

#include "internal.h"
#include "orm/model.h"
#include "orm/sys/buf.h"
#include "orm/sys/uuid.h"
#include "orm/sys/datetime.h"
#include "orm/sys/number.h"
#include "util.h"

#define MSG_REQUIRED "a value is required (use NULL for none)"

/* ---- convert.c ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int
convert_type_error(orm_error *err, const orm_column *col, const char *fmt, ...);
int convert_nomem(orm_error *err);
int convert_expected_error(orm_error *err, const orm_column *col);
int convert_is_space(char c);
int convert_is_digit(char c);
void convert_trim(const char **s, size_t *n);
int convert_value_set_text(orm_value *v, const char *s, size_t n);
void convert_value_set_scalar(orm_value *v, orm_value scalar);
int convert_parse_temporal(const orm_column *col, const char *s, size_t n,
                           char *out, orm_error *err);
int convert_text_out(orm_value *out, const char *s, size_t n, orm_error *err);

/* ---- convert_number.c ---- */

void convert_int_range(orm_type type, int64_t *lo, int64_t *hi);
int convert_range_error(orm_error *err, const orm_column *col);
int convert_parse_int(const orm_column *col, const char *s, size_t n,
                      int64_t *out, orm_error *err);
int convert_parse_float(const orm_column *col, const char *s, size_t n,
                        double *out, orm_error *err);
int convert_col_is_float32(const orm_column *col);
int convert_bool_scan(const char *s, size_t n);
int convert_numeric_canon(orm_buf *out, const orm_column *col, const char *s,
                          size_t n, int check_digits);
int convert_numeric_error(orm_error *err, const orm_column *col, int status);

#endif
