/*  workers/parser/sbuf.c - a growable byte string for the parser.  */
#include "workers/parser/sbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
sbuf_add (sbuf_t *self, const char *text, size_t size)
{
    if (self->failed)
        return;
    if (self->len + size + 1 > self->cap) {
        size_t cap = self->cap? self->cap: 64;
        while (cap < self->len + size + 1) {
            if (cap > ((size_t) -1) / 2) {
                self->failed = true;
                return;
            }
            cap *= 2;
        }
        char *data = realloc (self->data, cap);
        if (!data) {
            self->failed = true;
            return;
        }
        self->data = data;
        self->cap = cap;
    }
    if (size)
        memcpy (self->data + self->len, text, size);
    self->len += size;
    self->data [self->len] = 0;
}

void
sbuf_adds (sbuf_t *self, const char *text)
{
    sbuf_add (self, text, strlen (text));
}

void
sbuf_addc (sbuf_t *self, char c)
{
    sbuf_add (self, &c, 1);
}

const char *
sbuf_str (const sbuf_t *self)
{
    return self->data && !self->failed? self->data: "";
}

void
sbuf_rtrim (sbuf_t *self)
{
    while (self->len && (self->data [self->len - 1] == ' '
                     ||  self->data [self->len - 1] == '\t'))
        self->data [--self->len] = 0;
}

void
sbuf_reset (sbuf_t *self)
{
    self->len = 0;
    if (self->data)
        self->data [0] = 0;
}

char *
sbuf_take (sbuf_t *self)
{
    if (self->failed) {
        sbuf_release (self);
        errno = ENOMEM;
        return NULL;
    }
    char *text = self->data? self->data: strdup ("");
    if (!text)
        errno = ENOMEM;
    memset (self, 0, sizeof *self);
    return text;
}

void
sbuf_release (sbuf_t *self)
{
    free (self->data);
    memset (self, 0, sizeof *self);
}
