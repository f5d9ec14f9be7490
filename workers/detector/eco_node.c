/*  workers/detector/eco_node.c - Node.js (npm, yarn 1 and berry, pnpm,
    bun) from package.json, lockfiles and version files.  */
#include "workers/detector/eco.h"
#include "common/ytree.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  What npm init writes as the test script: no test at all.
#define NPM_NO_TEST "no test specified"

typedef struct {
    const char *tool;           //  npm, yarn, yarn-berry, pnpm, bun
    char source [192];
} pm_t;

//  The family a tool belongs to, to compare evidence.
static const char *
s_family (const char *tool)
{
    return strncmp (tool, "yarn", 4) == 0? "yarn": tool;
}

//  The package manager the lockfiles and config files point at (the
//  first of data/ecosystems/node.yml's lockfiles present), or NULL.
static const char *
s_lock_tool (const dctx_t *self, const char **file_p)
{
    const ynode_t *locks = eco_data (self, "node", "lockfiles");
    for (size_t i = 0; locks && locks->kind == YNODE_SEQ && i < locks->count; i++) {
        const char *file = ytree_str (ytree_get (locks->items [i], "file"), NULL);
        const char *tool = ytree_str (ytree_get (locks->items [i], "tool"), NULL);
        if (file && tool && dctx_has (self, file)) {
            *file_p = file;
            //  yarn.lock beside .yarnrc.yml is berry, found first
            return tool;
        }
    }
    return NULL;
}

//  Lockfiles of another package manager than tool: conflicts to report.
static void
s_other_locks (dctx_t *self, const char *tool, const char *source)
{
    const ynode_t *locks = eco_data (self, "node", "lockfiles");
    for (size_t i = 0; locks && locks->kind == YNODE_SEQ && i < locks->count; i++) {
        const char *file = ytree_str (ytree_get (locks->items [i], "file"), NULL);
        const char *other = ytree_str (ytree_get (locks->items [i], "tool"), NULL);
        if (file && other && eco_is_lock (locks->items [i]) && dctx_has (self, file)
            && strcmp (s_family (other), s_family (tool)) != 0) {
            char why [300];
            snprintf (why, sizeof why, "%s is %s's lockfile but %s says %s; used %s",
                      file, s_family (other), source, tool, tool);
            dctx_note (self, "conflict", why, file);
        }
    }
}

static void
s_choose_pm (dctx_t *self, report_job_t *job, const project_file_t *pkg,
             json_t *root, pm_t *pm)
{
    pm->tool = NULL;
    const char *lock_file = NULL;
    const char *lock = s_lock_tool (self, &lock_file);
    const char *field = json_string_value (json_object_get (root, "packageManager"));
    if (field) {
        char name [32] = "", version [64] = "";
        const char *at = strchr (field, '@');
        size_t n = at? (size_t) (at - field): strlen (field);
        if (n < sizeof name) {
            memcpy (name, field, n);
            name [n] = 0;
        }
        if (at) {
            snprintf (version, sizeof version, "%s", at + 1);
            char *plus = strchr (version, '+');
            if (plus)
                *plus = 0;
        }
        dctx_source (pm->source, sizeof pm->source, pkg->name,
                     dtext_json_line (pkg->data, NULL, "packageManager"), "packageManager");
        if (strcmp (name, "yarn") == 0)
            pm->tool = vrange_compare (version, "2") >= 0? "yarn-berry": "yarn";
        else
        if (strcmp (name, "pnpm") == 0 || strcmp (name, "bun") == 0
            || strcmp (name, "npm") == 0)
            pm->tool = strcmp (name, "pnpm") == 0? "pnpm"
                     : strcmp (name, "bun") == 0? "bun": "npm";
        if (pm->tool && *version && strcmp (pm->tool, "npm") != 0) {
            char key [48];
            snprintf (key, sizeof key, "%s-version", name);
            dctx_setting (self, job, key, version, pm->source);
        }
    }
    if (!pm->tool && lock) {
        pm->tool = lock;
        snprintf (pm->source, sizeof pm->source, "%s", lock_file);
    }
    if (pm->tool)
        s_other_locks (self, pm->tool, pm->source);
    if (!pm->tool) {
        json_t *engines = json_object_get (root, "engines");
        static const char *const tools [] = { "pnpm", "bun", "yarn", NULL };
        for (size_t i = 0; tools [i] && !pm->tool; i++)
            if (json_object_get (engines, tools [i])) {
                pm->tool = tools [i];
                char what [32];
                snprintf (what, sizeof what, "engines.%s", tools [i]);
                dctx_source (pm->source, sizeof pm->source, pkg->name,
                             dtext_json_line (pkg->data, "engines", tools [i]), what);
            }
    }
    if (!pm->tool) {
        pm->tool = "npm";
        snprintf (pm->source, sizeof pm->source, "%s (no lockfile: npm by default)",
                  pkg->name);
    }
}

