/*  Tests what cli/project_load sends of a folder: the README as a
    document, every top-level name, the contents of build files and of
    committed example environments (never of .env itself), and the parts
    one level down that have build files of their own.  */
#include "cli/project_load.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const project_file_t *
s_manifest (const project_t *project, const char *name)
{
    for (size_t i = 0; i < project->manifests_count; i++)
        if (strcmp (project->manifests [i].name, name) == 0)
            return &project->manifests [i];
    return NULL;
}

static bool
s_listed (const project_t *project, const char *name)
{
    for (size_t i = 0; i < project->files_count; i++)
        if (strcmp (project->files [i], name) == 0)
            return true;
    return false;
}

Test (project_load, example_environments_are_sent_and_dot_env_is_not)
{
    char *dir = tu_tmpdir ();
    tu_write (dir, "README.md", "# ledger\n");
    tu_write (dir, "composer.json", "{\"require\": {\"php\": \"^8.2\"}}\n");
    tu_write (dir, ".env", "DB_PASSWORD=hunter2-real-secret\n");
    tu_write (dir, ".env.example", "DB_CONNECTION=mysql\n");
    tu_write (dir, ".env.testing", "DB_CONNECTION=pgsql\n");
    project_docs_t docs;
    project_t project;
    char err [256] = "", warn [256] = "";
    cr_assert_eq (project_load (dir, &docs, &project, err, sizeof err, warn, sizeof warn),
                  0, "%s", err);
    cr_assert_not_null (s_manifest (&project, "composer.json"));
    const project_file_t *example = s_manifest (&project, ".env.example");
    cr_assert_not_null (example);
    cr_assert_eq (example->size, strlen ("DB_CONNECTION=mysql\n"));
    cr_assert_not_null (s_manifest (&project, ".env.testing"));
    //  .env is a name the detector may see, never contents it gets
    cr_assert (s_listed (&project, ".env"));
    cr_assert_null (s_manifest (&project, ".env"));
    for (size_t i = 0; i < project.manifests_count; i++)
        cr_assert_null (memmem (project.manifests [i].data, project.manifests [i].size,
                                "hunter2", 7), "%s", project.manifests [i].name);
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    cr_assert_not (project_is_manifest (kb, ".env"));
    cr_assert (project_is_manifest (kb, ".env.sample"));
    knowledge_destroy (&kb);
    project_docs_release (&docs);
    project_release (&project);
    tu_rmtree (dir);
    free (dir);
}

Test (project_load, build_files_one_level_down_are_sent_with_their_folder)
{
    char *dir = tu_tmpdir ();
    tu_write (dir, "README.md", "# shop\n");
    tu_write (dir, "Cargo.toml", "[package]\nname = \"shop\"\n");
    char sub [1024];
    snprintf (sub, sizeof sub, "%s/web", dir);
    cr_assert_eq (mkdir (sub, 0700), 0);
    tu_write (sub, "package.json", "{\"name\": \"web\"}\n");
    tu_write (sub, "package-lock.json", "{}\n");
    tu_write (sub, "index.js", "\n");
    snprintf (sub, sizeof sub, "%s/web/src", dir);
    cr_assert_eq (mkdir (sub, 0700), 0);
    tu_write (sub, "package.json", "{\"name\": \"deeper\"}\n");
    //  folders that are never parts, and a folder without build files
    snprintf (sub, sizeof sub, "%s/node_modules", dir);
    cr_assert_eq (mkdir (sub, 0700), 0);
    tu_write (sub, "package.json", "{}\n");
    snprintf (sub, sizeof sub, "%s/examples", dir);
    cr_assert_eq (mkdir (sub, 0700), 0);
    tu_write (sub, "package.json", "{}\n");
    snprintf (sub, sizeof sub, "%s/assets", dir);
    cr_assert_eq (mkdir (sub, 0700), 0);
    tu_write (sub, "logo.svg", "<svg/>\n");
    //  a build file that cannot be read is left out, with a warning
    snprintf (sub, sizeof sub, "%s/api", dir);
    cr_assert_eq (mkdir (sub, 0700), 0);
    tu_write (sub, "Makefile", "test:\n\tgo test ./...\n");
    char fifo [1100];
    snprintf (fifo, sizeof fifo, "%s/api/go.mod", dir);
    cr_assert_eq (mkfifo (fifo, 0600), 0);
    project_docs_t docs;
    project_t project;
    char err [256] = "", warn [512] = "";
    cr_assert_eq (project_load (dir, &docs, &project, err, sizeof err, warn, sizeof warn),
                  0, "%s", err);
    cr_assert_not_null (s_manifest (&project, "Cargo.toml"));
    cr_assert_not_null (s_manifest (&project, "web/package.json"));
    cr_assert_not_null (s_manifest (&project, "api/Makefile"));
    cr_assert (s_listed (&project, "web/index.js"));
    cr_assert (s_listed (&project, "web/src/"));
    cr_assert_null (s_manifest (&project, "web/src/package.json"));
    cr_assert_null (s_manifest (&project, "node_modules/package.json"));
    cr_assert_null (s_manifest (&project, "examples/package.json"));
    cr_assert_not (s_listed (&project, "assets/logo.svg"));
    cr_assert_null (s_manifest (&project, "api/go.mod"));
    cr_assert (s_listed (&project, "api/go.mod"));
    cr_assert (strstr (warn, "api/go.mod"), "%s", warn);
    project_docs_release (&docs);
    project_release (&project);
    tu_rmtree (dir);
    free (dir);
}

