/*  Ecosystems the real-project corpus covers thinly (Elixir, Clojure, Lua,
    Scala, Haskell, OCaml...): small invented projects go through
    `readme2ci generate --inline`, and the workflows are judged as their
    maintainers would: setup, versions, commands, the GitLab twin.  */
#include "common/ytree.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  Helpers

//  True when some step runs exactly run.
static bool
s_runs (const ynode_t *job, const char *run)
{
    const ynode_t *steps = ytree_get (job, "steps");
    for (size_t i = 0; steps && i < steps->count; i++)
        if (strcmp (ytree_str (ytree_get (steps->items [i], "run"), ""), run) == 0)
            return true;
    return false;
}

//  True when a GitLab job's before_script or script has line.
static bool
s_gitlab_runs (const ynode_t *job, const char *line)
{
    const char *keys [] = { "before_script", "script" };
    for (size_t k = 0; k < 2; k++) {
        const ynode_t *list = ytree_get (job, keys [k]);
        for (size_t i = 0; list && i < list->count; i++)
            if (strcmp (ytree_str (list->items [i], ""), line) == 0)
                return true;
    }
    return false;
}

//  --------------------------------------------------------------------------
//  Elixir: each Elixir line runs with its own OTP, never with another's

Test (qa_ecosystems, elixir_matrix_pairs_each_elixir_with_its_otp, .timeout = 60)
{
    char *dir = tu_project (
        "mix.exs",
        "defmodule Slug.MixProject do\n"
        "  use Mix.Project\n"
        "  def project do\n"
        "    [app: :slug, version: \"0.1.0\", elixir: \"~> 1.14\", deps: deps()]\n"
        "  end\n"
        "  defp deps, do: []\n"
        "end\n",
        "README.md", "# slug\n\n## Development\n\n```\n$ mix deps.get\n$ mix test\n```\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *matrix = ytree_path (job, "strategy", "matrix", NULL);
    cr_assert_not_null (matrix, "%s", yaml);
    //  no cross product: the pairs are include entries, each with both
    cr_assert_null (ytree_get (matrix, "elixir"), "%s", yaml);
    cr_assert_null (ytree_get (matrix, "otp"), "%s", yaml);
    const ynode_t *include = ytree_get (matrix, "include");
    cr_assert (include && include->kind == YNODE_SEQ && include->count == 2, "%s", yaml);
    //  the oldest Elixir line is paired with an OTP it runs on, which is
    //  older than the newest line's
    const char *old_otp = ytree_str (ytree_get (include->items [0], "otp"), "");
    const char *new_otp = ytree_str (ytree_get (include->items [1], "otp"), "");
    cr_assert (*old_otp && *new_otp, "%s", yaml);
    cr_assert_lt (strtol (old_otp, NULL, 10), strtol (new_otp, NULL, 10), "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_get (include->items [0], "elixir"), ""), "1.15");
    const ynode_t *setup = tu_step_using (job, "erlef/setup-beam");
    cr_assert_not_null (setup, "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "otp-version", NULL), ""),
                      "${{ matrix.otp }}");
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Clojure: the runners carry neither Leiningen nor the Clojure CLI

Test (qa_ecosystems, clojure_cli_project_installs_the_cli, .timeout = 60)
{
    char *dir = tu_project (
        "deps.edn",
        "{:paths [\"src\"]\n"
        " :deps {org.clojure/clojure {:mvn/version \"1.12.0\"}}\n"
        " :aliases {:test {:extra-paths [\"test\"]\n"
        "                  :main-opts [\"-m\" \"cognitect.test-runner\"]}}}\n",
        "README.md", "# edn-tool\n\n## Running tests\n\n```bash\nclojure -M:test\n```\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    cr_assert_not_null (tu_step_using (job, "actions/setup-java"), "%s", yaml);
    const ynode_t *clojure = tu_step_using (job, "DeLaGuardo/setup-clojure");
    cr_assert_not_null (clojure, "no Clojure CLI set up:\n%s", yaml);
    cr_assert_not_null (ytree_path (clojure, "with", "cli", NULL), "%s", yaml);
    cr_assert (s_runs (job, "clojure -M:test"), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    //  GitLab: an image that has the clojure command, not only lein
    yaml = tu_generate (dir, "--target", "gitlab", NULL);
    root = tu_parse_yaml (yaml);
    job = tu_only_job (root, true);
    const char *image = ytree_str (ytree_get (job, "image"), "");
    cr_assert (strstr (image, "clojure:") && strstr (image, "tools-deps"), "%s", yaml);
    cr_assert (s_gitlab_runs (job, "clojure -M:test"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ecosystems, leiningen_project_installs_leiningen, .timeout = 60)
{
    char *dir = tu_project (
        "project.clj",
        "(defproject com.example/mw \"0.1.0\"\n"
        "  :dependencies [[org.clojure/clojure \"1.11.1\"]])\n",
        "README.md", "# mw\n\n## Hacking\n\n    lein test\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *clojure = tu_step_using (job, "DeLaGuardo/setup-clojure");
    cr_assert_not_null (clojure, "no Leiningen set up:\n%s", yaml);
    cr_assert_not_null (ytree_path (clojure, "with", "lein", NULL), "%s", yaml);
    cr_assert (s_runs (job, "lein test"), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    yaml = tu_generate (dir, "--target", "gitlab", NULL);
    root = tu_parse_yaml (yaml);
    job = tu_only_job (root, true);
    cr_assert (strstr (ytree_str (ytree_get (job, "image"), ""), "-lein"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Lua: Lua and LuaRocks are set up, on the lines the rockspec accepts

Test (qa_ecosystems, lua_rock_sets_up_lua_and_luarocks, .timeout = 60)
{
    char *dir = tu_project (
        "tiny-1.0-1.rockspec",
        "package = \"tiny\"\n"
        "version = \"1.0-1\"\n"
        "source = { url = \"git+https://example.org/tiny.git\" }\n"
        "dependencies = {\n"
        "   \"lua >= 5.1, < 5.5\",\n"
        "   \"lpeg\",\n"
        "}\n"
        "test_dependencies = { \"lua >= 5.3\", \"busted\" }\n"
        "build = { type = \"builtin\", modules = { tiny = \"tiny.lua\" } }\n",
        ".busted", "return {}\n",
        "README.md", "# tiny\n\n## Tests\n\n    busted\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *lua = tu_step_using (job, "leafo/gh-actions-lua");
    cr_assert_not_null (lua, "no Lua set up:\n%s", yaml);
    cr_assert_not_null (tu_step_using (job, "leafo/gh-actions-luarocks"), "%s", yaml);
    //  the rock's own range, not test_dependencies': oldest and newest line
    const ynode_t *lines = ytree_path (job, "strategy", "matrix", "lua", NULL);
    cr_assert (lines && lines->count == 2, "%s", yaml);
    cr_assert_str_eq (ytree_str (lines->items [0], ""), "5.1");
    cr_assert_str_eq (ytree_str (lines->items [1], ""), "5.4");
    cr_assert_str_eq (ytree_str (ytree_path (lua, "with", "luaVersion", NULL), ""),
                      "${{ matrix.lua }}");
    cr_assert (s_runs (job, "busted"), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    //  GitLab: the image gets Lua and LuaRocks before the rock's steps
    yaml = tu_generate (dir, "--target", "gitlab", NULL);
    root = tu_parse_yaml (yaml);
    job = tu_only_job (root, true);
    const ynode_t *before = ytree_get (job, "before_script");
    cr_assert (before && before->count >= 2, "%s", yaml);
    cr_assert (strstr (ytree_str (before->items [0], ""), "luarocks"), "%s", yaml);
    cr_assert (s_gitlab_runs (job, "luarocks install --only-deps tiny-1.0-1.rockspec"),
               "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ecosystems, lua_pessimistic_range_keeps_to_its_line, .timeout = 60)
{
    char *dir = tu_project (
        "jit-0.2-1.rockspec",
        "package = \"jit\"\nversion = \"0.2-1\"\n"
        "dependencies = { \"lua ~> 5.1\" }\n"
        "build = { type = \"builtin\", modules = {} }\n",
        "README.md", "# jit\n",
        NULL);
    //  no tests in it: the versions are what is looked at here
    char *yaml = tu_generate (dir, "--target", "github", "--allow-no-tests", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    //  LuaRocks' ~> 5.1 is 5.1.x only: no matrix, no 5.4
    cr_assert_null (ytree_get (job, "strategy"), "%s", yaml);
    const ynode_t *lua = tu_step_using (job, "leafo/gh-actions-lua");
    cr_assert_not_null (lua, "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_path (lua, "with", "luaVersion", NULL), ""), "5.1");
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Scala: a cross-built library is tested on each Scala version

Test (qa_ecosystems, sbt_cross_build_tests_every_scala_version, .timeout = 60)
{
    char *dir = tu_project (
        "build.sbt",
        "val scala213 = \"2.13.14\"\nval scala3 = \"3.3.3\"\n"
        "ThisBuild / scalaVersion := scala213\n"
        "ThisBuild / crossScalaVersions := Seq(scala213, scala3)\n"
        "lazy val root = project.in(file(\".\"))\n",
        "README.md", "# p\n\nA parser.\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    cr_assert (s_runs (job, "sbt +test"), "%s", yaml);
    cr_assert_not (s_runs (job, "sbt test"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    //  without crossScalaVersions: the one version
    free (dir);
    dir = tu_project ("build.sbt", "ThisBuild / scalaVersion := \"3.3.3\"\n",
                     "README.md", "# q\n", NULL);
    yaml = tu_generate (dir, "--target", "github", NULL);
    root = tu_parse_yaml (yaml);
    cr_assert (s_runs (tu_only_job (root, false), "sbt test"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Haskell with stack: the resolver picks GHC, so no GHC matrix

Test (qa_ecosystems, stack_project_leaves_ghc_to_the_resolver, .timeout = 60)
{
    char *dir = tu_project (
        "stack.yaml", "resolver: lts-22.33\npackages:\n- .\n",
        "package.yaml",
        "name: roman\nversion: 0.1.0\ndependencies: [base]\nlibrary: {source-dirs: src}\n",
        "README.md", "# roman\n\n## Build\n\n```sh\nstack build\nstack test\n```\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    cr_assert_null (ytree_get (job, "strategy"), "a GHC matrix stack ignores:\n%s", yaml);
    const ynode_t *setup = tu_step_using (job, "haskell-actions/setup");
    cr_assert_not_null (setup, "%s", yaml);
    cr_assert_null (ytree_path (setup, "with", "ghc-version", NULL), "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "enable-stack", NULL), ""), "true");
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "stack-no-global", NULL), ""),
                      "true");
    cr_assert (s_runs (job, "stack test"), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    //  GitLab's haskell image pins stack to its own GHC: let it install
    //  the resolver's
    yaml = tu_generate (dir, "--target", "gitlab", NULL);
    root = tu_parse_yaml (yaml);
    job = tu_only_job (root, true);
    cr_assert (s_gitlab_runs (job, "stack config set install-ghc --global true"), "%s", yaml);
    cr_assert (s_gitlab_runs (job, "stack config set system-ghc --global false"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ecosystems, cabal_tested_with_still_makes_the_ghc_matrix, .timeout = 60)
{
    char *dir = tu_project (
        "trie.cabal",
        "cabal-version: 2.4\nname: trie\nversion: 0.1\n"
        "tested-with: GHC == 9.6.6 || == 9.8.2\n\nlibrary\n  build-depends: base\n",
        "README.md", "# trie\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *lines = ytree_path (job, "strategy", "matrix", "ghc", NULL);
    cr_assert (lines && lines->count == 2, "%s", yaml);
    cr_assert_str_eq (ytree_str (lines->items [0], ""), "9.6");
    cr_assert_str_eq (ytree_str (lines->items [1], ""), "9.8");
    cr_assert (s_runs (job, "cabal test all"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ecosystems, deps_edn_test_alias_runs_the_way_it_is_written, .timeout = 60)
{
    //  :exec-fn belongs to another alias: the :test alias has a main
    char *dir = tu_project (
        "deps.edn",
        "{:deps {org.clojure/clojure {:mvn/version \"1.12.0\"}}\n"
        " :aliases\n"
        " {:test {:extra-paths [\"test\"] ; the runner's main\n"
        "         :main-opts [\"-m\" \"kaocha.runner\"]}\n"
        "  :test-ci {:extra-paths [\"test\"]}\n"
        "  :build {:deps {io.github.clojure/tools.build {:mvn/version \"0.10.5\"}}\n"
        "          :exec-fn build/jar}}}\n",
        "README.md", "# kv\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    cr_assert (s_runs (tu_only_job (root, false), "clojure -M:test"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
    //  an :exec-fn of the :test alias itself: -X
    dir = tu_project (
        "deps.edn",
        "{:aliases {:test {:extra-paths [\"test\"]\n"
        "                  :exec-fn cognitect.test-runner.api/test}}}\n",
        "README.md", "# kv\n",
        NULL);
    yaml = tu_generate (dir, "--target", "github", NULL);
    root = tu_parse_yaml (yaml);
    cr_assert (s_runs (tu_only_job (root, false), "clojure -X:test"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Deno: a "check" task that lints is the lint step

Test (qa_ecosystems, deno_check_task_is_the_lint_step, .timeout = 60)
{
    char *dir = tu_project (
        "deno.json",
        "{\n  \"tasks\": {\n"
        "    \"dev\": \"deno run --watch main.ts\",\n"
        "    \"check\": \"deno fmt --check && deno lint && deno check main.ts\",\n"
        "    \"test\": \"deno test --allow-read\"\n  }\n}\n",
        "README.md", "# paths\n\n## Development\n\n```sh\ndeno task check\ndeno task test\n```\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    cr_assert (s_runs (job, "deno task check"), "%s", yaml);
    cr_assert (s_runs (job, "deno task test"), "%s", yaml);
    cr_assert_not (s_runs (job, "deno task dev"), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
    //  a "check" that only type-checks is not a lint
    dir = tu_project ("deno.json", "{\"tasks\": {\"check\": \"deno check main.ts\"}}\n",
                     "README.md", "# t\n", NULL);
    yaml = tu_generate (dir, "--target", "github", NULL);
    root = tu_parse_yaml (yaml);
    cr_assert_not (s_runs (tu_only_job (root, false), "deno task check"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  .NET: a multi-targeting project needs every runtime in one job, and
//  global.json's SDK

Test (qa_ecosystems, dotnet_multi_target_installs_every_runtime_in_one_job, .timeout = 60)
{
    char *dir = tu_project (
        "global.json", "{ \"sdk\": { \"version\": \"8.0.100\" } }\n",
        "Lib.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk\">\n"
        "  <PropertyGroup><TargetFrameworks>net6.0;net8.0</TargetFrameworks></PropertyGroup>\n"
        "</Project>\n",
        "README.md", "# Lib\n\n## Build\n\n```\ndotnet test\n```\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    //  no matrix: the 6.0 SDK cannot build net8.0, and each target's tests
    //  need its own runtime
    cr_assert_null (ytree_get (job, "strategy"), "%s", yaml);
    const ynode_t *setup = tu_step_using (job, "actions/setup-dotnet");
    cr_assert_not_null (setup, "%s", yaml);
    const char *versions = ytree_str (ytree_path (setup, "with", "dotnet-version", NULL), "");
    cr_assert (strstr (versions, "6.0.x\n") && strstr (versions, "8.0.x\n"), "%s", yaml);
    //  global.json pins a feature band: the action installs that SDK too
    cr_assert_str_eq (ytree_str (ytree_path (setup, "with", "global-json-file", NULL), ""),
                      "global.json");
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    //  GitLab: one job, on the newest SDK's image
    yaml = tu_generate (dir, "--target", "gitlab", NULL);
    root = tu_parse_yaml (yaml);
    job = tu_only_job (root, true);
    cr_assert_null (ytree_get (job, "parallel"), "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_get (job, "image"), ""),
                      "mcr.microsoft.com/dotnet/sdk:8.0");
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  Dart: generated sources are built before analyze and test

Test (qa_ecosystems, dart_build_runner_generates_before_analyze, .timeout = 60)
{
    char *dir = tu_project (
        "pubspec.yaml",
        "name: models\nenvironment:\n  sdk: ^3.0.0\n"
        "dependencies:\n  json_annotation: ^4.9.0\n"
        "dev_dependencies:\n  build_runner: ^2.4.0\n  json_serializable: ^6.8.0\n"
        "  test: ^1.25.0\n",
        "README.md", "# models\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *steps = ytree_get (job, "steps");
    int generate = -1, analyze = -1, test = -1;
    for (size_t i = 0; i < steps->count; i++) {
        const char *run = ytree_str (ytree_get (steps->items [i], "run"), "");
        if (strncmp (run, "dart run build_runner build", 27) == 0)
            generate = (int) i;
        if (strcmp (run, "dart analyze") == 0)
            analyze = (int) i;
        if (strcmp (run, "dart test") == 0)
            test = (int) i;
    }
    cr_assert (generate >= 0 && generate < analyze && analyze < test, "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
    //  no generator, no build step
    dir = tu_project ("pubspec.yaml", "name: plain\nenvironment:\n  sdk: ^3.0.0\n",
                     "README.md", "# plain\n", NULL);
    yaml = tu_generate (dir, "--target", "github", NULL);
    cr_assert_null (strstr (yaml, "build_runner"), "%s", yaml);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  OCaml: the README's `dune test` is the job's `opam exec -- dune runtest`

Test (qa_ecosystems, ocaml_readme_dune_test_agrees_with_the_job, .timeout = 60)
{
    char *dir = tu_project (
        "dune-project", "(lang dune 3.11)\n(name semver)\n",
        "semver.opam",
        "opam-version: \"2.0\"\ndepends: [\n  \"dune\" {>= \"3.11\"}\n"
        "  \"ocaml\" {>= \"4.14\"}\n  \"alcotest\" {with-test}\n]\n",
        "README.md", "# semver\n\n## Development\n\n```\ndune build\ndune test\n```\n",
        NULL);
    char *report = tu_generate (dir, "--json", NULL);
    cr_assert (strstr (report, "opam exec -- dune runtest"), "%s", report);
    cr_assert_null (strstr (report, "\"conflict\""), "a disagreement that is none:\n%s", report);
    free (report);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *lines = ytree_path (tu_only_job (root, false), "strategy", "matrix",
                                       "ocaml", NULL);
    cr_assert (lines && lines->count == 2, "%s", yaml);
    cr_assert_str_eq (ytree_str (lines->items [0], ""), "4.14");
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  PHP: the oldest PHP composer.json promises is tested

Test (qa_ecosystems, php_library_tests_its_declared_floor, .timeout = 60)
{
    char *dir = tu_project (
        "composer.json",
        "{\n  \"name\": \"acme/money\",\n  \"require\": { \"php\": \"^8.1 || ^8.2\" },\n"
        "  \"require-dev\": { \"phpunit/phpunit\": \"^10.5\" },\n"
        "  \"scripts\": { \"test\": \"phpunit\" }\n}\n",
        "phpunit.xml.dist", "<phpunit/>\n",
        "README.md", "# money\n\n## Testing\n\n```bash\ncomposer install\ncomposer test\n```\n",
        NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    const ynode_t *lines = ytree_path (job, "strategy", "matrix", "php", NULL);
    cr_assert (lines && lines->count == 2, "%s", yaml);
    cr_assert_str_eq (ytree_str (lines->items [0], ""), "8.1");
    cr_assert (s_runs (job, "composer test"), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------------
//  BEAM: .tool-versions pins the versions when mix.exs or rebar.config
//  says nothing

Test (qa_ecosystems, elixir_tool_versions_pins_when_mix_says_nothing, .timeout = 60)
{
    const char *mix = "defmodule A.MixProject do\n  use Mix.Project\n"
                      "  def project, do: [app: :a, version: \"0.1.0\", deps: []]\nend\n";
    char *dir = tu_project ("mix.exs", mix,
                           ".tool-versions", "elixir 1.17.3-otp-27\nerlang 27.1.2\n",
                           "README.md", "# a\n", NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *job = tu_only_job (root, false);
    cr_assert_null (ytree_get (job, "strategy"), "%s", yaml);
    const ynode_t *beam = tu_step_using (job, "erlef/setup-beam");
    cr_assert_not_null (beam, "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_path (beam, "with", "version-file", NULL), ""),
                      ".tool-versions");
    cr_assert_null (ytree_path (beam, "with", "elixir-version", NULL), "%s", yaml);
    tu_assert_lints_clean (yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
    //  a file without the Erlang line cannot set up OTP: the matrix stays
    dir = tu_project ("mix.exs", mix, ".tool-versions", "elixir 1.17.3\n",
                     "README.md", "# a\n", NULL);
    yaml = tu_generate (dir, "--target", "github", NULL);
    root = tu_parse_yaml (yaml);
    job = tu_only_job (root, false);
    cr_assert_not_null (ytree_path (job, "strategy", "matrix", "include", NULL), "%s", yaml);
    cr_assert_null (strstr (yaml, "version-file"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_ecosystems, erlang_tool_versions_needs_rebar_too, .timeout = 60)
{
    char *dir = tu_project ("rebar.config", "{erl_opts, [debug_info]}.\n",
                           ".tool-versions", "erlang 26.2.5\nrebar 3.23.0\n",
                           "README.md", "# q\n", NULL);
    char *yaml = tu_generate (dir, "--target", "github", NULL);
    ynode_t *root = tu_parse_yaml (yaml);
    const ynode_t *beam = tu_step_using (tu_only_job (root, false), "erlef/setup-beam");
    cr_assert_not_null (beam, "%s", yaml);
    cr_assert_str_eq (ytree_str (ytree_path (beam, "with", "version-file", NULL), ""),
                      ".tool-versions");
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
    //  no rebar line: the version file would leave rebar3 out
    dir = tu_project ("rebar.config", "{erl_opts, [debug_info]}.\n",
                     ".tool-versions", "erlang 26.2.5\n", "README.md", "# q\n", NULL);
    yaml = tu_generate (dir, "--target", "github", NULL);
    root = tu_parse_yaml (yaml);
    beam = tu_step_using (tu_only_job (root, false), "erlef/setup-beam");
    cr_assert_not_null (ytree_path (beam, "with", "rebar3-version", NULL), "%s", yaml);
    cr_assert_null (strstr (yaml, "version-file"), "%s", yaml);
    ytree_destroy (&root);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}
