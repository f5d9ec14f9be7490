/*  Fault tolerance, on the real binaries: crash loops reach FATAL and come
    back, poison inputs are refused without harming the component, hung
    workers are replaced, the supervisor's death takes its workers along,
    shutdown drains, and a storm of SIGKILLs loses no workflow.  */
#include "common/util.h"
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

//  A worker command that exits at once until fixed: a script that runs
//  the real worker only once `fixed` exists beside it.
static char *
s_flaky_command (const char *dir, const char *component)
{
    char *script = NULL, *text = NULL;
    cr_assert (asprintf (&script, "%s/flaky-%s", dir, component) > 0);
    cr_assert (asprintf (&text, "#!/bin/sh\n[ -e '%s/fixed' ] || exit 3\nexec '%s' \"$@\"\n",
                         dir, tu_bin (component [0] == 'p'? "readme2ci-parser"
                                      : component [0] == 'd'? "readme2ci-detector"
                                      : "readme2ci-generator")) > 0);
    char name [64];
    snprintf (name, sizeof name, "flaky-%s", component);
    tu_write (dir, name, text);
    chmod (script, 0755);
    free (text);
    return script;
}

Test (fault, crash_loop_goes_fatal_fails_fast_and_comes_back, .timeout = 90)
{
    char *dir = tu_tmpdir ();
    char *command = s_flaky_command (dir, "parser");
    char config [2048];
    snprintf (config, sizeof config, "components:\n  parser:\n    command: %s\n", command);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_start (&tree);
    tree_events_t *events = tree_events_new (&tree);

    //  Five restarts with growing gaps, then FATAL.
    long long starts [8];
    int count = 0;
    json_t *fatal = NULL;
    long long deadline = tu_now_ms () + 30000;
    while (!fatal) {
        cr_assert_lt (tu_now_ms (), deadline, "no FATAL after %d starts", count);
        json_t *event = tree_events_next (events, 1000);
        if (!event)
            continue;
        const char *type = json_string_value (json_object_get (event, "type"));
        if (strcmp (type, "worker.started") == 0) {
            cr_assert_lt (count, 8, "more starts than the intensity allows");
            starts [count++] = (long long) json_integer_value (json_object_get (event, "time_ms"));
        }
        if (strcmp (type, "component.failure") == 0 && json_object_get (event, "state"))
            fatal = json_incref (event);
        json_decref (event);
    }
    cr_assert_str_eq (json_string_value (json_object_get (fatal, "state")), "fatal");
    cr_assert_eq (json_integer_value (json_object_get (fatal, "restarts")), 5,
                  "FATAL after %lld restarts",
                  (long long) json_integer_value (json_object_get (fatal, "restarts")));
    json_decref (fatal);
    //  The first start may come before the test subscribed.
    cr_assert_geq (count, 4, "only %d starts seen", count);
    for (int i = 2; i < count; i++)
        cr_assert_gt (starts [i] - starts [i - 1], starts [i - 1] - starts [i - 2] - 40,
                      "gap %d did not grow", i);

    //  Now the parser is unavailable: generate fails fast, naming it.
    char *project = tree_project (dir, "demo", "python", NULL);
    tu_result_t r;
    long long t0 = tu_now_ms ();
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 3, "%s", r.err);
    long long took = tu_now_ms () - t0;
    cr_assert (strstr (r.err, "parser"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_lt (took, 1000, "generate took %lld ms to fail", took);

    json_t *status = tree_status (&tree);
    json_t *parser = json_array_get (json_object_get (status, "components"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (parser, "state")), "fatal");
    cr_assert_str_eq (json_string_value (json_object_get (parser, "breaker")), "open");
    json_decref (status);

    //  Fix the command; an operator restart brings the parser back.
    tu_write (dir, "fixed", "");
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "restart", "parser", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (ready, "the parser did not come back");
    json_decref (ready);
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "pytest"), "%s", r.out);
    tu_result_release (&r);
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (command);
    free (project);
}

