/*  Tests supervisor/outbox without a supervisor: events recorded in the
    ledger and published with their seq and time, text published alone, answers to clients
    routed by the tag on their identity, answers held until their event
    is on disk, and a client that cannot be reached.  */
#include "supervisor/outbox.h"
#include "tests/support/outbox_rig.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    zsock_t *events;            //  PUB, and a SUB on it
    zsock_t *sub;
    zsock_t *front;             //  ROUTER, and a client (DEALER) on it
    zsock_t *client;
    zsock_t *front_tcp;         //  another ROUTER, and a client on it
    zsock_t *client_tcp;
    ledger_t *ledger;
    outbox_t *outbox;
    char *dir;
} rig_t;

static void
s_rig (rig_t *self, bool journal)
{
    static int serial;
    memset (self, 0, sizeof *self);
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://outbox-events-%d", serial);
    self->events = zsock_new_pub (ep);
    self->sub = zsock_new_sub (ep, "");
    snprintf (ep, sizeof ep, "inproc://outbox-front-%d", serial);
    self->front = zsock_new_router (ep);
    self->client = zsock_new_dealer (ep);
    snprintf (ep, sizeof ep, "inproc://outbox-tcp-%d", serial++);
    self->front_tcp = zsock_new_router (ep);
    self->client_tcp = zsock_new_dealer (ep);
    cr_assert (self->events && self->sub && self->front && self->client && self->front_tcp
               && self->client_tcp);
    zsock_set_rcvtimeo (self->sub, 5000);
    zsock_set_rcvtimeo (self->client, 5000);
    zsock_set_rcvtimeo (self->client_tcp, 5000);
    self->outbox = outbox_new ();
    cr_assert_not_null (self->outbox);
    ledger_hooks_t hooks = tu_outbox_ledger_hooks (&self->outbox);
    //  a batch commits only when asked: the answers wait for it
    config_journal_t config = { .fsync = CONFIG_FSYNC_BATCH, .batch_interval_ms = 600000,
                                .batch_records = 64, .segment_size = 1024 * 1024 };
    self->dir = journal? tu_tmpdir (): NULL;
    char err [256] = "";
    self->ledger = ledger_new (self->dir, &config, 16, &hooks, err, sizeof err);
    cr_assert_not_null (self->ledger, "%s", err);
    outbox_set_ledger (self->outbox, self->ledger);
    outbox_set_sockets (self->outbox, self->events, self->front, self->front_tcp);
}

static void
s_unrig (rig_t *self)
{
    ledger_destroy (&self->ledger);
    outbox_destroy (&self->outbox);
    cr_assert_null (self->outbox);
    outbox_destroy (&self->outbox);
    zsock_destroy (&self->client);
    zsock_destroy (&self->client_tcp);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->front);
    zsock_destroy (&self->front_tcp);
    zsock_destroy (&self->events);
    if (self->dir) {
        tu_rmtree (self->dir);
        free (self->dir);
    }
}

Test (outbox, events_are_recorded_then_published)
{
    rig_t rig;
    s_rig (&rig, false);
    tu_sub_ready (rig.outbox, rig.sub);
    char *type = NULL;
    char *text = NULL;
    uint64_t seq = outbox_event (rig.outbox, "workflow.started",
                                 json_pack ("{s:s, s:i, s:b}", "workflow_id", "wf-1",
                                            "priority", 5, "spooled", 1));
    cr_assert_eq (seq, 1u, "the first event recorded");
    cr_assert_eq (zstr_recvx (rig.sub, &type, &text, NULL), 2);
    cr_assert_str_eq (type, "workflow.started");
    json_t *fields = json_loads (text, 0, NULL);
    cr_assert_not_null (fields, "%s", text);
    cr_assert_str_eq (json_string_value (json_object_get (fields, "type")), "workflow.started");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "workflow_id")), "wf-1");
    cr_assert_eq (json_integer_value (json_object_get (fields, "priority")), 5);
    cr_assert (json_is_true (json_object_get (fields, "spooled")));
    cr_assert_eq ((uint64_t) json_integer_value (json_object_get (fields, "seq")), seq);
    cr_assert_gt (json_integer_value (json_object_get (fields, "time_ms")), 0);
    const char *stamp = json_string_value (json_object_get (fields, "time"));
    cr_assert (stamp && strchr (stamp, 'T') && stamp [strlen (stamp) - 1] == 'Z', "%s", text);
    json_decref (fields);
    zstr_free (&type);
    zstr_free (&text);
    //  the next one is numbered after it
    cr_assert_eq (outbox_event (rig.outbox, "probe", json_object ()), seq + 1);
    s_unrig (&rig);
}

