/*  workers/check/ciread.c - GitHub Actions workflows and .gitlab-ci.yml
    as jobs, steps, matrices and services with their lines.  */
#include "workers/check/ciread.h"

#include "common/ytree.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
ci_is_file (const char *path)
{
    if (!path)
        return false;
    if (strcmp (path, ".gitlab-ci.yml") == 0)
        return true;
    static const char dir [] = ".github/workflows/";
    if (strncmp (path, dir, sizeof dir - 1) != 0)
        return false;
    const char *name = path + sizeof dir - 1;
    size_t len = strlen (name);
    if (!len || strchr (name, '/'))
        return false;
    return (len > 4 && strcmp (name + len - 4, ".yml") == 0)
        || (len > 5 && strcmp (name + len - 5, ".yaml") == 0);
}

//  Grow *array_p (of *count_p items of size each) by one zeroed item.
static void *
s_push (void *array_p, size_t *count_p, size_t size)
{
    void **array = array_p;
    char *grown = realloc (*array, (*count_p + 1) * size);
    if (!grown)
        return NULL;
    *array = grown;
    memset (grown + *count_p * size, 0, size);
    return grown + (*count_p)++ * size;
}

static char *
s_dup (const char *text)
{
    return strdup (text? text: "");
}

//  A step that only uses something (an action, a reusable workflow) at
//  uses' line, added to job; NULL when memory runs out.
static ci_step_t *
s_uses_step (ci_job_t *job, const ynode_t *uses)
{
    ci_step_t *step = s_push (&job->steps, &job->steps_count, sizeof *step);
    if (!step)
        return NULL;
    step->line = uses->line;
    step->uses = s_dup (uses->value);
    step->run = s_dup ("");
    step->dir = s_dup ("");
    return step->uses && step->run && step->dir? step: NULL;
}

static int
s_text (ci_text_t *out, const ynode_t *node)
{
    out->text = s_dup (ytree_str (node, ""));
    out->line = node? node->line: 0;
    return out->text? 0: -1;
}

static int
s_axis_add (ci_job_t *job, const char *key, const ynode_t *value)
{
    ci_axis_t *axis = NULL;
    for (size_t i = 0; i < job->matrix_count; i++)
        if (strcmp (job->matrix [i].key, key) == 0)
            axis = &job->matrix [i];
    if (!axis) {
        axis = s_push (&job->matrix, &job->matrix_count, sizeof *axis);
        if (!axis || !(axis->key = strdup (key)))
            return -1;
    }
    size_t count = value->kind == YNODE_SEQ? value->count: 1;
    for (size_t i = 0; i < count; i++) {
        const ynode_t *item = value->kind == YNODE_SEQ? value->items [i]: value;
        if (item->kind != YNODE_SCALAR)
            continue;
        ci_text_t *text = s_push (&axis->values, &axis->values_count, sizeof *text);
        if (!text || s_text (text, item))
            return -1;
    }
    return 0;
}

//  strategy.matrix (GitHub) or one parallel:matrix entry (GitLab).
static int
s_matrix (ci_job_t *job, const ynode_t *matrix)
{
    if (!matrix || matrix->kind != YNODE_MAP)
        return 0;
    for (size_t i = 0; i < matrix->count; i++) {
        const char *key = matrix->keys [i];
        const ynode_t *value = matrix->items [i];
        if (strcmp (key, "include") == 0 && value->kind == YNODE_SEQ) {
            for (size_t k = 0; k < value->count; k++) {
                const ynode_t *entry = value->items [k];
                for (size_t e = 0; entry->kind == YNODE_MAP && e < entry->count; e++)
                    if (s_axis_add (job, entry->keys [e], entry->items [e]))
                        return -1;
            }
        }
        else
        if (strcmp (key, "exclude") != 0 && s_axis_add (job, key, value))
            return -1;
    }
    return 0;
}

