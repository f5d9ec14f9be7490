/*  tests/support/tree.h - a readme2ci process tree for a test: its own
    runtime and state folders, an optional config, the CLI run against it,
    and the live event stream.  */
#ifndef TREE_H_INCLUDED
#define TREE_H_INCLUDED

#include "tests/support/testutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct {
    char *runtime;
    char *state;
    char *config;               //  path of the config file, or NULL
    char *env [8];              //  environment for the CLI and supervisor
    size_t env_count;
    pid_t supervisor;           //  when started with tree_start
} tree_t;

//  Fresh folders; config_text (may be NULL) is written as the config file;
//  extra_env entries ("K=V", NULL-ended, may be NULL) are passed on.
void tree_init (tree_t *self, const char *config_text, char *const extra_env []);
//  Stops whatever is left (by pid) and removes the folders.
void tree_fini (tree_t *self);

//  Run readme2ci with arguments (NULL-ended) against the tree. Returns the
//  exit status; *result holds the output (release it).
int tree_cli (tree_t *self, tu_result_t *result, const char *arg, ...);

//  `readme2ci up -d` (asserts it worked) and records the supervisor pid.
void tree_up (tree_t *self);
//  Start the supervisor itself in the background without waiting for its
//  workers (for trees that never get ready). Records its pid.
void tree_start (tree_t *self);

//  The status document (caller json_decref's it); NULL if no answer.
json_t *tree_status (tree_t *self);
//  pids of the component's workers from status; returns their count.
size_t tree_worker_pids (tree_t *self, const char *component, int *pids, size_t max);
//  Every worker pid of the supervisor (its children, from /proc).
size_t tree_children (tree_t *self, int *pids, size_t max);

//  The live event stream of the tree.
typedef struct tree_events tree_events_t;
tree_events_t *tree_events_new (tree_t *self);
void tree_events_destroy (tree_events_t **self_p);
//  The next event whose type is type (others are skipped) and, when
//  component is not NULL, whose component is component; NULL after
//  timeout_ms. Caller json_decref's it.
json_t *tree_events_wait (tree_events_t *self, const char *type, const char *component,
                          int timeout_ms);

//  The next event of any type, or NULL after timeout_ms.
json_t *tree_events_next (tree_events_t *self, int timeout_ms);

//  Write a small project of our own (README + manifest) into dir/name.
//  kind is "python", "node", "rust", "go" or "c". Returns the path.
char *tree_project (const char *dir, const char *name, const char *kind, const char *extra);

#endif
