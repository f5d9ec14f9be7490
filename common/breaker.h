/*  common/breaker.h - a circuit breaker for one component: closed, open,
    half-open. Pure: every call that needs time takes now_ms.  */
#ifndef BREAKER_H_INCLUDED
#define BREAKER_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

typedef struct breaker breaker_t;

typedef enum {
    BREAKER_CLOSED,         //  calls flow; consecutive failures are counted
    BREAKER_OPEN,           //  calls refused until the open time is over
    BREAKER_HALF_OPEN,      //  a few trial calls decide: close or re-open
} breaker_state_t;

//  The transition a call made, for the caller to turn into an event.
typedef enum {
    BREAKER_NO_CHANGE,
    BREAKER_OPENED,         //  breaker.opened
    BREAKER_HALF_OPENED,    //  breaker.half_open
    BREAKER_CLOSED_AGAIN,   //  breaker.closed
} breaker_change_t;

typedef struct {
    uint32_t failure_threshold;     //  consecutive failures that open it
    uint64_t open_ms;               //  how long it stays open
    uint32_t half_open_trials;      //  trials let through; all must succeed
} breaker_config_t;

#define BREAKER_FAILURE_THRESHOLD_DEFAULT 5
#define BREAKER_OPEN_MS_DEFAULT 60000
#define BREAKER_HALF_OPEN_TRIALS_DEFAULT 1

//  The DESIGN.md defaults: 5 consecutive failures, open 60 s, 1 trial.
breaker_config_t breaker_config_default (void);

//  Check a config read from a file: 0, or -1 with errno EINVAL when a
//  count is 0.
int breaker_config_check (const breaker_config_t *config);

//  A closed breaker. config NULL means the defaults. Returns NULL with
//  errno EINVAL (bad config) or ENOMEM. Caller destroys it.
breaker_t *breaker_new (const breaker_config_t *config);

//  Free self and set *self_p to NULL. Accepts NULL.
void breaker_destroy (breaker_t **self_p);

//  May a call go to the component now? Closed: yes. Open: no, unless the
//  open time is over, which moves it to half-open (change_p, when not
//  NULL, gets BREAKER_HALF_OPENED; otherwise BREAKER_NO_CHANGE). Half-open:
//  yes while trial slots remain, each yes takes one. A forced-open
//  breaker says no until breaker_reset. Every no is counted as refused.
bool breaker_allow (breaker_t *self, uint64_t now_ms,
                    breaker_change_t *change_p);

//  A call succeeded. Closed: the failure streak ends. Half-open: once every
//  trial has succeeded it closes (BREAKER_CLOSED_AGAIN). Open: ignored (a
//  call admitted before it opened). Returns the transition made.
breaker_change_t breaker_success (breaker_t *self, uint64_t now_ms);

//  A call failed (worker crash or heartbeat loss during the call, NACK,
//  timeout). Closed: the streak grows and opens it at the threshold.
//  Half-open: any failure re-opens it for another open_ms. Open: ignored.
//  Returns the transition made (BREAKER_OPENED or none).
breaker_change_t breaker_failure (breaker_t *self, uint64_t now_ms);

//  Open it and hold it open, ignoring the open time, until breaker_reset
//  (for a component gone FATAL, or an operator). Returns BREAKER_OPENED,
//  or none when it was already open.
breaker_change_t breaker_force_open (breaker_t *self, uint64_t now_ms);

//  Close it and forget the failure streak and any trials (operator, or a
//  component back from FATAL). Returns BREAKER_CLOSED_AGAIN, or none when
//  it was already closed.
breaker_change_t breaker_reset (breaker_t *self, uint64_t now_ms);

//  The current state. An open breaker whose time is over still reads
//  open until the next breaker_allow moves it.
breaker_state_t breaker_state (const breaker_t *self);

//  True when held open by breaker_force_open.
bool breaker_forced (const breaker_t *self);

//  Ms until an open breaker will let a trial through: 0 when it is not
//  open or its time is over, UINT64_MAX when forced open.
uint64_t breaker_open_left (const breaker_t *self, uint64_t now_ms);

//  Counters for status: current failure streak, times opened, calls
//  refused since creation.
uint32_t breaker_failure_streak (const breaker_t *self);
uint64_t breaker_times_opened (const breaker_t *self);
uint64_t breaker_refused (const breaker_t *self);

//  "closed", "open", "half_open" (the status JSON names).
const char *breaker_state_name (breaker_state_t state);

//  "breaker.opened", "breaker.half_open", "breaker.closed" (the event
//  types), or "none".
const char *breaker_change_name (breaker_change_t change);

#endif
