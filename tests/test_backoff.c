/*  Tests for common/backoff: retry delays, jitter bounds, the seeded PRNG
    and the deadline check.  */
#include "common/backoff.h"

#include <criterion/criterion.h>
#include <errno.h>

Test (backoff, defaults_match_the_design)
{
    backoff_t self = backoff_default ();
    cr_assert_eq (self.attempts, 3);
    cr_assert_eq (self.base_ms, 1000);
    cr_assert_eq (self.max_ms, 10000);
    cr_assert_eq (self.jitter_pct, 20);
    cr_assert_eq (backoff_check (&self), 0);
}

Test (backoff, nominal_doubles_up_to_the_cap)
{
    backoff_t self = backoff_default ();
    //  1 s, 2 s, 4 s, 8 s, then capped at 10 s for ever.
    uint64_t expect [] = { 1000, 1000, 2000, 4000, 8000, 10000, 10000 };
    for (uint32_t n = 0; n < 7; n++)
        cr_assert_eq (backoff_nominal (&self, n), expect [n], "failures %u", n);
    cr_assert_eq (backoff_nominal (&self, UINT32_MAX), 10000);
}

Test (backoff, no_jitter_gives_exact_delays_without_drawing)
{
    backoff_t self = { .attempts = 5, .base_ms = 100, .max_ms = 30000 };
    backoff_rng_t rng;
    backoff_rng_seed (&rng, 7);
    backoff_rng_t before = rng;
    cr_assert_eq (backoff_delay (&self, 1, &rng), 100);
    cr_assert_eq (backoff_delay (&self, 3, &rng), 400);
    cr_assert_eq (backoff_delay (&self, 40, &rng), 30000);
    cr_assert_eq (rng.state, before.state);
}

Test (backoff, jitter_stays_within_twenty_percent_and_spreads)
{
    backoff_t self = backoff_default ();
    backoff_rng_t rng;
    backoff_rng_seed (&rng, 42);
    for (uint32_t n = 1; n <= 4; n++) {
        uint64_t nominal = backoff_nominal (&self, n);
        uint64_t lo = UINT64_MAX, hi = 0;
        for (int i = 0; i < 2000; i++) {
            uint64_t d = backoff_delay (&self, n, &rng);
            cr_assert_geq (d, nominal * 8 / 10, "n %u: %lu", n, (unsigned long) d);
            cr_assert_leq (d, nominal * 12 / 10, "n %u: %lu", n, (unsigned long) d);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        //  2000 draws over a range of 40 % of nominal cover both ends.
        cr_assert_lt (lo, nominal * 82 / 100, "n %u lo %lu", n, (unsigned long) lo);
        cr_assert_gt (hi, nominal * 118 / 100, "n %u hi %lu", n, (unsigned long) hi);
    }
}

Test (backoff, jitter_never_exceeds_the_cap)
{
    backoff_t self = backoff_default ();
    backoff_rng_t rng;
    backoff_rng_seed (&rng, 3);
    bool below = false;
    for (int i = 0; i < 1000; i++) {
        uint64_t d = backoff_delay (&self, 10, &rng);
        cr_assert_leq (d, 10000);
        cr_assert_geq (d, 8000);
        below = below || d < 9000;
    }
    cr_assert (below, "jitter at the cap only ever goes down");
}

Test (backoff, same_seed_same_delays_other_seed_other_delays)
{
    backoff_t self = backoff_default ();
    backoff_rng_t a, b, c;
    backoff_rng_seed (&a, 99);
    backoff_rng_seed (&b, 99);
    backoff_rng_seed (&c, 100);
    int differ = 0;
    for (int i = 0; i < 50; i++) {
        uint64_t da = backoff_delay (&self, 2, &a);
        cr_assert_eq (da, backoff_delay (&self, 2, &b));
        differ += da != backoff_delay (&self, 2, &c);
    }
    cr_assert_gt (differ, 40);
}

Test (backoff, zero_seed_and_zero_state_still_draw)
{
    backoff_rng_t zero = { 0 };
    backoff_rng_t seeded;
    backoff_rng_seed (&seeded, 0);
    cr_assert_neq (seeded.state, 0);
    uint64_t x = backoff_rng_next (&zero);
    uint64_t y = backoff_rng_next (&zero);
    cr_assert_neq (x, y);
    cr_assert_neq (zero.state, 0);
}

Test (backoff, check_refuses_bad_policies)
{
    backoff_t bad [] = {
        { .attempts = 0, .base_ms = 1, .max_ms = 1 },
        { .attempts = 1, .base_ms = 0, .max_ms = 1 },
        { .attempts = 1, .base_ms = 2, .max_ms = 1 },
        { .attempts = 1, .base_ms = 1, .max_ms = 1, .jitter_pct = 101 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        errno = 0;
        cr_assert_eq (backoff_check (&bad [i]), -1, "case %zu", i);
        cr_assert_eq (errno, EINVAL);
    }
    backoff_t ok = { .attempts = 1, .base_ms = 5, .max_ms = 5, .jitter_pct = 100 };
    cr_assert_eq (backoff_check (&ok), 0);
}

Test (backoff, huge_values_do_not_wrap_around)
{
    //  Twice the base is 2/3 of the range: +-100 % jitter would wrap past
    //  UINT64_MAX if it were not clamped, giving tiny delays.
    backoff_t self = { .attempts = 1, .base_ms = UINT64_MAX / 3,
                       .max_ms = UINT64_MAX, .jitter_pct = 100 };
    backoff_rng_t rng = { 0 };
    uint64_t nominal = backoff_nominal (&self, 2);
    cr_assert_eq (nominal, UINT64_MAX / 3 * 2);
    for (int i = 0; i < 1000; i++)
        cr_assert_geq (backoff_delay (&self, 2, &rng), UINT64_MAX / 4);
    cr_assert_eq (backoff_nominal (&self, 5), UINT64_MAX);
    cr_assert_eq (backoff_delay (&self, 5, &rng), UINT64_MAX);
}

Test (backoff, may_retry_counts_attempts)
{
    backoff_t self = backoff_default ();
    cr_assert (backoff_may_retry (&self, 1, 0, 1000, 0));
    cr_assert (backoff_may_retry (&self, 2, 0, 2000, 0));
    //  Three tries have failed: no fourth.
    cr_assert_not (backoff_may_retry (&self, 3, 0, 0, 0));
}

Test (backoff, may_retry_respects_the_deadline)
{
    backoff_t self = backoff_default ();
    //  At 5 s with a 1 s delay, the retry starts at 6 s.
    cr_assert (backoff_may_retry (&self, 1, 5000, 1000, 6001));
    cr_assert_not (backoff_may_retry (&self, 1, 5000, 1000, 6000));
    cr_assert_not (backoff_may_retry (&self, 1, 5000, 0, 5000));
    cr_assert_not (backoff_may_retry (&self, 1, 7000, 0, 6000));
    cr_assert (backoff_may_retry (&self, 1, UINT64_MAX - 10, 5, UINT64_MAX));
    cr_assert_not (backoff_may_retry (&self, 1, UINT64_MAX - 10, 10, UINT64_MAX));
}
