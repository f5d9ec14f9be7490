/*  tests/test_check.c - `check` on invented projects held in memory: each
    kind of finding, and its absence when the CI agrees with the project;
    the CI reader; the JSON round trip; SARIF's structure; the command
    line (text, exit status, --inline and the tree print the same).  */
#include "common/knowledge.h"
#include "proto/project.h"
#include "cli/project_load.h"
#include "tests/support/testutil.h"
#include "tests/support/tree.h"
#include "workers/check/check.h"
#include "workers/check/ciread.h"
#include "workers/detector/detector.h"
#include "workers/parser/parser.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static knowledge_t *s_kb;

static void
s_setup (void)
{
    char err [256] = "";
    s_kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (s_kb, "%s", err);
}

static void
s_teardown (void)
{
    knowledge_destroy (&s_kb);
}

TestSuite (check, .init = s_setup, .fini = s_teardown, .timeout = 60);

//  Check a project made of name, text pairs (NULL ended): README.md is the
//  document, build files and CI files are manifests, every name is on the
//  top level (a path by its first folder).
static check_result_t
s_check (const char *name, ...)
{
    project_docs_t docs = { 0 };
    project_t project = { 0 };
    project.name = strdup ("demo");
    va_list args;
    va_start (args, name);
    for (const char *n = name; n; n = va_arg (args, const char *)) {
        const char *text = va_arg (args, const char *);
        char top [256];
        const char *slash = strchr (n, '/');
        if (slash)
            snprintf (top, sizeof top, "%.*s/", (int) (slash - n), n);
        else
            snprintf (top, sizeof top, "%s", n);
        if (!project_has_file (&project, top))
            cr_assert_eq (project_add_file (&project, top), 0);
        if (strcmp (n, "README.md") == 0)
            cr_assert_eq (project_docs_add (&docs, n, text, strlen (text)), 0);
        else
        if (project_is_manifest (s_kb, n) || ci_is_file (n))
            cr_assert_eq (project_add_manifest (&project, n, text, strlen (text)), 0);
    }
    va_end (args);
    if (!docs.docs_count)
        cr_assert_eq (project_docs_add (&docs, "README.md", "# demo\n", 7), 0);
    readme_doc_t doc = { 0 };
    report_t report = { 0 };
    char err [256] = "";
    cr_assert_eq (parser_parse (s_kb, &docs, &doc, err, sizeof err), 0, "%s", err);
    cr_assert_eq (detector_detect (s_kb, &project, &doc, false, &report, err, sizeof err), 0,
                  "%s", err);
    check_result_t result;
    cr_assert_eq (check_compare (s_kb, &report, &project, &result), 0);
    report_release (&report);
    readme_doc_release (&doc);
    project_docs_release (&docs);
    project_release (&project);
    return result;
}

//  The finding of kind, or NULL.
static const check_finding_t *
s_find (const check_result_t *result, const char *kind)
{
    for (size_t i = 0; i < result->findings_count; i++)
        if (strcmp (result->findings [i].kind, kind) == 0)
            return &result->findings [i];
    return NULL;
}

static const check_finding_t *
s_must (const check_result_t *result, const char *kind)
{
    const check_finding_t *f = s_find (result, kind);
    if (!f) {
        char *text = check_render_text (result, "demo", true);
        cr_assert_fail ("no %s finding in:\n%s", kind, text);
    }
    return f;
}

static void
s_none (const check_result_t *result, const char *kind)
{
    const check_finding_t *f = s_find (result, kind);
    cr_assert_null (f, "unexpected %s: %s (%s:%u)", kind, f? f->message: "",
                    f? f->file: "", f? f->line: 0);
}

#define WF ".github/workflows/ci.yml"

static const char *const s_node_pkg =
    "{\n"
    "  \"name\": \"demo\",\n"
    "  \"engines\": { \"node\": \">=20\" },\n"
    "  \"scripts\": { \"test\": \"node --test\", \"lint\": \"eslint .\" }\n"
    "}\n";

//  A workflow on node 20 and 26 (the floor and newest the range allows),
//  with steps given as YAML lines (indented 6).
static char *
s_node_workflow (const char *steps)
{
    char *text;
    cr_assert_geq (asprintf (&text,
        "name: CI\n"
        "on: [push]\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    strategy:\n"
        "      matrix:\n"
        "        node: [\"20\", \"26\"]\n"
        "    steps:\n"
        "      - uses: actions/checkout@v7\n"
        "      - uses: actions/setup-node@v7\n"
        "        with:\n"
        "          node-version: ${{ matrix.node }}\n"
        "%s", steps), 0);
    return text;
}

Test (check, agreeing_ci_is_clean)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm test\n");
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                WF, wf, NULL);
    if (r.findings_count)
        cr_assert_fail ("findings on a CI that agrees:\n%s",
                        check_render_text (&r, "demo", false));
    cr_assert_eq (r.files_count, 1);
    cr_assert_str_eq (r.files [0], WF);
    check_result_release (&r);
    free (wf);
}

