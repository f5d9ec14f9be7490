/*  tests/fuzz/fuzz_parser_step.c - libFuzzer target for the parse step:
    the input is the docs frame as a worker receives it; the step must
    fail cleanly or answer with a readme_doc the detector can decode.  */
#include "workers/parser/parser.h"
#include "tests/fuzz/shipped_kb.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const step_frame_t frame = { .data = data, .size = size };
    const step_options_t options = { .target = "github" };
    step_result_t res;
    if (parser_step (s_knowledge (), &frame, 1, &options, &res)) {
        S_ENSURE (res.data == NULL);
        S_ENSURE (res.error [0] != 0);
        S_ENSURE (memchr (res.error, '\n', strlen (res.error)) == NULL);
        return 0;
    }
    readme_doc_t doc;
    S_ENSURE (readme_doc_decode (&doc, res.data, res.size) == 0);
    readme_doc_release (&doc);
    free (res.data);
    return 0;
}
