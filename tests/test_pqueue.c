/*  Tests for common/pqueue: ordering, FIFO within a priority, redelivery,
    cancel, admission and shedding, capacity changes, and a long random run
    checked step by step against a sorted-array model.  */
#include "common/backoff.h"
#include "common/pqueue.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

//  Items are addresses inside one array, so a test can name item n and
//  get n back from a popped pointer.
#define ITEMS 200000

typedef struct {
    char *base;
    pqueue_t *queue;
} fixture_t;

static fixture_t
s_setup (size_t capacity)
{
    fixture_t f = { calloc (ITEMS, 1), pqueue_new (capacity) };
    cr_assert_not_null (f.base);
    cr_assert_not_null (f.queue);
    return f;
}

static void
s_teardown (fixture_t *f)
{
    pqueue_destroy (&f->queue);
    cr_assert_null (f->queue);
    free (f->base);
}

static void *
s_item (fixture_t *f, size_t n)
{
    return f->base + n;
}

static long
s_id (fixture_t *f, void *item)
{
    return item ? (long) ((char *) item - f->base) : -1;
}

static pqueue_handle_t
s_push (fixture_t *f, size_t n, int32_t priority)
{
    void *shed = NULL;
    pqueue_handle_t handle = pqueue_push (f->queue, s_item (f, n), priority, &shed);
    cr_assert_neq (handle, 0, "push %zu: errno %d", n, errno);
    cr_assert_null (shed);
    return handle;
}

static long
s_pop (fixture_t *f)
{
    return s_id (f, pqueue_pop (f->queue, NULL));
}

Test (pqueue, pops_by_priority_then_fifo)
{
    fixture_t f = s_setup (100);
    s_push (&f, 1, PQUEUE_PRIORITY_LOW);
    s_push (&f, 2, PQUEUE_PRIORITY_NORMAL);
    s_push (&f, 3, PQUEUE_PRIORITY_CRITICAL);
    s_push (&f, 4, PQUEUE_PRIORITY_NORMAL);
    s_push (&f, 5, PQUEUE_PRIORITY_HIGH);
    s_push (&f, 6, PQUEUE_PRIORITY_LOW);
    s_push (&f, 7, PQUEUE_PRIORITY_NORMAL);
    s_push (&f, 8, 250);        //  between normal and high: still before 200
    long expect [] = { 3, 5, 8, 2, 4, 7, 1, 6 };
    int32_t priority = -1;
    cr_assert_eq (s_id (&f, pqueue_peek (f.queue, &priority)), 3);
    cr_assert_eq (priority, PQUEUE_PRIORITY_CRITICAL);
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq (s_pop (&f), expect [i], "pop %zu", i);
    cr_assert_null (pqueue_pop (f.queue, NULL));
    cr_assert_null (pqueue_peek (f.queue, NULL));
    cr_assert_eq (pqueue_size (f.queue), 0);
    s_teardown (&f);
}

Test (pqueue, fifo_holds_over_many_equal_items)
{
    fixture_t f = s_setup (5000);
    for (size_t i = 0; i < 5000; i++)
        s_push (&f, i, PQUEUE_PRIORITY_NORMAL);
    for (size_t i = 0; i < 5000; i++)
        cr_assert_eq (s_pop (&f), (long) i);
    s_teardown (&f);
}

Test (pqueue, push_front_comes_out_before_its_priority)
{
    fixture_t f = s_setup (100);
    s_push (&f, 1, PQUEUE_PRIORITY_NORMAL);
    s_push (&f, 2, PQUEUE_PRIORITY_NORMAL);
    s_push (&f, 3, PQUEUE_PRIORITY_HIGH);
    //  A redelivered normal item goes ahead of 1 and 2, not ahead of 3.
    cr_assert_neq (pqueue_push_front (f.queue, s_item (&f, 10), PQUEUE_PRIORITY_NORMAL), 0);
    //  A second redelivery is ahead of the first: latest crash first.
    cr_assert_neq (pqueue_push_front (f.queue, s_item (&f, 11), PQUEUE_PRIORITY_NORMAL), 0);
    s_push (&f, 4, PQUEUE_PRIORITY_NORMAL);
    long expect [] = { 3, 11, 10, 1, 2, 4 };
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq (s_pop (&f), expect [i], "pop %zu", i);
    s_teardown (&f);
}

