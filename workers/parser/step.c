/*  workers/parser/step.c - the parse step: an encoded project_docs_t in,
    an encoded readme_doc_t out.  */
#include "workers/parser/parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
parser_step (const knowledge_t *kb, const step_frame_t *frames, size_t frames_count,
             const step_options_t *options, step_result_t *res)
{
    (void) options;
    res->data = NULL;
    res->size = 0;
    res->input_error = false;
    res->error [0] = 0;
    if (frames_count != 1 || !frames || (!frames [0].data && frames [0].size)) {
        res->input_error = true;
        snprintf (res->error, sizeof res->error,
                  "parse: expected 1 frame (the documents), got %zu", frames_count);
        return errno = EINVAL, -1;
    }
    project_docs_t docs;
    if (project_docs_decode (&docs, frames [0].data, frames [0].size)) {
        res->input_error = errno != ENOMEM;
        snprintf (res->error, sizeof res->error, "parse: %s",
                  errno == ENOMEM? "out of memory decoding the documents"
                                 : "the documents frame is not a valid docs message");
        return -1;
    }
    readme_doc_t doc;
    char err [256];
    int rc = parser_parse (kb, &docs, &doc, err, sizeof err);
    int saved = errno;
    project_docs_release (&docs);
    if (rc) {
        res->input_error = saved != ENOMEM;
        snprintf (res->error, sizeof res->error, "parse: %s", err);
        return errno = saved, -1;
    }
    rc = readme_doc_encode (&doc, &res->data, &res->size);
    saved = errno;
    readme_doc_release (&doc);
    if (rc) {
        snprintf (res->error, sizeof res->error, "parse: out of memory encoding the result");
        return errno = saved, -1;
    }
    return 0;
}
