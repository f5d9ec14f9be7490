/*  End to end: the real binaries on a temporary runtime folder. A tree is
    started with `up -d`, inspected with `status --json`, used by
    `generate`, and stopped with `down`; nothing may be left running.  */
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char *runtime;
    char *state;
    char env_runtime [512];
    char env_state [512];
    char *env [3];
} tree_t;

static void
s_tree_init (tree_t *self)
{
    self->runtime = tu_tmpdir ();
    self->state = tu_tmpdir ();
    snprintf (self->env_runtime, sizeof self->env_runtime, "README2CI_RUNTIME_DIR=%s",
              self->runtime);
    snprintf (self->env_state, sizeof self->env_state, "README2CI_STATE_DIR=%s", self->state);
    self->env [0] = self->env_runtime;
    self->env [1] = self->env_state;
    self->env [2] = NULL;
}

static void
s_tree_fini (tree_t *self)
{
    tu_rmtree (self->runtime);
    tu_rmtree (self->state);
    free (self->runtime);
    free (self->state);
}

//  Runs readme2ci with args (NULL-ended) in the tree's environment.
static int
s_cli (tree_t *self, tu_result_t *result, const char *arg, ...)
{
    char *argv [32];
    int argc = 0;
    argv [argc++] = (char *) tu_bin ("readme2ci");
    va_list args;
    va_start (args, arg);
    for (const char *a = arg; a && argc < 31; a = va_arg (args, const char *))
        argv [argc++] = (char *) a;
    va_end (args);
    argv [argc] = NULL;
    cr_assert_eq (tu_run (argv, self->env, NULL, 60000, result), 0);
    return result->status;
}

//  pids of every worker in a status document.
static size_t
s_worker_pids (const char *status, int *pids, size_t max, int *supervisor)
{
    json_error_t error;
    json_t *root = json_loads (status, 0, &error);
    cr_assert_not_null (root, "status is not JSON: %s\n%s", error.text, status);
    *supervisor = (int) json_integer_value (json_object_get (json_object_get (root, "supervisor"), "pid"));
    size_t count = 0, i, j;
    json_t *component, *worker;
    json_array_foreach (json_object_get (root, "components"), i, component) {
        cr_assert_eq (json_array_size (json_object_get (component, "workers")), 1,
                      "component %s has %zu workers", json_string_value (json_object_get (component, "name")),
                      json_array_size (json_object_get (component, "workers")));
        json_array_foreach (json_object_get (component, "workers"), j, worker)
            if (count < max)
                pids [count++] = (int) json_integer_value (json_object_get (worker, "pid"));
    }
    json_decref (root);
    return count;
}

static int
s_parent_of (int pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/stat", pid);
    char *stat = tu_read (path, NULL);
    if (!stat)
        return -1;
    const char *paren = strrchr (stat, ')');
    int ppid = -1;
    char state;
    if (paren)
        sscanf (paren + 2, "%c %d", &state, &ppid);
    free (stat);
    return ppid;
}

static char *
s_example (const char *name)
{
    char relative [128];
    snprintf (relative, sizeof relative, "examples/%s", name);
    return tu_src (relative);
}

