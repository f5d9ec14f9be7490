/*  Tests what a worker process maps once it is READY: no czmq and none of
    what libczmq drags in (its memory is measured by scripts/bench).  */
#include "proto/wire.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define READY_MS 10000

//  True when /proc/pid/maps names a file containing needle.
static bool
s_maps (pid_t pid, const char *needle)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/maps", (int) pid);
    char *text = tu_read (path, NULL);
    cr_assert (text, "cannot read %s", path);
    bool found = strstr (text, needle) != NULL;
    free (text);
    return found;
}

//  Starts readme2ci-COMPONENT against a ROUTER of ours, waits for its
//  READY, checks its maps and memory, and stops it with SIGTERM.
static void
s_check_worker (const char *component)
{
    char *dir = tu_tmpdir ();
    cr_assert (dir);
    char endpoint [512], program [64];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/back", dir);
    snprintf (program, sizeof program, "readme2ci-%s", component);
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    cr_assert_eq (zmq_bind (router, endpoint), 0);
    char *argv [] = { (char *) tu_bin (program), "--endpoint", endpoint, NULL };
    pid_t pid = tu_spawn (argv, NULL, NULL);
    cr_assert_gt (pid, 0);

    //  [identity][READY header]: the worker is up and idle.
    bool ready = false;
    long long deadline = tu_now_ms () + READY_MS;
    while (!ready && tu_now_ms () < deadline) {
        zmq_pollitem_t item = { router, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, (long) (deadline - tu_now_ms ())) <= 0)
            break;
        zmq_msg_t identity, header;
        zmq_msg_init (&identity);
        zmq_msg_init (&header);
        if (zmq_msg_recv (&identity, router, 0) >= 0 && zmq_msg_more (&identity)
        &&  zmq_msg_recv (&header, router, 0) >= 0)
            ready = wire_type (zmq_msg_data (&header), zmq_msg_size (&header)) == WIRE_READY;
        zmq_msg_close (&identity);
        zmq_msg_close (&header);
    }
    cr_assert (ready, "%s sent no READY", program);

    cr_expect_not (s_maps (pid, "libczmq"), "%s maps libczmq", program);
    cr_expect_not (s_maps (pid, "libsystemd"), "%s maps libsystemd", program);
    //  How much it holds is measured by scripts/bench, not asserted here:
    //  resident memory depends on the machine's libraries.

    kill (pid, SIGTERM);
    cr_expect_eq (tu_wait (pid, 5000), 0, "%s did not stop cleanly on SIGTERM", program);
    int linger = 0;
    zmq_setsockopt (router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (router);
    zmq_ctx_term (ctx);
    tu_rmtree (dir);
    free (dir);
}

Test (worker_memory, parser) { s_check_worker ("parser"); }
Test (worker_memory, detector) { s_check_worker ("detector"); }
Test (worker_memory, generator) { s_check_worker ("generator"); }
