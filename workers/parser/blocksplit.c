/*  workers/parser/blocksplit.c - from a code block to commands.

    A block that shows prompts is a transcript: only prompted lines (and
    what continues them) are commands, the rest is output. A block without
    prompts is a script: every line is a command except comments, blank
    lines and lines that look like output or a REPL.  */
#include "workers/parser/blocksplit.h"
#include "workers/parser/classify.h"
#include "workers/parser/sbuf.h"
#include "proto/readme_doc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    size_t len;
} line_t;

static bool
s_starts (const char *line, size_t len, const char *prefix)
{
    size_t plen = strlen (prefix);
    return len >= plen && memcmp (line, prefix, plen) == 0;
}

static size_t
s_skip_blank (const char *line, size_t len, size_t i)
{
    while (i < len && (line [i] == ' ' || line [i] == '\t'))
        i++;
    return i;
}

//  English words that mark a '#' line as a comment, not a root prompt.
static bool
s_has_prose (const char *text, size_t len)
{
    static const char *const words [] = { "the", "a", "an", "to", "your", "you",
        "this", "that", "sure", "if", "then", "we", "it", "is", "are", "for",
        "of", "and", "with", "from", "in", "on", "will", "should", "need",
        "needs", "only", "first", "or", "not", "be", "can", "want", NULL };
    size_t i = 0;
    while (i < len) {
        while (i < len && text [i] == ' ')
            i++;
        size_t start = i;
        while (i < len && text [i] != ' ')
            i++;
        for (int k = 0; words [k]; k++)
            if (strlen (words [k]) == i - start
            &&  memcmp (words [k], text + start, i - start) == 0)
                return true;
    }
    return false;
}

static size_t s_prompt (const knowledge_t *kb, const char *line, size_t len, blocksplit_mode_t mode, bool with_gt);

//  REPL prompts: these lines are never commands.
static bool
s_is_repl (const char *line, size_t len)
{
    static const char *const prompts [] = { ">>>", "...", "irb>", "irb(", "iex>",
        "iex(", "scala>", "ghci>", "mysql>", "postgres=", "sqlite>", "In [",
        "Out[", "λ>", "julia>", "utop #", "=>", "#=>", "> >", NULL };
    size_t i = s_skip_blank (line, len, 0);
    for (int k = 0; prompts [k]; k++)
        if (s_starts (line + i, len - i, prompts [k]))
            return true;
    return false;
}

//  Output that slips into promptless blocks: traces, build tool banners,
//  check marks, npm's "> pkg@1.0.0 test" echo, and rules drawn with a
//  run of one character ("===== 3 passed in 0.01s =====", "-----").
static bool
s_is_output (const char *line, size_t len)
{
    static const char *const marks [] = { "+ ", "----->", "==>", "✓", "✔", "✗",
        "✘", "…", "-->", "> ", NULL };
    size_t i = s_skip_blank (line, len, 0);
    for (int k = 0; marks [k]; k++)
        if (s_starts (line + i, len - i, marks [k]))
            return true;
    if (i + 2 < len && strchr ("=-*~_", line [i])
    &&  line [i + 1] == line [i] && line [i + 2] == line [i])
        return true;
    return s_is_repl (line, len);
}

size_t
blocksplit_prompt (const knowledge_t *kb, const char *line, size_t len,
                   blocksplit_mode_t mode)
{
    return s_prompt (kb, line, len, mode, true);
}

