/*  workers/detector/eco_lua.c - Lua with LuaRocks: the rockspec's lua
    dependency for versions, busted for tests.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

//  The Lua versions a rockspec's dependencies accept ("lua >= 5.1, < 5.5")
//  as a range into out, with its line in *line_p. LuaRocks' "~> 5.1"
//  keeps to the 5.1 line (unlike a gem's "~>").
static bool
s_lua_range (const char *text, char *out, size_t size, unsigned *line_p)
{
    const char *deps = strstr (text, "dependencies");
    //  test_dependencies and build_dependencies are not the rock's own
    while (deps && deps > text && (isalnum ((unsigned char) deps [-1]) || deps [-1] == '_'))
        deps = strstr (deps + 1, "dependencies");
    const char *end = deps? strchr (deps, '}'): NULL;
    for (const char *p = deps? strstr (deps, "\"lua"): NULL; p && p < end;
         p = strstr (p + 1, "\"lua")) {
        const char *v = p + 4;
        if (*v != ' ' && *v != '\t' && *v != '>' && *v != '<' && *v != '=' && *v != '~')
            continue;
        while (*v == ' ' || *v == '\t')
            v++;
        const char *close = strchr (v, '"');
        if (!close || close > end || close == v)
            return false;
        char range [64];
        snprintf (range, sizeof range, "%.*s", (int) (close - v), v);
        *line_p = dtext_line_at (text, p);
        unsigned major = 0, minor = 0;
        if (sscanf (range, "~> %u.%u", &major, &minor) == 2)
            snprintf (out, size, ">=%u.%u, <%u.%u", major, minor, major, minor + 1);
        else
            snprintf (out, size, "%s", range);
        return true;
    }
    return false;
}

void
eco_lua_detect (dctx_t *self)
{
    const char *rockspec = dctx_find_suffix (self, ".rockspec");
    if (!rockspec)
        return;
    report_job_t *job = dctx_job (self, "lua", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "luarocks", rockspec);
    const project_file_t *spec = dctx_manifest (self, rockspec);
    char range [64], source [192];
    unsigned at = 0;
    bool matrix = false;
    if (spec && s_lua_range (spec->data, range, sizeof range, &at)) {
        dctx_source (source, sizeof source, rockspec, at, "dependencies lua");
        matrix = dctx_matrix (self, job, "lua", range, source);
    }
    if (!matrix)
        dctx_version (self, job, "lua", "5.4", "default Lua line");
    char run [256];
    snprintf (run, sizeof run, "luarocks install --only-deps %s", rockspec);
    dctx_step (self, job, CMD_INSTALL, run, rockspec);
    if (dctx_has (self, ".busted") || (spec && strstr (spec->data, "busted"))) {
        dctx_step (self, job, CMD_INSTALL, "luarocks install busted",
                   dctx_has (self, ".busted")? ".busted": rockspec);
        dctx_step (self, job, CMD_TEST, "busted", dctx_has (self, ".busted")? ".busted": rockspec);
    }
}
