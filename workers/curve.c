/*  workers/curve.c - the CURVE client side of a tcp connection to the
    supervisor: a worker's or an ops script's key pair and the supervisor's
    public key, set on a socket before it connects.  */
#include "workers/curve.h"

#include "workers/keys.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static int
s_fail (int code, char *err, size_t err_size, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_fail (int code, char *err, size_t err_size, const char *format, ...)
{
    if (err && err_size) {
        va_list args;
        va_start (args, format);
        vsnprintf (err, err_size, format, args);
        va_end (args);
    }
    errno = code;
    return -1;
}

//  True when the socket has bound or connected already.
static bool
s_socket_used (zsock_t *sock)
{
    char endpoint [256] = "";
    size_t size = sizeof endpoint;
    if (zmq_getsockopt (zsock_resolve (sock), ZMQ_LAST_ENDPOINT, endpoint, &size))
        return false;
    return endpoint [0] != '\0';
}

int
curve_client_apply (zsock_t *sock, const char *server_public_file,
                       const char *own_secret_file, char *err, size_t err_size)
{
    if (!sock)
        return s_fail (EINVAL, err, err_size, "curve: no socket");
    if (!zsys_has_curve ())
        return s_fail (ENOTSUP, err, err_size,
                       "curve: this libzmq was built without CURVE (libsodium)");
    if (s_socket_used (sock))
        return s_fail (EINVAL, err, err_size,
                       "curve: CURVE must be set on a socket before it connects");
    zcert_t *server = keys_load_public (server_public_file, err, err_size);
    if (!server)
        return -1;
    int rc = -1, code;
    zcert_t *own = keys_load_secret (own_secret_file, err, err_size);
    if (!own)
        goto out_destroy_server;
    void *handle = zsock_resolve (sock);
    if (zmq_setsockopt (handle, ZMQ_CURVE_SERVERKEY, zcert_public_key (server), 32)
    ||  zmq_setsockopt (handle, ZMQ_CURVE_PUBLICKEY, zcert_public_key (own), 32)
    ||  zmq_setsockopt (handle, ZMQ_CURVE_SECRETKEY, zcert_secret_key (own), 32)) {
        code = zmq_errno ();
        s_fail (code, err, err_size, "curve: cannot set the CURVE keys: %s",
                zmq_strerror (code));
        goto out_destroy_own;
    }
    rc = 0;
out_destroy_own:
    zcert_destroy (&own);
out_destroy_server:
    code = errno;
    zcert_destroy (&server);
    errno = code;
    return rc;
}
