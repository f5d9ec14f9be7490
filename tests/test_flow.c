/*  Tests supervisor/flow without a supervisor, on a real pool with no
    worker: submissions queued and answered, malformed ones refused, a
    second client waiting on the same workflow, deadlines passed at a
    given now, a component whose breaker opens failing its queue (through
    the pool's hook), a full queue shedding, the drain, workflows
    recovered from the journal's replay and the snapshot of the pending.  */
#include "supervisor/flow.h"
#include "supervisor/results.h"
#include "tests/support/outbox_rig.h"
#include "tests/support/testutil.h"

#include "common/util.h"
#include "proto/wire.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    config_t cfg;
    zsock_t *events;            //  the outbox's PUB, and a SUB on it
    zsock_t *sub;
    zsock_t *front;             //  the clients' ROUTER, and a client on it
    zsock_t *client;
    zframe_t *identity;         //  the client's, as the supervisor keeps it
    ledger_t *ledger;
    outbox_t *outbox;
    remote_t *remote;
    results_t *results;
    pool_t *pool;
    flow_t *flow;
    uint64_t req_id;
} rig_t;

//  The pool's news goes to the flow, as server.c wires it.
static void
s_capacity (void *arg, component_t *component)
{
    flow_t *flow = *(flow_t **) arg;
    if (component)
        flow_dispatch (flow, component);
    else
        flow_dispatch_all (flow);
}

static void
s_unavailable (void *arg, component_t *component)
{
    flow_fail_unavailable (*(flow_t **) arg, component);
}

static bool
s_jobs_lost (void *arg, worker_t *worker, const char *why, bool count_crash)
{
    return flow_requeue_jobs (*(flow_t **) arg, worker, why, count_crash);
}

//  The defaults with no worker anywhere, and the caller's changes.
static void
s_rig (rig_t *self)
{
    memset (self, 0, sizeof *self);
    tu_config_no_workers (&self->cfg);
}

static void
s_rig_flow (rig_t *self)
{
    static int serial;
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://flow-events-%d", serial);
    self->events = zsock_new_pub (ep);
    self->sub = zsock_new_sub (ep, "");
    snprintf (ep, sizeof ep, "inproc://flow-front-%d", serial++);
    self->front = zsock_new_router (ep);
    self->client = zsock_new_dealer (ep);
    cr_assert (self->events && self->sub && self->front && self->client);
    zsock_set_rcvtimeo (self->sub, 5000);
    zsock_set_rcvtimeo (self->client, 5000);
    self->identity = tu_client_identity (self->front, self->client, 1);
    self->outbox = outbox_new ();
    self->results = results_new (16, 0);
    cr_assert (self->outbox && self->results);
    self->ledger = tu_memory_ledger (&self->outbox);
    self->remote = remote_new (self->outbox);
    cr_assert_not_null (self->remote);
    outbox_set_sockets (self->outbox, self->events, self->front, NULL);
    tu_sub_ready (self->outbox, self->sub);
    pool_hooks_t pool_hooks = { .capacity = s_capacity, .unavailable = s_unavailable,
                                .jobs_lost = s_jobs_lost, .arg = &self->flow };
    self->pool = pool_new (&self->cfg, "/nonexistent", "", "/nonexistent", "ipc://@flow-test",
                           self->outbox, &pool_hooks, 1);
    cr_assert_not_null (self->pool);
    self->flow = flow_new (&self->cfg, self->pool, self->outbox, self->remote, self->results,
                           NULL, NULL, 2);
    cr_assert_not_null (self->flow);
    flow_set_ledger (self->flow, self->ledger);
}

static void
s_unrig (rig_t *self)
{
    flow_destroy (&self->flow);
    cr_assert_null (self->flow);
    pool_destroy (&self->pool);
    remote_destroy (&self->remote);
    ledger_destroy (&self->ledger);
    results_destroy (&self->results);
    outbox_destroy (&self->outbox);
    zframe_destroy (&self->identity);
    zsock_destroy (&self->client);
    zsock_destroy (&self->front);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->events);
    config_release (&self->cfg);
}

