/*  tests/support/outbox_rig.h - what the tests of the supervisor's parts
    share to stand in for its sockets: a client's identity as the
    supervisor keeps it, the reply a client gets, a subscriber that hears
    the stream, and ledger hooks that answer through an outbox.  */
#ifndef OUTBOX_RIG_H_INCLUDED
#define OUTBOX_RIG_H_INCLUDED

#include "supervisor/outbox.h"
#include "supervisor/pool.h"

//  client's routing id on router (learnt from a hello client sends),
//  tagged as the supervisor keeps it (1 ipc, 2 tcp). Caller destroys.
zframe_t *tu_client_identity (zsock_t *router, zsock_t *client, uint8_t tag);
//  The next reply client gets (within its receive timeout), and in *body
//  its payload (malloc'd; NULL: none). Aborts the test when none comes.
wire_reply_t tu_client_reply (zsock_t *client, char **body);
//  Publishes on outbox until sub hears (its subscription has arrived),
//  then drains what it heard. Aborts the test after about 5 seconds.
void tu_sub_ready (outbox_t *outbox, zsock_t *sub);
//  Ledger hooks that send answers through *outbox_p (read at each
//  send) and keep the journal's own I/O.
ledger_hooks_t tu_outbox_ledger_hooks (outbox_t **outbox_p);
//  A ledger without a journal (events numbered in memory) whose answers
//  go through *outbox_p, set as the outbox's ledger. Aborts the test when
//  it cannot be made.
ledger_t *tu_memory_ledger (outbox_t **outbox_p);
//  The next event sub hears (within its receive timeout): its type must
//  be type; its fields are returned (json_decref them). Aborts the test
//  when none comes or another type comes first.
json_t *tu_next_event (zsock_t *sub, const char *type);
//  Pool hooks that hear nothing, for a pool with no worker (tests of
//  the parts above it).
pool_hooks_t tu_pool_hooks_deaf (void);
//  The config's defaults with no worker wanted in any component.
void tu_config_no_workers (config_t *cfg);

#endif
