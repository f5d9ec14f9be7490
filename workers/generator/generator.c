/*  workers/generator/generator.c - renders a report as the options ask:
    GitHub Actions (default), GitLab CI, or the report as JSON.  */
#include "workers/generator/generator.h"
#include "workers/generator/github.h"
#include "workers/generator/gitlab.h"
#include "workers/generator/report_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
generator_render (const knowledge_t *kb, const report_t *report,
                  const step_options_t *options, char **text_p,
                  char *err, size_t err_size)
{
    *text_p = NULL;
    static const step_options_t defaults = { .target = "github" };
    if (!options)
        options = &defaults;
    if (!kb || !report) {
        snprintf (err, err_size, "generator: no knowledge or no report");
        errno = EINVAL;
        return -1;
    }
    if (options->json)
        return report_json_render (report, text_p, err, err_size);
    char target [sizeof options->target + 1];
    snprintf (target, sizeof target, "%.*s", (int) sizeof options->target,
              options->target);
    if (!*target || strcmp (target, "github") == 0)
        return github_render (kb, report, options->explain, text_p,
                              err, err_size);
    if (strcmp (target, "gitlab") == 0)
        return gitlab_render (kb, report, options->explain, text_p, err, err_size);
    snprintf (err, err_size, "unknown target \"%s\" (github or gitlab)", target);
    errno = EINVAL;
    return -1;
}
