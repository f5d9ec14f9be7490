/*  workers/detector/eco_elixir.c - Elixir with mix: versions from mix.exs
    or .tool-versions, each Elixir line paired with its newest OTP.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

//  The OTP line paired with an Elixir line: the newest it runs on that the
//  knowledge knows.
static const char *
s_otp_for (const dctx_t *self, const char *elixir)
{
    const ynode_t *pair = ytree_path (knowledge_root (self->kb), "elixir-otp", elixir, NULL);
    if (!pair || pair->kind != YNODE_SEQ || pair->count < 2)
        return NULL;
    return ytree_str (pair->items [1], NULL);
}

void
eco_elixir_detect (dctx_t *self)
{
    if (!dctx_has (self, "mix.exs"))
        return;
    report_job_t *job = dctx_job (self, "elixir", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "mix", "mix.exs");
    const project_file_t *mix = dctx_manifest (self, "mix.exs");
    char range [64], source [192], name [64];
    unsigned line = 0;
    if (mix) {
        const char *app = strstr (mix->data, "app: :");
        if (app) {
            size_t n = 0;
            for (const char *p = app + 6; (isalnum ((unsigned char) *p) || *p == '_')
                                          && n + 1 < sizeof name; p++)
                name [n++] = *p;
            name [n] = 0;
            dctx_add_name (self, name);
        }
    }
    bool matrix = false;
    if (mix && dtext_quoted_after (mix->data, "elixir:", range, sizeof range, &line)) {
        dctx_source (source, sizeof source, "mix.exs", line, "elixir");
        matrix = dctx_matrix (self, job, "elixir", range, source);
    }
    //  no requirement in mix.exs: the versions .tool-versions pins (setup-
    //  beam reads the file; it needs both the Elixir and the Erlang line)
    char pinned [64];
    unsigned pin_line = 0;
    if (!matrix && eco_tool_versions (self, "elixir", pinned, sizeof pinned, &pin_line)
        && eco_tool_versions (self, "erlang", pinned, sizeof pinned, NULL)) {
        dctx_source (source, sizeof source, ".tool-versions", pin_line, "elixir");
        dctx_setting (self, job, "version-file", ".tool-versions", source);
        matrix = true;
    }
    if (!matrix)
        dctx_matrix (self, job, "elixir", NULL, "knowledge: supported Elixir lines");
    //  each Elixir line of the matrix with the newest OTP it supports
    size_t elixirs = 0;
    for (size_t i = 0; i < job->versions_count; i++)
        if (strcmp (job->versions [i].key, "elixir") == 0) {
            const char *otp = s_otp_for (self, job->versions [i].value);
            char why [96];
            snprintf (why, sizeof why, "knowledge: newest OTP for Elixir %s",
                      job->versions [i].value);
            if (otp)
                dctx_version (self, job, "otp", otp, why);
            elixirs++;
        }
    if (elixirs > 1)
        dctx_note (self, "info", "Elixir and OTP versions pair in order (oldest with "
                   "oldest): not every combination runs", "mix.exs");
    dctx_step (self, job, CMD_INSTALL, "mix deps.get", "mix.exs");
    if (dctx_has (self, ".formatter.exs"))
        dctx_step (self, job, CMD_LINT, "mix format --check-formatted", ".formatter.exs");
    dctx_step (self, job, CMD_TEST, "mix test", "mix.exs");
    //  drivers among the deps: {:postgrex, "~> 0.17"}
    for (const char *p = mix? strstr (mix->data, "{:"): NULL; p; p = strstr (p + 1, "{:")) {
        char dep [64];
        size_t n = 0;
        for (const char *q = p + 2; (isalnum ((unsigned char) *q) || *q == '_')
                                    && n + 1 < sizeof dep; q++)
            dep [n++] = *q;
        dep [n] = 0;
        char what [96];
        snprintf (what, sizeof what, "deps %s", dep);
        dctx_source (source, sizeof source, "mix.exs", dtext_line_at (mix->data, p), what);
        dctx_driver (self, job, dep, source);
    }
}
