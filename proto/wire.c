/*  proto/wire.c - encoders and checked decoders for the header frame of
    every message between supervisor, workers and clients (PROTOCOL.md).  */
#include "proto/wire.h"
#include "proto/mp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

//  Limits from PROTOCOL.md, "Limits". A decoded struct must pass the same
//  s_*_valid predicate an encoder applies, so both sides share one rule set.
#define S_MAX_KEYS          64          //  entries in any map we read
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

//  The "t" of each type, indexed by wire_type_t.
static const char *const s_type_names [WIRE_TYPE_COUNT] = {
    [WIRE_UNKNOWN] = "unknown",
    [WIRE_READY] = "ready",
    [WIRE_JOB] = "job",
    [WIRE_RESULT] = "result",
    [WIRE_HEARTBEAT] = "hb",
    [WIRE_BYE] = "bye",
    [WIRE_SETTINGS] = "settings",
    [WIRE_SUBMIT] = "submit",
    [WIRE_REQUEST] = "request",
    [WIRE_REPLY] = "reply",
};

const char *
wire_type_name (wire_type_t type)
{
    if ((int) type <= WIRE_UNKNOWN || type >= WIRE_TYPE_COUNT)
        return s_type_names [WIRE_UNKNOWN];
    return s_type_names [type];
}


//  --------------------------------------------------------------------
//  Shared checks

//  True when text is NUL-terminated inside its fixed buffer of cap bytes
//  (and, if nonempty is set, holds at least one byte).
static bool
s_fits (const char *text, size_t cap, bool nonempty)
{
    size_t len = strnlen (text, cap);
    return len < cap && (!nonempty || len > 0);
}

static bool
s_options_valid (const wire_options_t *options)
{
    return s_fits (options->target, sizeof options->target, false);
}

static bool
s_ready_valid (const wire_ready_t *self)
{
    return s_fits (self->component, sizeof self->component, true)
        && s_fits (self->host, sizeof self->host, false)
        && s_fits (self->version, sizeof self->version, false)
        && self->pid >= 1 && self->pid <= INT32_MAX
        && self->hb_ivl_ms >= S_HB_IVL_MIN && self->hb_ivl_ms <= S_HB_IVL_MAX
        && self->credit >= 1 && self->credit <= S_CREDIT_MAX;
}

static bool
s_job_valid (const wire_job_t *self)
{
    return self->job_id >= 1
        && s_fits (self->workflow_id, sizeof self->workflow_id, true)
        && s_fits (self->step, sizeof self->step, true)
        && self->attempt >= 1 && self->attempt <= S_ATTEMPT_MAX
        && self->deadline_ms >= 1 && self->deadline_ms <= S_DEADLINE_MAX
        && s_options_valid (&self->options);
}

//  ok and an error are exclusive: a success has no error text, a failure
//  always says why.
static bool
s_result_valid (const wire_result_t *self)
{
    if (self->job_id < 1 || !s_fits (self->error, sizeof self->error, false))
        return false;
    if (self->ok)
        return self->error [0] == 0 && !self->input_error;
    return self->error [0] != 0 && !self->no_tests;
}

static bool
s_bye_valid (const wire_bye_t *self)
{
    return s_fits (self->reason, sizeof self->reason, false);
}

static bool
s_settings_valid (const wire_settings_t *self)
{
    return self->hb_ivl_ms >= S_HB_IVL_MIN && self->hb_ivl_ms <= S_HB_IVL_MAX
        && self->hb_liveness >= 1 && self->hb_liveness <= S_LIVENESS_MAX
        && (!self->knowledge
            || strnlen (self->knowledge, S_KNOWLEDGE_MAX + 1)
                   <= S_KNOWLEDGE_MAX);
}

static bool
s_submit_valid (const wire_submit_t *self)
{
    return s_fits (self->workflow_id, sizeof self->workflow_id, false)
        && self->priority >= 0 && self->priority <= S_PRIORITY_MAX
        && self->timeout_ms <= S_DEADLINE_MAX
        && (!self->attach || self->workflow_id [0] != 0)
        && s_options_valid (&self->options);
}

static bool
s_request_valid (const wire_request_t *self)
{
    if (!s_fits (self->op, sizeof self->op, true)
    ||  self->args_count > WIRE_MAX_ARGS)
        return false;
    for (size_t i = 0; i < self->args_count; i++)
        if (!self->args [i]
        ||  strnlen (self->args [i], S_ARG_MAX + 1) > S_ARG_MAX)
            return false;
    return true;
}

