/*  tests/test_qa_trust.c - what an operator trusts a command line for
    (issue 16): --help that never acts, one table of exit statuses, `up -c`
    that never pretends, live truth from status and config show, results
    that can be found, one connect deadline, and private folders that do
    not pile up. On the real binaries.  */
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

//  Runs readme2ci with args (NULL-ended) in env (NULL-ended, may be NULL).
static int
s_run (tu_result_t *result, char *const env [], const char *arg, ...)
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
    cr_assert_eq (tu_run (argv, env, NULL, 60000, result), 0);
    return result->status;
}

//  The number of entries in dir, . and .. aside.
static size_t
s_entries (const char *dir)
{
    DIR *folder = opendir (dir);
    cr_assert_not_null (folder, "%s", dir);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir (folder)))
        count += strcmp (entry->d_name, ".") && strcmp (entry->d_name, "..");
    closedir (folder);
    return count;
}

//  --------------------------------------------------------------------
//  --help never acts

Test (qa_trust, help_never_acts_and_help_command_shows_it, .timeout = 120)
{
    //  Run where a command that acted would leave a file (keys new,
    //  maintain backup) or read one (config check --help).
    char *dir = tu_tmpdir ();
    cr_assert_eq (chdir (dir), 0);
    char env_runtime [600], env_state [600];
    snprintf (env_runtime, sizeof env_runtime, "README2CI_RUNTIME_DIR=%s/run", dir);
    snprintf (env_state, sizeof env_state, "README2CI_STATE_DIR=%s/state", dir);
    char *env [] = { env_runtime, env_state, NULL };
    static const char *const calls [][5] = {
        { "generate", "--help" }, { "check", "--inline", ".", "--help" },
        { "up", "-d", "--help" }, { "down", "--help" },
        { "status", "--help" }, { "result", "x", "--help" }, { "health", "--help" },
        { "ctl", "scale", "parser", "2", "--help" }, { "keys", "new", "--help" },
        { "keys", "new", "k", "--help" }, { "config", "check", "--help" },
        { "config", "show", "--help" }, { "config", "check", "x.yml", "--help" },
        { "reload", "--help" }, { "events", "--follow", "--help" },
        { "journal", "verify", "--help" }, { "maintain", "backup", "b", "--help" },
        { "maintain", "cleanup", "--help" }, { "top", "--help" },
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls [0]; i++)
        for (int dash = 0; dash < 2; dash++) {
            const char *a [5];
            for (int k = 0; k < 5; k++)
                a [k] = calls [i][k] && strcmp (calls [i][k], "--help") == 0 && dash
                      ? "-h": calls [i][k];
            tu_result_t r;
            int status = s_run (&r, env, a [0], a [1], a [2], a [3], a [4], NULL);
            char usage [64];
            snprintf (usage, sizeof usage, "usage: readme2ci %s", a [0]);
            cr_expect_eq (status, 0, "%s %s: %s", a [0], a [1], r.err);
            cr_expect (strstr (r.out, usage) && strstr (r.out, "\nexit status:\n"),
                       "%s %s %s: %s", a [0], a [1], a [2], r.out);
            cr_expect_eq (r.err_size, 0, "%s %s: %s", a [0], a [1], r.err);
            tu_result_release (&r);
            cr_expect_eq (s_entries (dir), 0, "%s %s %s acted: it left a file", a [0], a [1],
                          a [2]);
        }
    //  `help COMMAND` is `COMMAND --help`.
    static const char *const commands [] = { "generate", "keys", "config", "maintain", "ctl" };
    for (size_t i = 0; i < sizeof commands / sizeof commands [0]; i++) {
        tu_result_t by_help, by_option;
        cr_expect_eq (s_run (&by_help, env, "help", commands [i], NULL), 0);
        cr_expect_eq (s_run (&by_option, env, commands [i], "--help", NULL), 0);
        cr_expect_str_eq (by_help.out, by_option.out, "help %s", commands [i]);
        tu_result_release (&by_help);
        tu_result_release (&by_option);
    }
    tu_result_t r;
    cr_expect_eq (s_run (&r, env, "help", "frobnicate", NULL), 2);
    tu_result_release (&r);
    cr_assert_eq (chdir ("/"), 0);
    tu_rmtree (dir);
    free (dir);
}

