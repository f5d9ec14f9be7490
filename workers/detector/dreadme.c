/*  workers/detector/dreadme.c - README evidence against manifest evidence:
    which commands become steps, which are dropped and why, which
    disagreements are reported.  */
#include "workers/detector/dreadme.h"
#include "workers/detector/dtext.h"
#include "workers/detector/eco.h"
#include "workers/detector/vrange.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *word;
    const char *ecosystem;
    const char *tool;
} tool_t;

static const tool_t s_tools [] = {
    { "npm", "node", "npm" }, { "npx", "node", "npm" }, { "yarn", "node", "yarn" },
    { "pnpm", "node", "pnpm" }, { "bun", "node", "bun" }, { "node", "node", "npm" },
    { "deno", "deno", "deno" },
    { "pip", "python", "pip" }, { "pip3", "python", "pip" }, { "python", "python", "pip" },
    { "python3", "python", "pip" }, { "pytest", "python", "pip" },
    { "py.test", "python", "pip" }, { "tox", "python", "pip" }, { "nox", "python", "pip" },
    { "poetry", "python", "poetry" }, { "uv", "python", "uv" }, { "uvx", "python", "uv" },
    { "pdm", "python", "pdm" }, { "hatch", "python", "hatch" },
    { "pipenv", "python", "pipenv" },
    { "cargo", "rust", "cargo" }, { "rustup", "rust", "cargo" }, { "go", "go", "go" },
    { "mvn", "java", "maven" }, { "mvnw", "java", "maven" },
    { "gradle", "java", "gradle" }, { "gradlew", "java", "gradle" },
    { "sbt", "scala", "sbt" }, { "lein", "clojure", "lein" },
    { "clojure", "clojure", "clojure" }, { "clj", "clojure", "clojure" },
    { "bundle", "ruby", "bundler" }, { "rake", "ruby", "bundler" },
    { "rspec", "ruby", "bundler" }, { "ruby", "ruby", "bundler" },
    { "composer", "php", "composer" }, { "php", "php", "composer" },
    { "phpunit", "php", "composer" }, { "vendor/bin/phpunit", "php", "composer" },
    { "dotnet", "dotnet", "dotnet" }, { "mix", "elixir", "mix" },
    { "rebar3", "erlang", "rebar3" }, { "swift", "swift", "swiftpm" },
    { "zig", "zig", "zig" }, { "cabal", "haskell", "cabal" },
    { "stack", "haskell", "stack" }, { "dune", "ocaml", "dune" },
    { "opam", "ocaml", "dune" }, { "dart", "dart", "pub" },
    { "flutter", "dart", "flutter" }, { "cmake", "c", "cmake" },
    { "ctest", "c", "cmake" }, { "meson", "c", "meson" }, { "ninja", "c", "meson" },
    { "configure", "c", "autotools" }, { "autoreconf", "c", "autotools" },
    { "Rscript", "r", "rscript" }, { "R", "r", "rscript" },
    { "luarocks", "lua", "luarocks" }, { "busted", "lua", "luarocks" },
    { "make", "", "make" }, { "just", "", "just" },
};

//  The first real word of a command: past VAR=value, sudo, env, time.
static void
s_first_word (const char *command, char *out, size_t size)
{
    const char *p = command;
    out [0] = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t) (p - w);
        bool assign = memchr (w, '=', n) && isalpha ((unsigned char) *w);
        if (assign || (n == 4 && strncmp (w, "sudo", 4) == 0)
            || (n == 3 && strncmp (w, "env", 3) == 0)
            || (n == 4 && strncmp (w, "time", 4) == 0))
            continue;
        if (n >= 2 && w [0] == '.' && w [1] == '/') {
            w += 2;
            n -= 2;
        }
        if (n >= size)
            n = size - 1;
        memcpy (out, w, n);
        out [n] = 0;
        return;
    }
}

static const tool_t *
s_tool (const char *command)
{
    char word [128];
    s_first_word (command, word, sizeof word);
    for (size_t i = 0; i < sizeof s_tools / sizeof s_tools [0]; i++)
        if (strcmp (word, s_tools [i].word) == 0)
            return &s_tools [i];
    //  vendor/bin/phpunit and the like: the tool behind the path
    const char *base = strrchr (word, '/');
    for (size_t i = 0; base && i < sizeof s_tools / sizeof s_tools [0]; i++)
        if (strcmp (base + 1, s_tools [i].word) == 0 && strcmp (s_tools [i].ecosystem, "php") == 0)
            return &s_tools [i];
    return NULL;
}

const char *
dreadme_ecosystem (const char *command)
{
    const tool_t *tool = s_tool (command);
    if (tool)
        return tool->ecosystem;
    char word [128];
    s_first_word (command, word, sizeof word);
    //  a project script ("scripts/test.sh") is generic
    return strchr (word, '/') || strstr (word, ".sh")? "": NULL;
}

