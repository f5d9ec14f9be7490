/*  tests/chaos/chaos.c - the chaos suite: a supervisor tree run hard for a
    while, then its journal audited.

    Several client processes submit workflows with ids of their own
    (cK-1, cK-2...) and wait for each answer, submitting again by id when
    the supervisor goes quiet; meanwhile a random worker is SIGKILLed every
    50 ms, the supervisor is SIGKILLed and started again every few
    seconds, the journal's disk (a small tmpfs) is filled and freed,
    and another process feeds the client socket malformed frames. Then the
    audit: every workflow a client was told was accepted or done is
    completed exactly once in the journal; every result can be read back
    or its eviction is in the journal; every output equals what
    `generate --inline` prints for the same project; the supervisor's RSS
    is back within 2x of its start; the journal verifies clean.

    It prints one summary line of figures and exits 0, or 1 on any
    violation (each is said on stderr first), 2 when it could not run.
    Every process it starts ends by its pid, on failure too; children die
    with it (PR_SET_PDEATHSIG, the supervisor's --parent); the run is
    bounded in time.

        chaos [--small] [--seed N] [--keep]

    Without a tmpfs (mount needs CAP_SYS_ADMIN) the disk is filled and
    freed with the closest thing a user can do: a file size limit put on
    the running supervisor with prlimit (its writes then fail with EFBIG,
    as on a full disk) and lifted again; the summary line says which.  */
#include "proto/project.h"
#include "proto/wire.h"
#include "cli/client.h"
#include "cli/project_load.h"

#include <czmq.h>
#include <jansson.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROJECTS 5
#define MAX_CLIENTS 16
#define TMPFS_SIZE "64m"

typedef struct {
    int clients;
    int chaos_ms;               //  how long the clients submit
    int restart_every_ms;       //  supervisor SIGKILL + start
    int fill_every_ms;          //  the disk filled, then freed 300 ms later
    int results_keep;
} size_plan_t;

static const size_plan_t s_full = { 6, 60000, 5000, 2000, 1024 };
static const size_plan_t s_small = { 3, 20000, 3000, 1500, 100 };

//  --------------------------------------------------------------------
//  Small helpers

static long long
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
s_pause_ms (int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep (&ts, &ts) && errno == EINTR)
        ;
}

