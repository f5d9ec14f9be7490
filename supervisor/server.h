/*  supervisor/server.h - the supervisor's reactor: one zloop holding the
    client ROUTER, the worker ROUTER, the event PUB, the signalfd and the
    timers; the components with their workers; the queue and the
    workflows in flight.  */
#ifndef SERVER_H_INCLUDED
#define SERVER_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

typedef struct server server_t;

typedef struct {
    const char *runtime_dir;        //  sockets live here (mode 0700)
    const char *worker_dir;         //  folder of the worker executables
    uint32_t workers [3];           //  per component: parser, detector, generator
    uint32_t credit;                //  jobs a worker may hold at once
    uint32_t hb_ivl_ms;
    uint32_t hb_liveness;
    uint32_t workflow_timeout_ms;   //  default deadline of a workflow
    uint32_t drain_ms;              //  bounded drain at shutdown
    uint32_t kill_after_ms;         //  SIGTERM to SIGKILL
} server_config_t;

//  Fill cfg with the defaults (DESIGN.md).
void server_config_defaults (server_config_t *cfg);

//  Bind the sockets and start the workers. Returns NULL with a message
//  logged when the sockets cannot be bound.
server_t *server_new (const server_config_t *cfg);

//  Run until shut down (SIGTERM, SIGINT or a `down` request). Returns the
//  exit status for the process.
int server_run (server_t *self);

void server_destroy (server_t **self_p);

#endif
