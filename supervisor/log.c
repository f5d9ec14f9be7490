/*  supervisor/log.c - line logging: text or JSON, to stderr, a file (as
    stderr) or syslog, as the environment says.  */
#include "supervisor/log.h"

#include "common/config.h"
#include "common/names.h"
#include "shared/term.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

_Static_assert (LOGL_ERROR + 1 == NAMES_LOG_LEVELS, "a level per name");

static int
s_level_parse (const char *text, log_level_t *level_p)
{
    for (int i = LOGL_DEBUG; i <= LOGL_ERROR; i++)
        if (text && strcmp (text, names_log_levels [i]) == 0) {
            *level_p = (log_level_t) i;
            return 0;
        }
    errno = EINVAL;
    return -1;
}

static bool
s_format_known (const char *format)
{
    for (size_t i = 0; i < NAMES_LOG_FORMATS; i++)
        if (strcmp (format, names_log_formats [i]) == 0)
            return true;
    return false;
}

static log_level_t
s_threshold (void)
{
    int saved = errno;
    log_level_t level = LOGL_INFO;
    s_level_parse (getenv ("R2CI_LOG_LEVEL"), &level);
    errno = saved;
    return level;
}

static bool
s_json (void)
{
    const char *format = getenv ("R2CI_LOG_FORMAT");
    return format && strcmp (format, names_log_formats [CONFIG_LOG_JSON]) == 0;
}

static bool
s_syslog (void)
{
    const char *file = getenv ("R2CI_LOG_FILE");
    return file && strcmp (file, "syslog") == 0;
}

//  text as the inside of a JSON string, cut to fit buf.
static void
s_json_escape (const char *text, char *buf, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) text; *p && n + 7 < size; p++) {
        if (*p == '"' || *p == '\\') {
            buf [n++] = '\\';
            buf [n++] = (char) *p;
        }
        else
        if (*p == '\n') {
            buf [n++] = '\\';
            buf [n++] = 'n';
        }
        else
        if (*p < 0x20)
            n += (size_t) snprintf (buf + n, size - n, "\\u%04x", *p);
        else
            buf [n++] = (char) *p;
    }
    buf [n] = 0;
}

static void
s_timestamp (char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r (&ts.tv_sec, &tm);
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
              ts.tv_nsec / 1000000);
}

//  Writes one finished line (without its newline).
static void
s_emit (log_level_t level, const char *line)
{
    if (s_syslog ()) {
        static const int priorities [] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };
        syslog (priorities [level], "%s", line);
    }
    else
        fprintf (stderr, "%s\n", line);
}

//  "TIME PROGRAM LEVEL: ", the level coloured on a terminal; syslog
//  stamps its own time and program.
static int
s_text_prefix (log_level_t level, char *buf, size_t size)
{
    if (s_syslog ())
        return snprintf (buf, size, "%s: ", names_log_levels [level]);
    char stamp [32];
    s_timestamp (stamp, sizeof stamp);
    static const term_colour_t colours [] = {
        TERM_DIM, TERM_PLAIN, TERM_YELLOW, TERM_RED
    };
    bool colour = term_colour (STDERR_FILENO);
    return snprintf (buf, size, "%s %s %s%s%s: ", stamp, program_invocation_short_name,
                     term_sgr (colour, colours [level]), names_log_levels [level],
                     term_sgr (colour, TERM_PLAIN));
}

void
log_write (log_level_t level, const char *format, ...)
{
    if (level < s_threshold ())
        return;
    //  Callers log and then return -1 with errno: keep it (isatty and
    //  syslog may change it).
    int saved = errno;
    char message [2048];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    char line [4096];
    if (s_json ()) {
        char stamp [32], escaped [3000];
        s_timestamp (stamp, sizeof stamp);
        s_json_escape (message, escaped, sizeof escaped);
        snprintf (line, sizeof line,
                  "{\"time\":\"%s\",\"level\":\"%s\",\"program\":\"%s\",\"pid\":%d,"
                  "\"message\":\"%s\"}", stamp, names_log_levels [level],
                  program_invocation_short_name, (int) getpid (), escaped);
    }
    else {
        int n = s_text_prefix (level, line, sizeof line);
        if (n > 0 && (size_t) n < sizeof line)
            snprintf (line + n, sizeof line - (size_t) n, "%s", message);
    }
    s_emit (level, line);
    errno = saved;
}

