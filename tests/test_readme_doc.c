/*  Tests for proto/readme_doc: the document model codec and kind names.  */
#include "proto/mp.h"
#include "proto/readme_doc.h"

#include "tests/support/codec_check.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
s_decode (void *self, const uint8_t *buf, size_t size)
{
    return readme_doc_decode (self, buf, size);
}

static char **
s_strv (const char *a, const char *b)
{
    char **v = calloc (2, sizeof *v);
    v [0] = strdup (a);
    v [1] = strdup (b);
    return v;
}

//  A document with two of everything the parser produces.
static void
s_fill (readme_doc_t *doc)
{
    doc->title = strdup ("Widget");
    doc->docs = s_strv ("README.md", "CONTRIBUTING.md");
    doc->docs_count = 2;
    doc->sections = calloc (2, sizeof *doc->sections);
    doc->sections_count = 2;
    doc->sections [0] = (readme_section_t) { strdup ("Widget"), strdup ("Widget"), 1, 1, 0 };
    doc->sections [1] = (readme_section_t) { strdup ("Running tests"),
        strdup ("Development > Running tests"), 3, 12, 1 };
    doc->blocks = calloc (2, sizeof *doc->blocks);
    doc->blocks_count = 2;
    doc->blocks [0] = (readme_block_t) { strdup ("{.bash .numberLines}"), strdup ("bash"),
                                         5, 0, 0, true, true };
    doc->blocks [1] = (readme_block_t) { strdup (""), strdup (""), 14, 1, 1, false, false };
    doc->commands = calloc (2, sizeof *doc->commands);
    doc->commands_count = 2;
    doc->commands [0] = (readme_cmd_t) { strdup ("make test"), CMD_TEST,
        strdup ("make target test"), CMD_F_PROMPT | CMD_F_SUDO, 6, 0, 0, 0 };
    doc->commands [1] = (readme_cmd_t) { strdup ("npm test"), CMD_LINT,
        strdup ("npm script test"), CMD_F_INLINE, 20, 1, -1, 1 };
    doc->badges = calloc (2, sizeof *doc->badges);
    doc->badges_count = 2;
    doc->badges [0] = (readme_badge_t) { strdup ("ci"), strdup ("github:ci.yml"),
        strdup ("https://github.com/o/r/actions/workflows/ci.yml/badge.svg"),
        strdup ("https://github.com/o/r/actions"), 3, 0 };
    doc->badges [1] = (readme_badge_t) { strdup ("other"), strdup (""),
        strdup ("x.svg"), strdup (""), 4, 1 };
    doc->facts = calloc (2, sizeof *doc->facts);
    doc->facts_count = 2;
    doc->facts [0] = (readme_fact_t) { strdup ("python"), strdup (">=3.9"), 8, 0 };
    doc->facts [1] = (readme_fact_t) { strdup ("node"), strdup ("18"), 9, 1 };
}

static void
s_encode (const readme_doc_t *doc, uint8_t **buf, size_t *size)
{
    cr_assert_eq (readme_doc_encode (doc, buf, size), 0);
}

Test (readme_doc, kind_names)
{
    cr_assert_str_eq (cmd_kind_name (CMD_TEST), "test");
    cr_assert_str_eq (cmd_kind_name (CMD_CLONE), "clone");
    cr_assert_str_eq (cmd_kind_name ((cmd_kind_t) 99), "other");
    for (int k = 0; k < CMD_KIND_COUNT; k++)
        cr_assert_eq (cmd_kind_from_name (cmd_kind_name ((cmd_kind_t) k)), k);
    cr_assert_eq (cmd_kind_from_name ("nonsense"), CMD_OTHER);
    cr_assert_eq (cmd_kind_from_name (NULL), CMD_OTHER);
}

