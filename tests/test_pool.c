/*  Tests supervisor/pool without a supervisor: the operations' refusals
    and their messages, the components and their state, the operators'
    choices replayed from the journal, latency percentiles, spawn
    failures in the exits, the breaker telling the workflows, and real
    workers (readme2ci-parser) spawned, READY on a ROUTER through a zloop,
    killed as broken and restarted, their jobs said lost.  */
#include "supervisor/pool.h"
#include "supervisor/remote.h"
#include "tests/support/outbox_rig.h"
#include "tests/support/testutil.h"

#include "common/util.h"
#include "proto/wire.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

//  What the pool told the workflows.
typedef struct {
    int capacity;               //  calls, and the last component (NULL: any)
    component_t *capacity_of;
    int unavailable;
    component_t *unavailable_of;
    int lost;
    pid_t lost_pid;
    char lost_why [64];
    bool lost_count_crash;
    bool blame;                 //  what jobs_lost answers
    component_t *wait_ready;    //  the loop ends when this one has capacity
} heard_t;

typedef struct {
    config_t cfg;
    char *dir;
    char back_ep [256];
    zsock_t *events;            //  the outbox's PUB, and a SUB on it
    zsock_t *sub;
    zsock_t *front;
    ledger_t *ledger;
    outbox_t *outbox;
    remote_t *remote;
    pool_t *pool;
    zloop_t *loop;
    zsock_t *back;              //  the workers' ROUTER
    heard_t heard;
} rig_t;

static void
s_capacity (void *arg, component_t *component)
{
    heard_t *heard = arg;
    heard->capacity++;
    heard->capacity_of = component;
}

static void
s_unavailable (void *arg, component_t *component)
{
    heard_t *heard = arg;
    heard->unavailable++;
    heard->unavailable_of = component;
}

static bool
s_jobs_lost (void *arg, worker_t *worker, const char *why, bool count_crash)
{
    heard_t *heard = arg;
    heard->lost++;
    heard->lost_pid = worker->pid;
    util_copy (heard->lost_why, sizeof heard->lost_why, why);
    heard->lost_count_crash = count_crash;
    return heard->blame;
}

//  A pool of cfg as set by the caller (after config_defaults), its
//  events heard on rig->sub.
static void
s_rig_pool (rig_t *self)
{
    static int serial;
    self->dir = tu_tmpdir ();
    snprintf (self->back_ep, sizeof self->back_ep, "ipc://%s/back", self->dir);
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://pool-events-%d", serial);
    self->events = zsock_new_pub (ep);
    self->sub = zsock_new_sub (ep, "");
    snprintf (ep, sizeof ep, "inproc://pool-front-%d", serial++);
    self->front = zsock_new_router (ep);
    cr_assert (self->events && self->sub && self->front);
    zsock_set_rcvtimeo (self->sub, 5000);
    self->outbox = outbox_new ();
    cr_assert_not_null (self->outbox);
    self->ledger = tu_memory_ledger (&self->outbox);
    self->remote = remote_new (self->outbox);
    cr_assert_not_null (self->remote);
    outbox_set_sockets (self->outbox, self->events, self->front, NULL);
    tu_sub_ready (self->outbox, self->sub);
    pool_hooks_t pool_hooks = { .capacity = s_capacity, .unavailable = s_unavailable,
                                .jobs_lost = s_jobs_lost, .arg = &self->heard };
    self->pool = pool_new (&self->cfg, self->dir, "", R2CI_BIN_DIR, self->back_ep,
                           self->outbox, &pool_hooks, 42);
    cr_assert_not_null (self->pool);
}

//  The defaults, with no worker wanted anywhere.
static void
s_rig (rig_t *self)
{
    memset (self, 0, sizeof *self);
    tu_config_no_workers (&self->cfg);
}

static void
s_unrig (rig_t *self)
{
    pool_destroy (&self->pool);
    cr_assert_null (self->pool);
    remote_destroy (&self->remote);
    ledger_destroy (&self->ledger);
    outbox_destroy (&self->outbox);
    zsock_destroy (&self->back);
    zloop_destroy (&self->loop);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->front);
    zsock_destroy (&self->events);
    config_release (&self->cfg);
    tu_rmtree (self->dir);
    free (self->dir);
}

