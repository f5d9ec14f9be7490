/*  supervisor/server_priv.h - the supervisor's state, shared by the
    modules that still take the whole of it: server.c (sockets, signals,
    timers, life cycle), flow.c (workflows: queue, dispatch, results,
    retries, deadlines) and control.c (client requests). The parts
    with a type of their own (pool.h, reload.h, outbox.h, ledger.h, ...)
    do not include it. Not a public header.  */
#ifndef SERVER_PRIV_H_INCLUDED
#define SERVER_PRIV_H_INCLUDED

#include "common/backoff.h"
#include "common/breaker.h"
#include "common/dheap.h"
#include "common/event.h"
#include "common/jio.h"
#include "common/journal.h"
#include "common/config.h"
#include "common/names.h"
#include "common/pqueue.h"
#include "common/restart.h"
#include "proto/wire.h"
#include "supervisor/ledger.h"
#include "supervisor/maintain.h"
#include "supervisor/outbox.h"
#include "supervisor/pool.h"
#include "supervisor/reload.h"
#include "supervisor/remote.h"
#include "supervisor/security.h"
#include "supervisor/server.h"

#include <czmq.h>
#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_WAITERS 16
#define MAX_MSG_BYTES (64 * 1024 * 1024)
#define POISON_CRASHES 3
_Static_assert (POISON_CRASHES < 65535, "crashes is a 16-bit counter");

typedef struct workflow workflow_t;

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

typedef struct spool spool_t;
typedef struct results results_t;

struct server {
    config_t cfg;
    char runtime_dir [4096];
    char state_dir [4096];      //  "" runs without a journal
    char config_path [4096];    //  "" when started without a config file
    char worker_dir [4096];
    char front_ep [4200];
    char back_ep [4200];
    char events_ep [4200];
    zloop_t *loop;
    zsock_t *front;
    zsock_t *back;
    zsock_t *events;
    zsock_t *front_tcp;         //  listen.clients, CURVE unless insecure loopback
    zsock_t *back_tcp;          //  listen.workers
    security_server_t *security;
    remote_t *remote;           //  reports about peers (remote.c)
    int sigfd;
    pool_t *pool;               //  the workers (pool.c)
    reload_t *reload;           //  the config file read again (reload.c)
    zhashx_t *workflows;        //  id -> workflow_t (owned)
    results_t *results;         //  the last results, for `result` (results.c)
    uint64_t last_age_check_ms;
    zlistx_t *retrying;         //  workflows waiting for a retry (borrowed)
    backoff_rng_t rng;
    uint64_t next_job_id;
    uint64_t started_ms;
    dheap_t deadlines;          //  every workflow, soonest deadline first
    uint64_t completed;
    uint64_t failed;
    uint64_t shed;
    bool draining;
    uint64_t drain_deadline_ms;
    bool stopping;              //  BYE sent to workers
    uint64_t kill_deadline_ms;
    bool terminated;            //  SIGTERM sent to workers
    int exit_status;
    spool_t *spool;             //  inputs of queued work, out of memory; NULL: none
    size_t freed_since_trim;    //  inputs spooled, workflows ended
    uint64_t last_trim_ms;
    uint64_t front_heard_ms;    //  the last client message
    bool front_trim_due;        //  client traffic since the last trim
    ledger_t *ledger;           //  the journal, and answers waiting for it (ledger.c)
    maintain_t *maintain;       //  the maintain-* requests (maintain.c)
    observe_t *observe;         //  metrics and systemd (observe.c)
    outbox_t *outbox;           //  events and answers (outbox.c)
    //  Asked to stop (a `down` request): server.c starts the drain.
    void (*on_down) (server_t *self, const char *why);
};

extern const char *const server_step_names [];

//  flow.c
int flow_init (server_t *self);
void flow_destroy (server_t *self);
void flow_submit (server_t *self, zframe_t *identity, zmsg_t *msg, zframe_t *header);
void flow_enqueue (server_t *self, workflow_t *wf, bool front);
void flow_dispatch (server_t *self, component_t *component);
void flow_dispatch_all (server_t *self);
void flow_on_result (server_t *self, worker_t *worker, zmsg_t *msg, zframe_t *header);
//  Queues worker's jobs again (pool_hooks_t jobs_lost); true when it held
//  one alone that had crashed a worker before.
bool flow_requeue_jobs (server_t *self, worker_t *worker, const char *why, bool count_crash);
void flow_fail_unavailable (server_t *self, component_t *component);
void flow_tick (server_t *self, uint64_t now);
void flow_finish (server_t *self, workflow_t *wf, int code, const char *message,
                  zframe_t *text);
void flow_abandon_all (server_t *self, const char *message);
int flow_recover (server_t *self, const event_t *queued);
//  Brings a queued workflow's inputs back from the spool into memory.
//  0, or -1 with errno (the spool could not be read).
int flow_load_inputs (server_t *self, workflow_t *wf);
//  Adds every workflow in progress to state as its workflow.queued event
//  (inputs loaded), oldest accepted first, for a snapshot. 0, or -1 with
//  errno.
int flow_snapshot_pending (server_t *self, snapshot_t *state);
bool flow_known (server_t *self, const char *id);
//  The deadline of a step's job sent at now_ms: the workflow's timeout
//  (deadline_ms - accepted_ms) shared among the step's attempts (config
//  retry.attempts), at least FLOW_JOB_MIN_MS, and never past the
//  workflow's deadline. Pure.
#define FLOW_JOB_MIN_MS 1000
uint64_t flow_job_deadline (uint64_t accepted_ms, uint64_t deadline_ms, uint32_t attempts,
                            uint64_t now_ms);

//  control.c
void control_on_request (server_t *self, zframe_t *identity, zframe_t *header);
json_t *control_status (server_t *self);
//  True when op changes the tree: over tcp, only an operator may ask it.
bool control_needs_operator (const char *op);
//  True when the supervisor carries the ctl verb out (for tests/test_names.c).
bool control_ctl_handled (ctl_verb_t verb);

#endif
