/*  supervisor/pool.c - the pools of worker processes: one per component,
    each a set of slots with a restart policy (common/restart) and one
    circuit breaker (common/breaker) for the component. Spawns, watches
    READY and exits, kills the silent, and restarts as the policy says.  */
#include "supervisor/pool.h"

#include "common/backoff.h"
#include "common/util.h"
#include "proto/wire.h"
#include "supervisor/log.h"
#include "supervisor/remote.h"
#include "supervisor/rollout.h"
#include "supervisor/security.h"
#include "shared/logcap.h"
#include "supervisor/spawn.h"
#include "shared/bus.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct pool {
    //  borrowed
    const config_t *cfg;        //  the supervisor's: a reload changes it in place
    const char *runtime_dir;
    const char *state_dir;      //  "" runs without a journal
    const char *worker_dir;
    const char *back_ep;        //  what spawned workers connect to
    outbox_t *outbox;
    zloop_t *loop;              //  NULL until pool_attach
    zsock_t *back;              //  the workers' ROUTER (ipc)
    zsock_t *back_tcp;          //  listen.workers, NULL without
    remote_t *remote;           //  reports about tcp peers (remote.c)
    //  owned
    component_t components [COMPONENT_COUNT];
    zhashx_t *workers;          //  identity hex -> worker_t (borrowed from components)
    logcap_t *logcap;           //  workers' stderr into STATE/logs, NULL: our stderr
    char *knowledge;            //  CI knowledge sent to workers, NULL: shipped
    backoff_rng_t rng;
    pool_hooks_t hooks;
    bool draining;              //  the supervisor drains: nothing starts
    bool stopping;              //  pool_stop_all: BYE sent to workers
    bool terminated;            //  pool_signal_all: workers signalled
};

//  What the workflows hear of the pool (pool_hooks_t, set by server.c).
static void
s_tell_capacity (pool_t *self, component_t *component)
{
    self->hooks.capacity (self->hooks.arg, component);
}

static void
s_tell_unavailable (pool_t *self, component_t *component)
{
    self->hooks.unavailable (self->hooks.arg, component);
}

static bool
s_tell_jobs_lost (pool_t *self, worker_t *worker, const char *why, bool count_crash)
{
    return self->hooks.jobs_lost (self->hooks.arg, worker, why, count_crash);
}


static void s_slot_act (pool_t *self, slot_t *slot, restart_action_t action);
static void s_op_advance (pool_t *self, component_t *component);

component_t *
pool_component (pool_t *self, const char *name)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        if (strcmp (self->components [c].name, name) == 0)
            return &self->components [c];
    return NULL;
}

component_t *
pool_component_at (pool_t *self, int c)
{
    return c >= 0 && c < COMPONENT_COUNT? &self->components [c]: NULL;
}

worker_t *
pool_worker_by_key (pool_t *self, const char *key)
{
    return zhashx_lookup (self->workers, key);
}

logcap_t *
pool_logcap (pool_t *self)
{
    return self->logcap;
}

void
pool_set_draining (pool_t *self)
{
    self->draining = true;
}

void
pool_set_knowledge (pool_t *self, char *knowledge)
{
    free (self->knowledge);
    self->knowledge = knowledge;
}

const char *
pool_knowledge (const pool_t *self)
{
    return self->knowledge;
}

uint32_t
pool_worker_load (const worker_t *worker)
{
    uint32_t load = 0;
    for (uint32_t i = 0; i < MAX_CREDIT; i++)
        if (worker->jobs [i])
            load++;
    return load;
}

int
pool_worker_send (pool_t *self, worker_t *worker, uint8_t *header, size_t size,
                  zframe_t **payloads, size_t count)
{
    worker->last_sent_ms = util_now_ms ();
    return bus_send (worker->sock? worker->sock: self->back, worker->identity, header, size,
                     payloads, count);
}

static restart_config_t
s_restart_config (pool_t *self, const config_component_t *cc)
{
    restart_config_t rc = restart_config_default ();
    rc.stable_ms = (uint64_t) cc->restart.immediate_after_ms;
    rc.backoff_base_ms = (uint64_t) cc->restart.backoff_initial_ms;
    rc.backoff_max_ms = (uint64_t) cc->restart.backoff_max_ms;
    rc.intensity = cc->restart.intensity;
    rc.period_ms = (uint64_t) cc->restart.period_ms;
    rc.probe_ms = (uint64_t) cc->restart.probe_interval_ms;
    rc.start_timeout_ms = (uint64_t) cc->restart.start_timeout_ms;
    rc.seed = backoff_rng_next (&self->rng);
    return rc;
}

static slot_t *
s_slot_new (pool_t *self, component_t *component)
{
    const config_component_t *cc = &self->cfg->components [component->step];
    restart_config_t rc = s_restart_config (self, cc);
    slot_t *slot = calloc (1, sizeof *slot);
    slot_t **slots = realloc (component->slots,
                              (component->slots_count + 1) * sizeof *slots);
    if (!slot || !slots) {
        free (slot);
        if (slots)
            component->slots = slots;
        return NULL;
    }
    component->slots = slots;
    slot->component = component;
    slot->generation = component->generation;
    util_copy (slot->command, sizeof slot->command, component->command);
    slot->policy = restart_new (&rc);
    if (!slot->policy) {
        log_error ("%s: the restart settings are not usable (backoff_initial must not "
                   "exceed backoff_max; intensity at most 1000)", component->name);
        free (slot);
        return NULL;
    }
    component->slots [component->slots_count++] = slot;
    return slot;
}

static void
s_slot_free (component_t *component, slot_t *slot)
{
    for (size_t i = 0; i < component->slots_count; i++)
        if (component->slots [i] == slot) {
            component->slots [i] = component->slots [--component->slots_count];
            break;
        }
    restart_destroy (&slot->policy);
    free (slot);
}

