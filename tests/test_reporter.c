/*  Tests supervisor/remote's reporter without a supervisor: a peer's
    trouble is an event once per type and key in a window, and a remote
    worker whose key went away from the authorised folder is reported
    for the caller to drop, no more often than the key check allows.  */
#include "supervisor/remote.h"
#include "shared/keys.h"
#include "tests/support/outbox_rig.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    zsock_t *events;            //  PUB, and a SUB on it
    zsock_t *sub;
    ledger_t *ledger;
    outbox_t *outbox;
    remote_t *remote;
} rig_t;

static void
s_rig (rig_t *self)
{
    static int serial;
    memset (self, 0, sizeof *self);
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://reporter-events-%d", serial++);
    self->events = zsock_new_pub (ep);
    self->sub = zsock_new_sub (ep, "");
    cr_assert (self->events && self->sub);
    zsock_set_rcvtimeo (self->sub, 5000);
    self->outbox = outbox_new ();
    cr_assert_not_null (self->outbox);
    self->ledger = tu_memory_ledger (&self->outbox);
    outbox_set_sockets (self->outbox, self->events, NULL, NULL);
    self->remote = remote_new (self->outbox);
    cr_assert_not_null (self->remote);
    tu_sub_ready (self->outbox, self->sub);
}

static void
s_unrig (rig_t *self)
{
    remote_destroy (&self->remote);
    cr_assert_null (self->remote);
    ledger_destroy (&self->ledger);
    outbox_destroy (&self->outbox);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->events);
}

//  A probe published after what the test expects: when the next event
//  heard is the probe, nothing else was published in between.
static void
s_assert_nothing_more (rig_t *self)
{
    outbox_event (self->outbox, "probe", json_object ());
    json_t *fields = tu_next_event (self->sub, "probe");
    json_decref (fields);
}

Test (reporter, once_a_window_per_type_and_key)
{
    rig_t rig;
    s_rig (&rig);
    remote_report (rig.remote, "worker.refused", "10.0.0.7", json_pack ("{s:s}", "host", "a"),
                   "a worker at %s: %s", "10.0.0.7", "speaks protocol 9");
    json_t *fields = tu_next_event (rig.sub, "worker.refused");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "host")), "a");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "reason")),
                      "a worker at 10.0.0.7: speaks protocol 9");
    cr_assert_null (json_object_get (fields, "repeats"), "the first report repeats nothing");
    json_decref (fields);

    //  The same trouble again within the window: held back (its fields
    //  freed; the sanitizer build would see a leak).
    remote_report (rig.remote, "worker.refused", "10.0.0.7", json_pack ("{s:s}", "host", "a"),
                   "again");
    s_assert_nothing_more (&rig);

    //  Another key, or the same key under another type, is news.
    remote_report (rig.remote, "worker.refused", "10.0.0.8", NULL, "the other one");
    fields = tu_next_event (rig.sub, "worker.refused");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "reason")), "the other one");
    json_decref (fields);
    remote_report (rig.remote, "security.refused", "10.0.0.7", NULL, "another cause");
    fields = tu_next_event (rig.sub, "security.refused");
    json_decref (fields);
    s_assert_nothing_more (&rig);

    //  Malformed messages go to the log alone, never to the events.
    for (int i = 0; i < 20; i++)
        remote_malformed (rig.remote, "client 0a0b", "dropped junk %d", i);
    s_assert_nothing_more (&rig);
    s_unrig (&rig);
}

Test (reporter, revoked_worker_keys_are_reported_for_the_caller_to_drop, .timeout = 60)
{
    rig_t rig;
    s_rig (&rig);
    //  No CURVE: never time for a key check.
    cr_assert_not (remote_keys_due (rig.remote, 10000));
    remote_worker_t peer = { .component = "parser", .pid = 4242, .host = "build-7",
                             .address = "10.1.2.3", .peer_key = "" };
    cr_assert_not (remote_worker_revoked (rig.remote, &peer), "no keys: nothing to revoke");

    char *dir = tu_tmpdir ();
    char err [512], folder [1024], path [1024];
    snprintf (folder, sizeof folder, "%s/workers", dir);
    cr_assert_eq (mkdir (folder, 0700), 0);
    cr_assert_eq (keys_new (dir, "supervisor", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new (folder, "member", err, sizeof err), 0, "%s", err);
    config_t cfg;
    config_defaults (&cfg);
    cfg.listen.workers = strdup ("tcp://127.0.0.1:7101");
    snprintf (path, sizeof path, "%s/supervisor_secret", dir);
    cfg.security.secret_key = strdup (path);
    cfg.security.authorized_workers = strdup (folder);
    security_server_t *security = security_server_new (&cfg, err, sizeof err);
    cr_assert_not_null (security, "%s", err);
    zloop_t *loop = zloop_new ();
    cr_assert_eq (remote_watch (rig.remote, loop, security, NULL, cfg.listen.workers, NULL,
                                NULL), 0);

    //  Every five seconds at most, by the times given.
    cr_assert (remote_keys_due (rig.remote, 10000));
    cr_assert_not (remote_keys_due (rig.remote, 14999));
    cr_assert (remote_keys_due (rig.remote, 15000));

    snprintf (path, sizeof path, "%s/member", folder);
    char *key = NULL;
    zcert_t *cert = keys_load_public (path, err, sizeof err);
    cr_assert_not_null (cert, "%s", err);
    key = strdup (zcert_public_txt (cert));
    zcert_destroy (&cert);
    peer.peer_key = key;
    cr_assert_not (remote_worker_revoked (rig.remote, &peer), "its key is in the folder");
    s_assert_nothing_more (&rig);

    cr_assert_eq (unlink (path), 0);
    cr_assert (remote_worker_revoked (rig.remote, &peer), "its key left the folder");
    json_t *fields = tu_next_event (rig.sub, "security.refused");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "endpoint")), "workers");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "host")), "build-7");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "address")), "10.1.2.3");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "key")), key);
    cr_assert_eq (json_integer_value (json_object_get (fields, "pid")), 4242);
    const char *reason = json_string_value (json_object_get (fields, "reason"));
    cr_assert (reason && strstr (reason, "dropped parser pid 4242 on build-7")
               && strstr (reason, "no longer authorised"), "%s", reason);
    json_decref (fields);

    remote_unwatch (rig.remote);
    zloop_destroy (&loop);
    s_unrig (&rig);
    security_server_destroy (&security);
    config_release (&cfg);
    free (key);
    tu_rmtree (dir);
    free (dir);
}
