/*  readme2ci-generator: a worker process running the generate step.  */
#include "workers/worker_loop.h"
#include "workers/generator/generator.h"

int
main (int argc, char **argv)
{
    static const worker_def_t def = { "generator", "generate", generator_step };
    return worker_main (&def, argc, argv);
}