Test (check, tests_missing)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm run lint\n");
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                WF, wf, NULL);
    const check_finding_t *f = s_must (&r, "tests-missing");
    cr_assert_str_eq (f->file, WF);
    cr_assert_eq (f->line, 5, "the first line of the job, not %u", f->line);
    cr_assert (strncmp (f->source, "package.json:4", 14) == 0, "%s", f->source);
    cr_assert_str_eq (f->level, "error");
    check_result_release (&r);
    free (wf);
    //  the equivalence of generation: "npm run test" is "npm test"
    wf = s_node_workflow ("      - run: npm ci\n      - run: npm run test\n");
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, wf, NULL);
    s_none (&r, "tests-missing");
    check_result_release (&r);
    free (wf);
}

Test (check, no_ci_at_all_is_tests_missing)
{
    check_result_t r = s_check ("package.json", s_node_pkg, NULL);
    const check_finding_t *f = s_must (&r, "tests-missing");
    cr_assert_str_eq (f->file, "");
    cr_assert_eq (r.files_count, 0);
    check_result_release (&r);
}

Test (check, test_command_gone)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: |\n"
                                "          npm test\n          npm run test:unit\n");
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                WF, wf, NULL);
    const check_finding_t *f = s_must (&r, "test-command-gone");
    cr_assert_eq (f->line, 17, "the line of the command in the block, not %u", f->line);
    cr_assert (strstr (f->message, "test:unit"));
    cr_assert_str_eq (f->source, "package.json:4 scripts");
    check_result_release (&r);
    free (wf);
    //  a make target the Makefile no longer has; one it has is fine
    const char *make = "all:\n\tcc -o x x.c\ntest: all\n\t./x --selftest\n";
    const char *gone = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: make check\n";
    r = s_check ("Makefile", make, "x.c", "", WF, gone, NULL);
    f = s_must (&r, "test-command-gone");
    cr_assert (strstr (f->message, "'check'"), "%s", f->message);
    cr_assert_eq (f->line, 5);
    check_result_release (&r);
    //  a target of another name whose recipe runs the tests runs them
    const char *make2 = "all:\n\tcc -o x x.c\ntest: all\n\t./x --selftest\n"
                        "richtest: all\n\trichgo test ./...\n";
    const char *rich = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: make richtest\n";
    r = s_check ("Makefile", make2, "x.c", "", WF, rich, NULL);
    s_none (&r, "tests-missing");
    s_none (&r, "test-command-gone");
    check_result_release (&r);
    r = s_check ("Makefile", make, "x.c", "", WF, gone, NULL);
    s_must (&r, "tests-missing");
    check_result_release (&r);
    const char *kept = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: make test\n";
    r = s_check ("Makefile", make, "x.c", "", WF, kept, NULL);
    s_none (&r, "test-command-gone");
    s_none (&r, "tests-missing");
    check_result_release (&r);
}

Test (check, versions_outside_range_and_untested)
{
    const char *wf =
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    strategy:\n"
        "      matrix:\n"
        "        node: [18, 22]\n"
        "    steps:\n"
        "      - uses: actions/setup-node@v7\n"
        "        with:\n"
        "          node-version: ${{ matrix.node }}\n"
        "      - run: npm ci\n"
        "      - run: npm test\n";
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                WF, wf, NULL);
    const check_finding_t *f = s_must (&r, "version-outside-range");
    cr_assert (strstr (f->message, "node 18"), "%s", f->message);
    cr_assert_eq (f->line, 6, "the matrix value's line, not %u", f->line);
    cr_assert (strncmp (f->source, "package.json:3 engines.node", 27) == 0, "%s", f->source);
    //  the floor (20) and the newest (26) the range allows
    size_t untested = 0;
    for (size_t i = 0; i < r.findings_count; i++)
        if (strcmp (r.findings [i].kind, "version-untested") == 0) {
            untested++;
            cr_assert (strstr (r.findings [i].message, "node 20")
                       || strstr (r.findings [i].message, "node 26"), "%s",
                       r.findings [i].message);
        }
    cr_assert_eq (untested, 2);
    //  --explain says what was expected and why
    char *explained = check_render_text (&r, "demo", true);
    cr_assert (strstr (explained, "  node range: >=20  (package.json:3 engines.node)\n"), "%s",
               explained);
    cr_assert (strstr (explained, "  node version (the oldest line the project declares): 20"),
               "%s", explained);
    cr_assert (strstr (explained, "  node version (the newest line it allows): 26"), "%s",
               explained);
    free (explained);
    check_result_release (&r);
    //  "20.x" is the line 20; "lts/*" is no line at all
    const char *x_wf =
        "jobs:\n  test:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
        "        node: [16.x, 20.x, 26.x, lts/*]\n    steps:\n"
        "      - uses: actions/setup-node@v7\n        with:\n"
        "          node-version: ${{ matrix.node }}\n      - run: npm ci\n"
        "      - run: npm test\n";
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, x_wf, NULL);
    s_none (&r, "version-untested");
    f = s_must (&r, "version-outside-range");
    cr_assert (strstr (f->message, "node 16.x"), "%s", f->message);
    size_t outside = 0;
    for (size_t i = 0; i < r.findings_count; i++)
        outside += strcmp (r.findings [i].kind, "version-outside-range") == 0;
    cr_assert_eq (outside, 1);
    check_result_release (&r);
    //  a version file: CI tests what the project pins
    const char *file_wf =
        "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/setup-node@v7\n        with:\n"
        "          node-version-file: .nvmrc\n      - run: npm ci\n      - run: npm test\n";
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", ".nvmrc", "22\n",
                 WF, file_wf, NULL);
    s_none (&r, "version-untested");
    s_none (&r, "version-outside-range");
    check_result_release (&r);
}

