/*  workers/detector/dctx.c - the detector's shared helpers: what the
    project holds, and adding decisions to the report.  */
#include "workers/detector/dctx.h"
#include "workers/detector/vrange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

//  Most entries of each list in one job (the codec's bounds are higher).
#define DCTX_MAX_VALUES 64
#define DCTX_MAX_STEPS  48
#define DCTX_MAX_NOTES  256

static bool
s_ends_with (const char *text, const char *suffix)
{
    size_t n = strlen (text), m = strlen (suffix);
    return n >= m && strcmp (text + n - m, suffix) == 0;
}

//  The manifest called name, looked up here rather than through
//  proto/project.c so the rules stay testable without the codecs.
static const project_file_t *
s_manifest (const project_t *project, const char *name)
{
    for (size_t i = 0; i < project->manifests_count; i++)
        if (project->manifests [i].name
            && strcmp (project->manifests [i].name, name) == 0)
            return &project->manifests [i];
    return NULL;
}

bool
dctx_has (const dctx_t *self, const char *name)
{
    if (self->readme_only)
        return false;
    for (size_t i = 0; i < self->project->files_count; i++)
        if (self->project->files [i]
            && strcmp (self->project->files [i], name) == 0)
            return true;
    return s_manifest (self->project, name) != NULL;
}

const char *
dctx_find_suffix (const dctx_t *self, const char *suffix)
{
    if (self->readme_only)
        return NULL;
    for (size_t i = 0; i < self->project->files_count; i++)
        if (self->project->files [i] && s_ends_with (self->project->files [i], suffix))
            return self->project->files [i];
    for (size_t i = 0; i < self->project->manifests_count; i++)
        if (self->project->manifests [i].name
            && s_ends_with (self->project->manifests [i].name, suffix))
            return self->project->manifests [i].name;
    return NULL;
}

const project_file_t *
dctx_manifest (const dctx_t *self, const char *name)
{
    if (self->readme_only)
        return NULL;
    const project_file_t *file = s_manifest (self->project, name);
    return file && file->data? file: NULL;
}

const project_file_t *
dctx_manifest_suffix (const dctx_t *self, const char *suffix)
{
    if (self->readme_only)
        return NULL;
    for (size_t i = 0; i < self->project->manifests_count; i++) {
        const project_file_t *file = &self->project->manifests [i];
        if (file->name && file->data && s_ends_with (file->name, suffix))
            return file;
    }
    return NULL;
}

void
dctx_add_name (dctx_t *self, const char *name)
{
    if (!name || !*name || dctx_is_own_name (self, name))
        return;
    if (self->names_count == sizeof self->names / sizeof self->names [0])
        return;
    char *copy = strdup (name);
    if (!copy) {
        self->oom = true;
        return;
    }
    self->names [self->names_count++] = copy;
}

bool
dctx_is_own_name (const dctx_t *self, const char *word)
{
    if (!word || !*word)
        return false;
    if (self->project->name && strcasecmp (self->project->name, word) == 0)
        return true;
    for (size_t i = 0; i < self->names_count; i++)
        if (strcasecmp (self->names [i], word) == 0)
            return true;
    return false;
}

//  strdup that records a failure instead of returning it.
static char *
s_dup (dctx_t *self, const char *text)
{
    char *copy = strdup (text? text: "");
    if (!copy)
        self->oom = true;
    return copy;
}

static void
s_replace (dctx_t *self, char **field, const char *text)
{
    char *copy = s_dup (self, text);
    if (!copy)
        return;
    free (*field);
    *field = copy;
}

report_job_t *
dctx_find_job (const dctx_t *self, const char *ecosystem)
{
    const char *dir = self->dir? self->dir: "";
    for (size_t i = 0; i < self->report->jobs_count; i++)
        if (strcmp (self->report->jobs [i].ecosystem, ecosystem) == 0
            && strcmp (self->report->jobs [i].dir, dir) == 0)
            return &self->report->jobs [i];
    //  At the top (the README's commands, services), a part's job serves
    //  when the top has none of that ecosystem.
    for (size_t i = 0; !*dir && i < self->report->jobs_count; i++)
        if (strcmp (self->report->jobs [i].ecosystem, ecosystem) == 0)
            return &self->report->jobs [i];
    return NULL;
}

