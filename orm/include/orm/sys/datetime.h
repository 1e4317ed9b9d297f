/**
 * @file
 * Dates and times as ISO 8601 text: the one parser and printer. The core
 * checks and canonicalizes what people type and databases return with it,
 * drivers convert zoned timestamps with it, the orb program reads days
 * and shows dates in a chosen format with it. The ISO text has only digits
 * and fixed punctuation; named days and months are the C locale's.
 */
#ifndef ORM_SYS_DATETIME_H
#define ORM_SYS_DATETIME_H

#include <stddef.h>
#include <time.h>

#include "orm/api.h"

#include "orm/model.h"

/** Room for orm_datetime_text()'s output, NUL included:
 * "YYYY-MM-DD HH:MM:SS.ffffff+HH:MM". */
#define ORM_DATETIME_TEXT_MAX 40

/** Which parts a value has (orm_datetime.parts). */
enum {
    ORM_DATETIME_HAS_DATE = 1, /**< year, month, day */
    ORM_DATETIME_HAS_TIME = 2, /**< hour, minute, second, frac */
    ORM_DATETIME_HAS_ZONE = 4  /**< zone_minutes */
};

/** A date, time of day, timestamp or zoned timestamp. */
typedef struct orm_datetime {
    int year;   /**< 1 to 9999 */
    int month;  /**< 1 to 12 */
    int day;    /**< 1 to the month's last day */
    int hour;   /**< 0 to 23 */
    int minute; /**< 0 to 59 */
    int second; /**< 0 to 59 */
    /** Fraction-of-second digits without trailing zeros ("25" for .250),
     * at most 6. */
    char frac[8];
    int zone_minutes; /**< offset east of UTC, -15:59 to +15:59 */
    unsigned parts;   /**< ORM_DATETIME_HAS_* */
} orm_datetime;

/** What orm_datetime_parse() found wrong; the fields read so far stay in
 * the result (the day's message names year and month). */
typedef enum orm_datetime_status {
    ORM_DATETIME_OK = 0,
    ORM_DATETIME_SHAPE,      /**< not the type's shape */
    ORM_DATETIME_YEAR,       /**< year 0000 */
    ORM_DATETIME_MONTH,      /**< month outside 01-12 */
    ORM_DATETIME_DAY,        /**< day past the month's end */
    ORM_DATETIME_HOUR,       /**< hour past 23 */
    ORM_DATETIME_MINUTE,     /**< minutes past 59 */
    ORM_DATETIME_SECOND,     /**< seconds past 59 */
    ORM_DATETIME_FRACTION,   /**< more than 6 decimals of a second */
    ORM_DATETIME_ZONE,       /**< a zone that is not Z, ±HH, ±HHMM, ±HH:MM */
    ORM_DATETIME_ZONE_RANGE, /**< an offset past ±15:59 */
    ORM_DATETIME_ZONE_UNWANTED, /**< a zone on a DateTime */
    ORM_DATETIME_ZONE_MISSING   /**< no zone on a DateTimeTZ */
} orm_datetime_status;

/**
 * Read the `n` bytes at `s` as a value of `type`: ORM_DATE
 * "YYYY-MM-DD", ORM_TIME "HH:MM[:SS[.ffffff]]", ORM_DATETIME a date, ' '
 * or 'T', and a time, ORM_DATETIMETZ the same followed by Z, ±HH, ±HHMM
 * or ±HH:MM (after at most one space). Returns ORM_DATETIME_OK or what is
 * wrong; any other type is ORM_DATETIME_SHAPE.
 */
ORM_API orm_datetime_status orm_datetime_parse(orm_datetime *out, const char *s,
                                               size_t n, orm_type type);

/**
 * The canonical text of the parts `dt` has into `out`
 * (ORM_DATETIME_TEXT_MAX bytes): "YYYY-MM-DD", "HH:MM:SS[.f]", joined by a
 * space, then "+HH:MM". Returns the length.
 */
ORM_API size_t orm_datetime_text(char *out, const orm_datetime *dt);

/** The same instant in UTC, without a zone (a timestamp with a zone). */
ORM_API void orm_datetime_to_utc(orm_datetime *dt);

/**
 * strftime() of `tm` with `format` in the C locale: day and month names
 * and the %c and %x forms are the same whatever LC_TIME the program chose
 * (the orb program sets only LC_CTYPE). Returns the length, 0 when the
 * result does not fit `size` bytes.
 */
ORM_API size_t orm_datetime_strftime(char *out, size_t size, const char *format,
                                     const struct tm *tm);

/**
 * The local time zone's offset east of UTC, in minutes, at `hour`:00
 * local time on a day (the process's TZ; daylight saving as that day
 * has it). What a plain date typed for a DateTimeTZ means
 * (orm_value_parse_input), and the filter builder's days.
 */
ORM_API int orm_datetime_local_zone(int year, int month, int day, int hour);

/** Days in a month of the proleptic Gregorian calendar. */
ORM_API int orm_days_in_month(int year, int month);

#endif
