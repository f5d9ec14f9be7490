/*  supervisor/control.c - requests from clients other than submissions:
    status, result, down, and component operations (ctl).  */
#include "supervisor/server_priv.h"
#include "shared/logcap.h"

#include "common/util.h"
#include "supervisor/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const s_worker_states [] = { "starting", "ready", "stopping" };

static long s_rss_kib (pid_t pid);
static json_t *s_health (server_t *self, int *code_p);

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
        component_t *component = &self->components [c];
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
                "state", s_worker_states [w->state], "restarts", (json_int_t) restarts,
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
            component->name, "state", pool_component_state (self, component),
            "desired", (int) component->desired, "ready", (int) ready,
            "breaker", breaker_state_name (breaker_state (breaker)),
            "restarts", (json_int_t) component->restarts,
            "queued", (json_int_t) pqueue_size (component->queue),
            "command", component->command,
            "latency_ms", "p50", (double) pool_latency (component, 50) / 1000.0,
            "p99", (double) pool_latency (component, 99) / 1000.0, "workers", workers);
        json_object_set_new (entry, "exits", pool_exits_json (component));
        if (component->op.running)
            json_object_set_new (entry, "operation", json_pack ("{s:s, s:I, s:I}",
                "name", component->op.name, "replaced", (json_int_t) component->op.replaced,
                "total", (json_int_t) component->op.total));
        json_array_append_new (components, entry);
    }
    int health;
    json_t *healthy = s_health (self, &health);
    json_decref (healthy);
    json_t *root = json_pack ("{s:{s:i, s:I, s:I, s:b, s:s}, s:o, s:o, s:{s:I, s:I, s:I, s:i}}",
                      "supervisor", "pid", (int) getpid (),
                      "uptime_ms", (json_int_t) (now - self->started_ms),
                      "rss_kib", (json_int_t) s_rss_kib (getpid ()),
                      "journal_healthy", ledger_healthy (self),
                      "health", health == 0? "healthy": health == 1? "degraded": "down",
                      "queue", queue, "components", components,
                      "workflows", "completed", (json_int_t) self->completed,
                      "failed", (json_int_t) self->failed, "shed", (json_int_t) self->shed,
                      "in_flight", (int) zhashx_size (self->workflows));
    //  Where `readme2ci logs` finds the captured logs.
    bool captured = false;
    const char *own = self->logcap? logcap_own_log (self->logcap, &captured): "";
    json_object_set_new (json_object_get (root, "supervisor"), "logs",
                         json_pack ("{s:s?, s:s?, s:b}",
                                    "dir", self->logcap? logcap_dir (self->logcap): NULL,
                                    "own", *own? own: NULL, "own_captured", captured));
    return root;
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
    component_t *component = pool_component (self, name);
    int code = 0;
    bool later = false;
    if (!component) {
        snprintf (message, sizeof message, "no component called '%s' (parser, detector, "
                  "generator)", name);
        code = 2;
    }
    else
    if (!ledger_healthy (self)) {
        //  An operation is journaled before it is answered; one that could
        //  not be would be answered only when the disk recovers, if ever.
        snprintf (message, sizeof message, "the journal cannot be written (%s); '%s' was "
                  "not applied: try again once it can", ledger_problem (self), op);
        server_reply (self, identity, request->req_id, 3, "", message, false, NULL, 0);
        return;
    }
    else
    if (strcmp (op, "scale") == 0) {
        char *end = NULL;
        long count = arg? strtol (arg, &end, 10): -1;
        if (!arg || *end || count < 0 || count > 256) {
            snprintf (message, sizeof message, "scale needs a worker count from 0 to 256");
            code = 2;
        }
        else
        if (pool_scale (self, component, (uint32_t) count, message, sizeof message))
            code = 3;
    }
    else
    if (strcmp (op, "stop") == 0) {
        if (pool_stop (self, component, message, sizeof message))
            code = 3;
    }
    else
    if (strcmp (op, "deploy") == 0) {
        if (pool_deploy (self, component, message, sizeof message))
            code = 3;
        else
            server_event (self, "component.operation.success",
                          json_pack ("{s:s, s:s, s:s, s:i, s:s}", "component", name,
                                     "operation", op, "reason", message,
                                     "desired", (int) component->desired,
                                     "command", component->command));
    }
    else
    if (strcmp (op, "restart") == 0 && component->fatal) {
        if (pool_restart (self, component, message, sizeof message))
            code = 3;
        else {
            snprintf (message, sizeof message, "%s: restarting from FATAL", component->name);
            server_event (self, "component.operation.success",
                          json_pack ("{s:s, s:s, s:s, s:i, s:s}", "component", name,
                                     "operation", op, "reason", message,
                                     "desired", (int) component->desired,
                                     "command", component->command));
        }
    }
    else
    if (strcmp (op, "restart") == 0 || strcmp (op, "update") == 0) {
        const char *command = strcmp (op, "update") == 0? arg: NULL;
        if (strcmp (op, "update") == 0 && !command)
            command = component->command;
        if (pool_update (self, component, command, identity, request->req_id,
                         message, sizeof message))
            code = 3;
        else
            later = true;
    }
    else {
        snprintf (message, sizeof message, "unknown operation '%s' (deploy, stop, scale, "
                  "restart, update)", op);
        code = 2;
    }
    if (later)
        return;
    if (code)
        server_event (self, "component.operation.failed",
                      json_pack ("{s:s, s:s, s:s}", "component", name, "operation", op,
                                 "reason", message));
    server_reply_held (self, identity, request->req_id, code, "", message, false, false,
                       NULL, 0);
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

