/*  supervisor/remote.c - peers on the tcp endpoints: refused keys (from
    the ZAP handler), failed handshakes (from a monitor on each tcp
    socket) and workers that speak another protocol, each logged and
    recorded as an event at most once per peer and cause a minute.  */
#include "supervisor/remote.h"

#include "supervisor/log.h"

#include "common/util.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  ---------------------------------------------------------------------
//  The limiter (pure)

#define LIMITER_KEY_MAX 256

typedef struct {
    char key [LIMITER_KEY_MAX];
    uint64_t reported_ms;
    uint64_t suppressed;
    bool used;
} limiter_entry_t;

struct remote_limiter {
    limiter_entry_t *entries;
    size_t slots;
    uint64_t window_ms;
};

remote_limiter_t *
remote_limiter_new (size_t slots, uint64_t window_ms)
{
    if (slots == 0 || slots > 4096) {
        errno = EINVAL;
        return NULL;
    }
    remote_limiter_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->entries = calloc (slots, sizeof *self->entries);
    if (!self->entries) {
        free (self);
        errno = ENOMEM;
        return NULL;
    }
    self->slots = slots;
    self->window_ms = window_ms;
    return self;
}

void
remote_limiter_destroy (remote_limiter_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free (*self_p);
    *self_p = NULL;
}

bool
remote_limiter_allow (remote_limiter_t *self, const char *key, uint64_t now_ms,
                      uint64_t *suppressed)
{
    if (!self || !key)
        return false;
    char bounded [LIMITER_KEY_MAX];
    util_copy (bounded, sizeof bounded, key);
    //  The entry for key, else the one to reuse: a free one, else the
    //  one reported longest ago.
    limiter_entry_t *entry = NULL, *victim = NULL;
    for (size_t i = 0; i < self->slots && !entry; i++) {
        limiter_entry_t *candidate = &self->entries [i];
        if (candidate->used && strcmp (candidate->key, bounded) == 0)
            entry = candidate;
        else
        if (!victim
        ||  (victim->used && !candidate->used)
        ||  (victim->used && candidate->reported_ms < victim->reported_ms))
            victim = candidate;
    }
    if (entry && now_ms - entry->reported_ms < self->window_ms) {
        entry->suppressed++;
        return false;
    }
    if (!entry) {
        entry = victim;
        memset (entry, 0, sizeof *entry);
        entry->used = true;
        util_copy (entry->key, sizeof entry->key, bounded);
    }
    if (suppressed)
        *suppressed = entry->suppressed;
    entry->suppressed = 0;
    entry->reported_ms = now_ms;
    return true;
}

bool
remote_budget_take (remote_budget_t *self, uint32_t burst, uint32_t rate_per_min,
                    uint64_t now_ms)
{
    if (!self->started || now_ms < self->last_ms) {
        self->started = true;
        self->tokens = burst;
        self->last_ms = now_ms;
    }
    if (rate_per_min) {
        uint64_t earned = (now_ms - self->last_ms) * rate_per_min / 60000;
        if (earned) {
            uint64_t tokens = self->tokens + earned;
            self->tokens = tokens > burst? burst: (uint32_t) tokens;
            //  Keep the remainder: only the time the tokens paid for is spent.
            self->last_ms += earned * 60000 / rate_per_min;
        }
    }
    if (self->tokens == 0)
        return false;
    self->tokens--;
    return true;
}

bool
remote_gate_allow (remote_gate_t *self, const char *peer, uint64_t now_ms, uint64_t *held)
{
    uint64_t suppressed = 0;
    if (!remote_limiter_allow (self->peers, peer, now_ms, &suppressed))
        return false;
    if (!remote_budget_take (&self->budget, self->burst, self->rate_per_min, now_ms)) {
        self->held += 1 + suppressed;
        return false;
    }
    if (held)
        *held = suppressed + self->held;
    self->held = 0;
    return true;
}

//  ---------------------------------------------------------------------
//  The supervisor's side

#define REMOTE_SLOTS 256

static const char *const s_roles [2] = { "workers", "clients" };

//  How often connected remote workers' keys are checked again.
#define REMOTE_KEY_CHECK_MS 5000

//  Malformed messages from local peers: once a minute per peer, and at
//  most 10 lines at once then 60 a minute for all of them.
#define MALFORMED_BURST 10
#define MALFORMED_PER_MIN 60

