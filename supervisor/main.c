/*  readme2ci-supervisor: the process that owns the work and the workers.  */
#include "supervisor/supervisor.h"

int
main (int argc, char **argv)
{
    return supervisor_main (argc, argv);
}
