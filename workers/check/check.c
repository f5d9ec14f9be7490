/*  workers/check/check.c - the comparison: what the report expects of a
    CI (tests, runtime versions, services, README commands, lockfiles)
    and what the knowledge says is outdated (action majors, runner labels,
    workflow commands), against the jobs the CI files hold.  */
#include "workers/check/check.h"
#include "workers/check/ciread.h"

#include "common/ytree.h"
#include "workers/detector/dreadme.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"
#include "workers/parser/classify.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_VALUES 64

//  One command a CI step runs: a line of a run text, a part of a chain.
typedef struct {
    const ci_file_t *file;
    const ci_job_t *job;
    const ci_step_t *step;
    char text [512];
    unsigned line;
} s_cmd_t;

typedef struct {
    const knowledge_t *kb;
    const ynode_t *data;            //  the knowledge's check: entry
    const report_t *report;
    const project_t *project;
    ci_file_t *files;
    size_t files_count;
    s_cmd_t *cmds;
    size_t cmds_count;
    check_result_t *result;
    int failed;                     //  ENOMEM on the way
} s_ctx_t;


//  --------------------------------------------------------------------
//  Recording

static char *
s_dup (const char *text)
{
    return strdup (text? text: "");
}

static void *
s_push (s_ctx_t *self, void *array_p, size_t *count_p, size_t size)
{
    void **array = array_p;
    char *grown = realloc (*array, (*count_p + 1) * size);
    if (!grown) {
        self->failed = ENOMEM;
        return NULL;
    }
    *array = grown;
    memset (grown + *count_p * size, 0, size);
    return grown + (*count_p)++ * size;
}

static void
s_finding (s_ctx_t *self, const char *kind, const char *file, unsigned line,
           const char *source, const char *format, ...)
    __attribute__ ((format (printf, 6, 7)));

static void
s_finding (s_ctx_t *self, const char *kind, const char *file, unsigned line,
           const char *source, const char *format, ...)
{
    char message [600];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    //  the same finding at the same place once
    for (size_t i = 0; i < self->result->findings_count; i++) {
        const check_finding_t *old = &self->result->findings [i];
        if (strcmp (old->kind, kind) == 0 && strcmp (old->message, message) == 0
            && strcmp (old->file, file? file: "") == 0 && old->line == line)
            return;
    }
    check_finding_t *finding = s_push (self, &self->result->findings,
                                       &self->result->findings_count, sizeof *finding);
    if (!finding)
        return;
    const char *level = ytree_str (ytree_path (self->data, "severity", kind, NULL), "warning");
    finding->kind = s_dup (kind);
    finding->level = s_dup (level);
    finding->message = s_dup (message);
    finding->file = s_dup (file);
    finding->line = line;
    finding->source = s_dup (source);
    if (!finding->kind || !finding->level || !finding->message || !finding->file
        || !finding->source)
        self->failed = ENOMEM;
}

static void
s_expect (s_ctx_t *self, const char *what, const char *value, const char *source)
{
    for (size_t i = 0; i < self->result->expectations_count; i++) {
        const report_value_t *old = &self->result->expectations [i];
        if (strcmp (old->key, what) == 0 && strcmp (old->value, value) == 0)
            return;
    }
    report_value_t *item = s_push (self, &self->result->expectations,
                                   &self->result->expectations_count, sizeof *item);
    if (!item)
        return;
    item->key = s_dup (what);
    item->value = s_dup (value);
    item->source = s_dup (source);
    if (!item->key || !item->value || !item->source)
        self->failed = ENOMEM;
}


//  --------------------------------------------------------------------
//  Reading the CI

//  Each command of each run step: lines, and the parts of && and ; chains.
static void
s_collect_commands (s_ctx_t *self)
{
    for (size_t f = 0; f < self->files_count; f++)
    for (size_t j = 0; j < self->files [f].jobs_count; j++) {
        const ci_job_t *job = &self->files [f].jobs [j];
        for (size_t s = 0; s < job->steps_count; s++) {
            const ci_step_t *step = &job->steps [s];
            const char *p = step->run;
            unsigned line = step->run_line;
            while (*p) {
                const char *end = strchr (p, '\n');
                size_t len = end? (size_t) (end - p): strlen (p);
                char text [512];
                snprintf (text, sizeof text, "%.*s", (int) (len < 511? len: 511), p);
                char *part = text;
                while (part) {
                    char *next = strstr (part, "&&");
                    char *semi = strchr (part, ';');
                    if (semi && (!next || semi < next))
                        next = semi;
                    size_t skip = next && *next == '&'? 2: 1;
                    if (next)
                        *next = 0;
                    dtext_trim (part);
                    if (*part && *part != '#') {
                        s_cmd_t *cmd = s_push (self, &self->cmds, &self->cmds_count,
                                               sizeof *cmd);
                        if (!cmd)
                            return;
                        cmd->file = &self->files [f];
                        cmd->job = job;
                        cmd->step = step;
                        cmd->line = line;
                        snprintf (cmd->text, sizeof cmd->text, "%s", part);
                    }
                    part = next? next + skip: NULL;
                }
                p += len;
                if (*p == '\n')
                    p++;
                line++;
            }
        }
    }
}

//  "package.json:7 engines.node" -> "package.json" and 7.
static void
s_source_place (const char *source, char *file, size_t size, unsigned *line_p)
{
    size_t n = strcspn (source? source: "", " :(");
    snprintf (file, size, "%.*s", (int) n, source? source: "");
    *line_p = 0;
    if (source && source [n] == ':')
        *line_p = (unsigned) strtoul (source + n + 1, NULL, 10);
}

