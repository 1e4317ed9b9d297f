/*
 * ISO 8601 dates and times (orm/sys/datetime.h): a cursor over the text
 * reads fixed-width fields, then each field's range is checked in the
 * order a person reads them, so that the first problem is the one named.
 * Calendar arithmetic for zone conversion uses H. Hinnant's days-from-civil
 * algorithms (proleptic Gregorian).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "c_locale.h"
#include "orm/sys/datetime.h"

typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly `width` digits. */
static int read_fixed(cursor *c, int width, int *out)
{
    int value = 0;
    if (c->end - c->p < width)
        return -1;
    for (int k = 0; k < width; k++) {
        if (!is_digit(c->p[k]))
            return -1;
        value = value * 10 + (c->p[k] - '0');
    }
    c->p += width;
    *out = value;
    return 0;
}

static int read_char(cursor *c, char want)
{
    if (c->p < c->end && *c->p == want) {
        c->p++;
        return 0;
    }
    return -1;
}

int orm_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

static orm_datetime_status scan_date(cursor *c, orm_datetime *dt)
{
    if (read_fixed(c, 4, &dt->year) || read_char(c, '-') ||
        read_fixed(c, 2, &dt->month) || read_char(c, '-') ||
        read_fixed(c, 2, &dt->day))
        return ORM_DATETIME_SHAPE;
    if (dt->year < 1)
        return ORM_DATETIME_YEAR;
    if (dt->month < 1 || dt->month > 12)
        return ORM_DATETIME_MONTH;
    if (dt->day < 1 || dt->day > orm_days_in_month(dt->year, dt->month))
        return ORM_DATETIME_DAY;
    dt->parts |= ORM_DATETIME_HAS_DATE;
    return ORM_DATETIME_OK;
}

static orm_datetime_status scan_time(cursor *c, orm_datetime *dt)
{
    dt->second = 0;
    dt->frac[0] = '\0';
    if (read_fixed(c, 2, &dt->hour) || read_char(c, ':') ||
        read_fixed(c, 2, &dt->minute))
        return ORM_DATETIME_SHAPE;
    if (read_char(c, ':') == 0) {
        if (read_fixed(c, 2, &dt->second))
            return ORM_DATETIME_SHAPE;
        if (read_char(c, '.') == 0) {
            size_t digits = 0;
            while (c->p + digits < c->end && is_digit(c->p[digits]))
                digits++;
            if (digits == 0)
                return ORM_DATETIME_SHAPE;
            if (digits > 6)
                return ORM_DATETIME_FRACTION;
            memcpy(dt->frac, c->p, digits);
            c->p += digits;
            while (digits && dt->frac[digits - 1] == '0')
                digits--;
            dt->frac[digits] = '\0';
        }
    }
    if (dt->hour > 23)
        return ORM_DATETIME_HOUR;
    if (dt->minute > 59)
        return ORM_DATETIME_MINUTE;
    if (dt->second > 59)
        return ORM_DATETIME_SECOND;
    dt->parts |= ORM_DATETIME_HAS_TIME;
    return ORM_DATETIME_OK;
}

static int looks_like_zone(const cursor *c)
{
    const char *p = c->p;
    if (p < c->end && *p == ' ')
        p++;
    return p < c->end && (*p == '+' || *p == '-' || *p == 'Z' || *p == 'z');
}

/* Z, ±HH, ±HHMM or ±HH:MM, after at most one space. */
static orm_datetime_status scan_zone(cursor *c, orm_datetime *dt)
{
    int hours = 0, minutes = 0, sign = 1;
    read_char(c, ' ');
    if (read_char(c, 'Z') == 0 || read_char(c, 'z') == 0) {
        dt->zone_minutes = 0;
        dt->parts |= ORM_DATETIME_HAS_ZONE;
        return ORM_DATETIME_OK;
    }
    if (read_char(c, '-') == 0)
        sign = -1;
    else if (read_char(c, '+'))
        return ORM_DATETIME_ZONE;
    if (read_fixed(c, 2, &hours))
        return ORM_DATETIME_ZONE;
    if (c->p < c->end) {
        read_char(c, ':');
        if (read_fixed(c, 2, &minutes))
            return ORM_DATETIME_ZONE;
    }
    if (hours > 15 || minutes > 59)
        return ORM_DATETIME_ZONE_RANGE;
    dt->zone_minutes = sign * (hours * 60 + minutes);
    dt->parts |= ORM_DATETIME_HAS_ZONE;
    return ORM_DATETIME_OK;
}

