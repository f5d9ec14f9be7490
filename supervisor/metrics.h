/*  supervisor/metrics.h - readme2ci's metric families, and the HTTP
    endpoint (libmicrohttpd) that serves them to Prometheus from the
    supervisor's zloop.  */
#ifndef METRICS_H_INCLUDED
#define METRICS_H_INCLUDED

#include "common/prom.h"

#include <stdbool.h>
#include <stdint.h>

//  czmq's reactor, declared as czmq_library.h does: <czmq.h> pulls in
//  <syslog.h>, whose LOG_INFO and LOG_DEBUG macros break supervisor/log.h
//  when it comes later, so this header leaves it out.
typedef struct _zloop_t zloop_t;

//  The families metrics_register makes, with their labels. Label values:
//  outcome is "completed", "failed", "timed_out" or "shed"; priority is
//  a level name from wire_priority_level (); component is "parser",
//  "detector" or "generator"; state is a worker state ("starting",
//  "ready", "stopping").
//
//    prom_counter_add (reg, METRICS_WORKFLOWS,
//                      PROM_LABELS ("completed", "normal"), 1);
//    prom_histogram_observe (reg, METRICS_STEP_SECONDS,
//                            PROM_LABELS ("parser"), elapsed_ms / 1000.0);

//  counter {outcome, priority}: workflows that ended, by how.
#define METRICS_WORKFLOWS           "readme2ci_workflows_total"
//  gauge {priority}: workflows waiting for a worker.
#define METRICS_QUEUE_DEPTH         "readme2ci_queue_depth"
//  histogram {component}: seconds from sending a job to its result,
//  buckets 0.0001 to 10.
#define METRICS_STEP_SECONDS        "readme2ci_step_duration_seconds"
//  counter {component}: workers started again after an unexpected exit.
#define METRICS_WORKER_RESTARTS     "readme2ci_worker_restarts_total"
//  gauge {component}: one of metrics_breaker_t.
#define METRICS_BREAKER_STATE       "readme2ci_breaker_state"
//  gauge {component, state}: workers per state.
#define METRICS_WORKERS             "readme2ci_workers"
//  counter: bytes appended to the journal.
#define METRICS_JOURNAL_BYTES       "readme2ci_journal_bytes_total"
//  histogram: seconds per journal fsync, buckets 0.00001 to 1.
#define METRICS_JOURNAL_FSYNC       "readme2ci_journal_fsync_seconds"
//  gauge: 1 while the journal takes writes, 0 while they fail (a full
//  disk, a file size limit): the supervisor then refuses new work.
#define METRICS_JOURNAL_WRITABLE    "readme2ci_journal_writable"
//  gauge: 1 while the supervisor serves.
#define METRICS_UP                  "readme2ci_up"

//  Values of METRICS_BREAKER_STATE.
typedef enum {
    METRICS_BREAKER_CLOSED = 0,
    METRICS_BREAKER_HALF_OPEN = 1,
    METRICS_BREAKER_OPEN = 2
} metrics_breaker_t;

//  Registers the families above in reg, and makes every series whose
//  label values are known in advance (each outcome by priority, each
//  priority, each component, each component by state) at 0, so a
//  dashboard sees zeros rather than missing series. Pure: no I/O.
//  Returns 0, or -1 with errno from prom_register (EEXIST when called
//  twice on one registry).
int metrics_register (prom_t *reg);

//  --------------------------------------------------------------------
//  The HTTP endpoint. It serves GET (and HEAD) /metrics as the text
//  format 0.0.4; any other path is 404, any other method 405. It runs on
//  the caller's thread, driven by the caller's loop: libmicrohttpd in
//  external epoll mode, whose one epoll fd a zloop poller watches, plus a
//  one-shot timer for libmicrohttpd's own timeouts. No thread, no lock:
//  the registry is read at scrape time by the thread that updates it.

typedef struct metrics metrics_t;

//  Called at each scrape before the registry is written out, on the
//  loop's thread, so gauges computed from the server's state (queue
//  depth, workers) can be set just in time.
typedef void (metrics_refresh_fn) (prom_t *registry, void *arg);

//  Listens on address, "HOST:PORT" as the config's metrics key has it:
//  an IPv4 address, "[IPv6]", a host name (each of its addresses is
//  tried in turn) or "*" for every IPv4 interface; PORT 0 picks a free
//  port (see metrics_port). registry is borrowed and must outlive the
//  endpoint. Returns NULL with errno and a message logged: EINVAL for a
//  malformed address, ENOENT for a host name that does not resolve, the
//  bind error (EADDRINUSE, EACCES...) otherwise.
metrics_t *metrics_new (prom_t *registry, const char *address);

//  Stops listening, closes every connection, and removes the endpoint's
//  poller and timer from the loop it was attached to (destroy the
//  endpoint before that loop). Accepts NULL; nulls *self_p.
void metrics_destroy (metrics_t **self_p);

//  Sets the refresh callback (NULL for none).
void metrics_set_refresh (metrics_t *self, metrics_refresh_fn *fn, void *arg);

//  Serves from loop: adds a poller on metrics_fd and the timeout timer.
//  One loop at a time. Returns 0, or -1 (EBUSY when already attached,
//  ENOMEM).
int metrics_attach (metrics_t *self, zloop_t *loop);

//  The port listened on (the one picked when the address asked for 0).
uint16_t metrics_port (metrics_t *self);

//  For loops other than zloop: the fd that is readable whenever there is
//  work; call metrics_run then, and at the latest after
//  metrics_timeout_ms. metrics_run never blocks. Returns 0, or -1 (EIO)
//  when libmicrohttpd fails.
int metrics_fd (metrics_t *self);
int metrics_run (metrics_t *self);
//  Milliseconds until metrics_run must be called even without activity
//  on metrics_fd; -1 when there is no such deadline.
int64_t metrics_timeout_ms (metrics_t *self);

//  Scrapes served since start (200 responses to GET or HEAD /metrics).
uint64_t metrics_scrapes (metrics_t *self);

#endif
