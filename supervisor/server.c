/*  supervisor/server.c - the supervisor's reactor: accepts workflows from
    clients, runs each as parse -> detect -> generate on idle workers,
    answers the client, and keeps one pool of worker processes per
    component alive.  */
#include "supervisor/server.h"

#include "common/util.h"
#include "proto/wire.h"
#include "supervisor/log.h"
#include "supervisor/spawn.h"
#include "workers/bus.h"

#include <czmq.h>
#include <jansson.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMPONENT_COUNT 3
#define MAX_CREDIT 16
#define MAX_WAITERS 16
#define MAX_MSG_BYTES (64 * 1024 * 1024)
#define RESULTS_KEPT 1024
#define POISON_CRASHES 3
#define STEP_ATTEMPTS 3

typedef enum { STEP_PARSE, STEP_DETECT, STEP_GENERATE, STEP_DONE } step_t;
static const char *const s_step_names [] = { "parse", "detect", "generate", "done" };
static const char *const s_component_names [] = { "parser", "detector", "generator" };

typedef enum { W_STARTING, W_READY, W_STOPPING } worker_state_t;
static const char *const s_worker_states [] = { "starting", "ready", "stopping" };

typedef struct workflow workflow_t;
typedef struct worker worker_t;
typedef struct component component_t;

typedef struct {
    zframe_t *identity;     //  the client's routing id
    uint64_t req_id;
} waiter_t;

struct workflow {
    char id [64];
    int32_t priority;
    int64_t order;              //  queue order within a priority
    uint64_t accepted_ms;
    uint64_t deadline_ms;
    wire_options_t options;
    waiter_t waiters [MAX_WAITERS];
    size_t waiters_count;
    zframe_t *docs;             //  inputs, as the client sent them
    zframe_t *project;
    zframe_t *doc;              //  parse result
    zframe_t *report;           //  detect result
    step_t step;
    uint32_t attempt;           //  attempts of the current step
    uint32_t crashes;           //  workers that died holding it
    uint64_t job_id;            //  in flight when not 0
    worker_t *worker;
    bool queued;
    void *queue_handle;         //  zlistx handle while queued
};

struct worker {
    component_t *component;
    pid_t pid;
    zframe_t *identity;         //  known once READY arrives
    char key [64];              //  identity as hex, for the lookup table
    char host [64];
    worker_state_t state;
    uint64_t spawned_ms;
    uint64_t ready_ms;
    uint64_t last_heard_ms;
    uint64_t last_sent_ms;
    uint32_t credit;
    workflow_t *jobs [MAX_CREDIT];
    uint32_t restarts;          //  restarts of this slot before it
    worker_t *next;
};

struct component {
    const char *name;
    step_t step;
    char command [4096];
    uint32_t desired;
    worker_t *workers;
    zlistx_t *queue;            //  workflows waiting for this step
    uint32_t restarts;
    uint32_t quick_exits;       //  exits before READY in a row
    uint64_t respawn_at_ms;     //  0 when no respawn is pending
};

struct server {
    config_t cfg;
    char runtime_dir [4096];
    char front_ep [256];
    char back_ep [256];
    char events_ep [256];
    zloop_t *loop;
    zsock_t *front;
    zsock_t *back;
    zsock_t *events;
    int sigfd;
    component_t components [COMPONENT_COUNT];
    zhashx_t *workflows;        //  id -> workflow_t (owned)
    zhashx_t *workers;          //  identity hex -> worker_t (borrowed)
    zhashx_t *results;          //  id -> YAML text (owned), for `result`
    zlistx_t *results_order;    //  ids, oldest first
    uint64_t next_job_id;
    int64_t next_order;
    int64_t next_front;
    uint64_t started_ms;
    uint64_t completed;
    uint64_t failed;
    bool draining;
    uint64_t drain_deadline_ms;
    bool stopping;              //  BYE sent to workers
    uint64_t kill_deadline_ms;
    bool terminated;            //  SIGTERM sent to workers
    int exit_status;
};

static void s_dispatch (server_t *self, component_t *component);
static void s_spawn (server_t *self, component_t *component);

//  --------------------------------------------------------------------
//  Events: one log line each and a message on the PUB socket.

static void
s_event (server_t *self, const char *type, json_t *fields)
{
    if (!fields)
        fields = json_object ();
    json_object_set_new (fields, "type", json_string (type));
    json_object_set_new (fields, "time_ms", json_integer ((json_int_t) util_wall_ms ()));
    char *text = json_dumps (fields, JSON_COMPACT | JSON_SORT_KEYS);
    if (text) {
        log_info ("%s", text);
        zsock_send (self->events, "ss", type, text);
        free (text);
    }
    json_decref (fields);
}

//  --------------------------------------------------------------------
//  Replies to clients

