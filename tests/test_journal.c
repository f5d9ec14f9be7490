/*  Tests for common/journal: round trips across segments, durability per
    policy, torn tails, flipped bytes, corruption in the middle, injected
    I/O failures (SQLite style: fail the Nth call), and maintenance.  */
#include "common/journal.h"
#include "common/crc32c.h"
#include "proto/mp.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  ----------------------------------------------------------------------
//  A fault-injecting I/O table over the real calls

typedef enum {
    OP_OPEN, OP_PREAD, OP_PWRITE, OP_FSYNC, OP_FTRUNCATE, OP_FSIZE, OP_CLOSE,
    OP_RENAME, OP_UNLINK, OP_MKDIR, OP_RMDIR, OP_LIST, OP_COUNT
} op_t;

static const char *const s_op_names [OP_COUNT] = {
    "open", "pread", "pwrite", "fsync", "ftruncate", "fsize", "close",
    "rename", "unlink", "mkdir", "rmdir", "list"
};

typedef struct {
    op_t op;
    unsigned from;              //  first call number (from 1) to fail
    unsigned until;             //  last one
    int error;
} fault_spec_t;

typedef struct {
    jio_t table;
    unsigned calls [OP_COUNT];
    fault_spec_t spec [2];      //  op OP_COUNT: unused
    bool short_io;              //  reads and writes do half, at most
    bool eintr;                 //  every other write/fsync is EINTR first
    unsigned failures;          //  calls failed on purpose
    int flip;
} fault_t;

static bool
s_fails (fault_t *self, op_t op)
{
    unsigned n = ++self->calls [op];
    for (int i = 0; i < 2; i++)
        if (self->spec [i].op == op && n >= self->spec [i].from
        &&  n <= self->spec [i].until) {
            self->failures++;
            errno = self->spec [i].error;
            return true;
        }
    return false;
}

static const jio_t *
s_real (void)
{
    return jio_default ();
}

static int
f_open (void *ctx, const char *path, int flags, mode_t mode)
{
    return s_fails (ctx, OP_OPEN)? -1: s_real ()->open (NULL, path, flags, mode);
}

static ssize_t
f_pread (void *ctx, int fd, void *buf, size_t size, off_t offset)
{
    fault_t *self = ctx;
    if (s_fails (self, OP_PREAD))
        return -1;
    if (self->short_io && size > 1)
        size /= 2;
    return s_real ()->pread (NULL, fd, buf, size, offset);
}

static ssize_t
f_pwrite (void *ctx, int fd, const void *buf, size_t size, off_t offset)
{
    fault_t *self = ctx;
    if (self->eintr && (self->flip ^= 1))
        return errno = EINTR, -1;
    if (s_fails (self, OP_PWRITE))
        return -1;
    if (self->short_io && size > 1)
        size /= 2;
    return s_real ()->pwrite (NULL, fd, buf, size, offset);
}

static int
f_fsync (void *ctx, int fd)
{
    fault_t *self = ctx;
    if (self->eintr && (self->flip ^= 1))
        return errno = EINTR, -1;
    //  Success without the real fsync: these tests are about the logic,
    //  and a thousand runs of real fsyncs would take minutes.
    return s_fails (self, OP_FSYNC)? -1: 0;
}

static int
f_ftruncate (void *ctx, int fd, off_t size)
{
    return s_fails (ctx, OP_FTRUNCATE)? -1: s_real ()->ftruncate (NULL, fd, size);
}

static int
f_fsize (void *ctx, int fd, uint64_t *size_p)
{
    return s_fails (ctx, OP_FSIZE)? -1: s_real ()->fsize (NULL, fd, size_p);
}

static int
f_close (void *ctx, int fd)
{
    //  The descriptor is gone either way, as with the real close.
    s_real ()->close (NULL, fd);
    return s_fails (ctx, OP_CLOSE)? -1: 0;
}

static int
f_rename (void *ctx, const char *from, const char *to)
{
    return s_fails (ctx, OP_RENAME)? -1: s_real ()->rename (NULL, from, to);
}

static int
f_unlink (void *ctx, const char *path)
{
    return s_fails (ctx, OP_UNLINK)? -1: s_real ()->unlink (NULL, path);
}

static int
f_mkdir (void *ctx, const char *path, mode_t mode)
{
    return s_fails (ctx, OP_MKDIR)? -1: s_real ()->mkdir (NULL, path, mode);
}

static int
f_rmdir (void *ctx, const char *path)
{
    return s_fails (ctx, OP_RMDIR)? -1: s_real ()->rmdir (NULL, path);
}

static int
f_list (void *ctx, const char *dir, jio_name_fn *fn, void *arg)
{
    return s_fails (ctx, OP_LIST)? -1: s_real ()->list (NULL, dir, fn, arg);
}

static void
s_fault_init (fault_t *self)
{
    memset (self, 0, sizeof *self);
    self->table = (jio_t) {
        self, f_open, f_pread, f_pwrite, f_fsync, f_ftruncate, f_fsize,
        f_close, f_rename, f_unlink, f_mkdir, f_rmdir, f_list
    };
    self->spec [0].op = self->spec [1].op = OP_COUNT;
}

static void
s_fault_set (fault_t *self, int slot, op_t op, unsigned from, unsigned until,
             int error)
{
    //  Counting starts now, so "the Nth call" means from here on.
    memset (self->calls, 0, sizeof self->calls);
    self->spec [slot] = (fault_spec_t) { op, from, until, error };
}

//  ----------------------------------------------------------------------
//  Events, replay and problem collection

#define S_TIME0 1700000000000ull

static void
s_event (event_t *event, int n)
{
    memset (event, 0, sizeof *event);
    event->time = S_TIME0 + (uint64_t) n;
    char id [32];
    snprintf (id, sizeof id, "wf-%d", n);
    cr_assert_eq (event_set_type (event, "workflow.queued"), 0);
    cr_assert_eq (event_add_str (event, "workflow_id", id), 0);
    cr_assert_eq (event_add_int (event, "n", n), 0);
    cr_assert_eq (event_add_int (event, "priority", n % 4), 0);
}

typedef struct {
    uint64_t seq [4096];
    int n [4096];
    size_t count;
    int stop_after;             //  on_event fails with EINTR after this many
} seen_t;

static int
s_on_event (event_t *event, void *arg)
{
    seen_t *self = arg;
    if (self->stop_after && (int) self->count == self->stop_after)
        return errno = ECANCELED, -1;
    cr_assert_lt (self->count, 4096);
    int64_t n = -1;
    cr_assert_eq (event_get_int (event, "n", &n), 0);
    char id [32];
    snprintf (id, sizeof id, "wf-%d", (int) n);
    cr_assert_str_eq (event_get_str (event, "workflow_id"), id);
    cr_assert_eq (event->time, S_TIME0 + (uint64_t) n);
    self->seq [self->count] = event->seq;
    self->n [self->count++] = (int) n;
    return 0;
}

typedef struct {
    char segment [PATH_MAX];
    uint64_t offset;
    uint64_t bytes;
    char reason [160];
    bool cut;
} problem_t;

typedef struct {
    problem_t list [64];
    size_t count;
} problems_t;

static void
s_on_problem (const journal_problem_t *problem, void *arg)
{
    problems_t *self = arg;
    if (self->count == 64)
        return;
    problem_t *p = &self->list [self->count++];
    snprintf (p->segment, sizeof p->segment, "%s", problem->segment);
    snprintf (p->reason, sizeof p->reason, "%s", problem->reason);
    p->offset = problem->offset;
    p->bytes = problem->bytes;
    p->cut = problem->cut;
}

//  Both callbacks of journal_replay share one arg.
typedef struct {
    seen_t seen;
    problems_t problems;
} replay_t;

