/*  supervisor/log.h - one line per message or event, for the supervisor and
    the CLI: human text (level coloured on a terminal) or JSON lines, to
    stderr, a file or syslog. The settings live in the environment
    (R2CI_LOG_LEVEL, R2CI_LOG_FORMAT, R2CI_LOG_FILE), so there is no logger
    state to carry around and child processes inherit them.  */
#ifndef LOG_H_INCLUDED
#define LOG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef enum { LOGL_DEBUG, LOGL_INFO, LOGL_WARN, LOGL_ERROR } log_level_t;

//  One line: in text, "TIME PROGRAM LEVEL: MESSAGE"; in JSON,
//  {"time", "level", "program", "pid", "message"}. Lines below the level
//  (default info) are dropped.
void log_write (log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  One event, event_json a compact JSON object (it has its own "time" and
//  "type"): in text, the object after the usual prefix; in JSON, the
//  object's fields with "level" and "program" added in front.
void log_event (log_level_t level, const char *event_json);

//  Settles the logging of this process and its children from the first
//  of: the argument (NULL: not given), the variable already in the
//  environment, the config's value (NULL: not set). level is debug, info,
//  warn or error; format text or json; file a path (appended to; stderr is
//  pointed at it, so child processes write there too), "syslog" (syslog(3)
//  with facility daemon, which journald collects) or "stderr".
//  Returns 0, or -1 with errno (EINVAL for a bad value, or why the file
//  cannot be opened) and a one-line message in err.
int log_setup (const char *level, const char *format, const char *file,
               const char *config_level, const char *config_format,
               const char *config_file, char *err, size_t size);

#define log_debug(...) log_write (LOGL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_write (LOGL_INFO, __VA_ARGS__)
#define log_warn(...)  log_write (LOGL_WARN, __VA_ARGS__)
#define log_error(...) log_write (LOGL_ERROR, __VA_ARGS__)

#endif
