/*  cli/project_load.h - reads a project from disk the way the CLI
    sends it: the README (and CONTRIBUTING) as documents, the top-level
    names, and the contents of the build files the detector reads. Checks
    the limits and paths a client must not get past.  */
#ifndef PROJECT_LOAD_H_INCLUDED
#define PROJECT_LOAD_H_INCLUDED

#include "common/knowledge.h"
#include "proto/project.h"

#include <stddef.h>

#define PROJECT_MAX_README    (1024 * 1024)     //  bytes
#define PROJECT_MAX_MANIFEST  (1024 * 1024)
#define PROJECT_MAX_MANIFESTS 128
#define PROJECT_MAX_FILES     10000
#define PROJECT_MAX_WORKFLOWS 64

//  Load path (a README file or a project folder) into *docs and *project
//  (zeroed first). The build files whose contents are sent are those the
//  knowledge kb says are read (knowledge_eco_is_read: its reads, each
//  ecosystem's). Returns 0, or -1 with a one-line message naming the
//  path and the cause in err ("examples/x: not a file or folder").
//  Warnings that do not stop the load (no README found) go in warn, ""
//  when none.
int project_load_with (const knowledge_t *kb, const char *path, project_docs_t *docs,
                       project_t *project, char *err, size_t err_size,
                       char *warn, size_t warn_size);

//  project_load_with the shipped knowledge, read for this call: for one
//  project; to load several, read the knowledge once (knowledge_new).
int project_load (const char *path, project_docs_t *docs, project_t *project,
                  char *err, size_t err_size, char *warn, size_t warn_size);

//  For `check`: add the GitHub workflows of the project at path
//  (.github/workflows/*.yml and *.yaml, sorted by name, each up to
//  PROJECT_MAX_MANIFEST) to project's manifests, named by their path.
//  .gitlab-ci.yml is a manifest already. A workflow that cannot be read
//  (a link outside the folder, not UTF-8, too large) is left out and said
//  in warn ("" when none). Returns 0, or -1 (ENOMEM).
int project_load_ci (const char *path, project_t *project, char *warn, size_t warn_size);

//  True when the file at path may be given as a README: its name starts
//  with "readme" (any case), or it has the extension of a markup the
//  parser reads (.md, .markdown, .rst, .adoc...). project_load refuses
//  any other file (exit 1), and a folder with neither a README nor a
//  build file.
bool project_is_readme_name (const char *path);

//  True when name is one of the build files whose contents we send, by
//  the knowledge kb.
bool project_is_manifest (const knowledge_t *kb, const char *name);

#endif
