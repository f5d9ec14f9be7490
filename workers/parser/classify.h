/*  workers/parser/classify.h - what a README command does: install, build,
    test, lint, run, system setup, clone; with a short reason and flags
    (sudo, deploy, consumer install, placeholders). Pure; the tools and
    words it knows are the knowledge's (data/tools.yml).  */
#ifndef CLASSIFY_H_INCLUDED
#define CLASSIFY_H_INCLUDED

#include "common/knowledge.h"
#include "proto/readme_doc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  What earlier commands of the same block told us: the folder a
//  `git clone` made, so a later `cd` into it counts as part of the clone.
//  Zero value is a fresh context.
typedef struct {
    char clone_dir [128];
} classify_ctx_t;

typedef struct {
    cmd_kind_t kind;
    uint32_t flags;         //  CMD_F_SUDO, _DEPLOY, _CONSUMER, _PLACEHOLDER
    char reason [96];       //  "test runner pytest", "make target test"
} classify_result_t;

//  Classify one command (a chain like `cd build && ctest` takes the kind
//  of its strongest part). Only the first line of text is read, so a
//  heredoc body does not count. ctx may be NULL.
void classify_command (const knowledge_t *kb, classify_ctx_t *ctx, const char *text,
                       size_t size, classify_result_t *out);

//  True when text holds a placeholder: <token>, YOUR_KEY, {{var}},
//  {version}, x.y.z, or a `...` argument.
bool classify_has_placeholder (const char *text, size_t size);

//  True when word (size bytes) names a command-line tool we know.
bool classify_known_tool (const knowledge_t *kb, const char *word, size_t size);

//  True when a line reads as a command: its first word is a known tool
//  or a path to a program (./configure, scripts/test.sh).
bool classify_looks_like_command (const knowledge_t *kb, const char *line, size_t size);

//  True when the first word of text, alone, is a command worth running
//  (pytest, make, tox) rather than just the name of a tool (npm, node).
bool classify_runs_alone (const knowledge_t *kb, const char *text, size_t size);

#endif
