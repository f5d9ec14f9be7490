/*  shared/bus.h - sending and receiving our multipart messages over czmq
    sockets: a header frame (encoded by proto/wire) and payload frames,
    after an optional routing identity. Shared by the supervisor and the
    CLI (a worker speaks libzmq alone, in workers/worker_loop).  */
#ifndef BUS_H_INCLUDED
#define BUS_H_INCLUDED

#include <czmq.h>

#include <stddef.h>
#include <stdint.h>

//  Send [identity] header [payloads...]. Takes ownership of header (a
//  malloc'd buffer) and of the payload frames (the array itself is the
//  caller's; its entries are set to NULL). identity is copied. Returns 0
//  or -1 (the message is dropped, e.g. EHOSTUNREACH on a ROUTER).
int bus_send (zsock_t *sock, zframe_t *identity, uint8_t *header, size_t header_size,
              zframe_t **payloads, size_t payloads_count);

//  The same with payloads given as borrowed bytes (copied into frames).
int bus_send_bytes (zsock_t *sock, zframe_t *identity, uint8_t *header, size_t header_size,
                    const void *const *payloads, const size_t *sizes, size_t payloads_count);

//  Make the socket refuse messages larger than bytes (ZMQ_MAXMSGSIZE).
void bus_set_maxmsgsize (zsock_t *sock, int64_t bytes);

#endif
