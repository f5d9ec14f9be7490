/*  workers/detector/eco_dotnet.c - .NET: solutions and projects, SDK
    versions from target frameworks and global.json.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NET_MAX_TFMS 8

//  Target frameworks named in an MSBuild file: "net8.0;net48".
static size_t
s_frameworks (const project_file_t *file, char tfms [][16], size_t count,
              unsigned *line_p)
{
    static const char *const tags [] = { "<TargetFrameworks>", "<TargetFramework>", NULL };
    for (size_t t = 0; tags [t]; t++) {
        for (const char *at = strstr (file->data, tags [t]); at;
             at = strstr (at + 1, tags [t])) {
            const char *p = at + strlen (tags [t]);
            if (!*line_p)
                *line_p = dtext_line_at (file->data, at);
            while (*p && *p != '<' && count < NET_MAX_TFMS) {
                while (*p == ';' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
                    p++;
                size_t n = 0;
                while (*p && *p != ';' && *p != '<' && !isspace ((unsigned char) *p)
                       && n + 1 < 16)
                    tfms [count][n++] = *p++;
                tfms [count][n] = 0;
                if (n)
                    count++;
                else
                    break;
            }
        }
    }
    return count;
}

//  The service each NuGet package an MSBuild file references points at:
//  <PackageReference Include="Npgsql" Version="8.0.2" />.
static void
s_packages (dctx_t *self, report_job_t *job, const project_file_t *file)
{
    static const char tag [] = "<PackageReference";
    for (const char *at = strstr (file->data, tag); at; at = strstr (at + 1, tag)) {
        const char *end = strchr (at, '>');
        const char *include = strstr (at, "Include=");
        if (!end || !include || include > end)
            continue;
        const char *q = include + 8;
        if (*q != '"' && *q != '\'')
            continue;
        char quote = *q++, name [96];
        size_t n = 0;
        while (*q && *q != quote && q < end && n + 1 < sizeof name)
            name [n++] = *q++;
        name [n] = 0;
        char source [192], what [128];
        snprintf (what, sizeof what, "PackageReference %s", name);
        dctx_source (source, sizeof source, file->name, dtext_line_at (file->data, at), what);
        dctx_driver (self, job, name, source);
    }
}

//  The top-level PowerShell build script's name as listed (build.ps1,
//  Build.ps1), or NULL. Borrowed.
static const char *
s_build_script (const dctx_t *self)
{
    for (size_t i = 0; !self->readme_only && i < self->project->files_count; i++) {
        const char *f = self->project->files [i];
        if (f && strcasecmp (f, "build.ps1") == 0)
            return f;
    }
    return NULL;
}

//  The script beside it that prepares a machine for it (setup.ps1,
//  bootstrap.ps1: SDKs, tools), or NULL. Borrowed.
static const char *
s_setup_script (const dctx_t *self)
{
    static const char *const names [] = { "setup.ps1", "bootstrap.ps1", NULL };
    for (size_t n = 0; names [n]; n++)
        for (size_t i = 0; !self->readme_only && i < self->project->files_count; i++) {
            const char *f = self->project->files [i];
            if (f && strcasecmp (f, names [n]) == 0)
                return f;
        }
    return NULL;
}

void
eco_dotnet_detect (dctx_t *self)
{
    const char *sln = dctx_find_suffix (self, ".sln");
    if (!sln)
        sln = dctx_find_suffix (self, ".slnx");
    const char *proj = dctx_find_suffix (self, ".csproj");
    if (!proj)
        proj = dctx_find_suffix (self, ".fsproj");
    if (!proj)
        proj = dctx_find_suffix (self, ".vbproj");
    if (!sln && !proj)
        return;
    report_job_t *job = dctx_job (self, "dotnet", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "dotnet", sln? sln: proj);
    if (proj && strstr (proj, ".fsproj"))
        dctx_language (self, job, "fsharp");
    else
        dctx_language (self, job, "csharp");
    //  frameworks from every MSBuild file we were sent
    char tfms [NET_MAX_TFMS][16];
    size_t count = 0;
    char source [192] = "";
    for (size_t i = 0; !self->readme_only && i < self->project->manifests_count; i++) {
        const project_file_t *file = &self->project->manifests [i];
        if (!file->name || !file->data)
            continue;
        size_t n = strlen (file->name);
        bool msbuild = (n > 7 && (strcmp (file->name + n - 7, ".csproj") == 0
                                  || strcmp (file->name + n - 7, ".fsproj") == 0))
                    || strcmp (file->name, "Directory.Build.props") == 0;
        if (!msbuild)
            continue;
        s_packages (self, job, file);
        unsigned line = 0;
        size_t before = count;
        count = s_frameworks (file, tfms, count, &line);
        if (count > before && !*source)
            dctx_source (source, sizeof source, file->name, line, "TargetFramework");
    }
    bool modern = false, windows = count > 0;
    for (size_t i = 0; i < count; i++) {
        //  net8.0, netcoreapp3.1: SDK lines; net48, netstandard2.0: not
        const char *t = tfms [i];
        char line [16];
        if (strncmp (t, "netcoreapp", 10) == 0)
            t += 10;
        else
        if (strncmp (t, "net", 3) == 0 && isdigit ((unsigned char) t [3]) && strchr (t, '.'))
            t += 3;
        else {
            if (strncmp (t, "netstandard", 11) == 0)
                windows = false;
            continue;
        }
        windows = false;
        if (vrange_line (t, 2, line, sizeof line)) {
            char value [24];
            snprintf (value, sizeof value, "%s.x", line);
            dctx_version (self, job, "dotnet", value, source);
            modern = true;
        }
    }
    if (windows) {
        dctx_setting (self, job, "runner", "windows-latest", source);
        dctx_note (self, "info", ".NET Framework targets only: built on Windows", source);
    }
    const project_file_t *global = dctx_manifest (self, "global.json");
    json_t *root = eco_json (self, global, true);
    const char *sdk = json_string_value (json_object_get (json_object_get (root, "sdk"),
                                                         "version"));
    char line [16];
    if (sdk && vrange_line (sdk, 2, line, sizeof line)) {
        char value [24], gsource [96];
        snprintf (value, sizeof value, "%s.x", line);
        dctx_source (gsource, sizeof gsource, "global.json",
                     dtext_json_line (global->data, "sdk", "version"), "sdk.version");
        dctx_setting (self, job, "version-file", "global.json", gsource);
        dctx_version (self, job, "dotnet", value, gsource);
        modern = true;
    }
    json_decref (root);
    if (!modern)
        dctx_matrix (self, job, "dotnet", NULL, "knowledge: supported .NET lines");
    //  several solutions: name the first, or dotnet refuses to guess
    char target [160] = "";
    if (sln && self->project) {
        size_t slns = 0;
        for (size_t i = 0; i < self->project->files_count; i++) {
            const char *f = self->project->files [i];
            size_t n = f? strlen (f): 0;
            if (n > 4 && strcmp (f + n - 4, ".sln") == 0)
                slns++;
        }
        if (slns > 1)
            snprintf (target, sizeof target, " %s", sln);
    }
    //  a build script at the top (build.ps1: cake, nuke, psake) is what
    //  the maintainers run: it restores, builds and tests as they intend
    const char *script = s_build_script (self);
    if (script) {
        char run [160], why [192];
        snprintf (run, sizeof run, "./%s", script);
        snprintf (why, sizeof why, "%s (the project's own build script)", script);
        const char *setup = s_setup_script (self);
        if (setup) {
            char setup_run [160], setup_why [192];
            snprintf (setup_run, sizeof setup_run, "./%s", setup);
            snprintf (setup_why, sizeof setup_why, "%s (prepares the machine for %s)",
                      setup, script);
            dctx_step (self, job, CMD_INSTALL, setup_run, setup_why);
        }
        dctx_step (self, job, CMD_TEST, run, why);
        return;
    }
    char run [256];
    snprintf (run, sizeof run, "dotnet restore%s", target);
    dctx_step (self, job, CMD_INSTALL, run, sln? sln: proj);
    snprintf (run, sizeof run, "dotnet build%s --no-restore", target);
    dctx_step (self, job, CMD_BUILD, run, sln? sln: proj);
    snprintf (run, sizeof run, "dotnet test%s --no-build", target);
    dctx_step (self, job, CMD_TEST, run, sln? sln: proj);
}
