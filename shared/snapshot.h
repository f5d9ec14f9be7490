/*  shared/snapshot.h - the state that replaying the journal rebuilds
    (workflows accepted and not finished, results kept, desired worker
    counts), folded from events, and written back as system.snapshot
    events so that maintenance can remove the segments before them.

    A snapshot is one or more consecutive system.snapshot events ("parts":
    a part is kept under SNAPSHOT_PART_BYTES so no record nears the
    journal's limit). Each has the int field "part" (from 1) and the bool
    "last"; the rest are the state:
      pending:ID   bin, an accepted workflow: its workflow.queued event
                   (event_encode), inputs included
      result:ID    bin, the result text of a finished workflow
      notest:ID    bool, true: that workflow has no test command (in the
                   same part as result:ID, after it)
      result_time:ID  int, when it finished (ms since the epoch), after
                   its result:ID in the same part; absent: the part's time
      evicted:ID   bool, a result that was evicted (result.evicted): its
                   id is remembered so that it is not run again
      desired:NAME int, a component's desired worker count
    and the last part adds "workflows" and "results", the counts. Replay
    takes a snapshot only once its last part is read; from there on the
    state is what the snapshot holds, as if the events before it had been
    replayed. Not thread-safe; never reads the clock or logs.  */
#ifndef SNAPSHOT_H_INCLUDED
#define SNAPSHOT_H_INCLUDED

#include "common/event.h"
#include "common/journal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAPSHOT_TYPE "system.snapshot"
#define SNAPSHOT_PART_BYTES (8u * 1024 * 1024)
//  Results kept by default: as many as the supervisor keeps.
#define SNAPSHOT_RESULTS_MAX 1024
//  Evicted ids remembered per result kept: beyond that many, the oldest
//  evictions are forgotten.
#define SNAPSHOT_EVICTED_PER_RESULT 4

typedef struct snapshot snapshot_t;

//  An empty state keeping at most results_max results (the oldest go).
//  NULL with ENOMEM.
snapshot_t *snapshot_new (size_t results_max);
void snapshot_destroy (snapshot_t **self_p);

//  Fold one journal event into the state: workflow.queued adds a pending
//  workflow (taking over the event's contents), workflow.completed keeps
//  its result and ends it, result.evicted drops the result and remembers
//  the id, workflow.failed and workflow.shed end it, the
//  last part of a system.snapshot replaces the whole state. Other events
//  change nothing. 0, or -1 with ENOMEM. A malformed snapshot part is
//  ignored (with its snapshot), never an error.
int snapshot_apply (snapshot_t *self, event_t *event);

//  Add a pending workflow: queued is a workflow.queued event with at least
//  workflow_id, docs and project; its contents are taken (the event is
//  left empty). One already pending under the id is replaced and moves to
//  the end. 0, or -1 with EINVAL (no workflow_id) or ENOMEM.
int snapshot_add_pending (snapshot_t *self, event_t *queued);
//  Keep a result (copied) finished at time (ms since the epoch); an id
//  kept already moves to the newest place. Beyond results_max, the oldest
//  is evicted. 0, or -1 with EINVAL or ENOMEM.
int snapshot_add_result (snapshot_t *self, const char *id, const void *data,
                         size_t size, uint64_t time);
//  The result of id was evicted: drop it if kept and remember the id (at
//  most SNAPSHOT_EVICTED_PER_RESULT x results_max ids, the newest). 0, or
//  -1 with EINVAL or ENOMEM.
int snapshot_add_evicted (snapshot_t *self, const char *id);
//  Mark the kept result of id as a workflow with no test command (a
//  workflow.completed event's "no_tests"; "notest:ID" in a snapshot).
//  0, or -1 with ENOENT when no result is kept under id.
int snapshot_mark_no_tests (snapshot_t *self, const char *id);
bool snapshot_result_no_tests (snapshot_t *self, const char *id);
//  Record a component's desired worker count. 0, or -1 with EINVAL.
int snapshot_set_desired (snapshot_t *self, const char *component,
                          uint32_t count);

//  Counts, and the desired count of a component (-1 with ENOENT if none
//  was recorded).
size_t snapshot_pending_count (snapshot_t *self);
size_t snapshot_results_count (snapshot_t *self);
int snapshot_desired (snapshot_t *self, const char *component,
                      uint32_t *count_p);

//  Every pending workflow in the order accepted (the event is borrowed),
//  and every result oldest first (borrowed, NUL-ended). Return non-zero
//  from fn to stop.
typedef int snapshot_pending_fn (const event_t *queued, void *arg);
typedef int snapshot_result_fn (const char *id, const char *text,
                                size_t size, uint64_t time, void *arg);
typedef int snapshot_evicted_fn (const char *id, void *arg);
void snapshot_each_pending (snapshot_t *self, snapshot_pending_fn *fn,
                            void *arg);
void snapshot_each_result (snapshot_t *self, snapshot_result_fn *fn,
                           void *arg);
//  Every evicted id remembered, oldest first.
void snapshot_each_evicted (snapshot_t *self, snapshot_evicted_fn *fn,
                            void *arg);

//  The state as system.snapshot events stamped time_ms: a malloc'd array
//  of *count_p events (at least one) that the caller releases with
//  snapshot_events_free. 0, or -1 with ENOMEM.
int snapshot_events (snapshot_t *self, uint64_t time_ms, event_t **events_p,
                     size_t *count_p);
void snapshot_events_free (event_t *events, size_t count);

//  What snapshot_compact did.
typedef struct {
    uint64_t first_seq;         //  seq of the snapshot's first part
    size_t parts;
    size_t segments;            //  before removal
    size_t removed;
    uint64_t bytes_removed;
} snapshot_report_t;

//  Maintenance: roll the journal so the snapshot opens a segment of its
//  own, append the state as snapshot events and sync them, then remove
//  the segments whose records all come before the snapshot and whose
//  newest record is at least age_ms older than now_ms (wall clock, ms
//  since the epoch), oldest first, stopping at the first younger one.
//  Replay from what is left gives the same state. The journal must be
//  healthy with no backup running. 0, or -1 with errno (segments removed
//  by then stay removed; report says how far it got).
int snapshot_compact (snapshot_t *self, journal_t *journal, uint64_t now_ms,
                      uint64_t age_ms, snapshot_report_t *report);

#endif
