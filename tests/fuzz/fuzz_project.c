/*  tests/fuzz/fuzz_project.c - libFuzzer target for proto/project: the
    docs and project decoders, and the canonical form of what they accept.  */
#include "proto/project.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

//  Whatever decodes must encode, decode again, and encode to the same
//  bytes: the encoding of a decoded value is canonical.
#define S_CHECK(name, type_t)                                               \
    static void                                                             \
    s_check_##name (const uint8_t *data, size_t size)                       \
    {                                                                       \
        type_t first, second;                                               \
        if (name##_decode (&first, data, size))                             \
            return;                                                         \
        uint8_t *buf, *again;                                               \
        size_t buf_size, again_size;                                        \
        S_ENSURE (name##_encode (&first, &buf, &buf_size) == 0);            \
        S_ENSURE (name##_decode (&second, buf, buf_size) == 0);             \
        S_ENSURE (name##_encode (&second, &again, &again_size) == 0);       \
        S_ENSURE (buf_size == again_size);                                  \
        S_ENSURE (memcmp (buf, again, buf_size) == 0);                      \
        name##_release (&first);                                            \
        name##_release (&second);                                           \
        free (buf);                                                         \
        free (again);                                                       \
    }
S_CHECK (project, project_t)
S_CHECK (project_docs, project_docs_t)

//  The lookups agree with what decoded: every manifest and file is found.
static void
s_check_lookups (const uint8_t *data, size_t size)
{
    project_t project;
    if (project_decode (&project, data, size))
        return;
    for (size_t i = 0; i < project.manifests_count; i++) {
        const project_file_t *file = &project.manifests [i];
        S_ENSURE (file->data [file->size] == 0);
        S_ENSURE (project_manifest (&project, file->name) != NULL);
    }
    for (size_t i = 0; i < project.files_count; i++)
        S_ENSURE (project_has_file (&project, project.files [i]));
    project_release (&project);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_check_project (data, size);
    s_check_project_docs (data, size);
    s_check_lookups (data, size);
    return 0;
}
