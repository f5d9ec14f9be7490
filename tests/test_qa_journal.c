/*  QA of the journal as an operator relies on it: a read goes on when a
    cleanup removes a segment under it, damage is named the same by every
    reader, a missing segment is named by its seqs; on the real binaries, a
    file size limit is a refusal the supervisor survives and logs, and
    `events --follow` loses nothing to a cleanup and follows a restored
    journal.  */
#include "common/journal.h"
#include "tests/support/tree.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

//  ----------------------------------------------------------------------
//  Helpers

//  Appends events 1..count, each with a field of some 60 bytes, so a
//  small segment size makes several segments.
static void
s_fill (journal_t *journal, int count)
{
    for (int n = 1; n <= count; n++) {
        event_t event = { .time = 1000 + (uint64_t) n };
        cr_assert_eq (event_set_type (&event, "test.filled"), 0);
        cr_assert_eq (event_add_str (&event, "text", "a line of text that takes some room "
                                     "in the record"), 0);
        cr_assert_eq (event_add_int (&event, "n", n), 0);
        cr_assert_eq (journal_append (journal, &event, 0), 0, "%s", strerror (errno));
        event_release (&event);
    }
}

//  A journal of count events in segments of segment_size bytes, closed;
//  its segments (caller frees) and their count.
static journal_segment_t *
s_make_journal (const char *dir, int count, uint64_t segment_size, size_t *segments_p)
{
    journal_config_t config = { .policy = JOURNAL_FSYNC_NEVER,
                                .segment_size = segment_size };
    journal_t *journal = journal_open (dir, &config, NULL, NULL);
    cr_assert_not_null (journal, "%s", strerror (errno));
    s_fill (journal, count);
    journal_segment_t *list = NULL;
    cr_assert_eq (journal_segments (journal, &list, segments_p), 0);
    journal_destroy (&journal);
    return list;
}

static char *
s_join (const char *dir, const char *name)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", dir, name) > 0);
    return path;
}

typedef struct {
    uint64_t seqs [256];
    size_t count;
    char *remove;               //  a segment to unlink at the first event
} seen_t;

static int
s_seen (event_t *event, void *arg)
{
    seen_t *self = arg;
    cr_assert_lt (self->count, 256);
    self->seqs [self->count++] = event->seq;
    if (self->remove) {
        cr_assert_eq (unlink (self->remove), 0, "%s", strerror (errno));
        free (self->remove);
        self->remove = NULL;
    }
    return 0;
}

typedef struct {
    uint64_t offset, bytes;
    char segment [1024];
    char reason [256];
    size_t count;
} problem_seen_t;

static void
s_problem (const journal_problem_t *problem, void *arg)
{
    problem_seen_t *self = arg;
    if (self->count++)
        return;                 //  keep the first
    self->offset = problem->offset;
    self->bytes = problem->bytes;
    snprintf (self->segment, sizeof self->segment, "%s", problem->segment);
    snprintf (self->reason, sizeof self->reason, "%s", problem->reason);
}

//  ----------------------------------------------------------------------
//  The journal alone

