/*  common/ytree.c - YAML text to a tree of maps, sequences and scalars.  */
#include "common/ytree.h"

#include <yaml.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YTREE_MAX_DEPTH 64

static ynode_t *
s_node_new (ynode_kind_t kind, const yaml_mark_t *mark)
{
    ynode_t *self = calloc (1, sizeof *self);
    if (self) {
        self->kind = kind;
        self->line = (unsigned) mark->line + 1;
        self->column = (unsigned) mark->column + 1;
    }
    return self;
}

int
ytree_append (ynode_t *self, char *key, ynode_t *item)
{
    if (self->frozen)
        return errno = EPERM, -1;
    //  One entry at a time: the shipped knowledge stays in every worker
    //  for its life, where spare room would cost resident memory.
    ynode_t **items = realloc (self->items, (self->count + 1) * sizeof *items);
    if (!items)
        return errno = ENOMEM, -1;
    self->items = items;
    if (self->kind == YNODE_MAP) {
        char **keys = realloc (self->keys, (self->count + 1) * sizeof *keys);
        if (!keys)
            return errno = ENOMEM, -1;
        self->keys = keys;
        self->keys [self->count] = key;
    }
    self->items [self->count++] = item;
    return 0;
}

void
ytree_destroy (ynode_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ynode_t *self = *self_p;
    *self_p = NULL;
    if (self->frozen) {
        if (self->block)
            free (self);            //  the whole compact tree
        return;
    }
    for (size_t i = 0; i < self->count; i++) {
        ytree_destroy (&self->items [i]);
        if (self->keys)
            free (self->keys [i]);
    }
    free (self->items);
    free (self->keys);
    free (self->value);
    free (self);
    *self_p = NULL;
}

typedef struct {
    yaml_parser_t parser;
    char *err;
    size_t err_size;
} loader_t;

static void
s_fail (loader_t *self, const yaml_mark_t *mark, const char *what)
{
    if (self->err && self->err_size)
        snprintf (self->err, self->err_size, "line %zu, column %zu: %s",
                  mark->line + 1, mark->column + 1, what);
}

static ynode_t *s_load_node (loader_t *self, yaml_event_t *event, int depth);

//  Reads events until the end of the collection node started.
static int
s_load_children (loader_t *self, ynode_t *node, int depth)
{
    while (true) {
        yaml_event_t event;
        if (!yaml_parser_parse (&self->parser, &event)) {
            s_fail (self, &self->parser.problem_mark,
                    self->parser.problem ? self->parser.problem : "syntax error");
            return -1;
        }
        if (event.type == YAML_SEQUENCE_END_EVENT
        ||  event.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete (&event);
            return 0;
        }
        char *key = NULL;
        if (node->kind == YNODE_MAP) {
            if (event.type != YAML_SCALAR_EVENT) {
                s_fail (self, &event.start_mark, "map keys must be plain scalars");
                yaml_event_delete (&event);
                return -1;
            }
            key = strdup ((char *) event.data.scalar.value);
            yaml_mark_t mark = event.start_mark;
            yaml_event_delete (&event);
            if (!key)
                return -1;
            for (size_t i = 0; i < node->count; i++)
                if (strcmp (node->keys [i], key) == 0) {
                    s_fail (self, &mark, "duplicate key");
                    free (key);
                    return -1;
                }
            if (!yaml_parser_parse (&self->parser, &event)) {
                s_fail (self, &self->parser.problem_mark,
                        self->parser.problem ? self->parser.problem : "syntax error");
                free (key);
                return -1;
            }
        }
        ynode_t *child = s_load_node (self, &event, depth + 1);
        yaml_event_delete (&event);
        if (!child || ytree_append (node, key, child)) {
            ytree_destroy (&child);
            free (key);
            return -1;
        }
    }
}

//  Builds the node that starts with event (which the caller deletes).
static ynode_t *
s_load_node (loader_t *self, yaml_event_t *event, int depth)
{
    if (depth > YTREE_MAX_DEPTH) {
        s_fail (self, &event->start_mark, "nesting too deep");
        return NULL;
    }
    ynode_t *node = NULL;
    switch (event->type) {
        case YAML_SCALAR_EVENT:
            node = s_node_new (YNODE_SCALAR, &event->start_mark);
            if (node) {
                node->value = strndup ((char *) event->data.scalar.value,
                                       event->data.scalar.length);
                node->quoted = event->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
                            || event->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
                if (!node->value)
                    ytree_destroy (&node);
            }
            return node;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            node = s_node_new (event->type == YAML_SEQUENCE_START_EVENT
                               ? YNODE_SEQ: YNODE_MAP, &event->start_mark);
            if (node && s_load_children (self, node, depth))
                ytree_destroy (&node);
            return node;
        case YAML_ALIAS_EVENT:
            s_fail (self, &event->start_mark, "aliases are not supported");
            return NULL;
        default:
            s_fail (self, &event->start_mark, "unexpected YAML event");
            return NULL;
    }
}

