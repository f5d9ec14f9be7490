/*  common/knowledge_tools.h - the knowledge's command-line tools (the
    `tools` map of data/tools.yml, with overlays) indexed by name, and the
    word lists beside them (`command-words`), for the parser and detector
    to look a command's first word up. knowledge.c builds one each time
    its tree changes. Pure.  */
#ifndef KNOWLEDGE_TOOLS_H_INCLUDED
#define KNOWLEDGE_TOOLS_H_INCLUDED

#include "common/ytree.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ktools ktools_t;

//  Index root's `tools` map. Borrows root, which must outlive the index.
//  Returns NULL with errno ENOMEM.
ktools_t *ktools_new (const ynode_t *root);

void ktools_destroy (ktools_t **self_p);

//  The entry of the tool named by word's size bytes, or NULL. Borrowed.
const ynode_t *ktools_get (const ktools_t *self, const char *word, size_t size);

//  True when the tool named by word's size bytes is known: it has an
//  entry, without `known: false`.
bool ktools_known (const ktools_t *self, const char *word, size_t size);

//  True when the entry of a tool says `key: true`.
bool ktools_flag (const ynode_t *entry, const char *key);

//  The `command-words` list (or map) named key, or NULL. Borrowed.
const ynode_t *ktools_words (const ktools_t *self, const char *key);

//  True when list (a sequence of scalars) holds word's size bytes. False
//  for an empty word or a list that is not a sequence.
bool ktools_in (const ynode_t *list, const char *word, size_t size);

#endif
