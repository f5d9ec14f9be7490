/*  common/toml.c - TOML text to the ytree shape: a hand-written reader for
    the subset of TOML 1.0 manifests use, strict enough to say where a file
    is wrong, bounded so that no input can crash it.  */
#include "common/toml.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A growing byte string.
typedef struct {
    char *data;
    size_t size;
    size_t cap;
} buf_t;

//  Tables already opened by a [header], so a second [same] is refused.
typedef struct {
    const ynode_t **slots;
    size_t cap;
    size_t count;
} ptrset_t;

typedef struct {
    const char *text;
    size_t size;
    size_t pos;
    unsigned line;
    size_t line_start;          //  offset of the current line's first byte
    char *err;
    size_t err_size;
    bool failed;
    bool oom;
    ynode_t *root;
    ynode_t *table;             //  where key/value pairs go now
    ptrset_t defined;
} parser_t;

static int s_parse_value (parser_t *self, ynode_t **out_p, int depth);
static void s_fail (parser_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_fail (parser_t *self, const char *fmt, ...)
{
    if (self->failed)
        return;
    self->failed = true;
    if (self->err && self->err_size) {
        char what [200];
        va_list args;
        va_start (args, fmt);
        vsnprintf (what, sizeof what, fmt, args);
        va_end (args);
        snprintf (self->err, self->err_size, "line %u, column %zu: %s",
                  self->line, self->pos - self->line_start + 1, what);
    }
}

static void
s_fail_oom (parser_t *self)
{
    if (!self->failed && self->err && self->err_size)
        snprintf (self->err, self->err_size, "out of memory");
    self->failed = true;
    self->oom = true;
}

static int
s_buf_add (parser_t *self, buf_t *buf, const char *data, size_t size)
{
    if (buf->size + size + 1 > buf->cap) {
        size_t cap = buf->cap? buf->cap: 32;
        while (cap < buf->size + size + 1)
            cap *= 2;
        char *grown = realloc (buf->data, cap);
        if (!grown) {
            s_fail_oom (self);
            return -1;
        }
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy (buf->data + buf->size, data, size);
    buf->size += size;
    buf->data [buf->size] = 0;
    return 0;
}

//  Hand the bytes over as a NUL-terminated string ("" when empty).
static char *
s_buf_take (parser_t *self, buf_t *buf)
{
    if (!buf->data && s_buf_add (self, buf, "", 0))
        return NULL;
    char *data = buf->data;
    *buf = (buf_t) { 0 };
    return data;
}

static bool
s_set_has (const ptrset_t *set, const ynode_t *node)
{
    if (!set->cap)
        return false;
    size_t i = ((uintptr_t) node >> 4) % set->cap;
    while (set->slots [i]) {
        if (set->slots [i] == node)
            return true;
        i = (i + 1) % set->cap;
    }
    return false;
}

static int
s_set_add (parser_t *self, ptrset_t *set, const ynode_t *node)
{
    if ((set->count + 1) * 2 > set->cap) {
        ptrset_t grown = { NULL, set->cap? set->cap * 2: 64, 0 };
        grown.slots = calloc (grown.cap, sizeof *grown.slots);
        if (!grown.slots) {
            s_fail_oom (self);
            return -1;
        }
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots [i])
                s_set_add (self, &grown, set->slots [i]);
        free (set->slots);
        *set = grown;
    }
    size_t i = ((uintptr_t) node >> 4) % set->cap;
    while (set->slots [i])
        i = (i + 1) % set->cap;
    set->slots [i] = node;
    set->count++;
    return 0;
}

static ynode_t *
s_node_new (parser_t *self, ynode_kind_t kind, unsigned line, unsigned column)
{
    ynode_t *node = calloc (1, sizeof *node);
    if (!node) {
        s_fail_oom (self);
        return NULL;
    }
    node->kind = kind;
    node->line = line;
    node->column = column;
    return node;
}

//  Append item (and key for maps); takes both, frees them on failure.
static int
s_node_append (parser_t *self, ynode_t *node, char *key, ynode_t *item)
{
    if (node->count >= TOML_MAX_ENTRIES) {
        s_fail (self, "more than %d entries in one table or array",
                TOML_MAX_ENTRIES);
        goto out_free;
    }
    if (node->kind != YNODE_MAP) {
        free (key);
        key = NULL;
    }
    if (ytree_append (node, key, item) == 0)
        return 0;
    s_fail_oom (self);
out_free:
    free (key);
    ytree_destroy (&item);
    return -1;
}

static ynode_t *
s_map_find (ynode_t *map, const char *key)
{
    for (size_t i = 0; i < map->count; i++)
        if (strcmp (map->keys [i], key) == 0)
            return map->items [i];
    return NULL;
}

static int
s_peek (const parser_t *self)
{
    return self->pos < self->size? (unsigned char) self->text [self->pos]: -1;
}

static int
s_peek_at (const parser_t *self, size_t ahead)
{
    return self->pos + ahead < self->size
         ? (unsigned char) self->text [self->pos + ahead]: -1;
}

static unsigned
s_column (const parser_t *self)
{
    return (unsigned) (self->pos - self->line_start + 1);
}

static void
s_newline (parser_t *self)
{
    self->line++;
    self->line_start = self->pos;
}

static bool
s_at_newline (const parser_t *self)
{
    return s_peek (self) == '\n'
        || (s_peek (self) == '\r' && s_peek_at (self, 1) == '\n');
}

//  Consume one newline (\n or \r\n).
static void
s_eat_newline (parser_t *self)
{
    self->pos += s_peek (self) == '\r'? 2: 1;
    s_newline (self);
}

static void
s_skip_blank (parser_t *self)
{
    while (s_peek (self) == ' ' || s_peek (self) == '\t')
        self->pos++;
}

//  A comment runs to the end of the line; control characters are refused.
static int
s_skip_comment (parser_t *self)
{
    if (s_peek (self) != '#')
        return 0;
    while (self->pos < self->size && !s_at_newline (self)) {
        int c = s_peek (self);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            s_fail (self, "control character in a comment");
            return -1;
        }
        self->pos++;
    }
    return 0;
}

