/*  C and C++ projects judged by what their workflow would do when run:
    tests that live below the top level, Makefile targets that build or
    test, the system libraries a build asks for, the tools it needs, and
    the wrapper the maintainers call. Small invented projects go through
    `readme2ci generate --inline`.  */
#include "common/ytree.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  Helpers

//  The index of the first step whose run starts with prefix, or -1.
static int
s_step (const ynode_t *job, const char *prefix)
{
    const ynode_t *steps = ytree_get (job, "steps");
    for (size_t i = 0; steps && i < steps->count; i++)
        if (strncmp (ytree_str (ytree_get (steps->items [i], "run"), ""), prefix,
                     strlen (prefix)) == 0)
            return (int) i;
    return -1;
}

//  The run line of step i.
static const char *
s_run (const ynode_t *job, int i)
{
    const ynode_t *steps = ytree_get (job, "steps");
    return i >= 0 && steps && (size_t) i < steps->count
         ? ytree_str (ytree_get (steps->items [i], "run"), ""): "";
}

//  How many steps run a command containing needle.
static int
s_count (const ynode_t *job, const char *needle)
{
    const ynode_t *steps = ytree_get (job, "steps");
    int count = 0;
    for (size_t i = 0; steps && i < steps->count; i++)
        if (strstr (ytree_str (ytree_get (steps->items [i], "run"), ""), needle))
            count++;
    return count;
}

typedef struct {
    char *dir;
    char *yaml;
    char *json;
    ynode_t *root;
    const ynode_t *job;
} s_case_t;

//  Generate the GitHub workflow (and the --json report) of the project
//  tu_project makes from the NULL-ended name/text pairs.
static void
s_case (s_case_t *self, const char *name, ...)
{
    va_list args;
    va_start (args, name);
    const char *pairs [40];
    size_t n = 0;
    for (const char *p = name; p && n < 38; p = va_arg (args, const char *))
        pairs [n++] = p;
    va_end (args);
    pairs [n] = NULL;
    //  tu_project takes a NULL-ended list: pass up to 12 pairs
    self->dir = tu_project (pairs [0], n > 1? pairs [1]: NULL, n > 2? pairs [2]: NULL,
                            n > 3? pairs [3]: NULL, n > 4? pairs [4]: NULL,
                            n > 5? pairs [5]: NULL, n > 6? pairs [6]: NULL,
                            n > 7? pairs [7]: NULL, n > 8? pairs [8]: NULL,
                            n > 9? pairs [9]: NULL, n > 10? pairs [10]: NULL,
                            n > 11? pairs [11]: NULL, NULL);
    self->yaml = tu_generate (self->dir, "--target", "github", NULL);
    self->json = tu_generate (self->dir, "--json", NULL);
    self->root = tu_parse_yaml (self->yaml);
    self->job = tu_only_job (self->root, false);
}

static void
s_case_end (s_case_t *self)
{
    tu_assert_lints_clean (self->yaml);
    ytree_destroy (&self->root);
    free (self->yaml);
    free (self->json);
    tu_rmtree (self->dir);
    free (self->dir);
}

//  --------------------------------------------------------------------------
//  (1) Tests that live below the top level

//  A header-only library whose only CMake project is test/, which builds
//  a test program and declares no add_test: that program is the test.
Test (qa_native, a_cmake_project_only_in_test_builds_there_and_runs_its_programs,
      .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# knot\n\nA header-only knot tier.\n",
        "knot.h", "static inline int knot (void) { return 1; }\n",
        "test/CMakeLists.txt", "cmake_minimum_required(VERSION 3.15)\nproject(knot_tests C)\n"
        "include_directories(${CMAKE_CURRENT_SOURCE_DIR}/..)\n"
        "add_executable(knot_test main.c)\n",
        "test/main.c", "#include \"knot.h\"\nint main (void) { return knot () != 1; }\n",
        NULL);
    int configure = s_step (c.job, "cmake -S test -B build-test");
    int build = s_step (c.job, "cmake --build build-test");
    int test = s_step (c.job, "cd build-test && ./knot_test");
    cr_assert (configure >= 0 && configure < build && build < test, "%s", c.yaml);
    cr_assert (strstr (c.json, "\"kind\": \"test\"") || strstr (c.json, "\"kind\":\"test\""),
               "%s", c.json);
    s_case_end (&c);
}