//  xorshift64*: the harness's own random choices, from --seed.
static uint64_t
s_random (uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int
s_write_file (const char *path, const char *text, size_t size)
{
    FILE *file = fopen (path, "we");
    if (!file)
        return -1;
    size_t put = fwrite (text, 1, size, file);
    return fclose (file) == 0 && put == size? 0: -1;
}

static char *
s_read_file (const char *path, size_t *size_p)
{
    FILE *file = fopen (path, "re");
    if (!file)
        return NULL;
    char *text = NULL;
    size_t size = 0, alloc = 0;
    char chunk [65536];
    size_t got;
    while ((got = fread (chunk, 1, sizeof chunk, file)) > 0) {
        if (size + got + 1 > alloc) {
            alloc = (size + got + 1) * 2;
            char *more = realloc (text, alloc);
            if (!more) {
                free (text);
                fclose (file);
                return NULL;
            }
            text = more;
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

static void
s_rmtree (const char *path)
{
    DIR *dir = opendir (path);
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir (dir))) {
            if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
                continue;
            char child [PATH_MAX];
            snprintf (child, sizeof child, "%s/%s", path, entry->d_name);
            struct stat st;
            if (lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
                s_rmtree (child);
            else
                unlink (child);
        }
        closedir (dir);
    }
    rmdir (path);
}

//  Resident memory of a process in KiB (0 when gone).
static long
s_rss_kib (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/statm", (int) pid);
    FILE *file = fopen (path, "re");
    long pages = 0, resident = 0;
    if (!file)
        return 0;
    if (fscanf (file, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose (file);
    return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

//  The children of pid, from /proc. Returns their count.
static size_t
s_children (pid_t pid, pid_t *pids, size_t max)
{
    char path [128];
    snprintf (path, sizeof path, "/proc/%d/task/%d/children", (int) pid, (int) pid);
    char *text = s_read_file (path, NULL);
    size_t count = 0;
    for (char *p = text; p && *p && count < max; ) {
        char *end;
        long child = strtol (p, &end, 10);
        if (end == p)
            break;
        pids [count++] = (pid_t) child;
        p = end;
    }
    free (text);
    return count;
}

static bool
s_alive (pid_t pid)
{
    char path [64], state = 0;
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "re");
    if (!file)
        return false;
    int scanned = fscanf (file, "%*d (%*[^)]) %c", &state);
    fclose (file);
    return scanned == 1 && state != 'Z';
}

//  Start argv with env added, stdout and stderr to log (or /dev/null),
//  ending with us. Returns the pid or -1.
static pid_t
s_spawn (char *const argv [], char *const env [], const char *log, const char *out)
{
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid != 0)
        return pid;
    prctl (PR_SET_PDEATHSIG, SIGKILL);
    if (getppid () != parent)
        _exit (127);
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
    setpgid (0, 0);             //  a terminal's ^C reaches only us
    int null = open ("/dev/null", O_RDWR);
    int err = log? open (log, O_WRONLY | O_CREAT | O_APPEND, 0600): null;
    int std = out? open (out, O_WRONLY | O_CREAT | O_TRUNC, 0600): err;
    if (null < 0 || err < 0 || std < 0)
        _exit (127);
    dup2 (null, 0);
    dup2 (std, 1);
    dup2 (err, 2);
    for (size_t i = 0; env && env [i]; i++)
        putenv (env [i]);
    execv (argv [0], argv);
    _exit (127);
}

//  Wait for our child pid at most timeout_ms; then SIGKILL it and reap
//  it. Returns its wait status, or -1 if it had to be killed.
static int
s_reap (pid_t pid, int timeout_ms)
{
    long long deadline = s_now_ms () + timeout_ms;
    int status;
    while (true) {
        pid_t done = waitpid (pid, &status, WNOHANG);
        if (done == pid)
            return status;
        if (done < 0)
            return -1;
        if (s_now_ms () >= deadline)
            break;
        s_pause_ms (10);
    }
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    return -1;
}

//  --------------------------------------------------------------------
//  The client processes

//  The inputs of a project as the CLI sends them.
typedef struct {
    uint8_t *docs;
    size_t docs_size;
    uint8_t *project;
    size_t project_size;
} inputs_t;

static int
s_load (const char *path, inputs_t *inputs)
{
    project_docs_t docs;
    project_t project;
    char err [PATH_MAX + 256], warn [PATH_MAX + 256];
    if (project_load (path, &docs, &project, err, sizeof err, warn, sizeof warn)) {
        fprintf (stderr, "chaos: %s\n", err);
        return -1;
    }
    int rc = project_docs_encode (&docs, &inputs->docs, &inputs->docs_size)
          || project_encode (&project, &inputs->project, &inputs->project_size);
    project_docs_release (&docs);
    project_release (&project);
    return rc? -1: 0;
}

//  chaos --client K ENDPOINT OUTDIR PROJECT...: workflows cK-1, cK-2...
//  each on the projects in turn, one at a time, until SIGTERM (the one
//  in progress is finished first); says on stdout "start ID", "ack ID",
//  "done ID", "poison ID", "error ID CODE MESSAGE" as it goes.
static int
s_client (int argc, char **argv)
{
    if (argc < 4)
        return 2;
    sigset_t stop;
    sigemptyset (&stop);
    sigaddset (&stop, SIGTERM);
    sigprocmask (SIG_BLOCK, &stop, NULL);
    int k = (int) strtol (argv [0], NULL, 10);
    const char *endpoint = argv [1], *outdir = argv [2];
    int projects = argc - 3;
    inputs_t *inputs = calloc ((size_t) projects, sizeof *inputs);
    for (int p = 0; p < projects; p++)
        if (s_load (argv [3 + p], &inputs [p]))
            return 2;
    setvbuf (stdout, NULL, _IOLBF, 0);
    client_t *client = NULL;
    int errors = 0;
    struct timespec zero = { 0, 0 };
    for (int j = 1; sigtimedwait (&stop, NULL, &zero) < 0; j++) {
        char id [64];
        snprintf (id, sizeof id, "c%d-%d", k, j);
        printf ("start %s\n", id);
        const inputs_t *in = &inputs [(j - 1) % projects];
        bool done = false, acked = false;
        long long give_up = s_now_ms () + 300000;
        while (!done && s_now_ms () < give_up) {
            if (!client && !(client = client_new (endpoint))) {
                s_pause_ms (50);
                continue;
            }
            wire_submit_t submit = { .priority = WIRE_PRIORITY_NORMAL, .timeout_ms = 600000 };
            snprintf (submit.workflow_id, sizeof submit.workflow_id, "%s", id);
            snprintf (submit.options.target, sizeof submit.options.target, "github");
            if (!client_submit (client, &submit, in->docs, in->docs_size, in->project,
                                in->project_size)) {
                client_destroy (&client);
                continue;
            }
            //  Answers until the result, or a silence that means the
            //  supervisor went away: then a new connection, the same id.
            bool again = false;
            while (!done && !again) {
                client_reply_t reply;
                if (client_next_reply (client, 2000, &reply)) {
                    client_destroy (&client);
                    again = true;
                    break;
                }
                if (reply.reply.accepted) {
                    if (!acked)
                        printf ("ack %s\n", id);
                    acked = true;
                }
                else
                if (reply.reply.code == 0) {
                    char path [PATH_MAX];
                    snprintf (path, sizeof path, "%s/%s.yml", outdir, id);
                    if (s_write_file (path, reply.body, reply.body_size))
                        printf ("error %s 2 cannot write %s\n", id, path);
                    printf ("done %s\n", id);
                    done = true;
                }
                else
                if (reply.reply.code == 1 && strstr (reply.reply.message, "evicted")) {
                    //  Done, its answer lost with a supervisor, and so many
                    //  finished since that its result went: the audit
                    //  checks the journal says so.
                    printf ("evicted %s\n", id);
                    done = true;
                }
                else
                if (reply.reply.code == 3 || (reply.reply.code == 1
                                              && strstr (reply.reply.message, "crashed its"))) {
                    //  Refused for now (the journal cannot be written, a
                    //  component restarting) or poison by bad luck of the
                    //  kills: the same id again in a moment.
                    if (reply.reply.code == 1)
                        printf ("poison %s\n", id);
                    again = true;
                    s_pause_ms (20);
                }
                else {
                    printf ("error %s %d %s\n", id, reply.reply.code, reply.reply.message);
                    errors++;
                    done = true;
                }
                client_reply_release (&reply);
            }
        }
        if (!done)
            printf ("error %s 0 gave up after 300 s\n", id);
        s_pause_ms (40);            //  about 20 a second: the journal fits its disk
    }
    client_destroy (&client);
    for (int p = 0; p < projects; p++) {
        free (inputs [p].docs);
        free (inputs [p].project);
    }
    free (inputs);
    return errors? 1: 0;
}

//  chaos --garbage ENDPOINT: malformed frames on the client socket until
//  SIGTERM; then says how many messages it sent.
static int
s_garbage (const char *endpoint)
{
    sigset_t stop;
    sigemptyset (&stop);
    sigaddset (&stop, SIGTERM);
    sigprocmask (SIG_BLOCK, &stop, NULL);
    zsock_t *sock = zsock_new_dealer (endpoint);
    if (!sock)
        return 2;
    zsock_set_sndtimeo (sock, 100);
    uint64_t rng = (uint64_t) getpid () * 0x9E3779B97F4A7C15ULL + 1;
    //  A valid submission header to damage.
    wire_submit_t submit = { .req_id = 7, .priority = WIRE_PRIORITY_NORMAL };
    snprintf (submit.workflow_id, sizeof submit.workflow_id, "garbage");
    uint8_t *valid = NULL;
    size_t valid_size = 0;
    if (wire_submit_encode (&submit, &valid, &valid_size))
        return 2;
    long sent = 0;
    struct timespec zero = { 0, 0 };
    while (sigtimedwait (&stop, NULL, &zero) < 0) {
        zmsg_t *msg = zmsg_new ();
        int frames = (int) (s_random (&rng) % 5);
        int kind = (int) (s_random (&rng) % 4);
        for (int f = 0; f < frames || (frames == 0 && f == 0 && kind != 0); f++) {
            size_t size = (size_t) (s_random (&rng) % 300);
            uint8_t buf [300];
            if (f == 0 && kind >= 2) {
                //  A real header cut short or with a byte flipped.
                size = valid_size;
                memcpy (buf, valid, size < sizeof buf? size: sizeof buf);
                if (kind == 2)
                    size = (size_t) (s_random (&rng) % valid_size);
                else
                    buf [s_random (&rng) % valid_size] ^= (uint8_t) (1 + s_random (&rng) % 255);
            }
            else
                for (size_t i = 0; i < size; i++)
                    buf [i] = (uint8_t) s_random (&rng);
            zmsg_addmem (msg, buf, size);
        }
        if (zmsg_size (msg) == 0)
            zmsg_addmem (msg, "", 0);
        if (zmsg_send (&msg, sock) == 0)
            sent++;
        zmsg_destroy (&msg);
        //  Drain whatever comes back (refusals), never block on it.
        zmsg_t *answer;
        while (zsock_events (sock) & ZMQ_POLLIN && (answer = zmsg_recv (sock)))
            zmsg_destroy (&answer);
        if (sent % 4 == 0)
            s_pause_ms (1);         //  a few thousand a second
    }
    free (valid);
    zsock_destroy (&sock);
    printf ("%ld\n", sent);
    return 0;
}

//  --------------------------------------------------------------------
//  The run

typedef struct {
    size_plan_t plan;
    uint64_t rng;
    bool keep;
    char bin [PATH_MAX];        //  our binaries' folder
    char root [PATH_MAX];
    char runtime [PATH_MAX + 16];
    char state [PATH_MAX + 16];
    char out [PATH_MAX + 16];
    char config [PATH_MAX + 32];
    char log [PATH_MAX + 32];
    char endpoint [PATH_MAX + 32];
    char env_runtime [PATH_MAX + 64];
    char env_state [PATH_MAX + 64];
    char *env [3];
    char *projects [PROJECTS];
    char *inline_yaml [PROJECTS];
    bool tmpfs;
    pid_t supervisor;
    pid_t clients [MAX_CLIENTS];
    pid_t garbage;
    bool filled;
    char filler [PATH_MAX + 32];
    long long filled_at;
    long rss_start_kib;
    //  figures
    long kills, restarts, fills;
    long violations;
} run_t;

static void
s_violation (run_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_violation (run_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fprintf (stderr, "chaos: VIOLATION: ");
    vfprintf (stderr, format, args);
    fprintf (stderr, "\n");
    va_end (args);
    self->violations++;
}

//  Run a CLI command against the tree; its stdout in *out (may be NULL).
static int
s_cli (run_t *self, char **out, const char *arg, ...)
{
    char *argv [16];
    char path [PATH_MAX + 16];
    snprintf (path, sizeof path, "%s/readme2ci", self->bin);
    int argc = 0;
    argv [argc++] = path;
    va_list args;
    va_start (args, arg);
    for (const char *a = arg; a && argc < 15; a = va_arg (args, const char *))
        argv [argc++] = (char *) a;
    va_end (args);
    argv [argc] = NULL;
    char file [PATH_MAX + 32];
    snprintf (file, sizeof file, "%s/cli.out", self->root);
    pid_t pid = s_spawn (argv, self->env, self->log, file);
    if (pid < 0)
        return -1;
    int status = s_reap (pid, 120000);
    if (out)
        *out = s_read_file (file, NULL);
    return status >= 0 && WIFEXITED (status)? WEXITSTATUS (status): -1;
}

static int
s_ask (run_t *self, const char *op, const char *arg, client_reply_t *reply, int timeout_ms)
{
    client_t *client = client_new (self->endpoint);
    if (!client)
        return -1;
    const char *args [1] = { arg };
    int rc = client_request (client, op, arg? args: NULL, arg? 1: 0, timeout_ms, reply);
    client_destroy (&client);
    return rc;
}

//  Status, or NULL when the supervisor does not answer in a second.
static json_t *
s_status (run_t *self)
{
    client_reply_t reply;
    if (s_ask (self, "status", NULL, &reply, 1000))
        return NULL;
    json_t *status = reply.reply.code == 0? json_loads (reply.body, 0, NULL): NULL;
    client_reply_release (&reply);
    return status;
}

//  Ready: every component has a ready worker. False after 30 s.
static bool
s_await_ready (run_t *self)
{
    long long deadline = s_now_ms () + 30000;
    while (s_now_ms () < deadline) {
        json_t *status = s_status (self);
        bool ready = status != NULL;
        size_t i;
        json_t *component;
        json_array_foreach (json_object_get (status, "components"), i, component)
            if (json_integer_value (json_object_get (component, "ready")) < 1)
                ready = false;
        json_decref (status);
        if (ready)
            return true;
        s_pause_ms (20);
    }
    return false;
}

static int
s_start_supervisor (run_t *self)
{
    char path [PATH_MAX + 32], parent [24];
    snprintf (path, sizeof path, "%s/readme2ci-supervisor", self->bin);
    snprintf (parent, sizeof parent, "%d", (int) getpid ());
    char *argv [] = { path, "--parent", parent, "--runtime-dir", self->runtime,
                      "-c", self->config, NULL };
    self->supervisor = s_spawn (argv, self->env, self->log, NULL);
    if (self->supervisor < 0)
        return -1;
    return s_await_ready (self)? 0: -1;
}

//  SIGKILL the supervisor and its workers, by pid, and wait until gone.
static void
s_kill_supervisor (run_t *self)
{
    if (self->supervisor <= 0)
        return;
    pid_t workers [64];
    size_t count = s_children (self->supervisor, workers, 64);
    kill (self->supervisor, SIGKILL);
    for (size_t i = 0; i < count; i++)
        kill (workers [i], SIGKILL);
    s_reap (self->supervisor, 10000);
    long long deadline = s_now_ms () + 10000;
    for (size_t i = 0; i < count; i++)
        while (s_alive (workers [i]) && s_now_ms () < deadline)
            s_pause_ms (5);
    self->supervisor = 0;
}

static void
s_kill_worker (run_t *self)
{
    pid_t workers [64];
    size_t count = s_children (self->supervisor, workers, 64);
    if (count == 0)
        return;
    if (kill (workers [s_random (&self->rng) % count], SIGKILL) == 0)
        self->kills++;
}

//  The disk: filled until it refuses, freed a little later.
static void
s_fill (run_t *self)
{
    if (self->tmpfs) {
        int fd = open (self->filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            return;
        static const char zeros [65536];
        while (write (fd, zeros, sizeof zeros) > 0)
            ;
        close (fd);
    }
    else {
        struct rlimit limit;
        if (prlimit (self->supervisor, RLIMIT_FSIZE, NULL, &limit))
            return;
        limit.rlim_cur = 0;     //  no write may extend a file
        if (prlimit (self->supervisor, RLIMIT_FSIZE, &limit, NULL))
            return;
    }
    self->filled = true;
    self->filled_at = s_now_ms ();
    self->fills++;
}

static void
s_free (run_t *self)
{
    if (!self->filled)
        return;
    if (self->tmpfs)
        unlink (self->filler);
    else
    if (self->supervisor > 0) {
        struct rlimit limit;
        if (prlimit (self->supervisor, RLIMIT_FSIZE, NULL, &limit) == 0) {
            limit.rlim_cur = limit.rlim_max;
            prlimit (self->supervisor, RLIMIT_FSIZE, &limit, NULL);
        }
    }
    self->filled = false;
}

static int
s_setup (run_t *self)
{
    char tmp [PATH_MAX];
    snprintf (tmp, sizeof tmp, "%s/r2ci-chaos.XXXXXX", getenv ("TMPDIR")? getenv ("TMPDIR"): "/tmp");
    if (!mkdtemp (tmp))
        return -1;
    snprintf (self->root, sizeof self->root, "%s", tmp);
    snprintf (self->runtime, sizeof self->runtime, "%s/run", self->root);
    snprintf (self->state, sizeof self->state, "%s/state", self->root);
    snprintf (self->out, sizeof self->out, "%s/out", self->root);
    snprintf (self->config, sizeof self->config, "%s/readme2ci.yml", self->root);
    snprintf (self->log, sizeof self->log, "%s/supervisor.log", self->root);
    snprintf (self->endpoint, sizeof self->endpoint, "ipc://%s/front", self->runtime);
    snprintf (self->filler, sizeof self->filler, "%s/filler", self->state);
    if (mkdir (self->runtime, 0700) || mkdir (self->state, 0700) || mkdir (self->out, 0700))
        return -1;
    self->tmpfs = mount ("tmpfs", self->state, "tmpfs", MS_NOSUID | MS_NODEV,
                         "size=" TMPFS_SIZE ",mode=0700") == 0;
    snprintf (self->env_runtime, sizeof self->env_runtime, "README2CI_RUNTIME_DIR=%s",
              self->runtime);
    snprintf (self->env_state, sizeof self->env_state, "README2CI_STATE_DIR=%s", self->state);
    self->env [0] = self->env_runtime;
    self->env [1] = self->env_state;
    self->env [2] = NULL;
    char config [2048];
    //  Workers die every 50 ms on purpose: restarts stay fast and never
    //  make a component FATAL, and the breakers do not open on it.
    snprintf (config, sizeof config,
              "state_dir: %s\n"
              "components:\n  parser: {workers: 2}\n  detector: {workers: 2}\n"
              "  generator: {workers: 2}\n"
              "restart: {immediate_after: 1s, backoff_initial: 10ms, backoff_max: 100ms, "
              "intensity: 1000, period: 1s}\n"
              "breaker: {failures: 10000, open_for: 100ms}\n"
              "retry: {attempts: 100, base: 10ms, max: 100ms}\n"
              "journal: {segment_size: 512KiB}\n"
              "results: {keep: %d}\n"
              "log: {level: warn}\n", self->state, self->plan.results_keep);
    if (s_write_file (self->config, config, strlen (config)))
        return -1;
    static const struct { const char *name, *readme, *file, *content; } kinds [PROJECTS] = {
        { "py", "# py\n\nA Python library.\n\n## Testing\n\n```sh\npip install -e '.[test]'\n"
          "pytest\n```\n", "pyproject.toml", "[project]\nname = \"py\"\n"
          "requires-python = \">=3.10\"\n" },
        { "js", "# js\n\nA Node library.\n\n```\n$ npm ci\n$ npm test\n```\n", "package.json",
          "{\"name\": \"js\", \"scripts\": {\"test\": \"node --test\"}}\n" },
        { "rs", "# rs\n\nA Rust crate.\n\nRun `cargo test`.\n", "Cargo.toml",
          "[package]\nname = \"rs\"\nversion = \"0.1.0\"\nedition = \"2021\"\n" },
        { "go", "# go\n\nA Go module.\n\n```\ngo test ./...\n```\n", "go.mod",
          "module example.org/go\n\ngo 1.22\n" },
        { "c", "# c\n\nA C library.\n\n```\n./configure\nmake\nmake check\n```\n",
          "configure.ac", "AC_INIT([c], [1.0])\nAC_OUTPUT\n" },
    };
    for (int p = 0; p < PROJECTS; p++) {
        char dir [PATH_MAX + 64], file [PATH_MAX + 128];
        snprintf (dir, sizeof dir, "%s/%s", self->root, kinds [p].name);
        if (mkdir (dir, 0700))
            return -1;
        snprintf (file, sizeof file, "%s/README.md", dir);
        if (s_write_file (file, kinds [p].readme, strlen (kinds [p].readme)))
            return -1;
        snprintf (file, sizeof file, "%s/%s", dir, kinds [p].file);
        if (s_write_file (file, kinds [p].content, strlen (kinds [p].content)))
            return -1;
        self->projects [p] = strdup (dir);
        if (s_cli (self, &self->inline_yaml [p], "generate", "--inline", dir, NULL) != 0)
            return -1;
    }
    return 0;
}

static void
s_teardown (run_t *self)
{
    for (int c = 0; c < MAX_CLIENTS; c++)
        if (self->clients [c] > 0) {
            kill (self->clients [c], SIGKILL);
            s_reap (self->clients [c], 5000);
            self->clients [c] = 0;
        }
    if (self->garbage > 0) {
        kill (self->garbage, SIGKILL);
        s_reap (self->garbage, 5000);
        self->garbage = 0;
    }
    s_free (self);
    s_kill_supervisor (self);
    if (self->tmpfs)
        umount2 (self->state, MNT_DETACH);
    if (self->keep)
        fprintf (stderr, "chaos: kept %s\n", self->root);
    else
    if (self->root [0])
        s_rmtree (self->root);
    for (int p = 0; p < PROJECTS; p++) {
        free (self->projects [p]);
        free (self->inline_yaml [p]);
    }
}

//  What the clients said, per id: 1 acknowledged, 2 done, 4 poisoned,
//  8 an error, 16 started, 32 evicted before its client heard.
static zhashx_t *
s_client_reports (run_t *self, long *errors_p)
{
    zhashx_t *seen = zhashx_new ();
    *errors_p = 0;
    for (int c = 0; c < self->plan.clients; c++) {
        char path [PATH_MAX + 32];
        snprintf (path, sizeof path, "%s/client%d.out", self->root, c);
        char *text = s_read_file (path, NULL);
        for (char *line = text? strtok (text, "\n"): NULL; line; line = strtok (NULL, "\n")) {
            char what [16], id [64];
            if (sscanf (line, "%15s %63s", what, id) != 2)
                continue;
            uintptr_t flags = (uintptr_t) zhashx_lookup (seen, id);
            flags |= strcmp (what, "ack") == 0? 1: strcmp (what, "done") == 0? 2:
                     strcmp (what, "poison") == 0? 4: strcmp (what, "start") == 0? 16:
                     strcmp (what, "evicted") == 0? 32: 8;
            if (strcmp (what, "error") == 0) {
                s_violation (self, "client %d: %s", c, line);
                (*errors_p)++;
            }
            zhashx_update (seen, id, (void *) flags);
        }
        free (text);
    }
    return seen;
}

typedef struct {
    long queued, completed, evicted;
} counts_t;

//  Per id, what the journal holds, from `readme2ci events --json`.
static zhashx_t *
s_journal_counts (run_t *self)
{
    char *text = NULL;
    zhashx_t *counts = zhashx_new ();
    zhashx_set_destructor (counts, (zhashx_destructor_fn *) zstr_free);
    if (s_cli (self, &text, "events", "--json", NULL) != 0) {
        s_violation (self, "readme2ci events failed");
        free (text);
        return counts;
    }
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        json_t *event = json_loads (line, 0, NULL);
        const char *type = json_string_value (json_object_get (event, "type"));
        const char *id = json_string_value (json_object_get (event, "workflow_id"));
        if (type && id) {
            counts_t *c = zhashx_lookup (counts, id);
            if (!c) {
                c = calloc (1, sizeof *c);
                zhashx_insert (counts, id, c);
            }
            if (strcmp (type, "workflow.queued") == 0)
                c->queued++;
            else
            if (strcmp (type, "workflow.completed") == 0)
                c->completed++;
            else
            if (strcmp (type, "result.evicted") == 0)
                c->evicted++;
        }
        json_decref (event);
    }
    free (text);
    return counts;
}

static int
s_run (run_t *self)
{
    if (s_setup (self)) {
        fprintf (stderr, "chaos: cannot set up in %s: %s\n", self->root, strerror (errno));
        return 2;
    }
    if (s_start_supervisor (self)) {
        fprintf (stderr, "chaos: the supervisor did not start (see %s)\n", self->log);
        return 2;
    }
    self->rss_start_kib = s_rss_kib (self->supervisor);
    //  The clients and the garbage feeder.
    char self_path [PATH_MAX + 32];
    snprintf (self_path, sizeof self_path, "%s/chaos", self->bin);
    for (int c = 0; c < self->plan.clients; c++) {
        char k [16], out [PATH_MAX + 32];
        snprintf (k, sizeof k, "%d", c);
        snprintf (out, sizeof out, "%s/client%d.out", self->root, c);
        char *argv [8 + PROJECTS] = { self_path, "--client", k, self->endpoint, self->out };
        for (int p = 0; p < PROJECTS; p++)
            argv [5 + p] = self->projects [(p + c) % PROJECTS];
        argv [5 + PROJECTS] = NULL;
        self->clients [c] = s_spawn (argv, NULL, self->log, out);
    }
    char garbage_out [PATH_MAX + 32];
    snprintf (garbage_out, sizeof garbage_out, "%s/garbage.out", self->root);
    char *gargv [] = { self_path, "--garbage", self->endpoint, NULL };
    self->garbage = s_spawn (gargv, NULL, self->log, garbage_out);

    //  The chaos for its time, then the clients are told to stop and
    //  finish the workflow they are on (at most 5 minutes: their own bound).
    long long started = s_now_ms ();
    long long next_restart = started + self->plan.restart_every_ms;
    long long next_fill = started + self->plan.fill_every_ms / 2;
    int running = self->plan.clients;
    bool stopping = false;
    sigset_t stops;
    sigemptyset (&stops);
    sigaddset (&stops, SIGINT);
    sigaddset (&stops, SIGTERM);
    struct timespec zero = { 0, 0 };
    while (running > 0) {
        if (sigtimedwait (&stops, NULL, &zero) > 0) {
            fprintf (stderr, "chaos: interrupted\n");
            return 2;
        }
        long long now = s_now_ms ();
        if (!stopping && now - started >= self->plan.chaos_ms) {
            for (int c = 0; c < self->plan.clients; c++)
                if (self->clients [c] > 0)
                    kill (self->clients [c], SIGTERM);
            stopping = true;
        }
        if (now - started > self->plan.chaos_ms + 330000) {
            s_violation (self, "the clients did not finish");
            break;
        }

        s_kill_worker (self);
        if (self->filled && now - self->filled_at >= 300)
            s_free (self);
        if (now >= next_fill) {
            s_fill (self);
            next_fill = now + self->plan.fill_every_ms;
        }
        if (now >= next_restart) {
            //  Not while the disk is full: what a supervisor holds in memory
            //  for a journal it cannot write is lost with it, as README says.
            //  The kill comes once the disk took its backlog.
            if (self->filled) {
                s_free (self);
                long long until = s_now_ms () + 5000;
                while (s_now_ms () < until) {
                    json_t *status = s_status (self);
                    bool healthy = json_is_true (json_object_get (
                        json_object_get (status, "supervisor"), "journal_healthy"));
                    json_decref (status);
                    if (healthy)
                        break;
                    s_pause_ms (20);
                }
            }
            s_kill_supervisor (self);
            if (s_start_supervisor (self)) {
                s_violation (self, "the supervisor did not start again (see %s)", self->log);
                break;
            }
            self->restarts++;
            next_restart = s_now_ms () + self->plan.restart_every_ms;
        }
        for (int c = 0; c < self->plan.clients; c++)
            if (self->clients [c] > 0 && waitpid (self->clients [c], NULL, WNOHANG) == self->clients [c]) {
                self->clients [c] = 0;
                running--;
            }
        s_pause_ms (50);
    }
    //  Calm: the disk freed, the feeder stopped, and whatever the
    //  supervisor still holds (runs again after a restart) finished.
    s_free (self);
    long garbage = 0;
    if (self->garbage > 0) {
        kill (self->garbage, SIGTERM);
        s_reap (self->garbage, 5000);
        self->garbage = 0;
        char *text = s_read_file (garbage_out, NULL);
        garbage = text? strtol (text, NULL, 10): 0;
        free (text);
    }
    if (self->supervisor <= 0 || !s_alive (self->supervisor)) {
        s_kill_supervisor (self);
        if (s_start_supervisor (self))
            s_violation (self, "no supervisor for the audit");
    }
    long long deadline = s_now_ms () + 120000;
    while (self->supervisor > 0) {
        json_t *status = s_status (self);
        json_int_t in_flight = status? json_integer_value (json_object_get (
            json_object_get (status, "workflows"), "in_flight")): -1;
        json_decref (status);
        if (in_flight == 0)
            break;
        if (s_now_ms () > deadline) {
            s_violation (self, "%lld workflows still in flight after the chaos",
                         (long long) in_flight);
            break;
        }
        s_pause_ms (50);
    }
    //  Idle for a moment: freed memory goes back (the supervisor trims
    //  every 200 ms while work ends).
    s_pause_ms (1000);
    long rss_end_kib = s_rss_kib (self->supervisor);
    if (rss_end_kib > 2 * self->rss_start_kib)
        s_violation (self, "the supervisor's RSS went from %ld KiB to %ld KiB",
                     self->rss_start_kib, rss_end_kib);

    //  The audit.
    long client_errors = 0;
    zhashx_t *reports = s_client_reports (self, &client_errors);
    zhashx_t *journal = s_journal_counts (self);
    long workflows = 0, acked = 0, done = 0, lost = 0, duplicated = 0, mismatched = 0,
         unretrievable = 0, evicted = 0, poisoned = 0;
    for (int c = 0; c < self->plan.clients; c++)
        for (int j = 1; ; j++) {
            char id [64];
            snprintf (id, sizeof id, "c%d-%d", c, j);
            uintptr_t flags = (uintptr_t) zhashx_lookup (reports, id);
            if (!(flags & 16))
                break;              //  never started: this client's last
            workflows++;
            counts_t *counts = zhashx_lookup (journal, id);
            long completed = counts? counts->completed: 0;
            if (flags & 1)
                acked++;
            if (flags & 4)
                poisoned++;
            if (flags & 32) {
                //  Its client never got it: completed once, and evicted,
                //  both in the journal.
                evicted++;
                if (completed != 1 || !counts || !counts->evicted) {
                    s_violation (self, "%s: evicted, but the journal has %ld completions and "
                                 "%ld evictions", id, completed, counts? counts->evicted: 0);
                    lost++;
                }
                continue;
            }
            if (!(flags & 2)) {
                s_violation (self, "%s: its client never got a result", id);
                lost++;
                continue;
            }
            done++;
            if (completed == 0) {
                s_violation (self, "%s: answered, but no completion in the journal", id);
                lost++;
            }
            if (completed > 1) {
                s_violation (self, "%s: completed %ld times in the journal", id, completed);
                duplicated++;
            }
            //  The output is what --inline prints for the same project.
            char path [PATH_MAX + 96];
            snprintf (path, sizeof path, "%s/%s.yml", self->out, id);
            char *text = s_read_file (path, NULL);
            const char *want = self->inline_yaml [((j - 1) % PROJECTS + c) % PROJECTS];
            if (!text || strcmp (text, want) != 0) {
                s_violation (self, "%s: the output differs from --inline", id);
                mismatched++;
            }
            //  Retrievable, or its eviction is in the journal.
            client_reply_t reply;
            if (counts && counts->evicted)
                evicted++;
            else
            if (s_ask (self, "result", id, &reply, 10000) == 0) {
                if (reply.reply.code != 0 || !text || strcmp (reply.body, text) != 0) {
                    s_violation (self, "%s: `result` gives code %d: %s", id, reply.reply.code,
                                 reply.reply.message);
                    unretrievable++;
                }
                client_reply_release (&reply);
            }
            else {
                s_violation (self, "%s: no answer to `result`", id);
                unretrievable++;
            }
            free (text);
        }
    zhashx_destroy (&reports);
    zhashx_destroy (&journal);
    //  A clean stop, and a journal that verifies.
    client_reply_t reply;
    if (s_ask (self, "down", NULL, &reply, 10000) == 0)
        client_reply_release (&reply);
    if (self->supervisor > 0) {
        s_reap (self->supervisor, 30000);
        self->supervisor = 0;
    }
    char *verify = NULL;
    if (s_cli (self, &verify, "journal", "verify", NULL) != 0)
        s_violation (self, "journal verify: %s", verify? verify: "failed");
    free (verify);
    printf ("chaos: workflows=%ld acknowledged=%ld completed=%ld kills=%ld restarts=%ld "
            "disk_fills=%ld (%s) malformed=%ld poisoned=%ld evicted=%ld lost=%ld "
            "duplicated=%ld mismatched=%ld unretrievable=%ld rss_kib=%ld->%ld "
            "seconds=%lld violations=%ld\n",
            workflows, acked, done, self->kills, self->restarts, self->fills,
            self->tmpfs? "tmpfs " TMPFS_SIZE: "file size limit, no tmpfs", garbage, poisoned,
            evicted, lost, duplicated, mismatched, unretrievable, self->rss_start_kib,
            rss_end_kib, (s_now_ms () - started) / 1000, self->violations + client_errors);
    return self->violations? 1: 0;
}

int
main (int argc, char **argv)
{
    if (argc >= 2 && strcmp (argv [1], "--client") == 0)
        return s_client (argc - 2, argv + 2);
    if (argc == 3 && strcmp (argv [1], "--garbage") == 0)
        return s_garbage (argv [2]);
    run_t self;
    memset (&self, 0, sizeof self);
    self.plan = s_full;
    self.rng = (uint64_t) time (NULL);
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--small") == 0)
            self.plan = s_small;
        else
        if (strcmp (argv [i], "--keep") == 0)
            self.keep = true;
        else
        if (strcmp (argv [i], "--seed") == 0 && i + 1 < argc)
            self.rng = strtoull (argv [++i], NULL, 10);
        else {
            fprintf (stderr, "usage: chaos [--small] [--seed N] [--keep]\n");
            return 2;
        }
    }
    if (self.rng == 0)
        self.rng = 1;
    fprintf (stderr, "chaos: seed %llu\n", (unsigned long long) self.rng);
    char exe [PATH_MAX];
    ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return 2;
    exe [len] = 0;
    *strrchr (exe, '/') = 0;
    snprintf (self.bin, sizeof self.bin, "%s", exe);
    //  Stop signals are read by the chaos loop; the cleanup always runs.
    sigset_t stops;
    sigemptyset (&stops);
    sigaddset (&stops, SIGINT);
    sigaddset (&stops, SIGTERM);
    sigprocmask (SIG_BLOCK, &stops, NULL);
    int code = s_run (&self);
    s_teardown (&self);
    return code;
}