static bool
s_reply_valid (const wire_reply_t *self)
{
    return self->code >= 0 && self->code <= S_CODE_MAX
        && s_fits (self->workflow_id, sizeof self->workflow_id, false)
        && s_fits (self->message, sizeof self->message, false);
}


//  --------------------------------------------------------------------
//  Writing

//  Starts a header map of type with fields entries beside "v" and "t".
static void
s_begin (mp_writer_t *writer, wire_type_t type, uint32_t fields)
{
    mp_writer_init (writer);
    mp_put_map (writer, 2 + fields);
    mp_put_str (writer, "v");
    mp_put_uint (writer, WIRE_VERSION);
    mp_put_str (writer, "t");
    mp_put_str (writer, s_type_names [type]);
}

static void
s_put_str (mp_writer_t *writer, const char *key, const char *value)
{
    mp_put_str (writer, key);
    mp_put_str (writer, value);
}

static void
s_put_uint (mp_writer_t *writer, const char *key, uint64_t value)
{
    mp_put_str (writer, key);
    mp_put_uint (writer, value);
}

static void
s_put_int (mp_writer_t *writer, const char *key, int64_t value)
{
    mp_put_str (writer, key);
    mp_put_int (writer, value);
}

static void
s_put_bool (mp_writer_t *writer, const char *key, bool value)
{
    mp_put_str (writer, key);
    mp_put_bool (writer, value);
}

static void
s_put_options (mp_writer_t *writer, const wire_options_t *options)
{
    mp_put_str (writer, "opt");
    //  "check" was added without a version bump: readers that do not
    //  know it ignore it, and a reader takes its absence for false
    mp_put_map (writer, 5);
    s_put_str (writer, "target", options->target);
    s_put_bool (writer, "explain", options->explain);
    s_put_bool (writer, "json", options->json);
    s_put_bool (writer, "degr", options->degraded);
    s_put_bool (writer, "check", options->check);
}


//  --------------------------------------------------------------------
//  Reading

//  True when map is a map of at most S_MAX_KEYS entries whose keys are all
//  distinct strings: a duplicate key could be read differently by another
//  implementation, so we refuse it rather than pick one.
static bool
s_map_clean (const msgpack_object *map)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP
    ||  map->via.map.size > S_MAX_KEYS)
        return false;
    const msgpack_object_kv *kv = map->via.map.ptr;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        if (kv [i].key.type != MSGPACK_OBJECT_STR)
            return false;
        for (uint32_t j = 0; j < i; j++)
            if (kv [j].key.via.str.size == kv [i].key.via.str.size
            &&  memcmp (kv [j].key.via.str.ptr, kv [i].key.via.str.ptr,
                        kv [i].key.via.str.size) == 0)
                return false;
    }
    return true;
}