Test (readme_doc, full_round_trip)
{
    readme_doc_t doc = { 0 };
    s_fill (&doc);
    uint8_t *buf; size_t size;
    s_encode (&doc, &buf, &size);
    readme_doc_t back;
    cr_assert_eq (readme_doc_decode (&back, buf, size), 0);
    cr_assert_str_eq (back.title, "Widget");
    cr_assert_eq (back.docs_count, 2);
    cr_assert_str_eq (back.docs [1], "CONTRIBUTING.md");
    cr_assert_eq (back.sections_count, 2);
    cr_assert_str_eq (back.sections [1].path, "Development > Running tests");
    cr_assert_eq (back.sections [1].level, 3);
    cr_assert_eq (back.sections [1].line, 12);
    cr_assert_eq (back.sections [1].doc, 1);
    cr_assert_eq (back.blocks_count, 2);
    cr_assert_str_eq (back.blocks [0].info, "{.bash .numberLines}");
    cr_assert_str_eq (back.blocks [0].lang, "bash");
    cr_assert (back.blocks [0].fenced && back.blocks [0].shell);
    cr_assert_not (back.blocks [1].fenced || back.blocks [1].shell);
    cr_assert_eq (back.blocks [1].section, 1);
    cr_assert_eq (back.commands_count, 2);
    cr_assert_str_eq (back.commands [0].text, "make test");
    cr_assert_eq (back.commands [0].kind, CMD_TEST);
    cr_assert_str_eq (back.commands [0].reason, "make target test");
    cr_assert_eq (back.commands [0].flags, CMD_F_PROMPT | CMD_F_SUDO);
    cr_assert_eq (back.commands [0].line, 6);
    cr_assert_eq (back.commands [1].kind, CMD_LINT);
    cr_assert_eq (back.commands [1].block, -1);
    cr_assert_eq (back.commands [1].doc, 1);
    cr_assert_eq (back.badges_count, 2);
    cr_assert_str_eq (back.badges [0].value, "github:ci.yml");
    cr_assert_str_eq (back.badges [0].link, "https://github.com/o/r/actions");
    cr_assert_eq (back.badges [1].line, 4);
    cr_assert_eq (back.facts_count, 2);
    cr_assert_str_eq (back.facts [0].value, ">=3.9");
    cr_assert_str_eq (back.facts [1].key, "node");
    //  Encoding the decoded value gives the same bytes.
    uint8_t *again; size_t again_size;
    s_encode (&back, &again, &again_size);
    cr_assert_eq (again_size, size);
    cr_assert_eq (memcmp (again, buf, size), 0);
    free (again);
    readme_doc_release (&back);
    cr_assert_null (back.title);
    cr_assert_eq (back.commands_count, 0);
    free (buf);
    readme_doc_release (&doc);
}

Test (readme_doc, every_prefix_and_trailing_bytes_fail)
{
    readme_doc_t doc = { 0 };
    s_fill (&doc);
    uint8_t *buf; size_t size;
    s_encode (&doc, &buf, &size);
    readme_doc_t back;
    for (size_t cut = 0; cut < size; cut++) {
        errno = 0;
        cr_assert_eq (readme_doc_decode (&back, buf, cut), -1, "prefix %zu accepted", cut);
        cr_assert_eq (errno, EPROTO);
        cr_assert_null (back.title);
        cr_assert_null (back.sections);
        cr_assert_eq (back.commands_count, 0);
    }
    uint8_t *longer = malloc (size + 1);
    memcpy (longer, buf, size);
    longer [size] = 0x00;
    cr_assert_eq (readme_doc_decode (&back, longer, size + 1), -1);
    cr_assert_eq (errno, EPROTO);
    free (longer);
    free (buf);
    readme_doc_release (&doc);
}

Test (readme_doc, wrong_type_for_each_field_fails)
{
    readme_doc_t doc = { 0 };
    s_fill (&doc);
    uint8_t *buf; size_t size;
    s_encode (&doc, &buf, &size);
    readme_doc_t back;
    //  7 top-level keys + 2 x (5 + 7 + 8 + 6 + 4) item fields.
    cr_assert_eq (tu_check_wrong_types (buf, size, s_decode, &back), 7 + 2 * 30);
    cr_assert_null (back.title);
    free (buf);
    readme_doc_release (&doc);
}

Test (readme_doc, zero_value_round_trips)
{
    readme_doc_t doc = { 0 };
    uint8_t *buf; size_t size;
    s_encode (&doc, &buf, &size);
    readme_doc_t back;
    cr_assert_eq (readme_doc_decode (&back, buf, size), 0);
    cr_assert_str_eq (back.title, "");
    cr_assert_eq (back.docs_count + back.sections_count + back.blocks_count
                  + back.commands_count + back.badges_count + back.facts_count, 0);
    uint8_t *again; size_t again_size;
    s_encode (&back, &again, &again_size);
    cr_assert_eq (again_size, size);
    cr_assert_eq (memcmp (again, buf, size), 0);
    free (again);
    free (buf);
    readme_doc_release (&back);
    readme_doc_release (&back);
}

//  A frame holding one command of the named kind.
static int
s_decode_kind (const char *kind)
{
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 7);
    mp_put_str (&w, "title"); mp_put_str (&w, "");
    mp_put_str (&w, "docs"); mp_put_array (&w, 0);
    mp_put_str (&w, "sec"); mp_put_array (&w, 0);
    mp_put_str (&w, "blk"); mp_put_array (&w, 0);
    mp_put_str (&w, "cmd"); mp_put_array (&w, 1);
    mp_put_map (&w, 8);
    mp_put_str (&w, "t"); mp_put_str (&w, "make");
    mp_put_str (&w, "k"); mp_put_str (&w, kind);
    mp_put_str (&w, "r"); mp_put_str (&w, "");
    mp_put_str (&w, "f"); mp_put_uint (&w, 0);
    mp_put_str (&w, "ln"); mp_put_uint (&w, 1);
    mp_put_str (&w, "s"); mp_put_uint (&w, 0);
    mp_put_str (&w, "b"); mp_put_int (&w, -1);
    mp_put_str (&w, "d"); mp_put_uint (&w, 0);
    mp_put_str (&w, "bdg"); mp_put_array (&w, 0);
    mp_put_str (&w, "fact"); mp_put_array (&w, 0);
    uint8_t *buf; size_t size;
    cr_assert_eq (mp_writer_finish (&w, &buf, &size), 0);
    readme_doc_t back;
    int rc = readme_doc_decode (&back, buf, size);
    if (rc == 0) {
        cr_assert_eq (back.commands_count, 1);
        cr_assert_eq (back.commands [0].kind, cmd_kind_from_name (kind));
    }
    readme_doc_release (&back);
    free (buf);
    return rc;
}

