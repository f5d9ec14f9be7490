/*  supervisor/log.c - line logging to stderr.  */
#include "supervisor/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static log_level_t
s_threshold (void)
{
    const char *level = getenv ("R2CI_LOG_LEVEL");
    if (!level)
        return LOGL_INFO;
    if (strcmp (level, "debug") == 0)
        return LOGL_DEBUG;
    if (strcmp (level, "warn") == 0)
        return LOGL_WARN;
    if (strcmp (level, "error") == 0)
        return LOGL_ERROR;
    return LOGL_INFO;
}

void
log_write (log_level_t level, const char *format, ...)
{
    if (level < s_threshold ())
        return;
    static const char *const names [] = { "debug", "info", "warn", "error" };
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r (&ts.tv_sec, &tm);
    char line [2048];
    int n = snprintf (line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                      tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                      program_invocation_short_name, names [level]);
    va_list args;
    va_start (args, format);
    if (n > 0 && (size_t) n < sizeof line)
        vsnprintf (line + n, sizeof line - (size_t) n, format, args);
    va_end (args);
    fprintf (stderr, "%s\n", line);
}