static void
s_reply (server_t *self, zframe_t *identity, uint64_t req_id, int code,
         const char *workflow_id, const char *message, bool degraded,
         const void *body, size_t body_size)
{
    wire_reply_t reply = { .req_id = req_id, .code = code, .degraded = degraded };
    util_copy (reply.workflow_id, sizeof reply.workflow_id, workflow_id? workflow_id: "");
    util_copy (reply.message, sizeof reply.message, message? message: "");
    uint8_t *buf;
    size_t size;
    if (wire_reply_encode (&reply, &buf, &size)) {
        log_error ("cannot encode a reply: %s", strerror (errno));
        return;
    }
    const void *payloads [1] = { body };
    size_t sizes [1] = { body_size };
    bus_send_bytes (self->front, identity, buf, size, payloads, sizes, body? 1: 0);
}

//  --------------------------------------------------------------------
//  Workflows

static void
s_workflow_destroy (workflow_t **self_p)
{
    workflow_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->waiters_count; i++)
        zframe_destroy (&self->waiters [i].identity);
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

//  The component that runs the workflow's current step.
static component_t *
s_component_of (server_t *self, workflow_t *wf)
{
    return &self->components [wf->step];
}

//  Queue order: higher priority first, then lower order number.
static int
s_compare_workflows (const void *a, const void *b)
{
    const workflow_t *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority > y->priority? -1: 1;
    return x->order < y->order? -1: x->order > y->order;
}

//  Put the workflow in the queue of its current step's component; at the
//  head of its priority when front is set (redelivery).
static void
s_enqueue (server_t *self, workflow_t *wf, bool front)
{
    component_t *component = s_component_of (self, wf);
    wf->order = front? --self->next_front: ++self->next_order;
    wf->queue_handle = zlistx_insert (component->queue, wf, false);
    wf->queued = true;
}

static void
s_dequeue (server_t *self, workflow_t *wf)
{
    if (!wf->queued)
        return;
    zlistx_detach (s_component_of (self, wf)->queue, wf->queue_handle);
    wf->queued = false;
    wf->queue_handle = NULL;
}

static void
s_result_keep (server_t *self, const char *id, const char *text, size_t size)
{
    char *copy = malloc (size + 1);
    if (!copy)
        return;
    memcpy (copy, text, size);
    copy [size] = 0;
    if (zhashx_lookup (self->results, id))
        zhashx_delete (self->results, id);
    else
        zlistx_add_end (self->results_order, strdup (id));
    zhashx_insert (self->results, id, copy);
    while (zlistx_size (self->results_order) > RESULTS_KEPT) {
        char *oldest = zlistx_first (self->results_order);
        zhashx_delete (self->results, oldest);
        zlistx_delete (self->results_order, zlistx_cursor (self->results_order));
    }
}

//  Ends a workflow: answers every client waiting on it and forgets it.
static void
s_workflow_finish (server_t *self, workflow_t *wf, int code, const char *message,
                   zframe_t *text)
{
    s_dequeue (self, wf);
    json_t *fields = json_pack ("{s:s, s:i, s:s}", "workflow_id", wf->id,
                                "priority", wf->priority, "step", s_step_names [wf->step]);
    if (code == 0) {
        self->completed++;
        json_object_set_new (fields, "degraded", json_boolean (wf->options.degraded));
        json_object_set_new (fields, "bytes", json_integer ((json_int_t) zframe_size (text)));
        s_event (self, "workflow.completed", fields);
        s_result_keep (self, wf->id, (const char *) zframe_data (text), zframe_size (text));
    }
    else {
        self->failed++;
        json_object_set_new (fields, "reason", json_string (message));
        json_object_set_new (fields, "code", json_integer (code));
        s_event (self, "workflow.failed", fields);
    }
    for (size_t i = 0; i < wf->waiters_count; i++)
        s_reply (self, wf->waiters [i].identity, wf->waiters [i].req_id, code, wf->id,
                 message, wf->options.degraded,
                 text? zframe_data (text): NULL, text? zframe_size (text): 0);
    zhashx_delete (self->workflows, wf->id);
}

//  --------------------------------------------------------------------
//  Workers

static worker_t *
s_worker_by_pid (server_t *self, pid_t pid)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        for (worker_t *w = self->components [c].workers; w; w = w->next)
            if (w->pid == pid)
                return w;
    return NULL;
}

static uint32_t
s_worker_load (const worker_t *worker)
{
    uint32_t load = 0;
    for (uint32_t i = 0; i < worker->credit; i++)
        if (worker->jobs [i])
            load++;
    return load;
}

static int
s_worker_send (server_t *self, worker_t *worker, uint8_t *header, size_t size,
               zframe_t **payloads, size_t count)
{
    worker->last_sent_ms = util_now_ms ();
    return bus_send (self->back, worker->identity, header, size, payloads, count);
}

