/*  tests/support/tree.c - a process tree per test, its CLI and events.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <czmq.h>

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

//  The supervisors this test process started and has not ended yet, by
//  pid: a test that fails (or returns) before tree_fini still ends them
//  when its process exits, with their workers. A detached tree (up -d) is
//  not our child and would outlive us otherwise. Kept by pid, not by
//  tree_t: a failed assertion leaves the test's frame behind.
#define TREES_KEPT 16
static pid_t s_trees [TREES_KEPT];

static void
s_end_pid_and_children (pid_t pid)
{
    tree_t tree = { .supervisor = pid };
    int pids [64];
    size_t count = tree_children (&tree, pids, 64);
    for (size_t i = 0; i < count; i++)
        kill (pids [i], SIGKILL);
    kill (pid, SIGKILL);
}

static void
s_end_left_trees (void)
{
    for (size_t i = 0; i < TREES_KEPT; i++)
        if (s_trees [i] > 0 && tu_alive (s_trees [i]))
            s_end_pid_and_children (s_trees [i]);
}

static void
s_keep (pid_t pid)
{
    static bool registered;
    if (!registered)
        registered = atexit (s_end_left_trees) == 0;
    for (size_t i = 0; i < TREES_KEPT; i++)
        if (s_trees [i] <= 0) {
            s_trees [i] = pid;
            return;
        }
}

static void
s_forget (pid_t pid)
{
    for (size_t i = 0; i < TREES_KEPT; i++)
        if (s_trees [i] == pid)
            s_trees [i] = 0;
}

void
tree_init (tree_t *self, const char *config_text, char *const extra_env [])
{
    memset (self, 0, sizeof *self);
    self->runtime = tu_tmpdir ();
    self->state = tu_tmpdir ();
    cr_assert (asprintf (&self->env [self->env_count++], "README2CI_RUNTIME_DIR=%s",
                         self->runtime) > 0);
    cr_assert (asprintf (&self->env [self->env_count++], "README2CI_STATE_DIR=%s",
                         self->state) > 0);
    for (size_t i = 0; extra_env && extra_env [i] && self->env_count < 7; i++)
        self->env [self->env_count++] = strdup (extra_env [i]);
    if (config_text) {
        tu_write (self->state, "readme2ci.yml", config_text);
        cr_assert (asprintf (&self->config, "%s/readme2ci.yml", self->state) > 0);
    }
}

static void
s_kill_children (tree_t *self)
{
    int pids [64];
    size_t count = tree_children (self, pids, 64);
    for (size_t i = 0; i < count; i++)
        kill (pids [i], SIGKILL);
}

void
tree_fini (tree_t *self)
{
    s_forget (self->supervisor);
    if (self->supervisor > 0 && tu_alive (self->supervisor)) {
        s_kill_children (self);
        kill (self->supervisor, SIGKILL);
        tu_wait (self->supervisor, 5000);
    }
    tu_rmtree (self->runtime);
    tu_rmtree (self->state);
    free (self->runtime);
    free (self->state);
    free (self->config);
    for (size_t i = 0; i < self->env_count; i++)
        free (self->env [i]);
}

int
tree_cli (tree_t *self, tu_result_t *result, const char *arg, ...)
{
    char *argv [64];
    int argc = 0;
    argv [argc++] = (char *) tu_bin ("readme2ci");
    va_list args;
    va_start (args, arg);
    for (const char *a = arg; a && argc < 63; a = va_arg (args, const char *))
        argv [argc++] = (char *) a;
    va_end (args);
    argv [argc] = NULL;
    cr_assert_eq (tu_run (argv, self->env, NULL, 120000, result), 0);
    return result->status;
}

static pid_t
s_pid_file (tree_t *self)
{
    char path [1024];
    snprintf (path, sizeof path, "%s/supervisor.pid", self->runtime);
    char *text = tu_read (path, NULL);
    pid_t pid = text? (pid_t) strtol (text, NULL, 10): 0;
    free (text);
    return pid;
}

void
tree_up (tree_t *self)
{
    tu_result_t r;
    int status = self->config? tree_cli (self, &r, "up", "-d", "-c", self->config, NULL)
                             : tree_cli (self, &r, "up", "-d", NULL);
    //  A supervisor that is up, even if up says it is not ready, is ours
    //  to end.
    self->supervisor = s_pid_file (self);
    if (self->supervisor > 0)
        s_keep (self->supervisor);
    cr_assert_eq (status, 0, "up -d: %s%s", r.out, r.err);
    tu_result_release (&r);
    cr_assert_gt (self->supervisor, 0);
}

void
tree_start (tree_t *self)
{
    //  --parent: a test that fails before tree_fini still ends its tree,
    //  in order, when its process exits
    char parent [24];
    snprintf (parent, sizeof parent, "%d", (int) getpid ());
    char *argv [] = { (char *) tu_bin ("readme2ci-supervisor"), "--parent", parent,
                      "--runtime-dir", self->runtime,
                      self->config? "-c": NULL, self->config, NULL };
    char log [1024];
    snprintf (log, sizeof log, "%s/supervisor.log", self->state);
    self->supervisor = tu_spawn (argv, self->env, log);
    cr_assert_gt (self->supervisor, 0);
    s_keep (self->supervisor);
    //  Ready to take requests once it answers status. A loaded machine
    //  (a sanitizer build beside a parallel suite) may take a while to
    //  start three pools; a supervisor that died is seen at once.
    long long deadline = tu_now_ms () + 30000;
    json_t *status;
    while (!(status = tree_status (self))) {
        cr_assert (tu_alive (self->supervisor), "the supervisor exited; see %s", log);
        cr_assert (tu_now_ms () < deadline, "the supervisor did not answer in 30 s; see %s",
                   log);
    }
    json_decref (status);
}

json_t *
tree_status (tree_t *self)
{
    tu_result_t r;
    //  1: it answered, and a component is not running (yet).
    int status = tree_cli (self, &r, "status", "--json", NULL);
    if (status != 0 && status != 1) {
        tu_result_release (&r);
        return NULL;
    }
    json_t *root = json_loads (r.out, 0, NULL);
    tu_result_release (&r);
    return root;
}

size_t
tree_worker_pids (tree_t *self, const char *component, int *pids, size_t max)
{
    json_t *root = tree_status (self);
    cr_assert_not_null (root);
    size_t count = 0, i, j;
    json_t *c, *w;
    json_array_foreach (json_object_get (root, "components"), i, c) {
        if (strcmp (json_string_value (json_object_get (c, "name")), component))
            continue;
        json_array_foreach (json_object_get (c, "workers"), j, w)
            if (count < max && strcmp (json_string_value (json_object_get (w, "state")), "ready") == 0)
                pids [count++] = (int) json_integer_value (json_object_get (w, "pid"));
    }
    json_decref (root);
    return count;
}

size_t
tree_children (tree_t *self, int *pids, size_t max)
{
    if (self->supervisor <= 0)
        return 0;
    char path [128];
    snprintf (path, sizeof path, "/proc/%d/task/%d/children", (int) self->supervisor,
              (int) self->supervisor);
    char *text = tu_read (path, NULL);
    size_t count = 0;
    for (char *p = text; p && *p && count < max; ) {
        char *end;
        long pid = strtol (p, &end, 10);
        if (end == p)
            break;
        pids [count++] = (int) pid;
        p = end;
    }
    free (text);
    return count;
}

struct tree_events {
    zsock_t *sub;
};

tree_events_t *
tree_events_new (tree_t *self)
{
    tree_events_t *events = calloc (1, sizeof *events);
    char endpoint [1024];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/events", self->runtime);
    events->sub = zsock_new (ZMQ_SUB);
    cr_assert_not_null (events->sub);
    zsock_set_rcvhwm (events->sub, 0);      //  keep every event
    zsock_set_subscribe (events->sub, "");
    //  The connection is made by libzmq's I/O thread, when it gets to it:
    //  on a busy machine, after events the test waits for. Wait for its
    //  handshake (the subscription goes out with it), then make a round
    //  trip through the supervisor so it has read the subscription.
    char monitor_ep [64];
    snprintf (monitor_ep, sizeof monitor_ep, "inproc://tree-events-%p", (void *) events);
    cr_assert_eq (zmq_socket_monitor (zsock_resolve (events->sub), monitor_ep,
                                      ZMQ_EVENT_HANDSHAKE_SUCCEEDED), 0);
    zsock_t *monitor = zsock_new_pair (monitor_ep);
    cr_assert_not_null (monitor);
    cr_assert_eq (zsock_connect (events->sub, "%s", endpoint), 0);
    zsock_set_rcvtimeo (monitor, 30000);
    zmsg_t *event = zmsg_recv (monitor);
    cr_assert_not_null (event, "the event stream did not connect in 30 s");
    zmsg_destroy (&event);
    zmq_socket_monitor (zsock_resolve (events->sub), NULL, 0);
    zsock_destroy (&monitor);
    json_t *status = tree_status (self);
    json_decref (status);
    return events;
}

void
tree_events_destroy (tree_events_t **self_p)
{
    if (*self_p) {
        zsock_destroy (&(*self_p)->sub);
        free (*self_p);
        *self_p = NULL;
    }
}

json_t *
tree_events_next (tree_events_t *self, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (true) {
        long long left = deadline - tu_now_ms ();
        if (left < 0)
            return NULL;
        zmq_pollitem_t item = { zsock_resolve (self->sub), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, (long) left) <= 0)
            continue;
        char *topic = NULL, *body = NULL;
        if (zsock_recv (self->sub, "ss", &topic, &body) != 0)
            continue;
        json_t *event = json_loads (body, 0, NULL);
        free (topic);
        free (body);
        if (event)
            return event;
    }
}

json_t *
tree_events_wait (tree_events_t *self, const char *type, const char *component,
                  int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    while (true) {
        long long left = deadline - tu_now_ms ();
        json_t *event = tree_events_next (self, left > 0? (int) left: 0);
        if (!event)
            return NULL;
        const char *got_type = json_string_value (json_object_get (event, "type"));
        const char *got = json_string_value (json_object_get (event, "component"));
        if (got_type && strcmp (got_type, type) == 0
        &&  (!component || (got && strcmp (got, component) == 0)))
            return event;
        json_decref (event);
    }
}

char *
tree_project (const char *dir, const char *name, const char *kind, const char *extra)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", dir, name) > 0);
    char readme [2048];
    extra = extra? extra: "";
    if (strcmp (kind, "python") == 0) {
        snprintf (readme, sizeof readme, "# %s\n\nA Python library.\n\n## Testing\n\n"
                  "```sh\npip install -e '.[test]'\npytest\n```\n%s\n", name, extra);
        tu_write (path, "pyproject.toml", "[project]\nname = \"demo\"\n"
                  "requires-python = \">=3.10\"\n\n[project.optional-dependencies]\n"
                  "test = [\"pytest\"]\n");
    }
    else
    if (strcmp (kind, "node") == 0) {
        snprintf (readme, sizeof readme, "# %s\n\nA Node library.\n\n## Development\n\n"
                  "```\n$ npm ci\n$ npm test\n```\n%s\n", name, extra);
        tu_write (path, "package.json", "{\"name\": \"demo\", \"version\": \"1.0.0\",\n"
                  " \"scripts\": {\"test\": \"node --test\"},\n \"engines\": {\"node\": \">=20\"}}\n");
        tu_write (path, "package-lock.json", "{}\n");
    }
    else
    if (strcmp (kind, "rust") == 0) {
        snprintf (readme, sizeof readme, "# %s\n\nA Rust crate.\n\nRun `cargo test`.\n%s\n",
                  name, extra);
        tu_write (path, "Cargo.toml", "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n"
                  "edition = \"2021\"\nrust-version = \"1.70\"\n");
    }
    else
    if (strcmp (kind, "go") == 0) {
        snprintf (readme, sizeof readme, "# %s\n\nA Go module.\n\n```\ngo test ./...\n```\n%s\n",
                  name, extra);
        tu_write (path, "go.mod", "module example.org/demo\n\ngo 1.22\n");
    }
    else {
        snprintf (readme, sizeof readme, "# %s\n\nA C library.\n\n## Building\n\n"
                  "```\n./configure\nmake\nmake check\n```\n%s\n", name, extra);
        tu_write (path, "configure.ac", "AC_INIT([demo], [1.0])\nAC_OUTPUT\n");
        tu_write (path, "Makefile", "all:\n\ttrue\ncheck:\n\ttrue\n");
    }
    tu_write (path, "README.md", readme);
    return path;
}
