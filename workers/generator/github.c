/*  workers/generator/github.c - a report as a GitHub Actions workflow.  */
#include "workers/generator/github.h"
#include "workers/generator/recipe.h"
#include "workers/generator/stepname.h"
#include "workers/generator/strpool.h"
#include "workers/generator/yemit.h"
#include "common/knowledge_eco.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

//  One action input: its value and how to write it.
typedef enum { INPUT_TEXT, INPUT_VERSION, INPUT_NODE, INPUT_LINES } input_style_t;

typedef struct {
    const char *name;
    const char *value;              //  for INPUT_TEXT and INPUT_VERSION
    const ynode_t *node;            //  for INPUT_NODE (keeps its quoting)
    input_style_t style;
} input_t;

#define MAX_INPUTS 32

typedef struct {
    input_t items [MAX_INPUTS];
    size_t count;
} inputs_t;

//  The state of one render.
typedef struct {
    const knowledge_t *kb;
    yemit_t *out;
    char **comments;        //  one per step, in the order they are written
    size_t comments_count;
    bool join_next;         //  the next comment joins the last one (no step
                            //  came between: the matrix of a job with no
                            //  setup action explains its first step)
    strpool_t pool;         //  strings to free when done
    bool nomem;
    char *err;
    size_t err_size;
    bool failed;            //  a reason is in err
    const report_t *report;
    bool no_tests;          //  no job runs tests: each gets a failing one
    const char *taken [64]; //  names of the current job's steps so far
    size_t taken_count;
} gen_t;

static void
s_fail (gen_t *self, const char *format, ...)
{
    if (self->failed)
        return;
    self->failed = true;
    va_list args;
    va_start (args, format);
    if (self->err && self->err_size)
        vsnprintf (self->err, self->err_size, format, args);
    va_end (args);
}

//  A step's name: written, and remembered so the job's report steps get
//  other names.
static void
s_name (gen_t *self, const char *name)
{
    yemit_pair (self->out, "name", name);
    if (name && self->taken_count < sizeof self->taken / sizeof self->taken [0])
        self->taken [self->taken_count++] = name;
}

static bool
s_taken (gen_t *self, const char *name)
{
    for (size_t i = 0; i < self->taken_count; i++)
        if (strcasecmp (self->taken [i], name) == 0)
            return true;
    return false;
}

//  Report text made safe from GitHub's expression syntax: every "${{"
//  becomes an expression that yields "${{" itself, so README text is
//  never evaluated. Borrowed from the pool.
static const char *
s_text (gen_t *self, const char *text)
{
    if (!text)
        return "";
    if (!strstr (text, "${{"))
        return text;
    static const char escaped [] = "${{ '${{' }}";
    size_t size = 0;
    for (const char *p = text; (p = strstr (p, "${{")); p += 3)
        size++;
    char *out = malloc (strlen (text) + size * sizeof escaped + 1);
    if (!out)
        return strpool_keep (&self->pool, NULL);
    char *at = out;
    for (const char *p = text; *p; ) {
        if (strncmp (p, "${{", 3) == 0) {
            memcpy (at, escaped, sizeof escaped - 1);
            at += sizeof escaped - 1;
            p += 3;
        }
        else
            *at++ = *p++;
    }
    *at = 0;
    return strpool_keep (&self->pool, out);
}

//  Record the comment of the step about to be written: control
//  characters become spaces so it stays one line.
static void
s_comment (gen_t *self, const char *format, ...)
{
    char *text = NULL;
    va_list args;
    va_start (args, format);
    if (vasprintf (&text, format, args) < 0)
        text = NULL;
    va_end (args);
    char **comments = text? realloc (self->comments,
        (self->comments_count + 1) * sizeof *comments): NULL;
    if (!comments) {
        free (text);
        self->nomem = true;
        return;
    }
    for (char *p = text; *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f)
            *p = ' ';
    self->comments = comments;
    if (self->join_next && self->comments_count) {
        self->join_next = false;
        char *last = self->comments [self->comments_count - 1];
        char *joined = NULL;
        if (asprintf (&joined, "%s; %s", last, text) < 0) {
            free (text);
            self->nomem = true;
            return;
        }
        free (last);
        free (text);
        self->comments [self->comments_count - 1] = joined;
        return;
    }
    self->comments [self->comments_count++] = text;
}

