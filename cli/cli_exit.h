/*  cli/cli_exit.h - the exit statuses of the readme2ci command
    line: what each code of common/names.h means for each command, one
    table that every help text prints its part of, and that `readme2ci
    help exit-status` and README.md show whole.  */
#ifndef CLI_EXIT_H_INCLUDED
#define CLI_EXIT_H_INCLUDED

#include "common/names.h"

#include <stdbool.h>
#include <stdio.h>

//  How long any command waits for a supervisor to answer at all before
//  it says that none answers (exit 3), whatever it then waits for the
//  operation itself.
#define CLI_CONNECT_MS   5000

//  Prints "exit status:" and the statuses command (a command name such as
//  "status" or "maintain") can return, one a line, to out. NULL: the
//  whole table, as `readme2ci help exit-status` shows it.
void cli_exit_print (FILE *out, const char *command);

//  Prints a command's help text (which ends with its examples) to stdout,
//  then its exit statuses. Returns EXIT_OK.
int cli_help (const char *text, const char *command);

//  Says "readme2ci: MESSAGE" on stderr and returns code, for
//  `return cli_fail (EXIT_..., "...")` in every command.
int cli_fail (int code, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

//  True for --help and -h, which never act.
bool cli_is_help (const char *arg);

#endif