//  The type a header map declares, or WIRE_UNKNOWN.
static wire_type_t
s_header_type (const msgpack_object *root)
{
    if (!s_map_clean (root))
        return WIRE_UNKNOWN;
    const msgpack_object *version = mp_get (root, "v");
    const msgpack_object *type = mp_get (root, "t");
    if (!version || version->type != MSGPACK_OBJECT_POSITIVE_INTEGER
    ||  version->via.u64 != WIRE_VERSION
    ||  !type || type->type != MSGPACK_OBJECT_STR)
        return WIRE_UNKNOWN;
    for (int i = WIRE_UNKNOWN + 1; i < WIRE_TYPE_COUNT; i++) {
        size_t len = strlen (s_type_names [i]);
        if (type->via.str.size == len
        &&  memcmp (type->via.str.ptr, s_type_names [i], len) == 0)
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
    const msgpack_object *version = root && s_map_clean (root)? mp_get (root, "v"): NULL;
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

//  Reads buf as a header of the given type: the root map, or NULL. The
//  reader must be released whatever the outcome.
static const msgpack_object *
s_open (mp_reader_t *reader, const uint8_t *buf, size_t size, wire_type_t type)
{
    errno = 0;          //  so s_close can tell ENOMEM from a bad field
    const msgpack_object *root = mp_read (reader, buf, size);
    if (!root || s_header_type (root) != type)
        return NULL;
    return root;
}

//  Ends a decode: releases the reader and, on failure, sets errno EPROTO
//  (ENOMEM stays ENOMEM: it says nothing about the bytes).
static int
s_close (mp_reader_t *reader, int rc)
{
    int saved = errno;
    mp_reader_release (reader);
    if (rc == 0)
        return 0;
    errno = saved == ENOMEM? ENOMEM: EPROTO;
    return -1;
}

//  Typed field readers: 0, or -1 (EPROTO) on an absent or ill-typed value.
//  Strings must be msgpack str (not bin), hold no NUL and fit out.
static int
s_get_str (const msgpack_object *map, const char *key, char *out, size_t cap)
{
    const msgpack_object *obj = mp_get (map, key);
    if (!obj || obj->type != MSGPACK_OBJECT_STR)
        return errno = EPROTO, -1;
    return mp_str_copy (obj, out, cap);
}

static int
s_get_u64 (const msgpack_object *map, const char *key, uint64_t *out)
{
    return mp_u64 (mp_get (map, key), out);
}

static int
s_get_u32 (const msgpack_object *map, const char *key, uint32_t *out)
{
    return mp_u32 (mp_get (map, key), out);
}

static int
s_get_i32 (const msgpack_object *map, const char *key, int32_t *out)
{
    return mp_i32 (mp_get (map, key), out);
}

static int
s_get_bool (const msgpack_object *map, const char *key, bool *out)
{
    return mp_bool (mp_get (map, key), out);
}

static int
s_get_options (const msgpack_object *map, wire_options_t *options)
{
    const msgpack_object *opt = mp_get (map, "opt");
    if (!s_map_clean (opt)
    ||  s_get_str (opt, "target", options->target, sizeof options->target)
    ||  s_get_bool (opt, "explain", &options->explain)
    ||  s_get_bool (opt, "json", &options->json)
    ||  s_get_bool (opt, "degr", &options->degraded))
        return errno = EPROTO, -1;
    options->check = false;
    if (mp_get (opt, "check") && s_get_bool (opt, "check", &options->check))
        return errno = EPROTO, -1;
    return 0;
}


//  --------------------------------------------------------------------
//  READY

int
wire_ready_encode (const wire_ready_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !s_ready_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_READY, 6);
    s_put_str (&writer, "comp", self->component);
    s_put_uint (&writer, "pid", self->pid);
    s_put_str (&writer, "host", self->host);
    s_put_str (&writer, "ver", self->version);
    s_put_uint (&writer, "hb", self->hb_ivl_ms);
    s_put_uint (&writer, "credit", self->credit);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_ready_decode (wire_ready_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_READY);
    int rc = -1;
    if (root
    &&  !s_get_str (root, "comp", self->component, sizeof self->component)
    &&  !s_get_u32 (root, "pid", &self->pid)
    &&  !s_get_str (root, "host", self->host, sizeof self->host)
    &&  !s_get_str (root, "ver", self->version, sizeof self->version)
    &&  !s_get_u32 (root, "hb", &self->hb_ivl_ms)
    &&  !s_get_u32 (root, "credit", &self->credit)
    &&  s_ready_valid (self))
        rc = 0;
    if (rc)
        memset (self, 0, sizeof *self);
    return s_close (&reader, rc);
}


//  --------------------------------------------------------------------
//  JOB

int
wire_job_encode (const wire_job_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !s_job_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_JOB, 6);
    s_put_uint (&writer, "job", self->job_id);
    s_put_str (&writer, "wf", self->workflow_id);
    s_put_str (&writer, "step", self->step);
    s_put_uint (&writer, "att", self->attempt);
    s_put_uint (&writer, "dl", self->deadline_ms);
    s_put_options (&writer, &self->options);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_job_decode (wire_job_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_JOB);
    int rc = -1;
    if (root
    &&  !s_get_u64 (root, "job", &self->job_id)
    &&  !s_get_str (root, "wf", self->workflow_id, sizeof self->workflow_id)
    &&  !s_get_str (root, "step", self->step, sizeof self->step)
    &&  !s_get_u32 (root, "att", &self->attempt)
    &&  !s_get_u32 (root, "dl", &self->deadline_ms)
    &&  !s_get_options (root, &self->options)
    &&  s_job_valid (self))
        rc = 0;
    if (rc)
        memset (self, 0, sizeof *self);
    return s_close (&reader, rc);
}


//  --------------------------------------------------------------------
//  RESULT