Test (outbox, answers_go_to_the_socket_the_client_came_on)
{
    rig_t rig;
    s_rig (&rig, false);
    zframe_t *ipc = tu_client_identity (rig.front, rig.client, 1);
    zframe_t *tcp = tu_client_identity (rig.front_tcp, rig.client_tcp, 2);
    char *body;
    outbox_reply (rig.outbox, ipc, 7, 1, "wf-a", "refused", true, "why", 3);
    wire_reply_t reply = tu_client_reply (rig.client, &body);
    cr_assert_eq (reply.req_id, 7u);
    cr_assert_eq (reply.code, 1);
    cr_assert_str_eq (reply.workflow_id, "wf-a");
    cr_assert_str_eq (reply.message, "refused");
    cr_assert (reply.degraded);
    cr_assert_str_eq (body, "why");
    free (body);
    outbox_reply_result (rig.outbox, tcp, 8, "wf-b", false, true, "yaml", 4);
    reply = tu_client_reply (rig.client_tcp, &body);
    cr_assert_eq (reply.req_id, 8u);
    cr_assert_eq (reply.code, 0);
    cr_assert_str_eq (reply.workflow_id, "wf-b");
    cr_assert (reply.no_tests);
    cr_assert_str_eq (body, "yaml");
    free (body);
    outbox_reply (rig.outbox, ipc, 9, 0, NULL, NULL, false, NULL, 0);
    reply = tu_client_reply (rig.client, &body);
    cr_assert_eq (reply.req_id, 9u);
    cr_assert_str_eq (reply.workflow_id, "");
    cr_assert_null (body);
    cr_assert_not (zsock_events (rig.client_tcp) & ZMQ_POLLIN, "one answer, one socket");
    zframe_destroy (&ipc);
    zframe_destroy (&tcp);
    s_unrig (&rig);
}

Test (outbox, a_client_that_cannot_be_reached)
{
    rig_t rig;
    s_rig (&rig, false);
    //  no identity at all: nothing sent, what was given freed
    zframe_t *empty = zframe_new (NULL, 0);
    uint8_t *header = malloc (16);
    zframe_t *payload = zframe_new ("x", 1);
    cr_assert_eq (outbox_send_client (rig.outbox, empty, header, 16, &payload, 1), -1);
    cr_assert_null (payload);
    zframe_destroy (&empty);
    //  a tcp client when there is no tcp socket
    zframe_t *tcp = tu_client_identity (rig.front_tcp, rig.client_tcp, 2);
    outbox_set_sockets (rig.outbox, rig.events, rig.front, NULL);
    header = malloc (16);
    cr_assert_eq (outbox_send_client (rig.outbox, tcp, header, 16, NULL, 0), -1);
    zframe_destroy (&tcp);
    s_unrig (&rig);
}

Test (outbox, held_answers_wait_for_the_disk)
{
    rig_t rig;
    s_rig (&rig, true);
    zframe_t *ipc = tu_client_identity (rig.front, rig.client, 1);
    uint64_t seq = outbox_event (rig.outbox, "workflow.queued",
                                 json_pack ("{s:s}", "workflow_id", "wf-h"));
    cr_assert_gt (seq, 0u);
    cr_assert_not (ledger_durable (rig.ledger, seq));
    outbox_reply_held (rig.outbox, ipc, 11, 0, "wf-h", "accepted", false, true, NULL, 0);
    zsock_set_rcvtimeo (rig.client, 100);
    cr_assert_null (zmsg_recv (rig.client), "answered before its event is on disk");
    ledger_commit (rig.ledger);
    cr_assert (ledger_durable (rig.ledger, seq));
    zsock_set_rcvtimeo (rig.client, 5000);
    char *body;
    wire_reply_t reply = tu_client_reply (rig.client, &body);
    cr_assert_eq (reply.req_id, 11u);
    cr_assert (reply.accepted);
    cr_assert_str_eq (reply.message, "accepted");
    cr_assert_null (body);
    //  nothing held back: an answer goes at once
    outbox_reply_held (rig.outbox, ipc, 12, 0, "", "done", false, false, NULL, 0);
    reply = tu_client_reply (rig.client, &body);
    cr_assert_eq (reply.req_id, 12u);
    zframe_destroy (&ipc);
    s_unrig (&rig);
}