//  A Maven build's JDK range is the enforcer's; a job that sets the
//  enforcer aside (-Denforcer.fail=false through its matrix) tests a JDK
//  outside it on purpose, one that does not is drift.
Test (check, an_enforcer_range_a_job_lifts_is_not_drift)
{
    const char *pom =
        "<project>\n<artifactId>lib</artifactId>\n"
        "<properties><maven.compiler.release>8</maven.compiler.release></properties>\n"
        "<build><plugins><plugin><artifactId>maven-enforcer-plugin</artifactId>\n"
        "<requireJavaVersion><version>[17,22)</version></requireJavaVersion>\n"
        "</plugin></plugins></build>\n</project>\n";
    const char *lifted =
        "jobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
        "        java: [17, 21]\n        include:\n          - java: 11\n"
        "            extra: -Denforcer.fail=false\n    steps:\n"
        "      - uses: actions/setup-java@v5\n        with:\n"
        "          java-version: ${{ matrix.java }}\n          distribution: temurin\n"
        "      - run: mvn -B verify ${{ matrix.extra }}\n";
    check_result_t r = s_check ("pom.xml", pom, WF, lifted, NULL);
    s_none (&r, "version-outside-range");
    s_none (&r, "version-untested");
    check_result_release (&r);
    const char *plain =
        "jobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
        "        java: [11, 17, 21]\n    steps:\n"
        "      - uses: actions/setup-java@v5\n        with:\n"
        "          java-version: ${{ matrix.java }}\n          distribution: temurin\n"
        "      - run: mvn -B verify\n";
    r = s_check ("pom.xml", pom, WF, plain, NULL);
    const check_finding_t *f = s_must (&r, "version-outside-range");
    cr_assert (strstr (f->message, "java 11") && strstr (f->message, ">=17 <22"), "%s",
               f->message);
    cr_assert (strstr (f->source, "requireJavaVersion"), "%s", f->source);
    check_result_release (&r);
}

Test (check, gitlab_image_version)
{
    const char *ci =
        "image: node:16\n"
        "test:\n"
        "  script:\n"
        "    - npm ci\n"
        "    - npm test\n";
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                ".gitlab-ci.yml", ci, NULL);
    const check_finding_t *f = s_must (&r, "version-outside-range");
    cr_assert_str_eq (f->file, ".gitlab-ci.yml");
    cr_assert_eq (f->line, 1);
    s_none (&r, "tests-missing");
    check_result_release (&r);
}

Test (check, services_missing_and_unused)
{
    const char *pkg = "{\"name\": \"demo\", \"scripts\": {\"test\": \"jest\"},\n"
                      " \"dependencies\": {\"pg\": \"^8.0.0\"}}\n";
    const char *bare = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: npm ci\n      - run: npm test\n";
    check_result_t r = s_check ("package.json", pkg, "package-lock.json", "", WF, bare,
                                NULL);
    const check_finding_t *f = s_must (&r, "service-missing");
    cr_assert (strstr (f->message, "postgres"));
    cr_assert (strncmp (f->source, "package.json:2", 14) == 0, "%s", f->source);
    s_none (&r, "service-unused");
    check_result_release (&r);
    //  a PostGIS image is a postgres; a redis nobody uses is said
    const char *with = "jobs:\n  t:\n    runs-on: ubuntu-latest\n"
                       "    services:\n"
                       "      db:\n        image: postgis/postgis:16-3.4\n"
                       "      cache:\n        image: redis:7\n"
                       "    steps:\n      - run: npm ci\n      - run: npm test\n";
    r = s_check ("package.json", pkg, "package-lock.json", "", WF, with, NULL);
    s_none (&r, "service-missing");
    f = s_must (&r, "service-unused");
    cr_assert (strstr (f->message, "cache"), "%s", f->message);
    cr_assert_eq (f->line, 8);
    check_result_release (&r);
    //  compose starts them itself
    const char *compose = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                          "      - run: docker compose up -d\n      - run: npm ci\n"
                          "      - run: npm test\n";
    r = s_check ("package.json", pkg, "package-lock.json", "", WF, compose, NULL);
    s_none (&r, "service-missing");
    check_result_release (&r);
}

