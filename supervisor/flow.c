/*  supervisor/flow.c - workflows: admission into the priority queue, the
    parse -> detect -> generate steps on idle workers, results, retries
    with backoff, redelivery of the jobs of dead workers, deadlines, the
    detector-less degraded path, and the answers to clients.  */
#include "supervisor/flow.h"

#include "common/backoff.h"
#include "common/dheap.h"
#include "common/pqueue.h"
#include "common/util.h"
#include "proto/readme_doc.h"
#include "proto/report.h"
#include "proto/project.h"
#include "proto/wire.h"
#include "supervisor/log.h"
#include "supervisor/results.h"
#include "supervisor/spool.h"
#include "shared/bus.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WAITERS 16
#define POISON_CRASHES 3
_Static_assert (POISON_CRASHES < 65535, "crashes is a 16-bit counter");

//  A workflow.queued record carries the inputs and a few short fields.
_Static_assert (WIRE_INPUTS_MAX + 64 * 1024 <= JOURNAL_RECORD_MAX,
                "a submission's inputs must fit one journal record");

//  A client waiting for a workflow's answer. Its routing id (as the
//  supervisor keeps it: tagged, see server.c) is short, 6 bytes for the
//  ids zmq makes up, so it is held inline when it fits and in a block of
//  its own when not. A zframe_t would take 350 bytes per waiter.
#define WAITER_INLINE 8
typedef struct {
    uint64_t req_id;
    union {
        uint8_t bytes [WAITER_INLINE];
        uint8_t *heap;          //  when size > WAITER_INLINE
    } identity;
    uint16_t size;
} waiter_t;

//  One workflow. Ten thousand of them may wait in the queue, so the
//  record is kept small: one waiter inline (almost every workflow has
//  exactly one), the others in an array of their own.
struct workflow {
    char id [64];
    uint64_t accepted_ms;
    uint64_t deadline_ms;
    uint64_t job_id;            //  in flight when not 0
    uint64_t sent_us;           //  when the job went out
    uint64_t retry_at_ms;       //  waiting to retry when not 0
    uint64_t job_deadline_ms;   //  the job in flight is overdue after this
    uint64_t spool_off;
    uint64_t queued_seq;        //  its workflow.queued record; 0: not yet known
    pqueue_handle_t queued;     //  in its component's queue when not 0
    worker_t *worker;
    zframe_t *docs;             //  inputs, as the client sent them
    zframe_t *project;
    zframe_t *doc;              //  parse result
    zframe_t *report;           //  detect result
    waiter_t waiter;            //  the first client waiting for the answer
    waiter_t *more_waiters;     //  the others, more_waiters_count of them
    int32_t priority;
    uint32_t docs_size;
    uint32_t project_size;
    uint32_t deadline_slot;     //  its place in the deadline heap (common/dheap)
    pid_t avoid_pid;            //  the worker that failed it: retry elsewhere if possible
    //  both bounded well inside 16 bits: failures by the retry policy
    //  (config retry.attempts, at most 100), crashes by POISON_CRASHES
    uint16_t failures;          //  failed attempts of the current step
    uint16_t crashes;           //  workers that died running it alone
    wire_options_t options;
    uint8_t step;               //  a step_t
    uint8_t more_waiters_count;
    bool suspect;               //  was on a worker that died: runs alone
    bool no_tests;              //  its workflow has no test command (generate)
    bool spooled;               //  docs and project wait on disk (the spool)
};

struct flow {
    //  borrowed
    const config_t *cfg;        //  the supervisor's: a reload changes it in place
    pool_t *pool;
    outbox_t *outbox;
    results_t *results;         //  the last results, for `result` (results.c)
    spool_t *spool;             //  inputs of queued work, out of memory; NULL: none
    observe_t *observe;         //  NULL: step times not measured
    ledger_t *ledger;           //  the journal, and answers waiting for it
    remote_t *remote;           //  where malformed messages are reported
    //  owned
    zhashx_t *workflows;        //  id -> workflow_t
    zlistx_t *retrying;         //  workflows waiting for a retry (borrowed)
    dheap_t deadlines;          //  every workflow, soonest deadline first
    backoff_rng_t rng;
    uint64_t next_job_id;
    uint64_t completed;
    uint64_t failed;
    uint64_t shed;
    bool draining;
    size_t freed_since_trim;    //  inputs spooled, workflows ended (flow_trim)
    uint64_t last_age_check_ms;
};

static void s_finish (flow_t *self, workflow_t *wf, int code, const char *message,
                      zframe_t *text);
static void s_enqueue (flow_t *self, workflow_t *wf, bool front);

_Static_assert (STEP_PARSE == (int) COMPONENT_PARSER && STEP_DETECT == (int) COMPONENT_DETECTOR
                && STEP_GENERATE == (int) COMPONENT_GENERATOR, "a step is its component's");

//  A workflow's step by name: the component's (common/names), or "done".
static const char *
s_step_name (uint8_t step)
{
    return step < COMPONENT_COUNT? names_steps [step]: "done";
}

//  Sets a waiter to a client's routing id and request. 0, or -1 ENOMEM.
static int
s_waiter_set (waiter_t *self, zframe_t *identity, uint64_t req_id)
{
    size_t size = zframe_size (identity);
    if (size > UINT16_MAX)
        return errno = EINVAL, -1;
    uint8_t *bytes = self->identity.bytes;
    if (size > WAITER_INLINE) {
        bytes = malloc (size);
        if (!bytes)
            return errno = ENOMEM, -1;
        self->identity.heap = bytes;
    }
    memcpy (bytes, zframe_data (identity), size);
    self->size = (uint16_t) size;
    self->req_id = req_id;
    return 0;
}

static void
s_waiter_release (waiter_t *self)
{
    if (self->size > WAITER_INLINE)
        free (self->identity.heap);
    memset (self, 0, sizeof *self);
}

//  Answers one waiter (see outbox_reply).
static void
s_waiter_reply (flow_t *self, const waiter_t *waiter, int code, const char *workflow_id,
                const char *message, bool degraded, bool no_tests,
                const void *body, size_t body_size)
{
    zframe_t *identity = zframe_new (waiter->size > WAITER_INLINE? waiter->identity.heap
                                                                 : waiter->identity.bytes,
                                     waiter->size);
    if (identity && code == 0)
        outbox_reply_result (self->outbox, identity, waiter->req_id, workflow_id, degraded,
                             no_tests, body, body_size);
    else
    if (identity)
        outbox_reply (self->outbox, identity, waiter->req_id, code, workflow_id, message,
                      degraded, body, body_size);
    zframe_destroy (&identity);
}

