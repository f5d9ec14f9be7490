/*  proto/readme_doc.h - what the parser learns from a project's documents:
    sections, code blocks, commands (classified, with the reason), badges
    and version facts, each with the line it came from. The parser produces
    it, the detector consumes it. Zero value is an empty document.  */
#ifndef README_DOC_H_INCLUDED
#define README_DOC_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    CMD_OTHER = 0,      //  a command we could not place
    CMD_INSTALL,        //  installs the project's dependencies
    CMD_BUILD,          //  builds or compiles
    CMD_TEST,           //  runs the tests
    CMD_LINT,           //  lints, formats, type-checks
    CMD_RUN,            //  runs or serves the program (never a CI step)
    CMD_SYSTEM,         //  system setup: apt-get, brew, dnf...
    CMD_CLONE,          //  git clone / cd into the checkout
    CMD_KIND_COUNT
} cmd_kind_t;

//  Flags on a command.
#define CMD_F_INLINE       (1u << 0)   //  from an inline code span in prose
#define CMD_F_PLACEHOLDER  (1u << 1)   //  holds <token>, YOUR_KEY and the like
#define CMD_F_PROMPT       (1u << 2)   //  was written after a prompt
#define CMD_F_WINDOWS      (1u << 3)   //  Windows-only (powershell, cmd)
#define CMD_F_CONSUMER     (1u << 4)   //  installs the project as a user would
#define CMD_F_HEREDOC      (1u << 5)   //  carries a heredoc body
#define CMD_F_DEPLOY       (1u << 6)   //  publishes or deploys
#define CMD_F_SUDO         (1u << 7)   //  ran under sudo (prefix kept)

typedef struct {
    char *heading;      //  heading text, inline markup removed
    char *path;         //  "Development > Running tests"
    uint32_t level;     //  1..6; 0 for text before the first heading
    uint32_t line;      //  1-based
    uint32_t doc;       //  index into docs
} readme_section_t;

typedef struct {
    char *info;         //  info string as written ("" if none)
    char *lang;         //  first word, lower-cased, {.bash} stripped
    uint32_t line;      //  line of the opening fence or first line
    uint32_t section;   //  index into sections
    uint32_t doc;
    bool fenced;
    bool shell;         //  shell-like: sh, bash, console, or looks so
} readme_block_t;

typedef struct {
    char *text;         //  one command: prompt stripped, continuations joined
    cmd_kind_t kind;
    char *reason;       //  why it has this kind ("test runner pytest")
    uint32_t flags;     //  CMD_F_*
    uint32_t line;      //  1-based line where it starts
    uint32_t section;   //  index into sections
    int32_t block;      //  index into blocks, -1 for inline code
    uint32_t doc;
} readme_cmd_t;

typedef struct {
    char *kind;         //  "ci", "pyversions", "registry", "coverage", "version", "other"
    char *value;        //  what it says: the workflow file for "ci", the
                        //  registry name for "registry" ("npm", "pypi"...),
                        //  "3.9,3.10" for version lists, "" otherwise
    char *image;        //  image URL
    char *link;         //  link target, "" if none
    uint32_t line;
    uint32_t doc;
} readme_badge_t;

//  A fact the prose states: ("python", ">=3.9"), ("node", "18").
typedef struct {
    char *key;
    char *value;
    uint32_t line;
    uint32_t doc;
} readme_fact_t;

typedef struct {
    char *title;                //  first heading or "" 
    char **docs;                //  names of the documents read, README first
    size_t docs_count;
    readme_section_t *sections;
    size_t sections_count;
    readme_block_t *blocks;
    size_t blocks_count;
    readme_cmd_t *commands;
    size_t commands_count;
    readme_badge_t *badges;
    size_t badges_count;
    readme_fact_t *facts;
    size_t facts_count;
} readme_doc_t;

//  "install", "test"...; "other" for anything out of range.
const char *cmd_kind_name (cmd_kind_t kind);
//  The kind named name, or CMD_OTHER.
cmd_kind_t cmd_kind_from_name (const char *name);

//  Encode/decode as for project_t: encode returns a malloc'd buffer;
//  decode checks every field and fails with EPROTO, leaving *self empty.
int readme_doc_encode (const readme_doc_t *self, uint8_t **buf_p, size_t *size_p);
int readme_doc_decode (readme_doc_t *self, const uint8_t *buf, size_t size);
void readme_doc_release (readme_doc_t *self);

#endif
