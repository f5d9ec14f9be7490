/*  supervisor/notify.c - readiness, status, stopping and watchdog
    notifications to systemd through libsystemd's sd_notify.  */
#include "supervisor/notify.h"

#include "supervisor/log.h"

#include <czmq.h>
#include <systemd/sd-daemon.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATUS_MAX 200

struct notify {
    bool enabled;
    uint64_t watchdog_usec;
    zloop_t *loop;              //  attached to, or NULL
    int timer_id;
    bool ping_failed;           //  the last watchdog ping failed (logged once)
};

notify_t *
notify_new (void)
{
    notify_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    const char *socket = getenv ("NOTIFY_SOCKET");
    self->enabled = socket && *socket;
    uint64_t usec = 0;
    //  > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, is us.
    if (self->enabled && sd_watchdog_enabled (0, &usec) > 0)
        self->watchdog_usec = usec;
    return self;
}

void
notify_destroy (notify_t **self_p)
{
    notify_t *self = *self_p;
    if (!self)
        return;
    if (self->loop && self->timer_id)
        zloop_timer_end (self->loop, self->timer_id);
    free (self);
    *self_p = NULL;
}

bool
notify_enabled (notify_t *self)
{
    return self->enabled;
}

uint64_t
notify_watchdog_usec (notify_t *self)
{
    return self->watchdog_usec;
}

//  Sends the assignments in head, then STATUS=status when status is set.
static int
s_send (notify_t *self, const char *head, const char *status)
{
    if (!self->enabled)
        return 0;
    char message [64 + STATUS_MAX + 16];
    size_t length = (size_t) snprintf (message, sizeof message, "%s", head);
    if (status) {
        size_t size = strlen (status);
        if (size > STATUS_MAX) {
            size = STATUS_MAX;
            while (size > 0 && ((unsigned char) status [size] & 0xC0) == 0x80)
                size--;             //  not in the middle of a UTF-8 character
        }
        length += (size_t) snprintf (message + length, sizeof message - length,
                                     "%sSTATUS=", length? "\n": "");
        for (size_t i = 0; i < size; i++) {
            bool newline = status [i] == '\n' || status [i] == '\r';
            message [length++] = newline? ' ': status [i];
        }
        message [length] = 0;
    }
    int rc = sd_notify (0, message);
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    return 0;
}

int
notify_ready (notify_t *self, const char *status)
{
    return s_send (self, "READY=1", status);
}

int
notify_reloading (notify_t *self, const char *status)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    char head [64];
    snprintf (head, sizeof head, "RELOADING=1\nMONOTONIC_USEC=%llu",
              (unsigned long long) now.tv_sec * 1000000ull
              + (unsigned long long) now.tv_nsec / 1000ull);
    return s_send (self, head, status);
}

int
notify_stopping (notify_t *self, const char *status)
{
    return s_send (self, "STOPPING=1", status);
}

int
notify_status (notify_t *self, const char *status)
{
    return s_send (self, "", status? status: "");
}

int
notify_watchdog (notify_t *self)
{
    return s_send (self, "WATCHDOG=1", NULL);
}

static int
s_on_watchdog (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    notify_t *self = arg;
    if (notify_watchdog (self)) {
        if (!self->ping_failed)
            log_warn ("cannot ping the systemd watchdog: %s", strerror (errno));
        self->ping_failed = true;
    }
    else
        self->ping_failed = false;
    return 0;
}

int
notify_attach (notify_t *self, zloop_t *loop)
{
    if (self->loop) {
        errno = EBUSY;
        return -1;
    }
    if (self->watchdog_usec == 0)
        return 0;
    //  Half the timeout, as sd_watchdog_enabled(3) advises.
    uint64_t interval_ms = self->watchdog_usec / 2000;
    int id = zloop_timer (loop, interval_ms? (size_t) interval_ms: 1, 0,
                          s_on_watchdog, self);
    if (id < 0) {
        errno = ENOMEM;
        return -1;
    }
    self->loop = loop;
    self->timer_id = id;
    return 0;
}