static void
s_workflow_destroy (workflow_t **self_p)
{
    workflow_t *self = *self_p;
    if (!self)
        return;
    s_waiter_release (&self->waiter);
    for (size_t i = 0; i < self->more_waiters_count; i++)
        s_waiter_release (&self->more_waiters [i]);
    free (self->more_waiters);
    zframe_destroy (&self->docs);
    zframe_destroy (&self->project);
    zframe_destroy (&self->doc);
    zframe_destroy (&self->report);
    free (self);
    *self_p = NULL;
}

static void
s_workflow_free (void **item_p)
{
    s_workflow_destroy ((workflow_t **) item_p);
}

//  Queued work beyond this many keeps its inputs (README and build
//  files) in the spool, a file without a name, instead of in memory:
//  10,000 queued workflows would otherwise hold hundreds of MiB.
#define SPOOL_AFTER 4

//  Moves a queued workflow's inputs to the spool (best effort: if the
//  write fails they simply stay in memory).
static void
s_spool (flow_t *self, workflow_t *wf)
{
    if (!self->spool || wf->spooled || !wf->docs || !wf->project)
        return;
    size_t docs = zframe_size (wf->docs), project = zframe_size (wf->project);
    struct iovec parts [2] = { { zframe_data (wf->docs), docs },
                               { zframe_data (wf->project), project } };
    if (docs > UINT32_MAX || project > UINT32_MAX
    ||  spool_write (self->spool, parts, 2, &wf->spool_off))
        return;
    wf->docs_size = (uint32_t) docs;
    wf->project_size = (uint32_t) project;
    zframe_destroy (&wf->docs);
    zframe_destroy (&wf->project);
    wf->spooled = true;
    self->freed_since_trim++;           //  flow_tick gives the holes back
}

static void
s_spool_forget (flow_t *self, workflow_t *wf)
{
    if (!wf->spooled)
        return;
    wf->spooled = false;
    spool_forget (self->spool);
}

static int
s_load_inputs (flow_t *self, workflow_t *wf)
{
    if (!wf->spooled)
        return 0;
    zframe_t *docs = zframe_new (NULL, wf->docs_size);
    zframe_t *project = zframe_new (NULL, wf->project_size);
    if (!docs || !project
    ||  spool_read (self->spool, wf->spool_off,
                    (struct iovec [2]) { { zframe_data (docs), wf->docs_size },
                                         { zframe_data (project), wf->project_size } },
                    2)) {
        int saved = errno? errno: EIO;
        zframe_destroy (&docs);
        zframe_destroy (&project);
        return errno = saved, -1;
    }
    wf->docs = docs;
    wf->project = project;
    s_spool_forget (self, wf);
    return 0;
}

//  A workflow in memory as the workflow.queued event replay needs.
static int
s_pending_event (const workflow_t *wf, event_t *event)
{
    memset (event, 0, sizeof *event);
    //  Its acceptance and deadline in wall-clock time, as flow_recover
    //  reads them: a snapshot keeps the deadline the client was given.
    uint64_t now = util_now_ms (), wall = util_wall_ms ();
    uint64_t waited = now > wf->accepted_ms? now - wf->accepted_ms: 0;
    uint64_t left = wf->deadline_ms > now? wf->deadline_ms - now: 0;
    event->time = wall > waited? wall - waited: wall;
    if (event_set_type (event, "workflow.queued")
    ||  event_add_str (event, "workflow_id", wf->id)
    ||  event_add_int (event, "priority", wf->priority)
    ||  event_add_int (event, "timeout_ms", (int64_t) (wf->deadline_ms - wf->accepted_ms))
    ||  event_add_int (event, "deadline_time_ms", (int64_t) (wall + left))
    ||  event_add_str (event, "target", wf->options.target)
    ||  event_add_bool (event, "explain", wf->options.explain)
    ||  event_add_bool (event, "json", wf->options.json)
    ||  event_add_bool (event, "check", wf->options.check)
    ||  event_add_bytes (event, "docs", zframe_data (wf->docs), zframe_size (wf->docs))
    ||  event_add_bytes (event, "project", zframe_data (wf->project),
                         zframe_size (wf->project))) {
        event_release (event);
        return -1;
    }
    return 0;
}

static int
s_by_acceptance (const void *a, const void *b)
{
    const workflow_t *x = *(const workflow_t *const *) a;
    const workflow_t *y = *(const workflow_t *const *) b;
    if (x->accepted_ms != y->accepted_ms)
        return x->accepted_ms < y->accepted_ms? -1: 1;
    return strcmp (x->id, y->id);
}

int
flow_snapshot_pending (flow_t *self, snapshot_t *state)
{
    size_t count = zhashx_size (self->workflows), n = 0;
    workflow_t **list = calloc (count + 1, sizeof *list);
    if (!list)
        return errno = ENOMEM, -1;
    for (workflow_t *wf = zhashx_first (self->workflows); wf && n < count;
         wf = zhashx_next (self->workflows))
        list [n++] = wf;
    qsort (list, n, sizeof *list, s_by_acceptance);
    for (size_t i = 0; i < n; i++) {
        event_t queued;
        if (s_load_inputs (self, list [i])
        ||  s_pending_event (list [i], &queued) || snapshot_add_pending (state, &queued)) {
            event_release (&queued);
            free (list);
            return -1;
        }
    }
    free (list);
    return 0;
}

flow_t *
flow_new (const config_t *cfg, pool_t *pool, outbox_t *outbox, remote_t *remote,
          results_t *results, spool_t *spool, observe_t *observe, uint64_t seed)
{
    flow_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->pool = pool;
    self->outbox = outbox;
    self->remote = remote;
    self->results = results;
    self->spool = spool;
    self->observe = observe;
    backoff_rng_seed (&self->rng, seed);
    self->workflows = zhashx_new ();
    self->retrying = zlistx_new ();
    if (!self->workflows || !self->retrying) {
        flow_destroy (&self);
        return NULL;
    }
    zhashx_set_destructor (self->workflows, s_workflow_free);
    //  Each workflow's key is its own id: no copy of it per workflow.
    zhashx_set_key_duplicator (self->workflows, NULL);
    zhashx_set_key_destructor (self->workflows, NULL);
    return self;
}

