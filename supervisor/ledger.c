/*  supervisor/ledger.c - the supervisor's use of the journal: every event
    is appended before clients hear of it, answers wait until their event
    is durable, events that could not be written are kept and written
    again when the disk recovers, and at start the journal is replayed
    into the state: accepted workflows run again, results come back.  */
#include "supervisor/ledger.h"

#include "common/event.h"
#include "common/journal.h"
#include "common/util.h"
#include "supervisor/log.h"
#include "shared/snapshot.h"
#include "shared/bus.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct ledger_fault ledger_fault_t;

struct ledger {
    char state_dir [4096];      //  "" runs without a journal
    config_journal_t cfg;
    uint32_t results_keep;      //  the snapshot replay folds into keeps as many
    ledger_hooks_t hooks;
    journal_t *journal;         //  NULL without a state folder
    int journal_lock;
    zlistx_t *held;             //  events on their way to disk, with answers
    size_t unwritten;           //  of those, not yet handed to the journal
    uint64_t next_seq;          //  without a journal
    uint64_t last_retry_ms;
    size_t recovered;           //  workflows queued again at start
    uint64_t replayed_events;
    ledger_fault_t *fault;      //  test-only I/O faults
};

//  An answer that waits for its event to be durable.
typedef struct {
    zframe_t *identity;
    wire_reply_t reply;
    zframe_t *body;             //  may be NULL
} held_reply_t;

//  An event on its way to disk, with the answers that wait for it.
typedef struct {
    event_t event;
    uint64_t seq;               //  0 until appended
    held_reply_t *replies;
    size_t replies_count;
    bool dropped;               //  could never be written: see s_write_backlog
} record_t;

static void
s_record_destroy (record_t **self_p)
{
    record_t *self = *self_p;
    if (!self)
        return;
    event_release (&self->event);
    for (size_t i = 0; i < self->replies_count; i++) {
        zframe_destroy (&self->replies [i].identity);
        zframe_destroy (&self->replies [i].body);
    }
    free (self->replies);
    free (self);
    *self_p = NULL;
}

static void
s_record_free (void **item_p)
{
    s_record_destroy ((record_t **) item_p);
}

//  --------------------------------------------------------------------
//  Replay: the events fold into a snapshot state (shared/snapshot.h),
//  which a system.snapshot event resets; the state then goes to the
//  supervisor's parts through the hooks.

typedef struct {
    const ledger_hooks_t *hooks;
    snapshot_t *state;
    uint64_t events;
} replay_t;

static int
s_on_replay (event_t *event, void *arg)
{
    replay_t *replay = arg;
    replay->events++;
    replay->hooks->replay_event (replay->hooks->arg, event);
    return snapshot_apply (replay->state, event);
}

static void
s_on_problem (const journal_problem_t *problem, void *arg)
{
    (void) arg;
    char line [512];
    journal_problem_format (problem, line, sizeof line);
    if (problem->cut)
        log_warn ("journal: torn tail cut: %s", line);
    else
        log_error ("journal: %s", line);
}

typedef struct {
    const event_t **list;
    size_t count;
} s_pending_list_t;

static int
s_collect_pending (const event_t *queued, void *arg)
{
    s_pending_list_t *self = arg;
    self->list [self->count++] = queued;
    return 0;
}

typedef struct {
    const ledger_hooks_t *hooks;
    snapshot_t *state;
} s_restore_t;

static int
s_restore_result (const char *id, const char *text, size_t size, uint64_t time, void *arg)
{
    s_restore_t *self = arg;
    self->hooks->replay_result (self->hooks->arg, id, text, size, time,
                                snapshot_result_no_tests (self->state, id));
    return 0;
}

static int
s_restore_evicted (const char *id, void *arg)
{
    const ledger_hooks_t *hooks = arg;
    hooks->replay_evicted (hooks->arg, id);
    return 0;
}

