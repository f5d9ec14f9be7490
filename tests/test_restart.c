/*  Tests for common/restart: the restart policy driven with explicit times
    and seeded jitter, from a clean start through crash loops, FATAL and
    its probes, operator restarts and start timeouts.  */
#include "common/backoff.h"
#include "common/restart.h"

#include <criterion/criterion.h>
#include <errno.h>

static restart_t *
s_new (const restart_config_t *config)
{
    restart_t *self = restart_new (config);
    cr_assert_not_null (self);
    return self;
}

static void
s_expect (restart_action_t action, restart_do_t what, const char *where)
{
    cr_assert_eq (action.what, what, "%s: got %s, want %s", where,
                  restart_do_name (action.what), restart_do_name (what));
}

//  Start a stopped or restarting slot at now: SPAWN answered, spawned
//  reported. Returns the start timeout deadline.
static uint64_t
s_spawn (restart_t *self, restart_action_t action, uint64_t now)
{
    s_expect (action, RESTART_DO_SPAWN, "spawn");
    cr_assert_eq (restart_state (self), RESTART_STARTING);
    restart_action_t armed = restart_on_spawned (self, now);
    s_expect (armed, RESTART_DO_NONE, "spawned");
    return armed.at;
}

Test (restart, starts_and_becomes_ready)
{
    restart_t *self = s_new (NULL);
    cr_assert_eq (restart_state (self), RESTART_STOPPED);
    cr_assert_eq (restart_next_deadline (self), RESTART_NO_DEADLINE);
    restart_action_t action = restart_on_start (self, 1000);
    s_expect (action, RESTART_DO_SPAWN, "start");
    cr_assert_eq (action.at, 11000);
    //  The timeout runs from the real spawn.
    cr_assert_eq (s_spawn (self, action, 1005), 11005);
    cr_assert_eq (restart_next_deadline (self), 11005);
    action = restart_on_ready (self, 1200);
    s_expect (action, RESTART_DO_NONE, "ready");
    cr_assert_eq (action.at, RESTART_NO_DEADLINE);
    cr_assert_eq (restart_state (self), RESTART_READY);
    cr_assert_eq (restart_count (self), 0);
    cr_assert_eq (restart_exits (self), 0);
    restart_destroy (&self);
    cr_assert_null (self);
    restart_destroy (&self);
    restart_destroy (NULL);
}

Test (restart, restarts_at_once_after_ten_seconds_ready)
{
    restart_t *self = s_new (NULL);
    s_spawn (self, restart_on_start (self, 0), 0);
    restart_on_ready (self, 500);
    restart_action_t action = restart_on_exit (self, 10500);
    s_expect (action, RESTART_DO_SPAWN, "exit after 10 s ready");
    cr_assert_eq (restart_count (self), 1);
    cr_assert_eq (restart_exits (self), 1);
    cr_assert_eq (restart_last_exit (self), 10500);
    cr_assert_eq (restart_last_delay (self), 0);
    cr_assert_eq (restart_level (self), 0);

    //  Ready for 9.999 s only: that is a quick crash, first backoff step.
    s_spawn (self, action, 10500);
    restart_on_ready (self, 10501);
    action = restart_on_exit (self, 20500);
    s_expect (action, RESTART_DO_WAIT, "exit after 9.999 s ready");
    cr_assert_eq (restart_state (self), RESTART_BACKOFF);
    cr_assert_geq (action.at, 20500 + 80);
    cr_assert_leq (action.at, 20500 + 120);
    cr_assert_eq (restart_level (self), 1);
    restart_destroy (&self);
}

