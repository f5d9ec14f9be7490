/*  workers/detector/dtext.c - scanning line-based build files by hand.  */
#include "workers/detector/dtext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

unsigned
dtext_line_at (const char *text, const char *ptr)
{
    unsigned line = 1;
    for (const char *p = text; p && p < ptr && *p; p++)
        if (*p == '\n')
            line++;
    return line;
}

unsigned
dtext_find_line (const char *text, const char *needle)
{
    const char *at = text && needle? strstr (text, needle): NULL;
    return at? dtext_line_at (text, at): 0;
}

unsigned
dtext_json_line (const char *text, const char *outer, const char *key)
{
    if (!text || !key)
        return 0;
    const char *from = text;
    char quoted [128];
    if (outer) {
        snprintf (quoted, sizeof quoted, "\"%s\"", outer);
        from = strstr (text, quoted);
        if (!from)
            return 0;
        from += strlen (quoted);
    }
    snprintf (quoted, sizeof quoted, "\"%s\"", key);
    //  the key, not an equal string value: a ':' must follow
    for (const char *at = strstr (from, quoted); at; at = strstr (at + 1, quoted)) {
        const char *p = at + strlen (quoted);
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p == ':')
            return dtext_line_at (text, at);
    }
    return 0;
}

//  Copy one line [start, end) to out at *n, with a '\n' before it when out
//  already holds something. Truncates silently.
static void
s_append_line (char *out, size_t size, size_t *n, const char *start, const char *end)
{
    if (!size)
        return;
    if (*n && *n + 1 < size)
        out [(*n)++] = '\n';
    while (start < end && *n + 1 < size)
        out [(*n)++] = *start++;
    out [*n] = 0;
}

static const char *
s_line_end (const char *p)
{
    const char *end = strchr (p, '\n');
    return end? end: p + strlen (p);
}

//  True when the line at p is a rule header naming target among its
//  targets ("test check: deps", but not "X := y").
static bool
s_rule_names (const char *p, const char *eol, const char *target)
{
    const char *colon = memchr (p, ':', (size_t) (eol - p));
    if (!colon || colon == p)
        return false;
    if (colon + 1 < eol && (colon [1] == '=' || (colon [1] == ':' && colon + 2 < eol
                                                && colon [2] == '=')))
        return false;
    for (const char *q = p; q < colon; q++)
        if (*q == '=' || *q == '$' || *q == '%')
            return false;
    size_t n = strlen (target);
    const char *q = p;
    while (q < colon) {
        while (q < colon && (*q == ' ' || *q == '\t'))
            q++;
        const char *w = q;
        while (q < colon && *q != ' ' && *q != '\t')
            q++;
        if ((size_t) (q - w) == n && strncmp (w, target, n) == 0)
            return true;
    }
    return false;
}

bool
dtext_make_target (const char *text, const char *target, unsigned *line_p,
                   char *recipe, size_t size)
{
    if (!text || !target)
        return false;
    unsigned line = 1, catch_line = 0;
    const char *catch_all = NULL;
    for (const char *p = text; *p; line++) {
        const char *eol = s_line_end (p);
        if (*p != '\t' && *p != ' ' && *p != '#' && s_rule_names (p, eol, target)) {
            size_t n = 0;
            if (size)
                recipe [0] = 0;
            //  a recipe after ';' on the rule line
            const char *semi = memchr (p, ';', (size_t) (eol - p));
            if (semi)
                s_append_line (recipe, size, &n, semi + 1, eol);
            const char *q = *eol? eol + 1: eol;
            while (*q == '\t' || (*q == '\r' && q [1] == '\n') || *q == '\n') {
                const char *qe = s_line_end (q);
                const char *s = q;
                while (s < qe && (*s == '\t' || *s == ' ' || *s == '@' || *s == '-'
                                  || *s == '+'))
                    s++;
                const char *e = qe;
                while (e > s && (e [-1] == '\r' || e [-1] == ' '))
                    e--;
                if (s < e && *s != '#')
                    s_append_line (recipe, size, &n, s, e);
                q = *qe? qe + 1: qe;
            }
            if (line_p)
                *line_p = line;
            return true;
        }
        if (strncmp (p, "%:", 2) == 0 && !catch_all) {
            catch_all = p;
            catch_line = line;
        }
        p = *eol? eol + 1: eol;
    }
    //  a catch-all pattern rule ("%: ...") makes any target
    if (catch_all) {
        const char *eol = s_line_end (catch_all);
        size_t n = 0;
        if (size)
            recipe [0] = 0;
        const char *q = *eol? eol + 1: eol;
        while (*q == '\t') {
            const char *qe = s_line_end (q);
            const char *s = q;
            while (s < qe && (*s == '\t' || *s == ' ' || *s == '@' || *s == '-'))
                s++;
            if (s < qe && *s != '#')
                s_append_line (recipe, size, &n, s, qe);
            q = *qe? qe + 1: qe;
        }
        if (line_p)
            *line_p = catch_line;
        return true;
    }
    return false;
}