//  A folder of commands that write their name to a log when run: the
//  scripts see them first on PATH, so whatever they would do shows.
static char *
s_stubs (const char *dir, const char *log)
{
    static const char *const names [] = { "apt-get", "npm", "node", "cmake", "ctest",
        "dpkg-query", "sudo", "readme2ci", "clang-format", "clang", "git", "curl",
        "systemctl", "python3", "nproc" };
    char *bin = NULL;
    cr_assert (asprintf (&bin, "%s/stubs", dir) > 0);
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++) {
        char text [1200], name [64];
        snprintf (text, sizeof text, "#!/bin/sh\necho \"%s $*\" >> %s\nexit 0\n", names [i],
                  log);
        snprintf (name, sizeof name, "stubs/%s", names [i]);
        tu_write (dir, name, text);
        char path [1100];
        snprintf (path, sizeof path, "%s/%s", dir, name);
        cr_assert_eq (chmod (path, 0755), 0);
    }
    return bin;
}

//  Whether this machine can give a command a terminal: /dev/ptmx opens and
//  the pty it makes exists under /dev/pts.
static bool
s_have_pty (void)
{
    int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return false;
    bool have = grantpt (master) == 0 && unlockpt (master) == 0
             && ptsname (master) && access (ptsname (master), R_OK | W_OK) == 0;
    close (master);
    return have;
}

