/*  cli/cli_top.c - `readme2ci top`: asks the supervisor for its
    status every second and draws it full-screen with ANSI sequences; the
    terminal is raw (keys without Enter) until q, and restored after.  */
#include "cli/cli_top.h"

#include "common/breaker.h"
#include "common/names.h"
#include "common/util.h"
#include "cli/cli_exit.h"
#include "cli/client.h"
#include "proto/wire.h"
#include "shared/term.h"

#include <jansson.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#define REFRESH_MS 1000
#define ANSWER_MS 900

static const char *const s_help =
    "usage: readme2ci top [--once]\n"
    "\n"
    "A live view of the running tree, refreshed every second: the supervisor\n"
    "(pid, uptime, health, memory), each component (state, workers wanted and\n"
    "ready, breaker, restarts, queued jobs, step latency p50/p99), each worker\n"
    "(pid, state, jobs in hand, memory), the queue per priority and the\n"
    "throughput in workflows per second.\n"
    "\n"
    "keys: q (or Ctrl-C) quits and gives the terminal back as it was.\n"
    "\n"
    "  --once     print one screen to stdout without escape sequences and exit\n"
    "             (for scripts; stdout need not be a terminal)\n"
    "\n"
    "examples:\n"
    "  readme2ci top\n"
    "  readme2ci top --once | grep parser\n";

//  --------------------------------------------------------------------
//  Drawing

typedef struct {
    char *text;
    size_t size;
    size_t used;
    size_t lines;
    const cli_top_view_t *view;
} screen_t;