//  True when source points into a document (README, CONTRIBUTING).
static bool
s_from_document (const char *source)
{
    char file [256];
    unsigned line;
    s_source_place (source, file, sizeof file, &line);
    for (char *p = file; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
    size_t len = strlen (file);
    return strncmp (file, "readme", 6) == 0 || strncmp (file, "contributing", 12) == 0
        || (len > 3 && strcmp (file + len - 3, ".md") == 0)
        || (len > 4 && strcmp (file + len - 4, ".rst") == 0);
}

//  The place findings without a CI line of their own stand on: the
//  first job of the first CI file (preferring one that runs commands).
static const ci_job_t *
s_anchor (const s_ctx_t *self, const char **file_p)
{
    *file_p = "";
    for (size_t f = 0; f < self->files_count; f++)
        for (size_t j = 0; j < self->files [f].jobs_count; j++)
            for (size_t s = 0; s < self->files [f].jobs [j].steps_count; s++)
                if (*self->files [f].jobs [j].steps [s].run) {
                    *file_p = self->files [f].path;
                    return &self->files [f].jobs [j];
                }
    if (self->files_count && self->files [0].jobs_count) {
        *file_p = self->files [0].path;
        return &self->files [0].jobs [0];
    }
    return NULL;
}


//  --------------------------------------------------------------------
//  Tests

static void s_action_name (const char *uses, char *out, size_t size);

//  True when a step or job hands its work to what this file does not
//  show: a reusable workflow, or an action of the repository itself.
static bool
s_hidden (const char *action)
{
    return strstr (action, "/.github/workflows/") || strncmp (action, "./", 2) == 0;
}

//  True when an action's name says it runs tests ("sol/run-haskell-tests"):
//  a word of its repository's name is one of check.test-action-words.
static bool
s_test_action (const s_ctx_t *self, const char *action)
{
    const ynode_t *words = ytree_get (self->data, "test-action-words");
    const char *slash = strchr (action, '/');
    char name [160];
    snprintf (name, sizeof name, "%s", slash? slash + 1: "");
    for (char *word = strtok (name, "-_/."); word; word = strtok (NULL, "-_/."))
        for (size_t k = 0; words && words->kind == YNODE_SEQ && k < words->count; k++)
            if (strcmp (word, ytree_str (words->items [k], "")) == 0)
                return true;
    return false;
}

//  True when some job calls a reusable workflow: its matrix is not seen.
static bool
s_calls_workflows (const s_ctx_t *self)
{
    for (size_t f = 0; f < self->files_count; f++)
        for (size_t j = 0; j < self->files [f].jobs_count; j++)
            for (size_t s = 0; s < self->files [f].jobs [j].steps_count; s++)
                if (strstr (self->files [f].jobs [j].steps [s].uses, "/.github/workflows/"))
                    return true;
    return false;
}

//  True when a CI command runs cmd (the detector's equivalence).
static bool
s_same_command (const s_ctx_t *self, const char *ci, const char *want)
{
    char a [160], b [160];
    dreadme_core (self->kb, ci, a, sizeof a);
    dreadme_core (self->kb, want, b, sizeof b);
    if (!*a || strcmp (a, b) != 0)
        return false;
    //  "npm run X" and "npm run Y" share their first two words: the
    //  script they run tells them apart
    size_t len = strlen (a);
    if (len < 4 || strcmp (a + len - 4, " run") != 0)
        return true;
    char x [64] = "", y [64] = "";
    const char *pa = strstr (ci, " run "), *pb = strstr (want, " run ");
    if (pa)
        sscanf (pa + 5, "%63s", x);
    if (pb)
        sscanf (pb + 5, "%63s", y);
    return strcmp (x, y) == 0;
}

static const project_file_t *s_makefile (const project_t *project);
static bool s_at_root (const s_cmd_t *cmd);
static size_t s_words (const char *text, char words [][64], size_t max);

static bool
s_is_test (const s_ctx_t *self, const char *text)
{
    classify_result_t kind;
    classify_command (self->kb, NULL, text, strlen (text), &kind);
    return kind.kind == CMD_TEST;
}

//  True when a CI command runs tests: by what it says, or for `make T`
//  by what T's recipe in the project's Makefile runs ("make richtest"
//  running "richgo test ./...").
static bool
s_runs_tests (const s_ctx_t *self, const s_cmd_t *cmd)
{
    char words [16][64];
    size_t count = s_words (cmd->text, words, 16);
    const project_file_t *make = s_makefile (self->project);
    if (!make || count < 2 || strcmp (words [0], "make") != 0 || !s_at_root (cmd))
        return s_is_test (self, cmd->text);
    //  a Makefile we can read: only targets it has run anything
    for (size_t i = 1; i < count; i++) {
        char recipe [2048] = "";
        if (words [i][0] == '-' || strchr (words [i], '=')
            || !dtext_make_target (make->data, words [i], NULL, recipe, sizeof recipe))
            continue;
        char alone [80];
        snprintf (alone, sizeof alone, "make %s", words [i]);
        if (s_is_test (self, alone))
            return true;
        for (char *line = strtok (recipe, "\n"); line; line = strtok (NULL, "\n"))
            if (s_is_test (self, line))
                return true;
    }
    return false;
}

static void
s_check_tests (s_ctx_t *self)
{
    const report_step_t *first = NULL;
    bool covered = false;
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        const report_job_t *job = &self->report->jobs [j];
        for (size_t i = 0; i < job->steps_count; i++) {
            const report_step_t *step = &job->steps [i];
            if (step->kind != CMD_TEST)
                continue;
            s_expect (self, "test command", step->run, step->source);
            if (!first)
                first = step;
            for (size_t c = 0; c < self->cmds_count && !covered; c++)
                covered = s_same_command (self, self->cmds [c].text, step->run);
        }
    }
    for (size_t c = 0; c < self->cmds_count && !covered; c++)
        covered = s_runs_tests (self, &self->cmds [c]);
    //  a job that calls a reusable workflow, or an action the knowledge
    //  says runs the tests: what runs there cannot be seen from here
    const ynode_t *runners = ytree_get (self->data, "test-actions");
    for (size_t f = 0; f < self->files_count && !covered; f++)
        for (size_t j = 0; j < self->files [f].jobs_count && !covered; j++) {
            const ci_job_t *job = &self->files [f].jobs [j];
            for (size_t s = 0; s < job->steps_count && !covered; s++) {
                char action [160];
                s_action_name (job->steps [s].uses, action, sizeof action);
                covered = s_hidden (action) || s_test_action (self, action);
                for (size_t k = 0; runners && runners->kind == YNODE_SEQ
                                   && k < runners->count && !covered; k++)
                    covered = strcmp (action, ytree_str (runners->items [k], "")) == 0;
            }
        }
    if (!first || covered)
        return;
    const char *file;
    const ci_job_t *anchor = s_anchor (self, &file);
    if (!self->files_count)
        s_finding (self, "tests-missing", "", 0, first->source,
                   "no CI workflow runs the tests ('%s'): the project has no "
                   ".github/workflows/*.yml or .gitlab-ci.yml that can be read", first->run);
    else
        s_finding (self, "tests-missing", file, anchor? anchor->line: 0, first->source,
                   "no CI job runs the tests: nothing like '%s'", first->run);
}

