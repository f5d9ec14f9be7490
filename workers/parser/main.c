/*  readme2ci-parser: a worker process running the parse step.  */
#include "workers/worker_loop.h"
#include "workers/parser/parser.h"

int
main (int argc, char **argv)
{
    static const worker_def_t def = { "parser", "parse", parser_step };
    return worker_main (&def, argc, argv);
}
