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

//  A list's count or a bin's size, likewise.
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

//  TEXT, STRDUP, BIN: the pointer; STRLIST: the array; LIST: the items.
static void *
s_pointer (const void *self, const schema_field_t *field)
{
    return *(void *const *) s_field (self, field);
}

//  The item of a LIST at index.
static void *
s_item (const void *self, const schema_field_t *field, size_t index)
{
    return (char *) s_pointer (self, field) + index * field->item_size;
}

//  False for a SCHEMA_IF_SET field that is not set, which is not written.
static bool
s_written (const schema_field_t *field, const void *self)
{
    if (!(field->flags & SCHEMA_IF_SET))
        return true;
    if (field->kind == SCHEMA_KIND_BOOL)
        return s_bool (self, field);
    return s_pointer (self, field) != NULL;
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

//  STRV, STRLIST and LIST: an array of count items.
static void
s_put_array (mp_writer_t *writer, const schema_field_t *field, const void *self)
{
    size_t count = *s_count (self, field);
    mp_put_array (writer, (uint32_t) count);
    char *const *strings = field->kind == SCHEMA_KIND_STRV
                         ? s_field (self, field): s_pointer (self, field);
    for (size_t i = 0; i < count; i++)
        if (field->kind == SCHEMA_KIND_LIST) {
            const void *item = s_item (self, field, i);
            mp_put_map (writer, schema_count (field->children, item));
            schema_put (writer, field->children, item);
        }
        else
            mp_put_str (writer, strings [i]);
}

static void
s_put_value (mp_writer_t *writer, const schema_field_t *field, const void *self)
{
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
            if (s_pointer (self, field))
                mp_put_str (writer, s_pointer (self, field));
            else
                mp_put_nil (writer);
            break;
        case SCHEMA_KIND_STRDUP:
            mp_put_str (writer, s_pointer (self, field));
            break;
        case SCHEMA_KIND_BIN: {
            const char *data = s_pointer (self, field);
            mp_put_bin (writer, data, data? *s_count (self, field): 0);
            break;
        }
        case SCHEMA_KIND_NAME: {
            int value = *(const int *) s_field (self, field);
            bool named = value >= 0 && (size_t) value < field->items;
            mp_put_str (writer, field->names [named? value: 0]);
            break;
        }
        case SCHEMA_KIND_MAP: {
            const void *child = s_field (self, field);
            mp_put_map (writer, schema_count (field->children, child));
            schema_put (writer, field->children, child);
            break;
        }
        case SCHEMA_KIND_STRV:
        case SCHEMA_KIND_STRLIST:
        case SCHEMA_KIND_LIST:
            s_put_array (writer, field, self);
            break;
        case SCHEMA_KIND_END:
            break;
    }
}

void
schema_put (mp_writer_t *writer, const schema_field_t *fields, const void *self)
{
    for (const schema_field_t *field = fields;
         field->kind != SCHEMA_KIND_END; field++)
        if (s_written (field, self)) {
            mp_put_str (writer, field->key);
            s_put_value (writer, field, self);
        }
}

