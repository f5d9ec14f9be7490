/*  workers/parser/badge.h - what a README badge says: CI service (and the
    GitHub workflow file), package registry, coverage, supported Python
    versions, a language version. Pure.  */
#ifndef BADGE_H_INCLUDED
#define BADGE_H_INCLUDED

#include <stdbool.h>

typedef struct {
    char kind [16];         //  "ci", "pyversions", "registry", "coverage", "version", "other"
    char value [128];       //  "github:ci.yml", "3.9,3.10", "npm", "rust:1.70", ""
    char fact_key [16];     //  a version fact the badge states ("rust"), or ""
    char fact_value [64];   //  its requirement (">=1.70")
} badge_info_t;

//  True when an image URL is a badge rather than a picture.
bool badge_is_badge (const char *url);

//  Classifies the badge with image url and alt text (may be NULL).
void badge_classify (const char *url, const char *alt, badge_info_t *out);

#endif