//  Unlinks the worker from its component and forgets it. Jobs it held go
//  back to the head of their queues, unless they have killed too many
//  workers already.
static void
s_worker_remove (server_t *self, worker_t *worker, const char *why)
{
    component_t *component = worker->component;
    for (uint32_t i = 0; i < MAX_CREDIT; i++) {
        workflow_t *wf = worker->jobs [i];
        if (!wf)
            continue;
        worker->jobs [i] = NULL;
        wf->job_id = 0;
        wf->worker = NULL;
        wf->crashes++;
        if (wf->crashes >= POISON_CRASHES) {
            char message [256];
            snprintf (message, sizeof message,
                      "the %s step crashed its worker %u times (%s); giving up on this input",
                      s_step_names [wf->step], wf->crashes, why);
            s_workflow_finish (self, wf, 1, message, NULL);
        }
        else {
            s_event (self, "workflow.retried",
                     json_pack ("{s:s, s:s, s:i, s:s}", "workflow_id", wf->id,
                                "component", component->name, "attempt", wf->crashes + 1,
                                "reason", why));
            s_enqueue (self, wf, true);
        }
    }
    if (worker->identity) {
        zhashx_delete (self->workers, worker->key);
        zframe_destroy (&worker->identity);
    }
    worker_t **link = &component->workers;
    while (*link && *link != worker)
        link = &(*link)->next;
    if (*link)
        *link = worker->next;
    free (worker);
}

static uint32_t
s_component_live (const component_t *component)
{
    uint32_t live = 0;
    for (const worker_t *w = component->workers; w; w = w->next)
        if (w->state != W_STOPPING)
            live++;
    return live;
}

static void
s_spawn (server_t *self, component_t *component)
{
    char *argv [] = { component->command, "--endpoint", self->back_ep, "--credit", NULL, NULL };
    char credit [16];
    snprintf (credit, sizeof credit, "%u", self->cfg.components [component->step].credit);
    argv [4] = credit;
    pid_t pid = spawn_worker (argv);
    if (pid < 0) {
        log_error ("cannot start %s: %s", component->command, strerror (errno));
        s_event (self, "component.failure",
                 json_pack ("{s:s, s:s}", "component", component->name,
                            "reason", strerror (errno)));
        component->quick_exits++;
        return;
    }
    worker_t *worker = calloc (1, sizeof *worker);
    if (!worker) {
        kill (pid, SIGKILL);
        return;
    }
    worker->component = component;
    worker->pid = pid;
    worker->state = W_STARTING;
    worker->spawned_ms = util_now_ms ();
    worker->last_heard_ms = worker->spawned_ms;
    util_copy (worker->host, sizeof worker->host, "local");
    worker->next = component->workers;
    component->workers = worker;
    s_event (self, "worker.started",
             json_pack ("{s:s, s:i}", "component", component->name, "pid", (int) pid));
}

//  Starts workers until the component has as many as it should, unless a
//  respawn is being held back.
static void
s_component_fill (server_t *self, component_t *component)
{
    if (self->stopping || self->draining)
        return;
    uint64_t now = util_now_ms ();
    if (component->respawn_at_ms && now < component->respawn_at_ms)
        return;
    component->respawn_at_ms = 0;
    while (s_component_live (component) < component->desired) {
        uint32_t before = s_component_live (component);
        s_spawn (self, component);
        if (s_component_live (component) == before) {
            //  Could not start it: try again later.
            component->respawn_at_ms = now + 1000;
            break;
        }
    }
}

static void
s_worker_ready (server_t *self, zframe_t *identity, const char *key, zframe_t *header)
{
    wire_ready_t ready;
    if (wire_ready_decode (&ready, zframe_data (header), zframe_size (header))) {
        log_warn ("dropped a malformed READY");
        return;
    }
    component_t *component = NULL;
    for (int c = 0; c < COMPONENT_COUNT; c++)
        if (strcmp (self->components [c].name, ready.component) == 0)
            component = &self->components [c];
    if (!component) {
        log_warn ("READY from unknown component '%s'", ready.component);
        return;
    }
    worker_t *worker = s_worker_by_pid (self, (pid_t) ready.pid);
    if (!worker || worker->component != component || worker->identity) {
        //  Not one we started: a worker from another host (or a stray).
        log_warn ("READY from %s pid %u that this supervisor did not start; ignored",
                  ready.component, ready.pid);
        return;
    }
    worker->identity = zframe_dup (identity);
    util_copy (worker->key, sizeof worker->key, key);
    worker->state = W_READY;
    worker->ready_ms = util_now_ms ();
    worker->last_heard_ms = worker->ready_ms;
    worker->credit = ready.credit < MAX_CREDIT? ready.credit: MAX_CREDIT;
    zhashx_insert (self->workers, worker->key, worker);
    component->quick_exits = 0;
    //  The worker follows our heartbeat settings, not its own defaults.
    const config_heartbeat_t *hb = &self->cfg.components [component->step].heartbeat;
    wire_settings_t settings = { .hb_ivl_ms = (uint32_t) hb->interval_ms,
                                 .hb_liveness = hb->liveness };
    uint8_t *buf;
    size_t size;
    if (wire_settings_encode (&settings, &buf, &size) == 0)
        s_worker_send (self, worker, buf, size, NULL, 0);
    s_event (self, "worker.ready",
             json_pack ("{s:s, s:i, s:i}", "component", component->name,
                        "pid", (int) worker->pid, "credit", (int) worker->credit));
    s_dispatch (self, component);
}