Test (check, readme_commands)
{
    const char *pkg = "{\"name\": \"demo\", \"scripts\": {\"check\": \"node t.js\"}}\n";
    const char *readme = "# demo\n\n## Testing\n\n```sh\nnpm install\nnpm run check\n```\n";
    const char *lint_only = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                            "      - run: npm ci\n      - run: npm run check\n";
    check_result_t r = s_check ("package.json", pkg, "package-lock.json", "",
                                "README.md", readme, WF, lint_only, NULL);
    s_none (&r, "readme-command-missing");
    s_none (&r, "tests-missing");
    check_result_release (&r);
    const char *none = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: npm ci\n      - run: npm run build --if-present\n";
    r = s_check ("package.json", pkg, "package-lock.json", "", "README.md", readme,
                 WF, none, NULL);
    //  said once: as the tests CI does not run
    const check_finding_t *f = s_must (&r, "tests-missing");
    cr_assert (strncmp (f->source, "README.md:7", 11) == 0, "%s", f->source);
    s_none (&r, "readme-command-missing");
    check_result_release (&r);
}

Test (check, outdated_actions_runners_and_syntax)
{
    const char *wf =
        "jobs:\n"
        "  test:\n"
        "    runs-on: ${{ matrix.os }}\n"
        "    strategy:\n"
        "      matrix:\n"
        "        os: [ubuntu-latest, ubuntu-20.04]\n"
        "    steps:\n"
        "      - uses: actions/checkout@v3\n"
        "      - uses: actions/cache@0123456789abcdef0123456789abcdef01234567\n"
        "      - uses: actions/setup-node@v7\n"
        "      - run: npm ci\n"
        "      - run: npm test\n"
        "      - run: echo \"::set-output name=v::1\"\n"
        "      - run: echo \"v=1\" >> \"$GITHUB_OUTPUT\"\n";
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                WF, wf, NULL);
    size_t outdated = 0;
    for (size_t i = 0; i < r.findings_count; i++)
        if (strcmp (r.findings [i].kind, "action-outdated") == 0) {
            outdated++;
            cr_assert (strstr (r.findings [i].message, "actions/checkout"), "%s",
                       r.findings [i].message);
            cr_assert_eq (r.findings [i].line, 8);
        }
    cr_assert_eq (outdated, 1, "a SHA pin and a current major are not findings");
    const check_finding_t *f = s_must (&r, "runner-deprecated");
    cr_assert_eq (f->line, 6);
    cr_assert (strstr (f->message, "ubuntu-20.04"));
    f = s_must (&r, "syntax-deprecated");
    cr_assert_eq (f->line, 13);
    cr_assert (strstr (f->message, "set-output"));
    size_t syntax = 0;
    for (size_t i = 0; i < r.findings_count; i++)
        syntax += strcmp (r.findings [i].kind, "syntax-deprecated") == 0;
    cr_assert_eq (syntax, 1);
    check_result_release (&r);
}

Test (check, lockfiles)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm test\n");
    check_result_t r = s_check ("package.json", s_node_pkg, WF, wf, NULL);
    const check_finding_t *f = s_must (&r, "lockfile-missing");
    cr_assert_eq (f->line, 14);
    cr_assert (strstr (f->message, "package-lock.json"));
    s_none (&r, "lockfile-unused");
    check_result_release (&r);
    free (wf);
    wf = s_node_workflow ("      - run: npm install\n      - run: npm test\n");
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, wf, NULL);
    f = s_must (&r, "lockfile-unused");
    cr_assert (strstr (f->message, "npm ci"));
    s_none (&r, "lockfile-missing");
    check_result_release (&r);
    free (wf);
    //  installing one package by name is not the project's install
    wf = s_node_workflow ("      - run: npm ci\n      - run: npm install -g c8\n"
                          "      - run: npm test\n");
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, wf, NULL);
    s_none (&r, "lockfile-unused");
    s_none (&r, "lockfile-missing");
    check_result_release (&r);
    free (wf);
}

Test (check, unreadable_files_are_said_and_the_rest_checked)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm run gone\n");
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                ".github/workflows/bad.yml", "jobs: [\n",
                                ".github/workflows/notes.yml", "title: not a workflow\n",
                                WF, wf, NULL);
    cr_assert_eq (r.unreadable_count, 2);
    for (size_t i = 0; i < 2; i++) {
        if (strcmp (r.unreadable [i].key, ".github/workflows/bad.yml") == 0)
            cr_assert (strstr (r.unreadable [i].value, "line"), "%s", r.unreadable [i].value);
        else
            cr_assert (strstr (r.unreadable [i].value, "no jobs"), "%s",
                       r.unreadable [i].value);
    }
    s_must (&r, "test-command-gone");
    char *text = check_render_text (&r, "demo", false);
    cr_assert (strstr (text, ".github/workflows/bad.yml: cannot read: not valid YAML"), "%s",
               text);
    cr_assert (strstr (text, ", 2 unreadable\n"), "%s", text);
    free (text);
    check_result_release (&r);
    free (wf);
}