report_job_t *
dctx_job (dctx_t *self, const char *ecosystem, dctx_strength_t strength)
{
    report_t *report = self->report;
    report_job_t *job = dctx_find_job (self, ecosystem);
    if (job) {
        size_t index = (size_t) (job - report->jobs);
        if (strength == DCTX_STRONG)
            self->strength [index] = DCTX_STRONG;
        return job;
    }
    if (report->jobs_count == DCTX_MAX_JOBS)
        return NULL;
    report_job_t *jobs = realloc (report->jobs, (report->jobs_count + 1) * sizeof *jobs);
    if (!jobs) {
        self->oom = true;
        return NULL;
    }
    report->jobs = jobs;
    job = &jobs [report->jobs_count];
    memset (job, 0, sizeof *job);
    const char *dir = self->dir? self->dir: "";
    if (*dir) {
        //  "node-web": the generator makes ids valid and unique
        if (asprintf (&job->id, "%s-%s", ecosystem, dir) < 0)
            job->id = NULL;
    }
    else
        job->id = s_dup (self, ecosystem);
    job->ecosystem = s_dup (self, ecosystem);
    job->language = s_dup (self, "");
    job->tool = s_dup (self, "");
    job->tool_source = s_dup (self, "");
    job->dir = s_dup (self, dir);
    if (!job->id || !job->ecosystem || !job->language || !job->tool
        || !job->tool_source || !job->dir) {
        free (job->id); free (job->ecosystem); free (job->language);
        free (job->tool); free (job->tool_source); free (job->dir);
        return NULL;
    }
    self->strength [report->jobs_count] = strength;
    report->jobs_count++;
    return job;
}

void
dctx_tool (dctx_t *self, report_job_t *job, const char *tool, const char *source)
{
    if (!job)
        return;
    s_replace (self, &job->tool, tool);
    s_replace (self, &job->tool_source, source);
}

void
dctx_language (dctx_t *self, report_job_t *job, const char *language)
{
    if (job)
        s_replace (self, &job->language, language);
}

static void
s_add_value (dctx_t *self, report_value_t **values, size_t *count,
             const char *key, const char *value, const char *source)
{
    if (*count >= DCTX_MAX_VALUES)
        return;
    report_value_t *grown = realloc (*values, (*count + 1) * sizeof *grown);
    if (!grown) {
        self->oom = true;
        return;
    }
    *values = grown;
    report_value_t *entry = &grown [*count];
    entry->key = s_dup (self, key);
    entry->value = s_dup (self, value);
    entry->source = s_dup (self, source);
    if (!entry->key || !entry->value || !entry->source) {
        free (entry->key); free (entry->value); free (entry->source);
        return;
    }
    (*count)++;
}

void
dctx_version (dctx_t *self, report_job_t *job, const char *key,
              const char *value, const char *source)
{
    if (!job || !value || !*value)
        return;
    for (size_t i = 0; i < job->versions_count; i++)
        if (strcmp (job->versions [i].key, key) == 0
            && strcmp (job->versions [i].value, value) == 0)
            return;
    s_add_value (self, &job->versions, &job->versions_count, key, value, source);
}

void
dctx_drop_versions (report_job_t *job, const char *key)
{
    size_t kept = 0;
    for (size_t i = 0; job && i < job->versions_count; i++) {
        report_value_t *value = &job->versions [i];
        if (strcmp (value->key, key) == 0) {
            free (value->key);
            free (value->value);
            free (value->source);
        }
        else
            job->versions [kept++] = *value;
    }
    if (job)
        job->versions_count = kept;
}

bool
dctx_default_versions (const report_job_t *job, const char *key)
{
    for (size_t i = 0; job && i < job->versions_count; i++)
        if (strcmp (job->versions [i].key, key) == 0
            && strncmp (job->versions [i].source, "knowledge:", 10) != 0)
            return false;
    return true;
}

bool
dctx_has_version (const report_job_t *job, const char *key)
{
    for (size_t i = 0; job && i < job->versions_count; i++)
        if (strcmp (job->versions [i].key, key) == 0)
            return true;
    return false;
}

void
dctx_setting (dctx_t *self, report_job_t *job, const char *key,
              const char *value, const char *source)
{
    if (!job || !value || dctx_get_setting (job, key))
        return;
    s_add_value (self, &job->settings, &job->settings_count, key, value, source);
}

const char *
dctx_get_setting (const report_job_t *job, const char *key)
{
    for (size_t i = 0; job && i < job->settings_count; i++)
        if (strcmp (job->settings [i].key, key) == 0)
            return job->settings [i].value;
    return NULL;
}

