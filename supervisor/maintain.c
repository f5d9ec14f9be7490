/*  supervisor/maintain.c - journal maintenance while the supervisor runs:
    maintain-info (where the journal is), maintain-cleanup (a snapshot,
    then old segments go) and maintain-backup (a consistent copy made in
    slices from a reactor timer, so the reactor never blocks for long).  */
#include "supervisor/server_priv.h"

#include "common/util.h"
#include "supervisor/log.h"
#include "supervisor/results.h"
#include "shared/snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Bytes a backup copies per timer tick.
#define S_BACKUP_SLICE (4u * 1024 * 1024)

struct maintain {
    journal_backup_t *backup;
    zframe_t *identity;         //  the client waiting for it
    uint64_t req_id;
    int timer;
    char dest [PATH_MAX];
};

void
maintain_release (server_t *self)
{
    maintain_t *maintain = self->maintain;
    if (!maintain)
        return;
    if (self->loop)
        zloop_timer_end (self->loop, maintain->timer);
    journal_backup_destroy (&maintain->backup);
    zframe_destroy (&maintain->identity);
    free (maintain);
    self->maintain = NULL;
}

static void
s_info (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    journal_t *journal = ledger_journal (self->ledger);
    char dir [PATH_MAX] = "";
    if (journal) {
        snprintf (dir, sizeof dir, "%s/journal", self->state_dir);
        //  Whoever reads the journal next (events, verify) sees every
        //  event so far, not only the last group commit's.
        journal_sync (journal);
    }
    json_t *info = json_pack ("{s:s, s:I, s:b, s:b, s:I, s:I}", "journal", dir,
                              "retention_ms", (json_int_t) self->cfg.journal.retention_ms,
                              "healthy", ledger_healthy (self->ledger),
                              "backup", self->maintain != NULL,
                              "last_seq", (json_int_t) (journal? journal_last_seq (journal): 0),
                              "durable_seq",
                              (json_int_t) (journal? journal_durable_seq (journal): 0));
    char *text = info? json_dumps (info, JSON_COMPACT): NULL;
    json_decref (info);
    outbox_reply (self, identity, request->req_id, text? EXIT_OK: EXIT_UNAVAILABLE, "",
                  text? "": "out of memory", false, text, text? strlen (text): 0);
    free (text);
}

//  --------------------------------------------------------------------
//  cleanup

//  A workflow in memory as the workflow.queued event replay needs.
static int
s_pending_event (const workflow_t *wf, event_t *event)
{
    memset (event, 0, sizeof *event);
    //  Its acceptance and deadline in wall-clock time, as flow_recover
    //  reads them: a snapshot keeps the deadline the client was given.
    uint64_t now = util_now_ms (), wall = util_wall_ms ();
    uint64_t waited = now > wf->accepted_ms? now - wf->accepted_ms: 0;
    uint64_t left = wf->deadline_ms > now? wf->deadline_ms - now: 0;
    event->time = wall > waited? wall - waited: wall;
    if (event_set_type (event, "workflow.queued")
    ||  event_add_str (event, "workflow_id", wf->id)
    ||  event_add_int (event, "priority", wf->priority)
    ||  event_add_int (event, "timeout_ms", (int64_t) (wf->deadline_ms - wf->accepted_ms))
    ||  event_add_int (event, "deadline_time_ms", (int64_t) (wall + left))
    ||  event_add_str (event, "target", wf->options.target)
    ||  event_add_bool (event, "explain", wf->options.explain)
    ||  event_add_bool (event, "json", wf->options.json)
    ||  event_add_bool (event, "check", wf->options.check)
    ||  event_add_bytes (event, "docs", zframe_data (wf->docs), zframe_size (wf->docs))
    ||  event_add_bytes (event, "project", zframe_data (wf->project),
                         zframe_size (wf->project))) {
        event_release (event);
        return -1;
    }
    return 0;
}

static int
s_by_acceptance (const void *a, const void *b)
{
    const workflow_t *x = *(const workflow_t *const *) a;
    const workflow_t *y = *(const workflow_t *const *) b;
    if (x->accepted_ms != y->accepted_ms)
        return x->accepted_ms < y->accepted_ms? -1: 1;
    return strcmp (x->id, y->id);
}

