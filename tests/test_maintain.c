/*  Tests supervisor/maintain without a supervisor: maintain-info, the
    requests refused (a bad age or folder, no journal, an unknown
    operation), a cleanup that snapshots what the hooks and the results
    give and tells the stream of each part, and a backup copied on the
    loop's timer that answers when it is done.  */
#include "supervisor/maintain.h"
#include "tests/support/outbox_rig.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    zsock_t *events;            //  PUB, and a SUB on it
    zsock_t *sub;
    zsock_t *front;             //  ROUTER, and a client (DEALER) on it
    zsock_t *client;
    zframe_t *identity;         //  the client's, as the supervisor keeps it
    config_t config;
    results_t *results;
    ledger_t *ledger;
    outbox_t *outbox;
    zloop_t *loop;
    maintain_t *maintain;
    char *dir;
    size_t desired_asked;
    size_t pending_asked;
} rig_t;

static void
s_add_desired (void *arg, snapshot_t *state)
{
    rig_t *self = arg;
    self->desired_asked++;
    cr_assert_eq (snapshot_set_desired (state, "parser", 3), 0);
}

static int
s_add_pending (void *arg, snapshot_t *state)
{
    rig_t *self = arg;
    self->pending_asked++;
    event_t queued = { .time = 1700000000000ull };
    event_set_type (&queued, "workflow.queued");
    event_add_str (&queued, "workflow_id", "wf-pending");
    event_add_bytes (&queued, "docs", "d", 1);
    event_add_bytes (&queued, "project", "p", 1);
    return snapshot_add_pending (state, &queued);
}

static void
s_rig (rig_t *self, bool journal)
{
    static int serial;
    memset (self, 0, sizeof *self);
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://maintain-events-%d", serial);
    self->events = zsock_new_pub (ep);
    self->sub = zsock_new_sub (ep, "");
    snprintf (ep, sizeof ep, "inproc://maintain-front-%d", serial++);
    self->front = zsock_new_router (ep);
    self->client = zsock_new_dealer (ep);
    cr_assert (self->events && self->sub && self->front && self->client);
    zsock_set_rcvtimeo (self->sub, 5000);
    zsock_set_rcvtimeo (self->client, 5000);
    zsock_set_rcvtimeo (self->front, 5000);
    self->identity = tu_client_identity (self->front, self->client, 1);

    self->config.results.keep = 16;
    self->config.journal = (config_journal_t) {
        .fsync = CONFIG_FSYNC_BATCH, .batch_interval_ms = 600000, .batch_records = 64,
        .segment_size = 1024 * 1024, .retention_ms = 86400000 };
    self->results = results_new (16, 0);
    self->outbox = outbox_new ();
    cr_assert (self->results && self->outbox);
    ledger_hooks_t hooks = tu_outbox_ledger_hooks (&self->outbox);
    self->dir = journal? tu_tmpdir (): NULL;
    char err [256] = "";
    self->ledger = ledger_new (self->dir, &self->config.journal, 16, &hooks, err, sizeof err);
    cr_assert_not_null (self->ledger, "%s", err);
    outbox_set_ledger (self->outbox, self->ledger);
    outbox_set_sockets (self->outbox, self->events, self->front, NULL);
    self->loop = zloop_new ();
    maintain_hooks_t maintain_hooks = { .add_desired = s_add_desired,
                                        .add_pending = s_add_pending, .arg = self };
    self->maintain = maintain_new (&self->config, self->dir, self->ledger, self->results,
                                   self->outbox, self->loop, &maintain_hooks);
    cr_assert_not_null (self->maintain);
}

static void
s_unrig (rig_t *self)
{
    maintain_destroy (&self->maintain);
    cr_assert_null (self->maintain);
    maintain_destroy (&self->maintain);
    zloop_destroy (&self->loop);
    ledger_destroy (&self->ledger);
    outbox_destroy (&self->outbox);
    results_destroy (&self->results);
    zframe_destroy (&self->identity);
    zsock_destroy (&self->client);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->front);
    zsock_destroy (&self->events);
    if (self->dir) {
        tu_rmtree (self->dir);
        free (self->dir);
    }
}

//  Asks op with up to one argument.
static void
s_ask (rig_t *self, uint64_t req_id, const char *op, const char *arg)
{
    wire_request_t request = { .req_id = req_id, .args_count = arg? 1: 0 };
    snprintf (request.op, sizeof request.op, "%s", op);
    request.args [0] = (char *) arg;
    maintain_on_request (self->maintain, self->identity, &request);
}

static int
s_expect_code (rig_t *self, uint64_t req_id, const char *message)
{
    char *body;
    wire_reply_t reply = tu_client_reply (self->client, &body);
    cr_assert_eq (reply.req_id, req_id);
    if (message)
        cr_assert (strstr (reply.message, message), "%s", reply.message);
    free (body);
    return reply.code;
}