//  A SUBMIT of workflow id (frames of its inputs: 2, or fewer to be
//  malformed) from the rig's client; returns its req_id.
static uint64_t
s_submit (rig_t *self, const char *id, uint32_t timeout_ms, int32_t priority, int frames,
          bool attach)
{
    wire_submit_t submit = { .req_id = ++self->req_id, .priority = priority,
                             .timeout_ms = timeout_ms, .attach = attach };
    util_copy (submit.workflow_id, sizeof submit.workflow_id, id);
    util_copy (submit.options.target, sizeof submit.options.target, "github");
    uint8_t *buf;
    size_t size;
    cr_assert_eq (wire_submit_encode (&submit, &buf, &size), 0);
    zframe_t *header = zframe_new (buf, size);
    free (buf);
    zmsg_t *msg = zmsg_new ();
    if (frames > 0)
        zmsg_addstr (msg, "# A project\n\n    make test\n");
    if (frames > 1)
        zmsg_addstr (msg, "project frame");
    flow_submit (self->flow, self->identity, msg, header);
    zmsg_destroy (&msg);
    zframe_destroy (&header);
    return submit.req_id;
}

//  The next reply the client gets: its code and message (of req_id).
static wire_reply_t
s_reply (rig_t *self, uint64_t req_id)
{
    char *body = NULL;
    wire_reply_t reply = tu_client_reply (self->client, &body);
    free (body);
    cr_assert_eq (reply.req_id, req_id, "the reply to %llu, not %llu",
                  (unsigned long long) reply.req_id, (unsigned long long) req_id);
    return reply;
}

//  No reply is waiting for the client.
static void
s_no_reply (rig_t *self)
{
    zpoller_t *poller = zpoller_new (self->client, NULL);
    cr_assert_null (zpoller_wait (poller, 0), "a reply came that no one waited for");
    zpoller_destroy (&poller);
}

static size_t
s_queued (rig_t *self, const char *component)
{
    return pqueue_size (pool_component (self->pool, component)->queue);
}

Test (flow, submissions_are_queued_and_accepted)
{
    rig_t rig;
    s_rig (&rig);
    s_rig_flow (&rig);
    uint64_t req = s_submit (&rig, "wf-a", 60000, WIRE_PRIORITY_NORMAL, 2, false);
    wire_reply_t reply = s_reply (&rig, req);
    cr_assert_eq (reply.code, EXIT_OK);
    cr_assert (reply.accepted);
    cr_assert_str_eq (reply.workflow_id, "wf-a");
    cr_assert (flow_known (rig.flow, "wf-a"));
    cr_assert_not (flow_known (rig.flow, "wf-b"));
    cr_assert_eq (s_queued (&rig, "parser"), 1);
    flow_counts_t counts = flow_counts (rig.flow);
    cr_assert_eq (counts.in_flight, 1);
    cr_assert_eq (counts.completed + counts.failed + counts.shed, 0);
    //  a second client on the same id waits with the first: no answer yet
    s_submit (&rig, "wf-a", 0, WIRE_PRIORITY_NORMAL, 0, true);
    s_no_reply (&rig);
    cr_assert_eq (flow_counts (rig.flow).in_flight, 1);
    //  refusals, each answered at once
    req = s_submit (&rig, "wf-c", 60000, WIRE_PRIORITY_NORMAL, 1, false);
    reply = s_reply (&rig, req);
    cr_assert_eq (reply.code, EXIT_INPUT);
    cr_assert_str_eq (reply.message, "malformed SUBMIT: 1 payload frame(s), where it takes "
                                     "2 (docs, then project)");
    req = s_submit (&rig, "wf-unknown", 0, WIRE_PRIORITY_NORMAL, 0, true);
    reply = s_reply (&rig, req);
    cr_assert_eq (reply.code, EXIT_INPUT);
    cr_assert_str_eq (reply.message, "no workflow with this id");
    cr_assert_eq (flow_counts (rig.flow).in_flight, 1);
    //  the drain: new work is refused
    flow_set_draining (rig.flow);
    req = s_submit (&rig, "wf-d", 60000, WIRE_PRIORITY_NORMAL, 2, false);
    reply = s_reply (&rig, req);
    cr_assert_eq (reply.code, EXIT_UNAVAILABLE);
    cr_assert_str_eq (reply.message, "the supervisor is shutting down");
    cr_assert_not (flow_known (rig.flow, "wf-d"));
    s_unrig (&rig);
}

