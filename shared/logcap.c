/*  shared/logcap.c - workers' stderr through pipes into stamped,
    size-bounded, rotated files; the supervisor's own log file kept under
    the same bound. Written by hand: no packaged library rotates files
    from inside an event loop we own (logrotate runs from cron and would
    need copytruncate, which loses lines).  */
#include "shared/logcap.h"

#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LINE_BYTES 4096         //  a longer line is cut into lines this long
#define LAST_BYTES 240
#define MAX_SINKS 8

typedef struct {
    char name [32];
    int fd;                     //  -1 until the first write
    uint64_t size;
} sink_t;

typedef struct {
    int fd;
    int sink;
    pid_t pid;
    size_t used;
    char partial [LINE_BYTES];
    char last [LAST_BYTES];
} stream_t;

struct logcap {
    char dir [PATH_MAX];
    uint64_t max_size;
    uint32_t max_files;
    sink_t sinks [MAX_SINKS];
    size_t sinks_count;
    stream_t **streams;
    size_t streams_count;
    bool own_captured;          //  our stderr is dir/supervisor.log
    char own_path [PATH_MAX];   //  where our stderr goes, "" when not a file
    uint64_t checked_ms;        //  when logcap_tick last looked
};

int
logcap_dir_for (const char *state, const char *runtime, char *buf, size_t size)
{
    int n = snprintf (buf, size, "%s/logs", state && *state? state: runtime);
    if (n < 0 || (size_t) n >= size)
        return errno = ENAMETOOLONG, -1;
    return 0;
}

static void
s_path (const logcap_t *self, const char *name, uint32_t index, char *buf, size_t size)
{
    if (index)
        snprintf (buf, size, "%s/%s.log.%u", self->dir, name, (unsigned) index);
    else
        snprintf (buf, size, "%s/%s.log", self->dir, name);
}

//  Looks at what our stderr is now: a file (which one), and whether it
//  is our own captured log.
static void
s_own_check (logcap_t *self)
{
    struct stat err_st, own_st;
    char own [PATH_MAX + 32];
    s_path (self, "supervisor", 0, own, sizeof own);
    self->own_captured = fstat (STDERR_FILENO, &err_st) == 0 && stat (own, &own_st) == 0
                      && err_st.st_dev == own_st.st_dev && err_st.st_ino == own_st.st_ino;
    self->own_path [0] = '\0';
    if (fstat (STDERR_FILENO, &err_st) == 0 && S_ISREG (err_st.st_mode)) {
        ssize_t n = readlink ("/proc/self/fd/2", self->own_path, sizeof self->own_path - 1);
        self->own_path [n > 0? n: 0] = '\0';
    }
}

logcap_t *
logcap_new (const char *dir, uint64_t max_size, uint32_t max_files)
{
    if (util_mkdirs (dir, 0700))
        return NULL;
    logcap_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    util_copy (self->dir, sizeof self->dir, dir);
    logcap_set_limits (self, max_size, max_files);
    s_own_check (self);
    return self;
}

void
logcap_destroy (logcap_t **self_p)
{
    logcap_t *self = self_p? *self_p: NULL;
    if (!self)
        return;
    while (self->streams_count)
        logcap_close (self, self->streams [0]->fd);
    free (self->streams);
    for (size_t i = 0; i < self->sinks_count; i++)
        if (self->sinks [i].fd >= 0)
            close (self->sinks [i].fd);
    free (self);
    *self_p = NULL;
}

void
logcap_set_limits (logcap_t *self, uint64_t max_size, uint32_t max_files)
{
    self->max_size = max_size? max_size: 1024 * 1024;
    self->max_files = max_files? max_files: 1;
}

const char *
logcap_dir (const logcap_t *self)
{
    return self->dir;
}

