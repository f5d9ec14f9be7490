/*  cli/cli_logs.c - `readme2ci logs`: the last lines of the
    captured logs (shared/logcap) and, with -f, the lines that follow,
    awaited with inotify; and `status`'s lines about a component's exits.  */
#include "cli/cli_logs.h"

#include "common/names.h"
#include "common/util.h"
#include "cli/cli_exit.h"
#include "cli/client.h"
#include "shared/logcap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>


#define TAIL_BYTES (16 * 1024 * 1024)   //  read of each file's end, at most
#define MAX_FILES 100

static const char *const s_logs_help =
    "usage: readme2ci logs [COMPONENT|PID|supervisor] [-f] [-n N] [--json]\n"
    "\n"
    "Prints the last lines of the captured logs: the stderr of each local\n"
    "worker, which the supervisor keeps in STATE/logs/COMPONENT.log, and the\n"
    "supervisor's own log. Each worker line is stamped with the time it was\n"
    "read and the worker's pid. The files are rotated at the config's\n"
    "log.max_size, log.max_files of them kept (COMPONENT.log.1 is the one\n"
    "before); a detached supervisor (`up -d`) keeps its own log,\n"
    "STATE/logs/supervisor.log, the same way.\n"
    "\n"
    "  COMPONENT      parser, detector or generator: all of its workers\n"
    "  PID            one worker, running or gone (or the supervisor's pid)\n"
    "  supervisor     the supervisor's own log\n"
    "                 without any: every log, each line after its name\n"
    "  -n N           the last N lines of each (default 10)\n"
    "  -f, --follow   then print new lines as they come, until interrupted\n"
    "  --json         one JSON object a line: log, time, pid, line\n"
    "\n"
    "Workers on other hosts write on their own stderr, on their host: logs\n"
    "names them and says so. A supervisor reached over tcp (R2CI_ENDPOINT)\n"
    "keeps its logs on its host: run logs there.\n"
    "\n"
    "examples:\n"
    "  readme2ci logs parser -n 50\n"
    "  readme2ci logs -f\n"
    "  readme2ci logs 4242 --json\n";

//  One log followed: a file (and its rotated ones), a pid filter.
typedef struct {
    char name [32];             //  "parser", "supervisor"
    char path [PATH_MAX];       //  the current file
    int pid;                    //  only lines of this pid; 0: all
    int fd;                     //  -f: the file open, -1 until it exists
    ino_t ino;
    off_t offset;               //  -f: read up to here
    char partial [8192];
    size_t used;
} log_t;

typedef struct {
    log_t logs [4];
    size_t count;
    bool json;
    bool several;               //  lines are prefixed with their log's name
} view_t;

//  The pid a stored worker line carries ("TIME [PID] ..."), or 0.
static int
s_line_pid (const char *line, size_t len, const char **rest_p)
{
    const char *space = memchr (line, ' ', len);
    if (!space || (size_t) (space - line) + 3 > len || space [1] != '[')
        return 0;
    char *end;
    long pid = strtol (space + 2, &end, 10);
    if (end >= line + len - 1 || *end != ']' || end [1] != ' ' || pid <= 0 || pid > INT32_MAX)
        return 0;
    if (rest_p)
        *rest_p = end + 2;
    return (int) pid;
}

//  JSON text of a line that need not be UTF-8: other bytes become '?'.
static json_t *
s_json_text (const char *text, size_t len)
{
    json_t *value = json_stringn (text, len);
    if (value)
        return value;
    char *copy = malloc (len + 1);
    if (!copy)
        return json_string ("");
    for (size_t i = 0; i < len; i++)
        copy [i] = (unsigned char) text [i] < 0x80? text [i]: '?';
    value = json_stringn (copy, len);
    free (copy);
    return value? value: json_string ("");
}

static void
s_print (const view_t *view, const log_t *log, const char *line, size_t len)
{
    if (view->json) {
        const char *rest = NULL;
        int pid = s_line_pid (line, len, &rest);
        const char *space = memchr (line, ' ', len);
        json_t *object = json_pack ("{s:s}", "log", log->name);
        if (pid) {
            json_object_set_new (object, "time", s_json_text (line, (size_t) (space - line)));
            json_object_set_new (object, "pid", json_integer (pid));
            json_object_set_new (object, "line", s_json_text (rest, len - (size_t) (rest - line)));
        }
        else
            json_object_set_new (object, "line", s_json_text (line, len));
        char *text = json_dumps (object, JSON_COMPACT);
        if (text)
            printf ("%s\n", text);
        free (text);
        json_decref (object);
    }
    else
    if (view->several)
        printf ("%-10s | %.*s\n", log->name, (int) len, line);
    else
        printf ("%.*s\n", (int) len, line);
}