//  The prompt at the start of line; with_gt false refuses "> ", which in
//  a block that shows "$ " prompts is output ("> app@1.0.0 test").
static size_t
s_prompt (const knowledge_t *kb, const char *line, size_t len, blocksplit_mode_t mode,
          bool with_gt)
{
    size_t i = s_skip_blank (line, len, 0);
    //  "(venv) $ " style prefixes
    if (i < len && line [i] == '(') {
        size_t close = i;
        while (close < len && close - i < 40 && line [close] != ')')
            close++;
        if (close < len && line [close] == ')' && close + 1 < len && line [close + 1] == ' ') {
            size_t after = s_skip_blank (line, len, close + 1);
            size_t inner = s_prompt (kb, line + after, len - after, mode, with_gt);
            if (inner)
                return after + inner;
        }
    }
    if (mode == BLOCKSPLIT_WINDOWS) {
        //  PS> , PS C:\src> , C:\> , >
        size_t j = i;
        if (s_starts (line + j, len - j, "PS ") || s_starts (line + j, len - j, "PS>"))
            j += 2;
        else
        if (j + 2 < len && line [j + 1] == ':' && line [j + 2] == '\\')
            ;
        else
        if (s_starts (line + j, len - j, "> "))
            return j + 2;
        else
            return 0;
        while (j < len && line [j] != '>' && j - i < 80)
            j++;
        if (j < len && line [j] == '>')
            return s_skip_blank (line, len, j + 1);
        return 0;
    }
    const char *rest = line + i;
    size_t rlen = len - i;
    if ((s_starts (rest, rlen, "$ ") || s_starts (rest, rlen, "% ")))
        return s_skip_blank (line, len, i + 2);
    if (rlen == 1 && (rest [0] == '$' || rest [0] == '%'))
        return len;
    //  "$npm test": a prompt written without its space, when a tool we
    //  know follows (a lower-case word, so not a variable like $HOME).
    if (rlen > 1 && rest [0] == '$' && rest [1] >= 'a' && rest [1] <= 'z') {
        size_t w = 1;
        while (w < rlen && rest [w] != ' ')
            w++;
        if (classify_known_tool (kb, rest + 1, w - 1))
            return i + 1;
    }
    if (s_starts (rest, rlen, "❯ ") || s_starts (rest, rlen, "➜ "))
        return s_skip_blank (line, len, i + strlen ("❯ "));
    if (s_starts (rest, rlen, "λ "))
        return s_skip_blank (line, len, i + strlen ("λ "));
    if (mode != BLOCKSPLIT_PLAIN && with_gt && s_starts (rest, rlen, "> ")
    &&  !s_starts (rest, rlen, "> >"))
        return s_skip_blank (line, len, i + 2);
    //  bash's own prompts: "bash$ ", "sh-5.1$ ", "bash-5.2# "
    static const char *const shells [] = { "bash", "sh", "zsh", "ksh", "dash", NULL };
    for (int k = 0; shells [k]; k++) {
        size_t slen = strlen (shells [k]);
        if (!s_starts (rest, rlen, shells [k]))
            continue;
        size_t j = slen;
        if (j < rlen && rest [j] == '-')
            for (j++; j < rlen && ((rest [j] >= '0' && rest [j] <= '9') || rest [j] == '.'); j++)
                ;
        if (j + 1 < rlen && (rest [j] == '$' || rest [j] == '#') && rest [j + 1] == ' ')
            return s_skip_blank (line, len, i + j + 2);
    }
    //  user@host:~/src$ , [user@host src]$ , ~/src$
    if (rlen && (rest [0] == '[' || rest [0] == '~' || rest [0] == '/'
             ||  (rest [0] >= 'a' && rest [0] <= 'z'))) {
        size_t j = 0;
        bool marked = rest [0] == '[' || rest [0] == '~';
        bool bracket = rest [0] == '[';
        while (j < rlen && j < 80 && (bracket || rest [j] != ' ')) {
            if (rest [j] == '@' || rest [j] == ':')
                marked = true;
            if (bracket && rest [j] == ']') {
                j++;
                break;
            }
            if (!bracket && (rest [j] == '$' || rest [j] == '#' || rest [j] == '%'))
                break;
            j++;
        }
        if (marked && j > 0 && j < rlen && (rest [j] == '$' || rest [j] == '#' || rest [j] == '%')
        &&  (j + 1 == rlen || rest [j + 1] == ' '))
            return s_skip_blank (line, len, i + j + 1);
    }
    //  "# make install" in a console block is root's prompt, but "# build
    //  the docs" is a comment.
    if (mode == BLOCKSPLIT_CONSOLE && s_starts (rest, rlen, "# ")) {
        size_t j = s_skip_blank (line, len, i + 2);
        size_t w = j;
        while (w < len && line [w] != ' ')
            w++;
        if (w > j && classify_known_tool (kb, line + j, w - j)
        &&  !s_has_prose (line + j, len - j))
            return j;
    }
    return 0;
}