//  The command that runs script name with the package manager.
static void
s_run_script (const char *tool, const char *script, char *out, size_t size)
{
    const char *bin = strncmp (tool, "yarn", 4) == 0? "yarn": tool;
    if (strcmp (script, "test") == 0 && strcmp (tool, "bun") != 0)
        snprintf (out, size, "%s test", bin);
    else
        snprintf (out, size, "%s run %s", bin, script);
}

static const char *
s_script (json_t *scripts, const char *name)
{
    return json_string_value (json_object_get (scripts, name));
}

static bool
s_has_dep (json_t *root, const char *name)
{
    return json_object_get (json_object_get (root, "dependencies"), name)
        || json_object_get (json_object_get (root, "devDependencies"), name);
}


//  -- what the tooling runs on ------------------------------------------
//  package-lock.json (v2, v3) and npm-shrinkwrap.json: packages[*].engines.node.
//  True when it recorded any.
static bool
s_npm_lock_limits (dctx_t *self, report_job_t *job, json_t *lock, const char *file)
{
    const char *key;
    json_t *entry;
    bool any = false;
    json_object_foreach (json_object_get (lock, "packages"), key, entry) {
        if (!*key)
            continue;           //  the project itself: its own engines
        const char *range = json_string_value (json_object_get (
                                json_object_get (entry, "engines"), "node"));
        if (!range)
            continue;
        const char *name = strstr (key, "node_modules/");
        const char *version = json_string_value (json_object_get (entry, "version"));
        char why [160];
        snprintf (why, sizeof why, "%s@%s", name? name + 13: key, version? version: "?");
        dctx_limit (self, job, range, why, file);
        any = true;
    }
    return any;
}

//  pnpm-lock.yaml: packages[*].engines.node. True when it recorded any.
static bool
s_pnpm_lock_limits (dctx_t *self, report_job_t *job, const ynode_t *lock, const char *file)
{
    const ynode_t *packages = ytree_get (lock, "packages");
    bool any = false;
    for (size_t i = 0; packages && packages->kind == YNODE_MAP && i < packages->count; i++) {
        const char *range = ytree_str (ytree_path (packages->items [i], "engines", "node",
                                                   NULL), NULL);
        if (!range)
            continue;
        dctx_limit (self, job, range, packages->keys [i], file);
        any = true;
    }
    return any;
}

//  The version line a dependency spec installs, as the knowledge keys
//  tools: the major ("4" for "^4.0.17", "3" for "3.2.25"), or "0.MINOR"
//  for 0.x. False for specs that do not pin a line (">=1", "*", tags,
//  URLs, workspace: and npm: aliases, alternatives).
static bool
s_spec_line (const char *spec, char *out, size_t size)
{
    while (*spec == '^' || *spec == '~' || *spec == '=' || *spec == 'v' || *spec == ' ')
        spec++;
    if (!(*spec >= '0' && *spec <= '9') || strstr (spec, "||") || strchr (spec, '<')
        || strchr (spec, '>') || strstr (spec, " - "))
        return false;
    char *end;
    long major = strtol (spec, &end, 10);
    if (major == 0 && *end == '.' && end [1] >= '0' && end [1] <= '9')
        snprintf (out, size, "0.%ld", strtol (end + 1, NULL, 10));
    else
        snprintf (out, size, "%ld", major);
    return true;
}

