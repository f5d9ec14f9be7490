/*  workers/detector/eco_util.c - what the ecosystem rules share: task
    runner wrappers, JSON manifests, version files.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
eco_real_ci (const char *command)
{
    static const char *const never [] = {
        "--watch", "watchexec", "cargo watch", "nodemon", "entr ", "ptw ",
        "runserver", "run dev", "run serve", "run start", "npm start",
        "yarn start", "pnpm start", "bun start", "vite dev", "next dev",
        "docker compose up", "docker-compose up", "tail -f", "livereload",
        "browser-sync", "jekyll serve", "hugo server", "mkdocs serve",
        "sleep infinity", "xdg-open", "open http", "read -p", NULL
    };
    if (!command || !*command)
        return false;
    for (size_t i = 0; never [i]; i++)
        if (strstr (command, never [i]))
            return false;
    //  "watch" as a command word: "jest --watch" is caught above,
    //  "tsc -w" and "vitest watch" here
    if (dtext_has_word (command, "watch") || strstr (command, " -w ")
        || (strlen (command) > 3 && strcmp (command + strlen (command) - 3, " -w") == 0))
        return false;
    return true;
}

bool
eco_make_wrapper (dctx_t *self, report_job_t *job, cmd_kind_t kind,
                  const char *target, const char *const *tools)
{
    const project_file_t *make = dctx_manifest (self, "Makefile");
    if (!make)
        make = dctx_manifest (self, "makefile");
    if (!make || !job)
        return false;
    char recipe [2048];
    unsigned line = 0;
    if (!dtext_make_target (make->data, target, &line, recipe, sizeof recipe))
        return false;
    if (!eco_real_ci (recipe))
        return false;
    bool mentions = !tools;
    for (size_t i = 0; tools && tools [i] && !mentions; i++)
        mentions = dtext_has_word (recipe, tools [i]) || strstr (recipe, "$(")
                || strstr (recipe, "${");
    //  a rule with no recipe of its own ("test: unit lint") runs others
    if (!mentions && !*recipe)
        mentions = true;
    if (!mentions)
        return false;
    char run [128], source [192], what [96];
    snprintf (run, sizeof run, "make %s", target);
    snprintf (what, sizeof what, "target %s", target);
    dctx_source (source, sizeof source, make->name, line, what);
    dctx_step (self, job, kind, run, source);
    eco_recipe_tools (self, job, recipe, make->name, line, target);
    return true;
}

void
eco_recipe_tools (dctx_t *self, report_job_t *job, const char *recipe,
                  const char *file, unsigned line, const char *target)
{
    const ynode_t *tools = ytree_get (knowledge_root (self->kb), "recipe-tools");
    if (!tools || tools->kind != YNODE_MAP || !recipe)
        return;
    char packages [256] = "", source [192] = "";
    size_t used = 0;
    for (size_t i = 0; i < tools->count; i++) {
        const char *package = ytree_str (tools->items [i], NULL);
        if (!package || !dtext_has_word (recipe, tools->keys [i]))
            continue;
        //  two tools from one package ask for it once
        if (dtext_has_word (packages, package))
            continue;
        int n = snprintf (packages + used, sizeof packages - used, " %s", package);
        if (n < 0 || (size_t) n >= sizeof packages - used)
            break;
        used += (size_t) n;
        if (!*source) {
            char what [96];
            snprintf (what, sizeof what, "target %s runs %s", target, tools->keys [i]);
            dctx_source (source, sizeof source, file, line, what);
        }
    }
    if (!used)
        return;
    dctx_apt (self, job, packages, source);
}

bool
eco_make_recipe_reads_compile_db (dctx_t *self, const char *target)
{
    const project_file_t *make = dctx_manifest (self, "Makefile");
    if (!make)
        make = dctx_manifest (self, "makefile");
    char recipe [2048];
    unsigned line = 0;
    if (!make || !dtext_make_target (make->data, target, &line, recipe, sizeof recipe))
        return false;
    const ynode_t *tools = ytree_get (knowledge_root (self->kb), "compile-db-tools");
    for (size_t i = 0; tools && tools->kind == YNODE_SEQ && i < tools->count; i++) {
        const char *tool = ytree_str (tools->items [i], NULL);
        if (tool && dtext_has_word (recipe, tool))
            return true;
    }
    return false;
}

//  Blank out // and slash-star comments and trailing commas outside
//  strings, keeping newlines so lines still match.
static void
s_strip_jsonc (char *s)
{
    bool in_string = false;
    for (char *p = s; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p [1])
                p++;
            else
            if (*p == '"')
                in_string = false;
            continue;
        }
        if (*p == '"')
            in_string = true;
        else
        if (p [0] == '/' && p [1] == '/') {
            while (*p && *p != '\n')
                *p++ = ' ';
            if (!*p)
                break;
        }
        else
        if (p [0] == '/' && p [1] == '*') {
            while (*p && !(p [0] == '*' && p [1] == '/')) {
                if (*p != '\n')
                    *p = ' ';
                p++;
            }
            if (!*p)
                break;
            p [0] = p [1] = ' ';
            p++;
        }
        else
        if (*p == ',') {
            char *q = p + 1;
            while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
                q++;
            if (*q == '}' || *q == ']')
                *p = ' ';
        }
    }
}

json_t *
eco_json (dctx_t *self, const project_file_t *file, bool jsonc)
{
    if (!file || !file->data)
        return NULL;
    json_error_t error;
    json_t *root;
    if (jsonc) {
        char *copy = strndup (file->data, file->size);
        if (!copy) {
            self->oom = true;
            return NULL;
        }
        s_strip_jsonc (copy);
        root = json_loads (copy, 0, &error);
        free (copy);
    }
    else
        root = json_loadb (file->data, file->size, 0, &error);
    if (!root || !json_is_object (root)) {
        char why [300];
        snprintf (why, sizeof why, "%s: not a JSON object (line %d: %s); read as empty",
                  file->name, root? 1: error.line, root? "top level": error.text);
        dctx_note (self, "info", why, file->name);
        json_decref (root);
        return NULL;
    }
    return root;
}

unsigned
eco_line_prefix (const char *text, const char *prefix)
{
    size_t n = strlen (prefix);
    unsigned line = 1;
    for (const char *p = text; p && *p; line++) {
        const char *s = p;
        while (*s == ' ' || *s == '\t')
            s++;
        if (strncmp (s, prefix, n) == 0)
            return line;
        const char *eol = strchr (p, '\n');
        p = eol? eol + 1: NULL;
    }
    return 0;
}

bool
eco_version_file (const dctx_t *self, const char *name, char *out, size_t size)
{
    const project_file_t *file = dctx_manifest (self, name);
    if (!file || !size)
        return false;
    for (const char *p = file->data; *p; ) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        size_t n = 0;
        while (*p && !isspace ((unsigned char) *p) && n + 1 < size)
            out [n++] = *p++;
        out [n] = 0;
        return n > 0;
    }
    return false;
}

bool
eco_tool_versions (const dctx_t *self, const char *tool, char *out,
                   size_t size, unsigned *line_p)
{
    const project_file_t *file = dctx_manifest (self, ".tool-versions");
    if (!file || !size)
        return false;
    size_t n = strlen (tool);
    unsigned line = 1;
    for (const char *p = file->data; *p; line++) {
        if (strncmp (p, tool, n) == 0 && (p [n] == ' ' || p [n] == '\t')) {
            const char *v = p + n;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t k = 0;
            while (*v && !isspace ((unsigned char) *v) && k + 1 < size)
                out [k++] = *v++;
            out [k] = 0;
            if (line_p)
                *line_p = line;
            return k > 0;
        }
        const char *eol = strchr (p, '\n');
        if (!eol)
            break;
        p = eol + 1;
    }
    return false;
}

void
eco_just_fallback (dctx_t *self)
{
    const project_file_t *just = dctx_manifest (self, "justfile");
    if (!just)
        just = dctx_manifest (self, "Justfile");
    if (!just)
        return;
    char body [1024];
    unsigned line = 0;
    if (!dtext_just_recipe (just->data, "test", &line, body, sizeof body) || !*body)
        return;
    char source [128];
    dctx_source (source, sizeof source, just->name, line, "recipe test");
    //  just is not on the runners: run the recipe's own lines, unless they
    //  need just's interpolation or never finish
    if (strstr (body, "{{") || !eco_real_ci (body)) {
        dctx_note (self, "dropped", "justfile recipe test: needs just or never finishes",
                   source);
        return;
    }
    report_job_t *job = NULL;
    for (size_t j = 0; j < self->report->jobs_count && !job; j++)
        if (!dctx_has_step (&self->report->jobs [j], CMD_TEST))
            job = &self->report->jobs [j];
    if (job)
        dctx_step (self, job, CMD_TEST, body, source);
}

const ynode_t *
eco_data (const dctx_t *self, const char *ecosystem, const char *key)
{
    return ytree_path (knowledge_root (self->kb), "ecosystems", ecosystem, key, NULL);
}

bool
eco_is_lock (const ynode_t *entry)
{
    return strcmp (ytree_str (ytree_get (entry, "lock"), ""), "false") != 0;
}

bool
eco_locked (const dctx_t *self, const char *ecosystem, const char *tool)
{
    const ynode_t *locks = eco_data (self, ecosystem, "lockfiles");
    for (size_t i = 0; locks && locks->kind == YNODE_SEQ && i < locks->count; i++) {
        const ynode_t *entry = locks->items [i];
        if (eco_is_lock (entry)
            && strcmp (ytree_str (ytree_get (entry, "tool"), ""), tool) == 0
            && dctx_has (self, ytree_str (ytree_get (entry, "file"), "")))
            return true;
    }
    return false;
}

const char *
eco_install (const dctx_t *self, const char *ecosystem, const char *tool, bool locked)
{
    const ynode_t *install = ytree_path (knowledge_root (self->kb), "ecosystems", ecosystem,
                                         "install", tool, NULL);
    const char *run = locked? ytree_str (ytree_get (install, "locked"), NULL): NULL;
    return run? run: ytree_str (ytree_get (install, "run"), NULL);
}