static int
s_replay_event (event_t *event, void *arg)
{
    return s_on_event (event, &((replay_t *) arg)->seen);
}

static void
s_replay_problem (const journal_problem_t *problem, void *arg)
{
    s_on_problem (problem, &((replay_t *) arg)->problems);
}

static replay_t *
s_replay (journal_t *journal, int *rc_p)
{
    replay_t *replay = calloc (1, sizeof *replay);
    cr_assert_not_null (replay);
    *rc_p = journal_replay (journal, s_replay_event, s_replay_problem, replay);
    return replay;
}

static const char *
s_base (const char *path)
{
    const char *slash = strrchr (path, '/');
    return slash? slash + 1: path;
}

//  ----------------------------------------------------------------------
//  Files

static uint8_t *
s_slurp (const char *path, size_t *size_p)
{
    char *text = tu_read (path, size_p);
    cr_assert_not_null (text, "read %s", path);
    return (uint8_t *) text;
}

static void
s_spit (const char *path, const uint8_t *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    cr_assert_not_null (file, "write %s", path);
    cr_assert_eq (fwrite (data, 1, size, file), size);
    cr_assert_eq (fclose (file), 0);
}

static char *
s_path (const char *dir, const char *name)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", dir, name) > 0);
    return path;
}

static char *
s_segment (const char *dir, int index)
{
    char name [64];
    snprintf (name, sizeof name, "journal-%010d.log", index);
    return s_path (dir, name);
}

static bool
s_exists (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0;
}

//  Record starts of a segment, found by reading the format as journal.h
//  documents it (an independent reader): returns the count, checks each
//  record's CRC and that its payload is an event with the right seq.
static size_t
s_parse_segment (const uint8_t *data, size_t size, uint64_t *starts,
                 size_t max, uint64_t *first_seq_p)
{
    cr_assert_geq (size, 20);
    cr_assert_eq (memcmp (data, "R2CIJNL1", 8), 0);
    uint64_t first = 0;
    for (int i = 7; i >= 0; i--)
        first = (first << 8) | data [8 + i];
    uint32_t crc = (uint32_t) data [16] | (uint32_t) data [17] << 8
                 | (uint32_t) data [18] << 16 | (uint32_t) data [19] << 24;
    cr_assert_eq (crc, crc32c (0, data, 16));
    size_t count = 0, at = 20;
    while (at < size) {
        cr_assert_lt (count, max);
        cr_assert_leq (at + 8, size);
        uint32_t length = (uint32_t) data [at] | (uint32_t) data [at + 1] << 8
                        | (uint32_t) data [at + 2] << 16
                        | (uint32_t) data [at + 3] << 24;
        uint32_t sum = (uint32_t) data [at + 4] | (uint32_t) data [at + 5] << 8
                     | (uint32_t) data [at + 6] << 16
                     | (uint32_t) data [at + 7] << 24;
        cr_assert_leq (at + 8 + length, size);
        cr_assert_eq (sum, crc32c (crc32c (0, data + at, 4), data + at + 8, length));
        cr_assert (mp_well_formed (data + at + 8, length, MP_MAX_DEPTH));
        event_t event = { 0 };
        cr_assert_eq (event_decode (&event, data + at + 8, length), 0);
        cr_assert_eq (event.seq, first + count);
        event_release (&event);
        starts [count++] = at;
        at += 8 + length;
    }
    *first_seq_p = first;
    return count;
}

static journal_t *
s_open (const char *dir, journal_policy_t policy, uint64_t segment_size,
        const jio_t *io, problems_t *problems)
{
    journal_config_t config = { .policy = policy, .segment_size = segment_size,
                                .io = io };
    return journal_open (dir, &config, problems? s_on_problem: NULL, problems);
}

static void
s_append_range (journal_t *journal, int from, int to, uint64_t now_ms)
{
    for (int n = from; n <= to; n++) {
        event_t event;
        s_event (&event, n);
        cr_assert_eq (journal_append (journal, &event, now_ms), 0,
                      "append %d: %s", n, strerror (errno));
        event_release (&event);
    }
}

//  ----------------------------------------------------------------------
//  Round trip and format

Test (journal, round_trip_across_segment_rollover)
{
    char *dir = tu_tmpdir ();
    char *jdir = s_path (dir, "journal");
    journal_t *journal = s_open (jdir, JOURNAL_FSYNC_BATCH, 1024, NULL, NULL);
    cr_assert_not_null (journal, "%s", strerror (errno));
    cr_assert_eq (journal_last_seq (journal), 0);
    s_append_range (journal, 1, 500, 0);
    cr_assert_eq (journal_sync (journal), 0);
    cr_assert_eq (journal_durable_seq (journal), 500);
    journal_destroy (&journal);
    cr_assert_null (journal);
    journal_destroy (&journal);

    //  The files are what journal.h says, read by an independent parser.
    uint64_t expected = 1;
    int segments = 0;
    for (int index = 1;; index++) {
        char *path = s_segment (jdir, index);
        if (!s_exists (path)) {
            free (path);
            break;
        }
        size_t size;
        uint8_t *data = s_slurp (path, &size);
        uint64_t starts [64], first;
        size_t count = s_parse_segment (data, size, starts, 64, &first);
        cr_assert_eq (first, expected, "segment %d starts at %llu", index,
                      (unsigned long long) first);
        cr_assert (size <= 1024 || count == 1);
        expected += count;
        segments++;
        free (data);
        free (path);
    }
    cr_assert_eq (expected, 501);
    cr_assert_gt (segments, 20);

    problems_t problems = { .count = 0 };
    journal = s_open (jdir, JOURNAL_FSYNC_BATCH, 1024, NULL, &problems);
    cr_assert_not_null (journal);
    cr_assert_eq (problems.count, 0);
    cr_assert_eq (journal_last_seq (journal), 500);
    int rc;
    replay_t *replay = s_replay (journal, &rc);
    cr_assert_eq (rc, 0);
    cr_assert_eq (replay->seen.count, 500);
    for (size_t i = 0; i < 500; i++) {
        cr_assert_eq (replay->seen.seq [i], i + 1);
        cr_assert_eq (replay->seen.n [i], (int) i + 1);
    }
    //  Appends continue the seqs; a callback can stop the replay.
    event_t event;
    s_event (&event, 501);
    cr_assert_eq (journal_append (&*journal, &event, 0), 0);
    cr_assert_eq (event.seq, 501);
    event_release (&event);
    free (replay);
    replay = calloc (1, sizeof *replay);
    replay->seen.stop_after = 7;
    cr_assert_eq (journal_replay (journal, s_replay_event, NULL, replay), -1);
    cr_assert_eq (errno, ECANCELED);
    cr_assert_eq (replay->seen.count, 7);
    free (replay);

    //  Segments list their seqs and times.
    journal_segment_t *list;
    size_t count;
    cr_assert_eq (journal_sync (journal), 0);
    cr_assert_eq (journal_segments (journal, &list, &count), 0);
    cr_assert_eq ((int) count, segments);
    cr_assert_str_eq (list [0].name, "journal-0000000001.log");
    cr_assert_eq (list [0].first_seq, 1);
    cr_assert_eq (list [0].first_time, S_TIME0 + 1);
    cr_assert_eq (list [0].last_time, S_TIME0 + list [0].last_seq);
    for (size_t i = 1; i < count; i++)
        cr_assert_eq (list [i].first_seq, list [i - 1].last_seq + 1);
    cr_assert (list [count - 1].active);
    cr_assert_not (list [0].active);
    cr_assert_eq (list [count - 1].last_seq, 501);
    free (list);
    journal_destroy (&journal);

    journal_stats_t stats;
    cr_assert_eq (journal_verify (jdir, NULL, &stats, NULL, NULL), 0);
    cr_assert_eq (stats.records, 501);
    cr_assert_eq ((int) stats.segments, segments);
    cr_assert_eq (stats.first_seq, 1);
    cr_assert_eq (stats.last_seq, 501);
    tu_rmtree (dir);
    free (jdir);
    free (dir);
}

