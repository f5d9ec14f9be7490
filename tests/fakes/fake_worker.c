/*  r2ci-fake-worker: a worker that is broken on purpose, for the tests of
    how the supervisor copes. `r2ci-fake-worker MODE --endpoint EP ...`
    (the supervisor's arguments after MODE): it says READY as
    $R2CI_FAKE_COMPONENT (default parser) and heartbeats, then
      hang  never answers a job;
      junk  answers every job "ok" with a frame that is not the protocol.
    After its first job it creates the file $R2CI_FAKE_DONE, if set. It
    exits on BYE, or when its parent is gone.  */
#include "common/util.h"
#include "proto/wire.h"

#include <czmq.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void
s_send (zsock_t *sock, uint8_t *buf, size_t size, const void *payload, size_t payload_size)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, buf, size);
    free (buf);
    if (payload)
        zmsg_addmem (msg, payload, payload_size);
    zmsg_send (&msg, sock);
}

int
main (int argc, char **argv)
{
    zsys_handler_set (NULL);
    const char *mode = argc > 1? argv [1]: "";
    const char *endpoint = NULL;
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp (argv [i], "--endpoint") == 0)
            endpoint = argv [i + 1];
    if (!endpoint || (strcmp (mode, "hang") && strcmp (mode, "junk"))) {
        fprintf (stderr, "usage: r2ci-fake-worker hang|junk --endpoint EP\n");
        return 2;
    }
    pid_t parent = getppid ();
    prctl (PR_SET_PDEATHSIG, SIGKILL);
    if (getppid () != parent)
        return 1;
    const char *component = getenv ("R2CI_FAKE_COMPONENT");
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    if (!sock || zsock_connect (sock, "%s", endpoint))
        return 1;
    zsock_set_linger (sock, 0);
    wire_ready_t ready = { .pid = (uint32_t) getpid (), .hb_ivl_ms = 1000, .credit = 2 };
    util_copy (ready.component, sizeof ready.component, component? component: "parser");
    util_copy (ready.host, sizeof ready.host, "fake");
    util_copy (ready.version, sizeof ready.version, "fake");
    uint8_t *buf;
    size_t size;
    if (wire_ready_encode (&ready, &buf, &size))
        return 1;
    s_send (sock, buf, size, NULL, 0);
    zpoller_t *poller = zpoller_new (sock, NULL);
    int64_t last_sent = zclock_mono ();
    while (getppid () == parent) {
        void *which = zpoller_wait (poller, 200);
        if (zpoller_terminated (poller))
            break;
        if (zclock_mono () - last_sent >= 300 && wire_heartbeat_encode (&buf, &size) == 0) {
            s_send (sock, buf, size, NULL, 0);
            last_sent = zclock_mono ();
        }
        if (which != sock)
            continue;
        zmsg_t *msg = zmsg_recv (sock);
        zframe_t *header = msg? zmsg_first (msg): NULL;
        wire_type_t type = header? wire_type (zframe_data (header), zframe_size (header))
                                 : WIRE_UNKNOWN;
        if (type == WIRE_BYE) {
            zmsg_destroy (&msg);
            break;
        }
        wire_job_t job;
        const char *done = getenv ("R2CI_FAKE_DONE");
        if (type == WIRE_JOB && done && *done) {
            FILE *file = fopen (done, "a");
            if (file)
                fclose (file);
        }
        if (type == WIRE_JOB && strcmp (mode, "junk") == 0
        &&  wire_job_decode (&job, zframe_data (header), zframe_size (header)) == 0) {
            wire_result_t result = { .job_id = job.job_id, .ok = true, .elapsed_us = 1 };
            if (wire_result_encode (&result, &buf, &size) == 0) {
                s_send (sock, buf, size, "\xc1junk", 5);
                last_sent = zclock_mono ();
            }
        }
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sock);
    return 0;
}
