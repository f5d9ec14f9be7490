/*  Tests for workers/generator: the GitHub workflow (checked by parsing it
    back and by actionlint), explain comments, overlays, GitLab and JSON.  */
#include "common/knowledge.h"
#include "common/ytree.h"
#include "tests/support/testutil.h"
#include "workers/generator/generator.h"
#include "workers/generator/github.h"
#include "workers/generator/gitlab.h"
#include "workers/generator/recipe.h"
#include "workers/generator/strpool.h"
#include "workers/generator/yemit.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  Building reports (the tests own every string; t_free releases them)

static char *
t_dup (const char *text)
{
    char *copy = strdup (text? text: "");
    cr_assert_not_null (copy);
    return copy;
}

#define T_GROW(array, count) do { \
    (array) = realloc ((array), ((count) + 1) * sizeof *(array)); \
    cr_assert_not_null (array); \
    memset (&(array) [count], 0, sizeof *(array)); \
} while (0)

static report_job_t *
t_job (report_t *report, const char *id, const char *ecosystem,
       const char *tool, const char *dir)
{
    T_GROW (report->jobs, report->jobs_count);
    report_job_t *job = &report->jobs [report->jobs_count++];
    job->id = t_dup (id);
    job->ecosystem = t_dup (ecosystem);
    job->language = t_dup ("");
    job->tool = t_dup (tool);
    job->tool_source = t_dup (tool? "lock file": "");
    job->dir = t_dup (dir);
    return job;
}

static void
t_value (report_value_t **values, size_t *count, const char *key,
         const char *value, const char *source)
{
    T_GROW (*values, *count);
    report_value_t *item = &(*values) [(*count)++];
    item->key = t_dup (key);
    item->value = t_dup (value);
    item->source = t_dup (source);
}

static void
t_version (report_job_t *job, const char *runtime, const char *version,
           const char *source)
{
    t_value (&job->versions, &job->versions_count, runtime, version, source);
}

static void
t_setting (report_job_t *job, const char *key, const char *value)
{
    t_value (&job->settings, &job->settings_count, key, value, "test setting");
}

static void
t_step (report_job_t *job, cmd_kind_t kind, const char *name, const char *run,
        const char *source)
{
    T_GROW (job->steps, job->steps_count);
    report_step_t *step = &job->steps [job->steps_count++];
    step->kind = kind;
    step->name = t_dup (name);
    step->run = t_dup (run);
    step->source = t_dup (source);
}

static report_service_t *
t_service (report_job_t *job, const char *name, const char *image,
           const char *port, const char *env, const char *health)
{
    T_GROW (job->services, job->services_count);
    report_service_t *service = &job->services [job->services_count++];
    service->name = t_dup (name);
    service->image = t_dup (image);
    if (port) {
        service->ports = calloc (1, sizeof *service->ports);
        service->ports [service->ports_count++] = t_dup (port);
    }
    if (env) {
        service->env = calloc (1, sizeof *service->env);
        service->env [service->env_count++] = t_dup (env);
    }
    service->health = t_dup (health);
    service->source = t_dup ("compose.yaml:3");
    return service;
}

static void
t_free_values (report_value_t *values, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free (values [i].key);
        free (values [i].value);
        free (values [i].source);
    }
    free (values);
}

static void
t_free (report_t *report)
{
    for (size_t j = 0; j < report->jobs_count; j++) {
        report_job_t *job = &report->jobs [j];
        free (job->id); free (job->ecosystem); free (job->language);
        free (job->tool); free (job->tool_source); free (job->dir);
        t_free_values (job->versions, job->versions_count);
        t_free_values (job->settings, job->settings_count);
        for (size_t i = 0; i < job->steps_count; i++) {
            free (job->steps [i].name);
            free (job->steps [i].run);
            free (job->steps [i].source);
        }
        free (job->steps);
        for (size_t i = 0; i < job->services_count; i++) {
            report_service_t *service = &job->services [i];
            free (service->name); free (service->image);
            free (service->health); free (service->source);
            for (size_t p = 0; p < service->ports_count; p++)
                free (service->ports [p]);
            for (size_t e = 0; e < service->env_count; e++)
                free (service->env [e]);
            free (service->ports);
            free (service->env);
        }
        free (job->services);
    }
    free (report->jobs);
    t_free_values (report->notes, report->notes_count);
    free (report->project);
    memset (report, 0, sizeof *report);
}

//  --------------------------------------------------------------------------
//  Rendering and reading back

static char *
t_render_with (const knowledge_t *kb, const report_t *report,
               const char *target, bool explain, bool json)
{
    step_options_t options = { .explain = explain, .json = json };
    snprintf (options.target, sizeof options.target, "%s", target);
    char *text = NULL, err [256] = "";
    int rc = generator_render (kb, report, &options, &text, err, sizeof err);
    cr_assert_eq (rc, 0, "render failed: %s", err);
    cr_assert_not_null (text);
    return text;
}

static char *
t_render (const report_t *report, const char *target, bool explain, bool json)
{
    char err [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    char *text = t_render_with (kb, report, target, explain, json);
    knowledge_destroy (&kb);
    return text;
}

static ynode_t *
t_parse (const char *text)
{
    char err [256] = "";
    ynode_t *root = ytree_parse (text, strlen (text), err, sizeof err);
    cr_assert_not_null (root, "output is not YAML: %s\n%s", err, text);
    return root;
}

static void
t_lint (const char *text)
{
    char *report = NULL;
    int findings = tu_actionlint (text, &report);
    if (findings == TU_LINT_SKIPPED)
        return;
    cr_assert_neq (findings, -1, "actionlint could not run (scripts/bootstrap "
                   "installs it): %s", report? report: "");
    cr_assert_eq (findings, 0, "actionlint findings:\n%s\nin:\n%s", report, text);
    free (report);
}

//  The step whose name is name in job, or NULL.
static const ynode_t *
t_find_step (const ynode_t *workflow, const char *job, const char *name)
{
    const ynode_t *steps = ytree_path (workflow, "jobs", job, "steps", NULL);
    for (size_t i = 0; steps && i < steps->count; i++)
        if (strcmp (ytree_str (ytree_get (steps->items [i], "name"), ""), name) == 0)
            return steps->items [i];
    return NULL;
}

//  The `uses` of every step of job, space-separated ("" for run steps).
static char *
t_uses (const ynode_t *workflow, const char *job)
{
    const ynode_t *steps = ytree_path (workflow, "jobs", job, "steps", NULL);
    cr_assert_not_null (steps, "no steps in job %s", job);
    char *all = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&all, &size);
    for (size_t i = 0; i < steps->count; i++)
        fprintf (out, "%s ", ytree_str (ytree_get (steps->items [i], "uses"), ""));
    fclose (out);
    return all;
}

//  --------------------------------------------------------------------------
//  The YAML writer

Test (strpool, keeps_strings_and_remembers_a_failure)
{
    strpool_t pool = { 0 };
    char *kept = strpool_keep (&pool, strdup ("one"));
    cr_assert_str_eq (kept, "one");
    cr_assert_str_eq (strpool_format (&pool, "%s-%d", "two", 2), "two-2");
    cr_assert_eq (pool.count, 2);
    cr_assert_not (pool.failed);
    //  NULL stands for an allocation that failed before: the render is
    //  incomplete from then on
    cr_assert_null (strpool_keep (&pool, NULL));
    cr_assert (pool.failed);
    cr_assert_eq (pool.count, 2);
    strpool_release (&pool);
    cr_assert_eq (pool.count, 0);
    cr_assert_not (pool.failed);
}

