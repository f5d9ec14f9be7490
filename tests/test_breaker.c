/*  Tests for common/breaker: opening on a failure streak, the open time,
    half-open trials, forcing and resetting, all with explicit times.  */
#include "common/breaker.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

static breaker_t *
s_new_default (void)
{
    breaker_t *self = breaker_new (NULL);
    cr_assert_not_null (self);
    return self;
}

Test (breaker, starts_closed_and_lets_calls_through)
{
    breaker_t *self = s_new_default ();
    cr_assert_eq (breaker_state (self), BREAKER_CLOSED);
    breaker_change_t change = BREAKER_OPENED;
    for (int i = 0; i < 100; i++)
        cr_assert (breaker_allow (self, (uint64_t) i, &change));
    cr_assert_eq (change, BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_refused (self), 0);
    cr_assert_eq (breaker_open_left (self, 0), 0);
    breaker_destroy (&self);
    cr_assert_null (self);
    breaker_destroy (&self);
    breaker_destroy (NULL);
}

Test (breaker, opens_after_five_consecutive_failures)
{
    breaker_t *self = s_new_default ();
    for (int i = 0; i < 4; i++)
        cr_assert_eq (breaker_failure (self, 1000), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_failure_streak (self), 4);
    cr_assert_eq (breaker_state (self), BREAKER_CLOSED);
    cr_assert_eq (breaker_failure (self, 1000), BREAKER_OPENED);
    cr_assert_eq (breaker_state (self), BREAKER_OPEN);
    cr_assert_eq (breaker_times_opened (self), 1);
    cr_assert_not (breaker_allow (self, 1001, NULL));
    cr_assert_eq (breaker_refused (self), 1);
    breaker_destroy (&self);
}

Test (breaker, a_success_ends_the_streak)
{
    breaker_t *self = s_new_default ();
    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 4; i++)
            breaker_failure (self, 0);
        cr_assert_eq (breaker_success (self, 0), BREAKER_NO_CHANGE);
        cr_assert_eq (breaker_failure_streak (self), 0);
    }
    cr_assert_eq (breaker_state (self), BREAKER_CLOSED);
    breaker_destroy (&self);
}

Test (breaker, stays_open_sixty_seconds_then_half_opens)
{
    breaker_t *self = s_new_default ();
    for (int i = 0; i < 5; i++)
        breaker_failure (self, 10000);
    cr_assert_eq (breaker_open_left (self, 10000), 60000);
    cr_assert_eq (breaker_open_left (self, 40000), 30000);
    breaker_change_t change = BREAKER_OPENED;
    cr_assert_not (breaker_allow (self, 69999, &change));
    cr_assert_eq (change, BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_open_left (self, 69999), 1);
    //  Still reads open until someone asks.
    cr_assert_eq (breaker_open_left (self, 70000), 0);
    cr_assert_eq (breaker_state (self), BREAKER_OPEN);
    cr_assert (breaker_allow (self, 70000, &change));
    cr_assert_eq (change, BREAKER_HALF_OPENED);
    cr_assert_eq (breaker_state (self), BREAKER_HALF_OPEN);
    //  One trial only: the next call waits for its outcome.
    cr_assert_not (breaker_allow (self, 70001, &change));
    cr_assert_eq (change, BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_success (self, 70500), BREAKER_CLOSED_AGAIN);
    cr_assert_eq (breaker_state (self), BREAKER_CLOSED);
    cr_assert (breaker_allow (self, 70501, NULL));
    breaker_destroy (&self);
}

Test (breaker, a_failed_trial_reopens_for_a_full_period)
{
    breaker_t *self = s_new_default ();
    for (int i = 0; i < 5; i++)
        breaker_failure (self, 0);
    cr_assert (breaker_allow (self, 60000, NULL));
    cr_assert_eq (breaker_failure (self, 61000), BREAKER_OPENED);
    cr_assert_eq (breaker_times_opened (self), 2);
    cr_assert_not (breaker_allow (self, 120999, NULL));
    cr_assert (breaker_allow (self, 121000, NULL));
    breaker_destroy (&self);
}

