/*  common/config.h - the readme2ci.yml configuration: read and checked
    into a plain struct with defaults, written back, and compared for reload.  */
#ifndef CONFIG_H_INCLUDED
#define CONFIG_H_INCLUDED

#include "common/names.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

//  The worker components, in the order of config_t.components.
typedef enum {
    CONFIG_PARSER = COMPONENT_PARSER,
    CONFIG_DETECTOR = COMPONENT_DETECTOR,
    CONFIG_GENERATOR = COMPONENT_GENERATOR,
    CONFIG_COMPONENTS = COMPONENT_COUNT     //  how many there are
} config_component_id_t;

typedef enum {
    CONFIG_FSYNC_BATCH,         //  group commit: every batch_interval or batch_records
    CONFIG_FSYNC_ALWAYS,        //  every record
    CONFIG_FSYNC_NEVER          //  leave it to the kernel
} config_fsync_t;

typedef enum {
    CONFIG_LOG_DEBUG,
    CONFIG_LOG_INFO,
    CONFIG_LOG_WARN,
    CONFIG_LOG_ERROR
} config_log_level_t;

typedef enum {
    CONFIG_LOG_TEXT,
    CONFIG_LOG_JSON
} config_log_format_t;

//  Durations are milliseconds, sizes bytes. Strings are malloc'd and NULL
//  when not set; paths are already resolved against the config's folder.

typedef struct {
    char *workers;              //  endpoint remote workers connect to
    char *clients;              //  endpoint remote ops scripts connect to
} config_listen_t;

typedef struct {
    char *secret_key;           //  zcert secret file of the supervisor
    char *authorized_workers;   //  folder of worker public certificates
    char *authorized_clients;   //  folder of client public certificates
    char *operators;            //  clients allowed component operations
    bool insecure;              //  plain tcp, only on loopback addresses
} config_security_t;

typedef struct {
    int64_t interval_ms;        //  1 s
    uint32_t liveness;          //  3 missed intervals = dead
    int64_t tcp_interval_ms;    //  2.5 s, for workers over tcp
} config_heartbeat_t;

typedef struct {
    int64_t immediate_after_ms; //  10 s ready: restart at once
    int64_t backoff_initial_ms; //  100 ms, doubling...
    int64_t backoff_max_ms;     //  ...up to 30 s
    uint32_t intensity;         //  5 restarts...
    int64_t period_ms;          //  ...in 60 s: component FATAL
    int64_t probe_interval_ms;  //  5 min between probes while FATAL
    int64_t start_timeout_ms;   //  10 s to send READY
} config_restart_t;

typedef struct {
    int64_t drain_timeout_ms;   //  10 s for in-flight work
    int64_t kill_after_ms;      //  5 s from SIGTERM to SIGKILL
} config_stop_t;

typedef struct {
    uint32_t attempts;          //  3, the first included
    int64_t base_ms;            //  1 s, doubling...
    int64_t max_ms;             //  ...up to 10 s
    int64_t workflow_timeout_ms;    //  60 s, when the client sets none
} config_retry_t;

typedef struct {
    uint32_t failures;          //  5 consecutive failures open it
    int64_t open_for_ms;        //  60 s open
    uint32_t half_open_trials;  //  1 trial let through
} config_breaker_t;

//  One component's settings. heartbeat, restart, breaker and retry hold
//  the effective values: the top-level sections, with whatever the
//  component's own sections override.
typedef struct {
    uint32_t workers;           //  1
    char *command;              //  NULL: readme2ci-NAME beside the supervisor
    uint32_t credit;            //  2 jobs in hand at once (see the example)
    config_heartbeat_t heartbeat;
    config_restart_t restart;
    config_breaker_t breaker;
    config_retry_t retry;
} config_component_t;

typedef struct {
    uint32_t capacity;          //  10000 queued workflows over all levels
} config_queue_t;

typedef struct {
    config_fsync_t fsync;       //  batch
    int64_t batch_interval_ms;  //  10 ms
    uint32_t batch_records;     //  64
    int64_t retention_ms;       //  7 d; 0 keeps everything
    uint64_t segment_size;      //  64 MiB
} config_journal_t;

//  Finished workflows' results, for `result ID` and a client that comes
//  back with --id. The newest keep are kept, none older than max_age.
typedef struct {
    uint32_t keep;              //  1024
    int64_t max_age_ms;         //  0: no age limit
} config_results_t;

