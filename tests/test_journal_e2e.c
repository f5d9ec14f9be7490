/*  The journal end to end, on the real binaries: a SIGKILLed supervisor
    with 200 workflows loses none and repeats none, injected write and
    fsync failures lose nothing acknowledged, cleanup/backup/restore keep
    the state, verify finds a flipped byte, and events filters and follows.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <czmq.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

//  Every line of text as JSON objects, into a new array.
static json_t *
s_json_lines (const char *text)
{
    json_t *list = json_array ();
    const char *line = text;
    while (line && *line) {
        const char *end = strchr (line, '\n');
        size_t size = end? (size_t) (end - line): strlen (line);
        json_error_t error;
        json_t *item = json_loadb (line, size, 0, &error);
        cr_assert_not_null (item, "not JSON: %.*s", (int) size, line);
        json_array_append_new (list, item);
        line = end? end + 1: NULL;
    }
    return list;
}

//  workflow.completed events per id, from `events --json`.
static zhashx_t *
s_completions (tree_t *tree, size_t *total_p)
{
    tu_result_t r;
    cr_assert_eq (tree_cli (tree, &r, "events", "--json", "--type", "workflow.completed",
                            NULL), 0, "%s", r.err);
    json_t *list = s_json_lines (r.out);
    tu_result_release (&r);
    zhashx_t *counts = zhashx_new ();
    size_t i;
    json_t *event;
    json_array_foreach (list, i, event) {
        cr_assert_str_eq (json_string_value (json_object_get (event, "type")),
                          "workflow.completed");
        cr_assert (json_integer_value (json_object_get (event, "result_bytes")) > 0);
        const char *id = json_string_value (json_object_get (event, "workflow_id"));
        cr_assert_not_null (id);
        size_t count = (size_t) zhashx_lookup (counts, id);
        zhashx_update (counts, id, (void *) (count + 1));
    }
    *total_p = json_array_size (list);
    json_decref (list);
    return counts;
}

//  The journal folder of a tree.
static char *
s_journal_dir (tree_t *tree)
{
    char *dir = NULL;
    cr_assert (asprintf (&dir, "%s/journal", tree->state) > 0);
    return dir;
}

//  Wait for a file to hold text, polling (a background CLI writes it).
static char *
s_await_text (const char *path, const char *text, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (tu_now_ms () < deadline) {
        char *content = tu_read (path, NULL);
        if (content && strstr (content, text))
            return content;
        free (content);
        struct timespec pause = { 0, 5 * 1000000 };
        nanosleep (&pause, NULL);
    }
    return NULL;
}

//  Turn the tree's worker fault off for the supervisors started next.
static void
s_fault_off (tree_t *tree)
{
    for (size_t i = 0; i < tree->env_count; i++)
        if (strncmp (tree->env [i], "R2CI_TEST_FAULT=", 16) == 0) {
            free (tree->env [i]);
            tree->env [i] = strdup ("R2CI_TEST_FAULT=off:none:none");
        }
}

//  Wait for a process that is not our child to be gone.
static void
s_await_gone (pid_t pid)
{
    long long deadline = tu_now_ms () + 5000;
    while (tu_alive (pid))
        cr_assert_lt (tu_now_ms (), deadline, "pid %d is still there", (int) pid);
}

//  ----------------------------------------------------------------------

Test (journal_e2e, sigkill_with_200_workflows_loses_none_and_repeats_none, .timeout = 180)
{
    //  Projects with the marker hang the parser: the work piles up, queued
    //  and in flight, until the supervisor is killed; its successor runs
    //  without the fault.
    char *fault [] = { "R2CI_TEST_FAULT=hang:parser:HOLD-ME", NULL };
    tree_t tree;
    tree_init (&tree, NULL, fault);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char *dir = tu_tmpdir ();
    static const char *const kinds [] = { "python", "node", "rust", "go", "c" };
    char *projects [10];
    for (int i = 0; i < 10; i++) {
        char name [16];
        snprintf (name, sizeof name, "proj%d", i);
        projects [i] = tree_project (dir, name, kinds [i % 5], i == 7? "HOLD-ME\n": NULL);
    }
    //  4 clients, 50 workflows each, named c<N>-1 .. c<N>-50.
    pid_t clients [4];
    char *outs [4], *logs [4];
    for (int c = 0; c < 4; c++) {
        outs [c] = tu_tmpdir ();
        cr_assert (asprintf (&logs [c], "%s/client%d.log", dir, c) > 0);
        char id [16];
        snprintf (id, sizeof id, "c%d", c);
        char *argv [64] = { (char *) tu_bin ("readme2ci"), "generate", "--timeout", "90000",
                            "--id", id, "--out-dir", outs [c] };
        for (int i = 0; i < 50; i++)
            argv [8 + i] = projects [(c + i) % 10];
        argv [58] = NULL;
        clients [c] = tu_spawn (argv, tree.env, logs [c]);
        cr_assert_gt (clients [c], 0);
    }
    //  Every client's work reached the supervisor (none started a
    //  private tree); then kill it.
    int queued = 0;
    bool seen [4] = { false };
    while (queued < 200) {
        json_t *event = tree_events_wait (events, "workflow.queued", NULL, 20000);
        cr_assert_not_null (event, "only %d workflows queued", queued);
        const char *id = json_string_value (json_object_get (event, "workflow_id"));
        cr_assert (id && id [0] == 'c' && id [1] >= '0' && id [1] <= '3', "%s", id);
        seen [id [1] - '0'] = true;
        json_decref (event);
        queued++;
    }
    cr_assert (seen [0] && seen [1] && seen [2] && seen [3]);
    tree_events_destroy (&events);
    s_fault_off (&tree);
    pid_t old = tree.supervisor;
    cr_assert_eq (kill (old, SIGKILL), 0);
    s_await_gone (old);
    //  Its workers go with it; a new one replays the journal.
    long long deadline = tu_now_ms () + 10000;
    int pids [8];
    while (tree_children (&tree, pids, 8) > 0 && tu_now_ms () < deadline)
        ;
    tree_up (&tree);
    cr_assert_neq (tree.supervisor, old);
    for (int c = 0; c < 4; c++) {
        int status = tu_wait (clients [c], 120000);
        char *log = tu_read (logs [c], NULL);
        cr_assert_eq (status, 0, "client %d exited with %d:\n%s", c, status, log);
        free (log);
        for (int i = 1; i <= 50; i++) {
            //  Output files are named after the folder, -2, -3... for repeats.
            int k = (c + i - 1) % 10;
            int nth = (i - 1) / 10;
            char file [1024];
            if (nth == 0)
                snprintf (file, sizeof file, "%s/proj%d.yml", outs [c], k);
            else
                snprintf (file, sizeof file, "%s/proj%d-%d.yml", outs [c], k, nth + 1);
            char *text = tu_read (file, NULL);
            cr_assert_not_null (text, "client %d has no %s", c, file);
            cr_assert (strstr (text, "jobs:"), "%s", text);
            free (text);
        }
    }
    //  One completion per id in the journal, none for ids never given.
    tu_result_t r;
    size_t total = 0;
    zhashx_t *counts = s_completions (&tree, &total);
    for (int c = 0; c < 4; c++)
        for (int i = 1; i <= 50; i++) {
            char id [32];
            snprintf (id, sizeof id, "c%d-%d", c, i);
            size_t count = (size_t) zhashx_lookup (counts, id);
            cr_assert_eq (count, 1, "%s completed %zu times", id, count);
        }
    cr_assert_eq (total, 200, "%zu completions in the journal", total);
    zhashx_destroy (&counts);
    //  A client that lost its answer gets it by id.
    cr_assert_eq (tree_cli (&tree, &r, "result", "c2-17", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "jobs:"));
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    for (int c = 0; c < 4; c++) {
        tu_rmtree (outs [c]);
        free (outs [c]);
        free (logs [c]);
    }
    for (int i = 0; i < 10; i++)
        free (projects [i]);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
}

//  One run with a write or fsync failing: generate with ids until each is
//  acknowledged; nothing acknowledged may be missing afterwards.
static void
s_faulty_run (const char *op, int from, const char *error, const char *project)
{
    char spec [128];
    snprintf (spec, sizeof spec, "R2CI_TEST_JOURNAL=%s:%d:2:%s", op, from, error);
    char *env [] = { spec, NULL };
    tree_t tree;
    tree_init (&tree, NULL, env);
    tu_result_t r;
    int status = tree_cli (&tree, &r, "up", "-d", NULL);
    if (status != 0) {
        //  A failure while the journal is being created stops the start
        //  with a clear message, not a crash.
        char log [1024];
        snprintf (log, sizeof log, "%s/logs/supervisor.log", tree.state);
        char *text = tu_read (log, NULL);
        cr_assert (text && strstr (text, "journal"), "%s %d: up failed: %s%s", op, from,
                   r.err, text? text: "");
        free (text);
        tu_result_release (&r);
        tree_fini (&tree);
        return;
    }
    tu_result_release (&r);
    char pidfile [1024];
    snprintf (pidfile, sizeof pidfile, "%s/supervisor.pid", tree.runtime);
    char *pidtext = tu_read (pidfile, NULL);
    tree.supervisor = (pid_t) strtol (pidtext, NULL, 10);
    free (pidtext);
    int refused = 0;
    for (int i = 0; i < 3; i++) {
        char id [32];
        snprintf (id, sizeof id, "run-%d", i);
        for (int attempt = 0; ; attempt++) {
            cr_assert_lt (attempt, 40, "%s %d: %s never accepted", op, from, id);
            status = tree_cli (&tree, &r, "generate", "--id", id, project, NULL);
            if (status == 0) {
                cr_assert (strstr (r.out, "jobs:"));
                tu_result_release (&r);
                break;
            }
            cr_assert_eq (status, 3, "%s %d: generate exited %d: %s", op, from, status, r.err);
            cr_assert (strstr (r.err, "journal"), "%s %d: no reason given: %s", op, from,
                       r.err);
            refused++;
            tu_result_release (&r);
        }
    }
    cr_assert (tu_alive (tree.supervisor), "%s %d: the supervisor died", op, from);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    size_t total = 0;
    zhashx_t *counts = s_completions (&tree, &total);
    for (int i = 0; i < 3; i++) {
        char id [32];
        snprintf (id, sizeof id, "run-%d", i);
        cr_assert_eq ((size_t) zhashx_lookup (counts, id), 1, "%s %d: %s completed %zu times",
                      op, from, id, (size_t) zhashx_lookup (counts, id));
    }
    zhashx_destroy (&counts);
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", NULL), 0, "%s %d: %s%s", op, from,
                  r.out, r.err);
    tu_result_release (&r);
    tree_fini (&tree);
    (void) refused;
}

Test (journal_e2e, enospc_and_eio_at_each_write_and_fsync, .timeout = 240)
{
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "go", NULL);
    //  A run makes a dozen or so writes and fsyncs: fail each in turn,
    //  with each error.
    for (int from = 1; from <= 14; from++) {
        s_faulty_run ("write", from, from % 2? "ENOSPC": "EIO", project);
        s_faulty_run ("fsync", from, from % 2? "EIO": "ENOSPC", project);
    }
    free (project);
    tu_rmtree (dir);
    free (dir);
}

//  The line of maintain cleanup that gives the state: "(N workflows in
//  progress, M results kept)".
static char *
s_state_of (const char *cleanup_output)
{
    const char *open = strchr (cleanup_output, '(');
    const char *close = open? strchr (open, ')'): NULL;
    cr_assert (open && close, "%s", cleanup_output);
    return strndup (open, (size_t) (close - open + 1));
}

Test (journal_e2e, cleanup_backup_restore_round_trip, .timeout = 180)
{
    char *fault [] = { "R2CI_TEST_FAULT=hang:parser:HOLD-ME", NULL };
    tree_t tree;
    tree_init (&tree, NULL, fault);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "node", NULL);
    char *held = tree_project (dir, "held", "go", "HOLD-ME\n");
    char *results [3];
    tu_result_t r;
    for (int i = 0; i < 3; i++) {
        char id [16];
        snprintf (id, sizeof id, "done-%d", i);
        cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", id, project, NULL), 0, "%s",
                      r.err);
        results [i] = r.out;
        r.out = NULL;
        tu_result_release (&r);
    }
    //  Work in progress: 40 workflows the hung parser holds up, and the
    //  supervisor killed with all of them pending.
    tree_events_t *events = tree_events_new (&tree);
    char *out = tu_tmpdir ();
    char *argv [48] = { (char *) tu_bin ("readme2ci"), "generate", "--id", "burst",
                        "--out-dir", out };
    for (int i = 0; i < 40; i++)
        argv [6 + i] = held;
    argv [46] = NULL;
    pid_t client = tu_spawn (argv, tree.env, NULL);
    for (int queued = 0; queued < 40; queued++) {
        json_t *event = tree_events_wait (events, "workflow.queued", NULL, 20000);
        cr_assert_not_null (event);
        json_decref (event);
    }
    tree_events_destroy (&events);
    //  Published is not yet written: wait until the journal has them all.
    long long until = tu_now_ms () + 10000;
    while (true) {
        cr_assert_eq (tree_cli (&tree, &r, "events", "--json", "--type", "workflow.queued",
                                NULL), 0);
        json_t *lines = s_json_lines (r.out);
        tu_result_release (&r);
        size_t count = json_array_size (lines);
        json_decref (lines);
        if (count == 43)
            break;
        cr_assert_lt (tu_now_ms (), until, "%zu queued in the journal", count);
    }
    cr_assert_eq (kill (tree.supervisor, SIGKILL), 0);
    s_await_gone (tree.supervisor);
    s_fault_off (&tree);
    kill (client, SIGKILL);
    tu_wait (client, 5000);
    int pids [8];
    long long deadline = tu_now_ms () + 10000;
    while (tree_children (&tree, pids, 8) > 0 && tu_now_ms () < deadline)
        ;

    //  No supervisor: the CLI works on the journal itself. The state, as a
    //  cleanup's snapshot reports it, before the backup.
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "cleanup", "--older-than", "0s", NULL), 0,
                  "%s", r.err);
    char *before = s_state_of (r.out);
    cr_assert (strstr (r.out, "removed 1 of 2 segments"), "%s", r.out);
    tu_result_release (&r);
    int pending = 0, kept = 0;
    cr_assert_eq (sscanf (before, "(%d workflows in progress, %d results kept)", &pending,
                          &kept), 2, "%s", before);
    cr_assert_eq (pending, 40, "%s", before);
    cr_assert_geq (kept, 3);
    char *backup = NULL;
    cr_assert (asprintf (&backup, "%s/backup", dir) > 0);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", backup, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", backup, NULL), 1);
    cr_assert (strstr (r.err, "exists"), "%s", r.err);
    tu_result_release (&r);
    //  the folders a backup goes in are made, as -o makes them
    char *nowhere = NULL;
    cr_assert (asprintf (&nowhere, "%s/no/such/place", dir) > 0);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", nowhere, NULL), 0, "%s", r.err);
    cr_assert_eq (access (nowhere, F_OK), 0);
    tu_result_release (&r);

    //  The journal moves on: the snapshot alone brings the work back,
    //  which then finishes; a new result; online backup and cleanup.
    tree_up (&tree);
    cr_assert_eq (tree_cli (&tree, &r, "events", "--json", "--type", "system.started", NULL),
                  0);
    json_t *started = s_json_lines (r.out);
    tu_result_release (&r);
    json_t *last = json_array_get (started, json_array_size (started) - 1);
    cr_assert_eq (json_integer_value (json_object_get (last, "recovered_workflows")), pending);
    json_decref (started);
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", "later", project, NULL), 0);
    tu_result_release (&r);
    char *online = NULL;
    cr_assert (asprintf (&online, "%s/online", dir) > 0);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", online, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    //  online too, the folders a backup goes in are made
    char *nowhere_online = NULL;
    cr_assert (asprintf (&nowhere_online, "%s/no/such/place/online", dir) > 0);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", nowhere_online, NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);
    free (nowhere_online);
    free (nowhere);
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", online, NULL), 0, "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "cleanup", "--older-than", "0s", NULL), 0,
                  "%s", r.err);
    cr_assert (strstr (r.out, "snapshot at seq"), "%s", r.out);
    tu_result_release (&r);
    //  Restore is refused while the supervisor runs.
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "restore", backup, NULL), 3);
    cr_assert (strstr (r.err, "down"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);

    cr_assert_eq (tree_cli (&tree, &r, "maintain", "restore", backup, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "cleanup", "--older-than", "0s", NULL), 0,
                  "%s", r.err);
    char *after = s_state_of (r.out);
    tu_result_release (&r);
    cr_assert_str_eq (after, before);
    //  The same results by id, the same work queued again, and nothing
    //  of what came after the backup.
    tree_up (&tree);
    for (int i = 0; i < 3; i++) {
        char id [16];
        snprintf (id, sizeof id, "done-%d", i);
        cr_assert_eq (tree_cli (&tree, &r, "result", id, NULL), 0, "%s", r.err);
        cr_assert_str_eq (r.out, results [i]);
        tu_result_release (&r);
        free (results [i]);
    }
    cr_assert_eq (tree_cli (&tree, &r, "result", "later", NULL), 1);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "events", "--json", "--type", "system.started", NULL),
                  0);
    started = s_json_lines (r.out);
    tu_result_release (&r);
    last = json_array_get (started, json_array_size (started) - 1);
    cr_assert_eq (json_integer_value (json_object_get (last, "recovered_workflows")), pending);
    json_decref (started);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    //  A damaged backup is refused and changes nothing.
    char *segment = NULL;
    cr_assert (asprintf (&segment, "%s/journal-0000000002.log", backup) > 0);
    size_t size;
    char *bytes = tu_read (segment, &size);
    cr_assert_not_null (bytes);
    bytes [size / 2] ^= 0x20;
    FILE *file = fopen (segment, "wb");
    cr_assert_eq (fwrite (bytes, 1, size, file), size);
    fclose (file);
    free (bytes);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "restore", backup, NULL), 1);
    cr_assert (strstr (r.err, "damaged"), "%s", r.err);
    tu_result_release (&r);
    free (segment);
    free (before);
    free (after);
    free (backup);
    free (online);
    free (project);
    free (held);
    tree_fini (&tree);
    tu_rmtree (out);
    free (out);
    tu_rmtree (dir);
    free (dir);
}

Test (journal_e2e, events_filter_and_follow_and_verify_finds_damage, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "rust", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", "first", project, NULL), 0);
    tu_result_release (&r);

    //  Text: one line per event, the result shown as its size.
    cr_assert_eq (tree_cli (&tree, &r, "events", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, " system.started "), "%s", r.out);
    cr_assert (strstr (r.out, " workflow.completed workflow_id=first "), "%s", r.out);
    cr_assert (strstr (r.out, "result=<"), "%s", r.out);
    cr_assert_null (strstr (r.out, "cargo test"), "the result was dumped:\n%s", r.out);
    tu_result_release (&r);
    //  --type globs; --json has seq, time, type and the fields.
    cr_assert_eq (tree_cli (&tree, &r, "events", "--json", "--type", "worker.*", NULL), 0);
    json_t *list = s_json_lines (r.out);
    tu_result_release (&r);
    cr_assert_eq (json_array_size (list), 6, "3 started + 3 ready expected");
    size_t i;
    json_t *event;
    json_array_foreach (list, i, event) {
        cr_assert_eq (strncmp (json_string_value (json_object_get (event, "type")),
                               "worker.", 7), 0);
        cr_assert (json_integer_value (json_object_get (event, "seq")) > 0);
        cr_assert (json_integer_value (json_object_get (event, "pid")) > 0);
        const char *time = json_string_value (json_object_get (event, "time"));
        cr_assert (time && strlen (time) == 24 && time [10] == 'T' && time [23] == 'Z');
    }
    json_decref (list);
    //  --since: a future time gives nothing, an hour ago everything.
    cr_assert_eq (tree_cli (&tree, &r, "events", "--since", "2999-01-01T00:00:00Z", NULL), 0);
    cr_assert_str_eq (r.out, "");
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "events", "--since", "1h", "--type",
                            "workflow.completed", NULL), 0);
    cr_assert (strstr (r.out, "workflow_id=first"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "events", "--since", "yesterday", NULL), 2);
    tu_result_release (&r);

    //  --follow: the history, then new events, each seq once, in order.
    char log [1024];
    snprintf (log, sizeof log, "%s/follow.log", dir);
    char *argv [] = { (char *) tu_bin ("readme2ci"), "events", "--follow", "--json", NULL };
    pid_t follower = tu_spawn (argv, tree.env, log);
    free (s_await_text (log, "\"workflow_id\":\"first\"", 10000));
    for (int n = 0; n < 3; n++) {
        char id [16];
        snprintf (id, sizeof id, "next-%d", n);
        cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", id, project, NULL), 0);
        tu_result_release (&r);
    }
    char *text = s_await_text (log, "\"workflow.completed\",\"workflow_id\":\"next-2\"", 10000);
    cr_assert_not_null (text, "the follower did not see next-2");
    kill (follower, SIGTERM);
    tu_wait (follower, 5000);
    list = s_json_lines (text);
    free (text);
    json_int_t previous = 0;
    json_array_foreach (list, i, event) {
        json_int_t seq = json_integer_value (json_object_get (event, "seq"));
        cr_assert_eq (seq, previous + 1, "seq %lld after %lld", (long long) seq,
                      (long long) previous);
        previous = seq;
    }
    json_decref (list);

    //  verify: clean, then a flipped byte named with its segment.
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", NULL), 0, "%s", r.out);
    cr_assert (strstr (r.out, "0 problems: clean"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    char *journal = s_journal_dir (&tree);
    char *segment = NULL;
    cr_assert (asprintf (&segment, "%s/journal-0000000001.log", journal) > 0);
    size_t size;
    char *bytes = tu_read (segment, &size);
    bytes [size / 3] ^= 0x01;
    FILE *file = fopen (segment, "wb");
    cr_assert_eq (fwrite (bytes, 1, size, file), size);
    fclose (file);
    free (bytes);
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", NULL), 1, "%s", r.out);
    cr_assert (strstr (r.out, "journal-0000000001.log: offset "), "%s", r.out);
    cr_assert (strstr (r.out, "DAMAGED"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", segment, NULL), 1);
    tu_result_release (&r);
    //  events stops at the damage with a clear message, no crash.
    cr_assert_eq (tree_cli (&tree, &r, "events", NULL), 1);
    cr_assert (strstr (r.err, "damaged"), "%s", r.err);
    tu_result_release (&r);
    //  The supervisor refuses it at start with a message, not a crash.
    cr_assert_neq (tree_cli (&tree, &r, "up", "-d", NULL), 0);
    tu_result_release (&r);
    free (segment);
    free (journal);
    free (project);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
}
