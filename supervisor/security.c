/*  supervisor/security.c - CURVE on tcp endpoints: the start-up check, a
    ZAP handler that tells the workers' and clients' endpoints apart, and
    the socket options for both ends of a connection.

    czmq's zauth keeps one certificate folder per actor, ignores the ZAP
    domain, and only one ZAP handler may bind per process, so two zauth
    actors cannot give the two endpoints different key sets. Our handler
    answers by domain instead, and rereads the folders on every handshake
    so a key added or removed counts from the next connection on.  */
#include "supervisor/security.h"

#include "common/util.h"
#include "shared/keys.h"

#include "supervisor/log.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  Every ZAP handler of a process binds here (RFC 27).
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

//  libzmq's ZMQ_ZAP_ENFORCE_DOMAIN, a draft option that libzmq 4.3 honours:
//  with it, a CURVE socket refuses peers when no ZAP handler answers,
//  instead of letting every key in.
#define SECURITY_ZAP_ENFORCE_DOMAIN 93

//  Metadata property carrying the "name" of the peer's certificate.
#define SECURITY_NAME_PROPERTY "X-Key-Name"

static const char *const s_role_domains [] = { "workers", "clients" };

struct security_server {
    bool curve;                 //  false: insecure loopback or no tcp
    zcert_t *cert;              //  our key pair, when curve
    char *workers;              //  folders of authorised public keys
    char *clients;
    char *operators;
    zactor_t *zap;              //  the ZAP handler, when curve
};

//  What the ZAP handler's thread owns.
typedef struct {
    zsock_t *handler;           //  REP bound to ZAP_ENDPOINT
    zsock_t *pipe;              //  to the owner: refusals, for its events
    char *workers;
    char *clients;
    char *operators;
} zap_t;

//  strdup that keeps NULL; false when memory ran out.
static bool
s_dup (char **copy, const char *text)
{
    *copy = text? strdup (text): NULL;
    return !text || *copy;
}

//  ---------------------------------------------------------------------
//  Endpoints and folders

static bool
s_endpoint_tcp (const char *endpoint)
{
    return endpoint && strncmp (endpoint, "tcp://", 6) == 0;
}

//  True for tcp://HOST:PORT whose HOST is localhost, an address in
//  127.0.0.0/8 or [::1]. Names other than localhost are not resolved.
static bool
s_endpoint_loopback (const char *endpoint)
{
    if (!s_endpoint_tcp (endpoint))
        return false;
    const char *host = endpoint + 6;
    const char *colon = strrchr (host, ':');
    if (!colon)
        return false;
    char text [INET6_ADDRSTRLEN + 2];
    size_t length = (size_t) (colon - host);
    if (length == 0 || length >= sizeof text)
        return false;
    memcpy (text, host, length);
    text [length] = '\0';
    if (strcmp (text, "localhost") == 0)
        return true;
    struct in_addr v4;
    if (inet_pton (AF_INET, text, &v4) == 1)
        return (ntohl (v4.s_addr) >> 24) == 127;
    struct in6_addr v6;
    if (length > 2 && text [0] == '[' && text [length - 1] == ']') {
        text [length - 1] = '\0';
        return inet_pton (AF_INET6, text + 1, &v6) == 1 && IN6_IS_ADDR_LOOPBACK (&v6);
    }
    return false;
}

static bool
s_ends_with (const char *text, const char *suffix)
{
    size_t length = strlen (text), suffix_length = strlen (suffix);
    return length >= suffix_length
        && strcmp (text + length - suffix_length, suffix) == 0;
}

