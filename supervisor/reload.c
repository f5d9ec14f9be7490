/*  supervisor/reload.c - configuration while the tree runs: the CI
    knowledge (shipped data plus the config's rules overlays) pushed to
    every worker, and `readme2ci reload` / SIGHUP, which reads the config
    again, checks it whole, and applies what changed without dropping
    work; what cannot change live is reported as needing a restart.  */
#include "supervisor/reload.h"

#include "common/knowledge.h"
#include "common/names.h"
#include "common/util.h"
#include "supervisor/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The shipped knowledge with the overlays of config merged over it, as
//  text for the workers. NULL with the first error (file, line, column)
//  in err.
static char *
s_knowledge_text (const config_t *config, char *err, size_t size)
{
    knowledge_t *kb = knowledge_new (err, size);
    if (!kb)
        return NULL;
    for (size_t i = 0; i < config->rule_count; i++) {
        char *text;
        size_t length;
        if (util_read_file (config->rules [i], 4 * 1024 * 1024, &text, &length)) {
            snprintf (err, size, "%s: %s", config->rules [i], strerror (errno));
            knowledge_destroy (&kb);
            return NULL;
        }
        int rc = knowledge_overlay (kb, config->rules [i], text, length, err, size);
        free (text);
        if (rc) {
            knowledge_destroy (&kb);
            return NULL;
        }
    }
    char *text = knowledge_text (kb);
    knowledge_destroy (&kb);
    if (!text)
        snprintf (err, size, "out of memory");
    return text;
}

struct reload {
    config_t *cfg;              //  the supervisor's, changed in place
    pool_t *pool;
    results_t *results;
    outbox_t *outbox;
    char config_path [4096];    //  "" without a config file
    char worker_dir [4096];
};

reload_t *
reload_new (config_t *cfg, const char *config_path, const char *worker_dir, pool_t *pool,
            results_t *results, outbox_t *outbox, char *err, size_t size)
{
    reload_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, size, "out of memory");
        return NULL;
    }
    self->cfg = cfg;
    self->pool = pool;
    self->results = results;
    self->outbox = outbox;
    util_copy (self->config_path, sizeof self->config_path, config_path? config_path: "");
    util_copy (self->worker_dir, sizeof self->worker_dir, worker_dir);
    if (cfg->rule_count == 0)
        return self;                //  workers use the shipped knowledge
    char *knowledge = s_knowledge_text (cfg, err, size);
    if (!knowledge) {
        free (self);
        return NULL;
    }
    pool_set_knowledge (pool, knowledge);
    return self;
}

