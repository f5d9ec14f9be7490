/*  workers/step.h - the shape every worker step shares: frames in, one
    frame out. parse, detect and generate are such functions; the worker
    loop calls one per job and `generate --inline` calls all three, which
    is why the tree and --inline print the same bytes.  */
#ifndef STEP_H_INCLUDED
#define STEP_H_INCLUDED

#include "common/knowledge.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    const uint8_t *data;
    size_t size;
} step_frame_t;

//  Options a client sets on a workflow; they ride in every job header.
typedef struct {
    char target[16];    //  "github" (default) or "gitlab"
    bool explain;       //  comment every step with its source
    bool json;          //  print the detection report as JSON
    bool degraded;      //  the detector is unavailable: README only
    bool check;         //  hold the project's CI files against the report
} step_options_t;

typedef struct {
    uint8_t *data;      //  malloc'd result, the caller frees it
    size_t size;
    bool input_error;   //  on failure: the input is bad (not our fault)
    bool no_tests;      //  generate: no job runs tests (the workflow's
                        //  test step fails; `generate` exits 5)
    char error[512];    //  on failure: one line naming the cause
} step_result_t;

//  A step: returns 0 with res->data set, or -1 with res->error set.
//  Never crashes on bad frames: they give -1 with input_error.
typedef int (step_fn) (const knowledge_t *kb, const step_frame_t *frames,
                       size_t frames_count, const step_options_t *options,
                       step_result_t *res);

//  A step's answer to input it cannot take: res says so in one line and
//  marks it the input's fault (errno EPROTO). Returns -1, for `return`.
static inline int
step_input_error (step_result_t *res, const char *message)
{
    res->input_error = true;
    snprintf (res->error, sizeof res->error, "%s", message);
    errno = EPROTO;
    return -1;
}

#endif
