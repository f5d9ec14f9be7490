/*  workers/detector/vrange.c - version requirements against release lines:
    a range is alternatives ("||") of comparators that must all hold.  */
#include "workers/detector/vrange.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VR_PARTS 4
#define VR_MAX_CMPS 16

typedef struct {
    long part [VR_PARTS];
    size_t count;               //  parts written; 0 for "*" alone
    bool wild;                  //  ended in x or * ("3.9.*", "1.x")
} ver_t;

typedef enum { OP_EQ, OP_NE, OP_GE, OP_GT, OP_LE, OP_LT, OP_COMPAT,
               OP_TILDE, OP_CARET } op_t;

typedef struct {
    op_t op;
    ver_t ver;
} cmp_t;

//  Parse a version at *p; moves *p past it. False when none is there.
static bool
s_parse_ver (const char **p, ver_t *ver)
{
    const char *s = *p;
    memset (ver, 0, sizeof *ver);
    if (*s == 'v' || *s == 'V')
        s++;
    if (*s == '*' || *s == 'x' || *s == 'X') {
        ver->wild = true;
        *p = s + 1;
        return true;
    }
    if (!isdigit ((unsigned char) *s))
        return false;
    while (true) {
        if (*s == '*' || *s == 'x' || *s == 'X') {
            ver->wild = true;
            s++;
            break;
        }
        if (!isdigit ((unsigned char) *s))
            break;
        char *end;
        long value = strtol (s, &end, 10);
        if (ver->count < VR_PARTS)
            ver->part [ver->count++] = value;
        s = end;
        if (*s != '.' || !(isdigit ((unsigned char) s [1]) || s [1] == '*'
                           || s [1] == 'x' || s [1] == 'X'))
            break;
        s++;
    }
    //  pre-release, build and local labels: "1.2.3-beta.1", "3.9.0rc1"
    while (*s && (isalnum ((unsigned char) *s) || *s == '-' || *s == '+'
                  || *s == '.' ) && !(s [0] == '-' && s [1] == ' '))
        s++;
    *p = s;
    return true;
}

static int
s_cmp_ver (const ver_t *a, const ver_t *b)
{
    for (size_t i = 0; i < VR_PARTS; i++) {
        long x = i < a->count? a->part [i]: 0;
        long y = i < b->count? b->part [i]: 0;
        if (x != y)
            return x < y? -1: 1;
    }
    return 0;
}

//  True when v starts with the first n parts of prefix.
static bool
s_prefix (const ver_t *v, const ver_t *prefix, size_t n)
{
    for (size_t i = 0; i < n && i < VR_PARTS; i++) {
        long x = i < v->count? v->part [i]: 0;
        if (x != prefix->part [i])
            return false;
    }
    return true;
}

static bool
s_holds (const cmp_t *c, const ver_t *v)
{
    const ver_t *w = &c->ver;
    bool partial = w->wild || w->count < 3;
    switch (c->op) {
        case OP_EQ:
            return partial? s_prefix (v, w, w->count): s_cmp_ver (v, w) == 0;
        case OP_NE:
            return !(partial? s_prefix (v, w, w->count): s_cmp_ver (v, w) == 0);
        case OP_GE:
            return s_cmp_ver (v, w) >= 0;
        case OP_GT:
            return s_cmp_ver (v, w) > 0 && !(w->wild && s_prefix (v, w, w->count));
        case OP_LE:
            return s_cmp_ver (v, w) <= 0 || (partial && s_prefix (v, w, w->count));
        case OP_LT:
            return s_cmp_ver (v, w) < 0;
        case OP_COMPAT:         //  ~= X.Y and ~> X.Y: at least, same prefix
            return s_cmp_ver (v, w) >= 0
                && s_prefix (v, w, w->count > 1? w->count - 1: 1);
        case OP_TILDE:          //  npm ~X.Y.Z: same X.Y
            return s_cmp_ver (v, w) >= 0
                && s_prefix (v, w, w->count >= 2? 2: w->count);
        case OP_CARET: {        //  npm ^: same first non-zero part
            size_t keep = 1;
            while (keep < w->count && w->part [keep - 1] == 0)
                keep++;
            return s_cmp_ver (v, w) >= 0 && s_prefix (v, w, keep);
        }
    }
    return false;
}