//  Fill path with dir/entry for a file that may hold a public key: not
//  hidden, not a NAME_secret file, a regular file (or a link to one).
static bool
s_key_file (const char *dir, const char *entry, char *path, size_t size)
{
    if (entry [0] == '.' || s_ends_with (entry, "_secret"))
        return false;
    int n = snprintf (path, size, "%s/%s", dir, entry);
    if (n < 0 || (size_t) n >= size)
        return false;
    struct stat st;
    return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

//  Check that dir (security.KEY) is a readable folder whose key files all
//  load as public certificates.
static int
s_folder_check (const char *dir, const char *key, char *err, size_t err_size)
{
    DIR *handle = opendir (dir);
    if (!handle) {
        int code = errno;
        return util_fail (code, err, err_size, "security.%s: %s: %s", key, dir,
                          code == ENOENT
                          ? "no such folder (make it, e.g. `mkdir -p` it, and put the public "
                            "certificates it allows in it; an empty one allows none)"
                          : strerror (code));
    }
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir (handle))) {
        char path [PATH_MAX], why [PATH_MAX + 128];
        if (!s_key_file (dir, entry->d_name, path, sizeof path))
            continue;
        zcert_t *cert = keys_load_public (path, why, sizeof why);
        if (!cert)
            rc = util_fail (errno, err, err_size, "security.%s: %s", key, why);
        else
        if (keys_expiry (cert, NULL) < 0)
            rc = util_fail (EPROTO, err, err_size, "security.%s: %s: metadata 'expires' is "
                            "'%s', not a UTC time like 2030-01-31T00:00:00Z", key, path,
                            zcert_meta (cert, "expires"));
        zcert_destroy (&cert);
    }
    closedir (handle);
    return rc;
}

//  Whether dir holds a public certificate for key: FOUND (its "name" to
//  name, when not NULL), EXPIRED (its expiry, as text, to name) or
//  ABSENT. Files that do not load are passed over.
typedef enum { KEY_ABSENT, KEY_FOUND, KEY_EXPIRED } key_status_t;

static key_status_t
s_folder_find (const char *dir, const char *key, char *name, size_t name_size)
{
    if (!dir)
        return KEY_ABSENT;
    DIR *handle = opendir (dir);
    if (!handle)
        return KEY_ABSENT;
    key_status_t status = KEY_ABSENT;
    struct dirent *entry;
    while (status == KEY_ABSENT && (entry = readdir (handle))) {
        char path [PATH_MAX], why [PATH_MAX + 128];
        if (!s_key_file (dir, entry->d_name, path, sizeof path))
            continue;
        zcert_t *cert = keys_load_public (path, why, sizeof why);
        if (!cert)
            continue;
        if (strcmp (zcert_public_txt (cert), key) == 0) {
            time_t expires;
            int dated = keys_expiry (cert, &expires);
            //  An expiry that does not read counts as passed: fail closed.
            status = dated < 0 || (dated > 0 && time (NULL) >= expires)? KEY_EXPIRED: KEY_FOUND;
            const char *meta = zcert_meta (cert, status == KEY_FOUND? "name": "expires");
            if (name && name_size)
                snprintf (name, name_size, "%s", meta? meta: "");
        }
        zcert_destroy (&cert);
    }
    closedir (handle);
    return status;
}

//  ---------------------------------------------------------------------
//  Start-up check

int
security_check_endpoints (const config_t *cfg, char *err, size_t err_size)
{
    if (!cfg)
        return util_fail (EINVAL, err, err_size, "no configuration");
    const config_security_t *security = &cfg->security;
    const char *endpoints [] = { cfg->listen.workers, cfg->listen.clients };
    const char *folders [] = {
        security->authorized_workers, security->authorized_clients
    };
    static const char *const folder_keys [] = {
        "authorized_workers", "authorized_clients"
    };

    if (security->insecure && security->secret_key)
        return util_fail (EINVAL, err, err_size,
                          "security: 'insecure: true' and 'secret_key' contradict "
                          "each other: remove one");
    for (size_t i = 0; i < 2; i++) {
        const char *endpoint = endpoints [i];
        if (!s_endpoint_tcp (endpoint))
            continue;
        if (security->secret_key) {
            if (!folders [i])
                return util_fail (EINVAL, err, err_size,
                                  "listen.%s (%s) is a tcp endpoint: it needs "
                                  "security.%s, the folder of the keys it lets in",
                                  s_role_domains [i], endpoint, folder_keys [i]);
        }
        else
        if (!security->insecure)
            return util_fail (EINVAL, err, err_size,
                              "listen.%s (%s) is a tcp endpoint: it needs "
                              "security.secret_key (CURVE), or 'insecure: true' "
                              "on a loopback address", s_role_domains [i], endpoint);
        else
        if (!s_endpoint_loopback (endpoint))
            return util_fail (EINVAL, err, err_size,
                              "listen.%s (%s) is not a loopback address: 'insecure: "
                              "true' is allowed only on 127.0.0.0/8, [::1] or localhost",
                              s_role_domains [i], endpoint);
    }
    if (!security->secret_key)
        return 0;

    if (!zsys_has_curve ())
        return util_fail (ENOTSUP, err, err_size,
                          "security: this libzmq was built without CURVE (libsodium)");
    char why [PATH_MAX + 128];
    zcert_t *cert = keys_load_secret (security->secret_key, why, sizeof why);
    if (!cert)
        return util_fail (errno, err, err_size, "security.secret_key: %s", why);
    zcert_destroy (&cert);
    for (size_t i = 0; i < 2; i++)
        if (folders [i] && s_folder_check (folders [i], folder_keys [i], err, err_size))
            return -1;
    if (security->operators
    &&  s_folder_check (security->operators, "operators", err, err_size))
        return -1;
    return 0;
}