static int
s_service (ci_job_t *job, const char *name, const ynode_t *node)
{
    ci_service_t *service = s_push (&job->services, &job->services_count, sizeof *service);
    if (!service)
        return -1;
    const char *image = node->kind == YNODE_SCALAR? node->value
                      : ytree_str (ytree_get (node, "image"), "");
    if (!name) {
        //  GitLab: the image names it; an alias names it better
        name = ytree_str (ytree_get (node, "alias"), NULL);
        if (!name)
            name = node->kind == YNODE_SCALAR? node->value
                 : ytree_str (ytree_get (node, "name"), "");
        if (node->kind == YNODE_MAP && !*image)
            image = ytree_str (ytree_get (node, "name"), "");
    }
    service->name = s_dup (name);
    service->image = s_dup (image);
    service->line = node->line;
    return service->name && service->image? 0: -1;
}

static int
s_run_step (ci_job_t *job, const ynode_t *node)
{
    ci_step_t *step = s_push (&job->steps, &job->steps_count, sizeof *step);
    if (!step)
        return -1;
    const char *run = ytree_str (node, "");
    step->line = node->line;
    //  a block scalar's text starts on the line after its indicator
    step->run_line = node->line + (strchr (run, '\n') && !node->quoted? 1: 0);
    step->uses = s_dup ("");
    step->run = s_dup (run);
    step->dir = s_dup ("");
    return step->uses && step->run && step->dir? 0: -1;
}

static int
s_github_step (ci_job_t *job, const ynode_t *node, const char *dir_default)
{
    if (node->kind != YNODE_MAP)
        return 0;
    const ynode_t *run = ytree_get (node, "run");
    if (run && run->kind == YNODE_SCALAR) {
        if (s_run_step (job, run))
            return -1;
        ci_step_t *step = &job->steps [job->steps_count - 1];
        step->line = node->line;
        const char *dir = ytree_str (ytree_get (node, "working-directory"), dir_default);
        if (strcmp (dir, ".") && strcmp (dir, "./") && *dir) {
            free (step->dir);
            if (!(step->dir = strdup (dir)))
                return -1;
        }
        return 0;
    }
    const ynode_t *uses = ytree_get (node, "uses");
    if (!uses || uses->kind != YNODE_SCALAR)
        return 0;
    ci_step_t *step = s_uses_step (job, uses);
    if (!step)
        return -1;
    const ynode_t *with = ytree_get (node, "with");
    for (size_t i = 0; with && with->kind == YNODE_MAP && i < with->count; i++) {
        if (with->items [i]->kind != YNODE_SCALAR)
            continue;
        ci_input_t *input = s_push (&step->with, &step->with_count, sizeof *input);
        if (!input)
            return -1;
        input->key = s_dup (with->keys [i]);
        input->value = s_dup (with->items [i]->value);
        input->line = with->items [i]->line;
        if (!input->key || !input->value)
            return -1;
    }
    return 0;
}

static int
s_github_job (ci_file_t *self, const char *id, const ynode_t *node)
{
    ci_job_t *job = s_push (&self->jobs, &self->jobs_count, sizeof *job);
    if (!job || !(job->id = strdup (id)))
        return -1;
    job->line = node->line;
    //  every job has an image text, "" when none (or not even a map)
    if (node->kind != YNODE_MAP)
        return s_text (&job->image, NULL);
    const ynode_t *runs_on = ytree_get (node, "runs-on");
    size_t labels = runs_on && runs_on->kind == YNODE_SEQ? runs_on->count: runs_on? 1: 0;
    for (size_t i = 0; i < labels; i++) {
        const ynode_t *label = runs_on->kind == YNODE_SEQ? runs_on->items [i]: runs_on;
        if (label->kind != YNODE_SCALAR)
            continue;
        ci_text_t *text = s_push (&job->runs_on, &job->runs_on_count, sizeof *text);
        if (!text || s_text (text, label))
            return -1;
    }
    const ynode_t *container = ytree_get (node, "container");
    if (container && container->kind == YNODE_MAP)
        container = ytree_get (container, "image");
    if (s_text (&job->image, container && container->kind == YNODE_SCALAR? container: NULL))
        return -1;
    if (s_matrix (job, ytree_path (node, "strategy", "matrix", NULL)))
        return -1;
    const ynode_t *services = ytree_get (node, "services");
    for (size_t i = 0; services && services->kind == YNODE_MAP && i < services->count; i++)
        if (s_service (job, services->keys [i], services->items [i]))
            return -1;
    //  a job that calls a reusable workflow: its ref is a step of sorts
    const ynode_t *uses = ytree_get (node, "uses");
    if (uses && uses->kind == YNODE_SCALAR) {
        if (!s_uses_step (job, uses))
            return -1;
    }
    const char *dir = ytree_str (ytree_path (node, "defaults", "run", "working-directory",
                                             NULL), "");
    const ynode_t *steps = ytree_get (node, "steps");
    for (size_t i = 0; steps && steps->kind == YNODE_SEQ && i < steps->count; i++)
        if (s_github_step (job, steps->items [i], dir))
            return -1;
    return 0;
}