//  The length of line without a trailing comment: '#' after a blank,
//  outside quotes. Trailing blanks are dropped too.
static size_t
s_strip_comment (const char *line, size_t len, blocksplit_mode_t mode)
{
    char quote = 0;
    size_t end = len;
    for (size_t i = 0; i < len; i++) {
        char c = line [i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else
            if (c == '\\' && quote == '"')
                i++;
            continue;
        }
        if (c == '\'' || c == '"')
            quote = c;
        else
        if (c == '\\' && mode != BLOCKSPLIT_WINDOWS)
            i++;
        else
        if (c == '#' && (i == 0 || line [i - 1] == ' ' || line [i - 1] == '\t')) {
            end = i;
            break;
        }
    }
    while (end && (line [end - 1] == ' ' || line [end - 1] == '\t' || line [end - 1] == '\r'))
        end--;
    return end;
}

//  The heredoc delimiter a line opens (<<EOF, <<-'EOF', << "END"), or 0.
static size_t
s_heredoc (const char *line, size_t len, char *delim, size_t delim_size)
{
    char quote = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        char c = line [i];
        if (quote) {
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if (c != '<' || line [i + 1] != '<' || line [i + 2] == '<')
            continue;
        size_t j = i + 2;
        if (j < len && line [j] == '-')
            j++;
        j = s_skip_blank (line, len, j);
        char q = 0;
        if (j < len && (line [j] == '\'' || line [j] == '"'))
            q = line [j++];
        size_t start = j;
        while (j < len && (line [j] == '_' || (line [j] >= 'A' && line [j] <= 'Z')
                       ||  (line [j] >= 'a' && line [j] <= 'z')
                       ||  (line [j] >= '0' && line [j] <= '9')))
            j++;
        if (j == start || j - start >= delim_size || (q && (j >= len || line [j] != q)))
            continue;
        memcpy (delim, line + start, j - start);
        delim [j - start] = 0;
        return j - start;
    }
    return 0;
}

//  True when the (comment-stripped) line goes on: a trailing backslash
//  (backtick in PowerShell, caret in cmd), or a dangling && || |.
static bool
s_continues (const char *line, size_t *len_p, blocksplit_mode_t mode)
{
    size_t len = *len_p;
    if (len == 0)
        return false;
    char last = line [len - 1];
    if ((last == '\\' && mode != BLOCKSPLIT_WINDOWS)
    ||  (mode == BLOCKSPLIT_WINDOWS && (last == '`' || last == '^'))) {
        size_t slashes = 0;
        while (slashes < len && line [len - 1 - slashes] == last)
            slashes++;
        if (last == '\\' && slashes % 2 == 0)
            return false;
        len--;
        while (len && (line [len - 1] == ' ' || line [len - 1] == '\t'))
            len--;
        *len_p = len;
        return true;
    }
    if (last == '|' || (len >= 2 && line [len - 2] == '&' && last == '&'))
        return true;
    return false;
}

