/*  Tests for supervisor/keys and supervisor/security: key files, the
    start-up check, and CURVE over tcp on 127.0.0.1 between real sockets.  */
#include "shared/keys.h"
#include "supervisor/security.h"
#include "shared/curve.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  How long a handshake may take before the test gives up, and how long
//  a refused peer is watched for a message that must not come.
#define HANDSHAKE_MS 3000
#define QUIET_MS 250
#define ENDPOINT_MAX 256

//  What czmq shows for the secret key of a public certificate.
#define ZERO_KEY "0000000000000000000000000000000000000000"

//  Keys and folders in a temporary place, laid out as on a real host: the
//  pairs in gen/, the public halves copied into the authorised folders.
typedef struct {
    char *dir;
    char path [PATH_MAX];       //  scratch for s_path
    config_t config;            //  CURVE config over these folders
} fixture_t;

static const char *
s_path (fixture_t *self, const char *relative)
{
    snprintf (self->path, sizeof self->path, "%s/%s", self->dir, relative);
    return self->path;
}

static char *
s_path_dup (fixture_t *self, const char *relative)
{
    return strdup (s_path (self, relative));
}

//  A new pair gen/NAME + gen/NAME_secret, its public half also in folder.
static void
s_key (fixture_t *self, const char *name, const char *folder)
{
    char err [512] = "";
    cr_assert_eq (keys_new (s_path (self, "gen"), name, err, sizeof err), 0, "%s", err);
    if (!folder)
        return;
    char from [PATH_MAX];
    snprintf (from, sizeof from, "%s/gen/%s", self->dir, name);
    char *text = tu_read (from, NULL);
    cr_assert (text);
    char to [PATH_MAX];
    snprintf (to, sizeof to, "%s/%s", folder, name);
    tu_write (self->dir, to, text);
    free (text);
}

static void
s_fixture (fixture_t *self)
{
    memset (self, 0, sizeof *self);
    self->dir = tu_tmpdir ();
    cr_assert (self->dir);
    cr_assert_eq (mkdir (s_path (self, "gen"), 0700), 0);
    cr_assert_eq (mkdir (s_path (self, "workers"), 0755), 0);
    cr_assert_eq (mkdir (s_path (self, "clients"), 0755), 0);
    cr_assert_eq (mkdir (s_path (self, "operators"), 0755), 0);
    s_key (self, "supervisor", NULL);
    s_key (self, "w1", "workers");          //  an authorised worker
    s_key (self, "w2", NULL);               //  a worker nobody let in
    s_key (self, "c1", "clients");          //  a client, not an operator
    s_key (self, "op1", "operators");       //  an operator

    config_defaults (&self->config);
    self->config.listen.workers = strdup ("tcp://0.0.0.0:7101");
    self->config.listen.clients = strdup ("tcp://0.0.0.0:7100");
    self->config.security.secret_key = s_path_dup (self, "gen/supervisor_secret");
    self->config.security.authorized_workers = s_path_dup (self, "workers");
    self->config.security.authorized_clients = s_path_dup (self, "clients");
    self->config.security.operators = s_path_dup (self, "operators");
}

static void
s_fixture_release (fixture_t *self)
{
    config_release (&self->config);
    tu_rmtree (self->dir);
    free (self->dir);
}

//  Replace a config string, freeing the old one.
static void
s_set (char **field, const char *value)
{
    free (*field);
    *field = value? strdup (value): NULL;
}

//  curve_client_apply with two files under the fixture's folder.
static int
s_client_apply (fixture_t *self, zsock_t *sock, const char *server_key,
                const char *own_key, char err [512])
{
    char server_path [PATH_MAX], own_path [PATH_MAX];
    snprintf (server_path, sizeof server_path, "%s/%s", self->dir, server_key);
    snprintf (own_path, sizeof own_path, "%s/%s", self->dir, own_key);
    return curve_client_apply (sock, server_path, own_path, err, 512);
}

static security_server_t *
s_server (fixture_t *self)
{
    char err [512] = "";
    security_server_t *server = security_server_new (&self->config, err, sizeof err);
    cr_assert (server, "%s", err);
    cr_assert (security_server_curve (server));
    return server;
}

