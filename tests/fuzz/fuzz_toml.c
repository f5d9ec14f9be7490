/*  tests/fuzz/fuzz_toml.c - libFuzzer target for common/toml: TOML text to
    a tree; whatever parses must be a well-formed tree YAML can carry.  */
#include "common/toml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

//  Checks the shape the header promises: scalars carry text, maps have a
//  key per item, nesting stays within the bound.
static void
s_check_node (const ynode_t *node, int depth)
{
    S_ENSURE (node && depth <= TOML_MAX_DEPTH + 1);
    if (node->kind == YNODE_SCALAR) {
        S_ENSURE (node->value && node->count == 0);
        return;
    }
    S_ENSURE (node->kind == YNODE_SEQ || node->kind == YNODE_MAP);
    S_ENSURE (node->count <= TOML_MAX_ENTRIES);
    S_ENSURE ((node->kind == YNODE_MAP) == (node->keys != NULL)
              || node->count == 0);
    for (size_t i = 0; i < node->count; i++) {
        if (node->kind == YNODE_MAP)
            S_ENSURE (node->keys [i]);
        s_check_node (node->items [i], depth + 1);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [256] = "";
    ynode_t *tree = toml_parse ((const char *) data, size, err, sizeof err);
    if (!tree) {
        S_ENSURE (err [0] != 0);
        return 0;
    }
    S_ENSURE (tree->kind == YNODE_MAP);
    s_check_node (tree, 0);
    char *text = ytree_emit (tree);
    S_ENSURE (text);
    free (text);
    ytree_destroy (&tree);
    return 0;
}
