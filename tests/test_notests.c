/*  A workflow that cannot fail for want of tests is never emitted: with
    no test command found, generate exits 5 (0 with --allow-no-tests) and
    the workflow's test step fails saying what to add; what is not a
    project (an empty folder, unrelated files, a file that is not a
    README) is bad input. On the real binaries, in-process (--inline),
    through a private tree and through a running one; with the codecs,
    the snapshot and the step names under them.  */
#include "proto/wire.h"
#include "cli/project_load.h"
#include "shared/snapshot.h"
#include "tests/support/tree.h"
#include "workers/generator/stepname.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

//  A C project whose Makefile builds and tests nothing, and a README
//  with no command: two projects where no test command is found.
static char *
s_untested (void)
{
    return tu_project ("Makefile", "all:\n\tcc -o gauge gauge.c\n",
                       "gauge.c", "int main (void) { return 0; }\n", NULL);
}

static char *
s_readme_only (void)
{
    return tu_project ("README.md", "# gauge\n\nA small gauge library. Nothing to run.\n",
                       NULL);
}

//  A tested project: the same with a check target.
static char *
s_tested (void)
{
    return tu_project ("Makefile", "all:\n\tcc -o gauge gauge.c\n\ncheck: all\n\t./gauge\n",
                       "gauge.c", "int main (void) { return 0; }\n", NULL);
}

//  The last step of the GitHub job id.
static const ynode_t *
s_last_step (const ynode_t *root, const char *id)
{
    const ynode_t *steps = ytree_path (root, "jobs", id, "steps", NULL);
    cr_assert (steps && steps->count, "no steps in job %s", id);
    return steps->items [steps->count - 1];
}

//  Checks a GitHub workflow of a project without tests: every job ends
//  with a Test step that fails with an error saying what to add.
static void
s_assert_failing_test_step (const char *yaml, const char *hint)
{
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *jobs = ytree_get (root, "jobs");
    cr_assert (jobs && jobs->count, "%s", yaml);
    for (size_t j = 0; j < jobs->count; j++) {
        const ynode_t *step = s_last_step (root, jobs->keys [j]);
        cr_assert_str_eq (ytree_str (ytree_get (step, "name"), ""), "Test", "%s", yaml);
        const char *run = ytree_str (ytree_get (step, "run"), "");
        cr_assert (strstr (run, "echo '::error title=No test command::readme2ci: no test "
                           "command found in "), "%s", run);
        cr_assert (strstr (run, hint), "no '%s' in: %s", hint, run);
        //  the step's last command fails it
        size_t len = strlen (run);
        cr_assert (len > 7 && strcmp (run + len - 7, "exit 1\n") == 0, "%s", run);
    }
    ytree_destroy (&root);
    tu_assert_lints_clean (yaml);
}

//  --------------------------------------------------------------------------
//  What is not a project is refused

