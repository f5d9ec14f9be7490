/*  workers/detector/eco_python.c - Python: pip, poetry, uv, pdm, hatch,
    pipenv; tox and nox as the project's own wrappers; versions from
    requires-python, classifiers and .python-version.  */
#include "workers/detector/eco.h"
#include "common/toml.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PY_MAX_LINES 16

typedef struct {
    dctx_t *ctx;
    report_job_t *job;
    ynode_t *pyproject;             //  parsed pyproject.toml, or NULL
    const project_file_t *pyproject_file;
    bool pytest;                    //  the project uses pytest
    char pytest_source [192];
    bool pytest_installed;          //  an install step brings pytest
} py_t;

//  The distribution name at the start of a requirement ("psycopg2>=2.9").
static void
s_req_name (const char *req, char *out, size_t size)
{
    size_t n = 0;
    while (*req == ' ' || *req == '\t')
        req++;
    while (*req && (isalnum ((unsigned char) *req) || *req == '-' || *req == '_'
                    || *req == '.') && n + 1 < size) {
        out [n++] = (char) tolower ((unsigned char) *req);
        req++;
    }
    out [n] = 0;
}

//  Look at one requirement: pytest, and database drivers.
static void
s_requirement (py_t *self, const char *req, const char *source)
{
    char name [96];
    s_req_name (req, name, sizeof name);
    if (!*name)
        return;
    if (strcmp (name, "pytest") == 0 && !self->pytest) {
        self->pytest = true;
        snprintf (self->pytest_source, sizeof self->pytest_source, "%s", source);
    }
    dctx_driver (self->ctx, self->job, name, source);
}

//  Every requirement string in a TOML array.
static void
s_requirements_seq (py_t *self, const ynode_t *seq, const char *what)
{
    for (size_t i = 0; seq && seq->kind == YNODE_SEQ && i < seq->count; i++) {
        const char *req = ytree_str (seq->items [i], NULL);
        if (!req)
            continue;
        char source [192];
        dctx_source (source, sizeof source, "pyproject.toml", seq->items [i]->line, what);
        s_requirement (self, req, source);
    }
}

static void
s_scan_pyproject_deps (py_t *self)
{
    const ynode_t *root = self->pyproject;
    s_requirements_seq (self, ytree_path (root, "project", "dependencies", NULL),
                        "project.dependencies");
    const ynode_t *extras = ytree_path (root, "project", "optional-dependencies", NULL);
    for (size_t i = 0; extras && extras->kind == YNODE_MAP && i < extras->count; i++)
        s_requirements_seq (self, extras->items [i], "project.optional-dependencies");
    const ynode_t *groups = ytree_get (root, "dependency-groups");
    for (size_t i = 0; groups && groups->kind == YNODE_MAP && i < groups->count; i++)
        s_requirements_seq (self, groups->items [i], "dependency-groups");
    //  pdm's and uv's own development groups are lists as well
    const ynode_t *pdm = ytree_path (root, "tool", "pdm", "dev-dependencies", NULL);
    for (size_t i = 0; pdm && pdm->kind == YNODE_MAP && i < pdm->count; i++)
        s_requirements_seq (self, pdm->items [i], "tool.pdm.dev-dependencies");
    s_requirements_seq (self, ytree_path (root, "tool", "uv", "dev-dependencies", NULL),
                        "tool.uv.dev-dependencies");
    //  poetry keeps dependencies as tables of name = constraint
    const ynode_t *poetry = ytree_path (root, "tool", "poetry", NULL);
    const ynode_t *tables [8];
    size_t count = 0;
    tables [count++] = ytree_get (poetry, "dependencies");
    tables [count++] = ytree_get (poetry, "dev-dependencies");
    const ynode_t *pgroups = ytree_get (poetry, "group");
    for (size_t i = 0; pgroups && pgroups->kind == YNODE_MAP && i < pgroups->count
                       && count < 8; i++)
        tables [count++] = ytree_get (pgroups->items [i], "dependencies");
    for (size_t t = 0; t < count; t++)
        for (size_t i = 0; tables [t] && tables [t]->kind == YNODE_MAP
                           && i < tables [t]->count; i++) {
            char source [192];
            dctx_source (source, sizeof source, "pyproject.toml",
                         tables [t]->items [i]->line, "tool.poetry dependencies");
            s_requirement (self, tables [t]->keys [i], source);
        }
}

