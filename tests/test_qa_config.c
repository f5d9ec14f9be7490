/*  QA of configuration as a user tunes a running tree: reloads that must
    not kill workers or undo operator choices, honest live/restart
    reporting, config check messages (key paths, duplicate keys, tabs,
    bytes that are not text), rules overlays that are checked before they
    are merged, and the environment over the file.  */
#include "common/config.h"
#include "common/knowledge.h"
#include "tests/support/tree.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The config_parse errors of text, joined by newlines; "" when valid.
static char *
s_errors (const char *text, size_t size)
{
    config_t config;
    config_errors_t errors = { 0 };
    int rc = config_parse ("t.yml", text, size, &config, &errors);
    char *joined = NULL;
    size_t length = 0;
    FILE *out = open_memstream (&joined, &length);
    cr_assert_not_null (out);
    for (size_t i = 0; i < errors.count; i++)
        fprintf (out, "%s\n", errors.items [i].text);
    fclose (out);
    cr_assert_eq (rc == 0, errors.count == 0, "%s", joined);
    config_errors_release (&errors);
    config_release (&config);
    return joined;
}

static int
s_desired (tree_t *tree, const char *component)
{
    json_t *status = tree_status (tree);
    int desired = -1;
    size_t i;
    json_t *entry;
    json_array_foreach (json_object_get (status, "components"), i, entry)
        if (strcmp (json_string_value (json_object_get (entry, "name")), component) == 0)
            desired = (int) json_integer_value (json_object_get (entry, "desired"));
    json_decref (status);
    return desired;
}

Test (qa_config, a_shorter_heartbeat_reaches_the_workers_before_it_judges_them,
      .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, "heartbeat: {interval: 1s}\n", NULL);
    tree_up (&tree);
    tree_events_t *events = tree_events_new (&tree);
    //  At 100 ms x 3 the supervisor judges a worker silent after 300 ms;
    //  workers still beating every second would all be killed.
    tu_write (tree.state, "readme2ci.yml", "heartbeat: {interval: 100ms, liveness: 3}\n");
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s%s", r.out, r.err);
    cr_assert (strstr (r.out, "heartbeat"), "%s", r.out);
    tu_result_release (&r);
    json_t *exited = tree_events_wait (events, "worker.exited", NULL, 2500);
    cr_assert_null (exited, "a worker died after the reload: %s",
                    exited? json_dumps (exited, 0): "");
    tree_events_destroy (&events);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
}

Test (qa_config, a_reload_keeps_ctl_scale_unless_the_file_changes_the_count,
      .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, "components:\n  detector: {workers: 1}\n", NULL);
    tree_up (&tree);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "ctl", "scale", "detector", "2", NULL), 0, "%s", r.err);
    tu_result_release (&r);
    //  An unrelated edit leaves the operator's count alone...
    tu_write (tree.state, "readme2ci.yml",
              "components:\n  detector: {workers: 1}\nbreaker: {failures: 9}\n");
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s%s", r.out, r.err);
    cr_assert (strstr (r.out, "breaker.failures"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (s_desired (&tree, "detector"), 2);
    //  ...and a new count in the file applies.
    tu_write (tree.state, "readme2ci.yml",
              "components:\n  detector: {workers: 3}\nbreaker: {failures: 9}\n");
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s%s", r.out, r.err);
    tu_result_release (&r);
    cr_assert_eq (s_desired (&tree, "detector"), 3);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
}

Test (qa_config, settings_read_at_start_are_reported_and_stay_in_force, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, "journal: {fsync: batch}\n", NULL);
    tree_up (&tree);
    tu_write (tree.state, "readme2ci.yml",
              "journal: {fsync: never, retention: 1d}\nrestart: {intensity: 9}\n"
              "log: {level: warn}\n");
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "reload", NULL), 0, "%s%s", r.out, r.err);
    cr_assert (strstr (r.out, "needs a restart: journal.fsync: batch -> never"), "%s", r.out);
    cr_assert (strstr (r.out, "needs a restart: restart.intensity: 5 -> 9"), "%s", r.out);
    cr_assert (strstr (r.out, "changed: journal.retention: 7d -> 1d"), "%s", r.out);
    cr_assert (strstr (r.out, "applied: log.level: warn"), "%s", r.out);
    tu_result_release (&r);
    //  The running configuration is what is in force.
    cr_assert_eq (tree_cli (&tree, &r, "config", "show", NULL), 0, "%s", r.err);
    //  ... and what the file says instead is marked beside it.
    cr_assert (strstr (r.out, "  fsync: batch   # the file says: never\n"), "%s", r.out);
    cr_assert (strstr (r.out, "  retention: 1d\n"), "%s", r.out);
    cr_assert (strstr (r.out, "  intensity: 5   # the file says: 9\n"), "%s", r.out);
    cr_assert (strstr (r.out, "  level: warn\n"), "%s", r.out);
    tu_result_release (&r);
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
}

