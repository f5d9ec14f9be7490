/*  common/certfile.c - CURVE certificate files read and checked with
    libzmq alone: a small reader for czmq's ZPL text, the key checks, and
    the keys set on a client socket.  */
#include "common/certfile.h"

#include "common/util.h"

#include <zmq.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  A certificate is a few hundred bytes; anything much larger is not one.
#define CERTFILE_MAX_FILE (64 * 1024)
//  czmq reads at most this much of each line and drops the rest.
#define CERTFILE_MAX_LINE 1024

//  What czmq writes for a key it does not have.
static const char s_no_key [] = "0000000000000000000000000000000000000000";

static const char s_z85_alphabet [] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ".-:+=^!/*?&<>()[]{}@%$#";

//  One "name [= value]" line of ZPL text; name and value point into the
//  parsed copy of the text.
typedef struct {
    int level;
    const char *name;
    const char *value;
} s_item_t;

typedef struct {
    char *text;                 //  the copy the items point into
    s_item_t *items;
    size_t count;
} s_zpl_t;

bool
certfile_z85_valid (const char *text)
{
    if (!text || strlen (text) != 40)
        return false;
    for (size_t i = 0; i < 40; i++)
        if (!strchr (s_z85_alphabet, text [i]))
            return false;
    return true;
}

static bool
s_is_name_char (char c)
{
    return isalnum ((unsigned char) c) || (c && strchr ("$-_@.&+/", c));
}

//  True when the rest of a line is blank or a comment.
static bool
s_at_line_end (const char *scan)
{
    while (isspace ((unsigned char) *scan))
        scan++;
    return *scan == '\0' || *scan == '#';
}

//  Parse one NUL-terminated line (already cut to its first 1024 bytes) in
//  place. Sets *item->name to NULL for a blank or comment line. Returns 0,
//  or -1 when the line is not ZPL.
static int
s_parse_line (char *line, s_item_t *item)
{
    size_t length = strlen (line);
    while (length && isspace ((unsigned char) line [length - 1]))
        line [--length] = '\0';
    char *scan = line;
    while (*scan == ' ')
        scan++;
    if ((scan - line) % 4)
        return -1;                      //  indents are 4 spaces each
    item->level = (int) ((scan - line) / 4);
    item->name = NULL;
    char *name = scan;
    while (s_is_name_char (*scan))
        scan++;
    if (scan == name)
        return s_at_line_end (scan)? 0: -1;
    if (name [0] == '/' || scan [-1] == '/')
        return -1;
    char *after_name = scan;
    while (isspace ((unsigned char) *scan))
        scan++;
    char *value;
    if (*scan != '=') {
        if (!s_at_line_end (scan))
            return -1;
        value = after_name;             //  a section or a name alone: ""
        *value = '\0';
    }
    else {
        scan++;
        while (isspace ((unsigned char) *scan))
            scan++;
        if (*scan == '"' || *scan == '\'') {
            char *close = strchr (scan + 1, *scan);
            if (!close || !s_at_line_end (close + 1))
                return -1;
            *close = '\0';
            value = scan + 1;
        }
        else {
            value = scan;
            char *comment = strchr (value, '#');
            if (comment) {
                while (comment > value && isspace ((unsigned char) comment [-1]))
                    comment--;
                *comment = '\0';
            }
        }
        *after_name = '\0';
    }
    item->name = name;
    item->value = value;
    return 0;
}

static void
s_zpl_release (s_zpl_t *self)
{
    free (self->items);
    free (self->text);
    memset (self, 0, sizeof *self);
}

//  Parse ZPL text into self (empty). Returns 0, or -1 with EPROTO (not
//  ZPL) or ENOMEM.
static int
s_zpl_parse (s_zpl_t *self, const char *text)
{
    size_t lines = 1;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    self->text = strdup (text);
    self->items = calloc (lines, sizeof *self->items);
    if (!self->text || !self->items) {
        s_zpl_release (self);
        return errno = ENOMEM, -1;
    }
    int last_level = -1;
    char *line = self->text;
    while (*line) {
        char *newline = strchr (line, '\n');
        char *next = newline? newline + 1: line + strlen (line);
        if (newline)
            *newline = '\0';
        if (strlen (line) > CERTFILE_MAX_LINE)
            line [CERTFILE_MAX_LINE] = '\0';
        s_item_t item;
        if (s_parse_line (line, &item) || (item.name && item.level > last_level + 1)) {
            s_zpl_release (self);
            return errno = EPROTO, -1;
        }
        if (item.name) {
            self->items [self->count++] = item;
            last_level = item.level;
        }
        line = next;
    }
    return 0;
}

