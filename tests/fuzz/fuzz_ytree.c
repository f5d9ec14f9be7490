/*  tests/fuzz/fuzz_ytree.c - libFuzzer target for common/ytree: YAML text
    to a tree, and the tree's copy, merge and emit over what parses.  */
#include "common/ytree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [256] = "";
    ynode_t *tree = ytree_parse ((const char *) data, size, err, sizeof err);
    if (!tree) {
        S_ENSURE (err [0] != 0);
        return 0;
    }
    //  What we emit we read back, and emitting that gives the same text.
    char *text = ytree_emit (tree);
    S_ENSURE (text);
    ynode_t *again = ytree_parse (text, strlen (text), err, sizeof err);
    S_ENSURE (again);
    char *text_again = ytree_emit (again);
    S_ENSURE (text_again && strcmp (text, text_again) == 0);
    //  A copy merged over the tree leaves it emitting the same text.
    ynode_t *copy = ytree_dup (tree);
    S_ENSURE (copy);
    S_ENSURE (ytree_merge (tree, copy) == 0);
    char *merged = ytree_emit (tree);
    S_ENSURE (merged);
    if (tree->kind == YNODE_MAP && tree->count)
        ytree_str (ytree_get (tree, tree->keys [0]), NULL);
    free (merged);
    free (text_again);
    free (text);
    ytree_destroy (&copy);
    ytree_destroy (&again);
    ytree_destroy (&tree);
    return 0;
}
