/*  supervisor/server_priv.h - the supervisor's state, shared by its
    modules: server.c (sockets, signals, timers, life cycle), pool.c
    (components, worker slots, restarts, breakers), flow.c (workflows:
    queue, dispatch, results, retries, deadlines) and control.c (client
    requests). Not a public header.  */
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
#include "supervisor/remote.h"
#include "supervisor/security.h"
#include "supervisor/server.h"

#include <czmq.h>
#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_CREDIT 16
#define MAX_WAITERS 16
#define MAX_MSG_BYTES (64 * 1024 * 1024)
#define POISON_CRASHES 3
_Static_assert (POISON_CRASHES < 65535, "crashes is a 16-bit counter");

typedef enum { STEP_PARSE, STEP_DETECT, STEP_GENERATE, STEP_DONE } step_t;

//  How a local worker ended when no one asked it to: for `status`, so
//  why a component went FATAL is seen where its state is.
#define EXITS_KEPT 5
typedef struct {
    uint64_t wall_ms;
    pid_t pid;
    int status;                 //  exit status, or -1 when signalled
    int signal;                 //  0 when it exited
    bool was_ready;
    bool killed_by_us;          //  heartbeats missed, start timed out
    char last_line [240];       //  the last line it wrote on stderr
} exit_record_t;

typedef struct workflow workflow_t;
typedef struct worker worker_t;
typedef struct slot slot_t;
typedef struct component component_t;
typedef struct rollout rollout_t;

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

struct worker {
    component_t *component;
    slot_t *slot;               //  NULL once the slot let it go; NULL for remote
    zsock_t *sock;              //  the socket it talks on (ipc or tcp)
    bool remote;                //  joined over tcp: not ours to spawn or kill
    pid_t pid;                  //  its pid on its own host
    zframe_t *identity;         //  known once READY arrives
    char key [64];              //  identity as hex, for the lookup table
    char host [64];
    char address [64];          //  remote: the IP address it connects from
    char peer_key [48];         //  remote: its CURVE public key (Z85), "" without
    worker_state_t state;
    bool killed_by_us;          //  we sent the SIGKILL (heartbeat, timeout)
    bool isolated;              //  runs a suspect job: gets nothing else
    bool bye_sent;
    bool signalled;             //  SIGTERM sent after the drain time
    int log_fd;                 //  its stderr's pipe (logcap), -1 without
    uint64_t stop_ms;           //  when it was asked to stop
    uint64_t spawned_ms;
    uint64_t ready_ms;
    uint64_t last_heard_ms;
    uint64_t last_sent_ms;
    uint32_t credit;
    workflow_t *jobs [MAX_CREDIT];
    worker_t *next;
};

//  One place in a component's pool: a restart policy and the process
//  that fills it now, if any.
struct slot {
    component_t *component;
    restart_t *policy;
    worker_t *worker;
    bool retiring;              //  scaled away: goes when its worker does
    bool ever_ready;            //  some worker of this slot said READY
    uint64_t generation;        //  the operation that made it
    char command [4096];        //  what its workers run
};

struct component {
    const char *name;
    step_t step;
    char command [4096];
    uint32_t desired;
    worker_t *workers;          //  every process of this component
    slot_t **slots;
    size_t slots_count;
    pqueue_t *queue;            //  workflows waiting for this step
    breaker_t *breaker;
    uint64_t restarts;
    bool fatal;
    char last_exit [96];        //  how its last worker ended, for the log
    exit_record_t exits [EXITS_KEPT];   //  unexpected exits, a ring
    size_t exits_count;
    uint32_t last_desired;      //  before a stop, for deploy
    uint64_t generation;
    rollout_t *op;              //  a rolling operation, NULL: none (rollout.c)
    uint32_t latency_us [256];  //  recent step times, a ring
    size_t latency_count;
};

//  What the worker pool tells the workflows (server.c wires it to
//  flow.c). arg is given back to each.
typedef struct {
    //  Workers of component may take jobs now (NULL: of any component).
    void (*capacity) (void *arg, component_t *component);
    //  component takes no work now (stopped, FATAL, its breaker open).
    void (*unavailable) (void *arg, component_t *component);
    //  worker's jobs will not be answered (it died, or is let go): they
    //  go elsewhere; count_crash: the worker crashed running them.
    void (*jobs_lost) (void *arg, worker_t *worker, const char *why, bool count_crash);
    void *arg;
} pool_hooks_t;

typedef struct logcap logcap_t;
typedef struct spool spool_t;
typedef struct results results_t;

