/*  workers/parser/classify.c - what a README command does, with the reason.

    A command is cut into the parts of its chain (&&, ||, ;, |); each part
    loses its wrappers (sudo, env, FOO=1, time, npx, poetry run, python -m)
    and is looked up by tool and subcommand, first in a few handlers for
    tools whose arguments matter (make targets, npm scripts, pip install
    arguments), then in a table. The chain takes its strongest part.  */
#include "workers/parser/classify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define S_MAX_WORDS  40
#define S_WORD_SPACE 1024

//  The words of one part of a chain, quotes removed.
typedef struct {
    const char *v [S_MAX_WORDS + 1];
    int n;
    char space [S_WORD_SPACE];
} words_t;

//  Kinds in the order a chain picks them: test beats lint beats build...
static const int s_rank [CMD_KIND_COUNT] = {
    [CMD_OTHER] = 0, [CMD_RUN] = 1, [CMD_CLONE] = 2, [CMD_SYSTEM] = 3,
    [CMD_INSTALL] = 4, [CMD_BUILD] = 5, [CMD_LINT] = 6, [CMD_TEST] = 7
};

enum { O = CMD_OTHER, I = CMD_INSTALL, B = CMD_BUILD, T = CMD_TEST,
       L = CMD_LINT, R = CMD_RUN, S = CMD_SYSTEM, C = CMD_CLONE };

#define DEP CMD_F_DEPLOY
#define CON CMD_F_CONSUMER

//  A tool and subcommand with its kind. sub "" matches the bare tool,
//  "*" any subcommand. In reason, %t stands for the tool and %s for the
//  subcommand; a NULL reason reads "<tool> <sub>".
typedef struct {
    const char *tool;
    const char *sub;
    unsigned char kind;
    unsigned char flags;
    const char *reason;
} rule_t;