//  requirements*.txt: every line a requirement.
static void
s_scan_requirements (py_t *self, const project_file_t *file)
{
    const char *p = file->data;
    char text [256];
    for (unsigned line = 1; dtext_next_line (&p, text, sizeof text); line++) {
        char *hash = strchr (text, '#');
        if (hash)
            *hash = 0;
        dtext_trim (text);
        if (*text && *text != '-') {
            char source [192];
            dctx_source (source, sizeof source, file->name, line, NULL);
            s_requirement (self, text, source);
        }
    }
}

//  Requirement files meant for development, in the order to install them.
static bool
s_dev_requirements (const char *name)
{
    static const char *const names [] = {
        "requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt",
        "requirements-test.txt", "requirements_test.txt", "test-requirements.txt",
        "requirements-tests.txt", "requirements-testing.txt", NULL
    };
    for (size_t i = 0; names [i]; i++)
        if (strcmp (name, names [i]) == 0)
            return true;
    return false;
}

//  The tool, from lockfiles first, then pyproject's [tool.*] tables.
static const char *
s_choose_tool (py_t *self, char *source, size_t size)
{
    dctx_t *ctx = self->ctx;
    const ynode_t *locks = eco_data (ctx, "python", "lockfiles");
    const char *tool = NULL;
    for (size_t i = 0; locks && locks->kind == YNODE_SEQ && i < locks->count; i++) {
        const char *file = ytree_str (ytree_get (locks->items [i], "file"), NULL);
        const char *named = ytree_str (ytree_get (locks->items [i], "tool"), NULL);
        if (!file || !named || !dctx_has (ctx, file))
            continue;
        if (!tool) {
            tool = named;
            snprintf (source, size, "%s", file);
        }
        else {
            char why [512];
            snprintf (why, sizeof why, "both %s and %s are present; used %s",
                      source, file, tool);
            dctx_note (ctx, "conflict", why, file);
        }
    }
    if (tool)
        return tool;
    const ynode_t *tools = ytree_get (self->pyproject, "tool");
    static const struct { const char *table, *tool; } tables [] = {
        { "poetry", "poetry" }, { "pdm", "pdm" }, { "uv", "uv" },
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables [0]; i++) {
        const ynode_t *table = ytree_get (tools, tables [i].table);
        if (table) {
            char what [32];
            snprintf (what, sizeof what, "[tool.%s]", tables [i].table);
            dctx_source (source, size, "pyproject.toml", table->line, what);
            return tables [i].tool;
        }
    }
    const ynode_t *envs = ytree_path (tools, "hatch", "envs", NULL);
    if (envs) {
        dctx_source (source, size, "pyproject.toml", envs->line, "[tool.hatch.envs]");
        return "hatch";
    }
    if (dctx_has (ctx, "Pipfile")) {
        snprintf (source, size, "Pipfile");
        return "pipenv";
    }
    snprintf (source, size, "%s", self->pyproject_file? "pyproject.toml (no lockfile: pip)"
                                : "pip by default");
    return "pip";
}

