/*  proto/report.h - the detector's report: one job per ecosystem found,
    each with its tool, runtime versions, steps and services, and every
    decision with where it came from ("package.json:7 engines.node").
    The detector produces it; the generator turns it into a workflow, or
    into JSON for `generate --json`. Zero value is an empty report.  */
#ifndef REPORT_H_INCLUDED
#define REPORT_H_INCLUDED

#include "proto/readme_doc.h"   //  cmd_kind_t

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  A decision and its provenance. key names what is decided: a runtime
//  ("node", "python", "otp") for versions; a setting name for settings
//  ("version-file", "java-distribution", "cache"); a class for notes
//  ("conflict", "dropped", "info").
typedef struct {
    char *key;
    char *value;
    char *source;       //  "file:line what" or "README.md:42 (## Testing)"
} report_value_t;

//  One step to run. kind is CMD_SYSTEM, CMD_INSTALL, CMD_BUILD, CMD_LINT or
//  CMD_TEST; steps are kept in the order they run.
typedef struct {
    cmd_kind_t kind;
    char *name;         //  step name, "" for the generator's default
    char *run;          //  the command line(s)
    char *source;
} report_step_t;

//  A service container the tests need.
typedef struct {
    char *name;         //  "postgres"
    char *image;        //  "postgres:16"
    char **ports;       //  "5432:5432"
    size_t ports_count;
    char **env;         //  "POSTGRES_PASSWORD=postgres"
    size_t env_count;
    char *health;       //  health command, "" for none
    char *source;
} report_service_t;

typedef struct {
    char *id;           //  job id, unique in the report: "node", "python"
    char *ecosystem;    //  node, deno, python, ruby, php, go, rust, java,
                        //  scala, clojure, dotnet, elixir, erlang, swift,
                        //  zig, haskell, ocaml, dart, c, r, lua
    char *language;     //  finer: "typescript", "kotlin", "cpp"; or ""
    char *tool;         //  package manager or build tool: npm, pnpm, poetry,
                        //  cargo, maven, gradle, cmake, make...
    char *tool_source;
    char *dir;          //  working directory, "" for the root
    report_value_t *versions;   //  runtime versions to test (the matrix)
    size_t versions_count;
    report_value_t *settings;   //  further decisions for the generator
    size_t settings_count;
    report_step_t *steps;
    size_t steps_count;
    report_service_t *services;
    size_t services_count;
} report_job_t;

typedef struct {
    char *project;              //  project name
    bool degraded;              //  built without the detector's manifests
    report_job_t *jobs;
    size_t jobs_count;
    report_value_t *notes;      //  conflicts, dropped evidence, info
    size_t notes_count;
} report_t;

//  Encode/decode as for project_t: encode returns a malloc'd buffer;
//  decode checks every field and fails with EPROTO, leaving *self empty.
int report_encode (const report_t *self, uint8_t **buf_p, size_t *size_p);
int report_decode (report_t *self, const uint8_t *buf, size_t size);
void report_release (report_t *self);

//  True when some job has a test step (kind CMD_TEST with a command).
//  A report without one is a project where no test command was found:
//  the detector then adds a "no-tests" note saying what it read, the
//  generator writes a test step that fails, and `generate` exits 5.
bool report_has_tests (const report_t *self);

//  Free one service's strings and leave it empty (the array that holds
//  it is the caller's).
void report_service_release (report_service_t *self);

#endif
