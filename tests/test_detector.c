/*  Tests for workers/detector: every ecosystem's rules on small invented
    projects (tests/fixtures/detector), package managers, version sources
    and matrices, wrappers, README pitfalls, polyglot repos, services and
    readme_only mode. Projects and documents are built here, no codecs.  */
#include "workers/detector/detector.h"
#include "workers/detector/dreadme.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static knowledge_t *s_kb;

static void
s_setup (void)
{
    char err [256];
    s_kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (s_kb, "knowledge: %s", err);
}

static void
s_teardown (void)
{
    knowledge_destroy (&s_kb);
}

TestSuite (detector, .init = s_setup, .fini = s_teardown);

//  -- building inputs -----------------------------------------------------

//  proto/project's own builders, which the test expects to succeed
static void
s_add_name (project_t *p, const char *name)
{
    cr_assert_eq (project_add_file (p, name), 0);
}

static void
s_add_manifest (project_t *p, const char *name, const char *data)
{
    cr_assert_eq (project_add_manifest (p, name, data, strlen (data)), 0);
}

//  A fixture folder as the client would send it: every file is a top-level
//  name and a manifest; _files.txt lists names sent without contents.
static project_t
s_fixture (const char *name)
{
    project_t p = { 0 };
    p.name = strdup (name);
    char rel [256];
    snprintf (rel, sizeof rel, "tests/fixtures/detector/%s", name);
    char *dir = tu_src (rel);
    DIR *d = opendir (dir);
    cr_assert_not_null (d, "no fixture %s", dir);
    struct dirent *e;
    while ((e = readdir (d))) {
        if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
            continue;
        char path [1024];
        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        size_t size;
        char *text = tu_read (path, &size);
        cr_assert_not_null (text);
        if (strcmp (e->d_name, "_files.txt") == 0) {
            for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n"))
                s_add_name (&p, line);
        }
        else {
            s_add_name (&p, e->d_name);
            s_add_manifest (&p, e->d_name, text);
        }
        free (text);
    }
    closedir (d);
    free (dir);
    return p;
}

//  A document with sections and commands, written compactly in tests.
static readme_doc_t
s_doc (void)
{
    readme_doc_t doc = { 0 };
    doc.docs = calloc (1, sizeof *doc.docs);
    doc.docs [0] = strdup ("README.md");
    doc.docs_count = 1;
    return doc;
}

static uint32_t
s_section (readme_doc_t *doc, const char *path, uint32_t line)
{
    doc->sections = realloc (doc->sections, (doc->sections_count + 1) * sizeof *doc->sections);
    const char *last = strrchr (path, '>');
    doc->sections [doc->sections_count] = (readme_section_t) {
        strdup (last? last + 2: path), strdup (path), 2, line, 0 };
    return (uint32_t) doc->sections_count++;
}

static void
s_cmd (readme_doc_t *doc, uint32_t section, cmd_kind_t kind, uint32_t flags,
       uint32_t line, const char *text)
{
    doc->commands = realloc (doc->commands, (doc->commands_count + 1) * sizeof *doc->commands);
    doc->commands [doc->commands_count++] = (readme_cmd_t) {
        strdup (text), kind, strdup ("test"), flags, line, section, 0, 0 };
}

static void
s_fact (readme_doc_t *doc, const char *key, const char *value, uint32_t line)
{
    doc->facts = realloc (doc->facts, (doc->facts_count + 1) * sizeof *doc->facts);
    doc->facts [doc->facts_count++] = (readme_fact_t) { strdup (key), strdup (value), line, 0 };
}

static void
s_badge (readme_doc_t *doc, const char *kind, const char *value, uint32_t line)
{
    doc->badges = realloc (doc->badges, (doc->badges_count + 1) * sizeof *doc->badges);
    doc->badges [doc->badges_count++] = (readme_badge_t) {
        strdup (kind), strdup (value), strdup (""), strdup (""), line, 0 };
}

static void
s_doc_free (readme_doc_t *doc)
{
    for (size_t i = 0; i < doc->docs_count; i++)
        free (doc->docs [i]);
    for (size_t i = 0; i < doc->sections_count; i++) {
        free (doc->sections [i].heading);
        free (doc->sections [i].path);
    }
    for (size_t i = 0; i < doc->commands_count; i++) {
        free (doc->commands [i].text);
        free (doc->commands [i].reason);
    }
    for (size_t i = 0; i < doc->facts_count; i++) {
        free (doc->facts [i].key);
        free (doc->facts [i].value);
    }
    for (size_t i = 0; i < doc->badges_count; i++) {
        free (doc->badges [i].kind);
        free (doc->badges [i].value);
        free (doc->badges [i].image);
        free (doc->badges [i].link);
    }
    free (doc->docs);
    free (doc->sections);
    free (doc->commands);
    free (doc->facts);
    free (doc->badges);
    memset (doc, 0, sizeof *doc);
}

//  -- reading the report --------------------------------------------------

static report_t
s_detect (const project_t *p, const readme_doc_t *doc, bool readme_only)
{
    report_t report;
    char err [256] = "";
    cr_assert_eq (detector_detect (s_kb, p, doc, readme_only, &report, err, sizeof err),
                  0, "detect failed: %s", err);
    return report;
}

static report_t
s_detect_fixture (const char *name)
{
    project_t p = s_fixture (name);
    report_t report = s_detect (&p, NULL, false);
    project_release (&p);
    return report;
}

static const report_job_t *
s_job (const report_t *r, const char *ecosystem)
{
    for (size_t i = 0; i < r->jobs_count; i++)
        if (strcmp (r->jobs [i].ecosystem, ecosystem) == 0)
            return &r->jobs [i];
    return NULL;
}

static const report_job_t *
s_must_job (const report_t *r, const char *ecosystem)
{
    const report_job_t *job = s_job (r, ecosystem);
    cr_assert_not_null (job, "no %s job (jobs: %zu)", ecosystem, r->jobs_count);
    return job;
}

//  The index of the step running exactly run, or -1.
static int
s_step_at (const report_job_t *job, const char *run)
{
    for (size_t i = 0; i < job->steps_count; i++)
        if (strcmp (job->steps [i].run, run) == 0)
            return (int) i;
    return -1;
}

static const report_step_t *
s_step (const report_job_t *job, const char *run)
{
    int at = s_step_at (job, run);
    cr_assert_geq (at, 0, "no step '%s' in the %s job", run, job->ecosystem);
    return &job->steps [at];
}

static const report_step_t *
s_first_of (const report_job_t *job, cmd_kind_t kind)
{
    for (size_t i = 0; i < job->steps_count; i++)
        if (job->steps [i].kind == kind)
            return &job->steps [i];
    return NULL;
}

static const char *
s_setting (const report_job_t *job, const char *key)
{
    for (size_t i = 0; i < job->settings_count; i++)
        if (strcmp (job->settings [i].key, key) == 0)
            return job->settings [i].value;
    return NULL;
}

//  The versions for key, comma-joined in report order.
static const char *
s_versions (const report_job_t *job, const char *key)
{
    static char out [256];
    out [0] = 0;
    for (size_t i = 0; i < job->versions_count; i++)
        if (strcmp (job->versions [i].key, key) == 0) {
            if (*out)
                snprintf (out + strlen (out), sizeof out - strlen (out), "%s", ",");
            snprintf (out + strlen (out), sizeof out - strlen (out), "%s", job->versions [i].value);
        }
    return out;
}

static const report_value_t *
s_note (const report_t *r, const char *key, const char *needle)
{
    for (size_t i = 0; i < r->notes_count; i++)
        if (strcmp (r->notes [i].key, key) == 0 && strstr (r->notes [i].value, needle))
            return &r->notes [i];
    return NULL;
}

static bool
s_has_service (const report_job_t *job, const char *name, const char *image)
{
    for (size_t i = 0; i < job->services_count; i++)
        if (strcmp (job->services [i].name, name) == 0
            && (!image || strcmp (job->services [i].image, image) == 0))
            return true;
    return false;
}

//  Steps appear in run order: system, install, build, lint, test.
static void
s_assert_run_order (const report_job_t *job)
{
    static const int rank [CMD_KIND_COUNT] = {
        [CMD_SYSTEM] = 0, [CMD_INSTALL] = 1, [CMD_BUILD] = 2, [CMD_LINT] = 3,
        [CMD_TEST] = 4, [CMD_OTHER] = 5, [CMD_RUN] = 5, [CMD_CLONE] = 5 };
    for (size_t i = 1; i < job->steps_count; i++)
        cr_assert_leq (rank [job->steps [i - 1].kind], rank [job->steps [i].kind],
                       "'%s' after '%s'", job->steps [i].run, job->steps [i - 1].run);
}

//  The README vocabulary and the tools' ecosystems are data
//  (data/readme.yml, data/tools.yml): a rules overlay changes them.
Test (detector, rules_overlay_changes_the_readme_words)
{
    char err [256] = "", core [160];
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    dreadme_core (kb, "frob all", core, sizeof core);
    cr_assert_str_eq (core, "frob all");
    dreadme_core (kb, "./mvnw verify", core, sizeof core);
    cr_assert_str_eq (core, "mvn verify");
    dreadme_core (kb, "tox all", core, sizeof core);
    cr_assert_str_eq (core, "tox");
    cr_assert_null (dreadme_ecosystem (kb, "frob all"));
    cr_assert_str_eq (dreadme_ecosystem (kb, "poetry install"), "python");
    const char *overlay =
        "readme: {single-word-runners: [pytest, frob]}\n"
        "tools:\n"
        "  frob: {ecosystem: lua, manager: luarocks}\n"
        "  poetry: {ecosystem: rust}\n";
    cr_assert_eq (knowledge_overlay (kb, "r.yml", overlay, strlen (overlay), err, sizeof err),
                  0, "%s", err);
    dreadme_core (kb, "frob all", core, sizeof core);
    cr_assert_str_eq (core, "frob");
    dreadme_core (kb, "tox all", core, sizeof core);
    cr_assert_str_eq (core, "tox all", "the overlay's list replaces the shipped one");
    cr_assert_str_eq (dreadme_ecosystem (kb, "frob all"), "lua");
    cr_assert_str_eq (dreadme_ecosystem (kb, "poetry install"), "rust");
    knowledge_destroy (&kb);
}

//  -- version ranges --------------------------------------------------------

Test (detector, version_ranges_in_every_dialect)
{
    cr_assert (vrange_allows (">=3.9", "3.10"));
    cr_assert_not (vrange_allows (">=3.11", "3.10"));
    cr_assert (vrange_allows (">=3.8,<3.12", "3.11"));
    cr_assert_not (vrange_allows (">=3.8,<3.12", "3.12"));
    cr_assert (vrange_allows ("^3.9", "3.13"));
    cr_assert_not (vrange_allows ("^3.9", "4.0"));
    cr_assert (vrange_allows ("~> 1.15", "1.19"));
    cr_assert_not (vrange_allows ("~> 1.15", "1.14"));
    cr_assert (vrange_allows ("~=3.8", "3.12"));
    cr_assert (vrange_allows ("18 || 20 || >=22", "20"));
    cr_assert_not (vrange_allows ("18 || 20 || >=22", "21"));
    //  a bound inside the line: some 20.x release satisfies ^20.19.0
    cr_assert (vrange_allows ("^20.19.0 || ^22.12.0 || >=23", "20"));
    cr_assert (vrange_allows ("1.2 - 2.3", "2"));
    cr_assert (vrange_allows ("*", "7"));
    cr_assert (vrange_allows ("!=3.9.*, >=3.8", "3.10"));
    cr_assert_not (vrange_allows ("!=3.9.*, >=3.8", "3.9"));
    cr_assert (vrange_allows (">= 0.10", "22"));
    cr_assert_not (vrange_valid ("lts/*"));
    cr_assert_not (vrange_allows ("latest", "22"));
    cr_assert_lt (vrange_compare ("3.9", "3.10"), 0);
    cr_assert_eq (vrange_compare ("v20.0", "20"), 0);
    char line [16];
    cr_assert (vrange_line ("v20.11.1", 1, line, sizeof line));
    cr_assert_str_eq (line, "20");
    cr_assert (vrange_line ("3.12.2", 2, line, sizeof line));
    cr_assert_str_eq (line, "3.12");
}

