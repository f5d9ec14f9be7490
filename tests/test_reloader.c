/*  Tests supervisor/reload without a supervisor: a pool with no process
    and a results cache stand in for the tree. The CI knowledge the
    rules make reaches the pool at start and on reload; an invalid file
    or overlay changes nothing; what changes live is applied to the
    config in place and to its users, what cannot is reported as needing
    a restart and keeps its old value.  */
#include "supervisor/reload.h"
#include "tests/support/outbox_rig.h"
#include "tests/support/testutil.h"

#include "common/names.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    config_t cfg;
    char *dir;
    zsock_t *events;            //  the outbox's PUB, and a SUB on it
    zsock_t *sub;
    ledger_t *ledger;
    outbox_t *outbox;
    pool_t *pool;
    results_t *results;
} rig_t;

//  The defaults with no worker wanted, a pool of them and the outbox
//  heard on rig->sub; config_text (may be NULL) goes to DIR/r2ci.yml.
static void
s_rig (rig_t *self, const char *config_text)
{
    static int serial;
    memset (self, 0, sizeof *self);
    tu_config_no_workers (&self->cfg);
    self->dir = tu_tmpdir ();
    if (config_text)
        tu_write (self->dir, "r2ci.yml", config_text);
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://reloader-events-%d", serial++);
    self->events = zsock_new_pub (ep);
    self->sub = zsock_new_sub (ep, "");
    cr_assert (self->events && self->sub);
    zsock_set_rcvtimeo (self->sub, 5000);
    self->outbox = outbox_new ();
    cr_assert_not_null (self->outbox);
    self->ledger = tu_memory_ledger (&self->outbox);
    outbox_set_sockets (self->outbox, self->events, NULL, NULL);
    tu_sub_ready (self->outbox, self->sub);
    pool_hooks_t pool_hooks = tu_pool_hooks_deaf ();
    char back [1100];
    snprintf (back, sizeof back, "ipc://%s/back", self->dir);
    self->pool = pool_new (&self->cfg, self->dir, "", R2CI_BIN_DIR, back, self->outbox,
                           &pool_hooks, 7);
    cr_assert_not_null (self->pool);
    self->results = results_new (self->cfg.results.keep, 0);
    cr_assert_not_null (self->results);
}

static void
s_unrig (rig_t *self)
{
    pool_destroy (&self->pool);
    results_destroy (&self->results);
    ledger_destroy (&self->ledger);
    outbox_destroy (&self->outbox);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->events);
    config_release (&self->cfg);
    tu_rmtree (self->dir);
    free (self->dir);
}

static reload_t *
s_reload (rig_t *self, const char *file)
{
    char path [1100] = "", err [512] = "";
    if (file)
        snprintf (path, sizeof path, "%s/%s", self->dir, file);
    reload_t *reload = reload_new (&self->cfg, path, R2CI_BIN_DIR, self->pool, self->results,
                                   self->outbox, err, sizeof err);
    cr_assert_not_null (reload, "%s", err);
    return reload;
}

//  True when the report's array key holds a string containing text, or
//  an object whose "key" is text.
static bool
s_report_says (json_t *report, const char *key, const char *text)
{
    json_t *entry;
    size_t i;
    json_array_foreach (json_object_get (report, key), i, entry) {
        const char *said = json_is_string (entry)? json_string_value (entry)
                         : json_string_value (json_object_get (entry, "key"));
        if (said && strstr (said, text))
            return true;
    }
    return false;
}

Test (reloader, without_a_config_file_there_is_nothing_to_read_again)
{
    rig_t rig;
    s_rig (&rig, NULL);
    reload_t *reload = s_reload (&rig, NULL);
    cr_assert_str_eq (reload_config_path (reload), "");
    cr_assert_null (pool_knowledge (rig.pool), "no rules: the workers use the shipped data");
    char message [512];
    json_t *report = (json_t *) 1;
    cr_assert_eq (reload_run (reload, message, sizeof message, &report), EXIT_USAGE);
    cr_assert_null (report);
    cr_assert (strstr (message, "without a config file"), "%s", message);
    reload_destroy (&reload);
    cr_assert_null (reload);
    reload_destroy (&reload);
    s_unrig (&rig);
}

Test (reloader, rules_that_cannot_be_merged_are_refused_at_start)
{
    rig_t rig;
    s_rig (&rig, NULL);
    char path [1100], err [512] = "";
    snprintf (path, sizeof path, "%s/broken.yml", rig.dir);
    tu_write (rig.dir, "broken.yml", "actions: {\n");
    rig.cfg.rules = calloc (1, sizeof *rig.cfg.rules);
    rig.cfg.rules [0] = strdup (path);
    rig.cfg.rule_count = 1;
    cr_assert_null (reload_new (&rig.cfg, "", R2CI_BIN_DIR, rig.pool, rig.results, rig.outbox,
                                err, sizeof err));
    cr_assert (strstr (err, "broken.yml"), "the file is not named: %s", err);
    cr_assert_null (pool_knowledge (rig.pool));
    //  A rules file that is not there names itself and the cause.
    free (rig.cfg.rules [0]);
    snprintf (path, sizeof path, "%s/gone.yml", rig.dir);
    rig.cfg.rules [0] = strdup (path);
    cr_assert_null (reload_new (&rig.cfg, "", R2CI_BIN_DIR, rig.pool, rig.results, rig.outbox,
                                err, sizeof err));
    cr_assert (strstr (err, "gone.yml") && strstr (err, "No such file"), "%s", err);
    s_unrig (&rig);
}

