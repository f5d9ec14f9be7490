/*  supervisor/outbox.c - what the supervisor says: events recorded (the
    journal, then the PUB stream, the log and the metrics) and answers
    sent to clients, now or once the event they report is durable. Every
    part of the supervisor calls down into it; it calls only the ledger,
    observe and the log, all borrowed.  */
#include "supervisor/outbox.h"

#include "common/util.h"
#include "supervisor/log.h"
#include "supervisor/observe.h"
#include "shared/bus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct outbox {
    ledger_t *ledger;           //  all borrowed
    observe_t *observe;
    zsock_t *events;
    zsock_t *front;
    zsock_t *front_tcp;
};

outbox_t *
outbox_new (void)
{
    outbox_t *self = calloc (1, sizeof *self);
    if (!self)
        errno = ENOMEM;
    return self;
}

void
outbox_destroy (outbox_t **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

void
outbox_set_ledger (outbox_t *self, ledger_t *ledger)
{
    self->ledger = ledger;
}

void
outbox_set_observe (outbox_t *self, observe_t *observe)
{
    self->observe = observe;
}

void
outbox_set_sockets (outbox_t *self, zsock_t *events, zsock_t *front, zsock_t *front_tcp)
{
    self->events = events;
    self->front = front;
    self->front_tcp = front_tcp;
}

uint64_t
outbox_event_bytes (outbox_t *self, const char *type, json_t *fields,
                    const char *key1, zframe_t *bytes1, const char *key2, zframe_t *bytes2)
{
    if (!fields)
        fields = json_object ();
    event_t event = { .time = util_wall_ms () };
    event_set_type (&event, type);
    const char *key;
    json_t *value;
    json_object_foreach (fields, key, value) {
        if (json_is_string (value))
            event_add_str (&event, key, json_string_value (value));
        else
        if (json_is_integer (value))
            event_add_int (&event, key, json_integer_value (value));
        else
        if (json_is_boolean (value))
            event_add_bool (&event, key, json_is_true (value));
    }
    if (key1 && bytes1)
        event_add_bytes (&event, key1, zframe_data (bytes1), zframe_size (bytes1));
    if (key2 && bytes2)
        event_add_bytes (&event, key2, zframe_data (bytes2), zframe_size (bytes2));
    uint64_t time = event.time;
    uint64_t seq = ledger_record (self->ledger, &event);
    char stamp [EVENT_TIME_SIZE] = "";
    event_time_rfc3339 (time, stamp, sizeof stamp);
    json_object_set_new (fields, "type", json_string (type));
    json_object_set_new (fields, "seq", json_integer ((json_int_t) seq));
    json_object_set_new (fields, "time", json_string (stamp));
    json_object_set_new (fields, "time_ms", json_integer ((json_int_t) time));
    observe_event (self->observe, type, fields);
    char *text = json_dumps (fields, JSON_COMPACT | JSON_SORT_KEYS);
    if (text) {
        log_event (LOGL_DEBUG, text);
        outbox_publish (self, type, text);
        free (text);
    }
    json_decref (fields);
    return seq;
}

void
outbox_publish (outbox_t *self, const char *type, const char *text)
{
    zsock_send (self->events, "ss", type, text);
}

uint64_t
outbox_event (outbox_t *self, const char *type, json_t *fields)
{
    return outbox_event_bytes (self, type, fields, NULL, NULL, NULL, NULL);
}

void
outbox_reply_held (outbox_t *self, zframe_t *identity, uint64_t req_id, int code,
                   const char *workflow_id, const char *message, bool degraded,
                   bool accepted, const void *body, size_t body_size)
{
    wire_reply_t reply = { .req_id = req_id, .code = code, .degraded = degraded,
                           .accepted = accepted };
    util_copy (reply.workflow_id, sizeof reply.workflow_id, workflow_id? workflow_id: "");
    util_copy (reply.message, sizeof reply.message, message? message: "");
    if (!accepted && !ledger_healthy (self->ledger)) {
        //  An operation whose own record met a journal failure: it is
        //  applied, and its record waits in memory for the disk. Say so
        //  now rather than leave the caller waiting for a disk that may
        //  not recover (operations are refused while it is known down).
        size_t used = strlen (reply.message);
        snprintf (reply.message + used, sizeof reply.message - used, "%s(applied; not yet "
                  "in the journal, which cannot be written: %s)", used? " ": "",
                  ledger_problem (self->ledger));
        outbox_reply (self, identity, req_id, code, reply.workflow_id, reply.message,
                      degraded, body, body_size);
        return;
    }
    ledger_hold_reply (self->ledger, identity, &reply, body, body_size);
}

static void
s_reply (outbox_t *self, zframe_t *identity, const wire_reply_t *reply,
         const void *body, size_t body_size);

void
outbox_reply (outbox_t *self, zframe_t *identity, uint64_t req_id, int code,
              const char *workflow_id, const char *message, bool degraded,
              const void *body, size_t body_size)
{
    wire_reply_t reply = { .req_id = req_id, .code = code, .degraded = degraded };
    util_copy (reply.workflow_id, sizeof reply.workflow_id, workflow_id? workflow_id: "");
    util_copy (reply.message, sizeof reply.message, message? message: "");
    s_reply (self, identity, &reply, body, body_size);
}

void
outbox_reply_result (outbox_t *self, zframe_t *identity, uint64_t req_id,
                     const char *workflow_id, bool degraded, bool no_tests,
                     const void *body, size_t body_size)
{
    wire_reply_t reply = { .req_id = req_id, .code = EXIT_OK, .degraded = degraded,
                           .no_tests = no_tests };
    util_copy (reply.workflow_id, sizeof reply.workflow_id, workflow_id? workflow_id: "");
    s_reply (self, identity, &reply, body, body_size);
}

static void
s_reply (outbox_t *self, zframe_t *identity, const wire_reply_t *reply,
         const void *body, size_t body_size)
{
    uint8_t *buf;
    size_t size;
    if (wire_reply_encode (reply, &buf, &size)) {
        log_error ("cannot encode a reply: %s", strerror (errno));
        return;
    }
    zframe_t *frame = body? zframe_new (body, body_size): NULL;
    outbox_send_client (self, identity, buf, size, &frame, frame? 1: 0);
}

int
outbox_send_client (outbox_t *self, zframe_t *identity, uint8_t *header, size_t size,
                    zframe_t **payloads, size_t count)
{
    const uint8_t *data = zframe_data (identity);
    size_t length = zframe_size (identity);
    zsock_t *sock = length && data [0] == 2? self->front_tcp: self->front;
    if (!length || !sock) {
        free (header);
        for (size_t i = 0; i < count; i++)
            zframe_destroy (&payloads [i]);
        return -1;
    }
    zframe_t *raw = zframe_new (data + 1, length - 1);
    int rc = bus_send (sock, raw, header, size, payloads, count);
    zframe_destroy (&raw);
    return rc;
}
