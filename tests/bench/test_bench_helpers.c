/*  The programs scripts/bench drives (bench_client, bench_restart) against
    a real tree on a temporary ipc:// folder: their JSON holds what they
    measured, and they fail with one line, in bounded time, when they can't.  */
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT R2CI_BIN_DIR "/bench_client"
#define RESTART R2CI_BIN_DIR "/bench_restart"

typedef struct {
    char *dir;
    pid_t pid;
    char front[600];
    char events[600];
} tree_t;

static void
s_tree_start (tree_t *tree)
{
    tree->dir = tu_tmpdir ();
    snprintf (tree->front, sizeof tree->front, "ipc://%s/front", tree->dir);
    snprintf (tree->events, sizeof tree->events, "ipc://%s/events", tree->dir);
    //  A journal of its own: the default state folder is shared.
    char state[700];
    snprintf (state, sizeof state, "%s/state", tree->dir);
    char *argv[] = {(char *)tu_bin ("readme2ci-supervisor"),
                    "--runtime-dir",
                    tree->dir,
                    "--state-dir",
                    state,
                    "--workers",
                    "1",
                    NULL};
    char *env[] = {"R2CI_LOG_LEVEL=warn", NULL};
    tree->pid = tu_spawn (argv, env, NULL);
    cr_assert (tree->pid > 0);
}

static void
s_tree_stop (tree_t *tree)
{
    kill (tree->pid, SIGTERM);
    if (tu_wait (tree->pid, 15000) < 0) {
        kill (tree->pid, SIGKILL);
        tu_wait (tree->pid, 5000);
    }
    tu_rmtree (tree->dir);
    free (tree->dir);
}

//  Runs argv; returns its last stdout line as JSON (asserting exit 0).
static json_t *
s_run_json (char *const argv[], int timeout_ms)
{
    tu_result_t res;
    cr_assert_eq (tu_run (argv, NULL, NULL, timeout_ms, &res), 0);
    cr_assert_eq (res.status, 0, "%s exited %d: %s", argv[0], res.status,
                  res.err);
    size_t len = strlen (res.out);
    while (len > 0 && res.out[len - 1] == '\n')
        res.out[--len] = 0;
    char *last = strrchr (res.out, '\n');
    last = last ? last + 1 : res.out;
    json_t *doc = json_loads (last, 0, NULL);
    cr_assert_not_null (doc, "not JSON: %s", last);
    tu_result_release (&res);
    return doc;
}

static double
s_num (json_t *doc, const char *key)
{
    json_t *value = json_object_get (doc, key);
    cr_assert (json_is_number (value), "no number '%s'", key);
    return json_number_value (value);
}

