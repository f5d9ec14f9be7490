/*  proto/wire.c - encoders and checked decoders for the header frame of
    every message between supervisor, workers and clients (PROTOCOL.md).
    One table per message (proto/schema.h) says its keys, C fields, types
    and ranges; one engine writes, reads and checks them all.  */
#include "proto/wire.h"
#include "proto/mp.h"
#include "proto/schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

//  Limits from PROTOCOL.md, "Limits". The tables below hold them, and an
//  encoder applies the same schema_valid a decoder does, so both sides
//  share one rule set.
#define S_HB_IVL_MIN        10          //  ms
#define S_HB_IVL_MAX        60000
#define S_LIVENESS_MAX      100
#define S_CREDIT_MAX        1000
#define S_ATTEMPT_MAX       100
#define S_DEADLINE_MAX      86400000    //  one day, in ms
#define S_PRIORITY_MAX      1000
#define S_CODE_MAX          125
#define S_ARG_MAX           4096        //  bytes in one REQUEST argument
#define S_KNOWLEDGE_MAX     (16u << 20) //  bytes of YAML in SETTINGS

#define S_ANY_U64   UINT64_MAX

//  A key added in a minor revision: written only when set, so old readers
//  see what they always saw, and its absence reads as false or NULL.
#define S_ADDED     (SCHEMA_OPTIONAL | SCHEMA_IF_SET)


//  --------------------------------------------------------------------
//  The messages: each table lists the keys in the order they are written

//  "check" was added without a version bump: readers that do not know it
//  ignore it, and a reader takes its absence for false.
static const schema_field_t s_options [] = {
    SCHEMA_STR ("target", wire_options_t, target, 0),
    SCHEMA_BOOL ("explain", wire_options_t, explain, 0),
    SCHEMA_BOOL ("json", wire_options_t, json, 0),
    SCHEMA_BOOL ("degr", wire_options_t, degraded, 0),
    SCHEMA_BOOL ("check", wire_options_t, check, SCHEMA_OPTIONAL),
    SCHEMA_END
};

static const schema_field_t s_ready [] = {
    SCHEMA_STR ("comp", wire_ready_t, component, 1),
    SCHEMA_UINT ("pid", wire_ready_t, pid, 1, INT32_MAX),
    SCHEMA_STR ("host", wire_ready_t, host, 0),
    SCHEMA_STR ("ver", wire_ready_t, version, 0),
    SCHEMA_UINT ("hb", wire_ready_t, hb_ivl_ms, S_HB_IVL_MIN, S_HB_IVL_MAX),
    SCHEMA_UINT ("credit", wire_ready_t, credit, 1, S_CREDIT_MAX),
    SCHEMA_END
};

static const schema_field_t s_job [] = {
    SCHEMA_UINT ("job", wire_job_t, job_id, 1, S_ANY_U64),
    SCHEMA_STR ("wf", wire_job_t, workflow_id, 1),
    SCHEMA_STR ("step", wire_job_t, step, 1),
    SCHEMA_UINT ("att", wire_job_t, attempt, 1, S_ATTEMPT_MAX),
    SCHEMA_UINT ("dl", wire_job_t, deadline_ms, 1, S_DEADLINE_MAX),
    SCHEMA_MAP ("opt", wire_job_t, options, s_options),
    SCHEMA_END
};

//  "notest" was added in a minor revision: old readers ignore it.
static const schema_field_t s_result [] = {
    SCHEMA_UINT ("job", wire_result_t, job_id, 1, S_ANY_U64),
    SCHEMA_BOOL ("ok", wire_result_t, ok, 0),
    SCHEMA_BOOL ("inerr", wire_result_t, input_error, 0),
    SCHEMA_STR ("err", wire_result_t, error, 0),
    SCHEMA_UINT ("us", wire_result_t, elapsed_us, 0, S_ANY_U64),
    SCHEMA_BOOL ("notest", wire_result_t, no_tests, S_ADDED),
    SCHEMA_END
};

static const schema_field_t s_bye [] = {
    SCHEMA_STR ("why", wire_bye_t, reason, 0),
    SCHEMA_END
};