//  Lock files record what each installed package needs (its engines):
//  sent when under the manifest limit; a larger one is only listed, and
//  the project still loads.
Test (project_load, lockfiles_are_sent_when_they_fit_and_listed_when_not)
{
    char *dir = tu_tmpdir ();
    tu_write (dir, "README.md", "# gauge\n");
    tu_write (dir, "package.json", "{\"name\": \"gauge\"}\n");
    tu_write (dir, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    size_t big = PROJECT_MAX_MANIFEST + 16;
    char *text = malloc (big + 1);
    cr_assert_not_null (text);
    memset (text, ' ', big);
    text [0] = '{';
    text [big - 2] = '}';
    text [big - 1] = '\n';
    text [big] = 0;
    tu_write (dir, "package-lock.json", text);
    free (text);
    project_docs_t docs;
    project_t project;
    char err [256] = "", warn [256] = "";
    cr_assert_eq (project_load (dir, &docs, &project, err, sizeof err, warn, sizeof warn),
                  0, "%s", err);
    cr_assert_not_null (s_manifest (&project, "pnpm-lock.yaml"));
    cr_assert_null (s_manifest (&project, "package-lock.json"));
    cr_assert (s_listed (&project, "package-lock.json"));
    cr_assert_not_null (s_manifest (&project, "package.json"));
    project_docs_release (&docs);
    project_release (&project);
    tu_rmtree (dir);
    free (dir);
}

//  Which files are sent is the knowledge's (its reads, each ecosystem's
//  reads and read lockfiles, data/ecosystems/NAME.yml): a rules overlay
//  changes it like any other entry.
Test (project_load, the_files_sent_are_the_knowledges_reads_and_an_overlay_changes_them)
{
    char *dir = tu_tmpdir ();
    tu_write (dir, "README.md", "# rocks\n");
    tu_write (dir, "rocks-1.0-1.rockspec", "package = \"rocks\"\n");
    tu_write (dir, ".luacheckrc", "std = \"max\"\n");
    char err [256] = "", warn [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    cr_assert (project_is_manifest (kb, "rocks-1.0-1.rockspec"));
    cr_assert (project_is_manifest (kb, "npm-shrinkwrap.json"));
    cr_assert (project_is_manifest (kb, "Makefile"));
    cr_assert_not (project_is_manifest (kb, ".luacheckrc"));
    cr_assert_not (project_is_manifest (kb, "yarn.lock"));
    project_docs_t docs;
    project_t project;
    cr_assert_eq (project_load_with (kb, dir, &docs, &project, err, sizeof err, warn,
                                     sizeof warn), 0, "%s", err);
    cr_assert_not_null (s_manifest (&project, "rocks-1.0-1.rockspec"));
    cr_assert_null (s_manifest (&project, ".luacheckrc"));
    cr_assert (s_listed (&project, ".luacheckrc"));
    project_docs_release (&docs);
    project_release (&project);
    const char *overlay = "ecosystems: {lua: {reads: [\"*.rockspec\", .luacheckrc]}}\n";
    cr_assert_eq (knowledge_overlay (kb, "mine.yml", overlay, strlen (overlay), err,
                                     sizeof err), 0, "%s", err);
    cr_assert (project_is_manifest (kb, ".luacheckrc"));
    cr_assert_eq (project_load_with (kb, dir, &docs, &project, err, sizeof err, warn,
                                     sizeof warn), 0, "%s", err);
    const project_file_t *conf = s_manifest (&project, ".luacheckrc");
    cr_assert_not_null (conf);
    cr_assert_eq (conf->size, strlen ("std = \"max\"\n"));
    cr_assert_not_null (s_manifest (&project, "rocks-1.0-1.rockspec"));
    project_docs_release (&docs);
    project_release (&project);
    knowledge_destroy (&kb);
    tu_rmtree (dir);
    free (dir);
}
