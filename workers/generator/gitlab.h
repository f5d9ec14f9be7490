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
//  frees); with explain, each before_script and script line follows a
//  comment saying where it came from. Returns 0, or -1 with errno
//  (ENOMEM) and a reason in err.
int gitlab_render (const knowledge_t *kb, const report_t *report, bool explain,
                   char **text_p, char *err, size_t err_size);

//  text (GitLab CI YAML as gitlab_render writes it) with comments [i]
//  placed before the i-th item of the jobs' before_script and script
//  lists. A new malloc'd text, or NULL with errno ENOMEM, or EINVAL when
//  the count of items differs from comments_count.
char *gitlab_comment_scripts (const char *text, const char *const *comments,
                              size_t comments_count);

#endif