//  The item at path ("/a/b", the first of each name, as czmq finds it),
//  or NULL.
static const s_item_t *
s_zpl_locate (const s_zpl_t *self, const char *path)
{
    while (*path == '/')
        path++;
    size_t first = 0, end = self->count;     //  the children of the current node
    int level = 0;
    const s_item_t *found = NULL;
    while (*path) {
        const char *slash = strchr (path, '/');
        size_t length = slash? (size_t) (slash - path): strlen (path);
        found = NULL;
        size_t i;
        for (i = first; i < end; i++) {
            const s_item_t *item = &self->items [i];
            if (item->level < level)
                break;
            if (item->level == level && strlen (item->name) == length
            &&  memcmp (item->name, path, length) == 0) {
                found = item;
                break;
            }
        }
        if (!found)
            return NULL;
        first = i + 1;
        level++;
        path += length;
        while (*path == '/')
            path++;
    }
    return found;
}

int
certfile_zpl_get (const char *text, const char *path, char *value, size_t value_size)
{
    s_zpl_t zpl = { 0 };
    if (s_zpl_parse (&zpl, text))
        return -1;
    const s_item_t *item = s_zpl_locate (&zpl, path);
    if (item && value && value_size)
        snprintf (value, value_size, "%s", item->value);
    s_zpl_release (&zpl);
    return item? 1: 0;
}

//  The certificate at path read into *text (caller frees) after the checks
//  a file must pass to be one; its mode goes to *mode.
static int
s_read_text (const char *path, char **text, mode_t *mode, char *err, size_t err_size)
{
    struct stat st;
    if (stat (path, &st)) {
        int code = errno;
        return util_fail (code, err, err_size, "%s: %s", path,
                          code == ENOENT? "no such file": strerror (code));
    }
    if (S_ISDIR (st.st_mode))
        return util_fail (EISDIR, err, err_size, "%s: is a folder, not a certificate file",
                          path);
    if (!S_ISREG (st.st_mode))
        return util_fail (EPROTO, err, err_size, "%s: not a regular file", path);
    *mode = st.st_mode;
    size_t size = 0;
    if (util_read_file (path, CERTFILE_MAX_FILE, text, &size)) {
        int code = errno;
        if (code == EFBIG)
            return util_fail (code, err, err_size, "%s: too large to be a certificate", path);
        return util_fail (code, err, err_size, "%s: %s", path, strerror (code));
    }
    if (memchr (*text, '\0', size) || !strstr (*text, "public-key")) {
        free (*text);
        *text = NULL;
        return util_fail (EPROTO, err, err_size,
                          "%s: not a CURVE certificate (no curve/public-key)", path);
    }
    return 0;
}

//  A key's 32 bytes from its Z85 text, which must be valid.
static int
s_decode (const char *text, uint8_t *key)
{
    return certfile_z85_valid (text) && zmq_z85_decode (key, text)? 0: -1;
}

//  The entries under the first "metadata" section, copied into self.
static int
s_copy_meta (certfile_t *self, const s_zpl_t *zpl)
{
    const s_item_t *section = s_zpl_locate (zpl, "metadata");
    if (!section)
        return 0;
    size_t first = (size_t) (section - zpl->items) + 1, end = first;
    while (end < zpl->count && zpl->items [end].level > 0)
        end++;
    self->meta = calloc (end - first + 1, sizeof *self->meta);
    if (!self->meta)
        return errno = ENOMEM, -1;
    for (size_t i = first; i < end; i++) {
        if (zpl->items [i].level != 1)
            continue;
        certfile_meta_t *meta = &self->meta [self->meta_count++];
        meta->name = strdup (zpl->items [i].name);
        meta->value = strdup (zpl->items [i].value);
        if (!meta->name || !meta->value)
            return errno = ENOMEM, -1;
    }
    return 0;
}

