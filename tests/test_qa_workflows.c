/*  Workflows that would run, beyond what actionlint checks: the inputs
    each setup action takes at the ref we pin (pnpm/action-setup refuses a
    version beside packageManager), the tools each GitLab image lacks
    (Corepack and Yarn from Node 25 on, clippy and rustfmt in the rust
    images, pip and python in the gcc image). Small invented projects go
    through `readme2ci generate --inline`.  */
#include "common/ytree.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  Helpers

//  Index of the GitHub step that uses action or runs run, or -1.
static int
s_step_index (const ynode_t *job, const char *uses_prefix, const char *run)
{
    const ynode_t *steps = ytree_get (job, "steps");
    for (size_t i = 0; steps && i < steps->count; i++) {
        const char *uses = ytree_str (ytree_get (steps->items [i], "uses"), "");
        const char *text = ytree_str (ytree_get (steps->items [i], "run"), "");
        if ((uses_prefix && strncmp (uses, uses_prefix, strlen (uses_prefix)) == 0)
        ||  (run && strcmp (text, run) == 0))
            return (int) i;
    }
    return -1;
}

//  Index of the first line of a GitLab list (before_script, script) that
//  starts with prefix, or -1.
static int
s_line_index (const ynode_t *job, const char *key, const char *prefix)
{
    const ynode_t *lines = ytree_get (job, key);
    for (size_t i = 0; lines && i < lines->count; i++)
        if (strncmp (ytree_str (lines->items [i], ""), prefix, strlen (prefix)) == 0)
            return (int) i;
    return -1;
}

//  --------------------------------------------------------------------------
//  pnpm/action-setup and packageManager

