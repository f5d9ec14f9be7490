/*  tests/test_cli_top.c - `readme2ci top`: the screen drawn from invented
    status documents, and the real command in a tmux terminal against a
    running tree (keys sent, the pane captured).  */
#include "cli/cli_top.h"

#include "common/names.h"
#include "shared/term.h"
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <pty.h>
#include <signal.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const s_status =
    "{\"supervisor\": {\"pid\": 4242, \"uptime_ms\": 3723000, \"rss_kib\": 9000,"
    " \"journal_healthy\": true, \"health\": \"degraded\"},"
    " \"queue\": {\"critical\": 1, \"high\": 0, \"normal\": 7, \"low\": 2},"
    " \"workflows\": {\"completed\": 120, \"failed\": 3, \"shed\": 1, \"in_flight\": 4},"
    " \"components\": ["
    "  {\"name\": \"parser\", \"state\": \"running\", \"desired\": 2, \"ready\": 2,"
    "   \"breaker\": \"closed\", \"restarts\": 0, \"queued\": 5,"
    "   \"latency_ms\": {\"p50\": 1.25, \"p99\": 9.5}, \"workers\": ["
    "    {\"pid\": 101, \"state\": \"ready\", \"jobs\": 2, \"rss_kib\": 7000,"
    "     \"uptime_ms\": 61000, \"host\": \"local\"},"
    "    {\"pid\": 102, \"state\": \"starting\", \"jobs\": 0, \"rss_kib\": 6000,"
    "     \"uptime_ms\": 1000, \"host\": \"local\"}]},"
    "  {\"name\": \"detector\", \"state\": \"FATAL\", \"desired\": 1, \"ready\": 0,"
    "   \"breaker\": \"open\", \"restarts\": 5, \"queued\": 5,"
    "   \"latency_ms\": {\"p50\": 0.0, \"p99\": 0.0}, \"workers\": []},"
    "  {\"name\": \"generator\", \"state\": \"running\", \"desired\": 1, \"ready\": 1,"
    "   \"breaker\": \"closed\", \"restarts\": 1, \"queued\": 0,"
    "   \"latency_ms\": {\"p50\": 0.5, \"p99\": 2.0}, \"workers\": ["
    "    {\"pid\": 301, \"state\": \"ready\", \"jobs\": 0, \"rss_kib\": 8000,"
    "     \"uptime_ms\": 5000, \"host\": \"local\"}]}]}";

//  The line of text that starts with prefix, copied into buf; false if
//  there is none.
static bool
s_find_line (const char *text, const char *prefix, char *buf, size_t size)
{
    for (const char *line = text; line && *line; line = strchr (line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp (line, prefix, strlen (prefix)) == 0) {
            snprintf (buf, size, "%.*s", (int) strcspn (line, "\n"), line);
            return true;
        }
    }
    return false;
}

Test (cli_top, the_screen_shows_every_part_of_the_status)
{
    cli_top_view_t view = { .rate = 12.5, .columns = 100, .rows = 40 };
    char *screen = cli_top_render (s_status, &view);
    cr_assert_not_null (screen);
    char line [256];
    cr_assert (s_find_line (screen, "readme2ci top", line, sizeof line), "%s", screen);
    //  3 723 000 ms is 1 h 2 min 3 s.
    cr_expect_str_eq (line, "readme2ci top - supervisor pid 4242, up 1h02m, degraded, "
                      "rss 9000 KiB");
    cr_assert (s_find_line (screen, "workflows:", line, sizeof line));
    cr_expect_str_eq (line, "workflows: 12.5/s  completed 120  failed 3  shed 1  in flight 4");
    cr_assert (s_find_line (screen, "queue:", line, sizeof line));
    cr_expect_str_eq (line, "queue: critical 1  high 0  normal 7  low 2");
    cr_assert (s_find_line (screen, "parser  ", line, sizeof line));
    cr_expect_not_null (strstr (line, " running "), "%s", line);
    cr_expect_not_null (strstr (line, " 2/2 "), "%s", line);
    cr_expect_not_null (strstr (line, "1.25"), "%s", line);
    cr_expect_not_null (strstr (line, "9.50"), "%s", line);
    cr_assert (s_find_line (screen, "detector  ", line, sizeof line));
    cr_expect_not_null (strstr (line, "FATAL"), "%s", line);
    cr_expect_not_null (strstr (line, " 0/1 "), "%s", line);
    cr_expect_not_null (strstr (line, " open "), "%s", line);
    //  Every worker on its own line, with pid, state and jobs.
    cr_expect_not_null (strstr (screen, "\nparser          101 ready        2"), "%s", screen);
    cr_expect_not_null (strstr (screen, "\nparser          102 starting     0"), "%s", screen);
    cr_expect_not_null (strstr (screen, "\ngenerator       301 ready        0"), "%s", screen);
    cr_expect_null (strchr (screen, '\033'), "no colour asked for");
    free (screen);
}