Test (qa_journal, read_goes_on_when_a_cleanup_removes_a_segment_under_it)
{
    char *dir = tu_tmpdir ();
    size_t count;
    journal_segment_t *segments = s_make_journal (dir, 60, 1024, &count);
    cr_assert_geq (count, 4, "want several segments, got %zu", count);
    //  While the first segment is read, the second one goes (as a cleanup
    //  removes segments oldest first, racing a reader).
    seen_t seen = { .remove = s_join (dir, segments [1].name) };
    int rc = journal_read (dir, NULL, 0, s_seen, NULL, &seen);
    cr_assert_eq (rc, 0, "the read ended early: %s", strerror (errno));
    //  Every record of the other segments, in order, each once.
    uint64_t expected = 0;
    for (size_t s = 0; s < count; s++)
        if (s != 1)
            expected += segments [s].records;
    cr_assert_eq (seen.count, expected);
    for (size_t i = 1; i < seen.count; i++)
        cr_assert_gt (seen.seqs [i], seen.seqs [i - 1]);
    cr_assert_eq (seen.seqs [seen.count - 1], 60);
    cr_assert_eq (seen.seqs [segments [0].records], segments [2].first_seq);
    free (segments);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_journal, a_missing_segment_is_named_by_the_seqs_it_held)
{
    char *dir = tu_tmpdir ();
    size_t count;
    journal_segment_t *segments = s_make_journal (dir, 60, 1024, &count);
    cr_assert_geq (count, 4);
    char *gone = s_join (dir, segments [2].name);
    cr_assert_eq (unlink (gone), 0);
    problem_seen_t problem = { .count = 0 };
    cr_assert_eq (journal_verify (dir, NULL, NULL, s_problem, &problem), -1);
    cr_assert_eq (errno, EBADMSG);
    cr_assert_eq (problem.count, 1);
    char *next = s_join (dir, segments [3].name);
    cr_assert_str_eq (problem.segment, next);
    char want [128];
    snprintf (want, sizeof want, "seqs %llu to %llu are missing",
              (unsigned long long) segments [2].first_seq,
              (unsigned long long) segments [2].last_seq);
    cr_assert (strstr (problem.reason, want), "'%s' does not say '%s'", problem.reason, want);
    free (next);
    free (gone);
    free (segments);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_journal, a_read_names_damage_as_verify_does)
{
    char *dir = tu_tmpdir ();
    size_t count;
    journal_segment_t *segments = s_make_journal (dir, 60, 1024, &count);
    cr_assert_geq (count, 3);
    //  One flipped byte inside a record in the middle of the first segment.
    char *path = s_join (dir, segments [0].name);
    size_t size;
    char *data = tu_read (path, &size);
    cr_assert_not_null (data);
    size_t at = (size_t) segments [0].bytes / 2;
    data [at] ^= 0x5a;
    FILE *file = fopen (path, "wb");
    cr_assert_not_null (file);
    cr_assert_eq (fwrite (data, 1, size, file), size);
    fclose (file);
    problem_seen_t verify = { .count = 0 }, read = { .count = 0 };
    cr_assert_eq (journal_verify (dir, NULL, NULL, s_problem, &verify), -1);
    cr_assert_eq (journal_read (dir, NULL, 0, NULL, s_problem, &read), -1);
    cr_assert_eq (errno, EBADMSG);
    cr_assert_eq (verify.count, 1);
    cr_assert_eq (read.count, 1);
    cr_assert_str_eq (read.segment, verify.segment);
    cr_assert_eq (read.offset, verify.offset);
    //  The stretch up to the next good record, not the rest of the file.
    cr_assert_eq (read.bytes, verify.bytes);
    cr_assert_lt (read.bytes, size - read.offset);
    free (data);
    free (path);
    free (segments);
    tu_rmtree (dir);
    free (dir);
}

//  ----------------------------------------------------------------------
//  The real binaries

//  Polls path until it holds text; its content (caller frees) or NULL.
static char *
s_await_text (const char *path, const char *text, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (tu_now_ms () < deadline) {
        char *content = tu_read (path, NULL);
        if (content && strstr (content, text))
            return content;
        free (content);
        usleep (20 * 1000);
    }
    return NULL;
}

//  `generate --id ID project`: its exit status; *err (may be NULL) gets
//  its stderr (caller frees).
static int
s_generate (tree_t *tree, const char *project, const char *id, char **err)
{
    tu_result_t r;
    int status = tree_cli (tree, &r, "generate", "--timeout", "10000", "--id", id, project,
                           NULL);
    if (err)
        *err = strdup (r.err);
    tu_result_release (&r);
    return status;
}

//  The follower's JSON lines: every seq in order, none twice, none left
//  out. Returns how many lines.
static size_t
s_check_seqs (const char *text)
{
    size_t lines = 0;
    long long last = -1;
    for (const char *line = text; line && *line; ) {
        const char *end = strchr (line, '\n');
        size_t size = end? (size_t) (end - line): strlen (line);
        if (*line == '{') {
            json_error_t error;
            json_t *event = json_loadb (line, size, 0, &error);
            cr_assert_not_null (event, "not JSON: %.*s", (int) size, line);
            long long seq = json_integer_value (json_object_get (event, "seq"));
            if (last >= 0)
                cr_assert_eq (seq, last + 1, "seq %lld after %lld", seq, last);
            last = seq;
            lines++;
            json_decref (event);
        }
        line = end? end + 1: NULL;
    }
    return lines;
}

