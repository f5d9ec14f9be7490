/*  tests/fuzz/fuzz_wire.c - libFuzzer target for proto/wire: every decoder
    runs over the input; whatever decodes must re-encode and decode equal.  */
#include "proto/wire.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

//  Each s_check_* decodes data as its message and, when that succeeds,
//  checks wire_type agrees and that encode -> decode gives the same value.
//  The decoders zero the whole struct before filling it, so padding is
//  zero and memcmp compares the values.
#define S_CHECK_PLAIN(name, type_t, type)                                   \
    static void                                                             \
    s_check_##name (const uint8_t *data, size_t size)                       \
    {                                                                       \
        type_t first, second;                                               \
        if (wire_##name##_decode (&first, data, size))                      \
            return;                                                         \
        S_ENSURE (wire_type (data, size) == type);                          \
        uint8_t *buf;                                                       \
        size_t buf_size;                                                    \
        S_ENSURE (wire_##name##_encode (&first, &buf, &buf_size) == 0);     \
        S_ENSURE (wire_##name##_decode (&second, buf, buf_size) == 0);      \
        S_ENSURE (memcmp (&first, &second, sizeof first) == 0);             \
        free (buf);                                                         \
    }
S_CHECK_PLAIN (ready, wire_ready_t, WIRE_READY)
S_CHECK_PLAIN (job, wire_job_t, WIRE_JOB)
S_CHECK_PLAIN (result, wire_result_t, WIRE_RESULT)
S_CHECK_PLAIN (bye, wire_bye_t, WIRE_BYE)
S_CHECK_PLAIN (submit, wire_submit_t, WIRE_SUBMIT)
S_CHECK_PLAIN (reply, wire_reply_t, WIRE_REPLY)

static void
s_check_heartbeat (const uint8_t *data, size_t size)
{
    if (wire_heartbeat_decode (data, size))
        return;
    S_ENSURE (wire_type (data, size) == WIRE_HEARTBEAT);
    uint8_t *buf;
    size_t buf_size;
    S_ENSURE (wire_heartbeat_encode (&buf, &buf_size) == 0);
    S_ENSURE (wire_heartbeat_decode (buf, buf_size) == 0);
    free (buf);
}

static void
s_check_settings (const uint8_t *data, size_t size)
{
    wire_settings_t first, second;
    if (wire_settings_decode (&first, data, size))
        return;
    S_ENSURE (wire_type (data, size) == WIRE_SETTINGS);
    uint8_t *buf;
    size_t buf_size;
    S_ENSURE (wire_settings_encode (&first, &buf, &buf_size) == 0);
    S_ENSURE (wire_settings_decode (&second, buf, buf_size) == 0);
    S_ENSURE (first.hb_ivl_ms == second.hb_ivl_ms);
    S_ENSURE (first.hb_liveness == second.hb_liveness);
    S_ENSURE (!first.knowledge == !second.knowledge);
    S_ENSURE (!first.knowledge
              || strcmp (first.knowledge, second.knowledge) == 0);
    wire_settings_release (&first);
    wire_settings_release (&second);
    free (buf);
}

static void
s_check_request (const uint8_t *data, size_t size)
{
    wire_request_t first, second;
    if (wire_request_decode (&first, data, size))
        return;
    S_ENSURE (wire_type (data, size) == WIRE_REQUEST);
    S_ENSURE (first.args_count <= WIRE_MAX_ARGS);
    uint8_t *buf;
    size_t buf_size;
    S_ENSURE (wire_request_encode (&first, &buf, &buf_size) == 0);
    S_ENSURE (wire_request_decode (&second, buf, buf_size) == 0);
    S_ENSURE (first.req_id == second.req_id);
    S_ENSURE (strcmp (first.op, second.op) == 0);
    S_ENSURE (first.args_count == second.args_count);
    for (size_t i = 0; i < WIRE_MAX_ARGS; i++) {
        S_ENSURE (!first.args [i] == (i >= first.args_count));
        S_ENSURE (!second.args [i] == (i >= second.args_count));
        if (first.args [i])
            S_ENSURE (strcmp (first.args [i], second.args [i]) == 0);
    }
    wire_request_release (&first);
    wire_request_release (&second);
    free (buf);
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
    s_check_ready (data, size);
    s_check_job (data, size);
    s_check_result (data, size);
    s_check_heartbeat (data, size);
    s_check_bye (data, size);
    s_check_settings (data, size);
    s_check_submit (data, size);
    s_check_request (data, size);
    s_check_reply (data, size);
    s_check_priority (data, size);
    return 0;
}
