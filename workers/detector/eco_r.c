/*  workers/detector/eco_r.c - R packages from DESCRIPTION: install the
    dependencies, run R CMD check.  */
#include "workers/detector/eco.h"

#include <stdio.h>
#include <string.h>

void
eco_r_detect (dctx_t *self)
{
    const project_file_t *desc = dctx_manifest (self, "DESCRIPTION");
    if (!desc && !dctx_has (self, "DESCRIPTION"))
        return;
    //  an R package's DESCRIPTION starts with "Package:"
    if (desc && !strstr (desc->data, "Package:"))
        return;
    report_job_t *job = dctx_job (self, "r", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "rscript", "DESCRIPTION");
    if (desc) {
        char name [64];
        const char *at = strstr (desc->data, "Package:");
        if (sscanf (at + 8, " %63[A-Za-z0-9.]", name) == 1)
            dctx_add_name (self, name);
    }
    dctx_version (self, job, "r", "release", "DESCRIPTION");
    dctx_step (self, job, CMD_INSTALL, "Rscript -e 'install.packages(c(\"remotes\", "
               "\"rcmdcheck\"), repos = \"https://cloud.r-project.org\")' "
               "-e 'remotes::install_deps(dependencies = TRUE)'", "DESCRIPTION");
    dctx_step (self, job, CMD_TEST, "Rscript -e 'rcmdcheck::rcmdcheck(args = "
               "\"--no-manual\", error_on = \"error\")'", "DESCRIPTION");
}
