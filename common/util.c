/*  common/util.c - clocks, folders and files shared by every program.  */
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t
util_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

uint64_t
util_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

uint64_t
util_wall_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static int
s_fit (char *buf, size_t size, int written)
{
    if (written < 0 || (size_t) written >= size)
        return errno = ENAMETOOLONG, -1;
    return 0;
}

int
util_runtime_dir (char *buf, size_t size)
{
    const char *dir = getenv ("README2CI_RUNTIME_DIR");
    if (dir && *dir)
        return s_fit (buf, size, snprintf (buf, size, "%s", dir));
    dir = getenv ("XDG_RUNTIME_DIR");
    if (dir && *dir)
        return s_fit (buf, size, snprintf (buf, size, "%s/readme2ci", dir));
    return s_fit (buf, size, snprintf (buf, size, "/tmp/readme2ci-%u", (unsigned) getuid ()));
}

int
util_state_dir (char *buf, size_t size)
{
    const char *dir = getenv ("README2CI_STATE_DIR");
    if (dir && *dir)
        return s_fit (buf, size, snprintf (buf, size, "%s", dir));
    dir = getenv ("XDG_STATE_HOME");
    if (dir && *dir)
        return s_fit (buf, size, snprintf (buf, size, "%s/readme2ci", dir));
    const char *home = getenv ("HOME");
    return s_fit (buf, size, snprintf (buf, size, "%s/.local/state/readme2ci",
                                       home && *home? home: "/tmp"));
}

int
util_mkdirs (const char *path, unsigned mode)
{
    char buf [PATH_MAX];
    if (!util_copy (buf, sizeof buf, path))
        return errno = ENAMETOOLONG, -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir (buf, mode) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir (buf, mode) && errno != EEXIST)
        return -1;
    return 0;
}

//  lstat, and for our own symlink, stat of its target. 0, or -1 with a
//  message in err.
static int
s_dir_stat (const char *dir, struct stat *st, char *err, size_t size)
{
    if (lstat (dir, st)) {
        int saved = errno;
        snprintf (err, size, "cannot use the runtime folder %s: %s", dir, strerror (saved));
        return errno = saved, -1;
    }
    if (S_ISLNK (st->st_mode)) {
        if (st->st_uid != geteuid ()) {
            snprintf (err, size, "the runtime folder %s is a symlink that belongs to uid %u, "
                      "not to you (uid %u): refusing to use it", dir, (unsigned) st->st_uid,
                      (unsigned) geteuid ());
            return errno = EPERM, -1;
        }
        if (stat (dir, st)) {
            int saved = errno;
            snprintf (err, size, "cannot use the runtime folder %s: %s", dir,
                      strerror (saved));
            return errno = saved, -1;
        }
    }
    if (!S_ISDIR (st->st_mode)) {
        snprintf (err, size, "the runtime folder %s is not a folder", dir);
        return errno = ENOTDIR, -1;
    }
    if (st->st_uid != geteuid ()) {
        snprintf (err, size, "the runtime folder %s belongs to uid %u, not to you (uid %u): "
                  "refusing to use it, as what it holds may be another user's; remove it "
                  "or set README2CI_RUNTIME_DIR to a folder of yours", dir,
                  (unsigned) st->st_uid, (unsigned) geteuid ());
        return errno = EPERM, -1;
    }
    if (st->st_mode & 022) {
        snprintf (err, size, "the runtime folder %s may be written by others (mode %04o): "
                  "refusing to use it, as anyone could have put files there; remove it or "
                  "set README2CI_RUNTIME_DIR to a folder of yours (mode 0700)", dir,
                  (unsigned) (st->st_mode & 07777));
        return errno = EPERM, -1;
    }
    return 0;
}

