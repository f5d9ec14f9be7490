/*  supervisor/server.c - the supervisor's reactor: one zloop holding the
    client ROUTER, the worker ROUTER, the event PUB, the signalfd and a
    tick timer; the life cycle from start to a drained shutdown. The work
    itself is in pool.c (workers), flow.c (workflows) and control.c
    (requests).  */
#include "supervisor/server_priv.h"

#include "common/util.h"
#include "supervisor/log.h"
#include "supervisor/observe.h"
#include "supervisor/results.h"
#include "supervisor/spool.h"
#include "shared/bus.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

//  The tick: heartbeats, silent workers, restart timers, retries. Fast
//  enough for restart backoffs of 100 ms; deadlines are scanned less often.
#define TICK_MS 10

//  Submissions zmq may hold per client connection before the reactor
//  reads them (the default is 1,000). Each carries a project's inputs,
//  about 20 KB: 1,000 of them are 20 MiB the supervisor holds only
//  because a client sent faster than it journals. Beyond this limit the
//  submissions wait in the client's own queue (its sends block), and
//  nothing is lost: only a ROUTER's sends drop, and those stay unbounded.
#define CLIENT_RCVHWM 8

//  After client traffic: trim the heap once quiet this long, and at least
//  this often while it goes on (see s_on_tick).
#define TRIM_QUIET_MS 1000
#define TRIM_BUSY_MS 5000

//  Client identities are kept with a first byte naming the socket they
//  came on (1 ipc, 2 tcp), so every answer finds its way back.
static zframe_t *
s_tag_identity (zframe_t *identity, uint8_t tag)
{
    size_t size = zframe_size (identity);
    zframe_t *tagged = zframe_new (NULL, size + 1);
    uint8_t *data = zframe_data (tagged);
    data [0] = tag;
    memcpy (data + 1, zframe_data (identity), size);
    return tagged;
}

//  A tcp peer working on a connection that never said READY: we
//  restarted, or dropped it as silent. It is told to join again; what it
//  sent is dropped (its jobs, if any, went elsewhere).
static void
s_stranger (server_t *self, zsock_t *sock, zframe_t *identity)
{
    if (sock != self->back_tcp)
        return;                 //  local workers say READY first, always
    uint8_t *buf;
    size_t size;
    wire_bye_t bye = { .reason = WIRE_BYE_REJOIN };
    if (wire_bye_encode (&bye, &buf, &size) == 0)
        bus_send (sock, identity, buf, size, NULL, 0);
}

//  A message that does not decode, from a worker. A tcp peer gets it said
//  once a minute, with its address and, when it speaks another version of
//  the protocol, which.
static void
s_malformed_from_worker (server_t *self, zsock_t *sock, worker_t *worker, zframe_t *identity,
                         zframe_t *header)
{
    if (sock != self->back_tcp) {
        char peer [96];
        if (worker)
            snprintf (peer, sizeof peer, "%s pid %d", worker->component->name,
                      (int) worker->pid);
        else
            remote_peer_name ("worker connection", identity, header, peer, sizeof peer);
        remote_malformed (self->remote, peer, "dropped a malformed message (%zu bytes) from %s",
                          zframe_size (header), peer);
        return;
    }
    char address [64], key [128], why [256];
    remote_peer_address (header, address, sizeof address);
    uint64_t version = 0;
    if (wire_peek_version (zframe_data (header), zframe_size (header), &version) == 0
    &&  version != WIRE_VERSION) {
        snprintf (why, sizeof why, "it speaks protocol version %llu and this supervisor %d: "
                  "run the same readme2ci release on both hosts",
                  (unsigned long long) version, WIRE_VERSION);
        snprintf (key, sizeof key, "%s|version %llu", address, (unsigned long long) version);
    }
    else {
        snprintf (why, sizeof why, "it sent a message that is not readme2ci's protocol "
                  "(%zu bytes): dropped", zframe_size (header));
        snprintf (key, sizeof key, "%s|malformed", address);
    }
    json_t *fields = json_pack ("{s:s, s:s}", "endpoint", "workers", "address", address);
    if (worker)
        json_object_set_new (fields, "host", json_string (worker->host));
    remote_report (self->remote, "worker.refused", key, fields, "a worker at %s%s%s%s: %s",
                   address [0]? address: "an unknown address", worker? " (": "",
                   worker? worker->host: "", worker? ")": "", why);
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
    if (!identity || !header)
        remote_malformed (self->remote, "worker socket",
                          "dropped a malformed message on the worker socket: %s",
                          identity? "no header frame": "no routing id");
    else {
        char *key = zframe_strhex (identity);
        worker_t *worker = pool_worker_by_key (self->pool, key);
        if (worker)
            worker->last_heard_ms = util_now_ms ();
        switch (wire_type (zframe_data (header), zframe_size (header))) {
            case WIRE_READY:
                pool_on_ready (self->pool, sock, identity, key, header);
                break;
            case WIRE_RESULT:
                if (worker)
                    flow_on_result (self->flow, worker, msg, header);
                else
                    s_stranger (self, sock, identity);
                break;
            case WIRE_HEARTBEAT:
                if (!worker)
                    s_stranger (self, sock, identity);
                break;
            case WIRE_BYE:
                if (worker)
                    pool_on_bye (self->pool, worker);
                break;
            default:
                s_malformed_from_worker (self, sock, worker, identity, header);
                break;
        }
        free (key);
    }
    zframe_destroy (&identity);
    zframe_destroy (&header);
    zmsg_destroy (&msg);
    return 0;
}

