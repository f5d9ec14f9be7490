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
    posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

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