Test (yemit, strings_read_back_as_the_same_strings)
{
    static const char *const values [] = {
        "on", "off", "yes", "No", "y", "true", "null", "~", "", "3.10", "20",
        "1e3", "0x1f", ".5", "-1", "+1", ".inf", ".NaN", "12:30", "- x", "a: b",
        "#c", "a #c", "${{ matrix.node }}", "'q'", "\"dq\"", "[x]", "{x}",
        " lead", "trail ", "two\nlines", "tab\tin", "*alias", "&anchor", "!tag",
        "%d", "@x", "`x`", "|", ">", "?", "=", "<<", "plain text"
    };
    size_t count = sizeof values / sizeof values [0];
    yemit_t *out = yemit_new ();
    cr_assert_not_null (out);
    yemit_map_start (out);
    for (size_t i = 0; i < count; i++) {
        char key [16];
        snprintf (key, sizeof key, "k%zu", i);
        yemit_pair (out, key, values [i]);
    }
    yemit_str (out, "block");
    yemit_block (out, "make\n  make check\n\nmake install\n");
    yemit_map_end (out);
    char *text = yemit_finish (out);
    cr_assert_not_null (text);
    yemit_destroy (&out);
    cr_assert_null (out);
    ynode_t *root = t_parse (text);
    for (size_t i = 0; i < count; i++) {
        char key [16];
        snprintf (key, sizeof key, "k%zu", i);
        const ynode_t *node = ytree_get (root, key);
        cr_assert_not_null (node, "%s missing", key);
        cr_assert_str_eq (ytree_str (node, NULL), values [i], "in:\n%s", text);
        //  A string a YAML 1.1 reader would type must be quoted.
        if (yemit_is_typed (values [i]))
            cr_assert (node->quoted, "\"%s\" left plain:\n%s", values [i], text);
    }
    cr_assert_str_eq (ytree_str (ytree_get (root, "block"), NULL),
                      "make\n  make check\n\nmake install\n");
    cr_assert (strstr (text, "block: |"), "%s", text);
    //  Text with line breaks stays on one line, double-quoted.
    cr_assert (strstr (text, "k30: \"two\\nlines\"\n"), "%s", text);
    ytree_destroy (&root);
    free (text);
}

Test (yemit, typed_values_are_recognised)
{
    static const char *const typed [] = { "on", "Off", "YES", "n", "True",
        "NULL", "~", "", "3.10", "-2", "+.5", ".inf", "-.Inf", ".nan", "0o7",
        "1_000", "12:30:00" };
    static const char *const plain [] = { "ubuntu-latest", "read", "main",
        "node:22", "npm ci", "v4", "lts/*", "inf", "nan", "onward", "stable" };
    for (size_t i = 0; i < sizeof typed / sizeof typed [0]; i++)
        cr_assert (yemit_is_typed (typed [i]), "%s", typed [i]);
    for (size_t i = 0; i < sizeof plain / sizeof plain [0]; i++)
        cr_assert_not (yemit_is_typed (plain [i]), "%s", plain [i]);
}

Test (yemit, a_malformed_sequence_fails_at_finish)
{
    yemit_t *out = yemit_new ();
    yemit_map_start (out);
    yemit_str (out, "a");
    yemit_map_end (out);            //  a key without a value
    yemit_str (out, "late");
    errno = 0;
    cr_assert_null (yemit_finish (out));
    cr_assert_eq (errno, EINVAL);
    yemit_destroy (&out);
    yemit_destroy (&out);           //  accepts NULL
}

//  --------------------------------------------------------------------------
//  Recipes

Test (recipe, job_ids_are_valid_and_unique)
{
    char *taken [4] = { NULL };
    taken [0] = recipe_job_id ("node", NULL, 0, NULL);
    cr_assert_str_eq (taken [0], "node");
    taken [1] = recipe_job_id ("Node", taken, 1, NULL);
    cr_assert_str_eq (taken [1], "Node-2");
    taken [2] = recipe_job_id ("1st job!", taken, 2, NULL);
    cr_assert_str_eq (taken [2], "job-1st-job-");
    static const char *const reserved [] = { "image", NULL };
    taken [3] = recipe_job_id ("", taken, 3, reserved);
    cr_assert_str_eq (taken [3], "build");
    char *image = recipe_job_id ("image", NULL, 0, reserved);
    cr_assert_str_eq (image, "image-2");
    free (image);
    for (size_t i = 0; i < 4; i++)
        free (taken [i]);
}

Test (recipe, templates_leave_out_what_the_job_lacks)
{
    report_t report = { 0 };
    report_job_t *job = t_job (&report, "go", "go", "", "./svc/");
    t_setting (job, "pnpm-version", "9");
    char err [256];
    knowledge_t *kb = knowledge_new (err, sizeof err);
    recipe_t recipe;
    cr_assert_eq (recipe_build (&recipe, kb, job), 0);
    cr_assert_str_eq (recipe.dir, "svc");
    char *text = NULL;
    cr_assert_eq (recipe_expand (&recipe, job, "{dir}/go.sum", &text), 0);
    cr_assert_str_eq (text, "svc/go.sum");
    free (text);
    cr_assert_eq (recipe_expand (&recipe, job, "v{setting:pnpm-version}", &text), 0);
    cr_assert_str_eq (text, "v9");
    free (text);
    cr_assert_eq (recipe_expand (&recipe, job, "{setting:nope}", &text), 0);
    cr_assert_null (text);
    recipe_release (&recipe);
    free (job->dir);
    job->dir = t_dup (".");
    cr_assert_eq (recipe_build (&recipe, kb, job), 0);
    cr_assert_str_eq (recipe.dir, "");
    cr_assert_eq (recipe_expand (&recipe, job, "{dir}/go.sum", &text), 0);
    cr_assert_null (text);
    recipe_release (&recipe);
    knowledge_destroy (&kb);
    t_free (&report);
}

//  --------------------------------------------------------------------------
//  GitHub workflows

//  One job per ecosystem (and per tool or setting with its own setup),
//  with the actions a careful author would use for it.
typedef struct {
    const char *id, *ecosystem, *tool, *setting, *runtime, *version;
    const char *actions;        //  expected `uses` prefixes, in order
} eco_case_t;