void
dctx_step (dctx_t *self, report_job_t *job, cmd_kind_t kind,
           const char *run, const char *source)
{
    if (!job || !run || !*run || job->steps_count >= DCTX_MAX_STEPS)
        return;
    for (size_t i = 0; i < job->steps_count; i++)
        if (strcmp (job->steps [i].run, run) == 0)
            return;
    report_step_t *grown = realloc (job->steps, (job->steps_count + 1) * sizeof *grown);
    if (!grown) {
        self->oom = true;
        return;
    }
    job->steps = grown;
    report_step_t *step = &grown [job->steps_count];
    step->kind = kind;
    step->name = s_dup (self, "");
    step->run = s_dup (self, run);
    step->source = s_dup (self, source);
    if (!step->name || !step->run || !step->source) {
        free (step->name); free (step->run); free (step->source);
        return;
    }
    job->steps_count++;
}

void
dctx_step_named (dctx_t *self, report_job_t *job, cmd_kind_t kind,
                 const char *name, const char *run, const char *source)
{
    size_t before = job? job->steps_count: 0;
    dctx_step (self, job, kind, run, source);
    if (!job || job->steps_count == before)
        return;
    char *copy = s_dup (self, name);
    if (copy) {
        free (job->steps [before].name);
        job->steps [before].name = copy;
    }
}

#define DCTX_APT "sudo apt-get install -y"

void
dctx_apt (dctx_t *self, report_job_t *job, const char *packages, const char *source)
{
    if (!job || !packages)
        return;
    report_step_t *install = NULL;
    for (size_t i = 0; i < job->steps_count && !install; i++)
        if (job->steps [i].kind == CMD_SYSTEM
            && strncmp (job->steps [i].run, DCTX_APT " ", strlen (DCTX_APT) + 1) == 0
            && !strpbrk (job->steps [i].run, "&|;\n"))
            install = &job->steps [i];
    char run [1024];
    snprintf (run, sizeof run, "%s", install? install->run: DCTX_APT);
    size_t used = strlen (run);
    bool added = false;
    for (const char *p = packages; *p; ) {
        while (*p == ' ')
            p++;
        size_t n = strcspn (p, " ");
        if (!n)
            break;
        char word [128];
        snprintf (word, sizeof word, "%.*s", (int) (n < sizeof word? n: sizeof word - 1), p);
        p += n;
        //  each package once, in the order first asked for
        bool have = false;
        for (const char *w = run + strlen (DCTX_APT); *w && !have; ) {
            while (*w == ' ')
                w++;
            size_t k = strcspn (w, " ");
            have = k == strlen (word) && strncmp (w, word, k) == 0;
            w += k;
        }
        if (have || used + strlen (word) + 2 >= sizeof run)
            continue;
        used += (size_t) snprintf (run + used, sizeof run - used, " %s", word);
        added = true;
    }
    if (!added)
        return;
    dctx_step (self, job, CMD_SYSTEM, "sudo apt-get update", source);
    if (!install) {
        dctx_step (self, job, CMD_SYSTEM, run, source);
        return;
    }
    char *copy = s_dup (self, run);
    if (copy) {
        free (install->run);
        install->run = copy;
    }
}

bool
dctx_has_step (const report_job_t *job, cmd_kind_t kind)
{
    for (size_t i = 0; job && i < job->steps_count; i++)
        if (job->steps [i].kind == kind)
            return true;
    return false;
}

//  Copy a sequence of scalars from the knowledge into a string vector.
static char **
s_strv (dctx_t *self, const ynode_t *seq, size_t *count_p)
{
    *count_p = 0;
    if (!seq || seq->kind != YNODE_SEQ || !seq->count)
        return NULL;
    char **strv = calloc (seq->count, sizeof *strv);
    if (!strv) {
        self->oom = true;
        return NULL;
    }
    for (size_t i = 0; i < seq->count; i++) {
        strv [*count_p] = s_dup (self, ytree_str (seq->items [i], ""));
        if (strv [*count_p])
            (*count_p)++;
    }
    return strv;
}

