/*  workers/detector/eco_go.c - Go modules: the go directive for versions,
    a Makefile test target as the project's wrapper, go test otherwise;
    and Rust with cargo: rust-version as MSRV, rust-toolchain files.  */
#include "workers/detector/eco.h"
#include "common/toml.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <stdio.h>
#include <string.h>

//  Each module a go.mod requires, looked up as a database driver.
static void
s_go_requires (dctx_t *self, report_job_t *job, const project_file_t *mod)
{
    unsigned line = 1;
    bool block = false;
    for (const char *p = mod->data; *p; line++) {
        const char *eol = strchr (p, '\n');
        size_t n = eol? (size_t) (eol - p): strlen (p);
        char text [256];
        if (n >= sizeof text)
            n = sizeof text - 1;
        memcpy (text, p, n);
        text [n] = 0;
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
        if (!eol)
            break;
        p = eol + 1;
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

//  Crates whose database backend is a feature (sqlx = { features =
//  ["postgres"] }): the services the knowledge's service-features map
//  those features to.
static void
s_feature_drivers (dctx_t *self, report_job_t *job, const char *crate,
                   const ynode_t *dep, const char *source)
{
    const ynode_t *map = ytree_path (knowledge_root (self->kb), "service-features",
                                     crate, NULL);
    const ynode_t *features = ytree_get (dep, "features");
    for (size_t i = 0; map && features && features->kind == YNODE_SEQ
                       && i < features->count; i++) {
        const char *feature = ytree_str (features->items [i], NULL);
        const char *service = feature? ytree_str (ytree_get (map, feature), NULL): NULL;
        if (service)
            dctx_service (self, job, service, NULL, source);
    }
}

void
eco_rust_detect (dctx_t *self)
{
    if (!dctx_has (self, "Cargo.toml"))
        return;
    report_job_t *job = dctx_job (self, "rust", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "cargo", "Cargo.toml");
    const project_file_t *file = dctx_manifest (self, "Cargo.toml");
    ynode_t *root = NULL;
    if (file) {
        char err [160] = "";
        root = toml_parse (file->data, file->size, err, sizeof err);
        if (!root) {
            char why [512];
            snprintf (why, sizeof why, "Cargo.toml: %s; read as empty", err);
            dctx_note (self, "info", why, "Cargo.toml");
        }
    }
    dctx_add_name (self, ytree_str (ytree_path (root, "package", "name", NULL), NULL));
    //  the binaries it builds are its names too: `apt-get install fd` for
    //  the crate fd-find is a user's install, not a CI step
    const ynode_t *bins = ytree_get (root, "bin");
    for (size_t i = 0; bins && bins->kind == YNODE_SEQ && i < bins->count; i++)
        dctx_add_name (self, ytree_str (ytree_get (bins->items [i], "name"), NULL));
    char source [192];
    //  MSRV: the oldest toolchain, tested beside stable
    const ynode_t *msrv = ytree_path (root, "package", "rust-version", NULL);
    if (!ytree_str (msrv, NULL))
        msrv = ytree_path (root, "workspace", "package", "rust-version", NULL);
    if (ytree_str (msrv, NULL)) {
        dctx_source (source, sizeof source, "Cargo.toml", msrv->line, "rust-version");
        dctx_setting (self, job, "msrv", msrv->value, source);
        dctx_version (self, job, "rust", msrv->value, source);
    }
    //  a toolchain file pins the channel rustup will use
    const project_file_t *tc = dctx_manifest (self, "rust-toolchain.toml");
    const char *tc_name = "rust-toolchain.toml";
    if (!tc) {
        tc = dctx_manifest (self, "rust-toolchain");
        tc_name = "rust-toolchain";
    }
    char channel [64] = "";
    if (tc) {
        ynode_t *t = toml_parse (tc->data, tc->size, NULL, 0);
        const char *value = ytree_str (ytree_path (t, "toolchain", "channel", NULL), NULL);
        if (value)
            snprintf (channel, sizeof channel, "%s", value);
        else
        if (!t || !ytree_get (t, "toolchain"))
            eco_version_file (self, tc_name, channel, sizeof channel);
        const ynode_t *components = ytree_path (t, "toolchain", "components", NULL);
        for (size_t i = 0; components && components->kind == YNODE_SEQ
                           && i < components->count; i++)
            if (strcmp (ytree_str (components->items [i], ""), "clippy") == 0
                || strcmp (ytree_str (components->items [i], ""), "rustfmt") == 0)
                dctx_setting (self, job, "rust-components", "clippy, rustfmt", tc_name);
        ytree_destroy (&t);
    }
    if (*channel) {
        dctx_setting (self, job, "version-file", tc_name, tc_name);
        dctx_version (self, job, "rust", channel, tc_name);
    }
    else
        dctx_version (self, job, "rust", "stable", "stable toolchain");
    bool workspace = ytree_get (root, "workspace") && !ytree_get (root, "package");
    const char *scope = workspace? " --workspace": "";
    char run [96];
    snprintf (run, sizeof run, "cargo build --verbose%s", scope);
    dctx_step (self, job, CMD_BUILD, run, "Cargo.toml");
    bool fmt = dctx_has (self, "rustfmt.toml") || dctx_has (self, ".rustfmt.toml");
    bool clippy = dctx_has (self, "clippy.toml") || dctx_has (self, ".clippy.toml");
    if (fmt)
        dctx_step (self, job, CMD_LINT, "cargo fmt --all -- --check",
                   dctx_has (self, "rustfmt.toml")? "rustfmt.toml": ".rustfmt.toml");
    if (clippy)
        dctx_step (self, job, CMD_LINT, "cargo clippy --all-targets -- -D warnings",
                   dctx_has (self, "clippy.toml")? "clippy.toml": ".clippy.toml");
    if (fmt || clippy)
        dctx_setting (self, job, "rust-components", "clippy, rustfmt",
                      fmt? "rustfmt.toml": "clippy.toml");
    snprintf (run, sizeof run, "cargo test%s", scope);
    dctx_step (self, job, CMD_TEST, run, "Cargo.toml");
    static const char *const tables [] = { "dependencies", "dev-dependencies", NULL };
    for (size_t t = 0; tables [t]; t++) {
        const ynode_t *deps = ytree_get (root, tables [t]);
        for (size_t i = 0; deps && deps->kind == YNODE_MAP && i < deps->count; i++) {
            char what [96];
            snprintf (what, sizeof what, "%s %s", tables [t], deps->keys [i]);
            dctx_source (source, sizeof source, "Cargo.toml", deps->items [i]->line, what);
            dctx_driver (self, job, deps->keys [i], source);
            s_feature_drivers (self, job, deps->keys [i], deps->items [i], source);
        }
    }
    ytree_destroy (&root);
}
