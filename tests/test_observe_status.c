/*  Tests supervisor/observe without a supervisor: the gauges read from
    the status it is given at each scrape (workers per state, queue depth
    per priority, breakers, restarts counted once, journal and up), and
    READY=1 due only once every component has its workers.  */
#include "supervisor/metrics.h"
#include "supervisor/observe.h"

#include "proto/wire.h"

#include <criterion/criterion.h>
#include <stdlib.h>

typedef struct {
    observe_status_t status;
    size_t asked;
} fake_t;

static void
s_status (void *arg, observe_status_t *status)
{
    fake_t *self = arg;
    self->asked++;
    *status = self->status;
}

static double
s_value (observe_t *observe, const char *name, const char *const *labels)
{
    double value = -1;
    cr_assert_eq (prom_value (observe_registry (observe), name, labels, &value), 0, "%s",
                  name);
    return value;
}

Test (observe_status, the_gauges_are_read_from_the_status)
{
    unsetenv ("NOTIFY_SOCKET");
    fake_t fake = { .status = { .components_count = 2, .journal_writable = true } };
    pqueue_t *queue = pqueue_new (16);
    int items [3];
    pqueue_push (queue, &items [0], WIRE_PRIORITY_HIGH, NULL);
    pqueue_push (queue, &items [1], WIRE_PRIORITY_HIGH, NULL);
    pqueue_push (queue, &items [2], WIRE_PRIORITY_LOW, NULL);
    fake.status.components [0] = (observe_component_t) {
        .name = "parser", .workers = { 1, 2, 0 }, .desired = 2, .queue = queue,
        .breaker = BREAKER_OPEN, .restarts = 3 };
    fake.status.components [1] = (observe_component_t) {
        .name = "detector", .workers = { 0, 0, 1 }, .desired = 1 };
    observe_t *observe = observe_new (s_status, &fake);
    cr_assert_not_null (observe);
    cr_assert_eq (observe_metrics_port (observe), 0u);
    cr_assert_eq (s_value (observe, METRICS_WORKERS, PROM_LABELS ("parser", "starting")), 1);
    cr_assert_eq (s_value (observe, METRICS_WORKERS, PROM_LABELS ("parser", "ready")), 2);
    cr_assert_eq (s_value (observe, METRICS_WORKERS, PROM_LABELS ("parser", "stopping")), 0);
    cr_assert_eq (s_value (observe, METRICS_WORKERS, PROM_LABELS ("detector", "stopping")), 1);
    cr_assert_eq (s_value (observe, METRICS_QUEUE_DEPTH, PROM_LABELS ("high")), 2);
    cr_assert_eq (s_value (observe, METRICS_QUEUE_DEPTH, PROM_LABELS ("low")), 1);
    cr_assert_eq (s_value (observe, METRICS_QUEUE_DEPTH, PROM_LABELS ("critical")), 0);
    cr_assert_eq (s_value (observe, METRICS_BREAKER_STATE, PROM_LABELS ("parser")),
                  METRICS_BREAKER_OPEN);
    cr_assert_eq (s_value (observe, METRICS_BREAKER_STATE, PROM_LABELS ("detector")),
                  METRICS_BREAKER_CLOSED);
    cr_assert_eq (s_value (observe, METRICS_WORKER_RESTARTS, PROM_LABELS ("parser")), 3);
    cr_assert_eq (s_value (observe, METRICS_JOURNAL_WRITABLE, NULL), 1);
    cr_assert_eq (s_value (observe, METRICS_UP, NULL), 1);
    //  the next scrape: restarts counted once, the rest as they are now
    fake.status.components [0].restarts = 4;
    fake.status.components [0].workers [0] = 0;
    fake.status.components [0].queue = NULL;
    fake.status.journal_writable = false;
    fake.status.draining = true;
    cr_assert_eq (s_value (observe, METRICS_WORKER_RESTARTS, PROM_LABELS ("parser")), 4);
    cr_assert_eq (s_value (observe, METRICS_WORKERS, PROM_LABELS ("parser", "starting")), 0);
    cr_assert_eq (s_value (observe, METRICS_QUEUE_DEPTH, PROM_LABELS ("high")), 0);
    cr_assert_eq (s_value (observe, METRICS_JOURNAL_WRITABLE, NULL), 0);
    cr_assert_eq (s_value (observe, METRICS_UP, NULL), 0);
    observe_destroy (&observe);
    cr_assert_null (observe);
    pqueue_destroy (&queue);
}

Test (observe_status, ready_once_every_component_has_its_workers)
{
    unsetenv ("NOTIFY_SOCKET");
    fake_t fake = { .status = { .components_count = 2 } };
    fake.status.components [0] = (observe_component_t) {
        .name = "parser", .workers = { 0, 2, 0 }, .desired = 2 };
    fake.status.components [1] = (observe_component_t) {
        .name = "detector", .workers = { 1, 0, 0 }, .desired = 1 };
    observe_t *observe = observe_new (s_status, &fake);
    cr_assert_not_null (observe);
    observe_event (observe, "worker.ready", NULL);
    cr_assert_not (observe_ready (observe), "the detector is still starting");
    fake.status.components [1].workers [0] = 0;
    fake.status.components [1].workers [1] = 1;
    observe_event (observe, "workflow.started", NULL);
    cr_assert_not (observe_ready (observe), "only a worker's READY is a reason to look");
    size_t asked = fake.asked;
    observe_event (observe, "worker.ready", NULL);
    cr_assert (observe_ready (observe));
    cr_assert_eq (fake.asked, asked + 1);
    //  once ready, a worker's READY does not ask again
    observe_event (observe, "worker.ready", NULL);
    cr_assert_eq (fake.asked, asked + 1);
    observe_destroy (&observe);
}
