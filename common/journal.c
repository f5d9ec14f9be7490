/*  common/journal.c - the durable event journal: segments of checksummed
    records, group commit, tail repair, replay, verify and maintenance.
    The format is described in journal.h.  */
#include "common/journal.h"
#include "common/crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_magic [8] = { 'R', '2', 'C', 'I', 'J', 'N', 'L', '1' };

//  The first byte of every payload: a msgpack array of 4.
#define S_EVENT_MARK 0x94
//  Read-ahead of the record reader.
#define S_READ_CHUNK (1024u * 1024)

struct journal {
    journal_config_t config;    //  defaults filled in, io never NULL
    const jio_t *io;
    char *dir;
    uint64_t index;             //  active segment
    int fd;                     //  active segment, open read-write
    uint64_t end;               //  durable end of the active segment
    uint64_t durable_seq;
    uint8_t *queue;             //  records accepted, not yet durable
    size_t queue_size;
    size_t queue_alloc;
    size_t *ends;               //  end of each queued record in queue
    size_t queued;
    uint64_t queued_since;      //  caller's clock when the first was queued
    uint64_t now_ms;            //  the caller's clock, last seen
    uint64_t failed_at;
    int error;                  //  errno of the failure while unhealthy
    bool need_cut;              //  bytes past end may be on disk
    bool must_roll;             //  a failed roll may have left the next
                                //  segment on disk: write nothing before it
};

//  --------------------------------------------------------------------
//  Little helpers: integers, names, headers

static void
s_put32 (uint8_t *p, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        p [i] = (uint8_t) (value >> (8 * i));
}

static void
s_put64 (uint8_t *p, uint64_t value)
{
    for (int i = 0; i < 8; i++)
        p [i] = (uint8_t) (value >> (8 * i));
}

static uint32_t
s_get32 (const uint8_t *p)
{
    return (uint32_t) p [0] | (uint32_t) p [1] << 8 | (uint32_t) p [2] << 16
         | (uint32_t) p [3] << 24;
}

static uint64_t
s_get64 (const uint8_t *p)
{
    return (uint64_t) s_get32 (p) | (uint64_t) s_get32 (p + 4) << 32;
}

static void
s_segment_name (uint64_t index, char *buf, size_t size)
{
    snprintf (buf, size, "journal-%010" PRIu64 ".log", index);
}

//  True and the index when name is a segment file name.
static bool
s_parse_name (const char *name, uint64_t *index_p)
{
    size_t size = strlen (name);
    if (size < 13 || memcmp (name, "journal-", 8) != 0
    ||  strcmp (name + size - 4, ".log") != 0 || size - 12 > 19)
        return false;
    uint64_t index = 0;
    for (const char *p = name + 8; p < name + size - 4; p++) {
        if (*p < '0' || *p > '9')
            return false;
        index = index * 10 + (uint64_t) (*p - '0');
    }
    *index_p = index;
    return index > 0;
}

static int
s_join (char *buf, size_t size, const char *dir, const char *name)
{
    if (snprintf (buf, size, "%s/%s", dir, name) >= (int) size)
        return errno = ENAMETOOLONG, -1;
    return 0;
}

static int
s_segment_path (char *buf, size_t size, const char *dir, uint64_t index)
{
    char name [JOURNAL_NAME_SIZE];
    s_segment_name (index, name, sizeof name);
    return s_join (buf, size, dir, name);
}

static void
s_header_make (uint8_t *header, uint64_t first_seq)
{
    memcpy (header, s_magic, 8);
    s_put64 (header + 8, first_seq);
    s_put32 (header + 16, crc32c (0, header, 16));
}

static bool
s_header_check (const uint8_t *header, uint64_t *first_seq_p)
{
    if (memcmp (header, s_magic, 8) != 0
    ||  s_get32 (header + 16) != crc32c (0, header, 16))
        return false;
    *first_seq_p = s_get64 (header + 8);
    return *first_seq_p > 0;
}

//  One msgpack unsigned int at *p; advances *p. False if not one.
static bool
s_peek_uint (const uint8_t **p, const uint8_t *end, uint64_t *value)
{
    if (*p >= end)
        return false;
    uint8_t byte = *(*p)++;
    int size = byte == 0xcc? 1: byte == 0xcd? 2: byte == 0xce? 4: byte == 0xcf? 8: 0;
    if (byte <= 0x7f) {
        *value = byte;
        return true;
    }
    if (!size || end - *p < size)
        return false;
    *value = 0;
    for (int i = 0; i < size; i++)
        *value = (*value << 8) | *(*p)++;
    return true;
}

//  The seq and time of an event payload without decoding the rest.
static bool
s_peek_event (const uint8_t *payload, size_t size, uint64_t *seq, uint64_t *time)
{
    const uint8_t *p = payload, *end = payload + size;
    return size > 0 && *p++ == S_EVENT_MARK && s_peek_uint (&p, end, seq)
        && s_peek_uint (&p, end, time);
}

//  Segment indexes in the folder, sorted; caller frees *list_p.
typedef struct {
    uint64_t *list;
    size_t count;
    size_t alloc;
} s_indexes_t;

static int
s_collect_index (const char *name, void *arg)
{
    s_indexes_t *self = arg;
    uint64_t index;
    if (!s_parse_name (name, &index))
        return 0;
    if (self->count == self->alloc) {
        size_t alloc = self->alloc? self->alloc * 2: 16;
        uint64_t *list = realloc (self->list, alloc * sizeof *list);
        if (!list)
            return errno = ENOMEM, -1;
        self->list = list;
        self->alloc = alloc;
    }
    self->list [self->count++] = index;
    return 0;
}

static int
s_compare_index (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y? -1: x > y;
}

static int
s_list_segments (const jio_t *io, const char *dir, uint64_t **list_p,
                 size_t *count_p)
{
    s_indexes_t indexes = { NULL, 0, 0 };
    if (io->list (io->ctx, dir, s_collect_index, &indexes)) {
        int saved = errno;
        free (indexes.list);
        return errno = saved, -1;
    }
    if (indexes.count)
        qsort (indexes.list, indexes.count, sizeof (uint64_t), s_compare_index);
    *list_p = indexes.list;
    *count_p = indexes.count;
    return 0;
}

//  --------------------------------------------------------------------
//  Reading records

