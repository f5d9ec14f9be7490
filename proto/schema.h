/*  proto/schema.h - a msgpack map described by one table of fields, as
    common/config.c describes the config: the table drives encoding,
    checked decoding, the validity rules both sides share, and release.
    proto/wire.c holds one table per message; tests read the same tables
    to hold PROTOCOL.md to the code. Pure: no logging, no clock.  */
#ifndef SCHEMA_H_INCLUDED
#define SCHEMA_H_INCLUDED

#include "proto/mp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SCHEMA_KIND_END = 0,//  ends a table
    SCHEMA_KIND_STR,    //  char [size] in the struct; str on the wire
    SCHEMA_KIND_UINT,   //  uint32_t or uint64_t (size says which); uint
    SCHEMA_KIND_INT,    //  int32_t; int
    SCHEMA_KIND_BOOL,   //  bool; true or false
    SCHEMA_KIND_TEXT,   //  char *, malloc'd, NULL for none; str, or nil
    SCHEMA_KIND_STRV,   //  char *[items] then its size_t count; array of str
    SCHEMA_KIND_MAP     //  a struct described by children; map
} schema_kind_t;

//  Flags on a field.
#define SCHEMA_OPTIONAL  (1u << 0)  //  absent on the wire reads as zero
#define SCHEMA_IF_SET    (1u << 1)  //  written only when true or non-NULL

typedef struct schema_field schema_field_t;
struct schema_field {
    const char *key;            //  the map key on the wire
    schema_kind_t kind;
    const char *member;         //  the C field, as PROTOCOL.md names it
    size_t offset;              //  of the value in its struct
    size_t size;                //  of the value in its struct
    int64_t min;                //  numbers: lowest; STR: shortest length
    uint64_t max;               //  numbers: highest; TEXT, STRV: longest
                                //  text (an item's, for STRV)
    size_t items;               //  STRV: most items
    size_t count_offset;        //  STRV: of its size_t count
    const schema_field_t *children;     //  MAP
    unsigned flags;             //  SCHEMA_OPTIONAL, SCHEMA_IF_SET
};

#define SCHEMA_SIZEOF(type, member) sizeof (((type *) 0)->member)

//  Table rows. STR's longest length is its buffer less the NUL.
#define SCHEMA_STR(key, type, member, min_len)                              \
    { key, SCHEMA_KIND_STR, #member, offsetof (type, member),               \
      SCHEMA_SIZEOF (type, member), min_len, 0, 0, 0, NULL, 0 }
#define SCHEMA_UINT(key, type, member, min, max)                            \
    { key, SCHEMA_KIND_UINT, #member, offsetof (type, member),              \
      SCHEMA_SIZEOF (type, member), min, max, 0, 0, NULL, 0 }
#define SCHEMA_INT(key, type, member, min, max)                             \
    { key, SCHEMA_KIND_INT, #member, offsetof (type, member),               \
      SCHEMA_SIZEOF (type, member), min, max, 0, 0, NULL, 0 }
#define SCHEMA_BOOL(key, type, member, flags)                               \
    { key, SCHEMA_KIND_BOOL, #member, offsetof (type, member),              \
      SCHEMA_SIZEOF (type, member), 0, 0, 0, 0, NULL, flags }
#define SCHEMA_TEXT(key, type, member, max_len, flags)                      \
    { key, SCHEMA_KIND_TEXT, #member, offsetof (type, member),              \
      SCHEMA_SIZEOF (type, member), 0, max_len, 0, 0, NULL, flags }
#define SCHEMA_STRV(key, type, member, count, max_len)                      \
    { key, SCHEMA_KIND_STRV, #member ", " #count, offsetof (type, member),  \
      SCHEMA_SIZEOF (type, member), 0, max_len,                             \
      SCHEMA_SIZEOF (type, member) / sizeof (char *),                       \
      offsetof (type, count), NULL, 0 }
#define SCHEMA_MAP(key, type, member, children)                             \
    { key, SCHEMA_KIND_MAP, #member, offsetof (type, member),               \
      SCHEMA_SIZEOF (type, member), 0, 0, 0, 0, children, 0 }
#define SCHEMA_END { NULL, SCHEMA_KIND_END, NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }

//  How many entries schema_put writes for self: every field, less the
//  SCHEMA_IF_SET ones that are not set.
uint32_t schema_count (const schema_field_t *fields, const void *self);

//  Writes each field of self as key and value, in table order (the map
//  header is the caller's: see schema_count).
void schema_put (mp_writer_t *writer, const schema_field_t *fields,
                 const void *self);

//  Fills self (zeroed by the caller) from the map: every field not
//  SCHEMA_OPTIONAL present with its msgpack type, strings that fit, and
//  nested maps that are clean (mp_map_ok). Keys the table does not name
//  are ignored. Ranges are not checked here: see schema_valid. Returns 0,
//  or -1 with errno EPROTO (ENOMEM when a copy could not be made); self
//  may then hold copies, for schema_release.
int schema_get (const msgpack_object *map, const schema_field_t *fields,
                void *self);

//  True when self keeps the table's rules: strings terminated inside their
//  buffers and no shorter than min, numbers in min..max, texts and lists
//  within their bounds.
bool schema_valid (const schema_field_t *fields, const void *self);

//  Frees the texts and lists self holds and zeroes size bytes of it.
void schema_release (const schema_field_t *fields, void *self, size_t size);

#endif
