/*  supervisor/rollout.c - a rolling operation on a component (see
    rollout.h).  */
#include "supervisor/rollout.h"

#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct rollout {
    char name [16];             //  "update" or "restart"
    char command [4096];
    zframe_t *client;           //  who asked, to answer when done
    uint64_t req_id;
    void *fresh;                //  the new worker's slot, while it starts
    size_t replaced;
    size_t total;
};

rollout_t *
rollout_new (const char *name, const char *command, size_t total, zframe_t *client,
             uint64_t req_id)
{
    rollout_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    util_copy (self->name, sizeof self->name, name);
    util_copy (self->command, sizeof self->command, command);
    self->total = total;
    self->req_id = req_id;
    if (client && !(self->client = zframe_dup (client))) {
        free (self);
        return errno = ENOMEM, NULL;
    }
    return self;
}

void
rollout_destroy (rollout_t **self_p)
{
    rollout_t *self = *self_p;
    if (!self)
        return;
    zframe_destroy (&self->client);
    free (self);
    *self_p = NULL;
}

const char *
rollout_name (const rollout_t *self)
{
    return self->name;
}

const char *
rollout_command (const rollout_t *self)
{
    return self->command;
}

size_t
rollout_replaced (const rollout_t *self)
{
    return self->replaced;
}

size_t
rollout_total (const rollout_t *self)
{
    return self->total;
}

zframe_t *
rollout_client (const rollout_t *self)
{
    return self->client;
}

uint64_t
rollout_req_id (const rollout_t *self)
{
    return self->req_id;
}

bool
rollout_finished (const rollout_t *self)
{
    return self->replaced >= self->total;
}

void
rollout_set_fresh (rollout_t *self, void *slot)
{
    self->fresh = slot;
}

bool
rollout_is_fresh (const rollout_t *self, const void *slot)
{
    return slot && slot == self->fresh;
}

void *
rollout_take_fresh (rollout_t *self)
{
    void *fresh = self->fresh;
    self->fresh = NULL;
    return fresh;
}

void
rollout_replaced_one (rollout_t *self)
{
    self->fresh = NULL;
    self->replaced++;
}

void
rollout_done_text (const rollout_t *self, const char *component, char *buf, size_t size)
{
    snprintf (buf, size, "%s of %s done: %zu worker(s) replaced", self->name, component,
              self->replaced);
}

void
rollout_failed_text (const rollout_t *self, const char *component, const char *why,
                     char *buf, size_t size)
{
    snprintf (buf, size, "%s of %s stopped after %zu of %zu worker(s): the new worker (%s): "
              "%s; the old workers stay", self->name, component, self->replaced, self->total,
              self->command, why);
}
