/*  proto/schema.h - a msgpack map described by one table of fields, as
    common/config.c describes the config: the table drives encoding,
    checked decoding, the validity rules both sides share, and release.
    proto/wire.c holds one table per message header, project.c,
    readme_doc.c and report.c one per payload object; tests read the same
    tables to hold PROTOCOL.md to the code. Pure: no logging, no clock.  */
#ifndef SCHEMA_H_INCLUDED
#define SCHEMA_H_INCLUDED

#include "proto/mp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SCHEMA_KIND_END = 0,    //  ends a table
    SCHEMA_KIND_STR,        //  char [size] in the struct; str
    SCHEMA_KIND_UINT,       //  uint32_t or uint64_t (size says which); uint
    SCHEMA_KIND_INT,        //  int32_t; int
    SCHEMA_KIND_BOOL,       //  bool; true or false
    SCHEMA_KIND_TEXT,       //  char *, malloc'd, NULL for none; str, or nil
    SCHEMA_KIND_STRV,       //  char *[items] and its size_t count; array
                            //  of str
    SCHEMA_KIND_MAP,        //  a struct described by children; map
    SCHEMA_KIND_STRDUP,     //  char *, malloc'd (NULL is written ""); str
    SCHEMA_KIND_BIN,        //  char * (NUL-terminated) and its size_t size;
                            //  bin
    SCHEMA_KIND_STRLIST,    //  char ** and its size_t count; array of str
    SCHEMA_KIND_LIST,       //  an array of structs described by children
                            //  and its size_t count; array of map
    SCHEMA_KIND_NAME        //  an int-sized enum; str, one of names
} schema_kind_t;

//  Flags on a field.
#define SCHEMA_OPTIONAL  (1u << 0)  //  absent on the wire reads as zero
#define SCHEMA_IF_SET    (1u << 1)  //  written only when true or non-NULL
#define SCHEMA_BIN_OK    (1u << 2)  //  STRDUP, STRLIST: bin read as str

typedef struct schema_field schema_field_t;
struct schema_field {
    const char *key;            //  the map key on the wire
    schema_kind_t kind;
    const char *member;         //  the C field, as PROTOCOL.md names it
    size_t offset;              //  of the value in its struct
    size_t size;                //  of the value in its struct
    int64_t min;                //  numbers: lowest; strings: shortest
    uint64_t max;               //  numbers: highest; strings but STR:
                                //  longest (an item's, for lists)
    size_t items;               //  STRV, STRLIST, LIST: most items;
                                //  NAME: how many names
    size_t count_offset;        //  STRV, STRLIST, LIST: of the size_t
                                //  count; BIN: of the size_t size
    size_t item_size;           //  LIST: of one item
    const schema_field_t *children;     //  MAP, LIST
    const char *const *names;   //  NAME: by value
    unsigned flags;             //  SCHEMA_OPTIONAL, SCHEMA_IF_SET...
};

#define SCHEMA_SIZEOF(t, m) sizeof (((t *) 0)->m)
#define SCHEMA_AT(k, kind_, t, m)                                           \
    .key = k, .kind = kind_, .member = #m, .offset = offsetof (t, m),       \
    .size = SCHEMA_SIZEOF (t, m)

//  Table rows: the key, the struct and its member, then what the kind
//  needs. STR's longest length is its buffer less the NUL.
#define SCHEMA_STR(k, t, m, min_len)                                        \
    { SCHEMA_AT (k, SCHEMA_KIND_STR, t, m), .min = min_len }
#define SCHEMA_UINT(k, t, m, lo, hi)                                        \
    { SCHEMA_AT (k, SCHEMA_KIND_UINT, t, m), .min = lo, .max = hi }
#define SCHEMA_INT(k, t, m, lo, hi)                                         \
    { SCHEMA_AT (k, SCHEMA_KIND_INT, t, m), .min = lo, .max = hi }
#define SCHEMA_BOOL(k, t, m, flags_)                                        \
    { SCHEMA_AT (k, SCHEMA_KIND_BOOL, t, m), .flags = flags_ }
#define SCHEMA_TEXT(k, t, m, max_len, flags_)                               \
    { SCHEMA_AT (k, SCHEMA_KIND_TEXT, t, m), .max = max_len,                \
      .flags = flags_ }
#define SCHEMA_STRV(k, t, m, count, max_len)                                \
    { .key = k, .kind = SCHEMA_KIND_STRV, .member = #m ", " #count,        \
      .offset = offsetof (t, m), .size = SCHEMA_SIZEOF (t, m),              \
      .max = max_len, .items = SCHEMA_SIZEOF (t, m) / sizeof (char *),      \
      .count_offset = offsetof (t, count) }
#define SCHEMA_MAP(k, t, m, children_)                                      \
    { SCHEMA_AT (k, SCHEMA_KIND_MAP, t, m), .children = children_ }
#define SCHEMA_STRDUP(k, t, m, min_len, max_len, flags_)                    \
    { SCHEMA_AT (k, SCHEMA_KIND_STRDUP, t, m), .min = min_len,              \
      .max = max_len, .flags = flags_ }
#define SCHEMA_BIN(k, t, m, size_m, max_len)                                \
    { SCHEMA_AT (k, SCHEMA_KIND_BIN, t, m), .max = max_len,                 \
      .count_offset = offsetof (t, size_m) }
#define SCHEMA_STRLIST(k, t, m, count, most, min_len, max_len, flags_)      \
    { SCHEMA_AT (k, SCHEMA_KIND_STRLIST, t, m), .min = min_len,             \
      .max = max_len, .items = most, .count_offset = offsetof (t, count),   \
      .flags = flags_ }
#define SCHEMA_LIST(k, t, m, count, most, item_t, children_)                \
    { SCHEMA_AT (k, SCHEMA_KIND_LIST, t, m), .items = most,                 \
      .count_offset = offsetof (t, count), .item_size = sizeof (item_t),    \
      .children = children_ }
#define SCHEMA_NAME(k, t, m, names_, count)                                 \
    { SCHEMA_AT (k, SCHEMA_KIND_NAME, t, m), .names = names_,               \
      .items = count }
#define SCHEMA_END { .kind = SCHEMA_KIND_END }

//  No bound on a string's length but the frame's.
#define SCHEMA_ANY_LENGTH UINT64_MAX

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

//  A whole frame that is one map: encode returns 0 and a malloc'd buffer
//  (caller frees), or -1 ENOMEM. Decode zeroes self (size bytes), reads
//  exactly buf, then schema_get and schema_valid; returns 0, or -1 with
//  errno EPROTO (ENOMEM) and self released.
int schema_encode (const schema_field_t *fields, const void *self,
                   uint8_t **buf_p, size_t *size_p);
int schema_decode (const schema_field_t *fields, void *self, size_t size,
                   const uint8_t *buf, size_t buf_size);

#endif
