/*  workers/generator/yemit.c - the generator's YAML writer (libyaml).  */
#include "workers/generator/yemit.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

struct yemit {
    yaml_emitter_t emitter;
    char *text;             //  what the emitter wrote so far
    size_t size;
    size_t capacity;
    bool failed;            //  a call failed: the document is lost
    int error;              //  its errno
};

//  libyaml's output handler: append to self->text.
static int
s_write (void *data, unsigned char *buffer, size_t size)
{
    yemit_t *self = data;
    if (self->size + size + 1 > self->capacity) {
        size_t capacity = self->capacity? self->capacity: 1024;
        while (self->size + size + 1 > capacity)
            capacity *= 2;
        char *text = realloc (self->text, capacity);
        if (!text)
            return 0;
        self->text = text;
        self->capacity = capacity;
    }
    memcpy (self->text + self->size, buffer, size);
    self->size += size;
    self->text [self->size] = 0;
    return 1;
}

static int
s_emit (yemit_t *self, yaml_event_t *event, bool initialized)
{
    if (self->failed) {
        if (initialized)
            yaml_event_delete (event);
        return -1;
    }
    if (!initialized || !yaml_emitter_emit (&self->emitter, event)) {
        self->failed = true;
        self->error = self->emitter.error == YAML_MEMORY_ERROR
                   || self->emitter.error == YAML_WRITER_ERROR
                   || !initialized? ENOMEM: EINVAL;
        return -1;
    }
    return 0;
}

static int
s_scalar (yemit_t *self, const char *value, yaml_scalar_style_t style)
{
    yaml_event_t event;
    if (!value) {
        self->failed = true;
        self->error = EINVAL;
        return -1;
    }
    int ok = yaml_scalar_event_initialize (&event, NULL, NULL,
        (yaml_char_t *) value, (int) strlen (value), 1, 1, style);
    return s_emit (self, &event, ok != 0);
}

yemit_t *
yemit_new (void)
{
    yemit_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (!yaml_emitter_initialize (&self->emitter)) {
        free (self);
        errno = ENOMEM;
        return NULL;
    }
    yaml_emitter_set_output (&self->emitter, s_write, self);
    yaml_emitter_set_unicode (&self->emitter, 1);
    yaml_emitter_set_width (&self->emitter, -1);
    yaml_emitter_set_indent (&self->emitter, 2);
    yaml_event_t event;
    int ok = yaml_stream_start_event_initialize (&event, YAML_UTF8_ENCODING);
    s_emit (self, &event, ok != 0);
    ok = yaml_document_start_event_initialize (&event, NULL, NULL, NULL, 1);
    s_emit (self, &event, ok != 0);
    if (self->failed) {
        errno = self->error;
        yemit_destroy (&self);
    }
    return self;
}

void
yemit_destroy (yemit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    yemit_t *self = *self_p;
    yaml_emitter_delete (&self->emitter);
    free (self->text);
    free (self);
    *self_p = NULL;
}

int
yemit_map_start (yemit_t *self)
{
    yaml_event_t event;
    int ok = yaml_mapping_start_event_initialize (&event, NULL, NULL, 1,
                                                  YAML_BLOCK_MAPPING_STYLE);
    return s_emit (self, &event, ok != 0);
}

int
yemit_map_end (yemit_t *self)
{
    yaml_event_t event;
    int ok = yaml_mapping_end_event_initialize (&event);
    return s_emit (self, &event, ok != 0);
}

int
yemit_seq_start (yemit_t *self)
{
    yaml_event_t event;
    int ok = yaml_sequence_start_event_initialize (&event, NULL, NULL, 1,
                                                   YAML_BLOCK_SEQUENCE_STYLE);
    return s_emit (self, &event, ok != 0);
}

int
yemit_seq_end (yemit_t *self)
{
    yaml_event_t event;
    int ok = yaml_sequence_end_event_initialize (&event);
    return s_emit (self, &event, ok != 0);
}

//  True when text is one of YAML 1.1's null or boolean words.
static bool
s_is_keyword (const char *text)
{
    static const char *const words [] = {
        "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n",
        "<<", "="
    };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (strcasecmp (text, words [i]) == 0)
            return true;
    return false;
}

bool
yemit_is_typed (const char *value)
{
    if (!value || !*value || s_is_keyword (value))
        return true;
    //  Numbers in any YAML form start with a digit, a sign or a dot
    //  followed by one (1, -2, .5, 0x1f, 1_000, 12:30), or are .inf/.nan.
    const char *p = value;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '.')
        p++;
    if (isdigit ((unsigned char) *p))
        return true;
    bool after_dot = p > value && p [-1] == '.';
    return (after_dot && strcasecmp (p, "inf") == 0)
        || strcasecmp (value, ".nan") == 0;
}

int
yemit_str (yemit_t *self, const char *value)
{
    if (value && strpbrk (value, "\r\n"))
        return s_scalar (self, value, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    return s_scalar (self, value, yemit_is_typed (value)
                     ? YAML_DOUBLE_QUOTED_SCALAR_STYLE: YAML_ANY_SCALAR_STYLE);
}

int
yemit_quoted (yemit_t *self, const char *value)
{
    return s_scalar (self, value, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

int
yemit_raw (yemit_t *self, const char *value)
{
    if (value && strpbrk (value, "\r\n"))
        return s_scalar (self, value, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    return s_scalar (self, value, YAML_ANY_SCALAR_STYLE);
}

int
yemit_block (yemit_t *self, const char *value)
{
    if (value && strchr (value, '\n') && !strchr (value, '\r'))
        return s_scalar (self, value, YAML_LITERAL_SCALAR_STYLE);
    return yemit_str (self, value);
}

int
yemit_node (yemit_t *self, const ynode_t *node)
{
    if (!node || node->kind != YNODE_SCALAR) {
        self->failed = true;
        self->error = EINVAL;
        return -1;
    }
    return node->quoted? yemit_quoted (self, node->value)
                       : yemit_raw (self, node->value);
}

int
yemit_pair (yemit_t *self, const char *key, const char *value)
{
    if (yemit_str (self, key))
        return -1;
    return yemit_str (self, value);
}

char *
yemit_finish (yemit_t *self)
{
    yaml_event_t event;
    int ok = yaml_document_end_event_initialize (&event, 1);
    s_emit (self, &event, ok != 0);
    ok = yaml_stream_end_event_initialize (&event);
    s_emit (self, &event, ok != 0);
    if (!self->failed && !yaml_emitter_flush (&self->emitter)) {
        self->failed = true;
        self->error = ENOMEM;
    }
    if (self->failed) {
        errno = self->error? self->error: EINVAL;
        return NULL;
    }
    char *text = self->text? self->text: strdup ("");
    self->text = NULL;
    self->size = self->capacity = 0;
    return text;
}

char *
yemit_comment_items (const char *text, yemit_item_fn *is_item, void *state,
                     const char *const *comments, size_t count)
{
    char *result = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&result, &size);
    if (!out)
        return NULL;
    size_t found = 0;
    for (const char *line = text; *line; ) {
        const char *end = strchr (line, '\n');
        size_t length = end? (size_t) (end - line) + 1: strlen (line);
        size_t indent = strspn (line, " ");
        if (is_item (line, indent, state)) {
            if (found < count)
                fprintf (out, "%*s# %s\n", (int) indent, "", comments [found]);
            found++;
        }
        fwrite (line, 1, length, out);
        line += length;
    }
    if (fclose (out) || !result) {
        free (result);
        errno = ENOMEM;
        return NULL;
    }
    if (found != count) {
        free (result);
        errno = EINVAL;
        return NULL;
    }
    return result;
}