//  Blanks, comments and newlines, as between array items.
static int
s_skip_space (parser_t *self)
{
    while (true) {
        s_skip_blank (self);
        if (s_skip_comment (self))
            return -1;
        if (!s_at_newline (self))
            return 0;
        s_eat_newline (self);
    }
}

//  After a value or header only a comment and the end of the line may come.
static int
s_expect_line_end (parser_t *self)
{
    s_skip_blank (self);
    if (s_skip_comment (self))
        return -1;
    if (self->pos >= self->size)
        return 0;
    if (!s_at_newline (self)) {
        s_fail (self, "expected the end of the line, found '%c'",
                s_peek (self));
        return -1;
    }
    s_eat_newline (self);
    return 0;
}

static int
s_add_utf8 (parser_t *self, buf_t *buf, uint32_t code)
{
    char out [4];
    size_t size;
    if (code < 0x80) {
        out [0] = (char) code;
        size = 1;
    }
    else
    if (code < 0x800) {
        out [0] = (char) (0xc0 | (code >> 6));
        out [1] = (char) (0x80 | (code & 0x3f));
        size = 2;
    }
    else
    if (code < 0x10000) {
        out [0] = (char) (0xe0 | (code >> 12));
        out [1] = (char) (0x80 | ((code >> 6) & 0x3f));
        out [2] = (char) (0x80 | (code & 0x3f));
        size = 3;
    }
    else {
        out [0] = (char) (0xf0 | (code >> 18));
        out [1] = (char) (0x80 | ((code >> 12) & 0x3f));
        out [2] = (char) (0x80 | ((code >> 6) & 0x3f));
        out [3] = (char) (0x80 | (code & 0x3f));
        size = 4;
    }
    return s_buf_add (self, buf, out, size);
}