//  Adds one line, cut to the width, wrapped in colour when the view has
//  colour; lines past the screen's height are dropped.
static void
s_line (screen_t *self, term_colour_t colour, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
s_line (screen_t *self, term_colour_t colour, const char *format, ...)
{
    if (!self->text || (int) self->lines >= self->view->rows)
        return;
    char plain [1024];
    va_list args;
    va_start (args, format);
    vsnprintf (plain, sizeof plain, format, args);
    va_end (args);
    int width = self->view->columns < (int) sizeof plain? self->view->columns
              : (int) sizeof plain - 1;
    if (width >= 0 && (int) strlen (plain) > width)
        plain [width] = 0;
    //  Padding only serves a reverse-video bar.
    if (!(self->view->colour && colour == TERM_REVERSE)) {
        size_t length = strlen (plain);
        while (length > 0 && plain [length - 1] == ' ')
            plain [--length] = 0;
    }
    const char *on = term_sgr (self->view->colour && colour != TERM_PLAIN, colour);
    const char *off = term_sgr (self->view->colour && colour != TERM_PLAIN, TERM_PLAIN);
    size_t need = strlen (on) + strlen (plain) + strlen (off) + 2;
    if (self->used + need >= self->size) {
        size_t size = (self->size + need) * 2;
        char *text = realloc (self->text, size);
        if (!text) {
            free (self->text);
            self->text = NULL;
            return;
        }
        self->text = text;
        self->size = size;
    }
    self->used += (size_t) snprintf (self->text + self->used, self->size - self->used,
                                     "%s%s%s\n", on, plain, off);
    self->lines++;
}

static const char *
s_str (json_t *object, const char *key)
{
    const char *value = json_string_value (json_object_get (object, key));
    return value? value: "?";
}

static long long
s_int (json_t *object, const char *key)
{
    return (long long) json_integer_value (json_object_get (object, key));
}

//  Green for a state that is well (a component running, a worker ready,
//  a healthy tree, a closed breaker), red for one that is not (a
//  component fatal, written in any case, a tree down, an open breaker),
//  yellow for the ones on their way between.
static term_colour_t
s_state_colour (const char *state)
{
    const char *const well [] = {
        names_component_states [COMPONENT_RUNNING], names_worker_states [W_READY],
        names_health [HEALTH_HEALTHY], breaker_state_name (BREAKER_CLOSED),
    };
    const char *const ill [] = {
        names_health [HEALTH_DOWN], breaker_state_name (BREAKER_OPEN),
    };
    for (size_t i = 0; i < sizeof well / sizeof well [0]; i++)
        if (strcmp (state, well [i]) == 0)
            return TERM_GREEN;
    if (strcasecmp (state, names_component_states [COMPONENT_FATAL]) == 0)
        return TERM_RED;
    for (size_t i = 0; i < sizeof ill / sizeof ill [0]; i++)
        if (strcmp (state, ill [i]) == 0)
            return TERM_RED;
    return TERM_YELLOW;
}

static void
s_uptime (long long ms, char *buf, size_t size)
{
    long long s = ms / 1000;
    if (s < 3600)
        snprintf (buf, size, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf (buf, size, "%lldh%02lldm", s / 3600, (s / 60) % 60);
}

char *
cli_top_queue_line (json_t *queue, const char *separator, char *buf, size_t size)
{
    size_t used = (size_t) snprintf (buf, size, "queue: ");
    for (size_t p = 0; p < WIRE_PRIORITY_LEVELS && used < size; p++)
        used += (size_t) snprintf (buf + used, size - used, "%s%s %lld", p? separator: "",
                                   wire_priority_names [p],
                                   s_int (queue, wire_priority_names [p]));
    return buf;
}

char *
cli_top_render (const char *status_json, const cli_top_view_t *view)
{
    screen_t screen = { .text = malloc (4096), .size = 4096, .view = view };
    if (!screen.text)
        return NULL;
    screen.text [0] = 0;
    json_t *root = status_json? json_loads (status_json, 0, NULL): NULL;
    json_t *sup = json_object_get (root, "supervisor");
    if (status_json && !json_is_object (sup)) {
        json_decref (root);
        free (screen.text);
        errno = EPROTO;
        return NULL;
    }
    if (!root) {
        s_line (&screen, TERM_BOLD, "readme2ci top");
        s_line (&screen, TERM_RED, "%s", view->problem? view->problem
                : "no supervisor answers");
        return screen.text;
    }
    char up [32];
    s_uptime (s_int (sup, "uptime_ms"), up, sizeof up);
    const char *health = s_str (sup, "health");
    s_line (&screen, TERM_BOLD, "readme2ci top - supervisor pid %lld, up %s, %s, rss %lld KiB%s",
            s_int (sup, "pid"), up, health, s_int (sup, "rss_kib"),
            json_is_false (json_object_get (sup, "journal_healthy"))? ", JOURNAL FAILING": "");
    json_t *flows = json_object_get (root, "workflows");
    char rate [32] = "-";
    if (view->rate >= 0)
        snprintf (rate, sizeof rate, "%.1f/s", view->rate);
    s_line (&screen, TERM_PLAIN, "workflows: %s  completed %lld  failed %lld  shed %lld  "
            "in flight %lld", rate, s_int (flows, "completed"), s_int (flows, "failed"),
            s_int (flows, "shed"), s_int (flows, "in_flight"));
    json_t *queue = json_object_get (root, "queue");
    char levels [128];
    s_line (&screen, TERM_PLAIN, "%s", cli_top_queue_line (queue, "  ", levels, sizeof levels));
    if (view->problem)
        s_line (&screen, TERM_RED, "%s", view->problem);
    else
        s_line (&screen, TERM_PLAIN, "%s", "");
    s_line (&screen, TERM_REVERSE, "%-10s %-9s %5s %-9s %8s %6s %8s %8s%*s", "COMPONENT",
            "STATE", "READY", "BREAKER", "RESTARTS", "QUEUED", "P50 MS", "P99 MS",
            view->columns > 72? view->columns - 72: 0, "");
    size_t i, j;
    json_t *component, *worker;
    json_t *components = json_object_get (root, "components");
    json_array_foreach (components, i, component) {
        json_t *latency = json_object_get (component, "latency_ms");
        const char *state = s_str (component, "state");
        char ready [24];
        snprintf (ready, sizeof ready, "%lld/%lld", s_int (component, "ready"),
                  s_int (component, "desired"));
        s_line (&screen, s_state_colour (state), "%-10s %-9s %5s %-9s %8lld %6lld %8.2f %8.2f",
                s_str (component, "name"), state, ready, s_str (component, "breaker"),
                s_int (component, "restarts"), s_int (component, "queued"),
                json_real_value (json_object_get (latency, "p50")),
                json_real_value (json_object_get (latency, "p99")));
    }
    s_line (&screen, TERM_PLAIN, "%s", "");
    s_line (&screen, TERM_REVERSE, "%-10s %8s %-9s %4s %9s %8s %-10s%*s", "WORKER", "PID",
            "STATE", "JOBS", "RSS KIB", "UP", "HOST",
            view->columns > 64? view->columns - 64: 0, "");
    json_array_foreach (components, i, component) {
        json_array_foreach (json_object_get (component, "workers"), j, worker) {
            const char *state = s_str (worker, "state");
            s_uptime (s_int (worker, "uptime_ms"), up, sizeof up);
            s_line (&screen, state [0] == 'r'? TERM_PLAIN: TERM_YELLOW,
                    "%-10s %8lld %-9s %4lld %9lld %8s %-10s", s_str (component, "name"),
                    s_int (worker, "pid"), state, s_int (worker, "jobs"),
                    s_int (worker, "rss_kib"), up, s_str (worker, "host"));
        }
    }
    json_decref (root);
    return screen.text;
}

//  --------------------------------------------------------------------
//  The terminal

typedef struct {
    struct termios saved;
    bool raw;
    int sigfd;
    sigset_t old_mask;
} tty_t;

//  Keys one at a time, no echo, Ctrl-C as a key; the other screen, no
//  cursor; SIGTERM, SIGHUP, SIGINT and SIGWINCH as events on sigfd.
static int
s_tty_enter (tty_t *self)
{
    self->sigfd = -1;
    if (tcgetattr (STDIN_FILENO, &self->saved) == 0) {
        struct termios raw = self->saved;
        raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO | ISIG);
        raw.c_cc [VMIN] = 0;
        raw.c_cc [VTIME] = 0;
        self->raw = tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    sigset_t mask;
    sigemptyset (&mask);
    sigaddset (&mask, SIGTERM);
    sigaddset (&mask, SIGHUP);
    sigaddset (&mask, SIGINT);
    sigaddset (&mask, SIGWINCH);
    sigprocmask (SIG_BLOCK, &mask, &self->old_mask);
    self->sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    fputs ("\033[?1049h\033[?25l\033[H\033[2J", stdout);
    fflush (stdout);
    return self->sigfd < 0? -1: 0;
}

static void
s_tty_leave (tty_t *self)
{
    fputs ("\033[?25h\033[?1049l", stdout);
    fflush (stdout);
    if (self->raw)
        tcsetattr (STDIN_FILENO, TCSANOW, &self->saved);
    if (self->sigfd >= 0)
        close (self->sigfd);
    sigprocmask (SIG_SETMASK, &self->old_mask, NULL);
}

//  Draws the screen from the top left, clearing what the last one left.
static void
s_draw (const char *screen)
{
    fputs ("\033[H", stdout);
    for (const char *line = screen; *line; ) {
        size_t length = strcspn (line, "\n");
        fwrite (line, 1, length, stdout);
        fputs ("\033[K", stdout);
        line += length;
        if (*line == '\n') {
            line++;
            if (*line)
                fputs ("\r\n", stdout);
        }
    }
    fputs ("\033[J", stdout);
    fflush (stdout);
}

//  The status document, or NULL when the supervisor did not answer.
static char *
s_status (client_t *client, int timeout_ms)
{
    client_reply_t reply;
    if (client_request (client, "status", NULL, 0, timeout_ms, &reply))
        return NULL;
    char *body = reply.reply.code == 0? strdup (reply.body): NULL;
    client_reply_release (&reply);
    return body;
}

static long long
s_ended (const char *status_json)
{
    json_t *root = json_loads (status_json, 0, NULL);
    json_t *flows = json_object_get (root, "workflows");
    long long ended = s_int (flows, "completed") + s_int (flows, "failed")
                    + s_int (flows, "shed");
    json_decref (root);
    return ended;
}

//  One screen for the terminal's size now.
static void
s_paint (const char *status, double rate, bool colour, const char *problem)
{
    cli_top_view_t view = { .rate = rate, .colour = colour, .problem = problem };
    term_size (STDOUT_FILENO, &view.columns, &view.rows);
    char *screen = cli_top_render (status, &view);
    if (screen)
        s_draw (screen);
    free (screen);
}

//  " (pid N)" for the supervisor of a status document; "" without one.
static const char *
s_pid_text (const char *status_json, char *buf, size_t size)
{
    buf [0] = 0;
    json_t *root = status_json? json_loads (status_json, 0, NULL): NULL;
    long long pid = s_int (json_object_get (root, "supervisor"), "pid");
    if (pid > 0)
        snprintf (buf, size, " (pid %lld)", pid);
    json_decref (root);
    return buf;
}

static int
s_run (client_t *client, const char *runtime, char *status)
{
    char gone [128] = "the supervisor is gone; waiting for one to start (q quits)";
    char pid_text [32];
    tty_t tty;
    if (s_tty_enter (&tty)) {
        s_tty_leave (&tty);
        free (status);
        return cli_fail (EXIT_UNAVAILABLE, "top: cannot watch signals: %s", strerror (errno));
    }
    bool colour = term_colour (STDOUT_FILENO);
    long long last_ended = s_ended (status);
    uint64_t last_ms = util_now_ms ();
    double rate = -1;
    const char *problem = NULL;
    bool quit = false;
    s_paint (status, rate, colour, problem);
    uint64_t next_ms = util_now_ms () + REFRESH_MS;
    while (!quit) {
        uint64_t now = util_now_ms ();
        if (now >= next_ms) {
            //  A supervisor that is gone is said at once, and its rows
            //  go with it: nothing stale stays on the screen.
            char *fresh = client_running_supervisor (runtime) > 0
                        ? s_status (client, ANSWER_MS): NULL;
            if (!fresh && client_running_supervisor (runtime) <= 0) {
                if (status)
                    snprintf (gone, sizeof gone, "the supervisor%s is gone; waiting for one "
                              "to start (q quits)", s_pid_text (status, pid_text,
                                                                sizeof pid_text));
                problem = gone;
                free (status);
                status = NULL;
            }
            else
                problem = fresh? NULL: "the supervisor does not answer; retrying (q quits)";
            if (fresh) {
                free (status);
                status = fresh;
                //  Throughput: workflows that ended since the last answer.
                long long ended = s_ended (status);
                uint64_t at = util_now_ms ();
                if (at > last_ms && ended >= last_ended)
                    rate = (double) (ended - last_ended) * 1000.0 / (double) (at - last_ms);
                last_ended = ended;
                last_ms = at;
            }
            s_paint (status, rate, colour, problem);
            next_ms = util_now_ms () + REFRESH_MS;
            continue;
        }
        struct pollfd items [2] = { { STDIN_FILENO, POLLIN, 0 }, { tty.sigfd, POLLIN, 0 } };
        if (poll (items, 2, (int) (next_ms - now)) < 0 && errno != EINTR)
            break;
        if (items [0].revents & (POLLHUP | POLLERR))
            break;                  //  the terminal went away
        if (items [0].revents & POLLIN) {
            char keys [32];
            ssize_t n = read (STDIN_FILENO, keys, sizeof keys);
            for (ssize_t k = 0; k < n; k++)
                if (keys [k] == 'q' || keys [k] == 'Q' || keys [k] == 3)
                    quit = true;
        }
        if (items [1].revents & POLLIN) {
            struct signalfd_siginfo info;
            bool resized = false;
            while (read (tty.sigfd, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGWINCH)
                    resized = true;
                else
                    quit = true;
            }
            if (resized && !quit)
                s_paint (status, rate, colour, problem);
        }
    }
    s_tty_leave (&tty);
    free (status);
    return 0;
}

int
cli_top (int argc, char **argv)
{
    bool once = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp (argv [i], "--help") == 0 || strcmp (argv [i], "-h") == 0) {
            return cli_help (s_help, "top");
        }
        if (strcmp (argv [i], "--once") == 0)
            once = true;
        else
            return cli_fail (EXIT_USAGE, "top: unknown argument '%s' (see readme2ci top "
                             "--help)", argv [i]);
    }
    if (!once && (!term_is_tty (STDOUT_FILENO) || !term_is_tty (STDIN_FILENO)))
        return cli_fail (EXIT_USAGE, "top: needs a terminal; for scripts use `readme2ci top "
                         "--once` or `readme2ci status --json`");
    char runtime [PATH_MAX];
    if (util_runtime_dir (runtime, sizeof runtime))
        return cli_fail (EXIT_UNAVAILABLE, "top: the runtime folder path is too long");
    char endpoint [PATH_MAX + 16];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/front", runtime);
    client_t *client = client_new (endpoint);
    char *status = client? s_status (client, 2000): NULL;
    if (!status) {
        client_destroy (&client);
        return cli_fail (EXIT_UNAVAILABLE, "top: no supervisor answers in %s (start one with "
                         "`readme2ci up -d`)", runtime);
    }
    int code = 0;
    if (once) {
        cli_top_view_t view = { .rate = -1, .columns = 200, .rows = 1000 };
        char *screen = cli_top_render (status, &view);
        if (screen)
            fputs (screen, stdout);
        free (screen);
        free (status);
    }
    else
        code = s_run (client, runtime, status);
    client_destroy (&client);
    return code;
}