static const eco_case_t s_ecosystems [] = {
    { "node", "node", "npm", NULL, "node", "22", "actions/checkout@ actions/setup-node@" },
    { "pnpm", "node", "pnpm", NULL, "node", "20", "actions/checkout@ pnpm/action-setup@ actions/setup-node@" },
    { "yarn", "node", "yarn", NULL, "node", "20", "actions/checkout@ actions/setup-node@" },
    { "bun", "node", "bun", NULL, "bun", "1.1", "actions/checkout@ oven-sh/setup-bun@" },
    { "deno", "deno", "deno", NULL, "deno", "2.1", "actions/checkout@ denoland/setup-deno@" },
    { "python", "python", "pip", NULL, "python", "3.10", "actions/checkout@ actions/setup-python@" },
    { "poetry", "python", "poetry", NULL, "python", "3.12", "actions/checkout@ actions/setup-python@" },
    { "uv", "python", "uv", NULL, "python", "3.13", "actions/checkout@ actions/setup-python@ astral-sh/setup-uv@" },
    { "go", "go", "go", NULL, "go", "1.24", "actions/checkout@ actions/setup-go@" },
    { "rust", "rust", "cargo", NULL, "rust", "1.80", "actions/checkout@ dtolnay/rust-toolchain@ Swatinem/rust-cache@" },
    { "maven", "java", "maven", NULL, "java", "17", "actions/checkout@ actions/setup-java@" },
    { "gradle", "java", "gradle", NULL, "java", "21", "actions/checkout@ actions/setup-java@ gradle/actions/setup-gradle@" },
    { "scala", "scala", "sbt", NULL, "java", "21", "actions/checkout@ actions/setup-java@ sbt/setup-sbt@" },
    { "clojure", "clojure", "lein", NULL, "java", "21", "actions/checkout@ actions/setup-java@ DeLaGuardo/setup-clojure@" },
    { "dotnet", "dotnet", "dotnet", NULL, "dotnet", "8.0.x", "actions/checkout@ actions/setup-dotnet@" },
    { "ruby", "ruby", "bundler", NULL, "ruby", "3.3", "actions/checkout@ ruby/setup-ruby@" },
    { "php", "php", "composer", NULL, "php", "8.3", "actions/checkout@ shivammathur/setup-php@" },
    { "elixir", "elixir", "mix", NULL, "elixir", "1.17", "actions/checkout@ erlef/setup-beam@" },
    { "erlang", "erlang", "rebar3", NULL, "otp", "27", "actions/checkout@ erlef/setup-beam@" },
    { "swift", "swift", "swiftpm", NULL, "swift", "6.0", "actions/checkout@ swift-actions/setup-swift@" },
    { "zig", "zig", "zig", NULL, "zig", "0.13.0", "actions/checkout@ mlugg/setup-zig@" },
    { "haskell", "haskell", "stack", NULL, "ghc", "9.6", "actions/checkout@ haskell-actions/setup@" },
    { "ocaml", "ocaml", "dune", NULL, "ocaml", "5.2", "actions/checkout@ ocaml/setup-ocaml@" },
    { "dart", "dart", "pub", NULL, "dart", "3.5", "actions/checkout@ dart-lang/setup-dart@" },
    { "flutter", "dart", "flutter", "flutter", "flutter", "3.24", "actions/checkout@ subosito/flutter-action@" },
    { "r", "r", "", NULL, "r", "4.4", "actions/checkout@ r-lib/actions/setup-r@" },
    { "c", "c", "cmake", NULL, NULL, NULL, "actions/checkout@" },
    { "lua", "lua", "luarocks", NULL, NULL, NULL, "actions/checkout@ leafo/gh-actions-lua@ leafo/gh-actions-luarocks@" },
};

static void
t_ecosystem_report (report_t *report)
{
    memset (report, 0, sizeof *report);
    report->project = t_dup ("everything");
    for (size_t i = 0; i < sizeof s_ecosystems / sizeof s_ecosystems [0]; i++) {
        const eco_case_t *c = &s_ecosystems [i];
        report_job_t *job = t_job (report, c->id, c->ecosystem, c->tool, "");
        if (c->setting)
            t_setting (job, c->setting, "true");
        if (c->runtime)
            t_version (job, c->runtime, c->version, "manifest:1");
        t_step (job, CMD_INSTALL, "", "echo install", "README.md:3");
        t_step (job, CMD_TEST, "", "echo test", "README.md:9 (## Testing)");
    }
}