//  The workers' logs, and the components as the config says, each with
//  its slots.
static int
s_init (pool_t *self)
{
    //  Workers' stderr goes to STATE/logs/COMPONENT.log; without that
    //  folder they write on ours, as before.
    char logs [PATH_MAX];
    if (logcap_dir_for (self->state_dir, self->runtime_dir, logs, sizeof logs) == 0)
        self->logcap = logcap_new (logs, self->cfg->log.max_size, self->cfg->log.max_files);
    if (!self->logcap)
        log_warn ("cannot keep the workers' logs in %s: %s; they go to the supervisor's "
                  "stderr", logs, strerror (errno));
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        const config_component_t *cc = &self->cfg->components [c];
        component->name = names_components [c];
        component->step = (step_t) c;
        component->desired = cc->workers;
        //  Only new work is bounded (in the parser's queue, by admission);
        //  work already accepted is never refused at a later step.
        component->queue = pqueue_new (c == STEP_PARSE? self->cfg->queue.capacity: SIZE_MAX / 4);
        breaker_config_t bc = breaker_config_default ();
        bc.failure_threshold = cc->breaker.failures;
        bc.open_ms = (uint64_t) cc->breaker.open_for_ms;
        bc.half_open_trials = cc->breaker.half_open_trials;
        component->breaker = breaker_new (&bc);
        if (!component->queue || !component->breaker)
            return -1;
        if (cc->command && *cc->command)
            util_copy (component->command, sizeof component->command, cc->command);
        else
            snprintf (component->command, sizeof component->command, "%s/readme2ci-%s",
                      self->worker_dir, component->name);
        for (uint32_t i = 0; i < component->desired; i++)
            if (!s_slot_new (self, component))
                return -1;
    }
    return 0;
}

pool_t *
pool_new (const config_t *cfg, const char *runtime_dir, const char *state_dir,
          const char *worker_dir, const char *back_ep, outbox_t *outbox,
          const pool_hooks_t *hooks, uint64_t seed)
{
    pool_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->runtime_dir = runtime_dir;
    self->state_dir = state_dir? state_dir: "";
    self->worker_dir = worker_dir;
    self->back_ep = back_ep;
    self->outbox = outbox;
    self->hooks = *hooks;
    backoff_rng_seed (&self->rng, seed);
    self->workers = zhashx_new ();
    if (!self->workers || s_init (self)) {
        pool_destroy (&self);
        return NULL;
    }
    return self;
}

void
pool_destroy (pool_t **self_p)
{
    pool_t *self = *self_p;
    if (!self)
        return;
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        while (component->workers) {
            worker_t *next = component->workers->next;
            zframe_destroy (&component->workers->identity);
            free (component->workers);
            component->workers = next;
        }
        while (component->slots_count)
            s_slot_free (component, component->slots [0]);
        free (component->slots);
        component->slots = NULL;
        pqueue_destroy (&component->queue);
        breaker_destroy (&component->breaker);
        rollout_destroy (&component->op);
    }
    logcap_destroy (&self->logcap);
    zhashx_destroy (&self->workers);
    free (self->knowledge);
    free (self);
    *self_p = NULL;
}

void
pool_attach (pool_t *self, zloop_t *loop, zsock_t *back, zsock_t *back_tcp, remote_t *remote)
{
    self->loop = loop;
    self->back = back;
    self->back_tcp = back_tcp;
    self->remote = remote;
}

void
pool_start (pool_t *self)
{
    uint64_t now = util_now_ms ();
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        for (size_t i = 0; i < component->slots_count; i++) {
            slot_t *slot = component->slots [i];
            s_slot_act (self, slot, restart_on_start (slot->policy, now));
        }
    }
}

static void
s_breaker_event (pool_t *self, component_t *component, breaker_change_t change)
{
    if (change == BREAKER_NO_CHANGE)
        return;
    json_t *fields = json_pack ("{s:s}", "component", component->name);
    if (change == BREAKER_OPENED)
        json_object_set_new (fields, "open_ms",
                             json_integer ((json_int_t) self->cfg->components [component->step]
                                           .breaker.open_for_ms));
    outbox_event (self->outbox, breaker_change_name (change), fields);
    if (change == BREAKER_OPENED)
        s_tell_unavailable (self, component);
    else
        s_tell_capacity (self, component);
}

void
pool_breaker_result (pool_t *self, component_t *component, bool ok)
{
    uint64_t now = util_now_ms ();
    breaker_change_t change = ok? breaker_success (component->breaker, now)
                                : breaker_failure (component->breaker, now);
    s_breaker_event (self, component, change);
}

bool
pool_available (pool_t *self, component_t *component)
{
    (void) self;
    if (component->fatal)
        return false;
    //  An open breaker whose time is over takes calls again: the next
    //  dispatch moves it to half-open and sends the trial.
    return breaker_state (component->breaker) != BREAKER_OPEN
        || breaker_open_left (component->breaker, util_now_ms ()) == 0;
}

//  A worker's stderr has something to say (or has closed).
static int
s_on_worker_log (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    pool_t *self = arg;
    //  At its end the pipe stays open until the worker's exit is seen
    //  (pool_on_exit closes it), but is no longer watched.
    if (logcap_read (self->logcap, item->fd) != 0)
        zloop_poller_end (loop, item);
    return 0;
}

//  Stops watching a worker's stderr and closes it, after writing what
//  it still holds; its last line goes in last (of size bytes).
static void
s_log_close (pool_t *self, worker_t *worker, char *last, size_t size)
{
    if (last && size)
        last [0] = '\0';
    if (worker->log_fd < 0 || !self->logcap)
        return;
    zmq_pollitem_t item = { NULL, worker->log_fd, ZMQ_POLLIN, 0 };
    if (self->loop)
        zloop_poller_end (self->loop, &item);
    logcap_read (self->logcap, worker->log_fd);
    if (last)
        util_copy (last, size, logcap_last_line (self->logcap, worker->log_fd));
    logcap_close (self->logcap, worker->log_fd);
    worker->log_fd = -1;
}

