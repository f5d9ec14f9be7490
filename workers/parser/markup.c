/*  workers/parser/markup.c - reStructuredText and AsciiDoc READMEs as
    Markdown, line for line.

    Only what the parser looks at is carried over: section titles become
    ATX headings, code and literal blocks become fences with their
    language, image directives and macros become Markdown images so
    badges are seen. Comments and attribute lines become blank lines;
    prose keeps at most three spaces of indentation, so an indented
    paragraph is not mistaken for an indented code block.  */
#include "workers/parser/markup.h"
#include "workers/parser/sbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    size_t len;             //  without the line ending
    size_t indent;          //  leading blanks
    bool blank;
} line_t;

typedef struct {
    sbuf_t out;
    size_t last_start;      //  where the last emitted line starts
    bool last_blank;
} emit_t;

//  -- lines in, lines out -------------------------------------------------

static line_t *
s_lines (const char *text, size_t size, size_t *count_p)
{
    size_t count = 1;
    for (size_t i = 0; i < size; i++)
        if (text [i] == '\n')
            count++;
    line_t *lines = malloc (count * sizeof *lines);
    if (!lines)
        return NULL;
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && text [i] != '\n')
            continue;
        size_t end = i;
        if (end > start && text [end - 1] == '\r')
            end--;
        line_t *line = &lines [n++];
        line->p = text + start;
        line->len = end - start;
        line->indent = 0;
        while (line->indent < line->len
           &&  (line->p [line->indent] == ' ' || line->p [line->indent] == '\t'))
            line->indent++;
        line->blank = line->indent == line->len;
        start = i + 1;
    }
    if (n > 1 && lines [n - 1].len == 0 && size && text [size - 1] == '\n')
        n--;
    *count_p = n;
    return lines;
}

static void
s_emit (emit_t *self, const char *text, size_t len)
{
    self->last_start = self->out.len;
    sbuf_add (&self->out, text, len);
    sbuf_addc (&self->out, '\n');
    self->last_blank = len == 0;
}

static void
s_blank (emit_t *self)
{
    s_emit (self, "", 0);
}

//  A directive's ":option: value" lines, from line i on, deeper than
//  parent: each becomes a blank line (line numbers stay). Returns the
//  index of the first line after them.
static size_t
s_skip_options (emit_t *self, const line_t *lines, size_t count, size_t i, size_t parent)
{
    while (i < count && !lines [i].blank && lines [i].indent > parent
       &&  lines [i].p [lines [i].indent] == ':') {
        s_blank (self);
        i++;
    }
    return i;
}

//  A line of prose, its indentation cut to three blanks at most.
static void
s_prose (emit_t *self, const line_t *line)
{
    size_t keep = line->indent < 3? line->indent: 3;
    self->last_start = self->out.len;
    sbuf_add (&self->out, "   ", keep);
    sbuf_add (&self->out, line->p + line->indent, line->len - line->indent);
    sbuf_addc (&self->out, '\n');
    self->last_blank = line->blank;
}

//  Opens a fence with language lang (len bytes, may be 0).
static void
s_open_fence (emit_t *self, const char *lang, size_t len)
{
    self->last_start = self->out.len;
    sbuf_adds (&self->out, "```");
    sbuf_add (&self->out, lang, len);
    sbuf_addc (&self->out, '\n');
    self->last_blank = false;
}

//  Closes a fence on the blank line that ended the block, or on a line
//  of its own when there was none.
static void
s_close_fence (emit_t *self)
{
    if (self->last_blank && self->out.len && !self->out.failed) {
        self->out.len = self->last_start;
        self->out.data [self->out.len] = 0;
    }
    s_emit (self, "```", 3);
}

//  A Markdown image, wrapped in a link when target is not empty.
static void
s_image (sbuf_t *out, const char *alt, size_t alt_len, const char *url, size_t url_len,
         const char *target, size_t target_len)
{
    if (target_len)
        sbuf_addc (out, '[');
    sbuf_adds (out, "![");
    for (size_t i = 0; i < alt_len; i++)
        if (alt [i] != '[' && alt [i] != ']')
            sbuf_addc (out, alt [i]);
    sbuf_adds (out, "](");
    sbuf_add (out, url, url_len);
    sbuf_addc (out, ')');
    if (target_len) {
        sbuf_adds (out, "](");
        sbuf_add (out, target, target_len);
        sbuf_addc (out, ')');
    }
}