bool
dtext_make_default (const char *text, char *out, size_t size, unsigned *line_p)
{
    if (!text || !size)
        return false;
    unsigned line = 1;
    //  .DEFAULT_GOAL := name names it outright
    for (const char *p = text; *p; line++) {
        const char *eol = s_line_end (p);
        if (strncmp (p, ".DEFAULT_GOAL", 13) == 0) {
            const char *v = p + 13;
            while (v < eol && (*v == ' ' || *v == ':' || *v == '=' || *v == '?'))
                v++;
            size_t n = 0;
            while (v < eol && !isspace ((unsigned char) *v) && n + 1 < size)
                out [n++] = *v++;
            out [n] = 0;
            if (n && !strchr (out, '$')) {
                if (line_p)
                    *line_p = line;
                return true;
            }
        }
        p = *eol? eol + 1: eol;
    }
    line = 1;
    for (const char *p = text; *p; line++) {
        const char *eol = s_line_end (p);
        const char *colon = memchr (p, ':', (size_t) (eol - p));
        bool rule = colon && colon != p && *p != '\t' && *p != ' ' && *p != '#'
                 && *p != '.' && !(colon + 1 < eol && colon [1] == '=');
        for (const char *q = p; rule && q < colon; q++)
            if (*q == '=' || *q == '%' || *q == '$')
                rule = false;
        //  define/ifeq blocks and "include x" lines are not rules
        if (rule && (strncmp (p, "ifeq", 4) == 0 || strncmp (p, "ifneq", 5) == 0
                     || strncmp (p, "define ", 7) == 0))
            rule = false;
        if (rule) {
            const char *w = p;
            while (w < colon && (*w == ' ' || *w == '\t'))
                w++;
            size_t n = 0;
            while (w < colon && *w != ' ' && *w != '\t' && n + 1 < size)
                out [n++] = *w++;
            out [n] = 0;
            if (n) {
                if (line_p)
                    *line_p = line;
                return true;
            }
        }
        p = *eol? eol + 1: eol;
    }
    return false;
}

bool
dtext_make_prereqs (const char *text, const char *target, char *out, size_t size)
{
    if (!text || !target || !size)
        return false;
    for (const char *p = text; *p; ) {
        const char *eol = s_line_end (p);
        if (*p != '\t' && *p != ' ' && *p != '#' && s_rule_names (p, eol, target)) {
            const char *colon = memchr (p, ':', (size_t) (eol - p));
            if (!colon)
                return false;
            const char *q = colon + 1;
            if (q < eol && *q == ':')
                q++;
            const char *end = q < eol? memchr (q, ';', (size_t) (eol - q)): NULL;
            if (!end)
                end = eol;
            size_t n = 0;
            while (q < end && n + 1 < size) {
                out [n++] = *q == '\t' || *q == '\r' || *q == '\\'? ' ': *q;
                q++;
            }
            out [n] = 0;
            dtext_trim (out);
            return true;
        }
        p = *eol? eol + 1: eol;
    }
    return false;
}