//  How much a section's commands weigh for CI: 3 development and tests,
//  2 installation and setup, 1 anything else, 0 usage and examples.
static int
s_section_score (const dctx_t *self, uint32_t section)
{
    if (section >= self->doc->sections_count)
        return 1;
    const readme_section_t *s = &self->doc->sections [section];
    const char *path = s->path && *s->path? s->path: s->heading? s->heading: "";
    char lower [256];
    size_t n = 0;
    for (; path [n] && n + 1 < sizeof lower; n++)
        lower [n] = (char) tolower ((unsigned char) path [n]);
    lower [n] = 0;
    //  the innermost heading decides: "Usage > Running tests" is tests
    const char *last = lower;
    for (const char *p = strstr (lower, " > "); p; p = strstr (p + 1, " > "))
        last = p + 3;
    //  English first, then the words READMEs in other languages use
    //  (Cyrillic stems leave out the first letter, which tolower keeps)
    static const char *const dev [] = { "test", "develop", "contribut", "hack",
        "build", "compil", "from source", "local", "ci", "d\xc3\xa9velopp", "entwickl",
        "desarroll", "sviluppo", "desenvolv", "prueba", "bauen", "\xd0\xb0\xd0\xb7\xd1\x80"
        "\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82", "\xd0\xb5\xd1\x81\xd1\x82", "\xd0\xb1\xd0\xbe"
        "\xd1\x80\xd0\xba", "\xe5\xbc\x80\xe5\x8f\x91", "\xe9\x96\x8b\xe7\x99\xba",
        "\xe6\xb5\x8b\xe8\xaf\x95", "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
        "\xe6\x9e\x84\xe5\xbb\xba", "\xe7\xbc\x96\xe8\xaf\x91",
        "\xe3\x83\x93\xe3\x83\xab\xe3\x83\x89", NULL };
    static const char *const setup [] = { "install", "setup", "set up", "getting started",
        "quick", "requirement", "prerequisite", "depend", "instal", "voraussetz",
        "requisit", "abh\xc3\xa4ngigkeit", "d\xc3\xa9pendance", "\xd1\x81\xd1\x82\xd0\xb0"
        "\xd0\xbd\xd0\xbe\xd0\xb2\xd0\xba", "\xe5\xae\x89\xe8\xa3\x85",
        "\xe3\x82\xa4\xe3\x83\xb3\xe3\x82\xb9\xe3\x83\x88\xe3\x83\xbc\xe3\x83\xab",
        "\xe4\xbe\x9d\xe8\xb5\x96", NULL };
    static const char *const usage [] = { "usage", "example", "tutorial", "demo",
        "api", "how to use", "cli", "utilisation", "verwendung", "benutzung", "uso",
        "utilizzo", "exemple", "beispiel", "ejemplo", "esempio", "\xd1\x81\xd0\xbf\xd0\xbe"
        "\xd0\xbb\xd1\x8c\xd0\xb7\xd0\xbe\xd0\xb2", "\xe4\xbd\xbf\xe7\x94\xa8",
        "\xe7\x94\xa8\xe6\xb3\x95", "\xe4\xbd\xbf\xe3\x81\x84\xe6\x96\xb9",
        "\xe7\xa4\xba\xe4\xbe\x8b", NULL };
    const char *scopes [] = { last, lower };
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; dev [i]; i++)
            if (strcmp (dev [i], "ci") == 0? strcmp (scopes [k], "ci") == 0
                                           : strstr (scopes [k], dev [i]) != NULL)
                return 3;
        for (size_t i = 0; usage [i]; i++)
            if (strlen (usage [i]) > 4? strstr (scopes [k], usage [i]) != NULL
                                      : dtext_has_word (scopes [k], usage [i]))
                return 0;
        for (size_t i = 0; setup [i]; i++)
            if (strstr (scopes [k], setup [i]))
                return 2;
    }
    return 1;
}

static void
s_cmd_source (const dctx_t *self, const readme_cmd_t *cmd, char *out, size_t size)
{
    const char *doc = cmd->doc < self->doc->docs_count && self->doc->docs [cmd->doc]
                    ? self->doc->docs [cmd->doc]: "README.md";
    const char *path = cmd->section < self->doc->sections_count
                     && self->doc->sections [cmd->section].path
                     ? self->doc->sections [cmd->section].path: "";
    if (*path)
        snprintf (out, size, "%s:%u (%s)", doc, cmd->line, path);
    else
        snprintf (out, size, "%s:%u", doc, cmd->line);
}

//  True when word is the name the README's title gives the project: a
//  one-word title ("Rooty"), or the one word before a dash or colon
//  ("rooty - a tiny init"). Where the manifests name nothing (a C
//  project, a Makefile), the title is the name users install.
static bool
s_title_name (const dctx_t *self, const char *word)
{
    const char *title = self->doc->title? self->doc->title: "";
    while (*title == ' ')
        title++;
    size_t len = strcspn (title, ":(\xe2");
    const char *dash = strstr (title, " - ");
    if (dash && (size_t) (dash - title) < len)
        len = (size_t) (dash - title);
    while (len && title [len - 1] == ' ')
        len--;
    if (len < 2 || memchr (title, ' ', len))
        return false;
    return strlen (word) == len && strncasecmp (title, word, len) == 0;
}

//  Installs of the project itself, as a user would: `pip install <self>`,
//  `cargo install <self>`, `go install .../<self>@latest`, `brew install`.
static bool
s_consumer (const dctx_t *self, const readme_cmd_t *cmd)
{
    //  `brew install openssl` is flagged as an app install too: a system
    //  package is the project only when it carries the project's name
    if ((cmd->flags & CMD_F_CONSUMER) && cmd->kind != CMD_SYSTEM)
        return true;
    //  installing the checkout's own binaries builds nothing CI tests
    if (strncmp (cmd->text, "cargo install ", 14) == 0 && strstr (cmd->text, " --path"))
        return true;
    if (cmd->kind != CMD_INSTALL && cmd->kind != CMD_SYSTEM && cmd->kind != CMD_OTHER)
        return false;
    static const char *const verbs [] = { "install", "add", "i", "require", "get", NULL };
    const char *p = cmd->text;
    bool after_verb = false;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        char word [160];
        size_t n = 0;
        while (*p && *p != ' ' && *p != '\t' && n + 1 < sizeof word)
            word [n++] = *p++;
        word [n] = 0;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (!n)
            break;
        if (!after_verb) {
            for (size_t i = 0; verbs [i]; i++)
                if (strcmp (word, verbs [i]) == 0)
                    after_verb = true;
            continue;
        }
        if (word [0] == '-')
            continue;
        //  strip versions and extras: name==1.0, name@latest, name[cli]
        char *cut = strpbrk (word, "=<>[@~^");
        if (cut && cut != word)
            *cut = 0;
        if (word [0] == '@' && strchr (word + 1, '@'))
            *strchr (word + 1, '@') = 0;
        const char *base = strrchr (word, '/');
        if (dctx_is_own_name (self, word) || (base && dctx_is_own_name (self, base + 1))
            || s_title_name (self, base? base + 1: word))
            return true;
    }
    return false;
}

