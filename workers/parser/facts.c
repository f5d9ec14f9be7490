/*  workers/parser/facts.c - version requirements stated in prose.

    At each word that names a language or runtime we look a few words
    ahead for a version, with the words that qualify it around it ("at
    least", "or later", "+", ">="). Sentences that say a version is no
    longer supported are skipped.  */
#include "workers/parser/facts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;       //  as written, case-sensitive
    const char *key;
} name_t;

static const name_t s_names [] = {
    { "Python", "python" }, { "python", "python" }, { "CPython", "python" },
    { "Node.js", "node" }, { "node.js", "node" }, { "NodeJS", "node" },
    { "Nodejs", "node" }, { "nodejs", "node" }, { "Node", "node" }, { "node", "node" },
    { "Go", "go" }, { "Golang", "go" }, { "golang", "go" },
    { "Java", "java" }, { "JDK", "java" }, { "OpenJDK", "java" }, { "JRE", "java" },
    { "Ruby", "ruby" }, { "ruby", "ruby" },
    { "Rust", "rust" }, { "rust", "rust" }, { "rustc", "rust" }, { "MSRV", "rust" },
    { "PHP", "php" }, { "php", "php" },
    { "Elixir", "elixir" }, { "elixir", "elixir" },
    { "Erlang/OTP", "otp" }, { "OTP", "otp" }, { "Erlang", "otp" },
    { ".NET", "dotnet" }, { "dotnet", "dotnet" },
    { "Swift", "swift" }, { "Zig", "zig" }, { "zig", "zig" },
    { "GHC", "ghc" }, { "ghc", "ghc" }, { "OCaml", "ocaml" }, { "ocaml", "ocaml" },
    { "Dart", "dart" }, { "Deno", "deno" }, { "deno", "deno" },
    { NULL, NULL }
};

