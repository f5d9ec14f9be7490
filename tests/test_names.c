/*  tests/test_names.c - common/names: every ctl verb, exit code,
    component and worker state of its tables is known to each of its
    users: the supervisor's dispatch, the CLI's help, the completion
    script, README.md, PROTOCOL.md and the example config; and so is
    every priority level of proto/wire's.  */
#include "common/config.h"
#include "common/names.h"
#include "proto/wire.h"
#include "supervisor/control.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  What the completion script offers after words (the last is being
//  completed), as "[a][b]...". Caller frees.
static char *
s_complete (const char *const *words)
{
    static const char *const driver =
        "source \"$0\" || exit 9\n"
        "COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
        "_readme2ci || exit 8\n"
        "for c in \"${COMPREPLY[@]}\"; do printf '[%s]' \"$c\"; done\n";
    char *script = tu_src ("scripts/readme2ci-completion.bash");
    char *argv [16] = { "/bin/bash", "--norc", "-c", (char *) driver, script };
    size_t n = 5;
    for (size_t i = 0; words [i] && n < 15; i++)
        argv [n++] = (char *) words [i];
    argv [n] = NULL;
    tu_result_t result;
    cr_assert_eq (tu_run (argv, NULL, NULL, 10000, &result), 0);
    cr_assert_eq (result.status, 0, "bash failed (%d): %s", result.status, result.err);
    char *out = strdup (result.out);
    tu_result_release (&result);
    free (script);
    return out;
}

//  How many "[...]" candidates text holds.
static size_t
s_candidates (const char *text)
{
    size_t count = 0;
    for (const char *at = text; (at = strchr (at, '[')); at++)
        count++;
    return count;
}

//  `readme2ci ARG ARG2`: its stdout, and its status in *status_p.
static char *
s_cli (int *status_p, const char *arg, const char *arg2)
{
    char *argv [] = { (char *) tu_bin ("readme2ci"), (char *) arg, (char *) arg2, NULL };
    tu_result_t result;
    cr_assert_eq (tu_run (argv, NULL, NULL, 20000, &result), 0);
    *status_p = result.status;
    char *out = strdup (result.out);
    tu_result_release (&result);
    return out;
}

static char *
s_source (const char *relative)
{
    char *path = tu_src (relative);
    char *text = tu_read (path, NULL);
    cr_assert_not_null (text, "%s", path);
    free (path);
    return text;
}

Test (names, the_tables_are_whole)
{
    for (int id = 0; id < COMPONENT_COUNT; id++) {
        cr_assert_not_null (names_components [id]);
        cr_expect_eq (names_component_find (names_components [id]), id);
    }
    cr_expect_null (names_components [COMPONENT_COUNT]);
    cr_expect_eq (names_component_find ("supervisor"), -1);
    cr_expect_eq (names_component_find (NULL), -1);
    for (int s = 0; s < COMPONENT_STATES; s++)
        cr_assert_not_null (names_component_states [s]);
    cr_expect_null (names_component_states [COMPONENT_STATES]);
    for (int s = 0; s < WORKER_STATES; s++)
        cr_assert_not_null (names_worker_states [s]);
    cr_expect_null (names_worker_states [WORKER_STATES]);
    for (int h = 0; h < HEALTH_STATES; h++)
        cr_assert_not_null (names_health [h]);
    for (int v = 0; v < CTL_VERBS; v++) {
        cr_assert_not_null (names_ctl [v].verb);
        cr_assert_not_null (names_ctl [v].help);
        cr_expect_eq (names_ctl_find (names_ctl [v].verb), v);
    }
    cr_expect_eq (names_ctl_find ("frob"), -1);
    char buf [64];
    cr_expect_str_eq (names_join (names_components, ", ", " or ", buf, sizeof buf),
                      "parser, detector or generator");
    cr_expect_str_eq (names_join (names_components, ", ", " or ", buf, 10), "parser, d");
    cr_expect_str_eq (names_join_ctl (", ", buf, sizeof buf),
                      "deploy, stop, scale, restart, update");
}