//  Keeps the results again and queues every accepted workflow that has
//  no end in the journal.
static size_t
s_requeue (ledger_t *self, snapshot_t *state)
{
    const ledger_hooks_t *hooks = &self->hooks;
    snapshot_each_evicted (state, s_restore_evicted, (void *) hooks);
    s_restore_t restore = { hooks, state };
    snapshot_each_result (state, s_restore_result, &restore);
    s_pending_list_t pending = { calloc (snapshot_pending_count (state) + 1,
                                         sizeof (const event_t *)), 0 };
    if (!pending.list)
        return 0;
    snapshot_each_pending (state, s_collect_pending, &pending);
    //  Each goes to the head of its priority: push the newest first so
    //  they come out in the order they were accepted.
    size_t count = 0;
    for (size_t i = pending.count; i-- > 0; )
        if (hooks->replay_pending (hooks->arg, pending.list [i]))
            count++;
    free (pending.list);
    return count;
}

static const jio_t *s_test_io (ledger_t *self);

//  Says once when the journal stops taking writes and once when it takes
//  them again: an operator reads the cause in the log, not only in the
//  answers clients get. was_healthy is the health before the call.
static void
s_note_health (ledger_t *self, bool was_healthy)
{
    bool healthy = journal_healthy (self->journal);
    if (was_healthy && !healthy)
        log_error ("journal: %s/journal cannot be written (%s); not accepting work until "
                   "it can", self->state_dir, strerror (journal_error (self->journal)));
    else
    if (!was_healthy && healthy)
        log_info ("journal: writes succeed again; accepting work");
}

//  --------------------------------------------------------------------

static int
s_open (ledger_t *self, const ledger_hooks_t *hooks, char *err, size_t size)
{
    self->held = zlistx_new ();
    if (!self->held) {
        snprintf (err, size, "out of memory");
        return -1;
    }
    zlistx_set_destructor (self->held, s_record_free);
    if (!self->state_dir [0])
        return 0;                   //  no journal: durable at once

    char dir [PATH_MAX];
    snprintf (dir, sizeof dir, "%s/journal", self->state_dir);
    if (util_mkdirs (dir, 0700)) {
        snprintf (err, size, "%s: %s", dir, strerror (errno));
        return -1;
    }
    //  A file size limit (ulimit -f) must fail a write with EFBIG, which
    //  the journal survives like a full disk, not kill us with SIGXFSZ.
    //  Workers are spawned with every signal back at its default.
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    sigemptyset (&ignore.sa_mask);
    sigaction (SIGXFSZ, &ignore, NULL);
    //  One supervisor per journal.
    char lock [PATH_MAX + 16];
    snprintf (lock, sizeof lock, "%s/lock", dir);
    self->journal_lock = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (self->journal_lock < 0 || flock (self->journal_lock, LOCK_EX | LOCK_NB)) {
        snprintf (err, size, "%s: another supervisor uses this journal", dir);
        return -1;
    }
    journal_config_t config = {
        .segment_size = self->cfg.segment_size,
        .batch_records = self->cfg.batch_records,
        .batch_ms = (uint32_t) self->cfg.batch_interval_ms,
        .policy = self->cfg.fsync == CONFIG_FSYNC_ALWAYS? JOURNAL_FSYNC_ALWAYS:
                  self->cfg.fsync == CONFIG_FSYNC_NEVER? JOURNAL_FSYNC_NEVER:
                  JOURNAL_FSYNC_BATCH,
        .io = hooks->journal_io (hooks->arg, s_test_io (self)),
    };
    self->journal = journal_open (dir, &config, s_on_problem, NULL);
    if (!self->journal) {
        snprintf (err, size, "%s: cannot open the journal: %s%s", dir, strerror (errno),
                  errno == EBADMSG? " (see `readme2ci journal verify`)": "");
        return -1;
    }
    replay_t replay = { .hooks = hooks, .state = snapshot_new (self->results_keep) };
    if (!replay.state) {
        snprintf (err, size, "out of memory");
        return -1;
    }
    uint64_t started = util_now_ms ();
    int rc = journal_replay (self->journal, s_on_replay, s_on_problem, &replay);
    if (rc) {
        snprintf (err, size, "%s: replay stopped: %s (see `readme2ci journal verify %s`)",
                  dir, strerror (errno), dir);
        snapshot_destroy (&replay.state);
        return -1;
    }
    self->recovered = s_requeue (self, replay.state);
    self->replayed_events = replay.events;
    log_info ("journal: %llu events replayed in %llu ms; %zu workflows queued again, "
              "%zu results", (unsigned long long) replay.events,
              (unsigned long long) (util_now_ms () - started), self->recovered,
              snapshot_results_count (replay.state));
    snapshot_destroy (&replay.state);
    return 0;
}