//  Sends queued workflows to workers with free credit, least loaded first.
static void
s_dispatch (server_t *self, component_t *component)
{
    while (zlistx_size (component->queue) > 0) {
        worker_t *best = NULL;
        uint32_t best_load = 0;
        for (worker_t *w = component->workers; w; w = w->next) {
            if (w->state != W_READY)
                continue;
            uint32_t load = s_worker_load (w);
            if (load < w->credit && (!best || load < best_load)) {
                best = w;
                best_load = load;
            }
        }
        if (!best)
            return;
        workflow_t *wf = zlistx_first (component->queue);
        s_dequeue (self, wf);

        wire_job_t job = { .job_id = ++self->next_job_id, .attempt = wf->attempt + 1,
                           .options = wf->options };
        util_copy (job.workflow_id, sizeof job.workflow_id, wf->id);
        util_copy (job.step, sizeof job.step, s_step_names [wf->step]);
        uint64_t now = util_now_ms ();
        job.deadline_ms = wf->deadline_ms > now? (uint32_t) (wf->deadline_ms - now): 1;
        zframe_t *payloads [2];
        size_t count = 0;
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
            s_workflow_finish (self, wf, 3, "internal error: cannot encode a job", NULL);
            continue;
        }
        for (uint32_t i = 0; i < best->credit; i++)
            if (!best->jobs [i]) {
                best->jobs [i] = wf;
                break;
            }
        wf->job_id = job.job_id;
        wf->worker = best;
        s_worker_send (self, best, buf, size, payloads, count);
        if (wf->step == STEP_PARSE && wf->attempt == 0 && wf->crashes == 0)
            s_event (self, "workflow.started",
                     json_pack ("{s:s, s:i}", "workflow_id", wf->id, "priority", wf->priority));
    }
}

static void
s_worker_result (server_t *self, worker_t *worker, zmsg_t *msg, zframe_t *header)
{
    wire_result_t result;
    if (wire_result_decode (&result, zframe_data (header), zframe_size (header))) {
        log_warn ("dropped a malformed RESULT from %s pid %d", worker->component->name,
                  (int) worker->pid);
        return;
    }
    workflow_t *wf = NULL;
    for (uint32_t i = 0; i < worker->credit; i++)
        if (worker->jobs [i] && worker->jobs [i]->job_id == result.job_id) {
            wf = worker->jobs [i];
            worker->jobs [i] = NULL;
            break;
        }
    if (!wf)
        return;                 //  a job we gave up on (timed out)
    wf->job_id = 0;
    wf->worker = NULL;
    component_t *component = worker->component;
    if (!result.ok) {
        char message [700];
        snprintf (message, sizeof message, "%s step: %s", s_step_names [wf->step], result.error);
        if (result.input_error || ++wf->attempt >= STEP_ATTEMPTS)
            s_workflow_finish (self, wf, result.input_error? 1: 3, message, NULL);
        else {
            s_event (self, "workflow.retried",
                     json_pack ("{s:s, s:s, s:i, s:s}", "workflow_id", wf->id,
                                "component", component->name, "attempt", wf->attempt + 1,
                                "reason", result.error));
            s_enqueue (self, wf, true);
        }
        s_dispatch (self, component);
        return;
    }
    zframe_t *payload = zmsg_pop (msg);
    if (!payload) {
        s_workflow_finish (self, wf, 3, "internal error: a worker sent an empty result", NULL);
        s_dispatch (self, component);
        return;
    }
    wf->attempt = 0;
    wf->crashes = 0;
    component_t *next = NULL;
    if (wf->step == STEP_GENERATE) {
        s_workflow_finish (self, wf, 0, "", payload);     //  frees wf
        zframe_destroy (&payload);
    }
    else {
        if (wf->step == STEP_PARSE)
            wf->doc = payload;
        else
            wf->report = payload;
        wf->step++;
        s_enqueue (self, wf, false);
        next = s_component_of (self, wf);
    }
    s_dispatch (self, component);
    if (next)
        s_dispatch (self, next);
}

static int
s_on_back (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    server_t *self = arg;
    zmsg_t *msg = zmsg_recv (sock);
    if (!msg)
        return 0;
    zframe_t *identity = zmsg_pop (msg);
    zframe_t *header = zmsg_pop (msg);
    if (!identity || !header) {
        log_warn ("dropped a malformed message on the worker socket");
        goto out;
    }
    char *key = zframe_strhex (identity);
    worker_t *worker = zhashx_lookup (self->workers, key);
    if (worker)
        worker->last_heard_ms = util_now_ms ();
    switch (wire_type (zframe_data (header), zframe_size (header))) {
        case WIRE_READY:
            s_worker_ready (self, identity, key, header);
            break;
        case WIRE_RESULT:
            if (worker)
                s_worker_result (self, worker, msg, header);
            break;
        case WIRE_HEARTBEAT:
            break;
        case WIRE_BYE:
            if (worker && worker->state != W_STOPPING)
                worker->state = W_STOPPING;
            break;
        default:
            log_warn ("dropped a malformed message from a worker");
            break;
    }
    free (key);
out:
    zframe_destroy (&identity);
    zframe_destroy (&header);
    zmsg_destroy (&msg);
    return 0;
}

//  --------------------------------------------------------------------
//  Clients

