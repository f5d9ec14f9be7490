/*  tests/fuzz/fuzz_detector.c - libFuzzer target for the detector's
    manifest readers: the first input byte names the manifest (from the
    table below), the rest is its contents. The report that comes out must
    travel on the wire and the generator must take it without crashing.  */
#include "workers/detector/detector.h"
#include "workers/generator/generator.h"
#include "tests/fuzz/manifest_names.h"
#include "tests/fuzz/shipped_kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *name = fuzz_manifest_names [data [0] % FUZZ_MANIFEST_NAMES];
    project_t project = { 0 };
    S_ENSURE (project_add_file (&project, name) == 0);
    S_ENSURE (project_add_file (&project, "README.md") == 0);
    S_ENSURE (project_add_manifest (&project, name, (const char *) data + 1,
                                    size - 1) == 0);
    //  The high bit of the first byte also puts the file in a part one
    //  level down (web/), which the rules see from there.
    if (data [0] & 0x80) {
        char part [128];
        snprintf (part, sizeof part, "web/%s", name);
        S_ENSURE (project_add_file (&project, "web/") == 0);
        S_ENSURE (project_add_file (&project, part) == 0);
        S_ENSURE (project_add_manifest (&project, part, (const char *) data + 1,
                                        size - 1) == 0);
    }
    project.name = strdup ("fuzzed");
    S_ENSURE (project.name);
    readme_doc_t doc = { 0 };
    report_t report;
    char err [256] = "";
    if (detector_detect (s_knowledge (), &project, &doc, false, &report, err,
                         sizeof err)) {
        S_ENSURE (err [0] != 0);
        project_release (&project);
        return 0;
    }
    //  The report travels to the generator: it must decode there.
    uint8_t *buf;
    size_t buf_size;
    S_ENSURE (report_encode (&report, &buf, &buf_size) == 0);
    report_t decoded;
    S_ENSURE (report_decode (&decoded, buf, buf_size) == 0);
    report_release (&decoded);
    free (buf);
    char *text = NULL;
    if (generator_render (s_knowledge (), &report, NULL, &text, err,
                          sizeof err) == 0)
        S_ENSURE (text);
    free (text);
    report_release (&report);
    project_release (&project);
    return 0;
}
