/*  shared/term.c - colour, terminal size and a progress bar.  */
#include "shared/term.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool
term_is_tty (int fd)
{
    //  A question: errno stays as it was (isatty sets ENOTTY).
    int saved = errno;
    bool tty = isatty (fd) == 1;
    errno = saved;
    return tty;
}

bool
term_colour (int fd)
{
    const char *no_colour = getenv ("NO_COLOR");
    if (no_colour && *no_colour)
        return false;
    const char *term = getenv ("TERM");
    if (term && strcmp (term, "dumb") == 0)
        return false;
    return term_is_tty (fd);
}

const char *
term_sgr (bool enabled, term_colour_t colour)
{
    static const char *const codes [] = {
        "\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m",
        "\033[36m", "\033[7m"
    };
    if (!enabled || (size_t) colour >= sizeof codes / sizeof codes [0])
        return "";
    return codes [colour];
}

void
term_size (int fd, int *columns_p, int *rows_p)
{
    struct winsize ws;
    bool known = ioctl (fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0;
    *columns_p = known? ws.ws_col: 80;
    *rows_p = known? ws.ws_row: 24;
}

void
term_progress_start (term_progress_t *self, FILE *out, size_t total)
{
    memset (self, 0, sizeof *self);
    if (total < 2 || !out || !term_is_tty (fileno (out)))
        return;
    self->out = out;
    self->total = total;
    self->colour = term_colour (fileno (out));
}

void
term_progress_format (const term_progress_t *self, int width, char *buf, size_t size)
{
    char counts [96];
    int n = snprintf (counts, sizeof counts, " %zu/%zu", self->done, self->total);
    if (self->failed)
        snprintf (counts + n, sizeof counts - (size_t) n, "  %zu failed", self->failed);
    //  The bar takes what the counts leave, within reason.
    int bar = width - (int) strlen (counts) - 3;
    if (bar > 40)
        bar = 40;
    if (bar < 0)
        bar = 0;
    size_t filled = self->total? (size_t) bar * self->done / self->total: 0;
    size_t at = 0;
    if (bar > 0 && at + 2 < size)
        buf [at++] = '[';
    for (int i = 0; i < bar && at + 2 < size; i++)
        buf [at++] = (size_t) i < filled? '#': '.';
    if (bar > 0 && at + 1 < size)
        buf [at++] = ']';
    snprintf (buf + at, size - at, "%s", counts);
}

void
term_progress_step (term_progress_t *self, bool failed)
{
    self->done++;
    if (failed)
        self->failed++;
    if (!self->out)
        return;
    int columns, rows;
    term_size (fileno (self->out), &columns, &rows);
    char text [256];
    term_progress_format (self, columns - 1, text, sizeof text);
    fprintf (self->out, "\r\033[K%s%s%s", term_sgr (self->colour, self->failed? TERM_YELLOW
             : TERM_GREEN), text, term_sgr (self->colour, TERM_PLAIN));
    fflush (self->out);
    self->drawn = true;
}

void
term_progress_clear (term_progress_t *self)
{
    if (self->out && self->drawn) {
        fputs ("\r\033[K", self->out);
        fflush (self->out);
        self->drawn = false;
    }
}