struct remote {
    outbox_t *outbox;           //  borrowed: where the reports go
    security_server_t *security;    //  borrowed, NULL without tcp endpoints
    zloop_t *loop;              //  borrowed, once watching
    remote_limiter_t *limiter;
    remote_gate_t malformed;
    zsock_t *watched [2];       //  back_tcp, front_tcp (borrowed)
    zsock_t *monitor [2];       //  their handshake events
    char *listen [2];           //  their endpoints, for the reports
    uint64_t keys_checked_ms;
};

remote_t *
remote_new (outbox_t *outbox)
{
    remote_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->outbox = outbox;
    self->limiter = remote_limiter_new (REMOTE_SLOTS, REMOTE_REPORT_WINDOW_MS);
    self->malformed.peers = remote_limiter_new (REMOTE_SLOTS, REMOTE_REPORT_WINDOW_MS);
    self->malformed.burst = MALFORMED_BURST;
    self->malformed.rate_per_min = MALFORMED_PER_MIN;
    if (!self->limiter || !self->malformed.peers)
        remote_destroy (&self);
    return self;
}

void
remote_unwatch (remote_t *self)
{
    if (!self)
        return;
    for (int i = 0; i < 2; i++)
        if (self->monitor [i]) {
            zloop_reader_end (self->loop, self->monitor [i]);
            zmq_socket_monitor (zsock_resolve (self->watched [i]), NULL, 0);
            zsock_destroy (&self->monitor [i]);
        }
    zsock_t *notices = self->security? security_server_notices (self->security): NULL;
    if (self->loop && notices)
        zloop_reader_end (self->loop, notices);
    self->loop = NULL;
    self->security = NULL;
}

void
remote_destroy (remote_t **self_p)
{
    remote_t *self = *self_p;
    if (!self)
        return;
    remote_unwatch (self);
    free (self->listen [0]);
    free (self->listen [1]);
    remote_limiter_destroy (&self->limiter);
    remote_limiter_destroy (&self->malformed.peers);
    free (self);
    *self_p = NULL;
}

void
remote_report (remote_t *self, const char *type, const char *key, json_t *fields,
               const char *format, ...)
{
    char message [1024];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    uint64_t suppressed = 0;
    char full_key [LIMITER_KEY_MAX];
    snprintf (full_key, sizeof full_key, "%s|%s", type, key);
    if (self && !remote_limiter_allow (self->limiter, full_key, util_now_ms (), &suppressed)) {
        log_debug ("%s (again)", message);
        json_decref (fields);
        return;
    }
    if (suppressed)
        log_warn ("%s (and %llu more time(s) in the last %d s)", message,
                  (unsigned long long) suppressed, REMOTE_REPORT_WINDOW_MS / 1000);
    else
        log_warn ("%s", message);
    if (!fields)
        fields = json_object ();
    json_object_set_new (fields, "reason", json_string (message));
    if (suppressed)
        json_object_set_new (fields, "repeats", json_integer ((json_int_t) suppressed));
    if (self)
        outbox_event (self->outbox, type, fields);
    else
        json_decref (fields);
}

void
remote_malformed (remote_t *self, const char *peer, const char *format, ...)
{
    char message [512];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    uint64_t held = 0;
    if (self && !remote_gate_allow (&self->malformed, peer, util_now_ms (), &held)) {
        log_debug ("%s (again)", message);
        return;
    }
    if (held)
        log_warn ("%s (and %llu more malformed message(s) held back)", message,
                  (unsigned long long) held);
    else
        log_warn ("%s", message);
}

void
remote_peer_address (zframe_t *frame, char *address, size_t size)
{
    const char *peer = frame? zframe_meta (frame, "Peer-Address"): NULL;
    util_copy (address, size, peer? peer: "");
}

//  The ZAP handler refused a key: say so once a minute per peer and key.
static int
s_on_refusal (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    (void) sock;
    remote_t *self = arg;
    security_refusal_t refusal;
    if (security_server_refusal (self->security, &refusal))
        return 0;
    char key [LIMITER_KEY_MAX];
    snprintf (key, sizeof key, "%s|%s|%s", refusal.domain, refusal.address, refusal.key);
    json_t *fields = json_pack ("{s:s, s:s, s:s}", "endpoint", refusal.domain,
                                "address", refusal.address, "key", refusal.key);
    remote_report (self, "security.refused", key, fields,
                   "refused a connection to the %s endpoint from %s: %s", refusal.domain,
                   refusal.address, refusal.reason);
    return 0;
}

