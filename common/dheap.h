/*  common/dheap.h - a min-heap of deadlines: the supervisor's workflows,
    soonest first, so finding the expired ones costs O(log n) each instead
    of a scan of every workflow. Intrusive: each item keeps its own slot
    (a uint32_t the heap updates as the item moves), so removing or moving
    an item needs no search. Pure: no clock, no logging.  */
#ifndef DHEAP_H_INCLUDED
#define DHEAP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  The zero value is an empty heap; release with dheap_release.
typedef struct {
    struct dheap_entry *entries;
    size_t count;
    size_t cap;
    uint64_t next_seq;          //  insertion order, for equal deadlines
} dheap_t;

//  Add item (borrowed) due at due. slot must live as long as the item is
//  in the heap and be 0 (not in a heap); the heap keeps the item's place
//  in it (1-based) and sets it to 0 when the item leaves. Returns 0, or -1
//  with errno EINVAL (slot not 0) or ENOMEM.
int dheap_push (dheap_t *self, void *item, uint64_t due, uint32_t *slot);

//  Take the item whose slot this is out of the heap. Accepts a slot of 0
//  (not in the heap: nothing happens).
void dheap_remove (dheap_t *self, uint32_t *slot);

//  Give the item in slot a new due time. Returns 0, or -1 with EINVAL when
//  the slot is 0.
int dheap_update (dheap_t *self, uint32_t *slot, uint64_t due);

//  The soonest item when it is due at or before now, taken out of the
//  heap; NULL when none is due.
void *dheap_pop_due (dheap_t *self, uint64_t now);

size_t dheap_size (const dheap_t *self);

//  Free the heap's own memory (not the items) and leave it empty; every
//  slot still in it is set to 0.
void dheap_release (dheap_t *self);

#endif
