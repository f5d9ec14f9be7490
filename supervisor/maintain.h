/*  supervisor/maintain.h - the maintain-* requests: journal info, cleanup
    (a snapshot of the state, then the segments before it removed) and
    backup (copied a slice per timer tick). What it needs of the rest of
    the supervisor comes through maintain_hooks_t (server.c wires it);
    the ledger, the results, the outbox, the loop and the config are
    borrowed.  */
#ifndef MAINTAIN_H_INCLUDED
#define MAINTAIN_H_INCLUDED

#include "common/config.h"
#include "common/names.h"
#include "proto/wire.h"
#include "supervisor/ledger.h"
#include "supervisor/outbox.h"
#include "supervisor/results.h"
#include "shared/snapshot.h"

#include <czmq.h>

typedef struct maintain maintain_t;

//  What a snapshot takes from the supervisor's state besides its
//  results. arg is given back to each.
typedef struct {
    //  Each component's desired worker count (snapshot_set_desired).
    void (*add_desired) (void *arg, snapshot_t *state);
    //  The workflows in progress, inputs included, as their
    //  workflow.queued events (snapshot_add_pending), oldest accepted
    //  first. 0, or -1 with errno.
    int (*add_pending) (void *arg, snapshot_t *state);
    void *arg;
} maintain_hooks_t;

//  Answers the maintain-* requests for the journal in state_dir (copied;
//  "" without one), with config's retention and results.keep read as
//  they are at each request. NULL with errno ENOMEM.
maintain_t *maintain_new (const config_t *config, const char *state_dir, ledger_t *ledger,
                          results_t *results, outbox_t *outbox, zloop_t *loop,
                          const maintain_hooks_t *hooks);
//  Abandons a backup in progress (its DEST.partial stays); before the
//  ledger and the loop go. Accepts NULL; nulls *self_p.
void maintain_destroy (maintain_t **self_p);

void maintain_on_request (maintain_t *self, zframe_t *identity, const wire_request_t *request);

#endif
