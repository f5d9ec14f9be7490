/*  proto/project.c - msgpack codecs for a project's documents and its top
    level, plus the small list helpers the client uses to build them.

    docs frame:    {"docs": [{"n": str name, "d": bin contents}, ...]}
    project frame: {"name": str, "files": [str, ...],
                    "mf": [{"n": str name, "d": bin contents}, ...]}  */
#include "proto/project.h"
#include "proto/mp.h"

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

static void
s_file_release (project_file_t *file)
{
    free (file->name);
    free (file->data);
    memset (file, 0, sizeof *file);
}

static void
s_files_free (project_file_t **files_p, size_t count)
{
    for (size_t i = 0; i < count; i++)
        s_file_release (&(*files_p) [i]);
    free (*files_p);
    *files_p = NULL;
}

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

static void
s_put_files (mp_writer_t *w, const project_file_t *files, size_t count)
{
    mp_put_array (w, (uint32_t) count);
    for (size_t i = 0; i < count; i++) {
        mp_put_map (w, 2);
        mp_put_str (w, "n");
        mp_put_str (w, files [i].name);
        mp_put_str (w, "d");
        mp_put_bin (w, files [i].data, files [i].data? files [i].size: 0);
    }
}

//  True when obj is a map with at least the count entries a decoder then
//  looks up, and at most PROTO_MAP_MAX: keys it does not know are ignored
//  (PROTOCOL.md, section 6), so a later version may add some.
static bool
s_is_map (const msgpack_object *obj, uint32_t count)
{
    return mp_map_ok (obj, count);
}

//  A name: a non-empty str of bounded length.
static int
s_get_name (const msgpack_object *obj, char **out_p)
{
    if (!obj || obj->type != MSGPACK_OBJECT_STR
    ||  obj->via.str.size == 0 || obj->via.str.size > S_MAX_NAME)
        return errno = EPROTO, -1;
    return mp_str_dup (obj, out_p);
}

static int
s_get_files (const msgpack_object *obj, size_t max, project_file_t **files_p,
             size_t *count_p)
{
    size_t count;
    if (mp_array (obj, max, &count))
        return -1;
    if (count == 0)
        return 0;
    *files_p = calloc (count, sizeof **files_p);
    if (!*files_p)
        return errno = ENOMEM, -1;
    for (size_t i = 0; i < count; i++) {
        const msgpack_object *item = &obj->via.array.ptr [i];
        project_file_t *file = &(*files_p) [i];
        *count_p = i + 1;           //  so a failure frees what we have
        const msgpack_object *data = mp_get (item, "d");
        if (!s_is_map (item, 2)
        ||  s_get_name (mp_get (item, "n"), &file->name)
        ||  !data || data->type != MSGPACK_OBJECT_BIN
        ||  data->via.bin.size > S_MAX_DATA
        ||  mp_bin_dup (data, &file->data, &file->size))
            return errno = (errno == ENOMEM? ENOMEM: EPROTO), -1;
    }
    return 0;
}

int
project_docs_encode (const project_docs_t *self, uint8_t **buf_p, size_t *size_p)
{
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 1);
    mp_put_str (&w, "docs");
    s_put_files (&w, self->docs, self->docs_count);
    return mp_writer_finish (&w, buf_p, size_p);
}

int
project_encode (const project_t *self, uint8_t **buf_p, size_t *size_p)
{
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 3);
    mp_put_str (&w, "name");
    mp_put_str (&w, self->name);
    mp_put_str (&w, "files");
    mp_put_array (&w, (uint32_t) self->files_count);
    for (size_t i = 0; i < self->files_count; i++)
        mp_put_str (&w, self->files [i]);
    mp_put_str (&w, "mf");
    s_put_files (&w, self->manifests, self->manifests_count);
    return mp_writer_finish (&w, buf_p, size_p);
}

int
project_docs_decode (project_docs_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, size);
    int rc = -1;
    if (root && s_is_map (root, 1)
    &&  s_get_files (mp_get (root, "docs"), S_MAX_DOCS, &self->docs,
                     &self->docs_count) == 0)
        rc = 0;
    int saved = errno == ENOMEM? ENOMEM: EPROTO;
    mp_reader_release (&reader);
    if (rc) {
        project_docs_release (self);
        errno = saved;
    }
    return rc;
}

int
project_decode (project_t *self, const uint8_t *buf, size_t size)
{
    memset (self, 0, sizeof *self);
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, size);
    int rc = -1;
    if (!root || !s_is_map (root, 3))
        goto out_release;
    //  The name may be empty (a project read from a bare README).
    const msgpack_object *name = mp_get (root, "name");
    if (!name || name->type != MSGPACK_OBJECT_STR || name->via.str.size > S_MAX_NAME
    ||  mp_str_dup (name, &self->name))
        goto out_release;
    const msgpack_object *files = mp_get (root, "files");
    size_t count;
    if (mp_array (files, S_MAX_FILES, &count))
        goto out_release;
    if (count) {
        self->files = calloc (count, sizeof *self->files);
        if (!self->files) {
            errno = ENOMEM;
            goto out_release;
        }
    }
    for (size_t i = 0; i < count; i++) {
        self->files_count = i + 1;
        if (s_get_name (&files->via.array.ptr [i], &self->files [i]))
            goto out_release;
    }
    if (s_get_files (mp_get (root, "mf"), S_MAX_MANIFESTS, &self->manifests,
                     &self->manifests_count))
        goto out_release;
    rc = 0;
out_release:;
    int saved = errno == ENOMEM? ENOMEM: EPROTO;
    mp_reader_release (&reader);
    if (rc) {
        project_release (self);
        errno = saved;
    }
    return rc;
}

void
project_docs_release (project_docs_t *self)
{
    if (!self)
        return;
    s_files_free (&self->docs, self->docs_count);
    self->docs_count = 0;
}

void
project_release (project_t *self)
{
    if (!self)
        return;
    free (self->name);
    mp_free_strv (&self->files, self->files_count);
    s_files_free (&self->manifests, self->manifests_count);
    memset (self, 0, sizeof *self);
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