void
dctx_service (dctx_t *self, report_job_t *job, const char *name,
              const char *image, const char *source)
{
    if (!job || job->services_count >= 8)
        return;
    for (size_t i = 0; i < job->services_count; i++)
        if (strcmp (job->services [i].name, name) == 0)
            return;
    const ynode_t *def = ytree_path (knowledge_root (self->kb), "services", name, NULL);
    if (!def)
        return;
    report_service_t *grown = realloc (job->services,
                                       (job->services_count + 1) * sizeof *grown);
    if (!grown) {
        self->oom = true;
        return;
    }
    job->services = grown;
    report_service_t *svc = &grown [job->services_count];
    memset (svc, 0, sizeof *svc);
    svc->name = s_dup (self, name);
    svc->image = s_dup (self, image? image: ytree_str (ytree_get (def, "image"), name));
    svc->ports = s_strv (self, ytree_get (def, "ports"), &svc->ports_count);
    svc->env = s_strv (self, ytree_get (def, "env"), &svc->env_count);
    svc->health = s_dup (self, ytree_str (ytree_get (def, "health"), ""));
    svc->source = s_dup (self, source);
    job->services_count++;
    if (!svc->name || !svc->image || !svc->health || !svc->source)
        self->oom = true;       //  released with the report
}

bool
dctx_driver (dctx_t *self, report_job_t *job, const char *dependency,
             const char *source)
{
    const char *service = ytree_str (ytree_path (knowledge_root (self->kb),
                                                 "service-drivers", dependency, NULL), NULL);
    if (!service || !job)
        return false;
    dctx_service (self, job, service, NULL, source);
    return true;
}

void
dctx_note (dctx_t *self, const char *key, const char *value, const char *source)
{
    report_t *report = self->report;
    for (size_t i = 0; i < report->notes_count; i++)
        if (strcmp (report->notes [i].key, key) == 0
            && strcmp (report->notes [i].value, value) == 0)
            return;
    if (report->notes_count >= DCTX_MAX_NOTES)
        return;
    s_add_value (self, &report->notes, &report->notes_count, key, value, source);
}

//  The runtime's list under key in the knowledge ("known", "supported").
static const ynode_t *
s_lines (const dctx_t *self, const char *runtime, const char *key)
{
    const ynode_t *list = ytree_path (knowledge_root (self->kb), "runtimes",
                                      runtime, key, NULL);
    return list && list->kind == YNODE_SEQ? list: NULL;
}

//  Add the first and last line of list that range allows; true if any.
static bool
s_pick (dctx_t *self, report_job_t *job, const char *runtime,
        const ynode_t *list, const char *range, const char *source)
{
    const char *first = NULL, *last = NULL;
    for (size_t i = 0; list && i < list->count; i++) {
        const char *line = ytree_str (list->items [i], NULL);
        if (line && (!range || vrange_allows (range, line))) {
            if (!first)
                first = line;
            last = line;
        }
    }
    if (!first)
        return false;
    dctx_version (self, job, runtime, first, source);
    dctx_version (self, job, runtime, last, source);
    return true;
}

void
dctx_limit (dctx_t *self, const report_job_t *job, const char *range, const char *why,
            const char *source)
{
    if (!job || !range || !*range || !vrange_valid (range)
        || self->limits_count >= DCTX_MAX_LIMITS)
        return;
    for (size_t i = 0; i < self->limits_count; i++)
        if (strcmp (self->limits [i].job, job->id) == 0
            && strcmp (self->limits [i].range, range) == 0)
            return;
    char *id = strdup (job->id), *copy = strdup (range), *text = strdup (why);
    char *where = strdup (source);
    if (!id || !copy || !text || !where) {
        free (id);
        free (copy);
        free (text);
        free (where);
        self->oom = true;
        return;
    }
    self->limits [self->limits_count].job = id;
    self->limits [self->limits_count].range = copy;
    self->limits [self->limits_count].why = text;
    self->limits [self->limits_count].source = where;
    self->limits_count++;
}

void
dctx_limits_release (dctx_t *self)
{
    for (size_t i = 0; i < self->limits_count; i++) {
        free (self->limits [i].job);
        free (self->limits [i].range);
        free (self->limits [i].why);
        free (self->limits [i].source);
    }
    self->limits_count = 0;
}

//  The first of job's limits that line breaks, or -1.
static int
s_broken_limit (const dctx_t *self, const report_job_t *job, const char *line)
{
    for (size_t i = 0; i < self->limits_count; i++)
        if (strcmp (self->limits [i].job, job->id) == 0
            && !vrange_allows (self->limits [i].range, line))
            return (int) i;
    return -1;
}

//  The index of job's first limit, or -1.
static int
s_first_limit (const dctx_t *self, const report_job_t *job)
{
    for (size_t i = 0; i < self->limits_count; i++)
        if (strcmp (self->limits [i].job, job->id) == 0)
            return (int) i;
    return -1;
}

