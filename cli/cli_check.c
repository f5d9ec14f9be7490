/*  cli/cli_check.c - `readme2ci check`: a check workflow for each
    project through the tree (or --inline), its result printed as text,
    JSON or SARIF. Exit 0 clean, 1 drift found (or bad input), 2 usage,
    3 unavailable, 4 timed out.  */
#include "cli/cli.h"
#include "cli/cli_exit.h"

#include "workers/check/check.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_check_help =
    "usage: readme2ci check [--json | --format text|json|sarif] [--explain]\n"
    "                       [--priority LEVEL|N] [--timeout MS] [--id ID]\n"
    "                       [--inline] [--endpoint EP] PATH...\n"
    "\n"
    "Holds a project's existing CI (.github/workflows/*.yml, .gitlab-ci.yml)\n"
    "against what its README and build files say: tests CI never runs or\n"
    "scripts it runs that are gone, runtime versions outside the declared\n"
    "range or never tested, services missing or unused, README commands no\n"
    "step runs, outdated action majors, retired runner labels, deprecated\n"
    "workflow commands, lockfile installs without the lockfile. Each finding\n"
    "names the workflow file:line and the README or manifest line behind it.\n"
    "\n"
    "options:\n"
    "  --format FORMAT  text (default), json, or sarif (SARIF 2.1.0, for code\n"
    "                   scanning); with several paths, one document each\n"
    "  --json           the same as --format json\n"
    "  --explain        first list what the project expects of its CI, and why\n"
    "  --priority, --timeout, --id, --inline, --endpoint, --target\n"
    "                   as for generate\n"
    "\n"
    "examples:\n"
    "  readme2ci check .\n"
    "  readme2ci check --format sarif . > readme2ci.sarif\n";

typedef enum { S_TEXT, S_JSON, S_SARIF } s_format_t;

typedef struct {
    s_format_t format;
    bool explain;
} s_check_t;

static int
s_output (void *ctx, const char *path, const char *text, size_t size)
{
    const s_check_t *self = ctx;
    check_result_t result;
    char err [256];
    if (check_json_decode (&result, text, size, err, sizeof err)) {
        fprintf (stderr, "readme2ci: %s: %s\n", path, err);
        return EXIT_UNAVAILABLE;
    }
    char *out = self->format == S_SARIF? check_render_sarif (&result, R2CI_VERSION)
              : self->format == S_JSON? check_json_encode (&result)
              : check_render_text (&result, path, self->explain);
    int code = result.findings_count? EXIT_INPUT: EXIT_OK;
    check_result_release (&result);
    if (!out) {
        fprintf (stderr, "readme2ci: %s: out of memory\n", path);
        return EXIT_UNAVAILABLE;
    }
    size_t len = strlen (out);
    bool ok = fwrite (out, 1, len, stdout) == len
           && (self->format == S_TEXT || fputc ('\n', stdout) != EOF)
           && fflush (stdout) == 0;
    free (out);
    if (!ok) {
        fprintf (stderr, "readme2ci: %s: cannot write the result to stdout\n", path);
        return EXIT_INPUT;
    }
    return code;
}

int
cli_check (int argc, char **argv)
{
    s_check_t self = { .format = S_TEXT };
    char **rest = calloc ((size_t) argc + 1, sizeof *rest);
    if (!rest)
        return EXIT_UNAVAILABLE;
    int count = 0;
    for (int i = 0; i < argc; i++)
        if (strcmp (argv [i], "--help") == 0 || strcmp (argv [i], "-h") == 0) {
            free (rest);
            return cli_help (s_check_help, "check");
        }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv [i];
        if (strcmp (arg, "--format") == 0) {
            const char *value = i + 1 < argc? argv [++i]: NULL;
            if (!value || (strcmp (value, "text") && strcmp (value, "json")
                           && strcmp (value, "sarif"))) {
                fprintf (stderr, "readme2ci: check: --format must be text, json or sarif%s%s%s\n",
                         value? ", not '": "", value? value: "", value? "'": "");
                free (rest);
                return EXIT_USAGE;
            }
            self.format = strcmp (value, "sarif") == 0? S_SARIF
                        : strcmp (value, "json") == 0? S_JSON: S_TEXT;
        }
        else
        if (strcmp (arg, "--json") == 0)
            self.format = S_JSON;
        else
        if (strcmp (arg, "--explain") == 0)
            self.explain = true;
        else {
            //  generate's options take a value: pass it along unread
            rest [count++] = argv [i];
            bool takes = strcmp (arg, "--target") == 0 || strcmp (arg, "--priority") == 0
                      || strcmp (arg, "--timeout") == 0 || strcmp (arg, "--id") == 0
                      || strcmp (arg, "--endpoint") == 0;
            if (takes && i + 1 < argc)
                rest [count++] = argv [++i];
        }
    }
    cli_workflow_hooks_t hooks = { .command = "check", .output = s_output, .ctx = &self };
    int code = cli_run_workflows (count, rest, &hooks);
    free (rest);
    return code;
}