Test (cli_top, lines_fit_the_terminal_and_colour_only_when_asked)
{
    cli_top_view_t view = { .rate = -1, .columns = 30, .rows = 6 };
    char *screen = cli_top_render (s_status, &view);
    cr_assert_not_null (screen);
    size_t lines = 0;
    for (const char *line = screen; *line; lines++) {
        size_t length = strcspn (line, "\n");
        cr_expect_leq (length, 30, "%.*s", (int) length, line);
        line += length + (line [length] == '\n');
    }
    cr_expect_eq (lines, 6);
    //  No rate before the second answer.
    cr_expect_not_null (strstr (screen, "workflows: -  "), "%s", screen);
    free (screen);

    view = (cli_top_view_t) { .rate = 0, .columns = 120, .rows = 40, .colour = true };
    screen = cli_top_render (s_status, &view);
    char line [256];
    cr_assert (s_find_line (screen, "\033[31mdetector", line, sizeof line),
               "FATAL in red: %s", screen);
    cr_assert (s_find_line (screen, "\033[32mparser", line, sizeof line), "running in green");
    cr_expect_not_null (strstr (line, "\033[0m"), "and back to plain");
    free (screen);
}

//  Every component state of common/names has its colour: green when
//  well, red when fatal, yellow on the way.
Test (cli_top, every_component_state_has_its_colour)
{
    static const term_colour_t colours [COMPONENT_STATES] = {
        [COMPONENT_STARTING] = TERM_YELLOW, [COMPONENT_RUNNING] = TERM_GREEN,
        [COMPONENT_STOPPED] = TERM_YELLOW, [COMPONENT_FATAL] = TERM_RED,
    };
    cli_top_view_t view = { .rate = 0, .columns = 120, .rows = 40, .colour = true };
    for (int state = 0; state < COMPONENT_STATES; state++) {
        const char *name = names_component_states [state];
        cr_assert_neq (colours [state], TERM_PLAIN, "no colour said for %s", name);
        char status [512], line [256], start [32];
        snprintf (status, sizeof status, "{\"supervisor\": {\"pid\": 1}, \"components\": "
                  "[{\"name\": \"parser\", \"state\": \"%s\"}]}", name);
        char *screen = cli_top_render (status, &view);
        cr_assert_not_null (screen);
        snprintf (start, sizeof start, "%sparser ", term_sgr (true, colours [state]));
        cr_expect (s_find_line (screen, start, line, sizeof line), "%s not in its colour: %s",
                   name, screen);
        free (screen);
    }
}

Test (cli_top, no_answer_and_a_wrong_document)
{
    cli_top_view_t view = { .rate = -1, .columns = 80, .rows = 24,
                            .problem = "the supervisor does not answer" };
    char *screen = cli_top_render (NULL, &view);
    cr_assert_not_null (screen);
    cr_expect_not_null (strstr (screen, "the supervisor does not answer"));
    free (screen);
    errno = 0;
    cr_expect_null (cli_top_render ("{\"not\": \"a status\"}", &view));
    cr_expect_eq (errno, EPROTO);
    cr_expect_null (cli_top_render ("not json at all", &view));
}

Test (cli_top, refuses_a_pipe_and_says_what_to_use_instead, .timeout = 30)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tu_result_t r;
    cr_expect_eq (tree_cli (&tree, &r, "top", NULL), 2);
    cr_expect_not_null (strstr (r.err, "readme2ci top --once"), "%s", r.err);
    tu_result_release (&r);
    //  --once without a supervisor: exit 3 and how to start one.
    cr_expect_eq (tree_cli (&tree, &r, "top", "--once", NULL), 3);
    cr_expect_not_null (strstr (r.err, "readme2ci up -d"), "%s", r.err);
    tu_result_release (&r);
    cr_expect_eq (tree_cli (&tree, &r, "top", "--bogus", NULL), 2);
    tu_result_release (&r);
    cr_expect_eq (tree_cli (&tree, &r, "top", "--help", NULL), 0);
    cr_expect_not_null (strstr (r.out, "examples:"));
    tu_result_release (&r);
    tree_fini (&tree);
}