Test (github, every_ecosystem_has_its_setup_and_passes_actionlint)
{
    report_t report;
    t_ecosystem_report (&report);
    char *text = t_render (&report, "github", false, false);
    ynode_t *root = t_parse (text);
    for (size_t i = 0; i < sizeof s_ecosystems / sizeof s_ecosystems [0]; i++) {
        const eco_case_t *c = &s_ecosystems [i];
        char *uses = t_uses (root, c->id);
        //  Every expected action appears, in order, each with a ref.
        const char *at = uses;
        char want [256];
        snprintf (want, sizeof want, "%s", c->actions);
        for (char *save = NULL, *w = strtok_r (want, " ", &save); w;
             w = strtok_r (NULL, " ", &save)) {
            const char *hit = strstr (at, w);
            cr_assert_not_null (hit, "job %s: %s not after \"%s\" in \"%s\"",
                                c->id, w, at, uses);
            cr_assert (hit [strlen (w)] != ' ', "job %s: %s has no ref", c->id, w);
            at = hit + strlen (w);
        }
        free (uses);
        //  The version is passed as a string, exactly as written.
        if (c->version) {
            bool found = false;
            const ynode_t *steps = ytree_path (root, "jobs", c->id, "steps", NULL);
            for (size_t s = 0; s < steps->count; s++) {
                const ynode_t *with = ytree_get (steps->items [s], "with");
                for (size_t k = 0; with && k < with->count; k++)
                    if (strcmp (ytree_str (with->items [k], ""), c->version) == 0) {
                        cr_assert (with->items [k]->quoted, "job %s: version "
                                   "%s not quoted", c->id, c->version);
                        found = true;
                    }
            }
            cr_assert (found, "job %s: version %s not passed\n%s", c->id,
                       c->version, text);
        }
        const ynode_t *steps = ytree_path (root, "jobs", c->id, "steps", NULL);
        //  The actions, the run step that installs Poetry, then the
        //  report's two steps: nothing more.
        size_t actions = 0;
        for (const char *p = c->actions; (p = strchr (p, '@')); p++)
            actions++;
        size_t want_steps = actions + 2 + (strcmp (c->tool, "poetry") == 0);
        cr_assert_eq (steps->count, want_steps, "job %s has %zu steps",
                      c->id, steps->count);
        const ynode_t *last = steps->items [steps->count - 1];
        cr_assert_str_eq (ytree_str (ytree_get (last, "name"), ""), "Test");
        cr_assert_str_eq (ytree_str (ytree_get (last, "run"), ""), "echo test");
    }
    t_lint (text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (github, frame_of_the_workflow)
{
    report_t report = { .project = t_dup ("frame") };
    report_job_t *job = t_job (&report, "go", "go", "go", "");
    t_setting (job, "version-file", "go.mod");
    t_step (job, CMD_TEST, "", "go test ./...", "go.mod");
    char *text = t_render (&report, "github", false, false);
    ynode_t *root = t_parse (text);
    cr_assert_str_eq (ytree_str (ytree_get (root, "name"), ""), "CI");
    //  "on" must be quoted, or YAML 1.1 readers see the boolean true.
    cr_assert (strstr (text, "\"on\":\n"), "%s", text);
    const ynode_t *branches = ytree_path (root, "on", "push", "branches", NULL);
    cr_assert_eq (branches->count, 2);
    cr_assert_str_eq (ytree_str (branches->items [0], ""), "main");
    cr_assert_str_eq (ytree_str (branches->items [1], ""), "master");
    cr_assert_not_null (ytree_path (root, "on", "pull_request", NULL));
    cr_assert_not_null (ytree_path (root, "on", "workflow_dispatch", NULL));
    cr_assert_str_eq (ytree_str (ytree_path (root, "permissions", "contents",
                      NULL), ""), "read");
    cr_assert_str_eq (ytree_str (ytree_path (root, "concurrency", "group", NULL),
                      ""), "${{ github.workflow }}-${{ github.ref }}");
    cr_assert_str_eq (ytree_str (ytree_path (root, "concurrency",
                      "cancel-in-progress", NULL), ""),
                      "${{ github.event_name == 'pull_request' }}");
    cr_assert_str_eq (ytree_str (ytree_path (root, "jobs", "go", "runs-on",
                      NULL), ""), "ubuntu-latest");
    //  setup-go reads go.mod, and no version is invented beside it.
    const ynode_t *setup = t_find_step (root, "go", "Set up Go");
    cr_assert_not_null (setup, "%s", text);
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "go-version-file",
                      NULL), ""), "go.mod");
    cr_assert_null (ytree_path (setup, "with", "go-version", NULL));
    cr_assert_null (ytree_path (setup, "with", "cache-dependency-path", NULL));
    cr_assert_null (ytree_path (root, "jobs", "go", "strategy", NULL));
    cr_assert_null (ytree_path (root, "jobs", "go", "defaults", NULL));
    t_lint (text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

//  A node job in a folder with a version matrix, a postgres service and a
//  multi-line test command, plus a Python job with a version file.
static void
t_rich_report (report_t *report)
{
    memset (report, 0, sizeof *report);
    report->project = t_dup ("shop");
    report_job_t *job = t_job (report, "web app", "node", "pnpm", "./web/");
    t_version (job, "node", "20", "package.json:5 engines.node");
    t_version (job, "node", "22", "package.json:5 engines.node");
    t_version (job, "node", "24", "README.md:12");
    t_setting (job, "cache", "pnpm");
    t_setting (job, "pnpm-version", "9");
    t_step (job, CMD_SYSTEM, "", "sudo apt-get update\nsudo apt-get install -y libpq-dev",
            "README.md:20 (## Prerequisites)");
    t_step (job, CMD_INSTALL, "", "pnpm install --frozen-lockfile", "pnpm-lock.yaml");
    t_step (job, CMD_LINT, "", "pnpm lint", "package.json:9 scripts.lint");
    t_step (job, CMD_TEST, "Unit tests", "pnpm test\npnpm run e2e -- --ci",
            "package.json:8 scripts.test");
    t_service (job, "postgres", "postgres:16", "5432:5432",
               "POSTGRES_PASSWORD=postgres", "pg_isready -U postgres");
    t_service (job, "redis", "redis:7", "6379:6379", NULL, "redis-cli ping");
    job = t_job (report, "api", "python", "poetry", "api");
    t_setting (job, "version-file", ".python-version");
    t_setting (job, "cache", "poetry");
    t_step (job, CMD_INSTALL, "", "poetry install --no-interaction", "poetry.lock");
    t_step (job, CMD_TEST, "", "poetry run pytest", "pyproject.toml:30 [tool.pytest]");
}

Test (github, matrix_services_and_folders)
{
    report_t report;
    t_rich_report (&report);
    char *text = t_render (&report, "github", false, false);
    ynode_t *root = t_parse (text);
    const ynode_t *web = ytree_path (root, "jobs", "web-app", NULL);
    cr_assert_not_null (web, "job id not made valid:\n%s", text);
    cr_assert_str_eq (ytree_str (ytree_path (web, "strategy", "fail-fast", NULL),
                      ""), "false");
    cr_assert_not (ytree_path (web, "strategy", "fail-fast", NULL)->quoted,
                   "fail-fast must be a boolean");
    const ynode_t *versions = ytree_path (web, "strategy", "matrix", "node", NULL);
    cr_assert_eq (versions->count, 3);
    static const char *const want [] = { "20", "22", "24" };
    for (size_t i = 0; i < 3; i++) {
        cr_assert_str_eq (ytree_str (versions->items [i], ""), want [i]);
        cr_assert (versions->items [i]->quoted);
    }
    cr_assert (strstr (ytree_str (ytree_get (web, "name"), ""),
                       "${{ matrix.node }}"));
    const ynode_t *setup = t_find_step (root, "web-app", "Set up Node.js");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "node-version", NULL),
                      ""), "${{ matrix.node }}");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "cache", NULL), ""),
                      "pnpm");
    //  Inputs are not affected by working-directory: paths carry the folder.
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with",
                      "cache-dependency-path", NULL), ""), "web/pnpm-lock.yaml");
    //  pnpm must exist before setup-node looks for its cache.
    char *uses = t_uses (root, "web-app");
    cr_assert (strstr (uses, "pnpm/action-setup@") < strstr (uses, "actions/setup-node@"));
    free (uses);
    //  The action reads packageManager from the folder's package.json: a
    //  version input beside it would have to match it to the letter.
    const ynode_t *pnpm = t_find_step (root, "web-app", "Set up pnpm");
    cr_assert_str_eq (ytree_str (ytree_path (pnpm, "with", "package_json_file", NULL),
                      ""), "web/package.json");
    cr_assert_null (ytree_path (pnpm, "with", "version", NULL));
    cr_assert_str_eq (ytree_str (ytree_path (web, "defaults", "run",
                      "working-directory", NULL), ""), "web");
    //  Services: image, quoted ports, env, and docker health options.
    const ynode_t *pg = ytree_path (web, "services", "postgres", NULL);
    cr_assert_str_eq (ytree_str (ytree_get (pg, "image"), ""), "postgres:16");
    cr_assert_str_eq (ytree_str (ytree_get (pg, "ports")->items [0], ""), "5432:5432");
    cr_assert (ytree_get (pg, "ports")->items [0]->quoted);
    cr_assert_str_eq (ytree_str (ytree_path (pg, "env", "POSTGRES_PASSWORD", NULL),
                      ""), "postgres");
    const char *options = ytree_str (ytree_get (pg, "options"), "");
    cr_assert (strstr (options, "--health-cmd \"pg_isready -U postgres\""), "%s", options);
    cr_assert (strstr (options, "--health-interval 10s"), "%s", options);
    cr_assert (strstr (options, "--health-timeout 5s"), "%s", options);
    cr_assert (strstr (options, "--health-retries 5"), "%s", options);
    cr_assert (strstr (ytree_str (ytree_path (web, "services", "redis", "options",
                       NULL), ""), "--health-cmd \"redis-cli ping\""));
    //  The steps are told where the services are: the loopback address
    //  the published ports are on; the service sets no POSTGRES_USER or
    //  POSTGRES_DB, so the image's defaults (postgres, postgres) hold
    cr_assert_str_eq (ytree_str (ytree_path (web, "env", "DATABASE_URL", NULL), ""),
                      "postgres://postgres:postgres@127.0.0.1:5432/postgres", "%s", text);
    cr_assert_str_eq (ytree_str (ytree_path (web, "env", "REDIS_URL", NULL), ""),
                      "redis://127.0.0.1:6379");
    //  Steps keep their order, default names and multi-line commands.
    const ynode_t *steps = ytree_get (web, "steps");
    const char *names [] = { "Install system packages", "Install dependencies",
                             "Lint", "Unit tests" };
    for (size_t i = 0; i < 4; i++)
        cr_assert_str_eq (ytree_str (ytree_get (steps->items [steps->count - 4 + i],
                          "name"), ""), names [i]);
    cr_assert_str_eq (ytree_str (ytree_get (t_find_step (root, "web-app",
                      "Unit tests"), "run"), ""), "pnpm test\npnpm run e2e -- --ci");
    cr_assert (strstr (text, "run: |"), "multi-line runs are literal blocks");
    //  Python: the version file, in its folder; poetry before setup-python.
    setup = t_find_step (root, "api", "Set up Python");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "python-version-file",
                      NULL), ""), "api/.python-version");
    cr_assert_null (ytree_path (setup, "with", "python-version", NULL));
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "cache", NULL), ""),
                      "poetry");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "cache-dependency-path",
                      NULL), ""), "api/poetry.lock");
    cr_assert_not_null (t_find_step (root, "api", "Install Poetry"));
    t_lint (text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (github, runner_setting_rust_msrv_and_settings)
{
    report_t report = { .project = t_dup ("crate") };
    report_job_t *job = t_job (&report, "rust", "rust", "cargo", "");
    t_setting (job, "runner", "macos-latest");
    t_setting (job, "msrv", "1.74");
    t_setting (job, "rust-components", "clippy, rustfmt");
    t_setting (job, "unknown-key", "ignored");
    t_step (job, CMD_LINT, "", "cargo clippy -- -D warnings", "README.md:40");
    job = t_job (&report, "jvm", "java", "maven", "");
    t_setting (job, "java-distribution", "zulu");
    t_setting (job, "cache", "maven");
    t_step (job, CMD_TEST, "", "./mvnw -B verify", "pom.xml");
    char *text = t_render (&report, "github", false, false);
    ynode_t *root = t_parse (text);
    cr_assert_str_eq (ytree_str (ytree_path (root, "jobs", "rust", "runs-on", NULL),
                      ""), "macos-latest");
    cr_assert_str_eq (ytree_str (ytree_path (root, "jobs", "jvm", "runs-on", NULL),
                      ""), "ubuntu-latest");
    const ynode_t *matrix = ytree_path (root, "jobs", "rust", "strategy", "matrix",
                                        "rust", NULL);
    cr_assert_eq (matrix->count, 2);
    cr_assert_str_eq (ytree_str (matrix->items [0], ""), "stable");
    cr_assert_str_eq (ytree_str (matrix->items [1], ""), "1.74");
    const ynode_t *setup = t_find_step (root, "rust", "Set up Rust");
    cr_assert_str_eq (ytree_str (ytree_get (setup, "uses"), ""),
                      "dtolnay/rust-toolchain@master");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "components", NULL), ""),
                      "clippy, rustfmt");
    setup = t_find_step (root, "jvm", "Set up Java");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "distribution", NULL),
                      ""), "zulu");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "cache", NULL), ""),
                      "maven");
    cr_assert_null (strstr (text, "ignored"));
    t_lint (text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (github, powershell_build_scripts_run_under_pwsh)
{
    report_t report = { .project = t_dup ("ledger") };
    report_job_t *job = t_job (&report, "dotnet", "dotnet", "dotnet", "");
    t_step (job, CMD_TEST, "", "./Build.ps1", "Build.ps1 (the project's own build script)");
    t_step (job, CMD_TEST, "Other", "dotnet test --no-build", "Ledger.sln");
    char *text = t_render (&report, "github", false, false);
    ynode_t *root = t_parse (text);
    const ynode_t *steps = ytree_path (root, "jobs", "dotnet", "steps", NULL);
    cr_assert_not_null (steps);
    int seen = 0;
    for (size_t i = 0; i < steps->count; i++) {
        const char *run = ytree_str (ytree_get (steps->items [i], "run"), NULL);
        const char *shell = ytree_str (ytree_get (steps->items [i], "shell"), NULL);
        if (run && strstr (run, "Build.ps1")) {
            cr_assert_str_eq (shell, "pwsh");
            seen++;
        }
        else
        if (run)
            cr_assert_null (shell, "bash commands keep the default shell");
    }
    cr_assert_eq (seen, 1);
    t_lint (text);
    ytree_destroy (&root);
    free (text);
    //  GitLab's shell is sh: the script is handed to pwsh by name
    text = t_render (&report, "gitlab", false, false);
    cr_assert (strstr (text, "pwsh ./Build.ps1"), "%s", text);
    free (text);
    t_free (&report);
}

Test (github, readme_text_is_never_evaluated_as_an_expression)
{
    report_t report = { .project = t_dup ("x") };
    report_job_t *job = t_job (&report, "node", "node", "npm", "");
    t_step (job, CMD_TEST, "Test ${{ secrets.TOKEN }}",
            "echo ${{ github.event.pull_request.title }}", "README.md:1");
    char *text = t_render (&report, "github", false, false);
    ynode_t *root = t_parse (text);
    const ynode_t *steps = ytree_path (root, "jobs", "node", "steps", NULL);
    const ynode_t *last = steps->items [steps->count - 1];
    cr_assert_str_eq (ytree_str (ytree_get (last, "run"), ""),
        "echo ${{ '${{' }} github.event.pull_request.title }}");
    cr_assert_null (strstr (text, "${{ secrets"));
    t_lint (text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

//  Lines of text that are not comments.
static char *
t_strip_comments (const char *text)
{
    char *out = malloc (strlen (text) + 1);
    char *at = out;
    for (const char *line = text; *line; ) {
        const char *end = strchr (line, '\n');
        size_t length = end? (size_t) (end - line) + 1: strlen (line);
        if (line [strspn (line, " ")] != '#') {
            memcpy (at, line, length);
            at += length;
        }
        line += length;
    }
    *at = 0;
    return out;
}

Test (github, explain_comments_each_step_once_and_changes_nothing_else)
{
    report_t report;
    t_rich_report (&report);
    char *plain = t_render (&report, "github", false, false);
    char *explained = t_render (&report, "github", true, false);
    cr_assert_null (strchr (plain, '#'), "plain output has comments:\n%s", plain);
    char *stripped = t_strip_comments (explained);
    cr_assert_str_eq (stripped, plain);
    free (stripped);
    //  Every "- name:" step line has exactly one comment line right above
    //  it at the same indentation, and every comment is such a line.
    ynode_t *root = t_parse (explained);
    size_t steps = 0;
    const ynode_t *jobs = ytree_get (root, "jobs");
    for (size_t j = 0; j < jobs->count; j++)
        steps += ytree_get (jobs->items [j], "steps")->count;
    size_t comments = 0, commented = 0;
    const char *previous = NULL;
    for (const char *line = explained; *line; ) {
        const char *end = strchr (line, '\n');
        size_t indent = strspn (line, " ");
        if (line [indent] == '#') {
            comments++;
            const char *next = end + 1;
            cr_assert_eq (strspn (next, " "), indent);
            cr_assert (strncmp (next + indent, "- name: ", 8) == 0,
                       "comment not above a step: %.*s", (int) (end - line), line);
            cr_assert (previous == NULL || previous [strspn (previous, " ")] != '#',
                       "two comments in a row");
        }
        if (strncmp (line + indent, "- name: ", 8) == 0 && indent == 4)
            commented += previous && previous [indent] == '#';
        previous = line;
        line = end + 1;
    }
    cr_assert_eq (comments, steps, "%zu comments for %zu steps", comments, steps);
    cr_assert_eq (commented, steps);
    //  They say where things came from.
    cr_assert (strstr (explained, "# from package.json:8 scripts.test\n"));
    cr_assert (strstr (explained, "# from README.md:20 (## Prerequisites)\n"));
    cr_assert (strstr (explained, "node 20 from package.json:5 engines.node"));
    cr_assert (strstr (explained, "version from .python-version"));
    t_lint (explained);
    ytree_destroy (&root);
    free (plain);
    free (explained);
    t_free (&report);
}

Test (github, comment_pass_checks_its_count)
{
    const char *text =
        "jobs:\n"
        "  a:\n"
        "    steps:\n"
        "    - name: one\n"
        "      run: |\n"
        "        - name: not a step\n"
        "\n"
        "        x\n"
        "    - name: two\n"
        "  b:\n"
        "    steps:\n"
        "    - name: three\n";
    char *comments [] = { "c1", "c2", "c3" };
    char *out = github_comment_steps (text, comments, 3);
    cr_assert_not_null (out);
    cr_assert (strstr (out, "    # c1\n    - name: one\n"));
    cr_assert (strstr (out, "    # c2\n    - name: two\n"));
    cr_assert (strstr (out, "    # c3\n    - name: three\n"));
    cr_assert (strstr (out, "        - name: not a step\n"));
    free (out);
    errno = 0;
    cr_assert_null (github_comment_steps (text, comments, 2));
    cr_assert_eq (errno, EINVAL);
}

Test (github, an_overlay_changes_every_checkout)
{
    report_t report;
    t_ecosystem_report (&report);
    char err [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    const char *overlay = "actions:\n  actions/checkout: v9-test\n";
    cr_assert_eq (knowledge_overlay (kb, "my-rules.yml", overlay,
                  strlen (overlay), err, sizeof err), 0, "%s", err);
    char *text = t_render_with (kb, &report, "github", false, false);
    ynode_t *root = t_parse (text);
    const ynode_t *jobs = ytree_get (root, "jobs");
    cr_assert_eq (jobs->count, sizeof s_ecosystems / sizeof s_ecosystems [0]);
    for (size_t j = 0; j < jobs->count; j++) {
        const ynode_t *first = ytree_get (jobs->items [j], "steps")->items [0];
        cr_assert_str_eq (ytree_str (ytree_get (first, "uses"), ""),
                          "actions/checkout@v9-test");
    }
    cr_assert_null (strstr (text, "actions/checkout@v7"));
    ytree_destroy (&root);
    free (text);
    //  An overlay that takes a ref away or breaks an entry's shape is
    //  refused where it is wrong, and the knowledge still renders.
    overlay = "actions: {actions/setup-go: ''}\nsetup: {node: oops}\n";
    cr_assert_eq (knowledge_overlay (kb, "bad.yml", overlay, strlen (overlay),
                  err, sizeof err), -1);
    cr_assert (strstr (err, "bad.yml: line 1, column 11: 'actions/setup-go'"), "%s", err);
    step_options_t options = { .target = "github" };
    text = NULL;
    cr_assert_eq (generator_render (kb, &report, &options, &text, err, sizeof err), 0, "%s",
                  err);
    cr_assert (strstr (text, "actions/checkout@v9-test"), "%s", text);
    free (text);
    knowledge_destroy (&kb);
    t_free (&report);
}

Test (github, empty_report_still_runs)
{
    report_t report = { .project = t_dup ("quiet-lib") };
    char *text = t_render (&report, "github", true, false);
    ynode_t *root = t_parse (text);
    const ynode_t *jobs = ytree_get (root, "jobs");
    cr_assert_eq (jobs->count, 1);
    const ynode_t *steps = ytree_get (jobs->items [0], "steps");
    cr_assert_eq (steps->count, 2);
    cr_assert (strncmp (ytree_str (ytree_get (steps->items [0], "uses"), ""),
                        "actions/checkout@", 17) == 0);
    const char *run = ytree_str (ytree_get (steps->items [1], "run"), "");
    cr_assert (strncmp (run, "echo ", 5) == 0, "%s", run);
    cr_assert (strstr (run, "quiet-lib"), "%s", run);
    t_lint (text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (github, degraded_reports_say_so)
{
    report_t report;
    t_rich_report (&report);
    report.degraded = true;
    char *text = t_render (&report, "github", false, false);
    cr_assert (strncmp (text, "# readme2ci: made from the README alone", 39) == 0);
    ynode_t *root = t_parse (text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (github, rendering_is_deterministic)
{
    report_t report;
    t_rich_report (&report);
    for (int explain = 0; explain < 2; explain++) {
        char *first = t_render (&report, "github", explain, false);
        char *second = t_render (&report, "github", explain, false);
        cr_assert_str_eq (first, second);
        free (first);
        free (second);
    }
    char *first = t_render (&report, "gitlab", false, false);
    char *second = t_render (&report, "gitlab", false, false);
    cr_assert_str_eq (first, second);
    free (first);
    free (second);
    t_free (&report);
}

//  --------------------------------------------------------------------------
//  GitLab

Test (gitlab, same_decisions_gitlab_style)
{
    report_t report;
    t_rich_report (&report);
    char *text = t_render (&report, "gitlab", false, false);
    ynode_t *root = t_parse (text);
    const ynode_t *stages = ytree_get (root, "stages");
    cr_assert_eq (stages->count, 1);
    cr_assert_str_eq (ytree_str (stages->items [0], ""), "test");
    const ynode_t *web = ytree_get (root, "web-app");
    cr_assert_not_null (web, "%s", text);
    cr_assert_str_eq (ytree_str (ytree_get (web, "stage"), ""), "test");
    cr_assert_str_eq (ytree_str (ytree_get (web, "image"), ""), "node:$NODE_VERSION");
    const ynode_t *matrix = ytree_path (web, "parallel", "matrix", NULL);
    cr_assert_eq (matrix->count, 1);
    const ynode_t *values = ytree_get (matrix->items [0], "NODE_VERSION");
    cr_assert_eq (values->count, 3);
    cr_assert_str_eq (ytree_str (values->items [0], ""), "20");
    cr_assert (values->items [0]->quoted);
    const ynode_t *services = ytree_get (web, "services");
    cr_assert_eq (services->count, 2);
    cr_assert_str_eq (ytree_str (ytree_get (services->items [0], "name"), ""),
                      "postgres:16");
    cr_assert_str_eq (ytree_str (ytree_get (services->items [0], "alias"), ""),
                      "postgres");
    cr_assert_str_eq (ytree_str (ytree_path (web, "variables", "POSTGRES_PASSWORD",
                      NULL), ""), "postgres");
    //  a GitLab job reaches a service by its alias
    cr_assert_str_eq (ytree_str (ytree_path (web, "variables", "DATABASE_URL", NULL), ""),
                      "postgres://postgres:postgres@postgres:5432/postgres", "%s", text);
    cr_assert_str_eq (ytree_str (ytree_path (web, "variables", "PGHOST", NULL), ""),
                      "postgres");
    cr_assert_not_null (ytree_path (web, "cache", "paths", NULL));
    //  Setup and install before the script; no sudo in a root container.
    const ynode_t *before = ytree_get (web, "before_script");
    bool cd = false, install = false;
    for (size_t i = 0; i < before->count; i++) {
        const char *line = ytree_str (before->items [i], "");
        cd = cd || strcmp (line, "cd web") == 0;
        install = install || strcmp (line, "pnpm install --frozen-lockfile") == 0;
        cr_assert_null (strstr (line, "sudo "), "%s", line);
    }
    cr_assert (cd && install, "%s", text);
    const ynode_t *script = ytree_get (web, "script");
    cr_assert_eq (script->count, 2);
    cr_assert_str_eq (ytree_str (script->items [0], ""), "pnpm lint");
    cr_assert_str_eq (ytree_str (script->items [1], ""), "pnpm test\npnpm run e2e -- --ci");
    //  The Python job: an image of the default version (a version file
    //  cannot pick a GitLab image), poetry installed first.
    const ynode_t *api = ytree_get (root, "api");
    cr_assert (strncmp (ytree_str (ytree_get (api, "image"), ""), "python:", 7) == 0);
    cr_assert_str_eq (ytree_str (ytree_get (api, "before_script")->items [0], ""),
                      "pip install poetry");
    cr_assert_not_null (ytree_path (api, "variables", "POETRY_CACHE_DIR", NULL));
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (github, an_axis_no_action_takes_reaches_the_steps_as_a_variable)
{
    //  a C++ library tested at its floor standard and the newest: no setup
    //  action takes a standard, so the matrix value becomes $CXX_STD
    report_t report = { 0 };
    report.project = strdup ("widgets");
    report_job_t *job = t_job (&report, "c", "c", "cmake", "");
    t_version (job, "cxx-std", "14", "CMakeLists.txt:9 cxx_std_ compile feature");
    t_version (job, "cxx-std", "20", "CMakeLists.txt:9 cxx_std_ compile feature");
    t_step (job, CMD_BUILD, NULL, "cmake -B build -DCMAKE_CXX_STANDARD=\"$CXX_STD\"",
            "CMakeLists.txt");
    t_step (job, CMD_TEST, NULL, "ctest --test-dir build", "CMakeLists.txt:30 add_test");
    char *text = t_render (&report, "github", false, false);
    t_lint (text);
    ynode_t *root = t_parse (text);
    const ynode_t *values = ytree_path (root, "jobs", "c", "strategy", "matrix",
                                        "cxx-std", NULL);
    cr_assert_not_null (values, "%s", text);
    cr_assert_eq (values->count, 2);
    cr_assert_str_eq (ytree_str (values->items [0], ""), "14");
    cr_assert_str_eq (ytree_str (ytree_path (root, "jobs", "c", "env", "CXX_STD", NULL), ""),
                      "${{ matrix.cxx-std }}");
    //  no setup step: checkout, then the report's steps
    char *uses = t_uses (root, "c");
    cr_assert_eq (strncmp (uses, "actions/checkout@", 17), 0, "%s", uses);
    cr_assert_str_eq (strchr (uses, ' '), "   ", "%s", uses);
    free (uses);
    ytree_destroy (&root);
    free (text);

    //  --explain says where the standards came from on the first step
    text = t_render (&report, "github", true, false);
    const char *build = strstr (text, "- name: Configure");
    cr_assert_not_null (build, "%s", text);
    const char *comment = strstr (text, "# cxx-std 14 from CMakeLists.txt:9");
    cr_assert (comment && comment < build, "%s", text);
    free (text);

    //  GitLab: the image stays the compiler's, the standard is a matrix
    //  variable of its own
    text = t_render (&report, "gitlab", false, false);
    root = t_parse (text);
    cr_assert_str_eq (ytree_str (ytree_path (root, "c", "image", NULL), ""), "gcc:14", "%s", text);
    const ynode_t *matrix = ytree_path (root, "c", "parallel", "matrix", NULL);
    cr_assert_not_null (matrix, "%s", text);
    cr_assert_eq (ytree_get (matrix->items [0], "CXX_STD")->count, 2);
    ytree_destroy (&root);
    free (text);

    //  one standard: a plain variable, no matrix
    free (job->versions [1].key);
    free (job->versions [1].value);
    free (job->versions [1].source);
    job->versions_count = 1;
    text = t_render (&report, "github", false, false);
    root = t_parse (text);
    cr_assert_null (ytree_path (root, "jobs", "c", "strategy", NULL));
    cr_assert_str_eq (ytree_str (ytree_path (root, "jobs", "c", "env", "CXX_STD", NULL), ""), "14");
    ytree_destroy (&root);
    free (text);
    text = t_render (&report, "gitlab", false, false);
    root = t_parse (text);
    cr_assert_null (ytree_path (root, "c", "parallel", NULL));
    cr_assert_str_eq (ytree_str (ytree_path (root, "c", "variables", "CXX_STD", NULL), ""), "14");
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (gitlab, every_ecosystem_gets_an_image_and_a_script)
{
    report_t report;
    t_ecosystem_report (&report);
    free (report.jobs [0].id);
    report.jobs [0].id = t_dup ("image");      //  a GitLab keyword
    char *text = t_render (&report, "gitlab", false, false);
    ynode_t *root = t_parse (text);
    cr_assert_eq (ytree_get (root, "image"), NULL, "a job took a keyword's name");
    cr_assert_not_null (ytree_get (root, "image-2"));
    cr_assert_eq (root->count, 1 + sizeof s_ecosystems / sizeof s_ecosystems [0]);
    for (size_t i = 1; i < root->count; i++) {
        const ynode_t *job = root->items [i];
        const char *image = ytree_str (ytree_get (job, "image"), "");
        cr_assert (*image && !strchr (image, '{'), "job %s image \"%s\"",
                   root->keys [i], image);
        cr_assert_not_null (ytree_get (job, "script"), "job %s", root->keys [i]);
    }
    cr_assert_str_eq (ytree_str (ytree_path (root, "python", "image", NULL), ""),
                      "python:3.10");
    cr_assert_str_eq (ytree_str (ytree_path (root, "dotnet", "image", NULL), ""),
                      "mcr.microsoft.com/dotnet/sdk:8.0");
    cr_assert_str_eq (ytree_str (ytree_path (root, "maven", "image", NULL), ""),
                      "maven:3-eclipse-temurin-17");
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (gitlab, empty_report)
{
    report_t report = { .project = t_dup ("quiet-lib") };
    char *text = t_render (&report, "gitlab", false, false);
    ynode_t *root = t_parse (text);
    cr_assert_eq (root->count, 2);
    const ynode_t *script = ytree_path (root, "nothing-detected", "script", NULL);
    cr_assert_not_null (script, "%s", text);
    cr_assert (strstr (ytree_str (script->items [0], ""), "quiet-lib"));
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (gitlab, package_lists_are_read_once)
{
    //  the C image's setup reads the package lists to install cmake; the
    //  job's own apt-get update is then left out, its install kept
    report_t report = { .project = t_dup ("lintc") };
    report_job_t *job = t_job (&report, "c", "c", "cmake", "");
    t_step (job, CMD_SYSTEM, "", "sudo apt-get update", "Makefile:5 target lint runs clang-tidy");
    t_step (job, CMD_SYSTEM, "", "sudo apt-get install -y clang-tidy",
            "Makefile:5 target lint runs clang-tidy");
    t_step (job, CMD_BUILD, "", "cmake -B build", "CMakeLists.txt");
    char *text = t_render (&report, "gitlab", false, false);
    ynode_t *root = t_parse (text);
    const ynode_t *before = ytree_path (root, "c", "before_script", NULL);
    cr_assert_not_null (before, "%s", text);
    size_t updates = 0;
    bool installs = false;
    for (size_t i = 0; i < before->count; i++) {
        const char *line = ytree_str (before->items [i], "");
        updates += strstr (line, "apt-get update") != NULL;
        installs = installs || strcmp (line, "apt-get install -y clang-tidy") == 0;
    }
    cr_assert_eq (updates, 1, "%s", text);
    cr_assert (installs, "%s", text);
    ytree_destroy (&root);
    free (text);
    t_free (&report);
}

Test (gitlab, an_image_tagged_by_full_versions_only_falls_back_for_a_major)
{
    //  denoland/deno publishes "2.1.4", never "2": a major alone would
    //  name an image that does not exist
    static const char *const cases [][2] = { { "2", "denoland/deno:latest" },
                                             { "2.1.4", "denoland/deno:2.1.4" } };
    for (size_t i = 0; i < 2; i++) {
        report_t report = { .project = t_dup ("tidy") };
        report_job_t *job = t_job (&report, "deno", "deno", NULL, "");
        t_version (job, "deno", cases [i][0], "deno.json");
        t_step (job, CMD_TEST, "", "deno task test", "deno.json");
        char *text = t_render (&report, "gitlab", false, false);
        ynode_t *root = t_parse (text);
        cr_assert_str_eq (ytree_str (ytree_path (root, "deno", "image", NULL), ""),
                          cases [i][1], "%s", text);
        ytree_destroy (&root);
        free (text);
        t_free (&report);
    }
}

Test (gitlab, explain_comments_every_script_line_with_its_source)
{
    report_t report = { .project = t_dup ("atlas") };
    report_job_t *job = t_job (&report, "web", "node", "npm", "web");
    t_step (job, CMD_INSTALL, "", "npm ci", "web/package-lock.json");
    t_step (job, CMD_TEST, "", "npm test\nnpm run e2e", "web/package.json:7 scripts.test");
    job = t_job (&report, "quiet", "go", NULL, "");
    char *text = t_render (&report, "gitlab", true, false);
    //  the text is still the same YAML, comments aside
    char *plain = t_render (&report, "gitlab", false, false);
    ynode_t *with = t_parse (text), *without = t_parse (plain);
    char *a = ytree_emit (with), *b = ytree_emit (without);
    cr_assert_str_eq (a, b);
    free (a);
    free (b);
    ytree_destroy (&with);
    ytree_destroy (&without);
    free (plain);
    cr_assert (strstr (text, "  # the job works in web/\n  - cd web\n"), "%s", text);
    //  each line says the name its step has in a GitHub workflow
    cr_assert (strstr (text, "  # Install dependencies: from web/package-lock.json\n"
                       "  - npm ci\n"), "%s", text);
    //  a multi-line command is one item with one comment
    cr_assert (strstr (text, "  # Test: from web/package.json:7 scripts.test\n  - |"), "%s",
               text);
    cr_assert (strstr (text, "  # the job found no commands to run\n  - echo"), "%s", text);
    free (text);
    t_free (&report);

    //  a comment count that does not match the items is refused
    const char *yaml = "job:\n  script:\n  - make\n  - make test\n";
    const char *one [] = { "from Makefile" };
    errno = 0;
    cr_assert_null (gitlab_comment_scripts (yaml, one, 1));
    cr_assert_eq (errno, EINVAL);
    const char *two [] = { "from Makefile", "from Makefile:3 target test" };
    char *done = gitlab_comment_scripts (yaml, two, 2);
    cr_assert_str_eq (done, "job:\n  script:\n  # from Makefile\n  - make\n"
                      "  # from Makefile:3 target test\n  - make test\n");
    free (done);
}

Test (github, explain_heads_the_file_with_the_reports_notes)
{
    report_t report = { .project = t_dup ("noted") };
    report_job_t *job = t_job (&report, "go", "go", NULL, "");
    t_step (job, CMD_TEST, "", "go test ./...", "go.mod");
    t_value (&report.notes, &report.notes_count, "dropped",
             "'brew install noted': installs the project itself", "README.md:9 (Install)");
    t_value (&report.notes, &report.notes_count, "conflict", "two\nlines", "");
    for (int i = 0; i < 60; i++)
        t_value (&report.notes, &report.notes_count, "info", "filler", "x");
    static const char *const targets [] = { "github", "gitlab" };
    for (size_t t = 0; t < 2; t++) {
        char *text = t_render (&report, targets [t], true, false);
        cr_assert (strncmp (text, "# readme2ci notes", 17) == 0, "%s", text);
        cr_assert (strstr (text, "\n# - dropped: 'brew install noted': installs the project "
                           "itself (README.md:9 (Install))\n"), "%s", text);
        //  a message with a newline stays one comment line
        cr_assert (strstr (text, "\n# - conflict: two lines\n"), "%s", text);
        cr_assert (strstr (text, "\n# - ... and 12 more\n"), "%s", text);
        //  still the same document
        char *plain = t_render (&report, targets [t], false, false);
        cr_assert_null (strstr (plain, "readme2ci notes"));
        ynode_t *a = t_parse (text), *b = t_parse (plain);
        char *x = ytree_emit (a), *y = ytree_emit (b);
        cr_assert_str_eq (x, y);
        free (x);
        free (y);
        ytree_destroy (&a);
        ytree_destroy (&b);
        free (plain);
        free (text);
    }
    t_free (&report);
}

//  --------------------------------------------------------------------------
//  JSON and options

//  True when the keys appear in text in this order.
static bool
t_in_order (const char *text, const char *const *keys)
{
    const char *at = text;
    for (size_t i = 0; keys [i]; i++) {
        char quoted [64];
        snprintf (quoted, sizeof quoted, "\"%s\":", keys [i]);
        at = strstr (at, quoted);
        if (!at)
            return false;
    }
    return true;
}

Test (json, the_report_with_every_source)
{
    report_t report;
    t_rich_report (&report);
    t_value (&report.notes, &report.notes_count, "conflict",
             "README says node 18, package.json says 20", "README.md:12");
    char *text = t_render (&report, "gitlab", true, true);     //  json wins
    json_error_t error;
    json_t *root = json_loads (text, 0, &error);
    cr_assert_not_null (root, "%s", error.text);
    cr_assert_str_eq (json_string_value (json_object_get (root, "project")), "shop");
    cr_assert (json_is_false (json_object_get (root, "degraded")));
    json_t *jobs = json_object_get (root, "jobs");
    cr_assert_eq (json_array_size (jobs), 2);
    json_t *web = json_array_get (jobs, 0);
    cr_assert_str_eq (json_string_value (json_object_get (web, "id")), "web app");
    json_t *version = json_array_get (json_object_get (web, "versions"), 1);
    cr_assert_str_eq (json_string_value (json_object_get (version, "version")), "22");
    cr_assert_str_eq (json_string_value (json_object_get (version, "source")),
                      "package.json:5 engines.node");
    json_t *step = json_array_get (json_object_get (web, "steps"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (step, "kind")), "system");
    json_t *cache = json_object_get (json_object_get (web, "settings"), "cache");
    cr_assert_str_eq (json_string_value (json_object_get (cache, "value")), "pnpm");
    json_t *service = json_array_get (json_object_get (web, "services"), 0);
    cr_assert_str_eq (json_string_value (json_array_get (json_object_get (service,
                      "ports"), 0)), "5432:5432");
    json_t *note = json_array_get (json_object_get (root, "notes"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (note, "kind")), "conflict");
    static const char *const top [] = { "project", "degraded", "tests_found", "jobs", "notes",
                                        NULL };
    static const char *const job [] = { "id", "ecosystem", "language", "tool",
        "tool_source", "dir", "versions", "settings", "steps", "services", NULL };
    static const char *const step_keys [] = { "kind", "name", "run", "source", NULL };
    cr_assert (t_in_order (text, top));
    cr_assert (t_in_order (text, job));
    cr_assert (t_in_order (strstr (text, "\"steps\""), step_keys));
    cr_assert (strstr (text, "\n  \"jobs\": ["), "indent 2:\n%s", text);
    cr_assert_eq (text [strlen (text) - 1], '\n');
    json_decref (root);
    free (text);
    t_free (&report);
}

Test (json, empty_report_has_a_note)
{
    report_t report = { .project = t_dup ("quiet-lib") };
    char *text = t_render (&report, "github", false, true);
    json_t *root = json_loads (text, 0, NULL);
    cr_assert_not_null (root);
    cr_assert_eq (json_array_size (json_object_get (root, "jobs")), 0);
    json_t *notes = json_object_get (root, "notes");
    cr_assert_eq (json_array_size (notes), 1);
    cr_assert (strstr (json_string_value (json_object_get (json_array_get (notes, 0),
                       "message")), "nothing was detected"));
    json_decref (root);
    free (text);
    t_free (&report);
}

Test (generator, unknown_target_is_refused)
{
    report_t report = { 0 };
    char err [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    step_options_t options = { .target = "jenkins" };
    char *text = NULL;
    errno = 0;
    cr_assert_eq (generator_render (kb, &report, &options, &text, err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (text);
    cr_assert (strstr (err, "jenkins"), "%s", err);
    //  A target that fills the field without a terminator is still safe.
    memset (options.target, 'x', sizeof options.target);
    cr_assert_eq (generator_render (kb, &report, &options, &text, err, sizeof err), -1);
    //  No options means GitHub.
    cr_assert_eq (generator_render (kb, &report, NULL, &text, err, sizeof err), 0);
    cr_assert (strstr (text, "runs-on:"));
    free (text);
    knowledge_destroy (&kb);
}

Test (generator, a_report_of_null_fields_does_not_crash)
{
    report_step_t step = { .kind = (cmd_kind_t) 99 };
    report_service_t service = { .ports_count = 0 };
    report_value_t value = { 0 };
    report_job_t job = { .steps = &step, .steps_count = 1,
                         .services = &service, .services_count = 1,
                         .versions = &value, .versions_count = 1,
                         .settings = &value, .settings_count = 1 };
    report_t report = { .jobs = &job, .jobs_count = 1,
                        .notes = &value, .notes_count = 1 };
    static const char *const targets [] = { "github", "gitlab" };
    for (size_t t = 0; t < 2; t++)
        for (int json = 0; json < 2; json++) {
            char *text = t_render (&report, targets [t], true, json);
            if (!json) {
                ynode_t *root = t_parse (text);
                ytree_destroy (&root);
            }
            free (text);
        }
}
