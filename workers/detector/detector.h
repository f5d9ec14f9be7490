/*  workers/detector/detector.h - from a project's top level (file names,
    manifests) and its parsed README, decides what CI should run: one job
    per ecosystem with tool, versions, steps and services, each decision
    with its source.  */
#ifndef DETECTOR_H_INCLUDED
#define DETECTOR_H_INCLUDED

#include "common/knowledge.h"
#include "proto/project.h"
#include "proto/readme_doc.h"
#include "proto/report.h"
#include "workers/step.h"

#include <stdbool.h>

//  Detect into *report (zeroed first). With readme_only, manifests are
//  ignored and only what the documents say is used (degraded mode).
//  Returns 0, or -1 with errno and a reason in err.
int detector_detect (const knowledge_t *kb, const project_t *project,
                     const readme_doc_t *doc, bool readme_only,
                     report_t *report, char *err, size_t err_size);

//  The detect step: frames [project, readme_doc] -> encoded report_t.
step_fn detector_step;

#endif