//  One backslash escape in a basic string; the backslash is consumed.
static int
s_parse_escape (parser_t *self, buf_t *buf)
{
    int c = s_peek (self);
    const char *plain = NULL;
    switch (c) {
        case 'b': plain = "\b"; break;
        case 't': plain = "\t"; break;
        case 'n': plain = "\n"; break;
        case 'f': plain = "\f"; break;
        case 'r': plain = "\r"; break;
        case 'e': plain = "\x1b"; break;
        case '"': plain = "\""; break;
        case '\\': plain = "\\"; break;
        default: break;
    }
    if (plain) {
        self->pos++;
        return s_buf_add (self, buf, plain, 1);
    }
    if (c == 'u' || c == 'U') {
        size_t digits = c == 'u'? 4: 8;
        uint32_t code = 0;
        self->pos++;
        for (size_t i = 0; i < digits; i++) {
            int value = util_hex_digit (s_peek (self));
            if (value < 0) {
                s_fail (self, "\\%c needs %zu hex digits", c, digits);
                return -1;
            }
            code = code * 16 + (uint32_t) value;
            self->pos++;
        }
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
            s_fail (self, "escape names no Unicode scalar value");
            return -1;
        }
        return s_add_utf8 (self, buf, code);
    }
    s_fail (self, "unknown escape '\\%c'", c < 0x20? '?': c);
    return -1;
}

//  A string in any of the four forms; the opening quote is at pos.
static int
s_parse_string (parser_t *self, char **out_p, bool allow_multi)
{
    char quote = (char) s_peek (self);
    bool literal = quote == '\'';
    bool multi = s_peek_at (self, 1) == quote && s_peek_at (self, 2) == quote;
    buf_t buf = { 0 };
    if (multi && !allow_multi) {
        s_fail (self, "a key cannot be a multi-line string");
        return -1;
    }
    self->pos += multi? 3: 1;
    if (multi && s_at_newline (self))
        s_eat_newline (self);   //  a newline right after the quotes is trimmed
    while (true) {
        int c = s_peek (self);
        if (c < 0) {
            s_fail (self, "unterminated string");
            goto out_free;
        }
        if (c == quote) {
            if (!multi) {
                self->pos++;
                break;
            }
            if (s_peek_at (self, 1) == quote && s_peek_at (self, 2) == quote) {
                //  Up to two quotes just before the closing three are content.
                size_t extra = 0;
                while (extra < 2 && s_peek_at (self, 3 + extra) == quote)
                    extra++;
                if (extra && s_buf_add (self, &buf, self->text + self->pos, extra))
                    goto out_free;
                self->pos += 3 + extra;
                break;
            }
            if (s_buf_add (self, &buf, &quote, 1))
                goto out_free;
            self->pos++;
            continue;
        }
        if (s_at_newline (self)) {
            if (!multi) {
                s_fail (self, "newline in a single-line string");
                goto out_free;
            }
            if (s_buf_add (self, &buf, "\n", 1))
                goto out_free;
            s_eat_newline (self);
            continue;
        }
        if (c == '\\' && !literal) {
            self->pos++;
            //  In multi-line strings a backslash ending a line trims the
            //  whitespace and newlines that follow.
            size_t save = self->pos;
            if (multi) {
                s_skip_blank (self);
                if (s_at_newline (self)) {
                    while (s_peek (self) == ' ' || s_peek (self) == '\t'
                           || s_at_newline (self)) {
                        if (s_at_newline (self))
                            s_eat_newline (self);
                        else
                            self->pos++;
                    }
                    continue;
                }
                self->pos = save;
            }
            if (s_parse_escape (self, &buf))
                goto out_free;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            s_fail (self, "control character in a string");
            goto out_free;
        }
        if (s_buf_add (self, &buf, self->text + self->pos, 1))
            goto out_free;
        self->pos++;
    }
    *out_p = s_buf_take (self, &buf);
    return *out_p? 0: -1;
out_free:
    free (buf.data);
    return -1;
}

