/*  Hardening, on the real binaries: what a hostile run broke (issue 18).
    A worker command that forks leaves nothing behind; a runtime folder
    that is not the caller's is refused before anything is written in it;
    a worker that heartbeats but never answers, or answers junk, is the
    worker's fault: caught per step, retried elsewhere, counted by the
    breaker; malformed messages are logged once per peer.  */
#include "common/util.h"
#include "proto/project.h"
#include "proto/wire.h"
#include "supervisor/flow.h"
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <czmq.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
s_worker_bin (const char *component)
{
    return tu_bin (component [0] == 'p'? "readme2ci-parser"
                 : component [0] == 'd'? "readme2ci-detector": "readme2ci-generator");
}

//  Writes an executable script dir/name with text; returns its path.
static char *
s_script (const char *dir, const char *name, const char *text)
{
    tu_write (dir, name, text);
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", dir, name) > 0);
    cr_assert_eq (chmod (path, 0755), 0);
    return path;
}

//  The pid a file holds, waiting (bounded) for the file to be written.
static pid_t
s_read_pid (const char *path, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (tu_now_ms () < deadline) {
        char *text = tu_read (path, NULL);
        pid_t pid = text? (pid_t) strtol (text, NULL, 10): 0;
        free (text);
        if (pid > 0)
            return pid;
        zclock_sleep (20);
    }
    return 0;
}

//  True once pid is gone (or a zombie), within timeout_ms.
static bool
s_gone_within (pid_t pid, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (tu_alive (pid)) {
        if (tu_now_ms () >= deadline)
            return false;
        zclock_sleep (20);
    }
    return true;
}

//  ---------------------------------------------------------------------
//  12: a worker command that forks

//  A wrapper that starts a long child, says its pid, and becomes the
//  real worker (the way a wrapper script with `cmd &` would).
static char *
s_forking_wrapper (const char *dir, const char *component)
{
    char *text = NULL;
    cr_assert (asprintf (&text, "#!/bin/sh\nsleep 1000 &\necho $! > '%s/orphan.pid'\n"
                         "exec '%s' \"$@\"\n", dir, s_worker_bin (component)) > 0);
    char *path = s_script (dir, "forking-worker", text);
    free (text);
    return path;
}

Test (hardening, a_killed_workers_children_go_with_it, .timeout = 90)
{
    char *dir = tu_tmpdir ();
    char *command = s_forking_wrapper (dir, "parser");
    char config [2048], orphan_file [1024];
    snprintf (config, sizeof config, "components:\n  parser:\n    command: %s\n", command);
    snprintf (orphan_file, sizeof orphan_file, "%s/orphan.pid", dir);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_start (&tree);
    pid_t orphan = s_read_pid (orphan_file, 20000);
    cr_assert_gt (orphan, 0, "the wrapper did not start its child");
    int pids [4];
    cr_assert_eq (tree_worker_pids (&tree, "parser", pids, 4), 1);

    //  Killed from outside: its child goes with it. Every child is ended
    //  by its pid before any assertion, so none outlives a failure.
    unlink (orphan_file);
    kill (pids [0], SIGKILL);
    bool gone_after_kill = s_gone_within (orphan, 20000);
    kill (orphan, SIGKILL);

    //  The replacement's child goes with `down` too.
    pid_t second = s_read_pid (orphan_file, 20000);
    tu_result_t r;
    int down = tree_cli (&tree, &r, "down", NULL);
    tu_result_release (&r);
    bool gone_after_down = second > 0 && s_gone_within (second, 20000);
    if (second > 0)
        kill (second, SIGKILL);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (command);
    cr_assert (gone_after_kill, "the killed worker's child %d survived it", (int) orphan);
    cr_assert_gt (second, 0, "the replacement did not start");
    cr_assert_eq (down, 0);
    cr_assert (gone_after_down, "a stopped worker's child %d survived the stop", (int) second);
}

//  ---------------------------------------------------------------------
//  8: malformed messages are logged once per peer, not each time

static size_t
s_count (const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *p = text? strstr (text, needle): NULL; p; p = strstr (p + 1, needle))
        count++;
    return count;
}