Test (names, every_ctl_verb_has_its_handler_help_completion_and_docs, .timeout = 60)
{
    int status;
    char *help = s_cli (&status, "ctl", "--help");
    cr_assert_eq (status, EXIT_OK);
    char *offered = s_complete ((const char *const []) { "readme2ci", "ctl", "", NULL });
    char *readme = s_source ("README.md");
    char *protocol = s_source ("proto/PROTOCOL.md");
    cr_expect_eq (s_candidates (offered), CTL_VERBS, "the completion offers %s", offered);
    for (int v = 0; v < CTL_VERBS; v++) {
        const char *verb = names_ctl [v].verb;
        char needle [96];
        cr_expect (control_ctl_handled ((ctl_verb_t) v), "the supervisor has no handler "
                   "for ctl %s", verb);
        snprintf (needle, sizeof needle, "\n  %s COMPONENT", verb);
        cr_expect (strstr (help, needle), "ctl --help does not list %s:\n%s", verb, help);
        snprintf (needle, sizeof needle, "[%s]", verb);
        cr_expect (strstr (offered, needle), "the completion script does not offer %s", verb);
        snprintf (needle, sizeof needle, "readme2ci ctl %s ", verb);
        cr_expect (strstr (readme, needle), "README.md shows no `%s`", needle);
        snprintf (needle, sizeof needle, "`%s`", verb);
        cr_expect (strstr (protocol, needle), "PROTOCOL.md's ctl row lacks %s", needle);
    }
    cr_expect_not (control_ctl_handled (CTL_VERBS));
    free (help);
    free (offered);
    free (readme);
    free (protocol);
}

Test (names, every_component_is_offered_accepted_and_documented, .timeout = 60)
{
    int status;
    char *help = s_cli (&status, "ctl", "--help");
    char names [64];
    names_join (names_components, ", ", " or ", names, sizeof names);
    cr_expect (strstr (help, names), "ctl --help does not say \"%s\":\n%s", names, help);
    char *after_ctl = s_complete ((const char *const []) { "readme2ci", "ctl", "stop", "",
                                                           NULL });
    char *after_logs = s_complete ((const char *const []) { "readme2ci", "logs", "", NULL });
    char *example = s_source ("examples/readme2ci.yml");
    cr_expect_eq (s_candidates (after_ctl), COMPONENT_COUNT, "%s", after_ctl);
    cr_expect_eq (s_candidates (after_logs), COMPONENT_COUNT + 1, "%s", after_logs);
    for (int id = 0; id < COMPONENT_COUNT; id++) {
        const char *name = names_components [id];
        char needle [64];
        snprintf (needle, sizeof needle, "[%s]", name);
        cr_expect (strstr (after_ctl, needle), "ctl's completion lacks %s", name);
        cr_expect (strstr (after_logs, needle), "logs' completion lacks %s", name);
        snprintf (needle, sizeof needle, "\n  %s:", name);
        cr_expect (strstr (example, needle), "examples/readme2ci.yml lacks %s", name);
        cr_expect_str_eq (config_component_name ((config_component_id_t) id), name);
    }
    free (help);
    free (after_ctl);
    free (after_logs);
    free (example);
}

Test (names, every_exit_code_is_explained_in_help_and_readme, .timeout = 60)
{
    int status;
    char *table = s_cli (&status, "help", "exit-status");
    cr_assert_eq (status, EXIT_OK);
    char *readme = s_source ("README.md");
    for (int code = 0; code < EXIT_CODES; code++) {
        char needle [32];
        snprintf (needle, sizeof needle, "\n  %d  ", code);
        cr_expect (strstr (table, needle), "help exit-status does not explain %d:\n%s", code,
                   table);
        snprintf (needle, sizeof needle, "\n| %d | ", code);
        cr_expect (strstr (readme, needle), "README.md's table does not explain %d", code);
    }
    free (table);
    free (readme);
}

Test (names, worker_states_are_the_metric_labels_the_readme_names)
{
    char *readme = s_source ("README.md");
    char states [64], row [160];
    names_join (names_worker_states, ", ", ", ", states, sizeof states);
    snprintf (row, sizeof row, "| `readme2ci_workers` | gauge | component, state (%s) |",
              states);
    cr_expect (strstr (readme, row), "README.md lacks the row %s", row);
    free (readme);
}