bool
dtext_just_recipe (const char *text, const char *name, unsigned *line_p,
                   char *body, size_t size)
{
    if (!text || !name)
        return false;
    size_t len = strlen (name);
    unsigned line = 1;
    for (const char *p = text; *p; line++) {
        const char *eol = s_line_end (p);
        const char *s = p;
        if (*s == '@')
            s++;
        if (strncmp (s, name, len) == 0
            && (s [len] == ':' || s [len] == ' ' || s [len] == '\t')) {
            const char *colon = memchr (s, ':', (size_t) (eol - s));
            if (colon && colon [1] != '=' && !memchr (s, '=', (size_t) (colon - s))) {
                size_t n = 0;
                if (size)
                    body [0] = 0;
                const char *q = *eol? eol + 1: eol;
                while (*q == ' ' || *q == '\t') {
                    const char *qe = s_line_end (q);
                    const char *b = q;
                    while (b < qe && (*b == ' ' || *b == '\t' || *b == '@' || *b == '-'))
                        b++;
                    const char *e = qe;
                    while (e > b && (e [-1] == '\r' || e [-1] == ' '))
                        e--;
                    if (b < e && *b != '#')
                        s_append_line (body, size, &n, b, e);
                    q = *qe? qe + 1: qe;
                }
                if (line_p)
                    *line_p = line;
                return true;
            }
        }
        p = *eol? eol + 1: eol;
    }
    return false;
}

static bool
s_word_char (int c)
{
    return isalnum (c) || c == '_' || c == '-' || c == '.';
}

//  The first whole-word occurrence of word in text, or NULL.
static const char *
s_find_word (const char *text, const char *word)
{
    size_t n = strlen (word);
    if (!text || !n)
        return NULL;
    for (const char *at = strstr (text, word); at; at = strstr (at + 1, word)) {
        bool before = at > text && s_word_char ((unsigned char) at [-1]);
        bool after = s_word_char ((unsigned char) at [n]);
        //  a word that itself ends in punctuation needs no check after it
        if (!s_word_char ((unsigned char) word [n - 1]))
            after = false;
        if (!before && !after)
            return at;
    }
    return NULL;
}

bool
dtext_quoted_after (const char *text, const char *key, char *out, size_t size,
                    unsigned *line_p)
{
    for (const char *at = s_find_word (text, key); at; at = s_find_word (at + 1, key)) {
        const char *eol = s_line_end (at);
        const char *q = at + strlen (key);
        while (q < eol && *q != '"' && *q != '\'')
            q++;
        if (q >= eol)
            continue;
        char quote = *q++;
        const char *end = memchr (q, quote, (size_t) (eol - q));
        if (!end || !size)
            continue;
        size_t n = (size_t) (end - q);
        if (n >= size)
            n = size - 1;
        memcpy (out, q, n);
        out [n] = 0;
        if (line_p)
            *line_p = dtext_line_at (text, at);
        return true;
    }
    return false;
}

bool
dtext_number_after (const char *text, const char *key, char *out, size_t size,
                    unsigned *line_p)
{
    for (const char *at = s_find_word (text, key); at; at = s_find_word (at + 1, key)) {
        const char *eol = s_line_end (at);
        const char *q = at + strlen (key);
        while (q < eol && !isdigit ((unsigned char) *q))
            q++;
        if (q >= eol || !size)
            continue;
        size_t n = 0;
        while (q < eol && (isdigit ((unsigned char) *q) || *q == '.') && n + 1 < size)
            out [n++] = *q++;
        while (n && out [n - 1] == '.')
            n--;
        out [n] = 0;
        if (line_p)
            *line_p = dtext_line_at (text, at);
        return n > 0;
    }
    return false;
}

bool
dtext_has_word (const char *text, const char *word)
{
    return s_find_word (text, word) != NULL;
}

bool
dtext_has_line_prefix (const char *text, const char *prefix)
{
    size_t n = strlen (prefix);
    for (const char *p = text; p && *p; ) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp (p, prefix, n) == 0)
            return true;
        const char *eol = strchr (p, '\n');
        p = eol? eol + 1: NULL;
    }
    return false;
}

bool
dtext_next_line (const char **p_p, char *out, size_t size)
{
    const char *p = *p_p;
    if (!*p)
        return false;
    const char *eol = strchr (p, '\n');
    size_t n = eol? (size_t) (eol - p): strlen (p);
    *p_p = p + n + (eol != NULL);
    if (n >= size)
        n = size - 1;
    memcpy (out, p, n);
    out [n] = 0;
    return true;
}

char *
dtext_trim (char *s)
{
    char *start = s;
    while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
        start++;
    size_t n = strlen (start);
    while (n && (start [n - 1] == ' ' || start [n - 1] == '\t'
                 || start [n - 1] == '\r' || start [n - 1] == '\n'))
        n--;
    memmove (s, start, n);
    s [n] = 0;
    return s;
}
