/*  workers/detector/dtext.h - careful hand scanning of line-based build
    files (Makefile, justfile, setup.py, Gemfile, mix.exs, build.gradle,
    requirements.txt...) and line numbers for provenance. Pure. Internal.  */
#ifndef DTEXT_H_INCLUDED
#define DTEXT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  The 1-based line of ptr inside text.
unsigned dtext_line_at (const char *text, const char *ptr);

//  The line of the first occurrence of needle, or 0.
unsigned dtext_find_line (const char *text, const char *needle);

//  The line of "key" in a JSON text, looked for after "outer" when outer
//  is not NULL; 0 when absent. Good enough for provenance.
unsigned dtext_json_line (const char *text, const char *outer, const char *key);

//  A Makefile rule for target: true, with its line and its recipe lines
//  (tab and @/- prefixes removed, comments skipped, joined by '\n') in
//  recipe. A catch-all "%:" rule answers for any target it lacks. False
//  when no rule makes target.
bool dtext_make_target (const char *text, const char *target, unsigned *line_p,
                        char *recipe, size_t size);

//  The default goal of a Makefile: the first target of the first rule
//  that is not special (.PHONY), a pattern (%.o) or an assignment, copied
//  to out with its line in *line_p (a .DEFAULT_GOAL wins). False when the
//  file has no rule.
bool dtext_make_default (const char *text, char *out, size_t size, unsigned *line_p);

//  The prerequisites of the rule for target (the words after its ':'),
//  blank-separated in out. False when no explicit rule makes target.
bool dtext_make_prereqs (const char *text, const char *target, char *out, size_t size);

//  A justfile recipe called name: as dtext_make_target.
bool dtext_just_recipe (const char *text, const char *name, unsigned *line_p,
                        char *body, size_t size);

//  The first quoted string after a whole-word key on the key's line
//  ("python_requires='>=3.8'", "elixir: \"~> 1.15\""). True with the text in
//  out and its line in *line_p.
bool dtext_quoted_after (const char *text, const char *key, char *out,
                         size_t size, unsigned *line_p);

//  The first version-like number (digits and dots) after a whole-word key
//  on the key's line ("jvmToolchain(17)", "go 1.22"). As above.
bool dtext_number_after (const char *text, const char *key, char *out,
                         size_t size, unsigned *line_p);

//  True when word occurs in text as a whole word (letters, digits, '_',
//  '-' and '.' count as word characters).
bool dtext_has_word (const char *text, const char *word);

//  True when a line of text starts with prefix after leading blanks.
bool dtext_has_line_prefix (const char *text, const char *prefix);

//  Reads the line *p_p starts (text up to a newline or the end) into out,
//  without its newline and cut to fit size, and moves *p_p past it.
//  False, with out untouched, when *p_p is at the end of the text.
bool dtext_next_line (const char **p_p, char *out, size_t size);

//  Trim blanks at both ends of s in place; returns s.
char *dtext_trim (char *s);

#endif
