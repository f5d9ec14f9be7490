/*  supervisor/spawn.h - starting a worker process with posix_spawn: a
    clean signal mask and dispositions, the supervisor's pid in its
    environment, and no fd of ours (they are all close-on-exec).  */
#ifndef SPAWN_H_INCLUDED
#define SPAWN_H_INCLUDED

#include <sys/types.h>

//  Start argv [0] with argv, its stderr on stderr_fd (-1: ours). Returns
//  the pid, or -1 with errno (the exec failure, e.g. ENOENT, as
//  posix_spawn reports it). The worker runs in a process group of its
//  own (its id is the pid).
pid_t spawn_worker (char *const argv [], int stderr_fd);

//  Sends signo to a worker and to its process group (what it forked).
//  0, or -1 with errno when neither could be signalled.
int spawn_signal (pid_t pid, int signo);

//  After a worker is reaped: SIGKILL to what is left of its group.
void spawn_reap_group (pid_t pid);

#endif
