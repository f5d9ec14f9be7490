/*  supervisor/rollout.h - a rolling operation on a component (update,
    restart): one new worker at a time, one old worker let go once the
    new one is ready, until as many as ran at the start are replaced; or
    stopped at the first new worker that fails, the old ones staying.
    It holds the count, the command, the new worker's slot and who asked,
    and words the outcome; the worker pool starts and stops the workers.
    No clock, no sockets.  */
#ifndef ROLLOUT_H_INCLUDED
#define ROLLOUT_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rollout rollout_t;

//  An operation name ("update", "restart") replacing total workers with
//  ones running command; client (copied; may be NULL) and req_id are whom
//  to answer when it ends. NULL with errno ENOMEM.
rollout_t *rollout_new (const char *name, const char *command, size_t total,
                        zframe_t *client, uint64_t req_id);
//  Accepts NULL; nulls *self_p.
void rollout_destroy (rollout_t **self_p);

const char *rollout_name (const rollout_t *self);
const char *rollout_command (const rollout_t *self);
size_t rollout_replaced (const rollout_t *self);
size_t rollout_total (const rollout_t *self);
//  Whom to answer (borrowed; NULL when no one asked) and the request.
zframe_t *rollout_client (const rollout_t *self);
uint64_t rollout_req_id (const rollout_t *self);

//  True once every worker is replaced: the operation is over.
bool rollout_finished (const rollout_t *self);
//  The new worker being started is the one in slot (borrowed, opaque).
void rollout_set_fresh (rollout_t *self, void *slot);
//  True when slot (not NULL) is the new worker's.
bool rollout_is_fresh (const rollout_t *self, const void *slot);
//  The new worker's slot, forgotten here (NULL when there is none).
void *rollout_take_fresh (rollout_t *self);
//  The new worker is ready: one more replaced, none being started.
void rollout_replaced_one (rollout_t *self);

//  "update of parser done: 2 worker(s) replaced", into buf.
void rollout_done_text (const rollout_t *self, const char *component, char *buf, size_t size);
//  Why it stopped, and how far it came, into buf.
void rollout_failed_text (const rollout_t *self, const char *component, const char *why,
                          char *buf, size_t size);

#endif