//  A CMake library whose tests are a CMake project in test/ the top level
//  never adds: the top builds, then test/ is configured, built and ctest
//  runs its add_test.
Test (qa_native, a_test_folder_the_top_level_does_not_add_is_the_test_step, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# ropey\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(ropey C)\n"
        "add_library(ropey ropey.c)\n",
        "ropey.c", "int ropey (void) { return 0; }\n",
        "test/CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(ropey_t C)\n"
        "enable_testing()\nadd_executable(t t.c ../ropey.c)\nadd_test(NAME t COMMAND t)\n",
        "test/t.c", "int ropey (void);\nint main (void) { return ropey (); }\n",
        NULL);
    cr_assert_geq (s_step (c.job, "cmake -B build"), 0, "%s", c.yaml);
    int configure = s_step (c.job, "cmake -S test -B build-test");
    int test = s_step (c.job, "ctest --test-dir build-test");
    cr_assert (configure >= 0 && test > configure, "%s", c.yaml);
    //  no ctest over the top-level build, which declares no tests
    cr_assert_eq (s_count (c.job, "ctest --test-dir build "), 0, "%s", c.yaml);
    s_case_end (&c);
}

//  When the top level adds test/ itself, test/ is not built twice and its
//  add_test makes ctest the test step.
Test (qa_native, a_test_folder_the_top_level_adds_is_tested_by_ctest_once, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# ropey\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(ropey C)\n"
        "add_library(ropey ropey.c)\nadd_subdirectory(test)\n",
        "ropey.c", "int ropey (void) { return 0; }\n",
        "test/CMakeLists.txt", "enable_testing()\nadd_executable(t t.c)\n"
        "add_test(NAME t COMMAND t)\n",
        NULL);
    cr_assert_geq (s_step (c.job, "ctest --test-dir build --output-on-failure"), 0, "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "build-test"), 0, "%s", c.yaml);
    s_case_end (&c);
}

//  A plain C library with no test target at the top, and its tests'
//  own Makefile in tests/: make -C tests check is the test step.
Test (qa_native, a_tests_makefile_is_the_test_step, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# bitset\n",
        "Makefile", "CFLAGS = -O2\n\nall: libbitset.a\n\nlibbitset.a: bitset.o\n"
        "\tar rcs $@ $^\n",
        "bitset.c", "int bitset (void) { return 0; }\n",
        "tests/Makefile", "all: t\n\ncheck: t\n\t./t\n\nt: t.c\n\t$(CC) -o t t.c\n",
        NULL);
    int build = s_step (c.job, "make");
    int test = s_step (c.job, "make -C tests check");
    cr_assert (build >= 0 && test > build, "%s", c.yaml);
    s_case_end (&c);
}

//  --------------------------------------------------------------------------
//  (5) Makefile targets: what `make` does decides its label

//  A Makefile whose first target is test: `make` is `make test`, so the
//  job runs `make test` as its test step and no Build step that tests.
Test (qa_native, a_default_goal_named_test_is_the_test_step, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# hexify\n",
        "Makefile", "test: hexify_test\n\t./hexify_test\n\nhexify_test: hexify.c test.c\n"
        "\t$(CC) -o $@ $^\n",
        "hexify.c", "int hexify (void) { return 0; }\n",
        NULL);
    cr_assert_geq (s_step (c.job, "make test"), 0, "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "make"), 1, "%s", c.yaml);
    cr_assert (strstr (c.json, "\"kind\": \"test\""), "%s", c.json);
    cr_assert (!strstr (c.json, "\"kind\": \"build\""), "%s", c.json);
    s_case_end (&c);
}