Test (qa_trust, scripts_help_never_acts, .timeout = 120)
{
    //  Copies of the scripts in a folder of their own (their `cd "$top"`
    //  lands there), with stubs ahead on PATH.
    char *dir = tu_tmpdir ();
    char log [1024];
    snprintf (log, sizeof log, "%s/acted.log", dir);
    char *bin = s_stubs (dir, log);
    static const char *const scripts [] = { "scripts/test", "scripts/bootstrap",
        "scripts/banned", "scripts/format", "scripts/fuzz", "scripts/readme2ci",
        "scripts/install-service", "scripts/ops/scale-on-queue", "scripts/ops/rolling-update" };
    for (size_t i = 0; i < sizeof scripts / sizeof scripts [0]; i++) {
        char *source = tu_src (scripts [i]);
        char *text = tu_read (source, NULL);
        cr_assert_not_null (text, "%s", source);
        tu_write (dir, scripts [i], text);
        free (text);
        free (source);
    }
    char path_env [2048], cli_env [1100];
    snprintf (path_env, sizeof path_env, "PATH=%s:/usr/bin:/bin", bin);
    snprintf (cli_env, sizeof cli_env, "R2CI_CLI=%s/readme2ci", bin);
    char *env [] = { path_env, cli_env, NULL };
    for (size_t i = 0; i < sizeof scripts / sizeof scripts [0]; i++)
        for (int how = 0; how < 3; how++) {
            char script [1100];
            snprintf (script, sizeof script, "%s/%s", dir, scripts [i]);
            //  --help first, -h first, and --help after other arguments.
            char *argv [] = { "/bin/sh", script, how == 2? "1": how? "-h": "--help",
                              how == 2? "--help": NULL, NULL };
            tu_result_t r;
            cr_assert_eq (tu_run (argv, env, NULL, 20000, &r), 0);
            cr_expect_eq (r.status, 0, "%s %s: %s", scripts [i], argv [2], r.err);
            cr_expect_gt (r.out_size, 40, "%s %s printed no help: %s", scripts [i], argv [2],
                          r.err);
            tu_result_release (&r);
            char *acted = tu_read (log, NULL);
            cr_expect_null (acted, "%s %s ran: %s", scripts [i], argv [2], acted);
            free (acted);
            unlink (log);
        }
    free (bin);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  One table of exit statuses, the same in README.md

Test (qa_trust, the_exit_status_table_is_the_one_in_the_readme, .timeout = 30)
{
    tu_result_t r;
    cr_assert_eq (s_run (&r, NULL, "help", "exit-status", NULL), 0);
    char *readme_path = tu_src ("README.md");
    char *readme = tu_read (readme_path, NULL);
    cr_assert_not_null (readme);
    //  Each status as the program says it (its wrapped lines joined) is a
    //  row of the README's table: | N | text |.
    size_t rows = 0;
    char entry [1024] = "";
    for (char *line = strchr (r.out, '\n') + 1; ; ) {
        char *end = strchr (line, '\n');
        bool continued = end && strncmp (line, "     ", 5) == 0;
        if (entry [0] && !continued) {
            char row [1100];
            snprintf (row, sizeof row, "| %c | %s |", entry [2], entry + 5);
            cr_expect (strstr (readme, row), "README.md lacks the row: %s", row);
            rows++;
            entry [0] = 0;
        }
        if (!end)
            break;
        *end = 0;
        if (continued) {
            size_t used = strlen (entry);
            snprintf (entry + used, sizeof entry - used, " %s", line + 5);
        }
        else
            snprintf (entry, sizeof entry, "%s", line);
        line = end + 1;
    }
    cr_assert_gt (rows, 10);
    tu_result_release (&r);
    //  And every command's help ends with its part of it.
    cr_assert_eq (s_run (&r, NULL, "status", "--help", NULL), 0);
    cr_assert (strstr (r.out, "exit status:\n  0  every component is running\n"), "%s", r.out);
    tu_result_release (&r);
    free (readme);
    free (readme_path);
}

//  --------------------------------------------------------------------
//  up -c while a tree runs

Test (qa_trust, up_with_a_config_the_tree_does_not_run_is_refused, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, "queue: {capacity: 100}\n", NULL);
    tree_up (&tree);
    tu_result_t r;
    //  The same file: fine, it is running with it.
    cr_assert_eq (tree_cli (&tree, &r, "up", "-d", "-c", tree.config, NULL), 0, "%s", r.err);
    cr_assert (strstr (r.err, "already running") && strstr (r.err, "readme2ci.yml"), "%s",
               r.err);
    tu_result_release (&r);
    //  The same file, edited: refused, with the way to apply it.
    tu_write (tree.state, "readme2ci.yml", "queue: {capacity: 50}\n");
    cr_assert_eq (tree_cli (&tree, &r, "up", "-d", "-c", tree.config, NULL), 6, "%s", r.err);
    cr_assert (strstr (r.err, "queue.capacity") && strstr (r.err, "readme2ci reload"), "%s",
               r.err);
    tu_result_release (&r);
    //  Another file (the README's metrics block on a tree already up):
    //  refused, and nothing listens where it asked.
    tu_write (tree.state, "metrics.yml", "metrics: 127.0.0.1:19469\n");
    char other [1024];
    snprintf (other, sizeof other, "%s/metrics.yml", tree.state);
    cr_assert_eq (tree_cli (&tree, &r, "up", "-d", "-c", other, NULL), 6, "%s", r.err);
    cr_assert (strstr (r.err, "metrics") && strstr (r.err, "readme2ci down` first"), "%s",
               r.err);
    tu_result_release (&r);
    //  Without -c: it runs, that is all up was asked.
    cr_assert_eq (tree_cli (&tree, &r, "up", "-d", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  status and config show say what runs

Test (qa_trust, status_config_show_and_json_answers_follow_the_running_tree, .timeout = 180)
{
    tree_t tree;
    tree_init (&tree, "components:\n  parser: {workers: 1}\n", NULL);
    tree_up (&tree);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "status", NULL), 0, "%s", r.err);
    tu_result_release (&r);

    //  A stopped component: status is not 0 (as systemctl's), and says it.
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "stop", "detector", "--json", NULL), 0, "%s",
                  r.err);
    json_t *answer = json_loads (r.out, 0, NULL);
    cr_assert_not_null (answer, "ctl --json: %s", r.out);
    cr_assert (json_is_true (json_object_get (answer, "ok")), "%s", r.out);
    cr_assert_str_eq (json_string_value (json_object_get (answer, "component")), "detector");
    json_decref (answer);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "status", NULL), 1, "%s", r.out);
    cr_assert (strstr (r.err, "detector is stopped"), "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "status", "--json", NULL), 1);
    cr_assert_not_null (strstr (r.out, "\"components\""), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "deploy", "detector", NULL), 0, "%s", r.err);
    tu_result_release (&r);

    //  config show: the running count after ctl scale, marked against
    //  the file.
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "parser", "2", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "config", "show", NULL), 0, "%s", r.err);
    cr_assert (strstr (r.out, "  parser:\n    workers: 2   # the file says: 1\n"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "config", "show", "--json", NULL), 0, "%s", r.err);
    json_t *shown = json_loads (r.out, 0, NULL);
    cr_assert_not_null (shown, "%s", r.out);
    json_t *difference = json_array_get (json_object_get (shown, "differences"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (difference, "key")),
                      "components.parser.workers");
    cr_assert_str_eq (json_string_value (json_object_get (difference, "running")), "2");
    cr_assert_str_eq (json_string_value (json_object_get (difference, "file")), "1");
    json_decref (shown);
    tu_result_release (&r);

    //  reload --json: one document.
    cr_assert_eq (tree_cli (&tree, &r, "reload", "--json", NULL), 0, "%s", r.err);
    answer = json_loads (r.out, 0, NULL);
    cr_assert (json_is_true (json_object_get (answer, "ok")), "%s", r.out);
    json_decref (answer);
    tu_result_release (&r);

    //  generate through the tree says the workflow id; result finds it,
    //  as text and as JSON; --json carries it in the report.
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "findme", "go", NULL);
    //  Scripts: stderr stays for errors.
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    cr_assert_eq (r.err_size, 0, "%s", r.err);
    tu_result_release (&r);
    //  A terminal is told the id (script(1) gives the command one). A
    //  machine without pseudo-terminals (a chroot without /dev/pts) cannot
    //  show that part; the id then comes from --json, checked below too.
    char id [64] = "";
    if (s_have_pty ()) {
        char line [4096];
        snprintf (line, sizeof line, "README2CI_RUNTIME_DIR='%s' '%s' generate -o /dev/null '%s'",
                  tree.runtime, tu_bin ("readme2ci"), project);
        char *argv [] = { "/usr/bin/script", "-qec", line, "/dev/null", NULL };
        cr_assert_eq (tu_run (argv, NULL, NULL, 60000, &r), 0);
        cr_assert_eq (r.status, 0, "%s%s", r.out, r.err);
        const char *said = strstr (r.out, "workflow wf-");
        cr_assert_not_null (said, "%s", r.out);
        cr_assert_eq (sscanf (said, "workflow %63s", id), 1);
        tu_result_release (&r);
    }
    else {
        fprintf (stderr, "test_qa_trust: no pseudo-terminal here: what a terminal is told is not checked\n");
        snprintf (id, sizeof id, "trust-6");
        cr_assert_eq (tree_cli (&tree, &r, "generate", "-o", "/dev/null", "--id", id, project,
                                NULL), 0, "%s", r.err);
        tu_result_release (&r);
    }
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    char *yaml = strdup (r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "result", id, NULL), 0, "%s", r.err);
    cr_assert_str_eq (r.out, yaml);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "result", id, "--json", NULL), 0, "%s", r.err);
    answer = json_loads (r.out, 0, NULL);
    cr_assert_str_eq (json_string_value (json_object_get (answer, "output")), yaml);
    json_decref (answer);
    tu_result_release (&r);
    free (yaml);
    cr_assert_eq (tree_cli (&tree, &r, "generate", "--json", "--id", "trust-7", project, NULL),
                  0, "%s", r.err);
    answer = json_loads (r.out, 0, NULL);
    cr_assert_str_eq (json_string_value (json_object_get (answer, "workflow_id")), "trust-7");
    cr_assert_not_null (json_object_get (answer, "jobs"), "%s", r.out);
    json_decref (answer);
    tu_result_release (&r);

    //  down --json: what stopped.
    pid_t pid = tree.supervisor;
    cr_assert_eq (tree_cli (&tree, &r, "down", "--json", NULL), 0, "%s", r.err);
    answer = json_loads (r.out, 0, NULL);
    cr_assert (json_is_true (json_object_get (answer, "stopped")), "%s", r.out);
    cr_assert_eq (json_integer_value (json_object_get (answer, "pid")), pid);
    json_decref (answer);
    tu_result_release (&r);
    free (project);
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  One connect deadline

