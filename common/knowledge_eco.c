/*  common/knowledge_eco.c - the ecosystem files of the knowledge.  */
#include "common/knowledge_eco.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const knowledge_eco_names[];
extern const char *const knowledge_eco_texts[];
extern const size_t knowledge_eco_sizes[];
extern const size_t knowledge_eco_count;

//  A map of one key, taking ownership of value (freed on failure).
static ynode_t *
s_map_of (const char *key, ynode_t *value)
{
    ynode_t *map = calloc (1, sizeof *map);
    if (map) {
        map->kind = YNODE_MAP;
        map->keys = calloc (1, sizeof *map->keys);
        map->items = calloc (1, sizeof *map->items);
        if (map->keys && map->items && (map->keys [0] = strdup (key))) {
            map->items [0] = value;
            map->count = 1;
            return map;
        }
    }
    ytree_destroy (&map);
    ytree_destroy (&value);
    return NULL;
}

int
knowledge_eco_merge (ynode_t *root, char *err, size_t err_size)
{
    for (size_t i = 0; i < knowledge_eco_count; i++) {
        char why [256] = "";
        ynode_t *tree = ytree_parse (knowledge_eco_texts [i], knowledge_eco_sizes [i],
                                     why, sizeof why);
        if (!tree || tree->kind != YNODE_MAP) {
            if (err && err_size)
                snprintf (err, err_size, "data/ecosystems/%s.yml: %s",
                          knowledge_eco_names [i], tree? "not a map": why);
            ytree_destroy (&tree);
            return errno = EINVAL, -1;
        }
        ynode_t *wrapper = s_map_of ("ecosystems",
                                     s_map_of (knowledge_eco_names [i], tree));
        int rc = wrapper && wrapper->items [0]? ytree_merge (root, wrapper): -1;
        ytree_destroy (&wrapper);
        if (rc) {
            if (err && err_size)
                snprintf (err, err_size, "data/ecosystems: out of memory");
            return errno = ENOMEM, -1;
        }
    }
    return 0;
}

//  True when name matches a pattern of the list.
static bool
s_matches (const ynode_t *list, const char *name)
{
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count; i++) {
        const char *pattern = ytree_str (list->items [i], NULL);
        if (pattern && fnmatch (pattern, name, 0) == 0)
            return true;
    }
    return false;
}

bool
knowledge_eco_is_read_lockfile (const knowledge_t *self, const char *name)
{
    const ynode_t *ecosystems = ytree_get (knowledge_root (self), "ecosystems");
    for (size_t e = 0; ecosystems && ecosystems->kind == YNODE_MAP
                       && e < ecosystems->count; e++) {
        const ynode_t *locks = ytree_get (ecosystems->items [e], "lockfiles");
        for (size_t i = 0; locks && locks->kind == YNODE_SEQ && i < locks->count; i++)
            if (strcmp (ytree_str (ytree_get (locks->items [i], "read"), ""), "true") == 0
                && strcmp (ytree_str (ytree_get (locks->items [i], "file"), ""), name) == 0)
                return true;
    }
    return false;
}

bool
knowledge_eco_is_read (const knowledge_t *self, const char *name)
{
    const ynode_t *root = knowledge_root (self);
    if (s_matches (ytree_get (root, "reads"), name)
        || knowledge_eco_is_read_lockfile (self, name))
        return true;
    const ynode_t *ecosystems = ytree_get (root, "ecosystems");
    for (size_t e = 0; ecosystems && ecosystems->kind == YNODE_MAP
                       && e < ecosystems->count; e++)
        if (s_matches (ytree_get (ecosystems->items [e], "reads"), name))
            return true;
    return false;
}

const char *
knowledge_eco_lockfile (const knowledge_t *self, const char *tool)
{
    const ynode_t *ecosystems = ytree_get (knowledge_root (self), "ecosystems");
    for (size_t e = 0; ecosystems && ecosystems->kind == YNODE_MAP
                       && e < ecosystems->count; e++) {
        const ynode_t *locks = ytree_get (ecosystems->items [e], "lockfiles");
        for (size_t i = 0; locks && locks->kind == YNODE_SEQ && i < locks->count; i++) {
            const ynode_t *entry = locks->items [i];
            if (strcmp (ytree_str (ytree_get (entry, "tool"), ""), tool) == 0
                && strcmp (ytree_str (ytree_get (entry, "lock"), ""), "false") != 0)
                return ytree_str (ytree_get (entry, "file"), NULL);
        }
    }
    return NULL;
}
