/*  Tests supervisor/control without a supervisor: a pool with no process,
    the workflows, a results cache, a reloader without a config file and
    an outbox answering a real client stand in for the tree. Each request
    gets its answer: the status and health documents, results kept,
    evicted or unknown, the refusals of `ctl` with their codes and
    messages, an operation carried out and journaled, `down` told to the
    owner, and a malformed or unknown request.  */
#include "supervisor/control.h"
#include "tests/support/outbox_rig.h"
#include "tests/support/testutil.h"

#include "common/util.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    config_t cfg;
    char *dir;
    zsock_t *events;            //  the outbox's PUB, and a SUB on it
    zsock_t *sub;
    zsock_t *front;             //  the clients' ROUTER, and a client on it
    zsock_t *client;
    zframe_t *identity;         //  the client, as the supervisor keeps it
    ledger_t *ledger;
    outbox_t *outbox;
    pool_t *pool;
    flow_t *flow;
    results_t *results;
    reload_t *reload;
    control_t *control;
    int downs;                  //  `down` told, and why
    char down_why [64];
} rig_t;

static void
s_down (void *arg, const char *why)
{
    rig_t *self = arg;
    self->downs++;
    snprintf (self->down_why, sizeof self->down_why, "%s", why);
}

static void
s_sockets (rig_t *self)
{
    static int serial;
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://control-events-%d", serial);
    self->events = zsock_new_pub (ep);
    self->sub = zsock_new_sub (ep, "");
    snprintf (ep, sizeof ep, "inproc://control-front-%d", serial++);
    self->front = zsock_new_router (ep);
    self->client = zsock_new_dealer (ep);
    cr_assert (self->events && self->sub && self->front && self->client);
    zsock_set_rcvtimeo (self->sub, 5000);
    zsock_set_rcvtimeo (self->client, 5000);
    self->identity = tu_client_identity (self->front, self->client, 1);
}

//  The defaults with no worker wanted, and every part control asks.
static void
s_rig (rig_t *self)
{
    memset (self, 0, sizeof *self);
    tu_config_no_workers (&self->cfg);
    self->dir = tu_tmpdir ();
    s_sockets (self);
    self->outbox = outbox_new ();
    cr_assert_not_null (self->outbox);
    self->ledger = tu_memory_ledger (&self->outbox);
    char err [256] = "";
    outbox_set_sockets (self->outbox, self->events, self->front, NULL);
    tu_sub_ready (self->outbox, self->sub);
    pool_hooks_t pool_hooks = tu_pool_hooks_deaf ();
    char back [1100];
    snprintf (back, sizeof back, "ipc://%s/back", self->dir);
    self->pool = pool_new (&self->cfg, self->dir, "", R2CI_BIN_DIR, back, self->outbox,
                           &pool_hooks, 7);
    self->results = results_new (4, 0);
    cr_assert (self->pool && self->results);
    self->flow = flow_new (&self->cfg, self->pool, self->outbox, NULL, self->results, NULL,
                           NULL, 7);
    cr_assert_not_null (self->flow);
    flow_set_ledger (self->flow, self->ledger);
    self->reload = reload_new (&self->cfg, "", R2CI_BIN_DIR, self->pool, self->results,
                               self->outbox, err, sizeof err);
    cr_assert_not_null (self->reload, "%s", err);
    control_parts_t parts = { .cfg = &self->cfg, .pool = self->pool, .flow = self->flow,
                              .ledger = self->ledger, .reload = self->reload,
                              .results = self->results, .outbox = self->outbox,
                              .started_ms = util_now_ms () - 1500, .down = s_down,
                              .arg = self };
    self->control = control_new (&parts);
    cr_assert_not_null (self->control);
}

static void
s_unrig (rig_t *self)
{
    control_destroy (&self->control);
    cr_assert_null (self->control);
    control_destroy (&self->control);
    reload_destroy (&self->reload);
    flow_destroy (&self->flow);
    pool_destroy (&self->pool);
    results_destroy (&self->results);
    ledger_destroy (&self->ledger);
    outbox_destroy (&self->outbox);
    zframe_destroy (&self->identity);
    zsock_destroy (&self->client);
    zsock_destroy (&self->front);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->events);
    config_release (&self->cfg);
    tu_rmtree (self->dir);
    free (self->dir);
}

