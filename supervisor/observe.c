/*  supervisor/observe.c - metrics from the supervisor's events and state,
    the /metrics endpoint, and systemd readiness, stopping and watchdog.  */
#include "supervisor/observe.h"

#include "supervisor/log.h"
#include "supervisor/metrics.h"
#include "supervisor/notify.h"
#include "proto/wire.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct observe {
    observe_status_fn *status;
    void *status_arg;
    prom_t *registry;
    metrics_t *metrics;         //  NULL when not configured
    notify_t *notify;
    bool ready;                 //  READY=1 was due
    uint64_t restarts_seen [OBSERVE_COMPONENTS_MAX];
    jio_t io;                   //  the journal's measuring I/O table
    const jio_t *inner;
};

static void s_refresh (prom_t *registry, void *arg);

observe_t *
observe_new (observe_status_fn *status, void *arg)
{
    observe_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->status = status;
    self->status_arg = arg;
    self->registry = prom_new ();
    self->notify = notify_new ();
    if (!self->registry || !self->notify || metrics_register (self->registry)) {
        observe_destroy (&self);
        errno = ENOMEM;
        return NULL;
    }
    return self;
}

void
observe_destroy (observe_t **self_p)
{
    observe_t *self = *self_p;
    if (!self)
        return;
    metrics_destroy (&self->metrics);
    notify_destroy (&self->notify);
    prom_destroy (&self->registry);
    free (self);
    *self_p = NULL;
}

int
observe_attach (observe_t *self, zloop_t *loop, const char *address)
{
    if (address && *address) {
        self->metrics = metrics_new (self->registry, address);
        if (!self->metrics)
            return -1;
        metrics_set_refresh (self->metrics, s_refresh, self);
        if (metrics_attach (self->metrics, loop))
            return -1;
        log_info ("metrics served at /metrics on %s (port %u)", address,
                  (unsigned) metrics_port (self->metrics));
    }
    if (notify_attach (self->notify, loop))
        return -1;
    if (notify_watchdog_usec (self->notify))
        log_info ("systemd watchdog: pinging every %llu ms",
                  (unsigned long long) notify_watchdog_usec (self->notify) / 2000);
    return 0;
}

//  --------------------------------------------------------------------
//  Events

//  The supervisor's status, as its callback tells it.
static observe_status_t
s_status (observe_t *self)
{
    observe_status_t status;
    memset (&status, 0, sizeof status);
    self->status (self->status_arg, &status);
    if (status.components_count > OBSERVE_COMPONENTS_MAX)
        status.components_count = OBSERVE_COMPONENTS_MAX;
    return status;
}

//  True when every component has as many ready workers as it wants.
static bool
s_all_ready (const observe_status_t *status)
{
    for (size_t c = 0; c < status->components_count; c++)
        if (status->components [c].workers [W_READY] < status->components [c].desired)
            return false;
    return true;
}

//  READY=1 to systemd once every component first has its workers.
static void
s_check_ready (observe_t *self)
{
    observe_status_t status = s_status (self);
    if (!s_all_ready (&status))
        return;
    self->ready = true;
    size_t workers = 0;
    for (size_t c = 0; c < status.components_count; c++)
        workers += status.components [c].desired;
    char text [128];
    snprintf (text, sizeof text, "ready: %zu workers", workers);
    if (notify_ready (self->notify, text))
        log_warn ("cannot tell systemd we are ready: %s", strerror (errno));
    else
    if (notify_enabled (self->notify))
        log_info ("told systemd: %s", text);
}

static void
s_count_workflow (observe_t *self, const char *outcome, json_t *fields)
{
    json_t *priority = json_object_get (fields, "priority");
    const char *level = wire_priority_level (json_is_integer (priority)
        ? (int32_t) json_integer_value (priority): WIRE_PRIORITY_NORMAL);
    prom_counter_add (self->registry, METRICS_WORKFLOWS, PROM_LABELS (outcome, level), 1);
}

void
observe_event (observe_t *self, const char *type, json_t *fields)
{
    if (!self || !type)
        return;
    if (strcmp (type, "workflow.completed") == 0)
        s_count_workflow (self, "completed", fields);
    else
    if (strcmp (type, "workflow.shed") == 0)
        s_count_workflow (self, "shed", fields);
    else
    if (strcmp (type, "workflow.failed") == 0) {
        //  Exit code 4 is a deadline that passed (flow.c's timeouts).
        json_int_t code = json_integer_value (json_object_get (fields, "code"));
        s_count_workflow (self, code == 4? "timed_out": "failed", fields);
    }
    else
    if (strcmp (type, "worker.ready") == 0 && !self->ready)
        s_check_ready (self);
}

void
observe_step (observe_t *self, const char *component, uint64_t elapsed_us)
{
    if (self)
        prom_histogram_observe (self->registry, METRICS_STEP_SECONDS,
                                PROM_LABELS (component), (double) elapsed_us / 1e6);
}

void
observe_stopping (observe_t *self, const char *why)
{
    if (!self)
        return;
    char status [128];
    snprintf (status, sizeof status, "stopping: %s", why);
    if (notify_stopping (self->notify, status))
        log_warn ("cannot tell systemd we are stopping: %s", strerror (errno));
}

bool
observe_ready (observe_t *self)
{
    return self && self->ready;
}

//  --------------------------------------------------------------------
//  Gauges, set from the state at each scrape

static void
s_count_level (void *item, int32_t priority, pqueue_handle_t handle, void *arg)
{
    (void) item;
    (void) handle;
    prom_gauge_add (arg, METRICS_QUEUE_DEPTH, PROM_LABELS (wire_priority_level (priority)), 1);
}