//  The value of the unlabelled series name at /metrics on port, by curl;
//  -1 when it is missing, -2 when curl is not here.
static double
s_metric (int port, const char *name)
{
    if (access ("/usr/bin/curl", X_OK))
        return -2;
    char url [64];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/metrics", port);
    char *argv [] = { "/usr/bin/curl", "--silent", "--fail", "--max-time", "5", url, NULL };
    tu_result_t r;
    cr_assert_eq (tu_run (argv, NULL, NULL, 10000, &r), 0);
    cr_assert_eq (r.status, 0, "curl: %s", r.err);
    double value = -1;
    size_t length = strlen (name);
    for (const char *line = r.out; line && *line; line = strchr (line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp (line, name, length) == 0 && line [length] == ' ')
            value = strtod (line + length + 1, NULL);
    }
    tu_result_release (&r);
    return value;
}

static pid_t
s_follow (tree_t *tree, const char *log)
{
    char *argv [] = { (char *) tu_bin ("readme2ci"), "events", "--follow", "--json", NULL };
    pid_t follower = tu_spawn (argv, tree->env, log);
    cr_assert_gt (follower, 0);
    return follower;
}

static void
s_stop (pid_t pid)
{
    kill (pid, SIGCONT);
    kill (pid, SIGTERM);
    if (tu_wait (pid, 5000) < 0) {
        kill (pid, SIGKILL);
        tu_wait (pid, 5000);
    }
}

Test (qa_journal_e2e, a_file_size_limit_is_refused_clearly_and_survived, .timeout = 120)
{
    int port = tu_free_port ();
    char config [64];
    snprintf (config, sizeof config, "metrics: 127.0.0.1:%d\n", port);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "limited", "python", NULL);
    double writable = s_metric (port, "readme2ci_journal_writable");
    cr_assert (writable == 1 || writable == -2, "writable %g before the limit", writable);
    cr_assert_eq (s_generate (&tree, project, "before-limit", NULL), 0);
    //  The journal may grow a little more, then meets a limit like
    //  `ulimit -f` (the log file is far smaller than the journal).
    char *segment = NULL;
    cr_assert (asprintf (&segment, "%s/journal/journal-0000000001.log", tree.state) > 0);
    struct stat st;
    cr_assert_eq (stat (segment, &st), 0);
    struct rlimit limit = { .rlim_cur = (rlim_t) st.st_size + 1024, .rlim_max = RLIM_INFINITY };
    cr_assert_eq (prlimit (tree.supervisor, RLIMIT_FSIZE, &limit, NULL), 0, "%s",
                  strerror (errno));
    char *err = NULL;
    int status = 0, tries = 0;
    while (tries < 10) {
        char id [32];
        snprintf (id, sizeof id, "limited-%d", tries++);
        free (err);
        err = NULL;
        status = s_generate (&tree, project, id, &err);
        if (status)
            break;
    }
    cr_assert_eq (status, 3, "no refusal after %d workflows: %s", tries, err);
    cr_assert (strstr (err, "journal cannot be written (File too large)"), "%s", err);
    //  Not killed by SIGXFSZ: it answers, says why it is down, and logs it.
    cr_assert (tu_alive (tree.supervisor), "the supervisor died at the file size limit");
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "health", NULL), 2, "%s%s", r.out, r.err);
    cr_assert (strstr (r.out, "File too large") || strstr (r.err, "File too large"), "%s%s",
               r.out, r.err);
    tu_result_release (&r);
    char *log = NULL;
    cr_assert (asprintf (&log, "%s/logs/supervisor.log", tree.state) > 0);
    char *text = s_await_text (log, "cannot be written (File too large)", 5000);
    cr_assert_not_null (text, "the log does not say the journal fails");
    free (text);
    writable = s_metric (port, "readme2ci_journal_writable");
    cr_assert (writable == 0 || writable == -2, "writable %g at the limit", writable);
    //  Room again: it takes work again by itself, and says so.
    limit.rlim_cur = RLIM_INFINITY;
    cr_assert_eq (prlimit (tree.supervisor, RLIMIT_FSIZE, &limit, NULL), 0);
    text = s_await_text (log, "writes succeed again", 5000);
    cr_assert_not_null (text, "the log does not say the journal recovered");
    free (text);
    char *after_err = NULL;
    int after = s_generate (&tree, project, "after-limit", &after_err);
    cr_assert_eq (after, 0, "after the limit, generate: %d: %s", after, after_err);
    free (after_err);
    writable = s_metric (port, "readme2ci_journal_writable");
    cr_assert (writable == 1 || writable == -2, "writable %g after the limit", writable);
    //  Nothing accepted was lost or doubled, and the journal is clean.
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", NULL), 0, "%s%s", r.out, r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "events", "--json", "--type", "workflow.*", NULL), 0);
    s_check_seqs (r.out);
    cr_assert (strstr (r.out, "\"workflow_id\":\"before-limit\""));
    cr_assert (strstr (r.out, "\"workflow_id\":\"after-limit\""));
    tu_result_release (&r);
    free (log);
    free (err);
    free (segment);
    free (project);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

