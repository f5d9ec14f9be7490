/*  supervisor/server.h - the supervisor's reactor: one zloop holding the
    client ROUTER, the worker ROUTER, the event PUB, the signalfd and the
    timers; the components with their workers; the queue and the
    workflows in flight.  */
#ifndef SERVER_H_INCLUDED
#define SERVER_H_INCLUDED

#include "common/config.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct server server_t;

//  Bind the sockets in runtime_dir, open and replay the journal in
//  state_dir/journal (NULL: no journal), and start the workers (found in
//  worker_dir unless the config names a command). Takes the config's
//  contents (leaving *config zeroed). Returns NULL with a message logged
//  when the sockets cannot be bound or the journal cannot be used.
server_t *server_new (config_t *config, const char *config_path, const char *runtime_dir,
                      const char *state_dir, const char *worker_dir);

//  Restore the default action of, and block, the signals the reactor reads
//  (SIGCHLD, SIGTERM, SIGINT, SIGHUP). Call first thing in main, before
//  any thread is started.
void server_block_signals (void);

//  Run until shut down (SIGTERM, SIGINT or a `down` request). Returns the
//  exit status for the process.
int server_run (server_t *self);

void server_destroy (server_t **self_p);

#endif