//  True when the command runs a script by a relative path whose first
//  element the project does not have at its top: `./bootstrap-vcpkg.sh`
//  after cloning another repository, `tools/ci.sh` of some other tree.
//  Only when the top-level names are known; names a build makes
//  (configure, build/, target/...) may be missing and are let through.
static bool
s_missing_script (const dctx_t *self, const readme_cmd_t *cmd)
{
    if (self->readme_only || self->project->files_count == 0)
        return false;
    char word [256];
    s_first_word (cmd->text, word, sizeof word);
    if (!*word || word [0] == '/' || word [0] == '~' || word [0] == '$' || word [0] == '.'
        || !strchr (cmd->text, '/'))
        return false;
    //  s_first_word drops a leading "./": a bare word is only a script
    //  when the command spelled it with ./
    const char *slash = strchr (word, '/');
    char head [128];
    snprintf (head, sizeof head, "%.*s", (int) (slash? (size_t) (slash - word)
              : strlen (word)), word);
    if (!slash) {
        const char *text = cmd->text;
        while (*text == ' ' || *text == '\t')
            text++;
        if (!strstr (text, "./") || strstr (text, "./") > strstr (text, word))
            return false;
    }
    static const char *const made [] = { "configure", "config.status", "libtool",
        "build", "_build", "builddir", "target", "out", "dist", "bin", ".build",
        "zig-out", "node_modules", "vendor", "venv", ".venv", "env", NULL };
    for (size_t i = 0; made [i]; i++)
        if (strcmp (head, made [i]) == 0 || strncmp (head, "cmake-build", 11) == 0)
            return false;
    char dir [130];
    snprintf (dir, sizeof dir, "%s/", head);
    return !dctx_has (self, head) && !dctx_has (self, dir);
}

//  True when the command runs a script the project has in its tree
//  (`scripts/test`, `./run-tests.sh`): the maintainers' own wrapper.
static bool
s_project_script (const dctx_t *self, const char *text)
{
    if (self->readme_only)
        return false;
    char word [256];
    s_first_word (text, word, sizeof word);
    while (*text == ' ')
        text++;
    const char *slash = strchr (word, '/');
    if (!*word || word [0] == '/' || (!slash && strncmp (text, "./", 2) != 0))
        return false;
    char head [260];
    snprintf (head, sizeof head, "%.*s/", (int) (slash? (size_t) (slash - word): strlen (word)),
              word);
    return slash? dctx_has (self, head): dctx_has (self, word);
}

//  True when every test step of the job is a runner the C rule guessed
//  from the build system (knowledge native.guessed-runners), not a
//  wrapper the project defines.
static bool
s_guessed_tests (const dctx_t *self, const report_job_t *job)
{
    const ynode_t *runners = ytree_path (knowledge_root (self->kb), "native",
                                         "guessed-runners", NULL);
    bool any = false;
    for (size_t i = 0; i < job->steps_count; i++) {
        if (job->steps [i].kind != CMD_TEST)
            continue;
        bool guessed = false;
        for (size_t r = 0; runners && runners->kind == YNODE_SEQ && r < runners->count; r++) {
            const char *runner = ytree_str (runners->items [r], "");
            guessed = guessed || (*runner && strncmp (job->steps [i].run, runner,
                                                      strlen (runner)) == 0);
        }
        if (!guessed)
            return false;
        any = true;
    }
    return any;
}

//  Remove the job's steps of kind.
static void
s_drop_steps (report_job_t *job, cmd_kind_t kind)
{
    size_t kept = 0;
    for (size_t i = 0; i < job->steps_count; i++) {
        if (job->steps [i].kind == kind) {
            free (job->steps [i].name);
            free (job->steps [i].run);
            free (job->steps [i].source);
            continue;
        }
        job->steps [kept++] = job->steps [i];
    }
    job->steps_count = kept;
}

//  The words of a lone command (no chain, pipe or redirection), past
//  env assignments; false when it is not one.
static bool
s_lone_words (const char *text, char words [][64], size_t max, size_t *count_p)
{
    if (strpbrk (text, "&|;<>`$(\n"))
        return false;
    size_t count = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t) (p - w);
        if (!n)
            break;
        if (count == 0 && memchr (w, '=', n) && isalpha ((unsigned char) *w))
            continue;
        if (count == max || n >= 64)
            return false;
        memcpy (words [count], w, n);
        words [count][n] = 0;
        count++;
    }
    *count_p = count;
    return count > 0;
}

