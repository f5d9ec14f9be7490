/*  supervisor/log.h - one line per message on stderr, with time, program
    and level, for the supervisor and the CLI. The lowest level printed
    comes from R2CI_LOG_LEVEL (debug, info, warn, error; default info), so
    there is no logger state to carry around.  */
#ifndef LOG_H_INCLUDED
#define LOG_H_INCLUDED

typedef enum { LOGL_DEBUG, LOGL_INFO, LOGL_WARN, LOGL_ERROR } log_level_t;

void log_write (log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

#define log_debug(...) log_write (LOGL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_write (LOGL_INFO, __VA_ARGS__)
#define log_warn(...)  log_write (LOGL_WARN, __VA_ARGS__)
#define log_error(...) log_write (LOGL_ERROR, __VA_ARGS__)

#endif
