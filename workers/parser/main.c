/*  readme2ci-parser: a worker process running the parse step.  */
#include "common/names.h"
#include "workers/worker_loop.h"
#include "workers/parser/parser.h"

int
main (int argc, char **argv)
{
    const worker_def_t def = { names_components [COMPONENT_PARSER],
                               names_steps [COMPONENT_PARSER], parser_step };
    return worker_main (&def, argc, argv);
}