//  The words of a command (at most max, 64 bytes each), past env
//  assignments; stops at a pipe or redirection.
static size_t
s_words (const char *text, char words [][64], size_t max)
{
    size_t count = 0;
    const char *p = text;
    while (*p && count < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || strchr ("|<>", *p))
            break;
        size_t n = strcspn (p, " \t|<>");
        snprintf (words [count], 64, "%.*s", (int) (n < 63? n: 63), p);
        //  quotes around a word do not change it
        size_t len = strlen (words [count]);
        if (len >= 2 && strchr ("'\"", words [count][0]) && words [count][len - 1]
            == words [count][0]) {
            memmove (words [count], words [count] + 1, len - 2);
            words [count][len - 2] = 0;
        }
        if (!(count == 0 && strchr (words [count], '=') && isalpha ((unsigned char) *p)))
            count++;
        p += n;
    }
    return count;
}

//  npm run X, yarn run X, pnpm run X, npm run-script X, npm test: the
//  script's name; false for other commands and for --if-present.
static bool
s_npm_script (char words [][64], size_t count, char *script, size_t size)
{
    if (count < 2 || (strcmp (words [0], "npm") && strcmp (words [0], "yarn")
                      && strcmp (words [0], "pnpm")))
        return false;
    for (size_t i = 1; i < count; i++)
        if (strcmp (words [i], "--if-present") == 0)
            return false;
    if ((strcmp (words [1], "run") == 0 || strcmp (words [1], "run-script") == 0)
        && count >= 3 && words [2][0] != '-') {
        snprintf (script, size, "%s", words [2]);
        return true;
    }
    if (strcmp (words [0], "npm") == 0 && strcmp (words [1], "test") == 0) {
        snprintf (script, size, "test");
        return true;
    }
    return false;
}

//  True when a CI command runs in the project's root, as far as we see.
static bool
s_at_root (const s_cmd_t *cmd)
{
    //  a chain that entered a folder first, or a step with its own folder
    const char *run = cmd->step->run;
    return !*cmd->step->dir && !strstr (run, "cd ") && !strstr (run, "pushd ") && !strstr (run, "--prefix")
        && !strstr (run, "-C ") && !strstr (run, "--dir");
}

//  tox -e a,b: the envs tox.ini lacks. Factor envs (py311, pypy3) tox
//  makes by itself; a generative envlist ({...}) is not judged.
static bool
s_tox_missing (const project_file_t *tox, const char *envs, char *missing, size_t size)
{
    if (strchr (tox->data, '{'))
        return false;
    char list [256];
    snprintf (list, sizeof list, "%s", envs);
    for (char *env = strtok (list, ","); env; env = strtok (NULL, ",")) {
        dtext_trim (env);
        if (!*env || strncmp (env, "py", 2) == 0 || strchr (env, '$'))
            continue;
        char section [160];
        snprintf (section, sizeof section, "[testenv:%s]", env);
        if (strstr (tox->data, section) || dtext_has_word (tox->data, env))
            continue;
        snprintf (missing, size, "%s", env);
        return true;
    }
    return false;
}

static const project_file_t *
s_makefile (const project_t *project)
{
    static const char *const generated [] = { "CMakeLists.txt", "configure", "configure.ac",
        "configure.in", "Makefile.am", "Makefile.in", "meson.build", "Makefile.PL",
        "premake5.lua", "wscript", NULL };
    for (size_t i = 0; generated [i]; i++)
        if (project_has_file (project, generated [i]))
            return NULL;
    const project_file_t *make = project_manifest (project, "GNUmakefile");
    if (!make)
        make = project_manifest (project, "Makefile");
    if (!make)
        make = project_manifest (project, "makefile");
    if (!make || dtext_has_line_prefix (make->data, "include ")
        || dtext_has_line_prefix (make->data, "-include ")
        || dtext_has_line_prefix (make->data, "sinclude ") || strstr (make->data, "$(eval"))
        return NULL;
    return make;
}

