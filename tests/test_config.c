/*  Tests for common/config: defaults, every key, every kind of error with
    its position, paths, security rules, emit/parse and diff.  */
#include "common/config.h"
#include "common/ytree.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  Parse text as "t.yml"; returns what config_parse returns.
static int
s_parse (const char *text, config_t *config, config_errors_t *errors)
{
    return config_parse ("t.yml", text, strlen (text), config, errors);
}

static void
s_assert_ok (const char *text, config_t *config)
{
    config_errors_t errors = { 0 };
    int rc = s_parse (text, config, &errors);
    cr_assert_eq (rc, 0, "%s\nfirst error: %s", text,
                  errors.count? errors.items [0].text: "(none)");
    cr_assert_eq (errors.count, 0);
}

//  text must fail with exactly one error, whose text is expected.
static void
s_assert_error (const char *text, const char *expected)
{
    config_t config;
    config_errors_t errors = { 0 };
    errno = 0;
    cr_assert_eq (s_parse (text, &config, &errors), -1, "parsed: %s", text);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (errors.count, 1, "%s: %zu errors, first: %s", text, errors.count,
                  errors.count? errors.items [0].text: "");
    cr_assert_str_eq (errors.items [0].text, expected, "for: %s", text);
    config_errors_release (&errors);
    config_release (&config);
}

static char *
s_realpath (const char *path)
{
    char *real = realpath (path, NULL);
    cr_assert_not_null (real, "%s", path);
    return real;
}

static void
s_assert_joined (const char *actual, const char *folder, const char *name)
{
    char expected [PATH_MAX];
    snprintf (expected, sizeof expected, "%s/%s", folder, name);
    cr_assert_not_null (actual, "%s unset", name);
    cr_assert_str_eq (actual, expected);
}

//  Every key path of the map with_keys is present in the map in.
static void
s_assert_keys_present (const ynode_t *with_keys, const ynode_t *in, const char *where)
{
    for (size_t i = 0; i < with_keys->count; i++) {
        const ynode_t *there = ytree_get (in, with_keys->keys [i]);
        cr_assert_not_null (there, "key %s.%s missing", where, with_keys->keys [i]);
        if (with_keys->items [i]->kind == YNODE_MAP) {
            char path [256];
            snprintf (path, sizeof path, "%s.%s", where, with_keys->keys [i]);
            s_assert_keys_present (with_keys->items [i], there, path);
        }
    }
}

Test (config, defaults_follow_the_design)
{
    config_t config;
    config_defaults (&config);
    cr_assert_null (config.listen.workers);
    cr_assert_null (config.listen.clients);
    cr_assert_null (config.security.secret_key);
    cr_assert_not (config.security.insecure);
    cr_assert_eq (config.heartbeat.interval_ms, 1000);
    cr_assert_eq (config.heartbeat.liveness, 3);
    cr_assert_eq (config.heartbeat.tcp_interval_ms, 2500);
    cr_assert_eq (config.restart.immediate_after_ms, 10000);
    cr_assert_eq (config.restart.backoff_initial_ms, 100);
    cr_assert_eq (config.restart.backoff_max_ms, 30000);
    cr_assert_eq (config.restart.intensity, 5);
    cr_assert_eq (config.restart.period_ms, 60000);
    cr_assert_eq (config.restart.probe_interval_ms, 300000);
    cr_assert_eq (config.restart.start_timeout_ms, 10000);
    cr_assert_eq (config.stop.drain_timeout_ms, 10000);
    cr_assert_eq (config.stop.kill_after_ms, 5000);
    cr_assert_eq (config.retry.attempts, 3);
    cr_assert_eq (config.retry.base_ms, 1000);
    cr_assert_eq (config.retry.max_ms, 10000);
    cr_assert_eq (config.retry.workflow_timeout_ms, 60000);
    cr_assert_eq (config.breaker.failures, 5);
    cr_assert_eq (config.breaker.open_for_ms, 60000);
    cr_assert_eq (config.breaker.half_open_trials, 1);
    cr_assert_eq (config.queue.capacity, 10000);
    cr_assert_eq (config.journal.fsync, CONFIG_FSYNC_BATCH);
    cr_assert_eq (config.journal.batch_interval_ms, 10);
    cr_assert_eq (config.journal.batch_records, 64);
    cr_assert_eq (config.journal.retention_ms, 7LL * 24 * 3600 * 1000);
    cr_assert_eq (config.journal.segment_size, 64ULL * 1024 * 1024);
    cr_assert_eq (config.results.keep, 1024);
    cr_assert_eq (config.results.max_age_ms, 0);
    cr_assert_null (config.metrics);
    cr_assert_eq (config.rule_count, 0);
    cr_assert_eq (config.log.level, CONFIG_LOG_INFO);
    cr_assert_eq (config.log.format, CONFIG_LOG_TEXT);
    cr_assert_null (config.log.file);
    cr_assert_eq (config.log.max_size, 1024 * 1024);
    cr_assert_eq (config.log.max_files, 4);
    for (int id = 0; id < CONFIG_COMPONENTS; id++) {
        const config_component_t *component = &config.components [id];
        cr_assert_eq (component->workers, 1);
        cr_assert_null (component->command);
        cr_assert_eq (component->credit, 2);
        cr_assert_eq (component->restart.intensity, 5);
        cr_assert_eq (component->heartbeat.interval_ms, 1000);
        cr_assert_eq (component->breaker.failures, 5);
        cr_assert_eq (component->retry.attempts, 3);
    }
    //  An empty file, an empty map and a null document are all defaults.
    static const char *empty [] = { "", "{}\n", "~\n", "# nothing\n", "listen:\nqueue:\n  capacity:\n" };
    for (size_t i = 0; i < sizeof empty / sizeof empty [0]; i++) {
        config_t parsed;
        s_assert_ok (empty [i], &parsed);
        cr_assert (config_equal (&parsed, &config), "case %zu", i);
        config_release (&parsed);
    }
    config_release (&config);
}