//  requires-python from pyproject, poetry, setup.cfg or setup.py.
static bool
s_requires_python (py_t *self, char *range, size_t size, char *source, size_t ssize)
{
    const ynode_t *node = ytree_path (self->pyproject, "project", "requires-python", NULL);
    const char *what = "requires-python";
    if (!node) {
        node = ytree_path (self->pyproject, "tool", "poetry", "dependencies", "python", NULL);
        what = "tool.poetry.dependencies.python";
    }
    if (node && ytree_str (node, NULL)) {
        snprintf (range, size, "%s", node->value);
        dctx_source (source, ssize, "pyproject.toml", node->line, what);
        return true;
    }
    static const char *const files [] = { "setup.cfg", "setup.py", NULL };
    for (size_t i = 0; files [i]; i++) {
        const project_file_t *file = dctx_manifest (self->ctx, files [i]);
        unsigned line = 0;
        if (file && i == 0 && dtext_has_word (file->data, "python_requires")) {
            //  setup.cfg: python_requires = >=3.8 (unquoted)
            const char *at = strstr (file->data, "python_requires");
            const char *eq = strchr (at, '=');
            const char *eol = strchr (at, '\n');
            if (eq && (!eol || eq < eol)) {
                size_t n = eol? (size_t) (eol - eq - 1): strlen (eq + 1);
                if (n >= size)
                    n = size - 1;
                memcpy (range, eq + 1, n);
                range [n] = 0;
                dtext_trim (range);
                dctx_source (source, ssize, file->name,
                             dtext_line_at (file->data, at), "python_requires");
                return *range != 0;
            }
        }
        if (file && dtext_quoted_after (file->data, "python_requires", range, size, &line)) {
            dctx_source (source, ssize, file->name, line, "python_requires");
            return true;
        }
    }
    return false;
}

//  "Programming Language :: Python :: 3.9" lines, from pyproject or the
//  text of setup.cfg / setup.py.
static size_t
s_classifiers (py_t *self, char lines [][8], char *source, size_t ssize)
{
    size_t count = 0;
    const char *marker = "Programming Language :: Python :: 3.";
    const ynode_t *seq = ytree_path (self->pyproject, "project", "classifiers", NULL);
    if (!seq)
        seq = ytree_path (self->pyproject, "tool", "poetry", "classifiers", NULL);
    for (size_t i = 0; seq && seq->kind == YNODE_SEQ && i < seq->count; i++) {
        const char *text = ytree_str (seq->items [i], "");
        const char *at = strstr (text, marker);
        if (at && count < PY_MAX_LINES
            && vrange_line (at + strlen (marker) - 2, 2, lines [count], 8)) {
            if (!count)
                dctx_source (source, ssize, "pyproject.toml", seq->items [i]->line,
                             "classifiers");
            count++;
        }
    }
    static const char *const files [] = { "setup.cfg", "setup.py", NULL };
    for (size_t f = 0; files [f] && !count; f++) {
        const project_file_t *file = dctx_manifest (self->ctx, files [f]);
        for (const char *at = file? strstr (file->data, marker): NULL;
             at && count < PY_MAX_LINES; at = strstr (at + 1, marker)) {
            if (vrange_line (at + strlen (marker) - 2, 2, lines [count], 8)) {
                if (!count)
                    dctx_source (source, ssize, file->name,
                                 dtext_line_at (file->data, at), "classifiers");
                count++;
            }
        }
    }
    return count;
}

static void
s_versions (py_t *self)
{
    dctx_t *ctx = self->ctx;
    char range [128] = "", range_source [192] = "", cls_source [192] = "";
    bool has_range = s_requires_python (self, range, sizeof range,
                                        range_source, sizeof range_source);
    if (has_range && !vrange_valid (range))
        has_range = false;
    char lines [PY_MAX_LINES][8];
    size_t count = s_classifiers (self, lines, cls_source, sizeof cls_source);
    //  classifiers name the lines; requires-python bounds them
    const char *kept [PY_MAX_LINES];
    size_t kept_count = 0;
    for (size_t i = 0; i < count; i++) {
        if (has_range && !vrange_allows (range, lines [i])) {
            char why [512];
            snprintf (why, sizeof why, "classifier Python %s is outside "
                      "requires-python '%s'; left out", lines [i], range);
            dctx_note (ctx, "conflict", why, cls_source);
            continue;
        }
        kept [kept_count++] = lines [i];
    }
    char pinned [32] = "", line [8];
    bool has_pin = eco_version_file (ctx, ".python-version", pinned, sizeof pinned);
    if (has_pin && has_range && vrange_line (pinned, 2, line, sizeof line)
        && !vrange_allows (range, line)) {
        char why [512];
        snprintf (why, sizeof why, ".python-version pins %s, outside requires-python "
                  "'%s'; tested the range", pinned, range);
        dctx_note (ctx, "conflict", why, range_source);
    }
    if (kept_count
        && dctx_matrix_list (ctx, self->job, "python", kept, kept_count, cls_source))
        return;
    if (has_range && dctx_matrix (ctx, self->job, "python", range, range_source))
        return;
    if (has_pin && vrange_line (pinned, 2, line, sizeof line)) {
        dctx_setting (ctx, self->job, "version-file", ".python-version", ".python-version");
        dctx_version (ctx, self->job, "python", line, ".python-version");
        return;
    }
    unsigned tv_line = 0;
    if (eco_tool_versions (ctx, "python", pinned, sizeof pinned, &tv_line)
        && vrange_line (pinned, 2, line, sizeof line)) {
        char source [64];
        dctx_source (source, sizeof source, ".tool-versions", tv_line, "python");
        dctx_version (ctx, self->job, "python", line, source);
        return;
    }
    dctx_matrix (ctx, self->job, "python", NULL, "knowledge: supported Python lines");
}

