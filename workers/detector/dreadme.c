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

//  What the knowledge says about a command's tool (data/tools.yml).
typedef struct {
    const char *word;           //  the tool's name
    const char *ecosystem;      //  "" for generic tools (make, just)
    const char *tool;           //  the package manager it says
    bool picks;                 //  it says which package manager
} tool_t;

//  One of the README words (readme.KEY in data/readme.yml). Borrowed.
static const ynode_t *
s_vocab (const knowledge_t *kb, const char *key)
{
    return ytree_path (knowledge_root (kb), "readme", key, NULL);
}

//  True when list (a sequence of words) holds word.
static bool
s_listed (const ynode_t *list, const char *word)
{
    return ktools_in (list, word, strlen (word));
}

//  True when some word of list occurs in text (as a whole word, when
//  whole is set).
static bool
s_mentions (const ynode_t *list, const char *text, bool whole)
{
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count; i++) {
        const char *word = ytree_str (list->items [i], "");
        if (*word && (whole? dtext_has_word (text, word): strstr (text, word) != NULL))
            return true;
    }
    return false;
}

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

//  The knowledge's entry for a tool that has an ecosystem, into *out.
static bool
s_tool_entry (const knowledge_t *kb, const char *name, bool behind_path, tool_t *out)
{
    const ynode_t *entry = ktools_get (knowledge_tools (kb), name, strlen (name));
    const char *ecosystem = ytree_str (ytree_get (entry, "ecosystem"), NULL);
    if (!ecosystem || (behind_path && !ktools_flag (entry, "behind-path")))
        return false;
    const char *picks = ytree_str (ytree_get (entry, "picks-manager"), "true");
    *out = (tool_t) { name, ecosystem, ytree_str (ytree_get (entry, "manager"), ""),
                      strcmp (picks, "false") != 0 };
    return true;
}

//  The tool a command runs, into *out; false when the knowledge gives it
//  no ecosystem. out->word borrows from word.
static bool
s_tool (const knowledge_t *kb, const char *command, char *word, size_t size, tool_t *out)
{
    s_first_word (command, word, size);
    if (s_tool_entry (kb, word, false, out))
        return true;
    //  vendor/bin/phpunit and the like: the tool behind the path
    const char *base = strrchr (word, '/');
    return base && s_tool_entry (kb, base + 1, true, out);
}

