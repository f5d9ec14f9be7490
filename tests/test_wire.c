/*  Tests for proto/wire: every message's header codec, checked against
    hand-built encodings of PROTOCOL.md rather than the encoder's output.  */
#include "proto/wire.h"
#include "proto/mp.h"

#include "tests/support/codec_check.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------
//  A small description of each message as PROTOCOL.md states it, from
//  which the tests build valid headers and break them one field at a time.

typedef enum {
    V_STR,          //  str: text, or len bytes of text when len > 0
    V_UINT,
    V_INT,
    V_BOOL,
    V_NIL,
    V_BIN,
    V_DOUBLE,
    V_OPTS,         //  a valid options map
    V_ARGS,         //  a valid args array
    V_MAP0,         //  an empty map
    V_ARRAY_INT,    //  [1]
} v_kind_t;

typedef struct {
    v_kind_t kind;
    int64_t num;
    const char *str;
    size_t len;
} value_t;

#define MAX_EDGES 4
typedef struct {
    const char *key;
    value_t value;              //  as in the valid header
    size_t cap;                 //  V_STR: longest length accepted, 0 = untested
    bool nonempty;              //  V_STR: "" is refused
    bool optional;              //  may be left out
    int64_t good [MAX_EDGES];   //  numbers that must be accepted
    size_t good_count;
    int64_t bad [MAX_EDGES];    //  numbers that must be refused
    size_t bad_count;
} field_t;

#define MAX_FIELDS 10
typedef struct {
    const char *name;
    wire_type_t type;
    field_t fields [MAX_FIELDS];
    size_t fields_count;
} msg_t;

static bool
s_is_zero (const void *data, size_t size)
{
    const uint8_t *bytes = data;
    for (size_t i = 0; i < size; i++)
        if (bytes [i])
            return false;
    return true;
}

//  Decodes buf as type into a struct of that type filled with garbage
//  first (so "left zeroed on failure" is a real check), checks a failure
//  left it zeroed, releases it; returns the decode's result with its
//  errno. Any type wire.h counts, through the generic calls.
static int
s_decode (wire_type_t type, const uint8_t *buf, size_t size)
{
    size_t struct_size = wire_size (type);
    uint8_t *msg = struct_size? malloc (struct_size): NULL;
    cr_assert (msg || !struct_size);
    if (msg)
        memset (msg, 0xab, struct_size);
    int rc = wire_decode (type, msg, buf, size);
    int saved = errno;
    if (rc)
        cr_assert (s_is_zero (msg, struct_size), "%s: struct not zeroed on failure",
                   wire_type_name (type));
    wire_release (type, msg);
    free (msg);
    errno = saved;
    return rc;
}

#define STR(s)  { .kind = V_STR, .str = s }
#define UINT(n) { .kind = V_UINT, .num = n }
#define INT(n)  { .kind = V_INT, .num = n }
#define BOOL(b) { .kind = V_BOOL, .num = b }
#define KIND(k) { .kind = k }
#define N_OF(...) (sizeof ((int64_t []) { __VA_ARGS__ }) / sizeof (int64_t))
#define GOOD(...) .good = { __VA_ARGS__ }, .good_count = N_OF (__VA_ARGS__)
#define BAD(...) .bad = { __VA_ARGS__ }, .bad_count = N_OF (__VA_ARGS__)
#define VERSION { .key = "v", .value = UINT (1), BAD (0, 2) }
#define TYPE(t) { .key = "t", .value = STR (t) }
#define PLAIN(k, v) { .key = k, .value = v }
#define U32_OVER ((int64_t) UINT32_MAX + 1)
#define I32_OVER ((int64_t) INT32_MAX + 1)

static const msg_t s_msgs [] = {
    { "ready", WIRE_READY, {
        VERSION, TYPE ("ready"),
        { "comp", STR ("parser"), .cap = 15, .nonempty = true },
        { "pid", UINT (4242), GOOD (1, INT32_MAX),
          BAD (0, I32_OVER, U32_OVER) },
        { "host", STR ("build-7.example"), .cap = 63 },
        { "ver", STR ("0.1.0"), .cap = 31 },
        { "hb", UINT (1000), GOOD (10, 60000), BAD (0, 9, 60001) },
        { "credit", UINT (2), GOOD (1, 1000), BAD (0, 1001) },
      }, 8 },
    { "job", WIRE_JOB, {
        VERSION, TYPE ("job"),
        { "job", UINT (77), GOOD (1, INT64_MAX), BAD (0) },
        { "wf", STR ("wf-2024-0001"), .cap = 63, .nonempty = true },
        { "step", STR ("detect"), .cap = 15, .nonempty = true },
        { "att", UINT (1), GOOD (1, 100), BAD (0, 101) },
        { "dl", UINT (30000), GOOD (1, 86400000), BAD (0, 86400001) },
        PLAIN ("opt", KIND (V_OPTS)),
      }, 8 },
    { "result", WIRE_RESULT, {
        VERSION, TYPE ("result"),
        { "job", UINT (77), BAD (0) },
        PLAIN ("ok", BOOL (false)),
        PLAIN ("inerr", BOOL (true)),
        { "err", STR ("README.md: not UTF-8 at line 3"), .cap = 511,
          .nonempty = true },
        { "us", UINT (1234), GOOD (0, INT64_MAX) },
      }, 7 },
    { "hb", WIRE_HEARTBEAT, {
        VERSION, TYPE ("hb"),
      }, 2 },
    { "bye", WIRE_BYE, {
        VERSION, TYPE ("bye"),
        { "why", STR ("draining"), .cap = 127 },
      }, 3 },
    { "settings", WIRE_SETTINGS, {
        VERSION, TYPE ("settings"),
        { "hb", UINT (2500), GOOD (10, 60000), BAD (0, 9, 60001) },
        { "live", UINT (3), GOOD (1, 100), BAD (0, 101) },
        { "kb", STR ("actions:\n  actions/checkout: v4\n"), .optional = true },
      }, 5 },
    { "submit", WIRE_SUBMIT, {
        VERSION, TYPE ("submit"),
        { "req", UINT (9), GOOD (0, INT64_MAX) },
        { "wf", STR ("nightly-42"), .cap = 63 },
        { "pri", INT (250), GOOD (0, 1000),
          BAD (-1, 1001, INT32_MIN, I32_OVER) },
        { "to", UINT (60000), GOOD (0, 86400000), BAD (86400001, U32_OVER) },
        PLAIN ("attach", BOOL (false)),
        PLAIN ("opt", KIND (V_OPTS)),
      }, 8 },
    { "request", WIRE_REQUEST, {
        VERSION, TYPE ("request"),
        PLAIN ("req", UINT (5)),
        { "op", STR ("ctl"), .cap = 31, .nonempty = true },
        PLAIN ("args", KIND (V_ARGS)),
      }, 5 },
    { "reply", WIRE_REPLY, {
        VERSION, TYPE ("reply"),
        PLAIN ("req", UINT (9)),
        { "code", INT (3), GOOD (0, 125), BAD (-1, 126, INT32_MIN) },
        { "wf", STR ("nightly-42"), .cap = 63 },
        { "msg", STR ("queue full: try again later"), .cap = 511 },
        PLAIN ("degr", BOOL (true)),
      }, 7 },
};
#define MSGS_COUNT (sizeof s_msgs / sizeof s_msgs [0])

