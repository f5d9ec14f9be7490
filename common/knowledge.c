/*  common/knowledge.c - the CI knowledge: shipped YAML plus overlays.  */
#include "common/knowledge.h"
#include "common/knowledge_eco.h"
#include "common/knowledge_tools.h"

#include <yaml.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const knowledge_data;
extern const size_t knowledge_data_size;

struct knowledge {
    ynode_t *root;
    ktools_t *tools;            //  root's tools, indexed by name
};

//  The knowledge of root (taken): kept compact, the tools indexed.
static knowledge_t *
s_knowledge (ynode_t *root, char *err, size_t err_size)
{
    //  In this order: the tree as parsed goes before anything kept is
    //  allocated, so the heap it took can shrink back (the compact copy,
    //  one large block, is mapped apart from the heap).
    ynode_t *compact = ytree_compact (root);
    ytree_destroy (&root);
    knowledge_t *self = compact? calloc (1, sizeof *self): NULL;
    if (self)
        self->root = compact;
    else
        ytree_destroy (&compact);
    if (!self || !(self->tools = ktools_new (self->root))) {
        if (err && err_size)
            snprintf (err, err_size, "out of memory");
        knowledge_destroy (&self);
        errno = ENOMEM;
    }
    return self;
}

//  The tree of text, a map, with the ecosystems' files merged in when
//  asked. NULL with err.
static ynode_t *
s_parse (const char *text, size_t size, bool ecosystems, char *err, size_t err_size)
{
    ynode_t *root = ytree_parse (text, size, err, err_size);
    if (root && root->kind != YNODE_MAP) {
        if (err && err_size)
            snprintf (err, err_size, "knowledge must be a map");
        ytree_destroy (&root);
        errno = EINVAL;
    }
    if (root && ecosystems && knowledge_eco_merge (root, err, err_size))
        ytree_destroy (&root);
    return root;
}

knowledge_t *
knowledge_from_text (const char *text, size_t size, char *err, size_t err_size)
{
    ynode_t *root = s_parse (text, size, false, err, err_size);
    return root? s_knowledge (root, err, err_size): NULL;
}

knowledge_t *
knowledge_new (char *err, size_t err_size)
{
    ynode_t *root = s_parse (knowledge_data, knowledge_data_size, true, err, err_size);
    return root? s_knowledge (root, err, err_size): NULL;
}

static const char *
s_kind_name (ynode_kind_t kind)
{
    return kind == YNODE_MAP? "a map": kind == YNODE_SEQ? "a list": "a single value";
}

//  One open collection of the overlay, and what the shipped knowledge has
//  in its place (NULL: something new, taken as written).
typedef struct {
    bool is_map;
    bool want_key;
    const ynode_t *shipped;
    bool actions;               //  the top-level actions map
} frame_t;

//  Checks an overlay against the shape of the knowledge it goes over:
//  top-level keys the knowledge has, a map where it has a map, a list
//  where a list, a value where a value, and actions as owner/repo: REF.
//  Merged unchecked, `actions: v5` would drop every action's ref.
static int
s_check_overlay (const knowledge_t *self, const char *name, const char *text,
                 size_t size, char *err, size_t err_size)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize (&parser))
        return errno = ENOMEM, -1;
    yaml_parser_set_input_string (&parser, (const unsigned char *) text, size);
    enum { STACK = 80 };
    frame_t frames [STACK];
    int depth = 0;
    char key [256] = "";
    unsigned key_line = 0, key_column = 0;
    char problem [512] = "";
    bool done = false;
    while (!done && !*problem) {
        yaml_event_t event;
        if (!yaml_parser_parse (&parser, &event))
            break;                  //  ytree_parse said it already
        frame_t *top = depth > 0? &frames [depth - 1]: NULL;
        bool is_key = top && top->is_map && top->want_key;
        if (top && top->is_map)
            top->want_key = !top->want_key;
        bool opens = event.type == YAML_SEQUENCE_START_EVENT
                  || event.type == YAML_MAPPING_START_EVENT;
        if (is_key && event.type == YAML_SCALAR_EVENT) {
            snprintf (key, sizeof key, "%s", (const char *) event.data.scalar.value);
            key_line = (unsigned) event.start_mark.line + 1;
            key_column = (unsigned) event.start_mark.column + 1;
            if (depth == 1 && !ytree_get (top->shipped, key))
                snprintf (problem, sizeof problem, "unknown key '%s': the knowledge has "
                          "runner, actions, workflow, setup, runtimes, services... "
                          "(see data/knowledge.yml)", key);
            else
            if (top->actions && (!strchr (key, '/') || strchr (key, '@')))
                snprintf (problem, sizeof problem, "'%s' is not an action: write "
                          "OWNER/REPO (no @REF) as the key and the ref as its value", key);
        }
        else
        if (!is_key && top && top->is_map
        &&  (event.type == YAML_SCALAR_EVENT || opens)) {
            //  The value of key: compare with the knowledge's.
            const ynode_t *shipped = ytree_get (top->shipped, key);
            ynode_kind_t kind = event.type == YAML_SEQUENCE_START_EVENT? YNODE_SEQ
                              : event.type == YAML_MAPPING_START_EVENT? YNODE_MAP
                              : YNODE_SCALAR;
            if (shipped && shipped->kind != kind)
                snprintf (problem, sizeof problem, "'%s' must be %s, as in the shipped "
                          "knowledge, not %s", key, s_kind_name (shipped->kind),
                          s_kind_name (kind));
            else
            if (top->actions && kind != YNODE_SCALAR)
                snprintf (problem, sizeof problem, "'%s' must be a ref like v4, not %s",
                          key, s_kind_name (kind));
            else
            if (top->actions) {
                const char *ref = (const char *) event.data.scalar.value;
                if (!*ref || strpbrk (ref, " \t@"))
                    snprintf (problem, sizeof problem, "'%s' must be a ref like v4, not "
                              "'%s'", key, ref);
            }
            if (!*problem && opens) {
                if (depth == STACK)
                    done = true;
                else {
                    frame_t frame = {
                        .is_map = kind == YNODE_MAP, .want_key = true, .shipped = shipped,
                        .actions = depth == 1 && strcmp (key, "actions") == 0 };
                    frames [depth++] = frame;
                }
            }
        }
        else
        if (opens) {
            //  The document itself, or an item of a list.
            if (depth == STACK)
                done = true;
            else {
                if (depth == 0 && event.type != YAML_MAPPING_START_EVENT) {
                    key_line = (unsigned) event.start_mark.line + 1;
                    key_column = (unsigned) event.start_mark.column + 1;
                    snprintf (problem, sizeof problem, "a rules file must be a map, "
                              "like actions: {actions/checkout: v5}");
                }
                frame_t frame = {
                    .is_map = event.type == YAML_MAPPING_START_EVENT, .want_key = true,
                    .shipped = depth == 0? self->root: NULL };
                frames [depth++] = frame;
            }
        }
        else
        if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT) {
            if (depth > 0)
                depth--;
        }
        else
        if (event.type == YAML_SCALAR_EVENT && depth == 0) {
            key_line = (unsigned) event.start_mark.line + 1;
            key_column = (unsigned) event.start_mark.column + 1;
            if (event.data.scalar.length)
                snprintf (problem, sizeof problem, "a rules file must be a map, "
                          "like actions: {actions/checkout: v5}");
        }
        else
        if (event.type == YAML_STREAM_END_EVENT)
            done = true;
        yaml_event_delete (&event);
    }
    yaml_parser_delete (&parser);
    if (!*problem)
        return 0;
    if (err && err_size)
        snprintf (err, err_size, "%s: line %u, column %u: %s", name, key_line, key_column,
                  problem);
    return errno = EINVAL, -1;
}