Test (fault, without_a_detector_generate_degrades, .timeout = 90)
{
    char *dir = tu_tmpdir ();
    char *command = s_flaky_command (dir, "detector");
    char config [2048];
    snprintf (config, sizeof config, "components:\n  detector:\n    command: %s\n", command);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_start (&tree);
    tree_events_t *events = tree_events_new (&tree);
    json_t *fatal = NULL;
    long long deadline = tu_now_ms () + 30000;
    while (!fatal && tu_now_ms () < deadline) {
        fatal = tree_events_wait (events, "component.failure", "detector", 1000);
        if (fatal && !json_object_get (fatal, "state")) {
            json_decref (fatal);
            fatal = NULL;
        }
    }
    cr_assert_not_null (fatal, "the detector did not go FATAL");
    json_decref (fatal);
    char *project = tree_project (dir, "demo", "python", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.err, "degraded"), "no warning on stderr: %s", r.err);
    cr_assert (strstr (r.out, "pytest"), "the README's test command is missing:\n%s", r.out);
    tu_result_release (&r);
    json_t *done = tree_events_wait (events, "workflow.completed", NULL, 5000);
    cr_assert_not_null (done);
    cr_assert (json_is_true (json_object_get (done, "degraded")),
               "the completion does not record the degradation");
    json_decref (done);
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (command);
    free (project);
}

Test (fault, a_poison_readme_is_refused_and_the_parser_stays_up, .timeout = 90)
{
    char *env [] = { "R2CI_TEST_FAULT=crash:parser:POISON-PILL-7", NULL };
    tree_t tree;
    tree_init (&tree, NULL, env);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *poison = tree_project (dir, "poison", "python", "Say POISON-PILL-7.\n");
    char *paths [10];
    for (int i = 0; i < 10; i++) {
        char name [16];
        snprintf (name, sizeof name, "ok-%d", i);
        paths [i] = tree_project (dir, name, i % 2? "node": "go", NULL);
    }
    char *out = tu_tmpdir ();
    tu_result_t r;
    int status = tree_cli (&tree, &r, "generate", "--out-dir", out, paths [0], paths [1],
                           paths [2], paths [3], paths [4], poison, paths [5], paths [6],
                           paths [7], paths [8], paths [9], NULL);
    char *poison_err = strdup (r.err);
    cr_assert_eq (status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "poison"), "%s", r.err);
    cr_assert (strstr (r.err, "parse step"), "the error does not name the step: %s", r.err);
    cr_assert (strstr (r.err, "3 times"), "%s", r.err);
    tu_result_release (&r);
    for (int i = 0; i < 10; i++) {
        char file [1024];
        snprintf (file, sizeof file, "%s/ok-%d.yml", out, i);
        char *text = tu_read (file, NULL);
        cr_assert_not_null (text, "ok-%d has no workflow; the client said:\n%s", i, poison_err);
        cr_assert (strstr (text, "jobs:"));
        free (text);
        free (paths [i]);
    }
    json_t *status_doc = tree_status (&tree);
    json_t *parser = json_array_get (json_object_get (status_doc, "components"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (parser, "state")), "running");
    cr_assert_str_eq (json_string_value (json_object_get (parser, "breaker")), "closed");
    json_decref (status_doc);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    tu_rmtree (out);
    free (dir);
    free (out);
    free (poison);
    free (poison_err);
}

Test (fault, a_stopped_worker_is_replaced_and_its_job_done_elsewhere, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    int pids [4];
    cr_assert_eq (tree_worker_pids (&tree, "parser", pids, 4), 1);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "rust", NULL);
    //  Stopped while idle, the parser is sent the next job and never
    //  answers: the job is in the middle of it when its silence is noticed.
    long long stopped = (long long) util_wall_ms ();
    cr_assert_eq (kill (pids [0], SIGSTOP), 0);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "cargo test"), "%s", r.out);
    tu_result_release (&r);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (ready, "no new parser became ready");
    long long replaced = (long long) json_integer_value (json_object_get (ready, "time_ms"));
    cr_assert_neq (json_integer_value (json_object_get (ready, "pid")), pids [0]);
    json_decref (ready);
    //  Its silence is what caught it: 3 missed heartbeats of 1 s, not the
    //  job's own deadline (20 s of the default 60). The bound leaves a
    //  loaded machine (sanitizers, both cores busy) room on the first and
    //  still tells the two apart.
    cr_assert_lt (replaced - stopped, 10000, "replaced after %lld ms", replaced - stopped);
    cr_assert_not (tu_alive (pids [0]), "the stopped worker was not killed");
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (fault, workers_exit_when_the_supervisor_dies, .timeout = 30)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    int pids [8];
    size_t count = tree_children (&tree, pids, 8);
    cr_assert_eq (count, 3);
    cr_assert_eq (kill (tree.supervisor, SIGKILL), 0);
    long long deadline = tu_now_ms () + 3000;
    for (size_t i = 0; i < count; i++)
        while (tu_alive (pids [i]))
            cr_assert_lt (tu_now_ms (), deadline, "worker %d outlived its supervisor by 3 s",
                          pids [i]);
    tree_fini (&tree);
}

