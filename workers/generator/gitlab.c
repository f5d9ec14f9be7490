/*  workers/generator/gitlab.c - a report as a .gitlab-ci.yml.  */
#include "workers/generator/gitlab.h"
#include "workers/generator/recipe.h"
#include "workers/generator/stepname.h"
#include "workers/generator/strpool.h"
#include "workers/generator/yemit.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Top-level keys GitLab does not take as job names.
static const char *const s_reserved [] = {
    "image", "services", "stages", "types", "before_script", "after_script",
    "variables", "cache", "include", "default", "workflow", "pages", NULL
};

typedef struct {
    const knowledge_t *kb;
    yemit_t *out;
    strpool_t pool;         //  strings to free when done
    bool nomem;
    bool explain;           //  comment each script line with its source
    const char **comments;  //  with explain: one per script line, in order
    size_t comments_count;
    const report_t *report;
    bool no_tests;          //  no job runs tests: each gets a failing line
} gen_t;

typedef struct {
    const char *key;
    const char *value;
} pair_t;

//  An ordered list of names and values with no repeated name.
typedef struct {
    pair_t *items;
    size_t count;
} pairs_t;

//  Add key = value unless key is there; the first value wins.
static void
s_pairs_add (gen_t *self, pairs_t *pairs, const char *key, const char *value)
{
    if (!key || !value)
        return;
    for (size_t i = 0; i < pairs->count; i++)
        if (strcmp (pairs->items [i].key, key) == 0)
            return;
    pair_t *items = realloc (pairs->items, (pairs->count + 1) * sizeof *items);
    if (!items) {
        self->nomem = true;
        return;
    }
    pairs->items = items;
    pairs->items [pairs->count++] = (pair_t) { key, value };
}

//  A version as an image tag: "3.12" stays, "20.x" and "8.0.x" lose the
//  wildcard; anything else (ranges, "lts/*", "stable") gives NULL.
static const char *
s_tag (gen_t *self, const char *version)
{
    if (!version || !isdigit ((unsigned char) version [0]))
        return NULL;
    size_t size = strlen (version);
    while (size >= 2 && version [size - 2] == '.'
       &&  (version [size - 1] == 'x' || version [size - 1] == '*'))
        size -= 2;
    for (size_t i = 0; i < size; i++)
        if (!isdigit ((unsigned char) version [i]) && version [i] != '.')
            return NULL;
    return strpool_keep (&self->pool, strndup (version, size));
}

//  The image template with {version} replaced by version.
static const char *
s_image (gen_t *self, const char *tmpl, const char *version)
{
    const char *at = strstr (tmpl, "{version}");
    if (!at)
        return tmpl;
    return strpool_format (&self->pool, "%.*s%s%s", (int) (at - tmpl), tmpl, version,
                     at + strlen ("{version}"));
}

//  "NODE_VERSION" for runtime "node".
static const char *
s_matrix_var (gen_t *self, const char *runtime)
{
    char *name = strpool_format (&self->pool, "%s_VERSION", runtime);
    for (char *p = name; p && *p; p++)
        *p = isalnum ((unsigned char) *p)? (char) toupper ((unsigned char) *p): '_';
    return name;
}

//  A command with the "sudo " that starts any of its lines removed: GitLab
//  jobs run as root in the image, which has no sudo.
static const char *
s_unsudo (gen_t *self, const char *run)
{
    char *text = strdup (run);
    if (!strpool_keep (&self->pool, text))
        return "";
    char *to = text;
    bool line_start = true;
    for (const char *p = run; *p; ) {
        if (line_start && strncmp (p, "sudo ", 5) == 0)
            p += 5;
        line_start = *p == '\n';
        *to++ = *p++;
    }
    *to = 0;
    return text;
}

static void
s_seq_of_nodes (gen_t *self, const ynode_t *list, const char **items,
                size_t *count, size_t max)
{
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count; i++)
        if (*count < max && list->items [i]->kind == YNODE_SCALAR)
            items [(*count)++] = list->items [i]->value;
}