//  In a block without prompts, a line that does not read as a command:
//  output such as "Error: ..." or "BenchmarkX  300 ns/op" starts with a
//  capital, a count such as "12 passing (30ms)" with a digit; console and
//  unlabelled blocks keep only lines that look like commands.
static bool
s_is_prose (const knowledge_t *kb, const char *line, size_t len, blocksplit_mode_t mode)
{
    if (mode == BLOCKSPLIT_WINDOWS)
        return false;
    if (mode != BLOCKSPLIT_SHELL)
        return !classify_looks_like_command (kb, line, len);
    size_t i = s_skip_blank (line, len, 0);
    if (i < len && ((line [i] >= 'A' && line [i] <= 'Z') || (line [i] >= '0' && line [i] <= '9'))
    &&  !classify_looks_like_command (kb, line, len)) {
        //  FOO=bar is an assignment, not output.
        size_t j = i;
        while (j < len && line [j] != ' ' && line [j] != '=')
            j++;
        return !(j < len && line [j] == '=');
    }
    return false;
}

//  Lines that are only shell syntax: the ends of functions and loops.
static bool
s_is_syntax (const char *line, size_t len)
{
    static const char *const words [] = { "}", ")", "{", "fi", "done", "esac", "else",
        "then", "do", ";;", NULL };
    size_t i = s_skip_blank (line, len, 0);
    size_t end = len;
    while (end > i && (line [end - 1] == ' ' || line [end - 1] == '\t' || line [end - 1] == ';'))
        end--;
    for (int w = 0; words [w]; w++)
        if (strlen (words [w]) == end - i && memcmp (line + i, words [w], end - i) == 0)
            return true;
    return false;
}

//  The quote left open at the end of text, given the one open before it.
static char
s_open_quote (const char *text, size_t len, char quote)
{
    for (size_t i = 0; i < len; i++) {
        char c = text [i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else
            if (c == '\\' && quote == '"')
                i++;
        }
        else
        if (c == '\'' || c == '"')
            quote = c;
        else
        if (c == '\\')
            i++;
    }
    return quote;
}

static bool
s_blank (const char *line, size_t len)
{
    return s_skip_blank (line, len, 0) == len;
}

//  True when the line is a comment in this kind of block.
static bool
s_is_comment (const char *line, size_t len, blocksplit_mode_t mode)
{
    size_t i = s_skip_blank (line, len, 0);
    if (i < len && line [i] == '#')
        return true;
    if (mode == BLOCKSPLIT_WINDOWS)
        return s_starts (line + i, len - i, "REM ") || s_starts (line + i, len - i, "rem ")
            || s_starts (line + i, len - i, "::");
    return false;
}

//  True when a command from a PowerShell or cmd block only runs there:
//  Windows paths (.\build.ps1, C:\src), scripts and programs (.bat, .cmd,
//  .ps1, .exe), cmdlets (Set-Location), $env:, cmd's builtins, the py
//  launcher, Visual Studio. `npm test` or `dotnet build` written in such
//  a block runs anywhere.
static bool
s_windows_only (const char *text, size_t len)
{
    static const char *const builtins [] = { "set", "setx", "copy", "xcopy", "del",
        "erase", "rd", "md", "dir", "cls", "type", "move", "ren", "call", "start",
        "where", "mklink", "robocopy", "choco", "winget", "scoop", "iwr", "irm", "iex",
        "py", "nmake", "msbuild", "vcpkg", "powershell", "pwsh", "cmd", NULL };
    static const char *const marks [] = { "\\", "$env:", "$Env:", "$ENV:", ".ps1",
        ".bat", ".cmd", ".exe", ".BAT", ".CMD", ".EXE", "Visual Studio", "vcvars", NULL };
    for (int k = 0; marks [k]; k++) {
        size_t mlen = strlen (marks [k]);
        for (size_t i = 0; i + mlen <= len; i++)
            if (memcmp (text + i, marks [k], mlen) == 0)
                return true;
    }
    size_t i = s_skip_blank (text, len, 0);
    size_t w = i;
    while (w < len && text [w] != ' ' && text [w] != '\t' && text [w] != '\n')
        w++;
    for (int k = 0; builtins [k]; k++) {
        size_t blen = strlen (builtins [k]);
        if (w - i != blen)
            continue;
        size_t c = 0;
        while (c < blen && (text [i + c] | 0x20) == builtins [k][c])
            c++;
        if (c == blen)
            return true;
    }
    //  Verb-Noun: a capital, letters, a dash, a capital
    if (i < w && text [i] >= 'A' && text [i] <= 'Z') {
        const char *dash = memchr (text + i, '-', w - i);
        if (dash && dash + 1 < text + w && dash [1] >= 'A' && dash [1] <= 'Z')
            return true;
    }
    //  a drive letter: "C:", "D:\\src"
    for (size_t k = 0; k + 1 < len; k++)
        if (text [k + 1] == ':' && ((text [k] >= 'A' && text [k] <= 'Z'))
        &&  (k == 0 || text [k - 1] == ' ' || text [k - 1] == '"')
        &&  (k + 2 == len || text [k + 2] == '\\' || text [k + 2] == '/'))
            return true;
    return false;
}