Test (journal, config_and_names)
{
    journal_policy_t policy;
    cr_assert_eq (journal_policy_parse ("always", &policy), 0);
    cr_assert_eq (policy, JOURNAL_FSYNC_ALWAYS);
    cr_assert_eq (journal_policy_parse ("never", &policy), 0);
    cr_assert_eq (policy, JOURNAL_FSYNC_NEVER);
    cr_assert_eq (journal_policy_parse ("batch", &policy), 0);
    cr_assert_eq (policy, JOURNAL_FSYNC_BATCH);
    cr_assert_eq (journal_policy_parse ("sometimes", &policy), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_str_eq (journal_policy_name (JOURNAL_FSYNC_NEVER), "never");
    journal_config_t bad = { .segment_size = 10 };
    cr_assert_null (journal_open ("/nonexistent", &bad, NULL, NULL));
    cr_assert_eq (errno, EINVAL);
    journal_problem_t problem = { "/x/journal-0000000003.log", 4096, 37,
                                  "checksum mismatch", true };
    char line [128];
    journal_problem_format (&problem, line, sizeof line);
    cr_assert_str_eq (line, "/x/journal-0000000003.log: offset 4096: "
                      "checksum mismatch (37 bytes cut)");
    //  Events too big for a record, and without a type, are refused.
    char *dir = tu_tmpdir ();
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_NEVER, 0, NULL, NULL);
    cr_assert_not_null (journal);
    event_t event = { .seq = 99 };
    cr_assert_eq (journal_append (journal, &event, 0), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (event_set_type (&event, "workflow.completed"), 0);
    size_t big = JOURNAL_RECORD_MAX + 1;
    char *blob = calloc (1, big);
    cr_assert_eq (event_add_bytes (&event, "workflow", blob, big), 0);
    cr_assert_eq (journal_append (journal, &event, 0), -1);
    cr_assert_eq (errno, EMSGSIZE);
    cr_assert_eq (event.seq, 99);
    cr_assert_eq (journal_last_seq (journal), 0);
    cr_assert (journal_healthy (journal));
    free (blob);
    event_release (&event);
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
}

//  ----------------------------------------------------------------------
//  Durability per policy

Test (journal, always_syncs_every_record)
{
    char *dir = tu_tmpdir ();
    fault_t fault;
    s_fault_init (&fault);
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_ALWAYS, 0, &fault.table, NULL);
    cr_assert_not_null (journal);
    unsigned fsyncs = fault.calls [OP_FSYNC];
    unsigned writes = fault.calls [OP_PWRITE];
    for (int n = 1; n <= 20; n++) {
        s_append_range (journal, n, n, 0);
        cr_assert_eq (journal_durable_seq (journal), (uint64_t) n);
        cr_assert_eq (journal_queued (journal), 0);
    }
    cr_assert_eq (fault.calls [OP_FSYNC] - fsyncs, 20);
    cr_assert_eq (fault.calls [OP_PWRITE] - writes, 20);
    cr_assert_eq (journal_deadline (journal), UINT64_MAX);
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
}

Test (journal, never_writes_each_record_and_never_syncs)
{
    char *dir = tu_tmpdir ();
    fault_t fault;
    s_fault_init (&fault);
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_NEVER, 0, &fault.table, NULL);
    cr_assert_not_null (journal);
    unsigned writes = fault.calls [OP_PWRITE];
    s_append_range (journal, 1, 30, 0);
    cr_assert_eq (journal_durable_seq (journal), 30);
    cr_assert_eq (fault.calls [OP_FSYNC], 0);
    cr_assert_eq (fault.calls [OP_PWRITE] - writes, 30);
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
}

Test (journal, batch_also_ends_at_its_byte_limit)
{
    //  large records (a submission carries its inputs) end a batch at
    //  JOURNAL_BATCH_BYTES, before its 64 records or its 10 ms
    char *dir = tu_tmpdir ();
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_BATCH, 0, NULL, NULL);
    cr_assert_not_null (journal);
    static char big [20 * 1024];
    memset (big, 'x', sizeof big);
    size_t per_batch = JOURNAL_BATCH_BYTES / sizeof big + 1;
    for (size_t i = 0; i < per_batch; i++) {
        event_t event;
        s_event (&event, 1 + (int) i);
        cr_assert_eq (event_add_bytes (&event, "inputs", big, sizeof big), 0);
        cr_assert_eq (journal_append (journal, &event, 1000), 0);
        event_release (&event);
        cr_assert_eq (journal_durable_seq (journal), i + 1 < per_batch? 0: per_batch,
                      "after %zu large records", i + 1);
    }
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
}

Test (journal, batch_commits_at_64_records_or_10_ms)
{
    char *dir = tu_tmpdir ();
    fault_t fault;
    s_fault_init (&fault);
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_BATCH, 0, &fault.table, NULL);
    cr_assert_not_null (journal);
    unsigned fsyncs = fault.calls [OP_FSYNC];
    unsigned writes = fault.calls [OP_PWRITE];
    s_append_range (journal, 1, 63, 1000);
    cr_assert_eq (journal_durable_seq (journal), 0);
    cr_assert_eq (journal_last_seq (journal), 63);
    cr_assert_eq (journal_queued (journal), 63);
    cr_assert_eq (journal_deadline (journal), 1010);
    cr_assert_eq (journal_tick (journal, 1009), 0);
    cr_assert_eq (journal_durable_seq (journal), 0);
    cr_assert_eq (fault.calls [OP_FSYNC], fsyncs);
    //  The 64th record commits all of them: one write, one fsync.
    s_append_range (journal, 64, 64, 1009);
    cr_assert_eq (journal_durable_seq (journal), 64);
    cr_assert_eq (fault.calls [OP_FSYNC] - fsyncs, 1);
    cr_assert_eq (fault.calls [OP_PWRITE] - writes, 1);
    cr_assert_eq (journal_deadline (journal), UINT64_MAX);
    //  Time: the oldest queued record waits at most 10 ms.
    s_append_range (journal, 65, 65, 2000);
    s_append_range (journal, 66, 66, 2004);
    cr_assert_eq (journal_deadline (journal), 2010);
    cr_assert_eq (journal_tick (journal, 2009), 0);
    cr_assert_eq (journal_durable_seq (journal), 64);
    cr_assert_eq (journal_tick (journal, 2010), 0);
    cr_assert_eq (journal_durable_seq (journal), 66);
    cr_assert_eq (fault.calls [OP_FSYNC] - fsyncs, 2);
    //  ...also when the next append comes late rather than a tick.
    s_append_range (journal, 67, 67, 3000);
    cr_assert_eq (journal_durable_seq (journal), 66);
    s_append_range (journal, 68, 68, 3010);
    cr_assert_eq (journal_durable_seq (journal), 68);
    //  Sync forces it; destroy commits what is left.
    s_append_range (journal, 69, 70, 4000);
    cr_assert_eq (journal_sync (journal), 0);
    cr_assert_eq (journal_durable_seq (journal), 70);
    s_append_range (journal, 71, 72, 5000);
    journal_destroy (&journal);
    journal = s_open (dir, JOURNAL_FSYNC_BATCH, 0, NULL, NULL);
    cr_assert_eq (journal_durable_seq (journal), 72);
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
}

//  ----------------------------------------------------------------------
//  Damage