//  Asks op with args (NULL-ended) as request req_id; returns the reply,
//  its payload in *body (free it; NULL: none).
static wire_reply_t
s_ask (rig_t *self, uint64_t req_id, const char *op, char **body, ...)
{
    wire_request_t request = { .req_id = req_id };
    snprintf (request.op, sizeof request.op, "%s", op);
    va_list args;
    va_start (args, body);
    const char *arg;
    while ((arg = va_arg (args, const char *)) && request.args_count < WIRE_MAX_ARGS)
        request.args [request.args_count++] = (char *) arg;
    va_end (args);
    uint8_t *buf = NULL;
    size_t size = 0;
    cr_assert_eq (wire_request_encode (&request, &buf, &size), 0);
    zframe_t *header = zframe_new (buf, size);
    free (buf);
    control_on_request (self->control, self->identity, header);
    zframe_destroy (&header);
    wire_reply_t reply = tu_client_reply (self->client, body);
    cr_assert_eq (reply.req_id, req_id, "the answer to another request");
    return reply;
}

Test (control, status_and_health_tell_the_parts_as_they_are)
{
    rig_t rig;
    s_rig (&rig);
    char *body = NULL;
    wire_reply_t reply = s_ask (&rig, 1, "status", &body, NULL);
    cr_assert_eq (reply.code, EXIT_OK);
    json_t *status = json_loads (body, 0, NULL);
    cr_assert_not_null (status, "%s", body);
    json_t *supervisor = json_object_get (status, "supervisor");
    cr_assert_eq (json_integer_value (json_object_get (supervisor, "pid")), getpid ());
    cr_assert_geq (json_integer_value (json_object_get (supervisor, "uptime_ms")), 1500);
    cr_assert (json_is_true (json_object_get (supervisor, "journal_healthy")));
    json_t *components = json_object_get (status, "components");
    cr_assert_eq (json_array_size (components), COMPONENT_COUNT);
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        json_t *component = json_array_get (components, (size_t) c);
        cr_assert_str_eq (json_string_value (json_object_get (component, "name")),
                          names_components [c]);
        cr_assert_str_eq (json_string_value (json_object_get (component, "state")),
                          names_component_states [COMPONENT_STOPPED]);
        cr_assert_eq (json_integer_value (json_object_get (component, "desired")), 0);
    }
    cr_assert_eq (json_integer_value (json_object_get (json_object_get (status, "workflows"),
                                                       "in_flight")), 0);
    //  Stopped essential components: the tree is down, and health says
    //  so in its code and why in its document.
    char said [32];
    snprintf (said, sizeof said, "%s", json_string_value (json_object_get (supervisor,
                                                                          "health")));
    cr_assert_str_eq (said, names_health [HEALTH_DOWN], "%s", body);
    json_decref (status);
    free (body);
    reply = s_ask (&rig, 2, "health", &body, NULL);
    cr_assert_eq (reply.code, HEALTH_DOWN);
    json_t *health = json_loads (body, 0, NULL);
    cr_assert_not_null (health, "%s", body);
    cr_assert_str_eq (json_string_value (json_object_get (health, "state")), said);
    cr_assert (strstr (body, "parser is stopped"), "%s", body);
    json_decref (health);
    free (body);
    //  ping is status by another name
    reply = s_ask (&rig, 3, "ping", &body, NULL);
    cr_assert_eq (reply.code, EXIT_OK);
    cr_assert (body && strstr (body, "\"components\""), "%s", body);
    free (body);
    s_unrig (&rig);
}

Test (control, results_kept_evicted_and_unknown)
{
    rig_t rig;
    s_rig (&rig);
    results_keep (rig.results, "wf-kept", "name: ci\n", 9, 1000, true, false);
    char *body = NULL;
    wire_reply_t reply = s_ask (&rig, 1, "result", &body, "wf-kept", NULL);
    cr_assert_eq (reply.code, EXIT_OK);
    cr_assert_str_eq (reply.workflow_id, "wf-kept");
    cr_assert_str_eq (body, "name: ci\n");
    free (body);
    reply = s_ask (&rig, 2, "result", &body, "wf-nobody", NULL);
    cr_assert_eq (reply.code, EXIT_INPUT);
    cr_assert_str_eq (reply.message, "no result for this workflow id");
    cr_assert_null (body);
    //  Four are kept: the fifth pushes the first out, which is then said
    //  to be evicted, with the retention.
    for (int i = 0; i < 4; i++) {
        char id [16];
        snprintf (id, sizeof id, "wf-%d", i);
        results_keep (rig.results, id, "x", 1, 2000 + (uint64_t) i, true, false);
    }
    reply = s_ask (&rig, 3, "result", &body, "wf-kept", NULL);
    cr_assert_eq (reply.code, EXIT_INPUT);
    cr_assert (strstr (reply.message, "evicted") && strstr (reply.message, "the last 4"), "%s",
               reply.message);
    //  result takes one id, no more, no less
    reply = s_ask (&rig, 4, "result", &body, NULL);
    cr_assert_eq (reply.code, EXIT_INPUT);
    cr_assert (strstr (reply.message, "unknown operation 'result'"), "%s", reply.message);
    s_unrig (&rig);
}