static void
s_trim (const char **text, size_t *len)
{
    while (*len && (**text == ' ' || **text == '\t')) {
        (*text)++;
        (*len)--;
    }
    while (*len && ((*text) [*len - 1] == ' ' || (*text) [*len - 1] == '\t'))
        (*len)--;
}

static bool
s_starts (const char *text, size_t len, const char *prefix)
{
    size_t plen = strlen (prefix);
    return len >= plen && memcmp (text, prefix, plen) == 0;
}

//  Code points in text: what a title's underline is measured against.
static size_t
s_width (const char *text, size_t len)
{
    size_t width = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char) text [i] & 0xC0) != 0x80)
            width++;
    return width;
}

//  The language word at text, lower-cased into lang.
static size_t
s_lang_word (const char *text, size_t len, char *lang, size_t size)
{
    size_t n = 0;
    while (n < len && n + 1 < size && text [n] != ' ' && text [n] != '\t'
       &&  text [n] != ',' && text [n] != ']')
        n++;
    for (size_t i = 0; i < n; i++)
        lang [i] = (char) tolower ((unsigned char) text [i]);
    lang [n] = 0;
    return n;
}

//  -- reStructuredText ----------------------------------------------------

//  A section adornment: one punctuation character repeated, at least
//  three times or as wide as the title, from the first column.
static bool
s_rst_adornment (const line_t *line, size_t title_width)
{
    if (line->indent || line->blank)
        return false;
    char c = line->p [0];
    if (!ispunct ((unsigned char) c))
        return false;
    size_t len = line->len;
    while (len && (line->p [len - 1] == ' ' || line->p [len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < len; i++)
        if (line->p [i] != c)
            return false;
    return len >= 3 || (len >= 2 && title_width && len >= title_width && c != ':');
}

//  The heading level of an adornment style, in order of first use.
typedef struct {
    char style [6][2];
    size_t count;
} rst_levels_t;

static size_t
s_rst_level (rst_levels_t *levels, char c, bool over)
{
    for (size_t i = 0; i < levels->count; i++)
        if (levels->style [i][0] == c && levels->style [i][1] == (char) over)
            return i + 1;
    if (levels->count < 6) {
        levels->style [levels->count][0] = c;
        levels->style [levels->count][1] = (char) over;
        levels->count++;
        return levels->count;
    }
    return 6;
}

static void
s_heading (emit_t *self, size_t level, const char *text, size_t len)
{
    s_trim (&text, &len);
    self->last_start = self->out.len;
    sbuf_add (&self->out, "######", level);
    sbuf_addc (&self->out, ' ');
    sbuf_add (&self->out, text, len);
    sbuf_addc (&self->out, '\n');
    self->last_blank = false;
}

//  A directive ".. name:: argument" at line: name and argument, trimmed.
static bool
s_rst_directive (const line_t *line, const char **name, size_t *name_len,
                 const char **arg, size_t *arg_len)
{
    const char *p = line->p + line->indent;
    size_t len = line->len - line->indent;
    if (!s_starts (p, len, ".. "))
        return false;
    for (size_t i = 3; i + 1 < len; i++)
        if (p [i] == ':' && p [i + 1] == ':') {
            *name = p + 3;
            *name_len = i - 3;
            s_trim (name, name_len);
            *arg = p + i + 2;
            *arg_len = len - i - 2;
            s_trim (arg, arg_len);
            return *name_len > 0;
        }
    return false;
}

static bool
s_is_name (const char *name, size_t len, const char *want)
{
    return strlen (want) == len && memcmp (name, want, len) == 0;
}

//  The value of option ":key:" among the directive's option lines after
//  line index at (lines indented past indent that open with ':').
static void
s_rst_option (const line_t *lines, size_t count, size_t at, size_t indent,
              const char *key, const char **value, size_t *value_len)
{
    *value = "";
    *value_len = 0;
    size_t klen = strlen (key);
    for (size_t j = at + 1; j < count; j++) {
        const line_t *line = &lines [j];
        if (line->blank || line->indent <= indent || line->p [line->indent] != ':')
            return;
        const char *p = line->p + line->indent;
        size_t len = line->len - line->indent;
        if (len > klen + 2 && p [0] == ':' && memcmp (p + 1, key, klen) == 0
        &&  p [klen + 1] == ':') {
            *value = p + klen + 2;
            *value_len = len - klen - 2;
            s_trim (value, value_len);
            return;
        }
    }
}

//  What reading reStructuredText carries from line to line.
typedef struct {
    rst_levels_t levels;
    enum { RST_NORMAL, RST_CODE, RST_SKIP } mode;
    size_t parent;                  //  indentation the block lives under
    size_t body_indent;             //  of the first body line, 0 before
    bool options;                   //  ":linenos:" lines may still come
    bool literal;                   //  the paragraph ended with "::"
    size_t para_indent;
    bool para_start;
    char highlight [32];            //  ".. highlight:: console" for "::"
} rst_t;

//  A line inside a code block or a skipped block: true when it was one
//  (and is taken), false when the block ended before it.
static bool
s_rst_inside (emit_t *self, rst_t *rst, const line_t *line)
{
    if (rst->mode == RST_CODE) {
        if (line->blank) {
            rst->options = false;
            s_blank (self);
            return true;
        }
        if (line->indent > rst->parent) {
            if (rst->options && !rst->body_indent && line->p [line->indent] == ':') {
                s_blank (self);
                return true;
            }
            if (!rst->body_indent)
                rst->body_indent = line->indent;
            size_t cut = line->indent < rst->body_indent? line->indent: rst->body_indent;
            s_emit (self, line->p + cut, line->len - cut);
            return true;
        }
        s_close_fence (self);
        rst->mode = RST_NORMAL;
    }
    if (rst->mode == RST_SKIP) {
        if (line->blank || line->indent > rst->parent) {
            s_blank (self);
            return true;
        }
        rst->mode = RST_NORMAL;
    }
    return false;
}

//  A blank line: after "text::", a block indented past the paragraph
//  is a literal block.
static void
s_rst_blank (emit_t *self, rst_t *rst, const line_t *lines, size_t count, size_t i)
{
    if (rst->literal) {
        rst->literal = false;
        size_t j = i + 1;
        while (j < count && lines [j].blank)
            j++;
        if (j < count && lines [j].indent > rst->para_indent) {
            s_open_fence (self, rst->highlight, strlen (rst->highlight));
            rst->mode = RST_CODE;
            rst->parent = rst->para_indent;
            rst->body_indent = 0;
            rst->options = false;
            return;
        }
    }
    rst->para_start = true;
    s_blank (self);
}

//  A title at line i: the lines it took (3 overlined, 2 underlined), or 0.
static size_t
s_rst_title (emit_t *self, rst_t *rst, const line_t *lines, size_t count, size_t i,
             const char *text, size_t text_len)
{
    const line_t *line = &lines [i];
    bool after_break = i == 0 || lines [i - 1].blank;
    //  Overlined title: ===== / Title / =====
    if (after_break && i + 2 < count && s_rst_adornment (line, 0)
    &&  !lines [i + 1].blank && s_rst_adornment (&lines [i + 2], 0)
    &&  lines [i + 2].p [0] == line->p [0]) {
        size_t level = s_rst_level (&rst->levels, line->p [0], true);
        s_blank (self);
        s_heading (self, level, lines [i + 1].p, lines [i + 1].len);
        s_blank (self);
        rst->para_start = true;
        return 3;
    }
    //  Underlined title: Title / -----
    if (after_break && !line->indent && i + 1 < count
    &&  !s_rst_adornment (line, 0)
    &&  s_rst_adornment (&lines [i + 1], s_width (text, text_len))) {
        size_t level = s_rst_level (&rst->levels, lines [i + 1].p [0], false);
        s_heading (self, level, text, text_len);
        s_blank (self);
        rst->para_start = true;
        return 2;
    }
    return 0;
}

//  The directive at line i (".. NAME:: ARG"): the index of the line
//  after what it took.
static size_t
s_rst_directive_at (emit_t *self, rst_t *rst, const line_t *lines, size_t count, size_t i,
                    const char *name, size_t name_len, const char *arg, size_t arg_len)
{
    rst->parent = lines [i].indent;
    if (s_is_name (name, name_len, "code-block") || s_is_name (name, name_len, "code")
    ||  s_is_name (name, name_len, "sourcecode") || s_is_name (name, name_len, "prompt")) {
        char lang [32];
        s_lang_word (arg, arg_len, lang, sizeof lang);
        s_open_fence (self, lang, strlen (lang));
        rst->mode = RST_CODE;
        rst->body_indent = 0;
        rst->options = true;
        return i + 1;
    }
    if (s_is_name (name, name_len, "highlight")) {
        s_lang_word (arg, arg_len, rst->highlight, sizeof rst->highlight);
        s_blank (self);
        rst->mode = RST_SKIP;
        return i + 1;
    }
    if (s_is_name (name, name_len, "image") || s_is_name (name, name_len, "figure")
    ||  (name [0] == '|' && name_len > 6 && memcmp (name + name_len - 6, " image", 6) == 0)) {
        //  .. image:: URL / .. |name| image:: URL, with :target: and :alt:
        //  options
        const char *target, *alt;
        size_t target_len, alt_len;
        s_rst_option (lines, count, i, rst->parent, "target", &target, &target_len);
        s_rst_option (lines, count, i, rst->parent, "alt", &alt, &alt_len);
        if (!alt_len && name [0] == '|') {
            alt = name + 1;
            alt_len = (size_t) ((const char *) memchr (name + 1, '|', name_len - 1)
                                - (name + 1));
        }
        self->last_start = self->out.len;
        s_image (&self->out, alt, alt_len, arg, arg_len, target, target_len);
        sbuf_addc (&self->out, '\n');
        self->last_blank = false;
        //  the option lines go; a figure's caption stays prose
        return s_skip_options (self, lines, count, i + 1, rst->parent);
    }
    //  note, warning, tab, raw...: the directive line and its options go,
    //  the body is read as prose
    s_blank (self);
    return s_skip_options (self, lines, count, i + 1, rst->parent);
}

//  A line of text that is neither a title nor a directive: a comment,
//  a paragraph ending in "::", or prose.
static void
s_rst_text (emit_t *self, rst_t *rst, const line_t *line, const char *text, size_t text_len)
{
    if (s_starts (line->p + line->indent, line->len - line->indent, "..")
    &&  (line->len - line->indent == 2 || line->p [line->indent + 2] == ' ')) {
        //  a comment or a link target, and what is indented under it
        s_blank (self);
        rst->parent = line->indent;
        rst->mode = RST_SKIP;
        return;
    }
    if (text_len >= 2 && text [text_len - 2] == ':' && text [text_len - 1] == ':') {
        //  "Run the tests::" reads "Run the tests:"; "::" alone, and " ::"
        //  at the end, vanish
        rst->literal = true;
        size_t keep = text_len - 1;
        if (text_len == 2)
            keep = 0;
        else
        if (text [text_len - 3] == ' ')
            keep = text_len - 3;
        line_t cut = *line;
        cut.len = (size_t) (text - line->p) + keep;
        if (keep)
            s_prose (self, &cut);
        else
            s_blank (self);
        return;
    }
    s_prose (self, line);
}

static void
s_rst (emit_t *self, const line_t *lines, size_t count)
{
    rst_t rst = { .levels = { .count = 0 }, .mode = RST_NORMAL, .para_start = true };
    size_t i = 0;
    while (i < count) {
        const line_t *line = &lines [i];
        if (s_rst_inside (self, &rst, line)) {
            i++;
            continue;
        }
        if (line->blank) {
            s_rst_blank (self, &rst, lines, count, i);
            i++;
            continue;
        }
        rst.literal = false;
        const char *text = line->p + line->indent;
        size_t text_len = line->len - line->indent;
        s_trim (&text, &text_len);
        size_t title = s_rst_title (self, &rst, lines, count, i, text, text_len);
        if (title) {
            i += title;
            continue;
        }
        if (rst.para_start)
            rst.para_indent = line->indent;
        rst.para_start = false;
        const char *name, *arg;
        size_t name_len, arg_len;
        if (s_rst_directive (line, &name, &name_len, &arg, &arg_len)) {
            i = s_rst_directive_at (self, &rst, lines, count, i, name, name_len, arg, arg_len);
            continue;
        }
        s_rst_text (self, &rst, line, text, text_len);
        i++;
    }
    if (rst.mode == RST_CODE)
        s_close_fence (self);
}

//  -- AsciiDoc ------------------------------------------------------------

//  True when the trimmed line is one character repeated, four times or
//  more: a delimited block's fence.
static bool
s_adoc_delimiter (const line_t *line, char c)
{
    if (line->indent || line->len < 4)
        return false;
    size_t len = line->len;
    while (len && (line->p [len - 1] == ' ' || line->p [len - 1] == '\t'))
        len--;
    if (len < 4)
        return false;
    for (size_t i = 0; i < len; i++)
        if (line->p [i] != c)
            return false;
    return true;
}

//  image:URL[alt, link=...] at p: a Markdown image; returns the bytes
//  read or 0. link_url, when not NULL, wraps it in that link.
static size_t
s_adoc_image (sbuf_t *out, const char *p, size_t len, const char *link_url, size_t link_len)
{
    size_t i = 0;
    if (!s_starts (p, len, "image:"))
        return 0;
    i = 6;
    if (i < len && p [i] == ':')
        i++;
    size_t url = i;
    while (i < len && p [i] != '[' && p [i] != ' ')
        i++;
    if (i >= len || p [i] != '[' || i == url)
        return 0;
    size_t url_len = i - url;
    size_t attrs = ++i;
    while (i < len && p [i] != ']')
        i++;
    if (i >= len)
        return 0;
    const char *a = p + attrs;
    size_t a_len = i - attrs;
    //  the alt text is the first attribute; link= names a target
    size_t comma = 0;
    while (comma < a_len && a [comma] != ',')
        comma++;
    const char *alt = a;
    size_t alt_len = comma;
    s_trim (&alt, &alt_len);
    if (alt_len >= 2 && alt [0] == '"' && alt [alt_len - 1] == '"') {
        alt++;
        alt_len -= 2;
    }
    const char *target = link_url;
    size_t target_len = link_url? link_len: 0;
    for (size_t k = 0; k + 5 <= a_len; k++)
        if (memcmp (a + k, "link=", 5) == 0) {
            size_t v = k + 5;
            bool quoted = v < a_len && a [v] == '"';
            if (quoted)
                v++;
            size_t e = v;
            while (e < a_len && (quoted? a [e] != '"': a [e] != ','))
                e++;
            target = a + v;
            target_len = e - v;
            break;
        }
    s_image (out, alt, alt_len, p + url, url_len, target, target_len);
    return i + 1;
}

//  A line of AsciiDoc prose with its images and image links rewritten:
//  https://ci.example/x[image:https://badge.svg[CI]] -> [![CI](...)](...)
static void
s_adoc_prose (emit_t *self, const line_t *line)
{
    self->last_start = self->out.len;
    size_t keep = line->indent < 3? line->indent: 3;
    sbuf_add (&self->out, "   ", keep);
    const char *p = line->p + line->indent;
    size_t len = line->len - line->indent;
    size_t i = 0;
    while (i < len) {
        bool word_start = i == 0 || p [i - 1] == ' ' || p [i - 1] == '\t' || p [i - 1] == '[';
        if (word_start && (s_starts (p + i, len - i, "https://")
                       ||  s_starts (p + i, len - i, "http://")
                       ||  s_starts (p + i, len - i, "link:"))) {
            size_t start = i + (s_starts (p + i, len - i, "link:")? 5: 0);
            size_t j = start;
            while (j < len && p [j] != '[' && p [j] != ' ')
                j++;
            if (j < len && p [j] == '[' && s_starts (p + j + 1, len - j - 1, "image:")) {
                sbuf_t image = { 0 };
                size_t used = s_adoc_image (&image, p + j + 1, len - j - 1,
                                            p + start, j - start);
                bool closed = used && j + 1 + used < len && p [j + 1 + used] == ']';
                if (closed)
                    sbuf_add (&self->out, sbuf_str (&image), image.len);
                if (image.failed)
                    self->out.failed = true;
                sbuf_release (&image);
                if (closed) {
                    i = j + 2 + used;
                    continue;
                }
            }
        }
        if (word_start) {
            size_t used = s_adoc_image (&self->out, p + i, len - i, NULL, 0);
            if (used) {
                i += used;
                continue;
            }
        }
        sbuf_addc (&self->out, p [i]);
        i++;
    }
    sbuf_addc (&self->out, '\n');
    self->last_blank = false;
}

static void
s_adoc (emit_t *self, const line_t *lines, size_t count)
{
    enum { NORMAL, LISTING, COMMENT, PASS, FENCE } mode = NORMAL;
    char delim = 0;
    size_t delim_len = 0;
    char lang [32] = "";            //  from [source,bash] before a block
    for (size_t i = 0; i < count; i++) {
        const line_t *line = &lines [i];
        const char *p = line->p;
        size_t len = line->len;
        if (mode == LISTING || mode == COMMENT || mode == PASS) {
            size_t trimmed = len;
            while (trimmed && (p [trimmed - 1] == ' ' || p [trimmed - 1] == '\t'))
                trimmed--;
            bool ends = trimmed == delim_len && s_adoc_delimiter (line, delim);
            if (ends && mode == LISTING)
                s_emit (self, "```", 3);
            else
            if (ends || mode == COMMENT)
                s_blank (self);
            else
                s_emit (self, p, len);
            if (ends)
                mode = NORMAL;
            continue;
        }
        if (mode == FENCE) {
            s_emit (self, p, len);
            if (s_starts (p + line->indent, len - line->indent, "```"))
                mode = NORMAL;
            continue;
        }
        if (line->blank) {
            s_blank (self);
            continue;
        }
        if (s_starts (p, len, "```")) {
            s_emit (self, p, len);
            mode = FENCE;
            lang [0] = 0;
            continue;
        }
        if (s_adoc_delimiter (line, '-') || s_adoc_delimiter (line, '.')
        ||  s_adoc_delimiter (line, '/') || s_adoc_delimiter (line, '+')) {
            delim = p [0];
            delim_len = len;
            while (delim_len && (p [delim_len - 1] == ' ' || p [delim_len - 1] == '\t'))
                delim_len--;
            if (delim == '-' || delim == '.') {
                s_open_fence (self, lang, strlen (lang));
                mode = LISTING;
            }
            else {
                s_blank (self);
                mode = delim == '/'? COMMENT: PASS;
            }
            lang [0] = 0;
            continue;
        }
        //  = Title, == Section ... ====== Level 5
        size_t eq = 0;
        while (eq < len && p [eq] == '=')
            eq++;
        if (eq >= 1 && eq <= 6 && eq < len && p [eq] == ' ') {
            s_heading (self, eq, p + eq + 1, len - eq - 1);
            continue;
        }
        //  example, sidebar, quote and open block fences, tables,
        //  comments, attribute entries, list continuations, preprocessor
        //  lines, block attributes: nothing to read
        if (s_adoc_delimiter (line, '=') || s_adoc_delimiter (line, '*')
        ||  s_adoc_delimiter (line, '_') || s_starts (p, len, "|===")
        ||  (len == 2 && memcmp (p, "--", 2) == 0) || (len == 1 && p [0] == '+')
        ||  (s_starts (p, len, "//") && !line->indent)
        ||  s_starts (p, len, "include::") || s_starts (p, len, "ifdef::")
        ||  s_starts (p, len, "ifndef::") || s_starts (p, len, "endif::")
        ||  s_starts (p, len, "ifeval::") || s_starts (p, len, "toc::")) {
            s_blank (self);
            continue;
        }
        if (p [0] == ':' && len > 2) {
            size_t j = 1;
            while (j < len && (isalnum ((unsigned char) p [j]) || p [j] == '-'
                           ||  p [j] == '_' || p [j] == '!'))
                j++;
            if (j > 1 && j < len && p [j] == ':') {
                s_blank (self);
                continue;
            }
        }
        if (p [0] == '[' && p [len - 1] == ']' && !line->indent) {
            //  [source,bash] / [,console] / [source%nowrap,sh] before a listing
            const char *a = p + 1;
            size_t a_len = len - 2;
            if ((s_starts (a, a_len, "source") || s_starts (a, a_len, ","))
            &&  memchr (a, ',', a_len)) {
                const char *comma = memchr (a, ',', a_len);
                const char *w = comma + 1;
                size_t w_len = a_len - (size_t) (w - a);
                s_trim (&w, &w_len);
                s_lang_word (w, w_len, lang, sizeof lang);
            }
            s_blank (self);
            continue;
        }
        //  ".Build the project": a block title, read as prose
        if (p [0] == '.' && len > 1 && p [1] != '.' && p [1] != ' ' && !line->indent) {
            line_t title = *line;
            title.p++;
            title.len--;
            s_adoc_prose (self, &title);
            continue;
        }
        s_adoc_prose (self, line);
    }
    if (mode == LISTING || mode == FENCE)
        s_emit (self, "```", 3);
}

//  -- the interface -------------------------------------------------------

static bool
s_ends_with (const char *name, const char *suffix)
{
    size_t nlen = strlen (name), slen = strlen (suffix);
    if (nlen < slen)
        return false;
    for (size_t i = 0; i < slen; i++)
        if (tolower ((unsigned char) name [nlen - slen + i]) != suffix [i])
            return false;
    return true;
}

markup_kind_t
markup_kind (const char *name, const char *text, size_t size)
{
    if (!name)
        return MARKUP_MARKDOWN;
    if (s_ends_with (name, ".rst") || s_ends_with (name, ".rest"))
        return MARKUP_RST;
    if (s_ends_with (name, ".adoc") || s_ends_with (name, ".asciidoc")
    ||  s_ends_with (name, ".asc"))
        return MARKUP_ASCIIDOC;
    const char *base = strrchr (name, '/');
    base = base? base + 1: name;
    if (strchr (base, '.') && !s_ends_with (base, ".txt"))
        return MARKUP_MARKDOWN;
    //  README or README.txt: reStructuredText if it uses its directives
    static const char *const marks [] = { "\n.. code-block::", "\n.. code::",
        "\n.. image::", "\n.. sourcecode::", NULL };
    for (size_t i = 0; text && marks [i]; i++) {
        size_t mlen = strlen (marks [i]);
        for (size_t k = 0; k + mlen <= size; k++)
            if (text [k] == '\n' && memcmp (text + k, marks [i], mlen) == 0)
                return MARKUP_RST;
    }
    return MARKUP_MARKDOWN;
}

char *
markup_to_markdown (markup_kind_t kind, const char *text, size_t size, size_t *size_p)
{
    size_t count;
    line_t *lines = s_lines (text? text: "", text? size: 0, &count);
    if (!lines) {
        errno = ENOMEM;
        return NULL;
    }
    emit_t emit = { .last_blank = false };
    if (kind == MARKUP_RST)
        s_rst (&emit, lines, count);
    else
    if (kind == MARKUP_ASCIIDOC)
        s_adoc (&emit, lines, count);
    else
        for (size_t i = 0; i < count; i++)
            s_emit (&emit, lines [i].p, lines [i].len);
    free (lines);
    //  an empty document still gives a string
    sbuf_add (&emit.out, "", 0);
    size_t len = emit.out.len;
    char *out = sbuf_take (&emit.out);
    if (!out) {
        errno = ENOMEM;
        return NULL;
    }
    *size_p = len;
    return out;
}
