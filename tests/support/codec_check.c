/*  tests/support/codec_check.c - checks every codec test shares: each
    field of an encoding, swapped in turn for a value of another type, is
    refused with EPROTO; an encoding is the bytes pinned for it.  */
#include "tests/support/codec_check.h"

#include <criterion/criterion.h>
#include <msgpack.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

//  Re-packs obj, replacing the value of the target-th map entry met in a
//  depth-first walk with a value of another type. *seen counts entries.
static void
s_repack (msgpack_packer *pk, const msgpack_object *obj, int target, int *seen)
{
    if (obj->type == MSGPACK_OBJECT_MAP) {
        msgpack_pack_map (pk, obj->via.map.size);
        for (uint32_t i = 0; i < obj->via.map.size; i++) {
            const msgpack_object_kv *kv = &obj->via.map.ptr [i];
            msgpack_pack_object (pk, kv->key);
            if ((*seen)++ == target) {
                if (kv->val.type == MSGPACK_OBJECT_STR || kv->val.type == MSGPACK_OBJECT_BIN)
                    msgpack_pack_uint32 (pk, 7);
                else
                if (kv->val.type == MSGPACK_OBJECT_ARRAY)
                    msgpack_pack_map (pk, 0);
                else {
                    msgpack_pack_array (pk, 1);
                    msgpack_pack_nil (pk);
                }
            }
            else
                s_repack (pk, &kv->val, target, seen);
        }
    }
    else
    if (obj->type == MSGPACK_OBJECT_ARRAY) {
        msgpack_pack_array (pk, obj->via.array.size);
        for (uint32_t i = 0; i < obj->via.array.size; i++)
            s_repack (pk, &obj->via.array.ptr [i], target, seen);
    }
    else
        msgpack_pack_object (pk, *obj);
}

//  Every map value of buf, swapped for a wrong type in turn, is refused.
//  Returns how many fields were tried.
int
tu_check_wrong_types (const uint8_t *buf, size_t size,
                     int (*decode) (void *, const uint8_t *, size_t), void *out)
{
    int target = 0;
    while (true) {
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        size_t offset = 0;
        cr_assert_eq (msgpack_unpack_next (&unpacked, (const char *) buf, size, &offset),
                      MSGPACK_UNPACK_SUCCESS);
        msgpack_sbuffer sbuf;
        msgpack_sbuffer_init (&sbuf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
        int seen = 0;
        s_repack (&pk, &unpacked.data, target, &seen);
        msgpack_unpacked_destroy (&unpacked);
        if (target >= seen) {
            msgpack_sbuffer_destroy (&sbuf);
            return target;
        }
        errno = 0;
        cr_assert_eq (decode (out, (const uint8_t *) sbuf.data, sbuf.size), -1,
                      "wrong type for field %d accepted", target);
        cr_assert_eq (errno, EPROTO);
        msgpack_sbuffer_destroy (&sbuf);
        target++;
    }
}

void
tu_assert_bytes (const char *what, const uint8_t *buf, size_t size,
                 const char *expected)
{
    char *hex = malloc (2 * size + 1);
    cr_assert_not_null (hex);
    for (size_t i = 0; i < size; i++)
        snprintf (hex + 2 * i, 3, "%02x", buf [i]);
    hex [2 * size] = 0;
    cr_assert_str_eq (hex, expected, "%s: the encoding changed", what);
    free (hex);
}
