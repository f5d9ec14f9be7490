/*  supervisor/supervisor.c - the supervisor program: its arguments, the
    runtime folder and pid file, then the reactor.  */
#include "supervisor/supervisor.h"

#include "common/config.h"
#include "common/names.h"
#include "common/util.h"
#include "supervisor/log.h"
#include "supervisor/server.h"

#include <czmq.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: readme2ci-supervisor [-c CONFIG] [--runtime-dir DIR] [--state-dir DIR]\n"
        "                            [--workers N] [--credit N] [--parent PID]\n"
        "                            [--log-level LEVEL]\n"
        "                            [--log-format text|json] [--log-file PATH|syslog]\n"
        "\n"
        "The readme2ci supervisor: owns the queue of workflows and keeps one pool\n"
        "of parser, detector and generator workers alive. Usually started with\n"
        "`readme2ci up`; it runs in the foreground and stops on SIGTERM, SIGINT\n"
        "or `readme2ci down`.\n"
        "\n"
        "  -c CONFIG          the configuration file (readme2ci.yml); defaults without\n"
        "  --runtime-dir DIR  sockets and pid file (default: the config's runtime_dir,\n"
        "                     README2CI_RUNTIME_DIR,\n"
        "                     $XDG_RUNTIME_DIR/readme2ci, /tmp/readme2ci-$UID)\n"
        "  --state-dir DIR    the journal lives in DIR/journal (default: the config's\n"
        "                     state_dir, README2CI_STATE_DIR, $XDG_STATE_HOME/readme2ci,\n"
        "                     ~/.local/state/readme2ci)\n"
        "  --workers N        workers per component (overrides the config)\n"
        "  --credit N         jobs a worker may hold at once (overrides the config)\n"
        "  --parent PID       stop when process PID (our parent) exits: a private\n"
        "                     tree of one `readme2ci generate`\n"
        "  --log-level L      debug, info (default), warn or error\n"
        "  --log-format F     text (default) or json: one JSON object a line\n"
        "  --log-file PATH    append the log to PATH, or `syslog` for syslog(3)\n"
        "                     (journald collects it); default stderr. The log\n"
        "                     options also come from R2CI_LOG_LEVEL, R2CI_LOG_FORMAT,\n"
        "                     R2CI_LOG_FILE and the config's log: section, in that\n"
        "                     order after the command line\n"
        "  --help, --version\n"
        "\n"
        "examples:\n"
        "  readme2ci-supervisor -c /etc/readme2ci/readme2ci.yml\n"
        "  readme2ci-supervisor --log-format json --log-file /var/log/readme2ci.log\n"
        "  NOTIFY_SOCKET=... readme2ci-supervisor   (as systemd runs it: READY=1\n"
        "                                            once every worker is up)\n");
}

static int
s_number (const char *option, const char *text, long low, long high, uint32_t *out)
{
    char *end;
    errno = 0;
    long value = text? strtol (text, &end, 10): 0;
    if (!text || errno || *end || value < low || value > high) {
        fprintf (stderr, "readme2ci-supervisor: %s needs a number from %ld to %ld\n",
                 option, low, high);
        return -1;
    }
    *out = (uint32_t) value;
    return 0;
}

//  Makes the runtime folder (0700) and refuses one that others can use,
//  before anything is written in it.
static int
s_prepare_runtime (const char *dir)
{
    char err [PATH_MAX + 256];
    if (util_private_dir (dir, err, sizeof err)) {
        log_error ("%s", err);
        return -1;
    }
    return 0;
}

//  Takes the pid file's lock: one supervisor per runtime folder.
static int
s_lock_pidfile (const char *dir, char *path, size_t size)
{
    snprintf (path, size, "%s/supervisor.pid", dir);
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        log_error ("cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    if (flock (fd, LOCK_EX | LOCK_NB)) {
        char other [32] = "";
        ssize_t n = read (fd, other, sizeof other - 1);
        other [n > 0? n: 0] = 0;
        other [strcspn (other, "\n")] = 0;
        log_error ("a supervisor is already running in %s (pid %s)", dir, other);
        close (fd);
        return -1;
    }
    char text [32];
    int len = snprintf (text, sizeof text, "%d\n", (int) getpid ());
    if (ftruncate (fd, 0) || write (fd, text, (size_t) len) != len) {
        log_error ("cannot write %s: %s", path, strerror (errno));
        close (fd);
        return -1;
    }
    return fd;
}

//  The command line's settings.
typedef struct {
    char runtime [PATH_MAX];
    char state [PATH_MAX];
    const char *config_path;
    const char *log_level, *log_format, *log_file;
    uint32_t workers, credit;
    bool set_workers;
} s_options_t;