Test (control, ctl_refusals_and_an_operation_carried_out)
{
    rig_t rig;
    s_rig (&rig);
    char *body = NULL;
    wire_reply_t reply = s_ask (&rig, 1, "ctl", &body, "scale", "compiler", "2", NULL);
    cr_assert_eq (reply.code, EXIT_USAGE);
    cr_assert (strstr (reply.message, "no component called 'compiler'")
               && strstr (reply.message, "parser"), "%s", reply.message);
    json_decref (tu_next_event (rig.sub, "component.operation.failed"));
    reply = s_ask (&rig, 2, "ctl", &body, "scale", "parser", "many", NULL);
    cr_assert_eq (reply.code, EXIT_USAGE);
    cr_assert_str_eq (reply.message, "scale needs a worker count from 0 to 256");
    json_decref (tu_next_event (rig.sub, "component.operation.failed"));
    reply = s_ask (&rig, 3, "ctl", &body, "juggle", "parser", NULL);
    cr_assert_eq (reply.code, EXIT_USAGE);
    cr_assert (strstr (reply.message, "unknown operation 'juggle'")
               && strstr (reply.message, "scale"), "%s", reply.message);
    json_decref (tu_next_event (rig.sub, "component.operation.failed"));
    //  A stop of a component with no worker: done, and journaled as the
    //  scale to none it is (a deploy brings the count back).
    reply = s_ask (&rig, 4, "ctl", &body, "stop", "detector", NULL);
    cr_assert_eq (reply.code, EXIT_OK, "%s", reply.message);
    cr_assert_str_eq (reply.message, "detector stopped (its workers drain first)");
    json_t *fields = tu_next_event (rig.sub, "component.operation.success");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "component")), "detector");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "operation")), "scale");
    cr_assert_eq (json_integer_value (json_object_get (fields, "desired")), 0);
    json_decref (fields);
    s_unrig (&rig);
}

Test (control, down_config_reload_and_the_unknown)
{
    rig_t rig;
    s_rig (&rig);
    char *body = NULL;
    wire_reply_t reply = s_ask (&rig, 1, "down", &body, NULL);
    cr_assert_eq (reply.code, EXIT_OK);
    cr_assert_str_eq (reply.message, "stopping");
    cr_assert_eq (rig.downs, 1, "the owner was not told");
    cr_assert_str_eq (rig.down_why, "down requested");
    //  config: the settings in force, as the file would say them
    reply = s_ask (&rig, 2, "config", &body, NULL);
    cr_assert_eq (reply.code, EXIT_OK);
    cr_assert (body && strstr (body, "components:"), "%s", body);
    free (body);
    reply = s_ask (&rig, 3, "reload", &body, NULL);
    cr_assert_eq (reply.code, EXIT_USAGE);
    cr_assert (strstr (reply.message, "without a config file"), "%s", reply.message);
    //  No maintenance here: its requests are unknown, as any other.
    reply = s_ask (&rig, 4, "maintain-info", &body, NULL);
    cr_assert_eq (reply.code, EXIT_INPUT);
    reply = s_ask (&rig, 5, "juggle", &body, NULL);
    cr_assert_eq (reply.code, EXIT_INPUT);
    cr_assert_str_eq (reply.message, "unknown operation 'juggle'");
    //  Which requests change the tree: over tcp, operators' alone.
    cr_assert (control_needs_operator ("down"));
    cr_assert (control_needs_operator ("ctl"));
    cr_assert (control_needs_operator ("maintain-backup"));
    cr_assert_not (control_needs_operator ("status"));
    cr_assert_not (control_needs_operator ("result"));
    //  A header that is no REQUEST is dropped, not answered.
    zframe_t *junk = zframe_new ("\x93\x01", 2);
    control_on_request (rig.control, rig.identity, junk);
    zframe_destroy (&junk);
    zsock_set_rcvtimeo (rig.client, 100);
    cr_assert_null (zmsg_recv (rig.client), "a malformed request was answered");
    s_unrig (&rig);
}
