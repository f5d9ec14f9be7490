/*  supervisor/spool.c - the inputs of queued work kept out of memory, in
    a file without a name (see spool.h).  */
#include "supervisor/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct spool {
    int fd;
    uint64_t end;               //  where the next entry goes
    size_t count;               //  entries not forgotten
};

spool_t *
spool_new (const char *const *dirs, size_t count)
{
    int fd = -1;
    errno = ENOENT;
    for (size_t i = 0; i < count && fd < 0; i++)
        if (dirs [i] && *dirs [i])
            fd = open (dirs [i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    spool_t *self = calloc (1, sizeof *self);
    if (!self) {
        close (fd);
        return errno = ENOMEM, NULL;
    }
    self->fd = fd;
    return self;
}

void
spool_destroy (spool_t **self_p)
{
    spool_t *self = *self_p;
    if (!self)
        return;
    close (self->fd);
    free (self);
    *self_p = NULL;
}

int
spool_write (spool_t *self, const struct iovec *parts, int count, uint64_t *offset_p)
{
    uint64_t at = self->end;
    for (int i = 0; i < count; i++) {
        ssize_t done = pwrite (self->fd, parts [i].iov_base, parts [i].iov_len, (off_t) at);
        if (done != (ssize_t) parts [i].iov_len)
            return errno = done < 0? errno: EIO, -1;
        at += parts [i].iov_len;
    }
    *offset_p = self->end;
    self->end = at;
    self->count++;
    return 0;
}

int
spool_read (spool_t *self, uint64_t offset, const struct iovec *parts, int count)
{
    for (int i = 0; i < count; i++) {
        ssize_t done = pread (self->fd, parts [i].iov_base, parts [i].iov_len, (off_t) offset);
        if (done != (ssize_t) parts [i].iov_len)
            return errno = done < 0? errno: EIO, -1;
        offset += parts [i].iov_len;
    }
    return 0;
}

void
spool_forget (spool_t *self)
{
    if (self->count == 0)
        return;
    //  Nothing waits on disk any more: start the file afresh.
    if (--self->count == 0 && ftruncate (self->fd, 0) == 0)
        self->end = 0;
}

size_t
spool_count (const spool_t *self)
{
    return self->count;
}

uint64_t
spool_size (const spool_t *self)
{
    return self->end;
}