static void
s_submit (server_t *self, zframe_t *identity, zmsg_t *msg, zframe_t *header)
{
    wire_submit_t submit;
    if (wire_submit_decode (&submit, zframe_data (header), zframe_size (header))) {
        log_warn ("dropped a malformed SUBMIT");
        return;
    }
    if (submit.workflow_id [0]) {
        workflow_t *known = zhashx_lookup (self->workflows, submit.workflow_id);
        if (known && known->waiters_count < MAX_WAITERS) {
            known->waiters [known->waiters_count].identity = zframe_dup (identity);
            known->waiters [known->waiters_count++].req_id = submit.req_id;
            return;
        }
        const char *text = zhashx_lookup (self->results, submit.workflow_id);
        if (text) {
            s_reply (self, identity, submit.req_id, 0, submit.workflow_id, "", false,
                     text, strlen (text));
            return;
        }
    }
    if (submit.attach) {
        s_reply (self, identity, submit.req_id, 1, submit.workflow_id,
                 "no workflow with this id", false, NULL, 0);
        return;
    }
    if (self->draining) {
        s_reply (self, identity, submit.req_id, 3, submit.workflow_id,
                 "the supervisor is shutting down", false, NULL, 0);
        return;
    }
    zframe_t *docs = zmsg_pop (msg);
    zframe_t *project = zmsg_pop (msg);
    if (!docs || !project) {
        zframe_destroy (&docs);
        zframe_destroy (&project);
        s_reply (self, identity, submit.req_id, 1, submit.workflow_id,
                 "a submission needs a docs frame and a project frame", false, NULL, 0);
        return;
    }
    workflow_t *wf = calloc (1, sizeof *wf);
    if (!wf) {
        zframe_destroy (&docs);
        zframe_destroy (&project);
        s_reply (self, identity, submit.req_id, 3, submit.workflow_id, "out of memory",
                 false, NULL, 0);
        return;
    }
    if (submit.workflow_id [0])
        util_copy (wf->id, sizeof wf->id, submit.workflow_id);
    else {
        zuuid_t *uuid = zuuid_new ();
        snprintf (wf->id, sizeof wf->id, "wf-%s", zuuid_str_canonical (uuid));
        zuuid_destroy (&uuid);
    }
    wf->priority = submit.priority;
    wf->accepted_ms = util_now_ms ();
    uint64_t timeout = submit.timeout_ms? submit.timeout_ms:
                       (uint64_t) self->cfg.retry.workflow_timeout_ms;
    wf->deadline_ms = wf->accepted_ms + timeout;
    wf->options = submit.options;
    wf->docs = docs;
    wf->project = project;
    wf->waiters [0].identity = zframe_dup (identity);
    wf->waiters [0].req_id = submit.req_id;
    wf->waiters_count = 1;
    zhashx_insert (self->workflows, wf->id, wf);
    s_event (self, "workflow.queued",
             json_pack ("{s:s, s:i}", "workflow_id", wf->id, "priority", wf->priority));
    s_enqueue (self, wf, false);
    s_dispatch (self, s_component_of (self, wf));
}

static json_t *
s_status_json (server_t *self)
{
    uint64_t now = util_now_ms ();
    json_t *queue = json_pack ("{s:i, s:i, s:i, s:i}", "critical", 0, "high", 0,
                               "normal", 0, "low", 0);
    json_t *components = json_array ();
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        for (workflow_t *wf = zlistx_first (component->queue); wf;
             wf = zlistx_next (component->queue)) {
            const char *level = wire_priority_level (wf->priority);
            json_object_set_new (queue, level,
                json_integer (json_integer_value (json_object_get (queue, level)) + 1));
        }
        json_t *workers = json_array ();
        uint32_t ready = 0;
        for (worker_t *w = component->workers; w; w = w->next) {
            if (w->state == W_READY)
                ready++;
            json_array_append_new (workers, json_pack (
                "{s:i, s:s, s:i, s:s, s:I, s:i}", "pid", (int) w->pid,
                "state", s_worker_states [w->state], "restarts", (int) w->restarts,
                "host", w->host, "uptime_ms", (json_int_t) (now - w->spawned_ms),
                "jobs", (int) s_worker_load (w)));
        }
        const char *state = component->desired == 0? "stopped":
                            ready >= component->desired? "running": "starting";
        json_array_append_new (components, json_pack (
            "{s:s, s:s, s:i, s:i, s:s, s:i, s:i, s:o}", "name", component->name,
            "state", state, "desired", (int) component->desired, "ready", (int) ready,
            "breaker", "closed", "restarts", (int) component->restarts,
            "queued", (int) zlistx_size (component->queue), "workers", workers));
    }
    return json_pack ("{s:{s:i, s:I}, s:o, s:o, s:{s:I, s:I, s:i}}",
                      "supervisor", "pid", (int) getpid (),
                      "uptime_ms", (json_int_t) (now - self->started_ms),
                      "queue", queue, "components", components,
                      "workflows", "completed", (json_int_t) self->completed,
                      "failed", (json_int_t) self->failed,
                      "in_flight", (int) zhashx_size (self->workflows));
}

