/*  supervisor/security.h - CURVE on tcp endpoints: checking the config's
    keys at start, the supervisor side (a ZAP handler that lets in only the
    authorised keys of each endpoint, operators), and the worker/client side.  */
#ifndef SECURITY_H_INCLUDED
#define SECURITY_H_INCLUDED

#include "common/config.h"

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct security_server security_server_t;

//  Which of the supervisor's tcp endpoints a socket serves. Each is a ZAP
//  domain of its own, named "workers" and "clients".
typedef enum {
    SECURITY_WORKERS,           //  lets in keys from authorized_workers
    SECURITY_CLIENTS            //  lets in authorized_clients and operators
} security_role_t;

//  Check that every tcp endpoint in cfg->listen can be served as
//  configured: with CURVE, the secret key loads and the folder of
//  authorised keys for that endpoint (and operators, when set) exists and
//  holds only loadable public certificates; without it, `insecure: true`
//  and a loopback address (127.0.0.0/8, [::1], localhost). ipc endpoints
//  need nothing. Returns 0, or -1 with errno (EINVAL for a rule broken,
//  else the cause of the failed load: ENOENT, EACCES, EPROTO, ENOTSUP for
//  a libzmq without CURVE) and one line in err naming the endpoint or path.
int security_check_endpoints (const config_t *cfg, char *err, size_t err_size);

//  Start the supervisor's side for cfg. Checks cfg as
//  security_check_endpoints does, then, when security.secret_key is set,
//  loads the secret key and starts the process's ZAP handler (an actor
//  thread; czmq's zauth must not run in the same process, as both claim
//  the one ZAP endpoint). Without secret_key (insecure loopback, or no
//  tcp endpoint) no handler runs and security_server_apply changes
//  nothing. Only one may exist per process. Returns a new object (destroy
//  it after the sockets it secured), or NULL with errno (as
//  security_check_endpoints, or EADDRINUSE when a ZAP handler already
//  runs) and one line in err.
security_server_t *security_server_new (const config_t *cfg, char *err,
                                        size_t err_size);

//  Stop the ZAP handler and free self, keeping errno. Destroy the sockets
//  self secured first: after this they refuse every new connection.
//  Accepts NULL.
void security_server_destroy (security_server_t **self_p);

//  True when self secures sockets with CURVE (false: insecure loopback).
bool security_server_curve (security_server_t *self);

//  A connection the ZAP handler refused.
typedef struct {
    char domain [16];           //  "workers" or "clients"
    char address [64];          //  the peer's IP address
    char key [41];              //  its public key (Z85), "" when malformed
    char reason [256];          //  one line: why
} security_refusal_t;

//  The socket that becomes readable when the ZAP handler has refused a
//  connection (read it with security_server_refusal), or NULL without
//  CURVE. Borrowed. Unread refusals past a thousand are dropped, never
//  holding up the handler.
zsock_t *security_server_notices (security_server_t *self);

//  Read one refusal into *refusal. Returns 0, or -1 when none could be
//  read (none waiting, or not one of ours).
int security_server_refusal (security_server_t *self, security_refusal_t *refusal);

//  Make sock a CURVE server for role: our key pair, and the ZAP domain
//  that decides which client keys get in. Call BEFORE binding sock (the
//  options apply to later binds only); use one socket per tcp endpoint,
//  apart from the ipc ones, since a socket has one mechanism. Does
//  nothing when self is not CURVE. Returns 0, or -1 with errno (EINVAL:
//  sock already bound, or no authorised folder for role; else libzmq's)
//  and the cause logged.
int security_server_apply (security_server_t *self, zsock_t *sock,
                           security_role_t role);

//  True when the client key (Z85, as a message's "User-Id" property
//  gives it) has a certificate in the operators folder, read afresh on
//  each call. False for NULL, malformed keys, or no operators folder.
bool security_is_operator (security_server_t *self, const char *client_public_key_z85);

//  True when the peer key (Z85) may still use role's endpoint: its
//  certificate is still in the folder and has not expired (metadata
//  "expires", see keys_new_expiring). False, with why, once it was
//  removed or has expired: a connection made before then outlives the
//  handshake that checked it, so the owner asks again now and then.
//  Always true without CURVE or for an empty key.
bool security_still_authorised (security_server_t *self, security_role_t role,
                                const char *key, char *why, size_t why_size);

//  The Z85 public key of the peer that sent frame, from its "User-Id"
//  property (set by our ZAP handler for CURVE peers), or NULL when it has
//  none (ipc, insecure tcp). Pass a frame the peer sent: the identity
//  frame a ROUTER prepends carries none. Borrowed: lives as long as frame.
const char *security_frame_key (zframe_t *frame);

//  Decide whether a component operation (ctl deploy/stop/...) that came
//  in on the tcp clients endpoint may run: only from an operator's key.
//  frame is one the peer sent (the request), not the ROUTER's identity.
//  Without CURVE (insecure loopback) operations over tcp are always
//  refused: use the ipc endpoint. A refusal is logged with the operation,
//  the key and the key's name. Do not call it for ipc clients, whom the
//  runtime folder's mode already restricts.
bool security_may_operate (security_server_t *self, zframe_t *frame,
                           const char *operation);


#endif
