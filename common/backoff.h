/*  common/backoff.h - exponential retry delays with jitter, and the small
    seeded PRNG the jitter draws from. Pure: no clock, no global state.  */
#ifndef BACKOFF_H_INCLUDED
#define BACKOFF_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  A xorshift64* generator. The caller seeds it (backoff_rng_seed) and
//  keeps it in whatever object owns the jitter, so runs are reproducible.
//  The zero value is usable (it draws as if seeded with 0).
typedef struct {
    uint64_t state;
} backoff_rng_t;

//  Seed rng. Every seed, 0 included, gives a distinct usable stream.
void backoff_rng_seed (backoff_rng_t *rng, uint64_t seed);

//  The next 64 random bits.
uint64_t backoff_rng_next (backoff_rng_t *rng);

//  A retry policy: the delay before retry n (n failures so far, n >= 1) is
//  base_ms * 2^(n-1), capped at max_ms, then moved by a uniform random
//  amount of up to +-jitter_pct percent, and capped at max_ms again so a
//  delay never exceeds max_ms. attempts counts every try, the first one
//  included (3 means one try and two retries).
typedef struct {
    uint32_t attempts;
    uint64_t base_ms;
    uint64_t max_ms;
    uint32_t jitter_pct;
} backoff_t;

#define BACKOFF_ATTEMPTS_DEFAULT 3
#define BACKOFF_BASE_MS_DEFAULT 1000
#define BACKOFF_MAX_MS_DEFAULT 10000
#define BACKOFF_JITTER_PCT_DEFAULT 20

//  The step retry defaults (DESIGN.md): 3 attempts, 1 s doubling to 10 s,
//  +-20 % jitter.
backoff_t backoff_default (void);

//  Check a policy read from a config. Returns 0, or -1 with errno EINVAL
//  when attempts is 0, base_ms is 0, base_ms > max_ms or jitter_pct > 100.
int backoff_check (const backoff_t *self);

//  The delay in ms before the next try after `failures` failed tries
//  (failures >= 1; 0 is treated as 1). Draws from rng only when
//  jitter_pct is not 0. Never more than max_ms.
uint64_t backoff_delay (const backoff_t *self, uint32_t failures,
                        backoff_rng_t *rng);

//  The un-jittered delay for `failures` (same rules as backoff_delay):
//  the centre of the jitter range.
uint64_t backoff_nominal (const backoff_t *self, uint32_t failures);

//  Whether another try fits: true when fewer than self->attempts tries
//  have failed and a try started after delay_ms would start before the
//  workflow's deadline (deadline_ms 0 means no deadline). Times are on
//  the caller's monotonic clock.
bool backoff_may_retry (const backoff_t *self, uint32_t failures,
                        uint64_t now_ms, uint64_t delay_ms,
                        uint64_t deadline_ms);

#endif
