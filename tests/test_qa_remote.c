/*  Workers on other hosts as an operator meets them, over tcp + CURVE on
    loopback: a refused worker says why and still stops on SIGTERM, the
    supervisor records every refusal (wrong key, wrong server key, expired
    key, another protocol version, garbage) once, a pool of remote workers
    only is healthy and shown as remote, remote workers outlive a
    supervisor restart, and a paused worker's job runs once elsewhere.  */
#include "supervisor/remote.h"
#include "supervisor/security.h"
#include "proto/wire.h"
#include "shared/curve.h"
#include "shared/keys.h"
#include "tests/support/tree.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

//  ---------------------------------------------------------------------
//  Pure parts: the report limiter, the version peek, key expiry

Test (qa_remote, limiter_reports_a_key_once_per_window)
{
    remote_limiter_t *limiter = remote_limiter_new (4, 60000);
    cr_assert_not_null (limiter);
    uint64_t held = 99;
    cr_assert (remote_limiter_allow (limiter, "a", 1000, &held));
    cr_assert_eq (held, 0);
    cr_assert_not (remote_limiter_allow (limiter, "a", 2000, NULL));
    cr_assert_not (remote_limiter_allow (limiter, "a", 60999, NULL));
    cr_assert (remote_limiter_allow (limiter, "b", 3000, NULL), "another key is its own");
    cr_assert (remote_limiter_allow (limiter, "a", 61000, &held));
    cr_assert_eq (held, 2, "the repeats held back are counted");
    cr_assert_not (remote_limiter_allow (limiter, "a", 61001, NULL));
    remote_limiter_destroy (&limiter);
    cr_assert_null (limiter);
    remote_limiter_destroy (&limiter);
    cr_assert_null (remote_limiter_new (0, 1000));
    cr_assert_null (remote_limiter_new (5000, 1000));
}

Test (qa_remote, limiter_full_gives_way_to_the_one_reported_longest_ago)
{
    remote_limiter_t *limiter = remote_limiter_new (2, 60000);
    cr_assert (remote_limiter_allow (limiter, "old", 1000, NULL));
    cr_assert (remote_limiter_allow (limiter, "new", 2000, NULL));
    cr_assert (remote_limiter_allow (limiter, "third", 3000, NULL));
    //  "old" was pushed out, so it counts as new; "new" was kept.
    cr_assert_not (remote_limiter_allow (limiter, "new", 4000, NULL));
    cr_assert (remote_limiter_allow (limiter, "old", 5000, NULL));
    //  Long keys compare on their first 255 bytes, without overflowing.
    char long_key [600];
    memset (long_key, 'k', sizeof long_key - 1);
    long_key [sizeof long_key - 1] = '\0';
    cr_assert (remote_limiter_allow (limiter, long_key, 6000, NULL));
    long_key [500] = 'x';
    cr_assert_not (remote_limiter_allow (limiter, long_key, 7000, NULL));
    remote_limiter_destroy (&limiter);
}

//  A header map {"v": version, "t": type} in msgpack, into buf.
static size_t
s_header (uint8_t *buf, unsigned version, const char *type)
{
    size_t n = 0, length = strlen (type);
    buf [n++] = 0x82;
    buf [n++] = 0xa1;
    buf [n++] = 'v';
    buf [n++] = (uint8_t) version;      //  positive fixint
    buf [n++] = 0xa1;
    buf [n++] = 't';
    buf [n++] = (uint8_t) (0xa0 | length);
    memcpy (buf + n, type, length);
    return n + length;
}

Test (qa_remote, peek_version_tells_another_version_from_garbage)
{
    uint8_t buf [64];
    uint64_t version = 0;
    size_t size = s_header (buf, 2, "ready");
    cr_assert_eq (wire_peek_version (buf, size, &version), 0);
    cr_assert_eq (version, 2);
    cr_assert_eq (wire_type (buf, size), WIRE_UNKNOWN, "version 2 is not ours");
    size = s_header (buf, 1, "hb");
    cr_assert_eq (wire_peek_version (buf, size, &version), 0);
    cr_assert_eq (version, 1);
    cr_assert_eq (wire_type (buf, size), WIRE_HEARTBEAT);
    //  Every prefix of a header is garbage, and so is text.
    for (size_t cut = 0; cut < size; cut++)
        cr_assert_eq (wire_peek_version (buf, cut, &version), -1, "prefix %zu", cut);
    const char *text = "GET / HTTP/1.1\r\n";
    cr_assert_eq (wire_peek_version ((const uint8_t *) text, strlen (text), NULL), -1);
    //  A map without a uint "v", or with "v" twice, tells nothing.
    uint8_t no_version [] = { 0x81, 0xa1, 't', 0xa2, 'h', 'b' };
    cr_assert_eq (wire_peek_version (no_version, sizeof no_version, NULL), -1);
    uint8_t twice [] = { 0x82, 0xa1, 'v', 0x01, 0xa1, 'v', 0x02 };
    cr_assert_eq (wire_peek_version (twice, sizeof twice, NULL), -1);
    cr_assert_eq (wire_peek_version (NULL, 0, NULL), -1);
}

