/*  tests/test_log.c - the supervisor's log lines: JSON lines to a file
    from the command line and from the config, levels, bad settings
    refused with a clear message, and log_write in-process.  */
#include "supervisor/log.h"

#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <jansson.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  Runs the supervisor with extra arguments (NULL-ended, at most 8)
//  against the tree, runs one workflow through it, and stops it.
static void
s_run_tree (tree_t *tree, char *const extra [])
{
    char *argv [16] = { (char *) tu_bin ("readme2ci-supervisor"), "--runtime-dir",
                        tree->runtime };
    size_t argc = 3;
    if (tree->config) {
        argv [argc++] = "-c";
        argv [argc++] = tree->config;
    }
    for (size_t i = 0; extra [i] && argc < 15; i++)
        argv [argc++] = extra [i];
    argv [argc] = NULL;
    tree->supervisor = tu_spawn (argv, tree->env, NULL);
    cr_assert_gt (tree->supervisor, 0);
    long long deadline = tu_now_ms () + 10000;
    json_t *status;
    while (!(status = tree_status (tree)))
        cr_assert (tu_now_ms () < deadline, "the supervisor did not answer");
    json_decref (status);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "logged", "go", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (tree, &r, "generate", project, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (tree, &r, "down", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert_eq (tu_wait (tree->supervisor, 20000), 0);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

typedef struct {
    size_t lines;
    size_t messages;            //  lines with a "message"
    size_t events;              //  lines with a "type"
    bool completed;             //  a workflow.completed event
    bool debug;                 //  a line at level debug
} summary_t;

//  Checks that every line of the file is one JSON object with a time, a
//  level and the program, and counts what it holds.
static summary_t
s_check_json_lines (const char *path)
{
    char *text = tu_read (path, NULL);
    cr_assert_not_null (text, "no log file at %s", path);
    summary_t summary = { 0 };
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        json_error_t error;
        json_t *object = json_loads (line, JSON_REJECT_DUPLICATES, &error);
        cr_assert_not_null (object, "not one JSON object (%s): %s", error.text, line);
        cr_assert (json_is_object (object), "%s", line);
        const char *time = json_string_value (json_object_get (object, "time"));
        const char *level = json_string_value (json_object_get (object, "level"));
        const char *program = json_string_value (json_object_get (object, "program"));
        cr_assert (time && strlen (time) >= 20 && time [10] == 'T', "%s", line);
        cr_assert (level, "%s", line);
        cr_assert (program && strcmp (program, "readme2ci-supervisor") == 0, "%s", line);
        const char *type = json_string_value (json_object_get (object, "type"));
        if (json_object_get (object, "message"))
            summary.messages++;
        if (type)
            summary.events++;
        if (type && strcmp (type, "workflow.completed") == 0)
            summary.completed = true;
        if (strcmp (level, "debug") == 0)
            summary.debug = true;
        summary.lines++;
        json_decref (object);
    }
    free (text);
    return summary;
}

Test (log, json_lines_to_a_file_with_events_at_debug, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/supervisor.jsonl", tree.state);
    char *extra [] = { "--log-format", "json", "--log-level", "debug", "--log-file", path, NULL };
    s_run_tree (&tree, extra);
    summary_t summary = s_check_json_lines (path);
    cr_expect_geq (summary.messages, 2, "start and stop messages");
    cr_expect_geq (summary.events, 10, "workers, the workflow, start and stop");
    cr_expect (summary.completed, "no workflow.completed event line");
    cr_expect (summary.debug);
    tree_fini (&tree);
}

Test (log, the_config_log_section_and_its_level, .timeout = 60)
{
    //  A relative file is resolved against the config's folder.
    tree_t tree;
    tree_init (&tree, "log:\n  format: json\n  level: info\n  file: sup.log\n", NULL);
    char *extra [] = { NULL };
    s_run_tree (&tree, extra);
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/sup.log", tree.state);
    summary_t summary = s_check_json_lines (path);
    cr_expect_geq (summary.messages, 2);
    cr_expect_eq (summary.events, 0, "events are logged at debug only");
    cr_expect (!summary.debug);
    tree_fini (&tree);
}

Test (log, bad_settings_are_refused_with_what_to_do, .timeout = 30)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    struct {
        const char *option, *value, *expect;
    } cases [] = {
        { "--log-format", "xml", "log format 'xml' is not text or json" },
        { "--log-level", "loud", "log level 'loud' is not one of debug, info, warn, error" },
        { "--log-file", "/nonexistent-dir/x.log", "cannot open the log file "
          "/nonexistent-dir/x.log: No such file or directory (check the folder" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char *argv [] = { (char *) tu_bin ("readme2ci-supervisor"), "--runtime-dir",
                          tree.runtime, (char *) cases [i].option, (char *) cases [i].value,
                          NULL };
        tu_result_t r;
        cr_assert_eq (tu_run (argv, tree.env, NULL, 10000, &r), 0);
        cr_expect_eq (r.status, 2, "%s %s: %s", cases [i].option, cases [i].value, r.err);
        cr_expect_not_null (strstr (r.err, cases [i].expect), "%s", r.err);
        //  One line: the message and nothing else.
        cr_expect_eq (strchr (r.err, '\n'), r.err + r.err_size - 1, "%s", r.err);
        tu_result_release (&r);
    }
    tree_fini (&tree);
}

//  In-process: what log_write prints, by format and level.
Test (log, write_text_and_json_in_process, .init = cr_redirect_stderr)
{
    setenv ("R2CI_LOG_FORMAT", "json", 1);
    setenv ("R2CI_LOG_LEVEL", "warn", 1);
    unsetenv ("R2CI_LOG_FILE");
    log_info ("dropped below the level");
    log_warn ("a \"quoted\"\tword");
    log_event (LOGL_ERROR, "{\"type\":\"x.y\",\"time\":\"2024-01-01T00:00:00.000Z\",\"n\":1}");
    log_event (LOGL_ERROR, "{}");
    setenv ("R2CI_LOG_FORMAT", "text", 1);
    log_error ("plain %d", 42);
    fflush (stderr);
    FILE *err = cr_get_redirected_stderr ();
    char line [1024];
    cr_assert_not_null (fgets (line, sizeof line, err));
    json_t *one = json_loads (line, 0, NULL);
    cr_assert_not_null (one, "%s", line);
    cr_expect_str_eq (json_string_value (json_object_get (one, "message")), "a \"quoted\"\tword");
    cr_expect_str_eq (json_string_value (json_object_get (one, "level")), "warn");
    cr_expect (json_is_integer (json_object_get (one, "pid")));
    json_decref (one);
    cr_assert_not_null (fgets (line, sizeof line, err));
    json_t *two = json_loads (line, JSON_REJECT_DUPLICATES, NULL);
    cr_assert_not_null (two, "%s", line);
    cr_expect_str_eq (json_string_value (json_object_get (two, "type")), "x.y");
    cr_expect_str_eq (json_string_value (json_object_get (two, "level")), "error");
    cr_expect_eq (json_integer_value (json_object_get (two, "n")), 1);
    json_decref (two);
    cr_assert_not_null (fgets (line, sizeof line, err));
    json_t *three = json_loads (line, 0, NULL);
    cr_assert_not_null (three, "an empty event is still an object: %s", line);
    json_decref (three);
    cr_assert_not_null (fgets (line, sizeof line, err));
    //  Not a terminal: no colour.
    cr_expect_not_null (strstr (line, " error: plain 42\n"), "%s", line);
    cr_expect_null (strchr (line, '\033'));
    cr_expect_null (fgets (line, sizeof line, err));
}

//  Callers log a failure and then return -1 with errno: logging keeps it.
Test (log, errno_survives_a_log_line, .init = cr_redirect_stderr)
{
    unsetenv ("R2CI_LOG_LEVEL");
    unsetenv ("R2CI_LOG_FORMAT");
    unsetenv ("R2CI_LOG_FILE");
    errno = EADDRINUSE;
    log_warn ("cannot listen");
    cr_expect_eq (errno, EADDRINUSE, "%s", strerror (errno));
    errno = ENOSPC;
    log_event (LOGL_ERROR, "{\"type\":\"a.b\"}");
    cr_expect_eq (errno, ENOSPC);
    errno = EPROTO;
    log_debug ("below the level");
    cr_expect_eq (errno, EPROTO);
}
