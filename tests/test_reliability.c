/*  Issue 18's journal and flow defects, each on the real binaries: an
    input too large for one journal record is refused at the door and
    never wedges the journal; operations are answered at once while the
    journal cannot be written; a deadline passed while the supervisor was
    down fails the workflow as timed out; results are kept as the config
    says, and a reused id of an evicted result is refused.  */
#include "tests/support/tree.h"
#include "common/util.h"
#include "cli/client.h"

#include <criterion/criterion.h>
#include <czmq.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

//  A project whose README is small and whose 50 build files are each
//  just under the per-file limit of 1 MiB: 48 MiB together, well under
//  the 64 MiB a message may have but over what one journal record holds.
static char *
s_heavy_project (const char *dir)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/heavy", dir) > 0);
    tu_write (path, "README.md", "# heavy\n\nA Python project.\n\n```sh\npip install .\n"
                                 "pytest\n```\n");
    size_t size = 1000 * 1000;
    char *text = malloc (size + 1);
    cr_assert_not_null (text);
    for (size_t i = 0; i < size; i++)
        text [i] = i % 20 == 19? '\n': (char) ('a' + i % 19);
    text [size] = 0;
    for (int i = 0; i < 50; i++) {
        char name [64];
        snprintf (name, sizeof name, "requirements-%02d.txt", i);
        tu_write (path, name, text);
    }
    free (text);
    return path;
}

//  The supervisor's log, as `up -d` writes it.
static char *
s_log (tree_t *tree)
{
    char path [1024];
    //  up -d: the detached supervisor's log, in its state folder
    snprintf (path, sizeof path, "%s/logs/supervisor.log", tree->state);
    return tu_read (path, NULL);
}

static char *
s_front (tree_t *tree)
{
    char *endpoint = NULL;
    cr_assert (asprintf (&endpoint, "ipc://%s/front", tree->runtime) > 0);
    return endpoint;
}

//  ----------------------------------------------------------------------
//  1. One record over the journal's limit