Test (journal, cut_at_every_byte_of_the_last_three_records)
{
    char *dir = tu_tmpdir ();
    char *jdir = s_path (dir, "j");
    journal_t *journal = s_open (jdir, JOURNAL_FSYNC_NEVER, 0, NULL, NULL);
    s_append_range (journal, 1, 10, 0);
    journal_destroy (&journal);
    char *path = s_segment (jdir, 1);
    size_t size;
    uint8_t *data = s_slurp (path, &size);
    uint64_t starts [16], first;
    cr_assert_eq (s_parse_segment (data, size, starts, 16, &first), 10);
    starts [10] = size;
    for (uint64_t cut = starts [7]; cut < size; cut++) {
        s_spit (path, data, (size_t) cut);
        problems_t problems = { .count = 0 };
        journal = s_open (jdir, JOURNAL_FSYNC_BATCH, 0, NULL, &problems);
        cr_assert_not_null (journal, "cut %llu: %s", (unsigned long long) cut,
                            strerror (errno));
        size_t kept = 0;
        while (kept < 10 && starts [kept + 1] <= cut)
            kept++;
        if (cut == starts [kept])
            cr_assert_eq (problems.count, 0);
        else {
            cr_assert_eq (problems.count, 1, "cut %llu", (unsigned long long) cut);
            cr_assert (problems.list [0].cut);
            cr_assert_str_eq (problems.list [0].segment, path);
            cr_assert_eq (problems.list [0].offset, starts [kept]);
            cr_assert_eq (problems.list [0].bytes, cut - starts [kept]);
        }
        int rc;
        replay_t *replay = s_replay (journal, &rc);
        cr_assert_eq (rc, 0);
        cr_assert_eq (replay->seen.count, kept);
        for (size_t i = 0; i < kept; i++)
            cr_assert_eq (replay->seen.n [i], (int) i + 1);
        free (replay);
        //  The repaired journal takes appends where the good part ends.
        event_t event;
        s_event (&event, (int) kept + 1);
        cr_assert_eq (journal_append (journal, &event, 0), 0);
        cr_assert_eq (event.seq, kept + 1);
        event_release (&event);
        journal_destroy (&journal);
        cr_assert_eq (journal_verify (jdir, NULL, NULL, NULL, NULL), 0);
    }
    free (data);
    free (path);
    tu_rmtree (dir);
    free (jdir);
    free (dir);
}

//  Flip every byte of record `which` of segment 2 (of several) in turn:
//  verify finds it, replay stops there naming segment and offset, and the
//  journal refuses to open when it is the last segment's.
Test (journal, a_flipped_byte_is_detected_everywhere)
{
    char *dir = tu_tmpdir ();
    char *jdir = s_path (dir, "j");
    journal_t *journal = s_open (jdir, JOURNAL_FSYNC_NEVER, 512, NULL, NULL);
    s_append_range (journal, 1, 40, 0);
    journal_destroy (&journal);
    char *path = s_segment (jdir, 2);
    size_t size;
    uint8_t *data = s_slurp (path, &size);
    uint64_t starts [32], first;
    size_t count = s_parse_segment (data, size, starts, 32, &first);
    cr_assert_geq (count, 3);
    starts [count] = size;
    //  The header and the second record, byte by byte.
    for (uint64_t at = 0; at < starts [2]; at++) {
        if (at >= JOURNAL_HEADER_SIZE && at < starts [1])
            at = starts [1];
        uint64_t record = at < JOURNAL_HEADER_SIZE? 0: starts [1];
        data [at] ^= 0x5a;
        s_spit (path, data, size);
        problems_t problems = { .count = 0 };
        cr_assert_eq (journal_verify (jdir, NULL, NULL, s_on_problem, &problems), -1);
        cr_assert_eq (errno, EBADMSG);
        cr_assert_geq (problems.count, 1, "byte %llu", (unsigned long long) at);
        cr_assert_str_eq (problems.list [0].segment, path);
        cr_assert_eq (problems.list [0].offset, record, "byte %llu",
                      (unsigned long long) at);
        //  One segment alone is checked the same way.
        problems.count = 0;
        cr_assert_eq (journal_verify (path, NULL, NULL, s_on_problem, &problems), -1);
        cr_assert_eq (problems.list [0].offset, record);

        journal = s_open (jdir, JOURNAL_FSYNC_NEVER, 512, NULL, NULL);
        cr_assert_not_null (journal, "segment 2 is not the last");
        int rc;
        replay_t *replay = s_replay (journal, &rc);
        cr_assert_eq (rc, -1);
        cr_assert_eq (errno, EBADMSG);
        cr_assert_eq (replay->problems.count, 1);
        cr_assert_str_eq (replay->problems.list [0].segment, path);
        cr_assert_eq (replay->problems.list [0].offset, record);
        cr_assert_not (replay->problems.list [0].cut);
        //  Every record before the damage was handed over, none after.
        uint64_t before = first - 1 + (record? 1: 0);
        cr_assert_eq (replay->seen.count, before);
        free (replay);
        journal_destroy (&journal);
        data [at] ^= 0x5a;
    }
    s_spit (path, data, size);
    cr_assert_eq (journal_verify (jdir, NULL, NULL, NULL, NULL), 0);
    free (data);
    free (path);

    //  In the last segment: a bad record with good ones after it is
    //  corruption, and the journal will not open; so is a last record that
    //  is whole but fails its checksum (damage, not a torn write: the
    //  event it held may have been committed). A last record cut short,
    //  or zero from a sector boundary on, is a torn tail and is cut.
    int last = 1;
    for (;; last++) {
        char *next = s_segment (jdir, last + 1);
        bool more = s_exists (next);
        free (next);
        if (!more)
            break;
    }
    path = s_segment (jdir, last);
    data = s_slurp (path, &size);
    count = s_parse_segment (data, size, starts, 32, &first);
    cr_assert_geq (count, 2);
    data [starts [0] + 10] ^= 1;
    s_spit (path, data, size);
    problems_t problems = { .count = 0 };
    cr_assert_null (s_open (jdir, JOURNAL_FSYNC_NEVER, 512, NULL, &problems));
    cr_assert_eq (errno, EBADMSG);
    cr_assert_eq (problems.count, 1);
    cr_assert_eq (problems.list [0].offset, starts [0]);
    cr_assert_eq (problems.list [0].bytes, starts [1] - starts [0]);
    cr_assert_not (problems.list [0].cut);
    data [starts [0] + 10] ^= 1;
    data [size - 1] ^= 1;
    s_spit (path, data, size);
    problems.count = 0;
    cr_assert_null (s_open (jdir, JOURNAL_FSYNC_NEVER, 512, NULL, &problems));
    cr_assert_eq (errno, EBADMSG);
    cr_assert_eq (problems.count, 1);
    cr_assert_not (problems.list [0].cut);
    cr_assert_eq (problems.list [0].offset, starts [count - 1]);
    cr_assert (strstr (problems.list [0].reason, "complete"), "%s", problems.list [0].reason);
    data [size - 1] ^= 1;
    //  The file grew by a sector its data never reached: zeros.
    size_t grown = (size + 511) / 512 * 512 + 512;
    uint8_t *zeroed = calloc (1, grown);
    memcpy (zeroed, data, size);
    s_spit (path, zeroed, grown);
    problems.count = 0;
    journal = s_open (jdir, JOURNAL_FSYNC_NEVER, 512, NULL, &problems);
    cr_assert_not_null (journal);
    cr_assert_eq (problems.count, 1);
    cr_assert (problems.list [0].cut);
    cr_assert_eq (problems.list [0].offset, size);
    cr_assert_eq (journal_last_seq (journal), 40);
    journal_destroy (&journal);
    //  The last record's own tail is zeros from a sector boundary on.
    uint64_t boundary = (starts [count - 1] + 8 + 511) / 512 * 512;
    if (boundary < size) {
        memset (zeroed + boundary, 0, grown - boundary);
        s_spit (path, zeroed, grown);
        problems.count = 0;
        journal = s_open (jdir, JOURNAL_FSYNC_NEVER, 512, NULL, &problems);
        cr_assert_not_null (journal);
        cr_assert_eq (problems.count, 1);
        cr_assert (problems.list [0].cut);
        cr_assert_eq (problems.list [0].offset, starts [count - 1]);
        cr_assert_eq (journal_last_seq (journal), 39);
        journal_destroy (&journal);
    }
    free (zeroed);
    free (data);
    free (path);
    tu_rmtree (dir);
    free (jdir);
    free (dir);
}

