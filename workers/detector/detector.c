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

//  The order ecosystems are looked at, which is the order of the jobs: the
//  languages whose manifest usually is the project's own first, Node (so
//  often only tooling) after them, and C last because a bare Makefile is
//  only a C project when nothing else claims it.
static void (*const s_rules []) (dctx_t *) = {
    eco_rust_detect, eco_go_detect, eco_jvm_detect, eco_dotnet_detect,
    eco_beam_detect, eco_swift_detect, eco_zig_detect, eco_haskell_detect,
    eco_ocaml_detect, eco_dart_detect, eco_r_detect, eco_lua_detect,
    eco_php_detect, eco_ruby_detect, eco_python_detect, eco_deno_detect,
    eco_node_detect, eco_native_detect,
};

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
    size_t kept = 0;
    for (size_t j = 0; j < report->jobs_count; j++) {
        if (self->strength [j] == DCTX_WEAK) {
            char why [160];
            snprintf (why, sizeof why, "%s files look like tooling for the main "
                      "project: no %s job", report->jobs [j].ecosystem,
                      report->jobs [j].ecosystem);
            dctx_note (self, "info", why, report->jobs [j].tool_source);
            s_free_job (&report->jobs [j]);
            continue;
        }
        self->strength [kept] = self->strength [j];
        report->jobs [kept++] = report->jobs [j];
    }
    report->jobs_count = kept;
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
                   .doc = doc? doc: &empty_doc, .readme_only = readme_only,
                   .report = report };
    report->degraded = readme_only;
    const char *name = ctx.project->name && *ctx.project->name? ctx.project->name
                     : ctx.doc->title? ctx.doc->title: "";
    report->project = strdup (name);
    if (!report->project)
        ctx.oom = true;
    if (!readme_only) {
        for (size_t i = 0; i < sizeof s_rules / sizeof s_rules [0]; i++)
            s_rules [i] (&ctx);
        eco_just_fallback (&ctx);
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
    for (size_t i = 0; i < ctx.names_count; i++)
        free (ctx.names [i]);
    if (ctx.oom) {
        report_release (report);
        if (err && err_size)
            snprintf (err, err_size, "detector: out of memory");
        return errno = ENOMEM, -1;
    }
    return 0;
}