//  ---------------------------------------------------------------------
//  The ZAP handler (RFC 27), in its own thread

static void
s_zap_destroy (zap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zap_t *self = *self_p;
    zsock_destroy (&self->handler);
    free (self->workers);
    free (self->clients);
    free (self->operators);
    free (self);
    *self_p = NULL;
}

//  A ZMTP property list (RFC 37 metadata) with name = value, into buf.
//  Returns its size, 0 when it does not fit.
static size_t
s_property (byte *buf, size_t size, const char *name, const char *value)
{
    size_t name_length = strlen (name), value_length = strlen (value);
    if (name_length > 255 || 1 + name_length + 4 + value_length > size)
        return 0;
    byte *cursor = buf;
    *cursor++ = (byte) name_length;
    memcpy (cursor, name, name_length);
    cursor += name_length;
    *cursor++ = (byte) (value_length >> 24);
    *cursor++ = (byte) (value_length >> 16);
    *cursor++ = (byte) (value_length >> 8);
    *cursor++ = (byte) value_length;
    memcpy (cursor, value, value_length);
    return (size_t) (cursor - buf) + value_length;
}

//  Tell the owner a connection was refused, without ever waiting: when
//  it does not read, the notice is dropped (the log has it at debug).
static void
s_zap_notify (zap_t *self, const char *domain, const char *address, const char *key,
              const char *reason)
{
    if (!self->pipe)
        return;
    zmsg_t *notice = zmsg_new ();
    if (!notice)
        return;
    zmsg_addstr (notice, "REFUSED");
    zmsg_addstr (notice, domain);
    zmsg_addstr (notice, address);
    zmsg_addstr (notice, key);
    zmsg_addstr (notice, reason);
    if (zmsg_send (&notice, self->pipe))
        zmsg_destroy (&notice);
}

//  Decide one request. Fills user_id with the peer's key and name with
//  its certificate's name when let in; returns the status code.
static const char *
s_zap_decide (zap_t *self, const char *domain, const char *address,
              const char *mechanism, zframe_t *credential,
              char *user_id, char *name, size_t name_size, const char **text)
{
    const char *folder = NULL, *extra = NULL;
    if (strcmp (domain, s_role_domains [SECURITY_WORKERS]) == 0)
        folder = self->workers;
    else
    if (strcmp (domain, s_role_domains [SECURITY_CLIENTS]) == 0) {
        folder = self->clients;
        extra = self->operators;
    }
    else {
        //  Not one of ours: classic NULL connections stay as they were.
        *text = strcmp (mechanism, "NULL") == 0? "OK": "no policy for this domain";
        return strcmp (mechanism, "NULL") == 0? "200": "400";
    }
    if (strcmp (mechanism, "CURVE") != 0) {
        log_debug ("refused a %s connection to the %s endpoint from %s: "
                   "CURVE is required", mechanism, domain, address);
        s_zap_notify (self, domain, address, "", "CURVE is required");
        *text = "CURVE required";
        return "400";
    }
    if (!credential || zframe_size (credential) != 32) {
        s_zap_notify (self, domain, address, "", "malformed CURVE credential");
        *text = "malformed CURVE credential";
        return "500";
    }
    zmq_z85_encode (user_id, zframe_data (credential), 32);
    char expired [64] = "";
    key_status_t status = s_folder_find (folder, user_id, name, name_size);
    if (status != KEY_FOUND) {
        key_status_t other = s_folder_find (extra, user_id, name, name_size);
        status = other != KEY_ABSENT? other: status;
    }
    if (status == KEY_EXPIRED)
        snprintf (expired, sizeof expired, "%s", name);
    if (status == KEY_FOUND) {
        log_debug ("let in key %s (%s) on the %s endpoint from %s",
                   user_id, *name? name: "no name", domain, address);
        *text = "OK";
        return "200";
    }
    char why [PATH_MAX * 2 + 128];
    if (status == KEY_EXPIRED)
        snprintf (why, sizeof why, "key %s expired (at %s): make a new pair with "
                  "`readme2ci keys new`", user_id, *expired? expired: "a time that does not read");
    else
        snprintf (why, sizeof why, "key %s is not authorised (not in %s%s%s)", user_id,
                  folder? folder: "(no folder)", extra? " nor ": "", extra? extra: "");
    name [0] = '\0';
    log_debug ("refused a connection to the %s endpoint from %s: %s", domain, address, why);
    s_zap_notify (self, domain, address, user_id, why);
    user_id [0] = '\0';
    *text = status == KEY_EXPIRED? "key expired": "key not authorised";
    return "400";
}