//  Evidence of pytest beyond the dependency lists.
static void
s_find_pytest (py_t *self)
{
    if (self->pytest)
        return;
    const ynode_t *ini = ytree_path (self->pyproject, "tool", "pytest", NULL);
    const char *found = NULL;
    char source [192];
    if (ini) {
        dctx_source (source, sizeof source, "pyproject.toml", ini->line, "[tool.pytest]");
        found = source;
    }
    else
    if (dctx_has (self->ctx, "pytest.ini") || dctx_has (self->ctx, "conftest.py"))
        found = dctx_has (self->ctx, "pytest.ini")? "pytest.ini": "conftest.py";
    else {
        static const char *const files [] = { "setup.cfg", "tox.ini", "setup.py", NULL };
        for (size_t i = 0; files [i] && !found; i++) {
            const project_file_t *file = dctx_manifest (self->ctx, files [i]);
            if (file && dtext_has_word (file->data, "pytest")) {
                dctx_source (source, sizeof source, file->name,
                             dtext_find_line (file->data, "pytest"), "pytest");
                found = source;
            }
        }
    }
    if (found) {
        self->pytest = true;
        snprintf (self->pytest_source, sizeof self->pytest_source, "%s", found);
    }
}

//  The session a nox run should use: tests, test... or the first one.
static bool
s_nox_session (const char *text, char *out, size_t size, unsigned *line_p)
{
    static const char *const preferred [] = { "tests", "test", "unit", "pytest", NULL };
    char first [64] = "";
    unsigned first_line = 0;
    unsigned line = 1;
    bool decorated = false;
    for (const char *p = text; p && *p; line++) {
        const char *s = p;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '@' && strstr (s, "session") && (!strchr (s, '\n')
                                                  || strstr (s, "session") < strchr (s, '\n')))
            decorated = true;
        else
        if (strncmp (s, "def ", 4) == 0 && decorated) {
            decorated = false;
            char name [64];
            size_t n = 0;
            for (const char *q = s + 4; (isalnum ((unsigned char) *q) || *q == '_')
                                        && n + 1 < sizeof name; q++)
                name [n++] = *q;
            name [n] = 0;
            for (size_t i = 0; preferred [i]; i++)
                if (strcmp (name, preferred [i]) == 0) {
                    snprintf (out, size, "%s", name);
                    *line_p = line;
                    return true;
                }
            if (!*first && n) {
                snprintf (first, sizeof first, "%s", name);
                first_line = line;
            }
        }
        else
        if (*s && *s != '#' && *s != '\n' && *s != '\r' && *s != '@')
            decorated = false;
        const char *eol = strchr (p, '\n');
        p = eol? eol + 1: NULL;
    }
    if (!*first)
        return false;
    snprintf (out, size, "%s", first);
    *line_p = first_line;
    return true;
}

