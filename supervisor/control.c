/*  supervisor/control.c - requests from clients other than submissions:
    status, result, down, and component operations (ctl).  */
#include "supervisor/server_priv.h"

#include "common/util.h"
#include "supervisor/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const s_worker_states [] = { "starting", "ready", "stopping" };

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
            json_array_append_new (workers, json_pack (
                "{s:i, s:s, s:I, s:s, s:I, s:i}", "pid", (int) w->pid,
                "state", s_worker_states [w->state], "restarts", (json_int_t) restarts,
                "host", w->host, "uptime_ms", (json_int_t) (now - w->spawned_ms),
                "jobs", (int) pool_worker_load (w)));
        }
        breaker_t *breaker = component->breaker;
        json_array_append_new (components, json_pack (
            "{s:s, s:s, s:i, s:i, s:s, s:I, s:I, s:o}", "name", component->name,
            "state", pool_component_state (self, component),
            "desired", (int) component->desired, "ready", (int) ready,
            "breaker", breaker_state_name (breaker_state (breaker)),
            "restarts", (json_int_t) component->restarts,
            "queued", (json_int_t) pqueue_size (component->queue), "workers", workers));
    }
    return json_pack ("{s:{s:i, s:I}, s:o, s:o, s:{s:I, s:I, s:I, s:i}}",
                      "supervisor", "pid", (int) getpid (),
                      "uptime_ms", (json_int_t) (now - self->started_ms),
                      "queue", queue, "components", components,
                      "workflows", "completed", (json_int_t) self->completed,
                      "failed", (json_int_t) self->failed, "shed", (json_int_t) self->shed,
                      "in_flight", (int) zhashx_size (self->workflows));
}

//  ctl OP COMPONENT [ARG]: the component operations.
static void
s_ctl (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    char message [256];
    const char *op = request->args_count > 0? request->args [0]: "";
    const char *name = request->args_count > 1? request->args [1]: "";
    component_t *component = pool_component (self, name);
    int code = 0;
    if (!component) {
        snprintf (message, sizeof message, "no component called '%s' (parser, detector, "
                  "generator)", name);
        code = 2;
    }
    else
    if (strcmp (op, "restart") == 0) {
        if (pool_restart (self, component, message, sizeof message))
            code = 3;
        else
            snprintf (message, sizeof message, "%s: restarting %zu worker(s)", component->name,
                      component->slots_count);
    }
    else {
        snprintf (message, sizeof message, "unknown operation '%s'", op);
        code = 2;
    }
    server_event (self, code? "component.operation.failed": "component.operation.success",
                  json_pack ("{s:s, s:s, s:s}", "component", name, "operation", op,
                             "reason", message));
    server_reply (self, identity, request->req_id, code, "", message, false, NULL, 0);
}

void
control_on_request (server_t *self, zframe_t *identity, zframe_t *header)
{
    wire_request_t request;
    if (wire_request_decode (&request, zframe_data (header), zframe_size (header))) {
        log_warn ("dropped a malformed REQUEST");
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
        const char *text = flow_result (self, request.args [0]);
        if (text)
            server_reply (self, identity, request.req_id, 0, request.args [0], "", false,
                          text, strlen (text));
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
    if (strncmp (request.op, "maintain-", 9) == 0)
        maintain_on_request (self, identity, &request);
    else {
        char message [128];
        snprintf (message, sizeof message, "unknown operation '%s'", request.op);
        server_reply (self, identity, request.req_id, 2, "", message, false, NULL, 0);
    }
    wire_request_release (&request);
}