Test (hardening, garbage_from_a_client_is_logged_once, .timeout = 90)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_start (&tree);
    char endpoint [1024];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/front", tree.runtime);
    zsock_t *peer = zsock_new (ZMQ_DEALER);
    cr_assert_not_null (peer);
    zsock_set_sndtimeo (peer, 5000);
    zsock_set_rcvtimeo (peer, 20000);
    cr_assert_eq (zsock_connect (peer, "%s", endpoint), 0);
    for (int i = 0; i < 2000; i++)
        cr_assert_eq (zmq_send (zsock_resolve (peer), "\xc1garbage", 8, 0), 8);
    //  A request on the same connection is read after all of them: its
    //  answer says the garbage has been seen.
    wire_request_t request = { .req_id = 7 };
    util_copy (request.op, sizeof request.op, "status");
    uint8_t *buf;
    size_t size;
    cr_assert_eq (wire_request_encode (&request, &buf, &size), 0);
    cr_assert_eq (zmq_send (zsock_resolve (peer), buf, size, 0), (int) size);
    free (buf);
    zmsg_t *answer = zmsg_recv (peer);
    cr_assert_not_null (answer, "no answer after the garbage");
    zmsg_destroy (&answer);
    zsock_destroy (&peer);
    char log [1024];
    snprintf (log, sizeof log, "%s/supervisor.log", tree.state);
    char *text = tu_read (log, NULL);
    size_t lines = s_count (text, "malformed");
    cr_assert (tu_alive (tree.supervisor));
    tree_fini (&tree);
    cr_assert_geq (lines, 1, "the garbage went unreported:\n%s", text? text: "");
    cr_assert_leq (lines, 1, "2,000 garbage messages gave %zu log lines", lines);
    free (text);
}

//  ---------------------------------------------------------------------
//  4: a runtime folder that is not the caller's

//  A runtime folder another user could have made: mode 0777 (owned by
//  nobody when we may give it away), holding a supervisor.log symlink to
//  a file of its choosing. Returns the target's path.
static char *
s_planted_runtime (tree_t *tree, const char *elsewhere, bool give_away)
{
    char *target = NULL;
    cr_assert (asprintf (&target, "%s/victim", elsewhere) > 0);
    tu_write (elsewhere, "victim", "");
    char link [1024];
    snprintf (link, sizeof link, "%s/supervisor.log", tree->runtime);
    cr_assert_eq (symlink (target, link), 0);
    cr_assert_eq (chmod (tree->runtime, 0777), 0);
    if (give_away && geteuid () == 0)
        cr_assert_eq (chown (tree->runtime, 65534, 65534), 0);
    return target;
}

static void
s_assert_refused (tree_t *tree, const char *target, const char *mode)
{
    tu_result_t r;
    int status = strcmp (mode, "-d") == 0? tree_cli (tree, &r, "up", "-d", NULL)
                                         : tree_cli (tree, &r, "up", NULL);
    char pid_file [1024];
    snprintf (pid_file, sizeof pid_file, "%s/supervisor.pid", tree->runtime);
    struct stat st;
    bool pid_written = lstat (pid_file, &st) == 0;
    //  A supervisor that started all the same is ended first, by its pid.
    pid_t started = pid_written? s_read_pid (pid_file, 1000): 0;
    if (started > 0)
        kill (started, SIGTERM);
    cr_assert (stat (target, &st) == 0);
    cr_assert_eq (st.st_size, 0, "up %s wrote %lld bytes through the planted symlink", mode,
                  (long long) st.st_size);
    cr_assert_not (pid_written, "up %s wrote a pid file in a folder not its own", mode);
    cr_assert_neq (status, 0, "up %s accepted the folder: %s%s", mode, r.out, r.err);
    cr_assert (strstr (r.err, tree->runtime), "the refusal does not name the folder: %s", r.err);
    cr_assert (strstr (r.err, "refusing"), "%s", r.err);
    tu_result_release (&r);
}

Test (hardening, up_refuses_a_runtime_folder_that_is_not_its_own, .timeout = 90)
{
    for (int give_away = 0; give_away < 2; give_away++) {
        char *elsewhere = tu_tmpdir ();
        tree_t tree;
        tree_init (&tree, NULL, NULL);
        char *target = s_planted_runtime (&tree, elsewhere, give_away);
        s_assert_refused (&tree, target, "-d");
        s_assert_refused (&tree, target, "(foreground)");
        //  Nothing is left running whatever happened.
        tree_fini (&tree);
        tu_rmtree (elsewhere);
        free (elsewhere);
        free (target);
    }
}

//  ---------------------------------------------------------------------
//  7: a worker that heartbeats but never answers, or answers junk