//  "owner/action@ref" from the knowledge; ref_override when not NULL.
static const char *
s_uses (gen_t *self, const char *action, const char *ref_override)
{
    const char *ref = ref_override? ref_override
                    : knowledge_action_ref (self->kb, action);
    if (!ref || !*ref) {
        s_fail (self, "the CI knowledge has no ref for action %s", action);
        return NULL;
    }
    return strpool_format (&self->pool, "%s@%s", action, ref);
}

static void
s_input (inputs_t *inputs, const char *name, const char *value,
         const ynode_t *node, input_style_t style)
{
    if (!name || (!value && !node))
        return;
    input_t input = { name, value, node, style };
    for (size_t i = 0; i < inputs->count; i++)
        if (strcmp (inputs->items [i].name, name) == 0) {
            inputs->items [i] = input;
            return;
        }
    if (inputs->count < MAX_INPUTS)
        inputs->items [inputs->count++] = input;
}

//  Inputs from a knowledge map of templates ({dir}, {setting:KEY}).
static void
s_inputs_from_map (gen_t *self, inputs_t *inputs, const ynode_t *map,
                   const recipe_t *recipe, const report_job_t *job)
{
    for (size_t i = 0; map && map->keys && i < map->count; i++) {
        const ynode_t *node = map->items [i];
        if (node->kind != YNODE_SCALAR)
            continue;
        char *value = NULL;
        if (recipe_expand (recipe, job, node->value, &value)) {
            self->nomem = true;
            return;
        }
        if (!value)
            continue;
        if (strcmp (value, node->value) == 0) {
            free (value);
            s_input (inputs, map->keys [i], NULL, node, INPUT_NODE);
        }
        else
            s_input (inputs, map->keys [i], strpool_keep (&self->pool, value), NULL,
                     INPUT_TEXT);
    }
}

static void
s_emit_inputs (gen_t *self, const inputs_t *inputs)
{
    if (inputs->count == 0)
        return;
    yemit_str (self->out, "with");
    yemit_map_start (self->out);
    for (size_t i = 0; i < inputs->count; i++) {
        const input_t *input = &inputs->items [i];
        yemit_str (self->out, input->name);
        if (input->style == INPUT_NODE)
            yemit_node (self->out, input->node);
        else
        if (input->style == INPUT_VERSION)
            yemit_quoted (self->out, input->value);
        else
        if (input->style == INPUT_LINES)
            yemit_block (self->out, input->value);
        else
            yemit_str (self->out, input->value);
    }
    yemit_map_end (self->out);
}

