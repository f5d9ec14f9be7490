/*  Tests for proto/project: the docs and project codecs and list helpers.  */
#include "proto/mp.h"
#include "proto/project.h"

#include "tests/support/codec_check.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
s_docs_decode (void *self, const uint8_t *buf, size_t size)
{
    return project_docs_decode (self, buf, size);
}

static int
s_project_decode (void *self, const uint8_t *buf, size_t size)
{
    return project_decode (self, buf, size);
}

static void
s_fill_project (project_t *project)
{
    project->name = strdup ("widget");
    cr_assert_eq (project_add_file (project, "README.md"), 0);
    cr_assert_eq (project_add_file (project, "src/"), 0);
    cr_assert_eq (project_add_file (project, "package.json"), 0);
    const char pkg [] = "{\"name\": \"widget\"}";
    cr_assert_eq (project_add_manifest (project, "package.json", pkg, strlen (pkg)), 0);
    //  Contents are bytes: a NUL inside must survive.
    const char bin [] = { 'a', 0, 'b' };
    cr_assert_eq (project_add_manifest (project, "blob", bin, sizeof bin), 0);
}

Test (project, docs_round_trip)
{
    project_docs_t docs = { 0 };
    const char readme [] = "# Widget\n\nRun `make test`.\n";
    cr_assert_eq (project_docs_add (&docs, "README.md", readme, strlen (readme)), 0);
    cr_assert_eq (project_docs_add (&docs, "CONTRIBUTING.md", "", 0), 0);
    uint8_t *buf; size_t size;
    cr_assert_eq (project_docs_encode (&docs, &buf, &size), 0);
    project_docs_t back;
    cr_assert_eq (project_docs_decode (&back, buf, size), 0);
    cr_assert_eq (back.docs_count, 2);
    cr_assert_str_eq (back.docs [0].name, "README.md");
    cr_assert_eq (back.docs [0].size, strlen (readme));
    cr_assert_str_eq (back.docs [0].data, readme);
    cr_assert_str_eq (back.docs [1].name, "CONTRIBUTING.md");
    cr_assert_eq (back.docs [1].size, 0);
    cr_assert_str_eq (back.docs [1].data, "");
    project_docs_release (&back);
    cr_assert_null (back.docs);
    cr_assert_eq (tu_check_wrong_types (buf, size, s_docs_decode, &back), 5);
    cr_assert_eq (back.docs_count, 0);
    free (buf);
    project_docs_release (&docs);
    project_docs_release (&docs);       //  twice is harmless
}

Test (project, project_round_trip_and_lookups)
{
    project_t project = { 0 };
    s_fill_project (&project);
    uint8_t *buf; size_t size;
    cr_assert_eq (project_encode (&project, &buf, &size), 0);
    project_t back;
    cr_assert_eq (project_decode (&back, buf, size), 0);
    cr_assert_str_eq (back.name, "widget");
    cr_assert_eq (back.files_count, 3);
    cr_assert_str_eq (back.files [1], "src/");
    cr_assert_eq (back.manifests_count, 2);
    const project_file_t *blob = project_manifest (&back, "blob");
    cr_assert_not_null (blob);
    cr_assert_eq (blob->size, 3);
    cr_assert_eq (memcmp (blob->data, "a\0b", 3), 0);
    cr_assert_eq (blob->data [3], 0);
    cr_assert_str_eq (project_manifest (&back, "package.json")->data, "{\"name\": \"widget\"}");
    cr_assert_null (project_manifest (&back, "Cargo.toml"));
    cr_assert (project_has_file (&back, "src/"));
    cr_assert_not (project_has_file (&back, "src"));
    cr_assert_not (project_has_file (&back, "Makefile"));
    project_release (&back);
    //  name, 3 files are array items (not fields), mf: 2 x (n, d) + the
    //  top-level keys name, files, mf.
    cr_assert_eq (tu_check_wrong_types (buf, size, s_project_decode, &back), 7);
    free (buf);
    project_release (&project);
    cr_assert_null (project.name);
    cr_assert_eq (project.files_count, 0);
}