//  The optional-dependency extras and dependency groups meant for tests.
static void
s_extras (py_t *self, char *extras, size_t size, char *group, size_t gsize)
{
    static const char *const names [] = { "test", "tests", "testing", "dev", NULL };
    extras [0] = group [0] = 0;
    const ynode_t *opt = ytree_path (self->pyproject, "project", "optional-dependencies", NULL);
    const ynode_t *groups = ytree_get (self->pyproject, "dependency-groups");
    for (size_t i = 0; names [i]; i++) {
        if (!*extras && ytree_get (opt, names [i]))
            snprintf (extras, size, "%s", names [i]);
        if (!*group && ytree_get (groups, names [i]))
            snprintf (group, gsize, "%s", names [i]);
    }
    const ynode_t *seq = ytree_get (opt, extras);
    for (size_t i = 0; seq && seq->kind == YNODE_SEQ && i < seq->count; i++) {
        char name [64];
        s_req_name (ytree_str (seq->items [i], ""), name, sizeof name);
        if (strcmp (name, "pytest") == 0)
            self->pytest_installed = true;
    }
    seq = ytree_get (groups, group);
    for (size_t i = 0; seq && seq->kind == YNODE_SEQ && i < seq->count; i++) {
        char name [64];
        s_req_name (ytree_str (seq->items [i], ""), name, sizeof name);
        if (strcmp (name, "pytest") == 0)
            self->pytest_installed = true;
    }
}

//  Append text to the string in buf (of size bytes), cutting it to fit.
static void
s_append (char *buf, size_t size, const char *text)
{
    size_t used = strlen (buf);
    if (used + 1 < size)
        snprintf (buf + used, size - used, "%s", text);
}

//  pip: requirement files plus the package itself with its test extras.
static void
s_pip_install (py_t *self)
{
    dctx_t *ctx = self->ctx;
    char run [512] = "python -m pip install", source [192] = "";
    size_t base = strlen (run);
    if (dctx_manifest (ctx, "requirements.txt") || dctx_has (ctx, "requirements.txt")) {
        s_append (run, sizeof run, " -r requirements.txt");
        snprintf (source, sizeof source, "requirements.txt");
        const project_file_t *req = dctx_manifest (ctx, "requirements.txt");
        if (req && dtext_has_word (req->data, "pytest"))
            self->pytest_installed = true;
    }
    for (size_t i = 0; !ctx->readme_only && i < ctx->project->files_count
                       + ctx->project->manifests_count; i++) {
        const char *name = i < ctx->project->files_count? ctx->project->files [i]
                         : ctx->project->manifests [i - ctx->project->files_count].name;
        if (!name || !s_dev_requirements (name))
            continue;
        char part [96];
        snprintf (part, sizeof part, " -r %s", name);
        if (strstr (run, part))
            continue;
        s_append (run, sizeof run, part);
        if (!*source)
            snprintf (source, sizeof source, "%s", name);
        const project_file_t *req = dctx_manifest (ctx, name);
        if (req && dtext_has_word (req->data, "pytest"))
            self->pytest_installed = true;
    }
    if (self->pyproject_file || dctx_has (ctx, "setup.py") || dctx_has (ctx, "setup.cfg")) {
        char extras [32], group [32];
        s_extras (self, extras, sizeof extras, group, sizeof group);
        char part [96];
        if (*extras)
            snprintf (part, sizeof part, " -e '.[%s]'", extras);
        else
            snprintf (part, sizeof part, " -e .");
        s_append (run, sizeof run, part);
        if (*group) {
            snprintf (part, sizeof part, " --group %s", group);
            s_append (run, sizeof run, part);
        }
        if (!*source)
            snprintf (source, sizeof source, "%s", self->pyproject_file? "pyproject.toml"
                      : dctx_has (ctx, "setup.py")? "setup.py": "setup.cfg");
    }
    if (self->pytest && !self->pytest_installed)
        s_append (run, sizeof run, " pytest");
    if (strlen (run) > base)
        dctx_step (ctx, self->job, CMD_INSTALL, run, source);
}

//  The install of the tool's environment, development groups included.
static void
s_tool_install (py_t *self, const char *tool, const char *tool_source)
{
    dctx_t *ctx = self->ctx;
    const char *run = eco_install (ctx, "python", tool, eco_locked (ctx, "python", tool));
    if (run)
        dctx_step (ctx, self->job, CMD_INSTALL, run, tool_source);
}

//  True when the project is the runner itself (tox's or nox's own
//  repository): its sessions must run the checkout, not a release.
static bool
s_is_runner (py_t *self, const char *runner)
{
    const char *name = ytree_str (ytree_path (self->pyproject, "project", "name", NULL), NULL);
    if (!name)
        name = ytree_str (ytree_path (self->pyproject, "tool", "poetry", "name", NULL), NULL);
    return name && strcasecmp (name, runner) == 0;
}

