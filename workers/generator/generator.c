/*  workers/generator/generator.c - renders a report as the options ask:
    GitHub Actions (default), GitLab CI, or the report as JSON.  */
#include "workers/generator/generator.h"
#include "workers/generator/github.h"
#include "workers/generator/gitlab.h"
#include "workers/generator/report_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_NOTES 50

//  With --explain, the report's notes (conflicts, README commands left
//  out and why, other findings) as comment lines before text. A new
//  malloc'd text, or NULL with ENOMEM; text is freed either way.
static char *
s_with_notes (const report_t *report, char *text)
{
    if (!report->notes_count)
        return text;
    char *result = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&result, &size);
    if (!out) {
        free (text);
        return NULL;
    }
    fprintf (out, "# readme2ci notes (--json lists them with the rest of the report):\n");
    for (size_t i = 0; i < report->notes_count && i < S_MAX_NOTES; i++) {
        const report_value_t *note = &report->notes [i];
        fprintf (out, "# - %s: ", note->key? note->key: "note");
        //  one comment line each, whatever the message holds
        for (const char *p = note->value? note->value: ""; *p; p++)
            fputc (*p == '\n' || *p == '\r'? ' ': *p, out);
        if (note->source && *note->source)
            fprintf (out, " (%s)", note->source);
        fputc ('\n', out);
    }
    if (report->notes_count > S_MAX_NOTES)
        fprintf (out, "# - ... and %zu more\n", report->notes_count - S_MAX_NOTES);
    fputs (text, out);
    free (text);
    if (fclose (out) || !result) {
        free (result);
        errno = ENOMEM;
        return NULL;
    }
    return result;
}

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
    int rc;
    if (!*target || strcmp (target, "github") == 0)
        rc = github_render (kb, report, options->explain, text_p, err, err_size);
    else
    if (strcmp (target, "gitlab") == 0)
        rc = gitlab_render (kb, report, options->explain, text_p, err, err_size);
    else {
        snprintf (err, err_size, "unknown target \"%s\" (github or gitlab)", target);
        errno = EINVAL;
        return -1;
    }
    if (rc == 0 && options->explain) {
        *text_p = s_with_notes (report, *text_p);
        if (!*text_p) {
            snprintf (err, err_size, "cannot write the notes: out of memory");
            return -1;
        }
    }
    return rc;
}
