/*  tests/test_completion.c - scripts/readme2ci-completion.bash, run by bash
    as the completion machinery would: words in, candidates out.  */
#include "tests/support/testutil.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASH "/bin/bash"

//  Sources the script, sets COMP_WORDS to the words (the last is the one
//  being completed) and prints each candidate as [candidate].
static const char *const s_driver =
    "source \"$0\" || exit 9\n"
    "fn=$1; shift\n"
    "COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
    "$fn || exit 8\n"
    "for c in \"${COMPREPLY[@]}\"; do printf '[%s]' \"$c\"; done\n";

//  The candidates for words (NULL-ended), run in folder cwd (may be NULL),
//  as "[a][b]...". Caller frees.
static char *
s_complete (const char *cwd, const char *function, const char *const *words)
{
    char *script = tu_src ("scripts/readme2ci-completion.bash");
    char *argv [32];
    size_t n = 0;
    argv [n++] = BASH;
    argv [n++] = "--norc";
    argv [n++] = "-c";
    argv [n++] = (char *) s_driver;
    argv [n++] = script;
    argv [n++] = (char *) function;
    for (size_t i = 0; words [i] && n < 31; i++)
        argv [n++] = (char *) words [i];
    argv [n] = NULL;
    char here [4096];
    cr_assert_not_null (getcwd (here, sizeof here));
    if (cwd)
        cr_assert_eq (chdir (cwd), 0);
    tu_result_t result;
    cr_assert_eq (tu_run (argv, NULL, NULL, 10000, &result), 0);
    if (cwd)
        cr_assert_eq (chdir (here), 0);
    cr_assert_eq (result.status, 0, "bash failed (%d): %s", result.status, result.err);
    char *out = strdup (result.out);
    tu_result_release (&result);
    free (script);
    return out;
}

#define WORDS(...) ((const char *const []) { __VA_ARGS__, NULL })

static void
s_expect (const char *function, const char *const *words, const char *expected)
{
    char *got = s_complete (NULL, function, words);
    cr_expect_str_eq (got, expected);
    free (got);
}

Test (completion, script_is_valid_bash)
{
    char *script = tu_src ("scripts/readme2ci-completion.bash");
    char *argv [] = { BASH, "-n", script, NULL };
    tu_result_t result;
    cr_assert_eq (tu_run (argv, NULL, NULL, 10000, &result), 0);
    cr_expect_eq (result.status, 0, "%s", result.err);
    tu_result_release (&result);
    free (script);
}

Test (completion, commands)
{
    s_expect ("_readme2ci", WORDS ("readme2ci", ""),
              "[generate][check][up][down][status][result][ctl][health][top][logs][events]"
              "[journal]"
              "[maintain][keys][reload][config][help][version][--help][--version]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "st"), "[status]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "re"), "[result][reload]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "help", "ge"), "[generate]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "nonsense", ""), "");
}

Test (completion, generate_options_and_values)
{
    s_expect ("_readme2ci", WORDS ("readme2ci", "generate", "--t"), "[--target][--timeout]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "generate", "--i"), "[--id][--inline]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "generate", "--target", ""), "[github][gitlab]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "generate", "--priority", "h"), "[high]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "generate", "--priority", ""),
              "[critical][high][normal][low]");
    //  Free values get nothing rather than file names.
    s_expect ("_readme2ci", WORDS ("readme2ci", "generate", "--timeout", ""), "");
}

Test (completion, check_options_and_values)
{
    s_expect ("_readme2ci", WORDS ("readme2ci", "check", "--f"), "[--format]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "check", "--format", ""), "[text][json][sarif]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "check", "--e"), "[--explain][--endpoint]");
}

