/*  Tests for common/toml: the TOML subset manifests use, with lines for
    provenance, and clear errors on bad input.  */
#include "common/toml.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ynode_t *
s_parse (const char *text)
{
    char err [256] = "";
    ynode_t *root = toml_parse (text, strlen (text), err, sizeof err);
    cr_assert_not_null (root, "refused: %s", err);
    return root;
}

//  The error for text, which must be refused.
static void
s_refuse (const char *text, const char *expect)
{
    char err [256] = "";
    ynode_t *root = toml_parse (text, strlen (text), err, sizeof err);
    cr_assert_null (root, "accepted: %s", text);
    cr_assert_eq (errno, EINVAL);
    cr_assert (strstr (err, expect), "error '%s' lacks '%s'", err, expect);
    ytree_destroy (&root);
}

Test (toml, a_pyproject_with_tables_arrays_and_lines)
{
    const char *text =
        "# a project\n"
        "[build-system]\n"
        "requires = [\"hatchling\"]\n"
        "build-backend = \"hatchling.build\"\n"
        "\n"
        "[project]\n"
        "name = \"frobnicate\"   # trailing comment\n"
        "requires-python = '>=3.9'\n"
        "classifiers = [\n"
        "    \"Programming Language :: Python :: 3.9\",\n"
        "    \"Programming Language :: Python :: 3.12\",  # last\n"
        "]\n"
        "\n"
        "[project.optional-dependencies]\n"
        "test = [\"pytest>=7\", \"coverage\"]\n"
        "\n"
        "[tool.pytest.ini_options]\n"
        "addopts = \"-ra\"\n";
    ynode_t *root = s_parse (text);
    cr_assert_str_eq (ytree_str (ytree_path (root, "project", "name", NULL), ""),
                      "frobnicate");
    const ynode_t *rp = ytree_path (root, "project", "requires-python", NULL);
    cr_assert_str_eq (ytree_str (rp, ""), ">=3.9");
    cr_assert_eq (rp->line, 8);
    cr_assert_eq (rp->column, 19);
    cr_assert (rp->quoted);
    const ynode_t *cls = ytree_path (root, "project", "classifiers", NULL);
    cr_assert_eq (cls->kind, YNODE_SEQ);
    cr_assert_eq (cls->count, 2);
    cr_assert_eq (cls->items [1]->line, 11);
    const ynode_t *test = ytree_path (root, "project", "optional-dependencies",
                                      "test", NULL);
    cr_assert_eq (test->count, 2);
    cr_assert_str_eq (test->items [0]->value, "pytest>=7");
    cr_assert_str_eq (ytree_str (ytree_path (root, "tool", "pytest", "ini_options",
                                             "addopts", NULL), ""), "-ra");
    cr_assert_eq (ytree_path (root, "tool", NULL)->line, 17);
    ytree_destroy (&root);
    cr_assert_null (root);
}

Test (toml, dotted_and_quoted_keys_and_inline_tables)
{
    ynode_t *root = s_parse (
        "package.name = \"crab\"\n"
        "package . 'rust-version' = \"1.70\"\n"
        "\"quoted key\" = 1\n"
        "[dependencies]\n"
        "serde = { version = \"1\", features = [\"derive\"] }\n"
        "tokio.version = \"1.35\"\n"
        "tokio.features = []\n");
    cr_assert_str_eq (ytree_str (ytree_path (root, "package", "name", NULL), ""), "crab");
    cr_assert_str_eq (ytree_str (ytree_path (root, "package", "rust-version", NULL), ""),
                      "1.70");
    cr_assert_str_eq (ytree_str (ytree_get (root, "quoted key"), ""), "1");
    const ynode_t *serde = ytree_path (root, "dependencies", "serde", NULL);
    cr_assert_eq (serde->kind, YNODE_MAP);
    cr_assert_str_eq (ytree_str (ytree_get (serde, "version"), ""), "1");
    cr_assert_str_eq (ytree_get (serde, "features")->items [0]->value, "derive");
    cr_assert_eq (ytree_path (root, "dependencies", "tokio", "features", NULL)->count, 0);
    ytree_destroy (&root);
}