static worker_t *
s_spawn (pool_t *self, slot_t *slot)
{
    component_t *component = slot->component;
    char credit [16];
    snprintf (credit, sizeof credit, "%u", self->cfg->components [component->step].credit);
    char *argv [] = { slot->command, "--endpoint", (char *) self->back_ep,
                      "--credit", credit, NULL };
    int child_fd = -1;
    int log_fd = self->logcap && self->loop
               ? logcap_open (self->logcap, component->name, &child_fd): -1;
    pid_t pid = spawn_worker (argv, child_fd);
    int saved = errno;
    if (child_fd >= 0)
        close (child_fd);
    if (pid < 0 && log_fd >= 0)
        logcap_close (self->logcap, log_fd);
    errno = saved;
    if (pid < 0) {
        log_error ("cannot start %s: %s", slot->command, strerror (errno));
        exit_record_t *record = &component->exits [component->exits_count++ % EXITS_KEPT];
        *record = (exit_record_t) { .wall_ms = util_wall_ms (), .status = -1 };
        snprintf (record->last_line, sizeof record->last_line, "cannot start %s: %s",
                  slot->command, strerror (errno));
        outbox_event (self->outbox, "component.failure",
                      json_pack ("{s:s, s:s, s:s}", "component", component->name,
                                 "command", slot->command, "reason", strerror (errno)));
        return NULL;
    }
    worker_t *worker = calloc (1, sizeof *worker);
    if (!worker) {
        spawn_signal (pid, SIGKILL);
        if (log_fd >= 0)
            logcap_close (self->logcap, log_fd);
        return NULL;
    }
    worker->component = component;
    worker->slot = slot;
    worker->pid = pid;
    worker->log_fd = log_fd;
    if (log_fd >= 0) {
        logcap_set_pid (self->logcap, log_fd, pid);
        zmq_pollitem_t item = { NULL, log_fd, ZMQ_POLLIN, 0 };
        zloop_poller (self->loop, &item, s_on_worker_log, self);
    }
    worker->state = W_STARTING;
    worker->spawned_ms = util_now_ms ();
    worker->last_heard_ms = worker->spawned_ms;
    util_copy (worker->host, sizeof worker->host, "local");
    worker->next = component->workers;
    component->workers = worker;
    slot->worker = worker;
    outbox_event (self->outbox, "worker.started",
                  json_pack ("{s:s, s:i}", "component", component->name, "pid", (int) pid));
    return worker;
}

static void
s_send_bye (pool_t *self, worker_t *worker)
{
    if (worker->bye_sent)
        return;
    worker->bye_sent = true;
    if (worker->identity) {
        uint8_t *buf;
        size_t size;
        //  A worker on another host is not ours to end: when we stop, it
        //  waits for us to come back.
        wire_bye_t bye = { .reason = "stop" };
        if (worker->remote && (self->stopping || self->draining))
            util_copy (bye.reason, sizeof bye.reason, WIRE_BYE_SUPERVISOR_STOPPING);
        if (wire_bye_encode (&bye, &buf, &size) == 0)
            pool_worker_send (self, worker, buf, size, NULL, 0);
    }
    else
    if (worker->pid > 0 && !worker->remote)
        spawn_signal (worker->pid, SIGTERM);
}

//  Stops a worker gracefully: no new jobs; BYE once it holds none (the
//  drain), SIGTERM after the drain time, SIGKILL after that (pool_tick).
static void
s_worker_stop (pool_t *self, worker_t *worker)
{
    if (worker->state != W_STOPPING) {
        worker->state = W_STOPPING;
        worker->stop_ms = util_now_ms ();
    }
    if (pool_worker_load (worker) == 0)
        s_send_bye (self, worker);
}

void
pool_worker_idle (pool_t *self, worker_t *worker)
{
    if (worker->state == W_STOPPING && pool_worker_load (worker) == 0)
        s_send_bye (self, worker);
}

static void s_op_failed (pool_t *self, component_t *component, const char *why);

//  Does what the restart policy said. Spawn failures are exits: the
//  policy then backs off, so a missing command cannot spin.
static void
s_slot_act (pool_t *self, slot_t *slot, restart_action_t action)
{
    component_t *component = slot->component;
    uint64_t now = util_now_ms ();
    for (int guard = 0; guard < 4; guard++) {
        switch (action.what) {
            case RESTART_DO_SPAWN:
                if (self->stopping || self->draining)
                    return;
                if (s_spawn (self, slot)) {
                    action = restart_on_spawned (slot->policy, now);
                    continue;
                }
                if (component->op && rollout_is_fresh (component->op, slot)) {
                    s_op_failed (self, component, strerror (errno));
                    return;
                }
                action = restart_on_exit (slot->policy, now);
                continue;
            case RESTART_DO_KILL:
                if (slot->worker && slot->worker->pid > 0) {
                    log_warn ("%s pid %d not ready in time: killing it", component->name,
                              (int) slot->worker->pid);
                    slot->worker->killed_by_us = true;
                    spawn_signal (slot->worker->pid, SIGKILL);
                }
                return;
            case RESTART_DO_STOP:
                if (slot->worker)
                    s_worker_stop (self, slot->worker);
                return;
            case RESTART_DO_FATAL:
                component->fatal = true;
                log_error ("%s is FATAL after %u restarts (%s: %s); its breaker is open, "
                           "a probe in %llu s; once fixed, `readme2ci ctl deploy %s`",
                           component->name, (unsigned) restart_count (slot->policy),
                           slot->command, component->last_exit [0]? component->last_exit
                                                                 : "no exit seen",
                           (unsigned long long) ((action.at - now) / 1000), component->name);
                outbox_event (self->outbox, "component.failure",
                              json_pack ("{s:s, s:s, s:I, s:I}", "component", component->name,
                                         "state", names_component_states [COMPONENT_FATAL],
                                         "restarts", (json_int_t) restart_count (slot->policy),
                                         "probe_in_ms", (json_int_t) (action.at - now)));
                s_breaker_event (self, component, breaker_force_open (component->breaker, now));
                s_tell_unavailable (self, component);
                return;
            case RESTART_DO_RECOVERED:
                component->fatal = false;
                s_breaker_event (self, component, breaker_reset (component->breaker, now));
                return;
            default:
                return;
        }
    }
}

