/*  common/certfile.h - CURVE certificate files (czmq's ZPL format) read
    and checked without czmq, so a worker process needs libzmq alone.  */
#ifndef CERTFILE_H_INCLUDED
#define CERTFILE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  One metadata entry of a certificate (name = value under "metadata").
typedef struct {
    char *name;
    char *value;
} certfile_meta_t;

//  A loaded certificate. The zero value is empty; certfile_release frees
//  it and wipes the secret key.
typedef struct {
    uint8_t public_key [32];
    uint8_t secret_key [32];    //  all zero for a public certificate
    bool has_secret;
    certfile_meta_t *meta;      //  in file order
    size_t meta_count;
} certfile_t;

//  Load the certificate at path into self (which must be empty). With
//  secret, it must be a NAME_secret file: both keys, belonging together,
//  and not readable or writable by group or others. Without, it must be a
//  public file (holding a secret key there is refused, so secrets are not
//  handed out by mistake). Returns 0, or -1 with errno (EINVAL for no
//  path, ENOENT, EACCES, EISDIR, EFBIG, EPROTO: not a certificate or the
//  wrong kind, ENOMEM) and a one-line message naming path in err.
int certfile_load (certfile_t *self, const char *path, bool secret,
                   char *err, size_t err_size);

//  Free what self holds, wipe its keys, and leave it empty.
void certfile_release (certfile_t *self);

//  The value at path ("/curve/public-key") in ZPL text, copied into value
//  (value_size bytes, NUL-terminated; "" for a name without a value).
//  Returns 1 when found, 0 when the text is valid ZPL without that path,
//  or -1 with EPROTO when the text is not valid ZPL (czmq's zconfig rules:
//  4-space indents, one level deeper at most, names of letters, digits
//  and $-_@.&+/, quoted or bare values, # comments).
int certfile_zpl_get (const char *text, const char *path, char *value, size_t value_size);

//  True when text is a 40-character Z85 CURVE key.
bool certfile_z85_valid (const char *text);

//  Make socket (a libzmq socket handle, not yet connected) a CURVE client
//  of the server whose public certificate is server_public_file, with the
//  key pair in own_secret_file. Returns 0, or -1 with errno and a message
//  naming the file in err (ENOTSUP when libzmq has no CURVE).
int certfile_apply_client (void *socket, const char *server_public_file,
                           const char *own_secret_file, char *err, size_t err_size);

#endif