//  Cuts code into lines (without their newline).
static line_t *
s_lines (const char *code, size_t size, size_t *count_p)
{
    size_t count = 1;
    for (size_t i = 0; i < size; i++)
        if (code [i] == '\n')
            count++;
    line_t *lines = malloc (count * sizeof *lines);
    if (!lines)
        return NULL;
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size; i++)
        if (i == size || code [i] == '\n') {
            size_t end = i;
            if (end > start && code [end - 1] == '\r')
                end--;
            lines [n].p = code + start;
            lines [n].len = end - start;
            n++;
            start = i + 1;
        }
    //  A final newline does not make an extra line.
    if (n > 1 && lines [n - 1].len == 0 && size && code [size - 1] == '\n')
        n--;
    *count_p = n;
    return lines;
}

int
blocksplit_run (const knowledge_t *kb, const char *code, size_t size,
                blocksplit_mode_t mode, blocksplit_fn *fn, void *arg)
{
    size_t count;
    line_t *lines = s_lines (code, size, &count);
    if (!lines)
        return errno = ENOMEM, -1;
    //  Does the block show prompts, and any other than "> "?
    bool prompts = false, other = false;
    for (size_t i = 0; i < count && !other; i++) {
        size_t p = s_prompt (kb, lines [i].p, lines [i].len, mode, false);
        if (p > 0 && !s_blank (lines [i].p + p, lines [i].len - p))
            prompts = other = true;
        p = p? p: s_prompt (kb, lines [i].p, lines [i].len, mode, true);
        if (p > 0 && !s_blank (lines [i].p + p, lines [i].len - p))
            prompts = true;
    }
    //  "> " alone after a first line without a prompt is output, as npm
    //  echoes a script ("npm test" then "> app@1.0.0 test"): a block
    //  whose prompts are all "> " and that opens with a bare command is
    //  a script.
    if (prompts && !other) {
        for (size_t i = 0; i < count; i++) {
            if (s_blank (lines [i].p, lines [i].len)
            ||  s_is_comment (lines [i].p, lines [i].len, mode))
                continue;
            if (!s_prompt (kb, lines [i].p, lines [i].len, mode, true)
            &&  classify_looks_like_command (kb, lines [i].p, lines [i].len))
                prompts = false;
            break;
        }
    }
    bool with_gt = !other && prompts;
    uint32_t base_flags = prompts? CMD_F_PROMPT: 0;
    sbuf_t text = { 0 };
    int rc = 0;
    size_t i = 0;
    while (i < count && rc == 0) {
        const char *line = lines [i].p;
        size_t len = lines [i].len;
        size_t start = i++;
        size_t p = s_prompt (kb, line, len, mode, with_gt);
        if (prompts && p == 0)
            continue;               //  output
        if (!prompts && (s_blank (line, len) || s_is_comment (line, len, mode)
                     ||  s_is_output (line, len) || s_is_prose (kb, line, len, mode)
                     ||  s_is_syntax (line, len)))
            continue;
        if (p == 0)
            p = s_skip_blank (line, len, 0);
        line += p;
        len -= p;
        len = s_strip_comment (line, len, mode);
        if (len == 0)
            continue;
        sbuf_reset (&text);
        uint32_t flags = base_flags;
        char delim [64];
        while (true) {
            bool more = s_continues (line, &len, mode);
            size_t dlen = s_heredoc (line, len, delim, sizeof delim);
            sbuf_add (&text, line, len);
            if (dlen) {
                //  The body goes in verbatim up to the delimiter line.
                flags |= CMD_F_HEREDOC;
                while (i < count) {
                    const char *body = lines [i].p;
                    size_t blen = lines [i].len;
                    i++;
                    if (prompts && s_starts (body, blen, "> "))
                        body += 2, blen -= 2;
                    sbuf_addc (&text, '\n');
                    sbuf_add (&text, body, blen);
                    size_t b = s_skip_blank (body, blen, 0);
                    if (blen - b == dlen && memcmp (body + b, delim, dlen) == 0)
                        break;
                }
                break;
            }
            //  A quoted string that runs over several lines stays whole.
            char quote = mode == BLOCKSPLIT_WINDOWS? 0: s_open_quote (text.data, text.len, 0);
            if (quote && !more) {
                while (i < count && quote) {
                    sbuf_addc (&text, '\n');
                    sbuf_add (&text, lines [i].p, lines [i].len);
                    quote = s_open_quote (lines [i].p, lines [i].len, quote);
                    i++;
                }
                break;
            }
            if (!more || i >= count)
                break;
            //  The next line continues this one; a transcript may show
            //  it after a secondary prompt "> ".
            const char *next = lines [i].p;
            size_t nlen = lines [i].len;
            if (prompts && s_starts (next, nlen, "> "))
                next += 2, nlen -= 2;
            size_t b = s_skip_blank (next, nlen, 0);
            if (b == nlen)
                break;
            i++;
            sbuf_addc (&text, ' ');
            line = next + b;
            len = s_strip_comment (line, nlen - b, mode);
        }
        sbuf_rtrim (&text);
        if (text.failed) {
            errno = ENOMEM;
            rc = -1;
        }
        else
        if (text.len) {
            if (mode == BLOCKSPLIT_WINDOWS && s_windows_only (text.data, text.len))
                flags |= CMD_F_WINDOWS;
            rc = fn (arg, text.data, text.len, (uint32_t) start, flags);
        }
    }
    sbuf_release (&text);
    free (lines);
    return rc;
}