//  The fields of the next event of type on the stream (others skipped);
//  fails the test when none comes within the SUB's timeout.
static json_t *
s_event (rig_t *self, const char *type)
{
    for (int i = 0; i < 100; i++) {
        char *heard = NULL, *text = NULL;
        cr_assert_eq (zstr_recvx (self->sub, &heard, &text, NULL), 2,
                      "no %s event came", type);
        bool match = strcmp (heard, type) == 0;
        json_t *fields = match? json_loads (text, 0, NULL): NULL;
        zstr_free (&heard);
        zstr_free (&text);
        if (match) {
            cr_assert_not_null (fields);
            return fields;
        }
    }
    cr_assert_fail ("no %s event among the next 100", type);
    return NULL;
}

Test (pool, components_by_name_and_index)
{
    rig_t rig;
    s_rig (&rig);
    rig.cfg.components [STEP_GENERATE].command = strdup ("/opt/gen --fast");
    s_rig_pool (&rig);
    component_t *parser = pool_component (rig.pool, "parser");
    cr_assert_not_null (parser);
    cr_assert_eq (parser, pool_component_at (rig.pool, STEP_PARSE));
    cr_assert_eq (parser->step, STEP_PARSE);
    cr_assert_str_eq (pool_component_at (rig.pool, STEP_DETECT)->name, "detector");
    cr_assert_null (pool_component (rig.pool, "compiler"));
    cr_assert_null (pool_component_at (rig.pool, -1));
    cr_assert_null (pool_component_at (rig.pool, COMPONENT_COUNT));
    //  the command: the worker folder's executable, unless the config names one
    char expected [4200];
    snprintf (expected, sizeof expected, "%s/readme2ci-parser", R2CI_BIN_DIR);
    cr_assert_str_eq (parser->command, expected);
    cr_assert_str_eq (pool_component (rig.pool, "generator")->command, "/opt/gen --fast");
    //  the parser's queue is bounded by the config, the others not
    cr_assert_eq (pqueue_capacity (parser->queue), 10000);
    cr_assert_eq (parser->desired, 0);
    cr_assert_eq (parser->slots_count, 0);
    cr_assert_str_eq (pool_component_state (rig.pool, parser), "stopped");
    cr_assert (pool_available (rig.pool, parser));
    cr_assert (pool_no_workers (rig.pool));
    cr_assert_null (pool_worker_by_key (rig.pool, "00aa"));
    cr_assert_not_null (pool_logcap (rig.pool));
    cr_assert_null (pool_knowledge (rig.pool));
    pool_set_knowledge (rig.pool, strdup ("{\"tools\": []}"));
    cr_assert_str_eq (pool_knowledge (rig.pool), "{\"tools\": []}");
    s_unrig (&rig);
}

Test (pool, operations_refused_say_why)
{
    rig_t rig;
    s_rig (&rig);
    s_rig_pool (&rig);
    component_t *parser = pool_component (rig.pool, "parser");
    char err [512];
    cr_assert_eq (pool_scale (rig.pool, parser, 300, err, sizeof err), -1);
    cr_assert_str_eq (err, "at most 256 workers, not 300");
    cr_assert_eq (pool_update (rig.pool, parser, NULL, NULL, 0, err, sizeof err), -1);
    cr_assert_str_eq (err, "parser has no local workers: deploy it first");
    cr_assert_null (parser->op);
    //  A stop of what runs nothing succeeds, and is an operation event.
    cr_assert_eq (pool_stop (rig.pool, parser, err, sizeof err), 0);
    cr_assert_str_eq (err, "parser stopped (its workers drain first)");
    json_t *event = s_event (&rig, "component.operation.success");
    cr_assert_str_eq (json_string_value (json_object_get (event, "component")), "parser");
    cr_assert_str_eq (json_string_value (json_object_get (event, "operation")), "scale");
    cr_assert_eq (json_integer_value (json_object_get (event, "desired")), 0);
    json_decref (event);
    cr_assert_eq (rig.heard.capacity, 1);
    cr_assert_null (rig.heard.capacity_of);
    //  Draining: every operation that would start a worker is refused.
    pool_set_draining (rig.pool);
    const char *draining = "the supervisor is shutting down";
    cr_assert_eq (pool_scale (rig.pool, parser, 1, err, sizeof err), -1);
    cr_assert_str_eq (err, draining);
    cr_assert_eq (pool_deploy (rig.pool, parser, err, sizeof err), -1);
    cr_assert_str_eq (err, draining);
    cr_assert_eq (pool_restart (rig.pool, parser, err, sizeof err), -1);
    cr_assert_str_eq (err, draining);
    cr_assert_eq (pool_update (rig.pool, parser, "/bin/true", NULL, 0, err, sizeof err), -1);
    cr_assert_str_eq (err, draining);
    cr_assert_eq (parser->desired, 0);
    cr_assert (pool_no_workers (rig.pool));
    s_unrig (&rig);
}

