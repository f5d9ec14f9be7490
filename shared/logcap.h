/*  shared/logcap.h - captured logs: each local worker's stderr comes
    to the supervisor through a pipe and is written, one stamped line at a
    time, to its component's file in the logs folder (STATE/logs), which
    is rotated at a size bound (NAME.log, NAME.log.1, ...). The same goes
    for the supervisor's own log when it is STATE/logs/supervisor.log (a
    detached supervisor's): kept under the same bound. No czmq: the
    caller polls the pipes.  */
#ifndef LOGCAP_H_INCLUDED
#define LOGCAP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct logcap logcap_t;

//  The logs folder of a supervisor whose state folder is state (its
//  runtime folder when state is "": a tree without a journal), into buf.
//  0, or -1 with errno ENAMETOOLONG.
int logcap_dir_for (const char *state, const char *runtime, char *buf, size_t size);

//  Captured logs in dir (made, mode 0700), each file rotated once it
//  would pass max_size bytes, max_files files kept per log (the current
//  one included). When the process's stderr is not dir/supervisor.log,
//  captured lines are copied there too, as the worker wrote them (a
//  supervisor in the foreground shows its workers' errors). NULL with
//  errno when dir cannot be made.
logcap_t *logcap_new (const char *dir, uint64_t max_size, uint32_t max_files);
//  Closes every pipe and file. Accepts NULL; nulls *self_p.
void logcap_destroy (logcap_t **self_p);
//  New bounds, from the next write on (a reload).
void logcap_set_limits (logcap_t *self, uint64_t max_size, uint32_t max_files);
const char *logcap_dir (const logcap_t *self);

//  A pipe for a worker of log name ("parser"): returns the read end
//  (close-on-exec, non-blocking), which the caller polls, and puts the
//  write end (close-on-exec: the spawn dup2's it to the child's stderr,
//  then the caller closes it) in *child_fd. -1 with errno.
int logcap_open (logcap_t *self, const char *name, int *child_fd);
//  The pid its lines are stamped with, once the worker is spawned.
void logcap_set_pid (logcap_t *self, int fd, pid_t pid);
//  Writes the whole lines the pipe fd holds now. Returns 0 while the
//  pipe is open, 1 at its end (the worker and its children closed it),
//  -1 with errno (EBADF: not one of ours).
int logcap_read (logcap_t *self, int fd);
//  The last line read from fd ("" when none), without its stamp.
const char *logcap_last_line (const logcap_t *self, int fd);
//  Reads what is left, writes a last partial line, and closes fd.
void logcap_close (logcap_t *self, int fd);

//  Writes one line (len bytes, no newline) to log name as
//  "TIME [PID] LINE", TIME from wall_ms (RFC 3339, UTC, milliseconds);
//  pid 0 leaves the [PID] out. 0, or -1 with errno.
int logcap_write (logcap_t *self, const char *name, pid_t pid, const char *line,
                  size_t len, uint64_t wall_ms);

//  When the process's stderr is dir/supervisor.log and has passed
//  max_size, rotates it and points stderr (and stdout, if it was the same
//  file) at a new one. Call as often as you like: it looks once a second
//  of now_ms (monotonic).
void logcap_tick (logcap_t *self, uint64_t now_ms);
//  The file the process's stderr goes to, when it is a file ("" when
//  not: a terminal, a pipe, journald); *captured says whether it is
//  dir/supervisor.log, under the bound.
const char *logcap_own_log (logcap_t *self, bool *captured);

#endif
