/*  Component operations under load (scale, update, restart, stop, deploy),
    a rolling update that cannot finish, admission with shedding, health,
    and operators' choices surviving a supervisor restart.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  Clients that run `generate` over and over until dir/STOP exists; any
//  failure is appended to dir/FAILS.
typedef struct {
    pid_t pids [4];
    char *dir;
} load_t;

static void
s_load_start (load_t *self, tree_t *tree, const char *dir, int clients)
{
    static const char *const kinds [] = { "python", "node", "rust", "go", "c" };
    self->dir = strdup (dir);
    char paths [2048] = "";
    size_t used = 0;
    for (int i = 0; i < 10; i++) {
        char name [16];
        snprintf (name, sizeof name, "load%d", i);
        char *path = tree_project (dir, name, kinds [i % 5], NULL);
        int n = snprintf (paths + used, sizeof paths - used, " '%s'", path);
        cr_assert (n > 0 && (size_t) n < sizeof paths - used);
        used += (size_t) n;
        free (path);
    }
    char script [4096];
    snprintf (script, sizeof script,
              "#!/bin/sh\n"
              "out=\"$1\"\n"
              "while [ ! -e '%s/STOP' ]; do\n"
              "  '%s' generate --out-dir \"$out\" %s 2>>'%s/FAILS.log' || echo fail >> '%s/FAILS'\n"
              "done\n", dir, tu_bin ("readme2ci"), paths, dir, dir);
    tu_write (dir, "load.sh", script);
    char path [1024];
    snprintf (path, sizeof path, "%s/load.sh", dir);
    chmod (path, 0755);
    for (int c = 0; c < clients; c++) {
        char out [1024];
        snprintf (out, sizeof out, "%s/out%d", dir, c);
        mkdir (out, 0700);
        char *argv [] = { path, out, NULL };
        self->pids [c] = tu_spawn (argv, tree->env, NULL);
        cr_assert_gt (self->pids [c], 0);
    }
}

//  Stops the clients and returns the failures they saw ("" for none).
static char *
s_load_stop (load_t *self, int clients)
{
    tu_write (self->dir, "STOP", "");
    for (int c = 0; c < clients; c++)
        cr_assert_eq (tu_wait (self->pids [c], 60000), 0, "load client did not stop");
    char path [1024];
    snprintf (path, sizeof path, "%s/FAILS.log", self->dir);
    char *fails = tu_read (path, NULL);
    snprintf (path, sizeof path, "%s/FAILS", self->dir);
    if (access (path, R_OK) == 0 && (!fails || !*fails)) {
        free (fails);
        fails = strdup ("a client failed without a message");
    }
    free (self->dir);
    return fails? fails: strdup ("");
}

static json_t *
s_component (json_t *status, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (status, "components"), i, c)
        if (strcmp (json_string_value (json_object_get (c, "name")), name) == 0)
            return c;
    return NULL;
}

//  Waits until the component has `ready` ready workers and no others.
static json_t *
s_wait_workers (tree_t *tree, const char *name, int ready)
{
    long long deadline = tu_now_ms () + 20000;
    while (true) {
        json_t *status = tree_status (tree);
        json_t *c = s_component (status, name);
        int live = (int) json_array_size (json_object_get (c, "workers"));
        if (json_integer_value (json_object_get (c, "ready")) == ready && live == ready)
            return status;
        json_decref (status);
        cr_assert_lt (tu_now_ms (), deadline, "%s never had %d workers", name, ready);
    }
}

static void
s_pids (json_t *status, const char *name, int *pids, size_t *count)
{
    json_t *c = s_component (status, name);
    size_t i;
    json_t *w;
    *count = 0;
    json_array_foreach (json_object_get (c, "workers"), i, w)
        pids [(*count)++] = (int) json_integer_value (json_object_get (w, "pid"));
}

Test (ops, scale_update_restart_under_load_fail_nothing, .timeout = 180)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    load_t load;
    s_load_start (&load, &tree, dir, 4);
    tu_result_t r;

    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", "3", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    json_t *status = s_wait_workers (&tree, "parser", 3);
    cr_assert_eq (json_integer_value (json_object_get (s_component (status, "parser"),
                                                       "desired")), 3);
    int before [8], after [8];
    size_t n_before, n_after;
    s_pids (status, "detector", before, &n_before);
    json_decref (status);

    cr_assert_eq (tree_cli (&tree, &r, "ctl", "update", "detector", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "done"), "%s", r.out);
    tu_result_release (&r);
    status = s_wait_workers (&tree, "detector", 1);
    s_pids (status, "detector", after, &n_after);
    cr_assert_neq (after [0], before [0], "the detector was not replaced");
    s_pids (status, "generator", before, &n_before);
    json_decref (status);

    cr_assert_eq (tree_cli (&tree, &r, "ctl", "restart", "generator", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    status = s_wait_workers (&tree, "generator", 1);
    s_pids (status, "generator", after, &n_after);
    cr_assert_neq (after [0], before [0], "the generator was not replaced");
    json_decref (status);

    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", "1", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    status = s_wait_workers (&tree, "parser", 1);
    cr_assert_eq (json_integer_value (json_object_get (s_component (status, "parser"),
                                                       "desired")), 1);
    json_t *workflows = json_object_get (status, "workflows");
    cr_assert_gt (json_integer_value (json_object_get (workflows, "completed")), 0);
    cr_assert_eq (json_integer_value (json_object_get (workflows, "failed")), 0);
    json_decref (status);

    char *fails = s_load_stop (&load, 4);
    cr_assert_str_eq (fails, "", "workflows failed under the operations:\n%s", fails);
    free (fails);
    //  Operators' choices outlive the supervisor: scale survives a restart.
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", "2", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_up (&tree);
    status = s_wait_workers (&tree, "parser", 2);
    json_decref (status);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
}

Test (ops, an_update_that_cannot_start_keeps_the_old_workers, .timeout = 120)
{
    char *dir = tu_tmpdir ();
    tu_write (dir, "never-ready", "#!/bin/sh\nexec sleep 1000\n");
    char command [1024];
    snprintf (command, sizeof command, "%s/never-ready", dir);
    chmod (command, 0755);
    tree_t tree;
    tree_init (&tree, "restart:\n  start_timeout: 1s\n", NULL);
    tree_up (&tree);
    json_t *status = s_wait_workers (&tree, "detector", 1);
    int before [4], after [4];
    size_t n_before, n_after;
    s_pids (status, "detector", before, &n_before);
    json_decref (status);
    load_t load;
    s_load_start (&load, &tree, dir, 2);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "update", "detector", "--command", command, NULL),
                  3, "%s%s", r.out, r.err);
    cr_assert (strstr (r.err, "never-ready"), "%s", r.err);
    cr_assert (strstr (r.err, "old workers stay"), "%s", r.err);
    tu_result_release (&r);
    char *fails = s_load_stop (&load, 2);
    cr_assert_str_eq (fails, "", "workflows failed during the update:\n%s", fails);
    free (fails);
    status = s_wait_workers (&tree, "detector", 1);
    s_pids (status, "detector", after, &n_after);
    cr_assert_eq (after [0], before [0], "the old detector did not stay");
    cr_assert (strstr (json_string_value (json_object_get (s_component (status, "detector"),
                                                          "command")), "readme2ci-detector"));
    json_decref (status);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
}

Test (ops, a_full_queue_sheds_low_work_for_critical, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, "queue:\n  capacity: 10\n", NULL);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    tu_result_t r;
    //  With the parser stopped, work waits in the queue.
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "stop", "parser", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "go", NULL);
    pid_t low [14], critical [4];
    char log [1024];
    for (int i = 0; i < 14; i++) {
        snprintf (log, sizeof log, "%s/low%d.log", dir, i);
        char *argv [] = { (char *) tu_bin ("readme2ci"), "generate", "--priority", "low",
                          project, NULL };
        low [i] = tu_spawn (argv, tree.env, log);
    }
    //  Ten fit; four are refused, shed as they come (no higher than what
    //  is queued): each refusal is a system.overload and a workflow.shed.
    int queued = 0, overloads = 0, shed = 0;
    while (queued < 10 || shed < 4) {
        json_t *event = tree_events_next (events, 10000);
        cr_assert_not_null (event, "%d queued, %d shed of 14 low submissions", queued, shed);
        const char *type = json_string_value (json_object_get (event, "type"));
        queued += strcmp (type, "workflow.queued") == 0;
        overloads += strcmp (type, "system.overload") == 0;
        shed += strcmp (type, "workflow.shed") == 0;
        json_decref (event);
    }
    cr_assert_eq (queued, 10);
    cr_assert_eq (overloads, 4);
    for (int i = 0; i < 4; i++) {
        snprintf (log, sizeof log, "%s/critical%d.log", dir, i);
        char *argv [] = { (char *) tu_bin ("readme2ci"), "generate", "--priority", "critical",
                          project, NULL };
        critical [i] = tu_spawn (argv, tree.env, log);
    }
    //  Each critical one sheds a queued low one.
    while (shed < 8) {
        json_t *event = tree_events_wait (events, "workflow.shed", NULL, 10000);
        cr_assert_not_null (event, "only %d shed", shed);
        cr_assert_eq (json_integer_value (json_object_get (event, "priority")), 100);
        json_decref (event);
        shed++;
    }
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "deploy", "parser", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    for (int i = 0; i < 4; i++)
        cr_assert_eq (tu_wait (critical [i], 60000), 0, "critical %d failed", i);
    int ok = 0, overloaded = 0;
    for (int i = 0; i < 14; i++) {
        int status = tu_wait (low [i], 60000);
        if (status != 0 && status != 3) {
            snprintf (log, sizeof log, "%s/low%d.log", dir, i);
            char *text = tu_read (log, NULL);
            cr_assert_fail ("low %d exited %d: %s", i, status, text);
        }
        ok += status == 0;
        overloaded += status == 3;
        snprintf (log, sizeof log, "%s/low%d.log", dir, i);
        char *text = tu_read (log, NULL);
        if (status == 3)
            cr_assert (strstr (text, "overloaded"), "%s", text);
        free (text);
    }
    cr_assert_eq (ok, 6, "%d low workflows completed, %d overloaded", ok, overloaded);
    cr_assert_eq (overloaded, 8);
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (ops, health_says_what_is_wrong, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "health", NULL), 2);
    cr_assert (strstr (r.out, "down"), "%s", r.out);
    tu_result_release (&r);
    tree_up (&tree);
    cr_assert_eq (tree_cli (&tree, &r, "health", NULL), 0, "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "stop", "detector", NULL), 0);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "health", "--json", NULL), 1, "%s", r.out);
    cr_assert (strstr (r.out, "detector is stopped"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "stop", "parser", NULL), 0);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "health", NULL), 2, "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "nosuch", "2", NULL), 2);
    cr_assert (strstr (r.err, "nosuch"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", "many", NULL), 2);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
}
