/*  workers/generator/step.c - the generate step: frames in, the workflow
    (or the report as JSON) out. In degraded mode it first makes the report
    itself from the README alone, since the detector is unavailable.  */
#include "workers/check/check.h"
#include "workers/detector/detector.h"
#include "workers/generator/generator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The report from README and project alone (detector_detect with
//  readme_only), marked degraded.
static int
s_degraded_report (const knowledge_t *kb, const step_frame_t *frames,
                   size_t frames_count, report_t *report, step_result_t *res)
{
    if (frames_count != 2)
        return step_input_error (res, "generate (degraded): expected 2 frames, "
                                 "[project, readme_doc]");
    project_t project = { 0 };
    readme_doc_t doc = { 0 };
    int rc = -1;
    if (project_decode (&project, frames [0].data, frames [0].size))
        step_input_error (res, "generate (degraded): the first frame is not "
                          "a valid project");
    else
    if (readme_doc_decode (&doc, frames [1].data, frames [1].size))
        step_input_error (res, "generate (degraded): the second frame is not "
                          "a valid readme document");
    else {
        char why [256] = "";
        rc = detector_detect (kb, &project, &doc, true, report, why, sizeof why);
        if (rc)
            snprintf (res->error, sizeof res->error,
                      "generate (degraded): detection failed: %s", why);
        else
            report->degraded = true;
    }
    readme_doc_release (&doc);
    project_release (&project);
    return rc;
}

int
generator_step (const knowledge_t *kb, const step_frame_t *frames,
                size_t frames_count, const step_options_t *options,
                step_result_t *res)
{
    res->data = NULL;
    res->size = 0;
    res->input_error = false;
    res->no_tests = false;
    res->error [0] = 0;
    //  a check workflow's last step runs here, on the generator's workers
    if (options && options->check)
        return check_step (kb, frames, frames_count, options, res);
    report_t report = { 0 };
    if (options && options->degraded) {
        if (s_degraded_report (kb, frames, frames_count, &report, res))
            return -1;
    }
    else
    if (frames_count != 1 || !frames)
        return step_input_error (res, "generate: expected 1 frame, [report]");
    else
    if (report_decode (&report, frames [0].data, frames [0].size))
        return step_input_error (res, "generate: the frame is not a valid "
                                 "report");
    char *text = NULL;
    char why [sizeof res->error - 16] = "";
    int rc = generator_render (kb, &report, options, &text, why, sizeof why);
    bool no_tests = !report_has_tests (&report);
    report_release (&report);
    if (rc) {
        int saved = errno;
        //  Only a bad option is the client's fault; the rest is ours.
        res->input_error = saved == EINVAL && strstr (why, "unknown target");
        snprintf (res->error, sizeof res->error, "generate: %s", why);
        errno = saved;
        return -1;
    }
    res->data = (uint8_t *) text;
    res->size = strlen (text);
    res->no_tests = no_tests;
    return 0;
}
