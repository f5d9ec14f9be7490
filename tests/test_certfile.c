/*  Tests for common/certfile: czmq's ZPL certificate text read without
    czmq, the checks on public and secret files, and CURVE keys set on a
    bare libzmq socket, as a worker process does it.  */
#include "common/certfile.h"
#include "shared/keys.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

//  A certificate text with these keys (secret NULL: a public file).
static char *
s_cert_text (const char *name, const char *public_key, const char *secret_key)
{
    char *text = malloc (1024);
    cr_assert (text);
    snprintf (text, 1024,
              "#   a hand-written certificate, as a user might keep one\n"
              "\n"
              "metadata\n"
              "    name = \"%s\"    # who holds it\n"
              "    site = lab-2\n"
              "    # comments may sit in a section\n"
              "curve\n"
              "    public-key = \"%s\"\n"
              "%s%s%s",
              name, public_key, secret_key? "    secret-key = '": "",
              secret_key? secret_key: "", secret_key? "'\n": "");
    return text;
}

typedef struct {
    char *dir;
    char public_key [41];
    char secret_key [41];
    char path [PATH_MAX];
} fixture_t;

static const char *
s_path_of (fixture_t *self, const char *name)
{
    snprintf (self->path, sizeof self->path, "%s/%s", self->dir, name);
    return self->path;
}

static void
s_fixture (fixture_t *self)
{
    memset (self, 0, sizeof *self);
    self->dir = tu_tmpdir ();
    cr_assert (self->dir);
    cr_assert_eq (zmq_curve_keypair (self->public_key, self->secret_key), 0);
    char *text = s_cert_text ("alpha", self->public_key, NULL);
    tu_write (self->dir, "alpha", text);
    free (text);
    text = s_cert_text ("alpha", self->public_key, self->secret_key);
    tu_write (self->dir, "alpha_secret", text);
    free (text);
    cr_assert_eq (chmod (s_path_of (self, "alpha_secret"), 0600), 0);
}

static void
s_fixture_release (fixture_t *self)
{
    tu_rmtree (self->dir);
    free (self->dir);
}

Test (certfile, zpl_paths_sections_and_values)
{
    const char *text =
        "# top comment\n"
        "curve\n"
        "    public-key = \"abc # not a comment\"   # a comment\n"
        "    bare = some value   # trailing\n"
        "    empty\n"
        "    nested\n"
        "        deep = 'x'\n"
        "other\n"
        "    public-key = second\n"
        "curve\n"
        "    public-key = shadowed\n";
    char value [64];
    cr_assert_eq (certfile_zpl_get (text, "/curve/public-key", value, sizeof value), 1);
    cr_assert_str_eq (value, "abc # not a comment");
    cr_assert_eq (certfile_zpl_get (text, "curve/bare", value, sizeof value), 1);
    cr_assert_str_eq (value, "some value");
    cr_assert_eq (certfile_zpl_get (text, "/curve/empty", value, sizeof value), 1);
    cr_assert_str_eq (value, "");
    cr_assert_eq (certfile_zpl_get (text, "/curve", value, sizeof value), 1);
    cr_assert_str_eq (value, "");
    cr_assert_eq (certfile_zpl_get (text, "/curve/nested/deep", value, sizeof value), 1);
    cr_assert_str_eq (value, "x");
    cr_assert_eq (certfile_zpl_get (text, "/other/public-key", value, sizeof value), 1);
    cr_assert_str_eq (value, "second");
    //  A name is found among its own parent's children only.
    cr_assert_eq (certfile_zpl_get (text, "/curve/deep", value, sizeof value), 0);
    cr_assert_eq (certfile_zpl_get (text, "/nested", value, sizeof value), 0);
    cr_assert_eq (certfile_zpl_get (text, "/curve/secret-key", value, sizeof value), 0);
    cr_assert_eq (certfile_zpl_get ("", "/curve", value, sizeof value), 0);
}

Test (certfile, zpl_refuses_what_czmq_refuses)
{
    const char *bad [] = {
        "curve\n  public-key = x\n",            //  indent not a multiple of 4
        "curve\n        public-key = x\n",      //  two levels deeper at once
        "    curve\n",                          //  deeper than the root allows
        "curve\n    public-key = \"x\" junk\n", //  text after a quoted value
        "curve\n    public-key = \"x\n",        //  unclosed quote
        "/curve\n",                             //  '/' at a name's start
        "curve/\n",                             //  ... or its end
        "curve junk\n",                         //  no '=' but more text
        "curve\n    !key = x\n",                //  not a name character
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        errno = 0;
        cr_assert_eq (certfile_zpl_get (bad [i], "/curve", NULL, 0), -1, "%s", bad [i]);
        cr_assert_eq (errno, EPROTO);
    }
    //  Blank lines, comments at any level and CRLF line ends are fine.
    cr_assert_eq (certfile_zpl_get ("\r\n# c\ncurve\r\n    # c\n\n    k = v\r\n",
                                    "/curve/k", NULL, 0), 1);
}

