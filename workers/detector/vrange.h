/*  workers/detector/vrange.h - version requirements as projects write them
    (npm semver ranges, PEP 440 specifiers, gem and hex "~>", plain
    minimums) checked against release lines such as "3.10" or "22".
    Pure. Internal to the detector.  */
#ifndef VRANGE_H_INCLUDED
#define VRANGE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  True when range can be read at all ("lts/*" or "latest" cannot).
bool vrange_valid (const char *range);

//  True when some release of line ("3.10" means 3.10.x) satisfies range.
//  An unreadable range allows nothing.
bool vrange_allows (const char *range, const char *line);

//  Compare two dotted versions numerically ("3.9" < "3.10"); a leading
//  'v' is ignored, missing parts count as 0. Returns <0, 0 or >0.
int vrange_compare (const char *a, const char *b);

//  The release line of version with parts components ("3.11.4", 2 ->
//  "3.11"; "v20.1.0", 1 -> "20") into out. False when version does not
//  start with a number.
bool vrange_line (const char *version, size_t parts, char *out, size_t size);

#endif