struct server {
    config_t cfg;
    char runtime_dir [4096];
    char state_dir [4096];      //  "" runs without a journal
    char config_path [4096];    //  "" when started without a config file
    char *knowledge;            //  CI knowledge sent to workers, NULL: shipped
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
    component_t components [COMPONENT_COUNT];
    zhashx_t *workflows;        //  id -> workflow_t (owned)
    zhashx_t *workers;          //  identity hex -> worker_t (borrowed)
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
    logcap_t *logcap;           //  workers' stderr into STATE/logs (pool.c)
    pool_hooks_t pool_hooks;
    //  Asked to stop (a `down` request): server.c starts the drain.
    void (*on_down) (server_t *self, const char *why);
};

extern const char *const server_step_names [];

//  pool.c
int pool_init (server_t *self);
void pool_destroy (server_t *self);
void pool_start (server_t *self);
int pool_worker_send (server_t *self, worker_t *worker, uint8_t *header, size_t size,
                      zframe_t **payloads, size_t count);
uint32_t pool_worker_load (const worker_t *worker);
void pool_on_ready (server_t *self, zsock_t *sock, zframe_t *identity, const char *key,
                    zframe_t *header);
void pool_on_bye (server_t *self, worker_t *worker);
//  Drop a remote worker: told to join again (so its next handshake tells
//  it why, if it is refused), its jobs queued again, its record freed.
void pool_remote_drop (server_t *self, worker_t *worker, const char *why);
//  Drops the remote workers whose key is no longer authorised (when
//  remote_keys_due says it is time to look).
void pool_drop_revoked (server_t *self);
//  A worker that is alive but does not do its work (a job not answered in
//  time): a local one is killed (and replaced by its restart policy), a
//  remote one dropped and told to join again. why is for the log and the
//  component.failure event.
void pool_worker_broken (server_t *self, worker_t *worker, const char *why);
void pool_on_exit (server_t *self, pid_t pid, int status);
void pool_tick (server_t *self, uint64_t now);
bool pool_available (server_t *self, component_t *component);
bool pool_no_workers (server_t *self);
void pool_stop_all (server_t *self);
void pool_signal_all (server_t *self, int signo);
int pool_restart (server_t *self, component_t *component, char *err, size_t size);
int pool_scale (server_t *self, component_t *component, uint32_t count, char *err, size_t size);
int pool_stop (server_t *self, component_t *component, char *err, size_t size);
int pool_deploy (server_t *self, component_t *component, char *err, size_t size);
//  Starts a rolling update (restart when command is NULL); the answer to
//  the client comes when it ends. 0 started, -1 refused (err says why).
int pool_update (server_t *self, component_t *component, const char *command,
                 zframe_t *client, uint64_t req_id, char *err, size_t size);
void pool_worker_idle (server_t *self, worker_t *worker);
void pool_replay_event (server_t *self, const event_t *event);
void pool_note_latency (component_t *component, uint64_t us);
uint64_t pool_latency (const component_t *component, int percentile);
component_t *pool_component (server_t *self, const char *name);
const char *pool_component_state (server_t *self, component_t *component);
//  The component's unexpected exits, newest first, for status.
json_t *pool_exits_json (const component_t *component);
void pool_breaker_result (server_t *self, component_t *component, bool ok);
//  Sends a worker its settings (heartbeat, CI knowledge): on READY, and
//  to every worker after a reload.
void pool_send_settings (server_t *self, worker_t *worker);
//  The one job a worker holds, or NULL when it holds none or several.
workflow_t *pool_only_job (const worker_t *worker);

//  flow.c
int flow_init (server_t *self);
void flow_destroy (server_t *self);
void flow_submit (server_t *self, zframe_t *identity, zmsg_t *msg, zframe_t *header);
void flow_enqueue (server_t *self, workflow_t *wf, bool front);
void flow_dispatch (server_t *self, component_t *component);
void flow_dispatch_all (server_t *self);
void flow_on_result (server_t *self, worker_t *worker, zmsg_t *msg, zframe_t *header);
void flow_requeue_jobs (server_t *self, worker_t *worker, const char *why, bool count_crash);
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

//  reload.c
int reload_init (server_t *self, char *err, size_t size);
void reload_destroy (server_t *self);
//  Reads the config file again and applies it. 0 with a JSON report,
//  1 when the file is invalid (message says where; nothing changed), 2
//  when there is no config file.
int reload_run (server_t *self, char *message, size_t size, json_t **report_p);

//  control.c
void control_on_request (server_t *self, zframe_t *identity, zframe_t *header);
json_t *control_status (server_t *self);
//  True when op changes the tree: over tcp, only an operator may ask it.
bool control_needs_operator (const char *op);
//  True when the supervisor carries the ctl verb out (for tests/test_names.c).
bool control_ctl_handled (ctl_verb_t verb);

#endif
