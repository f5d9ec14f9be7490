/*  common/restart.c - the restart policy: one handler per (state, event)
    cell, chosen from a table.  */
#include "common/restart.h"

#include "common/backoff.h"

#include <errno.h>
#include <stdlib.h>

#define RESTART_INTENSITY_LIMIT 1000

//  What a STOPPING slot does once the process is gone.
typedef enum {
    AFTER_STOP_REST,        //  stay stopped
    AFTER_STOP_RESPAWN,     //  start afresh (operator restart, START)
    AFTER_STOP_CRASH,       //  count it as a failed start (start timeout)
} after_stop_t;

struct restart {
    restart_config_t config;
    backoff_t backoff;
    backoff_rng_t rng;
    restart_state_t state;
    after_stop_t after_stop;
    bool fatal;             //  FATAL, or probing from FATAL
    uint64_t deadline;      //  for restart_on_timer, or RESTART_NO_DEADLINE
    uint64_t ready_at;
    uint32_t level;         //  quick crashes in a row
    uint64_t last_delay;
    uint64_t restarts;
    uint64_t exits;
    uint64_t last_exit;
    uint64_t *window;       //  times of the latest restarts, a ring
    uint32_t window_count;
    uint32_t window_next;
};

restart_config_t
restart_config_default (void)
{
    restart_config_t config = {
        .stable_ms = 10000,
        .backoff_base_ms = 100,
        .backoff_max_ms = 30000,
        .jitter_pct = 20,
        .intensity = 5,
        .period_ms = 60000,
        .probe_ms = 300000,
        .start_timeout_ms = 10000,
        .seed = 0,
    };
    return config;
}