bool
blocksplit_looks_shell (const knowledge_t *kb, const char *code, size_t size)
{
    size_t count;
    line_t *lines = s_lines (code, size, &count);
    if (!lines)
        return false;
    size_t meaningful = 0, commands = 0;
    bool first_is_command = false, prompted = false, continued = false;
    for (size_t i = 0; i < count; i++) {
        const char *line = lines [i].p;
        size_t len = lines [i].len;
        if (s_blank (line, len) || s_is_comment (line, len, BLOCKSPLIT_PLAIN)) {
            continued = false;
            continue;
        }
        size_t p = blocksplit_prompt (kb, line, len, BLOCKSPLIT_PLAIN);
        if (p && classify_looks_like_command (kb, line + p, len - p))
            prompted = true;
        bool was_continued = continued;
        size_t stripped = s_strip_comment (line, len, BLOCKSPLIT_PLAIN);
        continued = stripped && line [stripped - 1] == '\\';
        if (was_continued)
            continue;
        meaningful++;
        //  Code in other languages ends lines with braces and semicolons.
        char last = stripped? line [stripped - 1]: 0;
        bool command = classify_looks_like_command (kb, line, len)
                    && last != '{' && last != ';' && last != ',' && last != ')';
        if (meaningful == 1)
            first_is_command = command;
        if (command)
            commands++;
    }
    free (lines);
    if (prompted)
        return true;
    return first_is_command && commands * 2 >= meaningful;
}
