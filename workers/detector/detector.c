/*  workers/detector/detector.c - detection in order: every ecosystem's
    manifests, then the README, then services; weak jobs beside strong
    ones are dropped and each job's steps put in run order.  */
#include "workers/detector/detector.h"
#include "workers/detector/dctx.h"
#include "workers/detector/dreadme.h"
#include "workers/detector/dservice.h"
#include "workers/detector/eco.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The ecosystems' rules by name. They run in the order of the
//  knowledge's ecosystem-order, which is the order of the jobs.
#define ECO_ROW(name) { #name, eco_##name##_detect },
static const struct {
    const char *name;
    void (*detect) (dctx_t *self);
} s_rules [] = { ECO_RULES (ECO_ROW) };

//  Runs every ecosystem's rule, in the knowledge's order.
static void
s_run_rules (dctx_t *self)
{
    const ynode_t *order = ytree_get (knowledge_root (self->kb), "ecosystem-order");
    for (size_t i = 0; order && order->kind == YNODE_SEQ && i < order->count; i++) {
        const char *name = ytree_str (order->items [i], "");
        for (size_t r = 0; r < sizeof s_rules / sizeof s_rules [0]; r++)
            if (strcmp (s_rules [r].name, name) == 0)
                s_rules [r].detect (self);
    }
}

static int
s_rank (cmd_kind_t kind)
{
    switch (kind) {
        case CMD_SYSTEM:  return 0;
        case CMD_INSTALL: return 1;
        case CMD_BUILD:   return 2;
        case CMD_LINT:    return 3;
        case CMD_TEST:    return 4;
        default:          return 5;
    }
}

//  Stable insertion sort: steps of one kind keep their order.
static void
s_sort_steps (report_job_t *job)
{
    for (size_t i = 1; i < job->steps_count; i++) {
        report_step_t step = job->steps [i];
        size_t k = i;
        while (k > 0 && s_rank (job->steps [k - 1].kind) > s_rank (step.kind)) {
            job->steps [k] = job->steps [k - 1];
            k--;
        }
        job->steps [k] = step;
    }
}

static void
s_free_job (report_job_t *job)
{
    report_t one = { NULL, false, job, 1, NULL, 0 };
    report_job_t *copy = malloc (sizeof *copy);
    if (copy) {
        *copy = *job;
        one.jobs = copy;
        report_release (&one);
    }
}

//  Free the jobs marked in drop and close the gaps, keeping the order
//  (and each job's strength) of the others.
static void
s_drop_jobs (dctx_t *self, const bool *drop)
{
    report_t *report = self->report;
    size_t kept = 0;
    for (size_t j = 0; j < report->jobs_count; j++) {
        if (drop [j]) {
            s_free_job (&report->jobs [j]);
            continue;
        }
        self->strength [kept] = self->strength [j];
        report->jobs [kept++] = report->jobs [j];
    }
    report->jobs_count = kept;
}

//  Weak evidence (a lone requirements.txt, a tooling Gemfile, a package.json
//  with no tests) does not make a job beside a strong one.
static void
s_drop_weak (dctx_t *self)
{
    report_t *report = self->report;
    bool strong = false;
    for (size_t j = 0; j < report->jobs_count; j++)
        if (self->strength [j] == DCTX_STRONG)
            strong = true;
    if (!strong)
        return;
    bool drop [DCTX_MAX_JOBS] = { false };
    for (size_t j = 0; j < report->jobs_count; j++)
        if (self->strength [j] == DCTX_WEAK) {
            char why [160];
            snprintf (why, sizeof why, "%s files look like tooling for the main "
                      "project: no %s job", report->jobs [j].ecosystem,
                      report->jobs [j].ecosystem);
            dctx_note (self, "info", why, report->jobs [j].tool_source);
            drop [j] = true;
        }
    s_drop_jobs (self, drop);
}