void
log_event (log_level_t level, const char *event_json)
{
    if (level < s_threshold () || !event_json)
        return;
    int saved = errno;
    size_t length = strlen (event_json);
    char *line = malloc (length + 256);
    if (!line) {
        errno = saved;
        return;
    }
    if (s_json () && event_json [0] == '{') {
        //  The event's own fields follow ours in the same object (its "pid",
    //  when it has one, is a worker's: ours is left out).
        const char *rest = event_json + 1;
        snprintf (line, length + 256, "{\"level\":\"%s\",\"program\":\"%s\"%s%s",
                  names_log_levels [level], program_invocation_short_name,
                  *rest == '}'? "": ",", rest);
    }
    else {
        int n = s_text_prefix (level, line, length + 256);
        if (n > 0)
            memcpy (line + n, event_json, length + 1);
    }
    s_emit (level, line);
    free (line);
    errno = saved;
}

//  The first value given: argument, environment, config.
static const char *
s_pick (const char *argument, const char *variable, const char *config)
{
    if (argument)
        return argument;
    const char *value = getenv (variable);
    return value && *value? value: config;
}

int
log_setup (const char *level, const char *format, const char *file,
           const char *config_level, const char *config_format,
           const char *config_file, char *err, size_t size)
{
    level = s_pick (level, "R2CI_LOG_LEVEL", config_level);
    format = s_pick (format, "R2CI_LOG_FORMAT", config_format);
    file = s_pick (file, "R2CI_LOG_FILE", config_file);
    log_level_t parsed;
    char names [64];
    if (level && s_level_parse (level, &parsed)) {
        snprintf (err, size, "log level '%s' is not one of %s", level,
                  names_join (names_log_levels, ", ", ", ", names, sizeof names));
        return -1;
    }
    if (format && !s_format_known (format)) {
        snprintf (err, size, "log format '%s' is not %s", format,
                  names_join (names_log_formats, ", ", " or ", names, sizeof names));
        errno = EINVAL;
        return -1;
    }
    if (file && !*file) {
        snprintf (err, size, "the log file is empty: give a path, syslog or stderr");
        errno = EINVAL;
        return -1;
    }
    if (file && strcmp (file, "syslog") && strcmp (file, "stderr")) {
        int fd = open (file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd < 0) {
            int saved = errno;
            snprintf (err, size, "cannot open the log file %s: %s (check the folder "
                      "exists and is writable)", file, strerror (saved));
            errno = saved;
            return -1;
        }
        //  Our stderr, and so our children's, is the file from now on.
        if (fd != STDERR_FILENO) {
            int rc = dup2 (fd, STDERR_FILENO);
            int saved = errno;
            close (fd);
            if (rc < 0) {
                snprintf (err, size, "cannot log to %s: %s", file, strerror (saved));
                errno = saved;
                return -1;
            }
        }
    }
    if (file && strcmp (file, "syslog") == 0)
        openlog (program_invocation_short_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    //  Recorded for log_write and for the processes we start. A file is
    //  already open as stderr: children need not open it again.
    if ((level && setenv ("R2CI_LOG_LEVEL", level, 1))
    ||  (format && setenv ("R2CI_LOG_FORMAT", format, 1))
    ||  (file && setenv ("R2CI_LOG_FILE", strcmp (file, "syslog")? "stderr": "syslog", 1))) {
        snprintf (err, size, "out of memory");
        return -1;
    }
    return 0;
}
