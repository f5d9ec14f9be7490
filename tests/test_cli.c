/*  tests/test_cli.c - the command line's manners: --help with examples for
    every command, --version, and usage errors that say what to do.  */
#include "tests/support/testutil.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
s_cli (tu_result_t *r, const char *program, const char *a, const char *b, const char *c)
{
    char *argv [] = { (char *) tu_bin (program), (char *) a, (char *) b, (char *) c, NULL };
    char *env [] = { "README2CI_RUNTIME_DIR=/nonexistent/r2ci-test", NULL };
    cr_assert_eq (tu_run (argv, env, NULL, 10000, r), 0);
    return r->status;
}

Test (cli, every_command_has_help_with_examples)
{
    const char *commands [] = { "generate", "up", "down", "status", "result", "ctl",
                                "health", "top" };
    for (size_t i = 0; i < sizeof commands / sizeof commands [0]; i++) {
        tu_result_t r;
        cr_expect_eq (s_cli (&r, "readme2ci", commands [i], "--help", NULL), 0,
                      "%s --help: %s", commands [i], r.err);
        char usage [64];
        snprintf (usage, sizeof usage, "usage: readme2ci %s", commands [i]);
        cr_expect_eq (strncmp (r.out, usage, strlen (usage)), 0, "%s", r.out);
        cr_expect_not_null (strstr (r.out, "\nexamples:\n"), "%s has no examples", commands [i]);
        cr_expect_eq (r.err_size, 0);
        tu_result_release (&r);
    }
    tu_result_t r;
    cr_expect_eq (s_cli (&r, "readme2ci", "--help", NULL, NULL), 0);
    for (size_t i = 0; i < sizeof commands / sizeof commands [0]; i++) {
        char line [64];
        snprintf (line, sizeof line, "\n  %s ", commands [i]);
        cr_expect_not_null (strstr (r.out, line), "the overview misses %s", commands [i]);
    }
    cr_expect_not_null (strstr (r.out, "NO_COLOR"));
    tu_result_release (&r);
    cr_expect_eq (s_cli (&r, "readme2ci-supervisor", "--help", NULL, NULL), 0);
    cr_expect_not_null (strstr (r.out, "--log-format"));
    cr_expect_not_null (strstr (r.out, "\nexamples:\n"));
    tu_result_release (&r);
}

Test (cli, version)
{
    tu_result_t r;
    cr_expect_eq (s_cli (&r, "readme2ci", "--version", NULL, NULL), 0);
    cr_expect_str_eq (r.out, "readme2ci " R2CI_VERSION "\n");
    tu_result_release (&r);
    cr_expect_eq (s_cli (&r, "readme2ci-supervisor", "--version", NULL, NULL), 0);
    cr_expect_str_eq (r.out, "readme2ci-supervisor " R2CI_VERSION "\n");
    tu_result_release (&r);
}

Test (cli, usage_errors_say_what_to_do)
{
    struct {
        const char *a, *b, *c;
        int status;
        const char *says;
    } cases [] = {
        { "frobnicate", NULL, NULL, 2, "unknown command 'frobnicate' (see readme2ci --help)" },
        { "up", "--log-format", NULL, 2, "up: --log-format needs a value (see --help)" },
        { "up", "--log-colour", "x", 2, "up: unknown argument '--log-colour' (see --help)" },
        { "status", NULL, NULL, 3, "(start one with `readme2ci up -d`)" },
        { "generate", NULL, NULL, 2, "give a project folder or README" },
        { "top", "--once", NULL, 3, "(start one with `readme2ci up -d`)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        tu_result_t r;
        cr_expect_eq (s_cli (&r, "readme2ci", cases [i].a, cases [i].b, cases [i].c),
                      cases [i].status, "%s %s: %s", cases [i].a, cases [i].b, r.err);
        cr_expect_not_null (strstr (r.err, cases [i].says), "%s", r.err);
        cr_expect_eq (strncmp (r.err, "readme2ci: ", 11), 0, "errors name the program");
        tu_result_release (&r);
    }
}
