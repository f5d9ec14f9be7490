/*  supervisor/metrics.c - readme2ci's metric families and the /metrics
    endpoint: libmicrohttpd in external epoll mode, driven by a zloop.  */
#include "supervisor/metrics.h"

#include "common/names.h"
#include "proto/wire.h"
#include "supervisor/log.h"

#include <czmq.h>
#include <microhttpd.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CONNECTION_LIMIT 32
#define CONNECTION_TIMEOUT_S 10
#define RUN_ROUNDS 8            //  MHD_run calls in a row while work is pending

//  --------------------------------------------------------------------
//  The families

static const char *const s_outcomes [] = {
    "completed", "failed", "timed_out", "shed"
};

#define COUNT(array) (sizeof (array) / sizeof ((array) [0]))

static const double s_step_buckets [] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
static const double s_fsync_buckets [] = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1
};

typedef struct {
    const char *name;
    prom_type_t type;
    const char *help;
    const char *labels [2];
    size_t label_count;
    const double *buckets;
    size_t bucket_count;
} family_spec_t;

static const family_spec_t s_families [] = {
    { METRICS_WORKFLOWS, PROM_COUNTER,
      "Workflows that ended, by outcome and priority level.",
      { "outcome", "priority" }, 2, NULL, 0 },
    { METRICS_QUEUE_DEPTH, PROM_GAUGE,
      "Workflows waiting for a worker, by priority level.",
      { "priority" }, 1, NULL, 0 },
    { METRICS_STEP_SECONDS, PROM_HISTOGRAM,
      "Seconds from sending a job to a worker to its result, by component.",
      { "component" }, 1, s_step_buckets, COUNT (s_step_buckets) },
    { METRICS_WORKER_RESTARTS, PROM_COUNTER,
      "Workers started again after an unexpected exit, by component.",
      { "component" }, 1, NULL, 0 },
    { METRICS_BREAKER_STATE, PROM_GAUGE,
      "Circuit breaker of each component: 0 closed, 1 half-open, 2 open.",
      { "component" }, 1, NULL, 0 },
    { METRICS_WORKERS, PROM_GAUGE,
      "Worker processes, by component and state.",
      { "component", "state" }, 2, NULL, 0 },
    { METRICS_JOURNAL_BYTES, PROM_COUNTER,
      "Bytes appended to the journal.",
      { NULL }, 0, NULL, 0 },
    { METRICS_JOURNAL_FSYNC, PROM_HISTOGRAM,
      "Seconds per fsync of the journal.",
      { NULL }, 0, s_fsync_buckets, COUNT (s_fsync_buckets) },
    { METRICS_JOURNAL_WRITABLE, PROM_GAUGE,
      "1 while the journal takes writes, 0 while they fail and new work is refused.",
      { NULL }, 0, NULL, 0 },
    { METRICS_UP, PROM_GAUGE,
      "1 while the supervisor serves.",
      { NULL }, 0, NULL, 0 },
};

