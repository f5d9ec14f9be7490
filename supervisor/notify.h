/*  supervisor/notify.h - tells systemd (Type=notify) through sd_notify that
    the supervisor is ready, what it is doing, that it is stopping, and that
    its reactor still turns (watchdog). Outside systemd it does nothing.  */
#ifndef NOTIFY_H_INCLUDED
#define NOTIFY_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  czmq's reactor, declared as czmq_library.h does (see metrics.h for why
//  <czmq.h> is left out of our headers).
typedef struct _zloop_t zloop_t;

typedef struct notify notify_t;

//  Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once. The
//  environment is left as it is. Returns NULL (ENOMEM).
notify_t *notify_new (void);

//  Ends the watchdog timer if attached (destroy before the loop); accepts
//  NULL; nulls *self_p.
void notify_destroy (notify_t **self_p);

//  True when systemd waits for our notifications (NOTIFY_SOCKET set).
bool notify_enabled (notify_t *self);

//  The watchdog timeout systemd gave this process (WatchdogSec=) in
//  microseconds, or 0 when there is none.
uint64_t notify_watchdog_usec (notify_t *self);

//  Each sends one notification: READY=1, RELOADING=1 (with
//  MONOTONIC_USEC, as Type=notify-reload wants; send notify_ready when
//  the reload is done), STOPPING=1, WATCHDOG=1, or only a STATUS= line.
//  status, when not NULL, is sent as STATUS= (shown by systemctl status),
//  with line breaks turned into spaces and cut at 200 bytes.
//  Each returns 0, also when not under systemd; or -1 with errno when the
//  message could not be sent (ECONNREFUSED, ENOENT...).
int notify_ready (notify_t *self, const char *status);
int notify_reloading (notify_t *self, const char *status);
int notify_stopping (notify_t *self, const char *status);
int notify_status (notify_t *self, const char *status);
int notify_watchdog (notify_t *self);

//  Pings the watchdog from loop every half watchdog timeout, so systemd
//  restarts the supervisor when its reactor stops turning. Does nothing
//  when there is no watchdog. One loop at a time. Returns 0, or -1
//  (EBUSY when already attached, ENOMEM).
int notify_attach (notify_t *self, zloop_t *loop);

#endif