static void
s_replay (pool_t *pool, const char *type, const char *component, int64_t desired,
          const char *command)
{
    event_t event = { 0 };
    cr_assert_eq (event_set_type (&event, type), 0);
    if (component) {
        cr_assert_eq (event_add_str (&event, "component", component), 0);
        cr_assert_eq (event_add_int (&event, "desired", desired), 0);
    }
    if (command)
        cr_assert_eq (event_add_str (&event, "command", command), 0);
    if (!component)
        cr_assert_eq (event_add_int (&event, "desired:detector", desired), 0);
    pool_replay_event (pool, &event);
    event_release (&event);
}

Test (pool, replayed_operations_set_the_counts)
{
    rig_t rig;
    s_rig (&rig);
    rig.cfg.components [STEP_DETECT].workers = 2;
    s_rig_pool (&rig);
    component_t *detector = pool_component (rig.pool, "detector");
    cr_assert_eq (detector->desired, 2);
    cr_assert_eq (detector->slots_count, 2);
    cr_assert_str_eq (pool_component_state (rig.pool, detector), "starting");
    //  an operation of the journal wins over the config, with its command
    s_replay (rig.pool, "component.operation.success", "detector", 3, "/opt/detect");
    cr_assert_eq (detector->desired, 3);
    cr_assert_eq (detector->slots_count, 3);
    cr_assert_str_eq (detector->command, "/opt/detect");
    cr_assert_str_eq (detector->slots [2]->command, "/opt/detect");
    //  a stop keeps the count it had, for deploy
    s_replay (rig.pool, "component.operation.success", "detector", 0, NULL);
    cr_assert_eq (detector->desired, 0);
    cr_assert_eq (detector->last_desired, 3);
    cr_assert_eq (detector->slots_count, 0);
    cr_assert_str_eq (pool_component_state (rig.pool, detector), "stopped");
    //  out of range, of no component, of another type: nothing changes
    s_replay (rig.pool, "component.operation.success", "detector", 257, NULL);
    s_replay (rig.pool, "component.operation.success", "compiler", 1, NULL);
    s_replay (rig.pool, "component.operation.failed", "detector", 1, NULL);
    cr_assert_eq (detector->desired, 0);
    //  a snapshot carries the counts
    s_replay (rig.pool, "system.snapshot", NULL, 4, NULL);
    cr_assert_eq (detector->desired, 4);
    cr_assert_eq (detector->slots_count, 4);
    cr_assert_str_eq (detector->command, "/opt/detect");
    detector->fatal = true;
    cr_assert_str_eq (pool_component_state (rig.pool, detector), "fatal");
    cr_assert_not (pool_available (rig.pool, detector));
    cr_assert (pool_no_workers (rig.pool));
    s_unrig (&rig);
}

Test (pool, latency_percentiles)
{
    component_t component = { .name = "parser" };
    cr_assert_eq (pool_latency (&component, 50), 0);
    for (uint64_t us = 100; us >= 1; us--)
        pool_note_latency (&component, us);
    cr_assert_eq (pool_latency (&component, 50), 50);
    cr_assert_eq (pool_latency (&component, 99), 99);
    cr_assert_eq (pool_latency (&component, 100), 100);
    cr_assert_eq (pool_latency (&component, 0), 1);
    //  a ring of the last 256: the old ones go; huge times are capped
    for (int i = 0; i < 256; i++)
        pool_note_latency (&component, UINT64_MAX);
    cr_assert_eq (pool_latency (&component, 50), UINT32_MAX);
}

