/*  Tests for proto/mp: the checked reader and the writer.  */
#include "proto/mp.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

Test (mp, round_trip_of_a_map)
{
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 3);
    mp_put_str (&w, "s"); mp_put_str (&w, "hello");
    mp_put_str (&w, "n"); mp_put_uint (&w, 42);
    mp_put_str (&w, "b"); mp_put_bool (&w, true);
    uint8_t *buf; size_t size;
    cr_assert_eq (mp_writer_finish (&w, &buf, &size), 0);
    mp_reader_t r;
    const msgpack_object *root = mp_read (&r, buf, size);
    cr_assert_not_null (root);
    char s [8]; uint32_t n; bool b;
    cr_assert_eq (mp_str_copy (mp_get (root, "s"), s, sizeof s), 0);
    cr_assert_str_eq (s, "hello");
    cr_assert_eq (mp_u32 (mp_get (root, "n"), &n), 0);
    cr_assert_eq (n, 42);
    cr_assert_eq (mp_bool (mp_get (root, "b"), &b), 0);
    cr_assert (b);
    char tiny [3];
    cr_assert_eq (mp_str_copy (mp_get (root, "s"), tiny, sizeof tiny), -1);
    cr_assert_eq (errno, EPROTO);
    cr_assert_eq (mp_u32 (mp_get (root, "s"), &n), -1);
    cr_assert_eq (mp_u32 (mp_get (root, "missing"), &n), -1);
    mp_reader_release (&r);
    //  Every strict prefix is refused, and so is a trailing byte.
    for (size_t cut = 0; cut < size; cut++) {
        cr_assert_null (mp_read (&r, buf, cut), "prefix %zu accepted", cut);
        mp_reader_release (&r);
    }
    uint8_t *longer = malloc (size + 1);
    memcpy (longer, buf, size);
    longer [size] = 0xc0;
    cr_assert_null (mp_read (&r, longer, size + 1));
    mp_reader_release (&r);
    free (longer);
    free (buf);
}

Test (mp, refuses_counts_that_cannot_fit_and_deep_nesting)
{
    //  array32 claiming four billion items in five bytes
    const uint8_t huge [] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
    mp_reader_t r;
    cr_assert_null (mp_read (&r, huge, sizeof huge));
    mp_reader_release (&r);
    const uint8_t str [] = { 0xdb, 0x7f, 0xff, 0xff, 0xff, 'a' };
    cr_assert_null (mp_read (&r, str, sizeof str));
    mp_reader_release (&r);
    uint8_t deep [40];
    memset (deep, 0x91, sizeof deep);
    deep [sizeof deep - 1] = 0xc0;
    cr_assert_null (mp_read (&r, deep, sizeof deep));
    mp_reader_release (&r);
    const uint8_t reserved [] = { 0xc1 };
    cr_assert_null (mp_read (&r, reserved, 1));
    mp_reader_release (&r);
    cr_assert (mp_well_formed ((const uint8_t []) { 0x92, 0x01, 0xa1, 'x' }, 4, 4));
}
