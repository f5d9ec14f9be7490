/*  workers/parser/sbuf.h - a growable byte string for the parser. A
    failed allocation is remembered, not reported per call, so building
    code stays linear; check sbuf_take (or failed) at the end.  */
#ifndef SBUF_H_INCLUDED
#define SBUF_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Zero value is an empty string.
typedef struct {
    char *data;         //  NUL-terminated once anything was added
    size_t len;
    size_t cap;
    bool failed;        //  an allocation failed: contents are incomplete
} sbuf_t;

void sbuf_add (sbuf_t *self, const char *text, size_t size);
void sbuf_adds (sbuf_t *self, const char *text);
void sbuf_addc (sbuf_t *self, char c);
//  The contents, "" when empty. Borrowed until the next change.
const char *sbuf_str (const sbuf_t *self);
//  Drop trailing spaces and tabs.
void sbuf_rtrim (sbuf_t *self);
//  Empty the string, keeping its memory.
void sbuf_reset (sbuf_t *self);
//  Hand over the contents as a malloc'd string (caller frees) and leave
//  self empty; NULL with errno ENOMEM if any allocation failed.
char *sbuf_take (sbuf_t *self);
void sbuf_release (sbuf_t *self);

#endif
