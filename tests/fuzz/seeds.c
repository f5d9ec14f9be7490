/*  tests/fuzz/seeds.c - writes the fuzz targets' seed corpora from our own
    fixtures and examples, encoded with our own encoders:
    build-fuzz/bin/fuzz-seeds SOURCE_DIR OUT_DIR (OUT_DIR/<target>/<seed>).  */
#include "common/config.h"
#include "common/event.h"
#include "common/journal.h"
#include "proto/project.h"
#include "proto/readme_doc.h"
#include "proto/report.h"
#include "tests/fuzz/manifest_names.h"
#include "workers/detector/detector.h"
#include "workers/parser/parser.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  The seed generator is a tool run by hand: any failure stops it.
static void
s_die (const char *what)
{
    fprintf (stderr, "fuzz-seeds: %s: %s\n", what, strerror (errno));
    exit (1);
}

static void
s_write (const char *out, const char *target, const char *name,
         const void *data, size_t size)
{
    char path [1024];
    snprintf (path, sizeof path, "%s/%s", out, target);
    if (mkdir (path, 0755) && errno != EEXIST)
        s_die (path);
    snprintf (path, sizeof path, "%s/%s/%s", out, target, name);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (data, 1, size, file) != size || fclose (file))
        s_die (path);
}

//  The file's bytes, NUL-terminated, or NULL when it cannot be read.
static char *
s_read (const char *path, size_t *size_p)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    char *data = NULL;
    size_t size = 0;
    char chunk [4096];
    size_t got;
    while ((got = fread (chunk, 1, sizeof chunk, file)) > 0) {
        char *grown = realloc (data, size + got + 1);
        if (!grown)
            s_die ("out of memory");
        data = grown;
        memcpy (data + size, chunk, got);
        size += got;
    }
    fclose (file);
    if (!data && !(data = malloc (1)))
        s_die ("out of memory");
    data [size] = 0;
    *size_p = size;
    return data;
}

static bool
s_ends_with (const char *name, const char *suffix)
{
    size_t length = strlen (name), tail = strlen (suffix);
    return length >= tail && strcmp (name + length - tail, suffix) == 0;
}

//  Index of name in the detector's table: the exact name, or else the
//  "app.EXT" entry for a name ending in .EXT; -1 when neither.
static int
s_manifest_index (const char *name)
{
    for (size_t i = 0; i < FUZZ_MANIFEST_NAMES; i++)
        if (strcmp (fuzz_manifest_names [i], name) == 0)
            return (int) i;
    const char *dot = strrchr (name, '.');
    for (size_t i = 0; dot && i < FUZZ_MANIFEST_NAMES; i++)
        if (strncmp (fuzz_manifest_names [i], "app", 3) == 0
        &&  strcmp (fuzz_manifest_names [i] + 3, dot) == 0)
            return (int) i;
    return -1;
}

static void
s_write_report (const char *out, const char *name, const report_t *report)
{
    uint8_t *buf;
    size_t size;
    if (report_encode (report, &buf, &size))
        s_die ("report_encode");
    s_write (out, "report", name, buf, size);
    s_write (out, "generator", name, buf, size);
    free (buf);
}

//  One detector fixture folder: the project frame, each manifest for the
//  detector and for the readers of its syntax, the report it yields.
static void
s_fixture (const knowledge_t *kb, const char *src, const char *out,
           const char *fixture)
{
    char dir [1024];
    snprintf (dir, sizeof dir, "%s/tests/fixtures/detector/%s", src, fixture);
    DIR *listing = opendir (dir);
    if (!listing)
        s_die (dir);
    project_t project = { 0 };
    if (!(project.name = strdup (fixture)))
        s_die ("out of memory");
    struct dirent *entry;
    while ((entry = readdir (listing))) {
        const char *name = entry->d_name;
        if (name [0] == '.' && (!name [1] || strcmp (name, "..") == 0))
            continue;
        char path [2048];
        snprintf (path, sizeof path, "%s/%s", dir, name);
        size_t size;
        char *data = s_read (path, &size);
        if (!data)
            s_die (path);
        char seed [512];
        snprintf (seed, sizeof seed, "%s-%s", fixture, name);
        if (strcmp (name, "_files.txt") == 0) {
            for (char *line = strtok (data, "\n"); line;
                 line = strtok (NULL, "\n"))
                project_add_file (&project, line);
            free (data);
            continue;
        }
        if (project_add_file (&project, name)
        ||  project_add_manifest (&project, name, data, size))
            s_die ("out of memory");
        int index = s_manifest_index (name);
        if (index >= 0) {
            char *framed = malloc (size + 1);
            if (!framed)
                s_die ("out of memory");
            framed [0] = (char) index;
            memcpy (framed + 1, data, size);
            s_write (out, "detector", seed, framed, size + 1);
            free (framed);
        }
        if (s_ends_with (name, ".toml"))
            s_write (out, "toml", seed, data, size);
        if (s_ends_with (name, ".yaml") || s_ends_with (name, ".yml"))
            s_write (out, "ytree", seed, data, size);
        free (data);
    }
    closedir (listing);
    uint8_t *buf;
    size_t size;
    if (project_encode (&project, &buf, &size))
        s_die ("project_encode");
    s_write (out, "project", fixture, buf, size);
    free (buf);
    readme_doc_t doc = { 0 };
    report_t report;
    char err [256];
    if (detector_detect (kb, &project, &doc, false, &report, err, sizeof err)
        == 0) {
        s_write_report (out, fixture, &report);
        report_release (&report);
    }
    project_release (&project);
}