//  proto/wire's priority levels: the CLI takes and lists each, the
//  completion script offers each, PROTOCOL.md gives each its floor.
Test (names, every_priority_level_is_offered_accepted_and_documented, .timeout = 60)
{
    int status;
    char *help = s_cli (&status, "generate", "--help");
    cr_assert_eq (status, EXIT_OK);
    char *offered = s_complete ((const char *const []) { "readme2ci", "generate",
                                                         "--priority", "", NULL });
    char *protocol = s_source ("proto/PROTOCOL.md");
    cr_expect_eq (s_candidates (offered), WIRE_PRIORITY_LEVELS, "%s", offered);
    static const int32_t floors [WIRE_PRIORITY_LEVELS] = {
        [WIRE_LEVEL_CRITICAL] = WIRE_PRIORITY_CRITICAL, [WIRE_LEVEL_HIGH] = WIRE_PRIORITY_HIGH,
        [WIRE_LEVEL_NORMAL] = WIRE_PRIORITY_NORMAL, [WIRE_LEVEL_LOW] = WIRE_PRIORITY_LOW,
    };
    for (int level = 0; level < WIRE_PRIORITY_LEVELS; level++) {
        const char *name = wire_priority_names [level];
        char needle [64];
        int32_t priority = -1;
        cr_assert_not_null (name);
        cr_expect_eq (wire_priority_parse (name, &priority), 0, "%s", name);
        cr_expect_eq (priority, floors [level], "%s", name);
        cr_expect_eq (wire_priority_band (priority), level, "%s", name);
        snprintf (needle, sizeof needle, "[%s]", name);
        cr_expect (strstr (offered, needle), "the completion does not offer %s", name);
        snprintf (needle, sizeof needle, " %s", name);
        cr_expect (strstr (help, needle), "generate --help does not list %s", name);
        snprintf (needle, sizeof needle, "`%s` %d", name, floors [level]);
        cr_expect (strstr (protocol, needle), "PROTOCOL.md, section 7, lacks %s", needle);
    }
    cr_expect_null (wire_priority_names [WIRE_PRIORITY_LEVELS]);
    free (help);
    free (offered);
    free (protocol);
}

//  The log levels and formats: the config takes each as log.level or
//  log.format, the supervisor's help and the completion offer each.
Test (names, every_log_level_and_format_is_offered_and_accepted, .timeout = 60)
{
    char *argv [] = { (char *) tu_bin ("readme2ci-supervisor"), "--help", NULL };
    tu_result_t result;
    cr_assert_eq (tu_run (argv, NULL, NULL, 20000, &result), 0);
    char *levels = s_complete ((const char *const []) { "readme2ci", "up", "--log-level",
                                                        "", NULL });
    char *formats = s_complete ((const char *const []) { "readme2ci", "up", "--log-format",
                                                         "", NULL });
    cr_expect_eq (s_candidates (levels), NAMES_LOG_LEVELS, "%s", levels);
    cr_expect_eq (s_candidates (formats), NAMES_LOG_FORMATS, "%s", formats);
    const struct {
        const char *key, *const *names, *offered;
        size_t count;
    } kinds [] = {
        { "level", names_log_levels, levels, NAMES_LOG_LEVELS },
        { "format", names_log_formats, formats, NAMES_LOG_FORMATS },
    };
    for (size_t k = 0; k < 2; k++) {
        cr_expect_null (kinds [k].names [kinds [k].count]);
        for (size_t i = 0; i < kinds [k].count; i++) {
            const char *name = kinds [k].names [i];
            char text [96], needle [64];
            snprintf (text, sizeof text, "log: {%s: %s}\n", kinds [k].key, name);
            config_t config;
            config_errors_t errors = { 0 };
            cr_expect_eq (config_parse ("n.yml", text, strlen (text), &config, &errors), 0,
                          "%s", text);
            cr_expect_eq (k? (size_t) config.log.format: (size_t) config.log.level, i, "%s",
                          text);
            config_errors_release (&errors);
            config_release (&config);
            snprintf (needle, sizeof needle, "[%s]", name);
            cr_expect (strstr (kinds [k].offered, needle), "the completion lacks %s", name);
            snprintf (needle, sizeof needle, " %s", name);
            cr_expect (strstr (result.out, needle), "supervisor --help lacks %s", name);
        }
    }
    tu_result_release (&result);
    free (levels);
    free (formats);
}
