/*  tests/fuzz/fuzz_event.c - libFuzzer target for common/event: the
    decoder, the getters over what it accepts, and its canonical form.  */
#include "common/event.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    event_t first = { 0 }, second = { 0 };
    if (event_decode (&first, data, size))
        return 0;
    S_ENSURE (first.type && *first.type);
    for (size_t i = 0; i < first.count; i++) {
        const event_field_t *field = &first.fields [i];
        //  Keys are unique, so each lookup finds its own field.
        S_ENSURE (event_field (&first, field->key) == field);
        if (field->kind == EVENT_STR || field->kind == EVENT_BYTES)
            S_ENSURE (field->data && field->data [field->size] == 0);
        if (field->kind == EVENT_STR)
            S_ENSURE (strlen (field->data) == field->size);
    }
    char when [EVENT_TIME_SIZE];
    event_time_rfc3339 (first.time, when, sizeof when);
    //  encode (decode (x)) is a fixed point of decode -> encode.
    uint8_t *buf, *again;
    size_t buf_size, again_size;
    S_ENSURE (event_encode (&first, &buf, &buf_size) == 0);
    S_ENSURE (event_decode (&second, buf, buf_size) == 0);
    S_ENSURE (event_encode (&second, &again, &again_size) == 0);
    S_ENSURE (buf_size == again_size && memcmp (buf, again, buf_size) == 0);
    S_ENSURE (second.seq == first.seq && second.time == first.time);
    event_release (&first);
    event_release (&second);
    free (buf);
    free (again);
    return 0;
}
