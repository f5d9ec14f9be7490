/*  tests/fuzz/fuzz_generator.c - libFuzzer target for the generator: any
    report that report_decode accepts renders (GitHub with explanations,
    GitLab, JSON) or fails with a reason, and never crashes.  */
#include "workers/generator/generator.h"
#include "tests/fuzz/shipped_kb.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

static void
s_render (const report_t *report, const step_options_t *options)
{
    char *text = NULL;
    char err [256] = "";
    if (generator_render (s_knowledge (), report, options, &text, err,
                          sizeof err) == 0)
        S_ENSURE (text);
    else
        S_ENSURE (err [0] != 0);
    free (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    report_t report;
    if (report_decode (&report, data, size))
        return 0;
    const step_options_t github = { .target = "github", .explain = true };
    const step_options_t gitlab = { .target = "gitlab" };
    const step_options_t json = { .target = "github", .json = true };
    s_render (&report, &github);
    s_render (&report, &gitlab);
    s_render (&report, &json);
    report_release (&report);
    return 0;
}