Test (e2e, up_status_generate_down_leaves_nothing, .timeout = 120)
{
    tree_t tree;
    s_tree_init (&tree);
    tu_result_t r;
    cr_assert_eq (s_cli (&tree, &r, "up", "-d", NULL), 0, "up -d: %s", r.err);
    tu_result_release (&r);

    cr_assert_eq (s_cli (&tree, &r, "status", "--json", NULL), 0, "status: %s", r.err);
    int pids [8], supervisor = 0;
    size_t count = s_worker_pids (r.out, pids, 8, &supervisor);
    tu_result_release (&r);
    cr_assert_eq (count, 3, "expected one parser, detector and generator");
    cr_assert (tu_alive (supervisor));
    for (size_t i = 0; i < count; i++) {
        cr_assert (tu_alive (pids [i]), "worker %d is not running", pids [i]);
        cr_assert_eq (s_parent_of (pids [i]), supervisor,
                      "worker %d is not a child of the supervisor", pids [i]);
    }

    //  Through the tree and in-process: the same bytes.
    char *example = s_example ("todo-api");
    cr_assert_eq (s_cli (&tree, &r, "generate", example, NULL), 0, "generate: %s", r.err);
    char *through_tree = strdup (r.out);
    tu_result_release (&r);
    cr_assert_eq (s_cli (&tree, &r, "generate", "--inline", example, NULL), 0,
                  "generate --inline: %s", r.err);
    cr_assert_str_eq (r.out, through_tree);
    tu_result_release (&r);
    cr_assert (strstr (through_tree, "jobs:"), "no jobs in:\n%s", through_tree);
    cr_assert (strstr (through_tree, "pytest"), "the README's test command is missing:\n%s",
               through_tree);
    char *findings = NULL;
    int found = tu_actionlint (through_tree, &findings);
    if (found != TU_LINT_SKIPPED)
        cr_assert_eq (found, 0, "actionlint: %s", findings? findings: "could not run");
    free (findings);

    //  A worker killed outright is replaced, and work goes on.
    cr_assert_eq (kill (pids [0], SIGKILL), 0);
    cr_assert_eq (s_cli (&tree, &r, "generate", example, NULL), 0, "after a kill: %s", r.err);
    cr_assert_str_eq (r.out, through_tree);
    tu_result_release (&r);
    long long deadline = tu_now_ms () + 10000;
    int now_pids [8], now_supervisor;
    while (true) {
        cr_assert_eq (s_cli (&tree, &r, "status", "--json", NULL), 0);
        json_t *root = json_loads (r.out, 0, NULL);
        bool all_ready = true;
        size_t i;
        json_t *component;
        json_array_foreach (json_object_get (root, "components"), i, component)
            if (json_integer_value (json_object_get (component, "ready")) < 1)
                all_ready = false;
        json_decref (root);
        if (all_ready)
            break;
        tu_result_release (&r);
        cr_assert (tu_now_ms () < deadline, "the killed worker was not replaced");
    }
    s_worker_pids (r.out, now_pids, 8, &now_supervisor);
    tu_result_release (&r);
    cr_assert_eq (now_supervisor, supervisor);
    cr_assert_neq (now_pids [0], pids [0], "the killed worker still shows in status");

    cr_assert_eq (s_cli (&tree, &r, "down", NULL), 0, "down: %s", r.err);
    tu_result_release (&r);
    cr_assert_not (tu_alive (supervisor), "the supervisor is still running");
    for (size_t i = 0; i < count; i++) {
        cr_assert_not (tu_alive (pids [i]), "worker %d is still running", pids [i]);
        cr_assert_not (tu_alive (now_pids [i]), "worker %d is still running", now_pids [i]);
    }
    cr_assert_neq (s_cli (&tree, &r, "status", NULL), 0, "status answered after down");
    cr_assert (strstr (r.err, "no supervisor"), "%s", r.err);
    tu_result_release (&r);
    free (through_tree);
    free (example);
    s_tree_fini (&tree);
}

Test (e2e, generate_without_a_tree_starts_a_private_one, .timeout = 60)
{
    tree_t tree;
    s_tree_init (&tree);
    char *example = s_example ("ringbuf");
    tu_result_t r;
    cr_assert_eq (s_cli (&tree, &r, "generate", example, NULL), 0, "generate: %s", r.err);
    cr_assert (strstr (r.out, "ctest"), "no ctest step:\n%s", r.out);
    char *findings = NULL;
    int found = tu_actionlint (r.out, &findings);
    if (found != TU_LINT_SKIPPED)
        cr_assert_eq (found, 0, "actionlint: %s", findings);
    free (findings);
    tu_result_release (&r);
    //  The private tree answered on its own folder and is gone: the
    //  shared runtime folder holds no supervisor.
    cr_assert_neq (s_cli (&tree, &r, "status", NULL), 0);
    tu_result_release (&r);
    free (example);
    s_tree_fini (&tree);
}

