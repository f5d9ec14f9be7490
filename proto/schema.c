/*  proto/schema.c - one engine for every map a table describes: writing,
    checked reading, the rules both sides share, and release.  */
#include "proto/schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

//  The value a field describes in self. Like strchr, it hands back a
//  pointer to write through only when self is the caller's to write.
static void *
s_field (const void *self, const schema_field_t *field)
{
    return (char *) self + field->offset;
}

//  A SCHEMA_KIND_STRV field's count, likewise.
static size_t *
s_count (const void *self, const schema_field_t *field)
{
    return (size_t *) ((char *) self + field->count_offset);
}

static uint64_t
s_uint (const void *self, const schema_field_t *field)
{
    if (field->size == sizeof (uint32_t))
        return *(const uint32_t *) s_field (self, field);
    return *(const uint64_t *) s_field (self, field);
}

static int64_t
s_int (const void *self, const schema_field_t *field)
{
    return *(const int32_t *) s_field (self, field);
}

static bool
s_bool (const void *self, const schema_field_t *field)
{
    return *(const bool *) s_field (self, field);
}

static const char *
s_text (const void *self, const schema_field_t *field)
{
    return *(char *const *) s_field (self, field);
}

//  False for a SCHEMA_IF_SET field that is not set, which is not written.
static bool
s_written (const schema_field_t *field, const void *self)
{
    if (!(field->flags & SCHEMA_IF_SET))
        return true;
    if (field->kind == SCHEMA_KIND_BOOL)
        return s_bool (self, field);
    return s_text (self, field) != NULL;
}


//  --------------------------------------------------------------------
//  Writing

uint32_t
schema_count (const schema_field_t *fields, const void *self)
{
    uint32_t count = 0;
    for (const schema_field_t *field = fields;
         field->kind != SCHEMA_KIND_END; field++)
        count += s_written (field, self);
    return count;
}

void
schema_put (mp_writer_t *writer, const schema_field_t *fields, const void *self)
{
    for (const schema_field_t *field = fields;
         field->kind != SCHEMA_KIND_END; field++) {
        if (!s_written (field, self))
            continue;
        mp_put_str (writer, field->key);
        switch (field->kind) {
            case SCHEMA_KIND_STR:
                mp_put_str (writer, s_field (self, field));
                break;
            case SCHEMA_KIND_UINT:
                mp_put_uint (writer, s_uint (self, field));
                break;
            case SCHEMA_KIND_INT:
                mp_put_int (writer, s_int (self, field));
                break;
            case SCHEMA_KIND_BOOL:
                mp_put_bool (writer, s_bool (self, field));
                break;
            case SCHEMA_KIND_TEXT:
                if (s_text (self, field))
                    mp_put_str (writer, s_text (self, field));
                else
                    mp_put_nil (writer);
                break;
            case SCHEMA_KIND_STRV: {
                char *const *items = s_field (self, field);
                size_t count = *s_count (self, field);
                mp_put_array (writer, (uint32_t) count);
                for (size_t i = 0; i < count; i++)
                    mp_put_str (writer, items [i]);
                break;
            }
            case SCHEMA_KIND_MAP: {
                const void *child = s_field (self, field);
                mp_put_map (writer, schema_count (field->children, child));
                schema_put (writer, field->children, child);
                break;
            }
            case SCHEMA_KIND_END:
                break;
        }
    }
}


//  --------------------------------------------------------------------
//  Reading

