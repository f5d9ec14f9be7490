/*  Tests for common/ytree and common/knowledge.  */
#include "common/knowledge.h"
#include "common/ytree.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test (ytree, parses_maps_sequences_and_positions)
{
    const char *text = "a: 1\nb:\n  - x\n  - 'y'\nc: {d: e}\n";
    char err [128];
    ynode_t *root = ytree_parse (text, strlen (text), err, sizeof err);
    cr_assert_not_null (root, "%s", err);
    cr_assert_eq (root->kind, YNODE_MAP);
    cr_assert_str_eq (ytree_str (ytree_get (root, "a"), NULL), "1");
    const ynode_t *b = ytree_get (root, "b");
    cr_assert_eq (b->kind, YNODE_SEQ);
    cr_assert_eq (b->count, 2);
    cr_assert (b->items [1]->quoted);
    cr_assert_eq (b->items [1]->line, 4);
    cr_assert_eq (b->items [1]->column, 5);
    cr_assert_str_eq (ytree_str (ytree_path (root, "c", "d", NULL), NULL), "e");
    cr_assert_null (ytree_path (root, "c", "x", NULL));
    ytree_destroy (&root);
    cr_assert_null (root);
}

Test (ytree, reports_errors_with_line_and_column)
{
    const char *cases [] = { "a: [1, 2\n", "a: 1\na: 2\n", "a: &x 1\nb: *x\n", "- a\n- b: c\n  d\n" };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char err [128] = "";
        ynode_t *root = ytree_parse (cases [i], strlen (cases [i]), err, sizeof err);
        cr_assert_null (root, "case %zu parsed", i);
        cr_assert (strstr (err, "line "), "case %zu: %s", i, err);
        cr_assert (strstr (err, "column "), "case %zu: %s", i, err);
    }
    char err [128] = "";
    ynode_t *second = ytree_parse ("a: 1\n---\nb: 2\n", 14, err, sizeof err);
    cr_assert_null (second);
    cr_assert (strstr (err, "one document"), "%s", err);
}

Test (ytree, refuses_deep_nesting)
{
    char text [101];
    memset (text, '[', 100);
    text [100] = 0;
    char err [128] = "";
    ynode_t *root = ytree_parse (text, strlen (text), err, sizeof err);
    cr_assert_null (root);
    cr_assert (strstr (err, "deep") || strstr (err, "line"), "%s", err);
}

Test (ytree, empty_document_is_an_empty_map)
{
    ynode_t *root = ytree_parse ("", 0, NULL, 0);
    cr_assert_not_null (root);
    cr_assert_eq (root->kind, YNODE_MAP);
    cr_assert_eq (root->count, 0);
    ytree_destroy (&root);
}

Test (ytree, merge_overlays_maps_and_replaces_the_rest)
{
    const char *base_text = "m: {a: 1, b: 2}\nl: [1, 2]\n";
    const char *over_text = "m: {b: 3, c: 4}\nl: [9]\nn: x\n";
    ynode_t *base = ytree_parse (base_text, strlen (base_text), NULL, 0);
    ynode_t *over = ytree_parse (over_text, strlen (over_text), NULL, 0);
    cr_assert_eq (ytree_merge (base, over), 0);
    cr_assert_str_eq (ytree_str (ytree_path (base, "m", "a", NULL), ""), "1");
    cr_assert_str_eq (ytree_str (ytree_path (base, "m", "b", NULL), ""), "3");
    cr_assert_str_eq (ytree_str (ytree_path (base, "m", "c", NULL), ""), "4");
    cr_assert_eq (ytree_get (base, "l")->count, 1);
    cr_assert_str_eq (ytree_str (ytree_get (base, "n"), ""), "x");
    char *text = ytree_emit (base);
    cr_assert_not_null (text);
    ynode_t *again = ytree_parse (text, strlen (text), NULL, 0);
    cr_assert_not_null (again);
    cr_assert_str_eq (ytree_str (ytree_path (again, "m", "c", NULL), ""), "4");
    free (text);
    ytree_destroy (&again);
    ytree_destroy (&base);
    ytree_destroy (&over);
}

