/*  workers/detector/eco_rust.c - Rust with cargo: rust-version as MSRV,
    rust-toolchain files, fmt and clippy configs, database crates.  */
#include "workers/detector/eco.h"
#include "common/toml.h"

#include <stdio.h>
#include <string.h>

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