Test (toml, strings_in_all_four_forms)
{
    ynode_t *root = s_parse (
        "a = \"tab\\there \\\"q\\\" \\u00e9 \\U0001F600\"\n"
        "b = 'C:\\path\\no\\escape'\n"
        "c = \"\"\"\n"
        "first\n"
        "second \\\n"
        "    joined\"\"\"\n"
        "d = '''\n"
        "raw \\n kept\n"
        "'''\n"
        "e = \"\"\"two quotes at the end\"\"\"\"\"\n"
        "f = \"\"\n");
    cr_assert_str_eq (ytree_str (ytree_get (root, "a"), ""),
                      "tab\there \"q\" \xc3\xa9 \xf0\x9f\x98\x80");
    cr_assert_str_eq (ytree_str (ytree_get (root, "b"), ""), "C:\\path\\no\\escape");
    cr_assert_str_eq (ytree_str (ytree_get (root, "c"), ""), "first\nsecond joined");
    cr_assert_str_eq (ytree_str (ytree_get (root, "d"), ""), "raw \\n kept\n");
    cr_assert_str_eq (ytree_str (ytree_get (root, "e"), ""), "two quotes at the end\"\"");
    cr_assert_str_eq (ytree_str (ytree_get (root, "f"), "x"), "");
    cr_assert_eq (ytree_get (root, "d")->line, 7);
    ytree_destroy (&root);
}

Test (toml, numbers_booleans_and_dates_kept_as_written)
{
    ynode_t *root = s_parse (
        "i = -42\n" "h = 0xDEAD_beef\n" "o = 0o755\n" "b = 0b1010\n"
        "f = 6.626e-34\n" "g = 1_000.5\n" "n = -inf\n" "t = true\n"
        "u = false\n" "d = 1979-05-27T07:32:00Z\n" "s = 1979-05-27 07:32:00\n"
        "l = 07:32:00\n" "day = 1979-05-27\n" "ver = 1.0\n");
    const char *expect [][2] = {
        { "i", "-42" }, { "h", "0xDEAD_beef" }, { "o", "0o755" }, { "b", "0b1010" },
        { "f", "6.626e-34" }, { "g", "1_000.5" }, { "n", "-inf" }, { "t", "true" },
        { "u", "false" }, { "d", "1979-05-27T07:32:00Z" },
        { "s", "1979-05-27 07:32:00" }, { "l", "07:32:00" }, { "day", "1979-05-27" },
        { "ver", "1.0" },
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect [0]; i++) {
        const ynode_t *node = ytree_get (root, expect [i][0]);
        cr_assert_not_null (node, "%s missing", expect [i][0]);
        cr_assert_str_eq (node->value, expect [i][1]);
        cr_assert_not (node->quoted);
    }
    ytree_destroy (&root);
}

Test (toml, arrays_of_tables_and_subtables)
{
    ynode_t *root = s_parse (
        "[[bin]]\n" "name = \"one\"\n"
        "[[bin]]\n" "name = \"two\"\n"
        "[bin.extra]\n" "x = 1\n"
        "[workspace]\n" "members = [\n  \"a\", # first\n\n  \"b\",\n]\n"
        "[empty]\n");
    const ynode_t *bins = ytree_get (root, "bin");
    cr_assert_eq (bins->kind, YNODE_SEQ);
    cr_assert_eq (bins->count, 2);
    cr_assert_str_eq (ytree_str (ytree_get (bins->items [1], "name"), ""), "two");
    cr_assert_str_eq (ytree_str (ytree_path (bins->items [1], "extra", "x", NULL), ""), "1");
    cr_assert_null (ytree_get (bins->items [0], "extra"));
    cr_assert_eq (ytree_path (root, "workspace", "members", NULL)->count, 2);
    cr_assert_eq (ytree_get (root, "empty")->kind, YNODE_MAP);
    cr_assert_eq (ytree_get (root, "empty")->count, 0);
    ytree_destroy (&root);
}

Test (toml, empty_documents_crlf_and_bom)
{
    ynode_t *root = s_parse ("");
    cr_assert_eq (root->kind, YNODE_MAP);
    cr_assert_eq (root->count, 0);
    ytree_destroy (&root);
    root = s_parse ("\xef\xbb\xbf# only a comment\r\n\r\nk = 'v'\r\n");
    cr_assert_str_eq (ytree_str (ytree_get (root, "k"), ""), "v");
    cr_assert_eq (ytree_get (root, "k")->line, 3);
    ytree_destroy (&root);
}