//  Answer one ZAP request. A REP socket must answer every request, even
//  one it cannot read.
static void
s_zap_answer (zap_t *self)
{
    zmsg_t *request = zmsg_recv (self->handler);
    if (!request)
        return;
    zframe_t *version = zmsg_first (request);
    zframe_t *sequence = zmsg_next (request);
    zframe_t *frames [5] = { NULL };
    for (size_t i = 0; i < 5; i++)
        frames [i] = zmsg_next (request);
    char *domain = frames [0]? zframe_strdup (frames [0]): NULL;
    char *address = frames [1]? zframe_strdup (frames [1]): NULL;
    char *mechanism = frames [3]? zframe_strdup (frames [3]): NULL;

    const char *status = "500", *text = "malformed ZAP request";
    char user_id [41] = "", name [256] = "";
    if (version && zframe_streq (version, "1.0") && domain && address && mechanism)
        status = s_zap_decide (self, domain, address, mechanism, frames [4],
                               user_id, name, sizeof name, &text);
    byte metadata [512];
    size_t metadata_size = *name? s_property (metadata, sizeof metadata,
                                              SECURITY_NAME_PROPERTY, name): 0;
    zmsg_t *reply = zmsg_new ();
    if (reply) {
        zmsg_addstr (reply, "1.0");
        zmsg_addmem (reply, sequence? zframe_data (sequence): NULL,
                     sequence? zframe_size (sequence): 0);
        zmsg_addstr (reply, status);
        zmsg_addstr (reply, text);
        zmsg_addstr (reply, user_id);
        zmsg_addmem (reply, metadata, metadata_size);
        zmsg_send (&reply, self->handler);
    }
    free (domain);
    free (address);
    free (mechanism);
    zmsg_destroy (&request);
}

static void
s_zap_actor (zsock_t *pipe, void *args)
{
    zap_t *self = args;
    zpoller_t *poller = zpoller_new (pipe, self->handler, NULL);
    zsock_signal (pipe, 0);
    //  Notices never wait: past the pipe's limit (czmq's 1,000) they drop.
    //  (libzmq's call: czmq's asserts when the process is ending.)
    self->pipe = pipe;
    int never = 0;
    zmq_setsockopt (zsock_resolve (pipe), ZMQ_SNDTIMEO, &never, sizeof never);
    while (poller) {
        void *which = zpoller_wait (poller, -1);
        if (which == self->handler)
            s_zap_answer (self);
        else
        if (which == pipe) {
            zmsg_t *command = zmsg_recv (pipe);
            bool stop = !command || zframe_streq (zmsg_first (command), "$TERM");
            zmsg_destroy (&command);
            if (stop)
                break;
        }
        else
        if (zpoller_terminated (poller))
            break;
    }
    zpoller_destroy (&poller);
    s_zap_destroy (&self);
    //  czmq signals the end on this pipe: that one must not be dropped
    //  (the owner, waiting for it, reads past unread notices).
    int forever = -1;
    zmq_setsockopt (zsock_resolve (pipe), ZMQ_SNDTIMEO, &forever, sizeof forever);
}

//  ---------------------------------------------------------------------
//  The supervisor's side

