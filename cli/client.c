/*  cli/client.c - DEALER client of the supervisor's front socket.  */
#include "cli/client.h"

#include "common/util.h"
#include "shared/bus.h"
#include "shared/curve.h"

#include <czmq.h>

#include <errno.h>
#include <unistd.h>
#include <sys/file.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct client {
    zsock_t *sock;
    uint64_t next_req;
    zsock_t *monitor;           //  handshake events, on tcp
    char endpoint [256];
    bool curve;                 //  R2CI_SERVER_KEY and R2CI_KEY were given
    bool handshaken;
    bool closed_early;          //  a connection closed during its handshake
    unsigned early_closes;      //  ... how many in a row
    bool said;                  //  the handshake's failure was said
    bool refused;               //  ... and it will not change by waiting
};

//  Watch a tcp connection's handshake, so a refused key or a wrong
//  server key is said plainly rather than looking like a silent
//  supervisor. Without a monitor only that message is lost.
static void
s_monitor_open (client_t *self)
{
    if (strncmp (self->endpoint, "tcp://", 6) != 0)
        return;
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://client-monitor-%p", (void *) self);
    int events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED
               | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
               | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    if (zmq_socket_monitor (zsock_resolve (self->sock), endpoint, events))
        return;
    self->monitor = zsock_new (ZMQ_PAIR);
    if (self->monitor && zsock_connect (self->monitor, "%s", endpoint))
        zsock_destroy (&self->monitor);
    if (!self->monitor)
        zmq_socket_monitor (zsock_resolve (self->sock), NULL, 0);
}

static void
s_say (client_t *self, const char *problem)
{
    if (self->said)
        return;
    self->said = true;
    fprintf (stderr, "readme2ci: %s\n", problem);
}

//  What a connection closed during its handshake means: without keys,
//  the supervisor requires CURVE (as MECHANISM_MISMATCH says); with them,
//  the server key is wrong or this is not a clients endpoint.
static void
s_closed_early_text (client_t *self, char *text, size_t size)
{
    snprintf (text, size, self->curve
              ? "the supervisor at %s closed the connection during the handshake: is "
                "R2CI_SERVER_KEY its public certificate, and is this its clients endpoint "
                "(listen.clients)?"
              : "the supervisor at %s closed the connection during the handshake: it "
                "requires CURVE (or this is not its clients endpoint): set R2CI_SERVER_KEY "
                "(its public certificate) and R2CI_KEY (this client's secret one)",
              self->endpoint);
}

//  Reads the monitor's events; says a failed handshake once.
static void
s_monitor_read (client_t *self)
{
    while (self->monitor && (zsock_events (self->monitor) & ZMQ_POLLIN)) {
        zmsg_t *msg = zmsg_recv (self->monitor);
        zframe_t *head = msg? zmsg_first (msg): NULL;
        if (!head || zframe_size (head) != 6) {
            zmsg_destroy (&msg);
            return;
        }
        uint16_t event;
        uint32_t value;
        memcpy (&event, zframe_data (head), sizeof event);
        memcpy (&value, zframe_data (head) + 2, sizeof value);
        zmsg_destroy (&msg);
        char text [512];
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            self->handshaken = true;
            self->early_closes = 0;
        }
        else
        if (event == ZMQ_EVENT_DISCONNECTED || event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
            //  A supervisor that refuses our mechanism closes at once, and
            //  whether we read its greeting first (MECHANISM_MISMATCH
            //  below) depends on timing libzmq does not promise. Two
            //  connections in a row closed before their handshake are that
            //  refusal: say so now, in the same words either way.
            if (!self->handshaken) {
                self->closed_early = true;
                self->early_closes++;
            }
            self->handshaken = false;
            if (self->early_closes >= 2 && !self->said) {
                s_closed_early_text (self, text, sizeof text);
                s_say (self, text);
                self->refused = true;
            }
        }
        else
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            snprintf (text, sizeof text, "the supervisor at %s refused this client's key "
                      "(R2CI_KEY; status %u): its public certificate must be in the "
                      "supervisor's security.authorized_clients or operators folder, and "
                      "not expired", self->endpoint, (unsigned) value);
            s_say (self, text);
            self->refused = true;
        }
        else
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
            if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
                snprintf (text, sizeof text, self->curve
                          ? "the supervisor at %s does not use CURVE there, but "
                            "R2CI_SERVER_KEY and R2CI_KEY are set"
                          : "the supervisor at %s requires CURVE: set R2CI_SERVER_KEY "
                            "(its public certificate) and R2CI_KEY (this client's secret "
                            "one)", self->endpoint);
            else
                snprintf (text, sizeof text, "the handshake with the supervisor at %s "
                          "failed (protocol error 0x%x)", self->endpoint, (unsigned) value);
            s_say (self, text);
            //  A failed handshake (a mechanism mismatch, a wrong server
            //  key) fails again the same way: no use waiting.
            self->refused = true;
        }
    }
}

//  Said when an answer is late: a connection that closed during its
//  handshake with no precise cause (the order of events varies).
static void
s_monitor_late (client_t *self)
{
    s_monitor_read (self);
    if (!self->closed_early || self->said)
        return;
    char text [512];
    s_closed_early_text (self, text, sizeof text);
    s_say (self, text);
}

client_t *
client_new (const char *endpoint)
{
    return client_new_secure (endpoint, NULL, NULL, NULL, 0);
}

