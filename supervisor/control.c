/*  supervisor/control.c - requests from clients other than submissions:
    status, result, down, and component operations (ctl).  */
#include "supervisor/server_priv.h"
#include "shared/logcap.h"
#include "supervisor/results.h"
#include "supervisor/rollout.h"

#include "common/util.h"
#include "supervisor/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long s_rss_kib (pid_t pid);
static json_t *s_health (server_t *self, health_t *health_p);

static void
s_count_level (void *item, int32_t priority, pqueue_handle_t handle, void *arg)
{
    (void) item;
    (void) handle;
    json_t *queue = arg;
    const char *level = wire_priority_level (priority);
    json_object_set_new (queue, level,
                         json_integer (json_integer_value (json_object_get (queue, level)) + 1));
}

json_t *
control_status (server_t *self)
{
    uint64_t now = util_now_ms ();
    json_t *queue = json_pack ("{s:i, s:i, s:i, s:i}", "critical", 0, "high", 0,
                               "normal", 0, "low", 0);
    json_t *components = json_array ();
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = pool_component_at (self->pool, c);
        pqueue_each (component->queue, s_count_level, queue);
        json_t *workers = json_array ();
        uint32_t ready = 0;
        for (worker_t *w = component->workers; w; w = w->next) {
            if (w->state == W_READY)
                ready++;
            uint64_t restarts = w->slot? restart_count (w->slot->policy): 0;
            //  A remote worker's pid is on its own host: /proc here would
            //  tell of some other process. Its uptime counts from joining.
            json_t *entry = json_pack (
                "{s:i, s:s, s:I, s:s, s:I, s:i, s:I, s:b}", "pid", (int) w->pid,
                "state", names_worker_states [w->state], "restarts", (json_int_t) restarts,
                "host", w->host, "uptime_ms", (json_int_t) (now - w->spawned_ms),
                "jobs", (int) pool_worker_load (w),
                "rss_kib", (json_int_t) (w->remote? 0: s_rss_kib (w->pid)),
                "remote", w->remote);
            if (w->remote)
                json_object_set_new (entry, "address", json_string (w->address));
            json_array_append_new (workers, entry);
        }
        breaker_t *breaker = component->breaker;
        json_t *entry = json_pack (
            "{s:s, s:s, s:i, s:i, s:s, s:I, s:I, s:s, s:{s:f, s:f}, s:o}", "name",
            component->name, "state", pool_component_state (self->pool, component),
            "desired", (int) component->desired, "ready", (int) ready,
            "breaker", breaker_state_name (breaker_state (breaker)),
            "restarts", (json_int_t) component->restarts,
            "queued", (json_int_t) pqueue_size (component->queue),
            "command", component->command,
            "latency_ms", "p50", (double) pool_latency (component, 50) / 1000.0,
            "p99", (double) pool_latency (component, 99) / 1000.0, "workers", workers);
        json_object_set_new (entry, "exits", pool_exits_json (component));
        if (component->op)
            json_object_set_new (entry, "operation", json_pack ("{s:s, s:I, s:I}",
                "name", rollout_name (component->op),
                "replaced", (json_int_t) rollout_replaced (component->op),
                "total", (json_int_t) rollout_total (component->op)));
        json_array_append_new (components, entry);
    }
    health_t health;
    json_t *healthy = s_health (self, &health);
    json_decref (healthy);
    flow_counts_t counts = flow_counts (self->flow);
    json_t *root = json_pack ("{s:{s:i, s:I, s:I, s:b, s:s}, s:o, s:o, s:{s:I, s:I, s:I, s:i}}",
                      "supervisor", "pid", (int) getpid (),
                      "uptime_ms", (json_int_t) (now - self->started_ms),
                      "rss_kib", (json_int_t) s_rss_kib (getpid ()),
                      "journal_healthy", ledger_healthy (self->ledger),
                      "health", names_health [health],
                      "queue", queue, "components", components,
                      "workflows", "completed", (json_int_t) counts.completed,
                      "failed", (json_int_t) counts.failed, "shed", (json_int_t) counts.shed,
                      "in_flight", (int) counts.in_flight);
    //  Where `readme2ci logs` finds the captured logs.
    bool captured = false;
    logcap_t *logcap = pool_logcap (self->pool);
    const char *own = logcap? logcap_own_log (logcap, &captured): "";
    json_object_set_new (json_object_get (root, "supervisor"), "logs",
                         json_pack ("{s:s?, s:s?, s:b}",
                                    "dir", logcap? logcap_dir (logcap): NULL,
                                    "own", *own? own: NULL, "own_captured", captured));
    return root;
}