typedef struct {
    const jio_t *io;
    int fd;
    uint64_t limit;             //  bytes of the file that count
    uint8_t *buf;
    size_t alloc;
    uint64_t base;              //  file offset of buf [0]
    size_t size;                //  bytes held
    uint64_t pos;               //  next record
} s_reader_t;

//  At least need bytes from pos in the buffer, if the file has them.
//  Returns how many it holds from pos, or -1 with errno.
static ssize_t
s_reader_fill (s_reader_t *self, size_t need)
{
    size_t have = 0;
    if (self->pos >= self->base && self->pos <= self->base + self->size)
        have = (size_t) (self->base + self->size - self->pos);
    if (have >= need || self->pos + have >= self->limit)
        return (ssize_t) have;
    if (have)
        memmove (self->buf, self->buf + (self->pos - self->base), have);
    self->base = self->pos;
    self->size = have;
    size_t want = need > S_READ_CHUNK? need: S_READ_CHUNK;
    if (want > self->alloc) {
        uint8_t *buf = realloc (self->buf, want);
        if (!buf)
            return errno = ENOMEM, -1;
        self->buf = buf;
        self->alloc = want;
    }
    uint64_t room = self->limit - (self->base + self->size);
    size_t count = self->alloc - self->size;
    if (count > room)
        count = (size_t) room;
    ssize_t got = jio_read_full (self->io, self->fd, self->buf + self->size,
                                 count, self->base + self->size);
    if (got < 0)
        return -1;
    self->size += (size_t) got;
    if ((size_t) got < count)
        self->limit = self->base + self->size;      //  the file is shorter
    return (ssize_t) self->size;
}

//  Record checks shared by the reader and the resync scan: 0 when the
//  bytes at p (avail of them) start a whole valid record, else a reason.
static const char *
s_record_problem (const uint8_t *p, uint64_t avail)
{
    if (avail < JOURNAL_RECORD_HEAD)
        return "torn record";
    uint32_t length = s_get32 (p);
    if (length == 0 || length > JOURNAL_RECORD_MAX)
        return "bad record length";
    if (avail - JOURNAL_RECORD_HEAD < length)
        return "torn record";
    uint32_t crc = crc32c (crc32c (0, p, 4), p + JOURNAL_RECORD_HEAD, length);
    if (crc != s_get32 (p + 4))
        return "checksum mismatch";
    return NULL;
}

typedef enum { S_END, S_RECORD, S_DAMAGE, S_FAILED } s_next_t;

//  The next record: S_RECORD with its payload (valid until the next call)
//  and pos moved past it; S_END at a clean end; S_DAMAGE with a reason
//  and pos left on the record; S_FAILED with errno.
static s_next_t
s_reader_next (s_reader_t *self, const uint8_t **payload, uint32_t *length,
               const char **reason)
{
    if (self->pos >= self->limit)
        return S_END;
    ssize_t have = s_reader_fill (self, JOURNAL_RECORD_HEAD);
    if (have < 0)
        return S_FAILED;
    if (have >= JOURNAL_RECORD_HEAD) {
        uint32_t size = s_get32 (self->buf + (self->pos - self->base));
        if (size > 0 && size <= JOURNAL_RECORD_MAX) {
            have = s_reader_fill (self, JOURNAL_RECORD_HEAD + (size_t) size);
            if (have < 0)
                return S_FAILED;
        }
    }
    const uint8_t *p = self->buf + (self->pos - self->base);
    *reason = s_record_problem (p, (uint64_t) have);
    if (*reason)
        return S_DAMAGE;
    *length = s_get32 (p);
    *payload = p + JOURNAL_RECORD_HEAD;
    self->pos += JOURNAL_RECORD_HEAD + (uint64_t) *length;
    return S_RECORD;
}

//  The offset of the first valid record that starts after from and
//  before limit, or limit when there is none. -1 with errno on failure.
static int
s_find_next (const jio_t *io, int fd, uint64_t from, uint64_t limit,
             uint64_t *found_p)
{
    *found_p = limit;
    if (from >= limit)
        return 0;
    size_t size = (size_t) (limit - from);
    uint8_t *buf = malloc (size);
    if (!buf)
        return errno = ENOMEM, -1;
    ssize_t got = jio_read_full (io, fd, buf, size, from);
    if (got < 0) {
        free (buf);
        return -1;
    }
    for (size_t at = 0; at + JOURNAL_RECORD_HEAD < (size_t) got; at++) {
        uint64_t seq, time;
        if (buf [at + JOURNAL_RECORD_HEAD] == S_EVENT_MARK
        &&  !s_record_problem (buf + at, (uint64_t) got - at)
        &&  s_peek_event (buf + at + JOURNAL_RECORD_HEAD, s_get32 (buf + at),
                          &seq, &time)) {
            *found_p = from + at;
            break;
        }
    }
    free (buf);
    return 0;
}

//  --------------------------------------------------------------------
//  Scanning segments: replay, verify and listing share one walk

typedef struct {
    const jio_t *io;
    journal_problem_fn *on_problem;
    void *arg;
    journal_event_fn *on_event;
    bool decode;                //  decode every record fully
    bool keep_going;            //  report and resume after damage
    bool tail_ok;               //  damage ending the last segment is its
                                //  end (a record being written): no problem
    bool in_last;               //  the segment being walked is the last
    uint64_t from_seq;          //  records below it are skipped, not handed
    bool gap_ok;                //  a segment may start past the seq expected
    uint64_t expected;          //  seq the next record must have; 0: any
    journal_stats_t stats;
    journal_segment_t *info;    //  filled in when not NULL
    char reason [160];          //  a reason with numbers in it
    event_t event;
    s_reader_t reader;
} s_scan_t;

static void
s_report (s_scan_t *self, const char *path, uint64_t offset, uint64_t bytes,
          const char *reason)
{
    self->stats.problems++;
    if (self->on_problem) {
        journal_problem_t problem = { path, offset, bytes, reason, false };
        self->on_problem (&problem, self->arg);
    }
}