static void s_begin_shutdown (server_t *self, const char *why);

static void
s_request (server_t *self, zframe_t *identity, zframe_t *header)
{
    wire_request_t request;
    if (wire_request_decode (&request, zframe_data (header), zframe_size (header))) {
        log_warn ("dropped a malformed REQUEST");
        return;
    }
    if (strcmp (request.op, "status") == 0 || strcmp (request.op, "ping") == 0) {
        json_t *status = s_status_json (self);
        char *text = json_dumps (status, JSON_COMPACT);
        json_decref (status);
        s_reply (self, identity, request.req_id, 0, "", "", false, text, strlen (text));
        free (text);
    }
    else
    if (strcmp (request.op, "down") == 0) {
        s_reply (self, identity, request.req_id, 0, "", "stopping", false, NULL, 0);
        s_begin_shutdown (self, "down requested");
    }
    else
    if (strcmp (request.op, "result") == 0 && request.args_count == 1) {
        const char *text = zhashx_lookup (self->results, request.args [0]);
        workflow_t *wf = zhashx_lookup (self->workflows, request.args [0]);
        if (text)
            s_reply (self, identity, request.req_id, 0, request.args [0], "", false,
                     text, strlen (text));
        else
            s_reply (self, identity, request.req_id, 1, request.args [0],
                     wf? "the workflow has not finished yet": "no result for this workflow id",
                     false, NULL, 0);
    }
    else {
        char message [128];
        snprintf (message, sizeof message, "unknown operation '%s'", request.op);
        s_reply (self, identity, request.req_id, 2, "", message, false, NULL, 0);
    }
    wire_request_release (&request);
}

static int
s_on_front (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    server_t *self = arg;
    zmsg_t *msg = zmsg_recv (sock);
    if (!msg)
        return 0;
    zframe_t *identity = zmsg_pop (msg);
    zframe_t *header = zmsg_pop (msg);
    if (!identity || !header)
        log_warn ("dropped a malformed message on the client socket");
    else
    switch (wire_type (zframe_data (header), zframe_size (header))) {
        case WIRE_SUBMIT:
            s_submit (self, identity, msg, header);
            break;
        case WIRE_REQUEST:
            s_request (self, identity, header);
            break;
        default:
            log_warn ("dropped a malformed message from a client");
            break;
    }
    zframe_destroy (&identity);
    zframe_destroy (&header);
    zmsg_destroy (&msg);
    return 0;
}

//  --------------------------------------------------------------------
//  Signals, exits and timers

static void
s_worker_exited (server_t *self, worker_t *worker, int status)
{
    component_t *component = worker->component;
    json_t *fields = json_pack ("{s:s, s:i}", "component", component->name,
                                "pid", (int) worker->pid);
    char why [64];
    if (WIFEXITED (status)) {
        json_object_set_new (fields, "status", json_integer (WEXITSTATUS (status)));
        snprintf (why, sizeof why, "exit status %d", WEXITSTATUS (status));
    }
    else {
        json_object_set_new (fields, "signal", json_integer (WTERMSIG (status)));
        snprintf (why, sizeof why, "killed by signal %d", WTERMSIG (status));
    }
    bool expected = worker->state == W_STOPPING || self->stopping;
    bool before_ready = worker->ready_ms == 0;
    s_event (self, "worker.exited", fields);
    s_worker_remove (self, worker, why);
    if (expected)
        return;
    component->restarts++;
    //  A worker that dies before it is ready again and again is held back
    //  with a growing gap, so a broken command cannot spin.
    if (before_ready) {
        component->quick_exits++;
        uint64_t gap = 100ull << (component->quick_exits < 9? component->quick_exits - 1: 8);
        component->respawn_at_ms = util_now_ms () + gap;
    }
    s_component_fill (self, component);
    for (int c = 0; c < COMPONENT_COUNT; c++)
        s_dispatch (self, &self->components [c]);
}

static void
s_reap (server_t *self)
{
    int status;
    pid_t pid;
    while ((pid = waitpid (-1, &status, WNOHANG)) > 0) {
        worker_t *worker = s_worker_by_pid (self, pid);
        if (worker)
            s_worker_exited (self, worker, status);
    }
}

static bool
s_no_workers (server_t *self)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        if (self->components [c].workers)
            return false;
    return true;
}

static void
s_send_bye_all (server_t *self)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        for (worker_t *w = self->components [c].workers; w; w = w->next) {
            if (w->identity) {
                uint8_t *buf;
                size_t size;
                wire_bye_t bye = { .reason = "supervisor stopping" };
                if (wire_bye_encode (&bye, &buf, &size) == 0)
                    s_worker_send (self, w, buf, size, NULL, 0);
            }
            else
            if (w->pid > 0)
                kill (w->pid, SIGTERM);
            w->state = W_STOPPING;
        }
}

static void
s_begin_shutdown (server_t *self, const char *why)
{
    if (self->draining)
        return;
    log_info ("shutting down: %s; draining %zu workflows", why, zhashx_size (self->workflows));
    self->draining = true;
    self->drain_deadline_ms = util_now_ms () + (uint64_t) self->cfg.stop.drain_timeout_ms;
}