Test (hardening, a_jobs_deadline_shares_the_workflows_among_its_attempts)
{
    //  60 s and 3 attempts: 20 s a job, never past the workflow's end.
    cr_assert_eq (flow_job_deadline (1000, 61000, 3, 1000), 21000);
    cr_assert_eq (flow_job_deadline (1000, 61000, 3, 50000), 61000);
    cr_assert_eq (flow_job_deadline (1000, 61000, 1, 1000), 61000);
    //  At least FLOW_JOB_MIN_MS, within the workflow.
    cr_assert_eq (flow_job_deadline (0, 900, 3, 0), 900);
    cr_assert_eq (flow_job_deadline (0, 30000, 100, 0), FLOW_JOB_MIN_MS);
    //  Past the workflow's deadline: due at once.
    cr_assert_eq (flow_job_deadline (0, 100, 3, 500), 501);
    cr_assert_eq (flow_job_deadline (0, 6000, 0, 0), 6000, "0 attempts reads as 1");
}

//  A parser command whose first start is the fake worker in mode; every
//  other start is the real parser, once the fake has had its first job
//  (so the fake is the only worker that job can go to).
static char *
s_broken_once (const char *dir, const char *mode)
{
    //  Built beside our programs (tests/CMakeLists.txt).
    const char *cli = tu_bin ("readme2ci");
    char fake [1024], *text = NULL;
    snprintf (fake, sizeof fake, "%.*s/r2ci-fake-worker",
              (int) (strrchr (cli, '/') - cli), cli);
    cr_assert (asprintf (&text, "#!/bin/sh\nif mkdir '%s/broken' 2>/dev/null; then\n"
                         "  echo $$ > '%s/broken.pid'\n"
                         "  R2CI_FAKE_DONE='%s/seen' exec '%s' %s \"$@\"\nfi\n"
                         "while [ ! -e '%s/seen' ]; do sleep 0.05; done\n"
                         "exec '%s' \"$@\"\n", dir, dir, dir, fake, mode, dir,
                         s_worker_bin ("parser")) > 0);
    char *path = s_script (dir, "broken-once", text);
    free (text);
    return path;
}

//  Runs one generate with the parser broken at first in mode; the
//  workflow must complete, the broken worker be blamed and the breaker
//  told. workers is the parser's count.
static void
s_broken_worker_case (const char *mode, int workers)
{
    char *dir = tu_tmpdir ();
    char *command = s_broken_once (dir, mode);
    char config [2048], broken_file [1024];
    //  The breaker opens at the first failure and half-opens soon, so
    //  its events say each failure was counted.
    snprintf (config, sizeof config, "components:\n  parser:\n    workers: %d\n"
              "    command: %s\n    breaker: {failures: 1, open_for: 100ms}\n"
              "    retry: {attempts: 5}\n", workers, command);
    snprintf (broken_file, sizeof broken_file, "%s/broken.pid", dir);
    tree_t tree;
    tree_init (&tree, config, NULL);
    tree_start (&tree);
    tree_events_t *events = tree_events_new (&tree);
    pid_t broken = s_read_pid (broken_file, 20000);
    char *project = tree_project (dir, "demo", "python", NULL);
    //  30 s for the workflow: 6 s for each parse attempt. Before the fix,
    //  a hung worker kept the job the whole 30 s (exit 4), and junk was
    //  blamed on the input (exit 1).
    tu_result_t r;
    int status = tree_cli (&tree, &r, "generate", "--timeout", "30000", project, NULL);
    json_t *opened = tree_events_wait (events, "breaker.opened", "parser", 5000);
    pid_t survivor = broken > 0 && tu_alive (broken)? broken: 0;
    tree_events_destroy (&events);
    tu_result_t d;
    tree_cli (&tree, &d, "down", NULL);
    tu_result_release (&d);
    tree_fini (&tree);
    if (survivor > 0)
        kill (survivor, SIGKILL);
    cr_assert_gt (broken, 0, "the broken worker never started");
    cr_assert_eq (status, 0, "%s: exit %d: %s", mode, status, r.err);
    cr_assert (strstr (r.out, "pytest"), "%s", r.out);
    cr_assert_not_null (opened, "%s: the breaker did not count the worker's failure", mode);
    json_decref (opened);
    if (strcmp (mode, "hang") == 0)
        cr_assert_eq (survivor, 0, "the worker that never answered was left running");
    tu_result_release (&r);
    tu_rmtree (dir);
    free (dir);
    free (command);
    free (project);
}

Test (hardening, a_worker_that_heartbeats_but_never_answers_is_replaced, .timeout = 120)
{
    s_broken_worker_case ("hang", 1);
}

Test (hardening, junk_from_a_worker_is_its_fault_and_runs_elsewhere, .timeout = 120)
{
    //  The junk worker stays; the retry goes to the other parser.
    s_broken_worker_case ("junk", 2);
}

//  ---------------------------------------------------------------------
//  6: the supervisor answers as PROTOCOL.md says