static void
s_put_value (mp_writer_t *w, const value_t *value)
{
    switch (value->kind) {
        case V_STR:
            if (value->len)
                mp_put_strn (w, value->str, value->len);
            else
                mp_put_str (w, value->str);
            break;
        case V_UINT: mp_put_uint (w, (uint64_t) value->num); break;
        case V_INT: mp_put_int (w, value->num); break;
        case V_BOOL: mp_put_bool (w, value->num != 0); break;
        case V_NIL: mp_put_nil (w); break;
        case V_BIN: mp_put_bin (w, "x", 1); break;
        case V_DOUBLE: msgpack_pack_double (&w->pk, 1.0); break;
        case V_OPTS:
            mp_put_map (w, 4);
            mp_put_str (w, "target"); mp_put_str (w, "github");
            mp_put_str (w, "explain"); mp_put_bool (w, true);
            mp_put_str (w, "json"); mp_put_bool (w, false);
            mp_put_str (w, "degr"); mp_put_bool (w, false);
            break;
        case V_ARGS:
            mp_put_array (w, 2);
            mp_put_str (w, "scale");
            mp_put_str (w, "parser");
            break;
        case V_MAP0: mp_put_map (w, 0); break;
        case V_ARRAY_INT: mp_put_array (w, 1); mp_put_uint (w, 1); break;
    }
}

//  What to do to the valid header when building it.
typedef enum {
    EXTRA_NONE,
    EXTRA_UNKNOWN,      //  an unknown key holding a nested value
    EXTRA_DUPLICATE,    //  the last field again
    EXTRA_INT_KEY,      //  an integer key
} extra_t;

//  The valid header of msg, with field skip left out (-1: none), field
//  swap's value replaced by *with (-1: none), and extra added.
static uint8_t *
s_build (const msg_t *msg, int skip, int swap, const value_t *with,
         extra_t extra, size_t *size_p)
{
    mp_writer_t w;
    mp_writer_init (&w);
    uint32_t count = (uint32_t) msg->fields_count - (skip >= 0);
    mp_put_map (&w, count + (extra != EXTRA_NONE));
    for (int i = 0; i < (int) msg->fields_count; i++) {
        if (i == skip)
            continue;
        mp_put_str (&w, msg->fields [i].key);
        s_put_value (&w, i == swap? with: &msg->fields [i].value);
    }
    const field_t *last = &msg->fields [msg->fields_count - 1];
    if (extra == EXTRA_UNKNOWN) {
        mp_put_str (&w, "zz-added-in-1.7");
        mp_put_map (&w, 1);
        mp_put_str (&w, "a");
        mp_put_array (&w, 2);
        mp_put_uint (&w, 1);
        mp_put_nil (&w);
    }
    else
    if (extra == EXTRA_DUPLICATE) {
        mp_put_str (&w, last->key);
        s_put_value (&w, &last->value);
    }
    else
    if (extra == EXTRA_INT_KEY) {
        mp_put_uint (&w, 1);
        mp_put_uint (&w, 1);
    }
    uint8_t *buf;
    cr_assert_eq (mp_writer_finish (&w, &buf, size_p), 0);
    return buf;
}

static int
s_try (const msg_t *msg, int skip, int swap, const value_t *with, extra_t extra)
{
    size_t size;
    uint8_t *buf = s_build (msg, skip, swap, with, extra, &size);
    int rc = s_decode (msg->type, buf, size);
    int saved = errno;
    free (buf);
    errno = saved;
    return rc;
}

#define ASSERT_EPROTO(rc, ...) do {                                         \
        int rc_ = (rc);                                                     \
        cr_assert_eq (rc_, -1, __VA_ARGS__);                                \
        cr_assert_eq (errno, EPROTO, __VA_ARGS__);                          \
    } while (0)


//  --------------------------------------------------------------------
//  Generic checks over every message

//  Every type wire.h counts has its row in s_msgs, under its name on the
//  wire, so each test below covers it: a new type fails here until its
//  PROTOCOL.md description is written in.
Test (wire, every_message_type_has_its_description)
{
    for (int type = WIRE_UNKNOWN + 1; type < WIRE_TYPE_COUNT; type++) {
        size_t rows = 0;
        for (size_t m = 0; m < MSGS_COUNT; m++)
            if (s_msgs [m].type == (wire_type_t) type) {
                rows++;
                cr_expect_str_eq (s_msgs [m].name, wire_type_name ((wire_type_t) type));
            }
        cr_expect_eq (rows, 1, "%s has %zu rows in s_msgs", wire_type_name ((wire_type_t) type),
                      rows);
    }
    cr_expect_eq (MSGS_COUNT, WIRE_TYPE_COUNT - 1);
}

Test (wire, hand_built_headers_decode_and_have_their_type)
{
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        size_t size;
        uint8_t *buf = s_build (msg, -1, -1, NULL, EXTRA_NONE, &size);
        cr_assert_eq (s_decode (msg->type, buf, size), 0, "%s refused", msg->name);
        cr_assert_eq (wire_type (buf, size), msg->type, "%s", msg->name);
        cr_assert_str_eq (wire_type_name (msg->type), msg->name);
        free (buf);
    }
}

Test (wire, each_required_field_missing_fails)
{
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        for (int f = 0; f < (int) msg->fields_count; f++) {
            int rc = s_try (msg, f, -1, NULL, EXTRA_NONE);
            if (msg->fields [f].optional)
                cr_assert_eq (rc, 0, "%s without optional %s refused",
                              msg->name, msg->fields [f].key);
            else
                ASSERT_EPROTO (rc, "%s without %s accepted",
                               msg->name, msg->fields [f].key);
        }
    }
}

