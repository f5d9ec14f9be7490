/*  workers/detector/eco_zig.c - Zig: build.zig's test step,
    build.zig.zon's minimum_zig_version.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <stdio.h>

void
eco_zig_detect (dctx_t *self)
{
    if (!dctx_has (self, "build.zig"))
        return;
    report_job_t *job = dctx_job (self, "zig", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "zig", "build.zig");
    const project_file_t *zon = dctx_manifest (self, "build.zig.zon");
    char version [32], source [192];
    unsigned at = 0;
    if (zon && dtext_quoted_after (zon->data, ".minimum_zig_version", version,
                                   sizeof version, &at)) {
        dctx_source (source, sizeof source, "build.zig.zon", at, "minimum_zig_version");
        dctx_version (self, job, "zig", version, source);
    }
    const project_file_t *build = dctx_manifest (self, "build.zig");
    unsigned line = build? dtext_find_line (build->data, "\"test\""): 0;
    if (line) {
        dctx_source (source, sizeof source, "build.zig", line, "step test");
        dctx_step (self, job, CMD_TEST, "zig build test", source);
    }
    else
    if (build)
        dctx_step (self, job, CMD_BUILD, "zig build", "build.zig");
    else
        dctx_step (self, job, CMD_TEST, "zig build test", "build.zig");
}
