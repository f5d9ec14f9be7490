/*  tests/bench/bench_client.c - drives a running supervisor for scripts/bench:
    pipelined submissions with per-workflow latency, a flood that checks
    the reactor stays responsive, or a wait until every worker is ready.  */
#include "common/util.h"
#include "proto/project.h"
#include "proto/wire.h"
#include "cli/client.h"
#include "cli/project_load.h"

#include <czmq.h>
#include <jansson.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const s_usage_text =
    "usage: bench_client --endpoint EP [--count N] [--window W] [--warmup N]\n"
    "                    [--timeout MS] [--flood] [--events EP] PATH...\n"
    "       bench_client --endpoint EP --wait-ready N [--timeout MS]\n"
    "       bench_client --endpoint EP --churn N [--window W]\n"
    "\n"
    "Submits N workflows (cycling over the PATHs, loaded once) with at most W\n"
    "in flight and prints one JSON line: count, ok, failed, seconds, per_s,\n"
    "p50_ms, p99_ms, max_ms. --warmup runs N first, one at a time, uncounted.\n"
    "--flood submits without waiting for replies while asking `status` every\n"
    "20 ms on a second socket, until the supervisor has accepted all N; it\n"
    "prints accept_s, the status round trips (max, p99) and, with --events,\n"
    "the worker deaths seen meanwhile. --wait-ready N waits until every\n"
    "component has N ready workers and prints the status document.\n"
    "--churn N opens N short connections, W (--window) at a time, each asking\n"
    "`status` once and closing, and prints connections and seconds.\n"
    "Exit: 0 done, 1 failed or timed out, 2 usage.\n";

typedef struct {
    const char *endpoint;
    const char *events;
    uint64_t count;
    uint64_t window;
    uint64_t warmup;
    int timeout_ms;
    bool flood;
    long wait_ready; //  -1 when not asked
    uint64_t churn;  //  short connections to open, 0: not asked
    char **paths;
    size_t paths_count;
} args_t;

typedef struct {
    uint8_t *docs;
    size_t docs_size;
    uint8_t *project;
    size_t project_size;
} input_t;

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

//  The q-quantile (0..1) of sorted values, nearest rank, in milliseconds.
static double
s_quantile_ms (const uint64_t *sorted, size_t count, double q)
{
    if (count == 0)
        return -1;
    size_t rank = (size_t)(q * (double)count + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > count)
        rank = count;
    return (double)sorted[rank - 1] / 1000.0;
}

static int
s_parse_number (const char *option, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long value = text ? strtoull (text, &end, 10) : 0;
    if (!text || errno || *end || *text == '-') {
        fprintf (stderr, "bench_client: %s needs a number\n", option);
        return -1;
    }
    *out = value;
    return 0;
}

static int
s_parse_args (args_t *self, int argc, char **argv)
{
    memset (self, 0, sizeof *self);
    self->count = 1000;
    self->window = 1;
    self->timeout_ms = 120000;
    self->wait_ready = -1;
    self->paths = calloc ((size_t)argc, sizeof *self->paths);
    if (!self->paths)
        return -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t number = 0;
        if (strcmp (arg, "--endpoint") == 0 && value)
            self->endpoint = argv[++i];
        else if (strcmp (arg, "--events") == 0 && value)
            self->events = argv[++i];
        else if (strcmp (arg, "--flood") == 0)
            self->flood = true;
        else if (strcmp (arg, "--count") == 0 ||
                 strcmp (arg, "--window") == 0 ||
                 strcmp (arg, "--warmup") == 0 ||
                 strcmp (arg, "--timeout") == 0 ||
                 strcmp (arg, "--wait-ready") == 0 ||
                 strcmp (arg, "--churn") == 0) {
            if (s_parse_number (arg, value, &number))
                return -1;
            i++;
            if (strcmp (arg, "--count") == 0)
                self->count = number;
            else if (strcmp (arg, "--window") == 0)
                self->window = number ? number : 1;
            else if (strcmp (arg, "--warmup") == 0)
                self->warmup = number;
            else if (strcmp (arg, "--timeout") == 0)
                self->timeout_ms = number > INT_MAX ? INT_MAX : (int)number;
            else if (strcmp (arg, "--churn") == 0)
                self->churn = number;
            else
                self->wait_ready = number > 256 ? 256 : (long)number;
        } else if (arg[0] == '-') {
            fprintf (stderr, "bench_client: unknown option '%s'\n%s", arg,
                     s_usage_text);
            return -1;
        } else
            self->paths[self->paths_count++] = argv[i];
    }
    if (!self->endpoint
        || (self->wait_ready < 0 && !self->churn && self->paths_count == 0)) {
        fputs (s_usage_text, stderr);
        return -1;
    }
    return 0;
}

