/*  common/names.h - the names the parts of readme2ci share, each said
    once: the exit codes (every command's status and the code of every
    supervisor REPLY), the components, the worker states, the health
    states, the log levels and formats and the `ctl` operations. The CLI's help and argument checks,
    the supervisor's dispatch, status, metrics and messages read them
    here; tests/test_names.c fails when the completion script, README.md,
    a help text or the supervisor's dispatch lacks one. Plain data.  */
#ifndef NAMES_H_INCLUDED
#define NAMES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Exit codes. What each means for each command is in cli/cli_exit.c;
//  which of them a REPLY carries is proto/PROTOCOL.md, section 8.
typedef enum {
    EXIT_OK = 0,                //  done as asked
    EXIT_INPUT = 1,             //  bad input, or the answer is "no"
    EXIT_USAGE = 2,             //  the command line is wrong
    EXIT_UNAVAILABLE = 3,       //  no supervisor answers, overloaded, cannot run
    EXIT_TIMEOUT = 4,           //  a deadline passed
    EXIT_NO_TESTS = 5,          //  generate: no test command found
    EXIT_REFUSED = 6,           //  the supervisor answered and refused
    EXIT_CODES                  //  how many there are
} exit_code_t;

//  The components, in the order of the steps a workflow runs.
typedef enum {
    COMPONENT_PARSER,
    COMPONENT_DETECTOR,
    COMPONENT_GENERATOR,
    COMPONENT_COUNT             //  how many there are
} component_id_t;

//  Their names by id, NULL-ended: "parser", "detector", "generator".
extern const char *const names_components [COMPONENT_COUNT + 1];
//  The step each does, by id, NULL-ended: "parse", "detect", "generate"
//  (a JOB's "step", PROTOCOL.md; the steps in the log and the events).
extern const char *const names_steps [COMPONENT_COUNT + 1];

//  The id of the component called name, or -1 when there is none.
int names_component_find (const char *name);

//  A component's state, as `status` and `health` show it.
typedef enum {
    COMPONENT_STARTING,         //  fewer workers ready than wanted
    COMPONENT_RUNNING,
    COMPONENT_STOPPED,          //  none wanted (`ctl stop`), none ready
    COMPONENT_FATAL,            //  restarted too often: the breaker is open
    COMPONENT_STATES            //  how many there are
} component_state_t;

//  Their names, NULL-ended: "starting", "running", "stopped", "fatal".
extern const char *const names_component_states [COMPONENT_STATES + 1];

//  A worker's state, as `status` and the readme2ci_workers metric show it.
typedef enum {
    W_STARTING,
    W_READY,
    W_STOPPING,
    WORKER_STATES               //  how many there are
} worker_state_t;

//  Their names by state, NULL-ended: "starting", "ready", "stopping".
extern const char *const names_worker_states [WORKER_STATES + 1];

//  The tree's health; `health` exits with it (0, 1, 2).
typedef enum {
    HEALTH_HEALTHY,
    HEALTH_DEGRADED,
    HEALTH_DOWN,
    HEALTH_STATES               //  how many there are
} health_t;

//  Their names, NULL-ended: "healthy", "degraded", "down".
extern const char *const names_health [HEALTH_STATES + 1];

//  The log levels, lowest first, NULL-ended: "debug", "info", "warn",
//  "error": what log.level, --log-level and R2CI_LOG_LEVEL take. Indexed
//  by config_log_level_t and by supervisor/log.h's log_level_t, which
//  count them in this order.
#define NAMES_LOG_LEVELS 4
extern const char *const names_log_levels [NAMES_LOG_LEVELS + 1];

//  The log formats, NULL-ended, by config_log_format_t: "text", "json".
#define NAMES_LOG_FORMATS 2
extern const char *const names_log_formats [NAMES_LOG_FORMATS + 1];

//  The `ctl` operations: `readme2ci ctl VERB COMPONENT`. A verb is a row
//  of names_ctl (its usage and help come from it) plus its handler in
//  supervisor/control.c (CONTRIBUTING.md: "Adding a ctl verb").
typedef enum {
    CTL_DEPLOY,
    CTL_STOP,
    CTL_SCALE,
    CTL_RESTART,
    CTL_UPDATE,
    CTL_VERBS                   //  how many there are
} ctl_verb_t;

typedef struct {
    const char *verb;           //  "scale"
    bool count;                 //  takes a worker count N after COMPONENT
    bool command;               //  takes --command PATH
    const char *help;           //  what it does, lines of at most 50 columns
} names_ctl_t;

//  The verbs by ctl_verb_t, in the order help texts list them.
extern const names_ctl_t names_ctl [CTL_VERBS];

//  The ctl_verb_t of verb, or -1 when it is none.
int names_ctl_find (const char *verb);

//  Writes the names of list (NULL-ended) to buf, each after the first
//  preceded by separator, and before the last by last_separator ("parser,
//  detector or generator"). Returns buf; cut short when size is too small.
char *names_join (const char *const *list, const char *separator,
                  const char *last_separator, char *buf, size_t size);

//  The same for the ctl verbs ("deploy, stop, scale, restart, update").
char *names_join_ctl (const char *separator, char *buf, size_t size);

#endif