static int
s_on_front (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    server_t *self = arg;
    zmsg_t *msg = zmsg_recv (sock);
    if (!msg)
        return 0;
    zframe_t *raw = zmsg_pop (msg);
    zframe_t *header = zmsg_pop (msg);
    zframe_t *identity = raw? s_tag_identity (raw, sock == self->front_tcp? 2: 1): NULL;
    self->front_heard_ms = util_now_ms ();
    self->front_trim_due = true;
    if (!identity || !header)
        remote_malformed (self->remote, "client socket",
                          "dropped a malformed message on the client socket: %s",
                          identity? "no header frame": "no routing id");
    else
    switch (wire_type (zframe_data (header), zframe_size (header))) {
        case WIRE_SUBMIT:
            flow_submit (self->flow, identity, msg, header);
            break;
        case WIRE_REQUEST: {
            wire_request_t request;
            bool refused = false;
            if (sock == self->front_tcp
            &&  wire_request_decode (&request, zframe_data (header), zframe_size (header)) == 0) {
                refused = control_needs_operator (request.op)
                       && !security_may_operate (self->security, header, request.op);
                if (refused) {
                    char message [160];
                    snprintf (message, sizeof message, "permission denied: this client's key "
                              "may not run '%s' (not in security.operators)", request.op);
                    outbox_reply (self->outbox, identity, request.req_id, EXIT_REFUSED, "",
                                  message, false, NULL, 0);
                }
                wire_request_release (&request);
            }
            if (!refused && zmsg_size (msg) > 0
            &&  wire_request_decode (&request, zframe_data (header), zframe_size (header)) == 0) {
                //  A REQUEST carries no payload frame (PROTOCOL.md, section 4).
                refused = true;
                char message [128];
                snprintf (message, sizeof message, "malformed REQUEST: %zu payload frame(s), "
                          "where it takes none", zmsg_size (msg));
                outbox_reply (self->outbox, identity, request.req_id, EXIT_INPUT, "", message,
                              false, NULL, 0);
                wire_request_release (&request);
            }
            if (!refused)
                control_on_request (self->control, identity, header);
            break;
        }
        default: {
            char peer [96];
            remote_peer_name ("client", identity, header, peer, sizeof peer);
            remote_malformed (self->remote, peer,
                              "dropped a malformed message (%zu bytes) from %s: "
                              "not a SUBMIT or REQUEST header", zframe_size (header), peer);
            break;
        }
    }
    zframe_destroy (&raw);
    zframe_destroy (&identity);
    zframe_destroy (&header);
    zmsg_destroy (&msg);
    return 0;
}