Test (fault, down_under_load_finishes_what_it_started, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char *dir = tu_tmpdir ();
    char *out = tu_tmpdir ();
    char *argv [64] = { (char *) tu_bin ("readme2ci"), "generate", "--out-dir", out };
    int argc = 4;
    static const char *const kinds [] = { "python", "node", "rust", "go", "c" };
    for (int i = 0; i < 40; i++) {
        char name [16];
        snprintf (name, sizeof name, "p%02d", i);
        argv [argc++] = tree_project (dir, name, kinds [i % 5], NULL);
    }
    argv [argc] = NULL;
    char log [1024];
    snprintf (log, sizeof log, "%s/client.log", dir);
    pid_t client = tu_spawn (argv, tree.env, log);
    json_t *started = tree_events_wait (events, "workflow.started", NULL, 10000);
    cr_assert_not_null (started);
    json_decref (started);
    int pids [8];
    size_t count = tree_children (&tree, pids, 8);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    //  Every workflow the supervisor took was answered: the client saw
    //  each either completed or refused as the supervisor stopped.
    int status = tu_wait (client, 30000);
    char *client_log = tu_read (log, NULL);
    cr_assert (status == 0 || status == 3, "client status %d: %s", status, client_log);
    size_t written = 0;
    for (int i = 0; i < 40; i++) {
        char file [1024];
        snprintf (file, sizeof file, "%s/p%02d.yml", out, i);
        written += access (file, R_OK) == 0;
    }
    size_t refused = 0;
    for (const char *p = client_log; (p = strstr (p, "shutting down")); p++)
        refused++;
    cr_assert_eq (written + refused, 40, "%zu written, %zu refused:\n%s", written, refused,
                  client_log);
    free (client_log);
    cr_assert_not (tu_alive (tree.supervisor));
    for (size_t i = 0; i < count; i++)
        cr_assert_not (tu_alive (pids [i]), "worker %d is still running", pids [i]);
    for (int i = 4; i < argc; i++)
        free (argv [i]);
    tree_events_destroy (&events);
    tree_fini (&tree);
    tu_rmtree (dir);
    tu_rmtree (out);
    free (dir);
    free (out);
}

