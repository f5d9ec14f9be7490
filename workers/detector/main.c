/*  readme2ci-detector: a worker process running the detect step.  */
#include "workers/worker_loop.h"
#include "workers/detector/detector.h"

int
main (int argc, char **argv)
{
    static const worker_def_t def = { "detector", "detect", detector_step };
    return worker_main (&def, argc, argv);
}
