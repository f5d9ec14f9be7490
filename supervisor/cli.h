/*  supervisor/cli.h - the readme2ci command line.  */
#ifndef CLI_H_INCLUDED
#define CLI_H_INCLUDED

//  The whole CLI (see --help). Returns the exit status: 0 ok, 1 bad input,
//  2 usage, 3 overloaded or unavailable, 4 timed out.
int cli_main (int argc, char **argv);

#endif
