/*  common/backoff.c - exponential retry delays with seeded jitter.  */
#include "common/backoff.h"

#include <errno.h>

//  splitmix64: spreads any seed, 0 included, over the state space.
static uint64_t
s_mix_seed (uint64_t seed)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return z ? z : 0x9E3779B97F4A7C15ULL;
}

void
backoff_rng_seed (backoff_rng_t *rng, uint64_t seed)
{
    rng->state = s_mix_seed (seed);
}

uint64_t
backoff_rng_next (backoff_rng_t *rng)
{
    //  xorshift64* never leaves 0, so a zero state is seeded first.
    if (rng->state == 0)
        rng->state = s_mix_seed (0);
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

backoff_t
backoff_default (void)
{
    backoff_t self = {
        .attempts = BACKOFF_ATTEMPTS_DEFAULT,
        .base_ms = BACKOFF_BASE_MS_DEFAULT,
        .max_ms = BACKOFF_MAX_MS_DEFAULT,
        .jitter_pct = BACKOFF_JITTER_PCT_DEFAULT,
    };
    return self;
}

int
backoff_check (const backoff_t *self)
{
    if (self->attempts == 0 || self->base_ms == 0
        || self->base_ms > self->max_ms || self->jitter_pct > 100) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

uint64_t
backoff_nominal (const backoff_t *self, uint32_t failures)
{
    uint64_t delay = self->base_ms;
    for (uint32_t i = 1; i < failures && delay < self->max_ms; i++)
        delay = delay > UINT64_MAX / 2 ? UINT64_MAX : delay * 2;
    return delay < self->max_ms ? delay : self->max_ms;
}

uint64_t
backoff_delay (const backoff_t *self, uint32_t failures, backoff_rng_t *rng)
{
    uint64_t nominal = backoff_nominal (self, failures);
    uint32_t pct = self->jitter_pct > 100 ? 100 : self->jitter_pct;
    if (pct == 0 || nominal == 0)
        return nominal;
    //  Uniform in [nominal - spread, nominal + spread]. The spread is at
    //  most the nominal delay, which itself is at most max_ms.
    uint64_t spread = nominal / 100 * pct + nominal % 100 * pct / 100;
    if (spread > UINT64_MAX - nominal)
        spread = UINT64_MAX - nominal;
    if (spread > UINT64_MAX / 2 - 1)
        spread = UINT64_MAX / 2 - 1;
    uint64_t offset = backoff_rng_next (rng) % (2 * spread + 1);
    uint64_t delay = nominal - spread + offset;
    return delay < self->max_ms ? delay : self->max_ms;
}

bool
backoff_may_retry (const backoff_t *self, uint32_t failures, uint64_t now_ms,
                   uint64_t delay_ms, uint64_t deadline_ms)
{
    if (failures >= self->attempts)
        return false;
    if (deadline_ms == 0)
        return true;
    if (now_ms >= deadline_ms)
        return false;
    return delay_ms < deadline_ms - now_ms;
}
