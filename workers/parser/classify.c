/*  workers/parser/classify.c - what a README command does, with the reason.

    A command is cut into the parts of its chain (&&, ||, ;, |); each part
    loses its wrappers (sudo, env, FOO=1, time, npx, poetry run, python -m)
    and its tool is looked up in the knowledge (data/tools.yml): first the
    handlers the tool names, for tools whose arguments matter (make
    targets, npm scripts, pip install arguments), then its table of
    subcommands. The chain takes its strongest part. The names of tools
    and words are data; the ways of reading arguments are here.  */
#include "workers/parser/classify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define S_MAX_WORDS  40
#define S_WORD_SPACE 1024

//  The words of one part of a chain, quotes removed.
typedef struct {
    const char *v [S_MAX_WORDS + 1];
    int n;
    char space [S_WORD_SPACE];
} words_t;

//  Kinds in the order a chain picks them: test beats lint beats build...
static const int s_rank [CMD_KIND_COUNT] = {
    [CMD_OTHER] = 0, [CMD_RUN] = 1, [CMD_CLONE] = 2, [CMD_SYSTEM] = 3,
    [CMD_INSTALL] = 4, [CMD_BUILD] = 5, [CMD_LINT] = 6, [CMD_TEST] = 7
};

enum { O = CMD_OTHER, I = CMD_INSTALL, B = CMD_BUILD, T = CMD_TEST,
       L = CMD_LINT, R = CMD_RUN, S = CMD_SYSTEM, C = CMD_CLONE };

#define DEP CMD_F_DEPLOY
#define CON CMD_F_CONSUMER

//  What a classification reads the knowledge and the block's context by.
typedef struct {
    const ktools_t *tools;
    classify_ctx_t *ctx;        //  may be NULL
} walk_t;

//  -- small helpers -------------------------------------------------------

static bool
s_eq (const char *a, const char *b)
{
    return a && b && a [0] == b [0] && strcmp (a, b) == 0;
}

static bool
s_starts (const char *text, const char *prefix)
{
    return text && strncmp (text, prefix, strlen (prefix)) == 0;
}

static bool
s_ends (const char *text, const char *suffix)
{
    size_t len = strlen (text), slen = strlen (suffix);
    return len >= slen && strcmp (text + len - slen, suffix) == 0;
}

static void s_reason (classify_result_t *out, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Writes the reason, cutting at a character boundary if it is too long.
static void
s_reason (classify_result_t *out, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int len = vsnprintf (out->reason, sizeof out->reason, format, args);
    va_end (args);
    if (len >= (int) sizeof out->reason) {
        size_t end = sizeof out->reason - 1;
        while (end > 0 && ((unsigned char) out->reason [end] & 0xc0) == 0x80)
            end--;
        out->reason [end] = 0;
    }
}

static void
s_set (classify_result_t *out, int kind, uint32_t flags)
{
    out->kind = (cmd_kind_t) kind;
    out->flags |= flags;
}

//  True when the word is an option (-x, --long).
static bool
s_option (const char *word)
{
    return word && word [0] == '-' && word [1];
}

//  True for a FOO=bar assignment prefix.
static bool
s_assignment (const char *word)
{
    if (!(word [0] == '_' || (word [0] >= 'A' && word [0] <= 'Z')
                          || (word [0] >= 'a' && word [0] <= 'z')))
        return false;
    for (const char *p = word; *p; p++) {
        if (*p == '=')
            return true;
        if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
                        || (*p >= '0' && *p <= '9')))
            return false;
    }
    return false;
}

//  The last path segment of word.
static const char *
s_basename (const char *word)
{
    const char *slash = strrchr (word, '/');
    const char *back = strrchr (word, '\\');
    if (back && (!slash || back > slash))
        slash = back;
    return slash? slash + 1: word;
}

static bool
s_is_path (const char *word)
{
    return (strchr (word, '/') || strchr (word, '\\')) && !strstr (word, "://");
}

//  The index of the first non-option word at or after i (options listed
//  in with_arg take the following word too), or w->n.
static int
s_next_arg (const words_t *w, int i, const char *const *with_arg)
{
    for (; i < w->n; i++) {
        if (!s_option (w->v [i]))
            return i;
        for (int k = 0; with_arg && with_arg [k]; k++)
            if (s_eq (w->v [i], with_arg [k])) {
                i++;
                break;
            }
    }
    return w->n;
}

//  -- tokenizing ----------------------------------------------------------

//  Splits one part of a chain into words, removing quotes and escapes.
static void
s_split_words (const char *text, size_t size, words_t *w)
{
    w->n = 0;
    size_t out = 0, i = 0;
    while (i < size && w->n < S_MAX_WORDS) {
        while (i < size && (text [i] == ' ' || text [i] == '\t'))
            i++;
        if (i >= size)
            break;
        size_t start = out;
        char quote = 0;
        while (i < size && out < S_WORD_SPACE - 1) {
            char c = text [i];
            if (quote) {
                if (c == quote)
                    quote = 0;
                else
                if (c == '\\' && quote == '"' && i + 1 < size)
                    w->space [out++] = text [++i];
                else
                    w->space [out++] = c;
                i++;
                continue;
            }
            if (c == ' ' || c == '\t')
                break;
            if (c == '\'' || c == '"')
                quote = c;
            else
            if (c == '\\' && i + 1 < size)
                w->space [out++] = text [++i];
            else
                w->space [out++] = c;
            i++;
        }
        if (out >= S_WORD_SPACE - 1)
            break;
        w->space [out++] = 0;
        w->v [w->n++] = w->space + start;
    }
    w->v [w->n] = NULL;
}

//  -- target and script names ---------------------------------------------

static bool
s_in (const char *word, size_t len, const char *const *list)
{
    if (len == 0)
        return false;
    for (int i = 0; list [i]; i++)
        if (list [i][0] == word [0] && strlen (list [i]) == len
        &&  memcmp (list [i], word, len) == 0)
            return true;
    return false;
}

//  True when word is in the target-name list of kind (command-words.targets).
static bool
s_target_word (const ktools_t *tools, const char *kind, const char *word, size_t len)
{
    return ktools_in (ytree_get (ktools_words (tools, "targets"), kind), word, len);
}

//  The kind one word of a target name suggests, or -1; a word starting
//  with test or lint says so.
static int
s_word_kind (const ktools_t *tools, const char *word, size_t len)
{
    if (s_target_word (tools, "test", word, len) || (len > 4 && strncmp (word, "test", 4) == 0))
        return T;
    if (s_target_word (tools, "lint", word, len) || (len > 4 && strncmp (word, "lint", 4) == 0))
        return L;
    if (s_target_word (tools, "build", word, len))
        return B;
    if (s_target_word (tools, "install", word, len))
        return I;
    if (s_target_word (tools, "run", word, len))
        return R;
    return -1;
}

//  The kind a target or script name suggests ("test:unit", "lint-fix",
//  "check-format"), or -1; *deploy is set for publish-like names.
static int
s_target_kind (const ktools_t *tools, const char *name, bool *deploy)
{
    *deploy = false;
    int first = -1, any = -1, later = -1;
    bool lint_later = false, first_word = true, run_first = false;
    char lower [64];
    size_t len = strlen (name);
    if (len >= sizeof lower)
        len = sizeof lower - 1;
    for (size_t i = 0; i < len; i++)
        lower [i] = (char) ((name [i] >= 'A' && name [i] <= 'Z')? name [i] + 32: name [i]);
    lower [len] = 0;
    const char *p = lower;
    while (*p) {
        size_t n = strcspn (p, ":-_./ +");
        if (n) {
            if (s_target_word (tools, "deploy", p, n))
                *deploy = true;
            int kind = s_word_kind (tools, p, n);
            if (first_word) {
                first = kind;
                run_first = n == 3 && memcmp (p, "run", 3) == 0;
            }
            else {
                if (kind == L)
                    lint_later = true;
                if (later < 0)
                    later = kind;
            }
            if (any < 0)
                any = kind;
            first_word = false;
        }
        p += n;
        if (*p)
            p++;
    }
    if (*deploy && first != T && first != L)
        return O;
    //  "run-tests", "run_lint": the word after the generic verb says it
    if (run_first && (later == T || later == L || later == B))
        return later;
    if ((first == T || first == -1) && lint_later && !s_starts (lower, "test"))
        return L;
    return first >= 0? first: any;
}