static void
s_steps (py_t *self, const char *tool, const char *tool_source)
{
    dctx_t *ctx = self->ctx;
    report_job_t *job = self->job;
    char source [192];
    //  tox and nox are the project's own test entry points
    const project_file_t *tox = dctx_manifest (ctx, "tox.ini");
    const ynode_t *tox_table = ytree_path (self->pyproject, "tool", "tox", NULL);
    const project_file_t *cfg = dctx_manifest (ctx, "setup.cfg");
    bool cfg_tox = cfg && strstr (cfg->data, "[tox:tox]");
    //  A locked environment (poetry, pdm, uv, pipenv) is installed first
    //  even when tox or nox runs the tests: their sessions expect it.
    s_tool_install (self, tool, tool_source);
    if ((tox || tox_table || cfg_tox || dctx_has (ctx, "tox.ini"))) {
        const char *text = tox? tox->data: tox_table? ytree_str (ytree_get (tox_table,
                                "legacy_tox_ini"), ""): cfg_tox? cfg->data: "";
        bool gh_actions = strstr (text, "[gh-actions]") != NULL;
        bool gh = strstr (text, "[gh]") != NULL;
        char install [160];
        snprintf (install, sizeof install, "python -m pip install %s%s%s",
                  s_is_runner (self, "tox")? ".": "tox",
                  gh_actions? " tox-gh-actions": gh? " tox-gh": "",
                  strcmp (tool, "uv") == 0? " tox-uv": "");
        if (tox)
            dctx_source (source, sizeof source, "tox.ini",
                         dtext_find_line (tox->data, "[tox]"), "[tox]");
        else
        if (tox_table)
            dctx_source (source, sizeof source, "pyproject.toml", tox_table->line, "[tool.tox]");
        else
            snprintf (source, sizeof source, "%s", cfg_tox? "setup.cfg [tox:tox]": "tox.ini");
        dctx_step (ctx, job, CMD_INSTALL, install, source);
        //  with a gh plugin tox picks the envs for the running Python
        dctx_step (ctx, job, CMD_TEST, gh_actions || gh? "tox": "tox -e py", source);
        return;
    }
    const project_file_t *nox = dctx_manifest (ctx, "noxfile.py");
    char session [64];
    unsigned line = 0;
    if (nox && s_nox_session (nox->data, session, sizeof session, &line)) {
        char run [128], what [96];
        snprintf (what, sizeof what, "session %s", session);
        dctx_source (source, sizeof source, nox->name, line, what);
        if (s_is_runner (self, "nox"))
            dctx_step (ctx, job, CMD_INSTALL, "python -m pip install .",
                       "pyproject.toml: the project is nox itself");
        else
            dctx_step (ctx, job, CMD_INSTALL, "python -m pip install nox", source);
        snprintf (run, sizeof run, "nox -s %s", session);
        dctx_step (ctx, job, CMD_TEST, run, source);
        return;
    }
    s_find_pytest (self);
    const char *runner = self->pytest? "pytest": NULL;
    const char *runner_source = self->pytest_source;
    if (!runner && dctx_has (ctx, "manage.py")) {
        runner = "python manage.py test";
        runner_source = "manage.py (Django)";
    }
    if (!runner && (dctx_has (ctx, "tests/") || dctx_has (ctx, "test/"))) {
        runner = dctx_has (ctx, "tests/")? "python -m unittest discover -s tests"
                                        : "python -m unittest discover -s test";
        runner_source = dctx_has (ctx, "tests/")? "tests/ (no pytest: unittest)"
                                               : "test/ (no pytest: unittest)";
    }
    //  The tool itself comes from the generator's setup recipe (pipx,
    //  setup-uv), so only the project's environment is installed here.
    char run [256];
    if (strcmp (tool, "poetry") == 0) {
        snprintf (run, sizeof run, "poetry run %s", runner? runner: "");
    }
    else
    if (strcmp (tool, "uv") == 0) {
        snprintf (run, sizeof run, "uv run %s", runner? runner: "");
    }
    else
    if (strcmp (tool, "pdm") == 0) {
        snprintf (run, sizeof run, "pdm run %s", runner? runner: "");
    }
    else
    if (strcmp (tool, "pipenv") == 0) {
        snprintf (run, sizeof run, "pipenv run %s", runner? runner: "");
    }
    else
    if (strcmp (tool, "hatch") == 0) {
        const ynode_t *scripts = ytree_path (self->pyproject, "tool", "hatch", "envs",
                                             "default", "scripts", NULL);
        if (ytree_get (scripts, "test")) {
            dctx_source (source, sizeof source, "pyproject.toml",
                         ytree_get (scripts, "test")->line, "tool.hatch.envs.default.scripts.test");
            dctx_step (ctx, job, CMD_TEST, "hatch run test", source);
            return;
        }
        if (runner && self->pytest) {
            dctx_step (ctx, job, CMD_TEST, "hatch test", runner_source);
            return;
        }
        snprintf (run, sizeof run, "hatch run %s", runner? runner: "");
    }
    else {
        s_pip_install (self);
        static const char *const tools [] = { "pytest", "python", "python3",
                                              "coverage", NULL };
        if (eco_make_wrapper (ctx, job, CMD_TEST, "test", tools))
            return;
        snprintf (run, sizeof run, "%s", runner? runner: "");
    }
    if (runner)
        dctx_step (ctx, job, CMD_TEST, dtext_trim (run), runner_source);
}

