/*  workers/detector/eco_other.c - the smaller ecosystems: Swift (SwiftPM),
    Zig, Haskell (cabal, stack), OCaml (dune, opam), Dart and Flutter, R,
    Lua (luarocks).  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void
eco_swift_detect (dctx_t *self)
{
    if (!dctx_has (self, "Package.swift"))
        return;
    report_job_t *job = dctx_job (self, "swift", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "swiftpm", "Package.swift");
    const project_file_t *pkg = dctx_manifest (self, "Package.swift");
    char version [32], source [192], line [16];
    unsigned at = 0;
    bool matrix = false;
    if (pkg && dtext_number_after (pkg->data, "swift-tools-version", version,
                                   sizeof version, &at)
        && vrange_line (version, 2, line, sizeof line)) {
        char range [32];
        snprintf (range, sizeof range, ">=%s", line);
        dctx_source (source, sizeof source, "Package.swift", at, "swift-tools-version");
        matrix = dctx_matrix (self, job, "swift", range, source);
    }
    if (!matrix)
        dctx_matrix (self, job, "swift", NULL, "knowledge: supported Swift lines");
    //  Apple-only packages (an Xcode project or a pod beside platforms:)
    //  build on macOS; anything else on Linux
    bool apple = pkg && strstr (pkg->data, "platforms:")
              && !strstr (pkg->data, ".linux")
              && (dctx_find_suffix (self, ".xcodeproj/") || dctx_find_suffix (self, ".podspec")
                  || dctx_find_suffix (self, ".xcworkspace/") || strstr (pkg->data, "UIKit"));
    if (apple) {
        dctx_source (source, sizeof source, "Package.swift",
                     dtext_find_line (pkg->data, "platforms:"), "platforms (Apple only)");
        dctx_setting (self, job, "runner", "macos-latest", source);
    }
    dctx_step (self, job, CMD_BUILD, "swift build", "Package.swift");
    dctx_step (self, job, CMD_TEST, "swift test", "Package.swift");
}

void
eco_zig_detect (dctx_t *self)
{
    if (!dctx_has (self, "build.zig"))
        return;
    report_job_t *job = dctx_job (self, "zig", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "zig", "build.zig");
    const project_file_t *zon = dctx_manifest (self, "build.zig.zon");
    char version [32], source [192];
    unsigned at = 0;
    if (zon && dtext_quoted_after (zon->data, ".minimum_zig_version", version,
                                   sizeof version, &at)) {
        dctx_source (source, sizeof source, "build.zig.zon", at, "minimum_zig_version");
        dctx_version (self, job, "zig", version, source);
    }
    const project_file_t *build = dctx_manifest (self, "build.zig");
    unsigned line = build? dtext_find_line (build->data, "\"test\""): 0;
    if (line) {
        dctx_source (source, sizeof source, "build.zig", line, "step test");
        dctx_step (self, job, CMD_TEST, "zig build test", source);
    }
    else
    if (build)
        dctx_step (self, job, CMD_BUILD, "zig build", "build.zig");
    else
        dctx_step (self, job, CMD_TEST, "zig build test", "build.zig");
}

//  Every version number in a cabal tested-with field (or hpack's key).
static size_t
s_tested_with (const char *text, char lines [][8], size_t max, unsigned *line_p)
{
    const char *at = strstr (text, "tested-with:");
    if (!at)
        return 0;
    *line_p = dtext_line_at (text, at);
    size_t count = 0;
    const char *p = at + strlen ("tested-with:");
    //  the field runs on while the following lines are indented
    while (*p && count < max) {
        if (*p == '\n' && p [1] != ' ' && p [1] != '\t' && p [1] != '-')
            break;
        if (isdigit ((unsigned char) *p) && (p == text || !isalnum ((unsigned char) p [-1]))) {
            char version [16];
            size_t n = 0;
            while ((isdigit ((unsigned char) *p) || *p == '.') && n + 1 < sizeof version)
                version [n++] = *p++;
            version [n] = 0;
            if (strchr (version, '.') && vrange_line (version, 2, lines [count], 8))
                count++;
            continue;
        }
        p++;
    }
    return count;
}

void
eco_haskell_detect (dctx_t *self)
{
    const char *cabal = dctx_find_suffix (self, ".cabal");
    bool project = dctx_has (self, "cabal.project");
    bool stack = dctx_has (self, "stack.yaml");
    if (!cabal && !project && !stack && !dctx_has (self, "package.yaml"))
        return;
    report_job_t *job = dctx_job (self, "haskell", DCTX_STRONG);
    if (!job)
        return;
    //  cabal.project or a .cabal file without stack.yaml: cabal; stack.yaml
    //  alone (or package.yaml, hpack's): stack
    bool use_cabal = project || (cabal && !stack);
    dctx_tool (self, job, use_cabal? "cabal": "stack",
               project? "cabal.project": use_cabal? cabal: stack? "stack.yaml": "package.yaml");
    if (project && stack)
        dctx_note (self, "info", "both cabal.project and stack.yaml: used cabal",
                   "cabal.project");
    const project_file_t *file = cabal? dctx_manifest (self, cabal): NULL;
    if (!file)
        file = dctx_manifest (self, "package.yaml");
    char lines [12][8], source [192];
    unsigned at = 0;
    //  stack builds with its resolver's GHC, whatever else is installed:
    //  a GHC matrix would run the same build twice
    size_t count = file && use_cabal? s_tested_with (file->data, lines, 12, &at): 0;
    if (count) {
        const char *list [12];
        for (size_t i = 0; i < count; i++)
            list [i] = lines [i];
        dctx_source (source, sizeof source, file->name, at, "tested-with");
        dctx_matrix_list (self, job, "ghc", list, count, source);
    }
    else
    if (use_cabal)
        dctx_matrix (self, job, "ghc", NULL, "knowledge: supported GHC lines");
    if (use_cabal) {
        dctx_step (self, job, CMD_INSTALL, "cabal update", "cabal");
        dctx_step (self, job, CMD_BUILD, "cabal build all --enable-tests", "cabal");
        dctx_step (self, job, CMD_TEST, "cabal test all", "cabal");
    }
    else {
        dctx_step (self, job, CMD_BUILD, "stack build --test --no-run-tests", "stack.yaml");
        dctx_step (self, job, CMD_TEST, "stack test", "stack.yaml");
    }
}

void
eco_ocaml_detect (dctx_t *self)
{
    const char *opam = dctx_find_suffix (self, ".opam");
    if (!dctx_has (self, "dune-project") && !opam)
        return;
    report_job_t *job = dctx_job (self, "ocaml", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "dune", dctx_has (self, "dune-project")? "dune-project": opam);
    //  "ocaml" {>= "4.08"} in an opam file, or (ocaml (>= 4.08)) in dune-project
    const project_file_t *file = opam? dctx_manifest (self, opam): NULL;
    char version [32], source [192];
    unsigned at = 0;
    bool matrix = false;
    if (file) {
        const char *dep = strstr (file->data, "\"ocaml\"");
        const char *eol = dep? strchr (dep, '\n'): NULL;
        const char *ge = dep? strstr (dep, ">="): NULL;
        if (ge && (!eol || ge < eol)
            && dtext_quoted_after (ge, ">=", version, sizeof version, NULL)) {
            char range [40];
            snprintf (range, sizeof range, ">=%s", version);
            at = dtext_line_at (file->data, dep);
            dctx_source (source, sizeof source, file->name, at, "depends ocaml");
            matrix = dctx_matrix (self, job, "ocaml", range, source);
        }
    }
    if (!matrix)
        dctx_matrix (self, job, "ocaml", NULL, "knowledge: supported OCaml lines");
    dctx_step (self, job, CMD_INSTALL, "opam install . --deps-only --with-test",
               opam? opam: "dune-project");
    dctx_step (self, job, CMD_BUILD, "opam exec -- dune build", "dune-project");
    dctx_step (self, job, CMD_TEST, "opam exec -- dune runtest", "dune-project");
}

void
eco_dart_detect (dctx_t *self)
{
    if (!dctx_has (self, "pubspec.yaml"))
        return;
    report_job_t *job = dctx_job (self, "dart", DCTX_STRONG);
    if (!job)
        return;
    const project_file_t *file = dctx_manifest (self, "pubspec.yaml");
    ynode_t *root = file? ytree_parse (file->data, file->size, NULL, 0): NULL;
    dctx_add_name (self, ytree_str (ytree_get (root, "name"), NULL));
    const ynode_t *flutter = ytree_path (root, "dependencies", "flutter", NULL);
    bool is_flutter = flutter || ytree_path (root, "environment", "flutter", NULL);
    char source [192];
    if (is_flutter) {
        dctx_source (source, sizeof source, "pubspec.yaml", flutter? flutter->line: 0,
                     "dependencies.flutter");
        dctx_tool (self, job, "flutter", source);
        dctx_language (self, job, "dart");
        dctx_setting (self, job, "flutter", "true", source);
    }
    else
        dctx_tool (self, job, "pub", "pubspec.yaml");
    const ynode_t *sdk = ytree_path (root, "environment", "sdk", NULL);
    bool matrix = false;
    if (ytree_str (sdk, NULL)) {
        dctx_source (source, sizeof source, "pubspec.yaml", sdk->line, "environment.sdk");
        matrix = dctx_matrix (self, job, "dart", sdk->value, source);
    }
    if (!matrix && !is_flutter)
        dctx_matrix (self, job, "dart", NULL, "knowledge: supported Dart lines");
    const char *bin = is_flutter? "flutter": "dart";
    char run [64];
    snprintf (run, sizeof run, "%s pub get", bin);
    dctx_step (self, job, CMD_INSTALL, run, "pubspec.yaml");
    //  code generators (json_serializable, freezed...) write the .g.dart
    //  files analyze and the tests import; they are not committed
    const ynode_t *runner = ytree_path (root, "dev_dependencies", "build_runner", NULL);
    if (!runner)
        runner = ytree_path (root, "dependencies", "build_runner", NULL);
    if (runner) {
        dctx_source (source, sizeof source, "pubspec.yaml", runner->line, "build_runner");
        dctx_step (self, job, CMD_BUILD,
                   "dart run build_runner build --delete-conflicting-outputs", source);
    }
    snprintf (run, sizeof run, "%s analyze", bin);
    dctx_step (self, job, CMD_LINT, run, "pubspec.yaml");
    snprintf (run, sizeof run, "%s test", bin);
    dctx_step (self, job, CMD_TEST, run, "pubspec.yaml");
    ytree_destroy (&root);
}

void
eco_r_detect (dctx_t *self)
{
    const project_file_t *desc = dctx_manifest (self, "DESCRIPTION");
    if (!desc && !dctx_has (self, "DESCRIPTION"))
        return;
    //  an R package's DESCRIPTION starts with "Package:"
    if (desc && !strstr (desc->data, "Package:"))
        return;
    report_job_t *job = dctx_job (self, "r", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "rscript", "DESCRIPTION");
    if (desc) {
        char name [64];
        const char *at = strstr (desc->data, "Package:");
        if (sscanf (at + 8, " %63[A-Za-z0-9.]", name) == 1)
            dctx_add_name (self, name);
    }
    dctx_version (self, job, "r", "release", "DESCRIPTION");
    dctx_step (self, job, CMD_INSTALL, "Rscript -e 'install.packages(c(\"remotes\", "
               "\"rcmdcheck\"), repos = \"https://cloud.r-project.org\")' "
               "-e 'remotes::install_deps(dependencies = TRUE)'", "DESCRIPTION");
    dctx_step (self, job, CMD_TEST, "Rscript -e 'rcmdcheck::rcmdcheck(args = "
               "\"--no-manual\", error_on = \"error\")'", "DESCRIPTION");
}

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