//  Classifies a named script or target; fallback when the name says nothing.
static void
s_script (const walk_t *walk, classify_result_t *out, const char *tool, const char *noun,
          const char *name, int fallback)
{
    bool deploy;
    int kind = s_target_kind (walk->tools, name, &deploy);
    s_set (out, kind >= 0? kind: fallback, deploy? DEP: 0);
    s_reason (out, "%s %s %s", tool, noun, name);
}

//  -- helpers for tools whose arguments matter -----------------------------

static void s_classify (const walk_t *walk, words_t *w, int i, classify_result_t *out,
                        int depth);
static void s_classify_text (const walk_t *walk, const char *text, size_t size,
                             classify_result_t *out, int depth);

//  True when word names a tool the knowledge knows.
static bool
s_known (const walk_t *walk, const char *word)
{
    return ktools_known (walk->tools, word, strlen (word));
}

//  Rank-aware merge of one candidate into a running best.
static void
s_better (classify_result_t *best, const classify_result_t *cand, bool *have)
{
    best->flags |= cand->flags;
    if (!*have || s_rank [cand->kind] > s_rank [best->kind]) {
        best->kind = cand->kind;
        memcpy (best->reason, cand->reason, sizeof best->reason);
        *have = true;
    }
}

//  A target of a build tool (make, ninja): `install` puts the built
//  project onto the system and `clean` throws it away, neither of them
//  a dependency install nor a step CI needs.
static void
s_build_target (const walk_t *walk, classify_result_t *out, const char *tool,
                const char *word)
{
    bool deploy;
    int kind = s_target_kind (walk->tools, word, &deploy);
    if (s_eq (word, "install") || s_eq (word, "uninstall")
    ||  s_eq (word, "clean") || s_eq (word, "distclean"))
        kind = O;
    s_set (out, kind >= 0? kind: B, deploy? DEP: 0);
    s_reason (out, "%s target %s", tool, word);
}

static void
s_make (const walk_t *walk, const words_t *w, int i, const char *tool, classify_result_t *out)
{
    static const char *const with_arg [] = { "-C", "-f", "-I", "-o", "-W", "-l",
                                             "--directory", "--file", NULL };
    bool have = false;
    for (int k = i + 1; k < w->n; k++) {
        const char *word = w->v [k];
        if (s_option (word)) {
            if (s_in (word, strlen (word), with_arg))
                k++;
            else
            if (s_eq (word, "-j") && k + 1 < w->n && w->v [k + 1][0] >= '0'
                                   && w->v [k + 1][0] <= '9')
                k++;
            continue;
        }
        if (strchr (word, '='))
            continue;
        classify_result_t cand = { 0 };
        s_build_target (walk, &cand, tool, word);
        s_better (out, &cand, &have);
    }
    if (!have) {
        s_set (out, B, 0);
        s_reason (out, "%s (default target)", tool);
    }
}

//  npm/yarn/pnpm/bun install with or without package names.
static void
s_js_install (const words_t *w, int i, const char *tool, classify_result_t *out)
{
    static const char *const with_arg [] = { "--registry", "--prefix", "--cwd", NULL };
    int k = s_next_arg (w, i, with_arg);
    if (k < w->n && w->v [k][0] != '.' && w->v [k][0] != '/' && w->v [k][0] != '~') {
        s_set (out, I, CON);
        s_reason (out, "installs package %s", w->v [k]);
    }
    else {
        s_set (out, I, 0);
        s_reason (out, "%s install", tool);
    }
}

//  pip install: requirements files, the project itself, or named packages.
static void
s_pip_install (const words_t *w, int i, classify_result_t *out)
{
    static const char *const with_arg [] = {
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t",
        "--target", "--prefix", "--root", "--python-version", "--platform",
        "--trusted-host", "-C", "--config-settings", "--only-binary",
        "--no-binary", NULL
    };
    const char *requirements = NULL, *package = NULL;
    bool project = false;
    for (int k = i; k < w->n; k++) {
        const char *word = w->v [k];
        if (s_eq (word, "-r") || s_eq (word, "--requirement")
        ||  s_eq (word, "-c") || s_eq (word, "--constraint")) {
            if (k + 1 < w->n && !requirements && word [1] != 'c' && !s_eq (word, "--constraint"))
                requirements = w->v [k + 1];
            k++;
        }
        else
        if (s_starts (word, "-r") && word [2] && word [1] == 'r')
            requirements = requirements? requirements: word + 2;
        else
        if (s_eq (word, "-e") || s_eq (word, "--editable"))
            project = true;
        else
        if (s_option (word)) {
            if (s_in (word, strlen (word), with_arg))
                k++;
        }
        else
        if (word [0] == '.' || word [0] == '/' || s_is_path (word))
            project = true;
        else
        if (!package)
            package = word;
    }
    if (requirements) {
        s_set (out, I, 0);
        s_reason (out, "installs from %s", requirements);
    }
    else
    if (project) {
        s_set (out, I, 0);
        s_reason (out, "installs the project");
    }
    else
    if (package) {
        s_set (out, I, CON);
        s_reason (out, "installs package %s", package);
    }
    else {
        s_set (out, I, 0);
        s_reason (out, "pip install");
    }
}

//  A named package install (gem install foo, cargo install foo): a
//  consumer install unless it names a local path.
static void
s_named_install (const words_t *w, int i, const char *tool, classify_result_t *out,
                 const char *const *with_arg)
{
    int k = s_next_arg (w, i, with_arg);
    for (int o = i; o < w->n; o++)
        if (s_eq (w->v [o], "--path") || s_eq (w->v [o], "--deps-only")
        ||  s_eq (w->v [o], "--only-dependencies") || s_eq (w->v [o], "--dependencies-only")
        ||  s_eq (w->v [o], "--installdeps") || s_eq (w->v [o], "--only-deps"))
            k = w->n;
    if (k < w->n && w->v [k][0] != '.' && !s_is_path (w->v [k])) {
        s_set (out, I, CON);
        s_reason (out, "%s installs %s", tool, w->v [k]);
    }
    else {
        s_set (out, I, 0);
        s_reason (out, "%s installs dependencies", tool);
    }
}

//  A script named by its path (./build.sh, scripts/test, bin/setup).
static void
s_path_script (const walk_t *walk, const char *word, classify_result_t *out)
{
    const char *base = s_basename (word);
    char name [64];
    size_t len = strcspn (base, ".");
    if (len == 0)
        len = strlen (base);
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy (name, base, len);
    name [len] = 0;
    if (s_eq (name, "configure") || s_eq (name, "autogen") || s_eq (name, "bootstrap")
    ||  s_eq (name, "buildconf")) {
        s_set (out, B, 0);
        s_reason (out, "configure script");
        return;
    }
    bool deploy;
    int kind = s_target_kind (walk->tools, name, &deploy);
    s_set (out, kind >= 0? kind: O, deploy? DEP: 0);
    s_reason (out, "runs script %s", word);
}

//  python -m MODULE [ARGS]: pip, a known tool, or a module that runs.
static void
s_python_module (const walk_t *walk, words_t *w, int o, classify_result_t *out, int depth)
{
    const char *module = w->v [o + 1];
    if (s_eq (module, "pip") || s_eq (module, "pip3")) {
        int s = s_next_arg (w, o + 2, NULL);
        if (s < w->n && s_eq (w->v [s], "install")) {
            s_pip_install (w, s + 1, out);
            return;
        }
        s_set (out, O, 0);
        s_reason (out, "pip %s", s < w->n? w->v [s]: "");
        return;
    }
    if (s_known (walk, module)) {
        s_classify (walk, w, o + 1, out, depth + 1);
        return;
    }
    s_set (out, R, 0);
    s_reason (out, "runs module %s", module);
}