void
reload_destroy (reload_t **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

const char *
reload_config_path (const reload_t *self)
{
    return self->config_path;
}

//  The worker executable a component's settings name.
static void
s_command (reload_t *self, const component_t *component, const config_component_t *settings,
           char *command, size_t size)
{
    if (settings->command && *settings->command)
        util_copy (command, size, settings->command);
    else
        snprintf (command, size, "%s/readme2ci-%s", self->worker_dir, component->name);
}

//  Log level and format live in the environment (see log.h), where the
//  command line or R2CI_LOG_* may have put a value over the file's. The
//  file's new value applies when its old one is the one in force.
static void
s_apply_log (const config_log_t *was, config_log_t *now, json_t *applied)
{
    const char *const *levels = names_log_levels;
    const char *const *formats = names_log_formats;
    const struct {
        const char *variable, *key, *old_value, *new_value;
    } settings [] = {
        { "R2CI_LOG_LEVEL", "log.level", levels [was->level], levels [now->level] },
        { "R2CI_LOG_FORMAT", "log.format", formats [was->format], formats [now->format] },
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings [0]; i++) {
        if (strcmp (settings [i].old_value, settings [i].new_value) == 0)
            continue;
        const char *in_force = getenv (settings [i].variable);
        if (!in_force || !*in_force)
            in_force = i == 0? levels [CONFIG_LOG_INFO]: formats [CONFIG_LOG_TEXT];
        if (strcmp (in_force, settings [i].old_value) != 0)
            json_array_append_new (applied, json_sprintf ("%s: stays %s, as the command "
                                                          "line or %s set it",
                                                          settings [i].key, in_force,
                                                          settings [i].variable));
        else
        if (setenv (settings [i].variable, settings [i].new_value, 1) == 0)
            json_array_append_new (applied, json_sprintf ("%s: %s", settings [i].key,
                                                          settings [i].new_value));
    }
}

#define S_SWAP(type, a, b) do { type swap_ = (a); (a) = (b); (b) = swap_; } while (0)

//  Applies the live part of new_config; takes its contents.
static void
s_apply (reload_t *self, config_t *new_config, char *knowledge, json_t *applied)
{
    config_t old = *self->cfg;
    *self->cfg = *new_config;
    memset (new_config, 0, sizeof *new_config);
    //  What cannot change live keeps its old value until a restart: swap
    //  it back, so `old` frees the new values.
    config_t *cfg = self->cfg;
    S_SWAP (char *, cfg->runtime_dir, old.runtime_dir);
    S_SWAP (char *, cfg->state_dir, old.state_dir);
    S_SWAP (char *, cfg->metrics, old.metrics);
    S_SWAP (config_listen_t, cfg->listen, old.listen);
    S_SWAP (config_security_t, cfg->security, old.security);
    S_SWAP (char *, cfg->log.file, old.log.file);
    S_SWAP (config_restart_t, cfg->restart, old.restart);
    for (int c = 0; c < CONFIG_COMPONENTS; c++)
        S_SWAP (config_restart_t, cfg->components [c].restart, old.components [c].restart);
    //  The journal is open: only its retention (read by each cleanup) is new.
    int64_t retention_ms = cfg->journal.retention_ms;
    cfg->journal = old.journal;
    cfg->journal.retention_ms = retention_ms;

    char message [512];
    for (int c = 0; c < COMPONENT_COUNT; c++) {
        component_t *component = pool_component_at (self->pool, c);
        const config_component_t *now = &cfg->components [c];
        const config_component_t *was = &old.components [c];
        //  Breaker settings: a new breaker (closed) with them.
        if (memcmp (&now->breaker, &was->breaker, sizeof now->breaker) != 0) {
            breaker_config_t bc = breaker_config_default ();
            bc.failure_threshold = now->breaker.failures;
            bc.open_ms = (uint64_t) now->breaker.open_for_ms;
            bc.half_open_trials = now->breaker.half_open_trials;
            breaker_t *fresh = breaker_new (&bc);
            if (fresh) {
                breaker_destroy (&component->breaker);
                component->breaker = fresh;
                component->fatal = false;
            }
        }
        //  Heartbeat settings: the workers beat at the new pace, or the
        //  supervisor would take a shorter interval for their silence.
        if (memcmp (&now->heartbeat, &was->heartbeat, sizeof now->heartbeat) != 0) {
            for (worker_t *w = component->workers; w; w = w->next)
                if (w->identity)
                    pool_send_settings (self->pool, w);
            json_array_append_new (applied, json_sprintf ("%s: new heartbeat settings "
                                                          "sent to every worker",
                                                          component->name));
        }
        //  A worker count the file changes; one the file keeps leaves an
        //  operator's `ctl scale` alone, as at start. Scaled before an
        //  update, which would refuse a scale while it runs.
        if (now->workers != was->workers && now->workers != component->desired) {
            if (pool_scale (self->pool, component, now->workers, message, sizeof message) == 0)
                json_array_append_new (applied, json_sprintf ("%s: %u worker(s)",
                                                              component->name, now->workers));
            else
                json_array_append_new (applied, json_sprintf ("%s: scale refused: %s",
                                                              component->name, message));
        }
        //  A new command in the file: a rolling update to it (one the file
        //  keeps leaves an operator's `ctl update` alone).
        char command [4096];
        s_command (self, component, now, command, sizeof command);
        char was_command [4096];
        s_command (self, component, was, was_command, sizeof was_command);
        if (strcmp (command, was_command) == 0)
            ;
        else
        if (strcmp (command, component->command) != 0 && component->desired > 0) {
            if (pool_update (self->pool, component, command, NULL, 0, message, sizeof message) == 0)
                json_array_append_new (applied, json_sprintf ("%s: rolling update to %s",
                                                              component->name, command));
            else
                json_array_append_new (applied, json_sprintf ("%s: update refused: %s",
                                                              component->name, message));
        }
        else
        if (strcmp (command, component->command) != 0)
            util_copy (component->command, sizeof component->command, command);
        //  Credit is a worker's start argument.
        if (now->credit != was->credit)
            json_array_append_new (applied, json_sprintf ("%s: credit %u for workers started "
                                                          "from now on (`readme2ci ctl "
                                                          "restart %s` applies it to all)",
                                                          component->name, now->credit,
                                                          component->name));
    }
    s_apply_log (&old.log, &cfg->log, applied);
    pqueue_set_capacity (pool_component_at (self->pool, STEP_PARSE)->queue,
                         cfg->queue.capacity);
    results_set_limits (self->results, cfg->results.keep, (uint64_t) cfg->results.max_age_ms);
    //  New knowledge goes to every worker, local and remote.
    const char *known = pool_knowledge (self->pool);
    if ((knowledge || known) && (!knowledge || !known || strcmp (knowledge, known) != 0)) {
        pool_set_knowledge (self->pool, knowledge);
        knowledge = NULL;
        for (int c = 0; c < COMPONENT_COUNT; c++)
            for (worker_t *w = pool_component_at (self->pool, c)->workers; w; w = w->next)
                if (w->identity)
                    pool_send_settings (self->pool, w);
        json_array_append_new (applied, json_string ("rules: new CI knowledge sent to every "
                                                     "worker"));
    }
    else
    if (!known && !knowledge && old.rule_count != cfg->rule_count) {
        for (int c = 0; c < COMPONENT_COUNT; c++)
            for (worker_t *w = pool_component_at (self->pool, c)->workers; w; w = w->next)
                if (w->identity)
                    pool_send_settings (self->pool, w);
    }
    free (knowledge);
    config_release (&old);
}

int
reload_run (reload_t *self, char *message, size_t size, json_t **report_p)
{
    *report_p = NULL;
    if (!self->config_path [0]) {
        snprintf (message, size, "the supervisor was started without a config file "
                  "(readme2ci up -c FILE); there is nothing to read again");
        return EXIT_USAGE;
    }
    config_t fresh;
    config_errors_t errors = { 0 };
    if (config_load (self->config_path, &fresh, &errors)) {
        //  An invalid file changes nothing.
        size_t used = 0;
        for (size_t i = 0; i < errors.count && used + 1 < size; i++) {
            int n = snprintf (message + used, size - used, "%s%s", i? "; ": "",
                              errors.items [i].text);
            if (n < 0)
                break;
            used += (size_t) n;
        }
        config_errors_release (&errors);
        log_warn ("reload refused: %s", message);
        outbox_event (self->outbox, "config.reload_failed",
                      json_pack ("{s:s}", "reason", message));
        return EXIT_INPUT;
    }
    char err [512] = "";
    char *knowledge = NULL;
    if (fresh.rule_count && !(knowledge = s_knowledge_text (&fresh, err, sizeof err))) {
        snprintf (message, size, "%s", err);
        config_release (&fresh);
        outbox_event (self->outbox, "config.reload_failed",
                      json_pack ("{s:s}", "reason", message));
        return EXIT_INPUT;
    }
    config_changes_t changes = { 0 };
    config_diff (self->cfg, &fresh, &changes);
    json_t *changed = json_array ();
    json_t *restart = json_array ();
    for (size_t i = 0; i < changes.count; i++) {
        json_t *entry = json_pack ("{s:s, s:s?, s:s?}", "key", changes.items [i].key,
                                   "old", changes.items [i].old_value,
                                   "new", changes.items [i].new_value);
        json_array_append_new (changes.items [i].live? changed: restart, entry);
    }
    config_changes_release (&changes);
    json_t *applied = json_array ();
    s_apply (self, &fresh, knowledge, applied);
    snprintf (message, size, "%zu change(s) applied%s", json_array_size (changed),
              json_array_size (restart)? "; some need a restart (see needs_restart)": "");
    json_t *report = json_pack ("{s:o, s:o, s:o}", "changed", changed, "applied", applied,
                                "needs_restart", restart);
    outbox_event (self->outbox, "config.reloaded",
                  json_pack ("{s:s, s:I, s:I}", "reason", message,
                             "changed", (json_int_t) json_array_size (changed),
                             "needs_restart", (json_int_t) json_array_size (restart)));
    *report_p = report;
    return EXIT_OK;
}
