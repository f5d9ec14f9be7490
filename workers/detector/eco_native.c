/*  workers/detector/eco_native.c - C and C++: CMake, Meson, autotools and
    plain make. Runs last: a bare Makefile only makes a C job when nothing
    else claimed the project.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

//  -- what the knowledge says about C builds (knowledge native) ------------

static const ynode_t *
s_kb (const dctx_t *self, const char *key)
{
    return ytree_path (knowledge_root (self->kb), "native", key, NULL);
}

//  True when the knowledge list native.key holds word (case ignored when
//  nocase).
static bool
s_kb_listed (const dctx_t *self, const char *key, const char *word, bool nocase)
{
    const ynode_t *list = s_kb (self, key);
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count; i++) {
        const char *item = ytree_str (list->items [i], "");
        if (nocase? strcasecmp (item, word) == 0: strcmp (item, word) == 0)
            return true;
    }
    return false;
}

//  The build file path (below the folder the rules look at) of the whole
//  project, or NULL: test/CMakeLists.txt, src/meson.build.
static const project_file_t *
s_file (const dctx_t *self, const char *path)
{
    if (self->readme_only || !self->whole)
        return NULL;
    char full [512];
    if (self->dir && *self->dir)
        snprintf (full, sizeof full, "%s/%s", self->dir, path);
    else
        snprintf (full, sizeof full, "%s", path);
    const project_file_t *file = project_manifest (self->whole, full);
    return file && file->data? file: NULL;
}

//  -- system packages a build needs -----------------------------------------

typedef struct {
    char packages [768];        //  " libfoo-dev bar"
    char source [192];          //  where the first came from
    char missing [256];         //  required names the knowledge lacks
} s_needs_t;

static void
s_append_word (char *list, size_t size, const char *word)
{
    if (!*word || dtext_has_word (list, word))
        return;
    size_t used = strlen (list);
    snprintf (list + used, size - used, " %s", word);
}

//  The build needs name (of knowledge table native.table: pkg-config,
//  cmake, libraries); required says it fails without it. A test
//  framework is needed whatever the build says: the tests need it.
static void
s_need (dctx_t *self, s_needs_t *needs, const char *table, const char *name,
        bool required, const char *file, unsigned line)
{
    if (!*name || strpbrk (name, "$@{}"))
        return;
    bool framework = s_kb_listed (self, "test-frameworks", name, false);
    if (!required && !framework)
        return;
    const ynode_t *map = s_kb (self, table);
    const ynode_t *entry = map && map->kind == YNODE_MAP? ytree_get (map, name): NULL;
    //  a CMake package config is often named as its pkg-config module
    if (!entry && strcmp (table, "cmake") == 0 && (map = s_kb (self, "pkg-config")))
        entry = ytree_get (map, name);
    if (!entry) {
        if (required)
            s_append_word (needs->missing, sizeof needs->missing, name);
        return;
    }
    const char *packages = ytree_str (entry, "");
    if (!*packages)
        return;
    char words [256];
    snprintf (words, sizeof words, "%s", packages);
    for (char *save = NULL, *w = strtok_r (words, " ", &save); w; w = strtok_r (NULL, " ", &save))
        s_append_word (needs->packages, sizeof needs->packages, w);
    if (!*needs->source) {
        char what [128];
        snprintf (what, sizeof what, "needs %s", name);
        dctx_source (needs->source, sizeof needs->source, file, line, what);
    }
}

//  Install what needs holds, and say which required names are unknown.
static void
s_needs_apply (dctx_t *self, report_job_t *job, const s_needs_t *needs, const char *file)
{
    if (*needs->packages)
        dctx_apt (self, job, needs->packages + 1, needs->source);
    if (*needs->missing) {
        char why [400];
        snprintf (why, sizeof why, "%s needs%s: no Debian package known for %s; "
                  "install them before the build", file, needs->missing,
                  strchr (needs->missing + 1, ' ')? "them": "it");
        dctx_note (self, "info", why, file);
    }
}

//  The arguments of the call starting at open (its '('), split into
//  blank-separated words without quotes; returns how many (at most max).
//  *end_p is set past the closing ')'.
static size_t
s_call_words (const char *open, char words [][96], size_t max, const char **end_p)
{
    size_t count = 0;
    const char *p = open + 1;
    int depth = 1;
    while (*p && depth > 0) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '"')
            p++;
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (*p == ')') {
            depth--;
            p++;
            continue;
        }
        if (!*p)
            break;
        size_t n = 0;
        char word [96];
        while (*p && !strchr (" \t\r\n\")", *p)) {
            if (*p == '(')
                depth++;
            if (n + 1 < sizeof word)
                word [n++] = *p;
            p++;
        }
        word [n] = 0;
        if (n && count < max)
            snprintf (words [count++], 96, "%s", word);
    }
    if (end_p)
        *end_p = p;
    return count;
}

//  A version constraint glued to a module name ("glib-2.0>=2.40") cut off.
static void
s_cut_version (char *name)
{
    char *cut = strpbrk (name, "<>=");
    if (cut)
        *cut = 0;
}

//  -- CMake options: tests on, documentation off ---------------------------

typedef struct {
    char name [64];
    bool on;                    //  as configured in CI
} s_option_t;

typedef struct {
    s_option_t options [32];
    size_t count;
    char defines [256];         //  " -DX_BUILD_TESTS=ON -DX_BUILD_DOCS=OFF"
    char source [128];
} s_options_t;

//  True when the last '_'-separated part of name is one of the words of
//  knowledge list key.
static bool
s_option_says (const dctx_t *self, const char *name, const char *key)
{
    const char *last = strrchr (name, '_');
    return s_kb_listed (self, key, last? last + 1: name, true);
}

static void
s_cmake_options (dctx_t *self, s_options_t *options, const project_file_t *file)
{
    if (!file)
        return;
    const char *text = file->data;
    for (const char *at = strcasestr (text, "option"); at; at = strcasestr (at + 1, "option")) {
        if ((at > text && (isalnum ((unsigned char) at [-1]) || at [-1] == '_')))
            continue;
        const char *open = at + 6;
        while (*open == ' ' || *open == '\t')
            open++;
        if (*open != '(')
            continue;
        //  option(NAME "help" DEFAULT): the help text is one quoted word
        const char *name = open + 1;
        while (*name == ' ' || *name == '\t')
            name++;
        size_t n = strcspn (name, " \t\n)");
        if (!n || n >= 64 || options->count == 32)
            continue;
        const char *help = name + n;
        while (*help == ' ' || *help == '\t' || *help == '\n')
            help++;
        const char *after = help;
        if (*help == '"') {
            const char *close = strchr (help + 1, '"');
            if (!close)
                continue;
            after = close + 1;
        }
        while (*after == ' ' || *after == '\t' || *after == '\n')
            after++;
        char value [32] = "";
        size_t v = 0;
        while (after [v] && !strchr (" \t\n)", after [v]) && v + 1 < sizeof value) {
            value [v] = after [v];
            v++;
        }
        value [v] = 0;
        bool off = !*value || strcasecmp (value, "OFF") == 0 || strcasecmp (value, "FALSE") == 0
                || strcasecmp (value, "NO") == 0 || strcmp (value, "0") == 0;
        bool on = strcasecmp (value, "ON") == 0 || strcasecmp (value, "TRUE") == 0
               || strcasecmp (value, "YES") == 0 || strcmp (value, "1") == 0;
        s_option_t *option = &options->options [options->count++];
        snprintf (option->name, sizeof option->name, "%.*s", (int) n, name);
        option->on = !off;
        const char *set = NULL;
        if (off && s_option_says (self, option->name, "test-option-words"))
            set = "ON";
        else
        if (on && s_option_says (self, option->name, "doc-option-words"))
            set = "OFF";
        if (!set)
            continue;
        option->on = strcmp (set, "ON") == 0;
        size_t used = strlen (options->defines);
        snprintf (options->defines + used, sizeof options->defines - used, " -D%s=%s",
                  option->name, set);
        if (!*options->source) {
            char what [96];
            snprintf (what, sizeof what, "option %s", option->name);
            dctx_source (options->source, sizeof options->source, file->name,
                         dtext_line_at (text, at), what);
        }
    }
}

//  True when the CMake text at at sits inside an if() on an option the
//  CI configuration leaves off (or an if(NOT x) on one it turns on).
static bool
s_cmake_switched_off (const s_options_t *options, const char *text, const char *at)
{
    char stack [16][64];
    size_t depth = 0;
    for (const char *p = text; p < at; ) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp (p, "endif", 5) == 0 && depth)
            depth--;
        else
        if (strncasecmp (p, "if", 2) == 0 && (p [2] == '(' || p [2] == ' ')) {
            const char *open = strchr (p, '(');
            const char *close = open? strchr (open, ')'): NULL;
            if (depth < 16 && open && close) {
                snprintf (stack [depth], 64, "%.*s", (int) (close - open - 1), open + 1);
                dtext_trim (stack [depth]);
            }
            depth++;
        }
        else
        if (strncasecmp (p, "else", 4) == 0 && depth && depth <= 16)
            stack [depth - 1][0] = 0;   //  the other branch: unknown
        const char *eol = strchr (p, '\n');
        p = eol? eol + 1: at;
    }
    for (size_t d = 0; d < depth && d < 16; d++) {
        const char *cond = stack [d];
        bool negated = strncasecmp (cond, "NOT ", 4) == 0;
        if (negated)
            cond += 4;
        while (*cond == ' ')
            cond++;
        for (size_t i = 0; i < options->count; i++)
            if (strcmp (cond, options->options [i].name) == 0
                && options->options [i].on == negated)
                return true;
    }
    return false;
}

//  The packages the CMake file asks for: find_package, pkg_check_modules,
//  pkg_search_module, find_library; skipping what sits behind an option
//  the CI configuration leaves off.
static void
s_cmake_needs (dctx_t *self, s_needs_t *needs, const s_options_t *options,
               const project_file_t *file)
{
    if (!file)
        return;
    const char *text = file->data;
    static const char *const calls [] = { "find_package", "pkg_check_modules",
                                          "pkg_search_module", "find_library", NULL };
    for (size_t c = 0; calls [c]; c++) {
        size_t len = strlen (calls [c]);
        for (const char *at = strcasestr (text, calls [c]); at;
             at = strcasestr (at + len, calls [c])) {
            if (at > text && (isalnum ((unsigned char) at [-1]) || at [-1] == '_'))
                continue;
            const char *open = at + len;
            while (*open == ' ' || *open == '\t')
                open++;
            if (*open != '(')
                continue;
            //  a commented-out call
            const char *bol = at;
            while (bol > text && bol [-1] != '\n')
                bol--;
            if (memchr (bol, '#', (size_t) (at - bol)))
                continue;
            char words [24][96];
            size_t count = s_call_words (open, words, 24, NULL);
            if (!count || s_cmake_switched_off (options, text, at))
                continue;
            bool required = false;
            for (size_t i = 0; i < count; i++)
                required = required || strcmp (words [i], "REQUIRED") == 0;
            unsigned line = dtext_line_at (text, at);
            if (c == 0) {
                s_need (self, needs, "cmake", words [0], required, file->name, line);
                continue;
            }
            if (c == 3) {
                //  find_library(VAR NAMES a b ...) or find_library(VAR name)
                size_t i = 1;
                if (i < count && strcmp (words [i], "NAMES") == 0)
                    i++;
                if (i < count)
                    s_need (self, needs, "libraries", words [i], required, file->name, line);
                continue;
            }
            static const char *const keywords [] = { "REQUIRED", "QUIET", "NO_CMAKE_PATH",
                "NO_CMAKE_ENVIRONMENT_PATH", "IMPORTED_TARGET", "GLOBAL", NULL };
            for (size_t i = 1; i < count; i++) {
                bool keyword = false;
                for (size_t k = 0; keywords [k]; k++)
                    keyword = keyword || strcmp (words [i], keywords [k]) == 0;
                if (keyword || strpbrk (words [i], "<>=") == words [i]
                    || isdigit ((unsigned char) words [i][0]))
                    continue;
                s_cut_version (words [i]);
                s_need (self, needs, "pkg-config", words [i], required, file->name, line);
                if (c == 2)
                    break;              //  pkg_search_module: one of them
            }
        }
    }
}

//  True when the CMake text adds the subdirectory dir to the build.
static bool
s_cmake_adds (const char *text, const char *dir)
{
    for (const char *at = strcasestr (text, "add_subdirectory"); at;
         at = strcasestr (at + 1, "add_subdirectory")) {
        const char *open = strchr (at, '(');
        if (!open)
            return false;
        char words [4][96];
        if (!s_call_words (open, words, 4, NULL))
            continue;
        char *name = words [0];
        static const char *const prefixes [] = { "${CMAKE_CURRENT_SOURCE_DIR}/",
            "${CMAKE_SOURCE_DIR}/", "${PROJECT_SOURCE_DIR}/", "./", NULL };
        for (size_t i = 0; prefixes [i]; i++)
            if (strncmp (name, prefixes [i], strlen (prefixes [i])) == 0)
                name += strlen (prefixes [i]);
        size_t n = strlen (name);
        while (n && name [n - 1] == '/')
            name [--n] = 0;
        if (strcmp (name, dir) == 0)
            return true;
    }
    return false;
}

//  The marks of CMake tests, in order of trust.
static const char *const s_test_marks [] = { "enable_testing", "include(CTest)",
    "include (CTest)", "add_test", NULL };

static unsigned
s_test_mark (const char *text, const char **mark_p)
{
    for (size_t i = 0; text && s_test_marks [i]; i++) {
        unsigned line = dtext_find_line (text, s_test_marks [i]);
        if (line) {
            *mark_p = s_test_marks [i];
            return line;
        }
    }
    return 0;
}

//  The test step of a CMake tree built into build from file: ctest where
//  it declares tests, else the test programs it builds, run from build.
static bool
s_cmake_test_step (dctx_t *self, report_job_t *job, const project_file_t *file,
                   const char *build)
{
    const char *mark = NULL;
    unsigned line = s_test_mark (file->data, &mark);
    char run [512], source [192];
    if (line) {
        dctx_source (source, sizeof source, file->name, line, mark);
        snprintf (run, sizeof run, "ctest --test-dir %s --output-on-failure", build);
        dctx_step (self, job, CMD_TEST, run, source);
        return true;
    }
    //  no add_test: a test folder's programs are the tests
    size_t used = (size_t) snprintf (run, sizeof run, "cd %s", build);
    unsigned first = 0;
    for (const char *at = strcasestr (file->data, "add_executable"); at;
         at = strcasestr (at + 1, "add_executable")) {
        const char *open = strchr (at, '(');
        char words [2][96];
        if (!open || !s_call_words (open, words, 2, NULL) || strpbrk (words [0], "${}"))
            continue;
        if (!first)
            first = dtext_line_at (file->data, at);
        if (used + strlen (words [0]) + 8 < sizeof run)
            used += (size_t) snprintf (run + used, sizeof run - used, " && ./%s", words [0]);
    }
    if (!first)
        return false;
    dctx_source (source, sizeof source, file->name, first, "the test programs it builds");
    dctx_step (self, job, CMD_TEST, run, source);
    return true;
}

//  The tests of a CMake project in a test folder the top-level build
//  does not add (or, with no top-level build, the whole CMake project).
static bool
s_cmake_test_folder (dctx_t *self, report_job_t *job, const char *top, s_needs_t *needs)
{
    const ynode_t *folders = s_kb (self, "test-folders");
    for (size_t i = 0; folders && folders->kind == YNODE_SEQ && i < folders->count; i++) {
        const char *dir = ytree_str (folders->items [i], "");
        char path [128];
        snprintf (path, sizeof path, "%s/CMakeLists.txt", dir);
        const project_file_t *file = s_file (self, path);
        if (!file || (top && s_cmake_adds (top, dir)))
            continue;
        s_options_t options = { .count = 0 };
        s_cmake_options (self, &options, file);
        s_cmake_needs (self, needs, &options, file);
        char run [512], build [96], source [192];
        snprintf (build, sizeof build, "build-%s", dir);
        dctx_source (source, sizeof source, file->name, 0,
                     top? "not part of the top-level build": "the only CMake project");
        snprintf (run, sizeof run, "cmake -S %s -B %s -DCMAKE_BUILD_TYPE=Release%s",
                  dir, build, options.defines);
        dctx_step (self, job, CMD_BUILD, run, source);
        snprintf (run, sizeof run, "cmake --build %s --config Release", build);
        dctx_step (self, job, CMD_BUILD, run, source);
        if (s_cmake_test_step (self, job, file, build))
            return true;
    }
    return false;
}

//  make -C DIR [test|check] for a test folder's Makefile.
static bool
s_make_test_folder (dctx_t *self, report_job_t *job)
{
    const ynode_t *folders = s_kb (self, "test-folders");
    for (size_t i = 0; folders && folders->kind == YNODE_SEQ && i < folders->count; i++) {
        const char *dir = ytree_str (folders->items [i], "");
        const project_file_t *file = NULL;
        static const char *const names [] = { "Makefile", "makefile", "GNUmakefile", NULL };
        for (size_t n = 0; names [n] && !file; n++) {
            char path [128];
            snprintf (path, sizeof path, "%s/%s", dir, names [n]);
            file = s_file (self, path);
        }
        if (!file)
            continue;
        static const char *const targets [] = { "test", "check", NULL };
        char run [160], source [192];
        snprintf (run, sizeof run, "make -C %s", dir);
        dctx_source (source, sizeof source, file->name, 0, "the tests' Makefile");
        for (size_t t = 0; targets [t]; t++) {
            unsigned line = 0;
            if (dtext_make_target (file->data, targets [t], &line, NULL, 0)) {
                snprintf (run, sizeof run, "make -C %s %s", dir, targets [t]);
                char what [64];
                snprintf (what, sizeof what, "target %s", targets [t]);
                dctx_source (source, sizeof source, file->name, line, what);
                break;
            }
        }
        dctx_step (self, job, CMD_TEST, run, source);
        return true;
    }
    return false;
}

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

//  The build file called base in a folder one level below the rules' own
//  (src/CMakeLists.txt), the n-th of them; its folder into dir.
static const project_file_t *
s_sub_file (const dctx_t *self, const char *base, size_t n, char *dir, size_t size)
{
    if (self->readme_only || !self->whole)
        return NULL;
    size_t prefix = self->dir && *self->dir? strlen (self->dir) + 1: 0;
    for (size_t i = 0; i < self->whole->manifests_count; i++) {
        const project_file_t *file = &self->whole->manifests [i];
        if (!file->name || !file->data || (prefix && (strncmp (file->name, self->dir, prefix - 1) != 0
                                                      || file->name [prefix - 1] != '/')))
            continue;
        const char *rest = file->name + prefix;
        const char *slash = strchr (rest, '/');
        if (!slash || slash == rest || strchr (slash + 1, '/') || strcmp (slash + 1, base) != 0)
            continue;
        if (n--)
            continue;
        snprintf (dir, size, "%.*s", (int) (slash - rest), rest);
        return file;
    }
    return NULL;
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
    //  the options that switch tests on and documentation off, then the
    //  libraries the build asks for: the top level's and those of the
    //  folders it adds
    s_options_t options = { .count = 0 };
    s_needs_t needs = { .packages = "" };
    s_cmake_options (self, &options, file);
    char dir [128];
    const project_file_t *sub;
    for (size_t n = 0; file && (sub = s_sub_file (self, "CMakeLists.txt", n, dir, sizeof dir)); n++)
        if (s_cmake_adds (file->data, dir))
            s_cmake_options (self, &options, sub);
    s_cmake_needs (self, &needs, &options, file);
    const char *mark = NULL;
    unsigned mark_line = file? s_test_mark (file->data, &mark): 0;
    const char *mark_file = "CMakeLists.txt";
    for (size_t n = 0; file && (sub = s_sub_file (self, "CMakeLists.txt", n, dir, sizeof dir)); n++)
        if (s_cmake_adds (file->data, dir)) {
            s_cmake_needs (self, &needs, &options, sub);
            if (!mark_line && (mark_line = s_test_mark (sub->data, &mark)))
                mark_file = sub->name;
        }
    //  a lint target that runs clang-tidy -p build reads the compilation
    //  database CMake writes only when asked
    const char *db = eco_make_recipe_reads_compile_db (self, "lint")
                   ? " -DCMAKE_EXPORT_COMPILE_COMMANDS=ON": "";
    char configure [512];
    snprintf (configure, sizeof configure, "cmake -B build -DCMAKE_BUILD_TYPE=Release%s%s%s",
              matrix? " -DCMAKE_CXX_STANDARD=\"$CXX_STD\"": "", db, options.defines);
    dctx_step (self, job, CMD_BUILD, configure,
               *options.source? options.source: "CMakeLists.txt");
    dctx_step (self, job, CMD_BUILD, "cmake --build build --config Release",
               "CMakeLists.txt");
    if (mark_line) {
        char source [192];
        dctx_source (source, sizeof source, mark_file, mark_line, mark);
        dctx_step (self, job, CMD_TEST,
                   "ctest --test-dir build --output-on-failure", source);
    }
    else
    if (!file)
        dctx_step (self, job, CMD_TEST,
                   "ctest --test-dir build --output-on-failure", "CMakeLists.txt");
    else
    if (!s_cmake_test_folder (self, job, file->data, &needs))
        s_make_test_folder (self, job);
    s_needs_apply (self, job, &needs, "CMakeLists.txt");
}

//  The libraries meson.build asks for: dependency('name') calls, optional
//  when they say required: false (or leave it to a feature option).
static void
s_meson_needs (dctx_t *self, s_needs_t *needs, const project_file_t *file)
{
    if (!file)
        return;
    const char *text = file->data;
    for (const char *at = strstr (text, "dependency("); at; at = strstr (at + 1, "dependency(")) {
        if (at > text && (isalnum ((unsigned char) at [-1]) || at [-1] == '_'))
            continue;       //  declare_dependency(, override_dependency(
        const char *p = at + 11;
        while (*p == ' ' || *p == '\n')
            p++;
        if (*p != '\'' && *p != '"')
            continue;
        char quote = *p++;
        const char *close = strchr (p, quote);
        if (!close || close - p >= 96)
            continue;
        char name [96];
        snprintf (name, sizeof name, "%.*s", (int) (close - p), p);
        //  the rest of the call, up to its closing parenthesis
        int depth = 1;
        const char *q = close;
        while (*q && depth > 0) {
            if (*q == '(')
                depth++;
            if (*q == ')')
                depth--;
            q++;
        }
        char rest [512];
        snprintf (rest, sizeof rest, "%.*s", (int) (q - close < 511? q - close: 511), close);
        const char *req = strstr (rest, "required");
        bool required = true;
        if (req) {
            req += 8;
            while (*req == ' ' || *req == ':')
                req++;
            required = strncmp (req, "true", 4) == 0;
        }
        s_need (self, needs, "pkg-config", name, required, file->name, dtext_line_at (text, at));
    }
}

//  True when a version floor (">=0.56", ">= 1.1") is newer than have.
static bool
s_newer_than (const char *floor, const char *have)
{
    while (*floor && !isdigit ((unsigned char) *floor))
        floor++;
    while (*floor || *have) {
        long a = strtol (floor, (char **) &floor, 10);
        long b = strtol (have, (char **) &have, 10);
        if (a != b)
            return a > b;
        if (*floor == '.')
            floor++;
        if (*have == '.')
            have++;
        if (!isdigit ((unsigned char) *floor) && !isdigit ((unsigned char) *have))
            break;
    }
    return false;
}

static void
s_meson (dctx_t *self, report_job_t *job, const project_file_t *file)
{
    dctx_tool (self, job, "meson", "meson.build");
    dctx_language (self, job, s_language (file? file->data: NULL));
    //  the distribution's meson and ninja (no Python to set up), unless
    //  the project asks for a newer meson than it ships: then pipx, which
    //  the runner has
    char floor [32] = "";
    unsigned line = 0;
    const char *have = ytree_str (ytree_get (s_kb (self, "distribution-tools"), "meson"), "");
    if (file && dtext_quoted_after (file->data, "meson_version", floor, sizeof floor, &line)
        && *have && s_newer_than (floor, have)) {
        char source [96];
        dctx_source (source, sizeof source, "meson.build", line, "meson_version");
        dctx_apt (self, job, "ninja-build", source);
        dctx_step (self, job, CMD_INSTALL, "pipx install meson", source);
    }
    else
        dctx_apt (self, job, "meson ninja-build", "meson.build");
    s_needs_t needs = { .packages = "" };
    s_meson_needs (self, &needs, file);
    char dir [128];
    const project_file_t *sub;
    for (size_t n = 0; (sub = s_sub_file (self, "meson.build", n, dir, sizeof dir)); n++)
        s_meson_needs (self, &needs, sub);
    s_needs_apply (self, job, &needs, "meson.build");
    dctx_step (self, job, CMD_BUILD, "meson setup build", "meson.build");
    dctx_step (self, job, CMD_BUILD, "meson compile -C build", "meson.build");
    //  meson test passes when a project defines none, so it is always safe
    line = file? dtext_find_line (file->data, "test("): 0;
    char source [96];
    dctx_source (source, sizeof source, "meson.build", line, line? "test()": NULL);
    dctx_step (self, job, CMD_TEST, "meson test -C build", source);
}

//  Split the m4 call at open into its top-level arguments (brackets
//  quote), each trimmed of blanks and one level of [ ].
static size_t
s_m4_args (const char *open, char args [][160], size_t max)
{
    size_t count = 0, n = 0;
    int paren = 1, bracket = 0;
    char arg [160];
    for (const char *p = open + 1; *p && paren > 0; p++) {
        if (*p == '[')
            bracket++;
        else
        if (*p == ']')
            bracket--;
        else
        if (*p == '(' && !bracket)
            paren++;
        else
        if (*p == ')' && !bracket)
            paren--;
        if (paren == 0 || (*p == ',' && !bracket && paren == 1)) {
            arg [n] = 0;
            if (count < max) {
                char *a = dtext_trim (arg);
                size_t len = strlen (a);
                if (len >= 2 && a [0] == '[' && a [len - 1] == ']') {
                    a [len - 1] = 0;
                    a++;
                }
                snprintf (args [count++], 160, "%s", a);
            }
            n = 0;
            continue;
        }
        if (n + 1 < sizeof arg)
            arg [n++] = *p == '\n' || *p == '\t'? ' ': *p;
    }
    return count;
}

//  The packages configure.ac needs: PKG_CHECK_MODULES modules and
//  AC_CHECK_LIB/AC_SEARCH_LIBS libraries whose absence stops configure,
//  and the tools its macros call (knowledge native.autoconf-macros).
static void
s_autoconf_needs (dctx_t *self, s_needs_t *needs, const project_file_t *file)
{
    if (!file)
        return;
    const char *text = file->data;
    const ynode_t *macros = s_kb (self, "autoconf-macros");
    for (size_t i = 0; macros && macros->kind == YNODE_MAP && i < macros->count; i++)
        if (dtext_has_word (text, macros->keys [i])) {
            char words [256];
            snprintf (words, sizeof words, "%s", ytree_str (macros->items [i], ""));
            for (char *save = NULL, *w = strtok_r (words, " ", &save); w;
                 w = strtok_r (NULL, " ", &save))
                s_append_word (needs->packages, sizeof needs->packages, w);
        }
    static const struct { const char *macro; size_t name_arg, fail_arg; const char *table; }
    calls [] = {
        { "PKG_CHECK_MODULES", 1, 3, "pkg-config" },
        { "AC_CHECK_LIB", 0, 3, "libraries" },
        { "AC_SEARCH_LIBS", 1, 3, "libraries" },
    };
    for (size_t c = 0; c < sizeof calls / sizeof calls [0]; c++) {
        size_t len = strlen (calls [c].macro);
        for (const char *at = strstr (text, calls [c].macro); at; at = strstr (at + len, calls [c].macro)) {
            if (at [len] != '(' || (at > text && at [-1] != '\n' && at [-1] != ' '
                                    && at [-1] != '\t' && at [-1] != '['))
                continue;
            char args [6][160];
            size_t count = s_m4_args (at + len, args, 6);
            if (count <= calls [c].name_arg)
                continue;
            //  PKG_CHECK_MODULES fails configure unless told what to do
            //  instead; a library check only when told to fail
            bool required = count <= calls [c].fail_arg
                          ? c == 0: strstr (args [calls [c].fail_arg], "AC_MSG_ERROR") != NULL;
            unsigned line = dtext_line_at (text, at);
            char names [160];
            snprintf (names, sizeof names, "%s", args [calls [c].name_arg]);
            bool skip_version = false;
            for (char *save = NULL, *w = strtok_r (names, " ", &save); w;
                 w = strtok_r (NULL, " ", &save)) {
                if (skip_version) {
                    skip_version = false;
                    continue;
                }
                if (strpbrk (w, "<>=") == w) {
                    skip_version = true;
                    continue;
                }
                s_cut_version (w);
                s_need (self, needs, calls [c].table, w, required, file->name, line);
                if (c == 2)
                    break;
            }
        }
    }
}

static void
s_autotools (dctx_t *self, report_job_t *job)
{
    bool ac = dctx_has (self, "configure.ac") || dctx_has (self, "configure.in");
    const char *ac_name = dctx_has (self, "configure.ac")? "configure.ac": "configure.in";
    dctx_tool (self, job, "autotools", ac? ac_name: "configure");
    s_needs_t needs = { .packages = "" };
    if (ac && !dctx_has (self, "configure")) {
        dctx_apt (self, job, "autoconf automake libtool", ac_name);
        //  the maintainers' own script runs autoreconf as they need it
        static const char *const scripts [] = { "autogen.sh", "bootstrap", "bootstrap.sh",
                                                NULL };
        const char *script = NULL;
        for (size_t i = 0; scripts [i] && !script; i++)
            if (dctx_has (self, scripts [i]))
                script = scripts [i];
        if (script) {
            char run [64];
            snprintf (run, sizeof run, "./%s", script);
            dctx_step (self, job, CMD_BUILD, run, script);
        }
        else
            dctx_step (self, job, CMD_BUILD, "autoreconf -fi", ac_name);
    }
    if (ac)
        s_autoconf_needs (self, &needs, dctx_manifest (self, ac_name));
    s_needs_apply (self, job, &needs, ac_name);
    dctx_step (self, job, CMD_BUILD, "./configure", ac? ac_name: "configure");
    dctx_step (self, job, CMD_BUILD, "make", "Makefile.am");
    dctx_step (self, job, CMD_TEST, "make check", "automake: the check target");
}

//  True when making target runs tests: it is test or check, or its recipe
//  runs a program it (or a prerequisite) just built (./$@, ./$<, ./NAME),
//  or a prerequisite does, depth levels down.
static bool
s_make_runs_tests (const char *text, const char *target, int depth)
{
    if (strcmp (target, "test") == 0 || strcmp (target, "tests") == 0
        || strcmp (target, "check") == 0)
        return dtext_make_target (text, target, NULL, NULL, 0);
    char recipe [2048], prereqs [512];
    if (!dtext_make_prereqs (text, target, prereqs, sizeof prereqs))
        return false;
    if (!dtext_make_target (text, target, NULL, recipe, sizeof recipe))
        recipe [0] = 0;
    if (strstr (recipe, "./$@") || strstr (recipe, "./$<") || strstr (recipe, "./$(@")
        || strstr (recipe, "./${@"))
        return true;
    char own [96];
    snprintf (own, sizeof own, "./%s", target);
    if (dtext_has_word (recipe, own))
        return true;
    char words [512];
    snprintf (words, sizeof words, "%s", prereqs);
    for (char *save = NULL, *w = strtok_r (words, " ", &save); w; w = strtok_r (NULL, " ", &save)) {
        if (strpbrk (w, "$%|") || strchr (w, '.'))
            continue;           //  a variable, a pattern, a source or object file
        snprintf (own, sizeof own, "./%s", w);
        if (dtext_has_word (recipe, own))
            return true;
        if (depth > 0 && s_make_runs_tests (text, w, depth - 1))
            return true;
    }
    return false;
}

//  True when the project's documents tell contributors to run command.
static bool
s_docs_run (const dctx_t *self, const char *command)
{
    for (size_t i = 0; i < self->doc->commands_count; i++) {
        const char *text = self->doc->commands [i].text;
        if (text && strstr (text, command))
            return true;
    }
    return false;
}

//  A Makefile lint target is a lint step when there is evidence the
//  maintainers run it: the documents say `make lint`, or its recipe calls
//  a linter the runner has or can install (knowledge recipe-tools).
//  Otherwise a target nobody runs would fail for want of its tool.
static void
s_make_lint (dctx_t *self, report_job_t *job)
{
    const project_file_t *make = dctx_manifest (self, "Makefile");
    if (!make)
        make = dctx_manifest (self, "makefile");
    char recipe [2048];
    unsigned line = 0;
    if (!make || !dtext_make_target (make->data, "lint", &line, recipe, sizeof recipe))
        return;
    bool evidence = s_docs_run (self, "make lint");
    const ynode_t *tools = ytree_get (knowledge_root (self->kb), "recipe-tools");
    for (size_t i = 0; !evidence && tools && tools->kind == YNODE_MAP && i < tools->count; i++)
        evidence = dtext_has_word (recipe, tools->keys [i]);
    //  a rule that only runs other targets ("lint: format-check tidy")
    if (!evidence && !*recipe)
        evidence = true;
    if (evidence) {
        eco_make_wrapper (self, job, CMD_LINT, "lint", NULL);
        return;
    }
    char source [192], why [256];
    dctx_source (source, sizeof source, make->name, line, "target lint");
    snprintf (why, sizeof why, "'make lint': the documents never ask for it and it calls "
              "no linter the runner has or can install");
    dctx_note (self, "dropped", why, source);
}

static void
s_make (dctx_t *self, report_job_t *job, const project_file_t *make)
{
    const char *name = make? make->name: "Makefile";
    dctx_tool (self, job, "make", name);
    //  a default goal that runs the tests makes `make` the test step: a
    //  first target named test or check is run by its name (`make` would
    //  be it, and a Build step that tests misleads), one that runs the
    //  programs it builds (./$@) is `make` itself
    char goal [96] = "", source [192];
    unsigned line = 0;
    bool goal_tests = make && dtext_make_default (make->data, goal, sizeof goal, &line)
                   && s_make_runs_tests (make->data, goal, 2);
    bool goal_is_test = goal_tests && (strcmp (goal, "test") == 0 || strcmp (goal, "tests") == 0
                                       || strcmp (goal, "check") == 0);
    if (goal_is_test && eco_make_wrapper (self, job, CMD_TEST, goal, NULL))
        ;
    else
    if (goal_tests && !goal_is_test) {
        char what [160];
        snprintf (what, sizeof what, "default goal %s runs the tests", goal);
        dctx_source (source, sizeof source, name, line, what);
        dctx_step_named (self, job, CMD_TEST, "Build and test", "make", source);
    }
    else
        dctx_step (self, job, CMD_BUILD, "make", name);
    if (!goal_is_test && !eco_make_wrapper (self, job, CMD_TEST, "test", NULL)
        && !eco_make_wrapper (self, job, CMD_TEST, "check", NULL)
        && !dctx_has_step (job, CMD_TEST))
        s_make_test_folder (self, job);
    s_make_lint (self, job);
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
    if (!has_cmake && !meson && !autotools && !has_make) {
        //  nothing to build at the top (a header-only library): the
        //  project's build is the one its tests folder holds
        if (self->report->jobs_count || (self->dir && *self->dir))
            return;
        report_job_t *job = NULL;
        const ynode_t *folders = s_kb (self, "test-folders");
        for (size_t i = 0; folders && folders->kind == YNODE_SEQ && i < folders->count; i++) {
            char path [128];
            snprintf (path, sizeof path, "%s/CMakeLists.txt",
                      ytree_str (folders->items [i], ""));
            const project_file_t *file = s_file (self, path);
            if (!file)
                continue;
            job = dctx_job (self, "c", DCTX_WEAK);
            if (!job)
                return;
            dctx_tool (self, job, "cmake", file->name);
            dctx_language (self, job, s_language (file->data));
            s_needs_t needs = { .packages = "" };
            s_cmake_test_folder (self, job, NULL, &needs);
            s_needs_apply (self, job, &needs, file->name);
            return;
        }
        for (size_t i = 0; folders && folders->kind == YNODE_SEQ && i < folders->count; i++) {
            char path [128];
            snprintf (path, sizeof path, "%s/Makefile", ytree_str (folders->items [i], ""));
            const project_file_t *file = s_file (self, path);
            if (file && (job = dctx_job (self, "c", DCTX_WEAK))) {
                dctx_tool (self, job, "make", file->name);
                s_make_test_folder (self, job);
                return;
            }
        }
        return;
    }
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
    //  runner: its lint target is what they check before a merge, when
    //  something shows they do
    s_make_lint (self, job);
}