Test (check, json_round_trip)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm run gone\n");
    check_result_t r = s_check ("package.json", s_node_pkg, WF, wf,
                                ".github/workflows/bad.yml", ": :\n  - [\n", NULL);
    char *json = check_json_encode (&r);
    cr_assert_not_null (json);
    check_result_t back;
    char err [256];
    cr_assert_eq (check_json_decode (&back, json, strlen (json), err, sizeof err), 0, "%s",
                  err);
    char *again = check_json_encode (&back);
    cr_assert_str_eq (json, again);
    char *t1 = check_render_text (&r, "x", true), *t2 = check_render_text (&back, "x", true);
    cr_assert_str_eq (t1, t2);
    check_result_release (&back);
    //  what is not a result is refused
    cr_assert_eq (check_json_decode (&back, "[]", 2, err, sizeof err), -1);
    cr_assert_eq (check_json_decode (&back, "{\"project\": 1}", 14, err, sizeof err), -1);
    const char *bad_line = "{\"project\": \"x\", \"files\": [], \"unreadable\": [], "
                           "\"expectations\": [], \"findings\": [{\"kind\": \"k\", "
                           "\"severity\": \"error\", \"message\": \"m\", \"file\": \"f\", "
                           "\"line\": -1, \"source\": \"\"}]}";
    cr_assert_eq (check_json_decode (&back, bad_line, strlen (bad_line), err, sizeof err), -1);
    free (t1);
    free (t2);
    free (again);
    free (json);
    check_result_release (&r);
    free (wf);
}

//  The constraints of the SARIF 2.1.0 schema a consumer (GitHub code
//  scanning) relies on, checked on the document: the schema's required
//  properties, its enums, and the references between rules and results.
static void
s_assert_sarif (const char *text, size_t results)
{
    json_error_t error;
    json_t *root = json_loads (text, 0, &error);
    cr_assert_not_null (root, "not JSON: %s", error.text);
    cr_assert_str_eq (json_string_value (json_object_get (root, "version")), "2.1.0");
    cr_assert (json_is_string (json_object_get (root, "$schema")));
    json_t *runs = json_object_get (root, "runs");
    cr_assert (json_is_array (runs) && json_array_size (runs) == 1);
    json_t *run = json_array_get (runs, 0);
    json_t *driver = json_object_get (json_object_get (run, "tool"), "driver");
    cr_assert_str_eq (json_string_value (json_object_get (driver, "name")), "readme2ci");
    json_t *rules = json_object_get (driver, "rules");
    cr_assert (json_is_array (rules));
    for (size_t i = 0; i < json_array_size (rules); i++) {
        json_t *rule = json_array_get (rules, i);
        cr_assert (json_is_string (json_object_get (rule, "id")));
        const char *level = json_string_value (json_object_get (
            json_object_get (rule, "defaultConfiguration"), "level"));
        cr_assert (level && (strcmp (level, "error") == 0 || strcmp (level, "warning") == 0
                             || strcmp (level, "note") == 0 || strcmp (level, "none") == 0));
    }
    json_t *list = json_object_get (run, "results");
    cr_assert (json_is_array (list));
    cr_assert_eq (json_array_size (list), results);
    for (size_t i = 0; i < json_array_size (list); i++) {
        json_t *result = json_array_get (list, i);
        const char *text_ = json_string_value (json_object_get (
            json_object_get (result, "message"), "text"));
        cr_assert (text_ && *text_, "a result's message.text is required");
        json_t *index = json_object_get (result, "ruleIndex");
        cr_assert (json_is_integer (index) && json_integer_value (index) >= 0
                   && (size_t) json_integer_value (index) < json_array_size (rules));
        json_t *rule = json_array_get (rules, (size_t) json_integer_value (index));
        cr_assert_str_eq (json_string_value (json_object_get (result, "ruleId")),
                          json_string_value (json_object_get (rule, "id")));
        const char *level = json_string_value (json_object_get (result, "level"));
        cr_assert (level && (strcmp (level, "error") == 0 || strcmp (level, "warning") == 0
                             || strcmp (level, "note") == 0 || strcmp (level, "none") == 0));
        const char *lists [] = { "locations", "relatedLocations" };
        for (size_t l = 0; l < 2; l++) {
            json_t *locations = json_object_get (result, lists [l]);
            for (size_t k = 0; k < json_array_size (locations); k++) {
                json_t *physical = json_object_get (json_array_get (locations, k),
                                                    "physicalLocation");
                const char *uri = json_string_value (json_object_get (
                    json_object_get (physical, "artifactLocation"), "uri"));
                cr_assert (uri && *uri && uri [0] != '/', "a relative uri, not %s", uri);
                json_t *region = json_object_get (physical, "region");
                if (region) {
                    json_t *line = json_object_get (region, "startLine");
                    cr_assert (json_is_integer (line) && json_integer_value (line) >= 1);
                }
                json_t *id = json_object_get (json_array_get (locations, k), "id");
                cr_assert (!id || (json_is_integer (id) && json_integer_value (id) >= 0));
            }
        }
    }
    json_t *invocations = json_object_get (run, "invocations");
    cr_assert (json_is_array (invocations) && json_array_size (invocations) == 1);
    json_t *invocation = json_array_get (invocations, 0);
    cr_assert (json_is_boolean (json_object_get (invocation, "executionSuccessful")));
    json_t *notes = json_object_get (invocation, "toolExecutionNotifications");
    for (size_t i = 0; i < json_array_size (notes); i++)
        cr_assert (json_is_string (json_object_get (json_object_get (
            json_array_get (notes, i), "message"), "text")));
    json_decref (root);
}

