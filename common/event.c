/*  common/event.c - the event record: fields, the msgpack codec, and the
    RFC 3339 form of its time.  */
#include "common/event.h"
#include "proto/mp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  10000-01-01T00:00:00Z in ms: the first time RFC 3339 cannot write.
#define S_TIME_LIMIT 253402300800000ull

void
event_release (event_t *self)
{
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++) {
        free (self->fields [i].key);
        free (self->fields [i].data);
    }
    free (self->fields);
    free (self->type);
    memset (self, 0, sizeof *self);
}

static bool
s_name_valid (const char *name, size_t size)
{
    return name && size > 0 && size <= EVENT_NAME_MAX
        && !memchr (name, 0, size);
}

static char *
s_dup (const char *data, size_t size)
{
    char *copy = malloc (size + 1);
    if (!copy)
        return NULL;
    if (size)
        memcpy (copy, data, size);
    copy [size] = 0;
    return copy;
}

int
event_set_type (event_t *self, const char *type)
{
    if (!type || !s_name_valid (type, strlen (type)))
        return errno = EINVAL, -1;
    char *copy = s_dup (type, strlen (type));
    if (!copy)
        return errno = ENOMEM, -1;
    free (self->type);
    self->type = copy;
    return 0;
}

const event_field_t *
event_field (const event_t *self, const char *key)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->fields [i].key, key) == 0)
            return &self->fields [i];
    return NULL;
}

//  A new last field with its key copied, value still unset; NULL + errno.
static event_field_t *
s_new_field (event_t *self, const char *key, size_t key_size)
{
    if (!s_name_valid (key, key_size))
        return errno = EINVAL, NULL;
    for (size_t i = 0; i < self->count; i++)
        if (strlen (self->fields [i].key) == key_size
        &&  memcmp (self->fields [i].key, key, key_size) == 0)
            return errno = EEXIST, NULL;
    if (self->count == self->alloc) {
        size_t alloc = self->alloc? self->alloc * 2: 4;
        event_field_t *fields = realloc (self->fields, alloc * sizeof *fields);
        if (!fields)
            return errno = ENOMEM, NULL;
        self->fields = fields;
        self->alloc = alloc;
    }
    event_field_t *field = &self->fields [self->count];
    memset (field, 0, sizeof *field);
    field->key = s_dup (key, key_size);
    if (!field->key)
        return errno = ENOMEM, NULL;
    self->count++;
    return field;
}

static int
s_add_data (event_t *self, const char *key, event_kind_t kind,
            const void *data, size_t size)
{
    if (!key || (!data && size))
        return errno = EINVAL, -1;
    char *copy = s_dup (data, size);
    if (!copy)
        return errno = ENOMEM, -1;
    event_field_t *field = s_new_field (self, key, strlen (key));
    if (!field) {
        free (copy);
        return -1;
    }
    field->kind = kind;
    field->data = copy;
    field->size = size;
    return 0;
}

int
event_add_str (event_t *self, const char *key, const char *value)
{
    if (!value)
        return errno = EINVAL, -1;
    return s_add_data (self, key, EVENT_STR, value, strlen (value));
}

int
event_add_bytes (event_t *self, const char *key, const void *data, size_t size)
{
    return s_add_data (self, key, EVENT_BYTES, data, size);
}

static int
s_add_num (event_t *self, const char *key, event_kind_t kind, int64_t value)
{
    if (!key)
        return errno = EINVAL, -1;
    event_field_t *field = s_new_field (self, key, strlen (key));
    if (!field)
        return -1;
    field->kind = kind;
    field->num = value;
    return 0;
}

int
event_add_int (event_t *self, const char *key, int64_t value)
{
    return s_add_num (self, key, EVENT_INT, value);
}

int
event_add_bool (event_t *self, const char *key, bool value)
{
    return s_add_num (self, key, EVENT_BOOL, value? 1: 0);
}

const char *
event_get_str (const event_t *self, const char *key)
{
    const event_field_t *field = event_field (self, key);
    return field && field->kind == EVENT_STR? field->data: NULL;
}

const uint8_t *
event_get_bytes (const event_t *self, const char *key, size_t *size_p)
{
    const event_field_t *field = event_field (self, key);
    if (!field || field->kind != EVENT_BYTES)
        return NULL;
    *size_p = field->size;
    return (const uint8_t *) field->data;
}

int
event_get_int (const event_t *self, const char *key, int64_t *value)
{
    const event_field_t *field = event_field (self, key);
    if (!field || field->kind != EVENT_INT)
        return errno = ENOENT, -1;
    *value = field->num;
    return 0;
}

int
event_get_bool (const event_t *self, const char *key, bool *value)
{
    const event_field_t *field = event_field (self, key);
    if (!field || field->kind != EVENT_BOOL)
        return errno = ENOENT, -1;
    *value = field->num != 0;
    return 0;
}