//  What the installed packages need of Node, as limits on the job's
//  matrix: the lockfile of the package manager in use records each one's
//  engines; without one, the knowledge of what the usual tools need
//  (runtimes.node.tool-engines); and where tools stop working whatever
//  they declare (tool-limits), always.
static void
s_limits (dctx_t *self, report_job_t *job, const project_file_t *pkg, json_t *root,
          const char *tool)
{
    bool from_lock = false;
    const project_file_t *lock = NULL;
    if (strcmp (tool, "pnpm") == 0 && (lock = dctx_manifest (self, "pnpm-lock.yaml"))) {
        ynode_t *tree = ytree_parse (lock->data, lock->size, NULL, 0);
        from_lock = tree && s_pnpm_lock_limits (self, job, tree, lock->name);
        ytree_destroy (&tree);
    }
    else
    if (strcmp (tool, "npm") == 0
        && ((lock = dctx_manifest (self, "npm-shrinkwrap.json"))
            || (lock = dctx_manifest (self, "package-lock.json")))) {
        json_t *tree = json_loadb (lock->data, lock->size, 0, NULL);
        from_lock = tree && s_npm_lock_limits (self, job, tree, lock->name);
        json_decref (tree);
    }
    const ynode_t *node = ytree_path (knowledge_root (self->kb), "runtimes", "node", NULL);
    static const char *const sections [] = { "devDependencies", "dependencies", NULL };
    for (size_t s = 0; sections [s]; s++) {
        const char *name;
        json_t *value;
        json_object_foreach (json_object_get (root, sections [s]), name, value) {
            const char *spec = json_string_value (value);
            char line [16], why [160], source [192];
            snprintf (why, sizeof why, "%s %s", name, spec? spec: "");
            dctx_source (source, sizeof source, pkg->name,
                         dtext_json_line (pkg->data, sections [s], name), sections [s]);
            dctx_limit (self, job, ytree_str (ytree_path (node, "tool-limits", name, NULL),
                                              NULL), why, source);
            if (!from_lock && spec && s_spec_line (spec, line, sizeof line))
                dctx_limit (self, job, ytree_str (ytree_path (node, "tool-engines", name,
                                                              line, NULL), NULL), why, source);
        }
    }
}

static void
s_versions (dctx_t *self, report_job_t *job, const project_file_t *pkg, json_t *root)
{
    char source [192], pinned [64] = "", pin_file [32] = "";
    const char *range = json_string_value (json_object_get (
                            json_object_get (root, "engines"), "node"));
    static const char *const files [] = { ".nvmrc", ".node-version", NULL };
    for (size_t i = 0; files [i] && !*pinned; i++)
        if (eco_version_file (self, files [i], pinned, sizeof pinned))
            snprintf (pin_file, sizeof pin_file, "%s", files [i]);
    unsigned tv_line = 0;
    if (!*pinned && eco_tool_versions (self, "nodejs", pinned, sizeof pinned, &tv_line))
        snprintf (pin_file, sizeof pin_file, ".tool-versions");
    if (range && *range) {
        dctx_source (source, sizeof source, pkg->name,
                     dtext_json_line (pkg->data, "engines", "node"), "engines.node");
        if (!dctx_matrix (self, job, "node", range, source)) {
            char why [512];
            snprintf (why, sizeof why, "engines.node '%s' names no known Node line",
                      range);
            dctx_note (self, "info", why, source);
        }
        char line [16];
        if (*pinned && vrange_line (pinned, 1, line, sizeof line)
            && !vrange_allows (range, line)) {
            char why [512];
            snprintf (why, sizeof why, "%s pins Node %s, outside engines.node '%s'; "
                      "tested the engines range", pin_file, pinned, range);
            dctx_note (self, "conflict", why, source);
        }
        if (dctx_has_version (job, "node"))
            return;
    }
    if (*pinned) {
        dctx_setting (self, job, "version-file", pin_file, pin_file);
        char line [16];
        dctx_version (self, job, "node",
                      vrange_line (pinned, 1, line, sizeof line)? line: pinned, pin_file);
        return;
    }
    const char *volta = json_string_value (json_object_get (
                            json_object_get (root, "volta"), "node"));
    char line [16];
    if (volta && vrange_line (volta, 1, line, sizeof line)) {
        dctx_source (source, sizeof source, pkg->name,
                     dtext_json_line (pkg->data, "volta", "node"), "volta.node");
        dctx_version (self, job, "node", line, source);
        return;
    }
    dctx_matrix (self, job, "node", NULL, "knowledge: supported Node lines");
}

