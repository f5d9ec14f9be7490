/*  Remote workers and clients over tcp with CURVE, on loopback: a worker
    with an authorised key joins the pool and takes jobs, one without never
    does, killing the remote worker loses nothing, a client that is not an
    operator may generate but not run operations, and tcp without CURVE is
    refused unless explicitly insecure on loopback.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void
s_keys (tree_t *tree, const char *path)
{
    tu_result_t r;
    cr_assert_eq (tree_cli (tree, &r, "keys", "new", path, NULL), 0, "%s", r.err);
    tu_result_release (&r);
}

static void
s_copy (const char *from, const char *to)
{
    char *text = tu_read (from, NULL);
    cr_assert_not_null (text, "%s", from);
    FILE *file = fopen (to, "w");
    fputs (text, file);
    fclose (file);
    free (text);
}

typedef struct {
    tree_t tree;
    char *keys;
    int workers_port;
    int clients_port;
    char workers_ep [64];
    char clients_ep [64];
} secure_t;

static void
s_secure_up (secure_t *self, int local_parsers)
{
    //  Keys are made with a throwaway tree's CLI (keys need no supervisor).
    tree_t scratch;
    tree_init (&scratch, NULL, NULL);
    self->keys = tu_tmpdir ();
    char path [1024];
    const char *names [] = { "supervisor", "worker-a", "worker-x", "client", "operator" };
    for (size_t i = 0; i < 5; i++) {
        snprintf (path, sizeof path, "%s/%s", self->keys, names [i]);
        s_keys (&scratch, path);
    }
    tree_fini (&scratch);
    for (size_t i = 0; i < 3; i++) {
        const char *folder = i == 0? "workers": i == 1? "clients": "operators";
        snprintf (path, sizeof path, "%s/%s", self->keys, folder);
        mkdir (path, 0700);
    }
    char from [1024], to [1024];
    snprintf (from, sizeof from, "%s/worker-a", self->keys);
    snprintf (to, sizeof to, "%s/workers/worker-a", self->keys);
    s_copy (from, to);
    snprintf (from, sizeof from, "%s/client", self->keys);
    snprintf (to, sizeof to, "%s/clients/client", self->keys);
    s_copy (from, to);
    snprintf (from, sizeof from, "%s/operator", self->keys);
    snprintf (to, sizeof to, "%s/clients/operator", self->keys);
    s_copy (from, to);
    snprintf (to, sizeof to, "%s/operators/operator", self->keys);
    s_copy (from, to);
    self->workers_port = tu_free_port ();
    self->clients_port = tu_free_port ();
    snprintf (self->workers_ep, sizeof self->workers_ep, "tcp://127.0.0.1:%d", self->workers_port);
    snprintf (self->clients_ep, sizeof self->clients_ep, "tcp://127.0.0.1:%d", self->clients_port);
    char config [4096];
    snprintf (config, sizeof config,
              "listen:\n  workers: %s\n  clients: %s\n"
              "security:\n  secret_key: %s/supervisor_secret\n"
              "  authorized_workers: %s/workers\n  authorized_clients: %s/clients\n"
              "  operators: %s/operators\n"
              "components:\n  parser: {workers: %d}\n",
              self->workers_ep, self->clients_ep, self->keys, self->keys, self->keys,
              self->keys, local_parsers);
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

static pid_t
s_remote_parser (secure_t *self, const char *key, const char *log)
{
    char server [1024], own [1024];
    snprintf (server, sizeof server, "%s/supervisor", self->keys);
    snprintf (own, sizeof own, "%s/%s_secret", self->keys, key);
    char *argv [] = { (char *) tu_bin ("readme2ci-parser"), "--connect", self->workers_ep,
                      "--server-key", server, "--key", own, NULL };
    return tu_spawn (argv, NULL, log);
}

//  The parser workers status shows: pids and hosts.
static size_t
s_parsers (tree_t *tree, int *pids, char hosts [][64], size_t max)
{
    json_t *status = tree_status (tree);
    json_t *parser = json_array_get (json_object_get (status, "components"), 0);
    size_t count = 0, i;
    json_t *w;
    json_array_foreach (json_object_get (parser, "workers"), i, w) {
        if (count >= max || strcmp (json_string_value (json_object_get (w, "state")), "ready"))
            continue;
        pids [count] = (int) json_integer_value (json_object_get (w, "pid"));
        snprintf (hosts [count], 64, "%s", json_string_value (json_object_get (w, "host")));
        count++;
    }
    json_decref (status);
    return count;
}

Test (remote, an_authorised_worker_joins_and_works_an_unknown_one_never_does, .timeout = 120)
{
    secure_t secure;
    s_secure_up (&secure, 0);
    tree_events_t *events = tree_events_new (&secure.tree);
    char log_a [1024], log_x [1024];
    snprintf (log_a, sizeof log_a, "%s/worker-a.log", secure.keys);
    snprintf (log_x, sizeof log_x, "%s/worker-x.log", secure.keys);
    pid_t intruder = s_remote_parser (&secure, "worker-x", log_x);
    pid_t worker = s_remote_parser (&secure, "worker-a", log_a);
    json_t *ready = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (ready, "the authorised worker never became ready");
    cr_assert_eq (json_integer_value (json_object_get (ready, "pid")), worker,
                  "an unauthorised worker got in");
    json_decref (ready);
    int pids [4];
    char hosts [4][64];
    cr_assert_eq (s_parsers (&secure.tree, pids, hosts, 4), 1);
    cr_assert_eq (pids [0], worker);
    cr_assert_str_neq (hosts [0], "local", "a remote worker shows as local");

    //  Every parse runs on the remote worker: there is no local parser.
    char *dir = tu_tmpdir ();
    char *out = tu_tmpdir ();
    char *paths [6];
    for (int i = 0; i < 6; i++) {
        char name [16];
        snprintf (name, sizeof name, "p%d", i);
        paths [i] = tree_project (dir, name, i % 2? "node": "rust", NULL);
    }
    tu_result_t r;
    cr_assert_eq (tree_cli (&secure.tree, &r, "generate", "--out-dir", out, paths [0], paths [1],
                            paths [2], paths [3], paths [4], paths [5], NULL), 0, "%s", r.err);
    tu_result_release (&r);
    //  The intruder is still trying, and still has no job and no place.
    cr_assert (tu_alive (intruder));
    cr_assert_eq (s_parsers (&secure.tree, pids, hosts, 4), 1);

    //  Killing the remote worker, with a local one there, loses nothing.
    cr_assert_eq (tree_cli (&secure.tree, &r, "ctl", "scale", "parser", "1", NULL), 0, "%s",
                  r.err);
    tu_result_release (&r);
    json_t *local = tree_events_wait (events, "worker.ready", "parser", 10000);
    cr_assert_not_null (local);
    json_decref (local);
    kill (worker, SIGKILL);
    tu_wait (worker, 5000);
    char *out2 = tu_tmpdir ();
    cr_assert_eq (tree_cli (&secure.tree, &r, "generate", "--timeout", "30000", "--out-dir", out2,
                            paths [0], paths [1], paths [2], paths [3], paths [4], paths [5],
                            NULL), 0, "%s", r.err);
    tu_result_release (&r);
    for (int i = 0; i < 6; i++) {
        char file [1024];
        snprintf (file, sizeof file, "%s/p%d.yml", out2, i);
        cr_assert_eq (access (file, R_OK), 0, "p%d has no workflow", i);
        free (paths [i]);
    }
    kill (intruder, SIGKILL);
    tu_wait (intruder, 5000);
    tree_events_destroy (&events);
    s_secure_down (&secure);
    tu_rmtree (dir);
    tu_rmtree (out);
    tu_rmtree (out2);
    free (dir);
    free (out);
    free (out2);
}

Test (remote, clients_over_tcp_need_keys_and_operations_need_an_operator, .timeout = 120)
{
    secure_t secure;
    s_secure_up (&secure, 1);
    char server [1024], client [1024], operator [1024];
    snprintf (server, sizeof server, "R2CI_SERVER_KEY=%s/supervisor", secure.keys);
    snprintf (client, sizeof client, "R2CI_KEY=%s/client_secret", secure.keys);
    snprintf (operator, sizeof operator, "R2CI_KEY=%s/operator_secret", secure.keys);
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "R2CI_ENDPOINT=%s", secure.clients_ep);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "go", NULL);
    char *cli = (char *) tu_bin ("readme2ci");
    tu_result_t r;

    char *as_client [] = { endpoint, server, client, NULL };
    char *generate [] = { cli, "generate", project, NULL };
    cr_assert_eq (tu_run (generate, as_client, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (strstr (r.out, "go test"), "%s", r.out);
    tu_result_release (&r);
    char *scale [] = { cli, "ctl", "scale", "parser", "2", NULL };
    cr_assert_eq (tu_run (scale, as_client, NULL, 30000, &r), 0);
    //  Refused by permission: exit 6, as the exit table says.
    cr_assert_eq (r.status, 6, "a client that is not an operator scaled: %s", r.out);
    cr_assert (strstr (r.err, "permission denied"), "%s", r.err);
    tu_result_release (&r);
    //  down with that key: refused and said so; the supervisor runs on.
    char *down [] = { cli, "down", NULL };
    cr_assert_eq (tu_run (down, as_client, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 6, "%s%s", r.out, r.err);
    cr_assert (strstr (r.err, "permission denied") && !strstr (r.out, "stopped"), "%s%s",
               r.out, r.err);
    tu_result_release (&r);
    cr_assert (tu_alive (secure.tree.supervisor), "a refused down stopped the supervisor");
    //  health without keys: the supervisor is up and refuses; it is not
    //  reported absent ("no supervisor answers", down).
    char *as_nobody [] = { endpoint, NULL };
    char *health [] = { cli, "health", NULL };
    cr_assert_eq (tu_run (health, as_nobody, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 6, "%s%s", r.out, r.err);
    cr_assert (strstr (r.out, "refused") && !strstr (r.out, "no supervisor answers"), "%s",
               r.out);
    tu_result_release (&r);
    cr_assert_eq (tu_run (health, as_client, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 0, "%s%s", r.out, r.err);
    tu_result_release (&r);

    char *as_operator [] = { endpoint, server, operator, NULL };
    cr_assert_eq (tu_run (scale, as_operator, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 0, "the operator could not scale: %s", r.err);
    tu_result_release (&r);

    //  A key nobody authorised is refused at the handshake, and told so.
    char stranger [1024];
    snprintf (stranger, sizeof stranger, "R2CI_KEY=%s/worker-x_secret", secure.keys);
    char *as_stranger [] = { endpoint, server, stranger, NULL };
    char *quick [] = { cli, "generate", "--timeout", "1500", project, NULL };
    cr_assert_eq (tu_run (quick, as_stranger, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 6, "a stranger was served: %s", r.out);
    cr_assert (strstr (r.err, "refused this client's key"), "%s", r.err);
    cr_assert (strstr (r.err, "refused by the supervisor"), "%s", r.err);
    tu_result_release (&r);
    s_secure_down (&secure);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

Test (remote, tcp_without_curve_is_refused_unless_insecure_on_loopback, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, "listen:\n  workers: tcp://0.0.0.0:7101\n", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "up", "-d", "-c", tree.config, NULL), 2, "%s", r.out);
    cr_assert (strstr (r.err, "workers"), "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);

    int port = tu_free_port ();
    char config [256];
    snprintf (config, sizeof config, "listen:\n  workers: tcp://127.0.0.1:%d\n"
              "security:\n  insecure: true\n", port);
    tree_init (&tree, config, NULL);
    tree_up (&tree);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    char *argv [] = { (char *) tu_bin ("readme2ci-detector"), "--connect", endpoint, NULL };
    //  subscribed first: the worker's READY may come before a late SUB
    tree_events_t *events = tree_events_new (&tree);
    pid_t worker = tu_spawn (argv, NULL, NULL);
    json_t *ready = tree_events_wait (events, "worker.ready", "detector", 10000);
    cr_assert_not_null (ready, "a plain worker on insecure loopback did not join");
    json_decref (ready);
    tree_events_destroy (&events);
    kill (worker, SIGKILL);
    tu_wait (worker, 5000);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
}

//  Runs `ip ARGS...` (NULL-ended); asserts it worked.
static void
s_ip (const char *arg, ...)
{
    char *argv [16] = { "/usr/sbin/ip" };
    int argc = 1;
    va_list args;
    va_start (args, arg);
    for (const char *a = arg; a && argc < 15; a = va_arg (args, const char *))
        argv [argc++] = (char *) a;
    va_end (args);
    argv [argc] = NULL;
    tu_result_t r;
    cr_assert_eq (tu_run (argv, NULL, NULL, 10000, &r), 0);
    cr_assert_eq (r.status, 0, "ip %s %s %s: %s", argv [1], argv [2], argv [3], r.err);
    tu_result_release (&r);
}

//  Two hosts: the supervisor in one network namespace, workers in another,
//  joined by a veth pair on a private /30 of their own.
Test (remote, workers_on_another_host_through_network_namespaces, .timeout = 180)
{
    if (geteuid () != 0 || access ("/usr/sbin/ip", X_OK) != 0)
        cr_skip_test ("needs root and iproute2 for network namespaces");
    //  A chroot can make namespaces but not enter them (and leaves their
    //  mount behind): find out before building anything.
    struct stat root, init_root;
    if (stat ("/", &root) == 0 && stat ("/proc/1/root", &init_root) == 0
    &&  (root.st_dev != init_root.st_dev || root.st_ino != init_root.st_ino))
        cr_skip_test ("running in a chroot: network namespaces cannot be entered");
    {
        char probe [32];
        snprintf (probe, sizeof probe, "r2ci-probe%d", (int) getpid () % 10000);
        char *add [] = { "/usr/sbin/ip", "netns", "add", probe, NULL };
        char *use [] = { "/usr/sbin/ip", "-n", probe, "link", "set", "lo", "up", NULL };
        char *del [] = { "/usr/sbin/ip", "netns", "del", probe, NULL };
        tu_result_t r;
        bool usable = tu_run (add, NULL, NULL, 10000, &r) == 0 && r.status == 0;
        tu_result_release (&r);
        usable = usable && tu_run (use, NULL, NULL, 10000, &r) == 0 && r.status == 0;
        tu_result_release (&r);
        tu_run (del, NULL, NULL, 10000, &r);
        tu_result_release (&r);
        if (!usable) {
            //  `ip netns add` made /run/netns a mount point: undo it if it
            //  was the first namespace here, so nothing is left behind.
            char *list [] = { "/usr/sbin/ip", "netns", "list", NULL };
            bool empty = tu_run (list, NULL, NULL, 10000, &r) == 0 && r.status == 0
                      && r.out_size == 0;
            tu_result_release (&r);
            if (empty && umount2 ("/run/netns", MNT_DETACH) == 0)
                rmdir ("/run/netns");
            cr_skip_test ("network namespaces cannot be entered here (a chroot?)");
        }
    }
    char ns_a [32], ns_b [32], veth_a [16], veth_b [16];
    int id = (int) getpid () % 10000;
    snprintf (ns_a, sizeof ns_a, "r2ci-a%d", id);
    snprintf (ns_b, sizeof ns_b, "r2ci-b%d", id);
    snprintf (veth_a, sizeof veth_a, "r2a%d", id);
    snprintf (veth_b, sizeof veth_b, "r2b%d", id);
    //  Namespaces a failed earlier run left behind go first.
    char *list [] = { "/usr/sbin/ip", "netns", "list", NULL };
    tu_result_t listed;
    cr_assert_eq (tu_run (list, NULL, NULL, 10000, &listed), 0);
    for (char *line = strtok (listed.out, "\n"); line; line = strtok (NULL, "\n")) {
        char name [64] = "";
        sscanf (line, "%63s", name);
        if (strncmp (name, "r2ci-", 5) == 0) {
            char *del [] = { "/usr/sbin/ip", "netns", "del", name, NULL };
            tu_result_t r;
            tu_run (del, NULL, NULL, 10000, &r);
            tu_result_release (&r);
        }
    }
    tu_result_release (&listed);
    s_ip ("netns", "add", ns_a, NULL);
    s_ip ("netns", "add", ns_b, NULL);
    s_ip ("link", "add", veth_a, "type", "veth", "peer", "name", veth_b, NULL);
    s_ip ("link", "set", veth_a, "netns", ns_a, NULL);
    s_ip ("link", "set", veth_b, "netns", ns_b, NULL);
    s_ip ("-n", ns_a, "addr", "add", "10.213.7.1/30", "dev", veth_a, NULL);
    s_ip ("-n", ns_b, "addr", "add", "10.213.7.2/30", "dev", veth_b, NULL);
    s_ip ("-n", ns_a, "link", "set", veth_a, "up", NULL);
    s_ip ("-n", ns_b, "link", "set", veth_b, "up", NULL);
    s_ip ("-n", ns_a, "link", "set", "lo", "up", NULL);
    s_ip ("-n", ns_b, "link", "set", "lo", "up", NULL);

    //  Keys and config as on loopback, with the supervisor on host A.
    tree_t scratch;
    tree_init (&scratch, NULL, NULL);
    char *keys = tu_tmpdir ();
    char path [1024], from [1024], to [1024];
    const char *names [] = { "supervisor", "worker-b", "intruder" };
    for (size_t i = 0; i < 3; i++) {
        snprintf (path, sizeof path, "%s/%s", keys, names [i]);
        s_keys (&scratch, path);
    }
    tree_fini (&scratch);
    snprintf (path, sizeof path, "%s/workers", keys);
    mkdir (path, 0700);
    snprintf (from, sizeof from, "%s/worker-b", keys);
    snprintf (to, sizeof to, "%s/workers/worker-b", keys);
    s_copy (from, to);
    char config [2048];
    snprintf (config, sizeof config,
              "listen:\n  workers: tcp://10.213.7.1:7101\n"
              "security:\n  secret_key: %s/supervisor_secret\n  authorized_workers: %s/workers\n"
              "components:\n  parser: {workers: 0}\n  detector: {workers: 0}\n", keys, keys);
    tree_t tree;
    tree_init (&tree, config, NULL);
    char *sup [] = { "/usr/sbin/ip", "netns", "exec", ns_a, (char *) tu_bin ("readme2ci-supervisor"),
                     "--runtime-dir", tree.runtime, "-c", tree.config, NULL };
    char log [1024];
    snprintf (log, sizeof log, "%s/supervisor.log", tree.state);
    pid_t supervisor = tu_spawn (sup, tree.env, log);
    cr_assert_gt (supervisor, 0);
    tree.supervisor = supervisor;
    json_t *status;
    long long deadline = tu_now_ms () + 10000;
    while (!(status = tree_status (&tree)))
        cr_assert_lt (tu_now_ms (), deadline, "the supervisor in %s did not answer", ns_a);
    json_decref (status);
    tree_events_t *events = tree_events_new (&tree);

    //  Host B: an authorised parser and detector, and an intruder.
    char server [1024], own [1024], bad [1024];
    snprintf (server, sizeof server, "%s/supervisor", keys);
    snprintf (own, sizeof own, "%s/worker-b_secret", keys);
    snprintf (bad, sizeof bad, "%s/intruder_secret", keys);
    pid_t remote [3];
    const char *programs [] = { "readme2ci-parser", "readme2ci-detector", "readme2ci-parser" };
    for (int i = 0; i < 3; i++) {
        char *argv [] = { "/usr/sbin/ip", "netns", "exec", ns_b, (char *) tu_bin (programs [i]),
                          "--connect", "tcp://10.213.7.1:7101", "--server-key", server,
                          "--key", i == 2? bad: own, NULL };
        remote [i] = tu_spawn (argv, NULL, NULL);
    }
    for (int seen = 0; seen < 2; ) {
        json_t *event = tree_events_wait (events, "worker.ready", NULL, 15000);
        cr_assert_not_null (event, "the workers on host B did not join");
        const char *host = json_string_value (json_object_get (event, "host"));
        if (strcmp (json_string_value (json_object_get (event, "component")), "generator")) {
            cr_assert_str_neq (host, "local");
            seen++;
        }
        json_decref (event);
    }
    //  Parsing and detection happen on host B only.
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "python", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "pytest"), "%s", r.out);
    cr_assert_null (strstr (r.err, "degraded"), "detection did not run remotely: %s", r.err);
    tu_result_release (&r);
    int pids [4];
    char hosts [4][64];
    cr_assert_eq (s_parsers (&tree, pids, hosts, 4), 1, "the intruder joined");

    //  Host B's workers die; local ones take over and nothing is lost.
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", "1", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "detector", "1", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    for (int i = 0; i < 3; i++) {
        kill (remote [i], SIGKILL);
        tu_wait (remote [i], 5000);
    }
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--timeout", "30000", project, NULL), 0,
                  "%s", r.err);
    cr_assert (strstr (r.out, "pytest"), "%s", r.out);
    tu_result_release (&r);
    tree_events_destroy (&events);
    int down = tree_cli (&tree, &r, "down", NULL);
    char *sup_log = down? tu_read (log, NULL): NULL;
    cr_assert_eq (down, 0, "down: %s%s\nsupervisor log:\n%s", r.out, r.err, sup_log);
    tu_result_release (&r);
    tu_wait (supervisor, 10000);
    tree.supervisor = 0;
    tree_fini (&tree);
    s_ip ("netns", "del", ns_a, NULL);
    s_ip ("netns", "del", ns_b, NULL);
    tu_rmtree (keys);
    tu_rmtree (dir);
    free (keys);
    free (dir);
    free (project);
}

Test (remote, down_at_an_endpoint_nobody_answers_signals_nobody, .timeout = 60)
{
    //  Its own session, so a signal to "the caller's process group" (the
    //  pid it does not know, 0) would end it rather than the test.
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "R2CI_ENDPOINT=tcp://127.0.0.1:%d", tu_free_port ());
    char *env [] = { endpoint, NULL };
    char *argv [] = { "/usr/bin/setsid", "-w", (char *) tu_bin ("readme2ci"), "down", NULL };
    tu_result_t r;
    cr_assert_eq (tu_run (argv, env, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 3, "%s%s", r.out, r.err);
    cr_assert (strstr (r.err, "no supervisor answered at tcp://127.0.0.1:"), "%s", r.err);
    cr_assert_null (strstr (r.err, "SIGTERM"), "%s", r.err);
    cr_assert_null (strstr (r.out, "stopped"), "%s", r.out);
    tu_result_release (&r);
}