Test (notests, what_is_not_a_project_is_bad_input_inline_and_through_the_tree, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *empty = tu_tmpdir ();
    char *unrelated = tu_project ("notes.txt", "remember the milk\n",
                                  "photos/cat.txt", "not a picture either\n", NULL);
    char *sources = tu_project ("src/main.c", "int main (void) { return 0; }\n",
                                "package.json", "{\"name\": \"x\"}\n", NULL);
    //  a README-named file holding a NUL byte is not text
    char readme [1024];
    snprintf (readme, sizeof readme, "%s/README.bin", sources);
    FILE *file = fopen (readme, "wb");
    cr_assert_not_null (file);
    fwrite ("# x\n\0\1\2", 1, 7, file);
    fclose (file);
    char main_c [1024], manifest [1024];
    snprintf (main_c, sizeof main_c, "%s/src/main.c", sources);
    snprintf (manifest, sizeof manifest, "%s/package.json", sources);
    struct {
        const char *path;
        const char *why;
    } cases [] = {
        { empty, "not a project folder: no README and no build file" },
        { unrelated, "not a project folder: no README and no build file" },
        { main_c, "not a README" },
        { manifest, "a build file, not a README; give the project folder" },
        { readme, "not a README: binary data" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        for (int inline_run = 0; inline_run < 2; inline_run++) {
            tu_result_t r;
            int status = inline_run
                       ? tree_cli (&tree, &r, "generate", "--inline", cases [i].path, NULL)
                       : tree_cli (&tree, &r, "generate", cases [i].path, NULL);
            cr_assert_eq (status, 1, "%s (%s): %d %s", cases [i].path,
                          inline_run? "inline": "tree", status, r.err);
            cr_assert (strstr (r.err, cases [i].path) && strstr (r.err, cases [i].why),
                       "%s", r.err);
            cr_assert_str_eq (r.out, "", "a workflow was written for %s", cases [i].path);
            tu_result_release (&r);
        }
    //  --allow-no-tests does not make a non-project a project
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--inline", "--allow-no-tests", empty,
                            NULL), 1);
    tu_result_release (&r);
    //  a README given by name, and documentation in a markup the parser
    //  reads, are taken
    cr_assert (project_is_readme_name ("docs/readme.rst"));
    cr_assert (project_is_readme_name ("README"));
    cr_assert (project_is_readme_name ("ReadMe.en.md"));
    cr_assert (project_is_readme_name ("docs/BUILDING.adoc"));
    cr_assert (project_is_readme_name ("INSTALL.markdown"));
    cr_assert_not (project_is_readme_name ("src/main.c"));
    cr_assert_not (project_is_readme_name ("notes.txt"));
    cr_assert_not (project_is_readme_name ("package.json"));
    cr_assert_not (project_is_readme_name (".md"));
    tu_rmtree (empty);
    tu_rmtree (unrelated);
    tu_rmtree (sources);
    free (empty);
    free (unrelated);
    free (sources);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------------
//  No test command found: exit 5, the same bytes everywhere

Test (notests, no_test_command_is_exit_5_with_a_failing_test_step, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *untested = s_untested (), *readme_only = s_readme_only ();
    const char *targets [] = { "github", "gitlab" };
    const char *projects [] = { untested, readme_only };
    const char *hints [] = { "Add a test target (make check, make test)",
                             "Add a README section (Testing, Development)" };
    for (size_t p = 0; p < 2; p++)
        for (size_t t = 0; t < 2; t++) {
            tu_result_t in, tr, allowed;
            cr_assert_eq (tree_cli (&tree, &in, "generate", "--inline", "--target",
                                    targets [t], projects [p], NULL), 5, "%s", in.err);
            cr_assert_eq (tree_cli (&tree, &tr, "generate", "--target", targets [t],
                                    projects [p], NULL), 5, "%s", tr.err);
            cr_assert_eq (tree_cli (&tree, &allowed, "generate", "--inline",
                                    "--allow-no-tests", "--target", targets [t],
                                    projects [p], NULL), 0, "%s", allowed.err);
            //  said on stderr, naming the input, the same way both ways
            char said [1200];
            snprintf (said, sizeof said, "readme2ci: %s: no test command found; the "
                      "workflow's test step fails until one is added (--explain shows "
                      "where readme2ci looked; --allow-no-tests exits 0)\n", projects [p]);
            cr_assert (strstr (in.err, said), "%s", in.err);
            cr_assert (strstr (tr.err, said), "%s", tr.err);
            cr_assert (strstr (allowed.err, "warning") && strstr (allowed.err, projects [p]),
                       "%s", allowed.err);
            //  the workflow is written all the same, byte for byte
            cr_assert_str_eq (in.out, tr.out);
            cr_assert_str_eq (in.out, allowed.out);
            if (t == 0)
                s_assert_failing_test_step (in.out, hints [p]);
            else {
                //  GitLab: the job's last script line fails it
                ynode_t *root = tu_parse_yaml (in.out);
                const ynode_t *job = tu_only_job (root, true);
                const ynode_t *script = ytree_get (job, "script");
                cr_assert (script && script->count, "%s", in.out);
                const char *last = ytree_str (script->items [script->count - 1], "");
                cr_assert (strstr (last, "echo 'readme2ci: no test command found in "),
                           "%s", last);
                cr_assert (strstr (last, hints [p]), "%s", last);
                size_t len = strlen (last);
                cr_assert (len > 12 && strcmp (last + len - 12, " >&2; exit 1") == 0,
                           "%s", last);
                ytree_destroy (&root);
            }
            tu_result_release (&in);
            tu_result_release (&tr);
            tu_result_release (&allowed);
        }
    tu_rmtree (untested);
    tu_rmtree (readme_only);
    free (untested);
    free (readme_only);
    tree_fini (&tree);
}

Test (notests, json_and_explain_say_where_readme2ci_looked, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *untested = tu_project ("Makefile", "all:\n\tcc -o gauge gauge.c\n",
                                 "README.md", "# gauge\n\n```sh\nmake\n```\n", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--inline", "--json", untested, NULL), 5,
                  "%s", r.err);
    cr_assert (strstr (r.err, "test step would fail"), "%s", r.err);
    json_error_t error;
    json_t *root = json_loads (r.out, 0, &error);
    cr_assert_not_null (root, "%s", r.out);
    cr_assert (json_is_false (json_object_get (root, "tests_found")), "%s", r.out);
    bool said = false;
    size_t i;
    json_t *note;
    json_array_foreach (json_object_get (root, "notes"), i, note)
        if (strcmp (json_string_value (json_object_get (note, "kind")), "no-tests") == 0) {
            const char *text = json_string_value (json_object_get (note, "message"));
            cr_assert_str_eq (text, "no test command found in README.md (1 command, none "
                              "runs tests) or the build file Makefile", "%s", r.out);
            said = true;
        }
    cr_assert (said, "no no-tests note: %s", r.out);
    json_decref (root);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--inline", "--explain", untested, NULL),
                  5);
    cr_assert (strstr (r.out, "# - no-tests: no test command found in README.md (1 command, "
                       "none runs tests) or the build file Makefile\n"), "%s", r.out);
    tu_result_release (&r);
    //  a tested project says so too
    char *tested = s_tested ();
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--inline", "--json", tested, NULL), 0,
                  "%s", r.err);
    root = json_loads (r.out, 0, &error);
    cr_assert (json_is_true (json_object_get (root, "tests_found")), "%s", r.out);
    json_decref (root);
    tu_result_release (&r);
    tu_rmtree (untested);
    tu_rmtree (tested);
    free (untested);
    free (tested);
    tree_fini (&tree);
}