static const rule_t s_rules [] = {
    //  Rust
    { "cargo", "build", B, 0, NULL }, { "cargo", "b", B, 0, "cargo build" },
    { "cargo", "test", T, 0, NULL }, { "cargo", "t", T, 0, "cargo test" },
    { "cargo", "nextest", T, 0, "test runner cargo nextest" },
    { "cargo", "tarpaulin", T, 0, "coverage run cargo tarpaulin" },
    { "cargo", "llvm-cov", T, 0, "coverage run cargo llvm-cov" },
    { "cargo", "miri", T, 0, NULL }, { "cargo", "hack", T, 0, NULL },
    { "cargo", "check", L, 0, "type check cargo check" },
    { "cargo", "clippy", L, 0, NULL }, { "cargo", "fmt", L, 0, NULL },
    { "cargo", "deny", L, 0, NULL }, { "cargo", "audit", L, 0, NULL },
    { "cargo", "run", R, 0, NULL }, { "cargo", "r", R, 0, "cargo run" },
    { "cargo", "fetch", I, 0, NULL }, { "cargo", "doc", B, 0, NULL },
    { "cargo", "publish", O, DEP, NULL }, { "cargo", "*", O, 0, NULL },
    { "rustup", "*", S, 0, "toolchain manager rustup" },
    { "rustc", "*", B, 0, "compiler rustc" },
    { "rustfmt", "*", L, 0, "formatter rustfmt" },
    //  Go
    { "go", "test", T, 0, NULL }, { "go", "build", B, 0, NULL },
    { "go", "vet", L, 0, NULL }, { "go", "fmt", L, 0, NULL },
    { "go", "run", R, 0, NULL }, { "go", "generate", B, 0, NULL },
    { "go", "*", O, 0, NULL },
    { "gofmt", "*", L, 0, "formatter gofmt" },
    { "goimports", "*", L, 0, "formatter goimports" },
    { "golangci-lint", "*", L, 0, "linter golangci-lint" },
    { "staticcheck", "*", L, 0, "linter staticcheck" },
    { "revive", "*", L, 0, "linter revive" },
    { "gotestsum", "*", T, 0, "test runner gotestsum" },
    //  go test with coloured output: the same tests
    { "richgo", "test", T, 0, "test runner richgo test" },
    { "richgo", "*", O, 0, NULL },
    { "ginkgo", "*", T, 0, "test runner ginkgo" },
    //  JavaScript
    { "npm", "ci", I, 0, NULL }, { "npm", "start", R, 0, NULL },
    { "npm", "publish", O, DEP, NULL }, { "npm", "*", O, 0, NULL },
    { "yarn", "", I, 0, "yarn install" }, { "yarn", "install", I, 0, NULL },
    { "yarn", "publish", O, DEP, NULL },
    { "pnpm", "install", I, 0, NULL }, { "pnpm", "i", I, 0, "pnpm install" },
    { "pnpm", "publish", O, DEP, NULL },
    { "bun", "install", I, 0, NULL }, { "bun", "i", I, 0, "bun install" },
    { "bun", "test", T, 0, "test runner bun test" },
    { "bun", "build", B, 0, NULL }, { "bun", "publish", O, DEP, NULL },
    { "deno", "test", T, 0, NULL }, { "deno", "lint", L, 0, NULL },
    { "deno", "fmt", L, 0, NULL }, { "deno", "check", L, 0, NULL },
    { "deno", "run", R, 0, NULL }, { "deno", "serve", R, 0, NULL },
    { "deno", "compile", B, 0, NULL }, { "deno", "cache", I, 0, NULL },
    { "deno", "publish", O, DEP, NULL }, { "deno", "", R, 0, "deno REPL" },
    { "deno", "*", O, 0, NULL },
    { "jest", "*", T, 0, "test runner jest" },
    { "vitest", "*", T, 0, "test runner vitest" },
    { "mocha", "*", T, 0, "test runner mocha" },
    { "ava", "*", T, 0, "test runner ava" }, { "tap", "*", T, 0, "test runner tap" },
    { "karma", "*", T, 0, "test runner karma" },
    { "jasmine", "*", T, 0, "test runner jasmine" },
    { "cypress", "run", T, 0, "test runner cypress" },
    { "cypress", "*", R, 0, "cypress %s" },
    { "playwright", "test", T, 0, "test runner playwright" },
    { "playwright", "install", S, 0, "playwright install" },
    { "eslint", "*", L, 0, "linter eslint" }, { "prettier", "*", L, 0, "formatter prettier" },
    { "stylelint", "*", L, 0, "linter stylelint" }, { "biome", "*", L, 0, "linter biome" },
    { "xo", "*", L, 0, "linter xo" }, { "standard", "*", L, 0, "linter standard" },
    { "oxlint", "*", L, 0, "linter oxlint" },
    { "vite", "build", B, 0, NULL }, { "vite", "*", R, 0, "dev server vite" },
    { "webpack", "serve", R, 0, NULL }, { "webpack", "*", B, 0, "bundler webpack" },
    { "rollup", "*", B, 0, "bundler rollup" }, { "esbuild", "*", B, 0, "bundler esbuild" },
    { "parcel", "build", B, 0, NULL }, { "parcel", "*", R, 0, "dev server parcel" },
    { "next", "build", B, 0, NULL }, { "next", "lint", L, 0, NULL },
    { "next", "*", R, 0, "next %s" },
    { "nuxt", "build", B, 0, NULL }, { "nuxt", "*", R, 0, "nuxt %s" },
    { "nodemon", "*", R, 0, "dev server nodemon" },
    { "http-server", "*", R, 0, "static server" }, { "serve", "*", R, 0, "static server" },
    { "changeset", "publish", O, DEP, NULL }, { "changeset", "*", O, 0, NULL },
    { "semantic-release", "*", O, DEP, "release with semantic-release" },
    { "corepack", "*", S, 0, "toolchain manager corepack" },
    //  Python
    { "pytest", "*", T, 0, "test runner pytest" },
    { "py.test", "*", T, 0, "test runner pytest" },
    { "unittest", "*", T, 0, "test runner unittest" },
    { "nose2", "*", T, 0, "test runner nose2" }, { "nosetests", "*", T, 0, "test runner nose" },
    { "trial", "*", T, 0, "test runner trial" }, { "behave", "*", T, 0, "test runner behave" },
    { "green", "*", T, 0, "test runner green" }, { "ward", "*", T, 0, "test runner ward" },
    { "coverage", "run", T, 0, "coverage run" }, { "coverage", "*", O, 0, NULL },
    { "mypy", "*", L, 0, "type checker mypy" }, { "pyright", "*", L, 0, "type checker pyright" },
    { "flake8", "*", L, 0, "linter flake8" }, { "pylint", "*", L, 0, "linter pylint" },
    { "ruff", "*", L, 0, "linter ruff" }, { "black", "*", L, 0, "formatter black" },
    { "isort", "*", L, 0, "formatter isort" }, { "bandit", "*", L, 0, "linter bandit" },
    { "pycodestyle", "*", L, 0, "linter pycodestyle" },
    { "pre-commit", "install", O, 0, "installs git hooks" },
    { "pre-commit", "*", L, 0, "linter pre-commit" },
    { "twine", "upload", O, DEP, NULL }, { "twine", "check", L, 0, NULL },
    { "flit", "publish", O, DEP, NULL }, { "flit", "build", B, 0, NULL },
    { "flit", "install", I, 0, NULL },
    { "maturin", "develop", I, 0, NULL }, { "maturin", "build", B, 0, NULL },
    { "maturin", "publish", O, DEP, NULL },
    { "poetry", "install", I, 0, NULL }, { "poetry", "sync", I, 0, NULL },
    { "poetry", "build", B, 0, NULL }, { "poetry", "publish", O, DEP, NULL },
    { "poetry", "check", L, 0, NULL }, { "poetry", "*", O, 0, NULL },
    { "pdm", "install", I, 0, NULL }, { "pdm", "sync", I, 0, NULL },
    { "pdm", "build", B, 0, NULL }, { "pdm", "publish", O, DEP, NULL },
    { "pdm", "*", O, 0, NULL },
    { "uv", "sync", I, 0, NULL }, { "uv", "build", B, 0, NULL },
    { "uv", "publish", O, DEP, NULL }, { "uv", "venv", O, 0, "creates a virtualenv" },
    { "uv", "*", O, 0, NULL },
    { "pipenv", "install", I, 0, NULL }, { "pipenv", "sync", I, 0, NULL },
    { "pipenv", "*", O, 0, NULL },
    { "hatch", "test", T, 0, NULL }, { "hatch", "build", B, 0, NULL },
    { "hatch", "fmt", L, 0, NULL }, { "hatch", "publish", O, DEP, NULL },
    { "hatch", "*", O, 0, NULL },
    { "rye", "sync", I, 0, NULL }, { "rye", "test", T, 0, NULL },
    { "rye", "lint", L, 0, NULL }, { "rye", "fmt", L, 0, NULL },
    { "rye", "build", B, 0, NULL }, { "rye", "publish", O, DEP, NULL },
    { "rye", "*", O, 0, NULL },
    { "venv", "*", O, 0, "creates a virtualenv" },
    { "virtualenv", "*", O, 0, "creates a virtualenv" },
    { "build", "*", B, 0, "builds the package" },
    { "sphinx-build", "*", B, 0, "docs build sphinx" },
    { "mkdocs", "build", B, 0, NULL }, { "mkdocs", "serve", R, 0, NULL },
    { "mkdocs", "gh-deploy", O, DEP, NULL }, { "mkdocs", "*", O, 0, NULL },
    { "http.server", "*", R, 0, "static server" },
    { "flask", "run", R, 0, NULL }, { "flask", "*", O, 0, NULL },
    { "uvicorn", "*", R, 0, "server uvicorn" }, { "gunicorn", "*", R, 0, "server gunicorn" },
    { "hypercorn", "*", R, 0, "server hypercorn" }, { "daphne", "*", R, 0, "server daphne" },
    { "streamlit", "*", R, 0, "server streamlit" }, { "jupyter", "*", R, 0, "jupyter %s" },
    { "ipython", "*", R, 0, "interactive REPL" },
    //  Ruby
    { "bundle", "", I, 0, "bundle install" }, { "bundle", "install", I, 0, NULL },
    { "bundle", "update", I, 0, NULL }, { "bundle", "*", O, 0, NULL },
    { "bundler", "install", I, 0, "bundle install" },
    { "rspec", "*", T, 0, "test runner rspec" },
    { "rubocop", "*", L, 0, "linter rubocop" }, { "standardrb", "*", L, 0, "linter standardrb" },
    { "rails", "s", R, 0, "rails server" }, { "rails", "server", R, 0, NULL },
    { "rails", "test", T, 0, NULL }, { "rails", "c", R, 0, "rails console" },
    { "rails", "console", R, 0, NULL }, { "rails", "*", O, 0, NULL },
    { "gem", "build", B, 0, NULL }, { "gem", "push", O, DEP, NULL },
    { "gem", "*", O, 0, NULL },
    { "irb", "*", R, 0, "interactive REPL" },
    //  PHP
    { "composer", "install", I, 0, NULL }, { "composer", "update", I, 0, NULL },
    { "composer", "validate", L, 0, NULL },
    { "phpunit", "*", T, 0, "test runner phpunit" }, { "pest", "*", T, 0, "test runner pest" },
    { "paratest", "*", T, 0, "test runner paratest" },
    { "phpstan", "*", L, 0, "linter phpstan" }, { "psalm", "*", L, 0, "linter psalm" },
    { "phpcs", "*", L, 0, "linter phpcs" }, { "php-cs-fixer", "*", L, 0, "formatter php-cs-fixer" },
    { "phpcbf", "*", L, 0, "formatter phpcbf" },
    //  Elixir, Erlang
    { "mix", "deps.get", I, 0, NULL }, { "mix", "deps.compile", I, 0, NULL },
    { "mix", "test", T, 0, NULL }, { "mix", "compile", B, 0, NULL },
    { "mix", "format", L, 0, NULL }, { "mix", "credo", L, 0, NULL },
    { "mix", "dialyzer", L, 0, NULL }, { "mix", "phx.server", R, 0, NULL },
    { "mix", "run", R, 0, NULL }, { "mix", "hex.publish", O, DEP, NULL },
    { "mix", "docs", B, 0, NULL }, { "mix", "escript.build", B, 0, NULL },
    { "mix", "*", O, 0, NULL },
    { "iex", "*", R, 0, "interactive REPL" }, { "elixir", "*", R, 0, "runs elixir" },
    { "rebar3", "compile", B, 0, NULL }, { "rebar3", "eunit", T, 0, NULL },
    { "rebar3", "ct", T, 0, NULL }, { "rebar3", "proper", T, 0, NULL },
    { "rebar3", "dialyzer", L, 0, NULL }, { "rebar3", "xref", L, 0, NULL },
    { "rebar3", "lint", L, 0, NULL }, { "rebar3", "fmt", L, 0, NULL },
    { "rebar3", "shell", R, 0, NULL }, { "rebar3", "get-deps", I, 0, NULL },
    { "rebar3", "release", B, 0, NULL }, { "rebar3", "hex", O, DEP, NULL },
    { "rebar3", "*", O, 0, NULL },
    { "erl", "*", R, 0, "interactive REPL" }, { "erlc", "*", B, 0, "compiler erlc" },
    //  .NET
    { "dotnet", "restore", I, 0, NULL }, { "dotnet", "build", B, 0, NULL },
    { "dotnet", "test", T, 0, NULL }, { "dotnet", "run", R, 0, NULL },
    { "dotnet", "watch", R, 0, NULL }, { "dotnet", "format", L, 0, NULL },
    { "dotnet", "pack", B, 0, NULL }, { "dotnet", "publish", B, 0, NULL },
    { "dotnet", "*", O, 0, NULL },
    { "msbuild", "*", B, 0, "msbuild" },
    { "nuget", "restore", I, 0, NULL }, { "nuget", "push", O, DEP, NULL },
    { "nuget", "install", I, CON, NULL }, { "nuget", "*", O, 0, NULL },
    { "Install-Package", "*", I, CON, "installs package %s" },
    //  JVM
    { "lein", "test", T, 0, NULL }, { "lein", "run", R, 0, NULL },
    { "lein", "deps", I, 0, NULL }, { "lein", "uberjar", B, 0, NULL },
    { "lein", "deploy", O, DEP, NULL }, { "lein", "*", O, 0, NULL },
    { "java", "*", R, 0, "runs a java program" }, { "javac", "*", B, 0, "compiler javac" },
    { "kotlinc", "*", B, 0, "compiler kotlinc" },
    { "ant", "test", T, 0, "ant target test" }, { "ant", "*", B, 0, "ant build" },
    //  Swift, Apple
    { "swift", "build", B, 0, NULL }, { "swift", "test", T, 0, NULL },
    { "swift", "run", R, 0, NULL }, { "swift", "format", L, 0, NULL },
    { "swift", "", R, 0, "interactive REPL" }, { "swift", "*", O, 0, NULL },
    { "swiftlint", "*", L, 0, "linter swiftlint" },
    { "swift-format", "*", L, 0, "formatter swift-format" },
    { "pod", "install", I, 0, NULL }, { "pod", "*", O, 0, NULL },
    { "carthage", "bootstrap", I, 0, NULL }, { "carthage", "update", I, 0, NULL },
    { "carthage", "*", O, 0, NULL },
    //  Zig
    { "zig", "test", T, 0, NULL }, { "zig", "fmt", L, 0, NULL },
    { "zig", "run", R, 0, NULL }, { "zig", "fetch", I, CON, NULL },
    { "zig", "*", O, 0, NULL },
    //  Haskell
    { "cabal", "build", B, 0, NULL }, { "cabal", "test", T, 0, NULL },
    { "cabal", "run", R, 0, NULL }, { "cabal", "update", I, 0, NULL },
    { "cabal", "repl", R, 0, NULL }, { "cabal", "*", O, 0, NULL },
    { "stack", "test", T, 0, NULL }, { "stack", "setup", I, 0, NULL },
    { "stack", "run", R, 0, NULL }, { "stack", "exec", R, 0, NULL },
    { "stack", "ghci", R, 0, NULL }, { "stack", "*", O, 0, NULL },
    { "ghc", "*", B, 0, "compiler ghc" }, { "ghci", "*", R, 0, "interactive REPL" },
    { "hlint", "*", L, 0, "linter hlint" }, { "ormolu", "*", L, 0, "formatter ormolu" },
    { "fourmolu", "*", L, 0, "formatter fourmolu" },
    { "ghcup", "*", S, 0, "toolchain manager ghcup" },
    //  OCaml
    { "dune", "runtest", T, 0, NULL }, { "dune", "test", T, 0, NULL },
    { "dune", "fmt", L, 0, NULL }, { "dune", "exec", R, 0, NULL },
    { "dune", "utop", R, 0, NULL }, { "dune", "*", O, 0, NULL },
    { "opam", "switch", S, 0, NULL }, { "opam", "init", S, 0, NULL },
    { "opam", "*", O, 0, NULL },
    { "utop", "*", R, 0, "interactive REPL" },
    //  Dart
    { "dart", "test", T, 0, NULL }, { "dart", "analyze", L, 0, NULL },
    { "dart", "format", L, 0, NULL }, { "dart", "run", R, 0, NULL },
    { "dart", "compile", B, 0, NULL }, { "dart", "*", O, 0, NULL },
    { "flutter", "test", T, 0, NULL }, { "flutter", "analyze", L, 0, NULL },
    { "flutter", "format", L, 0, NULL }, { "flutter", "run", R, 0, NULL },
    { "flutter", "build", B, 0, NULL }, { "flutter", "*", O, 0, NULL },
    //  Lua, Perl, Nim, Crystal
    { "busted", "*", T, 0, "test runner busted" },
    { "luarocks", "make", B, 0, NULL }, { "luarocks", "build", B, 0, NULL },
    { "luarocks", "test", T, 0, NULL }, { "luarocks", "upload", O, DEP, NULL },
    { "luarocks", "*", O, 0, NULL },
    { "luacheck", "*", L, 0, "linter luacheck" }, { "lua", "*", R, 0, "runs lua" },
    { "prove", "*", T, 0, "test runner prove" },
    { "nimble", "test", T, 0, NULL }, { "nimble", "build", B, 0, NULL },
    { "nimble", "publish", O, DEP, NULL }, { "nimble", "*", O, 0, NULL },
    { "crystal", "spec", T, 0, NULL }, { "crystal", "build", B, 0, NULL },
    { "crystal", "run", R, 0, NULL }, { "crystal", "*", O, 0, NULL },
    { "shards", "install", I, 0, NULL }, { "shards", "build", B, 0, NULL },
    { "shards", "*", O, 0, NULL },
    //  C and C++ builds
    { "ctest", "*", T, 0, "test runner ctest" },
    { "meson", "test", T, 0, NULL }, { "meson", "*", B, 0, "meson %s" },
    { "scons", "*", B, 0, "scons build" }, { "xmake", "*", B, 0, "xmake build" },
    { "premake5", "*", B, 0, "configure premake" }, { "qmake", "*", B, 0, "configure qmake" },
    { "autoreconf", "*", B, 0, "configure script" },
    { "configure", "*", B, 0, "configure script" },
    { "autogen.sh", "*", B, 0, "configure script" },
    { "bootstrap.sh", "*", B, 0, "configure script" },
    { "gcc", "*", B, 0, "compiler gcc" }, { "cc", "*", B, 0, "compiler cc" },
    { "clang", "*", B, 0, "compiler clang" }, { "g++", "*", B, 0, "compiler g++" },
    { "c++", "*", B, 0, "compiler c++" }, { "clang++", "*", B, 0, "compiler clang++" },
    { "clang-format", "*", L, 0, "formatter clang-format" },
    { "clang-tidy", "*", L, 0, "linter clang-tidy" },
    { "cppcheck", "*", L, 0, "linter cppcheck" },
    { "valgrind", "*", T, 0, "memory check valgrind" },
    { "bazel", "test", T, 0, NULL }, { "bazel", "run", R, 0, NULL },
    { "bazel", "*", B, 0, "bazel %s" },
    { "bazelisk", "test", T, 0, NULL }, { "bazelisk", "*", B, 0, "bazel %s" },
    { "conan", "install", I, 0, NULL }, { "conan", "*", B, 0, "conan %s" },
    { "vcpkg", "install", I, 0, NULL }, { "vcpkg", "*", O, 0, NULL },
    //  Containers
    { "docker", "build", B, 0, NULL }, { "docker", "run", R, 0, NULL },
    { "docker", "push", O, DEP, NULL }, { "docker", "*", O, 0, NULL },
    { "podman", "build", B, 0, NULL }, { "podman", "run", R, 0, NULL },
    { "podman", "push", O, DEP, NULL }, { "podman", "*", O, 0, NULL },
    //  Deploying
    { "kubectl", "*", O, DEP, "deploys with kubectl" },
    { "helm", "lint", L, 0, NULL }, { "helm", "*", O, DEP, "deploys with helm" },
    { "heroku", "*", O, DEP, "deploys with heroku" },
    { "vercel", "*", O, DEP, "deploys with vercel" },
    { "netlify", "*", O, DEP, "deploys with netlify" },
    { "fly", "*", O, DEP, "deploys with fly" }, { "flyctl", "*", O, DEP, "deploys with fly" },
    { "firebase", "*", O, DEP, "deploys with firebase" },
    { "serverless", "*", O, DEP, "deploys with serverless" },
    { "sls", "*", O, DEP, "deploys with serverless" },
    { "terraform", "*", O, DEP, "deploys with terraform" },
    { "pulumi", "*", O, DEP, "deploys with pulumi" },
    { "gcloud", "*", O, DEP, "deploys with gcloud" },
    { "pack", "*", O, DEP, "builds an image with pack" },
    { "surge", "*", O, DEP, "deploys with surge" },
    //  Toolchain managers
    { "nvm", "*", S, 0, "toolchain manager nvm" }, { "fnm", "*", S, 0, "toolchain manager fnm" },
    { "volta", "*", S, 0, "toolchain manager volta" },
    { "pyenv", "*", S, 0, "toolchain manager pyenv" },
    { "rbenv", "*", S, 0, "toolchain manager rbenv" },
    { "rvm", "*", S, 0, "toolchain manager rvm" },
    { "asdf", "*", S, 0, "toolchain manager asdf" },
    { "mise", "*", S, 0, "toolchain manager mise" },
    { "sdk", "*", S, 0, "toolchain manager sdkman" },
    { "juliaup", "*", S, 0, "toolchain manager juliaup" },
    { "goenv", "*", S, 0, "toolchain manager goenv" },
    { "jenv", "*", S, 0, "toolchain manager jenv" },
    { "nix-shell", "*", S, 0, "nix shell" }, { "nix", "*", S, 0, "nix %s" },
    //  Shell and file utilities
    { "echo", "*", O, 0, "shell echo" }, { "export", "*", O, 0, "sets a variable" },
    { "source", "*", O, 0, "sources a script" }, { ".", "*", O, 0, "sources a script" },
    { "mkdir", "*", O, 0, "shell mkdir" }, { "cp", "*", O, 0, "shell cp" },
    { "mv", "*", O, 0, "shell mv" }, { "rm", "*", O, 0, "shell rm" },
    { "ls", "*", O, 0, "shell ls" }, { "cat", "*", O, 0, "shell cat" },
    { "chmod", "*", O, 0, "shell chmod" }, { "ln", "*", O, 0, "shell ln" },
    { "touch", "*", O, 0, "shell touch" }, { "tar", "*", O, 0, "unpacks an archive" },
    { "unzip", "*", O, 0, "unpacks an archive" },
    { "curl", "*", O, 0, "downloads a file" }, { "wget", "*", O, 0, "downloads a file" },
    { NULL, NULL, 0, 0, NULL }
};