//  The package.json script a lone npm, yarn, pnpm or bun command runs
//  ("npm run lint", "npm test", "yarn test:unit"), copied to script;
//  false when it runs none or reaches into a workspace.
static bool
s_npm_script (char words [][64], size_t count, char *script, size_t size)
{
    static const char *const builtins [] = { "install", "i", "add", "remove", "rm",
        "up", "upgrade", "update", "why", "exec", "dlx", "create", "init", "global",
        "workspace", "workspaces", "info", "list", "ls", "outdated", "config", "cache",
        "audit", "link", "unlink", "pack", "publish", "login", "logout", "version",
        "set", "plugin", "node", "bin", "dedupe", "import", "licenses", "patch",
        "rebuild", "store", "env", "prune", "fetch", "setup", "x", "ci", "start", NULL };
    const char *tool = words [0];
    bool npm = strcmp (tool, "npm") == 0;
    if (!npm && strcmp (tool, "yarn") != 0 && strcmp (tool, "pnpm") != 0
        && strcmp (tool, "bun") != 0)
        return false;
    for (size_t i = 1; i < count; i++)
        if (strncmp (words [i], "-w", 2) == 0 || strncmp (words [i], "--workspace", 11) == 0
            || strncmp (words [i], "--prefix", 8) == 0 || strncmp (words [i], "--filter", 8) == 0
            || strcmp (words [i], "-F") == 0 || strncmp (words [i], "--cwd", 5) == 0
            || strncmp (words [i], "--dir", 5) == 0 || strcmp (words [i], "-C") == 0
            || strncmp (words [i], "--if-present", 12) == 0
            || strcmp (words [i], "-r") == 0 || strcmp (words [i], "--recursive") == 0)
            return false;
    size_t k = 1;
    while (k < count && words [k][0] == '-')
        k++;
    if (k >= count)
        return false;
    const char *sub = words [k];
    const char *name = NULL;
    if (strcmp (sub, "run") == 0 || strcmp (sub, "run-script") == 0) {
        size_t j = k + 1;
        while (j < count && words [j][0] == '-')
            j++;
        name = j < count? words [j]: NULL;
    }
    else
    if (strcmp (sub, "test") == 0 || (npm && strcmp (sub, "t") == 0))
        name = strcmp (tool, "bun") == 0? NULL: "test";
    else
    if (!npm && strcmp (tool, "bun") != 0) {
        for (size_t i = 0; builtins [i]; i++)
            if (strcmp (sub, builtins [i]) == 0)
                return false;
        name = sub;
    }
    if (!name)
        return false;
    snprintf (script, size, "%s", name);
    return true;
}

//  True when the command runs a package.json script or a Makefile target
//  the project's own file does not define: a README that outlived its
//  build ("npm run test:unit" after the script was renamed). Only lone
//  commands against a top-level file we can read; Makefiles that include
//  others or are generated (CMake, autotools, Meson) are not judged.
static bool
s_undefined_target (const dctx_t *self, const readme_cmd_t *cmd, char *why, size_t size)
{
    char words [16][64];
    size_t count;
    if (self->readme_only || !s_lone_words (cmd->text, words, 16, &count))
        return false;
    char script [64];
    if (s_npm_script (words, count, script, sizeof script)) {
        const project_file_t *pkg = dctx_manifest (self, "package.json");
        if (!pkg)
            return false;
        json_error_t error;
        json_t *root = json_loadb (pkg->data, pkg->size, 0, &error);
        if (!root)
            return false;
        json_t *scripts = json_object_get (root, "scripts");
        bool has = json_is_object (scripts) && json_object_get (scripts, script);
        bool object = json_is_object (root);
        json_decref (root);
        if (has || !object)
            return false;
        snprintf (why, size, "package.json has no script '%s'", script);
        return true;
    }
    if (strcmp (words [0], "make") != 0)
        return false;
    static const char *const generated [] = { "CMakeLists.txt", "configure", "configure.ac",
        "configure.in", "Makefile.am", "Makefile.in", "meson.build", "Makefile.PL",
        "premake5.lua", "wscript", NULL };
    for (size_t i = 0; generated [i]; i++)
        if (dctx_has (self, generated [i]))
            return false;
    const project_file_t *make = dctx_manifest (self, "GNUmakefile");
    if (!make)
        make = dctx_manifest (self, "Makefile");
    if (!make)
        make = dctx_manifest (self, "makefile");
    if (!make || dtext_has_line_prefix (make->data, "include ")
        || dtext_has_line_prefix (make->data, "-include ")
        || dtext_has_line_prefix (make->data, "sinclude ") || strstr (make->data, "$(eval"))
        return false;
    for (size_t i = 1; i < count; i++) {
        const char *word = words [i];
        if (word [0] == '-') {
            //  -C dir, -f file: another Makefile
            if (strchr ("Cf", word [1]) || strncmp (word, "--directory", 11) == 0
                || strncmp (word, "--file", 6) == 0 || strncmp (word, "--makefile", 10) == 0)
                return false;
            continue;
        }
        if (strchr (word, '=') || strpbrk (word, "$%*"))
            continue;
        if (!dtext_make_target (make->data, word, NULL, NULL, 0)) {
            snprintf (why, size, "%s has no target '%s'", make->name, word);
            return true;
        }
    }
    return false;
}

//  True when the command runs a package.json script that rewrites the
//  files it checks (`prettier --write`, `eslint --fix`): a fixer the
//  developer runs before committing, not a check for CI.
static bool
s_fixer_script (const dctx_t *self, const readme_cmd_t *cmd)
{
    char words [16][64], script [64];
    size_t count;
    if (self->readme_only || !s_lone_words (cmd->text, words, 16, &count)
        || !s_npm_script (words, count, script, sizeof script))
        return false;
    const project_file_t *pkg = dctx_manifest (self, "package.json");
    json_t *root = pkg? json_loadb (pkg->data, pkg->size, 0, NULL): NULL;
    const char *text = json_string_value (json_object_get (json_object_get (root, "scripts"),
                                                           script));
    bool fixer = text && strstr (text, "--write");
    for (const char *at = text? strstr (text, "--fix"): NULL; at && !fixer;
         at = strstr (at + 5, "--fix"))
        fixer = at [5] == 0 || at [5] == ' ' || at [5] == '&' || at [5] == ';';
    json_decref (root);
    return fixer;
}

