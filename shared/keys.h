/*  shared/keys.h - CURVE key pairs as czmq certificate files: write a
    new pair for `readme2ci keys new`, and load a public or secret one.  */
#ifndef KEYS_H_INCLUDED
#define KEYS_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

//  Write a new CURVE key pair in czmq's certificate format (zcert_save):
//  PATH holds the public key, PATH_secret both keys, with mode 0600 from
//  the moment it exists. PATH is dir/name, or name itself when dir is
//  NULL (so name may be "keys/workers/host-a"). The metadata records the
//  name (its last path component) and the creation time (RFC 3339, UTC).
//  Neither file may exist: nothing is ever overwritten. Returns 0, or -1
//  with errno (EEXIST, ENOENT for a missing folder, EACCES, EINVAL for an
//  empty name, ENAMETOOLONG, ENOTSUP when libzmq has no CURVE, EIO) and
//  a one-line message in err naming the file. On failure no file is left.
int keys_new (const char *dir, const char *name, char *err, size_t err_size);

//  keys_new with a lifetime: the metadata of both files also holds
//  "expires", lifetime_s seconds from now (RFC 3339, UTC), after which a
//  supervisor refuses the key; 0 means no expiry (as keys_new). Returns
//  as keys_new; EINVAL also for a lifetime below 0 or over 100 years.
int keys_new_expiring (const char *dir, const char *name, int64_t lifetime_s, char *err,
                       size_t err_size);

//  When cert stops being valid: the "expires" of its metadata, written
//  YYYY-MM-DDTHH:MM:SSZ (UTC). Returns 1 with *when_p set (may be NULL),
//  0 when it has none, or -1 with errno EPROTO when the value is not such
//  a time.
int keys_expiry (zcert_t *cert, time_t *when_p);

//  Load the public certificate at path: the peer's key, for the server
//  key of a worker or client, or one of an authorised folder. A file that
//  also holds a secret key is refused, so secrets are not handed out by
//  mistake. Returns a new zcert_t (caller destroys) whose secret key is
//  zero, or NULL with errno (ENOENT, EACCES, EISDIR, EFBIG, EPROTO: not a
//  certificate or a secret one) and a one-line message in err naming path.
zcert_t *keys_load_public (const char *path, char *err, size_t err_size);

//  Load the secret certificate at path (the NAME_secret file): both keys,
//  checked to belong together. Refused when the file is readable or
//  writable by group or others (like ssh), when it holds no secret key (a
//  public file where a secret is needed), or is not a certificate.
//  Returns a new zcert_t (caller destroys), or NULL with errno (ENOENT,
//  EACCES, EISDIR, EFBIG, EPROTO) and a one-line message in err.
zcert_t *keys_load_secret (const char *path, char *err, size_t err_size);

//  True when text is a 40-character Z85 CURVE key.
bool keys_z85_valid (const char *text);

#endif