//  Crash a never-ready worker over and over; return the delays chosen.
static void
s_crash_loop (restart_t *self, uint64_t *delays, size_t count)
{
    uint64_t now = 0;
    restart_action_t action = restart_on_start (self, now);
    for (size_t i = 0; i < count; i++) {
        s_spawn (self, action, now);
        now += 5;
        action = restart_on_exit (self, now);
        s_expect (action, RESTART_DO_WAIT, "crash");
        delays [i] = action.at - now;
        cr_assert_eq (restart_last_delay (self), delays [i]);
        cr_assert_eq (restart_level (self), i + 1);
        //  Early timers change nothing.
        restart_action_t early = restart_on_timer (self, action.at - 1);
        s_expect (early, RESTART_DO_WAIT, "early timer");
        cr_assert_eq (early.at, action.at);
        cr_assert_eq (restart_state (self), RESTART_BACKOFF);
        now = action.at;
        action = restart_on_timer (self, now);
    }
}

Test (restart, crash_loop_gaps_double_within_jitter_up_to_the_cap)
{
    restart_config_t config = restart_config_default ();
    config.intensity = 1000;        //  keep it out of FATAL for this test
    config.seed = 12345;
    restart_t *self = s_new (&config);
    uint64_t delays [14];
    s_crash_loop (self, delays, 14);
    //  100 ms doubling: 100, 200, ... 25600, then 30000 for ever; each
    //  within +-20 % and never above 30 s.
    uint64_t nominal = 100;
    for (size_t i = 0; i < 14; i++) {
        uint64_t lo = nominal * 8 / 10;
        uint64_t hi = nominal * 12 / 10 < 30000 ? nominal * 12 / 10 : 30000;
        cr_assert_geq (delays [i], lo, "delay %zu = %lu", i, (unsigned long) delays [i]);
        cr_assert_leq (delays [i], hi, "delay %zu = %lu", i, (unsigned long) delays [i]);
        //  Doubling beats the jitter: every step up to the cap is longer.
        if (i > 0 && nominal < 30000)
            cr_assert_gt (delays [i], delays [i - 1], "step %zu", i);
        nominal = nominal * 2 < 30000 ? nominal * 2 : 30000;
    }
    cr_assert_eq (restart_count (self), 14);

    //  Without jitter the sequence is exact.
    config.jitter_pct = 0;
    restart_t *exact = s_new (&config);
    s_crash_loop (exact, delays, 11);
    uint64_t expect [] = { 100, 200, 400, 800, 1600, 3200, 6400, 12800,
                           25600, 30000, 30000 };
    for (size_t i = 0; i < 11; i++)
        cr_assert_eq (delays [i], expect [i], "delay %zu", i);
    restart_destroy (&exact);
    restart_destroy (&self);
}

Test (restart, jitter_follows_the_seed)
{
    restart_config_t config = restart_config_default ();
    config.intensity = 1000;
    uint64_t a [8], b [8], c [8];
    config.seed = 7;
    restart_t *one = s_new (&config);
    restart_t *two = s_new (&config);
    config.seed = 8;
    restart_t *three = s_new (&config);
    s_crash_loop (one, a, 8);
    s_crash_loop (two, b, 8);
    s_crash_loop (three, c, 8);
    int differ = 0;
    for (int i = 0; i < 8; i++) {
        cr_assert_eq (a [i], b [i]);
        differ += a [i] != c [i];
    }
    cr_assert_geq (differ, 6);
    restart_destroy (&one);
    restart_destroy (&two);
    restart_destroy (&three);
}

Test (restart, the_backoff_resets_after_a_stable_run)
{
    restart_config_t config = restart_config_default ();
    config.jitter_pct = 0;
    restart_t *self = s_new (&config);
    uint64_t now = 0;
    restart_action_t action = restart_on_start (self, now);
    for (int i = 0; i < 3; i++) {
        s_spawn (self, action, now);
        action = restart_on_exit (self, now);
        now = action.at;
        action = restart_on_timer (self, now);
    }
    cr_assert_eq (restart_level (self), 3);
    //  Now it stays ready for 10 s: the next crash restarts at once ...
    s_spawn (self, action, now);
    restart_on_ready (self, now);
    now += 10000;
    action = restart_on_exit (self, now);
    s_expect (action, RESTART_DO_SPAWN, "crash after a stable run");
    cr_assert_eq (restart_level (self), 0);
    //  ... and a quick crash after that starts again at 100 ms.
    s_spawn (self, action, now);
    action = restart_on_exit (self, now + 1);
    cr_assert_eq (action.at, now + 1 + 100);
    restart_destroy (&self);
}

