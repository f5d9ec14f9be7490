/*  workers/detector/dservice.h - service containers from evidence beyond
    the manifests' client libraries: docker compose files and `docker run`
    lines in the README. Internal to the detector.  */
#ifndef DSERVICE_H_INCLUDED
#define DSERVICE_H_INCLUDED

#include "workers/detector/dctx.h"

//  Add the services a compose file or the README starts to the job that
//  uses them (the first job when none names a client library).
void dservice_detect (dctx_t *self);

#endif