static bool
s_is_bare (int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

//  A dotted key: up to TOML_MAX_DEPTH parts into parts[], count in *count_p.
static int
s_parse_key (parser_t *self, char **parts, size_t *count_p)
{
    size_t count = 0;
    while (true) {
        s_skip_blank (self);
        if (count == TOML_MAX_DEPTH) {
            s_fail (self, "key has more than %d parts", TOML_MAX_DEPTH);
            goto out_free;
        }
        int c = s_peek (self);
        if (c == '"' || c == '\'') {
            if (s_parse_string (self, &parts [count], false))
                goto out_free;
        }
        else
        if (s_is_bare (c)) {
            size_t start = self->pos;
            while (s_is_bare (s_peek (self)))
                self->pos++;
            parts [count] = strndup (self->text + start, self->pos - start);
            if (!parts [count]) {
                s_fail_oom (self);
                goto out_free;
            }
        }
        else {
            s_fail (self, "expected a key");
            goto out_free;
        }
        count++;
        s_skip_blank (self);
        if (s_peek (self) != '.')
            break;
        self->pos++;
    }
    *count_p = count;
    return 0;
out_free:
    for (size_t i = 0; i < count; i++)
        free (parts [i]);
    return -1;
}

static void
s_free_parts (char **parts, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free (parts [i]);
}

//  Numbers, booleans and dates: checked for shape, kept as written.
static bool
s_valid_number (const char *s, size_t n)
{
    if (n == 0)
        return false;
    size_t i = 0;
    if (s [0] == '+' || s [0] == '-')
        i++;
    const char *rest = s + i;
    size_t left = n - i;
    if ((left == 3 && (memcmp (rest, "inf", 3) == 0 || memcmp (rest, "nan", 3) == 0)))
        return true;
    if (i == 0 && left > 2 && rest [0] == '0'
        && (rest [1] == 'x' || rest [1] == 'o' || rest [1] == 'b')) {
        const char *digits = rest [1] == 'x'? "0123456789abcdefABCDEF"
                           : rest [1] == 'o'? "01234567": "01";
        bool prev_digit = false;
        for (size_t k = 2; k < left; k++) {
            if (rest [k] == '_' && prev_digit)
                prev_digit = false;
            else
            if (strchr (digits, rest [k]))
                prev_digit = true;
            else
                return false;
        }
        return prev_digit;
    }
    //  decimal integer part, optional fraction, optional exponent
    size_t k = 0;
    size_t int_digits = 0;
    bool prev_digit = false;
    while (k < left && ((rest [k] >= '0' && rest [k] <= '9') || rest [k] == '_')) {
        if (rest [k] == '_' && !prev_digit)
            return false;
        prev_digit = rest [k] != '_';
        int_digits += prev_digit;
        k++;
    }
    if (!int_digits || !prev_digit)
        return false;
    if (int_digits > 1 && rest [0] == '0')
        return false;
    if (k < left && rest [k] == '.') {
        k++;
        size_t frac = 0;
        prev_digit = false;
        while (k < left && ((rest [k] >= '0' && rest [k] <= '9') || rest [k] == '_')) {
            if (rest [k] == '_' && !prev_digit)
                return false;
            prev_digit = rest [k] != '_';
            frac += prev_digit;
            k++;
        }
        if (!frac || !prev_digit)
            return false;
    }
    if (k < left && (rest [k] == 'e' || rest [k] == 'E')) {
        k++;
        if (k < left && (rest [k] == '+' || rest [k] == '-'))
            k++;
        size_t exp = 0;
        while (k < left && rest [k] >= '0' && rest [k] <= '9') {
            exp++;
            k++;
        }
        if (!exp)
            return false;
    }
    return k == left;
}

//  Dates and times: digits with - : . T Z + and an optional space between
//  date and time. Checked loosely: they start like 1979-05-27 or 07:32.
static bool
s_valid_date (const char *s, size_t n)
{
    bool date = n >= 10 && s [4] == '-' && s [7] == '-';
    bool time = n >= 8 && s [2] == ':' && s [5] == ':';
    if (!date && !time)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr ("0123456789-:.TtZz+ ", s [i]))
            return false;
    return true;
}

