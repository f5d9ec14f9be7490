/*  workers/detector/dctx.h - the detector's working state and the helpers
    every ecosystem rule shares: looking at the project, adding jobs, steps,
    versions, settings, services and notes to the report. Internal.  */
#ifndef DCTX_H_INCLUDED
#define DCTX_H_INCLUDED

#include "common/knowledge.h"
#include "common/ytree.h"
#include "proto/project.h"
#include "proto/readme_doc.h"
#include "proto/report.h"

#include <stdbool.h>
#include <stddef.h>

//  Most jobs one report holds (one per ecosystem, so far fewer in fact).
#define DCTX_MAX_JOBS 32
//  Most distinct version limits kept (a lockfile repeats a few dozen
//  engines ranges over hundreds of packages).
#define DCTX_MAX_LIMITS 64

//  How much a job's evidence weighs: a weak job (a lone requirements.txt,
//  a tooling Gemfile, a bare Makefile) is dropped when a strong one exists.
typedef enum { DCTX_STRONG = 0, DCTX_WEAK } dctx_strength_t;

typedef struct {
    const knowledge_t *kb;
    const project_t *project;   //  never NULL (empty in readme_only mode)
    const project_t *whole;     //  the whole project, parts and all (as
                                //  project when there are no parts)
    const readme_doc_t *doc;    //  never NULL
    bool readme_only;
    report_t *report;
    bool oom;                   //  an allocation failed somewhere
    dctx_strength_t strength [DCTX_MAX_JOBS];
    char *names [8];            //  the project's own package names
    size_t names_count;
    const char *dir;            //  the folder the rules look at ("" for the
                                //  top, "web" for a part one level down)
    struct {                    //  see dctx_limit
        char *job, *range, *why, *source;
    } limits [DCTX_MAX_LIMITS];
    size_t limits_count;
} dctx_t;

//  -- the project -------------------------------------------------------
//  True when the top level lists name (or its manifest was sent).
bool dctx_has (const dctx_t *self, const char *name);
//  The first top-level name ending in suffix (".csproj"), or NULL.
const char *dctx_find_suffix (const dctx_t *self, const char *suffix);
//  The manifest called name, or NULL (always NULL in readme_only mode).
const project_file_t *dctx_manifest (const dctx_t *self, const char *name);
//  The first manifest whose name ends in suffix, or NULL.
const project_file_t *dctx_manifest_suffix (const dctx_t *self, const char *suffix);
//  Remember a package name the project publishes itself under.
void dctx_add_name (dctx_t *self, const char *name);
//  True when word names the project itself (its folder or package name).
bool dctx_is_own_name (const dctx_t *self, const char *word);

//  -- building the report ----------------------------------------------
//  The job for ecosystem, created (with that id) when missing. NULL on OOM
//  or when the report is full. Borrowed from the report.
report_job_t *dctx_job (dctx_t *self, const char *ecosystem, dctx_strength_t strength);
//  The job for ecosystem, or NULL.
report_job_t *dctx_find_job (const dctx_t *self, const char *ecosystem);
//  Set a job's tool (and its source) or language; replaces what was there.
void dctx_tool (dctx_t *self, report_job_t *job, const char *tool, const char *source);
void dctx_language (dctx_t *self, report_job_t *job, const char *language);
//  Add a version for runtime key, unless the same value is there already.
void dctx_version (dctx_t *self, report_job_t *job, const char *key,
                   const char *value, const char *source);
//  Remove every version for key.
void dctx_drop_versions (report_job_t *job, const char *key);
//  True when every version for key came from the knowledge's defaults
//  (nothing the project said), or there is none.
bool dctx_default_versions (const report_job_t *job, const char *key);
//  True when the job has a version for key.
bool dctx_has_version (const report_job_t *job, const char *key);
//  Set a setting unless the job has one with that key already.
void dctx_setting (dctx_t *self, report_job_t *job, const char *key,
                   const char *value, const char *source);
//  A setting's value, or NULL. Borrowed.
const char *dctx_get_setting (const report_job_t *job, const char *key);
//  Add a step, unless the job already runs the same command.
void dctx_step (dctx_t *self, report_job_t *job, cmd_kind_t kind,
                const char *run, const char *source);
//  dctx_step with a name of its own for the step, where the kind's
//  default name ("Install dependencies") would mislead.
void dctx_step_named (dctx_t *self, report_job_t *job, cmd_kind_t kind,
                      const char *name, const char *run, const char *source);
//  Install the Debian/Ubuntu packages (blank-separated) before the job's
//  other steps: `sudo apt-get update`, then one `sudo apt-get install -y`
//  step that every call adds its packages to (each once; the source of
//  the first call stays).
void dctx_apt (dctx_t *self, report_job_t *job, const char *packages,
               const char *source);
//  True when the job has a step of that kind.
bool dctx_has_step (const report_job_t *job, cmd_kind_t kind);
//  Add the service called name (as the knowledge describes it) unless the
//  job has it; image overrides the knowledge's image when not NULL.
void dctx_service (dctx_t *self, report_job_t *job, const char *name,
                   const char *image, const char *source);
//  When dependency is a client library the knowledge maps to a service
//  ("psycopg2" -> postgres), add that service. True when it did.
bool dctx_driver (dctx_t *self, report_job_t *job, const char *dependency,
                  const char *source);
//  Add a report note.
void dctx_note (dctx_t *self, const char *key, const char *value, const char *source);

//  -- versions -----------------------------------------------------------
//  Add the matrix for runtime: the oldest and newest supported lines that
//  satisfy range (a semver, PEP 440, gem or hex requirement; NULL or "" for
//  the knowledge's default). Returns true when any version was added.
bool dctx_matrix (dctx_t *self, report_job_t *job, const char *runtime,
                  const char *range, const char *source);
//  Limit job's matrix to the lines range allows (what the project's
//  tooling runs on: a dependency's engines); why names what asks it
//  ("vitest@4.1.0"), source where that is written. Later dctx_matrix
//  calls for the job keep to the lines every limit allows, when any
//  does, and say in notes which lines were left out and why.
void dctx_limit (dctx_t *self, const report_job_t *job, const char *range,
                 const char *why, const char *source);
//  Free what the limits hold (at the end of a detection).
void dctx_limits_release (dctx_t *self);
//  Add the matrix from an explicit list of lines the project names (e.g.
//  classifiers): the oldest and newest of them that are supported.
bool dctx_matrix_list (dctx_t *self, report_job_t *job, const char *runtime,
                       const char *const *lines, size_t count, const char *source);

//  -- provenance ----------------------------------------------------------
//  "name:line what" into out.
void dctx_source (char *out, size_t size, const char *name, unsigned line,
                  const char *what);

#endif
