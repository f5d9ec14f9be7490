/*  cli/project_load.c - a project folder read into project_t.  */
#include "cli/project_load.h"
#include "workers/check/ciread.h"

#include "common/knowledge_eco.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

//  README names in the order we prefer them.
static const char *const s_readmes [] = {
    "README.md", "README.markdown", "README.mdown", "README.rst", "README.txt",
    "README.adoc", "README", NULL
};

//  Extensions of the markup the parser reads (Markdown, reStructuredText,
//  AsciiDoc): a file given by name with one of these is documentation
//  even when it is not called README (docs/BUILDING.md, INSTALL.rst).
static const char *const s_markup [] = {
    ".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".rst", ".rest", ".adoc",
    ".asciidoc", ".asc", NULL
};

bool
project_is_readme_name (const char *path)
{
    const char *name = strrchr (path, '/');
    name = name? name + 1: path;
    if (strncasecmp (name, "readme", 6) == 0)
        return true;
    const char *dot = strrchr (name, '.');
    for (size_t i = 0; dot && dot != name && s_markup [i]; i++)
        if (strcasecmp (dot, s_markup [i]) == 0)
            return true;
    return false;
}

bool
project_is_manifest (const knowledge_t *kb, const char *name)
{
    return knowledge_eco_is_read (kb, name);
}