Test (wire, each_field_with_a_wrong_type_fails)
{
    static const value_t for_str [] = {
        UINT (7), BOOL (true), KIND (V_NIL), KIND (V_BIN), KIND (V_MAP0) };
    static const value_t for_uint [] = {
        STR ("7"), INT (-1), BOOL (true), KIND (V_NIL), KIND (V_DOUBLE) };
    static const value_t for_int [] = {
        STR ("7"), BOOL (true), KIND (V_NIL), KIND (V_DOUBLE) };
    static const value_t for_bool [] = {
        UINT (1), STR ("true"), KIND (V_NIL) };
    static const value_t for_container [] = {
        STR ("x"), UINT (1), KIND (V_NIL), KIND (V_ARRAY_INT) };
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        for (int f = 0; f < (int) msg->fields_count; f++) {
            const field_t *field = &msg->fields [f];
            const value_t *wrong = for_container;
            size_t count = 4;
            switch (field->value.kind) {
                case V_STR: wrong = for_str; count = 5; break;
                case V_UINT: wrong = for_uint; count = 5; break;
                case V_INT: wrong = for_int; count = 4; break;
                case V_BOOL: wrong = for_bool; count = 3; break;
                default: break;
            }
            for (size_t i = 0; i < count; i++) {
                //  nil is how an optional field says "none".
                if (field->optional && wrong [i].kind == V_NIL)
                    continue;
                ASSERT_EPROTO (s_try (msg, -1, f, &wrong [i], EXTRA_NONE),
                               "%s.%s accepted wrong kind %d", msg->name,
                               field->key, (int) wrong [i].kind);
            }
        }
    }
}

Test (wire, numbers_at_the_edges_pass_and_out_of_range_fail)
{
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        for (int f = 0; f < (int) msg->fields_count; f++) {
            const field_t *field = &msg->fields [f];
            for (size_t i = 0; i < field->good_count; i++) {
                value_t value = { .kind = field->value.kind,
                                  .num = field->good [i] };
                cr_assert_eq (s_try (msg, -1, f, &value, EXTRA_NONE), 0,
                              "%s.%s = %lld refused", msg->name, field->key,
                              (long long) field->good [i]);
            }
            for (size_t i = 0; i < field->bad_count; i++) {
                value_t value = { .kind = field->value.kind,
                                  .num = field->bad [i] };
                if (value.num < 0)
                    value.kind = V_INT;
                ASSERT_EPROTO (s_try (msg, -1, f, &value, EXTRA_NONE),
                               "%s.%s = %lld accepted", msg->name,
                               field->key, (long long) field->bad [i]);
            }
        }
    }
}

Test (wire, strings_must_fit_hold_no_nul_and_be_nonempty_where_required)
{
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        for (int f = 0; f < (int) msg->fields_count; f++) {
            const field_t *field = &msg->fields [f];
            if (field->value.kind != V_STR || !field->cap)
                continue;
            char *text = malloc (field->cap + 1);
            memset (text, 'x', field->cap + 1);
            value_t fits = { V_STR, 0, text, field->cap };
            value_t over = { V_STR, 0, text, field->cap + 1 };
            cr_assert_eq (s_try (msg, -1, f, &fits, EXTRA_NONE), 0,
                          "%s.%s of %zu bytes refused", msg->name,
                          field->key, field->cap);
            ASSERT_EPROTO (s_try (msg, -1, f, &over, EXTRA_NONE),
                           "%s.%s of %zu bytes accepted", msg->name,
                           field->key, field->cap + 1);
            text [1] = 0;
            value_t nul = { V_STR, 0, text, 3 };
            ASSERT_EPROTO (s_try (msg, -1, f, &nul, EXTRA_NONE),
                           "%s.%s with a NUL accepted", msg->name, field->key);
            free (text);
            value_t empty = STR ("");
            int rc = s_try (msg, -1, f, &empty, EXTRA_NONE);
            if (field->nonempty)
                ASSERT_EPROTO (rc, "%s.%s empty accepted", msg->name,
                               field->key);
            else
                cr_assert_eq (rc, 0, "%s.%s empty refused", msg->name,
                              field->key);
        }
    }
}

Test (wire, unknown_keys_are_ignored_but_duplicates_and_odd_keys_are_not)
{
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        size_t size;
        uint8_t *buf = s_build (msg, -1, -1, NULL, EXTRA_UNKNOWN, &size);
        cr_assert_eq (s_decode (msg->type, buf, size), 0, "%s: extra key refused",
                      msg->name);
        cr_assert_eq (wire_type (buf, size), msg->type);
        free (buf);
        ASSERT_EPROTO (s_try (msg, -1, -1, NULL, EXTRA_DUPLICATE),
                       "%s: duplicate key accepted", msg->name);
        ASSERT_EPROTO (s_try (msg, -1, -1, NULL, EXTRA_INT_KEY),
                       "%s: integer key accepted", msg->name);
    }
}

Test (wire, other_versions_and_types_fail)
{
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        //  Field 0 is "v", field 1 is "t".
        for (int64_t v = 0; v <= 3; v++) {
            if (v == WIRE_VERSION)
                continue;
            value_t version = UINT (v);
            size_t size;
            uint8_t *buf = s_build (msg, -1, 0, &version, EXTRA_NONE, &size);
            cr_assert_eq (wire_type (buf, size), WIRE_UNKNOWN);
            ASSERT_EPROTO (s_decode (msg->type, buf, size), "%s v%lld accepted",
                           msg->name, (long long) v);
            free (buf);
        }
        //  The header of any other type is not this message.
        for (size_t o = 0; o < MSGS_COUNT; o++) {
            if (o == m)
                continue;
            value_t type = STR (s_msgs [o].name);
            ASSERT_EPROTO (s_try (msg, -1, 1, &type, EXTRA_NONE),
                           "%s decoded a %s", msg->name, s_msgs [o].name);
        }
        value_t nonsense = STR ("jobs");
        size_t size;
        uint8_t *buf = s_build (msg, -1, 1, &nonsense, EXTRA_NONE, &size);
        cr_assert_eq (wire_type (buf, size), WIRE_UNKNOWN);
        free (buf);
    }
}

Test (wire, trailing_bytes_and_every_prefix_fail)
{
    for (size_t m = 0; m < MSGS_COUNT; m++) {
        const msg_t *msg = &s_msgs [m];
        size_t size;
        uint8_t *buf = s_build (msg, -1, -1, NULL, EXTRA_NONE, &size);
        for (size_t cut = 0; cut < size; cut++) {
            ASSERT_EPROTO (s_decode (msg->type, buf, cut), "%s: prefix %zu accepted",
                           msg->name, cut);
            cr_assert_eq (wire_type (buf, cut), WIRE_UNKNOWN);
        }
        uint8_t *longer = malloc (size + 1);
        memcpy (longer, buf, size);
        longer [size] = 0xc0;
        ASSERT_EPROTO (s_decode (msg->type, longer, size + 1), "%s: trailing byte",
                       msg->name);
        cr_assert_eq (wire_type (longer, size + 1), WIRE_UNKNOWN);
        free (longer);
        free (buf);
    }
}