//  A str of at most max bytes, copied; nil leaves *text_p NULL.
static int
s_get_text (const msgpack_object *obj, uint64_t max, char **text_p)
{
    if (obj->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (obj->type != MSGPACK_OBJECT_STR || obj->via.str.size > max)
        return errno = EPROTO, -1;
    return mp_str_dup (obj, text_p);
}

//  An array of at most field->items str of at most field->max bytes each;
//  the count grows with each copy, so a failure half way frees them all.
static int
s_get_strv (const msgpack_object *obj, const schema_field_t *field, void *self)
{
    size_t count;
    if (mp_array (obj, field->items, &count))
        return -1;
    char **items = s_field (self, field);
    for (size_t i = 0; i < count; i++) {
        const msgpack_object *item = &obj->via.array.ptr [i];
        if (item->type != MSGPACK_OBJECT_STR || item->via.str.size > field->max)
            return errno = EPROTO, -1;
        if (mp_str_dup (item, &items [i]))
            return -1;
        *s_count (self, field) = i + 1;
    }
    return 0;
}

static int
s_get_uint (const msgpack_object *obj, const schema_field_t *field, void *self)
{
    if (field->size == sizeof (uint32_t))
        return mp_u32 (obj, s_field (self, field));
    return mp_u64 (obj, s_field (self, field));
}

static int
s_get_value (const msgpack_object *obj, const schema_field_t *field, void *self)
{
    switch (field->kind) {
        case SCHEMA_KIND_STR:
            if (obj->type != MSGPACK_OBJECT_STR)
                return errno = EPROTO, -1;
            return mp_str_copy (obj, s_field (self, field), field->size);
        case SCHEMA_KIND_UINT:
            return s_get_uint (obj, field, self);
        case SCHEMA_KIND_INT:
            return mp_i32 (obj, s_field (self, field));
        case SCHEMA_KIND_BOOL:
            return mp_bool (obj, s_field (self, field));
        case SCHEMA_KIND_TEXT:
            return s_get_text (obj, field->max, s_field (self, field));
        case SCHEMA_KIND_STRV:
            return s_get_strv (obj, field, self);
        case SCHEMA_KIND_MAP:
            return schema_get (obj, field->children, s_field (self, field));
        case SCHEMA_KIND_END:
            break;
    }
    return errno = EPROTO, -1;
}

int
schema_get (const msgpack_object *map, const schema_field_t *fields, void *self)
{
    if (!mp_map_ok (map, 0))
        return errno = EPROTO, -1;
    for (const schema_field_t *field = fields;
         field->kind != SCHEMA_KIND_END; field++) {
        const msgpack_object *obj = mp_get (map, field->key);
        if (!obj && (field->flags & SCHEMA_OPTIONAL))
            continue;
        if (!obj || s_get_value (obj, field, self))
            return errno = errno == ENOMEM? ENOMEM: EPROTO, -1;
    }
    return 0;
}


//  --------------------------------------------------------------------
//  Rules

//  True when text is NUL-terminated inside its buffer of size bytes and
//  at least min bytes long.
static bool
s_fits (const char *text, size_t size, int64_t min)
{
    size_t len = strnlen (text, size);
    return len < size && (int64_t) len >= min;
}

//  Lengths past max + 1 are not read.
static bool
s_text_fits (const char *text, uint64_t max)
{
    return strnlen (text, max + 1) <= max;
}

static bool
s_strv_valid (const schema_field_t *field, const void *self)
{
    char *const *items = s_field (self, field);
    size_t count = *s_count (self, field);
    if (count > field->items)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!items [i] || !s_text_fits (items [i], field->max))
            return false;
    return true;
}

static bool
s_value_valid (const schema_field_t *field, const void *self)
{
    switch (field->kind) {
        case SCHEMA_KIND_STR:
            return s_fits (s_field (self, field), field->size, field->min);
        case SCHEMA_KIND_UINT: {
            uint64_t value = s_uint (self, field);
            return value >= (uint64_t) field->min && value <= field->max;
        }
        case SCHEMA_KIND_INT: {
            int64_t value = s_int (self, field);
            return value >= field->min
                && (value < 0 || (uint64_t) value <= field->max);
        }
        case SCHEMA_KIND_BOOL:
            return true;
        case SCHEMA_KIND_TEXT:
            return !s_text (self, field)
                || s_text_fits (s_text (self, field), field->max);
        case SCHEMA_KIND_STRV:
            return s_strv_valid (field, self);
        case SCHEMA_KIND_MAP:
            return schema_valid (field->children, s_field (self, field));
        case SCHEMA_KIND_END:
            break;
    }
    return false;
}

bool
schema_valid (const schema_field_t *fields, const void *self)
{
    for (const schema_field_t *field = fields;
         field->kind != SCHEMA_KIND_END; field++)
        if (!s_value_valid (field, self))
            return false;
    return true;
}


//  --------------------------------------------------------------------
//  Release

static void
s_free (const schema_field_t *fields, void *self)
{
    for (const schema_field_t *field = fields;
         field->kind != SCHEMA_KIND_END; field++)
        if (field->kind == SCHEMA_KIND_TEXT)
            free (*(char **) s_field (self, field));
        else
        if (field->kind == SCHEMA_KIND_STRV) {
            char **items = s_field (self, field);
            for (size_t i = 0; i < field->items; i++)
                free (items [i]);
        }
        else
        if (field->kind == SCHEMA_KIND_MAP)
            s_free (field->children, s_field (self, field));
}

void
schema_release (const schema_field_t *fields, void *self, size_t size)
{
    if (!self)
        return;
    s_free (fields, self);
    memset (self, 0, size);
}