//  The project as seen from one folder: the entries under dir/ (or, for
//  dir "", the top-level ones), named without the folder, sharing the
//  original strings. Free the arrays only (s_view_release).
static int
s_view (const project_t *project, const char *dir, project_t *view)
{
    memset (view, 0, sizeof *view);
    view->name = project->name;
    size_t prefix = *dir? strlen (dir) + 1: 0;
    view->files = calloc (project->files_count + 1, sizeof *view->files);
    view->manifests = calloc (project->manifests_count + 1, sizeof *view->manifests);
    if (!view->files || !view->manifests) {
        free (view->files);
        free (view->manifests);
        return -1;
    }
    for (size_t i = 0; i < project->files_count + project->manifests_count; i++) {
        bool manifest = i >= project->files_count;
        const char *name = manifest? project->manifests [i - project->files_count].name
                                   : project->files [i];
        if (!name || (prefix && (strncmp (name, dir, prefix - 1) != 0
                                 || name [prefix - 1] != '/' || !name [prefix])))
            continue;
        const char *rest = name + prefix;
        const char *slash = strchr (rest, '/');
        if (slash && slash [1])
            continue;           //  deeper, or a part's entry seen from the top
        if (manifest) {
            view->manifests [view->manifests_count] = project->manifests [i - project->files_count];
            view->manifests [view->manifests_count++].name = (char *) rest;
        }
        else
            view->files [view->files_count++] = (char *) rest;
    }
    return 0;
}

static void
s_view_release (project_t *view)
{
    free (view->files);
    free (view->manifests);
    memset (view, 0, sizeof *view);
}

//  "package.json:6 scripts.lint" found in a part becomes
//  "web/package.json:6 scripts.lint": a source that starts with the
//  name of one of the part's entries gets the folder in front.
static void
s_prefix_source (dctx_t *self, const project_t *view, char **source)
{
    if (!*source || !**source)
        return;
    size_t len = strcspn (*source, ": (");
    bool named = false;
    for (size_t i = 0; !named && i < view->files_count; i++)
        named = strlen (view->files [i]) == len && strncmp (view->files [i], *source, len) == 0;
    for (size_t i = 0; !named && i < view->manifests_count; i++)
        named = strlen (view->manifests [i].name) == len
             && strncmp (view->manifests [i].name, *source, len) == 0;
    if (!named)
        return;
    char *prefixed = NULL;
    if (asprintf (&prefixed, "%s/%s", self->dir, *source) < 0) {
        self->oom = true;
        return;
    }
    free (*source);
    *source = prefixed;
}

//  The parts one level down that hold build files: each distinct first
//  folder of a manifest's name, in order, into dirs (malloc'd). Returns
//  their count.
static size_t
s_parts (const dctx_t *self, const project_t *project, char **dirs, size_t max)
{
    size_t count = 0;
    const ynode_t *tests = ytree_path (knowledge_root (self->kb), "native",
                                       "test-folders", NULL);
    for (size_t i = 0; i < project->manifests_count && count < max; i++) {
        const char *name = project->manifests [i].name;
        const char *slash = name? strchr (name, '/'): NULL;
        if (!slash || slash == name || strchr (slash + 1, '/'))
            continue;
        size_t len = (size_t) (slash - name);
        //  a test folder holds the tests of the top-level build (the C
        //  rule reads it), not a part of its own
        bool test_folder = false;
        for (size_t t = 0; tests && tests->kind == YNODE_SEQ && t < tests->count; t++) {
            const char *folder = ytree_str (tests->items [t], "");
            test_folder = test_folder || (strlen (folder) == len
                                          && strncmp (folder, name, len) == 0);
        }
        if (test_folder)
            continue;
        bool seen = false;
        for (size_t d = 0; !seen && d < count; d++)
            seen = strlen (dirs [d]) == len && strncmp (dirs [d], name, len) == 0;
        if (!seen && (dirs [count] = strndup (name, len)))
            count++;
    }
    return count;
}