void
eco_python_detect (dctx_t *self)
{
    static const char *const strong [] = { "pyproject.toml", "setup.py", "setup.cfg",
                                           "Pipfile", "tox.ini", "noxfile.py", NULL };
    bool is_strong = false, any = false;
    for (size_t i = 0; strong [i]; i++)
        if (dctx_has (self, strong [i]))
            is_strong = any = true;
    if (!any && (dctx_find_suffix (self, "requirements.txt") || dctx_has (self, "requirements/")
                 || dctx_has (self, "manage.py")))
        any = true;
    if (!any)
        return;
    py_t py = { .ctx = self };
    py.job = dctx_job (self, "python", is_strong? DCTX_STRONG: DCTX_WEAK);
    if (!py.job)
        return;
    py.pyproject_file = dctx_manifest (self, "pyproject.toml");
    if (py.pyproject_file) {
        char err [160] = "";
        py.pyproject = toml_parse (py.pyproject_file->data, py.pyproject_file->size,
                                   err, sizeof err);
        if (!py.pyproject) {
            char why [512];
            snprintf (why, sizeof why, "pyproject.toml: %s; read as empty", err);
            dctx_note (self, "info", why, "pyproject.toml");
        }
    }
    dctx_add_name (self, ytree_str (ytree_path (py.pyproject, "project", "name", NULL), NULL));
    dctx_add_name (self, ytree_str (ytree_path (py.pyproject, "tool", "poetry", "name", NULL),
                                    NULL));
    const project_file_t *setup = dctx_manifest (self, "setup.py");
    char name [96];
    if (setup && dtext_quoted_after (setup->data, "name", name, sizeof name, NULL))
        dctx_add_name (self, name);
    char source [192];
    const char *tool = s_choose_tool (&py, source, sizeof source);
    dctx_tool (self, py.job, tool, source);
    if (strcmp (tool, "pip") == 0 || strcmp (tool, "poetry") == 0
        || strcmp (tool, "pipenv") == 0) {
        bool lock = strcmp (tool, "pip") != 0
                 || dctx_find_suffix (self, "requirements.txt");
        if (lock)
            dctx_setting (self, py.job, "cache", tool, source);
    }
    if (py.pyproject)
        s_scan_pyproject_deps (&py);
    for (size_t i = 0; i < self->project->manifests_count && !self->readme_only; i++) {
        const project_file_t *file = &self->project->manifests [i];
        if (file->name && file->data && strncmp (file->name, "requirements", 12) == 0
            && strstr (file->name, ".txt"))
            s_scan_requirements (&py, file);
    }
    s_versions (&py);
    s_steps (&py, tool, source);
    ytree_destroy (&py.pyproject);
}