void
flow_destroy (flow_t **self_p)
{
    flow_t *self = *self_p;
    if (!self)
        return;
    zlistx_destroy (&self->retrying);
    dheap_release (&self->deadlines);       //  before the workflows its slots are in
    zhashx_destroy (&self->workflows);
    free (self);
    *self_p = NULL;
}

void
flow_set_ledger (flow_t *self, ledger_t *ledger)
{
    self->ledger = ledger;
}

void
flow_set_draining (flow_t *self)
{
    self->draining = true;
}

flow_counts_t
flow_counts (const flow_t *self)
{
    return (flow_counts_t) { .completed = self->completed, .failed = self->failed,
                             .shed = self->shed, .in_flight = zhashx_size (self->workflows) };
}

static component_t *
s_component_of (flow_t *self, workflow_t *wf)
{
    return pool_component_at (self->pool, wf->step);
}

static void
s_dequeue (flow_t *self, workflow_t *wf)
{
    if (wf->queued) {
        pqueue_remove (s_component_of (self, wf)->queue, wf->queued);
        wf->queued = 0;
    }
    if (wf->retry_at_ms) {
        void *handle = zlistx_find (self->retrying, wf);
        if (handle)
            zlistx_delete (self->retrying, handle);
        wf->retry_at_ms = 0;
    }
}

//  Forget the job the workflow has in flight (its worker stays busy with
//  it until it answers; the answer is then ignored).
static void
s_drop_job (workflow_t *wf)
{
    if (wf->worker)
        for (uint32_t i = 0; i < MAX_CREDIT; i++)
            if (wf->worker->jobs [i] == wf)
                wf->worker->jobs [i] = NULL;
    wf->worker = NULL;
    wf->job_id = 0;
}

bool
flow_known (flow_t *self, const char *id)
{
    return zhashx_lookup (self->workflows, id) != NULL;
}

static void
s_finish (flow_t *self, workflow_t *wf, int code, const char *message, zframe_t *text)
{
    s_dequeue (self, wf);
    s_drop_job (wf);
    s_spool_forget (self, wf);
    json_t *fields = json_pack ("{s:s, s:i, s:s}", "workflow_id", wf->id,
                                "priority", wf->priority, "step", s_step_name (wf->step));
    if (code == 0) {
        self->completed++;
        json_object_set_new (fields, "degraded", json_boolean (wf->options.degraded));
        if (wf->no_tests)
            json_object_set_new (fields, "no_tests", json_true ());
        json_object_set_new (fields, "bytes", json_integer ((json_int_t) zframe_size (text)));
        json_object_set_new (fields, "elapsed_ms",
                             json_integer ((json_int_t) (util_now_ms () - wf->accepted_ms)));
        //  Room first: the evictions go in the journal before the
        //  completion, so replay never finds more results than it keeps
        //  without the record of which went.
        results_make_room (self->results, wf->id);
        //  The result is journaled with the completion, so `result ID`
        //  and a client attaching later get it even after a restart.
        outbox_event_bytes (self->outbox, "workflow.completed", fields, "result", text, NULL,
                            NULL);
        results_keep (self->results, wf->id, (const char *) zframe_data (text),
                      zframe_size (text), util_wall_ms (), true, wf->no_tests);
    }
    else {
        bool shed = strstr (message, "overloaded") != NULL;
        if (shed)
            self->shed++;
        else
            self->failed++;
        json_object_set_new (fields, "reason", json_string (message));
        json_object_set_new (fields, "code", json_integer (code));
        outbox_event (self->outbox, shed? "workflow.shed": "workflow.failed", fields);
    }
    //  The answer goes out at once once the workflow's own record is
    //  durable: should the supervisor die before the completion record is
    //  durable too, the workflow runs again after the restart and is
    //  completed once in the journal all the same. A result that came
    //  before its workflow's record was durable (within a batch) commits
    //  the batch first, one fsync: else a client could hold a result the
    //  journal never heard of. When the journal cannot be written the
    //  answer still goes out; its events wait in memory for the disk.
    if (code == 0 && !ledger_durable (self->ledger, wf->queued_seq))
        ledger_commit (self->ledger);
    const void *body = text? zframe_data (text): NULL;
    size_t body_size = text? zframe_size (text): 0;
    s_waiter_reply (self, &wf->waiter, code, wf->id, message, wf->options.degraded,
                    wf->no_tests, body, body_size);
    for (size_t i = 0; i < wf->more_waiters_count; i++)
        s_waiter_reply (self, &wf->more_waiters [i], code, wf->id, message,
                        wf->options.degraded, wf->no_tests, body, body_size);
    dheap_remove (&self->deadlines, &wf->deadline_slot);
    zhashx_delete (self->workflows, wf->id);
    self->freed_since_trim++;
}

static void
s_fail_component (flow_t *self, workflow_t *wf, component_t *component)
{
    char message [256];
    snprintf (message, sizeof message,
              "the %s component is unavailable (%s); try again later",
              component->name, component->fatal? "it keeps crashing and is FATAL":
              component->desired == 0? "it is stopped": "its circuit breaker is open");
    s_finish (self, wf, EXIT_UNAVAILABLE, message, NULL);
}

//  Puts the workflow in the queue of its current step's component; at the
//  head of its priority when front is set (redelivery, retry). A step whose
//  component is unavailable fails at once, except detection, which is
//  skipped: the generator then works from the README alone (degraded).
static void
s_enqueue (flow_t *self, workflow_t *wf, bool front)
{
    component_t *component = s_component_of (self, wf);
    //  A stopped component's work waits for it (until its deadline),
    //  except detection, which the generator can do without.
    bool detector_gone = wf->step == STEP_DETECT && component->desired == 0;
    for (worker_t *w = component->workers; w && detector_gone; w = w->next)
        detector_gone = w->state != W_READY;       //  a remote one may serve
    if (!pool_available (self->pool, component) || detector_gone) {
        if (wf->step == STEP_DETECT
        &&  pool_available (self->pool, pool_component_at (self->pool, STEP_GENERATE))) {
            wf->options.degraded = true;
            wf->step = STEP_GENERATE;
            component = s_component_of (self, wf);
        }
        else {
            s_fail_component (self, wf, component);
            return;
        }
    }
    wf->queued = front? pqueue_push_front (component->queue, wf, wf->priority)
                      : pqueue_push (component->queue, wf, wf->priority, NULL);
    if (!wf->queued)
        s_finish (self, wf, EXIT_UNAVAILABLE, "internal error: cannot queue the workflow",
                     NULL);
}