Test (journal, verify_reports_every_bad_record_and_gaps)
{
    char *dir = tu_tmpdir ();
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_NEVER, 800, NULL, NULL);
    s_append_range (journal, 1, 60, 0);
    journal_destroy (&journal);
    //  Two damaged records in segment 1, a segment missing in the middle.
    char *path = s_segment (dir, 1);
    size_t size;
    uint8_t *data = s_slurp (path, &size);
    uint64_t starts [32], first;
    size_t count = s_parse_segment (data, size, starts, 32, &first);
    cr_assert_geq (count, 5);
    data [starts [1] + 9] ^= 0xff;
    memset (data + starts [3], 0xee, 8);        //  a length that cannot be
    s_spit (path, data, size);
    char *gone = s_segment (dir, 3);
    size_t gone_size;
    uint8_t *gone_data = s_slurp (gone, &gone_size);
    uint64_t gone_starts [32], gone_first;
    uint64_t gone_records = s_parse_segment (gone_data, gone_size, gone_starts,
                                             32, &gone_first);
    free (gone_data);
    cr_assert_eq (unlink (gone), 0);
    problems_t problems = { .count = 0 };
    journal_stats_t stats;
    cr_assert_eq (journal_verify (dir, NULL, &stats, s_on_problem, &problems), -1);
    cr_assert_eq (errno, EBADMSG);
    cr_assert_eq (problems.count, 3);
    cr_assert_eq (stats.problems, 3);
    cr_assert_eq (problems.list [0].offset, starts [1]);
    cr_assert_str_eq (problems.list [0].reason, "checksum mismatch");
    cr_assert_eq (problems.list [0].bytes, starts [2] - starts [1]);
    cr_assert_eq (problems.list [1].offset, starts [3]);
    cr_assert_eq (problems.list [1].bytes, starts [4] - starts [3]);
    cr_assert_str_eq (s_base (problems.list [2].segment), "journal-0000000004.log");
    cr_assert (strstr (problems.list [2].reason, "segment starts at seq"),
               "%s", problems.list [2].reason);
    cr_assert (strstr (problems.list [2].reason, "are missing"), "%s", problems.list [2].reason);
    cr_assert_eq (stats.records, 60 - 2 - gone_records);
    //  Verify changed nothing; an empty or missing folder is ENOENT.
    size_t size2;
    uint8_t *again = s_slurp (path, &size2);
    cr_assert_eq (size2, size);
    cr_assert_eq (memcmp (again, data, size), 0);
    char *empty = s_path (dir, "empty");
    cr_assert_eq (mkdir (empty, 0700), 0);
    cr_assert_eq (journal_verify (empty, NULL, NULL, NULL, NULL), -1);
    cr_assert_eq (errno, ENOENT);
    char *missing = s_path (dir, "missing");
    cr_assert_eq (journal_verify (missing, NULL, NULL, NULL, NULL), -1);
    cr_assert_eq (errno, ENOENT);
    free (missing);
    free (empty);
    free (again);
    free (gone);
    free (data);
    free (path);
    tu_rmtree (dir);
    free (dir);
}

//  ----------------------------------------------------------------------
//  Injected write and fsync failures

typedef struct {
    journal_policy_t policy;
    op_t op;
    unsigned nth;               //  0: no failure
    bool persistent;            //  every call from nth on fails
    int error;
    bool short_io;
    bool eintr;
} run_t;

//  Append 120 events with ticks under one injected failure; check that
//  the journal reports it, recovers, and that after a restart every
//  record reported durable is there with its content. Returns how many
//  calls of run->op the run made.
static unsigned
s_fault_run (const run_t *run)
{
    char *dir = tu_tmpdir ();
    fault_t fault;
    s_fault_init (&fault);
    fault.short_io = run->short_io;
    fault.eintr = run->eintr;
    journal_t *journal = s_open (dir, run->policy, 700, &fault.table, NULL);
    cr_assert_not_null (journal);
    if (run->nth)
        s_fault_set (&fault, 0, run->op, run->nth,
                     run->persistent? UINT_MAX: run->nth, run->error);
    else
        memset (fault.calls, 0, sizeof fault.calls);
    int accepted [200] = { 0 };
    uint64_t durable_max = 0, now = 0;
    bool failed = false, recovered = false;
    for (int n = 1; n <= 120; n++) {
        now += 3;
        event_t event;
        s_event (&event, n);
        int rc = journal_append (journal, &event, now);
        if (rc == 0) {
            cr_assert_eq (event.seq, journal_last_seq (journal));
            cr_assert_eq (accepted [event.seq], 0);
            accepted [event.seq] = n;
        }
        else {
            cr_assert_eq (errno, run->error, "append: %s", strerror (errno));
            cr_assert_eq (event.seq, 0);
            cr_assert_not (journal_healthy (journal));
            cr_assert_eq (journal_error (journal), run->error);
            failed = true;
        }
        event_release (&event);
        if (n % 5 == 0 && journal_tick (journal, now)) {
            cr_assert_eq (errno, run->error);
            cr_assert_not (journal_healthy (journal));
            failed = true;
        }
        uint64_t durable = journal_durable_seq (journal);
        cr_assert_geq (durable, durable_max);
        cr_assert_leq (durable, journal_last_seq (journal));
        durable_max = durable;
        if (failed && journal_healthy (journal))
            recovered = true;
    }
    if (!run->persistent) {
        cr_assert_eq (journal_retry (journal), 0);
        cr_assert (journal_healthy (journal));
        cr_assert_eq (journal_durable_seq (journal), journal_last_seq (journal));
        durable_max = journal_durable_seq (journal);
        cr_assert_eq (failed, fault.failures > 0);
        if (failed)
            cr_assert (recovered || journal_healthy (journal));
    }
    unsigned calls = fault.calls [run->op];
    journal_destroy (&journal);

    //  A restart with working I/O sees every durable record, in order,
    //  each the event that was accepted with that seq.
    journal = s_open (dir, run->policy, 700, NULL, NULL);
    cr_assert_not_null (journal);
    int rc;
    replay_t *replay = s_replay (journal, &rc);
    cr_assert_eq (rc, 0);
    cr_assert_geq (replay->seen.count, durable_max, "%s #%u: lost records",
                   s_op_names [run->op], run->nth);
    for (size_t i = 0; i < replay->seen.count; i++) {
        cr_assert_eq (replay->seen.seq [i], i + 1);
        cr_assert_eq (replay->seen.n [i], accepted [i + 1]);
    }
    if (!run->persistent)
        cr_assert_eq (replay->seen.count, durable_max);
    free (replay);
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
    return calls;
}

static void
s_fault_loop (journal_policy_t policy, op_t op)
{
    run_t run = { .policy = policy, .op = op };
    unsigned calls = s_fault_run (&run);
    cr_assert_gt (calls, 0);
    const int errors [] = { ENOSPC, EIO };
    for (int e = 0; e < 2; e++)
        for (unsigned nth = 1; nth <= calls + 1; nth++) {
            run.error = errors [e];
            run.nth = nth;
            run.persistent = false;
            s_fault_run (&run);
            run.persistent = true;
            s_fault_run (&run);
        }
}

Test (journal, write_failures_batch)
{
    s_fault_loop (JOURNAL_FSYNC_BATCH, OP_PWRITE);
}

Test (journal, fsync_failures_batch)
{
    s_fault_loop (JOURNAL_FSYNC_BATCH, OP_FSYNC);
}