Test (check, sarif_structure)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm run gone\n"
                                "      - uses: actions/checkout@v2\n");
    check_result_t r = s_check ("package.json", s_node_pkg, WF, wf,
                                ".github/workflows/bad.yml", "x: [\n", NULL);
    cr_assert_geq (r.findings_count, 3);
    char *sarif = check_render_sarif (&r, "1.0");
    s_assert_sarif (sarif, r.findings_count);
    cr_assert (strstr (sarif, "\"relatedLocations\""), "the project's side is related");
    cr_assert (strstr (sarif, "bad.yml: cannot read"));
    free (sarif);
    check_result_release (&r);
    //  no CI at all: the finding stands on the project's file
    r = s_check ("package.json", s_node_pkg, NULL);
    sarif = check_render_sarif (&r, "1.0");
    s_assert_sarif (sarif, r.findings_count);
    cr_assert (strstr (sarif, "\"uri\": \"package.json\""), "%s", sarif);
    free (sarif);
    check_result_release (&r);
    free (wf);
}

//  Runs tests/sarif_validate.cjs (ajv and the SARIF 2.1.0 schema that
//  scripts/bootstrap installs) over the SARIF in text; the validator's
//  exit status (0 valid, 1 not) and its lines in *report (caller frees),
//  or -2 when it is not installed and CI (R2CI_REQUIRE_LINT) does not ask
//  for it.
static int
s_sarif_validate (const char *text, char **report)
{
    char modules [4096], schema [4200];
    snprintf (modules, sizeof modules, "%s/build/tools/sarif/node_modules", R2CI_SOURCE_DIR);
    snprintf (schema, sizeof schema,
              "%s/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json", modules);
    if (access (schema, R_OK) != 0) {
        cr_assert_null (getenv ("R2CI_REQUIRE_LINT"),
                        "the SARIF schema is not installed (run scripts/bootstrap)");
        fprintf (stderr, "warning: the SARIF schema is not installed; validation skipped\n");
        return -2;
    }
    char *tmp = tu_tmpdir ();
    tu_write (tmp, "check.sarif", text);
    char *file = NULL, *node_path = NULL, *script = tu_src ("tests/sarif_validate.cjs");
    cr_assert (asprintf (&file, "%s/check.sarif", tmp) > 0);
    cr_assert (asprintf (&node_path, "NODE_PATH=%s", modules) > 0);
    char *argv [] = { "/usr/bin/node", script, file, NULL };
    char *env [] = { node_path, NULL };
    tu_result_t result;
    cr_assert_eq (tu_run (argv, env, NULL, 60000, &result), 0);
    cr_assert (result.status == 0 || result.status == 1, "the validator failed: %s",
               result.err);
    int status = result.status;
    *report = strdup (result.out);
    tu_result_release (&result);
    tu_rmtree (tmp);
    free (tmp);
    free (file);
    free (node_path);
    free (script);
    return status;
}

//  What --format sarif prints is valid against the SARIF 2.1.0 schema,
//  with findings, an unreadable file, no CI at all, and nothing found;
//  and the validator does say no to a log the schema does not allow.
Test (check, sarif_is_valid_against_the_2_1_0_schema, .timeout = 120)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm run gone\n"
                                "      - uses: actions/checkout@v2\n");
    char *clean = s_node_workflow ("      - run: npm ci\n      - run: npm test\n");
    check_result_t cases [3];
    cases [0] = s_check ("package.json", s_node_pkg, WF, wf,
                         ".github/workflows/bad.yml", "x: [\n", NULL);
    cases [1] = s_check ("package.json", s_node_pkg, NULL);
    cases [2] = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, clean, NULL);
    cr_assert_eq (cases [2].findings_count, 0, "%s", cases [2].findings_count?
                  cases [2].findings [0].message: "");
    char *sarif = NULL, *report = NULL;
    for (size_t i = 0; i < 3; i++) {
        sarif = check_render_sarif (&cases [i], "1.0");
        int status = s_sarif_validate (sarif, &report);
        if (status == -2) {
            free (sarif);
            break;
        }
        cr_assert_eq (status, 0, "case %zu is not valid SARIF 2.1.0:\n%s\n%s", i, report,
                      sarif);
        free (report);
        //  the control: one level the schema does not allow
        if (i == 0) {
            char *level = strstr (sarif, "\"level\": \""), *bad = NULL;
            cr_assert_not_null (level);
            const char *value = level + strlen ("\"level\": \"");
            cr_assert (asprintf (&bad, "%.*sfatal%s", (int) (value - sarif), sarif,
                                 strchr (value, '"')) > 0);
            cr_assert_eq (s_sarif_validate (bad, &report), 1, "%s", bad);
            free (bad);
            cr_assert (strstr (report, "level"), "%s", report);
            free (report);
        }
        free (sarif);
    }
    for (size_t i = 0; i < 3; i++)
        check_result_release (&cases [i]);
    free (wf);
    free (clean);
}

