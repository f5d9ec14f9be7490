/*  supervisor/supervisor.h - the supervisor program.  */
#ifndef SUPERVISOR_H_INCLUDED
#define SUPERVISOR_H_INCLUDED

//  The whole supervisor program (see --help). Returns the exit status.
int supervisor_main (int argc, char **argv);

#endif
