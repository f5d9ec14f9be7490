/*  tests/fuzz/fuzz_journal.c - libFuzzer target for common/journal: the
    input is a journal folder held in memory (served by a jio table), cut
    into segment files wherever the segment magic starts again.  */
#include "common/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

#define S_DIR "j"
#define S_MAGIC "R2CIJNL1"
#define S_MAX_NODES 16
#define S_MAX_SEGMENTS 4
#define S_FD_BASE 100
#define S_FILE_MAX (1u << 20)

//  --------------------------------------------------------------------
//  A tiny in-memory file system behind the jio table: a flat list of
//  paths, each a folder or a file, and descriptors that name a node.

typedef struct {
    bool used;
    bool dir;
    char path [64];
    uint8_t *data;
    size_t size;
} mnode_t;

typedef struct {
    mnode_t nodes [S_MAX_NODES];
    int fds [S_MAX_NODES];      //  node index per descriptor, -1 when free
} memfs_t;

static mnode_t *
s_find (memfs_t *self, const char *path)
{
    for (size_t i = 0; i < S_MAX_NODES; i++)
        if (self->nodes [i].used && strcmp (self->nodes [i].path, path) == 0)
            return &self->nodes [i];
    return NULL;
}

static mnode_t *
s_create (memfs_t *self, const char *path, bool dir)
{
    if (strlen (path) >= sizeof self->nodes [0].path)
        return errno = ENAMETOOLONG, NULL;
    for (size_t i = 0; i < S_MAX_NODES; i++) {
        mnode_t *node = &self->nodes [i];
        if (!node->used) {
            *node = (mnode_t) { .used = true, .dir = dir };
            memcpy (node->path, path, strlen (path) + 1);
            return node;
        }
    }
    return errno = ENOSPC, NULL;
}

//  The node behind fd, or NULL with EBADF.
static mnode_t *
s_node (memfs_t *self, int fd)
{
    int slot = fd - S_FD_BASE;
    if (slot < 0 || slot >= S_MAX_NODES || self->fds [slot] < 0)
        return errno = EBADF, NULL;
    return &self->nodes [self->fds [slot]];
}

static int
m_open (void *ctx, const char *path, int flags, mode_t mode)
{
    memfs_t *self = ctx;
    mnode_t *node = s_find (self, path);
    if (!node && !(flags & O_CREAT))
        return errno = ENOENT, -1;
    if (!node && !(node = s_create (self, path, false)))
        return -1;
    if ((flags & O_DIRECTORY) && !node->dir)
        return errno = ENOTDIR, -1;
    if (node->dir && (flags & O_ACCMODE) != O_RDONLY)
        return errno = EISDIR, -1;
    if (flags & O_TRUNC)
        node->size = 0;
    for (int slot = 0; slot < S_MAX_NODES; slot++)
        if (self->fds [slot] < 0) {
            self->fds [slot] = (int) (node - self->nodes);
            return S_FD_BASE + slot;
        }
    return errno = EMFILE, -1;
}

static ssize_t
m_pread (void *ctx, int fd, void *buf, size_t size, off_t offset)
{
    mnode_t *node = s_node (ctx, fd);
    if (!node)
        return -1;
    if (node->dir)
        return errno = EISDIR, -1;
    if (offset < 0)
        return errno = EINVAL, -1;
    if ((uint64_t) offset >= node->size)
        return 0;
    size_t left = node->size - (size_t) offset;
    size_t count = size < left? size: left;
    memcpy (buf, node->data + offset, count);
    return (ssize_t) count;
}

static ssize_t
m_pwrite (void *ctx, int fd, const void *buf, size_t size, off_t offset)
{
    mnode_t *node = s_node (ctx, fd);
    if (!node)
        return -1;
    if (node->dir)
        return errno = EISDIR, -1;
    if (offset < 0 || (uint64_t) offset + size > S_FILE_MAX)
        return errno = EFBIG, -1;
    size_t end = (size_t) offset + size;
    if (end > node->size) {
        uint8_t *data = realloc (node->data, end);
        if (!data)
            return errno = ENOMEM, -1;
        memset (data + node->size, 0, end - node->size);
        node->data = data;
        node->size = end;
    }
    memcpy (node->data + offset, buf, size);
    return (ssize_t) size;
}

