/*  common/restart.h - the restart policy of one worker slot, as a table of
    state x event: when to respawn, how long to back off, when to give up
    to FATAL and probe slowly instead. Pure: it takes now_ms and tells the
    caller what to do; it never spawns, kills, sleeps or reads the clock.  */
#ifndef RESTART_H_INCLUDED
#define RESTART_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

typedef struct restart restart_t;

//  After supervisord's states, with readiness made explicit (s6, systemd):
//  a worker is READY only once it said so.
typedef enum {
    RESTART_STOPPED,        //  not wanted, nothing running
    RESTART_STARTING,       //  spawned, waiting for READY (start timeout)
    RESTART_READY,          //  running and ready
    RESTART_BACKOFF,        //  crashed; waiting to restart
    RESTART_STOPPING,       //  asked to exit; waiting for it to go
    RESTART_FATAL,          //  restarted too often; probing every probe_ms
} restart_state_t;

#define RESTART_STATES 6

typedef enum {
    RESTART_EV_START,       //  wanted up (initial start, scale up)
    RESTART_EV_SPAWNED,     //  the caller spawned the process
    RESTART_EV_READY,       //  the worker said READY
    RESTART_EV_EXITED,      //  the process exited, died or failed to spawn
    RESTART_EV_STOP,        //  wanted down (operator stop, scale down)
    RESTART_EV_TIMER,       //  the deadline from restart_next_deadline came
    RESTART_EV_OPERATOR,    //  operator restart or deploy: start afresh
} restart_event_t;

#define RESTART_EVENTS 7

typedef enum {
    RESTART_DO_NONE,        //  nothing to do now
    RESTART_DO_SPAWN,       //  spawn the worker now
    RESTART_DO_WAIT,        //  nothing now; call restart_on_timer at `at`
    RESTART_DO_KILL,        //  kill it now (start timeout); an exit follows
    RESTART_DO_STOP,        //  stop it (drain, TERM, KILL); an exit follows
    RESTART_DO_FATAL,       //  just went FATAL: open the breaker; probe at `at`
    RESTART_DO_RECOVERED,   //  a probe is ready: left FATAL; reset the breaker
} restart_do_t;

#define RESTART_NO_DEADLINE UINT64_MAX

//  What the caller must do, and when to call restart_on_timer next (`at`,
//  the same as restart_next_deadline; RESTART_NO_DEADLINE for none). After
//  every call the caller re-arms its one timer for `at`.
typedef struct {
    restart_do_t what;
    uint64_t at;
} restart_action_t;

typedef struct {
    uint64_t stable_ms;         //  ready this long: no backoff, level reset
    uint64_t backoff_base_ms;   //  first delay after a quick crash
    uint64_t backoff_max_ms;    //  doubling stops here
    uint32_t jitter_pct;        //  +- this percent on every delay
    uint32_t intensity;         //  more restarts than this ...
    uint64_t period_ms;         //  ... within this window: FATAL
    uint64_t probe_ms;          //  while FATAL, one probe start this often
    uint64_t start_timeout_ms;  //  no READY by then: a failed start
    uint64_t seed;              //  seeds the jitter PRNG
} restart_config_t;

//  The DESIGN.md defaults: stable 10 s; backoff 100 ms doubling to 30 s,
//  +-20 %; 5 restarts in 60 s -> FATAL; probe every 5 min; start timeout
//  10 s; seed 0.
restart_config_t restart_config_default (void);

//  Check a config read from a file: 0, or -1 with errno EINVAL (a zero
//  period, probe, start timeout, base or intensity; base > max; jitter
//  over 100 %; intensity over 1000).
int restart_config_check (const restart_config_t *config);

//  A stopped slot. config NULL means the defaults. Returns NULL with errno
//  EINVAL (bad config) or ENOMEM. Caller destroys it.
restart_t *restart_new (const restart_config_t *config);

//  Free self and set *self_p to NULL. Accepts NULL.
void restart_destroy (restart_t **self_p);

//  Feed one event at now_ms (monotonic) and get the action. Events that
//  make no sense in the current state (a late READY, a second exit) are
//  ignored: RESTART_DO_NONE, nothing changes.
//
//  state \ event START  SPAWNED READY  EXITED  STOP     TIMER  OPERATOR
//  STOPPED       spawn  -       -      -       -        -      spawn
//  STARTING      -      arm     ready  crash   stop     kill   stop, then
//  READY         -      -       -      crash   stop     -        spawn
//  BACKOFF       -      -       -      -       stopped  spawn  spawn
//  STOPPING      (1)    -       -      (2)     (3)      -      (1)
//  FATAL         -      -       -      -       stopped  probe  spawn
//
//  arm: the start timeout runs from the real spawn. kill: once the start
//  timeout is over, kill it; its exit counts as a failed start. crash: if
//  the slot already made `intensity` restarts within period_ms, go FATAL
//  (RESTART_DO_FATAL; a probe after probe_ms); else spawn at once if it
//  had been ready >= stable_ms (the backoff level resets), else BACKOFF
//  for the next jittered delay (RESTART_DO_WAIT). spawn and probe on
//  TIMER happen once the deadline is reached (earlier: WAIT). A probe
//  that crashes goes back to FATAL quietly (WAIT); one that gets ready
//  answers RESTART_DO_RECOVERED. (1) respawn once it is gone; (2) rest,
//  respawn or crash, as asked; (3) rest once it is gone. START, OPERATOR
//  and going to STOPPED forget the backoff level and restart history.
restart_action_t restart_handle (restart_t *self, restart_event_t event,
                                 uint64_t now_ms);

//  The same, one function per event.
restart_action_t restart_on_start (restart_t *self, uint64_t now_ms);
restart_action_t restart_on_spawned (restart_t *self, uint64_t now_ms);
restart_action_t restart_on_ready (restart_t *self, uint64_t now_ms);
restart_action_t restart_on_exit (restart_t *self, uint64_t now_ms);
restart_action_t restart_on_stop (restart_t *self, uint64_t now_ms);
restart_action_t restart_on_timer (restart_t *self, uint64_t now_ms);
restart_action_t restart_on_operator (restart_t *self, uint64_t now_ms);

//  When restart_on_timer is next due (restart time in BACKOFF, probe time
//  in FATAL, start timeout in STARTING), or RESTART_NO_DEADLINE.
uint64_t restart_next_deadline (const restart_t *self);

restart_state_t restart_state (const restart_t *self);

//  True from going FATAL until a probe is ready, an operator restart, or
//  a stop: the component is FATAL even while a probe is starting.
bool restart_fatal (const restart_t *self);

//  For status: respawns after an exit (probes included), exits seen, the
//  time of the last exit (meaningful when exits > 0), the current backoff
//  level (quick crashes in a row) and the last backoff delay chosen.
uint64_t restart_count (const restart_t *self);
uint64_t restart_exits (const restart_t *self);
uint64_t restart_last_exit (const restart_t *self);
uint32_t restart_level (const restart_t *self);
uint64_t restart_last_delay (const restart_t *self);

//  "stopped", "starting", "ready", "backoff", "stopping", "fatal".
const char *restart_state_name (restart_state_t state);

//  "start", "spawned", "ready", "exited", "stop", "timer", "operator".
const char *restart_event_name (restart_event_t event);

//  "none", "spawn", "wait", "kill", "stop", "fatal", "recovered".
const char *restart_do_name (restart_do_t what);

#endif