static int
s_on_signal (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    server_t *self = arg;
    struct signalfd_siginfo info;
    while (read (self->sigfd, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGCHLD)
            s_reap (self);
        else
        if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT)
            s_begin_shutdown (self, info.ssi_signo == SIGTERM? "SIGTERM": "SIGINT");
    }
    return 0;
}

//  Runs every 50 ms: heartbeats, dead workers, deadlines, held-back
//  respawns, and the stages of shutdown.
static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    server_t *self = arg;
    uint64_t now = util_now_ms ();
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        const config_heartbeat_t *hb = &self->cfg.components [c].heartbeat;
        uint64_t dead_after = (uint64_t) hb->interval_ms * hb->liveness;
        for (worker_t *w = component->workers; w; w = w->next) {
            if (w->identity && w->state != W_STOPPING
            &&  now - w->last_sent_ms >= (uint64_t) hb->interval_ms) {
                uint8_t *buf;
                size_t size;
                if (wire_heartbeat_encode (&buf, &size) == 0)
                    s_worker_send (self, w, buf, size, NULL, 0);
            }
            uint64_t limit = w->state == W_STARTING
                           ? (uint64_t) self->cfg.components [c].restart.start_timeout_ms
                           : dead_after;
            if (w->pid > 0 && now - w->last_heard_ms > limit && !self->terminated) {
                log_warn ("%s pid %d silent for %llu ms: killing it", component->name,
                          (int) w->pid, (unsigned long long) (now - w->last_heard_ms));
                s_event (self, "component.failure",
                         json_pack ("{s:s, s:i, s:s}", "component", component->name,
                                    "pid", (int) w->pid, "reason", "missed heartbeats"));
                kill (w->pid, SIGKILL);
                w->last_heard_ms = now;     //  one kill per silence
            }
        }
        if (component->respawn_at_ms && now >= component->respawn_at_ms)
            s_component_fill (self, component);
    }
    //  Deadlines of workflows.
    zlistx_t *expired = zlistx_new ();
    for (workflow_t *wf = zhashx_first (self->workflows); wf; wf = zhashx_next (self->workflows))
        if (now >= wf->deadline_ms)
            zlistx_add_end (expired, wf);
    for (workflow_t *wf = zlistx_first (expired); wf; wf = zlistx_next (expired)) {
        char message [256];
        snprintf (message, sizeof message, "timed out after %llu ms in the %s step",
                  (unsigned long long) (now - wf->accepted_ms), s_step_names [wf->step]);
        if (wf->worker)
            for (uint32_t i = 0; i < MAX_CREDIT; i++)
                if (wf->worker->jobs [i] == wf)
                    wf->worker->jobs [i] = NULL;
        s_workflow_finish (self, wf, 4, message, NULL);
    }
    zlistx_destroy (&expired);

    if (self->draining && !self->stopping
    &&  (zhashx_size (self->workflows) == 0 || now >= self->drain_deadline_ms)) {
        for (workflow_t *wf = zhashx_first (self->workflows); wf;
             wf = zhashx_first (self->workflows)) {
            if (wf->worker)
                for (uint32_t i = 0; i < MAX_CREDIT; i++)
                    if (wf->worker->jobs [i] == wf)
                        wf->worker->jobs [i] = NULL;
            s_workflow_finish (self, wf, 3, "the supervisor stopped before the workflow finished", NULL);
        }
        self->stopping = true;
        self->kill_deadline_ms = now + (uint64_t) self->cfg.stop.kill_after_ms;
        s_send_bye_all (self);
    }
    if (self->stopping) {
        if (s_no_workers (self))
            return -1;              //  ends zloop_start
        if (now >= self->kill_deadline_ms && !self->terminated) {
            for (int c = 0; c < COMPONENT_COUNT; c++)
                for (worker_t *w = self->components [c].workers; w; w = w->next)
                    if (w->pid > 0)
                        kill (w->pid, SIGTERM);
            self->terminated = true;
            self->kill_deadline_ms = now + (uint64_t) self->cfg.stop.kill_after_ms;
        }
        else
        if (now >= self->kill_deadline_ms && self->terminated) {
            for (int c = 0; c < COMPONENT_COUNT; c++)
                for (worker_t *w = self->components [c].workers; w; w = w->next)
                    if (w->pid > 0)
                        kill (w->pid, SIGKILL);
        }
    }
    return 0;
}

//  --------------------------------------------------------------------