Test (wire, wire_type_refuses_what_is_not_a_header)
{
    cr_assert_eq (wire_type (NULL, 0), WIRE_UNKNOWN);
    const uint8_t array [] = { 0x92, 0x01, 0xa2, 'h', 'b' };
    cr_assert_eq (wire_type (array, sizeof array), WIRE_UNKNOWN);
    const uint8_t empty_map [] = { 0x80 };
    cr_assert_eq (wire_type (empty_map, 1), WIRE_UNKNOWN);
    //  {"v": 1} with no type, and {"t": "hb"} with no version
    const uint8_t no_type [] = { 0x81, 0xa1, 'v', 0x01 };
    cr_assert_eq (wire_type (no_type, sizeof no_type), WIRE_UNKNOWN);
    const uint8_t no_version [] = { 0x81, 0xa1, 't', 0xa2, 'h', 'b' };
    cr_assert_eq (wire_type (no_version, sizeof no_version), WIRE_UNKNOWN);
    //  {"v": 1, "t": "hb"} written by hand from the spec
    const uint8_t hb [] = { 0x82, 0xa1, 'v', 0x01, 0xa1, 't', 0xa2, 'h', 'b' };
    cr_assert_eq (wire_type (hb, sizeof hb), WIRE_HEARTBEAT);
    cr_assert_eq (wire_heartbeat_decode (hb, sizeof hb), 0);
    //  the same with the type as bin instead of str
    const uint8_t bin_type [] = { 0x82, 0xa1, 'v', 0x01, 0xa1, 't',
                                  0xc4, 0x02, 'h', 'b' };
    cr_assert_eq (wire_type (bin_type, sizeof bin_type), WIRE_UNKNOWN);
    cr_assert_str_eq (wire_type_name (WIRE_UNKNOWN), "unknown");
    cr_assert_str_eq (wire_type_name (WIRE_TYPE_COUNT), "unknown");
    cr_assert_str_eq (wire_type_name ((wire_type_t) -1), "unknown");
}


//  --------------------------------------------------------------------
//  Round trips of full values, and what only one message has

//  Encodes with encode, checks the type and that every strict prefix is
//  refused by decode; returns the buffer.
#define ENCODE_CHECKED(name, value, type, buf, size) do {                   \
        cr_assert_eq (wire_##name##_encode (value, &buf, &size), 0);        \
        cr_assert_eq (wire_type (buf, size), type);                         \
        for (size_t cut_ = 0; cut_ < size; cut_++)                          \
            ASSERT_EPROTO (s_decode (type, buf, cut_), "prefix %zu", cut_);    \
    } while (0)

Test (wire, ready_round_trip)
{
    wire_ready_t in = { .component = "generator", .pid = 31337,
                        .host = "ci-runner-3", .version = "0.1.0",
                        .hb_ivl_ms = 2500, .credit = 4 };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (ready, &in, WIRE_READY, buf, size);
    wire_ready_t out;
    cr_assert_eq (wire_ready_decode (&out, buf, size), 0);
    cr_assert_str_eq (out.component, "generator");
    cr_assert_eq (out.pid, 31337);
    cr_assert_str_eq (out.host, "ci-runner-3");
    cr_assert_str_eq (out.version, "0.1.0");
    cr_assert_eq (out.hb_ivl_ms, 2500);
    cr_assert_eq (out.credit, 4);
    free (buf);
}