//  -- handlers: how a tool's arguments read --------------------------------
//
//  Each is named in data/tools.yml (`handle:`) by the tools it reads. i is
//  the tool's word, k its subcommand's (w->n when none). A handler that
//  cannot tell returns false and the tool's next handler, then its
//  `commands` table, is asked.

typedef bool (handler_fn) (const walk_t *walk, words_t *w, int i, int k,
                           classify_result_t *out, int depth);

static const char *
s_sub (const words_t *w, int k)
{
    return k < w->n? w->v [k]: "";
}

static bool
h_make (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    s_make (walk, w, i, "make", out);
    return true;
}

static bool
h_ninja (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    static const char *const with_arg [] = { "-C", "-f", "-j", NULL };
    int t = s_next_arg (w, i + 1, with_arg);
    if (t < w->n)
        s_build_target (walk, out, "ninja", w->v [t]);
    else {
        s_set (out, B, 0);
        s_reason (out, "ninja build");
    }
    return true;
}

//  just, task, invoke, thor (Ruby's other task runner: `thor spec`)...
static bool
h_recipe (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) depth;
    const char *tool = w->v [i], *sub = s_sub (w, k);
    if (*sub)
        s_script (walk, out, tool, "recipe", sub, O);
    else {
        s_set (out, O, 0);
        s_reason (out, "%s default recipe", tool);
    }
    return true;
}

static bool
h_rake (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) i, (void) depth;
    const char *sub = s_sub (w, k);
    if (*sub && !strchr (sub, '='))
        s_script (walk, out, "rake", "task", sub, O);
    else {
        s_set (out, T, 0);
        s_reason (out, "rake default task");
    }
    return true;
}

//  npm, yarn, pnpm, bun: install, scripts, exec.
static bool
h_js_package_manager (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                      int depth)
{
    (void) k;
    const char *tool = w->v [i];
    //  options that take a value before the subcommand: pnpm --filter web
    //  test, npm -w pkg test, yarn --cwd app build
    static const char *const with_arg [] = { "--filter", "-F", "-w", "--workspace",
        "--prefix", "--cwd", "-C", "--dir", NULL };
    k = s_next_arg (w, i + 1, with_arg);
    const char *sub = s_sub (w, k);
    if (s_eq (sub, "install") || s_eq (sub, "i") || s_eq (sub, "add")
    ||  s_eq (sub, "isntall")) {
        if (s_eq (tool, "yarn") || s_eq (tool, "pnpm") || s_eq (tool, "bun")
        ||  !s_eq (sub, "add")) {
            s_js_install (w, k + 1, tool, out);
            return true;
        }
    }
    if (s_eq (sub, "global") && k + 1 < w->n && s_eq (w->v [k + 1], "add")) {
        s_set (out, I, CON);
        s_reason (out, "installs package %s", k + 2 < w->n? w->v [k + 2]: "");
        return true;
    }
    if (s_eq (sub, "test") || s_eq (sub, "t") || s_eq (sub, "tst")) {
        if (s_eq (tool, "bun"))
            return false;
        s_set (out, T, 0);
        s_reason (out, "%s script test", tool);
        return true;
    }
    if (s_eq (sub, "run") || s_eq (sub, "run-script")) {
        int s = s_next_arg (w, k + 1, NULL);
        if (s >= w->n)
            return false;
        //  bun run file.ts runs a program.
        if (s_ends (w->v [s], ".js") || s_ends (w->v [s], ".ts")) {
            s_set (out, R, 0);
            s_reason (out, "runs %s", w->v [s]);
            return true;
        }
        s_script (walk, out, tool, "script", w->v [s], O);
        return true;
    }
    if (s_eq (sub, "exec") || s_eq (sub, "dlx") || s_eq (sub, "x")) {
        int s = s_next_arg (w, k + 1, NULL);
        if (s < w->n)
            s_classify (walk, w, s, out, depth + 1);
        return true;
    }
    //  yarn, pnpm and bun run scripts by bare name.
    if (!s_eq (tool, "npm") && *sub && !s_eq (sub, "publish")
    &&  !s_eq (sub, "init") && !s_eq (sub, "create")) {
        s_script (walk, out, tool, "script", sub, O);
        return true;
    }
    return false;
}

//  npx, bunx, uvx: what the command they run does.
static bool
h_runs_next (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k;
    static const char *const with_arg [] = { "-p", "--package", "--from", NULL };
    int t = s_next_arg (w, i + 1, with_arg);
    if (t < w->n)
        s_classify (walk, w, t, out, depth + 1);
    return true;
}

static bool
h_deno_task (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) depth;
    if (k + 1 >= w->n)
        return false;
    s_script (walk, out, w->v [i], "task", w->v [k + 1], O);
    return true;
}

static const char *const s_install_with_arg [] = { "--version", "-v", "--git", "--root",
    "--features", "--branch", "--tag", "--rev", "-n", "--name", "-c", "--channel", NULL };

//  TOOL install NAME (gem, cargo, opam...): a consumer install unless a
//  local path; the tool's local-install reason for the project itself.
static bool
h_install_named (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                 int depth)
{
    (void) depth;
    const char *tool = w->v [i];
    s_named_install (w, k + 1, tool, out, s_install_with_arg);
    const char *local = ytree_str (ytree_get (ktools_get (walk->tools, tool, strlen (tool)),
                                              "local-install"), NULL);
    if (local && !(out->flags & CON))
        s_reason (out, "%s", local);
    return true;
}

//  TOOL NAME (cpanm): the packages follow the tool.
static bool
h_install_named_args (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                      int depth)
{
    (void) walk, (void) k, (void) depth;
    s_named_install (w, i + 1, w->v [i], out, s_install_with_arg);
    return true;
}

static bool
h_pip (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) i, (void) depth;
    const char *sub = s_sub (w, k);
    if (s_eq (sub, "install"))
        s_pip_install (w, k + 1, out);
    else {
        s_set (out, O, 0);
        s_reason (out, "pip %s", sub);
    }
    return true;
}

//  python [-m module | script.py | setup.py cmd | manage.py cmd].
static bool
h_python (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    static const char *const with_arg [] = { "-W", "-X", NULL };
    k = s_next_arg (w, i + 1, with_arg);
    for (int o = i + 1; o < k && o < w->n; o++) {
        if (s_eq (w->v [o], "-m") && o + 1 < w->n) {
            s_python_module (walk, w, o, out, depth);
            return true;
        }
        if (s_eq (w->v [o], "-c")) {
            s_set (out, O, 0);
            s_reason (out, "runs python code");
            return true;
        }
        if (s_eq (w->v [o], "--version") || s_eq (w->v [o], "-V")) {
            s_set (out, O, 0);
            s_reason (out, "prints the python version");
            return true;
        }
    }
    if (k >= w->n) {
        s_set (out, R, 0);
        s_reason (out, "interactive REPL");
        return true;
    }
    const char *script = s_basename (w->v [k]);
    const char *sub = k + 1 < w->n? w->v [k + 1]: "";
    if (s_eq (script, "setup.py")) {
        if (s_eq (sub, "test") || s_eq (sub, "pytest"))
            s_set (out, T, 0);
        else
        if (s_eq (sub, "install") || s_eq (sub, "develop"))
            s_set (out, I, 0);
        else
        if (s_eq (sub, "upload") || s_eq (sub, "register"))
            s_set (out, O, DEP);
        else
        if (s_starts (sub, "build") || s_starts (sub, "sdist") || s_starts (sub, "bdist"))
            s_set (out, B, 0);
        else
            s_set (out, O, 0);
        s_reason (out, "setup.py %s", sub);
        return true;
    }
    if (s_eq (script, "manage.py")) {
        s_set (out, s_eq (sub, "test")? T: s_eq (sub, "runserver")? R: O, 0);
        s_reason (out, "manage.py %s", sub);
        return true;
    }
    s_path_script (walk, w->v [k], out);
    if (out->kind == CMD_OTHER)
        out->kind = CMD_RUN;
    return true;
}