//  The action compares its version input with packageManager to the
//  letter: "9.12.0" beside "pnpm@9.12.0+sha512..." stops the job. With a
//  packageManager it must be given no version.
Test (pnpm, package_manager_with_hash_gets_no_version_input)
{
    char *dir = tu_project (
        "package.json",
        "{\n  \"name\": \"hashpin\",\n"
        "  \"packageManager\": \"pnpm@9.12.0+sha512.0123456789abcdef\",\n"
        "  \"scripts\": { \"test\": \"vitest run\" }\n}\n",
        "pnpm-lock.yaml", "lockfileVersion: '9.0'\n",
        "README.md", "# hashpin\n\nA tally of things.\n", NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *pnpm = tu_step_using (job, "pnpm/action-setup");
    cr_assert_not_null (pnpm, "%s", yaml);
    cr_assert_null (ytree_path (pnpm, "with", "version", NULL),
                    "a version beside packageManager fails the action:\n%s", yaml);
    //  at the root the action finds package.json by itself
    cr_assert_null (ytree_path (pnpm, "with", "package_json_file", NULL), "%s", yaml);
    //  pnpm is there before setup-node looks for the pnpm cache
    cr_assert_lt (s_step_index (job, "pnpm/action-setup@", NULL),
                  s_step_index (job, "actions/setup-node@", NULL));
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  In a folder, the action is told which package.json holds
//  packageManager: it reads the root one by default, and there is none.
Test (pnpm, package_manager_in_a_folder_names_its_package_json)
{
    char *dir = tu_project (
        "web/package.json",
        "{\n  \"name\": \"dash\",\n  \"packageManager\": \"pnpm@10.2.1\",\n"
        "  \"scripts\": { \"test\": \"vitest run\", \"build\": \"vite build\" }\n}\n",
        "web/pnpm-lock.yaml", "lockfileVersion: '9.0'\n",
        "README.md", "# dash\n\n## Develop\n\n```sh\ncd web\npnpm install\npnpm test\n```\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *pnpm = tu_step_using (job, "pnpm/action-setup");
    cr_assert_not_null (pnpm, "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_path (pnpm, "with", "package_json_file", NULL), ""),
                      "web/package.json", "%s", yaml);
    cr_assert_null (ytree_path (pnpm, "with", "version", NULL), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  Without packageManager the action has nothing to read: it must be
//  given a version, or it stops with "No pnpm version is specified".
Test (pnpm, lockfile_only_gets_a_version)
{
    char *dir = tu_project (
        "package.json",
        "{\n  \"name\": \"lockonly\",\n  \"scripts\": { \"test\": \"vitest run\" }\n}\n",
        "pnpm-lock.yaml", "lockfileVersion: '9.0'\n",
        "README.md", "# lockonly\n", NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *pnpm = tu_step_using (tu_only_job (root, false), "pnpm/action-setup");
    cr_assert_not_null (pnpm, "%s", yaml);
    const char *version = ytree_str (ytree_path (pnpm, "with", "version", NULL), NULL);
    cr_assert_not_null (version, "the action needs a version:\n%s", yaml);
    cr_assert (*version >= '1' && *version <= '9', "not a pnpm version: %s", version);
    cr_assert_eq (ytree_path (pnpm, "with", NULL)->count, 1, "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Yarn and Corepack

//  Yarn 4 named in packageManager: the runner's global Yarn 1 refuses the
//  project unless Corepack is on, before setup-node asks yarn for its
//  cache folder.
Test (yarn, berry_package_manager_enables_corepack_first)
{
    char *dir = tu_project (
        "package.json",
        "{\n  \"name\": \"knit\",\n  \"packageManager\": \"yarn@4.5.1\",\n"
        "  \"scripts\": { \"test\": \"jest\" }\n}\n",
        "yarn.lock", "__metadata:\n  version: 8\n",
        ".yarnrc.yml", "nodeLinker: node-modules\n",
        "README.md", "# knit\n", NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    int corepack = s_step_index (job, NULL, "corepack enable");
    int node = s_step_index (job, "actions/setup-node@", NULL);
    int install = s_step_index (job, NULL, "yarn install --immutable");
    cr_assert_geq (corepack, 0, "no corepack enable:\n%s", yaml);
    cr_assert_lt (corepack, node, "%s", yaml);
    cr_assert_lt (node, install, "%s", yaml);
    ytree_destroy (&root);
    free (yaml);

    //  GitLab: node images from 25 on have no Corepack; it is installed
    //  when missing, then enabled, before the install
    yaml = tu_generate (dir, "--target", "gitlab", NULL);
    root = tu_parse_yaml (yaml);
    job = tu_only_job (root, true);
    int get = s_line_index (job, "before_script", "command -v corepack");
    int enable = s_line_index (job, "before_script", "corepack enable");
    install = s_line_index (job, "before_script", "yarn install");
    cr_assert_geq (get, 0, "%s", yaml);
    cr_assert (strstr (ytree_str (ytree_get (job, "before_script")->items [get], ""),
                       "npm install -g --force corepack"), "%s", yaml);
    cr_assert (get < enable && enable < install, "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  pnpm on GitLab comes from Corepack, which the newest node images lack.
Test (gitlab, pnpm_installs_corepack_when_the_image_lacks_it)
{
    char *dir = tu_project (
        "package.json",
        "{\n  \"name\": \"gl-pnpm\",\n  \"packageManager\": \"pnpm@10.2.1\",\n"
        "  \"engines\": { \"node\": \">=22\" },\n"
        "  \"scripts\": { \"test\": \"vitest run\" }\n}\n",
        "pnpm-lock.yaml", "lockfileVersion: '9.0'\n",
        "README.md", "# gl-pnpm\n", NULL);
    char *yaml = tu_generate (dir, "--target", "gitlab", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, true);
    int get = s_line_index (job, "before_script", "command -v corepack >/dev/null ||");
    int enable = s_line_index (job, "before_script", "corepack enable");
    int install = s_line_index (job, "before_script", "pnpm install");
    cr_assert (get >= 0 && get < enable && enable < install, "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  Yarn 1 on GitLab: the node images from 25 on carry no yarn.
Test (gitlab, classic_yarn_is_installed_when_missing)
{
    char *dir = tu_project (
        "package.json",
        "{\n  \"name\": \"gl-yarn\",\n  \"scripts\": { \"test\": \"mocha\" }\n}\n",
        "yarn.lock", "# yarn lockfile v1\n",
        "README.md", "# gl-yarn\n", NULL);
    char *yaml = tu_generate (dir, "--target", "gitlab", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, true);
    int get = s_line_index (job, "before_script", "command -v yarn >/dev/null || npm install -g yarn");
    int install = s_line_index (job, "before_script", "yarn install");
    cr_assert (get >= 0 && get < install, "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Tools the GitLab images lack

//  The rust images hold the minimal profile: a job that runs rustfmt or
//  clippy (rustfmt.toml) adds them first, one word each.
Test (gitlab, rust_adds_the_components_its_steps_call)
{
    char *dir = tu_project (
        "Cargo.toml",
        "[package]\nname = \"tidyup\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        "rustfmt.toml", "max_width = 100\n",
        "README.md", "# tidyup\n\n```sh\ncargo test\n```\n", NULL);
    char *yaml = tu_generate (dir, "--target", "gitlab", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, true);
    int add = s_line_index (job, "before_script", "rustup component add ");
    cr_assert_geq (add, 0, "%s", yaml);
    const char *line = ytree_str (ytree_get (job, "before_script")->items [add], "");
    cr_assert (strstr (line, "clippy") && strstr (line, "rustfmt"), "%s", line);
    cr_assert_null (strchr (line, ','), "rustup takes words, not a list: %s", line);
    ytree_destroy (&root);
    free (yaml);

    //  a job that calls neither adds nothing
    char *rustfmt = NULL;
    cr_assert_geq (asprintf (&rustfmt, "%s/rustfmt.toml", dir), 0);
    cr_assert_eq (remove (rustfmt), 0);
    free (rustfmt);
    yaml = tu_generate (dir, "--target", "gitlab", NULL);
    root = tu_parse_yaml (yaml);
    cr_assert_lt (s_line_index (tu_only_job (root, true), "before_script", "rustup"), 0,
                  "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  A meson job installs the distribution's meson and ninja with apt-get,
//  with the libraries its dependency() calls need, before the script: no
//  pip (the gcc image's Python is managed by apt) and no sudo.
Test (gitlab, meson_comes_from_apt_with_the_libraries_it_needs)
{
    char *dir = tu_project (
        "meson.build", "project('tiny', 'c')\nz = dependency('zlib')\n"
        "executable('tiny', 'tiny.c', dependencies: z)\n",
        "tiny.c", "int main (void) { return 0; }\n",
        "README.md", "# tiny\n", NULL);
    char *yaml = tu_generate (dir, "--target", "gitlab", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, true);
    int apt = s_line_index (job, "before_script", "apt-get install -y meson ninja-build zlib1g-dev");
    cr_assert_geq (apt, 0, "%s", yaml);
    cr_assert_lt (s_line_index (job, "before_script", "python -m pip"), 0, "%s", yaml);
    cr_assert_lt (s_line_index (job, "before_script", "sudo"), 0, "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}