Test (journal, write_and_fsync_failures_always)
{
    s_fault_loop (JOURNAL_FSYNC_ALWAYS, OP_PWRITE);
    s_fault_loop (JOURNAL_FSYNC_ALWAYS, OP_FSYNC);
}

Test (journal, write_failures_never)
{
    s_fault_loop (JOURNAL_FSYNC_NEVER, OP_PWRITE);
}

Test (journal, short_writes_and_eintr_change_nothing)
{
    run_t run = { .policy = JOURNAL_FSYNC_BATCH, .short_io = true, .eintr = true };
    s_fault_run (&run);
    run.policy = JOURNAL_FSYNC_ALWAYS;
    s_fault_run (&run);
}

Test (journal, a_failed_cut_is_retried_before_the_next_write)
{
    //  The write fails and so does the truncate that should undo it: the
    //  journal must cut the file before it writes anything else.
    char *dir = tu_tmpdir ();
    fault_t fault;
    s_fault_init (&fault);
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_ALWAYS, 0, &fault.table, NULL);
    s_append_range (journal, 1, 3, 0);
    fault.short_io = true;      //  half the record reaches the file
    s_fault_set (&fault, 0, OP_PWRITE, 2, 2, EIO);
    fault.spec [1] = (fault_spec_t) { OP_FTRUNCATE, 1, 2, EIO };
    event_t event;
    s_event (&event, 4);
    cr_assert_eq (journal_append (journal, &event, 10), -1);
    cr_assert_eq (errno, EIO);
    cr_assert_eq (journal_deadline (journal), 20);
    cr_assert_eq (journal_tick (journal, 15), 0);
    cr_assert_eq (journal_tick (journal, 20), -1, "the cut fails again");
    cr_assert_not (journal_healthy (journal));
    fault.short_io = false;
    cr_assert_eq (journal_append (journal, &event, 40), 0);
    cr_assert (journal_healthy (journal));
    cr_assert_eq (event.seq, 4);
    event_release (&event);
    journal_destroy (&journal);
    cr_assert_eq (journal_verify (dir, NULL, NULL, NULL, NULL), 0);
    problems_t problems = { .count = 0 };
    journal = s_open (dir, JOURNAL_FSYNC_ALWAYS, 0, NULL, &problems);
    cr_assert_eq (problems.count, 0);
    cr_assert_eq (journal_last_seq (journal), 4);
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
}

//  ----------------------------------------------------------------------
//  Maintenance

typedef struct {
    int64_t count;
    int64_t sum;
    uint64_t first_seq;
} state_t;

static int
s_on_state (event_t *event, void *arg)
{
    state_t *state = arg;
    if (!state->first_seq)
        state->first_seq = event->seq;
    int64_t n;
    if (strcmp (event->type, "system.snapshot") == 0) {
        cr_assert_eq (event_get_int (event, "count", &state->count), 0);
        cr_assert_eq (event_get_int (event, "sum", &state->sum), 0);
    }
    else
    if (event_get_int (event, "n", &n) == 0) {
        state->count++;
        state->sum += n;
    }
    return 0;
}

Test (journal, remove_before_a_snapshot_keeps_the_state)
{
    char *dir = tu_tmpdir ();
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_BATCH, 600, NULL, NULL);
    s_append_range (journal, 1, 100, 0);
    state_t before = { 0 };
    cr_assert_eq (journal_sync (journal), 0);
    cr_assert_eq (journal_replay (journal, s_on_state, NULL, &before), 0);
    cr_assert_eq (before.count, 100);
    cr_assert_eq (before.sum, 5050);
    //  The caller's snapshot opens a segment of its own.
    cr_assert_eq (journal_roll (journal), 0);
    cr_assert_eq (journal_roll (journal), 0);       //  nothing to roll
    event_t snapshot = { .time = S_TIME0 };
    cr_assert_eq (event_set_type (&snapshot, "system.snapshot"), 0);
    cr_assert_eq (event_add_int (&snapshot, "count", before.count), 0);
    cr_assert_eq (event_add_int (&snapshot, "sum", before.sum), 0);
    cr_assert_eq (journal_append (journal, &snapshot, 0), 0);
    cr_assert_eq (snapshot.seq, 101);
    cr_assert_eq (journal_sync (journal), 0);
    journal_segment_t *list;
    size_t count, removed;
    cr_assert_eq (journal_segments (journal, &list, &count), 0);
    cr_assert_gt (count, 2);
    cr_assert_eq (list [count - 1].first_seq, 101);
    free (list);
    cr_assert_eq (journal_remove_before (journal, 1, &removed), 0);
    cr_assert_eq (removed, 0);
    cr_assert_eq (journal_remove_before (journal, snapshot.seq, &removed), 0);
    cr_assert_eq (removed, count - 1);
    event_release (&snapshot);
    s_append_range (journal, 101, 120, 0);
    journal_destroy (&journal);

    journal = s_open (dir, JOURNAL_FSYNC_BATCH, 600, NULL, NULL);
    state_t after = { 0 };
    cr_assert_eq (journal_replay (journal, s_on_state, NULL, &after), 0);
    cr_assert_eq (after.first_seq, 101);
    cr_assert_eq (after.count, 120);
    cr_assert_eq (after.sum, 120 * 121 / 2);
    cr_assert_eq (journal_segments (journal, &list, &count), 0);
    cr_assert_eq (list [0].first_seq, 101);
    cr_assert_geq (list [0].records, 1);
    cr_assert_eq (list [0].last_seq, list [0].first_seq + list [0].records - 1);
    free (list);
    //  The active segment is never removed, whatever the seq.
    cr_assert_eq (journal_remove_before (journal, UINT64_MAX, &removed), 0);
    cr_assert_eq (journal_verify (dir, NULL, NULL, NULL, NULL), 0);
    journal_destroy (&journal);
    tu_rmtree (dir);
    free (dir);
}

Test (journal, backup_while_appending_then_restore)
{
    char *dir = tu_tmpdir ();
    char *jdir = s_path (dir, "journal");
    char *dest = s_path (dir, "backup");
    journal_t *journal = s_open (jdir, JOURNAL_FSYNC_BATCH, 700, NULL, NULL);
    s_append_range (journal, 1, 200, 0);
    cr_assert_eq (journal_sync (journal), 0);
    s_append_range (journal, 201, 203, 1);      //  queued, not durable
    journal_backup_t *backup = journal_backup_new (journal, dest);
    cr_assert_not_null (backup);
    int n = 204, rc;
    uint64_t now = 1;
    while ((rc = journal_backup_step (backup, 97)) == 1) {
        s_append_range (journal, n, n, now);
        n++;
        now += 4;
        cr_assert_eq (journal_tick (journal, now), 0);
    }
    cr_assert_eq (rc, 0);
    journal_backup_destroy (&backup);
    journal_backup_destroy (&backup);
    cr_assert_gt (n, 260, "the copy took many steps");
    char *partial = s_path (dir, "backup.partial");
    cr_assert_not (s_exists (partial));
    journal_stats_t stats;
    cr_assert_eq (journal_verify (dest, NULL, &stats, NULL, NULL), 0);
    cr_assert_eq (stats.first_seq, 1);
    cr_assert_eq (stats.last_seq, 200);
    cr_assert_eq (stats.records, 200);
    cr_assert_null (journal_backup_new (journal, dest));
    cr_assert_eq (errno, EEXIST);
    //  The one-call form copies what is durable now.
    char *dest2 = s_path (dir, "backup2");
    cr_assert_eq (journal_sync (journal), 0);
    cr_assert_eq (journal_backup (journal, dest2), 0);
    cr_assert_eq (journal_verify (dest2, NULL, &stats, NULL, NULL), 0);
    cr_assert_eq (stats.last_seq, (uint64_t) n - 1);
    journal_destroy (&journal);

    problems_t problems = { .count = 0 };
    cr_assert_eq (journal_restore (dest, jdir, NULL, s_on_problem, &problems), 0);
    cr_assert_eq (problems.count, 0);
    journal = s_open (jdir, JOURNAL_FSYNC_BATCH, 700, NULL, NULL);
    int replayed;
    replay_t *replay = s_replay (journal, &replayed);
    cr_assert_eq (replayed, 0);
    cr_assert_eq (replay->seen.count, 200);
    cr_assert_eq (replay->seen.n [199], 200);
    free (replay);
    journal_destroy (&journal);
    char *old = s_path (dir, "journal.before-restore");
    cr_assert_eq (journal_verify (old, NULL, &stats, NULL, NULL), 0);
    cr_assert_eq (stats.last_seq, (uint64_t) n - 1);
    cr_assert_eq (journal_verify (dest, NULL, NULL, NULL, NULL), 0, "kept");

    //  A damaged backup is refused and the journal left alone.
    char *seg = s_segment (dest, 2);
    size_t size;
    uint8_t *data = s_slurp (seg, &size);
    data [size / 2] ^= 0x10;
    s_spit (seg, data, size);
    cr_assert_eq (journal_restore (dest, jdir, NULL, s_on_problem, &problems), -1);
    cr_assert_eq (errno, EBADMSG);
    cr_assert_geq (problems.count, 1);
    cr_assert_str_eq (problems.list [0].segment, seg);
    cr_assert_eq (journal_verify (jdir, NULL, &stats, NULL, NULL), 0);
    cr_assert_eq (stats.last_seq, 200);
    free (data);
    free (seg);
    free (old);
    free (dest2);
    free (partial);
    free (dest);
    free (jdir);
    tu_rmtree (dir);
    free (dir);
}