//  uv pip install ...
static bool
h_uv_pip (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) i, (void) depth;
    if (k + 1 < w->n && s_eq (w->v [k + 1], "install"))
        s_pip_install (w, k + 2, out);
    else {
        s_set (out, O, 0);
        s_reason (out, "uv pip");
    }
    return true;
}

//  poetry run X, bundle exec X, conda run X: what X does, or a script.
static bool
h_env_run (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    static const char *const with_arg [] = { "-n", "--name", "-p", "--prefix",
        "--with", "--python", "-e", "--env", NULL };
    int t = s_next_arg (w, k + 1, with_arg);
    if (t < w->n && s_eq (w->v [t], "--"))
        t++;
    if (t >= w->n)
        return false;
    if (s_known (walk, w->v [t]) || s_is_path (w->v [t]))
        s_classify (walk, w, t, out, depth + 1);
    else
        s_script (walk, out, w->v [i], "script", w->v [t], R);
    return true;
}

//  uv add X, composer require X: the project's own dependency.
static bool
h_add_package (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) i, (void) depth;
    int t = s_next_arg (w, k + 1, NULL);
    s_set (out, I, t < w->n? CON: 0);
    s_reason (out, "adds package %s", t < w->n? w->v [t]: "");
    return true;
}

//  uv tool install X, dotnet tool run X, dotnet tool restore.
static bool
h_tool_subcommand (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                   int depth)
{
    const char *what = k + 1 < w->n? w->v [k + 1]: "";
    if (s_eq (what, "install")) {
        s_named_install (w, k + 2, w->v [i], out, NULL);
        return true;
    }
    if (s_eq (what, "run") && k + 2 < w->n) {
        s_classify (walk, w, k + 2, out, depth + 1);
        return true;
    }
    if (s_eq (what, "restore")) {
        s_set (out, I, 0);
        s_reason (out, "dotnet tool restore");
        return true;
    }
    return false;
}

//  dotnet add package X
static bool
h_dotnet_add (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) depth;
    if (k + 1 >= w->n || !s_eq (w->v [k + 1], "package"))
        return false;
    s_named_install (w, k + 2, w->v [i], out, NULL);
    return true;
}

static bool
h_dotnet_nuget (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                int depth)
{
    (void) walk, (void) depth;
    s_set (out, O, k + 1 < w->n && s_eq (w->v [k + 1], "push")? DEP: 0);
    s_reason (out, "%s nuget", w->v [i]);
    return true;
}

//  dart pub get, flutter pub add X
static bool
h_dart_pub (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) depth;
    const char *tool = w->v [i];
    const char *what = k + 1 < w->n? w->v [k + 1]: "";
    if (s_eq (what, "add")) {
        s_named_install (w, k + 2, tool, out, NULL);
        return true;
    }
    if (s_eq (what, "publish"))
        s_set (out, O, DEP);
    else
    if (s_eq (what, "get") || s_eq (what, "upgrade") || s_eq (what, "downgrade"))
        s_set (out, I, 0);
    else
    if (s_eq (what, "global"))
        s_set (out, I, CON);
    else
        s_set (out, O, 0);
    s_reason (out, "%s pub %s", tool, what);
    return true;
}

static bool
h_go (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) i, (void) depth;
    const char *sub = s_sub (w, k);
    if (s_eq (sub, "mod")) {
        const char *what = k + 1 < w->n? w->v [k + 1]: "";
        s_set (out, s_eq (what, "download") || s_eq (what, "vendor")? I: O, 0);
        s_reason (out, "go mod %s", what);
        return true;
    }
    if (!s_eq (sub, "get") && !s_eq (sub, "install"))
        return false;
    int t = s_next_arg (w, k + 1, NULL);
    const char *what = t < w->n? w->v [t]: "";
    bool remote = *what && what [0] != '.' && (strchr (what, '@') || s_eq (sub, "get"));
    if (remote) {
        s_set (out, I, CON);
        s_reason (out, "go %s %s", sub, what);
    }
    else {
        s_set (out, s_eq (sub, "get")? I: B, 0);
        s_reason (out, "go %s", sub);
    }
    return true;
}

//  Installers of system packages; brew and friends mostly install apps.
static bool
s_system (words_t *w, int i, bool native, classify_result_t *out)
{
    const char *tool = w->v [i];
    int k = s_next_arg (w, i + 1, NULL);
    const char *sub = s_sub (w, k);
    uint32_t flags = 0;
    if (!native && (s_eq (sub, "install") || s_eq (sub, "reinstall"))
    &&  s_next_arg (w, k + 1, NULL) < w->n)
        flags = CON;
    s_set (out, S, flags);
    s_reason (out, "system package manager %s", tool);
    return true;
}

static bool
h_system_packages (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                   int depth)
{
    (void) walk, (void) k, (void) depth;
    return s_system (w, i, true, out);
}

static bool
h_app_packages (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                int depth)
{
    (void) walk, (void) k, (void) depth;
    return s_system (w, i, false, out);
}

//  git clone URL [DIR] remembers DIR, so a later `cd DIR` is the clone.
static bool
h_git (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) i, (void) depth;
    const char *sub = s_sub (w, k);
    if (s_eq (sub, "submodule")) {
        s_set (out, I, 0);
        s_reason (out, "fetches git submodules");
        return true;
    }
    if (!s_eq (sub, "clone")) {
        s_set (out, O, 0);
        s_reason (out, "git %s", sub);
        return true;
    }
    int url = s_next_arg (w, k + 1, (const char *const []) {
        "-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", NULL });
    s_set (out, C, 0);
    s_reason (out, "git clone");
    if (!walk->ctx || url >= w->n)
        return true;
    int dir = s_next_arg (w, url + 1, NULL);
    const char *name;
    char base [128];
    if (dir < w->n)
        name = w->v [dir];
    else {
        snprintf (base, sizeof base, "%s", s_basename (w->v [url]));
        size_t len = strlen (base);
        while (len && base [len - 1] == '/')
            base [--len] = 0;
        if (s_ends (base, ".git"))
            base [strlen (base) - 4] = 0;
        name = base;
    }
    snprintf (walk->ctx->clone_dir, sizeof walk->ctx->clone_dir, "%s", name);
    return true;
}

//  gh repo clone
static bool
h_repo_clone (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
              int depth)
{
    (void) walk, (void) depth;
    if (k + 1 >= w->n || !s_eq (w->v [k + 1], "clone"))
        return false;
    s_set (out, C, 0);
    s_reason (out, "%s repo clone", w->v [i]);
    return true;
}

static bool
h_cd (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) i, (void) depth;
    char dir [128];
    snprintf (dir, sizeof dir, "%s", s_sub (w, k));
    size_t len = strlen (dir);
    while (len > 1 && dir [len - 1] == '/')
        dir [--len] = 0;
    if (walk->ctx && walk->ctx->clone_dir [0] && s_eq (dir, walk->ctx->clone_dir)) {
        s_set (out, C, 0);
        s_reason (out, "cd into the clone");
    }
    else {
        s_set (out, O, 0);
        s_reason (out, "changes directory");
    }
    return true;
}

