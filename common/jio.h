/*  common/jio.h - the journal's I/O table: every file operation the
    journal makes goes through one of these function pointers (SQLite's
    VFS idea), so tests can fail the Nth write or fsync, or write short.  */
#ifndef JIO_H_INCLUDED
#define JIO_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

//  Called once per name in a folder ("." and ".." left out); return 0 to
//  go on, -1 (errno set) to stop the listing, which then returns -1.
typedef int jio_name_fn (const char *name, void *arg);

//  Each member behaves like the system call of its name and returns what
//  it returns (-1 with errno on failure); ctx is passed through unchanged.
//  Members may return early (short reads and writes) or fail with EINTR:
//  callers use the jio_* helpers below, which handle both.
typedef struct {
    void *ctx;
    int (*open) (void *ctx, const char *path, int flags, mode_t mode);
    ssize_t (*pread) (void *ctx, int fd, void *buf, size_t size, off_t offset);
    ssize_t (*pwrite) (void *ctx, int fd, const void *buf, size_t size,
                       off_t offset);
    int (*fsync) (void *ctx, int fd);
    int (*ftruncate) (void *ctx, int fd, off_t size);
    //  The file's size in bytes, into *size_p (fstat).
    int (*fsize) (void *ctx, int fd, uint64_t *size_p);
    int (*close) (void *ctx, int fd);
    int (*rename) (void *ctx, const char *from, const char *to);
    int (*unlink) (void *ctx, const char *path);
    int (*mkdir) (void *ctx, const char *path, mode_t mode);
    int (*rmdir) (void *ctx, const char *path);
    //  Every name in the folder, in no particular order (opendir/readdir).
    int (*list) (void *ctx, const char *dir, jio_name_fn *fn, void *arg);
} jio_t;

//  The real system calls (a static table; never NULL).
const jio_t *jio_default (void);

//  Write all size bytes at offset, going on after short writes and EINTR.
//  0, or -1 with errno (EIO if the call keeps writing nothing).
int jio_write_all (const jio_t *io, int fd, const void *buf, size_t size,
                   uint64_t offset);

//  Read up to size bytes at offset, going on after short reads and EINTR,
//  stopping early only at the end of the file. The bytes read, or -1.
ssize_t jio_read_full (const jio_t *io, int fd, void *buf, size_t size,
                       uint64_t offset);

//  fsync, retried on EINTR. 0 or -1 with errno.
int jio_fsync (const jio_t *io, int fd);

//  Open a folder and fsync it, so names created, renamed or removed in it
//  are on disk. 0 or -1 with errno.
int jio_fsync_dir (const jio_t *io, const char *path);

//  Remove a folder and the plain files in it (not recursive into
//  sub-folders). 0 (also when it does not exist) or -1 with errno.
int jio_remove_dir (const jio_t *io, const char *path);

#endif