Test (pool, a_command_that_cannot_start_is_an_exit)
{
    rig_t rig;
    s_rig (&rig);
    rig.cfg.components [STEP_DETECT].workers = 1;
    rig.cfg.components [STEP_DETECT].command = strdup ("/nonexistent/readme2ci-detector");
    s_rig_pool (&rig);
    component_t *detector = pool_component (rig.pool, "detector");
    pool_start (rig.pool);
    json_t *event = s_event (&rig, "component.failure");
    cr_assert_str_eq (json_string_value (json_object_get (event, "component")), "detector");
    cr_assert_str_eq (json_string_value (json_object_get (event, "command")),
                      "/nonexistent/readme2ci-detector");
    json_decref (event);
    cr_assert (pool_no_workers (rig.pool));
    cr_assert_str_eq (pool_component_state (rig.pool, detector), "starting");
    json_t *exits = pool_exits_json (detector);
    cr_assert_eq (json_array_size (exits), 1);
    json_t *exit = json_array_get (exits, 0);
    cr_assert (json_is_true (json_object_get (exit, "spawn_failed")));
    cr_assert_str_eq (json_string_value (json_object_get (exit, "last_line")),
                      "cannot start /nonexistent/readme2ci-detector: No such file or directory");
    json_decref (exits);
    //  an update to a command that cannot run is refused before it starts
    char err [512];
    cr_assert_eq (pool_update (rig.pool, detector, "/nonexistent/other", NULL, 0, err,
                               sizeof err), -1);
    cr_assert_str_eq (err, "/nonexistent/other: No such file or directory");
    cr_assert_eq (pool_deploy (rig.pool, detector, err, sizeof err), 0);
    cr_assert_str_eq (err, "detector already runs 1 worker(s)");
    s_unrig (&rig);
}

Test (pool, an_open_breaker_tells_the_workflows)
{
    rig_t rig;
    s_rig (&rig);
    rig.cfg.components [STEP_GENERATE].breaker.failures = 2;
    s_rig_pool (&rig);
    component_t *generator = pool_component (rig.pool, "generator");
    pool_breaker_result (rig.pool, generator, false);
    cr_assert_eq (rig.heard.unavailable, 0);
    cr_assert (pool_available (rig.pool, generator));
    pool_breaker_result (rig.pool, generator, false);
    cr_assert_eq (rig.heard.unavailable, 1);
    cr_assert_eq (rig.heard.unavailable_of, generator);
    cr_assert_not (pool_available (rig.pool, generator));
    json_t *event = s_event (&rig, "breaker.opened");
    cr_assert_str_eq (json_string_value (json_object_get (event, "component")), "generator");
    cr_assert_eq (json_integer_value (json_object_get (event, "open_ms")), 60000);
    json_decref (event);
    //  an operator's restart closes it, and the workflows hear of it
    char err [256];
    cr_assert_eq (pool_restart (rig.pool, generator, err, sizeof err), 0);
    cr_assert (pool_available (rig.pool, generator));
    cr_assert_eq (rig.heard.capacity_of, generator);
    json_decref (s_event (&rig, "breaker.closed"));
    s_unrig (&rig);
}

//  The workers' socket as the supervisor reads it: READY and BYE.
static int
s_on_back (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    rig_t *rig = arg;
    zmsg_t *msg = zmsg_recv (sock);
    zframe_t *identity = msg? zmsg_pop (msg): NULL;
    zframe_t *header = msg? zmsg_pop (msg): NULL;
    if (identity && header) {
        char *key = zframe_strhex (identity);
        worker_t *worker = pool_worker_by_key (rig->pool, key);
        if (worker)
            worker->last_heard_ms = util_now_ms ();
        wire_type_t type = wire_type (zframe_data (header), zframe_size (header));
        if (type == WIRE_READY)
            pool_on_ready (rig->pool, sock, identity, key, header);
        else
        if (type == WIRE_BYE && worker)
            pool_on_bye (rig->pool, worker);
        free (key);
    }
    zframe_destroy (&identity);
    zframe_destroy (&header);
    zmsg_destroy (&msg);
    return rig->heard.capacity_of == rig->heard.wait_ready
        && rig->heard.wait_ready->workers
        && rig->heard.wait_ready->workers->state == W_READY? -1: 0;
}

static int
s_on_timeout (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    *(bool *) arg = true;
    return -1;
}

//  Runs the loop until component's newest worker is READY (10 s at most).
static void
s_await_ready (rig_t *rig, component_t *component)
{
    rig->heard.wait_ready = component;
    rig->heard.capacity_of = NULL;
    bool timed_out = false;
    int timer = zloop_timer (rig->loop, 10000, 1, s_on_timeout, &timed_out);
    zloop_start (rig->loop);
    zloop_timer_end (rig->loop, timer);
    cr_assert_not (timed_out, "no READY from %s in 10 s", component->name);
}