//  cmake: configure, --build (maybe a test target), --install.
static bool
h_cmake (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    bool build = false;
    for (int t = i + 1; t < w->n; t++) {
        if (s_eq (w->v [t], "--build"))
            build = true;
        if (s_eq (w->v [t], "--install") || s_eq (w->v [t], "-E") || s_eq (w->v [t], "-P")) {
            s_set (out, O, 0);
            s_reason (out, "cmake %s", w->v [t]);
            return true;
        }
        if (build && (s_eq (w->v [t], "--target") || s_eq (w->v [t], "-t"))
        &&  t + 1 < w->n) {
            bool deploy;
            const char *target = w->v [t + 1];
            int kind = s_target_kind (walk->tools, target, &deploy);
            if (s_eq (target, "RUN_TESTS"))
                kind = T;
            s_set (out, kind >= 0 && kind != R? kind: B, 0);
            s_reason (out, "cmake target %s", target);
            return true;
        }
    }
    s_set (out, B, 0);
    s_reason (out, build? "cmake --build": "cmake configure");
    return true;
}

//  tox -e env / nox -s session: lint or docs environments are not tests.
static bool
h_tox (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    const char *tool = w->v [i];
    const char *env = NULL;
    for (int t = i + 1; t < w->n && !env; t++) {
        if ((s_eq (w->v [t], "-e") || s_eq (w->v [t], "-s") || s_eq (w->v [t], "--env")
        ||   s_eq (w->v [t], "--session") || s_eq (w->v [t], "--sessions"))
        &&  t + 1 < w->n)
            env = w->v [t + 1];
        else
        if (s_starts (w->v [t], "-e") && w->v [t][2])
            env = w->v [t] + 2;
    }
    bool deploy;
    int kind = env? s_target_kind (walk->tools, env, &deploy): -1;
    if (kind == L || kind == B) {
        s_set (out, kind, 0);
        s_reason (out, "%s env %s", tool, env);
        return true;
    }
    s_set (out, T, 0);
    s_reason (out, "test runner %s", tool);
    return true;
}

static bool
h_tsc (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) k, (void) depth;
    bool check = false;
    for (int t = i + 1; t < w->n; t++)
        if (s_eq (w->v [t], "--noEmit"))
            check = true;
    s_set (out, check? L: B, 0);
    s_reason (out, check? "type check tsc": "compiler tsc");
    return true;
}

typedef enum { S_MAVEN, S_GRADLE, S_SBT } jvm_t;

//  The kind of one Maven goal, Gradle task or sbt command.
static int
s_jvm_kind (const char *name, uint32_t *flags)
{
    if (s_eq (name, "test") || s_eq (name, "verify") || s_eq (name, "check")
    ||  s_starts (name, "test") || s_ends (name, "Test") || s_ends (name, "Tests")
    ||  s_eq (name, "integration-test"))
        return T;
    if (strstr (name, "spotless") || strstr (name, "checkstyle") || strstr (name, "lint")
    ||  strstr (name, "Lint") || strstr (name, "detekt") || strstr (name, "ktlint")
    ||  strstr (name, "scalafmt") || strstr (name, "pmd") || strstr (name, "spotbugs"))
        return L;
    if (s_eq (name, "run") || s_eq (name, "bootRun") || strstr (name, ":run")
    ||  s_eq (name, "exec:java") || s_eq (name, "spring-boot:run") || s_eq (name, "jetty:run"))
        return R;
    if (s_starts (name, "dependency:") || s_eq (name, "dependencies")
    ||  s_eq (name, "update"))
        return I;
    if (s_eq (name, "deploy") || s_starts (name, "publish")) {
        *flags = DEP;
        return O;
    }
    return s_eq (name, "clean")? O: B;
}

//  Maven goals, Gradle tasks and sbt commands: the strongest wins. The
//  tool is named as the one it stands for (mvnw: mvn).
static void
s_jvm (const walk_t *walk, const words_t *w, int i, jvm_t jvm, classify_result_t *out)
{
    static const char *const with_arg [] = { "-f", "-s", "-pl", "-rf", "-T", "-p",
        "-x", "--exclude-task", "--tests", "-b", "--project-dir", NULL };
    const char *tool = w->v [i];
    tool = ytree_str (ytree_get (ktools_get (walk->tools, tool, strlen (tool)), "same-as"),
                      tool);
    bool maven = jvm == S_MAVEN, skip_tests = false, have = false;
    for (int k = i + 1; k < w->n; k++)
        if (strstr (w->v [k], "skipTests") || strstr (w->v [k], "maven.test.skip=true"))
            skip_tests = true;
    for (int k = i + 1; k < w->n; k++) {
        const char *word = w->v [k];
        if (s_option (word)) {
            if (s_in (word, strlen (word), with_arg))
                k++;
            continue;
        }
        //  :module:test -> test; "testOnly Foo" -> testOnly; +test -> test
        const char *task = strrchr (word, ':')? strrchr (word, ':') + 1: word;
        if (maven && strchr (word, ':'))
            task = word;
        while (*task == '+' || *task == ';')
            task++;
        char name [64];
        size_t len = strcspn (task, " ");
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy (name, task, len);
        name [len] = 0;
        uint32_t flags = 0;
        int kind = s_jvm_kind (name, &flags);
        if (kind == T && skip_tests)
            kind = B;
        classify_result_t cand = { 0 };
        s_set (&cand, kind, flags);
        s_reason (&cand, "%s %s %s", tool, maven? "goal": jvm == S_SBT? "command": "task", name);
        s_better (out, &cand, &have);
    }
    if (!have) {
        s_set (out, jvm == S_SBT? R: maven? O: B, 0);
        s_reason (out, "%s", tool);
    }
}

static bool
h_maven (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    s_jvm (walk, w, i, S_MAVEN, out);
    return true;
}

static bool
h_gradle (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    s_jvm (walk, w, i, S_GRADLE, out);
    return true;
}

static bool
h_sbt (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    s_jvm (walk, w, i, S_SBT, out);
    return true;
}

//  zig build [STEP]
static bool
h_zig_build (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) i, (void) depth;
    int t = s_next_arg (w, k + 1, NULL);
    if (t < w->n)
        s_script (walk, out, "zig build", "step", w->v [t], B);
    else {
        s_set (out, B, 0);
        s_reason (out, "zig build");
    }
    return true;
}

//  dune build [@runtest | @fmt]
static bool
h_dune_build (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) i, (void) depth;
    for (int t = k + 1; t < w->n; t++) {
        if (s_eq (w->v [t], "@runtest") || s_eq (w->v [t], "@test")) {
            s_set (out, T, 0);
            s_reason (out, "dune build @runtest");
            return true;
        }
        if (s_eq (w->v [t], "@fmt")) {
            s_set (out, L, 0);
            s_reason (out, "dune build @fmt");
            return true;
        }
    }
    s_set (out, B, 0);
    s_reason (out, "dune build");
    return true;
}

//  stack build [--test], cabal build [--test]
static bool
h_build_test_flag (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                   int depth)
{
    (void) walk, (void) depth;
    bool test = false;
    for (int t = k + 1; t < w->n; t++)
        if (s_eq (w->v [t], "--test"))
            test = true;
    s_set (out, test? T: B, 0);
    s_reason (out, test? "%s build --test": "%s build", w->v [i]);
    return true;
}

//  Rscript -e EXPR, julia -e EXPR: what the expression does.
static bool
h_code_expr (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) k, (void) depth;
    const char *tool = w->v [i];
    for (int t = i + 1; t < w->n; t++) {
        const char *code = w->v [t];
        if (strstr (code, "Pkg.test") || strstr (code, "devtools::test")
        ||  strstr (code, "testthat") || strstr (code, "devtools::check")
        ||  strstr (code, "rcmdcheck")) {
            s_set (out, T, 0);
            s_reason (out, "%s runs the tests", tool);
            return true;
        }
        if (strstr (code, "lintr") || strstr (code, "styler")) {
            s_set (out, L, 0);
            s_reason (out, "%s lints", tool);
            return true;
        }
        if (strstr (code, "install_deps") || strstr (code, "Pkg.instantiate")
        ||  strstr (code, "renv::restore") || strstr (code, "pak::local_install_deps")) {
            s_set (out, I, 0);
            s_reason (out, "%s installs dependencies", tool);
            return true;
        }
        if (strstr (code, "install.packages") || strstr (code, "Pkg.add")
        ||  strstr (code, "install_github")) {
            s_set (out, I, CON);
            s_reason (out, "%s installs a package", tool);
            return true;
        }
    }
    s_set (out, R, 0);
    s_reason (out, "runs %s", tool);
    return true;
}