//  The supervisor's state as replay would rebuild it. NULL with errno.
static snapshot_t *
s_current_state (server_t *self)
{
    snapshot_t *state = snapshot_new (self->cfg.results.keep);
    if (!state)
        return NULL;
    for (int c = 0; c < COMPONENT_COUNT; c++)
        snapshot_set_desired (state, self->components [c].name, self->components [c].desired);
    for (const char *id = results_first (self->results); id;
         id = results_next (self->results)) {
        bool no_tests = false;
        const char *text = results_get (self->results, id, &no_tests);
        if (text && (snapshot_add_result (state, id, text, strlen (text),
                                          results_time (self->results, id))
                     || (no_tests && snapshot_mark_no_tests (state, id))))
            goto out_destroy;
    }
    for (const char *id = results_first_evicted (self->results); id;
         id = results_next_evicted (self->results))
        if (snapshot_add_evicted (state, id))
            goto out_destroy;
    size_t count = zhashx_size (self->workflows), n = 0;
    workflow_t **list = calloc (count + 1, sizeof *list);
    if (!list)
        goto out_destroy;
    for (workflow_t *wf = zhashx_first (self->workflows); wf && n < count;
         wf = zhashx_next (self->workflows))
        list [n++] = wf;
    qsort (list, n, sizeof *list, s_by_acceptance);
    for (size_t i = 0; i < n; i++) {
        event_t queued;
        if (flow_load_inputs (self, list [i])
        ||  s_pending_event (list [i], &queued) || snapshot_add_pending (state, &queued)) {
            event_release (&queued);
            free (list);
            goto out_destroy;
        }
    }
    free (list);
    return state;

out_destroy:
    {
        int saved = errno;
        snapshot_destroy (&state);
        errno = saved;
    }
    return NULL;
}

//  Tell subscribers of each snapshot part (the journal has the contents).
static void
s_publish_parts (server_t *self, const snapshot_report_t *report, uint64_t time,
                 size_t workflows, size_t results)
{
    char stamp [EVENT_TIME_SIZE] = "";
    event_time_rfc3339 (time, stamp, sizeof stamp);
    for (size_t i = 0; i < report->parts; i++) {
        bool last = i + 1 == report->parts;
        json_t *fields = json_pack ("{s:s, s:I, s:s, s:I, s:I, s:b}", "type", SNAPSHOT_TYPE,
                                    "seq", (json_int_t) (report->first_seq + i),
                                    "time", stamp, "time_ms", (json_int_t) time,
                                    "part", (json_int_t) (i + 1), "last", last);
        if (fields && last) {
            json_object_set_new (fields, "workflows", json_integer ((json_int_t) workflows));
            json_object_set_new (fields, "results", json_integer ((json_int_t) results));
        }
        char *text = fields? json_dumps (fields, JSON_COMPACT | JSON_SORT_KEYS): NULL;
        if (text)
            zsock_send (self->events, "ss", SNAPSHOT_TYPE, text);
        free (text);
        json_decref (fields);
    }
}

static void
s_cleanup (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    journal_t *journal = ledger_journal (self->ledger);
    char message [512];
    int code = EXIT_OK;
    char *end = NULL;
    errno = 0;
    uint64_t age = request->args_count == 1? strtoull (request->args [0], &end, 10): 0;
    if (!end || *end || errno || request->args [0][0] == '-') {
        snprintf (message, sizeof message, "maintain-cleanup needs an age in milliseconds");
        code = EXIT_USAGE;
    }
    else
    if (!journal) {
        snprintf (message, sizeof message, "this supervisor runs without a journal");
        code = EXIT_UNAVAILABLE;
    }
    else
    if (self->maintain) {
        snprintf (message, sizeof message, "a backup to %s is running; clean up after it",
                  self->maintain->dest);
        code = EXIT_UNAVAILABLE;
    }
    else
    if (!ledger_healthy (self->ledger)) {
        snprintf (message, sizeof message, "the journal cannot be written (%s); try again "
                  "once it can", ledger_problem (self->ledger));
        code = EXIT_UNAVAILABLE;
    }
    if (code) {
        outbox_reply (self, identity, request->req_id, code, "", message, false, NULL, 0);
        return;
    }
    snapshot_t *state = s_current_state (self);
    snapshot_report_t report = { 0 };
    uint64_t now = util_wall_ms ();
    if (!state || snapshot_compact (state, journal, now, age, &report)) {
        snprintf (message, sizeof message, "cleanup failed: %s%s", strerror (errno),
                  report.parts? " (the snapshot was written)": "");
        log_error ("journal: %s", message);
        code = EXIT_UNAVAILABLE;
    }
    else {
        s_publish_parts (self, &report, now, snapshot_pending_count (state),
                         snapshot_results_count (state));
        snprintf (message, sizeof message, "snapshot at seq %" PRIu64 " (%zu workflows in "
                  "progress, %zu results kept); removed %zu of %zu segments, %" PRIu64
                  " bytes", report.first_seq, snapshot_pending_count (state),
                  snapshot_results_count (state), report.removed, report.segments,
                  report.removed? report.bytes_removed: 0);
        log_info ("journal: %s", message);
    }
    snapshot_destroy (&state);
    outbox_reply (self, identity, request->req_id, code, "", message, false, NULL, 0);
}