Test (qa_trust, every_command_gives_up_on_a_silent_endpoint_alike, .timeout = 120)
{
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "silent", "go", NULL);
    char endpoint [1024], env_endpoint [1100];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/nobody", dir);
    snprintf (env_endpoint, sizeof env_endpoint, "R2CI_ENDPOINT=%s", endpoint);
    char *env [] = { env_endpoint, NULL };
    //  generate's own timeout is 60 s; the connect deadline is not.
    const char *const commands [][3] = { { "generate", project }, { "status" },
                                         { "result", "wf-x" }, { "ctl", "scale", "parser" } };
    for (size_t i = 0; i < sizeof commands / sizeof commands [0]; i++) {
        tu_result_t r;
        long long started = tu_now_ms ();
        int status = i == 3? s_run (&r, env, "ctl", "scale", "parser", "2", NULL)
                           : s_run (&r, env, commands [i][0], commands [i][1], NULL);
        long long took = tu_now_ms () - started;
        cr_expect_eq (status, 3, "%s: %s", commands [i][0], r.err);
        cr_expect_lt (took, 20000, "%s waited %lld ms", commands [i][0], took);
        char says [1200];
        snprintf (says, sizeof says, "no supervisor answered at %s in 5000 ms", endpoint);
        cr_expect (strstr (r.err, says), "%s: %s", commands [i][0], r.err);
        tu_result_release (&r);
    }
    free (project);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  Folders

