/*  supervisor/outbox.h - what the supervisor says: events recorded (the
    journal, then the PUB stream, the log and the metrics) and answers to
    clients, now or once the event they report is durable. It borrows
    what it writes to: the ledger, observe's counters, the events socket
    and the client sockets; server.c hands them over as they come to be.  */
#ifndef OUTBOX_H_INCLUDED
#define OUTBOX_H_INCLUDED

#include "supervisor/ledger.h"
#include "supervisor/observe.h"

#include <czmq.h>
#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct outbox outbox_t;

//  An outbox with nothing to write to yet. NULL with errno ENOMEM.
outbox_t *outbox_new (void);
//  Accepts NULL; nulls *self_p. What it borrowed is left alone.
void outbox_destroy (outbox_t **self_p);

//  Where events are recorded (borrowed; must be set before the first
//  event) and counted (borrowed; NULL: not counted).
void outbox_set_ledger (outbox_t *self, ledger_t *ledger);
void outbox_set_observe (outbox_t *self, observe_t *observe);
//  Where events are published, and the sockets clients come on: front
//  (ipc) and front_tcp (listen.clients, NULL without). All borrowed.
void outbox_set_sockets (outbox_t *self, zsock_t *events, zsock_t *front,
                         zsock_t *front_tcp);

//  Record an event (journal, then the PUB stream); the fields object is
//  taken. The _bytes form adds up to two bytes fields (journal only).
//  Returns the event's seq (0 when it waits for the disk to recover).
uint64_t outbox_event (outbox_t *self, const char *type, json_t *fields);
uint64_t outbox_event_bytes (outbox_t *self, const char *type, json_t *fields,
                             const char *key1, zframe_t *bytes1,
                             const char *key2, zframe_t *bytes2);
//  Publish text under type on the PUB stream alone (what is already in
//  the journal, such as a snapshot's parts).
void outbox_publish (outbox_t *self, const char *type, const char *text);
//  Answer a client now (requests that change nothing).
void outbox_reply (outbox_t *self, zframe_t *identity, uint64_t req_id, int code,
                   const char *workflow_id, const char *message, bool degraded,
                   const void *body, size_t body_size);
//  Answer a client with a finished workflow's text (code 0); no_tests:
//  the workflow has no test command (REPLY "notest").
void outbox_reply_result (outbox_t *self, zframe_t *identity, uint64_t req_id,
                          const char *workflow_id, bool degraded, bool no_tests,
                          const void *body, size_t body_size);
//  Answer a client once the last recorded event is on disk.
void outbox_reply_held (outbox_t *self, zframe_t *identity, uint64_t req_id, int code,
                        const char *workflow_id, const char *message, bool degraded,
                        bool accepted, const void *body, size_t body_size);
//  Send to a client: identity is as the supervisor keeps it (its first
//  byte tags the socket the client came on: 2 front_tcp, else front).
//  Takes header and payloads. 0, or -1 when it could not be sent.
int outbox_send_client (outbox_t *self, zframe_t *identity, uint8_t *header, size_t size,
                        zframe_t **payloads, size_t count);

#endif
