/*  tests/fuzz/fuzz_readme_doc.c - libFuzzer target for proto/readme_doc:
    the decoder, and the canonical form of what it accepts.  */
#include "proto/readme_doc.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    readme_doc_t first, second;
    if (readme_doc_decode (&first, data, size))
        return 0;
    for (size_t i = 0; i < first.commands_count; i++) {
        cmd_kind_t kind = first.commands [i].kind;
        S_ENSURE (cmd_kind_from_name (cmd_kind_name (kind)) == kind);
    }
    //  encode (decode (x)) is a fixed point of decode -> encode.
    uint8_t *buf, *again;
    size_t buf_size, again_size;
    S_ENSURE (readme_doc_encode (&first, &buf, &buf_size) == 0);
    S_ENSURE (readme_doc_decode (&second, buf, buf_size) == 0);
    S_ENSURE (readme_doc_encode (&second, &again, &again_size) == 0);
    S_ENSURE (buf_size == again_size && memcmp (buf, again, buf_size) == 0);
    readme_doc_release (&first);
    readme_doc_release (&second);
    free (buf);
    free (again);
    return 0;
}