const char *
dreadme_ecosystem (const knowledge_t *kb, const char *command)
{
    char word [128];
    tool_t tool;
    if (s_tool (kb, command, word, sizeof word, &tool))
        return tool.ecosystem;
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
    //  data/readme.yml readme.sections: development, usage, setup
    const ynode_t *sections = s_vocab (self->kb, "sections");
    const ynode_t *dev = ytree_get (sections, "development");
    const ynode_t *dev_headings = ytree_get (sections, "development-headings");
    const ynode_t *usage = ytree_get (sections, "usage");
    const ynode_t *setup = ytree_get (sections, "setup");
    const char *scopes [] = { last, lower };
    for (size_t k = 0; k < 2; k++) {
        if (s_listed (dev_headings, scopes [k]) || s_mentions (dev, scopes [k], false))
            return 3;
        for (size_t i = 0; usage && usage->kind == YNODE_SEQ && i < usage->count; i++) {
            const char *word = ytree_str (usage->items [i], "");
            if (*word && (strlen (word) > 4? strstr (scopes [k], word) != NULL
                                           : dtext_has_word (scopes [k], word)))
                return 0;
        }
        if (s_mentions (setup, scopes [k], false))
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
    const ynode_t *verbs = s_vocab (self->kb, "install-verbs");
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
            after_verb = s_listed (verbs, word);
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
    if (s_listed (s_vocab (self->kb, "build-outputs"), head))
        return false;
    const ynode_t *prefixes = s_vocab (self->kb, "build-output-prefixes");
    for (size_t i = 0; prefixes && prefixes->kind == YNODE_SEQ && i < prefixes->count; i++) {
        const char *prefix = ytree_str (prefixes->items [i], "");
        if (*prefix && strncmp (head, prefix, strlen (prefix)) == 0)
            return false;
    }
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
s_npm_script (const knowledge_t *kb, char words [][64], size_t count, char *script,
              size_t size)
{
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
        if (s_listed (s_vocab (kb, "package-manager-commands"), sub))
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
    if (s_npm_script (self->kb, words, count, script, sizeof script)) {
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
    const ynode_t *generators = s_vocab (self->kb, "makefile-generators");
    for (size_t i = 0; generators && generators->kind == YNODE_SEQ && i < generators->count; i++)
        if (dctx_has (self, ytree_str (generators->items [i], "")))
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
        || !s_npm_script (self->kb, words, count, script, sizeof script))
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
    const ynode_t *windows = s_vocab (self->kb, "windows");
    return s_mentions (ytree_get (windows, "words"), lower, true)
        && !s_mentions (ytree_get (windows, "unless"), lower, true);
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
dreadme_core (const knowledge_t *kb, const char *command, char *out, size_t size)
{
    char text [256];
    snprintf (text, sizeof text, "%s", command);
    char *p = text;
    //  past env assignments, sudo and runners that wrap the real command
    const ynode_t *prefixes = s_vocab (kb, "command-prefixes");
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
        for (size_t i = 0; prefixes && prefixes->kind == YNODE_SEQ && i < prefixes->count; i++) {
            const char *prefix = ytree_str (prefixes->items [i], "");
            if (*prefix && strncmp (p, prefix, strlen (prefix)) == 0) {
                p += strlen (prefix);
                changed = true;
            }
        }
    }
    char first [64] = "", second [64] = "";
    sscanf (p, "%63s %63s", first, second);
    if (second [0] == '-')
        second [0] = 0;
    //  mvnw is mvn (the tool's same-as)
    const char *same = ytree_str (ytree_get (ktools_get (knowledge_tools (kb), first,
                                                         strlen (first)), "same-as"), NULL);
    if (same)
        snprintf (first, sizeof first, "%s", same);
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
    const ynode_t *single = s_vocab (kb, "single-word-runners");
    if (s_listed (single, first) || (strchr (first, '/') && s_mentions (single, first, false)))
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
    //  a different package manager of the same ecosystem (make, npx and
    //  the like pick none)
    bool pm_word = tool && tool->picks;
    const char *job_tool = job->tool;
    if (pm_word && *job_tool && strcmp (job->ecosystem, "node") == 0
        && strcmp (s_family (tool->tool), s_family (job_tool)) != 0) {
        char why [400];
        snprintf (why, sizeof why, "README uses %s ('%.120s') but %s says %s; kept %s",
                  tool->tool, cmd->text, job->tool_source, job_tool, job_tool);
        dctx_note (self, "conflict", why, source);
        return;
    }
    if (pm_word && strcmp (job->ecosystem, "python") == 0
        && s_listed (s_vocab (self->kb, "python-managers"), tool->tool)
        && strcmp (job_tool, tool->tool) != 0) {
        char why [400];
        snprintf (why, sizeof why, "README uses %s ('%.120s') but %s says %s; kept %s",
                  tool->tool, cmd->text, job->tool_source, job_tool, job_tool);
        dctx_note (self, "conflict", why, source);
        return;
    }
    if (cmd->kind != CMD_TEST)
        return;
    char want [160], have [160];
    dreadme_core (self->kb, cmd->text, want, sizeof want);
    for (size_t i = 0; i < job->steps_count; i++) {
        if (job->steps [i].kind != CMD_TEST)
            continue;
        dreadme_core (self->kb, job->steps [i].run, have, sizeof have);
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
        char word [128];
        tool_t found;
        const tool_t *tool = s_tool (self->kb, cmd->text, word, sizeof word, &found)? &found: NULL;
        const char *ecosystem = dreadme_ecosystem (self->kb, cmd->text);
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
s_registry_ecosystem (const dctx_t *self, const char *registry)
{
    const ynode_t *map = s_vocab (self->kb, "registries");
    for (size_t i = 0; registry && map && map->kind == YNODE_MAP && i < map->count; i++)
        if (strcasecmp (registry, map->keys [i]) == 0)
            return ytree_str (map->items [i], NULL);
    return NULL;
}

//  What a job with no test of its own runs by default in readme_only mode.
static void
s_default_steps (dctx_t *self, report_job_t *job, const char *source)
{
    const ynode_t *steps = ytree_get (s_vocab (self->kb, "default-steps"), job->ecosystem);
    if (!steps || steps->kind != YNODE_MAP)
        return;
    const char *tool = ytree_str (ytree_get (steps, "tool"), NULL);
    const char *install = ytree_str (ytree_get (steps, "install"), NULL);
    const char *test = ytree_str (ytree_get (steps, "test"), NULL);
    if (tool && !*job->tool)
        dctx_tool (self, job, tool, source);
    if (install && !dctx_has_step (job, CMD_INSTALL))
        dctx_step (self, job, CMD_INSTALL, install, source);
    if (test && !dctx_has_step (job, CMD_TEST))
        dctx_step (self, job, CMD_TEST, test, source);
}

//  The runtime key a job's versions use.
static const char *
s_runtime (const dctx_t *self, const char *ecosystem)
{
    return ytree_str (ytree_get (s_vocab (self->kb, "runtime-of"), ecosystem), NULL);
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
            const char *eco = s_registry_ecosystem (self, badge->value);
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
            const char *runtime = s_runtime (self, job->ecosystem);
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
        const char *runtime = s_runtime (self, job->ecosystem);
        if (runtime && !dctx_has_version (job, runtime))
            dctx_matrix (self, job, runtime, NULL, "knowledge: supported lines");
        if (!dctx_has_step (job, CMD_TEST))
            s_default_steps (self, job, "README only: the ecosystem's usual test");
    }
}
