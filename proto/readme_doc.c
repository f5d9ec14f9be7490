/*  proto/readme_doc.c - msgpack codec for the parser's document model, and
    the names of command kinds.

    {"title": str, "docs": [str],
     "sec":  [{"h": heading, "p": path, "lv": level, "ln": line, "d": doc}],
     "blk":  [{"i": info, "l": lang, "ln", "s": section, "d", "f": fenced,
               "sh": shell}],
     "cmd":  [{"t": text, "k": kind name, "r": reason, "f": flags, "ln",
               "s", "b": block (-1 inline), "d"}],
     "bdg":  [{"k": kind, "v": value, "i": image, "u": link, "ln", "d"}],
     "fact": [{"k": key, "v": value, "ln", "d"}]}

    Every key is required; keys it does not know are ignored. Indexes are
    checked: a doc, section or block index must point into its list, or be
    0 when that list is empty (a block index may also be -1).  */
#include "proto/readme_doc.h"
#include "proto/schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_DOCS      64
#define S_MAX_SECTIONS  100000
#define S_MAX_BLOCKS    100000
#define S_MAX_COMMANDS  100000
#define S_MAX_BADGES    10000
#define S_MAX_FACTS     10000
#define S_MAX_TEXT      (16u * 1024 * 1024)

static const char *const s_kind_names [CMD_KIND_COUNT] = {
    "other", "install", "build", "test", "lint", "run", "system", "clone"
};

const char *
cmd_kind_name (cmd_kind_t kind)
{
    if ((int) kind < 0 || kind >= CMD_KIND_COUNT)
        return "other";
    return s_kind_names [kind];
}

cmd_kind_t
cmd_kind_from_name (const char *name)
{
    for (int kind = 0; name && kind < CMD_KIND_COUNT; kind++)
        if (strcmp (s_kind_names [kind], name) == 0)
            return (cmd_kind_t) kind;
    return CMD_OTHER;
}

//  -- the frame, as one table per object -----------------------------------

#define S_TEXT(k, t, m) SCHEMA_STRDUP (k, t, m, 0, S_MAX_TEXT, 0)
//  Lines, flags and indexes (checked apart, against their lists).
#define S_U32(k, t, m) SCHEMA_UINT (k, t, m, 0, UINT32_MAX)

static const schema_field_t s_section [] = {
    S_TEXT ("h", readme_section_t, heading),
    S_TEXT ("p", readme_section_t, path),
    SCHEMA_UINT ("lv", readme_section_t, level, 0, 6),
    S_U32 ("ln", readme_section_t, line),
    S_U32 ("d", readme_section_t, doc),
    SCHEMA_END
};

static const schema_field_t s_block [] = {
    S_TEXT ("i", readme_block_t, info),
    S_TEXT ("l", readme_block_t, lang),
    S_U32 ("ln", readme_block_t, line),
    S_U32 ("s", readme_block_t, section),
    S_U32 ("d", readme_block_t, doc),
    SCHEMA_BOOL ("f", readme_block_t, fenced, 0),
    SCHEMA_BOOL ("sh", readme_block_t, shell, 0),
    SCHEMA_END
};

static const schema_field_t s_command [] = {
    S_TEXT ("t", readme_cmd_t, text),
    SCHEMA_NAME ("k", readme_cmd_t, kind, s_kind_names, CMD_KIND_COUNT),
    S_TEXT ("r", readme_cmd_t, reason),
    S_U32 ("f", readme_cmd_t, flags),
    S_U32 ("ln", readme_cmd_t, line),
    S_U32 ("s", readme_cmd_t, section),
    SCHEMA_INT ("b", readme_cmd_t, block, -1, INT32_MAX),
    S_U32 ("d", readme_cmd_t, doc),
    SCHEMA_END
};

static const schema_field_t s_badge [] = {
    S_TEXT ("k", readme_badge_t, kind),
    S_TEXT ("v", readme_badge_t, value),
    S_TEXT ("i", readme_badge_t, image),
    S_TEXT ("u", readme_badge_t, link),
    S_U32 ("ln", readme_badge_t, line),
    S_U32 ("d", readme_badge_t, doc),
    SCHEMA_END
};

static const schema_field_t s_fact [] = {
    S_TEXT ("k", readme_fact_t, key),
    S_TEXT ("v", readme_fact_t, value),
    S_U32 ("ln", readme_fact_t, line),
    S_U32 ("d", readme_fact_t, doc),
    SCHEMA_END
};

static const schema_field_t s_doc [] = {
    S_TEXT ("title", readme_doc_t, title),
    SCHEMA_STRLIST ("docs", readme_doc_t, docs, docs_count, S_MAX_DOCS, 0,
                    SCHEMA_ANY_LENGTH, 0),
    SCHEMA_LIST ("sec", readme_doc_t, sections, sections_count, S_MAX_SECTIONS,
                 readme_section_t, s_section),
    SCHEMA_LIST ("blk", readme_doc_t, blocks, blocks_count, S_MAX_BLOCKS,
                 readme_block_t, s_block),
    SCHEMA_LIST ("cmd", readme_doc_t, commands, commands_count, S_MAX_COMMANDS,
                 readme_cmd_t, s_command),
    SCHEMA_LIST ("bdg", readme_doc_t, badges, badges_count, S_MAX_BADGES,
                 readme_badge_t, s_badge),
    SCHEMA_LIST ("fact", readme_doc_t, facts, facts_count, S_MAX_FACTS,
                 readme_fact_t, s_fact),
    SCHEMA_END
};

_Static_assert (sizeof (cmd_kind_t) == sizeof (int), "kinds are int sized");

int
readme_doc_encode (const readme_doc_t *self, uint8_t **buf_p, size_t *size_p)
{
    return schema_encode (s_doc, self, buf_p, size_p);
}

//  An index into a list of count items; 0 is accepted for an empty list.
static bool
s_index_ok (uint32_t index, size_t count)
{
    return index < count || (count == 0 && index == 0);
}

//  Every index points into its list.
static bool
s_indexes_ok (const readme_doc_t *self)
{
    size_t docs = self->docs_count;
    for (size_t i = 0; i < self->sections_count; i++)
        if (!s_index_ok (self->sections [i].doc, docs))
            return false;
    for (size_t i = 0; i < self->blocks_count; i++)
        if (!s_index_ok (self->blocks [i].section, self->sections_count)
        ||  !s_index_ok (self->blocks [i].doc, docs))
            return false;
    for (size_t i = 0; i < self->commands_count; i++) {
        const readme_cmd_t *c = &self->commands [i];
        if (!s_index_ok (c->section, self->sections_count)
        ||  (c->block >= 0 && (size_t) c->block >= self->blocks_count)
        ||  !s_index_ok (c->doc, docs))
            return false;
    }
    for (size_t i = 0; i < self->badges_count; i++)
        if (!s_index_ok (self->badges [i].doc, docs))
            return false;
    for (size_t i = 0; i < self->facts_count; i++)
        if (!s_index_ok (self->facts [i].doc, docs))
            return false;
    return true;
}

int
readme_doc_decode (readme_doc_t *self, const uint8_t *buf, size_t size)
{
    if (schema_decode (s_doc, self, sizeof *self, buf, size))
        return -1;
    if (!s_indexes_ok (self)) {
        readme_doc_release (self);
        return errno = EPROTO, -1;
    }
    return 0;
}

void
readme_doc_release (readme_doc_t *self)
{
    schema_release (s_doc, self, sizeof *self);
}
