/*  workers/generator/stepname.h - unique, meaningful names for a job's
    steps: the kind's name (Configure, Build, Lint, Test...) and, where
    several steps would share one, what each runs ("Test (test:types)").
    The rules and words are data (workflow.step-names and the lists beside
    it in data/knowledge.yml); GitHub and GitLab both use them.  */
#ifndef STEPNAME_H_INCLUDED
#define STEPNAME_H_INCLUDED

#include "common/knowledge.h"
#include "proto/report.h"
#include "workers/generator/strpool.h"

#include <stddef.h>

//  Names for the steps of job into names (job->steps_count entries, each
//  malloc'd; NULL for a step with no command, which is not written). The
//  names differ from each other and from the taken_count names in taken
//  (the job's other steps: Check out, Set up Node.js...), compared
//  without case. Returns 0, or -1 with ENOMEM (names then all NULL).
int stepname_job (const knowledge_t *kb, const report_job_t *job,
                  const char *const *taken, size_t taken_count, char **names);

//  stepname_job for a writer: the names kept in pool, in an array of
//  job->steps_count the caller frees (the names are the pool's); a step
//  is NULL when it is not written or its name could not be kept (pool
//  then says failed). NULL with ENOMEM.
char **stepname_job_kept (const knowledge_t *kb, const report_job_t *job,
                          const char *const *taken, size_t taken_count,
                          strpool_t *pool);

//  What a command runs, for a name: the script or target a runner runs
//  ("npm run test:types" -> "test:types", "make -C build check" ->
//  "check"), else the program and its subcommand ("cargo clippy",
//  "pip install tox"). Looks at the command's last part (after && or ;).
//  A malloc'd string, "" when nothing is found; NULL with ENOMEM.
char *stepname_subject (const knowledge_t *kb, const char *run);

//  The kind's name for a step: its own name when the report gives one,
//  else workflow.step-names of its kind, "configure" for a build step
//  whose command configures. Borrowed from the report or the knowledge.
const char *stepname_base (const knowledge_t *kb, const report_step_t *step);

//  When no job of report runs tests, the message of the test step that
//  stands in for them in job (NULL for a workflow with no job): what was
//  read (the detector's "no-tests" note) and what to add, by ecosystem
//  (workflow.no-tests.add). One line of plain text, malloc'd; NULL with
//  ENOMEM. The writers quote it for their shell.
char *stepname_no_tests_message (const knowledge_t *kb, const report_t *report,
                                 const report_job_t *job);

//  The title of that step's error (workflow.no-tests.title).
const char *stepname_no_tests_title (const knowledge_t *kb);

#endif