//  The lines of a knowledge list of command templates, filled in for the
//  job ({dir}, {setting:KEY}, {words:KEY}); a line whose folder or
//  setting the job has not is left out.
static void
s_seq_of_commands (gen_t *self, const ynode_t *list, const recipe_t *recipe,
                   const report_job_t *job, const char **items, size_t *count,
                   size_t max)
{
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count; i++) {
        if (*count >= max || list->items [i]->kind != YNODE_SCALAR)
            continue;
        char *line = NULL;
        if (recipe_expand (recipe, job, list->items [i]->value, &line)) {
            self->nomem = true;
            return;
        }
        if (line)
            items [(*count)++] = strpool_keep (&self->pool, line);
    }
}

static void
s_emit_list (gen_t *self, const char *key, const char *const *items,
             size_t count)
{
    if (count == 0)
        return;
    yemit_str (self->out, key);
    yemit_seq_start (self->out);
    for (size_t i = 0; i < count; i++)
        yemit_block (self->out, items [i]);
    yemit_seq_end (self->out);
}

//  Compare dotted versions numerically ("6.0.x" < "10.0.x"); parts that
//  are not numbers count as 0.
static int
s_version_cmp (const char *a, const char *b)
{
    while (*a || *b) {
        char *end_a, *end_b;
        long x = strtol (a, &end_a, 10), y = strtol (b, &end_b, 10);
        if (x != y)
            return x < y? -1: 1;
        a = strchr (end_a, '.')? strchr (end_a, '.') + 1: "";
        b = strchr (end_b, '.')? strchr (end_b, '.') + 1: "";
    }
    return 0;
}

//  The image and the matrix: when the main runtime has several usable
//  versions, the variable its image tag comes from; and every axis that
//  no image takes (matrix-env, e.g. the C++ standard) as a variable of
//  its own. Several variables in one entry make GitLab run each pair.
static void
s_image_and_matrix (gen_t *self, const recipe_t *recipe)
{
    const ynode_t *matrix_env = ytree_get (recipe->entry, "matrix-env");
    const recipe_axis_t *axis = NULL;
    for (size_t i = 0; !axis && i < recipe->axes_count; i++)
        if (!ytree_get (matrix_env, recipe->axes [i].runtime))
            axis = &recipe->axes [i];
    const char *tmpl = ytree_str (recipe_get (recipe, "gitlab-image"), NULL);
    const char *fallback = ytree_str (ytree_get (recipe->entry,
                                      "gitlab-version"), "latest");
    const char *tags [64];
    size_t tags_count = 0;
    //  versions installed together run in one image: the newest's
    size_t newest = 0;
    for (size_t i = 1; axis && axis->together && i < axis->count; i++)
        if (s_version_cmp (axis->values [i], axis->values [newest]) > 0)
            newest = i;
    for (size_t i = 0; tmpl && axis && i < axis->count && tags_count < 64; i++) {
        if (axis->together && i != newest)
            continue;
        const char *tag = s_tag (self, axis->values [i]);
        //  an image published under full versions only has no "2" tag
        long parts = strtol (ytree_str (ytree_get (recipe->entry, "gitlab-tag-parts"), "0"),
                             NULL, 10);
        if (tag && parts > 0) {
            long dots = 0;
            for (const char *p = tag; *p; p++)
                dots += *p == '.';
            if (dots + 1 < parts)
                tag = NULL;
        }
        if (!tag)
            tag = fallback;
        bool seen = false;
        for (size_t t = 0; t < tags_count; t++)
            seen = seen || strcmp (tags [t], tag) == 0;
        if (!seen)
            tags [tags_count++] = tag;
    }
    bool tag_varies = tmpl && tags_count > 1 && strstr (tmpl, "{version}");
    const char *var = tag_varies? s_matrix_var (self, axis->runtime): NULL;
    if (!tmpl)
        yemit_pair (self->out, "image", ytree_str (ytree_path (knowledge_root
                    (self->kb), "workflow", "gitlab-image", NULL), "ubuntu:24.04"));
    else
        yemit_pair (self->out, "image", s_image (self, tmpl, tag_varies
                    ? strpool_format (&self->pool, "$%s", var): tags_count? tags [0]: fallback));
    bool env_varies = false;
    for (size_t i = 0; i < recipe->axes_count; i++)
        env_varies = env_varies || (ytree_get (matrix_env, recipe->axes [i].runtime)
                                    && recipe_axis_varies (&recipe->axes [i]));
    if (!tag_varies && !env_varies)
        return;
    yemit_str (self->out, "parallel");
    yemit_map_start (self->out);
    yemit_str (self->out, "matrix");
    yemit_seq_start (self->out);
    yemit_map_start (self->out);
    if (tag_varies) {
        yemit_str (self->out, var);
        yemit_seq_start (self->out);
        for (size_t t = 0; t < tags_count; t++)
            yemit_quoted (self->out, tags [t]);
        yemit_seq_end (self->out);
    }
    for (size_t i = 0; i < recipe->axes_count; i++) {
        const recipe_axis_t *env_axis = &recipe->axes [i];
        const char *name = ytree_str (ytree_get (matrix_env, env_axis->runtime), NULL);
        if (!name || !recipe_axis_varies (env_axis))
            continue;
        yemit_str (self->out, name);
        yemit_seq_start (self->out);
        for (size_t v = 0; v < env_axis->count; v++)
            yemit_quoted (self->out, env_axis->values [v]);
        yemit_seq_end (self->out);
    }
    yemit_map_end (self->out);
    yemit_seq_end (self->out);
    yemit_map_end (self->out);
}

