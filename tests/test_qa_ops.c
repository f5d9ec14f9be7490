/*  readme2ci as a user and an operator meet it: awkward inputs to
    generate, the ctl commands' arguments, exit codes and the messages
    that name the input and the cause.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  Runs readme2ci with args (NULL-ended) and no tree at all: a private
//  runtime folder that stays empty, so nothing shared is touched.
static int
s_run (tu_result_t *result, const char *dir, const char *arg, ...)
{
    char *argv [32];
    int argc = 0;
    argv [argc++] = (char *) tu_bin ("readme2ci");
    va_list args;
    va_start (args, arg);
    for (const char *a = arg; a && argc < 31; a = va_arg (args, const char *))
        argv [argc++] = (char *) a;
    va_end (args);
    argv [argc] = NULL;
    char env_runtime [600], env_state [600];
    snprintf (env_runtime, sizeof env_runtime, "README2CI_RUNTIME_DIR=%s/run", dir);
    snprintf (env_state, sizeof env_state, "README2CI_STATE_DIR=%s/state", dir);
    char *env [] = { env_runtime, env_state, NULL };
    cr_assert_eq (tu_run (argv, env, NULL, 60000, result), 0);
    return result->status;
}

static bool
s_exists (const char *dir, const char *name)
{
    char path [1024];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat (path, &st) == 0;
}

//  --------------------------------------------------------------------
//  generate: outputs

Test (qa_ops, o_into_a_folder_that_does_not_exist_yet_makes_it, .timeout = 60)
{
    //  The README's own example: -o .github/workflows/ci.yml in a
    //  project that has no .github folder yet.
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "fresh", "python", NULL);
    char out [1024];
    snprintf (out, sizeof out, "%s/.github/workflows/ci.yml", project);
    tu_result_t r;
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", project, "-o", out, NULL), 0,
                  "%s", r.err);
    tu_result_release (&r);
    char *yaml = tu_read (out, NULL);
    cr_assert_not_null (yaml, "%s was not written", out);
    cr_assert (strstr (yaml, "jobs:"), "%s", yaml);
    free (yaml);

    //  A path through a file is still an error naming it.
    tu_write (dir, "plain", "x\n");
    snprintf (out, sizeof out, "%s/plain/ci.yml", dir);
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", project, "-o", out, NULL), 1);
    cr_assert (strstr (r.err, "plain/ci.yml") && strstr (r.err, "Not a directory"), "%s",
               r.err);
    tu_result_release (&r);
    free (project);
    tu_rmtree (dir);
    free (dir);
}

//  Checks one --out-dir run over a good, a missing and a good input.
static void
s_check_batch (bool inline_run)
{
    char *dir = tu_tmpdir ();
    char *one = tree_project (dir, "one", "python", NULL);
    char *two = tree_project (dir, "two", "node", NULL);
    char missing [1024], out [1024];
    snprintf (missing, sizeof missing, "%s/missing", dir);
    snprintf (out, sizeof out, "%s/out", dir);
    tu_result_t r;
    int status = inline_run
               ? s_run (&r, dir, "generate", "--inline", "--out-dir", out, one, missing, two, NULL)
               : s_run (&r, dir, "generate", "--out-dir", out, one, missing, two, NULL);
    //  The bad input is named and sets the exit status; the others are
    //  still written.
    cr_assert_eq (status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "missing: No such file or directory"), "%s", r.err);
    cr_assert (s_exists (out, "one.yml"), "%s", r.err);
    cr_assert (s_exists (out, "two.yml"), "%s", r.err);
    cr_assert_not (s_exists (out, "missing.yml"));
    tu_result_release (&r);

    //  When every input is bad nothing runs and no folder is made.
    char out2 [1024];
    snprintf (out2, sizeof out2, "%s/out2", dir);
    cr_assert_eq (s_run (&r, dir, "generate", "--out-dir", out2, missing, NULL), 1);
    cr_assert_not (s_exists (dir, "out2"));
    tu_result_release (&r);
    free (one);
    free (two);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ops, one_bad_input_of_many_does_not_stop_the_others_inline, .timeout = 60)
{
    s_check_batch (true);
}

Test (qa_ops, one_bad_input_of_many_does_not_stop_the_others_tree, .timeout = 120)
{
    s_check_batch (false);
}

//  --------------------------------------------------------------------
//  generate: READMEs as they are found

Test (qa_ops, a_latin1_readme_is_read_with_a_warning, .timeout = 60)
{
    char *dir = tu_tmpdir ();
    //  "Café" in Latin-1, then a command the workflow must carry.
    tu_write (dir, "old/README", "Caf\xe9 tools\n\n    make check\n\n\xa9 1999 the authors\n");
    tu_write (dir, "old/Makefile", "all:\n\tcc -o cafe cafe.c\ncheck: all\n\t./cafe -t\n");
    char path [1024];
    snprintf (path, sizeof path, "%s/old", dir);
    tu_result_t r;
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", path, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.err, "old/README") && strstr (r.err, "Latin-1"), "%s", r.err);
    cr_assert (strstr (r.out, "make check"), "%s", r.out);
    tu_result_release (&r);

    //  --json carries the README's text as UTF-8.
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", "--json", path, NULL), 0, "%s", r.err);
    json_error_t error;
    json_t *report = json_loads (r.out, 0, &error);
    cr_assert_not_null (report, "%s: %s", error.text, r.out);
    json_decref (report);
    tu_result_release (&r);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ops, a_readme_over_the_limit_is_read_up_to_it, .timeout = 60)
{
    char *dir = tu_tmpdir ();
    //  The commands near the top, then 3 MB of prose (a README with
    //  inline images weighs this much).
    size_t filler = 3 * 1024 * 1024;
    const char *head = "# Heavy\n\n## Test\n\n```sh\nmake check\n```\n\n";
    size_t head_len = strlen (head);
    char *text = malloc (head_len + filler + 1);
    memcpy (text, head, head_len);
    for (size_t i = 0; i < filler; i++)
        text [head_len + i] = i % 64 == 63? '\n': 'x';
    text [head_len + filler] = 0;
    tu_write (dir, "heavy/README.md", text);
    free (text);
    tu_write (dir, "heavy/Makefile", "check:\n\t./run-tests\n");
    char path [1024];
    snprintf (path, sizeof path, "%s/heavy", dir);
    tu_result_t r;
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", path, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.err, "heavy/README.md") && strstr (r.err, "limit"), "%s", r.err);
    cr_assert (strstr (r.out, "make check"), "%s", r.out);
    tu_result_release (&r);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  generate: the supervisor it talks to

Test (qa_ops, an_endpoint_where_nobody_answers_is_unavailable, .timeout = 60)
{
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "lonely", "go", NULL);
    char endpoint [1024];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/nobody", dir);
    tu_result_t r;
    //  Exit 3 (unavailable), not 4 (a workflow that took too long).
    cr_assert_eq (s_run (&r, dir, "generate", "--timeout", "300", "--endpoint", endpoint,
                         project, NULL), 3, "%s", r.err);
    cr_assert (strstr (r.err, "lonely") && strstr (r.err, endpoint)
               && strstr (r.err, "no supervisor answered"), "%s", r.err);
    tu_result_release (&r);
    free (project);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  ctl: arguments are checked before anything is done

Test (qa_ops, ctl_arguments_are_checked_and_help_never_acts, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    int before [4];
    cr_assert_eq (tree_worker_pids (&tree, "parser", before, 4), 1);
    tu_result_t r;

    //  --help after an operation shows the help and restarts nothing.
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "restart", "parser", "--help", NULL), 0);
    cr_assert (strstr (r.out, "usage: readme2ci ctl"), "%s", r.out);
    tu_result_release (&r);

    //  Arguments an operation does not take are usage errors (2).
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "deploy", "parser", "extra", NULL), 2);
    cr_assert (strstr (r.err, "extra"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "stop", "parser", "--command", "/bin/true",
                            NULL), 2);
    cr_assert (strstr (r.err, "--command") && strstr (r.err, "update"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", NULL), 2);
    cr_assert (strstr (r.err, "number of workers"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "update", "detector", "--command", NULL), 2);
    cr_assert (strstr (r.err, "--command needs"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "update", "detector", "--command",
                            "/nonexistent/readme2ci-detector", NULL), 2);
    cr_assert (strstr (r.err, "/nonexistent/readme2ci-detector")
               && strstr (r.err, "No such file"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "update", "detector", "--command", tree.state,
                            NULL), 2);
    cr_assert (strstr (r.err, "not an executable file"), "%s", r.err);
    tu_result_release (&r);

    //  None of that touched the parser.
    int after [4];
    cr_assert_eq (tree_worker_pids (&tree, "parser", after, 4), 1);
    cr_assert_eq (after [0], before [0]);
    json_t *status = tree_status (&tree);
    json_t *components = json_object_get (status, "components");
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (components, 0),
                                                          "state")), "running");
    json_decref (status);

    //  A new build that dies at once is refused (3) with a readable reason.
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "update", "detector", "--command", "/bin/false",
                            NULL), 3, "%s", r.err);
    cr_assert (strstr (r.err, "the new worker (") && strstr (r.err, "): exited before it was "
                                                              "ready"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  up -d: a start that fails says why on the terminal

Test (qa_ops, up_detached_that_fails_prints_the_cause, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    //  A second tree on its own runtime folder but the same journal.
    char *other = tu_tmpdir ();
    char env_runtime [600], env_state [600];
    snprintf (env_runtime, sizeof env_runtime, "README2CI_RUNTIME_DIR=%s", other);
    snprintf (env_state, sizeof env_state, "README2CI_STATE_DIR=%s", tree.state);
    char *env [] = { env_runtime, env_state, NULL };
    char *argv [] = { (char *) tu_bin ("readme2ci"), "up", "-d", NULL };
    tu_result_t r;
    cr_assert_eq (tu_run (argv, env, NULL, 60000, &r), 0);
    cr_assert_eq (r.status, 3, "%s", r.err);
    cr_assert (strstr (r.err, "another supervisor uses this journal"), "%s", r.err);
    //  ... and where its log is: the journal's folder's logs/supervisor.log
    char log [700];
    snprintf (log, sizeof log, "(log: %s/logs/supervisor.log)", tree.state);
    cr_assert (strstr (r.err, log), "%s", r.err);
    tu_result_release (&r);

    //  -c without its file is a usage error, not an unknown argument.
    char *argv2 [] = { (char *) tu_bin ("readme2ci"), "up", "-d", "-c", NULL };
    cr_assert_eq (tu_run (argv2, env, NULL, 60000, &r), 0);
    cr_assert_eq (r.status, 2, "%s", r.err);
    cr_assert (strstr (r.err, "-c needs"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tu_rmtree (other);
    free (other);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  events --follow across a supervisor crash

Test (qa_ops, events_follow_shows_a_restarted_supervisor_without_new_work, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char log [1024];
    snprintf (log, sizeof log, "%s/follow.log", tree.state);
    char *argv [] = { (char *) tu_bin ("readme2ci"), "events", "--follow", "--json", NULL };
    pid_t follower = tu_spawn (argv, tree.env, log);
    cr_assert_gt (follower, 0);
    //  The follower is live once it printed the history (system.started).
    long long deadline = tu_now_ms () + 10000;
    char *text = NULL;
    while (!(text = tu_read (log, NULL)) || !strstr (text, "system.started")) {
        free (text);
        text = NULL;
        cr_assert (tu_now_ms () < deadline, "the follower printed no history");
    }
    free (text);

    pid_t old = tree.supervisor;
    kill (old, SIGKILL);
    deadline = tu_now_ms () + 10000;
    while (tu_alive (old))
        cr_assert (tu_now_ms () < deadline, "pid %d outlived SIGKILL", (int) old);
    tree_up (&tree);
    cr_assert_neq (tree.supervisor, old);

    //  The new supervisor's system.started appears with no workflow run.
    char wanted [64];
    snprintf (wanted, sizeof wanted, "\"pid\":%d", (int) tree.supervisor);
    deadline = tu_now_ms () + 10000;
    bool seen = false;
    while (!seen && tu_now_ms () < deadline) {
        text = tu_read (log, NULL);
        for (char *line = text; line && *line && !seen; ) {
            char *end = strchr (line, '\n');
            if (end)
                *end = 0;
            seen = strstr (line, "system.started") && strstr (line, wanted);
            line = end? end + 1: line + strlen (line);
        }
        free (text);
    }
    kill (follower, SIGTERM);
    tu_wait (follower, 5000);
    cr_assert (seen, "no system.started of pid %d in the followed events",
               (int) tree.supervisor);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  keys new: the README's layout on a fresh host

Test (qa_ops, keys_new_makes_the_folders_it_names, .timeout = 30)
{
    char *dir = tu_tmpdir ();
    char name [1024];
    snprintf (name, sizeof name, "%s/keys/workers/host-b", dir);
    tu_result_t r;
    cr_assert_eq (s_run (&r, dir, "keys", "new", name, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert (s_exists (dir, "keys/workers/host-b"));
    cr_assert (s_exists (dir, "keys/workers/host-b_secret"));
    char folder [1024];
    snprintf (folder, sizeof folder, "%s/keys/workers", dir);
    struct stat st;
    cr_assert_eq (stat (folder, &st), 0);
    cr_assert_eq (st.st_mode & 0077, 0, "a folder of secret keys is open to others");
    //  A second time: refused, the first pair kept.
    cr_assert_eq (s_run (&r, dir, "keys", "new", name, NULL), 1);
    cr_assert (strstr (r.err, "never overwritten"), "%s", r.err);
    tu_result_release (&r);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  generate: names that are not UTF-8

Test (qa_ops, names_that_are_not_utf8_do_not_break_the_outputs, .timeout = 60)
{
    char *dir = tu_tmpdir ();
    //  The project's own folder is named in Latin-1 ("café").
    char *project = tree_project (dir, "caf\xe9", "rust", NULL);
    //  A part one level down whose name is not UTF-8 either.
    tu_write (project, "w\xef" "b/package.json", "{\"name\": \"w\", \"scripts\": "
              "{\"test\": \"node --test\"}}\n");
    tu_result_t r;
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", "--json", project, NULL), 0, "%s",
                  r.err);
    json_error_t error;
    json_t *report = json_loads (r.out, 0, &error);
    cr_assert_not_null (report, "%s: %s", error.text, r.out);
    cr_assert_str_eq (json_string_value (json_object_get (report, "project")), "caf\xc3\xa9");
    json_decref (report);
    cr_assert (strstr (r.err, "not UTF-8"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", project, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "cargo test"), "%s", r.out);
    tu_result_release (&r);
    free (project);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  up -d with a component that cannot start

Test (qa_ops, up_detached_reports_a_fatal_component_at_once, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, "components:\n  detector: {command: /bin/false}\n", NULL);
    tu_result_t r;
    long long started = tu_now_ms ();
    cr_assert_eq (tree_cli (&tree, &r, "up", "-d", "-c", tree.config, NULL), 3, "%s", r.err);
    //  At once (the restarts take about 2 s), not after the 15 s wait for
    //  readiness, and with the cause.
    cr_assert_lt (tu_now_ms () - started, 12000);
    cr_assert (strstr (r.err, "detector is FATAL") && strstr (r.err, "/bin/false")
               && strstr (r.err, "exit status 1"), "%s", r.err);
    tu_result_release (&r);
    //  The supervisor stays up for the operator, and says the same.
    cr_assert_eq (tree_cli (&tree, &r, "health", NULL), 1, "%s", r.out);
    cr_assert (strstr (r.out, "fatal"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  generate's private tree never outlives the command

//  The pid of a child of parent, or 0 when it has none (yet).
static pid_t
s_child_of (pid_t parent)
{
    DIR *proc = opendir ("/proc");
    cr_assert_not_null (proc);
    pid_t found = 0;
    struct dirent *entry;
    while (!found && (entry = readdir (proc))) {
        char path [300];
        snprintf (path, sizeof path, "/proc/%s/stat", entry->d_name);
        char *stat = entry->d_name [0] >= '0' && entry->d_name [0] <= '9'
                   ? tu_read (path, NULL): NULL;
        const char *paren = stat? strrchr (stat, ')'): NULL;
        char state;
        int ppid;
        if (paren && sscanf (paren + 2, "%c %d", &state, &ppid) == 2 && ppid == parent)
            found = (pid_t) strtol (entry->d_name, NULL, 10);
        free (stat);
    }
    closedir (proc);
    return found;
}

//  True when dir holds an entry whose name starts with prefix.
static bool
s_has_entry (const char *dir, const char *prefix)
{
    DIR *folder = opendir (dir);
    cr_assert_not_null (folder);
    bool found = false;
    struct dirent *entry;
    while (!found && (entry = readdir (folder)))
        found = strncmp (entry->d_name, prefix, strlen (prefix)) == 0;
    closedir (folder);
    return found;
}

static void
s_check_stopped_generate (int signo)
{
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "many", "go", NULL);
    char out [1024], log [1024], tmp [1024];
    snprintf (out, sizeof out, "%s/out", dir);
    snprintf (log, sizeof log, "%s/generate.log", dir);
    snprintf (tmp, sizeof tmp, "%s/tmp", dir);
    cr_assert_eq (mkdir (tmp, 0700), 0);
    //  The same project many times over: long enough to stop it midway.
    enum { COPIES = 3000 };
    char **argv = calloc (COPIES + 8, sizeof *argv);
    int argc = 0;
    argv [argc++] = (char *) tu_bin ("readme2ci");
    argv [argc++] = "generate";
    argv [argc++] = "--out-dir";
    argv [argc++] = out;
    for (int i = 0; i < COPIES; i++)
        argv [argc++] = project;
    char env_runtime [600], env_state [600], env_tmp [600];
    snprintf (env_runtime, sizeof env_runtime, "README2CI_RUNTIME_DIR=%s/run", dir);
    snprintf (env_state, sizeof env_state, "README2CI_STATE_DIR=%s/state", dir);
    snprintf (env_tmp, sizeof env_tmp, "TMPDIR=%s", tmp);
    char *env [] = { env_runtime, env_state, env_tmp, NULL };
    pid_t cli = tu_spawn (argv, env, log);
    cr_assert_gt (cli, 0);
    long long deadline = tu_now_ms () + 20000;
    pid_t supervisor;
    while (!(supervisor = s_child_of (cli)) && tu_alive (cli) && tu_now_ms () < deadline)
        ;
    cr_assert_gt (supervisor, 0, "generate started no private supervisor");
    kill (cli, signo);
    int status = tu_wait (cli, 30000);
    cr_assert_eq (status, 128 + signo);
    //  The private supervisor stops with it, whichever way it ended.
    deadline = tu_now_ms () + 20000;
    while (tu_alive (supervisor))
        cr_assert (tu_now_ms () < deadline, "the private supervisor %d outlived generate",
                   (int) supervisor);
    if (signo == SIGTERM) {
        //  Stopped in order: said so, and left no folder behind.
        char *text = tu_read (log, NULL);
        cr_assert (text && strstr (text, "interrupted"), "%s", text? text: "");
        free (text);
        cr_assert_not (s_has_entry (tmp, "r2ci-private."), "the private folder is left");
    }
    free (argv);
    free (project);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ops, sigterm_to_generate_stops_its_private_tree, .timeout = 120)
{
    s_check_stopped_generate (SIGTERM);
}

Test (qa_ops, sigkill_to_generate_still_stops_its_private_tree, .timeout = 120)
{
    s_check_stopped_generate (SIGKILL);
}

Test (qa_ops, out_dir_names_same_named_inputs_apart_quickly, .timeout = 60)
{
    char *dir = tu_tmpdir ();
    char *app = tree_project (dir, "app", "go", NULL);
    char *other = tree_project (dir, "other/app-2", "go", NULL);
    char out [1024];
    snprintf (out, sizeof out, "%s/out", dir);
    tu_result_t r;
    //  app, app, a folder really called app-2, app: every output kept.
    cr_assert_eq (s_run (&r, dir, "generate", "--inline", "--out-dir", out, app, app, other,
                         app, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert (s_exists (out, "app.yml"));
    cr_assert (s_exists (out, "app-2.yml"));
    cr_assert (s_exists (out, "app-2-2.yml"));
    cr_assert (s_exists (out, "app-3.yml"));
    free (app);
    free (other);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  up -d twice at the same moment

Test (qa_ops, two_ups_at_once_agree_on_one_supervisor, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *argv [] = { (char *) tu_bin ("readme2ci"), "up", "-d", NULL };
    char log_a [1024], log_b [1024];
    snprintf (log_a, sizeof log_a, "%s/up-a.log", tree.state);
    snprintf (log_b, sizeof log_b, "%s/up-b.log", tree.state);
    pid_t a = tu_spawn (argv, tree.env, log_a);
    pid_t b = tu_spawn (argv, tree.env, log_b);
    cr_assert_eq (tu_wait (a, 30000), 0);
    cr_assert_eq (tu_wait (b, 30000), 0);
    json_t *status = tree_status (&tree);
    cr_assert_not_null (status);
    int running = (int) json_integer_value (json_object_get (json_object_get (status,
                                                             "supervisor"), "pid"));
    json_decref (status);
    tree.supervisor = running;
    //  One says it started the running supervisor, the other that it
    //  found it; neither names a pid that is not running.
    char *text_a = tu_read (log_a, NULL), *text_b = tu_read (log_b, NULL);
    char up [64], found [64];
    snprintf (up, sizeof up, "supervisor pid %d is up", running);
    snprintf (found, sizeof found, "already running (pid %d)", running);
    cr_assert ((strstr (text_a, up) && strstr (text_b, found))
               || (strstr (text_b, up) && strstr (text_a, found)), "%s\n---\n%s", text_a, text_b);
    free (text_a);
    free (text_b);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
}