Test (project, every_prefix_and_trailing_bytes_fail)
{
    project_t project = { 0 };
    s_fill_project (&project);
    uint8_t *buf; size_t size;
    cr_assert_eq (project_encode (&project, &buf, &size), 0);
    project_t back;
    for (size_t cut = 0; cut < size; cut++) {
        errno = 0;
        cr_assert_eq (project_decode (&back, buf, cut), -1, "prefix %zu accepted", cut);
        cr_assert_eq (errno, EPROTO);
        cr_assert_null (back.name);
        cr_assert_eq (back.files_count, 0);
    }
    uint8_t *longer = malloc (size + 1);
    memcpy (longer, buf, size);
    longer [size] = 0xc0;
    cr_assert_eq (project_decode (&back, longer, size + 1), -1);
    free (longer);
    free (buf);

    project_docs_t docs = { 0 };
    cr_assert_eq (project_docs_add (&docs, "README", "hello", 5), 0);
    cr_assert_eq (project_docs_encode (&docs, &buf, &size), 0);
    project_docs_t dback;
    for (size_t cut = 0; cut < size; cut++) {
        cr_assert_eq (project_docs_decode (&dback, buf, cut), -1);
        cr_assert_eq (dback.docs_count, 0);
    }
    free (buf);
    project_docs_release (&docs);
    project_release (&project);
}

Test (project, zero_values_round_trip)
{
    project_t project = { 0 };
    uint8_t *buf; size_t size;
    cr_assert_eq (project_encode (&project, &buf, &size), 0);
    project_t back;
    cr_assert_eq (project_decode (&back, buf, size), 0);
    cr_assert_str_eq (back.name, "");
    cr_assert_eq (back.files_count, 0);
    cr_assert_eq (back.manifests_count, 0);
    uint8_t *again; size_t again_size;
    cr_assert_eq (project_encode (&back, &again, &again_size), 0);
    cr_assert_eq (again_size, size);
    cr_assert_eq (memcmp (again, buf, size), 0);
    free (again);
    free (buf);
    project_release (&back);

    project_docs_t docs = { 0 };
    cr_assert_eq (project_docs_encode (&docs, &buf, &size), 0);
    project_docs_t dback;
    cr_assert_eq (project_docs_decode (&dback, buf, size), 0);
    cr_assert_eq (dback.docs_count, 0);
    free (buf);
}

//  Hand-written frames with the right shape but bad contents.
static int
s_decode_handmade (void (*build) (mp_writer_t *))
{
    mp_writer_t w;
    mp_writer_init (&w);
    build (&w);
    uint8_t *buf; size_t size;
    cr_assert_eq (mp_writer_finish (&w, &buf, &size), 0);
    project_docs_t docs;
    int rc = project_docs_decode (&docs, buf, size);
    int saved = errno;
    cr_assert_eq (docs.docs_count, 0);
    free (buf);
    errno = saved;
    return rc;
}

static void
s_build_extra_key (mp_writer_t *w)
{
    mp_put_map (w, 2);
    mp_put_str (w, "docs"); mp_put_array (w, 0);
    mp_put_str (w, "zz"); mp_put_nil (w);
}

static void
s_build_too_many_docs (mp_writer_t *w)
{
    mp_put_map (w, 1);
    mp_put_str (w, "docs");
    mp_put_array (w, 65);
    for (int i = 0; i < 65; i++) {
        mp_put_map (w, 2);
        mp_put_str (w, "n"); mp_put_str (w, "x");
        mp_put_str (w, "d"); mp_put_bin (w, "", 0);
    }
}

static void
s_build_empty_name (mp_writer_t *w)
{
    mp_put_map (w, 1);
    mp_put_str (w, "docs");
    mp_put_array (w, 1);
    mp_put_map (w, 2);
    mp_put_str (w, "n"); mp_put_str (w, "");
    mp_put_str (w, "d"); mp_put_bin (w, "", 0);
}

static void
s_build_nul_in_name (mp_writer_t *w)
{
    mp_put_map (w, 1);
    mp_put_str (w, "docs");
    mp_put_array (w, 1);
    mp_put_map (w, 2);
    mp_put_str (w, "n"); mp_put_strn (w, "a\0b", 3);
    mp_put_str (w, "d"); mp_put_bin (w, "", 0);
}