//  True when the innermost heading above the command is about Windows
//  alone ("On Windows", "Building on Windows"), not "Linux and Windows".
static bool
s_windows_section (const dctx_t *self, uint32_t section)
{
    if (section >= self->doc->sections_count || !self->doc->sections [section].heading)
        return false;
    char lower [160];
    snprintf (lower, sizeof lower, "%s", self->doc->sections [section].heading);
    for (char *p = lower; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
    static const char *const others [] = { "linux", "macos", "mac", "osx", "unix",
        "ubuntu", "debian", "posix", "bsd", NULL };
    if (!dtext_has_word (lower, "windows") && !dtext_has_word (lower, "win32")
        && !dtext_has_word (lower, "win64"))
        return false;
    for (size_t i = 0; others [i]; i++)
        if (dtext_has_word (lower, others [i]))
            return false;
    return true;
}

//  Why a command never becomes a step, or NULL when it may.
static const char *
s_drop_reason (const dctx_t *self, const readme_cmd_t *cmd)
{
    if (cmd->flags & CMD_F_PLACEHOLDER)
        return "holds a placeholder";
    if (cmd->flags & CMD_F_WINDOWS)
        return "Windows-only";
    if (s_windows_section (self, cmd->section))
        return "Windows-only (under a Windows heading)";
    if (cmd->flags & CMD_F_DEPLOY)
        return "publishes or deploys";
    if (cmd->kind == CMD_RUN)
        return "runs or serves the program (long-running)";
    if (cmd->kind == CMD_CLONE)
        return "clones or enters the checkout, which CI does itself";
    if (s_consumer (self, cmd))
        return "installs the project itself, as a user would (usage, not CI)";
    if (s_missing_script (self, cmd))
        return "runs a script the project does not have (another checkout's)";
    if (s_fixer_script (self, cmd))
        return "runs a script that rewrites the files (a fixer, not a check)";
    if (cmd->kind != CMD_OTHER && !eco_real_ci (cmd->text))
        return "watches or serves (long-running)";
    return NULL;
}

//  The first two words of a command, spelled alike for equal commands:
//  "python -m pytest -q" and "pytest" agree, as do "npm run test" and "npm test".
void
dreadme_core (const char *command, char *out, size_t size)
{
    char text [256];
    snprintf (text, sizeof text, "%s", command);
    char *p = text;
    //  past env assignments, sudo and runners that wrap the real command
    static const char *const prefixes [] = { "python -m ", "python3 -m ", "poetry run ",
        "uv run ", "pdm run ", "pipenv run ", "hatch run ", "bundle exec ", "npx ",
        "opam exec -- ", "sudo ", "./", NULL };
    bool changed = true;
    while (changed) {
        changed = false;
        while (*p == ' ')
            p++;
        char *space = strchr (p, ' ');
        if (space && memchr (p, '=', (size_t) (space - p)) && isalpha ((unsigned char) *p)) {
            p = space + 1;
            changed = true;
        }
        for (size_t i = 0; prefixes [i]; i++)
            if (strncmp (p, prefixes [i], strlen (prefixes [i])) == 0) {
                p += strlen (prefixes [i]);
                changed = true;
            }
    }
    char first [64] = "", second [64] = "";
    sscanf (p, "%63s %63s", first, second);
    if (second [0] == '-')
        second [0] = 0;
    if (strcmp (first, "gradlew") == 0)
        snprintf (first, sizeof first, "gradle");
    if (strcmp (first, "mvnw") == 0)
        snprintf (first, sizeof first, "mvn");
    //  dune test is dune runtest's other name
    if (strcmp (first, "dune") == 0 && strcmp (second, "test") == 0)
        snprintf (second, sizeof second, "runtest");
    if (strcmp (second, "run") == 0 && (strcmp (first, "npm") == 0 || strcmp (first, "yarn") == 0
                                        || strcmp (first, "pnpm") == 0)) {
        char third [64] = "";
        sscanf (p, "%*s %*s %63s", third);
        if (strcmp (third, "test") == 0)
            snprintf (second, sizeof second, "test");
    }
    static const char *const single [] = { "pytest", "tox", "phpunit", "busted",
        "rspec", "ctest", NULL };
    for (size_t i = 0; single [i]; i++)
        if (strcmp (first, single [i]) == 0 || (strstr (first, single [i])
                                                && strchr (first, '/')))
            second [0] = 0;
    snprintf (out, size, "%s %s", first, second);
    dtext_trim (out);
}

//  The tool family of a package-manager command, to spot disagreement.
static const char *
s_family (const char *tool)
{
    if (!tool)
        return "";
    if (strncmp (tool, "yarn", 4) == 0)
        return "yarn";
    return tool;
}

//  A README command the job already covers, or that says another tool.
static void
s_compare (dctx_t *self, report_job_t *job, const readme_cmd_t *cmd,
           const tool_t *tool, const char *source)
{
    //  a different package manager of the same ecosystem
    bool pm_word = tool && strcmp (tool->tool, "make") != 0 && strcmp (tool->tool, "just") != 0;
    const char *job_tool = job->tool;
    if (pm_word && *job_tool && strcmp (job->ecosystem, "node") == 0
        && strcmp (s_family (tool->tool), s_family (job_tool)) != 0
        && strcmp (tool->word, "npx") != 0 && strcmp (tool->word, "node") != 0) {
        char why [400];
        snprintf (why, sizeof why, "README uses %s ('%.120s') but %s says %s; kept %s",
                  tool->tool, cmd->text, job->tool_source, job_tool, job_tool);
        dctx_note (self, "conflict", why, source);
        return;
    }
    static const char *const python_pms [] = { "poetry", "uv", "pdm", "pipenv", "hatch", NULL };
    for (size_t i = 0; pm_word && python_pms [i]; i++)
        if (strcmp (job->ecosystem, "python") == 0 && strcmp (tool->tool, python_pms [i]) == 0
            && strcmp (job_tool, python_pms [i]) != 0) {
            char why [400];
            snprintf (why, sizeof why, "README uses %s ('%.120s') but %s says %s; kept %s",
                      tool->tool, cmd->text, job->tool_source, job_tool, job_tool);
            dctx_note (self, "conflict", why, source);
            return;
        }
    if (cmd->kind != CMD_TEST)
        return;
    char want [160], have [160];
    dreadme_core (cmd->text, want, sizeof want);
    for (size_t i = 0; i < job->steps_count; i++) {
        if (job->steps [i].kind != CMD_TEST)
            continue;
        dreadme_core (job->steps [i].run, have, sizeof have);
        if (strcmp (want, have) == 0)
            return;
    }
    for (size_t i = 0; i < job->steps_count; i++)
        if (job->steps [i].kind == CMD_TEST) {
            char why [400];
            snprintf (why, sizeof why, "README tests with '%.120s' but %s gives '%.120s'; "
                      "kept the manifest's", cmd->text, job->steps [i].source,
                      job->steps [i].run);
            dctx_note (self, "conflict", why, source);
            return;
        }
}

//  `apt install x` -> `sudo apt-get install -y x`, after `sudo apt-get update`.
static void
s_system_step (dctx_t *self, report_job_t *job, const char *text, const char *source)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    if (strncmp (p, "sudo ", 5) == 0)
        p += 5;
    const char *rest = NULL;
    if (strncmp (p, "apt-get ", 8) == 0)
        rest = p + 8;
    else
    if (strncmp (p, "apt ", 4) == 0)
        rest = p + 4;
    if (!rest)
        return;
    while (*rest == ' ')
        rest++;
    if (strncmp (rest, "install ", 8) != 0)
        return;
    rest += 8;
    char run [512];
    bool yes = strstr (rest, "-y") || strstr (rest, "--yes") || strstr (rest, "--assume-yes");
    snprintf (run, sizeof run, "sudo apt-get install %s%s", yes? "": "-y ", rest);
    dctx_step (self, job, CMD_SYSTEM, "sudo apt-get update", source);
    dctx_step (self, job, CMD_SYSTEM, run, source);
}