static zsock_t *
s_bind (int type, const char *endpoint)
{
    zsock_t *sock = zsock_new (type);
    if (!sock)
        return NULL;
    zsock_set_linger (sock, 0);
    if (type == ZMQ_ROUTER)
        zsock_set_router_mandatory (sock, 0);
    bus_set_maxmsgsize (sock, MAX_MSG_BYTES);
    if (zsock_bind (sock, "%s", endpoint) < 0) {
        log_error ("cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&sock);
    }
    return sock;
}

server_t *
server_new (config_t *config, const char *runtime_dir, const char *worker_dir)
{
    server_t *self = calloc (1, sizeof *self);
    if (!self) {
        config_release (config);
        return NULL;
    }
    self->cfg = *config;
    memset (config, 0, sizeof *config);
    self->sigfd = -1;
    self->started_ms = util_now_ms ();
    util_copy (self->runtime_dir, sizeof self->runtime_dir, runtime_dir);
    if (snprintf (self->front_ep, sizeof self->front_ep, "ipc://%s/front", runtime_dir)
            >= (int) sizeof self->front_ep
    ||  snprintf (self->back_ep, sizeof self->back_ep, "ipc://%s/back", runtime_dir)
            >= (int) sizeof self->back_ep
    ||  snprintf (self->events_ep, sizeof self->events_ep, "ipc://%s/events", runtime_dir)
            >= (int) sizeof self->events_ep) {
        log_error ("runtime folder path too long: %s", runtime_dir);
        goto out_free;
    }
    self->workflows = zhashx_new ();
    zhashx_set_destructor (self->workflows, s_workflow_free);
    self->workers = zhashx_new ();
    self->results = zhashx_new ();
    zhashx_set_destructor (self->results, (zhashx_destructor_fn *) zstr_free);
    self->results_order = zlistx_new ();
    zlistx_set_destructor (self->results_order, (zlistx_destructor_fn *) zstr_free);
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        component->name = s_component_names [c];
        component->step = (step_t) c;
        component->desired = self->cfg.components [c].workers;
        component->queue = zlistx_new ();
        zlistx_set_comparator (component->queue, s_compare_workflows);
        const char *command = self->cfg.components [c].command;
        if (command && *command)
            util_copy (component->command, sizeof component->command, command);
        else
            snprintf (component->command, sizeof component->command, "%s/readme2ci-%s",
                      worker_dir, component->name);
    }
    self->front = s_bind (ZMQ_ROUTER, self->front_ep);
    self->back = s_bind (ZMQ_ROUTER, self->back_ep);
    self->events = s_bind (ZMQ_PUB, self->events_ep);
    if (!self->front || !self->back || !self->events)
        goto out_destroy;

    sigset_t mask;
    sigemptyset (&mask);
    sigaddset (&mask, SIGCHLD);
    sigaddset (&mask, SIGTERM);
    sigaddset (&mask, SIGINT);
    sigaddset (&mask, SIGHUP);
    sigprocmask (SIG_BLOCK, &mask, NULL);
    self->sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (self->sigfd < 0) {
        log_error ("signalfd: %s", strerror (errno));
        goto out_destroy;
    }
    self->loop = zloop_new ();
    zloop_reader (self->loop, self->front, s_on_front, self);
    zloop_reader (self->loop, self->back, s_on_back, self);
    zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
    zloop_poller (self->loop, &item, s_on_signal, self);
    zloop_timer (self->loop, 50, 0, s_on_tick, self);
    for (int c = 0; c < COMPONENT_COUNT; c++)
        s_component_fill (self, &self->components [c]);
    return self;

out_destroy:
    server_destroy (&self);
    return NULL;
out_free:
    config_release (&self->cfg);
    free (self);
    return NULL;
}

int
server_run (server_t *self)
{
    log_info ("supervisor %d listening on %s", (int) getpid (), self->front_ep);
    s_event (self, "system.started", json_pack ("{s:i}", "pid", (int) getpid ()));
    zloop_start (self->loop);
    //  The loop also ends on an interrupted poll; finish the shutdown.
    if (!s_no_workers (self)) {
        s_send_bye_all (self);
        uint64_t deadline = util_now_ms () + (uint64_t) self->cfg.stop.kill_after_ms;
        while (!s_no_workers (self) && util_now_ms () < deadline) {
            zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
            zmq_poll (&item, 1, 50);
            s_reap (self);
        }
        for (int c = 0; c < COMPONENT_COUNT; c++)
            for (worker_t *w = self->components [c].workers; w; w = w->next)
                if (w->pid > 0)
                    kill (w->pid, SIGKILL);
        while (!s_no_workers (self)) {
            zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
            zmq_poll (&item, 1, 50);
            s_reap (self);
        }
    }
    s_event (self, "system.stopped", json_pack ("{s:i}", "pid", (int) getpid ()));
    return self->exit_status;
}

void
server_destroy (server_t **self_p)
{
    server_t *self = *self_p;
    if (!self)
        return;
    zloop_destroy (&self->loop);
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        while (component->workers) {
            worker_t *next = component->workers->next;
            zframe_destroy (&component->workers->identity);
            free (component->workers);
            component->workers = next;
        }
        zlistx_destroy (&component->queue);
    }
    zhashx_destroy (&self->workflows);
    zhashx_destroy (&self->workers);
    zhashx_destroy (&self->results);
    zlistx_destroy (&self->results_order);
    zsock_destroy (&self->front);
    zsock_destroy (&self->back);
    zsock_destroy (&self->events);
    if (self->sigfd >= 0)
        close (self->sigfd);
    config_release (&self->cfg);
    free (self);
    *self_p = NULL;
}