//  -- Node ------------------------------------------------------------------

Test (detector, npm_with_lockfile_engines_and_scripts)
{
    report_t r = s_detect_fixture ("node-npm");
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_str_eq (job->tool, "npm");
    cr_assert_str_eq (job->language, "typescript");
    //  engines >=18: the floor the package promises (setup-node still
    //  installs 18) and the newest supported line
    cr_assert_str_eq (s_versions (job, "node"), "18,26");
    cr_assert (strstr (job->versions [0].source, "package.json:6 engines.node"),
               "%s", job->versions [0].source);
    cr_assert_str_eq (s_setting (job, "cache"), "npm");
    cr_assert_eq (s_step (job, "npm ci")->kind, CMD_INSTALL);
    cr_assert_eq (s_step (job, "npm run build")->kind, CMD_BUILD);
    cr_assert_eq (s_step (job, "npm run lint")->kind, CMD_LINT);
    const report_step_t *test = s_step (job, "npm test");
    cr_assert_eq (test->kind, CMD_TEST);
    cr_assert_str_eq (test->source, "package.json:12 scripts.test");
    //  a watcher script is never a step
    cr_assert_eq (s_step_at (job, "npm run dev"), -1);
    //  the pg driver brings a postgres service
    cr_assert (s_has_service (job, "postgres", "postgres:16"));
    s_assert_run_order (job);
    report_release (&r);
}

//  The lockfiles and install commands are data (data/ecosystems/node.yml,
//  merged in as ecosystems.node): a rules overlay changes them, and the
//  change reaches a worker, which gets the knowledge as text.
Test (detector, a_rules_overlay_changes_an_ecosystems_lockfiles_and_install)
{
    const char *overlay =
        "ecosystems:\n"
        "  node:\n"
        "    install: {npm: {locked: npm ci --ignore-scripts}}\n"
        "    lockfiles: [{file: npm.lock, tool: npm}]\n";
    char err [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    cr_assert_eq (knowledge_overlay (kb, "mine.yml", overlay, strlen (overlay), err,
                                     sizeof err), 0, "%s", err);
    char *text = knowledge_text (kb);
    knowledge_destroy (&kb);
    cr_assert_not_null (text);
    kb = knowledge_from_text (text, strlen (text), err, sizeof err);
    free (text);
    cr_assert_not_null (kb, "%s", err);
    //  the new lock decides the tool and locks it; the shipped ones are gone
    project_t p = { 0 };
    p.name = strdup ("locked");
    s_add_name (&p, "package.json");
    s_add_name (&p, "npm.lock");
    s_add_name (&p, "yarn.lock");
    s_add_manifest (&p, "package.json", "{\"name\": \"locked\", \"main\": \"index.js\"}");
    report_t r;
    cr_assert_eq (detector_detect (kb, &p, NULL, false, &r, err, sizeof err), 0, "%s", err);
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_str_eq (job->tool, "npm");
    cr_assert_str_eq (s_step (job, "npm ci --ignore-scripts")->source, "npm.lock");
    cr_assert_eq (s_step_at (job, "npm ci"), -1);
    for (size_t i = 0; i < r.notes_count; i++)
        cr_assert_null (strstr (r.notes [i].value, "yarn.lock"), "%s", r.notes [i].value);
    report_release (&r);
    //  the shipped knowledge still says npm ci, and yarn.lock decides
    r = s_detect (&p, NULL, false);
    job = s_must_job (&r, "node");
    cr_assert_str_eq (job->tool, "yarn");
    cr_assert_eq (s_step_at (job, "npm ci --ignore-scripts"), -1);
    report_release (&r);
    project_release (&p);
    knowledge_destroy (&kb);
}

//  Adding an ecosystem is one rule file plus its data: each
//  workers/detector/eco_NAME.c (but the shared eco_util.c) has its
//  data/ecosystems/NAME.yml, merged into the knowledge, and its place in
//  the knowledge's ecosystem-order (a rule not named there never runs);
//  no data file and no name of the order is left without its rule.
Test (detector, every_ecosystem_rule_has_its_data_and_its_turn)
{
    const ynode_t *order = ytree_get (knowledge_root (s_kb), "ecosystem-order");
    cr_assert (order && order->kind == YNODE_SEQ);
    char *dir = tu_src ("workers/detector");
    DIR *d = opendir (dir);
    cr_assert_not_null (d, "%s", dir);
    size_t rules = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t n = strlen (e->d_name);
        if (strncmp (e->d_name, "eco_", 4) != 0 || n < 7 || strcmp (e->d_name + n - 2, ".c")
            || strcmp (e->d_name, "eco_util.c") == 0)
            continue;
        char name [64];
        snprintf (name, sizeof name, "%.*s", (int) (n - 6), e->d_name + 4);
        cr_assert_not_null (ytree_path (knowledge_root (s_kb), "ecosystems", name, "reads",
                                        NULL), "%s has no data/ecosystems/%s.yml with reads",
                            e->d_name, name);
        size_t turns = 0;
        for (size_t i = 0; i < order->count; i++)
            turns += strcmp (ytree_str (order->items [i], ""), name) == 0;
        cr_assert_eq (turns, 1, "%s is named %zu times in ecosystem-order (data/"
                      "knowledge.yml), not once", name, turns);
        rules++;
    }
    closedir (d);
    free (dir);
    const ynode_t *ecosystems = ytree_get (knowledge_root (s_kb), "ecosystems");
    cr_assert_not_null (ecosystems);
    cr_assert_eq (ecosystems->count, rules, "%zu data files, %zu rule files",
                  ecosystems->count, rules);
    cr_assert_eq (order->count, rules, "%zu names in ecosystem-order, %zu rule files",
                  order->count, rules);
}

Test (detector, pnpm_from_packageManager_with_conflicting_lockfile)
{
    report_t r = s_detect_fixture ("node-pnpm");
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_str_eq (job->tool, "pnpm");
    cr_assert_str_eq (s_setting (job, "pnpm-version"), "9.4.0");
    //  no engines.node: every maintained line, as the knowledge lists them
    cr_assert_str_eq (s_versions (job, "node"), "22,24,26");
    cr_assert_not_null (s_step (job, "pnpm install --frozen-lockfile"));
    //  npm's placeholder test is no test; the CI variant is used
    const report_step_t *test = s_first_of (job, CMD_TEST);
    cr_assert_not_null (test);
    cr_assert_str_eq (test->run, "pnpm run test:ci");
    cr_assert_eq (s_step_at (job, "pnpm test"), -1);
    cr_assert_not_null (s_note (&r, "conflict", "yarn.lock"));
    report_release (&r);
}

//  An invented Node project in memory: package.json, then name/contents
//  pairs (contents NULL: only listed), NULL ended.
static project_t
s_node_project (const char *package_json, ...)
{
    project_t p = { 0 };
    p.name = strdup ("gauge");
    s_add_name (&p, "package.json");
    s_add_manifest (&p, "package.json", package_json);
    va_list args;
    va_start (args, package_json);
    const char *name;
    while ((name = va_arg (args, const char *))) {
        const char *data = va_arg (args, const char *);
        s_add_name (&p, name);
        if (data)
            s_add_manifest (&p, name, data);
    }
    va_end (args);
    return p;
}

static report_t
s_detect_node (project_t *p, const readme_doc_t *doc)
{
    report_t r = s_detect (p, doc, false);
    project_release (p);
    return r;
}

Test (detector, node_matrix_keeps_to_the_engines_the_npm_lockfile_records)
{
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \">=12\"},\n"
        " \"scripts\": {\"test\": \"spec-runner test/\"},\n"
        " \"devDependencies\": {\"spec-runner\": \"^3.0.0\"}}\n",
        "package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {\n"
        "  \"\": {\"name\": \"gauge\", \"engines\": {\"node\": \">=12\"}},\n"
        "  \"node_modules/spec-runner\": {\"version\": \"3.4.0\", \"dev\": true,\n"
        "    \"engines\": {\"node\": \"^18.18.0 || >=20\"}},\n"
        "  \"node_modules/glob-lite\": {\"version\": \"2.0.1\", \"dev\": true,\n"
        "    \"engines\": {\"node\": \"20 || >=22\"}},\n"
        "  \"node_modules/old-util\": {\"version\": \"1.0.0\", \"engines\": [\"node >= 0.4\"]},\n"
        "  \"node_modules/odd\": {\"version\": \"1.0.0\", \"engines\": {\"node\": \"not a range\"}}\n"
        "}}\n", NULL);
    report_t r = s_detect_node (&p, NULL);
    const report_job_t *job = s_must_job (&r, "node");
    //  12 is the promise, but what the tests install needs 20: the oldest
    //  line everything runs on, and the newest
    cr_assert_str_eq (s_versions (job, "node"), "20,26");
    const report_value_t *note = s_note (&r, "info", "left out of the matrix");
    cr_assert_not_null (note);
    cr_assert (strstr (note->value, "12, 14, 16") && strstr (note->value, "spec-runner@3.4.0"),
               "%s", note->value);
    cr_assert_str_eq (note->source, "package-lock.json");
    cr_assert_not_null (s_note (&r, "info", "18 left out of the matrix: glob-lite@2.0.1"));
    report_release (&r);
}

Test (detector, node_matrix_keeps_to_the_engines_the_pnpm_lockfile_records)
{
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"packageManager\": \"pnpm@10.2.0\",\n"
        " \"scripts\": {\"test\": \"spec-runner\"}}\n",
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\n"
        "packages:\n"
        "  spec-runner@5.1.0:\n"
        "    resolution: {integrity: sha512-AAAA}\n"
        "    engines: {node: ^24.0.0 || >=26.0.0}\n"
        "  tiny@1.0.0:\n"
        "    resolution: {integrity: sha512-BBBB}\n", NULL);
    report_t r = s_detect_node (&p, NULL);
    const report_job_t *job = s_must_job (&r, "node");
    //  no engines.node: every supported line the tooling runs on
    cr_assert_str_eq (s_versions (job, "node"), "24,26");
    cr_assert_not_null (s_note (&r, "info", "22 left out of the matrix: spec-runner@5.1.0"));
    report_release (&r);
    //  npm is not the package manager here: its lockfile is not the record
    p = s_node_project (
        "{\"name\": \"gauge\", \"packageManager\": \"pnpm@10.2.0\",\n"
        " \"scripts\": {\"test\": \"spec-runner\"}}\n",
        "package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/spec-runner\":\n"
        "  {\"version\": \"5.1.0\", \"engines\": {\"node\": \">=26\"}}}}\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_versions (s_must_job (&r, "node"), "node"), "22,24,26");
    report_release (&r);
}