Test (ytree, a_large_map_keeps_every_key_in_order)
{
    //  1,000 keys, each appended in turn.
    size_t size = 1000 * 24;
    char *text = malloc (size);
    cr_assert_not_null (text);
    size_t used = 0;
    for (int i = 0; i < 1000; i++)
        used += (size_t) snprintf (text + used, size - used, "key%04d: [%d, x]\n", i, i);
    char err [256] = "";
    ynode_t *root = ytree_parse (text, used, err, sizeof err);
    cr_assert_not_null (root, "%s", err);
    cr_assert_eq (root->count, 1000u);
    for (int i = 0; i < 1000; i += 111) {
        char key [16];
        snprintf (key, sizeof key, "key%04d", i);
        cr_assert_str_eq (root->keys [i], key);
        const ynode_t *value = ytree_get (root, key);
        cr_assert (value && value->kind == YNODE_SEQ && value->count == 2);
        cr_assert_eq (strtol (value->items [0]->value, NULL, 10), i);
    }
    //  A duplicate at the end is still seen, with its place.
    used += (size_t) snprintf (text + used, size - used, "key0500: again\n");
    ytree_destroy (&root);
    root = ytree_parse (text, used, err, sizeof err);
    cr_assert_null (root);
    cr_assert (strstr (err, "duplicate key") && strstr (err, "1001"), "%s", err);
    free (text);
}

Test (ytree, a_compact_copy_reads_the_same_and_refuses_change)
{
    const char *text = "name: demo\nlist: [a, 'b', {c: d}]\nempty: {}\nnone: []\n"
                       "deep: {x: {y: [1, 2]}}\n";
    char err [256] = "";
    ynode_t *tree = ytree_parse (text, strlen (text), err, sizeof err);
    cr_assert_not_null (tree, "%s", err);
    ynode_t *compact = ytree_compact (tree);
    cr_assert_not_null (compact);
    char *before = ytree_emit (tree);
    char *after = ytree_emit (compact);
    cr_assert_str_eq (after, before);
    cr_assert (ytree_path (compact, "list", NULL)->items [1]->quoted);
    cr_assert_eq (ytree_path (compact, "deep", "x", NULL)->line, 5u);
    //  Read-only: nothing goes in, nothing is merged over it.
    ynode_t *item = ytree_parse ("k: v\n", 5, err, sizeof err);
    errno = 0;
    cr_assert_eq (ytree_merge (compact, item), -1);
    cr_assert_eq (errno, EPERM);
    char key [] = "k";
    cr_assert_eq (ytree_append (compact, key, item), -1);
    cr_assert_eq (errno, EPERM);
    //  A copy of it can change, and the compact tree does not with it.
    ynode_t *copy = ytree_dup (compact);
    cr_assert_eq (ytree_merge (copy, item), 0);
    cr_assert_str_eq (ytree_str (ytree_get (copy, "k"), ""), "v");
    cr_assert_null (ytree_get (compact, "k"));
    //  Freed whole from its root (the sanitizer build sees a leak or a
    //  double free if not).
    ytree_destroy (&compact);
    cr_assert_null (compact);
    ytree_destroy (&copy);
    ytree_destroy (&item);
    ytree_destroy (&tree);
    free (before);
    free (after);
}

Test (knowledge, shipped_data_loads_and_overlays_apply)
{
    char err [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "shipped knowledge is broken: %s", err);
    cr_assert_not_null (knowledge_action_ref (kb, "actions/checkout"));
    const char *overlay = "actions:\n  actions/checkout: v99\n";
    cr_assert_eq (knowledge_overlay (kb, "mine.yml", overlay, strlen (overlay), err, sizeof err), 0);
    cr_assert_str_eq (knowledge_action_ref (kb, "actions/checkout"), "v99");
    const char *bad = "actions: [\n";
    cr_assert_eq (knowledge_overlay (kb, "bad.yml", bad, strlen (bad), err, sizeof err), -1);
    cr_assert (strstr (err, "bad.yml: line "), "%s", err);
    cr_assert_str_eq (knowledge_action_ref (kb, "actions/checkout"), "v99");
    char *text = knowledge_text (kb);
    knowledge_t *copy = knowledge_from_text (text, strlen (text), err, sizeof err);
    cr_assert_not_null (copy, "%s", err);
    cr_assert_str_eq (knowledge_action_ref (copy, "actions/checkout"), "v99");
    free (text);
    knowledge_destroy (&copy);
    knowledge_destroy (&kb);
    cr_assert_null (kb);
}