static void
s_reap (server_t *self)
{
    int status;
    pid_t pid;
    while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        pool_on_exit (self->pool, pid, status);
}

static void
s_begin_shutdown (server_t *self, const char *why)
{
    if (self->draining)
        return;
    log_info ("shutting down (%s): draining %zu workflows", why,
              flow_counts (self->flow).in_flight);
    self->draining = true;
    pool_set_draining (self->pool);
    flow_set_draining (self->flow);
    observe_stopping (self->observe, why);
    self->drain_deadline_ms = util_now_ms () + (uint64_t) self->cfg.stop.drain_timeout_ms;
}

//  control_parts_t's down: a `down` request.
static void
s_control_down (void *arg, const char *why)
{
    s_begin_shutdown ((server_t *) arg, why);
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
        else
        if (info.ssi_signo == SIGHUP) {
            char message [2048];
            json_t *report = NULL;
            int code = reload_run (self->reload, message, sizeof message, &report);
            if (code)
                log_warn ("SIGHUP: reload refused: %s", message);
            else
                log_info ("SIGHUP: %s", message);
            json_decref (report);
        }
    }
    return 0;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    server_t *self = arg;
    uint64_t now = util_now_ms ();
    pool_tick (self->pool, now);
    if (remote_keys_due (self->remote, now))
        pool_drop_revoked (self->pool);
    flow_trim (self->flow, now, &self->last_trim_ms);
    flow_tick (self->flow, now);
    ledger_tick (self->ledger, now);
    //  Client connections come and go (3,000 at once, each a few tens of
    //  KB of zmq pipes and buffers): what they held is freed, but glibc
    //  keeps the holes it cannot cut off the top of the heap, and the
    //  resident size stayed at its peak (10 x 3,000 connections: 9 ->
    //  190 MB, idle). Give whole free pages back once clients are quiet
    //  for a second, and every 5 s while they keep coming.
    if (self->front_trim_due
    &&  (now - self->front_heard_ms >= TRIM_QUIET_MS || now - self->last_trim_ms >= TRIM_BUSY_MS)) {
        self->front_trim_due = false;
        self->last_trim_ms = now;
        malloc_trim (0);
    }

    //  Shutdown: drain, then BYE, then SIGTERM, then SIGKILL.
    if (self->draining && !self->stopping
    &&  (flow_counts (self->flow).in_flight == 0 || now >= self->drain_deadline_ms)) {
        flow_abandon_all (self->flow, "the supervisor stopped before the workflow finished");
        self->stopping = true;
        self->kill_deadline_ms = now + (uint64_t) self->cfg.stop.kill_after_ms;
        pool_stop_all (self->pool);
    }
    if (self->stopping) {
        if (pool_no_workers (self->pool))
            return -1;              //  ends zloop_start
        if (now >= self->kill_deadline_ms) {
            pool_signal_all (self->pool, self->terminated? SIGKILL: SIGTERM);
            self->terminated = true;
            self->kill_deadline_ms = now + (uint64_t) self->cfg.stop.kill_after_ms;
        }
    }
    return 0;
}

void
server_block_signals (void)
{
    //  A signal ignored by whoever started us would never reach the
    //  signalfd (an ignored SIGCHLD even reaps children behind our back):
    //  take the defaults back, then block them.
    sigset_t mask;
    sigemptyset (&mask);
    const int signals [] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
    for (size_t i = 0; i < sizeof signals / sizeof signals [0]; i++) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigaction (signals [i], &dfl, NULL);
        sigaddset (&mask, signals [i]);
    }
    pthread_sigmask (SIG_BLOCK, &mask, NULL);
}

//  rcvhwm: messages held per peer before the reactor reads them; 0
//  keeps zmq's default. It must be set before the bind: a listener
//  gives its connections the options it had when it was bound.
//  The ledger's hooks: what replay finds goes to the pool, the results
//  and the flow; the journal writes through observe's measuring table.
static void
s_replay_event (void *arg, const event_t *event)
{
    pool_replay_event (((server_t *) arg)->pool, event);
}