//  The setup action's inputs: versions (or the version file), fixed
//  inputs, settings and the cache.
static void
s_setup_inputs (gen_t *self, inputs_t *inputs, const recipe_t *recipe,
                const report_job_t *job)
{
    for (size_t i = 0; i < recipe->axes_count; i++) {
        const recipe_axis_t *axis = &recipe->axes [i];
        if (recipe_axis_varies (axis))
            s_input (inputs, axis->input, strpool_format (&self->pool,
                     "${{ matrix.%s }}", axis->runtime), NULL, INPUT_TEXT);
        else
        if (axis->count > 1) {
            //  versions installed together: one a line, as the action takes them
            char *lines = NULL;
            size_t size = 0;
            FILE *out = open_memstream (&lines, &size);
            for (size_t v = 0; out && v < axis->count; v++)
                fprintf (out, "%s\n", axis->values [v]);
            if (!out || fclose (out) || !lines) {
                free (lines);
                self->nomem = true;
                return;
            }
            s_input (inputs, axis->input, s_text (self, strpool_keep (&self->pool, lines)),
                     NULL, INPUT_LINES);
        }
        else
        if (axis->count == 1)
            s_input (inputs, axis->input, s_text (self, axis->values [0]),
                     NULL, INPUT_VERSION);
    }
    const char *file_input = ytree_str (recipe_get (recipe, "version-file"), NULL);
    if (recipe->version_file && file_input) {
        const char *path = *recipe->dir
            ? strpool_format (&self->pool, "%s/%s", recipe->dir, recipe->version_file)
            : recipe->version_file;
        s_input (inputs, file_input, s_text (self, path), NULL, INPUT_TEXT);
        s_inputs_from_map (self, inputs,
                           recipe_get (recipe, "version-file-with"), recipe, job);
    }
    s_inputs_from_map (self, inputs, ytree_get (recipe->entry, "with"), recipe, job);
    s_inputs_from_map (self, inputs, ytree_get (recipe->tool, "with"), recipe, job);
    const ynode_t *settings = ytree_get (recipe->entry, "settings");
    for (size_t i = 0; settings && settings->keys && i < settings->count; i++) {
        const char *value = recipe_setting (job, settings->keys [i]);
        if (value && *value)
            s_input (inputs, ytree_str (settings->items [i], NULL),
                     s_text (self, value), NULL, INPUT_TEXT);
    }
    const char *cache = recipe_setting (job, "cache");
    const char *cache_input = ytree_str (ytree_get (recipe->entry, "cache"), NULL);
    const ynode_t *caches = ytree_get (recipe->entry, "caches");
    bool accepted = false;
    for (size_t i = 0; cache && caches && i < caches->count; i++)
        if (caches->kind == YNODE_SEQ
        &&  strcmp (ytree_str (caches->items [i], ""), cache) == 0)
            accepted = true;
    if (accepted && cache_input) {
        s_input (inputs, cache_input, s_text (self, cache), NULL, INPUT_TEXT);
        const char *path_input = ytree_str (ytree_get (recipe->entry,
                                            "cache-path"), NULL);
        const char *lock = knowledge_eco_lockfile (self->kb, cache);
        if (*recipe->dir && path_input && lock)
            s_input (inputs, path_input, s_text (self, strpool_format (&self->pool,
                     "%s/%s", recipe->dir, lock)), NULL, INPUT_TEXT);
    }
}

//  Where the setup's versions came from, for --explain.
static void
s_setup_comment (gen_t *self, const recipe_t *recipe, const report_job_t *job)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out) {
        self->nomem = true;
        return;
    }
    const char *sep = "";
    for (size_t i = 0; i < recipe->axes_count; i++) {
        const recipe_axis_t *axis = &recipe->axes [i];
        for (size_t v = 0; v < axis->count; v++) {
            const char *source = axis->sources [v];
            fprintf (out, "%s%s %s from %s", sep, axis->runtime,
                     axis->values [v], axis->from_default || !*source
                     ? "readme2ci's default": source);
            sep = "; ";
        }
    }
    if (recipe->version_file)
        fprintf (out, "%sversion from %s (%s)", sep, recipe->version_file,
                 recipe->version_file_source && *recipe->version_file_source
                 ? recipe->version_file_source: "version-file setting");
    else
    if (!*sep)
        fprintf (out, "the runner's default version");
    const char *cache = recipe_setting (job, "cache");
    if (cache)
        fprintf (out, "; cache %s", cache);
    if (fclose (out) || !text) {
        free (text);
        self->nomem = true;
        return;
    }
    s_comment (self, "%s", text);
    free (text);
}