int
event_encode (const event_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self->type || self->count > UINT32_MAX)
        return errno = EINVAL, -1;
    mp_writer_t writer;
    mp_writer_init (&writer);
    mp_put_array (&writer, 4);
    mp_put_uint (&writer, self->seq);
    mp_put_uint (&writer, self->time);
    mp_put_str (&writer, self->type);
    mp_put_map (&writer, (uint32_t) self->count);
    for (size_t i = 0; i < self->count; i++) {
        const event_field_t *field = &self->fields [i];
        mp_put_str (&writer, field->key);
        switch (field->kind) {
            case EVENT_STR:
                mp_put_strn (&writer, field->data, field->size);
                break;
            case EVENT_BYTES:
                mp_put_bin (&writer, field->data, field->size);
                break;
            case EVENT_BOOL:
                mp_put_bool (&writer, field->num != 0);
                break;
            case EVENT_INT:
                mp_put_int (&writer, field->num);
                break;
            default:
                mp_writer_discard (&writer);
                return errno = EINVAL, -1;
        }
    }
    return mp_writer_finish (&writer, buf_p, size_p);
}

//  One decoded map entry into a new field; -1 with EPROTO or ENOMEM.
static int
s_decode_field (event_t *self, const msgpack_object_kv *kv)
{
    if (kv->key.type != MSGPACK_OBJECT_STR)
        return errno = EPROTO, -1;
    const msgpack_object *value = &kv->val;
    event_field_t *field = s_new_field (self, kv->key.via.str.ptr,
                                        kv->key.via.str.size);
    if (!field)
        return errno = (errno == ENOMEM? ENOMEM: EPROTO), -1;
    switch (value->type) {
        case MSGPACK_OBJECT_STR:
            if (memchr (value->via.str.ptr, 0, value->via.str.size))
                return errno = EPROTO, -1;
            field->kind = EVENT_STR;
            field->size = value->via.str.size;
            field->data = s_dup (value->via.str.ptr, field->size);
            break;
        case MSGPACK_OBJECT_BIN:
            field->kind = EVENT_BYTES;
            field->size = value->via.bin.size;
            field->data = s_dup (value->via.bin.ptr, field->size);
            break;
        case MSGPACK_OBJECT_BOOLEAN:
            field->kind = EVENT_BOOL;
            field->num = value->via.boolean? 1: 0;
            return 0;
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (value->via.u64 > INT64_MAX)
                return errno = EPROTO, -1;
            field->kind = EVENT_INT;
            field->num = (int64_t) value->via.u64;
            return 0;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            field->kind = EVENT_INT;
            field->num = value->via.i64;
            return 0;
        default:
            return errno = EPROTO, -1;
    }
    return field->data? 0: (errno = ENOMEM, -1);
}

int
event_decode (event_t *self, const uint8_t *buf, size_t size)
{
    event_release (self);
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, size);
    if (!root || root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size != 4)
        goto out_protocol;
    const msgpack_object *item = root->via.array.ptr;
    const msgpack_object *type = &item [2];
    const msgpack_object *fields = &item [3];
    if (mp_u64 (&item [0], &self->seq) || mp_u64 (&item [1], &self->time)
    ||  type->type != MSGPACK_OBJECT_STR || fields->type != MSGPACK_OBJECT_MAP
    ||  !s_name_valid (type->via.str.ptr, type->via.str.size))
        goto out_protocol;
    self->type = s_dup (type->via.str.ptr, type->via.str.size);
    if (!self->type)
        goto out_release;
    for (uint32_t i = 0; i < fields->via.map.size; i++)
        if (s_decode_field (self, &fields->via.map.ptr [i]))
            goto out_release;
    mp_reader_release (&reader);
    return 0;

out_protocol:
    errno = EPROTO;
out_release:
    {
        int saved = errno;
        mp_reader_release (&reader);
        event_release (self);
        errno = saved;
    }
    return -1;
}

int
event_time_rfc3339 (uint64_t time_ms, char *buf, size_t size)
{
    if (!buf || size < EVENT_TIME_SIZE)
        return errno = EINVAL, -1;
    if (time_ms >= S_TIME_LIMIT)
        return errno = ERANGE, -1;
    //  Civil date from days since 1970-01-01 (H. Hinnant's algorithm, for
    //  days >= 0): eras of 400 years starting on March 1st.
    uint64_t days = time_ms / 86400000u;
    uint64_t in_day = time_ms % 86400000u;
    uint64_t z = days + 719468;
    uint64_t era = z / 146097;
    uint64_t doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    unsigned day = (unsigned) (doy - (153 * mp + 2) / 5 + 1);
    unsigned month = (unsigned) (mp < 10? mp + 3: mp - 9);
    unsigned year = (unsigned) (yoe + era * 400 + (month <= 2? 1: 0));
    unsigned ms = (unsigned) (in_day % 1000);
    unsigned sec = (unsigned) (in_day / 1000 % 60);
    unsigned min = (unsigned) (in_day / 60000 % 60);
    unsigned hour = (unsigned) (in_day / 3600000);
    snprintf (buf, size, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
              year, month, day, hour, min, sec, ms);
    return 0;
}