static void
s_refresh (prom_t *registry, void *arg)
{
    observe_t *self = arg;
    observe_status_t status = s_status (self);
    for (size_t i = 0; i < WIRE_PRIORITY_LEVELS; i++)
        prom_gauge_set (registry, METRICS_QUEUE_DEPTH, PROM_LABELS (wire_priority_names [i]), 0);
    prom_clear (registry, METRICS_WORKERS);
    for (size_t c = 0; c < status.components_count; c++) {
        const observe_component_t *component = &status.components [c];
        const char *name = component->name;
        if (component->queue)
            pqueue_each (component->queue, s_count_level, registry);
        //  Every state shows, at 0 when no worker is in it.
        for (size_t s = 0; s < WORKER_STATES; s++)
            prom_gauge_set (registry, METRICS_WORKERS,
                            PROM_LABELS (name, names_worker_states [s]), 0);
        for (size_t s = 0; s < WORKER_STATES; s++)
            if (component->workers [s])
                prom_gauge_add (registry, METRICS_WORKERS,
                                PROM_LABELS (name, names_worker_states [s]),
                                (double) component->workers [s]);
        breaker_state_t state = component->breaker;
        double value = state == BREAKER_OPEN? METRICS_BREAKER_OPEN
                     : state == BREAKER_HALF_OPEN? METRICS_BREAKER_HALF_OPEN
                     : METRICS_BREAKER_CLOSED;
        prom_gauge_set (registry, METRICS_BREAKER_STATE, PROM_LABELS (name), value);
        if (component->restarts > self->restarts_seen [c]) {
            prom_counter_add (registry, METRICS_WORKER_RESTARTS, PROM_LABELS (name),
                              (double) (component->restarts - self->restarts_seen [c]));
            self->restarts_seen [c] = component->restarts;
        }
    }
    prom_gauge_set (registry, METRICS_JOURNAL_WRITABLE, NULL, status.journal_writable? 1: 0);
    prom_gauge_set (registry, METRICS_UP, NULL, status.draining? 0: 1);
}

prom_t *
observe_registry (observe_t *self)
{
    s_refresh (self->registry, self);
    return self->registry;
}

uint16_t
observe_metrics_port (observe_t *self)
{
    return self && self->metrics? metrics_port (self->metrics): 0;
}

//  --------------------------------------------------------------------
//  The journal's I/O, measured

static double
s_seconds (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
s_open (void *ctx, const char *path, int flags, mode_t mode)
{
    observe_t *self = ctx;
    return self->inner->open (self->inner->ctx, path, flags, mode);
}

static ssize_t
s_pread (void *ctx, int fd, void *buf, size_t size, off_t offset)
{
    observe_t *self = ctx;
    return self->inner->pread (self->inner->ctx, fd, buf, size, offset);
}

static ssize_t
s_pwrite (void *ctx, int fd, const void *buf, size_t size, off_t offset)
{
    observe_t *self = ctx;
    ssize_t n = self->inner->pwrite (self->inner->ctx, fd, buf, size, offset);
    if (n > 0)
        prom_counter_add (self->registry, METRICS_JOURNAL_BYTES, NULL, (double) n);
    return n;
}

static int
s_fsync (void *ctx, int fd)
{
    observe_t *self = ctx;
    double start = s_seconds ();
    int rc = self->inner->fsync (self->inner->ctx, fd);
    if (rc == 0)
        prom_histogram_observe (self->registry, METRICS_JOURNAL_FSYNC, NULL,
                                s_seconds () - start);
    return rc;
}

static int
s_ftruncate (void *ctx, int fd, off_t size)
{
    observe_t *self = ctx;
    return self->inner->ftruncate (self->inner->ctx, fd, size);
}

static int
s_fsize (void *ctx, int fd, uint64_t *size_p)
{
    observe_t *self = ctx;
    return self->inner->fsize (self->inner->ctx, fd, size_p);
}

static int
s_close (void *ctx, int fd)
{
    observe_t *self = ctx;
    return self->inner->close (self->inner->ctx, fd);
}

static int
s_rename (void *ctx, const char *from, const char *to)
{
    observe_t *self = ctx;
    return self->inner->rename (self->inner->ctx, from, to);
}

static int
s_unlink (void *ctx, const char *path)
{
    observe_t *self = ctx;
    return self->inner->unlink (self->inner->ctx, path);
}

static int
s_mkdir (void *ctx, const char *path, mode_t mode)
{
    observe_t *self = ctx;
    return self->inner->mkdir (self->inner->ctx, path, mode);
}

static int
s_rmdir (void *ctx, const char *path)
{
    observe_t *self = ctx;
    return self->inner->rmdir (self->inner->ctx, path);
}

static int
s_list (void *ctx, const char *dir, jio_name_fn *fn, void *arg)
{
    observe_t *self = ctx;
    return self->inner->list (self->inner->ctx, dir, fn, arg);
}

const jio_t *
observe_journal_io (observe_t *self, const jio_t *inner)
{
    if (!self)
        return inner;
    self->inner = inner? inner: jio_default ();
    self->io = (jio_t) {
        .ctx = self, .open = s_open, .pread = s_pread, .pwrite = s_pwrite,
        .fsync = s_fsync, .ftruncate = s_ftruncate, .fsize = s_fsize,
        .close = s_close, .rename = s_rename, .unlink = s_unlink,
        .mkdir = s_mkdir, .rmdir = s_rmdir, .list = s_list
    };
    return &self->io;
}