//  Gives the public certificate dir/name (made by keys_new) an expiry,
//  as an operator editing it would.
static void
s_set_expiry (const char *dir, const char *name, const char *expires)
{
    char path [1024];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    char *text = tu_read (path, NULL);
    char *section = text? strstr (text, "metadata\n"): NULL;
    cr_assert_not_null (section);
    section += strlen ("metadata\n");
    char edited [4096];
    snprintf (edited, sizeof edited, "%.*s    expires = \"%s\"\n%s",
              (int) (section - text), text, expires, section);
    free (text);
    unlink (path);
    tu_write (dir, name, edited);
}

Test (qa_remote, keys_carry_an_expiry_and_a_bad_one_fails_the_start_check)
{
    char *dir = tu_tmpdir ();
    char err [512], path [1024];
    cr_assert_eq (keys_new_expiring (dir, "w", 3600, err, sizeof err), 0, "%s", err);
    snprintf (path, sizeof path, "%s/w", dir);
    zcert_t *cert = keys_load_public (path, err, sizeof err);
    cr_assert_not_null (cert, "%s", err);
    time_t when = 0;
    cr_assert_eq (keys_expiry (cert, &when), 1);
    long long left = (long long) (when - time (NULL));
    cr_assert (left > 3500 && left <= 3600, "expires in %lld s", left);
    zcert_destroy (&cert);
    snprintf (path, sizeof path, "%s/w_secret", dir);
    cert = keys_load_secret (path, err, sizeof err);
    cr_assert_not_null (cert, "%s", err);
    cr_assert_eq (keys_expiry (cert, NULL), 1, "the secret half knows it too");
    zcert_destroy (&cert);
    cr_assert_eq (keys_new (dir, "plain", err, sizeof err), 0, "%s", err);
    snprintf (path, sizeof path, "%s/plain", dir);
    cert = keys_load_public (path, err, sizeof err);
    cr_assert_eq (keys_expiry (cert, NULL), 0, "no expiry unless asked");
    zcert_destroy (&cert);
    cr_assert_eq (keys_new_expiring (dir, "bad", -1, err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);

    //  An authorised folder holding a key whose expiry does not read is
    //  refused at start, naming the file.
    char folder [1024], server [1024];
    snprintf (folder, sizeof folder, "%s/workers", dir);
    mkdir (folder, 0700);
    cr_assert_eq (keys_new (dir, "supervisor", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new (folder, "odd", err, sizeof err), 0, "%s", err);
    s_set_expiry (folder, "odd", "next tuesday");
    snprintf (server, sizeof server, "%s/supervisor_secret", dir);
    config_t cfg = { 0 };
    cfg.listen.workers = "tcp://127.0.0.1:7101";
    cfg.security.secret_key = server;
    cfg.security.authorized_workers = folder;
    cr_assert_eq (security_check_endpoints (&cfg, err, sizeof err), -1);
    cr_assert (strstr (err, "odd") && strstr (err, "expires"), "%s", err);
    tu_rmtree (dir);
    free (dir);
}

//  The public key (Z85) of the certificate at path; caller frees.
static char *
s_public_key (const char *path)
{
    char err [512];
    zcert_t *cert = keys_load_public (path, err, sizeof err);
    cr_assert_not_null (cert, "%s", err);
    char *key = strdup (zcert_public_txt (cert));
    zcert_destroy (&cert);
    return key;
}

//  Connects the key pair at secret to endpoint and waits for the
//  supervisor side's refusal notice.
static void
s_refused (security_server_t *server, const char *public_file, const char *secret,
           const char *endpoint, security_refusal_t *refusal)
{
    char err [512];
    zsock_t *peer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (peer, 0);
    cr_assert_eq (curve_client_apply (peer, public_file, secret, err, sizeof err), 0, "%s", err);
    cr_assert_eq (zsock_connect (peer, "%s", endpoint), 0);
    zpoller_t *poller = zpoller_new (security_server_notices (server), NULL);
    cr_assert_not_null (zpoller_wait (poller, 10000), "no notice of the refusal");
    zpoller_destroy (&poller);
    cr_assert_eq (security_server_refusal (server, refusal), 0);
    zsock_destroy (&peer);
}

Test (qa_remote, the_zap_handler_tells_its_owner_of_each_refusal, .timeout = 60)
{
    char *dir = tu_tmpdir ();
    char err [512], folder [1024], path [1024], server_public [1024];
    snprintf (folder, sizeof folder, "%s/workers", dir);
    mkdir (folder, 0700);
    cr_assert_eq (keys_new (dir, "supervisor", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new (dir, "stranger", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new (folder, "member", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new (folder, "old", err, sizeof err), 0, "%s", err);
    s_set_expiry (folder, "old", "2001-01-31T00:00:00Z");
    snprintf (server_public, sizeof server_public, "%s/supervisor", dir);
    config_t cfg;
    config_defaults (&cfg);
    cfg.listen.workers = strdup ("tcp://127.0.0.1:7101");
    snprintf (path, sizeof path, "%s/supervisor_secret", dir);
    cfg.security.secret_key = strdup (path);
    cfg.security.authorized_workers = strdup (folder);
    security_server_t *server = security_server_new (&cfg, err, sizeof err);
    cr_assert_not_null (server, "%s", err);
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_set_linger (router, 0);
    cr_assert_eq (security_server_apply (server, router, SECURITY_WORKERS), 0);
    cr_assert_gt (zsock_bind (router, "tcp://127.0.0.1:*"), 0);
    char *endpoint = zsock_last_endpoint (router);

    security_refusal_t refusal;
    cr_assert_eq (security_server_refusal (server, &refusal), -1, "a notice out of nothing");
    cr_assert_eq (errno, EAGAIN);
    snprintf (path, sizeof path, "%s/stranger_secret", dir);
    s_refused (server, server_public, path, endpoint, &refusal);
    snprintf (path, sizeof path, "%s/stranger", dir);
    char *stranger = s_public_key (path);
    cr_assert_str_eq (refusal.domain, "workers");
    cr_assert_str_eq (refusal.address, "127.0.0.1");
    cr_assert_str_eq (refusal.key, stranger);
    cr_assert (strstr (refusal.reason, "not authorised"), "%s", refusal.reason);

    //  A key past its expiry is refused for that reason.
    snprintf (path, sizeof path, "%s/old_secret", folder);
    s_refused (server, server_public, path, endpoint, &refusal);
    cr_assert (strstr (refusal.reason, "expired") && strstr (refusal.reason, "2001-01-31"),
               "%s", refusal.reason);

    //  A member stays authorised until its certificate goes.
    snprintf (path, sizeof path, "%s/member", folder);
    char *member = s_public_key (path);
    char why [512] = "";
    cr_assert (security_still_authorised (server, SECURITY_WORKERS, member, why, sizeof why));
    unlink (path);
    cr_assert_not (security_still_authorised (server, SECURITY_WORKERS, member, why,
                                              sizeof why));
    cr_assert (strstr (why, "no longer authorised"), "%s", why);
    snprintf (path, sizeof path, "%s/old", folder);
    char *old = s_public_key (path);
    cr_assert_not (security_still_authorised (server, SECURITY_WORKERS, old, why, sizeof why));
    cr_assert (strstr (why, "expired"), "%s", why);

    //  Unread notices never hold up the end.
    snprintf (path, sizeof path, "%s/stranger_secret", dir);
    zsock_t *peer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (peer, 0);
    cr_assert_eq (curve_client_apply (peer, server_public, path, err, sizeof err), 0);
    zsock_connect (peer, "%s", endpoint);
    zpoller_t *poller = zpoller_new (security_server_notices (server), NULL);
    cr_assert_not_null (zpoller_wait (poller, 10000));
    zpoller_destroy (&poller);
    zsock_destroy (&peer);
    zsock_destroy (&router);
    security_server_destroy (&server);
    cr_assert_null (server);
    zstr_free (&endpoint);
    free (stranger);
    free (member);
    free (old);
    config_release (&cfg);
    tu_rmtree (dir);
    free (dir);
}

//  ---------------------------------------------------------------------
//  A supervisor with tcp endpoints and keys, on loopback

typedef struct {
    tree_t tree;
    char *keys;
    char endpoint [64];         //  listen.workers
    char clients [64];          //  listen.clients
} secure_t;

//  keys/: supervisor, good (authorised), short (authorised, expires in
//  lifetime_s when not 0), stranger (not authorised); clients/client.
static void
s_secure_up (secure_t *self, int local_parsers, int lifetime_s)
{
    self->keys = tu_tmpdir ();
    char err [512], path [1024];
    snprintf (path, sizeof path, "%s/workers", self->keys);
    mkdir (path, 0700);
    cr_assert_eq (keys_new (self->keys, "supervisor", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new (self->keys, "stranger", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new (path, "good", err, sizeof err), 0, "%s", err);
    cr_assert_eq (keys_new_expiring (path, "short", lifetime_s > 0? lifetime_s: 3600, err,
                                     sizeof err), 0, "%s", err);
    snprintf (path, sizeof path, "%s/clients", self->keys);
    mkdir (path, 0700);
    cr_assert_eq (keys_new (path, "client", err, sizeof err), 0, "%s", err);
    snprintf (self->endpoint, sizeof self->endpoint, "tcp://127.0.0.1:%d", tu_free_port ());
    snprintf (self->clients, sizeof self->clients, "tcp://127.0.0.1:%d", tu_free_port ());
    char config [2048];
    snprintf (config, sizeof config,
              "listen:\n  workers: %s\n  clients: %s\n"
              "security:\n  secret_key: %s/supervisor_secret\n"
              "  authorized_workers: %s/workers\n  authorized_clients: %s/clients\n"
              "components:\n  parser: {workers: %d}\n",
              self->endpoint, self->clients, self->keys, self->keys, self->keys,
              local_parsers);
    tree_init (&self->tree, config, NULL);
    tree_start (&self->tree);
}

static void
s_secure_down (secure_t *self)
{
    tu_result_t r;
    tree_cli (&self->tree, &r, "down", NULL);
    tu_result_release (&r);
    tree_fini (&self->tree);
    tu_rmtree (self->keys);
    free (self->keys);
}

//  A parser "on another host": server is the public certificate it is
//  given, key its secret one (both relative to keys/); env may be NULL.
static pid_t
s_remote_parser (secure_t *self, const char *server, const char *key, char *log,
                 size_t log_size, char *const env [])
{
    char server_path [1024], key_path [1024];
    snprintf (server_path, sizeof server_path, "%s/%s", self->keys, server);
    snprintf (key_path, sizeof key_path, "%s/%s", self->keys, key);
    snprintf (log, log_size, "%s/%s.log", self->keys, strrchr (key, '/')? strrchr (key, '/') + 1: key);
    char *argv [] = { (char *) tu_bin ("readme2ci-parser"), "--connect", self->endpoint,
                      "--server-key", server_path, "--key", key_path, NULL };
    pid_t pid = tu_spawn (argv, env, log);
    cr_assert_gt (pid, 0);
    return pid;
}

//  Waits until the file at path holds text; false after timeout_ms.
static bool
s_log_says (const char *path, const char *text, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    do {
        char *log = tu_read (path, NULL);
        bool found = log && strstr (log, text);
        free (log);
        if (found)
            return true;
        usleep (50 * 1000);
    } while (tu_now_ms () < deadline);
    return false;
}

//  The next event of type whose "reason" holds text, or NULL.
static json_t *
s_event_saying (tree_events_t *events, const char *type, const char *text, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (tu_now_ms () < deadline) {
        json_t *event = tree_events_wait (events, type, NULL,
                                          (int) (deadline - tu_now_ms ()) + 1);
        if (!event)
            return NULL;
        const char *reason = json_string_value (json_object_get (event, "reason"));
        if (reason && strstr (reason, text))
            return event;
        json_decref (event);
    }
    return NULL;
}

static void
s_stop (pid_t pid)
{
    kill (pid, SIGTERM);
    int status = tu_wait (pid, 5000);
    if (status == -1) {
        kill (pid, SIGKILL);
        tu_wait (pid, 5000);
    }
    cr_assert_neq (status, -1, "worker %d did not stop on SIGTERM", (int) pid);
}

Test (qa_remote, refused_workers_say_why_stop_on_sigterm_and_are_recorded, .timeout = 90)
{
    secure_t secure;
    s_secure_up (&secure, 0, 0);
    tree_events_t *events = tree_events_new (&secure.tree);
    char log_stranger [1024], log_wrong [1024], log_plain [1024];

    //  A key nobody authorised.
    pid_t stranger = s_remote_parser (&secure, "supervisor", "stranger_secret", log_stranger,
                                      sizeof log_stranger, NULL);
    json_t *event = s_event_saying (events, "security.refused", "not authorised", 10000);
    cr_assert_not_null (event, "no event for a refused key");
    cr_assert_str_eq (json_string_value (json_object_get (event, "endpoint")), "workers");
    cr_assert_str_eq (json_string_value (json_object_get (event, "address")), "127.0.0.1");
    json_decref (event);
    cr_assert (s_log_says (log_stranger, "refused this worker's key", 10000),
               "the refused worker did not say why");
    //  It used to block in a send for good, deaf to SIGTERM.
    s_stop (stranger);

    //  The wrong server key: the handshake fails before any key is checked.
    pid_t wrong = s_remote_parser (&secure, "stranger", "workers/good_secret", log_wrong,
                                   sizeof log_wrong, NULL);
    event = s_event_saying (events, "security.refused", "public key", 10000);
    cr_assert_not_null (event, "no event for a peer with the wrong server key");
    json_decref (event);
    cr_assert (s_log_says (log_wrong, "--server-key", 10000), "the worker did not say why");
    s_stop (wrong);

    //  No keys at all on a CURVE endpoint.
    snprintf (log_plain, sizeof log_plain, "%s/plain.log", secure.keys);
    char *argv [] = { (char *) tu_bin ("readme2ci-parser"), "--connect", secure.endpoint, NULL };
    pid_t plain = tu_spawn (argv, NULL, log_plain);
    cr_assert (s_log_says (log_plain, "requires CURVE", 10000), "the plain worker was not told");
    s_stop (plain);

    //  None of them got in, and the supervisor is fine.
    json_t *status = tree_status (&secure.tree);
    cr_assert_not_null (status);
    json_t *parser = json_array_get (json_object_get (status, "components"), 0);
    cr_assert_eq (json_array_size (json_object_get (parser, "workers")), 0);
    json_decref (status);
    tree_events_destroy (&events);
    s_secure_down (&secure);
}

//  `readme2ci status` from another host with the given keys (server NULL:
//  no keys at all).
static void
s_remote_cli (secure_t *self, const char *server, const char *key, char *const *args,
              tu_result_t *r);

static void
s_remote_status (secure_t *self, const char *server, const char *key, tu_result_t *r)
{
    char *args [] = { "status", NULL };
    s_remote_cli (self, server, key, args, r);
}

//  `readme2ci ARGS...` from another host with the given keys (server
//  NULL: no keys at all), bounded at 30 s.
static void
s_remote_cli (secure_t *self, const char *server, const char *key, char *const *args,
              tu_result_t *r)
{
    char endpoint [128], server_env [1024], key_env [1024];
    snprintf (endpoint, sizeof endpoint, "R2CI_ENDPOINT=%s", self->clients);
    snprintf (server_env, sizeof server_env, "R2CI_SERVER_KEY=%s/%s", self->keys,
              server? server: "");
    snprintf (key_env, sizeof key_env, "R2CI_KEY=%s/%s", self->keys, key? key: "");
    char *env [4] = { endpoint, NULL, NULL, NULL };
    if (server) {
        env [1] = server_env;
        env [2] = key_env;
    }
    char *argv [8] = { (char *) tu_bin ("readme2ci") };
    for (size_t i = 0; args [i] && i < 6; i++)
        argv [i + 1] = args [i];
    cr_assert_eq (tu_run (argv, env, NULL, 30000, r), 0, "%s did not end in 30 s", args [0]);
}

Test (qa_remote, a_refused_client_is_told_why, .timeout = 90)
{
    secure_t secure;
    s_secure_up (&secure, 1, 0);
    tu_result_t r;
    //  The client's key is taken. The supervisor answers before its
    //  workers are up (tree_start): a status that says so is asked again.
    long long deadline = tu_now_ms () + 30000;
    s_remote_status (&secure, "supervisor", "clients/client_secret", &r);
    while (r.status != 0 && strstr (r.err, "is starting") && tu_now_ms () < deadline) {
        tu_result_release (&r);
        s_remote_status (&secure, "supervisor", "clients/client_secret", &r);
    }
    cr_assert_eq (r.status, 0, "%s", r.err);
    tu_result_release (&r);
    //  A refusal is exit 6, never the 3 of a supervisor that is not there.
    s_remote_status (&secure, "supervisor", "stranger_secret", &r);
    cr_assert_eq (r.status, 6, "%s", r.err);
    cr_assert (strstr (r.err, "refused this client's key"), "%s", r.err);
    tu_result_release (&r);
    //  Whichever way libzmq tells it (a protocol error, or connections
    //  closed during the handshake), a refusal is said as one, at once.
    s_remote_status (&secure, "stranger", "clients/client_secret", &r);
    cr_assert_eq (r.status, 6, "%s", r.err);
    cr_assert (strstr (r.err, "R2CI_SERVER_KEY"), "%s", r.err);
    tu_result_release (&r);
    s_remote_status (&secure, NULL, NULL, &r);
    cr_assert_eq (r.status, 6, "%s", r.err);
    cr_assert (strstr (r.err, "requires CURVE"), "%s", r.err);
    tu_result_release (&r);
    //  a refusal does not change by waiting: an operation that may wait
    //  five minutes for its answer ends at once
    char *ctl [] = { "ctl", "restart", "parser", NULL };
    s_remote_cli (&secure, "supervisor", "stranger_secret", ctl, &r);
    cr_assert_eq (r.status, 6, "%s", r.err);
    cr_assert (strstr (r.err, "refused this client's key"), "%s", r.err);
    cr_assert (strstr (r.err, "refused by the supervisor at"), "%s", r.err);
    tu_result_release (&r);
    s_secure_down (&secure);
}

//  A "supervisor" that ends every connection during the handshake, with
//  a reset: what a CURVE endpoint does to a client without keys when the
//  client does not get to read its greeting first. Which of the two a
//  client sees depends on timing libzmq does not promise; this one makes
//  the second order certain.
typedef struct {
    int listener;
    int stop [2];
    pthread_t thread;
} closer_t;

static void *
s_closer_run (void *arg)
{
    closer_t *self = arg;
    struct pollfd items [2] = { { self->listener, POLLIN, 0 }, { self->stop [0], POLLIN, 0 } };
    while (poll (items, 2, -1) >= 0 && !(items [1].revents & POLLIN)) {
        if (!(items [0].revents & POLLIN))
            continue;
        int fd = accept4 (self->listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        struct linger reset = { 1, 0 };
        setsockopt (fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        close (fd);
    }
    return NULL;
}

static void
s_closer_start (closer_t *self, char *endpoint, size_t size)
{
    self->listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET,
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    cr_assert_eq (bind (self->listener, (struct sockaddr *) &addr, sizeof addr), 0);
    cr_assert_eq (listen (self->listener, 16), 0);
    socklen_t len = sizeof addr;
    getsockname (self->listener, (struct sockaddr *) &addr, &len);
    snprintf (endpoint, size, "tcp://127.0.0.1:%d", ntohs (addr.sin_port));
    cr_assert_eq (pipe2 (self->stop, O_CLOEXEC), 0);
    cr_assert_eq (pthread_create (&self->thread, NULL, s_closer_run, self), 0);
}

static void
s_closer_stop (closer_t *self)
{
    cr_assert_eq (write (self->stop [1], "x", 1), 1);
    pthread_join (self->thread, NULL);
    close (self->stop [0]);
    close (self->stop [1]);
    close (self->listener);
}

Test (qa_remote, a_handshake_cut_short_is_told_as_requiring_curve_in_any_event_order,
      .timeout = 60)
{
    closer_t closer;
    char endpoint [64];
    s_closer_start (&closer, endpoint, sizeof endpoint);
    //  A client without keys: told at once, not after its timeout, and in
    //  the words a mechanism mismatch gives.
    char *runtime = tu_tmpdir ();
    char env_endpoint [128], env_runtime [1100];
    snprintf (env_endpoint, sizeof env_endpoint, "R2CI_ENDPOINT=%s", endpoint);
    snprintf (env_runtime, sizeof env_runtime, "README2CI_RUNTIME_DIR=%s", runtime);
    char *env [] = { env_endpoint, env_runtime, NULL };
    char *argv [] = { (char *) tu_bin ("readme2ci"), "status", NULL };
    tu_result_t r;
    cr_assert_eq (tu_run (argv, env, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 6, "a refusal, said as one: %s", r.err);
    cr_assert (strstr (r.err, "requires CURVE"), "%s", r.err);
    cr_assert (strstr (r.err, "R2CI_SERVER_KEY"), "%s", r.err);
    tu_result_release (&r);
    //  A worker without keys says the same in its own words, and goes on
    //  trying until it is stopped.
    char log [1200];
    snprintf (log, sizeof log, "%s/worker.log", runtime);
    char *worker_argv [] = { (char *) tu_bin ("readme2ci-parser"), "--connect", endpoint, NULL };
    pid_t worker = tu_spawn (worker_argv, NULL, log);
    cr_assert_gt (worker, 0);
    bool told = s_log_says (log, "requires CURVE", 20000);
    s_stop (worker);
    cr_assert (told, "the worker was not told: %s", tu_read (log, NULL));
    s_closer_stop (&closer);
    tu_rmtree (runtime);
    free (runtime);
}

Test (qa_remote, a_worker_a_test_starts_ends_with_the_test_however_it_ends, .timeout = 60)
{
    //  A test's process that ends without its cleanup (a failed assertion,
    //  a timeout) must not leave a remote worker retrying for good.
    int report [2];
    cr_assert_eq (pipe2 (report, O_CLOEXEC), 0);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", tu_free_port ());
    pid_t test = fork ();
    cr_assert_geq (test, 0);
    if (test == 0) {
        char *argv [] = { (char *) tu_bin ("readme2ci-parser"), "--connect", endpoint, NULL };
        pid_t worker = tu_spawn (argv, NULL, NULL);
        if (write (report [1], &worker, sizeof worker) != sizeof worker)
            _exit (2);
        _exit (1);                  //  as a failed test ends: no cleanup
    }
    close (report [1]);
    pid_t worker = 0;
    cr_assert_eq (read (report [0], &worker, sizeof worker), (ssize_t) sizeof worker);
    close (report [0]);
    cr_assert_gt (worker, 0);
    //  Not our child: its end is awaited through a pidfd.
    int pidfd = (int) syscall (SYS_pidfd_open, worker, 0);
    cr_assert_geq (pidfd, 0, "pidfd_open: %s", strerror (errno));
    tu_wait (test, 10000);
    struct pollfd item = { pidfd, POLLIN, 0 };
    bool alive = poll (&item, 1, 10000) == 0;
    close (pidfd);
    if (alive)
        kill (worker, SIGKILL);
    cr_assert_not (alive, "worker %d outlived the test that started it", (int) worker);
}

Test (qa_remote, a_detached_tree_a_test_starts_ends_with_the_test_however_it_ends,
      .timeout = 90)
{
    //  `up -d` makes a supervisor that is not the test's child: a test
    //  whose assertion fails before tree_fini must still end it.
    int report [2];
    cr_assert_eq (pipe2 (report, O_CLOEXEC), 0);
    pid_t test = fork ();
    cr_assert_geq (test, 0);
    if (test == 0) {
        tree_t tree;
        tree_init (&tree, NULL, NULL);
        tree_up (&tree);
        if (write (report [1], &tree.supervisor, sizeof tree.supervisor)
                != sizeof tree.supervisor)
            _exit (2);
        exit (1);                   //  as a failed assertion ends a test
    }
    close (report [1]);
    pid_t supervisor = 0;
    ssize_t got = read (report [0], &supervisor, sizeof supervisor);
    close (report [0]);
    cr_assert_eq (got, (ssize_t) sizeof supervisor, "the tree did not start");
    int pidfd = (int) syscall (SYS_pidfd_open, supervisor, 0);
    if (pidfd < 0 && errno == ESRCH)
        pidfd = -2;                 //  already gone
    cr_assert_neq (pidfd, -1, "pidfd_open: %s", strerror (errno));
    tu_wait (test, 30000);
    bool alive = false;
    if (pidfd >= 0) {
        struct pollfd item = { pidfd, POLLIN, 0 };
        alive = poll (&item, 1, 10000) == 0;
        close (pidfd);
    }
    if (alive)
        kill (supervisor, SIGTERM);
    cr_assert_not (alive, "supervisor %d outlived the test that started it", (int) supervisor);
}

Test (qa_remote, an_expired_key_is_dropped_and_told_so, .timeout = 90)
{
    secure_t secure;
    s_secure_up (&secure, 0, 4);
    tree_events_t *events = tree_events_new (&secure.tree);
    char log [1024];
    pid_t worker = s_remote_parser (&secure, "supervisor", "workers/short_secret", log,
                                    sizeof log, NULL);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (ready, "the key was refused before it expired");
    json_decref (ready);
    //  Once it has expired the open connection goes too, within the
    //  supervisor's key check (5 s), and the worker hears why.
    json_t *event = s_event_saying (events, "security.refused", "expired", 15000);
    cr_assert_not_null (event, "an expired key kept its connection");
    json_decref (event);
    json_t *gone = tree_events_wait (events, "worker.exited", "parser", 5000);
    cr_assert_not_null (gone);
    json_decref (gone);
    cr_assert (s_log_says (log, "expired", 15000), "the worker did not say its key expired");
    s_stop (worker);
    tree_events_destroy (&events);
    s_secure_down (&secure);
}

Test (qa_remote, a_pool_of_remote_workers_only_is_healthy_and_shown_as_remote, .timeout = 90)
{
    secure_t secure;
    s_secure_up (&secure, 0, 0);
    tree_events_t *events = tree_events_new (&secure.tree);
    tu_result_t r;
    cr_assert_eq (tree_cli (&secure.tree, &r, "health", NULL), 2, "no parser is down: %s",
                  r.out);
    tu_result_release (&r);
    char log [1024];
    pid_t worker = s_remote_parser (&secure, "supervisor", "workers/good_secret", log,
                                    sizeof log, NULL);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (ready);
    json_decref (ready);
    cr_assert_eq (tree_cli (&secure.tree, &r, "health", NULL), 0,
                  "a remote parser does the work, yet: %s", r.out);
    tu_result_release (&r);
    json_t *status = tree_status (&secure.tree);
    json_t *parser = json_array_get (json_object_get (status, "components"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (parser, "state")), "running");
    json_t *entry = json_array_get (json_object_get (parser, "workers"), 0);
    cr_assert_eq (json_integer_value (json_object_get (entry, "pid")), worker);
    cr_assert (json_is_true (json_object_get (entry, "remote")));
    cr_assert_str_eq (json_string_value (json_object_get (entry, "address")), "127.0.0.1");
    cr_assert_eq (json_integer_value (json_object_get (entry, "rss_kib")), 0,
                  "memory read from /proc for a pid of another host");
    json_decref (status);
    cr_assert_eq (tree_cli (&secure.tree, &r, "status", NULL), 0);
    cr_assert (strstr (r.out, "(remote, from 127.0.0.1)"), "%s", r.out);
    tu_result_release (&r);

    //  Operations say what they leave to the other host.
    cr_assert_eq (tree_cli (&secure.tree, &r, "ctl", "stop", "parser", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "on other hosts") && strstr (r.out, "keep serving"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&secure.tree, &r, "ctl", "restart", "parser", NULL), 3);
    cr_assert (strstr (r.err, "on other hosts"), "%s", r.err);
    tu_result_release (&r);

    //  The work still runs there.
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "rust", NULL);
    cr_assert_eq (tree_cli (&secure.tree, &r, "generate", project, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "cargo"), "%s", r.out);
    tu_result_release (&r);
    s_stop (worker);
    tree_events_destroy (&events);
    s_secure_down (&secure);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

//  Waits for the supervisor to exit, then starts it again on the same
//  folders and config.
static void
s_restart_supervisor (secure_t *self, bool crash)
{
    if (crash)
        kill (self->tree.supervisor, SIGKILL);
    else {
        tu_result_t r;
        cr_assert_eq (tree_cli (&self->tree, &r, "down", NULL), 0, "%s", r.err);
        tu_result_release (&r);
    }
    cr_assert_neq (tu_wait (self->tree.supervisor, 15000), -1);
    tree_start (&self->tree);
}

Test (qa_remote, remote_workers_outlive_a_supervisor_restart_or_crash, .timeout = 120)
{
    secure_t secure;
    s_secure_up (&secure, 0, 0);
    char log [1024];
    tree_events_t *events = tree_events_new (&secure.tree);
    pid_t worker = s_remote_parser (&secure, "supervisor", "workers/good_secret", log,
                                    sizeof log, NULL);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (ready);
    json_decref (ready);
    tree_events_destroy (&events);
    for (int round = 0; round < 2; round++) {
        bool crash = round == 1;
        s_restart_supervisor (&secure, crash);
        events = tree_events_new (&secure.tree);
        long long started = tu_now_ms ();
        int pids [2] = { 0 };
        while (tree_worker_pids (&secure.tree, "parser", pids, 2) == 0
           &&  tu_now_ms () - started < 10000)
            usleep (100 * 1000);
        cr_assert_eq (pids [0], worker, "the remote worker did not come back after a %s",
                      crash? "crash": "restart");
        //  It comes back at once, not after missing 3 heartbeats (7.5 s).
        cr_assert_lt (tu_now_ms () - started, 5000, "it took %lld ms",
                      tu_now_ms () - started);
        cr_assert (tu_alive (worker));
        tree_events_destroy (&events);
    }
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "go", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&secure.tree, &r, "generate", project, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    s_stop (worker);
    s_secure_down (&secure);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (qa_remote, garbage_and_other_versions_never_hurt_and_are_reported, .timeout = 90)
{
    secure_t secure;
    s_secure_up (&secure, 1, 0);
    tree_events_t *events = tree_events_new (&secure.tree);
    char server [1024], own [1024], err [512];
    snprintf (server, sizeof server, "%s/supervisor", secure.keys);
    snprintf (own, sizeof own, "%s/workers/good_secret", secure.keys);
    zsock_t *peer = zsock_new (ZMQ_DEALER);
    cr_assert_eq (curve_client_apply (peer, server, own, err, sizeof err), 0, "%s", err);
    zsock_set_sndtimeo (peer, 5000);
    cr_assert_eq (zsock_connect (peer, "%s", secure.endpoint), 0);

    //  A READY of a later protocol version.
    uint8_t header [64];
    size_t size = s_header (header, 2, "ready");
    cr_assert_eq (zmq_send (zsock_resolve (peer), header, size, 0), (int) size);
    json_t *event = s_event_saying (events, "worker.refused", "protocol version 2", 10000);
    cr_assert_not_null (event, "another protocol version went unreported");
    cr_assert_str_eq (json_string_value (json_object_get (event, "address")), "127.0.0.1");
    json_decref (event);
    //  Garbage, many times: reported once.
    for (int i = 0; i < 50; i++)
        cr_assert_eq (zmq_send (zsock_resolve (peer), "\xc1garbage", 8, 0), 8);
    event = s_event_saying (events, "worker.refused", "not readme2ci's protocol", 10000);
    cr_assert_not_null (event, "garbage went unreported");
    json_decref (event);
    event = s_event_saying (events, "worker.refused", "not readme2ci's protocol", 1000);
    cr_assert_null (event, "the same garbage was reported twice");
    //  A heartbeat on a connection that never said READY is told to join.
    size = s_header (header, 1, "hb");
    cr_assert_eq (zmq_send (zsock_resolve (peer), header, size, 0), (int) size);
    zsock_set_rcvtimeo (peer, 5000);
    zmsg_t *answer = zmsg_recv (peer);
    cr_assert_not_null (answer, "no answer to a stranger's heartbeat");
    zframe_t *frame = zmsg_first (answer);
    wire_bye_t bye;
    cr_assert_eq (wire_bye_decode (&bye, zframe_data (frame), zframe_size (frame)), 0);
    cr_assert_str_eq (bye.reason, WIRE_BYE_REJOIN);
    zmsg_destroy (&answer);
    //  A frame over the 64 MiB limit: the connection is cut, nothing else.
    size_t huge = 65u * 1024 * 1024;
    uint8_t *big = calloc (1, huge);
    cr_assert_not_null (big);
    zmq_send (zsock_resolve (peer), big, huge, 0);
    free (big);
    zsock_destroy (&peer);

    //  The supervisor still works.
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "python", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&secure.tree, &r, "generate", project, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert (tu_alive (secure.tree.supervisor));
    tree_events_destroy (&events);
    s_secure_down (&secure);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (qa_remote, a_paused_remote_worker_loses_nothing_and_answers_nothing_twice,
      .timeout = 120)
{
    secure_t secure;
    s_secure_up (&secure, 0, 0);
    tree_events_t *events = tree_events_new (&secure.tree);
    char log [1024];
    pid_t worker = s_remote_parser (&secure, "supervisor", "workers/good_secret", log,
                                    sizeof log, NULL);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (ready);
    json_decref (ready);

    //  The only parser hangs (SIGSTOP, as a host cut off) with a job.
    kill (worker, SIGSTOP);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "node", NULL);
    char out [1024];
    snprintf (out, sizeof out, "%s/out.yml", dir);
    char *argv [] = { (char *) tu_bin ("readme2ci"), "generate", "--timeout", "60000",
                      "-o", out, project, NULL };
    pid_t client = tu_spawn (argv, secure.tree.env, NULL);
    json_t *started = tree_events_wait (events, "workflow.started", NULL, 10000);
    cr_assert_not_null (started);
    const char *id = json_string_value (json_object_get (started, "workflow_id"));
    char workflow [64];
    snprintf (workflow, sizeof workflow, "%s", id? id: "");
    json_decref (started);
    tu_result_t r;
    cr_assert_eq (tree_cli (&secure.tree, &r, "ctl", "scale", "parser", "1", NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);

    //  Dropped after missed heartbeats; the job runs on the local parser.
    json_t *retried = tree_events_wait (events, "workflow.retried", NULL, 15000);
    cr_assert_not_null (retried, "the paused worker's job never moved");
    json_decref (retried);
    cr_assert_eq (tu_wait (client, 20000), 0, "the workflow did not finish");
    cr_assert_eq (access (out, R_OK), 0);

    //  Woken, it answers the old job on its old connection: dropped, and
    //  it is told to join again, which it does at once.
    kill (worker, SIGCONT);
    int completed = 0;
    bool rejoined = false;
    long long deadline = tu_now_ms () + 8000;
    while (tu_now_ms () < deadline && !rejoined) {
        json_t *event = tree_events_next (events, (int) (deadline - tu_now_ms ()) + 1);
        if (!event)
            break;
        const char *type = json_string_value (json_object_get (event, "type"));
        const char *wf = json_string_value (json_object_get (event, "workflow_id"));
        if (strcmp (type, "workflow.completed") == 0 && wf && strcmp (wf, workflow) == 0)
            completed++;
        if (strcmp (type, "worker.ready") == 0
        &&  json_integer_value (json_object_get (event, "pid")) == worker)
            rejoined = true;
        json_decref (event);
    }
    cr_assert (rejoined, "the woken worker did not join again");
    //  (the stream may still hold the first answer, from before SIGCONT)
    cr_assert_leq (completed, 1, "the workflow was answered again");
    //  The journal holds one answer for it, not two.
    cr_assert_eq (tree_cli (&secure.tree, &r, "events", "--type", "workflow.completed",
                            "--json", NULL), 0, "%s", r.err);
    size_t answers = 0;
    for (const char *at = r.out; (at = strstr (at, workflow)); at += strlen (workflow))
        answers++;
    cr_assert_eq (answers, 1, "%s", r.out);
    tu_result_release (&r);
    //  Told to join again, or finding the line silent first: either way
    //  it said it reconnects.
    char *said = s_log_says (log, "reconnecting in", 5000)? NULL: tu_read (log, NULL);
    cr_assert_null (said, "the worker said: %s", said);
    s_stop (worker);
    tree_events_destroy (&events);
    s_secure_down (&secure);
    tu_rmtree (dir);
    free (dir);
    free (project);
}