//  Reads the command line into opts (zeroed first). -1 to go on, else
//  the exit status (--help, --version, a bad argument, a parent gone).
static int
s_parse_args (int argc, char **argv, s_options_t *opts)
{
    memset (opts, 0, sizeof *opts);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc? argv [i + 1]: NULL;
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            s_usage (stdout);
            return 0;
        }
        if (strcmp (arg, "--version") == 0) {
            printf ("readme2ci-supervisor %s\n", R2CI_VERSION);
            return 0;
        }
        if (strcmp (arg, "--runtime-dir") == 0 && value) {
            util_copy (opts->runtime, sizeof opts->runtime, value);
            i++;
        }
        else
        if (strcmp (arg, "--state-dir") == 0 && value) {
            util_copy (opts->state, sizeof opts->state, value);
            i++;
        }
        else
        if ((strcmp (arg, "-c") == 0 || strcmp (arg, "--config") == 0) && value) {
            opts->config_path = value;
            i++;
        }
        else
        if (strcmp (arg, "--log-level") == 0 && value) {
            opts->log_level = value;
            i++;
        }
        else
        if (strcmp (arg, "--log-format") == 0 && value) {
            opts->log_format = value;
            i++;
        }
        else
        if (strcmp (arg, "--log-file") == 0 && value) {
            opts->log_file = value;
            i++;
        }
        else
        if (strcmp (arg, "--workers") == 0) {
            if (s_number (arg, value, 0, 256, &opts->workers))
                return 2;
            opts->set_workers = true;
            i++;
        }
        else
        if (strcmp (arg, "--credit") == 0) {
            if (s_number (arg, value, 1, 16, &opts->credit))
                return 2;
            i++;
        }
        else
        if (strcmp (arg, "--parent") == 0) {
            uint32_t parent;
            if (s_number (arg, value, 1, INT32_MAX, &parent))
                return 2;
            //  A private tree stops with the command that started it, even
            //  one killed outright: SIGTERM reaches our signalfd as a
            //  normal stop. It may have died before we asked.
            if (prctl (PR_SET_PDEATHSIG, SIGTERM) || getppid () != (pid_t) parent) {
                fprintf (stderr, "readme2ci-supervisor: the parent process %u is gone\n",
                         parent);
                return 1;
            }
            i++;
        }
        else {
            fprintf (stderr, "readme2ci-supervisor: unknown argument '%s' (see --help)\n", arg);
            return 2;
        }
    }
    return -1;
}

int
supervisor_main (int argc, char **argv)
{
    zsys_handler_set (NULL);
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    sigaction (SIGPIPE, &ignore, NULL);
    //  Block the signals the reactor reads from its signalfd before any
    //  thread exists (libzmq's, the ZAP handler's): a thread that does not
    //  block SIGCHLD would take it, and with it the news of a dead worker.
    server_block_signals ();

    s_options_t opts;
    int status = s_parse_args (argc, argv, &opts);
    if (status >= 0)
        return status;
    const char *config_path = opts.config_path;
    config_t config;
    config_defaults (&config);
    if (config_path) {
        config_errors_t errors = { 0 };
        if (config_load (config_path, &config, &errors)) {
            config_errors_print (&errors, "readme2ci-supervisor", stderr);
            config_errors_release (&errors);
            config_release (&config);
            return 2;
        }
    }
    char err [PATH_MAX + 256];
    if (log_setup (opts.log_level, opts.log_format, opts.log_file,
                   config_path? names_log_levels [config.log.level]: NULL,
                   config_path? names_log_formats [config.log.format]: NULL,
                   config.log.file, err, sizeof err)) {
        fprintf (stderr, "readme2ci-supervisor: %s\n", err);
        config_release (&config);
        return 2;
    }
    for (int c = 0; c < CONFIG_COMPONENTS; c++) {
        if (opts.set_workers)
            config.components [c].workers = opts.workers;
        if (opts.credit)
            config.components [c].credit = opts.credit;
    }
    if (!opts.runtime [0] && config.runtime_dir)
        util_copy (opts.runtime, sizeof opts.runtime, config.runtime_dir);
    if (!opts.runtime [0] && util_runtime_dir (opts.runtime, sizeof opts.runtime)) {
        log_error ("runtime folder path too long");
        config_release (&config);
        return 1;
    }
    if (!opts.state [0] && config.state_dir)
        util_copy (opts.state, sizeof opts.state, config.state_dir);
    if (!opts.state [0] && util_state_dir (opts.state, sizeof opts.state)) {
        log_error ("state folder path too long");
        config_release (&config);
        return 1;
    }
    char worker_dir [PATH_MAX];
    util_exe_dir (worker_dir, sizeof worker_dir);

    char pidfile [PATH_MAX + 32];
    int pidfd = -1;
    if (s_prepare_runtime (opts.runtime)
    ||  (pidfd = s_lock_pidfile (opts.runtime, pidfile, sizeof pidfile)) < 0) {
        config_release (&config);
        return 1;
    }
    char config_real [PATH_MAX] = "";
    if (config_path && !realpath (config_path, config_real))
        util_copy (config_real, sizeof config_real, config_path);
    server_t *server = server_new (&config, config_real, opts.runtime, opts.state, worker_dir);
    if (!server) {
        unlink (pidfile);
        close (pidfd);
        return 1;
    }
    int rc = server_run (server);
    server_destroy (&server);
    const char *sockets [] = { "front", "back", "events" };
    for (size_t i = 0; i < 3; i++) {
        char path [PATH_MAX + 16];
        snprintf (path, sizeof path, "%s/%s", opts.runtime, sockets [i]);
        unlink (path);
    }
    unlink (pidfile);
    close (pidfd);
    return rc;
}