int
metrics_register (prom_t *reg)
{
    for (size_t i = 0; i < COUNT (s_families); i++) {
        const family_spec_t *spec = &s_families [i];
        if (prom_register (reg, spec->name, spec->type, spec->help,
                           spec->labels, spec->label_count, spec->buckets,
                           spec->bucket_count))
            return -1;
    }
    for (size_t p = 0; p < WIRE_PRIORITY_LEVELS; p++) {
        for (size_t o = 0; o < COUNT (s_outcomes); o++)
            if (prom_touch (reg, METRICS_WORKFLOWS,
                            PROM_LABELS (s_outcomes [o], wire_priority_names [p])))
                return -1;
        if (prom_touch (reg, METRICS_QUEUE_DEPTH,
                        PROM_LABELS (wire_priority_names [p])))
            return -1;
    }
    for (size_t c = 0; c < COMPONENT_COUNT; c++) {
        const char *component = names_components [c];
        if (prom_touch (reg, METRICS_STEP_SECONDS, PROM_LABELS (component))
        ||  prom_touch (reg, METRICS_WORKER_RESTARTS, PROM_LABELS (component))
        ||  prom_gauge_set (reg, METRICS_BREAKER_STATE, PROM_LABELS (component),
                            METRICS_BREAKER_CLOSED))
            return -1;
        for (size_t s = 0; s < WORKER_STATES; s++)
            if (prom_touch (reg, METRICS_WORKERS,
                            PROM_LABELS (component, names_worker_states [s])))
                return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------
//  The endpoint

struct metrics {
    prom_t *registry;           //  borrowed
    struct MHD_Daemon *daemon;
    int fd;                     //  libmicrohttpd's epoll fd
    uint16_t port;
    metrics_refresh_fn *refresh;
    void *refresh_arg;
    zloop_t *loop;              //  attached to, or NULL
    zmq_pollitem_t item;
    int timer_id;               //  0 when no timeout timer is armed
    uint64_t scrapes;
};

static void
s_on_mhd_log (void *arg, const char *format, va_list args)
    __attribute__ ((format (printf, 2, 0)));

//  libmicrohttpd's messages, one line each through our log.
static void
s_on_mhd_log (void *arg, const char *format, va_list args)
{
    (void) arg;
    char text [512];
    vsnprintf (text, sizeof text, format, args);
    text [strcspn (text, "\r\n")] = 0;
    log_warn ("metrics: %s", text);
}

static enum MHD_Result
s_respond (struct MHD_Connection *connection, unsigned status, const char *text,
           const char *allow)
{
    struct MHD_Response *response = MHD_create_response_from_buffer (
        strlen (text), (void *) text, MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             "text/plain; charset=utf-8");
    if (allow)
        MHD_add_response_header (response, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result result = MHD_queue_response (connection, status, response);
    MHD_destroy_response (response);
    return result;
}

static enum MHD_Result
s_on_request (void *arg, struct MHD_Connection *connection, const char *url,
              const char *method, const char *version, const char *upload_data,
              size_t *upload_data_size, void **request_state)
{
    (void) version;
    (void) upload_data;
    (void) upload_data_size;
    (void) request_state;
    metrics_t *self = arg;
    if (strcmp (url, "/metrics") != 0)
        return s_respond (connection, MHD_HTTP_NOT_FOUND,
                          "not found: the metrics are at /metrics\n", NULL);
    if (strcmp (method, MHD_HTTP_METHOD_GET) != 0
    &&  strcmp (method, MHD_HTTP_METHOD_HEAD) != 0)
        return s_respond (connection, MHD_HTTP_METHOD_NOT_ALLOWED,
                          "method not allowed: use GET\n", "GET, HEAD");
    if (self->refresh)
        self->refresh (self->registry, self->refresh_arg);
    size_t size;
    char *text = prom_render (self->registry, &size);
    if (!text)
        return s_respond (connection, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          "out of memory\n", NULL);
    struct MHD_Response *response = MHD_create_response_from_buffer (
        size, text, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        free (text);
        return MHD_NO;
    }
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             PROM_CONTENT_TYPE);
    enum MHD_Result result = MHD_queue_response (connection, MHD_HTTP_OK,
                                                 response);
    MHD_destroy_response (response);
    if (result == MHD_YES)
        self->scrapes++;
    return result;
}

//  Splits "HOST:PORT" (HOST may be "[v6]" or "*") into its parts.
static int
s_split_address (const char *address, char *host, size_t host_size,
                 char *port, size_t port_size)
{
    const char *colon = address? strrchr (address, ':'): NULL;
    if (!colon || colon == address)
        goto out_invalid;
    const char *start = address;
    size_t length = (size_t) (colon - address);
    if (*start == '[') {
        if (length < 3 || colon [-1] != ']')
            goto out_invalid;
        start++;
        length -= 2;
    }
    else
    if (memchr (start, ':', length))
        goto out_invalid;           //  a bare IPv6 address needs brackets
    if (length == 1 && *start == '*') {
        start = "0.0.0.0";
        length = strlen (start);
    }
    const char *digits = colon + 1;
    size_t count = strlen (digits);
    if (count == 0 || count > 5 || strspn (digits, "0123456789") != count
    ||  strtol (digits, NULL, 10) > 65535
    ||  length >= host_size || count >= port_size)
        goto out_invalid;
    memcpy (host, start, length);
    host [length] = 0;
    memcpy (port, digits, count + 1);
    return 0;

out_invalid:
    errno = EINVAL;
    return -1;
}

//  Starts libmicrohttpd on the first of address's addresses it can bind.
static int
s_start (metrics_t *self, const char *address)
{
    char host [256], port [8];
    if (s_split_address (address, host, sizeof host, port, sizeof port)) {
        log_error ("metrics: '%s' is not HOST:PORT", address? address: "");
        return -1;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV };
    struct addrinfo *found = NULL;
    int rc = getaddrinfo (host, port, &hints, &found);
    if (rc) {
        log_error ("metrics: cannot resolve %s: %s", host, gai_strerror (rc));
        errno = rc == EAI_SYSTEM? errno: rc == EAI_MEMORY? ENOMEM: ENOENT;
        return -1;
    }
    int error = EADDRNOTAVAIL;
    for (struct addrinfo *ai = found; ai && !self->daemon; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
        if (ai->ai_family == AF_INET6)
            flags |= MHD_USE_IPv6;
        errno = 0;
        self->daemon = MHD_start_daemon (
            flags, 0, NULL, NULL, s_on_request, self,
            MHD_OPTION_EXTERNAL_LOGGER, s_on_mhd_log, self,
            MHD_OPTION_SOCK_ADDR, ai->ai_addr,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned) CONNECTION_LIMIT,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) CONNECTION_TIMEOUT_S,
            MHD_OPTION_END);
        if (!self->daemon)
            error = errno? errno: EIO;
    }
    freeaddrinfo (found);
    if (!self->daemon) {
        log_error ("metrics: cannot listen on %s: %s", address,
                   strerror (error));
        errno = error;
        return -1;
    }
    return 0;
}

