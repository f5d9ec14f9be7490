/*  workers/generator/gitlab.h - a report as a .gitlab-ci.yml: the same
    decisions as the GitHub workflow, told GitLab's way (an image per job,
    parallel:matrix for several versions, services with an alias, a cache
    kept in the project, before_script for setup and install).  */
#ifndef GITLAB_H_INCLUDED
#define GITLAB_H_INCLUDED

#include "common/knowledge.h"
#include "proto/report.h"

#include <stddef.h>

//  Write report as GitLab CI YAML into a malloc'd text in *text_p (caller
//  frees). Returns 0, or -1 with errno (ENOMEM) and a reason in err.
int gitlab_render (const knowledge_t *kb, const report_t *report,
                   char **text_p, char *err, size_t err_size);

#endif
