/*  workers/detector/eco.h - the ecosystem rules: each reads the manifests
    it knows and adds its job (tool, versions, steps, services) to the
    report. Internal to the detector; run in order by detector.c.  */
#ifndef ECO_H_INCLUDED
#define ECO_H_INCLUDED

#include "workers/detector/dctx.h"

#include <jansson.h>

//  Every eco_NAME.c of this folder (but eco_util.c) is the rule of one
//  ecosystem, eco_NAME_detect, with its data in data/ecosystems/NAME.yml.
//  ECO_RULES(X) (generated from the file names) applies X to each NAME;
//  the knowledge's ecosystem-order says when each runs.
#include "eco_rules.h"

#define ECO_DECLARE(name) void eco_##name##_detect (dctx_t *self);
ECO_RULES (ECO_DECLARE)

//  -- shared by the rules --------------------------------------------------
//  When the Makefile has a rule for target whose recipe is a real CI
//  command (no watcher, no server) and, when tools is not NULL, mentions
//  one of tools (NULL ended) or a make variable (which names the tool, as
//  $(GO) does), add "make target" as a step of kind. True when it did.
//  The tools the recipe calls that a runner may lack (knowledge
//  recipe-tools) are installed with apt-get before it.
bool eco_make_wrapper (dctx_t *self, report_job_t *job, cmd_kind_t kind,
                       const char *target, const char *const *tools);

//  Add `sudo apt-get install -y PKG...` (after `sudo apt-get update`) to
//  job for each tool of knowledge recipe-tools that recipe (target's, at
//  file:line) calls.
void eco_recipe_tools (dctx_t *self, report_job_t *job, const char *recipe,
                       const char *file, unsigned line, const char *target);

//  True when the Makefile's rule for target calls a tool that reads a
//  compilation database (knowledge compile-db-tools: clang-tidy...).
bool eco_make_recipe_reads_compile_db (dctx_t *self, const char *target);

//  When a job has no test yet and the justfile has a `test` recipe of plain
//  shell lines that finish, run those lines (just itself is not installed
//  on the runners) as that job's test.
void eco_just_fallback (dctx_t *self);

//  True when command is something CI can run to completion: not a file
//  watcher, a dev server or an interactive session.
bool eco_real_ci (const char *command);

//  Parse a JSON manifest (comments allowed when jsonc); NULL and an "info"
//  note naming the line when it is not valid JSON. Caller json_decref's.
json_t *eco_json (dctx_t *self, const project_file_t *file, bool jsonc);

//  A manifest's first line whose text (after blanks) starts with prefix, as
//  a line number, or 0.
unsigned eco_line_prefix (const char *text, const char *prefix);

//  Read a version file (.nvmrc, .python-version...): its first
//  non-comment word into out. False when empty or absent.
bool eco_version_file (const dctx_t *self, const char *name, char *out, size_t size);

//  The version .tool-versions gives for tool ("nodejs", "python"), into
//  out with its line in *line_p. False when it names none.
bool eco_tool_versions (const dctx_t *self, const char *tool, char *out,
                        size_t size, unsigned *line_p);

//  -- what the rules read from data/ecosystems ------------------------------
//  The value of key in ecosystem's data (ecosystems.ECOSYSTEM.KEY of the
//  knowledge), or NULL. Borrowed.
const ynode_t *eco_data (const dctx_t *self, const char *ecosystem, const char *key);

//  True when a lockfiles entry is a lock (not marked lock: false, as a
//  config file that only names the tool is).
bool eco_is_lock (const ynode_t *entry);

//  True when the project has a lock of tool among ecosystem's lockfiles.
bool eco_locked (const dctx_t *self, const char *ecosystem, const char *tool);

//  The command that installs the dependencies with tool (ecosystem's
//  install.TOOL): its locked form when locked and it has one, else its
//  run; NULL when the data has none. Borrowed.
const char *eco_install (const dctx_t *self, const char *ecosystem, const char *tool,
                         bool locked);

#endif