ledger_t *
ledger_new (const char *state_dir, const config_journal_t *config, uint32_t results_keep,
            const ledger_hooks_t *hooks, char *err, size_t size)
{
    ledger_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, size, "out of memory");
        return NULL;
    }
    util_copy (self->state_dir, sizeof self->state_dir, state_dir? state_dir: "");
    self->cfg = *config;
    self->results_keep = results_keep;
    self->hooks = *hooks;
    self->journal_lock = -1;
    if (s_open (self, &self->hooks, err, size))
        ledger_destroy (&self);
    return self;
}

//  Sends the answers of the records at the head that are now durable.
static void
s_flush (ledger_t *self)
{
    uint64_t durable = self->journal? journal_durable_seq (self->journal): UINT64_MAX;
    record_t *record;
    while ((record = zlistx_first (self->held))
       &&  (record->dropped || (record->seq && record->seq <= durable))) {
        for (size_t i = 0; i < record->replies_count; i++) {
            held_reply_t *held = &record->replies [i];
            uint8_t *buf;
            size_t size;
            if (wire_reply_encode (&held->reply, &buf, &size) == 0)
                self->hooks.send (self->hooks.arg, held->identity, buf, size,
                                         &held->body, held->body? 1: 0);
        }
        zlistx_delete (self->held, zlistx_cursor (self->held));
    }
}

//  The event without its byte fields, which say how much was left out.
//  0, or -1 with ENOMEM.
static int
s_without_bytes (const event_t *event, event_t *lean)
{
    memset (lean, 0, sizeof *lean);
    lean->time = event->time;
    int64_t dropped = 0;
    char keys [256] = "";
    int rc = event_set_type (lean, event->type);
    for (size_t i = 0; rc == 0 && i < event->count; i++) {
        const event_field_t *field = &event->fields [i];
        if (field->kind == EVENT_BYTES) {
            dropped += (int64_t) field->size;
            size_t used = strlen (keys);
            snprintf (keys + used, sizeof keys - used, "%s%s", used? ",": "", field->key);
        }
        else
        if (field->kind == EVENT_STR)
            rc = event_add_str (lean, field->key, field->data);
        else
        if (field->kind == EVENT_INT)
            rc = event_add_int (lean, field->key, field->num);
        else
            rc = event_add_bool (lean, field->key, field->num != 0);
    }
    if (rc == 0)
        rc = event_add_int (lean, "dropped_bytes", dropped);
    if (rc == 0)
        rc = event_add_str (lean, "dropped_fields", keys);
    if (rc)
        event_release (lean);
    return rc;
}