Test (certfile, loads_public_and_secret_files)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";
    uint8_t expected [32];
    cr_assert (zmq_z85_decode (expected, f.public_key));

    certfile_t cert = { 0 };
    cr_assert_eq (certfile_load (&cert, s_path_of (&f, "alpha"), false, err, sizeof err), 0,
                  "%s", err);
    cr_assert_arr_eq (cert.public_key, expected, 32);
    cr_assert_not (cert.has_secret);
    cr_assert_eq (cert.meta_count, 2);
    cr_assert_str_eq (cert.meta [0].name, "name");
    cr_assert_str_eq (cert.meta [0].value, "alpha");
    cr_assert_str_eq (cert.meta [1].name, "site");
    cr_assert_str_eq (cert.meta [1].value, "lab-2");
    certfile_release (&cert);
    cr_assert_null (cert.meta);

    cr_assert_eq (certfile_load (&cert, s_path_of (&f, "alpha_secret"), true, err, sizeof err),
                  0, "%s", err);
    cr_assert (cert.has_secret);
    cr_assert_arr_eq (cert.public_key, expected, 32);
    uint8_t secret [32];
    cr_assert (zmq_z85_decode (secret, f.secret_key));
    cr_assert_arr_eq (cert.secret_key, secret, 32);
    certfile_release (&cert);
    uint8_t zero [32] = { 0 };
    cr_assert_arr_eq (cert.secret_key, zero, 32);
    s_fixture_release (&f);
}

Test (certfile, reads_what_keys_new_writes)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";
    cr_assert_eq (keys_new (f.dir, "beta", err, sizeof err), 0, "%s", err);
    certfile_t public = { 0 }, secret = { 0 };
    cr_assert_eq (certfile_load (&public, s_path_of (&f, "beta"), false, err, sizeof err), 0,
                  "%s", err);
    cr_assert_eq (certfile_load (&secret, s_path_of (&f, "beta_secret"), true, err,
                                 sizeof err), 0, "%s", err);
    cr_assert_arr_eq (public.public_key, secret.public_key, 32);
    bool named = false;
    for (size_t i = 0; i < secret.meta_count; i++)
        named = named || (strcmp (secret.meta [i].name, "name") == 0
                          && strcmp (secret.meta [i].value, "beta") == 0);
    cr_assert (named);
    certfile_release (&public);
    certfile_release (&secret);
    s_fixture_release (&f);
}

//  certfile_load must fail with code and a message holding needle.
static void
s_refused (fixture_t *f, const char *name, bool secret, int code, const char *needle)
{
    char err [512] = "";
    certfile_t cert = { 0 };
    errno = 0;
    cr_assert_eq (certfile_load (&cert, name? s_path_of (f, name): NULL, secret, err,
                                 sizeof err), -1, "%s", name);
    cr_assert_eq (errno, code, "%s: errno %d", name, errno);
    cr_assert (strstr (err, needle), "%s: %s", name, err);
    cr_assert_eq (cert.meta_count, 0);
    cr_assert_null (cert.meta);
}

Test (certfile, refuses_the_wrong_files_with_a_reason)
{
    fixture_t f;
    s_fixture (&f);
    char other_public [41], other_secret [41];
    cr_assert_eq (zmq_curve_keypair (other_public, other_secret), 0);
    char *text = s_cert_text ("mixed", other_public, f.secret_key);
    tu_write (f.dir, "mixed_secret", text);
    free (text);
    chmod (s_path_of (&f, "mixed_secret"), 0600);
    tu_write (f.dir, "notzpl", "curve\n  public-key = \"x\"\n");
    tu_write (f.dir, "short", "curve\n    public-key = \"abc\"\n");
    tu_write (f.dir, "readme", "# A project\n\nNothing to see.\n");
    cr_assert_eq (mkdir (s_path_of (&f, "folder"), 0700), 0);

    s_refused (&f, NULL, false, EINVAL, "no public certificate file given");
    s_refused (&f, NULL, true, EINVAL, "no secret certificate file given");
    s_refused (&f, "missing", false, ENOENT, "no such file");
    s_refused (&f, "folder", false, EISDIR, "is a folder");
    s_refused (&f, "readme", false, EPROTO, "not a CURVE certificate");
    s_refused (&f, "notzpl", false, EPROTO, "not ZPL text");
    s_refused (&f, "short", false, EPROTO, "not a 40-character Z85 key");
    s_refused (&f, "alpha", true, EPROTO, "the NAME_secret file");
    s_refused (&f, "alpha_secret", false, EPROTO, "give the file without _secret");
    s_refused (&f, "mixed_secret", true, EPROTO, "do not belong together");
    cr_assert_eq (chmod (s_path_of (&f, "alpha_secret"), 0640), 0);
    s_refused (&f, "alpha_secret", true, EACCES, "chmod 600");
    s_fixture_release (&f);
}

Test (certfile, applies_keys_to_a_bare_libzmq_socket)
{
    fixture_t f;
    s_fixture (&f);
    char err [512] = "";
    char server [PATH_MAX], own [PATH_MAX];
    snprintf (server, sizeof server, "%s/alpha", f.dir);
    snprintf (own, sizeof own, "%s/alpha_secret", f.dir);
    void *ctx = zmq_ctx_new ();
    void *sock = zmq_socket (ctx, ZMQ_DEALER);
    cr_assert (sock);
    cr_assert_eq (certfile_apply_client (sock, server, own, err, sizeof err), 0, "%s", err);
    char key [41];
    size_t size = sizeof key;
    cr_assert_eq (zmq_getsockopt (sock, ZMQ_CURVE_SERVERKEY, key, &size), 0);
    cr_assert_str_eq (key, f.public_key);
    //  Keys go on before connect, or not at all.
    cr_assert_eq (zmq_connect (sock, "tcp://127.0.0.1:9"), 0);
    errno = 0;
    cr_assert_eq (certfile_apply_client (sock, server, own, err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert (strstr (err, "before it connects"), "%s", err);
    errno = 0;
    cr_assert_eq (certfile_apply_client (NULL, server, own, err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    int linger = 0;
    zmq_setsockopt (sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (sock);
    zmq_ctx_term (ctx);
    s_fixture_release (&f);
}
