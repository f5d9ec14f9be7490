/*  common/pqueue.c - the priority queue as two indexed binary heaps over
    one slot table: the head heap yields the next item to run, the tail
    heap the next item to shed. Each slot knows its place in both, so any
    item can leave in O(log n).  */
#include "common/pqueue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { HEAD, TAIL };

#define NO_SLOT SIZE_MAX
#define MAX_SLOTS ((size_t) UINT32_MAX - 1)

typedef struct {
    void *item;             //  NULL while the slot is free
    int64_t key;            //  order within a priority: smaller leaves first
    int32_t priority;
    uint32_t gen;           //  bumped when the item leaves: stales handles
    size_t pos [2];         //  index in the head and tail heaps
    size_t next_free;
} slot_t;

struct pqueue {
    slot_t *slots;
    size_t *heap [2];       //  slot numbers
    size_t allocated;       //  room in slots and in each heap
    size_t used;            //  slots [0, used) have been handed out
    size_t free_list;       //  first free slot below used, or NO_SLOT
    size_t size;
    size_t capacity;
    int64_t next_back;      //  keys for push count up ...
    int64_t next_front;     //  ... keys for push_front count down
    size_t counts [PQUEUE_LEVELS];
};

pqueue_t *
pqueue_new (size_t capacity)
{
    if (capacity == 0) {
        errno = EINVAL;
        return NULL;
    }
    pqueue_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = capacity;
    self->free_list = NO_SLOT;
    self->next_front = -1;
    return self;
}

void
pqueue_destroy (pqueue_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pqueue_t *self = *self_p;
    free (self->slots);
    free (self->heap [HEAD]);
    free (self->heap [TAIL]);
    free (self);
    *self_p = NULL;
}

//  Does slot a come before slot b in the given heap?
static bool
s_before (const pqueue_t *self, int which, size_t a, size_t b)
{
    const slot_t *x = &self->slots [a];
    const slot_t *y = &self->slots [b];
    if (which == TAIL) {
        const slot_t *swap = x;
        x = y;
        y = swap;
    }
    if (x->priority != y->priority)
        return x->priority > y->priority;
    return x->key < y->key;
}

static void
s_heap_place (pqueue_t *self, int which, size_t pos, size_t slot)
{
    self->heap [which][pos] = slot;
    self->slots [slot].pos [which] = pos;
}

static void
s_sift_up (pqueue_t *self, int which, size_t pos)
{
    size_t slot = self->heap [which][pos];
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        size_t above = self->heap [which][parent];
        if (!s_before (self, which, slot, above))
            break;
        s_heap_place (self, which, pos, above);
        pos = parent;
    }
    s_heap_place (self, which, pos, slot);
}

static void
s_sift_down (pqueue_t *self, int which, size_t pos)
{
    size_t slot = self->heap [which][pos];
    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= self->size)
            break;
        size_t right = child + 1;
        if (right < self->size
            && s_before (self, which, self->heap [which][right],
                         self->heap [which][child]))
            child = right;
        if (!s_before (self, which, self->heap [which][child], slot))
            break;
        s_heap_place (self, which, pos, self->heap [which][child]);
        pos = child;
    }
    s_heap_place (self, which, pos, slot);
}

//  Unlink the entry at pos; self->size must already count it out, so the
//  heap's last entry sits at index self->size.
static void
s_heap_cut (pqueue_t *self, int which, size_t pos)
{
    size_t last = self->heap [which][self->size];
    if (pos == self->size)
        return;
    s_heap_place (self, which, pos, last);
    s_sift_up (self, which, pos);
    s_sift_down (self, which, self->slots [last].pos [which]);
}

static int
s_grow_slots (pqueue_t *self)
{
    if (self->allocated >= MAX_SLOTS) {
        errno = ENOMEM;
        return -1;
    }
    size_t want = self->allocated ? self->allocated * 2 : 16;
    if (want > MAX_SLOTS)
        want = MAX_SLOTS;
    slot_t *slots = realloc (self->slots, want * sizeof *slots);
    if (!slots)
        return -1;
    self->slots = slots;
    for (int which = HEAD; which <= TAIL; which++) {
        size_t *heap = realloc (self->heap [which], want * sizeof *heap);
        if (!heap)
            return -1;
        self->heap [which] = heap;
    }
    self->allocated = want;
    return 0;
}

static pqueue_handle_t
s_handle_of (const pqueue_t *self, size_t slot)
{
    return ((uint64_t) self->slots [slot].gen << 32) | (uint64_t) (slot + 1);
}

//  The slot a live handle names, or NO_SLOT.
static size_t
s_slot_of (const pqueue_t *self, pqueue_handle_t handle)
{
    uint64_t low = handle & 0xFFFFFFFFu;
    if (low == 0 || low > self->used)
        return NO_SLOT;
    size_t slot = (size_t) (low - 1);
    if (!self->slots [slot].item || self->slots [slot].gen != handle >> 32)
        return NO_SLOT;
    return slot;
}