//  --------------------------------------------------------------------
//  In a terminal

#define TMUX "/usr/bin/tmux"

//  Runs tmux on the test's own server socket with the arguments
//  (NULL-ended); returns its stdout (caller frees) and its exit status in
//  *status_p (may be NULL).
static char *
s_tmux (const char *socket, int *status_p, const char *const *args)
{
    char *argv [24] = { TMUX, "-S", (char *) socket };
    size_t n = 3;
    for (size_t i = 0; args [i] && n < 23; i++)
        argv [n++] = (char *) args [i];
    argv [n] = NULL;
    tu_result_t r;
    cr_assert_eq (tu_run (argv, NULL, NULL, 10000, &r), 0);
    if (status_p)
        *status_p = r.status;
    char *out = strdup (r.out);
    tu_result_release (&r);
    return out;
}

#define ARGS(...) ((const char *const []) { __VA_ARGS__, NULL })

//  Captures the pane until it holds every one of the texts (NULL-ended);
//  the last capture (caller frees), or NULL after timeout_ms.
static char *
s_wait_pane (const char *socket, const char *const *texts, int timeout_ms)
{
    long long deadline = tu_now_ms () + timeout_ms;
    char *pane = NULL;
    while (tu_now_ms () < deadline) {
        free (pane);
        pane = s_tmux (socket, NULL, ARGS ("capture-pane", "-p", "-t", "top"));
        bool all = true;
        for (size_t i = 0; texts [i]; i++)
            all = all && strstr (pane, texts [i]);
        if (all)
            return pane;
        //  No sleep: each tmux call takes its few milliseconds.
    }
    cr_log_error ("last screen:\n%s", pane);
    free (pane);
    return NULL;
}

//  tmux's word on whether the pane shows the alternate screen: "1\n" or
//  "0\n". Caller frees.
static char *
s_alternate (const char *socket)
{
    return s_tmux (socket, NULL, ARGS ("display-message", "-p", "-t", "top",
                                       "#{alternate_on}"));
}

//  Failures below are expectations, not assertions, so the tree and the
//  tmux server are always stopped at the end.
Test (cli_top, runs_in_a_terminal_refreshes_and_quits_on_q, .timeout = 90)
{
    int master, slave;
    if (openpty (&master, &slave, NULL, NULL, NULL) != 0)
        cr_skip_test ("no pseudo-terminals here (is /dev/pts mounted?): tmux cannot run");
    close (master);
    close (slave);
    if (access (TMUX, X_OK))
        cr_skip_test ("no tmux here (scripts/bootstrap installs it)");
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "watched", "rust", NULL);
    char socket [PATH_MAX];
    snprintf (socket, sizeof socket, "%s/tmux", tree.state);
    char command [PATH_MAX * 2];
    //  The shell says how top ended, on the screen top gives back, and
    //  waits (a pane whose process is gone may lose its last output).
    //  Both are bounded, so nothing is left behind for long.
    snprintf (command, sizeof command, "env README2CI_RUNTIME_DIR=%s TERM=xterm NO_COLOR= "
              "timeout --foreground 60 %s top; echo \"top exited with $?\"; "
              "timeout 60 head -n 1 >/dev/null", tree.runtime, tu_bin ("readme2ci"));
    int status;
    free (s_tmux (socket, &status, ARGS ("-f", "/dev/null", "new-session", "-d", "-s", "top",
                  "-x", "100", "-y", "30", command)));
    cr_expect_eq (status, 0, "tmux did not start");
    if (status)
        goto out_stop_tree;

    char *pane = s_wait_pane (socket, ARGS ("readme2ci top - supervisor pid", "parser",
                              "detector", "generator", "completed 0"), 10000);
    cr_expect_not_null (pane, "top never showed the three components");
    if (!pane)
        goto out_stop_tmux;
    cr_expect_not_null (strstr (pane, "running     1/1"), "%s", pane);
    free (pane);
    char *state = s_alternate (socket);
    cr_expect_str_eq (state, "1\n", "top runs on the alternate screen");
    free (state);

    //  A workflow while it watches: the next refreshes show it.
    tu_result_t r;
    cr_expect_eq (tree_cli (&tree, &r, "generate", "-o", "/dev/null", project, NULL), 0,
                  "%s", r.err);
    tu_result_release (&r);
    pane = s_wait_pane (socket, ARGS ("completed 1"), 5000);
    cr_expect_not_null (pane, "the view did not refresh");
    free (pane);

    free (s_tmux (socket, NULL, ARGS ("send-keys", "-t", "top", "q")));
    //  The shell's line shows only once top has left the alternate screen.
    pane = s_wait_pane (socket, ARGS ("top exited with"), 5000);
    cr_expect_not_null (pane, "top did not quit on q");
    if (pane) {
        cr_expect_not_null (strstr (pane, "top exited with 0"), "%s", pane);
        cr_expect_null (strstr (pane, "COMPONENT"), "the view is still on the screen: %s",
                        pane);
        state = s_alternate (socket);
        cr_expect_str_eq (state, "0\n", "the terminal is not back on its own screen");
        free (state);
    }
    free (pane);