int
wire_result_encode (const wire_result_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !s_result_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_RESULT, self->no_tests? 6: 5);
    s_put_uint (&writer, "job", self->job_id);
    s_put_bool (&writer, "ok", self->ok);
    s_put_bool (&writer, "inerr", self->input_error);
    s_put_str (&writer, "err", self->error);
    s_put_uint (&writer, "us", self->elapsed_us);
    //  Optional, added in a minor revision: old readers ignore it.
    if (self->no_tests)
        s_put_bool (&writer, "notest", true);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_result_decode (wire_result_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_RESULT);
    int rc = -1;
    if (root
    &&  !s_get_u64 (root, "job", &self->job_id)
    &&  !s_get_bool (root, "ok", &self->ok)
    &&  !s_get_bool (root, "inerr", &self->input_error)
    &&  !s_get_str (root, "err", self->error, sizeof self->error)
    &&  !s_get_u64 (root, "us", &self->elapsed_us)
    &&  !mp_bool_opt (mp_get (root, "notest"), &self->no_tests)
    &&  s_result_valid (self))
        rc = 0;
    if (rc)
        memset (self, 0, sizeof *self);
    return s_close (&reader, rc);
}


//  --------------------------------------------------------------------
//  HEARTBEAT

int
wire_heartbeat_encode (uint8_t **buf_p, size_t *size_p)
{
    mp_writer_t writer;
    s_begin (&writer, WIRE_HEARTBEAT, 0);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_heartbeat_decode (const uint8_t *buf, size_t size)
{
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_HEARTBEAT);
    return s_close (&reader, root? 0: -1);
}


//  --------------------------------------------------------------------
//  BYE

int
wire_bye_encode (const wire_bye_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !s_bye_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_BYE, 1);
    s_put_str (&writer, "why", self->reason);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_bye_decode (wire_bye_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_BYE);
    int rc = -1;
    if (root
    &&  !s_get_str (root, "why", self->reason, sizeof self->reason))
        rc = 0;
    if (rc)
        memset (self, 0, sizeof *self);
    return s_close (&reader, rc);
}


//  --------------------------------------------------------------------
//  SETTINGS

int
wire_settings_encode (const wire_settings_t *self, uint8_t **buf_p,
                      size_t *size_p)
{
    if (!self || !s_settings_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_SETTINGS, self->knowledge? 3: 2);
    s_put_uint (&writer, "hb", self->hb_ivl_ms);
    s_put_uint (&writer, "live", self->hb_liveness);
    if (self->knowledge)
        s_put_str (&writer, "kb", self->knowledge);
    return mp_writer_finish (&writer, buf_p, size_p);
}

//  "kb" is optional: absent or nil both mean no knowledge.
static int
s_get_knowledge (const msgpack_object *map, char **knowledge_p)
{
    const msgpack_object *obj = mp_get (map, "kb");
    if (!obj || obj->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (obj->type != MSGPACK_OBJECT_STR || obj->via.str.size > S_KNOWLEDGE_MAX)
        return errno = EPROTO, -1;
    return mp_str_dup (obj, knowledge_p);
}

int
wire_settings_decode (wire_settings_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_SETTINGS);
    int rc = -1;
    if (root
    &&  !s_get_u32 (root, "hb", &self->hb_ivl_ms)
    &&  !s_get_u32 (root, "live", &self->hb_liveness)
    &&  !s_get_knowledge (root, &self->knowledge)
    &&  s_settings_valid (self))
        rc = 0;
    if (rc) {
        int saved = errno;
        wire_settings_release (self);
        errno = saved;
    }
    return s_close (&reader, rc);
}

void
wire_settings_release (wire_settings_t *self)
{
    if (!self)
        return;
    free (self->knowledge);
    memset (self, 0, sizeof *self);
}


//  --------------------------------------------------------------------
//  SUBMIT

int
wire_submit_encode (const wire_submit_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !s_submit_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_SUBMIT, 6);
    s_put_uint (&writer, "req", self->req_id);
    s_put_str (&writer, "wf", self->workflow_id);
    s_put_int (&writer, "pri", self->priority);
    s_put_uint (&writer, "to", self->timeout_ms);
    s_put_bool (&writer, "attach", self->attach);
    s_put_options (&writer, &self->options);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_submit_decode (wire_submit_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_SUBMIT);
    int rc = -1;
    if (root
    &&  !s_get_u64 (root, "req", &self->req_id)
    &&  !s_get_str (root, "wf", self->workflow_id, sizeof self->workflow_id)
    &&  !s_get_i32 (root, "pri", &self->priority)
    &&  !s_get_u32 (root, "to", &self->timeout_ms)
    &&  !s_get_bool (root, "attach", &self->attach)
    &&  !s_get_options (root, &self->options)
    &&  s_submit_valid (self))
        rc = 0;
    if (rc)
        memset (self, 0, sizeof *self);
    return s_close (&reader, rc);
}


//  --------------------------------------------------------------------
//  REQUEST