Test (flow, a_passed_deadline_answers_every_waiter)
{
    rig_t rig;
    s_rig (&rig);
    s_rig_flow (&rig);
    uint64_t first = s_submit (&rig, "wf-late", 2000, WIRE_PRIORITY_NORMAL, 2, false);
    cr_assert (s_reply (&rig, first).accepted);
    uint64_t second = s_submit (&rig, "wf-late", 0, WIRE_PRIORITY_NORMAL, 0, true);
    uint64_t now = util_now_ms ();
    flow_tick (rig.flow, now + 1000);
    s_no_reply (&rig);
    cr_assert (flow_known (rig.flow, "wf-late"));
    flow_tick (rig.flow, now + 5000);
    wire_reply_t reply = s_reply (&rig, first);
    cr_assert_eq (reply.code, EXIT_TIMEOUT);
    cr_assert (strncmp (reply.message, "timed out after ", 16) == 0, "%s", reply.message);
    cr_assert (strstr (reply.message, " ms in the parse step"), "%s", reply.message);
    reply = s_reply (&rig, second);
    cr_assert_eq (reply.code, EXIT_TIMEOUT);
    cr_assert_not (flow_known (rig.flow, "wf-late"));
    cr_assert_eq (s_queued (&rig, "parser"), 0);
    flow_counts_t counts = flow_counts (rig.flow);
    cr_assert_eq (counts.failed, 1);
    cr_assert_eq (counts.in_flight, 0);
    //  The ended workflow left holes in the heap: trimmed once, no sooner
    //  than 200 ms after the process's last trim, which it moves.
    uint64_t last_trim = now + 4900;
    cr_assert_not (flow_trim (rig.flow, now + 5000, &last_trim), "trimmed 100 ms after one");
    cr_assert_eq (last_trim, now + 4900);
    cr_assert (flow_trim (rig.flow, now + 5100, &last_trim));
    cr_assert_eq (last_trim, now + 5100);
    cr_assert_not (flow_trim (rig.flow, now + 9000, &last_trim), "nothing freed since");
    cr_assert_eq (last_trim, now + 5100);
    s_unrig (&rig);
}

Test (flow, a_component_unavailable_fails_its_queue)
{
    rig_t rig;
    s_rig (&rig);
    rig.cfg.components [STEP_PARSE].breaker.failures = 1;
    rig.cfg.components [STEP_PARSE].workers = 1;        //  wanted, never started
    s_rig_flow (&rig);
    uint64_t req = s_submit (&rig, "wf-x", 60000, WIRE_PRIORITY_NORMAL, 2, false);
    cr_assert (s_reply (&rig, req).accepted);
    //  the parser's breaker opens: the pool tells the flow, which fails
    //  what waits for it
    pool_breaker_result (rig.pool, pool_component (rig.pool, "parser"), false);
    const char *why = "the parser component is unavailable (its circuit breaker is open); "
                      "try again later";
    wire_reply_t reply = s_reply (&rig, req);
    cr_assert_eq (reply.code, EXIT_UNAVAILABLE);
    cr_assert_str_eq (reply.message, why);
    cr_assert_not (flow_known (rig.flow, "wf-x"));
    //  and new work is refused at the door
    req = s_submit (&rig, "wf-y", 60000, WIRE_PRIORITY_NORMAL, 2, false);
    reply = s_reply (&rig, req);
    cr_assert_eq (reply.code, EXIT_UNAVAILABLE);
    cr_assert_str_eq (reply.message, why);
    cr_assert_eq (flow_counts (rig.flow).failed, 2);
    s_unrig (&rig);
}

Test (flow, a_full_queue_sheds_lower_work)
{
    rig_t rig;
    s_rig (&rig);
    rig.cfg.queue.capacity = 1;
    s_rig_flow (&rig);
    uint64_t low = s_submit (&rig, "wf-low", 60000, WIRE_PRIORITY_LOW, 2, false);
    cr_assert (s_reply (&rig, low).accepted);
    //  no higher than what the queue holds: refused
    uint64_t req = s_submit (&rig, "wf-low2", 60000, WIRE_PRIORITY_LOW, 2, false);
    wire_reply_t reply = s_reply (&rig, req);
    cr_assert_eq (reply.code, EXIT_UNAVAILABLE);
    cr_assert_str_eq (reply.message, "overloaded: the queue is full; try again later");
    //  higher: the lower one goes
    uint64_t high = s_submit (&rig, "wf-high", 60000, WIRE_PRIORITY_HIGH, 2, false);
    cr_assert (s_reply (&rig, high).accepted);
    reply = s_reply (&rig, low);
    cr_assert_eq (reply.code, EXIT_UNAVAILABLE);
    cr_assert_str_eq (reply.message, "overloaded: shed for higher-priority work");
    cr_assert (flow_known (rig.flow, "wf-high"));
    cr_assert_not (flow_known (rig.flow, "wf-low"));
    flow_counts_t counts = flow_counts (rig.flow);
    cr_assert_eq (counts.shed, 2);
    cr_assert_eq (counts.in_flight, 1);
    s_unrig (&rig);
}