//  One good record: check its seq, count it, hand it over.
static int
s_scan_record (s_scan_t *self, const char *path, uint64_t at,
               const uint8_t *payload, uint32_t length)
{
    uint64_t seq, time;
    if (self->from_seq && s_peek_event (payload, length, &seq, &time)
    &&  seq < self->from_seq && (!self->expected || seq == self->expected)) {
        self->expected = seq + 1;
        return 0;
    }
    if (self->decode) {
        if (event_decode (&self->event, payload, length)) {
            s_report (self, path, at, JOURNAL_RECORD_HEAD + length,
                      "payload is not an event");
            self->expected = 0;
            return errno = EBADMSG, -1;
        }
        seq = self->event.seq;
        time = self->event.time;
    }
    else
    if (!s_peek_event (payload, length, &seq, &time)) {
        s_report (self, path, at, JOURNAL_RECORD_HEAD + length,
                  "payload is not an event");
        self->expected = 0;
        return errno = EBADMSG, -1;
    }
    if (self->expected && seq != self->expected) {
        s_report (self, path, at, JOURNAL_RECORD_HEAD + length,
                  "seq out of order");
        self->expected = seq + 1;
        return errno = EBADMSG, -1;
    }
    self->expected = seq + 1;
    self->stats.records++;
    if (!self->stats.first_seq)
        self->stats.first_seq = seq;
    self->stats.last_seq = seq;
    if (self->info) {
        if (!self->info->records++)
            self->info->first_time = time;
        self->info->last_seq = seq;
        self->info->last_time = time;
    }
    if (self->on_event) {
        int rc = self->on_event (&self->event, self->arg);
        event_release (&self->event);
        if (rc)
            return 1;           //  the caller stopped: not damage
    }
    return 0;
}