//  Drive a default slot into FATAL by a crash loop; returns the time.
static uint64_t
s_into_fatal (restart_t *self)
{
    uint64_t now = 1000;
    restart_action_t action = restart_on_start (self, now);
    for (int i = 0; i < 5; i++) {
        s_spawn (self, action, now);
        action = restart_on_exit (self, now + 10);
        s_expect (action, RESTART_DO_WAIT, "crash before FATAL");
        now = action.at;
        action = restart_on_timer (self, now);
    }
    cr_assert_eq (restart_count (self), 5);
    cr_assert_not (restart_fatal (self));
    //  The sixth crash within 60 s: no sixth restart.
    s_spawn (self, action, now);
    action = restart_on_exit (self, now + 10);
    s_expect (action, RESTART_DO_FATAL, "sixth crash");
    cr_assert_eq (restart_state (self), RESTART_FATAL);
    cr_assert (restart_fatal (self));
    cr_assert_eq (action.at, now + 10 + 300000);
    cr_assert_eq (restart_count (self), 5);
    cr_assert_eq (restart_exits (self), 6);
    return now + 10;
}

Test (restart, fatal_after_five_restarts_in_sixty_seconds)
{
    restart_t *self = s_new (NULL);
    uint64_t fatal_at = s_into_fatal (self);
    //  The crash loop took well under 60 s (100 ms .. 1.6 s gaps).
    cr_assert_lt (fatal_at, 1000 + 60000);
    cr_assert_str_eq (restart_state_name (restart_state (self)), "fatal");
    //  Nothing happens in FATAL but the probe timer.
    s_expect (restart_on_exit (self, fatal_at + 1), RESTART_DO_NONE, "stale exit");
    s_expect (restart_on_start (self, fatal_at + 2), RESTART_DO_NONE, "start");
    s_expect (restart_on_ready (self, fatal_at + 3), RESTART_DO_NONE, "ready");
    cr_assert_eq (restart_state (self), RESTART_FATAL);
    cr_assert_eq (restart_next_deadline (self), fatal_at + 300000);
    restart_destroy (&self);
}

//  A worker that is ready 11 s then crashes every `period` ms, restarted
//  at once each time. Returns how many restarts it got before FATAL (at
//  most `limit`).
static int
s_crash_every (restart_t *self, uint64_t period, int limit)
{
    uint64_t now = 0;
    restart_action_t action = restart_on_start (self, now);
    int restarts = 0;
    for (; restarts < limit; restarts++) {
        s_spawn (self, action, now);
        restart_on_ready (self, now);
        now += period;
        action = restart_on_exit (self, now);
        if (action.what != RESTART_DO_SPAWN)
            break;
    }
    return restarts;
}

Test (restart, restarts_spread_over_the_window_never_go_fatal)
{
    //  Every 12 s: a sixth restart would come exactly 60 s after the
    //  first, so no 60 s window ever holds more than 5. It runs for ever.
    restart_t *self = s_new (NULL);
    cr_assert_eq (s_crash_every (self, 12000, 50), 50);
    cr_assert_eq (restart_count (self), 50);
    cr_assert_not (restart_fatal (self));

    //  Every 11 s: the sixth restart would make 6 within 55 s: FATAL.
    restart_t *tight = s_new (NULL);
    cr_assert_eq (s_crash_every (tight, 11000, 50), 5);
    cr_assert_eq (restart_state (tight), RESTART_FATAL);
    cr_assert_eq (restart_count (tight), 5);
    restart_destroy (&tight);
    restart_destroy (&self);
}

