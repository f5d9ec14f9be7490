/*  tests/fuzz/manifest_names.h - the manifest names fuzz_detector picks
    from by its first input byte; seeds.c writes seeds in the same code.  */
#ifndef MANIFEST_NAMES_H_INCLUDED
#define MANIFEST_NAMES_H_INCLUDED

#include <stddef.h>

//  Every file whose contents the detector reads. A seed starts with the
//  index of its name here, so the table only ever grows at the end.
static const char *const fuzz_manifest_names [] = {
    "package.json", "pyproject.toml", "Cargo.toml", "go.mod", "pom.xml",
    "build.gradle", "Makefile", "setup.py", "setup.cfg", "tox.ini",
    "composer.json", "Gemfile", "mix.exs", "app.csproj", "global.json",
    "deno.json", "pubspec.yaml", "stack.yaml", "app.cabal", "dune-project",
    "docker-compose.yml", "justfile", "CMakeLists.txt", "meson.build",
    "configure.ac", "DESCRIPTION", "Package.swift", "build.zig.zon",
    ".nvmrc", ".tool-versions", "build.gradle.kts", "settings.gradle",
    "requirements.txt", "rust-toolchain.toml", "rust-toolchain",
    "package.yaml", "deno.jsonc", "noxfile.py", "Rakefile", "deps.edn",
    "rebar.config", "build.zig", ".sdkmanrc", ".python-version",
    ".ruby-version", ".node-version", ".java-version", "app.fsproj",
    "app.gemspec", "app.opam", "app.rockspec", "compose.yaml",
    "pytest.ini", ".yarnrc.yml", "rustfmt.toml", "clippy.toml",
    ".formatter.exs", "tsconfig.json", "Justfile", "makefile",
    "requirements-dev.txt", "project.clj", "build.sbt", "gleam.toml",
    "cabal.project", "Pipfile", "app.sln", "compose.yml", ".env.example",
    ".env.testing",
};
#define FUZZ_MANIFEST_NAMES \
    (sizeof fuzz_manifest_names / sizeof fuzz_manifest_names [0])

#endif
