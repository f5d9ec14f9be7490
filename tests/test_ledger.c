/*  Tests supervisor/ledger without a supervisor: events numbered and
    answers sent at once without a journal; with one, answers held until
    their event is durable, the journal locked against a second ledger,
    and what replay finds (every event, the kept results, the accepted
    workflows without an end) told to the hooks in order.  */
#include "supervisor/ledger.h"

#include "support/testutil.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct {
    size_t events;
    char types [16][32];
    size_t results;
    char result_id [32], result_text [64];
    bool result_no_tests;
    size_t evicted;
    size_t pending;
    char pending_id [32];
    size_t sent;
    uint64_t sent_req_id [8];
    size_t io_asked;
} seen_t;

static void
s_event (void *arg, const event_t *event)
{
    seen_t *self = arg;
    if (self->events < 16)
        snprintf (self->types [self->events], sizeof self->types [0], "%s", event->type);
    self->events++;
}

static void
s_result (void *arg, const char *id, const char *text, size_t size, uint64_t time_ms,
          bool no_tests)
{
    seen_t *self = arg;
    self->results++;
    snprintf (self->result_id, sizeof self->result_id, "%s", id);
    snprintf (self->result_text, sizeof self->result_text, "%.*s", (int) size, text);
    self->result_no_tests = no_tests;
    cr_assert_gt (time_ms, 0u);
}

static void
s_evicted (void *arg, const char *id)
{
    ((seen_t *) arg)->evicted++;
}

static bool
s_pending (void *arg, const event_t *queued)
{
    seen_t *self = arg;
    self->pending++;
    snprintf (self->pending_id, sizeof self->pending_id, "%s",
              event_get_str (queued, "workflow_id"));
    return true;
}

static const jio_t *
s_io (void *arg, const jio_t *inner)
{
    ((seen_t *) arg)->io_asked++;
    return inner;
}

static int
s_send (void *arg, zframe_t *identity, uint8_t *header, size_t size, zframe_t **payloads,
        size_t count)
{
    seen_t *self = arg;
    wire_reply_t reply;
    cr_assert_eq (wire_reply_decode (&reply, header, size), 0);
    if (self->sent < 8)
        self->sent_req_id [self->sent] = reply.req_id;
    self->sent++;
    free (header);
    for (size_t i = 0; i < count; i++)
        zframe_destroy (&payloads [i]);
    return 0;
}

static ledger_hooks_t
s_hooks (seen_t *seen)
{
    memset (seen, 0, sizeof *seen);
    return (ledger_hooks_t) { .replay_event = s_event, .replay_result = s_result,
                              .replay_evicted = s_evicted, .replay_pending = s_pending,
                              .journal_io = s_io, .send = s_send, .arg = seen };
}

static config_journal_t
s_config (void)
{
    //  a batch commits only when asked (or at 64 records): deterministic
    return (config_journal_t) { .fsync = CONFIG_FSYNC_BATCH, .batch_interval_ms = 600000,
                                .batch_records = 64, .segment_size = 1024 * 1024 };
}

static uint64_t
s_record (ledger_t *ledger, const char *type, const char *id, const char *bytes_key,
          const char *bytes)
{
    event_t event = { .time = 1700000000000ull };
    event_set_type (&event, type);
    event_add_str (&event, "workflow_id", id);
    if (bytes_key)
        event_add_bytes (&event, bytes_key, bytes, strlen (bytes));
    return ledger_record (ledger, &event);
}

static void
s_reply (ledger_t *ledger, uint64_t req_id)
{
    zframe_t *identity = zframe_new ("\x01" "abc", 4);
    wire_reply_t reply = { .req_id = req_id };
    ledger_hold_reply (ledger, identity, &reply, NULL, 0);
    zframe_destroy (&identity);
}

Test (ledger, without_a_journal_everything_is_durable_at_once)
{
    seen_t seen;
    ledger_hooks_t hooks = s_hooks (&seen);
    config_journal_t config = s_config ();
    char err [256] = "";
    ledger_t *ledger = ledger_new ("", &config, 16, &hooks, err, sizeof err);
    cr_assert_not_null (ledger, "%s", err);
    cr_assert_null (ledger_journal (ledger));
    cr_assert_eq (seen.io_asked, 0u);
    cr_assert_eq (s_record (ledger, "workflow.started", "wf-1", NULL, NULL), 1u);
    cr_assert_eq (s_record (ledger, "workflow.started", "wf-2", NULL, NULL), 2u);
    cr_assert (ledger_durable (ledger, 2));
    cr_assert (ledger_healthy (ledger));
    cr_assert_str_eq (ledger_problem (ledger), "");
    s_reply (ledger, 9);
    cr_assert_eq (seen.sent, 1u, "nothing waits for a disk: the answer goes now");
    cr_assert_eq (seen.sent_req_id [0], 9u);
    cr_assert_eq (ledger_recovered (ledger), 0u);
    ledger_destroy (&ledger);
    cr_assert_null (ledger);
    ledger_destroy (&ledger);
}

Test (ledger, answers_wait_for_the_disk_and_replay_tells_the_hooks)
{
    char *dir = tu_tmpdir ();
    seen_t seen;
    ledger_hooks_t hooks = s_hooks (&seen);
    config_journal_t config = s_config ();
    char err [256] = "";
    ledger_t *ledger = ledger_new (dir, &config, 16, &hooks, err, sizeof err);
    cr_assert_not_null (ledger, "%s", err);
    cr_assert_not_null (ledger_journal (ledger));
    cr_assert_eq (seen.io_asked, 1u);

    //  a second ledger on the same journal is refused
    seen_t other_seen;
    ledger_hooks_t other = s_hooks (&other_seen);
    cr_assert_null (ledger_new (dir, &config, 16, &other, err, sizeof err));
    cr_assert (strstr (err, "another supervisor uses this journal"), "%s", err);

    uint64_t seq = s_record (ledger, "workflow.queued", "wf-done", "docs", "# A");
    cr_assert_gt (seq, 0u);
    s_reply (ledger, 1);
    s_record (ledger, "workflow.queued", "wf-open", "docs", "# B");
    s_record (ledger, "workflow.completed", "wf-done", "result", "name: CI");
    //  batched: not yet durable, so the answer waits
    cr_assert_not (ledger_durable (ledger, seq));
    cr_assert_eq (seen.sent, 0u);
    ledger_commit (ledger);
    cr_assert (ledger_durable (ledger, seq));
    cr_assert_eq (seen.sent, 1u);
    cr_assert_eq (seen.sent_req_id [0], 1u);
    ledger_destroy (&ledger);

    //  replay: every event in order; the result; the workflow left open
    ledger = ledger_new (dir, &config, 16, &hooks, err, sizeof err);
    cr_assert_not_null (ledger, "%s", err);
    cr_assert_eq (seen.events, 3u);
    cr_assert_str_eq (seen.types [0], "workflow.queued");
    cr_assert_str_eq (seen.types [2], "workflow.completed");
    cr_assert_eq (seen.results, 1u);
    cr_assert_str_eq (seen.result_id, "wf-done");
    cr_assert_str_eq (seen.result_text, "name: CI");
    cr_assert_not (seen.result_no_tests);
    cr_assert_eq (seen.pending, 1u);
    cr_assert_str_eq (seen.pending_id, "wf-open");
    cr_assert_eq (seen.evicted, 0u);
    cr_assert_eq (ledger_recovered (ledger), 1u);
    cr_assert_eq (ledger_replayed (ledger), 3u);
    ledger_destroy (&ledger);
    tu_rmtree (dir);
    free (dir);
}