//  A default goal whose prerequisites build and run smoke programs
//  (./$@): `make` builds and tests; no Build-only label.
Test (qa_native, a_default_goal_that_runs_what_it_builds_is_a_test, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# calcx\n",
        "Makefile", "all: smoke example\n\nsmoke: smoke.c calcx.c\n"
        "\t$(CC) -o $@ $^\n\t./$@\n\nexample: example.c calcx.c\n\t$(CC) -o $@ $^\n",
        "calcx.c", "int calcx (void) { return 0; }\n",
        NULL);
    const ynode_t *steps = ytree_get (c.job, "steps");
    int make = s_step (c.job, "make");
    cr_assert_geq (make, 0, "%s", c.yaml);
    cr_assert_str_eq (ytree_str (ytree_get (steps->items [make], "name"), ""),
                      "Build and test", "%s", c.yaml);
    cr_assert (strstr (c.json, "default goal all runs the tests"), "%s", c.json);
    s_case_end (&c);
}

//  A default goal that only builds stays Build, with make test after it.
Test (qa_native, a_default_goal_that_only_builds_is_build, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# calcx\n",
        "Makefile", "all: libcalcx.a\n\nlibcalcx.a: calcx.o\n\tar rcs $@ $^\n\n"
        "test: t\n\t./t\n\nt: t.c calcx.c\n\t$(CC) -o $@ $^\n",
        "calcx.c", "int calcx (void) { return 0; }\n",
        NULL);
    const ynode_t *steps = ytree_get (c.job, "steps");
    int make = s_step (c.job, "make");
    int test = s_step (c.job, "make test");
    cr_assert (make >= 0 && test > make, "%s", c.yaml);
    cr_assert_str_eq (ytree_str (ytree_get (steps->items [make], "name"), ""), "Build");
    s_case_end (&c);
}

//  A lint target whose tool the runner cannot have and nothing says the
//  maintainers run is left out (with a note); one that runs a linter the
//  runner can install, or that the README asks for, is kept.
Test (qa_native, a_lint_target_needs_evidence_or_an_installable_linter, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# tally\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(tally C)\n"
        "enable_testing()\nadd_executable(t t.c)\nadd_test(NAME t COMMAND t)\n",
        "Makefile", "lint:\n\tsplint +posixlib src/*.c\n",
        NULL);
    cr_assert_eq (s_count (c.job, "make lint"), 0, "%s", c.yaml);
    cr_assert (strstr (c.json, "'make lint': the documents never ask for it"), "%s", c.json);
    s_case_end (&c);

    s_case (&c,
        "README.md", "# tally\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(tally C)\n"
        "enable_testing()\nadd_executable(t t.c)\nadd_test(NAME t COMMAND t)\n",
        "Makefile", "lint:\n\tcppcheck --error-exitcode=1 src\n",
        NULL);
    cr_assert_geq (s_step (c.job, "make lint"), 0, "%s", c.yaml);
    cr_assert_geq (s_step (c.job, "sudo apt-get install -y cppcheck"), 0, "%s", c.yaml);
    s_case_end (&c);

    s_case (&c,
        "README.md", "# tally\n\n## Contributing\n\n```sh\nmake lint\n```\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(tally C)\n"
        "enable_testing()\nadd_executable(t t.c)\nadd_test(NAME t COMMAND t)\n",
        "Makefile", "lint:\n\tsplint +posixlib src/*.c\n",
        NULL);
    cr_assert_geq (s_step (c.job, "make lint"), 0, "%s", c.yaml);
    s_case_end (&c);
}

//  --------------------------------------------------------------------------
//  (6) System libraries and tools