static int
s_load_inputs (const args_t *args, input_t *inputs, uint64_t *bytes_p)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < args->paths_count; i++) {
        project_docs_t docs;
        project_t project;
        char err[PATH_MAX + 256], warn[PATH_MAX + 256];
        if (project_load (args->paths[i], &docs, &project, err, sizeof err,
                          warn, sizeof warn)) {
            fprintf (stderr, "bench_client: %s\n", err);
            return -1;
        }
        int rc = project_docs_encode (&docs, &inputs[i].docs,
                                      &inputs[i].docs_size) ||
                 project_encode (&project, &inputs[i].project,
                                 &inputs[i].project_size);
        project_docs_release (&docs);
        project_release (&project);
        if (rc) {
            fprintf (stderr, "bench_client: %s: cannot encode: %s\n",
                     args->paths[i], strerror (errno));
            return -1;
        }
        bytes += inputs[i].docs_size + inputs[i].project_size;
    }
    *bytes_p = args->paths_count ? bytes / args->paths_count : 0;
    return 0;
}

//  The supervisor's status document, parsed; NULL when it does not answer.
static json_t *
s_status (client_t *client, int timeout_ms)
{
    client_reply_t reply;
    if (client_request (client, "status", NULL, 0, timeout_ms, &reply))
        return NULL;
    json_t *status =
        reply.reply.code == 0 ? json_loads (reply.body, 0, NULL) : NULL;
    client_reply_release (&reply);
    return status;
}

//  True when every component has at least ready workers in state ready.
static bool
s_all_ready (json_t *status, long ready)
{
    json_t *components = json_object_get (status, "components");
    if (!json_is_array (components) || json_array_size (components) == 0)
        return false;
    size_t i;
    json_t *component;
    json_array_foreach (components, i, component)
    {
        long count = 0;
        size_t j;
        json_t *worker;
        json_array_foreach (
            json_object_get (component, "workers"), j,
            worker) if (json_is_string (json_object_get (worker, "state")) &&
                        strcmp (json_string_value (
                                    json_object_get (worker, "state")),
                                "ready") == 0) count++;
        if (count < ready)
            return false;
    }
    return true;
}

//  Connection churn: connections ask status once each and go away, as
//  short CLI calls and scripts do, --window of them open at once.
static int
s_churn (const args_t *args)
{
    uint64_t start = s_now_us ();
    size_t window = args->window < 1 ? 1 : args->window > 4096 ? 4096 : (size_t)args->window;
    zsock_t **socks = calloc (window, sizeof *socks);
    if (!socks)
        return -1;
    int rc = 0;
    for (uint64_t done = 0; done < args->churn && rc == 0;) {
        size_t batch = args->churn - done < window ? (size_t)(args->churn - done) : window;
        for (size_t i = 0; i < batch && rc == 0; i++) {
            socks[i] = zsock_new (ZMQ_DEALER);
            wire_request_t request = { .req_id = done + i + 1, .op = "status" };
            uint8_t *buf;
            size_t size;
            if (!socks[i] || zsock_connect (socks[i], "%s", args->endpoint)
                || wire_request_encode (&request, &buf, &size))
                rc = -1;
            else {
                zsock_set_rcvtimeo (socks[i], args->timeout_ms);
                zframe_t *frame = zframe_new (buf, size);
                free (buf);
                if (zframe_send (&frame, socks[i], 0))
                    rc = -1;
            }
        }
        for (size_t i = 0; i < batch; i++) {
            zmsg_t *reply = rc == 0 ? zmsg_recv (socks[i]) : NULL;
            if (!reply)
                rc = -1;
            zmsg_destroy (&reply);
            zsock_destroy (&socks[i]);
        }
        done += batch;
    }
    free (socks);
    if (rc) {
        fprintf (stderr, "bench_client: a churn connection got no status\n");
        return -1;
    }
    printf ("{\"connections\": %" PRIu64 ", \"window\": %zu, \"seconds\": %.3f}\n",
            args->churn, window, (double)(s_now_us () - start) / 1e6);
    return 0;
}