//  R CMD check|build|INSTALL, R -e EXPR, or R's REPL.
static bool
h_r (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    const char *sub = s_sub (w, k);
    if (s_eq (sub, "CMD")) {
        const char *what = k + 1 < w->n? w->v [k + 1]: "";
        s_set (out, s_eq (what, "check")? T: s_eq (what, "build")? B:
                    s_eq (what, "INSTALL")? I: O, 0);
        s_reason (out, "R CMD %s", what);
        return true;
    }
    if (*sub)
        return h_code_expr (walk, w, i, k, out, depth);
    s_set (out, R, 0);
    s_reason (out, "interactive REPL");
    return true;
}

static bool
h_xcodebuild (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) k, (void) depth;
    bool test = false, resolve = false;
    for (int t = i + 1; t < w->n; t++) {
        test |= s_eq (w->v [t], "test");
        resolve |= s_eq (w->v [t], "-resolvePackageDependencies");
    }
    s_set (out, test? T: resolve? I: B, 0);
    s_reason (out, test? "xcodebuild test": "xcodebuild");
    return true;
}

//  conda env create|update; any other conda command does nothing for CI.
static bool
h_conda (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) depth;
    const char *sub = s_sub (w, k);
    if (s_eq (sub, "env") && k + 1 < w->n
    &&  (s_eq (w->v [k + 1], "create") || s_eq (w->v [k + 1], "update"))) {
        s_set (out, I, 0);
        s_reason (out, "creates the conda environment");
    }
    else {
        s_set (out, O, 0);
        s_reason (out, "%s %s", w->v [i], sub);
    }
    return true;
}

//  composer test, composer run X, composer X (a script), composer global.
static bool
h_composer (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) i, (void) depth;
    const char *sub = s_sub (w, k);
    if (s_eq (sub, "test")) {
        s_set (out, T, 0);
        s_reason (out, "composer script test");
        return true;
    }
    if (s_eq (sub, "global") || s_eq (sub, "create-project")) {
        s_set (out, I, CON);
        s_reason (out, "composer %s", sub);
        return true;
    }
    if ((s_eq (sub, "run") || s_eq (sub, "run-script")) && k + 1 < w->n) {
        s_script (walk, out, "composer", "script", w->v [k + 1], O);
        return true;
    }
    if (*sub && !s_eq (sub, "install") && !s_eq (sub, "update") && !s_eq (sub, "validate")) {
        s_script (walk, out, "composer", "script", sub, O);
        return true;
    }
    return false;
}

//  php artisan X, php vendor/bin/TOOL, php script.php
static bool
h_php (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) i;
    const char *sub = s_sub (w, k);
    if (s_eq (s_basename (sub), "artisan") && k + 1 < w->n) {
        const char *what = w->v [k + 1];
        s_set (out, s_eq (what, "test")? T: s_eq (what, "serve")? R: O, 0);
        s_reason (out, "artisan %s", what);
        return true;
    }
    if (*sub && s_is_path (sub) && s_known (walk, s_basename (sub))) {
        s_classify (walk, w, k, out, depth + 1);
        return true;
    }
    s_set (out, R, 0);
    s_reason (out, "runs php");
    return true;
}

//  node --test, node script.js, node's REPL
static bool
h_node (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) depth;
    for (int t = i + 1; t < w->n; t++)
        if (s_eq (w->v [t], "--test")) {
            s_set (out, T, 0);
            s_reason (out, "test runner node --test");
            return true;
        }
    const char *sub = s_sub (w, k);
    if (*sub) {
        s_path_script (walk, sub, out);
        if (out->kind == CMD_OTHER)
            out->kind = CMD_RUN;
    }
    else {
        s_set (out, R, 0);
        s_reason (out, "interactive REPL");
    }
    return true;
}

//  perl Makefile.PL and the like.
static bool
h_configure_script (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                    int depth)
{
    (void) walk, (void) w, (void) i, (void) k, (void) depth;
    s_set (out, B, 0);
    s_reason (out, "configure script");
    return true;
}

//  ruby, perl: a test file or folder among the arguments runs the tests.
static bool
h_interpreter (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
               int depth)
{
    (void) walk, (void) k, (void) depth;
    bool test = false;
    for (int t = i + 1; t < w->n; t++)
        test |= s_starts (w->v [t], "test/") || s_starts (w->v [t], "spec/")
             || s_starts (w->v [t], "t/") || s_eq (w->v [t], "-Itest");
    s_set (out, test? T: R, 0);
    s_reason (out, test? "runs the tests with %s": "runs %s", w->v [i]);
    return true;
}

static bool
h_clojure (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) k, (void) depth;
    bool test = false;
    for (int t = i + 1; t < w->n; t++)
        test |= strstr (w->v [t], ":test") != NULL;
    s_set (out, test? T: R, 0);
    s_reason (out, test? "clojure test alias": "runs clojure");
    return true;
}

//  docker compose build|up|push..., from the word at first on.
static bool
s_compose (words_t *w, int first, classify_result_t *out)
{
    static const char *const with_arg [] = { "-f", "--file", "-p", "--project-name",
        "--profile", "--env-file", NULL };
    int t = s_next_arg (w, first, with_arg);
    const char *what = t < w->n? w->v [t]: "";
    s_set (out, s_eq (what, "build")? B: s_eq (what, "push")? O:
                s_eq (what, "up") || s_eq (what, "run") || s_eq (what, "exec")
                || s_eq (what, "start")? R: O,
           s_eq (what, "push")? DEP: 0);
    s_reason (out, "docker compose %s", what);
    return true;
}

//  docker-compose X
static bool
h_compose (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) k, (void) depth;
    return s_compose (w, i + 1, out);
}

//  docker compose X
static bool
h_compose_plugin (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out,
                  int depth)
{
    (void) walk, (void) i, (void) depth;
    return s_compose (w, k + 1, out);
}

//  turbo run X, nx run-many X, lerna X: the task's name says.
static bool
h_monorepo (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) depth;
    const char *tool = w->v [i], *sub = s_sub (w, k);
    if (!*sub)
        return false;
    const char *script = sub;
    if ((s_eq (sub, "run") || s_eq (sub, "run-many")) && k + 1 < w->n)
        script = w->v [s_next_arg (w, k + 1, NULL) < w->n? s_next_arg (w, k + 1, NULL): k + 1];
    if (s_eq (sub, "publish")) {
        s_set (out, O, DEP);
        s_reason (out, "%s publish", tool);
        return true;
    }
    s_script (walk, out, tool, "task", script, O);
    return true;
}

//  sh -c 'cmd' (what cmd does), sh script.sh, or a shell.
static bool
h_shell (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    if (i + 2 < w->n && s_option (w->v [i + 1]) && w->v [i + 1][1] != '-'
    &&  strchr (w->v [i + 1], 'c') && depth < 3) {
        classify_result_t inner;
        s_classify_text (walk, w->v [i + 2], strlen (w->v [i + 2]), &inner, depth + 1);
        out->kind = inner.kind;
        out->flags |= inner.flags;
        memcpy (out->reason, inner.reason, sizeof out->reason);
        return true;
    }
    const char *sub = s_sub (w, k);
    if (*sub && !s_option (sub)) {
        s_path_script (walk, sub, out);
        return true;
    }
    s_set (out, O, 0);
    s_reason (out, "runs a shell");
    return true;
}