//  Known tools the table does not list, handled by code below or simply
//  worth recognising as the start of a command line.
static const char *const s_extra_tools [] = {
    "make", "gmake", "bmake", "cmake", "ninja", "just", "task", "mage", "invoke",
    "rake", "thor", "python", "python3", "python2", "py", "pypy3", "pip", "pip3", "pipx",
    "node", "npx", "pnpx", "bunx", "uvx", "tox", "nox", "tsc", "mvn", "mvnw",
    "gradle", "gradlew", "sbt", "clojure", "clj", "git", "gh", "cd", "sudo", "env",
    "R", "Rscript", "julia", "xcodebuild", "conda", "mamba", "micromamba", "php",
    "composer", "perl", "cpanm", "ruby", "brew", "port", "choco", "scoop",
    "winget", "snap", "apt", "apt-get", "aptitude", "dnf", "yum", "zypper",
    "pacman", "apk", "emerge", "pkg", "xbps-install", "docker-compose", "sh",
    "bash", "zsh", "fish", "pwsh", "powershell", "turbo", "nx", "lerna",
    "export", "set", "mise", "time", "xvfb-run", "hugo", "jekyll", "tmux",
    NULL
};

//  -- small helpers -------------------------------------------------------

static bool
s_eq (const char *a, const char *b)
{
    return a && b && a [0] == b [0] && strcmp (a, b) == 0;
}

static bool
s_starts (const char *text, const char *prefix)
{
    return text && strncmp (text, prefix, strlen (prefix)) == 0;
}

static bool
s_ends (const char *text, const char *suffix)
{
    size_t len = strlen (text), slen = strlen (suffix);
    return len >= slen && strcmp (text + len - slen, suffix) == 0;
}

static void s_reason (classify_result_t *out, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Writes the reason, cutting at a character boundary if it is too long.
static void
s_reason (classify_result_t *out, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int len = vsnprintf (out->reason, sizeof out->reason, format, args);
    va_end (args);
    if (len >= (int) sizeof out->reason) {
        size_t end = sizeof out->reason - 1;
        while (end > 0 && ((unsigned char) out->reason [end] & 0xc0) == 0x80)
            end--;
        out->reason [end] = 0;
    }
}

static void
s_set (classify_result_t *out, int kind, uint32_t flags)
{
    out->kind = (cmd_kind_t) kind;
    out->flags |= flags;
}

//  True when the word is an option (-x, --long).
static bool
s_option (const char *word)
{
    return word && word [0] == '-' && word [1];
}

//  True for a FOO=bar assignment prefix.
static bool
s_assignment (const char *word)
{
    if (!(word [0] == '_' || (word [0] >= 'A' && word [0] <= 'Z')
                          || (word [0] >= 'a' && word [0] <= 'z')))
        return false;
    for (const char *p = word; *p; p++) {
        if (*p == '=')
            return true;
        if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
                        || (*p >= '0' && *p <= '9')))
            return false;
    }
    return false;
}

//  The last path segment of word.
static const char *
s_basename (const char *word)
{
    const char *slash = strrchr (word, '/');
    const char *back = strrchr (word, '\\');
    if (back && (!slash || back > slash))
        slash = back;
    return slash? slash + 1: word;
}

static bool
s_is_path (const char *word)
{
    return (strchr (word, '/') || strchr (word, '\\')) && !strstr (word, "://");
}

//  The index of the first non-option word at or after i (options listed
//  in with_arg take the following word too), or w->n.
static int
s_next_arg (const words_t *w, int i, const char *const *with_arg)
{
    for (; i < w->n; i++) {
        if (!s_option (w->v [i]))
            return i;
        for (int k = 0; with_arg && with_arg [k]; k++)
            if (s_eq (w->v [i], with_arg [k])) {
                i++;
                break;
            }
    }
    return w->n;
}

//  -- tokenizing ----------------------------------------------------------

//  Splits one part of a chain into words, removing quotes and escapes.
static void
s_split_words (const char *text, size_t size, words_t *w)
{
    w->n = 0;
    size_t out = 0, i = 0;
    while (i < size && w->n < S_MAX_WORDS) {
        while (i < size && (text [i] == ' ' || text [i] == '\t'))
            i++;
        if (i >= size)
            break;
        size_t start = out;
        char quote = 0;
        while (i < size && out < S_WORD_SPACE - 1) {
            char c = text [i];
            if (quote) {
                if (c == quote)
                    quote = 0;
                else
                if (c == '\\' && quote == '"' && i + 1 < size)
                    w->space [out++] = text [++i];
                else
                    w->space [out++] = c;
                i++;
                continue;
            }
            if (c == ' ' || c == '\t')
                break;
            if (c == '\'' || c == '"')
                quote = c;
            else
            if (c == '\\' && i + 1 < size)
                w->space [out++] = text [++i];
            else
                w->space [out++] = c;
            i++;
        }
        if (out >= S_WORD_SPACE - 1)
            break;
        w->space [out++] = 0;
        w->v [w->n++] = w->space + start;
    }
    w->v [w->n] = NULL;
}

//  -- target and script names ---------------------------------------------

static const char *const s_test_words [] = {
    "test", "tests", "testing", "check", "spec", "specs", "e2e", "unit",
    "unittest", "unittests", "integration", "coverage", "cov", "ci", "verify",
    "functional", "acceptance", "smoke", "pytest", "jest", "vitest", "mocha",
    "distcheck", "runtests", "alltests", NULL
};
static const char *const s_lint_words [] = {
    "lint", "linter", "linting", "fmt", "format", "formatting", "style",
    "prettier", "eslint", "typecheck", "types", "tsc", "vet", "clippy", "mypy",
    "flake8", "rubocop", "credo", "dialyzer", "stylelint", "spellcheck",
    "codestyle", "cs", "phpstan", "psalm", "pylint", "ruff", "black", "isort",
    "analyze", "analyse", "precommit", "typing", "pep8", "checkstyle", NULL
};
static const char *const s_build_words [] = {
    "build", "compile", "all", "dist", "docs", "doc", "html", "assemble",
    "package", "jar", "bundle", "release", "debug", "wheel", "sdist", "gen",
    "generate", "site", NULL
};
static const char *const s_install_words [] = {
    "deps", "dependencies", "setup", "bootstrap", "requirements", "vendor",
    "install", "prepare", NULL
};
static const char *const s_run_words [] = {
    "start", "serve", "server", "dev", "watch", "run", "preview", "develop",
    "up", "demo", NULL
};
static const char *const s_deploy_words [] = {
    "deploy", "publish", "upload", "push", NULL
};

static bool
s_in (const char *word, size_t len, const char *const *list)
{
    if (len == 0)
        return false;
    for (int i = 0; list [i]; i++)
        if (list [i][0] == word [0] && strlen (list [i]) == len
        &&  memcmp (list [i], word, len) == 0)
            return true;
    return false;
}

