/*  supervisor/spool.h - the inputs of queued work kept out of memory: one
    file without a name (O_TMPFILE) that grows as entries are written and
    starts afresh once none is left. No czmq, no clock.  */
#ifndef SPOOL_H_INCLUDED
#define SPOOL_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

typedef struct spool spool_t;

//  A spool in the first of dirs (count of them; NULL or "" entries are
//  skipped) that takes a file without a name. NULL with errno when none
//  does (the caller then keeps everything in memory).
spool_t *spool_new (const char *const *dirs, size_t count);
//  Closes the file. Accepts NULL; nulls *self_p.
void spool_destroy (spool_t **self_p);

//  Writes one entry, the parts one after the other, at the end of the
//  file; its place in *offset_p. 0, or -1 with errno (a short write is
//  EIO): nothing is counted then.
int spool_write (spool_t *self, const struct iovec *parts, int count, uint64_t *offset_p);
//  Reads the entry at offset back into parts (their sizes as written).
//  The entry stays counted. 0, or -1 with errno (a short read is EIO).
int spool_read (spool_t *self, uint64_t offset, const struct iovec *parts, int count);
//  One entry fewer; when none is left the file is emptied.
void spool_forget (spool_t *self);

//  Entries written and not forgotten.
size_t spool_count (const spool_t *self);
//  Bytes in the file.
uint64_t spool_size (const spool_t *self);

#endif