//  A record the journal can never take (over JOURNAL_RECORD_MAX; the
//  supervisor refuses inputs that would make one, so this is a last
//  resort) must not hold up every record after it: it is written without
//  its byte fields, and if even that fails it is left out, said in the
//  log both ways. Its answers go out once the records before it are
//  durable. Returns journal_append's result for what was written.
static int
s_write_oversized (ledger_t *self, record_t *record, uint64_t now)
{
    size_t size = 0;
    uint8_t *buf;
    if (event_encode (&record->event, &buf, &size) == 0)
        free (buf);
    event_t lean;
    if (s_without_bytes (&record->event, &lean) == 0) {
        int rc = journal_append (self->journal, &lean, now);
        if (rc == 0) {
            log_error ("journal: a %s event of %zu bytes is over the record limit of %u "
                       "bytes: written without its byte fields (%s)", record->event.type,
                       size, JOURNAL_RECORD_MAX, event_get_str (&lean, "dropped_fields"));
            record->event.seq = lean.seq;
            event_release (&lean);
            return 0;
        }
        event_release (&lean);
        if (errno != EMSGSIZE && errno != EINVAL)
            return -1;          //  the disk: try again later like any record
    }
    log_error ("journal: a %s event of %zu bytes cannot be written (%s): left out",
               record->event.type, size, strerror (errno));
    record->dropped = true;
    return 0;
}

//  Appends the records not yet in the journal, in order.
static void
s_write_backlog (ledger_t *self)
{
    //  The records not yet written are the last `unwritten` of the list
    //  (they are written in order): start at the first of them.
    if (self->unwritten == 0)
        return;
    record_t *record = zlistx_last (self->held);
    for (size_t i = 1; i < self->unwritten && record; i++)
        record = zlistx_prev (self->held);
    uint64_t now = util_now_ms ();
    for (; record; record = zlistx_next (self->held)) {
        if (!self->journal)
            record->seq = ++self->next_seq;
        else {
            bool was_healthy = journal_healthy (self->journal);
            int rc = journal_append (self->journal, &record->event, now);
            if (rc && (errno == EMSGSIZE || errno == EINVAL))
                rc = s_write_oversized (self, record, now);
            s_note_health (self, was_healthy);
            if (rc)
                return;             //  unhealthy: try again on a later tick
            record->seq = record->event.seq;
        }
        //  The journal has its own copy now; only the answers wait.
        event_release (&record->event);
        self->unwritten--;
    }
}

void
ledger_destroy (ledger_t **self_p)
{
    ledger_t *self = *self_p;
    if (!self)
        return;
    if (self->journal) {
        bool was_healthy = journal_healthy (self->journal);
        if (!was_healthy)
            journal_retry (self->journal);
        s_write_backlog (self);         //  a last chance for events kept back
        journal_sync (self->journal);
        s_note_health (self, was_healthy);
        s_flush (self);
        //  Events are kept while the journal cannot take them; those left
        //  at the end never reach it (no work was acknowledged on them).
        if (self->unwritten)
            log_warn ("journal: %zu event(s) could not be written before the stop: %s",
                      self->unwritten, strerror (journal_error (self->journal)));
    }
    journal_destroy (&self->journal);
    zlistx_destroy (&self->held);
    if (self->journal_lock > 0)
        close (self->journal_lock);
    self->journal_lock = -1;
    free (self->fault);
    free (self);
    *self_p = NULL;
}

journal_t *
ledger_journal (ledger_t *self)
{
    return self->journal;
}

size_t
ledger_recovered (const ledger_t *self)
{
    return self->recovered;
}

uint64_t
ledger_replayed (const ledger_t *self)
{
    return self->replayed_events;
}

uint64_t
ledger_record (ledger_t *self, event_t *event)
{
    record_t *record = calloc (1, sizeof *record);
    if (!record) {
        event_release (event);
        return 0;
    }
    record->event = *event;
    memset (event, 0, sizeof *event);
    zlistx_add_end (self->held, record);
    self->unwritten++;
    s_write_backlog (self);
    uint64_t seq = record->seq;
    s_flush (self);
    return seq;
}