static bool
s_wanted (const log_t *log, const char *line, size_t len)
{
    return !log->pid || s_line_pid (line, len, NULL) == log->pid;
}

//  The last bytes of a file (up to TAIL_BYTES), from a line start.
static char *
s_read_end (const char *path, size_t *size_p)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    off_t from = fstat (fd, &st) == 0 && st.st_size > TAIL_BYTES? st.st_size - TAIL_BYTES: 0;
    size_t size = fstat (fd, &st) == 0? (size_t) (st.st_size - from): 0;
    char *text = malloc (size + 1);
    size_t got = 0;
    while (text && got < size) {
        ssize_t n = pread (fd, text + got, size - got, from + (off_t) got);
        if (n <= 0)
            break;
        got += (size_t) n;
    }
    close (fd);
    if (!text)
        return NULL;
    text [got] = '\0';
    *size_p = got;
    if (from > 0) {
        //  A cut line at the start is not a line.
        char *newline = memchr (text, '\n', got);
        size_t skip = newline? (size_t) (newline - text) + 1: got;
        memmove (text, text + skip, got - skip + 1);
        *size_p = got - skip;
    }
    return text;
}

//  The last count lines of a log (its rotated files too, newest last),
//  printed in order.
static void
s_tail (const view_t *view, const log_t *log, long count)
{
    if (count <= 0)
        return;
    char *texts [MAX_FILES] = { NULL };
    size_t sizes [MAX_FILES];
    const char *starts [MAX_FILES];
    long found = 0;
    int files = 0;
    for (; files < MAX_FILES && found < count; files++) {
        char path [PATH_MAX + 16];
        if (files)
            snprintf (path, sizeof path, "%s.%d", log->path, files);
        else
            util_copy (path, sizeof path, log->path);
        texts [files] = s_read_end (path, &sizes [files]);
        if (!texts [files])
            break;
        //  Walk back over whole lines until there are enough.
        const char *text = texts [files];
        const char *end = text + sizes [files];
        starts [files] = end;
        while (end > text && found < count) {
            const char *line_end = end [-1] == '\n'? end - 1: end;
            const char *start = line_end;
            while (start > text && start [-1] != '\n')
                start--;
            if (line_end > start && s_wanted (log, start, (size_t) (line_end - start))) {
                found++;
                starts [files] = start;
            }
            else
            if (found < count)
                starts [files] = start;
            end = start;
        }
    }
    for (int f = files - 1; f >= 0; f--) {
        if (!texts [f])
            continue;
        const char *line = starts [f];
        const char *end = texts [f] + sizes [f];
        while (line < end) {
            const char *newline = memchr (line, '\n', (size_t) (end - line));
            size_t len = newline? (size_t) (newline - line): (size_t) (end - line);
            if (len && s_wanted (log, line, len))
                s_print (view, log, line, len);
            line += len + 1;
        }
    }
    for (int f = 0; f < MAX_FILES && texts [f]; f++)
        free (texts [f]);
}

//  -f: prints the whole lines written to a log since its last read,
//  following it across a rotation.
static void
s_follow_read (const view_t *view, log_t *log)
{
    struct stat st;
    bool exists = stat (log->path, &st) == 0;
    bool rotated = log->fd >= 0 && exists && st.st_ino != log->ino;
    while (log->fd >= 0) {
        ssize_t n = pread (log->fd, log->partial + log->used,
                           sizeof log->partial - log->used, log->offset);
        if (n <= 0)
            break;
        log->offset += n;
        log->used += (size_t) n;
        char *start = log->partial, *end = log->partial + log->used, *newline;
        while ((newline = memchr (start, '\n', (size_t) (end - start)))) {
            if (s_wanted (log, start, (size_t) (newline - start)))
                s_print (view, log, start, (size_t) (newline - start));
            start = newline + 1;
        }
        log->used = (size_t) (end - start);
        memmove (log->partial, start, log->used);
        if (log->used == sizeof log->partial)
            log->used = 0;          //  a line too long to follow: dropped
    }
    if (log->fd >= 0 && !rotated && exists && st.st_size < log->offset)
        rotated = true;             //  cut short: read it again from the start
    if (log->fd >= 0 && rotated) {
        close (log->fd);
        log->fd = -1;
    }
    if (log->fd < 0 && exists) {
        log->fd = open (log->path, O_RDONLY | O_CLOEXEC);
        log->ino = st.st_ino;
        log->offset = 0;
        log->used = 0;
        if (log->fd >= 0)
            s_follow_read (view, log);
    }
}

