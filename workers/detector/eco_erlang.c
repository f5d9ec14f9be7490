/*  workers/detector/eco_erlang.c - Erlang with rebar3: minimum_otp_vsn or
    .tool-versions for versions, a Makefile test target as the wrapper.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <stdio.h>

void
eco_erlang_detect (dctx_t *self)
{
    if (!dctx_has (self, "rebar.config"))
        return;
    //  beside mix.exs, the Elixir job is the project's: this one is weak
    dctx_strength_t strength = dctx_has (self, "mix.exs")? DCTX_WEAK: DCTX_STRONG;
    report_job_t *job = dctx_job (self, "erlang", strength);
    if (!job)
        return;
    dctx_tool (self, job, "rebar3", "rebar.config");
    const project_file_t *conf = dctx_manifest (self, "rebar.config");
    char otp [32], source [192];
    unsigned line = 0;
    bool matrix = false;
    if (conf && dtext_quoted_after (conf->data, "minimum_otp_vsn", otp, sizeof otp, &line)) {
        char range [40];
        snprintf (range, sizeof range, ">=%s", otp);
        dctx_source (source, sizeof source, "rebar.config", line, "minimum_otp_vsn");
        matrix = dctx_matrix (self, job, "otp", range, source);
    }
    //  .tool-versions instead, when it pins rebar3 too (setup-beam then
    //  installs only what the file names)
    char pinned [64];
    if (!matrix && eco_tool_versions (self, "erlang", pinned, sizeof pinned, &line)
        && eco_tool_versions (self, "rebar", pinned, sizeof pinned, NULL)) {
        dctx_source (source, sizeof source, ".tool-versions", line, "erlang");
        dctx_setting (self, job, "version-file", ".tool-versions", source);
        matrix = true;
    }
    if (!matrix)
        dctx_matrix (self, job, "otp", NULL, "knowledge: supported OTP lines");
    dctx_step (self, job, CMD_BUILD, "rebar3 compile", "rebar.config");
    static const char *const tools [] = { "rebar3", "REBAR", "${REBAR}", "$(REBAR)", NULL };
    if (!eco_make_wrapper (self, job, CMD_TEST, "test", tools))
        dctx_step (self, job, CMD_TEST, "rebar3 eunit", "rebar.config");
}