Test (breaker, half_open_with_three_trials_needs_all_three)
{
    breaker_config_t config = breaker_config_default ();
    config.half_open_trials = 3;
    config.failure_threshold = 2;
    config.open_ms = 5000;
    breaker_t *self = breaker_new (&config);
    cr_assert_not_null (self);
    breaker_failure (self, 0);
    cr_assert_eq (breaker_failure (self, 0), BREAKER_OPENED);

    //  Two successes of three do not close it; the third does.
    for (int i = 0; i < 3; i++)
        cr_assert (breaker_allow (self, 5000, NULL), "trial %d", i);
    cr_assert_not (breaker_allow (self, 5000, NULL));
    cr_assert_eq (breaker_success (self, 5100), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_success (self, 5200), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_state (self), BREAKER_HALF_OPEN);
    cr_assert_eq (breaker_success (self, 5300), BREAKER_CLOSED_AGAIN);

    //  Open again; this time the second trial fails.
    breaker_failure (self, 6000);
    cr_assert_eq (breaker_failure (self, 6000), BREAKER_OPENED);
    cr_assert (breaker_allow (self, 11000, NULL));
    cr_assert (breaker_allow (self, 11000, NULL));
    cr_assert_eq (breaker_success (self, 11100), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_failure (self, 11200), BREAKER_OPENED);
    cr_assert_eq (breaker_state (self), BREAKER_OPEN);
    //  The late third outcome of the old round is ignored while open.
    cr_assert_eq (breaker_success (self, 11300), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_failure (self, 11300), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_open_left (self, 11200), 5000);
    //  The new half-open round starts with fresh trial slots.
    cr_assert (breaker_allow (self, 16200, NULL));
    cr_assert (breaker_allow (self, 16200, NULL));
    cr_assert (breaker_allow (self, 16200, NULL));
    cr_assert_not (breaker_allow (self, 16200, NULL));
    breaker_destroy (&self);
}

Test (breaker, forced_open_holds_until_reset)
{
    breaker_t *self = s_new_default ();
    cr_assert_eq (breaker_force_open (self, 1000), BREAKER_OPENED);
    cr_assert (breaker_forced (self));
    cr_assert_eq (breaker_open_left (self, 1000), UINT64_MAX);
    //  Far past the open time it still refuses.
    breaker_change_t change = BREAKER_OPENED;
    cr_assert_not (breaker_allow (self, 1000 + 3600000, &change));
    cr_assert_eq (change, BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_state (self), BREAKER_OPEN);
    cr_assert_eq (breaker_force_open (self, 2000), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_reset (self, 5000000), BREAKER_CLOSED_AGAIN);
    cr_assert_not (breaker_forced (self));
    cr_assert (breaker_allow (self, 5000000, NULL));
    cr_assert_eq (breaker_reset (self, 5000000), BREAKER_NO_CHANGE);
    breaker_destroy (&self);
}

Test (breaker, force_open_pins_an_already_open_breaker)
{
    breaker_t *self = s_new_default ();
    for (int i = 0; i < 5; i++)
        breaker_failure (self, 0);
    cr_assert_eq (breaker_force_open (self, 100), BREAKER_NO_CHANGE);
    cr_assert_not (breaker_allow (self, 600000, NULL));
    cr_assert_eq (breaker_times_opened (self), 1);
    breaker_destroy (&self);
}

Test (breaker, reset_clears_a_streak_and_half_open)
{
    breaker_t *self = s_new_default ();
    for (int i = 0; i < 4; i++)
        breaker_failure (self, 0);
    cr_assert_eq (breaker_reset (self, 0), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_failure (self, 0), BREAKER_NO_CHANGE);
    cr_assert_eq (breaker_failure_streak (self), 1);
    for (int i = 0; i < 4; i++)
        breaker_failure (self, 0);
    cr_assert (breaker_allow (self, 60000, NULL));
    cr_assert_eq (breaker_state (self), BREAKER_HALF_OPEN);
    cr_assert_eq (breaker_reset (self, 60001), BREAKER_CLOSED_AGAIN);
    cr_assert_eq (breaker_state (self), BREAKER_CLOSED);
    breaker_destroy (&self);
}

Test (breaker, refuses_bad_configs)
{
    breaker_config_t config = breaker_config_default ();
    config.failure_threshold = 0;
    errno = 0;
    cr_assert_null (breaker_new (&config));
    cr_assert_eq (errno, EINVAL);
    config = breaker_config_default ();
    config.half_open_trials = 0;
    errno = 0;
    cr_assert_null (breaker_new (&config));
    cr_assert_eq (errno, EINVAL);
    //  An open time of 0 is allowed: it half-opens on the next ask.
    config = breaker_config_default ();
    config.open_ms = 0;
    breaker_t *self = breaker_new (&config);
    cr_assert_not_null (self);
    for (int i = 0; i < 5; i++)
        breaker_failure (self, 7);
    cr_assert (breaker_allow (self, 7, NULL));
    cr_assert_eq (breaker_state (self), BREAKER_HALF_OPEN);
    breaker_destroy (&self);
}

Test (breaker, names_match_status_and_event_types)
{
    cr_assert_str_eq (breaker_state_name (BREAKER_CLOSED), "closed");
    cr_assert_str_eq (breaker_state_name (BREAKER_OPEN), "open");
    cr_assert_str_eq (breaker_state_name (BREAKER_HALF_OPEN), "half_open");
    cr_assert_str_eq (breaker_change_name (BREAKER_OPENED), "breaker.opened");
    cr_assert_str_eq (breaker_change_name (BREAKER_HALF_OPENED), "breaker.half_open");
    cr_assert_str_eq (breaker_change_name (BREAKER_CLOSED_AGAIN), "breaker.closed");
    cr_assert_str_eq (breaker_change_name (BREAKER_NO_CHANGE), "none");
}
