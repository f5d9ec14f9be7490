/*  cli/client.h - the CLI's side of the client protocol: a DEALER
    connected to a supervisor's front endpoint, requests and submissions
    matched to their replies by request id.  */
#ifndef CLIENT_H_INCLUDED
#define CLIENT_H_INCLUDED

#include "proto/wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct client client_t;

//  The pid of the supervisor that holds the pid file lock in runtime (the
//  runtime folder), or 0 when none runs there.
pid_t client_running_supervisor (const char *runtime);

//  Connect to endpoint (ipc:// or tcp://). NULL when the socket cannot
//  be made or the endpoint is malformed.
client_t *client_new (const char *endpoint);

//  The same over CURVE when server_key (the supervisor's public
//  certificate) and key (ours, secret) are given; NULL with a message in
//  err when a key file cannot be used.
client_t *client_new_secure (const char *endpoint, const char *server_key, const char *key,
                             char *err, size_t err_size);
void client_destroy (client_t **self_p);

//  A reply with its body (malloc'd, NUL-terminated, may be empty).
typedef struct {
    wire_reply_t reply;
    char *body;
    size_t body_size;
} client_reply_t;
void client_reply_release (client_reply_t *self);

//  Send an operation and wait up to timeout_ms for its reply. Returns 0,
//  or -1 with errno ETIMEDOUT (no answer), EPROTO (a malformed one) or
//  ECONNREFUSED (the supervisor refused this client's key or mechanism;
//  the reason is said on stderr once, and waiting would not change it).
int client_request (client_t *self, const char *op, const char *const *args,
                    size_t args_count, int timeout_ms, client_reply_t *out);

//  Send a submission; returns its request id (0 on failure). The docs and
//  project buffers are the encoded frames; they are copied.
uint64_t client_submit (client_t *self, const wire_submit_t *submit,
                        const uint8_t *docs, size_t docs_size,
                        const uint8_t *project, size_t project_size);

//  Wait up to timeout_ms for the next reply to any submission. Returns 0,
//  or -1 with errno ETIMEDOUT, EPROTO or ECONNREFUSED (as client_request).
int client_next_reply (client_t *self, int timeout_ms, client_reply_t *out);

#endif