//  Fails (or degrades) every workflow waiting for a component that has
//  become unavailable, so none waits for its deadline in vain.
void
flow_fail_unavailable (flow_t *self, component_t *component)
{
    if (pool_available (self->pool, component))
        return;
    zlistx_t *waiting = zlistx_new ();
    workflow_t *wf;
    while ((wf = pqueue_pop (component->queue, NULL))) {
        wf->queued = 0;
        zlistx_add_end (waiting, wf);
    }
    for (wf = zlistx_first (waiting); wf; wf = zlistx_next (waiting))
        s_enqueue (self, wf, true);
    zlistx_destroy (&waiting);
    flow_dispatch_all (self);
}

static void
s_send_job (flow_t *self, worker_t *worker, workflow_t *wf)
{
    wire_job_t job = { .job_id = ++self->next_job_id, .attempt = wf->failures + wf->crashes + 1,
                       .options = wf->options };
    util_copy (job.workflow_id, sizeof job.workflow_id, wf->id);
    util_copy (job.step, sizeof job.step, s_step_name (wf->step));
    uint64_t now = util_now_ms ();
    uint64_t job_deadline = flow_job_deadline (wf->accepted_ms, wf->deadline_ms,
                                               self->cfg->components [wf->step].retry.attempts,
                                               now);
    job.deadline_ms = (uint32_t) (job_deadline - now);
    if (job.attempt > 100)
        job.attempt = 100;
    if (s_load_inputs (self, wf)) {
        char message [128];
        snprintf (message, sizeof message, "internal error: cannot read the queued input "
                  "back: %s", strerror (errno));
        s_finish (self, wf, EXIT_UNAVAILABLE, message, NULL);
        return;
    }
    zframe_t *payloads [2];
    size_t count = 0;
    if (wf->step == STEP_GENERATE && wf->options.check && !wf->options.degraded) {
        //  a check workflow: the report, and the project whose manifests
        //  hold the CI files the report is held against
        payloads [count++] = zframe_dup (wf->report);
        payloads [count++] = zframe_dup (wf->project);
    }
    else
    if (wf->step == STEP_PARSE)
        payloads [count++] = zframe_dup (wf->docs);
    else
    if (wf->step == STEP_DETECT || (wf->step == STEP_GENERATE && wf->options.degraded)) {
        payloads [count++] = zframe_dup (wf->project);
        payloads [count++] = zframe_dup (wf->doc);
    }
    else
        payloads [count++] = zframe_dup (wf->report);
    uint8_t *buf;
    size_t size;
    if (wire_job_encode (&job, &buf, &size)) {
        for (size_t i = 0; i < count; i++)
            zframe_destroy (&payloads [i]);
        s_finish (self, wf, EXIT_UNAVAILABLE, "internal error: cannot encode a job", NULL);
        return;
    }
    for (uint32_t i = 0; i < worker->credit; i++)
        if (!worker->jobs [i]) {
            worker->jobs [i] = wf;
            break;
        }
    wf->job_id = job.job_id;
    wf->worker = worker;
    wf->job_deadline_ms = job_deadline;
    wf->sent_us = util_now_us ();
    pool_worker_send (self->pool, worker, buf, size, payloads, count);
    if (wf->step == STEP_PARSE && job.attempt == 1)
        outbox_event (self->outbox, "workflow.started",
                      json_pack ("{s:s, s:i}", "workflow_id", wf->id, "priority", wf->priority));
}

//  Sends queued workflows to ready workers with free credit, the least
//  loaded first, while the breaker lets calls through.
void
flow_dispatch (flow_t *self, component_t *component)
{
    uint64_t now = util_now_ms ();
    while (pqueue_size (component->queue) > 0) {
        workflow_t *head = pqueue_peek (component->queue, NULL);
        worker_t *best = NULL;
        //  A retry goes to another worker than the one that failed it,
        //  when there is one free (pass 0); else to any (pass 1).
        for (int pass = head->avoid_pid? 0: 1; pass < 2 && !best; pass++) {
            uint32_t best_load = 0;
            for (worker_t *w = component->workers; w; w = w->next) {
                if (w->state != W_READY || w->isolated)
                    continue;
                if (pass == 0 && w->pid == head->avoid_pid)
                    continue;
                uint32_t load = pool_worker_load (w);
                if (head->suspect && load > 0)
                    continue;           //  a suspect runs on an idle worker, alone
                if (load < w->credit && (!best || load < best_load)) {
                    best = w;
                    best_load = load;
                }
            }
        }
        if (!best)
            return;
        breaker_change_t change = BREAKER_NO_CHANGE;
        bool allowed = breaker_allow (component->breaker, now, &change);
        if (change != BREAKER_NO_CHANGE)
            outbox_event (self->outbox, breaker_change_name (change),
                          json_pack ("{s:s}", "component", component->name));
        if (!allowed)
            return;
        workflow_t *wf = pqueue_pop (component->queue, NULL);
        wf->queued = 0;
        best->isolated = wf->suspect;
        s_send_job (self, best, wf);
    }
}

void
flow_dispatch_all (flow_t *self)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        flow_dispatch (self, pool_component_at (self->pool, c));
}

//  A failed attempt: retry after a backoff if it fits before the deadline.
static void
s_retry_or_fail (flow_t *self, workflow_t *wf, int code, const char *message)
{
    const config_retry_t *retry = &self->cfg->components [wf->step].retry;
    backoff_t policy = { .attempts = retry->attempts, .base_ms = (uint64_t) retry->base_ms,
                         .max_ms = (uint64_t) retry->max_ms, .jitter_pct = 20 };
    uint64_t now = util_now_ms ();
    uint64_t delay = backoff_delay (&policy, wf->failures, &self->rng);
    if (!backoff_may_retry (&policy, wf->failures, now, delay, wf->deadline_ms)) {
        s_finish (self, wf, code, message, NULL);
        return;
    }
    outbox_event (self->outbox, "workflow.retried",
                  json_pack ("{s:s, s:s, s:i, s:s, s:I}", "workflow_id", wf->id,
                             "component", s_component_of (self, wf)->name,
                             "attempt", (int) wf->failures + 1, "reason", message,
                             "delay_ms", (json_int_t) delay));
    wf->retry_at_ms = now + delay;
    zlistx_add_end (self->retrying, wf);
}