//  --------------------------------------------------------------------
//  backup

static int
s_on_backup_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    server_t *self = arg;
    maintain_t *maintain = self->maintain;
    if (!maintain)
        return 0;
    int rc = journal_backup_step (maintain->backup, S_BACKUP_SLICE);
    if (rc > 0)
        return 0;
    char message [PATH_MAX + 128];
    if (rc == 0) {
        snprintf (message, sizeof message, "backup written to %s", maintain->dest);
        log_info ("journal: %s", message);
    }
    else {
        snprintf (message, sizeof message, "%s: the backup failed: %s", maintain->dest,
                  strerror (errno));
        log_error ("journal: %s", message);
    }
    outbox_reply (self, maintain->identity, maintain->req_id, rc? EXIT_UNAVAILABLE: EXIT_OK,
                  "", message, false, NULL, 0);
    maintain_release (self);
    return 0;
}

static void
s_backup (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    journal_t *journal = ledger_journal (self->ledger);
    char message [PATH_MAX + 128];
    const char *dest = request->args_count == 1? request->args [0]: "";
    int code = EXIT_OK;
    if (dest [0] != '/' || strlen (dest) >= PATH_MAX - 16) {
        snprintf (message, sizeof message, "maintain-backup needs an absolute folder path");
        code = EXIT_USAGE;
    }
    else
    if (!journal) {
        snprintf (message, sizeof message, "this supervisor runs without a journal");
        code = EXIT_UNAVAILABLE;
    }
    else
    if (self->maintain) {
        snprintf (message, sizeof message, "a backup to %s is already running",
                  self->maintain->dest);
        code = EXIT_UNAVAILABLE;
    }
    if (code) {
        outbox_reply (self, identity, request->req_id, code, "", message, false, NULL, 0);
        return;
    }
    maintain_t *maintain = calloc (1, sizeof *maintain);
    if (!maintain) {
        outbox_reply (self, identity, request->req_id, EXIT_UNAVAILABLE, "", "out of memory",
                      false, NULL, 0);
        return;
    }
    //  Everything accepted so far goes in (best effort: the copy takes
    //  what is durable when it starts).
    journal_sync (journal);
    maintain->backup = journal_backup_new (journal, dest);
    if (!maintain->backup) {
        int why = errno;
        //  a path the operator gave that cannot be a new folder is bad
        //  input; anything else is the supervisor's side
        bool input = why == EEXIST || why == ENOENT || why == ENOTDIR || why == EACCES
                  || why == EROFS || why == ENAMETOOLONG;
        snprintf (message, sizeof message, "%s: %s", dest,
                  why == EEXIST? "already exists; give a new folder"
                  : why == ENOENT? "the folder it would go in does not exist"
                  : strerror (why));
        outbox_reply (self, identity, request->req_id, input? EXIT_INPUT: EXIT_UNAVAILABLE, "",
                      message, false, NULL, 0);
        free (maintain);
        return;
    }
    util_copy (maintain->dest, sizeof maintain->dest, dest);
    maintain->identity = zframe_dup (identity);
    maintain->req_id = request->req_id;
    maintain->timer = zloop_timer (self->loop, 1, 0, s_on_backup_tick, self);
    self->maintain = maintain;
    if (maintain->timer < 0) {
        maintain_release (self);
        outbox_reply (self, identity, request->req_id, EXIT_UNAVAILABLE, "",
                      "cannot start a timer", false, NULL, 0);
    }
}

void
maintain_on_request (server_t *self, zframe_t *identity, const wire_request_t *request)
{
    if (strcmp (request->op, "maintain-info") == 0)
        s_info (self, identity, request);
    else
    if (strcmp (request->op, "maintain-cleanup") == 0)
        s_cleanup (self, identity, request);
    else
    if (strcmp (request->op, "maintain-backup") == 0)
        s_backup (self, identity, request);
    else {
        char message [128];
        snprintf (message, sizeof message, "unknown operation '%s'", request->op);
        outbox_reply (self, identity, request->req_id, EXIT_USAGE, "", message, false, NULL,
                      0);
    }
}