Test (notests, a_batch_puts_failures_before_no_tests_before_success, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *untested = s_untested (), *tested = s_tested (), *empty = tu_tmpdir ();
    char *out = tu_tmpdir ();
    for (int inline_run = 0; inline_run < 2; inline_run++) {
        const char *mode = inline_run? "--inline": "--priority";
        const char *value = inline_run? "--explain": "normal";
        tu_result_t r;
        //  0 and 5: 5; both workflows written
        cr_assert_eq (tree_cli (&tree, &r, "generate", mode, value, "--out-dir", out,
                                tested, untested, NULL), 5, "%s", r.err);
        tu_result_release (&r);
        char path [1024];
        const char *names [] = { tested, untested };
        for (size_t i = 0; i < 2; i++) {
            snprintf (path, sizeof path, "%s/%s.yml", out, strrchr (names [i], '/') + 1);
            char *text = tu_read (path, NULL);
            cr_assert_not_null (text, "%s not written", path);
            cr_assert (strstr (text, i == 0? "make check": "exit 1"), "%s", text);
            free (text);
            cr_assert_eq (remove (path), 0);
        }
        //  bad input and 5: 1, and the project is still written
        cr_assert_eq (tree_cli (&tree, &r, "generate", mode, value, "--out-dir", out,
                                untested, empty, NULL), 1, "%s", r.err);
        cr_assert (strstr (r.err, "not a project folder"), "%s", r.err);
        cr_assert (strstr (r.err, "no test command found"), "%s", r.err);
        tu_result_release (&r);
        snprintf (path, sizeof path, "%s/%s.yml", out, strrchr (untested, '/') + 1);
        char *text = tu_read (path, NULL);
        cr_assert_not_null (text);
        free (text);
        cr_assert_eq (remove (path), 0);
        //  allowed: 0
        cr_assert_eq (tree_cli (&tree, &r, "generate", mode, value, "--allow-no-tests",
                                "--out-dir", out, tested, untested, NULL), 0, "%s", r.err);
        tu_result_release (&r);
    }
    tu_rmtree (untested);
    tu_rmtree (tested);
    tu_rmtree (empty);
    tu_rmtree (out);
    free (untested);
    free (tested);
    free (empty);
    free (out);
    tree_fini (&tree);
}