Test (toml, errors_name_line_column_and_cause)
{
    s_refuse ("a = 1\nb = \n", "line 2, column 5: expected a value");
    s_refuse ("a = 1\na = 2\n", "line 2");
    s_refuse ("a = 1\na = 2\n", "duplicate key 'a'");
    s_refuse ("[t]\nx = 1\n[t]\n", "defined twice");
    s_refuse ("x = \"open\n", "newline in a single-line string");
    s_refuse ("x = \"never closed", "unterminated string");
    s_refuse ("x = [1, 2\n", "unterminated array");
    s_refuse ("x = {a = 1\n", "unterminated inline table");
    s_refuse ("x = {a = 1 b}\n", "expected ',' or '}'");
    s_refuse ("x = -0x10\n", "invalid value");
    s_refuse ("x = 1 y = 2\n", "expected the end of the line");
    s_refuse ("x = \"\\q\"\n", "unknown escape");
    s_refuse ("x = \"\\uD800\"\n", "Unicode");
    s_refuse ("x = 0x\n", "invalid value");
    s_refuse ("x = 01\n", "invalid value");
    s_refuse ("x = 1__0\n", "invalid value");
    s_refuse ("x = nope\n", "invalid value 'nope'");
    s_refuse ("k\n", "expected '='");
    s_refuse ("[a\n", "expected ']'");
    s_refuse ("[[a]\n", "expected ']]'");
    s_refuse ("a = 1\n[a]\n", "not a table");
    s_refuse ("a = {b = 1}\n[a.c]\n", "cannot be extended");
    s_refuse ("a = {b = 1}\na.c = 2\n", "cannot be extended");
    s_refuse ("a = [1]\n[[a]]\n", "cannot be extended");
    s_refuse ("[a]\n[[a]]\n", "not an array of tables");
    s_refuse ("x = \"a\x01\"\n", "control character");
    s_refuse ("# bad \x7f\n", "control character");
    s_refuse ("\"\"\"k\"\"\" = 1\n", "multi-line");
}

Test (toml, nesting_is_bounded)
{
    size_t depth = TOML_MAX_DEPTH + 10;
    char *text = malloc (depth * 2 + 16);
    size_t n = 0;
    n += (size_t) snprintf (text, 8, "x = ");
    for (size_t i = 0; i < depth; i++)
        text [n++] = '[';
    for (size_t i = 0; i < depth; i++)
        text [n++] = ']';
    text [n] = 0;
    s_refuse (text, "nested deeper");
    free (text);
    //  keys with too many parts
    char key [TOML_MAX_DEPTH * 2 + 16] = "";
    for (int i = 0; i < TOML_MAX_DEPTH + 1; i++)
        snprintf (key + strlen (key), sizeof key - strlen (key), "%s", "a.");
    snprintf (key + strlen (key), sizeof key - strlen (key), "%s", "b = 1");
    s_refuse (key, "more than");
    //  just within the bound is fine
    char ok [64] = "x = [[[[]]]]";
    ynode_t *root = s_parse (ok);
    ytree_destroy (&root);
}

Test (toml, never_crashes_on_any_prefix_or_mutation)
{
    const char *text =
        "[package]\nname = \"x\" # c\nv = \"\"\"a\\\n b\"\"\"\n"
        "w = '''q'''\nt = {a = [1, 2.5, true], 'b' = 1979-05-27}\n"
        "[[a.b]]\nc = 0x10\n";
    size_t size = strlen (text);
    char err [256];
    ynode_t *whole = toml_parse (text, size, err, sizeof err);
    cr_assert_not_null (whole, "%s", err);
    ytree_destroy (&whole);
    char *copy = malloc (size);
    for (size_t cut = 0; cut < size; cut++) {
        memcpy (copy, text, cut);
        ynode_t *root = toml_parse (copy, cut, err, sizeof err);
        ytree_destroy (&root);
    }
    //  every byte replaced by a few troublesome ones
    const char subst [] = { 0, '"', '\'', '[', ']', '{', '\n', '\\', '=', '.' };
    for (size_t at = 0; at < size; at++)
        for (size_t k = 0; k < sizeof subst; k++) {
            memcpy (copy, text, size);
            copy [at] = subst [k];
            ynode_t *root = toml_parse (copy, size, err, sizeof err);
            ytree_destroy (&root);
        }
    free (copy);
    //  NULL text, and no error buffer
    ynode_t *root = toml_parse (NULL, 0, NULL, 0);
    cr_assert_not_null (root);
    ytree_destroy (&root);
    cr_assert_null (toml_parse ("=", 1, NULL, 0));
}
