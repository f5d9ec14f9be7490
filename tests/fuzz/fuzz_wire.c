/*  tests/fuzz/fuzz_wire.c - libFuzzer target for proto/wire: every
    message type's decoder (every type wire.h counts, through the generic
    calls, so a new type is fuzzed as soon as it exists) runs over the
    input; whatever decodes must re-encode and decode equal.  */
#include "proto/schema.h"
#include "proto/wire.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

//  True when a struct of fields holds no pointer, so two equal values are
//  equal bytes (the decoders zero the whole struct before filling it, so
//  padding is zero too).
static bool
s_plain (const schema_field_t *fields)
{
    for (const schema_field_t *field = fields; field->kind != SCHEMA_KIND_END; field++)
        switch (field->kind) {
            case SCHEMA_KIND_STR: case SCHEMA_KIND_UINT: case SCHEMA_KIND_INT:
            case SCHEMA_KIND_BOOL: case SCHEMA_KIND_NAME:
                break;
            case SCHEMA_KIND_MAP:
                if (!s_plain (field->children))
                    return false;
                break;
            default:
                return false;
        }
    return true;
}

//  Every string array of a decoded struct holds its count of strings,
//  within its bound, and NULL after them.
static void
s_check_arrays (const schema_field_t *fields, const void *self)
{
    for (const schema_field_t *field = fields; field->kind != SCHEMA_KIND_END; field++) {
        if (field->kind != SCHEMA_KIND_STRV)
            continue;
        const char *const *items = (const void *) ((const char *) self + field->offset);
        size_t count;
        memcpy (&count, (const char *) self + field->count_offset, sizeof count);
        S_ENSURE (count <= field->items);
        for (size_t i = 0; i < field->items; i++)
            S_ENSURE (!items [i] == (i >= count));
    }
}

//  Decodes data as type and, when that succeeds, checks wire_type agrees,
//  that encode -> decode gives the same value and encode again the same
//  bytes.
static void
s_check (wire_type_t type, const uint8_t *data, size_t size)
{
    size_t struct_size = wire_size (type);
    const schema_field_t *fields = wire_fields (type);
    void *first = struct_size? malloc (struct_size): NULL;
    void *second = struct_size? malloc (struct_size): NULL;
    S_ENSURE (!struct_size || (first && second && fields));
    if (wire_decode (type, first, data, size) == 0) {
        S_ENSURE (wire_type (data, size) == type);
        uint8_t *buf, *again;
        size_t buf_size, again_size;
        S_ENSURE (wire_encode (type, first, &buf, &buf_size) == 0);
        S_ENSURE (wire_decode (type, second, buf, buf_size) == 0);
        S_ENSURE (wire_encode (type, second, &again, &again_size) == 0);
        S_ENSURE (again_size == buf_size && memcmp (again, buf, buf_size) == 0);
        if (struct_size) {
            s_check_arrays (fields, first);
            s_check_arrays (fields, second);
            S_ENSURE (!s_plain (fields) || memcmp (first, second, struct_size) == 0);
        }
        wire_release (type, first);
        wire_release (type, second);
        free (buf);
        free (again);
    }
    free (first);
    free (second);
}

//  The input as a priority string: what parses is in range.
static void
s_check_priority (const uint8_t *data, size_t size)
{
    if (size > 64)
        return;
    char text [65];
    memcpy (text, data, size);
    text [size] = 0;
    int32_t priority;
    if (wire_priority_parse (text, &priority) == 0) {
        S_ENSURE (priority >= 0 && priority <= 1000);
        S_ENSURE (wire_priority_level (priority) != NULL);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    wire_type_t type = wire_type (data, size);
    S_ENSURE (type >= WIRE_UNKNOWN && type < WIRE_TYPE_COUNT);
    S_ENSURE (wire_type_name (type) != NULL);
    for (int each = WIRE_UNKNOWN + 1; each < WIRE_TYPE_COUNT; each++)
        s_check ((wire_type_t) each, data, size);
    s_check_priority (data, size);
    return 0;
}