//  The kind one word of a target name suggests, or -1.
static int
s_word_kind (const char *word, size_t len)
{
    if (s_in (word, len, s_test_words) || (len > 4 && strncmp (word, "test", 4) == 0))
        return T;
    if (s_in (word, len, s_lint_words) || (len > 4 && strncmp (word, "lint", 4) == 0))
        return L;
    if (s_in (word, len, s_build_words))
        return B;
    if (s_in (word, len, s_install_words))
        return I;
    if (s_in (word, len, s_run_words))
        return R;
    return -1;
}

//  The kind a target or script name suggests ("test:unit", "lint-fix",
//  "check-format"), or -1; *deploy is set for publish-like names.
static int
s_target_kind (const char *name, bool *deploy)
{
    *deploy = false;
    int first = -1, any = -1, later = -1;
    bool lint_later = false, first_word = true, run_first = false;
    char lower [64];
    size_t len = strlen (name);
    if (len >= sizeof lower)
        len = sizeof lower - 1;
    for (size_t i = 0; i < len; i++)
        lower [i] = (char) ((name [i] >= 'A' && name [i] <= 'Z')? name [i] + 32: name [i]);
    lower [len] = 0;
    const char *p = lower;
    while (*p) {
        size_t n = strcspn (p, ":-_./ +");
        if (n) {
            if (s_in (p, n, s_deploy_words))
                *deploy = true;
            int kind = s_word_kind (p, n);
            if (first_word) {
                first = kind;
                run_first = n == 3 && memcmp (p, "run", 3) == 0;
            }
            else {
                if (kind == L)
                    lint_later = true;
                if (later < 0)
                    later = kind;
            }
            if (any < 0)
                any = kind;
            first_word = false;
        }
        p += n;
        if (*p)
            p++;
    }
    if (*deploy && first != T && first != L)
        return O;
    //  "run-tests", "run_lint": the word after the generic verb says it
    if (run_first && (later == T || later == L || later == B))
        return later;
    if ((first == T || first == -1) && lint_later && !s_starts (lower, "test"))
        return L;
    return first >= 0? first: any;
}

//  Classifies a named script or target; fallback when the name says nothing.
static void
s_script (classify_result_t *out, const char *tool, const char *noun,
          const char *name, int fallback)
{
    bool deploy;
    int kind = s_target_kind (name, &deploy);
    s_set (out, kind >= 0? kind: fallback, deploy? DEP: 0);
    s_reason (out, "%s %s %s", tool, noun, name);
}

//  -- handlers for tools whose arguments matter ----------------------------

static void s_classify (classify_ctx_t *ctx, words_t *w, int i, classify_result_t *out, int depth);
static void s_classify_text (classify_ctx_t *ctx, const char *text, size_t size,
                             classify_result_t *out, int depth);

//  Rank-aware merge of one candidate into a running best.
static void
s_better (classify_result_t *best, const classify_result_t *cand, bool *have)
{
    best->flags |= cand->flags;
    if (!*have || s_rank [cand->kind] > s_rank [best->kind]) {
        best->kind = cand->kind;
        memcpy (best->reason, cand->reason, sizeof best->reason);
        *have = true;
    }
}

//  A target of a build tool (make, ninja): `install` puts the built
//  project onto the system and `clean` throws it away, neither of them
//  a dependency install nor a step CI needs.
static void
s_build_target (classify_result_t *out, const char *tool, const char *word)
{
    bool deploy;
    int kind = s_target_kind (word, &deploy);
    if (s_eq (word, "install") || s_eq (word, "uninstall")
    ||  s_eq (word, "clean") || s_eq (word, "distclean"))
        kind = O;
    s_set (out, kind >= 0? kind: B, deploy? DEP: 0);
    s_reason (out, "%s target %s", tool, word);
}

static void
s_make (const words_t *w, int i, const char *tool, classify_result_t *out)
{
    static const char *const with_arg [] = { "-C", "-f", "-I", "-o", "-W", "-l",
                                             "--directory", "--file", NULL };
    bool have = false;
    for (int k = i + 1; k < w->n; k++) {
        const char *word = w->v [k];
        if (s_option (word)) {
            if (s_in (word, strlen (word), with_arg))
                k++;
            else
            if (s_eq (word, "-j") && k + 1 < w->n && w->v [k + 1][0] >= '0'
                                   && w->v [k + 1][0] <= '9')
                k++;
            continue;
        }
        if (strchr (word, '='))
            continue;
        classify_result_t cand = { 0 };
        s_build_target (&cand, tool, word);
        s_better (out, &cand, &have);
    }
    if (!have) {
        s_set (out, B, 0);
        s_reason (out, "%s (default target)", tool);
    }
}

//  npm/yarn/pnpm/bun install with or without package names.
static void
s_js_install (const words_t *w, int i, const char *tool, classify_result_t *out)
{
    static const char *const with_arg [] = { "--registry", "--prefix", "--cwd", NULL };
    int k = s_next_arg (w, i, with_arg);
    if (k < w->n && w->v [k][0] != '.' && w->v [k][0] != '/' && w->v [k][0] != '~') {
        s_set (out, I, CON);
        s_reason (out, "installs package %s", w->v [k]);
    }
    else {
        s_set (out, I, 0);
        s_reason (out, "%s install", tool);
    }
}

//  npm, yarn, pnpm, bun: install, scripts, exec.
static bool
s_js_pm (classify_ctx_t *ctx, words_t *w, int i, classify_result_t *out, int depth)
{
    const char *tool = w->v [i];
    //  options that take a value before the subcommand: pnpm --filter web
    //  test, npm -w pkg test, yarn --cwd app build
    static const char *const with_arg [] = { "--filter", "-F", "-w", "--workspace",
        "--prefix", "--cwd", "-C", "--dir", NULL };
    int k = s_next_arg (w, i + 1, with_arg);
    const char *sub = k < w->n? w->v [k]: "";
    if (s_eq (sub, "install") || s_eq (sub, "i") || s_eq (sub, "add")
    ||  s_eq (sub, "isntall")) {
        if (s_eq (tool, "yarn") || s_eq (tool, "pnpm") || s_eq (tool, "bun")
        ||  !s_eq (sub, "add")) {
            s_js_install (w, k + 1, tool, out);
            return true;
        }
    }
    if (s_eq (sub, "global") && k + 1 < w->n && s_eq (w->v [k + 1], "add")) {
        s_set (out, I, CON);
        s_reason (out, "installs package %s", k + 2 < w->n? w->v [k + 2]: "");
        return true;
    }
    if (s_eq (sub, "test") || s_eq (sub, "t") || s_eq (sub, "tst")) {
        if (s_eq (tool, "bun"))
            return false;
        s_set (out, T, 0);
        s_reason (out, "%s script test", tool);
        return true;
    }
    if (s_eq (sub, "run") || s_eq (sub, "run-script")) {
        int s = s_next_arg (w, k + 1, NULL);
        if (s >= w->n)
            return false;
        //  bun run file.ts runs a program.
        if (s_ends (w->v [s], ".js") || s_ends (w->v [s], ".ts")) {
            s_set (out, R, 0);
            s_reason (out, "runs %s", w->v [s]);
            return true;
        }
        s_script (out, tool, "script", w->v [s], O);
        return true;
    }
    if (s_eq (sub, "exec") || s_eq (sub, "dlx") || s_eq (sub, "x")) {
        int s = s_next_arg (w, k + 1, NULL);
        if (s < w->n)
            s_classify (ctx, w, s, out, depth + 1);
        return true;
    }
    //  yarn, pnpm and bun run scripts by bare name.
    if (!s_eq (tool, "npm") && *sub && !s_eq (sub, "publish")
    &&  !s_eq (sub, "init") && !s_eq (sub, "create")) {
        s_script (out, tool, "script", sub, O);
        return true;
    }
    return false;
}

//  pip install: requirements files, the project itself, or named packages.
static void
s_pip_install (const words_t *w, int i, classify_result_t *out)
{
    static const char *const with_arg [] = {
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t",
        "--target", "--prefix", "--root", "--python-version", "--platform",
        "--trusted-host", "-C", "--config-settings", "--only-binary",
        "--no-binary", NULL
    };
    const char *requirements = NULL, *package = NULL;
    bool project = false;
    for (int k = i; k < w->n; k++) {
        const char *word = w->v [k];
        if (s_eq (word, "-r") || s_eq (word, "--requirement")
        ||  s_eq (word, "-c") || s_eq (word, "--constraint")) {
            if (k + 1 < w->n && !requirements && word [1] != 'c' && !s_eq (word, "--constraint"))
                requirements = w->v [k + 1];
            k++;
        }
        else
        if (s_starts (word, "-r") && word [2] && word [1] == 'r')
            requirements = requirements? requirements: word + 2;
        else
        if (s_eq (word, "-e") || s_eq (word, "--editable"))
            project = true;
        else
        if (s_option (word)) {
            if (s_in (word, strlen (word), with_arg))
                k++;
        }
        else
        if (word [0] == '.' || word [0] == '/' || s_is_path (word))
            project = true;
        else
        if (!package)
            package = word;
    }
    if (requirements) {
        s_set (out, I, 0);
        s_reason (out, "installs from %s", requirements);
    }
    else
    if (project) {
        s_set (out, I, 0);
        s_reason (out, "installs the project");
    }
    else
    if (package) {
        s_set (out, I, CON);
        s_reason (out, "installs package %s", package);
    }
    else {
        s_set (out, I, 0);
        s_reason (out, "pip install");
    }
}

//  A named package install (gem install foo, cargo install foo): a
//  consumer install unless it names a local path.
static void
s_named_install (const words_t *w, int i, const char *tool, classify_result_t *out,
                 const char *const *with_arg)
{
    int k = s_next_arg (w, i, with_arg);
    for (int o = i; o < w->n; o++)
        if (s_eq (w->v [o], "--path") || s_eq (w->v [o], "--deps-only")
        ||  s_eq (w->v [o], "--only-dependencies") || s_eq (w->v [o], "--dependencies-only")
        ||  s_eq (w->v [o], "--installdeps") || s_eq (w->v [o], "--only-deps"))
            k = w->n;
    if (k < w->n && w->v [k][0] != '.' && !s_is_path (w->v [k])) {
        s_set (out, I, CON);
        s_reason (out, "%s installs %s", tool, w->v [k]);
    }
    else {
        s_set (out, I, 0);
        s_reason (out, "%s installs dependencies", tool);
    }
}

//  A script named by its path (./build.sh, scripts/test, bin/setup).
static void
s_path_script (const char *word, classify_result_t *out)
{
    const char *base = s_basename (word);
    char name [64];
    size_t len = strcspn (base, ".");
    if (len == 0)
        len = strlen (base);
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy (name, base, len);
    name [len] = 0;
    if (s_eq (name, "configure") || s_eq (name, "autogen") || s_eq (name, "bootstrap")
    ||  s_eq (name, "buildconf")) {
        s_set (out, B, 0);
        s_reason (out, "configure script");
        return;
    }
    bool deploy;
    int kind = s_target_kind (name, &deploy);
    s_set (out, kind >= 0? kind: O, deploy? DEP: 0);
    s_reason (out, "runs script %s", word);
}