//  What is wrong with an ok step's output frame, or false when it is what
//  the step produces: parse a readme_doc frame, detect a report frame,
//  generate UTF-8 text (the YAML, or the report as JSON). Checked here so
//  a worker's junk is blamed on the worker, not on the next step's input.
static bool
s_junk (int step, bool json, zframe_t *payload, char *why, size_t size)
{
    if (!payload) {
        snprintf (why, size, "no output frame");
        return true;
    }
    const uint8_t *data = zframe_data (payload);
    size_t length = zframe_size (payload);
    if (step == STEP_PARSE) {
        readme_doc_t doc;
        if (readme_doc_decode (&doc, data, length)) {
            snprintf (why, size, "a malformed readme_doc frame (%zu bytes)", length);
            return true;
        }
        readme_doc_release (&doc);
        return false;
    }
    if (step == STEP_DETECT) {
        report_t report;
        if (report_decode (&report, data, length)) {
            snprintf (why, size, "a malformed report frame (%zu bytes)", length);
            return true;
        }
        report_release (&report);
        return false;
    }
    if (length == 0 || !project_valid_utf8 ((const char *) data, length)
    ||  memchr (data, 0, length)) {
        snprintf (why, size, "%s that is not UTF-8 text (%zu bytes)",
                  json? "a report": "a workflow", length);
        return true;
    }
    return false;
}

uint64_t
flow_job_deadline (uint64_t accepted_ms, uint64_t deadline_ms, uint32_t attempts,
                   uint64_t now_ms)
{
    if (deadline_ms <= now_ms)
        return now_ms + 1;
    uint64_t timeout = deadline_ms > accepted_ms? deadline_ms - accepted_ms: 0;
    uint64_t share = timeout / (attempts? attempts: 1);
    if (share < FLOW_JOB_MIN_MS)
        share = FLOW_JOB_MIN_MS;
    return now_ms + share < deadline_ms? now_ms + share: deadline_ms;
}

void
flow_on_result (flow_t *self, worker_t *worker, zmsg_t *msg, zframe_t *header)
{
    wire_result_t result;
    if (wire_result_decode (&result, zframe_data (header), zframe_size (header))) {
        char peer [96];
        snprintf (peer, sizeof peer, "%s pid %d", worker->component->name, (int) worker->pid);
        remote_malformed (self->remote, peer, "dropped a malformed RESULT from %s", peer);
        return;
    }
    workflow_t *wf = NULL;
    for (uint32_t i = 0; i < MAX_CREDIT; i++)
        if (worker->jobs [i] && worker->jobs [i]->job_id == result.job_id) {
            wf = worker->jobs [i];
            worker->jobs [i] = NULL;
            break;
        }
    component_t *component = worker->component;
    if (pool_worker_load (worker) == 0)
        worker->isolated = false;
    pool_worker_idle (self->pool, worker);
    if (!wf) {
        flow_dispatch (self, component);
        return;                 //  a job given up on (deadline, shutdown)
    }
    uint64_t elapsed_us = util_now_us () - wf->sent_us;
    pool_note_latency (component, elapsed_us);
    observe_step (self->observe, component->name, elapsed_us);
    wf->job_id = 0;
    wf->worker = NULL;
    if (!result.ok) {
        char message [700];
        snprintf (message, sizeof message, "%s step: %s", s_step_name (wf->step),
                  result.error);
        if (result.input_error) {
            pool_breaker_result (self->pool, component, true);     //  not the worker's fault
            s_finish (self, wf, EXIT_INPUT, message, NULL);
        }
        else {
            pool_breaker_result (self->pool, component, false);
            wf->avoid_pid = worker->pid;
            wf->failures++;
            s_retry_or_fail (self, wf, EXIT_UNAVAILABLE, message);
        }
        flow_dispatch (self, component);
        return;
    }
    zframe_t *payload = zmsg_pop (msg);
    char junk [160];
    if (s_junk (wf->step, wf->options.json, payload, junk, sizeof junk)) {
        //  The worker said ok and sent what its step cannot produce: its
        //  fault, not the input's. It counts against the breaker and the
        //  step runs again on another worker if there is one.
        char message [700];
        snprintf (message, sizeof message, "%s step: the %s pid %d answered with %s "
                  "(a fault of that worker, not of the input)", s_step_name (wf->step),
                  component->name, (int) worker->pid, junk);
        log_warn ("%s; workflow %s", message, wf->id);
        zframe_destroy (&payload);
        pool_breaker_result (self->pool, component, false);
        wf->avoid_pid = worker->pid;
        wf->failures++;
        s_retry_or_fail (self, wf, EXIT_UNAVAILABLE, message);
        flow_dispatch (self, component);
        return;
    }
    pool_breaker_result (self->pool, component, true);
    wf->avoid_pid = 0;
    wf->failures = 0;
    wf->crashes = 0;
    wf->suspect = false;
    component_t *next = NULL;
    if (wf->step == STEP_GENERATE) {
        wf->no_tests = result.no_tests;
        s_finish (self, wf, EXIT_OK, "", payload);     //  frees wf
        zframe_destroy (&payload);
    }
    else {
        if (wf->step == STEP_PARSE)
            wf->doc = payload;
        else
            wf->report = payload;
        wf->step++;
        s_enqueue (self, wf, false);
        next = pool_component_at (self->pool, wf->step < STEP_DONE? wf->step: STEP_GENERATE);
    }
    flow_dispatch (self, component);
    if (next)
        flow_dispatch (self, next);
}