static int
s_parse_scalar (parser_t *self, ynode_t **out_p)
{
    unsigned line = self->line, column = s_column (self);
    size_t start = self->pos;
    while (self->pos < self->size) {
        int c = s_peek (self);
        if (s_is_bare (c) || c == '.' || c == '+' || c == ':') {
            self->pos++;
            continue;
        }
        //  "1979-05-27 07:32:00": a space between a date and a time
        if (c == ' ' && self->pos - start == 10 && s_valid_date (self->text + start, 10)
            && s_peek_at (self, 1) >= '0' && s_peek_at (self, 1) <= '9'
            && s_peek_at (self, 3) == ':') {
            self->pos++;
            continue;
        }
        break;
    }
    const char *s = self->text + start;
    size_t n = self->pos - start;
    bool ok = (n == 4 && memcmp (s, "true", 4) == 0)
           || (n == 5 && memcmp (s, "false", 5) == 0)
           || s_valid_number (s, n) || s_valid_date (s, n);
    if (!ok) {
        self->pos = start;
        if (n)
            s_fail (self, "invalid value '%.*s'", (int) (n > 40? 40: n), s);
        else
            s_fail (self, "expected a value");
        return -1;
    }
    ynode_t *node = s_node_new (self, YNODE_SCALAR, line, column);
    if (!node)
        return -1;
    node->value = strndup (s, n);
    if (!node->value) {
        ytree_destroy (&node);
        s_fail_oom (self);
        return -1;
    }
    *out_p = node;
    return 0;
}

static int
s_parse_array (parser_t *self, ynode_t **out_p, int depth)
{
    ynode_t *array = s_node_new (self, YNODE_SEQ, self->line, s_column (self));
    if (!array)
        return -1;
    array->quoted = true;       //  a literal array cannot be extended
    self->pos++;
    while (true) {
        if (s_skip_space (self))
            goto out_free;
        if (s_peek (self) == ']') {
            self->pos++;
            break;
        }
        ynode_t *item = NULL;
        if (s_parse_value (self, &item, depth + 1)
            || s_node_append (self, array, NULL, item))
            goto out_free;
        if (s_skip_space (self))
            goto out_free;
        if (s_peek (self) == ',') {
            self->pos++;
            continue;
        }
        if (s_peek (self) == ']') {
            self->pos++;
            break;
        }
        s_fail (self, s_peek (self) < 0? "unterminated array"
                                        : "expected ',' or ']' in an array");
        goto out_free;
    }
    *out_p = array;
    return 0;
out_free:
    ytree_destroy (&array);
    return -1;
}

//  Place value under the dotted key parts[] in table, creating the
//  intermediate tables; takes value.
static int
s_assign (parser_t *self, ynode_t *table, char **parts, size_t count,
          ynode_t *value)
{
    ynode_t *at = table;
    for (size_t i = 0; i + 1 < count; i++) {
        ynode_t *next = s_map_find (at, parts [i]);
        if (!next) {
            next = s_node_new (self, YNODE_MAP, value->line, value->column);
            char *key = strdup (parts [i]);
            if (!next || !key) {
                free (key);
                ytree_destroy (&next);
                s_fail_oom (self);
                goto out_free;
            }
            if (s_node_append (self, at, key, next))
                goto out_free;
        }
        else
        if (next->kind != YNODE_MAP || next->quoted) {
            s_fail (self, "key '%s' is already a value that cannot be extended",
                    parts [i]);
            goto out_free;
        }
        at = next;
    }
    if (s_map_find (at, parts [count - 1])) {
        s_fail (self, "duplicate key '%s'", parts [count - 1]);
        goto out_free;
    }
    char *key = strdup (parts [count - 1]);
    if (!key) {
        s_fail_oom (self);
        goto out_free;
    }
    return s_node_append (self, at, key, value);
out_free:
    ytree_destroy (&value);
    return -1;
}