//  hugo, jekyll: serve or build the site.
static bool
h_site (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) walk, (void) depth;
    const char *sub = s_sub (w, k);
    bool serve = s_eq (sub, "server") || s_eq (sub, "serve") || s_eq (sub, "s");
    s_set (out, serve? R: B, 0);
    s_reason (out, "%s %s", w->v [i], serve? "server": "build");
    return true;
}

static bool s_table (const walk_t *walk, const words_t *w, int i, classify_result_t *out);

//  The tool's `commands` table, before the handlers after this one.
static bool
h_commands (const walk_t *walk, words_t *w, int i, int k, classify_result_t *out, int depth)
{
    (void) k, (void) depth;
    return s_table (walk, w, i, out);
}

//  -- dispatch ------------------------------------------------------------

//  The handlers by the names data/tools.yml gives them.
static const struct {
    const char *name;
    handler_fn *fn;
} s_handlers [] = {
    { "make", h_make }, { "ninja", h_ninja }, { "recipe", h_recipe }, { "rake", h_rake },
    { "js-package-manager", h_js_package_manager }, { "runs-next", h_runs_next },
    { "deno-task", h_deno_task }, { "install-named", h_install_named },
    { "install-named-args", h_install_named_args }, { "pip", h_pip },
    { "python", h_python }, { "uv-pip", h_uv_pip }, { "env-run", h_env_run },
    { "add-package", h_add_package }, { "tool-subcommand", h_tool_subcommand },
    { "dotnet-add", h_dotnet_add }, { "dotnet-nuget", h_dotnet_nuget },
    { "dart-pub", h_dart_pub }, { "go", h_go }, { "system-packages", h_system_packages },
    { "app-packages", h_app_packages }, { "git", h_git }, { "repo-clone", h_repo_clone },
    { "cd", h_cd }, { "cmake", h_cmake }, { "tox", h_tox }, { "tsc", h_tsc },
    { "maven", h_maven }, { "gradle", h_gradle }, { "sbt", h_sbt },
    { "zig-build", h_zig_build }, { "dune-build", h_dune_build },
    { "build-test-flag", h_build_test_flag }, { "r", h_r }, { "code-expr", h_code_expr },
    { "xcodebuild", h_xcodebuild }, { "conda", h_conda }, { "composer", h_composer },
    { "php", h_php }, { "node", h_node }, { "configure-script", h_configure_script },
    { "interpreter", h_interpreter }, { "clojure", h_clojure }, { "compose", h_compose },
    { "compose-plugin", h_compose_plugin }, { "monorepo", h_monorepo },
    { "shell", h_shell }, { "site", h_site }, { "commands", h_commands },
};

static handler_fn *
s_handler (const char *name)
{
    for (size_t i = 0; i < sizeof s_handlers / sizeof s_handlers [0]; i++)
        if (strcmp (s_handlers [i].name, name) == 0)
            return s_handlers [i].fn;
    return NULL;
}

//  Asks the tool's handlers (its `handle` list) in order; false when none
//  applies or none can tell.
static bool
s_handle (const walk_t *walk, const ynode_t *entry, words_t *w, int i,
          classify_result_t *out, int depth)
{
    const ynode_t *list = ytree_get (entry, "handle");
    int k = s_next_arg (w, i + 1, NULL);
    const char *sub = s_sub (w, k);
    for (size_t h = 0; list && list->kind == YNODE_SEQ && h < list->count; h++) {
        const ynode_t *item = list->items [h];
        const char *name = item->kind == YNODE_SCALAR? item->value: NULL;
        if (item->kind == YNODE_MAP && item->count == 1) {
            if (!ktools_in (item->items [0], sub, strlen (sub)))
                continue;
            name = item->keys [0];
        }
        handler_fn *fn = name? s_handler (name): NULL;
        if (fn && fn (walk, w, i, k, out, depth))
            return true;
    }
    return false;
}

//  Looks the tool and subcommand up in the tool's `commands`: the
//  subcommand's entry, else "" for the bare tool, else "*".
static bool
s_table (const walk_t *walk, const words_t *w, int i, classify_result_t *out)
{
    const char *tool = w->v [i];
    const ynode_t *commands = ytree_get (ktools_get (walk->tools, tool, strlen (tool)),
                                         "commands");
    int k = s_next_arg (w, i + 1, NULL);
    const char *sub = s_sub (w, k);
    //  cargo +nightly test
    if (sub [0] == '+' && k + 1 < w->n)
        sub = w->v [s_next_arg (w, k + 1, NULL) < w->n? s_next_arg (w, k + 1, NULL): k];
    const ynode_t *rule = ytree_get (commands, sub);
    if (!rule)
        rule = ytree_get (commands, "*");
    if (!rule)
        return false;
    bool is_map = rule->kind == YNODE_MAP;
    const char *kind = is_map? ytree_str (ytree_get (rule, "kind"), ""): ytree_str (rule, "");
    uint32_t flags = 0;
    if (is_map && ktools_flag (rule, "deploy"))
        flags |= DEP;
    if (is_map && ktools_flag (rule, "consumer"))
        flags |= CON;
    s_set (out, (int) cmd_kind_from_name (kind), flags);
    const char *reason = is_map? ytree_str (ytree_get (rule, "reason"), NULL): NULL;
    if (!reason) {
        if (*sub)
            s_reason (out, "%s %s", tool, sub);
        else
            s_reason (out, "%s", tool);
    }
    else
    if (strstr (reason, "%s"))
        s_reason (out, "%.*s%s%s", (int) (strstr (reason, "%s") - reason),
                  reason, sub, strstr (reason, "%s") + 2);
    else
        s_reason (out, "%s", reason);
    return true;
}

//  Classifies the command starting at word i: unwraps prefixes, then asks
//  the tool's handlers and its table.
static void
s_classify (const walk_t *walk, words_t *w, int i, classify_result_t *out, int depth)
{
    const ynode_t *privileged = ktools_words (walk->tools, "privileged");
    const ynode_t *wrappers = ktools_words (walk->tools, "wrappers");
    while (i < w->n) {
        const char *word = w->v [i];
        if (s_assignment (word))
            i++;
        else
        if (ktools_in (privileged, word, strlen (word))) {
            out->flags |= CMD_F_SUDO;
            static const char *const with_arg [] = { "-u", "-g", "-C", "-p", NULL };
            i = s_next_arg (w, i + 1, with_arg);
        }
        else
        if (ktools_in (wrappers, word, strlen (word))) {
            static const char *const with_arg [] = { "-u", "-n", "-s", NULL };
            i = s_next_arg (w, i + 1, with_arg);
        }
        else
        if (s_eq (word, "(") || s_eq (word, "{") || s_eq (word, "!"))
            i++;
        else
            break;
    }
    if (i >= w->n || depth > 8) {
        s_set (out, O, 0);
        if (!out->reason [0])
            s_reason (out, "sets variables");
        return;
    }
    //  Strip a subshell's parentheses: (cd build && make)
    char *word = (char *) w->v [i];
    while (word [0] == '(' && word [1])
        w->v [i] = ++word;
    const char *tool = w->v [i];
    if (s_is_path (tool)) {
        //  ./gradlew, vendor/bin/phpunit, bin/rails: the tool they are.
        const char *base = s_basename (tool);
        if (!ktools_flag (ktools_get (walk->tools, base, strlen (base)), "by-path")) {
            s_path_script (walk, tool, out);
            return;
        }
        w->v [i] = base;
        tool = base;
    }
    const ynode_t *entry = ktools_get (walk->tools, tool, strlen (tool));
    if (s_handle (walk, entry, w, i, out, depth) || s_table (walk, w, i, out))
        return;
    s_set (out, O, 0);
    s_reason (out, "unknown command %s", tool);
}

//  -- chains --------------------------------------------------------------

void
classify_command (const knowledge_t *kb, classify_ctx_t *ctx, const char *text, size_t size,
                  classify_result_t *out)
{
    walk_t walk = { knowledge_tools (kb), ctx };
    s_classify_text (&walk, text, size, out, 0);
}