//  The steps a knowledge list (before/after) adds around the setup action.
static void
s_extra_steps (gen_t *self, const ynode_t *list, const recipe_t *recipe,
               const report_job_t *job, bool for_tool)
{
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count; i++) {
        const ynode_t *step = list->items [i];
        //  a step for one case only: the job has (if-setting) or has not
        //  (unless-setting) the setting
        const char *only_if = ytree_str (ytree_get (step, "if-setting"), NULL);
        if (only_if && !recipe_setting (job, only_if))
            continue;
        const char *unless = ytree_str (ytree_get (step, "unless-setting"), NULL);
        if (unless && recipe_setting (job, unless))
            continue;
        const char *action = ytree_str (ytree_get (step, "uses"), NULL);
        const char *run = ytree_str (ytree_get (step, "run"), NULL);
        if (!action == !run) {
            s_fail (self, "CI knowledge: a step of setup.%s needs one of "
                    "uses or run", recipe->entry_name);
            return;
        }
        const char *name = ytree_str (ytree_get (step, "name"), action? action: run);
        const char *uses = action? s_uses (self, action, NULL): NULL;
        if (action && !uses)
            return;
        if (for_tool)
            s_comment (self, "needed by %s, chosen from %s", job->tool,
                       job->tool_source && *job->tool_source
                       ? job->tool_source: "the report");
        else
            s_comment (self, "part of setting up %s (CI knowledge)",
                       recipe->entry_name);
        yemit_map_start (self->out);
        s_name (self, name);
        if (uses)
            yemit_pair (self->out, "uses", uses);
        else
            yemit_pair (self->out, "run", run);
        inputs_t inputs = { .count = 0 };
        s_inputs_from_map (self, &inputs, ytree_get (step, "with"), recipe, job);
        s_emit_inputs (self, &inputs);
        yemit_map_end (self->out);
    }
}

static void
s_setup_steps (gen_t *self, const recipe_t *recipe, const report_job_t *job)
{
    s_extra_steps (self, ytree_get (recipe->entry, "before"), recipe, job, false);
    s_extra_steps (self, ytree_get (recipe->tool, "before"), recipe, job, true);
    const char *action = ytree_str (ytree_get (recipe->entry, "action"), NULL);
    if (action && *action) {
        //  A ref that names a version (dtolnay's) gives way to the
        //  versioned ref when the report asks for versions.
        const char *versioned = ytree_str (ytree_get (recipe->entry,
                                           "versioned-ref"), NULL);
        bool asks = recipe->axes_count && recipe->axes [0].count
                 && !recipe->axes [0].from_default;
        const char *uses = s_uses (self, action, asks? versioned: NULL);
        if (!uses)
            return;
        s_setup_comment (self, recipe, job);
        yemit_map_start (self->out);
        const char *label = ytree_str (ytree_get (recipe->entry, "label"),
                            ytree_str (ytree_get (recipe->entry, "name"), action));
        s_name (self, strpool_format (&self->pool, "Set up %s", label));
        yemit_pair (self->out, "uses", uses);
        inputs_t inputs = { .count = 0 };
        s_setup_inputs (self, &inputs, recipe, job);
        s_emit_inputs (self, &inputs);
        yemit_map_end (self->out);
    }
    else
    if (recipe->axes_count && recipe->axes [0].count && !recipe->axes [0].from_default) {
        //  versions no action takes (the C++ standard): said on the next step
        s_setup_comment (self, recipe, job);
        self->join_next = true;
    }
    s_extra_steps (self, ytree_get (recipe->entry, "after"), recipe, job, false);
    s_extra_steps (self, ytree_get (recipe->tool, "after"), recipe, job, true);
}

static void
s_checkout_step (gen_t *self)
{
    const char *uses = s_uses (self, "actions/checkout", NULL);
    if (!uses)
        return;
    s_comment (self, "every job starts from a checkout of the repository");
    yemit_map_start (self->out);
    s_name (self, "Check out");
    yemit_pair (self->out, "uses", uses);
    yemit_map_end (self->out);
}

static void
s_report_steps (gen_t *self, const report_job_t *job)
{
    char **names = stepname_job_kept (self->kb, job, self->taken, self->taken_count, &self->pool);
    if (!names) {
        self->nomem = true;
        return;
    }
    for (size_t i = 0; i < job->steps_count; i++) {
        const report_step_t *step = &job->steps [i];
        const char *name = names [i];
        if (!name)
            continue;           //  a step with no command is not written
        s_comment (self, "from %s", step->source && *step->source
                   ? step->source: "an unrecorded source");
        yemit_map_start (self->out);
        s_name (self, s_text (self, name));
        if (recipe_powershell (step->run))
            yemit_pair (self->out, "shell", "pwsh");
        yemit_str (self->out, "run");
        yemit_block (self->out, s_text (self, step->run));
        yemit_map_end (self->out);
    }
    free (names);
}