Test (pqueue, push_front_is_admitted_past_capacity)
{
    fixture_t f = s_setup (2);
    s_push (&f, 1, PQUEUE_PRIORITY_LOW);
    s_push (&f, 2, PQUEUE_PRIORITY_LOW);
    cr_assert_neq (pqueue_push_front (f.queue, s_item (&f, 3), PQUEUE_PRIORITY_LOW), 0);
    cr_assert_neq (pqueue_push_front (f.queue, s_item (&f, 4), PQUEUE_PRIORITY_CRITICAL), 0);
    cr_assert_eq (pqueue_size (f.queue), 4);
    //  Still full for ordinary pushes.
    void *shed = s_item (&f, 0);
    errno = 0;
    cr_assert_eq (pqueue_push (f.queue, s_item (&f, 5), PQUEUE_PRIORITY_LOW, &shed), 0);
    cr_assert_eq (errno, ENOBUFS);
    cr_assert_null (shed);
    long expect [] = { 4, 3, 1, 2 };
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq (s_pop (&f), expect [i], "pop %zu", i);
    s_teardown (&f);
}

Test (pqueue, remove_cancels_and_stales_the_handle)
{
    fixture_t f = s_setup (100);
    pqueue_handle_t a = s_push (&f, 1, PQUEUE_PRIORITY_NORMAL);
    pqueue_handle_t b = s_push (&f, 2, PQUEUE_PRIORITY_HIGH);
    pqueue_handle_t c = s_push (&f, 3, PQUEUE_PRIORITY_NORMAL);
    int32_t priority = 0;
    cr_assert_eq (s_id (&f, pqueue_lookup (f.queue, b, &priority)), 2);
    cr_assert_eq (priority, PQUEUE_PRIORITY_HIGH);
    cr_assert_eq (s_id (&f, pqueue_remove (f.queue, b)), 2);
    errno = 0;
    cr_assert_null (pqueue_remove (f.queue, b));
    cr_assert_eq (errno, ENOENT);
    cr_assert_null (pqueue_lookup (f.queue, b, NULL));
    //  The freed slot is reused; the old handle still names nothing.
    pqueue_handle_t d = s_push (&f, 4, PQUEUE_PRIORITY_LOW);
    cr_assert_neq (d, b);
    cr_assert_null (pqueue_remove (f.queue, b));
    cr_assert_eq (pqueue_size (f.queue), 3);
    //  Handles of popped items go stale too.
    cr_assert_eq (s_pop (&f), 1);
    cr_assert_null (pqueue_remove (f.queue, a));
    cr_assert_null (pqueue_remove (f.queue, 0));
    cr_assert_null (pqueue_remove (f.queue, 0xFFFFFFFFull));
    cr_assert_null (pqueue_remove (f.queue, ((uint64_t) 7 << 32) | 1));
    cr_assert_eq (s_id (&f, pqueue_remove (f.queue, c)), 3);
    cr_assert_eq (s_pop (&f), 4);
    cr_assert_eq (pqueue_size (f.queue), 0);
    s_teardown (&f);
}

