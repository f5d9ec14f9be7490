/*  tests/test_observe.c - the supervisor's metrics scraped over HTTP with
    curl while it runs workflows, and its systemd notifications, started
    as scripts/readme2ci.service starts it, on a fake NOTIFY_SOCKET.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <czmq.h>

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

//  GET /metrics with curl; the body, "" when it failed (caller frees).
static char *
s_scrape (int port)
{
    char url [64];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/metrics", port);
    char *argv [] = { "/usr/bin/curl", "--silent", "--show-error", "--fail",
                      "--max-time", "5", url, NULL };
    tu_result_t r;
    //  Expectations only: the caller's tree is stopped whatever happens.
    if (tu_run (argv, NULL, NULL, 10000, &r)) {
        cr_expect_fail ("cannot run curl");
        return strdup ("");
    }
    cr_expect_eq (r.status, 0, "curl: %s", r.err);
    char *body = strdup (r.status == 0? r.out: "");
    tu_result_release (&r);
    return body;
}

//  The value of the series written exactly as series ("name{labels}"),
//  or -1 when the scrape has no such line.
static double
s_value (const char *text, const char *series)
{
    size_t length = strlen (series);
    for (const char *line = text; line && *line; line = strchr (line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp (line, series, length) == 0 && line [length] == ' ')
            return strtod (line + length + 1, NULL);
    }
    return -1;
}

Test (observe, scraped_counters_move_with_the_workflows, .timeout = 90)
{
    if (access ("/usr/bin/curl", X_OK))
        cr_skip_test ("no curl here");
    int port = tu_free_port ();
    char config [128];
    snprintf (config, sizeof config, "metrics: 127.0.0.1:%d\n", port);
    //  Inputs holding the marker crash the parser: three crashes refuse
    //  the workflow (failed) and each crash is a restart.
    char *env [] = { "R2CI_TEST_FAULT=crash:parser:OBSERVE-POISON", NULL };
    tree_t tree;
    tree_init (&tree, config, env);
    tree_up (&tree);

    char *before = s_scrape (port);
    cr_expect_eq (s_value (before, "readme2ci_up"), 1);
    cr_expect_eq (s_value (before,
        "readme2ci_workflows_total{outcome=\"completed\",priority=\"normal\"}"), 0);
    cr_expect_eq (s_value (before, "readme2ci_workers{component=\"parser\",state=\"ready\"}"), 1);
    cr_expect_eq (s_value (before, "readme2ci_breaker_state{component=\"detector\"}"), 0);
    cr_expect_eq (s_value (before, "readme2ci_queue_depth{priority=\"normal\"}"), 0);
    double bytes_before = s_value (before, "readme2ci_journal_bytes_total");
    cr_expect_gt (bytes_before, 0, "the start events were journaled");

    char *dir = tu_tmpdir ();
    char *out = tu_tmpdir ();
    char *a = tree_project (dir, "alpha", "go", NULL);
    char *b = tree_project (dir, "beta", "node", NULL);
    char *c = tree_project (dir, "gamma", "rust", NULL);
    char *poison = tree_project (dir, "poison", "python", "OBSERVE-POISON\n");
    tu_result_t r;
    cr_expect_eq (tree_cli (&tree, &r, "generate", "--out-dir", out, a, b, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_expect_eq (tree_cli (&tree, &r, "generate", "--priority", "high", "-o",
                            "/dev/null", c, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_expect_eq (tree_cli (&tree, &r, "generate", "--priority", "low", poison, NULL), 1,
                  "%s", r.err);
    tu_result_release (&r);

    char *after = s_scrape (port);
    cr_expect_eq (s_value (after,
        "readme2ci_workflows_total{outcome=\"completed\",priority=\"normal\"}"), 2, "%s", after);
    cr_expect_eq (s_value (after,
        "readme2ci_workflows_total{outcome=\"completed\",priority=\"high\"}"), 1);
    cr_expect_eq (s_value (after,
        "readme2ci_workflows_total{outcome=\"failed\",priority=\"low\"}"), 1);
    cr_expect_eq (s_value (after,
        "readme2ci_workflows_total{outcome=\"failed\",priority=\"normal\"}"), 0);
    //  Three good workflows went through every step; the poison one only
    //  reached the parser, whose results never came.
    cr_expect_eq (s_value (after,
        "readme2ci_step_duration_seconds_count{component=\"detector\"}"), 3);
    cr_expect_eq (s_value (after,
        "readme2ci_step_duration_seconds_count{component=\"generator\"}"), 3);
    cr_expect_eq (s_value (after,
        "readme2ci_step_duration_seconds_bucket{component=\"parser\",le=\"+Inf\"}"), 3);
    cr_expect_gt (s_value (after, "readme2ci_step_duration_seconds_sum{component=\"parser\"}"), 0);
    cr_expect_eq (s_value (after, "readme2ci_worker_restarts_total{component=\"parser\"}"), 3,
                  "%s", after);
    cr_expect_eq (s_value (after, "readme2ci_worker_restarts_total{component=\"detector\"}"), 0);
    cr_expect_gt (s_value (after, "readme2ci_journal_bytes_total"), bytes_before);
    cr_expect_gt (s_value (after, "readme2ci_journal_fsync_seconds_count"), 0);
    //  Conventions: every family has HELP and TYPE, counters end in _total.
    cr_expect_not_null (strstr (after, "# TYPE readme2ci_workflows_total counter\n"));
    cr_expect_not_null (strstr (after, "# TYPE readme2ci_step_duration_seconds histogram\n"));
    cr_expect_not_null (strstr (after, "# TYPE readme2ci_queue_depth gauge\n"));
    cr_expect_not_null (strstr (after, "# HELP readme2ci_journal_fsync_seconds "));

    free (before);
    free (after);
    cr_expect_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    tu_rmtree (out);
    free (dir);
    free (out);
    free (a);
    free (b);
    free (c);
    free (poison);
}

Test (observe, a_port_in_use_stops_the_start_with_a_clear_message, .timeout = 30)
{
    //  A listener of ours holds the port.
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET,
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    cr_assert_eq (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
    cr_assert_eq (listen (fd, 1), 0);
    socklen_t size = sizeof addr;
    cr_assert_eq (getsockname (fd, (struct sockaddr *) &addr, &size), 0);
    char config [128];
    snprintf (config, sizeof config, "metrics: 127.0.0.1:%d\n", ntohs (addr.sin_port));
    tree_t tree;
    tree_init (&tree, config, NULL);
    char *argv [] = { (char *) tu_bin ("readme2ci-supervisor"), "--runtime-dir", tree.runtime,
                      "-c", tree.config, NULL };
    tu_result_t r;
    cr_assert_eq (tu_run (argv, tree.env, NULL, 15000, &r), 0);
    cr_expect_eq (r.status, 1, "%s", r.err);
    cr_expect_not_null (strstr (r.err, "metrics: cannot listen on 127.0.0.1:"), "%s", r.err);
    tu_result_release (&r);
    close (fd);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  systemd

//  The value of KEY= in the unit text (the last one wins), or NULL.
//  Caller frees.
static char *
s_unit_value (const char *unit, const char *key)
{
    char *value = NULL;
    size_t length = strlen (key);
    for (const char *line = unit; line && *line; line = strchr (line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp (line, key, length) == 0 && line [length] == '=') {
            free (value);
            value = strndup (line + length + 1, strcspn (line + length + 1, "\n"));
        }
    }
    return value;
}

//  text with every "%t" and "%S" replaced, as systemd does for a system
//  service (/run and /var/lib), by the test's folders. Caller frees.
static char *
s_specifiers (const char *text, const char *run, const char *state)
{
    char *out = calloc (1, strlen (text) * 8 + 4096);
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (p [0] == '%' && (p [1] == 't' || p [1] == 'S')) {
            const char *with = p [1] == 't'? run: state;
            memcpy (out + n, with, strlen (with));
            n += strlen (with);
            p++;
        }
        else
            out [n++] = *p;
    }
    return out;
}

//  The next datagram within timeout_ms, NUL-terminated in buf; false if
//  none came.
static bool
s_recv (int fd, char *buf, size_t size, int timeout_ms)
{
    zmq_pollitem_t item = { NULL, fd, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) != 1)
        return false;
    ssize_t n = recv (fd, buf, size - 1, 0);
    cr_assert_geq (n, 0);
    buf [n] = 0;
    return true;
}

//  Waits for a datagram holding line (as one of its lines); false when
//  timeout_ms passes first. Other datagrams are skipped.
static bool
s_wait_for (int fd, const char *line, int timeout_ms, char *buf, size_t size)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (tu_now_ms () < deadline) {
        if (!s_recv (fd, buf, size, (int) (deadline - tu_now_ms ())))
            return false;
        for (const char *p = buf; p; p = strchr (p, '\n')) {
            if (*p == '\n')
                p++;
            if (strncmp (p, line, strlen (line)) == 0
            &&  (p [strlen (line)] == '\n' || p [strlen (line)] == 0))
                return true;
        }
    }
    return false;
}

Test (observe, the_unit_start_tells_a_fake_systemd_ready_watchdog_stopping, .timeout = 60)
{
    //  The folders systemd would make: %t (RuntimeDirectory's parent) and
    //  %S, and the notification socket it would listen on.
    char *top = tu_tmpdir ();
    char run [PATH_MAX], state [PATH_MAX], notify [PATH_MAX];
    snprintf (run, sizeof run, "%s/run", top);
    snprintf (state, sizeof state, "%s/lib", top);
    snprintf (notify, sizeof notify, "%s/notify", top);
    tu_write (run, "readme2ci/.keep", "");
    tu_write (state, "readme2ci/.keep", "");
    char runtime [PATH_MAX];
    snprintf (runtime, sizeof runtime, "%s/readme2ci", run);
    cr_assert_eq (chmod (runtime, 0700), 0);
    tu_write (top, "etc/readme2ci.yml", "log:\n  level: info\n");

    int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    cr_assert_lt (strlen (notify), sizeof addr.sun_path);
    memcpy (addr.sun_path, notify, strlen (notify) + 1);
    cr_assert_eq (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0, "%s", strerror (errno));

    //  ExecStart and Environment from the unit, with the programs taken
    //  from the build and the config from the test's /etc.
    char *path = tu_src ("scripts/readme2ci.service");
    char *unit = tu_read (path, NULL);
    cr_assert_not_null (unit);
    char *exec_raw = s_unit_value (unit, "ExecStart");
    cr_assert_not_null (exec_raw);
    char *exec = s_specifiers (exec_raw, run, state);
    char *argv [32];
    size_t argc = 0;
    char config [PATH_MAX];
    snprintf (config, sizeof config, "%s/etc/readme2ci.yml", top);
    for (char *save = NULL, *word = strtok_r (exec, " ", &save); word && argc < 31;
         word = strtok_r (NULL, " ", &save)) {
        if (strncmp (word, "/usr/local/bin/", 15) == 0)
            argv [argc++] = (char *) tu_bin (word + 15);
        else
        if (strcmp (word, "/etc/readme2ci/readme2ci.yml") == 0)
            argv [argc++] = config;
        else
            argv [argc++] = word;
    }
    argv [argc] = NULL;
    cr_assert_str_eq (argv [0], tu_bin ("readme2ci-supervisor"));
    char *env [8];
    size_t envc = 0;
    for (const char *line = unit; line && *line && envc < 4; line = strchr (line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp (line, "Environment=", 12) == 0) {
            char *one = strndup (line + 12, strcspn (line + 12, "\n"));
            env [envc++] = s_specifiers (one, run, state);
            free (one);
        }
    }
    cr_assert_eq (envc, 2, "the unit sets the runtime and state folders");
    char notify_env [PATH_MAX + 16];
    snprintf (notify_env, sizeof notify_env, "NOTIFY_SOCKET=%s", notify);
    env [envc++] = notify_env;
    //  systemd gives WatchdogSec in microseconds; a short one here so the
    //  test sees pings soon.
    env [envc++] = "WATCHDOG_USEC=400000";
    env [envc] = NULL;

    long long started = tu_now_ms ();
    char log [PATH_MAX];
    snprintf (log, sizeof log, "%s/supervisor.log", top);
    pid_t pid = tu_spawn (argv, env, log);
    cr_assert_gt (pid, 0);
    char buf [1024];
    if (!s_wait_for (fd, "READY=1", 15000, buf, sizeof buf)) {
        kill (pid, SIGKILL);        //  its workers follow (PR_SET_PDEATHSIG)
        tu_wait (pid, 5000);
        cr_assert_fail ("no READY=1 in 15 s; see %s", log);
    }
    cr_expect (strstr (buf, "STATUS=ready: 3 workers"), "%s", buf);
    //  READY means the workers are up: status agrees at once.
    char status_env [PATH_MAX + 32];
    snprintf (status_env, sizeof status_env, "README2CI_RUNTIME_DIR=%s", runtime);
    char *cli [] = { (char *) tu_bin ("readme2ci"), "status", "--json", NULL };
    char *cli_env [] = { status_env, NULL };
    tu_result_t r;
    cr_expect_eq (tu_run (cli, cli_env, NULL, 10000, &r), 0);
    cr_expect_eq (r.status, 0, "%s", r.err);
    json_t *doc = json_loads (r.out, 0, NULL);
    size_t i;
    json_t *component;
    json_array_foreach (json_object_get (doc, "components"), i, component)
        cr_expect_eq (json_integer_value (json_object_get (component, "ready")), 1,
                      "%s is not ready at READY=1",
                      json_string_value (json_object_get (component, "name")));
    json_decref (doc);
    tu_result_release (&r);

    //  The watchdog: at half the timeout, so two pings within 600 ms.
    cr_expect (s_wait_for (fd, "WATCHDOG=1", 1000, buf, sizeof buf), "no watchdog ping");
    cr_expect (s_wait_for (fd, "WATCHDOG=1", 1000, buf, sizeof buf), "no second ping");

    cr_expect_eq (kill (pid, SIGTERM), 0);
    cr_expect (s_wait_for (fd, "STOPPING=1", 5000, buf, sizeof buf), "no STOPPING=1");
    int exit_status = tu_wait (pid, 20000);
    cr_expect_eq (exit_status, 0, "the supervisor did not stop cleanly");
    if (exit_status < 0) {
        kill (pid, SIGKILL);
        tu_wait (pid, 5000);
    }
    cr_expect_lt (tu_now_ms () - started, 40000);

    close (fd);
    for (size_t k = 0; k < 2; k++)
        free (env [k]);
    free (exec);
    free (exec_raw);
    free (unit);
    free (path);
    tu_rmtree (top);
    free (top);
}
