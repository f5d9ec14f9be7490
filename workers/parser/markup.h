/*  workers/parser/markup.h - READMEs written in reStructuredText or
    AsciiDoc, rewritten as the Markdown cmark reads: headings, code and
    literal blocks, image badges. Line for line, so the lines the parser
    reports are the lines of the original. Pure.  */
#ifndef MARKUP_H_INCLUDED
#define MARKUP_H_INCLUDED

#include <stddef.h>

typedef enum {
    MARKUP_MARKDOWN,        //  read as it is
    MARKUP_RST,             //  reStructuredText
    MARKUP_ASCIIDOC         //  AsciiDoc
} markup_kind_t;

//  The markup of a document called name (README.rst, README.adoc...);
//  a README without an extension that uses reStructuredText directives
//  counts as such. text may be NULL when size is 0.
markup_kind_t markup_kind (const char *name, const char *text, size_t size);

//  The Markdown for text (size bytes) in markup kind, NUL-terminated, as
//  a malloc'd buffer the caller frees, its length in *size_p; line n of
//  the result comes from line n of text, except that a code block with
//  no blank line after it gains one line. NULL with errno ENOMEM.
char *markup_to_markdown (markup_kind_t kind, const char *text, size_t size,
                          size_t *size_p);

#endif
