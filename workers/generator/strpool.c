/*  workers/generator/strpool.c - strings freed together.  */
#include "workers/generator/strpool.h"

#include <stdio.h>
#include <stdlib.h>

char *
strpool_keep (strpool_t *self, char *text)
{
    if (!text) {
        self->failed = true;
        return NULL;
    }
    char **items = realloc (self->items, (self->count + 1) * sizeof *items);
    if (!items) {
        free (text);
        self->failed = true;
        return NULL;
    }
    self->items = items;
    self->items [self->count++] = text;
    return text;
}

char *
strpool_vformat (strpool_t *self, const char *format, va_list args)
{
    char *text = NULL;
    if (vasprintf (&text, format, args) < 0)
        text = NULL;
    return strpool_keep (self, text);
}

char *
strpool_format (strpool_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *text = strpool_vformat (self, format, args);
    va_end (args);
    return text;
}

void
strpool_release (strpool_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        free (self->items [i]);
    free (self->items);
    *self = (strpool_t) { 0 };
}