static int
s_wait_ready (const args_t *args, client_t *client)
{
    uint64_t deadline = util_now_ms () + (uint64_t)args->timeout_ms;
    while (util_now_ms () < deadline) {
        uint64_t left = deadline - util_now_ms ();
        json_t *status = s_status (client, left < 1000 ? (int)left + 1 : 1000);
        if (status && s_all_ready (status, args->wait_ready)) {
            char *text = json_dumps (status, JSON_COMPACT);
            printf ("%s\n", text ? text : "{}");
            free (text);
            json_decref (status);
            return 0;
        }
        json_decref (status);
        zclock_sleep (20);
    }
    fprintf (stderr,
             "bench_client: %s: not every component had %ld ready workers "
             "within %d ms\n",
             args->endpoint, args->wait_ready, args->timeout_ms);
    return -1;
}

//  Submits count workflows, at most window in flight; latencies in µs go
//  in lat (count entries). Returns the number that failed, or -1.
static int64_t
s_run (client_t *client, const input_t *inputs, size_t inputs_count,
       uint64_t count, uint64_t window, int timeout_ms, uint64_t *lat)
{
    wire_submit_t submit = {.priority = WIRE_PRIORITY_NORMAL,
                            .timeout_ms = (uint32_t)timeout_ms};
    uint64_t *sent_us = calloc (count ? count : 1, sizeof *sent_us);
    if (!sent_us)
        return -1;
    uint64_t first_req = 0, sent = 0, done = 0;
    int64_t failed = 0;
    uint64_t deadline = util_now_ms () + (uint64_t)timeout_ms;
    while (done < count) {
        while (sent < count && sent - done < window) {
            const input_t *input = &inputs[sent % inputs_count];
            sent_us[sent] = s_now_us ();
            uint64_t req =
                client_submit (client, &submit, input->docs, input->docs_size,
                               input->project, input->project_size);
            if (!req) {
                fprintf (stderr, "bench_client: cannot submit: %s\n",
                         strerror (errno));
                free (sent_us);
                return -1;
            }
            if (sent == 0)
                first_req = req;
            sent++;
        }
        uint64_t now = util_now_ms ();
        client_reply_t reply;
        if (now >= deadline ||
            client_next_reply (client, (int)(deadline - now), &reply)) {
            fprintf (stderr,
                     "bench_client: %" PRIu64 " of %" PRIu64
                     " workflows unanswered: %s\n",
                     count - done, count,
                     now >= deadline ? "timed out" : strerror (errno));
            free (sent_us);
            return -1;
        }
        uint64_t index = reply.reply.req_id - first_req;
        if (reply.reply.accepted) {
            client_reply_release (&reply);      //  an acknowledgement, not the answer
            continue;
        }
        if (reply.reply.req_id >= first_req && index < sent) {
            lat[done++] = s_now_us () - sent_us[index];
            if (reply.reply.code != 0) {
                if (failed == 0)
                    fprintf (stderr,
                             "bench_client: a workflow failed (code %d): %s\n",
                             reply.reply.code, reply.reply.message);
                failed++;
            }
        }
        client_reply_release (&reply);
    }
    free (sent_us);
    return failed;
}