Test (wire, ready_encoder_refuses_broken_structs)
{
    const wire_ready_t good = { .component = "parser", .pid = 1,
                                .hb_ivl_ms = 1000, .credit = 1 };
    uint8_t *buf; size_t size;
    cr_assert_eq (wire_ready_encode (&good, &buf, &size), 0);
    free (buf);
    wire_ready_t bad = good;
    bad.credit = 0;
    cr_assert_eq (wire_ready_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    bad = good; bad.credit = 1001;
    cr_assert_eq (wire_ready_encode (&bad, &buf, &size), -1);
    bad = good; bad.pid = 0;
    cr_assert_eq (wire_ready_encode (&bad, &buf, &size), -1);
    bad = good; bad.hb_ivl_ms = 5;
    cr_assert_eq (wire_ready_encode (&bad, &buf, &size), -1);
    bad = good; bad.component [0] = 0;
    cr_assert_eq (wire_ready_encode (&bad, &buf, &size), -1);
    //  not terminated inside its buffer
    bad = good; memset (bad.host, 'h', sizeof bad.host);
    cr_assert_eq (wire_ready_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (wire_ready_encode (NULL, &buf, &size), -1);
    //  The zero value is not a worker: it has no component or credit.
    wire_ready_t zero = { 0 };
    cr_assert_eq (wire_ready_encode (&zero, &buf, &size), -1);
}

Test (wire, job_round_trip_carries_the_options)
{
    wire_job_t in = { .job_id = UINT64_MAX, .workflow_id = "wf-9",
                      .step = "generate", .attempt = 3, .deadline_ms = 12000,
                      .options = { .target = "gitlab", .explain = true,
                                   .json = true, .degraded = true } };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (job, &in, WIRE_JOB, buf, size);
    wire_job_t out;
    cr_assert_eq (wire_job_decode (&out, buf, size), 0);
    cr_assert_eq (out.job_id, UINT64_MAX);
    cr_assert_str_eq (out.workflow_id, "wf-9");
    cr_assert_str_eq (out.step, "generate");
    cr_assert_eq (out.attempt, 3);
    cr_assert_eq (out.deadline_ms, 12000);
    cr_assert_str_eq (out.options.target, "gitlab");
    cr_assert (out.options.explain && out.options.json && out.options.degraded);
    free (buf);
    //  Each option flag travels on its own.
    in.options = (wire_options_t) { .json = true };
    ENCODE_CHECKED (job, &in, WIRE_JOB, buf, size);
    cr_assert_eq (wire_job_decode (&out, buf, size), 0);
    cr_assert_str_eq (out.options.target, "");
    cr_assert (out.options.json);
    cr_assert (!out.options.explain && !out.options.degraded);
    free (buf);
}

//  A JOB whose "opt" map is built by put.
static int
s_try_options (void (*put) (mp_writer_t *))
{
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 8);
    mp_put_str (&w, "v"); mp_put_uint (&w, 1);
    mp_put_str (&w, "t"); mp_put_str (&w, "job");
    mp_put_str (&w, "job"); mp_put_uint (&w, 1);
    mp_put_str (&w, "wf"); mp_put_str (&w, "w");
    mp_put_str (&w, "step"); mp_put_str (&w, "parse");
    mp_put_str (&w, "att"); mp_put_uint (&w, 1);
    mp_put_str (&w, "opt");
    put (&w);
    uint8_t *buf; size_t size;
    cr_assert_eq (mp_writer_finish (&w, &buf, &size), 0);
    //  "dl": 1000 last, written by hand: key order does not matter.
    const uint8_t dl [] = { 0xa2, 'd', 'l', 0xcd, 0x03, 0xe8 };
    uint8_t *full = malloc (size + sizeof dl);
    memcpy (full, buf, size);
    memcpy (full + size, dl, sizeof dl);
    int rc = s_decode (WIRE_JOB, full, size + sizeof dl);
    int saved = errno;
    free (full);
    free (buf);
    errno = saved;
    return rc;
}

static void
s_opt_full (mp_writer_t *w)
{
    mp_put_map (w, 4);
    mp_put_str (w, "degr"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_bool (w, false);
    mp_put_str (w, "explain"); mp_put_bool (w, false);
    mp_put_str (w, "target"); mp_put_str (w, "github");
}

static void
s_opt_extra (mp_writer_t *w)
{
    mp_put_map (w, 5);
    mp_put_str (w, "target"); mp_put_str (w, "github");
    mp_put_str (w, "explain"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_bool (w, false);
    mp_put_str (w, "degr"); mp_put_bool (w, false);
    mp_put_str (w, "colour"); mp_put_str (w, "never");
}

static void
s_opt_no_target (mp_writer_t *w)
{
    mp_put_map (w, 3);
    mp_put_str (w, "explain"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_bool (w, false);
    mp_put_str (w, "degr"); mp_put_bool (w, false);
}

static void
s_opt_no_degraded (mp_writer_t *w)
{
    mp_put_map (w, 3);
    mp_put_str (w, "target"); mp_put_str (w, "github");
    mp_put_str (w, "explain"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_bool (w, false);
}

static void
s_opt_json_as_int (mp_writer_t *w)
{
    mp_put_map (w, 4);
    mp_put_str (w, "target"); mp_put_str (w, "github");
    mp_put_str (w, "explain"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_uint (w, 1);
    mp_put_str (w, "degr"); mp_put_bool (w, false);
}

static void
s_opt_long_target (mp_writer_t *w)
{
    mp_put_map (w, 4);
    mp_put_str (w, "target"); mp_put_str (w, "sixteen-chars-xx");
    mp_put_str (w, "explain"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_bool (w, false);
    mp_put_str (w, "degr"); mp_put_bool (w, false);
}

static void
s_opt_duplicate (mp_writer_t *w)
{
    mp_put_map (w, 5);
    mp_put_str (w, "target"); mp_put_str (w, "github");
    mp_put_str (w, "explain"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_bool (w, false);
    mp_put_str (w, "degr"); mp_put_bool (w, false);
    mp_put_str (w, "json"); mp_put_bool (w, true);
}

static void
s_opt_array (mp_writer_t *w)
{
    mp_put_array (w, 4);
    mp_put_str (w, "github");
    mp_put_bool (w, false);
    mp_put_bool (w, false);
    mp_put_bool (w, false);
}

Test (wire, options_map_is_checked_like_a_header)
{
    cr_assert_eq (s_try_options (s_opt_full), 0);
    cr_assert_eq (s_try_options (s_opt_extra), 0);
    ASSERT_EPROTO (s_try_options (s_opt_no_target), "no target");
    ASSERT_EPROTO (s_try_options (s_opt_no_degraded), "no degr");
    ASSERT_EPROTO (s_try_options (s_opt_json_as_int), "json as int");
    ASSERT_EPROTO (s_try_options (s_opt_long_target), "long target");
    ASSERT_EPROTO (s_try_options (s_opt_duplicate), "duplicate");
    ASSERT_EPROTO (s_try_options (s_opt_array), "array");
}

Test (wire, job_encoder_refuses_broken_structs)
{
    const wire_job_t good = { .job_id = 1, .workflow_id = "w", .step = "parse",
                              .attempt = 1, .deadline_ms = 1000 };
    uint8_t *buf; size_t size;
    cr_assert_eq (wire_job_encode (&good, &buf, &size), 0);
    free (buf);
    wire_job_t bad = good;
    bad.job_id = 0;
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    bad = good; bad.workflow_id [0] = 0;
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    bad = good; bad.step [0] = 0;
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    bad = good; bad.attempt = 0;
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    bad = good; bad.attempt = 101;
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    bad = good; bad.deadline_ms = 0;
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    bad = good; bad.deadline_ms = 86400001;
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    bad = good; memset (bad.options.target, 'g', sizeof bad.options.target);
    cr_assert_eq (wire_job_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
}

Test (wire, result_round_trip_of_success_and_failure)
{
    wire_result_t in = { .job_id = 12, .ok = true, .elapsed_us = 987654321 };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (result, &in, WIRE_RESULT, buf, size);
    wire_result_t out;
    cr_assert_eq (wire_result_decode (&out, buf, size), 0);
    cr_assert_eq (out.job_id, 12);
    cr_assert (out.ok && !out.input_error);
    cr_assert_str_eq (out.error, "");
    cr_assert_eq (out.elapsed_us, 987654321);
    free (buf);

    in = (wire_result_t) { .job_id = 13, .input_error = true,
                           .error = "README.md: empty document" };
    ENCODE_CHECKED (result, &in, WIRE_RESULT, buf, size);
    cr_assert_eq (wire_result_decode (&out, buf, size), 0);
    cr_assert (!out.ok && out.input_error);
    cr_assert_str_eq (out.error, "README.md: empty document");
    free (buf);
}

Test (wire, result_ok_and_error_are_exclusive)
{
    uint8_t *buf; size_t size;
    wire_result_t bad = { .job_id = 1, .ok = true, .error = "but it failed" };
    cr_assert_eq (wire_result_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    bad = (wire_result_t) { .job_id = 1, .ok = true, .input_error = true };
    cr_assert_eq (wire_result_encode (&bad, &buf, &size), -1);
    bad = (wire_result_t) { .job_id = 1, .ok = false };
    cr_assert_eq (wire_result_encode (&bad, &buf, &size), -1);
    bad = (wire_result_t) { .job_id = 0, .ok = true };
    cr_assert_eq (wire_result_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    //  The decoder holds the peer to the same rule.
    const msg_t *msg = &s_msgs [2];
    cr_assert_str_eq (msg->name, "result");
    value_t yes = BOOL (true);
    ASSERT_EPROTO (s_try (msg, -1, 3, &yes, EXTRA_NONE), "ok with err");
}

Test (wire, heartbeat_round_trip)
{
    uint8_t *buf; size_t size;
    cr_assert_eq (wire_heartbeat_encode (&buf, &size), 0);
    cr_assert_eq (wire_type (buf, size), WIRE_HEARTBEAT);
    cr_assert_eq (wire_heartbeat_decode (buf, size), 0);
    for (size_t cut = 0; cut < size; cut++)
        ASSERT_EPROTO (wire_heartbeat_decode (buf, cut), "prefix %zu", cut);
    free (buf);
}

Test (wire, bye_round_trip)
{
    wire_bye_t in = { .reason = "supervisor stopping: SIGTERM" };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (bye, &in, WIRE_BYE, buf, size);
    wire_bye_t out;
    cr_assert_eq (wire_bye_decode (&out, buf, size), 0);
    cr_assert_str_eq (out.reason, "supervisor stopping: SIGTERM");
    free (buf);
    wire_bye_t zero = { { 0 } };
    ENCODE_CHECKED (bye, &zero, WIRE_BYE, buf, size);
    cr_assert_eq (wire_bye_decode (&out, buf, size), 0);
    cr_assert_str_eq (out.reason, "");
    free (buf);
    memset (in.reason, 'r', sizeof in.reason);
    cr_assert_eq (wire_bye_encode (&in, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
}

Test (wire, settings_round_trip_with_and_without_knowledge)
{
    char kb [] = "actions:\n  actions/checkout: v4\n";
    wire_settings_t in = { .hb_ivl_ms = 1000, .hb_liveness = 3,
                           .knowledge = kb };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (settings, &in, WIRE_SETTINGS, buf, size);
    wire_settings_t out;
    cr_assert_eq (wire_settings_decode (&out, buf, size), 0);
    cr_assert_eq (out.hb_ivl_ms, 1000);
    cr_assert_eq (out.hb_liveness, 3);
    cr_assert_str_eq (out.knowledge, kb);
    cr_assert_neq (out.knowledge, kb);
    wire_settings_release (&out);
    cr_assert_null (out.knowledge);
    wire_settings_release (&out);       //  twice is harmless
    wire_settings_release (NULL);
    free (buf);

    in.knowledge = NULL;
    ENCODE_CHECKED (settings, &in, WIRE_SETTINGS, buf, size);
    cr_assert_eq (wire_settings_decode (&out, buf, size), 0);
    cr_assert_null (out.knowledge);
    free (buf);

    //  "kb": nil means none as well.
    const msg_t *msg = &s_msgs [5];
    cr_assert_str_eq (msg->name, "settings");
    value_t nil = KIND (V_NIL);
    cr_assert_eq (s_try (msg, -1, 4, &nil, EXTRA_NONE), 0);
}

Test (wire, settings_limits)
{
    uint8_t *buf; size_t size;
    wire_settings_t bad = { .hb_ivl_ms = 1000, .hb_liveness = 0 };
    cr_assert_eq (wire_settings_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    bad = (wire_settings_t) { .hb_ivl_ms = 60001, .hb_liveness = 3 };
    cr_assert_eq (wire_settings_encode (&bad, &buf, &size), -1);
    //  Knowledge up to 16 MiB travels; one byte more does not.
    size_t max = (size_t) 16 << 20;
    char *kb = malloc (max + 2);
    memset (kb, '#', max + 1);
    kb [max] = 0;
    wire_settings_t in = { .hb_ivl_ms = 1000, .hb_liveness = 3,
                           .knowledge = kb };
    cr_assert_eq (wire_settings_encode (&in, &buf, &size), 0);
    wire_settings_t out;
    cr_assert_eq (wire_settings_decode (&out, buf, size), 0);
    cr_assert_eq (strlen (out.knowledge), max);
    wire_settings_release (&out);
    free (buf);
    kb [max] = '#';
    kb [max + 1] = 0;
    cr_assert_eq (wire_settings_encode (&in, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    const msg_t *msg = &s_msgs [5];
    value_t over = { V_STR, 0, kb, max + 1 };
    ASSERT_EPROTO (s_try (msg, -1, 4, &over, EXTRA_NONE), "kb too long");
    free (kb);
}

Test (wire, submit_round_trip)
{
    wire_submit_t in = { .req_id = 0xfeedfacecafeULL, .workflow_id = "rel-1.2",
                         .priority = 1000, .timeout_ms = 86400000,
                         .attach = false,
                         .options = { .target = "github", .explain = true } };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (submit, &in, WIRE_SUBMIT, buf, size);
    wire_submit_t out;
    cr_assert_eq (wire_submit_decode (&out, buf, size), 0);
    cr_assert_eq (out.req_id, 0xfeedfacecafeULL);
    cr_assert_str_eq (out.workflow_id, "rel-1.2");
    cr_assert_eq (out.priority, 1000);
    cr_assert_eq (out.timeout_ms, 86400000);
    cr_assert (!out.attach);
    cr_assert_str_eq (out.options.target, "github");
    cr_assert (out.options.explain && !out.options.json);
    free (buf);

    //  An attach names the workflow; the zero value is a plain submit.
    in = (wire_submit_t) { .workflow_id = "rel-1.2", .attach = true };
    ENCODE_CHECKED (submit, &in, WIRE_SUBMIT, buf, size);
    cr_assert_eq (wire_submit_decode (&out, buf, size), 0);
    cr_assert (out.attach);
    cr_assert_eq (out.priority, 0);
    free (buf);
    wire_submit_t zero = { 0 };
    ENCODE_CHECKED (submit, &zero, WIRE_SUBMIT, buf, size);
    free (buf);
}

Test (wire, submit_encoder_refuses_broken_structs)
{
    uint8_t *buf; size_t size;
    wire_submit_t bad = { .priority = 1001 };
    cr_assert_eq (wire_submit_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    bad = (wire_submit_t) { .priority = -1 };
    cr_assert_eq (wire_submit_encode (&bad, &buf, &size), -1);
    bad = (wire_submit_t) { .timeout_ms = 86400001 };
    cr_assert_eq (wire_submit_encode (&bad, &buf, &size), -1);
    bad = (wire_submit_t) { .attach = true };   //  attach to nothing
    cr_assert_eq (wire_submit_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    //  and the decoder says the same of an attach with no workflow id
    const msg_t *msg = &s_msgs [6];
    cr_assert_str_eq (msg->name, "submit");
    size_t fsize;
    value_t yes = BOOL (true);
    uint8_t *attach = s_build (msg, -1, 6, &yes, EXTRA_NONE, &fsize);
    cr_assert_eq (s_decode (WIRE_SUBMIT, attach, fsize), 0);
    free (attach);
    value_t empty = STR ("");
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 8);
    for (size_t f = 0; f < msg->fields_count; f++) {
        mp_put_str (&w, msg->fields [f].key);
        s_put_value (&w, f == 3? &empty: f == 6? &yes: &msg->fields [f].value);
    }
    cr_assert_eq (mp_writer_finish (&w, &attach, &fsize), 0);
    ASSERT_EPROTO (s_decode (WIRE_SUBMIT, attach, fsize), "attach to nothing");
    free (attach);
}

Test (wire, request_round_trip_with_zero_to_max_args)
{
    wire_request_t in = { .req_id = 3, .op = "status" };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (request, &in, WIRE_REQUEST, buf, size);
    wire_request_t out;
    cr_assert_eq (wire_request_decode (&out, buf, size), 0);
    cr_assert_str_eq (out.op, "status");
    cr_assert_eq (out.args_count, 0);
    cr_assert_null (out.args [0]);
    wire_request_release (&out);
    free (buf);

    char *args [WIRE_MAX_ARGS] = { "scale", "parser", "3", "", "--since",
                                   "2024-05-01T00:00:00Z", "a b c", "last" };
    in = (wire_request_t) { .req_id = UINT64_MAX, .op = "ctl",
                            .args_count = WIRE_MAX_ARGS };
    memcpy (in.args, args, sizeof args);
    ENCODE_CHECKED (request, &in, WIRE_REQUEST, buf, size);
    cr_assert_eq (wire_request_decode (&out, buf, size), 0);
    cr_assert_eq (out.req_id, UINT64_MAX);
    cr_assert_str_eq (out.op, "ctl");
    cr_assert_eq (out.args_count, WIRE_MAX_ARGS);
    for (size_t i = 0; i < WIRE_MAX_ARGS; i++) {
        cr_assert_str_eq (out.args [i], args [i]);
        cr_assert_neq (out.args [i], args [i]);
    }
    wire_request_release (&out);
    cr_assert_eq (out.args_count, 0);
    cr_assert_null (out.args [0]);
    wire_request_release (NULL);
    free (buf);

    in.args_count = 2;
    ENCODE_CHECKED (request, &in, WIRE_REQUEST, buf, size);
    cr_assert_eq (wire_request_decode (&out, buf, size), 0);
    cr_assert_eq (out.args_count, 2);
    cr_assert_null (out.args [2]);
    wire_request_release (&out);
    free (buf);
}

//  A REQUEST whose "args" is count strings of len bytes, or with one
//  integer in place of the last string.
static int
s_try_args (size_t count, size_t len, bool last_is_int)
{
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 5);
    mp_put_str (&w, "v"); mp_put_uint (&w, 1);
    mp_put_str (&w, "t"); mp_put_str (&w, "request");
    mp_put_str (&w, "req"); mp_put_uint (&w, 1);
    mp_put_str (&w, "op"); mp_put_str (&w, "down");
    mp_put_str (&w, "args");
    mp_put_array (&w, (uint32_t) count);
    char *text = malloc (len + 1);
    memset (text, 'a', len);
    for (size_t i = 0; i < count; i++)
        if (last_is_int && i + 1 == count)
            mp_put_uint (&w, 7);
        else
            mp_put_strn (&w, text, len);
    free (text);
    uint8_t *buf; size_t size;
    cr_assert_eq (mp_writer_finish (&w, &buf, &size), 0);
    int rc = s_decode (WIRE_REQUEST, buf, size);
    int saved = errno;
    free (buf);
    errno = saved;
    return rc;
}

Test (wire, request_args_are_bounded)
{
    cr_assert_eq (s_try_args (WIRE_MAX_ARGS, 4096, false), 0);
    ASSERT_EPROTO (s_try_args (WIRE_MAX_ARGS + 1, 1, false), "9 args");
    ASSERT_EPROTO (s_try_args (3, 4097, false), "long arg");
    //  a failure after some strings were copied frees them (ASan checks)
    ASSERT_EPROTO (s_try_args (5, 10, true), "int arg");
    ASSERT_EPROTO (s_try_args (1, 0, true), "only an int");

    uint8_t *buf; size_t size;
    wire_request_t bad = { .op = "ctl", .args_count = WIRE_MAX_ARGS + 1 };
    cr_assert_eq (wire_request_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    bad = (wire_request_t) { .op = "ctl", .args_count = 1 };   //  args [0] NULL
    cr_assert_eq (wire_request_encode (&bad, &buf, &size), -1);
    bad = (wire_request_t) { .args_count = 0 };                //  no op
    cr_assert_eq (wire_request_encode (&bad, &buf, &size), -1);
    char *long_arg = malloc (4098);
    memset (long_arg, 'z', 4097);
    long_arg [4097] = 0;
    bad = (wire_request_t) { .op = "ctl", .args = { long_arg },
                             .args_count = 1 };
    cr_assert_eq (wire_request_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    free (long_arg);
}

Test (wire, reply_round_trip)
{
    wire_reply_t in = { .req_id = 77, .code = 4, .workflow_id = "wf-3",
                        .message = "timed out after 60000 ms in detect",
                        .degraded = true };
    uint8_t *buf; size_t size;
    ENCODE_CHECKED (reply, &in, WIRE_REPLY, buf, size);
    wire_reply_t out;
    cr_assert_eq (wire_reply_decode (&out, buf, size), 0);
    cr_assert_eq (out.req_id, 77);
    cr_assert_eq (out.code, 4);
    cr_assert_str_eq (out.workflow_id, "wf-3");
    cr_assert_str_eq (out.message, "timed out after 60000 ms in detect");
    cr_assert (out.degraded);
    free (buf);

    wire_reply_t bad = { .code = -1 };
    cr_assert_eq (wire_reply_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
    bad = (wire_reply_t) { .code = 126 };
    cr_assert_eq (wire_reply_encode (&bad, &buf, &size), -1);
    bad = (wire_reply_t) { .code = 0 };
    memset (bad.message, 'm', sizeof bad.message);
    cr_assert_eq (wire_reply_encode (&bad, &buf, &size), -1);
    cr_assert_eq (errno, EINVAL);
}



//  --------------------------------------------------------------------
//  The bytes on the wire: one header of each type (and each optional
//  key), pinned, so a change to how the codecs are written cannot change
//  what they send.

#define PIN(name, value, expected) do {                                     \
        uint8_t *buf_;                                                      \
        size_t size_;                                                       \
        cr_assert_eq (wire_##name##_encode (value, &buf_, &size_), 0);      \
        tu_assert_bytes (#name, buf_, size_, expected);                      \
        free (buf_);                                                        \
    } while (0)

Test (wire, encoded_bytes_are_pinned)
{
    wire_ready_t ready = { .component = "parser", .pid = 4242,
                           .host = "build-7", .version = "0.1.0",
                           .hb_ivl_ms = 1000, .credit = 2 };
    PIN (ready, &ready, "88a17601a174a57265616479a4636f6d70a6706172736572a3706964"
         "cd1092a4686f7374a76275696c642d37a3766572a5302e312e30a268"
         "62cd03e8a663726564697402");
    wire_job_t job = { .job_id = 77, .workflow_id = "wf-1", .step = "detect",
                       .attempt = 2, .deadline_ms = 30000,
                       .options = { .target = "gitlab", .explain = true,
                                    .degraded = true, .check = true } };
    PIN (job, &job, "88a17601a174a36a6f62a36a6f624da27766a477662d31a473746570"
         "a6646574656374a361747402a2646ccd7530a36f707485a674617267"
         "6574a66769746c6162a76578706c61696ec3a46a736f6ec2a4646567"
         "72c3a5636865636bc3");
    wire_result_t ok = { .job_id = UINT64_MAX, .ok = true, .elapsed_us = 1234,
                         .no_tests = true };
    PIN (result, &ok, "88a17601a174a6726573756c74a36a6f62cfffffffffffffffffa26f"
         "6bc3a5696e657272c2a3657272a0a27573cd04d2a66e6f74657374c3");
    wire_result_t failed = { .job_id = 78, .input_error = true,
                             .error = "README.md: not UTF-8 at line 3",
                             .elapsed_us = 70000 };
    PIN (result, &failed, "87a17601a174a6726573756c74a36a6f624ea26f6bc2a5696e657272"
         "c3a3657272be524541444d452e6d643a206e6f74205554462d382061"
         "74206c696e652033a27573ce00011170");
    uint8_t *buf;
    size_t size;
    cr_assert_eq (wire_heartbeat_encode (&buf, &size), 0);
    tu_assert_bytes ("heartbeat", buf, size, "82a17601a174a26862");
    free (buf);
    wire_bye_t bye = { .reason = WIRE_BYE_SUPERVISOR_STOPPING };
    PIN (bye, &bye, "83a17601a174a3627965a3776879b373757065727669736f72207374"
         "6f7070696e67");
    wire_settings_t settings = { .hb_ivl_ms = 2500, .hb_liveness = 3 };
    PIN (settings, &settings, "84a17601a174a873657474696e6773a26862cd09c4a46c69766503");
    settings.knowledge = "actions:\n  actions/checkout: v4\n";
    PIN (settings, &settings, "85a17601a174a873657474696e6773a26862cd09c4a46c69766503a2"
         "6b62d920616374696f6e733a0a2020616374696f6e732f636865636b"
         "6f75743a2076340a");
    wire_submit_t submit = { .req_id = 9, .workflow_id = "nightly-42",
                             .priority = 250, .timeout_ms = 60000,
                             .options = { .target = "github", .json = true } };
    PIN (submit, &submit, "88a17601a174a67375626d6974a372657109a27766aa6e696768746c"
         "792d3432a3707269ccfaa2746fcdea60a6617474616368c2a36f7074"
         "85a6746172676574a6676974687562a76578706c61696ec2a46a736f"
         "6ec3a464656772c2a5636865636bc2");
    wire_submit_t attach = { .req_id = 1u << 20, .workflow_id = "w",
                             .priority = 1000, .attach = true };
    PIN (submit, &attach, "88a17601a174a67375626d6974a3726571ce00100000a27766a177a3"
         "707269cd03e8a2746f00a6617474616368c3a36f707485a674617267"
         "6574a0a76578706c61696ec2a46a736f6ec2a464656772c2a5636865"
         "636bc2");
    wire_request_t request = { .req_id = 5, .op = "ctl",
                               .args = { "scale", "parser", "3" },
                               .args_count = 3 };
    PIN (request, &request, "85a17601a174a772657175657374a372657105a26f70a363746ca461"
         "72677393a57363616c65a6706172736572a133");
    wire_request_t status = { .req_id = 6, .op = "status" };
    PIN (request, &status, "85a17601a174a772657175657374a372657106a26f70a67374617475"
         "73a46172677390");
    wire_reply_t reply = { .req_id = 9, .code = 4, .workflow_id = "nightly-42",
                           .message = "timed out", .degraded = true };
    PIN (reply, &reply, "87a17601a174a57265706c79a372657109a4636f646504a27766aa6e"
         "696768746c792d3432a36d7367a974696d6564206f7574a464656772"
         "c3");
    wire_reply_t accepted = { .req_id = 9, .workflow_id = "nightly-42",
                              .accepted = true, .no_tests = true };
    PIN (reply, &accepted, "89a17601a174a57265706c79a372657109a4636f646500a27766aa6e"
         "696768746c792d3432a36d7367a0a464656772c2a3616363c3a66e6f"
         "74657374c3");
}

//  --------------------------------------------------------------------
//  Priorities

Test (wire, priority_names_and_numbers)
{
    int32_t p = -7;
    cr_assert_eq (wire_priority_parse ("critical", &p), 0);
    cr_assert_eq (p, 400);
    cr_assert_eq (wire_priority_parse ("high", &p), 0);
    cr_assert_eq (p, 300);
    cr_assert_eq (wire_priority_parse ("normal", &p), 0);
    cr_assert_eq (p, 200);
    cr_assert_eq (wire_priority_parse ("low", &p), 0);
    cr_assert_eq (p, 100);
    cr_assert_eq (wire_priority_parse ("High", &p), 0);
    cr_assert_eq (p, 300);
    cr_assert_eq (wire_priority_parse ("0", &p), 0);
    cr_assert_eq (p, 0);
    cr_assert_eq (wire_priority_parse ("1000", &p), 0);
    cr_assert_eq (p, 1000);
    cr_assert_eq (wire_priority_parse ("250", &p), 0);
    cr_assert_eq (p, 250);
    cr_assert_eq (wire_priority_parse ("0042", &p), 0);
    cr_assert_eq (p, 42);
}

Test (wire, priority_garbage_overflow_and_negatives_fail)
{
    static const char *const bad [] = {
        "", "urgent", "criticals", "12abc", " 5", "5 ", "+5", "-1", "-0",
        "0x10", "1e3", "1001", "2147483648", "99999999999999999999999",
        "-99999999999999999999999", "1 000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        int32_t p = 123;
        errno = 0;
        cr_assert_eq (wire_priority_parse (bad [i], &p), -1, "'%s'", bad [i]);
        cr_assert_eq (errno, EINVAL, "'%s'", bad [i]);
        cr_assert_eq (p, 123, "'%s' changed the output", bad [i]);
    }
    int32_t p;
    cr_assert_eq (wire_priority_parse (NULL, &p), -1);
    cr_assert_eq (wire_priority_parse ("low", NULL), -1);
}

Test (wire, priority_levels)
{
    cr_assert_str_eq (wire_priority_level (1000), "critical");
    cr_assert_str_eq (wire_priority_level (400), "critical");
    cr_assert_str_eq (wire_priority_level (399), "high");
    cr_assert_str_eq (wire_priority_level (300), "high");
    cr_assert_str_eq (wire_priority_level (299), "normal");
    cr_assert_str_eq (wire_priority_level (200), "normal");
    cr_assert_str_eq (wire_priority_level (199), "low");
    cr_assert_str_eq (wire_priority_level (0), "low");
    cr_assert_str_eq (wire_priority_level (-5), "low");
    cr_assert_str_eq (wire_priority_level (INT32_MAX), "critical");
    //  Each named priority is in its own level.
    cr_assert_str_eq (wire_priority_level (WIRE_PRIORITY_LOW), "low");
    cr_assert_str_eq (wire_priority_level (WIRE_PRIORITY_NORMAL), "normal");
    cr_assert_str_eq (wire_priority_level (WIRE_PRIORITY_HIGH), "high");
    cr_assert_str_eq (wire_priority_level (WIRE_PRIORITY_CRITICAL), "critical");
}