//  CI commands that run a script, target or env the project does not have.
static void
s_check_gone (s_ctx_t *self)
{
    const project_file_t *pkg = project_manifest (self->project, "package.json");
    json_t *scripts = NULL, *root = NULL;
    if (pkg) {
        json_error_t error;
        root = json_loadb (pkg->data, pkg->size, 0, &error);
        scripts = json_object_get (root, "scripts");
    }
    const project_file_t *make = s_makefile (self->project);
    const project_file_t *tox = project_manifest (self->project, "tox.ini");
    for (size_t c = 0; c < self->cmds_count; c++) {
        const s_cmd_t *cmd = &self->cmds [c];
        if (!s_at_root (cmd))
            continue;
        char words [16][64];
        size_t count = s_words (cmd->text, words, 16);
        if (!count)
            continue;
        char name [64];
        if (json_is_object (root) && s_npm_script (words, count, name, sizeof name)
            && !json_object_get (scripts, name)) {
            char source [300];
            unsigned line = dtext_json_line (pkg->data, NULL, "scripts");
            snprintf (source, sizeof source, "package.json:%u scripts", line? line: 1);
            s_finding (self, "test-command-gone", cmd->file->path, cmd->line, source,
                       "'%s' runs the script '%s', which package.json no longer has",
                       cmd->text, name);
            continue;
        }
        if (make && strcmp (words [0], "make") == 0) {
            for (size_t i = 1; i < count; i++) {
                const char *word = words [i];
                if (word [0] == '-') {
                    if (strchr ("Cfj", word [1]) && !word [2])
                        i++;            //  its value
                    if (strchr ("Cf", word [1]) || strncmp (word, "--file", 6) == 0
                        || strncmp (word, "--directory", 11) == 0)
                        break;          //  another Makefile
                    continue;
                }
                if (strchr (word, '=') || strpbrk (word, "$%*{"))
                    continue;
                if (!dtext_make_target (make->data, word, NULL, NULL, 0)) {
                    char source [300];
                    snprintf (source, sizeof source, "%s:1", make->name);
                    s_finding (self, "test-command-gone", cmd->file->path, cmd->line, source,
                               "'%s' runs the target '%s', which %s no longer has", cmd->text,
                               word, make->name);
                    break;
                }
            }
            continue;
        }
        if (tox && strcmp (words [0], "tox") == 0)
            for (size_t i = 1; i + 1 < count; i++)
                if (strcmp (words [i], "-e") == 0) {
                    char missing [64];
                    if (s_tox_missing (tox, words [i + 1], missing, sizeof missing)) {
                        s_finding (self, "test-command-gone", cmd->file->path, cmd->line,
                                   "tox.ini:1", "'%s' runs the tox env '%s', which tox.ini "
                                   "no longer has", cmd->text, missing);
                    }
                    break;
                }
    }
    json_decref (root);
}


//  --------------------------------------------------------------------
//  Runtime versions

//  One version CI tests, and where.
typedef struct {
    const char *text;
    const char *file;
    unsigned line;
    const ci_job_t *job;
} s_tested_t;

//  The runtime a setup action's input sets ("actions/setup-node" and
//  "node-version" -> "node"), from the knowledge's setup entries.
static const char *
s_input_runtime (const s_ctx_t *self, const char *action, const char *input)
{
    const ynode_t *setup = ytree_get (knowledge_root (self->kb), "setup");
    for (size_t i = 0; setup && setup->kind == YNODE_MAP && i < setup->count; i++) {
        const ynode_t *entry = setup->items [i];
        if (strcmp (ytree_str (ytree_get (entry, "action"), ""), action) != 0)
            continue;
        const ynode_t *versions = ytree_get (entry, "versions");
        for (size_t k = 0; versions && versions->kind == YNODE_MAP && k < versions->count; k++)
            if (strcmp (ytree_str (versions->items [k], ""), input) == 0)
                return versions->keys [k];
    }
    //  any other action's RUNTIME-version input (pdm-project/setup-pdm's
    //  python-version), for a runtime the knowledge has
    size_t len = strlen (input);
    const ynode_t *runtimes = ytree_get (knowledge_root (self->kb), "runtimes");
    for (size_t i = 0; len > 8 && runtimes && runtimes->kind == YNODE_MAP
                       && i < runtimes->count; i++)
        if (strcmp (input + len - 8, "-version") == 0
            && strlen (runtimes->keys [i]) == len - 8
            && strncmp (input, runtimes->keys [i], len - 8) == 0)
            return runtimes->keys [i];
    return NULL;
}

//  "actions/setup-node@v4" -> "actions/setup-node" in out.
static void
s_action_name (const char *uses, char *out, size_t size)
{
    size_t n = strcspn (uses, "@");
    snprintf (out, size, "%.*s", (int) n, uses);
}

//  The versions of runtime CI tests, into tested (at most max). *pinned_p
//  is set when a step takes the version from a file (.nvmrc...): what it
//  tests is then the project's own declaration.
static size_t
s_tested_versions (const s_ctx_t *self, const char *runtime, s_tested_t *tested, size_t max,
                   bool *pinned_p)
{
    size_t count = 0;
    *pinned_p = false;
    const ynode_t *images = ytree_get (self->data, "runtime-images");
    for (size_t f = 0; f < self->files_count; f++)
    for (size_t j = 0; j < self->files [f].jobs_count; j++) {
        const ci_job_t *job = &self->files [f].jobs [j];
        for (size_t s = 0; s < job->steps_count; s++) {
            const ci_step_t *step = &job->steps [s];
            if (!*step->uses)
                continue;
            char action [160];
            s_action_name (step->uses, action, sizeof action);
            for (size_t w = 0; w < step->with_count; w++) {
                const ci_input_t *input = &step->with [w];
                size_t klen = strlen (input->key);
                if (klen > 5 && strcmp (input->key + klen - 5, "-file") == 0) {
                    char key [64];
                    snprintf (key, sizeof key, "%.*s", (int) (klen - 5), input->key);
                    const char *rt = s_input_runtime (self, action, key);
                    if (rt && strcmp (rt, runtime) == 0)
                        *pinned_p = true;
                    continue;
                }
                const char *rt = s_input_runtime (self, action, input->key);
                if (!rt || strcmp (rt, runtime) != 0)
                    continue;
                ci_text_t values [S_MAX_VALUES];
                size_t n = ci_input_values (job, input, values, S_MAX_VALUES);
                for (size_t v = 0; v < n && count < max; v++) {
                    //  a list in one input ("3.11\n3.12") is several values;
                    //  only the first line of each is read here
                    tested [count++] = (s_tested_t) { values [v].text, self->files [f].path,
                                                      values [v].line, job };
                }
            }
        }
        //  an image: node:20, python:3.12-slim, ${{ matrix.image }}
        if (*job->image.text && count < max) {
            char name [128];
            const char *image = job->image.text;
            const char *slash = strrchr (image, '/');
            size_t n = strcspn (slash? slash + 1: image, ":");
            snprintf (name, sizeof name, "%.*s", (int) n, slash? slash + 1: image);
            const char *colon = strchr (slash? slash + 1: image, ':');
            if (colon && strcmp (ytree_str (ytree_get (images, name), ""), runtime) == 0)
                tested [count++] = (s_tested_t) { colon + 1, self->files [f].path,
                                                  job->image.line, job };
        }
    }
    return count;
}

