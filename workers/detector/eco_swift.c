/*  workers/detector/eco_swift.c - Swift with SwiftPM: swift-tools-version
    for versions, macOS for Apple-only packages.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <stdio.h>
#include <string.h>

void
eco_swift_detect (dctx_t *self)
{
    if (!dctx_has (self, "Package.swift"))
        return;
    report_job_t *job = dctx_job (self, "swift", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "swiftpm", "Package.swift");
    const project_file_t *pkg = dctx_manifest (self, "Package.swift");
    char version [32], source [192], line [16];
    unsigned at = 0;
    bool matrix = false;
    if (pkg && dtext_number_after (pkg->data, "swift-tools-version", version,
                                   sizeof version, &at)
        && vrange_line (version, 2, line, sizeof line)) {
        char range [32];
        snprintf (range, sizeof range, ">=%s", line);
        dctx_source (source, sizeof source, "Package.swift", at, "swift-tools-version");
        matrix = dctx_matrix (self, job, "swift", range, source);
    }
    if (!matrix)
        dctx_matrix (self, job, "swift", NULL, "knowledge: supported Swift lines");
    //  Apple-only packages (an Xcode project or a pod beside platforms:)
    //  build on macOS; anything else on Linux
    bool apple = pkg && strstr (pkg->data, "platforms:")
              && !strstr (pkg->data, ".linux")
              && (dctx_find_suffix (self, ".xcodeproj/") || dctx_find_suffix (self, ".podspec")
                  || dctx_find_suffix (self, ".xcworkspace/") || strstr (pkg->data, "UIKit"));
    if (apple) {
        dctx_source (source, sizeof source, "Package.swift",
                     dtext_find_line (pkg->data, "platforms:"), "platforms (Apple only)");
        dctx_setting (self, job, "runner", "macos-latest", source);
    }
    dctx_step (self, job, CMD_BUILD, "swift build", "Package.swift");
    dctx_step (self, job, CMD_TEST, "swift test", "Package.swift");
}
