/*  common/dheap.c - a binary min-heap of (due, item) with intrusive slots.
    Equal deadlines leave in the order they were set.  */
#include "common/dheap.h"

#include <errno.h>
#include <stdlib.h>

struct dheap_entry {
    uint64_t due;
    uint64_t seq;
    void *item;
    uint32_t *slot;
};

static bool
s_before (const struct dheap_entry *a, const struct dheap_entry *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void
s_place (dheap_t *self, size_t at, struct dheap_entry entry)
{
    self->entries [at] = entry;
    *entry.slot = (uint32_t) (at + 1);
}

static void
s_sift_up (dheap_t *self, size_t at)
{
    struct dheap_entry entry = self->entries [at];
    while (at > 0) {
        size_t parent = (at - 1) / 2;
        if (!s_before (&entry, &self->entries [parent]))
            break;
        s_place (self, at, self->entries [parent]);
        at = parent;
    }
    s_place (self, at, entry);
}

static void
s_sift_down (dheap_t *self, size_t at)
{
    struct dheap_entry entry = self->entries [at];
    while (true) {
        size_t child = 2 * at + 1;
        if (child >= self->count)
            break;
        if (child + 1 < self->count
            && s_before (&self->entries [child + 1], &self->entries [child]))
            child++;
        if (!s_before (&self->entries [child], &entry))
            break;
        s_place (self, at, self->entries [child]);
        at = child;
    }
    s_place (self, at, entry);
}

int
dheap_push (dheap_t *self, void *item, uint64_t due, uint32_t *slot)
{
    if (!slot || *slot || self->count >= UINT32_MAX - 1)
        return errno = EINVAL, -1;
    if (self->count == self->cap) {
        size_t cap = self->cap? self->cap * 2: 64;
        struct dheap_entry *bigger = realloc (self->entries, cap * sizeof *bigger);
        if (!bigger)
            return errno = ENOMEM, -1;
        self->entries = bigger;
        self->cap = cap;
    }
    self->entries [self->count] = (struct dheap_entry) { due, self->next_seq++, item, slot };
    self->count++;
    s_sift_up (self, self->count - 1);
    return 0;
}

void
dheap_remove (dheap_t *self, uint32_t *slot)
{
    if (!slot || *slot == 0 || *slot > self->count)
        return;
    size_t at = *slot - 1;
    *slot = 0;
    self->count--;
    if (at == self->count)
        return;
    //  the last entry fills the hole, then finds its place either way
    struct dheap_entry last = self->entries [self->count];
    s_place (self, at, last);
    if (at > 0 && s_before (&last, &self->entries [(at - 1) / 2]))
        s_sift_up (self, at);
    else
        s_sift_down (self, at);
}

int
dheap_update (dheap_t *self, uint32_t *slot, uint64_t due)
{
    if (!slot || *slot == 0 || *slot > self->count)
        return errno = EINVAL, -1;
    size_t at = *slot - 1;
    self->entries [at].due = due;
    self->entries [at].seq = self->next_seq++;
    if (at > 0 && s_before (&self->entries [at], &self->entries [(at - 1) / 2]))
        s_sift_up (self, at);
    else
        s_sift_down (self, at);
    return 0;
}

void *
dheap_pop_due (dheap_t *self, uint64_t now)
{
    if (self->count == 0 || self->entries [0].due > now)
        return NULL;
    void *item = self->entries [0].item;
    dheap_remove (self, self->entries [0].slot);
    return item;
}

size_t
dheap_size (const dheap_t *self)
{
    return self->count;
}

void
dheap_release (dheap_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        *self->entries [i].slot = 0;
    free (self->entries);
    *self = (dheap_t) { 0 };
}