//  True when a part's job of ecosystem belongs to the top-level build:
//  the top has a job of that ecosystem among the first top_jobs, and the
//  ecosystem builds its parts together (Go modules, Python and Ruby
//  packages... nested in a project are built on their own; Node's only
//  when the top declares no workspaces).
static bool
s_member (const dctx_t *self, const project_t *top, const char *ecosystem, size_t top_jobs)
{
    static const char *const separate [] = { "go", "python", "ruby", "php", "deno",
        "r", "lua", "node", NULL };
    bool at_top = false;
    for (size_t j = 0; j < top_jobs && !at_top; j++)
        at_top = strcmp (self->report->jobs [j].ecosystem, ecosystem) == 0
              && !*self->report->jobs [j].dir;
    if (!at_top)
        return false;
    if (strcmp (ecosystem, "node") == 0) {
        for (size_t i = 0; i < top->manifests_count; i++)
            if (strcmp (top->manifests [i].name, "package.json") == 0
                && strstr (top->manifests [i].data, "\"workspaces\""))
                return true;
        for (size_t i = 0; i < top->files_count; i++)
            if (strcmp (top->files [i], "pnpm-workspace.yaml") == 0)
                return true;
        return false;
    }
    for (size_t i = 0; separate [i]; i++)
        if (strcmp (ecosystem, separate [i]) == 0)
            return false;
    return true;
}

//  Runs the ecosystem rules on the part in dir; its jobs work there and
//  their sources name their files from the top.
static void
s_detect_part (dctx_t *self, const project_t *project, const char *dir)
{
    project_t view;
    if (s_view (project, dir, &view)) {
        self->oom = true;
        return;
    }
    const project_t *top = self->project;
    self->project = &view;
    self->dir = dir;
    size_t jobs_before = self->report->jobs_count;
    size_t notes_before = self->report->notes_count;
    s_run_rules (self);
    for (size_t j = jobs_before; j < self->report->jobs_count; j++) {
        report_job_t *job = &self->report->jobs [j];
        s_prefix_source (self, &view, &job->tool_source);
        for (size_t k = 0; k < job->versions_count; k++)
            s_prefix_source (self, &view, &job->versions [k].source);
        for (size_t k = 0; k < job->settings_count; k++)
            s_prefix_source (self, &view, &job->settings [k].source);
        for (size_t k = 0; k < job->steps_count; k++)
            s_prefix_source (self, &view, &job->steps [k].source);
        for (size_t k = 0; k < job->services_count; k++)
            s_prefix_source (self, &view, &job->services [k].source);
    }
    for (size_t n = notes_before; n < self->report->notes_count; n++)
        s_prefix_source (self, &view, &self->report->notes [n].source);
    //  A part the top-level build already covers (a CMake subdirectory, a
    //  Cargo, Maven or Gradle module, a project of the solution, an npm
    //  workspace) gets no job of its own.
    bool drop [DCTX_MAX_JOBS] = { false };
    for (size_t j = jobs_before; j < self->report->jobs_count; j++) {
        const report_job_t *job = &self->report->jobs [j];
        if (s_member (self, top, job->ecosystem, jobs_before)) {
            char why [256];
            snprintf (why, sizeof why, "%s/ is part of the top-level %s build: "
                      "no job of its own", dir, job->ecosystem);
            dctx_note (self, "info", why, dir);
            drop [j] = true;
        }
    }
    s_drop_jobs (self, drop);
    self->project = top;
    self->dir = "";
    s_view_release (&view);
}