//  A workflow.queued event as the journal's replay gives it.
static void
s_queued_event (event_t *event, const char *id, int64_t timeout_ms, int64_t deadline_ms)
{
    memset (event, 0, sizeof *event);
    event->seq = 7;
    event->time = util_wall_ms ();
    cr_assert_eq (event_set_type (event, "workflow.queued"), 0);
    cr_assert_eq (event_add_str (event, "workflow_id", id), 0);
    cr_assert_eq (event_add_int (event, "priority", WIRE_PRIORITY_HIGH), 0);
    cr_assert_eq (event_add_int (event, "timeout_ms", timeout_ms), 0);
    cr_assert_eq (event_add_int (event, "deadline_time_ms", deadline_ms), 0);
    cr_assert_eq (event_add_bytes (event, "docs", "# docs", 6), 0);
    cr_assert_eq (event_add_bytes (event, "project", "proj", 4), 0);
}

static int
s_count_pending (const event_t *queued, void *arg)
{
    const char *id = event_get_str (queued, "workflow_id");
    cr_assert_not_null (id);
    json_t *ids = arg;
    json_array_append_new (ids, json_string (id));
    return 0;
}

Test (flow, recovered_workflows_are_pending)
{
    rig_t rig;
    s_rig (&rig);
    s_rig_flow (&rig);
    uint64_t wall = util_wall_ms ();
    event_t event;
    s_queued_event (&event, "wf-back", 60000, (int64_t) wall + 60000);
    cr_assert_eq (flow_recover (rig.flow, &event), 0);
    event_release (&event);
    //  its deadline passed while no supervisor ran: known, not queued
    s_queued_event (&event, "wf-gone", 60000, (int64_t) wall - 1000);
    cr_assert_eq (flow_recover (rig.flow, &event), 0);
    event_release (&event);
    //  no inputs: not usable
    memset (&event, 0, sizeof event);
    event_set_type (&event, "workflow.queued");
    event_add_str (&event, "workflow_id", "wf-empty");
    cr_assert_eq (flow_recover (rig.flow, &event), -1);
    event_release (&event);
    cr_assert (flow_known (rig.flow, "wf-back"));
    cr_assert (flow_known (rig.flow, "wf-gone"));
    cr_assert_not (flow_known (rig.flow, "wf-empty"));
    cr_assert_eq (s_queued (&rig, "parser"), 1);
    cr_assert_eq (flow_counts (rig.flow).in_flight, 2);

    snapshot_t *state = snapshot_new (16);
    cr_assert_not_null (state);
    cr_assert_eq (flow_snapshot_pending (rig.flow, state), 0);
    cr_assert_eq (snapshot_pending_count (state), 2);
    json_t *ids = json_array ();
    snapshot_each_pending (state, s_count_pending, ids);
    cr_assert_eq (json_array_size (ids), 2);
    json_decref (ids);
    snapshot_destroy (&state);

    //  the first tick fails the one whose deadline passed
    flow_tick (rig.flow, util_now_ms ());
    cr_assert_not (flow_known (rig.flow, "wf-gone"));
    cr_assert (flow_known (rig.flow, "wf-back"));
    cr_assert_eq (flow_counts (rig.flow).failed, 1);
    //  the stop: every one left is failed
    flow_abandon_all (rig.flow, "the supervisor stopped before the workflow finished");
    flow_counts_t counts = flow_counts (rig.flow);
    cr_assert_eq (counts.in_flight, 0);
    cr_assert_eq (counts.failed, 2);
    s_no_reply (&rig);
    s_unrig (&rig);
}