static void
s_services (gen_t *self, const report_job_t *job)
{
    if (job->services_count == 0)
        return;
    yemit_str (self->out, "services");
    yemit_seq_start (self->out);
    for (size_t i = 0; i < job->services_count; i++) {
        const report_service_t *service = &job->services [i];
        yemit_map_start (self->out);
        yemit_pair (self->out, "name", service->image? service->image: "");
        char *alias = recipe_job_id (service->name, NULL, 0, NULL);
        yemit_pair (self->out, "alias", strpool_keep (&self->pool, alias));
        yemit_map_end (self->out);
    }
    yemit_seq_end (self->out);
}

typedef struct {
    gen_t *gen;
    pairs_t *vars;
} client_env_t;

static void
s_client_var (void *arg, const char *name, char *value)
{
    client_env_t *client = arg;
    const char *kept = strpool_keep (&client->gen->pool, value);
    if (kept)
        s_pairs_add (client->gen, client->vars, name, kept);
}

//  Job variables: the entry's env, the services' env, the cache's.
static void
s_variables (gen_t *self, const recipe_t *recipe, const report_job_t *job,
             const ynode_t *cache)
{
    pairs_t vars = { NULL, 0 };
    const ynode_t *env = ytree_get (recipe->entry, "env");
    for (size_t i = 0; env && env->keys && i < env->count; i++)
        s_pairs_add (self, &vars, env->keys [i], ytree_str (env->items [i], NULL));
    //  the services' addresses: a GitLab job reaches each by its alias,
    //  the name s_services gives it
    client_env_t client = { self, &vars };
    if (recipe_client_env (self->kb, job, true, s_client_var, &client))
        self->nomem = true;
    //  a matrix-env axis with one value is a plain variable
    const ynode_t *matrix_env = ytree_get (recipe->entry, "matrix-env");
    for (size_t i = 0; i < recipe->axes_count; i++) {
        const char *name = ytree_str (ytree_get (matrix_env, recipe->axes [i].runtime), NULL);
        if (name && recipe->axes [i].count == 1)
            s_pairs_add (self, &vars, name, recipe->axes [i].values [0]);
    }
    for (size_t s = 0; s < job->services_count; s++) {
        const report_service_t *service = &job->services [s];
        for (size_t e = 0; e < service->env_count; e++) {
            const char *entry = service->env [e]? service->env [e]: "";
            const char *equals = strchr (entry, '=');
            s_pairs_add (self, &vars, equals? strpool_keep (&self->pool, strndup (entry,
                         (size_t) (equals - entry))): entry,
                         equals? equals + 1: "");
        }
    }
    const ynode_t *cache_vars = ytree_get (cache, "variables");
    for (size_t i = 0; cache_vars && cache_vars->keys && i < cache_vars->count; i++)
        s_pairs_add (self, &vars, cache_vars->keys [i],
                     ytree_str (cache_vars->items [i], NULL));
    if (vars.count) {
        yemit_str (self->out, "variables");
        yemit_map_start (self->out);
        for (size_t i = 0; i < vars.count; i++)
            yemit_pair (self->out, vars.items [i].key, vars.items [i].value);
        yemit_map_end (self->out);
    }
    free (vars.items);
}