bool
flow_requeue_jobs (flow_t *self, worker_t *worker, const char *why, bool count_crash)
{
    component_t *component = worker->component;
    //  Which job killed the worker is known only when it held one; jobs
    //  that were on a dead worker together become suspects and run alone
    //  from then on, so their next crash, if any, is unambiguous.
    workflow_t *only = pool_only_job (worker);
    bool blamed = only && only->crashes > 0;
    for (uint32_t i = 0; i < MAX_CREDIT; i++) {
        workflow_t *wf = worker->jobs [i];
        if (!wf)
            continue;
        worker->jobs [i] = NULL;
        wf->job_id = 0;
        wf->worker = NULL;
        if (count_crash) {
            wf->suspect = true;
            if (wf == only)
                wf->crashes++;
        }
        if (wf->crashes >= POISON_CRASHES) {
            char message [256];
            snprintf (message, sizeof message,
                      "the %s step crashed its worker %u times (last: %s); this input is "
                      "refused", s_step_name (wf->step), wf->crashes, why);
            s_finish (self, wf, EXIT_INPUT, message, NULL);
            continue;
        }
        outbox_event (self->outbox, "workflow.retried",
                      json_pack ("{s:s, s:s, s:i, s:s}", "workflow_id", wf->id,
                                 "component", component->name,
                                 "attempt", (int) (wf->crashes + wf->failures + 1),
                                 "reason", why));
        s_enqueue (self, wf, true);
    }
    return blamed;
}

//  A submission under the id of a workflow known here: a client that
//  waits on it too, the result kept, or a refusal when that result was
//  evicted. True when it is answered (or waits), false when the id is
//  new.
static bool
s_attach (flow_t *self, zframe_t *identity, const wire_submit_t *submit)
{
    if (!submit->workflow_id [0])
        return false;
    workflow_t *known = zhashx_lookup (self->workflows, submit->workflow_id);
    if (known) {
        if (1 + known->more_waiters_count >= MAX_WAITERS) {
            outbox_reply (self->outbox, identity, submit->req_id, EXIT_UNAVAILABLE,
                          submit->workflow_id, "too many clients wait on this workflow", false,
                          NULL, 0);
            return true;
        }
        waiter_t *more = realloc (known->more_waiters,
                                  (known->more_waiters_count + 1u) * sizeof *more);
        if (more)
            known->more_waiters = more;
        if (!more || s_waiter_set (&more [known->more_waiters_count], identity,
                                   submit->req_id)) {
            outbox_reply (self->outbox, identity, submit->req_id, EXIT_UNAVAILABLE,
                          submit->workflow_id, "out of memory", false, NULL, 0);
            return true;
        }
        known->more_waiters_count++;
        return true;
    }
    bool no_tests = false;
    const char *text = results_get (self->results, submit->workflow_id, &no_tests);
    if (text) {
        outbox_reply_result (self->outbox, identity, submit->req_id, submit->workflow_id,
                             false, no_tests, text, strlen (text));
        return true;
    }
    if (results_evicted (self->results, submit->workflow_id)) {
        //  Running it again under the same id would pass a new workflow
        //  off as the one whose result its client asks for.
        char retention [128], message [256];
        results_retention_text (self->results, retention, sizeof retention);
        snprintf (message, sizeof message, "workflow %s finished and its result was "
                  "evicted (%s): give a new --id to run it again", submit->workflow_id,
                  retention);
        outbox_reply (self->outbox, identity, submit->req_id, EXIT_INPUT, submit->workflow_id,
                      message, false, NULL, 0);
        return true;
    }
    return false;
}

//  A new workflow from a submission, with its inputs (taken), in the
//  table and the deadline heap; NULL when it cannot be (the client is
//  answered).
static workflow_t *
s_workflow_new (flow_t *self, zframe_t *identity, const wire_submit_t *submit,
                zframe_t *docs, zframe_t *project)
{
    workflow_t *wf = calloc (1, sizeof *wf);
    if (!wf) {
        zframe_destroy (&docs);
        zframe_destroy (&project);
        outbox_reply (self->outbox, identity, submit->req_id, EXIT_UNAVAILABLE,
                      submit->workflow_id, "out of memory", false, NULL, 0);
        return NULL;
    }
    if (submit->workflow_id [0])
        util_copy (wf->id, sizeof wf->id, submit->workflow_id);
    else {
        zuuid_t *uuid = zuuid_new ();
        snprintf (wf->id, sizeof wf->id, "wf-%s", zuuid_str_canonical (uuid));
        zuuid_destroy (&uuid);
    }
    wf->priority = submit->priority;
    wf->accepted_ms = util_now_ms ();
    uint64_t timeout = submit->timeout_ms? submit->timeout_ms
                                        : (uint64_t) self->cfg->retry.workflow_timeout_ms;
    wf->deadline_ms = wf->accepted_ms + timeout;
    wf->options = submit->options;
    wf->docs = docs;
    wf->project = project;
    if (s_waiter_set (&wf->waiter, identity, submit->req_id)) {
        s_workflow_destroy (&wf);
        outbox_reply (self->outbox, identity, submit->req_id, EXIT_UNAVAILABLE,
                      submit->workflow_id, "out of memory", false, NULL, 0);
        return NULL;
    }
    if (dheap_push (&self->deadlines, wf, wf->deadline_ms, &wf->deadline_slot)) {
        s_workflow_destroy (&wf);
        outbox_reply (self->outbox, identity, submit->req_id, EXIT_UNAVAILABLE,
                      submit->workflow_id, "out of memory", false, NULL, 0);
        return NULL;
    }
    zhashx_insert (self->workflows, wf->id, wf);
    return wf;
}