static void
s_replay_result (void *arg, const char *id, const char *text, size_t size, uint64_t time_ms,
                 bool no_tests)
{
    results_keep (((server_t *) arg)->results, id, text, size, time_ms, false, no_tests);
}

static void
s_replay_evicted (void *arg, const char *id)
{
    results_note_evicted (((server_t *) arg)->results, id);
}

static bool
s_replay_pending (void *arg, const event_t *queued)
{
    server_t *self = arg;
    return !flow_known (self->flow, event_get_str (queued, "workflow_id"))
        && flow_recover (self->flow, queued) == 0;
}

static const jio_t *
s_journal_io (void *arg, const jio_t *inner)
{
    return observe_journal_io (((server_t *) arg)->observe, inner);
}

static int
s_send_client (void *arg, zframe_t *identity, uint8_t *header, size_t size,
               zframe_t **payloads, size_t count)
{
    return outbox_send_client (((server_t *) arg)->outbox, identity, header, size, payloads,
                               count);
}

//  The pool's hooks: the workflows hear of workers free, components
//  unavailable and jobs lost.
static void
s_pool_capacity (void *arg, component_t *component)
{
    if (component)
        flow_dispatch (((server_t *) arg)->flow, component);
    else
        flow_dispatch_all (((server_t *) arg)->flow);
}

static void
s_pool_unavailable (void *arg, component_t *component)
{
    flow_fail_unavailable (((server_t *) arg)->flow, component);
}

static bool
s_pool_jobs_lost (void *arg, worker_t *worker, const char *why, bool count_crash)
{
    return flow_requeue_jobs (((server_t *) arg)->flow, worker, why, count_crash);
}

//  A result leaves the cache: said in the journal.
static void
s_on_result_evicted (void *arg, const char *id, const char *reason)
{
    outbox_event (((server_t *) arg)->outbox, "result.evicted",
                  json_pack ("{s:s, s:s}", "workflow_id", id, "reason", reason));
}

//  What a snapshot (maintain cleanup) takes of the pool and the flow.
static void
s_maintain_desired (void *arg, snapshot_t *state)
{
    server_t *self = arg;
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        const component_t *component = pool_component_at (self->pool, c);
        snapshot_set_desired (state, component->name, component->desired);
    }
}

static int
s_maintain_pending (void *arg, snapshot_t *state)
{
    return flow_snapshot_pending (((server_t *) arg)->flow, state);
}

//  What observe reads for its gauges and for systemd's READY=1.
static void
s_observe_status (void *arg, observe_status_t *status)
{
    server_t *self = arg;
    _Static_assert (COMPONENT_COUNT <= OBSERVE_COMPONENTS_MAX, "observe sees every component");
    status->components_count = COMPONENT_COUNT;
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = pool_component_at (self->pool, c);
        observe_component_t *seen = &status->components [c];
        seen->name = component->name;
        seen->desired = component->desired;
        seen->queue = component->queue;
        seen->breaker = breaker_state (component->breaker);
        seen->restarts = component->restarts;
        for (worker_t *w = component->workers; w; w = w->next)
            seen->workers [w->state]++;
    }
    status->journal_writable = ledger_healthy (self->ledger);
    status->draining = self->draining;
}

//  The outbox borrows the ledger, observe and the sockets: it is told
//  of each as it comes and goes.
static void
s_outbox_sync (server_t *self)
{
    outbox_set_ledger (self->outbox, self->ledger);
    outbox_set_observe (self->outbox, self->observe);
    outbox_set_sockets (self->outbox, self->events, self->front, self->front_tcp);
}