void
security_server_destroy (security_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    security_server_t *self = *self_p;
    int code = errno;
    zactor_destroy (&self->zap);
    zcert_destroy (&self->cert);
    free (self->workers);
    free (self->clients);
    free (self->operators);
    free (self);
    *self_p = NULL;
    errno = code;
}

//  Bind the process's ZAP endpoint and start the handler on it.
static int
s_start_zap (security_server_t *self, char *err, size_t err_size)
{
    zap_t *zap = calloc (1, sizeof *zap);
    if (!zap
    ||  !s_dup (&zap->workers, self->workers)
    ||  !s_dup (&zap->clients, self->clients)
    ||  !s_dup (&zap->operators, self->operators)
    ||  !(zap->handler = zsock_new (ZMQ_REP))) {
        s_zap_destroy (&zap);
        return util_fail (ENOMEM, err, err_size, "security: out of memory");
    }
    //  Bound here, not in the thread, so a second handler is an error we
    //  can report; the socket then moves to the thread, which owns it.
    if (zsock_bind (zap->handler, "%s", ZAP_ENDPOINT)) {
        s_zap_destroy (&zap);
        return util_fail (EADDRINUSE, err, err_size,
                          "security: a ZAP handler already runs in this process "
                          "(czmq's zauth, or a second security server)");
    }
    self->zap = zactor_new (s_zap_actor, zap);
    if (!self->zap) {
        s_zap_destroy (&zap);
        return util_fail (ENOMEM, err, err_size, "security: cannot start the ZAP handler");
    }
    return 0;
}

security_server_t *
security_server_new (const config_t *cfg, char *err, size_t err_size)
{
    if (security_check_endpoints (cfg, err, err_size))
        return NULL;
    security_server_t *self = calloc (1, sizeof *self);
    if (!self) {
        util_fail (ENOMEM, err, err_size, "security: out of memory");
        return NULL;
    }
    const config_security_t *security = &cfg->security;
    self->curve = security->secret_key != NULL;
    if (!self->curve)
        return self;
    if (!s_dup (&self->workers, security->authorized_workers)
    ||  !s_dup (&self->clients, security->authorized_clients)
    ||  !s_dup (&self->operators, security->operators)) {
        util_fail (ENOMEM, err, err_size, "security: out of memory");
        goto out_destroy;
    }
    char why [PATH_MAX + 128];
    self->cert = keys_load_secret (security->secret_key, why, sizeof why);
    if (!self->cert) {
        util_fail (errno, err, err_size, "security.secret_key: %s", why);
        goto out_destroy;
    }
    if (s_start_zap (self, err, err_size))
        goto out_destroy;
    return self;

out_destroy:
    security_server_destroy (&self);
    return NULL;
}

bool
security_server_curve (security_server_t *self)
{
    return self && self->curve;
}

zsock_t *
security_server_notices (security_server_t *self)
{
    return self && self->zap? zactor_sock (self->zap): NULL;
}

int
security_server_refusal (security_server_t *self, security_refusal_t *refusal)
{
    zsock_t *notices = security_server_notices (self);
    if (!notices || !refusal)
        return errno = EINVAL, -1;
    memset (refusal, 0, sizeof *refusal);
    zmsg_t *notice = zsock_events (notices) & ZMQ_POLLIN? zmsg_recv (notices): NULL;
    if (!notice)
        return errno = EAGAIN, -1;
    char *kind = zmsg_popstr (notice);
    int rc = kind && strcmp (kind, "REFUSED") == 0 && zmsg_size (notice) == 4? 0: -1;
    free (kind);
    char *fields [4] = { NULL };
    for (size_t i = 0; i < 4 && rc == 0; i++)
        fields [i] = zmsg_popstr (notice);
    if (rc == 0) {
        snprintf (refusal->domain, sizeof refusal->domain, "%s", fields [0]? fields [0]: "");
        snprintf (refusal->address, sizeof refusal->address, "%s", fields [1]? fields [1]: "");
        snprintf (refusal->key, sizeof refusal->key, "%s", fields [2]? fields [2]: "");
        snprintf (refusal->reason, sizeof refusal->reason, "%s", fields [3]? fields [3]: "");
    }
    for (size_t i = 0; i < 4; i++)
        free (fields [i]);
    zmsg_destroy (&notice);
    return rc == 0? 0: (errno = EPROTO, -1);
}

