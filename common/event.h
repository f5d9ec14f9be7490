/*  common/event.h - the event record the supervisor journals and publishes:
    seq, time, type and a small ordered list of typed fields.  */
#ifndef EVENT_H_INCLUDED
#define EVENT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Longest type or field key, in bytes.
#define EVENT_NAME_MAX 255
//  Bytes event_time_rfc3339 needs: "2024-05-01T12:34:56.789Z" and a NUL.
#define EVENT_TIME_SIZE 25

typedef enum {
    EVENT_STR = 1,          //  text, no NUL inside
    EVENT_INT,              //  signed 64-bit integer
    EVENT_BOOL,
    EVENT_BYTES             //  any bytes (e.g. the generated YAML)
} event_kind_t;

typedef struct {
    char *key;
    event_kind_t kind;
    int64_t num;            //  EVENT_INT value; EVENT_BOOL 0 or 1
    char *data;             //  EVENT_STR / EVENT_BYTES, always NUL-ended
    size_t size;            //  bytes in data, without the NUL
} event_field_t;

//  Transparent; the zero value is an empty event. Owns its strings.
typedef struct {
    uint64_t seq;           //  given by the journal, from 1
    uint64_t time;          //  milliseconds since the epoch, UTC
    char *type;             //  "workflow.queued"...
    event_field_t *fields;  //  in the order they were added
    size_t count;
    size_t alloc;
} event_t;

//  Free what the event owns; it is empty afterwards.
void event_release (event_t *self);

//  Set the type (copied): 0, or -1 with EINVAL (empty, too long, NULL)
//  or ENOMEM.
int event_set_type (event_t *self, const char *type);

//  Append a field (key and value copied): 0, or -1 with EINVAL (key empty
//  or longer than EVENT_NAME_MAX, string NULL), EEXIST (key already
//  there) or ENOMEM.
int event_add_str (event_t *self, const char *key, const char *value);
int event_add_int (event_t *self, const char *key, int64_t value);
int event_add_bool (event_t *self, const char *key, bool value);
int event_add_bytes (event_t *self, const char *key, const void *data,
                     size_t size);

//  The field under key (borrowed), or NULL.
const event_field_t *event_field (const event_t *self, const char *key);
//  A string field's text (borrowed), or NULL if absent or not a string.
const char *event_get_str (const event_t *self, const char *key);
//  A bytes field (borrowed) and its size, or NULL if absent or not bytes.
const uint8_t *event_get_bytes (const event_t *self, const char *key,
                                size_t *size_p);
//  0 and the value, or -1 with ENOENT if absent or of another kind.
int event_get_int (const event_t *self, const char *key, int64_t *value);
int event_get_bool (const event_t *self, const char *key, bool *value);

//  Encode as msgpack: the array [seq, time, type, {key: value...}] where a
//  value is a str, an int, a bool or a bin. Returns 0 and a malloc'd
//  buffer (caller frees), or -1 with EINVAL (no type) or ENOMEM.
int event_encode (const event_t *self, uint8_t **buf_p, size_t *size_p);

//  Decode what event_encode wrote into self (released first). Checks
//  everything: shape, types, ranges, names, duplicate keys, the whole
//  buffer consumed. 0, or -1 with EPROTO (self is then empty) or ENOMEM.
int event_decode (event_t *self, const uint8_t *buf, size_t size);

//  Format a time (ms since the epoch) as RFC 3339 in UTC with
//  milliseconds, "2024-05-01T12:34:56.789Z", into buf (at least
//  EVENT_TIME_SIZE bytes). 0, or -1 with EINVAL (buffer too small) or
//  ERANGE (after year 9999).
int event_time_rfc3339 (uint64_t time_ms, char *buf, size_t size);

#endif
