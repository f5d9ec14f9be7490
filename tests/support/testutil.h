/*  tests/support/testutil.h - what the tests share: temporary folders,
    files, running our binaries with a time bound and capturing output,
    invented projects through `generate --inline`, reading the workflow
    back, and linting it with actionlint.  */
#ifndef TESTUTIL_H_INCLUDED
#define TESTUTIL_H_INCLUDED

#include "common/knowledge.h"
#include "common/ytree.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

//  A new temporary folder (mode 0700) the caller removes with tu_rmtree.
char *tu_tmpdir (void);
//  rm -rf path (no shell).
void tu_rmtree (const char *path);
//  Write text to dir/name, making parent folders. Aborts the test on error.
void tu_write (const char *dir, const char *name, const char *text);
//  The whole file as a malloc'd string, or NULL.
char *tu_read (const char *path, size_t *size_p);

//  Path of one of our executables in the build tree: tu_bin ("readme2ci").
//  Returns a static-lifetime string from an internal table.
const char *tu_bin (const char *name);
//  Path of a file in the source tree. Caller frees.
char *tu_src (const char *relative);

typedef struct {
    int status;         //  exit code, or 128+signal, or -1 on timeout
    char *out;          //  stdout, NUL-terminated (caller frees)
    size_t out_size;
    char *err;          //  stderr
    size_t err_size;
} tu_result_t;

//  Run argv (argv[0] a path) with extra environment entries ("K=V", NULL
//  ended, may be NULL) and optional stdin text; wait at most timeout_ms,
//  then SIGKILL the child by its pid. Returns 0, or -1 if it could not start.
int tu_run (char *const argv [], char *const env [], const char *input,
            int timeout_ms, tu_result_t *result);
void tu_result_release (tu_result_t *result);

//  Start argv in the background with stdout/stderr to /dev/null (or to
//  log_path when not NULL). It is SIGKILLed when the test's process ends,
//  however the test ends (PR_SET_PDEATHSIG). Returns the pid, or -1.
pid_t tu_spawn (char *const argv [], char *const env [], const char *log_path);
//  Wait for pid to exit within timeout_ms; returns its status as tu_run
//  does, or -1 on timeout (the process is then left alone).
int tu_wait (pid_t pid, int timeout_ms);
//  True while a process with this pid exists (and is not a zombie whose
//  threads have all ended).
bool tu_alive (pid_t pid);

//  Monotonic milliseconds.
long long tu_now_ms (void);

//  A tcp port on 127.0.0.1 that nothing listens on, for a supervisor the
//  test starts to bind. Taken below the kernel's ephemeral range, so no
//  outgoing connection is given it in the meantime, and held by a lock
//  file until the test's process ends, so no other test of a parallel
//  suite (nor this one, called again) is given it too.
int tu_free_port (void);

//  The shipped CI knowledge, loaded on the first call in this process and
//  kept until it ends (Criterion runs each test in a process of its own).
const knowledge_t *tu_kb (void);

//  Lint a workflow's text with actionlint 1.7.7 (findings of kind
//  runner-label left out). Returns the number of findings and puts them,
//  one a line, in *report (caller frees); -1 when the linter cannot run;
//  TU_LINT_SKIPPED when it is not installed and R2CI_REQUIRE_LINT is not
//  set (CI sets it, so there a missing linter fails the tests).
#define TU_LINT_SKIPPED (-2)
int tu_actionlint (const char *yaml, char **report);
//  True when the linter is installed, or when R2CI_REQUIRE_LINT is set
//  (then its absence must fail the caller).
bool tu_actionlint_wanted (void);
//  Fail the test with actionlint's findings when yaml has any (nothing
//  when the linter is skipped, as tu_actionlint says).
void tu_assert_lints_clean (const char *yaml);

//  A new temporary folder holding the files given as name, text pairs
//  (NULL ended; names may hold folders). Caller removes and frees it.
char *tu_project (const char *name, ...);
//  What `readme2ci generate --inline OPTION... dir` prints (options NULL
//  ended); fails the test unless it exits 0 within 30 s. Caller frees.
char *tu_generate (const char *dir, ...);
//  yaml as a tree; fails the test when it does not parse. Caller destroys.
ynode_t *tu_parse_yaml (const char *yaml);
//  The one job of a workflow: under jobs on GitHub, the one map with a
//  script on GitLab. Fails the test when there is none or several.
const ynode_t *tu_only_job (const ynode_t *root, bool gitlab);
//  The GitHub step of job whose uses is action at any ref, or NULL.
const ynode_t *tu_step_using (const ynode_t *job, const char *action);

#endif