Test (fault, failed_steps_are_retried_then_reported, .timeout = 60)
{
    char *env [] = { "R2CI_TEST_FAULT=fail:detector:FLAKY-STEP", NULL };
    tree_t tree;
    tree_init (&tree, "retry:\n  base: 50ms\n  max: 200ms\n", env);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "flaky", "go", NULL);
    tu_write (project, "go.mod", "module example.org/flaky // FLAKY-STEP\n\ngo 1.22\n");
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 3, "%s", r.err);
    cr_assert (strstr (r.err, "detect step: injected failure"), "%s", r.err);
    tu_result_release (&r);
    int retried = 0;
    json_t *event;
    while ((event = tree_events_wait (events, "workflow.retried", "detector", 200))) {
        retried++;
        json_decref (event);
    }
    cr_assert_eq (retried, 2, "%d retries (3 attempts in all expected)", retried);
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (fault, a_workflow_past_its_deadline_times_out, .timeout = 60)
{
    //  the detector hangs on this project; the client's deadline ends it
    char *env [] = { "R2CI_TEST_FAULT=hang:detector:NEVER-ENDS", NULL };
    tree_t tree;
    tree_init (&tree, NULL, env);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "stuck", "go", NULL);
    tu_write (project, "go.mod", "module example.org/stuck // NEVER-ENDS\n\ngo 1.22\n");
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--timeout", "400", project, NULL), 4,
                  "%s", r.err);
    cr_assert (strstr (r.err, "timed out"), "%s", r.err);
    tu_result_release (&r);
    json_t *failed = tree_events_wait (events, "workflow.failed", NULL, 5000);
    cr_assert_not_null (failed, "no workflow.failed event for the timeout");
    const char *reason = json_string_value (json_object_get (failed, "reason"));
    cr_assert (reason && strstr (reason, "timed out"), "%s", reason? reason: "(no reason)");
    json_decref (failed);
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (fault, chaos_loses_nothing, .timeout = 300)
{
    tree_t tree;
    tree_init (&tree, "restart:\n  intensity: 1000\n  backoff_initial: 10ms\n"
               "  backoff_max: 50ms\n", NULL);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char *dir = tu_tmpdir ();
    static const char *const kinds [] = { "python", "node", "rust", "go", "c" };
    char *projects [10];
    char *expected [10];
    for (int i = 0; i < 10; i++) {
        char name [16];
        snprintf (name, sizeof name, "kind%d", i);
        char extra [64];
        snprintf (extra, sizeof extra, "Project number %d.\n", i);
        projects [i] = tree_project (dir, name, kinds [i % 5], extra);
        tu_result_t r;
        cr_assert_eq (tree_cli (&tree, &r, "generate", "--inline", projects [i], NULL), 0);
        expected [i] = r.out;
        r.out = NULL;
        tu_result_release (&r);
    }
    //  8 clients, 125 workflows each.
    pid_t clients [8];
    char *outs [8];
    for (int c = 0; c < 8; c++) {
        outs [c] = tu_tmpdir ();
        char *argv [140] = { (char *) tu_bin ("readme2ci"), "generate", "--out-dir", outs [c] };
        for (int i = 0; i < 125; i++)
            argv [4 + i] = projects [(c + i) % 10];
        argv [129] = NULL;
        clients [c] = tu_spawn (argv, tree.env, NULL);
        cr_assert_gt (clients [c], 0);
    }
    //  A random worker gets SIGKILL every 50 ms until every client is done.
    unsigned seed = (unsigned) time (NULL);
    int kills = 0, done = 0, statuses [8];
    bool finished [8] = { false };
    long long deadline = tu_now_ms () + 240000;
    while (done < 8) {
        cr_assert_lt (tu_now_ms (), deadline, "the clients did not finish");
        int pids [16];
        size_t count = tree_children (&tree, pids, 16);
        if (count && kill (pids [rand_r (&seed) % count], SIGKILL) == 0)
            kills++;
        //  The pace of the storm, not a wait for an event.
        struct timespec pause = { 0, 50 * 1000000 };
        nanosleep (&pause, NULL);
        for (int c = 0; c < 8; c++)
            if (!finished [c] && (statuses [c] = tu_wait (clients [c], 0)) != -1) {
                finished [c] = true;
                done++;
            }
    }
    for (int c = 0; c < 8; c++)
        cr_assert_eq (statuses [c], 0, "client %d exited with %d", c, statuses [c]);
    //  A fast machine finishes in well under a second: a few kills still
    //  land in the middle of it (the first right after the clients start).
    cr_assert_geq (kills, 2, "only %d kills", kills);

    //  Every output is the --inline bytes for its project.
    for (int c = 0; c < 8; c++) {
        for (int i = 0; i < 125; i++) {
            char file [1024];
            int k = (c + i) % 10;
            int nth = 0;                //  the how-many-th input of this name
            for (int j = 0; j < i; j++)
                nth += (c + j) % 10 == k;
            if (nth == 0)
                snprintf (file, sizeof file, "%s/kind%d.yml", outs [c], k);
            else
                snprintf (file, sizeof file, "%s/kind%d-%d.yml", outs [c], k, nth + 1);
            char *text = tu_read (file, NULL);
            cr_assert_not_null (text, "missing %s", file);
            cr_assert_str_eq (text, expected [k], "%s differs from --inline", file);
            free (text);
        }
        tu_rmtree (outs [c]);
        free (outs [c]);
    }
    //  Exactly one completion per workflow.
    zhashx_t *seen = zhashx_new ();
    json_t *event;
    size_t completions = 0;
    while ((event = tree_events_wait (events, "workflow.completed", NULL, 500))) {
        const char *id = json_string_value (json_object_get (event, "workflow_id"));
        cr_assert_null (zhashx_lookup (seen, id), "%s completed twice", id);
        zhashx_insert (seen, id, (void *) 1);
        completions++;
        json_decref (event);
    }
    cr_assert_eq (completions, 1000, "%zu completions", completions);
    zhashx_destroy (&seen);
    for (int i = 0; i < 10; i++) {
        free (projects [i]);
        free (expected [i]);
    }
    tree_events_destroy (&events);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
}