//  The first script of the knowledge's list key (runtimes.node.KEY) the
//  project defines that CI can run, or NULL.
static const char *
s_listed_script (dctx_t *self, json_t *scripts, const char *key)
{
    const ynode_t *list = ytree_path (knowledge_root (self->kb), "runtimes", "node", key,
                                      NULL);
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count; i++) {
        const char *name = ytree_str (list->items [i], NULL);
        const char *text = name? s_script (scripts, name): NULL;
        if (text && eco_real_ci (text))
            return name;
    }
    return NULL;
}

//  True when text mentions a word of the knowledge's list key.
static bool
s_mentions (dctx_t *self, const char *text, const char *key)
{
    const ynode_t *list = ytree_path (knowledge_root (self->kb), "runtimes", "node", key,
                                      NULL);
    for (size_t i = 0; text && list && list->kind == YNODE_SEQ && i < list->count; i++) {
        const char *word = ytree_str (list->items [i], NULL);
        if (word && strstr (text, word))
            return true;
    }
    return false;
}

//  The command word text starts with ("ts-scripts" of "ts-scripts lint").
static void
s_first_word (const char *text, char *out, size_t size)
{
    size_t n = strcspn (text, " \t;&|");
    snprintf (out, size, "%.*s", (int) (n < size? n: size - 1), text);
}

//  True when npm test's pretest/posttest hooks only check (lint, audit,
//  format) and one fetches its tool at run time (`npx pkg@range`), whose
//  Node needs neither the lockfile nor the engines say: the hooks are
//  then left out of the test step, when every line of the matrix has an
//  npm that can (npm 7, Node 16, on).
static bool
s_skip_check_hooks (dctx_t *self, const report_job_t *job, json_t *scripts)
{
    const char *hooks [] = { s_script (scripts, "pretest"), s_script (scripts, "posttest") };
    bool any = false, fetched = false;
    for (size_t i = 0; i < 2; i++) {
        if (!hooks [i])
            continue;
        if (!s_mentions (self, hooks [i], "check-hooks"))
            return false;
        any = true;
        const char *npx = strstr (hooks [i], "npx ");
        fetched = fetched || (npx && strchr (npx, '@'));
    }
    if (!any || !fetched || !job->versions_count)
        return false;
    for (size_t i = 0; i < job->versions_count; i++)
        if (strcmp (job->versions [i].key, "node") == 0
            && (!vrange_valid (job->versions [i].value)
                || vrange_compare (job->versions [i].value, "16") < 0))
            return false;
    return true;
}