int
wire_request_encode (const wire_request_t *self, uint8_t **buf_p,
                     size_t *size_p)
{
    if (!self || !s_request_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_REQUEST, 3);
    s_put_uint (&writer, "req", self->req_id);
    s_put_str (&writer, "op", self->op);
    mp_put_str (&writer, "args");
    mp_put_array (&writer, (uint32_t) self->args_count);
    for (size_t i = 0; i < self->args_count; i++)
        mp_put_str (&writer, self->args [i]);
    return mp_writer_finish (&writer, buf_p, size_p);
}

static int
s_get_args (const msgpack_object *map, wire_request_t *self)
{
    const msgpack_object *args = mp_get (map, "args");
    size_t count;
    if (mp_array (args, WIRE_MAX_ARGS, &count))
        return -1;
    for (size_t i = 0; i < count; i++) {
        const msgpack_object *arg = &args->via.array.ptr [i];
        if (arg->type != MSGPACK_OBJECT_STR || arg->via.str.size > S_ARG_MAX)
            return errno = EPROTO, -1;
        if (mp_str_dup (arg, &self->args [i]))
            return -1;
        self->args_count = i + 1;
    }
    return 0;
}

int
wire_request_decode (wire_request_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_REQUEST);
    int rc = -1;
    if (root
    &&  !s_get_u64 (root, "req", &self->req_id)
    &&  !s_get_str (root, "op", self->op, sizeof self->op)
    &&  !s_get_args (root, self)
    &&  s_request_valid (self))
        rc = 0;
    if (rc) {
        int saved = errno;
        wire_request_release (self);
        errno = saved;
    }
    return s_close (&reader, rc);
}

void
wire_request_release (wire_request_t *self)
{
    if (!self)
        return;
    for (size_t i = 0; i < WIRE_MAX_ARGS; i++)
        free (self->args [i]);
    memset (self, 0, sizeof *self);
}


//  --------------------------------------------------------------------
//  REPLY

int
wire_reply_encode (const wire_reply_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !s_reply_valid (self))
        return errno = EINVAL, -1;
    mp_writer_t writer;
    s_begin (&writer, WIRE_REPLY, 5 + (self->accepted? 1: 0) + (self->no_tests? 1: 0));
    s_put_uint (&writer, "req", self->req_id);
    s_put_int (&writer, "code", self->code);
    s_put_str (&writer, "wf", self->workflow_id);
    s_put_str (&writer, "msg", self->message);
    s_put_bool (&writer, "degr", self->degraded);
    //  Optional, added in a minor revision: old readers ignore it.
    if (self->accepted)
        s_put_bool (&writer, "acc", true);
    if (self->no_tests)
        s_put_bool (&writer, "notest", true);
    return mp_writer_finish (&writer, buf_p, size_p);
}

int
wire_reply_decode (wire_reply_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = s_open (&reader, buf, size, WIRE_REPLY);
    int rc = -1;
    if (root
    &&  !s_get_u64 (root, "req", &self->req_id)
    &&  !s_get_i32 (root, "code", &self->code)
    &&  !s_get_str (root, "wf", self->workflow_id, sizeof self->workflow_id)
    &&  !s_get_str (root, "msg", self->message, sizeof self->message)
    &&  !s_get_bool (root, "degr", &self->degraded)
    &&  !mp_bool_opt (mp_get (root, "acc"), &self->accepted)
    &&  !mp_bool_opt (mp_get (root, "notest"), &self->no_tests)
    &&  s_reply_valid (self))
        rc = 0;
    if (rc)
        memset (self, 0, sizeof *self);
    return s_close (&reader, rc);
}


//  --------------------------------------------------------------------
//  Priorities

//  Named levels, highest first; a number falls in the first level whose
//  floor it reaches.
static const struct {
    const char *name;
    int32_t value;
} s_levels [] = {
    { "critical", WIRE_PRIORITY_CRITICAL },
    { "high", WIRE_PRIORITY_HIGH },
    { "normal", WIRE_PRIORITY_NORMAL },
    { "low", WIRE_PRIORITY_LOW },
};
#define S_LEVELS (sizeof s_levels / sizeof s_levels [0])

int
wire_priority_parse (const char *text, int32_t *priority_p)
{
    if (!text || !priority_p)
        return errno = EINVAL, -1;
    for (size_t i = 0; i < S_LEVELS; i++)
        if (strcasecmp (text, s_levels [i].name) == 0) {
            *priority_p = s_levels [i].value;
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

const char *
wire_priority_level (int32_t priority)
{
    for (size_t i = 0; i + 1 < S_LEVELS; i++)
        if (priority >= s_levels [i].value)
            return s_levels [i].name;
    return s_levels [S_LEVELS - 1].name;
}