//  "kb" is optional: absent or nil both mean no knowledge.
static const schema_field_t s_settings [] = {
    SCHEMA_UINT ("hb", wire_settings_t, hb_ivl_ms, S_HB_IVL_MIN, S_HB_IVL_MAX),
    SCHEMA_UINT ("live", wire_settings_t, hb_liveness, 1, S_LIVENESS_MAX),
    SCHEMA_TEXT ("kb", wire_settings_t, knowledge, S_KNOWLEDGE_MAX, S_ADDED),
    SCHEMA_END
};

static const schema_field_t s_submit [] = {
    SCHEMA_UINT ("req", wire_submit_t, req_id, 0, S_ANY_U64),
    SCHEMA_STR ("wf", wire_submit_t, workflow_id, 0),
    SCHEMA_INT ("pri", wire_submit_t, priority, 0, S_PRIORITY_MAX),
    SCHEMA_UINT ("to", wire_submit_t, timeout_ms, 0, S_DEADLINE_MAX),
    SCHEMA_BOOL ("attach", wire_submit_t, attach, 0),
    SCHEMA_MAP ("opt", wire_submit_t, options, s_options),
    SCHEMA_END
};

static const schema_field_t s_request [] = {
    SCHEMA_UINT ("req", wire_request_t, req_id, 0, S_ANY_U64),
    SCHEMA_STR ("op", wire_request_t, op, 1),
    SCHEMA_STRV ("args", wire_request_t, args, args_count, S_ARG_MAX),
    SCHEMA_END
};

//  "acc" and "notest" were added in minor revisions.
static const schema_field_t s_reply [] = {
    SCHEMA_UINT ("req", wire_reply_t, req_id, 0, S_ANY_U64),
    SCHEMA_INT ("code", wire_reply_t, code, 0, S_CODE_MAX),
    SCHEMA_STR ("wf", wire_reply_t, workflow_id, 0),
    SCHEMA_STR ("msg", wire_reply_t, message, 0),
    SCHEMA_BOOL ("degr", wire_reply_t, degraded, 0),
    SCHEMA_BOOL ("acc", wire_reply_t, accepted, S_ADDED),
    SCHEMA_BOOL ("notest", wire_reply_t, no_tests, S_ADDED),
    SCHEMA_END
};

static const schema_field_t s_no_fields [] = {
    SCHEMA_END
};

//  Rules across fields, beyond what a table says.

//  ok and an error are exclusive: a success has no error text, a failure
//  always says why.
static bool
s_result_valid (const void *self)
{
    const wire_result_t *result = self;
    if (result->ok)
        return result->error [0] == 0 && !result->input_error;
    return result->error [0] != 0 && !result->no_tests;
}

//  An attach names the workflow it waits for.
static bool
s_submit_valid (const void *self)
{
    const wire_submit_t *submit = self;
    return !submit->attach || submit->workflow_id [0] != 0;
}

typedef struct {
    const char *name;                   //  the "t" on the wire
    const schema_field_t *fields;
    size_t size;                        //  of the C struct
    bool (*valid) (const void *self);   //  cross-field rules, or NULL
} message_t;

//  Indexed by wire_type_t.
static const message_t s_messages [WIRE_TYPE_COUNT] = {
    [WIRE_UNKNOWN] = { "unknown", s_no_fields, 0, NULL },
    [WIRE_READY] = { "ready", s_ready, sizeof (wire_ready_t), NULL },
    [WIRE_JOB] = { "job", s_job, sizeof (wire_job_t), NULL },
    [WIRE_RESULT] = { "result", s_result, sizeof (wire_result_t),
                      s_result_valid },
    [WIRE_HEARTBEAT] = { "hb", s_no_fields, 0, NULL },
    [WIRE_BYE] = { "bye", s_bye, sizeof (wire_bye_t), NULL },
    [WIRE_SETTINGS] = { "settings", s_settings, sizeof (wire_settings_t),
                        NULL },
    [WIRE_SUBMIT] = { "submit", s_submit, sizeof (wire_submit_t),
                      s_submit_valid },
    [WIRE_REQUEST] = { "request", s_request, sizeof (wire_request_t), NULL },
    [WIRE_REPLY] = { "reply", s_reply, sizeof (wire_reply_t), NULL },
};