static int
s_follow (view_t *view)
{
    int watch = inotify_init1 (IN_CLOEXEC);
    if (watch < 0)
        return cli_fail (EXIT_UNAVAILABLE, "logs -f: inotify: %s", strerror (errno));
    for (size_t i = 0; i < view->count; i++) {
        log_t *log = &view->logs [i];
        char dir [PATH_MAX];
        util_copy (dir, sizeof dir, log->path);
        char *slash = strrchr (dir, '/');
        if (slash)
            *slash = '\0';
        inotify_add_watch (watch, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM);
        //  From the end: what is there was printed by the tail.
        struct stat st;
        log->fd = open (log->path, O_RDONLY | O_CLOEXEC);
        if (log->fd >= 0 && fstat (log->fd, &st) == 0) {
            log->ino = st.st_ino;
            log->offset = st.st_size;
        }
    }
    fflush (stdout);
    while (true) {
        struct pollfd item = { watch, POLLIN, 0 };
        if (poll (&item, 1, -1) < 0 && errno != EINTR)
            break;
        char events [4096];
        if (read (watch, events, sizeof events) < 0 && errno != EAGAIN && errno != EINTR)
            break;
        for (size_t i = 0; i < view->count; i++)
            s_follow_read (view, &view->logs [i]);
        if (fflush (stdout) || ferror (stdout))
            break;                  //  nobody reads us any more
    }
    close (watch);
    return EXIT_OK;
}

//  What the running supervisor says of itself (status), or NULL.
static json_t *
s_status (const char *runtime)
{
    if (client_running_supervisor (runtime) <= 0)
        return NULL;
    char endpoint [PATH_MAX + 16];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/front", runtime);
    client_t *client = client_new (endpoint);
    client_reply_t reply;
    json_t *root = NULL;
    if (client && client_request (client, "status", NULL, 0, 5000, &reply) == 0) {
        root = json_loads (reply.body, 0, NULL);
        client_reply_release (&reply);
    }
    client_destroy (&client);
    return root;
}

static void
s_add (view_t *view, const char *dir, const char *name, int pid)
{
    log_t *log = &view->logs [view->count++];
    memset (log, 0, sizeof *log);
    log->fd = -1;
    util_copy (log->name, sizeof log->name, name);
    snprintf (log->path, sizeof log->path, "%s/%s.log", dir, name);
    log->pid = pid;
}

//  Says which workers of a component are on other hosts: their logs are
//  there.
static void
s_remote_note (json_t *status, const char *name, int pid)
{
    size_t i, j;
    json_t *component, *worker;
    json_array_foreach (json_object_get (status, "components"), i, component) {
        const char *component_name = json_string_value (json_object_get (component, "name"));
        if (name && (!component_name || strcmp (component_name, name)))
            continue;
        json_array_foreach (json_object_get (component, "workers"), j, worker) {
            if (!json_is_true (json_object_get (worker, "remote")))
                continue;
            int worker_pid = (int) json_integer_value (json_object_get (worker, "pid"));
            if (pid && worker_pid != pid)
                continue;
            const char *address = json_string_value (json_object_get (worker, "address"));
            fprintf (stderr, "readme2ci: %s pid %d on %s (remote, from %s) writes its log "
                     "on its own host: not here\n", component_name, worker_pid,
                     json_string_value (json_object_get (worker, "host")),
                     address? address: "?");
        }
    }
}

//  The component of a worker pid in status: its name, and whether it is
//  remote; NULL when status does not know it.
static const char *
s_worker_of (json_t *status, int pid, bool *remote)
{
    size_t i, j;
    json_t *component, *worker;
    json_array_foreach (json_object_get (status, "components"), i, component)
        json_array_foreach (json_object_get (component, "workers"), j, worker)
            if (json_integer_value (json_object_get (worker, "pid")) == pid) {
                *remote = json_is_true (json_object_get (worker, "remote"));
                return json_string_value (json_object_get (component, "name"));
            }
    return NULL;
}

