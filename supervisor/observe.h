/*  supervisor/observe.h - the supervisor's observability glue: metrics
    updated from its events and from a status it is asked for, the
    /metrics endpoint, and the systemd notifications (ready, stopping,
    watchdog). It knows nothing of the supervisor's own structures.  */
#ifndef OBSERVE_H_INCLUDED
#define OBSERVE_H_INCLUDED

#include "common/breaker.h"
#include "common/jio.h"
#include "common/names.h"
#include "common/pqueue.h"
#include "common/prom.h"

#include <stdbool.h>
#include <stdint.h>

//  czmq's reactor and jansson's value, declared as their headers do (see
//  metrics.h for why <czmq.h> is left out of our headers).
typedef struct _zloop_t zloop_t;
typedef struct json_t json_t;

typedef struct observe observe_t;

//  What observe reads of the supervisor, asked for at each scrape and
//  when a worker becomes ready.
#define OBSERVE_COMPONENTS_MAX 8
typedef struct {
    const char *name;
    uint32_t workers [WORKER_STATES];   //  how many in each state
    uint32_t desired;           //  how many it wants
    const pqueue_t *queue;      //  its waiting work by priority (borrowed)
    breaker_state_t breaker;
    uint64_t restarts;          //  since the start
} observe_component_t;

typedef struct {
    observe_component_t components [OBSERVE_COMPONENTS_MAX];
    size_t components_count;
    bool journal_writable;
    bool draining;
} observe_status_t;

//  Fills status (zeroed before the call).
typedef void observe_status_fn (void *arg, observe_status_t *status);

//  A registry with readme2ci's metric families, and the systemd notifier
//  (NOTIFY_SOCKET, WATCHDOG_USEC read now), reading the supervisor
//  through status (arg is given back to it). Call before the journal
//  opens, so observe_journal_io can measure it. Returns NULL (ENOMEM).
observe_t *observe_new (observe_status_fn *status, void *arg);

//  Stops serving metrics and the watchdog; destroy before the loop it
//  was attached to. Accepts NULL; nulls *self_p.
void observe_destroy (observe_t **self_p);

//  Starts the endpoint on address (the config's metrics; NULL or "": no
//  endpoint) and the watchdog pings, both driven by loop. Returns 0, or
//  -1 with errno and a message logged when the address cannot be
//  listened on.
int observe_attach (observe_t *self, zloop_t *loop, const char *address);

//  Accounts for one event the supervisor recorded (type as in
//  outbox_event; fields borrowed): workflows by outcome and priority,
//  and READY=1 to systemd once every component first has its workers.
void observe_event (observe_t *self, const char *type, json_t *fields);

//  One step's time, from sending the job to its result, for the
//  component called component.
void observe_step (observe_t *self, const char *component, uint64_t elapsed_us);

//  STOPPING=1 to systemd, with why as its status line.
void observe_stopping (observe_t *self, const char *why);

//  An I/O table that passes every call to inner (NULL: the real calls)
//  and counts the bytes written and the time each fsync took. Borrowed:
//  valid as long as self; inner must outlive it too.
const jio_t *observe_journal_io (observe_t *self, const jio_t *inner);

//  The registry (borrowed), with the gauges brought up to date first.
prom_t *observe_registry (observe_t *self);

//  The port metrics are served on, or 0 when they are not.
uint16_t observe_metrics_port (observe_t *self);

//  True once READY=1 was due (whether or not systemd listens).
bool observe_ready (observe_t *self);

#endif