//  pkg_check_modules and find_package REQUIRED are installed in one
//  apt-get step before the configure; QUIET/optional ones are not, except
//  a test framework (the tests need it); an unknown one gets a note.
Test (qa_native, cmake_libraries_are_installed_in_one_apt_step, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# wirely\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(wirely C)\n"
        "find_package(PkgConfig REQUIRED)\n"
        "pkg_check_modules(ZMQ REQUIRED IMPORTED_TARGET libzmq>=4.3)\n"
        "pkg_check_modules(YAML REQUIRED yaml-0.1)\n"
        "find_package(OpenSSL REQUIRED)\n"
        "find_package(CURL QUIET)\n"
        "find_package(Frobnicator REQUIRED)\n"
        "enable_testing()\n"
        "pkg_check_modules(CRITERION criterion)\n",
        NULL);
    int install = s_step (c.job, "sudo apt-get install -y");
    cr_assert_geq (install, 0, "%s", c.yaml);
    cr_assert_str_eq (s_run (c.job, install), "sudo apt-get install -y pkg-config "
                      "libssl-dev libzmq3-dev libyaml-dev libcriterion-dev");
    cr_assert_eq (s_count (c.job, "apt-get install"), 1, "%s", c.yaml);
    cr_assert_lt (install, s_step (c.job, "cmake -B build"));
    cr_assert_lt (s_step (c.job, "sudo apt-get update"), install);
    cr_assert (strstr (c.json, "no Debian package known for it"), "%s", c.json);
    cr_assert (strstr (c.json, "Frobnicator"), "%s", c.json);
    s_case_end (&c);
}

//  An option that switches the tests on (default OFF) is set ON, one that
//  builds the documentation is set OFF, and what sits behind the docs
//  option (Doxygen) is not installed while the test framework is.
Test (qa_native, cmake_options_switch_tests_on_and_docs_off, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# urly\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(urly C CXX)\n"
        "option(URLY_BUILD_DOCS \"Build the docs\" ON)\n"
        "option(URLY_BUILD_TESTS \"Build the tests\" OFF)\n"
        "option(URLY_WITH_COVERAGE_TESTS_REPORT \"coverage\" OFF)\n"
        "add_library(urly urly.c)\n"
        "if(URLY_BUILD_TESTS)\n  enable_testing()\n  find_package(GTest 1.8.0 REQUIRED)\n"
        "  add_executable(t t.cpp)\n  add_test(NAME t COMMAND t)\nendif()\n"
        "if(URLY_BUILD_DOCS)\n  find_package(Doxygen REQUIRED dot doxygen)\nendif()\n",
        NULL);
    int configure = s_step (c.job, "cmake -B build");
    cr_assert_str_eq (s_run (c.job, configure), "cmake -B build -DCMAKE_BUILD_TYPE=Release "
                      "-DURLY_BUILD_DOCS=OFF -DURLY_BUILD_TESTS=ON");
    cr_assert_geq (s_step (c.job, "sudo apt-get install -y libgtest-dev"), 0, "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "doxygen"), 0, "%s", c.yaml);
    cr_assert_geq (s_step (c.job, "ctest --test-dir build"), 0, "%s", c.yaml);
    s_case_end (&c);
}

//  meson comes from the distribution with ninja (no pip without a
//  Python), with the libraries its required dependency() calls name;
//  a project that needs a newer meson than the distribution's gets pipx.
Test (qa_native, meson_and_its_dependencies_come_from_apt, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# pinch\n",
        "meson.build", "project('pinch', 'c', meson_version: '>=0.60')\n"
        "z = dependency('zlib')\nglib = dependency('glib-2.0', version: '>=2.60')\n"
        "png = dependency('libpng', required: false)\n"
        "executable('pinch', 'pinch.c', dependencies: [z, glib])\n",
        NULL);
    cr_assert_geq (s_step (c.job, "sudo apt-get install -y meson ninja-build zlib1g-dev "
                           "libglib2.0-dev"), 0, "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "pip"), 0, "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "libpng"), 0, "%s", c.yaml);
    s_case_end (&c);

    s_case (&c,
        "README.md", "# pinch\n",
        "meson.build", "project('pinch', 'c', meson_version: '>= 9.1')\n",
        NULL);
    cr_assert_geq (s_step (c.job, "pipx install meson"), 0, "%s", c.yaml);
    cr_assert_geq (s_step (c.job, "sudo apt-get install -y ninja-build"), 0, "%s", c.yaml);
    s_case_end (&c);
}