static bool
s_known (wire_type_t type)
{
    return (int) type > WIRE_UNKNOWN && type < WIRE_TYPE_COUNT;
}

const char *
wire_type_name (wire_type_t type)
{
    return s_messages [s_known (type)? type: WIRE_UNKNOWN].name;
}

size_t
wire_size (wire_type_t type)
{
    return s_known (type)? s_messages [type].size: 0;
}

const schema_field_t *
wire_fields (wire_type_t type)
{
    return s_known (type)? s_messages [type].fields: NULL;
}


//  --------------------------------------------------------------------
//  Headers

//  The type a header map declares, or WIRE_UNKNOWN.
static wire_type_t
s_header_type (const msgpack_object *root)
{
    if (!mp_map_ok (root, 0))
        return WIRE_UNKNOWN;
    const msgpack_object *version = mp_get (root, "v");
    const msgpack_object *type = mp_get (root, "t");
    if (!version || version->type != MSGPACK_OBJECT_POSITIVE_INTEGER
    ||  version->via.u64 != WIRE_VERSION
    ||  !type || type->type != MSGPACK_OBJECT_STR)
        return WIRE_UNKNOWN;
    for (int i = WIRE_UNKNOWN + 1; i < WIRE_TYPE_COUNT; i++) {
        size_t len = strlen (s_messages [i].name);
        if (type->via.str.size == len
        &&  memcmp (type->via.str.ptr, s_messages [i].name, len) == 0)
            return (wire_type_t) i;
    }
    return WIRE_UNKNOWN;
}

wire_type_t
wire_type (const uint8_t *buf, size_t size)
{
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, size);
    wire_type_t type = root? s_header_type (root): WIRE_UNKNOWN;
    mp_reader_release (&reader);
    return type;
}

int
wire_peek_version (const uint8_t *buf, size_t size, uint64_t *version_p)
{
    mp_reader_t reader;
    const msgpack_object *root = buf? mp_read (&reader, buf, size): NULL;
    const msgpack_object *version =
        root && mp_map_ok (root, 0)? mp_get (root, "v"): NULL;
    int rc = -1;
    if (version && version->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (version_p)
            *version_p = version->via.u64;
        rc = 0;
    }
    if (buf)
        mp_reader_release (&reader);
    return rc == 0? 0: (errno = EPROTO, -1);
}

static bool
s_valid (const message_t *message, const void *self)
{
    return schema_valid (message->fields, self)
        && (!message->valid || message->valid (self));
}

int
wire_encode (wire_type_t type, const void *self, uint8_t **buf_p,
             size_t *size_p)
{
    if (!s_known (type))
        return errno = EINVAL, -1;
    const message_t *message = &s_messages [type];
    if (message->size && (!self || !s_valid (message, self)))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    mp_writer_init (&writer);
    uint32_t fields = message->size? schema_count (message->fields, self): 0;
    mp_put_map (&writer, 2 + fields);
    mp_put_str (&writer, "v");
    mp_put_uint (&writer, WIRE_VERSION);
    mp_put_str (&writer, "t");
    mp_put_str (&writer, message->name);
    if (message->size)
        schema_put (&writer, message->fields, self);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_decode (wire_type_t type, void *self, const uint8_t *buf, size_t size)
{
    if (!s_known (type))
        return errno = EINVAL, -1;
    const message_t *message = &s_messages [type];
    if (message->size)
        memset (self, 0, message->size);
    errno = 0;          //  so ENOMEM can be told from a bad field
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, size);
    int rc = -1;
    if (root && s_header_type (root) == type
    &&  (!message->size
         || (schema_get (root, message->fields, self) == 0
             && s_valid (message, self))))
        rc = 0;
    int saved = errno;
    mp_reader_release (&reader);
    if (rc == 0)
        return 0;
    if (message->size)
        schema_release (message->fields, self, message->size);
    errno = saved == ENOMEM? ENOMEM: EPROTO;
    return -1;
}