static int
s_measure (const args_t *args, client_t *client, const input_t *inputs,
           uint64_t bytes)
{
    uint64_t *lat = calloc (args->count ? args->count : 1, sizeof *lat);
    uint64_t *warm = calloc (args->warmup ? args->warmup : 1, sizeof *warm);
    int rc = -1;
    if (!lat || !warm)
        goto out_free;
    if (args->warmup && s_run (client, inputs, args->paths_count, args->warmup,
                               1, args->timeout_ms, warm) < 0)
        goto out_free;
    uint64_t start = s_now_us ();
    int64_t failed = s_run (client, inputs, args->paths_count, args->count,
                            args->window, args->timeout_ms, lat);
    double seconds = (double)(s_now_us () - start) / 1e6;
    if (failed < 0)
        goto out_free;
    qsort (lat, args->count, sizeof *lat, s_compare_u64);
    printf ("{\"count\": %" PRIu64 ", \"ok\": %" PRIu64 ", \"failed\": %" PRId64
            ", "
            "\"window\": %" PRIu64 ", \"input_bytes\": %" PRIu64
            ", \"seconds\": %.4f, "
            "\"per_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": "
            "%.3f}\n",
            args->count, args->count - (uint64_t)failed, failed, args->window,
            bytes, seconds, seconds > 0 ? (double)args->count / seconds : 0,
            s_quantile_ms (lat, args->count, 0.50),
            s_quantile_ms (lat, args->count, 0.99),
            s_quantile_ms (lat, args->count, 1.0));
    rc = failed ? -1 : 0;
out_free:
    free (lat);
    free (warm);
    return rc;
}

//  Workflows the supervisor holds or has finished, from its status.
static int64_t
s_accepted (json_t *status)
{
    json_t *workflows = json_object_get (status, "workflows");
    return json_integer_value (json_object_get (workflows, "in_flight")) +
           json_integer_value (json_object_get (workflows, "completed")) +
           json_integer_value (json_object_get (workflows, "failed"));
}

//  Counts worker deaths (component.failure, worker.exited) on the events
//  socket without blocking.
static void
s_drain_events (zsock_t *sub, uint64_t *deaths)
{
    while (sub && zsock_events (sub) & ZMQ_POLLIN) {
        char *type = NULL, *body = NULL;
        if (zsock_recv (sub, "ss", &type, &body) == 0 && type)
            (*deaths)++;
        zstr_free (&type);
        zstr_free (&body);
    }
}

//  One status round trip; its time in µs goes in rtts. Sets *accepted.
static int
s_probe (client_t *probe, int64_t *accepted, uint64_t *rtts, size_t *rtts_count,
         size_t rtts_max)
{
    uint64_t start = s_now_us ();
    json_t *status = s_status (probe, 5000);
    if (!status) {
        fprintf (
            stderr,
            "bench_client: no status answer within 5000 ms during the flood\n");
        return -1;
    }
    if (*rtts_count < rtts_max)
        rtts[(*rtts_count)++] = s_now_us () - start;
    *accepted = s_accepted (status);
    json_decref (status);
    return 0;
}

