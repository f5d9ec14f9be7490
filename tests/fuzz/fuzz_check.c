/*  tests/fuzz/fuzz_check.c - libFuzzer target for check: any text as a
    GitHub workflow and as a .gitlab-ci.yml, held against a small Node
    project's report, is read or refused with a reason, and its result
    renders as text, SARIF and JSON that reads back the same.  */
#include "workers/check/check.h"
#include "workers/check/ciread.h"
#include "tests/fuzz/shipped_kb.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

static void
s_check (const char *name, const char *text, size_t size)
{
    ci_file_t file;
    char err [300] = "";
    if (ci_read (&file, name, text, size, err, sizeof err) == 0)
        ci_file_release (&file);
    else
        S_ENSURE (err [0] != 0);
    //  the same text among a project's files, against a report
    static const char pkg [] = "{\"name\": \"f\", \"engines\": {\"node\": \">=20\"}, "
                               "\"scripts\": {\"test\": \"node --test\"}, "
                               "\"dependencies\": {\"pg\": \"^8\"}}";
    project_t project = { 0 };
    S_ENSURE (project_add_file (&project, "package.json") == 0);
    S_ENSURE (project_add_manifest (&project, "package.json", pkg, sizeof pkg - 1) == 0);
    S_ENSURE (project_add_manifest (&project, name, text, size) == 0);
    report_value_t versions [] = { { "node", "20", "package.json:1 engines.node" },
                                   { "node", "26", "package.json:1 engines.node" } };
    report_value_t settings [] = { { "declared-node", ">=20", "package.json:1 engines.node" } };
    report_step_t steps [] = { { CMD_TEST, "", "npm test", "package.json:1 scripts.test" } };
    report_job_t job = { .id = "node", .ecosystem = "node", .language = "", .tool = "npm",
                         .tool_source = "", .dir = "", .versions = versions,
                         .versions_count = 2, .settings = settings, .settings_count = 1,
                         .steps = steps, .steps_count = 1 };
    report_t report = { .project = "f", .jobs = &job, .jobs_count = 1 };
    check_result_t result;
    S_ENSURE (check_compare (s_knowledge (), &report, &project, &result) == 0);
    char *text_out = check_render_text (&result, NULL, true);
    char *sarif = check_render_sarif (&result, "0");
    char *json = check_json_encode (&result);
    S_ENSURE (text_out && sarif && json);
    check_result_t back;
    S_ENSURE (check_json_decode (&back, json, strlen (json), err, sizeof err) == 0);
    char *again = check_json_encode (&back);
    S_ENSURE (again && strcmp (json, again) == 0);
    free (again);
    check_result_release (&back);
    free (json);
    free (sarif);
    free (text_out);
    check_result_release (&result);
    project_release (&project);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  NUL-terminated, as a manifest's data always is
    char *text = malloc (size + 1);
    S_ENSURE (text);
    memcpy (text, data, size);
    text [size] = 0;
    s_check (".github/workflows/ci.yml", text, size);
    s_check (".gitlab-ci.yml", text, size);
    free (text);
    return 0;
}