//  Admits a new workflow to the parser's queue, journals it and tells
//  the client it is accepted once that is durable.
static void
s_admit (flow_t *self, zframe_t *identity, uint64_t req_id, workflow_t *wf)
{
    uint64_t timeout = wf->deadline_ms - wf->accepted_ms;
    component_t *parser = pool_component_at (self->pool, STEP_PARSE);
    if (!pool_available (self->pool, parser)) {
        s_fail_component (self, wf, parser);
        return;
    }
    //  Admission: a full queue sheds its lowest, newest work for higher
    //  work, and refuses work no higher than what it holds.
    void *shed = NULL;
    wf->queued = pqueue_push (parser->queue, wf, wf->priority, &shed);
    if (!wf->queued) {
        outbox_event (self->outbox, "system.overload",
                      json_pack ("{s:I, s:i}", "queued", (json_int_t) pqueue_size (parser->queue),
                                 "priority", wf->priority));
        s_finish (self, wf, EXIT_UNAVAILABLE,
                     "overloaded: the queue is full; try again later", NULL);
        return;
    }
    //  Journaled with its inputs before the client hears of it, so it runs
    //  even if the supervisor dies; the acknowledgement waits for the disk.
    //  The deadline goes in as wall-clock time, the only clock that
    //  outlives the process: replay keeps it (flow_recover).
    wf->queued_seq = outbox_event_bytes (self->outbox, "workflow.queued",
                        json_pack ("{s:s, s:i, s:I, s:I, s:s, s:b, s:b, s:b}", "workflow_id",
                                   wf->id, "priority", wf->priority, "timeout_ms",
                                   (json_int_t) timeout, "deadline_time_ms",
                                   (json_int_t) (util_wall_ms () + timeout),
                                   "target", wf->options.target, "explain", wf->options.explain,
                                   "json", wf->options.json, "check", wf->options.check),
                        "docs", wf->docs, "project", wf->project);
    outbox_reply_held (self->outbox, identity, req_id, EXIT_OK, wf->id, "accepted", false,
                       true, NULL, 0);
    if (pqueue_size (parser->queue) > SPOOL_AFTER)
        s_spool (self, wf);
    if (shed) {
        workflow_t *victim = shed;
        victim->queued = 0;
        outbox_event (self->outbox, "system.overload",
                      json_pack ("{s:I, s:i}", "queued", (json_int_t) pqueue_size (parser->queue),
                                 "priority", wf->priority));
        s_finish (self, victim, EXIT_UNAVAILABLE,
                     "overloaded: shed for higher-priority work", NULL);
    }
    flow_dispatch (self, parser);
}

void
flow_submit (flow_t *self, zframe_t *identity, zmsg_t *msg, zframe_t *header)
{
    wire_submit_t submit;
    if (wire_submit_decode (&submit, zframe_data (header), zframe_size (header))) {
        char peer [96];
        remote_peer_name ("client", identity, header, peer, sizeof peer);
        remote_malformed (self->remote, peer, "dropped a malformed SUBMIT from %s", peer);
        return;
    }
    //  The header decoded, so it is answered: the wrong number of payload
    //  frames is refused (PROTOCOL.md, section 11), never half used.
    size_t frames = zmsg_size (msg), expected = submit.attach? 0: 2;
    if (frames != expected) {
        char message [160];
        snprintf (message, sizeof message, "malformed SUBMIT: %zu payload frame(s), where "
                  "it takes %s", frames, submit.attach? "none with attach"
                                                      : "2 (docs, then project)");
        outbox_reply (self->outbox, identity, submit.req_id, EXIT_INPUT, submit.workflow_id,
                      message, false, NULL, 0);
        return;
    }
    if (s_attach (self, identity, &submit))
        return;
    if (submit.attach) {
        outbox_reply (self->outbox, identity, submit.req_id, EXIT_INPUT, submit.workflow_id,
                      "no workflow with this id", false, NULL, 0);
        return;
    }
    if (self->draining) {
        outbox_reply (self->outbox, identity, submit.req_id, EXIT_UNAVAILABLE,
                      submit.workflow_id, "the supervisor is shutting down", false, NULL, 0);
        return;
    }
    if (!ledger_healthy (self->ledger)) {
        char message [256];
        snprintf (message, sizeof message, "the journal cannot be written (%s); not "
                  "accepting work until it can", ledger_problem (self->ledger));
        outbox_reply (self->outbox, identity, submit.req_id, EXIT_UNAVAILABLE,
                      submit.workflow_id, message, false, NULL, 0);
        return;
    }
    zframe_t *docs = zmsg_pop (msg);
    zframe_t *project = zmsg_pop (msg);
    if (!docs || !project) {
        zframe_destroy (&docs);
        zframe_destroy (&project);
        outbox_reply (self->outbox, identity, submit.req_id, EXIT_INPUT, submit.workflow_id,
                      "a submission needs a docs frame and a project frame", false, NULL, 0);
        return;
    }
    size_t inputs = zframe_size (docs) + zframe_size (project);
    if (inputs > WIRE_INPUTS_MAX) {
        //  Refused at the door: it could not be journaled whole, and what
        //  is accepted must survive a restart.
        zframe_destroy (&docs);
        zframe_destroy (&project);
        char message [160];
        snprintf (message, sizeof message, "the submission's inputs are %zu bytes, over the "
                  "limit of %u bytes for one project", inputs, WIRE_INPUTS_MAX);
        outbox_reply (self->outbox, identity, submit.req_id, EXIT_INPUT, submit.workflow_id,
                      message, false, NULL, 0);
        return;
    }
    workflow_t *wf = s_workflow_new (self, identity, &submit, docs, project);
    if (wf)
        s_admit (self, identity, submit.req_id, wf);
}

