/*  workers/detector/dreadme.h - the README's evidence, merged after the
    manifests': its commands fill the gaps the manifests leave (manifests
    win, disagreements become "conflict" notes), usage/deploy/long-running
    and placeholder commands are dropped with a "dropped" note, facts and
    badges give versions. In readme_only mode it is the only evidence.
    Internal to the detector.  */
#ifndef DREADME_H_INCLUDED
#define DREADME_H_INCLUDED

#include "workers/detector/dctx.h"

//  Merge the documents into the report.
void dreadme_merge (dctx_t *self);

//  The ecosystem a command's tool belongs to by the knowledge's tools
//  ("pytest ..." -> "python"), "" for generic tools (make, just, scripts),
//  NULL when unknown. Borrowed from kb or static.
const char *dreadme_ecosystem (const knowledge_t *kb, const char *command);

//  The first two words of a command, spelled alike for equal commands
//  ("python -m pytest -q" and "pytest" agree, as do "npm run test" and
//  "npm test"): the equivalence README commands are held to, by
//  generation and by check.
void dreadme_core (const knowledge_t *kb, const char *command, char *out, size_t size);

#endif