Test (detector, node_matrix_without_lockfile_uses_what_is_known_of_the_tools)
{
    //  a test runner whose major 4 needs Node 20, a linter pinned exactly
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \">=12\"},\n"
        " \"scripts\": {\"test\": \"vitest run\"},\n"
        " \"devDependencies\": {\"vitest\": \"^4.0.3\", \"eslint\": \"8.57.0\"}}\n", NULL);
    report_t r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_versions (s_must_job (&r, "node"), "node"), "20,26");
    const report_value_t *note = s_note (&r, "info", "vitest ^4.0.3");
    cr_assert_not_null (note);
    cr_assert (strstr (note->source, "package.json:3"), "%s", note->source);
    report_release (&r);
    //  a lockfile that records engines is the evidence instead: what it
    //  installed may be older than the newest of the line
    p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \">=12\"},\n"
        " \"scripts\": {\"test\": \"vitest run\"},\n"
        " \"devDependencies\": {\"vitest\": \"^4.0.3\"}}\n",
        "package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/vitest\":\n"
        "  {\"version\": \"4.0.3\", \"engines\": {\"node\": \">=18\"}}}}\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_versions (s_must_job (&r, "node"), "node"), "18,26");
    report_release (&r);
}

Test (detector, node_matrix_stops_below_the_line_a_loader_breaks_on)
{
    //  esm declares ">=6" but fails on the lines from 22 on: the newest
    //  line tested is the newest it runs on, even an unsupported one
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \">=8\"},\n"
        " \"scripts\": {\"test\": \"node -r esm test.js\"},\n"
        " \"devDependencies\": {\"esm\": \"3.2.25\"}}\n",
        "package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/esm\":\n"
        "  {\"version\": \"3.2.25\", \"engines\": {\"node\": \">=6\"}}}}\n", NULL);
    report_t r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_versions (s_must_job (&r, "node"), "node"), "12,20");
    cr_assert_not_null (s_note (&r, "info", "22, 24, 26 left out of the matrix: esm"));
    report_release (&r);
}

Test (detector, node_readme_floor_stays_within_the_tools_and_contradictions_are_set_aside)
{
    //  the README says Node 16; the coverage tool needs 18
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\",\n"
        " \"scripts\": {\"test\": \"c8 node --test\"},\n"
        " \"devDependencies\": {\"c8\": \"^10.1.0\"}}\n", NULL);
    readme_doc_t doc = s_doc ();
    s_fact (&doc, "node", "16", 12);
    report_t r = s_detect_node (&p, &doc);
    cr_assert_str_eq (s_versions (s_must_job (&r, "node"), "node"), "18,26");
    report_release (&r);
    s_doc_free (&doc);
    //  a package that asks for a line nothing else allows: the range alone
    p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \">=20\"},\n"
        " \"scripts\": {\"test\": \"node --test\"}}\n",
        "package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/relic\":\n"
        "  {\"version\": \"0.1.0\", \"engines\": {\"node\": \"<=0.12\"}}}}\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_versions (s_must_job (&r, "node"), "node"), "20,26");
    cr_assert_not_null (s_note (&r, "conflict", "relic@0.1.0"));
    report_release (&r);
}

Test (detector, package_json_of_metadata_beside_a_native_build_is_no_node_job)
{
    //  a C library's package metadata (clib style): no scripts, and its
    //  dependencies are "owner/repo" names npm cannot install
    const char *meta =
        "{\"name\": \"ringbuf\", \"version\": \"0.3.1\", \"repo\": \"someone/ringbuf\",\n"
        " \"src\": [\"src/ringbuf.c\", \"src/ringbuf.h\"],\n"
        " \"dependencies\": {\"someone/asserts\": \"0.1.0\"}, \"license\": \"MIT\"}\n";
    project_t p = s_node_project (meta, "Makefile", "test:\n\t$(CC) test.c -o t && ./t\n",
                                  NULL);
    report_t r = s_detect_node (&p, NULL);
    cr_assert_null (s_job (&r, "node"));
    cr_assert_not_null (s_job (&r, "c"));
    cr_assert_not_null (s_note (&r, "dropped", "not a Node build"));
    report_release (&r);
    //  the same beside CMake, with npm's placeholder test
    p = s_node_project (
        "{\"name\": \"ringbuf\", \"scripts\": {\"test\": \"echo \\\"Error: no test "
        "specified\\\" && exit 1\"}}\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(ringbuf C)\n"
        "enable_testing()\nadd_executable(t test.c)\nadd_test(NAME t COMMAND t)\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_null (s_job (&r, "node"));
    report_release (&r);
    //  a script, or a package npm installs, makes it a Node build again
    p = s_node_project (
        "{\"name\": \"ringbuf\", \"scripts\": {\"test\": \"node test.js\"}}\n",
        "Makefile", "all:\n\t$(CC) -c ringbuf.c\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_not_null (s_job (&r, "node"));
    report_release (&r);
    p = s_node_project (
        "{\"name\": \"ringbuf\", \"main\": \"index.js\", \"dependencies\": {\"nan\": \"^2.0.0\"}}\n",
        "Makefile", "all:\n\t$(CC) -c ringbuf.c\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_not_null (s_job (&r, "node"));
    report_release (&r);
}

Test (detector, node_tests_only_script_runs_without_the_hooks_around_test)
{
    //  test = lint + tests + an audit through npx: CI runs the tests-only
    //  script on every line and the lint on its own
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \">=12\"},\n"
        " \"scripts\": {\"pretest\": \"npm run lint\", \"test\": \"npm run tests-only\",\n"
        "   \"posttest\": \"npx npm@'>=10.2' audit --production\",\n"
        "   \"tests-only\": \"tape test/*.js\", \"lint\": \"eslint .\"}}\n", NULL);
    report_t r = s_detect_node (&p, NULL);
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_str_eq (s_first_of (job, CMD_TEST)->run, "npm run tests-only");
    cr_assert (strstr (s_first_of (job, CMD_TEST)->source, "scripts.tests-only"));
    cr_assert_str_eq (s_first_of (job, CMD_LINT)->run, "npm run lint");
    cr_assert_eq (s_step_at (job, "npm test"), -1);
    report_release (&r);
}

Test (detector, node_check_hooks_fetched_by_npx_are_skipped_where_npm_can)
{
#define HOOKED(floor) \
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \"" floor "\"},\n" \
        " \"scripts\": {\"test\": \"tape test/*.js\",\n" \
        "   \"posttest\": \"npx npm@'>=10.2' audit --production\"}}\n"
    const char *text = HOOKED (">=18");
    project_t p = s_node_project (text, NULL);
    report_t r = s_detect_node (&p, NULL);
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_str_eq (s_versions (job, "node"), "18,26");
    cr_assert_str_eq (s_first_of (job, CMD_TEST)->run, "npm test --ignore-scripts");
    cr_assert_not_null (s_note (&r, "info", "--ignore-scripts"));
    report_release (&r);
    //  npm 6 (Node 14 and older) runs no script at all with
    //  --ignore-scripts: there the hooks stay
    text = HOOKED (">=14");
#undef HOOKED
    p = s_node_project (text, NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_first_of (s_must_job (&r, "node"), CMD_TEST)->run, "npm test");
    report_release (&r);
    //  a pretest that builds is not a check: npm test as written
    p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\", \"engines\": {\"node\": \">=20\"},\n"
        " \"scripts\": {\"pretest\": \"tsc -p .\", \"test\": \"node --test\",\n"
        "   \"posttest\": \"npx npm@'>=10.2' audit --production\"}}\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_first_of (s_must_job (&r, "node"), CMD_TEST)->run, "npm test");
    report_release (&r);
}

Test (detector, node_lint_through_the_tests_wrapper_is_left_to_its_test)
{
    //  `kit test` and `kit lint`: one wrapper, whose test the maintainers run
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\",\n"
        " \"scripts\": {\"test\": \"kit test && npm run size\", \"lint\": \"kit lint\",\n"
        "   \"size\": \"size-check\"}}\n", NULL);
    report_t r = s_detect_node (&p, NULL);
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_null (s_first_of (job, CMD_LINT));
    cr_assert_str_eq (s_first_of (job, CMD_TEST)->run, "npm test");
    cr_assert_not_null (s_note (&r, "dropped", "both run kit"));
    report_release (&r);
    //  a lint script through npm's own runner is a lint step
    p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\",\n"
        " \"scripts\": {\"test\": \"npm run unit\", \"lint\": \"npm run eslint\",\n"
        "   \"unit\": \"node --test\", \"eslint\": \"eslint .\"}}\n", NULL);
    r = s_detect_node (&p, NULL);
    cr_assert_str_eq (s_first_of (s_must_job (&r, "node"), CMD_LINT)->run, "npm run lint");
    report_release (&r);
}

Test (detector, readme_fixer_script_is_no_lint_step)
{
    //  "run fix:format before committing": it rewrites files, checks nothing
    project_t p = s_node_project (
        "{\"name\": \"gauge\", \"main\": \"index.js\",\n"
        " \"scripts\": {\"test\": \"node --test\", \"fix:format\": \"prettier . --write\",\n"
        "   \"fix:lint\": \"eslint . --fix\", \"check:format\": \"prettier . --check\"}}\n",
        NULL);
    readme_doc_t doc = s_doc ();
    uint32_t section = s_section (&doc, "Contributing", 3);
    s_cmd (&doc, section, CMD_LINT, 0, 5, "npm run fix:format");
    s_cmd (&doc, section, CMD_LINT, 0, 6, "npm run fix:lint");
    s_cmd (&doc, section, CMD_LINT, 0, 7, "npm run check:format");
    report_t r = s_detect_node (&p, &doc);
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_eq (s_step_at (job, "npm run fix:format"), -1);
    cr_assert_eq (s_step_at (job, "npm run fix:lint"), -1);
    cr_assert_eq (s_step (job, "npm run check:format")->kind, CMD_LINT);
    cr_assert_not_null (s_note (&r, "dropped", "rewrites the files"));
    report_release (&r);
    s_doc_free (&doc);
}

Test (detector, yarn_berry_bun_and_version_files)
{
    report_t r = s_detect_fixture ("node-berry");
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_str_eq (job->tool, "yarn-berry");
    cr_assert_not_null (s_step (job, "yarn install --immutable"));
    cr_assert_not_null (s_step (job, "yarn test"));
    cr_assert_str_eq (s_setting (job, "cache"), "yarn");
    report_release (&r);

    r = s_detect_fixture ("node-bun");
    job = s_must_job (&r, "node");
    cr_assert_str_eq (job->tool, "bun");
    cr_assert_not_null (s_step (job, "bun install --frozen-lockfile"));
    //  no test script: bun's own runner; `start` is a server, never a step
    cr_assert_eq (s_step (job, "bun test")->kind, CMD_TEST);
    cr_assert_eq (s_step_at (job, "bun run start"), -1);
    report_release (&r);

    r = s_detect_fixture ("node-nvmrc");
    job = s_must_job (&r, "node");
    cr_assert_str_eq (s_setting (job, "version-file"), ".nvmrc");
    cr_assert_str_eq (s_versions (job, "node"), "20");
    //  no lockfile: npm install, and no cache to key on
    cr_assert_not_null (s_step (job, "npm install"));
    cr_assert_null (s_setting (job, "cache"));
    report_release (&r);
}

//  -- Python ----------------------------------------------------------------