//  healthy, degraded or down, with the reasons.
static json_t *
s_health (server_t *self, int *code_p)
{
    json_t *reasons = json_array ();
    int code = 0;
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = &self->components [c];
        const char *state = pool_component_state (self, component);
        bool essential = component->step != STEP_DETECT;
        char line [160];
        if (strcmp (state, "running") != 0) {
            snprintf (line, sizeof line, "%s is %s", component->name, state);
            json_array_append_new (reasons, json_string (line));
            bool out = strcmp (state, "fatal") == 0 || strcmp (state, "stopped") == 0;
            code = code > (out && essential? 2: 1)? code: (out && essential? 2: 1);
        }
        if (breaker_state (component->breaker) != BREAKER_CLOSED) {
            snprintf (line, sizeof line, "%s's breaker is %s", component->name,
                      breaker_state_name (breaker_state (component->breaker)));
            json_array_append_new (reasons, json_string (line));
            code = code > 1? code: 1;
        }
    }
    if (!ledger_healthy (self)) {
        char line [160];
        snprintf (line, sizeof line, "the journal cannot be written (%s)", ledger_problem (self));
        json_array_append_new (reasons, json_string (line));
        code = 2;
    }
    *code_p = code;
    return json_pack ("{s:s, s:o}", "state", code == 0? "healthy": code == 1? "degraded": "down",
                      "reasons", reasons);
}

void
control_on_request (server_t *self, zframe_t *identity, zframe_t *header)
{
    wire_request_t request;
    if (wire_request_decode (&request, zframe_data (header), zframe_size (header))) {
        char peer [96];
        server_peer_name ("client", identity, header, peer, sizeof peer);
        remote_malformed (self, peer, "dropped a malformed REQUEST from %s", peer);
        return;
    }
    if (strcmp (request.op, "status") == 0 || strcmp (request.op, "ping") == 0) {
        json_t *status = control_status (self);
        char *text = json_dumps (status, JSON_COMPACT);
        json_decref (status);
        server_reply (self, identity, request.req_id, 0, "", "", false, text,
                      text? strlen (text): 0);
        free (text);
    }
    else
    if (strcmp (request.op, "down") == 0) {
        server_reply (self, identity, request.req_id, 0, "", "stopping", false, NULL, 0);
        server_begin_shutdown (self, "down requested");
    }
    else
    if (strcmp (request.op, "result") == 0 && request.args_count == 1) {
        bool no_tests = false;
        const char *text = flow_result (self, request.args [0], &no_tests);
        if (text)
            server_reply_result (self, identity, request.req_id, request.args [0], false,
                                 no_tests, text, strlen (text));
        else
        if (flow_evicted (self, request.args [0])) {
            char retention [128], message [256];
            flow_retention_text (self, retention, sizeof retention);
            snprintf (message, sizeof message, "the result of this workflow was evicted (%s)",
                      retention);
            server_reply (self, identity, request.req_id, 1, request.args [0], message, false,
                          NULL, 0);
        }
        else
            server_reply (self, identity, request.req_id, 1, request.args [0],
                          flow_known (self, request.args [0])
                          ? "the workflow has not finished yet"
                          : "no result for this workflow id", false, NULL, 0);
    }
    else
    if (strcmp (request.op, "ctl") == 0)
        s_ctl (self, identity, &request);
    else
    if (strcmp (request.op, "health") == 0) {
        int code;
        json_t *health = s_health (self, &code);
        char *text = json_dumps (health, JSON_COMPACT);
        json_decref (health);
        server_reply (self, identity, request.req_id, code, "", "", false, text,
                      text? strlen (text): 0);
        free (text);
    }
    else
    if (strcmp (request.op, "reload") == 0) {
        char message [2048];
        json_t *report = NULL;
        int code = reload_run (self, message, sizeof message, &report);
        char *text = report? json_dumps (report, JSON_COMPACT): NULL;
        json_decref (report);
        server_reply (self, identity, request.req_id, code, "", message, false, text,
                      text? strlen (text): 0);
        free (text);
    }
    else
    if (strcmp (request.op, "config") == 0) {
        char *text = config_emit (&self->cfg);
        server_reply (self, identity, request.req_id, text? 0: 3, "", self->config_path,
                      false, text, text? strlen (text): 0);
        free (text);
    }
    else
    if (strncmp (request.op, "maintain-", 9) == 0)
        maintain_on_request (self, identity, &request);
    else {
        char message [128];
        snprintf (message, sizeof message, "unknown operation '%s'", request.op);
        //  1, bad input: 2 (usage) is the CLI's alone (PROTOCOL.md, section 8).
        server_reply (self, identity, request.req_id, 1, "", message, false, NULL, 0);
    }
    wire_request_release (&request);
}