static int
s_parse_inline_table (parser_t *self, ynode_t **out_p, int depth)
{
    ynode_t *table = s_node_new (self, YNODE_MAP, self->line, s_column (self));
    if (!table)
        return -1;
    self->pos++;
    bool first = true;
    while (true) {
        if (s_skip_space (self))
            goto out_free;
        if (s_peek (self) == '}' && first) {
            self->pos++;
            break;
        }
        char *parts [TOML_MAX_DEPTH];
        size_t count = 0;
        if (s_parse_key (self, parts, &count))
            goto out_free;
        s_skip_blank (self);
        if (s_peek (self) != '=') {
            s_free_parts (parts, count);
            s_fail (self, "expected '=' after a key");
            goto out_free;
        }
        self->pos++;
        s_skip_blank (self);
        ynode_t *value = NULL;
        int rc = s_parse_value (self, &value, depth + 1);
        if (rc == 0)
            rc = s_assign (self, table, parts, count, value);
        s_free_parts (parts, count);
        if (rc)
            goto out_free;
        first = false;
        if (s_skip_space (self))
            goto out_free;
        if (s_peek (self) == ',') {
            self->pos++;
            continue;
        }
        if (s_peek (self) == '}') {
            self->pos++;
            break;
        }
        s_fail (self, s_peek (self) < 0? "unterminated inline table"
                                        : "expected ',' or '}' in an inline table");
        goto out_free;
    }
    //  Inline tables are complete: nothing may be added to them later,
    //  nor to the tables their dotted keys made.
    table->quoted = true;
    *out_p = table;
    return 0;
out_free:
    ytree_destroy (&table);
    return -1;
}

static int
s_parse_value (parser_t *self, ynode_t **out_p, int depth)
{
    if (depth > TOML_MAX_DEPTH) {
        s_fail (self, "values nested deeper than %d levels", TOML_MAX_DEPTH);
        return -1;
    }
    int c = s_peek (self);
    if (c == '"' || c == '\'') {
        unsigned line = self->line, column = s_column (self);
        char *text = NULL;
        if (s_parse_string (self, &text, true))
            return -1;
        ynode_t *node = s_node_new (self, YNODE_SCALAR, line, column);
        if (!node) {
            free (text);
            return -1;
        }
        node->value = text;
        node->quoted = true;
        *out_p = node;
        return 0;
    }
    if (c == '[')
        return s_parse_array (self, out_p, depth);
    if (c == '{')
        return s_parse_inline_table (self, out_p, depth);
    return s_parse_scalar (self, out_p);
}