static int
m_fsync (void *ctx, int fd)
{
    return s_node (ctx, fd)? 0: -1;
}

static int
m_ftruncate (void *ctx, int fd, off_t size)
{
    mnode_t *node = s_node (ctx, fd);
    if (!node)
        return -1;
    if (node->dir || size < 0 || (uint64_t) size > S_FILE_MAX)
        return errno = EINVAL, -1;
    if ((size_t) size > node->size) {
        uint8_t *data = realloc (node->data, (size_t) size);
        if (!data)
            return errno = ENOMEM, -1;
        memset (data + node->size, 0, (size_t) size - node->size);
        node->data = data;
    }
    node->size = (size_t) size;
    return 0;
}

static int
m_fsize (void *ctx, int fd, uint64_t *size_p)
{
    mnode_t *node = s_node (ctx, fd);
    if (!node)
        return -1;
    *size_p = node->dir? 0: node->size;
    return 0;
}

static int
m_close (void *ctx, int fd)
{
    memfs_t *self = ctx;
    if (!s_node (self, fd))
        return -1;
    self->fds [fd - S_FD_BASE] = -1;
    return 0;
}

static int
m_rename (void *ctx, const char *from, const char *to)
{
    mnode_t *node = s_find (ctx, from);
    if (!node)
        return errno = ENOENT, -1;
    if (s_find (ctx, to) || strlen (to) >= sizeof node->path)
        return errno = EEXIST, -1;
    memcpy (node->path, to, strlen (to) + 1);
    return 0;
}

static int
m_unlink (void *ctx, const char *path)
{
    mnode_t *node = s_find (ctx, path);
    if (!node)
        return errno = ENOENT, -1;
    if (node->dir)
        return errno = EISDIR, -1;
    free (node->data);
    *node = (mnode_t) { 0 };
    return 0;
}

static int
m_mkdir (void *ctx, const char *path, mode_t mode)
{
    if (s_find (ctx, path))
        return errno = EEXIST, -1;
    return s_create (ctx, path, true)? 0: -1;
}

static int
m_rmdir (void *ctx, const char *path)
{
    mnode_t *node = s_find (ctx, path);
    if (!node)
        return errno = ENOENT, -1;
    if (!node->dir)
        return errno = ENOTDIR, -1;
    *node = (mnode_t) { 0 };
    return 0;
}

static int
m_list (void *ctx, const char *dir, jio_name_fn *fn, void *arg)
{
    memfs_t *self = ctx;
    mnode_t *folder = s_find (self, dir);
    if (!folder)
        return errno = ENOENT, -1;
    if (!folder->dir)
        return errno = ENOTDIR, -1;
    size_t length = strlen (dir);
    for (size_t i = 0; i < S_MAX_NODES; i++) {
        const mnode_t *node = &self->nodes [i];
        if (node->used && strncmp (node->path, dir, length) == 0
        &&  node->path [length] == '/'
        &&  !strchr (node->path + length + 1, '/')
        &&  fn (node->path + length + 1, arg))
            return -1;
    }
    return 0;
}

static void
s_memfs_release (memfs_t *self)
{
    for (size_t i = 0; i < S_MAX_NODES; i++)
        free (self->nodes [i].data);
}