//  No job runs tests: say what was read, so --explain and --json show
//  where a test command was looked for (the generator quotes it in the
//  test step that fails).
static void
s_no_tests_note (dctx_t *self, const project_t *project)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out) {
        self->oom = true;
        return;
    }
    const readme_doc_t *doc = self->doc;
    fputs ("no test command found in ", out);
    for (size_t i = 0; i < doc->docs_count && i < 4; i++)
        fprintf (out, "%s%s", i? ", ": "", doc->docs [i]);
    if (doc->docs_count && doc->commands_count)
        fprintf (out, " (%zu command%s, none runs tests)", doc->commands_count,
                 doc->commands_count == 1? "": "s");
    else
    if (doc->docs_count)
        fputs (" (no command in it)", out);
    size_t count = self->readme_only? 0: project->manifests_count;
    for (size_t i = 0; i < count && i < 8; i++)
        fprintf (out, "%s%s", i? ", ": doc->docs_count? count == 1? " or the build file ":
                 " or the build files ": count == 1? "the build file ": "the build files ",
                 project->manifests [i].name);
    if (count > 8)
        fprintf (out, " and %zu more", count - 8);
    if (self->readme_only)
        fputs (" (the build files were not read: the detector was unavailable)", out);
    else
    if (!count)
        fputs (", and no build file", out);
    else
    if (!doc->docs_count)
        fputs (" (and no README)", out);
    if (fclose (out) || !text) {
        free (text);
        self->oom = true;
        return;
    }
    dctx_note (self, "no-tests", text, "");
    free (text);
}

int
detector_detect (const knowledge_t *kb, const project_t *project,
                 const readme_doc_t *doc, bool readme_only,
                 report_t *report, char *err, size_t err_size)
{
    if (err && err_size)
        err [0] = 0;
    if (!report)
        return errno = EINVAL, -1;
    memset (report, 0, sizeof *report);
    if (!kb) {
        if (err && err_size)
            snprintf (err, err_size, "detector: no CI knowledge");
        return errno = EINVAL, -1;
    }
    static const project_t empty_project;
    static const readme_doc_t empty_doc;
    dctx_t ctx = { .kb = kb, .project = project? project: &empty_project,
                   .whole = project? project: &empty_project,
                   .doc = doc? doc: &empty_doc, .readme_only = readme_only,
                   .report = report };
    report->degraded = readme_only;
    const char *name = ctx.project->name && *ctx.project->name? ctx.project->name
                     : ctx.doc->title? ctx.doc->title: "";
    report->project = strdup (name);
    if (!report->project)
        ctx.oom = true;
    project_t top;
    bool viewed = false;
    const project_t *whole = ctx.project;
    if (!readme_only) {
        //  the top level first, as the rules know it; then each part
        //  one level down (web/, api/) that has build files of its own
        if (s_view (ctx.project, "", &top) == 0) {
            viewed = true;
            ctx.project = &top;
        }
        else
            ctx.oom = true;
        ctx.dir = "";
        if (viewed)
            s_run_rules (&ctx);
        eco_just_fallback (&ctx);
        char *parts [16];
        size_t parts_count = viewed? s_parts (&ctx, whole, parts, 16): 0;
        for (size_t d = 0; d < parts_count; d++) {
            s_detect_part (&ctx, whole, parts [d]);
            free (parts [d]);
        }
    }
    dreadme_merge (&ctx);
    dservice_detect (&ctx);
    s_drop_weak (&ctx);
    for (size_t j = 0; j < report->jobs_count; j++)
        s_sort_steps (&report->jobs [j]);
    if (!report->jobs_count)
        dctx_note (&ctx, "info", readme_only
                   ? "the documents name no ecosystem and no command to run"
                   : "no ecosystem found among the top-level files", "");
    if (!report_has_tests (report))
        s_no_tests_note (&ctx, whole);
    for (size_t i = 0; i < ctx.names_count; i++)
        free (ctx.names [i]);
    dctx_limits_release (&ctx);
    if (viewed)
        s_view_release (&top);
    if (ctx.oom) {
        report_release (report);
        if (err && err_size)
            snprintf (err, err_size, "detector: out of memory");
        return errno = ENOMEM, -1;
    }
    return 0;
}