//  script, before_script, after_script: a string or a list of them.
static int
s_gitlab_script (ci_job_t *job, const ynode_t *script)
{
    if (!script)
        return 0;
    if (script->kind == YNODE_SCALAR)
        return s_run_step (job, script);
    for (size_t i = 0; script->kind == YNODE_SEQ && i < script->count; i++) {
        const ynode_t *item = script->items [i];
        //  nested lists (from anchors people flatten by hand) are read too
        if (s_gitlab_script (job, item))
            return -1;
    }
    return 0;
}

static int
s_gitlab_services (ci_job_t *job, const ynode_t *services)
{
    for (size_t i = 0; services && services->kind == YNODE_SEQ && i < services->count; i++)
        if (s_service (job, NULL, services->items [i]))
            return -1;
    return 0;
}

static int
s_gitlab_job (ci_file_t *self, const ynode_t *root, const char *id, const ynode_t *node)
{
    ci_job_t *job = s_push (&self->jobs, &self->jobs_count, sizeof *job);
    if (!job || !(job->id = strdup (id)))
        return -1;
    job->line = node->line;
    const ynode_t *deflt = ytree_get (root, "default");
    const ynode_t *image = ytree_get (node, "image");
    if (!image)
        image = ytree_get (deflt, "image");
    if (!image)
        image = ytree_get (root, "image");
    if (image && image->kind == YNODE_MAP)
        image = ytree_get (image, "name");
    if (s_text (&job->image, image && image->kind == YNODE_SCALAR? image: NULL))
        return -1;
    const ynode_t *services = ytree_get (node, "services");
    if (!services)
        services = ytree_get (deflt, "services");
    if (!services)
        services = ytree_get (root, "services");
    if (s_gitlab_services (job, services))
        return -1;
    const ynode_t *matrix = ytree_path (node, "parallel", "matrix", NULL);
    for (size_t i = 0; matrix && matrix->kind == YNODE_SEQ && i < matrix->count; i++)
        if (s_matrix (job, matrix->items [i]))
            return -1;
    const ynode_t *before = ytree_get (node, "before_script");
    if (!before)
        before = ytree_get (deflt, "before_script");
    if (!before)
        before = ytree_get (root, "before_script");
    if (s_gitlab_script (job, before)
    ||  s_gitlab_script (job, ytree_get (node, "script"))
    ||  s_gitlab_script (job, ytree_get (node, "after_script")))
        return -1;
    return 0;
}

//  Top-level keys of .gitlab-ci.yml that are not jobs.
static bool
s_gitlab_reserved (const char *key)
{
    static const char *const reserved [] = { "stages", "variables", "image", "services",
        "default", "include", "workflow", "before_script", "after_script", "cache",
        "types", NULL };
    for (size_t i = 0; reserved [i]; i++)
        if (strcmp (key, reserved [i]) == 0)
            return true;
    return false;
}