static zsock_t *
s_bind (int type, const char *endpoint, security_server_t *security, security_role_t role,
        int rcvhwm)
{
    zsock_t *sock = zsock_new (type);
    if (!sock)
        return NULL;
    if (security && security_server_apply (security, sock, role)) {
        zsock_destroy (&sock);
        return NULL;
    }
    zsock_set_linger (sock, 0);
    if (type == ZMQ_ROUTER) {
        zsock_set_router_mandatory (sock, 0);
        //  A ROUTER drops what a slow peer's pipe cannot hold: with
        //  thousands of workflows answered at once, a client must not
        //  lose answers to the default limit of 1,000. What comes in
        //  is limited (rcvhwm), so a flood waits in its senders, not here.
        zsock_set_sndhwm (sock, 0);
        if (rcvhwm > 0)
            zsock_set_rcvhwm (sock, rcvhwm);
    }
    bus_set_maxmsgsize (sock, MAX_MSG_BYTES);
    if (type == ZMQ_PUB)
        zsock_set_sndhwm (sock, 100000);
    if (zsock_bind (sock, "%s", endpoint) < 0) {
        log_error ("cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&sock);
    }
    return sock;
}

//  The parts that need no socket: observe, the outbox, the reporter, the
//  results, the spool, the pool, the workflows and the reloader.
static int
s_parts_new (server_t *self)
{
    char err [1024];
    self->observe = observe_new (s_observe_status, self);
    self->outbox = outbox_new ();
    self->remote = self->outbox? remote_new (self->outbox): NULL;
    self->results = results_new (self->cfg.results.keep,
                                 (uint64_t) self->cfg.results.max_age_ms);
    //  Queued work's inputs wait on disk, in the first folder that takes
    //  a file without a name; without one they stay in memory.
    const char *spool_dirs [] = { self->state_dir, self->runtime_dir, "/tmp" };
    self->spool = spool_new (spool_dirs, 3);
    pool_hooks_t pool_hooks = { .capacity = s_pool_capacity,
                                .unavailable = s_pool_unavailable,
                                .jobs_lost = s_pool_jobs_lost, .arg = self };
    //  The restart policies' and the retries' jitter.
    backoff_rng_t rng;
    backoff_rng_seed (&rng, util_wall_ms () ^ (uint64_t) getpid ());
    if (self->observe && self->outbox && self->remote && self->results)
        self->pool = pool_new (&self->cfg, self->runtime_dir, self->state_dir, self->worker_dir,
                               self->back_ep, self->outbox, &pool_hooks,
                               backoff_rng_next (&rng));
    if (self->pool)
        self->flow = flow_new (&self->cfg, self->pool, self->outbox, self->remote,
                               self->results, self->spool, self->observe,
                               backoff_rng_next (&rng));
    if (!self->flow) {
        log_error ("out of memory");
        return -1;
    }
    s_outbox_sync (self);
    results_set_evicted_fn (self->results, s_on_result_evicted, self);
    self->reload = reload_new (&self->cfg, self->config_path, self->worker_dir, self->pool,
                               self->results, self->outbox, err, sizeof err);
    if (!self->reload) {
        log_error ("rules: %s", err);
        return -1;
    }
    return 0;
}

//  The journal, replayed into the parts (ledger_hooks_t).
static int
s_ledger_open (server_t *self)
{
    char err [1024];
    ledger_hooks_t hooks = { .replay_event = s_replay_event, .replay_result = s_replay_result,
                             .replay_evicted = s_replay_evicted,
                             .replay_pending = s_replay_pending, .journal_io = s_journal_io,
                             .send = s_send_client, .arg = self };
    self->ledger = ledger_new (self->state_dir, &self->cfg.journal, self->cfg.results.keep,
                               &hooks, err, sizeof err);
    if (!self->ledger) {
        log_error ("%s", err);
        return -1;
    }
    flow_set_ledger (self->flow, self->ledger);
    s_outbox_sync (self);
    //  An operator's choice outlives restarts and wins over the config:
    //  say so, or an edited worker count seems ignored.
    for (int c = 0; c < COMPONENT_COUNT && ledger_journal (self->ledger); c++) {
        const component_t *component = pool_component_at (self->pool, c);
        if (component->desired != self->cfg.components [c].workers)
            log_info ("%s: %u worker(s), as an operation in the journal set it; the config "
                      "says %u (`readme2ci ctl scale %s %u` applies that)",
                      component->name, component->desired, self->cfg.components [c].workers,
                      component->name, self->cfg.components [c].workers);
    }
    return 0;
}

//  The ipc endpoints, and the tcp ones the config asks (CURVE unless
//  insecure on loopback).
static int
s_sockets_bind (server_t *self)
{
    char err [1024];
    self->front = s_bind (ZMQ_ROUTER, self->front_ep, NULL, 0, CLIENT_RCVHWM);
    self->back = s_bind (ZMQ_ROUTER, self->back_ep, NULL, 0, 0);
    self->events = s_bind (ZMQ_PUB, self->events_ep, NULL, 0, 0);
    s_outbox_sync (self);
    if (!self->front || !self->back || !self->events)
        return -1;
    //  tcp endpoints: CURVE, unless the config says insecure on loopback.
    if (self->cfg.listen.clients || self->cfg.listen.workers) {
        self->security = security_server_new (&self->cfg, err, sizeof err);
        if (!self->security) {
            log_error ("%s", err);
            return -1;
        }
        if (self->cfg.listen.workers
        &&  !(self->back_tcp = s_bind (ZMQ_ROUTER, self->cfg.listen.workers, self->security,
                                       SECURITY_WORKERS, 0)))
            return -1;
        if (self->cfg.listen.clients
        &&  !(self->front_tcp = s_bind (ZMQ_ROUTER, self->cfg.listen.clients, self->security,
                                        SECURITY_CLIENTS, CLIENT_RCVHWM)))
            return -1;
        s_outbox_sync (self);
    }
    return 0;
}

//  The signals, the loop and what it watches; maintenance and the
//  client requests, which need the loop or every other part.
static int
s_loop_new (server_t *self)
{
    sigset_t mask;
    server_block_signals ();
    sigemptyset (&mask);
    sigaddset (&mask, SIGCHLD);
    sigaddset (&mask, SIGTERM);
    sigaddset (&mask, SIGINT);
    sigaddset (&mask, SIGHUP);
    self->sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (self->sigfd < 0) {
        log_error ("signalfd: %s", strerror (errno));
        return -1;
    }
    self->loop = zloop_new ();
    maintain_hooks_t maintain_hooks = { .add_desired = s_maintain_desired,
                                        .add_pending = s_maintain_pending, .arg = self };
    self->maintain = maintain_new (&self->cfg, self->state_dir, self->ledger, self->results,
                                   self->outbox, self->loop, &maintain_hooks);
    if (!self->maintain) {
        log_error ("out of memory");
        return -1;
    }
    zloop_reader (self->loop, self->front, s_on_front, self);
    zloop_reader (self->loop, self->back, s_on_back, self);
    if (self->front_tcp)
        zloop_reader (self->loop, self->front_tcp, s_on_front, self);
    if (self->back_tcp)
        zloop_reader (self->loop, self->back_tcp, s_on_back, self);
    zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
    zloop_poller (self->loop, &item, s_on_signal, self);
    zloop_timer (self->loop, TICK_MS, 0, s_on_tick, self);
    if (observe_attach (self->observe, self->loop, self->cfg.metrics)
    ||  remote_watch (self->remote, self->loop, self->security, self->back_tcp,
                      self->cfg.listen.workers, self->front_tcp, self->cfg.listen.clients))
        return -1;
    pool_attach (self->pool, self->loop, self->back, self->back_tcp, self->remote);
    control_parts_t parts = { .cfg = &self->cfg, .pool = self->pool, .flow = self->flow,
                              .ledger = self->ledger, .maintain = self->maintain,
                              .reload = self->reload, .results = self->results,
                              .outbox = self->outbox, .remote = self->remote,
                              .started_ms = self->started_ms, .down = s_control_down,
                              .arg = self };
    self->control = control_new (&parts);
    if (!self->control) {
        log_error ("out of memory");
        return -1;
    }
    return 0;
}

server_t *
server_new (config_t *config, const char *config_path, const char *runtime_dir,
            const char *state_dir, const char *worker_dir)
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
    //  glibc raises its trim threshold to twice the largest block freed
    //  from mmap (the journal's batch buffer, a MiB or two), after which
    //  the heap keeps up to that much freed memory at its top for good:
    //  after 10,000 submissions that was 6 MiB more at rest. A fixed
    //  threshold also stops the mmap threshold from following it, so
    //  blocks above 128 KB keep going back to the system when freed.
    mallopt (M_TRIM_THRESHOLD, 128 * 1024);
    util_copy (self->runtime_dir, sizeof self->runtime_dir, runtime_dir);
    util_copy (self->state_dir, sizeof self->state_dir, state_dir? state_dir: "");
    util_copy (self->config_path, sizeof self->config_path, config_path? config_path: "");
    util_copy (self->worker_dir, sizeof self->worker_dir, worker_dir);
    if (strlen (runtime_dir) > 90) {
        //  ipc:// paths live in sun_path: 108 bytes with the socket name.
        log_error ("runtime folder path too long for ipc sockets: %s", runtime_dir);
        goto out_destroy;
    }
    snprintf (self->front_ep, sizeof self->front_ep, "ipc://%s/front", runtime_dir);
    snprintf (self->back_ep, sizeof self->back_ep, "ipc://%s/back", runtime_dir);
    snprintf (self->events_ep, sizeof self->events_ep, "ipc://%s/events", runtime_dir);
    if (s_parts_new (self) || s_ledger_open (self) || s_sockets_bind (self)
    ||  s_loop_new (self))
        goto out_destroy;
    pool_start (self->pool);
    return self;

out_destroy:
    server_destroy (&self);
    return NULL;
}