//  The checks of certfile_load on parsed text.
static int
s_check (certfile_t *self, const s_zpl_t *zpl, const char *path, bool secret, mode_t mode,
         char *err, size_t err_size)
{
    const s_item_t *public_item = s_zpl_locate (zpl, "/curve/public-key");
    const s_item_t *secret_item = s_zpl_locate (zpl, "/curve/secret-key");
    const char *secret_txt = secret_item? secret_item->value: NULL;
    bool has_secret = secret_txt && *secret_txt && strcmp (secret_txt, s_no_key) != 0;
    if (!public_item)
        return util_fail (EPROTO, err, err_size,
                          "%s: not a CURVE certificate (no curve/public-key)", path);
    if (s_decode (public_item->value, self->public_key))
        return util_fail (EPROTO, err, err_size,
                          "%s: curve/public-key is not a 40-character Z85 key", path);
    if (secret && !has_secret)
        return util_fail (EPROTO, err, err_size,
                          "%s: a public certificate where the secret one is needed "
                          "(it is the NAME_secret file)", path);
    if (!secret && has_secret)
        return util_fail (EPROTO, err, err_size,
                          "%s: holds a secret key where a public certificate is needed; "
                          "give the file without _secret", path);
    if (secret && (mode & 077))
        return util_fail (EACCES, err, err_size,
                          "%s: the secret key is open to other users (mode %04o): chmod 600 it",
                          path, (unsigned) (mode & 07777));
    if (secret) {
        char derived [41];
        if (s_decode (secret_txt, self->secret_key))
            return util_fail (EPROTO, err, err_size,
                              "%s: curve/secret-key is not a 40-character Z85 key", path);
        if (zmq_curve_public (derived, secret_txt)
        ||  strcmp (derived, public_item->value) != 0)
            return util_fail (EPROTO, err, err_size,
                              "%s: the secret and public keys do not belong together", path);
        self->has_secret = true;
    }
    if (s_copy_meta (self, zpl))
        return util_fail (ENOMEM, err, err_size, "%s: out of memory", path);
    return 0;
}

int
certfile_load (certfile_t *self, const char *path, bool secret, char *err, size_t err_size)
{
    if (!path || !*path)
        return util_fail (EINVAL, err, err_size, "no %s certificate file given",
                          secret? "secret": "public");
    char *text = NULL;
    mode_t mode = 0;
    if (s_read_text (path, &text, &mode, err, err_size))
        return -1;
    s_zpl_t zpl = { 0 };
    int rc = s_zpl_parse (&zpl, text);
    if (rc)
        util_fail (errno, err, err_size, errno == ENOMEM? "%s: out of memory"
                   : "%s: not a certificate (not ZPL text)", path);
    else
        rc = s_check (self, &zpl, path, secret, mode, err, err_size);
    int code = errno;
    //  The secret text goes no further than the keys in self.
    size_t size = strlen (text);
    memset (text, 0, size);
    if (zpl.text)
        memset (zpl.text, 0, size);
    free (text);
    s_zpl_release (&zpl);
    if (rc)
        certfile_release (self);
    errno = code;
    return rc;
}

void
certfile_release (certfile_t *self)
{
    if (!self)
        return;
    for (size_t i = 0; i < self->meta_count; i++) {
        free (self->meta [i].name);
        free (self->meta [i].value);
    }
    free (self->meta);
    memset (self, 0, sizeof *self);
}

//  True when the socket has bound or connected already.
static bool
s_socket_used (void *socket)
{
    char endpoint [256] = "";
    size_t size = sizeof endpoint;
    if (zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, endpoint, &size))
        return false;
    return endpoint [0] != '\0';
}

int
certfile_apply_client (void *socket, const char *server_public_file,
                       const char *own_secret_file, char *err, size_t err_size)
{
    if (!socket)
        return util_fail (EINVAL, err, err_size, "curve: no socket");
    if (!zmq_has ("curve"))
        return util_fail (ENOTSUP, err, err_size,
                          "curve: this libzmq was built without CURVE (libsodium)");
    if (s_socket_used (socket))
        return util_fail (EINVAL, err, err_size,
                          "curve: CURVE must be set on a socket before it connects");
    certfile_t server = { 0 }, own = { 0 };
    if (certfile_load (&server, server_public_file, false, err, err_size))
        return -1;
    int rc = -1, code;
    if (certfile_load (&own, own_secret_file, true, err, err_size))
        goto out_release_server;
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, server.public_key, 32)
    ||  zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, own.public_key, 32)
    ||  zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, own.secret_key, 32)) {
        code = zmq_errno ();
        util_fail (code, err, err_size, "curve: cannot set the CURVE keys: %s",
                   zmq_strerror (code));
        goto out_release_own;
    }
    rc = 0;
out_release_own:
    code = errno;
    certfile_release (&own);
    errno = code;
out_release_server:
    code = errno;
    certfile_release (&server);
    errno = code;
    return rc;
}
