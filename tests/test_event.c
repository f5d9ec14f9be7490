/*  Tests for common/event: fields, the codec (round trip, every prefix,
    wrong types) and RFC 3339 times.  */
#include "common/event.h"
#include "proto/mp.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

//  A workflow.completed as the supervisor would journal it.
static void
s_sample (event_t *event)
{
    memset (event, 0, sizeof *event);
    event->seq = 1234567890123ull;
    event->time = 1714566896789ull;
    cr_assert_eq (event_set_type (event, "workflow.completed"), 0);
    cr_assert_eq (event_add_str (event, "workflow_id", "wf-7"), 0);
    cr_assert_eq (event_add_int (event, "attempt", 2), 0);
    cr_assert_eq (event_add_int (event, "delta", -40000000000ll), 0);
    cr_assert_eq (event_add_bool (event, "cached", true), 0);
    const char yaml [] = "name: CI\non: [push]\n\0binary";
    cr_assert_eq (event_add_bytes (event, "workflow", yaml, sizeof yaml), 0);
    cr_assert_eq (event_add_str (event, "reason", ""), 0);
}

static uint8_t *
s_pack (void (*fill) (mp_writer_t *), size_t *size_p)
{
    mp_writer_t w;
    mp_writer_init (&w);
    fill (&w);
    uint8_t *buf;
    cr_assert_eq (mp_writer_finish (&w, &buf, size_p), 0);
    return buf;
}