//  The gitlab-caches entry the job uses: its "cache" setting when GitLab
//  knows it, else the tool's or the ecosystem's default.
static const ynode_t *
s_cache (gen_t *self, const recipe_t *recipe, const report_job_t *job,
         const char **name_p)
{
    const ynode_t *caches = ytree_get (knowledge_root (self->kb), "gitlab-caches");
    const char *name = recipe_setting (job, "cache");
    if (!name || !ytree_get (caches, name))
        name = ytree_str (recipe_get (recipe, "gitlab-cache"), NULL);
    *name_p = name;
    return name? ytree_get (caches, name): NULL;
}

static void
s_emit_cache (gen_t *self, const recipe_t *recipe, const char *id,
              const char *name, const ynode_t *cache)
{
    const char *paths [64];
    size_t count = 0;
    s_seq_of_nodes (self, ytree_get (cache, "paths"), paths, &count, 64);
    const ynode_t *dir_paths = ytree_get (cache, "dir-paths");
    for (size_t i = 0; dir_paths && dir_paths->kind == YNODE_SEQ
                       && i < dir_paths->count && count < 64; i++) {
        const char *path = ytree_str (dir_paths->items [i], NULL);
        if (path)
            paths [count++] = *recipe->dir? strpool_format (&self->pool, "%s/%s",
                              recipe->dir, path): path;
    }
    if (count == 0)
        return;
    yemit_str (self->out, "cache");
    yemit_map_start (self->out);
    yemit_pair (self->out, "key", strpool_format (&self->pool, "%s-%s", id, name));
    s_emit_list (self, "paths", paths, count);
    yemit_map_end (self->out);
}

#define MAX_LINES 256

//  With --explain, remember why each of the next count script lines is
//  there (gitlab_comment_scripts places them).
static void
s_explain (gen_t *self, const char *const *why, size_t count)
{
    if (!self->explain || !count)
        return;
    const char **grown = realloc (self->comments,
                                  (self->comments_count + count) * sizeof *grown);
    if (!grown) {
        self->nomem = true;
        return;
    }
    self->comments = grown;
    for (size_t i = 0; i < count; i++)
        grown [self->comments_count++] = why [i]? why [i]: "";
}

//  True when run is a bare `apt-get update` and an earlier line of lines
//  began with one.
static bool
s_apt_updated (const char *const *lines, size_t count, const char *run)
{
    static const char update [] = "apt-get update";
    if (!run || strcmp (run, update) != 0)
        return false;
    for (size_t i = 0; i < count; i++)
        if (lines [i] && strncmp (lines [i], update, sizeof update - 1) == 0)
            return true;
    return false;
}

//  No job runs tests: a script line that fails the job, saying what was
//  read and what to add, instead of a green pipeline that tests nothing.
//  job is NULL for a file with no job found.
static const char *
s_no_tests_line (gen_t *self, const report_job_t *job)
{
    char *message = stepname_no_tests_message (self->kb, self->report, job);
    if (!message)
        return strpool_keep (&self->pool, NULL);
    size_t size = 1;
    for (const char *p = message; *p; p++)
        size += *p == '\''? 4: 1;
    char *quoted = malloc (size);
    if (!quoted) {
        free (message);
        return strpool_keep (&self->pool, NULL);
    }
    char *at = quoted;
    for (const char *p = message; *p; p++)
        if (*p == '\'')
            at = stpcpy (at, "'\\''");
        else
            *at++ = *p;
    *at = 0;
    free (message);
    const char *line = strpool_format (&self->pool, "echo '%s' >&2; exit 1", quoted);
    free (quoted);
    return line;
}

static const char *
s_no_tests_why (gen_t *self)
{
    return strpool_format (&self->pool, "%s: no test command found (the notes say where "
                           "readme2ci looked); this line fails the job until one is added",
                           ytree_str (ytree_path (knowledge_root (self->kb), "workflow",
                                                  "step-names", "test", NULL), "Test"));
}

