/*  workers/generator/generator.h - turns a detection report into a CI
    workflow (GitHub Actions, or GitLab CI with --target gitlab) written
    with libyaml's emitter, or into the report as JSON.  */
#ifndef GENERATOR_H_INCLUDED
#define GENERATOR_H_INCLUDED

#include "common/knowledge.h"
#include "proto/report.h"
#include "workers/step.h"

//  Render report as options ask (target, explain, json) into a malloc'd
//  NUL-terminated text in *text_p. Returns 0, or -1 with a reason in err.
int generator_render (const knowledge_t *kb, const report_t *report,
                      const step_options_t *options, char **text_p,
                      char *err, size_t err_size);

//  The generate step: frames [report] -> the text. When options->degraded
//  is set the frames are [project, readme_doc] instead, and the report is
//  made from the documents alone (detector_detect with readme_only).
step_fn generator_step;

#endif
