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

    Every key is required and no other key is allowed. Indexes are checked:
    a doc, section or block index must point into its list, or be 0 when
    that list is empty (a block index may also be -1).  */
#include "proto/readme_doc.h"
#include "proto/mp.h"

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

//  -- encoding ------------------------------------------------------------

static void
s_put_key_str (mp_writer_t *w, const char *key, const char *value)
{
    mp_put_str (w, key);
    mp_put_str (w, value);
}

static void
s_put_key_uint (mp_writer_t *w, const char *key, uint64_t value)
{
    mp_put_str (w, key);
    mp_put_uint (w, value);
}

int
readme_doc_encode (const readme_doc_t *self, uint8_t **buf_p, size_t *size_p)
{
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 7);
    s_put_key_str (&w, "title", self->title);
    mp_put_str (&w, "docs");
    mp_put_array (&w, (uint32_t) self->docs_count);
    for (size_t i = 0; i < self->docs_count; i++)
        mp_put_str (&w, self->docs [i]);

    mp_put_str (&w, "sec");
    mp_put_array (&w, (uint32_t) self->sections_count);
    for (size_t i = 0; i < self->sections_count; i++) {
        const readme_section_t *s = &self->sections [i];
        mp_put_map (&w, 5);
        s_put_key_str (&w, "h", s->heading);
        s_put_key_str (&w, "p", s->path);
        s_put_key_uint (&w, "lv", s->level);
        s_put_key_uint (&w, "ln", s->line);
        s_put_key_uint (&w, "d", s->doc);
    }
    mp_put_str (&w, "blk");
    mp_put_array (&w, (uint32_t) self->blocks_count);
    for (size_t i = 0; i < self->blocks_count; i++) {
        const readme_block_t *b = &self->blocks [i];
        mp_put_map (&w, 7);
        s_put_key_str (&w, "i", b->info);
        s_put_key_str (&w, "l", b->lang);
        s_put_key_uint (&w, "ln", b->line);
        s_put_key_uint (&w, "s", b->section);
        s_put_key_uint (&w, "d", b->doc);
        mp_put_str (&w, "f");
        mp_put_bool (&w, b->fenced);
        mp_put_str (&w, "sh");
        mp_put_bool (&w, b->shell);
    }
    mp_put_str (&w, "cmd");
    mp_put_array (&w, (uint32_t) self->commands_count);
    for (size_t i = 0; i < self->commands_count; i++) {
        const readme_cmd_t *c = &self->commands [i];
        mp_put_map (&w, 8);
        s_put_key_str (&w, "t", c->text);
        s_put_key_str (&w, "k", cmd_kind_name (c->kind));
        s_put_key_str (&w, "r", c->reason);
        s_put_key_uint (&w, "f", c->flags);
        s_put_key_uint (&w, "ln", c->line);
        s_put_key_uint (&w, "s", c->section);
        mp_put_str (&w, "b");
        mp_put_int (&w, c->block);
        s_put_key_uint (&w, "d", c->doc);
    }
    mp_put_str (&w, "bdg");
    mp_put_array (&w, (uint32_t) self->badges_count);
    for (size_t i = 0; i < self->badges_count; i++) {
        const readme_badge_t *b = &self->badges [i];
        mp_put_map (&w, 6);
        s_put_key_str (&w, "k", b->kind);
        s_put_key_str (&w, "v", b->value);
        s_put_key_str (&w, "i", b->image);
        s_put_key_str (&w, "u", b->link);
        s_put_key_uint (&w, "ln", b->line);
        s_put_key_uint (&w, "d", b->doc);
    }
    mp_put_str (&w, "fact");
    mp_put_array (&w, (uint32_t) self->facts_count);
    for (size_t i = 0; i < self->facts_count; i++) {
        const readme_fact_t *f = &self->facts [i];
        mp_put_map (&w, 4);
        s_put_key_str (&w, "k", f->key);
        s_put_key_str (&w, "v", f->value);
        s_put_key_uint (&w, "ln", f->line);
        s_put_key_uint (&w, "d", f->doc);
    }
    return mp_writer_finish (&w, buf_p, size_p);
}

//  -- decoding ------------------------------------------------------------

//  At least the count entries looked up, at most PROTO_MAP_MAX: unknown
//  keys are ignored (PROTOCOL.md, section 6).
static bool
s_is_map (const msgpack_object *obj, uint32_t count)
{
    return mp_map_ok (obj, count);
}