//  A socket of type secured for role, bound to a free port on 127.0.0.1;
//  its endpoint goes to endpoint.
static zsock_t *
s_bind (security_server_t *server, int type, security_role_t role,
        char endpoint [ENDPOINT_MAX])
{
    zsock_t *sock = zsock_new (type);
    cr_assert (sock);
    zsock_set_linger (sock, 0);
    cr_assert_eq (security_server_apply (server, sock, role), 0);
    cr_assert_gt (zsock_bind (sock, "tcp://127.0.0.1:*"), 0);
    char *last = zsock_last_endpoint (sock);
    snprintf (endpoint, ENDPOINT_MAX, "%s", last);
    free (last);
    return sock;
}

//  A DEALER with the key pair gen/NAME_secret, watched by *monitor, then
//  connected to endpoint. It does not retry, so one refusal is one event.
static zsock_t *
s_connect (fixture_t *self, const char *name, const char *endpoint, zsock_t **monitor)
{
    static int counter;
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    cr_assert (sock);
    zsock_set_linger (sock, 0);
    zsock_set_reconnect_ivl (sock, 60000);
    char server_key [PATH_MAX], own_key [PATH_MAX], err [512] = "";
    snprintf (server_key, sizeof server_key, "%s/gen/supervisor", self->dir);
    snprintf (own_key, sizeof own_key, "%s/gen/%s_secret", self->dir, name);
    cr_assert_eq (curve_client_apply (sock, server_key, own_key, err, sizeof err), 0,
                  "%s", err);
    char monitor_ep [64];
    snprintf (monitor_ep, sizeof monitor_ep, "inproc://monitor-%d", counter++);
    cr_assert_eq (zmq_socket_monitor (zsock_resolve (sock), monitor_ep,
                                      ZMQ_EVENT_HANDSHAKE_SUCCEEDED
                                      | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                                      | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                                      | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL), 0);
    *monitor = zsock_new (ZMQ_PAIR);
    cr_assert (*monitor);
    cr_assert_eq (zsock_connect (*monitor, "%s", monitor_ep), 0);
    cr_assert_eq (zsock_connect (sock, "%s", endpoint), 0);
    return sock;
}

//  The first handshake event the monitor reports, or 0 on timeout.
static int
s_handshake (zsock_t *monitor)
{
    zpoller_t *poller = zpoller_new (monitor, NULL);
    int event = 0;
    if (zpoller_wait (poller, HANDSHAKE_MS) == monitor) {
        zframe_t *frame = zframe_recv (monitor);
        if (frame && zframe_size (frame) >= 2) {
            uint16_t value;
            memcpy (&value, zframe_data (frame), 2);
            event = value;
        }
        zframe_destroy (&frame);
        while (zsock_rcvmore (monitor)) {
            frame = zframe_recv (monitor);
            zframe_destroy (&frame);
        }
    }
    zpoller_destroy (&poller);
    return event;
}

//  True when sock has something to read within timeout_ms.
static bool
s_readable (zsock_t *sock, int timeout_ms)
{
    zpoller_t *poller = zpoller_new (sock, NULL);
    bool ready = zpoller_wait (poller, timeout_ms) == sock;
    zpoller_destroy (&poller);
    return ready;
}

static char *
s_public_txt (fixture_t *self, const char *name)
{
    char err [512] = "";
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/gen/%s", self->dir, name);
    zcert_t *cert = keys_load_public (path, err, sizeof err);
    cr_assert (cert, "%s", err);
    char *text = strdup (zcert_public_txt (cert));
    zcert_destroy (&cert);
    return text;
}

//  ---------------------------------------------------------------------
//  keys

