/*  workers/detector/eco_haskell.c - Haskell with cabal or stack: a GHC
    matrix from tested-with.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <ctype.h>
#include <string.h>

//  Every version number in a cabal tested-with field (or hpack's key).
static size_t
s_tested_with (const char *text, char lines [][8], size_t max, unsigned *line_p)
{
    const char *at = strstr (text, "tested-with:");
    if (!at)
        return 0;
    *line_p = dtext_line_at (text, at);
    size_t count = 0;
    const char *p = at + strlen ("tested-with:");
    //  the field runs on while the following lines are indented
    while (*p && count < max) {
        if (*p == '\n' && p [1] != ' ' && p [1] != '\t' && p [1] != '-')
            break;
        if (isdigit ((unsigned char) *p) && (p == text || !isalnum ((unsigned char) p [-1]))) {
            char version [16];
            size_t n = 0;
            while ((isdigit ((unsigned char) *p) || *p == '.') && n + 1 < sizeof version)
                version [n++] = *p++;
            version [n] = 0;
            if (strchr (version, '.') && vrange_line (version, 2, lines [count], 8))
                count++;
            continue;
        }
        p++;
    }
    return count;
}

void
eco_haskell_detect (dctx_t *self)
{
    const char *cabal = dctx_find_suffix (self, ".cabal");
    bool project = dctx_has (self, "cabal.project");
    bool stack = dctx_has (self, "stack.yaml");
    if (!cabal && !project && !stack && !dctx_has (self, "package.yaml"))
        return;
    report_job_t *job = dctx_job (self, "haskell", DCTX_STRONG);
    if (!job)
        return;
    //  cabal.project or a .cabal file without stack.yaml: cabal; stack.yaml
    //  alone (or package.yaml, hpack's): stack
    bool use_cabal = project || (cabal && !stack);
    dctx_tool (self, job, use_cabal? "cabal": "stack",
               project? "cabal.project": use_cabal? cabal: stack? "stack.yaml": "package.yaml");
    if (project && stack)
        dctx_note (self, "info", "both cabal.project and stack.yaml: used cabal",
                   "cabal.project");
    const project_file_t *file = cabal? dctx_manifest (self, cabal): NULL;
    if (!file)
        file = dctx_manifest (self, "package.yaml");
    char lines [12][8], source [192];
    unsigned at = 0;
    //  stack builds with its resolver's GHC, whatever else is installed:
    //  a GHC matrix would run the same build twice
    size_t count = file && use_cabal? s_tested_with (file->data, lines, 12, &at): 0;
    if (count) {
        const char *list [12];
        for (size_t i = 0; i < count; i++)
            list [i] = lines [i];
        dctx_source (source, sizeof source, file->name, at, "tested-with");
        dctx_matrix_list (self, job, "ghc", list, count, source);
    }
    else
    if (use_cabal)
        dctx_matrix (self, job, "ghc", NULL, "knowledge: supported GHC lines");
    if (use_cabal) {
        dctx_step (self, job, CMD_INSTALL, "cabal update", "cabal");
        dctx_step (self, job, CMD_BUILD, "cabal build all --enable-tests", "cabal");
        dctx_step (self, job, CMD_TEST, "cabal test all", "cabal");
    }
    else {
        dctx_step (self, job, CMD_BUILD, "stack build --test --no-run-tests", "stack.yaml");
        dctx_step (self, job, CMD_TEST, "stack test", "stack.yaml");
    }
}