orm_datetime_status orm_datetime_parse(orm_datetime *out, const char *s,
                                       size_t n, orm_type type)
{
    cursor c = {s, s + n};
    orm_datetime_status st;
    memset(out, 0, sizeof *out);

    if (type == ORM_TIME) {
        if ((st = scan_time(&c, out)))
            return st;
        return c.p == c.end ? ORM_DATETIME_OK : ORM_DATETIME_SHAPE;
    }
    if (type != ORM_DATE && type != ORM_DATETIME && type != ORM_DATETIMETZ)
        return ORM_DATETIME_SHAPE;
    if ((st = scan_date(&c, out)))
        return st;
    if (type == ORM_DATE)
        return c.p == c.end ? ORM_DATETIME_OK : ORM_DATETIME_SHAPE;
    if (c.p == c.end || (*c.p != ' ' && *c.p != 'T' && *c.p != 't'))
        return ORM_DATETIME_SHAPE;
    c.p++;
    if ((st = scan_time(&c, out)))
        return st;
    if (type == ORM_DATETIME) {
        if (c.p == c.end)
            return ORM_DATETIME_OK;
        return looks_like_zone(&c) ? ORM_DATETIME_ZONE_UNWANTED
                                   : ORM_DATETIME_SHAPE;
    }
    if (c.p == c.end)
        return ORM_DATETIME_ZONE_MISSING;
    if ((st = scan_zone(&c, out)))
        return st;
    return c.p == c.end ? ORM_DATETIME_OK : ORM_DATETIME_SHAPE;
}

/* `v` (>= 0) in exactly `width` digits, as "%0*d" of v below 10^width. */
static char *put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* orm_datetime_text for fields in their ranges, written out by hand:
 * an export normalizes millions of values a second through here. */
static size_t datetime_text_fast(char *out, const orm_datetime *dt)
{
    char *p = out;
    if (dt->parts & ORM_DATETIME_HAS_DATE) {
        p = put_digits(p, dt->year % 10000, 4);
        *p++ = '-';
        p = put_digits(p, dt->month % 100, 2);
        *p++ = '-';
        p = put_digits(p, dt->day % 100, 2);
    }
    if (dt->parts & ORM_DATETIME_HAS_TIME) {
        if (p != out)
            *p++ = ' ';
        p = put_digits(p, dt->hour % 100, 2);
        *p++ = ':';
        p = put_digits(p, dt->minute % 100, 2);
        *p++ = ':';
        p = put_digits(p, dt->second % 100, 2);
        if (dt->frac[0]) {
            *p++ = '.';
            for (size_t i = 0; i < 6 && dt->frac[i]; i++)
                *p++ = dt->frac[i];
        }
    }
    if (dt->parts & ORM_DATETIME_HAS_ZONE) {
        int offset =
            dt->zone_minutes < 0 ? -dt->zone_minutes : dt->zone_minutes;
        *p++ = dt->zone_minutes < 0 ? '-' : '+';
        p = put_digits(p, (offset / 60) % 100, 2);
        *p++ = ':';
        p = put_digits(p, offset % 60, 2);
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t orm_datetime_text(char *out, const orm_datetime *dt)
{
    size_t len = 0, room = ORM_DATETIME_TEXT_MAX;
    int n;
    if (dt->year >= 0 && dt->month >= 0 && dt->day >= 0 && dt->hour >= 0 &&
        dt->minute >= 0 && dt->second >= 0 && dt->zone_minutes > INT_MIN)
        return datetime_text_fast(out, dt);
    out[0] = '\0';
    if (dt->parts & ORM_DATETIME_HAS_DATE) {
        n = snprintf(out, room, "%04d-%02d-%02d", dt->year % 10000,
                     dt->month % 100, dt->day % 100);
        len += n > 0 ? (size_t)n : 0;
    }
    if (dt->parts & ORM_DATETIME_HAS_TIME) {
        n = snprintf(out + len, room - len, "%s%02d:%02d:%02d%s%.6s",
                     len ? " " : "", dt->hour % 100, dt->minute % 100,
                     dt->second % 100, dt->frac[0] ? "." : "", dt->frac);
        len += n > 0 ? (size_t)n : 0;
    }
    if (dt->parts & ORM_DATETIME_HAS_ZONE) {
        int offset =
            dt->zone_minutes < 0 ? -dt->zone_minutes : dt->zone_minutes;
        n = snprintf(out + len, room - len, "%c%02d:%02d",
                     dt->zone_minutes < 0 ? '-' : '+', (offset / 60) % 100,
                     offset % 60);
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}

/* Days since 1970-01-01. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int orm_datetime_local_zone(int year, int month, int day, int hour)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_isdst = -1;
    if (mktime(&tm) == (time_t)-1)
        return 0;
    return (int)(tm.tm_gmtoff / 60);
}

void orm_datetime_to_utc(orm_datetime *dt)
{
    if (!(dt->parts & ORM_DATETIME_HAS_ZONE))
        return;
    long minutes = dt->hour * 60L + dt->minute - dt->zone_minutes;
    long days = days_from_civil(dt->year, dt->month, dt->day);
    while (minutes < 0) {
        minutes += 1440;
        days--;
    }
    days += minutes / 1440;
    minutes %= 1440;
    civil_from_days(days, &dt->year, &dt->month, &dt->day);
    dt->hour = (int)(minutes / 60);
    dt->minute = (int)(minutes % 60);
    dt->zone_minutes = 0;
    dt->parts &= ~(unsigned)ORM_DATETIME_HAS_ZONE;
}

/* The format is the caller's (a user's setting), not a literal. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
size_t orm_datetime_strftime(char *out, size_t size, const char *format,
                             const struct tm *tm)
{
    locale_t saved = orm_c_locale_enter();
    size_t n = strftime(out, size, format, tm);
    orm_c_locale_leave(saved);
    return n;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
