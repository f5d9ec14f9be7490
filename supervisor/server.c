/*  supervisor/server.c - the supervisor's reactor: one zloop holding the
    client ROUTER, the worker ROUTER, the event PUB, the signalfd and a
    tick timer; the life cycle from start to a drained shutdown. The work
    itself is in pool.c (workers), flow.c (workflows) and control.c
    (requests).  */
#include "supervisor/server_priv.h"

#include "common/util.h"
#include "supervisor/log.h"
#include "supervisor/observe.h"
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

uint64_t
server_event_bytes (server_t *self, const char *type, json_t *fields,
                    const char *key1, zframe_t *bytes1, const char *key2, zframe_t *bytes2)
{
    if (!fields)
        fields = json_object ();
    event_t event = { .time = util_wall_ms () };
    event_set_type (&event, type);
    const char *key;
    json_t *value;
    json_object_foreach (fields, key, value) {
        if (json_is_string (value))
            event_add_str (&event, key, json_string_value (value));
        else
        if (json_is_integer (value))
            event_add_int (&event, key, json_integer_value (value));
        else
        if (json_is_boolean (value))
            event_add_bool (&event, key, json_is_true (value));
    }
    if (key1 && bytes1)
        event_add_bytes (&event, key1, zframe_data (bytes1), zframe_size (bytes1));
    if (key2 && bytes2)
        event_add_bytes (&event, key2, zframe_data (bytes2), zframe_size (bytes2));
    uint64_t time = event.time;
    uint64_t seq = ledger_record (self, &event);
    char stamp [EVENT_TIME_SIZE] = "";
    event_time_rfc3339 (time, stamp, sizeof stamp);
    json_object_set_new (fields, "type", json_string (type));
    json_object_set_new (fields, "seq", json_integer ((json_int_t) seq));
    json_object_set_new (fields, "time", json_string (stamp));
    json_object_set_new (fields, "time_ms", json_integer ((json_int_t) time));
    observe_event (self->observe, type, fields);
    char *text = json_dumps (fields, JSON_COMPACT | JSON_SORT_KEYS);
    if (text) {
        log_event (LOGL_DEBUG, text);
        zsock_send (self->events, "ss", type, text);
        free (text);
    }
    json_decref (fields);
    return seq;
}

uint64_t
server_event (server_t *self, const char *type, json_t *fields)
{
    return server_event_bytes (self, type, fields, NULL, NULL, NULL, NULL);
}

void
server_reply_held (server_t *self, zframe_t *identity, uint64_t req_id, int code,
                   const char *workflow_id, const char *message, bool degraded,
                   bool accepted, const void *body, size_t body_size)
{
    wire_reply_t reply = { .req_id = req_id, .code = code, .degraded = degraded,
                           .accepted = accepted };
    util_copy (reply.workflow_id, sizeof reply.workflow_id, workflow_id? workflow_id: "");
    util_copy (reply.message, sizeof reply.message, message? message: "");
    if (!accepted && !ledger_healthy (self)) {
        //  An operation whose own record met a journal failure: it is
        //  applied, and its record waits in memory for the disk. Say so
        //  now rather than leave the caller waiting for a disk that may
        //  not recover (operations are refused while it is known down).
        size_t used = strlen (reply.message);
        snprintf (reply.message + used, sizeof reply.message - used, "%s(applied; not yet "
                  "in the journal, which cannot be written: %s)", used? " ": "",
                  ledger_problem (self));
        server_reply (self, identity, req_id, code, reply.workflow_id, reply.message,
                      degraded, body, body_size);
        return;
    }
    ledger_hold_reply (self, identity, &reply, body, body_size);
}

static void
s_reply (server_t *self, zframe_t *identity, const wire_reply_t *reply,
         const void *body, size_t body_size);

void
server_reply (server_t *self, zframe_t *identity, uint64_t req_id, int code,
              const char *workflow_id, const char *message, bool degraded,
              const void *body, size_t body_size)
{
    wire_reply_t reply = { .req_id = req_id, .code = code, .degraded = degraded };
    util_copy (reply.workflow_id, sizeof reply.workflow_id, workflow_id? workflow_id: "");
    util_copy (reply.message, sizeof reply.message, message? message: "");
    s_reply (self, identity, &reply, body, body_size);
}

void
server_reply_result (server_t *self, zframe_t *identity, uint64_t req_id,
                     const char *workflow_id, bool degraded, bool no_tests,
                     const void *body, size_t body_size)
{
    wire_reply_t reply = { .req_id = req_id, .code = EXIT_OK, .degraded = degraded,
                           .no_tests = no_tests };
    util_copy (reply.workflow_id, sizeof reply.workflow_id, workflow_id? workflow_id: "");
    s_reply (self, identity, &reply, body, body_size);
}