//  A handshake on a tcp endpoint failed before any key was checked: the
//  peer has the wrong server key, no CURVE, or does not speak ZMTP.
static int
s_on_monitor (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    remote_t *self = arg;
    int role = sock == self->monitor [0]? 0: 1;
    zmsg_t *msg = zmsg_recv (sock);
    zframe_t *head = msg? zmsg_first (msg): NULL;
    if (!head || zframe_size (head) != 6) {
        zmsg_destroy (&msg);
        return 0;
    }
    uint16_t event;
    uint32_t value;
    memcpy (&event, zframe_data (head), sizeof event);
    memcpy (&value, zframe_data (head) + 2, sizeof value);
    zmsg_destroy (&msg);
    if (event != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        return 0;
    const char *endpoint = self->listen [role]? self->listen [role]: "";
    bool curve = self->security && security_server_curve (self->security);
    char why [256];
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
        snprintf (why, sizeof why, "its CURVE handshake failed: it does not have this "
                  "supervisor's public key (check its %s)",
                  role == 0? "--server-key": "R2CI_SERVER_KEY");
    else
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        snprintf (why, sizeof why, curve
                  ? "it does not use CURVE, which this endpoint requires (%s)"
                  : "it uses CURVE, which this insecure endpoint does not (%s)",
                  role == 0? "--server-key and --key": "R2CI_SERVER_KEY and R2CI_KEY");
    else
        snprintf (why, sizeof why, "it broke the ZeroMQ handshake (protocol error 0x%x): "
                  "is it a readme2ci %s?", (unsigned) value, role == 0? "worker": "client");
    char key [64];
    snprintf (key, sizeof key, "%s|%x", s_roles [role], (unsigned) value);
    remote_report (self, "security.refused", key,
                   json_pack ("{s:s, s:s}", "endpoint", s_roles [role], "listen", endpoint),
                   "refused a peer on the %s endpoint (%s): %s", s_roles [role], endpoint,
                   why);
    return 0;
}

//  A monitor of sock's handshake failures, read in the loop.
static zsock_t *
s_watch (remote_t *self, zsock_t *sock, int role)
{
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://supervisor-monitor-%s", s_roles [role]);
    if (zmq_socket_monitor (zsock_resolve (sock), endpoint, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
        return NULL;
    zsock_t *monitor = zsock_new (ZMQ_PAIR);
    if (!monitor || zsock_connect (monitor, "%s", endpoint)) {
        zsock_destroy (&monitor);
        zmq_socket_monitor (zsock_resolve (sock), NULL, 0);
        return NULL;
    }
    zloop_reader (self->loop, monitor, s_on_monitor, self);
    return monitor;
}

int
remote_watch (remote_t *self, zloop_t *loop, security_server_t *security,
              zsock_t *workers, const char *workers_listen, zsock_t *clients,
              const char *clients_listen)
{
    assert (!self->loop);
    self->loop = loop;
    self->security = security;
    zsock_t *notices = security? security_server_notices (security): NULL;
    if (notices && zloop_reader (loop, notices, s_on_refusal, self))
        return -1;
    zsock_t *socks [2] = { workers, clients };
    const char *listens [2] = { workers_listen, clients_listen };
    for (int i = 0; i < 2; i++) {
        if (!socks [i])
            continue;
        self->listen [i] = strdup (listens [i]? listens [i]: "");
        if (!self->listen [i])
            return -1;
        //  Without a monitor only the reports of failed handshakes are lost.
        self->watched [i] = socks [i];
        self->monitor [i] = s_watch (self, socks [i], i);
    }
    return 0;
}

bool
remote_keys_due (remote_t *self, uint64_t now_ms)
{
    if (!self->security || !security_server_curve (self->security)
    ||  now_ms - self->keys_checked_ms < REMOTE_KEY_CHECK_MS)
        return false;
    self->keys_checked_ms = now_ms;
    return true;
}

bool
remote_worker_revoked (remote_t *self, const remote_worker_t *worker)
{
    char why [512];
    if (!self->security || security_still_authorised (self->security, SECURITY_WORKERS,
                                                      worker->peer_key, why, sizeof why))
        return false;
    char limit_key [160];
    snprintf (limit_key, sizeof limit_key, "workers|%s|%s", worker->address, worker->peer_key);
    remote_report (self, "security.refused", limit_key,
                   json_pack ("{s:s, s:s, s:s, s:s, s:i}", "endpoint", "workers",
                              "address", worker->address, "key", worker->peer_key,
                              "host", worker->host, "pid", (int) worker->pid),
                   "dropped %s pid %d on %s (%s): %s", worker->component, (int) worker->pid,
                   worker->host, worker->address, why);
    return true;
}

//  A peer's name for the log: its kind, its routing id in hex (the
//  first 16 bytes) and, over tcp, the address header came from.
void
remote_peer_name (const char *kind, zframe_t *identity, zframe_t *header, char *buf,
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