//  BYE with reason to a peer that has no worker record.
static void
s_send_bye_to (pool_t *self, zsock_t *sock, zframe_t *identity, const char *reason)
{
    (void) self;
    uint8_t *buf;
    size_t size;
    wire_bye_t bye;
    util_copy (bye.reason, sizeof bye.reason, reason);
    if (wire_bye_encode (&bye, &buf, &size) == 0)
        bus_send (sock, identity, buf, size, NULL, 0);
}

static void s_remote_leave (pool_t *self, worker_t *worker, const char *why);

//  The same worker process (component, host, pid and address) joining on
//  a new connection has left its old one: it reconnected after a network
//  cut or a pause. Its old jobs go elsewhere now rather than after the
//  missed heartbeats; what it still sends for them is dropped.
static void
s_remote_forget_earlier (pool_t *self, component_t *component, const wire_ready_t *ready,
                         const char *address)
{
    worker_t *next;
    for (worker_t *w = component->workers; w; w = next) {
        next = w->next;
        if (w->remote && w->pid == (pid_t) ready->pid && strcmp (w->address, address) == 0
        &&  strcmp (w->host, ready->host [0]? ready->host: "remote") == 0)
            s_remote_leave (self, w, "joined again on a new connection");
    }
}

//  A worker on another host joins its component's pool: it gets jobs and
//  heartbeats like a local one, but we neither spawn nor kill it.
static worker_t *
s_remote_join (pool_t *self, component_t *component, const wire_ready_t *ready,
               zsock_t *sock)
{
    worker_t *worker = calloc (1, sizeof *worker);
    if (!worker)
        return NULL;
    worker->component = component;
    worker->remote = true;
    worker->log_fd = -1;            //  its stderr is on its own host
    worker->sock = sock;
    worker->pid = (pid_t) ready->pid;
    worker->state = W_STARTING;
    worker->spawned_ms = util_now_ms ();
    util_copy (worker->host, sizeof worker->host, ready->host [0]? ready->host: "remote");
    worker->next = component->workers;
    component->workers = worker;
    outbox_event (self->outbox, "worker.started",
                  json_pack ("{s:s, s:i, s:s}", "component", component->name,
                             "pid", (int) worker->pid, "host", worker->host));
    return worker;
}

void
pool_on_ready (pool_t *self, zsock_t *sock, zframe_t *identity, const char *key,
               zframe_t *header)
{
    wire_ready_t ready;
    bool tcp = sock == self->back_tcp;
    char address [64] = "";
    if (tcp)
        remote_peer_address (header, address, sizeof address);
    if (wire_ready_decode (&ready, zframe_data (header), zframe_size (header))) {
        if (tcp) {
            char limit_key [96];
            snprintf (limit_key, sizeof limit_key, "%s|ready", address);
            remote_report (self->remote, "worker.refused", limit_key,
                           json_pack ("{s:s, s:s}", "endpoint", "workers", "address", address),
                           "a worker at %s sent a malformed READY: dropped", address);
        }
        else {
            char peer [96];
            remote_peer_name ("worker connection", identity, header, peer, sizeof peer);
            remote_malformed (self->remote, peer, "dropped a malformed READY from %s", peer);
        }
        return;
    }
    component_t *component = pool_component (self, ready.component);
    if (!component) {
        if (tcp) {
            char limit_key [96];
            snprintf (limit_key, sizeof limit_key, "%s|component", address);
            remote_report (self->remote, "worker.refused", limit_key,
                           json_pack ("{s:s, s:s, s:s, s:i}", "endpoint", "workers",
                                      "address", address, "host", ready.host,
                                      "pid", (int) ready.pid),
                           "a worker at %s (%s pid %u) says it is a '%s', which this "
                           "supervisor does not have (parser, detector, generator): "
                           "told to go", address, ready.host, ready.pid, ready.component);
            s_send_bye_to (self, sock, identity, "unknown component");
        }
        else
            log_warn ("READY from unknown component '%s'", ready.component);
        return;
    }
    worker_t *worker = NULL;
    if (tcp) {
        if (zhashx_lookup (self->workers, key))
            return;                 //  one READY per connection
        s_remote_forget_earlier (self, component, &ready, address);
        worker = s_remote_join (self, component, &ready, sock);
        if (worker) {
            const char *peer_key = security_frame_key (header);
            util_copy (worker->address, sizeof worker->address, address);
            util_copy (worker->peer_key, sizeof worker->peer_key, peer_key? peer_key: "");
        }
    }
    else
        for (worker_t *w = component->workers; w; w = w->next)
            if (!w->remote && w->pid == (pid_t) ready.pid && !w->identity)
                worker = w;
    if (!worker) {
        log_warn ("READY from %s pid %u that this supervisor did not start; ignored",
                  ready.component, ready.pid);
        return;
    }
    worker->sock = sock;
    worker->identity = zframe_dup (identity);
    util_copy (worker->key, sizeof worker->key, key);
    uint64_t now = util_now_ms ();
    worker->state = worker->state == W_STOPPING? W_STOPPING: W_READY;
    worker->ready_ms = now;
    worker->last_heard_ms = now;
    worker->credit = ready.credit < MAX_CREDIT? ready.credit: MAX_CREDIT;
    zhashx_insert (self->workers, worker->key, worker);
    //  The worker follows our settings (heartbeats, CI knowledge), not its
    //  own defaults: remote workers too.
    pool_send_settings (self, worker);
    outbox_event (self->outbox, "worker.ready",
                  json_pack ("{s:s, s:i, s:i, s:s}", "component", component->name,
                             "pid", (int) worker->pid, "credit", (int) worker->credit,
                             "host", worker->host));
    if (worker->slot) {
        worker->slot->ever_ready = true;
        s_slot_act (self, worker->slot, restart_on_ready (worker->slot->policy, now));
    }
    if (worker->state == W_STOPPING)
        s_worker_stop (self, worker);
    if (component->op && rollout_is_fresh (component->op, worker->slot))
        s_op_advance (self, component);
    s_tell_capacity (self, component);
}