//  A tested value as a release line like expected's ("3.12-slim" ->
//  "3.12", "v20.x" -> "20"); false when it is not a version at all
//  ("lts/*", "3.x", "stable", an expression).
static bool
s_tested_line (const char *value, const char *expected, char *out, size_t size)
{
    size_t parts = 1;
    for (const char *p = expected; *p; p++)
        if (*p == '.')
            parts++;
    char text [64];
    snprintf (text, sizeof text, "%s", value);
    dtext_trim (text);
    size_t n = strspn (text, "v0123456789.");
    //  "22.x", "1.21.*": the line before the wildcard
    if (n > 1 && text [n - 1] == '.' && (text [n] == 'x' || text [n] == '*')
        && !text [n + 1])
        n--;
    text [n] = 0;
    //  "3." of "3.x": a whole series, not one line
    if (!n || text [n - 1] == '.' || !vrange_line (text, parts, out, size))
        return false;
    //  fewer parts than the expected line: "3" for a Python line says too little
    size_t have = 1;
    for (const char *p = out; *p; p++)
        if (*p == '.')
            have++;
    return have >= parts;
}

//  True when want is a line of runtime the project asked for: not the
//  knowledge's default, nor a channel ("stable", "nightly").
static bool
s_line_to_test (const report_value_t *want, const char *runtime)
{
    return strcmp (want->key, runtime) == 0
        && strncmp (want->source, "knowledge:", 10) != 0
        && isdigit ((unsigned char) want->value [0]);
}

//  True when job sets the declared range aside on purpose: its matrix,
//  inputs or commands hold a word the knowledge (check: range-lifted-by)
//  gives for where the range comes from (-Denforcer.skip for Maven's
//  requireJavaVersion).
static bool
s_range_lifted (const s_ctx_t *self, const ci_job_t *job, const char *source)
{
    const ynode_t *lifters = ytree_get (self->data, "range-lifted-by");
    for (size_t i = 0; lifters && i < lifters->count; i++) {
        const char *from = lifters->keys? lifters->keys [i]: NULL;
        const ynode_t *words = lifters->items [i];
        if (!from || !strstr (source, from))
            continue;
        for (size_t w = 0; words && w < words->count; w++) {
            const char *word = ytree_str (words->items [w], NULL);
            if (!word)
                continue;
            for (size_t a = 0; a < job->matrix_count; a++)
                for (size_t v = 0; v < job->matrix [a].values_count; v++)
                    if (strstr (job->matrix [a].values [v].text, word))
                        return true;
            for (size_t s = 0; s < job->steps_count; s++) {
                if (strstr (job->steps [s].run, word))
                    return true;
                for (size_t k = 0; k < job->steps [s].with_count; k++)
                    if (strstr (job->steps [s].with [k].value, word))
                        return true;
            }
        }
    }
    return false;
}

static void
s_check_versions (s_ctx_t *self)
{
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        const report_job_t *job = &self->report->jobs [j];
        //  each runtime once
        for (size_t i = 0; i < job->versions_count; i++) {
            const report_value_t *version = &job->versions [i];
            bool first = true;
            for (size_t k = 0; k < i; k++)
                if (strcmp (job->versions [k].key, version->key) == 0)
                    first = false;
            if (!first)
                continue;
            const char *runtime = version->key;
            s_tested_t tested [S_MAX_VALUES];
            bool pinned;
            size_t count = s_tested_versions (self, runtime, tested, S_MAX_VALUES, &pinned);
            char key [80];
            snprintf (key, sizeof key, "declared-%s", runtime);
            const report_value_t *declared = NULL;
            for (size_t s = 0; s < job->settings_count; s++)
                if (strcmp (job->settings [s].key, key) == 0)
                    declared = &job->settings [s];
            if (declared) {
                char what [120];
                snprintf (what, sizeof what, "%s range", runtime);
                s_expect (self, what, declared->value, declared->source);
            }
            char lines [S_MAX_VALUES][32];
            size_t known = 0;
            for (size_t t = 0; t < count; t++) {
                if (!s_tested_line (tested [t].text, version->value, lines [known], 32))
                    continue;
                if (declared && vrange_valid (declared->value)
                    && !vrange_allows (declared->value, lines [known])
                    && !s_range_lifted (self, tested [t].job, declared->source))
                    s_finding (self, "version-outside-range", tested [t].file, tested [t].line,
                               declared->source, "CI tests %s %s, outside the range the "
                               "project declares ('%s')", runtime, tested [t].text,
                               declared->value);
                tested [known++] = tested [t];
            }
            //  nothing CI pins (a runner's own runtime, lts/*, a version
            //  file), or a reusable workflow's matrix we do not see: what
            //  it tests cannot be held to a line
            //  the lines to test: the oldest and newest the declaration
            //  allows, as the detector chose them
            const char *oldest = NULL, *newest = NULL;
            for (size_t k = i; k < job->versions_count; k++) {
                const report_value_t *want = &job->versions [k];
                if (!s_line_to_test (want, runtime))
                    continue;
                if (!oldest || vrange_compare (want->value, oldest) < 0)
                    oldest = want->value;
                if (!newest || vrange_compare (want->value, newest) > 0)
                    newest = want->value;
            }
            for (size_t k = i; k < job->versions_count; k++) {
                const report_value_t *want = &job->versions [k];
                if (!s_line_to_test (want, runtime))
                    continue;
                char what [160];
                snprintf (what, sizeof what, "%s version%s", runtime,
                          oldest == newest? "": want->value == oldest
                          ? " (the oldest line the project declares)"
                          : want->value == newest? " (the newest line it allows)": "");
                s_expect (self, what, want->value, want->source);
            }
            if (!known || pinned || s_calls_workflows (self))
                continue;
            for (size_t k = i; k < job->versions_count; k++) {
                const report_value_t *want = &job->versions [k];
                if (!s_line_to_test (want, runtime))
                    continue;
                bool found = false;
                for (size_t t = 0; t < known && !found; t++)
                    found = vrange_compare (lines [t], want->value) == 0;
                if (!found)
                    s_finding (self, "version-untested", tested [0].file, tested [0].line,
                               want->source, "CI never tests %s %s, which the project "
                               "declares it supports", runtime, want->value);
            }
        }
    }
}


