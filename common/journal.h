/*  common/journal.h - the supervisor's durable event journal: an
    append-only, checksummed, segmented log, kept like a database's WAL.

    ON-DISK FORMAT (version 1). All integers are little-endian.

    A journal is a folder of segment files named journal-NNNNNNNNNN.log,
    NNNNNNNNNN the segment's index in decimal, at least 10 digits (zero
    padded), from 1 and rising by 1. Other names in the folder are ignored.
    Read segments in increasing index order (compare the numbers, not the
    names). Only the highest index is appended to; when it would grow past
    the segment size (default 64 MiB) a new segment is started, so a
    segment exceeds the size only when it holds a single record.

    A segment is a 20-byte header, then records back to back, no padding:

        header   0  8  magic "R2CIJNL1"
                 8  8  u64 seq of the segment's first record (the records
                       may be none yet: a new segment is this header alone)
                16  4  u32 CRC-32C of header bytes 0..15

        record   0  4  u32 length L of the payload, 1 .. JOURNAL_RECORD_MAX
                 4  4  u32 CRC-32C of record bytes 0..3 (the length) then
                       the L payload bytes
                 8  L  payload: one msgpack event, the array
                       [seq, time, type, {key: value, ...}] (common/event.h)
                       seq and time unsigned ints, type a str, each value a
                       str, int, bool or bin

    CRC-32C is the Castagnoli CRC (crc32c ("123456789") = 0xE3069283).
    Seqs rise by exactly 1 from record to record, across segments too, and
    the first record of a segment has the seq its header names.

    A reader stops at the end of the last segment. A record that does not
    fit in what is left of its file, whose length is out of range, whose
    CRC differs or whose payload is not an event with the expected seq is
    damage. Damage in the last segment with no valid record after it is a
    torn tail (a write cut short by a crash) when the record runs past
    the end of the file, is all zeros from a 512-byte boundary to the end
    (blocks the file grew by but whose data never landed), or is a valid
    record with the wrong seq: journal_open truncates the segment back to
    the last good record and reports what it dropped. A whole last record
    whose checksum fails is not torn but damaged: the event it held may
    have been committed, so it is never dropped silently. That, and damage
    anywhere else (a bad record followed by good ones, any damage in an
    earlier segment, a bad header, a gap in the seqs), is corruption: the
    journal refuses it and names the segment file and the offset.

    DURABILITY. journal_append gives the event the next seq and queues its
    record; when the record is on disk depends on the policy:
      always  write + fsync per record: durable when append returns 0;
      batch   group commit: the queued records are written in one write and
              one fsync when 64 are queued or the oldest has waited 10 ms
              of the caller's clock (journal_tick), whichever comes first;
      never   one write per record, never fsync: "durable" means handed to
              the kernel (it survives the process, not the machine).
    journal_durable_seq says how far the disk is; the supervisor
    acknowledges work only once its record's seq is durable.

    FAILURE. When a write or fsync fails, the file is cut back to the last
    durable record (the failed fsync may have lost any page written since)
    and the journal reports itself unhealthy. The record of the append
    that met the failure is dropped (append returns -1 and that errno; its
    seq is given to the next one); records queued earlier stay queued and
    are written again by the next append, journal_tick or journal_retry,
    which also make the journal healthy again. Durable records are never
    touched.

    All file I/O goes through the jio_t table of the config (common/jio.h).
    The journal is not thread-safe; it never reads the clock or logs.  */
#ifndef JOURNAL_H_INCLUDED
#define JOURNAL_H_INCLUDED

#include "common/event.h"
#include "common/jio.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNAL_SEGMENT_SIZE (64u * 1024 * 1024)
#define JOURNAL_BATCH_RECORDS 64
#define JOURNAL_BATCH_MS 10
//  A batch also ends once its queued records reach this many bytes: a
//  burst of large records (a submission carries its inputs) is neither
//  held in memory nor written in one long stretch.
#define JOURNAL_BATCH_BYTES (128u * 1024)
#define JOURNAL_RECORD_MAX (16u * 1024 * 1024)
#define JOURNAL_HEADER_SIZE 20
#define JOURNAL_RECORD_HEAD 8
//  Room for a segment's file name, "journal-" 20 digits ".log" and a NUL.
#define JOURNAL_NAME_SIZE 40

typedef struct journal journal_t;
typedef struct journal_backup journal_backup_t;