//  The success event of an operation answered at once.
static void
s_operation_succeeded (server_t *self, component_t *component, const char *op,
                       const char *message)
{
    outbox_event (self->outbox, "component.operation.success",
                  json_pack ("{s:s, s:s, s:s, s:i, s:s}", "component", component->name,
                             "operation", op, "reason", message,
                             "desired", (int) component->desired,
                             "command", component->command));
}

//  A ctl verb's handler: carries the operation out on component with its
//  argument arg (NULL when none), or says why not in message. Returns the
//  REPLY's code; sets *later when the answer is sent when the operation
//  ends (a rolling replacement), not now.
typedef int (ctl_handler_fn) (server_t *self, component_t *component, const char *arg,
                              zframe_t *identity, uint64_t req_id, char *message,
                              size_t size, bool *later);

static int
s_ctl_deploy (server_t *self, component_t *component, const char *arg, zframe_t *identity,
              uint64_t req_id, char *message, size_t size, bool *later)
{
    if (pool_deploy (self->pool, component, message, size))
        return EXIT_UNAVAILABLE;
    s_operation_succeeded (self, component, names_ctl [CTL_DEPLOY].verb, message);
    return EXIT_OK;
}

static int
s_ctl_stop (server_t *self, component_t *component, const char *arg, zframe_t *identity,
            uint64_t req_id, char *message, size_t size, bool *later)
{
    return pool_stop (self->pool, component, message, size)? EXIT_UNAVAILABLE: EXIT_OK;
}

static int
s_ctl_scale (server_t *self, component_t *component, const char *arg, zframe_t *identity,
             uint64_t req_id, char *message, size_t size, bool *later)
{
    char *end = NULL;
    long count = arg? strtol (arg, &end, 10): -1;
    if (!arg || *end || count < 0 || count > 256) {
        snprintf (message, size, "scale needs a worker count from 0 to 256");
        return EXIT_USAGE;
    }
    return pool_scale (self->pool, component, (uint32_t) count, message, size)
           ? EXIT_UNAVAILABLE: EXIT_OK;
}

//  A rolling update to command (NULL: the same command, a restart).
static int
s_rolling (server_t *self, component_t *component, const char *command, zframe_t *identity,
           uint64_t req_id, char *message, size_t size, bool *later)
{
    if (pool_update (self->pool, component, command, identity, req_id, message, size))
        return EXIT_UNAVAILABLE;
    *later = true;
    return EXIT_OK;
}

static int
s_ctl_restart (server_t *self, component_t *component, const char *arg, zframe_t *identity,
               uint64_t req_id, char *message, size_t size, bool *later)
{
    if (!component->fatal)
        return s_rolling (self, component, NULL, identity, req_id, message, size, later);
    if (pool_restart (self->pool, component, message, size))
        return EXIT_UNAVAILABLE;
    snprintf (message, size, "%s: restarting from FATAL", component->name);
    s_operation_succeeded (self, component, names_ctl [CTL_RESTART].verb, message);
    return EXIT_OK;
}

static int
s_ctl_update (server_t *self, component_t *component, const char *arg, zframe_t *identity,
              uint64_t req_id, char *message, size_t size, bool *later)
{
    return s_rolling (self, component, arg? arg: component->command, identity, req_id,
                      message, size, later);
}

//  Every verb of names_ctl (common/names.h) has its handler here.
static ctl_handler_fn *const s_ctl_handlers [CTL_VERBS] = {
    [CTL_DEPLOY] = s_ctl_deploy,
    [CTL_STOP] = s_ctl_stop,
    [CTL_SCALE] = s_ctl_scale,
    [CTL_RESTART] = s_ctl_restart,
    [CTL_UPDATE] = s_ctl_update,
};

bool
control_ctl_handled (ctl_verb_t verb)
{
    return (unsigned) verb < CTL_VERBS && s_ctl_handlers [verb] != NULL;
}