int
schema_encode (const schema_field_t *fields, const void *self,
               uint8_t **buf_p, size_t *size_p)
{
    mp_writer_t writer;
    mp_writer_init (&writer);
    mp_put_map (&writer, schema_count (fields, self));
    schema_put (&writer, fields, self);
    return mp_writer_finish (&writer, buf_p, size_p);
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

//  A str (or a bin, with SCHEMA_BIN_OK) of min..max bytes and no NUL,
//  copied: a STRDUP, or an item of a STRV or STRLIST.
static int
s_get_string (const msgpack_object *obj, const schema_field_t *field,
              char **text_p)
{
    bool bin = obj->type == MSGPACK_OBJECT_BIN && (field->flags & SCHEMA_BIN_OK);
    if (obj->type != MSGPACK_OBJECT_STR && !bin)
        return errno = EPROTO, -1;
    uint32_t size = bin? obj->via.bin.size: obj->via.str.size;
    if ((int64_t) size < field->min || size > field->max)
        return errno = EPROTO, -1;
    return mp_str_dup (obj, text_p);
}

static int
s_get_bin (const msgpack_object *obj, const schema_field_t *field, void *self)
{
    if (obj->type != MSGPACK_OBJECT_BIN || obj->via.bin.size > field->max)
        return errno = EPROTO, -1;
    return mp_bin_dup (obj, s_field (self, field), s_count (self, field));
}

//  One of the names, as the index of the name.
static int
s_get_name (const msgpack_object *obj, const schema_field_t *field, void *self)
{
    if (obj->type != MSGPACK_OBJECT_STR)
        return errno = EPROTO, -1;
    for (size_t i = 0; i < field->items; i++)
        if (obj->via.str.size == strlen (field->names [i])
        &&  memcmp (obj->via.str.ptr, field->names [i], obj->via.str.size) == 0) {
            *(int *) s_field (self, field) = (int) i;
            return 0;
        }
    return errno = EPROTO, -1;
}

//  STRV, STRLIST and LIST: an array of at most field->items. A STRLIST's
//  or LIST's items are allocated zeroed and counted before they are
//  filled; a STRV's count grows with each copy: either way a failure half
//  way frees all that was copied.
static int
s_get_array (const msgpack_object *obj, const schema_field_t *field, void *self)
{
    size_t count;
    if (mp_array (obj, field->items, &count))
        return -1;
    char **strings = s_field (self, field);
    if (field->kind != SCHEMA_KIND_STRV && count) {
        size_t item_size = field->kind == SCHEMA_KIND_LIST
                         ? field->item_size: sizeof (char *);
        void *items = calloc (count, item_size);
        if (!items)
            return errno = ENOMEM, -1;
        *(void **) s_field (self, field) = items;
        *s_count (self, field) = count;
        strings = items;
    }
    for (size_t i = 0; i < count; i++) {
        const msgpack_object *item = &obj->via.array.ptr [i];
        if (field->kind == SCHEMA_KIND_LIST) {
            if (schema_get (item, field->children, s_item (self, field, i)))
                return -1;
            continue;
        }
        if (s_get_string (item, field, &strings [i]))
            return -1;
        if (field->kind == SCHEMA_KIND_STRV)
            *s_count (self, field) = i + 1;
    }
    return 0;
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
            if (field->size == sizeof (uint32_t))
                return mp_u32 (obj, s_field (self, field));
            return mp_u64 (obj, s_field (self, field));
        case SCHEMA_KIND_INT:
            return mp_i32 (obj, s_field (self, field));
        case SCHEMA_KIND_BOOL:
            return mp_bool (obj, s_field (self, field));
        case SCHEMA_KIND_TEXT:
            return s_get_text (obj, field->max, s_field (self, field));
        case SCHEMA_KIND_STRDUP:
            return s_get_string (obj, field, s_field (self, field));
        case SCHEMA_KIND_BIN:
            return s_get_bin (obj, field, self);
        case SCHEMA_KIND_NAME:
            return s_get_name (obj, field, self);
        case SCHEMA_KIND_MAP:
            return schema_get (obj, field->children, s_field (self, field));
        case SCHEMA_KIND_STRV:
        case SCHEMA_KIND_STRLIST:
        case SCHEMA_KIND_LIST:
            return s_get_array (obj, field, self);
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

int
schema_decode (const schema_field_t *fields, void *self, size_t size,
               const uint8_t *buf, size_t buf_size)
{
    memset (self, 0, size);
    errno = 0;          //  so ENOMEM can be told from a bad field
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, buf_size);
    int rc = root && schema_get (root, fields, self) == 0
          && schema_valid (fields, self)? 0: -1;
    int saved = errno == ENOMEM? ENOMEM: EPROTO;
    mp_reader_release (&reader);
    if (rc) {
        schema_release (fields, self, size);
        errno = saved;
    }
    return rc;
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

//  True when text is min..max bytes long; lengths past max are not read.
static bool
s_length_ok (const char *text, int64_t min, uint64_t max)
{
    size_t len = max >= SIZE_MAX? strlen (text): strnlen (text, max + 1);
    return (int64_t) len >= min && len <= max;
}

//  STRV, STRLIST and LIST: at most field->items, each of them valid (a
//  NULL string is written as "").
static bool
s_array_valid (const schema_field_t *field, const void *self)
{
    size_t count = *s_count (self, field);
    if (count > field->items)
        return false;
    char *const *strings = field->kind == SCHEMA_KIND_STRV
                         ? s_field (self, field): s_pointer (self, field);
    for (size_t i = 0; i < count; i++)
        if (field->kind == SCHEMA_KIND_LIST) {
            if (!schema_valid (field->children, s_item (self, field, i)))
                return false;
        }
        else
        if (field->kind == SCHEMA_KIND_STRV && !strings [i])
            return false;
        else
        if (strings [i] && !s_length_ok (strings [i], field->min, field->max))
            return false;
    return true;
}

static bool
s_value_valid (const schema_field_t *field, const void *self)
{
    const char *text = NULL;
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
        case SCHEMA_KIND_STRDUP:
            text = s_pointer (self, field);
            return !text || s_length_ok (text, field->min, field->max);
        case SCHEMA_KIND_BIN:
            return *s_count (self, field) <= field->max;
        case SCHEMA_KIND_NAME: {
            int value = *(const int *) s_field (self, field);
            return value >= 0 && (size_t) value < field->items;
        }
        case SCHEMA_KIND_MAP:
            return schema_valid (field->children, s_field (self, field));
        case SCHEMA_KIND_STRV:
        case SCHEMA_KIND_STRLIST:
        case SCHEMA_KIND_LIST:
            return s_array_valid (field, self);
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

static void s_free (const schema_field_t *fields, void *self);

//  A STRLIST's or LIST's items, then the array.
static void
s_free_list (const schema_field_t *field, void *self)
{
    void *items = s_pointer (self, field);
    for (size_t i = 0; items && i < *s_count (self, field); i++)
        if (field->kind == SCHEMA_KIND_LIST)
            s_free (field->children, s_item (self, field, i));
        else
            free (((char **) items) [i]);
    free (items);
}

static void
s_free (const schema_field_t *fields, void *self)
{
    for (const schema_field_t *field = fields;
         field->kind != SCHEMA_KIND_END; field++)
        if (field->kind == SCHEMA_KIND_TEXT || field->kind == SCHEMA_KIND_STRDUP
        ||  field->kind == SCHEMA_KIND_BIN)
            free (s_pointer (self, field));
        else
        if (field->kind == SCHEMA_KIND_STRLIST || field->kind == SCHEMA_KIND_LIST)
            s_free_list (field, self);
        else
        if (field->kind == SCHEMA_KIND_STRV) {
            char **strings = s_field (self, field);
            for (size_t i = 0; i < field->items; i++)
                free (strings [i]);
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