Test (config, reads_every_key)
{
    char *path = tu_src ("tests/fixtures/config/full.yml");
    char *folder = s_realpath (R2CI_SOURCE_DIR "/tests/fixtures/config");
    config_t config;
    config_errors_t errors = { 0 };
    cr_assert_eq (config_load (path, &config, &errors), 0, "%s",
                  errors.count? errors.items [0].text: "");
    s_assert_joined (config.runtime_dir, folder, "run");
    cr_assert_str_eq (config.state_dir, "/var/lib/readme2ci");
    cr_assert_str_eq (config.listen.workers, "tcp://0.0.0.0:7101");
    cr_assert_str_eq (config.listen.clients, "tcp://[::1]:7100");
    s_assert_joined (config.security.secret_key, folder, "keys/supervisor_secret");
    s_assert_joined (config.security.authorized_workers, folder, "keys/workers/");
    cr_assert_str_eq (config.security.authorized_clients, "/etc/readme2ci/clients");
    s_assert_joined (config.security.operators, folder, "keys/operators/");
    cr_assert_not (config.security.insecure);

    const config_component_t *parser = config_component (&config, "parser");
    cr_assert_eq (parser, &config.components [CONFIG_PARSER]);
    cr_assert_eq (parser->workers, 4);
    s_assert_joined (parser->command, folder, "bin/my-parser");
    cr_assert_eq (parser->credit, 1);
    //  Overridden keys, and the rest following the top level.
    cr_assert_eq (parser->heartbeat.interval_ms, 500);
    cr_assert_eq (parser->heartbeat.liveness, 4);
    cr_assert_eq (parser->heartbeat.tcp_interval_ms, 3000);
    cr_assert_eq (parser->restart.intensity, 10);
    cr_assert_eq (parser->restart.backoff_max_ms, 60000);
    cr_assert_eq (parser->restart.backoff_initial_ms, 200);
    cr_assert_eq (parser->restart.period_ms, 120000);
    cr_assert_eq (parser->breaker.failures, 9);
    cr_assert_eq (parser->breaker.open_for_ms, 30000);
    cr_assert_eq (parser->retry.attempts, 5);
    cr_assert_eq (parser->retry.base_ms, 500);

    const config_component_t *detector = config_component (&config, "detector");
    cr_assert_eq (detector->workers, 0);
    cr_assert_str_eq (detector->command, "readme2ci-detector-ng");   //  bare name kept
    cr_assert_eq (detector->credit, 3);
    cr_assert_eq (memcmp (&detector->restart, &config.restart, sizeof config.restart), 0);
    cr_assert_eq (memcmp (&detector->heartbeat, &config.heartbeat, sizeof config.heartbeat), 0);
    const config_component_t *generator = config_component (&config, "generator");
    cr_assert_eq (generator->workers, 2);
    cr_assert_null (generator->command);
    cr_assert_eq (generator->credit, 8);
    cr_assert_null (config_component (&config, "linter"));

    cr_assert_eq (config.heartbeat.interval_ms, 2000);
    cr_assert_eq (config.heartbeat.liveness, 4);
    cr_assert_eq (config.heartbeat.tcp_interval_ms, 3000);
    cr_assert_eq (config.restart.immediate_after_ms, 20000);
    cr_assert_eq (config.restart.backoff_initial_ms, 200);
    cr_assert_eq (config.restart.backoff_max_ms, 40000);
    cr_assert_eq (config.restart.intensity, 6);
    cr_assert_eq (config.restart.period_ms, 120000);
    cr_assert_eq (config.restart.probe_interval_ms, 600000);
    cr_assert_eq (config.restart.start_timeout_ms, 15000);
    cr_assert_eq (config.stop.drain_timeout_ms, 30000);
    cr_assert_eq (config.stop.kill_after_ms, 2000);
    cr_assert_eq (config.retry.attempts, 4);
    cr_assert_eq (config.retry.base_ms, 500);
    cr_assert_eq (config.retry.max_ms, 20000);
    cr_assert_eq (config.retry.workflow_timeout_ms, 120000);
    cr_assert_eq (config.breaker.failures, 7);
    cr_assert_eq (config.breaker.open_for_ms, 30000);
    cr_assert_eq (config.breaker.half_open_trials, 2);
    cr_assert_eq (config.queue.capacity, 500);
    cr_assert_eq (config.journal.fsync, CONFIG_FSYNC_ALWAYS);
    cr_assert_eq (config.journal.batch_interval_ms, 20);
    cr_assert_eq (config.journal.batch_records, 128);
    cr_assert_eq (config.journal.retention_ms, 30LL * 86400000);
    cr_assert_eq (config.journal.segment_size, 16ULL << 20);
    cr_assert_eq (config.results.keep, 5000);
    cr_assert_eq (config.results.max_age_ms, 2LL * 86400000);
    cr_assert_str_eq (config.metrics, "127.0.0.1:9464");
    cr_assert_eq (config.rule_count, 2);
    s_assert_joined (config.rules [0], folder, "my-rules.yml");
    cr_assert_str_eq (config.rules [1], "/opt/rules/extra.yml");
    cr_assert_eq (config.log.level, CONFIG_LOG_DEBUG);
    cr_assert_eq (config.log.format, CONFIG_LOG_JSON);
    s_assert_joined (config.log.file, folder, "logs/readme2ci.log");
    cr_assert_eq (config.log.max_size, 512 * 1024);
    cr_assert_eq (config.log.max_files, 6);

    //  The fixture really does name every key there is.
    char *emitted = config_emit (&config);
    char *text = tu_read (path, NULL);
    ynode_t *all = ytree_parse (emitted, strlen (emitted), NULL, 0);
    ynode_t *fixture = ytree_parse (text, strlen (text), NULL, 0);
    cr_assert (all && fixture);
    s_assert_keys_present (all, fixture, "");
    ytree_destroy (&all);
    ytree_destroy (&fixture);
    free (text);
    free (emitted);
    config_release (&config);
    cr_assert_null (config.rules);
    free (folder);
    free (path);
}

