/*  workers/detector/eco_ocaml.c - OCaml with dune and opam: the ocaml
    dependency's range for versions.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <stdio.h>
#include <string.h>

void
eco_ocaml_detect (dctx_t *self)
{
    const char *opam = dctx_find_suffix (self, ".opam");
    if (!dctx_has (self, "dune-project") && !opam)
        return;
    report_job_t *job = dctx_job (self, "ocaml", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "dune", dctx_has (self, "dune-project")? "dune-project": opam);
    //  "ocaml" {>= "4.08"} in an opam file, or (ocaml (>= 4.08)) in dune-project
    const project_file_t *file = opam? dctx_manifest (self, opam): NULL;
    char version [32], source [192];
    unsigned at = 0;
    bool matrix = false;
    if (file) {
        const char *dep = strstr (file->data, "\"ocaml\"");
        const char *eol = dep? strchr (dep, '\n'): NULL;
        const char *ge = dep? strstr (dep, ">="): NULL;
        if (ge && (!eol || ge < eol)
            && dtext_quoted_after (ge, ">=", version, sizeof version, NULL)) {
            char range [40];
            snprintf (range, sizeof range, ">=%s", version);
            at = dtext_line_at (file->data, dep);
            dctx_source (source, sizeof source, file->name, at, "depends ocaml");
            matrix = dctx_matrix (self, job, "ocaml", range, source);
        }
    }
    if (!matrix)
        dctx_matrix (self, job, "ocaml", NULL, "knowledge: supported OCaml lines");
    dctx_step (self, job, CMD_INSTALL, "opam install . --deps-only --with-test",
               opam? opam: "dune-project");
    dctx_step (self, job, CMD_BUILD, "opam exec -- dune build", "dune-project");
    dctx_step (self, job, CMD_TEST, "opam exec -- dune runtest", "dune-project");
}
