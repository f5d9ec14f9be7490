/*  common/knowledge_tools.c - the knowledge's tools, sorted by name.  */
#include "common/knowledge_tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    size_t len;
    const ynode_t *entry;
} slot_t;

struct ktools {
    slot_t *slots;              //  sorted by name, bytewise
    size_t count;
    const ynode_t *words;       //  command-words
};

static int
s_compare (const void *a, const void *b)
{
    const slot_t *x = a, *y = b;
    size_t n = x->len < y->len? x->len: y->len;
    int rc = memcmp (x->name, y->name, n);
    return rc? rc: (x->len > y->len) - (x->len < y->len);
}

ktools_t *
ktools_new (const ynode_t *root)
{
    ktools_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    self->words = ytree_get (root, "command-words");
    const ynode_t *tools = ytree_get (root, "tools");
    if (!tools || tools->kind != YNODE_MAP || tools->count == 0)
        return self;
    self->slots = calloc (tools->count, sizeof *self->slots);
    if (!self->slots) {
        free (self);
        return errno = ENOMEM, NULL;
    }
    for (size_t i = 0; i < tools->count; i++)
        self->slots [self->count++] = (slot_t) {
            tools->keys [i], strlen (tools->keys [i]), tools->items [i] };
    qsort (self->slots, self->count, sizeof *self->slots, s_compare);
    return self;
}

void
ktools_destroy (ktools_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->slots);
    free (*self_p);
    *self_p = NULL;
}

const ynode_t *
ktools_get (const ktools_t *self, const char *word, size_t size)
{
    if (!self || !self->count || !size)
        return NULL;
    slot_t key = { word, size, NULL };
    const slot_t *slot = bsearch (&key, self->slots, self->count, sizeof *self->slots,
                                  s_compare);
    return slot? slot->entry: NULL;
}

bool
ktools_flag (const ynode_t *entry, const char *key)
{
    const char *value = ytree_str (ytree_get (entry, key), NULL);
    return value && strcmp (value, "true") == 0;
}

bool
ktools_known (const ktools_t *self, const char *word, size_t size)
{
    const ynode_t *entry = ktools_get (self, word, size);
    const char *known = ytree_str (ytree_get (entry, "known"), "true");
    return entry && strcmp (known, "false") != 0;
}

const ynode_t *
ktools_words (const ktools_t *self, const char *key)
{
    return self? ytree_get (self->words, key): NULL;
}

bool
ktools_in (const ynode_t *list, const char *word, size_t size)
{
    if (!list || list->kind != YNODE_SEQ || size == 0)
        return false;
    for (size_t i = 0; i < list->count; i++) {
        const ynode_t *item = list->items [i];
        if (item->kind == YNODE_SCALAR && item->value [0] == word [0]
        &&  strlen (item->value) == size && memcmp (item->value, word, size) == 0)
            return true;
    }
    return false;
}
