/*  tests/test_service.c - the systemd unit (scripts/readme2ci.service) and
    scripts/install-service, staged into a temporary folder.  */
#include "tests/support/testutil.h"

#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  The value of KEY= in [section] of an INI-style unit, or NULL. The
//  last assignment wins, as in systemd. Caller frees.
static char *
s_unit_value (const char *unit, const char *section, const char *key)
{
    char *copy = strdup (unit);
    char *value = NULL;
    bool inside = false;
    size_t key_length = strlen (key);
    for (char *save = NULL, *line = strtok_r (copy, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        if (line [0] == '[') {
            inside = strncmp (line + 1, section, strlen (section)) == 0
                  && line [strlen (section) + 1] == ']';
            continue;
        }
        if (inside && strncmp (line, key, key_length) == 0 && line [key_length] == '=') {
            free (value);
            value = strdup (line + key_length + 1);
        }
    }
    free (copy);
    return value;
}

static void
s_expect_value (const char *unit, const char *section, const char *key, const char *expected)
{
    char *value = s_unit_value (unit, section, key);
    cr_expect_not_null (value, "[%s] %s= is missing", section, key);
    if (value)
        cr_expect_str_eq (value, expected, "[%s] %s=%s", section, key, value);
    free (value);
}

Test (service, unit_is_a_hardened_notify_service)
{
    char *path = tu_src ("scripts/readme2ci.service");
    char *unit = tu_read (path, NULL);
    cr_assert_not_null (unit);
    s_expect_value (unit, "Service", "Type", "notify");
    s_expect_value (unit, "Service", "NotifyAccess", "main");
    s_expect_value (unit, "Service", "Restart", "on-failure");
    s_expect_value (unit, "Service", "KillMode", "mixed");
    s_expect_value (unit, "Service", "User", "readme2ci");
    s_expect_value (unit, "Service", "RuntimeDirectoryMode", "0700");
    s_expect_value (unit, "Service", "NoNewPrivileges", "yes");
    s_expect_value (unit, "Service", "ProtectSystem", "strict");
    s_expect_value (unit, "Service", "ProtectHome", "yes");
    s_expect_value (unit, "Service", "PrivateTmp", "yes");
    s_expect_value (unit, "Service", "CapabilityBoundingSet", "");
    s_expect_value (unit, "Service", "SystemCallFilter", "@system-service");
    s_expect_value (unit, "Install", "WantedBy", "multi-user.target");
    char *exec = s_unit_value (unit, "Service", "ExecStart");
    cr_assert_not_null (exec);
    cr_expect_eq (strncmp (exec, "/usr/local/bin/readme2ci-supervisor ", 36), 0, "%s", exec);
    cr_expect_not_null (strstr (exec, "--runtime-dir %t/readme2ci"));
    free (exec);
    //  The watchdog is on; the stop timeout leaves room for the 10 s drain
    //  and the 5 s from SIGTERM to SIGKILL.
    char *watchdog = s_unit_value (unit, "Service", "WatchdogSec");
    cr_expect (watchdog && strtol (watchdog, NULL, 10) > 0);
    free (watchdog);
    char *stop = s_unit_value (unit, "Service", "TimeoutStopSec");
    cr_expect (stop && strtol (stop, NULL, 10) > 15);
    free (stop);
    free (unit);
    free (path);
}

//  systemd's own checker, when this machine has it, on a copy whose
//  ExecStart is a program that exists here.
Test (service, systemd_analyze_verify_accepts_the_unit)
{
    const char *analyze = "/usr/bin/systemd-analyze";
    if (access (analyze, X_OK))
        cr_skip_test ("no systemd-analyze here");
    char *path = tu_src ("scripts/readme2ci.service");
    char *unit = tu_read (path, NULL);
    cr_assert_not_null (unit);
    const char *from = "/usr/local/bin/readme2ci-supervisor";
    char *at = strstr (unit, from);
    cr_assert_not_null (at);
    char *dir = tu_tmpdir ();
    char *copy = NULL;
    cr_assert_gt (asprintf (&copy, "%.*s/bin/true%s", (int) (at - unit), unit,
                            at + strlen (from)), 0);
    tu_write (dir, "readme2ci.service", copy);
    char target [PATH_MAX];
    snprintf (target, sizeof target, "%s/readme2ci.service", dir);
    char *argv [] = { (char *) analyze, "verify", target, NULL };
    tu_result_t result;
    cr_assert_eq (tu_run (argv, NULL, NULL, 20000, &result), 0);
    cr_expect_eq (result.status, 0, "%s", result.err);
    cr_expect_eq (result.err_size, 0, "systemd-analyze: %s", result.err);
    tu_result_release (&result);
    tu_rmtree (dir);
    free (dir);
    free (copy);
    free (unit);
    free (path);
}

//  A copy of the source tree parts install-service reads, with stand-in
//  programs in build/bin. Returns the tree's folder.
static char *
s_fake_tree (void)
{
    char *tree = tu_tmpdir ();
    const char *files [] = { "scripts/install-service", "scripts/readme2ci.service",
                             "scripts/readme2ci-completion.bash", "examples/readme2ci.yml" };
    for (size_t i = 0; i < 4; i++) {
        char *path = tu_src (files [i]);
        char *text = tu_read (path, NULL);
        cr_assert_not_null (text, "%s", path);
        tu_write (tree, files [i], text);
        free (text);
        free (path);
    }
    const char *programs [] = { "readme2ci", "readme2ci-supervisor", "readme2ci-parser",
                                "readme2ci-detector", "readme2ci-generator" };
    for (size_t i = 0; i < 5; i++) {
        char name [64];
        snprintf (name, sizeof name, "build/bin/%s", programs [i]);
        tu_write (tree, name, "#!/bin/sh\nexit 0\n");
        char path [PATH_MAX];
        snprintf (path, sizeof path, "%s/%s", tree, name);
        cr_assert_eq (chmod (path, 0755), 0);
    }
    return tree;
}

static int
s_install (const char *tree, char *const args [], tu_result_t *result)
{
    char script [PATH_MAX];
    snprintf (script, sizeof script, "%s/scripts/install-service", tree);
    char *argv [16] = { "/bin/sh", script };
    size_t n = 2;
    for (size_t i = 0; args [i] && n < 15; i++)
        argv [n++] = args [i];
    argv [n] = NULL;
    cr_assert_eq (tu_run (argv, NULL, NULL, 20000, result), 0);
    return result->status;
}

Test (service, install_stages_programs_unit_config_and_completion)
{
    char *tree = s_fake_tree ();
    char *stage = tu_tmpdir ();
    char *args [] = { "--destdir", stage, "--prefix", "/opt/r2", NULL };
    tu_result_t result;
    cr_assert_eq (s_install (tree, args, &result), 0, "%s%s", result.out, result.err);
    tu_result_release (&result);

    char path [PATH_MAX];
    struct stat st;
    snprintf (path, sizeof path, "%s/opt/r2/bin/readme2ci-supervisor", stage);
    cr_expect_eq (stat (path, &st), 0, "%s missing", path);
    cr_expect_eq (st.st_mode & 0777, 0755);
    snprintf (path, sizeof path, "%s/opt/r2/bin/readme2ci-generator", stage);
    cr_expect_eq (access (path, X_OK), 0);

    //  The unit runs the programs where they went.
    snprintf (path, sizeof path, "%s/etc/systemd/system/readme2ci.service", stage);
    char *unit = tu_read (path, NULL);
    cr_assert_not_null (unit);
    char *exec = s_unit_value (unit, "Service", "ExecStart");
    cr_expect_eq (strncmp (exec, "/opt/r2/bin/readme2ci-supervisor ", 33), 0, "%s", exec);
    cr_expect_null (strstr (unit, "/usr/local/bin/"));
    s_expect_value (unit, "Service", "Type", "notify");
    free (exec);
    free (unit);

    snprintf (path, sizeof path, "%s/usr/share/bash-completion/completions/readme2ci", stage);
    cr_expect_eq (access (path, R_OK), 0);
    snprintf (path, sizeof path,
              "%s/usr/share/bash-completion/completions/readme2ci-supervisor", stage);
    char link [64] = "";
    cr_expect_gt (readlink (path, link, sizeof link - 1), 0);
    cr_expect_str_eq (link, "readme2ci");

    //  A configuration someone edited survives a second install.
    tu_write (stage, "etc/readme2ci/readme2ci.yml", "metrics: 127.0.0.1:9464\n");
    cr_assert_eq (s_install (tree, args, &result), 0, "%s%s", result.out, result.err);
    tu_result_release (&result);
    snprintf (path, sizeof path, "%s/etc/readme2ci/readme2ci.yml", stage);
    char *config = tu_read (path, NULL);
    cr_expect_str_eq (config, "metrics: 127.0.0.1:9464\n");
    free (config);

    tu_rmtree (stage);
    tu_rmtree (tree);
    free (stage);
    free (tree);
}

Test (service, dry_run_prints_the_steps_and_bad_arguments_are_refused)
{
    char *tree = s_fake_tree ();
    tu_result_t result;
    char *dry [] = { "--dry-run", NULL };
    cr_assert_eq (s_install (tree, dry, &result), 0, "%s%s", result.out, result.err);
    cr_expect_not_null (strstr (result.out, "+ install -m 0755 "));
    cr_expect_not_null (strstr (result.out, "/usr/local/bin/readme2ci-supervisor\n"));
    cr_expect_not_null (strstr (result.out, "+ systemctl daemon-reload\n"));
    cr_expect_not_null (strstr (result.out, "+ systemctl enable --now readme2ci\n"));
    tu_result_release (&result);

    char *relative [] = { "--prefix", "usr/local", "--dry-run", NULL };
    cr_expect_eq (s_install (tree, relative, &result), 2);
    cr_expect_not_null (strstr (result.err, "absolute"));
    tu_result_release (&result);
    char *unknown [] = { "--bogus", NULL };
    cr_expect_eq (s_install (tree, unknown, &result), 2);
    cr_expect_not_null (strstr (result.err, "--bogus"));
    tu_result_release (&result);
    char *help [] = { "--help", NULL };
    cr_expect_eq (s_install (tree, help, &result), 0);
    cr_expect_not_null (strstr (result.out, "usage: scripts/install-service"));
    tu_result_release (&result);
    tu_rmtree (tree);
    free (tree);
}
