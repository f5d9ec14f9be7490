/*  tests/fuzz/fuzz_report.c - libFuzzer target for proto/report: the
    decoder, and the canonical form of what it accepts.  */
#include "proto/report.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    report_t first, second;
    if (report_decode (&first, data, size))
        return 0;
    //  encode (decode (x)) is a fixed point of decode -> encode.
    uint8_t *buf, *again;
    size_t buf_size, again_size;
    S_ENSURE (report_encode (&first, &buf, &buf_size) == 0);
    S_ENSURE (report_decode (&second, buf, buf_size) == 0);
    S_ENSURE (report_encode (&second, &again, &again_size) == 0);
    S_ENSURE (buf_size == again_size && memcmp (buf, again, buf_size) == 0);
    report_release (&first);
    report_release (&second);
    free (buf);
    free (again);
    return 0;
}