typedef struct {
    config_log_level_t level;   //  info
    config_log_format_t format; //  text
    char *file;                 //  NULL: stderr; "syslog": syslog
    uint64_t max_size;          //  1 MiB: a captured log file is rotated past it
    uint32_t max_files;         //  4 files per captured log, the current included
} config_log_t;

typedef struct {
    char *runtime_dir;          //  NULL: $XDG_RUNTIME_DIR/readme2ci...
    char *state_dir;            //  NULL: $XDG_STATE_HOME/readme2ci...
    config_listen_t listen;
    config_security_t security;
    config_component_t components [CONFIG_COMPONENTS];
    config_heartbeat_t heartbeat;
    config_restart_t restart;
    config_stop_t stop;
    config_retry_t retry;
    config_breaker_t breaker;
    config_queue_t queue;
    config_journal_t journal;
    config_results_t results;
    char *metrics;              //  "host:port", NULL: no metrics
    char **rules;               //  overlay files, in order
    size_t rule_count;
    config_log_t log;
} config_t;

//  One problem found in a config file.
typedef struct {
    unsigned line;              //  1-based; 0 when there is no position
    unsigned column;
    char *text;                 //  "FILE:LINE:COLUMN: message"
} config_error_t;

//  Every problem found, in file order. Zero value is empty.
typedef struct {
    config_error_t *items;
    size_t count;
} config_errors_t;

//  One setting that differs between two configs.
typedef struct {
    char *key;                  //  dotted: "components.parser.workers"
    char *old_value;            //  as config_emit writes it
    char *new_value;
    bool live;                  //  reload applies it; false: needs a restart
} config_change_t;

typedef struct {
    config_change_t *items;
    size_t count;
} config_changes_t;

//  Fill self with the defaults (from DESIGN.md), overwriting whatever it
//  held without freeing it. Allocates nothing, so it cannot fail.
void config_defaults (config_t *self);

//  Free what self owns and leave it zeroed (not defaults). Accepts NULL.
void config_release (config_t *self);

//  Read the config file at path into *out. The whole file is checked and
//  every problem is appended to errors (when not NULL), each naming the
//  file, line and column. Relative paths in the file are resolved against
//  the file's folder, made absolute. A missing or unreadable file is one
//  error naming the path and the cause. Returns 0, or -1 with errno EINVAL
//  (the file has errors), the cause of a failed read (ENOENT, EACCES,
//  EISDIR, EFBIG...) or ENOMEM. On failure *out holds the defaults only.
//  *out is overwritten without being released; config_release it.
int config_load (const char *path, config_t *out, config_errors_t *errors);

//  config_load for text in memory. name is used in messages, and its
//  folder part (if any) is the base for relative paths, taken as written:
//  "etc/readme2ci.yml" turns "keys/k" into "etc/keys/k".
int config_parse (const char *name, const char *text, size_t size,
                  config_t *out, config_errors_t *errors);

//  The effective configuration as YAML (every key; per-component sections
//  only where they differ from the top level), which config_parse reads
//  back to an equal config. Caller frees; NULL with errno ENOMEM.
char *config_emit (const config_t *self);

//  True when a and b hold the same settings.
bool config_equal (const config_t *a, const config_t *b);

//  List what differs from old_config to new_config into *changes (which
//  is overwritten without being released), each change tagged live or
//  needing a restart. Live: component workers, command, credit,
//  heartbeat, breaker and retry; heartbeat, stop, retry, breaker, queue,
//  journal.retention, rules, log.level, log.format. Restart: runtime_dir,
//  state_dir, listen, security, metrics, restart (top-level and per
//  component: a worker slot takes it when made), the rest of journal (it
//  is opened once), results (replay keeps what it says), log.file. A component's effective
//  setting is listed only when it does not just follow a top-level change.
//  Returns 0, or -1 with errno ENOMEM (changes is then empty).
int config_diff (const config_t *old_config, const config_t *new_config,
                 config_changes_t *changes);

//  True when any change needs a restart of the supervisor.
bool config_changes_need_restart (const config_changes_t *self);

//  The component's name ("parser"...), or NULL for an id out of range.
const char *config_component_name (config_component_id_t id);

//  The settings of the component called name, or NULL if there is none.
const config_component_t *config_component (const config_t *self, const char *name);

//  Says every error on stream, one line each: "PREFIX: TEXT".
void config_errors_print (const config_errors_t *self, const char *prefix, FILE *stream);

void config_errors_release (config_errors_t *self);
void config_changes_release (config_changes_t *self);

#endif
