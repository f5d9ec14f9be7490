/*  workers/detector/eco_deno.c - Deno from deno.json(c): its lint, check
    and test tasks, .deno-version.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <stdio.h>
#include <string.h>

//  True when tasks has a "check" task that lints or checks formatting
//  (and so finishes): a lint step under another name.
static bool
s_deno_check_task (json_t *tasks)
{
    json_t *check = json_object_get (tasks, "check");
    const char *text = json_is_string (check)? json_string_value (check)
                     : json_string_value (json_object_get (check, "command"));
    return text && eco_real_ci (text)
        && (strstr (text, "deno lint") || strstr (text, "fmt --check"));
}

void
eco_deno_detect (dctx_t *self)
{
    const project_file_t *conf = dctx_manifest (self, "deno.json");
    bool jsonc = false;
    if (!conf) {
        conf = dctx_manifest (self, "deno.jsonc");
        jsonc = true;
    }
    if (!conf && !dctx_has (self, "deno.json") && !dctx_has (self, "deno.jsonc"))
        return;
    report_job_t *job = dctx_job (self, "deno", DCTX_STRONG);
    if (!job)
        return;
    const char *name = conf? conf->name: dctx_has (self, "deno.json")? "deno.json": "deno.jsonc";
    dctx_tool (self, job, "deno", name);
    dctx_language (self, job, "typescript");
    json_t *root = conf? eco_json (self, conf, jsonc): NULL;
    json_t *tasks = json_object_get (root, "tasks");
    char source [192], pinned [64];
    if (eco_version_file (self, ".deno-version", pinned, sizeof pinned)) {
        dctx_setting (self, job, "version-file", ".deno-version", ".deno-version");
        dctx_version (self, job, "deno", pinned, ".deno-version");
    }
    else
        dctx_matrix (self, job, "deno", NULL, "knowledge: supported Deno lines");
    if (json_object_get (tasks, "lint")) {
        dctx_source (source, sizeof source, name,
                     dtext_json_line (conf->data, "tasks", "lint"), "tasks.lint");
        dctx_step (self, job, CMD_LINT, "deno task lint", source);
    }
    else
    if (s_deno_check_task (tasks)) {
        //  "check": "deno fmt --check && deno lint", the usual gate
        dctx_source (source, sizeof source, name,
                     dtext_json_line (conf->data, "tasks", "check"), "tasks.check");
        dctx_step (self, job, CMD_LINT, "deno task check", source);
    }
    else
    if (json_object_get (root, "lint")) {
        dctx_source (source, sizeof source, name,
                     dtext_json_line (conf->data, NULL, "lint"), "lint");
        dctx_step (self, job, CMD_LINT, "deno lint", source);
    }
    json_t *test = json_object_get (tasks, "test");
    const char *test_text = json_is_string (test)? json_string_value (test)
                          : json_string_value (json_object_get (test, "command"));
    if (test && (!test_text || eco_real_ci (test_text))) {
        dctx_source (source, sizeof source, name,
                     dtext_json_line (conf->data, "tasks", "test"), "tasks.test");
        dctx_step (self, job, CMD_TEST, "deno task test", source);
    }
    else {
        snprintf (source, sizeof source, "%s (deno's own test runner)", name);
        dctx_step (self, job, CMD_TEST, "deno test -A", source);
    }
    json_decref (root);
}
