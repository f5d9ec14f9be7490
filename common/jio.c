/*  common/jio.c - the real system calls behind the journal's I/O table,
    and helpers that make short writes and EINTR someone else's problem.  */
#include "common/jio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
s_open (void *ctx, const char *path, int flags, mode_t mode)
{
    return open (path, flags, mode);
}

static ssize_t
s_pread (void *ctx, int fd, void *buf, size_t size, off_t offset)
{
    return pread (fd, buf, size, offset);
}

static ssize_t
s_pwrite (void *ctx, int fd, const void *buf, size_t size, off_t offset)
{
    return pwrite (fd, buf, size, offset);
}

static int
s_fsync (void *ctx, int fd)
{
    return fsync (fd);
}

static int
s_ftruncate (void *ctx, int fd, off_t size)
{
    return ftruncate (fd, size);
}

static int
s_fsize (void *ctx, int fd, uint64_t *size_p)
{
    struct stat st;
    if (fstat (fd, &st))
        return -1;
    *size_p = (uint64_t) st.st_size;
    return 0;
}

static int
s_close (void *ctx, int fd)
{
    return close (fd);
}

static int
s_rename (void *ctx, const char *from, const char *to)
{
    return rename (from, to);
}

static int
s_unlink (void *ctx, const char *path)
{
    return unlink (path);
}

static int
s_mkdir (void *ctx, const char *path, mode_t mode)
{
    return mkdir (path, mode);
}

static int
s_rmdir (void *ctx, const char *path)
{
    return rmdir (path);
}

static int
s_list (void *ctx, const char *dir, jio_name_fn *fn, void *arg)
{
    DIR *handle = opendir (dir);
    if (!handle)
        return -1;
    int rc = 0;
    errno = 0;
    struct dirent *entry;
    while ((entry = readdir (handle))) {
        if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
            continue;
        if (fn (entry->d_name, arg)) {
            rc = -1;
            break;
        }
        errno = 0;
    }
    if (!entry && errno)
        rc = -1;
    int saved = errno;
    closedir (handle);
    errno = saved;
    return rc;
}

static const jio_t s_default = {
    .ctx = NULL,
    .open = s_open,
    .pread = s_pread,
    .pwrite = s_pwrite,
    .fsync = s_fsync,
    .ftruncate = s_ftruncate,
    .fsize = s_fsize,
    .close = s_close,
    .rename = s_rename,
    .unlink = s_unlink,
    .mkdir = s_mkdir,
    .rmdir = s_rmdir,
    .list = s_list,
};

const jio_t *
jio_default (void)
{
    return &s_default;
}

int
jio_write_all (const jio_t *io, int fd, const void *buf, size_t size,
               uint64_t offset)
{
    const uint8_t *p = buf;
    int idle = 0;
    while (size) {
        ssize_t done = io->pwrite (io->ctx, fd, p, size, (off_t) offset);
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            return -1;
        if (done == 0) {
            //  A file system that accepts nothing and reports nothing:
            //  give up rather than spin.
            if (++idle == 3)
                return errno = EIO, -1;
            continue;
        }
        idle = 0;
        p += done;
        size -= (size_t) done;
        offset += (uint64_t) done;
    }
    return 0;
}

ssize_t
jio_read_full (const jio_t *io, int fd, void *buf, size_t size, uint64_t offset)
{
    uint8_t *p = buf;
    size_t total = 0;
    while (total < size) {
        ssize_t done = io->pread (io->ctx, fd, p + total, size - total,
                                  (off_t) (offset + total));
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            return -1;
        if (done == 0)
            break;
        total += (size_t) done;
    }
    return (ssize_t) total;
}

int
jio_fsync (const jio_t *io, int fd)
{
    int rc;
    do
        rc = io->fsync (io->ctx, fd);
    while (rc && errno == EINTR);
    return rc;
}

int
jio_fsync_dir (const jio_t *io, const char *path)
{
    int fd = io->open (io->ctx, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc = jio_fsync (io, fd);
    int saved = errno;
    io->close (io->ctx, fd);
    errno = saved;
    return rc;
}

typedef struct {
    const jio_t *io;
    const char *dir;
} s_remover_t;

static int
s_remove_one (const char *name, void *arg)
{
    s_remover_t *self = arg;
    char path [PATH_MAX];
    if (snprintf (path, sizeof path, "%s/%s", self->dir, name) >= (int) sizeof path)
        return errno = ENAMETOOLONG, -1;
    return self->io->unlink (self->io->ctx, path);
}

int
jio_remove_dir (const jio_t *io, const char *path)
{
    s_remover_t remover = { io, path };
    if (io->list (io->ctx, path, s_remove_one, &remover))
        return errno == ENOENT? 0: -1;
    return io->rmdir (io->ctx, path);
}
