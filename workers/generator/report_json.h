/*  workers/generator/report_json.h - the detection report as one JSON
    document (generate --json): every decision with its source, keys in a
    fixed order so the same report always gives the same bytes.  */
#ifndef REPORT_JSON_H_INCLUDED
#define REPORT_JSON_H_INCLUDED

#include "proto/report.h"

#include <stddef.h>

//  Write report as JSON (indent 2, ending in a newline) into a malloc'd
//  text in *text_p (caller frees). An empty report gets an "info" note
//  saying nothing was detected. Returns 0, or -1 with errno ENOMEM and a
//  reason in err.
int report_json_render (const report_t *report, char **text_p, char *err,
                        size_t err_size);

#endif
