/*  supervisor/results.c - the results cache (see results.h).  */
#include "supervisor/results.h"

#include "shared/snapshot.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct results {
    uint32_t keep;
    uint64_t max_age_ms;
    zhashx_t *table;            //  id -> block (owned), see RESULT_HEAD
    zlistx_t *order;            //  the ids inside the blocks, oldest first
    zhashx_t *evicted;          //  ids whose result was evicted (borrowed keys)
    zlistx_t *evicted_order;    //  the same ids (owned), oldest first
    results_evicted_fn *evicted_fn;
    void *evicted_arg;
};

//  A kept result is one block: its finishing time (ms since the epoch),
//  then its id and its text, each NUL-ended. The table's key, and the
//  item of the order list, is the id inside it.
#define RESULT_HEAD sizeof (uint64_t)

static void
s_block_free (void **item_p)
{
    if (*item_p)
        free ((char *) *item_p - RESULT_HEAD);
    *item_p = NULL;
}

results_t *
results_new (uint32_t keep, uint64_t max_age_ms)
{
    results_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    self->keep = keep;
    self->max_age_ms = max_age_ms;
    self->table = zhashx_new ();
    self->order = zlistx_new ();
    self->evicted = zhashx_new ();
    self->evicted_order = zlistx_new ();
    if (!self->table || !self->order || !self->evicted || !self->evicted_order) {
        results_destroy (&self);
        return errno = ENOMEM, NULL;
    }
    //  A result is one block (see results_keep), owned by the table.
    zhashx_set_destructor (self->table, (zhashx_destructor_fn *) s_block_free);
    zhashx_set_key_duplicator (self->table, NULL);
    zhashx_set_key_destructor (self->table, NULL);
    zhashx_set_key_duplicator (self->evicted, NULL);
    zhashx_set_key_destructor (self->evicted, NULL);
    zlistx_set_destructor (self->evicted_order, (zlistx_destructor_fn *) zstr_free);
    return self;
}

void
results_destroy (results_t **self_p)
{
    results_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->table);
    zlistx_destroy (&self->order);
    zhashx_destroy (&self->evicted);
    zlistx_destroy (&self->evicted_order);
    free (self);
    *self_p = NULL;
}

void
results_set_limits (results_t *self, uint32_t keep, uint64_t max_age_ms)
{
    self->keep = keep;
    self->max_age_ms = max_age_ms;
}

void
results_set_evicted_fn (results_t *self, results_evicted_fn *fn, void *arg)
{
    self->evicted_fn = fn;
    self->evicted_arg = arg;
}

void
results_note_evicted (results_t *self, const char *id)
{
    if (zhashx_lookup (self->evicted, id))
        return;
    char *copy = strdup (id);
    if (!copy || !zlistx_add_end (self->evicted_order, copy)) {
        free (copy);
        return;
    }
    zhashx_insert (self->evicted, copy, copy);
    size_t max = (size_t) SNAPSHOT_EVICTED_PER_RESULT * self->keep;
    while (zlistx_size (self->evicted_order) > max) {
        char *oldest = zlistx_first (self->evicted_order);
        zhashx_delete (self->evicted, oldest);
        zlistx_delete (self->evicted_order, zlistx_cursor (self->evicted_order));
    }
}

bool
results_evicted (const results_t *self, const char *id)
{
    return zhashx_lookup (self->evicted, id) != NULL;
}

//  The oldest result goes, told to the callback when record is set.
static void
s_evict_oldest (results_t *self, const char *reason, bool record)
{
    char *id = zlistx_first (self->order);
    if (!id)
        return;
    zlistx_delete (self->order, zlistx_cursor (self->order));
    if (record && self->evicted_fn)
        self->evicted_fn (self->evicted_arg, id, reason);
    results_note_evicted (self, id);
    zhashx_delete (self->table, id);            //  frees id
}

int
results_keep (results_t *self, const char *id, const char *text, size_t size,
              uint64_t time_ms, bool record, bool no_tests)
{
    //  One block per result (see RESULT_HEAD): the table's key and the
    //  order list both point into it instead of copying the id. After
    //  the id's NUL, a byte says whether the workflow has a test command
    //  ('t') or not ('n'); then its text.
    size_t id_size = strlen (id) + 1;
    char *block = malloc (RESULT_HEAD + id_size + 1 + size + 1);
    if (!block)
        return errno = ENOMEM, -1;
    memcpy (block, &time_ms, RESULT_HEAD);
    char *key = block + RESULT_HEAD;
    memcpy (key, id, id_size);
    key [id_size] = no_tests? 'n': 't';
    memcpy (key + id_size + 1, text, size);
    key [id_size + 1 + size] = 0;
    char *old = zhashx_lookup (self->table, id);
    if (old) {
        void *handle = zlistx_find (self->order, old);
        if (handle)
            zlistx_delete (self->order, handle);
        zhashx_delete (self->table, id);
    }
    zlistx_add_end (self->order, key);
    zhashx_insert (self->table, key, key);
    while (zlistx_size (self->order) > self->keep)
        s_evict_oldest (self, "count", record);
    return 0;
}

void
results_make_room (results_t *self, const char *id)
{
    while (zlistx_size (self->order) >= self->keep && !zhashx_lookup (self->table, id))
        s_evict_oldest (self, "count", true);
}

void
results_expire (results_t *self, uint64_t wall_ms)
{
    if (self->max_age_ms == 0)
        return;
    const char *id;
    while ((id = zlistx_first (self->order))
       &&  results_time (self, id) + self->max_age_ms <= wall_ms)
        s_evict_oldest (self, "age", true);
}

const char *
results_get (const results_t *self, const char *id, bool *no_tests_p)
{
    const char *key = zhashx_lookup (self->table, id);
    if (!key)
        return NULL;
    const char *flag = key + strlen (key) + 1;
    if (no_tests_p)
        *no_tests_p = *flag == 'n';
    return flag + 1;
}

uint64_t
results_time (const results_t *self, const char *id)
{
    const char *key = zhashx_lookup (self->table, id);
    uint64_t time = 0;
    if (key)
        memcpy (&time, key - RESULT_HEAD, RESULT_HEAD);
    return time;
}

size_t
results_count (const results_t *self)
{
    return zlistx_size (self->order);
}

const char *
results_first (results_t *self)
{
    return zlistx_first (self->order);
}

const char *
results_next (results_t *self)
{
    return zlistx_next (self->order);
}

const char *
results_first_evicted (results_t *self)
{
    return zlistx_first (self->evicted_order);
}

const char *
results_next_evicted (results_t *self)
{
    return zlistx_next (self->evicted_order);
}

void
results_retention_text (const results_t *self, char *buf, size_t size)
{
    char age [32] = "";
    if (self->max_age_ms > 0)
        snprintf (age, sizeof age, ", for at most %llu s",
                  (unsigned long long) (self->max_age_ms + 999) / 1000);
    snprintf (buf, size, "results are kept: the last %u%s; see results in the config",
              self->keep, age);
}