//  The component whose log holds lines of pid (a worker that is gone).
static const char *
s_search_pid (const char *dir, int pid)
{
    for (size_t c = 0; c < COMPONENT_COUNT; c++)
        for (int f = 0; f < MAX_FILES; f++) {
            char path [PATH_MAX + 32];
            if (f)
                snprintf (path, sizeof path, "%s/%s.log.%d", dir, names_components [c], f);
            else
                snprintf (path, sizeof path, "%s/%s.log", dir, names_components [c]);
            size_t size;
            char *text = s_read_end (path, &size);
            if (!text)
                break;
            char tag [32];
            snprintf (tag, sizeof tag, " [%d] ", pid);
            bool found = strstr (text, tag) != NULL;
            free (text);
            if (found)
                return names_components [c];
        }
    return NULL;
}

int
cli_logs (int argc, char **argv)
{
    const char *target = NULL;
    bool follow = false;
    view_t view = { .count = 0 };
    long count = 10;
    for (int i = 0; i < argc; i++)
        if (strcmp (argv [i], "--help") == 0 || strcmp (argv [i], "-h") == 0)
            return cli_help (s_logs_help, "logs");
    for (int i = 0; i < argc; i++) {
        if (strcmp (argv [i], "-f") == 0 || strcmp (argv [i], "--follow") == 0)
            follow = true;
        else
        if (strcmp (argv [i], "--json") == 0)
            view.json = true;
        else
        if (strcmp (argv [i], "-n") == 0 || strcmp (argv [i], "--lines") == 0) {
            char *end;
            errno = 0;
            count = i + 1 < argc? strtol (argv [i + 1], &end, 10): -1;
            if (i + 1 >= argc || errno || *end || !*argv [i + 1] || count < 0 || count > 1000000)
                return cli_fail (EXIT_USAGE, "logs: -n needs a number of lines from 0 to "
                               "1000000 (see --help)");
            i++;
        }
        else
        if (argv [i][0] == '-')
            return cli_fail (EXIT_USAGE, "logs: unknown option '%s' (see --help)", argv [i]);
        else
        if (target)
            return cli_fail (EXIT_USAGE, "logs: one COMPONENT, PID or supervisor at most, not "
                           "'%s' too (see --help)", argv [i]);
        else
            target = argv [i];
    }
    int pid = 0;
    bool component_target = false;
    if (target) {
        for (size_t c = 0; c < COMPONENT_COUNT; c++)
            component_target = component_target || strcmp (target, names_components [c]) == 0;
        if (!component_target && strcmp (target, "supervisor")) {
            char *end;
            long value = strtol (target, &end, 10);
            if (!isdigit ((unsigned char) *target) || *end || value <= 0 || value > INT32_MAX)
                return cli_fail (EXIT_USAGE, "logs: '%s' is not a component (parser, detector, "
                               "generator), a pid or supervisor (see --help)", target);
            pid = (int) value;
        }
    }
    const char *remote = getenv ("R2CI_ENDPOINT");
    if (remote && *remote)
        return cli_fail (EXIT_UNAVAILABLE, "logs: the supervisor at %s keeps its logs on its "
                       "own host: run `readme2ci logs` there", remote);

    //  The folder: as the running supervisor says, else the one a
    //  supervisor with this state folder would use.
    char runtime [PATH_MAX], dir [PATH_MAX] = "", state [PATH_MAX];
    json_t *status = util_runtime_dir (runtime, sizeof runtime) == 0? s_status (runtime): NULL;
    json_t *logs = json_object_get (json_object_get (status, "supervisor"), "logs");
    const char *known = json_string_value (json_object_get (logs, "dir"));
    if (known)
        util_copy (dir, sizeof dir, known);
    else
    if (util_state_dir (state, sizeof state) || logcap_dir_for (state, runtime, dir, sizeof dir))
        return cli_fail (EXIT_UNAVAILABLE, "logs: state folder path too long");
    struct stat st;
    if (stat (dir, &st) || !S_ISDIR (st.st_mode)) {
        json_decref (status);
        return cli_fail (EXIT_INPUT, "logs: no logs in %s: no supervisor has run with this "
                       "state folder (README2CI_STATE_DIR, or the config's state_dir)", dir);
    }

    //  The supervisor's own log: where its stderr goes when that is a
    //  file; without a running supervisor, the one it keeps detached.
    int supervisor_pid = (int) json_integer_value (json_object_get (
                             json_object_get (status, "supervisor"), "pid"));
    const char *own = json_string_value (json_object_get (logs, "own"));
    char own_path [PATH_MAX + 32];
    if (status)
        util_copy (own_path, sizeof own_path, own? own: "");
    else
        snprintf (own_path, sizeof own_path, "%s/supervisor.log", dir);
    bool want_supervisor = !target || strcmp (target, "supervisor") == 0
                        || (pid && pid == supervisor_pid);
    if (want_supervisor) {
        if (own_path [0]) {
            s_add (&view, dir, "supervisor", 0);
            util_copy (view.logs [view.count - 1].path, sizeof view.logs [0].path, own_path);
        }
        else {
            fprintf (stderr, "readme2ci: the supervisor (pid %d) writes its log on its "
                     "stderr, which is not a file here (a terminal, or journald: "
                     "`journalctl -u readme2ci`); only `up -d` keeps it in %s/supervisor.log\n",
                     supervisor_pid, dir);
            if (target) {
                json_decref (status);
                return EXIT_INPUT;
            }
        }
    }
    if (!target)
        for (size_t c = 0; c < COMPONENT_COUNT; c++)
            s_add (&view, dir, names_components [c], 0);
    else
    if (component_target)
        s_add (&view, dir, target, 0);
    else
    if (pid && pid != supervisor_pid) {
        bool is_remote = false;
        const char *name = status? s_worker_of (status, pid, &is_remote): NULL;
        if (name && is_remote) {
            s_remote_note (status, name, pid);
            json_decref (status);
            return EXIT_UNAVAILABLE;
        }
        if (!name)
            name = s_search_pid (dir, pid);
        if (!name) {
            json_decref (status);
            return cli_fail (EXIT_INPUT, "logs: no worker with pid %d in the logs in %s", pid,
                           dir);
        }
        s_add (&view, dir, name, pid);
    }
    if (status && !pid)
        s_remote_note (status, component_target? target: NULL, 0);
    json_decref (status);
    view.several = view.count > 1;
    for (size_t i = 0; i < view.count; i++)
        s_tail (&view, &view.logs [i], count);
    if (!follow)
        return fflush (stdout) == 0? EXIT_OK: EXIT_INPUT;
    int code = s_follow (&view);
    for (size_t i = 0; i < view.count; i++)
        if (view.logs [i].fd >= 0)
            close (view.logs [i].fd);
    return code;
}