ynode_t *
ytree_parse (const char *text, size_t size, char *err, size_t err_size)
{
    loader_t self = { .err = err, .err_size = err_size };
    if (err && err_size)
        err [0] = 0;
    if (!yaml_parser_initialize (&self.parser)) {
        errno = ENOMEM;
        return NULL;
    }
    yaml_parser_set_input_string (&self.parser, (const unsigned char *) text, size);
    ynode_t *root = NULL;
    bool done = false;
    while (!done) {
        yaml_event_t event;
        if (!yaml_parser_parse (&self.parser, &event)) {
            s_fail (&self, &self.parser.problem_mark,
                    self.parser.problem ? self.parser.problem : "syntax error");
            ytree_destroy (&root);
            break;
        }
        switch (event.type) {
            case YAML_STREAM_END_EVENT:
                done = true;
                break;
            case YAML_DOCUMENT_START_EVENT:
                if (root) {
                    s_fail (&self, &event.start_mark, "only one document is allowed");
                    ytree_destroy (&root);
                    done = true;
                }
                break;
            case YAML_SCALAR_EVENT:
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT:
            case YAML_ALIAS_EVENT:
                root = s_load_node (&self, &event, 0);
                if (!root)
                    done = true;
                break;
            default:
                break;
        }
        bool failed = event.type != YAML_STREAM_END_EVENT && done && !root;
        yaml_event_delete (&event);
        if (failed)
            break;
    }
    yaml_parser_delete (&self.parser);
    if (!root && err && err_size && err [0])
        errno = EINVAL;
    else
    if (!root) {
        //  An empty document is an empty map.
        yaml_mark_t mark = { 0, 0, 0 };
        root = s_node_new (YNODE_MAP, &mark);
        if (!root)
            errno = ENOMEM;
    }
    return root;
}

ynode_t *
ytree_dup (const ynode_t *self)
{
    yaml_mark_t mark = { 0, self->line - 1, self->column - 1 };
    ynode_t *copy = s_node_new (self->kind, &mark);
    if (!copy)
        return NULL;
    copy->quoted = self->quoted;
    if (self->value && !(copy->value = strdup (self->value)))
        goto out_destroy;
    for (size_t i = 0; i < self->count; i++) {
        char *key = self->keys ? strdup (self->keys [i]) : NULL;
        ynode_t *item = ytree_dup (self->items [i]);
        if (!item || (self->keys && !key) || ytree_append (copy, key, item)) {
            free (key);
            ytree_destroy (&item);
            goto out_destroy;
        }
    }
    return copy;
out_destroy:
    ytree_destroy (&copy);
    errno = ENOMEM;
    return NULL;
}

//  What a compact copy of self takes: its nodes, its list slots (items,
//  and keys for maps) and its text.
static void
s_measure (const ynode_t *self, size_t *nodes, size_t *slots, size_t *text)
{
    (*nodes)++;
    if (self->value)
        *text += strlen (self->value) + 1;
    *slots += self->count * (self->keys? 2: 1);
    for (size_t i = 0; i < self->count; i++) {
        if (self->keys)
            *text += strlen (self->keys [i]) + 1;
        s_measure (self->items [i], nodes, slots, text);
    }
}

typedef struct {
    ynode_t *node;
    ynode_t **slot;
    char *text;
} s_cursor_t;

static char *
s_pack_text (s_cursor_t *cursor, const char *text)
{
    size_t size = strlen (text) + 1;
    char *copy = memcpy (cursor->text, text, size);
    cursor->text += size;
    return copy;
}

static ynode_t *
s_pack (const ynode_t *self, s_cursor_t *cursor)
{
    ynode_t *copy = cursor->node++;
    *copy = *self;
    copy->frozen = true;
    copy->block = false;
    copy->value = self->value? s_pack_text (cursor, self->value): NULL;
    copy->items = NULL;
    copy->keys = NULL;
    if (self->count) {
        copy->items = cursor->slot;
        cursor->slot += self->count;
        if (self->keys) {
            copy->keys = (char **) cursor->slot;
            cursor->slot += self->count;
        }
    }
    for (size_t i = 0; i < self->count; i++) {
        if (self->keys)
            copy->keys [i] = s_pack_text (cursor, self->keys [i]);
        copy->items [i] = s_pack (self->items [i], cursor);
    }
    return copy;
}

ynode_t *
ytree_compact (const ynode_t *self)
{
    size_t nodes = 0, slots = 0, text = 0;
    s_measure (self, &nodes, &slots, &text);
    //  Nodes first (the root at the start: freeing it frees the block),
    //  then the list slots, then the text; pointers keep their alignment.
    _Static_assert (sizeof (ynode_t) % sizeof (void *) == 0, "slots stay aligned");
    char *block = malloc (nodes * sizeof (ynode_t) + slots * sizeof (void *) + text);
    if (!block)
        return errno = ENOMEM, NULL;
    s_cursor_t cursor = { (ynode_t *) block,
                          (ynode_t **) (block + nodes * sizeof (ynode_t)),
                          block + nodes * sizeof (ynode_t) + slots * sizeof (void *) };
    ynode_t *root = s_pack (self, &cursor);
    root->block = true;
    return root;
}