Test (restart, fatal_probes_every_five_minutes_and_recovers_on_ready)
{
    restart_t *self = s_new (NULL);
    uint64_t t = s_into_fatal (self);
    uint64_t probe = t + 300000;
    s_expect (restart_on_timer (self, probe - 1), RESTART_DO_WAIT, "early");

    //  First probe crashes: back to FATAL quietly, next probe 5 min on.
    uint64_t before = restart_count (self);
    s_spawn (self, restart_on_timer (self, probe), probe);
    cr_assert_eq (restart_count (self), before + 1);
    cr_assert (restart_fatal (self));
    restart_action_t action = restart_on_exit (self, probe + 50);
    s_expect (action, RESTART_DO_WAIT, "probe crash");
    cr_assert_eq (restart_state (self), RESTART_FATAL);
    cr_assert_eq (action.at, probe + 50 + 300000);

    //  Second probe hangs: killed at its start timeout, then FATAL again.
    probe = action.at;
    uint64_t timeout = s_spawn (self, restart_on_timer (self, probe), probe);
    cr_assert_eq (timeout, probe + 10000);
    s_expect (restart_on_timer (self, timeout), RESTART_DO_KILL, "probe timeout");
    action = restart_on_exit (self, timeout + 3);
    s_expect (action, RESTART_DO_WAIT, "killed probe");
    cr_assert_eq (restart_state (self), RESTART_FATAL);
    cr_assert_eq (action.at, timeout + 3 + 300000);

    //  Third probe becomes ready: the component is back.
    probe = action.at;
    s_spawn (self, restart_on_timer (self, probe), probe);
    action = restart_on_ready (self, probe + 200);
    s_expect (action, RESTART_DO_RECOVERED, "probe ready");
    cr_assert_not (restart_fatal (self));
    cr_assert_eq (restart_state (self), RESTART_READY);
    cr_assert_eq (action.at, RESTART_NO_DEADLINE);
    //  The old burst has aged out of the window: a crash now backs off.
    action = restart_on_exit (self, probe + 1000);
    s_expect (action, RESTART_DO_WAIT, "crash after recovery");
    restart_destroy (&self);
}

Test (restart, operator_restart_leaves_fatal_at_once)
{
    restart_t *self = s_new (NULL);
    uint64_t t = s_into_fatal (self);
    restart_action_t action = restart_on_operator (self, t + 5000);
    s_expect (action, RESTART_DO_SPAWN, "operator restart");
    cr_assert_not (restart_fatal (self));
    cr_assert_eq (restart_state (self), RESTART_STARTING);
    cr_assert_eq (restart_level (self), 0);
    cr_assert_eq (action.at, t + 5000 + 10000);
    //  History is forgotten: a crash now is a first crash, not FATAL.
    action = restart_on_exit (self, t + 5100);
    s_expect (action, RESTART_DO_WAIT, "first crash after deploy");
    cr_assert_eq (restart_level (self), 1);
    restart_destroy (&self);
}

Test (restart, operator_restart_of_a_running_worker_stops_then_spawns)
{
    restart_t *self = s_new (NULL);
    s_spawn (self, restart_on_start (self, 0), 0);
    restart_on_ready (self, 10);
    restart_action_t action = restart_on_operator (self, 100);
    s_expect (action, RESTART_DO_STOP, "operator restart");
    cr_assert_eq (restart_state (self), RESTART_STOPPING);
    action = restart_on_exit (self, 300);
    s_expect (action, RESTART_DO_SPAWN, "gone, respawn");
    //  Asked for, so not counted as a restart.
    cr_assert_eq (restart_count (self), 0);
    cr_assert_eq (restart_exits (self), 1);
    restart_destroy (&self);
}

Test (restart, start_timeout_is_a_failed_start)
{
    restart_t *self = s_new (NULL);
    uint64_t timeout = s_spawn (self, restart_on_start (self, 0), 20);
    cr_assert_eq (timeout, 10020);
    s_expect (restart_on_timer (self, 10019), RESTART_DO_WAIT, "before timeout");
    cr_assert_eq (restart_state (self), RESTART_STARTING);
    restart_action_t action = restart_on_timer (self, 10020);
    s_expect (action, RESTART_DO_KILL, "timeout");
    cr_assert_eq (restart_state (self), RESTART_STOPPING);
    cr_assert_eq (action.at, RESTART_NO_DEADLINE);
    //  A READY that arrives while being killed changes nothing.
    s_expect (restart_on_ready (self, 10021), RESTART_DO_NONE, "late ready");
    action = restart_on_exit (self, 10030);
    s_expect (action, RESTART_DO_WAIT, "killed");
    cr_assert_eq (restart_state (self), RESTART_BACKOFF);
    cr_assert_eq (restart_level (self), 1);
    cr_assert_geq (action.at, 10030 + 80);
    cr_assert_leq (action.at, 10030 + 120);
    restart_destroy (&self);
}