Test (maintain, refusals_without_a_journal)
{
    rig_t rig;
    s_rig (&rig, false);
    s_ask (&rig, 1, "maintain-info", NULL);
    char *body;
    wire_reply_t reply = tu_client_reply (rig.client, &body);
    cr_assert_eq (reply.code, 0);
    json_t *info = json_loads (body, 0, NULL);
    cr_assert_not_null (info, "%s", body);
    cr_assert_str_eq (json_string_value (json_object_get (info, "journal")), "");
    cr_assert_eq (json_integer_value (json_object_get (info, "retention_ms")), 86400000);
    cr_assert (json_is_true (json_object_get (info, "healthy")));
    cr_assert (json_is_false (json_object_get (info, "backup")));
    json_decref (info);
    free (body);
    s_ask (&rig, 2, "maintain-cleanup", "-5");
    cr_assert_eq (s_expect_code (&rig, 2, "needs an age"), 2);
    s_ask (&rig, 3, "maintain-cleanup", "0");
    cr_assert_eq (s_expect_code (&rig, 3, "without a journal"), 3);
    s_ask (&rig, 4, "maintain-backup", "relative/path");
    cr_assert_eq (s_expect_code (&rig, 4, "absolute folder"), 2);
    s_ask (&rig, 5, "maintain-backup", "/tmp/anywhere");
    cr_assert_eq (s_expect_code (&rig, 5, "without a journal"), 3);
    s_ask (&rig, 6, "maintain-nothing", NULL);
    cr_assert_eq (s_expect_code (&rig, 6, "unknown operation 'maintain-nothing'"), 2);
    cr_assert_eq (rig.desired_asked + rig.pending_asked, 0u, "no snapshot was made");
    s_unrig (&rig);
}

Test (maintain, cleanup_snapshots_what_the_hooks_and_results_give)
{
    rig_t rig;
    s_rig (&rig, true);
    cr_assert_eq (results_keep (rig.results, "wf-done", "yaml", 4, 1700000000000ull, false,
                                false), 0);
    tu_sub_ready (rig.outbox, rig.sub);
    char *type = NULL, *text = NULL;
    s_ask (&rig, 7, "maintain-cleanup", "0");
    cr_assert_eq (s_expect_code (&rig, 7, "(1 workflows in progress, 1 results kept)"), 0);
    cr_assert_eq (rig.desired_asked, 1u);
    cr_assert_eq (rig.pending_asked, 1u);
    cr_assert_eq (zstr_recvx (rig.sub, &type, &text, NULL), 2);
    cr_assert_str_eq (type, SNAPSHOT_TYPE);
    json_t *part = json_loads (text, 0, NULL);
    cr_assert_not_null (part, "%s", text);
    cr_assert (json_is_true (json_object_get (part, "last")), "one part: %s", text);
    cr_assert_eq (json_integer_value (json_object_get (part, "workflows")), 1);
    cr_assert_eq (json_integer_value (json_object_get (part, "results")), 1);
    json_decref (part);
    zstr_free (&type);
    zstr_free (&text);
    s_unrig (&rig);
}

static int
s_on_client (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    (void) arg;
    return -1;                  //  a reply is waiting: stop the loop
}

static int
s_on_too_long (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    return -1;
}

Test (maintain, a_backup_runs_on_the_timer_and_answers_when_done)
{
    rig_t rig;
    s_rig (&rig, true);
    char dest [4200];
    snprintf (dest, sizeof dest, "%s/backup", rig.dir);
    s_ask (&rig, 8, "maintain-backup", dest);
    //  a second one while it runs is refused, and so is a cleanup
    s_ask (&rig, 9, "maintain-backup", "/tmp/elsewhere");
    cr_assert_eq (s_expect_code (&rig, 9, "is already running"), 3);
    s_ask (&rig, 10, "maintain-cleanup", "0");
    cr_assert_eq (s_expect_code (&rig, 10, "clean up after it"), 3);
    s_ask (&rig, 11, "maintain-info", NULL);
    char *body;
    tu_client_reply (rig.client, &body);
    cr_assert (strstr (body, "\"backup\":true"), "%s", body);
    free (body);
    zloop_reader (rig.loop, rig.client, s_on_client, NULL);
    zloop_timer (rig.loop, 10000, 1, s_on_too_long, NULL);
    zloop_start (rig.loop);
    cr_assert_eq (s_expect_code (&rig, 8, "backup written to"), 0);
    struct stat st;
    cr_assert_eq (stat (dest, &st), 0, "%s", dest);
    cr_assert (S_ISDIR (st.st_mode));
    //  an existing folder is the operator's mistake
    s_ask (&rig, 12, "maintain-backup", dest);
    cr_assert_eq (s_expect_code (&rig, 12, "already exists"), 1);
    s_unrig (&rig);
}