//  Out-of-range values with the right types are refused as well.
Test (readme_doc, refuses_bad_indexes_and_kinds)
{
    for (int which = 0; which < 6; which++) {
        readme_doc_t doc = { 0 };
        s_fill (&doc);
        switch (which) {
            case 0: doc.sections [1].doc = 2; break;
            case 1: doc.blocks [0].section = 5; break;
            case 2: doc.commands [0].block = 2; break;
            case 3: doc.commands [0].block = -2; break;
            case 4: doc.sections [0].level = 7; break;
            case 5: doc.facts [1].doc = 9; break;
        }
        uint8_t *buf; size_t size;
        s_encode (&doc, &buf, &size);
        readme_doc_t back;
        cr_assert_eq (readme_doc_decode (&back, buf, size), -1, "case %d accepted", which);
        cr_assert_eq (errno, EPROTO);
        cr_assert_null (back.sections);
        free (buf);
        readme_doc_release (&doc);
    }
    cr_assert_eq (s_decode_kind ("test"), 0);
    cr_assert_eq (s_decode_kind ("clone"), 0);
    cr_assert_eq (s_decode_kind ("testx"), -1);
    cr_assert_eq (errno, EPROTO);
    cr_assert_eq (s_decode_kind (""), -1);
}

//  The bytes on the wire, pinned: how the codec is written may change,
//  what it sends may not.
Test (readme_doc, encoded_bytes_are_pinned)
{
    char *docs [] = { "README.md", "CONTRIBUTING.md" };
    readme_section_t sections [] = {
        { "Testing", "Development > Testing", 2, 3, 0 },
        { NULL, NULL, 0, 1, 1 },
    };
    readme_block_t blocks [] = { { "sh", "sh", 5, 0, 0, true, true } };
    readme_cmd_t commands [] = {
        { "pytest", CMD_TEST, "pytest runs the tests", CMD_F_PROMPT, 6, 0, 0, 0 },
        { "make", CMD_KIND_COUNT + 3, "", 0, 70000, 1, -1, 1 },
    };
    readme_badge_t badges [] = {
        { "ci", "ci.yml", "https://example.org/b.svg", "", 1, 0 },
    };
    readme_fact_t facts [] = { { "python", ">=3.9", 9, 0 } };
    readme_doc_t doc = {
        .title = "demo", .docs = docs, .docs_count = 2,
        .sections = sections, .sections_count = 2,
        .blocks = blocks, .blocks_count = 1,
        .commands = commands, .commands_count = 2,
        .badges = badges, .badges_count = 1,
        .facts = facts, .facts_count = 1,
    };
    uint8_t *buf;
    size_t size;
    cr_assert_eq (readme_doc_encode (&doc, &buf, &size), 0);
    tu_assert_bytes ("readme_doc", buf, size, "87a57469746c65a464656d6fa4646f637392a9524541444d452e6d64"
                     "af434f4e545249425554494e472e6d64a37365639285a168a7546573"
                     "74696e67a170b5446576656c6f706d656e74203e2054657374696e67"
                     "a26c7602a26c6e03a1640085a168a0a170a0a26c7600a26c6e01a164"
                     "01a3626c6b9187a169a27368a16ca27368a26c6e05a17300a16400a1"
                     "66c3a27368c3a3636d649288a174a6707974657374a16ba474657374"
                     "a172b57079746573742072756e7320746865207465737473a16604a2"
                     "6c6e06a17300a16200a1640088a174a46d616b65a16ba56f74686572"
                     "a172a0a16600a26c6ece00011170a17301a162ffa16401a362646791"
                     "86a16ba26369a176a663692e796d6ca169b968747470733a2f2f6578"
                     "616d706c652e6f72672f622e737667a175a0a26c6e01a16400a46661"
                     "63749184a16ba6707974686f6ea176a53e3d332e39a26c6e09a16400");
    free (buf);
    readme_doc_t empty = { 0 };
    cr_assert_eq (readme_doc_encode (&empty, &buf, &size), 0);
    tu_assert_bytes ("empty readme_doc", buf, size, "87a57469746c65a0a4646f637390a373656390a3626c6b90a3636d64"
                     "90a362646790a46661637490");
    free (buf);
}