//  READMEs written for the fuzzers, each reaching a part of the parser the
//  fixtures leave out: setext headings, tables, HTML, badges, prompts.
static const struct {
    const char *name;
    const char *text;
} s_readmes [] = {
    { "setext-prompts",
      "Lantern\n=======\n\n[![CI](https://github.com/o/lantern/actions/"
      "workflows/ci.yml/badge.svg)](https://github.com/o/lantern/actions)\n\n"
      "Requires Node.js 20 or later.\n\nTesting\n-------\n\n"
      "```console\n$ npm ci\n$ npm test -- \\\n    --coverage\n```\n" },
    { "indented-html",
      "# Ember\n\n<details><summary>Build</summary>\n\n    pip install -e .\n"
      "    pytest -q\n\n</details>\n\n| task | command |\n| --- | --- |\n"
      "| test | `tox -e py311` |\n\nSupports Python 3.9, 3.10 and 3.11.\n" },
    { "nested-lists",
      "## Setup\n\n1. Install:\n   ```bash\n   sudo apt-get install -y "
      "libssl-dev\n   cargo build --release\n   ```\n2. Run `cargo test`.\n"
      "\n> ```sh\n> make check\n> ```\n" },
    { "heredoc-windows",
      "# Kettle\n\n```sh\ncat > .env <<EOF\nKEY=<your key>\nEOF\n"
      "go test ./...\n```\n\n```powershell\n.\\build.ps1 -Test\n```\n" },
};

static void
s_readme (const knowledge_t *kb, const char *out, const char *name, const char *text, size_t size,
          const char *contributing, size_t contributing_size)
{
    s_write (out, "parser", name, text, size);
    project_docs_t docs = { 0 };
    if (project_docs_add (&docs, "README.md", text, size)
    ||  (contributing && project_docs_add (&docs, "CONTRIBUTING.md",
                                           contributing, contributing_size)))
        s_die ("out of memory");
    uint8_t *buf;
    size_t buf_size;
    if (project_docs_encode (&docs, &buf, &buf_size))
        s_die ("project_docs_encode");
    s_write (out, "parser_step", name, buf, buf_size);
    s_write (out, "project", name, buf, buf_size);
    free (buf);
    readme_doc_t doc;
    char err [256];
    if (parser_parse (kb, &docs, &doc, err, sizeof err))
        s_die (err);
    if (readme_doc_encode (&doc, &buf, &buf_size))
        s_die ("readme_doc_encode");
    s_write (out, "readme_doc", name, buf, buf_size);
    free (buf);
    readme_doc_release (&doc);
    project_docs_release (&docs);
}

static void
s_readmes_all (const knowledge_t *kb, const char *src, const char *out)
{
    char path [1024];
    size_t size, extra_size;
    snprintf (path, sizeof path, "%s/tests/fixtures/parser/README.md", src);
    char *readme = s_read (path, &size);
    snprintf (path, sizeof path, "%s/tests/fixtures/parser/CONTRIBUTING.md",
              src);
    char *contributing = s_read (path, &extra_size);
    if (!readme || !contributing)
        s_die (path);
    s_readme (kb, out, "fixture", readme, size, contributing, extra_size);
    free (readme);
    free (contributing);
    static const char *const examples [] = { "ringbuf", "todo-api" };
    for (size_t i = 0; i < sizeof examples / sizeof examples [0]; i++) {
        snprintf (path, sizeof path, "%s/examples/%s/README.md", src,
                  examples [i]);
        char *text = s_read (path, &size);
        if (!text)
            s_die (path);
        s_readme (kb, out, examples [i], text, size, NULL, 0);
        free (text);
    }
    for (size_t i = 0; i < sizeof s_readmes / sizeof s_readmes [0]; i++)
        s_readme (kb, out, s_readmes [i].name, s_readmes [i].text,
                  strlen (s_readmes [i].text), NULL, 0);
}

//  Config files: ours, and the readers of their syntax.
static void
s_configs (const char *src, const char *out)
{
    static const char *const files [] = {
        "tests/fixtures/config/full.yml",
        "tests/fixtures/config/three_errors.yml", "examples/readme2ci.yml"
    };
    static const char *const names [] = { "full", "three-errors", "example" };
    for (size_t i = 0; i < sizeof files / sizeof files [0]; i++) {
        char path [1024];
        snprintf (path, sizeof path, "%s/%s", src, files [i]);
        size_t size;
        char *text = s_read (path, &size);
        if (!text)
            s_die (path);
        s_write (out, "config", names [i], text, size);
        s_write (out, "ytree", names [i], text, size);
        free (text);
    }
}

