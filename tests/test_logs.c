/*  Tests for shared/logcap and `readme2ci logs`: workers' stderr is
    captured into bounded, rotated files; `logs` reads them (by component,
    by pid, as JSON, following); `status` says why a component went FATAL;
    workers on other hosts are named as such; the size keys are checked.  */
#include "common/config.h"
#include "shared/logcap.h"
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

static long long
s_size (const char *dir, const char *name)
{
    char path [1024];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat (path, &st) == 0? (long long) st.st_size: -1;
}

Test (logs, files_are_rotated_at_the_bound_and_only_max_files_kept)
{
    char *dir = tu_tmpdir ();
    logcap_t *logs = logcap_new (dir, 4096, 3);
    cr_assert_not_null (logs);
    char line [128];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf (line, sizeof line, "line %04d %s", i,
                          "...................................................");
        cr_assert_eq (logcap_write (logs, "parser", 42, line, (size_t) n,
                                    1700000000000ULL + (uint64_t) i), 0);
    }
    cr_assert_leq (s_size (dir, "parser.log"), 4096);
    cr_assert_gt (s_size (dir, "parser.log.1"), 3000);
    cr_assert_leq (s_size (dir, "parser.log.1"), 4096);
    cr_assert_gt (s_size (dir, "parser.log.2"), 0);
    cr_assert_eq (s_size (dir, "parser.log.3"), -1, "more files than max_files");
    //  Stamped, in order, nothing lost between the current file and the
    //  one before it.
    char path [1024];
    snprintf (path, sizeof path, "%s/parser.log", dir);
    char *current = tu_read (path, NULL);
    snprintf (path, sizeof path, "%s/parser.log.1", dir);
    char *before = tu_read (path, NULL);
    cr_assert (strstr (current, "line 0999"), "%s", current);
    int first = -1, last = -1;
    cr_assert_eq (sscanf (strstr (current, "[42] line ") + 10, "%d", &first), 1);
    const char *tail = before + strlen (before) - 2;
    while (tail > before && tail [-1] != '\n')
        tail--;
    cr_assert_eq (sscanf (strstr (tail, "[42] line ") + 10, "%d", &last), 1);
    cr_assert_eq (first, last + 1, "lines lost at the rotation: %d then %d", last, first);
    cr_assert (strncmp (current, "2023-11-14T22:13:", 17) == 0, "%s", current);
    free (current);
    free (before);
    //  A lower bound (a reload) drops the files beyond it at the next
    //  rotation.
    logcap_set_limits (logs, 4096, 1);
    for (int i = 0; i < 100; i++)
        cr_assert_eq (logcap_write (logs, "parser", 42, line, strlen (line), 0), 0);
    cr_assert_eq (s_size (dir, "parser.log.1"), -1);
    cr_assert_eq (s_size (dir, "parser.log.2"), -1);
    cr_assert_leq (s_size (dir, "parser.log"), 4096);
    logcap_destroy (&logs);
    cr_assert_null (logs);
    logcap_destroy (&logs);
    tu_rmtree (dir);
    free (dir);
}

Test (logs, a_pipe_gives_stamped_lines_and_keeps_the_last_one)
{
    char *dir = tu_tmpdir ();
    logcap_t *logs = logcap_new (dir, 1 << 20, 2);
    int child = -1;
    int fd = logcap_open (logs, "detector", &child);
    cr_assert_geq (fd, 0);
    cr_assert_geq (child, 0);
    logcap_set_pid (logs, fd, 777);
    const char *text = "first line\nsecond ";
    cr_assert_eq (write (child, text, strlen (text)), (ssize_t) strlen (text));
    cr_assert_eq (logcap_read (logs, fd), 0);
    cr_assert_str_eq (logcap_last_line (logs, fd), "first line");
    cr_assert_eq (write (child, "half\n", 5), 5);
    close (child);
    cr_assert_eq (logcap_read (logs, fd), 1, "the end of the pipe is seen");
    cr_assert_str_eq (logcap_last_line (logs, fd), "second half");
    logcap_close (logs, fd);
    cr_assert_eq (logcap_read (logs, fd), -1);
    char path [1024];
    snprintf (path, sizeof path, "%s/detector.log", dir);
    char *stored = tu_read (path, NULL);
    cr_assert (strstr (stored, "Z [777] first line\n"), "%s", stored);
    cr_assert (strstr (stored, "Z [777] second half\n"), "%s", stored);
    free (stored);
    logcap_destroy (&logs);
    tu_rmtree (dir);
    free (dir);
}

