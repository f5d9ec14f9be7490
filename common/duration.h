/*  common/duration.h - durations as people write them in config files
    ("100ms", "10s", "2.5s", "5m", "7d", or a plain integer of ms), and back.  */
#ifndef DURATION_H_INCLUDED
#define DURATION_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

//  Room duration_format needs for any value, terminator included.
#define DURATION_FORMAT_SIZE 32

//  Parse text as a duration in milliseconds: a whole or decimal number
//  followed by an optional unit (ms, s, m, h, d; spaces before the unit
//  are allowed). With no unit the number is milliseconds. The result must
//  be a whole number of milliseconds ("0.5ms" is refused) and is never
//  negative. Returns 0 and sets *ms_p, or -1 with errno EINVAL (bad
//  syntax, unknown unit, negative, fraction of a millisecond) or ERANGE
//  (does not fit in int64_t). *ms_p is untouched on failure.
int duration_parse (const char *text, int64_t *ms_p);

//  Write ms in the shortest form duration_parse reads back to the same
//  value: the largest unit that divides it ("7d", "90s"), else seconds
//  with a decimal part ("2.5s"), else milliseconds ("250ms"); 0 is "0s".
//  Returns 0, or -1 with errno EINVAL (ms negative) or ENOBUFS (size
//  below what the text needs; DURATION_FORMAT_SIZE is always enough).
int duration_format (int64_t ms, char *buf, size_t size);

#endif