Test (check, reader_lines_and_matrix_include)
{
    const char *text =
        "jobs:\n"
        "  a:\n"
        "    runs-on: [self-hosted, linux]\n"
        "    container: python:3.12-slim\n"
        "    strategy:\n"
        "      matrix:\n"
        "        py: ['3.10']\n"
        "        include:\n"
        "          - py: '3.13'\n"
        "    services:\n"
        "      pg: postgres:16\n"
        "    steps:\n"
        "      - run: |\n"
        "          one\n"
        "          two\n";
    ci_file_t file;
    char err [256];
    cr_assert_eq (ci_read (&file, WF, text, strlen (text), err, sizeof err), 0, "%s", err);
    cr_assert_eq (file.jobs_count, 1);
    const ci_job_t *job = &file.jobs [0];
    cr_assert_eq (job->runs_on_count, 2);
    cr_assert_str_eq (job->image.text, "python:3.12-slim");
    const ci_axis_t *axis = ci_job_axis (job, "py");
    cr_assert_not_null (axis);
    cr_assert_eq (axis->values_count, 2);
    cr_assert_eq (axis->values [1].line, 9);
    cr_assert_eq (job->services_count, 1);
    cr_assert_str_eq (job->services [0].image, "postgres:16");
    cr_assert_eq (job->steps [0].run_line, 14);
    ci_file_release (&file);
    cr_assert (ci_is_file (".github/workflows/x.yaml"));
    cr_assert (!ci_is_file (".github/workflows/sub/x.yml"));
    cr_assert (!ci_is_file (".github/dependabot.yml"));
    cr_assert_eq (ci_read (&file, WF, "- a\n", 4, err, sizeof err), -1);
    //  a job that is not a map is a job with nothing in it (fuzz_check)
    const char *odd = "jobs:\n  te0   runs-on: ubuntu-18t@v3\n";
    cr_assert_eq (ci_read (&file, WF, odd, strlen (odd), err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (file.jobs [0].image.text, "");
    ci_file_release (&file);
    check_result_t r = s_check ("package.json", s_node_pkg, WF, odd, NULL);
    check_result_release (&r);
}

//  The command: text on stdout, exit 1 on drift and 0 without, the same
//  bytes inline and through a private tree; usage errors are 2.
Test (check, command_line, .timeout = 120)
{
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm test\n");
    char *dir = tu_project ("package.json", s_node_pkg, "package-lock.json", "",
                            "README.md", "# demo\n", ".github/workflows/ci.yml", wf,
                            (char *) NULL);
    //  a runtime folder of its own: no shared supervisor answers there
    char *runtime = tu_tmpdir (), *env_entry;
    cr_assert_geq (asprintf (&env_entry, "README2CI_RUNTIME_DIR=%s", runtime), 0);
    char *env [] = { env_entry, NULL };
    char *inline_argv [] = { (char *) tu_bin ("readme2ci"), "check", "--inline", dir, NULL };
    tu_result_t clean;
    cr_assert_eq (tu_run (inline_argv, NULL, NULL, 60000, &clean), 0);
    cr_assert_eq (clean.status, 0, "exit %d: %s%s", clean.status, clean.out, clean.err);
    cr_assert (strstr (clean.out, "no drift found in 1 CI file"), "%s", clean.out);
    tu_result_release (&clean);
    tu_write (dir, ".github/workflows/ci.yml",
              "jobs:\n  t:\n    runs-on: ubuntu-18.04\n    steps:\n      - run: npm ci\n");
    tu_result_t drift, tree;
    cr_assert_eq (tu_run (inline_argv, NULL, NULL, 60000, &drift), 0);
    cr_assert_eq (drift.status, 1, "exit %d: %s", drift.status, drift.err);
    cr_assert (strstr (drift.out, "[runner-deprecated]"), "%s", drift.out);
    char *tree_argv [] = { (char *) tu_bin ("readme2ci"), "check", dir, NULL };
    cr_assert_eq (tu_run (tree_argv, env, NULL, 90000, &tree), 0);
    cr_assert_eq (tree.status, 1, "exit %d: %s", tree.status, tree.err);
    cr_assert_str_eq (tree.out, drift.out);
    tu_result_release (&drift);
    tu_result_release (&tree);
    char *usage_argv [] = { (char *) tu_bin ("readme2ci"), "check", "--format", "xml", dir,
                            NULL };
    tu_result_t usage;
    cr_assert_eq (tu_run (usage_argv, NULL, NULL, 60000, &usage), 0);
    cr_assert_eq (usage.status, 2);
    tu_result_release (&usage);
    char *out_argv [] = { (char *) tu_bin ("readme2ci"), "check", "-o", "x", dir, NULL };
    cr_assert_eq (tu_run (out_argv, NULL, NULL, 60000, &usage), 0);
    cr_assert_eq (usage.status, 2);
    tu_result_release (&usage);
    tu_rmtree (dir);
    tu_rmtree (runtime);
    free (runtime);
    free (env_entry);
    free (dir);
    free (wf);
}

//  The composite Action: its metadata is what GitHub requires (composite,
//  a shell on every run step, only declared inputs used), and its steps,
//  set in a workflow whose dispatch inputs stand for the action's, lint
//  clean with actionlint.
Test (check, action_lints)
{
    char *text = tu_read (R2CI_SOURCE_DIR "/action/action.yml", NULL);
    cr_assert_not_null (text);
    ynode_t *root = tu_parse_yaml (text);
    cr_assert_str_eq (ytree_str (ytree_path (root, "runs", "using", NULL), ""), "composite");
    const ynode_t *inputs = ytree_get (root, "inputs");
    const ynode_t *steps = ytree_path (root, "runs", "steps", NULL);
    cr_assert (inputs && inputs->kind == YNODE_MAP && steps && steps->kind == YNODE_SEQ);
    for (size_t i = 0; i < steps->count; i++)
        if (ytree_get (steps->items [i], "run"))
            cr_assert_not_null (ytree_get (steps->items [i], "shell"),
                                "step %zu runs without a shell", i + 1);
    for (const char *p = strstr (text, "inputs."); p; p = strstr (p + 1, "inputs.")) {
        char name [64];
        cr_assert_eq (sscanf (p + 7, "%63[a-z-]", name), 1);
        cr_assert_not_null (ytree_get (inputs, name), "inputs.%s is not declared", name);
    }
    char *workflow = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&workflow, &size);
    fprintf (out, "name: action\non:\n  workflow_dispatch:\n    inputs:\n");
    for (size_t i = 0; i < inputs->count; i++)
        fprintf (out, "      %s:\n        type: string\n        default: \"%s\"\n",
                 inputs->keys [i], ytree_str (ytree_get (inputs->items [i], "default"), ""));
    fprintf (out, "permissions:\n  contents: read\n  security-events: write\n"
             "jobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n");
    //  the action's steps, two columns further in
    const char *start = strstr (text, "\n  steps:\n");
    cr_assert_not_null (start);
    for (const char *line = start + 10; *line; ) {
        const char *end = strchr (line, '\n');
        size_t len = end? (size_t) (end - line): strlen (line);
        fprintf (out, "%s%.*s\n", len? "  ": "", (int) len, line);
        line += len + (end? 1: 0);
    }
    fclose (out);
    tu_assert_lints_clean (workflow);
    free (workflow);
    ytree_destroy (&root);
    free (text);
}

//  What a file does not show is not held against it: tests a reusable
//  workflow, a local action or a test-running action may run, versions a
//  reusable workflow's matrix may hold.
Test (check, hidden_work_is_not_drift)
{
    const char *calls =
        "jobs:\n"
        "  tests:\n"
        "    uses: example/workflows/.github/workflows/node.yml@v1\n"
        "  lint:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/setup-node@v7\n"
        "        with:\n"
        "          node-version: 22\n"
        "      - run: npm ci\n"
        "      - run: npm run lint\n";
    check_result_t r = s_check ("package.json", s_node_pkg, "package-lock.json", "",
                                WF, calls, NULL);
    s_none (&r, "tests-missing");
    s_none (&r, "version-untested");
    check_result_release (&r);
    const char *local = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                        "      - uses: ./.github/actions/build-and-test\n";
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, local, NULL);
    s_none (&r, "tests-missing");
    check_result_release (&r);
    const char *action = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                         "      - uses: example/run-node-tests@v1\n";
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, action, NULL);
    s_none (&r, "tests-missing");
    check_result_release (&r);
    //  a name that merely holds the letters is no test runner
    const char *latest = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                         "      - uses: example/fetch-latest@v1\n";
    r = s_check ("package.json", s_node_pkg, "package-lock.json", "", WF, latest, NULL);
    s_must (&r, "tests-missing");
    check_result_release (&r);
}