//  A str field of bounded length; NUL bytes inside are refused.
static int
s_get_str (const msgpack_object *map, const char *key, char **out_p)
{
    const msgpack_object *obj = mp_get (map, key);
    if (!obj || obj->type != MSGPACK_OBJECT_STR || obj->via.str.size > S_MAX_TEXT)
        return errno = EPROTO, -1;
    return mp_str_dup (obj, out_p);
}

static int
s_get_u32 (const msgpack_object *map, const char *key, uint32_t *out)
{
    return mp_u32 (mp_get (map, key), out);
}

//  An index into a list of count items; 0 is accepted for an empty list.
static bool
s_index_ok (uint32_t index, size_t count)
{
    return index < count || (count == 0 && index == 0);
}

//  Allocates a zeroed array for the list under key. Leaves *items_p NULL
//  for an empty list.
static const msgpack_object *
s_get_list (const msgpack_object *root, const char *key, size_t max,
            size_t item_size, void **items_p, size_t *count_p)
{
    const msgpack_object *list = mp_get (root, key);
    size_t count;
    if (mp_array (list, max, &count))
        return NULL;
    if (count) {
        *items_p = calloc (count, item_size);
        if (!*items_p) {
            errno = ENOMEM;
            return NULL;
        }
    }
    //  The caller fills items one by one; counting them all now lets a
    //  failure half way release every string filled so far.
    *count_p = count;
    return list;
}

