/*  Tests for workers/generator: the GitHub workflow (checked by parsing it
    back and by actionlint), explain comments, overlays, GitLab and JSON.  */
#include "common/knowledge.h"
#include "common/ytree.h"
#include "tests/support/testutil.h"
#include "workers/generator/generator.h"
#include "workers/generator/github.h"
#include "workers/generator/recipe.h"
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

Test (generator, smoke)
{
    report_t report = { .project = t_dup ("demo") };
    report_job_t *job = t_job (&report, "node", "node", "pnpm", "web");
    t_version (job, "node", "20", "package.json:5 engines.node");
    t_version (job, "node", "22", "package.json:5 engines.node");
    t_setting (job, "cache", "pnpm");
    t_setting (job, "pnpm-version", "9");
    t_step (job, CMD_INSTALL, "", "pnpm install --frozen-lockfile", "README.md:10");
    t_step (job, CMD_TEST, "", "pnpm test\npnpm run e2e", "package.json:8 scripts.test");
    t_service (job, "postgres", "postgres:16", "5432:5432",
               "POSTGRES_PASSWORD=postgres", "pg_isready -U postgres");
    job = t_job (&report, "rust", "rust", "cargo", "");
    t_setting (job, "msrv", "1.70");
    t_step (job, CMD_TEST, "", "cargo test", "Cargo.toml");
    char *text = t_render (&report, "github", true, false);
    ynode_t *root = t_parse (text);
    cr_assert_not_null (t_find_step (root, "node", "Test"));
    ytree_destroy (&root);
    fprintf (stderr, "%s\n", text);
    t_lint (text);
    free (text);
    text = t_render (&report, "gitlab", false, false);
    fprintf (stderr, "%s\n", text);
    free (text);
    text = t_render (&report, "", false, true);
    fprintf (stderr, "%s\n", text);
    free (text);
    t_free (&report);
}