static void
s_reply (server_t *self, zframe_t *identity, const wire_reply_t *reply,
         const void *body, size_t body_size)
{
    uint8_t *buf;
    size_t size;
    if (wire_reply_encode (reply, &buf, &size)) {
        log_error ("cannot encode a reply: %s", strerror (errno));
        return;
    }
    zframe_t *frame = body? zframe_new (body, body_size): NULL;
    server_send_client (self, identity, buf, size, &frame, frame? 1: 0);
}

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

int
server_send_client (server_t *self, zframe_t *identity, uint8_t *header, size_t size,
                    zframe_t **payloads, size_t count)
{
    const uint8_t *data = zframe_data (identity);
    size_t length = zframe_size (identity);
    zsock_t *sock = length && data [0] == 2? self->front_tcp: self->front;
    if (!length || !sock) {
        free (header);
        for (size_t i = 0; i < count; i++)
            zframe_destroy (&payloads [i]);
        return -1;
    }
    zframe_t *raw = zframe_new (data + 1, length - 1);
    int rc = bus_send (sock, raw, header, size, payloads, count);
    zframe_destroy (&raw);
    return rc;
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

void
server_peer_name (const char *kind, zframe_t *identity, zframe_t *header, char *buf,
                  size_t size)
{
    char address [64] = "";
    remote_peer_address (header, address, sizeof address);
    char hex [2 * 16 + 1] = "";
    size_t length = identity? zframe_size (identity): 0;
    const uint8_t *data = identity? zframe_data (identity): NULL;
    for (size_t i = 0; i < length && i < 16; i++)
        snprintf (hex + 2 * i, 3, "%02x", data [i]);
    snprintf (buf, size, "%s %s%s%s", kind, hex [0]? hex: "?", address [0]? " at ": "",
              address);
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
            server_peer_name ("worker connection", identity, header, peer, sizeof peer);
        remote_malformed (self, peer, "dropped a malformed message (%zu bytes) from %s",
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
    remote_report (self, "worker.refused", key, fields, "a worker at %s%s%s%s: %s",
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
        remote_malformed (self, "worker socket", "dropped a malformed message on the worker "
                          "socket: %s", identity? "no header frame": "no routing id");
    else {
        char *key = zframe_strhex (identity);
        worker_t *worker = zhashx_lookup (self->workers, key);
        if (worker)
            worker->last_heard_ms = util_now_ms ();
        switch (wire_type (zframe_data (header), zframe_size (header))) {
            case WIRE_READY:
                pool_on_ready (self, sock, identity, key, header);
                break;
            case WIRE_RESULT:
                if (worker)
                    flow_on_result (self, worker, msg, header);
                else
                    s_stranger (self, sock, identity);
                break;
            case WIRE_HEARTBEAT:
                if (!worker)
                    s_stranger (self, sock, identity);
                break;
            case WIRE_BYE:
                if (worker)
                    pool_on_bye (self, worker);
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
        remote_malformed (self, "client socket", "dropped a malformed message on the client "
                          "socket: %s", identity? "no header frame": "no routing id");
    else
    switch (wire_type (zframe_data (header), zframe_size (header))) {
        case WIRE_SUBMIT:
            flow_submit (self, identity, msg, header);
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
                    server_reply (self, identity, request.req_id, EXIT_REFUSED, "", message,
                                  false, NULL, 0);
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
                server_reply (self, identity, request.req_id, EXIT_INPUT, "", message, false,
                              NULL, 0);
                wire_request_release (&request);
            }
            if (!refused)
                control_on_request (self, identity, header);
            break;
        }
        default: {
            char peer [96];
            server_peer_name ("client", identity, header, peer, sizeof peer);
            remote_malformed (self, peer, "dropped a malformed message (%zu bytes) from %s: "
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
        pool_on_exit (self, pid, status);
}

void
server_begin_shutdown (server_t *self, const char *why)
{
    if (self->draining)
        return;
    log_info ("shutting down (%s): draining %zu workflows", why, zhashx_size (self->workflows));
    self->draining = true;
    observe_stopping (self->observe, why);
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
            server_begin_shutdown (self, info.ssi_signo == SIGTERM? "SIGTERM": "SIGINT");
        else
        if (info.ssi_signo == SIGHUP) {
            char message [2048];
            json_t *report = NULL;
            int code = reload_run (self, message, sizeof message, &report);
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
    pool_tick (self, now);
    remote_tick (self, now);
    flow_tick (self, now);
    ledger_tick (self, now);
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
    &&  (zhashx_size (self->workflows) == 0 || now >= self->drain_deadline_ms)) {
        flow_abandon_all (self, "the supervisor stopped before the workflow finished");
        self->stopping = true;
        self->kill_deadline_ms = now + (uint64_t) self->cfg.stop.kill_after_ms;
        pool_stop_all (self);
    }
    if (self->stopping) {
        if (pool_no_workers (self))
            return -1;              //  ends zloop_start
        if (now >= self->kill_deadline_ms) {
            pool_signal_all (self, self->terminated? SIGKILL: SIGTERM);
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
    self->journal_lock = -1;
    self->spool_fd = -1;
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
    self->observe = observe_new (self);
    if (!self->observe || flow_init (self) || pool_init (self)) {
        log_error ("out of memory");
        goto out_destroy;
    }
    char err [1024];
    if (reload_init (self, err, sizeof err)) {
        log_error ("rules: %s", err);
        goto out_destroy;
    }
    if (ledger_open (self, err, sizeof err)) {
        log_error ("%s", err);
        goto out_destroy;
    }
    self->front = s_bind (ZMQ_ROUTER, self->front_ep, NULL, 0, CLIENT_RCVHWM);
    self->back = s_bind (ZMQ_ROUTER, self->back_ep, NULL, 0, 0);
    self->events = s_bind (ZMQ_PUB, self->events_ep, NULL, 0, 0);
    if (!self->front || !self->back || !self->events)
        goto out_destroy;
    //  tcp endpoints: CURVE, unless the config says insecure on loopback.
    if (self->cfg.listen.clients || self->cfg.listen.workers) {
        self->security = security_server_new (&self->cfg, err, sizeof err);
        if (!self->security) {
            log_error ("%s", err);
            goto out_destroy;
        }
        if (self->cfg.listen.workers
        &&  !(self->back_tcp = s_bind (ZMQ_ROUTER, self->cfg.listen.workers, self->security,
                                       SECURITY_WORKERS, 0)))
            goto out_destroy;
        if (self->cfg.listen.clients
        &&  !(self->front_tcp = s_bind (ZMQ_ROUTER, self->cfg.listen.clients, self->security,
                                        SECURITY_CLIENTS, CLIENT_RCVHWM)))
            goto out_destroy;
    }

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
        goto out_destroy;
    }
    self->loop = zloop_new ();
    zloop_reader (self->loop, self->front, s_on_front, self);
    zloop_reader (self->loop, self->back, s_on_back, self);
    if (self->front_tcp)
        zloop_reader (self->loop, self->front_tcp, s_on_front, self);
    if (self->back_tcp)
        zloop_reader (self->loop, self->back_tcp, s_on_back, self);
    zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
    zloop_poller (self->loop, &item, s_on_signal, self);
    zloop_timer (self->loop, TICK_MS, 0, s_on_tick, self);
    if (observe_attach (self->observe, self->loop) || remote_init (self))
        goto out_destroy;
    pool_start (self);
    return self;

out_destroy:
    server_destroy (&self);
    return NULL;
}

int
server_run (server_t *self)
{
    log_info ("supervisor %d listening on %s", (int) getpid (), self->front_ep);
    server_event (self, "system.started",
                  json_pack ("{s:i, s:I, s:I}", "pid", (int) getpid (),
                             "recovered_workflows", (json_int_t) self->recovered,
                             "replayed_events", (json_int_t) self->replayed_events));
    zloop_start (self->loop);
    //  The loop also ends when its poll is interrupted: finish the stop.
    if (!pool_no_workers (self)) {
        flow_abandon_all (self, "the supervisor stopped before the workflow finished");
        self->stopping = true;
        pool_stop_all (self);
        for (int round = 0; round < 2 && !pool_no_workers (self); round++) {
            uint64_t deadline = util_now_ms () + (uint64_t) self->cfg.stop.kill_after_ms;
            while (!pool_no_workers (self) && util_now_ms () < deadline) {
                zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
                zmq_poll (&item, 1, 20);
                s_reap (self);
            }
            pool_signal_all (self, round == 0? SIGTERM: SIGKILL);
        }
        while (!pool_no_workers (self)) {
            zmq_pollitem_t item = { NULL, self->sigfd, ZMQ_POLLIN, 0 };
            zmq_poll (&item, 1, 20);
            s_reap (self);
        }
    }
    server_event (self, "system.stopped", json_pack ("{s:i}", "pid", (int) getpid ()));
    return self->exit_status;
}

void
server_destroy (server_t **self_p)
{
    server_t *self = *self_p;
    if (!self)
        return;
    //  The journal writes through observe's I/O table, and observe's
    //  endpoint lives in the loop: close them in that order.
    ledger_close (self);
    observe_destroy (&self->observe);
    zloop_destroy (&self->loop);
    flow_destroy (self);
    pool_destroy (self);
    zhashx_destroy (&self->workers);
    zsock_destroy (&self->front);
    zsock_destroy (&self->back);
    zsock_destroy (&self->events);
    //  The secured sockets go before their ZAP handler.
    remote_destroy (self);
    zsock_destroy (&self->front_tcp);
    zsock_destroy (&self->back_tcp);
    security_server_destroy (&self->security);
    if (self->sigfd >= 0)
        close (self->sigfd);
    config_release (&self->cfg);
    reload_destroy (self);
    free (self);
    *self_p = NULL;
}
