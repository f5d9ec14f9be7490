/*  proto/mp.c - msgpack-c helpers: writer, checked reader, typed getters.

    mp_well_formed is written here by hand: msgpack-c allocates space for
    an array or map as soon as it reads its header, trusting the count, so
    a 5-byte message can ask it for gigabytes. We walk the bytes first and
    refuse counts that cannot fit in what remains, and deep nesting.  */
#include "proto/mp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
mp_writer_init (mp_writer_t *self)
{
    msgpack_sbuffer_init (&self->sbuf);
    msgpack_packer_init (&self->pk, &self->sbuf, msgpack_sbuffer_write);
    self->failed = 0;
}

int
mp_writer_finish (mp_writer_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (self->failed) {
        mp_writer_discard (self);
        return errno = ENOMEM, -1;
    }
    *size_p = self->sbuf.size;
    *buf_p = (uint8_t *) msgpack_sbuffer_release (&self->sbuf);
    if (!*buf_p) {
        //  An empty buffer: give back a real allocation all the same.
        *buf_p = malloc (1);
        if (!*buf_p)
            return errno = ENOMEM, -1;
    }
    msgpack_sbuffer_destroy (&self->sbuf);
    return 0;
}

void
mp_writer_discard (mp_writer_t *self)
{
    msgpack_sbuffer_destroy (&self->sbuf);
    msgpack_sbuffer_init (&self->sbuf);
}

#define S_CHECK(call) do { if ((call) != 0) self->failed = 1; } while (0)

void mp_put_map (mp_writer_t *self, uint32_t count)
{ S_CHECK (msgpack_pack_map (&self->pk, count)); }
void mp_put_array (mp_writer_t *self, uint32_t count)
{ S_CHECK (msgpack_pack_array (&self->pk, count)); }
void mp_put_uint (mp_writer_t *self, uint64_t value)
{ S_CHECK (msgpack_pack_uint64 (&self->pk, value)); }
void mp_put_int (mp_writer_t *self, int64_t value)
{ S_CHECK (msgpack_pack_int64 (&self->pk, value)); }
void mp_put_nil (mp_writer_t *self)
{ S_CHECK (msgpack_pack_nil (&self->pk)); }

void
mp_put_bool (mp_writer_t *self, bool value)
{
    S_CHECK (value? msgpack_pack_true (&self->pk): msgpack_pack_false (&self->pk));
}

void
mp_put_strn (mp_writer_t *self, const char *text, size_t size)
{
    if (size > UINT32_MAX) {
        self->failed = 1;
        return;
    }
    S_CHECK (msgpack_pack_str (&self->pk, size));
    if (size)
        S_CHECK (msgpack_pack_str_body (&self->pk, text, size));
}

void
mp_put_str (mp_writer_t *self, const char *text)
{
    mp_put_strn (self, text? text: "", text? strlen (text): 0);
}

void
mp_put_bin (mp_writer_t *self, const void *data, size_t size)
{
    if (size > UINT32_MAX) {
        self->failed = 1;
        return;
    }
    S_CHECK (msgpack_pack_bin (&self->pk, size));
    if (size)
        S_CHECK (msgpack_pack_bin_body (&self->pk, data, size));
}

//  Big-endian reads of n bytes at p.
static uint64_t
s_be (const uint8_t *p, int n)
{
    uint64_t value = 0;
    for (int i = 0; i < n; i++)
        value = (value << 8) | p [i];
    return value;
}