Test (qa_config, every_error_names_the_whole_key_path)
{
    static const struct {
        const char *text, *error;
    } cases [] = {
        //  Which 'workers'? The path says.
        { "listen: {workers: 'udp://x:1'}\n",
          "t.yml:1:19: 'listen.workers' must be an endpoint like tcp://HOST:PORT or "
          "ipc://PATH, not 'udp://x:1': only tcp://HOST:PORT and ipc://PATH are served\n" },
        { "components:\n  parser:\n    workers: many\n",
          "t.yml:3:14: 'components.parser.workers' must be an integer, not a string\n" },
        { "components:\n  parser:\n    breaker: {open_for: 0}\n",
          "t.yml:3:25: 'components.parser.breaker.open_for' must be at least 1ms, got 0\n" },
        { "components:\n  detector:\n    restart: {backoff_initial: 1m}\n",
          "t.yml:3:32: 'components.detector.restart.backoff_initial' (1m) must not exceed "
          "'components.detector.restart.backoff_max' (30s)\n" },
        { "components:\n  generator: [1]\n",
          "t.yml:2:14: 'components.generator' must be a map, not a list\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char *got = s_errors (cases [i].text, strlen (cases [i].text));
        cr_expect_str_eq (got, cases [i].error);
        free (got);
    }
}

Test (qa_config, yaml_mistakes_are_said_plainly_with_their_place)
{
    static const struct {
        const char *text;
        size_t size;                //  0: strlen
        const char *error;
    } cases [] = {
        { "components:\n  parser:\n    workers: 1\n    credit: 2\n    workers: 3\n", 0,
          "t.yml:5:5: duplicate key 'components.parser.workers' (first set on line 3): "
          "a key may appear once in a map\n" },
        { "queue:\n\tcapacity: 5\n", 0,
          "t.yml:2:1: a tab indents this line: YAML indents with spaces only\n" },
        { "queue:\n  capacity: 5\n  \tx: 1\n", 0,
          "t.yml:3:3: a tab indents this line: YAML indents with spaces only\n" },
        //  Latin-1, as an old editor saves it: the place of the byte.
        { "log:\n  file: caf\xe9.log\n", 0,
          "t.yml:2:12: byte 0xe9 is not UTF-8: save the file as UTF-8 text\n" },
        { "queue:\n  capacity: \xc0\xaf\n", 0,
          "t.yml:2:13: byte 0xc0 is not UTF-8: save the file as UTF-8 text\n" },
        { "queue: {}\n\x7f" "ELF\x02\x01", 0,
          "t.yml:2:1: control character 0x7f: this is not a text file (a binary?)\n" },
        { "queue: {}\nab\0cd", 15,
          "t.yml:2:3: a NUL byte: this is not a text file (a binary?)\n" },
        //  Aliases stay refused, with their place.
        { "base: &b {failures: 3}\nbreaker: *b\n", 0,
          "t.yml:2:10: aliases are not supported\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        size_t size = cases [i].size? cases [i].size: strlen (cases [i].text);
        char *got = s_errors (cases [i].text, size);
        cr_expect_str_eq (got, cases [i].error, "case %zu", i);
        free (got);
    }
    //  UTF-8 text (and a byte order mark) is fine.
    const char *fine = "\xef\xbb\xbf# caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x9a\x80\nlog: {file: "
                       "\"caf\xc3\xa9.log\"}\n";
    char *got = s_errors (fine, strlen (fine));
    cr_expect_str_eq (got, "");
    free (got);
}

Test (qa_config, an_overlay_is_checked_against_the_knowledge_before_it_is_merged)
{
    char err [512] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    const char *before = knowledge_action_ref (kb, "actions/setup-node");
    cr_assert_not_null (before);
    char *kept = strdup (before);
    static const struct {
        const char *text, *error;
    } cases [] = {
        //  Merged as it was, this one dropped every action's ref.
        { "actions: v5\n",
          "r.yml: line 1, column 1: 'actions' must be a map, as in the shipped knowledge, "
          "not a single value" },
        { "action:\n  actions/checkout: v5\n",
          "r.yml: line 1, column 1: unknown key 'action'" },
        { "actions:\n  actions/setup-node:\n",
          "r.yml: line 2, column 3: 'actions/setup-node' must be a ref like v4, not ''" },
        { "actions:\n  actions/setup-node@v4: v5\n",
          "r.yml: line 2, column 3: 'actions/setup-node@v4' is not an action" },
        { "actions:\n  actions/setup-node: \"v5 beta\"\n",
          "r.yml: line 2, column 3: 'actions/setup-node' must be a ref like v4" },
        { "workflow:\n  branches: main\n",
          "r.yml: line 2, column 3: 'branches' must be a list, as in the shipped knowledge" },
        { "runner: [ubuntu-latest]\n",
          "r.yml: line 1, column 1: 'runner' must be a single value" },
        { "- actions/checkout\n",
          "r.yml: line 1, column 1: a rules file must be a map" },
        { "actions: {actions/setup-node: v9\n",
          "r.yml: line 2, column 1:" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        err [0] = 0;
        cr_expect_eq (knowledge_overlay (kb, "r.yml", cases [i].text,
                                         strlen (cases [i].text), err, sizeof err), -1,
                      "accepted: %s", cases [i].text);
        cr_expect (strncmp (err, cases [i].error, strlen (cases [i].error)) == 0,
                   "got '%s', wanted '%s...'", err, cases [i].error);
        //  Refused: nothing changed.
        cr_expect_str_eq (knowledge_action_ref (kb, "actions/setup-node"), kept);
    }
    //  New actions, services and nested settings are welcome.
    const char *fine = "actions: {actions/setup-node: v9, my-org/setup-thing: v2}\n"
                       "setup: {node: {gitlab-version: \"24\"}}\n"
                       "services: {mydb: {image: \"mydb:1\"}}\n";
    cr_assert_eq (knowledge_overlay (kb, "r.yml", fine, strlen (fine), err, sizeof err), 0,
                  "%s", err);
    cr_assert_str_eq (knowledge_action_ref (kb, "actions/setup-node"), "v9");
    cr_assert_str_eq (knowledge_action_ref (kb, "my-org/setup-thing"), "v2");
    free (kept);
    knowledge_destroy (&kb);
}

Test (qa_config, config_check_refuses_a_bad_overlay_naming_its_file_and_line,
      .timeout = 30)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    char *dir = tu_tmpdir ();
    tu_write (dir, "readme2ci.yml", "rules: [first.yml, second.yml]\n");
    tu_write (dir, "first.yml", "actions:\n  actions/checkout: v5\n");
    tu_write (dir, "second.yml", "# pins\nactions:\n  actions/setup-python: [v5]\n");
    char path [1024];
    snprintf (path, sizeof path, "%s/readme2ci.yml", dir);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "config", "check", path, NULL), 1, "%s", r.out);
    cr_assert (strstr (r.err, "second.yml: line 3, column 3: 'actions/setup-python' must be "
                       "a single value"), "%s", r.err);
    cr_assert_eq (strchr (r.err, '\n'), strrchr (r.err, '\n'), "one line: %s", r.err);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
}