static bool
s_alnum (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
s_digit (char c)
{
    return c >= '0' && c <= '9';
}

static bool
s_at (const char *text, size_t size, size_t i, const char *word)
{
    size_t len = strlen (word);
    return i + len <= size && memcmp (text + i, word, len) == 0;
}

//  Same, and the word ends there.
static bool
s_word_at (const char *text, size_t size, size_t i, const char *word)
{
    size_t len = strlen (word);
    return s_at (text, size, i, word) && (i + len == size || !s_alnum (text [i + len]));
}

static size_t
s_skip_space (const char *text, size_t size, size_t i)
{
    while (i < size && (text [i] == ' ' || text [i] == '\t' || text [i] == '\n'))
        i++;
    return i;
}

const char *
facts_key (const char *name, size_t size)
{
    for (const name_t *n = s_names; n->name; n++)
        if (strlen (n->name) == size && memcmp (n->name, name, size) == 0)
            return n->key;
    //  Badge labels are lower-case: "node", "msrv", "rustc", "python".
    char lower [16];
    if (size >= sizeof lower)
        return NULL;
    for (size_t i = 0; i < size; i++)
        lower [i] = (char) ((name [i] >= 'A' && name [i] <= 'Z')? name [i] + 32: name [i]);
    lower [size] = 0;
    static const name_t lowered [] = { { "msrv", "rust" }, { "go", "go" },
        { "java", "java" }, { "jdk", "java" }, { "erlang", "otp" }, { "otp", "otp" },
        { ".net", "dotnet" }, { "swift", "swift" }, { "dart", "dart" },
        { "haskell", "ghc" }, { NULL, NULL } };
    for (const name_t *n = lowered; n->name; n++)
        if (strcmp (n->name, lower) == 0)
            return n->key;
    for (const name_t *n = s_names; n->name; n++)
        if (strcmp (n->name, lower) == 0)
            return n->key;
    return NULL;
}

//  Reads digits and dots ("3.9", "1.70.0", "3.x" as "3"); returns bytes.
static size_t
s_number (const char *text, size_t size, size_t i, char *out, size_t out_size)
{
    size_t start = i, n = 0;
    while (i < size && (s_digit (text [i])
                     || (text [i] == '.' && i + 1 < size && s_digit (text [i + 1])))) {
        if (n + 1 < out_size)
            out [n++] = text [i];
        i++;
    }
    out [n] = 0;
    //  "3.x": only the major version is stated.
    if (i > start && i + 1 < size && text [i] == '.' && (text [i + 1] == 'x' || text [i + 1] == 'X')
    &&  (i + 2 == size || !s_alnum (text [i + 2])))
        i += 2;
    //  A number glued to letters ("3rd", "64bit") is not a version.
    if (i < size && (s_alnum (text [i]) && text [i] != 'x'))
        return 0;
    return i - start;
}

size_t
facts_version (const char *text, size_t size, char *value, size_t value_size)
{
    size_t i = 0;
    char op [4] = "";
    if (s_at (text, size, i, ">=")) {
        memcpy (op, ">=", 3);
        i += 2;
    }
    else
    if (s_at (text, size, i, "≥")) {
        memcpy (op, ">=", 3);
        i += strlen ("≥");
    }
    else
    if (s_at (text, size, i, "~>")) {
        memcpy (op, "~>", 3);
        i += 2;
    }
    else
    if (i < size && (text [i] == '>' || text [i] == '^' || text [i] == '~' || text [i] == '<')) {
        op [0] = text [i++];
        op [1] = 0;
        if (i < size && text [i] == '=' && op [0] == '<') {
            op [1] = '=';
            op [2] = 0;
            i++;
        }
    }
    if (op [0])
        i = s_skip_space (text, size, i);
    if (i < size && (text [i] == 'v' || text [i] == 'V') && i + 1 < size && s_digit (text [i + 1]))
        i++;
    if (i >= size || !s_digit (text [i]))
        return 0;
    char number [32];
    size_t n = s_number (text, size, i, number, sizeof number);
    if (n == 0)
        return 0;
    i += n;
    if (!op [0]) {
        //  3.9+, "3.9 or later", "1.70 or newer", "18 and above"
        if (i < size && text [i] == '+') {
            memcpy (op, ">=", 3);
            i++;
        }
        else {
            size_t j = s_skip_space (text, size, i);
            if (s_at (text, size, j, "or ") || s_at (text, size, j, "and ")) {
                size_t k = s_skip_space (text, size, j + (text [j] == 'o'? 3: 4));
                static const char *const later [] = { "later", "newer", "higher",
                    "above", "greater", "up", "more recent", NULL };
                for (int w = 0; later [w]; w++)
                    if (s_word_at (text, size, k, later [w])) {
                        memcpy (op, ">=", 3);
                        i = k + strlen (later [w]);
                        break;
                    }
            }
        }
    }
    snprintf (value, value_size, "%s%s", op, number);
    return i;
}

//  True when the sentence around offset says the version is unsupported.
static bool
s_negated (const char *text, size_t size, size_t at)
{
    size_t from = at > 80? at - 80: 0;
    size_t to = at + 80 < size? at + 80: size;
    //  Stay within the sentence.
    for (size_t i = at; i > from; i--)
        if (text [i - 1] == '.' && (i == size || text [i] == ' ' || text [i] == '\n')) {
            from = i;
            break;
        }
    static const char *const words [] = { "no longer", "not supported", "unsupported",
        "dropped", "deprecated", "removed", "end-of-life", "end of life", "EOL",
        "older than", "prior to", "below", "not compatible", "does not support",
        "doesn't support", NULL };
    for (size_t i = from; i < to; i++)
        for (int w = 0; words [w]; w++)
            if (s_at (text, to, i, words [w]))
                return true;
    return false;
}

//  True when the sentence around at says something is required.
static bool
s_cue (const char *text, size_t size, size_t at)
{
    size_t from = at > 80? at - 80: 0;
    size_t to = at + 80 < size? at + 80: size;
    for (size_t i = at; i > from; i--)
        if (text [i - 1] == '.' && (text [i] == ' ' || text [i] == '\n')) {
            from = i;
            break;
        }
    static const char *const words [] = { "require", "Require", "need", "Need",
        "support", "Support", "compatible", "Compatible", "minimum", "Minimum",
        "MSRV", "prerequisite", "Prerequisite", "depends on", "works with",
        "Works with", "tested", "Tested", "at least", "At least", "install",
        "Install", NULL };
    for (size_t i = from; i < to; i++)
        for (int w = 0; words [w]; w++)
            if (text [i] == words [w][0] && s_at (text, to, i, words [w]))
                return true;
    return false;
}

//  True when a qualifier ("at least", "minimum") sits just before at.
static bool
s_minimum_before (const char *text, size_t at)
{
    size_t from = at > 24? at - 24: 0;
    static const char *const words [] = { "at least", "minimum", "Minimum", "min.",
        "At least", NULL };
    for (size_t i = from; i < at; i++)
        for (int w = 0; words [w]; w++)
            if (s_at (text, at, i, words [w]))
                return true;
    return false;
}

//  Filler between a name and its version: "Python version 3.9",
//  "Rust (MSRV) is 1.70", "JDK: 17", ".NET SDK 8".
static size_t
s_skip_filler (const char *text, size_t size, size_t i, bool *minimum)
{
    static const char *const fillers [] = { "version", "versions", "is", "of", "the",
        "SDK", "sdk", "Core", "runtime", "must", "be", "needs", "to", "at least",
        "minimum", "supported", "v", "compiler", "toolchain", "or", "and", "(MSRV)",
        "MSRV", "requires", "required", "is required", NULL };
    for (int rounds = 0; rounds < 5; rounds++) {
        size_t j = s_skip_space (text, size, i);
        while (j < size && (text [j] == ':' || text [j] == '(' || text [j] == '='
                        ||  text [j] == ','))
            j = s_skip_space (text, size, j + 1);
        bool found = false;
        for (int w = 0; fillers [w]; w++)
            if (s_word_at (text, size, j, fillers [w])
            &&  !(fillers [w][0] == 'v' && fillers [w][1] == 0)) {
                if (strcmp (fillers [w], "at least") == 0 || strcmp (fillers [w], "minimum") == 0)
                    *minimum = true;
                //  "or" and "and" only as in "Go or later"? No: they would
                //  join two names; stop at them.
                if (strcmp (fillers [w], "or") == 0 || strcmp (fillers [w], "and") == 0)
                    return j;
                i = j + strlen (fillers [w]);
                found = true;
                break;
            }
        if (!found)
            return j;
    }
    return s_skip_space (text, size, i);
}

//  Appends more versions of a list or range after the first one:
//  "3.9, 3.10 and 3.11", "3.9 - 3.12", "3.9 to 3.12".
static size_t
s_more_versions (const char *text, size_t size, size_t i, char *value, size_t value_size)
{
    size_t j = s_skip_space (text, size, i);
    bool range = false;
    if (s_at (text, size, j, "-") || s_at (text, size, j, "–"))
        range = true, j += s_at (text, size, j, "-")? 1: strlen ("–");
    else
    if (s_word_at (text, size, j, "to") || s_word_at (text, size, j, "through"))
        range = true, j += text [j] == 't' && text [j + 1] == 'o'? 2: 7;
    if (range) {
        j = s_skip_space (text, size, j);
        char number [32];
        size_t n = j < size && s_digit (text [j])? s_number (text, size, j, number, sizeof number): 0;
        if (n && value [0] != '>' && value [0] != '<' && value [0] != '^' && value [0] != '~') {
            char first [40];
            snprintf (first, sizeof first, "%s", value);
            snprintf (value, value_size, ">=%s,<=%s", first, number);
            return j + n;
        }
        return i;
    }
    //  a list: each item separated by ',', '/', '|', "and", "or"
    size_t end = i;
    while (true) {
        j = s_skip_space (text, size, end);
        if (j < size && (text [j] == ',' || text [j] == '/' || text [j] == '|'))
            j = s_skip_space (text, size, j + 1);
        if (s_word_at (text, size, j, "and"))
            j = s_skip_space (text, size, j + 3);
        else
        if (s_word_at (text, size, j, "or"))
            j = s_skip_space (text, size, j + 2);
        if (j == end || j >= size || !s_digit (text [j]))
            return end;
        char number [32];
        size_t n = s_number (text, size, j, number, sizeof number);
        if (n == 0 || strlen (value) + strlen (number) + 2 > value_size)
            return end;
        size_t len = strlen (value);
        snprintf (value + len, value_size - len, ",%s", number);
        end = j + n;
    }
}

int
facts_scan (const char *text, size_t size, facts_fn *fn, void *arg)
{
    for (size_t i = 0; i < size; i++) {
        if (i > 0 && (s_alnum (text [i - 1]) || text [i - 1] == '.' || text [i - 1] == '-'
                                          || text [i - 1] == '/' || text [i - 1] == '_'))
            continue;
        const name_t *hit = NULL;
        for (const name_t *n = s_names; n->name; n++)
            if (text [i] == n->name [0] && s_at (text, size, i, n->name)) {
                size_t end = i + strlen (n->name);
                //  The name must end there, though "python3.9" glues a version.
                if (end < size && (s_alnum (text [end]) && !s_digit (text [end])))
                    continue;
                if (end < size && text [end] == '.' && end + 1 < size && s_alnum (text [end + 1]))
                    continue;
                if (!hit || strlen (n->name) > strlen (hit->name))
                    hit = n;
            }
        if (!hit)
            continue;
        size_t at = i;
        size_t j = i + strlen (hit->name);
        bool minimum = s_minimum_before (text, at) || strcmp (hit->name, "MSRV") == 0;
        j = s_skip_filler (text, size, j, &minimum);
        char value [96];
        size_t n = j < size? facts_version (text + j, size - j, value, sizeof value): 0;
        if (n == 0) {
            i = j > i? j - 1: i;
            continue;
        }
        j += n;
        if (value [0] != '>' && value [0] != '<' && value [0] != '^' && value [0] != '~')
            j = s_more_versions (text, size, j, value, sizeof value);
        if (minimum && s_digit (value [0]) && !strchr (value, ',')) {
            char plain [96];
            snprintf (plain, sizeof plain, "%s", value);
            snprintf (value, sizeof value, ">=%.93s", plain);
        }
        i = j - 1;
        if (s_negated (text, size, at))
            continue;
        bool cue = !s_digit (value [0]) || strchr (value, ',')
                || strcmp (hit->name, "MSRV") == 0;
        if (fn (arg, hit->key, value, at, cue || s_cue (text, size, at)))
            return -1;
    }
    return 0;
}