//  [a.b] or [[a.b]]: make self->table the table it names.
static int
s_parse_header (parser_t *self)
{
    unsigned line = self->line, column = s_column (self);
    bool array = s_peek_at (self, 1) == '[';
    self->pos += array? 2: 1;
    char *parts [TOML_MAX_DEPTH];
    size_t count = 0;
    if (s_parse_key (self, parts, &count))
        return -1;
    int rc = -1;
    if (s_peek (self) != ']' || (array && s_peek_at (self, 1) != ']')) {
        s_fail (self, array? "expected ']]' to close the header"
                           : "expected ']' to close the header");
        goto out_free;
    }
    self->pos += array? 2: 1;
    ynode_t *at = self->root;
    for (size_t i = 0; i < count; i++) {
        bool last = i + 1 == count;
        ynode_t *next = s_map_find (at, parts [i]);
        if (!next) {
            ynode_t *map = s_node_new (self, YNODE_MAP, line, column);
            if (!map)
                goto out_free;
            next = map;
            if (last && array) {
                next = s_node_new (self, YNODE_SEQ, line, column);
                if (!next) {
                    ytree_destroy (&map);
                    goto out_free;
                }
                if (s_node_append (self, next, NULL, map)) {
                    ytree_destroy (&next);
                    goto out_free;
                }
            }
            char *key = strdup (parts [i]);
            if (!key) {
                ytree_destroy (&next);
                s_fail_oom (self);
                goto out_free;
            }
            if (s_node_append (self, at, key, next))
                goto out_free;
            at = map;
            if (last && !array && s_set_add (self, &self->defined, map))
                goto out_free;
            continue;
        }
        if (next->quoted) {
            s_fail (self, "'%s' is an inline value and cannot be extended",
                    parts [i]);
            goto out_free;
        }
        if (last && array) {
            if (next->kind != YNODE_SEQ) {
                s_fail (self, "'%s' is already defined and is not an array of tables",
                        parts [i]);
                goto out_free;
            }
            ynode_t *map = s_node_new (self, YNODE_MAP, line, column);
            if (!map || s_node_append (self, next, NULL, map))
                goto out_free;
            at = map;
            continue;
        }
        if (next->kind == YNODE_SEQ) {
            if (!next->count || next->items [next->count - 1]->kind != YNODE_MAP) {
                s_fail (self, "'%s' is not a table", parts [i]);
                goto out_free;
            }
            next = next->items [next->count - 1];
        }
        else
        if (next->kind != YNODE_MAP) {
            s_fail (self, "'%s' is already a value, not a table", parts [i]);
            goto out_free;
        }
        if (last) {
            if (s_set_has (&self->defined, next)) {
                s_fail (self, "table [%s] is defined twice", parts [i]);
                goto out_free;
            }
            if (s_set_add (self, &self->defined, next))
                goto out_free;
        }
        at = next;
    }
    self->table = at;
    rc = s_expect_line_end (self);
out_free:
    s_free_parts (parts, count);
    return rc;
}

static int
s_parse_key_value (parser_t *self)
{
    char *parts [TOML_MAX_DEPTH];
    size_t count = 0;
    if (s_parse_key (self, parts, &count))
        return -1;
    int rc = -1;
    if (s_peek (self) != '=') {
        s_fail (self, "expected '=' after a key");
        goto out_free;
    }
    self->pos++;
    s_skip_blank (self);
    ynode_t *value = NULL;
    if (s_parse_value (self, &value, 1))
        goto out_free;
    if (s_assign (self, self->table, parts, count, value))
        goto out_free;
    rc = s_expect_line_end (self);
out_free:
    s_free_parts (parts, count);
    return rc;
}

ynode_t *
toml_parse (const char *text, size_t size, char *err, size_t err_size)
{
    if (err && err_size)
        err [0] = 0;
    parser_t self = { .text = text? text: "", .size = text? size: 0,
                      .line = 1, .err = err, .err_size = err_size };
    self.root = s_node_new (&self, YNODE_MAP, 1, 1);
    if (!self.root)
        return errno = ENOMEM, NULL;
    self.table = self.root;
    //  A UTF-8 byte order mark is allowed before the first line.
    if (self.size >= 3 && memcmp (self.text, "\xef\xbb\xbf", 3) == 0)
        self.pos = self.line_start = 3;
    while (!self.failed) {
        if (s_skip_space (&self))
            break;
        int c = s_peek (&self);
        if (c < 0)
            break;
        if (c == '[')
            s_parse_header (&self);
        else
            s_parse_key_value (&self);
    }
    free (self.defined.slots);
    if (self.failed) {
        ytree_destroy (&self.root);
        errno = self.oom? ENOMEM: EINVAL;
        return NULL;
    }
    return self.root;
}