//  True when line satisfies range (none: any) and every limit of job.
static bool
s_line_within (const dctx_t *self, const report_job_t *job, const char *line,
               const char *range)
{
    if (range && *range && !vrange_allows (range, line))
        return false;
    return s_broken_limit (self, job, line) < 0;
}

//  Notes: the lines range allows (none: the supported ones) that a limit
//  left out, by limit.
static void
s_limit_notes (dctx_t *self, const report_job_t *job, const char *runtime,
               const char *range)
{
    const ynode_t *known = s_lines (self, runtime, range && *range? "known": "supported");
    for (size_t k = 0; k < self->limits_count; k++) {
        char lines [128] = "";
        size_t used = 0;
        for (size_t i = 0; known && i < known->count; i++) {
            const char *line = ytree_str (known->items [i], NULL);
            if (line && (!range || !*range || vrange_allows (range, line))
                && s_broken_limit (self, job, line) == (int) k && used < sizeof lines - 16)
                used += (size_t) snprintf (lines + used, sizeof lines - used, "%s%s",
                                           used? ", ": "", line);
        }
        if (!used)
            continue;
        char why [512];
        snprintf (why, sizeof why, "%s %s left out of the matrix: %s needs %s '%s'",
                  runtime, lines, self->limits [k].why, runtime, self->limits [k].range);
        dctx_note (self, "info", why, self->limits [k].source);
    }
}

//  dctx_matrix within job's limits. With no range, the supported lines
//  the limits allow (or, when they allow none of those, the oldest and
//  newest known ones they do); with one, the oldest known and newest
//  supported lines both allow. False, adding nothing, when no known line
//  satisfies them all.
static bool
s_matrix_within (dctx_t *self, report_job_t *job, const char *runtime,
                 const char *range, const char *source)
{
    const ynode_t *known = s_lines (self, runtime, "known");
    const ynode_t *supported = s_lines (self, runtime, "supported");
    const char *first = NULL, *last = NULL, *newest_supported = NULL;
    for (size_t i = 0; known && i < known->count; i++) {
        const char *line = ytree_str (known->items [i], NULL);
        if (line && s_line_within (self, job, line, range)) {
            if (!first)
                first = line;
            last = line;
        }
    }
    for (size_t i = 0; supported && i < supported->count; i++) {
        const char *line = ytree_str (supported->items [i], NULL);
        if (line && s_line_within (self, job, line, range))
            newest_supported = line;
    }
    if (!first && !newest_supported)
        return false;
    if ((!range || !*range) && newest_supported) {
        //  nothing declared: every supported line the tooling runs on
        for (size_t i = 0; supported && i < supported->count; i++) {
            const char *line = ytree_str (supported->items [i], NULL);
            if (line && s_line_within (self, job, line, range))
                dctx_version (self, job, runtime, line, source);
        }
    }
    else {
        dctx_version (self, job, runtime, first? first: newest_supported, source);
        dctx_version (self, job, runtime, newest_supported? newest_supported: last, source);
    }
    s_limit_notes (self, job, runtime, range);
    return true;
}

//  The range a project declares for a runtime, as the setting
//  "declared-RUNTIME": what `check` holds a CI's versions to. The
//  generator does not read it.
static void
s_declared (dctx_t *self, report_job_t *job, const char *runtime, const char *range,
            const char *source)
{
    if (!range || !*range || !vrange_valid (range))
        return;
    char key [64];
    snprintf (key, sizeof key, "declared-%s", runtime);
    dctx_setting (self, job, key, range, source);
}