int
server_run (server_t *self)
{
    log_info ("supervisor %d listening on %s", (int) getpid (), self->front_ep);
    outbox_event (self->outbox, "system.started",
                  json_pack ("{s:i, s:I, s:I}", "pid", (int) getpid (),
                             "recovered_workflows", (json_int_t) ledger_recovered (self->ledger),
                             "replayed_events", (json_int_t) ledger_replayed (self->ledger)));
    zloop_start (self->loop);
    //  The loop also ends when its poll is interrupted: finish the stop.
    if (!pool_no_workers (self->pool)) {
        flow_abandon_all (self->flow, "the supervisor stopped before the workflow finished");
        self->stopping = true;
        pool_stop_all (self->pool);
        for (int round = 0; round < 2 && !pool_no_workers (self->pool); round++) {
            uint64_t deadline = util_now_ms () + (uint64_t) self->cfg.stop.kill_after_ms;
            while (!pool_no_workers (self->pool) && util_now_ms () < deadline) {
                zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
                zmq_poll (&item, 1, 20);
                s_reap (self);
            }
            pool_signal_all (self->pool, round == 0? SIGTERM: SIGKILL);
        }
        while (!pool_no_workers (self->pool)) {
            zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
            zmq_poll (&item, 1, 20);
            s_reap (self);
        }
    }
    outbox_event (self->outbox, "system.stopped", json_pack ("{s:i}", "pid", (int) getpid ()));
    return EXIT_OK;             //  a stop asked for, or a signal: both are the way it ends
}