client_t *
client_new_secure (const char *endpoint, const char *server_key, const char *key,
                   char *err, size_t err_size)
{
    client_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sock = zsock_new (ZMQ_DEALER);
    if (!self->sock)
        goto out_free;
    zsock_set_linger (self->sock, 0);
    zsock_set_sndhwm (self->sock, 0);       //  many inputs at once, all kept
    zsock_set_rcvhwm (self->sock, 0);
    bus_set_maxmsgsize (self->sock, 256 * 1024 * 1024);
    if (server_key && key && curve_client_apply (self->sock, server_key, key, err, err_size))
        goto out_sock;
    self->curve = server_key && key;
    util_copy (self->endpoint, sizeof self->endpoint, endpoint);
    s_monitor_open (self);
    if (zsock_connect (self->sock, "%s", endpoint)) {
        if (err && err_size)
            snprintf (err, err_size, "%s: not a usable endpoint", endpoint);
        goto out_sock;
    }
    self->next_req = (uint64_t) getpid () << 20;
    return self;
out_sock:
    if (self->monitor) {
        zmq_socket_monitor (zsock_resolve (self->sock), NULL, 0);
        zsock_destroy (&self->monitor);
    }
    zsock_destroy (&self->sock);
out_free:
    free (self);
    errno = EINVAL;
    return NULL;
}

void
client_destroy (client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    if ((*self_p)->monitor) {
        zmq_socket_monitor (zsock_resolve ((*self_p)->sock), NULL, 0);
        zsock_destroy (&(*self_p)->monitor);
    }
    zsock_destroy (&(*self_p)->sock);
    free (*self_p);
    *self_p = NULL;
}

void
client_reply_release (client_reply_t *self)
{
    free (self->body);
    memset (self, 0, sizeof *self);
}

//  Receives one reply, waiting at most timeout_ms.
static int
s_receive (client_t *self, int timeout_ms, client_reply_t *out)
{
    memset (out, 0, sizeof *out);
    zmq_pollitem_t items [2] = {
        { zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0 },
        { self->monitor? zsock_resolve (self->monitor): NULL, 0, ZMQ_POLLIN, 0 },
    };
    uint64_t deadline = util_now_ms () + (uint64_t) timeout_ms;
    while (true) {
        uint64_t now = util_now_ms ();
        if (now >= deadline) {
            s_monitor_late (self);
            return errno = ETIMEDOUT, -1;
        }
        int rc = zmq_poll (items, self->monitor? 2: 1, (long) (deadline - now));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return -1;
        if (items [1].revents & ZMQ_POLLIN)
            s_monitor_read (self);
        //  a refused key or a mechanism mismatch stays so: no use waiting
        if (self->refused)
            return errno = ECONNREFUSED, -1;
        if (items [0].revents & ZMQ_POLLIN)
            break;
    }
    zmsg_t *msg = zmsg_recv (self->sock);
    if (!msg)
        return errno = EPROTO, -1;
    zframe_t *header = zmsg_pop (msg);
    int rc = -1;
    if (header && wire_reply_decode (&out->reply, zframe_data (header),
                                     zframe_size (header)) == 0) {
        zframe_t *body = zmsg_pop (msg);
        out->body_size = body? zframe_size (body): 0;
        out->body = malloc (out->body_size + 1);
        if (out->body) {
            if (body)
                memcpy (out->body, zframe_data (body), out->body_size);
            out->body [out->body_size] = 0;
            rc = 0;
        }
        zframe_destroy (&body);
    }
    else
        errno = EPROTO;
    zframe_destroy (&header);
    zmsg_destroy (&msg);
    return rc;
}

int
client_request (client_t *self, const char *op, const char *const *args,
                size_t args_count, int timeout_ms, client_reply_t *out)
{
    wire_request_t request = { .req_id = ++self->next_req };
    util_copy (request.op, sizeof request.op, op);
    if (args_count > WIRE_MAX_ARGS)
        return errno = EINVAL, -1;
    for (size_t i = 0; i < args_count; i++)
        request.args [i] = (char *) args [i];
    request.args_count = args_count;
    uint8_t *buf;
    size_t size;
    if (wire_request_encode (&request, &buf, &size))
        return -1;
    if (bus_send (self->sock, NULL, buf, size, NULL, 0))
        return -1;
    uint64_t deadline = util_now_ms () + (uint64_t) timeout_ms;
    while (true) {
        uint64_t now = util_now_ms ();
        int left = now < deadline? (int) (deadline - now): 0;
        if (s_receive (self, left, out))
            return -1;
        if (out->reply.req_id == request.req_id)
            return 0;
        client_reply_release (out);     //  a stale reply to an earlier call
    }
}

uint64_t
client_submit (client_t *self, const wire_submit_t *submit,
               const uint8_t *docs, size_t docs_size,
               const uint8_t *project, size_t project_size)
{
    wire_submit_t copy = *submit;
    copy.req_id = ++self->next_req;
    uint8_t *buf;
    size_t size;
    if (wire_submit_encode (&copy, &buf, &size))
        return 0;
    const void *payloads [2] = { docs, project };
    size_t sizes [2] = { docs_size, project_size };
    if (bus_send_bytes (self->sock, NULL, buf, size, payloads, sizes, copy.attach? 0: 2))
        return 0;
    return copy.req_id;
}

int
client_next_reply (client_t *self, int timeout_ms, client_reply_t *out)
{
    return s_receive (self, timeout_ms, out);
}

pid_t
client_running_supervisor (const char *runtime)
{
    char path [PATH_MAX + 32];
    //  A folder someone else could write in says nothing we may trust.
    if (!util_private_dir_ok (runtime))
        return 0;
    snprintf (path, sizeof path, "%s/supervisor.pid", runtime);
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    pid_t pid = 0;
    //  The supervisor holds an exclusive lock while it runs: a shared one
    //  that cannot be had means it is there.
    if (flock (fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK) {
        char text [32] = "";
        ssize_t n = read (fd, text, sizeof text - 1);
        text [n > 0? n: 0] = 0;
        pid = (pid_t) strtol (text, NULL, 10);
    }
    close (fd);
    return pid;
}
