/*  Tests common/dheap: soonest first, ties in the order they were set,
    slots kept right through every move, removal and update by slot, and
    a long random run checked against a plain list.  */
#include "common/dheap.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

typedef struct {
    int id;
    uint64_t due;
    uint32_t slot;
    bool in;
} thing_t;

Test (dheap, soonest_first_ties_in_order_and_only_when_due)
{
    dheap_t heap = { 0 };
    thing_t t [5] = { { 0, 50, 0, 0 }, { 1, 10, 0, 0 }, { 2, 30, 0, 0 },
                      { 3, 10, 0, 0 }, { 4, 40, 0, 0 } };
    for (int i = 0; i < 5; i++)
        cr_assert_eq (dheap_push (&heap, &t [i], t [i].due, &t [i].slot), 0);
    for (int i = 0; i < 5; i++)
        cr_assert_gt (t [i].slot, 0u);
    cr_assert_null (dheap_pop_due (&heap, 9));
    //  10 twice: in the order they were pushed
    cr_assert_eq (dheap_pop_due (&heap, 10), &t [1]);
    cr_assert_eq (dheap_pop_due (&heap, 10), &t [3]);
    cr_assert_null (dheap_pop_due (&heap, 10));
    cr_assert_eq (t [1].slot, 0u);
    //  remove by slot; a removed item is simply not there
    dheap_remove (&heap, &t [2].slot);
    cr_assert_eq (t [2].slot, 0u);
    dheap_remove (&heap, &t [2].slot);
    //  a new deadline moves it
    cr_assert_eq (dheap_update (&heap, &t [0].slot, 20), 0);
    cr_assert_eq (dheap_pop_due (&heap, 100), &t [0]);
    cr_assert_eq (dheap_pop_due (&heap, 100), &t [4]);
    cr_assert_null (dheap_pop_due (&heap, UINT64_MAX));
    cr_assert_eq (dheap_size (&heap), 0);
    //  a slot already in use, or none, is refused
    cr_assert_eq (dheap_push (&heap, &t [0], 1, &t [0].slot), 0);
    errno = 0;
    cr_assert_eq (dheap_push (&heap, &t [0], 1, &t [0].slot), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (dheap_push (&heap, &t [1], 1, NULL), -1);
    cr_assert_eq (dheap_update (&heap, &t [1].slot, 5), -1);
    dheap_release (&heap);
    cr_assert_eq (t [0].slot, 0u);
    cr_assert_eq (dheap_size (&heap), 0);
}

//  xorshift64: a fixed sequence, no global state
static uint64_t
s_next (uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

Test (dheap, a_long_random_run_matches_a_plain_list)
{
    enum { N = 2000, OPS = 100000 };
    thing_t *t = calloc (N, sizeof *t);
    cr_assert_not_null (t);
    dheap_t heap = { 0 };
    uint64_t state = 0x9e3779b97f4a7c15u, now = 0;
    uint64_t order [N];             //  when each one was last set, for ties
    uint64_t clock_seq = 0;
    for (int op = 0; op < OPS; op++) {
        thing_t *x = &t [s_next (&state) % N];
        x->id = (int) (x - t);
        switch (s_next (&state) % 4) {
            case 0:                 //  push or update
                x->due = now + s_next (&state) % 500;
                order [x->id] = clock_seq++;
                if (x->in)
                    cr_assert_eq (dheap_update (&heap, &x->slot, x->due), 0);
                else
                    cr_assert_eq (dheap_push (&heap, x, x->due, &x->slot), 0);
                x->in = true;
                break;
            case 1:                 //  remove
                dheap_remove (&heap, &x->slot);
                x->in = false;
                break;
            default: {              //  time passes; what is due comes out in order
                now += s_next (&state) % 20;
                thing_t *got;
                while ((got = dheap_pop_due (&heap, now))) {
                    cr_assert (got->in);
                    cr_assert_leq (got->due, now);
                    //  the model's soonest: least due, then least order
                    for (int i = 0; i < N; i++)
                        if (t [i].in && &t [i] != got)
                            cr_assert (t [i].due > got->due
                                       || (t [i].due == got->due
                                           && order [i] > order [got->id]),
                                       "op %d: %d before %d", op, got->id, i);
                    got->in = false;
                    cr_assert_eq (got->slot, 0u);
                }
                break;
            }
        }
        if (op % 997 == 0) {
            size_t in = 0;
            for (int i = 0; i < N; i++) {
                in += t [i].in;
                cr_assert_eq (t [i].in, t [i].slot != 0, "op %d, item %d", op, i);
            }
            cr_assert_eq (dheap_size (&heap), in);
        }
    }
    dheap_release (&heap);
    free (t);
}