//  Rules overlays: a new action ref, a runtime list, a service, a scalar
//  where a map was, and an empty map.
static const struct {
    const char *name;
    const char *text;
} s_overlays [] = {
    { "action-ref", "actions:\n  actions/checkout: v5\n" },
    { "runtimes", "runtimes:\n  node:\n    supported: [\"20\", \"22\"]\n" },
    { "service", "services:\n  valkey:\n    image: valkey/valkey:8\n"
                 "    ports: [\"6379:6379\"]\n    env: []\n"
                 "    health: valkey-cli ping\n" },
    { "scalar-runtimes", "runtimes: none\nrunner: [ubuntu-24.04]\n" },
    { "workflow", "workflow:\n  name: Checks\n  branches: [trunk]\n"
                  "  step-names: {test: Run the tests}\n" },
    { "empty", "{}\n" },
};

static void
s_overlays_all (const char *out)
{
    for (size_t i = 0; i < sizeof s_overlays / sizeof s_overlays [0]; i++) {
        s_write (out, "knowledge", s_overlays [i].name, s_overlays [i].text,
                 strlen (s_overlays [i].text));
        s_write (out, "ytree", s_overlays [i].name, s_overlays [i].text,
                 strlen (s_overlays [i].text));
    }
}

//  A few events of each field kind; returns them filled in.
static void
s_make_event (event_t *event, unsigned n)
{
    static const char *const types [] = {
        "workflow.queued", "worker.ready", "workflow.done", "config.reloaded"
    };
    if (event_set_type (event, types [n % 4])
    ||  event_add_str (event, "id", "wf-0007")
    ||  event_add_int (event, "attempt", (int64_t) n - 1)
    ||  (n % 2 && event_add_bool (event, "degraded", n % 3 == 0))
    ||  (n % 3 == 2 && event_add_bytes (event, "yaml", "on: push\n", 9)))
        s_die ("event");
    event->seq = n + 1;
    event->time = 1767225600000u + n * 1500u;
}

static void
s_events (const char *out)
{
    for (unsigned n = 0; n < 4; n++) {
        event_t event = { 0 };
        s_make_event (&event, n);
        uint8_t *buf;
        size_t size;
        if (event_encode (&event, &buf, &size))
            s_die ("event_encode");
        char name [32];
        snprintf (name, sizeof name, "event-%u", n);
        s_write (out, "event", name, buf, size);
        free (buf);
        event_release (&event);
    }
}

//  A real journal of count events in segments of segment_size bytes,
//  written to a temporary folder, its segments concatenated in order.
static void
s_journal (const char *out, const char *name, unsigned count,
           uint64_t segment_size)
{
    char dir [] = "/tmp/fuzz-seeds-XXXXXX";
    if (!mkdtemp (dir))
        s_die ("mkdtemp");
    const journal_config_t config = {
        .policy = JOURNAL_FSYNC_NEVER, .segment_size = segment_size
    };
    journal_t *journal = journal_open (dir, &config, NULL, NULL);
    if (!journal)
        s_die ("journal_open");
    for (unsigned n = 0; n < count; n++) {
        event_t event = { 0 };
        s_make_event (&event, n);
        if (journal_append (journal, &event, n))
            s_die ("journal_append");
        event_release (&event);
    }
    journal_destroy (&journal);
    char *all = NULL;
    size_t all_size = 0;
    for (unsigned index = 1; ; index++) {
        char path [128];
        snprintf (path, sizeof path, "%s/journal-%010u.log", dir, index);
        size_t size;
        char *data = s_read (path, &size);
        if (!data)
            break;
        char *grown = realloc (all, all_size + size + 1);
        if (!grown)
            s_die ("out of memory");
        all = grown;
        memcpy (all + all_size, data, size);
        all_size += size;
        free (data);
        unlink (path);
    }
    rmdir (dir);
    s_write (out, "journal", name, all, all_size);
    free (all);
}

int
main (int argc, char *argv [])
{
    if (argc != 3) {
        fprintf (stderr, "usage: fuzz-seeds SOURCE_DIR OUT_DIR\n");
        return 2;
    }
    const char *src = argv [1], *out = argv [2];
    if (mkdir (out, 0755) && errno != EEXIST)
        s_die (out);
    char err [256];
    knowledge_t *kb = knowledge_new (err, sizeof err);
    if (!kb)
        s_die (err);
    char dir [1024];
    snprintf (dir, sizeof dir, "%s/tests/fixtures/detector", src);
    DIR *listing = opendir (dir);
    if (!listing)
        s_die (dir);
    struct dirent *entry;
    while ((entry = readdir (listing)))
        if (entry->d_name [0] != '.')
            s_fixture (kb, src, out, entry->d_name);
    closedir (listing);
    s_readmes_all (kb, src, out);
    s_configs (src, out);
    s_overlays_all (out);
    s_events (out);
    s_journal (out, "empty", 0, 0);
    s_journal (out, "one-segment", 3, 0);
    s_journal (out, "three-segments", 7, 160);
    knowledge_destroy (&kb);
    return 0;
}