Test (logs, the_size_keys_are_checked_like_the_others)
{
    config_t config;
    config_errors_t errors = { 0 };
    const char *bad = "log:\n  max_size: 100\n  max_files: 0\n";
    cr_assert_eq (config_parse ("r.yml", bad, strlen (bad), &config, &errors), -1);
    cr_assert_eq (errors.count, 2);
    cr_assert (strstr (errors.items [0].text, "r.yml:2:"), "%s", errors.items [0].text);
    cr_assert (strstr (errors.items [1].text, "r.yml:3:"), "%s", errors.items [1].text);
    config_errors_release (&errors);
    config_release (&config);
    const char *good = "log: {max_size: 2MiB, max_files: 7}\n";
    cr_assert_eq (config_parse ("r.yml", good, strlen (good), &config, NULL), 0);
    cr_assert_eq (config.log.max_size, 2u << 20);
    cr_assert_eq (config.log.max_files, 7);
    config_release (&config);
    config_defaults (&config);
    cr_assert_eq (config.log.max_size, 1u << 20);
    cr_assert_eq (config.log.max_files, 4);
}

//  A parser that says why it cannot start, on stderr, and exits 3.
static char *
s_bad_parser (const char *dir, const char *noise)
{
    char text [512];
    snprintf (text, sizeof text,
              "#!/bin/sh\n%s"
              "echo \"bad-parser: cannot open /nonexistent/model\" >&2\nexit 3\n", noise);
    tu_write (dir, "bad-parser", text);
    char *path;
    cr_assert (asprintf (&path, "%s/bad-parser", dir) > 0);
    chmod (path, 0755);
    return path;
}

//  Waits until the component is FATAL; returns the status document.
static json_t *
s_await_fatal (tree_t *tree, const char *name)
{
    tree_events_t *events = tree_events_new (tree);
    json_t *status = tree_status (tree);
    long long deadline = tu_now_ms () + 30000;
    while (status) {
        json_t *component = json_array_get (json_object_get (status, "components"), 0);
        if (strcmp (json_string_value (json_object_get (component, "name")), name) == 0
        &&  strcmp (json_string_value (json_object_get (component, "state")), "fatal") == 0)
            break;
        json_decref (status);
        cr_assert_lt (tu_now_ms (), deadline, "%s never went FATAL", name);
        json_decref (tree_events_wait (events, "component.failure", name, 1000));
        status = tree_status (tree);
    }
    tree_events_destroy (&events);
    cr_assert_not_null (status);
    return status;
}