//  ctl OP COMPONENT [ARG]: the component operations. Each is answered
//  with success or a clear failure and journaled; update and restart
//  answer when their rolling replacement ends.
static void
s_ctl (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    char message [512] = "";
    const char *op = request->args_count > 0? request->args [0]: "";
    const char *name = request->args_count > 1? request->args [1]: "";
    const char *arg = request->args_count > 2? request->args [2]: NULL;
    component_t *component = pool_component (self->pool, name);
    int verb = names_ctl_find (op);
    int code = EXIT_OK;
    bool later = false;
    if (!component) {
        char names [64];
        snprintf (message, sizeof message, "no component called '%s' (%s)", name,
                  names_join (names_components, ", ", ", ", names, sizeof names));
        code = EXIT_USAGE;
    }
    else
    if (!ledger_healthy (self->ledger)) {
        //  An operation is journaled before it is answered; one that could
        //  not be would be answered only when the disk recovers, if ever.
        snprintf (message, sizeof message, "the journal cannot be written (%s); '%s' was "
                  "not applied: try again once it can", ledger_problem (self->ledger), op);
        outbox_reply (self->outbox, identity, request->req_id, EXIT_UNAVAILABLE, "", message,
                      false, NULL, 0);
        return;
    }
    else
    if (verb >= 0)
        code = s_ctl_handlers [verb] (self, component, arg, identity, request->req_id,
                                      message, sizeof message, &later);
    else {
        char verbs [128];
        snprintf (message, sizeof message, "unknown operation '%s' (%s)", op,
                  names_join_ctl (", ", verbs, sizeof verbs));
        code = EXIT_USAGE;
    }
    if (later)
        return;
    if (code)
        outbox_event (self->outbox, "component.operation.failed",
                      json_pack ("{s:s, s:s, s:s}", "component", name, "operation", op,
                                 "reason", message));
    outbox_reply_held (self->outbox, identity, request->req_id, code, "", message, false,
                       false, NULL, 0);
}