void
wire_release (wire_type_t type, void *self)
{
    if (s_known (type) && self)
        schema_release (s_messages [type].fields, self, s_messages [type].size);
}


//  --------------------------------------------------------------------
//  Each message's typed calls, for the compiler's sake

#define S_TYPED(name, type_t, type)                                         \
    int                                                                     \
    wire_##name##_encode (const type_t *self, uint8_t **buf_p,              \
                          size_t *size_p)                                   \
    {                                                                       \
        return wire_encode (type, self, buf_p, size_p);                     \
    }                                                                       \
    int                                                                     \
    wire_##name##_decode (type_t *self, const uint8_t *buf, size_t size)    \
    {                                                                       \
        return wire_decode (type, self, buf, size);                         \
    }
S_TYPED (ready, wire_ready_t, WIRE_READY)
S_TYPED (job, wire_job_t, WIRE_JOB)
S_TYPED (result, wire_result_t, WIRE_RESULT)
S_TYPED (bye, wire_bye_t, WIRE_BYE)
S_TYPED (settings, wire_settings_t, WIRE_SETTINGS)
S_TYPED (submit, wire_submit_t, WIRE_SUBMIT)
S_TYPED (request, wire_request_t, WIRE_REQUEST)
S_TYPED (reply, wire_reply_t, WIRE_REPLY)

int
wire_heartbeat_encode (uint8_t **buf_p, size_t *size_p)
{
    return wire_encode (WIRE_HEARTBEAT, NULL, buf_p, size_p);
}

int
wire_heartbeat_decode (const uint8_t *buf, size_t size)
{
    return wire_decode (WIRE_HEARTBEAT, NULL, buf, size);
}

void
wire_settings_release (wire_settings_t *self)
{
    wire_release (WIRE_SETTINGS, self);
}

void
wire_request_release (wire_request_t *self)
{
    wire_release (WIRE_REQUEST, self);
}


//  --------------------------------------------------------------------
//  Priorities

const char *const wire_priority_names [WIRE_PRIORITY_LEVELS + 1] = {
    [WIRE_LEVEL_CRITICAL] = "critical",
    [WIRE_LEVEL_HIGH] = "high",
    [WIRE_LEVEL_NORMAL] = "normal",
    [WIRE_LEVEL_LOW] = "low",
};

//  The value a level's name stands for, which is also its floor.
static const int32_t s_floors [WIRE_PRIORITY_LEVELS] = {
    [WIRE_LEVEL_CRITICAL] = WIRE_PRIORITY_CRITICAL,
    [WIRE_LEVEL_HIGH] = WIRE_PRIORITY_HIGH,
    [WIRE_LEVEL_NORMAL] = WIRE_PRIORITY_NORMAL,
    [WIRE_LEVEL_LOW] = WIRE_PRIORITY_LOW,
};

int
wire_priority_parse (const char *text, int32_t *priority_p)
{
    if (!text || !priority_p)
        return errno = EINVAL, -1;
    for (size_t i = 0; i < WIRE_PRIORITY_LEVELS; i++)
        if (strcasecmp (text, wire_priority_names [i]) == 0) {
            *priority_p = s_floors [i];
            return 0;
        }
    //  Digits only: strtol alone would also take blanks, signs and hex.
    if (text [0] < '0' || text [0] > '9')
        return errno = EINVAL, -1;
    char *end;
    errno = 0;
    long value = strtol (text, &end, 10);
    if (errno || *end || value < 0 || value > S_PRIORITY_MAX)
        return errno = EINVAL, -1;
    *priority_p = (int32_t) value;
    return 0;
}

wire_level_t
wire_priority_band (int32_t priority)
{
    for (int i = 0; i + 1 < WIRE_PRIORITY_LEVELS; i++)
        if (priority >= s_floors [i])
            return (wire_level_t) i;
    return WIRE_LEVEL_LOW;
}

const char *
wire_priority_level (int32_t priority)
{
    return wire_priority_names [wire_priority_band (priority)];
}