static int
s_flood (const args_t *args, client_t *client, const input_t *inputs,
         uint64_t bytes)
{
    client_t *probe = client_new (args->endpoint);
    zsock_t *sub = NULL;
    size_t rtts_max = 1 << 16, rtts_count = 0;
    uint64_t *rtts = calloc (rtts_max, sizeof *rtts);
    int rc = -1;
    if (!probe || !rtts)
        goto out_free;
    if (args->events) {
        sub = zsock_new_sub (args->events, "component.failure");
        if (!sub)
            goto out_free;
        zsock_set_subscribe (sub, "worker.exited");
    }
    int64_t base = 0;
    if (s_probe (probe, &base, rtts, &rtts_count, rtts_max))
        goto out_free;
    rtts_count = 0;
    wire_submit_t submit = {.priority = WIRE_PRIORITY_NORMAL,
                            .timeout_ms = (uint32_t)args->timeout_ms};
    uint64_t deaths = 0, start = s_now_us (), last_probe = start, sent = 0;
    int64_t accepted = 0;
    uint64_t deadline = util_now_ms () + (uint64_t)args->timeout_ms;
    while (accepted - base < (int64_t)args->count) {
        if (util_now_ms () > deadline) {
            fprintf (stderr,
                     "bench_client: only %" PRId64 " of %" PRIu64
                     " accepted within "
                     "%d ms\n",
                     accepted - base, args->count, args->timeout_ms);
            goto out_free;
        }
        //  Send in slices so the probe keeps its 20 ms rhythm.
        for (int n = 0; n < 200 && sent < args->count; n++, sent++) {
            const input_t *input = &inputs[sent % args->paths_count];
            if (!client_submit (client, &submit, input->docs, input->docs_size,
                                input->project, input->project_size)) {
                fprintf (stderr, "bench_client: cannot submit: %s\n",
                         strerror (errno));
                goto out_free;
            }
        }
        uint64_t now = s_now_us ();
        if (now - last_probe >= 20000 || sent == args->count) {
            last_probe = now;
            if (s_probe (probe, &accepted, rtts, &rtts_count, rtts_max))
                goto out_free;
            s_drain_events (sub, &deaths);
        }
        if (sent == args->count && accepted - base < (int64_t)args->count)
            zclock_sleep (5);
    }
    double seconds = (double)(s_now_us () - start) / 1e6;
    s_drain_events (sub, &deaths);
    qsort (rtts, rtts_count, sizeof *rtts, s_compare_u64);
    printf ("{\"count\": %" PRIu64 ", \"input_bytes\": %" PRIu64
            ", \"accept_s\": %.3f, "
            "\"accept_per_s\": %.1f, \"probes\": %zu, \"probe_p99_ms\": %.3f, "
            "\"probe_max_ms\": %.3f, \"worker_deaths\": %" PRIu64 "}\n",
            args->count, bytes, seconds,
            seconds > 0 ? (double)args->count / seconds : 0, rtts_count,
            s_quantile_ms (rtts, rtts_count, 0.99),
            s_quantile_ms (rtts, rtts_count, 1.0), deaths);
    rc = 0;
out_free:
    zsock_destroy (&sub);
    client_destroy (&probe);
    free (rtts);
    return rc;
}

int
main (int argc, char **argv)
{
    zsys_handler_set (NULL);
    args_t args;
    if (argc > 1 &&
        (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)) {
        fputs (s_usage_text, stdout);
        return 0;
    }
    if (s_parse_args (&args, argc, argv)) {
        free (args.paths);
        return 2;
    }
    int rc = 1;
    input_t *inputs = calloc (args.paths_count + 1, sizeof *inputs);
    if (args.churn)     //  before the first socket: czmq's default is 1,023
        zsys_set_max_sockets ((size_t)(args.window > 4096 ? 4096 : args.window) + 64);
    client_t *client = client_new (args.endpoint);
    if (!client)
        fprintf (stderr, "bench_client: cannot connect to %s\n", args.endpoint);
    uint64_t bytes = 0;
    if (!inputs || !client)
        goto out_free;
    if (args.churn)
        rc = s_churn (&args) ? 1 : 0;
    else if (args.wait_ready >= 0)
        rc = s_wait_ready (&args, client) ? 1 : 0;
    else if (s_load_inputs (&args, inputs, &bytes) == 0)
        rc = (args.flood ? s_flood (&args, client, inputs, bytes)
                         : s_measure (&args, client, inputs, bytes))
                 ? 1
                 : 0;
out_free:
    client_destroy (&client);
    for (size_t i = 0; inputs && i < args.paths_count; i++) {
        free (inputs[i].docs);
        free (inputs[i].project);
    }
    free (inputs);
    free (args.paths);
    return rc;
}
