/*  workers/detector/eco_go.c - Go modules: the go directive for versions,
    a Makefile test target as the project's wrapper, go test otherwise.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <stdio.h>
#include <string.h>

//  Each module a go.mod requires, looked up as a database driver.
static void
s_go_requires (dctx_t *self, report_job_t *job, const project_file_t *mod)
{
    bool block = false;
    const char *p = mod->data;
    char text [256];
    for (unsigned line = 1; dtext_next_line (&p, text, sizeof text); line++) {
        dtext_trim (text);
        const char *path = NULL;
        if (strncmp (text, "require (", 9) == 0 || strcmp (text, "require(") == 0)
            block = true;
        else
        if (block && *text == ')')
            block = false;
        else
        if (block && *text && strncmp (text, "//", 2) != 0)
            path = text;
        else
        if (strncmp (text, "require ", 8) == 0)
            path = text + 8;
        if (path) {
            char module [200];
            size_t k = 0;
            while (path [k] && path [k] != ' ' && path [k] != '\t' && k + 1 < sizeof module) {
                module [k] = path [k];
                k++;
            }
            module [k] = 0;
            char source [256];
            dctx_source (source, sizeof source, "go.mod", line, module);
            dctx_driver (self, job, module, source);
        }
    }
}

void
eco_go_detect (dctx_t *self)
{
    if (!dctx_has (self, "go.mod") && !dctx_has (self, "go.work"))
        return;
    report_job_t *job = dctx_job (self, "go", DCTX_STRONG);
    if (!job)
        return;
    const project_file_t *mod = dctx_manifest (self, "go.mod");
    dctx_tool (self, job, "go", dctx_has (self, "go.mod")? "go.mod": "go.work");
    char version [32], source [192], line [16];
    unsigned at = 0;
    if (mod) {
        char module [200];
        unsigned module_line = eco_line_prefix (mod->data, "module ");
        if (module_line) {
            const char *m = strstr (mod->data, "module ") + 7;
            size_t k = 0;
            while (m [k] && m [k] != '\n' && m [k] != ' ' && m [k] != '\r'
                   && k + 1 < sizeof module) {
                module [k] = m [k];
                k++;
            }
            module [k] = 0;
            //  the last path element that is not a major version suffix
            char *slash = strrchr (module, '/');
            if (slash && slash [1] == 'v' && slash [2] >= '0' && slash [2] <= '9') {
                *slash = 0;
                slash = strrchr (module, '/');
            }
            dctx_add_name (self, slash? slash + 1: module);
        }
        unsigned go_line = eco_line_prefix (mod->data, "go ");
        if (go_line) {
            //  "go 1.22" is the oldest Go the module builds with
            const char *g = mod->data;
            for (unsigned l = 1; l < go_line && g; l++) {
                g = strchr (g, '\n');
                g = g? g + 1: NULL;
            }
            if (g && dtext_number_after (g, "go", version, sizeof version, &at)
                && vrange_line (version, 2, line, sizeof line)) {
                char range [32];
                snprintf (range, sizeof range, ">=%s", line);
                dctx_source (source, sizeof source, "go.mod", go_line, "go directive");
                dctx_matrix (self, job, "go", range, source);
            }
        }
        s_go_requires (self, job, mod);
    }
    if (!dctx_has_version (job, "go")) {
        if (mod) {
            dctx_setting (self, job, "version-file", "go.mod", "go.mod");
        }
        dctx_matrix (self, job, "go", NULL, "knowledge: supported Go lines");
    }
    dctx_step (self, job, CMD_INSTALL, "go mod download", "go.mod");
    dctx_step (self, job, CMD_BUILD, "go build -v ./...", "go.mod");
    dctx_step (self, job, CMD_LINT, "go vet ./...", "go.mod");
    static const char *const tools [] = { "go", "gotestsum", "richgo", NULL };
    if (!eco_make_wrapper (self, job, CMD_TEST, "test", tools))
        dctx_step (self, job, CMD_TEST, "go test -v ./...", "go.mod");
}
