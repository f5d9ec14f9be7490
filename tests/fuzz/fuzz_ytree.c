/*  tests/fuzz/fuzz_ytree.c - libFuzzer target for common/ytree: YAML text
    to a tree, and the tree's copy, merge and emit over what parses.  */
#include "common/ytree.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

//  True when a and b hold the same kinds, keys and text (positions and
//  the quoted flag aside: the emitter may quote what was a block scalar).
static bool
s_same (const ynode_t *a, const ynode_t *b)
{
    if (a->kind != b->kind || a->count != b->count)
        return false;
    if (a->kind == YNODE_SCALAR)
        return strcmp (a->value, b->value) == 0;
    for (size_t i = 0; i < a->count; i++)
        if ((a->keys && strcmp (a->keys [i], b->keys [i]) != 0)
        ||  !s_same (a->items [i], b->items [i]))
            return false;
    return true;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [256] = "";
    ynode_t *tree = ytree_parse ((const char *) data, size, err, sizeof err);
    if (!tree) {
        S_ENSURE (err [0] != 0);
        return 0;
    }
    //  What we emit reads back to the same tree; but an empty scalar as
    //  the whole document ("&a", ">") is emitted as an empty document,
    //  which reads as an empty map.
    char *text = ytree_emit (tree);
    S_ENSURE (text);
    ynode_t *again = ytree_parse (text, strlen (text), err, sizeof err);
    S_ENSURE (again);
    S_ENSURE (s_same (tree, again)
              || (tree->kind == YNODE_SCALAR && !*tree->value));
    //  A copy merges over a map (anything else is refused with EINVAL).
    ynode_t *copy = ytree_dup (tree);
    S_ENSURE (copy);
    S_ENSURE (ytree_merge (tree, copy) == (tree->kind == YNODE_MAP? 0: -1));
    char *merged = ytree_emit (tree);
    S_ENSURE (merged);
    if (tree->kind == YNODE_MAP && tree->count)
        ytree_str (ytree_get (tree, tree->keys [0]), NULL);
    free (merged);
    free (text);
    ytree_destroy (&copy);
    ytree_destroy (&again);
    ytree_destroy (&tree);
    return 0;
}
