/*  workers/generator/strpool.h - the strings a render makes, kept in one
    place and freed together when the output is written.  */
#ifndef STRPOOL_H_INCLUDED
#define STRPOOL_H_INCLUDED

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

//  Zero value is an empty pool.
typedef struct {
    char **items;
    size_t count;
    bool failed;        //  memory ran out once: the render is incomplete
} strpool_t;

//  Keep text (malloc'd, taken over) until the release. Returns text, or
//  NULL when text is NULL (an allocation before failed) or memory ran out
//  (text is then freed); either sets failed.
char *strpool_keep (strpool_t *self, char *text);

//  A formatted string, kept; NULL (and failed set) when memory ran out.
char *strpool_format (strpool_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
char *strpool_vformat (strpool_t *self, const char *format, va_list args)
    __attribute__ ((format (printf, 2, 0)));

//  Free every string kept and empty the pool.
void strpool_release (strpool_t *self);

#endif
