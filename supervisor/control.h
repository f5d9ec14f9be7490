/*  supervisor/control.h - the requests of clients other than submissions
    (PROTOCOL.md, section 4): status and ping, health, result, down,
    config, reload, maintain-* and the component operations of `ctl`,
    each answered through the outbox. Owned by server.c, which hands
    over the parts it asks and is told of a `down`.  */
#ifndef CONTROL_H_INCLUDED
#define CONTROL_H_INCLUDED

#include "common/config.h"
#include "common/names.h"
#include "supervisor/flow.h"
#include "supervisor/ledger.h"
#include "supervisor/maintain.h"
#include "supervisor/outbox.h"
#include "supervisor/pool.h"
#include "supervisor/reload.h"
#include "supervisor/remote.h"
#include "supervisor/results.h"

#include <czmq.h>
#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>

typedef struct control control_t;

//  What control asks and tells, all borrowed. maintain may be NULL (its
//  requests are then unknown); the rest may not.
typedef struct {
    const config_t *cfg;        //  the supervisor's (`config` shows it)
    pool_t *pool;
    flow_t *flow;
    ledger_t *ledger;
    maintain_t *maintain;
    reload_t *reload;
    results_t *results;
    outbox_t *outbox;
    remote_t *remote;           //  where malformed requests are reported
    uint64_t started_ms;        //  the supervisor's start, for its uptime
    //  Asked to stop (a `down` request, answered first).
    void (*down) (void *arg, const char *why);
    void *arg;
} control_parts_t;

//  parts is copied. NULL with errno ENOMEM.
control_t *control_new (const control_parts_t *parts);
//  Accepts NULL; nulls *self_p.
void control_destroy (control_t **self_p);

//  A REQUEST header from a client (identity as the supervisor keeps it):
//  answered now, or when what it asked is journaled or done.
void control_on_request (control_t *self, zframe_t *identity, zframe_t *header);
//  The status document (`readme2ci status`); the caller owns it.
json_t *control_status (control_t *self);
//  True when op changes the tree: over tcp, only an operator may ask it.
bool control_needs_operator (const char *op);
//  True when the supervisor carries the ctl verb out (for tests/test_names.c).
bool control_ctl_handled (ctl_verb_t verb);

#endif