//  python [-m module | script.py | setup.py cmd | manage.py cmd].
static void
s_python (classify_ctx_t *ctx, words_t *w, int i, classify_result_t *out, int depth)
{
    static const char *const with_arg [] = { "-W", "-X", NULL };
    int k = s_next_arg (w, i + 1, with_arg);
    for (int o = i + 1; o < k && o < w->n; o++) {
        if (s_eq (w->v [o], "-m") && o + 1 < w->n) {
            const char *module = w->v [o + 1];
            if (s_eq (module, "pip") || s_eq (module, "pip3")) {
                int s = s_next_arg (w, o + 2, NULL);
                if (s < w->n && s_eq (w->v [s], "install")) {
                    s_pip_install (w, s + 1, out);
                    return;
                }
                s_set (out, O, 0);
                s_reason (out, "pip %s", s < w->n? w->v [s]: "");
                return;
            }
            if (classify_known_tool (module, strlen (module))) {
                s_classify (ctx, w, o + 1, out, depth + 1);
                return;
            }
            s_set (out, R, 0);
            s_reason (out, "runs module %s", module);
            return;
        }
        if (s_eq (w->v [o], "-c")) {
            s_set (out, O, 0);
            s_reason (out, "runs python code");
            return;
        }
        if (s_eq (w->v [o], "--version") || s_eq (w->v [o], "-V")) {
            s_set (out, O, 0);
            s_reason (out, "prints the python version");
            return;
        }
    }
    if (k >= w->n) {
        s_set (out, R, 0);
        s_reason (out, "interactive REPL");
        return;
    }
    const char *script = s_basename (w->v [k]);
    const char *sub = k + 1 < w->n? w->v [k + 1]: "";
    if (s_eq (script, "setup.py")) {
        if (s_eq (sub, "test") || s_eq (sub, "pytest"))
            s_set (out, T, 0);
        else
        if (s_eq (sub, "install") || s_eq (sub, "develop"))
            s_set (out, I, 0);
        else
        if (s_eq (sub, "upload") || s_eq (sub, "register"))
            s_set (out, O, DEP);
        else
        if (s_starts (sub, "build") || s_starts (sub, "sdist") || s_starts (sub, "bdist"))
            s_set (out, B, 0);
        else
            s_set (out, O, 0);
        s_reason (out, "setup.py %s", sub);
        return;
    }
    if (s_eq (script, "manage.py")) {
        if (s_eq (sub, "test"))
            s_set (out, T, 0);
        else
        if (s_eq (sub, "runserver"))
            s_set (out, R, 0);
        else
            s_set (out, O, 0);
        s_reason (out, "manage.py %s", sub);
        return;
    }
    s_path_script (w->v [k], out);
    if (out->kind == CMD_OTHER)
        out->kind = CMD_RUN;
}

//  cmake: configure, --build (maybe a test target), --install.
static void
s_cmake (const words_t *w, int i, classify_result_t *out)
{
    bool build = false;
    for (int k = i + 1; k < w->n; k++) {
        if (s_eq (w->v [k], "--build"))
            build = true;
        if (s_eq (w->v [k], "--install") || s_eq (w->v [k], "-E") || s_eq (w->v [k], "-P")) {
            s_set (out, O, 0);
            s_reason (out, "cmake %s", w->v [k]);
            return;
        }
        if (build && (s_eq (w->v [k], "--target") || s_eq (w->v [k], "-t"))
        &&  k + 1 < w->n) {
            bool deploy;
            const char *target = w->v [k + 1];
            int kind = s_target_kind (target, &deploy);
            if (s_eq (target, "RUN_TESTS"))
                kind = T;
            s_set (out, kind >= 0 && kind != R? kind: B, 0);
            s_reason (out, "cmake target %s", target);
            return;
        }
    }
    s_set (out, B, 0);
    s_reason (out, build? "cmake --build": "cmake configure");
}

//  tox -e env / nox -s session: lint or docs environments are not tests.
static void
s_tox (const words_t *w, int i, classify_result_t *out)
{
    const char *tool = w->v [i];
    const char *env = NULL;
    for (int k = i + 1; k < w->n && !env; k++) {
        if ((s_eq (w->v [k], "-e") || s_eq (w->v [k], "-s") || s_eq (w->v [k], "--env")
        ||   s_eq (w->v [k], "--session") || s_eq (w->v [k], "--sessions"))
        &&  k + 1 < w->n)
            env = w->v [k + 1];
        else
        if (s_starts (w->v [k], "-e") && w->v [k][2])
            env = w->v [k] + 2;
    }
    bool deploy;
    int kind = env? s_target_kind (env, &deploy): -1;
    if (kind == L || kind == B) {
        s_set (out, kind, 0);
        s_reason (out, "%s env %s", tool, env);
        return;
    }
    s_set (out, T, 0);
    s_reason (out, "test runner %s", tool);
}

//  Maven goals, Gradle tasks and sbt commands: the strongest wins.
static void
s_jvm (const words_t *w, int i, const char *tool, classify_result_t *out)
{
    static const char *const with_arg [] = { "-f", "-s", "-pl", "-rf", "-T", "-p",
        "-x", "--exclude-task", "--tests", "-b", "--project-dir", NULL };
    bool maven = s_eq (tool, "mvn"), skip_tests = false, have = false;
    for (int k = i + 1; k < w->n; k++)
        if (strstr (w->v [k], "skipTests") || strstr (w->v [k], "maven.test.skip=true"))
            skip_tests = true;
    for (int k = i + 1; k < w->n; k++) {
        const char *word = w->v [k];
        if (s_option (word)) {
            if (s_in (word, strlen (word), with_arg))
                k++;
            continue;
        }
        //  :module:test -> test; "testOnly Foo" -> testOnly; +test -> test
        const char *task = strrchr (word, ':')? strrchr (word, ':') + 1: word;
        if (maven && strchr (word, ':'))
            task = word;
        while (*task == '+' || *task == ';')
            task++;
        char name [64];
        size_t len = strcspn (task, " ");
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy (name, task, len);
        name [len] = 0;
        int kind;
        uint32_t flags = 0;
        if (s_eq (name, "test") || s_eq (name, "verify") || s_eq (name, "check")
        ||  s_starts (name, "test") || s_ends (name, "Test") || s_ends (name, "Tests")
        ||  s_eq (name, "integration-test"))
            kind = T;
        else
        if (strstr (name, "spotless") || strstr (name, "checkstyle") || strstr (name, "lint")
        ||  strstr (name, "Lint") || strstr (name, "detekt") || strstr (name, "ktlint")
        ||  strstr (name, "scalafmt") || strstr (name, "pmd") || strstr (name, "spotbugs"))
            kind = L;
        else
        if (s_eq (name, "run") || s_eq (name, "bootRun") || strstr (name, ":run")
        ||  s_eq (name, "exec:java") || s_eq (name, "spring-boot:run") || s_eq (name, "jetty:run"))
            kind = R;
        else
        if (s_starts (name, "dependency:") || s_eq (name, "dependencies")
        ||  s_eq (name, "update"))
            kind = I;
        else
        if (s_eq (name, "deploy") || s_starts (name, "publish")) {
            kind = O;
            flags = DEP;
        }
        else
        if (s_eq (name, "clean"))
            kind = O;
        else
            kind = B;
        if (kind == T && skip_tests)
            kind = B;
        classify_result_t cand = { 0 };
        s_set (&cand, kind, flags);
        s_reason (&cand, "%s %s %s", tool, maven? "goal": s_eq (tool, "sbt")? "command": "task", name);
        s_better (out, &cand, &have);
    }
    if (!have) {
        s_set (out, s_eq (tool, "sbt")? R: maven? O: B, 0);
        s_reason (out, "%s", tool);
    }
}

//  Installers of system packages; brew and friends mostly install apps.
static bool
s_system (const words_t *w, int i, classify_result_t *out)
{
    static const char *const native [] = { "apt", "apt-get", "aptitude", "dnf", "yum",
        "zypper", "pacman", "apk", "emerge", "pkg", "xbps-install", NULL };
    static const char *const apps [] = { "brew", "port", "choco", "scoop", "winget",
        "snap", NULL };
    const char *tool = w->v [i];
    bool is_native = s_in (tool, strlen (tool), native);
    if (!is_native && !s_in (tool, strlen (tool), apps))
        return false;
    int k = s_next_arg (w, i + 1, NULL);
    const char *sub = k < w->n? w->v [k]: "";
    uint32_t flags = 0;
    if (!is_native && (s_eq (sub, "install") || s_eq (sub, "reinstall"))
    &&  s_next_arg (w, k + 1, NULL) < w->n)
        flags = CON;
    s_set (out, S, flags);
    s_reason (out, "system package manager %s", tool);
    return true;
}

//  Scans an R or Julia expression for what it does.
static bool
s_code_expr (const words_t *w, int i, classify_result_t *out)
{
    const char *tool = w->v [i];
    for (int k = i + 1; k < w->n; k++) {
        const char *code = w->v [k];
        if (strstr (code, "Pkg.test") || strstr (code, "devtools::test")
        ||  strstr (code, "testthat") || strstr (code, "devtools::check")
        ||  strstr (code, "rcmdcheck")) {
            s_set (out, T, 0);
            s_reason (out, "%s runs the tests", tool);
            return true;
        }
        if (strstr (code, "lintr") || strstr (code, "styler")) {
            s_set (out, L, 0);
            s_reason (out, "%s lints", tool);
            return true;
        }
        if (strstr (code, "install_deps") || strstr (code, "Pkg.instantiate")
        ||  strstr (code, "renv::restore") || strstr (code, "pak::local_install_deps")) {
            s_set (out, I, 0);
            s_reason (out, "%s installs dependencies", tool);
            return true;
        }
        if (strstr (code, "install.packages") || strstr (code, "Pkg.add")
        ||  strstr (code, "install_github")) {
            s_set (out, I, CON);
            s_reason (out, "%s installs a package", tool);
            return true;
        }
    }
    s_set (out, R, 0);
    s_reason (out, "runs %s", tool);
    return true;
}