static int
s_decode_root (readme_doc_t *self, const msgpack_object *root)
{
    if (!s_is_map (root, 7) || s_get_str (root, "title", &self->title))
        return -1;
    const msgpack_object *list;
    list = s_get_list (root, "docs", S_MAX_DOCS, sizeof (char *),
                       (void **) &self->docs, &self->docs_count);
    if (!list)
        return -1;
    for (size_t i = 0; i < self->docs_count; i++) {
        const msgpack_object *item = &list->via.array.ptr [i];
        if (item->type != MSGPACK_OBJECT_STR || mp_str_dup (item, &self->docs [i]))
            return errno = EPROTO, -1;
    }
    size_t docs = self->docs_count;

    list = s_get_list (root, "sec", S_MAX_SECTIONS, sizeof (readme_section_t),
                       (void **) &self->sections, &self->sections_count);
    if (!list)
        return -1;
    for (size_t i = 0; i < self->sections_count; i++) {
        const msgpack_object *item = &list->via.array.ptr [i];
        readme_section_t *s = &self->sections [i];
        if (!s_is_map (item, 5)
        ||  s_get_str (item, "h", &s->heading)
        ||  s_get_str (item, "p", &s->path)
        ||  s_get_u32 (item, "lv", &s->level) || s->level > 6
        ||  s_get_u32 (item, "ln", &s->line)
        ||  s_get_u32 (item, "d", &s->doc) || !s_index_ok (s->doc, docs))
            return errno = EPROTO, -1;
    }
    size_t sections = self->sections_count;

    list = s_get_list (root, "blk", S_MAX_BLOCKS, sizeof (readme_block_t),
                       (void **) &self->blocks, &self->blocks_count);
    if (!list)
        return -1;
    for (size_t i = 0; i < self->blocks_count; i++) {
        const msgpack_object *item = &list->via.array.ptr [i];
        readme_block_t *b = &self->blocks [i];
        if (!s_is_map (item, 7)
        ||  s_get_str (item, "i", &b->info)
        ||  s_get_str (item, "l", &b->lang)
        ||  s_get_u32 (item, "ln", &b->line)
        ||  s_get_u32 (item, "s", &b->section) || !s_index_ok (b->section, sections)
        ||  s_get_u32 (item, "d", &b->doc) || !s_index_ok (b->doc, docs)
        ||  mp_bool (mp_get (item, "f"), &b->fenced)
        ||  mp_bool (mp_get (item, "sh"), &b->shell))
            return errno = EPROTO, -1;
    }
    size_t blocks = self->blocks_count;

    list = s_get_list (root, "cmd", S_MAX_COMMANDS, sizeof (readme_cmd_t),
                       (void **) &self->commands, &self->commands_count);
    if (!list)
        return -1;
    for (size_t i = 0; i < self->commands_count; i++) {
        const msgpack_object *item = &list->via.array.ptr [i];
        readme_cmd_t *c = &self->commands [i];
        const msgpack_object *kind = mp_get (item, "k");
        if (!s_is_map (item, 8) || !kind || kind->type != MSGPACK_OBJECT_STR)
            return errno = EPROTO, -1;
        int k;
        for (k = 0; k < CMD_KIND_COUNT; k++)
            if (kind->via.str.size == strlen (s_kind_names [k])
            &&  memcmp (kind->via.str.ptr, s_kind_names [k], kind->via.str.size) == 0)
                break;
        c->kind = (cmd_kind_t) k;
        if (k == CMD_KIND_COUNT
        ||  s_get_str (item, "t", &c->text)
        ||  s_get_str (item, "r", &c->reason)
        ||  s_get_u32 (item, "f", &c->flags)
        ||  s_get_u32 (item, "ln", &c->line)
        ||  s_get_u32 (item, "s", &c->section) || !s_index_ok (c->section, sections)
        ||  mp_i32 (mp_get (item, "b"), &c->block)
        ||  c->block < -1 || (c->block >= 0 && (size_t) c->block >= blocks)
        ||  s_get_u32 (item, "d", &c->doc) || !s_index_ok (c->doc, docs))
            return errno = EPROTO, -1;
    }

    list = s_get_list (root, "bdg", S_MAX_BADGES, sizeof (readme_badge_t),
                       (void **) &self->badges, &self->badges_count);
    if (!list)
        return -1;
    for (size_t i = 0; i < self->badges_count; i++) {
        const msgpack_object *item = &list->via.array.ptr [i];
        readme_badge_t *b = &self->badges [i];
        if (!s_is_map (item, 6)
        ||  s_get_str (item, "k", &b->kind)
        ||  s_get_str (item, "v", &b->value)
        ||  s_get_str (item, "i", &b->image)
        ||  s_get_str (item, "u", &b->link)
        ||  s_get_u32 (item, "ln", &b->line)
        ||  s_get_u32 (item, "d", &b->doc) || !s_index_ok (b->doc, docs))
            return errno = EPROTO, -1;
    }

    list = s_get_list (root, "fact", S_MAX_FACTS, sizeof (readme_fact_t),
                       (void **) &self->facts, &self->facts_count);
    if (!list)
        return -1;
    for (size_t i = 0; i < self->facts_count; i++) {
        const msgpack_object *item = &list->via.array.ptr [i];
        readme_fact_t *f = &self->facts [i];
        if (!s_is_map (item, 4)
        ||  s_get_str (item, "k", &f->key)
        ||  s_get_str (item, "v", &f->value)
        ||  s_get_u32 (item, "ln", &f->line)
        ||  s_get_u32 (item, "d", &f->doc) || !s_index_ok (f->doc, docs))
            return errno = EPROTO, -1;
    }
    return 0;
}

int
readme_doc_decode (readme_doc_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, size);
    int rc = root? s_decode_root (self, root): -1;
    int saved = errno == ENOMEM? ENOMEM: EPROTO;
    mp_reader_release (&reader);
    if (rc) {
        readme_doc_release (self);
        errno = saved;
    }
    return rc;
}

void
readme_doc_release (readme_doc_t *self)
{
    if (!self)
        return;
    free (self->title);
    mp_free_strv (&self->docs, self->docs_count);
    for (size_t i = 0; i < self->sections_count; i++) {
        free (self->sections [i].heading);
        free (self->sections [i].path);
    }
    free (self->sections);
    for (size_t i = 0; i < self->blocks_count; i++) {
        free (self->blocks [i].info);
        free (self->blocks [i].lang);
    }
    free (self->blocks);
    for (size_t i = 0; i < self->commands_count; i++) {
        free (self->commands [i].text);
        free (self->commands [i].reason);
    }
    free (self->commands);
    for (size_t i = 0; i < self->badges_count; i++) {
        free (self->badges [i].kind);
        free (self->badges [i].value);
        free (self->badges [i].image);
        free (self->badges [i].link);
    }
    free (self->badges);
    for (size_t i = 0; i < self->facts_count; i++) {
        free (self->facts [i].key);
        free (self->facts [i].value);
    }
    free (self->facts);
    memset (self, 0, sizeof *self);
}