Test (notests, help_documents_the_status_and_the_option)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--help", NULL), 0);
    cr_assert (strstr (r.out, "--allow-no-tests"), "%s", r.out);
    cr_assert (strstr (r.out, "  5  no test command found: the workflow is still written"),
               "%s", r.out);
    cr_assert (strstr (r.out, "With several PATHs the status is the highest of 1, 3, 4 and 6 "
                       "when\nany input failed, else 5 when any workflow has no test "
                       "command"), "%s", r.out);
    tu_result_release (&r);
    tree_fini (&tree);
}

//  Through a running tree: the answer, an attach to the finished
//  workflow, `result` and a restart (the journal) all keep the fact.
Test (notests, a_running_tree_keeps_the_fact_across_result_and_restart, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *untested = s_untested ();
    tu_result_t first, again, result;
    cr_assert_eq (tree_cli (&tree, &first, "generate", "--id", "gauge-1", untested, NULL),
                  5, "%s", first.err);
    cr_assert (strstr (first.out, "exit 1"), "%s", first.out);
    //  the same id: attached to the finished workflow, the same answer
    cr_assert_eq (tree_cli (&tree, &again, "generate", "--id", "gauge-1", untested, NULL),
                  5, "%s", again.err);
    cr_assert_str_eq (again.out, first.out);
    tu_result_release (&again);
    cr_assert_eq (tree_cli (&tree, &result, "result", "gauge-1", NULL), 0, "%s", result.err);
    cr_assert_str_eq (result.out, first.out);
    cr_assert (strstr (result.err, "warning: gauge-1: no test command found"), "%s",
               result.err);
    tu_result_release (&result);
    //  down and up: replayed from the journal
    cr_assert_eq (tree_cli (&tree, &result, "down", NULL), 0, "%s", result.err);
    tu_result_release (&result);
    //  not our child: gone when the pid is
    long long deadline = tu_now_ms () + 30000;
    while (tu_alive (tree.supervisor))
        cr_assert_lt (tu_now_ms (), deadline, "the supervisor is still there");
    tree_up (&tree);
    cr_assert_eq (tree_cli (&tree, &result, "result", "gauge-1", NULL), 0, "%s", result.err);
    cr_assert_str_eq (result.out, first.out);
    cr_assert (strstr (result.err, "no test command found"), "%s", result.err);
    tu_result_release (&result);
    cr_assert_eq (tree_cli (&tree, &again, "generate", "--id", "gauge-1", untested, NULL),
                  5, "%s", again.err);
    tu_result_release (&again);
    //  a tested project through the same tree: 0, nothing said
    char *tested = s_tested ();
    cr_assert_eq (tree_cli (&tree, &again, "generate", tested, NULL), 0, "%s", again.err);
    cr_assert_null (strstr (again.err, "no test command"), "%s", again.err);
    tu_result_release (&again);
    tu_result_release (&first);
    cr_assert_eq (tree_cli (&tree, &result, "down", NULL), 0);
    tu_result_release (&result);
    tu_rmtree (untested);
    tu_rmtree (tested);
    free (untested);
    free (tested);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------------
//  Under it: the wire and the snapshot carry the fact

Test (notests, result_and_reply_carry_notest_as_an_optional_key)
{
    wire_result_t result = { .job_id = 7, .ok = true, .elapsed_us = 10, .no_tests = true };
    uint8_t *buf;
    size_t size;
    cr_assert_eq (wire_result_encode (&result, &buf, &size), 0);
    wire_result_t back;
    cr_assert_eq (wire_result_decode (&back, buf, size), 0);
    cr_assert (back.no_tests);
    free (buf);
    //  absent: false (an older worker)
    result.no_tests = false;
    cr_assert_eq (wire_result_encode (&result, &buf, &size), 0);
    cr_assert_null (memmem (buf, size, "notest", 6));
    cr_assert_eq (wire_result_decode (&back, buf, size), 0);
    cr_assert_not (back.no_tests);
    free (buf);
    //  only an ok result has a workflow to speak of
    wire_result_t failed = { .job_id = 7, .ok = false, .no_tests = true };
    snprintf (failed.error, sizeof failed.error, "broken");
    cr_assert_eq (wire_result_encode (&failed, &buf, &size), -1);

    wire_reply_t reply = { .req_id = 3, .code = 0, .no_tests = true };
    cr_assert_eq (wire_reply_encode (&reply, &buf, &size), 0);
    wire_reply_t reply_back;
    cr_assert_eq (wire_reply_decode (&reply_back, buf, size), 0);
    cr_assert (reply_back.no_tests);
    cr_assert_not (reply_back.accepted);
    free (buf);
}

Test (notests, a_snapshot_keeps_which_results_have_no_tests)
{
    snapshot_t *state = snapshot_new (10);
    cr_assert_eq (snapshot_add_result (state, "wf-a", "jobs: a\n", 8, 500), 0);
    cr_assert_eq (snapshot_add_result (state, "wf-b", "jobs: b\n", 8, 600), 0);
    cr_assert_eq (snapshot_mark_no_tests (state, "wf-b"), 0);
    cr_assert_eq (snapshot_mark_no_tests (state, "wf-none"), -1);
    event_t *events;
    size_t count;
    cr_assert_eq (snapshot_events (state, 1000, &events, &count), 0);
    snapshot_t *replayed = snapshot_new (10);
    for (size_t i = 0; i < count; i++)
        cr_assert_eq (snapshot_apply (replayed, &events [i]), 0);
    cr_assert_eq (snapshot_results_count (replayed), 2);
    cr_assert_not (snapshot_result_no_tests (replayed, "wf-a"));
    cr_assert (snapshot_result_no_tests (replayed, "wf-b"));
    snapshot_events_free (events, count);
    //  a workflow.completed event's no_tests
    event_t done = { .time = 2000 };
    event_set_type (&done, "workflow.completed");
    event_add_str (&done, "workflow_id", "wf-c");
    event_add_bytes (&done, "result", "jobs: c\n", 8);
    event_add_bool (&done, "no_tests", true);
    cr_assert_eq (snapshot_apply (replayed, &done), 0);
    cr_assert (snapshot_result_no_tests (replayed, "wf-c"));
    event_release (&done);
    snapshot_destroy (&replayed);
    snapshot_destroy (&state);
}

//  --------------------------------------------------------------------------
//  Step names

Test (stepnames, a_command_is_named_by_what_it_runs)
{
    char err [256];
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    struct {
        const char *run;
        const char *subject;
    } cases [] = {
        { "npm run test:types", "test:types" },
        { "npm test", "npm test" },
        { "make -C build check", "check" },
        { "make", "make" },
        { "FOO=1 npx vitest run", "vitest run" },
        { "sudo apt-get install -y libcurl4-openssl-dev", "apt-get install" },
        { "python -m pip install tox tox-uv", "pip install tox" },
        { "mkdir -p build && cd build && ctest --output-on-failure", "ctest" },
        { "cargo fmt --all -- --check", "cargo fmt" },
        { "pnpm --filter web run build", "build" },
        { "scripts/test", "test" },
        { "echo 'a && b'\nuv run pytest tests", "pytest tests" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char *subject = stepname_subject (kb, cases [i].run);
        cr_assert_str_eq (subject, cases [i].subject, "%s", cases [i].run);
        free (subject);
    }
    struct {
        cmd_kind_t kind;
        const char *run;
        const char *base;
    } bases [] = {
        { CMD_BUILD, "cmake -B build -DCMAKE_BUILD_TYPE=Release", "Configure" },
        { CMD_BUILD, "cmake -S . -B build", "Configure" },
        { CMD_BUILD, "mkdir build && cd build && cmake ..", "Configure" },
        { CMD_BUILD, "./configure --prefix=/usr", "Configure" },
        { CMD_BUILD, "meson setup build", "Configure" },
        { CMD_BUILD, "cmake -B build && cmake --build build", "Build" },
        { CMD_BUILD, "cmake --build build", "Build" },
        { CMD_BUILD, "npm run build", "Build" },
        { CMD_INSTALL, "npm ci", "Install dependencies" },
        { CMD_LINT, "npm run lint", "Lint" },
        { CMD_TEST, "npm run test:types", "Test" },
    };
    for (size_t i = 0; i < sizeof bases / sizeof bases [0]; i++) {
        report_step_t step = { .kind = bases [i].kind, .name = "", .run = (char *) bases [i].run };
        cr_assert_str_eq (stepname_base (kb, &step), bases [i].base, "%s", bases [i].run);
    }
    knowledge_destroy (&kb);
}

Test (stepnames, names_in_a_job_are_unique_and_say_what_differs)
{
    char err [256];
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    report_step_t steps [] = {
        { CMD_INSTALL, "", "npm ci", "" },
        { CMD_INSTALL, "", "python -m pip install tox", "" },
        { CMD_BUILD, "", "cmake -B build", "" },
        { CMD_BUILD, "", "cmake --build build", "" },
        { CMD_TEST, "", "npm run test:types", "" },
        { CMD_TEST, "", "npm test", "" },
        { CMD_LINT, "", "cargo clippy", "" },
        { CMD_LINT, "", "cargo clippy", "" },
        { CMD_TEST, "", "", "" },                   //  no command: not written
    };
    report_job_t job = { .steps = steps, .steps_count = sizeof steps / sizeof steps [0] };
    char *names [sizeof steps / sizeof steps [0]];
    const char *taken [] = { "Check out", "install dependencies" };
    cr_assert_eq (stepname_job (kb, &job, taken, 2, names), 0);
    const char *want [] = {
        "Install dependencies 2",           //  a setup step has the plain name
        "Install dependencies (pip install tox)",
        "Configure", "Build",
        "Test (test:types)", "Test",        //  npm test runs the test script
        "Lint", "Lint (cargo clippy)",     //  the same command twice
        NULL,
    };
    for (size_t i = 0; i < job.steps_count; i++) {
        if (want [i])
            cr_assert_str_eq (names [i], want [i], "step %zu", i);
        else
            cr_assert_null (names [i]);
        free (names [i]);
    }
    knowledge_destroy (&kb);
}

//  Every project of ours (the detector's fixtures, the examples): no two
//  steps of a job share a name, on GitHub and in GitLab's --explain.
Test (stepnames, no_fixture_has_two_steps_of_the_same_name, .timeout = 240)
{
    char *folders [] = { R2CI_SOURCE_DIR "/tests/fixtures/detector",
                         R2CI_SOURCE_DIR "/examples" };
    size_t projects = 0;
    for (size_t f = 0; f < 2; f++) {
        DIR *dir = opendir (folders [f]);
        cr_assert_not_null (dir, "%s", folders [f]);
        struct dirent *entry;
        while ((entry = readdir (dir))) {
            if (entry->d_name [0] == '.' || entry->d_type != DT_DIR)
                continue;
            char path [1024];
            snprintf (path, sizeof path, "%s/%s", folders [f], entry->d_name);
            char *argv [] = { (char *) tu_bin ("readme2ci"), "generate", "--inline",
                              "--allow-no-tests", path, NULL };
            tu_result_t r;
            cr_assert_eq (tu_run (argv, NULL, NULL, 30000, &r), 0);
            if (r.status != 0) {        //  a fixture that is bad input on purpose
                cr_assert_eq (r.status, 1, "%s: %s", path, r.err);
                tu_result_release (&r);
                continue;
            }
            ynode_t *root = tu_parse_yaml (r.out);
            const ynode_t *jobs = ytree_get (root, "jobs");
            for (size_t j = 0; jobs && j < jobs->count; j++) {
                const ynode_t *steps = ytree_get (jobs->items [j], "steps");
                for (size_t a = 0; steps && a < steps->count; a++)
                    for (size_t b = a + 1; b < steps->count; b++) {
                        const char *x = ytree_str (ytree_get (steps->items [a], "name"), "");
                        const char *y = ytree_str (ytree_get (steps->items [b], "name"), "");
                        cr_assert (*x && strcasecmp (x, y) != 0, "%s, job %s: two steps "
                                   "named '%s'\n%s", path, jobs->keys [j], x, r.out);
                    }
            }
            ytree_destroy (&root);
            tu_result_release (&r);
            projects++;
        }
        closedir (dir);
    }
    cr_assert_geq (projects, 30, "only %zu projects read", projects);
}
