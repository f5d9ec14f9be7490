/*  proto/project.c - msgpack codecs for a project's documents and its top
    level, plus the small list helpers the client uses to build them.

    docs frame:    {"docs": [{"n": str name, "d": bin contents}, ...]}
    project frame: {"name": str, "files": [str, ...],
                    "mf": [{"n": str name, "d": bin contents}, ...]}  */
#include "proto/project.h"
#include "proto/schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

//  Bounds a decoder enforces: far above any real project, low enough that
//  a hostile frame cannot make us allocate without limit.
#define S_MAX_DOCS       64
#define S_MAX_FILES      10000
#define S_MAX_MANIFESTS  256
#define S_MAX_NAME       4096
#define S_MAX_DATA       (16u * 1024 * 1024)

//  Appends a copy of name/data to an array of files.
static int
s_files_add (project_file_t **files_p, size_t *count_p, const char *name,
             const char *data, size_t size)
{
    if (!name || (!data && size))
        return errno = EINVAL, -1;
    project_file_t *files = realloc (*files_p, (*count_p + 1) * sizeof *files);
    if (!files)
        return errno = ENOMEM, -1;
    *files_p = files;
    project_file_t *file = &files [*count_p];
    file->name = strdup (name);
    file->data = malloc (size + 1);
    if (!file->name || !file->data) {
        free (file->name);
        free (file->data);
        return errno = ENOMEM, -1;
    }
    if (size)
        memcpy (file->data, data, size);
    file->data [size] = 0;
    file->size = size;
    (*count_p)++;
    return 0;
}

//  A file: a name (a non-empty str) and its contents (bin, any bytes).
static const schema_field_t s_file [] = {
    SCHEMA_STRDUP ("n", project_file_t, name, 1, S_MAX_NAME, 0),
    SCHEMA_BIN ("d", project_file_t, data, size, S_MAX_DATA),
    SCHEMA_END
};

static const schema_field_t s_docs [] = {
    SCHEMA_LIST ("docs", project_docs_t, docs, docs_count, S_MAX_DOCS,
                 project_file_t, s_file),
    SCHEMA_END
};

//  The name may be empty (a project read from a bare README); the names
//  of the entries may not.
static const schema_field_t s_project [] = {
    SCHEMA_STRDUP ("name", project_t, name, 0, S_MAX_NAME, 0),
    SCHEMA_STRLIST ("files", project_t, files, files_count, S_MAX_FILES, 1,
                    S_MAX_NAME, 0),
    SCHEMA_LIST ("mf", project_t, manifests, manifests_count, S_MAX_MANIFESTS,
                 project_file_t, s_file),
    SCHEMA_END
};

int
project_docs_encode (const project_docs_t *self, uint8_t **buf_p, size_t *size_p)
{
    return schema_encode (s_docs, self, buf_p, size_p);
}

int
project_encode (const project_t *self, uint8_t **buf_p, size_t *size_p)
{
    return schema_encode (s_project, self, buf_p, size_p);
}

int
project_docs_decode (project_docs_t *self, const uint8_t *buf, size_t size)
{
    return schema_decode (s_docs, self, sizeof *self, buf, size);
}

int
project_decode (project_t *self, const uint8_t *buf, size_t size)
{
    return schema_decode (s_project, self, sizeof *self, buf, size);
}

void
project_docs_release (project_docs_t *self)
{
    schema_release (s_docs, self, sizeof *self);
}

void
project_release (project_t *self)
{
    schema_release (s_project, self, sizeof *self);
}

int
project_docs_add (project_docs_t *self, const char *name, const char *data, size_t size)
{
    return s_files_add (&self->docs, &self->docs_count, name, data, size);
}

int
project_add_file (project_t *self, const char *name)
{
    if (!name)
        return errno = EINVAL, -1;
    char **files = realloc (self->files, (self->files_count + 1) * sizeof *files);
    if (!files)
        return errno = ENOMEM, -1;
    self->files = files;
    files [self->files_count] = strdup (name);
    if (!files [self->files_count])
        return errno = ENOMEM, -1;
    self->files_count++;
    return 0;
}

int
project_add_manifest (project_t *self, const char *name, const char *data, size_t size)
{
    return s_files_add (&self->manifests, &self->manifests_count, name, data, size);
}

const project_file_t *
project_manifest (const project_t *self, const char *name)
{
    if (!self || !name)
        return NULL;
    for (size_t i = 0; i < self->manifests_count; i++)
        if (self->manifests [i].name && strcmp (self->manifests [i].name, name) == 0)
            return &self->manifests [i];
    return NULL;
}

bool
project_has_file (const project_t *self, const char *name)
{
    if (!self || !name)
        return false;
    for (size_t i = 0; i < self->files_count; i++)
        if (self->files [i] && strcmp (self->files [i], name) == 0)
            return true;
    return false;
}

bool
project_valid_utf8 (const char *data, size_t size)
{
    const unsigned char *p = (const unsigned char *) data;
    size_t i = 0;
    while (i < size) {
        unsigned char c = p [i];
        size_t n;
        unsigned min;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        else
        if ((c & 0xe0) == 0xc0) { n = 1; min = 0x80; cp = c & 0x1f; }
        else
        if ((c & 0xf0) == 0xe0) { n = 2; min = 0x800; cp = c & 0x0f; }
        else
        if ((c & 0xf8) == 0xf0) { n = 3; min = 0x10000; cp = c & 0x07; }
        else
            return false;
        if (size - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p [i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p [i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}