//  Scripts: test (preferring a CI variant, then a tests-only script),
//  lint, build.
static void
s_steps (dctx_t *self, report_job_t *job, const project_file_t *pkg,
         json_t *root, const char *tool)
{
    json_t *scripts = json_object_get (root, "scripts");
    char run [160], source [192], what [96];
    const char *test = s_script (scripts, "test");
    const char *chosen = s_listed_script (self, scripts, "ci-test-scripts");
    if (!chosen)
        chosen = s_listed_script (self, scripts, "tests-only-scripts");
    if (!chosen && test) {
        if (strstr (test, NPM_NO_TEST)) {
            dctx_note (self, "dropped", "package.json scripts.test is npm's "
                       "placeholder: no tests", pkg->name);
        }
        else
        if (!eco_real_ci (test)) {
            snprintf (what, sizeof what, "scripts.test '%.40s' watches or serves", test);
            dctx_note (self, "dropped", what, pkg->name);
        }
        else
            chosen = "test";
    }
    if (!chosen && s_script (scripts, "test:unit") && eco_real_ci (s_script (scripts, "test:unit")))
        chosen = "test:unit";
    const char *test_text = chosen? s_script (scripts, chosen): "";
    //  npm and yarn run pretest and posttest around `test` only
    bool skip_hooks = chosen && strcmp (chosen, "test") == 0 && strcmp (tool, "npm") == 0
                   && s_skip_check_hooks (self, job, scripts);
    bool hooks = chosen && strcmp (chosen, "test") == 0 && !skip_hooks;
    const char *pretest = hooks? s_script (scripts, "pretest"): NULL;
    const char *posttest = hooks? s_script (scripts, "posttest"): NULL;
    const char *build = s_script (scripts, "build");
    if (build && eco_real_ci (build)
        && !(pretest && strstr (pretest, "build")) && !strstr (test_text, "run build")) {
        s_run_script (tool, "build", run, sizeof run);
        snprintf (what, sizeof what, "scripts.build");
        dctx_source (source, sizeof source, pkg->name,
                     dtext_json_line (pkg->data, "scripts", "build"), what);
        dctx_step (self, job, CMD_BUILD, run, source);
    }
    const char *lint = s_script (scripts, "lint");
    char lint_tool [64] = "", test_tool [64] = "";
    if (lint)
        s_first_word (lint, lint_tool, sizeof lint_tool);
    s_first_word (test_text, test_tool, sizeof test_tool);
    //  `x lint` beside a test that is `x test`: one wrapper drives both,
    //  and the suite its test runs is what the maintainers run
    const ynode_t *runners = ytree_path (knowledge_root (self->kb), "runtimes", "node",
                                         "script-runners", NULL);
    bool runner = false;
    for (size_t i = 0; runners && runners->kind == YNODE_SEQ && i < runners->count; i++)
        runner = runner || strcmp (ytree_str (runners->items [i], ""), lint_tool) == 0;
    bool same_wrapper = *lint_tool && !runner && strcmp (lint_tool, test_tool) == 0;
    if (same_wrapper) {
        snprintf (what, sizeof what, "scripts.lint and scripts.%s both run %s: its "
                  "test is what is run", chosen, lint_tool);
        dctx_note (self, "dropped", what, pkg->name);
    }
    if (lint && eco_real_ci (lint) && !strstr (test_text, "lint") && !same_wrapper
        && !(pretest && strstr (pretest, "lint")) && !(posttest && strstr (posttest, "lint"))) {
        s_run_script (tool, "lint", run, sizeof run);
        dctx_source (source, sizeof source, pkg->name,
                     dtext_json_line (pkg->data, "scripts", "lint"), "scripts.lint");
        dctx_step (self, job, CMD_LINT, run, source);
    }
    if (chosen) {
        s_run_script (tool, chosen, run, sizeof run);
        if (skip_hooks) {
            snprintf (run, sizeof run, "npm test --ignore-scripts");
            dctx_note (self, "info", "pretest/posttest only check, and one fetches its "
                       "tool with npx: the test step runs without them "
                       "(--ignore-scripts)", pkg->name);
        }
        snprintf (what, sizeof what, "scripts.%s", chosen);
        dctx_source (source, sizeof source, pkg->name,
                     dtext_json_line (pkg->data, "scripts", chosen), what);
        dctx_step (self, job, CMD_TEST, run, source);
    }
    else
    if (strcmp (tool, "bun") == 0) {
        //  bun has a test runner of its own
        snprintf (source, sizeof source, "%s (bun's own test runner)", pkg->name);
        dctx_step (self, job, CMD_TEST, "bun test", source);
    }
}

static void
s_install (dctx_t *self, report_job_t *job, const char *tool, const pm_t *pm)
{
    //  yarn berry keeps yarn's lockfile
    bool locked = eco_locked (self, "node", s_family (tool));
    const char *run = eco_install (self, "node", tool, locked);
    if (run)
        dctx_step (self, job, CMD_INSTALL, run, pm->source);
    //  setup-node caches only with a lockfile to key on
    if (locked && strcmp (tool, "bun") != 0)
        dctx_setting (self, job, "cache", s_family (tool), pm->source);
}