Test (qa_trust, maintain_backup_makes_the_folders_it_goes_in, .timeout = 120)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char backup [1024];
    snprintf (backup, sizeof backup, "%s/backups/monday/r2ci", tree.state);
    tu_result_t r;
    //  Online (through the supervisor), then offline (on the journal).
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", backup, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "journal", "verify", backup, NULL), 0, "%s%s", r.out,
                  r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    snprintf (backup, sizeof backup, "%s/backups/tuesday/r2ci", tree.state);
    cr_assert_eq (tree_cli (&tree, &r, "maintain", "backup", backup, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    struct stat st;
    cr_assert_eq (stat (backup, &st), 0);
    tree_fini (&tree);
}

Test (qa_trust, a_killed_generates_private_folder_is_cleaned_by_the_next, .timeout = 120)
{
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "tidy", "go", NULL);
    char tmp [1024];
    snprintf (tmp, sizeof tmp, "%s/tmp", dir);
    cr_assert_eq (mkdir (tmp, 0700), 0);
    //  Left by a generate that was SIGKILLed: its owner lock is free.
    tu_write (tmp, "r2ci-private.STALE1/owner", "");
    tu_write (tmp, "r2ci-private.STALE1/state/journal/inputs", "many megabytes\n");
    //  A live one: its owner (this test) holds the lock.
    tu_write (tmp, "r2ci-private.LIVE01/owner", "");
    char live [1100];
    snprintf (live, sizeof live, "%s/r2ci-private.LIVE01/owner", tmp);
    int held = open (live, O_RDONLY | O_CLOEXEC);
    cr_assert_geq (held, 0);
    cr_assert_eq (flock (held, LOCK_EX), 0);
    //  A link named like one: never followed, never removed.
    tu_write (dir, "elsewhere/owner", "");
    char link_path [1100], target [1100];
    snprintf (link_path, sizeof link_path, "%s/r2ci-private.LINK01", tmp);
    snprintf (target, sizeof target, "%s/elsewhere", dir);
    cr_assert_eq (symlink (target, link_path), 0);

    char env_runtime [600], env_state [600], env_tmp [1100];
    snprintf (env_runtime, sizeof env_runtime, "README2CI_RUNTIME_DIR=%s/run", dir);
    snprintf (env_state, sizeof env_state, "README2CI_STATE_DIR=%s/state", dir);
    snprintf (env_tmp, sizeof env_tmp, "TMPDIR=%s", tmp);
    char *env [] = { env_runtime, env_state, env_tmp, NULL };
    tu_result_t r;
    cr_assert_eq (s_run (&r, env, "generate", project, NULL), 0, "%s", r.err);
    cr_assert_null (strstr (r.err, "workflow wf-"), "a private tree's id is said: %s", r.err);
    tu_result_release (&r);
    char path [1100];
    snprintf (path, sizeof path, "%s/r2ci-private.STALE1", tmp);
    struct stat st;
    cr_assert_neq (stat (path, &st), 0, "the stale private folder is still there");
    cr_assert_eq (stat (live, &st), 0, "a live generate's folder was removed");
    cr_assert_eq (lstat (link_path, &st), 0);
    snprintf (path, sizeof path, "%s/elsewhere/owner", dir);
    cr_assert_eq (stat (path, &st), 0, "the cleaner followed a link");
    //  Only those: the call's own folder went with it.
    cr_assert_eq (s_entries (tmp), 2);
    close (held);
    free (project);
    tu_rmtree (dir);
    free (dir);
}