void
ledger_hold_reply (ledger_t *self, zframe_t *identity, const wire_reply_t *reply,
                   const void *body, size_t body_size)
{
    record_t *record = zlistx_last (self->held);
    if (!record) {
        uint8_t *buf;
        size_t size;
        if (wire_reply_encode (reply, &buf, &size) == 0) {
            zframe_t *frame = body? zframe_new (body, body_size): NULL;
            self->hooks.send (self->hooks.arg, identity, buf, size, &frame,
                                     frame? 1: 0);
        }
        return;
    }
    held_reply_t *replies = realloc (record->replies,
                                     (record->replies_count + 1) * sizeof *replies);
    if (!replies)
        return;
    record->replies = replies;
    held_reply_t *held = &replies [record->replies_count++];
    held->identity = zframe_dup (identity);
    held->reply = *reply;
    held->body = body? zframe_new (body, body_size): NULL;
}

void
ledger_commit (ledger_t *self)
{
    if (self->journal && journal_healthy (self->journal)) {
        journal_sync (self->journal);
        s_note_health (self, true);
    }
    s_flush (self);
}

bool
ledger_durable (ledger_t *self, uint64_t seq)
{
    return !self->journal || (seq && seq <= journal_durable_seq (self->journal));
}

bool
ledger_healthy (ledger_t *self)
{
    return !self->journal || journal_healthy (self->journal);
}

const char *
ledger_problem (ledger_t *self)
{
    return self->journal? strerror (journal_error (self->journal)): "";
}

void
ledger_tick (ledger_t *self, uint64_t now)
{
    if (!self->journal) {
        s_flush (self);
        return;
    }
    if (!journal_healthy (self->journal)) {
        if (now - self->last_retry_ms >= 100) {
            self->last_retry_ms = now;
            journal_retry (self->journal);
            s_note_health (self, false);
        }
    }
    else {
        journal_tick (self->journal, now);
        s_note_health (self, true);
    }
    s_write_backlog (self);
    s_flush (self);
}

#if defined (R2CI_TESTING_HOOKS)
//  Test-only I/O table: R2CI_TEST_JOURNAL="OP:FROM:COUNT:ERR" (OP write or
//  fsync, ERR ENOSPC or EIO) fails calls FROM..FROM+COUNT-1 of that kind,
//  so a test can watch the supervisor stop taking work and recover.
//  Builds without testing hooks ignore it.
struct ledger_fault {
    jio_t io;
    const jio_t *real;
    bool on_fsync;
    long from, count, calls;
    int error;
};

static bool
s_fault_now (ledger_fault_t *self)
{
    self->calls++;
    return self->calls >= self->from && self->calls < self->from + self->count;
}

static ssize_t
s_fault_pwrite (void *ctx, int fd, const void *buf, size_t size, off_t offset)
{
    ledger_fault_t *self = ctx;
    if (!self->on_fsync && s_fault_now (self))
        return errno = self->error, -1;
    return self->real->pwrite (self->real->ctx, fd, buf, size, offset);
}

static int
s_fault_fsync (void *ctx, int fd)
{
    ledger_fault_t *self = ctx;
    if (self->on_fsync && s_fault_now (self))
        return errno = self->error, -1;
    return self->real->fsync (self->real->ctx, fd);
}

static const jio_t *
s_test_io (ledger_t *self)
{
    const char *spec = getenv ("R2CI_TEST_JOURNAL");
    char op [16], error [16];
    long from, count;
    if (!spec || sscanf (spec, "%15[^:]:%ld:%ld:%15s", op, &from, &count, error) != 4)
        return NULL;
    ledger_fault_t *fault = calloc (1, sizeof *fault);
    if (!fault)
        return NULL;
    fault->real = jio_default ();
    fault->io = *fault->real;
    fault->io.ctx = fault;
    fault->io.pwrite = s_fault_pwrite;
    fault->io.fsync = s_fault_fsync;
    //  The other members still get our ctx: pass it through to the real.
    fault->on_fsync = strcmp (op, "fsync") == 0;
    fault->from = from;
    fault->count = count;
    fault->error = strcmp (error, "EIO") == 0? EIO: ENOSPC;
    self->fault = fault;
    log_warn ("journal: test fault injection on: %s", spec);
    return &fault->io;
}
#else
static const jio_t *
s_test_io (ledger_t *self)
{
    (void) self;
    return NULL;
}
#endif
