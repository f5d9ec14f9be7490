/*  supervisor/maintain.c - journal maintenance while the supervisor runs:
    maintain-info (where the journal is), maintain-cleanup (a snapshot,
    then old segments go) and maintain-backup (a consistent copy made in
    slices from a reactor timer, so the reactor never blocks for long).  */
#include "supervisor/maintain.h"

#include "common/util.h"
#include "supervisor/log.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Bytes a backup copies per timer tick.
#define S_BACKUP_SLICE (4u * 1024 * 1024)

//  A backup in progress.
typedef struct {
    journal_backup_t *backup;
    zframe_t *identity;         //  the client waiting for it
    uint64_t req_id;
    int timer;
    char dest [PATH_MAX];
} backup_t;

struct maintain {
    const config_t *config;     //  borrowed, as the rest
    ledger_t *ledger;
    results_t *results;
    outbox_t *outbox;
    zloop_t *loop;
    maintain_hooks_t hooks;
    backup_t *backup;           //  NULL: none running
    char state_dir [PATH_MAX];
};

maintain_t *
maintain_new (const config_t *config, const char *state_dir, ledger_t *ledger,
              results_t *results, outbox_t *outbox, zloop_t *loop,
              const maintain_hooks_t *hooks)
{
    maintain_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    self->config = config;
    self->ledger = ledger;
    self->results = results;
    self->outbox = outbox;
    self->loop = loop;
    self->hooks = *hooks;
    util_copy (self->state_dir, sizeof self->state_dir, state_dir? state_dir: "");
    return self;
}

static void
s_backup_release (maintain_t *self)
{
    backup_t *backup = self->backup;
    if (!backup)
        return;
    if (self->loop)
        zloop_timer_end (self->loop, backup->timer);
    journal_backup_destroy (&backup->backup);
    zframe_destroy (&backup->identity);
    free (backup);
    self->backup = NULL;
}

void
maintain_destroy (maintain_t **self_p)
{
    maintain_t *self = *self_p;
    if (!self)
        return;
    s_backup_release (self);
    free (self);
    *self_p = NULL;
}

static void
s_info (maintain_t *self, zframe_t *identity, const wire_request_t *request)
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
                              "retention_ms", (json_int_t) self->config->journal.retention_ms,
                              "healthy", ledger_healthy (self->ledger),
                              "backup", self->backup != NULL,
                              "last_seq", (json_int_t) (journal? journal_last_seq (journal): 0),
                              "durable_seq",
                              (json_int_t) (journal? journal_durable_seq (journal): 0));
    char *text = info? json_dumps (info, JSON_COMPACT): NULL;
    json_decref (info);
    outbox_reply (self->outbox, identity, request->req_id, text? EXIT_OK: EXIT_UNAVAILABLE, "",
                  text? "": "out of memory", false, text, text? strlen (text): 0);
    free (text);
}

//  --------------------------------------------------------------------
//  cleanup

//  The supervisor's state as replay would rebuild it. NULL with errno.
static snapshot_t *
s_current_state (maintain_t *self)
{
    snapshot_t *state = snapshot_new (self->config->results.keep);
    if (!state)
        return NULL;
    self->hooks.add_desired (self->hooks.arg, state);
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
    if (self->hooks.add_pending (self->hooks.arg, state))
        goto out_destroy;
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
s_publish_parts (maintain_t *self, const snapshot_report_t *report, uint64_t time,
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
            outbox_publish (self->outbox, SNAPSHOT_TYPE, text);
        free (text);
        json_decref (fields);
    }
}

static void
s_cleanup (maintain_t *self, zframe_t *identity, const wire_request_t *request)
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
    if (self->backup) {
        snprintf (message, sizeof message, "a backup to %s is running; clean up after it",
                  self->backup->dest);
        code = EXIT_UNAVAILABLE;
    }
    else
    if (!ledger_healthy (self->ledger)) {
        snprintf (message, sizeof message, "the journal cannot be written (%s); try again "
                  "once it can", ledger_problem (self->ledger));
        code = EXIT_UNAVAILABLE;
    }
    if (code) {
        outbox_reply (self->outbox, identity, request->req_id, code, "", message,
                      false, NULL, 0);
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
    outbox_reply (self->outbox, identity, request->req_id, code, "", message, false, NULL, 0);
}

//  --------------------------------------------------------------------
//  backup

static int
s_on_backup_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    maintain_t *self = arg;
    backup_t *backup = self->backup;
    if (!backup)
        return 0;
    int rc = journal_backup_step (backup->backup, S_BACKUP_SLICE);
    if (rc > 0)
        return 0;
    char message [PATH_MAX + 128];
    if (rc == 0) {
        snprintf (message, sizeof message, "backup written to %s", backup->dest);
        log_info ("journal: %s", message);
    }
    else {
        snprintf (message, sizeof message, "%s: the backup failed: %s", backup->dest,
                  strerror (errno));
        log_error ("journal: %s", message);
    }
    outbox_reply (self->outbox, backup->identity, backup->req_id,
                  rc? EXIT_UNAVAILABLE: EXIT_OK, "", message, false, NULL, 0);
    s_backup_release (self);
    return 0;
}

static void
s_backup (maintain_t *self, zframe_t *identity, const wire_request_t *request)
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
    if (self->backup) {
        snprintf (message, sizeof message, "a backup to %s is already running",
                  self->backup->dest);
        code = EXIT_UNAVAILABLE;
    }
    if (code) {
        outbox_reply (self->outbox, identity, request->req_id, code, "", message,
                      false, NULL, 0);
        return;
    }
    backup_t *backup = calloc (1, sizeof *backup);
    if (!backup) {
        outbox_reply (self->outbox, identity, request->req_id, EXIT_UNAVAILABLE, "",
                      "out of memory", false, NULL, 0);
        return;
    }
    //  Everything accepted so far goes in (best effort: the copy takes
    //  what is durable when it starts).
    journal_sync (journal);
    backup->backup = journal_backup_new (journal, dest);
    if (!backup->backup) {
        int why = errno;
        //  a path the operator gave that cannot be a new folder is bad
        //  input; anything else is the supervisor's side
        bool input = why == EEXIST || why == ENOENT || why == ENOTDIR || why == EACCES
                  || why == EROFS || why == ENAMETOOLONG;
        snprintf (message, sizeof message, "%s: %s", dest,
                  why == EEXIST? "already exists; give a new folder"
                  : why == ENOENT? "the folder it would go in does not exist"
                  : strerror (why));
        outbox_reply (self->outbox, identity, request->req_id,
                      input? EXIT_INPUT: EXIT_UNAVAILABLE, "", message, false, NULL, 0);
        free (backup);
        return;
    }
    util_copy (backup->dest, sizeof backup->dest, dest);
    backup->identity = zframe_dup (identity);
    backup->req_id = request->req_id;
    backup->timer = zloop_timer (self->loop, 1, 0, s_on_backup_tick, self);
    self->backup = backup;
    if (backup->timer < 0) {
        s_backup_release (self);
        outbox_reply (self->outbox, identity, request->req_id, EXIT_UNAVAILABLE, "",
                      "cannot start a timer", false, NULL, 0);
    }
}

void
maintain_on_request (maintain_t *self, zframe_t *identity, const wire_request_t *request)
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
        outbox_reply (self->outbox, identity, request->req_id, EXIT_USAGE, "", message, false,
                      NULL, 0);
    }
}