//  Moves NAME.log to NAME.log.1, and so on, keeping max_files files in
//  all (the new current one included); drops the ones beyond.
static void
s_shift (logcap_t *self, const char *name)
{
    char from [PATH_MAX + 48], to [PATH_MAX + 48];
    //  Files beyond the bound (it may have been lowered) go first.
    for (uint32_t index = self->max_files; index < 1000; index++) {
        s_path (self, name, index, to, sizeof to);
        if (unlink (to) && errno == ENOENT)
            break;
    }
    if (self->max_files == 1) {
        s_path (self, name, 0, to, sizeof to);
        unlink (to);
    }
    for (uint32_t index = self->max_files - 1; index > 0; index--) {
        s_path (self, name, index - 1, from, sizeof from);
        s_path (self, name, index, to, sizeof to);
        rename (from, to);
    }
}

static int
s_open (logcap_t *self, const char *name, uint64_t *size_p)
{
    char path [PATH_MAX + 48];
    s_path (self, name, 0, path, sizeof path);
    int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct stat st;
    if (fd >= 0 && size_p)
        *size_p = fstat (fd, &st) == 0? (uint64_t) st.st_size: 0;
    return fd;
}

static int
s_sink (logcap_t *self, const char *name)
{
    for (size_t i = 0; i < self->sinks_count; i++)
        if (strcmp (self->sinks [i].name, name) == 0)
            return (int) i;
    if (self->sinks_count == MAX_SINKS)
        return errno = ENOSPC, -1;
    sink_t *sink = &self->sinks [self->sinks_count];
    util_copy (sink->name, sizeof sink->name, name);
    sink->fd = -1;
    sink->size = 0;
    return (int) self->sinks_count++;
}

static void
s_stamp (uint64_t wall_ms, char *buf, size_t size)
{
    time_t seconds = (time_t) (wall_ms / 1000);
    struct tm tm;
    gmtime_r (&seconds, &tm);
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
              (unsigned) (wall_ms % 1000));
}

static int
s_sink_write (logcap_t *self, int index, pid_t pid, const char *line, size_t len,
              uint64_t wall_ms)
{
    sink_t *sink = &self->sinks [index];
    char text [LINE_BYTES + 96];
    char stamp [40];
    s_stamp (wall_ms, stamp, sizeof stamp);
    if (len > LINE_BYTES)
        len = LINE_BYTES;
    int head = pid > 0? snprintf (text, sizeof text, "%s [%d] ", stamp, (int) pid)
                      : snprintf (text, sizeof text, "%s ", stamp);
    memcpy (text + head, line, len);
    size_t total = (size_t) head + len;
    text [total++] = '\n';
    if (sink->fd >= 0 && sink->size > 0 && sink->size + total > self->max_size) {
        close (sink->fd);
        sink->fd = -1;
        s_shift (self, sink->name);
    }
    if (sink->fd < 0 && (sink->fd = s_open (self, sink->name, &sink->size)) < 0)
        return -1;
    if (sink->size > 0 && sink->size + total > self->max_size) {
        //  A file that was already full when we opened it.
        close (sink->fd);
        s_shift (self, sink->name);
        if ((sink->fd = s_open (self, sink->name, &sink->size)) < 0)
            return -1;
    }
    ssize_t written = write (sink->fd, text, total);
    if (written > 0)
        sink->size += (uint64_t) written;
    return written == (ssize_t) total? 0: -1;
}

int
logcap_write (logcap_t *self, const char *name, pid_t pid, const char *line, size_t len,
              uint64_t wall_ms)
{
    int index = s_sink (self, name);
    return index < 0? -1: s_sink_write (self, index, pid, line, len, wall_ms);
}

static stream_t *
s_stream (const logcap_t *self, int fd, size_t *index_p)
{
    for (size_t i = 0; i < self->streams_count; i++)
        if (self->streams [i]->fd == fd) {
            if (index_p)
                *index_p = i;
            return self->streams [i];
        }
    return NULL;
}