//  Handlers for tools whose arguments decide; false to use the table.
static bool
s_special (classify_ctx_t *ctx, words_t *w, int i, classify_result_t *out, int depth)
{
    const char *tool = w->v [i];
    int k = s_next_arg (w, i + 1, NULL);
    const char *sub = k < w->n? w->v [k]: "";

    if (s_eq (tool, "make") || s_eq (tool, "gmake") || s_eq (tool, "bmake")) {
        s_make (w, i, "make", out);
        return true;
    }
    if (s_eq (tool, "ninja")) {
        static const char *const with_arg [] = { "-C", "-f", "-j", NULL };
        int t = s_next_arg (w, i + 1, with_arg);
        if (t < w->n)
            s_build_target (out, "ninja", w->v [t]);
        else {
            s_set (out, B, 0);
            s_reason (out, "ninja build");
        }
        return true;
    }
    //  thor is Ruby's other task runner: `thor spec` as `rake spec`
    if (s_eq (tool, "just") || s_eq (tool, "task") || s_eq (tool, "mage")
    ||  s_eq (tool, "invoke") || s_eq (tool, "inv") || s_eq (tool, "thor")) {
        if (*sub)
            s_script (out, tool, "recipe", sub, O);
        else {
            s_set (out, O, 0);
            s_reason (out, "%s default recipe", tool);
        }
        return true;
    }
    if (s_eq (tool, "rake")) {
        if (*sub && !strchr (sub, '='))
            s_script (out, "rake", "task", sub, O);
        else {
            s_set (out, T, 0);
            s_reason (out, "rake default task");
        }
        return true;
    }
    if (s_eq (tool, "npm") || s_eq (tool, "yarn") || s_eq (tool, "pnpm") || s_eq (tool, "bun"))
        return s_js_pm (ctx, w, i, out, depth);
    if (s_eq (tool, "npx") || s_eq (tool, "pnpx") || s_eq (tool, "bunx") || s_eq (tool, "uvx")) {
        static const char *const with_arg [] = { "-p", "--package", "--from", NULL };
        int t = s_next_arg (w, i + 1, with_arg);
        if (t < w->n)
            s_classify (ctx, w, t, out, depth + 1);
        return true;
    }
    if (s_eq (tool, "deno") && s_eq (sub, "task") && k + 1 < w->n) {
        s_script (out, "deno", "task", w->v [k + 1], O);
        return true;
    }
    if ((s_eq (tool, "deno") && s_eq (sub, "install"))
    ||  (s_eq (tool, "gem") && s_eq (sub, "install"))
    ||  (s_eq (tool, "cargo") && s_eq (sub, "install"))
    ||  (s_eq (tool, "opam") && s_eq (sub, "install"))
    ||  (s_eq (tool, "cabal") && s_eq (sub, "install"))
    ||  (s_eq (tool, "stack") && s_eq (sub, "install"))
    ||  (s_eq (tool, "luarocks") && s_eq (sub, "install"))
    ||  (s_eq (tool, "nimble") && s_eq (sub, "install"))
    ||  (s_eq (tool, "pipx") && s_eq (sub, "install"))
    ||  (s_eq (tool, "conda") && s_eq (sub, "install"))
    ||  (s_eq (tool, "mamba") && s_eq (sub, "install"))
    ||  s_eq (tool, "cpanm")) {
        static const char *const with_arg [] = { "--version", "-v", "--git", "--root",
            "--features", "--branch", "--tag", "--rev", "-n", "--name", "-c",
            "--channel", NULL };
        s_named_install (w, s_eq (tool, "cpanm")? i + 1: k + 1, tool, out, with_arg);
        if (s_eq (tool, "cargo") && !(out->flags & CON))
            s_reason (out, "installs the project from source");
        return true;
    }
    if (s_eq (tool, "pip") || s_eq (tool, "pip3")) {
        if (s_eq (sub, "install"))
            s_pip_install (w, k + 1, out);
        else {
            s_set (out, O, 0);
            s_reason (out, "pip %s", sub);
        }
        return true;
    }
    if (s_eq (tool, "python") || s_eq (tool, "python3") || s_eq (tool, "python2")
    ||  s_eq (tool, "py") || s_eq (tool, "pypy3")) {
        s_python (ctx, w, i, out, depth);
        return true;
    }
    if (s_eq (tool, "uv") && s_eq (sub, "pip")) {
        if (k + 1 < w->n && s_eq (w->v [k + 1], "install"))
            s_pip_install (w, k + 2, out);
        else {
            s_set (out, O, 0);
            s_reason (out, "uv pip");
        }
        return true;
    }
    if ((s_eq (tool, "uv") || s_eq (tool, "poetry") || s_eq (tool, "pdm")
    ||   s_eq (tool, "pipenv") || s_eq (tool, "hatch") || s_eq (tool, "rye")
    ||   s_eq (tool, "conda") || s_eq (tool, "mamba") || s_eq (tool, "pipx")
    ||   s_eq (tool, "bundle") || s_eq (tool, "bundler") || s_eq (tool, "mise")
    ||   s_eq (tool, "asdf") || s_eq (tool, "pnpm"))
    &&  (s_eq (sub, "run") || s_eq (sub, "exec"))) {
        static const char *const with_arg [] = { "-n", "--name", "-p", "--prefix",
            "--with", "--python", "-e", "--env", NULL };
        int t = s_next_arg (w, k + 1, with_arg);
        if (t < w->n && s_eq (w->v [t], "--"))
            t++;
        if (t >= w->n)
            return false;
        if (classify_known_tool (w->v [t], strlen (w->v [t])) || s_is_path (w->v [t]))
            s_classify (ctx, w, t, out, depth + 1);
        else
            s_script (out, tool, "script", w->v [t], R);
        return true;
    }
    if ((s_eq (tool, "uv") || s_eq (tool, "poetry") || s_eq (tool, "pdm")
    ||   s_eq (tool, "composer") || s_eq (tool, "cargo") || s_eq (tool, "dart")
    ||   s_eq (tool, "flutter") || s_eq (tool, "pub"))
    &&  (s_eq (sub, "add") || s_eq (sub, "require"))) {
        int t = s_next_arg (w, k + 1, NULL);
        s_set (out, I, t < w->n? CON: 0);
        s_reason (out, "adds package %s", t < w->n? w->v [t]: "");
        return true;
    }
    if ((s_eq (tool, "uv") && s_eq (sub, "tool"))
    ||  (s_eq (tool, "dotnet") && s_eq (sub, "tool"))) {
        const char *what = k + 1 < w->n? w->v [k + 1]: "";
        if (s_eq (what, "install")) {
            s_named_install (w, k + 2, tool, out, NULL);
            return true;
        }
        if (s_eq (what, "run") && k + 2 < w->n) {
            s_classify (ctx, w, k + 2, out, depth + 1);
            return true;
        }
        if (s_eq (what, "restore")) {
            s_set (out, I, 0);
            s_reason (out, "dotnet tool restore");
            return true;
        }
        return false;
    }
    if (s_eq (tool, "dotnet") && s_eq (sub, "add") && k + 1 < w->n
    &&  s_eq (w->v [k + 1], "package")) {
        s_named_install (w, k + 2, "dotnet", out, NULL);
        return true;
    }
    if (s_eq (tool, "dotnet") && s_eq (sub, "nuget")) {
        s_set (out, O, k + 1 < w->n && s_eq (w->v [k + 1], "push")? DEP: 0);
        s_reason (out, "dotnet nuget");
        return true;
    }
    if ((s_eq (tool, "dart") || s_eq (tool, "flutter")) && s_eq (sub, "pub")) {
        const char *what = k + 1 < w->n? w->v [k + 1]: "";
        if (s_eq (what, "add")) {
            s_named_install (w, k + 2, tool, out, NULL);
            return true;
        }
        if (s_eq (what, "publish"))
            s_set (out, O, DEP);
        else
        if (s_eq (what, "get") || s_eq (what, "upgrade") || s_eq (what, "downgrade"))
            s_set (out, I, 0);
        else
        if (s_eq (what, "global"))
            s_set (out, I, CON);
        else
            s_set (out, O, 0);
        s_reason (out, "%s pub %s", tool, what);
        return true;
    }
    if (s_eq (tool, "pub") && (s_eq (sub, "get") || s_eq (sub, "upgrade"))) {
        s_set (out, I, 0);
        s_reason (out, "pub %s", sub);
        return true;
    }
    if (s_eq (tool, "go")) {
        if (s_eq (sub, "mod")) {
            const char *what = k + 1 < w->n? w->v [k + 1]: "";
            s_set (out, s_eq (what, "download") || s_eq (what, "vendor")? I: O, 0);
            s_reason (out, "go mod %s", what);
            return true;
        }
        if (s_eq (sub, "get") || s_eq (sub, "install")) {
            int t = s_next_arg (w, k + 1, NULL);
            const char *what = t < w->n? w->v [t]: "";
            bool remote = *what && what [0] != '.' && (strchr (what, '@') || s_eq (sub, "get"));
            if (remote) {
                s_set (out, I, CON);
                s_reason (out, "go %s %s", sub, what);
            }
            else {
                s_set (out, s_eq (sub, "get")? I: B, 0);
                s_reason (out, "go %s", sub);
            }
            return true;
        }
        return false;
    }
    if (s_eq (tool, "brew") && s_eq (sub, "bundle")) {
        s_set (out, S, 0);
        s_reason (out, "brew bundle");
        return true;
    }
    if (s_system (w, i, out))
        return true;
    if (s_eq (tool, "git")) {
        if (s_eq (sub, "clone")) {
            int url = s_next_arg (w, k + 1, (const char *const []) {
                "-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", NULL });
            s_set (out, C, 0);
            s_reason (out, "git clone");
            if (ctx && url < w->n) {
                int dir = s_next_arg (w, url + 1, NULL);
                const char *name;
                char base [128];
                if (dir < w->n)
                    name = w->v [dir];
                else {
                    snprintf (base, sizeof base, "%s", s_basename (w->v [url]));
                    size_t len = strlen (base);
                    while (len && base [len - 1] == '/')
                        base [--len] = 0;
                    if (s_ends (base, ".git"))
                        base [strlen (base) - 4] = 0;
                    name = base;
                }
                snprintf (ctx->clone_dir, sizeof ctx->clone_dir, "%s", name);
            }
            return true;
        }
        if (s_eq (sub, "submodule")) {
            s_set (out, I, 0);
            s_reason (out, "fetches git submodules");
            return true;
        }
        s_set (out, O, 0);
        s_reason (out, "git %s", sub);
        return true;
    }
    if (s_eq (tool, "gh") && s_eq (sub, "repo") && k + 1 < w->n && s_eq (w->v [k + 1], "clone")) {
        s_set (out, C, 0);
        s_reason (out, "gh repo clone");
        return true;
    }
    if (s_eq (tool, "cd")) {
        char dir [128];
        snprintf (dir, sizeof dir, "%s", sub);
        size_t len = strlen (dir);
        while (len > 1 && dir [len - 1] == '/')
            dir [--len] = 0;
        if (ctx && ctx->clone_dir [0] && s_eq (dir, ctx->clone_dir)) {
            s_set (out, C, 0);
            s_reason (out, "cd into the clone");
        }
        else {
            s_set (out, O, 0);
            s_reason (out, "changes directory");
        }
        return true;
    }
    if (s_eq (tool, "cmake")) {
        s_cmake (w, i, out);
        return true;
    }
    if (s_eq (tool, "tox") || s_eq (tool, "nox")) {
        s_tox (w, i, out);
        return true;
    }
    if (s_eq (tool, "tsc")) {
        bool check = false;
        for (int t = i + 1; t < w->n; t++)
            if (s_eq (w->v [t], "--noEmit"))
                check = true;
        s_set (out, check? L: B, 0);
        s_reason (out, check? "type check tsc": "compiler tsc");
        return true;
    }
    if (s_eq (tool, "mvn") || s_eq (tool, "mvnw") || s_eq (tool, "gradle")
    ||  s_eq (tool, "gradlew") || s_eq (tool, "sbt")) {
        const char *name = s_eq (tool, "mvnw")? "mvn": s_eq (tool, "gradlew")? "gradle": tool;
        s_jvm (w, i, name, out);
        return true;
    }
    if (s_eq (tool, "zig") && s_eq (sub, "build")) {
        int t = s_next_arg (w, k + 1, NULL);
        if (t < w->n)
            s_script (out, "zig build", "step", w->v [t], B);
        else {
            s_set (out, B, 0);
            s_reason (out, "zig build");
        }
        return true;
    }
    if (s_eq (tool, "dune") && s_eq (sub, "build")) {
        for (int t = k + 1; t < w->n; t++) {
            if (s_eq (w->v [t], "@runtest") || s_eq (w->v [t], "@test")) {
                s_set (out, T, 0);
                s_reason (out, "dune build @runtest");
                return true;
            }
            if (s_eq (w->v [t], "@fmt")) {
                s_set (out, L, 0);
                s_reason (out, "dune build @fmt");
                return true;
            }
        }
        s_set (out, B, 0);
        s_reason (out, "dune build");
        return true;
    }
    if ((s_eq (tool, "stack") || s_eq (tool, "cabal")) && s_eq (sub, "build")) {
        bool test = false;
        for (int t = k + 1; t < w->n; t++)
            if (s_eq (w->v [t], "--test"))
                test = true;
        s_set (out, test? T: B, 0);
        s_reason (out, test? "%s build --test": "%s build", tool);
        return true;
    }
    if (s_eq (tool, "R") && s_eq (sub, "CMD")) {
        const char *what = k + 1 < w->n? w->v [k + 1]: "";
        s_set (out, s_eq (what, "check")? T: s_eq (what, "build")? B:
                    s_eq (what, "INSTALL")? I: O, 0);
        s_reason (out, "R CMD %s", what);
        return true;
    }
    if (s_eq (tool, "Rscript") || s_eq (tool, "julia") || (s_eq (tool, "R") && *sub))
        return s_code_expr (w, i, out);
    if (s_eq (tool, "R")) {
        s_set (out, R, 0);
        s_reason (out, "interactive REPL");
        return true;
    }
    if (s_eq (tool, "xcodebuild")) {
        bool test = false, resolve = false;
        for (int t = i + 1; t < w->n; t++) {
            test |= s_eq (w->v [t], "test");
            resolve |= s_eq (w->v [t], "-resolvePackageDependencies");
        }
        s_set (out, test? T: resolve? I: B, 0);
        s_reason (out, test? "xcodebuild test": "xcodebuild");
        return true;
    }
    if ((s_eq (tool, "conda") || s_eq (tool, "mamba") || s_eq (tool, "micromamba"))) {
        if (s_eq (sub, "env") && k + 1 < w->n
        &&  (s_eq (w->v [k + 1], "create") || s_eq (w->v [k + 1], "update"))) {
            s_set (out, I, 0);
            s_reason (out, "creates the conda environment");
        }
        else {
            s_set (out, O, 0);
            s_reason (out, "%s %s", tool, sub);
        }
        return true;
    }
    if (s_eq (tool, "composer")) {
        if (s_eq (sub, "test")) {
            s_set (out, T, 0);
            s_reason (out, "composer script test");
            return true;
        }
        if (s_eq (sub, "global") || s_eq (sub, "create-project")) {
            s_set (out, I, CON);
            s_reason (out, "composer %s", sub);
            return true;
        }
        if ((s_eq (sub, "run") || s_eq (sub, "run-script")) && k + 1 < w->n) {
            s_script (out, "composer", "script", w->v [k + 1], O);
            return true;
        }
        if (*sub && !s_eq (sub, "install") && !s_eq (sub, "update") && !s_eq (sub, "validate")) {
            s_script (out, "composer", "script", sub, O);
            return true;
        }
        return false;
    }
    if (s_eq (tool, "php")) {
        if (s_eq (s_basename (sub), "artisan") && k + 1 < w->n) {
            const char *what = w->v [k + 1];
            s_set (out, s_eq (what, "test")? T: s_eq (what, "serve")? R: O, 0);
            s_reason (out, "artisan %s", what);
            return true;
        }
        if (*sub && s_is_path (sub) && classify_known_tool (s_basename (sub),
                                                            strlen (s_basename (sub)))) {
            s_classify (ctx, w, k, out, depth + 1);
            return true;
        }
        s_set (out, R, 0);
        s_reason (out, "runs php");
        return true;
    }
    if (s_eq (tool, "node")) {
        for (int t = i + 1; t < w->n; t++)
            if (s_eq (w->v [t], "--test")) {
                s_set (out, T, 0);
                s_reason (out, "test runner node --test");
                return true;
            }
        if (*sub) {
            s_path_script (sub, out);
            if (out->kind == CMD_OTHER)
                out->kind = CMD_RUN;
        }
        else {
            s_set (out, R, 0);
            s_reason (out, "interactive REPL");
        }
        return true;
    }
    if (s_eq (tool, "ruby") || s_eq (tool, "perl")) {
        if (s_eq (tool, "perl") && s_eq (sub, "Makefile.PL")) {
            s_set (out, B, 0);
            s_reason (out, "configure script");
            return true;
        }
        bool test = false;
        for (int t = i + 1; t < w->n; t++)
            test |= s_starts (w->v [t], "test/") || s_starts (w->v [t], "spec/")
                 || s_starts (w->v [t], "t/") || s_eq (w->v [t], "-Itest");
        s_set (out, test? T: R, 0);
        s_reason (out, test? "runs the tests with %s": "runs %s", tool);
        return true;
    }
    if (s_eq (tool, "clojure") || s_eq (tool, "clj")) {
        bool test = false;
        for (int t = i + 1; t < w->n; t++)
            test |= strstr (w->v [t], ":test") != NULL;
        s_set (out, test? T: R, 0);
        s_reason (out, test? "clojure test alias": "runs clojure");
        return true;
    }
    if ((s_eq (tool, "docker") && s_eq (sub, "compose")) || s_eq (tool, "docker-compose")
    ||  (s_eq (tool, "podman") && s_eq (sub, "compose")) || s_eq (tool, "podman-compose")) {
        static const char *const with_arg [] = { "-f", "--file", "-p", "--project-name",
            "--profile", "--env-file", NULL };
        int first = s_eq (tool, "docker") || s_eq (tool, "podman")? k + 1: i + 1;
        int t = s_next_arg (w, first, with_arg);
        const char *what = t < w->n? w->v [t]: "";
        s_set (out, s_eq (what, "build")? B: s_eq (what, "push")? O:
                    s_eq (what, "up") || s_eq (what, "run") || s_eq (what, "exec")
                    || s_eq (what, "start")? R: O,
               s_eq (what, "push")? DEP: 0);
        s_reason (out, "docker compose %s", what);
        return true;
    }
    if ((s_eq (tool, "turbo") || s_eq (tool, "nx") || s_eq (tool, "lerna"))
    &&  *sub) {
        const char *script = sub;
        if ((s_eq (sub, "run") || s_eq (sub, "run-many")) && k + 1 < w->n)
            script = w->v [s_next_arg (w, k + 1, NULL) < w->n? s_next_arg (w, k + 1, NULL): k + 1];
        if (s_eq (sub, "publish")) {
            s_set (out, O, DEP);
            s_reason (out, "%s publish", tool);
            return true;
        }
        s_script (out, tool, "task", script, O);
        return true;
    }
    if (s_eq (tool, "sh") || s_eq (tool, "bash") || s_eq (tool, "zsh")) {
        //  sh -c 'cmd': what cmd does.
        if (i + 2 < w->n && s_option (w->v [i + 1]) && w->v [i + 1][1] != '-'
        &&  strchr (w->v [i + 1], 'c') && depth < 3) {
            classify_result_t inner;
            s_classify_text (ctx, w->v [i + 2], strlen (w->v [i + 2]), &inner, depth + 1);
            out->kind = inner.kind;
            out->flags |= inner.flags;
            memcpy (out->reason, inner.reason, sizeof out->reason);
            return true;
        }
        if (*sub && !s_option (sub)) {
            s_path_script (sub, out);
            return true;
        }
        s_set (out, O, 0);
        s_reason (out, "runs a shell");
        return true;
    }
    if (s_eq (tool, "hugo") || s_eq (tool, "jekyll")) {
        bool serve = s_eq (sub, "server") || s_eq (sub, "serve") || s_eq (sub, "s");
        s_set (out, serve? R: B, 0);
        s_reason (out, "%s %s", tool, serve? "server": "build");
        return true;
    }
    return false;
}

