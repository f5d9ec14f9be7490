/*  supervisor/keys.c - CURVE key pairs as czmq certificate files (ZPL with
    a metadata and a curve section), written and loaded with clear errors.  */
#include "workers/keys.h"

#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

//  A certificate is a few hundred bytes; anything much larger is not one.
#define KEYS_MAX_FILE (64 * 1024)

//  What czmq writes for a key it does not have.
static const char s_no_key [] = "0000000000000000000000000000000000000000";

static const char s_z85_alphabet [] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ".-:+=^!/*?&<>()[]{}@%$#";

bool
keys_z85_valid (const char *text)
{
    if (!text || strlen (text) != 40)
        return false;
    for (size_t i = 0; i < 40; i++)
        if (!strchr (s_z85_alphabet, text [i]))
            return false;
    return true;
}

//  Fill err with a message and return -1 with errno set to code.
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
            return s_fail (code, err, err_size,
                           "%s already exists: keys are never overwritten", path);
        return s_fail (code, err, err_size, "cannot create %s: %s", path,
                       strerror (code));
    }
    close (fd);
    return 0;
}

int
keys_new (const char *dir, const char *name, char *err, size_t err_size)
{
    int code = 0;
    if (!name || !*name)
        return s_fail (EINVAL, err, err_size, "keys new: the key needs a name");
    const char *base = s_base_name (name);
    if (!base)
        return s_fail (EINVAL, err, err_size,
                       "keys new: '%s' does not end in a file name", name);
    if (s_ends_with (base, "_secret"))
        return s_fail (EINVAL, err, err_size,
                       "keys new: '%s' ends in _secret, which names secret files; "
                       "choose another name", name);
    if (!zsys_has_curve ())
        return s_fail (ENOTSUP, err, err_size,
                       "keys new: this libzmq was built without CURVE (libsodium)");

    char path [PATH_MAX], secret_path [PATH_MAX];
    int n = dir? snprintf (path, sizeof path, "%s/%s", dir, name)
               : snprintf (path, sizeof path, "%s", name);
    if (n < 0 || (size_t) n + sizeof "_secret" > sizeof path)
        return s_fail (ENAMETOOLONG, err, err_size, "keys new: path too long: %s", name);
    snprintf (secret_path, sizeof secret_path, "%s_secret", path);

    //  Both files exist, empty, before any key is written: the secret one
    //  with mode 0600, and a second run cannot clobber either.
    if (s_reserve (path, 0644, err, err_size))
        return -1;
    if (s_reserve (secret_path, 0600, err, err_size))
        goto out_unlink_public;

    zcert_t *cert = zcert_new ();
    if (!cert) {
        s_fail (ENOMEM, err, err_size, "keys new: cannot make a key pair");
        goto out_unlink_secret;
    }
    char created [32];
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    strftime (created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    zcert_set_meta (cert, "name", "%s", base);
    zcert_set_meta (cert, "created", "%s", created);

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
        s_fail (code? code: EIO, err, err_size, "cannot write %s: %s", failed,
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

//  The certificate at path as a zconfig tree, or NULL with err and errno;
//  the file's mode goes to *mode.
static zconfig_t *
s_read_tree (const char *path, mode_t *mode, char *err, size_t err_size)
{
    struct stat st;
    if (stat (path, &st)) {
        int code = errno;
        s_fail (code, err, err_size, "%s: %s", path,
                code == ENOENT? "no such file": strerror (code));
        return NULL;
    }
    if (S_ISDIR (st.st_mode)) {
        s_fail (EISDIR, err, err_size, "%s: is a folder, not a certificate file", path);
        return NULL;
    }
    if (!S_ISREG (st.st_mode)) {
        s_fail (EPROTO, err, err_size, "%s: not a regular file", path);
        return NULL;
    }
    *mode = st.st_mode;
    char *text = NULL;
    size_t size = 0;
    if (util_read_file (path, KEYS_MAX_FILE, &text, &size)) {
        int code = errno;
        if (code == EFBIG)
            s_fail (code, err, err_size, "%s: too large to be a certificate", path);
        else
            s_fail (code, err, err_size, "%s: %s", path, strerror (code));
        return NULL;
    }
    //  Files that cannot be certificates are told apart here, before
    //  czmq's parser, which logs its own complaint about each one.
    zconfig_t *root = NULL;
    if (memchr (text, '\0', size) || !strstr (text, "public-key"))
        s_fail (EPROTO, err, err_size,
                "%s: not a CURVE certificate (no curve/public-key)", path);
    else
    if (!(root = zconfig_str_load (text)))
        s_fail (EPROTO, err, err_size, "%s: not a certificate (not ZPL text)", path);
    free (text);
    return root;
}

//  A key's 32 bytes from its Z85 text, which must be valid.
static int
s_decode (const char *text, byte *key)
{
    return keys_z85_valid (text) && zmq_z85_decode (key, text)? 0: -1;
}

static zcert_t *
s_load (const char *path, bool secret, char *err, size_t err_size)
{
    mode_t mode = 0;
    int code;
    zconfig_t *root = s_read_tree (path, &mode, err, err_size);
    if (!root)
        return NULL;
    zcert_t *cert = NULL;
    byte public_key [32] = { 0 }, secret_key [32] = { 0 };
    const char *public_txt = zconfig_get (root, "/curve/public-key", NULL);
    const char *secret_txt = zconfig_get (root, "/curve/secret-key", NULL);
    bool has_secret = secret_txt && *secret_txt && strcmp (secret_txt, s_no_key) != 0;
    if (!public_txt) {
        s_fail (EPROTO, err, err_size,
                "%s: not a CURVE certificate (no curve/public-key)", path);
        goto out_destroy_root;
    }
    if (s_decode (public_txt, public_key)) {
        s_fail (EPROTO, err, err_size,
                "%s: curve/public-key is not a 40-character Z85 key", path);
        goto out_destroy_root;
    }
    if (secret && !has_secret) {
        s_fail (EPROTO, err, err_size,
                "%s: a public certificate where the secret one is needed "
                "(it is the NAME_secret file)", path);
        goto out_destroy_root;
    }
    if (!secret && has_secret) {
        s_fail (EPROTO, err, err_size,
                "%s: holds a secret key where a public certificate is needed; "
                "give the file without _secret", path);
        goto out_destroy_root;
    }
    if (secret && (mode & 077)) {
        s_fail (EACCES, err, err_size,
                "%s: the secret key is open to other users (mode %04o): chmod 600 it",
                path, (unsigned) (mode & 07777));
        goto out_destroy_root;
    }
    if (secret) {
        char derived [41];
        if (s_decode (secret_txt, secret_key)) {
            s_fail (EPROTO, err, err_size,
                    "%s: curve/secret-key is not a 40-character Z85 key", path);
            goto out_destroy_root;
        }
        if (zmq_curve_public (derived, secret_txt) || strcmp (derived, public_txt) != 0) {
            s_fail (EPROTO, err, err_size,
                    "%s: the secret and public keys do not belong together", path);
            goto out_destroy_root;
        }
    }
    cert = zcert_new_from (public_key, secret_key);
    if (!cert) {
        s_fail (ENOMEM, err, err_size, "%s: out of memory", path);
        goto out_destroy_root;
    }
    zconfig_t *metadata = zconfig_locate (root, "/metadata");
    for (zconfig_t *item = metadata? zconfig_child (metadata): NULL; item;
         item = zconfig_next (item)) {
        const char *value = zconfig_value (item);
        zcert_set_meta (cert, zconfig_name (item), "%s", value? value: "");
    }
out_destroy_root:
    code = errno;
    zconfig_destroy (&root);
    //  The secret stays in the certificate only, not on our stack.
    memset (secret_key, 0, sizeof secret_key);
    errno = code;
    return cert;
}

zcert_t *
keys_load_public (const char *path, char *err, size_t err_size)
{
    if (!path || !*path) {
        s_fail (EINVAL, err, err_size, "no public certificate file given");
        return NULL;
    }
    return s_load (path, false, err, err_size);
}

zcert_t *
keys_load_secret (const char *path, char *err, size_t err_size)
{
    if (!path || !*path) {
        s_fail (EINVAL, err, err_size, "no secret certificate file given");
        return NULL;
    }
    return s_load (path, true, err, err_size);
}
