/*  workers/check/ciread.h - a project's existing CI as `check` compares
    it: GitHub Actions workflows and .gitlab-ci.yml read with libyaml
    (through ytree) into jobs, steps, matrices and services, each with the
    line it stands on. Pure: text in, struct out.  */
#ifndef CIREAD_H_INCLUDED
#define CIREAD_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  A value and the line of the file it stands on.
typedef struct {
    char *text;
    unsigned line;
} ci_text_t;

//  One input of a step's `with:`.
typedef struct {
    char *key;
    char *value;
    unsigned line;
} ci_input_t;

//  One step. A GitHub step has uses or run; a GitLab script line is a
//  step with run only. run_line is the line of run's first line.
typedef struct {
    unsigned line;
    char *uses;             //  "actions/setup-node@v4", or ""
    char *run;              //  the commands, or ""
    unsigned run_line;
    char *dir;              //  working-directory (the step's or the job's), or ""
    ci_input_t *with;
    size_t with_count;
} ci_step_t;

typedef struct {
    char *name;             //  the service's key, or its image's name
    char *image;            //  "postgres:16", or ""
    unsigned line;
} ci_service_t;

//  A matrix axis (strategy.matrix.KEY, include entries, GitLab
//  parallel:matrix) with every value it takes.
typedef struct {
    char *key;
    ci_text_t *values;
    size_t values_count;
} ci_axis_t;

typedef struct {
    char *id;
    unsigned line;
    ci_text_t *runs_on;     //  runner labels (GitHub)
    size_t runs_on_count;
    ci_text_t image;        //  container / GitLab image; text "" for none
    ci_axis_t *matrix;
    size_t matrix_count;
    ci_service_t *services;
    size_t services_count;
    ci_step_t *steps;
    size_t steps_count;
} ci_job_t;

typedef enum { CI_GITHUB, CI_GITLAB } ci_system_t;

//  One CI file. Zero value is an empty file.
typedef struct {
    char *path;             //  ".github/workflows/ci.yml", ".gitlab-ci.yml"
    ci_system_t system;
    ci_job_t *jobs;
    size_t jobs_count;
} ci_file_t;

//  True when path names a CI file check reads: .gitlab-ci.yml, or a .yml
//  or .yaml under .github/workflows/.
bool ci_is_file (const char *path);

//  Read text (the file at path) into *self (zeroed first). Returns 0, or
//  -1 with errno EINVAL and one line in err naming the cause and, for bad
//  YAML, the line ("line 4, column 3: ..."); *self is then empty. A file
//  that parses but is not a workflow of its system (no jobs) is refused
//  the same way. ENOMEM when memory runs out.
int ci_read (ci_file_t *self, const char *path, const char *text, size_t size,
             char *err, size_t err_size);

//  Free what the struct holds and leave it empty.
void ci_file_release (ci_file_t *self);

//  The axis called key in job's matrix, or NULL. Borrowed.
const ci_axis_t *ci_job_axis (const ci_job_t *job, const char *key);

//  The values a `with:` input stands for: itself, or the values of the
//  matrix axis it names ("${{ matrix.node }}"). Fills up to max texts
//  (their strings borrowed) and returns how many; 0 for an empty value
//  or an expression it cannot follow.
size_t ci_input_values (const ci_job_t *job, const ci_input_t *input, ci_text_t *out,
                        size_t max);

#endif
