/*  tests/test_notify.c - systemd notifications, received on a fake
    NOTIFY_SOCKET (a unix datagram socket bound in a temporary folder).
    Criterion runs each test in its own process, so setenv stays local.  */
#include "supervisor/notify.h"

#include "tests/support/testutil.h"

#include <czmq.h>
#include <criterion/criterion.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct {
    char *dir;
    char path [PATH_MAX];
    int fd;
} fake_systemd_t;

//  Binds the fake socket and points NOTIFY_SOCKET at it.
static void
s_fake_start (fake_systemd_t *fake)
{
    fake->dir = tu_tmpdir ();
    snprintf (fake->path, sizeof fake->path, "%s/notify", fake->dir);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    cr_assert_lt (strlen (fake->path), sizeof addr.sun_path, "temp path too long");
    memcpy (addr.sun_path, fake->path, strlen (fake->path) + 1);
    fake->fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert_geq (fake->fd, 0);
    cr_assert_eq (bind (fake->fd, (struct sockaddr *) &addr, sizeof addr), 0,
                  "bind: %s", strerror (errno));
    cr_assert_eq (setenv ("NOTIFY_SOCKET", fake->path, 1), 0);
}

static void
s_fake_stop (fake_systemd_t *fake)
{
    close (fake->fd);
    tu_rmtree (fake->dir);
    free (fake->dir);
}

//  The next datagram (waiting at most 5 s), NUL-terminated in buf.
static void
s_fake_recv (fake_systemd_t *fake, char *buf, size_t size)
{
    zmq_pollitem_t item = { NULL, fake->fd, ZMQ_POLLIN, 0 };
    cr_assert_eq (zmq_poll (&item, 1, 5000), 1, "no notification arrived");
    ssize_t n = recv (fake->fd, buf, size - 1, 0);
    cr_assert_geq (n, 0);
    buf [n] = 0;
}

//  True when a datagram is waiting.
static bool
s_fake_pending (fake_systemd_t *fake)
{
    zmq_pollitem_t item = { NULL, fake->fd, ZMQ_POLLIN, 0 };
    return zmq_poll (&item, 1, 0) == 1;
}

Test (notify, nothing_happens_outside_systemd)
{
    unsetenv ("NOTIFY_SOCKET");
    setenv ("WATCHDOG_USEC", "1000000", 1);     //  ignored without a socket
    notify_t *notify = notify_new ();
    cr_assert_not_null (notify);
    cr_expect_not (notify_enabled (notify));
    cr_expect_eq (notify_watchdog_usec (notify), 0);
    cr_expect_eq (notify_ready (notify, "ready"), 0);
    cr_expect_eq (notify_status (notify, "busy"), 0);
    cr_expect_eq (notify_watchdog (notify), 0);
    cr_expect_eq (notify_reloading (notify, NULL), 0);
    cr_expect_eq (notify_stopping (notify, NULL), 0);
    zloop_t *loop = zloop_new ();
    cr_expect_eq (notify_attach (notify, loop), 0);
    notify_destroy (&notify);
    cr_expect_null (notify);
    notify_destroy (&notify);
    zloop_destroy (&loop);
}

Test (notify, ready_status_stopping_reach_the_socket)
{
    fake_systemd_t fake;
    s_fake_start (&fake);
    unsetenv ("WATCHDOG_USEC");
    notify_t *notify = notify_new ();
    cr_assert (notify_enabled (notify));
    cr_expect_eq (notify_watchdog_usec (notify), 0);
    char text [1024];

    cr_assert_eq (notify_ready (notify, NULL), 0);
    s_fake_recv (&fake, text, sizeof text);
    cr_expect_str_eq (text, "READY=1");

    cr_assert_eq (notify_ready (notify, "serving 3 workers"), 0);
    s_fake_recv (&fake, text, sizeof text);
    cr_expect_str_eq (text, "READY=1\nSTATUS=serving 3 workers");

    cr_assert_eq (notify_status (notify, "draining 2 workflows"), 0);
    s_fake_recv (&fake, text, sizeof text);
    cr_expect_str_eq (text, "STATUS=draining 2 workflows");

    cr_assert_eq (notify_stopping (notify, "stopping"), 0);
    s_fake_recv (&fake, text, sizeof text);
    cr_expect_str_eq (text, "STOPPING=1\nSTATUS=stopping");

    cr_assert_eq (notify_watchdog (notify), 0);
    s_fake_recv (&fake, text, sizeof text);
    cr_expect_str_eq (text, "WATCHDOG=1");

    cr_assert_eq (notify_reloading (notify, "reloading"), 0);
    s_fake_recv (&fake, text, sizeof text);
    unsigned long long usec = 0;
    char status [64] = "";
    cr_expect_eq (sscanf (text, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=%63[^\n]",
                          &usec, status), 2, "got '%s'", text);
    cr_expect_gt (usec, 0);
    cr_expect_str_eq (status, "reloading");
    cr_expect_not (s_fake_pending (&fake));
    notify_destroy (&notify);
    s_fake_stop (&fake);
}