//  Walk one segment up to bound (UINT64_MAX: its size). 0, or -1 with
//  EBADMSG (damage; with keep_going only after the whole walk), the
//  errno of on_event, or an I/O errno.
static int
s_scan_segment (s_scan_t *self, const char *path, uint64_t bound)
{
    const jio_t *io = self->io;
    bool damaged = false;
    int fd = io->open (io->ctx, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    uint64_t size;
    if (io->fsize (io->ctx, fd, &size))
        goto out_close;
    uint64_t limit = size < bound? size: bound;
    if (bound != UINT64_MAX && size < bound) {
        s_report (self, path, size, bound - size, "segment shorter than written");
        damaged = true;
        if (!self->keep_going)
            goto out_damaged;
    }
    uint8_t header [JOURNAL_HEADER_SIZE];
    uint64_t first_seq = 0;
    ssize_t got = jio_read_full (io, fd, header, sizeof header, 0);
    if (got < 0)
        goto out_close;
    if (self->tail_ok && self->in_last && limit < JOURNAL_HEADER_SIZE) {
        io->close (io->ctx, fd);
        return 0;               //  a segment being started: no records yet
    }
    if (limit < JOURNAL_HEADER_SIZE || got < JOURNAL_HEADER_SIZE
    ||  !s_header_check (header, &first_seq)) {
        s_report (self, path, 0, limit, "bad segment header");
        goto out_damaged;
    }
    if (self->expected && first_seq > self->expected && self->gap_ok)
        self->expected = first_seq;     //  a segment removed while read
    if (self->expected && first_seq != self->expected) {
        //  Name the seqs, so a missing or misplaced file can be found.
        if (first_seq > self->expected)
            snprintf (self->reason, sizeof self->reason, "segment starts at seq %" PRIu64
                      ", not %" PRIu64 ": seqs %" PRIu64 " to %" PRIu64 " are missing (a "
                      "segment file removed?)", first_seq, self->expected, self->expected,
                      first_seq - 1);
        else
            snprintf (self->reason, sizeof self->reason, "segment starts at seq %" PRIu64
                      ", not %" PRIu64 ": it overlaps the segment before", first_seq,
                      self->expected);
        s_report (self, path, 0, 0, self->reason);
        damaged = true;
        if (!self->keep_going)
            goto out_damaged;
    }
    self->expected = first_seq;
    self->stats.segments++;
    if (self->info) {
        self->info->first_seq = first_seq;
        self->info->last_seq = first_seq - 1;
        self->info->bytes = limit;
    }
    s_reader_t *reader = &self->reader;
    reader->io = io;
    reader->fd = fd;
    reader->limit = limit;
    reader->base = reader->size = 0;
    reader->pos = JOURNAL_HEADER_SIZE;
    while (true) {
        const uint8_t *payload;
        uint32_t length;
        const char *reason;
        uint64_t at = reader->pos;
        s_next_t next = s_reader_next (reader, &payload, &length, &reason);
        if (next == S_END)
            break;
        if (next == S_FAILED)
            goto out_close;
        if (next == S_RECORD) {
            int rc = s_scan_record (self, path, at, payload, length);
            if (rc > 0)
                goto out_close;         //  on_event's errno stands
            if (rc < 0) {
                damaged = true;
                if (!self->keep_going)
                    goto out_damaged;
            }
            continue;
        }
        uint64_t resume;
        if (self->tail_ok && self->in_last) {
            if (s_find_next (io, fd, at + 1, limit, &resume))
                goto out_close;
            if (resume == limit)
                break;          //  a torn tail, or a record being written
        }
        damaged = true;
        //  The damaged stretch ends where a valid record starts again,
        //  as verify reports it, even when the walk stops here.
        if (s_find_next (io, fd, at + 1, limit, &resume))
            goto out_close;
        s_report (self, path, at, resume - at, reason);
        if (!self->keep_going)
            goto out_damaged;
        reader->pos = resume;
        self->expected = 0;     //  the seqs in between are unknown
    }
    io->close (io->ctx, fd);
    return damaged? (errno = EBADMSG, -1): 0;

out_damaged:
    if (self->keep_going)
        self->expected = 0;
    errno = EBADMSG;
out_close:
    {
        int saved = errno;
        io->close (io->ctx, fd);
        event_release (&self->event);
        errno = saved;
    }
    return -1;
}

static void
s_scan_release (s_scan_t *self)
{
    free (self->reader.buf);
    event_release (&self->event);
}

//  --------------------------------------------------------------------
//  Problems and policies

void
journal_problem_format (const journal_problem_t *problem, char *buf,
                        size_t size)
{
    snprintf (buf, size, "%s: offset %" PRIu64 ": %s (%" PRIu64 " bytes%s)",
              problem->segment, problem->offset, problem->reason,
              problem->bytes, problem->cut? " cut": "");
}

int
journal_policy_parse (const char *text, journal_policy_t *policy_p)
{
    static const journal_policy_t policies [] = {
        JOURNAL_FSYNC_BATCH, JOURNAL_FSYNC_ALWAYS, JOURNAL_FSYNC_NEVER
    };
    for (size_t i = 0; text && i < 3; i++)
        if (strcmp (text, journal_policy_name (policies [i])) == 0) {
            *policy_p = policies [i];
            return 0;
        }
    return errno = EINVAL, -1;
}

const char *
journal_policy_name (journal_policy_t policy)
{
    return policy == JOURNAL_FSYNC_ALWAYS? "always":
           policy == JOURNAL_FSYNC_NEVER? "never": "batch";
}

//  --------------------------------------------------------------------
//  Writing

//  Create (or redo) segment index holding records from first_seq on, and
//  make it the active one. 0 or -1 with errno; the old one stays active
//  on failure.
static int
s_start_segment (journal_t *self, uint64_t index, uint64_t first_seq)
{
    const jio_t *io = self->io;
    bool sync = self->config.policy != JOURNAL_FSYNC_NEVER;
    char path [PATH_MAX];
    if (s_segment_path (path, sizeof path, self->dir, index))
        return -1;
    int fd = io->open (io->ctx, path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
                       0600);
    if (fd < 0) {
        self->must_roll = self->fd >= 0;
        return -1;
    }
    uint8_t header [JOURNAL_HEADER_SIZE];
    s_header_make (header, first_seq);
    if (jio_write_all (io, fd, header, sizeof header, 0)
    ||  (sync && jio_fsync (io, fd))
    ||  (sync && jio_fsync_dir (io, self->dir)))
        goto out_close;
    if (self->fd >= 0)
        io->close (io->ctx, self->fd);
    self->fd = fd;
    self->index = index;
    self->end = JOURNAL_HEADER_SIZE;
    self->must_roll = false;
    return 0;

out_close:
    {
        int saved = errno;
        io->close (io->ctx, fd);
        errno = saved;
    }
    self->must_roll = self->fd >= 0;
    return -1;
}

//  Forget the first count queued records (they are durable now).
static void
s_dequeue (journal_t *self, size_t count)
{
    if (!count)
        return;
    size_t bytes = self->ends [count - 1];
    memmove (self->queue, self->queue + bytes, self->queue_size - bytes);
    self->queue_size -= bytes;
    for (size_t i = count; i < self->queued; i++)
        self->ends [i - count] = self->ends [i] - bytes;
    self->queued -= count;
    self->queued_since = self->now_ms;
}

//  Write and sync every queued record, rolling segments as they fill.
//  0 and healthy, or -1 with errno, unhealthy, the file cut back to its
//  durable end (or marked for it) and the unwritten records still queued.
static int
s_commit (journal_t *self)
{
    const jio_t *io = self->io;
    bool sync = self->config.policy != JOURNAL_FSYNC_NEVER;
    size_t done = 0;
    if (self->need_cut) {
        if (io->ftruncate (io->ctx, self->fd, (off_t) self->end))
            goto out_failed;
        self->need_cut = false;
    }
    if (!self->queued && self->error && sync && jio_fsync (io, self->fd))
        goto out_failed;        //  nothing to write: probe the disk
    while (done < self->queued) {
        size_t offset = done? self->ends [done - 1]: 0;
        uint64_t max = self->config.segment_size;
        bool full = self->end > JOURNAL_HEADER_SIZE
                 && self->end + (self->ends [done] - offset) > max;
        if ((full || self->must_roll)
        &&  s_start_segment (self, self->index + 1, self->durable_seq + 1))
            goto out_failed;
        size_t last = done + 1;
        while (last < self->queued
           &&  self->end + (self->ends [last] - offset) <= max)
            last++;
        size_t bytes = self->ends [last - 1] - offset;
        if (jio_write_all (io, self->fd, self->queue + offset, bytes, self->end)
        ||  (sync && jio_fsync (io, self->fd)))
            goto out_cut;
        self->end += bytes;
        self->durable_seq += last - done;
        done = last;
    }
    s_dequeue (self, done);
    self->error = 0;
    return 0;

out_cut:
    {
        //  Whatever reached the file past end is unknown (and after a
        //  failed fsync its pages may be gone): cut it off now or later.
        int saved = errno;
        if (io->ftruncate (io->ctx, self->fd, (off_t) self->end))
            self->need_cut = true;
        errno = saved;
    }
out_failed:
    s_dequeue (self, done);
    self->error = errno? errno: EIO;
    self->failed_at = self->now_ms;
    errno = self->error;
    return -1;
}

//  Add one record (head and payload) to the queue. 0 or -1 ENOMEM.
static int
s_enqueue (journal_t *self, const uint8_t *payload, size_t length)
{
    size_t need = self->queue_size + JOURNAL_RECORD_HEAD + length;
    if (need > self->queue_alloc) {
        size_t alloc = self->queue_alloc? self->queue_alloc: 4096;
        while (alloc < need)
            alloc *= 2;
        uint8_t *queue = realloc (self->queue, alloc);
        if (!queue)
            return errno = ENOMEM, -1;
        self->queue = queue;
        self->queue_alloc = alloc;
    }
    uint8_t *p = self->queue + self->queue_size;
    s_put32 (p, (uint32_t) length);
    memcpy (p + JOURNAL_RECORD_HEAD, payload, length);
    s_put32 (p + 4, crc32c (crc32c (0, p, 4), payload, length));
    self->queue_size = need;
    self->ends [self->queued++] = need;
    return 0;
}

int
journal_append (journal_t *self, event_t *event, uint64_t now_ms)
{
    if (!event->type)
        return errno = EINVAL, -1;
    self->now_ms = now_ms;
    uint64_t old_seq = event->seq;
    event->seq = self->durable_seq + self->queued + 1;
    uint8_t *payload;
    size_t length;
    if (event_encode (event, &payload, &length))
        goto out_seq;
    if (length > JOURNAL_RECORD_MAX) {
        free (payload);
        errno = EMSGSIZE;
        goto out_seq;
    }
    int rc = s_enqueue (self, payload, length);
    free (payload);
    if (rc)
        goto out_seq;
    if (self->queued == 1)
        self->queued_since = now_ms;
    bool commit = self->config.policy != JOURNAL_FSYNC_BATCH
               || self->queued >= self->config.batch_records
               || self->queue_size >= JOURNAL_BATCH_BYTES
               || now_ms >= self->queued_since + self->config.batch_ms
               || self->error || self->need_cut;
    if (commit && s_commit (self))
        goto out_dequeue;
    return 0;

out_dequeue:
    //  This record failed with the write: it was never accepted. Records
    //  queued before it stay queued for the next attempt.
    self->queued--;
    self->queue_size = self->queued? self->ends [self->queued - 1]: 0;
out_seq:
    event->seq = old_seq;
    return -1;
}

int
journal_tick (journal_t *self, uint64_t now_ms)
{
    self->now_ms = now_ms;
    if (now_ms >= journal_deadline (self))
        return s_commit (self);
    return 0;
}

uint64_t
journal_deadline (journal_t *self)
{
    if (self->error || self->need_cut)
        return self->failed_at + self->config.batch_ms;
    if (self->queued)
        return self->queued_since + self->config.batch_ms;
    return UINT64_MAX;
}

int
journal_sync (journal_t *self)
{
    return s_commit (self);
}

int
journal_retry (journal_t *self)
{
    return s_commit (self);
}

uint64_t
journal_last_seq (journal_t *self)
{
    return self->durable_seq + self->queued;
}

uint64_t
journal_durable_seq (journal_t *self)
{
    return self->durable_seq;
}

bool
journal_healthy (journal_t *self)
{
    return self->error == 0;
}

int
journal_error (journal_t *self)
{
    return self->error;
}

size_t
journal_queued (journal_t *self)
{
    return self->queued;
}

//  --------------------------------------------------------------------
//  Opening: find the last segment and repair its tail

static void
s_problem (journal_problem_fn *on_problem, void *arg, const char *path,
           uint64_t offset, uint64_t bytes, const char *reason, bool cut)
{
    if (on_problem) {
        journal_problem_t problem = { path, offset, bytes, reason, cut };
        on_problem (&problem, arg);
    }
}

//  Whether the damage from at to the end of the file (size) is a torn
//  write: a record that runs past the end, or one whose bytes are all
//  zero from a sector boundary on (blocks a crash kept from being
//  written: the file grew, its data did not land). A whole record whose
//  checksum fails is damage, not a torn write. 1 torn, 0 not, -1 errno.
#define S_SECTOR 512
static int
s_torn (const jio_t *io, int fd, uint64_t at, uint64_t size, const char *reason)
{
    if (reason && strcmp (reason, "torn record") == 0)
        return 1;
    if (reason && strcmp (reason, "record out of order") == 0)
        return 1;               //  whole and valid, but not this journal's next
    //  The end of the last byte that is not zero.
    uint64_t last = at;
    uint8_t buf [S_SECTOR * 8];
    for (uint64_t pos = at; pos < size; ) {
        size_t count = size - pos < sizeof buf? (size_t) (size - pos): sizeof buf;
        ssize_t got = jio_read_full (io, fd, buf, count, pos);
        if (got < 0)
            return -1;
        for (size_t i = 0; i < (size_t) got; i++)
            if (buf [i])
                last = pos + i + 1;
        if ((size_t) got < count)
            return 1;           //  shorter than it said: it is being cut
        pos += count;
    }
    if (last == at)
        return 1;               //  nothing but zeros
    uint64_t boundary = (last + S_SECTOR - 1) / S_SECTOR * S_SECTOR;
    return boundary < size;
}

//  Check the last segment (open at fd) and cut a torn tail. 0 and the
//  journal's end and durable seq set, or -1 with errno (EBADMSG).
static int
s_recover_tail (journal_t *self, const char *path, int fd,
                journal_problem_fn *on_problem, void *arg)
{
    const jio_t *io = self->io;
    uint64_t size, first_seq;
    uint8_t header [JOURNAL_HEADER_SIZE];
    if (io->fsize (io->ctx, fd, &size))
        return -1;
    ssize_t got = jio_read_full (io, fd, header, sizeof header, 0);
    if (got < 0)
        return -1;
    if (got < JOURNAL_HEADER_SIZE || !s_header_check (header, &first_seq)) {
        s_problem (on_problem, arg, path, 0, size, "bad segment header", false);
        return errno = EBADMSG, -1;
    }
    s_reader_t reader = { io, fd, size, NULL, 0, 0, 0, JOURNAL_HEADER_SIZE };
    uint64_t expected = first_seq;
    const char *reason = NULL;
    while (true) {
        const uint8_t *payload;
        uint32_t length;
        uint64_t seq, time;
        s_next_t next = s_reader_next (&reader, &payload, &length, &reason);
        if (next == S_END)
            break;
        if (next == S_FAILED)
            goto out_free;
        if (next == S_RECORD) {
            if (s_peek_event (payload, length, &seq, &time) && seq == expected) {
                expected++;
                continue;
            }
            reason = "record out of order";
            reader.pos -= JOURNAL_RECORD_HEAD + length;
        }
        break;
    }
    free (reader.buf);
    reader.buf = NULL;
    uint64_t at = reader.pos;
    if (at < size) {
        uint64_t valid;
        if (s_find_next (io, fd, at + 1, size, &valid))
            return -1;
        if (valid < size) {
            s_problem (on_problem, arg, path, at, valid - at, reason, false);
            return errno = EBADMSG, -1;
        }
        int torn = s_torn (io, fd, at, size, reason);
        if (torn < 0)
            return -1;
        if (!torn) {
            s_problem (on_problem, arg, path, at, size - at,
                       "a complete last record is damaged (not a torn write): the event it "
                       "held may have been committed", false);
            return errno = EBADMSG, -1;
        }
        if (io->ftruncate (io->ctx, fd, (off_t) at) || jio_fsync (io, fd))
            return -1;
        s_problem (on_problem, arg, path, at, size - at, reason, true);
    }
    self->end = at;
    self->durable_seq = expected - 1;
    return 0;

out_free:
    {
        int saved = errno;
        free (reader.buf);
        errno = saved;
    }
    return -1;
}

//  Make the highest segment active: drop a segment whose header never
//  made it to disk, repair a torn tail, or start the first segment.
static int
s_open_last (journal_t *self, journal_problem_fn *on_problem, void *arg)
{
    const jio_t *io = self->io;
    uint64_t *indexes;
    size_t count;
    if (s_list_segments (io, self->dir, &indexes, &count))
        return -1;
    char path [PATH_MAX];
    while (count) {
        uint64_t index = indexes [count - 1];
        uint64_t size;
        if (s_segment_path (path, sizeof path, self->dir, index))
            goto out_free;
        int fd = io->open (io->ctx, path, O_RDWR | O_CLOEXEC, 0);
        if (fd < 0)
            goto out_free;
        if (io->fsize (io->ctx, fd, &size))
            goto out_close;
        if (size >= JOURNAL_HEADER_SIZE) {
            if (s_recover_tail (self, path, fd, on_problem, arg))
                goto out_close;
            self->fd = fd;
            self->index = index;
            free (indexes);
            return 0;
        }
        //  Created by a roll-over that a crash cut short: holds nothing.
        io->close (io->ctx, fd);
        if (io->unlink (io->ctx, path) || jio_fsync_dir (io, self->dir))
            goto out_free;
        s_problem (on_problem, arg, path, 0, size, "incomplete segment header",
                   true);
        count--;
        if (!count) {
            free (indexes);
            return s_start_segment (self, index, 1);
        }
        continue;

    out_close:
        {
            int saved = errno;
            io->close (io->ctx, fd);
            errno = saved;
        }
        goto out_free;
    }
    free (indexes);
    return s_start_segment (self, 1, 1);

out_free:
    {
        int saved = errno;
        free (indexes);
        errno = saved;
    }
    return -1;
}

journal_t *
journal_open (const char *dir, const journal_config_t *config,
              journal_problem_fn *on_problem, void *arg)
{
    journal_config_t settings = config? *config: (journal_config_t) { 0 };
    if (!settings.segment_size)
        settings.segment_size = JOURNAL_SEGMENT_SIZE;
    if (!settings.batch_records)
        settings.batch_records = JOURNAL_BATCH_RECORDS;
    if (!settings.batch_ms)
        settings.batch_ms = JOURNAL_BATCH_MS;
    if (!settings.io)
        settings.io = jio_default ();
    if (!dir || settings.segment_size < JOURNAL_HEADER_SIZE + JOURNAL_RECORD_HEAD + 1
    ||  settings.batch_records > 1u << 20 || settings.policy > JOURNAL_FSYNC_NEVER)
        return errno = EINVAL, NULL;
    journal_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    self->config = settings;
    self->io = settings.io;
    self->fd = -1;
    self->dir = strdup (dir);
    self->ends = calloc (settings.batch_records + 1, sizeof *self->ends);
    if (!self->dir || !self->ends) {
        errno = ENOMEM;
        goto out_free;
    }
    if (self->io->mkdir (self->io->ctx, dir, 0700) && errno != EEXIST)
        goto out_free;
    if (s_open_last (self, on_problem, arg))
        goto out_free;
    return self;

out_free:
    {
        int saved = errno;
        free (self->ends);
        free (self->dir);
        free (self);
        errno = saved;
    }
    return NULL;
}

void
journal_destroy (journal_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    journal_t *self = *self_p;
    if (self->queued || self->need_cut)
        s_commit (self);
    if (self->fd >= 0)
        self->io->close (self->io->ctx, self->fd);
    free (self->queue);
    free (self->ends);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------
//  Replay, listing, verify

static int s_read_first_seq (const jio_t *io, const char *path,
                             uint64_t *first_seq_p);

//  Walk every segment of the folder in order; segment index active (if
//  not 0) is read only up to bound. infos, when not NULL, gets one entry
//  per segment (caller frees). 0 or -1 with errno.
static int
s_scan_folder (s_scan_t *scan, const char *dir, uint64_t active,
               uint64_t bound, journal_segment_t **infos_p, size_t *count_p)
{
    uint64_t *indexes;
    size_t count;
    journal_segment_t *infos = NULL;
    if (s_list_segments (scan->io, dir, &indexes, &count))
        return -1;
    if (!count) {
        errno = ENOENT;
        goto out_free;
    }
    if (infos_p && !(infos = calloc (count, sizeof *infos))) {
        errno = ENOMEM;
        goto out_free;
    }
    //  A segment past the active one is what a failed roll-over left:
    //  it holds no record yet.
    while (active && count > 1 && indexes [count - 1] > active)
        count--;
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        char path [PATH_MAX];
        uint64_t next_first;
        if (scan->from_seq && i + 1 < count
        &&  s_segment_path (path, sizeof path, dir, indexes [i + 1]) == 0
        &&  s_read_first_seq (scan->io, path, &next_first) == 0
        &&  next_first <= scan->from_seq) {
            scan->expected = 0;         //  every record of it is skipped
            continue;
        }
        if (s_segment_path (path, sizeof path, dir, indexes [i]))
            goto out_free;
        scan->in_last = i + 1 == count;
        if (infos) {
            scan->info = &infos [i];
            s_segment_name (indexes [i], infos [i].name, JOURNAL_NAME_SIZE);
            infos [i].index = indexes [i];
            infos [i].active = indexes [i] == active;
        }
        if (s_scan_segment (scan, path, indexes [i] == active? bound: UINT64_MAX)) {
            if (!scan->keep_going || errno != EBADMSG)
                goto out_free;
            rc = -1;
        }
    }
    free (indexes);
    if (infos_p) {
        *infos_p = infos;
        *count_p = count;
    }
    return rc? (errno = EBADMSG, -1): 0;

out_free:
    {
        int saved = errno;
        free (infos);
        free (indexes);
        errno = saved;
    }
    return -1;
}

int
journal_replay (journal_t *self, journal_event_fn *on_event,
                journal_problem_fn *on_problem, void *arg)
{
    s_scan_t scan = {
        .io = self->io, .on_problem = on_problem, .arg = arg,
        .on_event = on_event, .decode = true
    };
    int rc = s_scan_folder (&scan, self->dir, self->index, self->end, NULL, NULL);
    int saved = errno;
    s_scan_release (&scan);
    errno = saved;
    return rc;
}

int
journal_segments (journal_t *self, journal_segment_t **list_p, size_t *count_p)
{
    s_scan_t scan = { .io = self->io };
    int rc = s_scan_folder (&scan, self->dir, self->index, self->end,
                            list_p, count_p);
    int saved = errno;
    s_scan_release (&scan);
    errno = saved;
    return rc;
}

int
journal_verify (const char *path, const jio_t *io, journal_stats_t *stats,
                journal_problem_fn *on_problem, void *arg)
{
    s_scan_t scan = {
        .io = io? io: jio_default (), .on_problem = on_problem, .arg = arg,
        .decode = true, .keep_going = true
    };
    int rc = s_scan_folder (&scan, path, 0, 0, NULL, NULL);
    if (rc && errno == ENOTDIR)
        rc = s_scan_segment (&scan, path, UINT64_MAX);
    int saved = errno;
    if (stats)
        *stats = scan.stats;
    s_scan_release (&scan);
    errno = saved;
    return rc;
}

//  journal_read's own view of the walk: the seq last handed over, so a
//  walk cut short by a segment that vanished can go on after it.
typedef struct {
    journal_event_fn *on_event;
    journal_problem_fn *on_problem;
    void *arg;
    uint64_t last_seq;
} s_read_t;

static int
s_read_event (event_t *event, void *arg)
{
    s_read_t *self = arg;
    self->last_seq = event->seq;
    return self->on_event? self->on_event (event, self->arg): 0;
}

static void
s_read_problem (const journal_problem_t *problem, void *arg)
{
    s_read_t *self = arg;
    if (self->on_problem)
        self->on_problem (problem, self->arg);
}

//  A cleanup may remove segments while they are being read: each time one
//  vanishes the folder is listed again, this often at most.
#define S_READ_RELISTS 8

int
journal_read (const char *dir, const jio_t *io, uint64_t from_seq,
              journal_event_fn *on_event, journal_problem_fn *on_problem,
              void *arg)
{
    s_read_t read = { on_event, on_problem, arg, 0 };
    int rc = 0, saved = 0;
    for (int attempt = 0; attempt <= S_READ_RELISTS; attempt++) {
        s_scan_t scan = {
            .io = io? io: jio_default (), .on_problem = s_read_problem, .arg = &read,
            .on_event = s_read_event, .decode = true, .tail_ok = true,
            .from_seq = read.last_seq? read.last_seq + 1: from_seq,
            .gap_ok = attempt > 0       //  the one that vanished left a gap
        };
        rc = s_scan_folder (&scan, dir, 0, 0, NULL, NULL);
        saved = errno;
        s_scan_release (&scan);
        //  ENOENT: a segment was removed under us, or there are none (then
        //  listing again costs little and finds none again).
        if (!rc || saved != ENOENT)
            break;
    }
    errno = saved;
    return rc;
}

//  --------------------------------------------------------------------
//  Maintenance: roll, remove, backup, restore

int
journal_roll (journal_t *self)
{
    if (s_commit (self))
        return -1;
    if (self->end == JOURNAL_HEADER_SIZE)
        return 0;
    return s_start_segment (self, self->index + 1, self->durable_seq + 1);
}

//  The first seq a segment's header names. 0 or -1 with errno.
static int
s_read_first_seq (const jio_t *io, const char *path, uint64_t *first_seq_p)
{
    int fd = io->open (io->ctx, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    uint8_t header [JOURNAL_HEADER_SIZE];
    ssize_t got = jio_read_full (io, fd, header, sizeof header, 0);
    int saved = errno;
    io->close (io->ctx, fd);
    if (got < 0)
        return errno = saved, -1;
    if (got < JOURNAL_HEADER_SIZE || !s_header_check (header, first_seq_p))
        return errno = EBADMSG, -1;
    return 0;
}

int
journal_remove_before (journal_t *self, uint64_t seq, size_t *removed_p)
{
    const jio_t *io = self->io;
    uint64_t *indexes;
    size_t count, removed = 0;
    if (removed_p)
        *removed_p = 0;
    if (s_list_segments (io, self->dir, &indexes, &count))
        return -1;
    char path [PATH_MAX];
    for (size_t i = 0; i + 1 < count && indexes [i] < self->index; i++) {
        uint64_t next_first;
        if (s_segment_path (path, sizeof path, self->dir, indexes [i + 1])
        ||  s_read_first_seq (io, path, &next_first))
            goto out_free;
        if (next_first > seq)
            break;
        if (s_segment_path (path, sizeof path, self->dir, indexes [i])
        ||  io->unlink (io->ctx, path))
            goto out_free;
        removed++;
        if (removed_p)
            *removed_p = removed;
    }
    free (indexes);
    return removed? jio_fsync_dir (io, self->dir): 0;

out_free:
    {
        int saved = errno;
        free (indexes);
        if (removed)
            jio_fsync_dir (io, self->dir);
        errno = saved;
    }
    return -1;
}

typedef struct {
    uint64_t index;
    uint64_t length;            //  UINT64_MAX: the whole file
} s_copy_t;

struct journal_backup {
    const jio_t *io;
    char *source;
    char *dest;
    char *partial;              //  dest ".partial", renamed when complete
    s_copy_t *files;
    size_t count;
    size_t next;                //  file being copied
    uint64_t copied;            //  bytes of it copied
    int from;                   //  -1 between files
    int to;
    uint8_t *buf;
};

static char *
s_suffixed (const char *path, const char *suffix)
{
    size_t size = strlen (path) + strlen (suffix) + 1;
    char *text = malloc (size);
    if (text)
        snprintf (text, size, "%s%s", path, suffix);
    return text;
}

//  The folder holding path, for fsyncing a rename into it.
static int
s_parent (const char *path, char *buf, size_t size)
{
    const char *slash = strrchr (path, '/');
    if (!slash)
        return snprintf (buf, size, ".") >= (int) size? (errno = ENAMETOOLONG, -1): 0;
    size_t length = slash == path? 1: (size_t) (slash - path);
    if (length >= size)
        return errno = ENAMETOOLONG, -1;
    memcpy (buf, path, length);
    buf [length] = 0;
    return 0;
}

//  A copy of the segments of source into dest; segment active (if not
//  0) only up to bound bytes.
static journal_backup_t *
s_backup_new (const jio_t *io, const char *source, const char *dest,
              uint64_t active, uint64_t bound)
{
    journal_backup_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    self->io = io;
    self->from = self->to = -1;
    self->source = strdup (source);
    self->dest = strdup (dest);
    self->partial = s_suffixed (dest, ".partial");
    self->buf = malloc (S_READ_CHUNK);
    if (!self->source || !self->dest || !self->partial || !self->buf) {
        errno = ENOMEM;
        goto out_free;
    }
    uint64_t *indexes;
    if (s_list_segments (io, source, &indexes, &self->count))
        goto out_free;
    self->files = calloc (self->count + 1, sizeof *self->files);
    if (!self->files) {
        free (indexes);
        errno = ENOMEM;
        goto out_free;
    }
    while (active && self->count > 1 && indexes [self->count - 1] > active)
        self->count--;          //  left by a failed roll-over: empty
    for (size_t i = 0; i < self->count; i++) {
        self->files [i].index = indexes [i];
        self->files [i].length = indexes [i] == active? bound: UINT64_MAX;
    }
    free (indexes);
    int fd = io->open (io->ctx, dest, O_RDONLY | O_CLOEXEC, 0);
    if (fd >= 0) {
        io->close (io->ctx, fd);
        errno = EEXIST;
        goto out_free;
    }
    if (jio_remove_dir (io, self->partial)
    ||  io->mkdir (io->ctx, self->partial, 0700))
        goto out_free;
    return self;

out_free:
    journal_backup_destroy (&self);
    return NULL;
}

journal_backup_t *
journal_backup_new (journal_t *self, const char *dest)
{
    return s_backup_new (self->io, self->dir, dest, self->index, self->end);
}

//  Finish the file being copied: sync it and close both ends.
static int
s_backup_seal (journal_backup_t *self)
{
    int rc = jio_fsync (self->io, self->to);
    int saved = errno;
    if (self->io->close (self->io->ctx, self->to) && !rc) {
        rc = -1;
        saved = errno;
    }
    self->io->close (self->io->ctx, self->from);
    self->from = self->to = -1;
    self->next++;
    self->copied = 0;
    errno = saved;
    return rc;
}

int
journal_backup_step (journal_backup_t *self, size_t max_bytes)
{
    const jio_t *io = self->io;
    char path [PATH_MAX];
    size_t budget = max_bytes? max_bytes: 1;
    while (self->next < self->count && budget) {
        s_copy_t *file = &self->files [self->next];
        if (self->from < 0) {
            if (s_segment_path (path, sizeof path, self->source, file->index))
                return -1;
            self->from = io->open (io->ctx, path, O_RDONLY | O_CLOEXEC, 0);
            if (self->from < 0)
                return -1;
            if (s_segment_path (path, sizeof path, self->partial, file->index))
                goto out_close;
            self->to = io->open (io->ctx, path,
                                 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (self->to < 0)
                goto out_close;
        }
        size_t want = budget < S_READ_CHUNK? budget: S_READ_CHUNK;
        if (file->length - self->copied < want)
            want = (size_t) (file->length - self->copied);
        ssize_t got = want? jio_read_full (io, self->from, self->buf, want,
                                           self->copied): 0;
        if (got < 0)
            goto out_close;
        if (got > 0 && jio_write_all (io, self->to, self->buf, (size_t) got,
                                      self->copied))
            goto out_close;
        self->copied += (uint64_t) got;
        budget -= (size_t) got;
        if ((size_t) got < want || self->copied == file->length) {
            if (file->length != UINT64_MAX && self->copied < file->length) {
                errno = EIO;    //  the active segment shrank under us
                goto out_close;
            }
            if (s_backup_seal (self))
                return -1;
        }
    }
    if (self->next < self->count)
        return 1;
    if (s_parent (self->dest, path, sizeof path)
    ||  jio_fsync_dir (io, self->partial)
    ||  io->rename (io->ctx, self->partial, self->dest)
    ||  jio_fsync_dir (io, path))
        return -1;
    return 0;

out_close:
    {
        int saved = errno;
        if (self->to >= 0)
            io->close (io->ctx, self->to);
        io->close (io->ctx, self->from);
        self->from = self->to = -1;
        errno = saved;
    }
    return -1;
}

void
journal_backup_destroy (journal_backup_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    journal_backup_t *self = *self_p;
    if (self->from >= 0)
        self->io->close (self->io->ctx, self->from);
    if (self->to >= 0)
        self->io->close (self->io->ctx, self->to);
    free (self->files);
    free (self->buf);
    free (self->partial);
    free (self->dest);
    free (self->source);
    free (self);
    *self_p = NULL;
}

int
journal_backup (journal_t *self, const char *dest)
{
    journal_backup_t *backup = journal_backup_new (self, dest);
    if (!backup)
        return -1;
    int rc;
    while ((rc = journal_backup_step (backup, 64u * S_READ_CHUNK)) > 0)
        ;
    int saved = errno;
    journal_backup_destroy (&backup);
    errno = saved;
    return rc;
}

int
journal_restore (const char *backup, const char *dir, const jio_t *io,
                 journal_problem_fn *on_problem, void *arg)
{
    if (!io)
        io = jio_default ();
    char parent [PATH_MAX];
    char *staged = s_suffixed (dir, ".restore");
    char *before = s_suffixed (dir, ".before-restore");
    journal_backup_t *copy = NULL;
    if (!staged || !before) {
        errno = ENOMEM;
        goto out_free;
    }
    if (s_parent (dir, parent, sizeof parent)
    ||  journal_verify (backup, io, NULL, on_problem, arg)
    ||  jio_remove_dir (io, staged))
        goto out_free;
    copy = s_backup_new (io, backup, staged, 0, 0);
    if (!copy)
        goto out_free;
    int rc;
    while ((rc = journal_backup_step (copy, 64u * S_READ_CHUNK)) > 0)
        ;
    if (rc
    ||  journal_verify (staged, io, NULL, on_problem, arg)
    ||  jio_remove_dir (io, before))
        goto out_free;
    if (io->rename (io->ctx, dir, before) && errno != ENOENT)
        goto out_free;
    if (io->rename (io->ctx, staged, dir)) {
        //  Put the old journal back rather than leave none.
        int saved = errno;
        io->rename (io->ctx, before, dir);
        errno = saved;
        goto out_free;
    }
    if (jio_fsync_dir (io, parent))
        goto out_free;
    journal_backup_destroy (&copy);
    free (before);
    free (staged);
    return 0;

out_free:
    {
        int saved = errno;
        journal_backup_destroy (&copy);
        free (before);
        free (staged);
        errno = saved;
    }
    return -1;
}