//  Every operation failing at every call of open (with a tail to repair
//  and a segment to drop), maintenance, backup and restore: each step
//  fails cleanly with the injected errno or works, and afterwards the
//  journal (in its folder, or put aside by restore) still replays.
static unsigned
s_maintenance_run (op_t op, unsigned nth, bool persistent, int error)
{
    char *dir = tu_tmpdir ();
    char *jdir = s_path (dir, "j");
    char *dest = s_path (dir, "b");
    journal_t *journal = s_open (jdir, JOURNAL_FSYNC_BATCH, 600, NULL, NULL);
    s_append_range (journal, 1, 40, 0);
    journal_destroy (&journal);
    //  A torn tail and a torn roll-over for open to repair.
    int index = 1;
    while (true) {
        char *next = s_segment (jdir, index + 1);
        bool more = s_exists (next);
        free (next);
        if (!more)
            break;
        index++;
    }
    char *last = s_segment (jdir, index);
    char *torn = s_segment (jdir, index + 1);
    size_t size;
    uint8_t *data = s_slurp (last, &size);
    s_spit (last, data, size - 3);
    s_spit (torn, (const uint8_t *) "R2CI", 4);
    free (data);

    fault_t fault;
    s_fault_init (&fault);
    if (nth)
        s_fault_set (&fault, 0, op, nth, persistent? UINT_MAX: nth, error);
    journal_config_t config = { .segment_size = 600, .io = &fault.table };
    journal = journal_open (jdir, &config, NULL, NULL);
    if (journal) {
        s_append_range (journal, 40, 45, 0);
        journal_sync (journal);
        //  Segments go only once the snapshot that replaces them is on
        //  disk, as the supervisor does.
        event_t event;
        s_event (&event, 46);
        if (journal_roll (journal) == 0 && journal_append (journal, &event, 0) == 0
        &&  journal_sync (journal) == 0)
            journal_remove_before (journal, event.seq, NULL);
        event_release (&event);
        journal_segment_t *list;
        size_t count;
        if (journal_segments (journal, &list, &count) == 0)
            free (list);
        if (journal_replay (journal, NULL, NULL, NULL))
            cr_assert_eq (errno, error, "%s #%u%s replay: %s", s_op_names [op], nth,
                          persistent? " on": "", strerror (errno));
        journal_backup (journal, dest);
        journal_destroy (&journal);
        journal_verify (jdir, &fault.table, NULL, NULL, NULL);
        if (s_exists (dest))
            journal_restore (dest, jdir, &fault.table, NULL, NULL);
    }
    else
        cr_assert (errno == error || errno == ENOENT, "%s #%u: %s",
                   s_op_names [op], nth, strerror (errno));
    unsigned calls = fault.calls [op];
    if (!s_exists (jdir)) {
        char *old = s_path (dir, "j.before-restore");
        cr_assert (s_exists (old), "restore lost the journal");
        cr_assert_eq (rename (old, jdir), 0);
        free (old);
    }
    journal = s_open (jdir, JOURNAL_FSYNC_BATCH, 600, NULL, NULL);
    cr_assert_not_null (journal, "%s #%u: %s", s_op_names [op], nth,
                        strerror (errno));
    int rc;
    replay_t *replay = s_replay (journal, &rc);
    cr_assert_eq (rc, 0, "%s #%u", s_op_names [op], nth);
    cr_assert_geq (replay->seen.count, 1, "%s #%u%s", s_op_names [op], nth,
                   persistent? " on": "");
    free (replay);
    journal_destroy (&journal);
    free (torn);
    free (last);
    free (dest);
    free (jdir);
    tu_rmtree (dir);
    free (dir);
    return calls;
}

Test (journal, every_operation_failing_at_every_call)
{
    for (op_t op = 0; op < OP_COUNT; op++) {
        unsigned calls = s_maintenance_run (op, 0, false, 0);
        for (unsigned nth = 1; nth <= calls; nth++) {
            s_maintenance_run (op, nth, false, EIO);
            s_maintenance_run (op, nth, true, ENOSPC);
        }
    }
}

//  A record with a good checksum around the given payload.
static size_t
s_craft_record (uint8_t *out, const uint8_t *payload, uint32_t length)
{
    for (int i = 0; i < 4; i++)
        out [i] = (uint8_t) (length >> (8 * i));
    memcpy (out + 8, payload, length);
    uint32_t crc = crc32c (crc32c (0, out, 4), payload, length);
    for (int i = 0; i < 4; i++)
        out [4 + i] = (uint8_t) (crc >> (8 * i));
    return 8 + length;
}

