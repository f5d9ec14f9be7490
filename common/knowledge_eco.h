/*  common/knowledge_eco.h - the ecosystems' part of the CI knowledge: one
    file per ecosystem in data/ecosystems/ (the build files its detector
    rule reads, its lockfiles, its install commands), merged into the
    knowledge as ecosystems.NAME, so rules overlays reach it like the rest.
    The client reads the same data to choose which files to send.  */
#ifndef KNOWLEDGE_ECO_H_INCLUDED
#define KNOWLEDGE_ECO_H_INCLUDED

#include "common/knowledge.h"
#include "common/ytree.h"

#include <stdbool.h>
#include <stddef.h>

//  Merge the shipped ecosystem files into root (a map) as
//  ecosystems.NAME. Returns 0, or -1 with errno (EINVAL: a file is not a
//  YAML map, err names it; ENOMEM). Called by knowledge_new.
int knowledge_eco_merge (ynode_t *root, char *err, size_t err_size);

//  True when the client sends the contents of a file called name: it
//  matches a pattern of the knowledge's reads or an ecosystem's reads,
//  or is a lockfile marked read.
bool knowledge_eco_is_read (const knowledge_t *self, const char *name);

//  True when name is a lockfile marked read: its contents are evidence
//  to weigh, sent when they fit the limit, its name alone when not.
bool knowledge_eco_is_read_lockfile (const knowledge_t *self, const char *name);

//  The first lockfile (an entry not marked lock: false) of the
//  ecosystems' lockfiles whose tool is tool, or NULL. Borrowed.
const char *knowledge_eco_lockfile (const knowledge_t *self, const char *tool);

#endif