//  --------------------------------------------------------------------
//  Services

//  The base name of an image: "docker.io/library/postgres:16" -> "postgres".
static void
s_image_name (const char *image, char *out, size_t size)
{
    const char *slash = strrchr (image, '/');
    const char *base = slash? slash + 1: image;
    size_t n = strcspn (base, ":@");
    snprintf (out, size, "%.*s", (int) n, base);
    for (char *p = out; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
}

//  The knowledge's service a CI service (or an image a command runs)
//  stands for, or NULL.
static const char *
s_service_kind (const s_ctx_t *self, const char *name, const char *image)
{
    const ynode_t *images = ytree_get (self->data, "service-images");
    char base [128], lname [128];
    s_image_name (image && *image? image: name, base, sizeof base);
    s_image_name (name? name: "", lname, sizeof lname);
    for (size_t i = 0; images && images->kind == YNODE_MAP && i < images->count; i++) {
        const ynode_t *list = images->items [i];
        for (size_t k = 0; list->kind == YNODE_SEQ && k < list->count; k++) {
            const char *known = ytree_str (list->items [k], "");
            if (strcmp (base, known) == 0)
                return images->keys [i];
        }
    }
    for (size_t i = 0; images && images->kind == YNODE_MAP && i < images->count; i++)
        if (strcmp (lname, images->keys [i]) == 0)
            return images->keys [i];
    return NULL;
}

//  True when a command starts containers itself (compose, docker run of
//  the service's image, a script we cannot see into is not counted).
static bool
s_command_starts (const s_ctx_t *self, const char *kind)
{
    for (size_t c = 0; c < self->cmds_count; c++) {
        const char *text = self->cmds [c].text;
        if (strstr (text, "docker compose") || strstr (text, "docker-compose")
            || strstr (text, "podman-compose"))
            return true;
        if (!strstr (text, "docker run") && !strstr (text, "podman run"))
            continue;
        const ynode_t *list = ytree_path (self->data, "service-images", kind, NULL);
        for (size_t k = 0; list && list->kind == YNODE_SEQ && k < list->count; k++)
            if (dtext_has_word (text, ytree_str (list->items [k], "")))
                return true;
    }
    return false;
}

static void
s_check_services (s_ctx_t *self)
{
    const char *file;
    const ci_job_t *anchor = s_anchor (self, &file);
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        const report_job_t *job = &self->report->jobs [j];
        for (size_t i = 0; i < job->services_count; i++) {
            const report_service_t *want = &job->services [i];
            s_expect (self, "service", want->name, want->source);
            const char *kind = s_service_kind (self, want->name, want->image);
            bool found = false;
            for (size_t f = 0; f < self->files_count && !found; f++)
                for (size_t k = 0; k < self->files [f].jobs_count && !found; k++) {
                    const ci_job_t *cj = &self->files [f].jobs [k];
                    for (size_t s = 0; s < cj->services_count && !found; s++) {
                        const char *have = s_service_kind (self, cj->services [s].name,
                                                           cj->services [s].image);
                        found = have && kind && strcmp (have, kind) == 0;
                        if (!kind)
                            found = strcmp (cj->services [s].name, want->name) == 0;
                    }
                }
            if (!found && kind && s_command_starts (self, kind))
                found = true;
            if (!found && self->files_count)
                s_finding (self, "service-missing", file, anchor? anchor->line: 0,
                           want->source, "the tests need %s (%s) and no CI job starts it",
                           want->name, want->image);
        }
    }
    //  the reverse: services CI starts that nothing in the project uses
    if (self->report->degraded)
        return;
    for (size_t f = 0; f < self->files_count; f++)
    for (size_t k = 0; k < self->files [f].jobs_count; k++) {
        const ci_job_t *cj = &self->files [f].jobs [k];
        for (size_t s = 0; s < cj->services_count; s++) {
            const char *have = s_service_kind (self, cj->services [s].name,
                                               cj->services [s].image);
            if (!have)
                continue;           //  not one we know the clients of
            bool used = false;
            for (size_t j = 0; j < self->report->jobs_count && !used; j++)
                for (size_t i = 0; i < self->report->jobs [j].services_count && !used; i++) {
                    const report_service_t *want = &self->report->jobs [j].services [i];
                    const char *kind = s_service_kind (self, want->name, want->image);
                    used = kind && strcmp (kind, have) == 0;
                }
            if (!used)
                s_finding (self, "service-unused", self->files [f].path,
                           cj->services [s].line, "",
                           "job '%s' starts %s, but no manifest, compose file or example "
                           "environment of the project names a client of it", cj->id,
                           cj->services [s].name);
        }
    }
}


//  --------------------------------------------------------------------
//  README commands