//  The job a command belongs to: its ecosystem's, or for generic tools the
//  first job. In readme_only mode a job is made for it.
static report_job_t *
s_job_for (dctx_t *self, const char *ecosystem, const tool_t *tool, const char *source)
{
    if (!ecosystem)
        return NULL;
    if (!*ecosystem) {
        if (self->report->jobs_count)
            return &self->report->jobs [0];
        if (!self->readme_only)
            return NULL;
        ecosystem = "c";
    }
    report_job_t *job = dctx_find_job (self, ecosystem);
    if (job || !self->readme_only)
        return job;
    job = dctx_job (self, ecosystem, DCTX_STRONG);
    if (job && tool)
        dctx_tool (self, job, tool->tool, source);
    return job;
}

static void
s_commands (dctx_t *self)
{
    const readme_doc_t *doc = self->doc;
    //  the best test command per job, chosen after the scan
    int best_score [DCTX_MAX_JOBS];
    size_t best_cmd [DCTX_MAX_JOBS];
    for (size_t i = 0; i < DCTX_MAX_JOBS; i++)
        best_score [i] = -1;
    for (size_t i = 0; i < doc->commands_count; i++) {
        const readme_cmd_t *cmd = &doc->commands [i];
        if (!cmd->text || !*cmd->text)
            continue;
        char source [256];
        s_cmd_source (self, cmd, source, sizeof source);
        const char *why = s_drop_reason (self, cmd);
        if (why) {
            if (cmd->kind != CMD_OTHER || (cmd->flags & (CMD_F_CONSUMER | CMD_F_DEPLOY))) {
                char note [400];
                snprintf (note, sizeof note, "'%.200s': %s", cmd->text, why);
                dctx_note (self, "dropped", note, source);
            }
            continue;
        }
        char undefined [160];
        if ((cmd->kind == CMD_INSTALL || cmd->kind == CMD_BUILD || cmd->kind == CMD_TEST
             || cmd->kind == CMD_LINT)
            && s_undefined_target (self, cmd, undefined, sizeof undefined)) {
            char note [400];
            snprintf (note, sizeof note, "'%.200s': %s", cmd->text, undefined);
            dctx_note (self, "dropped", note, source);
            continue;
        }
        int score = s_section_score (self, cmd->section);
        if (cmd->kind == CMD_SYSTEM) {
            const char *word = cmd->text;
            if (strncmp (word, "sudo ", 5) == 0)
                word += 5;
            bool apt = strncmp (word, "apt-get ", 8) == 0 || strncmp (word, "apt ", 4) == 0;
            if (!apt) {
                char note [400];
                snprintf (note, sizeof note, "'%.200s': not for an Ubuntu runner", cmd->text);
                dctx_note (self, "dropped", note, source);
                continue;
            }
            if (score == 0)
                continue;
            report_job_t *job = self->report->jobs_count? &self->report->jobs [0]: NULL;
            s_system_step (self, job, cmd->text, source);
            continue;
        }
        if (cmd->kind != CMD_INSTALL && cmd->kind != CMD_BUILD && cmd->kind != CMD_TEST
            && cmd->kind != CMD_LINT)
            continue;
        const tool_t *tool = s_tool (cmd->text);
        const char *ecosystem = dreadme_ecosystem (cmd->text);
        if (score == 0 && (!self->readme_only || cmd->kind != CMD_TEST)) {
            char note [400];
            snprintf (note, sizeof note, "'%.200s': shown as usage or an example, "
                      "not how the project is built or tested", cmd->text);
            dctx_note (self, "dropped", note, source);
            continue;
        }
        report_job_t *job = s_job_for (self, ecosystem, tool, source);
        if (!job) {
            if (ecosystem && *ecosystem && cmd->kind != CMD_INSTALL) {
                char note [400];
                snprintf (note, sizeof note, "'%.200s': no %s project among the files",
                          cmd->text, ecosystem);
                dctx_note (self, "dropped", note, source);
            }
            continue;
        }
        size_t index = (size_t) (job - self->report->jobs);
        if (cmd->kind == CMD_TEST) {
            //  the wrapper the maintainers call, a script in the tree the
            //  README's development sections give, wins over a runner
            //  guessed from the build system
            if (score >= 2 && best_score [index] < 0 && s_project_script (self, cmd->text)
                && s_guessed_tests (self, job)) {
                char used [400];
                snprintf (used, sizeof used, "README tests with the project's own '%.120s': "
                          "used it instead of the runner the build system suggests",
                          cmd->text);
                dctx_note (self, "info", used, source);
                s_drop_steps (job, CMD_TEST);
            }
            if (dctx_has_step (job, CMD_TEST) && best_score [index] < 0) {
                if (score >= 2)
                    s_compare (self, job, cmd, tool, source);
                continue;
            }
            if (score > best_score [index]) {
                best_score [index] = score;
                best_cmd [index] = i;
            }
            continue;
        }
        //  install, build, lint: only where the manifests said nothing
        bool manifest_has = false;
        for (size_t k = 0; k < job->steps_count; k++)
            if (job->steps [k].kind == cmd->kind && strncmp (job->steps [k].source,
                                                             "README", 6) != 0
                && !strstr (job->steps [k].source, ".md:"))
                manifest_has = true;
        if (manifest_has) {
            if (score >= 2 && cmd->kind == CMD_INSTALL)
                s_compare (self, job, cmd, tool, source);
            continue;
        }
        //  a lint the README asks contributors to run, where the
        //  manifests give none, is what the maintainers check too; a
        //  lint mentioned in passing is not
        if (cmd->kind == CMD_LINT && score < 2 && !self->readme_only)
            continue;
        if (cmd->kind == CMD_BUILD && score < 2 && !self->readme_only)
            continue;
        dctx_step (self, job, cmd->kind, cmd->text, source);
    }
    for (size_t j = 0; j < self->report->jobs_count && j < DCTX_MAX_JOBS; j++) {
        if (best_score [j] < 0)
            continue;
        const readme_cmd_t *cmd = &doc->commands [best_cmd [j]];
        char source [256];
        s_cmd_source (self, cmd, source, sizeof source);
        dctx_step (self, &self->report->jobs [j], CMD_TEST, cmd->text, source);
    }
}