out_stop_tmux:
    free (s_tmux (socket, NULL, ARGS ("kill-server")));
out_stop_tree:
    cr_expect_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (project);
}

//  The supervisor killed while top watches: top says so at once and shows
//  none of its rows any more, then the next supervisor's.
Test (cli_top, says_at_once_when_the_supervisor_is_gone, .timeout = 90)
{
    int master, slave;
    if (openpty (&master, &slave, NULL, NULL, NULL) != 0)
        cr_skip_test ("no pseudo-terminals here (is /dev/pts mounted?): tmux cannot run");
    close (master);
    close (slave);
    if (access (TMUX, X_OK))
        cr_skip_test ("no tmux here (scripts/bootstrap installs it)");
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    char socket [PATH_MAX];
    snprintf (socket, sizeof socket, "%s/tmux", tree.state);
    char command [PATH_MAX * 2];
    snprintf (command, sizeof command, "env README2CI_RUNTIME_DIR=%s TERM=xterm NO_COLOR= "
              "timeout --foreground 60 %s top", tree.runtime, tu_bin ("readme2ci"));
    int status;
    free (s_tmux (socket, &status, ARGS ("-f", "/dev/null", "new-session", "-d", "-s", "top",
                  "-x", "100", "-y", "30", command)));
    cr_expect_eq (status, 0, "tmux did not start");
    if (status)
        goto out_stop_tree;
    char *pane = s_wait_pane (socket, ARGS ("readme2ci top - supervisor pid", "parser"),
                              10000);
    cr_expect_not_null (pane, "top never showed the tree");
    free (pane);
    if (!pane)
        goto out_stop_tmux;
    //  Killed outright: said as gone (not as a supervisor that does not
    //  answer), and no stale rows.
    pid_t old = tree.supervisor;
    int workers [64];
    size_t count = tree_children (&tree, workers, 64);
    kill (old, SIGKILL);
    for (size_t i = 0; i < count; i++)
        kill (workers [i], SIGKILL);
    tu_wait (old, 5000);
    char gone [64];
    snprintf (gone, sizeof gone, "the supervisor (pid %d) is gone", (int) old);
    pane = s_wait_pane (socket, ARGS (gone), 5000);
    cr_expect_not_null (pane, "top did not say the supervisor is gone");
    if (pane)
        cr_expect_null (strstr (pane, "parser"), "stale rows: %s", pane);
    free (pane);
    //  A new supervisor shows up by itself.
    tree_up (&tree);
    pane = s_wait_pane (socket, ARGS ("readme2ci top - supervisor pid", "parser"), 10000);
    cr_expect_not_null (pane, "top did not show the new supervisor");
    free (pane);
out_stop_tmux:
    free (s_tmux (socket, NULL, ARGS ("kill-server")));
out_stop_tree:
    ;
    tu_result_t r;
    tree_cli (&tree, &r, "down", NULL);
    tu_result_release (&r);
    tree_fini (&tree);
}