static void
s_check_readme (s_ctx_t *self)
{
    const char *file;
    const ci_job_t *anchor = s_anchor (self, &file);
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        const report_job_t *job = &self->report->jobs [j];
        for (size_t i = 0; i < job->steps_count; i++) {
            const report_step_t *step = &job->steps [i];
            if ((step->kind != CMD_INSTALL && step->kind != CMD_TEST)
                || !s_from_document (step->source))
                continue;
            //  a README test command tests-missing has named already
            bool said = false;
            for (size_t f = 0; f < self->result->findings_count && !said; f++)
                said = strcmp (self->result->findings [f].kind, "tests-missing") == 0
                    && strcmp (self->result->findings [f].source, step->source) == 0;
            s_expect (self, step->kind == CMD_TEST? "README test command"
                      : "README install command", step->run, step->source);
            bool found = false;
            for (size_t c = 0; c < self->cmds_count && !found; c++)
                found = s_same_command (self, self->cmds [c].text, step->run)
                     || strstr (self->cmds [c].text, step->run);
            if (!found && !said && self->files_count)
                s_finding (self, "readme-command-missing", file, anchor? anchor->line: 0,
                           step->source, "the README says to run '%s' (%s) and no CI step "
                           "runs it or its equivalent", step->run,
                           step->kind == CMD_TEST? "tests": "install");
        }
    }
}


//  --------------------------------------------------------------------
//  What the knowledge calls outdated

//  The major of a ref: "v4" -> 4, "v4.1.0" -> 4; -1 for a branch, a SHA.
static long
s_major (const char *ref)
{
    if (!ref || (ref [0] != 'v' && ref [0] != 'V') || !isdigit ((unsigned char) ref [1]))
        return -1;
    return strtol (ref + 1, NULL, 10);
}

static void
s_check_actions (s_ctx_t *self)
{
    for (size_t f = 0; f < self->files_count; f++)
    for (size_t j = 0; j < self->files [f].jobs_count; j++) {
        const ci_job_t *job = &self->files [f].jobs [j];
        for (size_t s = 0; s < job->steps_count; s++) {
            const ci_step_t *step = &job->steps [s];
            const char *at = strchr (step->uses, '@');
            if (!*step->uses || !at)
                continue;
            char action [160];
            s_action_name (step->uses, action, sizeof action);
            const char *want = knowledge_action_ref (self->kb, action);
            long have_major = s_major (at + 1), want_major = s_major (want);
            if (have_major < 0 || want_major < 0 || have_major >= want_major)
                continue;
            char source [200];
            snprintf (source, sizeof source, "data/knowledge.yml actions.%s", action);
            s_finding (self, "action-outdated", self->files [f].path, step->line, source,
                       "%s is at %s; its current major is %s", action, at + 1, want);
        }
    }
}

static void
s_check_runners (s_ctx_t *self)
{
    const ynode_t *old = ytree_get (self->data, "deprecated-runners");
    for (size_t f = 0; f < self->files_count; f++)
    for (size_t j = 0; j < self->files [f].jobs_count; j++) {
        const ci_job_t *job = &self->files [f].jobs [j];
        for (size_t r = 0; r < job->runs_on_count; r++) {
            ci_input_t label = { .key = "runs-on", .value = job->runs_on [r].text,
                                 .line = job->runs_on [r].line };
            ci_text_t values [S_MAX_VALUES];
            size_t n = ci_input_values (job, &label, values, S_MAX_VALUES);
            for (size_t v = 0; v < n; v++) {
                const char *instead = ytree_str (ytree_get (old, values [v].text), NULL);
                if (!instead)
                    continue;
                char source [200];
                snprintf (source, sizeof source, "data/knowledge.yml "
                          "check.deprecated-runners.%s", values [v].text);
                s_finding (self, "runner-deprecated", self->files [f].path, values [v].line,
                           source, "job '%s' runs on %s, a runner label GitHub has retired "
                           "(use %s)", job->id, values [v].text, instead);
            }
        }
    }
}

static void
s_check_syntax (s_ctx_t *self)
{
    const ynode_t *old = ytree_get (self->data, "deprecated-syntax");
    for (size_t c = 0; c < self->cmds_count; c++) {
        const s_cmd_t *cmd = &self->cmds [c];
        for (size_t i = 0; old && old->kind == YNODE_MAP && i < old->count; i++) {
            if (!strstr (cmd->text, old->keys [i]))
                continue;
            char source [200];
            snprintf (source, sizeof source, "data/knowledge.yml check.deprecated-syntax");
            s_finding (self, "syntax-deprecated", cmd->file->path, cmd->line, source,
                       "'%s' is a deprecated workflow command: %s", old->keys [i] + 2,
                       ytree_str (old->items [i], ""));
        }
    }
}


//  --------------------------------------------------------------------
//  Lockfiles

//  True when the command holds every word of pattern, the first first.
static bool
s_holds_words (char words [][64], size_t count, const char *pattern, bool bare)
{
    char want [8][64];
    size_t wants = s_words (pattern, want, 8);
    if (!wants || !count || strcmp (words [0], want [0]) != 0)
        return false;
    for (size_t w = 1; w < wants; w++) {
        bool found = false;
        for (size_t i = 1; i < count && !found; i++)
            found = strcmp (words [i], want [w]) == 0;
        if (!found)
            return false;
    }
    if (bare) {
        //  the pattern's words, then flags only: no package named
        if (count < wants)
            return false;
        for (size_t w = 0; w < wants; w++)
            if (strcmp (words [w], want [w]) != 0)
                return false;
        for (size_t i = wants; i < count; i++)
            if (words [i][0] != '-')
                return false;
    }
    return true;
}