int
knowledge_overlay (knowledge_t *self, const char *name, const char *text,
                   size_t size, char *err, size_t err_size)
{
    char why [256] = "";
    ynode_t *overlay = ytree_parse (text, size, why, sizeof why);
    if (!overlay) {
        if (err && err_size)
            snprintf (err, err_size, "%s: %s", name, why);
        return errno = EINVAL, -1;
    }
    if (overlay->kind != YNODE_MAP || s_check_overlay (self, name, text, size, err, err_size)) {
        if (overlay->kind != YNODE_MAP && err && err_size)
            snprintf (err, err_size, "%s: line %u, column %u: a rules file must be a map, "
                      "like actions: {actions/checkout: v5}", name, overlay->line,
                      overlay->column);
        ytree_destroy (&overlay);
        return errno = EINVAL, -1;
    }
    //  Merge into a copy so a failure leaves self as it was.
    ynode_t *merged = ytree_dup (self->root);
    int rc = merged? ytree_merge (merged, overlay): -1;
    ytree_destroy (&overlay);
    ynode_t *compact = rc? NULL: ytree_compact (merged);
    ytree_destroy (&merged);
    ktools_t *tools = compact? ktools_new (compact): NULL;
    if (!tools) {
        ytree_destroy (&compact);
        if (err && err_size)
            snprintf (err, err_size, "%s: out of memory", name);
        return errno = ENOMEM, -1;
    }
    ktools_destroy (&self->tools);
    ytree_destroy (&self->root);
    self->root = compact;
    self->tools = tools;
    return 0;
}

const ynode_t *
knowledge_root (const knowledge_t *self)
{
    return self->root;
}

const ktools_t *
knowledge_tools (const knowledge_t *self)
{
    return self->tools;
}

const char *
knowledge_action_ref (const knowledge_t *self, const char *action)
{
    return ytree_str (ytree_path (self->root, "actions", action, NULL), NULL);
}

const char *
knowledge_service_credential (const knowledge_t *self, const char *service,
                              char *const *env, size_t env_count, const char *what)
{
    const ynode_t *spec = ytree_path (self->root, "services", service, "credentials",
                                      what, NULL);
    const ynode_t *from = ytree_get (spec, "from");
    for (size_t i = 0; from && from->kind == YNODE_SEQ && i < from->count; i++) {
        const char *var = ytree_str (from->items [i], NULL);
        size_t n = var? strlen (var): 0;
        for (size_t e = 0; n && e < env_count; e++)
            if (env [e] && strncmp (env [e], var, n) == 0 && env [e][n] == '=')
                return env [e] + n + 1;
    }
    return ytree_str (ytree_get (spec, "default"), "");
}

char *
knowledge_text (const knowledge_t *self)
{
    return ytree_emit (self->root);
}

void
knowledge_destroy (knowledge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ktools_destroy (&(*self_p)->tools);
    ytree_destroy (&(*self_p)->root);
    free (*self_p);
    *self_p = NULL;
}
