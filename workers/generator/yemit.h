/*  workers/generator/yemit.h - a YAML writer over libyaml's emitter for
    the generator: block style, no line folding, and scalars quoted where
    a YAML 1.1 reader would take them for something other than a string.  */
#ifndef YEMIT_H_INCLUDED
#define YEMIT_H_INCLUDED

#include "common/ytree.h"

typedef struct yemit yemit_t;

//  A writer with the stream and document opened, or NULL (ENOMEM).
yemit_t *yemit_new (void);

//  Free the writer and set *self_p to NULL. Accepts NULL.
void yemit_destroy (yemit_t **self_p);

//  Open and close block mappings and sequences. Each call returns 0, or
//  -1 once any call has failed: failures stick, so a caller may emit a
//  whole document and check yemit_finish alone.
int yemit_map_start (yemit_t *self);
int yemit_map_end (yemit_t *self);
int yemit_seq_start (yemit_t *self);
int yemit_seq_end (yemit_t *self);

//  A string: plain when that reads back as the same string, else quoted.
//  Text with line breaks is double-quoted so it stays on one line.
int yemit_str (yemit_t *self, const char *value);

//  A string always double-quoted (versions: "3.10" must stay a string).
int yemit_quoted (yemit_t *self, const char *value);

//  A scalar written as libyaml chooses, so `true` stays a boolean. Only
//  for values we or the knowledge wrote, never for report text.
int yemit_raw (yemit_t *self, const char *value);

//  A command: a literal block when it spans lines, else as yemit_str.
int yemit_block (yemit_t *self, const char *value);

//  A scalar from the knowledge: quoted when it was quoted there, else raw.
//  Anything but a scalar is refused (EINVAL).
int yemit_node (yemit_t *self, const ynode_t *node);

//  key: value, with the value as yemit_str.
int yemit_pair (yemit_t *self, const char *key, const char *value);

//  Close the document and return the text (caller frees), or NULL with
//  errno (EINVAL for a malformed event sequence, ENOMEM).
char *yemit_finish (yemit_t *self);

//  Whether a line of emitted YAML (indent: its leading spaces) is an item
//  that takes the next comment; state is the caller's, kept across lines.
typedef bool (yemit_item_fn) (const char *line, size_t indent, void *state);

//  text with comments [i] put on a line of its own, at the item's
//  indentation, above the i-th line is_item picks (libyaml's emitter
//  writes no comments, so they go in after). A new malloc'd text, or
//  NULL with errno ENOMEM, or EINVAL when the items found are not count.
char *yemit_comment_items (const char *text, yemit_item_fn *is_item, void *state,
                           const char *const *comments, size_t count);

//  True when plain text would be read back as something else than that
//  string by a YAML 1.1 or 1.2 reader (null, booleans, numbers, "on").
bool yemit_is_typed (const char *value);

#endif
