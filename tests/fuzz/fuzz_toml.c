/*  tests/fuzz/fuzz_toml.c - libFuzzer target for common/toml: TOML text to
    a tree; whatever parses is a well-formed tree, which YAML can carry
    when the text was UTF-8 (escapes must not make invalid UTF-8).  */
#include "common/toml.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

//  The deepest tree TOML_MAX_DEPTH allows: it bounds each construct, so
//  a header's parts (two levels each for array tables), a dotted key's
//  parts under it and a value's nesting add up.
#define S_MAX_TREE_DEPTH (4 * TOML_MAX_DEPTH + 2)

//  Checks the shape the header promises: scalars carry text, maps have a
//  key per item, nesting stays bounded.
static void
s_check_node (const ynode_t *node, int depth)
{
    S_ENSURE (node && depth <= S_MAX_TREE_DEPTH);
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

//  True when data is well-formed UTF-8 (no overlongs, no surrogates).
static bool
s_utf8 (const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < size; ) {
        uint8_t c = data [i];
        size_t n = c < 0x80? 0: (c & 0xe0) == 0xc0? 1: (c & 0xf0) == 0xe0? 2
                 : (c & 0xf8) == 0xf0? 3: 4;
        if (n == 4 || size - i <= n)
            return false;
        uint32_t cp = n == 0? c: c & (0x3f >> n);
        for (size_t k = 1; k <= n; k++) {
            if ((data [i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (data [i + k] & 0x3f);
        }
        static const uint32_t min [] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < min [n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
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
    S_ENSURE (text || !s_utf8 (data, size));
    free (text);
    ytree_destroy (&tree);
    return 0;
}