//  Unlinks a worker that has exited and frees it.
static void
s_worker_free (pool_t *self, worker_t *worker)
{
    component_t *component = worker->component;
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

//  A remote worker is gone (BYE, or silence): its jobs go elsewhere.
static void
s_remote_leave (pool_t *self, worker_t *worker, const char *why)
{
    outbox_event (self->outbox, "worker.exited",
                  json_pack ("{s:s, s:i, s:s, s:s}", "component", worker->component->name,
                             "pid", (int) worker->pid, "host", worker->host, "reason", why));
    s_tell_jobs_lost (self, worker, why, false);
    s_worker_free (self, worker);
    s_tell_capacity (self, NULL);
}

void
pool_remote_drop (pool_t *self, worker_t *worker, const char *why)
{
    if (!worker->remote)
        return;
    if (worker->identity && !worker->bye_sent) {
        worker->bye_sent = true;
        s_send_bye_to (self, worker->sock, worker->identity, WIRE_BYE_REJOIN);
    }
    s_remote_leave (self, worker, why);
}

void
pool_worker_broken (pool_t *self, worker_t *worker, const char *why)
{
    component_t *component = worker->component;
    outbox_event (self->outbox, "component.failure",
                  json_pack ("{s:s, s:i, s:s, s:s}", "component", component->name,
                             "pid", (int) worker->pid, "host", worker->host, "reason", why));
    if (worker->remote) {
        log_warn ("%s pid %d on %s: %s: dropped", component->name, (int) worker->pid,
                  worker->host, why);
        pool_remote_drop (self, worker, why);
        return;
    }
    if (worker->killed_by_us || worker->pid <= 0)
        return;
    log_warn ("%s pid %d: %s: killing it", component->name, (int) worker->pid, why);
    worker->killed_by_us = true;
    spawn_signal (worker->pid, SIGKILL);
}

void
pool_drop_revoked (pool_t *self)
{
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        worker_t *next;
        for (worker_t *w = self->components [c].workers; w; w = next) {
            next = w->next;
            remote_worker_t peer = { .component = w->component->name, .pid = w->pid,
                                     .host = w->host, .address = w->address,
                                     .peer_key = w->peer_key };
            if (w->remote && remote_worker_revoked (self->remote, &peer))
                pool_remote_drop (self, w, "key no longer authorised");
        }
    }
}

void
pool_on_bye (pool_t *self, worker_t *worker)
{
    if (worker->remote)
        s_remote_leave (self, worker, "said goodbye");
}

void
pool_on_exit (pool_t *self, pid_t pid, int status)
{
    worker_t *worker = NULL;
    for (int c = 0; c < COMPONENT_COUNT && !worker; c++)
        for (worker_t *w = self->components [c].workers; w; w = w->next)
            if (!w->remote && w->pid == pid)
                worker = w;
    if (!worker)
        return;
    component_t *component = worker->component;
    slot_t *slot = worker->slot;
    json_t *fields = json_pack ("{s:s, s:i}", "component", component->name, "pid", (int) pid);
    char why [64];
    bool outside_kill = false;
    if (WIFEXITED (status)) {
        json_object_set_new (fields, "status", json_integer (WEXITSTATUS (status)));
        snprintf (why, sizeof why, "exit status %d", WEXITSTATUS (status));
    }
    else {
        json_object_set_new (fields, "signal", json_integer (WTERMSIG (status)));
        snprintf (why, sizeof why, "killed by signal %d", WTERMSIG (status));
        outside_kill = WTERMSIG (status) == SIGKILL && !worker->killed_by_us;
    }
    outbox_event (self->outbox, "worker.exited", fields);
    spawn_reap_group (pid);
    snprintf (component->last_exit, sizeof component->last_exit, "%s%s", why,
              worker->ready_ms == 0? ", before it was ready": "");
    char last_line [240];
    s_log_close (self, worker, last_line, sizeof last_line);
    if (worker->state != W_STOPPING && !self->stopping && !self->draining) {
        exit_record_t *record = &component->exits [component->exits_count++ % EXITS_KEPT];
        *record = (exit_record_t) {
            .wall_ms = util_wall_ms (), .pid = pid,
            .status = WIFEXITED (status)? WEXITSTATUS (status): -1,
            .signal = WIFSIGNALED (status)? WTERMSIG (status): 0,
            .was_ready = worker->ready_ms != 0, .killed_by_us = worker->killed_by_us,
        };
        util_copy (record->last_line, sizeof record->last_line, last_line);
    }

    //  A job that has already crashed a worker and is held again when
    //  this one dies is the likelier cause: the exit is blamed on it, not
    //  counted against the component. A SIGKILL from outside is no one's
    //  fault: the job goes back without counting toward poison.
    bool had_jobs = pool_worker_load (worker) > 0;
    bool expected = worker->state == W_STOPPING || self->stopping;
    bool never_ready = worker->ready_ms == 0;
    bool blame = s_tell_jobs_lost (self, worker, why, !outside_kill && !expected);
    s_worker_free (self, worker);
    if (!slot)
        return;
    slot->worker = NULL;
    uint64_t now = util_now_ms ();
    if (component->op && rollout_is_fresh (component->op, slot) && never_ready && !expected) {
        char reason [128];
        snprintf (reason, sizeof reason, "exited before it was ready (%s)", why);
        s_op_failed (self, component, reason);
        s_tell_capacity (self, NULL);
        return;
    }
    if (slot->retiring) {
        restart_on_exit (slot->policy, now);
        s_slot_free (component, slot);
        s_tell_capacity (self, NULL);
        return;
    }
    if (self->stopping || self->draining) {
        restart_on_exit (slot->policy, now);
        return;
    }
    if (!expected)
        component->restarts++;
    if (had_jobs && !expected && !blame && !outside_kill)
        pool_breaker_result (self, component, false);
    if (blame && !expected) {
        //  Respawn as after a clean stop: no backoff, no intensity count.
        restart_on_stop (slot->policy, now);
        restart_on_exit (slot->policy, now);
        s_slot_act (self, slot, restart_on_start (slot->policy, now));
    }
    else
        s_slot_act (self, slot, restart_on_exit (slot->policy, now));
    s_tell_capacity (self, NULL);
}