//  -- dispatch ------------------------------------------------------------

//  Looks the tool and subcommand up in the table.
static bool
s_table (const words_t *w, int i, classify_result_t *out)
{
    const char *tool = w->v [i];
    int k = s_next_arg (w, i + 1, NULL);
    const char *sub = k < w->n? w->v [k]: "";
    //  cargo +nightly test
    if (sub [0] == '+' && k + 1 < w->n)
        sub = w->v [s_next_arg (w, k + 1, NULL) < w->n? s_next_arg (w, k + 1, NULL): k];
    const rule_t *any = NULL;
    for (const rule_t *rule = s_rules; rule->tool; rule++) {
        if (rule->tool [0] != tool [0] || strcmp (rule->tool, tool) != 0)
            continue;
        if (strcmp (rule->sub, sub) == 0 && *sub) {
            any = rule;
            break;
        }
        if (!*sub && !*rule->sub) {
            any = rule;
            break;
        }
        if (strcmp (rule->sub, "*") == 0 && !any)
            any = rule;
    }
    if (!any)
        return false;
    //  A "*" rule found first keeps looking for an exact one above.
    s_set (out, any->kind, any->flags);
    if (!any->reason) {
        if (*sub)
            s_reason (out, "%s %s", tool, sub);
        else
            s_reason (out, "%s", tool);
    }
    else
    if (strstr (any->reason, "%s"))
        s_reason (out, "%.*s%s%s", (int) (strstr (any->reason, "%s") - any->reason),
                  any->reason, sub, strstr (any->reason, "%s") + 2);
    else
        s_reason (out, "%s", any->reason);
    return true;
}