Test (detector, poetry_with_classifiers_bounded_by_requires_python)
{
    report_t r = s_detect_fixture ("py-poetry");
    const report_job_t *job = s_must_job (&r, "python");
    cr_assert_str_eq (job->tool, "poetry");
    cr_assert_str_eq (job->tool_source, "poetry.lock");
    //  classifiers 3.8, 3.11, 3.12 within ^3.9: 3.8 is outside (a conflict),
    //  3.11 and 3.12 are supported
    cr_assert_str_eq (s_versions (job, "python"), "3.11,3.12");
    cr_assert_not_null (s_note (&r, "conflict", "3.8"));
    cr_assert_not_null (s_step (job, "poetry install --no-interaction"));
    cr_assert_eq (s_step (job, "poetry run pytest")->kind, CMD_TEST);
    cr_assert_str_eq (s_setting (job, "cache"), "poetry");
    cr_assert (s_has_service (job, "postgres", NULL));
    s_assert_run_order (job);
    report_release (&r);
}

Test (detector, pip_installs_requirements_and_test_extras)
{
    report_t r = s_detect_fixture ("py-pip");
    const report_job_t *job = s_must_job (&r, "python");
    cr_assert_str_eq (job->tool, "pip");
    const report_step_t *install = s_first_of (job, CMD_INSTALL);
    cr_assert_not_null (install);
    cr_assert (strstr (install->run, "-r requirements.txt"), "%s", install->run);
    cr_assert (strstr (install->run, "-r requirements-dev.txt"), "%s", install->run);
    cr_assert (strstr (install->run, "-e '.[test]'"), "%s", install->run);
    cr_assert_not_null (s_step (job, "pytest"));
    //  requires-python >=3.11 makes the matrix; .python-version 3.12 fits it
    cr_assert_str_eq (s_versions (job, "python"), "3.11,3.14");
    cr_assert_null (s_note (&r, "conflict", ".python-version"));
    cr_assert (s_has_service (job, "redis", NULL));
    report_release (&r);
}

Test (detector, tox_and_nox_are_the_projects_wrappers)
{
    report_t r = s_detect_fixture ("py-uv-tox");
    const report_job_t *job = s_must_job (&r, "python");
    cr_assert_str_eq (job->tool, "uv");
    cr_assert_not_null (s_step (job, "python -m pip install tox tox-uv"));
    cr_assert_str_eq (s_step (job, "tox -e py")->source, "tox.ini:1 [tox]");
    cr_assert_str_eq (s_versions (job, "python"), "3.10,3.13");
    report_release (&r);

    r = s_detect_fixture ("py-nox");
    job = s_must_job (&r, "python");
    //  the tests session, not the first one (lint)
    cr_assert_not_null (s_step (job, "nox -s tests"));
    cr_assert (strstr (s_step (job, "nox -s tests")->source, "noxfile.py:10"),
               "%s", s_step (job, "nox -s tests")->source);
    cr_assert_not_null (s_step (job, "python -m pip install nox"));
    report_release (&r);

    //  the runner's own repository tests its checkout, not a release
    static const char *const runners [] = { "nox", "tox" };
    for (size_t i = 0; i < 2; i++) {
        project_t p = { 0 };
        p.name = strdup (runners [i]);
        char pyproject [128];
        snprintf (pyproject, sizeof pyproject, "[project]\nname = \"%s\"\n"
                  "requires-python = \">=3.9\"\n", runners [i]);
        s_add_name (&p, "pyproject.toml");
        s_add_manifest (&p, "pyproject.toml", pyproject);
        if (i == 0) {
            s_add_name (&p, "noxfile.py");
            s_add_manifest (&p, "noxfile.py", "import nox\n\n@nox.session\n"
                            "def tests(session):\n    session.run(\"pytest\")\n");
        }
        else {
            s_add_name (&p, "tox.ini");
            s_add_manifest (&p, "tox.ini", "[tox]\nenv_list = py\n");
        }
        r = s_detect (&p, NULL, false);
        job = s_must_job (&r, "python");
        cr_assert_not_null (s_step (job, "python -m pip install ."));
        cr_assert_eq (s_step_at (job, i == 0? "python -m pip install nox"
                                            : "python -m pip install tox"), -1);
        cr_assert_not_null (s_step (job, i == 0? "nox -s tests": "tox -e py"));
        report_release (&r);
        project_release (&p);
    }
}

Test (detector, a_locked_environment_is_installed_before_tox_or_nox)
{
    //  uv.lock: uv sync first; the generator's setup-uv brings uv itself,
    //  so no step installs the tool with pip
    report_t r = s_detect_fixture ("py-uv-tox");
    const report_job_t *job = s_must_job (&r, "python");
    int sync = s_step_at (job, "uv sync --locked");
    cr_assert_geq (sync, 0);
    cr_assert_lt (sync, s_step_at (job, "tox -e py"));
    cr_assert_lt (s_step_at (job, "python -m pip install uv"), 0);
    report_release (&r);

    //  pdm.lock with a nox session: pdm install, then the session; pytest
    //  is found in pdm's own dev-dependencies table
    r = s_detect_fixture ("py-pdm-nox");
    job = s_must_job (&r, "python");
    cr_assert_str_eq (job->tool, "pdm");
    cr_assert_eq (s_step (job, "pdm install")->kind, CMD_INSTALL);
    cr_assert_lt (s_step_at (job, "pdm install"), s_step_at (job, "nox -s tests"));
    cr_assert_lt (s_step_at (job, "python -m pip install pdm"), 0);
    cr_assert_lt (s_step_at (job, "pipx install pdm"), 0);
    report_release (&r);

    //  poetry without tox: poetry install and its own pytest, no pipx step
    //  (the generator's recipe installs poetry before setup-python)
    r = s_detect_fixture ("py-poetry");
    job = s_must_job (&r, "python");
    cr_assert_lt (s_step_at (job, "pipx install poetry"), 0);
    report_release (&r);
}

//  -- other ecosystems ----------------------------------------------------

Test (detector, ruby_gem_with_rake_default_task)
{
    report_t r = s_detect_fixture ("ruby-gem");
    const report_job_t *job = s_must_job (&r, "ruby");
    cr_assert_str_eq (job->tool, "bundler");
    cr_assert_str_eq (s_versions (job, "ruby"), "3.3,4.0");
    cr_assert_not_null (s_step (job, "bundle install"));
    cr_assert_str_eq (s_step (job, "bundle exec rake")->source, "Rakefile:3 task");
    cr_assert (s_has_service (job, "mysql", NULL));
    report_release (&r);
}