static const char *
s_registry_ecosystem (const char *registry)
{
    static const char *const map [][2] = {
        { "npm", "node" }, { "pypi", "python" }, { "crates", "rust" },
        { "rubygems", "ruby" }, { "gem", "ruby" }, { "packagist", "php" },
        { "hex", "elixir" }, { "nuget", "dotnet" }, { "pub", "dart" },
        { "maven", "java" }, { "maven-central", "java" }, { "go", "go" },
        { "pkg.go.dev", "go" }, { "cocoapods", "swift" }, { "cran", "r" },
        { "hackage", "haskell" }, { "opam", "ocaml" }, { "luarocks", "lua" },
        { "jsr", "deno" }, { "deno", "deno" },
    };
    for (size_t i = 0; registry && i < sizeof map / sizeof map [0]; i++)
        if (strcasecmp (registry, map [i][0]) == 0)
            return map [i][1];
    return NULL;
}

//  What a job with no test of its own runs by default in readme_only mode.
static void
s_default_steps (dctx_t *self, report_job_t *job, const char *source)
{
    static const struct { const char *eco, *tool, *install, *test; } defaults [] = {
        { "node", "npm", "npm install", "npm test" },
        { "python", "pip", "python -m pip install -e .", "pytest" },
        { "rust", "cargo", NULL, "cargo test" },
        { "go", "go", NULL, "go test -v ./..." },
        { "ruby", "bundler", "bundle install", "bundle exec rake" },
        { "php", "composer", "composer install --prefer-dist --no-progress",
          "vendor/bin/phpunit" },
        { "elixir", "mix", "mix deps.get", "mix test" },
        { "dotnet", "dotnet", "dotnet restore", "dotnet test" },
        { "dart", "pub", "dart pub get", "dart test" },
        { "java", "maven", NULL, "mvn -B verify" },
        { "swift", "swiftpm", NULL, "swift test" },
        { "haskell", "cabal", "cabal update", "cabal test all" },
        { "deno", "deno", NULL, "deno test -A" },
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults [0]; i++) {
        if (strcmp (job->ecosystem, defaults [i].eco) != 0)
            continue;
        if (!*job->tool)
            dctx_tool (self, job, defaults [i].tool, source);
        if (defaults [i].install && !dctx_has_step (job, CMD_INSTALL))
            dctx_step (self, job, CMD_INSTALL, defaults [i].install, source);
        if (!dctx_has_step (job, CMD_TEST))
            dctx_step (self, job, CMD_TEST, defaults [i].test, source);
    }
}

