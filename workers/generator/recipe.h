/*  workers/generator/recipe.h - what the CI knowledge says about setting
    up one report job: its setup entry and tool overrides, the versions of
    each runtime (report, msrv, defaults), its folder and display name.
    Shared by the GitHub and GitLab writers so both make the same choices.  */
#ifndef RECIPE_H_INCLUDED
#define RECIPE_H_INCLUDED

#include "common/knowledge.h"
#include "proto/report.h"

#include <stdbool.h>
#include <stddef.h>

//  The versions of one runtime the job runs on; several make a matrix.
//  Strings are borrowed from the report or the knowledge.
typedef struct {
    const char *runtime;        //  "node", "otp"
    const char *input;          //  the setup action's input: "node-version"
    const char **values;
    const char **sources;       //  where each came from; "" for defaults
    size_t count;
    bool from_default;          //  the knowledge's default, not the report's
    bool together;              //  installed side by side in one job
                                //  (entry versions-together), not a matrix
} recipe_axis_t;

//  One job's recipe. Zero value is empty; release with recipe_release.
typedef struct {
    const ynode_t *entry;       //  setup entry, NULL when none (borrowed)
    const char *entry_name;     //  its key in setup, or NULL
    const ynode_t *tool;        //  entry.tools[job tool], or NULL
    char *dir;                  //  job folder, "" for the root ("./a/" -> "a")
    char *name;                 //  display name: "Python", "Node.js (web)"
    recipe_axis_t *axes;        //  one per runtime of entry.versions
    size_t axes_count;
    const char *version_file;   //  the "version-file" setting when it is used
    const char *version_file_source;
    bool paired;                //  the varying axes pair value by value
                                //  (entry pair-versions), not every combination
} recipe_t;

//  Work out job's recipe from kb into *self (zeroed first). Returns 0, or
//  -1 with errno ENOMEM (*self is then empty).
int recipe_build (recipe_t *self, const knowledge_t *kb, const report_job_t *job);

void recipe_release (recipe_t *self);

//  The value of the job's setting key (the first one), or NULL. Borrowed.
const char *recipe_setting (const report_job_t *job, const char *key);

//  Fill a knowledge template: "{dir}" is the job's folder,
//  "{setting:KEY}" a setting's value and "{words:KEY}" a list setting's
//  items ("a, b") as words ("a b"). Returns 0 with a malloc'd text in
//  *text_p, or with *text_p NULL when the template needs a folder or a
//  setting the job has not (the input is then left out); -1 on ENOMEM.
int recipe_expand (const recipe_t *self, const report_job_t *job,
                   const char *tmpl, char **text_p);

//  A key of the entry, looked up in the tool's overrides first. Borrowed.
const ynode_t *recipe_get (const recipe_t *self, const char *key);

//  The axis whose values vary (count > 1) and are not installed together,
//  i.e. that makes a matrix.
bool recipe_axis_varies (const recipe_axis_t *axis);

//  True when any axis varies.
bool recipe_has_matrix (const recipe_t *self);

//  A knowledge template about service filled in: "{host}" is where the
//  steps reach it: its alias (recipe_job_id of its name) when by_alias,
//  as on GitLab, else the loopback address its ports are published on
//  (127.0.0.1, not "localhost", which MySQL clients take for a Unix
//  socket); "{port}" the container side of its first port mapping by
//  alias, else the host side; "{user}", "{password}", "{db}" its
//  credentials (knowledge services.NAME.credentials: the first variable
//  of its env that names each, else a default), percent-encoded inside
//  a URL; "{userinfo}" "user:password@" when it has a user, and
//  "{ifuser}" then credentials.if-user. Other text is kept. Returns a malloc'd string, or NULL with ENOMEM.
char *recipe_service_text (const knowledge_t *kb, const report_service_t *service,
                           const char *tmpl, bool by_alias);

//  What the job's steps are told of its services, from the knowledge's
//  services.NAME.client-env (DATABASE_URL, REDIS_URL...), each template
//  filled in by recipe_service_text. The first service to name a
//  variable wins. Calls fn for each (name, value) in order; value is
//  malloc'd and fn owns it. Returns 0, or -1 with ENOMEM.
typedef void (recipe_env_fn) (void *arg, const char *name, char *value);
int recipe_client_env (const knowledge_t *kb, const report_job_t *job, bool by_alias,
                       recipe_env_fn *fn, void *arg);

//  A malloc'd job id made from raw that matches [A-Za-z_][A-Za-z0-9_-]*,
//  differs (ignoring case) from the taken ids and from the NULL-ended
//  reserved words; NULL on ENOMEM.
char *recipe_job_id (const char *raw, char *const *taken, size_t taken_count,
                     const char *const *reserved);

//  True when the command run calls a PowerShell script (build.ps1): its
//  first word ends in .ps1, in any case. The runners' pwsh runs one on
//  every OS, while bash cannot.
bool recipe_powershell (const char *run);

#endif
