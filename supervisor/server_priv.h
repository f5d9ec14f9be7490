/*  supervisor/server_priv.h - the supervisor's state, seen by server.c
    alone (sockets, signals, timers, life cycle): it owns the parts, each
    a type of its own (pool.h, flow.h, control.h, reload.h, remote.h,
    outbox.h, ledger.h, ...), hands each what it borrows and wires their
    hooks. No part includes it. Not a public header.  */
#ifndef SERVER_PRIV_H_INCLUDED
#define SERVER_PRIV_H_INCLUDED

#include "common/backoff.h"
#include "common/breaker.h"
#include "common/event.h"
#include "common/jio.h"
#include "common/journal.h"
#include "common/config.h"
#include "common/names.h"
#include "common/pqueue.h"
#include "common/restart.h"
#include "proto/wire.h"
#include "supervisor/flow.h"
#include "supervisor/control.h"
#include "supervisor/ledger.h"
#include "supervisor/maintain.h"
#include "supervisor/outbox.h"
#include "supervisor/pool.h"
#include "supervisor/reload.h"
#include "supervisor/remote.h"
#include "supervisor/security.h"
#include "supervisor/server.h"

#include <czmq.h>
#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_MSG_BYTES (64 * 1024 * 1024)

struct server {
    config_t cfg;
    char runtime_dir [4096];
    char state_dir [4096];      //  "" runs without a journal
    char config_path [4096];    //  "" when started without a config file
    char worker_dir [4096];
    char front_ep [4200];
    char back_ep [4200];
    char events_ep [4200];
    zloop_t *loop;
    zsock_t *front;
    zsock_t *back;
    zsock_t *events;
    zsock_t *front_tcp;         //  listen.clients, CURVE unless insecure loopback
    zsock_t *back_tcp;          //  listen.workers
    security_server_t *security;
    remote_t *remote;           //  reports about peers (remote.c)
    int sigfd;
    pool_t *pool;               //  the workers (pool.c)
    reload_t *reload;           //  the config file read again (reload.c)
    flow_t *flow;               //  the workflows (flow.c)
    results_t *results;         //  the last results, for `result` (results.c)
    uint64_t started_ms;
    bool draining;
    uint64_t drain_deadline_ms;
    bool stopping;              //  BYE sent to workers
    uint64_t kill_deadline_ms;
    bool terminated;            //  SIGTERM sent to workers
    spool_t *spool;             //  inputs of queued work, out of memory; NULL: none
    uint64_t last_trim_ms;      //  the heap last trimmed (client traffic, flow_trim)
    uint64_t front_heard_ms;    //  the last client message
    bool front_trim_due;        //  client traffic since the last trim
    ledger_t *ledger;           //  the journal, and answers waiting for it (ledger.c)
    maintain_t *maintain;       //  the maintain-* requests (maintain.c)
    observe_t *observe;         //  metrics and systemd (observe.c)
    outbox_t *outbox;           //  events and answers (outbox.c)
    control_t *control;         //  client requests (control.c)
};

#endif