typedef enum {
    JOURNAL_FSYNC_BATCH = 0,    //  the default
    JOURNAL_FSYNC_ALWAYS,
    JOURNAL_FSYNC_NEVER
} journal_policy_t;

//  Zero values mean the defaults above.
typedef struct {
    journal_policy_t policy;
    uint64_t segment_size;
    uint32_t batch_records;
    uint32_t batch_ms;
    const jio_t *io;            //  NULL: the real system calls
} journal_config_t;

//  Damage found by open, replay or verify.
typedef struct {
    const char *segment;        //  path of the segment file
    uint64_t offset;            //  where the damage starts in it
    uint64_t bytes;             //  bytes dropped (cut) or unreadable
    const char *reason;         //  "checksum mismatch", "torn record"...
    bool cut;                   //  true: journal_open truncated it away
} journal_problem_t;

typedef void journal_problem_fn (const journal_problem_t *problem, void *arg);
//  Replay callback: 0 to go on, -1 (errno set) to stop the replay. It may
//  take over the event's contents (leaving the event zeroed).
typedef int journal_event_fn (event_t *event, void *arg);

//  Format a problem as one line, e.g. "journal-0000000003.log: offset
//  4096: checksum mismatch (37 bytes cut)", into buf (truncated to fit).
void journal_problem_format (const journal_problem_t *problem, char *buf,
                             size_t size);

//  "always", "batch", "never" <-> policy. Parse: 0 or -1 EINVAL.
int journal_policy_parse (const char *text, journal_policy_t *policy_p);
const char *journal_policy_name (journal_policy_t policy);

//  Open the journal in dir (created 0700 if missing), recovering a torn
//  tail of the last segment: each cut is handed to on_problem (may be
//  NULL) with cut true. Returns the journal, or NULL with errno: EBADMSG
//  when the last segment is corrupt before its end (on_problem says where),
//  EINVAL for a bad config, or the errno of a failed file operation.
//  Only the last segment is read; journal_replay checks the others.
journal_t *journal_open (const char *dir, const journal_config_t *config,
                         journal_problem_fn *on_problem, void *arg);

//  Write what is queued (best effort), close, free, set *self_p to NULL.
void journal_destroy (journal_t **self_p);

//  Hand every durable record of every segment, in order, decoded, to
//  on_event. 0, or -1 with EBADMSG at corruption (on_problem, which may be
//  NULL, names segment and offset; the events before it were handed
//  over), the errno of on_event when it stopped, or an I/O errno.
int journal_replay (journal_t *self, journal_event_fn *on_event,
                    journal_problem_fn *on_problem, void *arg);

//  Append an event: sets event->seq to the next seq and queues its record,
//  writing it as the policy says; now_ms is the caller's clock for group
//  commit. 0 when the record is accepted (durable at once for always and
//  never; see journal_durable_seq for batch), or -1 with errno: EINVAL (no
//  type), EMSGSIZE (record over JOURNAL_RECORD_MAX), ENOMEM, or the errno
//  of a failed write/fsync/truncate (ENOSPC, EIO...), in which case the
//  event is not in the journal and event->seq is left as it was.
int journal_append (journal_t *self, event_t *event, uint64_t now_ms);

//  Commit queued records that have waited batch_ms, and retry after a
//  failure (at most once per batch_ms). 0, or -1 with the I/O errno.
int journal_tick (journal_t *self, uint64_t now_ms);
//  The now_ms at which journal_tick has work to do; UINT64_MAX if none.
uint64_t journal_deadline (journal_t *self);
//  Write and fsync everything queued now (shutdown, before maintenance).
//  0 or -1 with the I/O errno.
int journal_sync (journal_t *self);
//  After a failure: try again now (cut back, rewrite what is queued, and
//  fsync). 0 and healthy again, or -1 with errno.
int journal_retry (journal_t *self);

//  The seq of the last accepted record (0 when none ever).
uint64_t journal_last_seq (journal_t *self);
//  Every record up to this seq is on disk (as the policy defines it).
uint64_t journal_durable_seq (journal_t *self);
//  False from a failed write/fsync until a later one succeeds.
bool journal_healthy (journal_t *self);
//  The errno of the failure while unhealthy, else 0.
int journal_error (journal_t *self);
//  Records accepted but not yet durable.
size_t journal_queued (journal_t *self);