const ynode_t *
ytree_get (const ynode_t *self, const char *key)
{
    if (!self || self->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->keys [i], key) == 0)
            return self->items [i];
    return NULL;
}

const ynode_t *
ytree_path (const ynode_t *self, ...)
{
    va_list args;
    va_start (args, self);
    const char *key;
    while (self && (key = va_arg (args, const char *)))
        self = ytree_get (self, key);
    va_end (args);
    return self;
}

const char *
ytree_str (const ynode_t *node, const char *fallback)
{
    return node && node->kind == YNODE_SCALAR? node->value: fallback;
}

int
ytree_merge (ynode_t *base, const ynode_t *overlay)
{
    if (base->frozen)
        return errno = EPERM, -1;
    if (base->kind != YNODE_MAP || overlay->kind != YNODE_MAP)
        return errno = EINVAL, -1;
    for (size_t i = 0; i < overlay->count; i++) {
        const ynode_t *value = overlay->items [i];
        size_t j;
        for (j = 0; j < base->count; j++)
            if (strcmp (base->keys [j], overlay->keys [i]) == 0)
                break;
        if (j < base->count
        &&  base->items [j]->kind == YNODE_MAP && value->kind == YNODE_MAP) {
            if (ytree_merge (base->items [j], value))
                return -1;
            continue;
        }
        ynode_t *copy = ytree_dup (value);
        if (!copy)
            return -1;
        if (j < base->count) {
            ytree_destroy (&base->items [j]);
            base->items [j] = copy;
        }
        else {
            char *key = strdup (overlay->keys [i]);
            if (!key || ytree_append (base, key, copy)) {
                free (key);
                ytree_destroy (&copy);
                return errno = ENOMEM, -1;
            }
        }
    }
    return 0;
}

static int
s_write (void *data, unsigned char *buffer, size_t size)
{
    FILE *file = data;
    return fwrite (buffer, 1, size, file) == size;
}

static int
s_emit_node (yaml_emitter_t *emitter, const ynode_t *node)
{
    yaml_event_t event;
    //  libyaml refuses text that is not UTF-8 and leaves the event as it
    //  was (already freed), so a refused scalar must not be emitted.
    if (node->kind == YNODE_SCALAR) {
        if (!yaml_scalar_event_initialize (&event, NULL, NULL,
                (yaml_char_t *) node->value, (int) strlen (node->value), 1, 1,
                node->quoted? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                            : YAML_ANY_SCALAR_STYLE))
            return -1;
        return yaml_emitter_emit (emitter, &event)? 0: -1;
    }
    if (node->kind == YNODE_SEQ)
        yaml_sequence_start_event_initialize (&event, NULL, NULL, 1,
                                              YAML_BLOCK_SEQUENCE_STYLE);
    else
        yaml_mapping_start_event_initialize (&event, NULL, NULL, 1,
                                             YAML_BLOCK_MAPPING_STYLE);
    if (!yaml_emitter_emit (emitter, &event))
        return -1;
    for (size_t i = 0; i < node->count; i++) {
        if (node->keys) {
            if (!yaml_scalar_event_initialize (&event, NULL, NULL,
                    (yaml_char_t *) node->keys [i],
                    (int) strlen (node->keys [i]), 1, 1, YAML_ANY_SCALAR_STYLE)
            ||  !yaml_emitter_emit (emitter, &event))
                return -1;
        }
        if (s_emit_node (emitter, node->items [i]))
            return -1;
    }
    if (node->kind == YNODE_SEQ)
        yaml_sequence_end_event_initialize (&event);
    else
        yaml_mapping_end_event_initialize (&event);
    return yaml_emitter_emit (emitter, &event)? 0: -1;
}

char *
ytree_emit (const ynode_t *self)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&text, &size);
    if (!file)
        return NULL;
    yaml_emitter_t emitter;
    yaml_event_t event;
    int rc = -1;
    if (!yaml_emitter_initialize (&emitter))
        goto out_close;
    yaml_emitter_set_output (&emitter, s_write, file);
    yaml_emitter_set_unicode (&emitter, 1);
    yaml_emitter_set_width (&emitter, -1);
    yaml_stream_start_event_initialize (&event, YAML_UTF8_ENCODING);
    if (!yaml_emitter_emit (&emitter, &event))
        goto out_emitter;
    yaml_document_start_event_initialize (&event, NULL, NULL, NULL, 1);
    if (!yaml_emitter_emit (&emitter, &event) || s_emit_node (&emitter, self))
        goto out_emitter;
    yaml_document_end_event_initialize (&event, 1);
    if (!yaml_emitter_emit (&emitter, &event))
        goto out_emitter;
    yaml_stream_end_event_initialize (&event);
    if (yaml_emitter_emit (&emitter, &event))
        rc = 0;
out_emitter:
    yaml_emitter_delete (&emitter);
out_close:
    fclose (file);
    if (rc) {
        free (text);
        errno = ENOMEM;
        return NULL;
    }
    return text;
}