//  Copies text, keeping its valid UTF-8 and reading every other byte as
//  the Latin-1 character it stands for; cut after the last whole line
//  within max. Returns 0, or -1 with errno ENOMEM.
static int
s_latin1_repair (const char *text, size_t size, size_t max, char **out_p, size_t *out_size_p)
{
    char *out = malloc (2 * size + 1);
    if (!out)
        return errno = ENOMEM, -1;
    const unsigned char *p = (const unsigned char *) text;
    size_t used = 0, i = 0;
    while (i < size) {
        //  The valid sequence starting here (1 to 4 bytes), if any.
        size_t n = 0;
        for (size_t k = 1; k <= 4 && i + k <= size && !n; k++)
            if (project_valid_utf8 (text + i, k))
                n = k;
        if (n) {
            memcpy (out + used, text + i, n);
            used += n;
            i += n;
        }
        else {
            out [used++] = (char) (0xc0 | (p [i] >> 6));
            out [used++] = (char) (0x80 | (p [i] & 0x3f));
            i++;
        }
    }
    if (used > max) {
        used = max;
        while (used > 0 && out [used - 1] != '\n')
            used--;
    }
    out [used] = 0;
    *out_p = out;
    *out_size_p = used;
    return 0;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  Reads folder/name after checking it stays inside the folder. With
//  keep_head, a file over max is read up to max (cut after a whole line)
//  and *cut_p is set; else it is an error.
static int
s_read_inside (const char *root_real, const char *folder, const char *name,
               size_t max, bool keep_head, bool *cut_p,
               char **data_p, size_t *size_p, char *err, size_t err_size)
{
    char path [PATH_MAX];
    if (snprintf (path, sizeof path, "%s/%s", folder, name) >= (int) sizeof path) {
        snprintf (err, err_size, "%s/%s: path too long", folder, name);
        return -1;
    }
    char real [PATH_MAX];
    if (!realpath (path, real)) {
        snprintf (err, err_size, "%s: %s", path, strerror (errno));
        return -1;
    }
    size_t root_len = strlen (root_real);
    if (strncmp (real, root_real, root_len) != 0
    ||  (real [root_len] != '/' && real [root_len] != 0)) {
        snprintf (err, err_size, "%s: a symbolic link that leads outside the project folder", path);
        return -1;
    }
    //  Only plain files: a FIFO or a device would block or never end.
    struct stat st;
    if (stat (real, &st) || !S_ISREG (st.st_mode)) {
        snprintf (err, err_size, "%s: not a regular file", path);
        return -1;
    }
    if (cut_p)
        *cut_p = false;
    if (keep_head? util_read_head (real, max, cut_p, data_p, size_p)
                 : util_read_file (real, max, data_p, size_p)) {
        if (errno == EFBIG)
            snprintf (err, err_size, "%s: larger than the limit of %zu bytes", path, max);
        else
            snprintf (err, err_size, "%s: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}

static const char *
s_basename (const char *path, char *buf, size_t size)
{
    util_copy (buf, size, path);
    size_t len = strlen (buf);
    while (len > 1 && buf [len - 1] == '/')
        buf [--len] = 0;
    const char *slash = strrchr (buf, '/');
    return slash? slash + 1: buf;
}

//  True when the entry of folder is a folder (or a link to one).
static bool
s_is_dir (const char *folder, const struct dirent *entry)
{
    if (entry->d_type != DT_UNKNOWN && entry->d_type != DT_LNK)
        return entry->d_type == DT_DIR;
    char child [PATH_MAX];
    struct stat st;
    snprintf (child, sizeof child, "%s/%s", folder, entry->d_name);
    return stat (child, &st) == 0 && S_ISDIR (st.st_mode);
}

//  Reads the build file folder/name into the project, counting it in
//  *manifests. Returns 0; 1 when the file cannot be read (err says why:
//  a link out of the project, not a regular file, too large); -1 when the
//  project has too many build files or memory ran out.
static int
s_add_manifest (const knowledge_t *kb, const char *root_real, const char *folder,
                const char *name, project_t *project, size_t *manifests, char *err,
                size_t err_size)
{
    if (++*manifests > PROJECT_MAX_MANIFESTS) {
        snprintf (err, err_size, "%s: more than %d build files", folder,
                  PROJECT_MAX_MANIFESTS);
        return -1;
    }
    char *data;
    size_t size;
    if (s_read_inside (root_real, folder, name, PROJECT_MAX_MANIFEST, false, NULL,
                       &data, &size, err, err_size)) {
        if (!knowledge_eco_is_read_lockfile (kb, name))
            return 1;
        //  too large or unreadable: the name, listed already, is enough
        --*manifests;
        *err = 0;
        return 0;
    }
    int added = project_add_manifest (project, name, data, size);
    free (data);
    if (added) {
        snprintf (err, err_size, "%s/%s: out of memory", folder, name);
        return -1;
    }
    return 0;
}

//  Folders one level down that hold a part of the project (web/, api/,
//  backend/) are read too; these never do, or hold what is not built
//  and tested as part of it. test/ and tests/ are read: the build files
//  there may be how the project's tests are built and run (the detector
//  treats them as the tests of the top-level build, not as a part).
static bool
s_skipped_folder (const char *name)
{
    static const char *const skipped [] = { "node_modules", "vendor", "target", "build",
        "_build", "dist", "out", "venv", "env", "deps", "third_party", "third-party",
        "external", "extern", "examples", "example", "samples", "sample", "demo", "demos",
        "docs", "doc", "testdata", "fixtures", "bench", "benches",
        "benchmarks", "__pycache__", "tmp", NULL };
    if (name [0] == '.' || name [0] == '_')
        return true;
    for (size_t i = 0; skipped [i]; i++)
        if (strcmp (name, skipped [i]) == 0)
            return true;
    return false;
}

#define PROJECT_MAX_SUBFOLDERS 64       //  folders looked into
#define PROJECT_MAX_SUBFOLDER_FILES 256 //  names listed from each

//  Adds sub/NAME for the entries of folder/sub when it holds a build file,
//  and the contents of those build files as sub/NAME. A build file that
//  cannot be read is left out with a warning (the folder is incidental:
//  it does not fail the load). Returns 0, or -1 on ENOMEM or when the
//  project holds too many build files (err says which).
static int
s_load_subfolder (const knowledge_t *kb, const char *root_real, const char *folder,
                  const char *sub, project_t *project, size_t *manifests, char *err,
                  size_t err_size, char *warn, size_t warn_size)
{
    char path [PATH_MAX];
    if (snprintf (path, sizeof path, "%s/%s", folder, sub) >= (int) sizeof path)
        return 0;
    DIR *dir = opendir (path);
    if (!dir)
        return 0;
    char *names [PROJECT_MAX_SUBFOLDER_FILES];
    size_t count = 0;
    bool any_manifest = false;
    struct dirent *entry;
    int rc = 0;
    while ((entry = readdir (dir)) && count < PROJECT_MAX_SUBFOLDER_FILES) {
        if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
            continue;
        if (!project_valid_utf8 (entry->d_name, strlen (entry->d_name)))
            continue;               //  see project_load
        bool is_dir = s_is_dir (path, entry);
        if (asprintf (&names [count], "%s/%s%s", sub, entry->d_name, is_dir? "/": "") < 0) {
            snprintf (err, err_size, "%s: out of memory", path);
            rc = -1;
            break;
        }
        any_manifest = any_manifest || (!is_dir && project_is_manifest (kb, entry->d_name));
        count++;
    }
    closedir (dir);
    if (rc == 0 && any_manifest && project->files_count + count > PROJECT_MAX_FILES) {
        if (!*warn)
            snprintf (warn, warn_size, "%s: left out (the project lists more than %d "
                      "names with it)", path, PROJECT_MAX_FILES);
        any_manifest = false;
    }
    if (rc == 0 && any_manifest) {
        qsort (names, count, sizeof *names, s_compare_names);
        for (size_t i = 0; rc == 0 && i < count; i++)
            if (project_add_file (project, names [i])) {
                snprintf (err, err_size, "%s: out of memory", path);
                rc = -1;
            }
        for (size_t i = 0; rc == 0 && i < count; i++) {
            const char *name = names [i] + strlen (sub) + 1;
            if (strchr (name, '/') || !project_is_manifest (kb, name))
                continue;
            char why [512];
            int added = s_add_manifest (kb, root_real, folder, names [i], project,
                                        manifests, why, sizeof why);
            if (added > 0 && !*warn)
                snprintf (warn, warn_size, "%s; left out", why);
            if (added < 0) {
                snprintf (err, err_size, "%s", why);
                rc = -1;
            }
        }
    }
    for (size_t i = 0; i < count; i++)
        free (names [i]);
    return rc;
}

//  The folder path names (itself, or a README's folder) into folder, and
//  the README it names into readme ("" for a folder). Refuses, by its
//  name, a file that is not a README, and what is neither file nor folder.
static int
s_folder_of (const knowledge_t *kb, const char *path, char *folder, size_t folder_size,
             char *readme, size_t readme_size, char *err, size_t err_size)
{
    readme [0] = 0;
    struct stat st;
    if (stat (path, &st)) {
        snprintf (err, err_size, "%s: %s", path, strerror (errno));
        return -1;
    }
    if (S_ISDIR (st.st_mode)) {
        util_copy (folder, folder_size, path);
        return 0;
    }
    if (!S_ISREG (st.st_mode)) {
        snprintf (err, err_size, "%s: not a file or folder", path);
        return -1;
    }
    util_copy (folder, folder_size, path);
    char *slash = strrchr (folder, '/');
    if (slash) {
        util_copy (readme, readme_size, slash + 1);
        if (slash == folder)
            folder [1] = 0;
        else
            *slash = 0;
    }
    else {
        util_copy (readme, readme_size, folder);
        util_copy (folder, folder_size, ".");
    }
    //  A source file, a build file or a picture taken for a README
    //  would give a workflow made of nothing: refuse it by its name.
    if (!project_is_readme_name (readme)) {
        if (project_is_manifest (kb, readme))
            snprintf (err, err_size, "%s: a build file, not a README; give the "
                      "project folder that holds it", path);
        else
            snprintf (err, err_size, "%s: not a README (one is named README* or is "
                      "Markdown, reStructuredText or AsciiDoc: .md, .rst, .adoc); "
                      "give the project folder or its README", path);
        return -1;
    }
    return 0;
}

//  The top-level names of folder (folders with a trailing '/'), sorted so
//  the same folder always gives the same project (and so the same
//  workflow), into *names_p and *count_p: the caller frees them, also
//  when this fails (-1, err set). A name that is not UTF-8 is left out
//  and said in warn.
static int
s_list_names (DIR *dir, const char *folder, char ***names_p, size_t *count_p,
              char *err, size_t err_size, char *warn, size_t warn_size)
{
    size_t cap = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
            continue;
        //  A workflow is UTF-8 text and cannot name such a file; no build
        //  file or lock file has such a name.
        if (!project_valid_utf8 (entry->d_name, strlen (entry->d_name))) {
            if (!*warn)
                snprintf (warn, warn_size, "%s: a name that is not UTF-8 was left out",
                          folder);
            continue;
        }
        if (*count_p >= PROJECT_MAX_FILES) {
            snprintf (err, err_size, "%s: more than %d entries at the top level",
                      folder, PROJECT_MAX_FILES);
            return -1;
        }
        bool is_dir = s_is_dir (folder, entry);
        if (*count_p == cap) {
            cap = cap? cap * 2: 64;
            char **bigger = realloc (*names_p, cap * sizeof **names_p);
            if (!bigger) {
                snprintf (err, err_size, "%s: out of memory", folder);
                return -1;
            }
            *names_p = bigger;
        }
        size_t len = strlen (entry->d_name);
        char *name = malloc (len + 2);
        if (!name) {
            snprintf (err, err_size, "%s: out of memory", folder);
            return -1;
        }
        memcpy (name, entry->d_name, len + 1);
        if (is_dir)
            memcpy (name + len, "/", 2);
        (*names_p) [(*count_p)++] = name;
    }
    if (*count_p)               //  an empty folder has no list at all
        qsort (*names_p, *count_p, sizeof **names_p, s_compare_names);
    return 0;
}

//  The project's name: its folder's, made UTF-8 text as it labels the
//  workflow. Returns 0, or -1 (ENOMEM).
static int
s_name_project (const char *root_real, project_t *project)
{
    char base_buf [PATH_MAX];
    const char *base = s_basename (root_real, base_buf, sizeof base_buf);
    size_t base_len = strlen (base);
    if (project_valid_utf8 (base, base_len))
        project->name = strdup (base);
    else {
        size_t ignored;
        if (s_latin1_repair (base, base_len, PATH_MAX, &project->name, &ignored))
            project->name = NULL;
    }
    return project->name? 0: -1;
}

//  The README among names, by the names we prefer, else the first named
//  readme*; NULL when there is none.
static const char *
s_find_readme (char *const *names, size_t count)
{
    for (size_t r = 0; s_readmes [r]; r++)
        for (size_t i = 0; i < count; i++)
            if (strcasecmp (names [i], s_readmes [r]) == 0)
                return names [i];
    for (size_t i = 0; i < count; i++)
        if (strncasecmp (names [i], "readme", 6) == 0 && !strchr (names [i], '/'))
            return names [i];
    return NULL;
}

//  Reads the README folder/readme into docs (given: the caller named it;
//  path as the caller wrote it). A README over the limit is cut, one not
//  in UTF-8 read as Latin-1, and either said in warn. Returns 0 or -1.
static int
s_load_readme (const char *root_real, const char *folder, const char *path,
               const char *readme, bool given, project_docs_t *docs,
               char *err, size_t err_size, char *warn, size_t warn_size)
{
    char *data;
    size_t size;
    bool cut;
    if (s_read_inside (root_real, folder, readme, PROJECT_MAX_README, true, &cut,
                       &data, &size, err, err_size))
        return -1;
    //  Text has no NUL byte; a README-named binary is not one.
    if (given && memchr (data, 0, size)) {
        snprintf (err, err_size, "%s: not a README: binary data, not text", path);
        free (data);
        return -1;
    }
    //  Older READMEs are often Latin-1 (or UTF-8 with a stray byte):
    //  reading them beats refusing the whole project.
    bool latin1 = !project_valid_utf8 (data, size);
    if (latin1) {
        char *repaired;
        size_t repaired_size;
        if (s_latin1_repair (data, size, PROJECT_MAX_README, &repaired, &repaired_size)) {
            snprintf (err, err_size, "%s/%s: out of memory", folder, readme);
            free (data);
            return -1;
        }
        free (data);
        data = repaired;
        size = repaired_size;
    }
    if (cut)
        snprintf (warn, warn_size, "%s/%s: larger than the limit of %d bytes; only "
                  "the lines before it were read%s", folder, readme, PROJECT_MAX_README,
                  latin1? " (not UTF-8: the other bytes read as Latin-1)": "");
    else
    if (latin1)
        snprintf (warn, warn_size, "%s/%s: not UTF-8; the bytes outside UTF-8 were "
                  "read as Latin-1", folder, readme);
    //  A README named by the caller may have a name that is not UTF-8.
    char *doc_name = NULL;
    size_t ignored;
    if (!project_valid_utf8 (readme, strlen (readme))
    &&  s_latin1_repair (readme, strlen (readme), PATH_MAX, &doc_name, &ignored)) {
        free (data);
        return -1;
    }
    int added = project_docs_add (docs, doc_name? doc_name: readme, data, size);
    free (doc_name);
    free (data);
    return added? -1: 0;
}

//  The first CONTRIBUTING.md of the usual places, as a second document
//  when it is readable UTF-8 (else left out unsaid).
static void
s_load_contributing (const char *root_real, const char *folder, project_docs_t *docs)
{
    const char *contributing [] = { "CONTRIBUTING.md", ".github/CONTRIBUTING.md",
                                    "docs/CONTRIBUTING.md", NULL };
    for (size_t c = 0; contributing [c]; c++) {
        char probe [PATH_MAX];
        snprintf (probe, sizeof probe, "%s/%s", folder, contributing [c]);
        struct stat cst;
        if (stat (probe, &cst) || !S_ISREG (cst.st_mode))
            continue;
        char *data;
        size_t size;
        char ignored [256];
        if (s_read_inside (root_real, folder, contributing [c], PROJECT_MAX_README,
                           false, NULL, &data, &size, ignored, sizeof ignored) == 0) {
            if (project_valid_utf8 (data, size))
                project_docs_add (docs, contributing [c], data, size);
            free (data);
        }
        break;
    }
}

//  The build files at the top level (one that cannot be read fails the
//  load), then those of the parts one level down (web/, api/).
static int
s_load_manifests (const knowledge_t *kb, const char *root_real, const char *folder,
                  char *const *names, size_t count, project_t *project,
                  char *err, size_t err_size, char *warn, size_t warn_size)
{
    size_t manifests = 0;
    for (size_t i = 0; i < count; i++) {
        if (strchr (names [i], '/') || !project_is_manifest (kb, names [i]))
            continue;
        if (s_add_manifest (kb, root_real, folder, names [i], project, &manifests,
                            err, err_size))
            return -1;
    }
    size_t subfolders = 0;
    for (size_t i = 0; i < count && subfolders < PROJECT_MAX_SUBFOLDERS; i++) {
        size_t len = strlen (names [i]);
        if (len < 2 || names [i][len - 1] != '/')
            continue;
        char sub [NAME_MAX + 1];
        snprintf (sub, sizeof sub, "%.*s", (int) (len - 1), names [i]);
        if (s_skipped_folder (sub))
            continue;
        subfolders++;
        if (s_load_subfolder (kb, root_real, folder, sub, project, &manifests,
                              err, err_size, warn, warn_size))
            return -1;
    }
    return 0;
}

int
project_load_with (const knowledge_t *kb, const char *path, project_docs_t *docs,
                   project_t *project, char *err, size_t err_size,
                   char *warn, size_t warn_size)
{
    memset (docs, 0, sizeof *docs);
    memset (project, 0, sizeof *project);
    warn [0] = 0;
    char folder [PATH_MAX];
    char given [NAME_MAX + 1];
    if (s_folder_of (kb, path, folder, sizeof folder, given, sizeof given, err, err_size))
        return -1;
    char root_real [PATH_MAX];
    if (!realpath (folder, root_real)) {
        snprintf (err, err_size, "%s: %s", folder, strerror (errno));
        return -1;
    }
    DIR *dir = opendir (folder);
    if (!dir) {
        snprintf (err, err_size, "%s: %s", folder, strerror (errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0;
    int rc = -1;
    if (s_list_names (dir, folder, &names, &count, err, err_size, warn, warn_size)
        || s_name_project (root_real, project))
        goto out_names;
    const char *readme = *given? given: s_find_readme (names, count);
    for (size_t i = 0; i < count; i++) {
        if (project_add_file (project, names [i])) {
            snprintf (err, err_size, "%s: out of memory", folder);
            goto out_names;
        }
    }
    if (!readme)
        snprintf (warn, warn_size, "%s: no README found; using the build files alone", path);
    else
    if (s_load_readme (root_real, folder, path, readme, readme == given, docs,
                       err, err_size, warn, warn_size))
        goto out_names;
    s_load_contributing (root_real, folder, docs);
    if (s_load_manifests (kb, root_real, folder, names, count, project,
                          err, err_size, warn, warn_size))
        goto out_names;
    //  Neither a README nor a build file: nothing says this is a project
    //  (an empty folder, a folder of notes or pictures, the wrong path).
    if (!readme && project->manifests_count == 0) {
        snprintf (err, err_size, "%s: not a project folder: no README and no build file "
                  "(package.json, pyproject.toml, CMakeLists.txt, Makefile...) in it",
                  path);
        goto out_names;
    }
    rc = 0;
out_names:
    for (size_t i = 0; i < count; i++)
        free (names [i]);
    free (names);
    closedir (dir);
    if (rc) {
        project_docs_release (docs);
        project_release (project);
    }
    return rc;
}

int
project_load (const char *path, project_docs_t *docs, project_t *project,
              char *err, size_t err_size, char *warn, size_t warn_size)
{
    knowledge_t *kb = knowledge_new (err, err_size);
    if (!kb) {
        memset (docs, 0, sizeof *docs);
        memset (project, 0, sizeof *project);
        warn [0] = 0;
        return -1;
    }
    int rc = project_load_with (kb, path, docs, project, err, err_size, warn, warn_size);
    knowledge_destroy (&kb);
    return rc;
}

//  --------------------------------------------------------------------
//  The CI files `check` reads

int
project_load_ci (const char *path, project_t *project, char *warn, size_t warn_size)
{
    if (warn_size)
        warn [0] = 0;
    struct stat st;
    char folder [PATH_MAX];
    util_copy (folder, sizeof folder, path);
    if (stat (path, &st) == 0 && !S_ISDIR (st.st_mode)) {
        char *slash = strrchr (folder, '/');
        if (slash == folder)
            folder [1] = 0;
        else
        if (slash)
            *slash = 0;
        else
            util_copy (folder, sizeof folder, ".");
    }
    char root_real [PATH_MAX];
    if (!realpath (folder, root_real))
        return 0;               //  project_load has said why already
    char workflows [PATH_MAX];
    snprintf (workflows, sizeof workflows, "%s/.github/workflows", folder);
    DIR *dir = opendir (workflows);
    if (!dir)
        return 0;               //  no GitHub workflows: nothing to add
    char **names = NULL;
    size_t count = 0;
    int rc = 0;
    struct dirent *entry;
    while ((entry = readdir (dir)) && rc == 0) {
        char name [PATH_MAX];
        snprintf (name, sizeof name, ".github/workflows/%s", entry->d_name);
        if (!ci_is_file (name))
            continue;
        if (count >= PROJECT_MAX_WORKFLOWS) {
            snprintf (warn, warn_size, "%s: more than %d workflows; the rest are not "
                      "checked", workflows, PROJECT_MAX_WORKFLOWS);
            break;
        }
        char **grown = realloc (names, (count + 1) * sizeof *names);
        if (!grown || !(grown [count] = strdup (name))) {
            if (grown)
                names = grown;
            rc = -1;
            break;
        }
        names = grown;
        count++;
    }
    closedir (dir);
    if (count)
        qsort (names, count, sizeof *names, s_compare_names);
    for (size_t i = 0; i < count && rc == 0; i++) {
        //  already there when the project has no top-level build file of
        //  that name (a workflow is never one)
        if (project_manifest (project, names [i]))
            continue;
        char *data;
        size_t size;
        char err [PATH_MAX + 128];
        if (s_read_inside (root_real, folder, names [i], PROJECT_MAX_MANIFEST, false, NULL,
                           &data, &size, err, sizeof err)) {
            //  one workflow that cannot be read is said; the rest are checked
            if (!warn [0])
                snprintf (warn, warn_size, "%s (not checked)", err);
            continue;
        }
        if (!project_valid_utf8 (data, size)) {
            if (!warn [0])
                snprintf (warn, warn_size, "%s/%s: not UTF-8 (not checked)", folder,
                          names [i]);
        }
        else
        if (project_add_manifest (project, names [i], data, size))
            rc = -1;
        free (data);
    }
    for (size_t i = 0; i < count; i++)
        free (names [i]);
    free (names);
    if (rc)
        errno = ENOMEM;
    return rc;
}