static void
s_scripts (gen_t *self, const recipe_t *recipe, const report_job_t *job)
{
    const char *before [MAX_LINES], *script [MAX_LINES];
    const char *before_why [MAX_LINES], *script_why [MAX_LINES];
    size_t before_count = 0, script_count = 0;
    s_seq_of_commands (self, ytree_get (recipe->entry, "gitlab-before"), recipe, job,
                       before, &before_count, MAX_LINES);
    s_seq_of_commands (self, ytree_get (recipe->tool, "gitlab-before"), recipe, job,
                       before, &before_count, MAX_LINES);
    for (size_t i = 0; i < before_count; i++)
        before_why [i] = strpool_format (&self->pool, "what the %s image lacks (CI knowledge)",
                                         job->ecosystem? job->ecosystem: "job's");
    //  a language image may lack the service's client extension (the php
    //  images have no pdo_pgsql or pdo_mysql): what each service needs
    for (size_t i = 0; job->ecosystem && i < job->services_count; i++) {
        size_t first = before_count;
        s_seq_of_nodes (self, ytree_path (knowledge_root (self->kb), "services",
                                          job->services [i].name, "gitlab-before-by-ecosystem",
                                          job->ecosystem, NULL),
                        before, &before_count, MAX_LINES);
        for (size_t k = first; k < before_count; k++)
            before_why [k] = strpool_format (&self->pool, "the %s service's client "
                                             "(CI knowledge)", job->services [i].name);
    }
    if (*recipe->dir && before_count < MAX_LINES) {
        before_why [before_count] = strpool_format (&self->pool, "the job works in %s/",
                                                    recipe->dir);
        before [before_count++] = strpool_format (&self->pool, "cd %s", recipe->dir);
    }
    //  GitLab's script lines have no names: --explain gives each its step's
    //  name, the one the GitHub workflow would show
    char **names = stepname_job_kept (self->kb, job, NULL, 0, &self->pool);
    if (!names) {
        self->nomem = true;
        return;
    }
    for (size_t i = 0; i < job->steps_count; i++) {
        const report_step_t *step = &job->steps [i];
        const char *name = names [i];
        if (!name)
            continue;           //  a step with no command is not written
        bool setup = step->kind == CMD_SYSTEM || step->kind == CMD_INSTALL;
        const char *run = step->kind == CMD_SYSTEM? s_unsudo (self, step->run)
                                                  : step->run;
        //  the .NET SDK images carry pwsh; sh would not run a .ps1 itself
        if (recipe_powershell (run))
            run = strpool_format (&self->pool, "pwsh %s", run);
        //  the image's own setup may have read the package lists already
        if (step->kind == CMD_SYSTEM && s_apt_updated (before, before_count, run))
            continue;
        const char *why = strpool_format (&self->pool, "%s: from %s", name, step->source
                                          && *step->source? step->source: "the report");
        if (setup && before_count < MAX_LINES) {
            before_why [before_count] = why;
            before [before_count++] = run;
        }
        else
        if (!setup && script_count < MAX_LINES) {
            script_why [script_count] = why;
            script [script_count++] = run;
        }
    }
    free (names);
    if (self->no_tests && script_count < MAX_LINES) {
        script_why [script_count] = s_no_tests_why (self);
        script [script_count++] = s_no_tests_line (self, job);
    }
    //  GitLab needs a script: with no build, lint or test, the setup is it.
    if (script_count == 0) {
        memcpy (script, before, before_count * sizeof before [0]);
        memcpy (script_why, before_why, before_count * sizeof before_why [0]);
        script_count = before_count;
        before_count = 0;
    }
    if (script_count == 0) {
        script_why [script_count] = "the job found no commands to run";
        script [script_count++] = "echo 'readme2ci found no commands to run'";
    }
    s_explain (self, before_why, before_count);
    s_emit_list (self, "before_script", before, before_count);
    s_explain (self, script_why, script_count);
    s_emit_list (self, "script", script, script_count);
}