Test (logs, status_says_why_a_component_went_fatal_and_logs_has_its_words, .timeout = 120)
{
    char *bin = tu_tmpdir ();
    char *parser = s_bad_parser (bin, "echo \"bad-parser: starting\" >&2\n");
    char config [1024];
    snprintf (config, sizeof config,
              "components:\n  parser: {workers: 1, command: %s}\n"
              "restart: {backoff_initial: 10ms, backoff_max: 20ms}\n", parser);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_start (&tree);
    json_t *status = s_await_fatal (&tree, "parser");
    json_t *component = json_array_get (json_object_get (status, "components"), 0);
    json_t *exits = json_object_get (component, "exits");
    cr_assert_geq (json_array_size (exits), 1);
    json_t *last = json_array_get (exits, 0);
    cr_assert_eq (json_integer_value (json_object_get (last, "status")), 3);
    cr_assert (json_is_false (json_object_get (last, "was_ready")));
    cr_assert_str_eq (json_string_value (json_object_get (last, "last_line")),
                      "bad-parser: cannot open /nonexistent/model");
    cr_assert_not_null (json_object_get (last, "time"));
    int gone = (int) json_integer_value (json_object_get (last, "pid"));
    cr_assert_gt (gone, 0);
    json_decref (status);

    tu_result_t r;
    tree_cli (&tree, &r, "status", NULL);
    cr_assert (strstr (r.out, "last exits"), "%s", r.out);
    cr_assert (strstr (r.out, "exit status 3, before it was ready: bad-parser: cannot open "
                              "/nonexistent/model"), "%s", r.out);
    tu_result_release (&r);

    //  The component's log, by name and by the pid of a worker now gone.
    cr_assert_eq (tree_cli (&tree, &r, "logs", "parser", "-n", "2", NULL), 0, "%s", r.err);
    char tag [64];
    snprintf (tag, sizeof tag, "[%d] bad-parser: cannot open /nonexistent/model\n", gone);
    cr_assert (strstr (r.out, tag), "%s", r.out);
    cr_assert_eq (strchr (strchr (r.out, '\n') + 1, '\n') [1], '\0', "not 2 lines: %s", r.out);
    tu_result_release (&r);
    char pid [16];
    snprintf (pid, sizeof pid, "%d", gone);
    cr_assert_eq (tree_cli (&tree, &r, "logs", pid, "--json", NULL), 0, "%s", r.err);
    json_t *first = json_loads (r.out, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert_not_null (first, "%s", r.out);
    cr_assert_str_eq (json_string_value (json_object_get (first, "log")), "parser");
    cr_assert_eq (json_integer_value (json_object_get (first, "pid")), gone);
    cr_assert_str_eq (json_string_value (json_object_get (first, "line")), "bad-parser: starting");
    json_decref (first);
    cr_assert_null (strstr (r.out, "\"pid\":1,"), "another pid's line: %s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "logs", "pasrer", NULL), 2, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "logs", "2000000", NULL), 1, "%s", r.err);
    cr_assert (strstr (r.err, "no worker with pid 2000000"), "%s", r.err);
    tu_result_release (&r);
    //  --help never acts, whatever comes with it.
    cr_assert_eq (tree_cli (&tree, &r, "logs", "-f", "--help", NULL), 0);
    cr_assert (strstr (r.out, "usage: readme2ci logs"), "%s", r.out);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (bin);
    free (bin);
    free (parser);
}

Test (logs, a_noisy_worker_stays_within_the_bound, .timeout = 120)
{
    char *bin = tu_tmpdir ();
    //  200 KB of stderr per start, and the component restarts 6 times.
    char *parser = s_bad_parser (bin, "i=0; while [ $i -lt 2000 ]; do echo \"noise $i "
                                      "..........................................................."
                                      "...............\" >&2; i=$((i+1)); done\n");
    char config [1024];
    snprintf (config, sizeof config,
              "components:\n  parser: {workers: 1, command: %s}\n"
              "restart: {backoff_initial: 10ms, backoff_max: 20ms}\n"
              "log: {max_size: 8KiB, max_files: 2}\n", parser);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_start (&tree);
    json_decref (s_await_fatal (&tree, "parser"));
    char logs [1024];
    snprintf (logs, sizeof logs, "%s/logs", tree.state);
    cr_assert_leq (s_size (logs, "parser.log"), 8192);
    cr_assert_leq (s_size (logs, "parser.log.1"), 8192);
    cr_assert_gt (s_size (logs, "parser.log.1"), 0);
    cr_assert_eq (s_size (logs, "parser.log.2"), -1);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "logs", "parser", "-n", "1", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "bad-parser: cannot open"), "%s", r.out);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (bin);
    free (bin);
    free (parser);
}