Test (restart, spawn_failure_reported_as_exit_backs_off)
{
    restart_t *self = s_new (NULL);
    s_expect (restart_on_start (self, 0), RESTART_DO_SPAWN, "start");
    //  posix_spawn failed: no spawned event, the caller reports an exit.
    restart_action_t action = restart_on_exit (self, 1);
    s_expect (action, RESTART_DO_WAIT, "spawn failed");
    cr_assert_eq (restart_exits (self), 1);
    restart_destroy (&self);
}

Test (restart, stop_from_every_state)
{
    //  Running: stop, then the exit ends in STOPPED without a restart.
    restart_t *self = s_new (NULL);
    s_spawn (self, restart_on_start (self, 0), 0);
    restart_on_ready (self, 1);
    s_expect (restart_on_stop (self, 2), RESTART_DO_STOP, "stop ready");
    s_expect (restart_on_exit (self, 3), RESTART_DO_NONE, "stopped");
    cr_assert_eq (restart_state (self), RESTART_STOPPED);
    cr_assert_eq (restart_next_deadline (self), RESTART_NO_DEADLINE);
    cr_assert_eq (restart_count (self), 0);

    //  Backoff: the pending restart is cancelled.
    s_spawn (self, restart_on_start (self, 10), 10);
    s_expect (restart_on_exit (self, 11), RESTART_DO_WAIT, "crash");
    s_expect (restart_on_stop (self, 12), RESTART_DO_NONE, "stop backoff");
    cr_assert_eq (restart_state (self), RESTART_STOPPED);
    s_expect (restart_on_timer (self, 100000), RESTART_DO_NONE, "stale timer");

    //  FATAL: stopped, and no longer fatal.
    restart_t *fatal = s_new (NULL);
    uint64_t t = s_into_fatal (fatal);
    s_expect (restart_on_stop (fatal, t + 1), RESTART_DO_NONE, "stop fatal");
    cr_assert_eq (restart_state (fatal), RESTART_STOPPED);
    cr_assert_not (restart_fatal (fatal));
    s_expect (restart_on_start (fatal, t + 2), RESTART_DO_SPAWN, "start again");

    //  Stopping, then wanted up again before it is gone: respawn once gone;
    //  then a second stop wins.
    s_spawn (self, restart_on_start (self, 200), 200);
    s_expect (restart_on_stop (self, 201), RESTART_DO_STOP, "stop starting");
    s_expect (restart_on_start (self, 202), RESTART_DO_NONE, "start while stopping");
    s_expect (restart_on_exit (self, 203), RESTART_DO_SPAWN, "respawned");
    s_expect (restart_on_stop (self, 204), RESTART_DO_STOP, "stop");
    s_expect (restart_on_operator (self, 205), RESTART_DO_NONE, "operator");
    s_expect (restart_on_stop (self, 206), RESTART_DO_NONE, "stop again");
    s_expect (restart_on_exit (self, 207), RESTART_DO_NONE, "gone");
    cr_assert_eq (restart_state (self), RESTART_STOPPED);
    restart_destroy (&fatal);
    restart_destroy (&self);
}

