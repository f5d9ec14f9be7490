/*  supervisor/pool.h - the pools of worker processes: one per component,
    each a set of slots with a restart policy (common/restart) and one
    circuit breaker (common/breaker). It spawns, watches READY and exits,
    kills the silent, restarts as the policy says, takes workers that
    join over tcp, and runs the operators' operations (scale, stop,
    deploy, a rolling update). It borrows the config (read through at
    each use: a reload changes it in place), the outbox, the loop, the
    worker sockets and the remote reports; what it knows of workflows is
    an opaque pointer per job, and what the workflows must hear of it
    goes up through pool_hooks_t.  */
#ifndef POOL_H_INCLUDED
#define POOL_H_INCLUDED

#include "common/breaker.h"
#include "common/config.h"
#include "common/event.h"
#include "common/names.h"
#include "common/pqueue.h"
#include "common/restart.h"
#include "supervisor/outbox.h"
#include "supervisor/security.h"

#include <czmq.h>
#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_CREDIT 16

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

typedef struct pool pool_t;
typedef struct workflow workflow_t;     //  the workflows' (flow.h); opaque here
typedef struct worker worker_t;
typedef struct slot slot_t;
typedef struct component component_t;
typedef struct rollout rollout_t;
typedef struct remote remote_t;
typedef struct logcap logcap_t;

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
    workflow_t *jobs [MAX_CREDIT];      //  the workflows' jobs it holds
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
    //  Returns true when the worker held one job alone that had crashed a
    //  worker before: the likelier cause of this death, blamed instead of
    //  the component.
    bool (*jobs_lost) (void *arg, worker_t *worker, const char *why, bool count_crash);
    void *arg;
} pool_hooks_t;

//  A pool of the components cfg names, each with its slots and no
//  process yet (pool_start spawns them). Borrowed, and read at each use:
//  cfg (the supervisor's: a reload changes it in place), the folders
//  (runtime_dir, state_dir "" for none: where the workers' logs go;
//  worker_dir: where the worker executables are), back_ep (what spawned
//  workers connect to) and outbox. hooks is copied; seed seeds the
//  restart policies' jitter. NULL on failure (out of memory, or restart
//  settings that are not usable: logged).
pool_t *pool_new (const config_t *cfg, const char *runtime_dir, const char *state_dir,
                  const char *worker_dir, const char *back_ep, outbox_t *outbox,
                  const pool_hooks_t *hooks, uint64_t seed);
//  Frees the pool, its workers' records and its logs (the processes are
//  the caller's to have stopped). Accepts NULL; nulls *self_p.
void pool_destroy (pool_t **self_p);
//  What exists only once the supervisor is set up, borrowed: the loop
//  (which watches the workers' stderr), the worker sockets (back, ipc;
//  back_tcp, NULL without listen.workers) and the remote reports (NULL:
//  none). Before pool_start.
void pool_attach (pool_t *self, zloop_t *loop, zsock_t *back, zsock_t *back_tcp,
                  remote_t *remote);
//  Starts every slot's worker.
void pool_start (pool_t *self);
//  The supervisor drains: no worker is started from now on, and
//  operations are refused.
void pool_set_draining (pool_t *self);
//  The CI knowledge sent to workers in SETTINGS (taken; NULL: they use
//  the shipped one). Sent to no one: see pool_send_settings.
void pool_set_knowledge (pool_t *self, char *knowledge);
const char *pool_knowledge (const pool_t *self);

//  The component of that name, or at index c (0 .. COMPONENT_COUNT - 1,
//  a step_t); NULL when there is none.
component_t *pool_component (pool_t *self, const char *name);
component_t *pool_component_at (pool_t *self, int c);
//  The worker that said READY with this routing id (as hex), or NULL.
worker_t *pool_worker_by_key (pool_t *self, const char *key);
//  The workers' logs (STATE/logs), NULL when they go to our stderr.
logcap_t *pool_logcap (pool_t *self);

int pool_worker_send (pool_t *self, worker_t *worker, uint8_t *header, size_t size,
                      zframe_t **payloads, size_t count);
uint32_t pool_worker_load (const worker_t *worker);
void pool_on_ready (pool_t *self, zsock_t *sock, zframe_t *identity, const char *key,
                    zframe_t *header);
void pool_on_bye (pool_t *self, worker_t *worker);
//  Drop a remote worker: told to join again (so its next handshake tells
//  it why, if it is refused), its jobs queued again, its record freed.
void pool_remote_drop (pool_t *self, worker_t *worker, const char *why);
//  A worker that is alive but does not do its work (a job not answered in
//  time): a local one is killed (and replaced by its restart policy), a
//  remote one dropped and told to join again. why is for the log and the
//  component.failure event.
void pool_worker_broken (pool_t *self, worker_t *worker, const char *why);
//  Drops the remote workers whose key is no longer authorised (asked
//  when remote_keys_due says it is time to look; reported by remote).
void pool_drop_revoked (pool_t *self);
void pool_on_exit (pool_t *self, pid_t pid, int status);
void pool_tick (pool_t *self, uint64_t now);
bool pool_available (pool_t *self, component_t *component);
bool pool_no_workers (pool_t *self);
//  Stops every worker (BYE once drained; remote ones let go at once).
//  From here on the pool is stopping: exits are expected, nothing is
//  restarted.
void pool_stop_all (pool_t *self);
//  Sends signo to every local worker; from then on silent workers are
//  no longer killed for their silence.
void pool_signal_all (pool_t *self, int signo);
int pool_restart (pool_t *self, component_t *component, char *err, size_t size);
int pool_scale (pool_t *self, component_t *component, uint32_t count, char *err, size_t size);
int pool_stop (pool_t *self, component_t *component, char *err, size_t size);
int pool_deploy (pool_t *self, component_t *component, char *err, size_t size);
//  Starts a rolling update (restart when command is NULL); the answer to
//  the client comes when it ends. 0 started, -1 refused (err says why).
int pool_update (pool_t *self, component_t *component, const char *command,
                 zframe_t *client, uint64_t req_id, char *err, size_t size);
void pool_worker_idle (pool_t *self, worker_t *worker);
void pool_replay_event (pool_t *self, const event_t *event);
void pool_note_latency (component_t *component, uint64_t us);
uint64_t pool_latency (const component_t *component, int percentile);
const char *pool_component_state (pool_t *self, component_t *component);
//  The component's unexpected exits, newest first, for status.
json_t *pool_exits_json (const component_t *component);
void pool_breaker_result (pool_t *self, component_t *component, bool ok);
//  Sends a worker its settings (heartbeat, CI knowledge): on READY, and
//  to every worker after a reload.
void pool_send_settings (pool_t *self, worker_t *worker);
//  The one job a worker holds, or NULL when it holds none or several.
workflow_t *pool_only_job (const worker_t *worker);

#endif
