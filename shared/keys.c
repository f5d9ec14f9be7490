/*  shared/keys.c - CURVE key pairs as czmq certificate files (ZPL with
    a metadata and a curve section), written and loaded with clear errors.  */
#include "shared/keys.h"

#include "common/util.h"
#include "common/certfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool
keys_z85_valid (const char *text)
{
    return certfile_z85_valid (text);
}

//  The last path component of name, or NULL when it is empty, "." or "..".
static const char *
s_base_name (const char *name)
{
    const char *slash = strrchr (name, '/');
    const char *base = slash? slash + 1: name;
    if (!*base || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
        return NULL;
    return base;
}

static bool
s_ends_with (const char *text, const char *suffix)
{
    size_t length = strlen (text), suffix_length = strlen (suffix);
    return length >= suffix_length
        && strcmp (text + length - suffix_length, suffix) == 0;
}

//  Create path empty with mode, refusing an existing file or link.
static int
s_reserve (const char *path, mode_t mode, char *err, size_t err_size)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        int code = errno;
        if (code == EEXIST)
            return util_fail (code, err, err_size,
                              "%s already exists: keys are never overwritten", path);
        return util_fail (code, err, err_size, "cannot create %s: %s", path,
                          strerror (code));
    }
    close (fd);
    return 0;
}

int
keys_new (const char *dir, const char *name, char *err, size_t err_size)
{
    return keys_new_expiring (dir, name, 0, err, err_size);
}

int
keys_expiry (zcert_t *cert, time_t *when_p)
{
    const char *text = cert? zcert_meta (cert, "expires"): NULL;
    if (!text)
        return 0;
    struct tm tm = { 0 };
    const char *end = strptime (text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end) {
        errno = EPROTO;
        return -1;
    }
    time_t when = timegm (&tm);
    if (when == (time_t) -1) {
        errno = EPROTO;
        return -1;
    }
    if (when_p)
        *when_p = when;
    return 1;
}

int
keys_new_expiring (const char *dir, const char *name, int64_t lifetime_s, char *err,
                   size_t err_size)
{
    int code = 0;
    if (lifetime_s < 0 || lifetime_s > (int64_t) 100 * 366 * 86400)
        return util_fail (EINVAL, err, err_size,
                          "keys new: a key's lifetime is from 1 s to 100 years");
    if (!name || !*name)
        return util_fail (EINVAL, err, err_size, "keys new: the key needs a name");
    const char *base = s_base_name (name);
    if (!base)
        return util_fail (EINVAL, err, err_size,
                          "keys new: '%s' does not end in a file name", name);
    if (s_ends_with (base, "_secret"))
        return util_fail (EINVAL, err, err_size,
                          "keys new: '%s' ends in _secret, which names secret files; "
                          "choose another name", name);
    if (!zsys_has_curve ())
        return util_fail (ENOTSUP, err, err_size,
                          "keys new: this libzmq was built without CURVE (libsodium)");

    char path [PATH_MAX], secret_path [PATH_MAX];
    int n = dir? snprintf (path, sizeof path, "%s/%s", dir, name)
               : snprintf (path, sizeof path, "%s", name);
    if (n < 0 || (size_t) n + sizeof "_secret" > sizeof path)
        return util_fail (ENAMETOOLONG, err, err_size, "keys new: path too long: %s", name);
    snprintf (secret_path, sizeof secret_path, "%s_secret", path);

    //  Both files exist, empty, before any key is written: the secret one
    //  with mode 0600, and a second run cannot clobber either.
    if (s_reserve (path, 0644, err, err_size))
        return -1;
    if (s_reserve (secret_path, 0600, err, err_size))
        goto out_unlink_public;

    zcert_t *cert = zcert_new ();
    if (!cert) {
        util_fail (ENOMEM, err, err_size, "keys new: cannot make a key pair");
        goto out_unlink_secret;
    }
    char created [32];
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    strftime (created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    zcert_set_meta (cert, "name", "%s", base);
    zcert_set_meta (cert, "created", "%s", created);
    if (lifetime_s > 0) {
        char expires [32];
        time_t then = now + (time_t) lifetime_s;
        gmtime_r (&then, &tm);
        strftime (expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", &tm);
        zcert_set_meta (cert, "expires", "%s", expires);
    }

    //  zcert_save does both halves but truncates long secret names and
    //  leaves czmq's umask behind; save each half and restore the umask.
    mode_t mask = umask (077);
    umask (mask);
    int rc = zcert_save_public (cert, path);
    const char *failed = path;
    if (rc == 0) {
        rc = zcert_save_secret (cert, secret_path);
        failed = secret_path;
    }
    code = errno;
    umask (mask);
    zcert_destroy (&cert);
    if (rc) {
        util_fail (code? code: EIO, err, err_size, "cannot write %s: %s", failed,
                   strerror (code? code: EIO));
        goto out_unlink_secret;
    }
    return 0;

out_unlink_secret:
    code = errno;
    unlink (secret_path);
    errno = code;
out_unlink_public:
    code = errno;
    unlink (path);
    errno = code;
    return -1;
}

//  The certificate at path as a zcert (read and checked by certfile, so
//  workers, which do without czmq, apply the same rules).
static zcert_t *
s_load (const char *path, bool secret, char *err, size_t err_size)
{
    certfile_t file = { 0 };
    if (certfile_load (&file, path, secret, err, err_size))
        return NULL;
    zcert_t *cert = zcert_new_from (file.public_key, file.secret_key);
    if (!cert)
        util_fail (ENOMEM, err, err_size, "%s: out of memory", path);
    for (size_t i = 0; cert && i < file.meta_count; i++)
        zcert_set_meta (cert, file.meta [i].name, "%s", file.meta [i].value);
    int code = errno;
    certfile_release (&file);
    errno = code;
    return cert;
}

zcert_t *
keys_load_public (const char *path, char *err, size_t err_size)
{
    return s_load (path, false, err, err_size);
}

zcert_t *
keys_load_secret (const char *path, char *err, size_t err_size)
{
    return s_load (path, true, err, err_size);
}