//  Walks one object at buf [*pos]; advances *pos past it. Returns false on
//  truncation, a reserved byte, counts that cannot fit, or depth.
static bool
s_walk (const uint8_t *buf, size_t size, size_t *pos, int depth, int max_depth)
{
    //  Objects still to read at each level are kept in an explicit stack
    //  so hostile input cannot recurse us deep.
    uint64_t pending [MP_MAX_DEPTH + 2];
    int level = 0;
    pending [0] = 1;
    if (max_depth > MP_MAX_DEPTH)
        max_depth = MP_MAX_DEPTH;
    (void) depth;
    while (level >= 0) {
        if (pending [level] == 0) {
            level--;
            continue;
        }
        pending [level]--;
        if (*pos >= size)
            return false;
        uint8_t byte = buf [(*pos)++];
        uint64_t skip = 0;           //  payload bytes to skip
        uint64_t children = 0;       //  nested objects that follow
        int extra = 0;               //  length bytes to read
        if (byte <= 0x7f || byte >= 0xe0 || byte == 0xc0 || byte == 0xc2 || byte == 0xc3)
            ;
        else
        if ((byte & 0xe0) == 0xa0)
            skip = byte & 0x1f;
        else
        if ((byte & 0xf0) == 0x90)
            children = byte & 0x0f;
        else
        if ((byte & 0xf0) == 0x80)
            children = 2 * (uint64_t) (byte & 0x0f);
        else {
            switch (byte) {
                case 0xcc: case 0xd0: skip = 1; break;
                case 0xcd: case 0xd1: skip = 2; break;
                case 0xca: case 0xce: case 0xd2: skip = 4; break;
                case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
                case 0xd4: skip = 2; break;    //  fixext 1
                case 0xd5: skip = 3; break;
                case 0xd6: skip = 5; break;
                case 0xd7: skip = 9; break;
                case 0xd8: skip = 17; break;
                case 0xc4: case 0xd9: extra = 1; break;
                case 0xc5: case 0xda: extra = 2; break;
                case 0xc6: case 0xdb: extra = 4; break;
                case 0xc7: extra = 1; break;   //  ext 8: length, then type
                case 0xc8: extra = 2; break;
                case 0xc9: extra = 4; break;
                case 0xdc: case 0xde: extra = 2; break;
                case 0xdd: case 0xdf: extra = 4; break;
                default: return false;         //  0xc1 is never used
            }
            if (extra) {
                if (size - *pos < (size_t) extra)
                    return false;
                uint64_t n = s_be (buf + *pos, extra);
                *pos += extra;
                if (byte == 0xdc || byte == 0xdd)
                    children = n;
                else
                if (byte == 0xde || byte == 0xdf)
                    children = 2 * n;
                else
                if (byte >= 0xc7 && byte <= 0xc9)
                    skip = n + 1;
                else
                    skip = n;
            }
        }
        if (skip > size - *pos)
            return false;
        *pos += skip;
        if (children) {
            //  Every child takes at least one byte.
            if (children > size - *pos || level + 1 > max_depth)
                return false;
            pending [++level] = children;
        }
    }
    return true;
}

bool
mp_well_formed (const uint8_t *buf, size_t size, int max_depth)
{
    size_t pos = 0;
    return buf && s_walk (buf, size, &pos, 0, max_depth) && pos == size;
}

const msgpack_object *
mp_read (mp_reader_t *self, const uint8_t *buf, size_t size)
{
    msgpack_unpacked_init (&self->unpacked);
    self->live = true;
    if (!mp_well_formed (buf, size, MP_MAX_DEPTH)) {
        errno = EPROTO;
        return NULL;
    }
    size_t offset = 0;
    msgpack_unpack_return rc = msgpack_unpack_next (&self->unpacked,
                                                    (const char *) buf, size, &offset);
    if (rc != MSGPACK_UNPACK_SUCCESS || offset != size) {
        errno = EPROTO;
        return NULL;
    }
    return &self->unpacked.data;
}

void
mp_reader_release (mp_reader_t *self)
{
    if (self->live)
        msgpack_unpacked_destroy (&self->unpacked);
    self->live = false;
}

const msgpack_object *
mp_get (const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t len = strlen (key);
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr [i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == len
        &&  memcmp (k->via.str.ptr, key, len) == 0)
            return &map->via.map.ptr [i].val;
    }
    return NULL;
}

static int
s_text (const msgpack_object *obj, const char **ptr, size_t *size)
{
    if (!obj)
        return errno = EPROTO, -1;
    if (obj->type == MSGPACK_OBJECT_STR) {
        *ptr = obj->via.str.ptr;
        *size = obj->via.str.size;
        return 0;
    }
    if (obj->type == MSGPACK_OBJECT_BIN) {
        *ptr = obj->via.bin.ptr;
        *size = obj->via.bin.size;
        return 0;
    }
    return errno = EPROTO, -1;
}