int
flow_recover (flow_t *self, const event_t *queued)
{
    const char *id = event_get_str (queued, "workflow_id");
    size_t docs_size, project_size;
    const uint8_t *docs = event_get_bytes (queued, "docs", &docs_size);
    const uint8_t *project = event_get_bytes (queued, "project", &project_size);
    int64_t priority = WIRE_PRIORITY_NORMAL, timeout = 0, deadline = 0;
    event_get_int (queued, "priority", &priority);
    event_get_int (queued, "timeout_ms", &timeout);
    if (timeout <= 0)
        timeout = (int64_t) self->cfg->retry.workflow_timeout_ms;
    //  Journals from before deadline_time_ms: the time of acceptance.
    if (event_get_int (queued, "deadline_time_ms", &deadline))
        deadline = (int64_t) queued->time + timeout;
    if (!id || !docs || !project || strlen (id) >= sizeof ((workflow_t *) 0)->id)
        return -1;
    workflow_t *wf = calloc (1, sizeof *wf);
    if (!wf)
        return -1;
    util_copy (wf->id, sizeof wf->id, id);
    wf->queued_seq = queued->seq;       //  replayed: durable
    wf->priority = pqueue_priority_valid ((int32_t) priority)? (int32_t) priority
                                                             : WIRE_PRIORITY_NORMAL;
    //  The deadline the client was given holds across restarts: the time
    //  since acceptance counts (the wall clock's, as journaled), and a
    //  workflow whose deadline passed while no supervisor ran is failed as
    //  timed out by the first tick, never run. accepted_ms is set back by
    //  that time, so the timeout message says how long it really waited.
    uint64_t now = util_now_ms ();
    int64_t waited = (int64_t) util_wall_ms () - (int64_t) queued->time;
    if (waited < 0)
        waited = 0;                     //  the clock went back: count from now
    if ((uint64_t) waited > now)
        waited = (int64_t) now;
    int64_t left = deadline - (int64_t) util_wall_ms ();
    if (left > timeout)
        left = timeout;                 //  the clock went back
    bool expired = left <= 0;
    wf->accepted_ms = now - (uint64_t) waited;
    wf->deadline_ms = expired? now: now + (uint64_t) left;
    const char *target = event_get_str (queued, "target");
    util_copy (wf->options.target, sizeof wf->options.target, target? target: "github");
    event_get_bool (queued, "explain", &wf->options.explain);
    event_get_bool (queued, "json", &wf->options.json);
    event_get_bool (queued, "check", &wf->options.check);
    wf->docs = zframe_new (docs, docs_size);
    wf->project = zframe_new (project, project_size);
    if (dheap_push (&self->deadlines, wf, wf->deadline_ms, &wf->deadline_slot)) {
        s_workflow_destroy (&wf);
        return -1;
    }
    zhashx_insert (self->workflows, wf->id, wf);
    if (expired)
        return 0;                       //  not queued: flow_tick fails it
    component_t *parser = pool_component_at (self->pool, STEP_PARSE);
    wf->queued = pqueue_push_front (parser->queue, wf, wf->priority);
    if (!wf->queued) {
        dheap_remove (&self->deadlines, &wf->deadline_slot);
        zhashx_delete (self->workflows, wf->id);
        return -1;
    }
    if (pqueue_size (parser->queue) > SPOOL_AFTER)
        s_spool (self, wf);
    return 0;
}

//  Jobs not answered by their own deadline, on workers that may well
//  still heartbeat: each is given up on that worker (its answer, should
//  it come, is dropped), counts against the breaker and runs again
//  elsewhere within the workflow's deadline; the worker, which does not
//  do its work, is replaced (pool_worker_broken).
static void
s_overdue_jobs (flow_t *self, uint64_t now)
{
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = pool_component_at (self->pool, c);
        worker_t *broken [64];
        size_t broken_count = 0;
        for (worker_t *w = component->workers; w; w = w->next) {
            bool overdue = false;
            for (uint32_t i = 0; i < MAX_CREDIT; i++) {
                workflow_t *wf = w->jobs [i];
                if (!wf || now < wf->job_deadline_ms)
                    continue;
                if (!overdue && w->state != W_STOPPING) {
                    //  No new job for it from here on (a breaker that opens
                    //  below dispatches again): it is being replaced.
                    w->state = W_STOPPING;
                    w->stop_ms = now;
                }
                char message [300];
                snprintf (message, sizeof message, "%s step: the %s pid %d did not answer "
                          "in %llu ms", s_step_name (wf->step), component->name,
                          (int) w->pid,
                          (unsigned long long) ((util_now_us () - wf->sent_us) / 1000));
                w->jobs [i] = NULL;
                wf->worker = NULL;
                wf->job_id = 0;
                wf->avoid_pid = w->pid;
                wf->failures++;
                pool_breaker_result (self->pool, component, false);
                s_retry_or_fail (self, wf, EXIT_UNAVAILABLE, message);
                overdue = true;
            }
            if (overdue && broken_count < 64)
                broken [broken_count++] = w;
        }
        //  After the walk: dropping a remote worker frees it.
        for (size_t i = 0; i < broken_count; i++)
            pool_worker_broken (self->pool, broken [i], "a job not answered in time");
    }
}

bool
flow_trim (flow_t *self, uint64_t now, uint64_t *last_trim_ms)
{
    if (!self->freed_since_trim || now - *last_trim_ms < 200)
        return false;
    self->freed_since_trim = 0;
    *last_trim_ms = now;
    malloc_trim (0);
    return true;
}

void
flow_tick (flow_t *self, uint64_t now)
{
    //  Retries whose backoff is over go back at the head of their queue.
    if (zlistx_size (self->retrying)) {
        zlistx_t *due = zlistx_new ();
        workflow_t *wf;
        for (wf = zlistx_first (self->retrying); wf; wf = zlistx_next (self->retrying))
            if (now >= wf->retry_at_ms)
                zlistx_add_end (due, wf);
        for (wf = zlistx_first (due); wf; wf = zlistx_next (due)) {
            zlistx_delete (self->retrying, zlistx_find (self->retrying, wf));
            wf->retry_at_ms = 0;
            s_enqueue (self, wf, true);
        }
        zlistx_destroy (&due);
    }
    flow_dispatch_all (self);
    //  Results past their age go, oldest first, checked every 100 ms.
    if (self->cfg->results.max_age_ms > 0 && now - self->last_age_check_ms >= 100) {
        self->last_age_check_ms = now;
        results_expire (self->results, util_wall_ms ());
    }
    //  Deadlines: the heap gives the expired ones, soonest first, without
    //  looking at the others (100,000 may be queued).
    int timeouts [COMPONENT_COUNT] = { 0 };
    workflow_t *wf;
    while ((wf = dheap_pop_due (&self->deadlines, now))) {
        char message [256];
        snprintf (message, sizeof message, "timed out after %llu ms in the %s step",
                  (unsigned long long) (now - wf->accepted_ms), s_step_name (wf->step));
        //  A step still running at the deadline counts against its
        //  component's breaker (and frees a half-open trial slot), once the
        //  loop is over: an opening breaker fails queued work, some of
        //  which may be due here too.
        if (wf->worker)
            timeouts [wf->worker->component->step]++;
        s_finish (self, wf, EXIT_TIMEOUT, message, NULL);
    }
    for (int c = 0; c < COMPONENT_COUNT; c++)
        while (timeouts [c]-- > 0)
            pool_breaker_result (self->pool, pool_component_at (self->pool, c), false);
    s_overdue_jobs (self, now);
}

void
flow_abandon_all (flow_t *self, const char *message)
{
    workflow_t *wf;
    while ((wf = zhashx_first (self->workflows)))
        s_finish (self, wf, EXIT_UNAVAILABLE, message, NULL);
}