void
pool_tick (pool_t *self, uint64_t now)
{
    if (self->logcap) {
        logcap_set_limits (self->logcap, self->cfg->log.max_size, self->cfg->log.max_files);
        logcap_tick (self->logcap, now);
    }
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        const config_heartbeat_t *hb = &self->cfg->components [c].heartbeat;
        worker_t *next;
        for (worker_t *w = component->workers; w; w = next) {
            next = w->next;
            uint64_t interval = (uint64_t) (w->remote? hb->tcp_interval_ms: hb->interval_ms);
            uint64_t dead_after = interval * hb->liveness;
            if (w->remote) {
                if (w->identity && now - w->last_sent_ms >= interval) {
                    uint8_t *buf;
                    size_t size;
                    if (wire_heartbeat_encode (&buf, &size) == 0)
                        pool_worker_send (self, w, buf, size, NULL, 0);
                }
                if (now - w->last_heard_ms > dead_after) {
                    log_warn ("%s on %s silent for %llu ms: dropped", component->name, w->host,
                              (unsigned long long) (now - w->last_heard_ms));
                    s_remote_leave (self, w, "missed heartbeats");
                }
                continue;
            }
            if (w->identity && w->state != W_STOPPING
            &&  now - w->last_sent_ms >= interval) {
                uint8_t *buf;
                size_t size;
                if (wire_heartbeat_encode (&buf, &size) == 0)
                    pool_worker_send (self, w, buf, size, NULL, 0);
            }
            if (w->state == W_STOPPING && w->pid > 0 && !self->stopping) {
                //  A drain that takes too long: TERM, then KILL.
                uint64_t drain = (uint64_t) self->cfg->stop.drain_timeout_ms;
                uint64_t grace = (uint64_t) self->cfg->stop.kill_after_ms;
                if (!w->signalled && now - w->stop_ms > drain) {
                    w->signalled = true;
                    spawn_signal (w->pid, SIGTERM);
                }
                else
                if (w->signalled && !w->killed_by_us && now - w->stop_ms > drain + grace) {
                    w->killed_by_us = true;
                    spawn_signal (w->pid, SIGKILL);
                }
            }
            if (w->identity && w->pid > 0 && !w->killed_by_us && !self->terminated
            &&  now - w->last_heard_ms > dead_after) {
                log_warn ("%s pid %d silent for %llu ms: killing it", component->name,
                          (int) w->pid, (unsigned long long) (now - w->last_heard_ms));
                outbox_event (self->outbox, "component.failure",
                              json_pack ("{s:s, s:i, s:s}", "component", component->name,
                                         "pid", (int) w->pid, "reason", "missed heartbeats"));
                w->killed_by_us = true;
                spawn_signal (w->pid, SIGKILL);
            }
        }
        for (size_t i = 0; i < component->slots_count; i++) {
            slot_t *slot = component->slots [i];
            if (now >= restart_next_deadline (slot->policy))
                s_slot_act (self, slot, restart_on_timer (slot->policy, now));
        }
    }
}

bool
pool_no_workers (pool_t *self)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        if (self->components [c].workers)
            return false;
    return true;
}

void
pool_stop_all (pool_t *self)
{
    self->stopping = true;
    uint64_t now = util_now_ms ();
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        for (size_t i = 0; i < component->slots_count; i++)
            restart_on_stop (component->slots [i]->policy, now);
        worker_t *next;
        for (worker_t *w = component->workers; w; w = next) {
            next = w->next;
            s_worker_stop (self, w);
            if (w->remote) {
                //  Told we stop (even with jobs in flight, which the
                //  journal keeps for our return); not ours to wait for.
                s_tell_jobs_lost (self, w, "supervisor stopping", false);
                s_send_bye (self, w);
                s_worker_free (self, w);
            }
        }
    }
}

void
pool_signal_all (pool_t *self, int signo)
{
    self->terminated = true;
    for (int c = 0; c < COMPONENT_COUNT; c++)
        for (worker_t *w = self->components [c].workers; w; w = w->next)
            if (w->pid > 0 && !w->remote)
                spawn_signal (w->pid, signo);
}

int
pool_restart (pool_t *self, component_t *component, char *err, size_t size)
{
    if (self->draining) {
        snprintf (err, size, "the supervisor is shutting down");
        return -1;
    }
    //  Every slot at once: for a component that is FATAL (or has no
    //  worker that works), there is nothing to keep running meanwhile.
    uint64_t now = util_now_ms ();
    component->fatal = false;
    s_breaker_event (self, component, breaker_reset (component->breaker, now));
    for (size_t i = 0; i < component->slots_count; i++) {
        slot_t *slot = component->slots [i];
        s_slot_act (self, slot, restart_on_operator (slot->policy, now));
    }
    return 0;
}

//  Appends to text (of size bytes) what an operation does not do to the
//  component's workers on other hosts, which the supervisor neither
//  starts nor stops: " ; N worker(s) on other hosts (HOST, ...) WHAT".
static void
s_remote_note (const component_t *component, char *text, size_t size, const char *what)
{
    size_t count = 0, length = strlen (text);
    char hosts [160] = "";
    for (const worker_t *w = component->workers; w; w = w->next) {
        if (!w->remote)
            continue;
        if (count < 3) {
            size_t used = strlen (hosts);
            snprintf (hosts + used, sizeof hosts - used, "%s%s", count? ", ": "", w->host);
        }
        count++;
    }
    if (count && length < size)
        snprintf (text + length, size - length, "; %zu worker(s) on other hosts (%s%s) %s",
                  count, hosts, count > 3? ", ...": "", what);
}

static size_t
s_live_slots (const component_t *component)
{
    size_t live = 0;
    for (size_t i = 0; i < component->slots_count; i++)
        if (!component->slots [i]->retiring)
            live++;
    return live;
}

//  Lets a slot go: its worker drains and stops, then the slot is freed.
static void
s_slot_retire (pool_t *self, slot_t *slot)
{
    slot->retiring = true;
    restart_on_stop (slot->policy, util_now_ms ());
    if (slot->worker)
        s_worker_stop (self, slot->worker);
    else
        s_slot_free (slot->component, slot);
}