//  Lays the input out as the folder S_DIR: a new segment file starts at
//  each later occurrence of the magic, up to S_MAX_SEGMENTS of them.
static void
s_memfs_load (memfs_t *self, const uint8_t *data, size_t size)
{
    memset (self, 0, sizeof *self);
    for (size_t i = 0; i < S_MAX_NODES; i++)
        self->fds [i] = -1;
    S_ENSURE (s_create (self, S_DIR, true));
    size_t start = 0;
    for (unsigned index = 1; index <= S_MAX_SEGMENTS; index++) {
        size_t end = size;
        if (index < S_MAX_SEGMENTS)
            for (size_t at = start + 1; at + 8 <= size; at++)
                if (memcmp (data + at, S_MAGIC, 8) == 0) {
                    end = at;
                    break;
                }
        char path [64];
        snprintf (path, sizeof path, S_DIR "/journal-%010u.log", index);
        mnode_t *node = s_create (self, path, false);
        S_ENSURE (node);
        node->size = end - start;
        node->data = malloc (node->size + 1);
        S_ENSURE (node->data);
        memcpy (node->data, data + start, node->size);
        start = end;
        if (start == size)
            break;
    }
}

//  --------------------------------------------------------------------

typedef struct {
    uint64_t events;
    uint64_t last_seq;
} replay_t;

static int
s_on_event (event_t *event, void *arg)
{
    replay_t *self = arg;
    //  Seqs rise by exactly one, across segments too.
    S_ENSURE (self->events == 0 || event->seq == self->last_seq + 1);
    S_ENSURE (event->type && *event->type);
    self->events++;
    self->last_seq = event->seq;
    return 0;
}

static void
s_on_problem (const journal_problem_t *problem, void *arg)
{
    char line [256];
    journal_problem_format (problem, line, sizeof line);
    S_ENSURE (line [0] && problem->reason);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    memfs_t fs;
    s_memfs_load (&fs, data, size);
    const jio_t io = {
        .ctx = &fs, .open = m_open, .pread = m_pread, .pwrite = m_pwrite,
        .fsync = m_fsync, .ftruncate = m_ftruncate, .fsize = m_fsize,
        .close = m_close, .rename = m_rename, .unlink = m_unlink,
        .mkdir = m_mkdir, .rmdir = m_rmdir, .list = m_list
    };
    //  verify changes nothing, over the folder or one segment.
    journal_stats_t stats;
    int clean = journal_verify (S_DIR, &io, &stats, s_on_problem, NULL);
    S_ENSURE (clean == 0 || errno == EBADMSG);
    S_ENSURE (clean != 0 || stats.problems == 0);
    journal_verify (S_DIR "/journal-0000000001.log", &io, NULL, s_on_problem,
                    NULL);

    const journal_config_t config = {
        .policy = JOURNAL_FSYNC_ALWAYS, .segment_size = 4096, .io = &io
    };
    journal_t *journal = journal_open (S_DIR, &config, s_on_problem, NULL);
    if (!journal)
        goto out_memfs;
    replay_t first = { 0 };
    int replayed = journal_replay (journal, s_on_event, s_on_problem, &first);
    journal_segment_t *segments;
    size_t count;
    if (journal_segments (journal, &segments, &count) == 0)
        free (segments);
    //  An open journal takes the next seq, and it is durable at once.
    event_t event = { 0 };
    S_ENSURE (event_set_type (&event, "fuzz.probe") == 0);
    S_ENSURE (event_add_str (&event, "what", "appended") == 0);
    uint64_t before = journal_last_seq (journal);
    if (journal_append (journal, &event, 1000) == 0) {
        S_ENSURE (event.seq == before + 1);
        S_ENSURE (journal_durable_seq (journal) == event.seq);
    }
    journal_destroy (&journal);

    //  A clean journal with one more record replays that record last.
    journal = journal_open (S_DIR, &config, s_on_problem, NULL);
    S_ENSURE (journal);
    replay_t second = { 0 };
    int replayed_again = journal_replay (journal, s_on_event, s_on_problem,
                                         &second);
    if (replayed == 0 && event.seq) {
        S_ENSURE (replayed_again == 0);
        S_ENSURE (second.events == first.events + 1);
        S_ENSURE (second.last_seq == event.seq);
    }
    journal_destroy (&journal);
    event_release (&event);
out_memfs:
    s_memfs_release (&fs);
    return 0;
}