//  The runtime key a job's versions use.
static const char *
s_runtime (const char *ecosystem)
{
    static const char *const map [][2] = {
        { "node", "node" }, { "python", "python" }, { "ruby", "ruby" }, { "php", "php" },
        { "go", "go" }, { "java", "java" }, { "scala", "java" }, { "clojure", "java" },
        { "dotnet", "dotnet" }, { "elixir", "elixir" }, { "erlang", "otp" },
        { "swift", "swift" }, { "zig", "zig" }, { "haskell", "ghc" }, { "ocaml", "ocaml" },
        { "dart", "dart" }, { "rust", "rust" }, { "deno", "deno" }, { "r", "r" },
        { "lua", "lua" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map [0]; i++)
        if (strcmp (ecosystem, map [i][0]) == 0)
            return map [i][1];
    return NULL;
}

//  Rust's toolchain is always stable; a README that states the oldest
//  rustc it supports ("minimum supported rustc version is 1.60.0",
//  "MSRV: 1.70") adds that toolchain beside stable, as rust-version in
//  Cargo.toml would. A manifest's MSRV or toolchain file wins.
static void
s_rust_msrv (dctx_t *self, report_job_t *job, const char *value, const char *source)
{
    if (dctx_get_setting (job, "msrv") || dctx_get_setting (job, "version-file"))
        return;
    //  only a lower bound or one version: "1.60.0", ">=1.60"
    const char *v = strncmp (value, ">=", 2) == 0? value + 2: value;
    if (!isdigit ((unsigned char) *v) || strpbrk (v, ",<>^~"))
        return;
    char version [32];
    snprintf (version, sizeof version, "%s", v);
    dctx_drop_versions (job, "rust");
    dctx_setting (self, job, "msrv", version, source);
    dctx_version (self, job, "rust", version, source);
    dctx_version (self, job, "rust", "stable", "stable toolchain");
}

static void
s_badges_and_facts (dctx_t *self)
{
    const readme_doc_t *doc = self->doc;
    for (size_t i = 0; i < doc->badges_count; i++) {
        const readme_badge_t *badge = &doc->badges [i];
        if (!badge->kind)
            continue;
        char source [128];
        const char *name = badge->doc < doc->docs_count && doc->docs [badge->doc]
                         ? doc->docs [badge->doc]: "README.md";
        snprintf (source, sizeof source, "%s:%u badge", name, badge->line);
        if (strcmp (badge->kind, "ci") == 0 && badge->value && *badge->value) {
            char note [300];
            snprintf (note, sizeof note, "a CI badge points at %.200s: the project "
                      "has a workflow already", badge->value);
            dctx_note (self, "info", note, source);
        }
        if (strcmp (badge->kind, "registry") == 0 && self->readme_only) {
            const char *eco = s_registry_ecosystem (badge->value);
            if (eco && !dctx_find_job (self, eco)) {
                report_job_t *job = dctx_job (self, eco, DCTX_STRONG);
                if (job)
                    s_default_steps (self, job, source);
            }
        }
        if (strcmp (badge->kind, "pyversions") == 0 && badge->value) {
            report_job_t *job = dctx_find_job (self, "python");
            if (!job && self->readme_only)
                job = dctx_job (self, "python", DCTX_STRONG);
            if (!job || !dctx_default_versions (job, "python"))
                continue;
            char lines [16][8];
            const char *list [16];
            size_t count = 0;
            char copy [160];
            snprintf (copy, sizeof copy, "%s", badge->value);
            for (char *tok = strtok (copy, ", "); tok && count < 16; tok = strtok (NULL, ", "))
                if (vrange_line (tok, 2, lines [count], 8)) {
                    list [count] = lines [count];
                    count++;
                }
            if (count) {
                dctx_drop_versions (job, "python");
                dctx_matrix_list (self, job, "python", list, count, source);
            }
        }
    }
    for (size_t i = 0; i < doc->facts_count; i++) {
        const readme_fact_t *fact = &doc->facts [i];
        if (!fact->key || !fact->value)
            continue;
        for (size_t j = 0; j < self->report->jobs_count; j++) {
            report_job_t *job = &self->report->jobs [j];
            const char *runtime = s_runtime (job->ecosystem);
            char source [128];
            const char *name = fact->doc < doc->docs_count && doc->docs [fact->doc]
                             ? doc->docs [fact->doc]: "README.md";
            snprintf (source, sizeof source, "%s:%u", name, fact->line);
            if (runtime && strcmp (runtime, "rust") == 0 && strcmp (fact->key, "rust") == 0) {
                s_rust_msrv (self, job, fact->value, source);
                continue;
            }
            if (!runtime || strcmp (runtime, fact->key) != 0
                || !dctx_default_versions (job, runtime))
                continue;
            //  "18" means 18.x; ">=3.9" is a range
            char range [96];
            bool bare = isdigit ((unsigned char) fact->value [0]);
            snprintf (range, sizeof range, bare? ">=%s": "%s", fact->value);
            dctx_drop_versions (job, runtime);
            if (!dctx_matrix (self, job, runtime, range, source))
                dctx_matrix (self, job, runtime, NULL, "knowledge: supported lines");
        }
    }
}

void
dreadme_merge (dctx_t *self)
{
    s_commands (self);
    s_badges_and_facts (self);
    //  rustfmt and clippy are components a minimal toolchain lacks: a
    //  README step that runs them asks for them as the manifests' would
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        report_job_t *job = &self->report->jobs [j];
        if (strcmp (job->ecosystem, "rust") != 0
            || dctx_get_setting (job, "rust-components"))
            continue;
        for (size_t k = 0; k < job->steps_count; k++)
            if (strstr (job->steps [k].run, "cargo fmt")
                || strstr (job->steps [k].run, "cargo clippy")) {
                dctx_setting (self, job, "rust-components", "clippy, rustfmt",
                              job->steps [k].source);
                break;
            }
    }
    if (!self->readme_only)
        return;
    //  degraded: every job gets a version and, if it has none, a test
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        report_job_t *job = &self->report->jobs [j];
        const char *runtime = s_runtime (job->ecosystem);
        if (runtime && !dctx_has_version (job, runtime))
            dctx_matrix (self, job, runtime, NULL, "knowledge: supported lines");
        if (!dctx_has_step (job, CMD_TEST))
            s_default_steps (self, job, "README only: the ecosystem's usual test");
    }
}
