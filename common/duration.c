/*  common/duration.c - durations written with units, to and from
    milliseconds.  */
#include "common/duration.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int64_t ms;
} unit_t;

//  Longest names first, so "ms" is not read as "m" followed by junk.
static const unit_t s_units [] = {
    { "ms", 1 },
    { "s", 1000 },
    { "m", 60 * 1000 },
    { "h", 60 * 60 * 1000 },
    { "d", 24 * 60 * 60 * 1000 },
};
#define UNIT_COUNT (sizeof s_units / sizeof s_units [0])

static bool
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

int
duration_parse (const char *text, int64_t *ms_p)
{
    if (!text)
        return errno = EINVAL, -1;
    const char *p = text;
    if (!s_is_digit (*p))
        return errno = EINVAL, -1;      //  also refuses signs and blanks
    //  The whole part is checked against the unit once the unit is known;
    //  here it only has to fit in int64_t.
    int64_t whole = 0;
    bool overflow = false;
    for (; s_is_digit (*p); p++) {
        int digit = *p - '0';
        if (whole > (INT64_MAX - digit) / 10)
            overflow = true;
        else
            whole = whole * 10 + digit;
    }
    //  Up to 18 fraction digits keep fraction and scale inside int64_t.
    int64_t fraction = 0, scale = 1;
    if (*p == '.') {
        p++;
        if (!s_is_digit (*p))
            return errno = EINVAL, -1;
        for (; s_is_digit (*p); p++) {
            if (scale >= 1000000000000000000LL)
                return errno = EINVAL, -1;
            fraction = fraction * 10 + (*p - '0');
            scale *= 10;
        }
    }
    while (*p == ' ')
        p++;
    int64_t unit = 1;
    if (*p) {
        size_t i;
        for (i = 0; i < UNIT_COUNT; i++)
            if (strcmp (p, s_units [i].name) == 0)
                break;
        if (i == UNIT_COUNT)
            return errno = EINVAL, -1;
        unit = s_units [i].ms;
    }
    else
    if (p > text && p [-1] == ' ')
        return errno = EINVAL, -1;      //  "10 " names no unit
    if (overflow || whole > INT64_MAX / unit)
        return errno = ERANGE, -1;
    int64_t ms = whole * unit;
    if (fraction) {
        //  fraction / scale of a unit must be whole milliseconds; reduce
        //  first so unit * fraction cannot overflow.
        while (fraction % 10 == 0) {
            fraction /= 10;
            scale /= 10;
        }
        if (scale > unit || unit % scale)
            return errno = EINVAL, -1;
        int64_t extra = fraction * (unit / scale);
        if (ms > INT64_MAX - extra)
            return errno = ERANGE, -1;
        ms += extra;
    }
    *ms_p = ms;
    return 0;
}

int
duration_format (int64_t ms, char *buf, size_t size)
{
    if (ms < 0)
        return errno = EINVAL, -1;
    int written;
    if (ms == 0)
        written = snprintf (buf, size, "0s");
    else {
        size_t i = UNIT_COUNT;
        while (--i > 0 && ms % s_units [i].ms)
            ;
        if (i > 0)
            written = snprintf (buf, size, "%lld%s",
                                (long long) (ms / s_units [i].ms), s_units [i].name);
        else
        if (ms >= 1000) {
            //  Seconds with the millisecond part, trailing zeros dropped.
            int part = (int) (ms % 1000);
            int digits = 3;
            while (part % 10 == 0) {
                part /= 10;
                digits--;
            }
            written = snprintf (buf, size, "%lld.%0*ds",
                                (long long) (ms / 1000), digits, part);
        }
        else
            written = snprintf (buf, size, "%lldms", (long long) ms);
    }
    if (written < 0 || (size_t) written >= size)
        return errno = ENOBUFS, -1;
    return 0;
}
