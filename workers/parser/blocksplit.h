/*  workers/parser/blocksplit.h - cuts a code block into the commands a
    reader would type: prompts stripped, output and comments dropped,
    continuations joined, heredocs kept whole. Which words are tools is
    the knowledge's (kb). Pure.  */
#ifndef BLOCKSPLIT_H_INCLUDED
#define BLOCKSPLIT_H_INCLUDED

#include "common/knowledge.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    BLOCKSPLIT_PLAIN,       //  unlabelled block that looks like shell
    BLOCKSPLIT_SHELL,       //  sh, bash, zsh, fish...: '> ' is a prompt
    BLOCKSPLIT_CONSOLE,     //  console, shell-session, terminal: '# cmd' too
    BLOCKSPLIT_WINDOWS      //  powershell, pwsh, ps1, bat, cmd
} blocksplit_mode_t;

//  Called once per command: text (not NUL-terminated, size bytes), the
//  0-based line within the block where it starts, and CMD_F_PROMPT,
//  CMD_F_HEREDOC and CMD_F_WINDOWS flags. Returns 0, or -1 to stop.
typedef int (blocksplit_fn) (void *arg, const char *text, size_t size,
                             uint32_t line, uint32_t flags);

//  Splits code (size bytes) into commands. Returns 0, -1 with errno
//  ENOMEM, or the callback's -1.
int blocksplit_run (const knowledge_t *kb, const char *code, size_t size,
                    blocksplit_mode_t mode, blocksplit_fn *fn, void *arg);

//  True when an unlabelled or indented block reads as shell commands.
bool blocksplit_looks_shell (const knowledge_t *kb, const char *code, size_t size);

//  The length of a prompt ("$ ", "user@host:~$ ", "> " in shell blocks,
//  "# apt-get" in console blocks) at the start of line, or 0.
size_t blocksplit_prompt (const knowledge_t *kb, const char *line, size_t size,
                          blocksplit_mode_t mode);

#endif