//  No job runs tests: the job's test step fails, with an error that says
//  what was read and what to add, instead of a green check that tests
//  nothing. job is NULL for a workflow with no job found.
static void
s_no_tests_step (gen_t *self, const report_job_t *job)
{
    char *message = stepname_no_tests_message (self->kb, self->report, job);
    if (!message) {
        self->nomem = true;
        return;
    }
    //  a workflow command's message escapes %; a single-quoted shell word
    //  has no quote inside
    size_t size = 1;
    for (const char *p = message; *p; p++)
        size += *p == '%'? 3: *p == '\''? 4: 1;
    char *quoted = malloc (size);
    if (!quoted) {
        free (message);
        self->nomem = true;
        return;
    }
    char *at = quoted;
    for (const char *p = message; *p; p++) {
        if (*p == '%')
            at = stpcpy (at, "%25");
        else
        if (*p == '\'')
            at = stpcpy (at, "'\\''");
        else
            *at++ = *p;
    }
    *at = 0;
    free (message);
    s_comment (self, "no test command found (the notes say where readme2ci looked); "
               "this step fails until one is added");
    const char *test = ytree_str (ytree_path (knowledge_root (self->kb), "workflow",
                                  "step-names", "test", NULL), "Test");
    const char *name = test;
    for (int n = 2; name && s_taken (self, name); n++)
        name = strpool_format (&self->pool, "%s %d", test, n);
    yemit_map_start (self->out);
    s_name (self, name);
    yemit_str (self->out, "run");
    yemit_block (self->out, s_text (self, strpool_format (&self->pool,
                 "echo '::error title=%s::%s'\nexit 1\n",
                 stepname_no_tests_title (self->kb), quoted)));
    yemit_map_end (self->out);
    free (quoted);
}

//  docker's --health-cmd wants one argument: quote it.
static const char *
s_health_options (gen_t *self, const char *health)
{
    const ynode_t *timing = ytree_path (knowledge_root (self->kb),
                                        "workflow", "health", NULL);
    char *quoted = malloc (2 * strlen (health) + 3);
    if (!quoted)
        return strpool_keep (&self->pool, NULL);
    char *at = quoted;
    *at++ = '"';
    for (const char *p = health; *p; p++) {
        if (*p == '"' || *p == '\\')
            *at++ = '\\';
        *at++ = *p;
    }
    *at++ = '"';
    *at = 0;
    const char *options = strpool_format (&self->pool, "--health-cmd %s --health-interval %s"
        " --health-timeout %s --health-retries %s", quoted,
        ytree_str (ytree_get (timing, "interval"), "10s"),
        ytree_str (ytree_get (timing, "timeout"), "5s"),
        ytree_str (ytree_get (timing, "retries"), "5"));
    free (quoted);
    return options;
}

static void
s_services (gen_t *self, const report_job_t *job)
{
    if (job->services_count == 0)
        return;
    yemit_str (self->out, "services");
    yemit_map_start (self->out);
    char **ids = calloc (job->services_count, sizeof *ids);
    if (!ids) {
        self->nomem = true;
        return;
    }
    for (size_t i = 0; i < job->services_count; i++) {
        const report_service_t *service = &job->services [i];
        ids [i] = recipe_job_id (service->name, ids, i, NULL);
        if (!ids [i]) {
            self->nomem = true;
            break;
        }
        yemit_str (self->out, ids [i]);
        yemit_map_start (self->out);
        yemit_pair (self->out, "image", s_text (self, service->image));
        if (service->ports_count) {
            yemit_str (self->out, "ports");
            yemit_seq_start (self->out);
            for (size_t p = 0; p < service->ports_count; p++)
                yemit_quoted (self->out, s_text (self, service->ports [p]));
            yemit_seq_end (self->out);
        }
        if (service->env_count) {
            yemit_str (self->out, "env");
            yemit_map_start (self->out);
            for (size_t e = 0; e < service->env_count; e++) {
                const char *entry = service->env [e]? service->env [e]: "";
                const char *equals = strchr (entry, '=');
                yemit_pair (self->out, equals
                    ? strpool_keep (&self->pool, strndup (entry, (size_t) (equals - entry)))
                    : entry, s_text (self, equals? equals + 1: ""));
            }
            yemit_map_end (self->out);
        }
        if (service->health && *service->health)
            yemit_pair (self->out, "options",
                        s_health_options (self, s_text (self, service->health)));
        yemit_map_end (self->out);
    }
    for (size_t i = 0; i < job->services_count; i++)
        free (ids [i]);
    free (ids);
    yemit_map_end (self->out);
}