Test (reliability, oversized_project_is_refused_at_the_door, .timeout = 240)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *heavy = s_heavy_project (dir);
    char *light = tree_project (dir, "light", "go", NULL);
    tu_result_t r;
    //  Refused by the client, naming the input and the limit; the other
    //  input of the same run goes on.
    char *out = tu_tmpdir ();
    int status = tree_cli (&tree, &r, "generate", "--timeout", "30000", "--out-dir", out,
                           heavy, light, NULL);
    cr_assert_eq (status, 1, "exit %d: %s", status, r.err);
    cr_assert (strstr (r.err, heavy), "the input is not named: %s", r.err);
    cr_assert (strstr (r.err, "limit"), "no limit given: %s", r.err);
    tu_result_release (&r);
    char file [1024];
    snprintf (file, sizeof file, "%s/light.yml", out);
    char *text = tu_read (file, NULL);
    cr_assert (text && strstr (text, "jobs:"), "the small input did not run");
    free (text);
    //  The same answer in-process: one rule, whatever runs the work.
    status = tree_cli (&tree, &r, "generate", "--inline", heavy, NULL);
    cr_assert_eq (status, 1, "exit %d: %s", status, r.err);
    cr_assert (strstr (r.err, heavy) && strstr (r.err, "limit"), "%s", r.err);
    tu_result_release (&r);
    //  The journal still takes work and operations are answered.
    cr_assert_eq (tree_cli (&tree, &r, "health", NULL), 0, "%s%s", r.out, r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", "2", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", "after", light, NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    char *log = s_log (&tree);
    cr_assert (log && !strstr (log, "could not be written"), "%s", log);
    free (log);
    tu_rmtree (out);
    free (out);
    free (heavy);
    free (light);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

Test (reliability, oversized_raw_submission_is_refused_and_the_journal_goes_on,
      .timeout = 240)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *endpoint = s_front (&tree);
    client_t *client = client_new (endpoint);
    cr_assert_not_null (client);
    //  A client that skips the CLI's own check: a docs frame of 40 MiB,
    //  under the 64 MiB a message may have.
    size_t size = 40u * 1024 * 1024;
    uint8_t *docs = calloc (1, size);
    cr_assert_not_null (docs);
    wire_submit_t submit = { .priority = WIRE_PRIORITY_NORMAL, .timeout_ms = 30000 };
    util_copy (submit.workflow_id, sizeof submit.workflow_id, "too-big");
    util_copy (submit.options.target, sizeof submit.options.target, "github");
    uint8_t project [1] = { 0x80 };     //  an empty map
    cr_assert_gt (client_submit (client, &submit, docs, size, project, 1), 0);
    free (docs);
    client_reply_t reply;
    cr_assert_eq (client_next_reply (client, 30000, &reply), 0,
                  "no answer to an oversized submission");
    cr_assert_eq (reply.reply.code, 1, "code %d: %s", reply.reply.code, reply.reply.message);
    cr_assert (strstr (reply.reply.message, "limit"), "%s", reply.reply.message);
    client_reply_release (&reply);
    client_destroy (&client);
    free (endpoint);
    //  Nothing of it reached the journal, which goes on taking work.
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "generator", "2", NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);
    char *dir = tu_tmpdir ();
    char *light = tree_project (dir, "light", "node", NULL);
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", "next", light, NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "events", "--type", "workflow.queued", NULL), 0);
    cr_assert (!strstr (r.out, "too-big"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    char *log = s_log (&tree);
    cr_assert (log && !strstr (log, "could not be written"), "%s", log);
    free (log);
    free (light);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

//  ----------------------------------------------------------------------
//  3. Operations while the journal cannot be written

//  Size of the supervisor's active journal segment (the newest).
static off_t
s_segment_size (tree_t *tree)
{
    char *dir = NULL;
    cr_assert (asprintf (&dir, "%s/journal", tree->state) > 0);
    off_t size = 0;
    char newest [1024] = "";
    DIR *folder = opendir (dir);
    cr_assert_not_null (folder);
    struct dirent *entry;
    while ((entry = readdir (folder)))
        if (strncmp (entry->d_name, "journal-", 8) == 0 && strcmp (entry->d_name, newest) > 0)
            snprintf (newest, sizeof newest, "%s", entry->d_name);
    closedir (folder);
    char path [2048];
    snprintf (path, sizeof path, "%s/%s", dir, newest);
    struct stat st;
    cr_assert_eq (stat (path, &st), 0, "%s", path);
    size = st.st_size;
    free (dir);
    return size;
}

//  A file size limit on the running supervisor: its journal writes fail
//  with EFBIG from now on (RLIM_INFINITY lifts it), as on a full disk.
static void
s_limit_files (pid_t pid, rlim_t bytes)
{
    struct rlimit limit;
    cr_assert_eq (prlimit (pid, RLIMIT_FSIZE, NULL, &limit), 0);
    limit.rlim_cur = bytes;         //  the soft limit only: it can be lifted again
    cr_assert_eq (prlimit (pid, RLIMIT_FSIZE, &limit, NULL), 0, "prlimit: %s",
                  strerror (errno));
}

//  `ctl ARGS` with a bound; its exit status (-1: no answer in 60 s).
static int
s_ctl (tree_t *tree, tu_result_t *r, const char *op, const char *component,
       const char *count)
{
    char *argv [] = { (char *) tu_bin ("readme2ci"), "ctl", (char *) op,
                      (char *) component, (char *) count, NULL };
    cr_assert_eq (tu_run (argv, tree->env, NULL, 60000, r), 0);
    return r->status;
}

static int
s_desired (tree_t *tree, const char *component)
{
    json_t *status = tree_status (tree);
    cr_assert_not_null (status);
    json_t *list = json_object_get (status, "components");
    size_t i;
    json_t *entry;
    int desired = -1;
    json_array_foreach (list, i, entry)
        if (strcmp (json_string_value (json_object_get (entry, "name")), component) == 0)
            desired = (int) json_integer_value (json_object_get (entry, "desired"));
    json_decref (status);
    return desired;
}

Test (reliability, operations_are_answered_at_once_while_the_journal_is_unwritable,
      .timeout = 240)
{
    tree_t tree;
    tree_init (&tree, "journal: {fsync: always}\n", NULL);
    tree_up (&tree);
    tu_result_t r;
    s_limit_files (tree.supervisor, (rlim_t) s_segment_size (&tree));
    //  The operation whose own record meets the failure: applied and
    //  answered, or refused, but answered either way, and truly.
    int status = s_ctl (&tree, &r, "scale", "parser", "2");
    cr_assert (status == 0 || status == 3, "exit %d: %s%s", status, r.out, r.err);
    int expected = status == 0? 2: 1;
    tu_result_release (&r);
    cr_assert_eq (s_desired (&tree, "parser"), expected);
    cr_assert_eq (tree_cli (&tree, &r, "health", NULL), 2, "%s", r.out);
    tu_result_release (&r);
    //  Later ones are refused at once with the reason, and not applied.
    const char *ops [][2] = { { "scale", "3" }, { "stop", NULL } };
    for (size_t i = 0; i < 2; i++) {
        status = s_ctl (&tree, &r, ops [i][0], "parser", ops [i][1]);
        cr_assert_eq (status, 3, "%s: exit %d: %s%s", ops [i][0], status, r.out, r.err);
        cr_assert (strstr (r.err, "journal"), "%s", r.err);
        tu_result_release (&r);
        cr_assert_eq (s_desired (&tree, "parser"), expected);
    }
    //  The disk takes writes again: so do operations.
    s_limit_files (tree.supervisor, RLIM_INFINITY);
    long long deadline = tu_now_ms () + 30000;
    while (tree_cli (&tree, &r, "health", NULL) != 0) {
        tu_result_release (&r);
        cr_assert_lt (tu_now_ms (), deadline, "the journal did not recover");
    }
    tu_result_release (&r);
    cr_assert_eq (s_ctl (&tree, &r, "scale", "parser", "3"), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (s_desired (&tree, "parser"), 3);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", NULL), 0, "%s", r.out);
    tu_result_release (&r);
    tree_fini (&tree);
}

//  ----------------------------------------------------------------------
//  5. Deadlines across a restart

//  Every line of `events --json --type TYPE` whose workflow_id is id.
static size_t
s_events_for (tree_t *tree, const char *type, const char *id, json_t **last_p)
{
    tu_result_t r;
    cr_assert_eq (tree_cli (tree, &r, "events", "--json", "--type", type, NULL), 0, "%s",
                  r.err);
    size_t count = 0;
    for (char *line = strtok (r.out, "\n"); line; line = strtok (NULL, "\n")) {
        json_t *event = json_loads (line, 0, NULL);
        cr_assert_not_null (event, "%s", line);
        const char *wf = json_string_value (json_object_get (event, "workflow_id"));
        if (wf && strcmp (wf, id) == 0) {
            count++;
            if (last_p) {
                json_decref (*last_p);
                *last_p = json_incref (event);
            }
        }
        json_decref (event);
    }
    tu_result_release (&r);
    return count;
}

//  Kill the tree's supervisor and its workers, by pid.
static void
s_kill_tree (tree_t *tree)
{
    int pids [16];
    size_t count = tree_children (tree, pids, 16);
    cr_assert_eq (kill (tree->supervisor, SIGKILL), 0);
    for (size_t i = 0; i < count; i++)
        kill (pids [i], SIGKILL);
    long long deadline = tu_now_ms () + 10000;
    while (tu_alive (tree->supervisor))
        cr_assert_lt (tu_now_ms (), deadline, "the supervisor is still there");
    for (size_t i = 0; i < count; i++)
        while (tu_alive (pids [i]))
            cr_assert_lt (tu_now_ms (), deadline, "worker %d is still there", pids [i]);
}

Test (reliability, a_deadline_passed_while_down_fails_the_workflow_after_replay,
      .timeout = 240)
{
    char *fault [] = { "R2CI_TEST_FAULT=hang:parser:HOLD-ME", NULL };
    tree_t tree;
    tree_init (&tree, NULL, fault);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *held = tree_project (dir, "held", "go", "HOLD-ME\n");
    //  Two workflows the hung parser holds: one with a short deadline,
    //  one with a long one. Their client goes away with the supervisor.
    char *argv [] = { (char *) tu_bin ("readme2ci"), "generate", "--id", "short",
                      "--timeout", "3000", held, NULL };
    char *argv2 [] = { (char *) tu_bin ("readme2ci"), "generate", "--id", "long",
                       "--timeout", "120000", held, NULL };
    pid_t clients [2] = { tu_spawn (argv, tree.env, NULL), tu_spawn (argv2, tree.env, NULL) };
    json_t *queued = NULL;
    long long deadline = tu_now_ms () + 30000;
    while (s_events_for (&tree, "workflow.queued", "short", &queued) == 0
       ||  s_events_for (&tree, "workflow.queued", "long", NULL) == 0)
        cr_assert_lt (tu_now_ms (), deadline, "not in the journal");
    s_kill_tree (&tree);
    for (int i = 0; i < 2; i++) {
        kill (clients [i], SIGKILL);
        tu_wait (clients [i], 5000);
    }
    //  The short deadline passes while no supervisor runs (the wall
    //  clock: the journal's time is the only one that outlives us).
    long long due = json_integer_value (json_object_get (queued, "time_ms")) + 3000;
    json_decref (queued);
    struct timespec now;
    do {
        struct timespec pause = { 0, 50 * 1000000 };
        nanosleep (&pause, NULL);
        clock_gettime (CLOCK_REALTIME, &now);
    } while (now.tv_sec * 1000LL + now.tv_nsec / 1000000 <= due + 100);
    //  Without the fault, a new supervisor would run both at once: the
    //  late one must be failed as timed out, in the journal too.
    for (size_t i = 0; i < tree.env_count; i++)
        if (strncmp (tree.env [i], "R2CI_TEST_FAULT=", 16) == 0) {
            free (tree.env [i]);
            tree.env [i] = strdup ("R2CI_TEST_FAULT=off:none:none");
        }
    tree_up (&tree);
    tu_result_t r;
    //  The long one runs and its result is kept.
    deadline = tu_now_ms () + 60000;
    while (s_events_for (&tree, "workflow.completed", "long", NULL) == 0)
        cr_assert_lt (tu_now_ms (), deadline, "the workflow with time left did not run");
    json_t *failed = NULL;
    deadline = tu_now_ms () + 30000;
    while (s_events_for (&tree, "workflow.failed", "short", &failed) == 0)
        cr_assert_lt (tu_now_ms (), deadline, "the late workflow was not failed");
    cr_assert_eq (json_integer_value (json_object_get (failed, "code")), 4);
    cr_assert (strstr (json_string_value (json_object_get (failed, "reason")), "timed out"),
               "%s", json_string_value (json_object_get (failed, "reason")));
    json_decref (failed);
    cr_assert_eq (s_events_for (&tree, "workflow.completed", "short", NULL), 0,
                  "the late workflow ran after its deadline");
    cr_assert_neq (tree_cli (&tree, &r, "result", "short", NULL), 0, "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    free (held);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

//  ----------------------------------------------------------------------
//  13. A damaged last record is not a torn tail

Test (reliability, a_damaged_complete_last_record_stops_the_start, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "python", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", "kept", project, NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    //  A flipped byte in the last record, which is whole.
    char *journal = NULL;
    cr_assert (asprintf (&journal, "%s/journal/journal-0000000001.log", tree.state) > 0);
    size_t size;
    char *data = tu_read (journal, &size);
    cr_assert_not_null (data);
    data [size - 2] ^= 0x20;
    FILE *file = fopen (journal, "w");
    cr_assert_eq (fwrite (data, 1, size, file), size);
    fclose (file);
    int status = tree_cli (&tree, &r, "up", "-d", NULL);
    cr_assert_neq (status, 0, "started over a damaged record: %s", r.out);
    tu_result_release (&r);
    char *log = s_log (&tree);
    cr_assert (log && strstr (log, "journal-0000000001.log") && strstr (log, "damaged"),
               "%s", log);
    cr_assert (!strstr (log, "torn tail cut"), "%s", log);
    free (log);
    struct stat st;
    cr_assert_eq (stat (journal, &st), 0);
    cr_assert_eq ((size_t) st.st_size, size, "the damaged record was cut");
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", NULL), 1, "%s", r.out);
    tu_result_release (&r);
    //  A record cut short by a crash is a torn tail: cut, and the start goes on.
    data [size - 2] ^= 0x20;
    file = fopen (journal, "w");
    cr_assert_eq (fwrite (data, 1, size - 3, file), size - 3);
    fclose (file);
    tree_up (&tree);
    log = s_log (&tree);
    cr_assert (log && strstr (log, "torn tail cut"), "%s", log);
    free (log);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    free (data);
    free (journal);
    free (project);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

//  ----------------------------------------------------------------------
//  9. Result retention

Test (reliability, results_are_kept_as_configured_and_an_evicted_id_is_refused,
      .timeout = 240)
{
    tree_t tree;
    tree_init (&tree, "results: {keep: 3}\n", NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "rust", NULL);
    tu_result_t r;
    for (int i = 1; i <= 5; i++) {
        char id [16];
        snprintf (id, sizeof id, "r%d", i);
        cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", id, project, NULL), 0, "%s",
                      r.err);
        tu_result_release (&r);
    }
    for (int round = 0; round < 2; round++) {
        //  The newest three are kept; the two before are evicted, and say so.
        for (int i = 1; i <= 5; i++) {
            char id [16];
            snprintf (id, sizeof id, "r%d", i);
            int status = tree_cli (&tree, &r, "result", id, NULL);
            if (i <= 2) {
                cr_assert_eq (status, 1, "round %d: %s: %s", round, id, r.out);
                cr_assert (strstr (r.err, "evicted"), "round %d: %s: %s", round, id, r.err);
            }
            else {
                cr_assert_eq (status, 0, "round %d: %s: %s", round, id, r.err);
                cr_assert (strstr (r.out, "jobs:"));
            }
            tu_result_release (&r);
        }
        //  A reused id of an evicted result is refused, not run again.
        cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", "r1", project, NULL), 1,
                      "round %d: %s%s", round, r.out, r.err);
        cr_assert (strstr (r.err, "evicted"), "%s", r.err);
        tu_result_release (&r);
        cr_assert_eq (s_events_for (&tree, "result.evicted", "r1", NULL), 1);
        cr_assert_eq (s_events_for (&tree, "result.evicted", "r2", NULL), 1);
        cr_assert_eq (s_events_for (&tree, "workflow.completed", "r1", NULL), 1);
        //  The same after a restart: replay keeps the evictions.
        if (round == 0) {
            cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
            tu_result_release (&r);
            tree_up (&tree);
        }
    }
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    free (project);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

Test (reliability, results_older_than_max_age_are_evicted, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, "results: {max_age: 300ms}\n", NULL);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "node", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--id", "aged", project, NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);
    json_t *event = tree_events_wait (events, "result.evicted", NULL, 30000);
    cr_assert_not_null (event, "never evicted");
    cr_assert_str_eq (json_string_value (json_object_get (event, "workflow_id")), "aged");
    cr_assert_str_eq (json_string_value (json_object_get (event, "reason")), "age");
    json_decref (event);
    cr_assert_eq (tree_cli (&tree, &r, "result", "aged", NULL), 1, "%s", r.out);
    cr_assert (strstr (r.err, "evicted"), "%s", r.err);
    tu_result_release (&r);
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    free (project);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}