bool
mp_map_ok (const msgpack_object *obj, uint32_t min)
{
    if (!obj || obj->type != MSGPACK_OBJECT_MAP || obj->via.map.size < min
    ||  obj->via.map.size > PROTO_MAP_MAX)
        return false;
    const msgpack_object_kv *kv = obj->via.map.ptr;
    for (uint32_t i = 0; i < obj->via.map.size; i++) {
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

int
mp_str_dup (const msgpack_object *obj, char **out_p)
{
    const char *ptr;
    size_t size;
    if (s_text (obj, &ptr, &size) || memchr (ptr, 0, size))
        return errno = EPROTO, -1;
    char *copy = malloc (size + 1);
    if (!copy)
        return errno = ENOMEM, -1;
    memcpy (copy, ptr, size);
    copy [size] = 0;
    *out_p = copy;
    return 0;
}

int
mp_bin_dup (const msgpack_object *obj, char **out_p, size_t *size_p)
{
    const char *ptr;
    size_t size;
    if (s_text (obj, &ptr, &size))
        return -1;
    char *copy = malloc (size + 1);
    if (!copy)
        return errno = ENOMEM, -1;
    if (size)
        memcpy (copy, ptr, size);
    copy [size] = 0;
    *out_p = copy;
    *size_p = size;
    return 0;
}

int
mp_str_copy (const msgpack_object *obj, char *out, size_t out_size)
{
    const char *ptr;
    size_t size;
    if (s_text (obj, &ptr, &size) || size >= out_size || memchr (ptr, 0, size))
        return errno = EPROTO, -1;
    memcpy (out, ptr, size);
    out [size] = 0;
    return 0;
}

int
mp_u64 (const msgpack_object *obj, uint64_t *out)
{
    if (!obj || obj->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return errno = EPROTO, -1;
    *out = obj->via.u64;
    return 0;
}

int
mp_u32 (const msgpack_object *obj, uint32_t *out)
{
    uint64_t value;
    if (mp_u64 (obj, &value) || value > UINT32_MAX)
        return errno = EPROTO, -1;
    *out = (uint32_t) value;
    return 0;
}

int
mp_i32 (const msgpack_object *obj, int32_t *out)
{
    if (obj && obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER && obj->via.u64 <= INT32_MAX) {
        *out = (int32_t) obj->via.u64;
        return 0;
    }
    if (obj && obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && obj->via.i64 >= INT32_MIN) {
        *out = (int32_t) obj->via.i64;
        return 0;
    }
    return errno = EPROTO, -1;
}

int
mp_bool (const msgpack_object *obj, bool *out)
{
    if (!obj || obj->type != MSGPACK_OBJECT_BOOLEAN)
        return errno = EPROTO, -1;
    *out = obj->via.boolean;
    return 0;
}

int
mp_str_dup_opt (const msgpack_object *obj, char **out_p)
{
    return obj? mp_str_dup (obj, out_p): 0;
}

int
mp_str_copy_opt (const msgpack_object *obj, char *out, size_t out_size)
{
    return obj? mp_str_copy (obj, out, out_size): 0;
}

int
mp_u32_opt (const msgpack_object *obj, uint32_t *out)
{
    return obj? mp_u32 (obj, out): 0;
}

int
mp_bool_opt (const msgpack_object *obj, bool *out)
{
    return obj? mp_bool (obj, out): 0;
}

int
mp_array (const msgpack_object *obj, size_t max, size_t *count_p)
{
    if (!obj || obj->type != MSGPACK_OBJECT_ARRAY || obj->via.array.size > max)
        return errno = EPROTO, -1;
    *count_p = obj->via.array.size;
    return 0;
}

void
mp_free_strv (char ***strv_p, size_t count)
{
    if (!strv_p || !*strv_p)
        return;
    for (size_t i = 0; i < count; i++)
        free ((*strv_p) [i]);
    free (*strv_p);
    *strv_p = NULL;
}