int
restart_config_check (const restart_config_t *config)
{
    if (config->backoff_base_ms == 0
        || config->backoff_base_ms > config->backoff_max_ms
        || config->jitter_pct > 100 || config->intensity == 0
        || config->intensity > RESTART_INTENSITY_LIMIT
        || config->period_ms == 0 || config->probe_ms == 0
        || config->start_timeout_ms == 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

restart_t *
restart_new (const restart_config_t *config)
{
    restart_config_t defaults = restart_config_default ();
    if (!config)
        config = &defaults;
    if (restart_config_check (config))
        return NULL;
    restart_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->window = calloc (config->intensity, sizeof *self->window);
    if (!self->window) {
        free (self);
        return NULL;
    }
    self->config = *config;
    self->backoff = (backoff_t) {
        .attempts = 1,
        .base_ms = config->backoff_base_ms,
        .max_ms = config->backoff_max_ms,
        .jitter_pct = config->jitter_pct,
    };
    backoff_rng_seed (&self->rng, config->seed);
    self->state = RESTART_STOPPED;
    self->deadline = RESTART_NO_DEADLINE;
    return self;
}

void
restart_destroy (restart_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->window);
    free (*self_p);
    *self_p = NULL;
}

static restart_action_t
s_act (const restart_t *self, restart_do_t what)
{
    restart_action_t action = { what, self->deadline };
    return action;
}

static uint64_t
s_after (uint64_t now_ms, uint64_t delay_ms)
{
    return delay_ms > RESTART_NO_DEADLINE - 1 - now_ms
               ? RESTART_NO_DEADLINE - 1
               : now_ms + delay_ms;
}

static void
s_forget_history (restart_t *self)
{
    self->level = 0;
    self->window_count = 0;
    self->window_next = 0;
    self->fatal = false;
}

//  True when `intensity` restarts already happened within the period, so
//  one more would be one too many.
static bool
s_at_intensity (const restart_t *self, uint64_t now_ms)
{
    if (self->window_count < self->config.intensity)
        return false;
    uint64_t oldest = self->window [self->window_next];
    return now_ms < oldest || now_ms - oldest < self->config.period_ms;
}

static restart_action_t
s_spawn_now (restart_t *self, uint64_t now_ms, bool is_restart)
{
    if (is_restart) {
        self->restarts++;
        self->window [self->window_next] = now_ms;
        self->window_next = (self->window_next + 1) % self->config.intensity;
        if (self->window_count < self->config.intensity)
            self->window_count++;
    }
    self->state = RESTART_STARTING;
    self->after_stop = AFTER_STOP_REST;
    self->deadline = s_after (now_ms, self->config.start_timeout_ms);
    return s_act (self, RESTART_DO_SPAWN);
}

static restart_action_t
s_ignore (restart_t *self, uint64_t now_ms)
{
    return s_act (self, RESTART_DO_NONE);
}

static restart_action_t
s_start_fresh (restart_t *self, uint64_t now_ms)
{
    s_forget_history (self);
    return s_spawn_now (self, now_ms, false);
}

static restart_action_t
s_arm_start_timeout (restart_t *self, uint64_t now_ms)
{
    self->deadline = s_after (now_ms, self->config.start_timeout_ms);
    return s_act (self, RESTART_DO_NONE);
}

static restart_action_t
s_become_ready (restart_t *self, uint64_t now_ms)
{
    self->state = RESTART_READY;
    self->ready_at = now_ms;
    self->deadline = RESTART_NO_DEADLINE;
    if (self->fatal) {
        self->fatal = false;
        return s_act (self, RESTART_DO_RECOVERED);
    }
    return s_act (self, RESTART_DO_NONE);
}

//  The process is gone without being asked to go (or failed its start).
static restart_action_t
s_crash (restart_t *self, uint64_t now_ms, uint64_t ready_for)
{
    self->exits++;
    self->last_exit = now_ms;
    if (self->fatal) {
        self->state = RESTART_FATAL;
        self->deadline = s_after (now_ms, self->config.probe_ms);
        return s_act (self, RESTART_DO_WAIT);
    }
    if (s_at_intensity (self, now_ms)) {
        self->state = RESTART_FATAL;
        self->fatal = true;
        self->deadline = s_after (now_ms, self->config.probe_ms);
        return s_act (self, RESTART_DO_FATAL);
    }
    if (ready_for >= self->config.stable_ms) {
        self->level = 0;
        self->last_delay = 0;
        return s_spawn_now (self, now_ms, true);
    }
    if (self->level < UINT32_MAX)
        self->level++;
    self->last_delay = backoff_delay (&self->backoff, self->level, &self->rng);
    self->state = RESTART_BACKOFF;
    self->deadline = s_after (now_ms, self->last_delay);
    return s_act (self, RESTART_DO_WAIT);
}

static restart_action_t
s_exit_starting (restart_t *self, uint64_t now_ms)
{
    return s_crash (self, now_ms, 0);
}

static restart_action_t
s_exit_ready (restart_t *self, uint64_t now_ms)
{
    uint64_t ready_for = now_ms > self->ready_at ? now_ms - self->ready_at : 0;
    return s_crash (self, now_ms, ready_for);
}

static restart_action_t
s_exit_stopping (restart_t *self, uint64_t now_ms)
{
    if (self->after_stop == AFTER_STOP_CRASH)
        return s_crash (self, now_ms, 0);
    self->exits++;
    self->last_exit = now_ms;
    if (self->after_stop == AFTER_STOP_RESPAWN)
        return s_start_fresh (self, now_ms);
    s_forget_history (self);
    self->state = RESTART_STOPPED;
    self->deadline = RESTART_NO_DEADLINE;
    return s_act (self, RESTART_DO_NONE);
}

static restart_action_t
s_stop_running (restart_t *self, uint64_t now_ms)
{
    self->state = RESTART_STOPPING;
    self->after_stop = AFTER_STOP_REST;
    self->deadline = RESTART_NO_DEADLINE;
    return s_act (self, RESTART_DO_STOP);
}

static restart_action_t
s_stop_idle (restart_t *self, uint64_t now_ms)
{
    s_forget_history (self);
    self->state = RESTART_STOPPED;
    self->deadline = RESTART_NO_DEADLINE;
    return s_act (self, RESTART_DO_NONE);
}

static restart_action_t
s_restart_running (restart_t *self, uint64_t now_ms)
{
    s_forget_history (self);
    s_stop_running (self, now_ms);
    self->after_stop = AFTER_STOP_RESPAWN;
    return s_act (self, RESTART_DO_STOP);
}

static restart_action_t
s_respawn_after_stop (restart_t *self, uint64_t now_ms)
{
    s_forget_history (self);
    self->after_stop = AFTER_STOP_RESPAWN;
    return s_act (self, RESTART_DO_NONE);
}

static restart_action_t
s_want_up_while_stopping (restart_t *self, uint64_t now_ms)
{
    //  A start-timeout kill already leads back up; keep it counted.
    if (self->after_stop == AFTER_STOP_REST)
        self->after_stop = AFTER_STOP_RESPAWN;
    return s_act (self, RESTART_DO_NONE);
}

static restart_action_t
s_rest_after_stop (restart_t *self, uint64_t now_ms)
{
    self->after_stop = AFTER_STOP_REST;
    return s_act (self, RESTART_DO_NONE);
}

static restart_action_t
s_timer_starting (restart_t *self, uint64_t now_ms)
{
    if (now_ms < self->deadline)
        return s_act (self, RESTART_DO_WAIT);
    self->state = RESTART_STOPPING;
    self->after_stop = AFTER_STOP_CRASH;
    self->deadline = RESTART_NO_DEADLINE;
    return s_act (self, RESTART_DO_KILL);
}

static restart_action_t
s_timer_backoff (restart_t *self, uint64_t now_ms)
{
    if (now_ms < self->deadline)
        return s_act (self, RESTART_DO_WAIT);
    return s_spawn_now (self, now_ms, true);
}

static restart_action_t
s_timer_fatal (restart_t *self, uint64_t now_ms)
{
    if (now_ms < self->deadline)
        return s_act (self, RESTART_DO_WAIT);
    return s_spawn_now (self, now_ms, true);
}

typedef restart_action_t (s_handler_fn) (restart_t *self, uint64_t now_ms);

static s_handler_fn *const s_table [RESTART_STATES][RESTART_EVENTS] = {
    [RESTART_STOPPED] = {
        [RESTART_EV_START] = s_start_fresh,
        [RESTART_EV_SPAWNED] = s_ignore,
        [RESTART_EV_READY] = s_ignore,
        [RESTART_EV_EXITED] = s_ignore,
        [RESTART_EV_STOP] = s_ignore,
        [RESTART_EV_TIMER] = s_ignore,
        [RESTART_EV_OPERATOR] = s_start_fresh,
    },
    [RESTART_STARTING] = {
        [RESTART_EV_START] = s_ignore,
        [RESTART_EV_SPAWNED] = s_arm_start_timeout,
        [RESTART_EV_READY] = s_become_ready,
        [RESTART_EV_EXITED] = s_exit_starting,
        [RESTART_EV_STOP] = s_stop_running,
        [RESTART_EV_TIMER] = s_timer_starting,
        [RESTART_EV_OPERATOR] = s_restart_running,
    },
    [RESTART_READY] = {
        [RESTART_EV_START] = s_ignore,
        [RESTART_EV_SPAWNED] = s_ignore,
        [RESTART_EV_READY] = s_ignore,
        [RESTART_EV_EXITED] = s_exit_ready,
        [RESTART_EV_STOP] = s_stop_running,
        [RESTART_EV_TIMER] = s_ignore,
        [RESTART_EV_OPERATOR] = s_restart_running,
    },
    [RESTART_BACKOFF] = {
        [RESTART_EV_START] = s_ignore,
        [RESTART_EV_SPAWNED] = s_ignore,
        [RESTART_EV_READY] = s_ignore,
        [RESTART_EV_EXITED] = s_ignore,
        [RESTART_EV_STOP] = s_stop_idle,
        [RESTART_EV_TIMER] = s_timer_backoff,
        [RESTART_EV_OPERATOR] = s_start_fresh,
    },
    [RESTART_STOPPING] = {
        [RESTART_EV_START] = s_want_up_while_stopping,
        [RESTART_EV_SPAWNED] = s_ignore,
        [RESTART_EV_READY] = s_ignore,
        [RESTART_EV_EXITED] = s_exit_stopping,
        [RESTART_EV_STOP] = s_rest_after_stop,
        [RESTART_EV_TIMER] = s_ignore,
        [RESTART_EV_OPERATOR] = s_respawn_after_stop,
    },
    [RESTART_FATAL] = {
        [RESTART_EV_START] = s_ignore,
        [RESTART_EV_SPAWNED] = s_ignore,
        [RESTART_EV_READY] = s_ignore,
        [RESTART_EV_EXITED] = s_ignore,
        [RESTART_EV_STOP] = s_stop_idle,
        [RESTART_EV_TIMER] = s_timer_fatal,
        [RESTART_EV_OPERATOR] = s_start_fresh,
    },
};

restart_action_t
restart_handle (restart_t *self, restart_event_t event, uint64_t now_ms)
{
    if ((unsigned) event >= RESTART_EVENTS)
        return s_act (self, RESTART_DO_NONE);
    return s_table [self->state][event](self, now_ms);
}

restart_action_t
restart_on_start (restart_t *self, uint64_t now_ms)
{
    return restart_handle (self, RESTART_EV_START, now_ms);
}

restart_action_t
restart_on_spawned (restart_t *self, uint64_t now_ms)
{
    return restart_handle (self, RESTART_EV_SPAWNED, now_ms);
}

restart_action_t
restart_on_ready (restart_t *self, uint64_t now_ms)
{
    return restart_handle (self, RESTART_EV_READY, now_ms);
}

restart_action_t
restart_on_exit (restart_t *self, uint64_t now_ms)
{
    return restart_handle (self, RESTART_EV_EXITED, now_ms);
}

restart_action_t
restart_on_stop (restart_t *self, uint64_t now_ms)
{
    return restart_handle (self, RESTART_EV_STOP, now_ms);
}

restart_action_t
restart_on_timer (restart_t *self, uint64_t now_ms)
{
    return restart_handle (self, RESTART_EV_TIMER, now_ms);
}

restart_action_t
restart_on_operator (restart_t *self, uint64_t now_ms)
{
    return restart_handle (self, RESTART_EV_OPERATOR, now_ms);
}

uint64_t
restart_next_deadline (const restart_t *self)
{
    return self->deadline;
}

restart_state_t
restart_state (const restart_t *self)
{
    return self->state;
}

bool
restart_fatal (const restart_t *self)
{
    return self->fatal;
}

uint64_t
restart_count (const restart_t *self)
{
    return self->restarts;
}

uint64_t
restart_exits (const restart_t *self)
{
    return self->exits;
}

uint64_t
restart_last_exit (const restart_t *self)
{
    return self->last_exit;
}

uint32_t
restart_level (const restart_t *self)
{
    return self->level;
}

uint64_t
restart_last_delay (const restart_t *self)
{
    return self->last_delay;
}

const char *
restart_state_name (restart_state_t state)
{
    static const char *const names [RESTART_STATES] = {
        "stopped", "starting", "ready", "backoff", "stopping", "fatal",
    };
    return (unsigned) state < RESTART_STATES ? names [state] : "unknown";
}

const char *
restart_event_name (restart_event_t event)
{
    static const char *const names [RESTART_EVENTS] = {
        "start", "spawned", "ready", "exited", "stop", "timer", "operator",
    };
    return (unsigned) event < RESTART_EVENTS ? names [event] : "unknown";
}

const char *
restart_do_name (restart_do_t what)
{
    static const char *const names [] = {
        "none", "spawn", "wait", "kill", "stop", "fatal", "recovered",
    };
    return (unsigned) what < sizeof names / sizeof names [0] ? names [what]
                                                             : "unknown";
}
