/*  tests/bench/bench_restart.c - times SIGKILL of an idle worker to its
    replacement's READY, under our supervisor or under another supervisor
    (supervisord) whose worker connects to a socket this program binds.  */
#include "common/util.h"
#include "proto/wire.h"
#include "cli/client.h"
#include "shared/bus.h"

#include <czmq.h>
#include <jansson.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_KILLS 1000
#define WAIT_MS 5000

static const char *const s_usage_text =
    "usage: bench_restart --front EP --events EP [--kills N]\n"
    "       bench_restart --router EP [--kills N]\n"
    "\n"
    "Kills an idle worker with SIGKILL N times (default 30) and times each\n"
    "replacement's READY. With --front/--events: the workers of a running\n"
    "readme2ci-supervisor, taking parser, detector and generator in turn;\n"
    "READY is its worker.ready event. With --router: binds EP as the worker\n"
    "endpoint for workers another supervisor keeps alive, and reads their\n"
    "READY messages itself. Prints one JSON line: kills, median_ms, p90_ms,\n"
    "min_ms, max_ms. Exit: 0 done, 1 a replacement never came, 2 usage.\n";

static const char *const s_components[] = {"parser", "detector", "generator"};

typedef struct {
    const char *front;
    const char *events;
    const char *router;
    uint64_t kills;
} args_t;

static uint64_t
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
s_compare_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double
s_quantile_ms (const uint64_t *sorted, size_t count, double q)
{
    size_t rank = (size_t)(q * (double)count + 0.999999);
    rank = rank < 1 ? 1 : rank > count ? count : rank;
    return count ? (double)sorted[rank - 1] / 1000.0 : -1;
}

//  The pid of a ready worker of component in the supervisor's status, or
//  0 when there is none.
static pid_t
s_ready_worker (client_t *client, const char *component)
{
    client_reply_t reply;
    if (client_request (client, "status", NULL, 0, 2000, &reply))
        return 0;
    json_t *status = json_loads (reply.body, 0, NULL);
    client_reply_release (&reply);
    pid_t pid = 0;
    size_t i, j;
    json_t *entry, *worker;
    json_array_foreach (json_object_get (status, "components"), i, entry)
    {
        const char *name = json_string_value (json_object_get (entry, "name"));
        if (!name || strcmp (name, component) != 0)
            continue;
        json_array_foreach (json_object_get (entry, "workers"), j, worker)
        {
            const char *state =
                json_string_value (json_object_get (worker, "state"));
            if (!pid && state && strcmp (state, "ready") == 0)
                pid =
                    (pid_t)json_integer_value (json_object_get (worker, "pid"));
        }
    }
    json_decref (status);
    return pid;
}

//  Waits for a worker.ready event of component from a pid other than old.
static int
s_await_event (zsock_t *sub, const char *component, pid_t old)
{
    uint64_t deadline = util_now_ms () + WAIT_MS;
    zpoller_t *poller = zpoller_new (sub, NULL);
    int rc = -1;
    while (poller && util_now_ms () < deadline) {
        if (!zpoller_wait (poller, (int)(deadline - util_now_ms ()) + 1))
            continue;
        char *type = NULL, *body = NULL;
        if (zsock_recv (sub, "ss", &type, &body) == 0 && body) {
            json_t *event = json_loads (body, 0, NULL);
            const char *name =
                json_string_value (json_object_get (event, "component"));
            pid_t pid =
                (pid_t)json_integer_value (json_object_get (event, "pid"));
            if (name && strcmp (name, component) == 0 && pid != old)
                rc = 0;
            json_decref (event);
        }
        zstr_free (&type);
        zstr_free (&body);
        if (rc == 0)
            break;
    }
    zpoller_destroy (&poller);
    return rc;
}

static int
s_run_tree (const args_t *args, uint64_t *times)
{
    client_t *client = client_new (args->front);
    zsock_t *sub = zsock_new_sub (args->events, "worker.ready");
    int rc = -1;
    if (!client || !sub) {
        fprintf (stderr, "bench_restart: cannot connect to %s / %s\n",
                 args->front, args->events);
        goto out_close;
    }
    //  Give the subscription time to reach the publisher: no event is
    //  expected, so this is a bounded wait of 200 ms.
    zpoller_t *poller = zpoller_new (sub, NULL);
    zpoller_wait (poller, 200);
    zpoller_destroy (&poller);
    for (uint64_t k = 0; k < args->kills; k++) {
        const char *component = s_components[k % 3];
        pid_t pid = 0;
        uint64_t deadline = util_now_ms () + WAIT_MS;
        while (!(pid = s_ready_worker (client, component)) &&
               util_now_ms () < deadline)
            zclock_sleep (5);
        if (!pid) {
            fprintf (stderr, "bench_restart: no ready %s worker\n", component);
            goto out_close;
        }
        uint64_t start = s_now_us ();
        if (kill (pid, SIGKILL)) {
            fprintf (stderr, "bench_restart: kill %d: %s\n", (int)pid,
                     strerror (errno));
            goto out_close;
        }
        if (s_await_event (sub, component, pid)) {
            fprintf (stderr,
                     "bench_restart: no new %s worker was ready within %d ms "
                     "of killing pid %d\n",
                     component, WAIT_MS, (int)pid);
            goto out_close;
        }
        times[k] = s_now_us () - start;
    }
    rc = 0;
out_close:
    zsock_destroy (&sub);
    client_destroy (&client);
    return rc;
}

