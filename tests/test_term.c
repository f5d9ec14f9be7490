/*  tests/test_term.c - colour only on a terminal and never with NO_COLOR,
    and the progress bar: its text, silence off a terminal, and generate
    drawing it on a pseudo-terminal's stderr only.  */
#include "shared/term.h"

#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <czmq.h>

#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

Test (term, colour_on_a_terminal_only_and_never_with_no_color)
{
    int master, slave;
    if (openpty (&master, &slave, NULL, NULL, NULL) != 0)
        cr_skip_test ("no pseudo-terminals here (is /dev/pts mounted?)");
    int pipe_fds [2];
    cr_assert_eq (pipe (pipe_fds), 0);
    setenv ("TERM", "xterm", 1);
    unsetenv ("NO_COLOR");
    cr_expect (term_colour (slave));
    cr_expect (!term_colour (pipe_fds [1]), "a pipe gets no colour");
    setenv ("NO_COLOR", "1", 1);
    cr_expect (!term_colour (slave), "NO_COLOR set");
    setenv ("NO_COLOR", "", 1);
    cr_expect (term_colour (slave), "an empty NO_COLOR does not count (no-color.org)");
    unsetenv ("NO_COLOR");
    setenv ("TERM", "dumb", 1);
    cr_expect (!term_colour (slave));
    cr_expect_str_eq (term_sgr (false, TERM_RED), "");
    cr_expect_str_eq (term_sgr (true, TERM_RED), "\033[31m");
    cr_expect_str_eq (term_sgr (true, TERM_PLAIN), "\033[0m");
    int columns, rows;
    term_size (pipe_fds [0], &columns, &rows);
    cr_expect (columns == 80 && rows == 24, "a pipe has the classic size");
    close (master);
    close (slave);
    close (pipe_fds [0]);
    close (pipe_fds [1]);
}

Test (term, the_bar_as_text)
{
    term_progress_t bar = { .total = 10, .done = 5 };
    char text [128];
    //  " 5/10" takes 5 columns and the brackets 2 of the 30 (one kept
    //  free): 22 cells, half of them filled.
    term_progress_format (&bar, 30, text, sizeof text);
    cr_expect_str_eq (text, "[###########...........] 5/10");
    bar.done = 10;
    bar.failed = 2;
    term_progress_format (&bar, 200, text, sizeof text);
    cr_expect_str_eq (text, "[########################################] 10/10  2 failed",
                      "the bar stops at 40 cells");
    term_progress_format (&bar, 5, text, sizeof text);
    cr_expect_str_eq (text, " 10/10  2 failed", "too narrow for a bar: counts alone");
}

//  What the progress bar writes on out, read back from the other end.
static char *
s_progress_output (FILE *out, int read_fd, size_t total)
{
    term_progress_t bar;
    term_progress_start (&bar, out, total);
    term_progress_step (&bar, false);
    term_progress_clear (&bar);
    term_progress_step (&bar, true);
    term_progress_clear (&bar);
    //  a marker after the bar's output says all of it has arrived: a
    //  loaded machine may hand a pty's bytes over in several reads
    fputs ("<end>", out);
    fflush (out);
    static char buf [4096];
    size_t size = 0;
    buf [0] = 0;
    while (!strstr (buf, "<end>") && size < sizeof buf - 1) {
        zmq_pollitem_t item = { NULL, read_fd, ZMQ_POLLIN, 0 };
        cr_assert_eq (zmq_poll (&item, 1, 5000), 1, "no output; so far: %s", buf);
        ssize_t n = read (read_fd, buf + size, sizeof buf - 1 - size);
        cr_assert_gt (n, 0);
        size += (size_t) n;
        buf [size] = 0;
    }
    *strstr (buf, "<end>") = 0;
    return buf;
}

Test (term, the_bar_shows_on_a_terminal_and_nowhere_else)
{
    int master, slave;
    if (openpty (&master, &slave, NULL, NULL, NULL) != 0)
        cr_skip_test ("no pseudo-terminals here (is /dev/pts mounted?)");
    struct winsize ws = { .ws_row = 24, .ws_col = 60 };
    cr_assert_eq (ioctl (slave, TIOCSWINSZ, &ws), 0);
    unsetenv ("NO_COLOR");
    setenv ("TERM", "xterm", 1);
    FILE *tty = fdopen (slave, "w");
    cr_assert_not_null (tty);
    char *shown = s_progress_output (tty, master, 3);
    cr_expect_not_null (strstr (shown, "] 1/3"), "%s", shown);
    cr_expect_not_null (strstr (shown, "] 2/3  1 failed"), "%s", shown);
    cr_expect_not_null (strstr (shown, "\r\033[K"), "cleared before messages");
    //  One thing to do: no bar.
    cr_expect_str_eq (s_progress_output (tty, master, 1), "");
    fclose (tty);
    close (master);

    int pipe_fds [2];
    cr_assert_eq (pipe (pipe_fds), 0);
    FILE *piped = fdopen (pipe_fds [1], "w");
    cr_expect_str_eq (s_progress_output (piped, pipe_fds [0], 3), "", "a pipe stays quiet");
    fclose (piped);
    close (pipe_fds [0]);
}

//  Runs readme2ci with stderr on a new pseudo-terminal (stdout and stdin
//  on /dev/null); returns what the terminal received (caller frees).
static char *
s_run_on_pty (char *const argv [])
{
    int master, slave;
    if (openpty (&master, &slave, NULL, NULL, NULL) != 0)
        cr_skip_test ("no pseudo-terminals here (is /dev/pts mounted?)");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2 (&actions, slave, 2);
    pid_t pid;
    cr_assert_eq (posix_spawn (&pid, argv [0], &actions, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy (&actions);
    close (slave);
    size_t size = 0, room = 65536;
    char *text = calloc (1, room);
    long long deadline = tu_now_ms () + 30000;
    while (tu_now_ms () < deadline && size + 1 < room) {
        zmq_pollitem_t item = { NULL, master, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 1000) != 1)
            continue;
        ssize_t n = read (master, text + size, room - size - 1);
        if (n <= 0)
            break;              //  EIO: the last writer closed the terminal
        size += (size_t) n;
    }
    close (master);
    cr_expect_eq (tu_wait (pid, 10000), 0, "generate failed: %s", text);
    return text;
}

Test (term, generate_over_many_paths_draws_the_bar_on_a_terminal_only, .timeout = 60)
{
    char *dir = tu_tmpdir ();
    char *out = tu_tmpdir ();
    char *a = tree_project (dir, "one", "go", NULL);
    char *b = tree_project (dir, "two", "node", NULL);
    char *c = tree_project (dir, "three", "c", NULL);
    char *argv [] = { (char *) tu_bin ("readme2ci"), "generate", "--inline", "--out-dir", out,
                      a, b, c, NULL };
    setenv ("NO_COLOR", "1", 1);
    char *shown = s_run_on_pty (argv);
    cr_expect_not_null (strstr (shown, "] 3/3"), "%s", shown);
    cr_expect_null (strstr (shown, "\033[3"), "NO_COLOR: no colour: %s", shown);
    free (shown);

    tu_result_t r;
    cr_assert_eq (tu_run (argv, NULL, NULL, 30000, &r), 0);
    cr_expect_eq (r.status, 0, "%s", r.err);
    cr_expect_eq (r.err_size, 0, "quiet off a terminal: %s", r.err);
    tu_result_release (&r);
    tu_rmtree (dir);
    tu_rmtree (out);
    free (dir);
    free (out);
    free (a);
    free (b);
    free (c);
}