static pqueue_handle_t
s_insert (pqueue_t *self, void *item, int32_t priority, int64_t key)
{
    size_t slot = self->free_list;
    if (slot != NO_SLOT)
        self->free_list = self->slots [slot].next_free;
    else {
        if (self->used == self->allocated && s_grow_slots (self))
            return 0;
        slot = self->used++;
        self->slots [slot].gen = 0;
    }
    slot_t *entry = &self->slots [slot];
    entry->item = item;
    entry->priority = priority;
    entry->key = key;
    entry->next_free = NO_SLOT;
    size_t pos = self->size++;
    for (int which = HEAD; which <= TAIL; which++) {
        s_heap_place (self, which, pos, slot);
        s_sift_up (self, which, pos);
    }
    self->counts [pqueue_level (priority)]++;
    return s_handle_of (self, slot);
}

//  Take slot out of both heaps and free it; returns its item.
static void *
s_take (pqueue_t *self, size_t slot, int32_t *priority_p)
{
    slot_t *entry = &self->slots [slot];
    void *item = entry->item;
    if (priority_p)
        *priority_p = entry->priority;
    self->size--;
    s_heap_cut (self, HEAD, entry->pos [HEAD]);
    s_heap_cut (self, TAIL, entry->pos [TAIL]);
    self->counts [pqueue_level (entry->priority)]--;
    entry->item = NULL;
    entry->gen++;
    entry->next_free = self->free_list;
    self->free_list = slot;
    return item;
}

pqueue_handle_t
pqueue_push (pqueue_t *self, void *item, int32_t priority, void **shed_p)
{
    if (shed_p)
        *shed_p = NULL;
    if (!item || !pqueue_priority_valid (priority)) {
        errno = EINVAL;
        return 0;
    }
    if (self->size >= self->capacity) {
        size_t victim = self->heap [TAIL][0];
        if (!shed_p || priority <= self->slots [victim].priority) {
            errno = ENOBUFS;
            return 0;
        }
        //  Freeing the victim first leaves a slot for the new item, so
        //  this insert cannot fail for lack of memory.
        *shed_p = s_take (self, victim, NULL);
    }
    return s_insert (self, item, priority, self->next_back++);
}

pqueue_handle_t
pqueue_push_front (pqueue_t *self, void *item, int32_t priority)
{
    if (!item || !pqueue_priority_valid (priority)) {
        errno = EINVAL;
        return 0;
    }
    return s_insert (self, item, priority, self->next_front--);
}

void *
pqueue_pop (pqueue_t *self, int32_t *priority_p)
{
    if (self->size == 0)
        return NULL;
    return s_take (self, self->heap [HEAD][0], priority_p);
}

void *
pqueue_peek (const pqueue_t *self, int32_t *priority_p)
{
    if (self->size == 0)
        return NULL;
    const slot_t *entry = &self->slots [self->heap [HEAD][0]];
    if (priority_p)
        *priority_p = entry->priority;
    return entry->item;
}

void *
pqueue_pop_last (pqueue_t *self, int32_t *priority_p)
{
    if (self->size == 0)
        return NULL;
    return s_take (self, self->heap [TAIL][0], priority_p);
}

void *
pqueue_remove (pqueue_t *self, pqueue_handle_t handle)
{
    size_t slot = s_slot_of (self, handle);
    if (slot == NO_SLOT) {
        errno = ENOENT;
        return NULL;
    }
    return s_take (self, slot, NULL);
}

void *
pqueue_lookup (const pqueue_t *self, pqueue_handle_t handle,
               int32_t *priority_p)
{
    size_t slot = s_slot_of (self, handle);
    if (slot == NO_SLOT) {
        errno = ENOENT;
        return NULL;
    }
    if (priority_p)
        *priority_p = self->slots [slot].priority;
    return self->slots [slot].item;
}

size_t
pqueue_size (const pqueue_t *self)
{
    return self->size;
}

size_t
pqueue_count (const pqueue_t *self, pqueue_level_t level)
{
    if ((unsigned) level >= PQUEUE_LEVELS)
        return 0;
    return self->counts [level];
}

size_t
pqueue_capacity (const pqueue_t *self)
{
    return self->capacity;
}

int
pqueue_set_capacity (pqueue_t *self, size_t capacity)
{
    if (capacity == 0) {
        errno = EINVAL;
        return -1;
    }
    self->capacity = capacity;
    return 0;
}

void
pqueue_each (const pqueue_t *self, pqueue_each_fn *fn, void *arg)
{
    for (size_t pos = 0; pos < self->size; pos++) {
        size_t slot = self->heap [HEAD][pos];
        fn (self->slots [slot].item, self->slots [slot].priority,
            s_handle_of (self, slot), arg);
    }
}

bool
pqueue_priority_valid (int32_t priority)
{
    return priority >= PQUEUE_PRIORITY_MIN && priority <= PQUEUE_PRIORITY_MAX;
}

pqueue_level_t
pqueue_level (int32_t priority)
{
    //  The wire's levels run from the highest, the queue's from the lowest.
    return (pqueue_level_t) (PQUEUE_LEVELS - 1 - (int) wire_priority_band (priority));
}