//  Waits for a READY on the router from a pid other than old; answers it
//  with SETTINGS so the worker stays. Returns the pid, or 0.
static pid_t
s_await_ready (zsock_t *router, pid_t old, int wait_ms)
{
    uint64_t deadline = util_now_ms () + (uint64_t)wait_ms;
    zpoller_t *poller = zpoller_new (router, NULL);
    pid_t pid = 0;
    while (poller && !pid && util_now_ms () < deadline) {
        if (!zpoller_wait (poller, (int)(deadline - util_now_ms ()) + 1))
            continue;
        zmsg_t *msg = zmsg_recv (router);
        zframe_t *identity = msg ? zmsg_pop (msg) : NULL;
        zframe_t *header = msg ? zmsg_pop (msg) : NULL;
        wire_ready_t ready;
        if (header &&
            wire_ready_decode (&ready, zframe_data (header),
                               zframe_size (header)) == 0 &&
            (pid_t)ready.pid != old) {
            pid = (pid_t)ready.pid;
            //  A long liveness: the worker must not leave on its own.
            wire_settings_t settings = {.hb_ivl_ms = 1000, .hb_liveness = 100};
            uint8_t *buf;
            size_t size;
            if (wire_settings_encode (&settings, &buf, &size) == 0)
                bus_send (router, identity, buf, size, NULL, 0);
        }
        zframe_destroy (&identity);
        zframe_destroy (&header);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    return pid;
}

static int
s_run_router (const args_t *args, uint64_t *times)
{
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    if (!router || zsock_bind (router, "%s", args->router) < 0) {
        fprintf (stderr, "bench_restart: cannot bind %s\n", args->router);
        zsock_destroy (&router);
        return -1;
    }
    zsock_set_linger (router, 0);
    int rc = -1;
    pid_t pid = s_await_ready (router, 0, 10000);
    if (!pid) {
        fprintf (stderr,
                 "bench_restart: no worker connected to %s within 10 s\n",
                 args->router);
        goto out_close;
    }
    for (uint64_t k = 0; k < args->kills; k++) {
        uint64_t start = s_now_us ();
        if (kill (pid, SIGKILL)) {
            fprintf (stderr, "bench_restart: kill %d: %s\n", (int)pid,
                     strerror (errno));
            goto out_close;
        }
        pid_t next = s_await_ready (router, pid, WAIT_MS);
        if (!next) {
            fprintf (stderr,
                     "bench_restart: no replacement of pid %d within %d ms\n",
                     (int)pid, WAIT_MS);
            goto out_close;
        }
        times[k] = s_now_us () - start;
        pid = next;
    }
    rc = 0;
out_close:
    zsock_destroy (&router);
    return rc;
}

int
main (int argc, char **argv)
{
    zsys_handler_set (NULL);
    args_t args = {.kills = 30};
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp (argv[i], "--help") == 0) {
            fputs (s_usage_text, stdout);
            return 0;
        }
        if (!value) {
            fprintf (stderr, "bench_restart: '%s' needs a value\n%s", argv[i],
                     s_usage_text);
            return 2;
        }
        if (strcmp (argv[i], "--front") == 0)
            args.front = value;
        else if (strcmp (argv[i], "--events") == 0)
            args.events = value;
        else if (strcmp (argv[i], "--router") == 0)
            args.router = value;
        else if (strcmp (argv[i], "--kills") == 0) {
            char *end;
            errno = 0;
            args.kills = strtoull (value, &end, 10);
            if (errno || *end || args.kills == 0 || args.kills > MAX_KILLS) {
                fprintf (stderr, "bench_restart: --kills needs 1 to %d\n",
                         MAX_KILLS);
                return 2;
            }
        } else {
            fprintf (stderr, "bench_restart: unknown option '%s'\n%s", argv[i],
                     s_usage_text);
            return 2;
        }
        i++;
    }
    if (!args.router && (!args.front || !args.events)) {
        fputs (s_usage_text, stderr);
        return 2;
    }
    uint64_t times[MAX_KILLS];
    if ((args.router ? s_run_router (&args, times) : s_run_tree (&args, times)))
        return 1;
    qsort (times, args.kills, sizeof *times, s_compare_u64);
    printf ("{\"kills\": %" PRIu64 ", \"median_ms\": %.3f, \"p90_ms\": %.3f, "
            "\"min_ms\": %.3f, \"max_ms\": %.3f}\n",
            args.kills, s_quantile_ms (times, args.kills, 0.5),
            s_quantile_ms (times, args.kills, 0.9),
            s_quantile_ms (times, args.kills, 0.0),
            s_quantile_ms (times, args.kills, 1.0));
    return 0;
}