Test (pqueue, full_queue_sheds_the_lowest_newest_for_a_higher_item)
{
    fixture_t f = s_setup (4);
    s_push (&f, 1, PQUEUE_PRIORITY_LOW);
    s_push (&f, 2, PQUEUE_PRIORITY_LOW);
    s_push (&f, 3, PQUEUE_PRIORITY_NORMAL);
    s_push (&f, 4, PQUEUE_PRIORITY_HIGH);
    void *shed = NULL;
    //  Equal to the lowest: refused, nothing shed.
    errno = 0;
    cr_assert_eq (pqueue_push (f.queue, s_item (&f, 5), PQUEUE_PRIORITY_LOW, &shed), 0);
    cr_assert_eq (errno, ENOBUFS);
    cr_assert_null (shed);
    //  Higher: the newest low item (2) goes, not the oldest (1).
    cr_assert_neq (pqueue_push (f.queue, s_item (&f, 6), 101, &shed), 0);
    cr_assert_eq (s_id (&f, shed), 2);
    cr_assert_neq (pqueue_push (f.queue, s_item (&f, 7), PQUEUE_PRIORITY_CRITICAL, &shed), 0);
    cr_assert_eq (s_id (&f, shed), 1);
    //  Now the victim is 6 (101).
    cr_assert_neq (pqueue_push (f.queue, s_item (&f, 8), PQUEUE_PRIORITY_NORMAL, &shed), 0);
    cr_assert_eq (s_id (&f, shed), 6);
    //  Without shed_p nothing is shed, even for a critical item.
    errno = 0;
    cr_assert_eq (pqueue_push (f.queue, s_item (&f, 9), PQUEUE_PRIORITY_MAX, NULL), 0);
    cr_assert_eq (errno, ENOBUFS);
    cr_assert_eq (pqueue_size (f.queue), 4);
    long expect [] = { 7, 4, 3, 8 };
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq (s_pop (&f), expect [i], "pop %zu", i);
    s_teardown (&f);
}

Test (pqueue, critical_items_are_never_shed_for_lower_ones)
{
    fixture_t f = s_setup (3);
    for (size_t i = 1; i <= 3; i++)
        s_push (&f, i, PQUEUE_PRIORITY_CRITICAL);
    int32_t lower [] = { 0, PQUEUE_PRIORITY_LOW, PQUEUE_PRIORITY_HIGH, 399, 400 };
    for (size_t i = 0; i < sizeof lower / sizeof lower [0]; i++) {
        void *shed = NULL;
        errno = 0;
        cr_assert_eq (pqueue_push (f.queue, s_item (&f, 10 + i), lower [i], &shed), 0);
        cr_assert_eq (errno, ENOBUFS);
        cr_assert_null (shed);
    }
    cr_assert_eq (pqueue_count (f.queue, PQUEUE_CRITICAL), 3);
    s_teardown (&f);
}

Test (pqueue, counts_per_level)
{
    fixture_t f = s_setup (100);
    int32_t priorities [] = { 0, 99, 100, 199, 200, 299, 300, 399, 400, 1000, 250 };
    for (size_t i = 0; i < sizeof priorities / sizeof priorities [0]; i++)
        s_push (&f, i, priorities [i]);
    cr_assert_eq (pqueue_count (f.queue, PQUEUE_LOW), 4);
    cr_assert_eq (pqueue_count (f.queue, PQUEUE_NORMAL), 3);
    cr_assert_eq (pqueue_count (f.queue, PQUEUE_HIGH), 2);
    cr_assert_eq (pqueue_count (f.queue, PQUEUE_CRITICAL), 2);
    cr_assert_eq (pqueue_count (f.queue, (pqueue_level_t) 9), 0);
    cr_assert_eq (pqueue_size (f.queue), 11);
    cr_assert_eq (s_pop (&f), 9);
    cr_assert_eq (pqueue_count (f.queue, PQUEUE_CRITICAL), 1);
    s_teardown (&f);
}

Test (pqueue, refuses_bad_input)
{
    fixture_t f = s_setup (2);
    void *shed = s_item (&f, 0);
    int32_t bad [] = { -1, 1001, INT32_MIN, INT32_MAX };
    for (size_t i = 0; i < 4; i++) {
        errno = 0;
        cr_assert_eq (pqueue_push (f.queue, s_item (&f, 1), bad [i], &shed), 0);
        cr_assert_eq (errno, EINVAL);
        cr_assert_null (shed);
        errno = 0;
        cr_assert_eq (pqueue_push_front (f.queue, s_item (&f, 1), bad [i]), 0);
        cr_assert_eq (errno, EINVAL);
    }
    errno = 0;
    cr_assert_eq (pqueue_push (f.queue, NULL, 100, &shed), 0);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (pqueue_push_front (f.queue, NULL, 100), 0);
    cr_assert_eq (pqueue_size (f.queue), 0);
    errno = 0;
    cr_assert_null (pqueue_new (0));
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (pqueue_set_capacity (f.queue, 0), -1);
    cr_assert_eq (pqueue_capacity (f.queue), 2);
    pqueue_destroy (NULL);
    s_teardown (&f);
}