//  Resident memory of a process in KiB, from /proc; 0 when unknown.
static long
s_rss_kib (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/statm", (int) pid);
    FILE *file = fopen (path, "re");
    long pages = 0, resident = 0;
    if (!file)
        return 0;
    if (fscanf (file, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose (file);
    return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

//  The tree's health, with the reasons.
static json_t *
s_health (server_t *self, health_t *health_p)
{
    json_t *reasons = json_array ();
    health_t health = HEALTH_HEALTHY;
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = pool_component_at (self->pool, c);
        const char *state = pool_component_state (self->pool, component);
        bool essential = component->step != STEP_DETECT;
        char line [160];
        if (strcmp (state, names_component_states [COMPONENT_RUNNING]) != 0) {
            snprintf (line, sizeof line, "%s is %s", component->name, state);
            json_array_append_new (reasons, json_string (line));
            bool out = strcmp (state, names_component_states [COMPONENT_FATAL]) == 0
                    || strcmp (state, names_component_states [COMPONENT_STOPPED]) == 0;
            health_t now = out && essential? HEALTH_DOWN: HEALTH_DEGRADED;
            health = health > now? health: now;
        }
        if (breaker_state (component->breaker) != BREAKER_CLOSED) {
            snprintf (line, sizeof line, "%s's breaker is %s", component->name,
                      breaker_state_name (breaker_state (component->breaker)));
            json_array_append_new (reasons, json_string (line));
            health = health > HEALTH_DEGRADED? health: HEALTH_DEGRADED;
        }
    }
    if (!ledger_healthy (self->ledger)) {
        char line [160];
        snprintf (line, sizeof line, "the journal cannot be written (%s)", ledger_problem (self->ledger));
        json_array_append_new (reasons, json_string (line));
        health = HEALTH_DOWN;
    }
    *health_p = health;
    return json_pack ("{s:s, s:o}", "state", names_health [health], "reasons", reasons);
}

//  A REQUEST's handler (the op is decoded and known).
typedef void (op_handler_fn) (server_t *self, zframe_t *identity,
                             const wire_request_t *request);

static void
s_op_unknown (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    char message [128];
    snprintf (message, sizeof message, "unknown operation '%s'", request->op);
    //  1, bad input: 2 (usage) is the CLI's alone (PROTOCOL.md, section 8).
    outbox_reply (self->outbox, identity, request->req_id, EXIT_INPUT, "", message, false,
                  NULL, 0);
}

//  status and ping: the status document.
static void
s_op_status (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    json_t *status = control_status (self);
    char *text = json_dumps (status, JSON_COMPACT);
    json_decref (status);
    outbox_reply (self->outbox, identity, request->req_id, EXIT_OK, "", "", false, text,
                  text? strlen (text): 0);
    free (text);
}

static void
s_op_down (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    outbox_reply (self->outbox, identity, request->req_id, EXIT_OK, "", "stopping", false,
                  NULL, 0);
    self->on_down (self, "down requested");
}

static void
s_op_result (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    if (request->args_count != 1) {
        s_op_unknown (self, identity, request);
        return;
    }
    const char *id = request->args [0];
    bool no_tests = false;
    const char *text = results_get (self->results, id, &no_tests);
    if (text)
        outbox_reply_result (self->outbox, identity, request->req_id, id, false, no_tests,
                             text, strlen (text));
    else
    if (results_evicted (self->results, id)) {
        char retention [128], message [256];
        results_retention_text (self->results, retention, sizeof retention);
        snprintf (message, sizeof message, "the result of this workflow was evicted (%s)",
                  retention);
        outbox_reply (self->outbox, identity, request->req_id, EXIT_INPUT, id, message, false,
                      NULL, 0);
    }
    else
        outbox_reply (self->outbox, identity, request->req_id, EXIT_INPUT, id,
                      flow_known (self->flow, id)
                      ? "the workflow has not finished yet"
                      : "no result for this workflow id", false, NULL, 0);
}

//  health: the document, and the health as the code (0, 1, 2).
static void
s_op_health (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    health_t health;
    json_t *document = s_health (self, &health);
    char *text = json_dumps (document, JSON_COMPACT);
    json_decref (document);
    outbox_reply (self->outbox, identity, request->req_id, (int) health, "", "", false, text,
                  text? strlen (text): 0);
    free (text);
}

static void
s_op_reload (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    char message [2048];
    json_t *report = NULL;
    int code = reload_run (self->reload, message, sizeof message, &report);
    char *text = report? json_dumps (report, JSON_COMPACT): NULL;
    json_decref (report);
    outbox_reply (self->outbox, identity, request->req_id, code, "", message, false, text,
                  text? strlen (text): 0);
    free (text);
}

static void
s_op_config (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    char *text = config_emit (&self->cfg);
    outbox_reply (self->outbox, identity, request->req_id, text? EXIT_OK: EXIT_UNAVAILABLE, "",
                  self->config_path, false, text, text? strlen (text): 0);
    free (text);
}

static void
s_op_maintain (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    if (strncmp (request->op, "maintain-", 9) == 0)
        maintain_on_request (self->maintain, identity, request);
    else
        s_op_unknown (self, identity, request);
}

//  The REQUEST operations (PROTOCOL.md, section 4): the one list of what
//  the supervisor answers, and of what only an operator may ask over tcp.
static const struct {
    const char *op;
    bool prefix;                //  every op that starts with it
    bool operators_only;        //  changes the tree: over tcp, operators only
    op_handler_fn *run;
} s_ops [] = {
    { "status", false, false, s_op_status },
    { "ping", false, false, s_op_status },
    { "down", false, true, s_op_down },
    { "result", false, false, s_op_result },
    { "ctl", false, true, s_ctl },
    { "health", false, false, s_op_health },
    { "reload", false, true, s_op_reload },
    { "config", false, false, s_op_config },
    { "maintain", true, true, s_op_maintain },
};

static op_handler_fn *
s_op_find (const char *op, bool *operators_only_p)
{
    for (size_t i = 0; i < sizeof s_ops / sizeof s_ops [0]; i++) {
        size_t length = strlen (s_ops [i].op);
        if (s_ops [i].prefix? strncmp (op, s_ops [i].op, length) == 0
                            : strcmp (op, s_ops [i].op) == 0) {
            *operators_only_p = s_ops [i].operators_only;
            return s_ops [i].run;
        }
    }
    *operators_only_p = false;
    return s_op_unknown;
}

bool
control_needs_operator (const char *op)
{
    bool operators_only;
    s_op_find (op, &operators_only);
    return operators_only;
}

void
control_on_request (server_t *self, zframe_t *identity, zframe_t *header)
{
    wire_request_t request;
    if (wire_request_decode (&request, zframe_data (header), zframe_size (header))) {
        char peer [96];
        remote_peer_name ("client", identity, header, peer, sizeof peer);
        remote_malformed (self->remote, peer, "dropped a malformed REQUEST from %s", peer);
        return;
    }
    bool operators_only;
    s_op_find (request.op, &operators_only) (self, identity, &request);
    wire_request_release (&request);
}