Test (e2e, a_project_without_a_readme_is_read_from_its_build_files, .timeout = 60)
{
    tree_t tree;
    s_tree_init (&tree);
    char *project = tu_tmpdir ();
    tu_write (project, "go.mod", "module example.org/tally\n\ngo 1.22\n");
    tu_write (project, "tally.go", "package tally\n");
    tu_result_t r;
    cr_assert_eq (s_cli (&tree, &r, "generate", project, NULL), 0, "generate: %s", r.err);
    cr_assert (strstr (r.out, "go test"), "no go test step:\n%s", r.out);
    //  the user is told the workflow rests on build files alone
    cr_assert (strstr (r.err, "no README found"), "stderr: %s", r.err);
    tu_result_release (&r);
    tu_rmtree (project);
    free (project);
    s_tree_fini (&tree);
}

Test (e2e, many_paths_go_to_an_out_dir, .timeout = 60)
{
    tree_t tree;
    s_tree_init (&tree);
    char *a = s_example ("todo-api"), *b = s_example ("ringbuf");
    char *out = tu_tmpdir ();
    tu_result_t r;
    cr_assert_eq (s_cli (&tree, &r, "generate", "--out-dir", out, a, b, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    char path [1024];
    snprintf (path, sizeof path, "%s/todo-api.yml", out);
    char *first = tu_read (path, NULL);
    snprintf (path, sizeof path, "%s/ringbuf.yml", out);
    char *second = tu_read (path, NULL);
    cr_assert_not_null (first);
    cr_assert_not_null (second);
    cr_assert (strstr (first, "pytest"));
    cr_assert (strstr (second, "ctest"));
    free (first);
    free (second);
    tu_rmtree (out);
    free (out);
    free (a);
    free (b);
    s_tree_fini (&tree);
}

Test (e2e, bad_input_and_usage_give_clear_errors, .timeout = 30)
{
    tree_t tree;
    s_tree_init (&tree);
    tu_result_t r;
    cr_assert_eq (s_cli (&tree, &r, "generate", "--inline", "/nonexistent/project", NULL), 1);
    cr_assert (strstr (r.err, "/nonexistent/project"), "%s", r.err);
    cr_assert (strstr (r.err, "No such file"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (s_cli (&tree, &r, "generate", NULL), 2);
    cr_assert (strstr (r.err, "generate"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (s_cli (&tree, &r, "generate", "--target", "jenkins", ".", NULL), 2);
    cr_assert (strstr (r.err, "jenkins"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (s_cli (&tree, &r, "generate", "a", "b", NULL), 2);
    cr_assert (strstr (r.err, "--out-dir"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (s_cli (&tree, &r, "frobnicate", NULL), 2);
    tu_result_release (&r);
    cr_assert_eq (s_cli (&tree, &r, "generate", "--help", NULL), 0);
    cr_assert (strstr (r.out, "usage: readme2ci generate"), "%s", r.out);
    tu_result_release (&r);
    //  A README that is not UTF-8 is read as Latin-1, with a warning
    //  naming its path.
    char *dir = tu_tmpdir ();
    tu_write (dir, "README.md", "# caf\xe9\n\nLatin-1 text.\n");
    cr_assert_eq (s_cli (&tree, &r, "generate", "--inline", "--allow-no-tests", dir, NULL), 0);
    cr_assert (strstr (r.err, "README.md"), "%s", r.err);
    cr_assert (strstr (r.err, "UTF-8"), "%s", r.err);
    tu_result_release (&r);
    tu_rmtree (dir);
    free (dir);
    s_tree_fini (&tree);
}