Test (keys, new_writes_a_pair_czmq_loads)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";
    cr_assert_eq (keys_new (s_path (&f, "gen"), "alpha", err, sizeof err), 0, "%s", err);

    struct stat st;
    cr_assert_eq (stat (s_path (&f, "gen/alpha_secret"), &st), 0);
    cr_assert_eq (st.st_mode & 0777, 0600, "secret mode %o", st.st_mode & 0777);
    cr_assert_eq (stat (s_path (&f, "gen/alpha"), &st), 0);
    cr_assert_eq (st.st_mode & 077 & ~0044, 0, "public file writable by others");

    //  czmq itself reads both files, and the pair belongs together.
    zcert_t *secret = zcert_load (s_path (&f, "gen/alpha_secret"));
    cr_assert (secret);
    char derived [41];
    cr_assert_eq (zmq_curve_public (derived, zcert_secret_txt (secret)), 0);
    cr_assert_str_eq (derived, zcert_public_txt (secret));
    cr_assert_str_eq (zcert_meta (secret, "name"), "alpha");
    const char *created = zcert_meta (secret, "created");
    cr_assert (created && strlen (created) == 20 && created [10] == 'T'
               && created [19] == 'Z', "created: %s", created? created: "(none)");

    //  Our loaders agree with czmq, and czmq's certificate store (which
    //  skips _secret files) finds the public half.
    zcert_t *public = keys_load_public (s_path (&f, "gen/alpha"), err, sizeof err);
    cr_assert (public, "%s", err);
    cr_assert_str_eq (zcert_public_txt (public), zcert_public_txt (secret));
    cr_assert_str_eq (zcert_secret_txt (public), ZERO_KEY);
    zcert_t *loaded = keys_load_secret (s_path (&f, "gen/alpha_secret"), err, sizeof err);
    cr_assert (loaded, "%s", err);
    cr_assert (zcert_eq (loaded, secret));
    zcertstore_t *store = zcertstore_new (s_path (&f, "gen"));
    cr_assert (zcertstore_lookup (store, zcert_public_txt (secret)));
    zcertstore_destroy (&store);

    //  Two pairs are different keys.
    cr_assert_eq (keys_new (s_path (&f, "gen"), "beta", err, sizeof err), 0, "%s", err);
    zcert_t *beta = zcert_load (s_path (&f, "gen/beta_secret"));
    cr_assert_str_neq (zcert_public_txt (beta), zcert_public_txt (secret));
    zcert_destroy (&beta);
    zcert_destroy (&loaded);
    zcert_destroy (&public);
    zcert_destroy (&secret);
    s_fixture_release (&f);
}

Test (keys, new_takes_a_path_as_name)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "", name [PATH_MAX];
    snprintf (name, sizeof name, "%s/gen/host-a", f.dir);
    cr_assert_eq (keys_new (NULL, name, err, sizeof err), 0, "%s", err);
    zcert_t *cert = keys_load_secret (s_path (&f, "gen/host-a_secret"), err, sizeof err);
    cr_assert (cert, "%s", err);
    cr_assert_str_eq (zcert_meta (cert, "name"), "host-a");
    zcert_destroy (&cert);
    s_fixture_release (&f);
}

Test (keys, new_never_overwrites)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";
    char *before_public = tu_read (s_path (&f, "gen/w1"), NULL);
    char *before_secret = tu_read (s_path (&f, "gen/w1_secret"), NULL);
    errno = 0;
    cr_assert_eq (keys_new (s_path (&f, "gen"), "w1", err, sizeof err), -1);
    cr_assert_eq (errno, EEXIST);
    cr_assert (strstr (err, s_path (&f, "gen/w1")), "%s", err);
    cr_assert (strstr (err, "already exists"), "%s", err);
    char *after_public = tu_read (s_path (&f, "gen/w1"), NULL);
    char *after_secret = tu_read (s_path (&f, "gen/w1_secret"), NULL);
    cr_assert_str_eq (after_public, before_public);
    cr_assert_str_eq (after_secret, before_secret);

    //  A lone secret blocks the pair too, and no public half is left.
    tu_write (f.dir, "gen/lone_secret", "not mine\n");
    errno = 0;
    cr_assert_eq (keys_new (s_path (&f, "gen"), "lone", err, sizeof err), -1);
    cr_assert_eq (errno, EEXIST);
    cr_assert (strstr (err, s_path (&f, "gen/lone_secret")), "%s", err);
    cr_assert_eq (access (s_path (&f, "gen/lone"), F_OK), -1);
    char *lone = tu_read (s_path (&f, "gen/lone_secret"), NULL);
    cr_assert_str_eq (lone, "not mine\n");
    free (lone);
    free (before_public);
    free (before_secret);
    free (after_public);
    free (after_secret);
    s_fixture_release (&f);
}