Test (logs, follow_prints_new_lines_and_a_detached_supervisor_log_is_bounded, .timeout = 120)
{
    char *bin = tu_tmpdir ();
    char *parser = s_bad_parser (bin, "");
    char config [1024];
    snprintf (config, sizeof config,
              "components:\n  parser: {workers: 1, command: %s}\n"
              "restart: {backoff_initial: 10ms, backoff_max: 20ms, intensity: 1000, "
              "period: 1s}\n"
              "log: {max_size: 4KiB, max_files: 2, level: debug}\n", parser);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tu_result_t r;
    //  up -d: the parser never gets ready, so up says so (exit 3) but the
    //  supervisor stays up, restarting it.
    tree_cli (&tree, &r, "up", "-d", "-c", tree.config, NULL);
    tu_result_release (&r);
    char path [1024];
    snprintf (path, sizeof path, "%s/supervisor.pid", tree.runtime);
    char *pid_text = tu_read (path, NULL);
    cr_assert_not_null (pid_text);
    tree.supervisor = (pid_t) strtol (pid_text, NULL, 10);
    free (pid_text);
    //  Follow the parser's log from now on.
    char out [1024];
    snprintf (out, sizeof out, "%s/follow.out", bin);
    char *argv [] = { (char *) tu_bin ("readme2ci"), "logs", "parser", "-f", "-n", "0", NULL };
    pid_t follower = tu_spawn (argv, tree.env, out);
    cr_assert_gt (follower, 0);
    char logs [1024];
    snprintf (logs, sizeof logs, "%s/logs", tree.state);
    long long deadline = tu_now_ms () + 60000;
    bool followed = false, rotated = false;
    while (tu_now_ms () < deadline && !(followed && rotated)) {
        char *text = tu_read (out, NULL);
        followed = text && strstr (text, "] bad-parser: cannot open /nonexistent/model");
        free (text);
        //  At debug level every restart is a few lines of the
        //  supervisor's own log: it passes 4 KiB, is rotated and no
        //  third file is kept.
        rotated = s_size (logs, "supervisor.log.1") > 0;
        usleep (50 * 1000);
    }
    kill (follower, SIGTERM);
    tu_wait (follower, 5000);
    cr_assert (followed, "logs -f printed no new line");
    cr_assert (rotated, "the supervisor's own log was not rotated");
    cr_assert_eq (s_size (logs, "supervisor.log.2"), -1);
    cr_assert_leq (s_size (logs, "supervisor.log.1"), 64 * 1024);
    cr_assert_eq (tree_cli (&tree, &r, "logs", "supervisor", "-n", "1", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "readme2ci-supervisor"), "%s", r.out);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (bin);
    free (bin);
    free (parser);
}

Test (logs, a_remote_workers_log_is_said_to_be_on_its_host, .timeout = 120)
{
    char endpoint [64], config [512];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", tu_free_port ());
    snprintf (config, sizeof config, "listen: {workers: %s}\nsecurity: {insecure: true}\n"
              "components:\n  parser: {workers: 0}\n", endpoint);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_start (&tree);
    tree_events_t *events = tree_events_new (&tree);
    char *argv [] = { (char *) tu_bin ("readme2ci-parser"), "--connect", endpoint, NULL };
    pid_t worker = tu_spawn (argv, NULL, NULL);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 20000);
    cr_assert_not_null (ready, "the remote parser did not join");
    json_decref (ready);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "logs", "parser", NULL), 0, "%s", r.err);
    char said [128];
    snprintf (said, sizeof said, "parser pid %d on ", (int) worker);
    cr_assert (strstr (r.err, said), "%s", r.err);
    cr_assert (strstr (r.err, "writes its log on its own host"), "%s", r.err);
    tu_result_release (&r);
    char pid [16];
    snprintf (pid, sizeof pid, "%d", (int) worker);
    cr_assert_eq (tree_cli (&tree, &r, "logs", pid, NULL), 3, "%s", r.err);
    cr_assert (strstr (r.err, "on its own host"), "%s", r.err);
    tu_result_release (&r);
    kill (worker, SIGTERM);
    tu_wait (worker, 5000);
    tree_events_destroy (&events);
    tree_fini (&tree);
}
