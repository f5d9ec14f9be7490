/*  tests/fuzz/fuzz_knowledge.c - libFuzzer target for knowledge overlays:
    the input is a rules file merged over the shipped knowledge; a merged
    knowledge must travel as text, and the detector and generator must
    work from it (or fail with a reason) on a small fixed project.  */
#include "workers/detector/detector.h"
#include "workers/generator/generator.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

//  A small project touching several ecosystems, so the overlay's keys are
//  looked up by more than one reader.
static const struct {
    const char *name;
    const char *data;
} s_manifests [] = {
    { "package.json", "{\"name\": \"pebble\", \"engines\": {\"node\": \">=18\"},\n"
                      " \"scripts\": {\"test\": \"node --test\"}}\n" },
    { "pyproject.toml", "[project]\nname = \"pebble\"\n"
                        "requires-python = \">=3.10\"\n" },
    { "go.mod", "module example.org/pebble\n\ngo 1.22\n" },
    { "docker-compose.yml", "services:\n  db:\n    image: postgres:16\n" },
};

static void
s_check_pipeline (const knowledge_t *kb)
{
    project_t project = { 0 };
    for (size_t i = 0; i < sizeof s_manifests / sizeof s_manifests [0]; i++) {
        S_ENSURE (project_add_file (&project, s_manifests [i].name) == 0);
        S_ENSURE (project_add_manifest (&project, s_manifests [i].name,
                                        s_manifests [i].data,
                                        strlen (s_manifests [i].data)) == 0);
    }
    readme_doc_t doc = { 0 };
    report_t report;
    char err [256] = "";
    if (detector_detect (kb, &project, &doc, false, &report, err, sizeof err)
        == 0) {
        const step_options_t github = { .target = "github", .explain = true };
        const step_options_t gitlab = { .target = "gitlab" };
        char *text = NULL;
        if (generator_render (kb, &report, &github, &text, err, sizeof err)
            == 0)
            S_ENSURE (text);
        free (text);
        text = NULL;
        if (generator_render (kb, &report, &gitlab, &text, err, sizeof err)
            == 0)
            S_ENSURE (text);
        free (text);
        report_release (&report);
    }
    project_release (&project);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    S_ENSURE (kb);
    if (knowledge_overlay (kb, "rules.yml", (const char *) data, size, err,
                           sizeof err)) {
        S_ENSURE (err [0] != 0);
        knowledge_destroy (&kb);
        return 0;
    }
    //  The merged knowledge reaches workers as text: it must read back.
    char *text = knowledge_text (kb);
    S_ENSURE (text);
    knowledge_t *sent = knowledge_from_text (text, strlen (text), err,
                                             sizeof err);
    S_ENSURE (sent);
    knowledge_action_ref (sent, "actions/checkout");
    s_check_pipeline (sent);
    knowledge_destroy (&sent);
    free (text);
    knowledge_destroy (&kb);
    return 0;
}
