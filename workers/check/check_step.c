/*  workers/check/check_step.c - the check step, run by the generator
    component for a workflow whose options say check: frames [report,
    project] in (the project carries the CI files among its manifests),
    the check result as JSON out. Degraded (no detector): [project,
    readme_doc], and the report is made from the README alone.  */
#include "workers/check/check.h"

#include "workers/detector/detector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
check_step (const knowledge_t *kb, const step_frame_t *frames, size_t frames_count,
            const step_options_t *options, step_result_t *res)
{
    res->data = NULL;
    res->size = 0;
    res->input_error = false;
    res->error [0] = 0;
    bool degraded = options && options->degraded;
    if (frames_count != 2 || !frames)
        return step_input_error (res, degraded? "check (degraded): expected 2 frames, "
                                 "[project, readme_doc]": "check: expected 2 frames, "
                                 "[report, project]");
    report_t report = { 0 };
    project_t project = { 0 };
    int rc = -1;
    if (degraded) {
        readme_doc_t doc = { 0 };
        if (project_decode (&project, frames [0].data, frames [0].size))
            step_input_error (res, "check (degraded): the first frame is not a valid project");
        else
        if (readme_doc_decode (&doc, frames [1].data, frames [1].size))
            step_input_error (res, "check (degraded): the second frame is not a valid "
                              "readme document");
        else {
            char why [256] = "";
            rc = detector_detect (kb, &project, &doc, true, &report, why, sizeof why);
            if (rc)
                snprintf (res->error, sizeof res->error,
                          "check (degraded): detection failed: %s", why);
            else
                report.degraded = true;
        }
        readme_doc_release (&doc);
    }
    else
    if (report_decode (&report, frames [0].data, frames [0].size))
        step_input_error (res, "check: the first frame is not a valid report");
    else
    if (project_decode (&project, frames [1].data, frames [1].size))
        step_input_error (res, "check: the second frame is not a valid project");
    else
        rc = 0;
    if (rc == 0) {
        check_result_t result;
        rc = check_compare (kb, &report, &project, &result);
        char *text = rc? NULL: check_json_encode (&result);
        check_result_release (&result);
        if (!text) {
            snprintf (res->error, sizeof res->error, "check: out of memory");
            rc = -1;
        }
        else {
            res->data = (uint8_t *) text;
            res->size = strlen (text);
        }
    }
    report_release (&report);
    project_release (&project);
    return rc;
}