//  The length of the operator (&&, ||, |, ;, &) at text [i], or 0.
static size_t
s_operator (const char *text, size_t size, size_t i)
{
    char c = text [i];
    if ((c == '&' || c == '|') && i + 1 < size && text [i + 1] == c)
        return 2;
    if (c == '|' || c == ';' || (c == '&' && !(i > 0 && (text [i - 1] == '>'
                                                 || text [i - 1] == '<'))
                                           && !(i + 1 < size && text [i + 1] == '>')))
        return 1;
    return 0;
}

//  Classifies one part of a chain into out; *download is set when the
//  part downloads into a pipe (curl ... |), which makes a shell after it
//  an installer script.
static void
s_part (const walk_t *walk, words_t *w, bool pipe, bool *download,
        classify_result_t *out, bool *have, int depth)
{
    classify_result_t part = { 0 };
    s_classify (walk, w, 0, &part, depth);
    const ynode_t *prefixes = ktools_words (walk->tools, "shell-prefixes");
    int first = 0;
    while (first < w->n && (ktools_in (prefixes, w->v [first], strlen (w->v [first]))
                            || s_assignment (w->v [first])))
        first++;
    if (*download && first < w->n
    &&  ktools_in (ktools_words (walk->tools, "shells"), w->v [first], strlen (w->v [first]))) {
        part.kind = CMD_SYSTEM;
        s_reason (&part, "installer script piped to a shell");
    }
    *download = pipe && ktools_in (ktools_words (walk->tools, "downloaders"), w->v [0],
                                   strlen (w->v [0]));
    s_better (out, &part, have);
}

//  Classifies a whole chain; depth bounds sh -c nesting.
static void
s_classify_text (const walk_t *walk, const char *text, size_t size,
                 classify_result_t *out, int depth)
{
    memset (out, 0, sizeof *out);
    const char *end = memchr (text, '\n', size);
    if (end)
        size = (size_t) (end - text);
    bool have = false, download = false;
    size_t start = 0, i = 0;
    char quote = 0;
    int paren = 0;
    words_t w;
    while (i <= size) {
        char c = i < size? text [i]: 0;
        size_t op = 0;
        bool pipe = false;
        if (i < size && quote) {
            if (c == quote)
                quote = 0;
            else
            if (c == '\\' && quote == '"')
                i++;
            i++;
            continue;
        }
        if (i < size) {
            if (c == '\'' || c == '"' || c == '`') {
                quote = c;
                i++;
                continue;
            }
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '$' && i + 1 < size && text [i + 1] == '(') {
                paren++;
                i += 2;
                continue;
            }
            if (c == ')' && paren) {
                paren--;
                i++;
                continue;
            }
            if (paren || !(op = s_operator (text, size, i))) {
                i++;
                continue;
            }
            pipe = op == 1 && c == '|';
        }
        s_split_words (text + start, i - start, &w);
        if (w.n > 0)
            s_part (walk, &w, pipe, &download, out, &have, depth);
        i += op? op: 1;
        start = i;
    }
    if (!have) {
        out->kind = CMD_OTHER;
        s_reason (out, "empty command");
    }
    if (classify_has_placeholder (text, size))
        out->flags |= CMD_F_PLACEHOLDER;
}

//  -- questions about text ------------------------------------------------

static bool
s_alnum (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
classify_has_placeholder (const char *text, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        char c = text [i];
        //  <token>: a letter right after '<' (not <<EOF), no '<' inside,
        //  and no space right before the '>' (not "<in >out").
        if (c == '<' && i + 1 < size && (i == 0 || text [i - 1] != '<')
        &&  ((text [i + 1] >= 'a' && text [i + 1] <= 'z')
        ||   (text [i + 1] >= 'A' && text [i + 1] <= 'Z'))) {
            size_t j = i + 1;
            while (j < size && j - i < 60 && text [j] != '>' && text [j] != '<'
               &&  text [j] != '\n')
                j++;
            if (j < size && text [j] == '>' && text [j - 1] != ' ')
                return true;
        }
        //  YOUR_KEY, your-token, MY_API_KEY
        if ((c == 'Y' || c == 'y') && (i == 0 || !s_alnum (text [i - 1]))
        &&  i + 5 < size && (strncmp (text + i, "YOUR", 4) == 0
                          || strncmp (text + i, "your", 4) == 0)
        &&  (text [i + 4] == '_' || text [i + 4] == '-') && s_alnum (text [i + 5]))
            return true;
        //  {{var}} and {version} (but not ${var} or {} or {a,b})
        if (c == '{' && (i == 0 || text [i - 1] != '$')) {
            size_t j = i + 1;
            bool doubled = j < size && text [j] == '{';
            if (doubled)
                j++;
            while (j < size && text [j] == ' ')
                j++;
            size_t name = j;
            while (j < size && (s_alnum (text [j]) || text [j] == '_' || text [j] == '.'))
                j++;
            while (j < size && text [j] == ' ')
                j++;
            if (j > name && j < size && text [j] == '}'
            &&  (doubled || (text [name] >= 'a' && text [name] <= 'z')))
                return true;
        }
        //  x.y.z, X.Y.Z
        if ((c == 'x' || c == 'X') && i + 5 <= size && (i == 0 || !s_alnum (text [i - 1]))
        &&  text [i + 1] == '.' && (text [i + 2] == 'y' || text [i + 2] == 'Y')
        &&  text [i + 3] == '.' && (text [i + 4] == 'z' || text [i + 4] == 'Z')
        &&  (i + 5 == size || !s_alnum (text [i + 5])))
            return true;
        //  an argument that is, or ends in, "..." (but not Go's ./...)
        if (c == '.' && i + 2 < size && text [i + 1] == '.' && text [i + 2] == '.'
        &&  (i == 0 || text [i - 1] != '/')
        &&  (i + 3 == size || text [i + 3] == ' ' || text [i + 3] == ']'))
            return true;
        if ((unsigned char) c == 0xe2 && i + 2 < size && (unsigned char) text [i + 1] == 0x80
        &&  (unsigned char) text [i + 2] == 0xa6)
            return true;            //  "…"
    }
    return false;
}

bool
classify_known_tool (const knowledge_t *kb, const char *word, size_t size)
{
    return ktools_known (knowledge_tools (kb), word, size);
}

bool
classify_looks_like_command (const knowledge_t *kb, const char *line, size_t size)
{
    while (size && (*line == ' ' || *line == '\t')) {
        line++;
        size--;
    }
    size_t len = 0;
    while (len < size && line [len] != ' ' && line [len] != '\t')
        len++;
    if (len == 0)
        return false;
    //  VAR=value make
    const char *eq = memchr (line, '=', len);
    if (eq && eq != line) {
        size_t skip = len;
        while (skip < size && line [skip] == ' ')
            skip++;
        return skip < size && classify_looks_like_command (kb, line + skip, size - skip);
    }
    if (classify_known_tool (kb, line, len))
        return true;
    //  ./configure, ../x, scripts/test.sh, bin/setup: a path, not a URL
    const ynode_t *dirs = ktools_words (knowledge_tools (kb), "script-dirs");
    for (size_t i = 0; dirs && dirs->kind == YNODE_SEQ && i < dirs->count; i++) {
        const char *dir = ytree_str (dirs->items [i], "");
        if (*dir && len > strlen (dir) && memcmp (line, dir, strlen (dir)) == 0)
            return true;
    }
    return false;
}

bool
classify_runs_alone (const knowledge_t *kb, const char *text, size_t size)
{
    while (size && (*text == ' ' || *text == '\t')) {
        text++;
        size--;
    }
    size_t len = 0;
    while (len < size && text [len] != ' ')
        len++;
    if (len == 0)
        return false;
    if (len > 2 && memcmp (text, "./", 2) == 0)
        return true;
    return ktools_flag (ktools_get (knowledge_tools (kb), text, len), "runs-alone");
}
