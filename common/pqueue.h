/*  common/pqueue.h - the supervisor's bounded queue of workflows: highest
    priority first, FIFO within a priority, redelivery at the head of its
    priority, cancel by handle, and shedding of the lowest, newest item
    when full. Every operation is O(log n). Pure: no clock, no logging.  */
#ifndef PQUEUE_H_INCLUDED
#define PQUEUE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

typedef struct pqueue pqueue_t;

//  Names one queued item until it leaves the queue (popped, removed or
//  shed); after that the handle is stale and never names another item.
//  0 is never a valid handle.
typedef uint64_t pqueue_handle_t;

//  Priorities are numbers 0..1000, larger first. The named levels are
//  the floors of four bands: critical >= 400, high >= 300, normal >= 200,
//  anything lower is low. Their values and names are proto/wire.h's.
#define PQUEUE_PRIORITY_MIN 0
#define PQUEUE_PRIORITY_MAX 1000
#define PQUEUE_PRIORITY_LOW WIRE_PRIORITY_LOW
#define PQUEUE_PRIORITY_NORMAL WIRE_PRIORITY_NORMAL
#define PQUEUE_PRIORITY_HIGH WIRE_PRIORITY_HIGH
#define PQUEUE_PRIORITY_CRITICAL WIRE_PRIORITY_CRITICAL

typedef enum {
    PQUEUE_LOW,
    PQUEUE_NORMAL,
    PQUEUE_HIGH,
    PQUEUE_CRITICAL,
} pqueue_level_t;

#define PQUEUE_LEVELS WIRE_PRIORITY_LEVELS

//  An empty queue admitting up to capacity items (capacity >= 1).
//  Returns NULL with errno EINVAL or ENOMEM. Caller destroys it.
pqueue_t *pqueue_new (size_t capacity);

//  Free the queue and set *self_p to NULL. Accepts NULL. Items still
//  queued are not freed: they belong to the caller.
void pqueue_destroy (pqueue_t **self_p);

//  Queue item (not NULL, borrowed until it leaves) behind every item of the
//  same priority. Returns its handle. When the queue is full, the item is
//  compared with the victim: the lowest-priority, newest queued item. If
//  the new priority is strictly higher, the victim leaves the queue, is
//  stored in *shed_p (so the caller can answer "overloaded"), and the new
//  item is queued; otherwise the new item is refused. With shed_p NULL
//  nothing is ever shed. *shed_p is NULL whenever nothing was shed.
//  Returns 0 with errno ENOBUFS (full, refused), EINVAL (NULL item,
//  priority out of range) or ENOMEM.
pqueue_handle_t pqueue_push (pqueue_t *self, void *item, int32_t priority,
                             void **shed_p);

//  Queue item again at the head of its priority, ahead of every item of
//  that priority (redelivery after a worker crash). Always admitted, even
//  past capacity: the item was accepted once already. Returns its new
//  handle, or 0 with errno EINVAL or ENOMEM.
pqueue_handle_t pqueue_push_front (pqueue_t *self, void *item,
                                   int32_t priority);

//  Take the highest-priority item, the oldest of its priority (after any
//  redelivered ones). Its priority goes to *priority_p when not NULL.
//  Returns NULL when the queue is empty.
void *pqueue_pop (pqueue_t *self, int32_t *priority_p);

//  The item pqueue_pop would take, left in place, or NULL when empty.
void *pqueue_peek (const pqueue_t *self, int32_t *priority_p);

//  Take the item a full queue would shed next (lowest priority, newest),
//  e.g. to bring the queue back under a lowered capacity. NULL if empty.
void *pqueue_pop_last (pqueue_t *self, int32_t *priority_p);

//  Take the item named by handle out of the queue (cancel). Returns the
//  item, or NULL with errno ENOENT when the handle is stale or unknown.
void *pqueue_remove (pqueue_t *self, pqueue_handle_t handle);

//  The item named by handle, left in place, or NULL (errno ENOENT).
void *pqueue_lookup (const pqueue_t *self, pqueue_handle_t handle,
                     int32_t *priority_p);

//  Items queued, in all and in one level.
size_t pqueue_size (const pqueue_t *self);
size_t pqueue_count (const pqueue_t *self, pqueue_level_t level);

size_t pqueue_capacity (const pqueue_t *self);

//  Change the capacity (>= 1; else -1 with errno EINVAL). Lowering it
//  below the current size keeps every queued item; pushes then shed or
//  are refused until the size falls (see pqueue_pop_last to trim).
int pqueue_set_capacity (pqueue_t *self, size_t capacity);

//  Call fn once for every queued item, in no particular order (for
//  status). fn must not change the queue.
typedef void (pqueue_each_fn) (void *item, int32_t priority,
                               pqueue_handle_t handle, void *arg);
void pqueue_each (const pqueue_t *self, pqueue_each_fn *fn, void *arg);

//  True for 0..1000.
bool pqueue_priority_valid (int32_t priority);

//  The level a priority falls in (the band wire_priority_level names).
pqueue_level_t pqueue_level (int32_t priority);

#endif