//  True when package.json describes the package (name, version, files)
//  and builds nothing: no script but npm's placeholder test, no dev
//  dependencies, and no dependency npm could install (clib's manifest
//  lists "owner/repo" keys, which are not npm names).
static bool
s_metadata_only (json_t *root)
{
    const char *name;
    json_t *value;
    json_object_foreach (json_object_get (root, "scripts"), name, value) {
        const char *text = json_string_value (value);
        if (text && *text && !strstr (text, NPM_NO_TEST))
            return false;
    }
    if (json_object_size (json_object_get (root, "devDependencies"))
        || json_object_size (json_object_get (root, "optionalDependencies"))
        || json_object_get (root, "workspaces"))
        return false;
    json_object_foreach (json_object_get (root, "dependencies"), name, value)
        if (*name == '@' || !strchr (name, '/'))
            return false;
    return true;
}

//  The native build file beside package.json, or NULL.
static const char *
s_native_build (const dctx_t *self)
{
    static const char *const files [] = { "Makefile", "makefile", "GNUmakefile",
        "CMakeLists.txt", "meson.build", "configure.ac", "configure.in", NULL };
    for (size_t i = 0; files [i]; i++)
        if (dctx_has (self, files [i]))
            return files [i];
    return NULL;
}

void
eco_node_detect (dctx_t *self)
{
    const project_file_t *pkg = dctx_manifest (self, "package.json");
    if (!pkg) {
        if (!dctx_has (self, "package.json"))
            return;
        //  listed without its contents: only the name to go on
        report_job_t *job = dctx_job (self, "node", DCTX_WEAK);
        const char *lock_file = NULL;
        const char *lock = s_lock_tool (self, &lock_file);
        pm_t pm = { lock? lock: "npm", "" };
        snprintf (pm.source, sizeof pm.source, "%s", lock? lock_file: "package.json");
        dctx_tool (self, job, pm.tool, pm.source);
        s_install (self, job, pm.tool, &pm);
        dctx_matrix (self, job, "node", NULL, "knowledge: supported Node lines");
        return;
    }
    json_t *root = eco_json (self, pkg, false);
    const char *native = root? s_native_build (self): NULL;
    if (native && s_metadata_only (root)) {
        char why [300];
        snprintf (why, sizeof why, "%s has no scripts and no npm dependencies beside "
                  "%s: package metadata, not a Node build; no Node job", pkg->name, native);
        dctx_note (self, "dropped", why, pkg->name);
        json_decref (root);
        return;
    }
    json_t *scripts = json_object_get (root, "scripts");
    const char *test = s_script (scripts, "test");
    bool real_test = test && !strstr (test, NPM_NO_TEST) && eco_real_ci (test);
    bool library = json_object_get (root, "main") || json_object_get (root, "exports")
                || json_object_get (root, "bin") || json_object_get (root, "module");
    report_job_t *job = dctx_job (self, "node",
                                  real_test || library? DCTX_STRONG: DCTX_WEAK);
    if (!job) {
        json_decref (root);
        return;
    }
    dctx_add_name (self, json_string_value (json_object_get (root, "name")));
    pm_t pm;
    s_choose_pm (self, job, pkg, root, &pm);
    dctx_tool (self, job, pm.tool, pm.source);
    if (dctx_has (self, "tsconfig.json") || s_has_dep (root, "typescript"))
        dctx_language (self, job, "typescript");
    else
        dctx_language (self, job, "javascript");
    s_limits (self, job, pkg, root, pm.tool);
    s_versions (self, job, pkg, root);
    s_install (self, job, pm.tool, &pm);
    s_steps (self, job, pkg, root, pm.tool);
    //  client libraries of databases the tests may talk to
    static const char *const sections [] = { "dependencies", "devDependencies", NULL };
    for (size_t i = 0; sections [i]; i++) {
        const char *name;
        json_t *value;
        json_object_foreach (json_object_get (root, sections [i]), name, value) {
            char source [192], what [96];
            snprintf (what, sizeof what, "%s %s", sections [i], name);
            dctx_source (source, sizeof source, pkg->name,
                         dtext_json_line (pkg->data, sections [i], name), what);
            dctx_driver (self, job, name, source);
        }
    }
    if (json_object_get (root, "workspaces"))
        dctx_note (self, "info", "package.json declares workspaces: the root "
                   "scripts are run, not each workspace's", pkg->name);
    json_decref (root);
}
