/*  shared/bus.c - multipart send helpers over czmq.  */
#include "shared/bus.h"

#include <errno.h>
#include <stdlib.h>

int
bus_send (zsock_t *sock, zframe_t *identity, uint8_t *header, size_t header_size,
          zframe_t **payloads, size_t payloads_count)
{
    zmsg_t *msg = zmsg_new ();
    if (identity)
        zmsg_append (msg, &(zframe_t *) { zframe_dup (identity) });
    zframe_t *frame = zframe_new (header, header_size);
    free (header);
    zmsg_append (msg, &frame);
    for (size_t i = 0; i < payloads_count; i++)
        zmsg_append (msg, &payloads [i]);
    return zmsg_send (&msg, sock);
}

int
bus_send_bytes (zsock_t *sock, zframe_t *identity, uint8_t *header, size_t header_size,
                const void *const *payloads, const size_t *sizes, size_t payloads_count)
{
    zframe_t *frames [8];
    if (payloads_count > 8) {
        free (header);
        return errno = EINVAL, -1;
    }
    for (size_t i = 0; i < payloads_count; i++)
        frames [i] = zframe_new (payloads [i], sizes [i]);
    return bus_send (sock, identity, header, header_size, frames, payloads_count);
}

void
bus_set_maxmsgsize (zsock_t *sock, int64_t bytes)
{
    zmq_setsockopt (zsock_resolve (sock), ZMQ_MAXMSGSIZE, &bytes, sizeof bytes);
}