static void
s_op_event (pool_t *self, component_t *component, const char *operation, bool ok,
            const char *reason)
{
    outbox_event (self->outbox,
                  ok? "component.operation.success": "component.operation.failed",
                  json_pack ("{s:s, s:s, s:s, s:i, s:s}", "component", component->name,
                             "operation", operation, "reason", reason,
                             "desired", (int) component->desired,
                             "command", component->command));
}

int
pool_scale (pool_t *self, component_t *component, uint32_t count, char *err, size_t size)
{
    if (self->draining) {
        snprintf (err, size, "the supervisor is shutting down");
        return -1;
    }
    if (component->op) {
        snprintf (err, size, "a rolling %s of %s is running; try when it ends",
                  rollout_name (component->op), component->name);
        return -1;
    }
    if (count > 256) {
        snprintf (err, size, "at most 256 workers, not %u", count);
        return -1;
    }
    uint64_t now = util_now_ms ();
    while (s_live_slots (component) < count) {
        slot_t *slot = s_slot_new (self, component);
        if (!slot) {
            snprintf (err, size, "out of memory");
            return -1;
        }
        s_slot_act (self, slot, restart_on_start (slot->policy, now));
    }
    //  Shrink: idle and unready workers go first.
    while (s_live_slots (component) > count) {
        slot_t *victim = NULL;
        uint32_t victim_load = UINT32_MAX;
        for (size_t i = 0; i < component->slots_count; i++) {
            slot_t *slot = component->slots [i];
            if (slot->retiring)
                continue;
            uint32_t load = slot->worker? pool_worker_load (slot->worker): 0;
            if (!slot->worker || slot->worker->state != W_READY)
                load = 0;
            if (load < victim_load) {
                victim = slot;
                victim_load = load;
            }
        }
        s_slot_retire (self, victim);
    }
    component->desired = count;
    if (count > 0 && component->fatal)
        pool_restart (self, component, err, size);
    snprintf (err, size, "%s scaled to %u worker(s)", component->name, count);
    s_remote_note (component, err, size, "are not counted and keep serving");
    s_op_event (self, component, names_ctl [CTL_SCALE].verb, true, err);
    s_tell_capacity (self, NULL);
    return 0;
}

int
pool_stop (pool_t *self, component_t *component, char *err, size_t size)
{
    uint32_t before = component->desired;
    if (pool_scale (self, component, 0, err, size))
        return -1;
    if (before > 0)
        component->last_desired = before;
    snprintf (err, size, "%s stopped (its workers drain first)", component->name);
    s_remote_note (component, err, size, "keep serving: stop them on their hosts");
    return 0;
}

int
pool_deploy (pool_t *self, component_t *component, char *err, size_t size)
{
    if (component->fatal && component->desired > 0) {
        if (pool_restart (self, component, err, size))
            return -1;
        snprintf (err, size, "%s restarted from FATAL", component->name);
        return 0;
    }
    if (component->desired > 0) {
        snprintf (err, size, "%s already runs %u worker(s)", component->name, component->desired);
        return 0;
    }
    uint32_t count = component->last_desired? component->last_desired: 1;
    if (pool_scale (self, component, count, err, size))
        return -1;
    snprintf (err, size, "%s deployed with %u worker(s)", component->name, count);
    return 0;
}

static void
s_op_end (pool_t *self, component_t *component, int code, const char *message)
{
    rollout_t *op = component->op;
    if (rollout_client (op))
        outbox_reply_held (self->outbox, rollout_client (op), rollout_req_id (op), code, "",
                           message, false, false, NULL, 0);
    rollout_destroy (&component->op);
}

static void
s_op_failed (pool_t *self, component_t *component, const char *why)
{
    rollout_t *op = component->op;
    slot_t *fresh = rollout_take_fresh (op);
    if (fresh)
        s_slot_retire (self, fresh);
    char message [512];
    rollout_failed_text (op, component->name, why, message, sizeof message);
    log_warn ("%s", message);
    s_op_event (self, component, rollout_name (op), false, message);
    s_op_end (self, component, EXIT_UNAVAILABLE, message);
}

//  The next step of a rolling operation: start one new worker, or end.
static void
s_op_next (pool_t *self, component_t *component)
{
    rollout_t *op = component->op;
    if (rollout_finished (op)) {
        util_copy (component->command, sizeof component->command, rollout_command (op));
        char message [512];
        rollout_done_text (op, component->name, message, sizeof message);
        s_remote_note (component, message, sizeof message,
                       "are not replaced: restart them on their hosts");
        s_op_event (self, component, rollout_name (op), true, message);
        s_op_end (self, component, EXIT_OK, message);
        return;
    }
    slot_t *slot = s_slot_new (self, component);
    if (!slot) {
        s_op_failed (self, component, "out of memory");
        return;
    }
    util_copy (slot->command, sizeof slot->command, rollout_command (op));
    rollout_set_fresh (op, slot);
    s_slot_act (self, slot, restart_on_start (slot->policy, util_now_ms ()));
}

//  The new worker is ready: let one old worker go, then start the next.
static void
s_op_advance (pool_t *self, component_t *component)
{
    rollout_take_fresh (component->op);
    for (size_t i = 0; i < component->slots_count; i++) {
        slot_t *slot = component->slots [i];
        if (!slot->retiring && slot->generation < component->generation) {
            s_slot_retire (self, slot);
            break;
        }
    }
    rollout_replaced_one (component->op);
    s_op_next (self, component);
}

int
pool_update (pool_t *self, component_t *component, const char *command,
             zframe_t *client, uint64_t req_id, char *err, size_t size)
{
    if (self->draining) {
        snprintf (err, size, "the supervisor is shutting down");
        return -1;
    }
    if (component->op) {
        snprintf (err, size, "a rolling %s of %s is running already",
                  rollout_name (component->op), component->name);
        return -1;
    }
    if (component->desired == 0) {
        snprintf (err, size, "%s has no local workers: deploy it first", component->name);
        s_remote_note (component, err, size,
                       "are not the supervisor's to replace: restart them on their hosts");
        return -1;
    }
    if (command && access (command, X_OK)) {
        snprintf (err, size, "%s: %s", command, strerror (errno));
        return -1;
    }
    component->op = rollout_new (names_ctl [command? CTL_UPDATE: CTL_RESTART].verb,
                                 command? command: component->command,
                                 s_live_slots (component), client, req_id);
    if (!component->op) {
        snprintf (err, size, "out of memory");
        return -1;
    }
    component->generation++;
    s_op_next (self, component);
    return 0;
}