void
cli_logs_print_exits (FILE *out, json_t *component)
{
    const char *state = json_string_value (json_object_get (component, "state"));
    json_t *exits = json_object_get (component, "exits");
    //  A component that runs as wanted needs no story; one that is FATAL
    //  or still starting after exits has one.
    if (!state || !json_array_size (exits)
    ||  (strcmp (state, names_component_states [COMPONENT_FATAL])
         && strcmp (state, names_component_states [COMPONENT_STARTING])))
        return;
    fprintf (out, "  last exits, newest first (`readme2ci logs %s` for more):\n",
             json_string_value (json_object_get (component, "name")));
    size_t i;
    json_t *record;
    json_array_foreach (exits, i, record) {
        char how [96];
        json_t *signal = json_object_get (record, "signal");
        if (json_is_true (json_object_get (record, "spawn_failed")))
            snprintf (how, sizeof how, "could not start");
        else
        if (signal)
            snprintf (how, sizeof how, "pid %lld killed by %s%s",
                      (long long) json_integer_value (json_object_get (record, "pid")),
                      json_string_value (json_object_get (record, "signal_name")),
                      json_is_true (json_object_get (record, "killed_by_supervisor"))
                      ? " (sent by the supervisor)": "");
        else
            snprintf (how, sizeof how, "pid %lld exit status %lld",
                      (long long) json_integer_value (json_object_get (record, "pid")),
                      (long long) json_integer_value (json_object_get (record, "status")));
        const char *line = json_string_value (json_object_get (record, "last_line"));
        fprintf (out, "    %s  %s%s%s%s\n",
                 json_string_value (json_object_get (record, "time")), how,
                 json_is_false (json_object_get (record, "was_ready"))
                 && !json_is_true (json_object_get (record, "spawn_failed"))
                 ? ", before it was ready": "",
                 line && *line? ": ": "", line? line: "");
    }
}