Test (restart, random_events_keep_the_invariants)
{
    restart_config_t config = restart_config_default ();
    config.seed = 99;
    restart_t *self = s_new (&config);
    backoff_rng_t rng;
    backoff_rng_seed (&rng, 4242);
    uint64_t now = 0;
    int seen [RESTART_DO_RECOVERED + 1] = { 0 };
    for (int step = 0; step < 200000; step++) {
        uint64_t r = backoff_rng_next (&rng);
        //  Mostly quick steps (crash loops), sometimes long ones (probes,
        //  stable runs); mostly exits and timers, which drive the policy.
        now += (r >> 8) % 128 == 0 ? (r >> 12) % 400000 : (r >> 12) % 300;
        unsigned pick = (unsigned) (r % 100);
        restart_event_t event = pick < 2    ? RESTART_EV_STOP
                                : pick < 4  ? RESTART_EV_OPERATOR
                                : pick < 6  ? RESTART_EV_START
                                : pick < 20 ? RESTART_EV_SPAWNED
                                : pick < 30 ? RESTART_EV_READY
                                : pick < 60 ? RESTART_EV_EXITED
                                            : RESTART_EV_TIMER;
        restart_state_t before = restart_state (self);
        restart_action_t action = restart_handle (self, event, now);
        restart_state_t after = restart_state (self);
        seen [action.what]++;
        cr_assert_eq (action.at, restart_next_deadline (self), "step %d", step);
        cr_assert_lt ((unsigned) after, RESTART_STATES);
        //  Only STARTING, BACKOFF and FATAL wait for a timer.
        bool timed = after == RESTART_STARTING || after == RESTART_BACKOFF
                     || after == RESTART_FATAL;
        cr_assert_eq (timed, action.at != RESTART_NO_DEADLINE,
                      "step %d: %s in %s", step, restart_event_name (event),
                      restart_state_name (after));
        if (action.what == RESTART_DO_WAIT)
            cr_assert_gt (action.at, now, "step %d", step);
        if (action.what == RESTART_DO_SPAWN)
            cr_assert_eq (after, RESTART_STARTING);
        if (action.what == RESTART_DO_KILL || action.what == RESTART_DO_STOP)
            cr_assert_eq (after, RESTART_STOPPING);
        if (action.what == RESTART_DO_FATAL)
            cr_assert (after == RESTART_FATAL && restart_fatal (self));
        if (action.what == RESTART_DO_RECOVERED)
            cr_assert (before == RESTART_STARTING && after == RESTART_READY);
        if (after == RESTART_FATAL)
            cr_assert (restart_fatal (self));
    }
    //  The walk reached every kind of answer.
    for (int what = 0; what <= RESTART_DO_RECOVERED; what++)
        cr_assert_gt (seen [what], 0, "%s never answered",
                      restart_do_name ((restart_do_t) what));
    restart_destroy (&self);
}

Test (restart, refuses_bad_configs)
{
    restart_config_t good = restart_config_default ();
    cr_assert_eq (restart_config_check (&good), 0);
    restart_config_t bad [8];
    for (int i = 0; i < 8; i++)
        bad [i] = good;
    bad [0].backoff_base_ms = 0;
    bad [1].backoff_base_ms = 40000;
    bad [2].jitter_pct = 101;
    bad [3].intensity = 0;
    bad [4].intensity = 100000;
    bad [5].period_ms = 0;
    bad [6].probe_ms = 0;
    bad [7].start_timeout_ms = 0;
    for (int i = 0; i < 8; i++) {
        errno = 0;
        cr_assert_null (restart_new (&bad [i]), "case %d", i);
        cr_assert_eq (errno, EINVAL, "case %d", i);
    }
}

Test (restart, names)
{
    cr_assert_str_eq (restart_state_name (RESTART_READY), "ready");
    cr_assert_str_eq (restart_state_name (RESTART_BACKOFF), "backoff");
    cr_assert_str_eq (restart_state_name ((restart_state_t) 99), "unknown");
    cr_assert_str_eq (restart_event_name (RESTART_EV_OPERATOR), "operator");
    cr_assert_str_eq (restart_do_name (RESTART_DO_RECOVERED), "recovered");
    cr_assert_str_eq (restart_do_name ((restart_do_t) 99), "unknown");
    restart_t *self = s_new (NULL);
    s_expect (restart_handle (self, (restart_event_t) 99, 0), RESTART_DO_NONE, "bad event");
    cr_assert_eq (restart_state (self), RESTART_STOPPED);
    restart_destroy (&self);
}
