/*  cli/cli_journal.h - the journal's commands of the readme2ci
    command line: events, journal verify, maintain.  */
#ifndef CLI_JOURNAL_H_INCLUDED
#define CLI_JOURNAL_H_INCLUDED

//  Each takes the arguments after its command name and returns the exit
//  status: 0 ok, 1 bad input or a damaged journal, 2 usage, 3 unavailable
//  (no answer, the journal in use), 4 timed out.

//  readme2ci events [--since TIME] [--type GLOB] [--follow] [--json]
int cli_events (int argc, char **argv);
//  readme2ci journal verify [PATH]
int cli_journal (int argc, char **argv);
//  readme2ci maintain cleanup [--older-than AGE] | backup DIR | restore DIR
int cli_maintain (int argc, char **argv);

#endif
