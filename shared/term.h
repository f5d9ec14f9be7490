/*  shared/term.h - terminal manners for the CLI and the logs: colour
    only on a terminal and never with NO_COLOR, the terminal's size, and a
    progress bar that only a terminal sees.  */
#ifndef TERM_H_INCLUDED
#define TERM_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum {
    TERM_PLAIN,                 //  back to the default look
    TERM_BOLD,
    TERM_DIM,
    TERM_RED,
    TERM_GREEN,
    TERM_YELLOW,
    TERM_CYAN,
    TERM_REVERSE
} term_colour_t;

//  True when fd is a terminal.
bool term_is_tty (int fd);

//  True when output on fd may be coloured: fd is a terminal, NO_COLOR is
//  unset or empty (no-color.org) and TERM is not "dumb".
bool term_colour (int fd);

//  The escape sequence for colour when enabled, else "". Static text.
const char *term_sgr (bool enabled, term_colour_t colour);

//  Columns and rows of the terminal on fd, or 80 x 24 when it has none.
void term_size (int fd, int *columns_p, int *rows_p);

//  A one-line progress bar redrawn in place on a terminal. Zero value is
//  off; term_progress_start turns it on only when out is a terminal and
//  there is more than one thing to do. Plain struct: nothing to free.
typedef struct {
    FILE *out;                  //  NULL: off
    size_t total;
    size_t done;
    size_t failed;
    bool colour;
    bool drawn;                 //  a bar is on the screen now
} term_progress_t;

void term_progress_start (term_progress_t *self, FILE *out, size_t total);
//  One more done (failed or not), and the bar redrawn.
void term_progress_step (term_progress_t *self, bool failed);
//  Removes the bar from the screen (before printing a message), until the
//  next step draws it again.
void term_progress_clear (term_progress_t *self);
//  The bar as text for a width, into buf: "[#####.....] 5/10  1 failed".
//  Exposed for tests; no escape sequences.
void term_progress_format (const term_progress_t *self, int width, char *buf, size_t size);

#endif
