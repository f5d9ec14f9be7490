/*  workers/parser/facts.h - version requirements stated in prose:
    "requires Python 3.9+", "Node.js >= 18", "Go 1.21 or later", "JDK 17",
    "MSRV 1.70". Hand-written scanning, linear in the text. Pure.  */
#ifndef FACTS_H_INCLUDED
#define FACTS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Called per fact found: key ("python", "node", "rust"...), value
//  (">=3.9", "17", ">=3.9,<=3.12", "3.9,3.10"), the byte offset in text
//  where the mention starts, and whether the text marks it as a
//  requirement (an operator, "or later", or words like "requires",
//  "supports", "minimum" in the sentence); a bare "built on Go 1.7" is
//  reported with cue false. Returns 0, or -1 to stop.
typedef int (facts_fn) (void *arg, const char *key, const char *value, size_t offset,
                        bool cue);

//  Scans text (size bytes) for facts. Returns 0 or the callback's -1.
int facts_scan (const char *text, size_t size, facts_fn *fn, void *arg);

//  The key for a language or runtime name as written ("Node.js" -> "node",
//  "MSRV" -> "rust"), or NULL. size is the name's length.
const char *facts_key (const char *name, size_t size);

//  Reads a version requirement at text: an optional operator (>=, >, ^,
//  ~>, <), an optional 'v', digits and dots, and a trailing '+' or "or
//  later"; writes it normalised to value (">=1.70", "18"). Returns the
//  bytes read, or 0 if there is no version there.
size_t facts_version (const char *text, size_t size, char *value, size_t value_size);

#endif