Test (pqueue, capacity_changes_take_effect_on_the_next_push)
{
    fixture_t f = s_setup (2);
    s_push (&f, 1, 100);
    s_push (&f, 2, 100);
    void *shed = NULL;
    cr_assert_eq (pqueue_push (f.queue, s_item (&f, 3), 100, &shed), 0);
    cr_assert_eq (pqueue_set_capacity (f.queue, 3), 0);
    cr_assert_eq (pqueue_capacity (f.queue), 3);
    s_push (&f, 3, 100);
    //  Lowering below the size keeps what is queued ...
    cr_assert_eq (pqueue_set_capacity (f.queue, 1), 0);
    cr_assert_eq (pqueue_size (f.queue), 3);
    //  ... refuses equals, sheds one for one for higher items ...
    cr_assert_eq (pqueue_push (f.queue, s_item (&f, 4), 100, &shed), 0);
    cr_assert_neq (pqueue_push (f.queue, s_item (&f, 5), 200, &shed), 0);
    cr_assert_eq (s_id (&f, shed), 3);
    cr_assert_eq (pqueue_size (f.queue), 3);
    //  ... and pop_last trims back down, newest lowest first.
    int32_t priority = 0;
    cr_assert_eq (s_id (&f, pqueue_pop_last (f.queue, &priority)), 2);
    cr_assert_eq (priority, 100);
    cr_assert_eq (s_id (&f, pqueue_pop_last (f.queue, NULL)), 1);
    cr_assert_eq (pqueue_size (f.queue), 1);
    cr_assert_eq (s_pop (&f), 5);
    cr_assert_null (pqueue_pop_last (f.queue, NULL));
    s_teardown (&f);
}

typedef struct {
    fixture_t *f;
    long sum;
    size_t seen;
    int32_t priorities;
} tally_t;

static void
s_tally (void *item, int32_t priority, pqueue_handle_t handle, void *arg)
{
    tally_t *tally = arg;
    tally->sum += s_id (tally->f, item);
    tally->seen++;
    tally->priorities += priority;
    cr_assert_eq (pqueue_lookup (tally->f->queue, handle, NULL), item);
}

Test (pqueue, each_visits_every_item_with_its_handle)
{
    fixture_t f = s_setup (100);
    for (size_t i = 1; i <= 10; i++)
        s_push (&f, i, (int32_t) (i * 10));
    s_pop (&f);
    tally_t tally = { &f, 0, 0, 0 };
    pqueue_each (f.queue, s_tally, &tally);
    cr_assert_eq (tally.seen, 9);
    cr_assert_eq (tally.sum, 45);
    cr_assert_eq (tally.priorities, 450);
    s_teardown (&f);
}

Test (pqueue, levels_are_the_wire_priority_levels)
{
    cr_assert_eq (pqueue_level (0), PQUEUE_LOW);
    cr_assert_eq (pqueue_level (199), PQUEUE_LOW);
    cr_assert_eq (pqueue_level (200), PQUEUE_NORMAL);
    cr_assert_eq (pqueue_level (300), PQUEUE_HIGH);
    cr_assert_eq (pqueue_level (399), PQUEUE_HIGH);
    cr_assert_eq (pqueue_level (400), PQUEUE_CRITICAL);
    cr_assert_eq (pqueue_level (1000), PQUEUE_CRITICAL);
    //  Each level counts the priorities the wire gives its name, and
    //  every level is reached.
    static const pqueue_level_t named [WIRE_PRIORITY_LEVELS] = {
        [WIRE_LEVEL_CRITICAL] = PQUEUE_CRITICAL, [WIRE_LEVEL_HIGH] = PQUEUE_HIGH,
        [WIRE_LEVEL_NORMAL] = PQUEUE_NORMAL, [WIRE_LEVEL_LOW] = PQUEUE_LOW,
    };
    bool reached [PQUEUE_LEVELS] = { false };
    for (int32_t p = PQUEUE_PRIORITY_MIN - 1; p <= PQUEUE_PRIORITY_MAX + 1; p++) {
        pqueue_level_t level = pqueue_level (p);
        cr_assert_lt ((unsigned) level, PQUEUE_LEVELS);
        cr_assert_eq (level, named [wire_priority_band (p)], "priority %d", p);
        cr_assert_str_eq (wire_priority_names [wire_priority_band (p)],
                          wire_priority_level (p));
        reached [level] = true;
    }
    for (size_t l = 0; l < PQUEUE_LEVELS; l++)
        cr_expect (reached [l], "level %zu holds no priority", l);
}

