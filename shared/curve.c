/*  shared/curve.c - the CURVE client side of a tcp connection to the
    supervisor: a worker's or an ops script's key pair and the supervisor's
    public key, set on a socket before it connects.  */
#include "shared/curve.h"

#include "common/certfile.h"

#include <errno.h>
#include <stdio.h>

int
curve_client_apply (zsock_t *sock, const char *server_public_file,
                    const char *own_secret_file, char *err, size_t err_size)
{
    if (!sock) {
        if (err && err_size)
            snprintf (err, err_size, "curve: no socket");
        return errno = EINVAL, -1;
    }
    return certfile_apply_client (zsock_resolve (sock), server_public_file,
                                  own_secret_file, err, err_size);
}