static const char *
s_runner (gen_t *self, const report_job_t *job)
{
    const char *runner = recipe_setting (job, "runner");
    if (runner && *runner)
        return s_text (self, runner);
    return ytree_str (ytree_get (knowledge_root (self->kb), "runner"),
                      "ubuntu-latest");
}

static void
s_matrix (gen_t *self, const recipe_t *recipe)
{
    yemit_str (self->out, "strategy");
    yemit_map_start (self->out);
    yemit_str (self->out, "fail-fast");
    yemit_raw (self->out, "false");
    yemit_str (self->out, "matrix");
    yemit_map_start (self->out);
    if (recipe->paired) {
        //  one include entry per pair: the nth value of each varying axis
        yemit_str (self->out, "include");
        yemit_seq_start (self->out);
        for (size_t row = 0; row < recipe->axes [0].count; row++) {
            yemit_map_start (self->out);
            for (size_t i = 0; i < recipe->axes_count; i++) {
                const recipe_axis_t *axis = &recipe->axes [i];
                if (!recipe_axis_varies (axis))
                    continue;
                yemit_str (self->out, axis->runtime);
                yemit_quoted (self->out, s_text (self, axis->values [row]));
            }
            yemit_map_end (self->out);
        }
        yemit_seq_end (self->out);
        yemit_map_end (self->out);
        yemit_map_end (self->out);
        return;
    }
    for (size_t i = 0; i < recipe->axes_count; i++) {
        const recipe_axis_t *axis = &recipe->axes [i];
        if (!recipe_axis_varies (axis))
            continue;
        yemit_str (self->out, axis->runtime);
        yemit_seq_start (self->out);
        for (size_t v = 0; v < axis->count; v++)
            yemit_quoted (self->out, s_text (self, axis->values [v]));
        yemit_seq_end (self->out);
    }
    yemit_map_end (self->out);
    yemit_map_end (self->out);
}

//  The job's env map, started at its first variable.
typedef struct {
    gen_t *gen;
    bool open;
} job_env_t;

static void
s_env_key (job_env_t *env, const char *name)
{
    if (!env->open) {
        yemit_str (env->gen->out, "env");
        yemit_map_start (env->gen->out);
        env->open = true;
    }
    yemit_str (env->gen->out, name);
}

static void
s_client_var (void *arg, const char *name, char *value)
{
    job_env_t *env = arg;
    const char *kept = strpool_keep (&env->gen->pool, value);
    if (kept) {
        s_env_key (env, name);
        yemit_str (env->gen->out, kept);
    }
}