int
util_private_dir (const char *dir, char *err, size_t size)
{
    if (util_mkdirs (dir, 0700)) {
        int saved = errno;
        snprintf (err, size, "cannot create the runtime folder %s: %s", dir, strerror (saved));
        return errno = saved, -1;
    }
    struct stat st;
    if (s_dir_stat (dir, &st, err, size))
        return -1;
    if ((st.st_mode & 077) && chmod (dir, 0700)) {
        int saved = errno;
        snprintf (err, size, "cannot make the runtime folder %s private (mode 0700): %s", dir,
                  strerror (saved));
        return errno = saved, -1;
    }
    return 0;
}

bool
util_private_dir_ok (const char *dir)
{
    struct stat st;
    char err [8];
    return s_dir_stat (dir, &st, err, sizeof err) == 0;
}

//  util_read_file and util_read_head: with cut_p, a file over max keeps
//  its first max bytes, cut after the last whole line, and says so.
static int
s_read (const char *path, size_t max, bool *cut_p, char **data_p, size_t *size_p)
{
    //  O_NONBLOCK so a FIFO cannot hang us before we see what it is.
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat (fd, &st)) {
        int saved = errno;
        close (fd);
        return errno = saved, -1;
    }
    if (S_ISDIR (st.st_mode)) {
        close (fd);
        return errno = EISDIR, -1;
    }
    if (!S_ISREG (st.st_mode)) {
        close (fd);
        return errno = EINVAL, -1;
    }
    size_t cap = st.st_size > 0? (size_t) st.st_size + 1: 4096;
    if (cap > max + 1)
        cap = max + 1;
    char *data = malloc (cap);
    size_t size = 0;
    if (!data) {
        close (fd);
        return errno = ENOMEM, -1;
    }
    while (true) {
        if (size + 1 >= cap) {
            if (size > max)
                break;
            size_t next = cap * 2 > max + 2? max + 2: cap * 2;
            char *bigger = realloc (data, next);
            if (!bigger) {
                free (data);
                close (fd);
                return errno = ENOMEM, -1;
            }
            data = bigger;
            cap = next;
        }
        ssize_t got = read (fd, data + size, cap - size - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int saved = errno;
            free (data);
            close (fd);
            return errno = saved, -1;
        }
        if (got == 0)
            break;
        size += (size_t) got;
    }
    close (fd);
    if (cut_p)
        *cut_p = size > max;
    if (size > max && cut_p) {
        size = max;
        while (size > 0 && data [size - 1] != '\n')
            size--;
    }
    else
    if (size > max) {
        free (data);
        return errno = EFBIG, -1;
    }
    data [size] = 0;
    *data_p = data;
    *size_p = size;
    return 0;
}

int
util_read_file (const char *path, size_t max, char **data_p, size_t *size_p)
{
    return s_read (path, max, NULL, data_p, size_p);
}

int
util_read_head (const char *path, size_t max, bool *cut_p, char **data_p, size_t *size_p)
{
    bool cut;
    return s_read (path, max, cut_p? cut_p: &cut, data_p, size_p);
}

int
util_exe_dir (char *buf, size_t size)
{
    ssize_t n = readlink ("/proc/self/exe", buf, size - 1);
    if (n <= 0 || (size_t) n >= size - 1)
        return s_fit (buf, size, snprintf (buf, size, "."));
    buf [n] = 0;
    char *slash = strrchr (buf, '/');
    if (slash && slash != buf)
        *slash = 0;
    return 0;
}

bool
util_copy (char *dst, size_t size, const char *src)
{
    size_t len = strlen (src);
    if (len >= size) {
        if (size) {
            memcpy (dst, src, size - 1);
            dst [size - 1] = 0;
        }
        return false;
    }
    memcpy (dst, src, len + 1);
    return true;
}

int
util_fail (int code, char *err, size_t err_size, const char *format, ...)
{
    if (err && err_size) {
        va_list args;
        va_start (args, format);
        vsnprintf (err, err_size, format, args);
        va_end (args);
    }
    errno = code;
    return -1;
}

int
util_hex_digit (int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
