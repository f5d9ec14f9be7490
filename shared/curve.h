/*  shared/curve.h - the CURVE client side: how a remote worker or an ops
    script on another host proves who it is to the supervisor.  */
#ifndef CURVE_H_INCLUDED
#define CURVE_H_INCLUDED

#include <czmq.h>

#include <stddef.h>

//  Make sock a CURVE client of the supervisor whose public certificate is
//  server_public_file, using the key pair in own_secret_file (written by
//  `readme2ci keys new`). Call before connect. Returns 0, or -1 with errno
//  and a message naming the file in err (missing, not a certificate, a
//  public file where a secret is needed, readable by others...).
int curve_client_apply (zsock_t *sock, const char *server_public_file,
                        const char *own_secret_file, char *err, size_t err_size);

#endif
