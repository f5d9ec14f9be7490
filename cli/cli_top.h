/*  cli/cli_top.h - `readme2ci top`: a full-screen view of the running
    tree (supervisor, components, workers, queue, throughput, latency),
    refreshed every second until q.  */
#ifndef CLI_TOP_H_INCLUDED
#define CLI_TOP_H_INCLUDED

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>

//  The command: argv holds the arguments after "top". Returns the exit
//  status (0, 2 for bad usage, 3 when no supervisor answers).
int cli_top (int argc, char **argv);

//  What a screen shows besides the status document.
typedef struct {
    double rate;                //  workflows ended per second; < 0: not known yet
    int columns;                //  lines are cut to this width
    int rows;                   //  and the screen to this many lines
    bool colour;                //  escape sequences for colour
    const char *problem;        //  a line saying what went wrong, or NULL
} cli_top_view_t;

//  The screen for status_json (the supervisor's `status` answer; NULL when
//  there is none), one line per "\n", at most view->rows lines of at most
//  view->columns visible characters. Returns a malloc'd text the caller
//  frees, or NULL (ENOMEM; EPROTO when status_json is not a status
//  document).
char *cli_top_render (const char *status_json, const cli_top_view_t *view);

//  The queue line of a status document's "queue" object, as `status` and
//  `top` show it: "queue: critical 0" then each lower level, each
//  after separator ("queue: critical 0, high 2, normal 0, low 1"). Returns buf;
//  cut short when size is too small.
char *cli_top_queue_line (json_t *queue, const char *separator, char *buf, size_t size);

#endif
