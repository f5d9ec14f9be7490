/*  workers/detector/eco_native.c - C and C++: CMake, Meson, autotools and
    plain make. Runs last: a bare Makefile only makes a C job when nothing
    else claimed the project.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <stdio.h>
#include <string.h>

//  c or cpp from a CMake project() call or a meson project() line.
static const char *
s_language (const char *text)
{
    if (!text)
        return "c";
    const char *project = strstr (text, "project");
    const char *end = project? strchr (project, ')'): NULL;
    bool cxx = false, c = false;
    if (project && end) {
        for (const char *p = project; p < end; p++) {
            if (strncmp (p, "CXX", 3) == 0 || strncmp (p, "'cpp'", 5) == 0)
                cxx = true;
            if ((p [0] == ' ' || p [0] == '\'') && (p [1] == 'C' || p [1] == 'c')
                && (p [2] == ' ' || p [2] == ')' || p [2] == '\'' || p [2] == '\n'))
                c = true;
        }
    }
    if (strstr (text, "CMAKE_CXX_STANDARD") || strstr (text, "cpp_std"))
        cxx = true;
    return cxx && !c? "cpp": "c";
}

//  The C++ standard a CMake library promises its users: the NN of a
//  PUBLIC or INTERFACE cxx_std_NN compile feature, unless the project
//  pins the standard itself with set(CMAKE_CXX_STANDARD ...). True with
//  NN in out and its line in *line_p.
static bool
s_cxx_floor (const char *text, char *out, size_t size, unsigned *line_p)
{
    if (!text || strstr (text, "set(CMAKE_CXX_STANDARD ")
        || strstr (text, "set (CMAKE_CXX_STANDARD "))
        return false;
    const char *best = NULL;
    for (const char *at = strstr (text, "cxx_std_"); at; at = strstr (at + 1, "cxx_std_")) {
        //  inside target_compile_features(... PUBLIC|INTERFACE ... cxx_std_NN)
        const char *call = NULL;
        for (const char *p = at; p > text && !call && at - p < 200; p--)
            if (strncmp (p - 1, "target_compile_features", 23) == 0)
                call = p - 1;
        if (!call || memchr (call, ')', (size_t) (at - call)))
            continue;
        size_t span = (size_t) (at - call);
        char head [256];
        snprintf (head, sizeof head, "%.*s", (int) (span < sizeof head? span: sizeof head - 1), call);
        if (!strstr (head, "PUBLIC") && !strstr (head, "INTERFACE"))
            continue;
        const char *digits = at + 8;
        if (digits [0] < '0' || digits [0] > '9' || digits [1] < '0' || digits [1] > '9')
            continue;
        //  the lowest promise is the floor (a header-only target may ask less)
        if (!best || strncmp (digits, best + 8, 2) < 0)
            best = at;
    }
    if (!best)
        return false;
    snprintf (out, size, "%.2s", best + 8);
    *line_p = dtext_line_at (text, best);
    return true;
}

//  True when a CMake project() enables Swift.
static bool
s_cmake_swift (const char *text)
{
    for (const char *at = strstr (text, "project"); at; at = strstr (at + 1, "project")) {
        const char *end = strchr (at, ')');
        const char *swift = strstr (at, "Swift");
        if (end && swift && swift < end && (at == text || at [-1] == '\n' || at [-1] == ' '))
            return true;
    }
    return strstr (text, "enable_language(Swift)") != NULL;
}

static void
s_cmake (dctx_t *self, report_job_t *job, const project_file_t *file)
{
    dctx_tool (self, job, "cmake", "CMakeLists.txt");
    const char *language = s_language (file? file->data: NULL);
    dctx_language (self, job, language);
    char floor [8];
    unsigned floor_line = 0;
    bool matrix = false;
    if (strcmp (language, "cpp") == 0
        && s_cxx_floor (file->data, floor, sizeof floor, &floor_line)) {
        char range [16], source [96];
        snprintf (range, sizeof range, ">=%s", floor);
        dctx_source (source, sizeof source, "CMakeLists.txt", floor_line,
                     "cxx_std_ compile feature");
        matrix = dctx_matrix (self, job, "cxx-std", range, source);
    }
    //  a lint target that runs clang-tidy -p build reads the compilation
    //  database CMake writes only when asked
    const char *db = eco_make_recipe_reads_compile_db (self, "lint")
                   ? " -DCMAKE_EXPORT_COMPILE_COMMANDS=ON": "";
    char configure [160];
    snprintf (configure, sizeof configure, "cmake -B build -DCMAKE_BUILD_TYPE=Release%s%s",
              matrix? " -DCMAKE_CXX_STANDARD=\"$CXX_STD\"": "", db);
    dctx_step (self, job, CMD_BUILD, configure, "CMakeLists.txt");
    dctx_step (self, job, CMD_BUILD, "cmake --build build --config Release",
               "CMakeLists.txt");
    static const char *const marks [] = { "enable_testing", "include(CTest)",
        "include (CTest)", "add_test", NULL };
    for (size_t i = 0; file && marks [i]; i++) {
        unsigned line = dtext_find_line (file->data, marks [i]);
        if (line) {
            char source [96];
            dctx_source (source, sizeof source, "CMakeLists.txt", line, marks [i]);
            dctx_step (self, job, CMD_TEST,
                       "ctest --test-dir build --output-on-failure", source);
            return;
        }
    }
    if (!file)
        dctx_step (self, job, CMD_TEST,
                   "ctest --test-dir build --output-on-failure", "CMakeLists.txt");
}

static void
s_meson (dctx_t *self, report_job_t *job, const project_file_t *file)
{
    dctx_tool (self, job, "meson", "meson.build");
    dctx_language (self, job, s_language (file? file->data: NULL));
    //  pip has a current meson; the distribution's may be too old
    dctx_step (self, job, CMD_INSTALL, "python -m pip install meson ninja", "meson.build");
    dctx_step (self, job, CMD_BUILD, "meson setup build", "meson.build");
    dctx_step (self, job, CMD_BUILD, "meson compile -C build", "meson.build");
    //  meson test passes when a project defines none, so it is always safe
    unsigned line = file? dtext_find_line (file->data, "test("): 0;
    char source [96];
    dctx_source (source, sizeof source, "meson.build", line, line? "test()": NULL);
    dctx_step (self, job, CMD_TEST, "meson test -C build", source);
}

static void
s_autotools (dctx_t *self, report_job_t *job)
{
    bool ac = dctx_has (self, "configure.ac") || dctx_has (self, "configure.in");
    dctx_tool (self, job, "autotools", ac? "configure.ac": "configure");
    if (ac && !dctx_has (self, "configure")) {
        dctx_step (self, job, CMD_SYSTEM, "sudo apt-get update", "configure.ac");
        dctx_step (self, job, CMD_SYSTEM, "sudo apt-get install -y autoconf automake libtool",
                   "configure.ac");
        dctx_step (self, job, CMD_BUILD, "autoreconf -fi", "configure.ac");
    }
    dctx_step (self, job, CMD_BUILD, "./configure", ac? "configure.ac": "configure");
    dctx_step (self, job, CMD_BUILD, "make", "Makefile.am");
    dctx_step (self, job, CMD_TEST, "make check", "automake: the check target");
}

static void
s_make (dctx_t *self, report_job_t *job, const project_file_t *make)
{
    const char *name = make? make->name: "Makefile";
    dctx_tool (self, job, "make", name);
    dctx_step (self, job, CMD_BUILD, "make", name);
    if (!eco_make_wrapper (self, job, CMD_TEST, "test", NULL))
        eco_make_wrapper (self, job, CMD_TEST, "check", NULL);
    eco_make_wrapper (self, job, CMD_LINT, "lint", NULL);
}

void
eco_native_detect (dctx_t *self)
{
    const project_file_t *cmake = dctx_manifest (self, "CMakeLists.txt");
    bool has_cmake = dctx_has (self, "CMakeLists.txt");
    //  CMake building Swift (with or without C beside it) is the Swift
    //  package's second build: CMake builds Swift only with the Ninja
    //  generator, so the Swift job installs Ninja and checks that build.
    if (cmake && s_cmake_swift (cmake->data)) {
        report_job_t *swift = dctx_find_job (self, "swift");
        unsigned line = dtext_find_line (cmake->data, "Swift");
        char source [96];
        dctx_source (source, sizeof source, "CMakeLists.txt", line,
                     "Swift needs the Ninja generator");
        if (swift) {
            dctx_step (self, swift, CMD_SYSTEM, "sudo apt-get update", source);
            dctx_step (self, swift, CMD_SYSTEM, "sudo apt-get install -y ninja-build", source);
            dctx_step (self, swift, CMD_BUILD, "cmake -G Ninja -B build", source);
            dctx_step (self, swift, CMD_BUILD, "cmake --build build", source);
            dctx_note (self, "info", "CMakeLists.txt builds the Swift package: "
                       "checked in the Swift job, no C job", "CMakeLists.txt");
            has_cmake = false;
        }
    }
    bool meson = dctx_has (self, "meson.build");
    bool autotools = dctx_has (self, "configure.ac") || dctx_has (self, "configure.in")
                  || dctx_has (self, "configure");
    const project_file_t *make = dctx_manifest (self, "Makefile");
    if (!make)
        make = dctx_manifest (self, "makefile");
    bool has_make = make || dctx_has (self, "Makefile") || dctx_has (self, "GNUmakefile");
    if (!has_cmake && !meson && !autotools) {
        //  a Makefile beside another ecosystem is its task runner
        if (!has_make || self->report->jobs_count)
            return;
        report_job_t *job = dctx_job (self, "c", DCTX_WEAK);
        if (job)
            s_make (self, job, make);
        return;
    }
    report_job_t *job = dctx_job (self, "c", DCTX_STRONG);
    if (!job)
        return;
    if (has_cmake) {
        s_cmake (self, job, cmake);
        if (meson || autotools)
            dctx_note (self, "info", "several C build systems: used CMake",
                       "CMakeLists.txt");
    }
    else
    if (meson)
        s_meson (self, job, dctx_manifest (self, "meson.build"));
    else
        s_autotools (self, job);
    //  a Makefile beside the build system is the maintainers' task
    //  runner: its lint target is what they check before a merge
    eco_make_wrapper (self, job, CMD_LINT, "lint", NULL);
}
