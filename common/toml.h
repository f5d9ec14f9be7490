/*  common/toml.h - a small TOML reader for the manifests the detector reads
    (pyproject.toml, Cargo.toml, rust-toolchain.toml...): Debian ships no C
    TOML library. It yields the same tree as common/ytree.h so one set of
    getters serves YAML and TOML. Pure: no I/O beyond the buffer given.  */
#ifndef TOML_H_INCLUDED
#define TOML_H_INCLUDED

#include "common/ytree.h"

#include <stddef.h>

//  Deepest nesting of tables, arrays and dotted keys accepted.
#define TOML_MAX_DEPTH 64
//  Most entries one table or array may hold.
#define TOML_MAX_ENTRIES 4096

//  Parse TOML text (tables, array tables, dotted and quoted keys, basic and
//  literal strings incl. multi-line, integers, floats, booleans, dates,
//  arrays, inline tables, comments). Tables and inline tables become
//  YNODE_MAP, arrays YNODE_SEQ (an array of tables is a sequence of maps),
//  every other value a YNODE_SCALAR: strings unescaped with quoted = true,
//  numbers, booleans and dates as written with quoted = false. Each node's
//  line and column say where its value (or table header) starts, for
//  provenance. Returns the root map (empty for an empty document), or NULL
//  with errno EINVAL and "line L, column C: reason" in err (when err is not
//  NULL), or NULL with errno ENOMEM. Never crashes on any input. The caller
//  destroys the tree with ytree_destroy.
ynode_t *toml_parse (const char *text, size_t size, char *err, size_t err_size);

#endif