metrics_t *
metrics_new (prom_t *registry, const char *address)
{
    metrics_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->registry = registry;
    self->fd = -1;
    if (s_start (self, address))
        goto out_free;
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (!info || info->epoll_fd < 0) {
        log_error ("metrics: libmicrohttpd gave no epoll descriptor");
        errno = ENOTSUP;
        goto out_stop;
    }
    self->fd = info->epoll_fd;
    info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info? info->port: 0;
    return self;

out_stop:
    MHD_stop_daemon (self->daemon);
out_free:
    {
        int saved = errno;
        free (self);
        errno = saved;
    }
    return NULL;
}

static void
s_detach (metrics_t *self)
{
    if (!self->loop)
        return;
    zloop_poller_end (self->loop, &self->item);
    if (self->timer_id)
        zloop_timer_end (self->loop, self->timer_id);
    self->timer_id = 0;
    self->loop = NULL;
}

void
metrics_destroy (metrics_t **self_p)
{
    metrics_t *self = *self_p;
    if (!self)
        return;
    s_detach (self);
    MHD_stop_daemon (self->daemon);
    free (self);
    *self_p = NULL;
}

void
metrics_set_refresh (metrics_t *self, metrics_refresh_fn *fn, void *arg)
{
    self->refresh = fn;
    self->refresh_arg = arg;
}

uint16_t
metrics_port (metrics_t *self)
{
    return self->port;
}

int
metrics_fd (metrics_t *self)
{
    return self->fd;
}

int64_t
metrics_timeout_ms (metrics_t *self)
{
    MHD_UNSIGNED_LONG_LONG timeout;
    if (MHD_get_timeout (self->daemon, &timeout) != MHD_YES)
        return -1;
    return timeout > INT64_MAX? INT64_MAX: (int64_t) timeout;
}

int
metrics_run (metrics_t *self)
{
    //  Connections libmicrohttpd still has work for do not wake the epoll
    //  fd again (they are edge-triggered); a timeout of 0 says so.
    for (int round = 0; round < RUN_ROUNDS; round++) {
        if (MHD_run (self->daemon) != MHD_YES) {
            errno = EIO;
            return -1;
        }
        if (metrics_timeout_ms (self) != 0)
            break;
    }
    return 0;
}

uint64_t
metrics_scrapes (metrics_t *self)
{
    return self->scrapes;
}

static int s_on_timeout (zloop_t *loop, int timer_id, void *arg);

//  Arms the one-shot timer for libmicrohttpd's next deadline, if any.
static void
s_schedule (metrics_t *self)
{
    if (self->timer_id)
        zloop_timer_end (self->loop, self->timer_id);
    self->timer_id = 0;
    int64_t timeout = metrics_timeout_ms (self);
    if (timeout < 0)
        return;
    size_t delay = timeout < 1? 1: timeout > 60000? 60000: (size_t) timeout;
    int id = zloop_timer (self->loop, delay, 1, s_on_timeout, self);
    self->timer_id = id > 0? id: 0;
}

static void
s_serve (metrics_t *self)
{
    if (metrics_run (self))
        log_warn ("metrics: libmicrohttpd failed to run");
    s_schedule (self);
}

static int
s_on_ready (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    s_serve (arg);
    return 0;
}

static int
s_on_timeout (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    metrics_t *self = arg;
    if (self->timer_id == timer_id)
        self->timer_id = 0;         //  a one-shot timer ends by itself
    s_serve (self);
    return 0;
}

int
metrics_attach (metrics_t *self, zloop_t *loop)
{
    if (self->loop) {
        errno = EBUSY;
        return -1;
    }
    self->item = (zmq_pollitem_t) { NULL, self->fd, ZMQ_POLLIN, 0 };
    if (zloop_poller (loop, &self->item, s_on_ready, self)) {
        errno = ENOMEM;
        return -1;
    }
    zloop_poller_set_tolerant (loop, &self->item);
    self->loop = loop;
    s_schedule (self);
    return 0;
}
