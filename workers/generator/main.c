/*  readme2ci-generator: a worker process running the generate step.  */
#include "common/names.h"
#include "workers/worker_loop.h"
#include "workers/generator/generator.h"

int
main (int argc, char **argv)
{
    const worker_def_t def = { names_components [COMPONENT_GENERATOR],
                               names_steps [COMPONENT_GENERATOR], generator_step };
    return worker_main (&def, argc, argv);
}