Test (event, fields_keep_their_order_kind_and_value)
{
    event_t event;
    s_sample (&event);
    cr_assert_eq (event.count, 6);
    cr_assert_str_eq (event.fields [0].key, "workflow_id");
    cr_assert_str_eq (event.fields [5].key, "reason");
    cr_assert_str_eq (event_get_str (&event, "workflow_id"), "wf-7");
    int64_t n;
    cr_assert_eq (event_get_int (&event, "delta", &n), 0);
    cr_assert_eq (n, -40000000000ll);
    bool b = false;
    cr_assert_eq (event_get_bool (&event, "cached", &b), 0);
    cr_assert (b);
    size_t size;
    const uint8_t *bytes = event_get_bytes (&event, "workflow", &size);
    cr_assert_not_null (bytes);
    cr_assert_eq (size, 28);    //  20 + NUL + "binary" + NUL
    cr_assert_eq (bytes [20], 0);
    //  Absent keys and other kinds are refused, not converted.
    cr_assert_null (event_get_str (&event, "attempt"));
    cr_assert_null (event_get_str (&event, "nope"));
    cr_assert_null (event_get_bytes (&event, "workflow_id", &size));
    cr_assert_eq (event_get_int (&event, "workflow_id", &n), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert_eq (event_get_bool (&event, "attempt", &b), -1);
    cr_assert_eq (errno, ENOENT);
    //  Keys are unique and named.
    cr_assert_eq (event_add_int (&event, "attempt", 3), -1);
    cr_assert_eq (errno, EEXIST);
    cr_assert_eq (event_add_int (&event, "", 3), -1);
    cr_assert_eq (errno, EINVAL);
    char long_key [EVENT_NAME_MAX + 2];
    memset (long_key, 'k', sizeof long_key - 1);
    long_key [sizeof long_key - 1] = 0;
    cr_assert_eq (event_add_bool (&event, long_key, true), -1);
    cr_assert_eq (errno, EINVAL);
    long_key [EVENT_NAME_MAX] = 0;
    cr_assert_eq (event_add_bool (&event, long_key, true), 0);
    cr_assert_eq (event_add_str (&event, "null", NULL), -1);
    cr_assert_eq (event_set_type (&event, ""), -1);
    cr_assert_eq (event.count, 7);
    event_release (&event);
    cr_assert_eq (event.count, 0);
    cr_assert_null (event.type);
    event_release (&event);     //  twice is fine
}

Test (event, round_trip_keeps_everything)
{
    event_t event;
    s_sample (&event);
    uint8_t *buf;
    size_t size;
    cr_assert_eq (event_encode (&event, &buf, &size), 0);
    event_t back = { 0 };
    cr_assert_eq (event_decode (&back, buf, size), 0);
    cr_assert_eq (back.seq, event.seq);
    cr_assert_eq (back.time, event.time);
    cr_assert_str_eq (back.type, "workflow.completed");
    cr_assert_eq (back.count, event.count);
    for (size_t i = 0; i < event.count; i++) {
        cr_assert_str_eq (back.fields [i].key, event.fields [i].key);
        cr_assert_eq (back.fields [i].kind, event.fields [i].kind);
        cr_assert_eq (back.fields [i].num, event.fields [i].num);
        cr_assert_eq (back.fields [i].size, event.fields [i].size);
        if (event.fields [i].data)
            cr_assert_eq (memcmp (back.fields [i].data, event.fields [i].data,
                                  event.fields [i].size), 0);
    }
    //  Decoding into a used event replaces it.
    cr_assert_eq (event_decode (&back, buf, size), 0);
    cr_assert_eq (back.count, event.count);
    //  An event without fields, and extreme numbers.
    event_t tiny = { .seq = UINT64_MAX, .time = 0 };
    cr_assert_eq (event_set_type (&tiny, "system.started"), 0);
    cr_assert_eq (event_add_int (&tiny, "min", INT64_MIN), 0);
    cr_assert_eq (event_add_int (&tiny, "max", INT64_MAX), 0);
    uint8_t *tbuf;
    size_t tsize;
    cr_assert_eq (event_encode (&tiny, &tbuf, &tsize), 0);
    cr_assert_eq (event_decode (&back, tbuf, tsize), 0);
    int64_t n;
    cr_assert_eq (back.seq, UINT64_MAX);
    cr_assert_eq (event_get_int (&back, "min", &n), 0);
    cr_assert_eq (n, INT64_MIN);
    cr_assert_eq (event_get_int (&back, "max", &n), 0);
    cr_assert_eq (n, INT64_MAX);
    //  No type: nothing to encode.
    event_t untyped = { 0 };
    cr_assert_eq (event_encode (&untyped, &tbuf, &tsize), -1);
    cr_assert_eq (errno, EINVAL);
    free (tbuf);
    event_release (&tiny);
    event_release (&back);
    event_release (&event);
    free (buf);
}

Test (event, every_prefix_and_a_trailing_byte_fail)
{
    event_t event;
    s_sample (&event);
    uint8_t *buf;
    size_t size;
    cr_assert_eq (event_encode (&event, &buf, &size), 0);
    event_t back = { 0 };
    for (size_t cut = 0; cut < size; cut++) {
        errno = 0;
        cr_assert_eq (event_decode (&back, buf, cut), -1, "prefix %zu", cut);
        cr_assert_eq (errno, EPROTO);
        cr_assert_eq (back.count, 0);
        cr_assert_null (back.type);
    }
    uint8_t *longer = malloc (size + 1);
    memcpy (longer, buf, size);
    longer [size] = 0xc0;
    cr_assert_eq (event_decode (&back, longer, size + 1), -1);
    cr_assert_eq (errno, EPROTO);
    free (longer);
    free (buf);
    event_release (&event);
}

//  The valid head [seq, time, type, map of count], for the bad cases.
static void
s_head (mp_writer_t *w, uint32_t count)
{
    mp_put_array (w, 4);
    mp_put_uint (w, 1);
    mp_put_uint (w, 2);
    mp_put_str (w, "worker.ready");
    mp_put_map (w, count);
}

static void s_good (mp_writer_t *w)
{ s_head (w, 1); mp_put_str (w, "pid"); mp_put_int (w, 7); }
static void s_three_items (mp_writer_t *w)
{ mp_put_array (w, 3); mp_put_uint (w, 1); mp_put_uint (w, 2); mp_put_str (w, "x"); }
static void s_five_items (mp_writer_t *w)
{ mp_put_array (w, 5); mp_put_uint (w, 1); mp_put_uint (w, 2);
  mp_put_str (w, "x"); mp_put_map (w, 0); mp_put_nil (w); }
static void s_map_root (mp_writer_t *w)
{ mp_put_map (w, 1); mp_put_str (w, "seq"); mp_put_uint (w, 1); }
static void s_seq_string (mp_writer_t *w)
{ mp_put_array (w, 4); mp_put_str (w, "1"); mp_put_uint (w, 2);
  mp_put_str (w, "x"); mp_put_map (w, 0); }
static void s_time_negative (mp_writer_t *w)
{ mp_put_array (w, 4); mp_put_uint (w, 1); mp_put_int (w, -2);
  mp_put_str (w, "x"); mp_put_map (w, 0); }
static void s_type_bin (mp_writer_t *w)
{ mp_put_array (w, 4); mp_put_uint (w, 1); mp_put_uint (w, 2);
  mp_put_bin (w, "x", 1); mp_put_map (w, 0); }
static void s_type_empty (mp_writer_t *w)
{ mp_put_array (w, 4); mp_put_uint (w, 1); mp_put_uint (w, 2);
  mp_put_str (w, ""); mp_put_map (w, 0); }
static void s_type_with_nul (mp_writer_t *w)
{ mp_put_array (w, 4); mp_put_uint (w, 1); mp_put_uint (w, 2);
  mp_put_strn (w, "a\0b", 3); mp_put_map (w, 0); }
static void s_fields_array (mp_writer_t *w)
{ mp_put_array (w, 4); mp_put_uint (w, 1); mp_put_uint (w, 2);
  mp_put_str (w, "x"); mp_put_array (w, 0); }
static void s_key_int (mp_writer_t *w)
{ s_head (w, 1); mp_put_uint (w, 5); mp_put_int (w, 7); }
static void s_key_empty (mp_writer_t *w)
{ s_head (w, 1); mp_put_str (w, ""); mp_put_int (w, 7); }
static void s_value_nil (mp_writer_t *w)
{ s_head (w, 1); mp_put_str (w, "pid"); mp_put_nil (w); }
static void s_value_array (mp_writer_t *w)
{ s_head (w, 1); mp_put_str (w, "pid"); mp_put_array (w, 0); }
static void s_value_float (mp_writer_t *w)
{ s_head (w, 1); mp_put_str (w, "pid");
  msgpack_pack_double (&w->pk, 1.5); }
static void s_value_too_big (mp_writer_t *w)
{ s_head (w, 1); mp_put_str (w, "pid"); mp_put_uint (w, (uint64_t) INT64_MAX + 1); }
static void s_value_str_nul (mp_writer_t *w)
{ s_head (w, 1); mp_put_str (w, "reason"); mp_put_strn (w, "a\0", 2); }
static void s_duplicate_key (mp_writer_t *w)
{ s_head (w, 2); mp_put_str (w, "pid"); mp_put_int (w, 7);
  mp_put_str (w, "pid"); mp_put_int (w, 8); }

Test (event, wrong_shapes_and_types_are_eproto)
{
    size_t size;
    uint8_t *buf = s_pack (s_good, &size);
    event_t event = { 0 };
    cr_assert_eq (event_decode (&event, buf, size), 0, "the control case");
    free (buf);
    struct { const char *name; void (*fill) (mp_writer_t *); } bad [] = {
        { "three items", s_three_items }, { "five items", s_five_items },
        { "map root", s_map_root }, { "seq string", s_seq_string },
        { "time negative", s_time_negative }, { "type bin", s_type_bin },
        { "type empty", s_type_empty }, { "type nul", s_type_with_nul },
        { "fields array", s_fields_array }, { "key int", s_key_int },
        { "key empty", s_key_empty }, { "value nil", s_value_nil },
        { "value array", s_value_array }, { "value float", s_value_float },
        { "value > INT64_MAX", s_value_too_big },
        { "str with NUL", s_value_str_nul }, { "duplicate", s_duplicate_key },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        buf = s_pack (bad [i].fill, &size);
        errno = 0;
        cr_assert_eq (event_decode (&event, buf, size), -1, "%s", bad [i].name);
        cr_assert_eq (errno, EPROTO, "%s", bad [i].name);
        cr_assert_eq (event.count, 0);
        free (buf);
    }
    cr_assert_eq (event_decode (&event, NULL, 0), -1);
    event_release (&event);
}

Test (event, rfc3339_times)
{
    char buf [EVENT_TIME_SIZE];
    struct { uint64_t ms; const char *text; } cases [] = {
        { 0, "1970-01-01T00:00:00.000Z" },
        { 999, "1970-01-01T00:00:00.999Z" },
        { 68256000000ull, "1972-03-01T00:00:00.000Z" },
        { 951782400000ull, "2000-02-29T00:00:00.000Z" },
        { 1714566896789ull, "2024-05-01T12:34:56.789Z" },
        { 4107542399001ull, "2100-02-28T23:59:59.001Z" },
        { 253402300799999ull, "9999-12-31T23:59:59.999Z" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        cr_assert_eq (event_time_rfc3339 (cases [i].ms, buf, sizeof buf), 0);
        cr_assert_str_eq (buf, cases [i].text);
    }
    cr_assert_eq (event_time_rfc3339 (253402300800000ull, buf, sizeof buf), -1);
    cr_assert_eq (errno, ERANGE);
    cr_assert_eq (event_time_rfc3339 (0, buf, sizeof buf - 1), -1);
    cr_assert_eq (errno, EINVAL);
}