//  autotools: the project's autogen.sh instead of a bare autoreconf, the
//  tools its macros need (autopoint for gettext, flex for AC_PROG_LEX)
//  and the libraries whose absence stops configure.
Test (qa_native, autotools_runs_autogen_with_the_tools_its_macros_need, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# confy\n",
        "configure.ac", "AC_INIT([confy], [1.0])\nAM_INIT_AUTOMAKE([foreign])\n"
        "AC_PROG_CC\nAC_PROG_LEX([noyywrap])\nLT_INIT\nAM_GNU_GETTEXT([external])\n"
        "PKG_CHECK_MODULES([JSON], [json-c >= 0.15])\n"
        "AC_CHECK_LIB([z], [inflate], [], [AC_MSG_ERROR([zlib is needed])])\n"
        "AC_CHECK_LIB([m], [sin])\n"
        "PKG_CHECK_MODULES([PNG], [libpng], [have_png=yes], [have_png=no])\n"
        "AC_OUTPUT\n",
        "Makefile.am", "SUBDIRS = src\n",
        "autogen.sh", "#!/bin/sh\nautoreconf -fi\n",
        NULL);
    int install = s_step (c.job, "sudo apt-get install -y");
    const char *run = s_run (c.job, install);
    cr_assert (strstr (run, "autopoint") && strstr (run, "flex") && strstr (run, "libtool")
               && strstr (run, "libjson-c-dev") && strstr (run, "zlib1g-dev"), "%s", run);
    cr_assert (!strstr (run, "libpng"), "%s", run);
    int autogen = s_step (c.job, "./autogen.sh");
    cr_assert (autogen > install && autogen < s_step (c.job, "./configure"), "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "autoreconf"), 0, "%s", c.yaml);
    cr_assert_geq (s_step (c.job, "make check"), 0, "%s", c.yaml);
    s_case_end (&c);
}

//  --------------------------------------------------------------------------
//  The wrapper the maintainers call

//  The README's development section tests with the project's own script:
//  it wins over the ctest the CMake file suggests.
Test (qa_native, a_readme_test_script_of_the_project_wins_over_ctest, .timeout = 60)
{
    s_case_t c;
    s_case (&c,
        "README.md", "# gadget\n\n## Development\n\n```sh\nscripts/test   # builds, runs "
        "every test\n```\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(gadget C)\n"
        "enable_testing()\nadd_executable(t t.c)\nadd_test(NAME t COMMAND t)\n",
        "scripts/test", "#!/bin/sh\nset -e\ncmake -B build && cmake --build build\n"
        "cd build && ctest\n",
        NULL);
    cr_assert_geq (s_step (c.job, "scripts/test"), 0, "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "ctest"), 0, "%s", c.yaml);
    s_case_end (&c);

    //  a script the tree does not have is not taken
    s_case (&c,
        "README.md", "# gadget\n\n## Development\n\n```sh\nscripts/test\n```\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(gadget C)\n"
        "enable_testing()\nadd_executable(t t.c)\nadd_test(NAME t COMMAND t)\n",
        NULL);
    cr_assert_geq (s_step (c.job, "ctest --test-dir build"), 0, "%s", c.yaml);
    cr_assert_eq (s_count (c.job, "scripts/test"), 0, "%s", c.yaml);
    s_case_end (&c);
}