static void
s_job (gen_t *self, const report_job_t *job, const char *id, const char *stage)
{
    recipe_t recipe;
    if (recipe_build (&recipe, self->kb, job)) {
        self->nomem = true;
        return;
    }
    yemit_str (self->out, id);
    yemit_map_start (self->out);
    yemit_pair (self->out, "stage", stage);
    s_image_and_matrix (self, &recipe);
    s_services (self, job);
    const char *cache_name = NULL;
    const ynode_t *cache = s_cache (self, &recipe, job, &cache_name);
    s_variables (self, &recipe, job, cache);
    if (cache)
        s_emit_cache (self, &recipe, id, cache_name, cache);
    s_scripts (self, &recipe, job);
    yemit_map_end (self->out);
    recipe_release (&recipe);
}

//  A job's before_script and script are keys at indent 2 whose items
//  start "  - " at the same indent (a literal block's lines are deeper);
//  any other line at indent 2 or less ends the list.
static bool
s_is_script_line (const char *line, size_t indent, void *state)
{
    bool *in_list = state;
    bool blank = line [indent] == '\n' || line [indent] == 0;
    if (*in_list && indent == 2 && line [2] == '-' && line [3] == ' ')
        return true;
    if (!blank && indent <= 2)
        *in_list = strncmp (line, "  before_script:\n", 17) == 0
                || strncmp (line, "  script:\n", 10) == 0;
    return false;
}

char *
gitlab_comment_scripts (const char *text, const char *const *comments,
                        size_t comments_count)
{
    bool in_list = false;
    return yemit_comment_items (text, s_is_script_line, &in_list, comments, comments_count);
}

int
gitlab_render (const knowledge_t *kb, const report_t *report, bool explain,
               char **text_p, char *err, size_t err_size)
{
    *text_p = NULL;
    gen_t self = { .kb = kb, .explain = explain, .report = report,
                   .no_tests = !report_has_tests (report) };
    self.out = yemit_new ();
    if (!self.out) {
        snprintf (err, err_size, "out of memory");
        return -1;
    }
    const ynode_t *workflow = ytree_get (knowledge_root (kb), "workflow");
    const char *stage = ytree_str (ytree_get (workflow, "gitlab-stage"), "test");
    yemit_map_start (self.out);
    yemit_str (self.out, "stages");
    yemit_seq_start (self.out);
    yemit_str (self.out, stage);
    yemit_seq_end (self.out);
    if (report->jobs_count == 0) {
        yemit_str (self.out, "nothing-detected");
        yemit_map_start (self.out);
        yemit_pair (self.out, "stage", stage);
        yemit_pair (self.out, "image", ytree_str (ytree_get (workflow,
                    "gitlab-image"), "ubuntu:24.04"));
        const char *line = s_no_tests_line (&self, NULL);
        const char *why = s_no_tests_why (&self);
        s_explain (&self, &why, 1);
        s_emit_list (&self, "script", &line, 1);
        yemit_map_end (self.out);
    }
    char **ids = calloc (report->jobs_count + 1, sizeof *ids);
    if (!ids)
        self.nomem = true;
    for (size_t i = 0; ids && i < report->jobs_count; i++) {
        ids [i] = recipe_job_id (report->jobs [i].id, ids, i, s_reserved);
        if (!ids [i]) {
            self.nomem = true;
            break;
        }
        s_job (&self, &report->jobs [i], ids [i], stage);
    }
    for (size_t i = 0; ids && i < report->jobs_count; i++)
        free (ids [i]);
    free (ids);
    yemit_map_end (self.out);
    char *text = yemit_finish (self.out);
    if (text && (self.nomem || self.pool.failed)) {
        free (text);
        text = NULL;
        errno = ENOMEM;
    }
    if (text && explain) {
        char *commented = gitlab_comment_scripts (text, self.comments, self.comments_count);
        free (text);
        text = commented;
    }
    if (text && report->degraded) {
        char *marked = NULL;
        if (asprintf (&marked, "# readme2ci: made from the README alone (the "
                      "detector was unavailable); check the jobs.\n%s",
                      text) < 0) {
            marked = NULL;
            errno = ENOMEM;
        }
        free (text);
        text = marked;
    }
    int saved = errno;
    if (!text)
        snprintf (err, err_size, "cannot write the GitLab CI file: %s",
                  strerror (saved));
    yemit_destroy (&self.out);
    strpool_release (&self.pool);
    free (self.comments);
    *text_p = text;
    errno = saved;
    return text? 0: -1;
}
