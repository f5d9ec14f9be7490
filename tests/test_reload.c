/*  Configuration while the tree runs: reload under load, invalid edits
    that change nothing, rules overlays reaching local and remote workers,
    settings that apply live and those that need a restart, config check
    and show.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int
s_parser_count (tree_t *tree)
{
    json_t *status = tree_status (tree);
    json_t *parser = json_array_get (json_object_get (status, "components"), 0);
    int ready = (int) json_integer_value (json_object_get (parser, "ready"));
    int live = (int) json_array_size (json_object_get (parser, "workers"));
    json_decref (status);
    return ready == live? ready: -1;
}

Test (reload, parser_count_follows_the_file_under_load_and_bad_edits_change_nothing,
      .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, "components:\n  parser: {workers: 1}\n", NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    //  4 clients generating in a loop until STOP appears.
    char *project = tree_project (dir, "demo", "python", NULL);
    char script [2048];
    snprintf (script, sizeof script,
              "#!/bin/sh\nwhile [ ! -e '%s/STOP' ]; do\n"
              "  '%s' generate '%s' >/dev/null 2>>'%s/FAILS' || echo failed >> '%s/FAILS'\n"
              "done\n", dir, tu_bin ("readme2ci"), project, dir, dir);
    tu_write (dir, "load.sh", script);
    char path [1024];
    snprintf (path, sizeof path, "%s/load.sh", dir);
    chmod (path, 0755);
    pid_t clients [4];
    for (int i = 0; i < 4; i++) {
        char *argv [] = { path, NULL };
        clients [i] = tu_spawn (argv, tree.env, NULL);
    }
    tu_write (tree.state, "readme2ci.yml", "components:\n  parser: {workers: 3}\n");
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s%s", r.out, r.err);
    cr_assert (strstr (r.out, "components.parser.workers"), "%s", r.out);
    tu_result_release (&r);
    long long deadline = tu_now_ms () + 15000;
    while (s_parser_count (&tree) != 3)
        cr_assert_lt (tu_now_ms (), deadline, "never 3 parsers");

    //  An invalid edit: the error names line and column; nothing changes.
    tu_write (tree.state, "readme2ci.yml", "components:\n  parser: {workers: many}\n");
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 1, "%s", r.out);
    cr_assert (strstr (r.err, "readme2ci.yml:2:"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (s_parser_count (&tree), 3);

    tu_write (dir, "STOP", "");
    for (int i = 0; i < 4; i++)
        cr_assert_eq (tu_wait (clients [i], 60000), 0);
    snprintf (path, sizeof path, "%s/FAILS", dir);
    char *fails = tu_read (path, NULL);
    cr_assert (!fails || !*fails, "workflows failed during the reload:\n%s", fails);
    free (fails);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (reload, an_overlay_reaches_local_and_remote_workers, .timeout = 120)
{
    int port = tu_free_port ();
    char config [512];
    snprintf (config, sizeof config, "listen:\n  workers: tcp://127.0.0.1:%d\n"
              "security:\n  insecure: true\n", port);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    char *argv [] = { (char *) tu_bin ("readme2ci-generator"), "--connect", endpoint, NULL };
    pid_t remote = tu_spawn (argv, NULL, NULL);
    json_t *ready = tree_events_wait (events, "worker.ready", "generator", 10000);
    cr_assert_not_null (ready, "the remote generator did not join");
    json_decref (ready);

    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "node", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    cr_assert_null (strstr (r.out, "actions/checkout@v99"), "%s", r.out);
    tu_result_release (&r);

    tu_write (tree.state, "rules.yml", "actions:\n  actions/checkout: v99\n");
    char edited [1024];
    snprintf (edited, sizeof edited, "%s\nrules: [rules.yml]\n", config);
    tu_write (tree.state, "readme2ci.yml", edited);
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "rules"), "%s", r.out);
    tu_result_release (&r);
    //  Both generators serve: every workflow from now on uses the overlay.
    char *out = tu_tmpdir ();
    char *paths [12];
    for (int i = 0; i < 12; i++) {
        char name [16];
        snprintf (name, sizeof name, "p%02d", i);
        paths [i] = tree_project (dir, name, "node", NULL);
    }
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--out-dir", out, paths [0], paths [1],
                            paths [2], paths [3], paths [4], paths [5], paths [6], paths [7],
                            paths [8], paths [9], paths [10], paths [11], NULL), 0, "%s", r.err);
    tu_result_release (&r);
    for (int i = 0; i < 12; i++) {
        char file [1024];
        snprintf (file, sizeof file, "%s/p%02d.yml", out, i);
        char *text = tu_read (file, NULL);
        cr_assert_not_null (text);
        cr_assert (strstr (text, "actions/checkout@v99"), "p%02d ignores the overlay:\n%s", i,
                   text);
        free (text);
        free (paths [i]);
    }
    //  A broken overlay is refused whole, naming the file.
    tu_write (tree.state, "rules.yml", "actions: [\n");
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 1);
    cr_assert (strstr (r.err, "rules.yml"), "%s", r.err);
    tu_result_release (&r);
    kill (remote, SIGKILL);
    tu_wait (remote, 5000);
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    tu_rmtree (out);
    free (dir);
    free (out);
    free (project);
}

Test (reload, live_settings_apply_and_endpoints_need_a_restart, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, "queue:\n  capacity: 100\n", NULL);
    tree_up (&tree);
    tu_write (tree.state, "readme2ci.yml",
              "queue:\n  capacity: 500\nretry:\n  attempts: 5\nbreaker:\n  failures: 9\n"
              "restart:\n  intensity: 7\njournal:\n  fsync: always\n"
              "listen:\n  clients: tcp://127.0.0.1:7999\nsecurity:\n  insecure: true\n");
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s", r.err);
    const char *live [] = { "queue.capacity", "retry.attempts", "breaker.failures",
                            "restart.intensity", "journal.fsync" };
    for (size_t i = 0; i < 5; i++)
        cr_assert (strstr (r.out, live [i]), "%s not applied:\n%s", live [i], r.out);
    cr_assert (strstr (r.out, "needs a restart: listen.clients"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "config", "show", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "capacity: 500"), "%s", r.out);
    cr_assert (strstr (r.out, "attempts: 5"), "%s", r.out);
    //  The endpoint stays as it runs; the file's new one is only marked.
    cr_assert (strstr (r.out, "  clients: \"\"   # the file says: \"tcp://127.0.0.1:7999\"\n"),
               "an endpoint changed live:\n%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);

    //  Without a config file there is nothing to reload.
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 2);
    cr_assert (strstr (r.err, "without a config file"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
}

Test (reload, config_check_validates_files_and_overlays, .timeout = 30)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *dir = tu_tmpdir ();
    tu_write (dir, "good.yml", "components:\n  parser: {workers: 2}\nrules: [mine.yml]\n");
    tu_write (dir, "mine.yml", "actions:\n  actions/checkout: v5\n");
    tu_write (dir, "bad.yml", "components:\n  parser: {wokers: 2}\n");
    tu_write (dir, "badrules.yml", "rules: [broken.yml]\n");
    tu_write (dir, "broken.yml", "actions: {\n");
    char path [1024];
    tu_result_t r;
    snprintf (path, sizeof path, "%s/good.yml", dir);
    cr_assert_eq (tree_cli (&tree, &r, "config", "check", path, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "config", "show", path, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "workers: 2"), "%s", r.out);
    tu_result_release (&r);
    snprintf (path, sizeof path, "%s/bad.yml", dir);
    cr_assert_eq (tree_cli (&tree, &r, "config", "check", path, NULL), 1);
    cr_assert (strstr (r.err, "bad.yml:2:"), "%s", r.err);
    cr_assert (strstr (r.err, "workers"), "no suggestion: %s", r.err);
    tu_result_release (&r);
    snprintf (path, sizeof path, "%s/badrules.yml", dir);
    cr_assert_eq (tree_cli (&tree, &r, "config", "check", path, NULL), 1);
    cr_assert (strstr (r.err, "broken.yml"), "%s", r.err);
    cr_assert (strstr (r.err, "line"), "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
}

Test (reload, a_new_command_rolls_out_worker_by_worker, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, "components:\n  detector: {workers: 2}\n", NULL);
    tree_up (&tree);
    //  The "new build": the same program under another name.
    char command [1024];
    snprintf (command, sizeof command, "%s/detector-v2", tree.state);
    cr_assert_eq (symlink (tu_bin ("readme2ci-detector"), command), 0);
    char config [2048];
    snprintf (config, sizeof config, "components:\n  detector: {workers: 2, command: %s}\n",
              command);
    tu_write (tree.state, "readme2ci.yml", config);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "rolling update"), "%s", r.out);
    tu_result_release (&r);
    long long deadline = tu_now_ms () + 20000;
    while (true) {
        json_t *status = tree_status (&tree);
        json_t *detector = json_array_get (json_object_get (status, "components"), 1);
        const char *now = json_string_value (json_object_get (detector, "command"));
        bool done = now && strcmp (now, command) == 0
                 && json_integer_value (json_object_get (detector, "ready")) == 2
                 && json_array_size (json_object_get (detector, "workers")) == 2
                 && !json_object_get (detector, "operation");
        json_decref (status);
        if (done)
            break;
        cr_assert_lt (tu_now_ms (), deadline, "the update never finished");
    }
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
}