//  The model: items in pop order in a plain array. push goes after the
//  last item of its priority, push_front before the first; pop takes the
//  head; a full queue's victim is the tail.
typedef struct {
    long id;
    int32_t priority;
    pqueue_handle_t handle;
} model_item_t;

typedef struct {
    model_item_t *items;
    size_t size;
    size_t capacity;
} model_t;

static void
s_model_insert (model_t *m, size_t at, model_item_t item)
{
    memmove (&m->items [at + 1], &m->items [at], (m->size - at) * sizeof item);
    m->items [at] = item;
    m->size++;
}

static model_item_t
s_model_take (model_t *m, size_t at)
{
    model_item_t item = m->items [at];
    memmove (&m->items [at], &m->items [at + 1], (m->size - at - 1) * sizeof item);
    m->size--;
    return item;
}

static size_t
s_model_after (const model_t *m, int32_t priority)
{
    size_t at = 0;
    while (at < m->size && m->items [at].priority >= priority)
        at++;
    return at;
}

static size_t
s_model_before (const model_t *m, int32_t priority)
{
    size_t at = 0;
    while (at < m->size && m->items [at].priority > priority)
        at++;
    return at;
}

static int32_t
s_random_priority (backoff_rng_t *rng)
{
    //  Mostly a few values, so ties and FIFO order are exercised hard.
    static const int32_t common [] = { 0, 100, 100, 200, 200, 200, 300, 399, 400, 1000 };
    uint64_t r = backoff_rng_next (rng);
    if (r % 4 == 0)
        return (int32_t) ((r >> 8) % 1001);
    return common [(r >> 8) % (sizeof common / sizeof common [0])];
}