void
pool_send_settings (pool_t *self, worker_t *worker)
{
    const config_heartbeat_t *hb = &self->cfg->components [worker->component->step].heartbeat;
    wire_settings_t settings = {
        .hb_ivl_ms = (uint32_t) (worker->remote? hb->tcp_interval_ms: hb->interval_ms),
        .hb_liveness = hb->liveness,
        .knowledge = self->knowledge,
    };
    uint8_t *buf;
    size_t size;
    if (wire_settings_encode (&settings, &buf, &size) == 0)
        pool_worker_send (self, worker, buf, size, NULL, 0);
    else
        log_error ("cannot encode SETTINGS for %s pid %d: %s", worker->component->name,
                   (int) worker->pid, strerror (errno));
}

workflow_t *
pool_only_job (const worker_t *worker)
{
    workflow_t *only = NULL;
    for (uint32_t i = 0; i < MAX_CREDIT; i++)
        if (worker->jobs [i]) {
            if (only)
                return NULL;
            only = worker->jobs [i];
        }
    return only;
}

void
pool_note_latency (component_t *component, uint64_t us)
{
    component->latency_us [component->latency_count++ % 256] =
        us > UINT32_MAX? UINT32_MAX: (uint32_t) us;
}

static int
s_compare_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y? -1: x > y;
}

uint64_t
pool_latency (const component_t *component, int percentile)
{
    size_t count = component->latency_count < 256? component->latency_count: 256;
    if (count == 0)
        return 0;
    uint32_t sorted [256];
    memcpy (sorted, component->latency_us, count * sizeof sorted [0]);
    qsort (sorted, count, sizeof sorted [0], s_compare_u32);
    size_t index = (count * (size_t) percentile + 99) / 100;
    return sorted [index? index - 1: 0];
}

//  At start, before any worker runs: operators' choices from the journal
//  (worker counts, stopped components, updated commands) win over the
//  config.
static void
s_set_desired (pool_t *self, component_t *component, uint32_t desired)
{
    if (component->desired > 0 && desired == 0)
        component->last_desired = component->desired;
    component->desired = desired;
    while (component->slots_count)
        s_slot_free (component, component->slots [0]);
    for (uint32_t i = 0; i < component->desired; i++)
        s_slot_new (self, component);
}

void
pool_replay_event (pool_t *self, const event_t *event)
{
    if (strcmp (event->type, "system.snapshot") == 0) {
        //  A snapshot made by `maintain cleanup` carries the counts that
        //  the operations before it had set.
        for (int c = 0; c < COMPONENT_COUNT; c++) {
            char key [64];
            int64_t desired;
            snprintf (key, sizeof key, "desired:%s", self->components [c].name);
            if (event_get_int (event, key, &desired) == 0 && desired >= 0 && desired <= 256
            &&  (uint32_t) desired != self->components [c].desired)
                s_set_desired (self, &self->components [c], (uint32_t) desired);
        }
        return;
    }
    if (strcmp (event->type, "component.operation.success") != 0)
        return;
    const char *name = event_get_str (event, "component");
    component_t *component = name? pool_component (self, name): NULL;
    int64_t desired;
    if (!component || event_get_int (event, "desired", &desired) || desired < 0 || desired > 256)
        return;
    const char *command = event_get_str (event, "command");
    if (command && *command)
        util_copy (component->command, sizeof component->command, command);
    s_set_desired (self, component, (uint32_t) desired);
}

const char *
pool_component_state (pool_t *self, component_t *component)
{
    (void) self;
    if (component->fatal)
        return names_component_states [COMPONENT_FATAL];
    uint32_t ready = 0;
    for (worker_t *w = component->workers; w; w = w->next)
        if (w->state == W_READY)
            ready++;
    //  With no local workers wanted, workers on other hosts may still
    //  do the work (a pool made only of them): it runs while one is ready.
    if (component->desired == 0)
        return names_component_states [ready > 0? COMPONENT_RUNNING: COMPONENT_STOPPED];
    return names_component_states [ready >= component->desired? COMPONENT_RUNNING
                                                              : COMPONENT_STARTING];
}

json_t *
pool_exits_json (const component_t *component)
{
    json_t *exits = json_array ();
    size_t kept = component->exits_count < EXITS_KEPT? component->exits_count: EXITS_KEPT;
    for (size_t k = 0; k < kept; k++) {
        const exit_record_t *record =
            &component->exits [(component->exits_count - 1 - k) % EXITS_KEPT];
        char stamp [40];
        time_t seconds = (time_t) (record->wall_ms / 1000);
        struct tm tm;
        gmtime_r (&seconds, &tm);
        snprintf (stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                  tm.tm_sec, (unsigned) (record->wall_ms % 1000));
        json_t *entry = json_pack ("{s:s, s:i, s:b, s:b}", "time", stamp,
                                   "pid", (int) record->pid, "was_ready", record->was_ready,
                                   "killed_by_supervisor", record->killed_by_us);
        if (record->pid == 0)
            json_object_set_new (entry, "spawn_failed", json_true ());
        else
        if (record->signal) {
            json_object_set_new (entry, "signal", json_integer (record->signal));
            const char *name = sigabbrev_np (record->signal);
            char full [32];
            snprintf (full, sizeof full, "SIG%s", name? name: "?");
            json_object_set_new (entry, "signal_name", json_string (full));
        }
        else
            json_object_set_new (entry, "status", json_integer (record->status));
        //  What a worker wrote need not be UTF-8: JSON gets it as ASCII.
        char line [sizeof record->last_line];
        size_t n = 0;
        for (const char *p = record->last_line; *p && n + 1 < sizeof line; p++)
            line [n++] = (unsigned char) *p < 0x20 || (unsigned char) *p > 0x7e? '?': *p;
        line [n] = '\0';
        json_object_set_new (entry, "last_line", json_string (line));
        json_array_append_new (exits, entry);
    }
    return exits;
}
