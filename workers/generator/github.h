/*  workers/generator/github.h - a report as a GitHub Actions workflow:
    one job per report job (setup actions from the knowledge, the report's
    steps), written with libyaml's emitter; with explain, each step is
    preceded by a comment saying where it came from.  */
#ifndef GITHUB_H_INCLUDED
#define GITHUB_H_INCLUDED

#include "common/knowledge.h"
#include "proto/report.h"

#include <stdbool.h>
#include <stddef.h>

//  Write report as a workflow into a malloc'd text in *text_p (caller
//  frees). The same report and knowledge give the same bytes; explain only
//  adds comment lines. Returns 0, or -1 with errno and a reason in err
//  (ENOMEM; EINVAL when the knowledge lacks an action's ref).
int github_render (const knowledge_t *kb, const report_t *report,
                   bool explain, char **text_p, char *err, size_t err_size);

//  Put comments [i] on its own line above the i-th step of text (a
//  workflow as github_render emits it: jobs at indent 2, steps last in
//  each job), at the step's indentation. Returns a malloc'd text, or NULL
//  with errno EINVAL when the steps found are not comments_count, ENOMEM.
char *github_comment_steps (const char *text, char *const *comments,
                            size_t comments_count);

#endif