Test (reloader, an_invalid_file_changes_nothing)
{
    rig_t rig;
    s_rig (&rig, "queue:\n  capacity: 77\n");
    reload_t *reload = s_reload (&rig, "r2ci.yml");
    tu_write (rig.dir, "r2ci.yml", "queue:\n  capacity: 55\ncomponents:\n  parser: {wokers: 2}\n");
    uint32_t capacity = rig.cfg.queue.capacity;
    char message [2048];
    json_t *report = NULL;
    cr_assert_eq (reload_run (reload, message, sizeof message, &report), EXIT_INPUT);
    cr_assert_null (report);
    cr_assert (strstr (message, "r2ci.yml:4:"), "where is not said: %s", message);
    cr_assert_eq (rig.cfg.queue.capacity, capacity, "an invalid file changed the config");
    json_t *fields = tu_next_event (rig.sub, "config.reload_failed");
    cr_assert_str_eq (json_string_value (json_object_get (fields, "reason")), message);
    json_decref (fields);
    //  An overlay that cannot be merged is as invalid as the file.
    tu_write (rig.dir, "broken.yml", "actions: {\n");
    tu_write (rig.dir, "r2ci.yml", "queue:\n  capacity: 55\nrules: [broken.yml]\n");
    cr_assert_eq (reload_run (reload, message, sizeof message, &report), EXIT_INPUT);
    cr_assert (strstr (message, "broken.yml"), "%s", message);
    cr_assert_eq (rig.cfg.queue.capacity, capacity);
    cr_assert_null (pool_knowledge (rig.pool));
    json_decref (tu_next_event (rig.sub, "config.reload_failed"));
    reload_destroy (&reload);
    s_unrig (&rig);
}

Test (reloader, live_settings_apply_in_place_and_the_rest_waits_for_a_restart)
{
    rig_t rig;
    s_rig (&rig, "");
    reload_t *reload = s_reload (&rig, "r2ci.yml");
    component_t *detector = pool_component (rig.pool, "detector");
    char default_command [4200];
    snprintf (default_command, sizeof default_command, "%s/readme2ci-detector", R2CI_BIN_DIR);
    cr_assert_str_eq (detector->command, default_command);
    tu_write (rig.dir, "mine.yml", "actions:\n  actions/checkout: v99\n");
    tu_write (rig.dir, "r2ci.yml",
              "queue:\n  capacity: 123\n"
              "metrics: 127.0.0.1:7199\n"
              "components:\n"
              "  parser: {workers: 0}\n  detector: {workers: 0, command: /bin/true}\n"
              "  generator: {workers: 0}\n"
              "rules: [mine.yml]\n");
    char message [2048];
    json_t *report = NULL;
    cr_assert_eq (reload_run (reload, message, sizeof message, &report), EXIT_OK, "%s",
                  message);
    cr_assert_not_null (report);
    char *text = json_dumps (report, JSON_COMPACT);
    //  Applied to the config in place, to the queue, to the command of a
    //  component with no worker (nothing to roll), to the knowledge.
    cr_assert_eq (rig.cfg.queue.capacity, 123u);
    cr_assert (s_report_says (report, "changed", "queue.capacity"), "%s", text);
    cr_assert_str_eq (detector->command, "/bin/true");
    cr_assert_not_null (pool_knowledge (rig.pool), "the rules did not reach the pool");
    cr_assert (strstr (pool_knowledge (rig.pool), "v99"), "the overlay is not in the knowledge");
    cr_assert (s_report_says (report, "applied", "rules: new CI knowledge"), "%s", text);
    //  The metrics endpoint is bound at start: old value, restart said.
    cr_assert_null (rig.cfg.metrics);
    cr_assert (s_report_says (report, "needs_restart", "metrics"), "%s", text);
    cr_assert (strstr (message, "need a restart"), "%s", message);
    json_t *fields = tu_next_event (rig.sub, "config.reloaded");
    cr_assert_eq (json_integer_value (json_object_get (fields, "needs_restart")), 1, "%s", text);
    cr_assert_geq (json_integer_value (json_object_get (fields, "changed")), 3, "%s", text);
    json_decref (fields);
    free (text);
    json_decref (report);

    //  The same file again: nothing applied; the endpoint still differs
    //  from the one in force.
    cr_assert_eq (reload_run (reload, message, sizeof message, &report), EXIT_OK);
    cr_assert_eq (json_array_size (json_object_get (report, "applied")), 0);
    cr_assert_eq (json_array_size (json_object_get (report, "changed")), 0);
    cr_assert (s_report_says (report, "needs_restart", "metrics"));
    cr_assert_str_eq (message, "0 change(s) applied; some need a restart (see needs_restart)");
    json_decref (report);
    json_decref (tu_next_event (rig.sub, "config.reloaded"));
    reload_destroy (&reload);
    s_unrig (&rig);
}
