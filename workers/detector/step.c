/*  workers/detector/step.c - the detect step: [project, readme_doc] frames
    in, one encoded report out. Kept apart from the rules because it needs
    the project and readme_doc codecs.  */
#include "workers/detector/detector.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
detector_step (const knowledge_t *kb, const step_frame_t *frames,
               size_t frames_count, const step_options_t *options,
               step_result_t *res)
{
    memset (res, 0, sizeof *res);
    bool degraded = options && options->degraded;
    if (frames_count != 2 && !(degraded && frames_count == 1)) {
        res->input_error = true;
        snprintf (res->error, sizeof res->error,
                  "detect: expected 2 frames (project, readme_doc), got %zu", frames_count);
        return -1;
    }
    project_t project = { 0 };
    readme_doc_t doc = { 0 };
    const step_frame_t *doc_frame = &frames [frames_count - 1];
    int rc = -1;
    if (frames_count == 2
        && project_decode (&project, frames [0].data, frames [0].size)) {
        res->input_error = true;
        snprintf (res->error, sizeof res->error, "detect: malformed project frame");
        goto out_release;
    }
    if (readme_doc_decode (&doc, doc_frame->data, doc_frame->size)) {
        res->input_error = true;
        snprintf (res->error, sizeof res->error, "detect: malformed readme_doc frame");
        goto out_release;
    }
    report_t report;
    char err [256];
    if (detector_detect (kb, &project, &doc, degraded, &report, err, sizeof err)) {
        snprintf (res->error, sizeof res->error, "%s", err);
        goto out_release;
    }
    if (report_encode (&report, &res->data, &res->size)) {
        snprintf (res->error, sizeof res->error, "detect: cannot encode the report: %s",
                  strerror (errno));
        report_release (&report);
        goto out_release;
    }
    report_release (&report);
    rc = 0;
out_release:
    project_release (&project);
    readme_doc_release (&doc);
    return rc;
}
