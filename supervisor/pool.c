/*  supervisor/pool.c - the pools of worker processes: one per component,
    each a set of slots with a restart policy (common/restart) and one
    circuit breaker (common/breaker) for the component. Spawns, watches
    READY and exits, kills the silent, and restarts as the policy says.  */
#include "supervisor/server_priv.h"

#include "common/util.h"
#include "supervisor/log.h"
#include "supervisor/spawn.h"
#include "workers/bus.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const s_component_names [] = { "parser", "detector", "generator" };

static void s_slot_act (server_t *self, slot_t *slot, restart_action_t action);

component_t *
pool_component (server_t *self, const char *name)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        if (strcmp (self->components [c].name, name) == 0)
            return &self->components [c];
    return NULL;
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
pool_worker_send (server_t *self, worker_t *worker, uint8_t *header, size_t size,
                  zframe_t **payloads, size_t count)
{
    worker->last_sent_ms = util_now_ms ();
    return bus_send (self->back, worker->identity, header, size, payloads, count);
}

static restart_config_t
s_restart_config (server_t *self, const config_component_t *cc)
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
s_slot_new (server_t *self, component_t *component)
{
    const config_component_t *cc = &self->cfg.components [component->step];
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

int
pool_init (server_t *self)
{
    backoff_rng_seed (&self->rng, util_wall_ms () ^ (uint64_t) getpid ());
    self->workers = zhashx_new ();
    if (!self->workers)
        return -1;
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        const config_component_t *cc = &self->cfg.components [c];
        component->name = s_component_names [c];
        component->step = (step_t) c;
        component->desired = cc->workers;
        //  Only new work is bounded (in the parser's queue, by admission);
        //  work already accepted is never refused at a later step.
        component->queue = pqueue_new (c == STEP_PARSE? self->cfg.queue.capacity: SIZE_MAX / 4);
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

void
pool_destroy (server_t *self)
{
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
    }
}

void
pool_start (server_t *self)
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
s_breaker_event (server_t *self, component_t *component, breaker_change_t change)
{
    if (change == BREAKER_NO_CHANGE)
        return;
    json_t *fields = json_pack ("{s:s}", "component", component->name);
    if (change == BREAKER_OPENED)
        json_object_set_new (fields, "open_ms",
                             json_integer ((json_int_t) self->cfg.components [component->step]
                                           .breaker.open_for_ms));
    server_event (self, breaker_change_name (change), fields);
    if (change == BREAKER_OPENED)
        flow_fail_unavailable (self, component);
    else
        flow_dispatch (self, component);
}

void
pool_breaker_result (server_t *self, component_t *component, bool ok)
{
    uint64_t now = util_now_ms ();
    breaker_change_t change = ok? breaker_success (component->breaker, now)
                                : breaker_failure (component->breaker, now);
    s_breaker_event (self, component, change);
}

bool
pool_available (server_t *self, component_t *component)
{
    (void) self;
    if (component->desired == 0 || component->fatal)
        return false;
    //  An open breaker whose time is over takes calls again: the next
    //  dispatch moves it to half-open and sends the trial.
    return breaker_state (component->breaker) != BREAKER_OPEN
        || breaker_open_left (component->breaker, util_now_ms ()) == 0;
}

static worker_t *
s_spawn (server_t *self, slot_t *slot)
{
    component_t *component = slot->component;
    char credit [16];
    snprintf (credit, sizeof credit, "%u", self->cfg.components [component->step].credit);
    char *argv [] = { component->command, "--endpoint", self->back_ep,
                      "--credit", credit, NULL };
    pid_t pid = spawn_worker (argv);
    if (pid < 0) {
        log_error ("cannot start %s: %s", component->command, strerror (errno));
        server_event (self, "component.failure",
                      json_pack ("{s:s, s:s, s:s}", "component", component->name,
                                 "command", component->command, "reason", strerror (errno)));
        return NULL;
    }
    worker_t *worker = calloc (1, sizeof *worker);
    if (!worker) {
        kill (pid, SIGKILL);
        return NULL;
    }
    worker->component = component;
    worker->slot = slot;
    worker->pid = pid;
    worker->state = W_STARTING;
    worker->spawned_ms = util_now_ms ();
    worker->last_heard_ms = worker->spawned_ms;
    util_copy (worker->host, sizeof worker->host, "local");
    worker->next = component->workers;
    component->workers = worker;
    slot->worker = worker;
    server_event (self, "worker.started",
                  json_pack ("{s:s, s:i}", "component", component->name, "pid", (int) pid));
    return worker;
}

static void
s_worker_stop (server_t *self, worker_t *worker)
{
    if (worker->state == W_STOPPING)
        return;
    worker->state = W_STOPPING;
    if (worker->identity) {
        uint8_t *buf;
        size_t size;
        wire_bye_t bye = { .reason = "stop" };
        if (wire_bye_encode (&bye, &buf, &size) == 0)
            pool_worker_send (self, worker, buf, size, NULL, 0);
    }
    else
    if (worker->pid > 0)
        kill (worker->pid, SIGTERM);
}

//  Does what the restart policy said. Spawn failures are exits: the
//  policy then backs off, so a missing command cannot spin.
static void
s_slot_act (server_t *self, slot_t *slot, restart_action_t action)
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
                action = restart_on_exit (slot->policy, now);
                continue;
            case RESTART_DO_KILL:
                if (slot->worker && slot->worker->pid > 0) {
                    log_warn ("%s pid %d not ready in time: killing it", component->name,
                              (int) slot->worker->pid);
                    slot->worker->killed_by_us = true;
                    kill (slot->worker->pid, SIGKILL);
                }
                return;
            case RESTART_DO_STOP:
                if (slot->worker)
                    s_worker_stop (self, slot->worker);
                return;
            case RESTART_DO_FATAL:
                component->fatal = true;
                server_event (self, "component.failure",
                              json_pack ("{s:s, s:s, s:I, s:I}", "component", component->name,
                                         "state", "fatal",
                                         "restarts", (json_int_t) restart_count (slot->policy),
                                         "probe_in_ms", (json_int_t) (action.at - now)));
                s_breaker_event (self, component, breaker_force_open (component->breaker, now));
                flow_fail_unavailable (self, component);
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

void
pool_on_ready (server_t *self, zframe_t *identity, const char *key, zframe_t *header)
{
    wire_ready_t ready;
    if (wire_ready_decode (&ready, zframe_data (header), zframe_size (header))) {
        log_warn ("dropped a malformed READY");
        return;
    }
    component_t *component = pool_component (self, ready.component);
    if (!component) {
        log_warn ("READY from unknown component '%s'", ready.component);
        return;
    }
    worker_t *worker = NULL;
    for (worker_t *w = component->workers; w; w = w->next)
        if (w->pid == (pid_t) ready.pid && !w->identity)
            worker = w;
    if (!worker) {
        log_warn ("READY from %s pid %u that this supervisor did not start; ignored",
                  ready.component, ready.pid);
        return;
    }
    worker->identity = zframe_dup (identity);
    util_copy (worker->key, sizeof worker->key, key);
    uint64_t now = util_now_ms ();
    worker->state = worker->state == W_STOPPING? W_STOPPING: W_READY;
    worker->ready_ms = now;
    worker->last_heard_ms = now;
    worker->credit = ready.credit < MAX_CREDIT? ready.credit: MAX_CREDIT;
    zhashx_insert (self->workers, worker->key, worker);
    //  The worker follows our heartbeat settings, not its own defaults.
    const config_heartbeat_t *hb = &self->cfg.components [component->step].heartbeat;
    wire_settings_t settings = { .hb_ivl_ms = (uint32_t) hb->interval_ms,
                                 .hb_liveness = hb->liveness };
    uint8_t *buf;
    size_t size;
    if (wire_settings_encode (&settings, &buf, &size) == 0)
        pool_worker_send (self, worker, buf, size, NULL, 0);
    server_event (self, "worker.ready",
                  json_pack ("{s:s, s:i, s:i}", "component", component->name,
                             "pid", (int) worker->pid, "credit", (int) worker->credit));
    if (worker->slot)
        s_slot_act (self, worker->slot, restart_on_ready (worker->slot->policy, now));
    if (worker->state == W_STOPPING)
        s_worker_stop (self, worker);
    flow_dispatch (self, component);
}

//  Unlinks a worker that has exited and frees it.
static void
s_worker_free (server_t *self, worker_t *worker)
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

void
pool_on_exit (server_t *self, pid_t pid, int status)
{
    worker_t *worker = NULL;
    for (int c = 0; c < COMPONENT_COUNT && !worker; c++)
        for (worker_t *w = self->components [c].workers; w; w = w->next)
            if (w->pid == pid)
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
    server_event (self, "worker.exited", fields);

    //  A job that has already crashed a worker and is held again when
    //  this one dies is the likelier cause: the exit is blamed on it, not
    //  counted against the component. A SIGKILL from outside is no one's
    //  fault: the job goes back without counting toward poison.
    workflow_t *oldest = flow_oldest_job (worker);
    bool blame = oldest && oldest->crashes > 0;
    bool had_jobs = pool_worker_load (worker) > 0;
    bool expected = worker->state == W_STOPPING || self->stopping;
    flow_requeue_jobs (self, worker, why, !outside_kill);
    s_worker_free (self, worker);
    if (!slot)
        return;
    slot->worker = NULL;
    uint64_t now = util_now_ms ();
    if (slot->retiring) {
        restart_on_exit (slot->policy, now);
        s_slot_free (component, slot);
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
    flow_dispatch_all (self);
}

void
pool_tick (server_t *self, uint64_t now)
{
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
                    pool_worker_send (self, w, buf, size, NULL, 0);
            }
            if (w->identity && w->pid > 0 && !w->killed_by_us && !self->terminated
            &&  now - w->last_heard_ms > dead_after) {
                log_warn ("%s pid %d silent for %llu ms: killing it", component->name,
                          (int) w->pid, (unsigned long long) (now - w->last_heard_ms));
                server_event (self, "component.failure",
                              json_pack ("{s:s, s:i, s:s}", "component", component->name,
                                         "pid", (int) w->pid, "reason", "missed heartbeats"));
                w->killed_by_us = true;
                kill (w->pid, SIGKILL);
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
pool_no_workers (server_t *self)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        if (self->components [c].workers)
            return false;
    return true;
}

void
pool_stop_all (server_t *self)
{
    uint64_t now = util_now_ms ();
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        for (size_t i = 0; i < component->slots_count; i++)
            restart_on_stop (component->slots [i]->policy, now);
        for (worker_t *w = component->workers; w; w = w->next)
            s_worker_stop (self, w);
    }
}

void
pool_signal_all (server_t *self, int signo)
{
    for (int c = 0; c < COMPONENT_COUNT; c++)
        for (worker_t *w = self->components [c].workers; w; w = w->next)
            if (w->pid > 0)
                kill (w->pid, signo);
}

int
pool_restart (server_t *self, component_t *component, char *err, size_t size)
{
    if (self->draining) {
        snprintf (err, size, "the supervisor is shutting down");
        return -1;
    }
    uint64_t now = util_now_ms ();
    component->fatal = false;
    s_breaker_event (self, component, breaker_reset (component->breaker, now));
    for (size_t i = 0; i < component->slots_count; i++) {
        slot_t *slot = component->slots [i];
        s_slot_act (self, slot, restart_on_operator (slot->policy, now));
    }
    return 0;
}

const char *
pool_component_state (server_t *self, component_t *component)
{
    (void) self;
    if (component->fatal)
        return "fatal";
    if (component->desired == 0)
        return "stopped";
    uint32_t ready = 0;
    for (worker_t *w = component->workers; w; w = w->next)
        if (w->state == W_READY)
            ready++;
    return ready >= component->desired? "running": "starting";
}