int
logcap_open (logcap_t *self, const char *name, int *child_fd)
{
    int sink = s_sink (self, name);
    stream_t *stream = sink < 0? NULL: calloc (1, sizeof *stream);
    stream_t **streams = stream? realloc (self->streams, (self->streams_count + 1)
                                                         * sizeof *streams): NULL;
    int fds [2];
    if (!streams || pipe2 (fds, O_CLOEXEC)) {
        int saved = errno;
        if (streams)
            self->streams = streams;
        free (stream);
        return errno = saved? saved: ENOMEM, -1;
    }
    self->streams = streams;
    fcntl (fds [0], F_SETFL, O_NONBLOCK);
    stream->fd = fds [0];
    stream->sink = sink;
    self->streams [self->streams_count++] = stream;
    *child_fd = fds [1];
    return fds [0];
}

void
logcap_set_pid (logcap_t *self, int fd, pid_t pid)
{
    stream_t *stream = s_stream (self, fd, NULL);
    if (stream)
        stream->pid = pid;
}

//  One whole line of a stream: to its file, and to our stderr when that
//  is not our own captured log.
static void
s_line (logcap_t *self, stream_t *stream, const char *line, size_t len)
{
    if (len > 0 && line [len - 1] == '\r')
        len--;
    s_sink_write (self, stream->sink, stream->pid, line, len, util_wall_ms ());
    if (len > 0) {
        size_t keep = len < LAST_BYTES - 1? len: LAST_BYTES - 1;
        memcpy (stream->last, line, keep);
        stream->last [keep] = '\0';
    }
    if (!self->own_captured) {
        char text [LINE_BYTES + 1];
        memcpy (text, line, len);
        text [len] = '\n';
        if (write (STDERR_FILENO, text, len + 1) < 0)
            return;                 //  nowhere to say it
    }
}

int
logcap_read (logcap_t *self, int fd)
{
    stream_t *stream = s_stream (self, fd, NULL);
    if (!stream)
        return errno = EBADF, -1;
    while (true) {
        ssize_t n = read (fd, stream->partial + stream->used,
                          sizeof stream->partial - stream->used);
        if (n == 0)
            return 1;
        if (n < 0)
            return errno == EAGAIN || errno == EINTR? 0: -1;
        stream->used += (size_t) n;
        char *start = stream->partial;
        char *end = stream->partial + stream->used;
        char *newline;
        while ((newline = memchr (start, '\n', (size_t) (end - start)))) {
            s_line (self, stream, start, (size_t) (newline - start));
            start = newline + 1;
        }
        stream->used = (size_t) (end - start);
        memmove (stream->partial, start, stream->used);
        if (stream->used == sizeof stream->partial) {
            s_line (self, stream, stream->partial, stream->used);
            stream->used = 0;
        }
    }
}

const char *
logcap_last_line (const logcap_t *self, int fd)
{
    stream_t *stream = s_stream (self, fd, NULL);
    return stream? stream->last: "";
}

void
logcap_close (logcap_t *self, int fd)
{
    size_t index;
    stream_t *stream = s_stream (self, fd, &index);
    if (!stream)
        return;
    logcap_read (self, fd);
    if (stream->used)
        s_line (self, stream, stream->partial, stream->used);
    close (fd);
    free (stream);
    self->streams [index] = self->streams [--self->streams_count];
}

void
logcap_tick (logcap_t *self, uint64_t now_ms)
{
    if (now_ms - self->checked_ms < 1000)
        return;
    self->checked_ms = now_ms;
    s_own_check (self);
    struct stat st;
    if (!self->own_captured || fstat (STDERR_FILENO, &st) || (uint64_t) st.st_size <= self->max_size)
        return;
    struct stat out_st;
    bool same = fstat (STDOUT_FILENO, &out_st) == 0 && out_st.st_dev == st.st_dev
             && out_st.st_ino == st.st_ino;
    s_shift (self, "supervisor");
    int fd = s_open (self, "supervisor", NULL);
    if (fd < 0)
        return;                     //  keeps writing to the old one
    dup2 (fd, STDERR_FILENO);
    if (same)
        dup2 (fd, STDOUT_FILENO);
    close (fd);
    self->own_captured = true;
}

const char *
logcap_own_log (logcap_t *self, bool *captured)
{
    s_own_check (self);
    if (captured)
        *captured = self->own_captured;
    return self->own_path;
}
