/*  workers/check/check.h - holds a project's existing CI against the
    report readme2ci derives for it: findings with the place on both
    sides (workflow file:line, and the README or manifest line the
    expectation comes from), a kind and a severity; the expectations
    themselves and why each was formed; the CI files it could not read.
    Pure: report, project and knowledge in, a result out; and the result
    as JSON (what the check step sends), text and SARIF 2.1.0.  */
#ifndef CHECK_H_INCLUDED
#define CHECK_H_INCLUDED

#include "common/knowledge.h"
#include "proto/project.h"
#include "proto/report.h"
#include "workers/step.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *kind;         //  "tests-missing", "version-untested"... (see README)
    char *level;        //  "error", "warning" or "note"
    char *message;
    char *file;         //  the CI side: ".github/workflows/ci.yml", "" when none
    unsigned line;      //  its line, 0 when none
    char *source;       //  the project side: "package.json:7 engines.node", or ""
} check_finding_t;

//  Zero value is an empty result.
typedef struct {
    char *project;
    char **files;                   //  the CI files read
    size_t files_count;
    report_value_t *unreadable;     //  key: file, value: why, source: ""
    size_t unreadable_count;
    report_value_t *expectations;   //  key: what, value: the expectation, source: why
    size_t expectations_count;
    check_finding_t *findings;
    size_t findings_count;
} check_result_t;

//  Compare the CI files among project's manifests (ci_is_file) with
//  report, into *result (zeroed first). A CI file that cannot be read is
//  listed in result->unreadable and the rest are checked. Returns 0, or
//  -1 with errno ENOMEM (result then empty).
int check_compare (const knowledge_t *kb, const report_t *report, const project_t *project,
                   check_result_t *result);

void check_result_release (check_result_t *self);

//  The result as one JSON document (malloc'd, the caller frees), or NULL
//  (ENOMEM).
char *check_json_encode (const check_result_t *self);

//  Read a document check_json_encode wrote into *self (zeroed first).
//  Returns 0, or -1 with errno EPROTO (and a reason in err) when it is
//  not one.
int check_json_decode (check_result_t *self, const char *text, size_t size,
                       char *err, size_t err_size);

//  Human text: findings grouped by CI file, then a one-line summary;
//  with explain, the expectations and where each came from first. A
//  malloc'd string, or NULL (ENOMEM). label names the project ("the
//  path given"), NULL for the result's own name.
char *check_render_text (const check_result_t *self, const char *label, bool explain);

//  SARIF 2.1.0: one run, tool readme2ci (version), one rule per kind,
//  one result per finding located at the CI file (the project file
//  when the CI side has none) with the expectation's place as a related
//  location; unreadable files as tool execution notifications. A
//  malloc'd string, or NULL (ENOMEM).
char *check_render_sarif (const check_result_t *self, const char *version);

//  The check step: frames [report, project] -> the result as JSON (see
//  check_json_encode). With options->degraded the frames are [project,
//  readme_doc] and the report comes from the README alone. The generator
//  component runs it for workflows whose options say check.
step_fn check_step;

#endif