//  True when sock has been bound or connected already.
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
security_server_apply (security_server_t *self, zsock_t *sock, security_role_t role)
{
    if (!self || !sock || (role != SECURITY_WORKERS && role != SECURITY_CLIENTS)) {
        log_error ("security: apply needs a server, a socket and a role");
        return errno = EINVAL, -1;
    }
    if (!self->curve)
        return 0;
    const char *domain = s_role_domains [role];
    if ((role == SECURITY_WORKERS && !self->workers)
    ||  (role == SECURITY_CLIENTS && !self->clients && !self->operators)) {
        log_error ("security: the %s endpoint has no folder of authorised keys",
                   domain);
        return errno = EINVAL, -1;
    }
    if (s_socket_used (sock)) {
        log_error ("security: CURVE must be set on the %s socket before it binds",
                   domain);
        return errno = EINVAL, -1;
    }
    void *handle = zsock_resolve (sock);
    const byte *public_key = zcert_public_key (self->cert);
    const byte *secret_key = zcert_secret_key (self->cert);
    int one = 1;
    if (zmq_setsockopt (handle, ZMQ_ZAP_DOMAIN, domain, strlen (domain))
    ||  zmq_setsockopt (handle, ZMQ_CURVE_SERVER, &one, sizeof one)
    ||  zmq_setsockopt (handle, ZMQ_CURVE_PUBLICKEY, public_key, 32)
    ||  zmq_setsockopt (handle, ZMQ_CURVE_SECRETKEY, secret_key, 32)) {
        int code = zmq_errno ();
        log_error ("security: cannot make the %s socket a CURVE server: %s",
                   domain, zmq_strerror (code));
        return errno = code, -1;
    }
    //  Fail closed if the handler is gone; older libzmq lack the option.
    if (zmq_setsockopt (handle, SECURITY_ZAP_ENFORCE_DOMAIN, &one, sizeof one))
        log_debug ("security: this libzmq cannot enforce the ZAP domain");
    return 0;
}

bool
security_is_operator (security_server_t *self, const char *client_public_key_z85)
{
    if (!self || !self->operators || !keys_z85_valid (client_public_key_z85))
        return false;
    return s_folder_find (self->operators, client_public_key_z85, NULL, 0) == KEY_FOUND;
}

bool
security_still_authorised (security_server_t *self, security_role_t role, const char *key,
                           char *why, size_t why_size)
{
    if (!self || !self->curve || !key || !*key)
        return true;
    const char *folder = role == SECURITY_WORKERS? self->workers: self->clients;
    const char *extra = role == SECURITY_CLIENTS? self->operators: NULL;
    char expired [256] = "";
    key_status_t status = s_folder_find (folder, key, expired, sizeof expired);
    if (status != KEY_FOUND) {
        key_status_t other = s_folder_find (extra, key, expired, sizeof expired);
        status = other != KEY_ABSENT? other: status;
    }
    if (status == KEY_FOUND)
        return true;
    if (why && why_size) {
        if (status == KEY_EXPIRED)
            snprintf (why, why_size, "its key %s expired (at %s)", key, expired);
        else
            snprintf (why, why_size, "its key %s is no longer authorised (not in %s)", key,
                      folder? folder: "(no folder)");
    }
    return false;
}

const char *
security_frame_key (zframe_t *frame)
{
    if (!frame)
        return NULL;
    const char *key = zframe_meta (frame, "User-Id");
    return key && *key? key: NULL;
}

bool
security_may_operate (security_server_t *self, zframe_t *frame, const char *operation)
{
    const char *what = operation? operation: "an operation";
    if (!self || !self->curve) {
        log_warn ("refused %s from a tcp client: component operations over tcp "
                  "need CURVE; use the local ipc endpoint", what);
        return false;
    }
    const char *key = security_frame_key (frame);
    if (!key) {
        log_warn ("refused %s from a client without a CURVE key", what);
        return false;
    }
    if (security_is_operator (self, key))
        return true;
    const char *name = frame? zframe_meta (frame, SECURITY_NAME_PROPERTY): NULL;
    log_warn ("refused %s from client %s (key %s): not an operator (not in %s)",
              what, name && *name? name: "with no name", key,
              self->operators? self->operators: "security.operators, which is not set");
    return false;
}