//  Contents are bin, never str (PROTOCOL.md, section 6).
static void
s_build_str_contents (mp_writer_t *w)
{
    mp_put_map (w, 1);
    mp_put_str (w, "docs");
    mp_put_array (w, 1);
    mp_put_map (w, 2);
    mp_put_str (w, "n"); mp_put_str (w, "README.md");
    mp_put_str (w, "d"); mp_put_str (w, "# demo\n");
}

static void
s_build_duplicate_key (mp_writer_t *w)
{
    mp_put_map (w, 1);
    mp_put_str (w, "docs");
    mp_put_array (w, 1);
    mp_put_map (w, 3);
    mp_put_str (w, "n"); mp_put_str (w, "a");
    mp_put_str (w, "d"); mp_put_str (w, "x");
    mp_put_str (w, "n"); mp_put_str (w, "b");
}

Test (project, refuses_bad_shapes)
{
    //  An unknown key is ignored (PROTOCOL.md, section 6); a key twice is not.
    cr_assert_eq (s_decode_handmade (s_build_extra_key), 0);
    cr_assert_eq (s_decode_handmade (s_build_too_many_docs), -1);
    cr_assert_eq (errno, EPROTO);
    cr_assert_eq (s_decode_handmade (s_build_empty_name), -1);
    cr_assert_eq (s_decode_handmade (s_build_nul_in_name), -1);
    cr_assert_eq (s_decode_handmade (s_build_str_contents), -1);
    cr_assert_eq (errno, EPROTO);
    cr_assert_eq (s_decode_handmade (s_build_duplicate_key), -1);
    project_docs_t docs;
    cr_assert_eq (project_docs_decode (&docs, NULL, 0), -1);
    cr_assert_eq (errno, EPROTO);
    const uint8_t junk [] = { 0x93, 0x01, 0x02, 0x03 };
    cr_assert_eq (project_docs_decode (&docs, junk, sizeof junk), -1);
    project_t project;
    cr_assert_eq (project_decode (&project, junk, sizeof junk), -1);
    cr_assert_null (project.name);
}

//  The bytes on the wire, pinned: how the codec is written may change,
//  what it sends may not.
Test (project, encoded_bytes_are_pinned)
{
    project_docs_t docs = { 0 };
    cr_assert_eq (project_docs_add (&docs, "README.md", "# demo\n", 7), 0);
    cr_assert_eq (project_docs_add (&docs, "docs/a\tb.md", "x\0y", 3), 0);
    uint8_t *buf;
    size_t size;
    cr_assert_eq (project_docs_encode (&docs, &buf, &size), 0);
    tu_assert_bytes ("docs", buf, size, "81a4646f63739282a16ea9524541444d452e6d64a164c40723206465"
                     "6d6f0a82a16eab646f63732f6109622e6d64a164c403780079");
    free (buf);
    project_docs_release (&docs);
    project_docs_t none = { 0 };
    cr_assert_eq (project_docs_encode (&none, &buf, &size), 0);
    tu_assert_bytes ("no docs", buf, size, "81a4646f637390");
    free (buf);

    project_t project = { .name = "demo" };
    char *files [] = { "pyproject.toml", "src/" };
    project_file_t manifests [] = {
        { "pyproject.toml", "[project]\nname = \"demo\"\n", 24 },
        { "empty", NULL, 0 },
    };
    project.files = files;
    project.files_count = 2;
    project.manifests = manifests;
    project.manifests_count = 2;
    cr_assert_eq (project_encode (&project, &buf, &size), 0);
    tu_assert_bytes ("project", buf, size, "83a46e616d65a464656d6fa566696c657392ae707970726f6a656374"
                     "2e746f6d6ca47372632fa26d669282a16eae707970726f6a6563742e"
                     "746f6d6ca164c4185b70726f6a6563745d0a6e616d65203d20226465"
                     "6d6f220a82a16ea5656d707479a164c400");
    free (buf);
    project_t bare = { 0 };
    cr_assert_eq (project_encode (&bare, &buf, &size), 0);
    tu_assert_bytes ("bare project", buf, size, "83a46e616d65a0a566696c657390a26d6690");
    free (buf);
}
