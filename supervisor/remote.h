/*  supervisor/remote.h - peers on the tcp endpoints, as the operator sees
    them: a refused key, a failed CURVE handshake, a worker speaking
    another protocol version or sending garbage is logged and recorded as
    an event once per peer and cause in a while, so a peer that keeps
    retrying (or a hostile one) cannot flood the log or the journal.  */
#ifndef REMOTE_H_INCLUDED
#define REMOTE_H_INCLUDED

#include "supervisor/outbox.h"
#include "supervisor/security.h"

#include <czmq.h>
#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

//  How often the same problem of the same peer is reported.
#define REMOTE_REPORT_WINDOW_MS 60000

//  A fixed table of recent reports, keyed by text (peer and cause). Pure:
//  no clock, no I/O.
typedef struct remote_limiter remote_limiter_t;

//  A table of slots entries (1..4096) reporting a key at most once per
//  window_ms. Returns NULL with errno (EINVAL, ENOMEM).
remote_limiter_t *remote_limiter_new (size_t slots, uint64_t window_ms);

//  Frees self and nulls the pointer. Accepts NULL.
void remote_limiter_destroy (remote_limiter_t **self_p);

//  True when key should be reported now: first seen, or last reported
//  window_ms or more before now_ms. Then *suppressed (when not NULL) is
//  how many times it was held back since; false counts one more. When
//  the table is full the entry reported longest ago gives way. Keys are
//  compared on their first 255 bytes.
bool remote_limiter_allow (remote_limiter_t *self, const char *key, uint64_t now_ms,
                           uint64_t *suppressed);

//  A budget of lines for all peers together (a token bucket): burst
//  lines at once, then rate_per_min a minute. Pure. Zero value: full.
typedef struct {
    uint64_t last_ms;           //  when tokens was last brought up to date
    uint32_t tokens;
    bool started;
} remote_budget_t;

//  True when one more line may go out at now_ms (and takes it).
bool remote_budget_take (remote_budget_t *self, uint32_t burst, uint32_t rate_per_min,
                         uint64_t now_ms);

//  The verdict on one malformed message from a peer: log it (with how
//  many were held back since), or hold it back. Per peer once a window,
//  and all peers together within the budget, so neither one peer nor a
//  churn of new connections can flood the log.
typedef struct {
    remote_limiter_t *peers;
    remote_budget_t budget;
    uint32_t burst, rate_per_min;
    uint64_t held;              //  held back by the budget since the last line
} remote_gate_t;

bool remote_gate_allow (remote_gate_t *self, const char *peer, uint64_t now_ms,
                        uint64_t *held);

//  ---------------------------------------------------------------------
//  The reporter: peers on the tcp endpoints, and malformed messages from
//  any peer, into the log and events, within the limits above.

typedef struct remote remote_t;

//  A reporter recording its events in outbox (borrowed). NULL with errno.
remote_t *remote_new (outbox_t *outbox);
//  Stops watching (remote_unwatch) and frees self. Accepts NULL; nulls
//  *self_p.
void remote_destroy (remote_t **self_p);

//  Watches in loop what security (NULL without tcp endpoints) refuses and
//  the failed handshakes on the tcp sockets workers and clients (either
//  NULL without it; *_listen: their endpoints, for the reports). All
//  borrowed until remote_unwatch, which must come before the loop or
//  the sockets go. 0, or -1 when the loop would not take a reader.
int remote_watch (remote_t *self, zloop_t *loop, security_server_t *security,
                  zsock_t *workers, const char *workers_listen, zsock_t *clients,
                  const char *clients_listen);
void remote_unwatch (remote_t *self);

//  Log (warn) and record event type with fields (taken; "reason" is set
//  to the message), at most once a minute for the same type and key; in
//  between, the repeats are counted and logged at debug. self NULL (a
//  part tested without one): logged every time, recorded nowhere.
void remote_report (remote_t *self, const char *type, const char *key, json_t *fields,
                    const char *format, ...) __attribute__ ((format (printf, 5, 6)));
//  A malformed message from a peer (a local worker or any client), logged
//  once a minute per peer (the key) and within a budget for all peers.
void remote_malformed (remote_t *self, const char *peer, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  True at most every 5 s, and only with CURVE on: then the caller asks
//  remote_worker_revoked about each remote worker.
bool remote_keys_due (remote_t *self, uint64_t now_ms);

//  A remote worker as the key check sees it.
typedef struct {
    const char *component;
    pid_t pid;
    const char *host;
    const char *address;        //  the IP address it connects from
    const char *peer_key;       //  its CURVE public key (Z85)
} remote_worker_t;

//  True when worker's key was removed from, or expired in, the keys the
//  workers endpoint allows: reported (security.refused) for the caller
//  to drop it.
bool remote_worker_revoked (remote_t *self, const remote_worker_t *worker);

//  A peer's name for the log, "KIND HEX[ at ADDRESS]" from its routing id
//  and, over tcp, the address header came from.
void remote_peer_name (const char *kind, zframe_t *identity, zframe_t *header, char *buf,
                       size_t size);
//  The IP address a frame came from over tcp, "" otherwise.
void remote_peer_address (zframe_t *frame, char *address, size_t size);

#endif