//  Sends header + count payload frames on peer, returns the REPLY's
//  decoded header (asserts one came).
static wire_reply_t
s_ask (zsock_t *peer, uint8_t *header, size_t size, zframe_t **payloads, size_t count)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, header, size);
    free (header);
    for (size_t i = 0; i < count; i++)
        zmsg_append (msg, &payloads [i]);
    cr_assert_eq (zmsg_send (&msg, peer), 0);
    zmsg_t *answer = zmsg_recv (peer);
    cr_assert_not_null (answer, "no REPLY");
    zframe_t *first = zmsg_first (answer);
    wire_reply_t reply;
    cr_assert_eq (wire_reply_decode (&reply, zframe_data (first), zframe_size (first)), 0);
    zmsg_destroy (&answer);
    return reply;
}

static zframe_t *
s_docs_frame (void)
{
    project_docs_t docs = { 0 };
    cr_assert_eq (project_docs_add (&docs, "README.md", "# demo\n\nRun `make test`.\n", 25), 0);
    uint8_t *buf;
    size_t size;
    cr_assert_eq (project_docs_encode (&docs, &buf, &size), 0);
    project_docs_release (&docs);
    zframe_t *frame = zframe_new (buf, size);
    free (buf);
    return frame;
}

Test (hardening, bad_requests_get_the_documented_answers, .timeout = 90)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_start (&tree);
    char endpoint [1024];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/front", tree.runtime);
    zsock_t *peer = zsock_new (ZMQ_DEALER);
    cr_assert_not_null (peer);
    zsock_set_sndtimeo (peer, 5000);
    zsock_set_rcvtimeo (peer, 20000);
    cr_assert_eq (zsock_connect (peer, "%s", endpoint), 0);
    uint8_t *buf;
    size_t size;

    //  An unknown operation: code 1 (2 never travels).
    wire_request_t request = { .req_id = 11 };
    util_copy (request.op, sizeof request.op, "no-such-op");
    cr_assert_eq (wire_request_encode (&request, &buf, &size), 0);
    wire_reply_t reply = s_ask (peer, buf, size, NULL, 0);
    cr_assert_eq (reply.req_id, 11);
    cr_assert_eq (reply.code, 1, "an unknown op got code %d", reply.code);
    cr_assert (strstr (reply.message, "unknown operation"), "%s", reply.message);

    //  A REQUEST with a payload frame: refused, code 1.
    util_copy (request.op, sizeof request.op, "status");
    request.req_id = 12;
    cr_assert_eq (wire_request_encode (&request, &buf, &size), 0);
    zframe_t *extra [3] = { zframe_new ("x", 1) };
    reply = s_ask (peer, buf, size, extra, 1);
    cr_assert_eq (reply.req_id, 12);
    cr_assert_eq (reply.code, 1, "a REQUEST with a frame got code %d", reply.code);

    //  A SUBMIT with three payload frames, and with one: refused, code 1,
    //  and nothing runs.
    project_t project = { 0 };
    cr_assert_eq (project_add_file (&project, "README.md"), 0);
    project.name = strdup ("demo");
    uint8_t *project_buf;
    size_t project_size;
    cr_assert_eq (project_encode (&project, &project_buf, &project_size), 0);
    project_release (&project);
    for (size_t frames = 1; frames <= 3; frames += 2) {
        wire_submit_t submit = { .req_id = 20 + frames, .priority = 200, .timeout_ms = 10000 };
        snprintf (submit.workflow_id, sizeof submit.workflow_id, "frames-%zu", frames);
        cr_assert_eq (wire_submit_encode (&submit, &buf, &size), 0);
        zframe_t *payloads [3] = { s_docs_frame (), zframe_new (project_buf, project_size),
                                   zframe_new ("x", 1) };
        reply = s_ask (peer, buf, size, payloads, frames);
        for (size_t i = frames; i < 3; i++)
            zframe_destroy (&payloads [i]);
        cr_assert_eq (reply.req_id, 20 + frames);
        cr_assert_eq (reply.code, 1, "a SUBMIT with %zu frames got code %d (%s)", frames,
                      reply.code, reply.message);
        cr_assert_not (reply.accepted, "a SUBMIT with %zu frames was accepted", frames);
        cr_assert (strstr (reply.message, "malformed SUBMIT"), "%s", reply.message);
    }
    free (project_buf);
    zsock_destroy (&peer);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "result", "frames-3", NULL), 1,
                  "a refused SUBMIT ran: %s", r.out);
    tu_result_release (&r);
    tree_fini (&tree);
}
