/*  supervisor/flow.h - the workflows: admission into the parser's
    priority queue, the parse -> detect -> generate steps on the pool's
    idle workers, results, retries with backoff, redelivery of the jobs
    of dead workers, deadlines, the detector-less degraded path, and the
    answers to clients. It owns the workflows and borrows the rest: the
    config (read through at each use), the pool (it calls down into it;
    the pool's news comes back through pool_hooks_t, which server.c wires
    to flow_dispatch, flow_fail_unavailable and flow_requeue_jobs), the
    outbox, the kept results, the spool, observe, the ledger and the
    remote reports.  */
#ifndef FLOW_H_INCLUDED
#define FLOW_H_INCLUDED

#include "common/config.h"
#include "common/event.h"
#include "shared/snapshot.h"
#include "supervisor/ledger.h"
#include "supervisor/observe.h"
#include "supervisor/outbox.h"
#include "supervisor/pool.h"
#include "supervisor/remote.h"

#include <czmq.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct flow flow_t;
typedef struct results results_t;
typedef struct spool spool_t;

//  No workflow yet. Borrowed: cfg (the supervisor's: a reload changes it
//  in place), pool, outbox, remote (where malformed messages are
//  reported), results, spool (NULL: queued inputs stay in memory) and
//  observe (NULL: step times not measured). seed seeds the
//  retries' jitter. NULL when out of memory.
flow_t *flow_new (const config_t *cfg, pool_t *pool, outbox_t *outbox, remote_t *remote,
                  results_t *results, spool_t *spool, observe_t *observe, uint64_t seed);
//  Frees every workflow, unanswered. Accepts NULL; nulls *self_p.
void flow_destroy (flow_t **self_p);
//  The journal (borrowed): before the first submission. The journal's
//  replay may come before it (flow_recover needs none).
void flow_set_ledger (flow_t *self, ledger_t *ledger);
//  The supervisor drains: new submissions are refused.
void flow_set_draining (flow_t *self);

//  A SUBMIT from a client (identity as the supervisor keeps it): a new
//  workflow, a client that waits on a known one too, or a refusal; the
//  client is answered in each case, at once or once it is journaled.
void flow_submit (flow_t *self, zframe_t *identity, zmsg_t *msg, zframe_t *header);
//  A RESULT from worker.
void flow_on_result (flow_t *self, worker_t *worker, zmsg_t *msg, zframe_t *header);
//  Sends queued workflows to ready workers of component with free credit.
void flow_dispatch (flow_t *self, component_t *component);
void flow_dispatch_all (flow_t *self);
//  Fails (or degrades) every workflow waiting for a component that has
//  become unavailable, so none waits for its deadline in vain.
void flow_fail_unavailable (flow_t *self, component_t *component);
//  Queues worker's jobs again (pool_hooks_t jobs_lost); true when it held
//  one alone that had crashed a worker before.
bool flow_requeue_jobs (flow_t *self, worker_t *worker, const char *why, bool count_crash);
//  Retries due, deadlines passed and jobs overdue at now (util_now_ms's
//  clock), and the results past their age.
void flow_tick (flow_t *self, uint64_t now);
//  Inputs spooled and workflows ended leave holes in the heap: whole free
//  pages go back to the system (malloc_trim) when any did since the last
//  trim, at most every 200 ms after *last_trim_ms, the process's last
//  trim, which the supervisor's trim after client traffic shares (and
//  this one moves to now). True when it trimmed.
bool flow_trim (flow_t *self, uint64_t now, uint64_t *last_trim_ms);
//  Fails every workflow with message (the supervisor stops).
void flow_abandon_all (flow_t *self, const char *message);
//  A workflow.queued event of the journal's replay, queued again (or
//  failed by the next tick when its deadline passed meanwhile). 0, or -1
//  when the event is not usable.
int flow_recover (flow_t *self, const event_t *queued);
//  Adds every workflow in progress to state as its workflow.queued event
//  (inputs loaded), oldest accepted first, for a snapshot. 0, or -1 with
//  errno.
int flow_snapshot_pending (flow_t *self, snapshot_t *state);
//  True when a workflow of this id is in progress.
bool flow_known (flow_t *self, const char *id);

typedef struct {
    uint64_t completed;
    uint64_t failed;
    uint64_t shed;              //  refused as overloaded
    size_t in_flight;           //  workflows in progress
} flow_counts_t;
flow_counts_t flow_counts (const flow_t *self);

//  The deadline of a step's job sent at now_ms: the workflow's timeout
//  (deadline_ms - accepted_ms) shared among the step's attempts (config
//  retry.attempts), at least FLOW_JOB_MIN_MS, and never past the
//  workflow's deadline. Pure.
#define FLOW_JOB_MIN_MS 1000
uint64_t flow_job_deadline (uint64_t accepted_ms, uint64_t deadline_ms, uint32_t attempts,
                            uint64_t now_ms);

#endif
