/*  cli/cli_exit.c - the one table of the command line's exit
    statuses (cli_exit.h says who uses it).  */
#include "cli/cli_exit.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

//  What each status means for every command, unless the command has its
//  own line for it below.
static const char *const s_general [EXIT_CODES] = {
    [EXIT_OK] = "done as asked",
    [EXIT_INPUT] = "bad input: a file, folder or id it was given cannot be used "
                   "(the message names it and why)",
    [EXIT_USAGE] = "usage: the command line is wrong; nothing was done",
    [EXIT_UNAVAILABLE] = "unavailable: no supervisor answers (within 5 s), it is "
                         "overloaded, or what the work needs cannot run",
    [EXIT_TIMEOUT] = "timed out: the work did not end within its deadline",
    [EXIT_NO_TESTS] = NULL,
    [EXIT_REFUSED] = "refused: a supervisor answered and refused (this client's key is "
                     "not authorised, or not an operator's; CURVE keys are missing)",
};

//  The statuses each command can return, and the lines it has of its own.
typedef struct {
    const char *command;
    const char *codes;          //  digits
    const char *own [EXIT_CODES];   //  by status; NULL: the general meaning
} command_exit_t;

static const command_exit_t s_commands [] = {
    { "generate", "0123456", {
        [EXIT_NO_TESTS] = "no test command found: the workflow is still written, with a "
                          "test step that fails and says what to add" } },
    { "check", "012346", {
        [EXIT_OK] = "no drift: the CI does what the README and build files say",
        [EXIT_INPUT] = "drift found (each finding is listed), or a path that cannot be "
                       "read" } },
    { "up", "01236", {
        [EXIT_OK] = "started, or already running with the same config file",
        [EXIT_UNAVAILABLE] = "the supervisor could not start, or a component is FATAL",
        [EXIT_REFUSED] = "a supervisor already runs with a config other than the file's: "
                         "`readme2ci reload` (the same file, edited), or `readme2ci down` "
                         "first" } },
    { "down", "02346", {
        [EXIT_OK] = "stopped, or none was running",
        [EXIT_TIMEOUT] = "still running 30 s after it was asked to stop" } },
    { "status", "01236", {
        [EXIT_OK] = "every component is running",
        [EXIT_INPUT] = "the supervisor answers, but a component is not running "
                       "(starting, stopped or FATAL)" } },
    { "health", "0126", {
        [EXIT_OK] = "healthy",
        [EXIT_INPUT] = "degraded: a component starting, a breaker open, the detector down",
        [EXIT_USAGE] = "down: no supervisor answers, the parser or generator is FATAL or "
                       "stopped, or the journal cannot be written (a usage error is 2 too)" } },
    { "result", "01236", {
        [EXIT_INPUT] = "no result for this id: unknown, or not finished yet" } },
    { "ctl", "01236", {
        [EXIT_UNAVAILABLE] = "the operation could not be carried out (the message says "
                             "why), or no supervisor answers" } },
    { "reload", "01236", {
        [EXIT_INPUT] = "the config file is invalid; nothing changed" } },
    { "config", "01236", {
        [EXIT_INPUT] = "the config file (or a rules overlay) is invalid" } },
    { "keys", "012", { NULL } },
    { "events", "01236", { NULL } },
    { "journal", "0123", {
        [EXIT_INPUT] = "the journal is damaged (each bad stretch is listed)" } },
    { "maintain", "012346", { NULL } },
    { "top", "0236", { NULL } },
    { "logs", "0123", {
        [EXIT_INPUT] = "no such log: none in the state folder, or no worker with that pid",
        [EXIT_UNAVAILABLE] = "the log is on another host: a remote worker's, or a "
                             "supervisor reached over tcp" } },
};

static const command_exit_t *
s_find (const char *command)
{
    for (size_t i = 0; command && i < sizeof s_commands / sizeof s_commands [0]; i++)
        if (strcmp (s_commands [i].command, command) == 0)
            return &s_commands [i];
    return NULL;
}

//  One status: "  N  " then the text (after "WHO: " when who is given),
//  wrapped at 79 columns under itself.
static void
s_row (FILE *out, int code, const char *who, const char *text)
{
    char line [1024];
    snprintf (line, sizeof line, "%s%s%s", who? who: "", who? ": ": "", text);
    fprintf (out, "  %d  ", code);
    size_t column = 5;
    for (const char *word = line; *word; ) {
        size_t len = strcspn (word, " ");
        if (column > 5 && column + 1 + len > 79) {
            fputs ("\n     ", out);
            column = 5;
        }
        else
        if (column > 5) {
            fputc (' ', out);
            column++;
        }
        fwrite (word, 1, len, out);
        column += len;
        word += len;
        word += strspn (word, " ");
    }
    fputc ('\n', out);
}

void
cli_exit_print (FILE *out, const char *command)
{
    const command_exit_t *entry = s_find (command);
    fputs ("exit status:\n", out);
    for (int code = 0; code < EXIT_CODES; code++) {
        if (entry) {
            if (!strchr (entry->codes, '0' + code))
                continue;
            s_row (out, code, NULL, entry->own [code]? entry->own [code]: s_general [code]);
            continue;
        }
        //  The whole table: the general meaning, then each command's own.
        if (s_general [code])
            s_row (out, code, NULL, s_general [code]);
        for (size_t i = 0; i < sizeof s_commands / sizeof s_commands [0]; i++)
            if (s_commands [i].own [code])
                s_row (out, code, s_commands [i].command, s_commands [i].own [code]);
    }
}

int
cli_help (const char *text, const char *command)
{
    fputs (text, stdout);
    fputc ('\n', stdout);
    cli_exit_print (stdout, command);
    return EXIT_OK;
}

int
cli_fail (int code, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fputs ("readme2ci: ", stderr);
    vfprintf (stderr, format, args);
    fputc ('\n', stderr);
    va_end (args);
    return code;
}

bool
cli_is_help (const char *arg)
{
    return strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0;
}
