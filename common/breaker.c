/*  common/breaker.c - the circuit breaker's state machine.  */
#include "common/breaker.h"

#include <errno.h>
#include <stdlib.h>

struct breaker {
    breaker_config_t config;
    breaker_state_t state;
    bool forced;                //  held open until breaker_reset
    uint64_t opened_at;         //  when it last opened
    uint32_t streak;            //  consecutive failures while closed
    uint32_t trials_issued;     //  half-open calls let through
    uint32_t trials_passed;     //  half-open calls that succeeded
    uint64_t times_opened;
    uint64_t refused;
};

breaker_config_t
breaker_config_default (void)
{
    breaker_config_t config = {
        .failure_threshold = BREAKER_FAILURE_THRESHOLD_DEFAULT,
        .open_ms = BREAKER_OPEN_MS_DEFAULT,
        .half_open_trials = BREAKER_HALF_OPEN_TRIALS_DEFAULT,
    };
    return config;
}

int
breaker_config_check (const breaker_config_t *config)
{
    if (config->failure_threshold == 0 || config->half_open_trials == 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

breaker_t *
breaker_new (const breaker_config_t *config)
{
    breaker_config_t defaults = breaker_config_default ();
    if (!config)
        config = &defaults;
    if (breaker_config_check (config))
        return NULL;
    breaker_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->config = *config;
    self->state = BREAKER_CLOSED;
    return self;
}

void
breaker_destroy (breaker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

static breaker_change_t
s_breaker_open (breaker_t *self, uint64_t now_ms)
{
    self->state = BREAKER_OPEN;
    self->opened_at = now_ms;
    self->streak = 0;
    self->trials_issued = 0;
    self->trials_passed = 0;
    self->times_opened++;
    return BREAKER_OPENED;
}

static bool
s_open_time_over (const breaker_t *self, uint64_t now_ms)
{
    return !self->forced && now_ms >= self->opened_at
        && now_ms - self->opened_at >= self->config.open_ms;
}

bool
breaker_allow (breaker_t *self, uint64_t now_ms, breaker_change_t *change_p)
{
    breaker_change_t change = BREAKER_NO_CHANGE;
    if (self->state == BREAKER_OPEN && s_open_time_over (self, now_ms)) {
        self->state = BREAKER_HALF_OPEN;
        self->trials_issued = 0;
        self->trials_passed = 0;
        change = BREAKER_HALF_OPENED;
    }
    if (change_p)
        *change_p = change;

    bool allowed = false;
    if (self->state == BREAKER_CLOSED)
        allowed = true;
    else
    if (self->state == BREAKER_HALF_OPEN
        && self->trials_issued < self->config.half_open_trials) {
        self->trials_issued++;
        allowed = true;
    }
    if (!allowed)
        self->refused++;
    return allowed;
}

breaker_change_t
breaker_success (breaker_t *self, uint64_t now_ms)
{
    (void) now_ms;
    if (self->state == BREAKER_CLOSED)
        self->streak = 0;
    else
    if (self->state == BREAKER_HALF_OPEN) {
        self->trials_passed++;
        if (self->trials_passed >= self->config.half_open_trials) {
            self->state = BREAKER_CLOSED;
            self->streak = 0;
            return BREAKER_CLOSED_AGAIN;
        }
    }
    return BREAKER_NO_CHANGE;
}

breaker_change_t
breaker_failure (breaker_t *self, uint64_t now_ms)
{
    if (self->state == BREAKER_HALF_OPEN)
        return s_breaker_open (self, now_ms);
    if (self->state == BREAKER_CLOSED
        && ++self->streak >= self->config.failure_threshold)
        return s_breaker_open (self, now_ms);
    return BREAKER_NO_CHANGE;
}

breaker_change_t
breaker_force_open (breaker_t *self, uint64_t now_ms)
{
    self->forced = true;
    if (self->state == BREAKER_OPEN)
        return BREAKER_NO_CHANGE;
    return s_breaker_open (self, now_ms);
}

breaker_change_t
breaker_reset (breaker_t *self, uint64_t now_ms)
{
    (void) now_ms;
    bool was_closed = self->state == BREAKER_CLOSED;
    self->state = BREAKER_CLOSED;
    self->forced = false;
    self->streak = 0;
    self->trials_issued = 0;
    self->trials_passed = 0;
    return was_closed ? BREAKER_NO_CHANGE : BREAKER_CLOSED_AGAIN;
}

breaker_state_t
breaker_state (const breaker_t *self)
{
    return self->state;
}

bool
breaker_forced (const breaker_t *self)
{
    return self->forced;
}

uint64_t
breaker_open_left (const breaker_t *self, uint64_t now_ms)
{
    if (self->state != BREAKER_OPEN)
        return 0;
    if (self->forced)
        return UINT64_MAX;
    if (s_open_time_over (self, now_ms))
        return 0;
    //  A clock reading before opened_at means the full time is left.
    if (now_ms < self->opened_at)
        return self->config.open_ms;
    return self->config.open_ms - (now_ms - self->opened_at);
}

uint32_t
breaker_failure_streak (const breaker_t *self)
{
    return self->streak;
}

uint64_t
breaker_times_opened (const breaker_t *self)
{
    return self->times_opened;
}

uint64_t
breaker_refused (const breaker_t *self)
{
    return self->refused;
}

const char *
breaker_state_name (breaker_state_t state)
{
    switch (state) {
        case BREAKER_CLOSED:
            return "closed";
        case BREAKER_OPEN:
            return "open";
        case BREAKER_HALF_OPEN:
            return "half_open";
    }
    return "unknown";
}

const char *
breaker_change_name (breaker_change_t change)
{
    switch (change) {
        case BREAKER_OPENED:
            return "breaker.opened";
        case BREAKER_HALF_OPENED:
            return "breaker.half_open";
        case BREAKER_CLOSED_AGAIN:
            return "breaker.closed";
        case BREAKER_NO_CHANGE:
            break;
    }
    return "none";
}