//  Classifies the command starting at word i: unwraps prefixes, then asks
//  the handlers and the table.
static void
s_classify (classify_ctx_t *ctx, words_t *w, int i, classify_result_t *out, int depth)
{
    while (i < w->n) {
        const char *word = w->v [i];
        if (s_assignment (word))
            i++;
        else
        if (s_eq (word, "sudo") || s_eq (word, "doas")) {
            out->flags |= CMD_F_SUDO;
            static const char *const with_arg [] = { "-u", "-g", "-C", "-p", NULL };
            i = s_next_arg (w, i + 1, with_arg);
        }
        else
        if (s_eq (word, "env") || s_eq (word, "time") || s_eq (word, "nohup")
        ||  s_eq (word, "exec") || s_eq (word, "command") || s_eq (word, "builtin")
        ||  s_eq (word, "nice") || s_eq (word, "xvfb-run") || s_eq (word, "dbus-run-session")
        ||  s_eq (word, "caffeinate") || s_eq (word, "stdbuf")) {
            static const char *const with_arg [] = { "-u", "-n", "-s", NULL };
            i = s_next_arg (w, i + 1, with_arg);
        }
        else
        if (s_eq (word, "(") || s_eq (word, "{") || s_eq (word, "!"))
            i++;
        else
            break;
    }
    if (i >= w->n || depth > 8) {
        s_set (out, O, 0);
        if (!out->reason [0])
            s_reason (out, "sets variables");
        return;
    }
    //  Strip a subshell's parentheses: (cd build && make)
    char *word = (char *) w->v [i];
    while (word [0] == '(' && word [1])
        w->v [i] = ++word;
    const char *tool = w->v [i];
    const char *base = s_basename (tool);
    if (s_is_path (tool) || s_eq (tool, "./configure")) {
        //  ./gradlew, vendor/bin/phpunit, bin/rails: the tool they are.
        static const char *const aliases [] = { "gradlew", "mvnw", "phpunit", "pest",
            "rails", "rake", "rspec", "configure", "autogen.sh", "bootstrap.sh",
            "jest", "mocha", "eslint", "tsc", "vitest", "paratest", "phpstan", "psalm",
            "php-cs-fixer", "phpcs", "sbt", "pytest", NULL };
        if (s_in (base, strlen (base), aliases)) {
            w->v [i] = base;
            tool = base;
        }
        else {
            s_path_script (tool, out);
            return;
        }
    }
    if (s_special (ctx, w, i, out, depth))
        return;
    if (s_table (w, i, out))
        return;
    s_set (out, O, 0);
    s_reason (out, "unknown command %s", tool);
}

//  -- chains --------------------------------------------------------------

//  True when the part is a download piped into a shell (curl ... | sh).
static bool
s_is_shell_word (const char *word)
{
    return s_eq (word, "sh") || s_eq (word, "bash") || s_eq (word, "zsh")
        || s_eq (word, "iex") || s_eq (word, "Invoke-Expression");
}

void
classify_command (classify_ctx_t *ctx, const char *text, size_t size,
                  classify_result_t *out)
{
    s_classify_text (ctx, text, size, out, 0);
}

//  Classifies a whole chain; depth bounds sh -c nesting.
static void
s_classify_text (classify_ctx_t *ctx, const char *text, size_t size,
                 classify_result_t *out, int depth)
{
    memset (out, 0, sizeof *out);
    const char *end = memchr (text, '\n', size);
    if (end)
        size = (size_t) (end - text);
    bool have = false, prev_download = false;
    size_t start = 0, i = 0;
    char quote = 0;
    int paren = 0;
    words_t w;
    while (i <= size) {
        char c = i < size? text [i]: 0;
        size_t op = 0;
        bool pipe = false;
        if (i < size && quote) {
            if (c == quote)
                quote = 0;
            else
            if (c == '\\' && quote == '"')
                i++;
            i++;
            continue;
        }
        if (i < size) {
            if (c == '\'' || c == '"' || c == '`') {
                quote = c;
                i++;
                continue;
            }
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '$' && i + 1 < size && text [i + 1] == '(') {
                paren++;
                i += 2;
                continue;
            }
            if (c == ')' && paren) {
                paren--;
                i++;
                continue;
            }
            if (paren) {
                i++;
                continue;
            }
            if ((c == '&' || c == '|') && i + 1 < size && text [i + 1] == c)
                op = 2;
            else
            if (c == '|' || c == ';' || (c == '&' && !(i > 0 && (text [i - 1] == '>'
                                                        || text [i - 1] == '<'))
                                                  && !(i + 1 < size && text [i + 1] == '>')))
                op = 1;
            else {
                i++;
                continue;
            }
            pipe = op == 1 && c == '|';
        }
        s_split_words (text + start, i - start, &w);
        if (w.n > 0) {
            classify_result_t part = { 0 };
            s_classify (ctx, &w, 0, &part, depth);
            //  curl ... | sh: an installer script
            int first = 0;
            while (first < w.n && (s_eq (w.v [first], "sudo") || s_assignment (w.v [first])))
                first++;
            if (prev_download && first < w.n && s_is_shell_word (w.v [first])) {
                part.kind = CMD_SYSTEM;
                s_reason (&part, "installer script piped to a shell");
            }
            prev_download = pipe && (s_eq (w.v [0], "curl") || s_eq (w.v [0], "wget")
                                 ||  s_eq (w.v [0], "irm") || s_eq (w.v [0], "iwr"));
            s_better (out, &part, &have);
        }
        i += op? op: 1;
        start = i;
    }
    if (!have) {
        out->kind = CMD_OTHER;
        s_reason (out, "empty command");
    }
    if (classify_has_placeholder (text, size))
        out->flags |= CMD_F_PLACEHOLDER;
}

//  -- questions about text ------------------------------------------------

static bool
s_alnum (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
classify_has_placeholder (const char *text, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        char c = text [i];
        //  <token>: a letter right after '<' (not <<EOF), no '<' inside,
        //  and no space right before the '>' (not "<in >out").
        if (c == '<' && i + 1 < size && (i == 0 || text [i - 1] != '<')
        &&  ((text [i + 1] >= 'a' && text [i + 1] <= 'z')
        ||   (text [i + 1] >= 'A' && text [i + 1] <= 'Z'))) {
            size_t j = i + 1;
            while (j < size && j - i < 60 && text [j] != '>' && text [j] != '<'
               &&  text [j] != '\n')
                j++;
            if (j < size && text [j] == '>' && text [j - 1] != ' ')
                return true;
        }
        //  YOUR_KEY, your-token, MY_API_KEY
        if ((c == 'Y' || c == 'y') && (i == 0 || !s_alnum (text [i - 1]))
        &&  i + 5 < size && (strncmp (text + i, "YOUR", 4) == 0
                          || strncmp (text + i, "your", 4) == 0)
        &&  (text [i + 4] == '_' || text [i + 4] == '-') && s_alnum (text [i + 5]))
            return true;
        //  {{var}} and {version} (but not ${var} or {} or {a,b})
        if (c == '{' && (i == 0 || text [i - 1] != '$')) {
            size_t j = i + 1;
            bool doubled = j < size && text [j] == '{';
            if (doubled)
                j++;
            while (j < size && text [j] == ' ')
                j++;
            size_t name = j;
            while (j < size && (s_alnum (text [j]) || text [j] == '_' || text [j] == '.'))
                j++;
            while (j < size && text [j] == ' ')
                j++;
            if (j > name && j < size && text [j] == '}'
            &&  (doubled || (text [name] >= 'a' && text [name] <= 'z')))
                return true;
        }
        //  x.y.z, X.Y.Z
        if ((c == 'x' || c == 'X') && i + 5 <= size && (i == 0 || !s_alnum (text [i - 1]))
        &&  text [i + 1] == '.' && (text [i + 2] == 'y' || text [i + 2] == 'Y')
        &&  text [i + 3] == '.' && (text [i + 4] == 'z' || text [i + 4] == 'Z')
        &&  (i + 5 == size || !s_alnum (text [i + 5])))
            return true;
        //  an argument that is, or ends in, "..." (but not Go's ./...)
        if (c == '.' && i + 2 < size && text [i + 1] == '.' && text [i + 2] == '.'
        &&  (i == 0 || text [i - 1] != '/')
        &&  (i + 3 == size || text [i + 3] == ' ' || text [i + 3] == ']'))
            return true;
        if ((unsigned char) c == 0xe2 && i + 2 < size && (unsigned char) text [i + 1] == 0x80
        &&  (unsigned char) text [i + 2] == 0xa6)
            return true;            //  "…"
    }
    return false;
}

bool
classify_known_tool (const char *word, size_t size)
{
    if (size == 0)
        return false;
    for (const rule_t *rule = s_rules; rule->tool; rule++)
        if (rule->tool [0] == word [0] && strlen (rule->tool) == size
        &&  memcmp (rule->tool, word, size) == 0)
            return true;
    for (int i = 0; s_extra_tools [i]; i++)
        if (s_extra_tools [i][0] == word [0] && strlen (s_extra_tools [i]) == size
        &&  memcmp (s_extra_tools [i], word, size) == 0)
            return true;
    return false;
}

bool
classify_looks_like_command (const char *line, size_t size)
{
    while (size && (*line == ' ' || *line == '\t')) {
        line++;
        size--;
    }
    size_t len = 0;
    while (len < size && line [len] != ' ' && line [len] != '\t')
        len++;
    if (len == 0)
        return false;
    //  VAR=value make
    const char *eq = memchr (line, '=', len);
    if (eq && eq != line) {
        size_t skip = len;
        while (skip < size && line [skip] == ' ')
            skip++;
        return skip < size && classify_looks_like_command (line + skip, size - skip);
    }
    if (classify_known_tool (line, len))
        return true;
    //  ./configure, ../x, scripts/test.sh, bin/setup: a path, not a URL
    static const char *const dirs [] = { "./", "../", "bin/", "scripts/", "script/",
        "vendor/bin/", NULL };
    for (int i = 0; dirs [i]; i++)
        if (len > strlen (dirs [i]) && memcmp (line, dirs [i], strlen (dirs [i])) == 0)
            return true;
    return false;
}

bool
classify_runs_alone (const char *text, size_t size)
{
    static const char *const alone [] = { "make", "pytest", "tox", "nox", "rake",
        "ctest", "phpunit", "jest", "mocha", "vitest", "busted", "prove", "rspec",
        "ninja", "just", "yarn", "bundle", "cargo", "gradle", "mvn", "meson", "scons",
        "bazel", "ava", "tap", "karma", "pest", "gotestsum", "rubocop", "eslint",
        "flake8", "mypy", "ruff", "black", "pre-commit", "luacheck", "hlint",
        "dune", "sbt", "lein", "mix", NULL };
    while (size && (*text == ' ' || *text == '\t')) {
        text++;
        size--;
    }
    size_t len = 0;
    while (len < size && text [len] != ' ')
        len++;
    if (len == 0)
        return false;
    if (len > 2 && memcmp (text, "./", 2) == 0)
        return true;
    return s_in (text, len, alone);
}