Test (bench_client, measures_pipelined_workflows_and_a_flood, .timeout = 60)
{
    tree_t tree;
    s_tree_start (&tree);
    char *ringbuf = tu_src ("examples/ringbuf"),
         *todo = tu_src ("examples/todo-api");

    char *ready[] = {CLIENT, "--endpoint", tree.front, "--wait-ready",
                     "1",    "--timeout",  "15000",    NULL};
    json_t *status = s_run_json (ready, 20000);
    json_t *components = json_object_get (status, "components");
    cr_assert_eq (json_array_size (components), 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_geq (json_array_size (json_object_get (
                           json_array_get (components, i), "workers")),
                       1);
    json_decref (status);

    char *run[] = {CLIENT, "--endpoint", tree.front, "--count",
                   "24",   "--window",   "5",        "--warmup",
                   "2",    ringbuf,      todo,       NULL};
    json_t *doc = s_run_json (run, 30000);
    cr_assert_eq (s_num (doc, "count"), 24);
    cr_assert_eq (s_num (doc, "ok"), 24);
    cr_assert_eq (s_num (doc, "failed"), 0);
    cr_assert_eq (s_num (doc, "window"), 5);
    cr_assert_gt (s_num (doc, "input_bytes"), 100);
    cr_assert_gt (s_num (doc, "per_s"), 0);
    //  Quantiles are ordered and bounded by the run's own length.
    cr_assert_gt (s_num (doc, "p50_ms"), 0);
    cr_assert_leq (s_num (doc, "p50_ms"), s_num (doc, "p99_ms"));
    cr_assert_leq (s_num (doc, "p99_ms"), s_num (doc, "max_ms"));
    cr_assert_leq (s_num (doc, "max_ms"), s_num (doc, "seconds") * 1000 + 1);
    json_decref (doc);

    char *flood[] = {CLIENT,      "--endpoint", tree.front, "--flood",
                     "--events",  tree.events,  "--count",  "300",
                     "--timeout", "20000",      ringbuf,    NULL};
    doc = s_run_json (flood, 30000);
    cr_assert_eq (s_num (doc, "count"), 300);
    cr_assert_gt (s_num (doc, "accept_s"), 0);
    cr_assert_geq (s_num (doc, "probes"), 1);
    cr_assert_leq (s_num (doc, "probe_p99_ms"), s_num (doc, "probe_max_ms"));
    cr_assert_eq (s_num (doc, "worker_deaths"), 0);
    json_decref (doc);

    free (ringbuf);
    free (todo);
    s_tree_stop (&tree);
}

Test (bench_restart, times_each_replacement_of_a_killed_worker, .timeout = 60)
{
    tree_t tree;
    s_tree_start (&tree);
    char *ready[] = {CLIENT, "--endpoint", tree.front, "--wait-ready",
                     "1",    "--timeout",  "15000",    NULL};
    json_decref (s_run_json (ready, 20000));
    char *argv[] = {RESTART,     "--front", tree.front, "--events",
                    tree.events, "--kills", "4",        NULL};
    json_t *doc = s_run_json (argv, 40000);
    cr_assert_eq (s_num (doc, "kills"), 4);
    cr_assert_gt (s_num (doc, "min_ms"), 0);
    cr_assert_leq (s_num (doc, "min_ms"), s_num (doc, "median_ms"));
    cr_assert_leq (s_num (doc, "median_ms"), s_num (doc, "p90_ms"));
    cr_assert_leq (s_num (doc, "p90_ms"), s_num (doc, "max_ms"));
    //  A replacement is never instant, and never as slow as the 5 s limit.
    cr_assert_lt (s_num (doc, "max_ms"), 5000);
    json_decref (doc);
    s_tree_stop (&tree);
}

Test (bench_restart, fails_in_bounded_time_when_nobody_restarts_the_worker,
      .timeout = 30)
{
    //  The --router mode with a worker we start and nobody restarts.
    char *dir = tu_tmpdir ();
    char endpoint[600];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/back", dir);
    char *worker[] = {(char *)tu_bin ("readme2ci-parser"), "--endpoint",
                      endpoint, NULL};
    pid_t pid = tu_spawn (worker, NULL, NULL);
    cr_assert (pid > 0);
    char *argv[] = {RESTART, "--router", endpoint, "--kills", "2", NULL};
    tu_result_t res;
    long long start = tu_now_ms ();
    cr_assert_eq (tu_run (argv, NULL, NULL, 25000, &res), 0);
    cr_assert_eq (res.status, 1, "exit %d: %s", res.status, res.err);
    cr_assert (strstr (res.err, "no replacement of pid"), "stderr: %s",
               res.err);
    cr_assert_lt (tu_now_ms () - start, 20000);
    cr_assert_eq (tu_wait (pid, 5000), 128 + SIGKILL);
    tu_result_release (&res);
    tu_rmtree (dir);
    free (dir);
}

Test (bench_client, refuses_bad_arguments_and_missing_inputs, .timeout = 30)
{
    char *no_endpoint[] = {CLIENT, "examples/ringbuf", NULL};
    char *unknown[] = {CLIENT,    "--endpoint", "ipc:///nonexistent/front",
                       "--bogus", "x",          NULL};
    char *bad_count[] = {CLIENT, "--endpoint", "ipc:///x", "--count",
                         "-3",   "x",          NULL};
    char *const *usage[] = {no_endpoint, unknown, bad_count};
    for (size_t i = 0; i < 3; i++) {
        tu_result_t res;
        cr_assert_eq (tu_run (usage[i], NULL, NULL, 5000, &res), 0);
        cr_assert_eq (res.status, 2, "case %zu: exit %d", i, res.status);
        cr_assert_gt (strlen (res.err), 0);
        tu_result_release (&res);
    }
    //  A path that is not a project, and a supervisor that is not there:
    //  exit 1 with one line, within the timeout given.
    char *dir = tu_tmpdir ();
    char missing[600], endpoint[600];
    snprintf (missing, sizeof missing, "%s/no-such-project", dir);
    snprintf (endpoint, sizeof endpoint, "ipc://%s/front", dir);
    char *no_input[] = {CLIENT, "--endpoint", endpoint, missing, NULL};
    tu_result_t res;
    cr_assert_eq (tu_run (no_input, NULL, NULL, 5000, &res), 0);
    cr_assert_eq (res.status, 1);
    cr_assert (strstr (res.err, "no-such-project"), "stderr: %s", res.err);
    tu_result_release (&res);
    char *no_tree[] = {CLIENT, "--endpoint", endpoint, "--wait-ready",
                       "1",    "--timeout",  "300",    NULL};
    long long start = tu_now_ms ();
    cr_assert_eq (tu_run (no_tree, NULL, NULL, 10000, &res), 0);
    cr_assert_eq (res.status, 1);
    cr_assert (strstr (res.err, "ready workers"), "stderr: %s", res.err);
    cr_assert_lt (tu_now_ms () - start, 5000);
    tu_result_release (&res);
    tu_rmtree (dir);
    free (dir);
}
