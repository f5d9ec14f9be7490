/*  readme2ci-detector: a worker process running the detect step.  */
#include "common/names.h"
#include "workers/worker_loop.h"
#include "workers/detector/detector.h"

int
main (int argc, char **argv)
{
    const worker_def_t def = { names_components [COMPONENT_DETECTOR],
                               names_steps [COMPONENT_DETECTOR], detector_step };
    return worker_main (&def, argc, argv);
}
