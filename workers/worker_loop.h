/*  workers/worker_loop.h - the loop every worker process runs: connect a
    DEALER to the supervisor, say READY, run one step function per JOB,
    answer with RESULT, exchange heartbeats, and exit when the supervisor
    says BYE, goes silent, or dies.  */
#ifndef WORKER_LOOP_H_INCLUDED
#define WORKER_LOOP_H_INCLUDED

#include "workers/step.h"

typedef struct {
    const char *component;      //  "parser", "detector", "generator"
    const char *step;           //  "parse", "detect", "generate"
    step_fn *fn;
} worker_def_t;

//  The whole worker program: parses argv (see --help), runs the loop.
//  Returns the process exit status.
int worker_main (const worker_def_t *def, int argc, char **argv);

#endif
