/*  cli/cli.h - the readme2ci command line.  */
#ifndef CLI_H_INCLUDED
#define CLI_H_INCLUDED

#include <stddef.h>

//  The whole CLI (see --help). Returns the exit status: 0 ok, 1 bad input,
//  2 usage, 3 overloaded or unavailable, 4 timed out.
int cli_main (int argc, char **argv);

//  What `check` changes in generate's machinery (inputs, the tree, a
//  private tree, --inline): the workflows are check workflows, the CI
//  files travel among each project's manifests, and each answer (the
//  check result as JSON) goes to output, which prints it and returns the
//  exit status for that input. command names the command in messages.
typedef struct {
    const char *command;
    int (*output) (void *ctx, const char *path, const char *text, size_t size);
    void *ctx;
} cli_workflow_hooks_t;

//  generate's option parsing and running with hooks (see above); the
//  options are generate's but for -o, --out-dir and --json.
int cli_run_workflows (int argc, char **argv, const cli_workflow_hooks_t *hooks);

//  `readme2ci check` (cli/cli_check.c).
int cli_check (int argc, char **argv);

#endif