Test (completion, other_commands)
{
    s_expect ("_readme2ci", WORDS ("readme2ci", "status", ""), "[--json][--help]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "up", "-"),
              "[-c][--config][-d][--detach][--log-level][--log-format][--log-file][--help]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "up", "--log-format", ""), "[text][json]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "up", "--log-level", "w"), "[warn]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "top", ""), "[--once][--help]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "t"), "[top]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "logs", ""),
              "[parser][detector][generator][supervisor]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "logs", "parser", "-"),
              "[-f][--follow][-n][--json][--help]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "ctl", ""), "[deploy][stop][restart][update][scale]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "ctl", "restart", ""), "[parser][detector][generator]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "ctl", "scale", "d"), "[detector]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "ctl", "scale", "parser", ""), "");
    s_expect ("_readme2ci", WORDS ("readme2ci", "events", "--type", "breaker."),
              "[breaker.*][breaker.opened][breaker.half_open][breaker.closed]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "events", "--f"), "[--follow]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "maintain", ""), "[cleanup][backup][restore]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "maintain", "cleanup", ""), "[--older-than][--help]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "journal", ""), "[verify]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "config", ""), "[check][show]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "keys", ""), "[new]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "keys", "new", ""), "");
    s_expect ("_readme2ci", WORDS ("readme2ci", "keys", "new", "keys/a", "--e"), "[--expires]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "keys", "new", "keys/a", "--expires", ""), "");
    s_expect ("_readme2ci", WORDS ("readme2ci", "events", "--type", "security."),
              "[security.*][security.refused]");
    s_expect ("_readme2ci", WORDS ("readme2ci", "events", "--type", "worker.r"),
              "[worker.ready][worker.refused]");
}

Test (completion, supervisor_options)
{
    s_expect ("_readme2ci_supervisor", WORDS ("readme2ci-supervisor", ""),
              "[-c][--config][--runtime-dir][--state-dir][--workers][--credit][--log-level]"
              "[--log-format][--log-file][--help][--version]");
    s_expect ("_readme2ci_supervisor", WORDS ("readme2ci-supervisor", "--log-level", ""),
              "[debug][info][warn][error]");
    s_expect ("_readme2ci_supervisor", WORDS ("readme2ci-supervisor", "--w"), "[--workers]");
    s_expect ("_readme2ci_supervisor", WORDS ("readme2ci-supervisor", "--credit", ""), "");
}

Test (completion, paths_files_or_folders_as_the_option_wants)
{
    char *dir = tu_tmpdir ();
    tu_write (dir, "app one/README.md", "# app\n");
    tu_write (dir, "api/README.md", "# api\n");
    tu_write (dir, "readme2ci.yml", "queue: {capacity: 10}\n");
    tu_write (dir, "rules.yml", "actions: {}\n");
    char *got;
    //  A PATH: files and folders; a name with a space stays one candidate.
    got = s_complete (dir, "_readme2ci", WORDS ("readme2ci", "generate", "a"));
    cr_expect (strstr (got, "[app one]") && strstr (got, "[api]"), "got %s", got);
    free (got);
    got = s_complete (dir, "_readme2ci", WORDS ("readme2ci", "generate", "api/"));
    cr_expect_str_eq (got, "[api/README.md]");
    free (got);
    //  -c takes a file.
    got = s_complete (dir, "_readme2ci", WORDS ("readme2ci", "up", "-c", "r"));
    cr_expect (strstr (got, "[readme2ci.yml]") && strstr (got, "[rules.yml]"), "got %s", got);
    free (got);
    //  --log-file: a file, or syslog.
    got = s_complete (dir, "_readme2ci", WORDS ("readme2ci", "up", "--log-file", "s"));
    cr_expect_str_eq (got, "[syslog]");
    free (got);
    got = s_complete (dir, "_readme2ci_supervisor",
                      WORDS ("readme2ci-supervisor", "--log-file", "ru"));
    cr_expect_str_eq (got, "[rules.yml]");
    free (got);
    got = s_complete (dir, "_readme2ci", WORDS ("readme2ci", "config", "check", "readme"));
    cr_expect_str_eq (got, "[readme2ci.yml]");
    free (got);
    //  Folders only where a folder is wanted.
    got = s_complete (dir, "_readme2ci", WORDS ("readme2ci", "generate", "--out-dir", ""));
    cr_expect (strstr (got, "[api]") && strstr (got, "[app one]"), "got %s", got);
    cr_expect_null (strstr (got, ".yml"), "files offered for a folder: %s", got);
    free (got);
    got = s_complete (dir, "_readme2ci", WORDS ("readme2ci", "maintain", "backup", ""));
    cr_expect_null (strstr (got, ".yml"), "files offered for a folder: %s", got);
    cr_expect_not_null (strstr (got, "[api]"));
    free (got);
    got = s_complete (dir, "_readme2ci_supervisor",
                      WORDS ("readme2ci-supervisor", "--runtime-dir", ""));
    cr_expect_null (strstr (got, ".yml"), "files offered for a folder: %s", got);
    free (got);
    tu_rmtree (dir);
    free (dir);
}