int
ci_read (ci_file_t *self, const char *path, const char *text, size_t size,
         char *err, size_t err_size)
{
    memset (self, 0, sizeof *self);
    char why [256] = "";
    ynode_t *root = ytree_parse (text, size, why, sizeof why);
    if (!root) {
        snprintf (err, err_size, "not valid YAML: %s", why);
        errno = EINVAL;
        return -1;
    }
    int rc = 0;
    self->path = s_dup (path);
    self->system = strcmp (path, ".gitlab-ci.yml") == 0? CI_GITLAB: CI_GITHUB;
    if (!self->path)
        rc = -1;
    else
    if (root->kind != YNODE_MAP) {
        snprintf (err, err_size, "not a CI file: the document is not a map");
        errno = EINVAL;
        rc = -1;
    }
    else
    if (self->system == CI_GITHUB) {
        const ynode_t *jobs = ytree_get (root, "jobs");
        if (!jobs || jobs->kind != YNODE_MAP || !jobs->count) {
            snprintf (err, err_size, "not a GitHub Actions workflow: no jobs");
            errno = EINVAL;
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && jobs && i < jobs->count; i++)
            if (s_github_job (self, jobs->keys [i], jobs->items [i]))
                rc = -1, errno = ENOMEM, snprintf (err, err_size, "out of memory");
    }
    else {
        for (size_t i = 0; rc == 0 && i < root->count; i++)
            if (!s_gitlab_reserved (root->keys [i]) && root->items [i]->kind == YNODE_MAP
                && s_gitlab_job (self, root, root->keys [i], root->items [i]))
                rc = -1, errno = ENOMEM, snprintf (err, err_size, "out of memory");
        if (rc == 0 && !self->jobs_count) {
            snprintf (err, err_size, "not a GitLab CI file: no jobs");
            errno = EINVAL;
            rc = -1;
        }
    }
    ytree_destroy (&root);
    if (rc) {
        int saved = errno;
        ci_file_release (self);
        errno = saved;
    }
    return rc;
}

void
ci_file_release (ci_file_t *self)
{
    if (!self)
        return;
    for (size_t j = 0; j < self->jobs_count; j++) {
        ci_job_t *job = &self->jobs [j];
        free (job->id);
        for (size_t i = 0; i < job->runs_on_count; i++)
            free (job->runs_on [i].text);
        free (job->runs_on);
        free (job->image.text);
        for (size_t i = 0; i < job->matrix_count; i++) {
            for (size_t k = 0; k < job->matrix [i].values_count; k++)
                free (job->matrix [i].values [k].text);
            free (job->matrix [i].values);
            free (job->matrix [i].key);
        }
        free (job->matrix);
        for (size_t i = 0; i < job->services_count; i++) {
            free (job->services [i].name);
            free (job->services [i].image);
        }
        free (job->services);
        for (size_t i = 0; i < job->steps_count; i++) {
            ci_step_t *step = &job->steps [i];
            for (size_t k = 0; k < step->with_count; k++) {
                free (step->with [k].key);
                free (step->with [k].value);
            }
            free (step->with);
            free (step->uses);
            free (step->run);
            free (step->dir);
        }
        free (job->steps);
    }
    free (self->jobs);
    free (self->path);
    memset (self, 0, sizeof *self);
}

const ci_axis_t *
ci_job_axis (const ci_job_t *job, const char *key)
{
    for (size_t i = 0; job && i < job->matrix_count; i++)
        if (strcmp (job->matrix [i].key, key) == 0)
            return &job->matrix [i];
    return NULL;
}

size_t
ci_input_values (const ci_job_t *job, const ci_input_t *input, ci_text_t *out, size_t max)
{
    const char *value = input->value;
    while (isspace ((unsigned char) *value))
        value++;
    if (strncmp (value, "${{", 3) != 0) {
        if (!max || !*value)
            return 0;
        //  a plain value: the input itself, on its line
        out [0] = (ci_text_t) { .text = input->value, .line = input->line };
        return 1;
    }
    const char *p = value + 3;
    while (*p == ' ')
        p++;
    if (strncmp (p, "matrix.", 7) != 0)
        return 0;
    p += 7;
    char key [64];
    size_t n = 0;
    while ((isalnum ((unsigned char) p [n]) || p [n] == '-' || p [n] == '_') && n < sizeof key - 1)
        n++;
    snprintf (key, sizeof key, "%.*s", (int) n, p);
    p += n;
    while (*p == ' ')
        p++;
    if (strcmp (p, "}}") != 0)
        return 0;
    const ci_axis_t *axis = ci_job_axis (job, key);
    size_t count = 0;
    for (size_t i = 0; axis && i < axis->values_count && count < max; i++)
        out [count++] = axis->values [i];
    return count;
}
