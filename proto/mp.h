/*  proto/mp.h - small helpers over msgpack-c shared by every codec:
    a writer that fills a malloc'd buffer, and a reader that checks a
    buffer is exactly one well-formed object (with bounded nesting and
    counts that fit the bytes) before msgpack-c unpacks it, plus typed
    getters that fail with EPROTO.  */
#ifndef MP_H_INCLUDED
#define MP_H_INCLUDED

#include <msgpack.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Deepest nesting any of our messages may have.
#define MP_MAX_DEPTH 16

//  Entries a payload map (and any map in it) may have: the keys a decoder
//  looks up and unknown ones it ignores (PROTOCOL.md, sections 3 and 6).
#define PROTO_MAP_MAX 64

typedef struct {
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    int failed;                 //  set when a put ran out of memory
} mp_writer_t;

void mp_writer_init (mp_writer_t *self);
//  Hand the bytes over: 0 and a malloc'd buffer (caller frees), or -1
//  (ENOMEM) when any put failed. The writer is empty afterwards.
int mp_writer_finish (mp_writer_t *self, uint8_t **buf_p, size_t *size_p);
void mp_writer_discard (mp_writer_t *self);

void mp_put_map (mp_writer_t *self, uint32_t count);
void mp_put_array (mp_writer_t *self, uint32_t count);
void mp_put_str (mp_writer_t *self, const char *text);     //  NULL as ""
void mp_put_strn (mp_writer_t *self, const char *text, size_t size);
void mp_put_bin (mp_writer_t *self, const void *data, size_t size);
void mp_put_uint (mp_writer_t *self, uint64_t value);
void mp_put_int (mp_writer_t *self, int64_t value);
void mp_put_bool (mp_writer_t *self, bool value);
void mp_put_nil (mp_writer_t *self);

typedef struct {
    msgpack_unpacked unpacked;
    bool live;
} mp_reader_t;

//  Unpack buf, which must hold exactly one object no deeper than
//  MP_MAX_DEPTH. Returns the root (borrowed from the reader; it may point
//  into buf, so keep buf alive), or NULL with errno EPROTO.
const msgpack_object *mp_read (mp_reader_t *self, const uint8_t *buf, size_t size);
void mp_reader_release (mp_reader_t *self);

//  True when buf is one well-formed object as mp_read requires; the
//  check mp_read makes before msgpack-c allocates anything.
bool mp_well_formed (const uint8_t *buf, size_t size, int max_depth);

//  The value under a string key of a map; NULL if absent or not a map.
const msgpack_object *mp_get (const msgpack_object *map, const char *key);

//  Typed getters: 0 or -1 with errno EPROTO on a wrong type or range.
//  A NULL object (absent key) is EPROTO too, unless the _opt form is used,
//  which leaves the output alone.
//  True when obj is a payload map: min..PROTO_MAP_MAX entries (the keys a
//  decoder looks up, and unknown ones it ignores), str keys only, none
//  twice (a duplicate could be read as either copy by another reader).
bool mp_map_ok (const msgpack_object *obj, uint32_t min);

int mp_str_dup (const msgpack_object *obj, char **out_p);         //  STR or BIN
int mp_str_copy (const msgpack_object *obj, char *out, size_t out_size);
int mp_bin_dup (const msgpack_object *obj, char **out_p, size_t *size_p);  //  NUL-terminated
int mp_u64 (const msgpack_object *obj, uint64_t *out);
int mp_u32 (const msgpack_object *obj, uint32_t *out);
int mp_i32 (const msgpack_object *obj, int32_t *out);
int mp_bool (const msgpack_object *obj, bool *out);
int mp_str_dup_opt (const msgpack_object *obj, char **out_p);
int mp_str_copy_opt (const msgpack_object *obj, char *out, size_t out_size);
int mp_u32_opt (const msgpack_object *obj, uint32_t *out);
int mp_bool_opt (const msgpack_object *obj, bool *out);

//  An array with at most max items: 0 and its count, or -1 EPROTO.
int mp_array (const msgpack_object *obj, size_t max, size_t *count_p);

//  Free an array of count malloc'd strings and NULL the pointer.
void mp_free_strv (char ***strv_p, size_t count);

#endif
