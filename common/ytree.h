/*  common/ytree.h - a YAML document as a small tree (maps, sequences,
    scalars) with the line and column of every node, read with libyaml.
    Used for the shipped CI knowledge, its overlays and the config file.
    Pure: no I/O beyond the buffer it is given.  */
#ifndef YTREE_H_INCLUDED
#define YTREE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef enum { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP } ynode_kind_t;

typedef struct ynode ynode_t;
struct ynode {
    ynode_kind_t kind;
    char *value;            //  scalar text; NULL for seq and map
    bool quoted;            //  scalar was quoted ('x' or "x")
    bool frozen;            //  part of a compact tree (ytree_compact): read-only
    bool block;             //  the root of one: the tree is this one allocation
    ynode_t **items;        //  seq items, or map values
    char **keys;            //  map keys (same count as items), NULL for seq
    size_t count;
    unsigned line;          //  1-based position of the node
    unsigned column;
};

//  Appends item (with key, for a map; NULL for a seq) to node, taking
//  both. 0, or -1 with errno ENOMEM, or EPERM for a compact node (then
//  neither is taken).
int ytree_append (ynode_t *node, char *key, ynode_t *item);

//  Parse one YAML document from text. Returns the root (an empty map for
//  an empty document), or NULL with errno EINVAL and a message naming
//  line and column in err (when err is not NULL). Aliases are refused;
//  nesting deeper than 64 levels is refused. Caller destroys the tree.
ynode_t *ytree_parse (const char *text, size_t size, char *err, size_t err_size);

//  Free the tree and set *self_p to NULL. Accepts NULL. A compact tree
//  is freed from its root alone.
void ytree_destroy (ynode_t **self_p);

//  A copy of the tree in one allocation, nodes, lists and text packed
//  together: what a process keeps for its life (the CI knowledge, in
//  every worker) takes half the memory of the tree as parsed, where
//  each node, list and string is a block of its own. The copy is
//  read-only: ytree_merge and ytree_append refuse it (EPERM); ytree_dup
//  makes a tree that can change. NULL with errno ENOMEM.
ynode_t *ytree_compact (const ynode_t *self);

//  Deep copy, or NULL (ENOMEM).
ynode_t *ytree_dup (const ynode_t *self);

//  The value under key in a map, or NULL (not a map, or no such key).
const ynode_t *ytree_get (const ynode_t *self, const char *key);

//  Follow a path of map keys, ending with NULL: ytree_path (t, "actions",
//  "actions/checkout", NULL). NULL when any step is missing.
const ynode_t *ytree_path (const ynode_t *self, ...);

//  The scalar text of node, or fallback when node is not a scalar.
const char *ytree_str (const ynode_t *node, const char *fallback);

//  Merge overlay into base: maps merge key by key (recursively), any
//  other value replaces the base's. Returns 0, or -1 (ENOMEM; EPERM when
//  base is compact).
int ytree_merge (ynode_t *base, const ynode_t *overlay);

//  Emit the tree as YAML (block style) into a malloc'd string the caller
//  frees, or NULL (ENOMEM).
char *ytree_emit (const ynode_t *self);

#endif
