/*  cli/cli_logs.h - `readme2ci logs`: the captured stderr of the
    workers and the supervisor's own log, their last lines and, with -f,
    what comes next; and the lines `status` shows of a component's last
    exits.  */
#ifndef CLI_LOGS_H_INCLUDED
#define CLI_LOGS_H_INCLUDED

#include <jansson.h>
#include <stdio.h>

//  `readme2ci logs [COMPONENT|PID|supervisor] [-f] [-n N] [--json]`
//  (argv after the command name). Returns the exit status.
int cli_logs (int argc, char **argv);

//  For `status`: a component's last exits (its status "exits"), when it
//  is FATAL or restarting, as indented lines on out.
void cli_logs_print_exits (FILE *out, json_t *component);

#endif