static void
s_check_lockfiles (s_ctx_t *self)
{
    const ynode_t *needs = ytree_get (self->data, "lockfile-installs");
    const ynode_t *ignored = ytree_get (self->data, "lockfile-ignored");
    for (size_t c = 0; c < self->cmds_count; c++) {
        const s_cmd_t *cmd = &self->cmds [c];
        if (!s_at_root (cmd))
            continue;
        char words [16][64];
        size_t count = s_words (cmd->text, words, 16);
        for (size_t i = 0; needs && needs->kind == YNODE_SEQ && i < needs->count; i++) {
            const ynode_t *entry = needs->items [i];
            if (!s_holds_words (words, count, ytree_str (ytree_get (entry, "run"), ""), false))
                continue;
            const ynode_t *lockfiles = ytree_get (entry, "lockfiles");
            bool has = false;
            for (size_t k = 0; lockfiles && lockfiles->kind == YNODE_SEQ
                               && k < lockfiles->count && !has; k++)
                has = project_has_file (self->project, ytree_str (lockfiles->items [k], ""));
            const ynode_t *makers = ytree_get (self->data, "lockfile-makers");
            for (size_t p = 0; p < c && !has; p++) {
                if (self->cmds [p].job != cmd->job)
                    continue;
                char before [16][64];
                size_t n = s_words (self->cmds [p].text, before, 16);
                for (size_t k = 0; makers && makers->kind == YNODE_SEQ && k < makers->count
                                   && !has; k++)
                    has = s_holds_words (before, n, ytree_str (makers->items [k], ""), false);
            }
            if (!has && lockfiles && lockfiles->count)
                s_finding (self, "lockfile-missing", cmd->file->path, cmd->line, "",
                           "'%s' installs from %s, which the project does not commit",
                           cmd->text, ytree_str (lockfiles->items [0], ""));
            break;
        }
        for (size_t i = 0; ignored && ignored->kind == YNODE_SEQ && i < ignored->count; i++) {
            const ynode_t *entry = ignored->items [i];
            const char *lockfile = ytree_str (ytree_get (entry, "lockfile"), "");
            if (!s_holds_words (words, count, ytree_str (ytree_get (entry, "run"), ""), true)
                || !project_has_file (self->project, lockfile))
                continue;
            char source [160];
            snprintf (source, sizeof source, "%s", lockfile);
            s_finding (self, "lockfile-unused", cmd->file->path, cmd->line, source,
                       "'%s' ignores the committed %s (use '%s')", cmd->text, lockfile,
                       ytree_str (ytree_get (entry, "instead"), ""));
            break;
        }
    }
}


//  --------------------------------------------------------------------
//  The whole comparison

static void
s_read_files (s_ctx_t *self)
{
    for (size_t i = 0; i < self->project->manifests_count; i++) {
        const project_file_t *manifest = &self->project->manifests [i];
        if (!ci_is_file (manifest->name))
            continue;
        ci_file_t file;
        char err [300];
        if (ci_read (&file, manifest->name, manifest->data, manifest->size, err, sizeof err)) {
            if (errno == ENOMEM) {
                self->failed = ENOMEM;
                return;
            }
            report_value_t *item = s_push (self, &self->result->unreadable,
                                           &self->result->unreadable_count, sizeof *item);
            if (!item)
                return;
            item->key = s_dup (manifest->name);
            item->value = s_dup (err);
            item->source = s_dup ("");
            continue;
        }
        ci_file_t *slot = s_push (self, &self->files, &self->files_count, sizeof *slot);
        char **name = s_push (self, &self->result->files, &self->result->files_count,
                              sizeof *name);
        if (!slot || !name) {
            ci_file_release (&file);
            return;
        }
        *slot = file;
        *name = s_dup (manifest->name);
    }
}

//  Where a finding's CI file comes in the files read (unknown last).
static size_t
s_file_rank (const check_result_t *result, const char *file)
{
    for (size_t k = 0; k < result->files_count; k++)
        if (strcmp (file, result->files [k]) == 0)
            return k;
    return result->files_count;
}

//  Findings by CI file, then line, ties in the order found: an insertion
//  sort, stable, and findings are few.
static void
s_sort_findings (check_result_t *result)
{
    for (size_t i = 1; i < result->findings_count; i++) {
        check_finding_t item = result->findings [i];
        size_t rank = s_file_rank (result, item.file);
        size_t j = i;
        while (j > 0) {
            const check_finding_t *before = &result->findings [j - 1];
            size_t before_rank = s_file_rank (result, before->file);
            if (before_rank < rank || (before_rank == rank && before->line <= item.line))
                break;
            result->findings [j] = result->findings [j - 1];
            j--;
        }
        result->findings [j] = item;
    }
}

int
check_compare (const knowledge_t *kb, const report_t *report, const project_t *project,
               check_result_t *result)
{
    memset (result, 0, sizeof *result);
    s_ctx_t self = { .kb = kb, .report = report, .project = project, .result = result };
    self.data = ytree_get (knowledge_root (kb), "check");
    result->project = s_dup (report->project && *report->project? report->project
                             : project->name);
    s_read_files (&self);
    if (!self.failed)
        s_collect_commands (&self);
    if (!self.failed) {
        s_check_tests (&self);
        s_check_gone (&self);
        s_check_versions (&self);
        s_check_services (&self);
        s_check_readme (&self);
        s_check_actions (&self);
        s_check_runners (&self);
        s_check_syntax (&self);
        s_check_lockfiles (&self);
    }
    //  by CI file (in the order read), then line; ties keep their order
    s_sort_findings (result);
    for (size_t i = 0; i < self.files_count; i++)
        ci_file_release (&self.files [i]);
    free (self.files);
    free (self.cmds);
    if (self.failed || !result->project) {
        check_result_release (result);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

static void
s_values_release (report_value_t *values, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free (values [i].key);
        free (values [i].value);
        free (values [i].source);
    }
    free (values);
}

void
check_result_release (check_result_t *self)
{
    if (!self)
        return;
    free (self->project);
    for (size_t i = 0; i < self->files_count; i++)
        free (self->files [i]);
    free (self->files);
    s_values_release (self->unreadable, self->unreadable_count);
    s_values_release (self->expectations, self->expectations_count);
    for (size_t i = 0; i < self->findings_count; i++) {
        check_finding_t *finding = &self->findings [i];
        free (finding->kind);
        free (finding->level);
        free (finding->message);
        free (finding->file);
        free (finding->source);
    }
    free (self->findings);
    memset (self, 0, sizeof *self);
}
