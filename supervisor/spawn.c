/*  supervisor/spawn.c - posix_spawn of worker processes.  */
#include "supervisor/spawn.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

pid_t
spawn_worker (char *const argv [], int stderr_fd)
{
    //  The child must not inherit our blocked signals or our ignored
    //  SIGPIPE: reset both.
    posix_spawnattr_t attr;
    posix_spawnattr_init (&attr);
    sigset_t none, all;
    sigemptyset (&none);
    sigfillset (&all);
    posix_spawnattr_setsigmask (&attr, &none);
    posix_spawnattr_setsigdefault (&attr, &all);
    //  Its own process group, whose id is its pid: what a worker command
    //  forks (a wrapper script's children) is signalled with it.
    posix_spawnattr_setpgroup (&attr, 0);
    posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                                     | POSIX_SPAWN_SETPGROUP);

    //  environ plus R2CI_SUPERVISOR_PID, so the worker can tell when its
    //  parent is gone.
    size_t n = 0;
    while (environ [n])
        n++;
    char **env = calloc (n + 2, sizeof *env);
    char pid_entry [48];
    snprintf (pid_entry, sizeof pid_entry, "R2CI_SUPERVISOR_PID=%d", (int) getpid ());
    size_t k = 0;
    if (env) {
        env [k++] = pid_entry;
        for (size_t i = 0; i < n; i++)
            if (strncmp (environ [i], "R2CI_SUPERVISOR_PID=", 20) != 0)
                env [k++] = environ [i];
    }
    //  The worker's stderr: the supervisor's log capture, when given.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    if (stderr_fd >= 0)
        posix_spawn_file_actions_adddup2 (&actions, stderr_fd, STDERR_FILENO);
    pid_t pid;
    int rc = env? posix_spawn (&pid, argv [0], &actions, &attr, argv, env): ENOMEM;
    free (env);
    posix_spawn_file_actions_destroy (&actions);
    posix_spawnattr_destroy (&attr);
    if (rc)
        return errno = rc, -1;
    return pid;
}

int
spawn_signal (pid_t pid, int signo)
{
    if (pid <= 0)
        return errno = EINVAL, -1;
    //  The group first; a worker that left it (setsid, setpgid) still
    //  gets the signal itself.
    int rc = kill (-pid, signo);
    if (kill (pid, signo) == 0)
        rc = 0;
    return rc;
}

void
spawn_reap_group (pid_t pid)
{
    //  The worker is reaped: anything left in its group is an orphan of
    //  ours. The group id stays taken while a member lives, so this
    //  cannot reach another process's group.
    if (pid > 0)
        kill (-pid, SIGKILL);
}