//  A check workflow on a running tree: journaled as one (its queued
//  event says check), its result kept, and the detector's absence still
//  gives an answer (degraded, from the README alone).
Test (check, through_a_running_tree, .timeout = 180)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *wf = s_node_workflow ("      - run: npm ci\n      - run: npm run gone\n");
    char *dir = tu_project ("package.json", s_node_pkg, "package-lock.json", "",
                            "README.md", "# demo\n\n```sh\nnpm test\n```\n",
                            ".github/workflows/ci.yml", wf, (char *) NULL);
    tree_up (&tree);
    tu_result_t r;
    int status = tree_cli (&tree, &r, "check", "--json", "--id", "chk-1", dir, NULL);
    cr_assert_eq (status, 1, "exit %d: %s", status, r.err);
    json_error_t error;
    json_t *doc = json_loads (r.out, 0, &error);
    cr_assert_not_null (doc, "%s", r.out);
    cr_assert_gt (json_array_size (json_object_get (doc, "findings")), 0);
    json_decref (doc);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "events", "--type", "workflow.queued", "--json", NULL),
                  0, "%s", r.err);
    cr_assert (strstr (r.out, "\"check\": true") || strstr (r.out, "\"check\":true"), "%s",
               r.out);
    tu_result_release (&r);
    //  the result is kept like any workflow's: the check result as JSON
    cr_assert_eq (tree_cli (&tree, &r, "result", "chk-1", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "\"test-command-gone\""), "%s", r.out);
    tu_result_release (&r);
    //  without a detector the README alone says what the tests are
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "stop", "detector", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    status = tree_cli (&tree, &r, "check", dir, NULL);
    cr_assert_eq (status, 1, "exit %d: %s", status, r.err);
    cr_assert (strstr (r.out, "[test-command-gone]"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (wf);
}