//  Stops the pool and ends its workers by their pids.
static void
s_end_workers (rig_t *rig)
{
    pid_t pids [16];
    size_t count = 0;
    for (int c = 0; c < COMPONENT_COUNT; c++)
        for (worker_t *w = pool_component_at (rig->pool, c)->workers; w && count < 16;
             w = w->next)
            pids [count++] = w->pid;
    pool_stop_all (rig->pool);
    pool_signal_all (rig->pool, SIGKILL);
    for (size_t i = 0; i < count; i++) {
        int status;
        cr_assert_eq (waitpid (pids [i], &status, 0), pids [i]);
        pool_on_exit (rig->pool, pids [i], status);
    }
    cr_assert (pool_no_workers (rig->pool));
}

Test (pool, workers_start_say_ready_die_and_restart, .timeout = 60)
{
    rig_t rig;
    s_rig (&rig);
    rig.cfg.components [STEP_PARSE].workers = 1;
    rig.cfg.components [STEP_PARSE].credit = 3;
    s_rig_pool (&rig);
    rig.back = zsock_new_router (rig.back_ep);
    rig.loop = zloop_new ();
    cr_assert (rig.back && rig.loop);
    zloop_reader (rig.loop, rig.back, s_on_back, &rig);
    pool_attach (rig.pool, rig.loop, rig.back, NULL, rig.remote);
    component_t *parser = pool_component (rig.pool, "parser");
    pool_start (rig.pool);
    json_t *event = s_event (&rig, "worker.started");
    cr_assert_str_eq (json_string_value (json_object_get (event, "component")), "parser");
    json_decref (event);
    cr_assert_not_null (parser->workers);
    pid_t first = parser->workers->pid;
    cr_assert_gt (first, 0);
    cr_assert_str_eq (pool_component_state (rig.pool, parser), "starting");

    s_await_ready (&rig, parser);
    worker_t *worker = parser->workers;
    cr_assert_eq (worker->state, W_READY);
    cr_assert_eq (worker->credit, 3);
    cr_assert_eq (pool_worker_by_key (rig.pool, worker->key), worker);
    cr_assert_str_eq (pool_component_state (rig.pool, parser), "running");
    event = s_event (&rig, "worker.ready");
    cr_assert_eq (json_integer_value (json_object_get (event, "pid")), first);
    cr_assert_eq (json_integer_value (json_object_get (event, "credit")), 3);
    json_decref (event);

    //  Broken: killed by the pool; its jobs are lost, counted as a crash.
    //  The workflows blame a job for it: the slot starts again at once.
    rig.heard.blame = true;
    pool_worker_broken (rig.pool, worker, "a job not answered in time");
    int status;
    cr_assert_eq (waitpid (first, &status, 0), first);
    cr_assert (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
    pool_on_exit (rig.pool, first, status);
    cr_assert_eq (rig.heard.lost, 1);
    cr_assert_eq (rig.heard.lost_pid, first);
    cr_assert_str_eq (rig.heard.lost_why, "killed by signal 9");
    cr_assert (rig.heard.lost_count_crash);
    cr_assert_eq (parser->restarts, 1);
    cr_assert_not_null (parser->workers, "blamed on a job: restarted at once");
    cr_assert_neq (parser->workers->pid, first);
    json_t *exits = pool_exits_json (parser);
    cr_assert_eq (json_array_size (exits), 1);
    json_t *exit = json_array_get (exits, 0);
    cr_assert_eq (json_integer_value (json_object_get (exit, "pid")), first);
    cr_assert_str_eq (json_string_value (json_object_get (exit, "signal_name")), "SIGKILL");
    cr_assert (json_is_true (json_object_get (exit, "was_ready")));
    cr_assert (json_is_true (json_object_get (exit, "killed_by_supervisor")));
    json_decref (exits);

    s_await_ready (&rig, parser);
    cr_assert_str_eq (pool_component_state (rig.pool, parser), "running");
    s_end_workers (&rig);
    //  stopping: an exit is expected, not recorded, not restarted
    cr_assert_eq (parser->restarts, 1);
    exits = pool_exits_json (parser);
    cr_assert_eq (json_array_size (exits), 1);
    json_decref (exits);
    s_unrig (&rig);
}