Test (pqueue, random_operations_match_a_sorted_array_model)
{
    fixture_t f = s_setup (32);
    model_t m = { calloc (ITEMS, sizeof (model_item_t)), 0, 32 };
    cr_assert_not_null (m.items);
    pqueue_handle_t *stale = calloc (ITEMS, sizeof *stale);
    cr_assert_not_null (stale);
    size_t stale_count = 0;
    backoff_rng_t rng;
    backoff_rng_seed (&rng, 20240601);
    long next_id = 1;
    size_t sheds = 0, refusals = 0, fronts = 0, removals = 0;

    for (int step = 0; step < 100000; step++) {
        uint64_t r = backoff_rng_next (&rng);
        unsigned op = (unsigned) (r % 100);
        r >>= 8;
        if (op < 45) {
            //  push; the queue often runs full at capacity 1..64
            long id = next_id++;
            int32_t priority = s_random_priority (&rng);
            void *shed = NULL;
            pqueue_handle_t handle = pqueue_push (f.queue, s_item (&f, (size_t) id), priority, &shed);
            if (m.size >= m.capacity) {
                model_item_t victim = m.items [m.size - 1];
                if (priority > victim.priority) {
                    cr_assert_neq (handle, 0, "step %d", step);
                    cr_assert_eq (s_id (&f, shed), victim.id, "step %d", step);
                    s_model_take (&m, m.size - 1);
                    stale [stale_count++] = victim.handle;
                    sheds++;
                }
                else {
                    cr_assert_eq (handle, 0, "step %d", step);
                    cr_assert_eq (errno, ENOBUFS);
                    cr_assert_null (shed);
                    refusals++;
                    continue;
                }
            }
            else {
                cr_assert_neq (handle, 0, "step %d", step);
                cr_assert_null (shed);
            }
            model_item_t item = { id, priority, handle };
            s_model_insert (&m, s_model_after (&m, priority), item);
        }
        else
        if (op < 75) {
            int32_t priority = -1;
            void *got = pqueue_pop (f.queue, &priority);
            if (m.size == 0) {
                cr_assert_null (got, "step %d", step);
                continue;
            }
            model_item_t want = s_model_take (&m, 0);
            cr_assert_eq (s_id (&f, got), want.id, "step %d", step);
            cr_assert_eq (priority, want.priority);
            stale [stale_count++] = want.handle;
            //  Sometimes the worker "crashes" and the item comes back.
            if (r % 4 == 0) {
                pqueue_handle_t handle = pqueue_push_front (f.queue, got, priority);
                cr_assert_neq (handle, 0);
                want.handle = handle;
                s_model_insert (&m, s_model_before (&m, priority), want);
                fronts++;
            }
        }
        else
        if (op < 85) {
            if (m.size > 0) {
                size_t at = (size_t) (r % m.size);
                model_item_t want = s_model_take (&m, at);
                cr_assert_eq (s_id (&f, pqueue_remove (f.queue, want.handle)), want.id, "step %d", step);
                stale [stale_count++] = want.handle;
                removals++;
            }
            if (stale_count > 0) {
                pqueue_handle_t old = stale [(r >> 16) % stale_count];
                errno = 0;
                cr_assert_null (pqueue_remove (f.queue, old), "step %d", step);
                cr_assert_eq (errno, ENOENT);
            }
        }
        else
        if (op < 95) {
            int32_t priority = -1;
            void *got = pqueue_peek (f.queue, &priority);
            if (m.size == 0)
                cr_assert_null (got);
            else {
                cr_assert_eq (s_id (&f, got), m.items [0].id, "step %d", step);
                cr_assert_eq (priority, m.items [0].priority);
            }
            if (m.size > 0) {
                model_item_t any = m.items [r % m.size];
                cr_assert_eq (s_id (&f, pqueue_lookup (f.queue, any.handle, NULL)), any.id);
            }
        }
        else
        if (op < 97) {
            size_t capacity = 1 + (size_t) (r % 64);
            cr_assert_eq (pqueue_set_capacity (f.queue, capacity), 0);
            m.capacity = capacity;
        }
        else {
            int32_t priority = -1;
            void *got = pqueue_pop_last (f.queue, &priority);
            if (m.size == 0)
                cr_assert_null (got);
            else {
                model_item_t want = s_model_take (&m, m.size - 1);
                cr_assert_eq (s_id (&f, got), want.id, "step %d", step);
                cr_assert_eq (priority, want.priority);
                stale [stale_count++] = want.handle;
            }
        }

        cr_assert_eq (pqueue_size (f.queue), m.size, "step %d", step);
        if (step % 64 == 0) {
            size_t counts [PQUEUE_LEVELS] = { 0 };
            for (size_t i = 0; i < m.size; i++)
                counts [pqueue_level (m.items [i].priority)]++;
            for (int level = 0; level < PQUEUE_LEVELS; level++)
                cr_assert_eq (pqueue_count (f.queue, (pqueue_level_t) level), counts [level]);
        }
    }
    //  The run must have reached every interesting path many times.
    cr_assert_gt (sheds, 1000, "sheds %zu", sheds);
    cr_assert_gt (refusals, 1000, "refusals %zu", refusals);
    cr_assert_gt (fronts, 1000, "fronts %zu", fronts);
    cr_assert_gt (removals, 1000, "removals %zu", removals);

    while (m.size > 0)
        cr_assert_eq (s_pop (&f), s_model_take (&m, 0).id);
    cr_assert_eq (pqueue_size (f.queue), 0);
    free (stale);
    free (m.items);
    s_teardown (&f);
}