Test (qa_journal_e2e, follow_loses_nothing_a_cleanup_removes_before_it_reads, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "cleaned", "go", NULL);
    cr_assert_eq (s_generate (&tree, project, "first", NULL), 0);
    char *log = s_join (dir, "follow.log");
    pid_t follower = s_follow (&tree, log);
    char *text = s_await_text (log, "\"workflow_id\":\"first\"", 10000);
    cr_assert_not_null (text, "the follower printed no history");
    free (text);
    //  The follower is held still while three workflows run and a cleanup
    //  removes the segment that holds them: only the live stream has them.
    cr_assert_eq (kill (follower, SIGSTOP), 0);
    for (int i = 0; i < 3; i++) {
        char id [32];
        snprintf (id, sizeof id, "middle-%d", i);
        cr_assert_eq (s_generate (&tree, project, id, NULL), 0);
    }
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "cleanup", "--older-than", "0s", NULL), 0,
                  "%s", r.err);
    cr_assert (strstr (r.out, "removed 1 of 2 segments"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (kill (follower, SIGCONT), 0);
    cr_assert_eq (s_generate (&tree, project, "last", NULL), 0);
    text = s_await_text (log, "\"type\":\"workflow.completed\",\"workflow_id\":\"last\"", 10000);
    cr_assert_not_null (text, "the follower did not reach the last workflow");
    free (text);
    s_stop (follower);
    text = tu_read (log, NULL);
    s_check_seqs (text);
    for (int i = 0; i < 3; i++) {
        char want [96];
        snprintf (want, sizeof want, "\"workflow_id\":\"middle-%d\"", i);
        cr_assert (strstr (text, want), "%s missing:\n%s", want, text);
    }
    cr_assert_null (strstr (text, "removed from the journal"), "%s", text);
    free (text);
    free (log);
    free (project);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

Test (qa_journal_e2e, follow_goes_on_after_a_backup_is_restored, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "restored", "rust", NULL);
    char *backup = s_join (dir, "backup");
    cr_assert_eq (s_generate (&tree, project, "in-backup", NULL), 0);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", backup, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    for (int i = 0; i < 4; i++) {
        char id [32];
        snprintf (id, sizeof id, "after-backup-%d", i);
        cr_assert_eq (s_generate (&tree, project, id, NULL), 0);
    }
    char *log = s_join (dir, "follow.log");
    pid_t follower = s_follow (&tree, log);
    char *text = s_await_text (log, "\"workflow_id\":\"after-backup-3\"", 10000);
    cr_assert_not_null (text);
    free (text);
    //  The operator's way: stop, restore, start. The new journal's seqs
    //  start again below the ones the follower printed.
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "restore", backup, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tree_up (&tree);
    cr_assert_eq (s_generate (&tree, project, "after-restore", NULL), 0);
    text = s_await_text (log, "\"workflow_id\":\"after-restore\"", 10000);
    cr_assert_not_null (text, "the follower went quiet after the restore");
    cr_assert (strstr (text, "restored backup"), "no word of the restore:\n%s", text);
    //  What the new supervisor wrote is printed; the restored history
    //  (printed before) is not printed twice.
    const char *notice = strstr (text, "restored backup");
    cr_assert (strstr (notice, "\"type\":\"system.started\""), "%s", text);
    cr_assert_null (strstr (notice, "\"workflow_id\":\"in-backup\""), "%s", text);
    free (text);
    s_stop (follower);
    free (log);
    free (backup);
    free (project);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}