Test (keys, new_refuses_bad_names_and_folders)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";
    errno = 0;
    cr_assert_eq (keys_new (f.dir, "", err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (keys_new (f.dir, "sub/", err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (keys_new (f.dir, "..", err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (keys_new (f.dir, "x_secret", err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert (strstr (err, "_secret"), "%s", err);
    cr_assert_eq (keys_new (s_path (&f, "missing"), "k", err, sizeof err), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert (strstr (err, s_path (&f, "missing/k")), "%s", err);
    s_fixture_release (&f);
}

Test (keys, load_errors_name_the_file)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";

    errno = 0;
    cr_assert_null (keys_load_secret (s_path (&f, "gen/nope_secret"), err, sizeof err));
    cr_assert_eq (errno, ENOENT);
    cr_assert (strstr (err, s_path (&f, "gen/nope_secret")), "%s", err);
    cr_assert (strstr (err, "no such file"), "%s", err);
    cr_assert_null (keys_load_public (s_path (&f, "gen/nope"), err, sizeof err));
    cr_assert_eq (errno, ENOENT);

    //  A public file where a secret is needed, and the other way round.
    cr_assert_null (keys_load_secret (s_path (&f, "gen/w1"), err, sizeof err));
    cr_assert_eq (errno, EPROTO);
    cr_assert (strstr (err, s_path (&f, "gen/w1")), "%s", err);
    cr_assert (strstr (err, "public certificate"), "%s", err);
    cr_assert_null (keys_load_public (s_path (&f, "gen/w1_secret"), err, sizeof err));
    cr_assert_eq (errno, EPROTO);
    cr_assert (strstr (err, "secret key"), "%s", err);

    //  Not certificates at all.
    tu_write (f.dir, "junk/yaml", "listen:\n  workers: tcp://0.0.0.0:7101\n");
    tu_write (f.dir, "junk/binary", "\x01\x02\xff\xfe garbage \x7f");
    tu_write (f.dir, "junk/shortkey", "curve\n    public-key = \"abc\"\n");
    tu_write (f.dir, "junk/badzpl", "curve:\n  public-key: [1, 2\n");
    tu_write (f.dir, "junk/badchars",
              "curve\n    public-key = \"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\"\n");
    const char *junk [] = {
        "junk/yaml", "junk/binary", "junk/badzpl", "junk/shortkey", "junk/badchars"
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk [0]; i++) {
        errno = 0;
        cr_assert_null (keys_load_public (s_path (&f, junk [i]), err, sizeof err), "%s", junk [i]);
        cr_assert_eq (errno, EPROTO, "%s", junk [i]);
        cr_assert (strstr (err, s_path (&f, junk [i])), "%s", err);
    }
    cr_assert_null (keys_load_public (s_path (&f, "junk"), err, sizeof err));
    cr_assert_eq (errno, EISDIR);

    //  A secret others can read is refused, like ssh does.
    cr_assert_eq (chmod (s_path (&f, "gen/c1_secret"), 0644), 0);
    cr_assert_null (keys_load_secret (s_path (&f, "gen/c1_secret"), err, sizeof err));
    cr_assert_eq (errno, EACCES);
    cr_assert (strstr (err, "chmod 600"), "%s", err);

    //  A secret file whose public key belongs to another pair.
    char *w1 = s_public_txt (&f, "w1");
    zcert_t *c1 = zcert_load (s_path (&f, "gen/op1_secret"));
    char text [512];
    snprintf (text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n",
              w1, zcert_secret_txt (c1));
    tu_write (f.dir, "gen/mixed_secret", text);
    cr_assert_eq (chmod (s_path (&f, "gen/mixed_secret"), 0600), 0);
    cr_assert_null (keys_load_secret (s_path (&f, "gen/mixed_secret"), err, sizeof err));
    cr_assert_eq (errno, EPROTO);
    cr_assert (strstr (err, "do not belong together"), "%s", err);
    zcert_destroy (&c1);
    free (w1);
    s_fixture_release (&f);
}

//  ---------------------------------------------------------------------
//  The start-up check

Test (security, check_accepts_curve_config)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";
    cr_assert_eq (security_check_endpoints (&f.config, err, sizeof err), 0, "%s", err);
    s_fixture_release (&f);
}

Test (security, check_insecure_only_on_loopback)
{
    static const char *const loopback [] = {
        "tcp://127.0.0.1:7101", "tcp://127.1.2.3:7101", "tcp://localhost:7101",
        "tcp://[::1]:7101", "tcp://127.0.0.1:*",
    };
    static const char *const other [] = {
        "tcp://0.0.0.0:7101", "tcp://*:7101", "tcp://10.0.0.5:7101",
        "tcp://127.example.com:7101", "tcp://[::]:7101", "tcp://128.0.0.1:7101",
        "tcp://localhost.evil:7101", "tcp://127.0.0.1", "tcp://eth0:7101",
    };
    config_t config;
    config_defaults (&config);
    config.security.insecure = true;
    char err [512] = "";
    for (size_t i = 0; i < sizeof loopback / sizeof loopback [0]; i++) {
        s_set (&config.listen.workers, loopback [i]);
        s_set (&config.listen.clients, loopback [i]);
        cr_assert_eq (security_check_endpoints (&config, err, sizeof err), 0,
                      "%s: %s", loopback [i], err);
        //  An insecure server runs no handler and leaves sockets as they are.
        security_server_t *server = security_server_new (&config, err, sizeof err);
        cr_assert (server, "%s", err);
        cr_assert_not (security_server_curve (server));
        security_server_destroy (&server);
        cr_assert_null (server);
    }
    s_set (&config.listen.clients, NULL);
    for (size_t i = 0; i < sizeof other / sizeof other [0]; i++) {
        s_set (&config.listen.workers, other [i]);
        errno = 0;
        cr_assert_eq (security_check_endpoints (&config, err, sizeof err), -1, "%s", other [i]);
        cr_assert_eq (errno, EINVAL);
        cr_assert (strstr (err, other [i]), "%s", err);
        cr_assert (strstr (err, "loopback"), "%s", err);
        cr_assert_null (security_server_new (&config, err, sizeof err));
    }
    config_release (&config);
}

Test (security, check_tcp_needs_curve_or_insecure)
{
    config_t config;
    config_defaults (&config);
    char err [512] = "";
    //  ipc endpoints, or none, need nothing.
    cr_assert_eq (security_check_endpoints (&config, err, sizeof err), 0, "%s", err);
    s_set (&config.listen.workers, "ipc:///tmp/r2ci-test-workers");
    cr_assert_eq (security_check_endpoints (&config, err, sizeof err), 0, "%s", err);

    s_set (&config.listen.clients, "tcp://127.0.0.1:7100");
    errno = 0;
    cr_assert_eq (security_check_endpoints (&config, err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert (strstr (err, "listen.clients"), "%s", err);
    cr_assert (strstr (err, "secret_key"), "%s", err);

    //  A secret key without the folder of keys for that endpoint.
    s_set (&config.security.secret_key, "/nonexistent/supervisor_secret");
    cr_assert_eq (security_check_endpoints (&config, err, sizeof err), -1);
    cr_assert (strstr (err, "authorized_clients"), "%s", err);

    //  Both ways at once.
    config.security.insecure = true;
    cr_assert_eq (security_check_endpoints (&config, err, sizeof err), -1);
    cr_assert (strstr (err, "contradict"), "%s", err);
    config_release (&config);
}

Test (security, check_missing_files_name_the_path)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";

    s_set (&f.config.security.secret_key, s_path (&f, "gen/missing_secret"));
    errno = 0;
    cr_assert_eq (security_check_endpoints (&f.config, err, sizeof err), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert (strstr (err, s_path (&f, "gen/missing_secret")), "%s", err);
    cr_assert (strstr (err, "secret_key"), "%s", err);
    cr_assert_null (security_server_new (&f.config, err, sizeof err));
    cr_assert_eq (errno, ENOENT);
    cr_assert (strstr (err, s_path (&f, "gen/missing_secret")), "%s", err);

    //  The public half given as the supervisor's secret.
    s_set (&f.config.security.secret_key, s_path (&f, "gen/supervisor"));
    cr_assert_eq (security_check_endpoints (&f.config, err, sizeof err), -1);
    cr_assert_eq (errno, EPROTO);
    cr_assert (strstr (err, s_path (&f, "gen/supervisor")), "%s", err);
    s_set (&f.config.security.secret_key, s_path (&f, "gen/supervisor_secret"));

    s_set (&f.config.security.authorized_workers, s_path (&f, "no-workers"));
    cr_assert_eq (security_check_endpoints (&f.config, err, sizeof err), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert (strstr (err, s_path (&f, "no-workers")), "%s", err);
    cr_assert (strstr (err, "authorized_workers"), "%s", err);
    s_set (&f.config.security.authorized_workers, s_path (&f, "workers"));

    //  Something in a folder that is not a public certificate.
    tu_write (f.dir, "operators/notes.txt", "ask Ada before adding keys\n");
    cr_assert_eq (security_check_endpoints (&f.config, err, sizeof err), -1);
    cr_assert_eq (errno, EPROTO);
    cr_assert (strstr (err, s_path (&f, "operators/notes.txt")), "%s", err);
    cr_assert (strstr (err, "operators"), "%s", err);
    cr_assert_eq (unlink (s_path (&f, "operators/notes.txt")), 0);
    //  Hidden files and _secret files are passed over, as zcertstore does.
    tu_write (f.dir, "operators/.keep", "");
    tu_write (f.dir, "operators/stray_secret", "x");
    cr_assert_eq (security_check_endpoints (&f.config, err, sizeof err), 0, "%s", err);

    //  The client side names the file it could not use.
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    errno = 0;
    cr_assert_eq (s_client_apply (&f, sock, "gen/nope", "gen/w1_secret", err), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert (strstr (err, s_path (&f, "gen/nope")), "%s", err);
    cr_assert_eq (s_client_apply (&f, sock, "gen/supervisor", "gen/nope_secret", err), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert (strstr (err, s_path (&f, "gen/nope_secret")), "%s", err);
    //  The server's secret handed out as its public key is refused.
    cr_assert_eq (s_client_apply (&f, sock, "gen/supervisor_secret", "gen/w1_secret", err), -1);
    cr_assert_eq (errno, EPROTO);
    zsock_destroy (&sock);
    s_fixture_release (&f);
}

//  ---------------------------------------------------------------------
//  CURVE over tcp

Test (security, authorised_worker_exchanges_messages)
{
    fixture_t f;
    s_fixture (&f);
    security_server_t *server = s_server (&f);
    char endpoint [ENDPOINT_MAX];
    zsock_t *router = s_bind (server, ZMQ_ROUTER, SECURITY_WORKERS, endpoint);
    zsock_t *monitor;
    zsock_t *worker = s_connect (&f, "w1", endpoint, &monitor);
    cr_assert_eq (s_handshake (monitor), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);

    cr_assert_eq (zstr_send (worker, "READY"), 0);
    cr_assert (s_readable (router, HANDSHAKE_MS));
    zmsg_t *msg = zmsg_recv (router);
    cr_assert_eq (zmsg_size (msg), 2);
    zframe_t *identity = zmsg_pop (msg);
    zframe_t *body = zmsg_pop (msg);
    cr_assert (zframe_streq (body, "READY"));
    //  The peer's key and certificate name travel with the frames it
    //  sent; the identity frame the ROUTER made up carries none.
    char *w1 = s_public_txt (&f, "w1");
    cr_assert_str_eq (security_frame_key (body), w1);
    cr_assert_null (security_frame_key (identity));
    cr_assert_str_eq (zframe_meta (body, "X-Key-Name"), "w1");

    zmsg_t *reply = zmsg_new ();
    zmsg_append (reply, &identity);
    zmsg_addstr (reply, "JOB");
    cr_assert_eq (zmsg_send (&reply, router), 0);
    cr_assert (s_readable (worker, HANDSHAKE_MS));
    char *text = zstr_recv (worker);
    cr_assert_str_eq (text, "JOB");
    zstr_free (&text);
    free (w1);
    zframe_destroy (&body);
    zmsg_destroy (&msg);
    zsock_destroy (&worker);
    zsock_destroy (&monitor);
    zsock_destroy (&router);
    security_server_destroy (&server);
    s_fixture_release (&f);
}

//  Connect name to a DEALER bound for role that tries to send it a
//  message; returns whether the handshake succeeded and checks that a
//  refused peer neither gets nor sends anything.
static bool
s_exchange (fixture_t *self, security_server_t *server, security_role_t role,
            const char *name)
{
    char endpoint [ENDPOINT_MAX];
    zsock_t *bound = s_bind (server, ZMQ_DEALER, role, endpoint);
    zsock_t *monitor;
    zsock_t *peer = s_connect (self, name, endpoint, &monitor);
    int event = s_handshake (monitor);
    bool accepted = event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
    if (!accepted)
        cr_assert_eq (event, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, "%s: event %d", name, event);

    //  A bound DEALER with no connected peer cannot queue a message at
    //  all; the peer's own message waits for a connection that never comes.
    int rc = zmq_send (zsock_resolve (bound), "WORK", 4, ZMQ_DONTWAIT);
    int bound_errno = zmq_errno ();
    int sent = zmq_send (zsock_resolve (peer), "HELLO", 5, ZMQ_DONTWAIT);
    int send_errno = zmq_errno ();
    if (accepted) {
        cr_assert_eq (rc, 4);
        cr_assert_eq (sent, 5);
        cr_assert (s_readable (peer, HANDSHAKE_MS));
        cr_assert (s_readable (bound, HANDSHAKE_MS));
    }
    else {
        cr_assert_eq (rc, -1);
        cr_assert_eq (bound_errno, EAGAIN);
        //  The peer's message either waits for a connection that never
        //  comes or, when libzmq has just dropped the refused one and not
        //  yet tried again, finds no pipe at all: both mean it goes nowhere.
        cr_assert (sent == 5 || (sent == -1 && send_errno == EAGAIN), "send: %d", sent);
        cr_assert_not (s_readable (peer, QUIET_MS));
        cr_assert_not (s_readable (bound, 0));
    }
    zsock_destroy (&peer);
    zsock_destroy (&monitor);
    zsock_destroy (&bound);
    return accepted;
}

Test (security, unauthorised_worker_never_gets_through)
{
    fixture_t f;
    s_fixture (&f);
    security_server_t *server = s_server (&f);
    cr_assert (s_exchange (&f, server, SECURITY_WORKERS, "w1"));
    cr_assert_not (s_exchange (&f, server, SECURITY_WORKERS, "w2"));
    //  Client and operator keys are not worker keys.
    cr_assert_not (s_exchange (&f, server, SECURITY_WORKERS, "c1"));
    cr_assert_not (s_exchange (&f, server, SECURITY_WORKERS, "op1"));

    //  Nor does a ROUTER hear anything from the refused key.
    char endpoint [ENDPOINT_MAX];
    zsock_t *router = s_bind (server, ZMQ_ROUTER, SECURITY_WORKERS, endpoint);
    zsock_t *monitor;
    zsock_t *worker = s_connect (&f, "w2", endpoint, &monitor);
    cr_assert_eq (s_handshake (monitor), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    zmq_send (zsock_resolve (worker), "READY", 5, ZMQ_DONTWAIT);
    cr_assert_not (s_readable (router, QUIET_MS));
    zsock_destroy (&worker);
    zsock_destroy (&monitor);
    zsock_destroy (&router);
    security_server_destroy (&server);
    s_fixture_release (&f);
}

Test (security, worker_key_cannot_use_the_clients_socket)
{
    fixture_t f;
    s_fixture (&f);
    security_server_t *server = s_server (&f);
    cr_assert_not (s_exchange (&f, server, SECURITY_CLIENTS, "w1"));
    cr_assert_not (s_exchange (&f, server, SECURITY_CLIENTS, "w2"));
    cr_assert (s_exchange (&f, server, SECURITY_CLIENTS, "c1"));
    cr_assert (s_exchange (&f, server, SECURITY_CLIENTS, "op1"));
    security_server_destroy (&server);
    s_fixture_release (&f);
}

Test (security, operators_told_apart_by_user_id)
{
    fixture_t f;
    s_fixture (&f);
    security_server_t *server = s_server (&f);
    char endpoint [ENDPOINT_MAX];
    zsock_t *router = s_bind (server, ZMQ_ROUTER, SECURITY_CLIENTS, endpoint);
    const char *names [] = { "c1", "op1" };
    for (size_t i = 0; i < 2; i++) {
        zsock_t *monitor;
        zsock_t *client = s_connect (&f, names [i], endpoint, &monitor);
        cr_assert_eq (s_handshake (monitor), ZMQ_EVENT_HANDSHAKE_SUCCEEDED, "%s", names [i]);
        cr_assert_eq (zstr_send (client, "ctl stop parser"), 0);
        cr_assert (s_readable (router, HANDSHAKE_MS));
        //  As the supervisor would: the operation is checked against the
        //  key of the peer that sent it, not anything the message says.
        zmsg_t *msg = zmsg_recv (router);
        zframe_t *identity = zmsg_first (msg);
        zframe_t *body = zmsg_next (msg);
        char *expected = s_public_txt (&f, names [i]);
        const char *key = security_frame_key (body);
        cr_assert_str_eq (key, expected);
        bool operator = i == 1;
        cr_assert_eq (security_is_operator (server, key), operator, "%s", names [i]);
        cr_assert_eq (security_may_operate (server, body, "ctl stop parser"), operator);
        cr_assert_not (security_may_operate (server, identity, "ctl stop parser"));
        free (expected);
        zmsg_destroy (&msg);
        zsock_destroy (&client);
        zsock_destroy (&monitor);
    }
    //  Keys that are no keys, and frames from no CURVE peer.
    cr_assert_not (security_is_operator (server, NULL));
    cr_assert_not (security_is_operator (server, "not a key"));
    cr_assert_not (security_is_operator (server, ZERO_KEY));
    zframe_t *local = zframe_new ("ctl", 3);
    cr_assert_null (security_frame_key (local));
    cr_assert_not (security_may_operate (server, local, "ctl stop parser"));
    zframe_destroy (&local);
    zsock_destroy (&router);
    security_server_destroy (&server);
    s_fixture_release (&f);
}

Test (security, folders_are_reread_on_each_connection)
{
    fixture_t f;
    s_fixture (&f);
    security_server_t *server = s_server (&f);
    cr_assert_not (s_exchange (&f, server, SECURITY_WORKERS, "w2"));
    char *text = tu_read (s_path (&f, "gen/w2"), NULL);
    tu_write (f.dir, "workers/w2", text);
    free (text);
    cr_assert (s_exchange (&f, server, SECURITY_WORKERS, "w2"));
    //  Revoked: the key file removed, the next connection is refused.
    cr_assert_eq (unlink (s_path (&f, "workers/w1")), 0);
    cr_assert_not (s_exchange (&f, server, SECURITY_WORKERS, "w1"));
    //  Operators likewise.
    char *c1 = s_public_txt (&f, "c1");
    cr_assert_not (security_is_operator (server, c1));
    text = tu_read (s_path (&f, "gen/c1"), NULL);
    tu_write (f.dir, "operators/c1", text);
    free (text);
    cr_assert (security_is_operator (server, c1));
    free (c1);
    security_server_destroy (&server);
    s_fixture_release (&f);
}

Test (security, one_handler_per_process_and_fail_closed)
{
    fixture_t f;
    s_fixture (&f);
    security_server_t *server = s_server (&f);
    char err [512] = "";
    errno = 0;
    cr_assert_null (security_server_new (&f.config, err, sizeof err));
    cr_assert_eq (errno, EADDRINUSE);
    cr_assert (strstr (err, "ZAP handler"), "%s", err);

    //  A socket that outlives the handler refuses even authorised keys.
    char endpoint [ENDPOINT_MAX];
    zsock_t *router = s_bind (server, ZMQ_ROUTER, SECURITY_WORKERS, endpoint);
    security_server_destroy (&server);
    zsock_t *monitor;
    zsock_t *worker = s_connect (&f, "w1", endpoint, &monitor);
    cr_assert_neq (s_handshake (monitor), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    zmq_send (zsock_resolve (worker), "READY", 5, ZMQ_DONTWAIT);
    cr_assert_not (s_readable (router, QUIET_MS));
    zsock_destroy (&worker);
    zsock_destroy (&monitor);
    zsock_destroy (&router);

    //  Once the first is gone, a new one starts.
    server = s_server (&f);
    security_server_destroy (&server);
    s_fixture_release (&f);
}

Test (security, apply_only_before_bind)
{
    fixture_t f;
    s_fixture (&f);
    security_server_t *server = s_server (&f);
    zsock_t *sock = zsock_new (ZMQ_ROUTER);
    cr_assert_gt (zsock_bind (sock, "tcp://127.0.0.1:*"), 0);
    errno = 0;
    cr_assert_eq (security_server_apply (server, sock, SECURITY_WORKERS), -1);
    cr_assert_eq (errno, EINVAL);
    zsock_destroy (&sock);

    sock = zsock_new (ZMQ_DEALER);
    char err [512] = "";
    cr_assert_eq (zsock_connect (sock, "tcp://127.0.0.1:1"), 0);
    cr_assert_eq (s_client_apply (&f, sock, "gen/supervisor", "gen/w1_secret", err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert (strstr (err, "before it connects"), "%s", err);
    zsock_destroy (&sock);
    security_server_destroy (&server);
    s_fixture_release (&f);
}

Test (security, insecure_loopback_talks_plain)
{
    config_t config;
    config_defaults (&config);
    config.security.insecure = true;
    s_set (&config.listen.workers, "tcp://127.0.0.1:7101");
    char err [512] = "";
    security_server_t *server = security_server_new (&config, err, sizeof err);
    cr_assert (server, "%s", err);
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_set_linger (router, 0);
    cr_assert_eq (security_server_apply (server, router, SECURITY_WORKERS), 0);
    cr_assert_gt (zsock_bind (router, "tcp://127.0.0.1:*"), 0);
    char *endpoint = zsock_last_endpoint (router);
    zsock_t *worker = zsock_new (ZMQ_DEALER);
    zsock_set_linger (worker, 0);
    cr_assert_eq (zsock_connect (worker, "%s", endpoint), 0);
    cr_assert_eq (zstr_send (worker, "READY"), 0);
    cr_assert (s_readable (router, HANDSHAKE_MS));
    zmsg_t *msg = zmsg_recv (router);
    zframe_t *body = zmsg_last (msg);
    cr_assert_null (security_frame_key (body));
    //  No key, no operations over tcp.
    cr_assert_not (security_may_operate (server, body, "ctl scale parser 2"));
    zmsg_destroy (&msg);
    free (endpoint);
    zsock_destroy (&worker);
    zsock_destroy (&router);
    security_server_destroy (&server);
    config_release (&config);
}