bool
dctx_matrix (dctx_t *self, report_job_t *job, const char *runtime,
             const char *range, const char *source)
{
    if (!job)
        return false;
    s_declared (self, job, runtime, range, source);
    if (s_first_limit (self, job) >= 0 && (!range || !*range || vrange_valid (range))) {
        if (s_matrix_within (self, job, runtime, range, source))
            return true;
        char why [400];
        snprintf (why, sizeof why, "no %s line satisfies both %s and the engines "
                  "of what it installs (%s needs '%s'): the limits were set aside",
                  runtime, range && *range? range: "the supported lines",
                  self->limits [s_first_limit (self, job)].why,
                  self->limits [s_first_limit (self, job)].range);
        dctx_note (self, "conflict", why, source);
    }
    if (!range || !*range) {
        //  Nothing declared: a runtime whose knowledge says `undeclared:
        //  all` (several lines maintained at once, as Node's) is tested on
        //  every supported line, the way its starter workflows do.
        const char *undeclared = ytree_str (ytree_path (knowledge_root (self->kb), "runtimes",
                                                        runtime, "undeclared", NULL), "");
        const ynode_t *supported = s_lines (self, runtime, "supported");
        if (strcmp (undeclared, "all") == 0 && supported && supported->count) {
            for (size_t i = 0; i < supported->count; i++)
                if (ytree_str (supported->items [i], NULL))
                    dctx_version (self, job, runtime, ytree_str (supported->items [i], NULL),
                                  source);
            return true;
        }
        range = ytree_str (ytree_path (knowledge_root (self->kb), "runtimes",
                                       runtime, "default", NULL), NULL);
    }
    if (range && !vrange_valid (range))
        return false;
    const char *floor = ytree_str (ytree_path (knowledge_root (self->kb), "runtimes",
                                               runtime, "floor", NULL), "");
    if (strcmp (floor, "known") == 0 && range) {
        //  oldest from every known line, newest from the supported ones
        const ynode_t *known = s_lines (self, runtime, "known");
        const ynode_t *supported = s_lines (self, runtime, "supported");
        const char *first = NULL, *last = NULL;
        for (size_t i = 0; known && i < known->count; i++) {
            const char *line = ytree_str (known->items [i], NULL);
            if (line && !first && vrange_allows (range, line))
                first = line;
        }
        for (size_t i = 0; supported && i < supported->count; i++) {
            const char *line = ytree_str (supported->items [i], NULL);
            if (line && vrange_allows (range, line))
                last = line;
        }
        if (first && last) {
            dctx_version (self, job, runtime, first, source);
            dctx_version (self, job, runtime, last, source);
            return true;
        }
    }
    if (s_pick (self, job, runtime, s_lines (self, runtime, "supported"), range, source))
        return true;
    //  Nothing supported satisfies it: the project pins old lines. Test
    //  what it asks for, as far as setup actions still offer it.
    const ynode_t *known = s_lines (self, runtime, "known");
    const char *newest = NULL;
    for (size_t i = 0; known && i < known->count; i++) {
        const char *line = ytree_str (known->items [i], NULL);
        if (line && vrange_allows (range, line))
            newest = line;
    }
    if (newest) {
        char why [300];
        snprintf (why, sizeof why, "%s %s: no supported line satisfies it; "
                  "testing %s, which is past its end of life", runtime, range, newest);
        dctx_note (self, "info", why, source);
        dctx_version (self, job, runtime, newest, source);
        return true;
    }
    return false;
}

bool
dctx_matrix_list (dctx_t *self, report_job_t *job, const char *runtime,
                  const char *const *lines, size_t count, const char *source)
{
    if (!job || !count)
        return false;
    //  the lines named, as one range: "3.10 || 3.11 || 3.12"
    char declared [256] = "";
    for (size_t i = 0; i < count; i++) {
        size_t used = strlen (declared);
        snprintf (declared + used, sizeof declared - used, "%s%s", used? " || ": "",
                  lines [i]);
    }
    s_declared (self, job, runtime, declared, source);
    const ynode_t *supported = s_lines (self, runtime, "supported");
    const char *first = NULL, *last = NULL;
    for (size_t i = 0; i < count; i++) {
        bool ok = !supported;
        for (size_t k = 0; supported && k < supported->count; k++)
            if (vrange_compare (ytree_str (supported->items [k], ""), lines [i]) == 0)
                ok = true;
        if (!ok)
            continue;
        if (!first || vrange_compare (lines [i], first) < 0)
            first = lines [i];
        if (!last || vrange_compare (lines [i], last) > 0)
            last = lines [i];
    }
    if (!first) {
        //  Only unsupported lines named: test the newest of them.
        for (size_t i = 0; i < count; i++)
            if (!last || vrange_compare (lines [i], last) > 0)
                last = lines [i];
        dctx_version (self, job, runtime, last, source);
        return true;
    }
    dctx_version (self, job, runtime, first, source);
    dctx_version (self, job, runtime, last, source);
    return true;
}

void
dctx_source (char *out, size_t size, const char *name, unsigned line,
             const char *what)
{
    if (line && what && *what)
        snprintf (out, size, "%s:%u %s", name, line, what);
    else
    if (line)
        snprintf (out, size, "%s:%u", name, line);
    else
    if (what && *what)
        snprintf (out, size, "%s %s", name, what);
    else
        snprintf (out, size, "%s", name);
}