//  A status cannot add assignments of its own, and stays short.
Test (notify, status_is_one_bounded_line)
{
    fake_systemd_t fake;
    s_fake_start (&fake);
    notify_t *notify = notify_new ();
    char text [1024];
    cr_assert_eq (notify_status (notify, "ok\nREADY=1\r\nMAINPID=1"), 0);
    s_fake_recv (&fake, text, sizeof text);
    cr_expect_str_eq (text, "STATUS=ok READY=1  MAINPID=1");

    char long_status [400];
    memset (long_status, 'x', sizeof long_status - 1);
    long_status [sizeof long_status - 1] = 0;
    //  A two-byte character across the 200-byte mark is left out whole.
    long_status [199] = (char) 0xC3;
    long_status [200] = (char) 0xA9;
    cr_assert_eq (notify_status (notify, long_status), 0);
    s_fake_recv (&fake, text, sizeof text);
    cr_expect_eq (strlen (text), strlen ("STATUS=") + 199);
    cr_expect_eq (strncmp (text, "STATUS=xxx", 10), 0);
    notify_destroy (&notify);
    s_fake_stop (&fake);
}

Test (notify, unreachable_socket_is_an_error)
{
    char *dir = tu_tmpdir ();
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/nobody-listens", dir);
    setenv ("NOTIFY_SOCKET", path, 1);
    notify_t *notify = notify_new ();
    cr_expect (notify_enabled (notify));
    errno = 0;
    cr_expect_eq (notify_ready (notify, NULL), -1);
    cr_expect_neq (errno, 0);
    notify_destroy (&notify);
    tu_rmtree (dir);
    free (dir);
}

Test (notify, watchdog_belongs_to_the_pid_systemd_names)
{
    fake_systemd_t fake;
    s_fake_start (&fake);
    char pid [32];
    snprintf (pid, sizeof pid, "%d", (int) getpid () + 1);
    setenv ("WATCHDOG_USEC", "30000000", 1);
    setenv ("WATCHDOG_PID", pid, 1);
    notify_t *notify = notify_new ();
    cr_expect_eq (notify_watchdog_usec (notify), 0, "another process's watchdog");
    notify_destroy (&notify);

    snprintf (pid, sizeof pid, "%d", (int) getpid ());
    setenv ("WATCHDOG_PID", pid, 1);
    notify = notify_new ();
    cr_expect_eq (notify_watchdog_usec (notify), 30000000);
    //  The variables stay for whoever reads them next.
    cr_expect_not_null (getenv ("WATCHDOG_USEC"));
    cr_expect_not_null (getenv ("NOTIFY_SOCKET"));
    notify_destroy (&notify);
    s_fake_stop (&fake);
}

typedef struct {
    fake_systemd_t *fake;
    int pings;
    long long first_ms;
    long long last_ms;
    bool other;                 //  something else than WATCHDOG=1 arrived
} pings_t;

static int
s_on_ping (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    pings_t *pings = arg;
    char text [256];
    ssize_t n = recv (pings->fake->fd, text, sizeof text - 1, 0);
    if (n < 0)
        return 0;
    text [n] = 0;
    if (strcmp (text, "WATCHDOG=1") != 0) {
        pings->other = true;
        return -1;
    }
    pings->last_ms = tu_now_ms ();
    if (pings->pings++ == 0)
        pings->first_ms = pings->last_ms;
    return pings->pings == 3? -1: 0;
}

static int
s_on_deadline (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    return -1;
}

//  WatchdogSec=80ms: pings every 40 ms from the loop.
Test (notify, watchdog_pings_from_the_loop_at_half_the_timeout)
{
    fake_systemd_t fake;
    s_fake_start (&fake);
    setenv ("WATCHDOG_USEC", "80000", 1);
    unsetenv ("WATCHDOG_PID");
    notify_t *notify = notify_new ();
    cr_assert_eq (notify_watchdog_usec (notify), 80000);
    zloop_t *loop = zloop_new ();
    cr_assert_eq (notify_attach (notify, loop), 0);
    errno = 0;
    cr_expect_eq (notify_attach (notify, loop), -1);
    cr_expect_eq (errno, EBUSY);
    pings_t pings = { .fake = &fake };
    zmq_pollitem_t item = { NULL, fake.fd, ZMQ_POLLIN, 0 };
    zloop_poller (loop, &item, s_on_ping, &pings);
    zloop_timer (loop, 5000, 1, s_on_deadline, NULL);
    long long start = tu_now_ms ();
    zloop_start (loop);
    cr_expect_not (pings.other);
    cr_expect_eq (pings.pings, 3);
    //  Three pings 40 ms apart: the first after ~40 ms, the third ~80 ms
    //  later (a few ms of slack for timer rounding).
    cr_expect_geq (pings.first_ms - start, 35, "first ping after %lld ms",
                   pings.first_ms - start);
    cr_expect_geq (pings.last_ms - pings.first_ms, 70, "pings %lld ms apart over two intervals",
                   pings.last_ms - pings.first_ms);
    notify_destroy (&notify);
    zloop_destroy (&loop);
    s_fake_stop (&fake);
}