Test (detector, a_gemfile_that_pins_ruby_exactly_gets_that_release)
{
    static const char *const cases [][3] = {
        //  Gemfile, .ruby-version (NULL: none), the version set up
        { "ruby file: \".ruby-version\"\ngem \"rake\"\n", "3.3.4\n", "3.3.4" },
        { "ruby File.read(\".ruby-version\").strip\n", "ruby-3.2.5\n", "3.2.5" },
        //  a version file the Gemfile does not read: the line is enough
        { "gem \"rake\"\n", "3.3.4\n", "3.3" },
        { "ruby \"3.1.6\"\ngem \"rake\"\n", NULL, "3.1.6" },
        { "ruby \"3.1\"\ngem \"rake\"\n", NULL, "3.1" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        project_t p = { 0 };
        p.name = strdup ("pinned");
        s_add_name (&p, "Gemfile");
        s_add_manifest (&p, "Gemfile", cases [i][0]);
        s_add_name (&p, "Rakefile");
        if (cases [i][1]) {
            s_add_name (&p, ".ruby-version");
            s_add_manifest (&p, ".ruby-version", cases [i][1]);
        }
        report_t r = s_detect (&p, NULL, false);
        cr_assert_str_eq (s_versions (s_must_job (&r, "ruby"), "ruby"), cases [i][2],
                          "case %zu", i);
        report_release (&r);
        project_release (&p);
    }
}

Test (detector, rubocop_or_standard_in_the_gemfile_is_the_lint_step)
{
    static const char *const cases [][3] = {
        //  Gemfile, Rakefile, the lint step (NULL: none)
        { "source \"https://rubygems.org\"\ngem \"rspec\"\ngem \"rubocop\", require: false\n",
          NULL, "bundle exec rubocop" },
        { "gem 'standard', '~> 1.3'\ngem 'minitest'\n", NULL, "bundle exec standardrb" },
        //  the default task lints already
        { "gem \"rubocop\"\ngem \"rake\"\n",
          "require \"rubocop/rake_task\"\nRuboCop::RakeTask.new\ntask default: %i[test rubocop]\n",
          NULL },
        //  a plugin's name is not the linter itself
        { "gem \"rubocop-rails\"\ngem \"rspec\"\n", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        project_t p = { 0 };
        p.name = strdup ("lintable");
        s_add_name (&p, "Gemfile");
        s_add_manifest (&p, "Gemfile", cases [i][0]);
        s_add_name (&p, "spec/");
        if (cases [i][1]) {
            s_add_name (&p, "Rakefile");
            s_add_manifest (&p, "Rakefile", cases [i][1]);
        }
        report_t r = s_detect (&p, NULL, false);
        const report_job_t *job = s_must_job (&r, "ruby");
        const report_step_t *lint = NULL;
        for (size_t k = 0; k < job->steps_count; k++)
            if (job->steps [k].kind == CMD_LINT)
                lint = &job->steps [k];
        if (cases [i][2]) {
            cr_assert_not_null (lint, "case %zu", i);
            cr_assert_str_eq (lint->run, cases [i][2]);
            cr_assert (strncmp (lint->source, "Gemfile:", 8) == 0, "%s", lint->source);
        }
        else
            cr_assert_null (lint, "case %zu: %s", i, lint? lint->run: "");
        report_release (&r);
        project_release (&p);
    }
}

Test (detector, php_composer_scripts_and_range)
{
    report_t r = s_detect_fixture ("php-lib");
    const report_job_t *job = s_must_job (&r, "php");
    cr_assert_str_eq (job->tool, "composer");
    //  ^7.4 || ^8.0: the floor the library promises, and the newest line
    cr_assert_str_eq (s_versions (job, "php"), "7.4,8.5");
    //  a library without composer.lock resolves afresh
    cr_assert_not_null (s_step (job, "composer update --prefer-dist --no-progress"));
    cr_assert_not_null (s_step (job, "composer test"));
    cr_assert_not_null (s_step (job, "composer lint"));
    cr_assert (s_has_service (job, "postgres", NULL));
    report_release (&r);
}

Test (detector, go_directive_makefile_wrapper_and_driver)
{
    report_t r = s_detect_fixture ("go-make");
    const report_job_t *job = s_must_job (&r, "go");
    //  the go directive is the floor; the newest supported line on top
    cr_assert_str_eq (s_versions (job, "go"), "1.22,1.27");
    const report_step_t *test = s_step (job, "make test");
    cr_assert_eq (test->kind, CMD_TEST);
    cr_assert_str_eq (test->source, "Makefile:4 target test");
    cr_assert_eq (s_step_at (job, "go test -v ./..."), -1);
    cr_assert (s_has_service (job, "postgres", NULL));
    report_release (&r);
}

Test (detector, rust_workspace_msrv_toolchain_and_lints)
{
    report_t r = s_detect_fixture ("rust-ws");
    const report_job_t *job = s_must_job (&r, "rust");
    cr_assert_str_eq (job->tool, "cargo");
    cr_assert_str_eq (s_setting (job, "msrv"), "1.74");
    cr_assert_str_eq (s_setting (job, "version-file"), "rust-toolchain.toml");
    cr_assert_str_eq (s_versions (job, "rust"), "1.74,1.79.0");
    cr_assert_str_eq (s_setting (job, "rust-components"), "clippy, rustfmt");
    cr_assert_eq (s_step (job, "cargo fmt --all -- --check")->kind, CMD_LINT);
    cr_assert_not_null (s_step (job, "cargo test --workspace"));
    s_assert_run_order (job);
    report_release (&r);
}

Test (detector, java_maven_wrapper_release_and_distribution)
{
    report_t r = s_detect_fixture ("java-maven");
    const report_job_t *job = s_must_job (&r, "java");
    cr_assert_str_eq (job->tool, "maven");
    cr_assert_str_eq (job->language, "java");
    //  release ${java.version} = 11: LTS lines from 11 up
    cr_assert_str_eq (s_versions (job, "java"), "11,25");
    cr_assert_str_eq (s_setting (job, "java-distribution"), "zulu");
    cr_assert_str_eq (s_setting (job, "cache"), "maven");
    cr_assert_not_null (s_step (job, "./mvnw -B verify"));
    cr_assert (s_has_service (job, "postgres", NULL));
    report_release (&r);

    r = s_detect_fixture ("kotlin-gradle");
    job = s_must_job (&r, "java");
    cr_assert_str_eq (job->tool, "gradle");
    cr_assert_str_eq (job->language, "kotlin");
    cr_assert_str_eq (s_versions (job, "java"), "17,25");
    cr_assert_str_eq (s_setting (job, "java-distribution"), "temurin");
    cr_assert_not_null (s_step (job, "./gradlew build"));
    report_release (&r);
}

Test (detector, dotnet_frameworks_and_global_json)
{
    report_t r = s_detect_fixture ("dotnet-multi");
    const report_job_t *job = s_must_job (&r, "dotnet");
    //  netstandard2.0 is no SDK line; net8.0 and net9.0 are
    cr_assert_str_eq (s_versions (job, "dotnet"), "8.0.x,9.0.x");
    cr_assert_str_eq (s_setting (job, "version-file"), "global.json");
    cr_assert_not_null (s_step (job, "dotnet restore"));
    cr_assert_not_null (s_step (job, "dotnet build --no-restore"));
    cr_assert_not_null (s_step (job, "dotnet test --no-build"));
    report_release (&r);

    //  a top-level Build.ps1 is the maintainers' own entry point: it is
    //  the one step, spelled as the file is listed
    r = s_detect_fixture ("dotnet-buildscript");
    job = s_must_job (&r, "dotnet");
    cr_assert_eq (job->steps_count, 1);
    cr_assert_eq (s_step (job, "./Build.ps1")->kind, CMD_TEST);
    cr_assert (strstr (job->steps [0].source, "Build.ps1"), "%s", job->steps [0].source);
    cr_assert_lt (s_step_at (job, "dotnet restore"), 0);
    cr_assert_str_eq (s_versions (job, "dotnet"), "8.0.x");
    report_release (&r);

    //  a setup script beside it prepares the machine first
    project_t p = s_fixture ("dotnet-buildscript");
    s_add_name (&p, "Setup.ps1");
    r = s_detect (&p, NULL, false);
    job = s_must_job (&r, "dotnet");
    cr_assert_eq (job->steps_count, 2);
    cr_assert_eq (s_step (job, "./Setup.ps1")->kind, CMD_INSTALL);
    cr_assert_lt (s_step_at (job, "./Setup.ps1"), s_step_at (job, "./Build.ps1"));
    report_release (&r);
    project_release (&p);
}

Test (detector, elixir_pairs_otp_and_erlang_uses_rebar3)
{
    report_t r = s_detect_fixture ("elixir-app");
    const report_job_t *job = s_must_job (&r, "elixir");
    cr_assert_str_eq (s_versions (job, "elixir"), "1.16,1.19");
    //  the newest OTP each Elixir line runs on
    cr_assert_str_eq (s_versions (job, "otp"), "26,28");
    cr_assert_not_null (s_step (job, "mix deps.get"));
    cr_assert_eq (s_step (job, "mix format --check-formatted")->kind, CMD_LINT);
    cr_assert_not_null (s_step (job, "mix test"));
    cr_assert (s_has_service (job, "postgres", NULL));
    report_release (&r);

    r = s_detect_fixture ("erlang-lib");
    job = s_must_job (&r, "erlang");
    cr_assert_str_eq (job->tool, "rebar3");
    cr_assert_str_eq (s_versions (job, "otp"), "27,28");
    cr_assert_not_null (s_step (job, "rebar3 eunit"));
    report_release (&r);
}

Test (detector, swift_zig_haskell_ocaml_dart_r_lua)
{
    report_t r = s_detect_fixture ("swift-apple");
    const report_job_t *job = s_must_job (&r, "swift");
    cr_assert_str_eq (s_setting (job, "runner"), "macos-latest");
    //  a Gemfile of iOS tooling is no Ruby project
    cr_assert_null (s_job (&r, "ruby"));
    cr_assert_not_null (s_note (&r, "info", "tooling"));
    cr_assert_str_eq (s_versions (job, "swift"), "6.0,6.2");
    cr_assert_not_null (s_step (job, "swift test"));
    report_release (&r);

    r = s_detect_fixture ("zig-lib");
    job = s_must_job (&r, "zig");
    cr_assert_str_eq (s_versions (job, "zig"), "0.14.0");
    cr_assert_not_null (s_step (job, "zig build test"));
    report_release (&r);

    r = s_detect_fixture ("haskell-cabal");
    job = s_must_job (&r, "haskell");
    cr_assert_str_eq (job->tool, "cabal");
    cr_assert_str_eq (s_versions (job, "ghc"), "9.8,9.10");
    cr_assert_not_null (s_step (job, "cabal test all"));
    report_release (&r);

    r = s_detect_fixture ("ocaml-dune");
    job = s_must_job (&r, "ocaml");
    cr_assert_str_eq (s_versions (job, "ocaml"), "4.14,5.3");
    report_release (&r);

    //  an old floor: the oldest compiler setup-ocaml offers within it
    r = s_detect_fixture ("ocaml-old");
    job = s_must_job (&r, "ocaml");
    cr_assert_str_eq (s_versions (job, "ocaml"), "4.08,5.3");
    cr_assert_not_null (s_step (job, "opam exec -- dune runtest"));
    report_release (&r);

    r = s_detect_fixture ("flutter-app");
    job = s_must_job (&r, "dart");
    cr_assert_str_eq (job->tool, "flutter");
    cr_assert_str_eq (s_setting (job, "flutter"), "true");
    cr_assert_not_null (s_step (job, "flutter test"));
    report_release (&r);

    r = s_detect_fixture ("r-pkg");
    job = s_must_job (&r, "r");
    cr_assert (strstr (s_first_of (job, CMD_TEST)->run, "rcmdcheck"));
    report_release (&r);

    r = s_detect_fixture ("lua-rock");
    job = s_must_job (&r, "lua");
    cr_assert_not_null (s_step (job, "busted"));
    report_release (&r);
}

Test (detector, c_and_cpp_build_systems)
{
    report_t r = s_detect_fixture ("c-cmake");
    const report_job_t *job = s_must_job (&r, "c");
    cr_assert_str_eq (job->tool, "cmake");
    cr_assert_str_eq (job->language, "cpp");
    cr_assert_not_null (s_step (job, "ctest --test-dir build --output-on-failure"));
    report_release (&r);

    r = s_detect_fixture ("c-meson");
    job = s_must_job (&r, "c");
    cr_assert_str_eq (job->tool, "meson");
    cr_assert_not_null (s_step (job, "meson test -C build"));
    report_release (&r);

    r = s_detect_fixture ("c-autotools");
    job = s_must_job (&r, "c");
    cr_assert_str_eq (job->tool, "autotools");
    cr_assert_lt (s_step_at (job, "autoreconf -fi"), s_step_at (job, "./configure"));
    cr_assert_not_null (s_step (job, "make check"));
    s_assert_run_order (job);
    report_release (&r);

    r = s_detect_fixture ("c-make");
    job = s_must_job (&r, "c");
    cr_assert_str_eq (job->tool, "make");
    cr_assert_eq (s_step (job, "make check")->kind, CMD_TEST);
    report_release (&r);
}

Test (detector, makefile_wrappers_catch_all_rules_and_watchers)
{
    project_t p = { 0 };
    p.name = strdup ("relay");
    s_add_name (&p, "go.mod");
    s_add_manifest (&p, "go.mod", "module example.com/relay\n\ngo 1.24\n");
    s_add_name (&p, "Makefile");
    //  every target goes through one pattern rule, as some projects do
    s_add_manifest (&p, "Makefile", "RUN := go run build.go\n\n%:\n\t$(RUN) $*\n");
    report_t r = s_detect (&p, NULL, false);
    const report_step_t *test = s_first_of (s_must_job (&r, "go"), CMD_TEST);
    cr_assert_str_eq (test->run, "make test");
    cr_assert_str_eq (test->source, "Makefile:3 target test");
    report_release (&r);
    project_release (&p);

    //  a test target that watches is no CI command: go test instead
    p = (project_t) { 0 };
    p.name = strdup ("relay");
    s_add_name (&p, "go.mod");
    s_add_manifest (&p, "go.mod", "module example.com/relay\n\ngo 1.24\n");
    s_add_name (&p, "Makefile");
    s_add_manifest (&p, "Makefile", "test:\n\twatchexec -e go -- go test ./...\n");
    r = s_detect (&p, NULL, false);
    test = s_first_of (s_must_job (&r, "go"), CMD_TEST);
    cr_assert_str_eq (test->run, "go test -v ./...");
    report_release (&r);
    project_release (&p);
}

Test (detector, justfile_test_recipe_fills_a_missing_test)
{
    project_t p = { 0 };
    p.name = strdup ("sieve");
    s_add_name (&p, "meson.build");
    s_add_manifest (&p, "meson.build", "project('sieve', 'c')\n");
    s_add_name (&p, "pyproject.toml");
    s_add_manifest (&p, "pyproject.toml", "[project]\nname = \"sieve\"\n");
    s_add_name (&p, "justfile");
    s_add_manifest (&p, "justfile", "default:\n    just --list\n\n"
                    "test *args:\n    python tests/run.py\n\n"
                    "dev:\n    watchexec just test\n");
    report_t r = s_detect (&p, NULL, false);
    //  python (no pytest, no tests/ listed) had no test: the recipe's line
    const report_step_t *test = s_first_of (s_must_job (&r, "python"), CMD_TEST);
    cr_assert_not_null (test);
    cr_assert_str_eq (test->run, "python tests/run.py");
    cr_assert_str_eq (test->source, "justfile:4 recipe test");
    //  meson had its own test already
    cr_assert_not_null (s_step (s_must_job (&r, "c"), "meson test -C build"));
    report_release (&r);
    project_release (&p);
}

//  -- several ecosystems, services, bad input ------------------------------

Test (detector, polyglot_repo_gives_one_job_per_ecosystem)
{
    report_t r = s_detect_fixture ("polyglot");
    //  go and node both have tests: two jobs; a lone requirements.txt
    //  beside them is tooling, noted and left out
    const report_job_t *go = s_must_job (&r, "go");
    const report_job_t *node = s_must_job (&r, "node");
    cr_assert_not_null (s_step (go, "go test -v ./..."));
    cr_assert_not_null (s_step (node, "npm test"));
    cr_assert_null (s_job (&r, "python"));
    cr_assert_not_null (s_note (&r, "info", "python"));
    report_release (&r);
}

Test (detector, compose_services_attach_to_the_job_with_the_driver)
{
    report_t r = s_detect_fixture ("compose-app");
    const report_job_t *job = s_must_job (&r, "go");
    //  the compose file's images win over the knowledge's defaults
    cr_assert (s_has_service (job, "redis", "redis:7.2"));
    cr_assert (s_has_service (job, "postgres", "postgres:15-alpine"));
    for (size_t i = 0; i < job->services_count; i++)
        if (strcmp (job->services [i].name, "postgres") == 0) {
            cr_assert_str_eq (job->services [i].ports [0], "5432:5432");
            cr_assert_str_eq (job->services [i].health, "pg_isready -U postgres");
            cr_assert (strstr (job->services [i].source, "compose.yaml:3"),
                       "%s", job->services [i].source);
        }
    report_release (&r);
}

Test (detector, broken_manifests_are_noted_not_fatal)
{
    report_t r = s_detect_fixture ("broken");
    cr_assert_not_null (s_note (&r, "info", "package.json"));
    cr_assert_not_null (s_note (&r, "info", "pyproject.toml: line"));
    cr_assert_not_null (s_note (&r, "info", "pom.xml"));
    cr_assert_not_null (s_job (&r, "java"));
    cr_assert_not_null (s_job (&r, "python"));
    report_release (&r);
    //  no project and no document at all
    report_t empty = s_detect (NULL, NULL, false);
    cr_assert_eq (empty.jobs_count, 0);
    cr_assert_not_null (s_note (&empty, "info", "no ecosystem"));
    report_release (&empty);
    char err [128];
    cr_assert_eq (detector_detect (NULL, NULL, NULL, false, &empty, err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
}

Test (detector, garbage_manifests_never_crash)
{
    static const char *const names [] = { "package.json", "pyproject.toml", "Cargo.toml",
        "go.mod", "pom.xml", "Gemfile", "composer.json", "mix.exs", "Makefile",
        "build.gradle", "global.json", "pubspec.yaml", "compose.yaml", "setup.py",
        "rebar.config", "Package.swift", "noxfile.py", "tox.ini", "x.csproj", "a.cabal",
        "CMakeLists.txt", "build.zig.zon", "requirements.txt", ".nvmrc", NULL };
    static const char *const bodies [] = { "", "{", "[[[", "\"", "<a><b>", "go ",
        "test:\n\t", "%:\n", "gem '", "elixir: \"", "{:", "tested-with:",
        "\x01\x02\xff", "services: [1, 2]", "\n\n\n", "=", NULL };
    for (size_t b = 0; bodies [b]; b++) {
        project_t p = { 0 };
        p.name = strdup ("garbage");
        for (size_t n = 0; names [n]; n++) {
            s_add_name (&p, names [n]);
            s_add_manifest (&p, names [n], bodies [b]);
        }
        report_t r = s_detect (&p, NULL, false);
        report_release (&r);
        project_release (&p);
    }
}

//  -- README evidence -------------------------------------------------------

Test (detector, installing_the_crates_own_binary_is_usage_not_ci)
{
    //  the crate is seekr-find, its binary seekr: a distribution package
    //  or `cargo install --path .` of it is how users get it
    project_t p = s_fixture ("rust-bin");
    readme_doc_t doc = s_doc ();
    uint32_t install = s_section (&doc, "Installation > On Debian", 5);
    uint32_t build = s_section (&doc, "Building", 20);
    s_cmd (&doc, install, CMD_SYSTEM, CMD_F_SUDO, 7, "sudo apt-get install seekr");
    s_cmd (&doc, build, CMD_BUILD, 0, 22, "cargo build");
    s_cmd (&doc, build, CMD_INSTALL, 0, 23, "cargo install --path .");
    s_cmd (&doc, build, CMD_SYSTEM, CMD_F_SUDO, 24, "sudo apt-get install libonig-dev");
    report_t r = s_detect (&p, &doc, false);
    const report_job_t *job = s_must_job (&r, "rust");
    cr_assert_lt (s_step_at (job, "sudo apt-get install -y seekr"), 0);
    cr_assert_lt (s_step_at (job, "cargo install --path ."), 0);
    cr_assert_not_null (s_note (&r, "dropped", "cargo install --path ."));
    cr_assert_not_null (s_note (&r, "dropped", "apt-get install seekr"));
    //  a build dependency is still installed
    cr_assert_geq (s_step_at (job, "sudo apt-get install -y libonig-dev"), 0);
    cr_assert_not_null (s_step (job, "cargo test"));
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

Test (detector, readme_pitfalls_are_dropped_with_notes)
{
    project_t p = s_fixture ("node-npm");
    readme_doc_t doc = s_doc ();
    uint32_t usage = s_section (&doc, "Usage", 10);
    uint32_t dev = s_section (&doc, "Development > Running tests", 30);
    s_cmd (&doc, usage, CMD_INSTALL, 0, 12, "npm install tinyqueue-lite");
    s_cmd (&doc, usage, CMD_INSTALL, CMD_F_CONSUMER, 13, "npx some-cli init");
    s_cmd (&doc, dev, CMD_CLONE, 0, 31, "git clone https://example.com/tinyqueue-lite");
    s_cmd (&doc, dev, CMD_RUN, 0, 32, "npm start");
    s_cmd (&doc, dev, CMD_OTHER, CMD_F_DEPLOY, 33, "npm publish");
    s_cmd (&doc, dev, CMD_TEST, CMD_F_PLACEHOLDER, 34, "npm test -- <pattern>");
    s_cmd (&doc, dev, CMD_TEST, CMD_F_WINDOWS, 35, "npm.cmd test");
    s_cmd (&doc, dev, CMD_SYSTEM, CMD_F_SUDO, 36, "sudo apt install libpq-dev");
    s_cmd (&doc, dev, CMD_SYSTEM, 0, 37, "brew install libpq");
    report_t r = s_detect (&p, &doc, false);
    const report_job_t *job = s_must_job (&r, "node");
    //  consumer install of the package itself: usage, not CI
    const report_value_t *note = s_note (&r, "dropped", "npm install tinyqueue-lite");
    cr_assert_not_null (note);
    cr_assert_str_eq (note->source, "README.md:12 (Usage)");
    cr_assert_eq (s_step_at (job, "npm install tinyqueue-lite"), -1);
    cr_assert_not_null (s_note (&r, "dropped", "npx some-cli init"));
    cr_assert_not_null (s_note (&r, "dropped", "git clone"));
    cr_assert_not_null (s_note (&r, "dropped", "npm start"));
    cr_assert_not_null (s_note (&r, "dropped", "npm publish"));
    cr_assert_not_null (s_note (&r, "dropped", "<pattern>"));
    cr_assert_not_null (s_note (&r, "dropped", "npm.cmd"));
    cr_assert_not_null (s_note (&r, "dropped", "brew install"));
    for (size_t i = 0; i < job->steps_count; i++) {
        cr_assert_null (strstr (job->steps [i].run, "<pattern>"));
        cr_assert_null (strstr (job->steps [i].run, "publish"));
        cr_assert_null (strstr (job->steps [i].run, "brew"));
    }
    //  apt: update first, then a non-interactive install, before anything
    int update = s_step_at (job, "sudo apt-get update");
    int install = s_step_at (job, "sudo apt-get install -y libpq-dev");
    cr_assert_geq (update, 0);
    cr_assert_eq (install, update + 1);
    cr_assert_eq (job->steps [install].kind, CMD_SYSTEM);
    cr_assert_str_eq (job->steps [install].source,
                      "README.md:36 (Development > Running tests)");
    s_assert_run_order (job);
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

Test (detector, a_script_the_project_does_not_have_is_dropped)
{
    //  a "use it from a package manager" section clones the manager and
    //  runs its bootstrap script: not this project's
    project_t p = s_fixture ("c-cmake");
    s_add_name (&p, "scripts/");
    s_add_name (&p, "bootstrap.sh");
    readme_doc_t doc = s_doc ();
    uint32_t pkg = s_section (&doc, "Install > With a package manager", 40);
    uint32_t dev = s_section (&doc, "Development", 60);
    s_cmd (&doc, pkg, CMD_INSTALL, 0, 42, "./bootstrap-pkgmgr.sh");
    s_cmd (&doc, pkg, CMD_TEST, 0, 43, "tools/selftest.sh");
    s_cmd (&doc, dev, CMD_INSTALL, 0, 61, "./bootstrap.sh");
    s_cmd (&doc, dev, CMD_TEST, 0, 62, "scripts/check.sh --quick");
    //  made by the build, so not at the top before it runs
    s_cmd (&doc, dev, CMD_TEST, 0, 63, "./build/unit_tests");
    report_t r = s_detect (&p, &doc, false);
    const report_job_t *job = s_must_job (&r, "c");
    const report_value_t *note = s_note (&r, "dropped", "./bootstrap-pkgmgr.sh");
    cr_assert_not_null (note);
    cr_assert (strstr (note->value, "does not have"), "%s", note->value);
    cr_assert_not_null (s_note (&r, "dropped", "tools/selftest.sh"));
    cr_assert_lt (s_step_at (job, "./bootstrap-pkgmgr.sh"), 0);
    cr_assert_lt (s_step_at (job, "tools/selftest.sh"), 0);
    //  the project's own scripts are kept
    cr_assert_null (s_note (&r, "dropped", "./bootstrap.sh"));
    cr_assert_null (s_note (&r, "dropped", "scripts/check.sh"));
    cr_assert_null (s_note (&r, "dropped", "./build/unit_tests"));
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

Test (detector, manifests_win_over_the_readme_and_conflicts_are_reported)
{
    project_t p = s_fixture ("node-npm");
    readme_doc_t doc = s_doc ();
    uint32_t dev = s_section (&doc, "Contributing", 40);
    s_cmd (&doc, dev, CMD_INSTALL, 0, 41, "yarn install");
    s_cmd (&doc, dev, CMD_TEST, 0, 42, "yarn jest --ci");
    report_t r = s_detect (&p, &doc, false);
    const report_job_t *job = s_must_job (&r, "node");
    cr_assert_str_eq (job->tool, "npm");
    cr_assert_not_null (s_step (job, "npm test"));
    cr_assert_eq (s_step_at (job, "yarn jest --ci"), -1);
    cr_assert_eq (s_step_at (job, "yarn install"), -1);
    const report_value_t *conflict = s_note (&r, "conflict", "yarn");
    cr_assert_not_null (conflict);
    cr_assert (strstr (conflict->source, "README.md:4"), "%s", conflict->source);
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

Test (detector, lints_the_readme_asks_contributors_to_run_are_steps)
{
    //  Cargo.toml names no lint; the README's contributing section runs
    //  rustfmt and clippy, a usage section shows a lint of another kind
    project_t p = { 0 };
    p.name = strdup ("tiny");
    s_add_name (&p, "Cargo.toml");
    s_add_manifest (&p, "Cargo.toml", "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\n");
    readme_doc_t doc = s_doc ();
    uint32_t usage = s_section (&doc, "Usage", 5);
    uint32_t contributing = s_section (&doc, "Contributing", 20);
    s_cmd (&doc, usage, CMD_LINT, 0, 6, "tiny --lint my.conf");
    s_cmd (&doc, contributing, CMD_LINT, 0, 21, "cargo fmt --all -- --check");
    s_cmd (&doc, contributing, CMD_LINT, 0, 22, "cargo clippy -- -D warnings");
    report_t r = s_detect (&p, &doc, false);
    const report_job_t *job = s_must_job (&r, "rust");
    cr_assert_str_eq (s_step (job, "cargo fmt --all -- --check")->source,
                      "README.md:21 (Contributing)");
    cr_assert_eq (s_step (job, "cargo clippy -- -D warnings")->kind, CMD_LINT);
    cr_assert_eq (s_step_at (job, "tiny --lint my.conf"), -1);
    //  a minimal toolchain lacks both: the job asks for them
    bool components = false;
    for (size_t i = 0; i < job->settings_count; i++)
        components = components || (strcmp (job->settings [i].key, "rust-components") == 0
                                    && strstr (job->settings [i].value, "clippy"));
    cr_assert (components);
    s_assert_run_order (job);
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

Test (detector, readme_fills_gaps_and_development_beats_usage)
{
    //  a Makefile with no test target of its own, that includes another
    //  where one may live: only the README says how to test, once under
    //  Usage and once under Hacking > Testing
    project_t p = { 0 };
    p.name = strdup ("pebble");
    s_add_name (&p, "Makefile");
    s_add_manifest (&p, "Makefile", "include config.mk\n\nall:\n\tcc -o pebble pebble.c\n");
    readme_doc_t doc = s_doc ();
    uint32_t usage = s_section (&doc, "Usage", 5);
    uint32_t testing = s_section (&doc, "Hacking > Testing", 20);
    s_cmd (&doc, usage, CMD_TEST, 0, 6, "make demo-test");
    s_cmd (&doc, testing, CMD_TEST, 0, 21, "make test");
    report_t r = s_detect (&p, &doc, false);
    const report_job_t *job = s_must_job (&r, "c");
    const report_step_t *test = s_first_of (job, CMD_TEST);
    cr_assert_not_null (test);
    cr_assert_str_eq (test->run, "make test");
    cr_assert_str_eq (test->source, "README.md:21 (Hacking > Testing)");
    cr_assert_eq (s_step_at (job, "make demo-test"), -1);
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

Test (detector, readme_only_mode_uses_documents_alone)
{
    project_t p = s_fixture ("node-npm");          //  ignored in this mode
    readme_doc_t doc = s_doc ();
    uint32_t inst = s_section (&doc, "Installation", 3);
    uint32_t dev = s_section (&doc, "Development", 10);
    s_cmd (&doc, inst, CMD_INSTALL, 0, 4, "pip install -r requirements.txt");
    s_cmd (&doc, dev, CMD_TEST, 0, 11, "python -m pytest -q");
    s_fact (&doc, "python", ">=3.11", 2);
    s_badge (&doc, "registry", "crates", 1);
    s_badge (&doc, "ci", "ci.yml", 1);
    report_t r = s_detect (&p, &doc, true);
    cr_assert (r.degraded);
    cr_assert_null (s_job (&r, "node"));
    const report_job_t *py = s_must_job (&r, "python");
    cr_assert_str_eq (py->tool, "pip");
    cr_assert_str_eq (s_step (py, "pip install -r requirements.txt")->source,
                      "README.md:4 (Installation)");
    cr_assert_not_null (s_step (py, "python -m pytest -q"));
    cr_assert_str_eq (s_versions (py, "python"), "3.11,3.14");
    //  a crates.io badge: Rust with its usual steps
    const report_job_t *rust = s_must_job (&r, "rust");
    cr_assert_not_null (s_step (rust, "cargo test"));
    cr_assert_not_null (s_note (&r, "info", "ci.yml"));
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

Test (detector, android_builds_run_on_the_jdk_their_gradle_plugin_needs)
{
    struct { const char *file; const char *text; const char *jdk; } cases [] = {
        //  a classpath through a variable, as many older builds write it
        { "build.gradle", "buildscript {\n  ext.versions = [\n    'agp': '7.2.1',\n  ]\n"
          "  ext.deps = [ agp: \"com.android.tools.build:gradle:${versions.agp}\" ]\n"
          "  dependencies { classpath deps.agp }\n}\n", "11" },
        { "build.gradle", "buildscript {\n  dependencies {\n"
          "    classpath 'com.android.tools.build:gradle:4.2.2'\n  }\n}\n", "8" },
        //  the plugins block; a jvmTarget of 1.8 is the bytecode, not the JDK
        { "build.gradle.kts", "plugins {\n  id(\"com.android.library\") version \"8.4.0\"\n}\n"
          "kotlinOptions { jvmTarget = \"1.8\" }\n", "17" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        project_t p = { 0 };
        p.name = strdup ("droid");
        s_add_name (&p, "gradlew");
        s_add_name (&p, cases [i].file);
        s_add_manifest (&p, cases [i].file, cases [i].text);
        report_t r = s_detect (&p, NULL, false);
        const report_job_t *job = s_must_job (&r, "java");
        cr_expect_str_eq (s_versions (job, "java"), cases [i].jdk, "case %zu", i);
        cr_expect (strstr (job->versions [0].source, "Android Gradle plugin"),
                   "case %zu: %s", i, job->versions [0].source);
        cr_expect_not_null (s_note (&r, "info", "Android SDK"), "case %zu", i);
        report_release (&r);
        project_release (&p);
    }
}

//  maven.compiler.release is the bytecode the project ships; the JDK the
//  build runs on is what the enforcer demands, or at least the release
//  its tests are compiled for.
Test (detector, a_maven_build_runs_on_the_jdk_its_enforcer_and_test_release_ask_for)
{
    struct { const char *props, *enforcer, *jdk, *source; } cases [] = {
        { "<maven.compiler.release>8</maven.compiler.release>",
          "<version>[17,22)</version>", "17,21", "pom.xml:8 requireJavaVersion" },
        { "<maven.compiler.release>8</maven.compiler.release>",
          "<version>11</version>", "11,25", "pom.xml:8 requireJavaVersion" },
        { "<maven.compiler.release>8</maven.compiler.release>"
          "<maven.compiler.testRelease>11</maven.compiler.testRelease>",
          NULL, "11,25", "pom.xml:4 maven.compiler.testRelease" },
        //  none: the release is the floor, as before
        { "<maven.compiler.release>8</maven.compiler.release>", NULL, "8,25",
          "pom.xml:4 maven.compiler.release" },
        //  a range that does not read is left aside
        { "<maven.compiler.release>17</maven.compiler.release>",
          "<version>[,)</version>", "17,25", "pom.xml:4 maven.compiler.release" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char pom [1024];
        snprintf (pom, sizeof pom, "<project>\n<artifactId>lib</artifactId>\n<properties>\n"
                  "%s\n</properties>\n<build><plugins><plugin>\n"
                  "<artifactId>maven-enforcer-plugin</artifactId>\n"
                  "<requireJavaVersion>%s</requireJavaVersion>\n"
                  "</plugin></plugins></build>\n</project>\n",
                  cases [i].props, cases [i].enforcer? cases [i].enforcer: "");
        project_t p = { 0 };
        p.name = strdup ("lib");
        s_add_name (&p, "pom.xml");
        s_add_manifest (&p, "pom.xml", pom);
        report_t r = s_detect (&p, NULL, false);
        const report_job_t *job = s_must_job (&r, "java");
        cr_expect_str_eq (s_versions (job, "java"), cases [i].jdk, "case %zu", i);
        cr_expect_str_eq (job->versions [0].source, cases [i].source, "case %zu: %s", i,
                          job->versions [0].source);
        report_release (&r);
        project_release (&p);
    }
}

Test (detector, a_cpp_library_is_tested_at_its_promised_standard_and_the_newest)
{
    struct { const char *text; const char *stds; } cases [] = {
        //  the lowest PUBLIC/INTERFACE promise is the floor
        { "project(gizmo CXX)\nadd_library(gizmo src/gizmo.cc)\n"
          "target_compile_features(gizmo PUBLIC cxx_std_17)\n"
          "target_compile_features(gizmo-header INTERFACE cxx_std_14)\n", "14,20" },
        //  a PRIVATE feature is the build's own business
        { "project(gizmo CXX)\ntarget_compile_features(gizmo PRIVATE cxx_std_17)\n", "" },
        //  a pinned standard is not a range
        { "project(gizmo CXX)\nset(CMAKE_CXX_STANDARD 17)\n"
          "target_compile_features(gizmo PUBLIC cxx_std_11)\n", "" },
        //  C has no C++ standard to test
        { "project(gizmo C)\nadd_library(gizmo gizmo.c)\n", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        project_t p = { 0 };
        p.name = strdup ("gizmo");
        s_add_name (&p, "CMakeLists.txt");
        s_add_manifest (&p, "CMakeLists.txt", cases [i].text);
        report_t r = s_detect (&p, NULL, false);
        const report_job_t *job = s_must_job (&r, "c");
        cr_expect_str_eq (s_versions (job, "cxx-std"), cases [i].stds, "case %zu", i);
        bool ranged = *cases [i].stds != 0;
        cr_expect_eq (s_first_of (job, CMD_BUILD) && strstr (s_first_of (job, CMD_BUILD)->run,
                      "-DCMAKE_CXX_STANDARD=\"$CXX_STD\""), ranged, "case %zu", i);
        report_release (&r);
        project_release (&p);
    }
}

Test (detector, cmake_building_swift_is_checked_in_the_swift_job_with_ninja)
{
    project_t p = { 0 };
    p.name = strdup ("flags");
    s_add_name (&p, "Package.swift");
    s_add_manifest (&p, "Package.swift", "// swift-tools-version:5.9\n"
                    "import PackageDescription\nlet package = Package(name: \"flags\")\n");
    s_add_name (&p, "CMakeLists.txt");
    s_add_manifest (&p, "CMakeLists.txt", "cmake_minimum_required(VERSION 3.24)\n"
                    "project(flags\n  LANGUAGES C Swift)\nadd_subdirectory(Sources)\n");
    report_t r = s_detect (&p, NULL, false);
    const report_job_t *swift = s_must_job (&r, "swift");
    //  CMake builds Swift only with Ninja: installed first, then used
    int ninja = s_step_at (swift, "sudo apt-get install -y ninja-build");
    int configure = s_step_at (swift, "cmake -G Ninja -B build");
    cr_assert_geq (ninja, 0);
    cr_assert_gt (configure, ninja);
    cr_assert_gt (s_step_at (swift, "cmake --build build"), configure);
    cr_assert_str_eq (swift->steps [configure].source,
                      "CMakeLists.txt:3 Swift needs the Ninja generator");
    cr_assert_not_null (s_step (swift, "swift test"));
    //  and no C job whose Makefile generator could not build Swift
    cr_assert_null (s_job (&r, "c"));
    s_assert_run_order (swift);
    report_release (&r);
    project_release (&p);
}

Test (detector, a_makefile_lint_target_runs_with_the_tools_its_recipe_needs)
{
    //  CMake builds; a convenience Makefile beside it lints with
    //  clang-tidy over the compilation database in build/
    project_t p = { 0 };
    p.name = strdup ("quill");
    s_add_name (&p, "CMakeLists.txt");
    s_add_manifest (&p, "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\n"
                    "project(quill C)\nenable_testing()\nadd_subdirectory(src)\n");
    s_add_name (&p, "Makefile");
    s_add_manifest (&p, "Makefile", "BUILDDIR ?= build\n\n$(BUILDDIR):\n"
                    "\tcmake -S . -B $(BUILDDIR)\n\n"
                    "lint: $(BUILDDIR)\n\tfor f in src/*.c; do clang-tidy -p=build $$f; done\n"
                    "\tcppcheck --error-exitcode=1 src\n");
    report_t r = s_detect (&p, NULL, false);
    const report_job_t *c = s_must_job (&r, "c");
    int install = s_step_at (c, "sudo apt-get install -y clang-tidy cppcheck");
    cr_assert_gt (install, s_step_at (c, "sudo apt-get update"));
    cr_assert_str_eq (c->steps [install].source, "Makefile:6 target lint runs clang-tidy");
    //  clang-tidy -p reads compile_commands.json: CMake is asked to write it
    const report_step_t *configure = s_step (c, "cmake -B build -DCMAKE_BUILD_TYPE=Release "
                                             "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON");
    cr_assert_not_null (configure);
    int lint = s_step_at (c, "make lint");
    cr_assert_geq (lint, 0);
    cr_assert_eq (c->steps [lint].kind, CMD_LINT);
    cr_assert_gt (lint, s_step_at (c, "cmake --build build --config Release"));
    s_assert_run_order (c);
    report_release (&r);
    project_release (&p);

    //  a plain Makefile whose tests run under valgrind gets valgrind; one
    //  whose recipes call nothing unusual gets no apt-get at all
    project_t q = { 0 };
    q.name = strdup ("tern");
    s_add_name (&q, "Makefile");
    s_add_manifest (&q, "Makefile", "all:\n\tcc -o tern tern.c\n\n"
                    "test: all\n\tvalgrind --error-exitcode=1 ./tern --self-test\n");
    r = s_detect (&q, NULL, false);
    c = s_must_job (&r, "c");
    cr_assert_not_null (s_step (c, "sudo apt-get install -y valgrind"));
    cr_assert_eq (s_step_at (c, "make lint"), -1);
    report_release (&r);
    project_release (&q);

    project_t plain = { 0 };
    plain.name = strdup ("fern");
    s_add_name (&plain, "Makefile");
    s_add_manifest (&plain, "Makefile", "all:\n\tcc -o fern fern.c\n\n"
                    "test: all\n\t./fern --self-test\n");
    r = s_detect (&plain, NULL, false);
    c = s_must_job (&r, "c");
    for (size_t i = 0; i < c->steps_count; i++)
        cr_assert_neq (c->steps [i].kind, CMD_SYSTEM, "%s", c->steps [i].run);
    report_release (&r);
    project_release (&plain);
}

Test (detector, an_example_environment_names_the_services_the_app_connects_to)
{
    struct { const char *file; const char *text; const char *want; } cases [] = {
        //  Laravel's keys
        { ".env.example", "APP_NAME=Ledger\nDB_CONNECTION=mysql\nDB_HOST=127.0.0.1\n"
          "REDIS_HOST=127.0.0.1\n", "mysql,redis" },
        //  URLs: quoted, exported, a SQLAlchemy driver after '+'
        { ".env.sample", "# the database\nexport DATABASE_URL=\"postgresql+psycopg://u:p@localhost/app\"\n"
          "CACHE_URL='redis://localhost:6379/0'\n", "postgres,redis" },
        { ".env.test", "MONGO_URI=mongodb+srv://cluster.example/test\r\nBROKER=amqp://guest@localhost//\r\n",
          "mongodb,rabbitmq" },
        //  nothing to start: sqlite, commented out, an empty host, a web URL
        { ".env.example", "DB_CONNECTION=sqlite\n# DATABASE_URL=postgres://x\nREDIS_HOST=\n"
          "APP_URL=http://localhost\n", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        project_t p = { 0 };
        p.name = strdup ("ledger");
        s_add_name (&p, "package.json");
        s_add_manifest (&p, "package.json", "{\"name\": \"ledger\", "
                        "\"scripts\": {\"test\": \"node --test\"}}");
        s_add_name (&p, cases [i].file);
        s_add_manifest (&p, cases [i].file, cases [i].text);
        report_t r = s_detect (&p, NULL, false);
        const report_job_t *job = s_must_job (&r, "node");
        cr_expect_eq (job->services_count, *cases [i].want? 2u: 0u, "case %zu", i);
        char got [128] = "";
        for (size_t k = 0; k < job->services_count; k++)
            if (strstr (job->services [k].source, cases [i].file))
                snprintf (got + strlen (got), sizeof got - strlen (got), "%s%s",
                          *got? ",": "", job->services [k].name);
        cr_expect_str_eq (got, cases [i].want, "case %zu", i);
        report_release (&r);
        project_release (&p);
    }
}

Test (detector, a_part_one_level_down_gets_its_own_job_in_its_folder)
{
    //  a Rust service at the top, its web front end in web/, a gemspec in
    //  tools/ that the top-level rules must not take for their own
    project_t p = { 0 };
    p.name = strdup ("shop");
    s_add_name (&p, "Cargo.toml");
    s_add_manifest (&p, "Cargo.toml", "[package]\nname = \"shop\"\nrust-version = \"1.74\"\n");
    s_add_name (&p, "web/");
    s_add_name (&p, "web/package.json");
    s_add_manifest (&p, "web/package.json", "{\"name\": \"shop-web\",\n"
                    " \"engines\": {\"node\": \">=20\"},\n"
                    " \"scripts\": {\"test\": \"vitest run\"}}\n");
    s_add_name (&p, "web/package-lock.json");
    s_add_name (&p, "tools/");
    s_add_name (&p, "tools/helper.gemspec");
    report_t r = s_detect (&p, NULL, false);
    cr_assert_eq (r.jobs_count, 2, "%zu jobs", r.jobs_count);
    const report_job_t *rust = s_must_job (&r, "rust");
    cr_assert_str_eq (rust->dir, "");
    const report_job_t *web = s_must_job (&r, "node");
    cr_assert_str_eq (web->dir, "web");
    cr_assert_str_eq (web->id, "node-web");
    cr_assert_str_eq (s_versions (web, "node"), "20,26");
    //  its sources name its files from the top
    const report_step_t *test = s_step (web, "npm test");
    cr_assert_not_null (test);
    cr_assert_eq (strncmp (test->source, "web/package.json:3", 18), 0, "%s", test->source);
    cr_assert_str_eq (s_step (web, "npm ci")->source, "web/package-lock.json");
    cr_assert_eq (strncmp (web->versions [0].source, "web/package.json", 16), 0);
    report_release (&r);
    project_release (&p);
}

Test (detector, a_part_the_top_level_build_covers_gets_no_job)
{
    //  a CMake subdirectory and a Cargo workspace member are built from
    //  the top; a nested Go module is a build of its own
    project_t p = { 0 };
    p.name = strdup ("engine");
    s_add_name (&p, "CMakeLists.txt");
    s_add_manifest (&p, "CMakeLists.txt", "project(engine C)\nadd_subdirectory(lib)\n"
                    "enable_testing()\n");
    s_add_name (&p, "lib/");
    s_add_name (&p, "lib/CMakeLists.txt");
    s_add_manifest (&p, "lib/CMakeLists.txt", "add_library(core core.c)\n");
    s_add_name (&p, "go.mod");
    s_add_manifest (&p, "go.mod", "module example.com/engine\n\ngo 1.22\n");
    s_add_name (&p, "tools/");
    s_add_name (&p, "tools/go.mod");
    s_add_manifest (&p, "tools/go.mod", "module example.com/engine/tools\n\ngo 1.23\n");
    report_t r = s_detect (&p, NULL, false);
    size_t c_jobs = 0, go_jobs = 0;
    for (size_t j = 0; j < r.jobs_count; j++) {
        c_jobs += strcmp (r.jobs [j].ecosystem, "c") == 0;
        go_jobs += strcmp (r.jobs [j].ecosystem, "go") == 0;
    }
    cr_assert_eq (c_jobs, 1);
    cr_assert_eq (go_jobs, 2);
    cr_assert_not_null (s_note (&r, "info", "lib/ is part of the top-level c build"));
    report_release (&r);
    project_release (&p);
}

Test (detector, readme_msrv_adds_the_oldest_rust_unless_cargo_names_one)
{
    //  Cargo.toml without rust-version: the README's MSRV is the floor
    project_t p = { 0 };
    p.name = strdup ("walker");
    s_add_name (&p, "Cargo.toml");
    s_add_manifest (&p, "Cargo.toml", "[package]\nname = \"walker\"\nedition = \"2018\"\n");
    readme_doc_t doc = s_doc ();
    s_fact (&doc, "rust", ">=1.60.0", 9);
    s_fact (&doc, "rust", ">=1.20.0", 14);          //  an example, later
    report_t r = s_detect (&p, &doc, false);
    const report_job_t *job = s_must_job (&r, "rust");
    cr_assert_str_eq (s_versions (job, "rust"), "1.60.0,stable");
    cr_assert_str_eq (s_setting (job, "msrv"), "1.60.0");
    cr_assert_str_eq (job->versions [0].source, "README.md:9");
    report_release (&r);
    project_release (&p);

    //  rust-version in Cargo.toml is the project's own word
    p = s_fixture ("rust-ws");
    r = s_detect (&p, &doc, false);
    cr_assert_str_eq (s_setting (s_must_job (&r, "rust"), "msrv"), "1.74");
    report_release (&r);
    project_release (&p);
    s_doc_free (&doc);
}

Test (detector, pyversions_badge_and_facts_replace_default_versions_only)
{
    project_t p = s_fixture ("py-nox");
    readme_doc_t doc = s_doc ();
    s_badge (&doc, "pyversions", "3.11, 3.12, 3.13", 1);
    report_t r = s_detect (&p, &doc, false);
    //  requires-python >=3.10 is the project's own word: the badge does not
    //  replace it
    cr_assert_str_eq (s_versions (s_must_job (&r, "python"), "python"), "3.10,3.14");
    report_release (&r);
    project_release (&p);

    //  with no declared range the badge names the matrix
    p = (project_t) { 0 };
    p.name = strdup ("bare");
    s_add_name (&p, "setup.py");
    s_add_manifest (&p, "setup.py", "from setuptools import setup\nsetup(name='bare')\n");
    r = s_detect (&p, &doc, false);
    cr_assert_str_eq (s_versions (s_must_job (&r, "python"), "python"), "3.11,3.13");
    report_release (&r);
    s_doc_free (&doc);
    project_release (&p);
}

//  dtext_next_line: each line once, without its newline, cut to fit; an
//  empty line in the middle counts, a final newline ends the text.
Test (detector, dtext_next_line_reads_each_line_once)
{
    const char *p = "require (\n\n  a.b/c v1.2.3\n)\n";
    const char *want [] = { "require (", "", "  a.b/c v1.", ")" };
    char out [12];
    size_t lines = 0;
    while (dtext_next_line (&p, out, sizeof out)) {
        cr_assert_lt (lines, 4);
        cr_expect_str_eq (out, want [lines], "line %zu", lines + 1);
        lines++;
    }
    cr_expect_eq (lines, 4);
    memcpy (out, "kept", 5);
    cr_expect_not (dtext_next_line (&p, out, sizeof out));
    cr_expect_str_eq (out, "kept");
    p = "last";
    cr_expect (dtext_next_line (&p, out, sizeof out));
    cr_expect_str_eq (out, "last");
    cr_expect_str_eq (p, "");
}