static void
s_job (gen_t *self, const report_job_t *job, const char *id)
{
    recipe_t recipe;
    if (recipe_build (&recipe, self->kb, job)) {
        self->nomem = true;
        return;
    }
    yemit_str (self->out, id);
    yemit_map_start (self->out);
    //  The matrix suffix is ours, after the escaped report text.
    const char *plain_name = s_text (self, recipe.name);
    const char *name = plain_name;
    for (size_t i = 0; name && i < recipe.axes_count; i++)
        if (recipe_axis_varies (&recipe.axes [i]))
            name = strpool_format (&self->pool, "%s ${{ matrix.%s }}", name,
                             recipe.axes [i].runtime);
    yemit_pair (self->out, "name", name);
    yemit_pair (self->out, "runs-on", s_runner (self, job));
    if (recipe_has_matrix (&recipe))
        s_matrix (self, &recipe);
    //  The entry's env, each axis that no setup action takes (matrix-env)
    //  handed to the steps as a variable, and where the services are.
    job_env_t env = { self, false };
    const ynode_t *entry_env = ytree_get (recipe.entry, "env");
    for (size_t i = 0; entry_env && entry_env->keys && i < entry_env->count; i++) {
        s_env_key (&env, entry_env->keys [i]);
        yemit_node (self->out, entry_env->items [i]);
    }
    const ynode_t *matrix_env = ytree_get (recipe.entry, "matrix-env");
    for (size_t i = 0; i < recipe.axes_count; i++) {
        const recipe_axis_t *axis = &recipe.axes [i];
        const char *var = ytree_str (ytree_get (matrix_env, axis->runtime), NULL);
        if (!var || axis->count == 0)
            continue;
        s_env_key (&env, var);
        if (recipe_axis_varies (axis))
            yemit_str (self->out, strpool_format (&self->pool, "${{ matrix.%s }}",
                                                  axis->runtime));
        else
            yemit_quoted (self->out, s_text (self, axis->values [0]));
    }
    if (recipe_client_env (self->kb, job, false, s_client_var, &env))
        self->nomem = true;
    if (env.open)
        yemit_map_end (self->out);
    s_services (self, job);
    if (*recipe.dir) {
        yemit_str (self->out, "defaults");
        yemit_map_start (self->out);
        yemit_str (self->out, "run");
        yemit_map_start (self->out);
        yemit_pair (self->out, "working-directory", s_text (self, recipe.dir));
        yemit_map_end (self->out);
        yemit_map_end (self->out);
    }
    yemit_str (self->out, "steps");
    yemit_seq_start (self->out);
    self->taken_count = 0;
    s_checkout_step (self);
    s_setup_steps (self, &recipe, job);
    s_report_steps (self, job);
    if (self->no_tests)
        s_no_tests_step (self, job);
    yemit_seq_end (self->out);
    yemit_map_end (self->out);
    recipe_release (&recipe);
}

//  No job found: a workflow whose test step fails and says what to add.
static void
s_empty_job (gen_t *self)
{
    yemit_str (self->out, "nothing-detected");
    yemit_map_start (self->out);
    yemit_pair (self->out, "name", "Nothing detected");
    yemit_pair (self->out, "runs-on", ytree_str (ytree_get (knowledge_root
                (self->kb), "runner"), "ubuntu-latest"));
    yemit_str (self->out, "steps");
    yemit_seq_start (self->out);
    self->taken_count = 0;
    s_checkout_step (self);
    s_no_tests_step (self, NULL);
    yemit_seq_end (self->out);
    yemit_map_end (self->out);
}

static void
s_header (gen_t *self)
{
    const ynode_t *workflow = ytree_get (knowledge_root (self->kb), "workflow");
    yemit_pair (self->out, "name", ytree_str (ytree_get (workflow, "name"), "CI"));
    yemit_str (self->out, "on");
    yemit_map_start (self->out);
    yemit_str (self->out, "push");
    yemit_map_start (self->out);
    yemit_str (self->out, "branches");
    yemit_seq_start (self->out);
    const ynode_t *branches = ytree_get (workflow, "branches");
    if (branches && branches->kind == YNODE_SEQ && branches->count)
        for (size_t i = 0; i < branches->count; i++)
            yemit_str (self->out, ytree_str (branches->items [i], "main"));
    else
        yemit_str (self->out, "main");
    yemit_seq_end (self->out);
    yemit_map_end (self->out);
    yemit_str (self->out, "pull_request");
    yemit_raw (self->out, "");
    yemit_str (self->out, "workflow_dispatch");
    yemit_raw (self->out, "");
    yemit_map_end (self->out);
    yemit_str (self->out, "permissions");
    yemit_map_start (self->out);
    yemit_pair (self->out, "contents", "read");
    yemit_map_end (self->out);
    yemit_str (self->out, "concurrency");
    yemit_map_start (self->out);
    yemit_pair (self->out, "group", "${{ github.workflow }}-${{ github.ref }}");
    yemit_pair (self->out, "cancel-in-progress",
                "${{ github.event_name == 'pull_request' }}");
    yemit_map_end (self->out);
}