void
server_destroy (server_t **self_p)
{
    server_t *self = *self_p;
    if (!self)
        return;
    //  A backup in progress is abandoned before the journal closes. The
    //  journal writes through observe's I/O table, and observe's endpoint
    //  lives in the loop: close them in that order.
    control_destroy (&self->control);
    maintain_destroy (&self->maintain);
    ledger_destroy (&self->ledger);
    observe_destroy (&self->observe);
    if (self->outbox)
        s_outbox_sync (self);
    remote_unwatch (self->remote);
    zloop_destroy (&self->loop);
    flow_destroy (&self->flow);
    results_destroy (&self->results);
    spool_destroy (&self->spool);
    pool_destroy (&self->pool);
    zsock_destroy (&self->front);
    zsock_destroy (&self->back);
    zsock_destroy (&self->events);
    if (self->outbox)
        s_outbox_sync (self);
    //  The secured sockets go before their ZAP handler.
    remote_destroy (&self->remote);
    zsock_destroy (&self->front_tcp);
    zsock_destroy (&self->back_tcp);
    outbox_destroy (&self->outbox);
    security_server_destroy (&self->security);
    if (self->sigfd >= 0)
        close (self->sigfd);
    reload_destroy (&self->reload);
    config_release (&self->cfg);
    free (self);
    *self_p = NULL;
}
