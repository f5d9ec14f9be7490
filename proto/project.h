/*  proto/project.h - the project a client submits: its documents (README,
    CONTRIBUTING) and its top level (file names, small build files).

    Both travel as their own msgpack frames so the supervisor can forward
    them to workers without decoding them: the docs frame goes to the
    parser, the project frame to the detector. See proto/PROTOCOL.md.  */
#ifndef PROJECT_H_INCLUDED
#define PROJECT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  A named blob: a document or a manifest. data is NUL-terminated (the
//  terminator is not counted in size) so text readers can use it directly.
typedef struct {
    char *name;                 //  path relative to the project root
    char *data;
    size_t size;
} project_file_t;

//  The documents to read, README first. Zero value is an empty list.
typedef struct {
    project_file_t *docs;
    size_t docs_count;
} project_docs_t;

//  The top level of the project. Zero value is an empty project.
typedef struct {
    char *name;                 //  project name: the folder's basename
    char **files;               //  top-level entry names; folders end in '/'
    size_t files_count;
    project_file_t *manifests;  //  build files with their contents
    size_t manifests_count;
} project_t;

//  Encode to one msgpack object. Returns 0 and a malloc'd buffer in
//  *buf_p/*size_p (the caller frees it), or -1 with errno (ENOMEM).
int project_docs_encode (const project_docs_t *self, uint8_t **buf_p, size_t *size_p);
int project_encode (const project_t *self, uint8_t **buf_p, size_t *size_p);

//  Decode from exactly size bytes into *self (zeroed first). Returns 0, or
//  -1 with errno EPROTO when the bytes are not one well-formed object of
//  the right shape; *self is then empty. Release with the _release call.
int project_docs_decode (project_docs_t *self, const uint8_t *buf, size_t size);
int project_decode (project_t *self, const uint8_t *buf, size_t size);

//  Free what the struct holds and leave it zeroed (an empty value).
void project_docs_release (project_docs_t *self);
void project_release (project_t *self);

//  Append a copy of name/data to the list. Return 0 or -1 (ENOMEM).
int project_docs_add (project_docs_t *self, const char *name, const char *data, size_t size);
int project_add_file (project_t *self, const char *name);
int project_add_manifest (project_t *self, const char *name, const char *data, size_t size);

//  The manifest called name, or NULL. Borrowed.
const project_file_t *project_manifest (const project_t *self, const char *name);
//  True when the top level lists name (a folder is matched with its '/').
bool project_has_file (const project_t *self, const char *name);

//  True when the bytes are valid UTF-8.
bool project_valid_utf8 (const char *data, size_t size);

#endif