static void
s_jobs (gen_t *self, const report_t *report)
{
    yemit_str (self->out, "jobs");
    yemit_map_start (self->out);
    if (report->jobs_count == 0)
        s_empty_job (self);
    char **ids = calloc (report->jobs_count + 1, sizeof *ids);
    if (!ids) {
        self->nomem = true;
        return;
    }
    for (size_t i = 0; i < report->jobs_count && !self->failed; i++) {
        ids [i] = recipe_job_id (report->jobs [i].id, ids, i, NULL);
        if (!ids [i]) {
            self->nomem = true;
            break;
        }
        s_job (self, &report->jobs [i], ids [i]);
    }
    for (size_t i = 0; i < report->jobs_count; i++)
        free (ids [i]);
    free (ids);
    yemit_map_end (self->out);
}

//  Steps are the last key of each job ("    steps:"); each step is a
//  mapping whose first line is "- name: ..." at the sequence's indent.
//  Deeper lines (a step's keys, literal blocks) are indented further,
//  and a line indented 2 or less ends the job.
typedef struct {
    bool in_steps;
    long step_indent;
} steps_scan_t;

static bool
s_is_step (const char *line, size_t indent, void *state)
{
    steps_scan_t *scan = state;
    bool blank = line [indent] == '\n' || line [indent] == 0;
    if (strncmp (line, "    steps:\n", 11) == 0) {
        scan->in_steps = true;
        scan->step_indent = -1;
    }
    else
    if (scan->in_steps && !blank && indent <= 2)
        scan->in_steps = false;
    else
    if (scan->in_steps && !blank && line [indent] == '-' && line [indent + 1] == ' '
    &&  (scan->step_indent < 0 || (size_t) scan->step_indent == indent)) {
        scan->step_indent = (long) indent;
        return true;
    }
    return false;
}

char *
github_comment_steps (const char *text, char *const *comments,
                      size_t comments_count)
{
    steps_scan_t scan = { false, -1 };
    return yemit_comment_items (text, s_is_step, &scan, (const char *const *) comments,
                                comments_count);
}

int
github_render (const knowledge_t *kb, const report_t *report,
               bool explain, char **text_p, char *err, size_t err_size)
{
    *text_p = NULL;
    gen_t self = { .kb = kb, .err = err, .err_size = err_size, .report = report,
                   .no_tests = !report_has_tests (report) };
    self.out = yemit_new ();
    if (!self.out) {
        snprintf (err, err_size, "out of memory");
        return -1;
    }
    yemit_map_start (self.out);
    s_header (&self);
    s_jobs (&self, report);
    yemit_map_end (self.out);
    char *text = yemit_finish (self.out);
    char *final = NULL;
    if (self.failed)
        errno = EINVAL;
    else
    if (self.nomem || self.pool.failed || !text) {
        errno = text? ENOMEM: errno;
        snprintf (err, err_size, "cannot write the workflow: %s",
                  strerror (errno));
    }
    else
    if (explain) {
        final = github_comment_steps (text, self.comments, self.comments_count);
        if (!final)
            snprintf (err, err_size, "cannot place the step comments: %s",
                      strerror (errno));
    }
    else {
        final = text;
        text = NULL;
    }
    if (final && report->degraded) {
        char *marked = NULL;
        if (asprintf (&marked, "# readme2ci: made from the README alone (the "
                      "detector was unavailable); check the steps.\n%s",
                      final) < 0) {
            marked = NULL;
            errno = ENOMEM;
            snprintf (err, err_size, "out of memory");
        }
        free (final);
        final = marked;
    }
    *text_p = final;
    int rc = final? 0: -1;
    free (text);
    int saved = errno;
    yemit_destroy (&self.out);
    for (size_t i = 0; i < self.comments_count; i++)
        free (self.comments [i]);
    free (self.comments);
    strpool_release (&self.pool);
    errno = saved;
    return rc;
}