Test (journal, records_that_checksum_but_do_not_belong)
{
    char *dir = tu_tmpdir ();
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_NEVER, 500, NULL, NULL);
    s_append_range (journal, 1, 20, 0);
    journal_destroy (&journal);

    //  A repeat of the last record at the end of the last segment: a
    //  valid record with the wrong seq is a tail to cut.
    int last = 1;
    for (;; last++) {
        char *next = s_segment (dir, last + 1);
        bool more = s_exists (next);
        free (next);
        if (!more)
            break;
    }
    cr_assert_gt (last, 2);
    char *path = s_segment (dir, last);
    size_t size;
    uint8_t *data = s_slurp (path, &size);
    uint64_t starts [32], first;
    size_t count = s_parse_segment (data, size, starts, 32, &first);
    size_t length = size - starts [count - 1];
    uint8_t *longer = malloc (size + length);
    memcpy (longer, data, size);
    memcpy (longer + size, data + starts [count - 1], length);
    s_spit (path, longer, size + length);
    problems_t problems = { .count = 0 };
    journal = s_open (dir, JOURNAL_FSYNC_NEVER, 500, NULL, &problems);
    cr_assert_not_null (journal);
    cr_assert_eq (problems.count, 1);
    cr_assert_str_eq (problems.list [0].reason, "record out of order");
    cr_assert_eq (problems.list [0].offset, size);
    cr_assert_eq (journal_last_seq (journal), 20);
    //  The active segment cut short behind the journal's back.
    cr_assert_eq (truncate (path, (off_t) size - 1), 0);
    int rc;
    replay_t *replay = s_replay (journal, &rc);
    cr_assert_eq (rc, -1);
    cr_assert_eq (errno, EBADMSG);
    cr_assert_str_eq (replay->problems.list [0].reason, "segment shorter than written");
    free (replay);
    journal_destroy (&journal);
    s_spit (path, data, size);

    //  In segment 1: a payload that checksums but is no event, then a
    //  record that repeats a seq.
    char *one = s_segment (dir, 1);
    size_t size1;
    uint8_t *data1 = s_slurp (one, &size1);
    count = s_parse_segment (data1, size1, starts, 32, &first);
    const uint8_t not_event [] = { 0x94, 0x02, 0x05, 0xc0, 0x80 };
    uint8_t record [64];
    size_t bytes = s_craft_record (record, not_event, sizeof not_event);
    uint8_t *bad = malloc (size1 + 64);
    memcpy (bad, data1, starts [1]);
    memcpy (bad + starts [1], record, bytes);
    memcpy (bad + starts [1] + bytes, data1 + starts [2], size1 - starts [2]);
    size_t bad_size = starts [1] + bytes + size1 - starts [2];
    s_spit (one, bad, bad_size);
    problems.count = 0;
    cr_assert_eq (journal_verify (dir, NULL, NULL, s_on_problem, &problems), -1);
    cr_assert_eq (problems.count, 1);
    cr_assert_str_eq (problems.list [0].reason, "payload is not an event");
    cr_assert_eq (problems.list [0].offset, starts [1]);
    journal = s_open (dir, JOURNAL_FSYNC_NEVER, 500, NULL, NULL);
    replay = s_replay (journal, &rc);
    cr_assert_eq (rc, -1);
    cr_assert_eq (replay->seen.count, 1);
    cr_assert_eq (replay->problems.list [0].offset, starts [1]);
    free (replay);
    journal_destroy (&journal);
    memcpy (bad, data1, starts [2]);
    memcpy (bad + starts [2], data1 + starts [0], starts [1] - starts [0]);
    s_spit (one, bad, starts [2] + starts [1] - starts [0]);
    problems.count = 0;
    cr_assert_eq (journal_verify (one, NULL, NULL, s_on_problem, &problems), -1);
    cr_assert_eq (problems.count, 1);
    cr_assert_eq (problems.list [0].offset, starts [2]);
    cr_assert_str_eq (problems.list [0].reason, "seq out of order");
    s_spit (one, data1, size1);

    //  A bad header on the last segment is not a torn tail.
    data [3] ^= 1;
    s_spit (path, data, size);
    problems.count = 0;
    cr_assert_null (s_open (dir, JOURNAL_FSYNC_NEVER, 500, NULL, &problems));
    cr_assert_eq (errno, EBADMSG);
    cr_assert_str_eq (problems.list [0].reason, "bad segment header");

    //  A lone segment whose header never made it: a fresh journal.
    char *fresh = s_path (dir, "fresh");
    cr_assert_eq (mkdir (fresh, 0700), 0);
    char *torn = s_segment (fresh, 1);
    s_spit (torn, (const uint8_t *) "R2C", 3);
    problems.count = 0;
    journal = s_open (fresh, JOURNAL_FSYNC_NEVER, 500, NULL, &problems);
    cr_assert_not_null (journal);
    cr_assert_eq (problems.count, 1);
    cr_assert (problems.list [0].cut);
    cr_assert_eq (journal_last_seq (journal), 0);
    s_append_range (journal, 1, 1, 0);
    journal_destroy (&journal);
    cr_assert_eq (journal_verify (fresh, NULL, NULL, NULL, NULL), 0);
    free (torn);
    free (fresh);
    free (bad);
    free (data1);
    free (one);
    free (longer);
    free (data);
    free (path);
    tu_rmtree (dir);
    free (dir);
}

Test (journal, read_only_reader_skips_by_seq_and_stops_at_a_torn_tail)
{
    char *dir = tu_tmpdir ();
    journal_t *journal = s_open (dir, JOURNAL_FSYNC_ALWAYS, 600, NULL, NULL);
    s_append_range (journal, 1, 60, 0);
    //  Everything, in order, changing nothing.
    seen_t *seen = calloc (1, sizeof *seen);
    cr_assert_eq (journal_read (dir, NULL, 0, s_on_event, NULL, seen), 0);
    cr_assert_eq (seen->count, 60);
    for (size_t i = 0; i < 60; i++)
        cr_assert_eq (seen->seq [i], i + 1);
    //  From a seq in a later segment: only that seq and after.
    memset (seen, 0, sizeof *seen);
    cr_assert_eq (journal_read (dir, NULL, 45, s_on_event, NULL, seen), 0);
    cr_assert_eq (seen->count, 16);
    cr_assert_eq (seen->seq [0], 45);
    cr_assert_eq (seen->n [15], 60);
    memset (seen, 0, sizeof *seen);
    cr_assert_eq (journal_read (dir, NULL, 61, s_on_event, NULL, seen), 0);
    cr_assert_eq (seen->count, 0);

    //  A record half written at the end of the last segment, as a reader
    //  sees one while the supervisor writes: the read ends before it,
    //  reports nothing and leaves the file as it was.
    journal_segment_t *list;
    size_t count;
    cr_assert_eq (journal_segments (journal, &list, &count), 0);
    char *last = s_path (dir, list [count - 1].name);
    free (list);
    size_t size;
    uint8_t *data = s_slurp (last, &size);
    uint8_t *longer = malloc (size + 5);
    memcpy (longer, data, size);
    memcpy (longer + size, "\x30\x00\x00\x00\x01", 5);
    s_spit (last, longer, size + 5);
    replay_t *replay = calloc (1, sizeof *replay);
    cr_assert_eq (journal_read (dir, NULL, 0, s_replay_event, s_replay_problem, replay), 0);
    cr_assert_eq (replay->seen.count, 60);
    cr_assert_eq (replay->problems.count, 0);
    size_t now_size;
    free (s_slurp (last, &now_size));
    cr_assert_eq (now_size, size + 5, "the reader changed the file");

    //  A flipped byte in an earlier segment is damage: named, and the
    //  events before it were handed over.
    s_spit (last, data, size);
    char *first = s_segment (dir, 1);
    size_t first_size;
    uint8_t *bytes = s_slurp (first, &first_size);
    bytes [first_size - 3] ^= 0x40;
    s_spit (first, bytes, first_size);
    memset (replay, 0, sizeof *replay);
    errno = 0;
    cr_assert_eq (journal_read (dir, NULL, 0, s_replay_event, s_replay_problem, replay), -1);
    cr_assert_eq (errno, EBADMSG);
    cr_assert_eq (replay->problems.count, 1);
    cr_assert_str_eq (s_base (replay->problems.list [0].segment), "journal-0000000001.log");
    cr_assert_lt (replay->seen.count, 60);
    cr_assert_not (replay->problems.list [0].cut);
    //  Read from a seq past that segment, the damage is not in the way.
    memset (seen, 0, sizeof *seen);
    cr_assert_eq (journal_read (dir, NULL, 50, s_on_event, NULL, seen), 0);
    cr_assert_eq (seen->count, 11);

    errno = 0;
    char *empty = tu_tmpdir ();
    cr_assert_eq (journal_read (empty, NULL, 0, s_on_event, NULL, seen), -1);
    cr_assert_eq (errno, ENOENT);
    tu_rmtree (empty);
    free (empty);
    journal_destroy (&journal);
    free (replay);
    free (bytes);
    free (first);
    free (longer);
    free (data);
    free (last);
    free (seen);
    tu_rmtree (dir);
    free (dir);
}
