/*  supervisor/reload.h - configuration while the tree runs: the CI
    knowledge (shipped data plus the config's rules overlays) the workers
    are sent, and `readme2ci reload` / SIGHUP, which reads the config file
    again, checks it whole and applies what changed live (worker counts,
    commands, breakers, heartbeats, queue and results bounds, log level,
    rules) without dropping work; the rest is reported as needing a
    restart. Owned by server.c; control.c asks it for `reload`.  */
#ifndef RELOAD_H_INCLUDED
#define RELOAD_H_INCLUDED

#include "common/config.h"
#include "supervisor/outbox.h"
#include "supervisor/pool.h"
#include "supervisor/results.h"

#include <jansson.h>

#include <stddef.h>

typedef struct reload reload_t;

//  A reloader of the file at config_path ("" or NULL: started without
//  one) into cfg, the supervisor's config, which it changes in place.
//  Borrowed: cfg, pool, results and outbox; config_path and worker_dir
//  (where the default worker executables are) are copied. Hands the pool
//  the CI knowledge cfg's rules make. NULL with the reason in err (a
//  rules file that cannot be read or merged, or no memory).
reload_t *reload_new (config_t *cfg, const char *config_path, const char *worker_dir,
                      pool_t *pool, results_t *results, outbox_t *outbox, char *err,
                      size_t size);
//  Accepts NULL; nulls *self_p.
void reload_destroy (reload_t **self_p);

//  Reads the config file again and applies it: EXIT_OK with a JSON report
//  in *report_p (changed, applied, needs_restart), EXIT_INPUT when the
//  file or a rules overlay is invalid (message says where; nothing
//  changed), EXIT_USAGE when there is no config file. Records
//  config.reloaded or config.reload_failed.
int reload_run (reload_t *self, char *message, size_t size, json_t **report_p);

//  The config file's path, "" when started without one.
const char *reload_config_path (const reload_t *self);

#endif