Test (config, every_kind_of_error_names_file_line_and_column)
{
    static const struct {
        const char *text;
        const char *error;
    } cases [] = {
        //  Unknown keys, shown where the key is, with a suggestion.
        { "wokers: 1\n", "t.yml:1:1: unknown key 'wokers'" },
        { "components:\n  parser:\n    wokers: 2\n",
          "t.yml:3:5: unknown key 'wokers' in components.parser (did you mean 'workers'?)" },
        { "components:\n  parsr: {workers: 1}\n",
          "t.yml:2:3: unknown component 'parsr' in components (did you mean 'parser'?)" },
        { "queue: {capasity: 5}\n",
          "t.yml:1:9: unknown key 'capasity' in queue (did you mean 'capacity'?)" },
        { "journal:\n  fsync: never\n  compress: true\n",
          "t.yml:3:3: unknown key 'compress' in journal" },
        { "components:\n  parser:\n    restart:\n      intensty: 3\n",
          "t.yml:4:7: unknown key 'intensty' in components.parser.restart (did you mean 'intensity'?)" },
        //  Wrong types.
        { "queue:\n  capacity: {a: 1}\n", "t.yml:2:13: 'queue.capacity' must be an integer, not a map" },
        { "queue:\n  capacity: lots\n", "t.yml:2:13: 'queue.capacity' must be an integer, not a string" },
        { "queue:\n  capacity: \"5\"\n", "t.yml:2:13: 'queue.capacity' must be an integer, not a string" },
        { "queue:\n  capacity: 2.5\n", "t.yml:2:13: 'queue.capacity' must be an integer, not 2.5" },
        { "queue:\n  capacity: true\n", "t.yml:2:13: 'queue.capacity' must be an integer, not a bool" },
        { "queue: 5\n", "t.yml:1:8: 'queue' must be a map, not a number" },
        { "components: [parser]\n", "t.yml:1:13: 'components' must be a map, not a list" },
        { "components:\n  parser: 2\n", "t.yml:2:11: 'components.parser' must be a map, not a number" },
        { "metrics: [a]\n", "t.yml:1:10: 'metrics' must be a string, not a list" },
        { "security:\n  insecure: yes\n", "t.yml:2:13: 'security.insecure' must be true or false, not 'yes'" },
        { "security:\n  insecure: [true]\n", "t.yml:2:13: 'security.insecure' must be true or false, not a list" },
        { "heartbeat:\n  interval: {}\n",
          "t.yml:2:13: 'heartbeat.interval' must be a duration like 500ms, 10s, 5m or 7d, not a map" },
        { "rules: my-rules.yml\n", "t.yml:1:8: 'rules' must be a list of files, not a string" },
        { "rules:\n  - {a: 1}\n", "t.yml:2:5: 'rules' must list file names, not a map" },
        { "rules: [a.yml, \"\"]\n", "t.yml:1:16: 'rules' must not list an empty file name" },
        { "- a\n- b\n", "t.yml:1:1: the configuration must be a map of settings, not a list" },
        //  Bad values.
        { "components:\n  detector:\n    workers: -2\n", "t.yml:3:14: 'components.detector.workers' must be >= 0, got -2" },
        { "components:\n  detector:\n    workers: 1000\n", "t.yml:3:14: 'components.detector.workers' must be <= 256, got 1000" },
        { "components: {generator: {credit: 0}}\n", "t.yml:1:34: 'components.generator.credit' must be >= 1, got 0" },
        { "heartbeat:\n  liveness: 0\n", "t.yml:2:13: 'heartbeat.liveness' must be >= 1, got 0" },
        { "queue: {capacity: 99999999999999999999}\n",
          "t.yml:1:19: 'queue.capacity' must be <= 10000000, got 99999999999999999999" },
        { "heartbeat:\n  interval: soon\n",
          "t.yml:2:13: 'heartbeat.interval' must be a duration like 500ms, 10s, 5m or 7d, not 'soon'" },
        { "retry:\n  base: -1s\n", "t.yml:2:9: 'retry.base' must not be negative, got -1s" },
        { "heartbeat:\n  interval: 5ms\n", "t.yml:2:13: 'heartbeat.interval' must be at least 10ms, got 5ms" },
        { "retry: {workflow_timeout: 8d}\n", "t.yml:1:27: 'retry.workflow_timeout' must be at most 7d, got 8d" },
        { "journal:\n  fsync: sometimes\n",
          "t.yml:2:10: 'journal.fsync' must be one of batch, always, never, not 'sometimes'" },
        { "log: {level: loud}\n", "t.yml:1:14: 'log.level' must be one of debug, info, warn, error, not 'loud'" },
        { "log: {format: [json]}\n", "t.yml:1:15: 'log.format' must be one of text, json, not a list" },
        { "journal: {segment_size: 64 potatoes}\n",
          "t.yml:1:25: 'journal.segment_size' must be a size like 4096, 512KiB or 64MiB, not '64 potatoes'" },
        { "results: {keep: 0}\n", "t.yml:1:17: 'results.keep' must be >= 1, got 0" },
        { "results: {max_age: -1d}\n", "t.yml:1:20: 'results.max_age' must not be negative, got -1d" },
        { "results: {kept: 5}\n",
          "t.yml:1:11: unknown key 'kept' in results (did you mean 'keep'?)" },
        { "journal: {segment_size: 1KiB}\n", "t.yml:1:25: 'journal.segment_size' must be at least 4KiB, got 1KiB" },
        { "journal: {segment_size: 2TiB}\n", "t.yml:1:25: 'journal.segment_size' must be at most 1TiB, got 2TiB" },
        { "journal: {segment_size: 99999999999999999999}\n",
          "t.yml:1:25: 'journal.segment_size' must be at most 1TiB, got 99999999999999999999" },
        { "listen:\n  workers: tcp:/0.0.0.0:7101\n",
          "t.yml:2:12: 'listen.workers' must be an endpoint like tcp://HOST:PORT or ipc://PATH, "
          "not 'tcp:/0.0.0.0:7101': only tcp://HOST:PORT and ipc://PATH are served" },
        { "listen: {clients: 'tcp://127.0.0.1:99999'}\n",
          "t.yml:1:19: 'listen.clients' must be an endpoint like tcp://HOST:PORT or ipc://PATH, "
          "not 'tcp://127.0.0.1:99999': the port must be 1 to 65535" },
        { "listen: {clients: 'tcp://127.0.0.1'}\n",
          "t.yml:1:19: 'listen.clients' must be an endpoint like tcp://HOST:PORT or ipc://PATH, "
          "not 'tcp://127.0.0.1': it has no ':PORT'" },
        { "listen: {workers: 'tcp://bad host:1'}\n",
          "t.yml:1:19: 'listen.workers' must be an endpoint like tcp://HOST:PORT or ipc://PATH, "
          "not 'tcp://bad host:1': 'bad host' is not a host name or address" },
        { "listen: {workers: 'ipc://'}\n",
          "t.yml:1:19: 'listen.workers' must be an endpoint like tcp://HOST:PORT or ipc://PATH, "
          "not 'ipc://': the ipc path is empty" },
        { "metrics: localhost\n", "t.yml:1:10: 'metrics' must be HOST:PORT, not 'localhost': it has no ':PORT'" },
        { "restart:\n  backoff_initial: 1m\n",
          "t.yml:2:20: 'restart.backoff_initial' (1m) must not exceed 'restart.backoff_max' (30s)" },
        { "components:\n  parser:\n    retry: {max: 500ms}\n",
          "t.yml:3:18: 'components.parser.retry.base' (1s) must not exceed 'components.parser.retry.max' (500ms)" },
        //  YAML itself.
        { "queue: {}\nqueue: {}\n",
          "t.yml:2:1: duplicate key 'queue' (first set on line 1): a key may appear once in a map" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        s_assert_error (cases [i].text, cases [i].error);

    //  A syntax error keeps libyaml's position, in the same form.
    config_t config;
    config_errors_t errors = { 0 };
    cr_assert_eq (s_parse ("queue: {capacity: 5\nlog: [\n", &config, &errors), -1);
    cr_assert_eq (errors.count, 1);
    unsigned line = 0, column = 0;
    cr_assert_eq (sscanf (errors.items [0].text, "t.yml:%u:%u: ", &line, &column), 2,
                  "%s", errors.items [0].text);
    cr_assert (line >= 1 && column >= 1);
    cr_assert_eq (errors.items [0].line, line);
    config_errors_release (&errors);
    cr_assert_eq (errors.count, 0);
}

Test (config, three_mistakes_give_exactly_three_errors_and_no_settings)
{
    char *path = tu_src ("tests/fixtures/config/three_errors.yml");
    config_t config;
    config_errors_t errors = { 0 };
    errno = 0;
    cr_assert_eq (config_load (path, &config, &errors), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (errors.count, 3);
    char expected [PATH_MAX + 128];
    snprintf (expected, sizeof expected,
              "%s:4:5: unknown key 'wokers' in components.parser (did you mean 'workers'?)", path);
    cr_assert_str_eq (errors.items [0].text, expected);
    cr_assert_eq (errors.items [0].line, 4);
    cr_assert_eq (errors.items [0].column, 5);
    snprintf (expected, sizeof expected, "%s:6:14: 'components.detector.workers' must be an integer, not a string", path);
    cr_assert_str_eq (errors.items [1].text, expected);
    snprintf (expected, sizeof expected, "%s:8:14: 'components.generator.workers' must be >= 0, got -2", path);
    cr_assert_str_eq (errors.items [2].text, expected);
    //  Nothing half-applied: queue.capacity: 100 was valid but is not kept.
    config_t defaults;
    config_defaults (&defaults);
    cr_assert (config_equal (&config, &defaults));
    cr_assert_eq (config.queue.capacity, 10000);
    config_errors_release (&errors);
    config_release (&config);
    free (path);
}

Test (config, errors_come_in_file_order_and_are_bounded)
{
    //  Components are checked after the top level, yet reported in order.
    const char *text = "components:\n  parser: {workers: x}\nqueue: {capacity: y}\nzzz: 1\n";
    config_t config;
    config_errors_t errors = { 0 };
    cr_assert_eq (s_parse (text, &config, &errors), -1);
    cr_assert_eq (errors.count, 3);
    cr_assert_eq (errors.items [0].line, 2);
    cr_assert_eq (errors.items [1].line, 3);
    cr_assert_eq (errors.items [2].line, 4);
    config_errors_release (&errors);

    //  Hundreds of mistakes: a bounded list whose last line says so.
    size_t size = 500 * 16 + 1;
    char *many = malloc (size);
    size_t used = 0;
    for (int i = 0; i < 500; i++)
        used += (size_t) snprintf (many + used, size - used, "bad%d: 1\n", i);
    cr_assert_eq (s_parse (many, &config, &errors), -1);
    cr_assert_lt (errors.count, 500);
    cr_assert_gt (errors.count, 50);
    cr_assert (strstr (errors.items [errors.count - 1].text, "too many errors"), "%s",
               errors.items [errors.count - 1].text);
    config_errors_release (&errors);
    free (many);

    //  Errors may be left uncollected.
    cr_assert_eq (s_parse ("zzz: 1\n", &config, NULL), -1);
    cr_assert_eq (errno, EINVAL);
}

Test (config, missing_or_unreadable_file_is_one_clear_error)
{
    config_t config;
    config_errors_t errors = { 0 };
    errno = 0;
    cr_assert_eq (config_load ("/nonexistent/readme2ci.yml", &config, &errors), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert_eq (errors.count, 1);
    cr_assert_str_eq (errors.items [0].text,
                      "/nonexistent/readme2ci.yml: cannot read: No such file or directory");
    cr_assert_eq (config.queue.capacity, 10000);
    config_errors_release (&errors);

    char *dir = tu_tmpdir ();
    errno = 0;
    cr_assert_eq (config_load (dir, &config, &errors), -1);
    cr_assert_eq (errno, EISDIR);
    cr_assert_eq (errors.count, 1);
    cr_assert (strstr (errors.items [0].text, "cannot read: Is a directory"), "%s",
               errors.items [0].text);
    config_errors_release (&errors);

    //  Larger than any config: refused before it is parsed.
    char *big = malloc (2 * 1024 * 1024 + 1);
    memset (big, '#', 2 * 1024 * 1024);
    big [2 * 1024 * 1024] = 0;
    tu_write (dir, "big.yml", big);
    free (big);
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/big.yml", dir);
    errno = 0;
    cr_assert_eq (config_load (path, &config, &errors), -1);
    cr_assert_eq (errno, EFBIG);
    cr_assert (strstr (errors.items [0].text, "larger than"), "%s", errors.items [0].text);
    config_errors_release (&errors);

    if (geteuid () != 0) {
        tu_write (dir, "locked.yml", "queue: {capacity: 1}\n");
        snprintf (path, sizeof path, "%s/locked.yml", dir);
        cr_assert_eq (chmod (path, 0), 0);
        errno = 0;
        cr_assert_eq (config_load (path, &config, &errors), -1);
        cr_assert_eq (errno, EACCES);
        cr_assert (strstr (errors.items [0].text, "Permission denied"));
        config_errors_release (&errors);
    }
    tu_rmtree (dir);
    free (dir);
}

Test (config, relative_paths_follow_the_config_folder)
{
    const char *text =
        "runtime_dir: run\n"
        "security: {secret_key: keys/s, authorized_workers: /abs/w, operators: ../ops}\n"
        "components: {parser: {command: ./bin/p}, detector: {command: my-detector}}\n"
        "rules: [r.yml, sub/s.yml]\n"
        "log: {file: syslog}\n";
    config_t config;
    //  In memory: the folder part of the name, as written.
    cr_assert_eq (config_parse ("etc/r2/readme2ci.yml", text, strlen (text), &config, NULL), 0);
    cr_assert_str_eq (config.runtime_dir, "etc/r2/run");
    cr_assert_str_eq (config.security.secret_key, "etc/r2/keys/s");
    cr_assert_str_eq (config.security.authorized_workers, "/abs/w");
    cr_assert_str_eq (config.security.operators, "etc/r2/../ops");
    cr_assert_str_eq (config.components [CONFIG_PARSER].command, "etc/r2/./bin/p");
    cr_assert_str_eq (config.components [CONFIG_DETECTOR].command, "my-detector");
    cr_assert_str_eq (config.rules [1], "etc/r2/sub/s.yml");
    cr_assert_str_eq (config.log.file, "syslog");
    config_release (&config);

    cr_assert_eq (config_parse ("readme2ci.yml", text, strlen (text), &config, NULL), 0);
    cr_assert_str_eq (config.security.secret_key, "keys/s");
    cr_assert_str_eq (config.rules [0], "r.yml");
    config_release (&config);

    cr_assert_eq (config_parse ("/readme2ci.yml", text, strlen (text), &config, NULL), 0);
    cr_assert_str_eq (config.security.secret_key, "/keys/s");
    config_release (&config);

    //  From a file: absolute, so a later change of folder does not matter.
    char *dir = tu_tmpdir ();
    tu_write (dir, "conf/readme2ci.yml", text);
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/conf/../conf/readme2ci.yml", dir);
    cr_assert_eq (config_load (path, &config, NULL), 0);
    char conf [PATH_MAX];
    snprintf (conf, sizeof conf, "%s/conf", dir);
    char *folder = s_realpath (conf);
    s_assert_joined (config.runtime_dir, folder, "run");
    s_assert_joined (config.security.secret_key, folder, "keys/s");
    s_assert_joined (config.rules [0], folder, "r.yml");
    s_assert_joined (config.components [CONFIG_PARSER].command, folder, "./bin/p");
    cr_assert_str_eq (config.components [CONFIG_DETECTOR].command, "my-detector");
    config_release (&config);
    free (folder);
    tu_rmtree (dir);
    free (dir);
}

Test (config, durations_and_sizes)
{
    config_t config;
    s_assert_ok ("heartbeat: {interval: 1500, tcp_interval: 2.5s}\n"
                 "restart: {probe_interval: 0.5h, period: \"90s\"}\n"
                 "journal: {retention: 0, segment_size: 64 MiB, batch_interval: 1ms}\n"
                 "stop: {drain_timeout: 0s}\n", &config);
    cr_assert_eq (config.heartbeat.interval_ms, 1500);
    cr_assert_eq (config.heartbeat.tcp_interval_ms, 2500);
    cr_assert_eq (config.restart.probe_interval_ms, 1800000);
    cr_assert_eq (config.restart.period_ms, 90000);
    cr_assert_eq (config.journal.retention_ms, 0);
    cr_assert_eq (config.journal.segment_size, 64ULL << 20);
    cr_assert_eq (config.journal.batch_interval_ms, 1);
    cr_assert_eq (config.stop.drain_timeout_ms, 0);
    config_release (&config);

    static const struct {
        const char *text;
        uint64_t bytes;
    } sizes [] = {
        { "4096", 4096 }, { "512KiB", 512 * 1024 }, { "1G", 1ULL << 30 },
        { "100MB", 100000000 }, { "2 GiB", 2ULL << 30 }, { "1TiB", 1ULL << 40 },
        { "8K", 8192 }, { "10000B", 10000 }, { "5KB", 5000 },
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes [0]; i++) {
        char text [64];
        snprintf (text, sizeof text, "journal: {segment_size: %s}\n", sizes [i].text);
        s_assert_ok (text, &config);
        cr_assert_eq (config.journal.segment_size, sizes [i].bytes, "%s", sizes [i].text);
        config_release (&config);
    }
}

Test (config, insecure_is_only_for_loopback)
{
    static const char *fine [] = {
        "security: {insecure: true}\n",
        "listen: {workers: 'tcp://127.0.0.1:7101', clients: 'tcp://localhost:7100'}\n"
        "security: {insecure: true}\n",
        "listen: {clients: 'tcp://[::1]:7100'}\nsecurity: {insecure: True}\n",
        "listen: {workers: 'ipc:///tmp/r2/remote'}\n",
        "listen: {workers: 'tcp://0.0.0.0:7101'}\n"
        "security: {secret_key: k_secret, authorized_workers: keys/w}\n",
        "listen: {clients: 'tcp://*:7100'}\n"
        "security: {secret_key: k_secret, authorized_clients: keys/c}\n",
    };
    for (size_t i = 0; i < sizeof fine / sizeof fine [0]; i++) {
        config_t config;
        s_assert_ok (fine [i], &config);
        config_release (&config);
    }
    s_assert_error ("listen:\n  workers: tcp://0.0.0.0:7101\nsecurity: {insecure: true}\n",
                    "t.yml:2:12: 'listen.workers' is tcp://0.0.0.0:7101, not a loopback address: "
                    "'insecure: true' is allowed only on 127.0.0.1, [::1] or localhost");
    s_assert_error ("listen:\n  clients: tcp://10.0.0.1:7100\n",
                    "t.yml:2:12: 'listen.clients' is a tcp endpoint: it needs security.secret_key "
                    "(CURVE), or 'insecure: true' on a loopback address");
    s_assert_error ("listen:\n  clients: tcp://127.0.0.1:7100\n",
                    "t.yml:2:12: 'listen.clients' is a tcp endpoint: it needs security.secret_key "
                    "(CURVE), or 'insecure: true' on a loopback address");
    s_assert_error ("listen:\n  workers: tcp://0.0.0.0:7101\nsecurity: {secret_key: k}\n",
                    "t.yml:2:12: 'listen.workers' is a tcp endpoint: it needs "
                    "security.authorized_workers, the folder of the certificates it lets in");
    s_assert_error ("security:\n  secret_key: k\n  insecure: true\n",
                    "t.yml:3:13: 'security.insecure: true' and 'security.secret_key' contradict "
                    "each other: remove one");
    //  A look-alike of a loopback name is not one.
    s_assert_error ("listen: {clients: 'tcp://127.example.com:1'}\nsecurity: {insecure: true}\n",
                    "t.yml:1:19: 'listen.clients' is tcp://127.example.com:1, not a loopback address: "
                    "'insecure: true' is allowed only on 127.0.0.1, [::1] or localhost");
}

Test (config, emit_reads_back_to_an_equal_config)
{
    config_t defaults, config, again;
    config_defaults (&defaults);
    char *text = config_emit (&defaults);
    cr_assert_not_null (text);
    s_assert_ok (text, &again);
    cr_assert (config_equal (&again, &defaults), "%s", text);
    config_release (&again);
    free (text);

    char *path = tu_src ("tests/fixtures/config/full.yml");
    cr_assert_eq (config_load (path, &config, NULL), 0);
    free (path);
    text = config_emit (&config);
    s_assert_ok (text, &again);
    cr_assert (config_equal (&again, &config), "%s", text);
    cr_assert_not (config_equal (&again, &defaults));
    //  Only the overridden keys of a component are written out.
    cr_assert (strstr (text, "    restart:\n      backoff_max: 1m\n      intensity: 10\n"),
               "%s", text);
    cr_assert_null (strstr (text, "      period:"), "%s", text);
    config_release (&again);
    free (text);

    //  Strings that need quoting survive.
    free (config.log.file);
    config.log.file = strdup ("/var/log/r2 \"ci\": #1\\\t\xc3\xa9.log");
    text = config_emit (&config);
    s_assert_ok (text, &again);
    cr_assert_str_eq (again.log.file, config.log.file);
    cr_assert (config_equal (&again, &config));
    //  And a one-field change is seen.
    again.components [CONFIG_GENERATOR].retry.max_ms++;
    cr_assert_not (config_equal (&again, &config));
    config_release (&again);
    config_release (&config);
    free (text);
}

//  The change with this key, or NULL.
static const config_change_t *
s_change (const config_changes_t *changes, const char *key)
{
    for (size_t i = 0; i < changes->count; i++)
        if (strcmp (changes->items [i].key, key) == 0)
            return &changes->items [i];
    return NULL;
}

Test (config, diff_tags_live_and_restart_changes)
{
    config_t old_config, new_config;
    s_assert_ok ("components: {parser: {restart: {intensity: 10}}}\n", &old_config);
    config_changes_t changes;
    cr_assert_eq (config_diff (&old_config, &old_config, &changes), 0);
    cr_assert_eq (changes.count, 0);
    cr_assert_not (config_changes_need_restart (&changes));

    s_assert_ok ("components:\n"
                 "  parser: {workers: 3, restart: {intensity: 10}}\n"
                 "  detector: {command: /opt/d}\n"
                 "restart: {intensity: 7}\n"
                 "journal: {fsync: never}\n"
                 "rules: [x.yml]\n"
                 "log: {level: debug}\n", &new_config);
    cr_assert_eq (config_diff (&old_config, &new_config, &changes), 0);
    const config_change_t *change = s_change (&changes, "components.parser.workers");
    cr_assert_not_null (change);
    cr_assert_str_eq (change->old_value, "1");
    cr_assert_str_eq (change->new_value, "3");
    cr_assert (change->live);
    change = s_change (&changes, "components.detector.command");
    cr_assert (change && change->live);
    cr_assert_str_eq (change->old_value, "\"\"");
    cr_assert_str_eq (change->new_value, "\"/opt/d\"");
    //  Restart policies and the open journal are taken at start.
    change = s_change (&changes, "restart.intensity");
    cr_assert (change && !change->live);
    cr_assert_str_eq (change->new_value, "7");
    cr_assert_not (s_change (&changes, "journal.fsync")->live);
    cr_assert_str_eq (s_change (&changes, "journal.fsync")->new_value, "never");
    cr_assert (s_change (&changes, "rules")->live);
    cr_assert_str_eq (s_change (&changes, "rules")->new_value, "[\"x.yml\"]");
    cr_assert (s_change (&changes, "log.level")->live);
    //  Detector and generator followed the top level; parser kept its own.
    cr_assert_null (s_change (&changes, "components.detector.restart.intensity"));
    cr_assert_null (s_change (&changes, "components.parser.restart.intensity"));
    cr_assert_eq (changes.count, 6);
    cr_assert (config_changes_need_restart (&changes));
    config_changes_release (&changes);
    cr_assert_eq (changes.count, 0);
    config_release (&new_config);

    //  Dropping the parser's own value moves it to the new top level.
    s_assert_ok ("restart: {intensity: 7}\n", &new_config);
    cr_assert_eq (config_diff (&old_config, &new_config, &changes), 0);
    change = s_change (&changes, "components.parser.restart.intensity");
    cr_assert_not_null (change);
    cr_assert_str_eq (change->old_value, "10");
    cr_assert_str_eq (change->new_value, "7");
    cr_assert_eq (changes.count, 2);
    config_changes_release (&changes);
    config_release (&new_config);

    //  Endpoints, keys, folders and metrics need a restart.
    s_assert_ok ("components: {parser: {restart: {intensity: 10}}}\n"
                 "listen: {clients: 'tcp://127.0.0.1:7100'}\n"
                 "security: {insecure: true, operators: ops}\n"
                 "state_dir: /srv/state\n"
                 "metrics: 127.0.0.1:9464\n", &new_config);
    cr_assert_eq (config_diff (&old_config, &new_config, &changes), 0);
    static const char *restart [] = {
        "listen.clients", "security.insecure", "security.operators", "state_dir", "metrics",
    };
    for (size_t i = 0; i < sizeof restart / sizeof restart [0]; i++) {
        change = s_change (&changes, restart [i]);
        cr_assert_not_null (change, "%s", restart [i]);
        cr_assert_not (change->live, "%s", restart [i]);
    }
    cr_assert_str_eq (s_change (&changes, "security.insecure")->new_value, "true");
    cr_assert_eq (changes.count, 5);
    cr_assert (config_changes_need_restart (&changes));
    config_changes_release (&changes);
    config_release (&new_config);
    config_release (&old_config);
}

Test (config, example_file_parses_and_documents_the_defaults)
{
    char *path = tu_src ("examples/readme2ci.yml");
    config_t config;
    config_errors_t errors = { 0 };
    cr_assert_eq (config_load (path, &config, &errors), 0, "%s",
                  errors.count? errors.items [0].text: "");
    cr_assert_eq (errors.count, 0);
    //  Every value written in the example is the real default...
    config_t defaults;
    config_defaults (&defaults);
    cr_assert (config_equal (&config, &defaults));
    //  ...and every key there is appears in it.
    char *emitted = config_emit (&defaults);
    char *text = tu_read (path, NULL);
    cr_assert_not_null (text);
    ynode_t *all = ytree_parse (emitted, strlen (emitted), NULL, 0);
    ynode_t *example = ytree_parse (text, strlen (text), NULL, 0);
    cr_assert (all && example);
    s_assert_keys_present (all, example, "");
    ytree_destroy (&all);
    ytree_destroy (&example);
    free (text);
    free (emitted);
    config_release (&config);
    free (path);
}

Test (config, component_names)
{
    cr_assert_str_eq (config_component_name (CONFIG_PARSER), "parser");
    cr_assert_str_eq (config_component_name (CONFIG_DETECTOR), "detector");
    cr_assert_str_eq (config_component_name (CONFIG_GENERATOR), "generator");
    cr_assert_null (config_component_name (CONFIG_COMPONENTS));
    config_release (NULL);
    config_errors_release (NULL);
    config_changes_release (NULL);
}