//  Parse one alternative (no "||") into comparators. False if unreadable.
static bool
s_parse_alt (const char *s, const char *end, cmp_t *cmps, size_t *count_p)
{
    size_t count = 0;
    while (s < end) {
        while (s < end && (isspace ((unsigned char) *s) || *s == ','))
            s++;
        if (s >= end)
            break;
        if (count + 2 > VR_MAX_CMPS)
            return false;
        op_t op = OP_EQ;
        if (strncmp (s, "===", 3) == 0)      { op = OP_EQ; s += 3; }
        else if (strncmp (s, "==", 2) == 0)  { op = OP_EQ; s += 2; }
        else if (strncmp (s, "!=", 2) == 0)  { op = OP_NE; s += 2; }
        else if (strncmp (s, ">=", 2) == 0)  { op = OP_GE; s += 2; }
        else if (strncmp (s, "<=", 2) == 0)  { op = OP_LE; s += 2; }
        else if (strncmp (s, "~=", 2) == 0)  { op = OP_COMPAT; s += 2; }
        else if (strncmp (s, "~>", 2) == 0)  { op = OP_COMPAT; s += 2; }
        else if (*s == '>')                  { op = OP_GT; s++; }
        else if (*s == '<')                  { op = OP_LT; s++; }
        else if (*s == '=')                  { op = OP_EQ; s++; }
        else if (*s == '~')                  { op = OP_TILDE; s++; }
        else if (*s == '^')                  { op = OP_CARET; s++; }
        while (s < end && isspace ((unsigned char) *s))
            s++;
        ver_t ver;
        if (!s_parse_ver (&s, &ver) || s > end)
            return false;
        //  npm hyphen range "1.2 - 2.3"
        const char *t = s;
        while (t < end && *t == ' ')
            t++;
        if (op == OP_EQ && t + 1 < end && t [0] == '-' && t [1] == ' ') {
            t += 2;
            while (t < end && *t == ' ')
                t++;
            ver_t upper;
            if (!s_parse_ver (&t, &upper) || t > end)
                return false;
            cmps [count++] = (cmp_t) { OP_GE, ver };
            cmps [count++] = (cmp_t) { OP_LE, upper };
            s = t;
            continue;
        }
        if (ver.count == 0 && ver.wild)
            continue;           //  "*" holds for everything
        cmps [count++] = (cmp_t) { op, ver };
    }
    *count_p = count;
    return true;
}

//  Does some release of line satisfy this alternative? Probe the line's
//  first release, a late one, and every bound that falls inside the line.
static bool
s_alt_allows (const cmp_t *cmps, size_t count, const ver_t *line)
{
    ver_t probes [VR_MAX_CMPS + 2];
    size_t n = 0;
    probes [n] = *line;
    probes [n].wild = false;
    n++;
    probes [n] = *line;
    probes [n].wild = false;
    if (probes [n].count < VR_PARTS)
        probes [n].part [probes [n].count++] = 9999;
    n++;
    for (size_t i = 0; i < count; i++)
        if (cmps [i].ver.count > line->count
            && s_prefix (&cmps [i].ver, line, line->count)) {
            probes [n] = cmps [i].ver;
            probes [n++].wild = false;
        }
    for (size_t p = 0; p < n; p++) {
        bool all = true;
        for (size_t i = 0; all && i < count; i++)
            all = s_holds (&cmps [i], &probes [p]);
        if (all)
            return true;
    }
    return false;
}

//  Walk the alternatives; with line NULL only check they parse.
static bool
s_eval (const char *range, const char *line_text, bool *allowed)
{
    ver_t line = { { 0 }, 0, false };
    if (line_text) {
        const char *p = line_text;
        if (!s_parse_ver (&p, &line) || line.count == 0)
            return false;
    }
    *allowed = false;
    const char *s = range;
    bool any = false;
    while (true) {
        const char *bar = strstr (s, "||");
        const char *end = bar? bar: s + strlen (s);
        cmp_t cmps [VR_MAX_CMPS];
        size_t count = 0;
        if (!s_parse_alt (s, end, cmps, &count))
            return false;
        any = true;
        if (line_text && s_alt_allows (cmps, count, &line))
            *allowed = true;
        if (!bar)
            break;
        s = bar + 2;
    }
    return any;
}

bool
vrange_valid (const char *range)
{
    bool allowed;
    if (!range)
        return false;
    const char *p = range;
    while (isspace ((unsigned char) *p))
        p++;
    return *p && s_eval (range, NULL, &allowed);
}

bool
vrange_allows (const char *range, const char *line)
{
    bool allowed = false;
    if (!range || !line || !vrange_valid (range))
        return false;
    return s_eval (range, line, &allowed) && allowed;
}

int
vrange_compare (const char *a, const char *b)
{
    ver_t x, y;
    const char *p = a? a: "", *q = b? b: "";
    if (!s_parse_ver (&p, &x))
        memset (&x, 0, sizeof x);
    if (!s_parse_ver (&q, &y))
        memset (&y, 0, sizeof y);
    return s_cmp_ver (&x, &y);
}

bool
vrange_line (const char *version, size_t parts, char *out, size_t size)
{
    ver_t ver;
    const char *p = version? version: "";
    while (*p == ' ' || *p == '\t')
        p++;
    if (!s_parse_ver (&p, &ver) || ver.count == 0 || !size)
        return false;
    size_t n = 0;
    out [0] = 0;
    for (size_t i = 0; i < parts && i < ver.count; i++) {
        int w = snprintf (out + n, size - n, i? ".%ld": "%ld", ver.part [i]);
        if (w < 0 || (size_t) w >= size - n)
            return false;
        n += (size_t) w;
    }
    return true;
}