//  One segment, as journal_segments lists it.
typedef struct {
    char name [JOURNAL_NAME_SIZE];  //  file name in the journal folder
    uint64_t index;
    uint64_t records;
    uint64_t first_seq;         //  from the header; last_seq < first_seq
    uint64_t last_seq;          //  when the segment has no records
    uint64_t first_time;        //  time of first and last record (ms since
    uint64_t last_time;         //  the epoch), 0 when empty
    uint64_t bytes;             //  durable bytes, header included
    bool active;                //  the one appended to
} journal_segment_t;

//  Every segment, oldest first, into a malloc'd array (caller frees).
//  Reads every durable record. 0, or -1 with EBADMSG or an I/O errno.
int journal_segments (journal_t *self, journal_segment_t **list_p,
                      size_t *count_p);

//  Commit what is queued and start a new segment for the next record, so
//  that a snapshot event appended next opens its own segment. A no-op
//  when the active segment has no records. 0 or -1 with errno.
int journal_roll (journal_t *self);

//  Remove, oldest first, every segment whose records all have a seq below
//  seq (never the active one). *removed_p (may be NULL) gets the count.
//  0 or -1 with errno (segments removed so far stay removed).
int journal_remove_before (journal_t *self, uint64_t seq, size_t *removed_p);

//  Start a consistent copy of the journal into the folder dest, which
//  must not exist: the sealed segments whole, the active one up to its
//  durable end at this moment. The copy is built in "DEST.partial" and
//  renamed to dest when complete. The backup only reads files, so
//  appends may go on between steps; journal_remove_before must not run
//  until it is done. NULL with errno (EEXIST when dest exists).
journal_backup_t *journal_backup_new (journal_t *self, const char *dest);
//  Copy up to max_bytes more: 1 while work remains, 0 when the copy is
//  complete and in place, -1 with errno.
int journal_backup_step (journal_backup_t *self, size_t max_bytes);
//  Free a backup; an unfinished one leaves its DEST.partial folder.
void journal_backup_destroy (journal_backup_t **self_p);
//  The whole backup in one call. 0 or -1 with errno.
int journal_backup (journal_t *self, const char *dest);

//  Read the journal folder dir without changing anything, so it is safe
//  while a supervisor appends: every record whose seq is from_seq or more
//  (0: all), decoded, in order, to on_event (which may take over the
//  event's contents). Segments wholly before from_seq are passed over by
//  their headers. Damage ending the last segment, with no valid record
//  after it, is where reading stops cleanly (a torn tail, or a record
//  being written now); a last segment shorter than its header holds no
//  records yet. A segment removed while it is read (a cleanup) is gone
//  from the reading: it goes on with the segments still there, so the
//  seqs handed over may jump. Other damage goes to on_problem (may be
//  NULL) and stops the reading. io NULL means the real calls. 0, or -1 with EBADMSG
//  (damage; the events before it were handed over), ENOENT (no segments),
//  the errno of on_event when it stopped, or an I/O errno.
int journal_read (const char *dir, const jio_t *io, uint64_t from_seq,
                  journal_event_fn *on_event, journal_problem_fn *on_problem,
                  void *arg);

//  What journal_verify saw.
typedef struct {
    size_t segments;
    uint64_t records;           //  good records
    uint64_t problems;
    uint64_t first_seq;         //  of the first and last good record
    uint64_t last_seq;
} journal_stats_t;

//  Check every record of a journal folder, or of one segment file,
//  changing nothing: every damaged stretch (torn tails included) goes to
//  on_problem (may be NULL) with cut false, and reading resumes at the
//  next valid record. stats (may be NULL) gets the totals. io NULL means
//  the real calls. 0 when clean; -1 with EBADMSG when any problem was
//  found, ENOENT for no segments, or another errno if it could not read.
int journal_verify (const char *path, const jio_t *io, journal_stats_t *stats,
                    journal_problem_fn *on_problem, void *arg);

//  Replace the journal in dir with the backup folder: verify the backup
//  (it must be clean), copy it beside dir ("DIR.restore"), then move dir
//  to "DIR.before-restore" (replacing an older one) and the copy to dir.
//  The backup is left as it was. No journal may be open on dir. 0, or -1
//  with EBADMSG (the backup is damaged: on_problem says how) or errno.
int journal_restore (const char *backup, const char *dir, const jio_t *io,
                     journal_problem_fn *on_problem, void *arg);

#endif
